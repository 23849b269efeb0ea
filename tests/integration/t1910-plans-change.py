#!/usr/bin/python3
"""Plans that change (issue 19), over the daemon with an explicit clock on the built-in Maildir
setup, checking the mails that go and those that do not:
- `program pause` over a holiday week (week 4): the preview changes nothing. Since issue 18 a
  questionnaire moment's calendar event comes about a week before its moment (the mail
  budget), so on 2027-01-19 none has gone yet (the midterm's was due 2027-01-25, inside the
  pause): the pause has no calendar UPDATES to send, and the midterm's event comes a week
  before the moved moment, on 2027-02-01, dated 2027-02-08, as a first event (SEQUENCE 0);
  nothing automatic goes out during the pause; the week-4 nudge and the report on week 3 come
  the Monday after it, once, however many passes run; a session inside the pause is warned
  about and keeps its date;
- `program edit --start` before the start moves everything (no mail at the old start, the
  first nudge and questionnaire at the new one); after the start it is refused, pointing to
  pause;
- `facilitator replace`: a CANCEL to the old facilitator and an invitation to the new one for
  the session still ahead, and the next weekly report to the new one only;
- `program end` (on 2027-03-09, after the final questionnaire's event went on 2027-03-08 for its
  moved moment 2027-03-15): CANCELs for the session and the questionnaire events that went
  and are still ahead (not for the follow-up's, which was never sent), then silence;
  `program list` says ended."""
import email
import email.policy
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers import Tap  # noqa: E402
import callib  # noqa: E402

FBCTL = os.path.join(callib.BUILD, "feedbackctl")
FBD = os.path.join(callib.BUILD, "feedbackd")
t = Tap()

