#!/usr/bin/python3
# run-tests: alone (it measures time: nothing may run beside it)
"""The IMAP driver's wait() notices mail that arrived between a fetch and the wait: Dovecot
announces it (* N EXISTS) in its answer to the pending marks' UID STORE, which wait() sends
before its IDLE, and says nothing more in the IDLE. The daemon used to sleep until its poll
interval (60 s) on such mail; tests/bench/bench_load.py found it. build/tools/idlerace holds
the driver still in that gap, as the daemon's apply and send passes do."""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers import BUILD, Dovecot, Tap  # noqa: E402

IDLERACE = os.path.join(BUILD, "tools", "idlerace")
t = Tap()


def message(i):
    return ("From: Lid %d <m%d@example.org>\r\nTo: fb@example.org\r\nSubject: Re: week %d\r\n"
            "Message-ID: <race%d@example.org>\r\n\r\nAntwoord %d.\r\n" % (i, i, i, i, i)).encode()


def race(imap):
    """Deliver one message while idlerace sits between fetch and wait; its output lines."""
    p = subprocess.Popen([IDLERACE, imap.url(), "fb", "secret", "8000"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    first = p.stdout.readline().strip()
    imap.deliver(message(race.n))
    race.n += 1
    time.sleep(0.3)  # in new/ before the STORE (Dovecot looks at new/ when it syncs)
    p.stdin.write("go\n")
    p.stdin.flush()
    out, _ = p.communicate(timeout=30)
    return [first] + out.split("\n")


race.n = 0

with tempfile.TemporaryDirectory() as tmp, Dovecot(tmp) as imap:
    for i in range(3):
        imap.deliver(message(1000 + i))
    out = race(imap)
    t.ok(out[0] == "fetched 3", "the first fetch read the three waiting messages", out)
    woke = out[1].split()
    t.ok(len(woke) == 3 and woke[0] == "woke" and woke[1] == "1" and int(woke[2]) < 2000,
         "wait() returned at once for mail announced in the marks' STORE answer", out)
    t.ok(out[2] == "fetched 1", "the message that arrived in the gap is fetched next", out)

    # Again on the same mailbox: every message is fetched again from position 0 and marked.
    out = race(imap)
    t.ok(out[0] == "fetched 4" and out[1].startswith("woke 1 ") and int(out[1].split()[2]) < 2000
         and out[2] == "fetched 1", "and again, with more marks pending", out)
t.finish()
