#!/usr/bin/python3
# run-tests: alone (it measures time: nothing may run beside it)
"""The IMAP mailbox driver (libetpan over our GnuTLS) against a real Dovecot: fetch once by
UID position, UIDVALIDITY changes, processed_folder, IDLE wake-ups, certificate checks and
reconnecting after a server restart."""
import glob
import hashlib
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers import MAILTOOL, Dovecot, Tap, make_cert, mailtool  # noqa: E402

t = Tap()
N = 500


def crlf(b):
    return b.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def message(i):
    return ("From: Jürgen <j@example.org>\nTo: fb@example.org\nSubject: =?utf-8?q?bericht_=C3=A9=C3=A9n?= %d\n"
            "Message-ID: <in%d@test>\nDate: Mon, 23 Nov 2026 10:00:00 +0100\n\nHallo %d, één € regel.\n%s\n"
            % (i, i, i, "x" * (i % 200))).encode()


def fetched(out):
    return [line.split() for line in out if not line.startswith(("position", "error"))]


def position(out):
    for line in out:
        if line.startswith("position"):
            return line.split()[1], line.split()[2]
    return None, None


class Watch:
    """mailtool watch in the background; its lines are read by a thread, so expect() can time out."""

    def __init__(self, *args):
        self.p = subprocess.Popen([MAILTOOL, "watch"] + list(args), stdout=subprocess.PIPE, text=True)
        self.q = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            self.q.put(line.strip())
        self.q.put(None)

    def expect(self, prefix, timeout=15):
        deadline = time.time() + timeout
        lines = []
        while time.time() < deadline:
            try:
                line = self.q.get(timeout=max(0.01, deadline - time.time()))
            except queue.Empty:
                break
            if line is None:
                break
            lines.append(line)
            if line.startswith(prefix):
                return line, lines
        return None, lines

    def close(self):
        if self.p.poll() is None:
            self.p.terminate()
        self.p.wait(10)


