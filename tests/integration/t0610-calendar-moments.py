#!/usr/bin/python3
"""The questionnaire moments in every member's calendar, and the programme as one calendar file.
feedbackd (the scheduler, with the built-in Maildir setup) sends each member an event per
questionnaire moment about a week before it (issue 18's mail budget), not sooner and not on
the moment's own day: the baseline, on the programme's first morning, has none (its
questionnaire is the news); a member away on the moment's day gets none; the baseline's
reminder events come inside its window, each the day before its reminder. A change of the
programme's dates (follow-up weeks in the configuration) sends the full event again with
SEQUENCE + 1 and the same UID (`feedbackctl calendar sync`); a member who becomes away gets a
CANCEL. Every calendar is read by Python's icalendar and Mozilla's ical.js (they must agree,
DST included) and passes libical's icalrestriction_check. `feedbackctl calendar export` gives
one METHOD:PUBLISH calendar with one VTIMEZONE: for the programme every moment and session;
for one member what they are invited to so far (include/invite.h): their sessions, even one
whose invitation still waits in the outbox, and the events made for them, with the UIDs of
their mail -- not the moments whose events are still to come, which have no UID yet."""
import email
import email.policy
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers import Tap  # noqa: E402
import callib  # noqa: E402

import icalendar  # noqa: E402

FBCTL = os.path.join(callib.BUILD, "feedbackctl")
FBD = os.path.join(callib.BUILD, "feedbackd")
t = Tap()


def run(*args):
    p = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        t.ok(False, "command %s" % " ".join(args[3:]), p.stdout + p.stderr)
    return p


