#!/usr/bin/python3
"""IMAP login with OAuth 2.0 tokens (SASL XOAUTH2 and OAUTHBEARER) against a real Dovecot whose
oauth2 passdb introspects every token at tests/tokenserver.py (RFC 7662). The driver is run
through build/tools/mailtool with a token source (src/mail/oauth.c, client credentials or a
refresh token): both mechanisms, with and without SASL-IR; a token that expired on the token
source's clock and one the server no longer accepts are both replaced on the next pass and the
mail is read; a refused token (for another mailbox), a wrong client secret and a revoked
refresh token each give one clear error that names what to fix, never the token, and the mail
waits on the server until the fault is fixed."""
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers import MAILTOOL, Dovecot, Tap, make_cert, mailtool  # noqa: E402
from tokenserver import TokenServer  # noqa: E402

t = Tap()
# Access and refresh tokens as tokenserver.py makes them, the client secret, and the SASL
# responses in base64 ("user=" of XOAUTH2, "n,a=" of OAUTHBEARER): none may show in any output.
SECRET_RE = re.compile(r"\b(?:at|rt)-[A-Za-z0-9_-]{16,}|s3cret|dXNlcj1|biwsYT1")


def message(i):
    return ("From: Member <m@example.org>\r\nTo: fb@example.org\r\nSubject: reply %d\r\n"
            "Message-ID: <oauth%d@test>\r\n\r\nMy answer %d.\r\n" % (i, i, i)).encode()


def sha(b):
    return hashlib.sha256(b).hexdigest()


def got(out):
    return [line.split()[2] for line in out if re.match(r"^\d+:\d+ \d+ [0-9a-f]{64}$", line)]


def inbox_count(imap):
    md = imap.maildir()
    return sum(len(os.listdir(os.path.join(md, sub))) for sub in ("new", "cur"))


def no_secrets(what, *texts):
    leaks = [m.group(0)[:6] + "…" for txt in texts for m in SECRET_RE.finditer(txt)]
    t.ok(not leaks, "no token or secret in %s" % what, leaks)


