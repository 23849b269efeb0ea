#!/bin/sh
# Run every tests/bench/bench_*.py (found by glob, so new benchmarks join by being there) and
# print ONE table of their figures from the machine-readable line each prints per figure:
#   BENCH|figure|value|unit|peer|peer value|ratio|target
#
# usage: sh tests/bench/run.sh [NAME...]     (from anywhere; NAME: imap, smtp, … to run some;
#        without NAME all but org, which runs only when named: make bench BENCH=org)
# Each benchmark's full output goes to $BENCH_LOG_DIR (default: a temporary directory, named at
# the end). Benchmarks never fail on a timing; this script exits non-zero only when one could
# not run (its exit code was not 0, or it printed no BENCH line).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
PY=${PYTHON:-/usr/bin/python3}
logdir=${BENCH_LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/fbbench.XXXXXX")}
mkdir -p "$logdir"
lines="$logdir/BENCH"
: >"$lines"
broken=

scripts=
if [ $# -gt 0 ]; then
	for n in "$@"; do scripts="$scripts tests/bench/bench_$n.py"; done
else
	# bench_org.py (100,000 members, an hour or more on 2 cores) only when named: BENCH=org
	scripts=$(ls tests/bench/bench_*.py 2>/dev/null | grep -v '/bench_org\.py$')
fi
for s in $scripts; do
	[ -f "$s" ] || { echo "bench: $s: no such benchmark" >&2; broken="$broken $s"; continue; }
	name=$(basename "$s" .py)
	printf '%s ... ' "$name"
	start=$(date +%s)
	"$PY" "$s" >"$logdir/$name.log" 2>&1
	rc=$?
	n=$(grep -c '^BENCH|' "$logdir/$name.log")
	printf '%ss, exit %s, %s figure(s)\n' "$(( $(date +%s) - start ))" "$rc" "$n"
	if [ "$rc" != 0 ] || [ "$n" = 0 ]; then
		broken="$broken $name"
		tail -n 5 "$logdir/$name.log" | sed 's/^/    /'
	fi
	grep '^BENCH|' "$logdir/$name.log" >>"$lines"
done

echo
"$PY" - "$lines" <<'EOF'
import sys
rows = [l.rstrip("\n").split("|")[1:] for l in open(sys.argv[1]) if l.startswith("BENCH|")]
rows = [r + [""] * (7 - len(r)) for r in rows]
head = ["figure", "value", "peer", "peer's value", "ratio", "target"]
table = [[r[0], "%s %s" % (r[1], r[2]), r[3], "%s %s" % (r[4], r[2]) if r[4] else "", r[5], r[6]]
         for r in rows]
w = [max([len(head[i])] + [len(t[i]) for t in table]) for i in range(len(head))]
fmt = "  ".join("%%-%ds" % x if i in (0, 2, 5) else "%%%ds" % x for i, x in enumerate(w))
print(fmt % tuple(head))
print("  ".join("-" * x for x in w))
for t in table:
    print(fmt % tuple(t))
EOF
echo
echo "logs: $logdir"
if [ -n "$broken" ]; then
	echo "could not run:$broken"
	exit 1
fi
exit 0
