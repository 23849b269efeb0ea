#!/usr/bin/python3
"""The team's picture under the mail budget (issue 18): it is for the progress session, so the
budget may defer it but never past that session; it goes over the budget instead (as a
session invitation does), and its outbox row carries the session as its moment.

Simulated on the embedded default (tests/sim/sim.py): a six-week programme, two members,
[program] mail_budget = 1 (the smallest budget makes the squeeze easy to set up; with 2 it
needs one more older mail). On Friday of week 2 the facilitator schedules the progress session
for Monday of week 3 at 14:00 and the evaluation session for Friday of week 3: the progress
invitation takes Friday's room, the evaluation's waits for Monday and, wanted a week before its
session, comes before anything made on Monday. At 08:00 on Monday the progress report makes the
picture: with no room left and the session at 14:00, waiting for Tuesday would bring it after
the session (before the fix it came on Tuesday at 09:00)."""
import datetime
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "sim"))
import sim  # noqa: E402
from servers import Tap  # noqa: E402

t = Tap()
SETUP = "2027-01-01T12:00"
MEMBERS = ["ann@example.nl", "bob@example.nl"]
SESSION = sim.when("2027-01-18T14:00")

with tempfile.TemporaryDirectory() as tmp:
    s = sim.Sim(os.path.join(tmp, "w"), {"feedbackd": {"log_level": "info"}, "program": {"mail_budget": "1"}})
    s.ctl("program", "create", "P", "--start", "2027-01-04", "--weeks", "6", now=SETUP)
    s.ctl("team", "add", "P", "T", now=SETUP)
    for addr in MEMBERS:
        s.ctl("member", "add", "T", addr.split("@")[0].title() + " Smit", addr, now=SETUP)
    s.ctl("facilitator", "add", "T", "coach@example.nl", "--name", "Karin Coach", now=SETUP)
    s.run(until="2027-01-15T15:00")
    s.ctl("session", "schedule", "P", "progress", "--at", "2027-01-18 14:00", "--duration", "90",
          now="2027-01-15T16:00")
    s.ctl("session", "schedule", "P", "evaluation", "--at", "2027-01-22 14:00", "--duration", "90",
          now="2027-01-15T16:01")
    s.run(until="2027-01-20T12:00", extra=["2027-01-15T16:02"])

    for addr in MEMBERS:
        pics = s.sent(addr, "team_picture")
        t.ok(len(pics) == 1, "%s got the team's picture once" % addr, pics)
        t.ok(pics and pics[0].sent_at < SESSION and pics[0].sent_at == sim.when("2027-01-18T08:00"),
             "%s's picture came at the progress report, before the session at 14:00" % addr, pics)
        ev = [m for m in s.sent(addr, "invite") if m.subject.startswith("Evaluatie")]
        t.ok(ev and ev[0].sent_at == sim.when("2027-01-18T08:00"),
             "%s: the evaluation's invitation, deferred from Friday, took Monday's room" % addr, ev)
        day = [m for m in s.sent(addr) if m.kind in ("nudge", "questionnaire", "questionnaire_reminder",
                                                      "invite", "moment_invite", "team_picture")
               and m.date.date() == datetime.date(2027, 1, 18)]
        t.ok(sorted(m.kind for m in day) == ["invite", "team_picture"],
             "%s: on Monday only the picture went over the budget, the nudge waited" % addr,
             [(m.kind, str(m.date)) for m in day])
    rows = s.sql("SELECT about_at FROM outbox WHERE kind = 'team_picture'")
    t.ok(len(rows) == 2 and all(r[0] == int(SESSION.timestamp()) for r in rows),
         "the picture's outbox row carries the session as its moment", rows)
    t.ok(any("(team_picture): goes over the mail budget" in line for line in s.log_text().splitlines()),
         "the log says the picture went over the budget")
t.finish()
