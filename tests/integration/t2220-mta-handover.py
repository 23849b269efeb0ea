#!/usr/bin/python3
"""Mail handed over by the organisation's MTA (issue 22), with a real Postfix on the feedbackd
host: Postfix delivers mail for feedback@ and feedback+*@feedbackd.test into the Maildir that
the running daemon reads ([incoming] mailbox = maildir), and the daemon sends through that
Postfix (STARTTLS required, its CA in ca_file, no AUTH: allowed by IP), which relays to the
organisation's smarthost (an aiosmtpd standing in for the world).

Anna replies to her nudge naming Jeroen, Jeroen answers the request: both answers go in over
SMTP (smtplib, as the members' mail servers would), Postfix delivers them, the daemon applies
them and what they cause (the request, the feedback to Anna, Jeroen's receipt) leaves through
Postfix and arrives at the smarthost. Gijs's address is refused by the smarthost with 550:
Postfix itself writes the DSN to the message's VERP envelope sender and delivers it into the
Maildir, and the daemon counts it against Gijs."""
import email
import glob
import os
import re
import smtplib
import sys
import tempfile
import time
from email import policy

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers import IS_ROOT, AioSmtpd, Feedbackd, Postfix, Tap, make_cert  # noqa: E402

if not IS_ROOT:
    print("1..0 # SKIP Postfix needs root")
    sys.exit(0)

t = Tap()
SETUP = "2027-01-01T12:00"
MONDAY = "2027-01-04T09:00"


def people_mails(people, to=None, kind=None):
    out = []
    for f in sorted(glob.glob(os.path.join(people, "new", "*")), key=os.path.getmtime):
        with open(f, "rb") as fh:
            m = email.message_from_bytes(fh.read(), policy=policy.default)
        if to and to not in str(m["To"]):
            continue
        if kind and m["X-Feedbackd-Kind"] != kind:
            continue
        out.append(m)
    return out


def wait_for(what, timeout=20.0):
    deadline = time.time() + timeout
    got = what()
    while not got and time.time() < deadline:
        time.sleep(0.1)
        got = what()
    return got


def text_of(m):
    return m.get_body(("plain",)).get_content()


def send_as_member(port, frm, rcpt, data):
    """What the member's mail server does: SMTP to the MX of the feedback domain."""
    with smtplib.SMTP("127.0.0.1", port, local_hostname="mx.example.nl", timeout=30) as s:
        s.sendmail(frm, [rcpt], data)


def reply(m, frm, msgid, body):
    return ("From: %s\r\nTo: %s\r\nSubject: Re: %s\r\nDate: Mon, 04 Jan 2027 10:30:00 +0100\r\n"
            "Message-ID: <%s>\r\nIn-Reply-To: %s\r\nReferences: %s\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n"
            % (frm, m["Reply-To"], m["Subject"], msgid, m["Message-ID"], m["Message-ID"], body)).encode()


def relayed(pf, m):
    """1 when Postfix's log says it handed message m (as the smarthost got it) to the smarthost
    for m's recipient: its cleanup line names the queue id of the Message-ID, its smtp line
    that queue id, the envelope recipient and relay 127.0.0.1."""
    log = pf.log_text()
    msgid = m["Message-ID"].strip("<> ")
    rcpt = m["To"].addresses[0].addr_spec
    for qid in re.findall(r"\]: ([0-9A-F]+): message-id=<%s>" % re.escape(msgid), log):
        if re.search(r"\]: %s: to=<%s>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:\d+, .*status=sent"
                     % (qid, re.escape(rcpt)), log):
            return True
    return False


