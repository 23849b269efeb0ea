"""Real mail servers for the integration tests, started on 127.0.0.1 on free ports.

Every server gets its own configuration in a temporary directory and is stopped by its PID,
also when a test fails: use them as context managers.

    with tempfile.TemporaryDirectory() as tmp, Dovecot(tmp) as imap, AioSmtpd(tmp, ...) as smtp:
        ...

Classes: Dovecot (IMAP/IMAPS, STARTTLS), SmtpSink (Postfix smtp-sink), AioSmtpd (Python's
aiosmtpd, scripted to fail, require AUTH, offer or omit STARTTLS, drop connections), Postfix
(a real Postfix instance as the organisation's MTA: virtual(8) into a Maildir, relay to a
smarthost);
make_cert() for a self-signed CA and server certificate; Tap for TAP output.
Run with Debian's /usr/bin/python3 (python3-aiosmtpd).
"""
import glob
import json
import os
import pwd
import signal
import socket
import subprocess
import sys
import tempfile
import time

TOP = os.environ.get("FB_TOP") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", "build")
if not os.path.isabs(BUILD):
    BUILD = os.path.join(TOP, BUILD)
MAILTOOL = os.path.join(BUILD, "tools", "mailtool")
IS_ROOT = os.geteuid() == 0


class Tap:
    """ok(cond, what) prints "ok - what" / "not ok - what"; finish() exits non-zero on failure."""

    def __init__(self):
        self.failed = 0
        self.count = 0

    def ok(self, cond, what, detail=None):
        self.count += 1
        if cond:
            print("ok - %s" % what, flush=True)
        else:
            self.failed += 1
            print("not ok - %s" % what, flush=True)
            if detail:
                for line in str(detail).splitlines()[:30]:
                    print("#   %s" % line, flush=True)
        return cond

    def finish(self):
        print("# %d tests, %d failed" % (self.count, self.failed), flush=True)
        sys.exit(1 if self.failed else 0)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=15.0, proc=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("server exited with %s" % proc.returncode)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nothing listens on 127.0.0.1:%d after %.0fs" % (port, timeout))


