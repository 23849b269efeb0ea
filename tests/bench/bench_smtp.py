#!/usr/bin/python3
"""Benchmark: the SMTP transport (libesmtp, via build/tools/mailtool) against its peers, into
Postfix's smtp-sink on loopback. Not a timed test: it prints figures and ratios.

  one session:  mailtool send (all messages over one SMTP session) vs Python smtplib (one
                connection, sendmail per message)
  parallel:     N mailtool processes, one session each, vs smtp-source -d -s N (N sessions)

usage: /usr/bin/python3 tests/bench/bench_smtp.py [MESSAGES [SIZE [PARALLEL]]]   (10000 3000 8)
"""
import os
import smtplib
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers import MAILTOOL, SmtpSink  # noqa: E402

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


def timed(fn):
    t0 = time.monotonic()
    fn()
    return time.monotonic() - t0


def run_mailtool(url, files, batch):
    p = subprocess.run([MAILTOOL, "send", "--url", url, "--starttls", "no", "--rcpt", "m@example.org",
                        "--batch", str(batch)] + files, capture_output=True, text=True)
    bad = [line for line in p.stdout.splitlines() if " ok " not in line]
    if p.returncode != 0 or bad:
        raise SystemExit("mailtool failed: %s %s" % (bad[:3], p.stderr[-500:]))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        msgs = []
        for i in range(N):
            m = personalised(i)
            path = os.path.join(tmp, "m%05d" % i)
            with open(path, "w") as f:
                f.write(m)
            files.append(path)
            msgs.append(m.replace("\n", "\r\n"))
        rows = []
        with SmtpSink(tmp, backlog=1024) as sink:
            url = sink.url()
            t_tool = timed(lambda: run_mailtool(url, files, N))

            def smtplib_one():
                c = smtplib.SMTP("127.0.0.1", sink.port)
                for m in msgs:
                    c.sendmail("feedback@example.org", ["m@example.org"], m.encode())
                c.quit()
            t_py = timed(smtplib_one)
            rows.append(("one session: mailtool (libesmtp)", N / t_tool))
            rows.append(("one session: Python smtplib", N / t_py))

            chunks = [files[k::PAR] for k in range(PAR)]

            def tool_parallel():
                procs = [subprocess.Popen([MAILTOOL, "send", "--url", url, "--starttls", "no", "--rcpt",
                                           "m@example.org", "--batch", str(len(c))] + c,
                                          stdout=subprocess.DEVNULL) for c in chunks]
                for p in procs:
                    if p.wait() != 0:
                        raise SystemExit("a parallel mailtool failed")
            t_tpar = timed(tool_parallel)

            def source_parallel():
                subprocess.run(["/usr/sbin/smtp-source", "-d", "-s", str(PAR), "-m", str(N), "-l", str(SIZE),
                                "-f", "feedback@example.org", "-t", "m@example.org", "127.0.0.1:%d" % sink.port],
                               check=True, stdout=subprocess.DEVNULL)
            t_spar = timed(source_parallel)
            rows.append(("%d sessions: mailtool x %d" % (PAR, PAR), N / t_tpar))
            rows.append(("%d sessions: smtp-source -d -s %d" % (PAR, PAR), N / t_spar))

        print("# %d personalised messages of ~%d bytes into smtp-sink on loopback" % (N, SIZE))
        print("%-40s %12s %8s" % ("client", "messages/s", "ratio"))
        for i, (name, rate) in enumerate(rows):
            peer = rows[i - i % 2][1] if i % 2 else rows[i + 1][1]
            print("%-40s %12.0f %8.2f" % (name, rate, rate / peer))
        print("# ratio: against the other client of the same pair")


if __name__ == "__main__":
    main()
