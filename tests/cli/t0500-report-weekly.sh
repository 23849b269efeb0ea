# feedbackctl report weekly: a team of 12 with different habits over three weeks; the report
# lists exactly the expected lagging, away and unreachable members with their reasons, in text,
# HTML and CSV, and the anonymous samples carry no names.
. "$(dirname "$0")/../lib.sh"
D="$FB_TOP/tests/data"
cat >"$T/f.conf" <<CONF
[feedbackd]
database = $T/fb.db
CONF
ctl() { "$FBCTL" -c "$T/f.conf" --now 2027-01-25T08:00 "$@"; }
sql() { sqlite3 "$T/fb.db" "$@"; }

expect_ok "report --help" "$FBCTL" report --help
expect_grep "help shows the usage" "^usage: feedbackctl report weekly" "$T/out"
expect_fail "report without a subcommand is a usage error" ctl report

ctl program create Pilot --start 2027-01-04 --force >/dev/null
ctl team add Pilot Sales >/dev/null
ctl team add Pilot Support >/dev/null
ctl member import Sales "$D/team-sales.csv" >/dev/null
ctl member import Support "$D/team-support.csv" >/dev/null
ctl facilitator add Sales coach@example.nl >/dev/null

# Habits (ids by name): everyone asks in week 1 and gives one feedback a week to the next
# member, except Noor (stopped giving in week 3), Bram (out of office in week 3, silent),
# Sem (gives every week, never asked), Lars (bounces), Eva (gave in weeks 1 and 3, receives
# from Lars only: activity 3, below half the team's median of 7).
id() { sql "SELECT id FROM member WHERE name = '$1'"; }
P=$(sql "SELECT id FROM program WHERE name = 'Pilot'")
sql "SELECT id FROM member WHERE team_id = (SELECT id FROM team WHERE name = 'Sales') ORDER BY id" >"$T/ids"
set -- $(cat "$T/ids")
i=0
for m in "$@"; do
	i=$((i + 1))
	next=$(sed -n "$((i % 12 + 1))p" "$T/ids")
	name=$(sql "SELECT name FROM member WHERE id = $m")
	for w in 1 2 3; do
		case "$name:$w" in
		"Noor Vos:3"|"Bram Bos:"*|"Lars Mulder:"*|"Eva de Groot:2") continue ;;
		esac
		sql "INSERT INTO feedback (program_id, giver_id, receiver_id, confirmation, critique, week, created_at) VALUES ($P, $m, $next, 'Goed gedaan, $(echo "$name" | cut -d' ' -f1)! Jan de Vries zag het ook.', 'Stuur het naar piet.jansen@example.nl.', $w, 0)"
	done
	case "$name" in
	"Sem Peters"|"Bram Bos"|"Lars Mulder") ;;
	*) sql "INSERT INTO feedback_request (program_id, asker_id, giver_id, week, created_at) VALUES ($P, $m, $next, 1, 0)" ;;
	esac
done
# A follow-up is stored but never counted.
sql "INSERT INTO feedback (program_id, giver_id, receiver_id, week, is_followup, created_at) VALUES ($P, $(id 'Noor Vos'), $(id 'Jan de Vries'), 3, 1, 0)"
sql "INSERT INTO absence (member_id, from_date, until_date, source, created_at) VALUES ($(id 'Bram Bos'), '2027-01-18', '2027-01-22', 'out-of-office', 0)"
sql "UPDATE member_address SET undeliverable_at = 1 WHERE member_id = $(id 'Lars Mulder')"

expect_ok "weekly report of team Sales, default week" ctl report weekly Sales
expect_grep "the week that ended is reported" "week 3 van 10" "$T/out"
expect_grep "three members lag" "^Blijft achter \(3\)" "$T/out"
expect_grep "Noor gave no feedback and is below the median" \
	"^  - Noor Vos: gaf geen feedback; ver onder de mediaan van het team$" "$T/out"
expect_grep "Eva is below half the median" "^  - Eva de Groot: ver onder de mediaan van het team$" "$T/out"
expect_grep "Sem never requested" "^  - Sem Peters: heeft nog nooit feedback gevraagd$" "$T/out"
expect_grep "Bram is away (out of office)" "^  - Bram Bos: afwezigheidsbericht" "$T/out"
expect_grep "Lars is unreachable" "^  - Lars Mulder: e-mailadres komt niet aan" "$T/out"
expect_nogrep "the away and unreachable are not lagging" "^  - (Bram|Lars).*gaf geen" "$T/out"
expect_grep "Noor: gave 2 (the follow-up is not counted), received 0, asked once" \
	"^Noor Vos  *0 \(2\)  *0 \(0\)  *0 \(1\)" "$T/out"
