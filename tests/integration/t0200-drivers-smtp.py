#!/usr/bin/python3
"""The SMTP transport driver (libesmtp) against real servers: aiosmtpd delivering into a
Maildir that Dovecot serves, scripted to fail, drop, require AUTH and offer or omit STARTTLS.
Checks that every outcome maps to OK / TEMPFAIL / PERMFAIL as include/transport.h promises,
and that TLS and AUTH really protect (the server's log says what it accepted)."""
import email.header
import hashlib
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers import AioSmtpd, Dovecot, SmtpSink, Tap, free_port, mailtool, make_cert  # noqa: E402

t = Tap()
N = 500


def crlf(b):
    return b.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def write_messages(d, n):
    files, hashes = [], {}
    os.makedirs(d, exist_ok=True)
    for i in range(n):
        subj = email.header.Header("Feedback week %d — Bevestiging & Kritiek ✓ ü" % i, "utf-8").encode()
        name = email.header.Header("Jürgen Ørsted %d" % i, "utf-8").encode()
        body = ("Hallo Jürgen,\n\nDit is bericht %d. Één regel met é, ß en €.\n"
                ".Een regel die met een punt begint\n.\n..twee punten\nEinde %d\n" % (i, i))
        msg = ("From: feedbackd <fb@example.org>\nTo: %s <fb@example.org>\nSubject: %s\n"
               "Date: Mon, 23 Nov 2026 10:00:00 +0100\nMessage-ID: <m%d@feedbackd.test>\n"
               "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
               "Content-Transfer-Encoding: 8bit\n\n%s" % (name, subj, i, body)).encode()
        path = os.path.join(d, "m%04d.eml" % i)
        with open(path, "wb") as f:
            f.write(msg)
        files.append(path)
        hashes[hashlib.sha256(crlf(msg)).hexdigest()] = path
    return files, hashes


def statuses(lines):
    return [line.split(" ", 2)[1] for line in lines if not line.startswith("error")]


