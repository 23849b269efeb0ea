#!/usr/bin/python3
"""Tips "op maat" over a whole 10-week programme, simulated on the embedded default (SQLite +
Maildir, tests/sim/sim.py): a team of five whose habits each make one of the tip rule's patterns
(include/tips.h), expectations written by hand from the habits below.

The habits (programme P starts Monday 2027-01-04; Eva reads English, the others Dutch):
  Anna Bakker   all well: asks Bram and Daan every week, gives Bevestiging, Kritiek and
                Constructief to every request, thanks for every feedback she receives
  Bram de Wit   never asks: answers every request in full, thanks for feedback (gets none)
  Carla Smit    asks, never gives: asks Anna every week; nobody asks her
  Daan Visser   gives only Bevestiging: asks Eva every week, answers requests with a Bevestiging
                and nothing else, thanks for feedback
  Eva Mulder    never reacts: asks Anna every week, answers requests in full, never replies to
                the feedback she receives
Each asks in reply to the Monday nudge (10:00), requests are answered at 11:00, thanks go at
12:00, all on Monday: so from the nudge of week 2 on, each member's figures over weeks 1..W
show their pattern; in week 1 nobody has asked yet, so every member gets a never_asks tip.

Checked per member: a tip in every nudge (text and HTML part), the tip one of the tips of the
expected pattern in the member's language (the built-in file, read here), no tip twice, the
nudges of weeks 1-5 all different, and member_tip holding one row per week with that pattern.
Every pass of the simulation is a process of its own (feedbackd --once), so "never twice" holds
across restarts: what was given is read back from the database, not remembered.
"""
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
ZONE = clients.ZONE
START = datetime.date(2027, 1, 4)
SETUP = "2027-01-01T12:00"
TOP = os.path.join(HERE, "..", "..")   # the tips files of this checkout (the binaries: FB_TOP, BUILD)

A, B, C, D, E = "Anna Bakker", "Bram de Wit", "Carla Smit", "Daan Visser", "Eva Mulder"
LANG = {A: "nl", B: "nl", C: "nl", D: "nl", E: "en"}
ADDR = {n: n.split()[0].lower() + "@example.nl" for n in LANG}
NAME = {a: n for n, a in ADDR.items()}
ASKS = {A: [B, D], C: [A], D: [E], E: [A]}
ANSWERS = {A: "full", B: "full", D: "confirmation", E: "full"}   # Carla is never asked
THANKS = {A, B, C, D}                                             # Eva never reacts
PATTERN = {A: "all_well", B: "never_asks", C: "asks_never_gives", D: "gives_only_confirmation",
           E: "never_reacts"}

FULL = {"nl": "Bevestiging: je opening was helder\nKritiek: het laatste deel duurde te lang\n"
              "Constructief: sluit af met een samenvatting",
        "en": "Confirmation: your opening was clear\nCritique: the last part took too long\n"
              "Suggestion: end with a summary"}
CONFIRMATION = "Bevestiging: je rustige uitleg aan de familie werkte goed"


def read_tips(lang):
    """{id: (pattern, text)} from the built-in file, parsed here by its documented format."""
    out, rec = {}, {}
    path = os.path.join(TOP, "mail-templates", "tips", lang, "tips.txt")
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n") + [""]
    text = []
    for line in lines:
        s = line.strip()
        if s.startswith("#"):
            continue
        if not s:
            if rec:
                out[rec["id"]] = (rec["pattern"], " ".join(text))
            rec, text = {}, []
            continue
        m = re.match(r"(id|pattern|level):\s*(.*)$", s)
        if m and not text:
            rec[m.group(1)] = m.group(2)
        else:
            text.append(s)
    return out


TIPS = {lang: read_tips(lang) for lang in ("nl", "en")}


def flat(s):
    return " ".join(s.split())


def tip_of(mail, lang):
    """The id of the built-in tip whose text the mail's text part carries (None: no tip)."""
    body = flat(mail.text)
    found = [i for i, (_, text) in TIPS[lang].items() if flat(text) in body]
    return found[0] if len(found) == 1 else (None if not found else found)


def week_of(at):
    return (sim.when(at).astimezone(ZONE).date() - START).days // 7 + 1


def at_local(mail, hh, mm):
    d = mail.sent_at.astimezone(ZONE)
    x = d.replace(hour=hh, minute=mm, second=0, microsecond=0)
    return x if x > d else d + datetime.timedelta(minutes=1)


