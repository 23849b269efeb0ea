# Measurements end to end on the embedded Maildir default, with an explicit clock: the baseline
# questionnaire goes to every member once, replies (partial then complete, a score-link click
# whose receipt waits five minutes for more clicks, out-of-range) are recorded and answered, reminders go only to members with missing answers,
# a reminder due on a Sunday goes out on Monday, a reply after the close is kept but not
# counted, and `measurement status` shows response and (group-size permitting) scores.
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
CONF
mkdir -p "$T/in/new" "$T/in/cur" "$T/in/tmp"
printf 'name,email\nAnn,ann@example.org\nBob,bob@example.org\nCat,cat@example.org\nDan,dan@example.org\n' >"$T/team.csv"
ctl() { "$FBCTL" -c "$T/f.conf" --now "$NOW" "$@"; }
fbd() { "$FBD" -c "$T/f.conf" --once --now "$NOW" --log-level warning; }
# sent KIND [TO]: the files of that kind (to that address) in the outgoing Maildir
sent() { for f in "$T"/sent/new/*; do tr -d '\r' <"$f" | grep -q "^X-Feedbackd-Kind: $1\$" &&
	{ [ -z "${2:-}" ] || tr -d '\r' <"$f" | grep -q "^To: .*<$2>"; } && echo "$f"; done; }
# text FILE: the message decoded (quoted-printable), for greps
text() { perl -MMIME::QuotedPrint -0pe '$_ = decode_qp($_)' "$1" >"$T/text"; echo "$T/text"; }
count() { sent "$@" | wc -l | tr -d ' '; }
replyto() { tr -d '\r' <"$(sent questionnaire "$1" | head -1)" | sed -n 's/^Reply-To: //p'; }
n=0
reply() { # reply FROM BODY: a plain reply to FROM's questionnaire
	n=$((n + 1))
	printf 'From: %s\r\nTo: %s\r\nMessage-ID: <r%d@example.org>\r\nSubject: Re: 0-meting\r\n\r\n%b\r\n' \
	    "$1" "$(replyto "$1")" "$n" "$2" >"$T/in/new/$n.host"
}

NOW=2027-01-01T12:00
expect_ok "programme created" ctl program create P --start 2027-01-04
expect_ok "team added" ctl team add P T
expect_ok "members imported" ctl member import P/T "$T/team.csv"
expect_ok "status before anything was sent" ctl measurement status P
expect_grep "says nothing was sent" "no questionnaire has been sent yet" "$T/out"

NOW=2027-01-04T09:00
expect_ok "the daemon at the baseline moment" fbd
expect_eq "one questionnaire per member" "$(count questionnaire)" 4
expect_ok "a second pass at the same time" fbd
expect_eq "nothing is sent twice" "$(count questionnaire)" 4
f=$(sent questionnaire bob@example.org)
expect_grep "the text lists the ambition question" "^  9\\. " "$(text "$f")"
expect_grep "the HTML has score links that answer by reply" \
    'href="mailto:feedback\+[a-z0-9]+@example\.nl\?subject=nulmeting%20%5B%23[a-z0-9]+%5D&amp;body=1%3A%207"' "$(text "$f")"

NOW=2027-01-04T10:00
reply ann@example.org '1: 8\n2: 6\n3: 12'
# Bob clicks score 7 of question 1: his mail program sends what the link pre-fills.
printf 'From: bob@example.org\r\nTo: %s\r\nMessage-ID: <click@example.org>\r\nSubject: 0-meting\r\n\r\n1: 7\r\n' \
    "$(replyto bob@example.org)" >"$T/in/new/click.host"
reply cat@example.org '1: 9\n2: 8\n3: 7\n4: 6\n5: 5\n6: 4\n7: samen leren\n8: sneller\n9: een gewoonte'
expect_ok "the replies are applied" fbd
expect_ok "inbox list" ctl inbox list
expect_eq "three applied" "$(grep -c 'applied.*baseline questionnaire' "$T/out")" 3
expect_eq "two receipts at once; Bob's click waits for more clicks" "$(count answers_received)" 2
expect_grep "the inbox says his receipt waits" "its receipt waits for more clicks" "$T/out"
NOW=2027-01-04T10:05
expect_ok "five minutes after Bob's click" fbd
expect_eq "his receipt goes now" "$(count answers_received bob@example.org)" 1
f=$(sent answers_received ann@example.org)
expect_grep "the out-of-range score is explained in Dutch" 'regel 3, vraag 3: "12" is geen cijfer van 0 tot en met 10\.' "$(text "$f")"
expect_grep "the open questions are listed" "^  4\\. " "$(text "$f")"

NOW=2027-01-04T11:00
reply ann@example.org '3: 7\n4: 5\n5: 6\n6: 7\n7: vragen\n8: door te oefenen\n9: elke week feedback\n2: 7'
expect_ok "Ann completes and corrects question 2" fbd
expect_ok "JSON status" ctl --json measurement status P --team T
expect_grep "four sent" '"sent": 4' "$T/out"
expect_grep "two complete" '"complete": 2' "$T/out"
expect_grep "one partial" '"partial": 1' "$T/out"
expect_grep "one missing" '"missing": 1' "$T/out"

NOW=2027-01-07T09:00
expect_ok "the first reminder moment" fbd
expect_eq "two reminders (Bob partial, Dan missing)" "$(count questionnaire_reminder)" 2
expect_eq "none to Ann (complete)" "$(count questionnaire_reminder ann@example.org)" 0
f=$(sent questionnaire_reminder bob@example.org)
expect_grep "Bob's reminder lists his open questions only" "^  2\\. " "$(text "$f")"
expect_nogrep "and not the one he answered" "^  1\\. " "$T/text"

NOW=2027-01-10T09:00
expect_ok "the second reminder moment, a Sunday" fbd
expect_eq "no reminder on a Sunday" "$(count questionnaire_reminder)" 2
NOW=2027-01-11T08:30
expect_ok "Monday before office hours" fbd
expect_eq "still none before 09:00" "$(count questionnaire_reminder)" 2
NOW=2027-01-11T09:00
expect_ok "Monday in office hours" fbd
expect_eq "the Sunday reminder goes out on Monday" "$(count questionnaire_reminder)" 4
NOW=2027-01-12T09:00
expect_ok "a later pass" fbd
expect_eq "never more than the configured two each" "$(count questionnaire_reminder dan@example.org)" 2

NOW=2027-01-19T10:00
reply dan@example.org '1: 3'
expect_ok "a reply after the close" fbd
expect_ok "inbox list" ctl inbox list
expect_grep "is kept, not counted" "after the close: kept, not counted" "$T/out"
f=$(sent answers_received dan@example.org)
expect_grep "and answered closed" "^Subject: Gesloten" "$f"

expect_ok "status table" ctl measurement status P
expect_grep "counts and response rate" "baseline .* 4 +2 +1 +1 +75%" "$T/out"
expect_grep "question 1 has three answers: shown" "^1 +3 +8\\.0 +8\\.0 +7:1 8:1 9:1" "$T/out"
expect_grep "question 4 has two: hidden" "^4 +2 .*too few answers to show" "$T/out"
expect_fail "an unknown team is refused" ctl measurement status P --team Nope
expect_grep "with the teams" 'no team "Nope" in programme P; teams: T' "$T/err"
finish
