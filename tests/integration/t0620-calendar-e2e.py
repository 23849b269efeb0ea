#!/usr/bin/python3
"""Session invitations end to end over REAL servers on loopback: feedbackd sends through aiosmtpd
(which delivers every message into one Maildir the test reads, as the members' mail programs
would) and reads its mailbox from Dovecot over IMAP. A team of four and a facilitator.

1. `session schedule … kickoff`: one invitation per person over SMTP (counted at the server),
   RFC 6047's structure, ORGANIZER = From, the recipient as the only ATTENDEE; read by Python's
   icalendar and Mozilla's ical.js: METHOD, UID, SEQUENCE 0, the local start and its instant.
2. Answers written by tests/sim/clients.rsvp as Outlook (ACCEPTED, no ORGANIZER), Apple
   (DECLINED, no method= parameter) and Google (TENTATIVE, inline and as invite.ics, with a
   SEQUENCE that does not fit 32 bits) write them, put in Dovecot: `session list` counts them.
3. `session move`: SEQUENCE 1, same UID, new DTSTART to everyone; the move asks everyone again;
   fresh answers (SEQUENCE 1) count — also from the attendee whose earlier answer carried the
   huge SEQUENCE; a stale answer (SEQUENCE 0, ACCEPTED → DECLINED) is kept with the reason.
4. A COUNTER and a REPLY for an unknown UID are kept with the reason, not applied.
5. `session cancel`: METHOD:CANCEL (and method=CANCEL), STATUS:CANCELLED, SEQUENCE 2 to all.
6. Every daemon pass is a new process, each step runs it twice: nothing is sent twice (the
   SMTP server's own count), nothing but the calendar messages and the first morning's welcome
   and nudge is sent, libical's restriction check passes on all 15 calendars.
Issue 18: nothing automatic goes to a member before their welcome, so the members'
invitations made before the start wait in the outbox for the first morning (2027-01-04 09:00)
and go after the welcome; the facilitator's goes at once. The rest happens that morning."""
import copy
import datetime
import email
import email.policy
import json
import os
import re
import sys
import tempfile
from email.message import EmailMessage

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "sim"))
sys.path.insert(0, HERE)
from servers import AioSmtpd, Dovecot, Feedbackd, Tap  # noqa: E402
import callib  # noqa: E402
import clients  # noqa: E402
import sim  # noqa: E402

import icalendar  # noqa: E402

t = Tap()
NOW = "2026-12-20T10:00"  # before the programme starts: only the facilitator's invitation goes
FIRST = "2027-01-04T09:00"  # the first morning, the welcome time: the members' invitations go
MEMBER_ADDRS = sorted(a for _, a in [
    ("Jan de Vries", "jan@example.org"), ("Els Ödegaard", "els@example.org"),
    ("Piet Jansen", "piet@example.org"), ("Anna Bakker", "anna@example.org")])
ORGANIZER = "coordinator@feedbackd.test"
MEMBERS = [("Jan de Vries", "jan@example.org"), ("Els Ödegaard", "els@example.org"),
           ("Piet Jansen", "piet@example.org"), ("Anna Bakker", "anna@example.org")]
FACILITATOR = ("Fien Facilitator", "fien@example.org")
EVERYONE = sorted(a for _, a in MEMBERS + [FACILITATOR])
NAME = dict((a, n) for n, a in MEMBERS + [FACILITATOR])
HUGE_SEQ = 4294967297  # 2^32 + 1: read as a 32-bit int it would be 1
KINDS = {"REQUEST": ("invite", "invite_update"), "CANCEL": ("invite_cancel",)}


def smtp_count(smtp):
    """Messages the SMTP server accepted (its own log, one ACCEPTED line per message)."""
    return sum(1 for line in smtp.log_text().splitlines() if line.startswith("ACCEPTED "))


