"""The programme simulator: feedbackd on the embedded default (SQLite + Maildir) with an explicit
clock, and members whose mail programs answer what it sends.

    s = Sim(workdir)                                  # feedbackd.conf, inbox/, sent/ in workdir
    s.ctl("program", "create", "P", "--start", "2027-01-04", now="2027-01-01T12:00")
    s.run(until="2027-03-15T12:00Z", on_mail=answer)  # answer(s, mail) -> [(at, raw bytes), ...]

run() steps the clock over every moment the programmes' plans name (`feedbackctl plan --json`)
and every time a simulated reply is due. At each step it drops the replies that are due into the
inbox Maildir (as a mail server would deliver them) and runs one daemon pass at T: read, apply,
schedule, send. One daemon makes every pass (`feedbackd --now-stdin`: it reads T on a pipe, makes
the pass `feedbackd --once --now T` makes, and answers "done T"), so a programme of 200 passes
does not start 200 processes; Sim(..., once_per_pass=True) or FB_SIM_ONCE=1 in the environment
runs a `feedbackd --once --now T` process per pass instead, as before (the same mail). Every message the pass sent is parsed into a Mail and
given to on_mail, which decides what that member's mail program sends back and when (see
clients.py). Nothing here reads the wall clock; the same scenario gives the same mail.

Used by the demo (tests/sim/demo.py), tests/integration/t07*.py and anything that needs a
programme to have happened.
"""
import datetime
import email
import email.utils
import html.parser
import json
import os
import subprocess
import sys
import weakref
from email import policy

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import servers  # noqa: E402
from clients import ZONE, when  # noqa: E402,F401

UTC = datetime.timezone.utc


def iso_utc(at):
    """The --now form of an instant: minutes, UTC."""
    return when(at).astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.lower().startswith("mailto:"):
                self.links.append(href)


class Mail:
    """One message feedbackd sent, parsed with Python's email package (test side only)."""

    def __init__(self, raw, path, sent_at):
        self.raw, self.path, self.sent_at = raw, path, sent_at
        m = email.message_from_bytes(raw, policy=policy.default)
        self.msg = m
        self.raw_headers = m.raw_items()
        self.to = str(m.get("To", ""))
        self.rcpt = email.utils.parseaddr(self.to)[1].lower()
        self.frm = email.utils.parseaddr(str(m.get("From", "")))[1]
        self.frm_display = str(m.get("From", ""))
        self.reply_to = email.utils.parseaddr(str(m.get("Reply-To", "")))[1] or None
        self.subject = str(m.get("Subject", ""))
        self.message_id = str(m.get("Message-ID", "")).strip()
        self.references = str(m.get("References", "") or "").strip()
        self.return_path = email.utils.parseaddr(str(m.get("Return-Path", "")))[1] or None
        self.kind = str(m.get("X-Feedbackd-Kind", "") or "")
        self.date = email.utils.parsedate_to_datetime(str(m["Date"])) if m.get("Date") else sent_at
        local = (self.reply_to or "").split("@")[0]
        self.token = local.split("+", 1)[1] if "+" in local else None
        plain = m.get_body(("plain",))
        self.text = plain.get_content() if plain is not None else ""
        htmlpart = m.get_body(("html",))
        self.html_body = htmlpart.get_content() if htmlpart is not None else ""
        self.calendar = None
        self.calendar_method = None
        for part in m.walk():
            if part.get_content_type() == "text/calendar" and self.calendar is None:
                self.calendar = part.get_content()
                self.calendar_method = part.get_param("method")
        p = _Links()
        p.feed(self.html_body)
        self.mailto_links = p.links

    def __repr__(self):
        return "<Mail %s to %s at %s: %s>" % (self.kind, self.rcpt, iso_utc(self.sent_at), self.subject)


