#!/usr/bin/python3
"""The questionnaire's reminder moments in every member's calendar, and taken out again when
the member answers. feedbackd (the scheduler, built-in Maildir setup, default timeline: the
baseline Monday 2027-01-04 09:00, reminders 3 and 6 days later at 09:00, close on the 18th)
sends each member who was sent the baseline a short event per reminder moment ("Reminder:
baseline questionnaire still open — answer by 2027-01-18"), in their language, inside the
questionnaire's window (issue 18's mail budget): not with the questionnaire, each from the day
before its reminder. A member who completes the questionnaire gets a CANCEL (same UID,
SEQUENCE + 1) for the reminder events still ahead, not for the ones already past, in the pass
that reads their answers, and no event for a reminder not made yet; nothing goes out twice
across passes. `calendar export --member` shows a member's reminder events only while they
stand. Every calendar is read by Python's icalendar and Mozilla's ical.js (they must agree)
and passes libical's icalrestriction_check."""
import email
import email.message
import email.policy
import email.utils
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers import Tap  # noqa: E402
import callib  # noqa: E402

FBCTL = os.path.join(callib.BUILD, "feedbackctl")
FBD = os.path.join(callib.BUILD, "feedbackd")
REMINDER = ("Reminder", "Herinnering")
t = Tap()


def run(*args):
    p = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        t.ok(False, "command %s" % " ".join(args[3:]), p.stdout + p.stderr)
    return p


