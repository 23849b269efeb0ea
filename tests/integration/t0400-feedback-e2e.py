#!/usr/bin/python3
"""The feedback flow end to end over real servers on loopback: feedbackd sends through aiosmtpd
(every member's mail lands in one Maildir the test reads, as the members' mail programs would)
and reads its programme mailbox from Dovecot over IMAP. A team of five: Anna asks Jeroen and
Piet for feedback by replying to her nudge (Gmail); Jeroen answers from Outlook (HTML only,
top-posted, Dutch header block, QP-encoded UTF-8 name), Piet from Apple Mail (type=cite,
format=flowed text part); Eva's out-of-office and Bram's empty reply, a stranger answering
Piet's request, and a repeated delivery. The counts in `feedbackctl status` must be exact and
nothing may be counted twice across restarts of the daemon."""
import email
import glob
import json
import os
import quopri
import subprocess
import sys
import tempfile
from email import policy

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers import BUILD, AioSmtpd, Dovecot, Tap  # noqa: E402

t = Tap()
FBD = os.path.join(BUILD, "feedbackd")
FBCTL = os.path.join(BUILD, "feedbackctl")

TEAM = [("Anna Bakker", "anna@example.nl"), ("Jeroen Mëijer", "jeroen@example.nl"),
        ("Piet Jansen", "piet@example.nl"), ("Eva de Groot", "eva@example.nl"),
        ("Bram Bos", "bram@example.nl")]


