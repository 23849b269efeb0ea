# The mail budget per member per day ([program] mail_budget, issue 18), on the embedded Maildir
# default with an explicit clock: the same programme (a team of two, the kickoff on day two and
# the evaluation in week 10 scheduled while setting up) run with mail_budget = 1 and = 3.
# With 1, day one is the welcome and the kickoff invitation; with 3 also the evaluation's
# invitation and the week-1 nudge. Nothing automatic goes before the welcome; what waited goes
# on later days, never more than the budget a day, the moment's calendar events not on day
# one; every nudge and questionnaire arrives. A budget
# of 0 is refused by --check-config with the line and the accepted values.
. "$(dirname "$0")/../lib.sh"
conf() { # conf DIR BUDGET
	mkdir -p "$1/in/new" "$1/in/cur" "$1/in/tmp" "$1/sent/new"
	cat >"$1/f.conf" <<CONF
[feedbackd]
database = $1/fb.db
domain = example.nl
from_address = feedback@example.nl
reply_address = feedback@example.nl
[outgoing]
maildir = $1/sent
[incoming]
maildir = $1/in
[program]
mail_budget = $2
CONF
}
printf 'name,email\nAnn Smit,ann@example.org\nBob de Vries,bob@example.org\n' >"$T/team.csv"
ctl() { "$FBCTL" -c "$D/f.conf" --now "$NOW" "$@"; }
fbd() { "$FBD" -c "$D/f.conf" --once --now "$NOW" --log-level info; }
# day DATE TO: the kinds TO got with that Date (the programme's zone), in the order sent
day() { for f in $(ls "$D/sent/new" | LC_ALL=C sort); do f="$D/sent/new/$f"
	tr -d '\r' <"$f" | grep -q "^To: .*<$2>" || continue
	d=$(tr -d '\r' <"$f" | sed -n 's/^Date: //p' | head -1)
	[ "$(date -d "$d" +%F)" = "$1" ] && tr -d '\r' <"$f" | sed -n 's/^X-Feedbackd-Kind: //p'
	done | tr '\n' ' '; }
auto() { echo "$1" | tr ' ' '\n' | grep -cE '^(nudge|questionnaire|questionnaire_reminder|invite|moment_invite)$'; }
setup() {
	NOW=2027-01-01T12:00
	expect_ok "programme created" ctl program create P --start 2027-01-04
	expect_ok "team added" ctl team add P T
	expect_ok "two members imported" ctl member import P/T "$T/team.csv"
	expect_ok "facilitator added" ctl facilitator add P/T fay@example.org --name "Fay Jansen"
	expect_ok "kickoff scheduled" ctl session schedule P kickoff --at "2027-01-05 14:00" --duration 90m
	expect_ok "evaluation scheduled" ctl session schedule P evaluation --at "2027-03-09 14:00" --duration 90m
	expect_ok "a pass while setting up" fbd
	# the facilitator's invitations are not the budget's: they went at once
	expect_eq "nothing to the members before the welcome, the facilitator's two invitations went" \
		"$(grep -l '^To: .*fay@example.org' "$D"/sent/new/* | grep -c .) $(ls "$D/sent/new" | grep -c .)" "2 2"
}
TZ=Europe/Amsterdam; export TZ

D=$T/one; conf "$D" 1; setup
NOW=2027-01-04T09:00; expect_ok "day one's pass, budget 1" fbd
expect_eq "budget 1: day one is the welcome and the kickoff invitation" "$(day 2027-01-04 ann@example.org)" "welcome invite "
expect_grep "what waits is logged with the budget" "\\(nudge\\): deferred by the mail budget of member [0-9]+ \\(mail_budget = 1\\)" "$T/err"
expect_ok "outbox list shows why" ctl outbox list
expect_grep "deferred with its reason" "deferred: enough automatic mails to this member today \\(mail_budget = 1\\)" "$T/out"
for NOW in 2027-01-04T18:00 2027-01-05T09:00 2027-01-06T09:00 2027-01-07T09:00 2027-01-08T09:00 \
    2027-01-11T09:00 2027-01-12T09:00 2027-01-13T09:00; do fbd >/dev/null 2>&1; done
expect_eq "budget 1, Tuesday: what waited longest, the nudge" "$(day 2027-01-05 ann@example.org)" "nudge "
expect_eq "budget 1, Wednesday: the baseline questionnaire" "$(day 2027-01-06 ann@example.org)" "questionnaire "
over=0
for d in 2027-01-04 2027-01-05 2027-01-06 2027-01-07 2027-01-08 2027-01-09 2027-01-10 2027-01-11 \
    2027-01-12 2027-01-13; do for who in ann bob; do
	[ "$(auto "$(day $d $who@example.org)")" -le 1 ] || { over=1; echo "# $who $d: $(day $d $who@example.org)"; }
done; done
expect_eq "budget 1: never more than one automatic mail a day" "$over" 0
expect_eq "the week-2 nudge arrived too" "$(grep -l "Subject: Week 2" "$D"/sent/new/* | grep -c .)" 2

D=$T/three; conf "$D" 3; setup
NOW=2027-01-04T09:00; expect_ok "day one's pass, budget 3" fbd
expect_eq "budget 3: day one also has the evaluation's invitation and the nudge" "$(day 2027-01-04 ann@example.org)" "welcome invite invite nudge "
expect_eq "and the same for Bob" "$(day 2027-01-04 bob@example.org)" "welcome invite invite nudge "
NOW=2027-01-05T09:00; expect_ok "Tuesday's pass, budget 3" fbd
expect_eq "budget 3, Tuesday: the questionnaire that waited" "$(day 2027-01-05 ann@example.org)" "questionnaire "

printf '[program]\nmail_budget = 0\n' >"$T/zero.conf"
expect_fail "mail_budget = 0 is refused" "$FBD" -c "$T/zero.conf" --check-config
expect_grep "with the file, the line and the accepted values" "zero.conf:2: \\[program\\] mail_budget = \"0\": out of range; accepted values are whole numbers from 1 to 50" "$T/err"
finish