def wait_port_closed(port, timeout=15.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                time.sleep(0.05)
        except OSError:
            return
    raise RuntimeError("127.0.0.1:%d still listening" % port)


def kill_pid(pid, timeout=10.0):
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        try:  # reap it when it is our child
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        except ChildProcessError:
            pass
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def make_cert(tmpdir, cn="127.0.0.1"):
    """A self-signed CA and a server certificate for cn (IP or DNS name) signed by it.
    Returns (ca, cert, key) paths."""
    d = os.path.join(tmpdir, "cert-" + cn.replace(":", "_"))
    os.makedirs(d, exist_ok=True)
    ca, cakey = os.path.join(d, "ca.pem"), os.path.join(d, "ca.key")
    cert, key, csr = os.path.join(d, "server.pem"), os.path.join(d, "server.key"), os.path.join(d, "server.csr")
    ext = os.path.join(d, "ext.cnf")
    san = ("IP:%s" % cn) if cn.replace(".", "").isdigit() or ":" in cn else ("DNS:%s" % cn)
    with open(ext, "w") as f:
        f.write("subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\n" % san)

    def run(*args):
        subprocess.run(["openssl"] + list(args), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", cakey, "-out", ca, "-days", "2",
        "-subj", "/CN=feedbackd test CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=%s" % cn)
    run("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", cakey, "-CAcreateserial", "-out", cert,
        "-days", "2", "-extfile", ext)
    for p in (ca, cert, key):
        os.chmod(p, 0o644)
    return ca, cert, key


def _mail_ids():
    pw = pwd.getpwnam("mail")
    return pw.pw_uid, pw.pw_gid


def chown_tree(path, uid, gid):
    for root, dirs, files in os.walk(path):
        os.chown(root, uid, gid)
        for n in files:
            os.chown(os.path.join(root, n), uid, gid)


class Dovecot:
    """Dovecot serving IMAP (and IMAPS when tls=(cert, key)) for users {name: password}.
    With tls, Dovecot also offers STARTTLS on the plain port (it cannot be switched off per port). Mail lives in maildir(user),
    owned by Debian's mail user when run as root.

    oauth2: a dict that switches the users' logins to OAuth 2.0 (SASL XOAUTH2 and OAUTHBEARER)
    through Dovecot's oauth2 passdb, which asks the token server's RFC 7662 endpoint about each
    token: {"introspection_url": ts.url + "/introspect", "username_attribute": "username"}.
    Password logins (PLAIN, LOGIN) still work for the users, as every other test wants.
    imap_capability: the post-login CAPABILITY Dovecot announces instead of its own (a server
    without MOVE, say); None: Dovecot's."""

    def __init__(self, tmpdir, users=None, tls=None, starttls=False, oauth2=None, imap_capability=None):
        self.dir = tempfile.mkdtemp(prefix="dovecot.", dir=tmpdir)
        os.chmod(self.dir, 0o755)
        os.chmod(tmpdir, 0o755)
        self.users = users or {"fb": "secret"}
        self.tls = tls
        self.starttls = starttls
        self.oauth2 = oauth2
        self.imap_capability = imap_capability
        self.port = free_port()
        self.tls_port = free_port() if tls else 0
        self.log = os.path.join(self.dir, "dovecot.log")
        self.conf = os.path.join(self.dir, "dovecot.conf")
        self._write_config()

    def _write_config(self):
        d = self.dir
        for sub in ("run", "state", "mail"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        with open(os.path.join(d, "users"), "w") as f:
            for u, p in self.users.items():
                f.write("%s:{PLAIN}%s\n" % (u, p))
        ssl = "no"
        ssl_lines = ""
        if self.tls:
            ssl = "yes"
            ssl_lines = "ssl_cert = <%s\nssl_key = <%s\n" % (self.tls[0], self.tls[1])
        uid = "mail" if IS_ROOT else pwd.getpwuid(os.getuid()).pw_name
        extra = ""
        if not IS_ROOT:
            extra = ("default_internal_user = %s\ndefault_internal_group = %s\ndefault_login_user = %s\n"
                     % (uid, uid, uid))
        imap_listener = "  inet_listener imap {\n    address = 127.0.0.1\n    port = %d\n  }\n" % self.port
        imaps_listener = "  inet_listener imaps {\n    port = 0\n  }\n"
        if self.tls:
            imaps_listener = ("  inet_listener imaps {\n    address = 127.0.0.1\n    port = %d\n    ssl = yes\n  }\n"
                              % self.tls_port)
        mechs, oauth_passdb = "plain login", ""
        if self.oauth2:
            mechs, oauth_passdb = self._oauth2_config()
        if self.imap_capability:
            extra += "protocol imap {\n  imap_capability = %s\n}\n" % self.imap_capability
        conf = """base_dir = {d}/run
state_dir = {d}/state
instance_name = feedbackd-test-{port}
protocols = imap
listen = 127.0.0.1
ssl = {ssl}
{ssl_lines}disable_plaintext_auth = no
auth_mechanisms = {mechs}
# a refused login answers at once, not after the 2 s meant to slow down password guessing
auth_failure_delay = 0
log_path = {d}/dovecot.log
first_valid_uid = 1
first_valid_gid = 1
{extra}{oauth_passdb}passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={uid} home={d}/mail/%u
}}
mail_location = maildir:{d}/mail/%u
namespace inbox {{
  inbox = yes
}}
service imap-login {{
{imap}{imaps}{chroot}}}
service anvil {{
  chroot =
{anvil}}}
""".format(d=d, port=self.port, ssl=ssl, ssl_lines=ssl_lines, extra=extra, uid=uid,
           mechs=mechs, oauth_passdb=oauth_passdb, imap=imap_listener,
           anvil="  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n" if self.oauth2 else "", imaps=imaps_listener, chroot="" if IS_ROOT else "  chroot =\n")
        with open(self.conf, "w") as f:
            f.write(conf)
        for u in self.users:
            self.make_maildir(u)

    def _oauth2_config(self):
        """The oauth2 passdb (before passwd-file, which keeps PLAIN and LOGIN) and its
        dovecot-oauth2.conf.ext: every token is introspected (POST, RFC 7662), must be active,
        and must name the user who logs in. No failure delay and no auth penalty (the anvil
        socket made unusable, as Dovecot's documentation says): a refused token is answered at
        once and the next login is not slowed down (the driver's retry is what is tested, not
        Dovecot's brake)."""
        o = self.oauth2
        ext = os.path.join(self.dir, "dovecot-oauth2.conf.ext")
        with open(ext, "w") as f:
            f.write("introspection_mode = post\nintrospection_url = %s\nforce_introspection = yes\n"
                    "username_attribute = %s\nactive_attribute = active\nactive_value = true\n"
                    "timeout_msecs = 5000\n"
                    % (o["introspection_url"], o.get("username_attribute", "username")))
        passdb = ("passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n"
                  "  args = %s\n}\n" % ext)
        return "plain login xoauth2 oauthbearer", passdb

    def maildir(self, user="fb"):
        return os.path.join(self.dir, "mail", user)

    def make_maildir(self, user="fb"):
        md = self.maildir(user)
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(md, sub), exist_ok=True)
        if IS_ROOT:
            chown_tree(os.path.join(self.dir, "mail"), *_mail_ids())

    def deliver(self, data, user="fb", name=None):
        """Write a message into the user's Maildir new/ (as an MDA would)."""
        md = self.maildir(user)
        name = name or "%d.M%dP%d.test" % (time.time(), time.monotonic_ns() % 10**9, os.getpid())
        tmp = os.path.join(md, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        if IS_ROOT:
            os.chown(tmp, *_mail_ids())
        os.rename(tmp, os.path.join(md, "new", name))
        return name

    def start(self):
        subprocess.run(["dovecot", "-c", self.conf], check=True)
        wait_port(self.port)
        if self.tls_port:
            wait_port(self.tls_port)
        self._pid = self.pid()
        return self

    def pid(self):
        try:
            with open(os.path.join(self.dir, "run", "master.pid")) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def _children(self, pid):
        kids = []
        for st in glob.glob("/proc/[0-9]*/stat"):
            try:
                with open(st) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    kids.append(int(st.split("/")[2]))
            except (OSError, IndexError, ValueError):
                pass
        return kids

    @staticmethod
    def _running(pid):
        """The process exists and is not a zombie."""
        try:
            with open("/proc/%d/stat" % pid) as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except (OSError, IndexError):
            return False

    def stop(self):
        """Stop the master and its processes (imap sessions too, as a machine's shutdown would;
        left alone they linger for seconds after the master is gone). The processes get SIGTERM
        (an IMAP session says BYE) while the master is held with SIGSTOP, then the master gets
        SIGKILL: a SIGTERMed master waits for its children with timeouts of its own (2 to 7 s
        per stop here), and held it cannot start new ones in their place."""
        pid = getattr(self, "_pid", None) or self.pid()
        self._pid = None
        if pid:
            try:
                os.kill(pid, signal.SIGSTOP)
            except ProcessLookupError:
                pid = None
        if pid:
            kids = self._children(pid)
            for k in kids:
                try:
                    os.kill(k, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            deadline = time.time() + 5.0
            while time.time() < deadline and any(self._running(k) for k in kids):
                time.sleep(0.02)
            for k in kids:
                if self._running(k):
                    try:
                        os.kill(k, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            deadline = time.time() + 10.0
            while time.time() < deadline and self._running(pid):
                time.sleep(0.02)
            # Dead, its sockets closed; but a zombie until its parent (init) reaps it, which
            # here takes about a second, and until then `dovecot` refuses to start, as the
            # PID in master.pid still answers kill(pid, 0).
            if not self._running(pid):
                try:
                    os.unlink(os.path.join(self.dir, "run", "master.pid"))
                except FileNotFoundError:
                    pass
        try:
            wait_port_closed(self.port)
        except RuntimeError:
            pass

    def restart(self):
        self.stop()
        time.sleep(0.2)
        self.start()

    def url(self, tls=False):
        return "imaps://127.0.0.1:%d" % self.tls_port if tls else "imap://127.0.0.1:%d" % self.port

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class SmtpSink:
    """Postfix's smtp-sink: accepts everything, fast. dump_dir: one file per message."""

    def __init__(self, tmpdir, dump_dir=None, backlog=256, auth=True):
        self.port = free_port()
        self.dump_dir = dump_dir
        self.proc = None
        self.backlog = backlog
        self.auth = auth
        self.tmpdir = tmpdir

    def start(self):
        cmd = ["/usr/sbin/smtp-sink"]
        if not self.auth:
            cmd += ["-a"]  # do not announce AUTH (by default smtp-sink offers it, and takes anything)
        if IS_ROOT:
            cmd += ["-u", "nobody"]
        if self.dump_dir:
            os.makedirs(self.dump_dir, exist_ok=True)
            os.chmod(self.dump_dir, 0o777)
            cmd += ["-d", os.path.join(self.dump_dir, "%M.")]
        cmd += ["127.0.0.1:%d" % self.port, str(self.backlog)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port, proc=self.proc)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            kill_pid(self.proc.pid)
            self.proc.wait()

    def url(self):
        return "smtp://127.0.0.1:%d" % self.port

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


_AIOSMTPD_SCRIPT = r'''
import asyncio, json, mailbox, os, ssl, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

cfg = json.load(open(sys.argv[1]))
logf = open(cfg["log"], "a", buffering=1)
def log(*a):
    logf.write(" ".join(str(x) for x in a) + "\n")

class Handler:
    def __init__(self):
        self.count = 0
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        log("EHLO", hostname, "tls" if session.ssl else "plain")
        return responses
    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if cfg["fail"].get("mail"):
            return cfg["fail"]["mail"]
        envelope.mail_from = address
        return "250 OK"
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        fail = cfg["fail"].get("rcpt")
        only = cfg["fail"].get("rcpt_only")
        per = cfg["fail"].get("rcpt_map", {}).get(address)
        if per:
            log("RCPT refused", address)
            return per
        if fail and (not only or address == only):
            log("RCPT refused", address)
            return fail
        envelope.rcpt_tos.append(address)
        return "250 OK"
    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        if cfg["drop_after"] is not None and self.count > cfg["drop_after"]:
            log("DROP at message", self.count)
            server.transport.abort()
            return "421 dropped"
        if cfg["fail"].get("data"):
            return cfg["fail"]["data"]
        md = cfg["maildir"]
        if md:
            box = mailbox.Maildir(md, create=False)
            key = box.add(envelope.original_content)
            st = os.stat(md)
            os.chown(os.path.join(md, "new", key), st.st_uid, st.st_gid)
        log("ACCEPTED", self.count, "tls" if session.ssl else "plain", "auth=%s" % (session.authenticated,),
            len(envelope.original_content))
        return "250 OK queued as %d" % self.count

def authenticator(server, session, envelope, mechanism, auth_data):
    want = cfg["require_auth"]
    ok = (isinstance(auth_data, LoginPassword) and want is not None
          and auth_data.login.decode() == want[0] and auth_data.password.decode() == want[1])
    log("AUTH", mechanism, "success" if ok else "failure")
    # handled=False: aiosmtpd then answers a failure with its 535 itself. Its default
    # (handled=True, "the authenticator already replied") left the client waiting for an
    # answer that never came, until its timeout (60 s for mailtool), as no real server does.
    return AuthResult(success=ok, handled=False)

kw = {}
if cfg["tls"] and cfg["starttls"]:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cfg["tls"][0], cfg["tls"][1])
    kw["tls_context"] = ctx
    kw["require_starttls"] = False
if cfg["require_auth"]:
    kw["authenticator"] = authenticator
    kw["auth_required"] = True
    kw["auth_require_tls"] = False
else:
    kw["auth_require_tls"] = False
ctrl = Controller(Handler(), hostname="127.0.0.1", port=cfg["port"], data_size_limit=64 << 20,
                  server_hostname="aiosmtpd.test", **kw)
ctrl.start()
log("READY", cfg["port"])
import signal
signal.sigwait({signal.SIGTERM, signal.SIGINT})
ctrl.stop()
'''


# ---- aiosmtpd: SASL XOAUTH2 and OAUTHBEARER (issue 22) ---------------------------------------
# Spliced into _AIOSMTPD_SCRIPT before the Controller is made, when AioSmtpd(oauth=INTROSPECT_URL):
# aiosmtpd (1.4) calls a handler's auth_<MECHANISM>(server, args) for AUTH <MECHANISM>. The token
# is introspected at the token server (RFC 7662, tests/tokenserver.py): accepted when active and
# issued to the user named in the response. A refused token gets the error challenge (a 334 with
# base64 JSON, RFC 7628 section 3.2.2, as Google does for XOAUTH2 too), the client's dummy answer,
# then 535. Log lines: "AUTH <MECH> <user> success|failure <why>" (and host=/port= for OAUTHBEARER).
_AIOSMTPD_OAUTH = r'''
import base64, urllib.parse, urllib.request

class OAuthHandler:
    def _introspect(self, token):
        data = urllib.parse.urlencode({"token": token}).encode()
        with urllib.request.urlopen(cfg["oauth"], data=data, timeout=10) as r:
            return json.load(r)

    async def _oauth(self, server, args, mech):
        if len(args) == 2:
            try:
                raw = base64.b64decode(args[1], validate=True)
            except Exception:
                await server.push("501 5.5.2 Can't decode base64")
                return AuthResult(success=False, handled=True)
        else:
            raw = await server.challenge_auth("")
            if raw is MISSING:
                return AuthResult(success=False, handled=True)
        user = token = None
        extra = []
        fields = raw.split(b"\x01")
        if mech == "OAUTHBEARER":
            gs2 = fields.pop(0).split(b",")
            if len(gs2) >= 2 and gs2[1].startswith(b"a="):
                user = gs2[1][2:].replace(b"=2C", b",").replace(b"=3D", b"=").decode()
        for f in fields:
            if f.startswith(b"user=") and mech == "XOAUTH2":
                user = f[5:].decode()
            elif f.startswith(b"auth=Bearer "):
                token = f[12:].decode()
            elif f.startswith(b"host=") or f.startswith(b"port="):
                extra.append(f.decode())
        why = "malformed response"
        if user and token:
            info = await asyncio.get_running_loop().run_in_executor(None, self._introspect, token)
            if not info.get("active"):
                why = "token not active"
            elif info.get("username") != user:
                why = "token is for %s" % info.get("username")
            else:
                log("AUTH", mech, user, "success", *extra)
                return AuthResult(success=True, auth_data=user)
        log("AUTH", mech, user, "failure", why, *extra)
        err = json.dumps({"status": "invalid_token", "schemes": "bearer", "scope": "smtp"})
        answer = await server.challenge_auth(err)
        if answer is MISSING:
            return AuthResult(success=False, handled=True)
        return AuthResult(success=False, handled=False,
                          message="535 5.7.8 Authentication credentials invalid")

    async def auth_XOAUTH2(self, server, args):
        return await self._oauth(server, args, "XOAUTH2")

    async def auth_OAUTHBEARER(self, server, args):
        return await self._oauth(server, args, "OAUTHBEARER")

    async def handle_DATA(self, server, session, envelope):
        # oauth_expire_after=N: after the Nth accepted message the token server expires every
        # token it issued, as a token's lifetime ending between two sessions would: the client's
        # cache still thinks it valid, and the next AUTH with it is refused.
        reply = await super().handle_DATA(server, session, envelope)
        if cfg.get("oauth_expire_after") == self.count and reply.startswith("250"):
            req = urllib.request.Request(cfg["oauth"].replace("/introspect", "/control"),
                                         data=json.dumps({"action": "expire"}).encode(),
                                         headers={"Content-Type": "application/json"})
            await asyncio.get_running_loop().run_in_executor(None, urllib.request.urlopen, req)
            log("TOKENS EXPIRED after message", self.count)
        return reply

if cfg.get("oauth"):
    from aiosmtpd.smtp import MISSING
    Handler = type("Handler", (OAuthHandler, Handler), {})
    kw["auth_required"] = True
    kw["auth_require_tls"] = False
    kw.pop("authenticator", None)
'''


class AioSmtpd:
    """aiosmtpd in a subprocess. deliver_to_maildir: a Maildir to put accepted mail in;
    tls=(cert, key) with starttls=True offers STARTTLS; require_auth=(user, pw);
    fail={'rcpt': '451 ...', 'rcpt_only': address, 'rcpt_map': {address: reply}, 'mail': ...,
    'data': ...};
    drop_after=N drops the connection at the (N+1)th DATA; port: a given port (to stand in for a
    server that was down, or to replace one on the same address). oauth=URL: AUTH XOAUTH2 and
    OAUTHBEARER with tokens introspected at URL (see _AIOSMTPD_OAUTH), AUTH required;
    oauth_expire_after=N: the token server expires its tokens after the Nth message. The log
    (self.log) has one
    line per event: EHLO, AUTH success/failure, ACCEPTED n tls|plain, RCPT refused, DROP."""

    def __init__(self, tmpdir, deliver_to_maildir=None, tls=None, starttls=False, require_auth=None,
                 fail=None, drop_after=None, port=None, oauth=None, oauth_expire_after=None):
        self.dir = tempfile.mkdtemp(prefix="aiosmtpd.", dir=tmpdir)
        self.port = port or free_port()
        self.log = os.path.join(self.dir, "smtpd.log")
        self.cfg = dict(port=self.port, log=self.log, maildir=deliver_to_maildir, tls=tls, starttls=starttls,
                        require_auth=require_auth, fail=fail or {}, drop_after=drop_after)
        self.cfg["oauth"] = oauth  # the token server's /introspect URL: XOAUTH2 and OAUTHBEARER
        self.cfg["oauth_expire_after"] = oauth_expire_after
        self.proc = None

    def start(self):
        script = os.path.join(self.dir, "smtpd.py")
        cfgf = os.path.join(self.dir, "smtpd.json")
        with open(script, "w") as f:
            f.write(_AIOSMTPD_SCRIPT.replace("\nctrl = Controller(", "\n" + _AIOSMTPD_OAUTH + "\nctrl = Controller(", 1))
        with open(cfgf, "w") as f:
            json.dump(self.cfg, f)
        open(self.log, "w").close()
        self.proc = subprocess.Popen(["/usr/bin/python3", script, cfgf], stderr=open(self.log + ".err", "w"))
        wait_port(self.port, proc=self.proc)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            kill_pid(self.proc.pid)
            self.proc.wait()

    def log_text(self):
        with open(self.log) as f:
            return f.read()

    def url(self):
        return "smtp://127.0.0.1:%d" % self.port

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def mailtool(*args, timeout=600):
    """Run build/tools/mailtool; returns (exit code, stdout lines, stderr)."""
    p = subprocess.run([MAILTOOL] + [str(a) for a in args], capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout.splitlines(), p.stderr


# ---- feedbackd itself, configured in a temporary directory -------------------------------------

FEEDBACKD = os.path.join(BUILD, "feedbackd")
FEEDBACKCTL = os.path.join(BUILD, "feedbackctl")


class Feedbackd:
    """feedbackd and feedbackctl on a configuration file of their own in a fresh directory.

    sections: {"outgoing": {...}, "incoming": {...}} overriding the defaults (maildir out and
    in, ./feedbackd.db). Passwords given as "password" are written to a chmod-600 file and
    named as password_file. once(now) runs one pass; start(now) runs it in the foreground
    (stop() sends SIGTERM, kill() SIGKILL); ctl(...) runs feedbackctl with the same file.
    The daemon's log goes to self.log (appended to by every run)."""

    def __init__(self, tmpdir, sections=None, name="fbd"):
        self.dir = tempfile.mkdtemp(prefix=name + ".", dir=tmpdir)
        os.chmod(self.dir, 0o755)
        self.conf = os.path.join(self.dir, "feedbackd.conf")
        self.db = os.path.join(self.dir, "feedbackd.db")
        self.log = os.path.join(self.dir, "feedbackd.log")
        self.proc = None
        self.configure(sections or {})

    def configure(self, sections):
        base = {"feedbackd": {"database": self.db, "domain": "feedbackd.test",
                              "from_address": "feedback@feedbackd.test", "log_level": "info"},
                "outgoing": {"maildir": os.path.join(self.dir, "out"), "per_recipient_daily_cap": "10000"},
                "incoming": {"maildir": os.path.join(self.dir, "in")}}
        for sec, kv in sections.items():
            base.setdefault(sec, {}).update(kv)
        lines = []
        for sec, kv in base.items():
            lines.append("[%s]" % sec)
            for k, v in kv.items():
                if k == "password":
                    pf = os.path.join(self.dir, "%s.password" % sec)
                    with open(pf, "w") as f:
                        f.write(v + "\n")
                    os.chmod(pf, 0o600)
                    k, v = "password_file", pf
                lines.append("%s = %s" % (k, v))
            lines.append("")
        with open(self.conf, "w") as f:
            f.write("\n".join(lines))

    def _cmd(self, now=None, once=False):
        cmd = [FEEDBACKD, "-c", self.conf, "--foreground"]
        if once:
            cmd.append("--once")
        if now:
            cmd += ["--now", now]
        return cmd

    def once(self, now=None, timeout=300):
        with open(self.log, "a") as log:
            log.write("=== once %s\n" % (now or ""))
            log.flush()
            return subprocess.run(self._cmd(now, True), stdout=log, stderr=log, timeout=timeout).returncode

    def start(self, now=None, once=False):
        log = open(self.log, "a")
        log.write("=== start %s\n" % (now or ""))
        log.flush()
        self.proc = subprocess.Popen(self._cmd(now, once), stdout=log, stderr=log)
        log.close()
        return self.proc

    def stop(self, timeout=30):
        """SIGTERM, and the exit code (None when it had to be killed)."""
        if self.proc is None:
            return None
        p, self.proc = self.proc, None
        if p.poll() is None:
            p.terminate()
        try:
            return p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            return None

    def kill(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def ctl(self, *args, now=None, check=True):
        cmd = [FEEDBACKCTL, "-c", self.conf] + (["--now", now] if now else []) + [str(a) for a in args]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        if check and p.returncode != 0:
            raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), p.returncode, p.stderr[-2000:]))
        return p

    def ctl_json(self, *args, now=None):
        return json.loads(self.ctl("--json", *args, now=now).stdout)

    def sql(self, query, *params):
        """Rows of a read-only query on the daemon's database."""
        import sqlite3
        c = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True, timeout=30)
        try:
            return c.execute(query, params).fetchall()
        finally:
            c.close()

    def log_text(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()


def imap_fetch_all(imap, user="fb", password="secret", folder="INBOX"):
    """Every message in a Dovecot folder, raw (bytes), read with Python's imaplib."""
    import imaplib
    c = imaplib.IMAP4("127.0.0.1", imap.port)
    try:
        c.login(user, password)
        c.select(folder, readonly=True)
        typ, data = c.uid("FETCH", "1:*", "(BODY.PEEK[])")
        out = []
        for item in data:
            if isinstance(item, tuple):
                out.append(item[1])
        return out
    finally:
        try:
            c.logout()
        except Exception:
            pass


def new_uidvalidity(imap, user="fb"):
    """Make Dovecot give the user's INBOX a new UIDVALIDITY (as a restored or rebuilt mailbox
    would): stop, forget its index and UID list, wait for the clock to move, start."""
    imap.stop()
    for f in glob.glob(os.path.join(imap.maildir(user), "dovecot*")):
        os.unlink(f)
    time.sleep(1.1)  # Dovecot derives UIDVALIDITY from the clock
    imap.start()


# ---- Postfix: the organisation's MTA in front of feedbackd (issue 22) ---------------------------

class Postfix:
    """A real Postfix instance with its own configuration, queue and data directories in a
    temporary directory (never /etc/postfix, never the system's queue), listening on
    127.0.0.1:self.port. It plays the MTA on the feedbackd host:

    - mail for `domain` (feedback@ and feedback+anything@, recipient_delimiter +) is delivered
      by virtual(8) into the Maildir self.maildir (a path ending in '/'), owned by uid/gid
      (default: Debian's mail user, standing in for a dedicated feedbackd user);
    - mail from 127.0.0.0/8 (mynetworks, no AUTH) for anywhere else is relayed to relayhost
      ("127.0.0.1:PORT", an aiosmtpd standing in for the organisation's smarthost);
    - tls=(cert, key) offers STARTTLS on the port.

    Runs only as root (Postfix's master needs it) with the system's postfix user and postdrop
    group. The log is self.log (maillog_file). Stopped by the master's PID from its pid file."""

    def __init__(self, tmpdir, domain="feedbackd.test", relayhost=None, tls=None, uid=None, gid=None,
                 local_part="feedback"):
        self.dir = tempfile.mkdtemp(prefix="postfix.", dir=tmpdir)
        os.chmod(self.dir, 0o755)
        os.chmod(tmpdir, 0o755)
        self.domain = domain
        self.relayhost = relayhost
        self.tls = tls
        self.local_part = local_part
        if uid is None:
            uid, gid = _mail_ids() if IS_ROOT else (os.getuid(), os.getgid())
        self.uid, self.gid = uid, gid
        self.port = free_port()
        self.conf_dir = os.path.join(self.dir, "etc")
        self.queue_dir = os.path.join(self.dir, "spool")
        self.data_dir = os.path.join(self.dir, "lib")
        self.maildir = os.path.join(self.dir, "mail", "feedback") + "/"
        self.log = os.path.join(self.dir, "maillog")
        self._pid = None
        self._write_config()

    def _write_config(self):
        for d in (self.conf_dir, self.queue_dir, self.data_dir, os.path.dirname(self.maildir[:-1])):
            os.makedirs(d, exist_ok=True)
        # The Maildir exists before either side starts, owned by the user virtual(8) delivers
        # as (the feedbackd user in a deployment): a daemon started first, as root, would
        # otherwise create it as root and virtual(8) could not write to it.
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(self.maildir, sub), exist_ok=True)
        if IS_ROOT:
            pw = pwd.getpwnam("postfix")
            os.chown(self.data_dir, pw.pw_uid, pw.pw_gid)
            chown_tree(os.path.dirname(self.maildir[:-1]), self.uid, self.gid)
        # texthash: read as text at start, no postmap and no .db beside it
        with open(os.path.join(self.conf_dir, "vmailbox"), "w") as f:
            f.write("%s@%s %s\n" % (self.local_part, self.domain, self.maildir))
        tls = ""
        if self.tls:
            tls = ("smtpd_tls_cert_file = %s\nsmtpd_tls_key_file = %s\nsmtpd_tls_security_level = may\nsmtpd_tls_loglevel = 1\n"
                   % (self.tls[0], self.tls[1]))
        main = """compatibility_level = 3.6
queue_directory = {q}
data_directory = {data}
mail_owner = postfix
setgid_group = postdrop
syslog_name = postfix-fbtest-{port}
maillog_file = {log}
maillog_file_prefixes = {d}
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.{domain}
mydomain = {domain}
myorigin = $myhostname
mydestination =
mynetworks = 127.0.0.0/8
local_recipient_maps =
alias_maps =
alias_database =
relayhost = {relay}
smtp_dns_support_level = disabled
smtpd_peername_lookup = no
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
recipient_delimiter = +
virtual_mailbox_domains = {domain}
virtual_mailbox_base = /
virtual_mailbox_maps = texthash:{conf}/vmailbox
virtual_minimum_uid = 1
virtual_uid_maps = static:{uid}
virtual_gid_maps = static:{gid}
biff = no
delay_warning_time = 0
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
{tls}""".format(q=self.queue_dir, data=self.data_dir, port=self.port, log=self.log, domain=self.domain,
                relay="[%s]:%s" % tuple(self.relayhost.rsplit(":", 1)) if self.relayhost else "",
                conf=self.conf_dir, d=self.dir, uid=self.uid, gid=self.gid, tls=tls)
        with open(os.path.join(self.conf_dir, "main.cf"), "w") as f:
            f.write(main)
        # Only the services this path needs, none chrooted (the chroot would need copies of
        # /etc files inside the temporary queue directory).
        master = """127.0.0.1:{port} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
""".format(port=self.port)
        with open(os.path.join(self.conf_dir, "master.cf"), "w") as f:
            f.write(master)

    def _postfix(self, *args):
        return subprocess.run(["/usr/sbin/postfix", "-c", self.conf_dir] + list(args),
                              capture_output=True, text=True, timeout=60)

    def start(self):
        if not IS_ROOT:
            raise RuntimeError("Postfix needs root")
        p = self._postfix("start")
        try:
            if p.returncode != 0:
                raise RuntimeError("postfix start: %s %s\n%s" % (p.stdout, p.stderr, self.log_text()[-2000:]))
            wait_port(self.port)
        except RuntimeError:
            self.stop()  # a master that came up half-way must not outlive the test
            raise
        self._pid = self.pid()
        return self

    def pid(self):
        try:
            with open(os.path.join(self.queue_dir, "pid", "master.pid")) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def _processes(self):
        """PIDs of this instance's processes: the master passes MAIL_CONFIG=<our directory> to
        every child, so this finds ours and never a system Postfix."""
        mine = ("MAIL_CONFIG=%s" % self.conf_dir).encode()
        pids = []
        for env in glob.glob("/proc/[0-9]*/environ"):
            try:
                with open(env, "rb") as f:
                    if mine in f.read().split(b"\0"):
                        pids.append(int(env.split("/")[2]))
            except (OSError, ValueError):
                pass
        return pids

    def stop(self):
        """SIGTERM to this instance's master (it stops its children), and wait until it and
        they are gone."""
        pid = self._pid or self.pid()
        self._pid = None
        if pid:
            kill_pid(pid)
        for child in self._processes():
            kill_pid(child, timeout=5.0)
        try:
            wait_port_closed(self.port)
        except RuntimeError:
            pass

    def queue_empty(self):
        """1 when nothing waits in the incoming, active or deferred queue."""
        for q in ("incoming", "active", "deferred", "maildrop"):
            for _root, _dirs, files in os.walk(os.path.join(self.queue_dir, q)):
                if files:
                    return False
        return True

    def log_text(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def url(self):
        return "smtp://127.0.0.1:%d" % self.port

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