with tempfile.TemporaryDirectory() as tmp:
    ca, cert, key = make_cert(tmp)
    ca_other, _, _ = make_cert(tmp, cn="localhost")
    pw = os.path.join(tmp, "pw")
    with open(pw, "w") as f:
        f.write("secret\n")
    with Dovecot(tmp, users={"fb": "secret"}, tls=(cert, key)) as imap:
        auth = ["--user", "fb", "--password-file", pw, "--ca-file", ca]
        plain = ["--url", imap.url()] + auth  # STARTTLS required (the default), verified
        sent = {}
        for i in range(N):
            m = message(i)
            imap.deliver(m)
            sent[hashlib.sha256(crlf(m)).hexdigest()] = len(crlf(m))

        # 1. All 500 once, by UID, bodies equal.
        rc, out, err = mailtool("fetch", *plain)
        got = fetched(out)
        v, last = position(out)[0].split(":") if position(out)[0] else (None, None)
        t.ok(rc == 0 and len(got) == N, "500 messages fetched (STARTTLS, verified)", err + "\n".join(out[-3:]))
        t.ok(len(set(g[0] for g in got)) == N and all(g[0].startswith(v + ":") for g in got),
             "ids are unique UIDVALIDITY:UID")
        t.ok({g[2]: int(g[1]) for g in got} == sent, "sizes and bodies are equal to what was delivered")
        t.ok([int(g[0].split(":")[1]) for g in got] == sorted(int(g[0].split(":")[1]) for g in got),
             "handed over in UID order")
        seen = glob.glob(os.path.join(imap.maildir(), "cur", "*:2,*S*"))
        t.ok(len(seen) == N, "mark_done set \\Seen on each (no processed_folder)", len(seen))

        # 2. The saved position reads nothing new.
        rc, out, _ = mailtool("fetch", *plain, "--since", "%s:%s" % (v, last))
        t.ok(rc == 0 and fetched(out) == [] and position(out) == ("%s:%s" % (v, last), "changed=0"),
             "a second fetch from the saved position reads none", out)

        # 3. A new UIDVALIDITY is reported and everything is fetched again.
        imap.stop()
        for f in glob.glob(os.path.join(imap.maildir(), "dovecot*")):
            os.unlink(f)
        time.sleep(1.1)  # Dovecot derives the new UIDVALIDITY from the clock
        imap.start()
        rc, out, _ = mailtool("fetch", *plain, "--since", "%s:%s" % (v, last), "--no-mark")
        pos, changed = position(out)
        t.ok(changed == "changed=1" and pos and not pos.startswith(v + ":"), "a new UIDVALIDITY is reported", out[-2:])
        t.ok(len(fetched(out)) == N, "... and all messages are fetched again", len(fetched(out)))
        v2, last2 = pos.split(":")

        # 4. processed_folder: moved out of INBOX.
        for i in range(N, N + 5):
            imap.deliver(message(i))
        rc, out, _ = mailtool("fetch", *plain, "--since", pos, "--processed-folder", "Processed")
        t.ok(rc == 0 and len(fetched(out)) == 5, "5 new messages fetched", out)
        rc, out, _ = mailtool("fetch", *plain, "--folder", "Processed", "--no-mark")
        t.ok(len(fetched(out)) == 5, "... and moved to the processed folder", out)
        rc, out, _ = mailtool("fetch", *plain, "--no-mark")
        t.ok(len(fetched(out)) == N, "... and gone from INBOX", len(fetched(out)))
        _, out_pos = position(out)

        # 5. IDLE wakes up on a new message within a second.
        w = Watch(*plain, "--no-mark", "--rounds", "1", "--wait-ms", "20000")
        line, lines = w.expect("waiting", 60)
        t.ok(line is not None, "watch is idling", lines[-3:])
        time.sleep(0.3)
        t0 = time.monotonic()
        imap.deliver(message(9999))
        line, lines = w.expect("woke", 10)
        ms = int((time.monotonic() - t0) * 1000)
        t.ok(line is not None and line.split()[1] == "1" and ms < 1000,
             "IDLE woke up on the new message within a second (%d ms after delivery)" % ms, lines)
        line, lines = w.expect("got", 10)
        t.ok(line is not None and line.endswith(hashlib.sha256(crlf(message(9999))).hexdigest()),
             "... and fetched it", lines)
        w.close()

        # 6. Certificates: IMAPS with the self-signed certificate.
        rc, out, _ = mailtool("fetch", "--url", imap.url(tls=True), "--user", "fb", "--password-file", pw, "--no-mark")
        t.ok(rc == 2 and "not trusted" in out[0] and "ca_file" in out[0],
             "IMAPS with a self-signed certificate is refused by default, saying to set ca_file", out)
        rc, out, _ = mailtool("fetch", "--url", imap.url(tls=True), "--user", "fb", "--password-file", pw,
                              "--ca-file", ca_other, "--no-mark")
        t.ok(rc == 2 and "not trusted" in out[0], "... and with another CA's file", out)
        rc, out, _ = mailtool("fetch", "--url", imap.url(tls=True), *auth, "--no-mark")
        t.ok(rc == 0 and len(fetched(out)) == N + 1, "IMAPS is accepted with the CA file", out[-1:])
        rc, out, _ = mailtool("fetch", "--url", imap.url(), "--user", "fb", "--password-file", pw, "--no-mark")
        t.ok(rc == 2 and "not trusted" in out[0], "STARTTLS with a self-signed certificate is refused by default", out)
        wrong = os.path.join(tmp, "wrong")
        with open(wrong, "w") as f:
            f.write("wrong\n")
        rc, out, _ = mailtool("fetch", "--url", imap.url(), "--user", "fb", "--password-file", wrong,
                              "--ca-file", ca, "--no-mark")
        t.ok(rc == 2 and "login as fb refused" in out[0], "a wrong password is refused with the server's words", out)

        # 7. Dovecot restarted while idling: wait fails, a reconnect works.
        w = Watch(*plain, "--no-mark", "--rounds", "1", "--wait-ms", "30000")
        line, lines = w.expect("waiting", 60)
        t.ok(line is not None, "watch is idling again", lines[-3:])
        imap.restart()
        line, lines = w.expect("error", 15)
        t.ok(line is not None, "a restart while idling makes wait() fail", lines)
        line, lines2 = w.expect("reconnected", 20)
        t.ok(line is not None, "... and a reconnect works", lines + lines2)
        w.close()

t.finish()
