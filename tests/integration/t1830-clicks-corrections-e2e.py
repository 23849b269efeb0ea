#!/usr/bin/python3
"""Score links without spam and corrections that reach the colleague (issue 18), end to end over
real servers on loopback: feedbackd sends through aiosmtpd (every member's mail lands in one
Maildir the test reads, as the members' mail programs would) and reads its programme mailbox
from Dovecot over IMAP.

Ann clicks four score links of her baseline questionnaire within three minutes (each reply built
exactly from the link's href, as a mail program sends it): every answer is stored at once, and
she gets exactly ONE receipt, five minutes after her last click, listing the four and what is
still open with its links. A click ten minutes later gets a second receipt. The daemon, left
running (not --once) with a poll interval of ten minutes, wakes for the waiting receipt by
itself. Bob gives Ann feedback; it is delivered; he corrects it by replying to his receipt: Ann's
mailbox gets "Gecorrigeerde feedback van Bob Bakker" with the new text, saying it replaces the
earlier one, and Bob's receipt says she got it."""
import glob
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "sim"))
import clients  # noqa: E402
import sim  # noqa: E402
from servers import BUILD, AioSmtpd, Dovecot, Tap  # noqa: E402

t = Tap()
FBD = os.path.join(BUILD, "feedbackd")
FBCTL = os.path.join(BUILD, "feedbackctl")
TEAM = [("Ann Smit", "ann@example.nl"), ("Bob Bakker", "bob@example.nl"), ("Cat Visser", "cat@example.nl")]
NAME = dict((a, n) for n, a in TEAM)