class Sim(servers.Feedbackd):
    """feedbackd in workdir (created if missing) with the embedded default and an explicit clock."""

    def __init__(self, workdir, sections=None, once_per_pass=None):
        self.stepper = None        # the feedbackd --now-stdin making the passes, once started
        self._end = None           # ends it: at close(), or when the Sim goes or Python exits
        self.once_per_pass = (os.environ.get("FB_SIM_ONCE") == "1" if once_per_pass is None
                              else once_per_pass)
        self.dir = os.path.abspath(workdir)
        os.makedirs(self.dir, exist_ok=True)
        self.conf = os.path.join(self.dir, "feedbackd.conf")
        self.db = os.path.join(self.dir, "feedbackd.db")
        self.log = os.path.join(self.dir, "feedbackd.log")
        self.proc = None
        self.inbox = os.path.join(self.dir, "inbox")
        self.outbox = os.path.join(self.dir, "sent")
        for d in (self.inbox, self.outbox):
            for sub in ("new", "cur", "tmp"):
                os.makedirs(os.path.join(d, sub), exist_ok=True)
        base = {"outgoing": {"maildir": self.outbox}, "incoming": {"maildir": self.inbox}}
        for sec, kv in (sections or {}).items():
            base.setdefault(sec, {}).update(kv)
        self.configure(base)
        self.clock = None          # the instant of the last pass
        self.mail = []             # every Mail sent so far, in order
        self.delivered = 0         # messages dropped into the inbox
        self.passes = 0
        self._seen = set()
        self._queue = []           # (at, n, raw) replies not yet delivered
        self._n = 0
        self._moments = None       # cached plan instants; None after a ctl() call

    # --- feedbackctl -------------------------------------------------------------------------
    def ctl(self, *args, now=None, check=True):
        self._moments = None       # a command may change the plan (sessions, absences, …)
        return super().ctl(*args, now=iso_utc(now) if now else (iso_utc(self.clock) if self.clock else None),
                           check=check)

    def programmes(self):
        return [p["name"] for p in self.ctl_json("program", "list")]

    def moments(self):
        """Every scheduled moment of every programme: sorted list of (instant, key, programme)."""
        if self._moments is None:
            out = []
            for prog in self.programmes():
                for m in self.ctl_json("plan", prog):
                    if m.get("scheduled") and m.get("utc"):
                        out.append((when(m["utc"]), m["key"], prog))
            self._moments = sorted(out)
        return self._moments

    # --- the daemon --------------------------------------------------------------------------
    def configure(self, sections):
        self.close()               # the next pass reads the new file, as a new process would
        super().configure(sections)

    def once(self, now=None, timeout=300):
        self.close()               # one daemon per database: the stepper gives way
        return super().once(now, timeout)

    def start(self, now=None, once=False):
        self.close()
        return super().start(now, once)

    def close(self):
        """End the daemon that makes the passes (the end of its input); its exit code, or None
        when none runs."""
        end, self._end, self.stepper = self._end, None, None
        return end() if end is not None else None

    def __exit__(self, *exc):
        self.close()
        super().__exit__(*exc)

    def _step(self, now):
        """One pass at now (the --now form) by the daemon that makes every pass, started at the
        first; returns what it answered ("done NOW", "failed NOW", "error …"), "" when it ended."""
        if self.stepper is None:
            with open(self.log, "a") as log:
                log.write("=== now-stdin\n")
                log.flush()
                self.stepper = subprocess.Popen([servers.FEEDBACKD, "-c", self.conf, "--foreground", "--now-stdin"],
                                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                                                text=True, bufsize=1)
            self._end = weakref.finalize(self, _end_stepper, self.stepper)
        with open(self.log, "a") as log:
            log.write("=== pass %s\n" % now)
        try:
            self.stepper.stdin.write(now + "\n")
            self.stepper.stdin.flush()
            return self.stepper.stdout.readline().strip()
        except OSError:            # it ended: its exit code and the log say why
            return ""

    def deliver(self, raw, at=None):
        """Drop raw (bytes) into the inbox Maildir's new/ as a mail server delivers it."""
        self._n += 1
        stamp = int(when(at).timestamp()) if at else 0
        name = "%d.M%06dP%d.sim" % (stamp, self._n, os.getpid())
        tmp = os.path.join(self.inbox, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(raw)
        if at:
            os.utime(tmp, (stamp, stamp))
        os.rename(tmp, os.path.join(self.inbox, "new", name))
        self.delivered += 1

    def later(self, at, raw):
        """Deliver raw at instant `at` (during run())."""
        self._n += 1
        self._queue.append((when(at), self._n, raw))
        self._queue.sort(key=lambda q: (q[0], q[1]))

    def _collect(self, at):
        found = []
        for sub in ("new", "cur"):
            d = os.path.join(self.outbox, sub)
            for name in os.listdir(d):
                if name in self._seen:
                    continue
                path = os.path.join(d, name)
                found.append((os.stat(path).st_mtime_ns, name, path))
        out = []
        for _, name, path in sorted(found):
            self._seen.add(name)
            with open(path, "rb") as f:
                out.append(Mail(f.read(), path, at))
        self.mail.extend(out)
        return out

    def pass_at(self, at):
        """One daemon pass at instant `at`; the Mail it sent. A failing pass raises with the log."""
        at = when(at)
        if self.once_per_pass:
            rc = self.once(iso_utc(at))
            failed = "feedbackd --once --now %s exited %d" % (iso_utc(at), rc) if rc != 0 else None
        else:
            answer = self._step(iso_utc(at))
            failed = None
            if answer != "done " + iso_utc(at):
                rc = self.close() if not answer.startswith("failed ") else None
                failed = "feedbackd --now-stdin, the pass at %s: %s" % (
                    iso_utc(at), answer or "the daemon ended (exit %s)" % rc)
        self.passes += 1
        self.clock = at
        if failed:
            raise RuntimeError("%s:\n%s" % (failed, "".join(self.log_text().splitlines(True)[-30:])))
        return self._collect(at)

    def run(self, until, on_mail=None, extra=()):
        """Step the clock to `until` over every planned moment, every queued reply and every instant
        in `extra`; deliver due replies before each pass; hand each sent Mail to on_mail(sim, mail),
        which returns [(at, raw), ...] to deliver later. Returns the Mail sent during the run."""
        until = when(until)
        extra = sorted(when(x) for x in extra)
        sent = []
        while True:
            after = self.clock
            cands = [t for t, _, _ in self.moments() if after is None or t > after]
            cands += [q[0] for q in self._queue]
            cands += [t for t in extra if after is None or t > after]
            cands += self.outbox_wakes(after)
            if not cands:
                break
            t = min(cands)
            if after is not None and t <= after:
                t = after + datetime.timedelta(minutes=1)
            if t > until:
                break
            while self._queue and self._queue[0][0] <= t:
                at, _, raw = self._queue.pop(0)
                self.deliver(raw, at)
            for m in self.pass_at(t):
                sent.append(m)
                for at, raw in (on_mail(self, m) if on_mail else None) or ():
                    at = when(at)
                    self.later(at if at > t else t + datetime.timedelta(minutes=1), raw)
        return sent

    def outbox_wakes(self, after):
        """When the daemon would wake for its outbox (seconds_to_wait: a retry, held mail, mail the
        budget deferred to a later day): the earliest such time after `after`, as a list."""
        if after is None:
            return []
        rows = self.sql("SELECT min(next_attempt_at) FROM outbox WHERE state IN ('queued', 'retry', 'held')"
                        " AND next_attempt_at > ?", int(after.timestamp()))
        t = rows[0][0] if rows else None
        return [datetime.datetime.fromtimestamp(t, UTC)] if t else []

    # --- looking at what happened ----------------------------------------------------------------
    def sent(self, to=None, kind=None):
        """Mail sent so far, filtered on recipient address and X-Feedbackd-Kind."""
        return [m for m in self.mail if (to is None or m.rcpt == to.lower()) and (kind is None or m.kind == kind)]

    def measurement_of(self, mail):
        """The measurement (baseline, midterm, final, followup) a questionnaire mail's token is for."""
        rows = self.sql("SELECT m.kind FROM token t JOIN questionnaire q ON q.id = t.ref_id "
                        "JOIN measurement m ON m.id = q.measurement_id WHERE t.token = ?", mail.token)
        return rows[0][0] if rows else None

    def inbox_states(self):
        """{state: count} of the inbox table."""
        return dict(self.sql("SELECT state, count(*) FROM inbox GROUP BY state"))


def _end_stepper(p):
    """The end of its input ends the daemon; its exit code."""
    try:
        p.stdin.close()
    except OSError:
        pass
    try:
        return p.wait(60)
    except subprocess.TimeoutExpired:
        p.kill()
        return p.wait()
    finally:
        p.stdout.close()


def dump(obj):
    return json.dumps(obj, indent=2, ensure_ascii=False, default=str)
