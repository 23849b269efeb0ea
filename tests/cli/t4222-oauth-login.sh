# feedbackctl oauth login runs the device-code flow (RFC 8628) against the test token server:
# it shows the address and the code, polls at the endpoint's interval (5 s more after
# slow_down) while the sign-in is pending, and stores the refresh token in oauth_token_file
# (mode 0600) once the test approves the code through the server's control endpoint, printing
# no token. A declined sign-in and a grant that needs no login fail with what to do.
. "$(dirname "$0")/../lib.sh"
. "$FB_TOP/tests/tokenserver.sh"
start_tokenserver '{"clients": {"pub": null, "app": "s3cret"}, "interval": 1}'
mkdir -p "$T/tok"
cat >"$T/c.conf" <<CONF
[feedbackd]
database = $T/fb.db
domain = feedbackd.test
from_address = fb@feedbackd.test
[outgoing]
transport = smtp
url = smtp://127.0.0.1:2525
username = fb@feedbackd.test
auth = oauth2
oauth_mechanism = oauthbearer
oauth_grant = refresh_token
oauth_token_url = $TS_URL/token
oauth_device_url = $TS_URL/devicecode
oauth_client_id = pub
oauth_scope = offline_access https://outlook.office.com/SMTP.Send
oauth_token_file = $T/tok/refresh
CONF

# login LOG: run oauth login --outgoing in the background; waits until it shows the code
login() {
	"$FBCTL" -c "$T/c.conf" oauth login --outgoing >"$1" 2>&1 &
	LOGIN_PID=$!
	_i=0
	while ! grep -q "^  code " "$1" && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	CODE=$(sed -n 's/^  code    //p' "$1")
}

login "$T/login1"
expect_grep "shows where to sign in" "^  open    $TS_URL/device$" "$T/login1"
expect_grep "and the code" "^  code    [A-Z]{8}$" "$T/login1"
sleep 2.2
pending=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1]).get("authorization_pending", 0))' "$(ts_stat errors)")
[ "$pending" -ge 1 ] && ok "it polls while the sign-in is pending ($pending)" || notok "it polls while the sign-in is pending (polled $pending times)"
[ "$(ts_stat refresh_tokens)" = "[]" ] && [ ! -e "$T/tok/refresh" ] && ok "and stores nothing yet" || notok "and stores nothing yet"
ts_control '{"action": "slow_down", "count": 1}' >/dev/null
sleep 1
ts_control "{\"action\": \"approve\", \"user_code\": \"$CODE\", \"user\": \"fb@feedbackd.test\"}" >/dev/null
wait $LOGIN_PID
expect_eq "login ends well once the code is approved" $? 0
expect_grep "saying where the token is" "^Signed in. The refresh token is in $T/tok/refresh \(mode 0600\)" "$T/login1"
expect_eq "the token file has mode 0600" "$(stat -c %a "$T/tok/refresh")" 600
expect_eq "it holds the refresh token the endpoint issued" "[\"$(cat "$T/tok/refresh")\"]" "$(ts_stat refresh_tokens)"
expect_nogrep "no token was printed" "rt-|at-|dc-" "$T/login1"
# after slow_down the interval is 1 + 5 s: the gap between the last two polls shows it
gap=$("$PY" -c 'import json,sys; p=json.loads(sys.argv[1]); print(int(p[-1]-p[-2]))' "$(ts_stat device_polls)")
[ "$gap" -ge 6 ] && ok "slow_down made it wait 5 s longer ($gap s)" || notok "slow_down made it wait 5 s longer (waited $gap s)"
expect_eq "no poll came too early" "$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1]).get("slow_down"))' "$(ts_stat errors)")" 1
expect_ok "the stored token gives access tokens" "$FBCTL" -c "$T/c.conf" oauth token --outgoing
expect_grep "by the refresh_token grant" "^  grant +refresh_token$" "$T/out"
expect_grep "for OAUTHBEARER" "^\[outgoing\] token for fb@feedbackd.test \(OAUTHBEARER\)$" "$T/out"

login "$T/login2"
ts_control "{\"action\": \"deny\", \"user_code\": \"$CODE\"}" >/dev/null
wait $LOGIN_PID
expect_eq "a declined sign-in fails" $? 1
expect_grep "saying so" "access_denied \(the user declined\); the sign-in was declined: run feedbackctl oauth login again" "$T/login2"

sed -i 's/^oauth_grant = refresh_token/oauth_grant = client_credentials/; /^oauth_device_url/d; /^oauth_token_file/d' "$T/c.conf"
printf 's3cret\n' >"$T/secret"; chmod 600 "$T/secret"
printf 'oauth_secret_file = %s\n' "$T/secret" >>"$T/c.conf"
sed -i 's/^oauth_client_id = pub/oauth_client_id = app/' "$T/c.conf"
expect_fail "client credentials need no login" "$FBCTL" -c "$T/c.conf" oauth login --outgoing
expect_grep "and it says what to run instead" "oauth login is for oauth_grant = refresh_token. Check the token with: feedbackctl oauth token --outgoing" "$T/err"
expect_ok "--help" "$FBCTL" oauth login --help
expect_grep "says what login does" "^login  sign in once with the device-code flow" "$T/out"
finish
