# tests/lib.sh — shared helpers for shell tests (after git's t/test-lib.sh).
#
# A test file sources this, calls `expect_ok`, `expect_fail`, `expect_eq`, `expect_grep` (each
# prints a TAP line "ok - what" or "not ok - what"), and ends with `finish`.
# A test that may not run everywhere prints `ok - what # SKIP allowed: why` (see run-tests.sh);
# a bare `# SKIP` fails the run.
# Every test gets a fresh scratch directory $T (removed at the end unless KEEP=1) and the
# binaries $FBCTL and $FBD from $BUILD.
set -u
FB_TOP=${FB_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD="$FB_TOP/$BUILD" ;; esac
FBCTL="$BUILD/feedbackctl"
FBD="$BUILD/feedbackd"
T=$(mktemp -d "${TMPDIR:-/tmp}/fbt.XXXXXX")
_failed=0
_cleanup_cmds=
at_exit() { _cleanup_cmds="$1; $_cleanup_cmds"; }
_on_exit() {
	eval "$_cleanup_cmds"
	[ "${KEEP:-0}" = 1 ] || rm -rf "$T"
}
trap _on_exit EXIT

ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; _failed=$((_failed + 1)); }

# expect_ok WHAT CMD...: CMD exits 0. Its output is in $T/out and $T/err.
expect_ok() {
	what=$1; shift
	if "$@" >"$T/out" 2>"$T/err"; then ok "$what"; else
		notok "$what (exit $?)"; sed 's/^/#   /' "$T/out" "$T/err"; fi
}
# expect_fail WHAT CMD...: CMD exits non-zero (and does not crash with a signal).
expect_fail() {
	what=$1; shift
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc -ne 0 ] && [ $rc -lt 128 ]; then ok "$what"; else
		notok "$what (exit $rc)"; sed 's/^/#   /' "$T/out" "$T/err"; fi
}
# expect_eq WHAT ACTUAL EXPECTED
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		notok "$1"; echo "#   expected: $3"; echo "#   actual:   $2"; fi
}
# expect_grep WHAT PATTERN FILE: an extended regex occurs in FILE.
expect_grep() {
	if grep -qE -- "$2" "$3"; then ok "$1"; else
		notok "$1 (no /$2/ in ${3##*/})"; sed 's/^/#   /' "$3" | head -20; fi
}
# expect_nogrep WHAT PATTERN FILE: FILE exists and is readable, and the regex does not occur.
# A missing or unreadable file fails (grep exits 2): "nothing found" must mean it was looked at.
expect_nogrep() {
	if [ ! -f "$3" ] || [ ! -r "$3" ]; then
		notok "$1 (${3##*/} is missing: nothing to look in)"; return
	fi
	grep -qE -- "$2" "$3"
	case $? in
	1) ok "$1" ;;
	0) notok "$1 (/$2/ found in ${3##*/})"; grep -nE -- "$2" "$3" | head -5 | sed 's/^/#   /' ;;
	*) notok "$1 (grep failed on ${3##*/}: a bad pattern or an unreadable file)" ;;
	esac
}
finish() { [ $_failed -eq 0 ]; exit $?; }
