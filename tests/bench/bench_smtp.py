#!/usr/bin/python3
"""Benchmark: the daemon's own outbox pass (queued -> sent over SMTP) against its peers, into
Postfix's smtp-sink on loopback. Not a timed test: it prints figures and ratios.

Both figures time feedbackd itself: `feedbackd --once` on a database whose outbox holds the
messages queued and nothing else to do (no programme), so the pass is the outbox pass: claim,
read each body from the store, send, record every outcome. The database is prepared once
(feedbackctl outbox add, not measured) and copied before each run, so every run starts from
the same queued outbox. Its process includes start-up (configuration, database open and
migration check, one more pass over the other queues, all empty): what the daemon costs.

  one connection:  feedbackd, sessions = 1, batch_size = MESSAGES (one SMTP session for all)
                   vs Python smtplib (one connection, sendmail per message, each message read
                   from its file first, as the daemon reads it from its store); target >= 1.3x
  N sessions:      feedbackd, sessions = N (threads, one SMTP session each) vs
                   smtp-source -d -s N (N sessions, nothing read, nothing recorded); >= 0.9x
  N vs 1:          feedbackd with N sessions against feedbackd with one; target > 1
  peak RSS:        the daemon's process sending with its default batch_size (100 messages per
                   SMTP session, one session at a time) against smtplib's (target <= 1x); and
                   the one-connection run's (libesmtp keeps ~2.6 KB per message of a session,
                   a header table, until the session ends: batch_size is what bounds it)

Every client runs as a process of its own, its peak RSS measured by wait4. The clients take
turns (feedbackd 1, smtplib, feedbackd N, smtp-source, feedbackd default batch) REPS times;
figures are medians.

usage: /usr/bin/python3 tests/bench/bench_smtp.py [MESSAGES [SIZE [PARALLEL [REPS]]]]
       (10000 3000 4 3)
Prints BENCH lines (tests/bench/run.sh makes the table).
"""
import os
import shutil
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import bench_line, rss_line, run_rss  # noqa: E402
from servers import FEEDBACKD, Feedbackd, SmtpSink  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
SIZE = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
PAR = int(sys.argv[3]) if len(sys.argv) > 3 else 4
REPS = int(sys.argv[4]) if len(sys.argv) > 4 else 3
NOW = "2027-01-04T09:00:00Z"


