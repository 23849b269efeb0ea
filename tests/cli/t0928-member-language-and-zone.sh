# Each member's own language and zone, for every mail and invitation (issue 18): a Dutch
# programme in Europe/Amsterdam with one English member in Europe/London. Every mail to her is
# in English (welcome, invitations, calendar events, nudge, questionnaire, the answer to her
# reply, a colleague's request), her nudge comes at 09:00 London (10:00 here, not before and
# once), the invitation's body gives London times while the event keeps its zone
# (DTSTART;TZID=Europe/Amsterdam, 10:00); her Dutch colleague and the facilitator read Dutch
# with Amsterdam times. A questionnaire moment's event asks no answer (RSVP=FALSE), a
# session's does.
. "$(dirname "$0")/../lib.sh"
cat >"$T/f.conf" <<CONF
[feedbackd]
database = $T/fb.db
domain = example.nl
from_address = feedback@example.nl
reply_address = feedback@example.nl
coordinator_name = Cor de Wit
[outgoing]
maildir = $T/sent
per_recipient_daily_cap = 50
[incoming]
maildir = $T/in
# Three automatic mails a day: on day one the questionnaire, sent at the programme's 09:00,
# must not hold back Eve's nudge at her own 09:00 (the budget has its own test, t0887).
[program]
mail_budget = 3
CONF
mkdir -p "$T/in/new" "$T/in/cur" "$T/in/tmp" "$T/sent/new"
ctl() { "$FBCTL" -c "$T/f.conf" --now "$NOW" "$@"; }
fbd() { "$FBD" -c "$T/f.conf" --once --now "$NOW" --log-level warning; }
sent() { for f in "$T"/sent/new/*; do [ -f "$f" ] || continue; tr -d '\r' <"$f" | grep -q "^X-Feedbackd-Kind: $1" &&
	{ [ -z "${2:-}" ] || tr -d '\r' <"$f" | grep -qE "^To: (.*<$2>|$2)\$"; } && echo "$f"; done; }
count() { sent "$@" | wc -l | tr -d ' '; }
replyto() { tr -d '\r' <"$(sent "$1" "$2" | tail -1)" | sed -n 's/^Reply-To: //p'; }
n=0
reply() { # reply FROM TO BODY
	n=$((n + 1))
	printf 'From: %s\r\nTo: %s\r\nMessage-ID: <r%d@example.org>\r\nSubject: Re: feedback\r\n\r\n%b\r\n' \
	    "$1" "$2" "$n" "$3" >"$T/in/new/$n.host"
}
# read FILE: "Subject: ..." then the decoded text, HTML (tags out) and calendar parts
read_mail() {
	/usr/bin/python3 - "$1" <<'PY'
import email, email.policy, html, re, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
print("Subject:", m["Subject"])
for p in m.walk():
    ct = p.get_content_type()
    if ct == "text/plain":
        print(p.get_content())
    elif ct == "text/html":
        print(html.unescape(re.sub(r"<[^>]*>", " ", p.get_content())))
    elif ct == "text/calendar":
        print(re.sub(r"\r?\n[ \t]", "", p.get_content()))
PY
}
# language FILE: en or nl, from the greeting and closing of its text
language() {
	read_mail "$1" >"$T/lang"
	if grep -qE '^(Hello|Hi) |^Kind regards,' "$T/lang" && ! grep -qE '^(Hallo|Beste) |^Met vriendelijke groet,' "$T/lang"; then
		echo en
	elif grep -qE '^(Hallo|Beste) |^Met vriendelijke groet,' "$T/lang" && ! grep -qE '^(Hello|Hi) |^Kind regards,' "$T/lang"; then
		echo nl
	else
		echo mixed
	fi
}

NOW=2027-01-01T12:00
ctl program create P --start 2027-01-04 --language nl >/dev/null
ctl team add P T >/dev/null
ctl facilitator add P/T fay@example.org --name "Fay Visser" >/dev/null
ctl member add P/T "Ann Bos" ann@example.org >/dev/null
ctl member add P/T "Eve Hart" eve@example.org --language en --timezone Europe/London >/dev/null
ctl session schedule P kickoff --at "2027-01-05 10:00" --duration 1h >/dev/null

NOW=2027-01-04T09:05
expect_ok "week 1, 09:05 Amsterdam" fbd
expect_eq "Ann's nudge at her 09:00" "$(count nudge ann@example.org)" 1
expect_eq "no nudge for Eve yet: it is 08:05 in London" "$(count nudge eve@example.org)" 0
NOW=2027-01-04T09:59
expect_ok "09:59 Amsterdam" fbd
expect_eq "still none for Eve at 08:59 London" "$(count nudge eve@example.org)" 0
NOW=2027-01-04T10:00
expect_ok "10:00 Amsterdam = 09:00 London" fbd
expect_eq "Eve's nudge at her 09:00" "$(count nudge eve@example.org)" 1
NOW=2027-01-04T15:00
expect_ok "later that day" fbd
expect_eq "Eve's nudge once" "$(count nudge eve@example.org)" 1
expect_eq "Ann's nudge once" "$(count nudge ann@example.org)" 1
f=$(sent nudge eve@example.org)
expect_grep "Eve's nudge is English" '^Subject: Week 1: ask for and give feedback' "$(read_mail "$f" >"$T/m"; echo "$T/m")"

# Eve asks Ann for feedback and answers her questionnaire: the answers to her are English,
# Ann's request is Dutch.
NOW=2027-01-04T16:00
reply eve@example.org "$(replyto nudge eve@example.org)" 'Ask: Ann\nAbout: my presentation'
q=$(replyto questionnaire eve@example.org)
reply eve@example.org "$q" '1: 7\n2: 6'
expect_ok "Eve's replies are read" fbd
expect_eq "Ann is asked" "$(count request ann@example.org)" 1
expect_eq "Ann's request is Dutch" "$(language "$(sent request ann@example.org)")" nl

expect_eq "Eve got a welcome" "$(count welcome eve@example.org)" 1
for k in welcome invite nudge questionnaire request_sent answers_received; do
	[ "$(count $k eve@example.org)" -gt 0 ] || notok "Eve got no $k"
	for f in $(sent $k eve@example.org); do
		expect_eq "Eve's $k is English ($(basename "$f"))" "$(language "$f")" en
	done
done
for f in $(sent '' ann@example.org) $(sent '' fay@example.org); do
	expect_eq "Ann's and Fay's mail is Dutch ($(sed -n 's/^X-Feedbackd-Kind: //p' "$f" | tr -d '\r'))" "$(language "$f")" nl
done

# The invitation: London times in Eve's words, Amsterdam's in Ann's and Fay's; one event.
read_mail "$(sent invite eve@example.org)" >"$T/eve-invite"
expect_grep "Eve's invitation: Tuesday 5 January, 09:00 London" 'When: +Tuesday 5 January, 09:00-10:00 \(Europe/London\)' "$T/eve-invite"
expect_grep "... and its event's description too" 'DESCRIPTION:.*Tuesday 5 January\\, 09:00-10:00 \(Europe/London\)' "$T/eve-invite"
expect_grep "the event keeps its zone: 10:00 Amsterdam" 'DTSTART;TZID=Europe/Amsterdam:20270105T100000' "$T/eve-invite"
expect_grep "Eve's invitation is signed by Fay" 'Fay Visser, P' "$T/eve-invite"
read_mail "$(sent invite ann@example.org)" >"$T/ann-invite"
expect_grep "Ann's invitation: dinsdag 5 januari, 10:00 Amsterdam" 'Wanneer: +dinsdag 5 januari, 10:00-11:00 \(Europe/Amsterdam\)' "$T/ann-invite"
read_mail "$(sent invite fay@example.org)" >"$T/fay-invite"
expect_grep "Fay's invitation: Dutch, Amsterdam" 'Wanneer: +dinsdag 5 januari, 10:00-11:00 \(Europe/Amsterdam\)' "$T/fay-invite"
expect_grep "the session's invitation asks one" 'RSVP=TRUE' "$T/eve-invite"
expect_nogrep "... and does not say it needs none" 'No answer is needed|nothing to accept' "$T/eve-invite"

# The session moves: the update to Eve is English, with the old and the new London time.
NOW=2027-01-04T17:00
ctl session move 1 --at "2027-01-05 14:00" >/dev/null
expect_ok "the update goes" fbd
read_mail "$(sent invite_update eve@example.org)" >"$T/eve-update"
expect_grep "Eve's update: English, 13:00 London" 'Tuesday 5 January, 13:00-14:00 \(Europe/London\)' "$T/eve-update"
expect_grep "... the old time in London's clock" '09:00' "$T/eve-update"

# A calendar event of a questionnaire moment comes a week before it (the mail budget): the
# midterm's, Monday 1 February, in the week of 25 January.
for day in 25 26 27; do NOW=2027-01-${day}T10:00; fbd || notok "the daemon on 2027-01-$day"; done
expect_eq "Eve got the midterm's calendar event" "$(count moment_invite eve@example.org)" 1
for f in $(sent moment_invite eve@example.org); do
	expect_eq "Eve's moment_invite is English ($(basename "$f"))" "$(language "$f")" en
done
# A calendar event of a questionnaire moment: English, London's clock.
for f in $(sent moment_invite eve@example.org); do read_mail "$f"; done >"$T/eve-moments"
expect_grep "Eve's questionnaire events in London time" '\(Europe/London\)' "$T/eve-moments"
expect_nogrep "... never Amsterdam's" 'Europe/Amsterdam\)' "$T/eve-moments"
# A moment's event asks no answer (RSVP=FALSE) and says so; a session's asks one (issue 18:
# "you need not accept" arrived with Accept/Decline buttons).
expect_grep "the moment's event asks no answer" 'RSVP=FALSE' "$T/eve-moments"
expect_nogrep "... none of them asks one" 'RSVP=TRUE' "$T/eve-moments"
expect_grep "... and its text says so" 'No answer is needed' "$T/eve-moments"
finish
