/*
 * Unit tests of mailurl (src/mail/mailurl.c): the server URLs of the configuration split into
 * scheme, host and port, with the default port per scheme, IPv6 literals in brackets, and every
 * malformed URL refused with an error that names it and the form wanted. One test per row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mailurl.h"
#include "testlib.h"

struct mcase {
	const char *name;
	const char *url;
	const char *allowed;    /* "smtp" or "imap" */
	int ok;                 /* 0: refused */
	const char *scheme, *host;
	unsigned port;
	int tls;
};

/* Defaults as the drivers pass them: smtp 25/465, imap 143/993. */
static const struct mcase cases[] = {
	{ "test_mailurl_smtp_with_port", "smtp://mail.example.org:587", "smtp", 1,
	    "smtp", "mail.example.org", 587, 0 },
	{ "test_mailurl_smtp_default_port", "smtp://mail.example.org", "smtp", 1,
	    "smtp", "mail.example.org", 25, 0 },
	{ "test_mailurl_smtps_is_tls_with_its_default_port", "smtps://mail.example.org", "smtp", 1,
	    "smtps", "mail.example.org", 465, 1 },
	{ "test_mailurl_imaps_with_port", "imaps://127.0.0.1:10993", "imap", 1,
	    "imaps", "127.0.0.1", 10993, 1 },
	{ "test_mailurl_imap_default_port", "imap://imap.example.org", "imap", 1,
	    "imap", "imap.example.org", 143, 0 },
	{ "test_mailurl_trailing_slash_allowed", "imap://imap.example.org:143/", "imap", 1,
	    "imap", "imap.example.org", 143, 0 },
	{ "test_mailurl_ipv6_literal_without_brackets", "imaps://[::1]:993", "imap", 1,
	    "imaps", "::1", 993, 1 },
	{ "test_mailurl_ipv6_literal_default_port", "smtp://[2001:db8::25]", "smtp", 1,
	    "smtp", "2001:db8::25", 25, 0 },
	{ "test_mailurl_highest_port", "smtp://h.example:65535", "smtp", 1, "smtp", "h.example", 65535, 0 },
	{ "test_mailurl_empty_refused", "", "smtp", 0, NULL, NULL, 0, 0 },
	{ "test_mailurl_other_scheme_refused", "imap://mail.example.org", "smtp", 0, NULL, NULL, 0, 0 },
	{ "test_mailurl_http_refused", "http://mail.example.org", "smtp", 0, NULL, NULL, 0, 0 },
	{ "test_mailurl_scheme_without_slashes_refused", "smtp:mail.example.org", "smtp", 0,
	    NULL, NULL, 0, 0 },
	{ "test_mailurl_unknown_suffix_refused", "smtpx://mail.example.org", "smtp", 0,
	    NULL, NULL, 0, 0 },
	{ "test_mailurl_no_host_refused", "smtp://:25", "smtp", 0, NULL, NULL, 0, 0 },
	{ "test_mailurl_empty_brackets_refused", "imap://[]:143", "imap", 0, NULL, NULL, 0, 0 },
	{ "test_mailurl_unclosed_bracket_refused", "imap://[::1:143", "imap", 0, NULL, NULL, 0, 0 },
	{ "test_mailurl_port_zero_refused", "smtp://h.example:0", "smtp", 0, NULL, NULL, 0, 0 },
	{ "test_mailurl_port_too_big_refused", "smtp://h.example:65536", "smtp", 0, NULL, NULL, 0, 0 },
	{ "test_mailurl_port_not_a_number_refused", "smtp://h.example:smtp", "smtp", 0,
	    NULL, NULL, 0, 0 },
	{ "test_mailurl_empty_port_refused", "smtp://h.example:", "smtp", 0, NULL, NULL, 0, 0 },
	{ "test_mailurl_path_refused", "smtp://h.example:25/relay", "smtp", 0, NULL, NULL, 0, 0 },
	{ "test_mailurl_userinfo_refused", "smtp://user:pw@h.example:25", "smtp", 0,
	    NULL, NULL, 0, 0 },
	{ "test_mailurl_text_after_port_refused", "smtp://h.example:25x", "smtp", 0,
	    NULL, NULL, 0, 0 },
	{ "test_mailurl_host_over_255_bytes_refused",
	    "smtp://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example", "smtp", 0,
	    NULL, NULL, 0, 0 },
};

static void
run_case(void **state)
{
	const struct mcase *c = *state;
	struct mailurl u;
	struct fb_error err = { "" };
	int rc = mailurl_parse(c->url, c->allowed, c->allowed[0] == 's' ? 25 : 143,
	    c->allowed[0] == 's' ? 465 : 993, &u, &err);

	if (!c->ok) {
		assert_int_equal(rc, -1);
		/* the error names the URL (or says none was given) and the form wanted */
		if (c->url[0] != '\0')
			assert_non_null(strstr(err.msg, c->url));
		assert_non_null(strstr(err.msg, "://host:port"));
		return;
	}
	assert_int_equal(rc, 0);
	assert_string_equal(u.scheme, c->scheme);
	assert_string_equal(u.host, c->host);
	assert_int_equal(u.port, c->port);
	assert_int_equal(u.tls, c->tls);
}

/* A host of exactly 255 bytes is the longest that fits. */
static void
test_mailurl_host_of_255_bytes_accepted(void **state)
{
	char url[300], host[256];
	struct mailurl u;
	struct fb_error err = { "" };

	(void)state;
	memset(host, 'h', 255);
	host[255] = '\0';
	snprintf(url, sizeof(url), "smtp://%s:25", host);
	assert_int_equal(mailurl_parse(url, "smtp", 25, 465, &u, &err), 0);
	assert_string_equal(u.host, host);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_mailurl_host_of_255_bytes_accepted),
	};
	return testlib_run_table("mailurl", cases, sizeof(cases) / sizeof(cases[0]),
	    sizeof(cases[0]), run_case, fixed, sizeof(fixed) / sizeof(fixed[0]));
}
