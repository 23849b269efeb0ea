#!/usr/bin/python3
# run-tests: alone (it measures time: nothing may run beside it)
"""feedbackd tells systemd how it is doing (Type=notify): a datagram socket stands in for
systemd's NOTIFY_SOCKET and collects READY=1, STATUS=, WATCHDOG=1, RELOADING=1, STOPPING=1."""
import os
import signal
import socket
import subprocess
import time

from opslib import FBD, Scratch, Tap, crlf_message

t = Tap()


def collect(sock, until, timeout=10.0):
    """Read datagrams until one contains until (or timeout); returns all of them."""
    got = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        sock.settimeout(max(0.05, deadline - time.time()))
        try:
            got.append(sock.recv(4096).decode())
        except socket.timeout:
            break
        if until in got[-1]:
            break
    return got


with Scratch() as s:
    s.config()
    sockpath = s.path("notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sockpath)

    with open(s.path("m1.eml"), "wb") as f:
        f.write(crlf_message("out1@example.nl"))
    r = s.ctl("outbox", "add", "--to", "piet@example.nl", s.path("m1.eml"))
    t.ok(r.returncode == 0, "a message is queued", r.stderr)
    s.deliver(crlf_message("in1@example.nl"), "1.host")

    d = s.start(env={"NOTIFY_SOCKET": sockpath, "WATCHDOG_USEC": "2000000"})
    msgs = collect(sock, "STATUS=sent")
    ready = [m for m in msgs if "READY=1" in m]
    t.ok(ready, "READY=1 once the loop is set up", msgs)
    status = [m for m in msgs if m.startswith("STATUS=sent")]
    t.ok(status and "STATUS=sent 1, inbox 0 pending" in status[-1],
         "STATUS= says what was sent and what is pending (the message read was applied)", msgs)

    msgs = collect(sock, "never", timeout=2.6)
    pings = [m for m in msgs if "WATCHDOG=1" in m]
    t.ok(len(pings) >= 2, "WATCHDOG=1 every half of WATCHDOG_USEC (%d in 2.6 s at 2 s)" % len(pings),
         msgs)

    d.signal(signal.SIGHUP)
    msgs = collect(sock, "READY=1", timeout=5)
    kinds = [("RELOADING=1" in m and "R") or ("READY=1" in m and "Y") or "" for m in msgs]
    kinds = "".join(kinds)
    t.ok("RY" in kinds, "SIGHUP: RELOADING=1, then READY=1", msgs)
    t.ok(any("MONOTONIC_USEC=" in m for m in msgs if "RELOADING=1" in m),
         "RELOADING=1 carries MONOTONIC_USEC", msgs)

    rc, took = d.stop()
    msgs = collect(sock, "STOPPING=1", timeout=3)
    t.ok(any("STOPPING=1" in m for m in msgs), "SIGTERM: STOPPING=1", msgs)
    t.ok(rc == 0, "the daemon exits 0 on SIGTERM (exit %s)" % rc, d.log_text())

    # Without NOTIFY_SOCKET nothing is sent and nothing fails.
    r = subprocess.run([FBD, "-c", s.conf, "--once"],
                       capture_output=True, text=True,
                       env={k: v for k, v in os.environ.items() if k != "NOTIFY_SOCKET"})
    t.ok(r.returncode == 0, "without NOTIFY_SOCKET one pass runs as before", r.stderr)
    sock.settimeout(0.3)
    try:
        stray = sock.recv(4096)
    except socket.timeout:
        stray = None
    t.ok(stray is None, "and nothing is written to the old socket", stray)
    sock.close()
t.finish()
