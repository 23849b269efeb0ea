#!/usr/bin/python3
"""Erase means gone: a programme run through real passes of the daemon on the embedded default
(SQLite + Maildir), in which Xander asks and is asked, gives and gets feedback and reacts to it;
his colleagues' mail names and quotes him, and the facilitator's weekly report names him. After
`feedbackctl member erase`, not one byte of his name, his address, a phrase he wrote (in his
feedback and in his reaction, which the reaction mail carried to the giver) or a phrase written
to him may be left in the database file, its WAL, the inbox Maildir (every folder) or the
daemon's log at info level; Anna's own words stay, and the counts the reports need stay."""
import json
import os
import sqlite3
import subprocess

from opslib import FBD, Scratch, Tap, addr_of, gmail_reply, read_maildir, setup_programme

t = Tap()
TEAM = [("Anna Bakker", "anna@example.nl"), ("Xander Wisselink", "xander.w@example.nl"),
        ("Piet Jansen", "piet@example.nl")]
X_NAME, X_ADDR = TEAM[1]
BY_X = "de oranje giraffe sprak helder"          # in Xander's feedback to Anna
TO_X = "de paarse olifant in je planning"        # in Anna's feedback to Xander
X_REACTION = "ik probeer voortaan de blauwe walvis"  # Xander's reaction to Anna's feedback
X_TOPIC = "mijn kwartaalplanning met de zeehond"  # what Xander asked Anna about
ANNA_OWN = "Annas eigen onderwerp de kraanvogel"   # Anna's own topic: must stay
GONE = [X_NAME, X_ADDR, BY_X, TO_X, X_REACTION, X_TOPIC]
LOG = []
n_msg = [0]


def files_under(path):
    out = []
    for root, _dirs, files in os.walk(path):
        out += [os.path.join(root, f) for f in files]
    return out


def bytes_of(paths):
    data = b""
    for p in paths:
        if os.path.exists(p):
            with open(p, "rb") as f:
                data += f.read()
    return data


def hits(data, texts):
    low = data.lower()
    return [x for x in texts if x.lower().encode() in low]


