# feedbackctl member import TEAM FILE --sync: the file with one change of address (same name),
# one change of language, one new member and one member absent. The plan is printed in four
# groups and nothing changes without --yes; with --yes it is applied without a second
# person for the changed address, the absent one is kept; --remove-absent has them leave as
# member remove does (their invitation cancelled, the new address and the newcomer invited).
# Without --sync, an address already in the team fails the import and points to --sync.
. "$(dirname "$0")/../lib.sh"
cat >"$T/f.conf" <<CONF
[feedbackd]
database = $T/fb.db
domain = example.nl
from_address = feedback@example.nl
[outgoing]
maildir = $T/sent
[incoming]
maildir = $T/in
CONF
ctl() { "$FBCTL" -c "$T/f.conf" --now "$NOW" "$@"; }
fbd() { "$FBD" -c "$T/f.conf" --once --now "$NOW" --log-level warning; }
sql() { sqlite3 "$T/fb.db" "$@"; }
sent() { for f in "$T"/sent/new/*; do [ -f "$f" ] || continue; tr -d '\r' <"$f" | grep -q "^X-Feedbackd-Kind: $1\$" &&
	{ [ -z "${2:-}" ] || tr -d '\r' <"$f" | grep -q "^To: .*<$2>"; } && echo "$f"; done; }
count() { sent "$@" | wc -l | tr -d ' '; }
members() { sql "SELECT m.name || '|' || a.address || '|' || m.status || '|' || coalesce(m.language, '-') FROM member m JOIN member_address a ON a.member_id = m.id AND a.is_primary = 1 ORDER BY m.name"; }

NOW=2027-01-01T12:00
printf 'naam;e-mail\nAnn Smit;ann@example.org\nMarieke van Dijk;marieke@example.org\nCat Visser;cat@example.org\nDaan Bos;daan@example.org\n' >"$T/v1.csv"
printf 'naam;e-mail;taal\nAnn Smit;ann@example.org;\nMarieke van Dijk;marieke.vandijk@example.org;\nDaan Bos;daan@example.org;en\nEef Jansen;eef@example.org;\n' >"$T/v2.csv"
ctl program create P --start 2027-01-04 >/dev/null
ctl team add P T >/dev/null
expect_ok "the first list is imported" ctl member import T "$T/v1.csv"
ctl session schedule P progress --at 2027-02-01T14:00 --duration 60 --team T >/dev/null
expect_ok "a pass while setting up" fbd
# queued; the mail budget (issue 18) lets them go from the welcome on
queued() { sql "SELECT count(*) FROM outbox WHERE kind = 'invite' AND state <> 'failed' AND recipient LIKE '${1:-%}'"; }
expect_eq "four invitations" "$(queued)" 4

expect_fail "importing the new list without --sync fails" ctl member import T "$T/v2.csv"
expect_grep "naming the address that exists" "ann@example.org belongs to Ann Smit \(team T\) already" "$T/err"
expect_grep "and pointing to --sync" "feedbackctl member import T .*v2.csv --sync" "$T/err"
expect_fail "--yes without --sync is a usage error" ctl member import T "$T/v2.csv" --yes
expect_grep "that says so" "--yes goes with --sync" "$T/err"

members >"$T/before"
expect_ok "--sync without --yes" ctl member import T "$T/v2.csv" --sync
expect_grep "group added" "^added \(1\):" "$T/out"
expect_grep "the newcomer" "^  \+ Eef Jansen <eef@example.org>" "$T/out"
expect_grep "group changed" "^changed \(2\):" "$T/out"
expect_grep "the new address, recognised by name" "^  ~ Marieke van Dijk <marieke@example.org>: address marieke@example.org -> marieke.vandijk@example.org" "$T/out"
expect_grep "the new language" "^  ~ Daan Bos <daan@example.org>: language \(the programme's\) -> en" "$T/out"
expect_grep "group absent" "^absent from the file \(1\): kept in the team" "$T/out"
expect_grep "the absent one" "^  - Cat Visser <cat@example.org>" "$T/out"
expect_grep "group unchanged" "^unchanged \(1\):" "$T/out"
expect_grep "nothing changed without --yes" "Nothing was changed: add --yes to apply" "$T/out"
members >"$T/after"
expect_eq "the team is as it was" "$(cat "$T/after")" "$(cat "$T/before")"

expect_ok "--sync --yes" ctl member import T "$T/v2.csv" --sync --yes
expect_grep "says what was applied" "applied: 1 added, 2 changed, 0 left the programme" "$T/out"
expect_eq "no second Marieke" "$(sql "SELECT count(*) FROM member WHERE name = 'Marieke van Dijk'")" 1
expect_eq "five members, Cat kept" "$(members)" "Ann Smit|ann@example.org|active|-
Cat Visser|cat@example.org|active|-
Daan Bos|daan@example.org|active|en
Eef Jansen|eef@example.org|active|-
Marieke van Dijk|marieke.vandijk@example.org|active|-"
expect_eq "Marieke's old address is still hers" "$(sql "SELECT m.name FROM member_address a JOIN member m ON m.id = a.member_id WHERE a.address = 'marieke@example.org'")" "Marieke van Dijk"
expect_ok "the session messages go" fbd
expect_eq "Marieke's old address gets the cancellation" "$(count invite_cancel marieke@example.org)" 1
expect_eq "her new address the invitation" "$(queued marieke.vandijk@example.org)" 1
expect_eq "the one to her old address that waited is replaced" "$(queued marieke@example.org)" 0
expect_eq "Eef is invited" "$(queued eef@example.org)" 1

expect_ok "the same file again" ctl member import T "$T/v2.csv" --sync
expect_grep "changes nothing" "^Nothing to change\.$" "$T/out"

expect_ok "--remove-absent without --yes" ctl member import T "$T/v2.csv" --sync --remove-absent
expect_grep "the absent leave" "absent from the file \(1\): they leave the programme" "$T/out"
expect_grep "with the invitation that is cancelled" "invitation cancelled: session 1 \(progress" "$T/out"
expect_eq "Cat is still active" "$(sql "SELECT status FROM member WHERE name = 'Cat Visser'")" "active"
expect_ok "--remove-absent --yes" ctl member import T "$T/v2.csv" --sync --remove-absent --yes
expect_grep "one left" "0 added, 0 changed, 1 left the programme; 1 session message queued" "$T/out"
expect_eq "Cat has left" "$(sql "SELECT status FROM member WHERE name = 'Cat Visser'")" "left"
expect_ok "the cancellation goes" fbd
expect_eq "Cat gets it" "$(count invite_cancel cat@example.org)" 1

ctl team add P U >/dev/null
ctl member add U "Zed Zwart" zed@example.org >/dev/null
printf 'naam;e-mail\nAnn Smit;ann@example.org\nZed Zwart;zed@example.org\n' >"$T/other.csv"
expect_fail "a member of another team in the file is refused" ctl member import T "$T/other.csv" --sync --yes
expect_grep "with the line and the team" "other.csv:3: zed@example.org belongs to Zed Zwart of team U" "$T/err"
expect_grep "and nothing changed" "nothing was changed" "$T/err"
expect_eq "Zed stays in U" "$(sql "SELECT t.name FROM member m JOIN team t ON t.id = m.team_id WHERE m.name = 'Zed Zwart'")" "U"
finish
