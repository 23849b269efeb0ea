#!/usr/bin/python3
"""The mail budget per member per day (issue 18), over a whole short programme simulated on the
embedded default (SQLite + Maildir, tests/sim/sim.py): a team of four in a 4-week programme
(follow-up one week after), three sessions scheduled while setting up (the kickoff on day two,
the progress session in week 3, the evaluation in week 4), [program] mail_budget = 2.

The members: Anna asks Bram every week and answers questionnaires at once; Bram answers
requests and never a questionnaire; Carla reads in London (her own zone) and answers after
the first reminder; Daan does nothing at all.

Checked per member and day (the day of the Date header, in the member's zone): the automatic
mail (nudges, questionnaires and reminders, calendar events of the moments, invitations) never
more than the budget; the welcome the member's first mail; day one the welcome, the kickoff
invitation and at most one more. Nothing deferred is lost: every member gets the nudge of every
week, every questionnaire (before it closes) and the invitation to every session (before it
starts); a reminder only while the questionnaire is open and not complete. The daemon's log
says what it deferred.
"""
import collections
import datetime
import email.utils
import os
import sys
import tempfile
import zoneinfo

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "sim"))
import clients  # noqa: E402
import sim  # noqa: E402
from servers import Tap  # noqa: E402

t = Tap()
ZONE = clients.ZONE
START = datetime.date(2027, 1, 4)
SETUP = "2027-01-01T12:00"
BUDGET = 2
WEEKS = 4
AUTO = {"nudge", "questionnaire", "questionnaire_reminder", "invite", "moment_invite"}
A, B, C, D = "Anna Bakker", "Bram de Wit", "Carla Smit", "Daan Visser"
ADDR = {n: n.split()[0].lower() + "@example.nl" for n in (A, B, C, D)}
NAME = {a: n for n, a in ADDR.items()}
TZ = {A: ZONE, B: ZONE, C: zoneinfo.ZoneInfo("Europe/London"), D: ZONE}
SESSIONS = [("kickoff", START + datetime.timedelta(days=1)), ("progress", START + datetime.timedelta(days=15)),
            ("evaluation", START + datetime.timedelta(days=22))]


def later(mail, hours):
    return mail.sent_at + datetime.timedelta(hours=hours)


def answer(s, mail):
    who = NAME.get(mail.rcpt)
    if who is None:
        return []
    if mail.kind == "nudge" and who == A:
        at = later(mail, 1)
        return [(at, clients.reply(mail, ADDR[A], A, "Vraag feedback aan: Bram\nOver: mijn overdracht", "gmail", "nl", at))]
    if mail.kind == "request" and who == B:
        at = later(mail, 2)
        body = "Bevestiging: helder\nKritiek: te lang\nConstructief: korter"
        return [(at, clients.reply(mail, ADDR[B], B, body, "gmail", "nl", at))]
    if (mail.kind == "questionnaire" and who == A) or (mail.kind == "questionnaire_reminder" and who == C):
        nums = [int(x) for x in __import__("re").findall(r"(?m)^\s+(\d+)\. ", mail.text)]
        at = later(mail, 1)
        body = "\n".join("%d: 7" % n if n < 8 else "%d: meer vragen" % n for n in nums)
        return [(at, clients.reply(mail, ADDR[who], who, body, "gmail", "nl", at))]
    return []


