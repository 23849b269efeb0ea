#!/usr/bin/python3
"""Bounces that prove they are ours (issue 16), on the wire: the SMTP transport gives every
message its own envelope sender (MAIL FROM:<feedback+TOKEN@...>, VERP) as a real SMTP server
(Postfix's smtp-sink, which records each transaction's MAIL FROM in its dump) sees it; a
Postfix-style DSN sent back to that address is counted against the address we mailed, while a
stranger's notice about the same address changes nothing."""
import glob
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers import Feedbackd, SmtpSink, Tap  # noqa: E402

t = Tap()
NOW = "2027-01-04T09:00"
VERP = re.compile(r"^feedback\+[a-z2-7]{26}@feedbackd\.test$")


def mail_from(path):
    """The MAIL FROM address smtp-sink recorded for a dumped message (its X-Mail-Args header)."""
    with open(path, "rb") as f:
        head = f.read().split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
    m = re.search(r"^X-Mail-Args: <?([^>\s]*)>?", head, re.M)
    return m.group(1) if m else None


def dsn(to, msgid, failed="piet@example.nl", status="5.1.1"):
    return ("From: MAILER-DAEMON@mx.example.nl (Mail Delivery System)\r\nTo: %s\r\n"
            "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <%s@mx.example.nl>\r\n"
            "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n"
            "--B\r\nContent-Type: text/plain\r\n\r\n<%s>: 550 5.1.1 User unknown\r\n\r\n"
            "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.nl\r\n\r\n"
            "Final-Recipient: rfc822; %s\r\nAction: failed\r\nStatus: %s\r\n\r\n--B--\r\n"
            % (to, msgid, failed, failed, status))


with tempfile.TemporaryDirectory() as tmp:
    os.chmod(tmp, 0o755)  # smtp-sink run as root drops to nobody, who must reach its dump
    dump = os.path.join(tmp, "dump")
    with SmtpSink(tmp, dump_dir=dump, auth=False) as sink:
        fb = Feedbackd(tmp, {"outgoing": {"transport": "smtp", "url": sink.url(), "starttls": "no"},
                             "feedbackd": {"coordinator_address": "coord@feedbackd.test"}})
        fb.ctl("program", "create", "Pilot", "--start", "2027-01-11", "--force", now=NOW)
        fb.ctl("team", "add", "Pilot", "Sales", now=NOW)
        fb.ctl("member", "add", "Sales", "Piet Jansen", "piet@example.nl", now=NOW)
        for i in (1, 2):
            p = os.path.join(tmp, "m%d.eml" % i)
            with open(p, "w") as f:
                f.write("From: Feedback <feedback@feedbackd.test>\nTo: piet@example.nl\n"
                        "Message-ID: <m%d@feedbackd.test>\nSubject: Welkom %d\n\nHallo\n" % (i, i))
            fb.ctl("outbox", "add", "--to", "piet@example.nl", p, now=NOW)
        rc = fb.once(NOW)
        rows = dict(fb.sql("SELECT message_id, sender FROM outbox WHERE state = 'sent'"))
        t.ok(rc == 0 and len(rows) == 2, "both messages went out over SMTP",
             (rc, fb.sql("SELECT state, last_error FROM outbox"), fb.log_text()[-800:]))
        dumped = {}
        for path in glob.glob(os.path.join(dump, "*")):
            with open(path, "rb") as f:
                m = re.search(rb"^Message-ID: <([^>]+)>", f.read(), re.M)
            if m:
                dumped[m.group(1).decode()] = mail_from(path)
        t.ok(len(dumped) == 2 and set(dumped) == set(rows), "smtp-sink has both", (sorted(dumped), sorted(rows)))
        t.ok(all(VERP.match(dumped.get(k) or "") for k in rows),
             "the server saw MAIL FROM:<feedback+TOKEN@feedbackd.test>", dumped)
        t.ok(all(dumped.get(k) == v for k, v in rows.items()),
             "the MAIL FROM is the outbox row's envelope sender", (dumped, rows))
        t.ok(len(set(dumped.values())) == 2, "each message has its own envelope sender", dumped)

    # The mail server bounces it to that envelope sender; a stranger writes about Piet too.
    verp = rows["m1@feedbackd.test"]
    new = os.path.join(fb.dir, "in", "new")
    for d in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(fb.dir, "in", d), exist_ok=True)
    with open(os.path.join(new, "1.stranger"), "w") as f:
        f.write(dsn("feedback@feedbackd.test", "stranger"))
    with open(os.path.join(new, "2.real"), "w") as f:
        f.write(dsn(verp, "real"))
    fb.configure({"outgoing": {"maildir": os.path.join(fb.dir, "out")},
                  "feedbackd": {"coordinator_address": "coord@feedbackd.test"}})
    fb.once("2027-01-05T09:00")
    got = dict((r[0], (r[1], r[2])) for r in fb.sql("SELECT message_id, state, reason FROM inbox"))
    s = got.get("stranger@mx.example.nl", ("", ""))
    t.ok(s[0] == "ignored" and "bounce not about our mail" in (s[1] or ""),
         "the stranger's DSN (to our plain address) changes nothing", s)
    r = got.get("real@mx.example.nl", ("", ""))
    t.ok(r[0] == "applied" and "proved by our bounce address in its envelope recipient" in (r[1] or "")
         and "bounce score 2 of 4" in (r[1] or ""), "the DSN to our VERP address is counted", r)
    t.ok(fb.sql("SELECT count(*) FROM bounce WHERE address = 'piet@example.nl' AND outbox_id = "
                "(SELECT id FROM outbox WHERE message_id = 'm1@feedbackd.test')")[0][0] == 1,
         "against the message it returned")
t.finish()