with tempfile.TemporaryDirectory() as tmp:
    os.chmod(tmp, 0o755)
    people = os.path.join(tmp, "people")
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(people, sub))
    ics_dir = os.path.join(tmp, "ics")
    os.makedirs(ics_dir)
    seen = set()
    sent_ics = []  # paths of every calendar sent, in order

    with Dovecot(tmp) as imap, AioSmtpd(tmp, deliver_to_maildir=people) as smtp:
        fb = Feedbackd(tmp, {
            "feedbackd": {"domain": "feedbackd.test", "from_address": "feedback@feedbackd.test",
                          "from_name": "Feedback Pilot", "coordinator_address": ORGANIZER},
            "outgoing": {"transport": "smtp", "url": smtp.url(), "starttls": "no"},
            "incoming": {"mailbox": "imap", "url": imap.url(), "starttls": "no",
                         "username": "fb", "password": "secret", "idle": "no"}})

        def ctl(*args, now=NOW):
            p = fb.ctl(*args, now=now, check=False)
            if p.returncode != 0:
                print("# feedbackctl %s: exit %d: %s" % (" ".join(args), p.returncode,
                                                         p.stderr.strip()))
            return p

        def ctl_json(*args, now=NOW):
            p = ctl("--json", *args, now=now)
            try:
                return json.loads(p.stdout)
            except ValueError:
                return None

        def daemon(now, what):
            """Two passes, each a fresh process: the second must send and apply nothing new."""
            before = smtp_count(smtp)
            ok = fb.once(now) == 0
            mid = smtp_count(smtp)
            ok &= fb.once(now) == 0
            t.ok(ok, "%s: feedbackd --once runs (twice, restarted)" % what, fb.log_text()[-2000:])
            t.ok(smtp_count(smtp) == mid, "%s: the restarted daemon sends nothing again" % what,
                 (before, mid, smtp_count(smtp)))
            return mid - before

        def delivered():
            """(raw, path) of the messages the SMTP server delivered since the last call."""
            d = os.path.join(people, "new")
            out = []
            for n in sorted(os.listdir(d), key=lambda n: os.path.getmtime(os.path.join(d, n))):
                if n not in seen:
                    seen.add(n)
                    with open(os.path.join(d, n), "rb") as f:
                        out.append((f.read(), os.path.join(d, n)))
            return out

        def answers():
            s = ctl_json("session", "list", "Pilot") or [{}]
            return s[0].get("answers", {})

        def partstats():
            s = ctl_json("session", "show", str(sid)) or {}
            return {a["address"]: (a["partstat"], a.get("reply_sequence"))
                    for a in s.get("attendees", [])}

        def inbox_rows():
            return ctl_json("inbox", "list") or []

        def check_round(mails, method, seq, what, local, utc):
            """Every message of one round: MIME structure, the calendar as icalendar and
            ical.js read it. Returns {recipient: sim.Mail}."""
            got = {}
            uids = set()
            for raw, path in mails:
                v = callib.imip_view(raw)
                to = v["to"]
                got[to] = sim.Mail(raw, path, clients.when(NOW))
                t.ok(v["crlf"] and v["content_type"] == "multipart/mixed" and
                     v["alt_kinds"] == ["text/plain", "text/html", "text/calendar"],
                     "%s to %s: multipart/mixed > multipart/alternative (text, html, calendar)"
                     % (what, to), v)
                t.ok(v["method_param"] == method and (v["charset"] or "").lower() == "utf-8" and
                     v["disposition"] is None and v["cte"] == "base64",
                     "%s to %s: text/calendar; charset=UTF-8; method=%s, inline, base64" %
                     (what, to, method), v)
                a = v["attachment"] or {}
                t.ok(a.get("type") == "application/ics" and a.get("filename") == "invite.ics" and
                     a.get("disposition") == "attachment" and a.get("same"),
                     "%s to %s: the same bytes as invite.ics" % (what, to), a)
                t.ok(v["kind"] in KINDS[method], "%s to %s: X-Feedbackd-Kind %s" %
                     (what, to, v["kind"]))
                cal = icalendar.Calendar.from_ical(v["ics"] or b"BEGIN:VCALENDAR\r\nEND:VCALENDAR")
                evs = cal.walk("VEVENT")
                ev = evs[0] if len(evs) == 1 else {}
                att = ev.get("ATTENDEE")
                org = ev.get("ORGANIZER")
                t.ok(str(cal.get("METHOD")) == method and len(evs) == 1 and
                     int(ev.get("SEQUENCE", -1)) == seq,
                     "%s to %s: METHOD:%s, one VEVENT, SEQUENCE %d" % (what, to, method, seq))
                t.ok(org is not None and str(org).lower() == "mailto:" + v["frm"] and
                     v["frm"] == ORGANIZER and "SENT-BY" not in org.params,
                     "%s to %s: ORGANIZER is the From address, no SENT-BY" % (what, to), org)
                t.ok(att is not None and not isinstance(att, list) and
                     str(att).lower() == "mailto:" + to,
                     "%s to %s: the recipient is the only ATTENDEE" % (what, to), att)
                t.ok(str(ev.get("STATUS")) == ("CANCELLED" if method == "CANCEL" else "CONFIRMED"),
                     "%s to %s: STATUS %s" % (what, to, ev.get("STATUS")))
                uids.add(str(ev.get("UID")))
                p = os.path.join(ics_dir, "%02d-%s-%s.ics" % (len(sent_ics), what, to.split("@")[0]))
                with open(p, "wb") as f:
                    f.write(v["ics"] or b"")
                sent_ics.append((what + " to " + to, p, callib.view_icalendar(v["ics"] or b"")))
            t.ok(sorted(got) == EVERYONE, "%s: the four members and the facilitator each got one"
                 % what, sorted(got))
            t.ok(len(uids) == 1, "%s: one UID for everyone" % what, uids)
            why = callib.icaljs_ready()
            t.ok(why is None, "ical.js is installed (tests/js)", why)
            if why is None:
                these = sent_ics[-len(mails):]
                js = callib.icaljs([p for _, p, _ in these])
                for (w, _, py), j in zip(these, js):
                    callib.same_view(t, w, j, py)
                evs = [j["events"][0] for j in js if j["events"]]
                t.ok(len(evs) == len(mails) and
                     all(j["method"] == method for j in js) and
                     all(e["sequence"] == seq and e["uid"] in uids for e in evs) and
                     all(e["dtstart"]["local"] == local and e["dtstart"]["zone"] ==
                         "Europe/Amsterdam" and e["dtstart"]["utc"] == utc for e in evs),
                     "%s: ical.js reads METHOD:%s, the UID, SEQUENCE %d, %s Europe/Amsterdam "
                     "= %s" % (what, method, seq, local, utc), evs[:1])
            return got, (uids.pop() if len(uids) == 1 else None)

        # --- set-up --------------------------------------------------------------------------
        ok = ctl("program", "create", "Pilot", "--start", "2027-01-04").returncode == 0
        ok &= ctl("team", "add", "Pilot", "Blauw").returncode == 0
        for name, addr in MEMBERS:
            ok &= ctl("member", "add", "Pilot/Blauw", name, addr).returncode == 0
        ok &= ctl("facilitator", "add", "Pilot/Blauw", FACILITATOR[1], "--name",
                  FACILITATOR[0]).returncode == 0
        t.ok(ok, "a programme with a team of four and a facilitator")

        # --- 1. schedule ---------------------------------------------------------------------
        p = ctl("session", "schedule", "Pilot", "kickoff", "--at", "2027-01-11 10:00",
                "--duration", "90m", "--location", "Zaal 3, Utrecht", "--team", "Blauw")
        t.ok(p.returncode == 0 and "5 invitations queued" in p.stdout,
             "schedule: 5 invitations queued", p.stdout + p.stderr)
        sl = ctl_json("session", "list", "Pilot") or [{}]
        sid = sl[0].get("id")
        # Issue 18: nothing automatic reaches a member before their welcome (the first
        # morning), so before the start only the facilitator's invitation goes and the four
        # members' wait in the outbox; on the first morning each member gets the welcome, the
        # invitation and the week-1 nudge (the day-one questionnaire waits for the next day's
        # budget), nothing else.
        def kind_to(raw):
            m = email.message_from_bytes(raw, policy=email.policy.default)
            return m["X-Feedbackd-Kind"], m["To"].addresses[0].addr_spec

        n = daemon("2026-12-20T10:05", "schedule")
        early = delivered()
        t.ok(n == 1 and smtp_count(smtp) == 1 and
             [kind_to(r) for r, _ in early] == [("invite", FACILITATOR[1])],
             "schedule: before the start the SMTP server accepted exactly 1 message, the "
             "facilitator's invitation", (n, [kind_to(r) for r, _ in early]))
        rows = ctl_json("outbox", "list") or []
        first_utc = int(datetime.datetime(2027, 1, 4, 8, 0, tzinfo=datetime.timezone.utc)
                        .timestamp())
        waiting = sorted(r["to"] for r in rows if r["kind"] == "invite" and
                         r["state"] == "queued" and r["next_attempt_at"] == first_utc and
                         "the welcome comes first" in (r["error"] or ""))
        t.ok(waiting == MEMBER_ADDRS, "schedule: the four members' invitations wait in the "
             "outbox for the first morning", [(r["kind"], r["to"], r["state"],
                                               r["next_attempt_at"], r["error"]) for r in rows])
        n = daemon(FIRST, "the first morning")
        morning = delivered()
        got = sorted(kind_to(r) for r, _ in morning)
        t.ok(n == 12 and smtp_count(smtp) == 13 and
             got == sorted((k, a) for a in MEMBER_ADDRS for k in ("invite", "nudge", "welcome")),
             "the first morning: the SMTP server accepted exactly 12 messages, each member's "
             "welcome, invitation and week-1 nudge", (n, got))
        invites, uid = check_round(early + [(r, p) for r, p in morning
                                            if kind_to(r)[0] == "invite"],
                                   "REQUEST", 0, "invite",
                                   "2027-01-11T10:00:00", "2027-01-11T09:00:00Z")
        t.ok(uid == sl[0].get("uid"), "the invitations carry the session's UID", (uid, sl))

        # --- 2. answers from three calendar programs, over IMAP ------------------------------
        at = "2027-01-04T09:30"
        jan, els, piet = "jan@example.org", "els@example.org", "piet@example.org"
        big = copy.copy(invites[piet])
        big.calendar = re.sub(r"SEQUENCE:0(\r?\n)", r"SEQUENCE:%d\1" % HUGE_SEQ,
                              invites[piet].calendar or "")
        raw = clients.rsvp(big, piet, NAME[piet], "TENTATIVE", "google", at)
        t.ok(b"SEQUENCE:%d" % HUGE_SEQ in raw and b"ORGANIZER" in raw,
             "Google's answer carries SEQUENCE %d" % HUGE_SEQ)
        outlook = clients.rsvp(invites[jan], jan, NAME[jan], "ACCEPTED", "outlook", at)
        t.ok(b"ORGANIZER" not in callib.calendar_parts(outlook)[0], "Outlook's answer has no "
             "ORGANIZER")
        apple = clients.rsvp(invites[els], els, NAME[els], "DECLINED", "apple", at)
        am = email.message_from_bytes(apple, policy=email.policy.default)
        t.ok(am.get_content_type() == "text/calendar" and am.get_param("method") is None,
             "Apple's answer has no method= parameter")
        for r in (outlook, apple, raw):
            imap.deliver(r)
        n = daemon("2027-01-04T09:35", "answers")
        t.ok(n == 0, "calendar answers are never answered by mail", n)
        a = answers()
        t.ok(a == {"invited": 5, "accepted": 1, "declined": 1, "tentative": 1, "no_answer": 2},
             "session list: accepted 1 (Outlook), declined 1 (Apple), tentative 1 (Google), "
             "no answer 2 (Anna and the facilitator)", a)
        ps = partstats()
        t.ok(ps.get(jan, ("",))[0] == "ACCEPTED" and ps.get(els, ("",))[0] == "DECLINED" and
             ps.get(piet, ("",))[0] == "TENTATIVE" and
             ps.get("anna@example.org", ("",))[0] == "NEEDS-ACTION" and
             ps.get(FACILITATOR[1], ("",))[0] == "NEEDS-ACTION", "each answer is recorded for "
             "its own attendee", ps)
        t.ok(ps.get(piet, (None, None))[1] == HUGE_SEQ, "the SEQUENCE %d is read as 64-bit "
             "(not wrapped to 1)" % HUGE_SEQ, ps.get(piet))
        rows = inbox_rows()
        t.ok(len(rows) == 3 and all(r["state"] == "applied" and r.get("kind") == "itip"
                                    for r in rows),
             "the three answers are in the inbox, applied", [(r["state"], r.get("reason"))
                                                            for r in rows])

        # --- 3. move -------------------------------------------------------------------------
        p = ctl("session", "move", str(sid), "--at", "2027-04-06 14:00",
                now="2027-01-04T10:00")
        t.ok(p.returncode == 0 and "SEQUENCE 1" in p.stdout and "5 messages queued" in p.stdout,
             "move: SEQUENCE 1, 5 messages queued", p.stdout + p.stderr)
        n = daemon("2027-01-04T10:05", "move")
        t.ok(n == 5, "move: the SMTP server accepted 5 updates", n)
        updates, uid2 = check_round(delivered(), "REQUEST", 1, "update",
                                    "2027-04-06T14:00:00", "2027-04-06T12:00:00Z")
        t.ok(uid2 == uid, "the updates keep the UID", (uid, uid2))
        a = answers()
        t.ok(a.get("no_answer") == 5, "after the move everyone is asked again: no answer 5", a)

        at = "2027-01-04T10:30"
        imap.deliver(clients.rsvp(updates[jan], jan, NAME[jan], "ACCEPTED", "outlook", at))
        imap.deliver(clients.rsvp(updates[els], els, NAME[els], "DECLINED", "apple", at))
        imap.deliver(clients.rsvp(updates[piet], piet, NAME[piet], "TENTATIVE", "google", at))
        daemon("2027-01-04T10:35", "fresh answers")
        a = answers()
        t.ok(a == {"invited": 5, "accepted": 1, "declined": 1, "tentative": 1, "no_answer": 2},
             "fresh answers (SEQUENCE 1) count: 1 accepted, 1 declined, 1 tentative, 2 without",
             a)
        t.ok(partstats().get(piet) == ("TENTATIVE", 1), "the answer after the huge SEQUENCE "
             "counts too (the move cleared the recorded answer)", partstats().get(piet))

        # the answer to the invitation before the move arrives late: ACCEPTED -> DECLINED
        before = len(inbox_rows())
        stale = clients.rsvp(invites[jan], jan, NAME[jan], "DECLINED", "outlook",
                             "2027-01-04T11:00")
        t.ok(b"SEQUENCE:0" in callib.calendar_parts(stale)[0], "the late answer says SEQUENCE 0")
        imap.deliver(stale)
        daemon("2027-01-04T11:05", "stale answer")
        t.ok(answers() == a and partstats().get(jan, ("",))[0] == "ACCEPTED",
             "the stale answer changes nothing: Jan stays ACCEPTED", (answers(), partstats()))
        rows = inbox_rows()
        new = [r for r in rows if "stale" in (r.get("reason") or "") and jan in r["reason"]]
        t.ok(len(rows) == before + 1 and len(new) == 1 and new[0]["state"] == "ignored" and
             "SEQUENCE 0" in new[0]["reason"], "the stale answer is kept, ignored, with the "
             "reason", [(r["state"], r.get("reason")) for r in rows])

        # --- 4. a COUNTER and a REPLY for an unknown UID -------------------------------------
        anna = "anna@example.org"
        counter = icalendar.Calendar()
        counter.add("prodid", "Microsoft Exchange Server 2010")
        counter.add("version", "2.0")
        counter.add("method", "COUNTER")
        ev = icalendar.Event()
        ev.add("uid", uid)
        ev.add("sequence", 1)
        ev.add("dtstamp", datetime.datetime(2027, 1, 4, 10, 40, tzinfo=datetime.timezone.utc))
        ev.add("dtstart", datetime.datetime(2027, 4, 7, 8, 0, tzinfo=datetime.timezone.utc))
        ev.add("dtend", datetime.datetime(2027, 4, 7, 9, 30, tzinfo=datetime.timezone.utc))
        ev.add("organizer", "mailto:" + ORGANIZER)
        att = icalendar.vCalAddress("mailto:" + anna)
        att.params["PARTSTAT"] = "TENTATIVE"
        ev.add("attendee", att)
        ev.add("summary", "New time proposed")
        counter.add_component(ev)
        m = EmailMessage()
        m["From"] = "Anna Bakker <%s>" % anna
        m["To"] = updates[anna].reply_to or ORGANIZER
        m["Subject"] = "New Time Proposed: " + updates[anna].subject
        m["Message-ID"] = "<counter1@example.org>"
        m["Date"] = "Mon, 04 Jan 2027 11:30:00 +0100"
        m.set_content("I would rather come on Wednesday.\n")
        m.add_alternative(counter.to_ical(), maintype="text", subtype="calendar",
                          params={"method": "COUNTER", "charset": "utf-8"})
        imap.deliver(m.as_bytes(policy=email.policy.SMTP))
        other = copy.copy(updates[anna])
        other.calendar = (updates[anna].calendar or "").replace(uid, "no-such-event@example.net")
        unknown = clients.rsvp(other, anna, NAME[anna], "ACCEPTED", "outlook", "2027-01-04T11:30")
        t.ok(b"no-such-event@example.net" in callib.calendar_parts(unknown)[0],
             "the REPLY names an unknown UID")
        imap.deliver(unknown)
        daemon("2027-01-04T11:35", "counter and unknown UID")
        rows = inbox_rows()
        ctr = [r for r in rows if "COUNTER" in (r.get("reason") or "")]
        unk = [r for r in rows if "no-such-event@example.net" in (r.get("reason") or "")]
        t.ok(len(ctr) == 1 and ctr[0]["state"] == "ignored" and "not applied" in ctr[0]["reason"],
             "the COUNTER is kept for the coordinator, not applied", [(r["state"], r.get("reason"))
                                                                      for r in rows])
        t.ok(len(unk) == 1 and unk[0]["state"] == "ignored" and
             "none of our sessions" in unk[0]["reason"],
             "the REPLY for an unknown UID is kept, not applied", [(r["state"], r.get("reason"))
                                                                   for r in rows])
        t.ok(answers() == a and partstats().get(anna, ("",))[0] == "NEEDS-ACTION",
             "neither changes an answer: Anna still has none", (answers(), partstats()))

        # --- 5. cancel -----------------------------------------------------------------------
        p = ctl("session", "cancel", str(sid), now="2027-01-04T12:00")
        t.ok(p.returncode == 0 and "SEQUENCE 2" in p.stdout and "cancelled" in p.stdout and
             "5 messages queued" in p.stdout, "cancel: SEQUENCE 2, 5 messages queued",
             p.stdout + p.stderr)
        n = daemon("2027-01-04T12:05", "cancel")
        t.ok(n == 5, "cancel: the SMTP server accepted 5 cancellations", n)
        _, uid3 = check_round(delivered(), "CANCEL", 2, "cancel", "2027-04-06T14:00:00",
                              "2027-04-06T12:00:00Z")
        t.ok(uid3 == uid, "the cancellations keep the UID", (uid, uid3))

        # --- 6. nothing twice, nothing else --------------------------------------------------
        n = daemon("2027-01-04T13:00", "a last pass")
        t.ok(n == 0 and smtp_count(smtp) == 23 and delivered() == [] and len(seen) == 23,
             "23 messages in all (5 invitations, 5 updates, 5 cancellations, and each member's "
             "welcome and week-1 nudge of the first morning), none twice",
             (n, smtp_count(smtp), len(seen)))
        rows = inbox_rows()
        t.ok(len(rows) == 9 and not [r for r in rows if r["state"] == "pending"],
             "9 answers kept, none pending", [(r["state"], r.get("reason")) for r in rows])
        ok, out = callib.icalrestrict([p for _, p, _ in sent_ics])
        t.ok(ok and out.count(": ok") == len(sent_ics) == 15, "libical's icalrestriction_check "
             "passes on all 15 calendars sent", out)
t.finish()
