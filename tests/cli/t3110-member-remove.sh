# feedbackctl member remove: the member leaves the programme. Without --yes the plan (the
# invitations that are cancelled) is printed and nothing changes; with --yes no mail of any
# kind goes to them any more (nudges, reminders, a colleague's request: the asker is told they
# left), their invitation to a coming session is cancelled, their history stays, and the
# weekly report (text, HTML, CSV), the progress report, member list and status show them as
# left, not lagging.
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
printf 'name,email\nAnn Smit,ann@example.org\nBob de Boer,bob@example.org\nCat Visser,cat@example.org\n' >"$T/team.csv"
ctl() { "$FBCTL" -c "$T/f.conf" --now "$NOW" "$@"; }
fbd() { "$FBD" -c "$T/f.conf" --once --now "$NOW" --log-level warning; }
sql() { sqlite3 "$T/fb.db" "$@"; }
sent() { for f in "$T"/sent/new/*; do [ -f "$f" ] || continue; tr -d '\r' <"$f" | grep -q "^X-Feedbackd-Kind: $1" &&
	{ [ -z "${2:-}" ] || tr -d '\r' <"$f" | grep -qE "^To: (.*<$2>|$2)\$"; } && echo "$f"; done; }
count() { sent "$@" | wc -l | tr -d ' '; }
replyto() { tr -d '\r' <"$(sent "$1" "$2" | tail -1)" | sed -n 's/^Reply-To: //p'; }
text() { perl -MMIME::QuotedPrint -0pe '$_ = decode_qp($_)' "$1" >"$T/text"; echo "$T/text"; }
n=0
reply() { # reply FROM TO BODY
	n=$((n + 1))
	printf 'From: %s\r\nTo: %s\r\nMessage-ID: <r%d@example.org>\r\nSubject: Re: feedback\r\n\r\n%b\r\n' \
	    "$1" "$2" "$n" "$3" >"$T/in/new/$n.host"
}

NOW=2027-01-01T12:00
ctl program create P --start 2027-01-04 >/dev/null
ctl team add P T >/dev/null
ctl member import P/T "$T/team.csv" >/dev/null
ctl facilitator add T coach@example.org >/dev/null
ctl session schedule P progress --at 2027-02-01T14:00 --duration 60 --team T >/dev/null
expect_ok "a pass while setting up" fbd
# queued: the mail budget (issue 18) lets it go from the welcome on
expect_eq "Bob is invited" "$(sql "SELECT count(*) FROM outbox WHERE kind = 'invite' AND recipient = 'bob@example.org'")" 1

NOW=2027-01-04T09:00
expect_ok "week 1's nudges and questionnaires go" fbd
expect_eq "Bob gets the nudge" "$(count nudge bob@example.org)" 1
NOW=2027-01-04T10:00
reply ann@example.org "$(replyto nudge ann@example.org)" 'Vraag feedback aan: Bob'
expect_ok "Ann asks Bob" fbd
expect_eq "Bob gets the request" "$(count request bob@example.org)" 1
NOW=2027-01-04T11:00
reply bob@example.org "$(replyto request bob@example.org)" 'Bevestiging: goed voorbereid\nKritiek: te lang\nTip: korter'
expect_ok "Bob gives Ann feedback" fbd
expect_eq "Ann receives it" "$(count feedback_received ann@example.org)" 1

NOW=2027-01-06T12:00
expect_ok "a pass: what the mail budget let wait goes" fbd
before=$(ls "$T/sent/new" | wc -l)
expect_ok "remove without --yes" ctl member remove bob
expect_grep "names who leaves" "^Bob de Boer <bob@example.org> \(team T\) leaves programme P" "$T/out"
expect_grep "lists the invitation that is cancelled" "invitation cancelled: session 1 \(progress, team T, 2027-02-01 14:00" "$T/out"
expect_grep "and says nothing changed" "Nothing was changed: add --yes to apply" "$T/out"
expect_eq "Bob is still active" "$(sql "SELECT status FROM member WHERE name = 'Bob de Boer'")" "active"
expect_ok "a pass after the preview" fbd
expect_eq "the preview sent nothing" "$(ls "$T/sent/new" | wc -l)" "$before"

expect_fail "remove with a typo does nothing" ctl member remove bobb --yes
expect_grep "and suggests the name" "did you mean Bob de Boer" "$T/err"
ls "$T/sent/new" >"$T/before-remove"
expect_ok "remove --yes" ctl member remove bob --yes
expect_grep "says what was done" "Bob de Boer has left: 1 cancellation queued" "$T/out"
expect_eq "Bob has left" "$(sql "SELECT status, left_at > 0 FROM member WHERE name = 'Bob de Boer'")" "left|1"
expect_eq "his feedback is kept" "$(sql "SELECT count(*) FROM feedback WHERE giver_id = (SELECT id FROM member WHERE name = 'Bob de Boer')")" 1
expect_fail "removing him again is refused" ctl member remove bob --yes
expect_grep "he left already" "has left programme P already" "$T/err"
expect_ok "the cancellation goes" fbd
expect_eq "Bob gets the CANCEL of the session" "$(count invite_cancel bob@example.org)" 1
expect_grep "a calendar CANCEL" 'text/calendar; charset="UTF-8"; method="CANCEL"' "$(sent invite_cancel bob@example.org)"
expect_eq "the others keep their invitation" "$(count invite_cancel ann@example.org)" 0

NOW=2027-01-06T13:00
reply ann@example.org "$(replyto request_sent ann@example.org)" 'Vraag feedback aan: Bob'
expect_ok "Ann asks Bob again" fbd
expect_eq "no request goes to Bob" "$(count request bob@example.org)" 1
f=$(sent who ann@example.org)
expect_eq "Ann gets an answer" "$(echo "$f" | grep -c .)" 1
expect_grep "that says Bob left" "Bob de Boer doet niet meer mee aan het programma" "$(text "$f")"

NOW=2027-01-06T14:00
reply bob@example.org "$(replyto request bob@example.org)" 'Bevestiging: nog een keer\nKritiek: -\nTip: -'
expect_ok "Bob answers Ann's old request once more after leaving" fbd
expect_eq "Ann gets it (his words are kept)" "$(count feedback_received ann@example.org)" 2
expect_eq "Bob gets no receipt any more" "$(count feedback_receipt bob@example.org)" 1

NOW=2027-01-11T09:00
expect_ok "week 2: nudges, reminders, the weekly report" fbd
NOW=2027-01-11T10:00
reply coach@example.org "$(replyto weekly_report coach@example.org)" 'Herinner: Bob\nHerinner: Cat'
expect_ok "the facilitator asks to remind Bob and Cat" fbd
expect_eq "Cat is reminded" "$(count facilitator_reminder cat@example.org)" 1
expect_eq "Bob is not" "$(count facilitator_reminder bob@example.org)" 0
expect_grep "the facilitator is told Bob left" '"Bob": doet niet meer mee aan het programma, dus niets gedaan' "$(text "$(sent facilitator_confirmation coach@example.org)")"

NOW=2027-01-18T09:00
expect_ok "week 3" fbd
expect_eq "the others get week 2 and 3 nudges" "$(count nudge cat@example.org)" 3
expect_eq "Bob gets no nudge after leaving" "$(count nudge bob@example.org)" 1
expect_eq "nor a questionnaire reminder" "$(count questionnaire_reminder bob@example.org)" 0
expect_eq "Cat does get a reminder" "$(count questionnaire_reminder cat@example.org)" 1
# Every message to Bob since he left: only cancellations (of the session, of his questionnaire
# calendar items).
for f in "$T"/sent/new/*; do
	grep -qxF "${f##*/}" "$T/before-remove" && continue
	tr -d '\r' <"$f" | grep -q '^To: .*<bob@example.org>' && tr -d '\r' <"$f" | sed -n 's/^X-Feedbackd-Kind: //p'
