# feedbackctl report weekly --samples: the facilitators' "anonymous" samples show no member's or
# facilitator's name in any form (full, first, surname alone with or without its particle,
# initials with surname, titles, possessives, any case, with or without diacritics), no e-mail
# address, no phone number and no signature block, in the text and the HTML report alike.
. "$(dirname "$0")/../lib.sh"
cat >"$T/f.conf" <<CONF
[feedbackd]
database = $T/fb.db
[report]
rating_samples = 20
CONF
ctl() { "$FBCTL" -c "$T/f.conf" --now 2027-01-11T08:00 "$@"; }
sql() { sqlite3 "$T/fb.db" "$@"; }

ctl program create Pilot --start 2027-01-04 --force >/dev/null
ctl team add Pilot Sales >/dev/null
ctl member add Sales "Anne Bakker" anne.bakker@example.nl >/dev/null
ctl member add Sales "Jan de Vries" jan@example.nl >/dev/null
ctl member add Sales "Piet van Dijk" piet@example.nl >/dev/null
ctl member add Sales "Zoë Öztürk" zoe@example.nl >/dev/null
ctl member add Sales "Karin Jansen" karin@example.nl >/dev/null
ctl facilitator add Sales coach@example.nl --name "Fien Verhoeven" >/dev/null
P=$(sql "SELECT id FROM program WHERE name = 'Pilot'")
id() { sql "SELECT id FROM member WHERE name = '$1'"; }
give() { # giver receiver confirmation critique
	sql "INSERT INTO feedback (program_id, giver_id, receiver_id, confirmation, critique, week, created_at) VALUES ($P, $(id "$1"), $(id "$2"), '$3', '$4', 1, 0)"
}
give "Anne Bakker" "Jan de Vries" "Groet van A. Bakker … Mevr. Bakker … en Jansen ook" \
	"J. de Vries en Van Dijk hielpen; A.B. Bakker ook. Dhr. van Dijk en Mw. Öztürk."
give "Jan de Vries" "Piet van Dijk" "Bakker''s plan, Annes idee, Anne''s aanpak en Karins inzet." \
	"zoe ozturk en ZOË, mevrouw de vries, meneer Jansen, Mr Bakker, Ms. Jansen, Mrs Öztürk."
give "Piet van Dijk" "Zoë Öztürk" "Bel me op 06-12345678 of +31 (0)6 1234 5678." \
	"Of mail anne.bakker@example.nl, of bel 020 123 4567 of +44 20 7946 0958."
give "Zoë Öztürk" "Karin Jansen" "Fien vond het ook, en Verhoeven''s team ook." \
	"Sterke afsluiting.
Met vriendelijke groet,
Karin
Teamleider Verkoop
Kamer 4.12"
give "Karin Jansen" "Anne Bakker" "Goed gedaan, de Vries en van Dijk." "Tip van Piet: korter."

expect_ok "weekly report of week 1 with the samples" ctl report weekly Sales --week 1 --samples
sed -n '/^Kwaliteit/,$p' "$T/out" >"$T/samples"
tr 'A-Z' 'a-z' <"$T/samples" >"$T/lower"
expect_eq "all five texts are samples" "$(grep -c '^  F[0-9]*:$' "$T/samples")" 5
expect_grep "the words that are no names stay" "Sterke afsluiting" "$T/samples"
expect_grep "names became [naam]" "\[naam\]" "$T/samples"
# Every name's every part, case-insensitive; the diacritics both ways.
NAMES='anne|bakker|jan|vries|piet|dijk|zo[eë]|[oö]zt[uü]rk|ÖZTÜRK|ZOË|karin|jansen|fien|verhoeven'
expect_nogrep "no name in any form" "(^|[^[:alpha:]])($NAMES)" "$T/lower"
expect_nogrep "no title left standing before a mask" "(Mevr|Dhr|Mw|Mevrouw|Meneer|Mrs?|Ms)\.? \[naam\]" "$T/samples"
expect_nogrep "no initials left before a mask" "[A-Z]\. ?\[naam\]" "$T/samples"
expect_nogrep "no possessive ending left" "\[naam\]('s|s)\b" "$T/samples"
expect_nogrep "no e-mail address" "@" "$T/samples"
expect_nogrep "no phone number" "[0-9]{4}|\+[0-9]" "$T/samples"
expect_nogrep "no signature block" "Teamleider|Kamer 4" "$T/samples"
expect_ok "the same in HTML" ctl report weekly Sales --week 1 --samples --format html
tr 'A-Z' 'a-z' <"$T/out" | sed -n 's/.*kwaliteit van de feedback//p' | sed 's/<[^>]*>/ /g' >"$T/html"
expect_grep "the HTML has the samples" "f5" "$T/html"
expect_nogrep "no name in the HTML samples" "(^|[^[:alpha:]])($NAMES)" "$T/html"
expect_nogrep "no phone number or address in the HTML samples" "[0-9]{4}|@" "$T/html"
finish
