#!/usr/bin/python3
"""Three doors on the embedded default (SQLite + Maildir), through `feedbackd --once`:

1. One sender, one address: a reply with Jan's token from `<jan@example.nl>@evil.example`, from
   two addresses, from a group or from nobody is nobody's: not applied, the reason says why;
   Jan's own reply is applied.
2. Complaints are not replies: an ARF spam complaint (RFC 5965) that repeats Jan's subject with
   its [#token], sent from Jan's own address (a mail program's "report spam"), is a complaint:
   never answered or read as his reply; because its returned message is our nudge to Jan, Jan
   gets no more mail (next week's nudge skips him, anything queued to him is not sent) and the
   coordinator is told once (a second complaint tells nobody again). A complaint whose
   returned message is not ours is kept, not applied, whatever token its subject repeats.
3. Dedupe that a stranger cannot poison: a stranger's mail carrying the Message-ID of Anna's
   later reply does not make that reply "already known"; the same reply delivered again (the
   same bytes, or by another route with another Received line) is still stored once."""
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "sim"))
sys.path.insert(0, os.path.join(HERE, ".."))
import clients  # noqa: E402
import sim  # noqa: E402
from servers import Tap  # noqa: E402

t = Tap()
TEAM = (("Jan de Vries", "jan@example.nl"), ("Piet Jansen", "piet@example.nl"),
        ("Anna Bakker", "anna@example.nl"))
COORDINATOR = "coordinator@example.nl"
work = tempfile.mkdtemp(prefix="fbdoor.")
s = sim.Sim(work, {"feedbackd": {"coordinator_address": COORDINATOR}})
AT = "2027-01-04T10:00"


def inbox(n=1):
    return s.sql("SELECT id, state, kind, reason FROM inbox ORDER BY id DESC LIMIT ?", n)


def one(kind, to):
    got = s.sent(to=to, kind=kind)
    if not got:
        raise SystemExit("Bail out! no %s mail to %s" % (kind, to))
    return got[-1]


def with_from(raw, frm):
    """raw with its From header replaced by frm (bytes in, bytes out)."""
    head, body = raw.split(b"\r\n\r\n", 1)
    lines = [b"From: " + frm.encode() if line.lower().startswith(b"from:") else line
             for line in head.split(b"\r\n")]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def arf(frm, subject, returned):
    """An ARF report (RFC 5965) as a mail provider or a mail program's "report spam" sends it."""
    b = "arf-boundary-%d" % len(returned)
    return (("From: %s\r\nTo: feedback@feedbackd.test\r\nSubject: %s\r\n"
             "Date: Mon, 04 Jan 2027 10:00:00 +0100\r\nMessage-ID: <arf%d@example.nl>\r\n"
             "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=feedback-report;\r\n"
             "\tboundary=\"%s\"\r\n\r\n--%s\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
             "This is an email abuse report for an email message received on 4 Jan 2027.\r\n"
             "--%s\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\n"
             "User-Agent: ReportSpam/1.0\r\nVersion: 1\r\nOriginal-Mail-From: "
             "<feedback@feedbackd.test>\r\nOriginal-Rcpt-To: <jan@example.nl>\r\n"
             "Reported-Domain: feedbackd.test\r\n\r\n--%s\r\nContent-Type: message/rfc822\r\n"
             "Content-Disposition: inline\r\n\r\n"
             % (frm, subject, len(returned), b, b, b, b)).encode() + returned +
            ("\r\n--%s--\r\n" % b).encode())


