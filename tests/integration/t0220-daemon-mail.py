#!/usr/bin/python3
# run-tests: alone (it measures time: nothing may run beside it)
"""Mail in and out through feedbackd itself (not the drivers alone): messages queued with
`feedbackctl outbox add` leave through parallel SMTP sessions into aiosmtpd, which delivers into
the Maildir that Dovecot serves; messages put in an IMAP mailbox land in the inbox table once.
Faults: SMTP down at start, 4xx, 5xx, a connection dropped mid-session; Dovecot restarted while
the daemon idles. The daemon is the real one (BUILD=build or build-san), configured by a file in
a temporary directory; its clock is --now, stepped to make retries due."""
import email
import hashlib
import mailbox
import os
import sys
import tempfile
import time
from email import policy
from email.message import EmailMessage

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers import AioSmtpd, Dovecot, Feedbackd, Tap, free_port, imap_fetch_all, new_uidvalidity  # noqa: E402

t = Tap()
N = 500
T0 = "2027-01-04T09:00:00Z"
T1 = "2027-01-04T11:00:00Z"   # after any first back-off (1m initial, ±25 %)
T2 = "2027-01-04T15:00:00Z"


def outgoing(i, tag="out"):
    """A personalised message with RFC 2047 headers, an 8-bit UTF-8 body and dot lines."""
    m = EmailMessage(policy=policy.default)
    m["From"] = "Jürgen Ünal — Feedback <feedback@feedbackd.test>"
    m["To"] = "Lid %d Ørsted <m%d@example.org>" % (i, i)
    m["Subject"] = "Week 3: één vraag om feedback, €%d voor lid %d" % (i, i)
    m["Message-ID"] = "<%s%d@feedbackd.test>" % (tag, i)
    m["Date"] = "Mon, 04 Jan 2027 10:00:00 +0100"
    m.set_content("Hallo lid %d,\n.\n..twee punten\nÉén regel met € en ß.\n%s\n" % (i, "x" * (i % 300)),
                  charset="utf-8", cte="8bit")
    return m.as_bytes(policy=policy.default)


def norm(b):
    return b.replace(b"\r\n", b"\n").rstrip(b"\n")


def write_files(d, msgs):
    os.makedirs(d, exist_ok=True)
    paths = []
    for i, m in enumerate(msgs):
        p = os.path.join(d, "m%05d.eml" % i)
        with open(p, "wb") as f:
            f.write(m)
        paths.append(p)
    return paths


def states(fb):
    return dict(fb.sql("SELECT state, count(*) FROM outbox GROUP BY state"))


def maildir_ids(path):
    """Message-IDs of the messages in a Maildir (a list, duplicates kept)."""
    return [m["Message-ID"] for m in mailbox.Maildir(path, factory=None, create=False)]


def plain_maildir(tmp, name):
    p = os.path.join(tmp, name)
    mailbox.Maildir(p, create=True)
    os.chmod(p, 0o777)
    for sub in ("tmp", "new", "cur"):
        os.chmod(os.path.join(p, sub), 0o777)
    return p


def smtp_daemon(tmp, port, name, sessions=4, batch=50, extra=None):
    out = {"transport": "smtp", "url": "smtp://127.0.0.1:%d" % port, "starttls": "no",
           "sessions": str(sessions), "batch_size": str(batch), "timeout": "10s"}
    out.update(extra or {})
    return Feedbackd(tmp, {"outgoing": out}, name=name)


def wait_until(cond, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.1)
    return cond()


