"""Helpers for the operations tests (t08xx): a feedbackd configuration on Maildirs in a scratch
directory, the daemon started in the background with its log captured, and feedbackctl.

    with Scratch() as s:
        s.config()                      # writes s.conf, database s.db, Maildirs s.out / s.inbox
        d = s.start()                   # feedbackd -c s.conf, log in s.log
        ...
        d.stop()
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers import BUILD, TOP, Tap  # noqa: E402,F401

FBD = os.path.join(BUILD, "feedbackd")
FBCTL = os.path.join(BUILD, "feedbackctl")


def crlf_message(msgid, subject="Hallo", body="Hallo", sender="jan@example.nl"):
    return ("From: Jan <%s>\r\nTo: feedback@example.nl\r\nMessage-ID: <%s>\r\n"
            "Subject: %s\r\n\r\n%s\r\n" % (sender, msgid, subject, body)).encode()


class Daemon:
    def __init__(self, proc, log):
        self.proc = proc
        self.log = log

    def log_text(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def wait_log(self, text, timeout=10.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if text in self.log_text():
                return True
            if self.proc.poll() is not None and text not in self.log_text():
                return False
            time.sleep(0.05)
        return False

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=10.0):
        """SIGTERM; returns (exit status, seconds it took)."""
        if self.proc.poll() is not None:
            return self.proc.returncode, 0.0
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        return rc, time.monotonic() - t0


class Scratch:
    def __init__(self, keep=False):
        self.dir = tempfile.mkdtemp(prefix="fbops.")
        self.keep = keep or os.environ.get("KEEP") == "1"
        self.conf = os.path.join(self.dir, "f.conf")
        self.db = os.path.join(self.dir, "fb.db")
        self.out = os.path.join(self.dir, "sent")
        self.inbox = os.path.join(self.dir, "in")
        self.daemons = []
        self.n_logs = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for d in self.daemons:
            d.stop()
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def config(self, extra="", path=None, poll_interval=60):
        """Write a configuration on Maildirs; extra is appended (INI text)."""
        for d in (self.inbox,):
            for sub in ("new", "cur", "tmp"):
                os.makedirs(os.path.join(d, sub), exist_ok=True)
        text = ("[feedbackd]\ndatabase = %s\n[outgoing]\nmaildir = %s\n"
                "[incoming]\nmaildir = %s\npoll_interval = %ds\n%s"
                % (self.db, self.out, self.inbox, poll_interval, extra))
        with open(path or self.conf, "w") as f:
            f.write(text)
        return path or self.conf

    def deliver(self, data, name):
        tmp = os.path.join(self.inbox, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, os.path.join(self.inbox, "new", name))

    def start(self, args=(), env=None, conf=None, log_level="info", preexec_fn=None):
        self.n_logs += 1
        log = self.path("feedbackd-%d.log" % self.n_logs)
        e = dict(os.environ)
        e.pop("NOTIFY_SOCKET", None)
        e.pop("WATCHDOG_USEC", None)
        e.pop("WATCHDOG_PID", None)
        if env:
            e.update(env)
        with open(log, "wb") as lf:
            p = subprocess.Popen([FBD, "-c", conf or self.conf, "--log-level", log_level] + list(args),
                                 stdout=lf, stderr=subprocess.STDOUT, env=e, preexec_fn=preexec_fn)
        d = Daemon(p, log)
        self.daemons.append(d)
        return d

    def ctl(self, *args, conf=None, env=None):
        e = dict(os.environ)
        if env:
            e.update(env)
        return subprocess.run([FBCTL, "-c", conf or self.conf] + list(args), capture_output=True,
                              text=True, env=e)
