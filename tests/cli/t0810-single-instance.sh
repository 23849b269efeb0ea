# One feedbackd per database: a second one refuses to start and says which PID holds the lock
# (<database>.lock, or [feedbackd] lock_file); the lock dies with its holder, even on kill -9.
. "$(dirname "$0")/../lib.sh"
conf() { # conf FILE [EXTRA]
	printf '[feedbackd]\ndatabase = %s\n%s\n[outgoing]\nmaildir = %s\n[incoming]\nmaildir = %s\npoll_interval = 60s\n' \
	    "$T/fb.db" "${2:-}" "$T/sent" "$T/in" >"$1"
}
# start CONF LOG: a daemon in the background; waits until it logged "started". Sets $pid.
start() {
	"$FBD" -c "$1" >"$2" 2>&1 &
	pid=$!
	at_exit "kill -9 $pid 2>/dev/null"
	for _ in $(seq 100); do grep -q "started" "$2" && return 0; sleep 0.05; done
	return 1
}
mkdir -p "$T/in/new" "$T/in/cur" "$T/in/tmp"
conf "$T/a.conf"
expect_ok "the first daemon starts" start "$T/a.conf" "$T/a.log"
first=$pid
expect_fail "a second daemon on the same database refuses to start" "$FBD" -c "$T/a.conf"
expect_grep "it names the holder and the lock file" "another feedbackd \\(pid $first\\) is already running on this database: $T/fb.db.lock is locked" "$T/err"
expect_fail "so does a --once pass" "$FBD" -c "$T/a.conf" --once
expect_eq "the first one still runs" "$(kill -0 $first 2>/dev/null && echo yes)" yes
expect_ok "feedbackctl still works beside it" "$FBCTL" -c "$T/a.conf" outbox list

kill -9 $first; wait $first 2>/dev/null
expect_ok "after kill -9 no stale lock keeps a new daemon out" start "$T/a.conf" "$T/b.log"
kill $pid; wait $pid 2>/dev/null

conf "$T/c.conf" "lock_file = $T/run/fb.lock"
expect_fail "a lock file in a missing directory is an error" "$FBD" -c "$T/c.conf" --once
expect_grep "that says where and what to do" "lock file $T/run/fb.lock: No such file or directory \\(set \\[feedbackd\\] lock_file" "$T/err"
mkdir "$T/run"
expect_ok "a daemon with the configured lock_file starts" start "$T/c.conf" "$T/c.log"
expect_fail "a second one with the same lock_file refuses" "$FBD" -c "$T/c.conf" --once
expect_grep "naming that file" "$T/run/fb.lock is locked" "$T/err"
kill $pid; wait $pid 2>/dev/null
finish