def answer(s, mail):
    who = NAME.get(mail.rcpt)
    if who is None:
        return []
    lang = LANG[who]
    if mail.kind == "nudge" and who in ASKS:
        at = at_local(mail, 10, 0)
        label = "Vraag feedback aan" if lang == "nl" else "Ask"
        about = "Over: mijn overdracht" if lang == "nl" else "About: my handover"
        body = "%s: %s\n%s" % (label, ", ".join(ASKS[who]), about)
        return [(at, clients.reply(mail, ADDR[who], who, body, "gmail", lang, at))]
    if mail.kind == "request" and who in ANSWERS:
        at = at_local(mail, 11, 0)
        body = FULL[lang] if ANSWERS[who] == "full" else CONFIRMATION
        return [(at, clients.reply(mail, ADDR[who], who, body, "gmail", lang, at))]
    if mail.kind == "feedback_received" and who in THANKS:
        at = at_local(mail, 12, 0)
        return [(at, clients.reply(mail, ADDR[who], who, "Dank je, ik neem het mee naar de volgende keer.",
                                   "gmail", lang, at))]
    return []


def monday(week, hh, mm):
    return datetime.datetime.combine(START + datetime.timedelta(days=7 * (week - 1)), datetime.time(hh, mm), ZONE)


t.ok(all(len(TIPS[lang]) >= 40 for lang in TIPS), "at least 40 built-in tips per language",
     {lang: len(v) for lang, v in TIPS.items()})

with tempfile.TemporaryDirectory() as tmp:
    s = sim.Sim(os.path.join(tmp, "w"), {"feedbackd": {"log_level": "warning"}})
    s.ctl("program", "create", "P", "--start", START.isoformat(), now=SETUP)
    s.ctl("team", "add", "P", "T", now=SETUP)
    for n in LANG:
        s.ctl("member", "add", "T", n, ADDR[n], "--language", LANG[n], now=SETUP)
    s.ctl("facilitator", "add", "T", "coach@example.nl", "--name", "Karin Coach", now=SETUP)
    s.run(until=monday(11, 8, 30), on_mail=answer)

    for who in LANG:
        lang = LANG[who]
        nudges = sorted(s.sent(to=ADDR[who], kind="nudge"), key=lambda m: m.sent_at)
        t.ok([week_of(m.sent_at) for m in nudges] == list(range(1, 11)),
             "%s: one nudge in each of weeks 1-10" % who, [repr(m) for m in nudges])
        ids = [tip_of(m, lang) for m in nudges]
        t.ok(all(isinstance(i, str) for i in ids), "%s: every nudge carries exactly one built-in %s tip"
             % (who, lang), ids)
        t.ok(all(TIPS[lang].get(i, ("",))[0] == "never_asks" for i in ids[:1]),
             "%s: week 1 (nobody has asked yet): a never_asks tip" % who, ids[:1])
        got = [TIPS[lang].get(i, ("?",))[0] if isinstance(i, str) else None for i in ids[1:]]
        t.ok(got == [PATTERN[who]] * 9, "%s: weeks 2-10: tips for %s, the pattern the habits make"
             % (who, PATTERN[who]), list(zip(ids[1:], got)))
        t.ok(len(set(map(str, ids))) == len(ids), "%s: no tip twice in the programme" % who, ids)
        t.ok(all("Tip" in m.html_body and flat(TIPS[lang][i][1]) in flat(m.html_body.replace("&#39;", "'")
                                                                             .replace("&quot;", '"'))
                 for m, i in zip(nudges, ids) if isinstance(i, str)),
             "%s: the HTML part carries the same tip" % who)
        bodies = [m.text for m in nudges[:5]]
        t.ok(len(set(bodies)) == 5, "%s: the nudges of weeks 1-5 all differ" % who)
        rows = s.sql("SELECT t.week, t.tip_id, t.pattern FROM member_tip t JOIN member m ON m.id = t.member_id "
                     "WHERE m.name = ? ORDER BY t.week", who)
        t.ok([(r[0], r[1]) for r in rows] == list(zip(range(1, 11), ids)),
             "%s: member_tip records the tip of each week" % who, rows)
        t.ok([r[2] for r in rows] == ["never_asks"] + [PATTERN[who]] * 9,
             "%s: member_tip records the pattern the tip was chosen for" % who, [r[2] for r in rows])

    # all well climbs: after week 1's task tip, the next level, then self-regulation
    levels = {}
    with open(os.path.join(TOP, "mail-templates", "tips", "nl", "tips.txt"), encoding="utf-8") as f:
        cur = None
        for line in f:
            m = re.match(r"(id|level):\s*(\S+)", line.strip())
            if m and m.group(1) == "id":
                cur = m.group(2)
            elif m:
                levels[cur] = m.group(2)
    anna = [r[0] for r in s.sql("SELECT t.tip_id FROM member_tip t JOIN member m ON m.id = t.member_id "
                                "WHERE m.name = ? ORDER BY t.week", A)]
    t.ok([levels.get(i) for i in anna[:3]] == ["task", "process", "self-regulation"],
         "all well: task, then process, then self-regulation", [(i, levels.get(i)) for i in anna])

    n_rows = s.sql("SELECT count(*) FROM member_tip")[0][0]
    t.ok(n_rows == 50, "50 tips recorded: 5 members x 10 weeks", n_rows)
    t.ok(s.inbox_states().get("failed", 0) == 0, "no inbox message failed", s.inbox_states())
t.finish()
