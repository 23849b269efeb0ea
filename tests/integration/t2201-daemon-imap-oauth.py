#!/usr/bin/python3
"""feedbackd itself reads replies from IMAP with an OAuth token ([incoming] auth = oauth2),
against Dovecot's oauth2 passdb and tests/tokenserver.py: one pass with OAUTHBEARER stores the
reply; a token the server stops accepting is replaced on the next pass and the reply read; a
wrong client secret is one clear error (no secret, no token), the daemon keeps running, and
after the secret is fixed and the daemon reloaded (SIGHUP) the waiting reply is read."""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers import Dovecot, Feedbackd, Tap  # noqa: E402
from tokenserver import TokenServer  # noqa: E402

t = Tap()
T0 = "2027-01-04T09:00:00Z"
SECRET_RE = re.compile(r"\b(?:at|rt)-[A-Za-z0-9_-]{16,}|s3cret|dXNlcj1|biwsYT1")


def reply(i):
    return ("From: Member <m@example.org>\r\nTo: feedback@feedbackd.test\r\nSubject: Re: week 3\r\n"
            "Message-ID: <daemon-oauth%d@test>\r\nDate: Mon, 04 Jan 2027 10:00:00 +0100\r\n\r\n"
            "My answer %d.\r\n" % (i, i)).encode()


def wait_for(cond, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.2)
    return cond()


with tempfile.TemporaryDirectory() as tmp:
    os.chmod(tmp, 0o755)
    secret = os.path.join(tmp, "client-secret")
    with open(secret, "w") as f:
        f.write("s3cret\n")
    os.chmod(secret, 0o600)
    with TokenServer(tmp, clients={"app": "s3cret"}, client_users={"app": "fb"}) as ts:
        imap = Dovecot(tmp, oauth2={"introspection_url": ts.url + "/introspect"}).start()
        try:
            incoming = {"mailbox": "imap", "url": imap.url(), "starttls": "no", "username": "fb",
                        "processed_folder": "Processed", "timeout": "5s", "poll_interval": "1s",
                        "auth": "oauth2", "oauth_mechanism": "oauthbearer", "oauth_grant": "client_credentials",
                        "oauth_token_url": ts.url + "/token", "oauth_client_id": "app",
                        "oauth_secret_file": secret, "oauth_scope": "https://outlook.office365.com/.default"}
            fd = Feedbackd(tmp, {"incoming": incoming})

            def stored():
                return fd.sql("SELECT count(*) FROM inbox")[0][0]

            # 1. One pass logs in with OAUTHBEARER and stores the reply.
            imap.deliver(reply(1))
            rc = fd.once(T0)
            with open(imap.log) as f:
                dlog = f.read()
            t.ok(rc == 0 and stored() == 1, "one pass with auth = oauth2 stores the reply", (rc, stored()))
            t.ok("method=OAUTHBEARER" in dlog, "... logged in with OAUTHBEARER through Dovecot's oauth2 passdb")

            # 2. The running daemon: the server stops accepting its token and drops the session
            #    (doveadm kick); the reconnect is refused once, gets a fresh token and reads the
            #    new reply.
            fd.start(T0)
            time.sleep(1.5)
            before = ts.stats()["client_credentials"]
            ts.expire()
            subprocess.run(["doveadm", "-c", imap.conf, "kick", "fb"], capture_output=True)
            imap.deliver(reply(2))
            t.ok(wait_for(lambda: stored() == 2), "token no longer accepted: the next reply is still read",
                 stored())
            t.ok(ts.stats()["client_credentials"] > before, "... with a fresh token", ts.stats())
            with open(fd.log) as f:
                log = f.read()
            warn = [line for line in log.splitlines() if "refused" in line]
            t.ok(len(warn) == 1 and "fetching a new token" in warn[0], "... after one warning", log[-2000:])
            print("# " + (warn[0] if warn else ""))

            # 3. A wrong client secret: one clear error, the daemon keeps running, the reply waits.
            with open(secret, "w") as f:
                f.write("wrong\n")
            ts.expire()   # the token in hand is refused, and no new one can be had
            fd.proc.send_signal(signal.SIGHUP)
            time.sleep(1)
            imap.deliver(reply(3))
            time.sleep(4)
            with open(fd.log) as f:
                log = f.read()
            errs = [line for line in log.splitlines() if "invalid_client" in line]
            t.ok(errs and fd.proc.poll() is None and stored() == 2,
                 "wrong secret: an error naming invalid_client, the daemon still runs, nothing stored",
                 log[-2000:])
            print("# %d such line(s); the first: %s" % (len(errs), errs[0] if errs else ""))
            with open(secret, "w") as f:
                f.write("s3cret\n")
            fd.proc.send_signal(signal.SIGHUP)
            t.ok(wait_for(lambda: stored() == 3), "secret fixed and reloaded: the waiting reply is read", stored())
            fd.stop()
            with open(fd.log) as f:
                log = f.read()
            leaks = [m.group(0)[:6] for m in SECRET_RE.finditer(log)]
            t.ok(not leaks, "no token or secret in the daemon's log", leaks)
        finally:
            if fd.proc is not None and fd.proc.poll() is None:
                fd.stop()
            imap.stop()

t.finish()
