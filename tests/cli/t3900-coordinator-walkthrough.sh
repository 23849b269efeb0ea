# A coordinator runs a programme of ten weeks with the CLI only, as the README's "Running a
# programme" tells it: people join late, change address and leave through a re-imported CSV, the
# team takes a holiday week, a session moves and the facilitator is replaced. After every step
# the daemon makes one pass (the embedded default: Maildir out and in) and the test looks at the
# mails that went out in that pass, and at those that must not have gone.
. "$(dirname "$0")/../lib.sh"
cat >"$T/f.conf" <<CONF
[feedbackd]
database = $T/fb.db
domain = zorg.example.nl
from_address = feedback@zorg.example.nl
[outgoing]
maildir = $T/sent
[incoming]
maildir = $T/in
CONF
ctl() { at=$1; shift; "$FBCTL" -c "$T/f.conf" --now "$at" "$@"; }
sql() { sqlite3 "$T/fb.db" "$@"; }
# dump: the database's content, to show that a preview changed nothing.
dump() { sqlite3 "$T/fb.db" .dump | md5sum; }
# pass STEP TIME: one pass of the daemon at TIME; the mails it sent are moved to $T/step/STEP.
pass() {
	"$FBD" -c "$T/f.conf" --once --now "$2" --log-level warning >"$T/fbd.out" 2>&1 ||
		{ notok "the daemon's pass at $2"; sed 's/^/#   /' "$T/fbd.out"; }
	mkdir -p "$T/step/$1"
	[ -d "$T/sent/new" ] && find "$T/sent/new" -type f -exec mv {} "$T/step/$1/" \;
	S="$T/step/$1"
}
# mails KIND ADDRESS: how many mails of that kind went to ADDRESS in the last pass.
mails() {
	n=0
	for f in "$S"/*; do
		[ -f "$f" ] || continue
		tr -d '\r' <"$f" | sed '/^$/q' >"$T/head"
		grep -qiE "^X-Feedbackd-Kind: ($1)$" "$T/head" || continue
		grep -qiE "^To:(.*[< ])?$2>?$" "$T/head" || continue
		n=$((n + 1))
	done
	echo $n
}
# to ADDRESS: how many mails of any kind went to ADDRESS in the last pass.
to() { mails '[a-z_]+' "$1"; }

printf 'naam;e-mail\nAnna de Vries;anna@example.nl\nBram Bos;bram@example.nl\nCarla Smit;carla@example.nl\nDaan Kok;daan@example.nl\n' >"$T/team.csv"
BEFORE=2027-02-22T10:00
expect_ok "a programme of ten weeks from Monday 1 March" ctl $BEFORE program create Pilot --start 2027-03-01
expect_ok "a team" ctl $BEFORE team add Pilot Zorg
expect_ok "four members from a CSV" ctl $BEFORE member import Zorg "$T/team.csv"
expect_ok "a facilitator" ctl $BEFORE facilitator add Zorg coach@example.nl --name "Fien Coach"
expect_ok "the kickoff" ctl $BEFORE session schedule Pilot kickoff --at "2027-03-01 10:00" --duration 90
expect_ok "the progress session" ctl $BEFORE session schedule Pilot progress --at "2027-04-12 14:00" --duration 60
PROGRESS=$(sql "SELECT id FROM session WHERE kind = 'progress'")
expect_ok "the evaluation" ctl $BEFORE session schedule Pilot evaluation --at "2027-05-10 14:00" --duration 90
pass setup 2027-02-22T10:05
# the mail budget (issue 18): nothing automatic to a member before the welcome; queued
expect_eq "Anna is invited to the three sessions (queued until the welcome)" \
	"$(mails invite anna@example.nl) $(sql "SELECT count(*) FROM outbox WHERE kind = 'invite' AND recipient = 'anna@example.nl'")" "0 3"
expect_eq "and the facilitator too" "$(mails invite coach@example.nl)" 3

# Week 1: everyone is welcomed, and the welcome is the first thing of the programme itself.
pass week1 2027-03-01T09:00
for who in anna bram carla daan; do
	expect_eq "week 1: one welcome to $who" "$(mails welcome $who@example.nl)" 1
	expect_eq "week 1: one nudge to $who" "$(mails nudge $who@example.nl)" 1
	expect_eq "week 1: and the kickoff invitation, no more (mail_budget = 2)" \
		"$(mails invite $who@example.nl) $(mails questionnaire $who@example.nl)" "1 0"
done
expect_eq "the welcome goes before the nudge" \
	"$(sql "SELECT (SELECT min(id) FROM outbox WHERE kind = 'welcome') < (SELECT min(id) FROM outbox WHERE kind = 'nudge')")" 1

# Week 2: Eva joins on Tuesday. Without any `session sync` she gets the welcome, the baseline
# questionnaire that is open until 15 March and the two sessions still to come; the facilitator
# is told; the others get nothing twice.
expect_ok "Eva joins in week 2" ctl 2027-03-09T10:00 member add Zorg "Eva Smit" eva@example.nl
pass late 2027-03-09T10:05
expect_eq "late: Eva gets one welcome" "$(mails welcome eva@example.nl)" 1
expect_eq "late: and the open baseline questionnaire" "$(mails questionnaire eva@example.nl)" 1
expect_eq "late: and the two sessions to come, not the kickoff (queued: the budget lets them go)" \
	"$(sql "SELECT count(*) FROM outbox WHERE kind = 'invite' AND recipient = 'eva@example.nl'")" 2
expect_eq "late: nobody else is invited again" "$(mails invite anna@example.nl)" 0
expect_eq "late: nobody else is welcomed again" "$(mails welcome anna@example.nl)" 0
expect_eq "late: the facilitator gets one note about Eva (not the weekly report)" \
	"$(for f in $(grep -l "Eva Smit" "$S"/*); do tr -d '\r' <"$f" | sed '/^$/q' |
		grep -qiE '^X-Feedbackd-Kind: weekly_report$' && continue
		tr -d '\r' <"$f" | sed '/^$/q' | grep -ciE '^To:.*coach@example.nl>?$'; done | grep -c 1)" 1
expect_ok "the week-2 report" ctl 2027-03-15T07:00 report weekly Zorg --week 2
expect_nogrep "Eva is not lagging in the week she joined" "^  - Eva Smit" "$T/out"

# Bram has a new address: from week 3 his mail goes there, and none to the old one.
expect_ok "Bram's new address" ctl 2027-03-10T12:00 member update bram --address bram.bos@nieuw.example.nl
pass week3 2027-03-15T09:00
expect_eq "week 3: Bram's nudge goes to his new address" "$(mails nudge bram.bos@nieuw.example.nl)" 1
expect_eq "week 3: the old address's calendar loses the two sessions to come" \
	"$(mails invite_cancel bram@example.nl)" 2
expect_eq "week 3: and nothing else goes to it" "$(to bram@example.nl)" 2
expect_eq "week 3: Eva's first nudge" "$(mails nudge eva@example.nl)" 1

# The HR export comes back with Carla's new name and without Daan, who moved to another team.
printf 'naam;e-mail\nAnna de Vries;anna@example.nl\nBram Bos;bram.bos@nieuw.example.nl\nCarla de Wit;carla@example.nl\nEva Smit;eva@example.nl\n' >"$T/team2.csv"
DUMP=$(dump)
expect_ok "import --sync shows the plan" ctl 2027-03-16T10:00 member import Zorg "$T/team2.csv" --sync
cp "$T/out" "$T/plan.out"
expect_grep "the plan names the change" "Carla de Wit" "$T/plan.out"
expect_grep "and the one absent from the file" "Daan Kok" "$T/plan.out"
expect_eq "nothing changed without --yes" "$(dump)" "$DUMP"
expect_ok "import --sync --remove-absent --yes" ctl 2027-03-16T10:00 member import Zorg "$T/team2.csv" --sync --remove-absent --yes
expect_eq "Carla is renamed, not doubled" "$(sql "SELECT group_concat(name) FROM member WHERE name LIKE 'Carla%'")" "Carla de Wit"
expect_eq "Daan has left" "$(sql "SELECT status FROM member WHERE name = 'Daan Kok'")" left
expect_eq "five people, no one added twice" "$(sql "SELECT count(*) FROM member")" 5
pass left 2027-03-16T10:05
expect_eq "left: Daan's two invitations to come are cancelled" "$(mails invite_cancel daan@example.nl)" 2
# (the mail budget, issue 18: a moment's calendar event comes a week ahead of it, so Daan had
# none still to come)
expect_eq "left: and no questionnaire event (none was sent yet)" "$(mails moment_cancel daan@example.nl)" 0
expect_eq "left: nothing else to Daan" "$(to daan@example.nl)" 2

# A holiday week (week 4 in the plan): nothing goes out in it; week 4 comes a week later.
DUMP=$(dump)
expect_ok "pause: the preview" ctl 2027-03-17T10:00 program pause Pilot --from 2027-03-22 --until 2027-03-28
expect_eq "pause: nothing stored without --yes" "$(dump)" "$DUMP"
expect_ok "pause: applied" ctl 2027-03-17T10:00 program pause Pilot --from 2027-03-22 --until 2027-03-28 --yes
pass holiday 2027-03-22T09:00
for who in anna bram.bos@nieuw carla eva; do
	case $who in *@*) a=$who.example.nl ;; *) a=$who@example.nl ;; esac
	expect_eq "holiday: no nudge to $a" "$(mails nudge "$a")" 0
done
pass week4 2027-03-29T09:00
expect_eq "after the holiday: Anna's nudge" "$(mails nudge anna@example.nl)" 1
expect_grep "it is week 4's" "^Subject: Week 4" "$(grep -l "X-Feedbackd-Kind: nudge" "$S"/* | head -1)"
expect_eq "after the holiday: nothing to Daan, who left" "$(to daan@example.nl)" 0

# The progress session moves a week: the five in the team now get the update, Daan does not.
expect_ok "the progress session moves" ctl 2027-03-30T10:00 session move "$PROGRESS" --at "2027-04-19 14:00"
pass moved 2027-03-30T10:05
for a in anna@example.nl bram.bos@nieuw.example.nl carla@example.nl eva@example.nl coach@example.nl; do
	expect_eq "moved: $a gets the new time" "$(mails 'invite|invite_update' "$a")" 1
done
expect_eq "moved: not Daan" "$(to daan@example.nl)" 0

# Fien hands the team over to Gijs: he is invited, she gets the cancellations and no more reports.
DUMP=$(dump)
expect_ok "facilitator replace: the preview" ctl 2027-03-31T10:00 facilitator replace Zorg coach@example.nl gijs@example.nl --name "Gijs Nieuw"
expect_eq "replace: nothing changed without --yes" "$(dump)" "$DUMP"
expect_ok "facilitator replace --yes" ctl 2027-03-31T10:00 facilitator replace Zorg coach@example.nl gijs@example.nl --name "Gijs Nieuw" --yes
pass handover 2027-03-31T10:05
expect_eq "handover: Gijs is invited to the two sessions to come" "$(mails invite gijs@example.nl)" 2
expect_eq "handover: Fien's invitations are cancelled" "$(mails invite_cancel coach@example.nl)" 2
pass report 2027-04-05T08:00
expect_eq "the next weekly report goes to Gijs" "$(mails weekly_report gijs@example.nl)" 1
expect_eq "and not to Fien" "$(to coach@example.nl)" 0
finish
