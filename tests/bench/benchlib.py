"""Helpers shared by the benchmarks of tests/bench (not a benchmark itself: run.sh only runs
bench_*.py).

run_rss(argv) runs a program to its end and returns its wall time, peak RSS and output, the
RSS from wait4()'s rusage of that one child (not /usr/bin/time, not the benchmark's own).
"""
import os
import time


class Run:
    """What run_rss() measured: seconds (wall), rss_mib (peak RSS), cpu (user + system
    seconds), rc (exit code), out (stdout, bytes)."""

    def __init__(self, seconds, rss_mib, cpu, rc, out):
        self.seconds, self.rss_mib, self.cpu, self.rc, self.out = seconds, rss_mib, cpu, rc, out


def run_rss(argv, stdout=True, stderr=None, check=True):
    """Fork, exec argv, collect its stdout (stdout=True; else it goes to /dev/null), wait4.
    stderr: a file name to append the child's stderr to (default /dev/null). With check, a
    non-zero exit raises SystemExit naming the program and its last output."""
    r, w = os.pipe()
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(w if stdout else null, 1)
            if stderr:
                os.dup2(os.open(stderr, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644), 2)
            else:
                os.dup2(null, 2)
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    os.close(w)
    chunks = []
    while True:
        chunk = os.read(r, 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(r)
    _, status, ru = os.wait4(pid, 0)
    dt = time.monotonic() - t0
    rc = os.waitstatus_to_exitcode(status)
    out = b"".join(chunks)
    if check and rc != 0:
        raise SystemExit("%s exited with %d: %s" % (argv[0], rc, out[-800:].decode(errors="replace")))
    return Run(dt, ru.ru_maxrss / 1024.0, ru.ru_utime + ru.ru_stime, rc, out)


def bench_line(figure, value, unit, peer="", peer_value="", ratio="", target=""):
    """The machine-readable line of one figure (tests/bench convention)."""
    print("BENCH|%s|%s|%s|%s|%s|%s|%s" % (figure, value, unit, peer, peer_value, ratio, target))


def rss_line(what, ours, peer, peer_rss, target="flat"):
    """The peak-RSS figure of a benchmark: ours against its peer's, MiB."""
    bench_line("peak RSS, %s" % what, "%.1f" % ours, "MiB", peer, "%.1f" % peer_rss,
               "%.2fx" % (ours / peer_rss) if peer_rss else "", target)