def personalised(i):
    head = ("From: Feedback <feedback@example.org>\nTo: Member %d <m%d@example.org>\n"
            "Subject: Week 3: ask a colleague for feedback, member %d\n"
            "Date: Mon, 23 Nov 2026 09:00:00 +0100\nMessage-ID: <w3.%d@feedbackd.test>\n"
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nHallo member %d,\n\n" % (i, i, i, i, i))
    line = "Vraag deze week een collega om feedback op iets dat je belangrijk vindt. "
    body = (line * (SIZE // len(line) + 1))[: max(0, SIZE - len(head))]
    return head + "\n".join(body[j:j + 72] for j in range(0, len(body), 72)) + "\n"


# The one-connection peer: one connection, sendmail per message; LF files sent with CRLF.
SMTPLIB = r'''
import smtplib, sys
c = smtplib.SMTP("127.0.0.1", int(sys.argv[1]))
for path in sys.argv[2:]:
    with open(path, "rb") as f:
        c.sendmail("feedback@example.org", ["m@example.org"], f.read().replace(b"\n", b"\r\n"))
c.quit()
'''


def daemon(tmp, url, sessions, name, batch=None):
    """batch None: every message in one claim, one SMTP session (connection) per session."""
    return Feedbackd(tmp, {"outgoing": {"transport": "smtp", "url": url, "starttls": "no",
                                        "sessions": str(sessions),
                                        "batch_size": str(batch or min(10000, -(-N // sessions))),
                                        "per_recipient_daily_cap": "10000"},
                           "feedbackd": {"log_level": "warning"}}, name=name)


def prepare(fb, files):
    """Queue every message in fb's outbox (100 recipients: the daily cap's count per recipient
    makes one recipient's 10,000 inserts slow to set up) and fold the WAL into the file."""
    for k in range(0, N, 100):
        fb.ctl("outbox", "add", "--to", "m%d@example.org" % (k // 100), "--kind", "bench",
               *files[k:k + 100], now=NOW)
    import sqlite3
    c = sqlite3.connect(fb.db)
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.close()
    shutil.copyfile(fb.db, fb.db + ".queued")


def run_daemon(fb):
    """One `feedbackd --once` on a fresh copy of the queued outbox; checks every row went."""
    for ext in ("-wal", "-shm"):
        if os.path.exists(fb.db + ext):
            os.unlink(fb.db + ext)
    shutil.copyfile(fb.db + ".queued", fb.db)
    r = run_rss(fb._cmd(NOW, once=True), stdout=False, stderr=fb.log, check=False)
    if r.rc != 0:
        raise SystemExit("feedbackd failed: %s" % fb.log_text()[-800:])
    sent = fb.sql("SELECT count(*) FROM outbox WHERE state = 'sent'")[0][0]
    if sent != N:
        raise SystemExit("feedbackd sent %d of %d: %s" % (sent, N, fb.log_text()[-800:]))
    return r


def main():
    if not os.path.exists(FEEDBACKD):
        raise SystemExit("%s missing: run make first" % FEEDBACKD)
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i in range(N):
            path = os.path.join(tmp, "m%05d" % i)
            with open(path, "w") as f:
                f.write(personalised(i))
            files.append(path)
        runs = {"fb1": [], "py": [], "fbn": [], "src": [], "fbd": []}
        with SmtpSink(tmp, backlog=1024) as sink:
            url = sink.url()
            fb1 = daemon(tmp, url, 1, "bench-smtp1")
            fbn = daemon(tmp, url, PAR, "bench-smtpn")
            fbd = daemon(tmp, url, 1, "bench-smtpd", batch=100)
            prepare(fb1, files)
            shutil.copyfile(fb1.db + ".queued", fbn.db + ".queued")
            shutil.copyfile(fb1.db + ".queued", fbd.db + ".queued")
            for rep in range(REPS):
                runs["fb1"].append(run_daemon(fb1))
                runs["py"].append(run_rss([sys.executable, "-c", SMTPLIB, str(sink.port)] + files))
                runs["fbn"].append(run_daemon(fbn))
                runs["src"].append(run_rss(["/usr/sbin/smtp-source", "-d", "-s", str(PAR), "-m", str(N),
                                            "-l", str(SIZE), "-f", "feedback@example.org", "-t",
                                            "m@example.org", "127.0.0.1:%d" % sink.port], stdout=False))
                runs["fbd"].append(run_daemon(fbd))
                print("# run %d: msg/s feedbackd 1 %.0f, smtplib %.0f, feedbackd %d %.0f, smtp-source %.0f, "
                      "feedbackd batch 100 %.0f; peak RSS MiB %.1f %.1f %.1f %.1f %.1f" % (
                          rep + 1, *(N / runs[k][-1].seconds for k in ("fb1", "py")), PAR,
                          *(N / runs[k][-1].seconds for k in ("fbn", "src", "fbd")),
                          *(runs[k][-1].rss_mib for k in ("fb1", "py", "fbn", "src", "fbd"))), flush=True)

        rate = {k: statistics.median(N / r.seconds for r in v) for k, v in runs.items()}
        rss = {k: statistics.median(r.rss_mib for r in v) for k, v in runs.items()}
        print("# %d personalised messages of ~%d bytes into smtp-sink on loopback; medians of %d "
              "alternating runs" % (N, SIZE, REPS))
        bench_line("SMTP one connection, %d x %d B, feedbackd outbox pass (queued -> sent)" % (N, SIZE),
                   "%.0f" % rate["fb1"], "msg/s", "python smtplib", "%.0f" % rate["py"],
                   "%.2fx" % (rate["fb1"] / rate["py"]), ">= 1.3x")
        bench_line("SMTP %d sessions, feedbackd outbox pass (queued -> sent)" % PAR, "%.0f" % rate["fbn"],
                   "msg/s", "smtp-source -d -s %d" % PAR, "%.0f" % rate["src"],
                   "%.2fx" % (rate["fbn"] / rate["src"]), ">= 0.9x")
        bench_line("SMTP %d sessions vs 1 session, feedbackd outbox pass" % PAR, "%.0f" % rate["fbn"],
                   "msg/s", "feedbackd, 1 session", "%.0f" % rate["fb1"],
                   "%.2fx" % (rate["fbn"] / rate["fb1"]), "> 1x")
        rss_line("SMTP one session at a time, feedbackd outbox pass, default batch_size 100, %d messages"
                 % N, rss["fbd"], "python smtplib", rss["py"], "<= 1x")
        rss_line("SMTP one connection, feedbackd outbox pass, %d messages" % N, rss["fb1"],
                 "python smtplib", rss["py"])
        rss_line("SMTP %d sessions, feedbackd outbox pass, %d messages" % (PAR, N), rss["fbn"],
                 "smtp-source -d -s %d" % PAR, rss["src"])


if __name__ == "__main__":
    main()
