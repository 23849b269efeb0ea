#!/bin/sh
# Regenerate the README's pictures of the HTML reports (docs/weekly-report.png,
# docs/evaluation-report.png) from the demo programme (tests/sim/demo.py, the embedded default,
# an explicit clock), rendered by headless Chromium. Not a test and not a test dependency:
# it needs Debian's chromium (apt-get install -y chromium) and a build (make).
# usage: tests/tools/report-screenshots.sh [OUTDIR]   (default: docs/)
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$TOP/docs}
CHROMIUM=${CHROMIUM:-chromium}
command -v "$CHROMIUM" >/dev/null || { echo "needs $CHROMIUM (apt-get install -y chromium)" >&2; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/fbshots.XXXXXX")
trap 'rm -rf "$W"' EXIT
/usr/bin/python3 "$TOP/tests/sim/demo.py" --out "$W/demo" --no-followup --quiet >/dev/null
mkdir -p "$OUT"
shot() { # html png width height
	# --no-sandbox: root in a container has no user namespaces for Chromium's sandbox; the
	# pages are our own files and load nothing from outside.
	"$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--force-device-scale-factor=1 --window-size="$3,$4" \
		--screenshot="$2" "file://$1" >/dev/null 2>&1
	echo "wrote $2 ($(wc -c <"$2") bytes)"
}
shot "$W/demo/reports/weekly-Sales-week05.html" "$OUT/weekly-report.png" 980 1500
shot "$W/demo/reports/evaluation/report.html" "$OUT/evaluation-report.png" 980 2300
