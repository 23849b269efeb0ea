#!/usr/bin/python3
"""After disk full and recovery, no mail goes out twice.

A real SMTP server (aiosmtpd, in this process) counts every message it accepts by Message-ID.
While it accepts the 5th message of a batch it takes the daemon's disk away (RLIMIT_FSIZE of
1 byte on the running feedbackd, set with prlimit: every write of its database fails from then
on, exactly in the window between the server's 250 and the outbox's 'sent' commit). The daemon
must not die and must not resend: the messages the server accepted are recorded as sent once
the disk has room again (the limit is lifted after a while), the others are sent then, and
every message arrives exactly once. Then the same fault once more, but the daemon is stopped
while the disk is still full: the log names each message that the next start will send again.
"""
import collections
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers import FEEDBACKD, Feedbackd, Tap, free_port, wait_port  # noqa: E402

from aiosmtpd.controller import Controller  # noqa: E402

t = Tap()
N = 30
FAULT_AT = 5


class Counter:
    def __init__(self):
        self.got = collections.Counter()
        self.total = 0
        self.fault_pid = None      # set: take this process's disk away at the FAULT_AT-th message
        self.fault_at = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        m = re.search(rb"(?im)^Message-ID:\s*(<[^>]+>)", envelope.content)
        with self.lock:
            self.total += 1
            self.got[m.group(1).decode() if m else "?"] += 1
            if self.fault_pid is not None and self.total == self.fault_at:
                resource.prlimit(self.fault_pid, resource.RLIMIT_FSIZE, (1, resource.RLIM_INFINITY))
                self.fault_pid = None
        return "250 OK"


def message(i, tag):
    return ("From: Feedback <feedback@feedbackd.test>\nTo: Lid <m%d@example.org>\n"
            "Subject: vraag %d\nMessage-ID: <%s%d@feedbackd.test>\n"
            "Date: Mon, 04 Jan 2027 10:00:00 +0100\nMIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=utf-8\n\nHallo %d,\n%s\n"
            % (i, i, tag, i, i, "Vraag een collega om feedback.\n" * 20)).encode()


class Log:
    """The daemon's stderr read from a pipe (a log file would be caught by the file-size limit)."""

    def __init__(self, proc):
        self.lines = []
        self.proc = proc
        self.th = threading.Thread(target=self._read, daemon=True)
        self.th.start()

    def _read(self):
        for line in self.proc.stderr:
            self.lines.append(line.decode(errors="replace"))

    def text(self):
        return "".join(self.lines)

    def wait(self, text, timeout=30.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if text in self.text():
                return True
            if self.proc.poll() is not None:
                time.sleep(0.2)
                return text in self.text()
            time.sleep(0.05)
        return False


def start(fb):
    p = subprocess.Popen([FEEDBACKD, "-c", fb.conf, "--foreground", "--log-level", "info"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return p, Log(p)


def wait_for(cond, timeout=60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.1)
    return cond()


def queue(fb, tmp, tag):
    files = []
    for i in range(N):
        p = os.path.join(tmp, "%s%02d.eml" % (tag, i))
        with open(p, "wb") as f:
            f.write(message(i, tag))
        files.append(p)
    fb.ctl("outbox", "add", "--to", "member@example.org", *files)


def unsent(fb):
    return fb.sql("SELECT count(*) FROM outbox WHERE state <> 'sent'")[0][0]


with tempfile.TemporaryDirectory() as tmp:
    h = Counter()
    port = free_port()
    ctl = Controller(h, hostname="127.0.0.1", port=port)
    ctl.start()
    wait_port(port)
    fb = Feedbackd(tmp, {"outgoing": {"transport": "smtp", "url": "smtp://127.0.0.1:%d" % port,
                                      "starttls": "no", "sessions": "1", "batch_size": "10",
                                      "timeout": "10s"}}, name="diskfull")
    try:
        # ---- the disk comes back: nothing sent twice --------------------------------------
        p, log = start(fb)
        t.ok(log.wait("started"), "the daemon starts", log.text())
        h.fault_pid, h.fault_at = p.pid, FAULT_AT
        queue(fb, tmp, "a")
        p.send_signal(signal.SIGHUP)          # wake it: the queue is due now
        t.ok(wait_for(lambda: h.fault_pid is None, 30), "the server accepted %d messages, then the "
             "disk was full" % FAULT_AT, log.text())
        time.sleep(4)                         # a few tries while the disk is full
        t.ok(p.poll() is None, "the daemon does not stop on a full disk (exit %s)" % p.poll(), log.text())
        t.ok("database cannot write" in log.text(), "it says the database cannot write", log.text())
        if p.poll() is None:
            resource.prlimit(p.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        else:                                 # as systemd's Restart= would: the disk has room again
            p, log = start(fb)
        t.ok(wait_for(lambda: unsent(fb) == 0, 60), "with room again every message is sent",
             "%s\n%s" % (fb.sql("SELECT state, count(*) FROM outbox GROUP BY state"), log.text()))
        got = {k: v for k, v in h.got.items() if k.startswith("<a")}
        twice = {k: v for k, v in got.items() if v > 1}
        t.ok(len(got) == N and not twice, "each of the %d arrived exactly once (%d deliveries, twice: %s)"
             % (N, sum(got.values()), sorted(twice)), log.text())
        t.ok("recorded as sent (not sent again)" in log.text(),
             "the accepted ones were recorded as sent when the disk had room", log.text())
        p.send_signal(signal.SIGTERM)
        p.wait(30)

        # ---- stopped while the disk is full: the log says what the next start resends ------
        p, log = start(fb)
        t.ok(log.wait("started"), "the daemon starts again", log.text())
        h.fault_pid, h.fault_at = p.pid, h.total + FAULT_AT
        queue(fb, tmp, "b")
        p.send_signal(signal.SIGHUP)
        t.ok(wait_for(lambda: h.fault_pid is None, 30), "the fault struck again", log.text())
        t.ok(log.wait("database cannot write"), "the daemon waits it out", log.text())
        p.send_signal(signal.SIGTERM)
        p.wait(30)
        named = re.findall(r"outbox (\d+): accepted by the SMTP server but not recorded as sent", log.text())
        t.ok(len(named) >= 1, "stopped with the disk still full, it names each accepted message it "
             "could not record (%d)" % len(named), log.text())
    finally:
        ctl.stop()
t.finish()
