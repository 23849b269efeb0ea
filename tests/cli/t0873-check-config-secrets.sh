# --check-config reads the password files as the daemon does (one function for both): a file
# that group or others can read, an empty one or a missing one fails the check with the same
# words the daemon would log, instead of "configuration OK" followed by a daemon that refuses.
. "$(dirname "$0")/../lib.sh"
mkdir -p "$T/in/new" "$T/in/cur" "$T/in/tmp"
printf '[feedbackd]\ndatabase = %s\ndomain = feedbackd.test\nfrom_address = fb@feedbackd.test\n[outgoing]\ntransport = smtp\nurl = smtp://127.0.0.1:2525\nstarttls = no\nusername = fb\npassword_file = %s\n[incoming]\nmaildir = %s\n' \
    "$T/fb.db" "$T/pw" "$T/in" >"$T/c.conf"
printf 'hunter2-secret\n' >"$T/pw"
chmod 644 "$T/pw"
expect_fail "--check-config refuses a 0644 password file" "$FBD" -c "$T/c.conf" --check-config
expect_grep "naming the mode and the chmod to run" "secret file $T/pw has mode 0644.*chmod 600 $T/pw" "$T/err"
# stdout is empty here, so look at both streams: the verdict must be absent, not unwritten
cat "$T/out" "$T/err" >"$T/both"
expect_nogrep "and does not say OK (stdout nor stderr)" "configuration OK" "$T/both"
expect_fail "the daemon refuses it alike" "$FBD" -c "$T/c.conf" --once
expect_grep "with the same words" "secret file $T/pw has mode 0644" "$T/err"
chmod 600 "$T/pw"
expect_ok "with mode 0600 the check passes" "$FBD" -c "$T/c.conf" --check-config
expect_grep "and says OK" "configuration OK" "$T/out"
expect_nogrep "without printing the password" "hunter2" "$T/out"
: >"$T/pw"
expect_fail "an empty password file fails the check" "$FBD" -c "$T/c.conf" --check-config
expect_grep "saying so" "secret file $T/pw is empty" "$T/err"
rm "$T/pw"
expect_fail "a missing one too" "$FBD" -c "$T/c.conf" --check-config
expect_grep "saying so" "secret file $T/pw: No such file" "$T/err"
finish
