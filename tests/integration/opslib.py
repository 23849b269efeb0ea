"""Helpers for the operations tests (t08xx): a feedbackd configuration on Maildirs in a scratch
directory, the daemon started in the background with its log captured, and feedbackctl.

    with Scratch() as s:
        s.config()                      # writes s.conf, database s.db, Maildirs s.out / s.inbox
        d = s.start()                   # feedbackd -c s.conf, log in s.log
        ...
        d.stop()
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers import BUILD, TOP, Tap  # noqa: E402,F401

FBD = os.path.join(BUILD, "feedbackd")
FBCTL = os.path.join(BUILD, "feedbackctl")


def crlf_message(msgid, subject="Hallo", body="Hallo", sender="jan@example.nl"):
    return ("From: Jan <%s>\r\nTo: feedback@example.nl\r\nMessage-ID: <%s>\r\n"
            "Subject: %s\r\n\r\n%s\r\n" % (sender, msgid, subject, body)).encode()


class Daemon:
    def __init__(self, proc, log):
        self.proc = proc
        self.log = log

    def log_text(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def wait_log(self, text, timeout=10.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if text in self.log_text():
                return True
            if self.proc.poll() is not None and text not in self.log_text():
                return False
            time.sleep(0.05)
        return False

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=10.0):
        """SIGTERM; returns (exit status, seconds it took)."""
        if self.proc.poll() is not None:
            return self.proc.returncode, 0.0
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        return rc, time.monotonic() - t0


class Scratch:
    def __init__(self, keep=False):
        self.dir = tempfile.mkdtemp(prefix="fbops.")
        self.keep = keep or os.environ.get("KEEP") == "1"
        self.conf = os.path.join(self.dir, "f.conf")
        self.db = os.path.join(self.dir, "fb.db")
        self.out = os.path.join(self.dir, "sent")
        self.inbox = os.path.join(self.dir, "in")
        self.daemons = []
        self.n_logs = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for d in self.daemons:
            d.stop()
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def config(self, extra="", path=None, poll_interval=60):
        """Write a configuration on Maildirs; extra is appended (INI text)."""
        for d in (self.inbox,):
            for sub in ("new", "cur", "tmp"):
                os.makedirs(os.path.join(d, sub), exist_ok=True)
        text = ("[feedbackd]\ndatabase = %s\n[outgoing]\nmaildir = %s\n"
                "[incoming]\nmaildir = %s\npoll_interval = %ds\n%s"
                % (self.db, self.out, self.inbox, poll_interval, extra))
        with open(path or self.conf, "w") as f:
            f.write(text)
        return path or self.conf

    def deliver(self, data, name):
        tmp = os.path.join(self.inbox, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, os.path.join(self.inbox, "new", name))

    def start(self, args=(), env=None, conf=None, log_level="info", preexec_fn=None):
        self.n_logs += 1
        log = self.path("feedbackd-%d.log" % self.n_logs)
        e = dict(os.environ)
        e.pop("NOTIFY_SOCKET", None)
        e.pop("WATCHDOG_USEC", None)
        e.pop("WATCHDOG_PID", None)
        if env:
            e.update(env)
        with open(log, "wb") as lf:
            p = subprocess.Popen([FBD, "-c", conf or self.conf, "--log-level", log_level] + list(args),
                                 stdout=lf, stderr=subprocess.STDOUT, env=e, preexec_fn=preexec_fn)
        d = Daemon(p, log)
        self.daemons.append(d)
        return d

    def ctl(self, *args, conf=None, env=None, now=None):
        e = dict(os.environ)
        if env:
            e.update(env)
        return subprocess.run([FBCTL, "-c", conf or self.conf] + (["--now", now] if now else [])
                              + list(args), capture_output=True, text=True, env=e)


# ---- a programme and its members' replies, as their mail programs write them ------------------

def read_maildir(path):
    """Every message in a Maildir (new/ and cur/), as email.message.EmailMessage, by file name."""
    import email
    from email import policy
    out = []
    for sub in ("new", "cur"):
        d = os.path.join(path, sub)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            try:
                with open(os.path.join(d, name), "rb") as f:
                    out.append(email.message_from_bytes(f.read(), policy=policy.default))
            except FileNotFoundError:     # moved to cur/ meanwhile
                pass
    return out


def addr_of(m, header="To"):
    return m[header].addresses[0].addr_spec


def _headers(m, frm, msgid, prefix="Re: ", date="Mon, 04 Jan 2027 10:30:00 +0100"):
    return ("From: %s\r\nTo: %s\r\nSubject: %s%s\r\nDate: %s\r\nMessage-ID: <%s>\r\n"
            "In-Reply-To: %s\r\nReferences: %s\r\nMIME-Version: 1.0\r\n"
            % (frm, m["Reply-To"], prefix, m["Subject"], date, msgid, m["Message-ID"], m["Message-ID"]))


def _quote(m):
    body = m.get_body(("plain",))
    text = body.get_content() if body is not None else ""
    return "".join("> %s\r\n" % line for line in text.splitlines()[:12])


def gmail_reply(m, frm, name, msgid, lines):
    """text/plain UTF-8, the answer on top, then "Op … schreef …:" and the quote."""
    return (_headers(m, "%s <%s>" % (name, frm), msgid) +
            "Content-Type: text/plain; charset=\"UTF-8\"\r\n\r\n" + "\r\n".join(lines) +
            "\r\n\r\nGroetjes,\r\n%s\r\n\r\nOp ma 4 jan. 2027 om 09:00 schreef Feedback "
            "<feedback@example.org>:\r\n\r\n%s" % (name.split()[0], _quote(m))).encode()


def outlook_reply(m, frm, name, msgid, lines):
    """HTML only, quoted-printable, top-posted with Outlook's Dutch header block."""
    import html as _html
    import quopri
    body = "".join("<div>%s</div>" % _html.escape(x) for x in lines)
    doc = ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head>"
           "<body>%s<div><br></div><div>Met vriendelijke groet,<br>%s</div>"
           "<hr style=\"display:inline-block;width:98%%\"><div id=\"divRplyFwdMsg\"><b>Van:</b> "
           "Feedback &lt;feedback@example.org&gt;<br><b>Verzonden:</b> maandag 4 januari 2027 09:00"
           "<br><b>Aan:</b> %s<br><b>Onderwerp:</b> %s</div><div>%s</div></body></html>"
           % (body, _html.escape(name), _html.escape(name), _html.escape(str(m["Subject"])),
              _html.escape(_quote(m)).replace("\r\n", "<br>")))
    qp = quopri.encodestring(doc.encode("utf-8")).decode("ascii").replace("\n", "\r\n")
    return (_headers(m, "%s <%s>" % (name, frm), msgid, "RE: ") + "Thread-Topic: feedback\r\n"
            "Content-Type: text/html; charset=\"utf-8\"\r\nContent-Transfer-Encoding: quoted-printable"
            "\r\n\r\n" + qp + "\r\n").encode()


