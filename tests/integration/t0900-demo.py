#!/usr/bin/python3
"""The main job, shortened: `make demo`'s simulation (tests/sim/demo.py) over a 3-week programme,
and its summary checked against what the simulated members did and against the files and the
database it leaves behind. The members' habits (demo.HABITS) fix what must come out: who never
answers a questionnaire, whose address bounces, who declines the kickoff, who is away when."""
import csv
import email
import email.policy
import email.utils
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "sim"))
import demo  # noqa: E402
from servers import Tap  # noqa: E402

t = Tap()
WEEKS = 3

with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "demo-out")
    p = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "..", "sim", "demo.py"), "--out", out,
                        "--weeks", str(WEEKS), "--no-followup", "--quiet"],
                       capture_output=True, text=True, timeout=900)
    t.ok(p.returncode == 0, "the demo runs to the end", p.stderr[-3000:])
    print("".join("# " + line + "\n" for line in p.stdout.splitlines()[:4]), end="")
    s = json.load(open(os.path.join(out, "summary.json")))
    import sqlite3
    db = sqlite3.connect(os.path.join(out, "feedbackd.db"))
    q = lambda sql, *a: db.execute(sql, a).fetchall()  # noqa: E731

    # What was read: every message the members' programs sent, each applied once, none stuck.
    inbox_files = glob.glob(os.path.join(out, "inbox", "new", "*")) + glob.glob(os.path.join(out, "inbox", "cur", "*"))
    t.ok(s["read"] == len(inbox_files) == q("SELECT count(*) FROM inbox")[0][0],
         "every delivered reply was read once (%d)" % s["read"])
    t.ok(set(s["inbox"]) == {"applied"}, "nothing pending, failed or quarantined", s["inbox"])
    sent_files = glob.glob(os.path.join(out, "sent", "new", "*")) + glob.glob(os.path.join(out, "sent", "cur", "*"))
    t.ok(s["sent"] == len(sent_files) == q("SELECT count(*) FROM outbox WHERE state = 'sent'")[0][0],
         "the summary's mail count is the sent Maildir's and the outbox's (%d)" % s["sent"])
    t.ok(set(s["replies_by_client"]) == {"outlook", "gmail", "apple", "iphone", "thunderbird"},
         "replies came from all five mail programs", s["replies_by_client"])

    # The welcome (issue 19): exactly one to each of the 24 members, the first mail they got.
    welcomes = dict(q("SELECT recipient, count(*) FROM outbox WHERE kind = 'welcome' GROUP BY recipient"))
    t.ok(len(welcomes) == 24 and set(welcomes.values()) == {1}, "one welcome to each of the 24 members", welcomes)
    firsts = {}
    for f in sorted(sent_files, key=lambda f: (os.stat(f).st_mtime_ns, os.path.basename(f))):
        with open(f, "rb") as fh:
            head = fh.read(4096).decode("utf-8", "replace").replace("\r", "")
        to = [l for l in head.split("\n") if l.startswith("To: ")]
        kind = [l[len("X-Feedbackd-Kind: "):] for l in head.split("\n") if l.startswith("X-Feedbackd-Kind: ")]
        if to and kind and "<" in to[0]:
            firsts.setdefault(to[0].split("<")[1].split(">")[0].lower(), kind[0])
    t.ok(all(firsts.get(a) == "welcome" for a in welcomes),
         "the welcome is every member's first mail", {a: k for a, k in firsts.items() if a in welcomes and k != "welcome"})

    # Feedback: what feedbackd counted is exactly what the members sent.
    t.ok(s["feedback_given"] == s["feedback_sent_by_members"] and sum(s["feedback_given"].values()) > 0,
         "feedback counted per team equals feedback the members gave", (s["feedback_given"], s["feedback_sent_by_members"]))
    t.ok(s["sent_by_kind"].get("request") == s["asked"],
         "one request mail per colleague asked (%d)" % s["asked"], s["sent_by_kind"])

    # Questionnaires: the silent four never answer; everyone else completes.
    silent = [n for n, h in demo.HABITS.items() if h["survey"] == "never"]
    base = s["measurements"]["baseline"]
    t.ok(base["sent"] == 24 and base["complete"] == 24 - len(silent) and base["missing"] == len(silent)
         and base["partial"] == 0, "baseline: sent 24, complete %d, missing %d" % (24 - len(silent), len(silent)), base)
    t.ok(all(m["sent"] == 23 for k, m in s["measurements"].items() if k != "baseline"),
         "after the bounce the undeliverable member gets no further questionnaire", s["measurements"])

    # The bounce marks the address undeliverable; no nudge goes there after it.
    t.ok(s["undeliverable"] == ["thijs.dekker@example.org"], "the bouncing address is marked undeliverable",
         s["undeliverable"])
    nudges = q("SELECT count(*) FROM outbox WHERE kind = 'nudge' AND recipient = 'thijs.dekker@example.org'")[0][0]
    t.ok(nudges == 1, "one nudge to the bouncing address, none after the bounce", nudges)

    # Calendar answers: Emma declines, the late givers answer tentative, the silent and Thunderbird don't.
    kick = [x for x in s["sessions"] if x["kind"] == "kickoff"][0]["answers"]
    answering = [n for n, h in demo.HABITS.items() if h["client"] != "thunderbird" and h["survey"] != "never"]
    late = [n for n in answering if demo.HABITS[n]["give"] == "late"]
    t.ok(kick["declined"] == 1 and kick["tentative"] == len(late) and
         kick["accepted"] == len(answering) - 1 - len(late) and kick["invited"] == 26,
         "kickoff: 1 declined, %d tentative, %d accepted of 26 invited" % (len(late), len(answering) - 1 - len(late)), kick)

    # Weekly reports: every week, every team, three formats; away members are never lagging.
    for week in range(1, WEEKS + 1):
        for team in ("Sales", "Support"):
            for ext in ("txt", "html", "csv"):
                f = os.path.join(out, "reports", "weekly-%s-week%02d.%s" % (team, week, ext))
                if not (os.path.exists(f) and os.path.getsize(f) > 200):
                    t.ok(False, "weekly report %s" % f)
    with open(os.path.join(out, "reports", "weekly-Sales-week03.csv"), encoding="utf-8-sig") as f:
        week3 = {r["teamlid"]: r for r in csv.DictReader(f, delimiter=";")}
    t.ok("Eva de Groot" not in s["lagging"]["Sales week 3"] and week3["Eva de Groot"]["status"] != "blijft achter",
         "Eva, out of office in week 3, is away, not lagging", week3["Eva de Groot"])
    t.ok(all("Daan Smit" in s["lagging"]["Sales week %d" % w] for w in range(2, WEEKS + 1)),
         "Daan, who never takes part, is lagging every week from week 2", s["lagging"])
    t.ok(s["lagging"]["Sales week 1"] == [] and s["lagging"]["Support week 1"] == [],
         "nobody lags in week 1 (issue 18)", s["lagging"])
    # The report files are the mails the facilitators got, byte for byte (issue 18): every
    # weekly_report mail to a facilitator in the sent Maildir, its text and HTML parts.
    facilitators = {addr: team for team, (_, addr) in demo.FACILITATORS.items()}
    compared, differ = 0, []
    for sub in ("new", "cur"):
        d = os.path.join(out, "sent", sub)
        for name in sorted(os.listdir(d)):
            with open(os.path.join(d, name), "rb") as f:
                m = email.message_from_binary_file(f, policy=email.policy.default)
            team = facilitators.get(email.utils.parseaddr(str(m.get("To", "")))[1].lower())
            if str(m.get("X-Feedbackd-Kind", "")) != "weekly_report" or team is None:
                continue
            week = int(re.search(r"\bweek (\d+)\b", str(m["Subject"])).group(1))
            for ext, part in (("txt", "plain"), ("html", "html")):
                f = os.path.join(out, "reports", "weekly-%s-week%02d.%s" % (team, week, ext))
                with open(f, "rb") as fh:
                    saved = fh.read()
                compared += 1
                if saved != m.get_body((part,)).get_content().encode("utf-8"):
                    differ.append(f)
    t.ok(compared == 2 * 2 * WEEKS and not differ,
         "the weekly report files are the delivered mails' text and HTML bodies, byte for byte "
         "(%d compared)" % compared, differ)
    t.ok(all("Thijs Dekker" not in s["lagging"]["Support week %d" % w] for w in range(1, WEEKS + 1)),
         "the unreachable member is never listed as lagging", s["lagging"])
    t.ok(s["sent_by_kind"].get("weekly_report") == 2 * WEEKS and s["ratings_sent"] > 0
         and s["sent_by_kind"].get("ratings_received") == 2 * WEEKS,
         "a weekly report per team and week, rated by the facilitators by reply", s["sent_by_kind"])
    for kind in ("progress", "evaluation"):
        d = os.path.join(out, "reports", kind)
        t.ok(all(os.path.exists(os.path.join(d, f)) for f in ("report.html", "report.txt", "report.csv", "volume.png")),
             "%s report in HTML, text and CSV with charts" % kind, sorted(os.listdir(d)) if os.path.isdir(d) else d)
    # The programme's calendar: every session and every questionnaire moment, once.
    import icalendar
    with open(os.path.join(out, "calendar.ics"), "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    events = [e for e in cal.walk("VEVENT")]
    plan = json.loads(subprocess.run(["/usr/bin/env", "FEEDBACKD_CONFIG=" + os.path.join(out, "feedbackd.conf"),
                                      os.path.join(demo.sim.servers.BUILD, "feedbackctl"), "--json", "plan", "Pilot"],
                                     capture_output=True, text=True).stdout)
    moments = [m for m in plan if m["key"].startswith(("questionnaire:", "session:")) and m["scheduled"]]
    t.ok(s["calendar_export"] and str(cal.get("METHOD")) == "PUBLISH" and len(events) == len(moments)
         and len({str(e["UID"]) for e in events}) == len(events),
         "calendar.ics: one event per session and questionnaire moment (%d)" % len(moments),
         [str(e.get("SUMMARY")) for e in events])
    with open(os.path.join(out, "summary.txt")) as f:
        text = f.read()
    t.ok("lagging members per week" in text and "response per measurement" in text and out in text,
         "the summary names lagging members, response and the folder")
    tips = s.get("tips", {})
    t.ok(tips.get("nudges", 0) > 0 and tips.get("given") == tips.get("nudges") == s["sent_by_kind"].get("nudge")
         and "tips given: %d in %d nudges" % (tips["given"], tips["nudges"]) in text,
         "every nudge carried a tip, and the summary counts them per pattern", tips)
    # Mail per member per day, counted again here from the sent Maildir's To and Date.
    import email, email.utils, collections
    members = {r[0] for r in q("SELECT address FROM member_address")}
    per = collections.Counter()
    for f in sent_files:
        with open(f, "rb") as fh:
            m = email.message_from_binary_file(fh)
        rcpt = email.utils.parseaddr(m["To"])[1].lower()
        if rcpt in members:
            per[(rcpt, email.utils.parsedate_to_datetime(m["Date"]).date().isoformat())] += 1
    pd = s.get("mail_per_member_day", {})
    t.ok(per and pd.get("max") == max(per.values())
         and pd.get("first_day_max") == max(n for (a, d), n in per.items() if d == "2027-01-04")
         and "mail per member per day: most %d" % pd["max"] in text,
         "the summary's mail per member per day is the Maildir's (most %s, median %s, day one %s)"
         % (pd.get("max"), pd.get("median"), pd.get("first_day_max")), pd)
t.finish()
