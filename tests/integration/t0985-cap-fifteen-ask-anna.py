#!/usr/bin/python3
"""The per-recipient daily cap is a rate, not a prison (issue 16), on the embedded default
(Maildir) with `feedbackd --once --now T`. Fifteen colleagues ask Anna for feedback on one
Monday morning, after her welcome, nudge, questionnaire and five calendar events went out at 09:00 and
the coordinator scheduled the kick-off (one more calendar event, not yet sent). With the default
cap of 20 a day:

- person mail goes before calendar events: 12 requests go at 10:00, the kick-off invitation
  waits (before issue 16 it went and four requests waited);
- the three requests that wait are held with the time they go (Tuesday 09:00, when Monday's
  09:00 mail leaves the rolling window), logged at info, shown in `outbox list` and `status`;
- their askers are not told "Je feedbackverzoek is verstuurd": the confirmation says when;
- the daemon releases them by itself at Tuesday 09:00 (logged), not a minute before, and a
  few days later nothing is held and every request was delivered exactly once.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from opslib import FBD, Scratch, Tap, addr_of, ask_lines, gmail_reply, read_maildir, setup_programme, team_names  # noqa: E402

t = Tap()
ANNA = ("Anna Bakker", "anna@example.nl")
TUESDAY_0900 = 1799136000   # 2027-01-05T08:00:00Z


def kinds_to(s, addr):
    return [m["X-Feedbackd-Kind"] for m in read_maildir(s.out) if addr_of(m) == addr]


def body(m):
    return m.get_body(("plain",)).get_content()


with Scratch() as s:
    s.config()
    members = [ANNA] + team_names(16)[1:]
    ctl = lambda *a, now="2027-01-04T10:00": s.ctl(*a, now=now)  # noqa: E731

    def daemon(now):
        p = subprocess.run([FBD, "-c", s.conf, "--once", "--now", now, "--log-level", "info"],
                           capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            print("# feedbackd --now %s exited %d: %s" % (now, p.returncode, p.stderr))
        return p

    t.ok(setup_programme(ctl, members), "a programme with Anna and 15 colleagues")
    t.ok(daemon("2027-01-04T09:00").returncode == 0, "the daemon's Monday 09:00 pass")
    first = kinds_to(s, ANNA[1])
    t.ok(len(first) == 8 and first.count("moment_invite") == 5 and first.count("welcome") == 1,
         "Anna got 8 mails at 09:00: the welcome and five calendar events among them", first)
    p = ctl("session", "schedule", "Pilot", "kickoff", "--at", "2027-01-11 10:00", "--duration", "90m",
            "--team", "Blauw", now="2027-01-04T09:30")
    t.ok(p.returncode == 0, "the coordinator schedules the kick-off at 09:30", p.stderr)

    nudges = {addr_of(m): m for m in read_maildir(s.out) if m["X-Feedbackd-Kind"] == "nudge"}
    for i, (name, addr) in enumerate(members[1:]):
        s.deliver(gmail_reply(nudges[addr], addr, name, "ask%02d@mail.example" % i,
                              ask_lines(["Anna Bakker"], "mijn presentatie")), "ask%02d" % i)
    p = daemon("2027-01-04T10:00")
    t.ok(p.returncode == 0, "the daemon's Monday 10:00 pass reads the 15 asks")
    now_kinds = kinds_to(s, ANNA[1])
    t.ok(now_kinds.count("request") == 12, "12 requests reach Anna at once (20 in 24 hours)",
         now_kinds.count("request"))
    t.ok(now_kinds.count("invite") == 0, "person mail goes before calendar events: the kick-off waits",
         now_kinds)
    t.ok(p.stderr.count("(request): held by the daily cap") == 3,
         "the three requests that wait are logged at info as held", p.stderr)
    t.ok("(invite): held by the daily cap" in p.stderr, "and so is the invitation that yields its place",
         p.stderr)

    q = ctl("--json", "outbox", "list", "--state", "held")
    held = json.loads(q.stdout) if q.returncode == 0 else []
    t.ok(sorted(r["kind"] for r in held) == ["invite", "request", "request", "request"],
         "outbox list shows four held: three requests and the invitation", held)
    t.ok(all(r["to"] == ANNA[1] and r.get("goes_at") == TUESDAY_0900 for r in held),
         "each with when it goes: Tuesday 09:00", held)
    t.ok(all(r.get("priority") == ("automatic" if r["kind"] == "invite" else "person") for r in held),
         "and its priority", held)
    q = ctl("outbox", "list", "--state", "held")
    t.ok("2027-01-05T08:00:00Z" in q.stdout and "per_recipient_daily_cap" in q.stdout,
         "the table says held, the time and why", q.stdout)
    q = ctl("status", "Blauw")
    t.ok("Anna Bakker: 4 messages, the first goes at 2027-01-05 09:00 +01:00" in q.stdout,
         "feedbackctl status lists Anna's held mail and when it goes", q.stdout)

    confs = [m for m in read_maildir(s.out) if m["X-Feedbackd-Kind"] == "request_sent"]
    waiting = [m for m in confs if "gaat op dinsdag 5 januari om 09:00" in body(m)]
    t.ok(len(confs) == 15 and len(waiting) == 3,
         "three askers are told their request goes on Tuesday at 09:00", [str(m["Subject"]) for m in confs])
    t.ok(waiting and all("is verstuurd" not in str(m["Subject"]) + body(m) for m in waiting),
         "and are not told it was sent", [body(m) for m in waiting])
    t.ok(all("is verstuurd" in str(m["Subject"]) for m in confs if m not in waiting),
         "the other twelve are told it was sent")

    t.ok(daemon("2027-01-05T08:59").returncode == 0, "a pass on Tuesday 08:59")
    t.ok(kinds_to(s, ANNA[1]).count("request") == 12, "still within 24 hours: the three wait")
    p = daemon("2027-01-05T09:00")
    after = kinds_to(s, ANNA[1])
    t.ok(after.count("request") == 15 and after.count("invite") == 1,
         "Tuesday 09:00: the three requests and the invitation go by themselves", after)
    t.ok(p.stderr.count("(request): released") == 3 and "(invite): released" in p.stderr,
         "the releases are logged at info", p.stderr)

    t.ok(daemon("2027-01-08T09:00").returncode == 0, "a pass a few days later")
    q = ctl("--json", "outbox", "list", now="2027-01-08T09:00")
    rows = json.loads(q.stdout) if q.returncode == 0 else []
    t.ok(rows and not [r for r in rows if r["state"] == "held"], "nothing is held")
    reqs = [m for m in read_maildir(s.out) if m["X-Feedbackd-Kind"] == "request" and addr_of(m) == ANNA[1]]
    t.ok(len(reqs) == 15 and len({str(m["Subject"]) for m in reqs}) == 15,
         "each of the 15 requests reached Anna exactly once", len(reqs))
t.finish()
