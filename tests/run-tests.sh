#!/bin/sh
# Run the test suites and print one closing line "check: N passed, M failed, K skipped".
#
# usage: BUILD=build sh tests/run-tests.sh [SUITE[@BUILDDIR]]...
#   SUITE is unit, cli, corpus, integration, fuzz or all; @BUILDDIR runs that suite against
#   another build tree (build-san for ASan+UBSan, build-fuzz for the libFuzzer targets).
#
# Counting: cmocka binaries report per test ("[       OK ]" / "[  FAILED  ]"); shell and
# Python tests print TAP lines ("ok - what" / "not ok - what"). A test program that exits
# non-zero without reporting a failure counts as one failure, so a crash is never a pass.
#
# Skips: a skipped test proves nothing, so it is never counted as passed. A skip counts apart
# (K skipped) only when the test says why it may skip, as `ok - what # SKIP allowed: why`, and
# that is for a tool a developer's machine may genuinely lack; `make deps` installs everything
# the suite needs, so after it nothing has a reason to skip and `make check` runs with
# FB_NO_SKIP=1, which fails even an allowed skip. Any other skip fails: a bare TAP
# `ok - what # SKIP`, `# SKIP` without "allowed: " and a reason, and cmocka's skip()
# ("[  SKIPPED ]"), which carries no reason at all. Today no test in the suite skips.
# VALGRIND=1 runs the unit tests under valgrind --leak-check=full --error-exitcode=99.
set -u
BUILD=${BUILD:-build}
export BUILD
top=$(cd "$(dirname "$0")/.." && pwd)
export FB_TOP="$top"
cd "$top" || exit 2
log=$(mktemp -d "${TMPDIR:-/tmp}/fbtests.XXXXXX")
passed=0
failed=0
skipped=0
failures=

suites=${*:-all}
[ "$suites" = all ] && suites="unit cli corpus integration fuzz"

# exec_test NAME CMD...: run one test program; its output, exit status and wall time go to
# files named after it in $log, for tally().
exec_test() {
	_out="$log/$(echo "$1" | tr '/ ' '__').log"
	shift
	_t0=$(date +%s)
	"$@" >"$_out" 2>&1
	_rc=$?
	echo "$_rc $(($(date +%s) - _t0))" >"$_out.rc" && mv "$_out.rc" "$_out.done"
}

# run NAME CMD...: run one test program, tally its report.
run() {
	exec_test "$@"
	tally "$1"
}

# tally NAME: count a finished test's report and print its line.
tally() {
	name=$1
	out="$log/$(echo "$name" | tr '/ ' '__').log"
	# each line ends in the test's wall time, so the slow ones can be found in any CI log
	read -r rc secs <"$out.done"
	# TAP skips: "ok[ N][ - what] # SKIP ..." (the directive is case-insensitive in TAP)
	grep -E '^ok( |$)' "$out" | grep -iE '#[[:space:]]*skip' >"$out.skips"
	sk=$(grep -ciE '#[[:space:]]*skip[[:space:]]+allowed: *[^[:space:]]' "$out.skips")
	bad=$(($(wc -l <"$out.skips") - sk))
	bad=$((bad + $(grep -E '^\[  SKIPPED \] [a-z_]' "$out" | sort -u | wc -l)))
	if [ "${FB_NO_SKIP:-0}" = 1 ]; then bad=$((bad + sk)); sk=0; fi
	p=$(($(grep -cE '^\[       OK \]|^ok( |$)' "$out") - $(wc -l <"$out.skips")))
	# cmocka names a failed test twice (when it fails and in the closing list): count names once
	f=$(($(grep -E '^\[  FAILED  \] [a-z_]' "$out" | sort -u | wc -l) + $(grep -cE '^not ok( |$)' "$out") + bad))
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + sk))
	if [ "$f" != 0 ]; then
		failures="$failures $name"
		printf 'FAIL %s (exit %s, %s passed, %s failed, %s skipped) %ss\n' "$name" "$rc" "$p" "$f" \
		    "$sk" "$secs"
		[ "$bad" = 0 ] || printf '    %s skip(s) without an accepted reason ("# SKIP allowed: why"%s)\n' \
		    "$bad" "$([ "${FB_NO_SKIP:-0}" = 1 ] && echo '; FB_NO_SKIP=1: none allowed')"
		sed -n '1,200p' "$out" | grep -vE '^\[       OK \]|^\[ RUN      \]|^ok( |$)' | tail -n 60 | sed 's/^/    /'
		sed 's/^/    /' "$out.skips" | head -5
	elif [ "$sk" != 0 ]; then
		printf 'ok   %s (%s, %s skipped) %ss\n' "$name" "$p" "$sk" "$secs"
		sed 's/^/    /' "$out.skips"
	else
		printf 'ok   %s (%s) %ss\n' "$name" "$p" "$secs"
	fi
}

