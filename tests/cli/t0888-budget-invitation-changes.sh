# A session that changes while its invitations wait for the welcome (the mail budget, issue 18):
# a member never hears of an event before the invitation itself. Moved before the first
# morning: the update takes the waiting invitation's place and arrives after the welcome, at
# the new time; cancelled before it: the member gets nothing about it, ever. The facilitator,
# whose mail is not the budget's, gets invitation, update and cancellation at once.
. "$(dirname "$0")/../lib.sh"
mkdir -p "$T/in/new" "$T/in/cur" "$T/in/tmp" "$T/sent/new"
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
ctl() { "$FBCTL" -c "$T/f.conf" --now "$NOW" "$@"; }
fbd() { "$FBD" -c "$T/f.conf" --once --now "$NOW" --log-level info; }
# kinds TO: the kinds TO got, in the order sent
kinds() { for f in $(ls "$T/sent/new" | LC_ALL=C sort); do f="$T/sent/new/$f"
	tr -d '\r' <"$f" | grep -q "^To: .*<$1>" || continue
	tr -d '\r' <"$f" | sed -n 's/^X-Feedbackd-Kind: //p'; done | tr '\n' ' '; }
# file KIND TO: the last mail of that kind to TO
file() { for f in $(ls "$T/sent/new" | LC_ALL=C sort); do f="$T/sent/new/$f"
	tr -d '\r' <"$f" | grep -q "^To: .*<$2>" && tr -d '\r' <"$f" | grep -q "^X-Feedbackd-Kind: $1\$" &&
	echo "$f"; done | tail -1; }

NOW=2026-12-20T12:00
expect_ok "programme created" ctl program create P --start 2027-01-04
expect_ok "team added" ctl team add P T
expect_ok "Ann added" ctl member add P/T "Ann Smit" ann@example.org
expect_ok "facilitator added" ctl facilitator add P/T fay@example.org --name "Fay Jansen"
expect_ok "kickoff scheduled" ctl session schedule P kickoff --at "2027-01-05 14:00" --duration 1h
expect_ok "evaluation scheduled" ctl session schedule P evaluation --at "2027-03-09 14:00" --duration 1h
expect_ok "a pass while setting up" fbd
expect_eq "Fay's two invitations went" "$(kinds fay@example.org)" "invite invite "
expect_eq "nothing to Ann before her welcome" "$(kinds ann@example.org)" ""

NOW=2026-12-21T12:00
expect_ok "the kickoff moves a day" ctl session move 1 --at "2027-01-06 14:00"
expect_ok "the evaluation is cancelled" ctl session cancel 2
expect_ok "a pass after the changes" fbd
expect_eq "Fay got the update and the cancellation at once" \
	"$(kinds fay@example.org | tr ' ' '\n' | LC_ALL=C sort | tr '\n' ' ')" \
	"invite invite invite_cancel invite_update "
expect_eq "still nothing to Ann: no update or cancellation of events she never had" \
	"$(kinds ann@example.org)" ""
expect_ok "outbox list" ctl outbox list
cp "$T/out" "$T/outbox"
expect_nogrep "no cancellation queued for Ann" "invite_cancel +ann@" "$T/outbox"
expect_grep "her waiting invitation to it dropped, with the reason" \
	"invite +ann@.*dropped by the mail budget: a newer invite_cancel about the same event" "$T/outbox"
expect_grep "Ann's update waits in the invitation's place" "queued +invite_update +ann@" "$T/outbox"

NOW=2027-01-04T09:00
expect_ok "the first morning" fbd
expect_eq "Ann: the welcome, then the kickoff at its new time, then the nudge" \
	"$(kinds ann@example.org)" "welcome invite_update nudge "
/usr/bin/python3 -c '
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
for p in m.walk():
    if p.get_content_type() == "text/calendar":
        print(p.get_payload(decode=True).decode())' "$(file invite_update ann@example.org)" >"$T/ann.ics"
expect_grep "the event Ann gets is at the new time" "DTSTART;TZID=Europe/Amsterdam:20270106T140000" \
	"$T/ann.ics"
for NOW in 2027-01-05T09:00 2027-01-11T09:00 2027-03-02T09:00 2027-03-09T09:00; do
	fbd >/dev/null 2>&1 || notok "the pass at $NOW"
done
expect_eq "Ann never hears of the cancelled evaluation" \
	"$(kinds ann@example.org | tr ' ' '\n' | grep -c '^invite_cancel$')" 0
finish
