#!/usr/bin/python3
"""Benchmark: reading mail. Two sets of messages through feedbackd's reading pipeline
(build/tools/readbench: message_parse → classify_message, then trim_reply → fields_parse for a
reply or new mail, per message, as the daemon does it) next to Python's `email` package (policy.default, message_from_bytes +
get_body(('plain', 'html')).get_content(), nothing more) on the same bytes, in the same run:
  1. every .eml of tests/corpus (real replies from many clients, bounces from many MTAs,
     calendar replies), streamed round and round to READ_CORPUS_COUNT messages (10,000);
  2. COUNT generated replies (20,000), described below.
Each side runs READ_REPEAT times (3), alternating C and Python (C first, then Python first, …)
so a change in the machine's load hits both; the figures are the medians, with min-max beside
them. Both sides time only the reading loop (process start, imports, pattern compilation
excluded on both), measure CPU time as well as wall time (CPU time is the steadier figure on a
shared machine), and report their peak RSS by getrusage(RUSAGE_SELF) at the same message
counts. Not a timed test: it prints figures, ratios and BENCH| lines (tests/bench convention),
and exits non-zero only when it could not run (or when the correctness guard shows a broken
pipeline).

Why this peer: it is what a Python program that reads replies does to get their text, and the
same work as our message_parse (MIME structure, transfer encoding, charset) minus HTML → text;
it reads no headers beyond those get_body needs (our side decodes every header), and does no
trimming, classification or field reading. So the ratio understates our speed, never overstates
it.

The replies come from a seeded generator modelled on tests/corpus/clients: Outlook HTML-only
top-posts (nl/en, QP or base64, utf-8 or windows-1252), Outlook desktop plain text
(windows-1252, "-----Oorspronkelijk bericht-----"), Gmail multipart/alternative top-posts, Apple
Mail type=cite (some format=flowed; delsp=yes), Thunderbird bottom-posts (format=flowed, utf-8 or
iso-8859-1) and iPhone replies; 2-20 KB each with quoted history, names, lengths and encodings
varied. DISTINCT different messages go into one spool file (4-byte big-endian length + message)
that both sides stream through, round and round, until COUNT messages are done.

Correctness guard: the generator knows which replies carry a BKC field (Bevestiging/Kritiek/
Constructief, Confirmation/Critique/Suggestion) in the new text; the quoted history carries the
labels too, so an untrimmed quote counts wrongly. readbench must find exactly that many. The
peer's guard: every decoded body contains its writer's (accented) first name.

usage: [READ_REPEAT=3] [READ_CORPUS_COUNT=10000] /usr/bin/python3 tests/bench/bench_reading.py
           [COUNT [DISTINCT [SEED]]]                                   (20000 3000 3)
       (internal, the peer) bench_reading.py --peer SPOOL COUNT NAMES-FILE|- CHECKPOINT...
"""
import base64
import os
import quopri
import random
import resource
import struct
import subprocess
import sys
import tempfile
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BUILD = os.environ.get("BUILD", "build")
if not os.path.isabs(BUILD):
    BUILD = os.path.join(TOP, BUILD)
READBENCH = os.path.join(BUILD, "tools", "readbench")

FIRST = ["Renée", "Jeroen", "Daan", "Ineke", "Zoë", "Joost", "Anouk", "Bram", "Chloé", "Thijs",
         "Lotte", "Maël", "Sanne", "Noël", "Fleur", "Kees", "Eline", "Björn", "Inés", "Wouter"]
LAST = ["de Vries", "Jansen", "van 't Hof", "Bakker", "Visser", "Smit", "Meijer", "de Jong",
        "Mulder", "Dijkstra", "Çelik", "Öztürk", "van den Berg", "Brouwer", "Hendriks"]
