# feedbackctl oauth token fetches an access token as the daemon would, for each grant, against
# the test token server (tests/tokenserver.py): it shows grant, endpoint, scope and expiry and
# never the token or a secret; a rotated refresh token is written back to oauth_token_file;
# the endpoint's errors come back naming the endpoint, the status and what to do.
. "$(dirname "$0")/../lib.sh"
. "$FB_TOP/tests/tokenserver.sh"
make_sa_key "$T/sa" fb-sa@feedbackd-test.iam.gserviceaccount.com
make_sa_key "$T/other" fb-sa@feedbackd-test.iam.gserviceaccount.com
start_tokenserver "{\"clients\": {\"app\": \"s3cret-client\", \"pub\": null},
  \"service_accounts\": {\"fb-sa@feedbackd-test.iam.gserviceaccount.com\": \"$T/sa/sa.pub\"}}"
mkdir -p "$T/in"
conf() {  # conf FILE KEY=VALUE...: [incoming] on IMAP with auth = oauth2 and these keys
	f=$1; shift
	{
		printf '[feedbackd]\ndatabase = %s\ndomain = feedbackd.test\nfrom_address = fb@feedbackd.test\n' "$T/fb.db"
		printf '[incoming]\nmailbox = imap\nurl = imaps://127.0.0.1:9993\nusername = fb@feedbackd.test\nauth = oauth2\n'
		for kv; do printf '%s\n' "$kv" | sed 's/=/ = /'; done
	} >"$f"
}
printf 's3cret-client\n' >"$T/secret"
chmod 600 "$T/secret"

# client credentials (Microsoft 365 app-only)
conf "$T/cc.conf" oauth_grant=client_credentials "oauth_token_url=$TS_URL/token" \
    oauth_client_id=app "oauth_secret_file=$T/secret" \
    "oauth_scope=https://outlook.office365.com/.default"
expect_ok "client credentials: a token" "$FBCTL" -c "$T/cc.conf" oauth token --incoming
cp "$T/out" "$T/cc.out"
expect_grep "says the grant" "^  grant +client_credentials$" "$T/cc.out"
expect_grep "the endpoint" "^  endpoint +$TS_URL/token$" "$T/cc.out"
expect_grep "the scope granted" "^  scope +https://outlook.office365.com/.default$" "$T/cc.out"
expect_grep "the expiry, from expires_in" "^  expires +in 60 minutes$" "$T/cc.out"
expect_grep "the user and mechanism" "^\[incoming\] token for fb@feedbackd.test \(XOAUTH2\)$" "$T/cc.out"
expect_eq "the endpoint was asked once with that grant" "$(ts_stat client_credentials)" 1
cat "$T/out" "$T/err" >"$T/both"
expect_nogrep "never the token nor the secret" "at-|s3cret" "$T/both"
ts_control '{"action": "lifetime", "seconds": 600}' >/dev/null
expect_ok "a shorter lifetime" "$FBCTL" -c "$T/cc.conf" oauth token --incoming
expect_grep "is what it says" "^  expires +in 10 minutes$" "$T/out"

printf 'wrong\n' >"$T/secret"
expect_fail "a wrong client secret fails" "$FBCTL" -c "$T/cc.conf" oauth token --incoming
expect_grep "naming endpoint, status, error and description" \
    "^feedbackctl: \[incoming\] token endpoint $TS_URL/token: HTTP 401: invalid_client \(AADSTS7000215: invalid client secret provided\)$" "$T/err"
expect_nogrep "without the secret" "wrong" "$T/err"
printf 's3cret-client\n' >"$T/secret"
chmod 644 "$T/secret"
expect_fail "a client secret others can read is refused" "$FBCTL" -c "$T/cc.conf" oauth token --incoming
expect_grep "as password_file is" "$T/secret has mode 0644.*chmod 600" "$T/err"
chmod 600 "$T/secret"

# https: a plain-http server behind an https:// address fails the TLS handshake, named
conf "$T/tls.conf" oauth_grant=client_credentials "oauth_token_url=$(echo "$TS_URL" | sed 's/^http:/https:/')/token" \
    oauth_client_id=app "oauth_secret_file=$T/secret" oauth_scope=x
expect_fail "https to a server that is not TLS fails" "$FBCTL" -c "$T/tls.conf" oauth token --incoming
expect_grep "naming the endpoint" "token endpoint https://127.0.0.1:[0-9]+/token: " "$T/err"
conf "$T/http.conf" oauth_grant=client_credentials "oauth_token_url=http://oauth.feedbackd.test/token" \
    oauth_client_id=app "oauth_secret_file=$T/secret" oauth_scope=x
expect_fail "plain http to anything but loopback is refused" "$FBCTL" -c "$T/http.conf" oauth token --incoming
expect_grep "saying what is accepted" "oauth_token_url must be https:// \(plain http:// only to 127.0.0.1 or \[::1\]\)" "$T/err"

