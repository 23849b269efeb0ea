# Plans that change, at the command line (issue 19): every change is a preview without --yes
# (exit 0, nothing stored), usage errors say what is missing, and the limits of each change:
# weeks not below the current week, no pause in the past or overlapping another, resume early
# (a pause ends the day before; one not begun is dropped), facilitator remove warns about a team
# left without one, an ended programme changes no more. The mails over the daemon: t1910 in
# tests/integration.
. "$(dirname "$0")/../lib.sh"
cat >"$T/f.conf" <<CONF
[feedbackd]
database = $T/fb.db
domain = example.nl
from_address = feedback@example.nl
reply_address = feedback@example.nl
[outgoing]
maildir = $T/sent
[incoming]
maildir = $T/in
CONF
mkdir -p "$T/in/new" "$T/in/cur" "$T/in/tmp"
ctl() { "$FBCTL" -c "$T/f.conf" --now "$NOW" "$@"; }

NOW=2027-01-01T12:00
expect_ok "programme created" ctl program create P --start 2027-01-04
expect_ok "team added" ctl team add P T
expect_ok "member added" ctl member add P/T "Ann Smit" ann@example.org
expect_ok "facilitator added" ctl facilitator add T fay@example.org --name Fay

expect_ok "program edit --help" ctl program edit --help
expect_grep "its usage names pause, resume and end" "program pause PROGRAM --from DATE --until DATE" "$T/out"
expect_fail "edit without a change" ctl program edit P
expect_grep "says what is missing" "give what changes: --start, --weeks, --timezone or --language" "$T/err"
expect_fail "pause without --from" ctl program pause P --until 2027-01-31
expect_grep "says --from is missing" "pause: give --from DATE" "$T/err"
expect_fail "pause without --until" ctl program pause P --from 2027-01-25
expect_grep "says --until is missing" "pause: give --until DATE" "$T/err"
expect_fail "replace without the new address" ctl facilitator replace T fay
expect_grep "says the new address is missing" "give the new facilitator's address" "$T/err"

expect_ok "programme Q" ctl program create Q --start 2027-03-01
expect_ok "team of Q" ctl team add Q U
expect_ok "member of Q" ctl member add Q/U "Cat Vos" cat@example.org
expect_ok "Q's kickoff" ctl session schedule Q kickoff --at "2027-03-01 10:00" --duration 60
expect_ok "Q starts two weeks later: a preview" ctl program edit Q --start 2027-03-15
expect_grep "week 1 moves" "Weekly nudge \(week 1\) +Monday 2027-03-01 09:00 +-> Monday 2027-03-15 09:00" "$T/out"
expect_grep "the kickoff before the new start is warned about" "session 1 \(kickoff\) on 2027-03-01 10:00 comes before the start \(2027-03-15\)" "$T/out"
expect_ok "edit --start --yes" ctl program edit Q --start 2027-03-15 --yes
expect_ok "program show Q" ctl program show Q
expect_grep "Q starts on 2027-03-15" "start +2027-03-15, 10 weeks" "$T/out"
expect_fail "a start that is not a Monday" ctl program edit Q --start 2027-03-17
expect_grep "names the Mondays around it" "2027-03-15 or 2027-03-22" "$T/err"

NOW=2027-01-20T12:00
expect_fail "the start of a programme that began" ctl program edit P --start 2027-02-01
expect_grep "says why and suggests pause" "programme P began on 2027-01-04: its start can no longer move.*program pause P" "$T/err"
expect_ok "weeks 12: a preview" ctl program edit P --weeks 12
expect_grep "new nudges of weeks 11 and 12" "Weekly nudge \(week 12\) +\(new\) +-> Monday 2027-03-22 09:00" "$T/out"
expect_grep "nothing changed" "nothing changed: run again with --yes" "$T/out"
expect_ok "program show" ctl program show P
expect_grep "still 10 weeks" "2027-01-04, 10 weeks" "$T/out"
expect_fail "weeks below the current week" ctl program edit P --weeks 2
expect_grep "says which week it is" "programme P is in week 3 already; give at least 3" "$T/err"
expect_fail "weeks that would skip the final questionnaire" ctl program edit P --weeks 3
expect_grep "says so and what is possible" "would move the Midterm questionnaire from Monday 2027-02-01 09:00 to Monday 2027-01-11 09:00, too far in the past to be sent; give at least 7" "$T/err"
expect_ok "weeks 12 --yes" ctl program edit P --weeks 12 --yes
expect_ok "program show" ctl program show P
expect_grep "12 weeks now" "2027-01-04, 12 weeks" "$T/out"
expect_ok "language en, zone London: a preview" ctl program edit P --language en --timezone Europe/London
expect_grep "mail from now on" "apply to mail from now on" "$T/out"

