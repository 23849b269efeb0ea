# feedbackctl overview: a programme set up to a known state (t0500's team habits over three
# weeks, a second team with a member who left, a session with answers, mail in every state,
# two strangers in quarantine, one questionnaire complete) shows exactly those figures, in text
# and as --json that validates against docs/overview.schema.json.
. "$(dirname "$0")/../lib.sh"
D="$FB_TOP/tests/data"
cat >"$T/f.conf" <<CONF
[feedbackd]
database = $T/fb.db
[outgoing]
transport = maildir
maildir = $T/sent
[incoming]
mailbox = maildir
maildir = $T/inmail
CONF
ctl() { "$FBCTL" -c "$T/f.conf" "$@"; }
sql() { sqlite3 "$T/fb.db" "$@"; }
id() { sql "SELECT id FROM member WHERE name = '$1'"; }

ctl program create Pilot --start 2027-01-04 --force >/dev/null
ctl team add Pilot Sales >/dev/null
ctl team add Pilot Support >/dev/null
ctl member import Sales "$D/team-sales.csv" >/dev/null
ctl member import Support "$D/team-support.csv" >/dev/null
ctl facilitator add Sales coach@example.nl >/dev/null
NSUP=$(sql "SELECT count(*) FROM member m JOIN team t ON t.id = m.team_id WHERE t.name = 'Support'")

expect_ok "overview before the start" ctl --now 2027-01-01T12:00 overview Pilot
expect_grep "not started, week 0" "^Pilot: week 0 of 10, not started \(2027-01-04 to 2027-03-14" "$T/out"
expect_grep "no week has ended: lagging unknown" "^Sales +12 +0 +- +- +0 +0 +-$" "$T/out"
expect_grep "the baseline questionnaire is among what comes next" "2027-01-04 09:00  week 1 +Baseline questionnaire" "$T/out"

# Week 1: two strangers write; the daemon's first pass sends the nudges and questionnaires and
# quarantines them.
mkdir -p "$T/inmail/new" "$T/inmail/cur" "$T/inmail/tmp"
for i in 1 2; do
	printf 'From: x%s@elsewhere.example\nTo: feedback@feedbackd.invalid\nSubject: hi\nMessage-ID: <x%s@elsewhere.example>\n\nhello\n' $i $i >"$T/inmail/new/$i.x"
done
"$FBD" -c "$T/f.conf" --once --now 2027-01-04T09:00 --log-level error
ctl --now 2027-01-04T10:00 session schedule Pilot kickoff --at "2027-01-27 10:00" --duration 1h --team Sales >/dev/null
S=$(sql "SELECT id FROM session")
for who in jan.de.vries piet.jansen anna.bakker; do
	sql "UPDATE attendee SET partstat = 'ACCEPTED' WHERE address = '$who@example.nl'"
done
sql "UPDATE attendee SET partstat = 'DECLINED' WHERE address = 'noor.vos@example.nl'"
sql "UPDATE attendee SET partstat = 'TENTATIVE' WHERE address = 'coach@example.nl'"

# The team's habits (as t0500): everyone asks in week 1 and gives one feedback a week to the
# next member, except Noor (stopped in week 3), Bram (away in week 3), Sem (never asks), Lars
# (bounces), Eva (skipped week 2). Lagging in week 3: Noor, Eva, Sem.
P=$(sql "SELECT id FROM program WHERE name = 'Pilot'")
sql "SELECT id FROM member WHERE team_id = (SELECT id FROM team WHERE name = 'Sales') ORDER BY id" >"$T/ids"
i=0
for m in $(cat "$T/ids"); do
	i=$((i + 1))
	next=$(sed -n "$((i % 12 + 1))p" "$T/ids")
	name=$(sql "SELECT name FROM member WHERE id = $m")
	for w in 1 2 3; do
		case "$name:$w" in
		"Noor Vos:3"|"Bram Bos:"*|"Lars Mulder:"*|"Eva de Groot:2") continue ;;
		esac
		sql "INSERT INTO feedback (program_id, giver_id, receiver_id, confirmation, week, created_at) VALUES ($P, $m, $next, 'Goed', $w, 0)"
	done
	case "$name" in
	"Sem Peters"|"Bram Bos"|"Lars Mulder") ;;
	*) sql "INSERT INTO feedback_request (program_id, asker_id, giver_id, week, created_at) VALUES ($P, $m, $next, 1, 0)" ;;
	esac