WORDS_NL = ("het overleg de klant planning duidelijk rustig goed afspraken gemaakt iedereen wist "
            "daarna wat er moest gebeuren de demo liep uit omdat vragen niet beantwoord werden "
            "volgende keer eerst samenvatten en dan pas antwoorden café één prijs € vijftig "
            "mooi werk financiën geregeld team collega's week").split()
WORDS_EN = ("the meeting client planning clearly calmly well agreements made everyone knew what "
            "to do next the demo ran late because questions were not answered next time first "
            "summarise then answer café price € fifty great work finance sorted team colleagues "
            "week").split()
LABELS = {"nl": ("Bevestiging", "Kritiek", "Constructief"),
          "en": ("Confirmation", "Critique", "Suggestion")}
CLIENTS = ["outlook_html", "outlook_plain", "gmail", "apple", "apple_flowed", "thunderbird",
           "iphone"]
B32 = "abcdefghijklmnopqrstuvwxyz234567"


def sentence(rnd, lang, lo=6, hi=22):
    words = WORDS_NL if lang == "nl" else WORDS_EN
    s = " ".join(rnd.choice(words) for _ in range(rnd.randint(lo, hi)))
    return s[0].upper() + s[1:] + "."


def request_text(rnd, lang, first):
    """What our programme sent (quoted back in the reply), field labels included."""
    l = LABELS[lang]
    if lang == "nl":
        head = ["Beste %s," % first, "", "Wil je deze week feedback geven aan %s?" % rnd.choice(FIRST),
                "Antwoord op deze mail met:", ""]
        tail = ["", "Met vriendelijke groet,", "Het feedbackteam"]
    else:
        head = ["Dear %s," % first, "", "Would you give feedback to %s this week?" % rnd.choice(FIRST),
                "Reply to this mail with:", ""]
        tail = ["", "Kind regards,", "The feedback team"]
    body = ["%s: %s" % (l[0], sentence(rnd, lang, 4, 8)), "%s: %s" % (l[1], sentence(rnd, lang, 4, 8)),
            "%s: %s" % (l[2], sentence(rnd, lang, 4, 8))]
    return head + body + tail


def history(rnd, lang, first, size):
    """Quoted history lines (unprefixed) of about size bytes: the request, then older rounds."""
    lines = request_text(rnd, lang, first)
    while sum(len(x) + 1 for x in lines) < size:
        lines += ["", sentence(rnd, lang, 10, 30), sentence(rnd, lang, 10, 30), "",
                  "%s: %s" % (rnd.choice(LABELS[lang]), sentence(rnd, lang, 8, 20))]
    return lines


def new_text(rnd, lang, first, last):
    """The person's own lines and whether a BKC field is among them."""
    l = LABELS[lang]
    greet = rnd.choice(["Hoi,", "Hallo,", "Beste,"] if lang == "nl" else ["Hi,", "Hello,"])
    lines = [greet, ""] if rnd.random() < 0.6 else []
    has_bkc = rnd.random() < 0.7
    if has_bkc:
        for label in rnd.sample(l, rnd.randint(1, 3)):
            paragraph = " ".join(sentence(rnd, lang) for _ in range(rnd.randint(1, 4)))
            lines.append("%s: %s" % (label, paragraph))
    else:
        lines.append(rnd.choice(["Prima, ik doe mee.", "Bedankt, ik kijk ernaar."] if lang == "nl"
                                else ["Fine, count me in.", "Thanks, I will have a look."]))
        if rnd.random() < 0.5:
            lines += ["%d: %d" % (q, rnd.randint(0, 10)) for q in range(1, rnd.randint(2, 8))]
    sign = rnd.choice(["Groet,", "Met vriendelijke groet,"] if lang == "nl" else ["Regards,", "Thanks,"])
    lines += ["", sign, first if rnd.random() < 0.5 else "%s %s" % (first, last)]
    return lines, has_bkc


def wrap(text, width, rnd):
    """Break one paragraph into lines of at most width, each but the last ending in a space
    (format=flowed); with the words kept whole."""
    out, cur = [], ""
    for w in text.split(" "):
        if cur and len(cur) + len(w) + 1 > width:
            out.append(cur + " ")
            cur = w
        else:
            cur = cur + " " + w if cur else w
    out.append(cur)
    return out


