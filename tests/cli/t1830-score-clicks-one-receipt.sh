# Score links without spam (issue 18): every click is recorded at once, but the clicks of one
# sitting get ONE receipt, five minutes after the last click (at most fifteen after the first),
# listing everything recorded and what is still open with its links. A click after a pause
# starts a new receipt. What is not a click (a typed reply, a score we cannot read) is answered
# at once, and a typed reply's receipt takes the place of one still waiting. The daemon wakes
# for a waiting receipt instead of sleeping its poll interval.
. "$(dirname "$0")/../lib.sh"
cat >"$T/f.conf" <<CONF
[feedbackd]
database = $T/fb.db
domain = example.nl
from_address = feedback@example.nl
reply_address = feedback@example.nl
[outgoing]
maildir = $T/sent
per_recipient_daily_cap = 40
[incoming]
maildir = $T/in
poll_interval = 600s
CONF
mkdir -p "$T/in/new" "$T/in/cur" "$T/in/tmp"
printf 'name,email\nAnn,ann@example.org\nBob,bob@example.org\nCat,cat@example.org\nDan,dan@example.org\n' >"$T/team.csv"
ctl() { "$FBCTL" -c "$T/f.conf" --now "$NOW" "$@"; }
fbd() { "$FBD" -c "$T/f.conf" --once --now "$NOW" --log-level warning; }
sent() { for f in "$T"/sent/new/*; do tr -d '\r' <"$f" | grep -q "^X-Feedbackd-Kind: $1\$" &&
	{ [ -z "${2:-}" ] || tr -d '\r' <"$f" | grep -q "^To: .*<$2>"; } && echo "$f"; done; }
count() { sent "$@" | wc -l | tr -d ' '; }
# text FILE: the message decoded (quoted-printable), for greps
text() { perl -MMIME::QuotedPrint -0pe '$_ = decode_qp($_)' "$1" >"$T/text"; echo "$T/text"; }
newest() { ls -t $(sent "$@") | head -1; }
replyto() { tr -d '\r' <"$(sent questionnaire "$1" | head -1)" | sed -n 's/^Reply-To: //p'; }
token() { replyto "$1" | sed 's/^feedback+\([a-z0-9]*\)@.*/\1/'; }
n=0
# click FROM "Q: S": what a score link sends (a new mail: no In-Reply-To, subject with the token)
click() {
	n=$((n + 1))
	printf 'From: %s\r\nTo: %s\r\nMessage-ID: <click%d@example.org>\r\nSubject: nulmeting [#%s]\r\n\r\n%s\r\n' \
	    "$1" "$(replyto "$1")" "$n" "$(token "$1")" "$2" >"$T/in/new/$n.host"
}
# typed FROM BODY: a reply typed in answer to the questionnaire
typed() {
	n=$((n + 1))
	printf 'From: %s\r\nTo: %s\r\nMessage-ID: <typed%d@example.org>\r\nIn-Reply-To: <q@example.nl>\r\nSubject: Re: nulmeting [#%s]\r\n\r\n%b\r\n' \
	    "$1" "$(replyto "$1")" "$n" "$(token "$1")" "$2" >"$T/in/new/$n.host"
}

NOW=2027-01-01T12:00
expect_ok "programme created" ctl program create P --start 2027-01-04
expect_ok "team added" ctl team add P T
expect_ok "members imported" ctl member import P/T "$T/team.csv"
NOW=2027-01-04T09:00
expect_ok "the baseline questionnaire goes" fbd
expect_eq "one questionnaire each" "$(count questionnaire)" 4

# Ann clicks four scores in three minutes.
for m in 0 1 2 3; do
	NOW=2027-01-04T10:0$m
	click ann@example.org "$((m + 1)): $((m + 6))"
	expect_ok "Ann's click at 10:0$m is read" fbd
done
expect_eq "no receipt while she is clicking" "$(count answers_received ann@example.org)" 0
expect_ok "inbox list" ctl inbox list
expect_eq "each click is applied and recorded at once" \
    "$(grep -c 'baseline questionnaire: 1 answer from Ann recorded, partial; a score-link click' "$T/out")" 4
NOW=2027-01-04T10:07
expect_ok "four minutes after the last click" fbd
expect_eq "still no receipt" "$(count answers_received ann@example.org)" 0
NOW=2027-01-04T10:08
expect_ok "five minutes after the last click" fbd
expect_eq "exactly one receipt for the four clicks" "$(count answers_received ann@example.org)" 1
f=$(newest answers_received ann@example.org)
tf=$(text "$f")
expect_grep "it says the clicks are together in it" "De 4 cijfers die je de afgelopen minuten hebt aangeklikt, staan samen in deze ene mail" "$tf"
for q in 1 2 3 4; do
	expect_grep "it lists answer $q as recorded" "^      $((q + 5))\$" "$tf"
done
expect_grep "and what is still open" "^Nog open" "$tf"
expect_grep "question 5 is open" "^  5\\. " "$tf"
expect_grep "the HTML has the links again for an open question" 'body=5%3A%207' "$tf"
expect_nogrep "and none for an answered one" 'body=1%3A%207' "$tf"
expect_grep "it answers her last click" "^In-Reply-To: <click4@example.org>" "$f"

# Ten minutes later one more click: a new receipt, for it alone, five minutes on.
NOW=2027-01-04T10:13
click ann@example.org "5: 5"
expect_ok "a click ten minutes after the last" fbd
expect_eq "its receipt waits" "$(count answers_received ann@example.org)" 1
NOW=2027-01-04T10:18
expect_ok "five minutes later" fbd
expect_eq "a second receipt" "$(count answers_received ann@example.org)" 2
tf=$(text "$(grep -l "^In-Reply-To: <click5@" $(sent answers_received ann@example.org))")
expect_grep "it lists all five answers" "^  5\\. .*" "$tf"
expect_grep "with the first one too" "^      6\$" "$tf"
expect_nogrep "one click: no word about several" "cijfers die je de afgelopen minuten" "$tf"

# Bob keeps clicking every four minutes: his receipt goes fifteen minutes after the first.
for m in 00 04 08 12; do
	NOW=2027-01-04T11:$m
	click bob@example.org "1: 5"
	expect_ok "Bob's click at 11:$m" fbd
done
NOW=2027-01-04T11:14
expect_ok "at 11:14" fbd
expect_eq "no receipt yet" "$(count answers_received bob@example.org)" 0
NOW=2027-01-04T11:15
expect_ok "fifteen minutes after his first click" fbd
expect_eq "one receipt, though he clicked four minutes ago" "$(count answers_received bob@example.org)" 1

# Cat clicks, then types a reply: answered at once, and the waiting receipt is not sent too.
NOW=2027-01-04T12:00
click cat@example.org "1: 4"
expect_ok "Cat's click" fbd
NOW=2027-01-04T12:02
typed cat@example.org '2: 6\n3: 7'
expect_ok "her typed reply" fbd
expect_eq "answered at once" "$(count answers_received cat@example.org)" 1
tf=$(text "$(newest answers_received cat@example.org)")
expect_grep "listing her click too" "^      4\$" "$tf"
NOW=2027-01-04T12:10
expect_ok "after the click's five minutes" fbd
expect_eq "no second receipt" "$(count answers_received cat@example.org)" 1

# A single "click" we cannot read is explained at once.
NOW=2027-01-04T13:00
click dan@example.org "3: 12"
expect_ok "Dan's unreadable score" fbd
expect_eq "answered at once" "$(count answers_received dan@example.org)" 1
expect_grep "with the problem explained" 'regel 1, vraag 3: "12" is geen cijfer van 0 tot en met 10' \
    "$(text "$(newest answers_received dan@example.org)")"

# The daemon wakes for a waiting receipt: poll_interval is 600 s, the receipt is due in 120 s.
NOW=2027-01-04T13:57
click dan@example.org "1: 3"
expect_ok "Dan clicks" fbd
"$FBD" -c "$T/f.conf" --now 2027-01-04T14:00 --log-level debug >"$T/d.out" 2>"$T/d.log" &
pid=$!
at_exit "kill $pid 2>/dev/null"
i=0
while [ $i -lt 100 ] && ! grep -q "next pass in" "$T/d.log"; do sleep 0.1; i=$((i + 1)); done
kill $pid 2>/dev/null
wait $pid 2>/dev/null
expect_grep "the daemon sleeps until the receipt is due, not its poll interval" \
    "next pass in at most 1(19|20) s" "$T/d.log"
finish
