# `feedbackctl --help` lists every command there is, and only those: its list is compared
# with the dispatch in the sources (the command table of feedbackctl.c, and each command
# group's `strcmp(argv[1], "sub")` in src/cli/ctl_*.c), so the two cannot drift apart.
. "$(dirname "$0")/../lib.sh"
"$FBCTL" --help >"$T/help"
# "  session schedule|move|...   text": the command, and its subcommands when the second word
# is one (lower case, | between them); "plan PROGRAM" has none.
awk '/^  [a-z]/ { n = split($2, s, "|")
	if ($2 ~ /^[a-z][a-z|-]*$/) { for (i = 1; i <= n; i++) print $1, s[i] } else print $1 }' \
    "$T/help" | sort -u >"$T/listed"
expect_eq "the help lists commands" "$(test -s "$T/listed" && echo yes)" yes

# The dispatch: { "name", ctl_fn } in feedbackctl.c; inspect is dispatched before the table.
src="$FB_TOP/src/cli"
sed -n 's/^[[:space:]]*{ "\([a-z]*\)", \(ctl_[a-z_]*\) },$/\2 \1/p' "$src/feedbackctl.c" >"$T/groups"
expect_eq "the command table was read" "$(test -s "$T/groups" && echo yes)" yes
grep -q 'strcmp(argv\[[a-z0-9]*\], "inspect") == 0' "$src/feedbackctl.c" && echo "ctl_inspect inspect" >>"$T/groups"
# Each group function's subcommands: the strcmp(argv[1], "word") inside its body.
awk 'FNR == NR { group[$1] = $2; next }
	/^ctl_[a-z_]*\(/ { fn = $0; sub(/\(.*/, "", fn); inside = (fn in group); subs = 0; next }
	inside && /^}/ { if (!subs) print group[fn]; inside = 0; next }
	inside { line = $0
		while (match(line, /strcmp\(argv\[1\], "[a-z][a-z-]*"\)/)) {
			w = substr(line, RSTART, RLENGTH); sub(/^[^"]*"/, "", w); sub(/".*/, "", w)
			print group[fn], w; subs = 1; line = substr(line, RSTART + RLENGTH) } }' \
    "$T/groups" "$src"/ctl_*.c "$src/feedbackctl.c" | sort -u >"$T/dispatched"
expect_eq "every group of the table has its function in src/cli" \
    "$(cut -d' ' -f1 "$T/dispatched" | sort -u)" "$(cut -d' ' -f2 "$T/groups" | sort -u)"
expect_eq "--help lists exactly the commands dispatched" "$(cat "$T/listed")" "$(cat "$T/dispatched")"
if ! cmp -s "$T/listed" "$T/dispatched"; then
	diff "$T/listed" "$T/dispatched" | sed 's/^</#   only in --help:/; s/^>/#   only dispatched:/' | grep '^#'
fi
# And each command named answers its own --help (an unknown one is a usage error, exit 2).
for g in $(cut -d' ' -f1 "$T/listed" | sort -u); do
	expect_ok "feedbackctl $g --help" "$FBCTL" "$g" --help
done
finish
