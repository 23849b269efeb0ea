# feedbackd --once --dry-run: lists what the pass would send and apply, and changes nothing:
# the database file is byte-identical afterwards, the incoming Maildir untouched (nothing moved
# to cur/ or flagged), nothing in the outgoing Maildir. The real pass that follows then sends
# exactly the mail listed and makes of each reply what the listing said.
. "$(dirname "$0")/../lib.sh"
D="$FB_TOP/tests/data"
cat >"$T/f.conf" <<CONF
[feedbackd]
database = $T/fb.db
[outgoing]
transport = maildir
maildir = $T/sent
[incoming]
mailbox = maildir
maildir = $T/inmail
CONF
ctl() { "$FBCTL" -c "$T/f.conf" "$@"; }
fbd() { "$FBD" -c "$T/f.conf" --once --log-level warning "$@"; }
sql() { sqlite3 "$T/fb.db" "$@"; }
tree() { (cd "$1" 2>/dev/null && find . -type f | sort | xargs -r md5sum); }

ctl program create Pilot --start 2027-01-04 --force >/dev/null
ctl team add Pilot Sales >/dev/null
ctl member import Sales "$D/team-sales.csv" >/dev/null
ctl facilitator add Sales coach@example.nl >/dev/null
mkdir -p "$T/inmail/new" "$T/inmail/cur" "$T/inmail/tmp"
cat >"$T/inmail/new/1.noor" <<'MAIL'
From: Noor Vos <noor.vos@example.nl>
To: feedback@feedbackd.invalid
Subject: feedback voor Jan
Message-ID: <noor-1@example.nl>
Date: Mon, 04 Jan 2027 08:30:00 +0100

Feedback voor: Jan de Vries
Bevestiging: je presentatie was helder.
Kritiek: de cijfers kwamen laat.
Constructief: begin met de cijfers.
MAIL
cat >"$T/inmail/new/2.stranger" <<'MAIL'
From: Someone <someone@elsewhere.example>
To: feedback@feedbackd.invalid
Subject: hello
Message-ID: <x-1@elsewhere.example>
Date: Mon, 04 Jan 2027 08:31:00 +0100

Who are you?
MAIL
# One mail already in the outbox from before (a test mail): it goes in this pass too.
printf 'From: feedback@feedbackd.invalid\nTo: anna.bakker@example.nl\nSubject: Test\nMessage-ID: <test-1@feedbackd.invalid>\n\nHallo\n' >"$T/test.eml"
ctl outbox add --to anna.bakker@example.nl "$T/test.eml" >/dev/null

W1=2027-01-04T09:00
expect_fail "--dry-run needs --once" "$FBD" -c "$T/f.conf" --dry-run --now $W1
expect_grep "saying so" "dry-run needs --once" "$T/err"
ctl status Sales >/dev/null # the database is written and closed by a command first
md5sum <"$T/fb.db" >"$T/db.before"
ls "$T" | grep '^fb.db' >"$T/files.before"
tree "$T/inmail" >"$T/in.before"

expect_ok "a dry run of the week-1 pass" fbd --dry-run --now $W1
cp "$T/out" "$T/dry.txt"
expect_eq "the database file is byte-identical" "$(md5sum <"$T/fb.db")" "$(cat "$T/db.before")"
expect_eq "no file beside it was left or removed" "$(ls "$T" | grep '^fb.db')" "$(cat "$T/files.before")"
expect_eq "the incoming Maildir is as it was (nothing moved to cur/)" "$(tree "$T/inmail")" "$(cat "$T/in.before")"
expect_eq "nothing was delivered" "$(tree "$T/sent")" ""
expect_eq "no copy left in TMPDIR" "$(ls "${TMPDIR:-/tmp}" | grep -c '^feedbackd-dry-run-')" 0
expect_grep "it says nothing changed" "nothing was sent, and nothing in the database or the mailbox was changed" "$T/dry.txt"
expect_grep "Noor's reply is read" "inbox [0-9]+, read now, from noor.vos@example.nl: feedback voor Jan" "$T/dry.txt"
expect_grep "and applied as feedback to Jan" "^    -> applied \(new\): feedback from Noor Vos to Jan de Vries" "$T/dry.txt"
expect_grep "the stranger's is quarantined" "^    -> quarantined \(new\): from someone@elsewhere.example" "$T/dry.txt"
expect_grep "the test mail queued before goes too" "^  to anna.bakker@example.nl  manual  Test  \(queued before\)" "$T/dry.txt"
expect_grep "Noor's nudge would go" "^  to noor.vos@example.nl  nudge  " "$T/dry.txt"
expect_grep "the questionnaire too" "^  to noor.vos@example.nl  questionnaire  " "$T/dry.txt"

expect_ok "the real pass" fbd --now $W1
# What went: recipient, kind, subject without its token; the listing's, likewise.
sql "SELECT recipient || '  ' || kind || '  ' || subject FROM outbox WHERE state = 'sent' ORDER BY 1" |
	sed 's/ \[#[a-z0-9]*\]//' >"$T/went"
sed -n '/^Mail that would go now/,/^Mail queued for later/p' "$T/dry.txt" | grep '^  to ' |
	sed 's/^  to //; s/  (queued before)$//; s/ \[#[a-z0-9]*\]//' | LC_ALL=C sort >"$T/listed"
LC_ALL=C sort -o "$T/went" "$T/went"
expect_eq "the mail that went is the mail listed" "$(diff "$T/listed" "$T/went" && echo same)" same
expect_eq "and there was some" "$(test -s "$T/went" && wc -l <"$T/went")" "$(wc -l <"$T/listed")"
expect_eq "files in the outgoing Maildir now" "$(find "$T/sent/new" -type f | wc -l)" "$(wc -l <"$T/went")"
sql "SELECT id || ' ' || state FROM inbox ORDER BY id" >"$T/states"
sed -n 's/^  inbox \([0-9]*\),.*/\1/p' "$T/dry.txt" >"$T/ids"
paste -d' ' "$T/ids" "$(sed -n 's/^    -> \([a-z]*\).*/\1/p' "$T/dry.txt" >"$T/st"; echo "$T/st")" >"$T/listed-states"
expect_eq "each reply became what the listing said" "$(cat "$T/listed-states")" "$(cat "$T/states")"
expect_eq "the real pass moved the mail it read" "$(ls "$T/inmail/new" | wc -l)" 0
finish
