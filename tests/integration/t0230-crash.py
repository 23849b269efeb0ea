#!/usr/bin/python3
# run-tests: alone (it measures time: nothing may run beside it)
"""Crash loops: feedbackd is killed with SIGKILL at random moments while it sends 1,000 queued
messages (4 parallel SMTP sessions into aiosmtpd) and while it reads 1,000 messages from
Dovecot, and restarted each time until the work is done.

Send: no message is lost (each arrives at least once), and a message arrives more than once
only if it was in hand ('sending' in the outbox) at a kill — as many extra times at most as it
was in hand. Read: every message is stored in the inbox exactly once. The figures (kills,
messages in hand, resends, re-reads) are printed on TAP lines. Seeded: FB_SEED=N repeats a run.
"""
import collections
import re
import mailbox
import os
import random
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers import AioSmtpd, Dovecot, Feedbackd, Tap  # noqa: E402

t = Tap()
N = 1000
SEED = int(os.environ.get("FB_SEED", "20270104"))
rng = random.Random(SEED)
NOW = "2027-01-04T09:00:00Z"
LOOP_BUDGET = 55.0  # seconds per loop
print("# seed %d (FB_SEED=%d repeats this run)" % (SEED, SEED))


def message(i, tag):
    return ("From: Feedback <feedback@feedbackd.test>\nTo: Lid %d <m%d@example.org>\n"
            "Subject: =?utf-8?q?=C3=A9=C3=A9n_vraag?= %d\nMessage-ID: <%s%d@feedbackd.test>\n"
            "Date: Mon, 04 Jan 2027 10:00:00 +0100\nMIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=utf-8\n\nHallo %d,\n%s\n"
            % (i, i, i, tag, i, i, "Vraag een collega om feedback.\n" * (i % 40 + 1))).encode()


def kill_loop(fb, done, progress, max_delay, on_kill):
    """Start `feedbackd --once` and SIGKILL it at a random moment, until done() (a run that ends
    by itself counts too). One kill in four comes at a blind random time (start-up included);
    the others come a random delay after the run has visibly made progress (progress() grew),
    so that every such run gets somewhere, on a slow machine or under ASan too.
    Returns (kills, runs, seconds)."""
    kills = runs = 0
    t0 = time.monotonic()
    while not done() and time.monotonic() - t0 < LOOP_BUDGET:
        runs += 1
        seen = progress()
        p = fb.start(NOW, once=True)
        blind = rng.random() < 0.25
        delay = rng.uniform(0.0, max_delay)
        if not blind:
            while p.poll() is None and progress() == seen and time.monotonic() - t0 < LOOP_BUDGET:
                time.sleep(0.005)
        try:
            p.wait(delay)
            fb.proc = None           # finished before the kill
        except Exception:
            fb.kill()
            kills += 1
            on_kill()
    return kills, runs, time.monotonic() - t0


