#!/usr/bin/python3
"""A whole 10-week programme, simulated on the embedded default (SQLite + Maildir) with an explicit
clock (tests/sim/sim.py): one team of eight members with different habits, a facilitator, and
expectations written BY HAND from the habits below, not computed by the product's logic.

The habits (programme P starts Monday 2027-01-04; Dutch, so the reports are in Dutch):
  Anna Bakker    steady: asks one colleague every week, gives to every request
  Bram de Wit    late starter: first asks in week 4 (gives to every request from week 1)
  Carla Smit     fader: asks and gives in weeks 1-5, silent from week 6 (no final questionnaire)
  Daan Visser    marked absent by the coordinator for week 4 (Mon 25 - Fri 29 January)
  Eva Mulder     answers the nudge of week 6 with an out-of-office reply (until Sunday of week 6)
  Finn Bos       never anything: no request, no feedback, no questionnaire
  Gerda Kok      steady, but ignores the baseline questionnaire (also after its first reminder)
  Hans Dekker    only gives: never asks, gives to every request
Who asks whom in each week is the fixed table ASKS; every request is answered within the hour
it arrives, so request and feedback count in the week of the nudge. Nobody asks Finn, nor an
away member, nor Carla after week 5, so every active giver gives exactly once a week.

Counts per week (given g, requested r; received = r since every request is answered), and the
activity a = g + 2r (given + received + requested) that the median rule adds up:
  weeks 1-3:  A g1 r1 a3 | B g1 a1 | C g1 r1 a3 | D g1 r2 a5 | E g1 r1 a3 | G g1 r2 a5 | H g1 a1
  week 4:     A 3 | B g1 r1 a3 | C 3 | D away 0 | E 3 | G 5 | H 1
  week 5:     A 3 | B 3 | C 3 | D g1 r1 a3 | E 3 | G 5 | H 1
  week 6:     A 3 | B 3 | C 0 | D 3 | E away 0 | G 5 | H 1
  weeks 7-10: A 3 | B 3 | C 0 | D 3 | E 3 | G 5 | H 1
Activity through week W (Finn always 0):
  W   A  B  C  D  E  G  H   median of those not away (half of it)
  1   3  1  3  5  3  5  1   0,1,1,3,3,3,5,5      -> 3    (1.5)
  2   6  2  6 10  6 10  2   0,2,2,6,6,6,10,10    -> 6    (3)
  3   9  3  9 15  9 15  3   0,3,3,9,9,9,15,15    -> 9    (4.5)
  4  12  6 12  - 12 20  4   0,4,6,12,12,12,20    -> 12   (6; Bram's 6 is not below)
  5  15  9 15 18 15 25  5   0,5,9,15,15,15,18,25 -> 15   (7.5)
  6  18 12 15 21  - 30  6   0,6,12,15,18,21,30   -> 15   (7.5)
  7  21 15 15 24 18 35  7   ... -> (15+18)/2 = 16.5 (8.25)
  8  24 18 15 27 21 40  8   ... -> (18+21)/2 = 19.5 (9.75)
  9  27 21 15 30 24 45  9   ... -> (21+24)/2 = 22.5 (11.25)
 10  30 24 15 33 27 50 10   ... -> (24+27)/2 = 25.5 (12.75; Carla's 15 is not below)

Questionnaires (default plan): the moments are Monday 09:00 of weeks 1, 5 and 10, first reminder on
Thursday, the second on the Monday after, closed 14 days after the moment at 09:00. The mail
budget (mail_budget, default 2 automatic mails per member per day; the welcome on top) decides
the day the questionnaire arrives: in week 1 the nudge and the baseline fill Monday (09:00); in
week 5 the team's picture (08:00, with the progress report) and the nudge fill Monday, so the
midterm arrives on Tuesday 09:00; in week 10 the nudge and the final fill Monday. A reminder
shares its Monday only with the nudge. The measurement opens and closes by its moment, not by
the day its mail arrived.

The questionnaire reason (issue 18): nobody lags in week 1 (everyone's first week); an open
questionnaire never counts, only one that CLOSED in the reported week (local Monday to Sunday)
unanswered after a reminder. So the baseline (closes Monday 18 January, week 3) counts in week 3
for Finn and Gerda, the midterm (closes Monday 15 February, week 7) in week 7 for Finn, and the
final (closes Monday 22 March, week 12, after the last report) in no weekly report here.

My reading of the rule where the issue leaves room: "gave no feedback in the last week" is the
week reported on; "activity" is given + received + requested through that week (report.h); a
member away in the week is listed as away and left out of the median; the weekly report CSV made
with `report weekly --week W` at the moment the weekly report mail went out shows the same as
that mail (the questionnaire part depends on that moment).
"""
import csv
import datetime
import io
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
ZONE = clients.ZONE
START = datetime.date(2027, 1, 4)
SETUP = "2027-01-01T12:00"
FACILITATOR = ("Karin Coach", "coach@example.nl")

