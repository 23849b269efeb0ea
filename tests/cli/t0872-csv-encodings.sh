# A member list in whatever encoding a spreadsheet saved it: UTF-16 (LE and BE, with a
# byte-order mark or without) and Windows-1252/Latin-1 are converted to UTF-8 and the import
# says so; bytes valid in none of them and a NUL byte are refused with their line (a NUL would
# cut a name short). No member is ever missing from `member list --json`, not even one whose
# name an older import stored as invalid UTF-8.
. "$(dirname "$0")/../lib.sh"
printf '[feedbackd]\ndatabase = %s\n' "$T/fb.db" >"$T/f.conf"
ctl() { "$FBCTL" -c "$T/f.conf" --now 2027-01-01T12:00 "$@"; }
expect_ok "a programme" ctl program create Pilot --start 2027-01-04
for t in A B C D E F G; do ctl team add Pilot $t >/dev/null; done

printf 'naam;email\nJosé Müller;jose@example.nl\nAnouk Ñ;anouk@example.nl\n' >"$T/utf8.csv"
{ printf '\377\376'; iconv -f UTF-8 -t UTF-16LE "$T/utf8.csv"; } >"$T/u16le-bom.csv"
iconv -f UTF-8 -t UTF-16LE "$T/utf8.csv" >"$T/u16le.csv"
iconv -f UTF-8 -t WINDOWS-1252 "$T/utf8.csv" | sed 's/jose@/jose1@/; s/anouk@/anouk1@/' >"$T/cp1252.csv"

expect_ok "UTF-16 LE with a byte-order mark is imported" ctl member import A "$T/u16le-bom.csv"
expect_grep "saying what it was read as" "read as UTF-16LE and converted to UTF-8" "$T/out"
expect_grep "with both members" "imported 2 members" "$T/out"
{ printf '\376\377'; iconv -f UTF-8 -t UTF-16BE "$T/utf8.csv"; } >"$T/u16be-bom.csv"
expect_fail "the same members again clash (they were read right)" ctl member import B "$T/u16be-bom.csv"
expect_grep "by their addresses" "jose@example.nl" "$T/err"
sed 's/@example.nl/@be.example.nl/' "$T/utf8.csv" | { printf '\376\377'; iconv -f UTF-8 -t UTF-16BE; } >"$T/u16be-bom.csv"
expect_ok "UTF-16 BE with a byte-order mark is imported" ctl member import B "$T/u16be-bom.csv"
expect_grep "saying so" "read as UTF-16BE" "$T/out"
sed 's/@example.nl/@le.example.nl/' "$T/utf8.csv" | iconv -f UTF-8 -t UTF-16LE >"$T/u16le.csv"
expect_ok "UTF-16 LE without a byte-order mark is imported" ctl member import C "$T/u16le.csv"
expect_ok "Windows-1252 (Latin-1) is imported" ctl member import D "$T/cp1252.csv"
expect_grep "saying so" "read as Windows-1252 and converted to UTF-8" "$T/out"
expect_ok "the list shows them" ctl --json member list
expect_eq "every name in valid UTF-8, accents and all" \
    "$(python3 -c 'import json,sys; print(sorted({m["name"] for m in json.load(open(sys.argv[1]))}))' "$T/out")" \
    "['Anouk Ñ', 'José Müller']"
expect_eq "all eight members listed" \
    "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/out")" 8

printf 'naam;email\nPiet;piet@example.nl\nJan\000tje de Vries;jan@example.nl\n' >"$T/nul.csv"
expect_fail "a NUL byte is refused" ctl member import E "$T/nul.csv"
expect_grep "with its line" "nul.csv:3: a NUL byte" "$T/err"
expect_grep "and nothing imported" "nothing was imported" "$T/err"
printf 'naam;email\nPiet;piet@example.nl\nJos\201;jos@example.nl\n' >"$T/bad.csv"
expect_fail "bytes valid in no known encoding are refused" ctl member import E "$T/bad.csv"
expect_grep "with the line and what to do" "bad.csv:3: bytes that are neither UTF-8 nor Windows-1252.*CSV UTF-8" "$T/err"

# A member stored by an older import with Latin-1 bytes (invalid UTF-8) is still listed.
ctl member add F "Old Import" old@example.nl >/dev/null
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("update member set name=cast(x'"'"'4dfc6c6c6572'"'"' as text) where id=(select member_id from member_address where address=?)", ("old@example.nl",)); c.commit()' "$T/fb.db"
expect_ok "member list --json with a stored invalid name" ctl --json member list F
expect_eq "does not drop that member" \
    "$(python3 -c 'import json,sys; print([m["name"] for m in json.load(open(sys.argv[1]))])' "$T/out")" \
    "['M�ller']"
expect_ok "program show --json lists it too" ctl --json program show Pilot
expect_grep "by its email" "old@example.nl" "$T/out"
finish
