#!/usr/bin/python3
"""Bounded cost per message, at the default max_message_size (10 MiB).

Every message of at most the default maximum size is read, stored and processed by one
`feedbackd --once` with a peak resident memory under 64 MiB (ru_maxrss of that process, from
wait4): a 10 MB text body, HTML body, quoted-printable body, base64 attachment, a body of one
line; and hostile structure: 1.7 million header lines, a MIME part with as many, an attached
message with as many, 300,000 empty parts. The hostile ones are kept in the inbox as
quarantined with the bound they broke as reason (never dropped). A 53 MB message, above the
limit, costs no more: the database grows by less than 1 MB (its header and first 64 KiB are
kept), the inbox says the whole message stays in the mailbox, and it does (Maildir cur/; on
the IMAP server, read through Dovecot with RFC822.SIZE first and a partial fetch).
"""
import os
import re
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers import BUILD, TOP, Dovecot, Tap  # noqa: E402


def sanitized(build):
    with open(os.path.join(build, "feedbackd"), "rb") as f:
        return b"__asan_init" in f.read()


# Memory is the daemon's, not AddressSanitizer's (its shadow memory, redzones and quarantine
# add tens of MiB): with a sanitizer build under test (make check runs integration@build-san),
# this test runs the plain build beside it, which `make tests-build` made first.
RUN = BUILD
if sanitized(BUILD) and os.path.exists(os.path.join(TOP, "build", "tools", "peakrss")):
    RUN = os.path.join(TOP, "build")
    print("# %s is a sanitizer build: memory measured on %s" % (BUILD, RUN))
FEEDBACKD = os.path.join(RUN, "feedbackd")
FEEDBACKCTL = os.path.join(RUN, "feedbackctl")
PEAKRSS = os.path.join(RUN, "tools", "peakrss")   # the daemon's own peak (see peakrss.c)
MEASURED = not sanitized(RUN)

t = Tap()
LIMIT_KIB = 64 * 1024
M = 10 * 1024 * 1024 - 4096          # just under the default max_message_size
NOW = "2027-01-06T12:00"


def hdr(tag, extra=b""):
    return (b"From: Jan de Vries <jan@example.nl>\nTo: feedback@example.nl\nSubject: groot %s\n"
            b"Message-ID: <%s@example.nl>\nDate: Wed, 06 Jan 2027 10:00:00 +0100\n" % (tag, tag)) + extra


def fill(prefix, unit, suffix=b""):
    n = (M - len(prefix) - len(suffix)) // len(unit)
    return prefix + unit * n + suffix


