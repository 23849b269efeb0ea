# tips_dir: the weekly nudge's tips from a directory over the built-in ones, language by
# language. --check-config and the daemon refuse a malformed tips file with FILE:LINE and a
# directory that holds no tips file (a setting that would do nothing); an en/tips.txt of one's
# own reaches the English member's nudge while the Dutch member keeps a built-in tip.
. "$(dirname "$0")/../lib.sh"
mkdir -p "$T/tips" "$T/ib/new" "$T/ib/cur" "$T/ib/tmp" "$T/ob/new" "$T/ob/cur" "$T/ob/tmp"
printf '[feedbackd]\ndatabase = %s\ntips_dir = %s\n[outgoing]\ntransport = maildir\nmaildir = %s\n[incoming]\nmaildir = %s\n' \
    "$T/fb.db" "$T/tips" "$T/ob" "$T/ib" >"$T/c.conf"
ctl() { "$FBCTL" -c "$T/c.conf" --now 2027-01-01T12:00 "$@"; }

expect_fail "--check-config refuses a tips_dir without nl/tips.txt or en/tips.txt" \
    "$FBD" -c "$T/c.conf" --check-config
expect_grep "saying what is missing" "tips_dir .*/tips holds neither nl/tips.txt nor en/tips.txt" "$T/err"

mkdir -p "$T/tips/en"
cat >"$T/tips/en/tips.txt" <<'TIPS'
# our own tips
id: own-1
pattern: never_asks
level: task
Ask the night shift about your handover. They read it at three in the morning.

id: own-2
pattern: sometimes
level: task
Not a pattern.
TIPS
expect_fail "--check-config refuses a malformed tips file" "$FBD" -c "$T/c.conf" --check-config
expect_grep "with file and line" "tips: .*/tips/en/tips.txt:8: unknown pattern \"sometimes\" \(accepted: never_asks," "$T/err"
expect_fail "so does the daemon" "$FBD" -c "$T/c.conf" --once --now 2027-01-04T09:00
expect_grep "naming the same file and line" "tips/en/tips.txt:8: unknown pattern" "$T/err"

sed -i 's/^pattern: sometimes$/pattern: all_well/' "$T/tips/en/tips.txt"
expect_ok "a well-formed en/tips.txt passes --check-config" "$FBD" -c "$T/c.conf" --check-config
expect_grep "and tips_dir is shown in the configuration" "^tips_dir = .*/tips$" "$T/out"

expect_ok "setup" sh -c "
	\"$FBCTL\" -c \"$T/c.conf\" --now 2027-01-01T12:00 program create P --start 2027-01-04 &&
	\"$FBCTL\" -c \"$T/c.conf\" --now 2027-01-01T12:00 team add P T &&
	\"$FBCTL\" -c \"$T/c.conf\" --now 2027-01-01T12:00 member add T 'Eva Mulder' eva@example.nl --language en &&
	\"$FBCTL\" -c \"$T/c.conf\" --now 2027-01-01T12:00 member add T 'Anna Bakker' anna@example.nl"
expect_ok "the week-1 pass" "$FBD" -c "$T/c.conf" --once --now 2027-01-04T09:00 --log-level warning
nudge() { grep -l "^X-Feedbackd-Kind: nudge" $(grep -l "^To: .*$1" "$T"/ob/new/* "$T"/ob/cur/* 2>/dev/null) 2>/dev/null | head -1; }
eva=$(nudge eva@example.nl)
anna=$(nudge anna@example.nl)
expect_eq "a nudge for each member" "$( [ -n "$eva" ] && [ -n "$anna" ] && echo yes)" yes
# the text part is quoted-printable or 8bit: look at it decoded
dec() { /usr/bin/python3 -c 'import email,sys; from email import policy; m=email.message_from_binary_file(open(sys.argv[1],"rb"),policy=policy.default); print(" ".join(m.get_body(("plain",)).get_content().split()))' "$1"; }
dec "$eva" >"$T/eva.txt"
dec "$anna" >"$T/anna.txt"
expect_grep "Eva's nudge carries the tip of tips_dir" "Tip of the week: Ask the night shift about your handover\. They read it at three in the morning\." "$T/eva.txt"
expect_grep "Anna's nudge carries a Dutch tip" "Tip van de week: [A-Z]" "$T/anna.txt"
expect_eq "member_tip records Eva's as own-1 and Anna's as a built-in never_asks tip (nobody asked yet)" \
    "$(/usr/bin/python3 -c 'import sqlite3,sys; print(" ".join("%s:%s:%s" % r for r in sqlite3.connect(sys.argv[1]).execute("select m.name, t.tip_id like \"na-%\", t.pattern from member_tip t join member m on m.id = t.member_id order by m.name")))' "$T/fb.db")" \
    "Anna Bakker:1:never_asks Eva Mulder:0:never_asks"
id=$(/usr/bin/python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select tip_id from member_tip t join member m on m.id = t.member_id where m.name = \"Eva Mulder\"").fetchone()[0])' "$T/fb.db")
expect_eq "Eva's is the tip of tips_dir" "$id" own-1
grep -A3 "^id: $(/usr/bin/python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select tip_id from member_tip t join member m on m.id = t.member_id where m.name = \"Anna Bakker\"").fetchone()[0])' "$T/fb.db")$" \
    "$FB_TOP/mail-templates/tips/nl/tips.txt" | tail -1 >"$T/first-line"
expect_grep "Anna's tip text is the built-in one recorded" "Tip van de week: $(cut -c1-40 "$T/first-line")" "$T/anna.txt"
finish
