#!/usr/bin/python3
"""Benchmark: the SMTP transport (libesmtp, via build/tools/mailtool) against its peers, into
Postfix's smtp-sink on loopback. Not a timed test: it prints figures and ratios.

  one session:  mailtool send (all messages over one SMTP session) vs Python smtplib (one
                connection, sendmail per message); target >= 1.2x
  parallel:     feedbackd itself: the messages queued in its outbox (feedbackctl outbox add),
                one `feedbackd --once` sending them with outgoing.sessions = N (threads, one
                SMTP session each) and recording every outcome, vs smtp-source -d -s N (N
                sessions, nothing recorded); target >= 0.9x

Every client runs as a process of its own, its peak RSS measured by wait4 (the smtplib peer is
a small script that reads each message file before sending it, as mailtool does).

usage: /usr/bin/python3 tests/bench/bench_smtp.py [MESSAGES [SIZE [PARALLEL]]]   (10000 3000 8)
Prints BENCH lines (tests/bench/run.sh makes the table).
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import rss_line, run_rss  # noqa: E402
from servers import FEEDBACKD, MAILTOOL, Feedbackd, SmtpSink  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
SIZE = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
PAR = int(sys.argv[3]) if len(sys.argv) > 3 else 8


def personalised(i):
    head = ("From: Feedback <feedback@example.org>\nTo: Member %d <m%d@example.org>\n"
            "Subject: Week 3: ask a colleague for feedback, member %d\n"
            "Date: Mon, 23 Nov 2026 09:00:00 +0100\nMessage-ID: <w3.%d@feedbackd.test>\n"
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nHallo member %d,\n\n" % (i, i, i, i, i))
    line = "Vraag deze week een collega om feedback op iets dat je belangrijk vindt. "
    body = (line * (SIZE // len(line) + 1))[: max(0, SIZE - len(head))]
    return head + "\n".join(body[j:j + 72] for j in range(0, len(body), 72)) + "\n"


# The one-session peer: one connection, sendmail per message; LF files sent with CRLF.
SMTPLIB = r'''
import smtplib, sys
c = smtplib.SMTP("127.0.0.1", int(sys.argv[1]))
for path in sys.argv[2:]:
    with open(path, "rb") as f:
        c.sendmail("feedback@example.org", ["m@example.org"], f.read().replace(b"\n", b"\r\n"))
c.quit()
'''


def run_mailtool(url, files, batch):
    r = run_rss([MAILTOOL, "send", "--url", url, "--starttls", "no", "--rcpt", "m@example.org",
                 "--batch", str(batch)] + files, check=False)
    bad = [line for line in r.out.decode().splitlines() if " ok " not in line]
    if r.rc != 0 or bad:
        raise SystemExit("mailtool failed (exit %d): %s" % (r.rc, bad[:3]))
    return r


def main():
    for tool in (MAILTOOL, FEEDBACKD):
        if not os.path.exists(tool):
            raise SystemExit("%s missing: run make tests-build first" % tool)
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i in range(N):
            path = os.path.join(tmp, "m%05d" % i)
            with open(path, "w") as f:
                f.write(personalised(i))
            files.append(path)
        rows, rss = [], []
        with SmtpSink(tmp, backlog=1024) as sink:
            url = sink.url()
            tool = run_mailtool(url, files, N)
            py = run_rss([sys.executable, "-c", SMTPLIB, str(sink.port)] + files)
            rows.append(("one session: mailtool (libesmtp)", N / tool.seconds))
            rows.append(("one session: Python smtplib", N / py.seconds))
            rss.append((tool.rss_mib, py.rss_mib))

            fb = Feedbackd(tmp, {"outgoing": {"transport": "smtp", "url": url, "starttls": "no",
                                              "sessions": str(PAR), "batch_size": str(min(1000, -(-N // PAR))),
                                              "per_recipient_daily_cap": "10000"},
                                 "feedbackd": {"log_level": "warning"}}, name="bench-smtp")
            # 100 recipients: the daily cap's count per recipient makes one recipient's 10,000
            # inserts quadratic (minutes of set-up, not measured but slow)
            for k in range(0, N, 100):
                fb.ctl("outbox", "add", "--to", "m%d@example.org" % (k // 100), "--kind", "bench",
                       *files[k:k + 100], now="2027-01-04T09:00:00Z")
            fpar = run_rss(fb._cmd("2027-01-04T09:00:00Z", once=True), stdout=False, stderr=fb.log, check=False)
            if fpar.rc != 0:
                raise SystemExit("feedbackd failed: %s" % fb.log_text()[-800:])
            sent = fb.sql("SELECT count(*) FROM outbox WHERE state = 'sent'")[0][0]
            if sent != N:
                raise SystemExit("feedbackd sent %d of %d: %s" % (sent, N, fb.log_text()[-800:]))
            spar = run_rss(["/usr/sbin/smtp-source", "-d", "-s", str(PAR), "-m", str(N), "-l", str(SIZE),
                            "-f", "feedback@example.org", "-t", "m@example.org", "127.0.0.1:%d" % sink.port],
                           stdout=False)
            rows.append(("%d sessions: feedbackd outbox, sessions = %d" % (PAR, PAR), N / fpar.seconds))
            rows.append(("%d sessions: smtp-source -d -s %d" % (PAR, PAR), N / spar.seconds))
            rss.append((fpar.rss_mib, spar.rss_mib))

        print("# %d personalised messages of ~%d bytes into smtp-sink on loopback" % (N, SIZE))
        print("%-48s %12s %8s" % ("client", "messages/s", "ratio"))
        for i, (name, rate) in enumerate(rows):
            peer = rows[i - i % 2][1] if i % 2 else rows[i + 1][1]
            print("%-48s %12.0f %8.2f" % (name, rate, rate / peer))
        print("# ratio: against the other client of the same pair")
        print("# peak RSS: mailtool %.1f MiB, smtplib %.1f MiB; feedbackd %.1f MiB, smtp-source %.1f MiB"
              % (rss[0][0], rss[0][1], rss[1][0], rss[1][1]))
        print("BENCH|SMTP one session, %d x %d B|%.0f|msg/s|python smtplib|%.0f|%.2fx|>= 1.2x"
              % (N, SIZE, rows[0][1], rows[1][1], rows[0][1] / rows[1][1]))
        print("BENCH|SMTP %d sessions, feedbackd outbox (queued -> sent)|%.0f|msg/s|smtp-source -d -s %d|%.0f|%.2fx|>= 0.9x"
              % (PAR, rows[2][1], PAR, rows[3][1], rows[2][1] / rows[3][1]))
        rss_line("SMTP one session, %d messages" % N, rss[0][0], "python smtplib", rss[0][1])
        rss_line("SMTP %d sessions, feedbackd outbox, %d messages" % (PAR, N), rss[1][0],
                 "smtp-source -d -s %d" % PAR, rss[1][1])


if __name__ == "__main__":
    main()