started = time.monotonic()
with tempfile.TemporaryDirectory() as tmp:
    with Dovecot(tmp, users={"fb": "secret", "in": "secret", "idle": "secret"}) as imap:
        # ---- 1. 500 messages out: outbox → 4 SMTP sessions → aiosmtpd → Dovecot's Maildir ------
        msgs = [outgoing(i) for i in range(N)]
        files = write_files(os.path.join(tmp, "out"), msgs)
        with AioSmtpd(tmp, deliver_to_maildir=imap.maildir("fb")) as smtp:
            fb = smtp_daemon(tmp, smtp.port, "send")
            fb.ctl("outbox", "add", "--to", "member@example.org", "--kind", "test", *files, now=T0)
            t.ok(states(fb) == {"queued": N}, "500 messages queued with feedbackctl outbox add", states(fb))
            rc = fb.once(T0)
            t.ok(rc == 0 and states(fb) == {"sent": N}, "one daemon pass sends all 500 (sessions = 4)",
                 "%s %s" % (states(fb), fb.log_text()[-1500:]))
            ehlos = smtp.log_text().count("EHLO")
            t.ok(ehlos >= 4, "... over parallel SMTP sessions (%d EHLO)" % ehlos)
            rc = fb.once(T1)
            t.ok(rc == 0 and smtp.log_text().count("ACCEPTED") == N, "a second pass sends none again")
        got = imap_fetch_all(imap, "fb")
        by_id = {}
        for raw in got:
            by_id.setdefault(email.message_from_bytes(raw, policy=policy.default)["Message-ID"], []).append(raw)
        t.ok(len(got) == N and len(by_id) == N, "Dovecot serves every message exactly once (%d, %d distinct)"
             % (len(got), len(by_id)))
        intact = 0
        headers_ok = 0
        for i, m in enumerate(msgs):
            raws = by_id.get("<out%d@feedbackd.test>" % i)
            if not raws:
                continue
            if norm(raws[0]) == norm(m):
                intact += 1
            p = email.message_from_bytes(raws[0].replace(b"\r\n", b"\n"), policy=policy.default)
            if (p["Subject"] == "Week 3: één vraag om feedback, €%d voor lid %d" % (i, i)
                    and p["From"].addresses[0].display_name == "Jürgen Ünal — Feedback"
                    and p.get_content().startswith("Hallo lid %d,\n.\n..twee punten\nÉén regel met € en ß." % i)):
                headers_ok += 1
        t.ok(intact == N, "every message arrives byte for byte (line ends aside): %d of %d" % (intact, N))
        t.ok(headers_ok == N, "UTF-8 headers (RFC 2047) and 8-bit bodies with dot lines read back intact: %d" % headers_ok)

        # ---- 2. 500 messages in: Dovecot → IMAP → inbox table, once ---------------------------
        incoming = {"mailbox": "imap", "url": imap.url(), "starttls": "no", "username": "in",
                    "password": "secret", "idle": "yes"}
        rd = Feedbackd(tmp, {"incoming": incoming}, name="read")
        sums = set()
        for i in range(N):
            m = outgoing(i, tag="in").replace(b"\n", b"\r\n")
            imap.deliver(m, user="in")
            sums.add(hashlib.sha256(m).hexdigest())
        rc = rd.once(T0)
        rows = rd.sql("SELECT sha256, message_id, state FROM inbox")
        t.ok(rc == 0 and len(rows) == N, "one pass stores the 500 messages in the inbox (%d)" % len(rows),
             rd.log_text()[-1500:])
        t.ok({r[0] for r in rows} == sums, "... each once, the raw bytes as Dovecot served them")
        # The same pass applies what it read: mail from strangers is quarantined, none stays pending.
        t.ok(all(r[2] in ("applied", "ignored", "quarantined") for r in rows),
             "... and processed in the same pass (none left pending)", {r[2] for r in rows})
        listed = rd.ctl_json("inbox", "list", "--limit", "1000")
        t.ok(isinstance(listed, list) and len(listed) == N, "feedbackctl inbox list --json shows them",
             str(listed)[:300])
        pos = rd.sql("SELECT uidvalidity, last_uid FROM mailbox_position")
        t.ok(len(pos) == 1 and pos[0][1] == N, "the position (UIDVALIDITY, last UID %s) is saved" % (pos,))
        before = rd.log_text()
        rc = rd.once(T1)
        t.ok(rc == 0 and rd.sql("SELECT count(*) FROM inbox")[0][0] == N
             and "new message" not in rd.log_text()[len(before):],
             "a restarted daemon reads none again", rd.log_text()[len(before):][-800:])
        new_uidvalidity(imap, "in")
        imap.deliver(outgoing(N, tag="in").replace(b"\n", b"\r\n"), user="in")
        before = rd.log_text()
        rc = rd.once(T2)
        after = rd.log_text()[len(before):]
        pos2 = rd.sql("SELECT uidvalidity, last_uid FROM mailbox_position")
        t.ok(rc == 0 and "UIDVALIDITY changed" in after, "a new UIDVALIDITY is noticed", after[-800:])
        t.ok(rd.sql("SELECT count(*) FROM inbox")[0][0] == N + 1 and "500 already known" in after,
             "... the mailbox is read again: the new message stored, the 500 known ones skipped", after[-800:])
        t.ok(pos2[0][0] != pos[0][0] and pos2[0][1] == N + 1, "... and the new position saved %s" % (pos2,))

        # ---- 3. faults on the way out ---------------------------------------------------------
        few = write_files(os.path.join(tmp, "few"), [outgoing(i, tag="few") for i in range(20)])

        # 3a. SMTP down at start: the messages wait, and go when it comes up.
        port = free_port()
        fb = smtp_daemon(tmp, port, "down")
        fb.ctl("outbox", "add", "--to", "member@example.org", *few, now=T0)
        rc = fb.once(T0)
        err = fb.sql("SELECT last_error FROM outbox LIMIT 1")[0][0] or ""
        t.ok(rc == 0 and states(fb) == {"retry": 20}, "SMTP down: all 20 wait for a retry (%s)" % err, states(fb))
        md = plain_maildir(tmp, "md-down")
        with AioSmtpd(tmp, deliver_to_maildir=md, port=port):
            rc = fb.once(T0)
            t.ok(states(fb) == {"retry": 20}, "... not before their back-off is over", states(fb))
            rc = fb.once(T1)
            t.ok(rc == 0 and states(fb) == {"sent": 20} and len(set(maildir_ids(md))) == 20
                 and len(maildir_ids(md)) == 20, "... and all go, once each, when it is up", states(fb))

        # 3b. 4xx for one recipient: retried; 5xx for another: failed, and shown.
        port = free_port()
        fb = smtp_daemon(tmp, port, "codes")
        fb.ctl("outbox", "add", "--to", "ok@example.org", *few[:10], now=T0)
        fb.ctl("outbox", "add", "--to", "later@example.org", *few[10:15], now=T0)
        fb.ctl("outbox", "add", "--to", "gone@example.org", *few[15:20], now=T0)
        md = plain_maildir(tmp, "md-codes")
        codes = {"later@example.org": "451 4.3.0 mailbox busy, try later",
                 "gone@example.org": "550 5.1.1 no such user here"}
        with AioSmtpd(tmp, deliver_to_maildir=md, port=port, fail={"rcpt_map": codes}):
            fb.once(T0)
        st = states(fb)
        t.ok(st == {"sent": 10, "retry": 5, "failed": 5},
             "4xx: those 5 are kept for a retry; 5xx: those 5 failed at once", st)
        with AioSmtpd(tmp, deliver_to_maildir=md, port=port):
            fb.once(T1)
        st = states(fb)
        t.ok(st == {"sent": 15, "failed": 5}, "... the 4xx ones are sent on the retry, the failed stay failed", st)
        tries = dict(fb.sql("SELECT recipient, max(attempts) FROM outbox GROUP BY recipient"))
        t.ok(tries == {"ok@example.org": 1, "later@example.org": 2, "gone@example.org": 1},
             "attempts counted: %s" % tries)
        shown = fb.ctl("outbox", "list", "--state", "failed").stdout
        # (a folded Subject is listed with its line break: one row may take two lines)
        t.ok(len([ln for ln in shown.splitlines() if " failed " in ln and "gone@example.org" in ln]) == 5
             and shown.count("gone@example.org: 550 5.1.1 no such user here") == 5,
             "feedbackctl outbox list --state failed shows them with the server's answer", shown)
        js = fb.ctl_json("outbox", "list", "--state", "failed")
        t.ok(len(js) == 5 and all("550 5.1.1" in (r.get("error") or r.get("last_error") or "") for r in js),
             "... also as JSON", str(js)[:400])
        t.ok(sorted(maildir_ids(md)) == sorted(set(maildir_ids(md))) and len(maildir_ids(md)) == 15,
             "no message delivered twice (%d)" % len(maildir_ids(md)))

        # 3c. The connection dropped mid-session: what was taken stays sent, the rest goes later.
        port = free_port()
        fb = smtp_daemon(tmp, port, "drop", sessions=2, batch=10)
        fb.ctl("outbox", "add", "--to", "member@example.org", *few, now=T0)
        md = plain_maildir(tmp, "md-drop")
        with AioSmtpd(tmp, deliver_to_maildir=md, port=port, drop_after=7) as s1:
            rc = fb.once(T0)
            dropped = "DROP" in s1.log_text()
        st = states(fb)
        t.ok(rc == 0 and dropped and st.get("sent") == 7 and st.get("retry") == 13,
             "dropped after 7 messages: 7 sent, 13 to retry", st)
        with AioSmtpd(tmp, deliver_to_maildir=md, port=port):
            fb.once(T1)
        ids = maildir_ids(md)
        t.ok(states(fb) == {"sent": 20} and len(ids) == 20 and len(set(ids)) == 20,
             "... and after the retry all 20 arrived, each once (%d files, %d distinct)" % (len(ids), len(set(ids))))

        # ---- 4. Dovecot restarted while the daemon idles --------------------------------------
        incoming = {"mailbox": "imap", "url": imap.url(), "starttls": "no", "username": "idle",
                    "password": "secret", "idle": "yes", "poll_interval": "60s", "timeout": "10s"}
        fd = Feedbackd(tmp, {"incoming": incoming}, name="idle")
        with fd:
            fd.start()

            def count():
                try:
                    return fd.sql("SELECT count(*) FROM inbox")[0][0]
                except Exception:
                    return -1
            imap.deliver(outgoing(1, tag="idle").replace(b"\n", b"\r\n"), user="idle")
            t.ok(wait_until(lambda: count() == 1, 15), "the foreground daemon reads a message that arrives",
                 fd.log_text()[-800:])
            time.sleep(0.5)  # idling now
            imap.restart()
            imap.deliver(outgoing(2, tag="idle").replace(b"\n", b"\r\n"), user="idle")
            t0 = time.monotonic()
            ok = wait_until(lambda: count() == 2, 30)
            t.ok(ok, "after Dovecot restarted under its IDLE it reconnects and reads the next message (%.1f s)"
                 % (time.monotonic() - t0), fd.log_text()[-1500:])
            t0 = time.monotonic()
            rc = fd.stop(10)
            t.ok(rc == 0 and time.monotonic() - t0 < 5, "SIGTERM stops it promptly (exit %s, %.1f s)"
                 % (rc, time.monotonic() - t0))

print("# %.1f s" % (time.monotonic() - started))
t.finish()