expect_grep "team totals" "^Team  *9 \(28\)  *9 \(28\)  *0 \(9\)" "$T/out"
expect_nogrep "no other programme's team" "Support" "$T/out"

expect_ok "week 2 of the whole programme" ctl report weekly Pilot --week 2
expect_grep "Sales is in it" "team Sales \(programma Pilot\), week 2 van 10" "$T/out"
expect_grep "and Support" "team Support \(programma Pilot\), week 2 van 10" "$T/out"
expect_grep "Bram was not away in week 2 and gave nothing" "^  - Bram Bos: gaf geen feedback; heeft nog nooit feedback gevraagd" "$T/out"

expect_ok "HTML to a file" ctl report weekly Pilot/Sales --format html --out "$T/r.html"
expect_grep "a whole document" "</html>" "$T/r.html"
expect_nogrep "no scripts" "<script" "$T/r.html"
expect_nogrep "no images or links" "<img|src=|href=" "$T/r.html"

expect_ok "CSV" ctl report weekly Sales --format csv
expect_eq "starts with a UTF-8 BOM" "$(head -c 3 "$T/out" | od -An -tx1 | tr -d ' ')" "efbbbf"
expect_grep "';'-separated rows, a value with ';' quoted" \
	'^Sales;3;Noor Vos;0;0;0;2;0;1;blijft achter;"gaf geen feedback; ver onder' "$T/out"
expect_eq "a header and 12 rows" "$(wc -l <"$T/out")" 13

expect_ok "with the anonymous samples" ctl report weekly Sales --samples
expect_grep "samples have F ids" "^  F1:$" "$T/out"
expect_grep "names and addresses are masked" "Goed gedaan, \[naam\]! \[naam\] zag het ook\." "$T/out"
sed -n '/^Kwaliteit/,$p' "$T/out" >"$T/samples"
expect_nogrep "no member's name in the samples" "Jan|Piet|Noor|Sem|Anna|Daan|@" "$T/samples"
expect_eq "three samples (report.rating_samples)" "$(grep -c '^  F[0-9]*:$' "$T/samples")" 3
cp "$T/samples" "$T/samples1"
ctl report weekly Sales --samples >/dev/null
ctl report weekly Sales --samples | sed -n '/^Kwaliteit/,$p' >"$T/samples2"
expect_eq "the same samples the next time" "$(cmp -s "$T/samples1" "$T/samples2" && echo same)" same
expect_eq "recorded once" "$(sql 'SELECT count(*) FROM rating_sample')" 3

expect_ok "--send mails the report to the team's facilitators" ctl report weekly Sales --week 3 --send
expect_grep "saying how many" "^queued 1 report mail in the outbox \(week 3\)" "$T/out"
/usr/bin/python3 - "$T/fb.db" <<'PY' >"$T/mime"
import email, email.policy, re, sqlite3, sys
for rcpt, raw in sqlite3.connect(sys.argv[1]).execute(
        "SELECT recipient, raw FROM outbox JOIN outbox_body USING (id) WHERE kind = 'weekly_report' ORDER BY id"):
    m = email.message_from_bytes(raw, policy=email.policy.default)
    kinds = [p.get_content_type() for p in m.walk() if not p.is_multipart()]
    text = m.get_body(("plain",)).get_content()
    html = m.get_body(("html",)).get_content()
    print(rcpt, m.get_content_type(), ",".join(kinds), "reply-to" if "+" in str(m["Reply-To"]) else "-",
          "lagging" if "Noor Vos" in text and "Noor Vos" in html else "-",
          "samples" if "F1" in text else "-",
          "external" if re.search(r"<script|<link|(src|href)=\"(?!mailto:)", html, re.I) else "self-contained")
PY
expect_eq "one mail, text and HTML, a reply address, the same report in both parts, nothing fetched" \
	"$(cat "$T/mime")" \
	"coach@example.nl multipart/alternative text/plain,text/html reply-to lagging samples self-contained"

expect_fail "a week past the programme is refused" ctl report weekly Sales --week 11
expect_grep "saying how long the programme is" "has 10 weeks" "$T/err"
expect_fail "a bad format is refused" ctl report weekly Sales --format pdf
expect_grep "listing the formats" "accepted values are text, html, csv" "$T/err"
expect_fail "an unknown team" ctl report weekly Nope
expect_grep "is named" '"Nope" is neither a programme nor a team' "$T/err"
finish