expect_fail "a pause in the past" ctl program pause P --from 2027-01-18 --until 2027-01-24
expect_grep "says it is in the past" "--from 2027-01-18 is in the past" "$T/err"
expect_fail "until before from" ctl program pause P --from 2027-02-07 --until 2027-02-01
expect_grep "says so" "--until 2027-02-01 is before --from 2027-02-07" "$T/err"
expect_ok "a two-week pause" ctl program pause P --from 2027-01-25 --until 2027-02-07 --yes
expect_grep "two weeks" "\(2 weeks; the programme resumes on Monday 2027-02-08\)" "$T/out"
expect_fail "an overlapping pause" ctl program pause P --from 2027-02-01 --until 2027-02-03
expect_grep "says it overlaps" "overlaps the one from 2027-01-25" "$T/err"

NOW=2027-01-27T12:00
expect_ok "program list" ctl program list
expect_grep "paused" "paused, resumes 2027-02-08" "$T/out"
expect_ok "resume early on Monday 2027-02-01: a preview" ctl program resume P --at 2027-02-01
expect_grep "the pause ends a week earlier" "ends on 2027-01-31 \(1 week; the programme resumes on Monday 2027-02-01\)" "$T/out"
expect_grep "week 4 comes a week earlier" "Weekly nudge \(week 4\) +Monday 2027-02-08 09:00 +-> Monday 2027-02-01 09:00" "$T/out"
expect_ok "program show" ctl program show P
expect_grep "the pause is as it was" "pause +2027-01-25 until 2027-02-07" "$T/out"
expect_ok "resume early --yes" ctl program resume P --at 2027-02-01 --yes
expect_ok "program show" ctl program show P
expect_grep "the pause ends on 2027-01-31" "pause +2027-01-25 until 2027-01-31" "$T/out"
NOW=2027-02-02T12:00
expect_ok "a planned pause" ctl program pause P --from 2027-03-01 --until 2027-03-07 --yes
expect_ok "resume before it began" ctl program resume P --yes
expect_grep "it is dropped" "the pause from 2027-03-01 is dropped" "$T/out"
expect_ok "program show" ctl program show P
expect_nogrep "only the first pause is left" "2027-03-01" "$T/out"

expect_fail "remove a facilitator by a typo" ctl facilitator remove T fya
expect_grep "did you mean" 'did you mean Fay <fay@example.org>\? \(nothing was changed\)' "$T/err"
expect_ok "remove the only facilitator" ctl facilitator remove T Fay --yes
expect_grep "warns: the report would go nowhere" "team T has no facilitator left: its weekly report would go nowhere" "$T/out"
expect_ok "facilitator list" ctl facilitator list P
expect_nogrep "Fay is gone" "fay@example.org" "$T/out"
expect_ok "Fay comes back" ctl facilitator add T fay@example.org
expect_ok "facilitator list" ctl facilitator list P
expect_grep "Fay is back, with her name" "Fay +fay@example.org" "$T/out"

expect_ok "end: a preview" ctl program end P
expect_ok "program list" ctl program list
expect_nogrep "not ended by the preview" "ended" "$T/out"
expect_ok "end --yes" ctl program end P --yes
expect_ok "program list" ctl program list
expect_grep "ended" "ended 2027-02-02" "$T/out"
expect_fail "an ended programme changes no more" ctl program edit P --weeks 10
expect_grep "says it ended" "programme P ended on 2027-02-02" "$T/err"
finish
