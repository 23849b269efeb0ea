# `make install` puts both programs in PREFIX/bin, on every user's PATH, and the README's
# set-up example then works as written: by the programs' names, in a directory without any
# configuration file (the built-in defaults), the daemon included.
. "$(dirname "$0")/../lib.sh"
if [ -e /etc/feedbackd/feedbackd.conf ]; then
	echo "ok - the README's example on the built-in defaults # SKIP allowed: /etc/feedbackd/feedbackd.conf exists on this machine"
	finish
fi
unset FEEDBACKD_CONFIG
expect_ok "make install DESTDIR=… PREFIX=/usr/local" \
    make -s -C "$FB_TOP" -o all install BUILD="$BUILD" DESTDIR="$T/x" PREFIX=/usr/local
bin="$T/x/usr/local/bin"
expect_eq "feedbackd is in PREFIX/bin" "$(test -x "$bin/feedbackd" && echo yes)" yes
expect_eq "feedbackctl is in PREFIX/bin" "$(test -x "$bin/feedbackctl" && echo yes)" yes
expect_eq "nothing is left in sbin" "$(ls "$T/x/usr/local/sbin" 2>/dev/null | wc -l)" 0
expect_grep "the unit starts the installed daemon" "^ExecStart=/usr/local/bin/feedbackd " \
    "$T/x/lib/systemd/system/feedbackd.service"
PATH="$bin:/usr/bin:/bin"
export PATH
expect_eq "feedbackd is found on the PATH" "$(command -v feedbackd)" "$bin/feedbackd"
expect_eq "feedbackctl is found on the PATH" "$(command -v feedbackctl)" "$bin/feedbackctl"

# The README's "Setting up a programme" block, line by line, as a coordinator types it.
awk '/^## Setting up a programme/ { s = 1 } s && /^```sh/ { c = 1; next } c && /^```/ { exit }
    c { print }' "$FB_TOP/README.md" | sed 's/ *#.*$//' >"$T/readme.sh"
expect_eq "the README has the set-up block" "$(grep -c '^feedbackctl ' "$T/readme.sh")" \
    "$(grep -c '' "$T/readme.sh")"
mkdir "$T/work"
cp "$FB_TOP/tests/data/team-sales.csv" "$T/work/sales.csv"
cd "$T/work" || exit 1
n=0
while IFS= read -r line; do
	n=$((n + 1))
	expect_ok "README line $n: $line" sh -c "$line --now 2027-01-03T12:00"
done <"$T/readme.sh"
expect_grep "the last one, plan, prints the timeline" "nudge|reminder" "$T/out"
expect_ok "feedbackd --once runs there too, on the same database" \
    feedbackd --once --now 2027-01-04T09:05 --log-level info
expect_grep "reading ./feedbackd.db" "configuration the built-in defaults, database feedbackd.db" "$T/err"
expect_ok "and what it sent is in the outbox feedbackctl lists" feedbackctl outbox list --state sent
expect_grep "(Jeroen, added by the README, among them)" "jeroen@example.nl" "$T/out"
finish