try:
    N = "2027-01-01T12:00"
    s.ctl("program", "create", "Pilot", "--start", "2027-01-04", now=N)
    s.ctl("team", "add", "Pilot", "Blauw", now=N)
    for name, addr in TEAM:
        s.ctl("member", "add", "Pilot/Blauw", name, addr, now=N)
    s.run("2027-01-04T09:30")
    jan_nudge = one("nudge", "jan@example.nl")
    ASK = "Vraag feedback aan: Piet Jansen\nOver: mijn presentatie"

    # --- 1. one sender, one address --------------------------------------------------------
    for frm, why in (("<jan@example.nl>@evil.example", "text after its address"),
                     ("Jan de Vries <jan@example.nl>@evil.example", "text after its address"),
                     ("jan@example.nl, mallory@evil.example", "more than one address"),
                     ("Blauw: jan@example.nl;", "a group"),
                     ("", "not one address")):
        raw = with_from(clients.reply(jan_nudge, "jan@example.nl", "Jan de Vries", ASK, at=AT),
                        frm)
        s.deliver(raw, AT)
        sent = len(s.mail)
        s.pass_at(AT)
        _, state, kind, reason = inbox()[0]
        t.ok(state == "ignored" and why in (reason or ""),
             "From: %s with Jan's token is nobody's (%s)" % (frm or "(empty)", why),
             (state, kind, reason))
        t.ok(len(s.mail) == sent and not s.sql("SELECT 1 FROM feedback_request"),
             "From: %s: nothing asked, nothing sent" % (frm or "(empty)"))
    s.deliver(clients.reply(jan_nudge, "jan@example.nl", "Jan de Vries", ASK, at=AT), AT)
    s.pass_at(AT)
    t.ok(inbox()[0][1] == "applied" and s.sql("SELECT count(*) FROM feedback_request")[0][0] == 1,
         "Jan's own reply is applied", inbox()[0])

    # --- 2. complaints are not replies -----------------------------------------------------
    piet_nudge = one("nudge", "piet@example.nl")
    sent = len(s.mail)
    s.deliver(arf("jan@example.nl", "FW: " + jan_nudge.subject, jan_nudge.raw), AT)
    s.pass_at(AT)
    _, state, kind, reason = inbox()[0]
    t.ok(kind == "complaint" and state == "applied" and "ARF" in (reason or ""),
         "an ARF report repeating Jan's [#token] is a complaint about our mail to Jan",
         (state, kind, reason))
    new = s.mail[sent:]
    t.ok(not [m for m in new if m.rcpt == "jan@example.nl"],
         "the complaint is not answered as Jan's reply", new)
    told = [m for m in new if m.rcpt == COORDINATOR and m.kind == "complaint"]
    t.ok(len(told) == 1 and "Jan de Vries" in told[0].text and "jan@example.nl" in told[0].text,
         "the coordinator is told, naming Jan and his address", new)
    sent = len(s.mail)
    s.deliver(arf("staff@provider.example", "Complaint about message from feedbackd.test",
                  jan_nudge.raw), AT)
    s.pass_at(AT)
    t.ok(inbox()[0][2] == "complaint" and not s.mail[sent:],
         "a second complaint about Jan tells nobody again", (inbox()[0], s.mail[sent:]))
    stranger = (b"From: someone@elsewhere.example\r\nTo: jan@example.nl\r\nSubject: Cheap pills\r\n"
                b"Message-ID: <spam1@elsewhere.example>\r\n\r\nBuy now\r\n")
    s.deliver(arf("piet@example.nl", "FW: " + piet_nudge.subject, stranger), AT)
    s.pass_at(AT)
    _, state, kind, reason = inbox()[0]
    t.ok(kind == "complaint" and state == "ignored" and "names none of our messages" in reason,
         "a complaint whose returned message is not ours is kept, not applied, whatever token "
         "its subject repeats", (state, kind, reason))
    t.ok(s.sql("SELECT count(*) FROM member_address WHERE complained_at IS NOT NULL")[0][0] == 1,
         "only Jan's address is marked as having complained")
    members = {m["email"]: m for m in s.ctl_json("member", "list", "Pilot/Blauw")}
    t.ok(members["jan@example.nl"].get("complained") is True and
         members["piet@example.nl"].get("complained") is False,
         "member list --json says Jan complained, Piet did not", members)
    # what comes later: next week's nudges, and a request Anna asks of Jan
    week2 = s.run("2027-01-11T09:30")
    t.ok([m.rcpt for m in week2 if m.kind == "nudge"] and
         not [m for m in week2 if m.rcpt == "jan@example.nl"],
         "a week later the others are nudged, Jan gets nothing", week2)
    anna_nudge = one("nudge", "anna@example.nl")
    s.deliver(clients.reply(anna_nudge, "anna@example.nl", "Anna Bakker",
                            "Vraag feedback aan: Jan de Vries\nOver: mijn planning",
                            at="2027-01-11T10:00"), "2027-01-11T10:00")
    sent = len(s.mail)
    s.pass_at("2027-01-11T10:00")
    t.ok(not [m for m in s.mail[sent:] if m.rcpt == "jan@example.nl"],
         "Anna's request to Jan is not sent to him", s.mail[sent:])
    held = s.sql("SELECT state, last_error FROM outbox WHERE recipient = 'jan@example.nl' "
                 "AND created_at >= strftime('%s', '2027-01-11')")
    t.ok(held and all(st == "failed" and "spam complaint" in (e or "") for st, e in held),
         "what was queued to Jan is kept as not sent, with the reason", held)
    s.ctl("outbox", "retry", "--all")
    t.ok(not s.sql("SELECT 1 FROM outbox WHERE recipient = 'jan@example.nl' AND state = 'queued'"),
         "outbox retry --all does not put mail to Jan back in the queue")

    # --- 3. dedupe that a stranger cannot poison ------------------------------------------
    AT3 = "2027-01-11T11:00"
    real = clients.reply(anna_nudge, "anna@example.nl", "Anna Bakker",
                         "Vraag feedback aan: Piet Jansen\nOver: mijn verslag", at=AT3)
    msgid = [line for line in real.split(b"\r\n") if line.lower().startswith(b"message-id:")][0]
    poison = (b"From: mallory@evil.example\r\nTo: feedback@feedbackd.test\r\nSubject: hoi\r\n"
              + msgid + b"\r\n\r\nniets\r\n")
    s.deliver(poison, AT3)
    s.pass_at(AT3)
    t.ok(inbox()[0][1] == "quarantined", "the stranger's mail is quarantined", inbox()[0])
    before = s.sql("SELECT count(*) FROM inbox")[0][0]
    s.deliver(real, AT3)
    s.pass_at(AT3)
    _, state, kind, reason = inbox()[0]
    t.ok(s.sql("SELECT count(*) FROM inbox")[0][0] == before + 1 and state == "applied",
         "Anna's reply with the same Message-ID is stored and applied, not 'already known'",
         (state, kind, reason))
    s.deliver(real, AT3)
    s.deliver(b"Received: from mx2.example.nl by mx.example.nl; Mon, 11 Jan 2027 11:01:00 +0100"
              b"\r\n" + real, AT3)
    s.pass_at(AT3)
    t.ok(s.sql("SELECT count(*) FROM inbox")[0][0] == before + 1,
         "the same reply fetched again, or delivered again by another route, is stored once")
finally:
    if os.environ.get("KEEP") != "1":
        shutil.rmtree(work, ignore_errors=True)
    else:
        print("# kept %s" % work)
t.finish()
