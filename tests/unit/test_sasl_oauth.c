/*
 * Unit tests of the libesmtp SASL plugins' response logic (src/mail/sasl-oauth.c, built into
 * sasl-xoauth2.so and sasl-oauthbearer.so): what each mechanism asks through libesmtp's
 * interact callback, the initial response it returns, the answer to an error challenge, and
 * NULL when the transport declines to give a token. The plugin sources are not in
 * libfeedbackd (they are shared objects of their own), so this file includes sasl-oauth.c.
 * Table-driven: one row per exchange.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../src/mail/sasl-oauth.c"

/* What the fake transport answers: by field name, as transport_smtp.c's interact_cb does. */
struct answers {
	const char *user, *token_field, *token, *host, *port;
	int asked;             /* fields asked in the last call */
	char names[160];       /* their names, comma-separated */
};

static int
fake_interact(auth_client_request_t req, char **result, int fields, void *arg)
{
	struct answers *a = arg;

	a->asked = fields;
	a->names[0] = '\0';
	for (int i = 0; i < fields; i++) {
		size_t l = strlen(a->names);

		snprintf(a->names + l, sizeof(a->names) - l, "%s%s", i ? "," : "", req[i].name);
		if (strcmp(req[i].name, SASL_OAUTH_FIELD_USER) == 0)
			result[i] = (char *)a->user;
		else if (a->token_field != NULL && strcmp(req[i].name, a->token_field) == 0)
			result[i] = (char *)a->token;
		else if (strcmp(req[i].name, SASL_OAUTH_FIELD_HOST) == 0)
			result[i] = (char *)a->host;
		else if (strcmp(req[i].name, SASL_OAUTH_FIELD_PORT) == 0)
			result[i] = (char *)a->port;
		else
			return 0;
	}
	return 1;
}

/* A byte string and its length (the responses hold \x01, and no NUL). */
#define BYTES(x) x, sizeof(x) - 1

static const struct {
	const char *what;
	enum sasl_oauth_kind kind;
	struct answers a;
	const char *asked;     /* the field names asked */
	const char *initial;   /* NULL: no initial response */
	size_t initial_len;
	const char *after;     /* the answer to an error challenge (NULL: none) */
	size_t after_len;
} rows[] = {
	{ "xoauth2 asks user and its token, answers an error challenge with an empty line",
	  SASL_OAUTH_XOAUTH2,
	  { "fb@example.org", SASL_OAUTH_FIELD_TOKEN_XOAUTH2, "ya29.t", NULL, NULL, 0, "" },
	  "oauth-user,oauth-token-xoauth2",
	  BYTES("user=fb@example.org\x01" "auth=Bearer ya29.t\x01\x01"), BYTES("") },
	{ "oauthbearer asks user, its token, host and port; answers an error challenge with %x01",
	  SASL_OAUTH_OAUTHBEARER,
	  { "fb@example.org", SASL_OAUTH_FIELD_TOKEN_OAUTHBEARER, "t0k", "smtp.example.org", "587",
	    0, "" },
	  "oauth-user,oauth-token-oauthbearer,oauth-host,oauth-port",
	  BYTES("n,a=fb@example.org,\x01host=smtp.example.org\x01port=587\x01"
	      "auth=Bearer t0k\x01\x01"),
	  BYTES("\x01") },
	{ "oauthbearer with a port that is not a number leaves port= out",
	  SASL_OAUTH_OAUTHBEARER,
	  { "u", SASL_OAUTH_FIELD_TOKEN_OAUTHBEARER, "t", "h", "99999", 0, "" },
	  "oauth-user,oauth-token-oauthbearer,oauth-host,oauth-port",
	  BYTES("n,a=u,\x01host=h\x01" "auth=Bearer t\x01\x01"), BYTES("\x01") },
	{ "xoauth2 declined (the transport gives its token only to oauthbearer): no response",
	  SASL_OAUTH_XOAUTH2,
	  { "u", SASL_OAUTH_FIELD_TOKEN_OAUTHBEARER, "t", NULL, NULL, 0, "" },
	  "oauth-user,oauth-token-xoauth2", NULL, 0, NULL, 0 },
	{ "a token with a line break is refused, not sent",
	  SASL_OAUTH_XOAUTH2,
	  { "u", SASL_OAUTH_FIELD_TOKEN_XOAUTH2, "t\r\nMAIL FROM:<x>", NULL, NULL, 0, "" },
	  "oauth-user,oauth-token-xoauth2", NULL, 0, NULL, 0 },
};

static void
test_sasl_oauth_exchanges(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct answers a = rows[i].a;
		void *ctx = NULL;
		const char *r;
		int len = -1;

		print_message("%s\n", rows[i].what);
		assert_int_equal(sasl_oauth_init(&ctx), 1);
		r = sasl_oauth_response(rows[i].kind, ctx, NULL, &len, fake_interact, &a);
		assert_string_equal(a.names, rows[i].asked);
		if (rows[i].initial == NULL) {
			assert_null(r);
		} else {
			assert_non_null(r);
			assert_int_equal(len, (int)rows[i].initial_len);
			assert_memory_equal(r, rows[i].initial, rows[i].initial_len);
		}
		r = sasl_oauth_response(rows[i].kind, ctx, "{\"status\":\"invalid_token\"}", &len,
		    fake_interact, &a);
		if (rows[i].after == NULL) {
			assert_null(r);
		} else {
			assert_non_null(r);
			assert_int_equal(len, (int)rows[i].after_len);
			assert_memory_equal(r, rows[i].after, rows[i].after_len);
		}
		/* Nothing more after that: a third challenge gets NULL (libesmtp sends "*"). */
		assert_null(sasl_oauth_response(rows[i].kind, ctx, "again", &len, fake_interact, &a));
		sasl_oauth_destroy(ctx);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sasl_oauth_exchanges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
