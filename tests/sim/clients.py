"""Mail as real mail programs write it, for the simulator and the tests.

Every function returns the raw bytes (CRLF line ends) of one message a member's mail program would
send: a reply to a message feedbackd sent (quoted the way that program quotes, in the member's
language), what clicking one of the questionnaire's score links sends, a new message, an
out-of-office auto-reply, a bounce (DSN, RFC 3464) and a calendar answer (iTIP REPLY, RFC 5546).

The shapes follow what those programs really send (compare ../corpus/): Outlook writes HTML only,
top-posted, quoted-printable, with a "Van:/Verzonden:/Aan:/Onderwerp:" block above the quote;
Gmail sends multipart/alternative with "Op ... schreef ...:" and "> " quoting; Apple Mail sends
format=flowed text plus HTML with <blockquote type="cite">, the attribution line inside the quote
("> Op … heeft … het volgende geschreven:") as in the HTML; an iPhone sends plain format=flowed
text with "Verzonden vanaf mijn iPhone" and the quote as Apple Mail's; Thunderbird plain text with
its own attribution line above the quote. Every piece of a wrapped quoted line keeps its '> '.

`at` is an aware datetime or an ISO string ("2027-01-04T10:30Z", or local without zone: then the
zone in ZONE). Message-IDs are made unique from a counter, so a scenario is reproducible.
"""
import base64
import datetime
import email.utils
import itertools
import quopri
import urllib.parse
import zoneinfo
from email.header import Header

ZONE = zoneinfo.ZoneInfo("Europe/Amsterdam")
CLIENTS = ("outlook", "gmail", "apple", "iphone", "thunderbird")
_seq = itertools.count(1)

