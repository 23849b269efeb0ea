# feedbackd and feedbackctl find their configuration by one rule (confpath.h): -c FILE, else
# $FEEDBACKD_CONFIG, else the system file when it exists, else the built-in defaults (the
# embedded setup in the working directory). Both run without any file, and agree: what
# feedbackctl sets up there is what the daemon sends from.
. "$(dirname "$0")/../lib.sh"
sysconf=$(sed -n 's/.*\(\/[^ ]*\/feedbackd\/feedbackd\.conf\) when it exists.*/\1/p' \
    "$FB_TOP/include/confpath.h" 2>/dev/null)
sysconf=${sysconf:-/etc/feedbackd/feedbackd.conf}
if [ -e /etc/feedbackd/feedbackd.conf ]; then
	echo "ok - runs without a configuration file # SKIP allowed: /etc/feedbackd/feedbackd.conf exists on this machine"
	finish
fi
unset FEEDBACKD_CONFIG
mkdir "$T/empty"
cd "$T/empty" || exit 1
ctl() { "$FBCTL" --now 2027-01-04T08:00 "$@"; }
expect_ok "feedbackctl runs with no configuration file" ctl program create Pilot --start 2027-01-04
expect_ok "team add" ctl team add Pilot Sales
expect_ok "member add" ctl member add Sales "Jan de Vries" jan@example.nl
expect_ok "feedbackd --once runs with no configuration file" \
    "$FBD" --once --now 2027-01-04T09:05 --log-level info
expect_grep "the daemon says it runs on the built-in defaults" \
    "configuration the built-in defaults, database feedbackd.db" "$T/err"
expect_eq "both use ./feedbackd.db" "$(ls "$T/empty")" "$(printf 'feedbackd.db\nfeedbackd.db.lock\ninbox-maildir\noutbox-maildir')"
expect_ok "the daemon's mail is what feedbackctl set up" sh -c 'grep -l "^To: .*jan@example.nl" outbox-maildir/new/* | head -1'
expect_ok "feedbackctl sees what the daemon sent" ctl outbox list --state sent --json
expect_grep "sent to Jan" '"to": "jan@example.nl"' "$T/out"
expect_ok "feedbackd --check-config on the defaults" "$FBD" --check-config
expect_grep "names where it came from" "^# the built-in defaults: configuration OK" "$T/out"

# $FEEDBACKD_CONFIG: both read it (and so both use its database).
cat >"$T/env.conf" <<CONF
[feedbackd]
database = $T/env.db
[outgoing]
maildir = $T/env-out
[incoming]
maildir = $T/env-in
CONF
expect_ok "feedbackctl reads \$FEEDBACKD_CONFIG" env FEEDBACKD_CONFIG="$T/env.conf" "$FBCTL" program create Other --start 2027-01-04
expect_eq "into its database" "$(test -f "$T/env.db" && echo yes)" yes
expect_ok "feedbackd reads it too" env FEEDBACKD_CONFIG="$T/env.conf" "$FBD" --once --now 2027-01-04T09:05 --log-level info
expect_grep "and says so" "configuration $T/env.conf, database $T/env.db" "$T/err"
expect_ok "-c wins over \$FEEDBACKD_CONFIG" env FEEDBACKD_CONFIG="$T/nothing.conf" "$FBCTL" -c "$T/env.conf" program list
expect_grep "(the programme of env.conf)" "Other" "$T/out"
# A file named is a file that must be there: no silent fall back to the defaults.
expect_fail "feedbackctl: \$FEEDBACKD_CONFIG naming no file" env FEEDBACKD_CONFIG="$T/nothing.conf" "$FBCTL" program list
expect_grep "names the file" "nothing.conf: cannot read" "$T/err"
expect_fail "feedbackd: the same" env FEEDBACKD_CONFIG="$T/nothing.conf" "$FBD" --once
expect_grep "names the file" "nothing.conf: cannot read" "$T/err"

# Both --help texts state the rule in the same words.
"$FBD" --help | grep -A2 -- "-c, --config" >"$T/d.help"
"$FBCTL" --help | grep -A2 -- "-c, --config" >"$T/c.help"
expect_eq "feedbackd --help and feedbackctl --help say the same" "$(cat "$T/d.help")" "$(cat "$T/c.help")"
expect_grep "and name the system file" "$sysconf when it exists" "$T/c.help"
finish
