# feedbackctl member update: a member's name, address, language and zone changed (checked as
# member add checks them); after an address change the nudge goes to the new address, a reply
# from the old one is still read as theirs, and the invitation to a coming session moves (a
# CANCEL to the old address, the invitation to the new one).
. "$(dirname "$0")/../lib.sh"
cat >"$T/f.conf" <<CONF
[feedbackd]
database = $T/fb.db
domain = example.nl
from_address = feedback@example.nl
reply_address = feedback@example.nl
[outgoing]
maildir = $T/sent
per_recipient_daily_cap = 20
[incoming]
maildir = $T/in
# Three automatic mails a day: the day-one questionnaire must not hold back the nudge that
# this test follows to Bob's new address and clock (the budget has its own test, t0887).
[program]
mail_budget = 3
CONF
mkdir -p "$T/in/new" "$T/in/cur" "$T/in/tmp"
printf 'name,email\nAnn Smit,ann@example.org\nBob de Boer,bob@example.org\nCat Visser,cat@example.org\n' >"$T/team.csv"
ctl() { "$FBCTL" -c "$T/f.conf" --now "$NOW" "$@"; }
fbd() { "$FBD" -c "$T/f.conf" --once --now "$NOW" --log-level warning; }
sql() { sqlite3 "$T/fb.db" "$@"; }
# sent KIND [TO]: the files of that kind (to that address) in the outgoing Maildir
sent() { for f in "$T"/sent/new/*; do [ -f "$f" ] || continue; tr -d '\r' <"$f" | grep -q "^X-Feedbackd-Kind: $1\$" &&
	{ [ -z "${2:-}" ] || tr -d '\r' <"$f" | grep -q "^To: .*<$2>"; } && echo "$f"; done; }
count() { sent "$@" | wc -l | tr -d ' '; }

NOW=2027-01-01T12:00
ctl program create P --start 2027-01-04 >/dev/null
ctl team add P T >/dev/null
ctl member import P/T "$T/team.csv" >/dev/null
expect_ok "a session ahead is scheduled" ctl session schedule P progress --at 2027-02-01T14:00 --duration 60 --team T
expect_ok "a pass while setting up" fbd
# queued: the mail budget (issue 18) lets invitations go from the welcome on
queued() { sql "SELECT count(*) FROM outbox WHERE kind = '$1' AND recipient = '$2' AND state <> 'failed'"; }
expect_eq "Bob is invited at his address" "$(queued invite bob@example.org)" 1

expect_fail "update without a change says what is missing" ctl member update bob
expect_grep "names the options" "nothing to change: give --name, --address, --language or --timezone" "$T/err"
expect_fail "update without MEMBER says so" ctl member update --name X
expect_grep "asks for the member" "give one MEMBER" "$T/err"
expect_fail "a bad address is refused" ctl member update bob --address "not an address"
expect_fail "a language outside nl, en is refused" ctl member update bob --language de
expect_grep "with the accepted values" "accepted values are nl, en" "$T/err"
expect_fail "an unknown zone is refused" ctl member update bob --timezone Mars/Olympus
expect_grep "the zone is named" 'time zone "Mars/Olympus" is not known' "$T/err"
expect_fail "an address of a colleague is refused" ctl member update bob --address ann@example.org
expect_grep "naming its owner" "belongs to Ann Smit" "$T/err"
expect_fail "a typo is not guessed" ctl member update bobb --language en
expect_grep "did you mean" 'did you mean Bob de Boer <bob@example.org>\? Nothing was done' "$T/err"
expect_eq "nothing changed by the refused updates" "$(sql "SELECT coalesce(language, '-') FROM member WHERE name = 'Bob de Boer'")" "-"

expect_ok "update the address by first name" ctl member update bob --address Bob.New@Example.org
expect_grep "prints what changed" "address +bob@example.org -> bob.new@example.org" "$T/out"
expect_grep "and the invitations that follow" "2 session messages queued" "$T/out"
expect_eq "one member still" "$(sql "SELECT count(*) FROM member WHERE name LIKE 'Bob%'")" 1
expect_eq "the new address is primary" "$(sql "SELECT address FROM member_address WHERE is_primary = 1 AND member_id = (SELECT id FROM member WHERE name = 'Bob de Boer')")" "bob.new@example.org"
expect_eq "the old one is still his" "$(sql "SELECT count(*) FROM member_address WHERE address = 'bob@example.org'")" 1
expect_ok "name, language and zone by the old address" ctl member update bob@example.org --name "Bob de Boer-Jansen" --language en --timezone Europe/London
expect_grep "the name change is printed" 'name +Bob de Boer -> Bob de Boer-Jansen' "$T/out"
expect_grep "the language change is printed" "language +\(the programme's\) -> en" "$T/out"
expect_ok "member list --json" ctl --json member list
expect_grep "the list has the new name and address" '"name": "Bob de Boer-Jansen"' "$T/out"
expect_grep "and the language" '"language": "en"' "$T/out"
expect_grep "and the zone" '"timezone": "Europe/London"' "$T/out"
expect_ok "the same update again" ctl member update "bob de boer-jansen" --language en
expect_grep "changes nothing and says so" "nothing changes" "$T/out"

expect_ok "the session messages go" fbd
expect_eq "the old address gets the cancellation" "$(count invite_cancel bob@example.org)" 1
expect_eq "the new address gets the invitation" "$(queued invite bob.new@example.org)" 1
expect_eq "the one to the old address that waited is replaced" "$(queued invite bob@example.org)" 0

NOW=2027-01-04T09:00
expect_ok "the daemon at the first nudge" fbd
expect_eq "Bob's zone is London now: no nudge at 08:00 there" "$(count nudge bob.new@example.org)" 0
NOW=2027-01-04T10:00
expect_ok "the daemon at 09:00 London" fbd
expect_eq "the nudge goes to the new address" "$(count nudge bob.new@example.org)" 1
expect_eq "nothing more to the old address" "$(sent '' bob@example.org | wc -l)" 0
f=$(sent nudge bob.new@example.org)
expect_grep "the nudge is in English now" "^Subject: Week 1: ask for and give feedback" "$f"
replyto=$(tr -d '\r' <"$f" | sed -n 's/^Reply-To: //p')

NOW=2027-01-04T10:00
printf 'From: Bob <bob@example.org>\r\nTo: %s\r\nMessage-ID: <r1@example.org>\r\nSubject: Re: week 1\r\n\r\nVraag feedback aan: Ann\r\n' \
    "$replyto" >"$T/in/new/1.host"
expect_ok "the reply from the old address is read" fbd
expect_ok "inbox list" ctl inbox list
expect_grep "it is applied as Bob's" "applied .*Bob de Boer-Jansen asked 1 colleague" "$T/out"
expect_eq "Ann gets the request" "$(count request ann@example.org)" 1
expect_eq "the confirmation goes to the new address" "$(count request_sent bob.new@example.org)" 1
finish