# refresh token (stored by oauth login; Microsoft rotates it at every use)
mkdir "$T/tok"
conf "$T/rt.conf" oauth_grant=refresh_token "oauth_token_url=$TS_URL/token" oauth_client_id=pub \
    "oauth_scope=offline_access https://outlook.office.com/IMAP.AccessAsUser.All" \
    "oauth_token_file=$T/tok/refresh"
expect_fail "without a token file: run oauth login" "$FBCTL" -c "$T/rt.conf" oauth token --incoming
expect_grep "says so" "$T/tok/refresh does not exist: run feedbackctl oauth login first" "$T/err"
rt0=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["refresh_token"])' \
    "$(ts_control '{"action": "mint_refresh", "client_id": "pub", "user": "fb@feedbackd.test"}')")
printf '%s\n' "$rt0" >"$T/tok/refresh"
chmod 644 "$T/tok/refresh"
expect_fail "a token file others can read is refused" "$FBCTL" -c "$T/rt.conf" oauth token --incoming
expect_grep "with the chmod" "is readable by others \(mode 644\): chmod 600 it" "$T/err"
chmod 600 "$T/tok/refresh"
expect_ok "refresh token: a token" "$FBCTL" -c "$T/rt.conf" oauth token --incoming
expect_grep "by the refresh_token grant" "^  grant +refresh_token$" "$T/out"
rt1=$(cat "$T/tok/refresh")
expect_eq "the endpoint was asked with the refresh token" "$(ts_stat refresh_token)" 1
[ "$rt1" != "$rt0" ] && ok "the rotated refresh token was written back" || notok "the rotated refresh token was written back"
expect_eq "the file holds the one the endpoint still accepts" "$(ts_stat refresh_tokens)" "[\"$rt1\"]"
expect_eq "mode 0600" "$(stat -c %a "$T/tok/refresh")" 600
expect_eq "no temporary file left" "$(ls "$T/tok")" refresh
expect_ok "and the next run uses the rotated one" "$FBCTL" -c "$T/rt.conf" oauth token --incoming
expect_eq "(rotated again)" "$(ts_stat refresh_tokens)" "[\"$(cat "$T/tok/refresh")\"]"
cat "$T/out" "$T/err" >"$T/both"
expect_nogrep "never printing a token" "rt-|at-" "$T/both"
ts_control "{\"action\": \"revoke\", \"refresh_token\": \"$(cat "$T/tok/refresh")\"}" >/dev/null
expect_fail "a revoked refresh token fails" "$FBCTL" -c "$T/rt.conf" oauth token --incoming
expect_grep "with invalid_grant and what to do" \
    "HTTP 400: invalid_grant \(AADSTS70000: the refresh token was revoked or has expired\); the stored refresh token is no longer accepted: run feedbackctl oauth login again$" "$T/err"

# service account (Google Workspace, domain-wide delegation): a JWT signed RS256
conf "$T/sa.conf" oauth_grant=service_account "oauth_token_url=$TS_URL/token" \
    "oauth_key_file=$T/sa/sa.json" "oauth_scope=https://mail.google.com/"
expect_ok "service account: a token" "$FBCTL" -c "$T/sa.conf" oauth token --incoming
expect_grep "by the service_account grant" "^  grant +service_account$" "$T/out"
expect_grep "for the mail scope" "^  scope +https://mail.google.com/$" "$T/out"
expect_eq "the endpoint checked a jwt-bearer assertion" "$(ts_stat jwt_bearer)" 1
expect_eq "(accepted: no error beyond the two above)" "$(ts_stat errors)" '{"invalid_client": 1, "invalid_grant": 1}'
conf "$T/sa2.conf" oauth_grant=service_account "oauth_token_url=$TS_URL/token" \
    "oauth_key_file=$T/other/sa.json" "oauth_scope=https://mail.google.com/"
expect_fail "a key the endpoint does not know fails" "$FBCTL" -c "$T/sa2.conf" oauth token --incoming
expect_grep "with the endpoint's words" "HTTP 400: invalid_grant \(Invalid JWT Signature.\)" "$T/err"
printf '{"type": "authorized_user"}\n' >"$T/bad.json"
chmod 600 "$T/bad.json"
conf "$T/sa3.conf" oauth_grant=service_account "oauth_token_url=$TS_URL/token" \
    "oauth_key_file=$T/bad.json" "oauth_scope=https://mail.google.com/"
expect_fail "a key file that is no service account key" "$FBCTL" -c "$T/sa3.conf" oauth token --incoming
expect_grep "says so" "the key file is not a service account key" "$T/err"

# usage
expect_fail "no section: a usage error" "$FBCTL" -c "$T/cc.conf" oauth token
expect_grep "naming what is missing" "oauth token: missing --incoming or --outgoing" "$T/err"
expect_fail "the outgoing section has no server" "$FBCTL" -c "$T/cc.conf" oauth token --outgoing
expect_grep "says so" "\[outgoing\] transport = maildir: no server to log in to" "$T/err"
expect_ok "--help" "$FBCTL" oauth token --help
expect_grep "shows both commands" "feedbackctl oauth login --incoming\|--outgoing" "$T/out"
finish
