#!/usr/bin/python3
"""No secret in any log: feedbackd and feedbackctl run against a real Dovecot and a real SMTP
server that both require authentication (right and wrong passwords, debug logging, a
reconnect, --check-config, a password file others can read), and every byte they print is
searched for the passwords, plainly and as SASL PLAIN/LOGIN base64."""
import base64
import os
import signal
import subprocess
import tempfile
import time

from opslib import FBCTL, FBD, Tap, crlf_message
from servers import AioSmtpd, Dovecot

t = Tap()
IMAP_PW = "imap-Pw-7c1e9f3a"
SMTP_PW = "smtp-Pw-5b20d4e8"
WRONG_PW = "wrong-Pw-93aa01c6"


def forms(pw, user="fb"):
    """The password as it might leak: plain, PLAIN (\\0user\\0pw) and LOGIN base64."""
    out = [pw, base64.b64encode(pw.encode()).decode(),
           base64.b64encode(("\0%s\0%s" % (user, pw)).encode()).decode(),
           base64.b64encode(("%s\0%s\0%s" % (user, user, pw)).encode()).decode()]
    return out


logs = []   # (what, text)


def run(what, args, conf, timeout=60):
    r = subprocess.run(args, capture_output=True, text=True, timeout=timeout,
                       env=dict(os.environ, FEEDBACKD_CONFIG=conf))
    logs.append((what, r.stdout + r.stderr))
    return r


with tempfile.TemporaryDirectory() as tmp, \
        Dovecot(tmp, users={"fb": IMAP_PW}) as imap, \
        AioSmtpd(tmp, require_auth=("fb", SMTP_PW)) as smtp:
    os.chmod(tmp, 0o755)

    def secret(name, pw):
        p = os.path.join(tmp, name)
        with open(p, "w") as f:
            f.write(pw + "\n")
        os.chmod(p, 0o600)
        return p

    def config(name, smtp_pw_file, imap_pw_file):
        p = os.path.join(tmp, name)
        with open(p, "w") as f:
            f.write("[feedbackd]\ndatabase = %s/fb.db\ndomain = feedbackd.test\nfrom_address = feedback@feedbackd.test\n"
                    "[outgoing]\ntransport = smtp\nurl = %s\nstarttls = no\nusername = fb\n"
                    "password_file = %s\ntimeout = 5s\nbackoff_initial = 1s\n"
                    "[incoming]\nmailbox = imap\nurl = %s\nstarttls = no\nusername = fb\n"
                    "password_file = %s\ntimeout = 5s\npoll_interval = 1s\n"
                    % (tmp, smtp.url(), smtp_pw_file, imap.url(), imap_pw_file))
        return p

    good = config("good.conf", secret("smtp.pw", SMTP_PW), secret("imap.pw", IMAP_PW))
    bad = config("bad.conf", secret("smtp-wrong.pw", WRONG_PW), secret("imap-wrong.pw", WRONG_PW))

    msg = os.path.join(tmp, "m.eml")
    with open(msg, "wb") as f:
        f.write(crlf_message("sec1@example.nl"))
    r = run("feedbackctl outbox add", [FBCTL, "-c", good, "outbox", "add", "--to",
                                       "piet@example.nl", msg], good)
    t.ok(r.returncode == 0, "a message is queued", r.stderr)
    imap.deliver(crlf_message("secin1@example.nl"))

    r = run("feedbackd --check-config", [FBD, "-c", good, "--check-config"], good)
    t.ok(r.returncode == 0 and "********" in r.stdout, "--check-config masks the secrets", r.stdout)

    r = run("feedbackd --once (debug, right passwords)",
            [FBD, "-c", good, "--once", "--log-level", "debug"], good)
    t.ok(r.returncode == 0, "one pass with the right passwords", r.stdout + r.stderr)
    # aiosmtpd writes its log line after it answered: give it a moment.
    for _ in range(50):
        if "ACCEPTED" in smtp.log_text():
            break
        time.sleep(0.1)
    t.ok(("AUTH LOGIN success" in smtp.log_text() or "AUTH PLAIN success" in smtp.log_text()) and "ACCEPTED" in smtp.log_text(),
         "it authenticated to the SMTP server and delivered", smtp.log_text())
    r2 = run("feedbackctl inbox list", [FBCTL, "-c", good, "inbox", "list", "--json"], good)
    t.ok(r2.stdout.count('"id":') == 1,
         "it logged in to Dovecot and read the message", r2.stdout + r2.stderr)

    # A daemon that loses its IMAP server and logs in again, at debug level.
    dlog = os.path.join(tmp, "daemon.log")

    def wait_daemon_log(text, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and p.poll() is None:
            with open(dlog, errors="replace") as f:
                if text in f.read():
                    return
            time.sleep(0.05)
    with open(dlog, "w") as lf:
        p = subprocess.Popen([FBD, "-c", good, "--log-level", "debug"], stdout=lf,
                             stderr=subprocess.STDOUT)
    wait_daemon_log("pass done")                # logged in, reading the mailbox
    imap.restart()
    imap.deliver(crlf_message("secin2@example.nl"))
    wait_daemon_log("1 new message stored")     # logged in again after the restart
    p.send_signal(signal.SIGTERM)
    p.wait(10)
    with open(os.path.join(tmp, "daemon.log")) as f:
        logs.append(("feedbackd daemon with an IMAP restart", f.read()))
    t.ok(("unavailable" in logs[-1][1] or "connection lost" in logs[-1][1])
         and "1 new message stored" in logs[-1][1],
         "the daemon noticed the restart and logged in again", logs[-1][1])

    r = run("feedbackd --once (wrong passwords)", [FBD, "-c", bad, "--once", "--log-level", "debug"],
            bad)
    t.ok("fb" in r.stderr and ("auth" in r.stderr.lower() or "login" in r.stderr.lower()),
         "wrong passwords are reported", r.stderr)

    os.chmod(os.path.join(tmp, "imap.pw"), 0o644)
    r = run("feedbackd --once (password file readable by others)", [FBD, "-c", good, "--once"], good)
    t.ok(r.returncode != 0 or "chmod" in r.stderr, "a password file others can read is refused",
         r.stderr)
    os.chmod(os.path.join(tmp, "imap.pw"), 0o600)

    for what, args in (("feedbackctl outbox list", ["outbox", "list", "--json"]),
                       ("feedbackctl outbox show", ["outbox", "show", "1"]),
                       ("feedbackctl inbox show", ["inbox", "show", "1"])):
        run(what, [FBCTL, "-c", good] + args, good)

    secrets = forms(IMAP_PW) + forms(SMTP_PW) + forms(WRONG_PW)
    total = sum(len(text) for _, text in logs)
    t.ok(total > 500, "the logs searched are not empty (%d bytes from %d runs)" % (total, len(logs)))
    for what, text in logs:
        found = [s for s in secrets if s in text]
        t.ok(not found, "no password in the output of %s" % what, "found: %s" % found)
t.finish()
