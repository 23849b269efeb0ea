#!/usr/bin/python3
"""The measurements of a whole programme, simulated over the embedded Maildir default with an
explicit clock (tests/sim/sim.py): a team of eight, programme starting Monday 2027-02-22 so the
midterm (Monday 2027-03-22, week 5) has its reminders on both sides of the change to summer time
(Sunday 2027-03-28). At every questionnaire five members answer at once (each from another mail
program), two only after the first reminder, one never.

The mail budget (mail_budget, default 2 automatic mails per member per day, issue 18): on the
midterm Monday each member first gets the team's picture with the progress report (08:00) and
then the week-5 nudge (09:00, made in the same pass as the questionnaire and queued before it),
so the midterm questionnaire waits in the outbox and goes on Tuesday 2027-03-23 at 09:00 (the
start of office hours). The measurement itself still opens on Monday and closes 14 days later.

Checked: the exact reminders per member (0, 1, and the configured 2 for the one who never
answers) with each reminder's local time and UTC (09:00 = 08:00Z before the change; the second,
due on a Sunday, on Monday 09:00 = 07:00Z after it); `measurement status --json` at each point;
the close after 14 days (a reply after it is kept, not counted); the follow-up in week 36 (26
weeks after week 10) at 09:00 local; a pass at a past --now sends nothing twice."""
import datetime
import os
import re
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "sim"))
import clients  # noqa: E402
import sim  # noqa: E402
from servers import Tap  # noqa: E402

t = Tap()
UTC = datetime.timezone.utc
TEAM = [("Lid %d" % i, "lid%d@example.nl" % i) for i in range(1, 9)]
AT_ONCE = {a for _, a in TEAM[:5]}
AFTER_REMINDER = {a for _, a in TEAM[5:7]}
NEVER = TEAM[7][1]
NAME = {a: n for n, a in TEAM}
PROGRAMS = ("outlook", "gmail", "apple", "iphone", "thunderbird")


def utc(m):
    return m.sent_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def local(m):
    d = m.date.astimezone(clients.ZONE)
    return d.strftime("%Y-%m-%d %H:%M %z")


def body_for(mail, addr):
    """Answers to every question the mail lists as "  N. text (0-10)" / "(open vraag)"."""
    lines = []
    k = int(addr[3])
    for num, kind in re.findall(r"^  (\d+)\. .*\((0-10|open vraag)\)\r?$", mail.text, re.M):
        lines.append("%s: %s" % (num, (k + int(num)) % 11 if kind == "0-10" else "antwoord van lid %d" % k))
    return "\n".join(lines)


def answer(s, mail):
    """Each member's behaviour: five answer within the hour, two after the first reminder."""
    addr = mail.rcpt
    if mail.kind == "questionnaire" and addr in AT_ONCE:
        k = int(addr[3])
        return [(mail.sent_at + datetime.timedelta(minutes=20 + 5 * k),
                 clients.reply(mail, addr, NAME[addr], body_for(mail, addr), client=PROGRAMS[k % 5],
                               at=mail.sent_at + datetime.timedelta(minutes=20 + 5 * k)))]
    if mail.kind == "questionnaire_reminder" and addr in AFTER_REMINDER:
        earlier = [m for m in s.sent(to=addr, kind="questionnaire_reminder") if m.sent_at < mail.sent_at and
                   m.subject.split(" van ")[0] == mail.subject.split(" van ")[0]]
        if not earlier:  # answer the first reminder only
            at = mail.sent_at + datetime.timedelta(hours=2)
            return [(at, clients.reply(mail, addr, NAME[addr], body_for(mail, addr), client="gmail", at=at))]
    return []


# The running daemon passes at least every poll interval; the simulator steps over planned
# moments only. A reminder due on a Sunday goes out on Monday at 09:00, when after week 10 no
# moment is planned (the nudges have stopped; Monday 08:00 is before office hours): every Monday
# 09:00 is an extra instant, as the daemon's poll would be.
MONDAYS = [(datetime.datetime(2027, 2, 22, 9, 0, tzinfo=clients.ZONE) + datetime.timedelta(weeks=w))
           for w in range(0, 38)]


def status(s, kind):
    for m in s.ctl_json("measurement", "status", "P")["measurements"]:
        if m["measurement"] == kind:
            return {k: m[k] for k in ("sent", "complete", "partial", "missing", "response_rate", "open", "closes")}
    return None


