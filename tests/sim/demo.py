#!/usr/bin/python3
"""The main job in one run: a whole programme on the embedded default (SQLite + Maildir, no
servers), with members whose mail programs answer.

Two teams from the sample CSV files (tests/data/), three sessions, and an explicit clock stepped
through the ten weeks and the follow-up (tests/sim/sim.py). The members answer as their mail
programs write (tests/sim/clients.py): Outlook HTML-only top-posting, Gmail, Apple Mail, an iPhone,
Thunderbird; in Dutch and English; some at once, some late, one never; one out of office for a
week, one address that bounces, one who declines the kickoff. The facilitators rate the anonymous
samples in their weekly report.

At the end it prints a summary and leaves in OUT: the database, the sent mail (sent/, a Maildir),
the mail the members sent (inbox/), the reports (reports/: weekly text/HTML/CSV per week, progress
and evaluation with charts), the programme's calendar (calendar.ics), summary.txt and summary.json.

usage: demo.py [--out DIR] [--weeks N] [--no-followup] [--quiet]
  --weeks N      a shorter programme (the test command runs 3 weeks)
  --no-followup  stop after the programme's last week
"""
import argparse
import csv
import datetime
import email
import email.policy
import email.utils
import io
import json
import os
import random
import re
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import clients  # noqa: E402
import sim  # noqa: E402

START = datetime.date(2027, 1, 4)           # a Monday; the clocks go forward on 2027-03-28
SETUP = "2027-01-01T12:00"
PROGRAM = "Pilot"
FACILITATORS = {"Sales": ("Karin Coach", "coach@example.nl"),
                "Support": ("Ahmed Begeleider", "begeleider@example.org")}

# Habits: client, how they take part. ask = weeks in which they ask colleagues for feedback
# ("all", "odd", from week N, until week N, never); give = how fast they answer a request;
# survey = questionnaires: "now", "reminder" (after the first reminder), "clicks" (score links
# first, then a reply for the rest), "never".
HABITS = {
    "Jan de Vries":        dict(client="outlook", ask="all", give="soon", survey="now"),
    "Piet Jansen":         dict(client="gmail", ask="all", give="soon", survey="now"),
    "Jeroen Mëijer":       dict(client="outlook", ask="odd", give="late", survey="reminder"),
    "Anna Bakker":         dict(client="apple", ask="all", give="soon", survey="now", react=True),
    "Sanne Visser":        dict(client="iphone", ask="odd", give="soon", survey="clicks"),
    "Daan Smit":           dict(client="gmail", ask="never", give="never", survey="never"),
    "Femke de Boer":       dict(client="thunderbird", ask="until4", give="until4", survey="now"),
    "Lars Mulder":         dict(client="gmail", ask="from4", give="late", survey="reminder"),
    "Eva de Groot":        dict(client="outlook", ask="all", give="soon", survey="now", ooo=(3,)),
    "Bram Bos":            dict(client="apple", ask="never", give="soon", survey="now"),
    "Noor Vos":            dict(client="iphone", ask="odd", give="late", survey="now"),
    "Sem Peters":          dict(client="gmail", ask="even", give="soon", survey="reminder"),
    "Lotte Hendriks":      dict(client="gmail", ask="all", give="soon", survey="now", react=True),
    "Ruben van Dijk":      dict(client="outlook", ask="odd", give="late", survey="now"),
    "Iris van Leeuwen":    dict(client="apple", ask="all", give="soon", survey="now"),
    "Thijs Dekker":        dict(client="gmail", bounce=True, ask="never", give="never", survey="never"),
    "Julia Brouwer":       dict(client="outlook", ask="even", give="late", survey="reminder"),
    "Milan de Wit":        dict(client="iphone", ask="odd", give="soon", survey="clicks"),
    "Sophie Dijkstra":     dict(client="gmail", ask="all", give="soon", survey="never"),
    "Luuk Smits":          dict(client="thunderbird", ask="all", give="soon", survey="now"),
    "Emma de Graaf":       dict(client="apple", ask="odd", give="soon", survey="now", decline=True),
    "Finn van der Meer":   dict(client="gmail", ask="never", give="never", survey="never"),
    "Tess van der Linden": dict(client="outlook", ask="even", give="soon", survey="now"),
    "Jesse Kok":           dict(client="gmail", ask="until6", give="until6", survey="now"),
}
CALENDAR_CLIENT = {"outlook": "outlook", "gmail": "google", "apple": "apple", "iphone": "apple"}

