#!/usr/bin/python3
"""feedbackd --once --dry-run against real servers: Dovecot (IMAP, with a processed folder
configured) and aiosmtpd. The dry run lists what the pass would send and apply and changes
nothing: the database file is byte-identical, the IMAP mailbox has the same folders and the
same messages with the same flags (no \\Seen, nothing moved, no processed folder created),
and the SMTP server saw no message. The real pass that follows sends exactly the mail
listed and moves the replies it read."""
import email
import hashlib
import imaplib
import os
import re
import subprocess
import sys
import tempfile
from email import policy

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers import AioSmtpd, Dovecot, Feedbackd, Tap  # noqa: E402

t = Tap()
T0 = "2027-01-04T09:00"
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")


def md5(path):
    with open(path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


def imap_state(imap, user="fb"):
    """Folders, and per folder each message's UID and flags (read-only, BODY.PEEK)."""
    c = imaplib.IMAP4("127.0.0.1", imap.port)
    try:
        c.login(user, "secret")
        typ, boxes = c.list()
        names = sorted(b.decode().rsplit(' ', 1)[-1].strip('"') for b in boxes)
        state = {}
        for n in names:
            c.select(n, readonly=True)
            typ, data = c.uid("FETCH", "1:*", "(UID FLAGS)")
            state[n] = sorted(d.decode() for d in data if d)
        return names, state
    finally:
        c.logout()


def reply(frm, subject, body, mid):
    return ("From: %s\r\nTo: feedback@feedbackd.test\r\nSubject: %s\r\nMessage-ID: <%s>\r\n"
            "Date: Mon, 04 Jan 2027 08:30:00 +0100\r\n\r\n%s\r\n" % (frm, subject, mid, body)).encode()


with tempfile.TemporaryDirectory() as tmp:
    with Dovecot(tmp, users={"fb": "secret"}) as imap:
        md = os.path.join(tmp, "delivered")
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(md, sub))
        with AioSmtpd(tmp, deliver_to_maildir=md) as smtp:
            fb = Feedbackd(tmp, {
                "outgoing": {"transport": "smtp", "url": smtp.url(), "starttls": "no"},
                "incoming": {"mailbox": "imap", "url": imap.url(), "starttls": "no", "username": "fb",
                             "password": "secret", "processed_folder": "Processed", "idle": "no"},
            })
            fb.ctl("program", "create", "Pilot", "--start", "2027-01-04", "--force", now=T0)
            fb.ctl("team", "add", "Pilot", "Sales", now=T0)
            fb.ctl("member", "import", "Sales", os.path.join(DATA, "team-sales.csv"), now=T0)
            imap.make_maildir("fb")
            imap.deliver(reply("Noor Vos <noor.vos@example.nl>", "feedback voor Jan",
                               "Feedback voor: Jan de Vries\r\nBevestiging: helder verhaal.\r\n"
                               "Kritiek: de cijfers kwamen laat.\r\nConstructief: begin ermee.", "n1@example.nl"))
            imap.deliver(reply("x@elsewhere.example", "hello", "who are you?", "x1@elsewhere.example"))
            folders0, state0 = imap_state(imap)
            db0 = md5(fb.db)

            p = subprocess.run(fb._cmd(T0, True) + ["--dry-run"], capture_output=True, text=True, timeout=300)
            listing = p.stdout
            t.ok(p.returncode == 0, "the dry run ends well", p.stderr[-1500:])
            t.ok(md5(fb.db) == db0, "the database file is byte-identical after it")
            folders1, state1 = imap_state(imap)
            t.ok(folders1 == folders0 and "Processed" not in folders1,
                 "no IMAP folder was created (no processed folder)", folders1)
            t.ok(state1 == state0, "every message is where it was, with the same flags (no \\Seen)",
                 "%s -> %s" % (state0, state1))
            t.ok("ACCEPTED" not in smtp.log_text() and not os.listdir(os.path.join(md, "new")),
                 "the SMTP server received nothing", smtp.log_text()[-500:])
            t.ok(re.search(r"inbox \d+, read now, from noor.vos@example.nl: feedback voor Jan\n"
                           r"    -> applied \(new\): feedback from Noor Vos to Jan de Vries", listing),
                 "the listing says Noor's reply would be applied", listing[:800])
            t.ok(re.search(r"-> quarantined \(new\): from x@elsewhere.example", listing),
                 "... and the stranger's quarantined")
            listed = sorted(re.sub(r" \[#[a-z0-9]+\]", "", l[len("  to "):]).replace("  (queued before)", "")
                            for l in listing.split("Mail that would go now")[1].split("Mail queued for later")[0]
                            .splitlines() if l.startswith("  to "))
            t.ok(len(listed) > 12, "it lists the nudges, questionnaires and answers (%d mails)" % len(listed))

            rc = fb.once(T0)
            sent = sorted("%s  %s  %s" % (r, k, re.sub(r" \[#[a-z0-9]+\]", "", s or ""))
                          for r, k, s in fb.sql("SELECT recipient, kind, subject FROM outbox WHERE state = 'sent'"))
            t.ok(rc == 0 and sent == listed, "the real pass sends exactly the mail listed (%d)" % len(sent),
                 "listed-only %s; sent-only %s" % (sorted(set(listed) - set(sent))[:5], sorted(set(sent) - set(listed))[:5]))
            got = len(os.listdir(os.path.join(md, "new")))
            t.ok(got == len(sent), "... through the SMTP server (%d delivered)" % got)
            states = dict(fb.sql("SELECT sender, state FROM inbox"))
            t.ok(states == {"noor.vos@example.nl": "applied", "x@elsewhere.example": "quarantined"},
                 "... and makes of each reply what the listing said", states)
            folders2, state2 = imap_state(imap)
            t.ok("Processed" in folders2 and len(state2.get("Processed", [])) == 2,
                 "... and moves the replies it read to the processed folder", state2)
t.finish()