done
sql "INSERT INTO absence (member_id, from_date, until_date, source, created_at) VALUES ($(id 'Bram Bos'), '2027-01-18', '2027-01-22', 'out-of-office', 0)"
sql "UPDATE member_address SET undeliverable_at = 1 WHERE member_id = $(id 'Lars Mulder')"
# Week 4 so far: Jan gave, Piet asked: two responded. Sanne is away this week.
sql "INSERT INTO feedback (program_id, giver_id, receiver_id, confirmation, week, created_at) VALUES ($P, $(id 'Jan de Vries'), $(id 'Piet Jansen'), 'Top', 4, 0)"
sql "INSERT INTO feedback_request (program_id, asker_id, giver_id, week, created_at) VALUES ($P, $(id 'Piet Jansen'), $(id 'Jan de Vries'), 4, 0)"
sql "INSERT INTO absence (member_id, from_date, until_date, source, created_at) VALUES ($(id 'Sanne Visser'), '2027-01-25', '2027-01-29', 'coordinator', 0)"
# One Support member left; one Sales questionnaire complete.
sql "UPDATE member SET status = 'left' WHERE id = (SELECT min(m.id) FROM member m JOIN team t ON t.id = m.team_id WHERE t.name = 'Support')"
sql "UPDATE questionnaire SET completed_at = 1 WHERE member_id = $(id 'Anna Bakker')"
# Mail in every state.
TOTAL=$(sql "SELECT count(*) FROM outbox WHERE program_id = $P")
sql "UPDATE outbox SET state = 'failed' WHERE id IN (SELECT id FROM outbox WHERE kind = 'nudge' ORDER BY id LIMIT 2)"
sql "UPDATE outbox SET state = 'held' WHERE id IN (SELECT id FROM outbox WHERE kind = 'nudge' ORDER BY id LIMIT 1 OFFSET 2)"
sql "UPDATE outbox SET state = 'retry' WHERE id IN (SELECT id FROM outbox WHERE kind = 'nudge' ORDER BY id LIMIT 1 OFFSET 3)"
# The 13 invitations (12 members and the facilitator) are queued, the daemon has not run since;
# 11 of the members' wait for the mail budget: their nudge and questionnaire went that morning.
# Sem, in London, had not had his nudge yet (it goes at his own 09:00), so his goes at once.
SENT=$((TOTAL - 13 - 4))

NOW=2027-01-25T12:00
expect_ok "overview in week 4" ctl --now $NOW overview Pilot
cp "$T/out" "$T/text"
expect_grep "week 4, running" "^Pilot: week 4 of 10, running \(2027-01-04 to 2027-03-14, Europe/Amsterdam; today 2027-01-25\)" "$T/text"
expect_grep "Sales: 12 members, 2 responded, 3 lagging in week 3, Sanne away, Lars unreachable, 1 of 12 baseline complete" \
	"^Sales +12 +0 +2 +3 +1 +1 +baseline 1/12 complete$" "$T/text"
expect_grep "Support: one left" "^Support +$((NSUP - 1)) +1 +0 " "$T/text"
expect_grep "the session with its answers" "^  #$S kickoff, Sales, 2027-01-27 10:00, confirmed: 3 accepted, 1 declined, 1 tentative, 8 no answer$" "$T/text"
expect_grep "the mail" "^Mail: $SENT sent, 2 queued, 11 waiting for the mail budget, 1 held by the daily cap, 1 to retry, 2 failed$" "$T/text"
expect_grep "the quarantine" "^Inbox: 0 pending, 2 in quarantine" "$T/text"
expect_grep "Lars is unreachable" "^  Lars Mulder <lars.mulder@example.nl> \(Sales\): bounces$" "$T/text"
expect_grep "Sanne is away" "^  Sanne Visser \(Sales\) until 2027-01-29$" "$T/text"
expect_nogrep "Bram's absence is over" "Bram Bos \(Sales\) until" "$T/text"
expect_grep "what comes next: the session" "^  2027-01-27 10:00  week 4 +Kickoff session$" "$T/text"
expect_grep "then the weekly report of week 4" "^  2027-02-01 08:00  week 5 +Weekly report on week 4$" "$T/text"
expect_grep "and the progress report" "^  2027-02-01 08:00  week 5 +Progress report$" "$T/text"

