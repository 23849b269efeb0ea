/*
 * Unit tests of fbtime: ISO 8601 parsing (every accepted form, and the refusals with a message
 * that lists the accepted forms), local ↔ UTC across daylight-saving changes in several zones
 * (gap shifted forward, ambiguous hour → the first), formatting, calendar arithmetic, zones.
 * Expected instants were computed independently with Python's zoneinfo (fold=0).
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
#include "fberror.h"
#include "fbtime.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char AMS[] = "Europe/Amsterdam";
static const char NYC[] = "America/New_York";

static void
test_parse_accepts_every_iso_form(void **state)
{
	static const struct {
		const char *in, *tz, *want;
	} cases[] = {
		{ "2027-01-04", AMS, "2027-01-03T23:00:00Z" },             /* date: 00:00 local */
		{ "2027-01-04T09:00", AMS, "2027-01-04T08:00:00Z" },
		{ "2027-01-04 09:00", AMS, "2027-01-04T08:00:00Z" },
		{ "2027-01-04T09:00:30", AMS, "2027-01-04T08:00:30Z" },
		{ "2027-01-04 09:00:30", AMS, "2027-01-04T08:00:30Z" },
		{ "2027-07-01T09:00", AMS, "2027-07-01T07:00:00Z" },      /* summer: +02:00 */
		{ "2027-01-04T09:00Z", AMS, "2027-01-04T09:00:00Z" },
		{ "2027-01-04T09:00:59Z", NULL, "2027-01-04T09:00:59Z" }, /* tz unused */
		{ "2027-01-04T09:00+01:00", NULL, "2027-01-04T08:00:00Z" },
		{ "2027-01-04T09:00+0100", NULL, "2027-01-04T08:00:00Z" },
		{ "2027-01-04T09:00-05:00", NULL, "2027-01-04T14:00:00Z" },
		{ "2027-01-04T09:00:10-0530", NULL, "2027-01-04T14:30:10Z" },
		{ "2027-01-04T00:30+05:30", NULL, "2027-01-03T19:00:00Z" },
		{ "2027-01-04", NYC, "2027-01-04T05:00:00Z" },
		{ "2028-02-29", "UTC", "2028-02-29T00:00:00Z" },          /* leap year */
		{ "2000-02-29T12:00Z", NULL, "2000-02-29T12:00:00Z" },    /* 400-year leap */
		{ "2027-03-28T02:30", AMS, "2027-03-28T01:30:00Z" },      /* gap → 03:30 CEST */
		{ "2027-10-31T02:30", AMS, "2027-10-31T00:30:00Z" },      /* ambiguous → CEST */
		{ "1970-01-01T00:00Z", NULL, "1970-01-01T00:00:00Z" },
		{ "2199-12-31T23:59:59Z", NULL, "2199-12-31T23:59:59Z" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct fb_error err = { "" };
		time_t t = 0;

		if (fbtime_parse(cases[i].in, cases[i].tz, &t, &err) != 0)
			fail_msg("%s: %s", cases[i].in, err.msg);
		if (strcmp(testlib_utc(t), cases[i].want) != 0)
			fail_msg("%s in %s: got %s, want %s", cases[i].in,
			    cases[i].tz ? cases[i].tz : "-", testlib_utc(t), cases[i].want);
	}
}