LINE = b"Dit is een regel tekst met wat woorden erin, om de trim te laten werken.\n"
CASES = [
    # name, bytes, expected state (None: any), words the reason must hold
    ("text", fill(hdr(b"text", b"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"), LINE),
     None, None),
    ("one-line", fill(hdr(b"oneline", b"\n"), b"x"), None, None),
    ("html", fill(hdr(b"html", b"MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n<html><body>"),
                  b"<p>Dit is <b>een</b> regel <i>tekst</i> met woorden.</p>\n", b"</body></html>\n"), None, None),
    ("quoted-printable", fill(hdr(b"qp", b"MIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\n"
                                         b"Content-Transfer-Encoding: quoted-printable\n\n"),
                              b"Caf=E9 na=EFef regel tekst met wat woorden erin, om te trimmen.=\n ok\n"), None, None),
    ("base64 attachment", fill(hdr(b"b64", b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n"
                                          b"--XX\nContent-Type: text/plain\n\nZie bijlage.\n--XX\n"
                                          b"Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n"),
                               b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx\n",
                               b"--XX--\n"), None, None),
    ("1.7 million header lines", fill(hdr(b"hdrs"), b"X-A:b\n", b"\nhallo\n"), "quarantined",
     "more than 10000 header fields"),
    ("a part with 1.7 million header lines",
     fill(hdr(b"parthdrs", b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n--XX\n"),
          b"X-A:b\n", b"\nhallo\n--XX--\n"), "quarantined", "more than 10000 header fields"),
    ("an attached message with 1.7 million header lines",
     fill(hdr(b"atthdrs", b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n--XX\n"
                          b"Content-Type: message/rfc822\n\nFrom: x@example.org\n"),
          b"X-A:b\n", b"\nhallo\n--XX--\n"), "quarantined", "more than 10000 header fields"),
    ("300,000 empty parts", fill(hdr(b"parts", b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n"),
                                 b"--XX\nContent-Type: text/plain\n\nx\n", b"--XX--\n"), "quarantined",
     "more than 512 MIME parts"),
]
HUGE = hdr(b"huge", b"\n") + LINE * (53 * 1024 * 1024 // len(LINE))


class Setup:
    """A database with programme Pilot, member Jan, and a configuration (maildir or imap)."""

    def __init__(self, tmp, name, incoming):
        self.dir = tempfile.mkdtemp(prefix=name.replace(" ", "-").replace(",", "") + ".", dir=tmp)
        self.db = os.path.join(self.dir, "fb.db")
        self.inbox = os.path.join(self.dir, "in")
        for sub in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(self.inbox, sub))
        self.conf = os.path.join(self.dir, "f.conf")
        with open(self.conf, "w") as f:
            f.write("[feedbackd]\ndatabase = %s\n[outgoing]\nmaildir = %s\n[incoming]\n%s\n"
                    % (self.db, os.path.join(self.dir, "out"), incoming or "maildir = %s" % self.inbox))
        for args in (["program", "create", "Pilot", "--start", "2027-01-04"], ["team", "add", "Pilot", "Blauw"],
                     ["member", "add", "Blauw", "Jan de Vries", "jan@example.nl"]):
            subprocess.run([FEEDBACKCTL, "-c", self.conf, "--now", "2027-01-01T12:00"] + args,
                           check=True, capture_output=True)

    def once(self):
        """One pass; (exit code, peak RSS in KiB, log)."""
        p = subprocess.run([PEAKRSS, FEEDBACKD, "-c", self.conf, "--once", "--now", NOW],
                           capture_output=True, text=True, errors="replace")
        m = re.findall(r"^peakrss (\d+)$", p.stderr, re.M)
        return p.returncode, int(m[-1]) if m else 1 << 30, p.stderr

    def rows(self):
        c = sqlite3.connect(self.db)
        try:
            return c.execute("SELECT state, coalesce(reason, '') || coalesce(error, ''), size, length(raw) "
                             "FROM inbox").fetchall()
        finally:
            c.close()

    def db_kib(self):
        return sum(os.path.getsize(self.db + s) for s in ("", "-wal") if os.path.exists(self.db + s)) // 1024


with tempfile.TemporaryDirectory(dir=os.environ.get("FB_KEEP_TMP")) as tmp:
    for name, data, state, words in CASES:
        s = Setup(tmp, name, None)
        with open(os.path.join(s.inbox, "new", "1.eml"), "wb") as f:
            f.write(data)
        rc, rss, log = s.once()
        rows = s.rows()
        t.ok(rc == 0 and len(rows) == 1, "%s (%.1f MB): read and kept (exit %d)" % (name, len(data) / 1e6, rc), log)
        t.ok(rss < LIMIT_KIB or not MEASURED, "%s: peak RSS %.1f MiB < 64 MiB" % (name, rss / 1024.0), log)
        if state is not None and rows:
            t.ok(rows[0][0] == state and words in rows[0][1],
                 "%s: %s, saying \"%s\"" % (name, state, words), rows[0][:2])

    # ---- above max_message_size: 53 MB ------------------------------------------------------
    s = Setup(tmp, "huge-maildir", None)
    s.once()
    before = s.db_kib()
    with open(os.path.join(s.inbox, "new", "huge.eml"), "wb") as f:
        f.write(HUGE)
    rc, rss, log = s.once()
    rows = s.rows()
    t.ok(rc == 0 and len(rows) == 1 and rows[0][0] == "failed", "a 53 MB message is kept as too large", (rows, log))
    t.ok(rows and rows[0][2] == len(HUGE) and rows[0][3] <= 64 * 1024,
         "with its size (%d) and only its first %s bytes stored" % (len(HUGE), rows[0][3] if rows else "?"))
    t.ok(s.db_kib() - before < 1024, "the database grew by %d KiB, not 53 MB" % (s.db_kib() - before))
    t.ok(rows and "the whole message stays in the mailbox" in rows[0][1], "the inbox says where the rest is",
         rows[0][1] if rows else "")
    cur = os.listdir(os.path.join(s.inbox, "cur"))
    t.ok(len(cur) == 1 and os.path.getsize(os.path.join(s.inbox, "cur", cur[0])) == len(HUGE),
         "and it is there, whole, in the Maildir's cur/", cur)
    t.ok(rss < LIMIT_KIB or not MEASURED, "peak RSS %.1f MiB < 64 MiB" % (rss / 1024.0))

    # ---- the same over IMAP (Dovecot): sizes first, a partial fetch of the large one -----------
    with Dovecot(tmp) as imap:
        imap.deliver(HUGE.replace(b"\n", b"\r\n"))
        imap.deliver(fill(hdr(b"imaptext", b"\n").replace(b"\n", b"\r\n"), LINE.replace(b"\n", b"\r\n")))
        s = Setup(tmp, "imap", "mailbox = imap\nurl = %s\nstarttls = no\nusername = fb\npassword_file = %s"
                  % (imap.url(), "PWFILE"))
        pw = os.path.join(s.dir, "pw")
        with open(pw, "w") as f:
            f.write("secret\n")
        os.chmod(pw, 0o600)
        with open(s.conf) as f:
            text = f.read().replace("PWFILE", pw)
        with open(s.conf, "w") as f:
            f.write(text)
        rc, rss, log = s.once()
        rows = sorted(s.rows(), key=lambda r: r[2])
        t.ok(rc == 0 and len(rows) == 2, "IMAP: both messages read (exit %d)" % rc, (rows, log))
        t.ok(len(rows) == 2 and rows[1][0] == "failed" and rows[1][2] == len(HUGE.replace(b"\n", b"\r\n"))
             and rows[1][3] <= 64 * 1024, "IMAP: the 53 MB one kept as too large, with its size, %s bytes stored"
             % (rows[1][3] if len(rows) == 2 else "?"), rows)
        t.ok(len(rows) == 2 and rows[0][3] == rows[0][2] and rows[0][2] > 10000000,
             "IMAP: the 10 MB one stored whole", [r[0::2] for r in rows])
        t.ok(rss < LIMIT_KIB or not MEASURED, "IMAP: peak RSS %.1f MiB < 64 MiB" % (rss / 1024.0), log)
        on_server = [os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(imap.maildir()) for f in fs
                     if os.path.basename(d) in ("new", "cur")]
        t.ok(max(on_server or [0]) >= len(HUGE), "IMAP: the 53 MB message is still on the server, whole",
             on_server)
t.finish()
