# The oauth_ keys of [incoming] and [outgoing]: feedbackd --check-config (and every program
# that loads the configuration) refuses a key that does not apply to the auth or grant chosen,
# a key a grant needs and lacks, password_file beside auth = oauth2, and endpoints that are not
# https, each at its file and line, naming what applies; a correct block passes with its
# secrets masked and the key file checked as the daemon will read it.
. "$(dirname "$0")/../lib.sh"
mkdir -p "$T/in"
head_conf() {
	printf '[feedbackd]\ndatabase = %s\ndomain = feedbackd.test\nfrom_address = fb@feedbackd.test\n' "$T/fb.db"
}
printf 'client-secret-value\n' >"$T/secret"; chmod 600 "$T/secret"
printf 'pw\n' >"$T/pw"; chmod 600 "$T/pw"

{ head_conf; cat <<CONF
[outgoing]
transport = smtp
url = smtp://smtp.office365.com:587
username = feedback@feedbackd.test
password_file = $T/pw
oauth_scope = https://outlook.office365.com/.default
[incoming]
maildir = $T/in
CONF
} >"$T/a.conf"
expect_fail "an oauth_ key with auth = password" "$FBD" -c "$T/a.conf" --check-config
expect_grep "is an error at its line" "a.conf:10: \[outgoing\] oauth_scope applies only with auth = oauth2 \(auth is password\); set auth = oauth2 or remove oauth_scope" "$T/err"

{ head_conf; cat <<CONF
[outgoing]
transport = smtp
url = smtp://smtp.office365.com:587
username = feedback@feedbackd.test
password_file = $T/pw
auth = oauth2
oauth_tenant = feedbackd.test
oauth_client_id = 0a1b2c3d
oauth_token_file = $T/tok
[incoming]
mailbox = imap
url = imaps://outlook.office365.com
username = feedback@feedbackd.test
auth = oauth2
oauth_grant = service_account
oauth_client_id = 0a1b2c3d
oauth_scope = https://mail.google.com/
oauth_token_url = http://oauth2.feedbackd.test/token
oauth_tenant = x/../y
CONF
} >"$T/b.conf"
expect_fail "misapplied oauth keys" "$FBD" -c "$T/b.conf" --check-config
expect_grep "password_file with auth = oauth2" "b.conf:9: \[outgoing\] password_file does not apply with auth = oauth2" "$T/err"
expect_grep "a key the grant needs" "b.conf:10: \[outgoing\] oauth_grant = client_credentials needs oauth_secret_file: file holding the client secret" "$T/err"
expect_grep "and another" "b.conf:10: \[outgoing\] oauth_grant = client_credentials needs oauth_scope" "$T/err"
expect_grep "a key of another grant, naming those that apply" "b.conf:13: \[outgoing\] oauth_token_file does not apply to oauth_grant = client_credentials; the keys that do: oauth_client_id, oauth_secret_file, oauth_scope, oauth_token_url, oauth_tenant$" "$T/err"
expect_grep "the same rules in [incoming]" "b.conf:20: \[incoming\] oauth_client_id does not apply to oauth_grant = service_account" "$T/err"
expect_grep "service_account needs its key file" "b.conf:19: \[incoming\] oauth_grant = service_account needs oauth_key_file" "$T/err"
expect_grep "an endpoint that is not https" "b.conf:22: \[incoming\] oauth_token_url must be https://" "$T/err"
expect_grep "a tenant that is not one" "b.conf:23: \[incoming\] oauth_tenant \"x/../y\" is not a tenant id or domain" "$T/err"

{ head_conf; cat <<CONF
[outgoing]
maildir = $T/out
auth = oauth2
oauth_client_id = 0a1b2c3d
oauth_secret_file = $T/secret
oauth_scope = x
oauth_tenant = feedbackd.test
[incoming]
maildir = $T/in
CONF
} >"$T/c.conf"
expect_fail "auth = oauth2 on a Maildir does nothing" "$FBD" -c "$T/c.conf" --check-config
expect_grep "and is refused" "c.conf:7: \[outgoing\] auth = oauth2 applies only with transport = smtp; accepted values of auth here: password" "$T/err"

{ head_conf; cat <<CONF
[outgoing]
transport = smtp
url = smtp://smtp.office365.com:587
username = feedback@feedbackd.test
auth = oauth2
oauth_tenant = feedbackd.test
oauth_client_id = 0a1b2c3d
oauth_secret_file = $T/secret
oauth_scope = https://outlook.office365.com/.default
[incoming]
mailbox = imap
url = imaps://imap.gmail.com
username = feedback@feedbackd.test
auth = oauth2
oauth_mechanism = oauthbearer
oauth_grant = service_account
oauth_key_file = $T/sa.json
oauth_scope = https://mail.google.com/
CONF
} >"$T/ok.conf"
printf '{"type": "service_account", "client_email": "a@b.test", "private_key": "not a key"}\n' >"$T/sa.json"
chmod 644 "$T/sa.json"
expect_fail "a key file others can read is refused" "$FBD" -c "$T/ok.conf" --check-config
expect_grep "like a password file" "$T/sa.json has mode 0644.*chmod 600" "$T/err"
chmod 600 "$T/sa.json"
expect_fail "a key file that holds no key is refused" "$FBD" -c "$T/ok.conf" --check-config
expect_grep "as the daemon would refuse it" "\[incoming\] auth = oauth2: the service account key's private_key is not an RSA key in PEM" "$T/err"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/sa.key" 2>/dev/null
/usr/bin/python3 -c 'import json,sys; print(json.dumps({"type": "service_account", "client_email": "a@b.test", "private_key": open(sys.argv[1]).read(), "token_uri": "https://oauth2.googleapis.com/token"}))' "$T/sa.key" >"$T/sa.json"
expect_ok "a correct Microsoft 365 and Google block pass" "$FBD" -c "$T/ok.conf" --check-config
expect_grep "printed with the secret file masked" "^oauth_secret_file = \*\*\*\*\*\*\*\*$" "$T/out"
expect_grep "and the key file" "^oauth_key_file = \*\*\*\*\*\*\*\*$" "$T/out"
expect_grep "the mechanism" "^oauth_mechanism = oauthbearer$" "$T/out"
expect_nogrep "no secret in it" "client-secret-value|PRIVATE KEY" "$T/out"
expect_grep "OK" "configuration OK" "$T/out"
finish