def flowed(lines, rnd, delsp):
    out = []
    for line in lines:
        if len(line) <= 76:
            out.append(line)
            continue
        parts = wrap(line, rnd.randint(60, 76), rnd)
        if delsp:  # DelSp=yes: the generator adds the space it asks the reader to delete
            parts = [p + " " if p.endswith(" ") else p for p in parts]
        out += parts
    return out


def encode_words(s):
    if all(ord(c) < 128 for c in s):
        return s
    return "=?utf-8?q?%s?=" % "".join(c if c.isalnum() and ord(c) < 128 else
                                      "".join("=%02X" % b for b in c.encode("utf-8")) for c in s)


def body_bytes(text, charset, cte):
    """text encoded in charset, then in the transfer encoding cte (LF line ends), as bytes."""
    raw = text.encode(charset, "replace")
    if cte == "quoted-printable":
        return quopri.encodestring(raw)
    if cte == "base64":
        b = base64.b64encode(raw)
        return b"\n".join(b[i:i + 76] for i in range(0, len(b), 76)) + b"\n"
    return raw


def html_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def headers(rnd, client, first, last, token, subject_lang, ctype, cte, extra=""):
    addr = "%s.%s@example.nl" % (first.lower(), last.split()[-1].lower().replace("'", ""))
    addr = addr.encode("ascii", "ignore").decode()
    via = rnd.random()
    to = "Feedback <feedback+%s@example.org>" % token if via < 0.3 else "Feedback <feedback@example.org>"
    subject = ("RE: " if client.startswith("outlook") else "Re: ") + \
        ("Feedbackverzoek week %d" if subject_lang == "nl" else "Feedback request week %d") % rnd.randint(1, 10)
    if via > 0.9:
        subject += " [#%s]" % token
    h = ["From: %s <%s>" % (encode_words("%s %s" % (first, last)), addr),
         "To: %s" % to, "Subject: %s" % subject,
         "Date: Tue, %d Jan 2027 %02d:%02d:%02d +0100" % (rnd.randint(1, 28), rnd.randint(7, 20),
                                                           rnd.randint(0, 59), rnd.randint(0, 59)),
         "Message-ID: <%08x.%d@example.nl>" % (rnd.getrandbits(32), rnd.getrandbits(20))]
    if via < 0.9:
        ref = "<%s.%s@example.org>" % (token, "".join(rnd.choice(B32) for _ in range(16)))
        h += ["References: %s" % ref, "In-Reply-To: %s" % ref]
    h += ["MIME-Version: 1.0", "Content-Type: %s" % ctype]
    if cte:
        h.append("Content-Transfer-Encoding: %s" % cte)
    return "\n".join(h) + "\n" + extra


def quote_header(rnd, lang, client):
    if client in ("apple", "apple_flowed", "iphone"):
        return ("Op 12 jan. 2027 om 10:15 heeft Feedback <feedback@example.org> het volgende geschreven:"
                if lang == "nl" else "On 12 Jan 2027, at 10:15, Feedback <feedback@example.org> wrote:")
    if client == "gmail":
        return ("Op di 12 jan 2027 om 10:15 schreef Feedback <feedback@example.org>:" if lang == "nl"
                else "On Tue, 12 Jan 2027 at 10:15, Feedback <feedback@example.org> wrote:")
    return ("Op 12-01-2027 om 10:15 schreef Feedback:" if lang == "nl"
            else "On 12/01/2027 10:15, Feedback wrote:")


