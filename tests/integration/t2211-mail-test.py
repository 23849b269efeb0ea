#!/usr/bin/python3
"""feedbackctl mail test against real servers: Dovecot (IMAP with STARTTLS, login, select),
aiosmtpd (SMTP with STARTTLS and AUTH, then OAuth 2.0 XOAUTH2 against tests/tokenserver.py) and
Postfix's smtp-sink (no AUTH). One line per server saying what worked; a failure names its step:
the IMAP login, the SMTP AUTH with the server's reply, DNS, the connection, the token endpoint's
error. Nothing is ever sent (the SMTP session ends before MAIL FROM). Exit 0 only when all work."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers import AioSmtpd, Dovecot, Feedbackd, SmtpSink, Tap, free_port, make_cert  # noqa: E402
from tokenserver import TokenServer  # noqa: E402

t = Tap()
TOP = os.environ.get("FB_TOP", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BUILD = os.environ.get("BUILD", "build")


def mailtest(fb, *args):
    p = fb.ctl("mail", "test", *args, check=False)
    return p.returncode, p.stdout.splitlines(), p.stderr


def line(out, side):
    return next((l for l in out if l.startswith(side + ":")), "")


with tempfile.TemporaryDirectory() as tmp:
    ca, cert, key = make_cert(tmp)
    with Dovecot(tmp, users={"fb": "secret"}, tls=(cert, key), starttls=True) as imap, \
            AioSmtpd(tmp, tls=(cert, key), starttls=True, require_auth=("fb", "secret")) as smtp:
        incoming = {"mailbox": "imap", "url": imap.url(), "username": "fb", "password": "secret",
                    "ca_file": ca, "timeout": "5s"}
        outgoing = {"transport": "smtp", "url": smtp.url(), "username": "fb", "password": "secret",
                    "ca_file": ca, "timeout": "5s"}
        fb = Feedbackd(tmp, {"incoming": incoming, "outgoing": outgoing}, name="fb")

        # ---- both work ----------------------------------------------------------------------
        rc, out, err = mailtest(fb)
        t.ok(rc == 0 and len(out) == 2, "both servers work: exit 0, one line each", out + [err])
        t.ok(line(out, "incoming").startswith("incoming: ok ") and "logged in as fb" in out[0]
             and "INBOX selected" in out[0], "IMAP: logged in and INBOX selected", out)
        t.ok(line(out, "outgoing").startswith("outgoing: ok 127.0.0.1:%d: connected, STARTTLS ok "
                                              "(certificate verified), AUTH " % smtp.port)
             and "as fb ok" in out[1], "SMTP: connected, STARTTLS, AUTH", out)
        log = smtp.log_text()
        t.ok("AUTH" in log and "success" in log and "ACCEPTED" not in log,
             "... the server saw AUTH succeed and no mail", log)

        # ---- a wrong SMTP password: the AUTH step and the server's reply ---------------------
        fb.configure({"incoming": incoming, "outgoing": dict(outgoing, password="wrong")})
        rc, out, err = mailtest(fb)
        t.ok(rc == 1 and line(out, "incoming").startswith("incoming: ok"),
             "a wrong SMTP password: exit 1, IMAP still ok", out + [err])
        t.ok("outgoing: FAILED 127.0.0.1:%d refused AUTH" % smtp.port in line(out, "outgoing")
             and "as fb: 535" in line(out, "outgoing"), "... the SMTP line names AUTH and the 535", out)
        t.ok("wrong" not in "\n".join(out) + err, "... and never the password", out)

        # ---- a wrong IMAP password ------------------------------------------------------------
        fb.configure({"incoming": dict(incoming, password="wrong"), "outgoing": outgoing})
        rc, out, err = mailtest(fb, "--incoming")
        t.ok(rc == 1 and len(out) == 1 and line(out, "incoming").startswith("incoming: FAILED ")
             and "fb" in out[0] and "login" in out[0].lower(),
             "a wrong IMAP password: --incoming alone, FAILED naming the login", out + [err])

        # ---- DNS and connection ---------------------------------------------------------------
        fb.configure({"incoming": incoming, "outgoing": dict(outgoing, url="smtp://nosuch.invalid:587")})
        rc, out, err = mailtest(fb, "--outgoing")
        t.ok(rc == 1 and "FAILED cannot connect to nosuch.invalid:587" in line(out, "outgoing"),
             "an unknown host: the line says it cannot connect and why", out + [err])
        closed = free_port()
        fb.configure({"incoming": incoming,
                      "outgoing": dict(outgoing, url="smtp://127.0.0.1:%d" % closed)})
        rc, out, err = mailtest(fb, "--outgoing")
        t.ok(rc == 1 and "FAILED cannot connect to 127.0.0.1:%d" % closed in line(out, "outgoing"),
             "nothing listening: cannot connect", out + [err])

    # ---- smtp-sink, no AUTH, no TLS; a local Maildir for incoming ------------------------------
    with SmtpSink(tmp, auth=False) as sink:
        fb.configure({"incoming": {"mailbox": "maildir"},
                      "outgoing": {"transport": "smtp", "url": sink.url(), "starttls": "no"}})
        rc, out, err = mailtest(fb)
        t.ok(rc == 0 and "local, nothing to log in to" in line(out, "incoming")
             and "no TLS" in line(out, "outgoing") and "no AUTH" in line(out, "outgoing"),
             "smtp-sink without AUTH and a Maildir: both ok, saying what was not done", out + [err])

    # ---- OAuth 2.0: XOAUTH2 through the plugin; the token endpoint's error ------------------
    r = subprocess.run(["make", "-s", "-C", TOP, "BUILD=" + BUILD, "install-esmtp-plugins"],
                       capture_output=True, text=True)
    secret = os.path.join(tmp, "client.secret")
    with open(secret, "w") as f:
        f.write("s3cret\n")
    os.chmod(secret, 0o600)
    with TokenServer(tmp, clients={"app": "s3cret"}, client_users={"app": "fb@example.org"}) as ts, \
            AioSmtpd(tmp, oauth=ts.url + "/introspect") as osmtp:
        oout = {"transport": "smtp", "url": osmtp.url(), "starttls": "no", "username": "fb@example.org",
                "auth": "oauth2", "oauth_token_url": ts.url + "/token", "oauth_client_id": "app",
                "oauth_secret_file": secret, "oauth_scope": "smtp", "timeout": "5s"}
        fb.configure({"incoming": {"mailbox": "maildir"}, "outgoing": oout})
        rc, out, err = mailtest(fb, "--outgoing")
        t.ok(r.returncode == 0 and rc == 0 and "AUTH XOAUTH2 as fb@example.org ok" in line(out, "outgoing"),
             "OAuth 2.0: AUTH XOAUTH2 with a token from the endpoint", out + [err, r.stderr])
        ts.control("add_client", client_id="app", client_secret="other", user="fb@example.org")
        rc, out, err = mailtest(fb, "--outgoing")
        t.ok(rc == 1 and "FAILED" in line(out, "outgoing") and "invalid_client" in line(out, "outgoing")
             and "s3cret" not in line(out, "outgoing"),
             "a refused client secret: the token endpoint's error, never the secret", out + [err])
t.finish()
