#!/usr/bin/python3
"""One measurement (the baseline) end to end over real servers on loopback: feedbackd sends
through aiosmtpd (every member's mail lands in one Maildir the test reads, as the members' mail
programs would) and reads its programme mailbox from Dovecot over IMAP.

A team of five gets the baseline questionnaire. Ann answers from Outlook (HTML only, top-posted,
quoted-printable, the questionnaire quoted below with its example lines); Bob from Gmail
(multipart/alternative, the questionnaire quoted below "Op ... schreef ...:"); Cat from her
iPhone (format=flowed, base64, "Verzonden vanaf mijn iPhone") with three answers first and the
rest later, in reply to her reminder; Dan clicks two score links in the HTML part (the reply is
built exactly from the link's href: to, subject and body, as a mail program sends it on Send) and
gets one receipt for both, five minutes later;
Eva never answers. Reminders go to the incomplete only, the Sunday one on Monday; `measurement
status --json` has the exact figures; a daemon restarted at the same --now, or run at a past
--now, sends no questionnaire or reminder twice (counted in aiosmtpd's deliveries)."""
import glob
import os
import re
import subprocess
import sys
import tempfile
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
TEAM = [("Ann Smit", "ann@example.nl"), ("Bob de Boer", "bob@example.nl"), ("Cat Visser", "cat@example.nl"),
        ("Dan Mulder", "dan@example.nl"), ("Eva de Groot", "eva@example.nl")]
NAME = dict((a, n) for n, a in TEAM)


def run(*args, now):
    p = subprocess.run(list(args[:1]) + ["-c", CONF, "--now", now] + list(args[1:]),
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        print("# %s exited %d: %s" % (" ".join(args), p.returncode, p.stderr.strip()[-1500:]))
    return p


def daemon(now):
    return run(FBD, "--once", "--log-level", "info", now=now).returncode == 0


def ctl(*args, now="2027-01-04T12:00"):
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


def one(to, kind):
    got = mails(to, kind)
    return got[-1] if got else None


def accepted():
    """Messages aiosmtpd accepted so far."""
    return SMTP.log_text().count("ACCEPTED")


def answers(addr):
    """The current answers of addr's baseline questionnaire: {question: score or text}."""
    rows = sql("SELECT a.question, a.score, a.text FROM answer a JOIN questionnaire q ON q.id = a.questionnaire_id "
               "JOIN member_address ma ON ma.member_id = q.member_id AND ma.is_primary = 1 "
               "WHERE ma.address = ? AND a.superseded = 0 ORDER BY a.question",
               addr)
    return {q: (s if s is not None else txt) for q, s, txt in rows}


def sql(query, *params):
    import sqlite3
    c = sqlite3.connect("file:%s?mode=ro" % DB, uri=True, timeout=30)
    try:
        return c.execute(query, params).fetchall()
    finally:
        c.close()


def score_link(mail, question, score):
    """The index of the mailto: link in mail's HTML that answers question with score, and the link."""
    for i, href in enumerate(mail.mailto_links):
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)
        if q.get("body", [""])[0] == "%d: %d" % (question, score):
            return i, href
    return None, None


def status():
    p = ctl("--json", "measurement", "status", "Pilot", "--team", "Blauw", now=NOW)
    if p.returncode != 0:
        return None
    import json
    return json.loads(p.stdout)["measurements"][0]


ANN = "1: 8\n2: 7\n3: 6\n4: 5\n5: 4\n6: 3\n7: elkaar vaker aanspreken\n8: we leren sneller\n9: feedback als gewoonte"
BOB = ("Hoi,\n\n1: 6\n2: 5\n3: 9\n4: 7\n5: 8\n6: 6\n7: vragen stellen\n8: het maakt ons werk beter\n"
       "9: dat iedereen elke week feedback vraagt\n\nGroet,\nBob")
CAT1 = "1: 9\n2: 8\n3: 7"
CAT2 = "4: 6\n5: 5\n6: 4\n7: luisteren\n8: door het te oefenen\n9: een open team"