static void
test_parse_refuses_bad_input_listing_accepted_forms(void **state)
{
	static const struct {
		const char *in;
		const char *why; /* a part of the message that says what was wrong */
	} cases[] = {
		{ "2027-02-30", "day 30 does not exist in 2027-02, which has 28 days" },
		{ "2027-02-29", "has 28 days" },
		{ "2100-02-29", "has 28 days" },           /* not a leap year */
		{ "2027-13-01", "month 13" },
		{ "2027-00-10", "month 00" },
		{ "2027-01-00", "day 00" },
		{ "2027-01-04T25:00", "25:00:00 is not a time of day" },
		{ "2027-01-04T24:00", "24:00:00 is not a time of day" },
		{ "2027-01-04T09:60", "09:60:00" },
		{ "2027-01-04T09:00:60", "09:00:60" },
		{ "garbage", "expected a date YYYY-MM-DD" },
		{ "", "expected a date" },
		{ "2027-1-4", "expected a date" },
		{ " 2027-01-04", "expected a date" },
		{ "2027-01-04T", "expected a time HH:MM" },
		{ "2027-01-04T09", "expected a time HH:MM" },
		{ "2027-01-04T9:00", "expected a time HH:MM" },
		{ "2027-01-04T09:00:", "expected seconds" },
		{ "2027-01-04X09:00", "expected 'T' or a space" },
		{ "2027-01-04  09:00", "expected a time" },
		{ "2027-01-04Z", "expected 'T' or a space" },
		{ "2027-01-04T09:00+1", "expected an offset" },
		{ "2027-01-04T09:00+01:0", "expected an offset" },
		{ "2027-01-04T09:00+19:00", "out of range" },
		{ "2027-01-04T09:00Zjunk", "unexpected text after the time" },
		{ "2027-01-04T09:00 ", "unexpected text" },
		{ "1969-12-31", "year 1969 is outside 1970..2199" },
		{ "2200-01-01", "year 2200" },
		{ "1970-01-01T00:30+01:00", "outside the supported years" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct fb_error err = { "" };
		time_t t = 12345;

		if (fbtime_parse(cases[i].in, AMS, &t, &err) != -1)
			fail_msg("%s: accepted as %s", cases[i].in, testlib_utc(t));
		assert_int_equal(t, 12345);
		if (strstr(err.msg, cases[i].why) == NULL)
			fail_msg("%s: message \"%s\" lacks \"%s\"", cases[i].in, err.msg,
			    cases[i].why);
		if (strstr(err.msg, "YYYY-MM-DDTHH:MM[:SS]") == NULL ||
		    strstr(err.msg, "+01:00") == NULL)
			fail_msg("%s: message \"%s\" does not list the accepted forms", cases[i].in,
			    err.msg);
	}
}

static void
test_parse_error_quotes_input_safely(void **state)
{
	struct fb_error err = { "" };
	time_t t;
	char longin[300];

	assert_int_equal(fbtime_parse("bad\n\x1b[31m", AMS, &t, &err), -1);
	assert_non_null(strstr(err.msg, "\"bad??[31m\""));
	memset(longin, 'x', sizeof(longin) - 1);
	longin[sizeof(longin) - 1] = '\0';
	assert_int_equal(fbtime_parse(longin, AMS, &t, &err), -1);
	assert_non_null(strstr(err.msg, "xxx...\""));
	assert_true(strlen(err.msg) < 400);
	assert_int_equal(fbtime_parse(NULL, AMS, &t, &err), -1);
}

static void
test_parse_local_needs_a_known_zone(void **state)
{
	static const char *const bad[] = {
		NULL, "", "Mars/Olympus", "../../etc/passwd", "Europe/../../etc/passwd",
		"/etc/localtime", "Europe//Amsterdam", "Europe/Amsterdam ", "Europe/Amsterdam\n",
		"CET;rm", "Europe/Amsterdam/", "Europe", "zone.tab", "localtime", "posixrules",
		"right/Europe/Amsterdam",
	};

	for (size_t i = 0; i < N(bad); i++) {
		struct fb_error err = { "" };
		time_t t;

		assert_int_equal(fbtime_parse("2027-01-04T09:00", bad[i], &t, &err), -1);
		assert_non_null(strstr(err.msg, "unknown time zone"));
		assert_non_null(strstr(err.msg, "Europe/Amsterdam"));
		assert_int_equal(fbtime_zone_valid(bad[i]), 0);
	}
	/* With an explicit offset the zone is not needed. */
	{
		time_t t;

		assert_int_equal(fbtime_parse("2027-01-04T09:00Z", "Mars/Olympus", &t, NULL), 0);
	}
}

static void
test_zone_valid_known_names(void **state)
{
	static const char *const good[] = {
		"Europe/Amsterdam", "America/New_York", "UTC", "Asia/Kolkata",
		"America/Argentina/Buenos_Aires", "Australia/Lord_Howe", "Etc/GMT+5", "Etc/GMT-14",
		"CET", "US/Eastern",
	};

	for (size_t i = 0; i < N(good); i++)
		if (!fbtime_zone_valid(good[i]))
			fail_msg("%s not valid", good[i]);
	assert_int_equal(fbtime_zone_check("Europe/Amsterdam", NULL), 0);
	assert_int_equal(fbtime_zone_check("Nowhere/Land", NULL), -1);
}

/* Local wall times across DST changes: gap → shifted forward, ambiguous → first. */
static void
test_local_to_utc_gap_and_ambiguous_hours(void **state)
{
	static const struct {
		const char *tz;
		struct fb_date d;
		int hour, min;
		const char *want;
	} cases[] = {
		{ AMS, { 2027, 3, 28 }, 1, 59, "2027-03-28T00:59:00Z" },  /* last CET minute */
		{ AMS, { 2027, 3, 28 }, 2, 0, "2027-03-28T01:00:00Z" },   /* gap start → 03:00 */
		{ AMS, { 2027, 3, 28 }, 2, 30, "2027-03-28T01:30:00Z" },  /* gap → 03:30 CEST */
		{ AMS, { 2027, 3, 28 }, 3, 0, "2027-03-28T01:00:00Z" },
		{ AMS, { 2027, 10, 31 }, 1, 59, "2027-10-30T23:59:00Z" },
		{ AMS, { 2027, 10, 31 }, 2, 0, "2027-10-31T00:00:00Z" },  /* ambiguous: CEST */
		{ AMS, { 2027, 10, 31 }, 2, 30, "2027-10-31T00:30:00Z" }, /* ambiguous: CEST */
		{ AMS, { 2027, 10, 31 }, 3, 0, "2027-10-31T02:00:00Z" },
		{ NYC, { 2027, 1, 4 }, 9, 0, "2027-01-04T14:00:00Z" },
		{ NYC, { 2027, 3, 14 }, 2, 30, "2027-03-14T07:30:00Z" },  /* gap → 03:30 EDT */
		{ NYC, { 2027, 11, 7 }, 1, 30, "2027-11-07T05:30:00Z" },  /* ambiguous: EDT */
		{ NYC, { 2027, 11, 7 }, 2, 30, "2027-11-07T07:30:00Z" },
		{ "Australia/Sydney", { 2027, 4, 4 }, 2, 30, "2027-04-03T15:30:00Z" },
		{ "Australia/Lord_Howe", { 2027, 4, 4 }, 1, 45, "2027-04-03T14:45:00Z" }, /* 30 min */
		{ "Australia/Lord_Howe", { 2027, 10, 3 }, 2, 15, "2027-10-02T15:45:00Z" },
		{ "America/Santiago", { 2027, 9, 5 }, 0, 0, "2027-09-05T04:00:00Z" }, /* midnight gap */
		{ "Asia/Kolkata", { 2027, 3, 28 }, 9, 0, "2027-03-28T03:30:00Z" },
		{ "UTC", { 2027, 3, 28 }, 2, 30, "2027-03-28T02:30:00Z" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct fb_error err = { "" };
		time_t t;

		if (fbtime_local_to_utc(cases[i].tz, &cases[i].d, cases[i].hour, cases[i].min, &t,
		    &err) != 0)
			fail_msg("case %zu: %s", i, err.msg);
		if (strcmp(testlib_utc(t), cases[i].want) != 0)
			fail_msg("%s %04d-%02d-%02d %02d:%02d: got %s, want %s", cases[i].tz,
			    cases[i].d.year, cases[i].d.month, cases[i].d.day, cases[i].hour,
			    cases[i].min, testlib_utc(t), cases[i].want);
	}
}

static void
test_local_to_utc_refuses_bad_values(void **state)
{
	struct fb_error err;
	time_t t;

	assert_int_equal(fbtime_local_to_utc(AMS, &(struct fb_date){ 2027, 2, 29 }, 9, 0, &t,
	    &err), -1);
	assert_non_null(strstr(err.msg, "invalid date 2027-02-29"));
	assert_int_equal(fbtime_local_to_utc(AMS, &(struct fb_date){ 2027, 2, 28 }, 24, 0, &t,
	    &err), -1);
	assert_non_null(strstr(err.msg, "invalid time of day"));
	assert_int_equal(fbtime_local_to_utc(AMS, &(struct fb_date){ 2027, 2, 28 }, 9, -1, &t,
	    &err), -1);
	assert_int_equal(fbtime_local_to_utc(AMS, NULL, 9, 0, &t, &err), -1);
}

static void
test_to_local_reports_offset_weekday_and_dst(void **state)
{
	static const struct {
		const char *tz;
		time_t t;
		struct fb_local want;
	} cases[] = {
		{ AMS, 1806193800, { { 2027, 3, 28 }, 1, 30, 0, 7, 3600, 0 } },
		{ AMS, 1806195600, { { 2027, 3, 28 }, 3, 0, 0, 7, 7200, 1 } },
		{ AMS, 1824942600, { { 2027, 10, 31 }, 2, 30, 0, 7, 7200, 1 } },  /* first 02:30 */
		{ AMS, 1824946200, { { 2027, 10, 31 }, 2, 30, 0, 7, 3600, 0 } },  /* second 02:30 */
		{ NYC, 1806193800, { { 2027, 3, 27 }, 20, 30, 0, 6, -14400, 1 } },
		{ NYC, 1799071200, { { 2027, 1, 4 }, 9, 0, 0, 1, -18000, 0 } },
		{ "UTC", 0, { { 1970, 1, 1 }, 0, 0, 0, 4, 0, 0 } },
		{ "UTC", 1799049659, { { 2027, 1, 4 }, 8, 0, 59, 1, 0, 0 } },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct fb_error err = { "" };
		struct fb_local l;

		if (fbtime_to_local(cases[i].tz, cases[i].t, &l, &err) != 0)
			fail_msg("case %zu: %s", i, err.msg);
		assert_int_equal(l.date.year, cases[i].want.date.year);
		assert_int_equal(l.date.month, cases[i].want.date.month);
		assert_int_equal(l.date.day, cases[i].want.date.day);
		assert_int_equal(l.hour, cases[i].want.hour);
		assert_int_equal(l.min, cases[i].want.min);
		assert_int_equal(l.sec, cases[i].want.sec);
		assert_int_equal(l.weekday, cases[i].want.weekday);
		assert_int_equal(l.utc_offset, cases[i].want.utc_offset);
		assert_int_equal(l.is_dst, cases[i].want.is_dst);
	}
}

static void
test_to_local_refuses_out_of_range_instants(void **state)
{
	static const time_t bad[] = { -1, (time_t)7258118400LL /* 2200-01-01 */,
		(time_t)INT64_MAX, (time_t)INT64_MIN };
	struct fb_local l;
	struct fb_error err;
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < N(bad); i++) {
		assert_int_equal(fbtime_to_local(AMS, bad[i], &l, &err), -1);
		assert_non_null(strstr(err.msg, "outside the supported years"));
		assert_int_equal(fbtime_format_utc(bad[i], &b), -1);
		assert_int_equal(fbtime_format_local(AMS, bad[i], &b), -1);
	}
	assert_int_equal(b.len, 0);
	assert_int_equal(fbtime_to_local(AMS, (time_t)7258118399LL, &l, &err), 0);
}

static void
test_format_local_and_utc(void **state)
{
	static const struct {
		const char *tz;
		time_t t;
		const char *local, *utc;
	} cases[] = {
		{ AMS, 1806303600, "2027-03-29 09:00 +02:00", "2027-03-29T07:00:00Z" },
		{ AMS, 1799049600, "2027-01-04 09:00 +01:00", "2027-01-04T08:00:00Z" },
		{ NYC, 1799071200, "2027-01-04 09:00 -05:00", "2027-01-04T14:00:00Z" },
		{ "Asia/Kolkata", 1806204600, "2027-03-28 09:00 +05:30", "2027-03-28T03:30:00Z" },
		{ "UTC", 0, "1970-01-01 00:00 +00:00", "1970-01-01T00:00:00Z" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct buf b = BUF_INIT;

		assert_int_equal(fbtime_format_local(cases[i].tz, cases[i].t, &b), 0);
		assert_string_equal(b.data, cases[i].local);
		buf_reset(&b);
		assert_int_equal(fbtime_format_utc(cases[i].t, &b), 0);
		assert_string_equal(b.data, cases[i].utc);
		buf_release(&b);
	}
	{
		struct buf b = BUF_INIT;

		assert_int_equal(fbtime_format_local("Nowhere/Land", 0, &b), -1);
		assert_int_equal(fbtime_format_date(&(struct fb_date){ 2027, 3, 1 }, &b), 0);
		assert_string_equal(b.data, "2027-03-01");
		buf_release(&b);
	}
}

static void
test_date_arithmetic(void **state)
{
	static const struct {
		struct fb_date d;
		int days;
		struct fb_date want;
		int want_weekday; /* of want */
	} cases[] = {
		{ { 2027, 3, 1 }, 0, { 2027, 3, 1 }, 1 },
		{ { 2027, 3, 1 }, 27, { 2027, 3, 28 }, 7 },
		{ { 2027, 3, 1 }, 28 * 7, { 2027, 9, 13 }, 1 },
		{ { 2027, 3, 1 }, 35 * 7, { 2027, 11, 1 }, 1 },   /* week 36 of a 2027-03-01 start */
		{ { 2027, 12, 31 }, 1, { 2028, 1, 1 }, 6 },
		{ { 2028, 2, 28 }, 1, { 2028, 2, 29 }, 2 },
		{ { 2028, 2, 29 }, 1, { 2028, 3, 1 }, 3 },
		{ { 2027, 2, 28 }, 1, { 2027, 3, 1 }, 1 },
		{ { 2100, 2, 28 }, 1, { 2100, 3, 1 }, 1 },
		{ { 2000, 2, 28 }, 1, { 2000, 2, 29 }, 2 },
		{ { 2027, 3, 3 }, -2, { 2027, 3, 1 }, 1 },
		{ { 2027, 1, 1 }, -1, { 2026, 12, 31 }, 4 },
		{ { 1970, 1, 1 }, 0, { 1970, 1, 1 }, 4 },
		{ { 1970, 1, 1 }, 365 * 230 + 55, { 2199, 12, 31 }, 2 },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct fb_date got = fbtime_date_add_days(&cases[i].d, cases[i].days);

		if (fbtime_date_cmp(&got, &cases[i].want) != 0)
			fail_msg("case %zu: got %04d-%02d-%02d", i, got.year, got.month, got.day);
		assert_int_equal(fbtime_weekday(&got), cases[i].want_weekday);
		assert_int_equal(fbtime_days_between(&cases[i].d, &got), cases[i].days);
		assert_int_equal(fbtime_days_between(&got, &cases[i].d), -cases[i].days);
		assert_true(fbtime_date_valid(&got));
	}
	assert_true(fbtime_date_cmp(&(struct fb_date){ 2027, 3, 1 },
	    &(struct fb_date){ 2027, 3, 2 }) < 0);
	assert_true(fbtime_date_cmp(&(struct fb_date){ 2028, 1, 1 },
	    &(struct fb_date){ 2027, 12, 31 }) > 0);
	assert_string_equal(fbtime_weekday_name(1), "Monday");
	assert_string_equal(fbtime_weekday_name(7), "Sunday");
	assert_string_equal(fbtime_weekday_name(0), "?");
}

static void
test_parse_date(void **state)
{
	static const struct {
		const char *in;
		int ok;
		struct fb_date want;
	} cases[] = {
		{ "2027-03-01", 1, { 2027, 3, 1 } },
		{ "2028-02-29", 1, { 2028, 2, 29 } },
		{ "2027-02-29", 0, { 0, 0, 0 } },
		{ "2027-04-31", 0, { 0, 0, 0 } },
		{ "2027-03-01T09:00", 0, { 0, 0, 0 } },
		{ "27-03-01", 0, { 0, 0, 0 } },
		{ "", 0, { 0, 0, 0 } },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct fb_error err = { "" };
		struct fb_date d = { -1, -1, -1 };
		int rc = fbtime_parse_date(cases[i].in, &d, &err);

		if (cases[i].ok) {
			if (rc != 0)
				fail_msg("%s: %s", cases[i].in, err.msg);
			assert_int_equal(fbtime_date_cmp(&d, &cases[i].want), 0);
		} else {
			if (rc != -1)
				fail_msg("%s: accepted", cases[i].in);
			assert_int_equal(d.year, -1);
			assert_non_null(strstr(err.msg, "accepted: YYYY-MM-DD"));
			assert_non_null(strstr(err.msg, "is not a valid date"));
		}
	}
}

/* Every local minute of both 2027 change days in Amsterdam maps to an instant that reads
 * back as the same wall time, except the gap, which reads back one hour later. */
static void
test_local_round_trip_over_change_days(void **state)
{
	static const struct fb_date days[] = { { 2027, 3, 28 }, { 2027, 10, 31 } };

	for (size_t i = 0; i < N(days); i++) {
		for (int m = 0; m < 24 * 60; m++) {
			struct fb_local l;
			time_t t;
			int in_gap = i == 0 && m >= 120 && m < 180;
			int want = in_gap ? m + 60 : m;

			assert_int_equal(fbtime_local_to_utc(AMS, &days[i], m / 60, m % 60, &t, NULL), 0);
			assert_int_equal(fbtime_to_local(AMS, t, &l, NULL), 0);
			if (l.hour * 60 + l.min != want || l.date.day != days[i].day)
				fail_msg("%d-%02d %02d:%02d read back as %02d:%02d", days[i].month,
				    days[i].day, m / 60, m % 60, l.hour, l.min);
		}
	}
}

static void
test_format_human_date_in_both_languages(void **state)
{
	static const struct {
		struct fb_date d;
		const char *lang;
		int this_year;
		const char *want;   /* NULL: refused */
	} cases[] = {
		{ { 2027, 3, 15 }, "nl", 2027, "maandag 15 maart" },
		{ { 2027, 3, 15 }, "en", 2027, "Monday 15 March" },
		{ { 2027, 3, 15 }, "nl", 2026, "maandag 15 maart 2027" },
		{ { 2027, 3, 15 }, "en", 2028, "Monday 15 March 2027" },
		{ { 2026, 12, 31 }, "nl", 2026, "donderdag 31 december" },
		{ { 2027, 1, 3 }, "en", 2027, "Sunday 3 January" },
		{ { 2028, 2, 29 }, "nl", 2028, "dinsdag 29 februari" },
		{ { 2027, 5, 1 }, "fr", 2027, "zaterdag 1 mei" },     /* unknown language: nl */
		{ { 2027, 5, 1 }, NULL, 2027, "zaterdag 1 mei" },
		{ { 2027, 2, 29 }, "nl", 2027, NULL },               /* no such day */
		{ { 2027, 13, 1 }, "en", 2027, NULL },
		{ { 1969, 1, 1 }, "en", 2027, NULL },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf out = BUF_INIT;
		int rc = fbtime_format_human_date(&cases[i].d, cases[i].lang, cases[i].this_year,
		    &out);

		if (cases[i].want == NULL) {
			assert_int_equal(rc, -1);
		} else {
			assert_int_equal(rc, 0);
			assert_string_equal(out.data, cases[i].want);
		}
		buf_release(&out);
	}
}

static int
teardown(void **state)
{
	fbtime_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_accepts_every_iso_form),
		cmocka_unit_test(test_parse_refuses_bad_input_listing_accepted_forms),
		cmocka_unit_test(test_parse_error_quotes_input_safely),
		cmocka_unit_test(test_parse_local_needs_a_known_zone),
		cmocka_unit_test(test_zone_valid_known_names),
		cmocka_unit_test(test_local_to_utc_gap_and_ambiguous_hours),
		cmocka_unit_test(test_local_to_utc_refuses_bad_values),
		cmocka_unit_test(test_to_local_reports_offset_weekday_and_dst),
		cmocka_unit_test(test_to_local_refuses_out_of_range_instants),
		cmocka_unit_test(test_format_local_and_utc),
		cmocka_unit_test(test_date_arithmetic),
		cmocka_unit_test(test_parse_date),
		cmocka_unit_test(test_local_round_trip_over_change_days),
		cmocka_unit_test(test_format_human_date_in_both_languages),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
