"""Helpers shared by the calendar tests (t06*.py): read what feedbackd sends with three
independent parsers and compare them.

- view_icalendar(ics): Python's icalendar (python3-icalendar) reads the calendar; the instant
  of DTSTART/DTEND comes from the calendar's OWN VTIMEZONE (not the system's zone data).
- icaljs(paths, tz): Mozilla's ical.js (Thunderbird's parser) through tests/js/icalcheck.mjs.
  Missing node or a missing `npm ci --prefix tests/js` is a failure, never a skip: CI machines
  have the npm registry (tests/install-deps.sh installs it).
- icalrestrict(paths): libical's icalrestriction_check() through build/tools/icalrestrict.
- same_view(t, what, js, py): one TAP line per field where the two parsers must agree.
"""
import datetime
import email
import email.policy
import json
import os
import shutil
import subprocess

import icalendar

TOP = os.environ.get("FB_TOP", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BUILD = os.environ.get("BUILD", "build")
BUILD = BUILD if os.path.isabs(BUILD) else os.path.join(TOP, BUILD)
JS_DIR = os.path.join(TOP, "tests", "js")
ICALCHECK = os.path.join(JS_DIR, "icalcheck.mjs")
ICALRESTRICT = os.path.join(BUILD, "tools", "icalrestrict")


class ToolMissing(Exception):
    pass


def icaljs_ready():
    """None when ical.js can run, else what is missing and how to get it."""
    if shutil.which("node") is None:
        return "node is not installed (make deps installs nodejs and npm)"
    if not os.path.isfile(os.path.join(JS_DIR, "node_modules", "ical.js", "package.json")):
        return ("ical.js is not installed in tests/js/node_modules: run `npm ci --prefix tests/js` "
                "(make deps does; it needs the npm registry)")
    return None


def icaljs(paths, tz=None):
    """ical.js's view of each file (a list of dicts, see icalcheck.mjs); raises ToolMissing."""
    why = icaljs_ready()
    if why:
        raise ToolMissing(why)
    args = ["node", ICALCHECK] + (["--tz", tz] if tz else []) + list(paths)
    p = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise RuntimeError("icalcheck.mjs failed (%d): %s" % (p.returncode, p.stderr))
    return json.loads(p.stdout)


def icalrestrict(paths):
    """(passed, output) of libical's icalrestriction_check on each file."""
    p = subprocess.run([ICALRESTRICT] + list(paths), capture_output=True, text=True, timeout=120)
    return p.returncode == 0, p.stdout + p.stderr


def calendar_parts(raw):
    """The text/calendar parts of a message (bytes), found by Python's email package."""
    m = email.message_from_bytes(raw, policy=email.policy.default)
    return [p.get_payload(decode=True) for p in m.walk() if p.get_content_type() == "text/calendar"]


def _fmt_local(d):
    return d.strftime("%Y-%m-%dT%H:%M:%S")


def _time_view(cal, ev, prop):
    if prop not in ev:
        return None
    p = ev[prop]
    d = ev.decoded(prop)
    tzid = p.params.get("TZID")
    if tzid:
        vtz = [z for z in cal.walk("VTIMEZONE") if str(z["TZID"]) == tzid]
        if not vtz:
            return {"local": _fmt_local(d), "zone": tzid, "resolved": False, "utc": None}
        local = d.replace(tzinfo=None)
        u = vtz[0].to_tz().localize(local).astimezone(datetime.timezone.utc)
        return {"local": _fmt_local(local), "zone": tzid, "resolved": True,
                "utc": u.strftime("%Y-%m-%dT%H:%M:%SZ")}
    if isinstance(d, datetime.datetime) and d.tzinfo is not None:
        u = d.astimezone(datetime.timezone.utc)
        return {"local": _fmt_local(d), "zone": "UTC", "resolved": True,
                "utc": u.strftime("%Y-%m-%dT%H:%M:%SZ")}
    return {"local": _fmt_local(d), "zone": None, "resolved": False, "utc": None}


def _attendees(ev):
    a = ev.get("ATTENDEE")
    if a is None:
        return []
    if not isinstance(a, list):
        a = [a]
    return [{"address": str(x).lower().replace("mailto:", "", 1), "cn": x.params.get("CN"),
             "partstat": x.params.get("PARTSTAT"), "role": x.params.get("ROLE"),
             "rsvp": x.params.get("RSVP")} for x in a]


def view_icalendar(ics):
    """Python icalendar's view of a calendar, in icalcheck.mjs's shape."""
    cal = icalendar.Calendar.from_ical(ics)

    def s(c, k):
        return str(c[k]) if k in c else None
    events = []
    for ev in cal.walk("VEVENT"):
        org = s(ev, "ORGANIZER")
        events.append({
            "uid": s(ev, "UID"),
            "sequence": int(ev["SEQUENCE"]) if "SEQUENCE" in ev else None,
            "status": s(ev, "STATUS"), "summary": s(ev, "SUMMARY"),
            "location": s(ev, "LOCATION"), "url": s(ev, "URL"),
            "organizer": org.lower().replace("mailto:", "", 1) if org else None,
            "dtstart": _time_view(cal, ev, "DTSTART"), "dtend": _time_view(cal, ev, "DTEND"),
            "attendees": _attendees(ev),
        })
    return {"method": s(cal, "METHOD"), "version": s(cal, "VERSION"), "prodid": s(cal, "PRODID"),
            "vtimezones": [str(z["TZID"]) for z in cal.walk("VTIMEZONE")], "events": events}


FIELDS = ("uid", "sequence", "status", "summary", "location", "url", "organizer")


def same_view(t, what, js, py):
    """TAP checks that ical.js (js) read what icalendar (py) read: method, every event's UID,
    SEQUENCE, STATUS, texts, start and end (wall time, zone, UTC instant) and attendees."""
    ok = t.ok(js["method"] == py["method"], "%s: ical.js reads METHOD %s" % (what, py["method"]),
              js["method"])
    ok &= t.ok(len(js["events"]) == len(py["events"]) > 0, "%s: ical.js reads %d event(s)" %
               (what, len(py["events"])), len(js["events"]))
    for je, pe in zip(js["events"], py["events"]):
        diff = {k: (je[k], pe[k]) for k in FIELDS if je[k] != pe[k]}
        ok &= t.ok(not diff, "%s: ical.js reads UID, SEQUENCE %s, STATUS, texts, ORGANIZER as "
                   "icalendar does" % (what, pe["sequence"]), diff)
        for k in ("dtstart", "dtend"):
            ok &= t.ok(je[k] is not None and pe[k] is not None and je[k]["resolved"] and
                       all(je[k][x] == pe[k][x] for x in ("local", "zone", "utc")),
                       "%s: ical.js reads %s %s %s = %s from our VTIMEZONE" %
                       (what, k.upper(), pe[k] and pe[k]["local"], pe[k] and pe[k]["zone"],
                        pe[k] and pe[k]["utc"]), (je[k], pe[k]))
        key = lambda a: a["address"]  # noqa: E731
        ok &= t.ok(sorted(je["attendees"], key=key) == sorted(pe["attendees"], key=key),
                   "%s: ical.js reads the same ATTENDEEs and parameters" % what,
                   (je["attendees"], pe["attendees"]))
    return ok


def imip_view(raw):
    """What a mail program sees of an iMIP message (bytes), read with Python's email package:
    {to, frm, kind, content_type, alt_kinds: [types in the first part], method_param, charset,
    disposition (of the calendar part), cte, ics (decoded calendar bytes), attachment: {type,
    filename, disposition, same (its bytes equal ics)} or None, crlf (CRLF line ends only)}.
    Missing parts give None/[] rather than an exception, so a wrong message fails a check."""
    m = email.message_from_bytes(raw, policy=email.policy.default)
    v = {"to": m["To"].addresses[0].addr_spec.lower() if m["To"] else None,
         "frm": m["From"].addresses[0].addr_spec.lower() if m["From"] else None,
         "kind": m.get("X-Feedbackd-Kind"), "content_type": m.get_content_type(),
         "alt_kinds": [], "method_param": None, "charset": None, "disposition": None,
         "cte": None, "ics": None, "attachment": None,
         "crlf": b"\n" not in raw.replace(b"\r\n", b"")}
    parts = list(m.iter_parts()) if m.is_multipart() else []
    if parts and parts[0].is_multipart():
        alt = list(parts[0].iter_parts())
        v["alt_kinds"] = [p.get_content_type() for p in alt]
        cal = [p for p in alt if p.get_content_type() == "text/calendar"]
        if cal:
            c = cal[0]
            v.update(method_param=c.get_param("method"), charset=c.get_param("charset"),
                     disposition=c["Content-Disposition"],
                     cte=(c["Content-Transfer-Encoding"] or "").lower(),
                     ics=c.get_payload(decode=True))
    if len(parts) > 1:
        a = parts[1]
        data = a.get_payload(decode=True)
        v["attachment"] = {"type": a.get_content_type(), "filename": a.get_filename(),
                           "disposition": a.get_content_disposition(),
                           "same": data is not None and data == v["ics"]}
    return v