def run(*args, now):
    p = subprocess.run(list(args[:1]) + ["-c", CONF, "--now", now] + list(args[1:]),
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        print("# %s exited %d: %s" % (" ".join(args), p.returncode, p.stderr.strip()[-1500:]))
    return p


def daemon(now):
    return run(FBD, "--once", "--log-level", "info", now=now).returncode == 0


def ctl(*args, now):
    return run(FBCTL, *args, now=now)


def mails(to=None, kind=None):
    """Messages delivered to members, oldest first, as sim.Mail."""
    out = []
    for f in sorted(glob.glob(os.path.join(PEOPLE, "new", "*")) + glob.glob(os.path.join(PEOPLE, "cur", "*")),
                    key=lambda p: (os.path.getmtime(p), p)):
        with open(f, "rb") as fh:
            m = sim.Mail(fh.read(), f, None)
        if (to is None or m.rcpt == to) and (kind is None or m.kind == kind):
            out.append(m)
    return out


def answers(addr):
    rows = sql("SELECT a.question, a.score FROM answer a JOIN questionnaire q ON q.id = a.questionnaire_id "
               "JOIN member_address ma ON ma.member_id = q.member_id AND ma.is_primary = 1 "
               "WHERE ma.address = ? AND a.superseded = 0 ORDER BY a.question", addr)
    return dict(rows)


def sql(query, *params):
    import sqlite3
    c = sqlite3.connect("file:%s?mode=ro" % DB, uri=True, timeout=30)
    try:
        return c.execute(query, params).fetchall()
    finally:
        c.close()


def recorded(text, score):
    """The receipt's text lists an answer `score` (on a line of its own, indented)."""
    return re.search(r"^ {6}%d\s*$" % score, text, re.M) is not None


def click(q, question, score, at):
    """Ann clicks the link of `question: score` in questionnaire mail q and presses Send."""
    for i, href in enumerate(q.mailto_links):
        body = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query).get("body", [""])[0]
        if body == "%d: %d" % (question, score):
            raw = clients.mailto_reply(q, i, "ann@example.nl", NAME["ann@example.nl"], client="gmail", at=at)
            IMAP.deliver(raw)
            return True
    return False


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
                    "[outgoing]\ntransport = smtp\nurl = %s\nstarttls = no\nper_recipient_daily_cap = 40\n"
                    "[incoming]\nmailbox = imap\nurl = %s\nstarttls = no\nusername = fb\npassword_file = %s\n"
                    "idle = no\npoll_interval = 600s\n" % (DB, SMTP.url(), IMAP.url(), pw))

        NOW = "2027-01-01T12:00"
        ok = ctl("program", "create", "Pilot", "--start", "2027-01-04", now=NOW).returncode == 0
        ok &= ctl("team", "add", "Pilot", "Blauw", now=NOW).returncode == 0
        for name, addr in TEAM:
            ok &= ctl("member", "add", "Blauw", name, addr, now=NOW).returncode == 0
        t.ok(ok, "a programme with a team of three is set up")

        t.ok(daemon("2027-01-04T09:00"), "the daemon sends the baseline questionnaire")
        q_ann = ([m for m in mails("ann@example.nl", "questionnaire")] or [None])[0]
        t.ok(q_ann is not None and len(q_ann.mailto_links) >= 66, "Ann has it, with its score links")

        # --- four clicks within three minutes: one receipt ------------------------------------
        for minute, (question, score) in enumerate(((1, 7), (2, 8), (3, 6), (4, 9))):
            now = "2027-01-04T10:0%d" % minute
            t.ok(click(q_ann, question, score, now), "Ann clicks %d: %d at %s" % (question, score, now[-5:]))
            t.ok(daemon(now), "the daemon reads the click at %s" % now[-5:])
        t.ok(answers("ann@example.nl") == {1: 7, 2: 8, 3: 6, 4: 9}, "each click is stored at once",
             answers("ann@example.nl"))
        t.ok(mails("ann@example.nl", "answers_received") == [], "no receipt while she clicks")
        t.ok(daemon("2027-01-04T10:07"), "the daemon at 10:07")
        t.ok(mails("ann@example.nl", "answers_received") == [], "still none four minutes after her last click")
        t.ok(daemon("2027-01-04T10:08"), "the daemon at 10:08")
        got = mails("ann@example.nl", "answers_received")
        t.ok(len(got) == 1, "exactly one receipt for the four clicks", len(got))
        r1 = got[0] if got else None
        text = r1.text if r1 else ""
        t.ok(all(recorded(text, s) for s in (7, 8, 6, 9)), "it lists the four answers recorded", text)
        t.ok("De 4 cijfers die je de afgelopen minuten hebt aangeklikt" in text, "and says they are together")
        t.ok("Nog open" in text and "  5. " in text, "and what is still open", text)
        links = r1.mailto_links if r1 else []
        bodies = [urllib.parse.parse_qs(urllib.parse.urlsplit(h).query).get("body", [""])[0] for h in links]
        t.ok("5: 7" in bodies and "1: 7" not in bodies, "with score links for the open questions only", bodies[:3])

        # --- a click ten minutes later: a second receipt, sent by a daemon left running --------
        t.ok(click(q_ann, 5, 5, "2027-01-04T10:13"), "Ann clicks 5: 5 ten minutes later")
        t.ok(daemon("2027-01-04T10:13"), "the daemon reads it")
        t.ok(len(mails("ann@example.nl", "answers_received")) == 1, "its receipt waits")
        # Left running at 10:17:55 (simulated, advancing with the real clock), poll interval ten
        # minutes: it must wake at 10:18 for the receipt by itself.
        log = open(os.path.join(tmp, "d.log"), "w")
        d = subprocess.Popen([FBD, "-c", CONF, "--now", "2027-01-04T10:17:55", "--log-level", "debug"],
                             stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 25
        while time.time() < deadline and len(mails("ann@example.nl", "answers_received")) < 2:
            time.sleep(0.2)
        d.terminate()
        d.wait(10)
        log.close()
        got = mails("ann@example.nl", "answers_received")
        t.ok(len(got) == 2, "the running daemon wakes and sends the second receipt within seconds", len(got))
        t.ok(len(got) == 2 and recorded(got[1].text, 5) and recorded(got[1].text, 7) and
             "cijfers die je de afgelopen minuten" not in got[1].text,
             "it lists all five answers (one click: no word about several)", got[-1].text if got else "")

        # --- a correction reaches the colleague -----------------------------------------------
        NOW = "2027-01-05T10:00"
        IMAP.deliver(("From: Bob Bakker <bob@example.nl>\r\nTo: feedback@feedbackd.test\r\n"
                      "Message-ID: <give1@example.nl>\r\nDate: Tue, 5 Jan 2027 09:55:00 +0100\r\n"
                      "Subject: Feedback\r\n\r\nFeedback voor: Ann\r\nBevestiging: je opening was helder.\r\n"
                      "Kritiek: de conclusie ontbrak.\r\n").encode())
        t.ok(daemon(NOW), "Bob gives Ann feedback")
        first = mails("ann@example.nl", "feedback_received")
        t.ok(len(first) == 1 and "de conclusie ontbrak" in first[0].text, "Ann's mailbox has it")
        rec = mails("bob@example.nl", "feedback_receipt")
        t.ok(len(rec) == 1, "Bob has his receipt")
        if rec:
            IMAP.deliver(clients.reply(rec[0], "bob@example.nl", NAME["bob@example.nl"],
                                       "Kritiek: de conclusie was te kort; sluit af met je advies.",
                                       client="gmail", at="2027-01-05T10:55"))
        t.ok(daemon("2027-01-05T11:00"), "Bob corrects it by replying to his receipt")
        corr = mails("ann@example.nl", "feedback_corrected")
        c = corr[0] if corr else None
        t.ok(len(corr) == 1 and c.subject.startswith("Gecorrigeerde feedback van Bob Bakker"),
             "Ann's mailbox has the corrected feedback", [m.subject for m in corr])
        t.ok(c is not None and "Deze versie vervangt de eerdere" in c.text and
             "de conclusie was te kort; sluit af met je advies" in c.text and "je opening was helder" in c.text
             and "de conclusie ontbrak" not in c.text, "with the new text, replacing the earlier one",
             c and c.text)
        t.ok(len(mails("ann@example.nl", "feedback_received")) == 1, "and no second first version")
        rec = mails("bob@example.nl", "feedback_receipt")
        t.ok(len(rec) == 2 and "Ann Smit had je feedback al gekregen en krijgt nu deze gecorrigeerde versie"
             in rec[-1].text, "Bob's receipt says Ann got the corrected version", rec[-1].text if rec else "")
t.finish()
