/*
 * Unit tests of dayword: each written form a facilitator uses in "Afwezig: … t/m …", placed on
 * the calendar from a fixed today (Wednesday 10 February 2027), and what is not a day.
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

#include "dayword.h"
#include "fbtime.h"

struct day_case {
	const char *name;
	const char *text;
	const char *not_before; /* NULL: today */
	const char *want;       /* NULL: not a day */
};

static const char TODAY[] = "2027-02-10"; /* a Wednesday */

static const struct day_case cases[] = {
	{ "iso", "2027-02-12", NULL, "2027-02-12" },
	{ "dutch_order", "12-2-2027", NULL, "2027-02-12" },
	{ "slashes", "12/02/2027", NULL, "2027-02-12" },
	{ "dots", "12.2.2027", NULL, "2027-02-12" },
	{ "day_month_no_year", "12-3", NULL, "2027-03-12" },
	{ "day_month_no_year_past_goes_to_next_year", "1/2", NULL, "2028-02-01" },
	{ "named_month_nl", "12 februari", NULL, "2027-02-12" },
	{ "named_month_short_with_stop", "12 feb.", NULL, "2027-02-12" },
	{ "named_month_mrt", "1 mrt", NULL, "2027-03-01" },
	{ "named_month_ordinal_nl", "1e maart", NULL, "2027-03-01" },
	{ "named_month_ordinal_ste", "1ste maart", NULL, "2027-03-01" },
	{ "named_month_with_year", "12 februari 2028", NULL, "2028-02-12" },
	{ "month_first_en", "February 12th", NULL, "2027-02-12" },
	{ "month_first_en_comma_year", "Feb 12, 2028", NULL, "2028-02-12" },
	{ "the_12th_of_march", "the 12th of March", NULL, "2027-03-12" },
	{ "mei_and_may", "3 mei", NULL, "2027-05-03" },
	{ "may_en", "May 3", NULL, "2027-05-03" },
	{ "leap_day_no_year", "29 februari", NULL, "2028-02-29" },
	{ "weekday_nl", "vrijdag", NULL, "2027-02-12" },
	{ "weekday_today_is_today", "woensdag", NULL, "2027-02-10" },
	{ "weekday_short_nl", "vr", NULL, "2027-02-12" },
	{ "weekday_en_capital", "Friday", NULL, "2027-02-12" },
	{ "weekday_en_short", "fri.", NULL, "2027-02-12" },
	{ "weekday_before_today_wraps", "maandag", NULL, "2027-02-15" },
	{ "weekday_aanstaande", "vrijdag a.s.", NULL, "2027-02-12" },
	{ "weekday_komende", "komende vrijdag", NULL, "2027-02-12" },
	{ "next_week_nl", "volgende week vrijdag", NULL, "2027-02-19" },
	{ "next_en", "next Friday", NULL, "2027-02-19" },
	{ "weekday_then_date", "vrijdag 19 februari", NULL, "2027-02-19" },
	{ "weekday_after_from", "vrijdag", "2027-02-16", "2027-02-19" },
	{ "tomorrow_nl", "morgen", NULL, "2027-02-11" },
	{ "day_after_tomorrow_nl", "overmorgen", NULL, "2027-02-12" },
	{ "day_after_tomorrow_en", "the day after tomorrow", NULL, "2027-02-12" },
	{ "today_en", "today", NULL, "2027-02-10" },
	{ "monthday_after_from", "2 maart", "2027-03-05", "2028-03-02" },
	{ "refuses_30_february", "30 februari", NULL, NULL },
	{ "refuses_30_2_2027", "30-2-2027", NULL, NULL },
	{ "refuses_two_digit_year", "1-2-27", NULL, NULL },
	{ "refuses_month_alone", "maart", NULL, NULL },
	{ "refuses_number_alone", "12", NULL, NULL },
	{ "refuses_next_week_alone", "volgende week", NULL, NULL },
	{ "refuses_words", "als het weer beter gaat", NULL, NULL },
	{ "refuses_next_tomorrow", "next tomorrow", NULL, NULL },
	{ "refuses_day_32", "32 januari", NULL, NULL },
	{ "refuses_too_long", "vrijdag vrijdag vrijdag vrijdag vrijdag vrijdag vrijdag vrijdag vrijdag",
	  NULL, NULL },
	{ "refuses_non_ascii", "vrijdág", NULL, NULL },
	{ "refuses_empty", "", NULL, NULL },
};

static void
run_case(void **state)
{
	const struct day_case *c = *state;
	struct fb_date today, nb, got = { 0, 0, 0 };
	struct dayword w;
	char s[11];

	assert_int_equal(fbtime_parse_date(TODAY, &today, NULL), 0);
	nb = today;
	if (c->not_before != NULL)
		assert_int_equal(fbtime_parse_date(c->not_before, &nb, NULL), 0);
	if (c->want == NULL) {
		if (dayword_parse(c->text, strlen(c->text), &w) == 0)
			fail_msg("\"%s\" read as a day (kind %d)", c->text, (int)w.kind);
		return;
	}
	if (dayword_parse(c->text, strlen(c->text), &w) != 0)
		fail_msg("\"%s\" not read as a day", c->text);
	assert_int_equal(dayword_resolve(&w, &today, &nb, &got), 0);
	snprintf(s, sizeof(s), "%04d-%02d-%02d", got.year, got.month, got.day);
	assert_string_equal(s, c->want);
}

/* A day at the end of a name is taken only when it has a digit: "Jan Vrijdag" is a person. */
static void
test_has_digit(void **state)
{
	(void)state;
	assert_true(dayword_has_digit("12 feb", 6));
	assert_true(dayword_has_digit("1-2-2027", 8));
	assert_false(dayword_has_digit("vrijdag", 7));
	assert_false(dayword_has_digit("morgen", 6));
	assert_false(dayword_has_digit("12 bananen", 10));
}

int
main(void)
{
	const struct CMUnitTest fixed[] = { cmocka_unit_test(test_has_digit) };

	return testlib_run_table("dayword", cases, sizeof(cases) / sizeof(cases[0]),
	    sizeof(cases[0]), run_case, fixed, 1);
}