# Integration tests run FB_TEST_JOBS at a time (default 1): each starts its servers on free ports
# in a directory of its own. A test that measures time (a wake-up within a second, a budget)
# says so with a line "# run-tests: alone" and runs with nothing beside it. The lines are
# printed in the tests' order all the same.
jobs=${FB_TEST_JOBS:-1}
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
pending=        # started, not yet tallied, in order

# flush: tally the finished tests at the head of $pending (so the output keeps the order)
flush() {
	while [ -n "$pending" ]; do
		_h=${pending%% *}
		[ -f "$log/$(echo "$_h" | tr '/ ' '__').log.done" ] || return 0
		tally "$_h"
		pending=${pending#"$_h"}
		pending=${pending# }
	done
}

# running: how many of $pending have not finished
running() {
	_n=0
	for _p in $pending; do
		[ -f "$log/$(echo "$_p" | tr '/ ' '__').log.done" ] || _n=$((_n + 1))
	done
	echo $_n
}

# drain: wait for every started test and tally them
drain() {
	while [ -n "$pending" ]; do
		flush
		[ -n "$pending" ] && sleep 0.2
	done
}

# start NAME CMD...: run a test beside others (at most $jobs at a time), or alone if it says so
start() {
	if [ "$jobs" = 1 ]; then
		run "$@"
		return
	fi
	if grep -q '^# run-tests: alone' "$t"; then
		drain
		run "$@"
		return
	fi
	while [ "$(running)" -ge "$jobs" ]; do
		flush
		sleep 0.2
	done
	exec_test "$@" &
	pending="${pending:+$pending }$1"
	flush
}

default_build=$BUILD
for s in $suites; do
	case $s in
	*@*) BUILD=${s#*@}; s=${s%@*} ;;
	*) BUILD=$default_build ;;
	esac
	export BUILD
	case $s in
	unit)
		for t in "$BUILD"/tests/test_*; do
			[ -x "$t" ] || continue
			if [ "${VALGRIND:-0}" = 1 ]; then
				run "unit/${t##*/}" valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
				    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
				    --suppressions=tests/valgrind.supp "$t"
			else
				run "unit/${t##*/}" "$t"
			fi
		done ;;
	integration)
		for t in tests/$s/t[0-9]*; do
			[ -f "$t" ] || continue
			case $t in
			*.sh) start "$s/${t##*/}" sh "$t" ;;
			*.py) start "$s/${t##*/}" /usr/bin/python3 "$t" ;;
			esac
		done
		drain ;;
	cli|corpus|fuzz|bench)
		for t in tests/$s/t[0-9]*; do
			[ -f "$t" ] || continue
			case $t in
			*.sh) run "$s/${t##*/}" sh "$t" ;;
			*.py) run "$s/${t##*/}" /usr/bin/python3 "$t" ;;
			esac
		done ;;
	*) echo "run-tests: unknown suite $s" >&2; exit 2 ;;
	esac
done

rm -rf "$log"
[ -n "$failures" ] && echo "failed:$failures"
echo "check: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
