#!/usr/bin/python3
"""Benchmark: feedbackd's IMAP receive pass reading a mailbox into its inbox table (fetched,
hashed, stored, the position saved in the same transaction, each message flagged \\Seen after
its commit) against Python's imaplib doing only a bulk `UID FETCH 1:* (BODY.PEEK[])` of the same
Dovecot mailbox, in the same run. Not a timed test: it prints figures and a ratio (target
>= 0.9x), and both sides' peak RSS (each runs as a process of its own, measured by wait4: the
imaplib peer is a small script).

usage: /usr/bin/python3 tests/bench/bench_imap.py [MESSAGES [ROUNDS]]   (10000 5)
Honest by construction: each round runs both sides, in alternating order (imaplib first in
even rounds, feedbackd first in odd ones), on the same mailbox in the same state: before each
side runs, every message is made unseen again (untimed), so feedbackd flags all of them in
every round, as the daemon does with new mail. feedbackd runs on a fresh database each round.
The figures are the medians of the rounds; peak RSS is the larger of the rounds.
Both sides are timed from connect to logout (imaplib: interpreter start excluded; feedbackd:
build/tools/recvbench, start-up and opening the database excluded, the last marks included).
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imaplib  # noqa: E402
import statistics  # noqa: E402

from benchlib import rss_line, run_rss  # noqa: E402
from servers import BUILD, FEEDBACKD, Dovecot, Feedbackd  # noqa: E402

RECVBENCH = os.path.join(BUILD, "tools", "recvbench")

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
ROUNDS = max(3, int(sys.argv[2])) if len(sys.argv) > 2 else 5
TARGET = 0.9


def reply(i):
    body = "".join("Dit is regel %d van het antwoord van lid %d: de feedback was nuttig.\r\n" % (k, i)
                   for k in range(i % 30 + 5))
    return ("From: Lid %d <m%d@example.org>\r\nTo: feedback@feedbackd.test\r\n"
            "Subject: Re: Week 3: =?utf-8?q?=C3=A9=C3=A9n_vraag?=\r\nMessage-ID: <bench%d@example.org>\r\n"
            "Date: Mon, 04 Jan 2027 10:00:00 +0100\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n%s" % (i, i, i, body)).encode()


# The peer, as a user would write it; it prints its own fetch time (interpreter start excluded).
PEER = r'''
import imaplib, sys, time
t0 = time.monotonic()
c = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
c.login("fb", "secret")
c.select("INBOX", readonly=True)
typ, data = c.uid("FETCH", "1:*", "(BODY.PEEK[])")
n = sum(1 for d in data if isinstance(d, tuple))
c.logout()
print(n, time.monotonic() - t0)
'''

# For information: imaplib doing the server-side work the daemon asks for too (flag every
# message \\Seen after the fetch, in one UID STORE), so that the two can be told apart.
PEER_SEEN = PEER.replace('readonly=True', 'readonly=False').replace(
    'n = sum(', 'c.uid("STORE", "1:*", "+FLAGS.SILENT", "(\\\\Seen)")\nn = sum(')


def unseen(imap):
    """Make every message unseen again (not timed): each round finds the mailbox as new mail."""
    c = imaplib.IMAP4("127.0.0.1", imap.port)
    c.login("fb", "secret")
    c.select("INBOX")
    c.uid("STORE", "1:*", "-FLAGS.SILENT", "(\\Seen)")
    typ, data = c.search(None, "SEEN")
    c.logout()
    if data[0].split():
        raise SystemExit("could not make the messages unseen: %r" % data[0][:80])


def imaplib_round(imap, script=PEER):
    """(messages fetched, seconds, peak RSS MiB) of the imaplib script."""
    unseen(imap)
    r = run_rss([sys.executable, "-c", script, str(imap.port)])
    n, dt = r.out.split()
    return int(n), float(dt), r.rss_mib


def feedbackd_round(tmp, imap, k):
    """(messages stored, seconds, peak RSS MiB) of the daemon's receive pass on a fresh database
    (build/tools/recvbench: mailflow_receive() as pass_receive() runs it; feedbackd --once also
    applies what it read, which is not reading). Every message must be \\Seen after it."""
    unseen(imap)
    fb = Feedbackd(tmp, {"incoming": {"mailbox": "imap", "url": imap.url(), "starttls": "no",
                                      "username": "fb", "password": "secret"},
                         "feedbackd": {"log_level": "warning"}}, name="bench%d" % k)
    r = run_rss([RECVBENCH, fb.conf], stderr=fb.log, check=False)
    words = r.out.decode().split()
    n = int(words[1]) if r.rc == 0 and len(words) == 6 else 0
    if r.rc != 0 or n != N:
        raise SystemExit("recvbench read %d of %d (exit %d): %s" % (n, N, r.rc, fb.log_text()[-800:]))
    c = imaplib.IMAP4("127.0.0.1", imap.port)
    c.login("fb", "secret")
    c.select("INBOX", readonly=True)
    left = len(c.search(None, "UNSEEN")[1][0].split())
    c.logout()
    if left:
        raise SystemExit("recvbench left %d of %d messages unseen" % (left, N))
    return n, float(words[5]), r.rss_mib


def feedbackd_once(tmp, imap):
    """Seconds of `feedbackd --once` on a fresh database: read and apply (for information)."""
    fb = Feedbackd(tmp, {"incoming": {"mailbox": "imap", "url": imap.url(), "starttls": "no",
                                      "username": "fb", "password": "secret"},
                         "feedbackd": {"log_level": "warning"}}, name="once")
    r = run_rss(fb._cmd("2027-01-04T09:00:00Z", once=True), stdout=False, stderr=fb.log, check=False)
    if r.rc != 0:
        raise SystemExit("feedbackd --once failed: %s" % fb.log_text()[-800:])
    return r.seconds, r.rss_mib


def main():
    for tool in (FEEDBACKD, RECVBENCH):
        if not os.path.exists(tool):
            raise SystemExit("%s missing: run make tests-build first" % tool)
    with tempfile.TemporaryDirectory() as tmp, Dovecot(tmp) as imap:
        size = 0
        for i in range(N):
            m = reply(i)
            size += len(m)
            imap.deliver(m, name="%d.bench%05d.host" % (1795000000 + i, i))
        imaplib_round(imap)  # let Dovecot build its index before anything is timed
        py, fd, py_rss, fd_rss, pys = [], [], [], [], []
        for k in range(ROUNDS):
            for side in ("imaplib", "feedbackd") if k % 2 == 0 else ("feedbackd", "imaplib"):
                if side == "imaplib":
                    n, dt, rss = imaplib_round(imap)
                    if n != N:
                        raise SystemExit("imaplib fetched %d of %d" % (n, N))
                    py.append(dt)
                    py_rss.append(rss)
                else:
                    _, dt, rss = feedbackd_round(tmp, imap, k)
                    fd.append(dt)
                    fd_rss.append(rss)
            pys.append(imaplib_round(imap, PEER_SEEN)[1])
        unseen(imap)
        once_s, once_rss = feedbackd_once(tmp, imap)
        rate_py, rate_fd = N / statistics.median(py), N / statistics.median(fd)
        ratio = rate_fd / rate_py
        print("# %d messages (%.1f KB average) in Dovecot on loopback, median of %d rounds "
              "(sides alternating, all messages unseen before each side)" % (N, size / N / 1024, ROUNDS))
        print("%-58s %10s" % ("reader", "msg/s"))
        print("%-58s %10.0f" % ("feedbackd receive pass: fetch, hash, store, position, \\Seen", rate_fd))
        print("%-58s %10.0f" % ("Python imaplib: UID FETCH 1:* BODY.PEEK[] only", rate_py))
        print("# ratio %.2fx (target >= %.1fx); rounds feedbackd %s s, imaplib %s s"
              % (ratio, TARGET, ["%.2f" % x for x in fd], ["%.2f" % x for x in py]))
        print("# peak RSS: feedbackd receive pass %.1f MiB, imaplib %.1f MiB (the larger of the rounds)"
              % (max(fd_rss), max(py_rss)))
        print("# for information: imaplib fetch and then UID STORE 1:* +FLAGS.SILENT (\\Seen), the server work "
              "feedbackd asks for: %.0f msg/s (rounds %s s); feedbackd is %.2fx of that"
              % (N / statistics.median(pys), ["%.2f" % x for x in pys], rate_fd / (N / statistics.median(pys))))
        print("# for information: feedbackd --once (start, read, classify and apply all %d: unknown "
              "senders, quarantined) %.2f s = %.0f msg/s, peak RSS %.1f MiB" % (N, once_s, N / once_s, once_rss))
        print("BENCH|IMAP read into the inbox, %d messages|%.0f|msg/s|python imaplib bulk fetch|%.0f|%.2fx|>= %.1fx"
              % (N, rate_fd, rate_py, ratio, TARGET))
        rss_line("IMAP read, %d messages (%.0f MB)" % (N, size / 1e6), max(fd_rss), "python imaplib bulk fetch",
                 max(py_rss), "<= 1x")


if __name__ == "__main__":
    main()
