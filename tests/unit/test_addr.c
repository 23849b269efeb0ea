/*
 * Unit tests of addr (src/core/addr.c): addresses as people type them, in a roster or on the
 * command line, validated with libetpan and normalised (domain lowercased, local part kept as
 * written, display name given back), and the forms refused with the error saying why. One test
 * per row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "addr.h"
#include "testlib.h"

struct acase {
	const char *name;
	const char *in;
	const char *want_addr;  /* NULL: refused */
	const char *want_name;  /* the display name; "" none; for a refusal: a phrase of the error */
};

static const struct acase cases[] = {
	{ "test_addr_bare", "jan@example.org", "jan@example.org", "" },
	{ "test_addr_domain_lowercased_local_part_kept", "Jan.De.Vries@Example.ORG",
	    "Jan.De.Vries@example.org", "" },
	{ "test_addr_name_and_angle_brackets", "Jan <jan@example.org>", "jan@example.org", "Jan" },
	{ "test_addr_quoted_name_with_comma", "\"Vries, Jan\" <jan@Example.ORG>", "jan@example.org",
	    "Vries, Jan" },
	{ "test_addr_surrounding_blanks", "  jan@example.org  ", "jan@example.org", "" },
	{ "test_addr_plus_and_subdomain", "jan+fb@mail.example.co.uk", "jan+fb@mail.example.co.uk", "" },
	{ "test_addr_empty_refused", "", NULL, "empty" },
	{ "test_addr_no_at_refused", "jan.example.org", NULL, "not an email address" },
	{ "test_addr_no_domain_refused", "jan@", NULL, "not an email address" },
	{ "test_addr_no_local_part_refused", "@example.org", NULL, "not an email address" },
	{ "test_addr_single_label_domain_refused", "jan@localhost", NULL, "not a full domain name" },
	{ "test_addr_domain_starting_with_dot_refused", "jan@.example.org", NULL, "not an email address" },
	{ "test_addr_domain_ending_with_dot_refused", "jan@example.org.", NULL, "not" },
	{ "test_addr_two_addresses_refused", "jan@example.org, piet@example.org", NULL,
	    "more than one address" },
	{ "test_addr_text_after_address_refused", "<jan@example.org> extra", NULL, "" },
	{ "test_addr_unclosed_angle_bracket_refused", "Jan <jan@example.org", NULL, "not closed" },
	{ "test_addr_stray_closing_bracket_refused", "jan@example.org>", NULL, "" },
};

static void
run_case(void **state)
{
	const struct acase *c = *state;
	struct buf addr = BUF_INIT, name = BUF_INIT;
	struct fb_error err = { "" };
	int rc = addr_parse(c->in, &addr, &name, &err);

	if (c->want_addr == NULL) {
		assert_int_equal(rc, -1);
		assert_non_null(strstr(err.msg, c->want_name));
		assert_true(strlen(err.msg) > 0);
	} else {
		assert_int_equal(rc, 0);
		assert_string_equal(addr.len ? addr.data : "", c->want_addr);
		assert_string_equal(name.len ? name.data : "", c->want_name);
	}
	buf_release(&addr);
	buf_release(&name);
}

/* The address is appended to what the buffer holds; name may be NULL. */
static void
test_addr_appends_and_name_optional(void **state)
{
	struct buf addr = BUF_INIT;
	struct fb_error err = { "" };

	(void)state;
	assert_int_equal(buf_adds(&addr, "to: "), 0);
	assert_int_equal(addr_parse("Jan <jan@EXAMPLE.org>", &addr, NULL, &err), 0);
	assert_string_equal(addr.data, "to: jan@example.org");
	buf_release(&addr);
}

/* Over 320 bytes is refused before parsing, and the error quotes at most 80 of them. */
static void
test_addr_too_long_refused_with_short_quote(void **state)
{
	char in[400];
	struct buf addr = BUF_INIT;
	struct fb_error err = { "" };

	(void)state;
	memset(in, 'a', sizeof(in) - 1);
	memcpy(in + sizeof(in) - 13, "@example.org", 13);
	assert_int_equal(addr_parse(in, &addr, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "too long"));
	assert_true(strlen(err.msg) < 200);
	assert_int_equal(addr.len, 0);
	buf_release(&addr);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_addr_appends_and_name_optional),
		cmocka_unit_test(test_addr_too_long_refused_with_short_quote),
	};
	return testlib_run_table("addr", cases, sizeof(cases) / sizeof(cases[0]),
	    sizeof(cases[0]), run_case, fixed, sizeof(fixed) / sizeof(fixed[0]));
}
