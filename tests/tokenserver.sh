# tests/tokenserver.sh — tests/tokenserver.py for shell tests (sourced after tests/lib.sh).
#
#   start_tokenserver '{"clients": {"app": "s3cret"}}'   # sets TS_URL; stopped at exit
#   ts_control '{"action": "expire"}'                     # POST /control, prints the answer
#   ts_stat refresh_token                                 # one field of GET /stats (JSON)
PY=/usr/bin/python3

start_tokenserver() {
	mkdir -p "$T/ts"
	printf '%s\n' "$1" >"$T/ts/config.json"
	"$PY" "$FB_TOP/tests/tokenserver.py" --dir "$T/ts" --config "$T/ts/config.json" \
	    >"$T/ts/port" 2>"$T/ts/stderr" &
	TS_PID=$!
	at_exit "kill $TS_PID 2>/dev/null"
	_i=0
	while [ ! -s "$T/ts/port" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	TS_URL="http://127.0.0.1:$(head -n 1 "$T/ts/port")"
}

ts_control() {
	"$PY" -c 'import sys, urllib.request
r = urllib.request.Request(sys.argv[1] + "/control", data=sys.argv[2].encode(),
                           headers={"Content-Type": "application/json"})
print(urllib.request.urlopen(r, timeout=10).read().decode())' "$TS_URL" "$1"
}

ts_stat() {
	"$PY" -c 'import json, sys, urllib.request
v = json.load(urllib.request.urlopen(sys.argv[1] + "/stats", timeout=10))[sys.argv[2]]
print(json.dumps(v) if isinstance(v, (list, dict)) else v)' "$TS_URL" "$1"
}

# make_sa_key DIR EMAIL: a Google-style service account key made with openssl: DIR/sa.json
# (mode 0600) and its public key DIR/sa.pub, which the token server checks signatures with.
make_sa_key() {
	mkdir -p "$1"
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1/sa.key" 2>/dev/null
	openssl pkey -in "$1/sa.key" -pubout -out "$1/sa.pub"
	"$PY" -c 'import json, os, sys
d, email = sys.argv[1], sys.argv[2]
key = {"type": "service_account", "project_id": "feedbackd-test", "private_key_id": "0123abcd",
       "private_key": open(d + "/sa.key").read(), "client_email": email, "client_id": "1234567890",
       "token_uri": "https://oauth2.googleapis.com/token"}
fd = os.open(d + "/sa.json", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, json.dumps(key, indent=2).encode())' "$1" "$2"
}
