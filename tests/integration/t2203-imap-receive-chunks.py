#!/usr/bin/python3
"""The daemon's IMAP receive pass over many fetched chunks (build/tools/recvbench runs
mailflow_receive() as pass_receive() does), on a real Dovecot: 1,050 messages read in UID FETCH
ranges of fetch_batch = 100, each range stored in one transaction with the position, and each
committed range's marks sent with the next range's fetch (in the fetch's helper thread) or at
close. Every message is stored once and, after the pass, done on the server: flagged \\Seen, or
in processed_folder (UID MOVE; without MOVE and UIDPLUS, UID COPY and \\Seen \\Deleted, two
commands per mark). A second pass stores nothing. Dovecot's imap_capability hides MOVE and
UIDPLUS for the last case."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers import BUILD, Dovecot, Feedbackd, Tap  # noqa: E402

t = Tap()
N = 1050
RECVBENCH = os.path.join(BUILD, "tools", "recvbench")
CASES = [("\\Seen", None, None), ("MOVE", "Processed", None),
         ("COPY, no MOVE, no UIDPLUS", "Processed", "IMAP4rev1 LITERAL+ SASL-IR IDLE NAMESPACE")]


def message(i):
    return ("From: m%d@example.org\r\nTo: fb@example.org\r\nSubject: reply %d\r\n"
            "Message-ID: <ch%d@test>\r\n\r\nanswer %d\r\n" % (i, i, i, i)).encode()


def files(md, folder=""):
    d = os.path.join(md, "." + folder) if folder else md
    out = []
    for sub in ("new", "cur"):
        p = os.path.join(d, sub)
        out += [f for f in os.listdir(p)] if os.path.isdir(p) else []
    return out


def flags(name):
    return name.rsplit(":2,", 1)[1] if ":2," in name else ""


def recv(fb):
    with open(fb.log, "a") as log:
        r = subprocess.run([RECVBENCH, fb.conf], stdout=subprocess.PIPE, stderr=log, timeout=300)
    words = r.stdout.decode().split()
    return r.returncode, int(words[1]) if len(words) == 6 else -1


with tempfile.TemporaryDirectory() as tmp:
    for what, processed, caps in CASES:
        with Dovecot(tmp, imap_capability=caps) as imap:
            for i in range(N):
                imap.deliver(message(i), name="%d.ch%05d.host" % (1795000000 + i, i))
            inc = {"mailbox": "imap", "url": imap.url(), "starttls": "no", "username": "fb",
                   "password": "secret", "fetch_batch": "100"}
            if processed:
                inc["processed_folder"] = processed
            fb = Feedbackd(tmp, {"incoming": inc, "feedbackd": {"log_level": "warning"}}, name="chunks")
            rc, stored = recv(fb)
            rows = fb.sql("SELECT count(*), count(DISTINCT message_id) FROM inbox")[0]
            t.ok(rc == 0 and stored == N and rows == (N, N),
                 "%s: %d messages in %d chunks stored once each" % (what, N, (N + 99) // 100),
                 "rc %d stored %d rows %s: %s" % (rc, stored, rows, fb.log_text()[-800:]))
            pos = fb.sql("SELECT last_uid FROM mailbox_position")
            t.ok(pos == [(N,)], "%s: the saved position is the last UID" % what, pos)
            md = imap.maildir()
            inbox = files(md)
            if processed is None:
                unseen = [f for f in inbox if "S" not in flags(f)]
                t.ok(len(inbox) == N and not unseen, "%s: every message flagged \\Seen after the pass "
                     "(%d left unseen)" % (what, len(unseen)), unseen[:5])
            else:
                done = files(md, processed)
                if caps is None:
                    ok = len(done) == N and not inbox
                else:
                    ok = len(done) == N and len(inbox) == N and all("S" in flags(f) and "T" in flags(f)
                                                                    for f in inbox)
                t.ok(ok, "%s: every message done in %s after the pass (%d there, %d in INBOX)"
                     % (what, processed, len(done), len(inbox)), inbox[:5])
            warned = [line for line in fb.log_text().splitlines() if "marking" in line]
            t.ok(not warned, "%s: no mark failed" % what, warned[:3])
            rc, stored = recv(fb)
            t.ok(rc == 0 and stored == 0, "%s: a second pass stores nothing" % what,
                 "rc %d stored %d" % (rc, stored))
t.finish()