TOPICS = {"nl": ["mijn presentatie in het teamoverleg", "hoe ik vergaderingen leid", "mijn klantgesprekken",
                 "mijn planning van het project", "hoe ik nieuwe collega's inwerk"],
          "en": ["my presentation in the team meeting", "how I chair meetings", "my customer calls",
                 "my project planning", "how I onboard new colleagues"]}
GIVE = {"nl": ("Bevestiging: {c}\nKritiek: {k}\nConstructief: {s}",
               ["je opening was helder en rustig", "je luistert goed en vat daarna scherp samen",
                "je gaf iedereen de ruimte om te reageren"],
               ["het laatste deel duurde te lang", "de besluiten bleven onduidelijk",
                "je sprong snel van het ene onderwerp naar het andere"],
               ["sluit af met één zin die je boodschap samenvat", "noem aan het eind wie wat doet",
                "plan een korte pauze na elk onderwerp"]),
        "en": ("Confirmation: {c}\nCritique: {k}\nSuggestion: {s}",
               ["your opening was clear and calm", "you listen well and summarise sharply",
                "you gave everyone room to respond"],
               ["the last part took too long", "the decisions stayed vague", "you jumped between topics"],
               ["end with one sentence that sums up your message", "close by naming who does what",
                "plan a short break after each topic"])}
REACT = {"nl": "Dank je, hier ga ik mee aan de slag!", "en": "Thank you, I will work on that!"}
# Scale answers rise over the programme: the effect the reports should show.
LIFT = {"baseline": 0.0, "midterm": 1.0, "final": 2.0, "followup": 1.7}


def weekly_report_mails(maildir):
    """{(team, week): message} of the weekly reports in the sent Maildir that went to a team's
    facilitator (FACILITATORS), the first of each team and week."""
    found = {}
    addr_team = {addr: team for team, (_, addr) in FACILITATORS.items()}
    names = []
    for sub in ("new", "cur"):
        d = os.path.join(maildir, sub)
        names += [os.path.join(d, n) for n in os.listdir(d)] if os.path.isdir(d) else []
    for path in sorted(names, key=lambda n: (os.stat(n).st_mtime_ns, n)):
        with open(path, "rb") as f:
            raw = f.read()
        # Parsing every message was a third of the demo's time: only a weekly report is parsed.
        if b"weekly_report" not in raw:
            continue
        m = email.message_from_binary_file(io.BytesIO(raw), policy=email.policy.default)
        if str(m.get("X-Feedbackd-Kind", "")) != "weekly_report":
            continue
        team = addr_team.get(email.utils.parseaddr(str(m.get("To", "")))[1].lower())
        week = re.search(r"\bweek (\d+)\b", str(m.get("Subject", "")))
        if team and week:
            found.setdefault((team, int(week.group(1))), m)
    return found


def lagging_in(text):
    """The names listed under "Blijft achter (N)" / "Lagging (N)" in a weekly report's text."""
    names, inside = [], False
    for line in text.splitlines():
        if re.match(r"^(Blijft achter|Lagging) \(\d+\)$", line):
            inside = True
        elif inside and line.startswith("  - "):
            names.append(line[4:].split(": ", 1)[0])
        elif inside:
            break
    return sorted(names)