expect_ok "overview --json" ctl --now $NOW --json overview Pilot
cp "$T/out" "$T/o.json"
/usr/bin/python3 - "$FB_TOP/docs/overview.schema.json" "$T/o.json" "$SENT" "$NSUP" <<'PY' >"$T/check"
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
o = json.load(open(sys.argv[2]))
jsonschema.Draft202012Validator(schema).validate(o)
sent, nsup = int(sys.argv[3]), int(sys.argv[4])
t = {x["name"]: x for x in o["teams"]}
want = {
    "week": o["program"]["week"] == 4, "state": o["program"]["state"] == "running",
    "sales": t["Sales"] == {"name": "Sales", "members": 12, "left": 0, "responded": 2,
        "lagging": 3, "lagging_week": 3, "away": 1, "unreachable": 1,
        "questionnaire": {"measurement": "baseline", "sent": 12, "complete": 1}},
    "support": (t["Support"]["members"], t["Support"]["left"]) == (nsup - 1, 1),
    "mail": o["mail"] == {"sent": sent, "queued": 2, "retry": 1, "held": 1, "deferred": 11, "failed": 2,
        "inbox_pending": 0, "quarantined": 2},
    "session": [(s["kind"], s["invited"], s["accepted"], s["declined"], s["tentative"], s["no_answer"])
        for s in o["sessions"]] == [("kickoff", 13, 3, 1, 1, 8)],
    "unreachable": [u["name"] for u in o["unreachable"]] == ["Lars Mulder"],
    "away": o["away"] == [{"name": "Sanne Visser", "team": "Sales", "until": "2027-01-29"}],
    "next": [(n["at"], n["kind"]) for n in o["next"][:2]] == [("2027-01-27 10:00", "session"),
        ("2027-02-01 08:00", "weekly-report")] and len(o["next"]) == 6,
}
print("valid", " ".join(k for k, v in want.items() if not v) or "all right")
PY
expect_eq "the JSON validates against the schema and has the figures" "$(cat "$T/check")" "valid all right"
printf '{"program": {}, "teams": []}' >"$T/bad.json"
expect_fail "the schema check can fail (an object without the required keys)" /usr/bin/python3 -c "
import json, jsonschema, sys
jsonschema.validate(json.load(open('$T/bad.json')), json.load(open('$FB_TOP/docs/overview.schema.json')))"
expect_ok "nothing was written" test "$(sql 'SELECT count(*) FROM outbox')" = "$TOTAL"

expect_ok "overview --help" ctl overview --help
expect_grep "usage" "^usage: feedbackctl overview" "$T/out"
expect_fail "two programmes named" ctl overview Pilot Other
expect_grep "says which is too many" 'one programme at a time \("Other"' "$T/err"
expect_fail "an unknown programme" ctl overview Nope

# A holiday week: the overview says the programme is paused, and until when.
ctl --now $NOW program pause Pilot --from 2027-02-08 --until 2027-02-14 --yes >/dev/null
expect_ok "overview in the pause" ctl --now 2027-02-09T12:00 overview Pilot
expect_grep "paused, and until when" "^Pilot: week [0-9]+ of 10, paused until 2027-02-14 " "$T/out"
expect_ok "overview --json in the pause" ctl --now 2027-02-09T12:00 overview Pilot --json
cp "$T/out" "$T/paused.json"
expect_ok "it validates, with state paused" /usr/bin/python3 -c "
import json, jsonschema, sys
o = json.load(open('$T/paused.json'))
jsonschema.validate(o, json.load(open('$FB_TOP/docs/overview.schema.json')))
sys.exit(0 if (o['program']['state'], o['program']['paused_until']) == ('paused', '2027-02-14') else 1)"
expect_ok "overview after the pause" ctl --now 2027-02-15T12:00 overview Pilot --json
expect_grep "running again" '"state": "running"' "$T/out"
finish
