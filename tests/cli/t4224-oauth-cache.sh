# The token source keeps its token and goes back to the endpoint only when it must: when less
# than min(300 s, half the lifetime) is left, after a server refused the token
# (oauth_refused), and once for many SMTP sessions that ask at the same moment. Driven by
# tests/tools/oauthprobe with a clock the test sets, against tests/tokenserver.py, whose
# counter of client_credentials requests shows every fetch.
. "$(dirname "$0")/../lib.sh"
. "$FB_TOP/tests/tokenserver.sh"
PROBE="$BUILD/tools/oauthprobe"
start_tokenserver '{"clients": {"app": "s3cret"}}'
probe() { "$PROBE" "$TS_URL/token" app s3cret https://outlook.office365.com/.default "$@"; }

expect_ok "a one-hour token" probe t=0 get t=3299 get t=3300 get t=3301 get
expect_eq "is kept until 300 s before it expires, then fetched again" \
    "$(tr '\n' ' ' <"$T/out")" "get new get same get new get same "
expect_eq "(two requests)" "$(ts_stat client_credentials)" 2

ts_control '{"action": "lifetime", "seconds": 120}' >/dev/null
expect_ok "a two-minute token" probe t=0 get t=59 get t=60 get
expect_eq "is kept for half its lifetime" "$(tr '\n' ' ' <"$T/out")" "get new get same get new "

ts_control '{"action": "lifetime", "seconds": 3600}' >/dev/null
expect_ok "a refused token" probe t=0 get t=10 get refused t=11 get t=12 get
expect_eq "is fetched again, once" "$(tr '\n' ' ' <"$T/out")" "get new get same get new get same "

before=$(ts_stat client_credentials)
expect_ok "eight sessions asking at once" probe t=0 threads=8
expect_eq "share one token" "$(cat "$T/out")" "threads 8 tokens 1"
expect_eq "from one request" "$(ts_stat client_credentials)" $((before + 1))

ts_control '{"action": "fail_next", "status": 503, "error": "temporarily_unavailable", "error_description": "try later"}' >/dev/null
expect_fail "an endpoint that fails" probe t=0 get
expect_grep "is named with its status and words" "token endpoint $TS_URL/token: HTTP 503: temporarily_unavailable \(try later\)" "$T/err"
expect_nogrep "without the secret" "s3cret" "$T/err"
finish
