#!/usr/bin/python3
# run-tests: alone (it measures time: nothing may run beside it)
"""Signals: SIGTERM ends an idle daemon within a second (it does not sit out its sleep);
SIGHUP with a good configuration switches to it (mail goes to the new Maildir), with a bad one
logs the errors and keeps running on the old one; SIGINT stops like SIGTERM; a reloaded
log_level takes effect (debug lines appear after a reload to debug, and go after one to
warning). Each "nothing was logged" check has a positive control: a message delivered in the
same window is read, so the daemon did run passes that would have logged."""
import os
import signal
import time

from opslib import Scratch, Tap, crlf_message

t = Tap()
ROUNDS = 5


def wait_files(d, n, timeout=5.0):
    """The files in Maildir folder d once there are n of them, or after timeout (bounded)."""
    deadline = time.time() + timeout
    while True:
        got = os.listdir(d) if os.path.isdir(d) else []
        if len(got) >= n or time.time() >= deadline:
            return got
        time.sleep(0.05)


with Scratch() as s:
    s.config(poll_interval=300)
    worst = 0.0
    for i in range(ROUNDS):
        d = s.start()
        t.ok(d.wait_log("started"), "round %d: the daemon starts" % i, d.log_text())
        time.sleep(0.3 + 0.17 * i)   # idle in its wait at different phases of a 100 ms step
        rc, took = d.stop()
        worst = max(worst, took)
        t.ok(rc == 0 and "stopped on signal" in d.log_text(),
             "round %d: SIGTERM stops it cleanly (exit %s)" % (i, rc), d.log_text())
    t.ok(worst < 1.0, "SIGTERM on an idle daemon: exit within 1 s (worst of %d: %.3f s)"
         % (ROUNDS, worst))

    d = s.start()
    d.wait_log("started")
    time.sleep(0.3)
    t0 = time.monotonic()
    d.signal(signal.SIGINT)
    rc = d.proc.wait(5)
    t.ok(rc == 0 and time.monotonic() - t0 < 1.0, "SIGINT stops it as promptly (exit %s)" % rc)

    # SIGHUP with a good configuration: the next pass uses it. The message is queued only once
    # the first pass is done: on a loaded machine that pass could otherwise still be running
    # and send it with the configuration it started with.
    d = s.start(log_level="debug")
    t.ok(d.wait_log("started") and d.wait_log("pass done", timeout=30),
         "a daemon for the reload tests starts and ends its first pass", d.log_text())
    new_out = s.path("sent-after-reload")
    s.config(extra="", poll_interval=300)
    with open(s.conf) as f:
        text = f.read().replace("maildir = %s\n" % s.out, "maildir = %s\n" % new_out, 1)
    with open(s.conf, "w") as f:
        f.write(text)
    with open(s.path("m1.eml"), "wb") as f:
        f.write(crlf_message("reload1@example.nl"))
    r = s.ctl("outbox", "add", "--to", "piet@example.nl", s.path("m1.eml"))
    t.ok(r.returncode == 0, "a message is queued", r.stderr)
    t0 = time.monotonic()
    d.signal(signal.SIGHUP)
    t.ok(d.wait_log("configuration reloaded from %s" % s.conf, timeout=5),
         "SIGHUP with a good configuration: logged as reloaded", d.log_text())
    t.ok(time.monotonic() - t0 < 1.0, "the reload is not delayed by the poll interval (300 s)")
    # Wait for the message file itself, not only new/: the directory is made before the file
    # is renamed into it, so listing it as soon as it exists raced with the delivery.
    got = wait_files(os.path.join(new_out, "new"), 1)
    t.ok(len(got) == 1, "and the new configuration is in use: the mail went to the new Maildir",
         d.log_text())

    # SIGHUP with a broken file: refused with the error, the old configuration keeps working.
    good = s.path("good.conf")
    with open(good, "w") as f:
        f.write(text)
    with open(s.conf, "a") as f:
        f.write("[outgoing]\nbatch_size = many\n[nonsense]\nkey = 1\n")
    d.signal(signal.SIGHUP)
    t.ok(d.wait_log("reload refused, keeping the running configuration", timeout=5),
         "SIGHUP with a bad configuration: refused", d.log_text())
    log = d.log_text()
    t.ok("batch_size" in log and ":%d:" % (text.count("\n") + 2) in log,
         "the log names the bad key and its file:line", log)
    t.ok(d.proc.poll() is None, "the daemon keeps running")
    with open(s.path("m2.eml"), "wb") as f:
        f.write(crlf_message("reload2@example.nl"))
    r = s.ctl("outbox", "add", "--to", "piet@example.nl", s.path("m2.eml"), conf=good)
    t.ok(r.returncode == 0, "a second message is queued (feedbackctl with a good copy)", r.stderr)
    s.deliver(crlf_message("wake@example.nl"), "w.host")
    d.signal(signal.SIGHUP)   # refused again, but it wakes the loop for a pass
    t.ok(len(wait_files(os.path.join(new_out, "new"), 2)) == 2,
         "mail still flows with the configuration it had (the reloaded one)", d.log_text())
    rc, took = d.stop()
    t.ok(rc == 0 and took < 1.0, "and it stops within a second (%.3f s)" % took)

    # log_level on reload: started at info (--log-level info), switched to debug, then warning.
    s.config(poll_interval=1)
    d = s.start()
    t.ok(d.wait_log("started"), "a daemon for the log level tests starts", d.log_text())
    # An absence proves something only if the daemon ran passes meanwhile: a message delivered
    # at the start of the window must be read within it (positive control; a pass would log
    # "pass done" at debug).
    s.deliver(crlf_message("info-window@example.nl"), "info.host")
    time.sleep(2.5)                      # two or three passes at info
    t.ok(not os.listdir(os.path.join(s.inbox, "new")),
         "control: the daemon ran a pass in that window (the message delivered then was read)",
         d.log_text())
    t.ok("pass done" not in d.log_text(), "at info no debug line is logged", d.log_text())
    s.config(extra="[feedbackd]\nlog_level = debug\n", poll_interval=1)
    d.signal(signal.SIGHUP)
    t.ok(d.wait_log("log level is now debug", timeout=5), "SIGHUP with log_level = debug: said so",
         d.log_text())
    t.ok(d.wait_log("pass done", timeout=5), "and debug lines appear", d.log_text())
    s.config(extra="[feedbackd]\nlog_level = warning\n", poll_interval=1)
    d.signal(signal.SIGHUP)
    t.ok(d.wait_log("log level is now warning", timeout=5), "SIGHUP with log_level = warning: said so",
         d.log_text())
    time.sleep(0.5)
    before = d.log_text()
    s.deliver(crlf_message("warning-window@example.nl"), "warning.host")
    time.sleep(2.5)                      # passes go on, silently now
    after = d.log_text()
    t.ok(not os.listdir(os.path.join(s.inbox, "new")),
         "control: passes went on in that window (the message delivered then was read, which "
         "logs at info)", after[len(before) - 300:])
    t.ok(after == before and "configuration reloaded" not in before.split("log level is now warning")[1],
         "and from then on neither debug nor info lines", after[len(before) - 300:])
    rc, took = d.stop()
    t.ok(rc == 0, "it stops cleanly (exit %s)" % rc)
t.finish()