A, B, C, D, E, F, G, H = ("Anna Bakker", "Bram de Wit", "Carla Smit", "Daan Visser", "Eva Mulder",
                          "Finn Bos", "Gerda Kok", "Hans Dekker")
MEMBERS = {A: "outlook", B: "gmail", C: "apple", D: "iphone", E: "thunderbird", F: "gmail", G: "outlook",
           H: "gmail"}
ADDR = {n: n.split()[0].lower() + "@example.nl" for n in MEMBERS}
NAME = {a: n for n, a in ADDR.items()}

# Who asks whom, per week: asker -> the colleagues named in the reply to the nudge.
_W1 = {A: [B], C: [D], D: [C, E], E: [G], G: [H, A]}
_W7 = {A: [B], B: [D], D: [E], E: [G], G: [H, A]}
ASKS = {1: _W1, 2: _W1, 3: _W1,
        4: {A: [B], B: [C], C: [E], E: [G], G: [H, A]},
        5: {A: [B], B: [C], C: [D], D: [E], E: [G], G: [H, A]},
        6: {A: [B], B: [D], D: [G], G: [H, A]},
        7: _W7, 8: _W7, 9: _W7, 10: _W7}
GIVES = {A: range(1, 11), B: range(1, 11), C: range(1, 6), D: range(1, 11), E: range(1, 11), F: (),
         G: range(1, 11), H: range(1, 11)}
OOO_WEEK = {E: 6}

# Questionnaire answers: who answers which measurement (at once), and the scores. Every scale
# question gets `score`, except the (question: score) exceptions. Open questions get a text.
ANSWERS = {
    "baseline": {A: 5, B: 5, C: 5, D: 5, E: 5, H: 5},              # not Finn, not Gerda
    "midterm": {A: 6, B: 6, C: 6, D: 6, E: 6, G: 6, H: 6},         # not Finn
    "final": {A: 7, B: 7, D: 7, E: 7, G: 7, H: 7},                 # not Finn, not Carla
}
EXCEPTIONS = {("baseline", H): {2: 2}, ("final", A): {1: 10}}

# --- the expectations, by hand ---------------------------------------------------------------
NF, NR, BM, Q = "gaf geen feedback", "heeft nog nooit feedback gevraagd", "ver onder de mediaan van het team", \
    "vragenlijst niet ingevuld voor die sloot, ook niet na herinnering"
FINN = {NF, NR, BM}
FINN_ALL = FINN | {Q}
LAGGING = {
    1: {},                                                  # nobody lags in week 1
    2: {B: {NR, BM}, F: FINN, H: {NR, BM}},                 # the baseline is still open
    3: {B: {NR, BM}, F: FINN_ALL, G: {Q}, H: {NR, BM}},     # the baseline closed on Monday 18 January
    4: {F: FINN, H: {NR, BM}},
    5: {F: FINN, H: {NR, BM}},                              # the midterm is open
    6: {C: {NF}, F: FINN, H: {NR, BM}},
    7: {C: {NF}, F: FINN_ALL, H: {NR, BM}},                 # the midterm closed on Monday 15 February
    8: {C: {NF}, F: FINN, H: {NR, BM}},
    9: {C: {NF}, F: FINN, H: {NR, BM}},
    10: {C: {NF}, F: FINN, H: {NR, BM}},                    # the final is open (closes in week 12)
}
# The questionnaires as the budget lets them arrive (local time, all eight members), and the day
# each measurement closes at 09:00 (`feedbackctl measurement status`'s "closes"), as the
# paragraph above works out.
QUESTIONNAIRE_AT = {"baseline": "2027-01-04 09:00", "midterm": "2027-02-02 09:00", "final": "2027-03-08 09:00"}
CLOSES = {"baseline": "2027-01-18", "midterm": "2027-02-15", "final": "2027-03-22"}
# Reminders (local time) to those who did not answer: Thursday, and Monday after (the final's
# Monday reminder falls after the run's end, Monday 15 March 08:30).
REMINDERS = {"baseline": {(F, "2027-01-07 09:00"), (G, "2027-01-07 09:00"), (F, "2027-01-11 09:00"),
                          (G, "2027-01-11 09:00")},
             "midterm": {(F, "2027-02-04 09:00"), (F, "2027-02-08 09:00")},
             "final": {(C, "2027-03-11 09:00"), (F, "2027-03-11 09:00")}}
