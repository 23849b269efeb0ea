#!/usr/bin/python3
"""Step 3 for the members and the evaluation's structure, end to end over real servers on
loopback: feedbackd sends through aiosmtpd (every person's mail lands in one Maildir the test
reads) and reads its programme mailbox from Dovecot over IMAP.

A team of five in a six-week programme (min_group_size 3), the default mail budget (2 automatic
mails a member a day): day one is the welcome, the progress session's invitation and the nudge,
the baseline questionnaire comes on Tuesday morning. At the baseline Ann, Bob and Cat
answer (Cat leaves the last open question empty, so it has two answers: fewer than three); in
week 1 two members give feedback (fewer than three: the week's figure is not shown), in week 2
four do. At the progress report (Monday of week 3, 08:00) every member's mailbox gets the
team's picture: in their own language (Eva's in English), signed by the facilitator, the
session's date as people write it, no colleague's name in it, week 1 and the two-answer
question shown as "–" with the reason. At the evaluation report (Monday after week 6) the
facilitator's report names what went well first, then the four headings of the evaluation's
conversation in order. On the midterm Monday the picture (08:00) and the nudge go, the midterm
questionnaire waits for Tuesday: the picture comes before the session."""
import datetime
import glob
import os
import re
import subprocess
import sys
import tempfile
from zoneinfo import ZoneInfo

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "sim"))
import clients  # noqa: E402
import sim  # noqa: E402
from servers import BUILD, AioSmtpd, Dovecot, Tap  # noqa: E402

t = Tap()
FBD = os.path.join(BUILD, "feedbackd")
FBCTL = os.path.join(BUILD, "feedbackctl")
TEAM = [("Ann Smit", "ann@example.nl"), ("Bob de Boer", "bob@example.nl"), ("Cat Visser", "cat@example.nl"),
        ("Dan Mulder", "dan@example.nl"), ("Eva de Groot", "eva@example.nl")]
NAME = dict((a, n) for n, a in TEAM)
WORDS = {a: set(n.replace("de ", "").split()) for n, a in TEAM}   # first and last names


