# feedbackctl inspect: help, unreadable input, a message too large to parse, standard input,
# and the readable summary.
. "$(dirname "$0")/../lib.sh"
C="$FB_TOP/tests/corpus/clients"

expect_ok "inspect --help exits 0" "$FBCTL" inspect --help
expect_grep "help shows the usage" "usage: feedbackctl inspect" "$T/out"

expect_fail "a missing file is an error" "$FBCTL" inspect "$T/no-such.eml"
expect_grep "and says which file" "cannot read .*no-such.eml" "$T/err"
expect_fail "an unknown option is an error" "$FBCTL" inspect --bogus "$C/gmail-top-post.eml"
expect_fail "a bad --max-size is an error" "$FBCTL" inspect --max-size=lots "$C/gmail-top-post.eml"

expect_ok "a message over --max-size is still reported" \
	"$FBCTL" inspect --json --max-size=100 "$C/gmail-top-post.eml"
expect_grep "as kind unknown" '"kind": "unknown"' "$T/out"
expect_grep "with an error saying why" '"error": "message is .*larger than the limit' "$T/out"

expect_ok "standard input with -" sh -c "\"$FBCTL\" inspect --json - < \"$C/iphone-dutch.eml\""
expect_grep "reads the reply" '"text": "Ja, ik doe mee. Score: 7' "$T/out"
expect_grep "with its token" '"token": "ab3cd4ef5gh6ij7kl2mn3op4qr"' "$T/out"

expect_ok "the readable summary" "$FBCTL" inspect "$C/outlook-html-dutch.eml"
expect_grep "names the kind" "^kind: +reply" "$T/out"
expect_grep "shows the sender decoded" "^from: +Jeroen Mëijer <jeroen.meijer@example.nl>" "$T/out"
expect_nogrep "and not the quoted original" "Wil je deze week" "$T/out"

printf 'From: MAILER-DAEMON@mx.example.org\nReturn-Path: <>\nSubject: Returned mail\n\nUser unknown: <gone@example.net> 550 5.1.1\n' >"$T/bounce.eml"
expect_ok "a bounce" "$FBCTL" inspect --json "$T/bounce.eml"
expect_grep "has its recipient and status" '"recipient": "gone@example.net"' "$T/out"
expect_grep "and is permanent" '"permanent": true' "$T/out"
finish
