#!/usr/bin/python3
"""Improvement actions by reply, end to end over real servers on loopback (issue 18): feedbackd
sends through aiosmtpd into one Maildir the test reads and reads its mailbox from Dovecot over
IMAP. The progress report (week 5) reaches the facilitator with a reply address; she answers it
twice: from Outlook (HTML only, top-posted, Dutch header block, the report quoted) with two
actions, and from a plain-text client with one more in English. Each reply gets a confirmation
listing what was recorded per quadrant; a stranger's reply with her token is quarantined. The
evaluation report (week 11) lists the three actions per quadrant; the follow-up questionnaire
(week 36) asks the team's members what came of them, naming them, and a member's answer to that
question is recorded."""
import email
import glob
import json
import os
import subprocess
import sys
import tempfile
from email import policy

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from servers import BUILD, AioSmtpd, Dovecot, Tap  # noqa: E402
from opslib import gmail_reply, outlook_reply  # noqa: E402

t = Tap()
FBD = os.path.join(BUILD, "feedbackd")
FBCTL = os.path.join(BUILD, "feedbackctl")
TEAM = [("Anna Bakker", "anna@example.nl"), ("Jeroen Meijer", "jeroen@example.nl"),
        ("Piet Jansen", "piet@example.nl")]
FIEN = ("Fien Facilitator", "fien@example.nl")


