/*
 * Unit tests of the token source's settings (oauth_new: what it refuses before anything is
 * fetched, so no network here) and of mailauth's endpoint addresses for a Microsoft tenant.
 * The fetching itself is tested against tests/tokenserver.py (tests/cli/t422*-oauth-*.sh).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mailauth.h"
#include "oauth.h"

static time_t
zero_clock(void *arg)
{
	(void)arg;
	return 0;
}

static const struct new_case {
	const char *what;
	enum oauth_grant grant;
	const char *token_url, *client_id, *secret, *token_file, *key_json, *subject;
	const char *error;   /* NULL: accepted; else a part of the message */
} new_cases[] = {
	{ "client credentials over https", OAUTH_CLIENT_CREDENTIALS,
	  "https://login.microsoftonline.com/t/oauth2/v2.0/token", "id", "s", NULL, NULL, NULL, NULL },
	{ "plain http to 127.0.0.1 (tests)", OAUTH_CLIENT_CREDENTIALS,
	  "http://127.0.0.1:8080/token", "id", "s", NULL, NULL, NULL, NULL },
	{ "plain http to [::1]", OAUTH_CLIENT_CREDENTIALS,
	  "http://[::1]:8080/token", "id", "s", NULL, NULL, NULL, NULL },
	{ "plain http elsewhere", OAUTH_CLIENT_CREDENTIALS,
	  "http://login.example.org/token", "id", "s", NULL, NULL, NULL,
	  "token endpoint http://login.example.org/token: refused, it must be https://" },
	{ "a host that only starts like loopback", OAUTH_CLIENT_CREDENTIALS,
	  "http://127.0.0.1.example.org/token", "id", "s", NULL, NULL, NULL, "must be https://" },
	{ "another scheme", OAUTH_CLIENT_CREDENTIALS,
	  "ftp://127.0.0.1/token", "id", "s", NULL, NULL, NULL, "must be https://" },
	{ "no endpoint", OAUTH_CLIENT_CREDENTIALS,
	  NULL, "id", "s", NULL, NULL, NULL, "no token endpoint" },
	{ "client credentials without a secret", OAUTH_CLIENT_CREDENTIALS,
	  "https://x.test/token", "id", NULL, NULL, NULL, NULL, "needs a client id and a client secret" },
	{ "refresh token without its file", OAUTH_REFRESH_TOKEN,
	  "https://x.test/token", "id", NULL, NULL, NULL, NULL, "needs a client id and a token file" },
	{ "refresh token, public client", OAUTH_REFRESH_TOKEN,
	  "https://x.test/token", "id", NULL, "/nonexistent/refresh", NULL, NULL, NULL },
	{ "service account without a subject", OAUTH_SERVICE_ACCOUNT,
	  NULL, NULL, NULL, NULL, "{}", NULL, "and the mailbox it acts for" },
	{ "service account key that is not JSON", OAUTH_SERVICE_ACCOUNT,
	  NULL, NULL, NULL, NULL, "not json", "fb@example.org", "the service account key is not JSON" },
	{ "a user's key, not a service account's", OAUTH_SERVICE_ACCOUNT,
	  NULL, NULL, NULL, NULL, "{\"type\": \"authorized_user\", \"client_id\": \"x\"}",
	  "fb@example.org", "not a service account key" },
	{ "a service account key without a usable private key", OAUTH_SERVICE_ACCOUNT,
	  NULL, NULL, NULL, NULL, "{\"type\": \"service_account\", \"client_email\": \"a@b.test\", "
	  "\"private_key\": \"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n\"}",
	  "fb@example.org", "private_key is not an RSA key in PEM" },
};

static void
test_oauth_new_table(void **state)
{
	const struct new_case *c = *state;
	struct oauth_settings s = { 0 };
	struct fb_error err = { "untouched" };
	struct oauth *o;

	print_message("case: %s\n", c->what);
	s.grant = c->grant;
	s.token_url = c->token_url;
	s.client_id = c->client_id;
	s.client_secret = c->secret;
	s.token_file = c->token_file;
	s.key_json = c->key_json;
	s.subject = c->subject;
	s.verify = 1;
	s.clock = zero_clock;
	o = oauth_new(&s, &err);
	if (c->error == NULL) {
		if (o == NULL)
			fail_msg("refused: %s", err.msg);
		assert_string_equal(oauth_endpoint(o), c->token_url);
		oauth_free(o);
	} else {
		assert_null(o);
		if (strstr(err.msg, c->error) == NULL)
			fail_msg("message \"%s\" lacks \"%s\"", err.msg, c->error);
	}
}

static const struct url_case {
	const char *what, *token_url, *tenant, *device_url, *want_token, *want_device;
} url_cases[] = {
	{ "the tenant gives Microsoft's endpoints", "", "contoso.onmicrosoft.com", "",
	  "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
	  "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/devicecode" },
	{ "a token url set wins over the tenant", "https://t.test/token", "contoso", "",
	  "https://t.test/token", "https://login.microsoftonline.com/contoso/oauth2/v2.0/devicecode" },
	{ "both set", "https://t.test/token", "", "https://t.test/device",
	  "https://t.test/token", "https://t.test/device" },
	{ "neither: nothing", "", "", "", "", "" },
};

static void
test_mailauth_urls_table(void **state)
{
	const struct url_case *c = *state;
	struct config_oauth o = { 0 };
	struct buf t = BUF_INIT, d = BUF_INIT;

	print_message("case: %s\n", c->what);
	o.token_url = (char *)c->token_url;
	o.tenant = (char *)c->tenant;
	o.device_url = (char *)c->device_url;
	assert_int_equal(mailauth_token_url(&o, &t), 0);
	assert_int_equal(mailauth_device_url(&o, &d), 0);
	assert_string_equal(t.data, c->want_token);
	assert_string_equal(d.data, c->want_device);
	buf_release(&t);
	buf_release(&d);
}

static void
test_oauth_grant_names(void **state)
{
	(void)state;
	assert_string_equal(oauth_grant_name(OAUTH_CLIENT_CREDENTIALS), "client_credentials");
	assert_string_equal(oauth_grant_name(OAUTH_REFRESH_TOKEN), "refresh_token");
	assert_string_equal(oauth_grant_name(OAUTH_SERVICE_ACCOUNT), "service_account");
}

int
main(void)
{
	struct CMUnitTest tests[sizeof(new_cases) / sizeof(new_cases[0]) +
	    sizeof(url_cases) / sizeof(url_cases[0]) + 1];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(new_cases) / sizeof(new_cases[0]); i++)
		tests[n++] = (struct CMUnitTest){ "test_oauth_new_table", test_oauth_new_table,
			NULL, NULL, (void *)&new_cases[i] };
	for (size_t i = 0; i < sizeof(url_cases) / sizeof(url_cases[0]); i++)
		tests[n++] = (struct CMUnitTest){ "test_mailauth_urls_table", test_mailauth_urls_table,
			NULL, NULL, (void *)&url_cases[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_oauth_grant_names);
	return _cmocka_run_group_tests("oauth", tests, n, NULL, NULL);
}
