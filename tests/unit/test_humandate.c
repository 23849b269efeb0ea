/*
 * Unit tests of humandate: dates as a mail shows them, in Dutch and English, from a date and
 * from an instant in a zone (across a daylight-saving change), and the refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testlib.h"

#include "buf.h"
#include "humandate.h"

static const struct date_case {
	const char *name;
	struct fb_date d;
	const char *lang;
	const char *want;
} date_cases[] = {
	{ "nl_monday_march", { 2027, 3, 15 }, "nl", "maandag 15 maart" },
	{ "en_monday_march", { 2027, 3, 15 }, "en", "Monday 15 March" },
	{ "nl_sunday_january", { 2027, 1, 3 }, "nl", "zondag 3 januari" },
	{ "en_friday_december", { 2027, 12, 31 }, "en", "Friday 31 December" },
	{ "nl_leap_day", { 2028, 2, 29 }, "nl", "dinsdag 29 februari" },
	{ "unknown_language_is_dutch", { 2027, 5, 1 }, "de", "zaterdag 1 mei" },
	{ "no_language_is_dutch", { 2027, 8, 4 }, NULL, "woensdag 4 augustus" },
	{ "invalid_day_refused", { 2027, 2, 30 }, "nl", NULL },
	{ "invalid_month_refused", { 2027, 13, 1 }, "en", NULL },
};

static void
run_date_case(void **state)
{
	const struct date_case *c = *state;
	struct buf out = BUF_INIT;

	assert_int_equal(buf_adds(&out, ">"), 0);
	if (c->want == NULL) {
		assert_int_equal(humandate_format(&c->d, c->lang, &out), -1);
		assert_string_equal(out.data, ">");
	} else {
		assert_int_equal(humandate_format(&c->d, c->lang, &out), 0);
		assert_non_null(out.data);
		assert_string_equal(out.data + 1, c->want);
	}
	buf_release(&out);
}

static const struct at_case {
	const char *name;
	const char *utc;
	const char *tz;
	const char *lang;
	int with_time;
	const char *want;
} at_cases[] = {
	{ "nl_winter_time", "2027-01-05T13:00:00Z", "Europe/Amsterdam", "nl", 1,
	    "dinsdag 5 januari om 14:00" },
	{ "en_summer_time", "2027-04-06T12:00:00Z", "Europe/Amsterdam", "en", 1,
	    "Tuesday 6 April at 14:00" },
	{ "date_only", "2027-03-14T22:59:59Z", "Europe/Amsterdam", "nl", 0, "zondag 14 maart" },
	{ "the_zone_decides_the_day", "2027-03-14T23:30:00Z", "Europe/London", "en", 1,
	    "Sunday 14 March at 23:30" },
	{ "unknown_zone_refused", "2027-03-14T23:30:00Z", "Nowhere/Atlantis", "en", 1, NULL },
};

static void
run_at_case(void **state)
{
	const struct at_case *c = *state;
	struct buf out = BUF_INIT;
	time_t t;

	assert_int_equal(fbtime_parse(c->utc, "UTC", &t, NULL), 0);
	if (c->want == NULL) {
		assert_int_equal(humandate_format_at(t, c->tz, c->lang, c->with_time, &out), -1);
		assert_int_equal(out.len, 0);
	} else {
		assert_int_equal(humandate_format_at(t, c->tz, c->lang, c->with_time, &out), 0);
		assert_string_equal(out.data, c->want);
	}
	buf_release(&out);
}

static void
test_weekday_names(void **state)
{
	(void)state;
	assert_string_equal(humandate_weekday(1, "nl"), "maandag");
	assert_string_equal(humandate_weekday(7, "en"), "Sunday");
	assert_string_equal(humandate_weekday(3, NULL), "woensdag");
	assert_string_equal(humandate_weekday(0, "en"), "?");
	assert_string_equal(humandate_weekday(8, "nl"), "?");
}

static int
teardown(void **state)
{
	(void)state;
	fbtime_cleanup();
	return 0;
}

int
main(void)
{
	const struct testlib_rows tables[] = {
		TESTLIB_NAMED_ROWS(run_date_case, date_cases),
		TESTLIB_NAMED_ROWS(run_at_case, at_cases),
	};

	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_weekday_names),
	};

	return testlib_run_rows("humandate", tables, sizeof(tables) / sizeof(tables[0]), fixed,
	    sizeof(fixed) / sizeof(fixed[0]), NULL, teardown);
}
