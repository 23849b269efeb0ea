#!/usr/bin/python3
# run-tests: alone (it measures time: nothing may run beside it)
"""A long database lock does not end the daemon. Another connection (a backup, feedbackctl in a
long transaction) holds the write lock longer than the busy timeout while members' replies
arrive: the pass fails, the daemon logs ONE "database busy" line, backs off and tries again, and
when the lock is gone it logs ONE "available again" line and applies every reply exactly once
(one inbox row, one feedback request, one request mail each). SIGTERM while the daemon waits for
a lock still stops it within a second."""
import sqlite3
import subprocess
import time

from opslib import (CLIENTS, FBD, Scratch, Tap, addr_of, ask_lines, read_maildir, setup_programme,
                    team_names)

t = Tap()
HOLD = 13.0          # seconds: longer than DB_BUSY_TIMEOUT_MS (10 s)
TEAM = team_names(6)


def rows(db, sql):
    c = sqlite3.connect(db, timeout=30)
    try:
        return c.execute(sql).fetchall()
    finally:
        c.close()


def kinds(s, kind):
    return [m for m in read_maildir(s.out) if m["X-Feedbackd-Kind"] == kind]


with Scratch() as s:
    s.config(extra="[feedbackd]\ndomain = example.org\nfrom_address = feedback@example.org\n",
             poll_interval=1)
    ctl = lambda *a, now: s.ctl(*a, now=now)  # noqa: E731
    t.ok(setup_programme(ctl, TEAM), "a programme with a team of six")
    r = subprocess.run([FBD, "-c", s.conf, "--once", "--now", "2027-01-04T09:00"],
                       capture_output=True, text=True)
    nudges = {addr_of(m): m for m in kinds(s, "nudge")}
    t.ok(r.returncode == 0 and len(nudges) == 6, "the week-1 nudges went out", r.stderr)

    d = s.start(args=["--now", "2027-01-04T09:30"])
    t.ok(d.wait_log("started"), "the daemon runs", d.log_text())
    time.sleep(1.5)                      # its first pass is done: it idles on a 1 s poll

    holder = sqlite3.connect(s.db, isolation_level=None, timeout=30)
    holder.execute("BEGIN IMMEDIATE")
    held_at = time.monotonic()
    for i, (name, addr) in enumerate(TEAM):
        other = TEAM[(i + 1) % len(TEAM)][0]
        raw = CLIENTS[i % len(CLIENTS)](nudges[addr], addr, name, "ask%d@busy.example.nl" % i,
                                        ask_lines([other], "de planning van week %d" % (i + 1)))
        s.deliver(raw, "ask%d.host" % i)
    time.sleep(HOLD - (time.monotonic() - held_at))
    log = d.log_text()
    t.ok(d.proc.poll() is None, "the daemon outlives a lock held %.0f s (busy timeout 10 s)" % HOLD, log)
    t.ok(log.count("database busy") == 1, "it logged the busy database once", log)
    t.ok(rows(s.db, "SELECT count(*) FROM inbox") == [(0,)], "nothing was stored while locked")
    holder.execute("ROLLBACK")
    holder.close()

    t.ok(d.wait_log("database available again", timeout=40), "the end of the lock is logged",
         d.log_text())
    deadline = time.time() + 20
    while time.time() < deadline and rows(s.db, "SELECT count(*) FROM inbox WHERE state = 'applied'") != [(6,)]:
        time.sleep(0.1)
    states = rows(s.db, "SELECT state, count(*) FROM inbox GROUP BY state")
    t.ok(states == [("applied", 6)], "then every reply is stored once and applied", states)
    req = rows(s.db, "SELECT asker_id, giver_id, count(*) FROM feedback_request GROUP BY 1, 2")
    t.ok(len(req) == 6 and all(n == 1 for _, _, n in req), "one feedback request per ask, none twice", req)
    deadline = time.time() + 10
    while time.time() < deadline and len(kinds(s, "request")) < 6:
        time.sleep(0.1)
    time.sleep(1.5)                      # a further pass would show any double
    got = sorted(addr_of(m) for m in kinds(s, "request"))
    t.ok(got == sorted(a for _, a in TEAM), "each colleague got exactly one request mail", got)
    t.ok(len(kinds(s, "request_sent")) == 6, "each asker one confirmation")
    log = d.log_text()
    t.ok(log.count("database busy") == 1 and log.count("database available again") == 1,
         "one busy line and one recovered line in all", log)
    t.ok(": error:" not in log, "and no error lines", log)

    # SIGTERM while a pass waits for the lock: it does not sit out the busy timeout.
    holder = sqlite3.connect(s.db, isolation_level=None, timeout=30)
    holder.execute("BEGIN IMMEDIATE")
    s.deliver(CLIENTS[0](nudges[TEAM[0][1]], TEAM[0][1], TEAM[0][0], "late@busy.example.nl",
                         ask_lines([TEAM[2][0]], "iets anders")), "late.host")
    time.sleep(2.5)                      # the next 1 s poll finds it and waits for the lock
    rc, took = d.stop()
    holder.execute("ROLLBACK")
    holder.close()
    t.ok(rc == 0 and took < 1.0, "SIGTERM during a lock wait stops it in %.2f s (exit %s)" % (took, rc),
         d.log_text())
t.finish()
