#!/usr/bin/python3
"""A refused SIGHUP reload costs nothing: with the configuration file replaced by one larger
than the 1 MiB limit, 40 reloads are refused one after the other (each logged) and the
daemon's resident memory stays flat (it grew by ~1.5 MB per refusal before); the daemon then
takes a good configuration again."""
import os
import shutil
import signal
import time

from opslib import Scratch, Tap

t = Tap()


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


with Scratch() as s:
    s.config(poll_interval=300)
    good = s.path("good.conf")
    shutil.copy(s.conf, good)
    # Under AddressSanitizer freed memory sits in its quarantine (and counts as resident):
    # without the quarantine RSS measures what is still held, as in a normal build.
    asan = ":".join(o for o in (os.environ.get("ASAN_OPTIONS", ""), "quarantine_size_mb=0") if o)
    d = s.start(env={"ASAN_OPTIONS": asan})
    t.ok(d.wait_log("started"), "the daemon starts", d.log_text())
    with open(s.conf, "a") as f:
        f.write("# padding\n" * 150000)        # 1.5 MB of comments: over the limit
    t.ok(os.path.getsize(s.conf) > 1024 * 1024, "the configuration is now over 1 MiB")

    def refuse(n):
        for _ in range(n):
            before = d.log_text().count("reload refused")
            d.signal(signal.SIGHUP)
            deadline = time.time() + 10
            while d.log_text().count("reload refused") == before and time.time() < deadline:
                time.sleep(0.02)

    refuse(3)                                   # let the allocator settle
    start = rss_kib(d.proc.pid)
    refuse(40)
    end = rss_kib(d.proc.pid)
    refused = d.log_text().count("reload refused")
    t.ok(refused >= 43, "each SIGHUP was refused and logged (%d)" % refused, d.log_text()[-2000:])
    t.ok("larger than 1048576 bytes" in d.log_text(), "saying the file is too large", d.log_text()[-1000:])
    t.ok(end - start < 4096, "resident memory flat over 40 refused reloads: %d KiB -> %d KiB (+%d KiB)"
         % (start, end, end - start))
    shutil.copy(good, s.conf)
    d.signal(signal.SIGHUP)
    t.ok(d.wait_log("configuration reloaded"), "a good configuration is taken again", d.log_text()[-1000:])
    rc, _ = d.stop()
    t.ok(rc == 0, "and it stops cleanly (exit %s)" % rc)
t.finish()
