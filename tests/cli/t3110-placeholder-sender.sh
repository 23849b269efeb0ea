# With SMTP configured, nothing is queued while the sender address or the domain is a
# placeholder (the built-in feedback@feedbackd.invalid, example.org, localhost, ...): the
# daemon and feedbackctl refuse the configuration with every such key named, at the line that
# set it or as "not set". On Maildirs (the embedded default, a demo) placeholders are allowed
# and `feedbackd --check-config` warns about each of them.
. "$(dirname "$0")/../lib.sh"
common="[incoming]
maildir = $T/in"
cat >"$T/maildir.conf" <<CONF
[feedbackd]
database = $T/fb.db
reply_address = antwoord@example.org
[outgoing]
maildir = $T/sent
$common
CONF
cat >"$T/smtp.conf" <<CONF
[feedbackd]
database = $T/fb.db
[outgoing]
transport = smtp
url = smtp://127.0.0.1:9
starttls = no
$common
CONF
ctl() { "$FBCTL" -c "$T/maildir.conf" --now 2027-01-04T08:00 "$@"; }
expect_ok "a programme set up on Maildirs" ctl program create Pilot --start 2027-01-04
expect_ok "a team" ctl team add Pilot Sales
expect_ok "a member" ctl member add Sales "Jan de Vries" jan@example.nl
expect_ok "the outbox" ctl outbox list --json
expect_eq "is empty before the daemon runs" "$(cat "$T/out")" "[]"

# SMTP with the built-in sender: refused, both keys named, nothing queued.
expect_fail "feedbackd refuses SMTP with the built-in sender" \
    "$FBD" -c "$T/smtp.conf" --once --now 2027-01-04T09:05
expect_grep "naming domain as not set" \
    "smtp.conf: \[feedbackd\] domain is not set, and its default feedbackd.invalid is a placeholder: with \[outgoing\] transport = smtp \(line 4\) nothing is queued" "$T/err"
expect_grep "naming from_address as not set" \
    "smtp.conf: \[feedbackd\] from_address is not set, and its default feedback@feedbackd.invalid is a placeholder" "$T/err"
expect_ok "the outbox afterwards" ctl outbox list --json
expect_eq "nothing was queued" "$(cat "$T/out")" "[]"
expect_eq "nothing went to the Maildir either" "$(ls "$T/sent/new" 2>/dev/null | wc -l)" 0
expect_fail "feedbackctl refuses the same configuration" \
    "$FBCTL" -c "$T/smtp.conf" --now 2027-01-04T09:05 calendar sync Pilot
expect_grep "with the same words" "domain is not set, and its default feedbackd.invalid is a placeholder" "$T/err"
expect_fail "--check-config refuses it" "$FBD" -c "$T/smtp.conf" --check-config
expect_grep "listing the keys" "from_address is not set" "$T/err"
expect_nogrep "and does not say OK" "configuration OK" "$T/out"

# A placeholder set in the file is named at its line.
sed -i "s/^database = .*/&\ndomain = feedbackd.test\nfrom_address = feedback@example.org/" "$T/smtp.conf"
expect_fail "feedbackd refuses an example.org sender" \
    "$FBD" -c "$T/smtp.conf" --once --now 2027-01-04T09:05
expect_grep "at the line that sets it" \
    "smtp.conf:4: \[feedbackd\] from_address = feedback@example.org is a placeholder: with \[outgoing\] transport = smtp \(line 6\)" "$T/err"
expect_nogrep "the real domain is not named" "\] domain" "$T/err"
expect_ok "the outbox afterwards" ctl outbox list --json
expect_eq "still nothing queued" "$(cat "$T/out")" "[]"

# A real sender: the daemon queues (the server is not there, so the mail waits to be retried).
sed -i "s/^from_address = .*/from_address = feedback@feedbackd.test/" "$T/smtp.conf"
expect_ok "with a real sender the daemon runs" \
    "$FBD" -c "$T/smtp.conf" --once --now 2027-01-04T09:05 --log-level error
expect_ok "the outbox afterwards" ctl outbox list --json
expect_grep "and mail is queued" '"to": "jan@example.nl"' "$T/out"

# On Maildirs placeholders are allowed, and --check-config warns about each.
expect_ok "--check-config on Maildirs passes" "$FBD" -c "$T/maildir.conf" --check-config
expect_grep "it says OK" "configuration OK" "$T/out"
expect_grep "warns: domain not set" "^feedbackd: warning: .*maildir.conf: \[feedbackd\] domain is not set, and its default feedbackd.invalid is a placeholder" "$T/err"
expect_grep "warns: from_address not set" "^feedbackd: warning: .*maildir.conf: \[feedbackd\] from_address is not set" "$T/err"
expect_grep "warns: reply_address at its line" "^feedbackd: warning: .*maildir.conf:3: \[feedbackd\] reply_address = antwoord@example.org is a placeholder" "$T/err"
expect_eq "three warnings, one per key" "$(grep -c 'warning' "$T/err")" 3
(cd "$T" && env -u FEEDBACKD_CONFIG "$FBD" --check-config >/dev/null 2>"$T/err")
expect_grep "the built-in defaults are warned about too" "^feedbackd: warning: \[feedbackd\] domain is not set" "$T/err"
finish
