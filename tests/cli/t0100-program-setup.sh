# A coordinator sets up a programme of 2 teams x 12 members from CSV files with feedbackctl
# alone, and sees its whole timeline in local time; bad input is refused with a clear message
# and changes nothing.
. "$(dirname "$0")/../lib.sh"
D="$FB_TOP/tests/data"
cat >"$T/f.conf" <<CONF
[feedbackd]
database = $T/fb.db
CONF
ctl() { "$FBCTL" -c "$T/f.conf" --now 2027-01-01T12:00 "$@"; }

expect_ok "help lists the commands" "$FBCTL" --help
expect_grep "help names program and member" "member add\|import" "$T/out"
for cmd in program team facilitator member plan; do
	expect_ok "$cmd --help works" "$FBCTL" $cmd --help
	expect_grep "$cmd --help prints its usage" "^usage: feedbackctl $cmd" "$T/out"
done
expect_fail "an unknown command is a usage error" ctl frobnicate
expect_grep "the unknown command is named" 'unknown command "frobnicate"' "$T/err"

expect_fail "a start that is not a Monday is refused" ctl program create P --start 2027-01-06
expect_grep "the refusal names the weekday and the Mondays around it" \
	"2027-01-06 is a Wednesday.*2027-01-04 or 2027-01-11" "$T/err"
expect_fail "a start in the past needs --force" ctl program create P --start 2026-12-28
expect_grep "the refusal says to use --force" "in the past.*--force" "$T/err"
expect_fail "an unknown time zone is refused" ctl program create P --start 2027-01-04 --timezone Mars/Olympus
expect_fail "an unknown language is refused" ctl program create P --start 2027-01-04 --language de
expect_grep "the accepted languages are listed" "accepted values are nl, en" "$T/err"
expect_ok "a programme starting on a Monday is created" ctl program create Pilot --start 2027-01-04
expect_fail "the same name twice is refused" ctl program create Pilot --start 2027-01-11
expect_grep "the clash is named" '"Pilot" exists already' "$T/err"

expect_ok "team Sales added" ctl team add Pilot Sales
expect_ok "team Support added" ctl team add Pilot Support
expect_fail "a team in an unknown programme is refused" ctl team add Nope Sales
expect_grep "the programmes are listed" 'no programme "Nope"; programmes: Pilot' "$T/err"

expect_ok "12 members imported from a Dutch ;-separated CSV with BOM" ctl member import Sales "$D/team-sales.csv"
expect_grep "the import reports 12" "imported 12 members into team Sales" "$T/out"
expect_ok "12 members imported from an English ,-separated CSV" ctl member import Pilot/Support "$D/team-support.csv"
expect_ok "a facilitator is named" ctl facilitator add Sales coach@example.nl --name "Karin Coach"
expect_ok "a second facilitator" ctl facilitator add Support begeleider@example.org

expect_ok "member list --json" ctl member list --json
expect_eq "24 members in the programme" "$(grep -c '"email"' "$T/out")" 24
expect_grep "UTF-8 names survive" "Jeroen Mëijer" "$T/out"
expect_ok "team list" ctl team list
expect_grep "Sales has 12 members and 1 facilitator" "Sales +12 +1" "$T/out"
expect_ok "program show" ctl program show Pilot
expect_grep "show lists the facilitator" "facilitator  Karin Coach <coach@example.nl>" "$T/out"

# One bad line: nothing is imported, and the line is named.
printf 'name;email\nA Een;a1@example.nl\nB Twee;b2-at-example.nl\nC Drie;c3@example.nl\n' >"$T/bad.csv"
ctl team add Pilot Extra >/dev/null
expect_fail "a CSV with one bad line is refused" ctl member import Extra "$T/bad.csv"
expect_grep "the bad line is named" "bad.csv:3: \"b2-at-example.nl\" is not an email address" "$T/err"
expect_grep "nothing was imported" "nothing was imported" "$T/err"
ctl member list Extra >"$T/extra"
expect_eq "team Extra is still empty" "$(wc -l <"$T/extra")" 1
# A line that clashes with a member in the database: still all or nothing.
printf 'name,email\nNieuw,nieuw@example.nl\nDubbel,jan.de.vries@example.nl\n' >"$T/clash.csv"
expect_fail "a CSV whose address is taken is refused" ctl member import Extra "$T/clash.csv"
expect_grep "the clash names line and owner" "clash.csv:3: address jan.de.vries@example.nl belongs to Jan de Vries" "$T/err"
ctl member list Extra >"$T/extra"
expect_eq "the good line was not imported either" "$(wc -l <"$T/extra")" 1

expect_ok "member absent by name" ctl member absent "Piet Jansen" --from 2027-02-01 --until 2027-02-05
expect_fail "absent with until before from" ctl member absent "Piet Jansen" --from 2027-02-05 --until 2027-02-01
expect_fail "absent for an unknown member lists the members" ctl member absent "Nobody" --from 2027-02-01 --until 2027-02-02
expect_grep "the members are listed" 'no member "Nobody"; members are: .*Jan de Vries' "$T/err"

# The timeline: 10 weeks + 26 of follow-up, in local time across both DST changes.
expect_ok "plan shows the timeline" ctl plan Pilot
cp "$T/out" "$T/plan.txt"
expect_eq "10 weekly nudges" "$(grep -c 'nudge' "$T/plan.txt")" 10
expect_grep "nudges at 09:00 local" "2027-01-04 +09:00" "$T/plan.txt"
expect_grep "the follow-up questionnaire is in week 36" "^36 .*ollow-up" "$T/plan.txt"
expect_ok "plan --json" ctl plan Pilot --json
expect_grep "moments carry UTC times (CET: 09:00 local = 08:00Z)" '"utc": "2027-01-04T08:00:00Z"' "$T/out"

# A programme across the March DST change keeps 09:00 local.
expect_ok "a spring programme" ctl program create Lente --start 2027-03-01
expect_ok "its plan" ctl plan Lente --json
expect_grep "before the change: 09:00 CET = 08:00Z" '"utc": "2027-03-22T08:00:00Z"' "$T/out"
expect_grep "after the change: 09:00 CEST = 07:00Z" '"utc": "2027-03-29T07:00:00Z"' "$T/out"

# A configuration with a typo names the file and line.
printf '[feedbackd]\ndatabase = %s/fb.db\n\n[outgoing]\ntransprt = smtp\n' "$T" >"$T/typo.conf"
expect_fail "a config with a typo is refused" "$FBCTL" -c "$T/typo.conf" program list
expect_grep "the typo is named with file and line" "typo.conf:5: .*transprt" "$T/err"
expect_fail "feedbackd --check-config refuses it too" "$FBD" --check-config -c "$T/typo.conf"
expect_grep "with file and line" "typo.conf:5:" "$T/err"
expect_ok "feedbackd --check-config accepts the good one" "$FBD" --check-config -c "$T/f.conf"
expect_ok "feedbackd --once runs a pass on the store" "$FBD" -c "$T/f.conf" --once --now 2027-01-04T09:00
finish
