#!/bin/sh
# The main job on the embedded default (SQLite + Maildir, no servers): set up a programme of
# two teams from the sample CSV files, show its timeline, and run the daemon's pass at each
# Monday of the programme with an explicit clock. Everything lands in one folder, named at
# the end. (The simulated replies join as the reply flow lands; see the README.)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
ctl="$top/$BUILD/feedbackctl"
fbd="$top/$BUILD/feedbackd"
out=${DEMO_OUT:-$top/demo-out}
rm -rf "$out"
mkdir -p "$out"
cat >"$out/feedbackd.conf" <<CONF
# The embedded default: state in one SQLite file, mail in Maildirs beside it.
[feedbackd]
database = feedbackd.db
domain = feedback.example.nl
from_address = feedback@feedback.example.nl
from_name = Feedbackprogramma

[outgoing]
transport = maildir
maildir = sent

[incoming]
mailbox = maildir
maildir = inbox
CONF
export FEEDBACKD_CONFIG="$out/feedbackd.conf"
now=2027-01-01T12:00
echo "== setting up programme Pilot (start Monday 2027-01-04) with two teams"
"$ctl" --now $now program create Pilot --start 2027-01-04 --weeks 10
"$ctl" --now $now team add Pilot Sales
"$ctl" --now $now team add Pilot Support
"$ctl" --now $now member import Sales "$top/tests/data/team-sales.csv"
"$ctl" --now $now member import Support "$top/tests/data/team-support.csv"
"$ctl" --now $now facilitator add Sales coach@example.nl --name "Karin Coach"
"$ctl" --now $now facilitator add Support begeleider@example.org --name "Ahmed Begeleider"
"$ctl" --now $now member absent "Piet Jansen" --from 2027-02-01 --until 2027-02-12
"$ctl" --now $now program show Pilot
echo
echo "== the timeline"
"$ctl" --now $now plan Pilot | tee "$out/plan.txt"
"$ctl" --now $now plan Pilot --json >"$out/plan.json"
echo
echo "== running the daemon's pass every Monday of the 10 weeks and at the follow-up"
for week in 0 1 2 3 4 5 6 7 8 9 10 35; do
	day=$(date -u -d "2027-01-04 + $((week * 7)) days" +%Y-%m-%d)
	"$fbd" --once --now "${day}T09:00" --log-level warning
done
echo
printf "demo: done; everything is in $out (feedbackd.db, plan.txt, plan.json, inbox/; sent/ fills once\n      the feedback flow queues mail)\n"
