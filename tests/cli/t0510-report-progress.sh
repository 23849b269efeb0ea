# feedbackctl report progress|evaluation --out DIR: the files are written, the charts are PNGs
# of the documented size that the HTML refers to, scores respect the minimum group size, and
# report.eml carries the charts inline (multipart/related, Content-ID) and is the mail --send
# queues for the coordinator (made by the same code).
. "$(dirname "$0")/../lib.sh"
D="$FB_TOP/tests/data"
cat >"$T/f.conf" <<CONF
[feedbackd]
database = $T/fb.db
from_address = feedback@example.org
domain = example.org
coordinator_address = coordinator@example.org
CONF
ctl() { "$FBCTL" -c "$T/f.conf" --now 2027-02-08T08:00 "$@"; }
sql() { sqlite3 "$T/fb.db" "$@"; }

ctl program create Pilot --start 2027-01-04 --force >/dev/null
ctl team add Pilot Sales >/dev/null
ctl member import Sales "$D/team-sales.csv" >/dev/null
ctl facilitator add Sales coach@example.nl >/dev/null
P=$(sql "SELECT id FROM program")
# Week w: the first w members give one feedback each (a visible rise).
for w in 1 2 3 4 5; do
	sql "INSERT INTO feedback (program_id, giver_id, receiver_id, week, created_at) SELECT $P, id, id, $w, 0 FROM member ORDER BY id LIMIT $w"
done
# Baseline: 4 answered question 1 with 6, 6, 7, 7 (avg 6.5); midterm: 3 answered with 8, 8, 8;
# question 2 answered by 2 members only (below min_group_size 3: not shown).
sql "INSERT INTO measurement (id, program_id, kind, opens_at, closes_at) VALUES (1, $P, 'baseline', 0, 1), (2, $P, 'midterm', 2, 3)"
sql "INSERT INTO questionnaire (measurement_id, member_id, sent_at, completed_at) SELECT 1, id, 0, CASE WHEN id <= (SELECT min(id) + 3 FROM member) THEN 1 END FROM member"
sql "INSERT INTO questionnaire (measurement_id, member_id, sent_at, completed_at) SELECT 2, id, 0, CASE WHEN id <= (SELECT min(id) + 2 FROM member) THEN 1 END FROM member"
sql "INSERT INTO answer (questionnaire_id, question, score, created_at) SELECT q.id, 1, 6 + (q.member_id - (SELECT min(id) FROM member)) / 2, 0 FROM questionnaire q WHERE q.measurement_id = 1 AND q.completed_at IS NOT NULL"
sql "INSERT INTO answer (questionnaire_id, question, score, created_at) SELECT q.id, 1, 8, 0 FROM questionnaire q WHERE q.measurement_id = 2 AND q.completed_at IS NOT NULL"
sql "INSERT INTO answer (questionnaire_id, question, score, created_at) SELECT q.id, 2, 9, 0 FROM questionnaire q WHERE q.measurement_id = 2 AND q.completed_at IS NOT NULL LIMIT 2"
# A superseded answer never counts.
sql "INSERT INTO answer (questionnaire_id, question, score, superseded, created_at) SELECT min(id), 1, 0, 1, 0 FROM questionnaire WHERE measurement_id = 2"
# The ambition (baseline's open questions 7 and 8): question 7 answered by three members, one
# naming a colleague; question 8 by two (below min_group_size 3: not shown).
sql "INSERT INTO answer (questionnaire_id, question, text, created_at) SELECT q.id, 7, CASE q.member_id - (SELECT min(id) FROM member) WHEN 0 THEN 'Elkaar aanspreken' WHEN 1 THEN 'Luisteren; doorvragen' ELSE 'Net als Jan de Vries: complimenten geven' END, 0 FROM questionnaire q WHERE q.measurement_id = 1 AND q.completed_at IS NOT NULL LIMIT 3"
sql "INSERT INTO answer (questionnaire_id, question, text, created_at) SELECT q.id, 8, 'Sneller leren', 0 FROM questionnaire q WHERE q.measurement_id = 1 AND q.completed_at IS NOT NULL LIMIT 2"

expect_ok "progress report into a directory" ctl report progress Pilot --out "$T/p"
sed -n '/^Ambitie van het team/,$p' "$T/p/report.txt" >"$T/amb"
expect_eq "the team's ambition: question 7's answers by text, a colleague's name masked, question 8 held back" \
	"$(cat "$T/amb")" "Ambitie van het team (nulmeting, anoniem)
  7. Aan welke vaardigheden of thema's wil je als team werken?
     - Elkaar aanspreken
     - Luisteren; doorvragen
     - Net als [naam]: complimenten geven
  8. Hoe helpt feedback jou en je team daarbij?
     (minder dan 3 antwoorden: niet getoond)
  9. Wat is het gewenste eindresultaat na afloop van het programma?
     (minder dan 3 antwoorden: niet getoond)"
expect_grep "the ambition in the CSV, quoted where needed" '^Sales;ambitie;nulmeting;7;"Luisteren; doorvragen"' "$T/p/report.csv"
expect_grep "and in the HTML" "<li [^>]*>Net als \[naam\]: complimenten geven</li>" "$T/p/report.html"
for f in report.txt report.csv report.html; do
	expect_nogrep "$f: never what too few answered" "Sneller leren" "$T/p/$f"
