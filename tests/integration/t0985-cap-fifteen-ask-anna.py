#!/usr/bin/python3
"""The per-recipient daily cap is a rate, not a prison (issue 16), on the embedded default
(Maildir) with `feedbackd --once --now T`. Fifteen colleagues ask Anna for feedback on one
Monday morning, after her welcome, nudge and questionnaire went out at 09:00 and the coordinator
scheduled the kick-off (one more calendar event, not yet sent).

Since issue 18 the mail budget (mail_budget = 2 automatic mails a member a day) shapes Anna's
Monday: the moments' calendar events come in the week before each moment, not on day one, and
the kick-off invitation is deferred by the budget to Tuesday (the nudge and the questionnaire
filled Monday's budget). Deferred mail is not sent, so it is not in the cap's rolling 24 hours,
and it does not compete for the cap's room until the budget releases it. So Anna has 3 mails at
09:00, not 8; with the default cap of 20 all fifteen requests would fit, and this test sets
per_recipient_daily_cap = 15 to keep its subject, the cap (3 + 12 = 15):

- 12 requests go at 10:00; the three that wait are held with the time they go (Tuesday 09:00,
  when Monday's 09:00 mail leaves the rolling window), logged at info, shown in `outbox list`
  and `status`; the kick-off invitation is not held by the cap but deferred by the budget;
- their askers are not told "Je feedbackverzoek is verstuurd": the confirmation says when;
- the daemon releases them by itself at Tuesday 09:00 (logged), not a minute before; the
  budget releases the invitation at the same pass, but the cap has room for 3 (Monday's 09:00
  mail) and person-to-person mail goes first, so the invitation is held by the cap until
  Tuesday 10:00, when Monday's 10:00 requests leave the window;
- a few days later nothing is held and every request was delivered exactly once.
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
    # The cap this test is about: 15 a day, so Monday's 3 automatic mails and 12 requests fill it
    # (with the budget Anna gets 3 mails at 09:00, not 8; under the default 20 nothing would wait).
    s.config("[outgoing]\nper_recipient_daily_cap = 15\n")
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
    t.ok(sorted(first) == ["nudge", "questionnaire", "welcome"],
         "Anna got 3 mails at 09:00: welcome, nudge, questionnaire (calendar events come the week "
         "before their moment)", first)
    p = ctl("session", "schedule", "Pilot", "kickoff", "--at", "2027-01-11 10:00", "--duration", "90m",
            "--team", "Blauw", now="2027-01-04T09:30")
    t.ok(p.returncode == 0, "the coordinator schedules the kick-off at 09:30", p.stderr)
    q = ctl("--json", "outbox", "list", now="2027-01-04T09:30")
    rows = json.loads(q.stdout) if q.returncode == 0 else []
    inv = [r for r in rows if r["kind"] == "invite" and r["to"] == ANNA[1]]
    t.ok(len(inv) == 1 and inv[0]["state"] == "queued" and inv[0]["next_attempt_at"] == TUESDAY_0900
         and "deferred" in inv[0]["error"] and "mail_budget = 2" in inv[0]["error"],
         "Anna's kick-off invitation is deferred by the mail budget to Tuesday 09:00, not sent", inv)

    nudges = {addr_of(m): m for m in read_maildir(s.out) if m["X-Feedbackd-Kind"] == "nudge"}
    for i, (name, addr) in enumerate(members[1:]):
        s.deliver(gmail_reply(nudges[addr], addr, name, "ask%02d@mail.example" % i,
                              ask_lines(["Anna Bakker"], "mijn presentatie")), "ask%02d" % i)
    p = daemon("2027-01-04T10:00")
    t.ok(p.returncode == 0, "the daemon's Monday 10:00 pass reads the 15 asks")
    now_kinds = kinds_to(s, ANNA[1])
    t.ok(now_kinds.count("request") == 12, "12 requests reach Anna at once (15 in 24 hours)",
         now_kinds.count("request"))
    t.ok(now_kinds.count("invite") == 0, "the kick-off invitation does not go on Monday", now_kinds)
    t.ok(p.stderr.count("(request): held by the daily cap") == 3,
         "the three requests that wait are logged at info as held", p.stderr)
    t.ok("(invite)" not in p.stderr, "the deferred invitation is not in the cap's count nor held by it",
         p.stderr)

    q = ctl("--json", "outbox", "list", "--state", "held")
    held = json.loads(q.stdout) if q.returncode == 0 else []
    t.ok(sorted(r["kind"] for r in held) == ["request", "request", "request"],
         "outbox list shows three held requests", held)
    t.ok(all(r["to"] == ANNA[1] and r.get("goes_at") == TUESDAY_0900 for r in held),
         "each with when it goes: Tuesday 09:00", held)
    t.ok(all(r.get("priority") == "person" for r in held), "and its priority", held)
    q = ctl("outbox", "list", "--state", "held")
    t.ok("2027-01-05T08:00:00Z" in q.stdout and "per_recipient_daily_cap" in q.stdout,
         "the table says held, the time and why", q.stdout)
    q = ctl("status", "Blauw")
    t.ok("Anna Bakker: 3 messages, the first goes at 2027-01-05 09:00 +01:00" in q.stdout,
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
    k = kinds_to(s, ANNA[1])
    t.ok(k.count("request") == 12 and k.count("invite") == 0, "still within 24 hours: the three wait", k)
    p = daemon("2027-01-05T09:00")
    after = kinds_to(s, ANNA[1])
    t.ok(after.count("request") == 15 and after.count("invite") == 0,
         "Tuesday 09:00: the three requests go by themselves", after)
    t.ok(p.stderr.count("(request): released, the daily cap") == 3, "the releases are logged at info",
         p.stderr)
    t.ok("(invite): released, the mail budget of member 1 allows it today" in p.stderr
         and "(invite): held by the daily cap of its address (per_recipient_daily_cap = 15); "
         "goes at 2027-01-05T09:00:00Z" in p.stderr,
         "the budget releases Anna's invitation, the cap holds it until 10:00 (person mail first)",
         p.stderr)
    q = ctl("--json", "outbox", "list", "--state", "held", now="2027-01-05T09:00")
    held = json.loads(q.stdout) if q.returncode == 0 else []
    t.ok([(r["kind"], r["to"], r.get("goes_at"), r.get("priority")) for r in held]
         == [("invite", ANNA[1], TUESDAY_0900 + 3600, "automatic")],
         "outbox list: only the invitation is held, until Tuesday 10:00", held)
    p = daemon("2027-01-05T10:00")
    after = kinds_to(s, ANNA[1])
    t.ok(after.count("invite") == 1, "Tuesday 10:00: the invitation goes", after)
    t.ok("(invite): released, the daily cap" in p.stderr, "its release is logged at info", p.stderr)

    t.ok(daemon("2027-01-08T09:00").returncode == 0, "a pass a few days later")
    q = ctl("--json", "outbox", "list", now="2027-01-08T09:00")
    rows = json.loads(q.stdout) if q.returncode == 0 else []
    t.ok(rows and not [r for r in rows if r["state"] == "held"], "nothing is held")
    reqs = [m for m in read_maildir(s.out) if m["X-Feedbackd-Kind"] == "request" and addr_of(m) == ANNA[1]]
    t.ok(len(reqs) == 15 and len({str(m["Subject"]) for m in reqs}) == 15,
         "each of the 15 requests reached Anna exactly once", len(reqs))
t.finish()
