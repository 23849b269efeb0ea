#!/usr/bin/python3
"""feedbackd --now-stdin (issue 20, a fast demo): one daemon makes a simulation's passes, each at
the instant the simulator writes on its standard input, and each the pass `feedbackd --once --now
T` makes in a new process.

The same short programme (a team of three, two weeks, members who ask, give and answer the
questionnaires) simulated twice on the embedded default (tests/sim/sim.py): once with a
`feedbackd --once --now T` process per pass, once with one `feedbackd --now-stdin`. Checked: the
same passes at the same instants, the same mail to the same people at the same times with the
same text (the random tokens aside), the same replies applied; one daemon started, not one per
pass. Then bad input on the pipe: a line that is not an instant, an empty line, a line too long,
each answered "error line N: …" on stdout and said on stderr, exit 2, and no pass after it;
--now-stdin with --once or --now is a usage error.
"""
import datetime
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "sim"))
import clients  # noqa: E402
import servers  # noqa: E402
import sim  # noqa: E402
from servers import Tap  # noqa: E402

t = Tap()
ZONE = clients.ZONE
START = datetime.date(2027, 1, 4)
SETUP = "2027-01-01T12:00"
A, B, C = "Anna Bakker", "Bram de Wit", "Carla Smit"
ADDR = {n: n.split()[0].lower() + "@example.nl" for n in (A, B, C)}
NAME = {a: n for n, a in ADDR.items()}
# What differs from run to run whatever runs the passes: the tokens, Message-IDs, boundaries.
RANDOM = re.compile(r"[a-z2-7]{26}|<[^<>@\s]+@[^<>\s]+>|=_[A-Za-z0-9._=-]+|boundary=\"?[^\";\s]+")


def answer(s, mail):
    who = NAME.get(mail.rcpt)
    if who is None:
        return []
    at = mail.sent_at + datetime.timedelta(hours=1)
    if mail.kind == "nudge" and who in (A, C):
        other = B if who == A else A
        return [(at, clients.reply(mail, ADDR[who], who, "Vraag feedback aan: %s\nOver: mijn planning"
                                   % other.split()[0], "gmail", "nl", at))]
    if mail.kind == "request":
        body = "Bevestiging: helder\nKritiek: te lang\nConstructief: korter"
        return [(at, clients.reply(mail, ADDR[who], who, body, "outlook" if who == B else "gmail", "nl", at))]
    if mail.kind == "questionnaire" and who != C:
        nums = [int(x) for x in re.findall(r"(?m)^\s+(\d+)\. ", mail.text)]
        body = "\n".join("%d: 7" % n if n < 8 else "%d: meer vragen" % n for n in nums)
        return [(at, clients.reply(mail, ADDR[who], who, body, "apple", "nl", at))]
    return []


def programme(workdir, once_per_pass):
    s = sim.Sim(workdir, {"feedbackd": {"log_level": "info"}}, once_per_pass=once_per_pass)
    s.ctl("program", "create", "P", "--start", START.isoformat(), "--weeks", "2", now=SETUP)
    s.ctl("team", "add", "P", "T", now=SETUP)
    for n in (A, B, C):
        s.ctl("member", "add", "T", n, ADDR[n], now=SETUP)
    s.ctl("facilitator", "add", "T", "coach@example.nl", "--name", "Karin Coach", now=SETUP)
    t0 = time.monotonic()
    s.run(until=datetime.datetime.combine(START + datetime.timedelta(days=17), datetime.time(12), ZONE),
          on_mail=answer)
    seconds = time.monotonic() - t0
    s.close()
    return s, seconds


def seen(s):
    """What the members and the facilitator got: (instant, recipient, kind, subject, text)."""
    return sorted((sim.iso_utc(m.sent_at), m.rcpt, m.kind, RANDOM.sub("R", m.subject), RANDOM.sub("R", m.text))
                  for m in s.mail)


def steps(conf, lines):
    p = subprocess.run([servers.FEEDBACKD, "-c", conf, "--now-stdin"], input=lines, capture_output=True,
                       timeout=120)
    return p.returncode, p.stdout.decode(errors="replace").splitlines(), p.stderr.decode(errors="replace")


