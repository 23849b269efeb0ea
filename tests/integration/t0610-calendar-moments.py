#!/usr/bin/python3
"""The questionnaire moments in every member's calendar, and the programme as one calendar file.
feedbackd (the scheduler, with the built-in Maildir setup) sends each member an invite per
questionnaire moment from the programme's start on, not before; a member away on the moment's
day gets none; a change of the programme's dates (follow-up weeks in the configuration) sends
the full event again with SEQUENCE + 1 and the same UID (`feedbackctl calendar sync`); a member
who becomes away gets a CANCEL. Every calendar is read by Python's icalendar and Mozilla's
ical.js (they must agree, DST included) and passes libical's icalrestriction_check.
`feedbackctl calendar export` gives one METHOD:PUBLISH calendar with one VTIMEZONE and the
right events, for the programme and for one member."""
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
    ctl("member", "absent", "piet@example.org", "--from", "2027-01-04", "--until", "2027-01-04")

    fbd("2027-01-03T12:00")
    t.ok(new_mail() == [], "nothing before the programme's start")
    fbd("2027-01-04T00:30")
    cals = calendars(new_mail(), "invite")
    t.ok(len(cals) == 11, "at the start: 4 moments x 3 members, less Piet's baseline (away)",
         len(cals))
    by = {}
    for to, v, _ in cals:
        e = v["events"][0]
        by.setdefault(to, {})[e["summary"]] = e
        t.ok(v["method"] == "REQUEST" and e["sequence"] == 0 and e["status"] == "CONFIRMED" and
             e["attendees"][0]["address"] == to and e["organizer"] == "coordinator@example.org",
             "invite to %s: REQUEST, SEQUENCE 0, the member as ATTENDEE" % to, e)
    jan = by.get("jan@example.org", {})
    base = jan.get("Baseline measurement questionnaire — answer by Monday 18 January (Pilot)")
    t.ok(base is not None and base["dtstart"]["local"] == "2027-01-04T09:00:00" and
         base["dtstart"]["utc"] == "2027-01-04T08:00:00Z" and
         base["dtend"]["local"] == "2027-01-04T09:15:00", "Jan's baseline: 09:00-09:15 "
         "Europe/Amsterdam, answer by the close date", sorted(jan))
    follow = [e for s, e in jan.items() if s.startswith("Follow-up")]
    t.ok(len(follow) == 1 and follow[0]["dtstart"]["local"] == "2027-09-06T09:00:00" and
         follow[0]["dtstart"]["utc"] == "2027-09-06T07:00:00Z", "Jan's follow-up in summer "
         "time: 09:00 local = 07:00Z", follow)
    els = by.get("els@example.org", {})
    t.ok(any(s.startswith("Nulmeting — invullen vóór maandag 18 januari") for s in els),
         "Els gets hers in Dutch", sorted(els))
    t.ok(not any(s.startswith("Baseline") for s in by.get("piet@example.org", {})) and
         len(by.get("piet@example.org", {})) == 3, "Piet, away on the baseline day, gets the "
         "other three")
    uids = {(to, v["events"][0]["summary"][:8]): v["events"][0]["uid"] for to, v, _ in cals}
    t.ok(len(set(uids.values())) == 11, "a UID of its own per member and moment")

    fbd("2027-01-04T01:30")
    t.ok(new_mail() == [], "the next pass sends nothing again")

    # the programme's dates change: the follow-up moves 4 weeks
    configure(30)
    p = ctl("calendar", "sync", "Pilot", now="2027-01-05T10:00")
    t.ok("3 calendar messages queued" in p.stdout, "calendar sync: 3 follow-ups moved",
         p.stdout + p.stderr)
    fbd("2027-01-05T10:01")
    got = calendars(new_mail(), "update")
    # the baseline questionnaire went out in this pass (25 h late), and with it the reminder
    # events of the members it went to (t0615 follows those further)
    REMINDER = ("Reminder", "Herinnering")
    moved = [c for c in got if not c[1]["events"][0]["summary"].startswith(REMINDER)]
    rem = sorted((to, v["events"][0]["dtstart"]["local"]) for to, v, _ in got
                 if v["events"][0]["summary"].startswith(REMINDER))
    t.ok(rem == [(who, day + "T09:00:00") for who in ("els@example.org", "jan@example.org",
         "piet@example.org") for day in ("2027-01-07", "2027-01-10")],
         "with the baseline sent: its two reminders in each member's calendar", rem)
    t.ok(len(moved) == 3 and all(v["method"] == "REQUEST" and v["events"][0]["sequence"] == 1
         and v["events"][0]["dtstart"]["local"] == "2027-10-04T09:00:00" and
         v["events"][0]["summary"].startswith(("Follow-up", "Nameting"))
         for _, v, _ in moved), "updates: SEQUENCE 1 at the new date",
         [v["events"][0] for _, v, _ in moved][:1])
    old = {to: u for (to, s), u in uids.items() if s.startswith(("Follow-u", "Nameting"))}
    t.ok(all(v["events"][0]["uid"] == old.get(to) for to, v, _ in moved), "same UIDs")

    ctl("member", "absent", "els@example.org", "--from", "2027-10-01", "--until", "2027-10-08")
    p = ctl("calendar", "sync", "Pilot", now="2027-01-06T10:00")
    fbd("2027-01-06T10:01")
    gone = calendars(new_mail(), "cancel")
    t.ok(len(gone) == 1 and gone[0][0] == "els@example.org" and gone[0][1]["method"] ==
         "CANCEL" and gone[0][1]["events"][0]["sequence"] == 2 and
         gone[0][1]["events"][0]["status"] == "CANCELLED" and
         gone[0][1]["events"][0]["uid"] == old.get("els@example.org"),
         "away on the follow-up: a CANCEL with SEQUENCE 2 and the same UID",
         [(to, v["method"], v["events"][0]["sequence"]) for to, v, _ in gone])

    # the programme as one calendar
    ctl("session", "schedule", "Pilot", "kickoff", "--at", "2027-03-29 09:00", "--duration",
        "90m", "--team", "Blauw", now="2027-01-06T11:00")
    # a member's export: their moments, their two baseline reminders and the kickoff
    for who, n in ((None, 5), ("jan@example.org", 7), ("els@example.org", 6)):
        args = ["calendar", "export", "Pilot"] + (["--member", who] if who else [])
        p = ctl(*args, now="2027-01-06T12:00")
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
        if who:
            mine = {u for (to, _), u in uids.items() if to == who}
            got = {e["uid"] for e in v["events"]}
            t.ok(len(mine & got) == n - 3, "%s: the UIDs of the member's invites" % what,
                 (mine, got))
        kick = [e for e in v["events"] if e["summary"].startswith(("Kickoff", "Aftrap"))]
        t.ok(len(kick) == 1 and kick[0]["dtstart"]["utc"] == "2027-03-29T07:00:00Z",
             "%s: the kickoff on the Monday after the clocks change, 07:00Z" % what, kick)

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
