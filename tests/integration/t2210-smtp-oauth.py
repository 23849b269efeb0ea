#!/usr/bin/python3
"""SMTP AUTH with OAuth 2.0 through the daemon itself (issue 22): feedbackd, configured with
auth = oauth2 and the client credentials grant against tests/tokenserver.py, sends its outbox
through aiosmtpd, which introspects every token (servers.py, _AIOSMTPD_OAUTH). XOAUTH2 and
OAUTHBEARER each: the server saw that mechanism and the right user. A token that expires at the
server between two sessions is refused and fetched again (token server stats), the session retried
once. A login refused twice and a token endpoint that refuses the client keep the mail in the
outbox with a log line naming server, mechanism, user and reply (never the token); after the fix
the next pass sends it. Needs the plugins where libesmtp looks: `make install-esmtp-plugins`."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers import AioSmtpd, Feedbackd, Tap  # noqa: E402
from tokenserver import TokenServer  # noqa: E402

t = Tap()
TOP = os.environ.get("FB_TOP", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BUILD = os.environ.get("BUILD", "build")
USER = "feedback@example.org"
TIMES = ["2027-01-04T%02d:00:00Z" % h for h in range(9, 20)]

# libesmtp finds mechanisms only in its own plugin directory (src/mail/sasl-oauth.h).
r = subprocess.run(["make", "-s", "-C", TOP, "BUILD=" + BUILD, "install-esmtp-plugins"],
                   capture_output=True, text=True)
t.ok(r.returncode == 0, "the SASL plugins are installed where libesmtp looks", r.stderr[-500:])


def states(fb):
    return dict(fb.sql("SELECT state, count(*) FROM outbox GROUP BY state"))


def queue(fb, tmp, name, now, n=1):
    files = []
    for i in range(n):
        p = os.path.join(tmp, "%s%d.eml" % (name, i))
        with open(p, "w") as f:
            f.write("From: feedback@feedbackd.test\nTo: m@example.org\nSubject: %s %d\n"
                    "Message-ID: <%s%d@feedbackd.test>\n\nHello.\n" % (name, i, name, i))
        files.append(p)
    fb.ctl("outbox", "add", "--to", "m@example.org", "--kind", "test", *files, now=now)


def ids(path):
    out = []
    for sub in ("new", "cur"):
        for n in os.listdir(os.path.join(path, sub)):
            with open(os.path.join(path, sub, n)) as f:
                out += [l.split(":", 1)[1].strip() for l in f if l.startswith("Message-ID:")]
    return sorted(out)


with tempfile.TemporaryDirectory() as tmp:
    md = os.path.join(tmp, "delivered")
    for sub in ("tmp", "new", "cur"):
        os.makedirs(os.path.join(md, sub))
    secret = os.path.join(tmp, "client.secret")
    with open(secret, "w") as f:
        f.write("s3cret\n")
    os.chmod(secret, 0o600)
    with TokenServer(tmp, clients={"app": "s3cret"}, client_users={"app": USER}) as ts, \
            AioSmtpd(tmp, deliver_to_maildir=md, oauth=ts.url + "/introspect",
                     oauth_expire_after=3) as smtp:
        out = {"transport": "smtp", "url": "smtp://127.0.0.1:%d" % smtp.port, "starttls": "no",
               "username": USER, "auth": "oauth2", "oauth_grant": "client_credentials",
               "oauth_token_url": ts.url + "/token", "oauth_client_id": "app",
               "oauth_secret_file": secret, "oauth_scope": "https://outlook.office365.com/.default",
               "sessions": "1", "batch_size": "1", "timeout": "10s"}
        fb = Feedbackd(tmp, {"outgoing": dict(out, oauth_mechanism="xoauth2")}, name="fb")

        # ---- 1. XOAUTH2, then OAUTHBEARER --------------------------------------------------
        queue(fb, tmp, "xo", TIMES[0])
        rc = fb.once(TIMES[0])
        log = smtp.log_text()
        t.ok(rc == 0 and states(fb) == {"sent": 1}, "XOAUTH2: the mail is sent", "%s %s" % (states(fb), fb.log_text()[-800:]))
        t.ok("AUTH XOAUTH2 %s success" % USER in log and "ACCEPTED 1 plain auth=True" in log,
             "... the server saw AUTH XOAUTH2 as %s before the mail" % USER, log)
        fb.configure({"outgoing": dict(out, oauth_mechanism="oauthbearer")})
        queue(fb, tmp, "ob", TIMES[1])
        rc = fb.once(TIMES[1])
        log = smtp.log_text()
        t.ok(rc == 0 and states(fb) == {"sent": 2}, "OAUTHBEARER: the mail is sent", "%s %s" % (states(fb), fb.log_text()[-800:]))
        t.ok("AUTH OAUTHBEARER %s success host=127.0.0.1 port=%d" % (USER, smtp.port) in log,
             "... the server saw AUTH OAUTHBEARER as %s, with the host and port of RFC 7628" % USER, log)
        t.ok(ts.stats()["client_credentials"] == 2, "one token per pass (two passes)", ts.stats())

        # ---- 2. a token expired at the server between two sessions: refused, fetched again --
        queue(fb, tmp, "ex", TIMES[2], n=2)
        rc = fb.once(TIMES[2])
        log, flog = smtp.log_text(), fb.log_text()
        t.ok(rc == 0 and states(fb) == {"sent": 4}, "after the server expired the token, both mails are sent",
             "%s %s" % (states(fb), flog[-800:]))
        t.ok("TOKENS EXPIRED after message 3" in log and "failure token not active" in log,
             "... the second session's cached token was refused", log)
        t.ok(ts.stats()["client_credentials"] == 4, "... and a new one fetched (4 grants in all)", ts.stats())
        t.ok("trying once more with a new token" in flog, "... the daemon says it retries", flog[-800:])

        # ---- 3. refused twice (the token is not the mailbox's): kept, then sent --------------
        ts.control("add_client", client_id="app", client_secret="s3cret", user="someone@else.org")
        queue(fb, tmp, "rf", TIMES[3])
        fb.once(TIMES[3])
        flog = fb.log_text()
        t.ok(states(fb) == {"retry": 1, "sent": 4},
             "a token refused twice: the mail stays in the outbox", states(fb))
        want = "127.0.0.1:%d refused AUTH OAUTHBEARER as %s: 535" % (smtp.port, USER)
        t.ok(want in flog, "... the log names server, mechanism, user and reply", flog[-1200:])
        t.ok("at-" not in flog, "... and never a token", flog[-1200:])
        ts.control("add_client", client_id="app", client_secret="s3cret", user=USER)
        fb.once(TIMES[6])
        t.ok(states(fb) == {"sent": 5}, "after the fix the next pass sends it", states(fb))

        # ---- 4. the token endpoint refuses the client: kept, then sent ----------------------
        ts.control("add_client", client_id="app", client_secret="n3w", user=USER)
        queue(fb, tmp, "ep", TIMES[7])
        fb.once(TIMES[7])
        flog = fb.log_text()
        t.ok(states(fb).get("sent") == 5 and len(states(fb)) == 2,
             "the token endpoint refuses the client secret: the mail stays in the outbox", states(fb))
        t.ok("invalid_client" in flog and "s3cret" not in flog,
             "... the log names the endpoint's error, never the secret", flog[-1200:])
        with open(secret, "w") as f:
            f.write("n3w\n")
        fb.once(TIMES[10])
        t.ok(states(fb) == {"sent": 6}, "after the new secret is in the file the next pass sends it",
             "%s %s" % (states(fb), fb.log_text()[-600:]))
        got = ids(md)
        t.ok(len(got) == 6 and len(set(got)) == 6, "the server holds each of the six mails once", got)
t.finish()