def in_window(mails, start, end):
    return [m for m in mails if sim.when(start) <= m.sent_at < sim.when(end)]


with tempfile.TemporaryDirectory() as tmp:
    s = sim.Sim(os.path.join(tmp, "w"))
    s.ctl("program", "create", "P", "--start", "2027-02-22", now="2027-02-20T12:00")
    s.ctl("team", "add", "P", "T", now="2027-02-20T12:00")
    for n, a in TEAM:
        s.ctl("member", "add", "T", n, a, now="2027-02-20T12:00")

    # --- the midterm, across the change to summer time ---------------------------------------
    s.run(until="2027-03-22T12:00", on_mail=answer)
    # Monday: the budget of two is the team's picture (08:00) and the nudge (09:00); the
    # questionnaire, queued after the nudge in the 09:00 pass, waits for Tuesday's budget.
    monday = {a: sorted((m.kind, local(m)) for m in s.sent(to=a) if m.sent_at >= sim.when("2027-03-22T00:00"))
              for _, a in TEAM}
    t.ok(monday == {a: [("nudge", "2027-03-22 09:00 +0100"), ("team_picture", "2027-03-22 08:00 +0100")]
                    for _, a in TEAM},
         "midterm Monday: each member gets the team's picture at 08:00 and the nudge at 09:00 (mail_budget 2)",
         monday)
    waiting = s.sql("SELECT recipient, state, next_attempt_at, last_error FROM outbox WHERE kind = 'questionnaire'"
                    " AND state = 'queued' AND created_at >= ?", int(sim.when("2027-03-22T00:00").timestamp()))
    t.ok(sorted(w[0] for w in waiting) == sorted(a for _, a in TEAM) and
         {(w[1], sim.iso_utc(datetime.datetime.fromtimestamp(w[2], UTC))) for w in waiting} ==
         {("queued", "2027-03-23T08:00Z")} and
         all("mail_budget = 2" in (w[3] or "") and "2027-03-23T08:00:00Z" in (w[3] or "") for w in waiting),
         "so the midterm questionnaire waits in the outbox, deferred by the budget to Tuesday 09:00 (08:00Z)",
         waiting)
    st = status(s, "midterm")
    t.ok(st is not None and (st["complete"], st["partial"], st["open"], st["closes"]) == (0, 0, True, "2027-04-05"),
         "status on Monday at noon: the midterm is open (closes 2027-04-05, 14 days after Monday), nobody answered",
         st)

    s.run(until="2027-03-23T12:00", on_mail=answer)
    mid = [m for m in s.sent(kind="questionnaire") if m.sent_at >= sim.when("2027-03-22T00:00")]
    t.ok(len(mid) == 8 and {utc(m) for m in mid} == {"2027-03-23T08:00Z"} and
         {local(m) for m in mid} == {"2027-03-23 09:00 +0100"},
         "the midterm goes to all eight on Tuesday 2027-03-23 at 09:00 local (08:00Z), the budget's next morning",
         [(m.rcpt, utc(m), local(m)) for m in mid])
    t.ok(status(s, "midterm") == {"sent": 8, "complete": 5, "partial": 0, "missing": 3, "response_rate": 0.625,
                                  "open": True, "closes": "2027-04-05"},
         "status on Tuesday at noon: 5 of 8 complete, response 0.625", status(s, "midterm"))

    s.run(until="2027-03-25T12:00", on_mail=answer)
    r1 = in_window(s.sent(kind="questionnaire_reminder"), "2027-03-22T00:00", "2027-04-06T00:00")
    t.ok(sorted(m.rcpt for m in r1) == sorted(AFTER_REMINDER | {NEVER}),
         "the first reminder goes to the three who did not answer", [m.rcpt for m in r1])
    t.ok({(utc(m), local(m)) for m in r1} == {("2027-03-25T08:00Z", "2027-03-25 09:00 +0100")},
         "on Thursday 09:00 local = 08:00Z (winter time)", [(utc(m), local(m)) for m in r1])
    t.ok(status(s, "midterm")["complete"] == 7 and status(s, "midterm")["missing"] == 1 and
         status(s, "midterm")["response_rate"] == 0.875, "two answer the reminder: 7 of 8, response 0.875",
         status(s, "midterm"))

    s.run(until="2027-03-29T12:00", on_mail=answer, extra=["2027-03-28T12:00"] + MONDAYS)
    r = in_window(s.sent(kind="questionnaire_reminder"), "2027-03-22T00:00", "2027-04-06T00:00")
    per = {a: len([m for m in r if m.rcpt == a]) for _, a in TEAM}
    t.ok(per == dict({a: 0 for a in AT_ONCE}, **{a: 1 for a in AFTER_REMINDER}, **{NEVER: 2}),
         "midterm reminders per member: 0 for the five, 1 for the two, 2 (the maximum) for the last", per)
    second = [m for m in r if m.sent_at >= sim.when("2027-03-26T00:00")]
    t.ok([(m.rcpt, utc(m), local(m)) for m in second] == [(NEVER, "2027-03-29T07:00Z", "2027-03-29 09:00 +0200")],
         "the second reminder, due on Sunday, goes on Monday 09:00 local = 07:00Z (summer time)",
         [(m.rcpt, utc(m), local(m)) for m in second])
    t.ok(not [m for m in s.sent() if m.sent_at.astimezone(clients.ZONE).date() == datetime.date(2027, 3, 28)
              and m.kind.endswith("reminder")], "no reminder on the Sunday of the change")

    # --- the close ----------------------------------------------------------------------------
    s.run(until="2027-04-05T09:30", on_mail=answer)
    st = status(s, "midterm")
    t.ok(st["open"] is False and (st["sent"], st["complete"], st["missing"]) == (8, 7, 1),
         "the midterm closed after 14 days (Monday 2027-04-05 09:00) with 7 of 8", st)
    late = [m for m in s.sent(to=NEVER, kind="questionnaire") if m.sent_at >= sim.when("2027-03-22T00:00")][0]
    s.deliver(clients.reply(late, NEVER, NAME[NEVER], body_for(late, NEVER), client="outlook",
                            at="2027-04-05T10:00"), at="2027-04-05T10:00")
    s.pass_at("2027-04-05T10:05")
    t.ok(status(s, "midterm") == st, "a reply after the close is not counted", status(s, "midterm"))
    closed = s.sent(to=NEVER, kind="answers_received")
    t.ok(closed and closed[-1].subject.startswith("Gesloten"), "and is answered \"closed\"",
         closed and closed[-1].subject)

    # --- the rest of the programme, and the follow-up in week 36 --------------------------------
    s.run(until="2027-11-09T12:00", on_mail=answer, extra=MONDAYS)
    for kind in ("baseline", "final", "followup"):
        st = status(s, kind)
        t.ok(st is not None and (st["sent"], st["complete"], st["partial"], st["missing"]) == (8, 7, 0, 1)
             and st["open"] is False, "%s: 8 sent, 7 complete, 1 missing, closed" % kind, st)
    fu = [m for m in s.sent(kind="questionnaire") if m.sent_at >= sim.when("2027-10-01T00:00")]
    week = (fu[0].sent_at.astimezone(clients.ZONE).date() - datetime.date(2027, 2, 22)).days // 7 + 1 if fu else 0
    t.ok(len(fu) == 8 and week == 36 and {(utc(m), local(m)) for m in fu} ==
         {("2027-10-25T07:00Z", "2027-10-25 09:00 +0200")},
         "the follow-up goes to all eight in week 36 (Monday 2027-10-25 09:00 local = 07:00Z)",
         [(m.rcpt, utc(m), local(m)) for m in fu][:2] + [week])
    fr = [m for m in s.sent(kind="questionnaire_reminder") if m.sent_at >= sim.when("2027-10-01T00:00")]
    t.ok(sorted((m.rcpt, utc(m)) for m in fr) ==
         sorted([(a, "2027-10-28T07:00Z") for a in AFTER_REMINDER] + [(NEVER, "2027-10-28T07:00Z"),
                                                                    (NEVER, "2027-11-01T08:00Z")]),
         "follow-up reminders: Thursday 09:00 summer time, the Sunday one on Monday 09:00 winter time",
         sorted((m.rcpt, utc(m)) for m in fr))
    every = s.sent(kind="questionnaire_reminder")
    t.ok(len(every) == 4 * 4, "four reminders per measurement, sixteen in all", len(every))

    # --- a pass at a past --now sends nothing twice --------------------------------------------
    n = len(s.mail)
    for past in ("2027-03-22T09:00", "2027-03-25T09:00", "2027-03-29T09:00", "2027-10-25T09:00"):
        t.ok(s.pass_at(past) == [], "a pass at %s (past) sends nothing" % past)
    t.ok(len(s.mail) == n, "no mail was added")
t.finish()
