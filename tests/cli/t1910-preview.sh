# feedbackctl preview: the mail a kind would be, composed by the daemon's own code, equals byte
# for byte the mail the daemon (or the command) then queues for the same member and week —
# apart from the Date, the Message-ID, the MIME boundaries and the reply token (and a new
# calendar item's random UID), which the preview shows as fixed examples. Nothing is written.
. "$(dirname "$0")/../lib.sh"
D="$FB_TOP/tests/data"
cat >"$T/f.conf" <<CONF
[feedbackd]
database = $T/fb.db
coordinator_address = coord@example.nl
[outgoing]
transport = maildir
maildir = $T/sent
[incoming]
mailbox = maildir
maildir = $T/inmail
CONF
ctl() { "$FBCTL" -c "$T/f.conf" "$@"; }
fbd() { "$FBD" -c "$T/f.conf" --once --log-level warning "$@"; }
sql() { sqlite3 "$T/fb.db" "$@"; }

ctl program create Pilot --start 2027-01-04 --force >/dev/null
ctl team add Pilot Sales >/dev/null
ctl member import Sales "$D/team-sales.csv" >/dev/null
ctl facilitator add Sales coach@example.nl --name "Carla Coach" >/dev/null 2>&1 ||
	ctl facilitator add Sales coach@example.nl >/dev/null

# same PREVIEW.eml SQL-WHERE: the outbox row chosen by WHERE equals the preview once the
# parts that are made when a mail is queued are set aside.
same() {
	/usr/bin/python3 - "$T/fb.db" "$1" "$2" <<'PY'
import os, re, sqlite3, sys
db, prev, where = sys.argv[1:]
p = open(prev, 'rb').read()
if where.startswith("delivered:"):
    # the files the transport delivered into the outgoing Maildir, its Return-Path aside
    import glob
    kind, rcpt = where[len("delivered:"):].split(",")
    rows = []
    for f in glob.glob(os.path.join(os.path.dirname(db), "sent", "new", "*")):
        m = re.sub(rb'\AReturn-Path: .*\r?\n', b'', open(f, 'rb').read())
        if re.search(rb'(?m)^X-Feedbackd-Kind: ' + kind.encode() + rb'\r?$', m) and \
                re.search(rb'(?m)^To: .*<' + re.escape(rcpt.encode()) + rb'>', m):
            rows.append(m)
else:
    rows = [r[0] for r in sqlite3.connect(db).execute("SELECT raw FROM outbox JOIN outbox_body USING (id) WHERE " + where)]
# The parts made when a mail is queued are set aside: Date, Message-ID, the MIME boundary, the
# reply token (Reply-To, subject, links) and a new calendar item's UID; base64 bodies (the
# calendar) are compared decoded and quoted-printable soft line breaks joined, so a token in
# them is set aside too. Nothing else.
import base64
def norm(m):
    m = re.sub(rb'^(Date|Message-ID): .*\r?\n', rb'\1: -\n', m, flags=re.M)
    b = re.search(rb'boundary="(=_fb[a-z0-9]+)_a"', m)
    if b:
        m = m.replace(b.group(1), b'=_fbBOUNDARY')
    m = re.sub(rb'(?m)(?:^[A-Za-z0-9+/=]{8,}\r?\n){2,}',
               lambda x: b'[base64]\n' + base64.b64decode(x.group(0)) + b'\n[end]\n', m)
    # quoted-printable: soft line breaks joined (a token may be cut by one)
    m = re.sub(rb'=\r?\n', b'', m)
    for t in set(re.findall(rb'feedback\+([a-z0-9]{26})@', m) + re.findall(rb'moment-([a-z0-9]{26})@', m)):
        m = m.replace(t, b'TOKEN')
    return m
def subject(m):
    return re.search(rb'^Subject: (.*(?:\n[ \t].*)*)', norm(m), re.M).group(1)
cands = [r for r in rows if subject(r) == subject(p)]
if len(rows) == 0:
    print("no outbox row WHERE", where); sys.exit(1)
if len(cands) != 1:
    print("%d rows, %d with the subject %r" % (len(rows), len(cands), subject(p))); sys.exit(1)
a, b = norm(p), norm(cands[0])
if a != b:
    import difflib
    sys.stdout.writelines(difflib.unified_diff(a.decode(errors='replace').splitlines(True),
        b.decode(errors='replace').splitlines(True), 'preview', 'queued', n=1))
    sys.exit(1)
# the preview's token is the fixed example, the queued one its own
tp = re.findall(rb'\[#([a-z0-9]{26})\]', p)
tq = re.findall(rb'\[#([a-z0-9]{26})\]', cands[0])
if tp and tp == tq:
    print("the preview carries the queued mail's token"); sys.exit(1)
PY
}