with tempfile.TemporaryDirectory(dir=os.environ.get("FB_KEEP_TMP")) as tmp:
    # ---- sending ------------------------------------------------------------------------------
    md = os.path.join(tmp, "delivered")
    mailbox.Maildir(md, create=True)
    files = []
    os.makedirs(os.path.join(tmp, "out"))
    for i in range(N):
        p = os.path.join(tmp, "out", "m%04d.eml" % i)
        with open(p, "wb") as f:
            f.write(message(i, "c"))
        files.append(p)
    with AioSmtpd(tmp, deliver_to_maildir=md) as smtp:
        fb = Feedbackd(tmp, {"outgoing": {"transport": "smtp", "url": smtp.url(), "starttls": "no",
                                          "sessions": "4", "batch_size": "50", "timeout": "10s"}},
                       name="crash-send")
        fb.ctl("outbox", "add", "--to", "member@example.org", *files, now=NOW)
        in_hand = collections.Counter()   # message_id -> kills that found it 'sending'
        per_kill = []

        def after_send_kill():
            rows = fb.sql("SELECT message_id FROM outbox WHERE state = 'sending'")
            per_kill.append(len(rows))
            for (mid,) in rows:
                in_hand["<%s>" % mid] += 1

        def all_sent():  # or given up: nothing left to send
            return fb.sql("SELECT count(*) FROM outbox WHERE state IN ('queued', 'retry', 'sending')")[0][0] == 0

        with fb:
            kills, runs, secs = kill_loop(
                fb, all_sent, lambda: fb.sql("SELECT count(*) FROM outbox WHERE state = 'sent'")[0][0],
                0.5, after_send_kill)
        states = dict(fb.sql("SELECT state, count(*) FROM outbox GROUP BY state"))
        t.ok(states == {"sent": N}, "send loop: all %d sent after %d runs, %d of them killed (%.1f s)"
             % (N, runs, kills, secs), "%s\n%s\n%s" % (states, fb.sql(
                 "SELECT attempts, last_error FROM outbox WHERE state != 'sent' LIMIT 3"),
                 "\n".join(ln for ln in fb.log_text().splitlines() if "===" not in ln and "started" not in ln)[-1500:]))
        t.ok(kills >= 3, "... the daemon was really killed mid-work (%d kills)" % kills)
        got = collections.Counter(m["Message-ID"] for m in mailbox.Maildir(md, factory=None, create=False))
        lost = [i for i in range(N) if got["<c%d@feedbackd.test>" % i] == 0]
        extra = {mid: n - 1 for mid, n in got.items() if n > 1}
        beyond = {mid: n for mid, n in extra.items() if n > in_hand[mid]}
        t.ok(not lost, "no message lost (%d arrived, %d distinct)" % (sum(got.values()), len(got)), lost[:10])
        t.ok(not beyond, "resends only of messages in hand at a kill: %d resent, %d in hand over %d kills "
             "(per kill: %s)" % (sum(extra.values()), sum(per_kill), kills, per_kill), beyond)
        t.ok(set(got) <= {"<c%d@feedbackd.test>" % i for i in range(N)}, "nothing else arrived")

    # ---- reading ------------------------------------------------------------------------------
    with Dovecot(tmp) as imap:
        for i in range(N):
            imap.deliver(message(i, "r").replace(b"\n", b"\r\n"))
        # One read of 1,000 takes a fraction of a second: repeat it on a fresh database until
        # at least 3 kills have landed in the middle of a read (at most 6 rounds).
        mid_total = 0
        for rnd in range(6):
            rd = Feedbackd(tmp, {"incoming": {"mailbox": "imap", "url": imap.url(), "starttls": "no",
                                              "username": "fb", "password": "secret", "fetch_batch": "100"}},
                           name="crash-read%d" % rnd)
            stored_at_kill = []

            def count():
                try:
                    return rd.sql("SELECT count(*) FROM inbox")[0][0]
                except Exception:  # the first run may die before the database exists
                    return 0

            with rd:
                kills, runs, secs = kill_loop(rd, lambda: count() == N, count, 0.02,
                                              lambda: stored_at_kill.append(count()))
            rows = rd.sql("SELECT count(*), count(DISTINCT message_id), count(DISTINCT sha256) FROM inbox")[0]
            mids = {r[0] for r in rd.sql("SELECT message_id FROM inbox")}
            reread = sum(int(x) for x in re.findall(r"(\d+) already known", rd.log_text()))
            mid = len([k for k in stored_at_kill if 0 < k < N])
            mid_total += mid
            t.ok(rows == (N, N, N) and mids == {"r%d@feedbackd.test" % i for i in range(N)} and reread == 0,
                 "read loop %d: all %d stored once, none lost, none read again after %d runs, %d killed, %d of "
                 "them mid-read (%.1f s; stored at each kill: %s)"
                 % (rnd + 1, rows[0], runs, kills, mid, secs, stored_at_kill),
                 "%s %d %s %s" % (rows, reread, sorted(mids)[:3], rd.log_text()[-1500:]))
            if mid_total >= 3:
                break
        t.ok(mid_total >= 3, "kills in the middle of a read: %d (a kill loses at most the uncommitted chunk "
             "in hand, <= fetch_batch = 100 messages, which the saved position has not passed: read again)" % mid_total)

t.finish()
