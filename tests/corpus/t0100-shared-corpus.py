#!/usr/bin/python3
"""Every corpus case through `feedbackctl inspect --json`, checked against what it should give.

- replies (REPLY_FOLDERS: discourse-trimmer, crisp, email-reply-parser-php, github): `text` equals
  `<case>.expected.txt`, ignoring trailing spaces per line and blank lines at the start and end.
- bounces (BOUNCE_FOLDERS): kind bounce, a recipient, and `permanent` as EXPECTED.tsv's status says
  where the source asserts one.
- auto-replies (AUTOREPLY_FOLDERS): kind auto_reply.
- iTIP: every REPLY read to the right PARTSTAT, UID and attendee; invitations and cancellations
  are itip, PUBLISH is not, bounces of invitations are bounces.
- clients (ours, clients/ and every clients/<topic>/): every key of `<case>.expected.json` equals the output (`text` compared as above).

Every case either gives what it should or is listed in known-differences.tsv beside this file
(case id, a tab, why we read it differently): there is no threshold, so one regression fails.
A listed case that now gives what it should fails too ("remove it from the list"), so the list
only shrinks, and so does a listed id that names no case. Any crash, non-zero exit or output that
is not one JSON object fails, listed or not. A table per corpus folder closes the output.
"""
import concurrent.futures
import json
import os
import subprocess
import sys

TOP = os.environ.get("FB_TOP") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("BUILD", "build")
if not os.path.isabs(BUILD):
    BUILD = os.path.join(TOP, BUILD)
CTL = os.path.join(BUILD, "feedbackctl")
CORPUS = os.path.join(TOP, "tests", "corpus")

KNOWN_FILE = os.path.join(CORPUS, "known-differences.tsv")

failures = 0
known = {}      # case id -> why it reads differently (known-differences.tsv)
seen = set()    # case ids checked in this run
table = {}      # corpus folder -> [passed, known differences, failed]


def ok(what):
    print("ok - " + what)


def notok(what, detail=None):
    global failures
    failures += 1
    print("not ok - " + what)
    if detail:
        for line in str(detail).splitlines()[:40]:
            print("#   " + line)


