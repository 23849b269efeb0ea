# Bounces that prove they are ours (issue 16), over the embedded default with Maildirs:
# every message goes out with its own envelope sender (Return-Path: <feedback+TOKEN@...>);
# a stranger's "Undeliverable ... piet@..." changes nothing; bounces to that envelope sender are
# scored (one permanent bounce is not a verdict, two on different days are), the coordinator is
# told once, the weekly report says since when, and `member reachable` clears it.
. "$(dirname "$0")/../lib.sh"
cat >"$T/f.conf" <<CONF
[feedbackd]
database = $T/fb.db
from_address = feedback@example.org
coordinator_address = coord@example.org
[outgoing]
maildir = $T/sent
[incoming]
maildir = $T/in
CONF
ctl() { "$FBCTL" -c "$T/f.conf" --now "${NOW:-2027-01-04T09:00}" "$@"; }
fbd() { "$FBD" -c "$T/f.conf" --once --now "${NOW:-2027-01-04T09:00}" --log-level warning; }
drop() { cp "$1" "$T/in/new/$(basename "$1").host"; }
unreachable() { ctl member list Sales --json >"$T/list" && grep -A8 '"Piet Jansen"' "$T/list" | grep -c '"undeliverable": true'; }
mkdir -p "$T/in/new" "$T/in/cur" "$T/in/tmp"

ctl program create Pilot --start 2027-01-11 --force >/dev/null
ctl team add Pilot Sales >/dev/null
ctl member add Sales "Piet Jansen" piet@example.nl >/dev/null
ctl member add Sales "Jan de Vries" jan@example.nl >/dev/null

printf 'From: Feedback <feedback@example.org>\r\nTo: piet@example.nl\r\nMessage-ID: <m1@example.org>\r\nSubject: Welkom\r\n\r\nHallo Piet\r\n' >"$T/m1.eml"
expect_ok "a message to Piet is queued" ctl outbox add --to piet@example.nl "$T/m1.eml"
expect_ok "and sent" fbd
SENT=$(grep -l '^Message-ID: <m1@example.org>' "$T"/sent/new/* | head -1)
expect_grep "the Maildir transport writes the envelope sender as Return-Path" \
	"^Return-Path: <feedback\+[a-z2-7]{26}@example.org>" "$SENT"
VERP=$(sed -n 's/^Return-Path: <\(.*\)>.*/\1/p' "$SENT" | head -1)
expect_eq "the outbox row's sender is that address" \
	"$(sqlite3 "$T/fb.db" "SELECT sender FROM outbox WHERE message_id = 'm1@example.org'")" "$VERP"
printf 'From: Feedback <feedback@example.org>\r\nTo: piet@example.nl\r\nMessage-ID: <m2@example.org>\r\nSubject: Nog een\r\n\r\nHallo\r\n' >"$T/m2.eml"
ctl outbox add --to piet@example.nl "$T/m2.eml" >/dev/null && fbd
SENT2=$(grep -l '^Message-ID: <m2@example.org>' "$T"/sent/new/* | head -1)
expect_eq "each message has its own envelope sender" \
	"$(grep -c "^Return-Path: <$VERP>" "$SENT2")" 0

# The issue's attack: six lines from anyone.
printf 'From: postmaster@evil.example\r\nTo: feedback@example.org\r\nSubject: Undeliverable: Welkom\r\nMessage-ID: <evil1@evil.example>\r\n\r\nDelivery has failed to these recipients or groups:\r\npiet@example.nl\r\nThe e-mail address could not be found.\r\n' >"$T/stranger.eml"
drop "$T/stranger.eml"
NOW=2027-01-05T09:00 fbd
expect_ok "inbox list" ctl inbox list --json
expect_grep "the stranger's notice is kept, not applied" "bounce not about our mail" "$T/out"
expect_eq "Piet is still reachable after the stranger's bounce" "$(unreachable)" 0

# A real MTA's DSN goes to the envelope sender and returns our headers.
dsn() { # dsn FILE ID STATUS
	printf 'From: MAILER-DAEMON@mx.example.nl (Mail Delivery System)\r\nTo: %s\r\nSubject: Undelivered Mail Returned to Sender\r\nMessage-ID: <%s@mx.example.nl>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\n<piet@example.nl>: host mx.example.nl said: 550 5.1.1 User unknown\r\n\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.nl\r\n\r\nFinal-Recipient: rfc822; piet@example.nl\r\nAction: failed\r\nStatus: %s\r\n\r\n--B--\r\n' "$VERP" "$2" "$3" >"$1"
}
dsn "$T/b1.eml" b1 5.1.1
drop "$T/b1.eml"
NOW=2027-01-05T10:00 fbd
expect_ok "inbox list after our bounce" ctl inbox list --json
expect_grep "our bounce counts" "permanent delivery failure for piet@example.nl \(5.1.1; proved by our bounce address in its envelope recipient\): bounce score 2 of 4; still reachable" "$T/out"
expect_eq "one permanent bounce is not a verdict" "$(unreachable)" 0

dsn "$T/b2.eml" b2 5.1.1
drop "$T/b2.eml"
NOW=2027-01-06T10:00 fbd
expect_eq "a second one on another day makes Piet unreachable" "$(unreachable)" 1
NOW=2027-01-06T10:05 fbd
expect_eq "the coordinator is told" "$(grep -l '^To: coord@example.org' "$T"/sent/new/* | xargs grep -l 'X-Feedbackd-Kind: unreachable' | wc -l)" 1
dsn "$T/b3.eml" b3 5.1.1
drop "$T/b3.eml"
NOW=2027-01-07T10:00 fbd
NOW=2027-01-07T10:05 fbd
expect_eq "... once" "$(grep -l 'X-Feedbackd-Kind: unreachable' "$T"/sent/new/* | wc -l)" 1

NOW=2027-01-12T08:00 expect_ok "weekly report" ctl report weekly Sales
expect_grep "the report says since when" "^  - Piet Jansen: e-mailadres komt niet aan sinds woensdag 6 januari" "$T/out"

expect_ok "member --help" "$FBCTL" member --help
expect_grep "help names member reachable" "feedbackctl member reachable MEMBER" "$T/out"
expect_ok "member reachable" ctl member reachable "Piet Jansen"
expect_grep "it says so" "Piet Jansen <piet@example.nl> is reachable again" "$T/out"
expect_eq "Piet is reachable again" "$(unreachable)" 0
expect_ok "member reachable again is harmless" ctl member reachable piet@example.nl
expect_grep "and says it was not marked" "was not marked unreachable" "$T/out"
expect_fail "an unknown member is an error" ctl member reachable "Nobody Here"

dsn "$T/b4.eml" b4 4.2.2
drop "$T/b4.eml"
NOW=2027-01-13T10:00 fbd
expect_eq "a temporary bounce is counted" "$(sqlite3 "$T/fb.db" "SELECT count(*) FROM bounce WHERE address = 'piet@example.nl' AND permanent = 0")" 1
expect_ok "member erase" ctl member erase piet@example.nl --yes
expect_eq "erase forgets the address's bounces" "$(sqlite3 "$T/fb.db" "SELECT count(*) FROM bounce")" 0
finish
