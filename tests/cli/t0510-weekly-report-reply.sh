# The weekly report as the facilitator reads it (issue 18), over real daemon passes: nobody lags
# in week 1, nor for a questionnaire that is still open (only in the week it closed unanswered);
# the report shows how to act by reply; "Herinner: Tom — succes met je presentatie" passes the
# personal line on into Tom's reminder (escaped in HTML), the confirmation quotes it, and a line
# that is too long is explained back and sends nothing.
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
printf 'name,email\nAnn Smit,ann@example.org\nTom Bakker,tom@example.org\nCat Visser,cat@example.org\n' >"$T/team.csv"
ctl() { "$FBCTL" -c "$T/f.conf" --now "$NOW" "$@"; }
fbd() { "$FBD" -c "$T/f.conf" --once --now "$NOW" --log-level warning; }
sent() { for f in "$T"/sent/new/*; do [ -f "$f" ] || continue; tr -d '\r' <"$f" | grep -q "^X-Feedbackd-Kind: $1" &&
	{ [ -z "${2:-}" ] || tr -d '\r' <"$f" | grep -qE "^To: (.*<$2>|$2)\$"; } && echo "$f"; done; }
count() { sent "$@" | wc -l | tr -d ' '; }
replyto() { tr -d '\r' <"$(sent "$1" "$2" | tail -1)" | sed -n 's/^Reply-To: //p'; }
# part KIND TO plain|html: the decoded body part of the last such mail, into $T/part
part() {
	/usr/bin/python3 -c 'import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
sys.stdout.write(m.get_body((sys.argv[2],)).get_content())' "$(sent "$1" "$2" | tail -1)" "$3" >"$T/part"
	echo "$T/part"
}
n=0
reply() { # reply FROM TO BODY
	n=$((n + 1))
	printf 'From: %s\r\nTo: %s\r\nMessage-ID: <r%d@example.org>\r\nSubject: Re: weekrapport\r\n\r\n%b\r\n' \
	    "$1" "$2" "$n" "$3" >"$T/in/new/$n.host"
}

NOW=2027-01-01T12:00
ctl program create P --start 2027-01-04 >/dev/null
ctl team add P T >/dev/null
ctl member import P/T "$T/team.csv" >/dev/null
ctl facilitator add T coach@example.org >/dev/null
for NOW in 2027-01-04T09:00 2027-01-07T09:00 2027-01-10T09:00 2027-01-11T09:00; do
	fbd || echo "pass at $NOW failed" >&2
done
expect_eq "the week-1 report went to the facilitator" "$(count weekly_report coach@example.org)" 1
expect_eq "the members had their questionnaire reminders" "$(count questionnaire_reminder tom@example.org)" 2

# Week 1: nobody has done anything, and nobody lags: the questionnaire is still open.
f=$(part weekly_report coach@example.org plain)
expect_grep "week 1: nobody lagging" "^Blijft achter \(0\)$" "$f"
expect_nogrep "not for the open questionnaire either" "vragenlijst niet ingevuld" "$f"
expect_grep "how to remind by reply" "^  Herinner: Ann  " "$f"
expect_grep "with a personal line" "^  Herinner: Ann — succes met je presentatie  met een persoonlijke regel erbij$" "$f"
expect_grep "how to mark someone away" "^  Afwezig: Ann t/m 15-1-2027  " "$f"
expect_grep "nothing to average is a dash" "Beoordelingen: deze week 0 \(gemiddeld –\), alle weken 0 \(gemiddeld –\)" "$f"
expect_grep "the trend has a legend" "^Verloop: activiteit \(gegeven \+ ontvangen \+ gevraagd\) per week; ▲ meer" "$f"
expect_grep "a facilitator without a name is greeted without one" "^Hallo,$" "$f"
expect_grep "numbers with a comma" "^Mediaan activiteit van het team: 0,0$" "$f"
f=$(part weekly_report coach@example.org html)
expect_grep "the HTML part shows the commands too" "Herinner: Ann — succes met je presentatie</td>" "$f"
expect_grep "and lists nobody as lagging" "Blijft achter \(0\)</h2>" "$f"

# The facilitator answers with personal lines: with a dash, a colon, and one too long.
long=$(printf 'x%.0s' $(seq 1 301))
reply coach@example.org "$(replyto weekly_report coach@example.org)" \
	"Herinner: Tom — succes met je presentatie\nHerinner: Cat: <b>zet 'm op</b> & groet\nHerinner: Ann - $long"
NOW=2027-01-11T10:00
expect_ok "the reply is read" fbd
expect_eq "Tom is reminded" "$(count facilitator_reminder tom@example.org)" 1
expect_eq "Cat is reminded" "$(count facilitator_reminder cat@example.org)" 1
expect_eq "Ann is not: her line was too long" "$(count facilitator_reminder ann@example.org)" 0
f=$(part facilitator_reminder tom@example.org plain)
expect_grep "Tom's reminder carries the line" "^  succes met je presentatie$" "$f"
expect_grep "said to be the facilitator's" "schrijft erbij:$" "$f"
expect_nogrep "the name is not part of it" "Tom — succes" "$f"
f=$(part facilitator_reminder tom@example.org html)
expect_grep "in the HTML part too" ">succes met je presentatie</blockquote>" "$f"
f=$(part facilitator_reminder cat@example.org html)
expect_grep "Cat's line is escaped in HTML" "&lt;b&gt;zet &#39;m op&lt;/b&gt; &amp; groet" "$f"
expect_nogrep "never as markup" "<b>zet" "$f"
f=$(part facilitator_confirmation coach@example.org plain)
expect_grep "the confirmation quotes Tom's line" "^  - Tom Bakker, met jouw regel: \"succes met je presentatie\"$" "$f"
expect_grep "and explains the long one" "\"Ann Smit\": de persoonlijke regel is langer dan 300 tekens, dus geen herinnering" "$f"

# Week 2: silent members lag now, but not for the questionnaire: it closes in week 3.
for NOW in 2027-01-18T09:00; do fbd; done
f=$(part weekly_report coach@example.org plain)
expect_grep "week 2's report" "week 2 van 10" "$f"
expect_grep "silent members lag from week 2" "^  - Tom Bakker: gaf geen feedback; heeft nog nooit feedback gevraagd" "$f"
expect_nogrep "the open questionnaire is no reason" "vragenlijst niet ingevuld" "$f"
# Week 3: the baseline closed unanswered in it, after reminders: now it is a reason.
for NOW in 2027-01-25T09:00; do fbd; done
f=$(part weekly_report coach@example.org plain)
expect_grep "week 3's report" "week 3 van 10" "$f"
expect_grep "the closed questionnaire is" "^  - Tom Bakker: .*vragenlijst niet ingevuld voor die sloot, ook niet na herinnering" "$f"
finish
