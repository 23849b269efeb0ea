/*
 * Unit tests of redate (src/core/redate.c): mail the budget deferred is dated the day it goes.
 * Each case: a message, the zone and the new time, and the message expected (NULL: refused).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "redate.h"
#include "testlib.h"

#define JAN4 ((time_t)1799053200)  /* 2027-01-04T09:00:00Z: Monday, 10:00 in Amsterdam */
#define JUL6 ((time_t)1814864400)  /* 2027-07-06T09:00:00Z: a Tuesday in summer time */

struct rcase {
	const char *name, *tz;
	time_t at;
	const char *in, *out;
};

static const struct rcase cases[] = {
	{ "test_redate_replaces_the_date_keeps_the_rest", "Europe/Amsterdam", JAN4,
	    "Date: Fri, 1 Jan 2027 12:00:00 +0100\r\nFrom: a@b\r\nSubject: x\r\n\r\nDate: body\r\n",
	    "Date: Mon, 4 Jan 2027 10:00:00 +0100\r\nFrom: a@b\r\nSubject: x\r\n\r\nDate: body\r\n" },
	{ "test_redate_a_date_that_is_not_the_first_header", "Europe/Amsterdam", JUL6,
	    "From: a@b\r\nDate: Fri, 1 Jan 2027 12:00:00 +0100\r\nTo: c@d\r\n\r\nhi",
	    "From: a@b\r\nDate: Tue, 6 Jul 2027 11:00:00 +0200\r\nTo: c@d\r\n\r\nhi" },
	{ "test_redate_a_folded_date", "UTC", JAN4,
	    "X-Date: no\r\nDate: Fri,\r\n 1 Jan 2027 12:00:00 +0100\r\nTo: c@d\r\n\r\nhi",
	    "X-Date: no\r\nDate: Mon, 4 Jan 2027 09:00:00 +0000\r\nTo: c@d\r\n\r\nhi" },
	{ "test_redate_west_of_greenwich", "America/New_York", JAN4,
	    "Date: x\r\n\r\n", "Date: Mon, 4 Jan 2027 04:00:00 -0500\r\n\r\n" },
	{ "test_redate_no_date_header_is_refused", "UTC", JAN4,
	    "From: a@b\r\n\r\nDate: in the body\r\n", NULL },
	{ "test_redate_an_unknown_zone_is_refused", "Nowhere/Atlantis", JAN4,
	    "Date: x\r\n\r\n", NULL },
};

static void
run_case(void **state)
{
	const struct rcase *c = *state;
	struct buf out = BUF_INIT;
	struct fb_error err;
	int rc;

	assert_int_equal(buf_adds(&out, "kept:"), 0);
	rc = redate_message(c->in, strlen(c->in), c->tz, c->at, &out, &err);
	if (c->out == NULL) {
		assert_int_equal(rc, -1);
		assert_string_equal(out.data, "kept:");
	} else {
		if (rc != 0)
			fail_msg("refused: %s", err.msg);
		assert_string_equal(out.data + 5, c->out);
	}
	buf_release(&out);
}

int
main(void)
{
	return testlib_run_table("redate", cases, sizeof(cases) / sizeof(cases[0]),
	    sizeof(cases[0]), run_case, NULL, 0);
}