with tempfile.TemporaryDirectory() as tmp:
    s = sim.Sim(os.path.join(tmp, "w"), {"feedbackd": {"log_level": "info"},
                                         "program": {"mail_budget": str(BUDGET), "followup_weeks": "1"}})
    s.ctl("program", "create", "P", "--start", START.isoformat(), "--weeks", str(WEEKS), now=SETUP)
    s.ctl("team", "add", "P", "T", now=SETUP)
    for n in (A, B, C, D):
        extra = ("--timezone", "Europe/London") if n == C else ()
        s.ctl("member", "add", "T", n, ADDR[n], *extra, now=SETUP)
    s.ctl("facilitator", "add", "T", "coach@example.nl", "--name", "Karin Coach", now=SETUP)
    for kind, day in SESSIONS:
        s.ctl("session", "schedule", "P", kind, "--at", "%s 14:00" % day, "--duration", "90m", now=SETUP)
    s.run(until=datetime.datetime.combine(START + datetime.timedelta(days=7 * (WEEKS + 2)), datetime.time(12), ZONE),
          on_mail=answer)

    plan = {m["key"]: sim.when(m["utc"]) for m in s.ctl_json("plan", "P") if m.get("utc")}
    for who in (A, B, C, D):
        mine = sorted(s.sent(to=ADDR[who]), key=lambda m: (m.sent_at, m.path))
        days = collections.defaultdict(list)
        for m in mine:
            days[m.date.astimezone(TZ[who]).date()].append(m.kind)
        over = {d.isoformat(): k for d, k in days.items() if sum(x in AUTO for x in k) > BUDGET}
        t.ok(not over, "%s: never more than %d automatic mails a day" % (who, BUDGET), over)
        t.ok(mine and mine[0].kind == "welcome", "%s: the welcome is the first mail" % who,
             [m.kind for m in mine[:3]])
        first = days.get(START, [])
        auto1 = [k for k in first if k in AUTO]
        kick = [m for m in mine if m.kind == "invite" and "Aftrap" in m.subject]
        t.ok("welcome" in first and kick and kick[0].date.astimezone(TZ[who]).date() == START
             and len(auto1) <= 2, "%s: day one is the welcome, the kickoff invitation and at most one more" % who, first)
        weeks = sorted({(m.sent_at.astimezone(ZONE).date() - START).days // 7 + 1 for m in mine if m.kind == "nudge"})
        t.ok(weeks == list(range(1, WEEKS + 1)), "%s: a nudge in every week of the programme" % who, weeks)
        for kind, day in SESSIONS:
            inv = [m for m in mine if m.kind == "invite" and m.calendar and "SUMMARY" in m.calendar
                   and day.strftime("%Y%m%d") in m.calendar]
            start = datetime.datetime.combine(day, datetime.time(14), ZONE)
            t.ok(len(inv) == 1 and inv[0].sent_at < start, "%s: the %s invitation arrives before the session"
                 % (who, kind), [(x.subject, x.sent_at) for x in inv])
        for meas in ("baseline", "midterm", "final", "followup"):
            qs = [m for m in mine if m.kind == "questionnaire" and s.measurement_of(m) == meas]
            close = plan.get("close:" + meas)
            t.ok(len(qs) == 1 and close and qs[0].sent_at < close,
                 "%s: the %s questionnaire arrives before it closes" % (who, meas), [x.sent_at for x in qs])
        rem = [m for m in mine if m.kind == "questionnaire_reminder"]
        t.ok(who != A or not rem, "%s: answered at once, so no reminder" % who, [r.subject for r in rem])
        t.ok(who == A or len(rem) >= 1, "%s: reminded while the questionnaire is open" % who, len(rem))
        ev = [m for m in mine if m.kind == "moment_invite"]
        t.ok(all(m.date.astimezone(TZ[who]).date() != START for m in ev),
             "%s: no calendar event of a moment on day one" % who, [(m.subject, m.sent_at) for m in ev])
    with open(s.log) as f:
        log = f.read()
    t.ok("deferred by the mail budget of member" in log, "the log says what the budget deferred")
    failed = s.sql("SELECT kind, last_error FROM outbox WHERE state = 'failed'")
    t.ok(all("budget" in (e or "") for _, e in failed), "nothing failed but what the budget dropped as no use", failed)
    t.ok(s.inbox_states().get("failed", 0) == 0, "no inbox message failed", s.inbox_states())
t.finish()
