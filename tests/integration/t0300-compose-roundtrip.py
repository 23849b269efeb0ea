"""What compose builds, read back by another mail reader: Python's email package
(policy.default). Messages come from build/tools/composetool (a JSON description on stdin).
Checks decoded headers, byte-exact bodies, the calendar structure of RFC 6047 invitations,
and the wire form (CRLF only, lines <= 998 octets)."""
import email
import email.policy
import json
import os
import subprocess
import sys

TOP = os.environ.get("FB_TOP", os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("BUILD", "build")
TOOL = os.path.join(BUILD if os.path.isabs(BUILD) else os.path.join(TOP, BUILD),
                    "tools", "composetool")
failed = 0


def check(what, cond, detail=""):
    global failed
    if cond:
        print("ok - " + what)
    else:
        failed += 1
        print("not ok - " + what)
        for line in str(detail).splitlines()[:40]:
            print("#   " + line)


def compose(**kw):
    spec = {"from_addr": "feedback@example.org", "from_name": "Feedback",
            "to_addr": "jeroen@example.nl", "subject": "Feedback week 3",
            "date": 1806307200, "tz": "Europe/Amsterdam", "text": "Hallo,\n"}
    spec.update(kw)
    r = subprocess.run([TOOL], input=json.dumps(spec).encode(), capture_output=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.decode())
    return r.stdout


def wire_ok(raw):
    if not raw.endswith(b"\r\n"):
        return "does not end with CRLF"
    for i, line in enumerate(raw.split(b"\r\n")):
        if b"\n" in line or b"\r" in line:
            return "bare line end in line %d" % (i + 1)
        if len(line) > 998:
            return "line %d is %d octets" % (i + 1, len(line))
    return None


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def lf(s):
    return s.replace("\r\n", "\n")


if not os.access(TOOL, os.X_OK):
    print("not ok - %s is not built (make tests-build)" % TOOL)
    sys.exit(1)

# Headers decode back to the same UTF-8.
LONG = ("één twee " * 40)[:300].strip()
for subject in ["Jeroen Mëijer: je feedback", "\U0001F389 Feest! \U0001F389\U0001F389", LONG,
                "Twee  spaties", "中文主题测试，反馈请求第三周"]:
    raw = compose(subject=subject)
    msg = parse(raw)
    check("subject %r decodes back" % subject[:30], msg["subject"] == subject,
          "%r\n%s" % (msg["subject"], raw.decode()))
    check("subject %r wire form" % subject[:30], wire_ok(raw) is None, wire_ok(raw))
    check("subject %r has no defects" % subject[:30], not msg["subject"].defects,
          msg["subject"].defects)

for name in ["Jeroen Mëijer", "Vries, Jan de", "Vries, Zoë de", 'Jan "Jantje" de Vries',
             "Maria Antonia Ëlisabeth van der Heijden-Ölmez tot Oud-Wëtering en Ïjsselstein"]:
    raw = compose(from_name=name, to_name=name)
    msg = parse(raw)
    frm, to = msg["from"].addresses[0], msg["to"].addresses[0]
    check("display name %r decodes back" % name[:30],
          frm.display_name == name and to.display_name == name and
          frm.addr_spec == "feedback@example.org" and to.addr_spec == "jeroen@example.nl",
          "%r %r\n%s" % (frm, to, raw.decode()))
    check("display name %r: one recipient only" % name[:30],
          len(msg["to"].addresses) == 1 and msg["cc"] is None and msg["bcc"] is None)

# Message-ID of our domain, automatic headers.
raw = compose(token="abcdefghijklmnopqrstuvwxyz", automatic=True,
              reply_to="feedback+abcdefghijklmnopqrstuvwxyz@example.org")
msg = parse(raw)
mid = msg["message-id"]
check("Message-ID carries the token and our domain",
      mid.startswith("<abcdefghijklmnopqrstuvwxyz.") and mid.endswith("@example.org>"), mid)
check("Auto-Submitted: auto-generated", msg["auto-submitted"] == "auto-generated")
check("X-Auto-Response-Suppress: All", msg["x-auto-response-suppress"] == "All")
check("no Precedence header", msg["precedence"] is None)
check("Reply-To is the plus-address",
      msg["reply-to"] == "feedback+abcdefghijklmnopqrstuvwxyz@example.org")
check("Date in the sender's zone", msg["date"] == "Mon, 29 Mar 2027 10:00:00 +0200",
      msg["date"])
msg = parse(compose())
check("no automatic headers unless asked",
      msg["auto-submitted"] is None and msg["x-auto-response-suppress"] is None)

# Bodies round-trip byte-exact (LF line ends in, LF line ends out).
TEXT = ("Hallo Zoë,\n\nFrom here on\n.\n..\ntrailing spaces   \n" + "x" * 1500 +
        "\n=3D stays\n\U0001F389\n")
HTML = "<p>Hallo Zoë</p>\n<p>From here</p>\n.\n" + "<b>" + "y" * 1200 + "</b>  \n"
for label, kw in [("text only", {}), ("text and html", {"html": HTML})]:
    raw = compose(text=TEXT, **kw)
    msg = parse(raw)
    check(label + ": wire form", wire_ok(raw) is None, wire_ok(raw))
    plain = msg.get_body(("plain",))
    check(label + ": text round-trips byte-exact", lf(plain.get_content()) == TEXT,
          repr(lf(plain.get_content()))[:300])
    if "html" in kw:
        check(label + ": multipart/alternative", msg.get_content_type() == "multipart/alternative")
        html = msg.get_body(("html",))
        check(label + ": html round-trips byte-exact", lf(html.get_content()) == HTML,
              repr(lf(html.get_content()))[:300])
    else:
        check(label + ": a single text/plain part", msg.get_content_type() == "text/plain" and
              msg.get_content_charset() == "utf-8")

# Calendar structure as RFC 6047 clients send it.
ICS = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//feedbackd//EN\r\nMETHOD:REQUEST\r\n"
       "BEGIN:VEVENT\r\nUID:s1@example.org\r\nSUMMARY:Terugkoppeling Zoë\r\n"
       "DTSTART:20270329T080000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
raw = compose(text=TEXT, html=HTML, calendar=ICS, calendar_method="REQUEST",
              attachments=[{"filename": "week3.csv", "content_type": "text/csv",
                            "data": "a;b\r\n1;2\r\n"}])
msg = parse(raw)
check("calendar: wire form", wire_ok(raw) is None, wire_ok(raw))
top = [p.get_content_type() for p in msg.iter_parts()]
check("calendar: multipart/mixed of alternative, ics, attachment",
      msg.get_content_type() == "multipart/mixed" and
      top == ["multipart/alternative", "application/ics", "text/csv"], top)
alt = list(msg.iter_parts())[0]
inner = [p.get_content_type() for p in alt.iter_parts()]
check("calendar: alternative holds text, html, calendar in that order",
      inner == ["text/plain", "text/html", "text/calendar"], inner)
cal = list(alt.iter_parts())[2]
check("calendar: method=REQUEST and charset=UTF-8",
      cal.get_param("method") == "REQUEST" and cal.get_content_charset() == "utf-8",
      cal["content-type"])
check("calendar: inline part has no Content-Disposition", cal["content-disposition"] is None)
check("calendar: base64", cal["content-transfer-encoding"] == "base64")
ics = list(msg.iter_parts())[1]
check("calendar: attachment is application/ics named invite.ics",
      ics.get_content_disposition() == "attachment" and ics.get_filename() == "invite.ics" and
      ics.get_param("name") == "invite.ics", ics.items())
check("calendar: both parts carry the identical bytes",
      cal.get_payload(decode=True) == ICS.encode() == ics.get_payload(decode=True))
csv = list(msg.iter_parts())[2]
check("attachment: bytes and name", csv.get_filename() == "week3.csv" and
      csv.get_payload(decode=True) == b"a;b\r\n1;2\r\n")
check("calendar: text still round-trips", lf(msg.get_body(("plain",)).get_content()) == TEXT)
raw = compose(calendar=ICS.replace("REQUEST", "CANCEL"), calendar_method="cancel")
cal = [p for p in parse(raw).walk() if p.get_content_type() == "text/calendar"][0]
check("calendar: method= follows the METHOD given", cal.get_param("method") == "CANCEL")

# mailto: links decode back with urllib.
from urllib.parse import urlsplit, parse_qs
r = subprocess.run([TOOL, "--mailto"], input=json.dumps(
    {"to": "feedback+tok@example.org", "subject": "Score 4 — Zoë & co",
     "body": "regel 1\nregel 2"}).encode(), capture_output=True)
u = urlsplit(r.stdout.decode())
q = parse_qs(u.query)
check("mailto: subject and body decode back",
      u.scheme == "mailto" and u.path == "feedback+tok@example.org" and
      q["subject"] == ["Score 4 — Zoë & co"] and q["body"] == ["regel 1\r\nregel 2"],
      r.stdout.decode())

sys.exit(1 if failed else 0)