with tempfile.TemporaryDirectory() as T:
    conf = os.path.join(T, "f.conf")

    def configure(followup_weeks):
        with open(conf, "w") as f:
            f.write("[feedbackd]\ndatabase = %s/fb.db\ndomain = feedback.example.org\n"
                    "from_address = feedback@example.org\nfrom_name = Feedback Pilot\n"
                    "coordinator_address = coordinator@example.org\n"
                    "[outgoing]\nmaildir = %s/sent\n[incoming]\nmaildir = %s/in\n"
                    "[program]\nfollowup_weeks = %d\n" % (T, T, T, followup_weeks))
    configure(26)
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(T, "in", sub))
    os.makedirs(os.path.join(T, "ics"))

    def ctl(*a, now="2026-12-20T10:00"):
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

    def calendars(msgs, what):
        """[(to, icalendar's view, path)] of the calendar parts of msgs."""
        out = []
        for m in msgs:
            parts = [p for p in m.walk() if p.get_content_type() == "text/calendar"]
            if not parts:
                continue  # the scheduler's other mail (nudges, questionnaires)
            ics = parts[0].get_payload(decode=True)
            path = os.path.join(T, "ics", "%03d-%s.ics" % (len(files), what))
            with open(path, "wb") as f:
                f.write(ics)
            view = callib.view_icalendar(ics)
            t.ok(parts[0].get_param("method") == view["method"], "%s: method= equals METHOD"
                 % what)
            to = m["To"].addresses[0].addr_spec
            files.append(("%s to %s" % (what, to), path, view))
            out.append((to, view, path))
        return out

    ctl("program", "create", "Pilot", "--start", "2027-01-04", "--language", "en")
    ctl("team", "add", "Pilot", "Blauw")
    for name, addr, lang in (("Jan de Vries", "jan@example.org", "en"),
                             ("Els Ödegaard", "els@example.org", "nl"),
                             ("Piet", "piet@example.org", "en")):
        ctl("member", "add", "Pilot/Blauw", name, addr, "--language", lang)
    # Piet is away on the midterm's day: no event for that moment
    ctl("member", "absent", "piet@example.org", "--from", "2027-02-01", "--until", "2027-02-01")

    MOMENT = ("moment_invite", "moment_cancel")
    REMINDER = ("Reminder", "Herinnering")

    def moments(msgs, what):
        """calendars() of the questionnaire moments' events (not their reminders') in msgs."""
        cals = calendars([m for m in msgs if m["X-Feedbackd-Kind"] in MOMENT], what)
        return [c for c in cals if c[1]["method"] == "CANCEL" or
                not c[1]["events"][0]["summary"].startswith(REMINDER)]

    fbd("2027-01-03T12:00")
    t.ok(new_mail() == [], "nothing before the programme's start")
    fbd("2027-01-04T00:30")
    t.ok(new_mail() == [], "nothing before the first morning (the welcome comes first)")
    fbd("2027-01-04T09:30")
    msgs = new_mail()
    kinds = sorted(m["X-Feedbackd-Kind"] for m in msgs)
    t.ok(kinds.count("questionnaire") == 3 and calendars(msgs, "day-one") == [],
         "the baseline's own day: the questionnaire to all three and no calendar event (the "
         "questionnaire is the news; the programme starts that morning, so no week before)",
         kinds)
    # the kickoff, scheduled when the day's budget is used up (nudge and questionnaire): its
    # invitation waits in the outbox for the next morning, and a member's export shows it
    # meanwhile, with the UID the invitation will have
    ctl("session", "schedule", "Pilot", "kickoff", "--at", "2027-03-29 09:00", "--duration",
        "90m", "--team", "Blauw", now="2027-01-04T10:00")
    p = ctl("calendar", "export", "Pilot", "--member", "jan@example.org", now="2027-01-04T10:05")
    early = callib.view_icalendar(p.stdout.encode())
    path = os.path.join(T, "ics", "export-early.ics")
    with open(path, "w", encoding="utf-8") as f:
        f.write(p.stdout)
    files.append(("export --member jan@example.org, early", path, early))
    fbd("2027-01-04T10:30")
    t.ok(new_mail() == [] and len(early["events"]) == 1 and
         early["events"][0]["summary"].startswith("Kickoff"), "the kickoff's invitation waits "
         "(mail budget), Jan's export already shows the kickoff and nothing else yet",
         [e["summary"] for e in early["events"]])
    fbd("2027-01-05T09:30")
    inv = calendars([m for m in new_mail() if m["X-Feedbackd-Kind"] == "invite"], "kickoff")
    t.ok(sorted(to for to, _, _ in inv) == ["els@example.org", "jan@example.org",
         "piet@example.org"] and all(v["events"][0]["uid"] == early["events"][0]["uid"]
                                     for _, v, _ in inv),
         "the next morning the kickoff's invitations, with the UID Jan's export showed",
         [(to, v["events"][0]["uid"]) for to, v, _ in inv])
    # the baseline's reminders: each event the day before its reminder (inside the window)
    rem = []
    for now in ("2027-01-05T10:30", "2027-01-06T00:30", "2027-01-08T09:30", "2027-01-09T00:30"):
        fbd(now)
        rem += sorted((now, to, v["events"][0]["dtstart"]["local"]) for to, v, _ in
                      calendars([m for m in new_mail() if m["X-Feedbackd-Kind"] in MOMENT],
                                "reminder"))
    t.ok(rem == [(sent, who, day + "T09:00:00") for sent, day in
                 (("2027-01-06T00:30", "2027-01-07"), ("2027-01-09T00:30", "2027-01-10"))
                 for who in ("els@example.org", "jan@example.org", "piet@example.org")],
         "with the baseline sent: its two reminders in each member's calendar, each the day "
         "before it", rem)
    uids = {}  # (member, first 8 characters of the summary) -> UID of the event sent

    def note(cals):
        by = {}
        for to, v, _ in cals:
            e = v["events"][0]
            by.setdefault(to, {})[e["summary"]] = e
            uids[(to, e["summary"][:8])] = e["uid"]
            t.ok(v["method"] == "REQUEST" and e["sequence"] == 0 and
                 e["status"] == "CONFIRMED" and e["attendees"][0]["address"] == to and
                 e["organizer"] == "coordinator@example.org", "invite to %s: REQUEST, "
                 "SEQUENCE 0, the member as ATTENDEE" % to, e)
        return by

    # the midterm (Monday 1 February): its event about a week before, not sooner
    fbd("2027-01-25T00:30")
    t.ok(moments(new_mail(), "early") == [], "8 days before the midterm: no event yet")
    fbd("2027-01-25T09:30")
    by = note(moments(new_mail(), "invite"))
    t.ok(sorted(by) == ["els@example.org", "jan@example.org"] and
         all(len(v) == 1 for v in by.values()), "a week before the midterm: its event to Jan "
         "and Els; Piet, away on its day, gets none", {k: sorted(v) for k, v in by.items()})
    jan = by.get("jan@example.org", {})
    mid = jan.get("Midterm measurement questionnaire — answer by Monday 15 February (Pilot)")
    t.ok(mid is not None and mid["dtstart"]["local"] == "2027-02-01T09:00:00" and
         mid["dtstart"]["utc"] == "2027-02-01T08:00:00Z" and
         mid["dtend"]["local"] == "2027-02-01T09:15:00", "Jan's midterm: 09:00-09:15 "
         "Europe/Amsterdam, answer by the close date", sorted(jan))
    els = by.get("els@example.org", {})
    t.ok(any(s.startswith("Tussenmeting — invullen vóór maandag 15 februari") for s in els),
         "Els gets hers in Dutch", sorted(els))
    fbd("2027-01-25T10:30")
    t.ok(new_mail() == [], "the next pass sends nothing again")

    # a member's export: what they are invited to so far, the kickoff and the events made for
    # them (the baseline's two reminders, the midterm), with the UIDs of what they were sent;
    # not the moments whose events are still to come (they have no UID yet)
    for who, n in ((None, 5), ("jan@example.org", 4), ("els@example.org", 4),
                   ("piet@example.org", 3)):
        args = ["calendar", "export", "Pilot"] + (["--member", who] if who else [])
        p = ctl(*args, now="2027-01-25T12:00")
        path = os.path.join(T, "ics", "export-%s.ics" % (who or "all"))
        with open(path, "w", encoding="utf-8") as f:
            f.write(p.stdout)
        v = callib.view_icalendar(p.stdout.encode())
        what = "export%s" % (" --member " + who if who else "")
        files.append((what, path, v))
        cal = icalendar.Calendar.from_ical(p.stdout)
        t.ok(v["method"] == "PUBLISH" and v["vtimezones"] == ["Europe/Amsterdam"] and
             len(v["events"]) == n and all(e["attendees"] == [] for e in v["events"]) and
             len(cal.walk("VTIMEZONE")) == 1, "%s: PUBLISH, one VTIMEZONE, %d events, no "
             "ATTENDEE" % (what, n), (v["method"], len(v["events"]), v["vtimezones"]))
        kick = [e for e in v["events"] if e["summary"].startswith(("Kickoff", "Aftrap"))]
        t.ok(len(kick) == 1 and kick[0]["dtstart"]["utc"] == "2027-03-29T07:00:00Z",
             "%s: the kickoff on the Monday after the clocks change, 07:00Z" % what, kick)
        if who:
            sent = {e["uid"] for w, _, e in ((w, p, e) for w, p, vv in files
                    if w.endswith(" to " + who) for e in vv["events"])}
            got = {e["uid"] for e in v["events"]}
            t.ok(len(sent) == n and sent == got, "%s: the UIDs of the member's invitation, "
                 "moment event and reminder events sent, no other" % what, (sent, got))
        else:
            t.ok(sorted(e["dtstart"]["local"][:10] for e in v["events"]) ==
                 ["2027-01-04", "2027-02-01", "2027-03-08", "2027-03-29", "2027-09-06"],
                 "export: the programme's four moments, including those whose events are "
                 "still to come, and the kickoff", [e["dtstart"]["local"] for e in v["events"]])

    # the end measurement (Monday 8 March): its event a week before
    fbd("2027-03-01T09:30")
    by = note(moments(new_mail(), "invite"))
    t.ok(sorted(by) == ["els@example.org", "jan@example.org", "piet@example.org"] and
         all(len(v) == 1 and all(e["dtstart"]["local"] == "2027-03-08T09:00:00"
                                 for e in v.values()) for v in by.values()),
         "a week before the end measurement: its event to all three",
         {k: sorted(v) for k, v in by.items()})

    # the follow-up (26 weeks later, summer time): its event a week before
    fbd("2027-08-30T00:30")
    t.ok(moments(new_mail(), "early") == [], "8 days before the follow-up: no event yet")
    fbd("2027-08-30T09:30")
    by = note(moments(new_mail(), "invite"))
    follow = [e for s, e in by.get("jan@example.org", {}).items() if s.startswith("Follow-up")]
    t.ok(len(follow) == 1 and follow[0]["dtstart"]["local"] == "2027-09-06T09:00:00" and
         follow[0]["dtstart"]["utc"] == "2027-09-06T07:00:00Z", "Jan's follow-up in summer "
         "time: 09:00 local = 07:00Z, a week before it", follow)
    t.ok(sorted(by) == ["els@example.org", "jan@example.org", "piet@example.org"] and
         any(s.startswith("Nameting") for s in by.get("els@example.org", {})),
         "the follow-up's event to all three, Els's in Dutch", sorted(by))
    piet = sorted(s[:8] for (to, s) in uids if to == "piet@example.org")
    t.ok(len(piet) == 2 and not any(s.startswith("Midterm") for s in piet), "Piet, away on the "
         "midterm's day, got the other two events made so far (end and follow-up)", piet)
    t.ok(len(uids) == 8 and len(set(uids.values())) == 8,
         "a UID of its own per member and moment", uids)

    # the programme's dates change: the follow-up moves 4 weeks
    configure(30)
    p = ctl("calendar", "sync", "Pilot", now="2027-08-30T10:00")
    t.ok("3 calendar messages queued" in p.stdout, "calendar sync: 3 follow-ups moved",
         p.stdout + p.stderr)
    fbd("2027-08-30T10:01")
    moved = moments(new_mail(), "update")
    t.ok(len(moved) == 3 and all(v["method"] == "REQUEST" and v["events"][0]["sequence"] == 1
         and v["events"][0]["dtstart"]["local"] == "2027-10-04T09:00:00" and
         v["events"][0]["summary"].startswith(("Follow-up", "Nameting"))
         for _, v, _ in moved), "updates: SEQUENCE 1 at the new date",
         [v["events"][0] for _, v, _ in moved][:1])
    old = {to: u for (to, s), u in uids.items() if s.startswith(("Follow-u", "Nameting"))}
    t.ok(all(v["events"][0]["uid"] == old.get(to) for to, v, _ in moved), "same UIDs")

    ctl("member", "absent", "els@example.org", "--from", "2027-10-01", "--until", "2027-10-08",
        now="2027-08-30T10:20")
    p = ctl("calendar", "sync", "Pilot", now="2027-08-30T10:30")
    fbd("2027-08-30T10:31")
    gone = moments(new_mail(), "cancel")
    t.ok(len(gone) == 1 and gone[0][0] == "els@example.org" and gone[0][1]["method"] ==
         "CANCEL" and gone[0][1]["events"][0]["sequence"] == 2 and
         gone[0][1]["events"][0]["status"] == "CANCELLED" and
         gone[0][1]["events"][0]["uid"] == old.get("els@example.org"),
         "away on the follow-up: a CANCEL with SEQUENCE 2 and the same UID",
         [(to, v["method"], v["events"][0]["sequence"]) for to, v, _ in gone])

    # the dates change again the same day, after the follow-up's event and its first update:
    # an update of an event sent is never held or counted by the mail budget
    # (feedbackd.conf(5)), so it goes at once, not the next day
    configure(31)
    p = ctl("calendar", "sync", "Pilot", now="2027-08-30T11:00")
    fbd("2027-08-30T11:01")
    moved = moments(new_mail(), "update2")
    t.ok("3 calendar messages queued" in p.stdout and
         sorted((to, v["method"], v["events"][0]["sequence"], v["events"][0]["status"],
                 v["events"][0]["dtstart"]["local"], v["events"][0]["uid"] == old.get(to))
                for to, v, _ in moved) ==
         [("els@example.org", "REQUEST", 3, "CONFIRMED", "2027-10-11T09:00:00", True)] +
         [(who, "REQUEST", 2, "CONFIRMED", "2027-10-11T09:00:00", True)
          for who in ("jan@example.org", "piet@example.org")],
         "moved again the same day: Jan's and Piet's updates (SEQUENCE 2) and Els's event back "
         "(no longer away on it, SEQUENCE 3) go at once, over a day with two automatic mails "
         "already (an update is never held by the mail budget)",
         (p.stdout, [(to, v["events"][0]["sequence"]) for to, v, _ in moved]))

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