def passes(args, between, gap_ms=2200):
    """mailtool fetch --passes 2: run between() while it pauses after pass 1."""
    p = subprocess.Popen([MAILTOOL, "fetch", "--passes", "2", "--pass-gap-ms", str(gap_ms)] + args,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = []
    for line in p.stdout:
        out.append(line.rstrip("\n"))
        if line.startswith("pass 1 done"):
            between()
    err = p.stderr.read()
    p.wait(30)
    return p.returncode, out, err


with tempfile.TemporaryDirectory() as tmp:
    ca, cert, key = make_cert(tmp)
    secret = os.path.join(tmp, "client_secret")
    with open(secret, "w") as f:
        f.write("s3cret\n")
    with TokenServer(tmp, clients={"app": "s3cret", "public": None}, client_users={"app": "fb"}) as ts:
        oauth2 = {"introspection_url": ts.url + "/introspect", "username_attribute": "username"}
        cc = ["--oauth-token-url", ts.url + "/token", "--oauth-client-id", "app", "--oauth-secret-file", secret,
              "--oauth-scope", "https://outlook.office365.com/.default"]
        # Three servers, stopped together at the end (a Dovecot takes seconds to stop).
        imap = Dovecot(tmp, tls=(cert, key), oauth2=oauth2).start()
        no_ir = Dovecot(tmp, oauth2=oauth2, imap_capability="IMAP4rev1 LITERAL+ IDLE UIDPLUS NAMESPACE").start()
        plain = Dovecot(tmp).start()
        try:
            # STARTTLS, verified; what was read moves to Processed, so each fetch sees what is new.
            base = ["--url", imap.url(), "--ca-file", ca, "--processed-folder", "Processed", "--user", "fb"]

            # 1. Both mechanisms log in and read the reply.
            imap.deliver(message(1))
            rc, out, err = mailtool("fetch", *base, *cc, "--oauth-mech", "xoauth2", "--no-mark")
            t.ok(rc == 0 and got(out) == [sha(message(1))], "XOAUTH2: logged in and the reply was read",
                 err + "\n".join(out))
            rc, out, err2 = mailtool("fetch", *base, *cc, "--oauth-mech", "oauthbearer")
            t.ok(rc == 0 and got(out) == [sha(message(1))], "OAUTHBEARER: logged in and the reply was read",
                 err2 + "\n".join(out))
            with open(imap.log) as f:
                log = f.read()
            t.ok("method=XOAUTH2" in log and "method=OAUTHBEARER" in log,
                 "Dovecot logged in fb with each mechanism (its oauth2 passdb asked the token server)")
            t.ok(ts.stats()["introspect_active"] >= 2, "Dovecot introspected the tokens", ts.stats())
            t.ok(err.strip() == "" and err2.strip() == "", "nothing logged when all is well", err + err2)

            # 2. A token that expires on the source's clock is replaced before the next login.
            ts.control("lifetime", seconds=2)
            before = ts.stats()["client_credentials"]
            rc, out, err = passes(base + cc, lambda: imap.deliver(message(2)))
            after = ts.stats()["client_credentials"]
            t.ok(rc == 0 and got(out) == [sha(message(2))], "short-lived token: the next pass read the new reply",
                 err + "\n".join(out))
            t.ok(after - before == 2 and "refused" not in err,
                 "... with a new token fetched before it expired, none refused", (before, after, err))

            # 4. A wrong client secret: one clear error, nothing read or lost; fixed, the reply is read.
            imap.deliver(message(4))
            with open(secret, "w") as f:
                f.write("wrong\n")
            rc, out, err = mailtool("fetch", *base, *cc)
            errs = [line for line in out if line.startswith("error")]
            t.ok(rc == 2 and len(errs) == 1 and "invalid_client" in errs[0] and ts.url in errs[0],
                 "wrong client secret: one error naming the token endpoint and invalid_client", out)
            print("# " + (errs[0] if errs else ""))
            no_secrets("the wrong secret's error", err, "\n".join(out))
            t.ok(inbox_count(imap) >= 1 and not got(out), "... and the reply waits in the mailbox")
            with open(secret, "w") as f:
                f.write("s3cret\n")
            rc, out, err = mailtool("fetch", *base, *cc)
            t.ok(rc == 0 and sha(message(4)) in got(out), "secret fixed: the waiting reply is read", err + "\n".join(out))

            # 5. A revoked refresh token (the grant `feedbackctl oauth login` stores): one error that
            #    says to sign in again; a new refresh token, and the reply is read.
            imap.deliver(message(5))
            token_file = os.path.join(tmp, "refresh_token")
            rt = ts.mint_refresh("public", user="fb", scope="https://mail.google.com/")
            fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(rt + "\n")
            ts.control("revoke", refresh_token=rt)
            rtok = ["--oauth-token-url", ts.url + "/token", "--oauth-client-id", "public", "--oauth-token-file", token_file]
            rc, out, err = mailtool("fetch", *base, *rtok, )
            errs = [line for line in out if line.startswith("error")]
            t.ok(rc == 2 and len(errs) == 1 and "invalid_grant" in errs[0] and "oauth login" in errs[0],
                 "revoked refresh token: one error saying to run feedbackctl oauth login again", out)
            print("# " + (errs[0] if errs else ""))
            no_secrets("the revoked token's error", err, "\n".join(out))
            rt = ts.mint_refresh("public", user="fb", scope="https://mail.google.com/")
            fd = os.open(token_file, os.O_WRONLY | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(rt + "\n")
            rc, out, err = mailtool("fetch", *base, *rtok, )
            t.ok(rc == 0 and got(out) == [sha(message(5))], "signed in again: the waiting reply is read",
                 err + "\n".join(out))

            # 3. The server stops accepting the token in hand (expired or revoked there): refused
            #    once, a fresh one fetched, the reply read. (3 and 6 come last: Dovecot slows down
            #    every login from an address for seconds after a failed one.)
            ts.control("lifetime", seconds=3600)

            def expire_and_deliver():
                ts.expire()
                imap.deliver(message(3))

            before = ts.stats()["client_credentials"]
            rc, out, err = passes(base + cc + ["--oauth-mech", "oauthbearer"], expire_and_deliver, gap_ms=300)
            after = ts.stats()["client_credentials"]
            t.ok(rc == 0 and got(out) == [sha(message(3))], "token refused by the server: the reply was still read",
                 err + "\n".join(out))
            t.ok(after - before == 2, "... with a fresh token after the refusal", (before, after))
            warn = [line for line in err.splitlines() if "refused" in line]
            t.ok(len(warn) == 1 and "OAUTHBEARER login as fb refused" in warn[0] and "invalid_token" in warn[0]
                 and "fetching a new token" in warn[0],
                 "... and one warning naming the mechanism, the user and the server's error status", err)
            print("# " + (warn[0] if warn else ""))
            no_secrets("the refusal's log", err, "\n".join(out))

            # 6. A token for another mailbox is refused twice (the fresh one too): the error names
            #    server, mechanism, user and the server's reply.
            rc, out, err = mailtool("fetch", *base[:-1], "someone-else", *cc, "--oauth-mech", "xoauth2")
            errs = [line for line in out if line.startswith("error")]
            t.ok(rc == 2 and len(errs) == 1 and "127.0.0.1:%d" % imap.port in errs[0]
                 and "XOAUTH2 login as someone-else refused, with a fresh token too" in errs[0]
                 and "Authentication failed." in errs[0], "token for another mailbox: refused twice, one clear error",
                 out + [err])
            print("# " + (errs[0] if errs else ""))
            no_secrets("the refusal's error", err, "\n".join(out))

            # 7. Without SASL-IR the response goes after the server's continuation request; a server
            #    that does not offer the mechanism is named as such.
            no_ir.deliver(message(7))
            rc, out, err = mailtool("fetch", "--url", no_ir.url(), "--starttls", "no", "--user", "fb", *cc,
                                    "--oauth-mech", "oauthbearer")
            t.ok(rc == 0 and got(out) == [sha(message(7))], "OAUTHBEARER without SASL-IR: logged in, reply read",
                 err + "\n".join(out))
            rc, out, err = mailtool("fetch", "--url", plain.url(), "--starttls", "no", "--user", "fb", *cc)
            t.ok(rc == 2 and any("does not offer AUTH=XOAUTH2 (it offers: AUTH=PLAIN AUTH=LOGIN)" in line
                                 for line in out), "a server without XOAUTH2 is named as such", out)
            print("# " + " ".join(out))

            # 8. open() is the login probe of `feedbackctl mail test`: a login that works but a
            #    folder that does not exist is named as such.
            rc, out, err = mailtool("fetch", *base, *cc, "--folder", "Feedbak")
            t.ok(rc == 2 and any('cannot open folder "Feedbak" (SELECT)' in line for line in out),
                 "a missing folder is named after a good login", out)
            print("# " + " ".join(out))
        finally:
            stops = [threading.Thread(target=d.stop) for d in (imap, no_ir, plain)]
            for th in stops:
                th.start()
            for th in stops:
                th.join()

t.finish()