MEASUREMENT_NL = {"nulmeting": "baseline", "tussenmeting": "midterm", "eindmeting": "final"}
AWAY = {4: {D: "gemeld door coördinator"}, 6: {E: "afwezigheidsbericht"}}
# (given, received, requested) in the week, per member, for a few weeks: the CSV's own columns.
COUNTS = {
    1: {A: (1, 1, 1), B: (1, 0, 0), C: (1, 1, 1), D: (1, 2, 2), E: (1, 1, 1), F: (0, 0, 0), G: (1, 2, 2),
        H: (1, 0, 0)},
    4: {A: (1, 1, 1), B: (1, 1, 1), C: (1, 1, 1), D: (0, 0, 0), E: (1, 1, 1), F: (0, 0, 0), G: (1, 2, 2),
        H: (1, 0, 0)},
    6: {A: (1, 1, 1), B: (1, 1, 1), C: (0, 0, 0), D: (1, 1, 1), E: (0, 0, 0), F: (0, 0, 0), G: (1, 2, 2),
        H: (1, 0, 0)},
}
# Totals through week 10 (given, received, requested): each week's 1 for every giver, and the
# requests of each asker from the ASKS table (Daan: 2+2+2+0+1+1+4*1 = 12; Gerda: 2 a week).
TOTALS_10 = {A: (10, 10, 10), B: (10, 7, 7), C: (5, 5, 5), D: (9, 12, 12), E: (9, 9, 9), F: (0, 0, 0),
             G: (10, 20, 20), H: (10, 0, 0)}
# Evaluation report: feedback the team gave per week (7 givers in weeks 1-3 and 5; Daan away in
# week 4, Carla silent and Eva away in week 6, Carla silent in weeks 7-10), and per member.
TEAM_FEEDBACK = [7, 7, 7, 6, 7, 5, 6, 6, 6, 6]
MEMBER_FEEDBACK = {A: [1] * 10, B: [1] * 10, C: [1] * 5 + [0] * 5, D: [1, 1, 1, 0] + [1] * 6,
                   E: [1] * 5 + [0] + [1] * 4, F: [0] * 10, G: [1] * 10, H: [1] * 10}
RESPONSE = {"nulmeting": (8, 6), "tussenmeting": (8, 7), "eindmeting": (8, 6)}
# Average per scale question (1-6): baseline 5 (question 2: Hans's 2 -> 27/6 = 4.5), midterm 6,
# final 7 (question 1: Anna's 10 -> 45/6 = 7.5); the change from the baseline.
AVERAGE = {"nulmeting": {1: 5.0, 2: 4.5, 3: 5.0, 4: 5.0, 5: 5.0, 6: 5.0},
           "tussenmeting": {1: 6.0, 2: 6.0, 3: 6.0, 4: 6.0, 5: 6.0, 6: 6.0},
           "eindmeting": {1: 7.5, 2: 7.0, 3: 7.0, 4: 7.0, 5: 7.0, 6: 7.0}}
CHANGE = {"tussenmeting": {1: 1.0, 2: 1.5, 3: 1.0, 4: 1.0, 5: 1.0, 6: 1.0},
          "eindmeting": {1: 2.5, 2: 2.5, 3: 2.0, 4: 2.0, 5: 2.0, 6: 2.0}}


# --- the members' mail programs ----------------------------------------------------------------
def week_of(at):
    return (sim.when(at).astimezone(ZONE).date() - START).days // 7 + 1


