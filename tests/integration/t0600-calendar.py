#!/usr/bin/python3
"""Session invitations end to end with the built-in Maildir setup: feedbackctl schedules, moves
and cancels a session; feedbackd --once sends the invitations into the outgoing Maildir (the
facilitator's at once, the members' on the first morning after their welcome: issue 18), where
Python's email package and icalendar (python3-icalendar, not libical) read every one: the MIME
structure of RFC 6047 (text/calendar method= equal to METHOD, no Content-Disposition on it, the
same bytes as an application/ics attachment), METHOD, UID, SEQUENCE, ORGANIZER = From, the one
ATTENDEE's parameters, DTSTART with TZID and a VTIMEZONE that by itself gives the right instant.
Then answers written the way Outlook/Exchange (base64, no ORGANIZER), Google Calendar (quoted-
printable, plus an .ics attachment, comment) and Apple Calendar (no method= parameter, the
calendar only as an attachment) write them are dropped into the incoming Maildir, read by
feedbackd --once and counted by `feedbackctl session list`; a stale answer is not.
Every invite, update and cancel is also read by Mozilla's ical.js (tests/js/icalcheck.mjs),
which must see what icalendar sees (method, UID, SEQUENCE, status, local start and end with
their zone and instant, attendees), and passes libical's icalrestriction_check (icalrestrict)."""
import base64
import datetime
import email
import email.policy
import json
import os
import quopri
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers import Tap  # noqa: E402
import callib  # noqa: E402

import icalendar  # noqa: E402

