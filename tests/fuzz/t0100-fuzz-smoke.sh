# Run every libFuzzer target of $BUILD/fuzz for FUZZ_SECONDS (default 10) each, starting from its
# seeds in tests/fuzz/seeds/<target>/ (and the shared corpus for the mail readers). A crash, a
# leak or a sanitizer report is a failure and leaves its reproducer in $T (KEEP=1 to keep it).
. "$(dirname "$0")/../lib.sh"
secs=${FUZZ_SECONDS:-10}
n=0
for f in "$BUILD"/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	name=${f##*/}
	n=$((n + 1))
	mkdir -p "$T/$name"
	seeds="$FB_TOP/tests/fuzz/seeds/$name"
	[ -d "$seeds" ] || seeds=
	if "$f" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
	    -artifact_prefix="$T/$name/" "$T/$name" $seeds >"$T/$name.log" 2>&1; then
		ok "$name ran ${secs}s without findings ($(grep -oE 'Done [0-9]+ runs' "$T/$name.log" | tail -1))"
	else
		notok "$name found a problem"
		tail -40 "$T/$name.log" | sed 's/^/#   /'
	fi
done
[ $n -gt 0 ] || notok "no fuzz targets in $BUILD/fuzz (make fuzz-build)"
finish
