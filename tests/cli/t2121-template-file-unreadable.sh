# A template file in templates_dir that the shell cannot read (here: larger than the 1 MiB
# limit) is named with its reason, and so is every other problem, not reported as "out of
# memory"; the same directory with a readable file overriding the built-in one passes.
. "$(dirname "$0")/../lib.sh"
mkdir -p "$T/tpl/nl" "$T/ib/new" "$T/ib/cur" "$T/ib/tmp" "$T/ob/new" "$T/ob/cur" "$T/ob/tmp"
printf '[feedbackd]\ndatabase = %s\ntemplates_dir = %s\n[outgoing]\ntransport = maildir\nmaildir = %s\n[incoming]\nmaildir = %s\n' \
    "$T/fb.db" "$T/tpl" "$T/ob" "$T/ib" >"$T/c.conf"
head -c 1100000 /dev/zero | tr '\0' 'x' >"$T/tpl/nl/nudge.txt"
expect_fail "--check-config refuses a template file it cannot read" "$FBD" -c "$T/c.conf" --check-config
expect_grep "naming the file and why" "nl/nudge.txt: .*/tpl/nl/nudge.txt: File too large" "$T/err"
expect_nogrep "not as out of memory" "out of memory" "$T/err"
printf 'Subject: Week {{week}}\n\nHallo {{name}}\n' >"$T/tpl/nl/nudge.txt"
expect_ok "a readable override passes" "$FBD" -c "$T/c.conf" --check-config
finish