done
for f in report.html report.txt report.csv report.eml volume.png ratings.png scores-1.png members-1.png; do
	expect_eq "$f written" "$(test -s "$T/p/$f" && echo yes)" yes
done
expect_eq "volume.png is a 720x320 PNG" "$(od -An -tx1 -j16 -N8 "$T/p/volume.png" | tr -d ' \n')" "000002d000000140"
expect_grep "the text has the weeks through the one that ended" "weken 1-5" "$T/p/report.txt"
expect_grep "the rise per week" "^  Sales +1   2   3   4   5  15$" "$T/p/report.txt"
expect_grep "question 1: 6,5 at baseline, 8,0 at midterm (+1,5)" "^  1 +6,5 +8,0 \(\+1,5\)" "$T/p/report.txt"
expect_grep "question 2 from 2 answers is not shown" "^  2 +– +– " "$T/p/report.txt"
expect_grep "response per measurement" "tussenmeting +3/12 \(25%\)" "$T/p/report.txt"
expect_grep "the CSV has a decimal comma" "^Sales;gemiddelde score;nulmeting;1;6,5" "$T/p/report.csv"
for f in volume.png ratings.png scores-1.png members-1.png; do
	expect_grep "the HTML shows $f" "src=\"$f\"" "$T/p/report.html"
done
expect_nogrep "and nothing from outside" "<script|href=|src=\"http" "$T/p/report.html"
expect_grep "the mail wraps the HTML in multipart/related" "multipart/related" "$T/p/report.eml"
expect_grep "with each chart by Content-ID" "Content-ID: <members-1.png@feedbackd>" "$T/p/report.eml"
/usr/bin/python3 - "$T/p/report.eml" >"$T/mime" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
html = m.get_body(("html",)).get_content()
for part in m.walk():
    cid = part.get("Content-ID")
    if cid and part.get_content_type() == "image/png":
        png = part.get_content()
        print(cid, "shown" if "cid:" + cid.strip("<>") in html else "NOT SHOWN",
              "png" if png[:8] == b"\x89PNG\r\n\x1a\n" else "NOT PNG")
PY
expect_eq "every inline chart is a PNG the HTML shows by cid:" \
	"$(grep -c ' shown png$' "$T/mime") of $(wc -l <"$T/mime")" "4 of 4"

expect_ok "evaluation report of one team" ctl report evaluation Sales --out "$T/e" --week 3
expect_grep "is an evaluation report through week 3" "^Evaluatierapport .*weken 1-3" "$T/e/report.txt"
expect_fail "--out or --send is required" ctl report progress Pilot

expect_ok "--send mails the progress report" ctl report progress Pilot --send
expect_grep "saying how many" "^queued 2 report mails in the outbox \(week 5\)" "$T/out"
/usr/bin/python3 - "$T/fb.db" <<'PY' >"$T/mime"
import email, email.policy, sqlite3, struct, sys
for rcpt, raw in sqlite3.connect(sys.argv[1]).execute(
        "SELECT recipient, raw FROM outbox JOIN outbox_body USING (id) WHERE kind = 'progress_report' ORDER BY recipient"):
    m = email.message_from_bytes(raw, policy=email.policy.default)
    html = m.get_body(("html",)).get_content()
    text = m.get_body(("plain",)).get_content()
    pngs = []
    for part in m.walk():
        if part.get_content_type() == "image/png":
            png = part.get_content()
            w, h = struct.unpack(">II", png[16:24])
            shown = "cid:" + part["Content-ID"].strip("<>") in html
            pngs.append("%dx%d%s" % (w, h, "" if shown and png[:8] == b"\x89PNG\r\n\x1a\n" else "!"))
    print(rcpt, "related" if any(p.get_content_type() == "multipart/related" for p in m.walk()) else "-",
          " ".join(pngs[:3]), "rise" if "Sales" in text and "15" in text else "-",
          "subject" if str(m["Subject"]).startswith("Voortgangsrapport Pilot") else m["Subject"])
PY
expect_eq "to the facilitator and the coordinator, charts inline with their sizes, figures in text" \
	"$(cut -d' ' -f1-4,6- "$T/mime")" "coach@example.nl related 720x320 720x320 rise subject
coordinator@example.org related 720x320 720x320 rise subject"
/usr/bin/python3 - "$T/fb.db" "$T/p/report.eml" <<'PY' >"$T/same"
import email, email.policy, re, sqlite3, sys
# The reply token (issue 18: replies carry improvement actions) is the copy's example one.
tok = lambda v: re.sub(r"(\+|\[#)[a-z2-7]{26}", r"\1TOKEN", v)
sent = sqlite3.connect(sys.argv[1]).execute("SELECT raw FROM outbox JOIN outbox_body USING (id) WHERE kind = 'progress_report'"
    " AND recipient = 'coordinator@example.org'").fetchone()[0]
def look(raw):
    m = email.message_from_bytes(raw, policy=email.policy.default)
    heads = [(k, tok(str(v))) for k, v in m.items() if k not in ("Message-ID", "Content-Type")]
    parts = [(p.get_content_type(), p.get("Content-ID"), p.get_payload(decode=True))
             for p in m.walk() if not p.is_multipart()]
    return heads, parts
a, b = look(sent), look(open(sys.argv[2], "rb").read())
print("same" if a == b else "differs:\n%r\n%r" % (a[0], b[0]))
PY
expect_eq "report.eml is the mail --send queues for the coordinator: headers, text, HTML, charts" \
	"$(cat "$T/same")" "same"
finish
