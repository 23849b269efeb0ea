# Nothing silently reset: a database file that is empty (0 bytes) or foreign (not SQLite, or
# another program's SQLite file) is refused with a clear error by the daemon and by
# feedbackctl, and left as it was, the mailbox unread; a new database is made only where there
# was no file; a feedbackd database that lost its application_id (tables and schema version
# intact) is recognised and marked again.
. "$(dirname "$0")/../lib.sh"
mkdir -p "$T/in/new" "$T/in/cur" "$T/in/tmp"
printf '[feedbackd]\ndatabase = %s\n[outgoing]\nmaildir = %s\n[incoming]\nmaildir = %s\n' \
    "$T/fb.db" "$T/sent" "$T/in" >"$T/c.conf"
printf 'From: a@example.org\nTo: fb@example.org\nSubject: hi\nMessage-ID: <m1@example.org>\n\nhello\n' \
    >"$T/in/new/1.eml"

: >"$T/fb.db"
expect_fail "the daemon refuses an empty database file" "$FBD" -c "$T/c.conf" --once
expect_grep "saying it is empty and what to do" "fb.db: the file is empty \\(0 bytes\\), not a feedbackd database.*restore it from a backup" "$T/err"
expect_eq "the file is left empty" "$(wc -c <"$T/fb.db" | tr -d ' ')" 0
expect_eq "the mail waiting in the mailbox is not consumed" "$(ls "$T/in/new")" 1.eml
expect_fail "feedbackctl refuses it too" "$FBCTL" -c "$T/c.conf" member list
expect_grep "with the same words" "the file is empty \\(0 bytes\\)" "$T/err"

printf 'just some text, not a database at all\n' >"$T/fb.db"
expect_fail "a file that is not SQLite is refused" "$FBD" -c "$T/c.conf" --once
expect_grep "saying so" "not a feedbackd database \\(not an SQLite database at all\\)" "$T/err"

rm "$T/fb.db"
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("create table notes(x)"); c.commit()' "$T/fb.db"
expect_fail "another program's SQLite database is refused" "$FBCTL" -c "$T/c.conf" member list
expect_grep "saying so" "not a feedbackd database \\(it has tables but no feedbackd schema version\\)" "$T/err"
rm "$T/fb.db"
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("pragma application_id=1234"); c.execute("pragma user_version=3"); c.execute("create table program(x)"); c.commit()' "$T/fb.db"
expect_fail "one with another application_id is refused" "$FBCTL" -c "$T/c.conf" member list
expect_grep "naming the id" "application_id 0x4d2 belongs to another program" "$T/err"
expect_eq "and left alone" "$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("pragma user_version").fetchone()[0])' "$T/fb.db")" 3

rm "$T/fb.db"
expect_ok "where there is no file, a new database is made" "$FBD" -c "$T/c.conf" --once
expect_eq "and the mailbox read into it" "$(ls "$T/in/new")" ""
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("pragma application_id=0"); c.commit()' "$T/fb.db"
expect_ok "a feedbackd database without its application_id is still ours" "$FBCTL" -c "$T/c.conf" inbox list
expect_grep "with its mail" "m1@example.org|hi" "$T/out"
expect_eq "and marked again" "$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("pragma application_id").fetchone()[0])' "$T/fb.db")" 1717726001
finish