def at_local(mail, hh, mm):
    """The same day as mail was sent, at hh:mm local (or a minute after the mail when later)."""
    d = mail.sent_at.astimezone(ZONE)
    x = d.replace(hour=hh, minute=mm, second=0, microsecond=0)
    return x if x > d else d + datetime.timedelta(minutes=1)


def questionnaire_body(s, mail, who):
    kind = s.measurement_of(mail)
    base = ANSWERS.get(kind, {}).get(who)
    if base is None:
        return None
    lines = []
    for num, what in re.findall(r"^\s+(\d+)\. .*\((0-10|[^)]*open[^)]*)\)\s*$", mail.text, re.M):
        q = int(num)
        if what == "0-10":
            lines.append("%d: %d" % (q, EXCEPTIONS.get((kind, who), {}).get(q, base)))
        else:
            lines.append("%d: vaker om feedback vragen in het overleg" % q)
    return "\n".join(lines)


BKC = "Bevestiging: je opening was helder\nKritiek: het laatste deel duurde te lang\n" \
      "Constructief: sluit af met een samenvatting"


# What each member's reply carried, by the reply's Message-ID (as the inbox keeps it, without
# the angle brackets): the text feedbackd sent (quoted
# below the member's words by the mail program) and the words the member wrote above it.
REPLIED = {}


def replied(mail, body, raw):
    mid = re.search(rb"^Message-ID: <([^>]+)>", raw, re.M | re.I).group(1).decode("ascii")
    REPLIED[mid] = (mail.text, body)
    return raw


def answer(s, mail):
    who = NAME.get(mail.rcpt)
    if who is None:
        return []
    week = week_of(mail.sent_at)
    client = MEMBERS[who]
    if OOO_WEEK.get(who) == week and mail.kind == "nudge":
        at = at_local(mail, 9, 30)
        sunday = (START + datetime.timedelta(days=7 * week - 1)).strftime("%d-%m-%Y")
        return [(at, clients.out_of_office(mail, ADDR[who], who, "nl", at, sunday))]
    if mail.kind == "nudge" and ASKS.get(week, {}).get(who):
        at = at_local(mail, 10, 0)
        body = "Vraag feedback aan: %s\nOver: mijn presentatie in het teamoverleg" % " en ".join(ASKS[week][who])
        return [(at, replied(mail, body, clients.reply(mail, ADDR[who], who, body, client, "nl", at)))]
    if mail.kind == "request" and week in GIVES[who]:
        at = at_local(mail, 11, 0)
        body = BKC + "\n\n" + who.split()[0]
        return [(at, replied(mail, body, clients.reply(mail, ADDR[who], who, body, client, "nl", at)))]
    if mail.kind == "questionnaire":
        body = questionnaire_body(s, mail, who)
        if body is not None:
            at = at_local(mail, 9, 30)
            return [(at, clients.reply(mail, ADDR[who], who, body, client, "nl", at))]
    return []


def monday(week, hh, mm):
    return datetime.datetime.combine(START + datetime.timedelta(days=7 * (week - 1)), datetime.time(hh, mm), ZONE)


def weekly_csv(s, week):
    p = s.ctl("report", "weekly", "T", "--week", str(week), "--format", "csv")
    data = p.stdout if isinstance(p.stdout, str) else p.stdout.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(data.lstrip("\ufeff")), delimiter=";"))
    return rows


def lagging_of(rows):
    return {r["teamlid"]: set(x for x in r["redenen"].split("; ") if x) for r in rows
            if r["status"] == "blijft achter"}


def mail_lagging(mail):
    """The names listed under "Blijft achter (N)" in the weekly report mail's text part."""
    m = re.search(r"^Blijft achter \((\d+)\)\n((?:  - .*\n)*)", mail.text.replace("\r\n", "\n"), re.M)
    if not m:
        return None
    return int(m.group(1)), {line[4:].split(":")[0]: set(line.split(": ", 1)[1].split("; "))
                             for line in m.group(2).splitlines()}


def mail_away(mail):
    m = re.search(r"^Afwezig \((\d+)\)\n((?:  - .*\n)*)", mail.text.replace("\r\n", "\n"), re.M)
    return {} if not m else {line[4:].split(":")[0]: line.split(": ", 1)[1] for line in m.group(2).splitlines()}


