#!/usr/bin/python3
"""Resilience: a second SQLite connection holding the write lock for a while delays a pass but
loses nothing; a full disk (RLIMIT_FSIZE, SIGXFSZ ignored) while storing a message leaves it in
the Maildir's new/ to be read on a later pass; a mailbox outage is logged once when it starts
and once when it ends, not once per retry."""
import os
import resource
import signal
import sqlite3
import shutil
import subprocess
import threading
import time

from opslib import FBD, Scratch, Tap, crlf_message

t = Tap()


def inbox_count(db):
    c = sqlite3.connect(db)
    try:
        return c.execute("SELECT count(*) FROM inbox").fetchone()[0]
    finally:
        c.close()


def once(s, preexec_fn=None, env=None):
    return subprocess.run([FBD, "-c", s.conf, "--once", "--log-level", "info"], capture_output=True,
                          text=True, preexec_fn=preexec_fn, env=env)


with Scratch() as s:
    s.config()
    r = once(s)
    t.ok(r.returncode == 0, "a first pass creates the database", r.stderr)

    # 1. Busy: another connection holds the write lock for 2 s; the pass waits and succeeds.
    s.deliver(crlf_message("busy1@example.nl"), "busy1.host")
    holder = sqlite3.connect(s.db, isolation_level=None, timeout=30, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO mailbox_position VALUES ('lock-test', 1, 1)")
    release = threading.Timer(2.0, lambda: holder.execute("ROLLBACK"))
    t0 = time.monotonic()
    release.start()
    r = once(s)
    took = time.monotonic() - t0
    release.join()
    holder.close()
    t.ok(r.returncode == 0, "a pass while another connection holds the write lock succeeds", r.stderr)
    t.ok(took >= 1.8, "it waited for the lock (%.1f s) instead of failing at once" % took)
    t.ok(inbox_count(s.db) == 1 and not os.listdir(os.path.join(s.inbox, "new")),
         "and the message is stored once and moved out of new/")

    # 2. Disk full while storing: the message stays in new/ and is read again later.
    big = crlf_message("full1@example.nl", body="x" * 400000)
    s.deliver(big, "full1.host")
    with sqlite3.connect(s.db) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    limit = 64 * 1024
    # The main file may be larger than the limit already: only writes past it fail.

    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    r = once(s, preexec_fn=small_disk)
    t.ok(r.returncode != -signal.SIGXFSZ and r.returncode >= 0,
         "with the disk full the daemon does not crash (exit %s)" % r.returncode, r.stderr)
    t.ok(os.listdir(os.path.join(s.inbox, "new")) == ["full1.host"],
         "the message it could not store stays in new/", r.stderr)
    t.ok(inbox_count(s.db) == 1, "nothing half-stored in the inbox")
    print("# disk full: " + r.stderr.replace("\n", "\n# "))
    t.ok("full" in r.stderr.lower() or "too large" in r.stderr.lower() or "disk" in r.stderr.lower(),
         "the log says why", r.stderr)
    r = once(s)
    t.ok(r.returncode == 0 and inbox_count(s.db) == 2, "with room again the next pass stores it",
         r.stderr)
    t.ok(not os.listdir(os.path.join(s.inbox, "new")), "and only then it leaves new/")

    # 3. A mailbox outage: one line when it starts, one when it ends, none per retry.
    # At debug each pass logs "pass done (…, mailbox unavailable)": with the poll interval at
    # 60 s only the retries wake it, so two such lines prove a retry ran in the window, one that
    # would have logged a second "unavailable:" line were it logged per retry (positive control).
    d = s.start(log_level="debug")
    t.ok(d.wait_log("started"), "a daemon starts", d.log_text())
    moved = s.inbox + ".away"
    os.rename(s.inbox, moved)
    with open(s.inbox, "w") as f:           # not a directory: the driver cannot recreate it
        f.write("in the way\n")
    os.kill(d.proc.pid, signal.SIGHUP)      # wake it: the pass finds the mailbox gone
    # The first pass fails, the retry after the 5 s back-off too: wait for the second one's
    # "pass done" (it comes after any "unavailable:" line the pass logs), not a fixed time.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and d.log_text().count(", mailbox unavailable)") < 2:
        time.sleep(0.1)
    log = d.log_text()
    retries = log.count(", mailbox unavailable)")
    t.ok(retries >= 2, "control: it retried while it was down (%d passes; the first, then "
         "after 5 s)" % retries, log)
    down = log.count(" unavailable: ")
    t.ok(down == 1, "the outage is logged once (%d lines), not per retry" % down, log)
    os.unlink(s.inbox)
    os.rename(moved, s.inbox)
    t.ok(d.wait_log("available again", timeout=25), "its end is logged", d.log_text())
    log = d.log_text()
    t.ok(log.count("available again") == 1 and log.count(" unavailable: ") == 1,
         "once each", log)
    d.stop()
t.finish()