with Scratch() as s:
    s.config()
    ctl = lambda *a, now="2027-01-01T12:00": s.ctl(*a, now=now)  # noqa: E731

    def daemon(now):
        p = subprocess.run([FBD, "-c", s.conf, "--once", "--log-level", "info", "--now", now],
                           capture_output=True, text=True, timeout=120)
        LOG.append(p.stdout + p.stderr)
        return p.returncode == 0

    def mails(to, kind):
        return [m for m in read_maildir(s.out) if addr_of(m) == to and m["X-Feedbackd-Kind"] == kind]

    def reply(m, who, lines):
        name, addr = who
        n_msg[0] += 1
        s.deliver(gmail_reply(m, addr, name, "r%d.%s" % (n_msg[0], addr), lines),
                  "%d.r%d.host" % (1800000000 + n_msg[0], n_msg[0]))

    ok = setup_programme(ctl, TEAM)
    ok &= ctl("facilitator", "add", "Blauw", "fien@example.nl", "--name", "Fien Facilitator").returncode == 0
    t.ok(ok, "set up: programme, team of three, facilitator")
    t.ok(daemon("2027-01-04T09:05"), "pass 1: nudges go out")
    anna, xander = TEAM[0], TEAM[1]
    nudge = {a: mails(a, "nudge") for _n, a in TEAM}
    t.ok(all(len(v) == 1 for v in nudge.values()), "everyone got one nudge", {k: len(v) for k, v in nudge.items()})
    reply(nudge[X_ADDR][0], xander, ["Vraag feedback aan: Anna Bakker", "Over: " + X_TOPIC])
    reply(nudge[anna[1]][0], anna, ["Vraag feedback aan: Xander Wisselink, Piet Jansen", "Over: " + ANNA_OWN])
    t.ok(daemon("2027-01-04T10:00"), "pass 2: the requests are read and passed on")
    req_to_anna = mails(anna[1], "request")
    req_to_x = mails(X_ADDR, "request")
    t.ok(len(req_to_anna) == 1 and len(req_to_x) == 1, "Anna and Xander are asked",
         (len(req_to_anna), len(req_to_x)))
    if req_to_anna and req_to_x:
        reply(req_to_anna[0], anna, ["Bevestiging: Xander, " + TO_X + " was sterk.",
                                     "Kritiek: te lang.", "Constructief: korter."])
        reply(req_to_x[0], xander, ["Bevestiging: " + BY_X + ".", "Kritiek: sneller.",
                                    "Constructief: meer pauzes."])
    t.ok(daemon("2027-01-04T11:00"), "pass 3: the feedback is read and passed on")
    got_x = mails(X_ADDR, "feedback_received")
    got_anna = mails(anna[1], "feedback_received")
    t.ok(len(got_x) == 1 and len(got_anna) == 1, "both received feedback", (len(got_x), len(got_anna)))
    if got_anna:
        reply(got_anna[0], anna, ["Dank je wel, Xander!"])
    if got_x:
        reply(got_x[0], xander, ["Dank je, " + X_REACTION + "."])
    t.ok(daemon("2027-01-04T12:00"), "pass 4: the reactions are passed on")
    reaction_to_anna = mails(anna[1], "reaction")
    t.ok(len(reaction_to_anna) == 1 and X_REACTION in reaction_to_anna[0].get_body(("plain",)).get_content(),
         "the reaction mail carried Xander's words to Anna", len(reaction_to_anna))
    t.ok(daemon("2027-01-11T09:00"), "pass 5: the weekly report goes to the facilitator")
    t.ok(mails("fien@example.nl", "weekly_report"), "the facilitator got a weekly report")

    db_files = [s.db, s.db + "-wal", s.db + "-journal"]
    before = hits(bytes_of(db_files), GONE)
    t.ok(len(before) == len(GONE), "before the erase the database holds all of it (the test sees it)",
         sorted(set(GONE) - set(before)))
    before = hits(bytes_of(files_under(s.inbox)), GONE)
    t.ok(len(before) == len(GONE), "and so does the inbox Maildir", sorted(set(GONE) - set(before)))
    c = sqlite3.connect(s.db)
    counts_before = c.execute("SELECT count(*), sum(week) FROM feedback").fetchone()
    req_before = c.execute("SELECT count(*) FROM feedback_request").fetchone()
    inbox_before = c.execute("SELECT count(*) FROM inbox").fetchone()[0]
    c.close()

    r = ctl("member", "erase", X_ADDR, "--yes", now="2027-01-11T10:00")
    t.ok(r.returncode == 0, "member erase --yes runs: " + r.stdout.strip(), r.stderr)
    t.ok(not hits((r.stdout + r.stderr).encode(), GONE[2:]), "its output quotes nothing of him")
    # The daemon goes on after the erase (a pass reads the Maildir again: nothing comes back).
    t.ok(daemon("2027-01-11T10:05"), "pass 6 after the erase")

    left = hits(bytes_of(db_files), GONE)
    t.ok(not left, "no byte of his name, address or words is left in the database or its WAL", left)
    t.ok(not os.path.exists(s.db + "-wal") or os.path.getsize(s.db + "-wal") == 0 or
         not hits(bytes_of([s.db + "-wal"]), GONE), "the WAL holds none of it")
    left = hits(bytes_of(files_under(s.inbox)), GONE)
    t.ok(not left, "none of it is left in the inbox Maildir (new, cur, tmp)", left)
    left = hits("".join(LOG).encode(), GONE)
    t.ok(not left, "none of it is in the daemon's log at info level", left)
    t.ok(ANNA_OWN.encode() in bytes_of(db_files), "Anna's own words stay")

    c = sqlite3.connect(s.db)
    t.ok(c.execute("SELECT count(*), sum(week) FROM feedback").fetchone() == counts_before,
         "every feedback row is still counted, weeks intact", counts_before)
    t.ok(c.execute("SELECT count(*) FROM feedback_request").fetchone() == req_before,
         "every request is still counted")
    t.ok(c.execute("SELECT count(*) FROM inbox").fetchone()[0] <= inbox_before, "no inbox row came back")
    t.ok(c.execute("SELECT count(*) FROM outbox WHERE recipient = 'anna@example.nl' AND state = 'sent'")
         .fetchone()[0] >= 3, "Anna's sent mail stays counted (the daily cap counts it)")
    c.close()
    r = ctl("report", "weekly", "Blauw", "--week", "1", now="2027-01-11T10:10")
    t.ok(r.returncode == 0 and "Anna Bakker" in r.stdout and X_NAME not in r.stdout,
         "the weekly report still runs, without him", r.stderr + r.stdout[:800])
    r = ctl("status", "Blauw", "--json", now="2027-01-11T10:10")
    t.ok(r.returncode == 0 and not hits(r.stdout.encode(), GONE), "status shows nothing of him", r.stderr)
t.finish()