with tempfile.TemporaryDirectory() as tmp:
    ca, cert, key = make_cert(tmp)
    ca_other, cert_other, key_other = make_cert(tmp, cn="localhost")
    pw = os.path.join(tmp, "pw")
    with open(pw, "w") as f:
        f.write("secret\n")
    bad = os.path.join(tmp, "bad")
    with open(bad, "w") as f:
        f.write("wrong\n")
    files, hashes = write_messages(os.path.join(tmp, "out"), N)
    one = files[:1]

    with Dovecot(tmp, users={"fb": "secret"}) as imap:
        md = imap.maildir("fb")
        # 1. 500 messages, one session, STARTTLS verified with the CA file, into Dovecot.
        with AioSmtpd(tmp, deliver_to_maildir=md, tls=(cert, key), starttls=True) as smtp:
            rc, out, err = mailtool("send", "--url", smtp.url(), "--ca-file", ca, "--rcpt", "fb@example.org", *files)
            st = statuses(out)
            t.ok(rc == 0 and st.count("ok") == N, "500 messages sent over one session are all OK",
                 "\n".join(out[:5]) + err)
            log = smtp.log_text()
            t.ok(log.count("ACCEPTED") == N and log.count("EHLO") == 2,
                 "the server saw one session (EHLO before and after STARTTLS) and 500 messages",
                 log[-500:])
            t.ok("plain" not in [w for line in log.splitlines() if line.startswith("ACCEPTED") for w in line.split()],
                 "every message was accepted over TLS")
        rc, out, err = mailtool("fetch", "--url", imap.url(), "--starttls", "no", "--user", "fb",
                                "--password-file", pw)
        got = [line.split() for line in out if not line.startswith("position")]
        sha = [g[2] for g in got if len(g) == 3]
        t.ok(len(got) == N and len(set(g[0] for g in got)) == N, "Dovecot has each message once",
             "%d lines; %s" % (len(got), err))
        t.ok(set(sha) == set(hashes), "every body arrived intact (UTF-8, RFC 2047, dot lines)",
             "%d of %d hashes match" % (len(set(sha) & set(hashes)), N))

        # 2. 4xx → TEMPFAIL, 5xx → PERMFAIL, partial recipients.
        with AioSmtpd(tmp, fail={"rcpt": "451 4.3.0 Try again later"}) as smtp:
            rc, out, _ = mailtool("send", "--url", smtp.url(), "--starttls", "no", "--rcpt", "a@x", *files[:3])
            t.ok(rc == 1 and statuses(out) == ["tempfail"] * 3 and "451" in out[0],
                 "a 451 for the recipient is TEMPFAIL with the server's reply", out)
        with AioSmtpd(tmp, fail={"rcpt": "550 5.1.1 No such user"}) as smtp:
            rc, out, _ = mailtool("send", "--url", smtp.url(), "--starttls", "no", "--rcpt", "a@x", *files[:3])
            t.ok(rc == 1 and statuses(out) == ["permfail"] * 3 and "550 5.1.1" in out[0],
                 "a 550 for the recipient is PERMFAIL with the server's reply", out)
        with AioSmtpd(tmp, fail={"rcpt": "550 5.1.1 No such user", "rcpt_only": "gone@x"}) as smtp:
            rc, out, _ = mailtool("send", "--url", smtp.url(), "--starttls", "no", "--rcpt", "a@x",
                                  "--rcpt", "gone@x", *one)
            t.ok(statuses(out) == ["ok"] and "gone@x: 550" in out[0],
                 "one recipient refused of two: OK, and the detail names the refused one", out)
        with AioSmtpd(tmp, fail={"data": "554 5.6.0 Content rejected"}) as smtp:
            rc, out, _ = mailtool("send", "--url", smtp.url(), "--starttls", "no", "--rcpt", "a@x", *one)
            t.ok(statuses(out) == ["permfail"] and "554" in out[0], "a 554 after DATA is PERMFAIL", out)

        # 3. The connection dropped mid-session: the sent ones OK, the rest TEMPFAIL.
        with AioSmtpd(tmp, drop_after=3) as smtp:
            rc, out, _ = mailtool("send", "--url", smtp.url(), "--starttls", "no", "--rcpt", "a@x", *files[:8])
            st = statuses(out)
            t.ok(st == ["ok"] * 3 + ["tempfail"] * 5, "dropped after 3 of 8: 3 OK, 5 TEMPFAIL", out)
            t.ok(smtp.log_text().count("ACCEPTED") == 3, "the server accepted exactly 3")

        # 4. Nobody listening: TEMPFAIL.
        rc, out, _ = mailtool("send", "--url", "smtp://127.0.0.1:%d" % free_port(), "--starttls", "no",
                              "--rcpt", "a@x", *files[:2])
        t.ok(statuses(out) == ["tempfail"] * 2, "server down: every message TEMPFAIL", out)

        # 5. TLS that protects.
        with AioSmtpd(tmp, tls=(cert, key), starttls=True) as smtp:
            rc, out, _ = mailtool("send", "--url", smtp.url(), "--rcpt", "a@x", *one)
            t.ok(statuses(out) == ["tempfail"] and "not trusted" in out[0],
                 "a self-signed server certificate is refused by default", out)
            t.ok("ACCEPTED" not in smtp.log_text(), "... and the server got no mail")
            rc, out, _ = mailtool("send", "--url", smtp.url(), "--ca-file", ca_other, "--rcpt", "a@x", *one)
            t.ok(statuses(out) == ["tempfail"], "a certificate from another CA is refused", out)
            rc, out, _ = mailtool("send", "--url", smtp.url(), "--ca-file", ca, "--rcpt", "a@x", *one)
            t.ok(statuses(out) == ["ok"] and "ACCEPTED 1 tls" in smtp.log_text(),
                 "accepted with --ca-file, over TLS", out)
        with AioSmtpd(tmp, tls=(cert_other, key_other), starttls=True) as smtp:
            rc, out, _ = mailtool("send", "--url", smtp.url(), "--ca-file", ca_other, "--rcpt", "a@x", *one)
            t.ok(statuses(out) == ["tempfail"] and "ACCEPTED" not in smtp.log_text(),
                 "a trusted certificate for another host name (localhost, not 127.0.0.1) is refused", out)
            rc, out, _ = mailtool("send", "--url", smtp.url(), "--no-verify", "--rcpt", "a@x", *one)
            t.ok(statuses(out) == ["ok"], "--no-verify accepts it", out)
        with AioSmtpd(tmp) as smtp:
            rc, out, _ = mailtool("send", "--url", smtp.url(), "--rcpt", "a@x", *files[:2])
            t.ok(statuses(out) == ["tempfail"] * 2 and "STARTTLS" in out[0],
                 "STARTTLS required but not offered: TEMPFAIL saying so", out)
            t.ok("ACCEPTED" not in smtp.log_text(), "... and the server got no mail", smtp.log_text())
        rc, out, _ = mailtool("send", "--url", "smtps://127.0.0.1:465", "--rcpt", "a@x", *one)
        t.ok(rc == 2 and "smtps://" in out[0] and "STARTTLS" in out[0],
             "smtps:// is refused with a clear error (libesmtp cannot do implicit TLS)", out)

        # 6. AUTH that really happens.
        with AioSmtpd(tmp, tls=(cert, key), starttls=True, require_auth=("fbuser", "secret")) as smtp:
            rc, out, _ = mailtool("send", "--url", smtp.url(), "--ca-file", ca, "--user", "fbuser",
                                  "--password-file", pw, "--rcpt", "a@x", *files[:2])
            log = smtp.log_text()
            t.ok(statuses(out) == ["ok"] * 2 and "success" in log and "auth=True" in log,
                 "AUTH with the right password: the server logs success and accepts", out + [log])
            rc, out, _ = mailtool("send", "--url", smtp.url(), "--ca-file", ca, "--user", "fbuser",
                                  "--password-file", bad, "--rcpt", "a@x", *one)
            log = smtp.log_text()
            # the detail names server, mechanism and user ("... AUTH LOGIN as fbuser ...") and
            # the server's 535
            t.ok(statuses(out) == ["tempfail"] and re.search(r"AUTH [A-Z0-9-]+ as fbuser", out[0])
                 and "535" in out[0]
                 and log.count("ACCEPTED") == 2 and "failure" in log,
                 "a wrong password: TEMPFAIL naming AUTH and the server's 535, nothing accepted", out)
            rc, out, _ = mailtool("send", "--url", smtp.url(), "--ca-file", ca, "--rcpt", "a@x", *one)
            t.ok(statuses(out) == ["permfail"] and "530" in out[0], "no AUTH to a server that requires it: 530 PERMFAIL", out)

        with AioSmtpd(tmp, tls=(cert, key), starttls=True) as smtp:
            # aiosmtpd offers AUTH even without an authenticator, and refuses every attempt.
            rc, out, _ = mailtool("send", "--url", smtp.url(), "--ca-file", ca, "--user", "fbuser",
                                  "--password-file", pw, "--rcpt", "a@x", *files[:2])
            t.ok(statuses(out) == ["tempfail"] * 2 and
                 re.search(r"127\.0\.0\.1:\d+ refused AUTH [A-Z0-9-]+ as fbuser: 535", out[0]),
                 "AUTH refused by a server that does not require it: TEMPFAIL with its 535", out)
            t.ok("ACCEPTED" not in smtp.log_text(), "... and nothing was sent unauthenticated", smtp.log_text())
        dump = os.path.join(tmp, "sink")
        with SmtpSink(tmp, dump_dir=dump, auth=False) as sink:  # offers no AUTH at all
            rc, out, _ = mailtool("send", "--url", sink.url(), "--starttls", "no", "--user", "fbuser",
                                  "--password-file", pw, "--rcpt", "a@x", *files[:2])
            t.ok(statuses(out) == ["tempfail"] * 2 and "offers no AUTH" in out[0],
                 "a user set but the server offers no AUTH: TEMPFAIL saying so", out)
            rc, out, _ = mailtool("send", "--url", sink.url(), "--starttls", "no", "--rcpt", "a@x", *files[:1])
            t.ok(statuses(out) == ["ok"], "(the same server takes mail without a user)", out)
        t.ok(len(os.listdir(dump)) == 1, "... and only that one message arrived", os.listdir(dump))

t.finish()
