# The manual pages render without a single groff warning, and they keep up with the programs:
# every option of `feedbackd --help` and every command of `feedbackctl --help` is described.
. "$(dirname "$0")/../lib.sh"
# groff (groff-base) and man (man-db) come from `make deps`; without them every check below fails.
expect_ok "groff is installed (make deps)" command -v groff
expect_ok "man is installed (make deps)" command -v man
for p in feedbackd.8 feedbackctl.1 feedbackd.conf.5; do
	f="$FB_TOP/man/$p"
	groff -ww -man -z "$f" >"$T/groff.out" 2>&1
	expect_eq "$p: groff -ww -man -z has no warnings" "$(cat "$T/groff.out")" ""
	if command -v man >/dev/null 2>&1; then	# checked above
		MANWIDTH=80 man -l -Tutf8 "$f" >"$T/man.out" 2>"$T/man.err"
		expect_eq "$p: man -l renders it without complaints" "$(cat "$T/man.err")" ""
		groff -man -Tutf8 -P-cbou "$f" >"$T/plain.out" 2>/dev/null
		expect_grep "$p: and the text is there" "^SEE ALSO" "$T/plain.out"
	fi
done

"$FBD" --help >"$T/help"
grep -oE -- '--[a-z][a-z-]*' "$T/help" | sort -u >"$T/opts"
expect_eq "feedbackd --help lists options" "$(test -s "$T/opts" && echo yes)" yes
while read -r o; do
	expect_grep "feedbackd(8) describes $o" "^\\.It Fl (.* )?$(echo "${o#--}" | sed 's/-/\\\\-/g; s/^/\\\\-/')( |$)" "$FB_TOP/man/feedbackd.8"
done <"$T/opts"
for s in SIGTERM SIGHUP; do
	expect_grep "feedbackd(8) describes $s" "Dv .*$s" "$FB_TOP/man/feedbackd.8"
done
for sec in FILES "EXIT STATUS" EXAMPLES SIGNALS; do
	expect_grep "feedbackd(8) has $sec" "^\\.Sh $sec" "$FB_TOP/man/feedbackd.8"
	[ "$sec" = SIGNALS ] || expect_grep "feedbackctl(1) has $sec" "^\\.Sh ($sec|PRIVACY)" "$FB_TOP/man/feedbackctl.1"
done

"$FBCTL" --help >"$T/ctlhelp"
# "  member add|import|list|absent   the people in a team" -> "member add", "member import", ...
sed -n 's/^  \([a-z][a-z]*\) \([a-z|]*\) .*/\1 \2/p; s/^  \([a-z][a-z]*\) [A-Z[].*/\1/p' "$T/ctlhelp" |
while read -r g subs; do
	echo "$g"
	[ -n "${subs:-}" ] && echo "$subs" | tr '|' '\n' | sed "s/^/$g /"
done | sort -u >"$T/cmds"
expect_eq "feedbackctl --help lists commands" "$(grep -c . "$T/cmds" | awk '{ print ($1 > 10) ? "yes" : "no" }')" yes
while read -r g s; do
	if [ -z "${s:-}" ]; then
		expect_grep "feedbackctl(1) describes $g" "^\\.It Cm $g( |$)" "$FB_TOP/man/feedbackctl.1"
	else
		expect_grep "feedbackctl(1) describes $g $s" "Cm $g ([a-z]+ \\| )?$s( |$)" "$FB_TOP/man/feedbackctl.1"
	fi
done <"$T/cmds"
finish
