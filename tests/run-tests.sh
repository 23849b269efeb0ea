#!/bin/sh
# Run the test suites and print one closing line "check: N passed, M failed".
#
# usage: BUILD=build sh tests/run-tests.sh [SUITE[@BUILDDIR]]...
#   SUITE is unit, cli, corpus, integration, fuzz or all; @BUILDDIR runs that suite against
#   another build tree (build-san for ASan+UBSan, build-fuzz for the libFuzzer targets).
#
# Counting: cmocka binaries report per test ("[       OK ]" / "[  FAILED  ]"); shell and
# Python tests print TAP lines ("ok - what" / "not ok - what"). A test program that exits
# non-zero without reporting a failure counts as one failure, so a crash is never a pass.
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
failures=

suites=${*:-all}
[ "$suites" = all ] && suites="unit cli corpus integration fuzz"

# run NAME CMD...: run one test program, tally its report.
run() {
	name=$1; shift
	out="$log/$(echo "$name" | tr '/ ' '__').log"
	"$@" >"$out" 2>&1
	rc=$?
	p=$(grep -cE '^\[       OK \]|^ok( |$)' "$out")
	f=$(grep -cE '^\[  FAILED  \] [a-z_]|^not ok( |$)' "$out")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" != 0 ]; then
		failures="$failures $name"
		printf 'FAIL %s (exit %s, %s passed, %s failed)\n' "$name" "$rc" "$p" "$f"
		sed -n '1,200p' "$out" | grep -vE '^\[       OK \]|^\[ RUN      \]|^ok( |$)' | tail -n 60 | sed 's/^/    /'
	else
		printf 'ok   %s (%s)\n' "$name" "$p"
	fi
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
				    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 "$t"
			else
				run "unit/${t##*/}" "$t"
			fi
		done ;;
	cli|corpus|integration|fuzz|bench)
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
echo "check: $passed passed, $failed failed"
[ "$failed" = 0 ]
