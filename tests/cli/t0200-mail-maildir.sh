# The embedded default end to end: queued mail goes out into the outgoing Maildir exactly once,
# mail dropped into the incoming Maildir is kept raw in the inbox once (duplicates recognised),
# moved to cur/ only after it is stored, and the daily cap per recipient holds mail back.
. "$(dirname "$0")/../lib.sh"
cat >"$T/f.conf" <<CONF
[feedbackd]
database = $T/fb.db
max_message_size = 4096
[outgoing]
maildir = $T/sent
per_recipient_daily_cap = 3
[incoming]
maildir = $T/in
CONF
ctl() { "$FBCTL" -c "$T/f.conf" --now 2027-01-04T09:00 "$@"; }
fbd() { "$FBD" -c "$T/f.conf" --once --now 2027-01-04T09:00 --log-level warning "$@"; }
msg() { # msg FILE MESSAGE-ID SUBJECT
	printf 'From: Jan <jan@example.nl>\r\nTo: feedback@example.nl\r\nMessage-ID: <%s>\r\nSubject: %s\r\n\r\nHallo %s\r\n' "$2" "$3" "$2" >"$1"
}
for i in 1 2 3 4; do msg "$T/m$i.eml" "out$i@example.nl" "Test $i"; done
expect_ok "four messages queued" ctl outbox add --to piet@example.nl "$T/m1.eml" "$T/m2.eml" "$T/m3.eml" "$T/m4.eml"
expect_ok "outbox list --json" ctl outbox list --json
expect_eq "three queued" "$(grep -c '"state": "queued"' "$T/out")" 3
expect_eq "the fourth is held by the daily cap" "$(grep -c '"state": "held"' "$T/out")" 1
expect_grep "held says why" "per_recipient_daily_cap" "$T/out"
expect_ok "one pass of the daemon" fbd
expect_eq "three files in the outgoing Maildir" "$(ls "$T/sent/new" | wc -l)" 3
expect_ok "outbox list after the pass" ctl outbox list --state sent --json
expect_eq "three sent" "$(grep -c '"state": "sent"' "$T/out")" 3
expect_ok "a second pass" fbd
expect_eq "nothing is sent twice" "$(ls "$T/sent/new" | wc -l)" 3
expect_grep "the body is intact" "Hallo out2@example.nl" "$T/sent/new/$(ls "$T/sent/new" | sed -n 2p)"
expect_ok "outbox retry releases the held message" ctl outbox retry --all
expect_ok "a third pass" fbd
expect_eq "the released message is sent" "$(ls "$T/sent/new" | wc -l)" 4

mkdir -p "$T/in/new" "$T/in/cur" "$T/in/tmp"
msg "$T/in/new/1.host" "in1@example.nl" "Antwoord 1"
msg "$T/in/new/2.host" "in2@example.nl" "Antwoord 2"
msg "$T/in/new/3.host" "in1@example.nl" "Antwoord 1 nogmaals"
{ msg /dev/stdout "big@example.nl" "Groot"; head -c 6000 /dev/zero | tr '\0' 'x'; } >"$T/in/new/4.host"
expect_ok "the daemon reads the incoming Maildir" fbd
expect_ok "inbox list" ctl inbox list --json
expect_eq "three kept (the repeated Message-ID once)" "$(grep -c '"id":' "$T/out")" 3
expect_eq "the two from a stranger are quarantined, never answered" "$(grep -c '"state": "quarantined"' "$T/out")" 2
expect_eq "nothing was sent to the stranger" "$(grep -l 'To: jan@example.nl' "$T"/sent/new/* 2>/dev/null | wc -l)" 0
expect_grep "the oversized one is kept and explained" "too large to read: [0-9]+ bytes, the limit is 4096" "$T/out"
expect_eq "new/ is empty" "$(ls "$T/in/new" | wc -l)" 0
expect_eq "all four moved to cur/ as seen" "$(ls "$T/in/cur" | grep -c ':2,S$')" 4
expect_ok "a second read" fbd
expect_ok "inbox list again" ctl inbox list --json
expect_eq "nothing stored twice" "$(grep -c '"id":' "$T/out")" 3
expect_ok "inbox show" ctl inbox show 1
expect_grep "show gives the header" "^Subject: Antwoord 1" "$T/out"
expect_fail "an unknown state is refused" ctl inbox list --state weird
expect_grep "with the accepted states" "accepted values are pending, applied" "$T/err"
finish