done >"$T/tobob"
expect_grep "the session's cancellation is among them" "^invite_cancel$" "$T/tobob"
expect_nogrep "nothing else went to Bob after he left" "^(nudge|questionnaire|questionnaire_reminder|request|who|request_sent|feedback_received|feedback_receipt|facilitator_reminder|invite|moment_invite)$" "$T/tobob"
expect_eq "every message to Bob after he left is a cancellation" "$(grep -vcE '^(invite_cancel|moment_cancel)$' "$T/tobob")" 0

NOW=2027-01-11T12:00
expect_ok "weekly report of week 1" ctl report weekly T --week 1
expect_grep "Bob is listed as left" "^Vertrokken \(1\)" "$T/out"
expect_grep "with the date" "^  - Bob de Boer: uit het programma sinds 2027-01-06" "$T/out"
expect_nogrep "and not as lagging" "^  - Bob de Boer: (gaf|heeft|ver)" "$T/out"
expect_grep "his row says vertrokken" "^Bob de Boer .*vertrokken" "$T/out"
expect_ok "weekly report as HTML" ctl report weekly T --week 1 --format html
expect_grep "HTML shows him left" "Bob de Boer</td><td[^>]*>vertrokken</td>" "$T/out"
expect_ok "weekly report as CSV" ctl report weekly T --week 1 --format csv
expect_grep "CSV keeps his figures and says left" "^T;1;Bob de Boer;1;0;0;1;0;0;vertrokken;uit het programma sinds 2027-01-06" "$T/out"
expect_ok "member list" ctl member list T
expect_grep "member list says left" "Bob de Boer +bob@example.org +left" "$T/out"
expect_ok "status --json" ctl --json status T --week 1
expect_grep "status says left" '"left": true' "$T/out"
expect_ok "progress report" ctl report progress T --week 2 --out "$T/prog"
expect_grep "the progress report marks him" "Bob de Boer \(vertrokken\)" "$T/prog/report.txt"
expect_grep "so does its CSV" "Bob de Boer \(vertrokken\)" "$T/prog/report.csv"
finish