class Demo:
    def __init__(self, out, weeks, followup, quiet):
        self.out, self.weeks, self.followup, self.quiet = out, weeks, followup, quiet
        self.rng = random.Random(20270104)
        self.members = {}           # address -> dict(name, lang, team, habits...)
        self.given = {}             # (team) -> feedback replies the members sent
        self.asked = 0
        self.answered_surveys = set()   # (address, measurement)
        self.ooo_sent = set()
        self.rsvps = {"ACCEPTED": 0, "DECLINED": 0, "TENTATIVE": 0}
        self.ratings = 0
        self.by_client = {}
        self.seen = {}

    def say(self, *a):
        if not self.quiet:
            print(*a, flush=True)

    # --- setting up ---------------------------------------------------------------------------
    def load_team(self, team, path):
        with open(path, encoding="utf-8-sig") as f:
            data = f.read()
        rows = list(csv.DictReader(io.StringIO(data), delimiter=";" if data.count(";") > data.count(",") else ","))
        for r in rows:
            name = r.get("Naam") or r.get("name")
            addr = (r.get("E-mailadres") or r.get("email")).lower()
            h = dict(HABITS[name])
            self.members[addr] = dict(h, name=name, addr=addr, team=team, lang=(r.get("language") or "nl"),
                                      first=name.split()[0])

    def setup(self):
        self.s = sim.Sim(self.out, {"feedbackd": {"domain": "feedback.example.nl",
                                                  "from_address": "feedback@feedback.example.nl",
                                                  "from_name": "Feedbackprogramma", "log_level": "warning"}})
        c = self.s.ctl
        c("program", "create", PROGRAM, "--start", START.isoformat(), "--weeks", str(self.weeks), now=SETUP)
        for team, csvfile in (("Sales", "team-sales.csv"), ("Support", "team-support.csv")):
            c("team", "add", PROGRAM, team, now=SETUP)
            path = os.path.join(TOP, "tests", "data", csvfile)
            c("member", "import", team, path, now=SETUP)
            self.load_team(team, path)
            name, addr = FACILITATORS[team]
            c("facilitator", "add", team, addr, "--name", name, now=SETUP)
        c("member", "absent", "Piet Jansen", "--from", "2027-02-01", "--until", "2027-02-12", now=SETUP)
        sessions = [("kickoff", START + datetime.timedelta(days=1))]
        if self.weeks >= 5:
            sessions.append(("progress", START + datetime.timedelta(days=29)))
        sessions.append(("evaluation", START + datetime.timedelta(days=7 * (self.weeks - 1) + 1)))
        for kind, day in sessions:
            c("session", "schedule", PROGRAM, kind, "--at", "%s 14:00" % day, "--duration", "90m",
              "--location", "Vergaderzaal De Brug", now=SETUP)
        self.say("set up: programme %s, %d weeks from %s, teams Sales and Support (%d members), %d sessions"
                 % (PROGRAM, self.weeks, START, len(self.members), len(sessions)))

    # --- the members' side ---------------------------------------------------------------------
    def week_of(self, at):
        return (sim.when(at).astimezone(clients.ZONE).date() - START).days // 7 + 1

    @staticmethod
    def takes_part(rule, week):
        if rule in ("all", "soon", "late"):
            return True
        if rule == "never":
            return False
        if rule == "odd":
            return week % 2 == 1
        if rule == "even":
            return week % 2 == 0
        if rule.startswith("until"):
            return week <= int(rule[5:])
        if rule.startswith("from"):
            return week >= int(rule[4:])
        raise ValueError(rule)

    def at_hour(self, base, hours=0, days=0):
        """base + delay, on a whole hour (replies bunch into fewer daemon passes)."""
        t = sim.when(base).astimezone(clients.ZONE) + datetime.timedelta(hours=hours, days=days)
        return t.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(hours=1)

    def send(self, who, raw):
        self.by_client[who["client"]] = self.by_client.get(who["client"], 0) + 1
        return raw

    def reply(self, who, mail, body, at):
        return [(at, self.send(who, clients.reply(mail, who["addr"], who["name"], body, who["client"],
                                                  who["lang"], at)))]

    def colleagues(self, who):
        return [m for m in self.members.values() if m["team"] == who["team"] and m["addr"] != who["addr"]]

    def on_mail(self, s, mail):
        # A random stream per message, from what the message is rather than the order a pass
        # happened to write it in: the same scenario then gives the same figures every run.
        key = (mail.rcpt, mail.kind, sim.iso_utc(mail.date))
        self.seen[key] = self.seen.get(key, 0) + 1
        self.rng = random.Random("%s|%s|%s|%d" % (key + (self.seen[key],)))
        if mail.rcpt in (a for _, a in FACILITATORS.values()):
            return self.facilitator(mail)
        who = self.members.get(mail.rcpt)
        if who is None:
            return []
        week = self.week_of(mail.date)
        if who.get("bounce"):
            return [(self.at_hour(mail.date), clients.bounce(mail, at=self.at_hour(mail.date)))]
        if week in who.get("ooo", ()) and mail.kind not in ("weekly_report",):
            if (who["addr"], week) in self.ooo_sent:
                return []           # Exchange answers a sender once per absence
            self.ooo_sent.add((who["addr"], week))
            until = (START + datetime.timedelta(days=7 * week - 1)).strftime("%d-%m-%Y")
            return [(self.at_hour(mail.date), clients.out_of_office(mail, who["addr"], who["name"], who["lang"],
                                                                      self.at_hour(mail.date), until))]
        if mail.kind.startswith("invite") and mail.calendar_method == "REQUEST":
            return self.rsvp(who, mail)
        if mail.kind == "nudge" and self.takes_part(who["ask"], week):
            return self.ask(who, mail, week)
        if mail.kind == "request" and self.takes_part(who["give"], week):
            return self.give(who, mail, week)
        if mail.kind == "feedback_received" and who.get("react") and self.rng.random() < 0.5:
            return self.reply(who, mail, REACT[who["lang"]], self.at_hour(mail.date, hours=3))
        if mail.kind in ("questionnaire", "questionnaire_reminder"):
            return self.survey(who, mail)
        return []

    def ask(self, who, mail, week):
        # The programme's promise: more asking as the weeks go by.
        picks = self.rng.sample(self.colleagues(who), 1 if week <= 3 else 2 if week <= 7 else 3)
        # Members name colleagues as people do: a first name, a full name or an address.
        names = [p["first"] if self.rng.random() < 0.4 and self.unique_first(p) else
                 (p["addr"] if self.rng.random() < 0.3 else p["name"]) for p in picks]
        self.asked += len(picks)
        sep = " en " if who["lang"] == "nl" else " and "
        label = ("Vraag feedback aan: %s\nOver: %s" if who["lang"] == "nl" else "Ask feedback from: %s\nAbout: %s")
        return self.reply(who, mail, label % (sep.join(names), self.rng.choice(TOPICS[who["lang"]])),
                          self.at_hour(mail.date, hours=self.rng.choice((1, 2, 5))))

    def unique_first(self, p):
        return sum(1 for m in self.colleagues(p) if m["first"] == p["first"]) == 0

    def give(self, who, mail, week):
        form, conf, crit, sugg = GIVE[who["lang"]]
        body = form.format(c=self.rng.choice(conf), k=self.rng.choice(crit), s=self.rng.choice(sugg))
        self.given[who["team"]] = self.given.get(who["team"], 0) + 1
        delay = dict(hours=self.rng.choice((2, 4))) if who["give"] != "late" else dict(days=2, hours=1)
        return self.reply(who, mail, body + "\n\n" + who["first"], self.at_hour(mail.date, **delay))

    def measurement(self, mail):
        """Which measurement a questionnaire mail is for (the simulator's bookkeeping: its token)."""
        return self.s.measurement_of(mail)

    def questions(self, mail):
        scale, open_ = [], []
        for m in re.finditer(r"^\s+(\d+)\. .*\((0-10|[^)]*open[^)]*)\)\s*$", mail.text, re.M):
            (scale if m.group(2) == "0-10" else open_).append(int(m.group(1)))
        return scale, open_

    def survey(self, who, mail):
        key = (who["addr"], self.measurement(mail))
        style = who["survey"]
        if key in self.answered_surveys or style == "never":
            return []
        if style == "reminder" and mail.kind != "questionnaire_reminder":
            return []
        self.answered_surveys.add(key)
        scale, open_ = self.questions(mail)
        base = 4.5 + (sum(map(ord, who["name"])) % 3) * 0.5 + LIFT[key[1]]
        score = {q: max(0, min(10, round(base + self.rng.uniform(-1.5, 1.5)))) for q in scale}
        lines = ["%d: %d" % (q, score[q]) for q in scale]
        lines += ["%d: %s" % (q, "vaker om feedback vragen in het overleg" if who["lang"] == "nl"
                              else "ask for feedback more often in meetings") for q in open_]
        at = self.at_hour(mail.date, hours=self.rng.choice((1, 3, 6)))
        out = []
        if style == "clicks" and len(scale) >= 2 and mail.mailto_links:
            # Two clicks on score links (each opens a reply that only needs Send), then the rest.
            for q in scale[:2]:
                link = next(i for i, h in enumerate(mail.mailto_links) if h.endswith("body=%d%%3A%%20%d" % (q, score[q])))
                out.append((at, self.send(who, clients.mailto_reply(mail, link, who["addr"], who["name"],
                                                                     who["client"], at))))
            lines = lines[2:]
            at = at + datetime.timedelta(hours=2)
        out += self.reply(who, mail, "\n".join(lines), at)
        return out

    def rsvp(self, who, mail):
        cal = CALENDAR_CLIENT.get(who["client"])
        if cal is None or who["survey"] == "never":
            return []               # Thunderbird users and the silent ones do not answer
        part = "DECLINED" if who.get("decline") else ("TENTATIVE" if who["give"] == "late" else "ACCEPTED")
        self.rsvps[part] += 1
        at = self.at_hour(mail.date, hours=2)
        return [(at, self.send(who, clients.rsvp(mail, who["addr"], who["name"], part, cal, at, who["lang"])))]

    def facilitator(self, mail):
        if mail.kind != "weekly_report":
            return []
        ids = sorted(set(re.findall(r"^\s*(F\d+)\b", mail.text, re.M)))
        if not ids:
            return []
        self.ratings += len(ids)
        body = "\n".join("%s: %d" % (i, self.rng.choice((3, 4, 4, 5))) for i in ids)
        name = "Karin Coach" if "example.nl" in mail.rcpt else "Ahmed Begeleider"
        at = self.at_hour(mail.date, hours=4)
        return [(at, clients.reply(mail, mail.rcpt, name, body, "outlook", "nl", at))]

    # --- running and reporting -------------------------------------------------------------------
    def until(self):
        last = START + datetime.timedelta(days=7 * self.weeks + 7)
        if self.followup:
            last = START + datetime.timedelta(days=7 * (self.weeks + 26) + 21)
        return datetime.datetime.combine(last, datetime.time(12, 0), clients.ZONE)

    def run(self):
        t0 = time.monotonic()
        self.setup()
        self.s.run(self.until(), self.on_mail)
        self.seconds = time.monotonic() - t0
        self.reports()
        return self.summary()

    def reports(self):
        """The weekly reports as the facilitators got them: each weekly_report mail in the sent
        Maildir (the facilitators' copies) saved as its text part (.txt) and HTML part (.html),
        byte for byte (t0900 compares them with the mail); the CSV, which is not in the mail, made
        with --now at the mail's Date, so it shows what the mail showed. Who lagged is read from
        the mails."""
        rep = os.path.join(self.out, "reports")
        os.makedirs(rep, exist_ok=True)
        now = self.until()
        self.lagging = {}
        for (team, week), mail in sorted(weekly_report_mails(self.s.outbox).items()):
            base = os.path.join(rep, "weekly-%s-week%02d" % (team, week))
            for ext, body in (("txt", mail.get_body(("plain",))), ("html", mail.get_body(("html",)))):
                with open(base + "." + ext, "wb") as f:
                    f.write(body.get_content().encode("utf-8"))
            sent_at = email.utils.parsedate_to_datetime(str(mail["Date"]))
            self.s.ctl("report", "weekly", team, "--week", str(week), "--format", "csv",
                       "--out", base + ".csv", now=sent_at)
            self.lagging[(team, week)] = lagging_in(mail.get_body(("plain",)).get_content())
        for kind in ("progress", "evaluation"):
            self.s.ctl("report", kind, PROGRAM, "--out", os.path.join(rep, kind), now=now)
        p = self.s.ctl("calendar", "export", PROGRAM, now=now, check=False)
        self.calendar = p.returncode == 0
        if self.calendar:
            with open(os.path.join(self.out, "calendar.ics"), "w") as f:
                f.write(p.stdout)

    def tips(self, nudges):
        """The tips the nudges carried (member_tip), counted per pattern they were chosen for."""
        rows = self.s.sql("SELECT pattern, count(*) FROM member_tip GROUP BY pattern")
        return {"nudges": nudges, "given": sum(n for _, n in rows), "by_pattern": dict(rows)}

    def per_day(self):
        """Mails per member per day (the Date header's day, the programme's zone): the most one
        member got on a day, the median over the days a member got any, and day one's most."""
        days = {}
        for m in self.s.mail:
            if m.rcpt in self.members:
                key = (m.rcpt, m.date.date().isoformat())
                days[key] = days.get(key, 0) + 1
        if not days:
            return {"max": 0, "median": 0, "first_day_max": 0}
        counts = sorted(days.values())
        (who, day), top = max(days.items(), key=lambda kv: (kv[1], kv[0]))
        first = [n for (a, d), n in days.items() if d == START.isoformat()]
        return {"max": top, "max_member": self.members[who]["name"], "max_day": day,
                "median": counts[len(counts) // 2] if len(counts) % 2 else
                (counts[len(counts) // 2 - 1] + counts[len(counts) // 2]) / 2,
                "first_day_max": max(first) if first else 0}

    def summary(self):
        s = self.s
        kinds = {}
        for m in s.mail:
            kinds[m.kind] = kinds.get(m.kind, 0) + 1
        status = {}
        for team in FACILITATORS:
            status[team] = {m["name"]: m for m in s.ctl_json("status", team, now=self.until())["members"]}
        meas = s.ctl_json("measurement", "status", PROGRAM, now=self.until())
        sessions = s.ctl_json("session", "list", PROGRAM, now=self.until())
        inbox = s.inbox_states()
        undeliverable = [r[0] for r in s.sql("SELECT address FROM member_address WHERE undeliverable_at IS NOT NULL"
                                             " ORDER BY address")]
        out = {
            "seconds": round(self.seconds, 1), "passes": s.passes,
            "sent": len(s.mail), "sent_by_kind": kinds, "read": s.delivered, "inbox": inbox,
            "replies_by_client": self.by_client,
            "feedback_given": {t: sum(m["total"]["given"] for m in status[t].values()) for t in status},
            "feedback_sent_by_members": self.given,
            "asked": self.asked,
            "lagging": {"%s week %d" % k: v for k, v in sorted(self.lagging.items())},
            "measurements": {m["measurement"]: {"sent": m["sent"], "complete": m["complete"], "partial": m["partial"],
                                                "missing": m["missing"], "response_rate": m["response_rate"]}
                             for m in meas["measurements"]},
            "sessions": sessions, "rsvps_sent": self.rsvps, "ratings_sent": self.ratings,
            "undeliverable": undeliverable, "calendar_export": self.calendar,
            "tips": self.tips(kinds.get("nudge", 0)),
            "mail_per_member_day": self.per_day(),
        }
        with open(os.path.join(self.out, "summary.json"), "w") as f:
            json.dump(out, f, indent=2, ensure_ascii=False)
        lines = ["demo: programme %s, %d weeks%s, simulated in %.1f s (%d daemon passes)"
                 % (PROGRAM, self.weeks, " and the follow-up" if self.followup else "", self.seconds, s.passes),
                 "mail sent: %d (%s)" % (len(s.mail), ", ".join("%s %d" % kv for kv in sorted(kinds.items()))),
                 "mail read: %d (%s); replies by program: %s"
                 % (s.delivered, ", ".join("%s %d" % kv for kv in sorted(inbox.items())),
                    ", ".join("%s %d" % kv for kv in sorted(self.by_client.items()))),
                 "feedback given: %s" % ", ".join("%s %d" % (t, n) for t, n in out["feedback_given"].items()),
                 "tips given: %d in %d nudges (%s)"
                 % (out["tips"]["given"], out["tips"]["nudges"],
                    ", ".join("%s %d" % kv for kv in sorted(out["tips"]["by_pattern"].items())) or "none"),
                 "mail per member per day: most %(max)d (%(max_member)s on %(max_day)s), median %(median)s,"
                 " most on day one %(first_day_max)d" % out["mail_per_member_day"]
                 if out["mail_per_member_day"]["max"] else "mail per member per day: none",
                 "lagging members per week (from the weekly reports):"]
        for (team, week), names in sorted(self.lagging.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            lines.append("  week %2d %-8s %s" % (week, team, ", ".join(names) or "-"))
        lines.append("response per measurement:")
        for k, m in out["measurements"].items():
            lines.append("  %-9s sent %2d, complete %2d, partial %d, missing %2d: %.0f%%"
                         % (k, m["sent"], m["complete"], m["partial"], m["missing"], 100 * m["response_rate"]))
        lines.append("sessions (accepted/declined/tentative/no answer):")
        for x in sessions:
            a = x.get("answers") or x
            lines.append("  %-10s %-8s %s/%s/%s/%s" % (x.get("kind"), x.get("team") or "all", a.get("accepted"),
                                                   a.get("declined"), a.get("tentative"), a.get("no_answer")))
        lines.append("everything is in %s: sent/ (Maildir), inbox/, reports/ (weekly text/HTML/CSV, progress/,"
                     " evaluation/), %ssummary.txt, summary.json, feedbackd.db"
                     % (self.out, "calendar.ics, " if self.calendar else ""))
        with open(os.path.join(self.out, "summary.txt"), "w") as f:
            f.write("\n".join(lines) + "\n")
        print("\n".join(lines))
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(TOP, "demo-out"))
    ap.add_argument("--weeks", type=int, default=10)
    ap.add_argument("--no-followup", action="store_true")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()
    shutil.rmtree(a.out, ignore_errors=True)
    Demo(os.path.abspath(a.out), a.weeks, not a.no_followup, a.quiet).run()


if __name__ == "__main__":
    main()
