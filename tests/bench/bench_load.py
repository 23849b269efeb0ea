#!/usr/bin/python3
"""Benchmark: one week of a 5,000-member programme at full speed, over real servers on loopback.

feedbackd runs continuously (not --once) with --now at the Monday 09:00 of week 2, so its clock
advances from there in real time; it reads Dovecot by IMAP (IDLE) and sends through Postfix's
smtp-sink. This script plays the 5,000 members (500 teams x 10):

  1. the scheduler's nudge reaches member k of a team: k answers it (a Gmail-style reply, quoting
     the nudge) with "Vraag feedback aan: <colleague k+1>", delivered into the IMAP mailbox;
  2. the request reaches colleague k+1, who answers it with the three parts (Bevestiging,
     Kritiek, Constructief), delivered as well;
  3. feedbackd sends k the feedback_received mail (and k+1 a receipt).

Replies are delivered as an MDA delivers (a file renamed into the Maildir's new/ that Dovecot
serves; LOAD_DELIVERY=append uses IMAP APPEND instead, see Appender), and the time each one is
in the mailbox is recorded; each mail's arrival at the SMTP server is the mtime of the file
smtp-sink writes it to (the last write is the end of DATA, before the server says 250).
Latency: answer in the mailbox -> feedback_received arrived (and ask -> request arrived),
matched by recipient: every member is asked by exactly one colleague.

Peer: a "do-nothing relay" in Python (imaplib IDLE -> UID FETCH -> email.message_from_bytes ->
get_body -> smtplib, one message out per reply, \\Seen set), fed the SAME replies at the SAME
moments (the delivery timeline of the feedbackd run replayed into a second mailbox): the floor
of what any reader-and-sender of these replies costs on this machine; and then the same replies
all at once, for its throughput. Peak RSS of both by wait4.

usage: /usr/bin/python3 tests/bench/bench_load.py          (after make tests-build)
env:   LOAD_MEMBERS=5000 (rounded up to teams of 10), LOAD_TIMEOUT=900 (seconds, then it gives up),
       LOAD_KEEP=DIR (work in DIR and leave the logs, database and mail there),
       LOAD_DELIVERY=maildir (default) or append (how replies reach the mailbox),
       LOAD_SETUP=copy (default: team 1 by feedbackctl, the others copies of its rows) or ctl
       (every team by feedbackctl: minutes per thousand members)
bench_org.py runs this driver over a whole week at 100,000 members (make bench BENCH=org).
Prints BENCH lines (tests/bench convention); progress goes to stderr.
"""
import contextlib
import email
import email.parser
import email.policy
import imaplib
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers import FEEDBACKCTL, FEEDBACKD, Dovecot, Feedbackd, SmtpSink  # noqa: E402