with tempfile.TemporaryDirectory() as tmp:
    once, t_once = programme(os.path.join(tmp, "once"), True)
    one, t_one = programme(os.path.join(tmp, "one"), False)
    print("# %d passes: a process each %.1f s, one daemon %.1f s" % (one.passes, t_once, t_one))
    log_once, log_one = once.log_text(), one.log_text()
    t.ok(log_once.count("=== once ") == once.passes and "=== now-stdin" not in log_once,
         "FB_SIM_ONCE's way: a feedbackd --once process per pass", once.passes)
    t.ok(log_one.count("=== now-stdin") == 1 and log_one.count("started: ") == 1
         and "=== once " not in log_one and log_one.count("=== pass ") == one.passes,
         "one feedbackd --now-stdin made every pass", (log_one.count("started: "), one.passes))
    t.ok(one.passes == once.passes and one.passes > 10, "the same number of passes", (once.passes, one.passes))
    a, b = seen(once), seen(one)
    kinds = {k for _, _, k, _, _ in b}
    t.ok(len(b) > 30 and {"welcome", "nudge", "request", "feedback_received", "questionnaire",
                          "weekly_report"} <= kinds, "the programme went on: %d mails" % len(b), sorted(kinds))
    t.ok(a == b, "the same mail to the same people at the same instants with the same text",
         next(((x, y) for x, y in zip(a, b) if x != y), (len(a), len(b))))
    q = "SELECT state, count(*) FROM inbox GROUP BY state ORDER BY state"
    t.ok(once.sql(q) == one.sql(q) and once.delivered == one.delivered > 5,
         "the same replies read and applied", (once.sql(q), one.sql(q)))
    q = "SELECT count(*) FROM feedback"
    t.ok(once.sql(q) == one.sql(q) and one.sql(q)[0][0] > 0, "the same feedback given", (once.sql(q), one.sql(q)))

    # --- bad input on the pipe ---------------------------------------------------------------
    inbox = "SELECT count(*) FROM inbox"
    n = one.sql(inbox)[0][0]
    one.deliver(clients.new_mail("feedback@feedbackd.test", ADDR[A], A, "Vraagje", "Hoi, een vraag.",
                                 "gmail", "2027-01-21T12:30Z"))
    rc, out, err = steps(one.conf, b"next monday\n2027-01-21T13:00Z\n")
    t.ok(rc == 2 and len(out) == 1 and out[0].startswith('error line 1: "next monday" is not a valid time'),
         "a line that is not an instant: its number and what is wrong on stdout, exit 2", (rc, out, err))
    t.ok('feedbackd: --now-stdin line 1: "next monday" is not a valid time' in err, "stderr says it too", err)
    t.ok(one.sql(inbox)[0][0] == n, "no pass after it: the message delivered is not read")
    rc, out, err = steps(one.conf, b"2027-01-21T13:00Z\n")
    t.ok(rc == 0 and out == ["done 2027-01-21T13:00Z"] and one.sql(inbox)[0][0] == n + 1,
         "the instant alone is a pass that reads it", (rc, out, err))
    rc, out, err = steps(one.conf, b"2027-01-21T14:00Z\n2027-01-32T09:00\n")
    t.ok(rc == 2 and out[:1] == ["done 2027-01-21T14:00Z"] and len(out) == 2 and out[1].startswith("error line 2: "),
         "a pass, then the bad line answered by its number", (rc, out, err))
    for what, data, want in (("an empty line", b"\n", "error line 1: an empty line"),
                             ("a line too long", b"2027-01-21T12:00Z" + b" " * 300 + b"\n",
                              "error line 1: longer than 200 bytes"),
                             ("a NUL byte", b"2027-01-21T12:00Z\x00\n", "error line 1: a NUL byte")):
        rc, out, err = steps(one.conf, data)
        t.ok(rc == 2 and len(out) == 1 and out[0].startswith(want) and "--now-stdin line 1:" in err,
             "%s: %s, exit 2" % (what, want), (rc, out, err))
    rc, out, err = steps(one.conf, b"")
    t.ok(rc == 0 and out == [], "no input: no pass, exit 0", (rc, out, err))
    for flag in (["--once"], ["--now", "2027-01-21T12:00Z"]):
        p = subprocess.run([servers.FEEDBACKD, "-c", one.conf, "--now-stdin"] + flag, capture_output=True,
                           text=True, timeout=60)
        t.ok(p.returncode == 2 and "--now-stdin takes the time of every pass from standard input: not with %s"
             % flag[0] in p.stderr, "--now-stdin with %s: a usage error saying so" % flag[0], (p.returncode, p.stderr))
t.finish()
