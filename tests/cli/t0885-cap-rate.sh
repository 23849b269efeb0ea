# The per-recipient daily cap is a rate, not a prison (issue 16), on the embedded default
# (Maildir) with the clock as an input: mail over the cap is held with the time it goes, person
# mail goes before calendar events queued at the same moment, the daemon releases held mail by
# itself when the rolling 24 hours allow (logged at info), and nothing stays held for good.
. "$(dirname "$0")/../lib.sh"
cat >"$T/f.conf" <<CONF
[feedbackd]
database = $T/fb.db
[outgoing]
maildir = $T/sent
per_recipient_daily_cap = 3
[incoming]
maildir = $T/in
CONF
ctl() { now=$1; shift; "$FBCTL" -c "$T/f.conf" --now "$now" "$@"; }
fbd() { "$FBD" -c "$T/f.conf" --once --now "$1" --log-level info; }
msg() { # msg FILE MESSAGE-ID SUBJECT
	printf 'From: Feedback <feedback@example.nl>\r\nTo: anna@example.nl\r\nMessage-ID: <%s>\r\nSubject: %s\r\n\r\nHallo\r\n' "$2" "$3" >"$1"
}
sent() { ls "$T/sent/new" 2>/dev/null | wc -l | tr -d ' '; }
for i in 1 2 3; do msg "$T/ev$i.eml" "ev$i@example.nl" "Afspraak $i"; done
msg "$T/req.eml" "req@example.nl" "Jan vraagt je om feedback"

expect_ok "three calendar events for Anna are queued on Monday 09:00" \
	ctl 2027-01-04T09:00 outbox add --to anna@example.nl --kind moment_invite "$T/ev1.eml" "$T/ev2.eml" "$T/ev3.eml"
expect_ok "then a colleague's request, at the same moment" \
	ctl 2027-01-04T09:00 outbox add --to anna@example.nl --kind request "$T/req.eml"
expect_ok "outbox list --json" ctl 2027-01-04T09:00 --json outbox list
expect_eq "the request is not held: person mail goes first" \
	"$(python3 -c 'import json,sys; print([r["state"] for r in json.load(open(sys.argv[1])) if r["kind"] == "request"])' "$T/out")" "['queued']"
expect_eq "one calendar event waits instead" \
	"$(python3 -c 'import json,sys; print(sorted(r["state"] for r in json.load(open(sys.argv[1])) if r["kind"] == "moment_invite"))' "$T/out")" "['held', 'queued', 'queued']"
expect_eq "the held event says when it goes: when Monday's 09:00 leaves the window" \
	"$(python3 -c 'import json,sys; print([r["goes_at"] for r in json.load(open(sys.argv[1])) if r["state"] == "held"])' "$T/out")" "[1799136000]"
expect_ok "outbox list (table)" ctl 2027-01-04T09:00 outbox list --state held
expect_grep "the table shows held and the time it goes" "held +moment_invite .*2027-01-05T08:00:00Z" "$T/out"
expect_grep "and why" "per_recipient_daily_cap" "$T/out"

expect_ok "the daemon's pass on Monday" fbd 2027-01-04T09:00
expect_eq "three messages went, the request among them" "$(sent)" 3
expect_eq "the request is in the Maildir" "$(grep -l 'Jan vraagt je om feedback' "$T"/sent/new/* | wc -l | tr -d ' ')" 1
expect_ok "a pass on Tuesday 08:59" fbd 2027-01-05T08:59
expect_eq "still within 24 hours: the event waits" "$(sent)" 3
expect_ok "a pass on Tuesday 09:00" fbd 2027-01-05T09:00
expect_eq "the held event goes by itself when the window allows" "$(sent)" 4
expect_grep "the release is logged at info" "outbox [0-9]+ \\(moment_invite\\): released" "$T/err"
expect_ok "outbox list after the release" ctl 2027-01-05T09:00 --json outbox list --state held
expect_eq "nothing is held" "$(cat "$T/out" | tr -d ' \n')" "[]"

# Five more on Wednesday: three go, two wait for Thursday; nothing waits for good.
for i in 1 2 3 4 5; do msg "$T/w$i.eml" "w$i@example.nl" "Woensdag $i"; done
expect_ok "five on Wednesday 12:00" ctl 2027-01-06T12:00 outbox add --to anna@example.nl \
	"$T/w1.eml" "$T/w2.eml" "$T/w3.eml" "$T/w4.eml" "$T/w5.eml"
expect_ok "the daemon on Wednesday" fbd 2027-01-06T12:00
expect_eq "three of them went" "$(sent)" 7
expect_ok "status of the outbox" ctl 2027-01-06T12:00 outbox list --state held
expect_grep "two wait until Thursday 12:00" "2027-01-07T11:00:00Z" "$T/out"
expect_ok "the daemon a few days later" fbd 2027-01-09T12:00
expect_eq "every message was delivered" "$(sent)" 9
expect_ok "outbox list" ctl 2027-01-09T12:00 --json outbox list
expect_eq "none is held" "$(grep -c '"state": "held"' "$T/out")" 0
finish
