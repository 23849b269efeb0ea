# One feedbackd per database whatever path or lock_file names it: a second daemon reached
# through a symlink, or configured with a lock_file of its own, refuses to start and names the
# first one's PID; feedbackctl still shares the database; the lock dies with its holder.
. "$(dirname "$0")/../lib.sh"
conf() { # conf FILE DATABASE [EXTRA]
	printf '[feedbackd]\ndatabase = %s\n%s\n[outgoing]\nmaildir = %s\n[incoming]\nmaildir = %s\npoll_interval = 60s\n' \
	    "$2" "${3:-}" "$T/sent" "$T/in" >"$1"
}
start() { # start CONF LOG: a daemon in the background, up when it logged "started". Sets $pid.
	"$FBD" -c "$1" >"$2" 2>&1 &
	pid=$!
	at_exit "kill -9 $pid 2>/dev/null"
	for _ in $(seq 100); do grep -q "started" "$2" && return 0; sleep 0.05; done
	return 1
}
mkdir -p "$T/in/new" "$T/in/cur" "$T/in/tmp" "$T/other" "$T/locks"
ln -s "$T/fb.db" "$T/other/link.db"
conf "$T/a.conf" "$T/fb.db"
conf "$T/b.conf" "$T/other/link.db"
conf "$T/c.conf" "$T/fb.db" "lock_file = $T/locks/c.lock"
ln "$T/a.conf" "$T/a2.conf" 2>/dev/null || cp "$T/a.conf" "$T/a2.conf"

expect_ok "the first daemon starts (and creates the database)" start "$T/a.conf" "$T/a.log"
first=$pid
expect_fail "a second daemon through a symlinked path refuses to start" "$FBD" -c "$T/b.conf" --once
expect_grep "it names the first one's pid and the database's identity" \
    "another feedbackd \\(pid $first\\) is already running on this database: $T/other/link.db \\(device [0-9]+:[0-9]+, inode [0-9]+\\) is locked" "$T/err"
expect_fail "a second daemon with a lock_file of its own refuses too" "$FBD" -c "$T/c.conf" --once
expect_grep "naming the first one's pid" "another feedbackd \\(pid $first\\)" "$T/err"
expect_eq "the first one still runs" "$(kill -0 $first 2>/dev/null && echo yes)" yes
expect_ok "feedbackctl still works beside it, through either path" "$FBCTL" -c "$T/b.conf" outbox list
expect_ok "and through the first path" "$FBCTL" -c "$T/a.conf" outbox list
kill -9 $first; wait $first 2>/dev/null

expect_ok "after kill -9 the symlinked daemon may start" start "$T/b.conf" "$T/b.log"
second=$pid
expect_fail "and now the first path is the one refused" "$FBD" -c "$T/c.conf" --once
expect_grep "naming the running one" "another feedbackd \\(pid $second\\)" "$T/err"
kill $second; wait $second 2>/dev/null
expect_grep "the one that ran stopped cleanly" "stopped on signal" "$T/b.log"

conf "$T/d.conf" "$T/fresh/new.db" "lock_file = $T/locks/d.lock"
mkdir "$T/fresh"
expect_ok "a daemon on a database that does not exist yet creates and locks it" "$FBD" -c "$T/d.conf" --once
expect_ok "the database it made is a real one" "$FBCTL" -c "$T/d.conf" outbox list
finish
