#!/usr/bin/python3
"""Erase means gone, over IMAP: feedbackd reads its programme mailbox from a real Dovecot, once
with a processed_folder (read mail is moved there) and once without (read mail stays in INBOX,
flagged \\Seen). Xander asks and is asked, gives and gets feedback. After `feedbackctl member
erase`, no message file in the Dovecot mailbox (any folder) holds his name, address, his words
or words written to him, and the database holds none of it either; Anna's own unrelated mail
stays, and a later pass of the daemon reads nothing back."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from opslib import FBCTL, FBD, addr_of, gmail_reply, read_maildir  # noqa: E402
from servers import Dovecot, Tap  # noqa: E402

t = Tap()
TEAM = [("Anna Bakker", "anna@example.nl"), ("Xander Wisselink", "xander.w@example.nl"),
        ("Piet Jansen", "piet@example.nl")]
X_NAME, X_ADDR = TEAM[1]
BY_X = "de oranje giraffe sprak helder"
TO_X = "de paarse olifant in je planning"
X_TOPIC = "mijn kwartaalplanning met de zeehond"
PIET_OWN = "Piets eigen onderwerp de kraanvogel"
GONE = [X_NAME, X_ADDR, BY_X, TO_X, X_TOPIC]


def mail_files(root):
    """Every message file under a Dovecot Maildir tree (all folders), not its index files."""
    out = []
    for d, _dirs, files in os.walk(root):
        if os.path.basename(d) in ("cur", "new", "tmp"):
            out += [os.path.join(d, f) for f in files]
    return out


def hits(paths, texts):
    data = b""
    for p in paths:
        try:
            with open(p, "rb") as f:
                data += f.read()
        except FileNotFoundError:
            pass
    low = data.lower()
    return [x for x in texts if x.lower().encode() in low]


def scenario(processed):
    label = "processed_folder = %s" % (processed or "(none)")
    with tempfile.TemporaryDirectory(prefix="fb0991.") as tmp, Dovecot(tmp) as imap:
        imap.make_maildir()
        pw = os.path.join(tmp, "imap.pw")
        with open(pw, "w") as f:
            f.write("secret\n")
        os.chmod(pw, 0o600)
        sent = os.path.join(tmp, "sent")
        conf = os.path.join(tmp, "f.conf")
        db = os.path.join(tmp, "fb.db")
        with open(conf, "w") as f:
            f.write("[feedbackd]\ndatabase = %s\n[outgoing]\nmaildir = %s\n"
                    "[incoming]\nmailbox = imap\nurl = %s\nstarttls = no\nusername = fb\n"
                    "password_file = %s\nidle = no\nprocessed_folder = %s\n"
                    % (db, sent, imap.url(), pw, processed))

        def run(prog, *args, now):
            p = subprocess.run([prog, "-c", conf, "--now", now] + list(args), capture_output=True,
                               text=True, timeout=120)
            if p.returncode != 0:
                print("# %s %s: %s" % (os.path.basename(prog), " ".join(args), p.stderr.strip()))
            return p

        def daemon(now):
            return run(FBD, "--once", "--log-level", "info", now=now).returncode == 0

        def mails(to, kind):
            return [m for m in read_maildir(sent) if addr_of(m) == to and m["X-Feedbackd-Kind"] == kind]

        n = [0]

        def reply(m, who, lines):
            n[0] += 1
            imap.deliver(gmail_reply(m, who[1], who[0], "r%d.%s" % (n[0], who[1]), lines))

        ok = True
        for args in (("program", "create", "Pilot", "--start", "2027-01-04"), ("team", "add", "Pilot", "Blauw")):
            ok &= run(FBCTL, *args, now="2027-01-01T12:00").returncode == 0
        for name, addr in TEAM:
            ok &= run(FBCTL, "member", "add", "Blauw", name, addr, now="2027-01-01T12:00").returncode == 0
        t.ok(ok, "%s: set up" % label)
        t.ok(daemon("2027-01-04T09:05"), "%s: nudges go out" % label)
        anna, xander, piet = TEAM
        nudge = {a: mails(a, "nudge") for _n, a in TEAM}
        if not all(nudge.values()):
            t.ok(False, "%s: everyone got a nudge" % label)
            return
        reply(nudge[X_ADDR][0], xander, ["Vraag feedback aan: Anna Bakker", "Over: " + X_TOPIC])
        reply(nudge[anna[1]][0], anna, ["Vraag feedback aan: Xander Wisselink", "Over: mijn verhaal"])
        reply(nudge[piet[1]][0], piet, ["Vraag feedback aan: Anna Bakker", "Over: " + PIET_OWN])
        t.ok(daemon("2027-01-04T10:00"), "%s: the requests are read" % label)
        req_x, req_a = mails(X_ADDR, "request"), mails(anna[1], "request")
        t.ok(len(req_x) == 1 and len(req_a) == 2, "%s: the requests went out" % label, (len(req_x), len(req_a)))
        if req_x and req_a:
            reply(req_x[0], xander, ["Bevestiging: " + BY_X + ".", "Kritiek: sneller."])
            for m in req_a:
                if "zeehond" in m.get_body(("plain",)).get_content():
                    reply(m, anna, ["Bevestiging: " + TO_X + ".", "Kritiek: korter."])
        t.ok(daemon("2027-01-04T11:00"), "%s: the feedback is read" % label)
        t.ok(len(mails(X_ADDR, "feedback_received")) == 1 and len(mails(anna[1], "feedback_received")) == 1,
             "%s: both received feedback" % label)
        before = hits(mail_files(imap.maildir()), GONE)
        t.ok(len(before) == len(GONE), "%s: before the erase the IMAP mailbox holds it all" % label,
             sorted(set(GONE) - set(before)))

        r = run(FBCTL, "member", "erase", X_ADDR, "--yes", now="2027-01-04T12:00")
        t.ok(r.returncode == 0 and "received messages removed from the mailbox" in r.stdout,
             "%s: member erase runs: %s" % (label, r.stdout.strip()), r.stderr)
        t.ok(daemon("2027-01-04T12:05"), "%s: a pass after the erase" % label)
        left = hits(mail_files(imap.maildir()), GONE)
        t.ok(not left, "%s: no message file in any IMAP folder holds any of it" % label, left)
        left = hits([db, db + "-wal"], GONE)
        t.ok(not left, "%s: nor does the database" % label, left)
        t.ok(hits(mail_files(imap.maildir()), [PIET_OWN]) == [PIET_OWN],
             "%s: Piet's own mail stays in the mailbox" % label)


scenario("Processed")
scenario("")
t.finish()
