# Run every libFuzzer target of $BUILD/fuzz for FUZZ_SECONDS (default 10) each, starting from its
# seeds in tests/fuzz/seeds/<target>/ (and the shared corpus for the mail readers). A crash, a
# leak or a sanitizer report is a failure and leaves its reproducer in $T (KEEP=1 to keep it).
# Each target is one process on one core, so FUZZ_JOBS (default: the number of cores) of them
# run side by side: every target still fuzzes for the full FUZZ_SECONDS, the smoke takes
# FUZZ_SECONDS per FUZZ_JOBS targets instead of per target. The results are reported in order.
. "$(dirname "$0")/../lib.sh"
secs=${FUZZ_SECONDS:-10}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
n=0

# fuzz NAME BINARY: one target's run; its exit status goes to $T/NAME.rc
fuzz() {
	mkdir -p "$T/$1"
	seeds="$FB_TOP/tests/fuzz/seeds/$1"
	[ -d "$seeds" ] || seeds=
	"$2" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
	    -artifact_prefix="$T/$1/" "$T/$1" $seeds >"$T/$1.log" 2>&1
	echo $? >"$T/$1.rc"
}

# report NAME: its TAP line, from the exit status fuzz() left (none: it did not finish)
report() {
	if [ "$(cat "$T/$1.rc" 2>/dev/null)" = 0 ]; then
		ok "$1 ran ${secs}s without findings ($(grep -oE 'Done [0-9]+ runs' "$T/$1.log" | tail -1))"
	else
		notok "$1 found a problem"
		tail -40 "$T/$1.log" | sed 's/^/#   /'
	fi
}

batch=
for f in "$BUILD"/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	name=${f##*/}
	n=$((n + 1))
	fuzz "$name" "$f" &
	batch="$batch $name"
	if [ $((n % jobs)) = 0 ]; then
		wait
		for b in $batch; do report "$b"; done
		batch=
	fi
done
wait
for b in $batch; do report "$b"; done
[ $n -gt 0 ] || notok "no fuzz targets in $BUILD/fuzz (make fuzz-build)"
finish