def run(*args, now):
    p = subprocess.run(list(args[:1]) + ["-c", CONF, "--now", now] + list(args[1:]),
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        print("# %s exited %d: %s" % (" ".join(args), p.returncode, p.stderr.strip()))
    return p


def daemon(now):
    p = run(FBD, "--once", "--log-level", "info", now=now)
    LOG.append(p.stderr)
    return p.returncode == 0


def ctl(*args, now="2027-01-05T12:00"):
    return run(FBCTL, *args, now=now)


def mails(to=None, kind=None):
    """Messages delivered to members, oldest first, as email.message.EmailMessage."""
    out = []
    for f in sorted(glob.glob(os.path.join(PEOPLE, "new", "*")) + glob.glob(os.path.join(PEOPLE, "cur", "*")),
                    key=os.path.getmtime):
        with open(f, "rb") as fh:
            m = email.message_from_bytes(fh.read(), policy=policy.default)
        if to and to not in str(m["To"]):
            continue
        if kind and m["X-Feedbackd-Kind"] != kind:
            continue
        out.append(m)
    return out


def text_of(m):
    return m.get_body(("plain",)).get_content()


def reply_headers(m, frm, subject_prefix="Re: "):
    return ("From: %s\r\nTo: %s\r\nSubject: %s%s\r\nDate: Mon, 04 Jan 2027 10:30:00 +0100\r\n"
            "In-Reply-To: %s\r\nReferences: %s\r\nMIME-Version: 1.0\r\n"
            % (frm, m["Reply-To"], subject_prefix, m["Subject"], m["Message-ID"], m["Message-ID"]))


def gmail_ask(nudge):
    return (reply_headers(nudge, "Anna Bakker <anna@example.nl>") +
            "Message-ID: <CAK=anna1@mail.gmail.com>\r\n"
            "Content-Type: text/plain; charset=\"UTF-8\"\r\n\r\n"
            "Vraag feedback aan: Jeroen Meijer, piet@example.nl\r\n"
            "Over: mijn presentatie in het teamoverleg\r\n\r\nGroetjes,\r\nAnna\r\n\r\n"
            "Op ma 4 jan. 2027 om 09:00 schreef Feedback <feedback@example.org>:\r\n\r\n"
            "> Hallo Anna Bakker,\r\n>\r\n> Vraag feedback aan: Jeroen Mëijer\r\n"
            "> Over: waar je feedback op wilt\r\n").encode()


def outlook_give(request):
    html = ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head>"
            "<body><div>Bevestiging: je opening was helder en de dia&#39;s waren rustig.</div>"
            "<div>Kritiek: de conclusie kwam niet goed uit de verf.</div>"
            "<div>Constructief: sluit af met één zin die je boodschap samenvat.</div><div><br></div>"
            "<div>Met vriendelijke groet,<br>Jeroen</div>"
            "<div id=\"appendonsend\"></div><hr style=\"display:inline-block;width:98%\">"
            "<div id=\"divRplyFwdMsg\"><font face=\"Calibri\"><b>Van:</b> Feedback &lt;feedback@example.org&gt;"
            "<br><b>Verzonden:</b> maandag 4 januari 2027 10:00<br><b>Aan:</b> Jeroen Mëijer "
            "&lt;jeroen@example.nl&gt;<br><b>Onderwerp:</b> Anna Bakker vraagt je om feedback</font></div>"
            "<div>Hallo Jeroen Mëijer,<br>Bevestiging: wat gaat goed, en wil je vaker zien?<br>"
            "Kritiek: wat ontbreekt, of is nog niet zichtbaar genoeg?</div></body></html>")
    qp = quopri.encodestring(html.encode("utf-8")).decode("ascii").replace("\n", "\r\n")
    return (reply_headers(request, "=?utf-8?q?Jeroen_M=C3=ABijer?= <jeroen@example.nl>", "RE: ") +
            "Message-ID: <AM0PR1@eurprd.outlook.com>\r\nThread-Topic: feedback\r\n"
            "Content-Type: text/html; charset=\"utf-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            + qp + "\r\n").encode()


def apple_give(request):
    b = "Apple-Mail=_B0D1E5"
    plain = ("Bevestiging: je stelde goede vragen aan het eind. \r\nDat wil ik vaker zien.\r\n"
             "Kritiek: de planning-dia was te vol.\r\n\r\nPiet\r\n\r\n"
             "> Op 4 jan. 2027, om 10:00 heeft Feedback <feedback@example.org> het volgende geschreven:\r\n"
             "> \r\n> Hallo Piet Jansen,\r\n> Constructief: welke suggestie helpt Anna Bakker verder?\r\n")
    html = ("<html><body><div>Bevestiging: je stelde goede vragen aan het eind. Dat wil ik vaker zien.</div>"
            "<div>Kritiek: de planning-dia was te vol.</div><div><br></div><div>Piet</div>"
            "<div><br><blockquote type=\"cite\"><div>Op 4 jan. 2027, om 10:00 heeft Feedback het volgende "
            "geschreven:</div><div>Constructief: welke suggestie helpt Anna Bakker verder?</div></blockquote></div>"
            "</body></html>")
    return (reply_headers(request, "Piet Jansen <piet@example.nl>") +
            "Message-ID: <7F1C@piet.example.nl>\r\nContent-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n"
            "--%s\r\nContent-Transfer-Encoding: 8bit\r\nContent-Type: text/plain; charset=utf-8; format=flowed\r\n\r\n%s\r\n"
            "--%s\r\nContent-Transfer-Encoding: 8bit\r\nContent-Type: text/html; charset=utf-8\r\n\r\n%s\r\n--%s--\r\n"
            % (b, b, plain, b, html, b)).encode()


def out_of_office(nudge):
    return (reply_headers(nudge, "Eva de Groot <eva@example.nl>", "Automatisch antwoord: ") +
            "Message-ID: <ooo-eva@example.nl>\r\nAuto-Submitted: auto-replied\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            "Ik ben afwezig tot en met 15 januari 2027 en lees mijn mail niet.\r\n").encode()


def empty_reply(nudge):
    return (reply_headers(nudge, "Bram Bos <bram@example.nl>") + "Message-ID: <bram1@example.nl>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nPrima, ik kijk er naar!\r\n\r\nBram\r\n").encode()


def stranger(request):
    return (reply_headers(request, "Mallory <mallory@example.com>") + "Message-ID: <m1@example.com>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nKritiek: alles was slecht.\r\n").encode()


def status():
    p = ctl("status", "Blauw", "--json")
    return {m["name"]: m["total"] for m in json.loads(p.stdout)["members"]} if p.returncode == 0 else {}


with tempfile.TemporaryDirectory() as tmp:
    PEOPLE = os.path.join(tmp, "people")
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(PEOPLE, sub))
    LOG = []
    with Dovecot(tmp) as imap, AioSmtpd(tmp, deliver_to_maildir=PEOPLE) as smtp:
        imap.make_maildir()
        pw = os.path.join(tmp, "imap.pw")
        with open(pw, "w") as f:
            f.write("secret\n")
        os.chmod(pw, 0o600)
        CONF = os.path.join(tmp, "feedbackd.conf")
        with open(CONF, "w") as f:
            f.write("[feedbackd]\ndatabase = %s/fb.db\ndomain = feedbackd.test\nfrom_address = feedback@feedbackd.test\n"
                    "[outgoing]\ntransport = smtp\nurl = %s\nstarttls = no\n"
                    "[incoming]\nmailbox = imap\nurl = %s\nstarttls = no\nusername = fb\npassword_file = %s\n"
                    "idle = no\n" % (tmp, smtp.url(), imap.url(), pw))

        ok = ctl("program", "create", "Pilot", "--start", "2027-01-04", now="2027-01-01T12:00").returncode == 0
        ok &= ctl("team", "add", "Pilot", "Blauw", now="2027-01-01T12:00").returncode == 0
        for name, addr in TEAM:
            ok &= ctl("member", "add", "Blauw", name, addr, now="2027-01-01T12:00").returncode == 0
        ok &= ctl("facilitator", "add", "Blauw", "fien@example.nl", "--name", "Fien Facilitator",
                  now="2027-01-01T12:00").returncode == 0
        t.ok(ok, "a programme with a team of five and a facilitator is set up")

        t.ok(daemon("2027-01-04T09:00"), "the daemon runs on Monday 09:00")
        nudges = mails(kind="nudge")
        t.ok(len(nudges) == 5, "every member got the week-1 nudge", len(nudges))
        nudge = {m["To"].addresses[0].addr_spec: m for m in nudges}
        t.ok(all("+" in str(m["Reply-To"]) and "[#" in str(m["Subject"]) for m in nudges),
             "nudges carry the reply token in Reply-To and subject")
        t.ok("0 keer om feedback gevraagd" in text_of(nudge["anna@example.nl"]), "the nudge shows the counts so far")

        imap.deliver(gmail_ask(nudge["anna@example.nl"]))
        t.ok(daemon("2027-01-04T10:00"), "the daemon reads Anna's reply")
        requests = mails(kind="request")
        t.ok(sorted(m["To"].addresses[0].addr_spec for m in requests) == ["jeroen@example.nl", "piet@example.nl"],
             "Jeroen (named without the umlaut) and Piet get a feedback request",
             [str(m["To"]) for m in requests])
        conf = mails(to="anna@example.nl", kind="request_sent")
        t.ok(len(conf) == 1 and "Jeroen Mëijer" in text_of(conf[0]) and "Piet Jansen" in text_of(conf[0]),
             "Anna gets a confirmation naming both")
        t.ok(conf and conf[0]["In-Reply-To"] == "<CAK=anna1@mail.gmail.com>", "the confirmation is threaded to her mail")
        req = {m["To"].addresses[0].addr_spec: m for m in requests}
        t.ok("mijn presentatie in het teamoverleg" in text_of(req["piet@example.nl"]), "the request names the topic")

        imap.deliver(outlook_give(req["jeroen@example.nl"]))
        imap.deliver(out_of_office(nudge["eva@example.nl"]))
        t.ok(daemon("2027-01-05T09:30"), "the daemon reads Jeroen's Outlook reply and Eva's out-of-office")
        # A restart mid-way: the same mail delivered again, and more passes of a fresh daemon.
        imap.deliver(outlook_give(req["jeroen@example.nl"]))
        t.ok(daemon("2027-01-05T09:35") and daemon("2027-01-05T09:40"), "restarted daemons run again")
        imap.deliver(apple_give(req["piet@example.nl"]))
        imap.deliver(empty_reply(nudge["bram@example.nl"]))
        imap.deliver(stranger(req["piet@example.nl"]))
        t.ok(daemon("2027-01-05T11:00"), "the daemon reads Piet's, Bram's and the stranger's mail")
        t.ok(daemon("2027-01-05T11:05"), "and runs once more")

        s = status()
        want = {"Anna Bakker": {"given": 0, "received": 2, "requested": 2},
                "Jeroen Mëijer": {"given": 1, "received": 0, "requested": 0},
                "Piet Jansen": {"given": 1, "received": 0, "requested": 0},
                "Eva de Groot": {"given": 0, "received": 0, "requested": 0},
                "Bram Bos": {"given": 0, "received": 0, "requested": 0}}
        t.ok(s == want, "status counts are exactly right", s)

        got = mails(to="anna@example.nl", kind="feedback_received")
        t.ok(len(got) == 2, "Anna received two feedback mails (the repeated delivery sent nothing)", len(got))
        by = {("Jeroen" in str(m["Subject"])): text_of(m) for m in got}
        jt, pt = by.get(True, ""), by.get(False, "")
        t.ok("de conclusie kwam niet goed uit de verf" in jt and "één zin die je boodschap samenvat" in jt,
             "Jeroen's feedback reached Anna", jt)
        t.ok("wil je vaker zien?" not in jt and "Onderwerp:" not in jt and "Verzonden:" not in jt,
             "without the quoted request or Outlook's header block", jt)
        t.ok("goede vragen aan het eind. Dat wil ik vaker zien." in pt and "planning-dia" in pt,
             "Piet's flowed lines were joined and reached Anna", pt)
        t.ok("\nPiet\n" not in pt.split("Kritiek:")[1].split("Wil je")[0], "his sign-off is not part of the critique", pt)
        t.ok("helpt Anna Bakker verder" not in pt and "het volgende geschreven" not in pt,
             "without Apple Mail's quote", pt)
        t.ok(any(m["From"].addresses[0].display_name == "Feedback" for m in got) and
             any("Jeroen Mëijer" in str(m["Subject"]) for m in got), "the QP-encoded name was decoded")
        t.ok(len(mails(to="jeroen@example.nl", kind="feedback_receipt")) == 1,
             "Jeroen got exactly one receipt")

        # Scheduled mail (nudge, the baseline questionnaire) still goes to Eva; no answer does.
        eva = [m for m in mails(to="eva@example.nl")
               if m["In-Reply-To"] == "<ooo-eva@example.nl>" or m["X-Feedbackd-Kind"] in ("unreadable", "who")]
        t.ok(not eva, "the out-of-office got no answer", [str(m["Subject"]) for m in eva])
        bram = mails(to="bram@example.nl", kind="unreadable")
        t.ok(len(bram) == 1 and "Vraag feedback aan:" in text_of(bram[0]), "Bram's empty reply got the form")
        t.ok(not mails(to="mallory@example.com"), "nothing was sent to the stranger")
        q = ctl("quarantine", "list", "--json")
        ql = json.loads(q.stdout) if q.returncode == 0 else []
        t.ok(len(ql) == 1 and ql[0]["from"] == "mallory@example.com" and "Piet Jansen" in ql[0]["reason"],
             "the stranger's reply is quarantined with the reason", ql)
        inbox = json.loads(ctl("inbox", "list", "--json").stdout)
        t.ok(len(inbox) == 6 and not [m for m in inbox if m["state"] == "pending"],
             "six messages kept (the repeat recognised), none pending", [(m["id"], m["state"]) for m in inbox])
        t.ok(not any("secret" in line for line in LOG), "the IMAP password never appears in the log")

        # The receiver reacts; the giver gets it once.
        jr = [m for m in got if "Jeroen" in str(m["Subject"])][0]
        imap.deliver((reply_headers(jr, "Anna Bakker <anna@example.nl>") + "Message-ID: <CAK=anna2@mail.gmail.com>\r\n"
                      "Content-Type: text/plain; charset=utf-8\r\n\r\nDank je Jeroen, ik oefen de afsluiting!\r\n"
                      "\r\nOp di 5 jan. 2027 om 09:30 schreef Feedback <feedback@example.org>:\r\n> Kritiek:\r\n").encode())
        t.ok(daemon("2027-01-05T12:00"), "the daemon reads Anna's reaction")
        th = mails(to="jeroen@example.nl", kind="reaction")
        t.ok(len(th) == 1 and "ik oefen de afsluiting" in text_of(th[0]) and "Kritiek:" not in text_of(th[0]),
             "Jeroen gets Anna's reaction, trimmed")
        t.ok(status() == want, "a reaction changes no count")

        # Monday of week 2, 08:00: the facilitator's weekly report about week 1.
        t.ok(daemon("2027-01-11T08:00"), "the daemon runs on Monday of week 2")
        rep = mails(to="fien@example.nl", kind="weekly_report")
        t.ok(len(rep) == 1, "the facilitator gets one weekly report", len(rep))
        rt = text_of(rep[0]) if rep else ""
        t.ok("Bram Bos" in rt and "Anna Bakker" in rt, "it names the members", rt)
        html = rep[0].get_body(("html",)).get_content() if rep else ""
        t.ok("<table" in html and "<html" in html and html.count("<html") == 1,
             "its HTML part is one document with tables")
        t.ok("je opening was helder" not in rt or "Jeroen" not in rt.split("je opening was helder")[0][-200:],
             "a rating sample, if shown, carries no giver's name")
        import re as _re
        ids = _re.findall(r"\bF(\d+)\b", rt)
        if ids:
            imap.deliver((reply_headers(rep[0], "Fien Facilitator <fien@example.nl>") +
                          "Message-ID: <fien1@example.nl>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                          "F%s: 4\r\n" % ids[0]).encode())
            t.ok(daemon("2027-01-11T10:00"), "the daemon reads the facilitator's rating")
            t.ok(len(mails(to="fien@example.nl", kind="ratings_received")) == 1, "the rating is confirmed")
            # Commands by reply: a reminder to Bram, Eva away for two weeks, one confirmation.
            imap.deliver((reply_headers(rep[0], "Fien Facilitator <fien@example.nl>") +
                          "Message-ID: <fien2@example.nl>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                          "Herinner: Bram\r\nAfwezig: Eva de Groot t/m 2027-01-24\r\n").encode())
            t.ok(daemon("2027-01-11T10:30"), "the daemon reads the facilitator's commands")
            conf = mails(to="fien@example.nl", kind="facilitator_confirmation")
            ct = text_of(conf[0]) if conf else ""
            t.ok(len(mails(to="bram@example.nl", kind="facilitator_reminder")) == 1 and len(conf) == 1 and
                 "Bram Bos" in ct and "Eva de Groot: maandag 11 januari t/m zondag 24 januari" in ct,
                 "Bram is reminded, Eva marked away, and the facilitator gets one confirmation", ct)
        else:
            t.ok(False, "the report shows rating samples (F-ids)", rt)
t.finish()