TEAM = 10
MEMBERS = -(-int(os.environ.get("LOAD_MEMBERS", "5000")) // TEAM) * TEAM
TIMEOUT = float(os.environ.get("LOAD_TIMEOUT", "900"))
START = "2027-01-04"             # week 1's Monday
NOW = "2027-01-11T09:00:00"      # week 2's nudge
FIRST = ("Anna", "Bram", "Carla", "Daan", "Eva", "Finn", "Gijs", "Hanna", "Ilse", "Joris")
LAST = ("de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
        "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer")
SETTLE = 0.15   # without /proc: a dump file untouched this long is taken as complete
KEEP = os.environ.get("LOAD_KEEP")  # a directory: leave the servers' and daemon's files there


def progress(fmt, *args):
    sys.stderr.write("load: " + (fmt % args if args else fmt) + "\n")
    sys.stderr.flush()


def member_name(i):
    return "%s %s" % (FIRST[i % TEAM], LAST[(i // TEAM) % len(LAST)])


def member_addr(i):
    return "m%d@example.org" % i


def colleague(i):
    """Whom member i asks: the next one in the team (so everyone is asked exactly once)."""
    return i - i % TEAM + (i % TEAM + 1) % TEAM


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, int(round(p / 100.0 * len(xs) + 0.5)) - 1))]


# ---- the members' mail programs -----------------------------------------------------------------

def text_of(raw):
    """The text/plain part of a mail we received (decoded), for quoting."""
    msg = email.message_from_bytes(raw)
    for part in msg.walk():
        if part.get_content_type() == "text/plain":
            data = part.get_payload(decode=True) or b""
            return data.decode(part.get_content_charset() or "utf-8", "replace")
    return ""


def reply(hdr, raw, who, body, seq):
    """A Gmail-style plain-text reply of member `who` to the mail (headers hdr, bytes raw)."""
    quoted = "\r\n".join("> " + line if line else ">" for line in text_of(raw).splitlines())
    subject = hdr["Subject"] or ""
    mid = hdr["Message-ID"] or ""
    text = ("%s\r\n\r\nGroet,\r\n%s\r\n\r\nOp ma 11 jan 2027 om 09:00 schreef Feedback "
            "<feedback@feedbackd.test>:\r\n%s\r\n" % (body, FIRST[who % TEAM], quoted))
    head = ("From: %s <%s>\r\nTo: %s\r\nSubject: Re: %s\r\nDate: Mon, 11 Jan 2027 09:%02d:%02d +0100\r\n"
            "Message-ID: <load%d.%d@mail.example.org>\r\nIn-Reply-To: %s\r\nReferences: %s\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n"
            % (member_name(who), member_addr(who), hdr["Reply-To"] or "feedback@feedbackd.test",
               subject, seq // 60 % 60, seq % 60, seq, who, mid, mid))
    return (head + text).encode()


def ask_body(i):
    return "Vraag feedback aan: %s\r\nOver: mijn presentatie in het teamoverleg" % member_name(colleague(i))


def answer_body(i, asker):
    return ("Bevestiging: je gaf %s heldere voorbeelden, vaker doen.\r\n"
            "Kritiek: de conclusie kwam pas aan het eind.\r\n"
            "Constructief: begin met de conclusie en de vraag aan het team." % FIRST[asker % TEAM])


# ---- the SMTP side: smtp-sink's dump files --------------------------------------------------------

class Sink:
    """smtp-sink writing every transaction to a file; poll() hands over the complete ones as
    (arrival time, recipient, headers, raw message) and moves them out of the way (to
    NAME.seen with LOAD_KEEP, else deletes them).

    smtp-sink opens a transaction's file at RCPT and closes it at the end of DATA: a file it
    still holds open is not complete, however long it has been untouched (a client that
    pauses between RCPT and the end of DATA, as the Python relay does on a loaded machine,
    left a file of smtp-sink's own lines only: the relay's KeyError: None of issue 20). The
    directory is listed BEFORE smtp-sink's open files are read, so a file created between the
    two is not taken for complete."""

    def __init__(self, tmp, name):
        self.dump = os.path.join(tmp, name)
        self.seen = os.path.join(tmp, name + ".seen") if KEEP else None
        if self.seen:
            os.makedirs(self.seen)
        self.server = SmtpSink(tmp, dump_dir=self.dump, backlog=1024)
        self.parser = email.parser.BytesHeaderParser()

    def open_files(self):
        """The dump files smtp-sink holds open, or None when /proc does not say."""
        fds = "/proc/%d/fd" % self.server.proc.pid
        try:
            names = os.listdir(fds)
        except OSError:
            return None
        held = set()
        for fd in names:
            try:
                held.add(os.path.basename(os.readlink(os.path.join(fds, fd))))
            except OSError:
                pass  # closed meanwhile
        return held

    def poll(self):
        out = []
        with os.scandir(self.dump) as it:
            entries = list(it)
        held = self.open_files()
        now = time.time_ns()
        for e in entries:
            if held is not None and e.name in held:
                continue
            st = e.stat()
            if held is None and now - st.st_mtime_ns < SETTLE * 1e9:
                continue
            with open(e.path, "rb") as f:
                data = f.read()
            if self.seen:
                os.rename(e.path, os.path.join(self.seen, e.name))
            else:
                os.unlink(e.path)
            # smtp-sink's own lines first (X-Client-Addr ... X-Rcpt-Args, Received), then the mail
            hdr = self.parser.parsebytes(data)
            rcpt = (hdr.get("X-Rcpt-Args") or "").strip("<> ")
            out.append((st.st_mtime_ns / 1e9, rcpt, hdr, data))
        out.sort(key=lambda x: x[0])
        return out


# ---- the IMAP side: replies arrive in order, recording when each one was in the mailbox ---------

DELIVERY = os.environ.get("LOAD_DELIVERY", "maildir")


class Appender(threading.Thread):
    """Puts queued (key, raw) into user's INBOX in order; times[key] is when it was there.

    LOAD_DELIVERY=maildir (the default): as an MDA (dovecot-lda, LMTP) delivers, a file written
    into the Maildir's tmp/ and renamed into new/; the time is the rename's. Dovecot sees it
    through inotify and tells the daemon's IDLE, as it would in production.
    LOAD_DELIVERY=append: IMAP APPEND over one imaplib session, the time when the server's OK
    came back. Dovecot fsyncs and updates its index per APPEND: ~90-140 APPENDs/s on one
    session here, so the members, not feedbackd, set the pace."""

    def __init__(self, imap, user):
        super().__init__(daemon=True)
        self.imap = imap
        self.user = user
        self.q = queue.Queue()
        self.times = {}
        self.log = []   # (time, key, raw) in delivery order, for the peer's replay
        self.error = None
        self.seq = 0
        self.c = None
        if DELIVERY == "append":
            self.c = imaplib.IMAP4("127.0.0.1", imap.port)
            self.c.login(user, "secret")
        elif DELIVERY != "maildir":
            raise SystemExit("LOAD_DELIVERY=%s: want maildir or append" % DELIVERY)

    def put(self, key, raw, at=None):
        self.q.put((key, raw, at))

    def deliver(self, raw):
        if self.c is None:
            self.seq += 1
            self.imap.deliver(raw, user=self.user, name="%d.L%dP%d.load" % (time.time(), self.seq, os.getpid()))
            return
        typ, data = self.c.append("INBOX", None, None, raw)
        if typ != "OK":
            raise RuntimeError("APPEND: %s %s" % (typ, data))

    def run(self):
        try:
            while True:
                key, raw, at = self.q.get()
                if key is None:
                    break
                if at is not None:
                    delay = at - time.time()
                    if delay > 0:
                        time.sleep(delay)
                self.deliver(raw)
                t = time.time()
                self.times[key] = t
                self.log.append((t, key, raw))
            if self.c is not None:
                self.c.logout()
        except Exception as e:  # noqa: BLE001 - reported by the main thread
            self.error = e

    def finish(self):
        self.q.put((None, None, None))
        self.join(60)


# ---- processes with their peak RSS ---------------------------------------------------------------

def exited(proc):
    """None while proc runs, else its exit code; does not reap it (stop_rss() wants its rusage)."""
    r = os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    if r is None:
        return None
    return r.si_status if r.si_code == os.CLD_EXITED else -r.si_status


def stop_rss(proc):
    """SIGTERM proc, reap it with wait4: (exit code, peak RSS MiB, CPU seconds)."""
    if exited(proc) is None:
        os.kill(proc.pid, signal.SIGTERM)
    _, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, ru.ru_maxrss / 1024.0, ru.ru_utime + ru.ru_stime


# ---- feedbackd's week ----------------------------------------------------------------------------

SETUP = os.environ.get("LOAD_SETUP", "copy")


def write_team_csv(fb, t):
    csv = os.path.join(fb.dir, "team.csv")
    with open(csv, "w") as f:
        f.write("naam;e-mail\n")
        for i in range(t * TEAM, (t + 1) * TEAM):
            f.write("%s;%s\n" % (member_name(i), member_addr(i)))
    return csv


def facilitator_addr(t):
    return "f%d@example.org" % t


def setup(fb, members, start, facilitators=False):
    """The programme: teams of TEAM, a facilitator each when asked. LOAD_SETUP=ctl makes every
    team with feedbackctl (team add, member import, facilitator add: ~0.1-0.4 s a team here, an
    hour for 100,000 members); copy (the default) makes team 1 so and writes the others as
    copies of its rows in one transaction, the columns and values feedbackctl wrote, names
    and addresses changed. Setup is not what is measured."""
    t0 = time.monotonic()
    teams = members // TEAM
    fb.ctl("program", "create", "Load", "--start", start, "--language", "nl", now="2027-01-01T12:00")
    for t in range(teams if SETUP == "ctl" else 1):
        team = "Team %04d" % (t + 1)
        fb.ctl("team", "add", "Load", team)
        fb.ctl("member", "import", team, write_team_csv(fb, t))
        if facilitators:
            fb.ctl("facilitator", "add", team, facilitator_addr(t), "--name", "Facilitator %d" % t)
        if (t + 1) % 100 == 0:
            progress("%d of %d teams created", t + 1, teams)
    if SETUP == "copy" and teams > 1:
        copy_teams(fb, teams)
    elif SETUP not in ("copy", "ctl"):
        raise SystemExit("LOAD_SETUP=%s: want copy or ctl" % SETUP)
    progress("programme of %d members made in %.1f s (%s)", members, time.monotonic() - t0, SETUP)


def copy_teams(fb, teams):
    """Teams 2..teams as copies of team 1 (see setup())."""
    import sqlite3
    c = sqlite3.connect(fb.db, timeout=60)
    try:
        with c:
            prog, tcreated = c.execute("SELECT program_id, created_at FROM team WHERE id = 1").fetchone()
            mrows = c.execute("SELECT timezone, language, status, created_at FROM member "
                              "WHERE team_id = 1 ORDER BY id").fetchall()
            frow = c.execute("SELECT created_at FROM facilitator WHERE team_id = 1").fetchone()
            if len(mrows) != TEAM:
                raise SystemExit("setup: team 1 has %d members, want %d" % (len(mrows), TEAM))
            for t in range(1, teams):
                tid = c.execute("INSERT INTO team (program_id, name, created_at) VALUES (?, ?, ?)",
                                (prog, "Team %04d" % (t + 1), tcreated)).lastrowid
                for k, (tz, lang, status, created) in enumerate(mrows):
                    i = t * TEAM + k
                    mid = c.execute("INSERT INTO member (team_id, name, timezone, language, status, "
                                    "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                                    (tid, member_name(i), tz, lang, status, created)).lastrowid
                    c.execute("INSERT INTO member_address (member_id, program_id, address, is_primary) "
                              "VALUES (?, ?, ?, 1)", (mid, prog, member_addr(i)))
                if frow is not None:
                    c.execute("INSERT INTO facilitator (team_id, name, address, created_at) "
                              "VALUES (?, ?, ?, ?)", (tid, "Facilitator %d" % t, facilitator_addr(t), frow[0]))
    finally:
        c.close()


class Phase:
    """One run of the daemon: --now at, until the mails of want (kind -> count) have all
    arrived; with members_reply, members answer nudges and requests (the ask and answer of
    the module's docstring)."""

    def __init__(self, name, at, want, members_reply=False):
        self.name, self.at, self.want, self.members_reply = name, at, want, members_reply


def load_week(members):
    """bench_load's week: week 2's Monday at 09:00, nudges answered, requests answered."""
    return [Phase("Monday", NOW, {"feedback_received": members, "feedback_receipt": members,
                                  "request_sent": members}, members_reply=True)]


def run_feedbackd(tmp, imap, members, phases, start=START, facilitators=False, user="fb"):
    """feedbackd through phases (a fresh process each, on the same database): CPU summed, peak
    RSS the largest, mails counted by kind; latencies of the phase where members reply."""
    sink = Sink(tmp, "sink-" + user)
    sink.server.start()
    fb = Feedbackd(tmp, {"incoming": {"mailbox": "imap", "url": imap.url(), "starttls": "no",
                                      "username": user, "password": "secret"},
                         "outgoing": {"transport": "smtp", "url": sink.server.url(), "starttls": "no"}},
                   name="load%d" % members)
    proc = None
    res = {"rss": 0.0, "cpu": 0.0, "kinds": {}, "mails": 0, "busy": 0.0, "phases": [],
           "ask_lat": [], "ans_lat": [], "replies": 0, "log": [], "first_reply": None}
    try:
        setup(fb, members, start, facilitators)
        app = Appender(imap, user)
        app.start()
        seq = 0
        for ph in phases:
            kinds = {}
            arrivals = []           # every mail's arrival time
            asked_at = {}           # giver -> arrival of the request mail
            received_at = {}        # asker -> arrival of feedback_received
            log = open(fb.log, "a")
            log.write("=== phase %s --now %s\n" % (ph.name, ph.at))
            log.flush()
            t_start = time.time()
            proc = subprocess.Popen([FEEDBACKD, "-c", fb.conf, "--foreground", "--now", ph.at],
                                    stdout=log, stderr=log)
            log.close()
            deadline = time.monotonic() + TIMEOUT
            last_note = time.monotonic()
            while True:
                if exited(proc) is not None:
                    raise SystemExit("feedbackd exited with %d: %s" % (exited(proc), fb.log_text()[-1500:]))
                if app.error:
                    raise SystemExit("delivery failed: %s" % app.error)
                batch = sink.poll()
                for at, rcpt, hdr, raw in batch:
                    kind = hdr.get("X-Feedbackd-Kind") or "?"
                    kinds[kind] = kinds.get(kind, 0) + 1
                    arrivals.append(at)
                    if not ph.members_reply or not rcpt.startswith("m") or "@example.org" not in rcpt:
                        continue
                    who = int(rcpt[1:rcpt.index("@")])
                    if kind == "nudge":
                        seq += 1
                        app.put(("ask", who), reply(hdr, raw, who, ask_body(who), seq))
                    elif kind == "request":
                        seq += 1
                        asked_at[who] = at
                        asker = who - who % TEAM + (who % TEAM - 1) % TEAM
                        app.put(("answer", asker), reply(hdr, raw, who, answer_body(who, asker), seq))
                    elif kind == "feedback_received":
                        received_at[who] = at
                if all(kinds.get(k, 0) >= n for k, n in ph.want.items()):
                    break
                if time.monotonic() > deadline:
                    raise SystemExit("%s: timed out after %.0f s: mails so far %s (want %s)"
                                     % (ph.name, TIMEOUT, kinds, ph.want))
                if time.monotonic() - last_note > 5:
                    last_note = time.monotonic()
                    progress("%s %.0f s: %d mails arrived %s, %d replies delivered", ph.name,
                             time.time() - t_start, len(arrivals), dict(sorted(kinds.items())), len(app.times))
                if not batch:
                    time.sleep(0.05)
            t_end = time.time()
            rc, rss, cpu = stop_rss(proc)
            if rc != 0:
                raise SystemExit("feedbackd exited with %d on SIGTERM: %s" % (rc, fb.log_text()[-1500:]))
            progress("%s: %d mails in %.1f s, feedbackd CPU %.1f s, peak RSS %.1f MiB", ph.name,
                     len(arrivals), t_end - t_start, cpu, rss)
            res["cpu"] += cpu
            res["rss"] = max(res["rss"], rss)
            res["mails"] += len(arrivals)
            if arrivals:
                res["busy"] += max(arrivals) - min(arrivals)
            for k, n in kinds.items():
                res["kinds"][k] = res["kinds"].get(k, 0) + n
            res["phases"].append({"name": ph.name, "seconds": t_end - t_start, "cpu": cpu, "rss": rss,
                                  "mails": len(arrivals)})
            if ph.members_reply:
                res.update(t_start=t_start, t_end=t_end, first_mail=min(arrivals), last_mail=max(arrivals),
                           phase_mails=len(arrivals))
                ask_lat, ans_lat = [], []
                for a in range(members):
                    if ("ask", a) in app.times and colleague(a) in asked_at:
                        ask_lat.append(asked_at[colleague(a)] - app.times[("ask", a)])
                    if ("answer", a) in app.times and a in received_at:
                        ans_lat.append(received_at[a] - app.times[("answer", a)])
                res["ask_lat"], res["ans_lat"] = ask_lat, ans_lat
        app.finish()
        applied = fb.sql("SELECT count(*) FROM inbox WHERE state = 'applied'")[0][0]
        feedback = fb.sql("SELECT count(*) FROM feedback")[0][0]
        if applied != 2 * members or feedback != members:
            raise SystemExit("feedbackd applied %d replies, stored %d feedback (want %d, %d)"
                             % (applied, feedback, 2 * members, members))
        replies = sorted(app.times.values())
        res.update(first_reply=replies[0] if replies else None, replies=len(replies), log=app.log)
        return res
    finally:
        if proc is not None and proc.returncode is None and proc.poll() is None:
            proc.kill()
            proc.wait()
        sink.server.stop()


# ---- the peer: a do-nothing relay on the same replies at the same moments -------------------------

RELAY = r'''
import email, email.policy, imaplib, smtplib, sys, time
port, sink, want, user = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
c = imaplib.IMAP4("127.0.0.1", port)
c.login(user, "secret")
c.select("INBOX")
s = smtplib.SMTP("127.0.0.1", sink)
last, done = 0, 0
while done < want:
    try:
        typ, data = c.uid("FETCH", "%d:*" % (last + 1), "(BODY.PEEK[])")
    except imaplib.IMAP4.error:
        data = []  # an empty mailbox
    got = 0
    for item in data:
        if not isinstance(item, tuple):
            continue
        uid = int(item[0].split(b"UID ")[1].split()[0])
        if uid <= last:
            continue
        msg = email.message_from_bytes(item[1], policy=email.policy.default)
        body = msg.get_body(("plain", "html"))
        out = email.message.EmailMessage()
        out["From"] = "relay@feedbackd.test"
        out["To"] = msg["From"]
        out["Subject"] = "Fwd: " + (msg["Subject"] or "")
        out["X-Relay-Of"] = msg["Message-ID"]
        out.set_content(body.get_content() if body is not None else "")
        s.send_message(out)
        c.uid("STORE", str(uid), "+FLAGS", "(\\Seen)")
        last, got, done = uid, got + 1, done + 1
    if got == 0 and done < want:
        # IMAP IDLE (imaplib of Python 3.11 has none): wait for the server's EXISTS
        tag = c._new_tag()
        c.send(tag + b" IDLE\r\n")
        c.readline()
        while True:
            line = c.readline()
            if b"EXISTS" in line or not line:
                break
        c.send(b"DONE\r\n")
        while not c.readline().startswith(tag):
            pass
s.quit()
c.logout()
'''


class PeerFailed(Exception):
    """The peer could not be measured (the figures then say so instead of the run crashing)."""


def run_relay(tmp, imap, log, user, replay):
    """The relay on the replies of log, delivered into user's mailbox: at the moments of the
    feedbackd run (replay) or all at once, as fast as they can be written (not replay).
    PeerFailed when it cannot be measured; a mail it sent that names no reply of log is
    counted (stray) and left out, not a crash."""
    sink = Sink(tmp, "sink-" + user)
    sink.server.start()
    proc = None
    try:
        script = os.path.join(tmp, "relay.py")
        with open(script, "w") as f:
            f.write(RELAY)
        proc = subprocess.Popen([sys.executable, script, str(imap.port), str(sink.server.port),
                                 str(len(log)), user], stderr=open(os.path.join(tmp, "relay.err"), "a"))
        time.sleep(0.5)  # logged in and idling
        app = Appender(imap, user)
        app.start()
        t0 = time.time() + 0.2
        base = log[0][0]
        ids = {}
        for t, key, raw in log:
            mid = raw.split(b"Message-ID: ", 1)[1].split(b"\r\n", 1)[0].decode()
            ids[mid] = key
            app.put(key, raw, at=t0 + (t - base) if replay else None)
        got = {}
        stray = 0
        deadline = time.monotonic() + TIMEOUT
        while len(got) < len(log):
            if exited(proc) not in (None, 0):
                raise PeerFailed("relay exited with %d (%s)" % (exited(proc), os.path.join(tmp, "relay.err")))
            if app.error:
                raise PeerFailed("delivery failed: %s" % app.error)
            if time.monotonic() > deadline:
                raise PeerFailed("relay timed out: %d of %d, %d stray" % (len(got), len(log), stray))
            batch = sink.poll()
            for at, _, hdr, _ in batch:
                key = ids.get(hdr.get("X-Relay-Of"))
                if key is None:
                    stray += 1
                else:
                    got[key] = at
            if not batch:
                time.sleep(0.05)
        app.finish()
        # It quits by itself once it has sent them all; on a loaded machine that can take a
        # moment, and a SIGTERM then (-15) is no failure: everything was measured.
        quit_by = time.monotonic() + 30
        while exited(proc) is None and time.monotonic() < quit_by:
            time.sleep(0.05)
        rc, rss, cpu = stop_rss(proc)
        if rc not in (0, -signal.SIGTERM):
            raise PeerFailed("relay exited with %d" % rc)
        lat = {k: got[k] - app.times[k] for k in got}
        return {"rss": rss, "cpu": cpu,
                "ask_lat": [v for k, v in lat.items() if k[0] == "ask"],
                "ans_lat": [v for k, v in lat.items() if k[0] == "answer"],
                "first_reply": min(app.times.values()), "last_mail": max(got.values()),
                "mails": len(got), "stray": stray}
    finally:
        if proc is not None and proc.returncode is None and exited(proc) is None:
            proc.kill()
            proc.wait()
        sink.server.stop()


def bench(fig, val, unit, peer="", pval="", ratio="", target=""):
    print("BENCH|%s|%s|%s|%s|%s|%s|%s" % (fig, val, unit, peer, pval, ratio, target))


def workdir():
    """LOAD_KEEP's directory, else a temporary one."""
    return contextlib.nullcontext(KEEP) if KEEP else tempfile.TemporaryDirectory(prefix="fbload.")


def check_tools():
    for tool in (FEEDBACKD, FEEDBACKCTL):
        if not os.path.exists(tool):
            raise SystemExit("%s missing: run make tests-build first" % tool)


def main():
    check_tools()
    py = burst = None
    why = ""
    with workdir() as tmp, Dovecot(tmp, users={"fb": "secret", "relay": "secret", "burst": "secret"}) as imap:
        progress("%d members in %d teams; feedbackd --now %s", MEMBERS, MEMBERS // TEAM, NOW)
        fd = run_feedbackd(tmp, imap, MEMBERS, load_week(MEMBERS))
        progress("feedbackd done in %.1f s; the relay peer on the same %d replies",
                 fd["t_end"] - fd["t_start"], fd["replies"])
        try:
            py = run_relay(tmp, imap, fd["log"], "relay", replay=True)
            progress("relay replay done; the relay on the same replies delivered at once")
            burst = run_relay(tmp, imap, fd["log"], "burst", replay=False)
        except PeerFailed as e:
            why = str(e)
            progress("the relay peer could not be measured: %s", why)

    span = fd["last_mail"] - fd["first_reply"]
    week = fd["t_end"] - fd["t_start"]
    print("# %d members (%d teams x %d), week 2 at full speed: feedbackd (IMAP IDLE in, SMTP out) "
          "%.1f s from start to the last mail" % (MEMBERS, MEMBERS // TEAM, TEAM, week))
    print("# mails by kind: %s" % ", ".join("%s %d" % kv for kv in sorted(fd["kinds"].items())))
    if burst is None:
        print("# feedbackd CPU %.1f s, peak RSS %.1f MiB; THE RELAY PEER COULD NOT BE MEASURED: %s"
              % (fd["cpu"], fd["rss"], why))
        pspan = 0.0
    else:
        pspan = burst["last_mail"] - burst["first_reply"]
        print("# feedbackd CPU %.1f s, peak RSS %.1f MiB; relay CPU %.1f s, peak RSS %.1f MiB; relay with "
              "all replies at once: %.1f s, %.0f replies/s" % (fd["cpu"], fd["rss"], py["cpu"], py["rss"], pspan,
                                                          burst["mails"] / pspan))
    print("%-44s %10s %10s %10s %10s" % ("", "p50 ms", "p99 ms", "max ms", "relay p50"))
    for name, a, key in (("answer in mailbox -> feedback_received sent", fd["ans_lat"], "ans_lat"),
                         ("ask in mailbox -> request sent", fd["ask_lat"], "ask_lat")):
        print("%-44s %10.0f %10.0f %10.0f %10s" % (name, percentile(a, 50) * 1e3, percentile(a, 99) * 1e3,
                                                   max(a) * 1e3, "%.0f" % (percentile(py[key], 50) * 1e3)
                                                   if py else "-"))
    n = fd["replies"]

    def peer(ours, theirs, fmt="%.0f"):
        """(peer value, ratio) or empty ones when the peer could not be measured."""
        if theirs is None or not theirs:
            return "", ""
        return fmt % theirs, "%.2fx" % (ours / theirs)

    relay = "python imaplib->email->smtplib relay" + ("" if py else " (not measured: %s)" % why)
    relay_burst = "python imaplib->email->smtplib relay, all at once" + ("" if burst else " (not measured: %s)" % why)
    rate = n / span
    prate = burst["mails"] / pspan if burst else None
    bench("load %d members: replies applied (in mailbox -> its mail sent)" % MEMBERS, "%.0f" % rate, "msg/s",
          relay_burst, *peer(rate, prate), ">= 0.5x")
    mrate = fd["phase_mails"] / (fd["last_mail"] - fd["first_mail"])
    bench("load %d members: mails sent (all kinds)" % MEMBERS, "%.0f" % mrate, "msg/s",
          relay_burst, *peer(mrate, prate), "")
    for p in (50, 99):
        a = percentile(fd["ans_lat"], p) * 1e3
        bench("load: answer in IMAP -> feedback mail at SMTP, p%d" % p, "%.0f" % a, "ms", relay,
              *peer(a, percentile(py["ans_lat"], p) * 1e3 if py else None), "p99 < 10 s" if p == 99 else "")
    a = max(fd["ans_lat"]) * 1e3
    bench("load: answer in IMAP -> feedback mail at SMTP, max", "%.0f" % a, "ms", relay,
          *peer(a, max(py["ans_lat"]) * 1e3 if py else None), "")
    a = percentile(fd["ask_lat"], 99) * 1e3
    bench("load: ask in IMAP -> request mail at SMTP, p99", "%.0f" % a, "ms", relay,
          *peer(a, percentile(py["ask_lat"], 99) * 1e3 if py else None), "")
    bench("peak RSS, load %d members (daemon)" % MEMBERS, "%.1f" % fd["rss"], "MiB", relay,
          *peer(fd["rss"], py["rss"] if py else None, "%.1f"), "< 100 MiB")


if __name__ == "__main__":
    main()