W1=2027-01-04T09:00
expect_ok "preview of the week-1 nudge to Noor" ctl --now $W1 preview nudge --member noor --eml "$T/nudge.eml"
expect_grep "the note says the token is an example" "nothing was queued or stored.*example" "$T/err"
expect_ok "the questionnaire, printed" ctl --now $W1 preview questionnaire --member "Noor Vos"
cp "$T/out" "$T/quest.eml"
expect_grep "it is a whole message" "^X-Feedbackd-Kind: questionnaire.?$" "$T/quest.eml"
expect_ok "the midterm moment as a calendar item" ctl --now $W1 preview moment-invite --member noor.vos@example.nl --measurement midterm
expect_ok "the welcome Noor will get first" ctl --now $W1 preview welcome --member noor --eml "$T/welcome.eml"
expect_ok "the same preview twice is the same bytes" ctl --now $W1 preview nudge --member noor --eml "$T/nudge2.eml"
expect_eq "deterministic" "$(cmp -s "$T/nudge.eml" "$T/nudge2.eml" && echo same)" same
expect_eq "nothing queued by the previews" "$(sql 'SELECT count(*) FROM outbox')" 0
expect_eq "no token stored" "$(sql 'SELECT count(*) FROM token')" 0
expect_eq "no questionnaire or calendar row" "$(sql 'SELECT (SELECT count(*) FROM questionnaire) + (SELECT count(*) FROM calendar_item) + (SELECT count(*) FROM measurement)')" 0

expect_ok "the daemon's pass at the same time" fbd --now $W1
expect_ok "the welcome it queued is the preview" same "$T/welcome.eml" "kind = 'welcome' AND recipient = 'noor.vos@example.nl'"
expect_ok "the nudge it queued is the preview" same "$T/nudge.eml" "kind = 'nudge' AND recipient = 'noor.vos@example.nl'"
expect_ok "and so is the mail it delivered" same "$T/nudge.eml" "delivered:nudge,noor.vos@example.nl"
expect_ok "the questionnaire too" same "$T/quest.eml" "kind = 'questionnaire' AND recipient = 'noor.vos@example.nl'"

R1=2027-01-07T09:00
expect_ok "the first baseline reminder to Noor" ctl --now $R1 preview questionnaire-reminder --member noor --eml "$T/remind.eml"
expect_ok "the daemon's pass on Thursday 09:00" fbd --now $R1
expect_ok "the reminder it queued is the preview" same "$T/remind.eml" "kind = 'questionnaire_reminder' AND recipient = 'noor.vos@example.nl'"

W2=2027-01-11T08:00
expect_ok "the weekly report of week 1 to the team's facilitator" ctl --now $W2 preview weekly-report --team Sales --eml "$T/weekly.eml"
expect_ok "a reminder of the baseline (as it stands)" ctl --now $W2 preview questionnaire-reminder --member noor --measurement baseline
expect_grep "a reminder" "^X-Feedbackd-Kind: questionnaire_reminder" "$T/out"
expect_ok "the daemon's pass on Monday 08:00" fbd --now $W2
expect_ok "the weekly report it queued is the preview" same "$T/weekly.eml" "kind = 'weekly_report'"