TOP = os.environ.get("FB_TOP", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BUILD = os.environ.get("BUILD", "build")
BUILD = BUILD if os.path.isabs(BUILD) else os.path.join(TOP, BUILD)
FBCTL = os.path.join(BUILD, "feedbackctl")
FBD = os.path.join(BUILD, "feedbackd")
NOW = "2026-12-20T10:00"
t = Tap()


def run(*args, ok=True):
    p = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if ok and p.returncode != 0:
        t.ok(False, "command %s" % " ".join(args[3:]), p.stdout + p.stderr)
    return p


def write_maildir_message(d, name, raw):
    with open(os.path.join(d, "tmp", name), "wb") as f:
        f.write(raw)
    os.rename(os.path.join(d, "tmp", name), os.path.join(d, "new", name))


def crlf(s):
    return s.replace("\r\n", "\n").replace("\n", "\r\n")


with tempfile.TemporaryDirectory() as T:
    conf = os.path.join(T, "f.conf")
    with open(conf, "w") as f:
        f.write("[feedbackd]\ndatabase = %s/fb.db\ndomain = feedback.example.org\n"
                "from_address = feedback@example.org\nreply_address = feedback@example.org\n"
                "from_name = Feedback Pilot\ncoordinator_address = coordinator@example.org\n"
                "[outgoing]\nmaildir = %s/sent\n[incoming]\nmaildir = %s/in\n" % (T, T, T))
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(T, "in", sub))

    def ctl(*a, ok=True, now=NOW):
        return run(FBCTL, "-c", conf, "--now", now, *a, ok=ok)

    def fbd(now=NOW):
        return run(FBD, "-c", conf, "--once", "--now", now, "--log-level", "warning")

    seen = set()
    sent = []  # (what, path of the calendar bytes, icalendar's view) of everything we sent
    os.makedirs(os.path.join(T, "ics"))

    def new_mail():
        """Messages that arrived in the outgoing Maildir since the last call."""
        d = os.path.join(T, "sent", "new")
        out = []
        for n in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            if n in seen:
                continue
            seen.add(n)
            with open(os.path.join(d, n), "rb") as f:
                out.append(f.read())
        return out

    ctl("program", "create", "Pilot", "--start", "2027-01-04", "--language", "en")
    ctl("team", "add", "Pilot", "Blauw")
    for name, addr in (("Jan de Vries", "jan@example.org"), ("Els Ödegaard", "els@example.org"),
                       ("Piet", "piet@example.org")):
        ctl("member", "add", "Pilot/Blauw", name, addr)
    ctl("facilitator", "add", "Pilot/Blauw", "fien@example.org", "--name", "Fien")

    p = ctl("session", "schedule", "Pilot", "kickoff", "--at", "2027-03-29 09:00",
            "--duration", "1h30m", "--location", "Zaal 3, Utrecht",
            "--online-url", "https://meet.example.org/pilot?x=1", "--team", "Blauw")
    t.ok(p.returncode == 0 and "4 invitations queued" in p.stdout, "schedule queues 4 invitations",
         p.stdout + p.stderr)
    t.ok(ctl("session", "schedule", "Pilot", "party", "--at", "2027-01-04 09:00",
             "--duration", "1h", ok=False).returncode != 0, "an unknown session kind is refused")
    t.ok(ctl("session", "schedule", "Pilot", "kickoff", "--at", "2027-01-04 09:00",
             "--duration", "25h", ok=False).returncode != 0, "a duration over 24 hours is refused")
    # Issue 18: nothing automatic reaches a member before the welcome (the first morning), so
    # before the programme starts only the facilitator's invitation goes; the members' three
    # wait in the outbox for the welcome time and then follow the welcome.
    fbd()
    mails = new_mail()

    def kind_to(raw):
        m = email.message_from_bytes(raw, policy=email.policy.default)
        return m["X-Feedbackd-Kind"], m["To"].addresses[0].addr_spec

    t.ok([kind_to(r) for r in mails] == [("invite", "fien@example.org")],
         "before the programme starts feedbackd delivers only the facilitator's invitation",
         [kind_to(r) for r in mails])
    p = ctl("outbox", "list", "--json")
    rows = json.loads(p.stdout) if p.returncode == 0 else []
    first_morning = int(datetime.datetime(2027, 1, 4, 8, 0, tzinfo=datetime.timezone.utc)
                        .timestamp())  # 09:00 Amsterdam, the week-1 nudge: the welcome time
    waiting = sorted(r["to"] for r in rows if r["kind"] == "invite" and r["state"] == "queued"
                     and r["next_attempt_at"] == first_morning and
                     "the welcome comes first" in (r["error"] or ""))
    t.ok(waiting == ["els@example.org", "jan@example.org", "piet@example.org"],
         "the members' three invitations wait in the outbox until the first morning, the "
         "welcome first", [(r["kind"], r["to"], r["state"], r["next_attempt_at"], r["error"])
                           for r in rows])
    FIRST = "2027-01-04T09:00"
    fbd(FIRST)
    morning = new_mail()
    got = [kind_to(r) for r in morning]
    t.ok(all(("welcome", a) in got and ("invite", a) in got and
             got.index(("welcome", a)) < got.index(("invite", a))
             for a in ("jan@example.org", "els@example.org", "piet@example.org")),
         "on the first morning each member gets the welcome, then the invitation", got)
    mails += [r for r in morning if kind_to(r)[0] == "invite"]
    t.ok(len(mails) == 4 and sorted(a for _, a in map(kind_to, mails)) ==
         ["els@example.org", "fien@example.org", "jan@example.org", "piet@example.org"],
         "feedbackd delivers 4 invitations to the Maildir, one to each", len(mails))
    rows = json.loads(ctl("outbox", "list", "--json", now=FIRST).stdout or "[]")
    inv = [(r["to"], r["state"], r["attempts"]) for r in rows if r["kind"] == "invite"]
    t.ok(len(inv) == 4 and all(st == "sent" and n == 1 for _, st, n in inv),
         "the outbox holds the 4 invitations, each sent once", inv)

    def read_invite(raw, method, sequence, what):
        """Check one invitation; returns (recipient, uid, event)."""
        m = email.message_from_bytes(raw, policy=email.policy.default)
        to = m["To"].addresses[0].addr_spec
        good = b"\n" not in raw.replace(b"\r\n", b"")
        t.ok(good, "%s to %s: CRLF line ends only" % (what, to))
        t.ok(m.get_content_type() == "multipart/mixed", "%s: multipart/mixed" % what)
        parts = list(m.iter_parts())
        alt = parts[0]
        t.ok(alt.get_content_type() == "multipart/alternative", "%s: first part is "
             "multipart/alternative" % what)
        kinds = [x.get_content_type() for x in alt.iter_parts()]
        t.ok(kinds == ["text/plain", "text/html", "text/calendar"], "%s: text, html, calendar "
             "in that order" % what, kinds)
        cal_part = list(alt.iter_parts())[2]
        t.ok(cal_part.get_param("method") == method, "%s: method=%s on text/calendar" %
             (what, method), cal_part.get_param("method"))
        t.ok(cal_part.get_param("charset").lower() == "utf-8", "%s: charset=UTF-8" % what)
        t.ok(cal_part["Content-Disposition"] is None, "%s: no Content-Disposition on the "
             "calendar part" % what)
        t.ok(cal_part["Content-Transfer-Encoding"].lower() == "base64", "%s: calendar sent "
             "base64" % what)
        ics = cal_part.get_payload(decode=True)
        att = parts[1]
        t.ok(att.get_content_type() == "application/ics" and att.get_filename() == "invite.ics"
             and att.get_content_disposition() == "attachment", "%s: invite.ics attachment" % what)
        t.ok(att.get_payload(decode=True) == ics, "%s: the attachment holds the same bytes" % what)
        t.ok(b"\n" not in ics.replace(b"\r\n", b"") and all(len(x) <= 75 for x in
             ics.split(b"\r\n")), "%s: calendar CRLF, lines folded at 75" % what)
        path = os.path.join(T, "ics", "%02d-%s-%s.ics" % (len(sent), what, to.split("@")[0]))
        with open(path, "wb") as f:
            f.write(ics)
        sent.append(("%s to %s" % (what, to), path, callib.view_icalendar(ics)))
        cal = icalendar.Calendar.from_ical(ics)
        t.ok(str(cal["METHOD"]) == method, "%s: METHOD:%s" % (what, method))
        t.ok(str(cal["VERSION"]) == "2.0" and "feedbackd" in str(cal["PRODID"]),
             "%s: VERSION and PRODID" % what)
        events = cal.walk("VEVENT")
        t.ok(len(events) == 1, "%s: one VEVENT" % what)
        ev = events[0]
        t.ok(int(ev["SEQUENCE"]) == sequence, "%s: SEQUENCE %d" % (what, sequence), ev["SEQUENCE"])
        org = ev["ORGANIZER"]
        t.ok(str(org).lower() == "mailto:coordinator@example.org" and
             m["From"].addresses[0].addr_spec == "coordinator@example.org" and
             "SENT-BY" not in org.params, "%s: ORGANIZER equals From, no SENT-BY" % what)
        att = ev["ATTENDEE"]
        t.ok(not isinstance(att, list) and str(att).lower() == "mailto:" + to,
             "%s: the recipient is the only ATTENDEE" % what, att)
        want = {"ROLE": "REQ-PARTICIPANT"}
        if method == "REQUEST":
            want.update({"PARTSTAT": "NEEDS-ACTION", "RSVP": "TRUE"})
        t.ok(all(att.params.get(k) == v for k, v in want.items()) and att.params.get("CN"),
             "%s: ATTENDEE has CN and %s" % (what, want), dict(att.params))
        t.ok(str(ev["STATUS"]) == ("CANCELLED" if method == "CANCEL" else "CONFIRMED"),
             "%s: STATUS" % what)
        t.ok("VALARM" not in [c.name for c in ev.subcomponents], "%s: no VALARM" % what)
        t.ok(ev["DTSTART"].params.get("TZID") == "Europe/Amsterdam", "%s: DTSTART with TZID" % what)
        tzs = cal.walk("VTIMEZONE")
        t.ok(len(tzs) == 1 and str(tzs[0]["TZID"]) == "Europe/Amsterdam" and
             {c.name for c in tzs[0].subcomponents} == {"STANDARD", "DAYLIGHT"} and
             all("RRULE" in c for c in tzs[0].subcomponents), "%s: compact VTIMEZONE, two "
             "RRULE observances" % what)
        return to, str(ev["UID"]), ev, tzs[0]

    def utc_of(ev, vtz, prop):
        """The instant of DTSTART/DTEND as our VTIMEZONE alone defines it."""
        local = ev.decoded(prop).replace(tzinfo=None)
        tz = vtz.to_tz()
        return tz.localize(local).astimezone(datetime.timezone.utc)

    uids = set()
    for raw in mails:
        to, uid, ev, vtz = read_invite(raw, "REQUEST", 0, "invite")
        uids.add(uid)
    t.ok(len(uids) == 1, "one UID for the session", uids)
    uid = uids.pop()
    # the Monday after the clocks went forward: 09:00 local is 07:00Z
    t.ok(str(ev["DTSTART"].to_ical(), "ascii") == "20270329T090000", "DTSTART is 09:00 local")
    t.ok(utc_of(ev, vtz, "DTSTART") == datetime.datetime(2027, 3, 29, 7, 0,
         tzinfo=datetime.timezone.utc), "our VTIMEZONE puts it at 07:00Z (summer time)")
    t.ok(utc_of(ev, vtz, "DTEND") == datetime.datetime(2027, 3, 29, 8, 30,
         tzinfo=datetime.timezone.utc), "DTEND 90 minutes later")
    t.ok(str(ev["LOCATION"]) == "Zaal 3, Utrecht" and
         str(ev["URL"]) == "https://meet.example.org/pilot?x=1", "LOCATION and URL")
    t.ok(str(ev["SUMMARY"]) == "Kickoff: Pilot (Blauw)", "SUMMARY in the programme's language",
         ev["SUMMARY"])

    # move: same UID, SEQUENCE 1, the whole event again
    # the rest happens later on the first morning, after the invitations went (nothing else
    # is due to anyone that day: the questionnaire the budget deferred waits for the next)
    p = ctl("session", "move", "1", "--at", "2027-03-30 14:00", now="2027-01-04T09:30")
    t.ok("SEQUENCE 1" in p.stdout and "4 messages queued" in p.stdout, "move: SEQUENCE 1, 4 "
         "messages", p.stdout + p.stderr)
    fbd("2027-01-04T09:30")
    mails = new_mail()
    t.ok(len(mails) == 4, "4 updates delivered", len(mails))
    for raw in mails:
        to, u, ev, vtz = read_invite(raw, "REQUEST", 1, "update")
        t.ok(u == uid, "update to %s keeps the UID" % to)
    t.ok(utc_of(ev, vtz, "DTSTART") == datetime.datetime(2027, 3, 30, 12, 0,
         tzinfo=datetime.timezone.utc), "the update is at the new time")

    # answers, as three calendar programs write them
    def reply_ics(prodid, who, partstat, seq, organizer=True, comment=None):
        att = "ATTENDEE;PARTSTAT=%s;CN=%s" % (partstat, who.split("@")[0])
        if comment:
            att += ';X-RESPONSE-COMMENT="%s"' % comment
        return crlf("BEGIN:VCALENDAR\nPRODID:%s\nVERSION:2.0\nMETHOD:REPLY\nBEGIN:VEVENT\n"
                    "UID:%s\nSEQUENCE:%d\nDTSTAMP:20261221T090000Z\n"
                    "DTSTART;TZID=W. Europe Standard Time:20270330T140000\n%s"
                    "%s:mailto:%s\nSUMMARY:Answer\nEND:VEVENT\nEND:VCALENDAR\n" %
                    (prodid, uid, seq, "ORGANIZER:mailto:coordinator@example.org\n" if organizer
                     else "", att, who))

    def outlook(who, partstat, seq, n):
        ics = reply_ics("Microsoft Exchange Server 2010", who, partstat, seq, organizer=False)
        return crlf("From: %s <%s>\nTo: <coordinator@example.org>\nSubject: Accepted: Kick-off\n"
                    "Message-ID: <outlook%d@example.org>\nMIME-Version: 1.0\n"
                    "Content-Type: multipart/alternative; boundary=\"b1\"\n\n--b1\n"
                    "Content-Type: text/plain; charset=\"us-ascii\"\n\n\n--b1\n"
                    "Content-Type: text/calendar; charset=\"utf-8\"; method=REPLY\n"
                    "Content-Transfer-Encoding: base64\n\n%s\n--b1--\n" %
                    (who, who, n, base64.encodebytes(ics.encode()).decode())).encode()

    def google(who, partstat, seq, n):
        ics = reply_ics("-//Google Inc//Google Calendar 70.9054//EN", who, partstat, seq,
                        comment="Sorry\\, other meeting")
        qp = quopri.encodestring(ics.encode()).decode()
        b64 = base64.encodebytes(ics.encode()).decode()
        return crlf("From: %s <%s>\nTo: coordinator@example.org\nSubject: Declined: Kick-off\n"
                    "Message-ID: <google%d@example.org>\nMIME-Version: 1.0\n"
                    "Content-Type: multipart/mixed; boundary=\"m\"\n\n--m\n"
                    "Content-Type: multipart/alternative; boundary=\"a\"\n\n--a\n"
                    "Content-Type: text/plain; charset=\"UTF-8\"; format=flowed; delsp=yes\n\n"
                    "%s has declined this invitation.\n--a\n"
                    "Content-Type: text/html; charset=\"UTF-8\"\n\n<p>Declined</p>\n--a\n"
                    "Content-Type: text/calendar; charset=\"UTF-8\"; method=REPLY\n"
                    "Content-Transfer-Encoding: quoted-printable\n\n%s\n--a--\n\n--m\n"
                    "Content-Type: application/ics; name=\"invite.ics\"\n"
                    "Content-Disposition: attachment; filename=\"invite.ics\"\n"
                    "Content-Transfer-Encoding: base64\n\n%s\n--m--\n" %
                    (who, who, n, who, qp, b64)).encode()

    def apple(who, partstat, seq, n):
        ics = reply_ics("-//Apple Inc.//Mac OS X 10.15.7//EN", who, partstat, seq)
        qp = quopri.encodestring(ics.encode()).decode()
        return crlf("From: %s <%s>\nTo: coordinator@example.org\nSubject: Event accepted\n"
                    "Message-Id: <apple%d@example.org>\nMime-Version: 1.0 (Mac OS X Mail)\n"
                    "Content-Type: multipart/alternative; boundary=\"A1\"\n\n--A1\n"
                    "Content-Type: text/plain; charset=us-ascii\n\nMaybe.\n--A1\n"
                    "Content-Type: multipart/mixed; boundary=\"A2\"\n\n--A2\n"
                    "Content-Type: text/html; charset=us-ascii\n\n<p>Maybe.</p>\n--A2\n"
                    "Content-Disposition: attachment; filename=iCal-20261221-090000.ics\n"
                    "Content-Type: text/calendar; x-unix-mode=0644; "
                    "name=\"iCal-20261221-090000.ics\"\n"
                    "Content-Transfer-Encoding: quoted-printable\n\n%s\n--A2--\n\n--A1--\n" %
                    (who, who, n, qp)).encode()

    inbox = os.path.join(T, "in")
    write_maildir_message(inbox, "1.outlook", outlook("jan@example.org", "ACCEPTED", 1, 1))
    write_maildir_message(inbox, "2.google", google("els@example.org", "DECLINED", 1, 2))
    write_maildir_message(inbox, "3.apple", apple("fien@example.org", "TENTATIVE", 1, 3))
    # answers to the version before the move say nothing about the new time
    write_maildir_message(inbox, "4.stale", outlook("piet@example.org", "ACCEPTED", 0, 4))
    fbd("2027-01-04T10:00")
    t.ok(new_mail() == [], "calendar answers are never answered by mail")
    p = ctl("--json", "session", "list", "Pilot")
    try:
        sess = json.loads(p.stdout)[0]
    except (ValueError, IndexError):
        sess = {"answers": {}}
    a = sess["answers"]
    t.ok(a.get("accepted") == 1, "Outlook's base64 REPLY without ORGANIZER: accepted", a)
    t.ok(a.get("declined") == 1, "Google's quoted-printable REPLY: declined", a)
    t.ok(a.get("tentative") == 1, "Apple's REPLY without method=, as an attachment: tentative", a)
    t.ok(a.get("no_answer") == 1, "the stale answer is not counted: one without answer", a)
    p = ctl("inbox", "list", "--json")
    rows = json.loads(p.stdout) if p.returncode == 0 else []
    stale = [r for r in rows if "stale" in (r.get("reason") or "")]
    t.ok(len(stale) == 1 and stale[0]["state"] == "ignored", "the stale answer is kept with "
         "the reason", [r.get("reason") for r in rows])
    p = ctl("session", "list", "Pilot")
    t.ok("ACCEPTED" in p.stdout and "NO ANSWER" in p.stdout, "session list shows the answers "
         "as a table", p.stdout)

    # cancel: METHOD:CANCEL, SEQUENCE 2, STATUS:CANCELLED to all four
    p = ctl("session", "cancel", "1", now="2027-01-04T11:00")
    t.ok("SEQUENCE 2" in p.stdout and "cancelled" in p.stdout, "cancel: SEQUENCE 2", p.stdout)
    fbd("2027-01-04T11:00")
    mails = new_mail()
    t.ok(len(mails) == 4, "4 cancellations delivered", len(mails))
    for raw in mails:
        to, u, ev, vtz = read_invite(raw, "CANCEL", 2, "cancel")
        t.ok(u == uid, "cancel to %s keeps the UID" % to)
    t.ok(ctl("session", "move", "1", "--at", "2027-04-01 09:00", ok=False,
             now="2027-01-04T11:00").returncode != 0,
         "a cancelled session cannot be moved")

    # Mozilla's ical.js must read every message as icalendar did; libical's own check passes
    why = callib.icaljs_ready()
    t.ok(why is None, "ical.js is installed (tests/js)", why)
    if why is None:
        js = callib.icaljs([p for _, p, _ in sent])
        t.ok(len(js) == len(sent) == 12, "ical.js reads all 12 calendars sent", len(js))
        for (what, _, py), j in zip(sent, js):
            callib.same_view(t, what, j, py)
        first = js[0]["events"][0]["dtstart"]
        t.ok(first["local"] == "2027-03-29T09:00:00" and first["zone"] == "Europe/Amsterdam" and
             first["utc"] == "2027-03-29T07:00:00Z", "ical.js: the Monday after the clocks "
             "change is 09:00 Europe/Amsterdam = 07:00Z", first)
        moved = [j["events"][0] for (w, _, _), j in zip(sent, js) if w.startswith("update")]
        t.ok(len(moved) == 4 and all(e["dtstart"]["utc"] == "2027-03-30T12:00:00Z" and
             e["sequence"] == 1 for e in moved), "ical.js: the updates are at 14:00 local, "
             "SEQUENCE 1", moved[:1])
        gone = [j for (w, _, _), j in zip(sent, js) if w.startswith("cancel")]
        t.ok(len(gone) == 4 and all(j["method"] == "CANCEL" and j["events"][0]["status"] ==
             "CANCELLED" and j["events"][0]["sequence"] == 2 for j in gone),
             "ical.js: the cancels are METHOD:CANCEL, STATUS:CANCELLED, SEQUENCE 2")
    ok, out = callib.icalrestrict([p for _, p, _ in sent])
    t.ok(ok and out.count(": ok") == len(sent), "libical's icalrestriction_check passes on "
         "all %d calendars sent" % len(sent), out)
t.finish()