def load_known():
    """known-differences.tsv: '#' comments, blank lines, else `case id<TAB>reason` (both needed)."""
    with open(KNOWN_FILE, encoding="utf-8") as f:
        for n, line in enumerate(f.read().splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t", 1)
            if len(cols) != 2 or not cols[0].strip() or not cols[1].strip():
                notok("known-differences.tsv:%d: not `case id<TAB>reason`" % n, line)
            elif cols[0] in known:
                notok("known-differences.tsv:%d: %s listed twice" % (n, cols[0]))
            else:
                known[cols[0]] = cols[1].strip()


def verdict(folder, case, good, what, detail=None, crashed=False):
    """One case's outcome. case is its id (path under tests/corpus, '#N' for a part of a file);
    good says whether it gave what it should. A known difference passes only while it differs;
    a crash fails whatever the list says."""
    row = table.setdefault(folder, [0, 0, 0])
    seen.add(case)
    if crashed:
        row[2] += 1
        notok(what, detail)
    elif good and case in known:
        row[2] += 1
        notok("%s: passes now, remove %s from known-differences.tsv (%s)" % (what, case, known[case]))
    elif good:
        row[0] += 1
        ok(what)
    elif case in known:
        row[1] += 1
        ok("%s: known difference: %s" % (what.split(":")[0], known[case]))
        if detail:
            for line in str(detail).splitlines()[:40]:
                print("#   " + line)
    else:
        row[2] += 1
        notok(what, detail)


def report():
    """Listed ids that named no case fail; then the table per corpus folder."""
    for case in sorted(set(known) - seen):
        notok("known-differences.tsv lists %s, which is no corpus case" % case)
    print("# %-40s %7s %7s %7s" % ("corpus folder", "passed", "known", "failed"))
    tot = [0, 0, 0]
    for folder in sorted(table):
        row = table[folder]
        tot = [a + b for a, b in zip(tot, row)]
        print("# %-40s %7d %7d %7d" % (folder, row[0], row[1], row[2]))
    print("# %-40s %7d %7d %7d" % ("all", tot[0], tot[1], tot[2]))


def inspect(path=None, data=None):
    """Run inspect --json on a file or on bytes; returns (dict or None, error string)."""
    args = [CTL, "inspect", "--json", path if path else "-"]
    try:
        p = subprocess.run(args, input=data, capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return None, "timed out"
    if p.returncode != 0:
        return None, "exit %d: %s" % (p.returncode, p.stderr.decode("utf-8", "replace")[-2000:])
    try:
        return json.loads(p.stdout.decode("utf-8")), None
    except ValueError as e:
        return None, "not JSON (%s): %r" % (e, p.stdout[:500])


# feedbackctl runs once per case (so a crash is that case's alone); the runs are independent,
# so they go side by side on every core (CORPUS_JOBS), and are checked in order.
JOBS = int(os.environ.get("CORPUS_JOBS") or os.cpu_count() or 1)


def inspect_all(paths=None, datas=None):
    """inspect() of each path (or each bytes of datas), the results in the same order."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=JOBS) as pool:
        if paths is not None:
            return list(pool.map(lambda p: inspect(p), paths))
        return list(pool.map(lambda d: inspect(data=d), datas))


def normalise(text):
    lines = [l.rstrip(" \t\r") for l in text.split("\n")]
    while lines and lines[0] == "":
        lines.pop(0)
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines)


def files(folder, suffix=".eml"):
    d = os.path.join(CORPUS, folder)
    if not os.path.isdir(d):
        return []
    return sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(suffix))


def case_id(path):
    return os.path.relpath(path, CORPUS)


REPLY_FOLDERS = ["discourse-trimmer", "crisp-email-reply-parser", "email-reply-parser-php",
                 "github-email-reply-parser"]
BOUNCE_FOLDERS = ["sisimai/bounces", "bounce-email/bounces", "php-bounce-handler/bounces"]
AUTOREPLY_FOLDERS = ["sisimai/autoreplies", "bounce-email/autoreplies"]


def replies(folder):
    cases = files(folder)
    if not cases:
        notok("reply corpus %s present" % folder)
    for eml, (out, err) in zip(cases, inspect_all(cases)):
        name = os.path.basename(eml)[:-4]
        with open(eml[:-4] + ".expected.txt", encoding="utf-8") as f:
            want = normalise(f.read())
        if out is None:
            verdict(folder, case_id(eml), False, "reply %s/%s: inspect failed" % (folder, name), err,
                    crashed=True)
            continue
        got = normalise(out.get("text", ""))
        diff = ["--- expected"] + ["| " + l for l in want.splitlines()[:15]] + \
               ["--- got (kind %s)" % out.get("kind")] + ["| " + l for l in got.splitlines()[:15]]
        verdict(folder, case_id(eml), got == want,
                "reply %s/%s: text as expected" % (folder, name), "\n".join(diff))


# Where we read a notice differently from sisimai on purpose: file → (permanent, why).
# The notice's own words decide (task rule: no status given → 4.0.0 for "delayed"/"temporary").
OUR_READING = {
    "lhost-opensmtpd-04.eml": (False, "the notice gives no status and says \"this is only a "
                               "temporary failure report\"; sisimai files it as 5.0.944 "
                               "networkerror"),
    "lhost-opensmtpd-05.eml": (False, "\"Envelope expired\": the server gave up retrying a "
                               "temporary failure, read as expired 4.4.7 (not permanent); "
                               "sisimai files it as 5.0.947 expired"),
}


def expected_statuses(folder):
    """EXPECTED.tsv (file, status, reason) where the source project asserts a status; none for a
    source that asserts only that every file is a bounce."""
    expected = {}
    tsv = os.path.join(CORPUS, folder, "EXPECTED.tsv")
    if os.path.exists(tsv):
        with open(tsv, encoding="utf-8") as f:
            for line in f.read().splitlines()[1:]:
                cols = line.split("\t")
                if len(cols) >= 2 and cols[1]:
                    expected[cols[0]] = cols[1].split("|")[0]
    return expected


def bounces(folder):
    expected = expected_statuses(folder)
    cases = files(folder)
    if not cases:
        notok("bounce corpus %s present" % folder)
    for eml, (out, err) in zip(cases, inspect_all(cases)):
        name = os.path.basename(eml)
        cid = case_id(eml)
        what = "bounce %s/%s" % (folder.split("/")[0], name)
        if out is None:
            verdict(folder, cid, False, what + ": inspect failed", err, crashed=True)
            continue
        b = out.get("bounce") or {}
        if out.get("kind") != "bounce":
            verdict(folder, cid, False, "%s: kind is %s" % (what, out.get("kind")),
                    out.get("reasons"))
        elif not b.get("recipient") or "@" not in b["recipient"]:
            verdict(folder, cid, False, what + ": no failed recipient found", json.dumps(b))
        elif folder.startswith("sisimai/") and name in OUR_READING:
            perm, why = OUR_READING[name]
            if b.get("permanent") == perm:
                verdict(folder, cid, True, "%s: %s %s (differs from sisimai on purpose: %s)"
                        % (what, b.get("recipient"), b.get("status"), why))
            else:
                verdict(folder, cid, False, "%s: permanent=%s, expected %s: %s"
                        % (what, b.get("permanent"), perm, why))
        elif name in expected and b.get("permanent") != expected[name].startswith("5"):
            verdict(folder, cid, False, "%s: permanent=%s but status is %s (we read %s)"
                    % (what, b.get("permanent"), expected[name], b.get("status")))
        else:
            verdict(folder, cid, True, "%s: %s %s" % (what, b.get("recipient"), b.get("status")))


def autoreplies(folder):
    cases = files(folder)
    if not cases:
        notok("auto-reply corpus %s present" % folder)
    for eml, (out, err) in zip(cases, inspect_all(cases)):
        name = "%s/%s" % (folder.split("/")[0], os.path.basename(eml))
        if out is None:
            verdict(folder, case_id(eml), False, "auto-reply %s: inspect failed" % name,
                    err, crashed=True)
        elif out.get("kind") != "auto_reply":
            verdict(folder, case_id(eml), False, "auto-reply %s: kind is %s"
                    % (name, out.get("kind")), out.get("reasons"))
        else:
            verdict(folder, case_id(eml), True, "auto-reply %s: %s"
                    % (name, "; ".join(out.get("reasons", []))))


def wrap_ics(ics):
    """A bare .ics as Apple sends it: text/calendar without method=."""
    head = (b"From: Attendee <attendee@example.org>\r\nTo: Feedback <feedback@example.org>\r\n"
            b"Subject: Calendar\r\nMessage-ID: <ics@corpus.example>\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: text/calendar; charset=utf-8\r\n\r\n")
    return head + ics


# (file, part of a multi-calendar file or None, kind, method, uid, attendee, partstat)
REPLY = "REPLY"
ITIP_CASES = [
    ("apple-ccs-calendarserver/good_reply", None, "itip", REPLY,
     "1E71F9C8-AEDA-48EB-98D0-76E898F6BB5C", "xyzzy@example.com", "ACCEPTED"),
    ("apple-ccs-calendarserver/good_reply_future", None, "itip", REPLY,
     "1E71F9C8-AEDA-48EB-98D0-76E898F6BB5C", "xyzzy@example.com", "ACCEPTED"),
    ("apple-ccs-calendarserver/dsn_failure_with_ics", None, "bounce", None, None, None, None),
    ("apple-ccs-calendarserver/dsn_failure_no_original", None, "bounce", None, None, None, None),
    ("evolution-data-server/invite-2.ics", None, "itip", REPLY, "invite", "user@no.where",
     "ACCEPTED"),
    ("libical/itip.ics", None, "itip", REPLY, "0981234-1234234-23@example.com",
     "eric@agony.busboom.org", "NEEDS-ACTION"),
    ("cyrus-imapd/google-reply-tentative-with-comment.ics", None, "itip", REPLY,
     "a4294f2a-cafb-407b-951b-67684ed0ba54", "attendee@local", "TENTATIVE"),
    ("cyrus-imapd/exchange2010-reply-accepted-no-organizer.ics", None, "itip", REPLY,
     "a4294f2a-cafb-407b-951b-67684ed0ab56", "attendee@local", "ACCEPTED"),
    ("cyrus-imapd/google-counter.ics", None, "itip", "COUNTER",
     "a4294f2a-cafb-407b-951b-67684ed0ba54", None, None),
    ("libical/incoming.ics", 4, "itip", REPLY, "calsrv.example.com-873970198738785@example.com",
     "b@example.com", "ACCEPTED"),
    ("libical/incoming.ics", 5, "itip", REPLY, "calsrv.example.com-873970198738785@example.com",
     "b@example.com", "DELEGATED"),
    ("libical/incoming.ics", 7, "itip", REPLY, "calsrv.example.com-873970198738785@example.com",
     "c@example.com", "DECLINED"),
    ("libical/incoming.ics", 8, "itip", REPLY, "calsrv.example.com-873970198738785@example.com",
     "x@example.com", "ACCEPTED"),
    ("libical/incoming.ics", 9, "itip", REPLY, "calsrv.example.com-873970198738785@example.com",
     "y@example.com", "DECLINED"),
    ("libical/incoming.ics", 10, "itip", "CANCEL", None, None, None),
    ("libical/incoming.ics", 11, "itip", "COUNTER", None, None, None),
    ("libical/incoming.ics", 12, "new", None, None, None, None),  # PUBLISH
    ("libical/simple-mime.txt", None, "itip", "REQUEST", None, None, None),
    ("libical/complex-mime.txt", None, "itip", "REQUEST", None, None, None),
]
for _n in ["invite-1.ics", "invite-3.ics", "invite-5.ics", "invite-6.ics", "invite-7.ics"]:
    ITIP_CASES.append(("evolution-data-server/" + _n, None, "itip", "REQUEST", None, None, None))
ITIP_CASES.append(("evolution-data-server/invite-4.ics", None, "itip", "CANCEL", None, None, None))
for _n in ["cancel-repeat-event", "cancel-single-event"]:
    ITIP_CASES.append(("thunderbird-comm-central/%s.eml" % _n, None, "itip", "CANCEL",
                       None, None, None))
for _n in ["event-with-file-attachment", "exception-major", "exception-minor", "mailext-invite",
           "meet-meeting-invite", "outlook-test-invite", "repeat-event", "repeat-update-major",
           "repeat-update-minor", "single-event", "teams-meeting-invite", "update-major",
           "update-minor"]:
    ITIP_CASES.append(("thunderbird-comm-central/%s.eml" % _n, None, "itip", "REQUEST",
                       None, None, None))
for _n in ["message-containing-event", "message-non-invite"]:  # PUBLISH: not iTIP
    ITIP_CASES.append(("thunderbird-comm-central/%s.eml" % _n, None, "not itip", None,
                       None, None, None))


def calendars_of(data):
    """Split a file of several VCALENDARs (libical's incoming.ics) into them."""
    out, cur = [], None
    for line in data.splitlines(keepends=True):
        if line.strip() == b"BEGIN:VCALENDAR":
            cur = [line]
        elif cur is not None:
            cur.append(line)
            if line.strip() == b"END:VCALENDAR":
                out.append(b"".join(cur))
                cur = None
    return out


def itip_data(rel, part):
    """The message a case is: the file, a bare .ics wrapped, or one calendar of several."""
    with open(os.path.join(CORPUS, "itip", rel), "rb") as f:
        data = f.read()
    if part is not None:
        return wrap_ics(calendars_of(data)[part])
    if rel.endswith(".ics"):
        return wrap_ics(data)
    return data


def itip():
    results = inspect_all(datas=[itip_data(c[0], c[1]) for c in ITIP_CASES])
    for (rel, part, kind, method, uid, attendee, partstat), (out, err) in zip(ITIP_CASES, results):
        what = "itip %s%s" % (rel, "" if part is None else " #%d" % part)
        folder = "itip/" + rel.split("/")[0]
        cid = "itip/" + rel + ("" if part is None else "#%d" % part)
        if out is None:
            verdict(folder, cid, False, what + ": inspect failed", err, crashed=True)
            continue
        got = out.get("kind")
        if (kind == "not itip" and got == "itip") or (kind != "not itip" and got != kind):
            verdict(folder, cid, False, "%s: kind %s, expected %s" % (what, got, kind),
                    out.get("reasons"))
            continue
        it = out.get("itip") or {}
        want = {"method": method, "uid": uid, "attendee": attendee, "partstat": partstat}
        bad = {k: (v, it.get(k)) for k, v in want.items() if v is not None and it.get(k) != v}
        if bad:
            verdict(folder, cid, False, what + ": wrong " + ", ".join(
                "%s %r (expected %r)" % (k, g, w) for k, (w, g) in bad.items()))
        else:
            verdict(folder, cid, True, "%s: %s %s" % (what, got,
                                                      " ".join(str(v) for v in want.values() if v)))


def client_folders():
    """clients/ and each topic folder under it (clients/html, clients/bounces, …), scored apart."""
    root = os.path.join(CORPUS, "clients")
    out = ["clients"]
    for d in sorted(os.listdir(root)):
        if os.path.isdir(os.path.join(root, d)):
            out.append("clients/" + d)
    return out


def clients(folder):
    cases = files(folder)
    if not cases:
        notok("client cases in %s present" % folder)
    for eml, (out, err) in zip(cases, inspect_all(cases)):
        name = os.path.basename(eml)[:-4]
        with open(eml[:-4] + ".expected.json", encoding="utf-8") as f:
            want = json.load(f)
        if out is None:
            verdict(folder, case_id(eml), False, "client %s: inspect failed" % name, err,
                    crashed=True)
            continue
        bad = []
        for k, v in want.items():
            g = out.get(k)
            if k == "text":
                if normalise(g or "") != normalise(v):
                    bad.append("text:\n--- expected\n%s\n--- got\n%s" % (normalise(v), normalise(g or "")))
            elif isinstance(v, dict) and isinstance(g, dict):
                for kk, vv in v.items():
                    if g.get(kk) != vv:
                        bad.append("%s.%s is %r, expected %r" % (k, kk, g.get(kk), vv))
            elif g != v:
                bad.append("%s is %r, expected %r" % (k, g, v))
        verdict(folder, case_id(eml), not bad, "client %s: %s as expected"
                % (name, ", ".join(sorted(want))), "\n".join(bad))


def main():
    if not os.access(CTL, os.X_OK):
        notok("feedbackctl built at " + CTL)
        return 1
    load_known()
    for folder in REPLY_FOLDERS:
        replies(folder)
    for folder in BOUNCE_FOLDERS:
        bounces(folder)
    for folder in AUTOREPLY_FOLDERS:
        autoreplies(folder)
    itip()
    for folder in client_folders():
        clients(folder)
    report()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
