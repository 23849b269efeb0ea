#!/usr/bin/python3
"""What "done" does to a processed message on a real Dovecot, with processed_folder set: with
MOVE it leaves INBOX by UID MOVE; without MOVE but with UIDPLUS by UID COPY, \\Deleted and UID
EXPUNGE of exactly those UIDs (a message someone else flagged \\Deleted stays); with neither,
it is copied and left flagged \\Seen \\Deleted (a plain EXPUNGE would take other clients'
deletions too). Dovecot's imap_capability hides MOVE and UIDPLUS from the driver."""
import os
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers import Dovecot, Tap, mailtool  # noqa: E402

t = Tap()
BASE_CAPS = "IMAP4rev1 LITERAL+ SASL-IR IDLE NAMESPACE"
SERVERS = [("MOVE", None), ("UIDPLUS, no MOVE", BASE_CAPS + " UIDPLUS"), ("neither", BASE_CAPS)]


def message(i):
    return ("From: m@example.org\r\nTo: fb@example.org\r\nSubject: reply %d\r\nMessage-ID: <mv%d@test>\r\n\r\n"
            "answer %d\r\n" % (i, i, i)).encode()


def files(md, folder=""):
    d = os.path.join(md, "." + folder) if folder else md
    out = []
    for sub in ("new", "cur"):
        p = os.path.join(d, sub)
        out += [(sub, f) for f in os.listdir(p)] if os.path.isdir(p) else []
    return out


def flags(name):
    return name.rsplit(":2,", 1)[1] if ":2," in name else ""


with tempfile.TemporaryDirectory() as tmp:
    pw = os.path.join(tmp, "pw")
    with open(pw, "w") as f:
        f.write("secret\n")
    servers = [Dovecot(tmp, imap_capability=caps).start() for _, caps in SERVERS]
    try:
        for (what, _), imap in zip(SERVERS, servers):
            md = imap.maildir()
            # Another client's deletion, waiting for its own EXPUNGE: ours must not take it.
            with open(os.path.join(md, "cur", "1.other.test:2,ST"), "wb") as f:
                f.write(message(99))
            login = ["--url", imap.url(), "--starttls", "no", "--user", "fb", "--password-file", pw]
            rc, out, err = mailtool("fetch", *login, "--no-mark")
            v = out[-1].split()[1].split(":")[0]  # "position V:1": the other message is UID 1
            for i in range(3):
                imap.deliver(message(i))
            rc, out, err = mailtool("fetch", *login, "--since", v + ":1", "--processed-folder", "Processed")
            read = [line for line in out if not line.startswith(("position", "error"))]
            t.ok(rc == 0 and len(read) == 3, "%s: the messages were read" % what, err + "\n".join(out))
            inbox = files(md)
            ours = [f for f in inbox if f[1] != "1.other.test:2,ST"]
            done = files(md, "Processed")
            t.ok(len(done) == 3, "%s: all three are in Processed" % what, done)
            if what == "neither":
                t.ok(len(ours) == 3 and all("T" in flags(f[1]) and "S" in flags(f[1]) for f in ours),
                     "%s: the originals stay in INBOX flagged \\Seen \\Deleted (no plain EXPUNGE)" % what, inbox)
            else:
                t.ok(ours == [], "%s: the processed messages left INBOX" % what, inbox)
            t.ok(("cur", "1.other.test:2,ST") in inbox,
                 "%s: another client's \\Deleted message is still there" % what, inbox)
    finally:
        stops = [threading.Thread(target=d.stop) for d in servers]
        for th in stops:
            th.start()
        for th in stops:
            th.join()

t.finish()
