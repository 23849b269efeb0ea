#!/usr/bin/python3
"""The SMTP transport loads its trust store once per process (parsing a CA bundle cost tens of
milliseconds per session and sending pass) and keeps it while the CA file is unchanged: a
running daemon still notices a replaced ca_file at its next pass, refusing a server the new CA
did not sign, and accepting it again when the right CA is back."""
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers import AioSmtpd, Feedbackd, Tap, make_cert  # noqa: E402

t = Tap()
NOW = "2027-01-04T09:00:00"


def message(i):
    return ("From: feedback@feedbackd.test\nTo: m%d@example.org\nSubject: trust %d\n"
            "Message-ID: <trust%d@feedbackd.test>\n\nBericht %d.\n" % (i, i, i, i))


def wait_row(fb, to, timeout=20):
    """The outbox row to `to` once it left 'queued'/'sending': (state, last_error)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        rows = fb.sql("SELECT state, coalesce(last_error, '') FROM outbox WHERE recipient = ?", to)
        if rows and rows[0][0] not in ("queued", "sending") or rows and rows[0][1]:
            return rows[0]
        time.sleep(0.2)
    return rows[0] if rows else None


with tempfile.TemporaryDirectory() as tmp:
    ca, cert, key = make_cert(tmp, "127.0.0.1")
    other_ca, _, _ = make_cert(tmp, "localhost")   # a CA that did not sign the server's certificate
    ca_file = os.path.join(tmp, "trust.pem")
    shutil.copy(ca, ca_file)
    with AioSmtpd(tmp, tls=(cert, key), starttls=True) as smtp:
        fb = Feedbackd(tmp, {"outgoing": {"transport": "smtp", "url": smtp.url(), "starttls": "required",
                                          "ca_file": ca_file, "backoff_initial": "1s"},
                             "incoming": {"poll_interval": "1s"}}, name="trust")
        fb.ctl("outbox", "list", now=NOW)  # the database made before the daemon opens it
        fb.start(NOW)
        try:
            for i, (trust, want) in enumerate(((ca, "sent"), (other_ca, "refused"), (ca, "sent"))):
                # a new file at the same path (new inode, size and mtime), as an editor or a
                # package update writes it
                tmpf = ca_file + ".new"
                shutil.copy(trust, tmpf)
                os.rename(tmpf, ca_file)
                path = os.path.join(tmp, "m%d" % i)
                with open(path, "w") as f:
                    f.write(message(i))
                fb.ctl("outbox", "add", "--to", "m%d@example.org" % i, path, now=NOW)
                row = wait_row(fb, "m%d@example.org" % i)
                if want == "sent":
                    t.ok(row is not None and row[0] == "sent", "round %d: signed by the CA in ca_file: sent" % i,
                         (row, fb.log_text()[-600:]))
                else:
                    t.ok(row is not None and row[0] != "sent" and "certificate" in row[1].lower(),
                         "round %d: ca_file replaced by another CA: the server is refused" % i,
                         (row, fb.log_text()[-600:]))
        finally:
            fb.stop()
t.finish()