def leaks(stored, original, body):
    """The lines of `stored` (text feedbackd kept from a reply) that come from the quoted original
    and not from the member's own words: a whole line of the original, or a piece of one (a mail
    program's wrap leaves pieces such as "teamoverleg." on lines of their own)."""
    own = [x.strip() for x in body.split("\n") if x.strip()]
    theirs = [x.strip() for x in original.replace("\r\n", "\n").split("\n") if x.strip()]
    out = [x for x in theirs if len(x) >= 12 and x in stored and not any(x in o for o in own)]
    for x in (x.strip() for x in stored.split("\n")):
        if x and not any(o == x or o.endswith(": " + x) for o in own):
            out.append(x)
    return out


def num(v):
    return float(v.replace(",", "."))


with tempfile.TemporaryDirectory() as tmp:
    s = sim.Sim(os.path.join(tmp, "w"), {"feedbackd": {"log_level": "warning"}})
    s.ctl("program", "create", "P", "--start", START.isoformat(), now=SETUP)
    s.ctl("team", "add", "P", "T", now=SETUP)
    for n in MEMBERS:
        s.ctl("member", "add", "T", n, ADDR[n], now=SETUP)
    s.ctl("facilitator", "add", "T", FACILITATOR[1], "--name", FACILITATOR[0], now=SETUP)
    s.ctl("member", "absent", D, "--from", "2027-01-25", "--until", "2027-01-29", now=SETUP)

    for week in range(1, 11):
        # Up to just after the weekly report on this week (Monday 08:00 of the next).
        s.run(until=monday(week + 1, 8, 30), on_mail=answer)
        rows = weekly_csv(s, week)
        got = lagging_of(rows)
        t.ok(got == LAGGING[week], "week %d: the weekly report CSV lists exactly the expected lagging members and "
             "reasons" % week, sim.dump({k: sorted(v) for k, v in got.items()}))
        away = {r["teamlid"]: r["redenen"] for r in rows if r["status"] == "afwezig"}
        t.ok(away == AWAY.get(week, {}), "week %d: away members listed as away (%s)"
             % (week, ", ".join(sorted(AWAY.get(week, {}))) or "none"), away)
        if week in COUNTS:
            counts = {r["teamlid"]: (int(r["gegeven week"]), int(r["ontvangen week"]), int(r["gevraagd week"]))
                      for r in rows}
            t.ok(counts == COUNTS[week], "week %d: given/received/requested per member as the ask table says"
                 % week, counts)
        if week == 10:
            totals = {r["teamlid"]: (int(r["gegeven totaal"]), int(r["ontvangen totaal"]),
                                     int(r["gevraagd totaal"])) for r in rows}
            t.ok(totals == TOTALS_10, "week 10: totals given/received/requested per member", totals)
        reports = [m for m in s.sent(kind="weekly_report") if m.subject.endswith("week %d" % week)
                   or re.search(r"week %d\b" % week, m.subject)]
        t.ok(len(reports) == 1 and reports[0].rcpt == FACILITATOR[1],
             "week %d: one weekly report mail to the facilitator" % week, [repr(m) for m in reports])
        if reports:
            ml = mail_lagging(reports[0])
            t.ok(ml == (len(LAGGING[week]), LAGGING[week]),
                 "week %d: the weekly report mail names the same lagging members" % week,
                 ml and sim.dump({k: sorted(v) for k, v in ml[1].items()}))
            ma = mail_away(reports[0])
            t.ok(ma == AWAY.get(week, {}), "week %d: the mail lists the same away members" % week, ma)

    # --- the questionnaires the lagging model above rests on ------------------------------------
    def local_at(m):
        return m.sent_at.astimezone(ZONE).strftime("%Y-%m-%d %H:%M")

    qsent = {k: sorted({(NAME.get(m.rcpt), local_at(m)) for m in s.sent(kind="questionnaire")
                        if s.measurement_of(m) == k}) for k in QUESTIONNAIRE_AT}
    t.ok(qsent == {k: sorted((n, at) for n in MEMBERS) for k, at in QUESTIONNAIRE_AT.items()},
         "questionnaires: baseline Monday of week 1, midterm Tuesday of week 5 (Monday's budget is the team's "
         "picture and the nudge), final Monday of week 10, each at 09:00 to all eight", qsent)
    closes = {m["measurement"]: m["closes"] for m in s.ctl_json("measurement", "status", "P")["measurements"]}
    t.ok(closes == CLOSES, "the measurements close 14 days after their Monday moment: weeks 3, 7 and 12", closes)
    rem = {}
    for m in s.sent(kind="questionnaire_reminder"):
        word = re.search(r"(nulmeting|tussenmeting|eindmeting)", m.subject)
        rem.setdefault(MEASUREMENT_NL[word.group(1)] if word else m.subject, set()).add((NAME.get(m.rcpt),
                                                                                         local_at(m)))
    t.ok(rem == REMINDERS, "reminders go to exactly those who did not answer, Thursday and the Monday after",
         {k: sorted(v) for k, v in rem.items()})

    # --- the evaluation report ------------------------------------------------------------------
    out = os.path.join(tmp, "evaluation")
    s.ctl("report", "evaluation", "P", "--out", out)
    with open(os.path.join(out, "report.csv"), encoding="utf-8-sig") as f:
        ev = list(csv.DictReader(f, delimiter=";"))

    def figure(name, when=None, who=None):
        return [r for r in ev if r["cijfer"] == name and (when is None or r["moment of week"] == when)
                and (who is None or r["teamlid of vraag"] == who)]

    team = [int(num(figure("feedback team", str(w))[0]["waarde"])) if figure("feedback team", str(w)) else None
            for w in range(1, 11)]
    t.ok(team == TEAM_FEEDBACK, "evaluation: feedback given by the team per week = %s" % TEAM_FEEDBACK, team)
    per = {n: [int(num(r["waarde"])) for r in sorted(figure("feedback teamlid", who=n),
                                                     key=lambda r: int(r["moment of week"]))][:10] for n in MEMBERS}
    t.ok(per == MEMBER_FEEDBACK, "evaluation: feedback given per member per week", per)
    resp = {m: (int(num(figure("verstuurd", m)[0]["waarde"])), int(num(figure("ingevuld", m)[0]["waarde"])))
            for m in RESPONSE if figure("verstuurd", m) and figure("ingevuld", m)}
    t.ok(resp == RESPONSE, "evaluation: response per measurement (sent, answered)", resp)
    avg = {m: {int(r["teamlid of vraag"]): num(r["waarde"]) for r in figure("gemiddelde score", m)} for m in AVERAGE}
    t.ok(avg == AVERAGE, "evaluation: average per question at baseline, midterm and final", avg)
    chg = {m: {int(r["teamlid of vraag"]): num(r["waarde"]) for r in figure("verschil met de nulmeting", m)}
           for m in CHANGE}
    t.ok(chg == CHANGE, "evaluation: the change from the baseline per question", chg)
    t.ok(len(s.mail) > 0 and s.inbox_states().get("failed", 0) == 0, "no inbox message failed", s.inbox_states())

    # --- what colleagues receive: the member's words, never the quoted original -------------------
    # Every client quotes the mail it answers (Outlook in HTML, Gmail with '>', Apple Mail, the
    # iPhone and Thunderbird in format=flowed): the stored feedback and request topics hold only
    # what the member wrote above the quote.
    def stored_from(query):
        rows = s.sql(query)
        got = {}
        for mid, text in rows:
            got.setdefault(mid, []).append(text or "")
        return got

    fb = stored_from("SELECT i.message_id, coalesce(f.confirmation, '') || char(10) || coalesce(f.critique, '') "
                     "|| char(10) || coalesce(f.suggestion, '') FROM feedback f JOIN inbox i ON i.id = f.inbox_id")
    tp = stored_from("SELECT i.message_id, r.topic FROM feedback_request r JOIN inbox i ON i.id = r.inbox_id")
    bad = {}
    for what, got in (("feedback", fb), ("topic", tp)):
        for mid, texts in got.items():
            original, body = REPLIED.get(mid, ("", "(not a reply the members sent)"))
            for text in texts:
                found = leaks(text, original, body)
                if found:
                    bad.setdefault("%s %s" % (what, mid), found)
    t.ok(len(fb) == sum(TEAM_FEEDBACK) and len(tp) > 0 and not bad,
         "stored feedback (%d replies) and request topics (%d) hold no line or piece of a line of the quoted "
         "original, from any client" % (len(fb), len(tp)), sim.dump(bad))
t.finish()
