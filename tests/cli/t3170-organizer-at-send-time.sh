# An invitation takes its organizer when it is sent: a session scheduled while the
# configuration still had the placeholder sender goes out, once the address is set, with
# From and ORGANIZER (and the "Organiser:" line of its text) the configured address, and the
# attendee as it was. A programme's own organizer wins over the configuration.
. "$(dirname "$0")/../lib.sh"
conf() { # conf EXTRA-FEEDBACKD-LINES
	cat >"$T/f.conf" <<CONF
[feedbackd]
database = $T/fb.db
$1
[outgoing]
maildir = $T/sent
[incoming]
maildir = $T/in
CONF
}
conf ""
ctl() { "$FBCTL" -c "$T/f.conf" --now 2027-01-03T12:00 "$@"; }
expect_ok "a programme" ctl program create Pilot --start 2027-01-04 --language en
expect_ok "a team" ctl team add Pilot Sales
expect_ok "a member" ctl member add Sales "Jan de Vries" jan@example.nl
expect_ok "a second member" ctl member add Sales "Els Ødegaard" els@example.nl
expect_ok "the kickoff, scheduled before the sender is set" \
    ctl session schedule Pilot kickoff --at "2027-01-05 10:00" --duration 90
expect_ok "outbox" ctl outbox list --json
expect_eq "two invitations wait" "$(grep -c '"kind": "invite"' "$T/out")" 2
# Queued with the placeholder: the message as it waits says so.
id=$(tr -d '\n' <"$T/out" | sed 's/},/}\n/g' | grep '"kind": "invite"' | grep jan@ | sed 's/.*"id": \([0-9]*\).*/\1/')
expect_ok "outbox show" ctl outbox show "$id"
expect_grep "it was queued From the placeholder" "^From: .*<feedback@feedbackd.invalid>" "$T/out"

# The coordinator sets the address; the daemon sends.
conf "domain = teamwerk.test
from_address = feedback@teamwerk.test"
# (the mail budget, issue 18: automatic mail to a member goes from the welcome on)
expect_ok "the daemon sends" "$FBD" -c "$T/f.conf" --once --now 2027-01-04T09:00 --log-level info
expect_grep "and says what it changed" "2 invitations queued earlier now from the organizer configured" "$T/err"
mail=$(grep -l "^X-Feedbackd-Kind: invite" $(grep -l "^To: .*jan@example.nl" "$T"/sent/new/*) | head -1)
expect_eq "Jan's invitation went" "$(test -n "$mail" && echo yes)" yes
expect_grep "From: the configured address" "^From: .*<feedback@teamwerk.test>" "$mail"
expect_nogrep "the placeholder is in no From" "^From: .*feedbackd\.invalid" "$mail"
# The parts, decoded (the calendar is base64, the text quoted-printable or plain).
/usr/bin/python3 - "$mail" >"$T/parts" <<'PY'
import email, sys
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
for p in m.walk():
    if p.get_content_maintype() != "multipart":
        print("== " + p.get_content_type())
        print(p.get_payload(decode=True).decode("utf-8").replace("\r\n ", "").replace("\r\n", "\n"))
PY
expect_grep "ORGANIZER: the configured address" "^ORGANIZER;CN=Feedback:mailto:feedback@teamwerk.test$" "$T/parts"
expect_eq "in the invitation and its attachment" "$(grep -c '^ORGANIZER.*mailto:feedback@teamwerk.test' "$T/parts")" 2
expect_grep "the attendee is Jan still" "^ATTENDEE;.*mailto:jan@example.nl$" "$T/parts"
expect_grep "the text names the organizer" "^Organiser: feedback@teamwerk.test$" "$T/parts"
expect_nogrep "the placeholder is in no part (but the UID: a name, kept)" "^[^U].*feedbackd\.invalid" "$T/parts"
expect_grep "the calendar still parses (a VEVENT with its UID)" "^UID:session-" "$T/parts"

# A programme's own organizer wins over the configuration, for what waits.
expect_ok "a session move, queued with the configured organizer" \
    "$FBCTL" -c "$T/f.conf" --now 2027-01-03T12:10 session move 1 --at "2027-01-05 11:00"
expect_ok "the programme names its own organizer" \
    sqlite3 "$T/fb.db" "UPDATE program SET organizer_address = 'coach@teamwerk.test'"
rm -f "$T"/sent/new/*
expect_ok "the daemon sends the updates" "$FBD" -c "$T/f.conf" --once --now 2027-01-03T12:15 --log-level error
expect_eq "two updates went" "$(ls "$T/sent/new" | wc -l)" 2
expect_eq "both From the programme's organizer" "$(grep -l '^From: .*<coach@teamwerk.test>' "$T"/sent/new/* | wc -l)" 2
finish