_DAYS = {"nl": ["ma", "di", "wo", "do", "vr", "za", "zo"], "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]}
_MONTHS = {"nl": ["jan.", "feb.", "mrt.", "apr.", "mei", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec."],
           "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]}


def when(at):
    """An aware datetime from a datetime or an ISO string (no zone: ZONE)."""
    if isinstance(at, datetime.datetime):
        return at if at.tzinfo else at.replace(tzinfo=ZONE)
    s = at.replace("Z", "+00:00")
    d = datetime.datetime.fromisoformat(s)
    return d if d.tzinfo else d.replace(tzinfo=ZONE)


def _date_header(at):
    return email.utils.format_datetime(when(at).astimezone(ZONE))


def _addr(name, frm):
    """A From value; non-ASCII names RFC 2047-encoded as mail programs do."""
    try:
        name.encode("ascii")
        return "%s <%s>" % (name, frm)
    except UnicodeEncodeError:
        return "%s <%s>" % (Header(name, "utf-8").encode(), frm)


def _msgid(client, frm):
    n = next(_seq)
    dom = {"outlook": "eurprd04.prod.outlook.com", "gmail": "mail.gmail.com"}.get(client, frm.split("@")[-1])
    return "<sim%05d.%s@%s>" % (n, client, dom)


def _headers(frm, name, to, subject, at, client, in_reply_to=None, refs=None, extra=()):
    h = [("From", _addr(name, frm)), ("To", to), ("Subject", Header(subject, "utf-8").encode()
                                                      if not subject.isascii() else subject),
         ("Date", _date_header(at)), ("Message-ID", _msgid(client, frm)), ("MIME-Version", "1.0")]
    if in_reply_to:
        h.append(("In-Reply-To", in_reply_to))
        h.append(("References", refs or in_reply_to))
    h.extend(extra)
    h.append({"outlook": ("X-Mailer", "Microsoft Outlook 16.0"),
              "apple": ("X-Mailer", "Apple Mail (2.3774.600.62)"),
              "iphone": ("X-Mailer", "iPhone Mail (21E236)"),
              "thunderbird": ("User-Agent", "Mozilla/5.0 Thunderbird/115.6.0")}.get(client, ("X-Gm-Sim", "1")))
    return "".join("%s: %s\r\n" % kv for kv in h)


def _crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def _qp(text):
    raw = text.replace("\r\n", "\n").encode("utf-8")
    return quopri.encodestring(raw).decode("ascii").replace("\n", "\r\n")


def _b64(data):
    return base64.encodebytes(data).decode("ascii").replace("\n", "\r\n")


def _flowed(text):
    """RFC 3676 format=flowed: long lines broken at spaces, soft breaks end in a space. A quoted
    line keeps its quote marks on every piece (RFC 3676 4.5: a soft break joins only lines of the
    same quote depth; Apple Mail, iOS Mail and Thunderbird write "> " before each piece), so the
    overflow of a long quoted line is never a line of its own without '>'."""
    out = []
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        mark = line[:depth] + (" " if depth and line[depth:depth + 1] == " " else "")
        rest = line[len(mark):]
        while len(mark) + len(rest) > 72 and " " in rest[:72 - len(mark)]:
            cut = rest.rfind(" ", 0, 72 - len(mark))
            out.append(mark + rest[:cut + 1])
            rest = rest[cut + 1:]
        out.append(mark + (rest.rstrip(" ") if not depth else rest))
    return "\n".join(out)


def _esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _html_paras(text):
    return "".join("<div>%s</div>" % (_esc(line) if line.strip() else "<br>") for line in text.split("\n"))


def _attribution(mail, lang, client):
    d = when(mail.date).astimezone(ZONE)
    day, mon = _DAYS[lang][d.weekday()], _MONTHS[lang][d.month - 1]
    who = mail.frm_display
    if client == "gmail":
        return ("Op %s %d %s %d om %s schreef %s:" % (day, d.day, mon, d.year, d.strftime("%H:%M"), who)
                if lang == "nl" else
                "On %s, %d %s %d at %s, %s wrote:" % (day, d.day, mon, d.year, d.strftime("%H:%M"), who))
    if client in ("apple", "iphone"):
        return ("Op %d %s %d om %s heeft %s het volgende geschreven:" % (d.day, mon, d.year, d.strftime("%H:%M"), who)
                if lang == "nl" else
                "On %d %s %d, at %s, %s wrote:" % (d.day, mon, d.year, d.strftime("%H:%M"), who))
    return ("Op %s om %s schreef %s:" % (d.strftime("%d-%m-%Y"), d.strftime("%H:%M"), who) if lang == "nl"
            else "On %s %s, %s wrote:" % (d.strftime("%d/%m/%Y"), d.strftime("%H:%M"), who))


def _quoted(mail):
    return "\n".join(("> " + line) if line else ">" for line in mail.text.rstrip("\n").split("\n"))


def _re(subject, client, lang):
    if client == "outlook":
        return ("RE: " if lang == "en" else "RE: ") + subject
    return "Re: " + subject


def reply(mail, frm, name, body, client="gmail", lang="nl", at=None):
    """A reply to `mail` (a sim.Mail) from frm/name with `body` (plain text, the member's words),
    written as `client` writes replies: sent to the Reply-To address, threaded on Message-ID."""
    at = at or mail.date
    to = mail.reply_to or mail.frm
    head = _headers(frm, name, to, _re(mail.subject, client, lang), at, client,
                    mail.message_id, (mail.references + " " if mail.references else "") + mail.message_id)
    sign = {"nl": "Verzonden vanaf mijn iPhone", "en": "Sent from my iPhone"}[lang]
    if client == "outlook":
        d = when(mail.date).astimezone(ZONE)
        labels = (("Van", "Verzonden", "Aan", "Onderwerp") if lang == "nl" else ("From", "Sent", "To", "Subject"))
        html = ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
                "<style>p.MsoNormal{margin:0cm;font-family:Calibri}</style></head><body lang=\"NL\">"
                "<div class=\"WordSection1\">%s<div><br></div></div>"
                "<div id=\"appendonsend\"></div><hr style=\"display:inline-block;width:98%%\" tabindex=\"-1\">"
                "<div id=\"divRplyFwdMsg\" dir=\"ltr\"><font face=\"Calibri, sans-serif\" style=\"font-size:11pt\">"
                "<b>%s:</b> %s<br><b>%s:</b> %s<br><b>%s:</b> %s<br><b>%s:</b> %s</font><div>&nbsp;</div></div>"
                "<div>%s</div></body></html>"
                % (_html_paras(body), labels[0], _esc(mail.frm_display), labels[1], d.strftime("%d-%m-%Y %H:%M"),
                   labels[2], _esc(name), labels[3], _esc(mail.subject),
                   (mail.html_body or _html_paras(mail.text))))
        return (head + "Thread-Topic: %s\r\nContent-Language: nl-NL\r\n" % Header(mail.subject, "utf-8").encode() +
                "Content-Type: text/html; charset=\"utf-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                + _qp(html) + "\r\n").encode("ascii")
    attribution = _attribution(mail, lang, client)
    if client == "gmail":
        b = "000000000000%012x" % next(_seq)
        plain = "%s\n\n%s\n\n%s\n" % (body, attribution, _quoted(mail))
        html = ("<div dir=\"ltr\">%s</div><br><div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">%s"
                "<br></div><blockquote class=\"gmail_quote\" style=\"margin:0px 0px 0px 0.8ex;border-left:1px solid "
                "rgb(204,204,204);padding-left:1ex\">%s</blockquote></div>"
                % (_html_paras(body), _esc(attribution), _html_paras(mail.text)))
        return (head + "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n" % b +
                "--%s\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                "%s\r\n--%s\r\nContent-Type: text/html; charset=\"UTF-8\"\r\n"
                "Content-Transfer-Encoding: quoted-printable\r\n\r\n%s\r\n--%s--\r\n"
                % (b, _qp(plain), b, _qp(html), b)).encode("ascii")
    if client == "apple":
        b = "Apple-Mail=_%08X-SIM" % next(_seq)
        plain = _flowed("%s\n\n> %s\n>\n%s\n" % (body, attribution, _quoted(mail)))
        html = ("<html><head><meta http-equiv=\"content-type\" content=\"text/html; charset=utf-8\"></head>"
                "<body style=\"overflow-wrap: break-word;\">%s<div><br><blockquote type=\"cite\"><div>%s</div>%s"
                "</blockquote></div></body></html>" % (_html_paras(body), _esc(attribution), _html_paras(mail.text)))
        return (head + "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n" % b +
                "--%s\r\nContent-Transfer-Encoding: quoted-printable\r\nContent-Type: text/plain;\r\n\tcharset=utf-8;"
                "\r\n\tformat=flowed\r\n\r\n%s\r\n--%s\r\nContent-Transfer-Encoding: quoted-printable\r\n"
                "Content-Type: text/html;\r\n\tcharset=utf-8\r\n\r\n%s\r\n--%s--\r\n"
                % (b, _qp(plain), b, _qp(html), b)).encode("ascii")
    if client == "iphone":
        plain = _flowed("%s\n\n%s\n\n> %s\n>\n%s\n" % (body, sign, attribution, _quoted(mail)))
        return (head + "Content-Type: text/plain; charset=utf-8; format=flowed; delsp=no\r\n"
                "Content-Transfer-Encoding: base64\r\n\r\n" + _b64(_crlf(plain).encode("utf-8"))).encode("ascii")
    if client == "thunderbird":
        plain = _flowed("%s\n\n%s\n%s\n" % (body, attribution, _quoted(mail)))
        return (head + "Content-Type: text/plain; charset=UTF-8; format=flowed\r\n"
                "Content-Transfer-Encoding: 8bit\r\n\r\n" + _crlf(plain)).encode("utf-8")
    raise ValueError("unknown client %r (known: %s)" % (client, ", ".join(CLIENTS)))


def mailto_reply(mail, link_no, frm, name, client="gmail", at=None):
    """What a mail program sends when the member clicks the link_no-th mailto: link of mail's HTML
    part (0-based) and presses Send: To, Subject and body exactly as the link pre-fills them."""
    href = mail.mailto_links[link_no]
    u = urllib.parse.urlsplit(href)
    q = urllib.parse.parse_qs(u.query)
    to = urllib.parse.unquote(u.path)
    subject = q.get("subject", [""])[0]
    body = q.get("body", [""])[0]
    head = _headers(frm, name, to, subject, at or mail.date, client)
    if client == "iphone":
        body += "\n\n" + "Verzonden vanaf mijn iPhone"
    return (head + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            + _qp(body + "\n")).encode("ascii")


def new_mail(to, frm, name, subject, body, client="gmail", at=None):
    """A new message (not a reply), plain text as every program can send it."""
    head = _headers(frm, name, to, subject, at, client)
    return (head + "Content-Type: text/plain; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            + _qp(body + "\n")).encode("ascii")


def out_of_office(mail, frm, name, lang="nl", at=None, until="the end of the month"):
    """An Exchange-style automatic reply (Auto-Submitted: auto-replied, RFC 3834)."""
    subject = ("Automatisch antwoord: " if lang == "nl" else "Automatic reply: ") + mail.subject
    text = ("Ik ben afwezig tot en met %s en lees mijn mail niet. Voor dringende zaken: bel de servicedesk."
            if lang == "nl" else "I am out of the office until %s with no access to email.") % until
    head = _headers(frm, name, mail.reply_to or mail.frm, subject, at or mail.date, "outlook", mail.message_id,
                    extra=(("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All")))
    return (head + "Content-Type: text/plain; charset=\"utf-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            + _qp(text + "\n")).encode("ascii")


def bounce(mail, at=None, mta="mx.example.nl", status="5.1.1", diag="550 5.1.1 User unknown"):
    """A delivery status notification (multipart/report, RFC 3464) for mail's recipient, with the
    original headers, as Postfix sends it from MAILER-DAEMON to the envelope sender."""
    b = "%08X.%d/%s" % (next(_seq), 1, mta)
    rcpt = email.utils.parseaddr(mail.to)[1]
    ret = mail.return_path or email.utils.parseaddr(mail.frm)[1]
    head = ("From: MAILER-DAEMON@%s (Mail Delivery System)\r\nTo: %s\r\nSubject: Undelivered Mail Returned to Sender\r\n"
            "Date: %s\r\nMessage-ID: <%s@%s>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"%s\"\r\n\r\n"
            % (mta, ret, _date_header(at or mail.date), b.split("/")[0], mta, b))
    human = ("This is the mail system at host %s.\r\n\r\nI'm sorry to have to inform you that your message could not\r\n"
             "be delivered to one or more recipients.\r\n\r\n<%s>: host %s said: %s\r\n" % (mta, rcpt, mta, diag))
    dsn = ("Reporting-MTA: dns; %s\r\nArrival-Date: %s\r\n\r\nFinal-Recipient: rfc822; %s\r\nOriginal-Recipient: rfc822;%s\r\n"
           "Action: failed\r\nStatus: %s\r\nRemote-MTA: dns; %s\r\nDiagnostic-Code: smtp; %s\r\n"
           % (mta, _date_header(mail.date), rcpt, rcpt, status, mta, diag))
    orig = "".join("%s: %s\r\n" % (k, v) for k, v in mail.raw_headers)
    return (head + "--%s\r\nContent-Description: Notification\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n%s\r\n"
            "--%s\r\nContent-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n%s\r\n"
            "--%s\r\nContent-Description: Undelivered Message Headers\r\nContent-Type: text/rfc822-headers\r\n\r\n%s\r\n"
            "--%s--\r\n" % (b, human, b, dsn, b, orig, b)).encode("utf-8", "replace")


def _ical_reply(mail, frm, name, partstat, client, at):
    """The VCALENDAR a calendar program answers an invite with (METHOD:REPLY, the attendee only).
    Lines are unfolded on input and re-emitted without folding: short enough here."""
    cal = mail.calendar or ""
    get = {}
    for line in cal.replace("\r\n ", "").replace("\r\n\t", "").splitlines():
        key = line.split(":", 1)[0].split(";", 1)[0]
        if key in ("UID", "SEQUENCE", "DTSTART", "DTEND", "SUMMARY", "ORGANIZER") and key not in get:
            get[key] = line
    stamp = when(at).astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "METHOD:REPLY", "VERSION:2.0",
             {"outlook": "PRODID:Microsoft Exchange Server 2010",
              "google": "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
              "apple": "PRODID:-//Apple Inc.//macOS 14.4//EN"}[client], "BEGIN:VEVENT"]
    if client != "outlook" and "ORGANIZER" in get:  # Outlook's replies carry no ORGANIZER
        lines.append(get["ORGANIZER"])
    lines.append("ATTENDEE;PARTSTAT=%s;CN=%s:mailto:%s" % (partstat, name, frm))
    for k in ("UID", "SEQUENCE", "DTSTART", "DTEND", "SUMMARY"):
        if k in get:
            lines.append(get[k])
    lines += ["DTSTAMP:" + stamp, "END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(lines) + "\r\n"


def rsvp(mail, frm, name, partstat, client="outlook", at=None, lang="nl"):
    """A calendar program's answer to the invite in `mail`: partstat ACCEPTED, DECLINED or
    TENTATIVE. Outlook: text/calendar method=REPLY as the body's part; Google: multipart/mixed with
    the REPLY inline and as invite.ics; Apple: text/calendar WITHOUT the method parameter."""
    at = at or mail.date
    word = {"ACCEPTED": ("Geaccepteerd", "Accepted"), "DECLINED": ("Geweigerd", "Declined"),
            "TENTATIVE": ("Voorlopig", "Tentative")}[partstat][0 if lang == "nl" else 1]
    subject = "%s: %s" % (word, mail.subject)
    ics = _ical_reply(mail, frm, name, partstat, client, at)
    head = _headers(frm, name, mail.reply_to or mail.frm, subject, at, "outlook" if client == "outlook" else
                    ("gmail" if client == "google" else "apple"), mail.message_id)
    if client == "outlook":
        b = "_000_SIM%06d_" % next(_seq)
        return (head + "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n" % b +
                "--%s\r\nContent-Type: text/plain; charset=\"utf-8\"\r\n\r\n%s\r\n"
                "--%s\r\nContent-Type: text/calendar; charset=\"utf-8\"; method=REPLY\r\n"
                "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--%s--\r\n"
                % (b, word, b, _b64(ics.encode("utf-8")), b)).encode("ascii")
    if client == "google":
        b = "000000000000%012x" % next(_seq)
        return (head + "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n" % b +
                "--%s\r\nContent-Type: text/calendar; charset=\"UTF-8\"; method=REPLY\r\n"
                "Content-Transfer-Encoding: 7bit\r\n\r\n%s\r\n"
                "--%s\r\nContent-Type: application/ics; name=\"invite.ics\"\r\nContent-Disposition: attachment; "
                "filename=\"invite.ics\"\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n--%s--\r\n"
                % (b, ics, b, _b64(ics.encode("utf-8")), b)).encode("utf-8")
    if client == "apple":
        return (head + "Content-Type: text/calendar; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                + _qp(ics)).encode("ascii")
    raise ValueError("unknown calendar client %r (outlook, google, apple)" % client)
