#!/usr/bin/python3
"""require_auth = dmarc on the embedded default (SQLite + Maildir), through `feedbackd --once`:
every kind of act a member's or facilitator's mail can make — asking (a nudge reply and a new
message), giving (a request reply, and unsolicited feedback on a nudge), answering a
questionnaire, an out-of-office reply, a calendar answer (iTIP REPLY) and a facilitator's
ratings of the weekly report — is tried three times as a forger would (the trusted server's own
Authentication-Results saying dmarc=fail, no Authentication-Results at all, and a dmarc=pass
written by an untrusted authserv-id) and once as the member's own mail, authenticated by the
trusted server. The forged ones are quarantined with the reason and change nothing in the
database but their own inbox row; the genuine one is applied."""
import hashlib
import os
import re
import shutil
import sqlite3
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "sim"))
sys.path.insert(0, os.path.join(HERE, ".."))
import clients  # noqa: E402
import sim  # noqa: E402
from servers import Tap  # noqa: E402

t = Tap()
TRUSTED = "mx.example.nl"
FORGED = {
    "the trusted server says dmarc=fail":
        "Authentication-Results: %s; dkim=none; dmarc=fail (p=none dis=none) "
        "header.from=example.nl\r\n" % TRUSTED,
    "no Authentication-Results at all": "",
    "a dmarc=pass from an untrusted authserv-id":
        "Authentication-Results: mx.evil.example; dkim=pass header.d=example.nl; dmarc=pass "
        "header.from=example.nl\r\n",
}
GENUINE = ("Authentication-Results: %s; dkim=pass (2048-bit key) header.d=example.nl "
           "header.i=@example.nl; dmarc=pass (p=reject dis=none) header.from=example.nl\r\n"
           % TRUSTED)
TEAM = (("Jan de Vries", "jan@example.nl"), ("Piet Jansen", "piet@example.nl"),
        ("Anna Bakker", "anna@example.nl"))
FACILITATOR = ("Fenna Coach", "fenna@example.nl")
GIVE = ("Bevestiging: je opening was helder.\nKritiek: de conclusie kwam niet uit de verf.\n"
        "Constructief: sluit af met één zin die je boodschap samenvat.")

work = tempfile.mkdtemp(prefix="fbauth.")
s = sim.Sim(work, {"security": {"require_auth": "dmarc", "trusted_authserv_id": TRUSTED}})


def snapshot():
    """A digest of every table but the inbox's own bookkeeping: what a message may change."""
    c = sqlite3.connect("file:%s?mode=ro" % s.db, uri=True)
    try:
        h = hashlib.sha256()
        for (name,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                 "AND name NOT IN ('inbox', 'mailbox_position', 'sqlite_sequence') "
                                 "ORDER BY name"):
            for row in c.execute('SELECT * FROM "%s" ORDER BY 1' % name):
                h.update(repr(row).encode())
        return h.hexdigest()
    finally:
        c.close()


def last_inbox():
    return s.sql("SELECT id, state, kind, reason FROM inbox ORDER BY id DESC LIMIT 1")[0]


def act(what, make, at, expect_kind=None):
    """Deliver three forgeries of make() and check each; then the genuine one. make() returns
    fresh raw bytes each call (a new Message-ID, as a mail program writes)."""
    for how, header in FORGED.items():
        before, sent = snapshot(), len(s.mail)
        s.deliver(header.encode() + make(), at)
        s.pass_at(at)
        _, state, kind, reason = last_inbox()
        t.ok(state == "quarantined" and "not authenticated" in (reason or ""),
             "%s, %s: quarantined with the reason" % (what, how), (state, kind, reason))
        t.ok(snapshot() == before and len(s.mail) == sent,
             "%s, %s: nothing changed, nothing sent" % (what, how))
        if expect_kind:
            t.ok(kind == expect_kind, "%s, %s: still read as %s" % (what, how, expect_kind), kind)
    before = snapshot()
    s.deliver(GENUINE.encode() + make(), at)
    s.pass_at(at)
    _, state, kind, reason = last_inbox()
    t.ok(state == "applied", "%s, authenticated by %s: applied" % (what, TRUSTED),
         (state, kind, reason))
    t.ok(snapshot() != before, "%s, authenticated: the change is made" % what)


def one(kind, to):
    got = s.sent(to=to, kind=kind)
    if not got:
        raise SystemExit("Bail out! no %s mail to %s" % (kind, to))
    return got[-1]