with tempfile.TemporaryDirectory() as tmp:
    os.chmod(tmp, 0o755)
    people = os.path.join(tmp, "people")
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(people, sub))
    ca, cert, key = make_cert(tmp)
    with AioSmtpd(tmp, deliver_to_maildir=people,
                  fail={"rcpt_map": {"gijs@example.nl": "550 5.1.1 <gijs@example.nl>: no such user"}}) as world, \
            Postfix(tmp, relayhost="127.0.0.1:%d" % world.port, tls=(cert, key)) as pf:
        fb = Feedbackd(tmp, {"outgoing": {"transport": "smtp", "url": pf.url(), "starttls": "required",
                                          "ca_file": ca},
                             "incoming": {"mailbox": "maildir", "maildir": pf.maildir, "poll_interval": "1s"}})
        fb.ctl("program", "create", "Pilot", "--start", "2027-01-04", now=SETUP)
        fb.ctl("team", "add", "Pilot", "Blauw", now=SETUP)
        for name, addr in (("Anna Bakker", "anna@example.nl"), ("Jeroen Meijer", "jeroen@example.nl"),
                           ("Gijs de Vries", "gijs@example.nl")):
            fb.ctl("member", "add", "Blauw", name, addr, now=SETUP)
        try:
            fb.start(MONDAY)
            nudges = wait_for(lambda: len(people_mails(people, kind="nudge")) == 2 and people_mails(people, kind="nudge"))
            nudge = {m["To"].addresses[0].addr_spec: m for m in nudges or []}
            t.ok(sorted(nudge) == ["anna@example.nl", "jeroen@example.nl"] and all(relayed(pf, m) for m in nudges),
                 "the week-1 nudges went through Postfix to the smarthost", (sorted(nudge), fb.log_text()[-1500:]))
            t.ok("Anonymous TLS connection established from unknown[127.0.0.1]" in pf.log_text()
                 or "TLS connection established from" in pf.log_text(),
                 "feedbackd talked STARTTLS to Postfix", pf.log_text()[-1500:])
            t.ok("EHLO mx.feedbackd.test" in world.log_text(), "the smarthost got them from Postfix",
                 world.log_text())

            # Postfix bounces Gijs's nudge to its VERP envelope sender; the DSN lands in the Maildir.
            # the outbox marks a batch sent after the session: wait for that before counting
            wait_for(lambda: fb.sql("SELECT count(*) FROM outbox WHERE state <> 'sent'")[0][0] == 0)
            to_gijs = fb.sql("SELECT id FROM outbox WHERE recipient = 'gijs@example.nl' AND state = 'sent'")
            t.ok(len(to_gijs) >= 1, "the daemon handed Gijs's mail to Postfix", to_gijs)
            t.ok(wait_for(lambda: fb.sql("SELECT count(*) FROM bounce WHERE address = 'gijs@example.nl'")[0][0]
                          == len(to_gijs)),
                 "Postfix's own DSN for each of Gijs's messages was read and counted against him",
                 (to_gijs, fb.sql("SELECT * FROM bounce"), fb.sql("SELECT message_id, state, reason FROM inbox")))
            dsn = [r for r in fb.sql("SELECT state, reason, raw FROM inbox") if b"Undelivered Mail" in (r[2] or b"")]
            t.ok(len(dsn) == len(to_gijs) and all(
                r[0] == "applied" and "permanent delivery failure for gijs@example.nl (5.1.1; proved by our bounce "
                "address in its envelope recipient)" in (r[1] or "") for r in dsn),
                 "each DSN is proved ours by the VERP address Postfix delivered it to",
                 [(r[0], r[1]) for r in dsn])
            t.ok(sorted(r[0] for r in fb.sql("SELECT outbox_id FROM bounce WHERE address = 'gijs@example.nl'"))
                 == sorted(r[0] for r in to_gijs), "each against the message it returned")
            # Anna asks Jeroen, by replying to her nudge through her mail server.
            send_as_member(pf.port, "anna@example.nl", nudge["anna@example.nl"]["Reply-To"].addresses[0].addr_spec,
                           reply(nudge["anna@example.nl"], "Anna Bakker <anna@example.nl>", "anna1@example.nl",
                                 "Vraag feedback aan: Jeroen\r\nOver: mijn presentatie\r\n\r\nAnna"))
            req = wait_for(lambda: people_mails(people, to="jeroen@example.nl", kind="request"))
            t.ok(len(req) == 1 and "mijn presentatie" in text_of(req[0]),
                 "Anna's reply went through Postfix into the Maildir, and Jeroen's request came out",
                 (fb.sql("SELECT message_id, state, reason FROM inbox"), fb.log_text()[-1500:]))
            t.ok(req and relayed(pf, req[0]), "Postfix relayed the request to the smarthost for jeroen@example.nl")

            # Jeroen answers the request.
            if req:
                send_as_member(pf.port, "jeroen@example.nl", req[0]["Reply-To"].addresses[0].addr_spec,
                               reply(req[0], "Jeroen Meijer <jeroen@example.nl>", "jeroen1@example.nl",
                                     "Bevestiging: je opening was helder.\r\nKritiek: de conclusie was te lang.\r\n"
                                     "Constructief: eindig met een zin.\r\n\r\nJeroen"))
            got = wait_for(lambda: people_mails(people, to="anna@example.nl", kind="feedback_received"))
            t.ok(fb.sql("SELECT count(*) FROM inbox WHERE message_id = 'jeroen1@example.nl' AND state = 'applied'")[0][0]
                 == 1, "the daemon applied Jeroen's answer", fb.sql("SELECT message_id, state, reason FROM inbox"))
            st = fb.ctl_json("status", "Blauw", now=MONDAY)
            tot = {m["name"]: m["total"] for m in st["members"]}
            t.ok(tot.get("Anna Bakker", {}).get("received") == 1 and tot.get("Jeroen Meijer", {}).get("given") == 1,
                 "feedbackctl status counts it", tot)
            t.ok(len(got) == 1 and "de conclusie was te lang" in text_of(got[0]),
                 "the feedback reached Anna through Postfix", [text_of(m) for m in got])
            t.ok(got and relayed(pf, got[0]), "Postfix relayed it to the smarthost for anna@example.nl")
            t.ok(len(wait_for(lambda: people_mails(people, to="jeroen@example.nl", kind="feedback_receipt"))) == 1,
                 "Jeroen got his receipt")
            t.ok(not people_mails(people, to="gijs@example.nl"), "nothing reached Gijs's refused address")
            t.ok(wait_for(pf.queue_empty), "nothing is left in Postfix's queue")
        finally:
            rc = fb.stop()
        t.ok(rc == 0, "the daemon stops cleanly", fb.log_text()[-1500:])
t.finish()