# A session, then a member who joins: the invitation session sync sends them is the preview.
ctl --now $W2 session schedule Pilot kickoff --at "2027-01-20 10:00" --duration 1h --team Sales >/dev/null
ctl --now $W2 member add Sales "Tom Late" tom.late@example.nl >/dev/null
expect_ok "the invitation Tom would get" ctl --now $W2 preview invite --session 1 --member tom --eml "$T/invite.eml"
expect_ok "session sync" ctl --now $W2 session sync 1
expect_ok "the invitation sync queued is the preview" same "$T/invite.eml" "kind = 'invite' AND recipient = 'tom.late@example.nl'"

# The midterm's calendar item goes about a week ahead of it (the mail budget, issue 18), not
# on day one: the preview at that pass is what it queues.
M7=$(ctl --json plan Pilot | python3 -c 'import json,sys,datetime as d; t=[m["utc"] for m in json.load(sys.stdin) if m["key"] == "questionnaire:midterm"][0]; print((d.datetime.strptime(t[:16], "%Y-%m-%dT%H:%M") - d.timedelta(days=7)).strftime("%Y-%m-%dT%H:%MZ"))')
expect_eq "no calendar item for the midterm before then" "$(sql "SELECT count(*) FROM outbox WHERE kind = 'moment_invite' AND recipient = 'noor.vos@example.nl'")" 0
expect_ok "the midterm's calendar item a week ahead" ctl --now $M7 preview moment-invite --member noor.vos@example.nl --measurement midterm --eml "$T/moment.eml"
expect_ok "the daemon's pass then" fbd --now $M7
expect_ok "the calendar item it queued is the preview" same "$T/moment.eml" "kind = 'moment_invite' AND recipient = 'noor.vos@example.nl'"

W5=2027-02-01T08:00
expect_ok "the progress report the coordinator gets" ctl --now $W5 preview progress-report --eml "$T/progress.eml"
expect_grep "to the coordinator" "^To: coord@example.nl" "$T/progress.eml"
expect_ok "the team's, to its facilitator" ctl --now $W5 preview progress-report --team Sales --eml "$T/progress-team.eml"
expect_grep "to the facilitator" "^To: .*<coach@example.nl>" "$T/progress-team.eml"
expect_ok "the team's picture Noor gets" ctl --now $W5 preview team-picture --member noor --eml "$T/picture.eml"
expect_grep "to Noor, before the progress session" "^Subject: Het beeld van team Sales voor de voortgangsbijeenkomst" "$T/picture.eml"
expect_ok "the daemon's pass in week 5" fbd --now $W5
expect_ok "the team's picture it queued for Noor is the preview" same "$T/picture.eml" "kind = 'team_picture' AND recipient = 'noor.vos@example.nl'"
expect_ok "the coordinator's progress report it queued is the preview, charts and all" same "$T/progress.eml" "kind = 'progress_report' AND recipient = 'coord@example.nl'"
expect_ok "and the team's" same "$T/progress-team.eml" "kind = 'progress_report' AND recipient = 'coach@example.nl'"

# Usage: what is missing is said.
expect_fail "no kind" ctl preview
expect_grep "the kinds are listed" "weekly-report" "$T/err"
expect_fail "an unknown kind" ctl preview nudges --member noor
expect_grep "is named" 'no kind of mail "nudges"' "$T/err"
expect_fail "a nudge needs a member" ctl preview nudge
expect_grep "saying so" "whose mail\? Give --member MEMBER" "$T/err"
expect_fail "an invite needs a session" ctl preview invite --member noor
expect_grep "saying so" "Give --session ID" "$T/err"
expect_fail "a typo is not taken" ctl preview nudge --member "Noor Voss"
expect_grep "did you mean" 'did you mean Noor Vos' "$T/err"
expect_fail "a name two members share the start of" ctl preview nudge --member Je
expect_fail "a week outside the programme" ctl preview nudge --member noor --week 11
expect_ok "--list" ctl preview --list
expect_grep "lists moment-invite" "moment-invite" "$T/out"
expect_grep "lists team-picture" "team-picture" "$T/out"
expect_ok "--help" ctl preview --help
expect_grep "usage" "^usage: feedbackctl preview KIND" "$T/out"
finish
