# Improvement actions by reply: the facilitator's and the coordinator's replies to the
# progress report ("Team, kort: …", Dutch and English, with and without comma, a text going on
# over lines) are stored per team and quadrant, answered with a confirmation per quadrant that
# explains a line that almost was an action; a stranger's reply with the same token is
# quarantined and stores nothing; `feedbackctl report actions` lists them (text, --json) and
# says exactly what is wrong with its operands.
. "$(dirname "$0")/../lib.sh"
cat >"$T/f.conf" <<CONF
[feedbackd]
database = $T/fb.db
domain = example.nl
from_address = feedback@example.nl
reply_address = feedback@example.nl
coordinator_address = coord@example.nl
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
answer() { grep -l "^In-Reply-To: <r$1@example.org>" "$T"/sent/new/* | head -1; }
replyto() { tr -d '\r' <"$(sent "$1" "$2" | tail -1)" | sed -n 's/^Reply-To: //p'; }
text() { perl -MMIME::QuotedPrint -0pe '$_ = decode_qp($_)' "$1" | tr -d '\r' >"$T/text"; echo "$T/text"; }
plain() { /usr/bin/python3 -c 'import email,sys
import email.policy; m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(next(p for p in m.walk() if p.get_content_type() == "text/plain").get_content())' "$1" >"$T/plain"; echo "$T/plain"; }
n=0
reply() { # reply FROM TO BODY
	n=$((n + 1))
	printf 'From: %s\r\nTo: %s\r\nMessage-ID: <r%d@example.org>\r\nSubject: Re: rapport\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n%b\r\n' \
	    "$1" "$2" "$n" "$3" >"$T/in/new/$n.host"
}

NOW=2027-01-01T12:00
ctl program create P --start 2027-01-04 >/dev/null
ctl team add P T >/dev/null
ctl member import P/T "$T/team.csv" >/dev/null
ctl facilitator add T coach@example.org --name "Carla Coach" >/dev/null 2>&1 ||
	ctl facilitator add T coach@example.org >/dev/null

NOW=2027-02-08T10:00
expect_ok "no actions yet: the listing says how they come" ctl report actions P
expect_grep "none yet" "programme P: 0 improvement actions" "$T/out"
expect_fail "no confirmation to preview yet" ctl preview actions-received --team T
expect_grep "says why" "team T has no improvement actions yet" "$T/err"
expect_ok "the progress report is sent" ctl report progress P --send
expect_ok "and goes out" fbd
expect_eq "the facilitator gets it" "$(count progress_report coach@example.org)" 1
expect_eq "the coordinator gets it" "$(count progress_report coord@example.nl)" 1
expect_grep "with a reply address" "^Reply-To: feedback+" "$(sent progress_report coach@example.org)"

NOW=2027-02-08T11:00
reply coach@example.org "$(replyto progress_report coach@example.org)" 'Goed gesprek gehad.\n\nTeam, kort: elke vrijdag vraagt ieder één collega om feedback\nTeam lang: intervisie\nelke maand, met een casus\n\nAnderen, korte termijn: de leiding plant de evaluatie\nTeam: dit is bijna een actie\n\n> Team, kort: uit het citaat'
expect_ok "the facilitator's reply is read" fbd
expect_eq "three actions stored for the team" "$(sql "SELECT by_whom || '_' || term || '=' || text || '=' || report FROM improvement_action ORDER BY id")" "team_short=elke vrijdag vraagt ieder één collega om feedback=progress
team_long=intervisie elke maand, met een casus=progress
others_short=de leiding plant de evaluatie=progress"
expect_eq "by the facilitator" "$(sql "SELECT DISTINCT author FROM improvement_action")" "coach@example.org"
expect_eq "one confirmation" "$(count actions_received coach@example.org)" 1
f=$(text "$(sent actions_received coach@example.org)")
expect_grep "per quadrant: the team, short term" "^Het team zelf, op korte termijn:" "$f"
expect_grep "its action" "^  - elke vrijdag vraagt ieder één collega om feedback" "$f"
expect_grep "the long term, lines joined" "^  - intervisie elke maand, met een casus" "$f"
expect_grep "others, short term" "^Anderen, op korte termijn:" "$f"
expect_nogrep "no empty quadrant heading" "^Anderen, op lange termijn:" "$f"
expect_grep "the near miss quoted with its line" '^  - regel 8: "Team: dit is bijna een actie"$' "$f"
expect_grep "and explained" "^    Dit lijkt op een verbeteractie, maar wie of wanneer konden we niet lezen." "$f"
expect_grep "with the accepted forms" "^  Anderen, lang: wat anderen op langere termijn doen" "$f"
expect_grep "signed" "^Met vriendelijke groet," "$f"
expect_grep "capitalised subject" "^Subject: Verbeteracties: je antwoord op het voortgangsrapport van T" "$f"
expect_eq "the inbox says what was done" "$(sql "SELECT state FROM inbox ORDER BY id DESC LIMIT 1")" "applied"

NOW=2027-02-08T12:00
reply mallory@example.com "$(replyto progress_report coach@example.org)" 'Team, kort: iedereen krijgt vrij'
expect_ok "a stranger's reply with the facilitator's token" fbd
expect_eq "is quarantined" "$(sql "SELECT state FROM inbox ORDER BY id DESC LIMIT 1")" "quarantined"
expect_eq "and stores nothing" "$(sql "SELECT count(*) FROM improvement_action")" 3
expect_eq "nor answers" "$(count actions_received mallory@example.com)" 0

NOW=2027-02-08T13:00
reply coord@example.nl "$(replyto progress_report coord@example.nl)" 'Others, long term: a course on feedback for the managers\nOthers, later: not a quadrant'
expect_ok "the coordinator's reply to the programme's report" fbd
expect_eq "is stored for the programme's only team" "$(sql "SELECT t.name || '=' || a.by_whom || '_' || a.term || '=' || a.author FROM improvement_action a JOIN team t ON t.id = a.team_id WHERE a.id = 4")" "T=others_long=coord@example.nl"
expect_eq "the coordinator is answered" "$(count actions_received coord@example.nl)" 1
expect_grep "the near miss again" 'regel 2: "Others, later: not a quadrant"' "$(text "$(sent actions_received coord@example.nl)")"

NOW=2027-02-08T14:00
reply coach@example.org "$(replyto actions_received coach@example.org)" 'Dank!'
expect_ok "a reply without actions" fbd
expect_eq "is ignored quietly" "$(sql "SELECT state FROM inbox ORDER BY id DESC LIMIT 1")" "ignored"
expect_eq "no second confirmation" "$(count actions_received coach@example.org)" 1

before=$(ls "$T/sent/new" | wc -l)
expect_ok "the confirmation in preview" ctl preview actions-received --facilitator coach
expect_grep "lists the team's actions so far" "^  - a course on feedback for the managers" "$(text "$T/out")"
expect_grep "in its quadrant" "^Anderen, op lange termijn:" "$(text "$T/out")"
expect_ok "a pass after the preview" fbd
expect_eq "the preview sent nothing" "$(ls "$T/sent/new" | wc -l)" "$before"
expect_ok "the listing of the team" ctl report actions T
expect_grep "counts them" "programme P: 4 improvement actions" "$T/out"
expect_grep "per quadrant" "^  the team itself, short term:" "$T/out"
expect_grep "with the text" "^    - intervisie elke maand, met een casus" "$T/out"
expect_grep "and who sent it" "\(progress report; .*coach@example.org.*, 2027-02-08" "$T/out"
expect_grep "others, long term" "^  others, long term:" "$T/out"
expect_ok "the listing as JSON" ctl --json report actions P
expect_eq "JSON: one object per action" "$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); print(len(a), a[0]["quadrant"], a[0]["team"], a[3]["author"], a[1]["report"])' "$T/out")" "4 team_short T coord@example.nl progress"
expect_ok "--json after the command too" ctl report actions T --json
expect_fail "two operands" ctl report actions P T
expect_grep "says which one is too many" "report actions" "$T/err"
expect_fail "an unknown team" ctl report actions Nope
expect_grep "says so" '"Nope" is neither a programme nor a team' "$T/err"
expect_fail "an unknown option" ctl report actions P --team T
expect_grep "names it" "unknown option --team" "$T/err"
expect_ok "the evaluation report is written" ctl report evaluation T --out "$T/eval"
expect_grep "it lists the actions" "^Verbeteracties \(uit de antwoorden op de rapporten\)" "$T/eval/report.txt"
expect_grep "per quadrant, the team's short term" "^  Het team zelf, korte termijn:" "$T/eval/report.txt"
expect_grep "with its text" "^     - elke vrijdag vraagt ieder één collega om feedback" "$T/eval/report.txt"
expect_grep "others, long term" "^  Door anderen, lange termijn:" "$T/eval/report.txt"
expect_grep "the HTML too" "<b>Door anderen, korte termijn</b>" "$T/eval/report.html"
expect_ok "the progress report is written" ctl report progress T --out "$T/prog"
expect_nogrep "it has no actions: they are made at the progress session" "Verbeteracties" "$T/prog/report.txt"
NOW=2027-03-15T10:00
expect_ok "the evaluation report is sent" ctl report evaluation T --send
expect_ok "and goes out" fbd
f=$(plain "$(sent progress_report coach@example.org | xargs grep -l "^Subject: Evaluatierapport" | tail -1)")
expect_grep "the mail lists the actions per quadrant" "^  Het team zelf, lange termijn:" "$f"
NOW=2027-03-15T11:00
reply coach@example.org "$(tr -d '\r' <"$(sent progress_report coach@example.org | xargs grep -l "^Subject: Evaluatierapport" | tail -1)" | sed -n 's/^Reply-To: //p')" 'Team, lang: de feedbackronde blijft elke maand'
expect_ok "a reply to the evaluation report" fbd
expect_eq "is stored as answering the evaluation report" "$(sql "SELECT report FROM improvement_action ORDER BY id DESC LIMIT 1")" "evaluation"
expect_grep "and confirmed as such" "^Subject: Verbeteracties: je antwoord op het evaluatierapport van T" "$(text "$(answer $n)")"
ctl team add P U >/dev/null
printf 'name,email\nDirk Dekker,dirk@example.org\n' >"$T/u.csv"
ctl member import P/U "$T/u.csv" >/dev/null
NOW=2027-03-15T12:00
reply coord@example.nl "$(replyto progress_report coord@example.nl)" 'Anderen, kort: nog een actie'
expect_ok "the coordinator replies to the programme's report once there are two teams" fbd
expect_eq "nothing is stored: which team is not ours to guess" "$(sql "SELECT count(*) FROM improvement_action WHERE text = 'nog een actie'")" 0
f=$(text "$(answer $n)")
expect_grep "the coordinator is told why" "Dit rapport gaat over meer teams" "$f"
expect_grep "with the teams" "^  - U" "$f"
expect_ok "the follow-up questionnaire of a member of the team" ctl preview questionnaire --member ann --measurement followup --eml "$T/fu.eml"
f=$(plain "$T/fu.eml")
expect_grep "asks what came of the actions" "^  7. Wat is er terechtgekomen van de verbeteracties die jullie team koos?" "$f"
expect_grep "naming each" "^     - intervisie elke maand, met een casus" "$f"
expect_grep "the coordinator's too" "^     - a course on feedback for the managers" "$f"
expect_ok "the follow-up questionnaire of a team without actions" ctl preview questionnaire --member dirk --measurement followup --eml "$T/fu2.eml"
expect_nogrep "does not ask about them" "verbeteracties" "$(plain "$T/fu2.eml")"
expect_grep "but asks the rest" "^  6. " "$(plain "$T/fu2.eml")"
expect_ok "the baseline asks nothing about actions" ctl preview questionnaire --member ann --measurement baseline --eml "$T/bl.eml"
expect_nogrep "no such question there" "verbeteracties" "$(plain "$T/bl.eml")"
expect_ok "--help" ctl report actions --help
expect_grep "shows the syntax" "feedbackctl report actions \[PROGRAM|TEAM\] \[--json\]" "$T/out"
finish