def run(*args, now):
    p = subprocess.run(list(args[:1]) + ["-c", CONF, "--now", now] + list(args[1:]),
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        print("# %s exited %d: %s" % (" ".join(args), p.returncode, p.stderr.strip()))
    return p


def daemon(now):
    return run(FBD, "--once", "--log-level", "warning", now=now).returncode == 0


def ctl(*args, now="2027-01-01T12:00"):
    return run(FBCTL, *args, now=now)


def mails(to=None, kind=None):
    out = []
    for f in sorted(glob.glob(os.path.join(PEOPLE, "new", "*")), key=os.path.getmtime):
        with open(f, "rb") as fh:
            m = email.message_from_bytes(fh.read(), policy=policy.default)
        if to and to != m["To"].addresses[0].addr_spec:
            continue
        if kind and m["X-Feedbackd-Kind"] != kind:
            continue
        out.append(m)
    return out


def text_of(m):
    return m.get_body(("plain",)).get_content().replace("\r\n", "\n")


def stranger(m):
    return ("From: Mallory <mallory@example.com>\r\nTo: %s\r\nSubject: Re: %s\r\n"
            "Message-ID: <m1@example.com>\r\nIn-Reply-To: %s\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nTeam, kort: iedereen een dag vrij\r\n"
            % (m["Reply-To"], m["Subject"], m["Message-ID"])).encode()


def actions():
    p = ctl("--json", "report", "actions", "Blauw", now="2027-02-01T12:00")
    return json.loads(p.stdout) if p.returncode == 0 else []


with tempfile.TemporaryDirectory() as tmp:
    PEOPLE = os.path.join(tmp, "people")
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(PEOPLE, sub))
    with Dovecot(tmp) as imap, AioSmtpd(tmp, deliver_to_maildir=PEOPLE) as smtp:
        imap.make_maildir()
        pw = os.path.join(tmp, "imap.pw")
        with open(pw, "w") as f:
            f.write("secret\n")
        os.chmod(pw, 0o600)
        CONF = os.path.join(tmp, "feedbackd.conf")
        with open(CONF, "w") as f:
            f.write("[feedbackd]\ndatabase = %s/fb.db\ndomain = feedbackd.test\n"
                    "from_address = feedback@feedbackd.test\n"
                    "[outgoing]\ntransport = smtp\nurl = %s\nstarttls = no\n"
                    "[incoming]\nmailbox = imap\nurl = %s\nstarttls = no\nusername = fb\n"
                    "password_file = %s\nidle = no\n" % (tmp, smtp.url(), imap.url(), pw))

        ok = ctl("program", "create", "Pilot", "--start", "2027-01-04").returncode == 0
        ok &= ctl("team", "add", "Pilot", "Blauw").returncode == 0
        for name, addr in TEAM:
            ok &= ctl("member", "add", "Blauw", name, addr).returncode == 0
        ok &= ctl("facilitator", "add", "Blauw", FIEN[1], "--name", FIEN[0]).returncode == 0
        t.ok(ok, "a programme with a team of three and a facilitator")

        t.ok(daemon("2027-02-01T08:00"), "the daemon's pass when the progress report is due")
        reports = mails(to=FIEN[1], kind="progress_report")
        t.ok(len(reports) == 1 and str(reports[0]["Subject"]).startswith("Voortgangsrapport"),
             "the facilitator gets the progress report", [str(m["Subject"]) for m in reports])
        report = reports[0] if reports else None
        t.ok(report is not None and "+" in str(report["Reply-To"]) and "[#" in str(report["Subject"]),
             "with a reply address: replies to it are read")

        imap.deliver(outlook_reply(report, FIEN[1], FIEN[0], "fien1@outlook.example",
                                   ["Goed gesprek gehad, dit spraken we af:",
                                    "Team, kort: elke vrijdag vraagt ieder één collega om feedback",
                                    "Anderen, lang: de afdeling plant een training feedback geven"]))
        t.ok(daemon("2027-02-01T10:00"), "the daemon reads the Outlook reply (HTML only)")
        imap.deliver(gmail_reply(report, FIEN[1], FIEN[0], "fien2@mail.example",
                                 ["Team, long term: intervisie elke maand,", "met een casus uit het werk"]))
        imap.deliver(stranger(report))
        t.ok(daemon("2027-02-01T11:00"), "the daemon reads the plain-text reply and a stranger's")

        got = actions()
        t.ok(sorted((a["quadrant"], a["text"], a["report"]) for a in got) == [
            ("others_long", "de afdeling plant een training feedback geven", "progress"),
            ("team_long", "intervisie elke maand, met een casus uit het werk", "progress"),
            ("team_short", "elke vrijdag vraagt ieder één collega om feedback", "progress")],
            "three actions recorded, none from the quoted report or the stranger", got)
        t.ok(all(a["author"] == FIEN[1] and a["author_name"] == FIEN[0] for a in got),
             "each with who sent it", got)

        confs = mails(to=FIEN[1], kind="actions_received")
        t.ok(len(confs) == 2, "the facilitator gets one confirmation per reply", len(confs))
        first = text_of(confs[0]) if confs else ""
        t.ok("Het team zelf, op korte termijn:\n  - elke vrijdag vraagt ieder één collega om feedback" in first
             and "Anderen, op lange termijn:\n  - de afdeling plant een training feedback geven" in first,
             "the first lists its two actions per quadrant", first)
        t.ok("Niet gelezen" not in first and "Met vriendelijke groet," in first, "nothing left unread, signed", first)
        t.ok(confs and confs[0]["In-Reply-To"] == "<fien1@outlook.example>", "threaded to her reply")
        second = text_of(confs[1]) if len(confs) > 1 else ""
        t.ok("Het team zelf, op lange termijn:\n  - intervisie elke maand, met een casus uit het werk" in second,
             "the second lists the English one, its lines joined", second)
        t.ok(not mails(to="mallory@example.com"), "the stranger gets no answer")
        q = ctl("--json", "quarantine", "list", now="2027-02-01T12:00")
        t.ok(q.returncode == 0 and "mallory@example.com" in q.stdout, "the stranger's mail is quarantined",
             q.stdout + q.stderr)

        t.ok(daemon("2027-03-15T08:00"), "the daemon's pass when the evaluation report is due")
        evals = [m for m in mails(to=FIEN[1], kind="progress_report")
                 if str(m["Subject"]).startswith("Evaluatierapport")]
        ev = text_of(evals[0]) if evals else ""
        t.ok("Verbeteracties (uit de antwoorden op de rapporten)\n"
             "  Het team zelf, korte termijn:\n     - elke vrijdag vraagt ieder één collega om feedback\n"
             "  Het team zelf, lange termijn:\n     - intervisie elke maand, met een casus uit het werk\n"
             "  Door anderen, lange termijn:\n     - de afdeling plant een training feedback geven\n" in ev,
             "the evaluation report lists the actions per quadrant", ev[-1500:])
        html = evals[0].get_body(("html",)).get_content() if evals else ""
        t.ok("<b>Door anderen, lange termijn</b>" in html, "in its HTML part too")

        t.ok(daemon("2027-09-06T09:00"), "the daemon's pass when the follow-up questionnaire goes")
        fus = mails(to="anna@example.nl", kind="questionnaire")
        fu = text_of(fus[-1]) if fus else ""
        t.ok("7. Wat is er terechtgekomen van de verbeteracties die jullie team koos?" in fu and
             "- elke vrijdag vraagt ieder één collega om feedback" in fu and
             "- intervisie elke maand, met een casus uit het werk" in fu and
             "- de afdeling plant een training feedback geven" in fu,
             "the follow-up questionnaire asks what came of the actions, naming each", fu)
        imap.deliver(gmail_reply(fus[-1], "anna@example.nl", "Anna Bakker", "anna-fu@mail.example",
                                 ["1: 8", "7: de vrijdagvraag houden we vol, de training kwam er niet"]))
        t.ok(daemon("2027-09-06T10:00"), "the daemon reads Anna's answers")
        rec = mails(to="anna@example.nl", kind="answers_received")
        rt = text_of(rec[-1]) if rec else ""
        t.ok("de vrijdagvraag houden we vol" in rt, "her answer to the actions question is recorded", rt)
t.finish()