def make_reply(rnd):
    """One raw reply (bytes) of 2-20 KB, whether its new text has a BKC field, and its writer's
    first name."""
    client = rnd.choice(CLIENTS)
    lang = "nl" if rnd.random() < 0.65 else "en"
    first, last = rnd.choice(FIRST), rnd.choice(LAST)
    token = "".join(rnd.choice(B32) for _ in range(26))
    size = int(2200 * (20000 / 2200) ** rnd.random())  # 2-20 KB, log-uniform
    mine, has_bkc = new_text(rnd, lang, first, last)
    qh = quote_header(rnd, lang, client)
    hsize = size // 2
    for _ in range(12):  # fit the quoted history to the size drawn
        raw = build(rnd, client, lang, first, last, token, mine, history(rnd, lang, first, hsize), qh)
        if 0.85 * size <= len(raw) <= 1.15 * size and 2048 <= len(raw) <= 20480:
            break
        hsize = max(0, int(hsize + (size - len(raw)) * hsize / max(len(raw), 1)) if hsize else size // 4)
    return raw, has_bkc, first


def build(rnd, client, lang, first, last, token, mine, hist, qh):
    """The reply as client writes it: headers, MIME structure, encodings."""

    if client == "outlook_html":
        charset = rnd.choice(["utf-8", "utf-8", "windows-1252"])
        cte = rnd.choice(["quoted-printable", "base64"])
        div = '<div style="font-family: Aptos, Calibri, Helvetica, sans-serif; font-size: 12pt; ' \
              'color: rgb(0, 0, 0);" class="elementToProof">\n%s</div>\n'
        own = "".join(div % (html_escape(l) if l else "<br>") for l in mine)
        hdr = ("<b>Van:</b> Feedback &lt;feedback@example.org&gt;<br>\n<b>Verzonden:</b> dinsdag 12 januari "
               "2027 10:15<br>\n<b>Aan:</b> %s<br>\n<b>Onderwerp:</b> Feedbackverzoek" if lang == "nl" else
               "<b>From:</b> Feedback &lt;feedback@example.org&gt;<br>\n<b>Sent:</b> Tuesday, January 12, "
               "2027 10:15 AM<br>\n<b>To:</b> %s<br>\n<b>Subject:</b> Feedback request") % html_escape(first)
        old = "".join("<p>%s</p>\n" % html_escape(l) if l else "<p>&nbsp;</p>\n" for l in hist)
        html = ('<html><head>\n<meta http-equiv="Content-Type" content="text/html; charset=%s">\n'
                '<style type="text/css" style="display:none;"> P {margin-top:0;margin-bottom:0;} </style>\n'
                '</head>\n<body dir="ltr">\n%s<div id="appendonsend"></div>\n'
                '<hr style="display:inline-block;width:98%%" tabindex="-1">\n'
                '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" '
                'color="#000000">%s</font></div>\n<div>&nbsp;</div>\n<div>\n%s</div>\n</body>\n</html>\n'
                % (charset, own, hdr, old))
        return headers(rnd, client, first, last, token, lang, 'text/html; charset="%s"' % charset, cte,
                       "Thread-Index: AQHZ%08x\nX-MS-Has-Attach:\n" % rnd.getrandbits(32)).encode() + b"\n" + \
            body_bytes(html, charset, cte)

    if client == "outlook_plain":
        text = "\n".join(mine) + "\n\n-----%s-----\n" % ("Oorspronkelijk bericht" if lang == "nl"
                                                         else "Original Message") + \
            ("Van: Feedback <feedback@example.org>\nVerzonden: dinsdag 12 januari 2027 10:15\nAan: %s\n"
             "Onderwerp: Feedbackverzoek\n\n" if lang == "nl" else
             "From: Feedback <feedback@example.org>\nSent: Tuesday, January 12, 2027 10:15 AM\nTo: %s\n"
             "Subject: Feedback request\n\n") % first + "\n".join(hist) + "\n"
        return headers(rnd, client, first, last, token, lang, 'text/plain;\n\tcharset="windows-1252"',
                       "quoted-printable", "X-Mailer: Microsoft Outlook 16.0\n").encode() + b"\n" + \
            body_bytes(text, "windows-1252", "quoted-printable")

    if client == "gmail":
        cte = rnd.choice(["quoted-printable", "quoted-printable", "base64"])
        plain = "\n".join(mine) + "\n\n" + qh + "\n\n" + "\n".join("> " + l if l else ">" for l in hist) + "\n"
        html = ('<div dir="ltr">%s</div><br><div class="gmail_quote gmail_quote_container">'
                '<div dir="ltr" class="gmail_attr">%s<br></div><blockquote class="gmail_quote" '
                'style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">'
                '%s</blockquote></div>\n' % ("".join("<div>%s</div>" % (html_escape(l) or "<br>") for l in mine),
                                             html_escape(qh), "<br>".join(html_escape(l) for l in hist)))
        b = "000000000000%012x" % rnd.getrandbits(48)
        body = (("--%s\nContent-Type: text/plain; charset=\"UTF-8\"\nContent-Transfer-Encoding: %s\n\n"
                 % (b, cte)).encode() + body_bytes(plain, "utf-8", cte) +
                ("\n--%s\nContent-Type: text/html; charset=\"UTF-8\"\nContent-Transfer-Encoding: %s\n\n"
                 % (b, cte)).encode() + body_bytes(html, "utf-8", cte) + ("\n--%s--\n" % b).encode())
        return headers(rnd, client, first, last, token, lang,
                       'multipart/alternative; boundary="%s"' % b, None).encode() + b"\n" + body

    if client in ("apple", "apple_flowed"):
        quoted = [qh, ""] + hist
        if client == "apple_flowed":
            plain_lines = flowed(mine, rnd, True) + [""] + ["> " + l if l else ">" for l in flowed(quoted, rnd, True)]
            ptype = "text/plain;\n\tcharset=utf-8;\n\tdelsp=yes;\n\tformat=flowed"
        else:
            plain_lines = mine + [""] + ["> " + l if l else ">" for l in quoted]
            ptype = "text/plain;\n\tcharset=utf-8"
        plain = "\n".join(plain_lines) + "\n"
        html = ('<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>'
                '<body style="overflow-wrap: break-word;">%s<div><br><blockquote type="cite"><div>%s</div>'
                '<br class="Apple-interchange-newline"><div><div>%s</div></div></blockquote></div></body></html>\n'
                % ("".join("<div>%s</div>" % (html_escape(l) or "<br>") for l in mine), html_escape(qh),
                   "<br>".join(html_escape(l) for l in hist)))
        b = "Apple-Mail=_%08X-%04X-%04X" % (rnd.getrandbits(32), rnd.getrandbits(16), rnd.getrandbits(16))
        body = (("\n--%s\nContent-Transfer-Encoding: quoted-printable\nContent-Type: %s\n\n" % (b, ptype)).encode()
                + body_bytes(plain, "utf-8", "quoted-printable") +
                ("\n--%s\nContent-Transfer-Encoding: quoted-printable\nContent-Type: text/html;\n\tcharset=utf-8\n\n"
                 % b).encode() + body_bytes(html, "utf-8", "quoted-printable") + ("\n--%s--\n" % b).encode())
        return headers(rnd, client, first, last, token, lang, 'multipart/alternative;\n\tboundary="%s"' % b,
                       None, "X-Mailer: Apple Mail (2.3774.600.62)\n").encode() + b"\n" + body

    if client == "thunderbird":
        charset = rnd.choice(["UTF-8", "UTF-8", "ISO-8859-1"])
        cte = "8bit" if rnd.random() < 0.6 else "quoted-printable"
        lines = [qh] + ["> " + l if l else ">" for l in flowed(hist, rnd, False)] + [""] + flowed(mine, rnd, False)
        text = "\n".join(lines) + "\n"
        return headers(rnd, client, first, last, token, lang, "text/plain; charset=%s; format=flowed" % charset,
                       cte, "User-Agent: Mozilla Thunderbird\n").encode() + b"\n" + body_bytes(text, charset.lower(), cte)

    # iphone
    cte = rnd.choice(["quoted-printable", "base64"])
    device = "Verzonden vanaf mijn iPhone" if lang == "nl" else "Sent from my iPhone"
    text = "\n".join(mine) + "\n\n" + device + "\n\n> " + qh + "\n>\n" + \
        "\n".join("> " + l if l else ">" for l in hist) + "\n"
    return headers(rnd, client, first, last, token, lang, "text/plain; charset=utf-8", cte,
                   "X-Mailer: iPhone Mail (21D61)\n").encode() + b"\n" + body_bytes(text, "utf-8", cte)


def generate(path, distinct, seed):
    """Write the spool; returns (BKC flags, first names, sizes) per record."""
    rnd = random.Random(seed)
    flags, names, sizes = [], [], []
    with open(path, "wb") as f:
        for _ in range(distinct):
            raw, has_bkc, first = make_reply(rnd)
            f.write(struct.pack(">I", len(raw)) + raw)
            flags.append(has_bkc)
            names.append(first)
            sizes.append(len(raw))
    return flags, names, sizes


def stream(path):
    """Yield raw records from the spool, round and round."""
    while True:
        with open(path, "rb") as f:
            n = 0
            while True:
                hdr = f.read(4)
                if len(hdr) < 4:
                    break
                (length,) = struct.unpack(">I", hdr)
                yield f.read(length)
                n += 1
        if n == 0:
            raise SystemExit("empty spool")


def peer(spool, count, checkpoints, names_path):
    """Python's email package on the same spool; prints key=value lines like readbench.
    What a Python program does to read the text of a reply: parse with the modern policy and
    take the body it would show (text/plain, else text/html) decoded (transfer encoding and
    charset undone). A part it cannot decode (unknown charset, broken encoding) is counted and
    skipped, as a program that must not stop on one message does."""
    import email
    from email import policy
    names = []
    if names_path != "-":
        with open(names_path, encoding="utf-8") as f:
            names = f.read().split("\n")
    cps = sorted(checkpoints)
    found = undecoded = 0
    done = 0
    t0, c0 = time.monotonic(), time.process_time()
    for raw in stream(spool):
        if done >= count:
            break
        msg = email.message_from_bytes(raw, policy=policy.default)
        try:
            body = msg.get_body(("plain", "html"))
            text = body.get_content() if body is not None else ""
        except (LookupError, ValueError, TypeError, AttributeError):
            text = ""
            undecoded += 1
        if names and names[done % len(names)] in text:
            found += 1
        done += 1
        if cps and done == cps[0]:
            print("rss_kib@%d=%d" % (cps.pop(0), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
    print("messages=%d\nseconds=%.6f\ncpu_seconds=%.6f\nnamed=%d\nundecoded=%d\nrss_kib=%d"
          % (done, time.monotonic() - t0, time.process_time() - c0, found, undecoded,
             resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


def keyvals(text):
    out = {}
    for line in text.splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            out[k] = v
    return out


def bench(figure, value, unit, peer_name, peer_value, ratio, target):
    print("BENCH|%s|%s|%s|%s|%s|%s|%s" % (figure, value, unit, peer_name, peer_value, ratio, target))


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def corpus_spool(path):
    """Every .eml under tests/corpus (sorted) into one spool: the real mail of the test suite
    (client replies, bounces from many MTAs, calendar replies, the trimmer's cases). Returns
    (files, bytes)."""
    files = []
    for d, _, names in os.walk(os.path.join(TOP, "tests", "corpus")):
        files += [os.path.join(d, n) for n in names if n.endswith(".eml")]
    files.sort()
    total = 0
    with open(path, "wb") as f:
        for name in files:
            with open(name, "rb") as g:
                raw = g.read()
            f.write(struct.pack(">I", len(raw)) + raw)
            total += len(raw)
    return len(files), total


def run_pair(spool, count, checkpoints, names_path, repeat):
    """readbench and the Python peer on the same spool, repeat times each, alternating (C first
    in odd rounds, Python first in even ones, so a change in the machine's load hits both).
    Returns the lists of their key=value results, or None (message printed) when one failed."""
    cs, pys = [], []
    for r in range(repeat):
        order = ("c", "py") if r % 2 == 0 else ("py", "c")
        for who in order:
            if who == "c":
                p = subprocess.run([READBENCH, spool, str(count)] + [str(c) for c in checkpoints],
                                   capture_output=True, text=True)
                if p.returncode != 0:
                    print("bench_reading: readbench failed: %s" % p.stderr.strip(), file=sys.stderr)
                    return None
                cs.append(keyvals(p.stdout))
            else:
                q = subprocess.run([sys.executable, os.path.abspath(__file__), "--peer", spool, str(count),
                                    names_path] + [str(x) for x in checkpoints], capture_output=True, text=True)
                if q.returncode != 0:
                    print("bench_reading: the Python peer failed: %s" % q.stderr.strip()[-2000:],
                          file=sys.stderr)
                    return None
                pys.append(keyvals(q.stdout))
    return cs, pys


def report(title, what, cs, pys, checkpoints, target):
    """Print the medians (and the spread) of one data set and its BENCH lines; returns the
    median ratios (wall, CPU)."""
    def rates(runs, key):
        return [int(r["messages"]) / float(r[key]) for r in runs]
    c_wall, py_wall = rates(cs, "seconds"), rates(pys, "seconds")
    c_cpu, py_cpu = rates(cs, "cpu_seconds"), rates(pys, "cpu_seconds")
    n = int(cs[0]["messages"])
    print("## %s: %d messages a run, %.1f MB; %d runs each, alternating; medians (min-max)"
          % (title, n, int(cs[0]["bytes"]) / 1e6, len(cs)))
    print("%-40s %24s %24s" % ("", "feedbackd", "python email"))
    for label, c, py in (("msg/s (wall clock)", c_wall, py_wall), ("msg/s (CPU time)", c_cpu, py_cpu)):
        print("%-40s %9.0f (%5.0f-%5.0f) %9.0f (%5.0f-%5.0f)   %.1fx"
              % (label, median(c), min(c), max(c), median(py), min(py), max(py), median(c) / median(py)))
    for cp in checkpoints:
        cr = max(int(r["rss_kib@%d" % cp]) for r in cs) / 1024
        pr = max(int(r["rss_kib@%d" % cp]) for r in pys) / 1024
        print("%-40s %24.1f %24.1f   %.2fx" % ("peak RSS after %d (MiB, max of runs)" % cp, cr, pr, cr / pr))
    stages = {}
    for r in cs:
        for k, v in r.items():
            if k.startswith("us."):
                stages.setdefault(k[3:], []).append(float(v))
    print("# where the C time goes (µs per message, wall clock, median): %s; python: %.0f µs (CPU)"
          % (", ".join("%s %.0f" % (k, median(v)) for k, v in stages.items()), 1e6 / median(py_cpu)))
    kinds = ", ".join("%s %s" % (k[5:], v) for k, v in cs[0].items() if k.startswith("kind.") and v != "0")
    print("# kinds: %s; parse failures %s, pipeline failures %s; python could not decode %s"
          % (kinds, cs[0]["parse_failed"], cs[0]["failed"], pys[0].get("undecoded", "0")))
    wall, cpu = median(c_wall) / median(py_wall), median(c_cpu) / median(py_cpu)
    bench("%s (message→classify→trim→fields)" % what, "%.0f" % median(c_wall), "msg/s",
          "python email policy.default", "%.0f" % median(py_wall), "%.1fx" % wall, target)
    bench("%s, CPU time (message→classify→trim→fields)" % what, "%.0f" % median(c_cpu), "msg/s",
          "python email policy.default", "%.0f" % median(py_cpu), "%.1fx" % cpu, target)
    for cp in checkpoints:
        cr = max(int(r["rss_kib@%d" % cp]) for r in cs) / 1024
        pr = max(int(r["rss_kib@%d" % cp]) for r in pys) / 1024
        bench("peak RSS, %s, %d messages" % (what, cp), "%.1f" % cr, "MiB", "python email", "%.1f" % pr,
              "%.2fx" % (cr / pr), "<= 1.00x, flat")
    return wall, cpu


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--peer":
        peer(sys.argv[2], int(sys.argv[3]), [int(x) for x in sys.argv[5:]], sys.argv[4])
        return 0
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    distinct = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    repeat = int(os.environ.get("READ_REPEAT", "3"))
    corpus_count = int(os.environ.get("READ_CORPUS_COUNT", "10000"))
    if not os.access(READBENCH, os.X_OK):
        print("bench_reading: %s not built (make tests-build)" % READBENCH, file=sys.stderr)
        return 2
    checkpoints = [c for c in (10000, 50000, 100000) if c <= count] or [count]
    if checkpoints[-1] != count:
        checkpoints.append(count)
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench_reading.") as tmp:
        # 1. the real mail of tests/corpus, round and round
        if corpus_count > 0:
            spool = os.path.join(tmp, "corpus.spool")
            nfiles, nbytes = corpus_spool(spool)
            print("# tests/corpus: %d .eml files, %.1f MB, streamed round to %d messages"
                  % (nfiles, nbytes / 1e6, corpus_count))
            runs = run_pair(spool, corpus_count, [corpus_count], "-", repeat)
            if runs is None:
                return 2
            report("tests/corpus", "tests/corpus mail read", runs[0], runs[1], [corpus_count], ">= 20x")
            if any(int(r["messages"]) != corpus_count or r["failed"] != "0" for r in runs[0]) or \
                    any(int(r["messages"]) != corpus_count for r in runs[1]):
                ok = False
            print()

        # 2. the generated replies (a guard knows what each must give)
        spool = os.path.join(tmp, "replies.spool")
        flags, names, sizes = generate(spool, distinct, seed)
        names_path = os.path.join(tmp, "names")
        with open(names_path, "w", encoding="utf-8") as f:
            f.write("\n".join(names))
        full, rest = divmod(count, distinct)
        want_bkc = full * sum(flags) + sum(flags[:rest])
        print("# %d distinct generated replies (%.1f MB, %d-%d bytes, median %d), seed %d; %d of them with a "
              "BKC field" % (distinct, sum(sizes) / 1e6, min(sizes), max(sizes), sorted(sizes)[len(sizes) // 2],
                             seed, sum(flags)))
        runs = run_pair(spool, count, checkpoints, names_path, repeat)
        if runs is None:
            return 2
        cs, pys = runs
        print("# C: message_parse → classify_message, then trim_reply → fields_parse for a "
              "reply or new mail (the daemon's order); Python: message_from_bytes(policy.default) + get_body(('plain','html')).get_content()")
        report("generated replies", "replies read", cs, pys, checkpoints, ">= 20x")
    print("# guard: readbench found a BKC field in %s replies, the generator put one in %d; the peer "
          "decoded the writer's name in %s of %s" % (cs[0]["bkc"], want_bkc, pys[0]["named"], pys[0]["messages"]))
    bench("guard: replies with a BKC field found", cs[0]["bkc"], "msgs", "generator", want_bkc,
          "%.2fx" % (int(cs[0]["bkc"]) / want_bkc if want_bkc else 0), "= 1.00x")
    for c in cs:
        if int(c["bkc"]) != want_bkc or int(c["messages"]) != count:
            ok = False
    for py in pys:
        if int(py["named"]) != int(py["messages"]):
            ok = False
    if not ok:
        print("bench_reading: the correctness guard failed: the figures above do not measure a working "
              "pipeline", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
