# The welcome and the late joiner (issue 19, issue 18's welcome), on the embedded Maildir
# default with an explicit clock: a team of three there from the start gets one welcome each,
# as the first mail of the programme (ahead of the invitations queued while setting up and of
# the week-1 nudge and questionnaire), and never a second one on later passes (each pass is a
# fresh daemon); a member added in week 2 gets, at the next pass and without `session sync`,
# the welcome, the baseline questionnaire still open, the invitations to the progress and
# evaluation sessions (not the kickoff, which is over), no reminder for the reminders already
# past, is not lagging in the week-2 report (text, HTML, CSV), and the facilitator gets one
# note; a member added after the baseline closed gets the welcome and invitations but not the
# baseline.
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
mkdir -p "$T/in/new" "$T/in/cur" "$T/in/tmp" "$T/sent/new"
printf 'name,email\nAnn Smit,ann@example.org\nBob de Vries,bob@example.org\nCat Bos,cat@example.org\n' >"$T/team.csv"
ctl() { "$FBCTL" -c "$T/f.conf" --now "$NOW" "$@"; }
fbd() { ls "$T/sent/new" >"$T/before"; "$FBD" -c "$T/f.conf" --once --now "$NOW" --log-level warning; }
# The files the last pass wrote, in the order it sent them (Maildir names start with the
# daemon's own counter).
fresh() { ls "$T/sent/new" | LC_ALL=C sort | comm -13 "$T/before" - | sed "s|^|$T/sent/new/|"; }
kind() { tr -d '\r' <"$1" | sed -n 's/^X-Feedbackd-Kind: //p'; }
to() { tr -d '\r' <"$1" | grep -q "^To: .*<$2>"; }
# sent KIND [TO]: every file of that kind (to that address), as kind() and to() read them, in
# two greps over all the files (not four processes per file: 40 of this test's seconds)
cr=$(printf '\r')
sent() { grep -lE "^X-Feedbackd-Kind: $1$cr?\$" "$T"/sent/new/* 2>/dev/null |
	if [ -z "${2:-}" ]; then cat; else xargs -r grep -l "^To: .*<$2>"; fi; }
count() { sent "$@" | wc -l | tr -d ' '; }
# notes NAME: the notes to the facilitator about NAME
notes() { for x in $(sent member_joined fay@example.org); do subject "$x" | grep -q "^$1 " && echo "$x"; done; }
# kinds TO: the kinds the last pass sent to TO, in order, on one line
kinds() { for f in $(fresh); do to "$f" "$1" && kind "$f"; done | tr '\n' ' '; }
# text FILE: the message decoded (quoted-printable) into $T/text; no file, no $T/text (so a
# grep for what must not be there fails rather than passing on nothing)
text() { rm -f "$T/text"; [ -f "${1:-}" ] && perl -MMIME::QuotedPrint -0pe '$_ = decode_qp($_)' "$1" >"$T/text"; echo "$T/text"; }
# the subject, RFC 2047 decoded
subject() { perl -MEncode -ne 's/\r//; if (/^Subject: (.*)/) { print decode("MIME-Header", $1), "\n"; exit }' "$1"; }

NOW=2027-01-01T12:00
expect_ok "programme created" ctl program create P --start 2027-01-04
expect_ok "team added" ctl team add P T
expect_ok "three members imported" ctl member import P/T "$T/team.csv"
expect_ok "facilitator added" ctl facilitator add P/T fay@example.org --name "Fay Jansen"
expect_ok "kickoff scheduled" ctl session schedule P kickoff --at "2027-01-05 14:00" --duration 90m
expect_ok "progress session scheduled" ctl session schedule P progress --at "2027-02-02 14:00" --duration 90m
expect_ok "evaluation session scheduled" ctl session schedule P evaluation --at "2027-03-09 14:00" --duration 90m

NOW=2027-01-04T09:00
expect_ok "the first pass of the programme" fbd
for who in ann bob cat; do
	expect_eq "$who gets one welcome" "$(count welcome $who@example.org)" 1
	k=$(kinds $who@example.org)
	expect_eq "the welcome is $who's first mail, before invitations, nudge and questionnaire" "${k%% *}" "welcome"
	# the mail budget (issue 18, mail_budget = 2): day one is the welcome, the kickoff
	# invitation and one more; the questionnaire and the other invitations on later days
	case $k in "welcome invite nudge ") ok "$who also got the kickoff invitation and the nudge" ;;
	*) notok "$who also got the kickoff invitation and the nudge ($k)" ;; esac
done
f=$(sent welcome ann@example.org)
expect_eq "the subject is capitalised and names the programme" "$(subject "$f" | sed 's/ \[#.*//')" "Welkom bij P"
text "$f" >/dev/null
expect_grep "dates read as people read them" "Van maandag 4 januari tot en met zondag 14 maart" "$T/text"
expect_grep "the sessions with human dates" "voortgangsbijeenkomst: dinsdag 2 februari om 14:00" "$T/text"
expect_nogrep "no ISO date in the welcome" "20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]" "$T/text"
expect_grep "minutes, not hours" "Een paar minuten per week, geen uren" "$T/text"
expect_grep "a three-line BKC example" "^  Bevestiging: .*" "$T/text"
expect_grep "... with a colleague of the team" "^  Feedback voor: (Bob de Vries|Cat Bos)" "$T/text"
expect_grep "what is anonymous: the questionnaires" "Je antwoorden op de vragenlijsten zijn anoniem" "$T/text"
expect_grep "whom to ask: the facilitator by name and address" "Mail Fay Jansen, de begeleider van je team: fay@example.org" "$T/text"
expect_eq "signed by the facilitator" "$(tr -d '\r' <"$T/text" | grep -A1 '^Met vriendelijke groet,' | sed -n 2p)" "Fay Jansen, P"
expect_grep "a reply to it is understood (reply token)" "^Reply-To: feedback\+[a-z0-9]+@example\.nl" "$f"
expect_eq "no welcome to the facilitator" "$(count welcome fay@example.org)" 0
expect_eq "no note for members there from the start" "$(count member_joined)" 0

NOW=2027-01-04T10:00
expect_ok "a second pass (a restarted daemon)" fbd
# Gus joins on the last day of week 1, after both baseline reminders went to the others.
NOW=2027-01-10T12:00
expect_ok "Gus added on Sunday of week 1" ctl member add P/T "Gus Vos" gus@example.org
NOW=2027-01-10T12:05
expect_ok "the next pass" fbd
expect_eq "Gus gets the welcome and the baseline, no reminder" \
    "$(count welcome gus@example.org) $(count questionnaire gus@example.org) $(count questionnaire_reminder gus@example.org)" "1 1 0"
NOW=2027-01-11T09:00
expect_ok "the week-2 nudge pass" fbd
expect_eq "still one welcome each" "$(count welcome ann@example.org) $(count welcome bob@example.org) $(count welcome cat@example.org) $(count welcome gus@example.org)" "1 1 1 1"

# Dan joins on Tuesday of week 2: the baseline is open until Monday 18 January 09:00.
NOW=2027-01-12T10:00
expect_ok "a pass: what the mail budget let wait for the others goes" fbd
expect_ok "Dan added in week 2" ctl member add P/T "Dan Kok" dan@example.org
NOW=2027-01-12T10:05
expect_ok "the next pass" fbd
k=$(kinds dan@example.org)
expect_eq "Dan's first mail is the welcome" "${k%% *}" "welcome"
expect_eq "Dan gets one welcome" "$(count welcome dan@example.org)" 1
expect_eq "Dan gets the baseline still open" "$(count questionnaire dan@example.org)" 1
expect_eq "Dan gets no reminder for the reminders already past" \
    "$(count questionnaire dan@example.org) $(count questionnaire_reminder dan@example.org)" "1 0"
# queued; the mail budget (issue 18) lets the nearer go first, the other the next day
invq() { sqlite3 "$T/fb.db" "SELECT subject FROM outbox WHERE kind = 'invite' AND recipient = 'dan@example.org' ORDER BY subject" | sed 's/ \[#.*//' | tr '\n' '|'; }
expect_eq "Dan is invited to the two sessions to come, without session sync" "$(invq | tr '|' '\n' | grep -c .)" 2
expect_eq "... the progress and evaluation sessions, not the kickoff" "$(invq)" "Evaluatie: P|Voortgangsbijeenkomst: P|"
f=$(sent welcome dan@example.org)
expect_grep "Dan's welcome says the team has begun" "het is nu week 2 van 10" "$(text "$f")"
f=$(sent questionnaire dan@example.org)
expect_grep "the questionnaire closes when the others' does" "sluit op maandag 18 januari" "$(text "$f")"
expect_eq "the facilitator gets one note about Dan" "$(notes 'Dan Kok' | wc -l | tr -d ' ')" 1
f=$(notes 'Dan Kok')
expect_eq "the note's subject" "$(subject "$f")" "Dan Kok doet mee in team T"
text "$f" >/dev/null
expect_grep "the note says who joined when" "Dan Kok is in week 2 bij team T gekomen" "$T/text"
expect_grep "... the welcome" "de welkomstmail" "$T/text"
expect_grep "... the open questionnaire" "de vragenlijst van de nulmeting, die openstaat tot en met maandag 18 januari" "$T/text"
expect_grep "... the progress session's invitation" "uitnodiging voor de voortgangsbijeenkomst van dinsdag 2 februari om 14:00" "$T/text"
expect_grep "... the evaluation session's invitation" "uitnodiging voor de evaluatie van dinsdag 9 maart om 14:00" "$T/text"
expect_eq "the others get nothing new" "$(fresh | while read -r f; do to "$f" dan@example.org || to "$f" fay@example.org || echo "$f"; done)" ""

NOW=2027-01-13T10:00
expect_ok "a pass a day later" fbd
expect_eq "no second welcome, note or invitation for Dan" \
    "$(count welcome dan@example.org) $(notes 'Dan Kok' | wc -l | tr -d ' ') $(invq | tr '|' '\n' | grep -c .)" "1 1 2"
NOW=2027-01-14T09:00
expect_ok "the scheduled reminder moments still reach the others" fbd
expect_eq "no reminder to Dan on a day without a reminder moment" \
    "$(count questionnaire dan@example.org) $(count questionnaire_reminder dan@example.org)" "1 0"

# The week-2 report: everyone there from the start gave nothing (lagging); Dan is new. Gus,
# who joined in week 1, counts from week 2, but was never reminded of the baseline (the
# reminders went before he came): not "unanswered after a reminder", though the baseline is
# still open at 08:00.
NOW=2027-01-18T08:00
expect_ok "week-2 report, text" ctl report weekly P/T --week 2 --out "$T/w2.txt"
expect_grep "the four who were there in week 2 lag" "^Blijft achter \(4\)" "$T/w2.txt"
expect_grep "Gus lags for giving nothing" "^  - Gus Vos: gaf geen feedback" "$T/w2.txt"
expect_nogrep "... not for a reminder he never got" "Gus Vos:.*vragenlijst niet ingevuld na herinnering" "$T/w2.txt"
expect_nogrep "Dan is not lagging (text)" "Dan Kok.*(achter|geen feedback)" "$T/w2.txt"
expect_grep "Dan is in the table" "^Dan Kok " "$T/w2.txt"
expect_ok "week-2 report, CSV" ctl report weekly P/T --week 2 --format csv --out "$T/w2.csv"
expect_eq "Dan is not lagging (CSV)" "$(tr -d '\r' <"$T/w2.csv" | grep -c '^T;2;Dan Kok;0;0;0;0;0;0;;$')" 1
expect_ok "week-2 report, HTML" ctl report weekly P/T --week 2 --format html --out "$T/w2.html"
expect_nogrep "Dan is not lagging (HTML)" "Dan Kok</td>.*achter" "$T/w2.html"
expect_eq "the HTML lists four lagging" "$(grep -o 'Blijft achter (4)' "$T/w2.html" | head -1)" "Blijft achter (4)"

# Eve joins after the baseline closed (Monday 18 January 09:00).
NOW=2027-01-19T10:00
expect_ok "Eve added in week 3" ctl member add P/T "Eve Dijk" eve@example.org --language en
NOW=2027-01-19T10:05
expect_ok "the next pass" fbd
expect_eq "Eve gets one welcome" "$(count welcome eve@example.org)" 1
expect_eq "Eve gets the welcome but not the closed baseline" \
    "$(count welcome eve@example.org) $(count questionnaire eve@example.org)" "1 0"
expect_eq "Eve is invited to the two sessions to come (queued, the mail budget's to send)" \
    "$(sqlite3 "$T/fb.db" "SELECT count(*) FROM outbox WHERE kind = 'invite' AND recipient = 'eve@example.org'")" 2
f=$(sent welcome eve@example.org)
expect_eq "Eve's welcome is in English" "$(subject "$f" | sed 's/ \[#.*//')" "Welcome to P"
expect_grep "... with English dates" "From Monday 4 January to Sunday 14 March" "$(text "$f")"
expect_grep "... and the BKC labels in English" "^  Confirmation: " "$T/text"
expect_eq "the facilitator gets a note about Eve" "$(notes 'Eve Dijk' | wc -l | tr -d ' ')" 1
f=$(notes 'Eve Dijk')
expect_nogrep "no questionnaire in the note about Eve" "vragenlijst" "$(text "$f")"

# The daemon now syncs every upcoming session at every pass: an erased member (whose attendee
# rows keep only a placeholder address) is nobody to cancel for, and the pass goes on.
NOW=2027-01-20T10:00
expect_ok "Dan erased" ctl member erase dan@example.org --yes
NOW=2027-01-20T10:05
expect_ok "the pass after an erase" fbd
expect_eq "no cancellation to a placeholder address" "$(count invite_cancel)" 0
finish
