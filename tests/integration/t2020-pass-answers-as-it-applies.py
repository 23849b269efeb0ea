#!/usr/bin/python3
"""A burst of replies is answered as it is applied, not after all of it (issue 20), and each
applied reply costs one write transaction.

250 members each mail feedback for a colleague at once; one `feedbackd --once` reads them. The
SMTP server here is a small one of the test's own: at the end of every DATA, before it says
250, it reads the daemon's database (read-only; the daemon waits for the 250) and notes how many
replies were applied by then. The first feedback mail of the pass must leave when only the
first chunk is applied; before the change a pass applied all 250 before sending anything. Every
reply is applied once, every mail sent once; the person-to-person mail of the pass goes before
a backlog of nudges, and a Monday's nudges are queued a chunk at a time, each sent before the
next is queued.

The daemon's debug log says how many write transactions each step of a pass took: the apply
step takes exactly one per applied reply (the reply's changes, the mail it queues and the inbox
row's result in one BEGIN IMMEDIATE ... COMMIT), and the scheduler none when nothing is due."""
import os
import re
import socketserver
import sqlite3
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers import Feedbackd, Tap  # noqa: E402

t = Tap()
N = 250


class Smtp(socketserver.ThreadingTCPServer):
    """Takes every message; at each DATA's end notes (kind, recipient, applied replies so far)."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, db):
        self.db = db
        self.seen = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), SmtpSession)

    def applied(self):
        c = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True, timeout=30)
        try:
            return c.execute("SELECT count(*) FROM inbox WHERE state = 'applied'").fetchone()[0]
        finally:
            c.close()


class SmtpSession(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        self.reply("220 test ESMTP")
        rcpt = None
        while True:
            line = self.rfile.readline()
            if not line:
                return
            cmd = line.decode("utf-8", "replace").strip()
            verb = cmd.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250-test")
                self.reply("250 8BITMIME")
            elif verb == "RCPT":
                rcpt = cmd.split(":", 1)[1].strip().strip("<>")
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 go on")
                kind = "?"
                while True:
                    d = self.rfile.readline()
                    if not d or d in (b".\r\n", b".\n"):
                        break
                    m = re.match(rb"X-Feedbackd-Kind: (\S+)", d)
                    if m:
                        kind = m.group(1).decode()
                srv = self.server
                with srv.lock:
                    srv.seen.append((kind, rcpt, srv.applied()))
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:  # MAIL, RSET, NOOP
                self.reply("250 OK")


def name(i):
    return "Lid%03d Jansen" % i


def addr(i):
    return "m%d@example.org" % i


with Feedbackd(os.environ.get("TMPDIR", "/tmp")) as fb:
    srv = Smtp(fb.db)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    fb.configure({"outgoing": {"transport": "smtp", "url": "smtp://127.0.0.1:%d" % srv.server_address[1],
                               "starttls": "no"},
                  "feedbackd": {"log_level": "debug"}})
    inbox = os.path.join(fb.dir, "in")
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(inbox, sub), exist_ok=True)
    fb.ctl("program", "create", "P", "--start", "2027-01-04", now="2027-01-01T12:00")
    fb.ctl("team", "add", "P", "T", now="2027-01-01T12:00")
    csv = os.path.join(fb.dir, "team.csv")
    with open(csv, "w") as f:
        f.write("naam;e-mail\n" + "".join("%s;%s\n" % (name(i), addr(i)) for i in range(N)))
    fb.ctl("member", "import", "P/T", csv, now="2027-01-01T12:00")

    # The programme's start (welcomes, invitations) out of the way first.
    t.ok(fb.once(now="2027-01-05T10:00") == 0, "the first pass runs")
    before = len(srv.seen)

    for i in range(N):
        raw = ("From: %s <%s>\r\nTo: feedback@feedbackd.test\r\nMessage-ID: <r%d@example.org>\r\n"
               "Subject: Feedback\r\n\r\nFeedback voor: %s\r\nBevestiging: je opening was helder.\r\n"
               "Kritiek: de conclusie ontbrak.\r\n" % (name(i), addr(i), i, name((i + 1) % N)))
        with open(os.path.join(inbox, "new", "%d.host" % i), "w") as f:
            f.write(raw)
    log_at = len(fb.log_text())
    t.ok(fb.once(now="2027-01-05T10:05") == 0, "a pass reads the burst of %d replies" % N)
    log = fb.log_text()[log_at:]
    seen = srv.seen[before:]
    fed = [s for s in seen if s[0] == "feedback_received"]
    t.ok(fb.sql("SELECT count(*) FROM inbox WHERE state = 'applied'")[0][0] == N,
         "all %d replies applied" % N)
    t.ok(len(fed) == N and len({r for _, r, _ in fed}) == N, "each member gets one feedback mail",
         len(fed))
    t.ok(len([s for s in seen if s[0] == "feedback_receipt"]) == N, "each giver one receipt")
    t.ok(len(seen) == 2 * N, "nothing else and nothing twice", len(seen))
    first = fed[0][2] if fed else None
    t.ok(first is not None and first < N,
         "the first feedback mail left when %s of %d replies were applied (before all of them)"
         % (first, N), first)
    t.ok(first is not None and first <= 100, "... after the first chunk of 100 at most", first)

    m = re.search(r"pass: (\d+) write transactions: receive (\d+), apply (\d+) \((\d+) applied\), "
                  r"schedule (\d+), send (\d+), other (\d+)", log)
    t.ok(m is not None, "the debug log counts the pass's write transactions", log[-1500:])
    if m:
        total, receive, apply_, applied, schedule, send, other = (int(x) for x in m.groups())
        t.ok(applied == N and apply_ == N,
             "one write transaction per applied reply, its mails included: %d for %d" % (apply_, applied),
             m.group(0))
        t.ok(schedule == 0, "the scheduler wrote nothing: nothing was due", m.group(0))
        t.ok(receive <= 3, "the mailbox read in a group of 200 (and one read per chunk that found "
             "nothing)", m.group(0))

    # An idle pass writes nothing but the start's recovery and the daily retention.
    log_at = len(fb.log_text())
    t.ok(fb.once(now="2027-01-05T10:10") == 0, "an idle pass")
    m = re.search(r"pass: (\d+) write transactions: receive (\d+), apply (\d+) \((\d+) applied\), "
                  r"schedule (\d+), send (\d+), other (\d+)", fb.log_text()[log_at:])
    t.ok(m is not None and int(m.group(1)) == int(m.group(7)),
         "an idle pass: no write transaction but the recovery at start and the daily retention",
         m.group(0) if m else None)

    # Person-to-person mail before bulk: the week's nudges wait for an SMTP server that is
    # down; when it is back, replies that came in meanwhile are answered before the backlog.
    fb.configure({"outgoing": {"transport": "smtp", "url": "smtp://127.0.0.1:9", "starttls": "no"},
                  "feedbackd": {"log_level": "debug"}})
    t.ok(fb.once(now="2027-01-11T09:00") == 0, "the pass of week 2's nudge, the SMTP server down")
    t.ok(fb.sql("SELECT count(*) FROM outbox WHERE kind = 'nudge' AND state = 'retry'")[0][0] == N,
         "the nudges wait to be tried again")
    fb.configure({"outgoing": {"transport": "smtp", "url": "smtp://127.0.0.1:%d" % srv.server_address[1],
                               "starttls": "no"},
                  "feedbackd": {"log_level": "debug"}})
    for i in range(20):
        raw = ("From: %s <%s>\r\nTo: feedback@feedbackd.test\r\nMessage-ID: <s%d@example.org>\r\n"
               "Subject: Feedback\r\n\r\nFeedback voor: %s\r\nBevestiging: goed gedaan.\r\n"
               "Kritiek: iets korter.\r\n" % (name(i), addr(i), i, name((i + 2) % N)))
        with open(os.path.join(inbox, "new", "s%d.host" % i), "w") as f:
            f.write(raw)
    before = len(srv.seen)
    t.ok(fb.once(now="2027-01-11T11:00") == 0, "the SMTP server is back")
    kinds = [k for k, _, _ in srv.seen[before:]]
    person = [i for i, k in enumerate(kinds) if k in ("feedback_received", "feedback_receipt")]
    nudges = [i for i, k in enumerate(kinds) if k == "nudge"]
    t.ok(len(person) == 40 and len(nudges) == N, "20 replies answered, %d nudges sent" % N,
         (len(person), len(nudges)))
    t.ok(person and nudges and max(person) < min(nudges),
         "the answers went before the nudges queued earlier", kinds[:50])
    srv.shutdown()

# A Monday's nudges go in chunks: 11 teams of 50 are nudged ten teams (500 mails) at a time, each
# chunk sent before the next is queued; every member gets one nudge, the moment is done once.
with Feedbackd(os.environ.get("TMPDIR", "/tmp"), name="chunks") as fb:
    srv = Smtp(fb.db)
    srv.applied = lambda: fb.sql("SELECT count(*) FROM outbox WHERE kind = 'nudge'")[0][0]
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    fb.configure({"outgoing": {"transport": "smtp", "url": "smtp://127.0.0.1:%d" % srv.server_address[1],
                               "starttls": "no"}})
    fb.ctl("program", "create", "P", "--start", "2027-01-11", now="2027-01-01T12:00")
    for team in range(11):
        fb.ctl("team", "add", "P", "T%d" % team, now="2027-01-01T12:00")
        csv = os.path.join(fb.dir, "team.csv")
        with open(csv, "w") as f:
            f.write("naam;e-mail\n" + "".join("%s;%s\n" % (name(i), addr(i))
                                             for i in range(team * 50, team * 50 + 50)))
        fb.ctl("member", "import", "P/T%d" % team, csv, now="2027-01-01T12:00")
    # 550 members' welcomes, questionnaires and nudges: minutes on a loaded 2-core machine
    t.ok(fb.once(now="2027-01-11T09:00", timeout=1800) == 0, "the pass of week 1's nudge, 550 members")
    nudges = [(r, queued) for k, r, queued in srv.seen if k == "nudge"]
    t.ok(len(nudges) == 550 and len({r for r, _ in nudges}) == 550, "each of 550 members nudged once",
         len(nudges))
    t.ok(nudges and nudges[0][1] == 500, "the first nudge left when %s of 550 were queued (a chunk of ten "
         "teams)" % (nudges[0][1] if nudges else None), nudges[:3])
    t.ok(fb.sql("SELECT count(*) FROM done WHERE moment_key = 'nudge:w1' AND target = ''")[0][0] == 1
         and fb.sql("SELECT count(*) FROM done WHERE moment_key = 'nudge:w1:teams'")[0][0] == 11,
         "the moment marked done once, with the last chunk; each team marked with its nudges")
    before = len(srv.seen)
    t.ok(fb.once(now="2027-01-11T09:30") == 0 and len(srv.seen) == before, "the next pass nudges nobody again")
    srv.shutdown()
t.finish()