with tempfile.TemporaryDirectory() as T:
    conf = os.path.join(T, "f.conf")
    with open(conf, "w") as f:
        f.write("[feedbackd]\ndatabase = %s/fb.db\ndomain = feedback.example.org\n"
                "from_address = feedback@example.org\nfrom_name = Feedback Pilot\n"
                "coordinator_address = coordinator@example.org\n"
                "[outgoing]\nmaildir = %s/sent\n[incoming]\nmaildir = %s/in\n" % (T, T, T))
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(T, "in", sub))
    os.makedirs(os.path.join(T, "ics"))

    def ctl(*a, now="2027-01-01T10:00"):
        return run(FBCTL, "-c", conf, "--now", now, *a)

    def fbd(now):
        return run(FBD, "-c", conf, "--once", "--now", now, "--log-level", "warning")

    seen = set()

    def new_mail():
        d = os.path.join(T, "sent", "new")
        out = []
        for n in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            if n not in seen:
                seen.add(n)
                with open(os.path.join(d, n), "rb") as f:
                    out.append(email.message_from_bytes(f.read(), policy=email.policy.default))
        return out

    files = []  # every calendar sent or exported, for ical.js and libical at the end
    questionnaires = {}  # member address -> the questionnaire mail they got

    def calendars(msgs, what):
        """[(to, icalendar's view, the message)] of the reminder events in msgs."""
        out = []
        for m in msgs:
            if m["X-Feedbackd-Kind"] == "questionnaire":
                questionnaires[m["To"].addresses[0].addr_spec] = m
            parts = [p for p in m.walk() if p.get_content_type() == "text/calendar"]
            if not parts:
                continue
            ics = parts[0].get_payload(decode=True)
            view = callib.view_icalendar(ics)
            if not view["events"][0]["summary"].startswith(REMINDER) and \
                    not (view["method"] == "CANCEL" and "minder" in m["Subject"]) and \
                    not (view["method"] == "CANCEL" and "herinnering" in m["Subject"]):
                continue  # a questionnaire moment's event: t0610
            path = os.path.join(T, "ics", "%03d-%s.ics" % (len(files), what))
            with open(path, "wb") as f:
                f.write(ics)
            to = m["To"].addresses[0].addr_spec
            t.ok(parts[0].get_param("method") == view["method"] and
                 m["X-Feedbackd-Kind"] == ("moment_cancel" if view["method"] == "CANCEL"
                                           else "moment_invite"),
                 "%s to %s: method= equals METHOD, a moment message" % (what, to))
            files.append(("%s to %s" % (what, to), path, view))
            out.append((to, view, m))
        return out

    def text_of(m):
        return m.get_body(preferencelist=("plain",)).get_content()

    def answer(who, body, now):
        """who replies to their questionnaire with body; the daemon reads it at now."""
        q = questionnaires[who]
        r = email.message.EmailMessage()
        r["From"] = who
        r["To"] = str(q["Reply-To"])
        r["Subject"] = "Re: " + str(q["Subject"])
        r["Message-ID"] = email.utils.make_msgid(domain="example.org")
        r["In-Reply-To"] = str(q["Message-ID"])
        r["Date"] = email.utils.format_datetime(email.utils.parsedate_to_datetime(
            "Mon, 04 Jan 2027 10:00:00 +0000"))
        r.set_content(body)
        with open(os.path.join(T, "in", "new", "reply-%s" % who.split("@")[0]), "wb") as f:
            f.write(r.as_bytes(policy=email.policy.SMTP))
        fbd(now)

    ANSWERS = "1: 8\n2: 7\n3: 6\n4: 5\n5: 4\n6: 3\n7: listening\n8: faster\n9: a habit\n"

    ctl("program", "create", "Pilot", "--start", "2027-01-04", "--language", "en")
    ctl("team", "add", "Pilot", "Blauw")
    for name, addr, lang in (("Jan de Vries", "jan@example.org", "en"),
                             ("Els Ödegaard", "els@example.org", "nl"),
                             ("Piet", "piet@example.org", "en")):
        ctl("member", "add", "Pilot/Blauw", name, addr, "--language", lang)

    fbd("2027-01-04T00:30")
    t.ok(calendars(new_mail(), "early") == [], "at the start, before the questionnaire: no "
         "reminder events yet")

    fbd("2027-01-04T09:05")
    t.ok(calendars(new_mail(), "with") == [], "the questionnaire's pass: no reminder event "
         "with it (issue 18: inside its window, from the next day)")
    t.ok(sorted(questionnaires) == ["els@example.org", "jan@example.org", "piet@example.org"],
         "the baseline questionnaire went to all three", sorted(questionnaires))
    fbd("2027-01-05T09:05")
    t.ok(calendars(new_mail(), "too-early") == [], "the day after: still no reminder event "
         "(the first reminder is two days off)")

    cals = []
    for now in ("2027-01-06T00:30", "2027-01-09T00:30"):
        fbd(now)
        got = calendars(new_mail(), "invite")
        if now.startswith("2027-01-06"):
            # Jan answers everything on Wednesday, with his first reminder's event in his
            # calendar and the second not made yet
            answer("jan@example.org", ANSWERS, "2027-01-06T10:00")
            gone_jan = calendars(new_mail(), "cancel-jan")
            fbd("2027-01-07T09:05")
            t.ok(calendars(new_mail(), "reminder-day") == [], "the first reminder's day: no "
                 "calendar mail (the reminder itself is a mail)")
        cals += [(now, c) for c in got]
    got = sorted((now, to, v["events"][0]["dtstart"]["local"]) for now, (to, v, _) in cals)
    t.ok(got == [("2027-01-06T00:30", who, "2027-01-07T09:00:00") for who in
                 ("els@example.org", "jan@example.org", "piet@example.org")] +
         [("2027-01-09T00:30", who, "2027-01-10T09:00:00") for who in
          ("els@example.org", "piet@example.org")],
         "two reminder events per member, 3 and 6 days after the questionnaire at 09:00 "
         "local, each the day before its reminder; Jan, who completed it in between, gets no "
         "second one", got)
    cals = [c for _, c in cals]
    uid = {}
    for to, v, m in cals:
        e = v["events"][0]
        uid[(to, e["dtstart"]["local"][:10])] = e["uid"]
        t.ok(v["method"] == "REQUEST" and e["sequence"] == 0 and e["status"] == "CONFIRMED" and
             e["attendees"][0]["address"] == to and e["organizer"] == "coordinator@example.org"
             and e["dtend"]["local"][11:] == "09:15:00",
             "reminder to %s on %s: REQUEST, SEQUENCE 0, 15 minutes, the member as ATTENDEE"
             % (to, e["dtstart"]["local"][:10]), e)
    t.ok(len(uid) == 5 and len(set(uid.values())) == 5,
         "a UID of its own per member and reminder", uid)
    summ = {(to, v["events"][0]["dtstart"]["local"][:10]): v["events"][0]["summary"]
            for to, v, _ in cals}
    t.ok(summ.get(("jan@example.org", "2027-01-07")) == "Reminder: baseline measurement "
         "questionnaire still open — answer by Monday 18 January (Pilot)", "Jan's reads: still "
         "open, answer by the close", summ.get(("jan@example.org", "2027-01-07")))
    t.ok(summ.get(("els@example.org", "2027-01-10")) == "Herinnering: vragenlijst nulmeting "
         "staat nog open — invullen vóór maandag 18 januari (Pilot)", "Els gets hers in Dutch",
         summ.get(("els@example.org", "2027-01-10")))
    jan_mail = [m for to, _, m in cals if to == "jan@example.org"]
    t.ok(jan_mail and "is still open for you" in text_of(jan_mail[0]) and
         "leaves your calendar by itself" in text_of(jan_mail[0]),
         "the invite's text says it goes away when answered", jan_mail and text_of(jan_mail[0]))

    got = sorted((to, v["events"][0]["uid"], v["method"], v["events"][0]["sequence"],
                  v["events"][0]["status"]) for to, v, _ in gone_jan)
    t.ok(got == [("jan@example.org", uid.get(("jan@example.org", "2027-01-07")), "CANCEL", 1,
                  "CANCELLED")],
         "Jan completes it: a CANCEL for his reminder event still ahead, same UID, SEQUENCE 1, "
         "in the pass that read his answers", got)
    t.ok(gone_jan and all(m["Subject"].startswith("Cancelled: reminder of the baseline "
         "measurement questionnaire") and "Thank you for answering" in text_of(m)
         for _, _, m in gone_jan), "the cancel thanks him for answering",
         gone_jan and (gone_jan[0][2]["Subject"], text_of(gone_jan[0][2])))

    fbd("2027-01-09T01:30")
    t.ok(calendars(new_mail(), "again") == [], "the next pass sends no reminder event again")

    # the first reminder has passed; Els answers on Saturday: only the Sunday one is ahead
    answer("els@example.org", ANSWERS, "2027-01-09T10:00")
    gone = calendars(new_mail(), "cancel-els")
    got = [(to, v["events"][0]["uid"], v["method"], v["events"][0]["sequence"]) for to, v, _
           in gone]
    t.ok(got == [("els@example.org", uid.get(("els@example.org", "2027-01-10")), "CANCEL", 1)],
         "Els completes it after the first reminder: a CANCEL for the second only, not for the "
         "past one", got)
    t.ok(gone and gone[0][2]["Subject"] == "Vervallen: herinnering aan de nulmeting (Pilot)"
         and "Bedankt voor het invullen" in text_of(gone[0][2]), "in Dutch",
         gone and gone[0][2]["Subject"])

    # an answer that does not complete it cancels nothing
    answer("piet@example.org", "1: 5\n", "2027-01-09T11:00")
    t.ok(calendars(new_mail(), "partial") == [], "Piet answers one question: his reminders "
         "stand")
    for now in ("2027-01-09T12:00", "2027-01-10T09:05", "2027-01-11T09:05"):
        fbd(now)
    t.ok(calendars(new_mail(), "later") == [], "later passes: nothing twice, nothing new")
    # a pass at a --now before the first reminder (a clock set back): Els's first reminder is
    # ahead of it again, but it was past when she answered, so it is left alone
    fbd("2027-01-06T12:00")
    t.ok(calendars(new_mail(), "past-now") == [], "a pass at a past --now cancels nothing")

    # a member's calendar, exported: reminder events only while they stand
    # Jan: his one reminder event is cancelled and his next moment's event is weeks off (it
    # comes a week before the midterm), so his calendar has nothing that stands yet
    p = subprocess.run([FBCTL, "-c", conf, "--now", "2027-01-09T13:00", "calendar", "export",
                        "Pilot", "--member", "jan@example.org"], capture_output=True, text=True,
                       timeout=120)
    t.ok(p.returncode != 0 and p.stdout == "" and "nothing to export" in p.stderr and
         "for this member yet" in p.stderr, "export --member jan@example.org: no reminder "
         "event (his one is cancelled), nothing else yet: 'nothing to export'",
         (p.returncode, p.stdout, p.stderr))
    for who, want in (("els@example.org", [uid.get(("els@example.org", "2027-01-07"))]),
                      ("piet@example.org", [uid.get(("piet@example.org", "2027-01-07")),
                                            uid.get(("piet@example.org", "2027-01-10"))])):
        p = ctl("calendar", "export", "Pilot", "--member", who, now="2027-01-09T13:00")
        path = os.path.join(T, "ics", "export-%s.ics" % who)
        with open(path, "w", encoding="utf-8") as f:
            f.write(p.stdout)
        v = callib.view_icalendar(p.stdout.encode())
        files.append(("export --member " + who, path, v))
        rem = [e["uid"] for e in v["events"] if e["summary"].startswith(REMINDER)]
        t.ok(v["method"] == "PUBLISH" and sorted(rem) == sorted(want),
             "export --member %s: %d reminder event(s), the ones that stand" % (who, len(want)),
             (rem, want))

    # ical.js and libical on everything
    why = callib.icaljs_ready()
    t.ok(why is None, "ical.js is installed (tests/js)", why)
    if why is None:
        js = callib.icaljs([p for _, p, _ in files])
        for (what, _, py), j in zip(files, js):
            callib.same_view(t, what, j, py)
    ok, out = callib.icalrestrict([p for _, p, _ in files])
    t.ok(ok and out.count(": ok") == len(files), "libical's icalrestriction_check passes on "
         "all %d calendars" % len(files), out)
t.finish()
