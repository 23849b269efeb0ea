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
import email.headerregistry
import email.parser
import email.utils
import functools
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


class _Headers(email.headerregistry.HeaderRegistry):
    """The email package's header classes, each (name, value) parsed once: the parser asks a
    part's Content-Type again and again (get_content_type, get_body, walk), and parsing it
    anew each time was most of the simulator's time. The header objects are read-only, so
    the same one can be handed out for the same text."""

    @functools.lru_cache(maxsize=8192)
    def __call__(self, name, value):
        return super().__call__(name, value)


# policy.default, with the parsed headers kept (_Headers): the same values, parsed once.
POLICY = policy.default.clone(header_factory=_Headers())


class Mail:
    """One message feedbackd sent, parsed with Python's email package (test side only).

    Each attribute is worked out when it is first read (functools.cached_property): a
    simulation looks at the recipient and kind of every message, and at the body of few, and
    the email package's parsing was most of the demo's time."""

    def __init__(self, raw, path, sent_at):
        self.raw, self.path, self.sent_at = raw, path, sent_at

    @functools.cached_property
    def msg(self):
        return email.message_from_bytes(self.raw, policy=POLICY)

    @functools.cached_property
    def head(self):
        """The header alone (the body not parsed): what most of the attributes need."""
        return email.parser.BytesHeaderParser(policy=POLICY).parsebytes(self.raw)

    @functools.cached_property
    def raw_headers(self):
        return self.head.raw_items()

    @functools.cached_property
    def to(self):
        return str(self.head.get("To", ""))

    @functools.cached_property
    def rcpt(self):
        return email.utils.parseaddr(self.to)[1].lower()

    @functools.cached_property
    def frm(self):
        return email.utils.parseaddr(str(self.head.get("From", "")))[1]

    @functools.cached_property
    def frm_display(self):
        return str(self.head.get("From", ""))

    @functools.cached_property
    def reply_to(self):
        return email.utils.parseaddr(str(self.head.get("Reply-To", "")))[1] or None

    @functools.cached_property
    def subject(self):
        return str(self.head.get("Subject", ""))

    @functools.cached_property
    def message_id(self):
        return str(self.head.get("Message-ID", "")).strip()

    @functools.cached_property
    def references(self):
        return str(self.head.get("References", "") or "").strip()

    @functools.cached_property
    def return_path(self):
        return email.utils.parseaddr(str(self.head.get("Return-Path", "")))[1] or None

    @functools.cached_property
    def kind(self):
        return str(self.head.get("X-Feedbackd-Kind", "") or "")

    @functools.cached_property
    def date(self):
        m = self.head
        return email.utils.parsedate_to_datetime(str(m["Date"])) if m.get("Date") else self.sent_at

    @functools.cached_property
    def token(self):
        local = (self.reply_to or "").split("@")[0]
        return local.split("+", 1)[1] if "+" in local else None

    @functools.cached_property
    def text(self):
        plain = self.msg.get_body(("plain",))
        return plain.get_content() if plain is not None else ""

    @functools.cached_property
    def html_body(self):
        htmlpart = self.msg.get_body(("html",))
        return htmlpart.get_content() if htmlpart is not None else ""

    @functools.cached_property
    def _calendar_part(self):
        for part in self.msg.walk():
            if part.get_content_type() == "text/calendar":
                return part.get_content(), part.get_param("method")
        return None, None

    @property
    def calendar(self):
        return self._calendar_part[0]

    @calendar.setter
    def calendar(self, text):
        # tests answer an invitation with a changed copy of it (t0620)
        self._calendar_part = (text, self._calendar_part[1])

    @property
    def calendar_method(self):
        return self._calendar_part[1]

    @functools.cached_property
    def mailto_links(self):
        p = _Links()
        p.feed(self.html_body)
        return p.links

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
