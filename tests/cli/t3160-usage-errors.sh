# Every usage error says exactly what is missing or wrong in one line (naming the option, the
# operand or the value), then the command's own synopsis, and exits 2: a table of bad command
# lines, each with the words its first line must hold.
. "$(dirname "$0")/../lib.sh"
cat >"$T/f.conf" <<CONF
[feedbackd]
database = $T/fb.db
[outgoing]
maildir = $T/sent
[incoming]
maildir = $T/in
CONF
"$FBCTL" -c "$T/f.conf" --now 2027-01-03T12:00 program create Pilot --start 2027-01-04 >/dev/null
# COMMAND LINE ; what the first line says ; the synopsis shown
while IFS=';' read -r args says synopsis; do
	[ -n "$args" ] || continue
	eval "set -- $args"
	"$FBCTL" -c "$T/f.conf" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	expect_eq "$args: exit 2" "$rc" 2
	expect_eq "$args: the first line says \"$says\"" \
	    "$(head -1 "$T/err" | grep -cF -- "$says")" 1
	expect_eq "$args: then the synopsis \"$synopsis\"" \
	    "$(sed -n 2p "$T/err" | grep -cF -- "$synopsis")" 1
done <<'TABLE'
session schedule Pilot kickoff --at "2027-01-04 10:00";feedbackctl: session schedule: missing --duration LENGTH;usage: feedbackctl session schedule PROGRAM
session schedule Pilot kickoff --duration 90;session schedule: missing --at TIME;usage: feedbackctl session schedule
session schedule Pilot --at "2027-01-04 10:00" --duration 90;session schedule: missing kickoff|progress|evaluation;usage: feedbackctl session schedule
session schedule;session schedule: missing PROGRAM;usage: feedbackctl session schedule
session schedule Pilot dinner --at "2027-01-04 10:00" --duration 90;session kind "dinner": accepted values are kickoff, progress, evaluation;usage: feedbackctl session schedule
session schedule Pilot kickoff --at "2027-01-04 10:00" --duration 3x;--duration 3x: give minutes;usage: feedbackctl session schedule
session schedule Pilot kickoff --at "4 januari" --duration 90;--at "4 januari" is not a valid time;usage: feedbackctl session schedule
session schedule Pilot kickoff --at "2027-01-04 10:00" --duration;session schedule: --duration needs a value;usage: feedbackctl session schedule
session schedule Pilot kickoff --at "2027-01-04 10:00" --duration 90 --room 12;session schedule: unknown option "--room";usage: feedbackctl session schedule
session schedule Pilot kickoff extra --at "2027-01-04 10:00" --duration 90;unexpected argument "extra";usage: feedbackctl session schedule
session move 1;session move: missing what to change: --at, --duration, --location or --online-url;usage: feedbackctl session move ID
session move;session move: missing ID;usage: feedbackctl session move ID
session move first --at "2027-01-04 10:00";"first" is not a session id;usage: feedbackctl session move ID
session move 1 --team Sales;--team is given when a session is scheduled;usage: feedbackctl session move ID
session cancel 1 --at "2027-01-04 10:00";session cancel: takes no options;usage: feedbackctl session cancel ID
session sync;session sync: missing ID;usage: feedbackctl session sync ID
session show;session show: missing ID;usage: feedbackctl session show ID
session list Pilot Other;session list: unexpected argument "Other";usage: feedbackctl session list
session;feedbackctl: session: missing command;usage: feedbackctl session schedule
session reschedule 1;session: unknown command "reschedule";usage: feedbackctl session schedule
plan Pilot Other;plan: unexpected argument "Other";usage: feedbackctl plan
plan --verbose;plan: unknown option "--verbose";usage: feedbackctl plan
outbox list --state lost;outbox list: --state lost: accepted values are queued, sending, sent;usage: feedbackctl outbox list
outbox list --limit 0;outbox list: --limit 0: give a positive number;usage: feedbackctl outbox list
outbox list --limit;outbox list: --limit needs a value;usage: feedbackctl outbox list
outbox show;outbox show: missing ID;usage: feedbackctl outbox show ID
outbox show 3 --full;outbox show: unknown option "--full";usage: feedbackctl outbox show ID
outbox retry;outbox retry: missing ID|--all;usage: feedbackctl outbox retry
outbox retry all;"all" is not a message id (a number from the list) or --all;usage: feedbackctl outbox retry
outbox add m.eml;outbox add: missing --to ADDRESS;usage: feedbackctl outbox add
outbox add --to jan@example.nl;outbox add: missing FILE;usage: feedbackctl outbox add
outbox add --to jan m.eml;outbox add: --to jan:;usage: feedbackctl outbox add
outbox;feedbackctl: outbox: missing command;usage: feedbackctl outbox list
inbox list --state new;inbox list: --state new: accepted values are pending;usage: feedbackctl inbox list
inbox show x;inbox show: "x" is not a message id;usage: feedbackctl inbox show ID
inbox reapply;inbox reapply: missing ID;usage: feedbackctl inbox reapply ID
inbox reapply 3 4;inbox reapply: unexpected argument "4";usage: feedbackctl inbox reapply ID
inbox resend 3;inbox: unknown command "resend";usage: feedbackctl inbox list
quarantine apply;quarantine apply: missing ID;usage: feedbackctl quarantine apply ID
quarantine drop 1 --force;quarantine drop: unknown option "--force";usage: feedbackctl quarantine drop ID
quarantine list 3;quarantine list: unexpected argument "3";usage: feedbackctl quarantine list
quarantine;feedbackctl: quarantine: missing command;usage: feedbackctl quarantine list
status;status: missing TEAM;usage: feedbackctl status TEAM
status Sales --week 0;status: --week 0: accepted values are 1 to 200;usage: feedbackctl status TEAM
status Sales --wek 3;status: unknown option "--wek";usage: feedbackctl status TEAM
measurement status Pilot --team;measurement status: --team needs a value;usage: feedbackctl measurement status
measurement status Pilot Other;measurement status: unexpected argument "Other";usage: feedbackctl measurement status
measurement report;measurement: unknown command "report";usage: feedbackctl measurement status
calendar sync;calendar sync: missing PROGRAM;usage: feedbackctl calendar sync PROGRAM
calendar export Pilot --member;calendar export: --member needs a value;usage: feedbackctl calendar export PROGRAM
calendar import Pilot;calendar: unknown command "import";usage: feedbackctl calendar sync
report weekly;report weekly: missing PROGRAM|TEAM;usage: feedbackctl report weekly
report weekly Pilot --format pdf;report weekly: --format pdf: accepted values are text, html, csv;usage: feedbackctl report weekly
report weekly Pilot --week 99;report weekly: --week 99: accepted values are 1 to;usage: feedbackctl report weekly
report progress Pilot;report progress: missing --out DIR or --send;usage: feedbackctl report progress|evaluation
report evaluation Pilot --out;report evaluation: --out needs a value;usage: feedbackctl report progress|evaluation
report monthly Pilot;report: unknown command "monthly";usage: feedbackctl report weekly
member export;member export: missing MEMBER;usage: feedbackctl member export MEMBER
member export jan --yes;member export: --yes is for member erase;usage: feedbackctl member export MEMBER
member erase jan --program;member erase: --program needs a value;usage: feedbackctl member erase MEMBER
member add;member add: missing TEAM;usage: feedbackctl member add TEAM NAME EMAIL
member add Sales;member add: missing NAME;usage: feedbackctl member add TEAM NAME EMAIL
member add Sales "Jan";member add: missing EMAIL;usage: feedbackctl member add TEAM NAME EMAIL
member add Sales Jan jan@example.nl extra;member add: unexpected argument "extra";usage: feedbackctl member add
member add Sales Jan jan@example.nl --tz UTC;member add: unknown option "--tz";usage: feedbackctl member add
member add Sales Jan jan@example.nl --language;member add: --language needs a value;usage: feedbackctl member add
member import;member import: missing TEAM;usage: feedbackctl member import TEAM FILE.csv
member import Sales;member import: missing FILE.csv;usage: feedbackctl member import TEAM FILE.csv
member import Sales a.csv b.csv;member import: unexpected argument "b.csv";usage: feedbackctl member import
member import Sales a.csv --dry-run;member import: unknown option "--dry-run";usage: feedbackctl member import
member list --bogus;member list: unknown option "--bogus";usage: feedbackctl member list
member list Sales Support;member list: unexpected argument "Support";usage: feedbackctl member list
member absent jan;member absent: missing --from DATE;usage: feedbackctl member absent MEMBER
member absent jan --from 2027-01-11;member absent: missing --until DATE;usage: feedbackctl member absent MEMBER
member absent --from 2027-01-11 --until 2027-01-15;member absent: missing MEMBER;usage: feedbackctl member absent MEMBER
member absent jan --from;member absent: --from needs a value;usage: feedbackctl member absent MEMBER
member reachable;member reachable: missing MEMBER;usage: feedbackctl member reachable MEMBER
member reachable jan piet;member reachable: unexpected argument "piet";usage: feedbackctl member reachable MEMBER
member reachable jan --force;member reachable: unknown option "--force";usage: feedbackctl member reachable MEMBER
member;feedbackctl: member: missing command;usage: feedbackctl member add
member join Sales;member: unknown command "join";usage: feedbackctl member add
team add;team add: missing PROGRAM;usage: feedbackctl team add PROGRAM TEAM
team add Pilot;team add: missing TEAM;usage: feedbackctl team add PROGRAM TEAM
team add Pilot Sales Support;team add: unexpected argument "Support";usage: feedbackctl team add
team list Pilot Other;team list: unexpected argument "Other";usage: feedbackctl team list
team list --all;team list: unknown option "--all";usage: feedbackctl team list
team;feedbackctl: team: missing command;usage: feedbackctl team add
team rename Sales;team: unknown command "rename";usage: feedbackctl team add
program create;program create: missing NAME;usage: feedbackctl program create NAME --start DATE
program create X;program create: missing --start DATE;usage: feedbackctl program create NAME --start DATE
program create X Y --start 2027-01-04;program create: unexpected argument "Y";usage: feedbackctl program create
program create X --start;program create: --start needs a value;usage: feedbackctl program create
program create X --start 2027-01-04 --force=yes;program create: --force takes no value;usage: feedbackctl program create
program list Pilot;program list: unexpected argument "Pilot";usage: feedbackctl program list
program list --all;program list: unknown option "--all";usage: feedbackctl program list
program show;program show: missing NAME;usage: feedbackctl program show NAME
program show Pilot Other;program show: unexpected argument "Other";usage: feedbackctl program show NAME
program;feedbackctl: program: missing command;usage: feedbackctl program create
program delete Pilot;program: unknown command "delete";usage: feedbackctl program create
facilitator add;facilitator add: missing TEAM;usage: feedbackctl facilitator add TEAM EMAIL
facilitator add Sales;facilitator add: missing EMAIL;usage: feedbackctl facilitator add TEAM EMAIL
facilitator add Sales coach@example.nl extra;facilitator add: unexpected argument "extra";usage: feedbackctl facilitator add
facilitator add Sales coach@example.nl --name;facilitator add: --name needs a value;usage: feedbackctl facilitator add
facilitator add Sales coach@example.nl --role lead;facilitator add: unknown option "--role";usage: feedbackctl facilitator add
facilitator list Pilot Other;facilitator list: unexpected argument "Other";usage: feedbackctl facilitator list
facilitator;feedbackctl: facilitator: missing command;usage: feedbackctl facilitator add
facilitator invite Sales;facilitator: unknown command "invite";usage: feedbackctl facilitator add
inspect --max-size;inspect: --max-size needs a value;usage: feedbackctl inspect
inspect a.eml b.eml;inspect: unexpected argument "b.eml";usage: feedbackctl inspect
TABLE
finish