def run(*args, now):
    p = subprocess.run(list(args[:1]) + ["-c", CONF, "--now", now] + list(args[1:]),
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        print("# %s exited %d: %s" % (" ".join(args), p.returncode, p.stderr.strip()[-1500:]))
    return p


def daemon(now):
    return run(FBD, "--once", "--log-level", "warning", now=now).returncode == 0


def ctl(*args, now="2027-01-01T12:00"):
    return run(FBCTL, *args, now=now)


def mails(to=None, kind=None):
    out = []
    for f in sorted(glob.glob(os.path.join(PEOPLE, "new", "*")) + glob.glob(os.path.join(PEOPLE, "cur", "*")),
                    key=lambda p: (os.path.getmtime(p), p)):
        with open(f, "rb") as fh:
            m = sim.Mail(fh.read(), f, None)
        if (to is None or m.rcpt == to) and (kind is None or m.kind == kind):
            out.append(m)
    return out


def one(to, kind):
    got = mails(to, kind)
    return got[-1] if got else None


def give(nudge, frm, to_name, at):
    body = ("Feedback voor: %s\nBevestiging: je liet iedereen uitpraten.\nKritiek: de agenda was te vol.\n"
            "Constructief: kies volgende keer drie punten." % to_name)
    IMAP.deliver(clients.reply(nudge, frm, NAME[frm], body, client="gmail", at=at))


def in_order(text, parts):
    at = 0
    for p in parts:
        i = text.find(p, at)
        if i < 0:
            return "missing after offset %d: %r" % (at, p)
        at = i + len(p)
    return None


BASELINE = {
    "ann@example.nl": "1: 6\n2: 5\n3: 7\n4: 4\n5: 6\n6: 5\n7: Bob en ik willen elkaar vaker aanspreken\n"
                      "8: we leren sneller\n9: feedback als gewoonte",
    "bob@example.nl": "1: 7\n2: 6\n3: 8\n4: 5\n5: 7\n6: 6\n7: vragen stellen\n8: het maakt ons werk beter\n"
                      "9: iedereen vraagt elke week om feedback",
    "cat@example.nl": "1: 5\n2: 4\n3: 6\n4: 5\n5: 5\n6: 4\n7: luisteren zonder te verdedigen\n8: door te oefenen",
}

with tempfile.TemporaryDirectory() as tmp:
    PEOPLE = os.path.join(tmp, "people")
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(PEOPLE, sub))
    DB = os.path.join(tmp, "fb.db")
    with Dovecot(tmp) as IMAP, AioSmtpd(tmp, deliver_to_maildir=PEOPLE) as SMTP:
        IMAP.make_maildir()
        pw = os.path.join(tmp, "imap.pw")
        with open(pw, "w") as f:
            f.write("secret\n")
        os.chmod(pw, 0o600)
        CONF = os.path.join(tmp, "feedbackd.conf")
        with open(CONF, "w") as f:
            f.write("[feedbackd]\ndatabase = %s\ndomain = feedbackd.test\nfrom_address = feedback@feedbackd.test\n"
                    "coordinator_address = coord@example.nl\n"
                    "[program]\nmin_group_size = 3\n"
                    "[outgoing]\ntransport = smtp\nurl = %s\nstarttls = no\n"
                    "[incoming]\nmailbox = imap\nurl = %s\nstarttls = no\nusername = fb\npassword_file = %s\n"
                    "idle = no\n" % (DB, SMTP.url(), IMAP.url(), pw))

        ok = ctl("program", "create", "Pilot", "--start", "2027-01-04", "--weeks", "6").returncode == 0
        ok &= ctl("team", "add", "Pilot", "Blauw").returncode == 0
        for name, addr in TEAM:
            ok &= ctl("member", "add", "Blauw", name, addr,
                      *(["--language", "en"] if addr.startswith("eva") else [])).returncode == 0
        ok &= ctl("facilitator", "add", "Blauw", "fenna@example.nl", "--name", "Fenna Faber").returncode == 0
        ok &= ctl("session", "schedule", "Pilot", "progress", "--at", "2027-01-20 14:00",
                  "--duration", "90").returncode == 0
        t.ok(ok, "a six-week programme with a team of five, a facilitator and a progress session")

        # --- week 1: the baseline (three answer), two members give feedback --------------------
        # The mail budget (default 2 automatic mails a member a day): day one is the welcome,
        # the kickoff's invitation and the nudge; the baseline waits for the next morning.
        t.ok(daemon("2027-01-04T09:00"), "the daemon runs on Monday of week 1")
        nudges = {m.rcpt: m for m in mails(kind="nudge")}
        t.ok(len(nudges) == 5 and not mails(kind="questionnaire"),
             "everyone got the nudge on Monday, the baseline waits for the mail budget",
             (sorted(nudges), [m.rcpt for m in mails(kind="questionnaire")]))
        give(nudges["ann@example.nl"], "ann@example.nl", "Bob de Boer", "2027-01-04T09:40")
        give(nudges["bob@example.nl"], "bob@example.nl", "Cat Visser", "2027-01-04T09:41")
        t.ok(daemon("2027-01-04T10:00"), "the daemon reads the feedback")
        t.ok(daemon("2027-01-05T09:00"), "the daemon runs on Tuesday of week 1")
        qs = {m.rcpt: m for m in mails(kind="questionnaire")}
        t.ok(len(qs) == 5 and all(m.date.date().isoformat() == "2027-01-05" for m in qs.values()),
             "everyone got the baseline on Tuesday morning", [(m.rcpt, str(m.date)) for m in qs.values()])
        for addr, body in BASELINE.items():
            IMAP.deliver(clients.reply(qs[addr], addr, NAME[addr], body, client="gmail", at="2027-01-05T09:30"))
        t.ok(daemon("2027-01-05T10:00"), "the daemon reads the answers")

        # --- week 2: four members give feedback ------------------------------------------------
        t.ok(daemon("2027-01-11T09:00"), "the daemon runs on Monday of week 2")
        nudges = {m.rcpt: m for m in mails(kind="nudge") if "[#" in m.subject}
        w2 = {m.rcpt: m for m in mails(kind="nudge")[5:]}
        t.ok(len(w2) == 5, "everyone got the week-2 nudge", sorted(w2))
        for frm, to in (("ann@example.nl", "Bob de Boer"), ("bob@example.nl", "Cat Visser"),
                        ("cat@example.nl", "Dan Mulder"), ("dan@example.nl", "Ann Smit")):
            give(w2[frm], frm, to, "2027-01-11T09:30")
        t.ok(daemon("2027-01-11T10:00"), "the daemon reads the week-2 feedback")
        t.ok(len(mails(kind="team_picture")) == 0, "no team picture before the progress report")

        # --- Monday of week 3, 08:00: the progress report and the team's picture -------------
        t.ok(daemon("2027-01-18T08:00"), "the daemon runs at the progress report's moment")
        pics = {m.rcpt: m for m in mails(kind="team_picture")}
        t.ok(sorted(pics) == sorted(a for _, a in TEAM) and len(mails(kind="team_picture")) == 5,
             "every member's mailbox got the team's picture, once", sorted(pics))
        reports = sorted(m.rcpt for m in mails(kind="progress_report"))
        t.ok(reports == ["coord@example.nl", "fenna@example.nl"],
             "the progress report still goes to the coordinator and the facilitator only", reports)
        for addr, m in sorted(pics.items()):
            others = set().union(*(WORDS[o] for o in WORDS if o != addr))
            leaked = sorted(w for w in others if re.search(r"\b%s\b" % re.escape(w), m.text + m.html_body))
            t.ok(not leaked, "%s's picture names no colleague" % addr, leaked)
        ann = pics.get("ann@example.nl")
        text = ann.text.replace("\r\n", "\n") if ann else ""
        t.ok(ann is not None and ann.subject == "Het beeld van team Blauw voor de voortgangsbijeenkomst",
             "Ann's picture: a Dutch subject", ann and ann.subject)
        t.ok(re.search(r"^  week  1  –  \(minder dan 3 mensen gaven die week feedback\)$", text, re.M),
             "week 1 (two givers) is not shown, and the line says why", text)
        t.ok(re.search(r"^  week  2  █+ 4$", text, re.M), "week 2 (four givers) shows the team's 4 as a bar", text)
        t.ok(re.search(r"^  nulmeting +2 van de 5 vulden de vragenlijst in \(40%\)$", text, re.M),
             "the baseline's response: 2 of 5 complete (Cat's is not)", text)
        t.ok("Wat is het gewenste eindresultaat" in text and
             "–  (minder dan 3 antwoorden: niet getoond)" in text and "feedback als gewoonte" not in text,
             "the question only two answered is not shown", text)
        t.ok("[naam] en ik willen elkaar vaker aanspreken" in text and "luisteren zonder te verdedigen" in text,
             "the ambition's answers are there, the colleague's name masked", text)
        t.ok("– : niet getoond, omdat het cijfer op minder dan 3 mensen rust;\n    zo kan niemand" in text,
             "the mail says why a figure is missing", text)
        t.ok("voortgangsbijeenkomst van woensdag 20 januari om 14:00" in text and
             not re.search(r"\d{4}-\d\d-\d\d", text), "the session's date as people write it, no ISO date", text)
        t.ok(text.rstrip().endswith("Fenna Faber, Pilot"), "signed by the facilitator", text[-200:])
        t.ok(ann is not None and "minder dan 3 mensen gaven die week feedback" in ann.html_body and
             "<script" not in ann.html_body, "the HTML part shows the same")
        eva = pics.get("eva@example.nl")
        t.ok(eva is not None and eva.subject == "Team Blauw's picture for the progress session" and
             "fewer than 3 people gave feedback that week" in eva.text and "minder dan" not in eva.text and
             "Wednesday 20 January at 14:00" in eva.text,
             "Eva's picture is in English", eva and (eva.subject, eva.text))

        # --- the midterm Monday under the mail budget (2): the picture (08:00), the nudge and the
        # midterm questionnaire (09:00) are all budgeted; the picture, made first, goes on
        # Monday, the questionnaire on Tuesday, and the picture comes before the session.
        t.ok(daemon("2027-01-18T09:00") and daemon("2027-01-19T09:00"),
             "the daemon runs on Monday 09:00 and Tuesday 09:00 of week 3")
        session = datetime.datetime(2027, 1, 20, 14, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
        for addr in sorted(NAME):
            pic, nudge, q = one(addr, "team_picture"), one(addr, "nudge"), one(addr, "questionnaire")
            got = [(m.kind, str(m.date)) for m in (pic, nudge, q) if m is not None]
            t.ok(pic is not None and pic.date < session and pic.date.isoformat() == "2027-01-18T08:00:00+01:00"
                 and nudge is not None and nudge.date.isoformat() == "2027-01-18T09:00:00+01:00"
                 and nudge.subject.startswith("Week 3")
                 and q is not None and q.date.isoformat() == "2027-01-19T09:00:00+01:00",
                 "%s: the picture and the nudge on Monday, the midterm on Tuesday, the picture before "
                 "the session" % addr, got)

        # --- after week 6: the evaluation report -------------------------------------------------
        t.ok(daemon("2027-02-15T08:00"), "the daemon runs at the evaluation report's moment")
        ev = [m for m in mails("fenna@example.nl", "progress_report") if m.subject.startswith("Evaluatierapport")]
        t.ok(len(ev) == 1, "the facilitator got the evaluation report", [m.subject for m in ev])
        etext = ev[0].text.replace("\r\n", "\n") if ev else ""
        bad = in_order(etext, ["== Team Blauw ==", "Wat ging goed",
                               "  - De actiefste week: week 2, met 4 keer feedback gegeven.",
                               "1. Herkennen — wat zien we?", "2. Begrijpen — hoe komt dat?",
                               "3. Waarderen — wat heeft het opgeleverd?",
                               "4. Verbeteren — wat gaan we anders doen?", "Verbeteracties"])
        t.ok(bad is None, "what went well first, then the four headings in order", (bad, etext))
        first = etext.find("Wat ging goed")
        t.ok(first >= 0 and all(etext.find(h) > first for h in ("Respons per meting", "Gemiddelde score")),
             "no figure comes before what went well", etext[:first])
        bad = in_order(ev[0].html_body if ev else "", [">Wat ging goed</h3>", ">1. Herkennen", ">2. Begrijpen",
                                                        ">3. Waarderen", ">4. Verbeteren"])
        t.ok(bad is None, "the HTML part in the same order", bad)
        t.ok(len(mails(kind="team_picture")) == 5, "the evaluation sends no team picture")
t.finish()
