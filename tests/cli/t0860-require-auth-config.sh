# require_auth is a check that works or a configuration that is refused: without
# trusted_authserv_id, `feedbackd --check-config` (and the daemon) refuse require_auth = dmarc or
# dkim, naming the file, the line and what to set; "spf" (which feedbackd cannot check: it never
# sees the SMTP session) is refused with the accepted values; with a trusted id the check is
# accepted and printed back.
. "$(dirname "$0")/../lib.sh"
conf() { # conf FILE SECURITY-LINES
	printf '[feedbackd]\ndatabase = %s\n[outgoing]\nmaildir = %s\n[incoming]\nmaildir = %s\n[security]\n%b' \
	    "$T/fb.db" "$T/sent" "$T/in" "$2" >"$1"
}
conf "$T/dmarc.conf" 'require_auth = dmarc\n'
expect_fail "--check-config refuses require_auth = dmarc without trusted_authserv_id" \
    "$FBD" --check-config -c "$T/dmarc.conf"
expect_grep "it names the file and the line of require_auth" \
    "dmarc.conf:8: \[security\] require_auth = dmarc needs trusted_authserv_id" "$T/err"
expect_grep "and the only value that works without it" "Accepted values of require_auth without it: none" "$T/err"
expect_fail "the daemon refuses to start on it" "$FBD" -c "$T/dmarc.conf" --once
expect_grep "saying why" "needs trusted_authserv_id" "$T/err"
conf "$T/dkim.conf" 'require_auth = dkim\n'
expect_fail "--check-config refuses require_auth = dkim without it too" "$FBD" --check-config -c "$T/dkim.conf"
conf "$T/spf.conf" 'require_auth = spf\ntrusted_authserv_id = mx.example.org\n'
expect_fail "require_auth = spf is refused" "$FBD" --check-config -c "$T/spf.conf"
expect_grep "with the accepted values" 'require_auth = "spf": accepted values are none, dmarc, dkim' "$T/err"
conf "$T/bad.conf" 'require_auth = dmarc\ntrusted_authserv_id = mx.example.org; dmarc=pass\n'
expect_fail "a trusted_authserv_id that is not a host name is refused" "$FBD" --check-config -c "$T/bad.conf"
expect_grep "naming the line" "bad.conf:9: \[security\] trusted_authserv_id" "$T/err"
conf "$T/good.conf" 'require_auth = dmarc\ntrusted_authserv_id = MX1.example.org, mx2.example.org\n'
expect_ok "--check-config accepts require_auth with a trusted authserv-id" "$FBD" --check-config -c "$T/good.conf"
expect_grep "and prints the check" "require_auth += +dmarc|require_auth = dmarc" "$T/out"
expect_grep "and the trusted ids, normalised" "mx1.example.org, mx2.example.org" "$T/out"
conf "$T/none.conf" 'require_auth = none\n'
expect_ok "require_auth = none needs nothing (the default)" "$FBD" --check-config -c "$T/none.conf"
finish