try:
    N = "2027-01-01T12:00"
    s.ctl("program", "create", "Pilot", "--start", "2027-01-04", now=N)
    s.ctl("team", "add", "Pilot", "Blauw", now=N)
    for name, addr in TEAM:
        s.ctl("member", "add", "Pilot/Blauw", name, addr, now=N)
    s.ctl("facilitator", "add", "Pilot/Blauw", FACILITATOR[1], "--name", FACILITATOR[0], now=N)
    s.ctl("session", "schedule", "Pilot", "kickoff", "--at", "2027-01-06 10:00", "--duration",
          "90m", "--team", "Blauw", now=N)
    s.run("2027-01-04T09:30")
    # Day one under the mail budget (issue 18, two automatic mails a member a day): the
    # welcome, the kickoff's invitation and the nudge; the baseline questionnaire waits for the
    # next morning. The forgeries are tried on day two, once every kind of mail has come.
    t.ok(len(s.sent(kind="welcome")) == 3 and len(s.sent(kind="nudge")) == 3 and
         len(s.sent(kind="invite")) == 4, "day one: welcomes, nudges and invitations went out")
    t.ok(not s.sent(kind="questionnaire"), "day one: the questionnaire waits (mail budget)",
         [m.rcpt for m in s.sent(kind="questionnaire")])
    s.run("2027-01-05T09:30")
    qs = s.sent(kind="questionnaire")
    t.ok(len(qs) == 3 and all(m.sent_at == clients.when("2027-01-05T09:00") for m in qs),
         "day two: the questionnaires went out at 09:00", [(m.rcpt, m.sent_at) for m in qs])

    AT = "2027-01-05T10:00"
    anna_nudge = one("nudge", "anna@example.nl")
    act("ask (Anna answers her nudge)", lambda: clients.reply(
        anna_nudge, "anna@example.nl", "Anna Bakker",
        "Vraag feedback aan: Jan de Vries\nOver: mijn presentatie", at=AT), AT, "reply")
    act("ask (Piet writes a new message)", lambda: clients.new_mail(
        "feedback@feedbackd.test", "piet@example.nl", "Piet Jansen", "Feedback vragen",
        "Vraag feedback aan: Anna Bakker\nOver: mijn planning", at=AT), AT, "new")
    jan_request = one("request", "jan@example.nl")
    act("give (Jan answers Anna's request)", lambda: clients.reply(
        jan_request, "jan@example.nl", "Jan de Vries", GIVE, at=AT), AT, "reply")
    jan_nudge = one("nudge", "jan@example.nl")
    act("unsolicited feedback (Jan on his nudge)", lambda: clients.reply(
        jan_nudge, "jan@example.nl", "Jan de Vries", "Feedback voor: Piet Jansen\n" + GIVE,
        at=AT), AT, "reply")
    q = one("questionnaire", "piet@example.nl")
    nums = [int(n) for n in re.findall(r"^\s+(\d+)\. .*\(0-10\)\s*$", q.text, re.M)]
    t.ok(len(nums) > 0, "the questionnaire has scale questions", q.text[:300])
    act("questionnaire answers (Piet)", lambda: clients.reply(
        q, "piet@example.nl", "Piet Jansen", "\n".join("%d: 7" % n for n in nums), at=AT), AT,
        "reply")
    piet_nudge = one("nudge", "piet@example.nl")
    act("out-of-office (Piet away)", lambda: clients.out_of_office(
        piet_nudge, "piet@example.nl", "Piet Jansen", at=AT, until="2027-01-20"), AT,
        "auto_reply")
    t.ok(s.sql("SELECT count(*) FROM absence")[0][0] == 1, "one absence: the genuine one")
    invite = one("invite", "jan@example.nl")
    act("RSVP (Jan accepts the kickoff)", lambda: clients.rsvp(
        invite, "jan@example.nl", "Jan de Vries", "ACCEPTED", "outlook", AT), AT, "itip")

    s.run("2027-01-11T08:30")
    report = one("weekly_report", FACILITATOR[1])
    ids = sorted(set(re.findall(r"^\s*(F\d+)\b", report.text, re.M)))
    t.ok(ids, "the weekly report asks the facilitator to rate feedback", report.text[:400])
    RAT = "2027-01-11T10:00"
    s.pass_at(RAT)  # what the scheduler has due then goes out first
    act("facilitator ratings (Fenna)", lambda: clients.reply(
        report, FACILITATOR[1], FACILITATOR[0], "\n".join("%s: 4" % i for i in ids), "outlook",
        "nl", RAT), RAT, "reply")
    rated = s.sql("SELECT count(*) FROM rating")[0][0]
    t.ok(rated == len(ids), "the ratings recorded are the genuine ones only", rated)
finally:
    if os.environ.get("KEEP") != "1":
        shutil.rmtree(work, ignore_errors=True)
    else:
        print("# kept %s" % work)
t.finish()
