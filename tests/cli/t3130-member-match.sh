# Every MEMBER argument of the member commands goes through the one matcher (match.h): an
# address, the full name, a unique first name, the unique start of a name, case and accents
# ignored; ambiguous: "Which one?" with the candidates; a typo: "did you mean" and nothing is
# done; erase takes no start of a name. member list and status show who is away, unreachable,
# left and lagging, in the table and in --json.
. "$(dirname "$0")/../lib.sh"
cat >"$T/f.conf" <<CONF
[feedbackd]
database = $T/fb.db
[outgoing]
maildir = $T/sent
[incoming]
maildir = $T/in
CONF
ctl() { "$FBCTL" -c "$T/f.conf" --now "$NOW" "$@"; }
sql() { sqlite3 "$T/fb.db" "$@"; }
absences() { sql "SELECT count(*) FROM absence"; }

NOW=2027-01-13T12:00
printf 'name,email\nTom Jansen,tom@example.org\nAnna Bakker,anna@example.org\nAnna de Groot,annag@example.org\nJoëlle Mëijer,joelle@example.org\n' >"$T/team.csv"
ctl program create P --start 2027-01-04 --force >/dev/null
ctl team add P T >/dev/null
ctl member import T "$T/team.csv" >/dev/null

expect_ok "absent by first name: tom is Tom Jansen" ctl member absent tom --from 2027-01-13 --until 2027-01-15
expect_grep "Tom is away" "^Tom Jansen <tom@example.org> is away from 2027-01-13 until 2027-01-15" "$T/out"
expect_ok "absent by the start of a surname" ctl member absent jans --from 2027-01-20 --until 2027-01-20
expect_grep "finds Tom" "^Tom Jansen " "$T/out"
expect_ok "accents and case ignored" ctl member absent "JOELLE MEIJER" --from 2027-01-20 --until 2027-01-21
expect_grep "finds Joëlle" "^Joëlle Mëijer " "$T/out"
expect_ok "by address" ctl member absent ANNAG@example.org --from 2027-01-20 --until 2027-01-21
expect_grep "finds Anna de Groot" "^Anna de Groot " "$T/out"
expect_ok "one letter short of a first name is its start, not a typo" ctl member absent joell --from 2027-01-27 --until 2027-01-27
expect_grep "finds Joëlle again" "^Joëlle Mëijer " "$T/out"
expect_eq "five absences" "$(absences)" 5

expect_fail "a shared first name is ambiguous" ctl member absent anna --from 2027-01-20 --until 2027-01-21
expect_grep "asks which one, listing both" 'Which one\? Anna Bakker <anna@example.org>, Anna de Groot <annag@example.org>' "$T/err"
expect_fail "a typo is not taken" ctl member absent tomm --from 2027-01-20 --until 2027-01-21
expect_grep "and suggests" 'did you mean Tom Jansen <tom@example.org>\? Nothing was done' "$T/err"
expect_fail "a stranger" ctl member absent klaas --from 2027-01-20 --until 2027-01-21
expect_grep "lists the members" 'no member "klaas"; members are: Anna Bakker, Anna de Groot, Joëlle Mëijer, Tom Jansen$' "$T/err"
expect_eq "nothing recorded by the failures" "$(absences)" 5

expect_ok "reachable by first name" ctl member reachable tom
expect_grep "reachable finds Tom" "^Tom Jansen <tom@example.org>" "$T/out"
expect_ok "export by first name" ctl member export joelle
expect_grep "export finds Joëlle" "joelle@example.org" "$T/out"
expect_ok "update by the start of a name" ctl member update "anna de" --language en
expect_grep "update finds Anna de Groot" "^Anna de Groot <annag@example.org>" "$T/out"
expect_fail "remove with an ambiguous name" ctl member remove anna --yes
expect_grep "asks which one" "Which one\?" "$T/err"
expect_eq "nobody left" "$(sql "SELECT count(*) FROM member WHERE status <> 'active'")" 0

expect_fail "erase does not take the start of a name" ctl member erase jans --yes
expect_grep "it asks for the full name" "did you mean Tom Jansen <tom@example.org>\? Nothing was done" "$T/err"
expect_eq "Tom is not erased" "$(sql "SELECT status FROM member WHERE name = 'Tom Jansen'")" "active"

# The states: Tom away today, Anna Bakker unreachable, Joëlle left, Anna de Groot lagging
# from week 2 (nothing given or asked; nobody lags in week 1, issue 18).
sql "UPDATE member_address SET undeliverable_at = 1 WHERE address = 'anna@example.org'"
ctl member remove joelle --yes >/dev/null
P=$(sql "SELECT id FROM program")
for g in tom anna joelle; do
	sql "INSERT INTO feedback (program_id, giver_id, receiver_id, week, created_at) SELECT $P, (SELECT member_id FROM member_address WHERE address = '$g@example.org'), (SELECT member_id FROM member_address WHERE address = 'tom@example.org'), 1, 0"
	sql "INSERT INTO feedback_request (program_id, asker_id, giver_id, week, created_at) SELECT $P, (SELECT member_id FROM member_address WHERE address = '$g@example.org'), (SELECT member_id FROM member_address WHERE address = 'tom@example.org'), 1, 0"
done
expect_ok "member list" ctl member list T
expect_grep "Tom is away" "Tom Jansen +tom@example.org +active, away" "$T/out"
expect_grep "Anna Bakker is unreachable" "Anna Bakker +anna@example.org +unreachable" "$T/out"
expect_grep "Joëlle left" "Joëlle Mëijer +joelle@example.org +left" "$T/out"
expect_grep "Anna de Groot does not lag in week 1: nobody does" "Anna de Groot +annag@example.org +active$" "$T/out"
expect_ok "member list --json" ctl --json member list T
expect_eq "one away in JSON" "$(grep -c '"away": true' "$T/out")" 1
expect_eq "one unreachable" "$(grep -c '"unreachable": true' "$T/out")" 1
expect_eq "one left" "$(grep -c '"left": true' "$T/out")" 1
expect_eq "none lagging in week 1" "$(grep -c '"lagging": true' "$T/out")" 0
expect_ok "status of week 2" ctl status T --week 2
expect_grep "status: Anna de Groot lagging" "^Anna de Groot .*active, lagging" "$T/out"
expect_grep "status: Tom away" "^Tom Jansen .*active, away" "$T/out"
expect_grep "status: Joëlle left" "^Joëlle Mëijer .*left" "$T/out"
expect_ok "status --json" ctl --json status T --week 2
expect_eq "status JSON: one lagging" "$(grep -c '"lagging": true' "$T/out")" 1
expect_eq "status JSON: one left" "$(grep -c '"left": true' "$T/out")" 1
finish
