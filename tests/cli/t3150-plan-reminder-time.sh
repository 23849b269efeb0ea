# `plan` shows when a reminder really goes out: one planned on a Sunday (reminder_days = 3,6
# after a Monday questionnaire) waits for the budget's office hours and goes on Monday, and
# plan says so, from the function the scheduler uses. Checked against the daemon: run at the
# times plan gives (and a minute before them), the reminders go exactly then.
. "$(dirname "$0")/../lib.sh"
cat >"$T/f.conf" <<CONF
[feedbackd]
database = $T/fb.db
[outgoing]
maildir = $T/sent
[incoming]
maildir = $T/in
CONF
ctl() { "$FBCTL" -c "$T/f.conf" "$@"; }
fbd() { "$FBD" -c "$T/f.conf" --once --log-level error --now "$1"; }
expect_ok "a programme" ctl --now 2027-01-03T12:00 program create Pilot --start 2027-01-04
expect_ok "a team" ctl --now 2027-01-03T12:00 team add Pilot Sales
expect_ok "a member" ctl --now 2027-01-03T12:00 member add Sales "Jan de Vries" jan@example.nl
expect_ok "plan" ctl --now 2027-01-03T12:00 plan Pilot
cp "$T/out" "$T/plan"
expect_grep "reminder 2 (planned on Sunday) is shown on Monday 09:00" \
    "Monday +2027-01-11 +09:00 +Baseline questionnaire: reminder 2 +\(planned Sunday 09:00, outside office hours\)" "$T/plan"
expect_grep "reminder 1 (a Thursday) at its own time" "Thursday +2027-01-07 +09:00 +Baseline questionnaire: reminder 1 *$" "$T/plan"
expect_ok "plan --json" ctl --now 2027-01-03T12:00 --json plan Pilot
goes() { # the goes_utc of the moment with key $1
	tr -d '\n' <"$T/out" | sed 's/},/}\n/g' | grep "\"key\": \"$1\"" |
	    sed 's/.*"goes_utc": "\([^"]*\)".*/\1/'
}
r1=$(goes reminder:baseline:1)
r2=$(goes reminder:baseline:2)
expect_eq "--json: reminder 1 goes at its moment" "$r1" "2027-01-07T08:00:00Z"
expect_eq "--json: reminder 2 goes on Monday" "$r2" "2027-01-11T08:00:00Z"
expect_grep "--json keeps the planned moment too" '"utc": "2027-01-10T08:00:00Z"' "$T/out"

# The daemon at each moment, and a minute before plan's reminder times.
reminders() { ctl outbox list --json >"$T/ob" && grep -c '"kind": "questionnaire_reminder"' "$T/ob"; }
before() { date -u -d "$1 - 1 minute" +%Y-%m-%dT%H:%M:%SZ; }
for t in 2027-01-04T08:00:00Z "$(before "$r1")"; do fbd "$t"; done
expect_eq "a minute before reminder 1: none sent" "$(reminders)" 0
fbd "$r1"
expect_eq "at plan's time for reminder 1: sent" "$(reminders)" 1
fbd 2027-01-10T08:00:00Z
expect_eq "at the planned Sunday 09:00: reminder 2 is not sent" "$(reminders)" 1
fbd "$(before "$r2")"
expect_eq "a minute before plan's time for reminder 2: not sent" "$(reminders)" 1
fbd "$r2"
expect_eq "at plan's time for reminder 2: sent" "$(reminders)" 2
sent_at=$(tr -d '\n' <"$T/ob" | sed 's/},/}\n/g' | grep '"kind": "questionnaire_reminder"' |
    sed 's/.*"sent_at": \([0-9]*\).*/\1/' | sort -n | tail -1)
expect_eq "the second reminder's sent_at is plan's time" "$sent_at" "$(date -u -d "$r2" +%s)"
finish