with tempfile.TemporaryDirectory() as T:
    conf = os.path.join(T, "f.conf")
    with open(conf, "w") as f:
        f.write("[feedbackd]\ndatabase = %s/fb.db\ndomain = feedback.example.org\n"
                "from_address = feedback@example.org\nreply_address = feedback@example.org\n"
                "coordinator_address = coordinator@example.org\n"
                "[outgoing]\nmaildir = %s/sent\nper_recipient_daily_cap = 50\n"
                "[incoming]\nmaildir = %s/in\n" % (T, T, T))
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(T, "in", sub))

    def ctl(now, *a, ok=True):
        p = subprocess.run((FBCTL, "-c", conf, "--now", now) + a, capture_output=True,
                           text=True, timeout=120)
        if ok and p.returncode != 0:
            t.ok(False, "feedbackctl %s" % " ".join(a), p.stdout + p.stderr)
        return p

    def fbd(now):
        p = subprocess.run((FBD, "-c", conf, "--once", "--now", now, "--log-level", "warning"),
                           capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            t.ok(False, "feedbackd at %s" % now, p.stdout + p.stderr)

    seen = set()

    def new_mail():
        """[(kind, to, message)] sent since the last call."""
        d = os.path.join(T, "sent", "new")
        out = []
        for n in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            if n not in seen:
                seen.add(n)
                with open(os.path.join(d, n), "rb") as f:
                    m = email.message_from_bytes(f.read(), policy=email.policy.default)
                out.append((m["X-Feedbackd-Kind"], m["To"].addresses[0].addr_spec, m))
        return out

    def calendar(m):
        parts = [p for p in m.walk() if p.get_content_type() == "text/calendar"]
        return callib.view_icalendar(parts[0].get_payload(decode=True)) if parts else None

    def kinds(mails):
        out = {}
        for k, to, _ in mails:
            out[k] = out.get(k, 0) + 1
        return out

    def text(m):
        return m.get_body(preferencelist=("plain",)).get_content()

    # ---- set-up: programme P from Monday 2027-01-04, two members, one facilitator ----
    ctl("2027-01-01T12:00", "program", "create", "P", "--start", "2027-01-04", "--language",
        "en")
    ctl("2027-01-01T12:00", "team", "add", "P", "T")
    for name, addr in (("Ann Smit", "ann@example.org"), ("Bob Jansen", "bob@example.org")):
        ctl("2027-01-01T12:00", "member", "add", "P/T", name, addr)
    ctl("2027-01-01T12:00", "facilitator", "add", "T", "fay@example.org", "--name", "Fay")

    # Q starts later; its start moves before it begins
    ctl("2027-01-01T12:00", "program", "create", "Q", "--start", "2027-03-01", "--language",
        "en")
    ctl("2027-01-01T12:00", "team", "add", "Q", "U")
    ctl("2027-01-01T12:00", "member", "add", "Q/U", "Cat Vos", "cat@example.org")

    moments = {}  # (to, summary start) -> (uid, sequence) of P's questionnaire events
    for now in ("2027-01-04T09:00", "2027-01-11T09:00", "2027-01-18T09:00"):
        fbd(now)
    for k, to, m in new_mail():
        if k == "moment_invite":
            ev = calendar(m)["events"][0]
            moments[(to, ev["summary"][:8])] = ev
    # issue 18: the midterm's event (moment 2027-02-01) comes the week before it, not on day one
    t.ok(moments == {}, "no questionnaire event went in weeks 1-3: each comes the week before "
         "its moment", sorted(moments))

    # ---- pause a holiday week: week 4, Monday 2027-01-25 .. Sunday 2027-01-31 ----
    ctl("2027-01-19T10:00", "session", "schedule", "P", "progress", "--at", "2027-01-27 14:00",
        "--duration", "60")
    fbd("2027-01-19T10:01")
    new_mail()
    p = ctl("2027-01-19T11:00", "program", "pause", "P", "--from", "2027-01-25", "--until",
            "2027-01-31")
    out = p.stdout
    t.ok(p.returncode == 0 and "nothing changed" in out, "pause without --yes: a preview, exit 0",
         out + p.stderr)
    t.ok("Weekly nudge (week 4)" in out and
         "Monday 2027-01-25 09:00    -> Monday 2027-02-01 09:00" in out,
         "the preview moves the week-4 nudge to the Monday after the pause", out)
    t.ok("warning: session 1 (progress" in out and "session move 1" in out,
         "the preview warns about the session inside the pause", out)
    t.ok("calendar updates" not in out, "the preview has no calendar updates: no questionnaire "
         "event went yet", out)
    t.ok("Midterm questionnaire                    Monday 2027-02-01 09:00    -> Monday "
         "2027-02-08 09:00" in out, "the preview moves the midterm questionnaire a week", out)
    show = ctl("2027-01-19T11:00", "program", "show", "P").stdout
    t.ok("pause" not in show, "nothing was stored by the preview", show)
    fbd("2027-01-19T11:01")
    t.ok(new_mail() == [], "and nothing was sent by it")

    p = ctl("2027-01-19T11:05", "program", "pause", "P", "--from", "2027-01-25", "--until",
            "2027-01-31", "--yes")
    t.ok("done: 0 messages queued" in p.stdout, "pause --yes queues no update: none is due",
         p.stdout)
    fbd("2027-01-19T11:06")
    got = new_mail()
    t.ok(got == [], "nothing went with the pause", kinds(got))
    plan = ctl("2027-01-19T12:00", "plan", "P").stdout
    t.ok("Paused for 1 week" in plan and
         any(ln.startswith("4 ") and "2027-02-01" in ln and "Weekly nudge (week 4)" in ln
             for ln in plan.splitlines()), "feedbackctl plan shows the pause and week 4 after it",
         plan)

    for now in ("2027-01-25T08:00", "2027-01-25T09:00", "2027-01-25T12:00", "2027-01-28T09:00",
                "2027-01-31T23:00"):
        fbd(now)
    got = new_mail()
    t.ok(got == [], "during the pause nothing goes out", kinds(got))
    st = ctl("2027-01-27T12:00", "program", "list").stdout
    t.ok("paused, resumes 2027-02-01" in st, "program list: paused", st)

    fbd("2027-02-01T09:00")
    got = new_mail()
    nudges = [(to, m) for k, to, m in got if k == "nudge"]
    reports = [(to, m) for k, to, m in got if k == "weekly_report"]
    t.ok(len(nudges) == 2 and all("week 4 of 10" in text(m).lower() for _, m in nudges),
         "the Monday after the pause: the week-4 nudge to both members",
         [text(m)[:300] for _, m in nudges][:1])
    t.ok(len(reports) == 1 and reports[0][0] == "fay@example.org" and
         "week 3" in text(reports[0][1]), "and the report on week 3 to the facilitator",
         kinds(got))
    mid = [(to, calendar(m)) for k, to, m in got if k == "moment_invite"]
    t.ok(sorted(to for to, _ in mid) == ["ann@example.org", "bob@example.org"] and
         all(c["method"] == "REQUEST" and c["events"][0]["summary"].startswith("Midterm") and
             c["events"][0]["dtstart"]["local"] == "2027-02-08T09:00:00" and
             c["events"][0]["sequence"] == 0 for _, c in mid),
         "and the midterm questionnaire's event, a week before the moved moment: 2027-02-08, "
         "a first event (SEQUENCE 0)", [(to, c["events"][0]) for to, c in mid][:1])
    t.ok(sorted(kinds(got).items()) == [("moment_invite", 2), ("nudge", 2), ("weekly_report", 1)],
         "nothing else that Monday", kinds(got))
    for now in ("2027-02-01T09:00", "2027-02-01T09:30", "2027-02-01T12:00"):
        fbd(now)
    got = new_mail()
    t.ok(got == [], "passes after it send nothing twice", kinds(got))

    # ---- edit the start of Q before it began; after, it is refused ----
    p = ctl("2027-01-20T10:00", "program", "edit", "Q", "--start", "2027-03-15")
    t.ok("Monday 2027-03-01 09:00    -> Monday 2027-03-15 09:00" in p.stdout and
         "nothing changed" in p.stdout, "edit --start: a preview that moves week 1", p.stdout)
    ctl("2027-01-20T10:00", "program", "edit", "Q", "--start", "2027-03-15", "--yes")
    p = ctl("2027-01-20T10:00", "program", "edit", "P", "--start", "2027-03-15", ok=False)
    t.ok(p.returncode == 1 and "began on 2027-01-04" in p.stderr and "program pause P" in
         p.stderr, "edit --start after the start: refused, suggesting pause", p.stderr)

    # ---- replace the facilitator: the session ahead and the reports follow ----
    ctl("2027-02-02T10:00", "session", "schedule", "P", "evaluation", "--at",
        "2027-03-10 14:00", "--duration", "60")
    fbd("2027-02-02T10:01")
    new_mail()
    p = ctl("2027-02-02T11:00", "facilitator", "replace", "T", "fay", "gus@example.org",
            "--name", "Gus")
    t.ok("nothing changed" in p.stdout and "a cancellation to fay@example.org, an invitation "
         "to gus@example.org" in p.stdout, "facilitator replace: a preview", p.stdout)
    ctl("2027-02-02T11:00", "facilitator", "replace", "T", "fay", "gus@example.org", "--name",
        "Gus", "--yes")
    fbd("2027-02-02T11:01")
    got = new_mail()
    fay = [calendar(m) for k, to, m in got if to == "fay@example.org"]
    gus = [calendar(m) for k, to, m in got if to == "gus@example.org"]
    t.ok(len(fay) == 1 and fay[0]["method"] == "CANCEL", "the old facilitator: a CANCEL",
         kinds(got))
    t.ok(len(gus) == 1 and gus[0]["method"] == "REQUEST" and
         gus[0]["events"][0]["dtstart"]["local"] == "2027-03-10T14:00:00",
         "the new one: the invitation", kinds(got))

    fbd("2027-02-08T09:00")
    got = new_mail()
    reports = [to for k, to, m in got if k == "weekly_report"]
    t.ok(reports == ["gus@example.org"], "the next weekly report goes to the new facilitator "
         "only", reports)
    fbd("2027-03-01T09:00")
    got = new_mail()
    cat = [k for k, to, m in got if to == "cat@example.org"]
    t.ok(cat == [], "Q's old start (2027-03-01) sends Cat nothing", cat)
    # the final questionnaire's event comes the week before its moment, moved by the pause to
    # 2027-03-15; P ends after it went, so there is an event ahead to cancel
    fbd("2027-03-08T09:00")
    fin = [(to, calendar(m)["events"][0]) for k, to, m in new_mail() if k == "moment_invite"]
    t.ok(sorted(to for to, _ in fin) == ["ann@example.org", "bob@example.org"] and
         all(e["summary"].startswith("Final") and e["dtstart"]["local"] == "2027-03-15T09:00:00"
             for _, e in fin),
         "2027-03-08: the final questionnaire's event, a week before its moved moment 2027-03-15",
         fin[:1])
    # a pause once an event went: its calendar update (what the week-4 pause had none of)
    p = ctl("2027-03-08T10:00", "program", "pause", "P", "--from", "2027-03-15", "--until",
            "2027-03-21")
    t.ok("calendar updates: 2 questionnaire and reminder events move" in p.stdout,
         "a pause of week 10 once the final's event went: the preview counts its 2 updates",
         p.stdout)
    p = ctl("2027-03-08T10:05", "program", "pause", "P", "--from", "2027-03-15", "--until",
            "2027-03-21", "--yes")
    t.ok("done: 2 messages queued" in p.stdout, "pause --yes queues the two updates", p.stdout)
    fbd("2027-03-08T10:06")
    got = new_mail()
    old = dict(fin)
    t.ok(len(got) == 2 and sorted(to for k, to, m in got if k == "moment_invite") ==
         ["ann@example.org", "bob@example.org"] and
         all(calendar(m)["method"] == "REQUEST" and
             calendar(m)["events"][0]["uid"] == old[to]["uid"] and
             calendar(m)["events"][0]["sequence"] == old[to]["sequence"] + 1 and
             calendar(m)["events"][0]["dtstart"]["local"] == "2027-03-22T09:00:00"
             for k, to, m in got),
         "two updates went, nothing else: same UID, SEQUENCE + 1, the final moved to 2027-03-22",
         [(to, calendar(m)["events"][0]) for k, to, m in got][:1])

    # ---- end P early: cancellations, then silence ----
    p = ctl("2027-03-09T10:00", "program", "end", "P")
    t.ok("nothing changed" in p.stdout and "session 2 (evaluation)" in p.stdout,
         "program end: a preview naming the session to cancel", p.stdout)
    ctl("2027-03-09T10:00", "program", "end", "P", "--yes")
    fbd("2027-03-09T10:01")
    got = new_mail()
    cancels = [(k, to, calendar(m)) for k, to, m in got]
    t.ok(cancels and all(c is not None and c["method"] == "CANCEL" for _, _, c in cancels),
         "only cancellations went", kinds(got))
    sess = sorted(to for k, to, c in cancels if k == "invite_cancel")
    t.ok(sess == ["ann@example.org", "bob@example.org", "gus@example.org"],
         "the evaluation session: a CANCEL to everyone invited", sess)
    mom = sorted((to, c["events"][0]["summary"][:8]) for k, to, c in cancels
                 if k == "moment_cancel")
    t.ok(mom == [("ann@example.org", "Final me"), ("bob@example.org", "Final me")],
         "the questionnaire events that went and are ahead: cancelled (the follow-up's never "
         "went)", mom)
    for now in ("2027-03-09T12:00", "2027-03-15T08:00", "2027-03-15T09:00", "2027-03-22T09:00",
                "2027-09-13T09:00"):
        fbd(now)
    got = new_mail()
    p_mail = [(k, to) for k, to, m in got if to != "cat@example.org"]
    t.ok(p_mail == [], "after the end nothing goes out for P", p_mail)
    cat = sorted(k for k, to, m in got if to == "cat@example.org" and k in ("nudge",
                 "questionnaire"))
    t.ok("nudge" in cat and "questionnaire" in cat, "Q begins at its new start, 2027-03-15",
         cat)
    st = ctl("2027-03-10T12:00", "program", "list").stdout
    t.ok("ended 2027-03-09" in st, "program list: ended", st)

t.finish()
