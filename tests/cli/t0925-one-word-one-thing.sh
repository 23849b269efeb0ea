# One word for one thing, calls one way (issue 21): no strcmp on a stored word (a token purpose,
# an inbox or outbox state, a member or session status: vocab.h's enums instead); apply_ctx.c
# calls none of apply's handlers and the handlers (apply_*.c) call neither apply.c nor each
# other; the CLI's inbox, outbox and status files call nothing of each other (ctl_common.c is
# what they share). Each check is first run on a planted defect, so it is known to bite.
. "$(dirname "$0")/../lib.sh"
S="$FB_TOP/src"

WORDS='ask|request|received|receipt|report|questionnaire|session|pending|applied|ignored|quarantined|failed|active|left|erased|queued|sending|sent|retry|held|confirmed|cancelled'
# A comparison of a purpose/state/status field, or of a stored word with anything but a
# command-line word (argv[...]); vocab.c holds the one name table each and may compare.
stored_words() {
	grep -nE 'str(n?case)?n?cmp\(' "$@" |
	    grep -E "str(n?case)?n?cmp\([^,]*(purpose|state|status)[a-z_]*[[:space:]]*,|str(n?case)?n?cmp\([^)]*\"($WORDS)\"" |
	    grep -vE 'cmp\(argv\[' || true
}
printf '\tif (strcmp(t->purpose, "ask") == 0)\n\tif (strcmp(c.in.state, "pending") != 0)\n\tif (strcmp(m->status, "active") != 0)\n\tif (strcmp(argv[1], "retry") == 0)\n' >"$T/planted.c"
expect_eq "the stored-word check finds planted comparisons (not a command word)" \
	"$(stored_words "$T/planted.c" | wc -l | tr -d ' ')" "3"
stored_words $(find "$S" -name '*.c' ! -name vocab.c | sort) >"$T/words"
expect_eq "no strcmp on a token purpose, a state or a status in src/" "$(cat "$T/words")" ""

# The functions FILE defines for others (the house style: the type on its own line, then
# "name(" at the start of a line; "static" on the line before keeps it in the file).
exported() {
	awk 'prev !~ /^static/ && /^[a-z_][a-z0-9_]*\(/ { sub(/\(.*/, ""); print } { prev = $0 }' "$@"
}
# Calls in FILE of a function that one of the files after it defines: "FILE calls NAME".
calls_up() {
	f=$1; shift
	for name in $(exported "$@" | sort -u); do
		grep -qE "(^|[^a-z0-9_])$name\(" "$f" && echo "${f##*/} calls $name"
	done
	return 0
}
printf 'int\nhigh(void)\n{\n\treturn low();\n}\n' >"$T/high.c"
printf 'int\nlow(void)\n{\n\treturn high();\n}\n' >"$T/low.c"
expect_eq "the call check finds a planted call up" "$(calls_up "$T/low.c" "$T/high.c")" "low.c calls high"

F="$S/flow"
handlers=$(ls "$F"/apply_*.c | grep -v apply_ctx.c)
{
	calls_up "$F/apply_ctx.c" "$F/apply.c" $handlers
	for h in $handlers; do
		calls_up "$h" "$F/apply.c" $(echo "$handlers" | grep -vx "$h")
	done
} >"$T/apply"
expect_eq "apply.c -> apply_*.c -> apply_ctx.c: nothing calls back up or across" "$(cat "$T/apply")" ""

C="$S/cli"
cmds=$(ls "$C"/ctl_inbox.c "$C"/ctl_mail.c "$C"/ctl_flow.c 2>/dev/null)
for f in $cmds; do
	calls_up "$f" $(echo "$cmds" | grep -vx "$f")
done >"$T/cli"
expect_eq "the inbox, outbox and status command files call nothing of each other" "$(cat "$T/cli")" ""
expect_eq "the inbox command group is one file" \
	"$(grep -lE '^ctl_(inbox|quarantine)\(' "$C"/*.c | sed 's,.*/,,' | sort -u | tr '\n' ' ')" "ctl_inbox.c "
finish