def apple_reply(m, frm, name, msgid, lines):
    """multipart/alternative: format=flowed text and HTML with a type=cite blockquote."""
    import html as _html
    import hashlib
    b = "Apple-Mail=_%s" % hashlib.sha1(msgid.encode()).hexdigest()[:12]
    plain = ("\r\n".join(lines) + "\r\n\r\n%s\r\n\r\n> Op 4 jan. 2027, om 09:00 heeft Feedback "
             "<feedback@example.org> het volgende geschreven:\r\n> \r\n%s" % (name.split()[0], _quote(m)))
    hbody = "".join("<div>%s</div>" % _html.escape(x) for x in lines)
    doc = ("<html><body>%s<div><br></div><div>%s</div><div><br><blockquote type=\"cite\"><div>Op 4 jan. "
           "2027 heeft Feedback het volgende geschreven:</div></blockquote></div></body></html>"
           % (hbody, _html.escape(name.split()[0])))
    return (_headers(m, "%s <%s>" % (name, frm), msgid) +
            "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n--%s\r\n"
            "Content-Transfer-Encoding: 8bit\r\nContent-Type: text/plain; charset=utf-8; format=flowed"
            "\r\n\r\n%s\r\n--%s\r\nContent-Transfer-Encoding: 8bit\r\nContent-Type: text/html; "
            "charset=utf-8\r\n\r\n%s\r\n--%s--\r\n" % (b, b, plain, b, doc, b)).encode("utf-8")


CLIENTS = (gmail_reply, outlook_reply, apple_reply)


def ask_lines(names, topic):
    return ["Vraag feedback aan: %s" % ", ".join(names), "Over: %s" % topic]


def give_lines(tag):
    return ["Bevestiging: je opening was helder (%s)." % tag,
            "Kritiek: de conclusie kwam niet goed uit de verf.",
            "Constructief: sluit af met één zin die je boodschap samenvat."]


def team_names(n):
    """n distinct Dutch-looking members: [(name, address)]."""
    first = ["Anna", "Bram", "Carla", "Daan", "Eva", "Floor", "Gijs", "Hanna", "Ivo", "Jet", "Kees",
             "Lotte", "Mees", "Noor", "Otto", "Pien", "Quinten", "Roos", "Sem", "Tess", "Umut", "Vera",
             "Wout", "Xandra", "Yara", "Zeger"]
    return [("%s Lid%02d" % (first[i % len(first)], i), "lid%02d@example.nl" % i) for i in range(n)]


def setup_programme(ctl, members, now="2027-01-01T12:00", start="2027-01-04"):
    """A programme "Pilot" with team "Blauw" of members [(name, address)] through feedbackctl
    (ctl(*args, now=...) returning CompletedProcess); True when every step worked."""
    ok = ctl("program", "create", "Pilot", "--start", start, now=now).returncode == 0
    ok &= ctl("team", "add", "Pilot", "Blauw", now=now).returncode == 0
    for name, addr in members:
        ok &= ctl("member", "add", "Blauw", name, addr, now=now).returncode == 0
    return ok