with tempfile.TemporaryDirectory() as tmp:
    PEOPLE = os.path.join(tmp, "people")
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(PEOPLE, sub))
    DB = os.path.join(tmp, "fb.db")
    with Dovecot(tmp) as imap, AioSmtpd(tmp, deliver_to_maildir=PEOPLE) as SMTP:
        imap.make_maildir()
        pw = os.path.join(tmp, "imap.pw")
        with open(pw, "w") as f:
            f.write("secret\n")
        os.chmod(pw, 0o600)
        CONF = os.path.join(tmp, "feedbackd.conf")
        with open(CONF, "w") as f:
            f.write("[feedbackd]\ndatabase = %s\ndomain = feedbackd.test\nfrom_address = feedback@feedbackd.test\n"
                    "[outgoing]\ntransport = smtp\nurl = %s\nstarttls = no\n"
                    "[incoming]\nmailbox = imap\nurl = %s\nstarttls = no\nusername = fb\npassword_file = %s\n"
                    "idle = no\n" % (DB, SMTP.url(), imap.url(), pw))

        NOW = "2027-01-01T12:00"
        ok = ctl("program", "create", "Pilot", "--start", "2027-01-04", now=NOW).returncode == 0
        ok &= ctl("team", "add", "Pilot", "Blauw", now=NOW).returncode == 0
        for name, addr in TEAM:
            ok &= ctl("member", "add", "Blauw", name, addr, now=NOW).returncode == 0
        t.ok(ok, "a programme with a team of five is set up")

        # --- Monday 09:00: the baseline questionnaire ---------------------------------------
        NOW = "2027-01-04T09:00"
        t.ok(daemon(NOW), "the daemon runs at the baseline moment")
        qs = {m.rcpt: m for m in mails(kind="questionnaire")}
        t.ok(sorted(qs) == sorted(a for _, a in TEAM), "every member got the questionnaire once", sorted(qs))
        q_ann = qs.get("ann@example.nl")
        t.ok(q_ann is not None and q_ann.token and "[#%s]" % q_ann.token in q_ann.subject,
             "it carries the reply token in Reply-To and subject", q_ann and q_ann.subject)
        t.ok(q_ann is not None and "  9. Wat is het gewenste eindresultaat" in q_ann.text and
             "  1: 7" in q_ann.text, "the text part lists the questions and an example answer")
        t.ok(all(len(m.mailto_links) >= 66 for m in qs.values()),
             "the HTML part has a score link for every score of the six scale questions",
             [len(m.mailto_links) for m in qs.values()])

        # --- Monday 10:00: Outlook, Gmail, iPhone (partial) and two score-link clicks -------
        NOW = "2027-01-04T10:00"
        ann_reply = clients.reply(q_ann, "ann@example.nl", NAME["ann@example.nl"], ANN, client="outlook",
                                  at="2027-01-04T09:50")
        imap.deliver(ann_reply)
        imap.deliver(clients.reply(qs["bob@example.nl"], "bob@example.nl", NAME["bob@example.nl"], BOB,
                                   client="gmail", at="2027-01-04T09:51"))
        cat1 = clients.reply(qs["cat@example.nl"], "cat@example.nl", NAME["cat@example.nl"], CAT1,
                             client="iphone", at="2027-01-04T09:52")
        imap.deliver(cat1)
        q_dan = qs["dan@example.nl"]
        clicks = []
        for question, score in ((1, 7), (2, 10)):
            i, href = score_link(q_dan, question, score)
            t.ok(i is not None, "Dan's questionnaire has a link for %d: %d" % (question, score))
            u = urllib.parse.urlsplit(href or "mailto:")
            q = urllib.parse.parse_qs(u.query)
            t.ok(urllib.parse.unquote(u.path) == q_dan.reply_to and
                 q.get("subject", [""])[0].endswith("[#%s]" % q_dan.token),
                 "the link answers to the token address with the token in the subject", href)
            raw = clients.mailto_reply(q_dan, i, "dan@example.nl", NAME["dan@example.nl"], client="gmail",
                                       at="2027-01-04T09:5%d" % (3 + question))
            clicks.append(raw)
            imap.deliver(raw)
        t.ok(b"In-Reply-To" not in clicks[0] and b"1: 7" in clicks[0],
             "a click sends a new message (no In-Reply-To) with exactly the pre-filled body")
        t.ok(daemon(NOW), "the daemon reads the five replies")

        t.ok(answers("ann@example.nl") == {1: 8, 2: 7, 3: 6, 4: 5, 5: 4, 6: 3, 7: "elkaar vaker aanspreken",
                                           8: "we leren sneller", 9: "feedback als gewoonte"},
             "Ann's Outlook answers are stored exactly (the quoted example lines are not)",
             answers("ann@example.nl"))
        t.ok(answers("bob@example.nl") == {1: 6, 2: 5, 3: 9, 4: 7, 5: 8, 6: 6, 7: "vragen stellen",
                                           8: "het maakt ons werk beter",
                                           9: "dat iedereen elke week feedback vraagt"},
             "Bob's Gmail answers are stored exactly (greeting, closing and the quote are not)",
             answers("bob@example.nl"))
        t.ok(answers("cat@example.nl") == {1: 9, 2: 8, 3: 7}, "Cat's partial iPhone answers are stored",
             answers("cat@example.nl"))
        t.ok(answers("dan@example.nl") == {1: 7, 2: 10}, "Dan's two clicks are stored", answers("dan@example.nl"))
        t.ok(answers("eva@example.nl") == {}, "Eva has no answers")

        r_ann = one("ann@example.nl", "answers_received")
        t.ok(r_ann is not None and "Je hebt alle vragen beantwoord." in r_ann.text and "Nog open" not in r_ann.text,
             "Ann's receipt says she answered everything", r_ann and r_ann.text)
        ann_id = re.search(rb"^Message-ID: (<[^>]+>)", ann_reply, re.M).group(1).decode()
        t.ok(r_ann is not None and str(r_ann.msg["In-Reply-To"]).strip() == ann_id,
             "and is threaded to her reply", r_ann and (r_ann.msg["In-Reply-To"], ann_id))
        r_cat = one("cat@example.nl", "answers_received")
        open_cat = re.findall(r"^  (\d)\. ", r_cat.text.split("Nog open")[1], re.M) if r_cat and "Nog open" in r_cat.text \
            else []
        t.ok(open_cat == ["4", "5", "6", "7", "8", "9"], "Cat's receipt lists what is still open", r_cat and r_cat.text)
        t.ok(len(mails("dan@example.nl", "answers_received")) == 0,
             "Dan's clicks are recorded, their receipt waits for more clicks")
        t.ok(daemon("2027-01-04T10:05"), "the daemon runs five minutes later")
        r_dan = mails("dan@example.nl", "answers_received")
        t.ok(len(r_dan) == 1 and "De 2 cijfers" in r_dan[0].text and "      10" in r_dan[0].text,
             "one receipt for Dan's two clicks, listing both", [m.text for m in r_dan])
        inbox = sql("SELECT state, count(*) FROM inbox GROUP BY state")
        t.ok(inbox == [("applied", 5)], "five messages applied, none pending or quarantined", inbox)

        # --- Thursday 09:00: the first reminder -------------------------------------------
        NOW = "2027-01-07T09:00"
        t.ok(daemon(NOW), "the daemon runs at the first reminder moment")
        rem = sorted(m.rcpt for m in mails(kind="questionnaire_reminder"))
        t.ok(rem == ["cat@example.nl", "dan@example.nl", "eva@example.nl"],
             "reminders go to Cat and Dan (partial) and Eva (nothing), not to Ann and Bob", rem)
        rc = one("cat@example.nl", "questionnaire_reminder")
        t.ok(rc is not None and "  4. " in rc.text and "  1. " not in rc.text,
             "Cat's reminder lists only her open questions", rc and rc.text)

        # Cat completes from her iPhone, in reply to the reminder.
        NOW = "2027-01-07T12:00"
        imap.deliver(clients.reply(rc, "cat@example.nl", NAME["cat@example.nl"], CAT2, client="iphone",
                                   at="2027-01-07T11:40"))
        t.ok(daemon(NOW), "the daemon reads Cat's completion")
        t.ok(answers("cat@example.nl") == {1: 9, 2: 8, 3: 7, 4: 6, 5: 5, 6: 4, 7: "luisteren",
                                           8: "door het te oefenen", 9: "een open team"},
             "Cat's answers are complete", answers("cat@example.nl"))
        r_cat = one("cat@example.nl", "answers_received")
        t.ok(r_cat is not None and "Je hebt alle vragen beantwoord." in r_cat.text, "and her receipt says so")

        # --- Sunday: the second reminder waits for Monday 09:00 ----------------------------
        NOW = "2027-01-10T09:00"
        t.ok(daemon(NOW), "the daemon runs at the second reminder moment, a Sunday")
        t.ok(len(mails(kind="questionnaire_reminder")) == 3, "nothing is sent on a Sunday")
        NOW = "2027-01-11T09:00"
        t.ok(daemon(NOW), "the daemon runs on Monday 09:00")
        rem_all = sorted(m.rcpt for m in mails(kind="questionnaire_reminder"))
        t.ok(rem_all == ["cat@example.nl", "dan@example.nl", "dan@example.nl", "eva@example.nl", "eva@example.nl"],
             "the second reminder goes to Dan and Eva only, on Monday", rem_all)
        t.ok(all(m.date.hour == 9 and m.date.utcoffset().total_seconds() == 3600
                 for m in mails(kind="questionnaire_reminder")),
             "every reminder is dated 09:00 local time (+01:00)",
             [str(m.date) for m in mails(kind="questionnaire_reminder")])

        # --- the figures -------------------------------------------------------------------
        st = status()
        t.ok(st is not None and (st["sent"], st["complete"], st["partial"], st["missing"]) == (5, 3, 1, 1),
             "status: 5 sent, 3 complete, 1 partial, 1 missing", st)
        t.ok(st is not None and abs(st["response_rate"] - 0.8) < 1e-9 and st["open"] is True and
             st["opened"] == "2027-01-04" and st["closes"] == "2027-01-18", "response rate 0.8, open to 2027-01-18 (14 days)",
             st and {k: st[k] for k in ("response_rate", "open", "opened", "closes")})
        qv = {q["question"]: q for q in (st or {}).get("questions", [])}
        q1, q3 = qv.get(1, {}), qv.get(3, {})
        t.ok(q1.get("answers") == 4 and q1.get("average") == 7.5 and q1.get("median") == 7.5 and
             q1.get("distribution") == [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0],
             "question 1: four answers (6, 7, 8, 9), average and median 7.5", q1)
        t.ok(qv.get(2, {}).get("answers") == 4 and qv.get(2, {}).get("average") == 7.5 and
             qv.get(2, {}).get("distribution", [None] * 11)[10] == 1, "question 2 counts Dan's 10", qv.get(2))
        t.ok(q3.get("answers") == 3 and abs(q3.get("average", 0) - 22 / 3) < 1e-9 and q3.get("median") == 7.0,
             "question 3: three answers (6, 9, 7), median 7", q3)
        t.ok(sorted(qv) == [1, 2, 3, 4, 5, 6], "only the six scale questions are summarised", sorted(qv))

        # --- restarts: nothing twice ---------------------------------------------------------
        before = accepted()
        nq, nr = len(mails(kind="questionnaire")), len(mails(kind="questionnaire_reminder"))
        t.ok(daemon("2027-01-11T09:00") and daemon("2027-01-11T09:00"),
             "the daemon is restarted twice at the same --now")
        for past in ("2027-01-04T09:00", "2027-01-07T09:00", "2027-01-10T09:00"):
            daemon(past)
        t.ok(accepted() == before, "aiosmtpd accepted nothing more (restarts and past --now)",
             (before, accepted()))
        t.ok((len(mails(kind="questionnaire")), len(mails(kind="questionnaire_reminder"))) == (nq, nr) == (5, 5),
             "still five questionnaires and five reminders delivered", (nq, nr))
        t.ok(status() == st, "and the status is unchanged")
t.finish()
