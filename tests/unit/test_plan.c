/*
 * Unit tests of plan: the default timeline of a 10-week programme, moments that stay at the
 * same LOCAL time across daylight-saving changes (Amsterdam, New York), week numbers by local
 * date, reminders and closes, the follow-up at week 36, the refusal of a non-Monday start and
 * of bad settings, sessions scheduled or still to schedule, and the due/next windows the
 * scheduler relies on.
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
#include "plan.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* An instant from an ISO string with Z or offset (tests only; fails the test if bad). */
static time_t
T(const char *iso)
{
	struct fb_error err = { "" };
	time_t t = 0;

	if (fbtime_parse(iso, NULL, &t, &err) != 0)
		fail_msg("%s: %s", iso, err.msg);
	return t;
}

/* Build the plan of a programme starting on date (YYYY-MM-DD) in tz with default settings. */
static void
build_default(struct plan *p, const char *date, const char *tz,
    const struct plan_session *sessions, size_t nsessions)
{
	struct plan_settings s;
	struct fb_date d;
	struct fb_error err = { "" };

	plan_settings_default(&s);
	if (tz != NULL)
		s.tz = tz;
	assert_int_equal(fbtime_parse_date(date, &d, NULL), 0);
	if (plan_build(&s, &d, sessions, nsessions, p, &err) != 0)
		fail_msg("plan_build %s: %s", date, err.msg);
}

static const struct plan_moment *
find(const struct plan *p, const char *key)
{
	const struct plan_moment *m = plan_find(p, key);

	if (m == NULL)
		fail_msg("no moment %s", key);
	return m;
}

static void
test_plan_settings_default_are_the_product_defaults(void **state)
{
	struct plan_settings s;

	memset(&s, 0x5a, sizeof(s));
	plan_settings_default(&s);
	assert_string_equal(s.tz, "Europe/Amsterdam");
	assert_int_equal(s.weeks, 10);
	assert_int_equal(s.nudge.weekday, 1);
	assert_int_equal(s.nudge.hour, 9);
	assert_int_equal(s.nudge.min, 0);
	assert_int_equal(s.weekly_report.hour, 8);
	assert_int_equal(s.questionnaire.hour, 9);
	assert_int_equal(s.progress_report.hour, 8);
	assert_int_equal(s.evaluation_report.hour, 8);
	assert_int_equal(s.nreminders, 2);
	assert_int_equal(s.reminder_days[0], 3);
	assert_int_equal(s.reminder_days[1], 6);
	assert_int_equal(s.close_days, 14);
	assert_int_equal(s.followup_weeks, 26);
	assert_int_equal(s.midterm_week, 0);
}

/* The whole default timeline of a programme starting 2027-03-01, in local time. */
static void
test_plan_default_timeline(void **state)
{
	static const struct {
		const char *key;
		const char *local;
		int week;
	} cases[] = {
		{ "nudge:w1", "2027-03-01 09:00 +01:00", 1 },
		{ "questionnaire:baseline", "2027-03-01 09:00 +01:00", 1 },
		{ "reminder:baseline:1", "2027-03-04 09:00 +01:00", 1 },
		{ "reminder:baseline:2", "2027-03-07 09:00 +01:00", 1 },
		{ "close:baseline", "2027-03-15 09:00 +01:00", 3 },
		{ "report:weekly:w1", "2027-03-08 08:00 +01:00", 2 },
		{ "nudge:w4", "2027-03-22 09:00 +01:00", 4 },
		{ "nudge:w5", "2027-03-29 09:00 +02:00", 5 },
		{ "report:weekly:w4", "2027-03-29 08:00 +02:00", 5 },
		{ "questionnaire:midterm", "2027-03-29 09:00 +02:00", 5 },
		{ "reminder:midterm:2", "2027-04-04 09:00 +02:00", 5 },
		{ "close:midterm", "2027-04-12 09:00 +02:00", 7 },
		{ "report:progress", "2027-03-29 08:00 +02:00", 5 },
		{ "nudge:w10", "2027-05-03 09:00 +02:00", 10 },
		{ "questionnaire:final", "2027-05-03 09:00 +02:00", 10 },
		{ "close:final", "2027-05-17 09:00 +02:00", 12 },
		{ "end:programme", "2027-05-09 23:59 +02:00", 10 },
		{ "report:weekly:w10", "2027-05-10 08:00 +02:00", 11 },
		{ "report:evaluation", "2027-05-10 08:00 +02:00", 11 },
		{ "questionnaire:followup", "2027-11-01 09:00 +01:00", 36 },
		{ "reminder:followup:1", "2027-11-04 09:00 +01:00", 36 },
		{ "close:followup", "2027-11-15 09:00 +01:00", 38 },
		{ "report:followup", "2027-11-15 09:00 +01:00", 38 },
		{ "end:followup", "2027-11-15 09:00 +01:00", 38 },
		{ "session:kickoff", "2027-03-01 00:00 +01:00", 1 },    /* to schedule */
		{ "session:progress", "2027-03-29 00:00 +02:00", 5 },
		{ "session:evaluation", "2027-05-03 00:00 +02:00", 10 },
	};
	struct plan p = PLAN_INIT;

	build_default(&p, "2027-03-01", NULL, NULL, 0);
	/* 10 nudges, 10 weekly reports, 4 x (questionnaire, 2 reminders, close), 3 reports,
	 * 3 sessions, 2 ends */
	assert_int_equal(p.n, 44);
	assert_string_equal(testlib_utc(p.start_at), "2027-02-28T23:00:00Z");
	assert_string_equal(testlib_utc(p.end_at), "2027-05-09T21:59:59Z");
	for (size_t i = 0; i < N(cases); i++) {
		const struct plan_moment *m = find(&p, cases[i].key);
		struct buf b = BUF_INIT;

		assert_int_equal(fbtime_format_local(p.tz, m->at, &b), 0);
		if (strcmp(b.data, cases[i].local) != 0 || m->week != cases[i].week)
			fail_msg("%s: at %s week %d, want %s week %d", cases[i].key, b.data, m->week,
			    cases[i].local, cases[i].week);
		buf_release(&b);
	}
	plan_release(&p);
}

static void
test_plan_moments_sorted_unique_and_described(void **state)
{
	struct plan p = PLAN_INIT;

	build_default(&p, "2027-03-01", NULL, NULL, 0);
	for (size_t i = 0; i < p.n; i++) {
		const struct plan_moment *m = &p.moments[i];

		assert_true(m->key[0] != '\0');
		assert_true(m->label[0] != '\0');
		if (i > 0) {
			const struct plan_moment *prev = &p.moments[i - 1];

			assert_true(prev->at < m->at || (prev->at == m->at && prev->kind <= m->kind));
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(p.moments[j].key, m->key) == 0)
				fail_msg("key %s twice", m->key);
		if (m->kind == PLAN_QUESTIONNAIRE || m->kind == PLAN_REMINDER ||
		    m->kind == PLAN_QUESTIONNAIRE_CLOSE)
			assert_true(m->measurement >= PLAN_BASELINE && m->measurement <= PLAN_FOLLOWUP);
		else
			assert_int_equal(m->measurement, PLAN_NO_MEASUREMENT);
		if (m->kind == PLAN_SESSION)
			assert_true(m->session >= PLAN_KICKOFF && m->session <= PLAN_EVALUATION);
		else
			assert_int_equal(m->session, PLAN_NO_SESSION);
	}
	assert_string_equal(find(&p, "reminder:midterm:2")->label,
	    "Midterm questionnaire: reminder 2");
	assert_int_equal(find(&p, "reminder:midterm:2")->number, 2);
	assert_int_equal(find(&p, "report:weekly:w4")->number, 4);
	assert_string_equal(find(&p, "report:weekly:w4")->label, "Weekly report on week 4");
	assert_string_equal(find(&p, "session:progress")->label,
	    "Progress session: to schedule in week 5");
	assert_string_equal(plan_measurement_name(PLAN_FOLLOWUP), "followup");
	assert_string_equal(plan_session_name(PLAN_EVALUATION), "evaluation");
	assert_string_equal(plan_kind_name(PLAN_WEEKLY_REPORT), "weekly-report");
	assert_string_equal(plan_kind_name((enum plan_kind)99), "?");
	plan_release(&p);
}

/* Moments at the same instant come in enum order: the weekly report before the progress
 * report; a questionnaire's close before the follow-up report before the follow-up end. */
static void
test_plan_ties_in_documented_order(void **state)
{
	static const char *const runs[][3] = {
		{ "report:weekly:w4", "report:progress", NULL },
		{ "nudge:w5", "questionnaire:midterm", NULL },
		{ "report:weekly:w10", "report:evaluation", NULL },
		{ "close:followup", "report:followup", "end:followup" },
	};
	struct plan p = PLAN_INIT;

	build_default(&p, "2027-03-01", NULL, NULL, 0);
	for (size_t r = 0; r < N(runs); r++) {
		const struct plan_moment *first = find(&p, runs[r][0]);

		for (size_t k = 1; k < 3 && runs[r][k] != NULL; k++) {
			const struct plan_moment *m = find(&p, runs[r][k]);

			assert_int_equal(m->at, first->at);
			assert_ptr_equal(m, first + k);
		}
	}
	plan_release(&p);
}

/* Every nudge at 09:00 local: its UTC hour moves when the clocks change. */
static void
test_plan_nudges_stay_local_across_dst(void **state)
{
	static const struct {
		const char *start, *tz;
		const char *want[10]; /* UTC of nudge:w1..w10 */
	} cases[] = {
		{ "2027-03-01", "Europe/Amsterdam", {
			"2027-03-01T08:00:00Z", "2027-03-08T08:00:00Z", "2027-03-15T08:00:00Z",
			"2027-03-22T08:00:00Z", "2027-03-29T07:00:00Z", "2027-04-05T07:00:00Z",
			"2027-04-12T07:00:00Z", "2027-04-19T07:00:00Z", "2027-04-26T07:00:00Z",
			"2027-05-03T07:00:00Z" } },
		{ "2027-10-04", "Europe/Amsterdam", {
			"2027-10-04T07:00:00Z", "2027-10-11T07:00:00Z", "2027-10-18T07:00:00Z",
			"2027-10-25T07:00:00Z", "2027-11-01T08:00:00Z", "2027-11-08T08:00:00Z",
			"2027-11-15T08:00:00Z", "2027-11-22T08:00:00Z", "2027-11-29T08:00:00Z",
			"2027-12-06T08:00:00Z" } },
		/* New York changes on 2027-03-14 and 2027-11-07, two weeks before/after Europe. */
		{ "2027-03-01", "America/New_York", {
			"2027-03-01T14:00:00Z", "2027-03-08T14:00:00Z", "2027-03-15T13:00:00Z",
			"2027-03-22T13:00:00Z", "2027-03-29T13:00:00Z", "2027-04-05T13:00:00Z",
			"2027-04-12T13:00:00Z", "2027-04-19T13:00:00Z", "2027-04-26T13:00:00Z",
			"2027-05-03T13:00:00Z" } },
		{ "2027-10-04", "America/New_York", {
			"2027-10-04T13:00:00Z", "2027-10-11T13:00:00Z", "2027-10-18T13:00:00Z",
			"2027-10-25T13:00:00Z", "2027-11-01T13:00:00Z", "2027-11-08T14:00:00Z",
			"2027-11-15T14:00:00Z", "2027-11-22T14:00:00Z", "2027-11-29T14:00:00Z",
			"2027-12-06T14:00:00Z" } },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct plan p = PLAN_INIT;

		build_default(&p, cases[i].start, cases[i].tz, NULL, 0);
		for (int w = 1; w <= 10; w++) {
			char key[16];
			const struct plan_moment *m;

			snprintf(key, sizeof(key), "nudge:w%d", w);
			m = find(&p, key);
			if (strcmp(testlib_utc(m->at), cases[i].want[w - 1]) != 0)
				fail_msg("%s %s %s: %s, want %s", cases[i].tz, cases[i].start, key,
				    testlib_utc(m->at), cases[i].want[w - 1]);
			assert_int_equal(m->hour, 9);
			assert_int_equal(m->min, 0);
			assert_int_equal(fbtime_weekday(&m->date), 1);
		}
		plan_release(&p);
	}
}

/* Week numbers follow local midnight, also in the week the clocks change. */
static void
test_plan_week_of_by_local_date(void **state)
{
	static const struct {
		const char *start, *tz, *at;
		int week;
	} cases[] = {
		{ "2027-03-01", "Europe/Amsterdam", "2027-02-28T22:59:59Z", 0 },
		{ "2027-03-01", "Europe/Amsterdam", "2027-02-28T23:00:00Z", 1 },
		{ "2027-03-01", "Europe/Amsterdam", "2027-03-07T22:59:59Z", 1 },
		{ "2027-03-01", "Europe/Amsterdam", "2027-03-07T23:00:00Z", 2 },
		/* Sunday 2027-03-28 is 23 hours long: week 5 starts at 22:00Z, not 23:00Z. */
		{ "2027-03-01", "Europe/Amsterdam", "2027-03-28T21:59:59Z", 4 },
		{ "2027-03-01", "Europe/Amsterdam", "2027-03-28T22:00:00Z", 5 },
		{ "2027-03-01", "Europe/Amsterdam", "2027-05-09T21:59:59Z", 10 },
		{ "2027-03-01", "Europe/Amsterdam", "2027-05-09T22:00:00Z", 11 },
		{ "2027-03-01", "Europe/Amsterdam", "2027-11-01T08:00:00Z", 36 },
		/* Sunday 2027-10-31 is 25 hours long: week 5 starts at 23:00Z. */
		{ "2027-10-04", "Europe/Amsterdam", "2027-10-31T22:59:59Z", 4 },
		{ "2027-10-04", "Europe/Amsterdam", "2027-10-31T23:00:00Z", 5 },
		{ "2027-10-04", "Europe/Amsterdam", "2027-10-03T21:59:59Z", 0 },
		{ "2027-10-04", "Europe/Amsterdam", "2027-10-03T22:00:00Z", 1 },
		{ "2027-03-01", "America/New_York", "2027-03-15T03:59:59Z", 2 },
		{ "2027-03-01", "America/New_York", "2027-03-15T04:00:00Z", 3 },
		{ "2027-10-04", "America/New_York", "2027-11-08T04:59:59Z", 5 },
		{ "2027-10-04", "America/New_York", "2027-11-08T05:00:00Z", 6 },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct plan p = PLAN_INIT;
		int w;

		build_default(&p, cases[i].start, cases[i].tz, NULL, 0);
		w = plan_week_of(&p, T(cases[i].at));
		if (w != cases[i].week)
			fail_msg("%s from %s in %s: week %d, want %d", cases[i].at, cases[i].start,
			    cases[i].tz, w, cases[i].week);
		if (i == 0) {
			assert_int_equal(plan_week_of(&p, -1), -1);
			assert_int_equal(plan_week_of(NULL, 0), -1);
		}
		plan_release(&p);
	}
}

static void
test_plan_refuses_non_monday_start(void **state)
{
	static const struct {
		struct fb_date start;
		const char *msg;
	} cases[] = {
		{ { 2027, 3, 3 }, "the start date 2027-03-03 is a Wednesday, but a programme starts on "
		    "a Monday: use 2027-03-01 (the Monday before) or 2027-03-08 (the Monday after)" },
		{ { 2027, 3, 7 }, "2027-03-07 is a Sunday, but a programme starts on a Monday: use "
		    "2027-03-01 (the Monday before) or 2027-03-08 (the Monday after)" },
		{ { 2027, 1, 1 }, "is a Friday, but a programme starts on a Monday: use 2026-12-28 "
		    "(the Monday before) or 2027-01-04 (the Monday after)" },
		{ { 2027, 3, 2 }, "is a Tuesday" },
		{ { 2027, 2, 29 }, "2027-02-29 is not a valid date" },
		{ { 1969, 12, 29 }, "is not a valid date" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct plan_settings s;
		struct plan p = PLAN_INIT;
		struct fb_error err = { "" };

		plan_settings_default(&s);
		assert_int_equal(plan_build(&s, &cases[i].start, NULL, 0, &p, &err), -1);
		if (strstr(err.msg, cases[i].msg) == NULL)
			fail_msg("message \"%s\" lacks \"%s\"", err.msg, cases[i].msg);
		assert_null(p.moments);
		assert_int_equal(p.n, 0);
	}
}

static void
test_plan_refuses_bad_settings(void **state)
{
	static const struct {
		const char *field;
		int value;
		const char *msg;
	} cases[] = {
		{ "weeks", 0, "plan setting weeks: 0 (accepted: 1..52)" },
		{ "weeks", 53, "weeks: 53" },
		{ "nudge.weekday", 0, "nudge: weekday 0 (accepted: 1 = Monday .. 7 = Sunday)" },
		{ "nudge.hour", 24, "nudge: time 24:0" },
		{ "weekly_report.min", 60, "weekly_report: time" },
		{ "questionnaire.hour", -1, "questionnaire: time" },
		{ "midterm_week", 11, "midterm_week: 11 (accepted: 1..10" },
		{ "followup_weeks", 0, "followup_weeks: 0 (accepted: 1..104)" },
		{ "close_days", 0, "close_days: 0" },
		{ "close_days", 5, "reminder_days: 6" },                /* reminder after close */
		{ "reminder_days[1]", 3, "reminder_days: 3 (accepted: increasing" },
		{ "nreminders", 5, "reminder_days: 5 reminders (accepted: at most 4)" },
		{ "tz", 0, "plan setting tz: unknown time zone \"Europe/Atlantis\"" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct plan_settings s;
		struct plan p = PLAN_INIT;
		struct fb_error err = { "" };
		const char *f = cases[i].field;
		int v = cases[i].value;

		plan_settings_default(&s);
		if (strcmp(f, "weeks") == 0) s.weeks = v;
		else if (strcmp(f, "nudge.weekday") == 0) s.nudge.weekday = v;
		else if (strcmp(f, "nudge.hour") == 0) s.nudge.hour = v;
		else if (strcmp(f, "weekly_report.min") == 0) s.weekly_report.min = v;
		else if (strcmp(f, "questionnaire.hour") == 0) s.questionnaire.hour = v;
		else if (strcmp(f, "midterm_week") == 0) s.midterm_week = v;
		else if (strcmp(f, "followup_weeks") == 0) s.followup_weeks = v;
		else if (strcmp(f, "close_days") == 0) s.close_days = v;
		else if (strcmp(f, "reminder_days[1]") == 0) s.reminder_days[1] = v;
		else if (strcmp(f, "nreminders") == 0) s.nreminders = (size_t)v;
		else if (strcmp(f, "tz") == 0) s.tz = "Europe/Atlantis";
		else fail_msg("unknown field %s", f);
		assert_int_equal(plan_build(&s, &(struct fb_date){ 2027, 3, 1 }, NULL, 0, &p, &err),
		    -1);
		if (strstr(err.msg, cases[i].msg) == NULL)
			fail_msg("%s=%d: message \"%s\" lacks \"%s\"", f, v, err.msg, cases[i].msg);
		assert_null(p.moments);
	}
}

/* Everything overridable: a 6-week programme, Tuesday 10:30 nudges, one reminder. */
static void
test_plan_overridden_settings(void **state)
{
	static const struct {
		const char *key;
		const char *local;
	} cases[] = {
		{ "nudge:w1", "2027-03-02 10:30 +01:00" },
		{ "nudge:w6", "2027-04-06 10:30 +02:00" },
		{ "report:weekly:w6", "2027-04-16 17:00 +02:00" },   /* Friday 17:00 of week 7 */
		{ "questionnaire:midterm", "2027-03-22 07:45 +01:00" }, /* midterm_week 4 */
		{ "reminder:midterm:1", "2027-03-24 07:45 +01:00" },
		{ "close:midterm", "2027-03-29 07:45 +02:00" },      /* same local time after DST */
		{ "report:progress", "2027-03-22 12:00 +01:00" },    /* moves with midterm_week */
		{ "questionnaire:final", "2027-04-05 07:45 +02:00" },
		{ "report:evaluation", "2027-04-12 08:00 +02:00" },
		{ "questionnaire:followup", "2027-05-03 07:45 +02:00" }, /* week 6 + 4 */
		{ "end:programme", "2027-04-11 23:59 +02:00" },
	};
	struct plan_settings s;
	struct plan p = PLAN_INIT;
	struct fb_error err = { "" };

	plan_settings_default(&s);
	s.weeks = 6;
	s.nudge = (struct plan_clock){ 2, 10, 30 };
	s.weekly_report = (struct plan_clock){ 5, 17, 0 };
	s.questionnaire = (struct plan_clock){ 1, 7, 45 };
	s.progress_report = (struct plan_clock){ 1, 12, 0 };
	s.midterm_week = 4;
	s.followup_weeks = 4;
	s.nreminders = 1;
	s.reminder_days[0] = 2;
	s.close_days = 7;
	if (plan_build(&s, &(struct fb_date){ 2027, 3, 1 }, NULL, 0, &p, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(p.n, 6 + 6 + 4 * 3 + 3 + 3 + 2);
	assert_null(plan_find(&p, "reminder:midterm:2"));
	assert_null(plan_find(&p, "nudge:w7"));
	for (size_t i = 0; i < N(cases); i++) {
		const struct plan_moment *m = find(&p, cases[i].key);
		struct buf b = BUF_INIT;

		assert_int_equal(fbtime_format_local(p.tz, m->at, &b), 0);
		if (strcmp(b.data, cases[i].local) != 0)
			fail_msg("%s: %s, want %s", cases[i].key, b.data, cases[i].local);
		buf_release(&b);
	}
	plan_release(&p);
}

static void
test_plan_sessions_scheduled_or_to_schedule(void **state)
{
	const struct plan_session sessions[] = {
		{ PLAN_EVALUATION, 0 },                       /* listed, not yet scheduled */
		{ PLAN_KICKOFF, 0 },
	};
	struct plan_session with_time[] = {
		{ PLAN_PROGRESS, 0 },
		{ PLAN_KICKOFF, 0 },
	};
	const struct plan_moment *m;
	struct plan p = PLAN_INIT;
	struct fb_error err = { "" };
	struct plan_settings s;

	build_default(&p, "2027-03-01", NULL, sessions, N(sessions));
	m = find(&p, "session:kickoff");
	assert_int_equal(m->scheduled, 0);
	assert_int_equal(m->session, PLAN_KICKOFF);
	assert_string_equal(m->label, "Kickoff session: to schedule in week 1");
	assert_string_equal(find(&p, "session:evaluation")->label,
	    "Evaluation session: to schedule in week 10");

	with_time[0].at = T("2027-03-31T14:00+02:00");
	with_time[1].at = T("2027-03-02T10:00+01:00");
	build_default(&p, "2027-03-01", NULL, with_time, N(with_time));
	m = find(&p, "session:progress");
	assert_int_equal(m->scheduled, 1);
	assert_string_equal(testlib_utc(m->at), "2027-03-31T12:00:00Z");
	assert_string_equal(m->label, "Progress session");
	assert_int_equal(m->week, 5);
	assert_int_equal(m->hour, 14);
	m = find(&p, "session:kickoff");
	assert_int_equal(m->scheduled, 1);
	assert_string_equal(testlib_utc(m->at), "2027-03-02T09:00:00Z");
	assert_int_equal(find(&p, "session:evaluation")->scheduled, 0);
	plan_release(&p);

	plan_settings_default(&s);
	with_time[0].kind = PLAN_KICKOFF;
	assert_int_equal(plan_build(&s, &(struct fb_date){ 2027, 3, 1 }, with_time, 2, &p, &err),
	    -1);
	assert_string_equal(err.msg, "plan: the kickoff session is given twice");
	with_time[0].kind = (enum plan_session_kind)7;
	assert_int_equal(plan_build(&s, &(struct fb_date){ 2027, 3, 1 }, with_time, 2, &p, &err),
	    -1);
	assert_non_null(strstr(err.msg, "unknown kind 7"));
	with_time[0].kind = PLAN_PROGRESS;
	with_time[0].at = -5;
	assert_int_equal(plan_build(&s, &(struct fb_date){ 2027, 3, 1 }, with_time, 2, &p, &err),
	    -1);
	assert_non_null(strstr(err.msg, "progress session"));
	assert_null(p.moments);
}

/* plan_due yields the scheduled moments with since < at <= now, in order. */
static void
test_plan_due_windows(void **state)
{
	static const struct {
		const char *since, *now;
		const char *want; /* keys, space separated */
	} cases[] = {
		{ "2027-03-01T07:59:59Z", "2027-03-01T08:00:00Z", "nudge:w1 questionnaire:baseline" },
		{ "2027-03-01T08:00:00Z", "2027-03-01T09:00:00Z", "" },  /* at since: not due */
		{ "2027-03-01T08:00:00Z", "2027-03-01T08:00:00Z", "" },
		{ "2027-02-01T00:00:00Z", "2027-03-08T07:00:00Z",        /* skips unscheduled kickoff */
		    "nudge:w1 questionnaire:baseline reminder:baseline:1 reminder:baseline:2 "
		    "report:weekly:w1" },
		{ "2027-03-08T07:00:00Z", "2027-03-08T08:00:00Z", "nudge:w2" },
		{ "2027-03-29T05:00:00Z", "2027-03-29T06:00:00Z",        /* 08:00 CEST = 06:00Z */
		    "report:weekly:w4 report:progress" },
		{ "2027-05-09T21:59:58Z", "2027-05-09T21:59:59Z", "end:programme" },
		{ "2027-11-15T07:59:59Z", "2027-11-15T08:00:00Z",
		    "close:followup report:followup end:followup" },
		{ "2027-11-15T08:00:00Z", "2199-01-01T00:00:00Z", "" },
		{ "2027-03-10T00:00:00Z", "2027-03-09T00:00:00Z", "" },  /* now before since */
	};
	struct plan p = PLAN_INIT;

	build_default(&p, "2027-03-01", NULL, NULL, 0);
	for (size_t i = 0; i < N(cases); i++) {
		struct buf got = BUF_INIT;
		const struct plan_moment *m;
		size_t it = 0;

		while ((m = plan_due(&p, T(cases[i].since), T(cases[i].now), &it)) != NULL)
			assert_int_equal(buf_addf(&got, "%s%s", got.len ? " " : "", m->key), 0);
		assert_null(plan_due(&p, T(cases[i].since), T(cases[i].now), &it));
		if (strcmp(got.data, cases[i].want) != 0)
			fail_msg("(%s, %s]: got \"%s\", want \"%s\"", cases[i].since, cases[i].now,
			    got.data, cases[i].want);
		buf_release(&got);
	}
	{
		/* Everything scheduled comes out once over the whole life of the plan. */
		size_t it = 0, n = 0;

		while (plan_due(&p, 0, T("2199-01-01T00:00Z"), &it) != NULL)
			n++;
		assert_int_equal(n, p.n - 3);
	}
	plan_release(&p);
}

static void
test_plan_next_wakeup(void **state)
{
	static const struct {
		const char *now, *want; /* want NULL: 0, nothing left */
	} cases[] = {
		{ "2027-01-01T00:00:00Z", "2027-03-01T08:00:00Z" },   /* not the unscheduled kickoff */
		{ "2027-03-01T07:59:59Z", "2027-03-01T08:00:00Z" },
		{ "2027-03-01T08:00:00Z", "2027-03-04T08:00:00Z" },   /* reminder:baseline:1 */
		{ "2027-03-28T12:00:00Z", "2027-03-29T06:00:00Z" },   /* across the spring change */
		{ "2027-11-15T07:59:59Z", "2027-11-15T08:00:00Z" },
		{ "2027-11-15T08:00:00Z", NULL },
	};
	struct plan p = PLAN_INIT;

	build_default(&p, "2027-03-01", NULL, NULL, 0);
	for (size_t i = 0; i < N(cases); i++) {
		time_t next = plan_next(&p, T(cases[i].now));

		if (cases[i].want == NULL)
			assert_int_equal(next, 0);
		else if (next == 0 || strcmp(testlib_utc(next), cases[i].want) != 0)
			fail_msg("after %s: %s, want %s", cases[i].now, next ? testlib_utc(next) : "0",
			    cases[i].want);
	}
	plan_release(&p);
}

/* A member in another zone gets the nudge at the same local wall time in their zone. */
static void
test_plan_moment_local_time_for_other_zone(void **state)
{
	struct plan p = PLAN_INIT;
	const struct plan_moment *m;
	time_t t;

	build_default(&p, "2027-03-08", NULL, NULL, 0);
	m = find(&p, "nudge:w2");
	assert_int_equal(fbtime_local_to_utc("America/New_York", &m->date, m->hour, m->min, &t,
	    NULL), 0);
	assert_string_equal(testlib_utc(m->at), "2027-03-15T08:00:00Z");
	assert_string_equal(testlib_utc(t), "2027-03-15T13:00:00Z");
	plan_release(&p);
	plan_release(&p); /* idempotent */
	plan_release(NULL);
}

/* ---- pauses and an early end: one row per case ---------------------------------------------- */

#define MAX_PAUSES 3
#define MAX_WANT 12

struct pause_case {
	const char *name;
	const char *pauses[MAX_PAUSES][2]; /* from, until; NULL ends the list */
	const char *ended_at;              /* ISO instant, or NULL */
	struct {
		const char *key;
		const char *local; /* "YYYY-MM-DD HH:MM" in Amsterdam, or NULL: not in the plan */
		int week;          /* the moment's week (0: not checked) */
	} want[MAX_WANT];
	struct {
		const char *date;
		int week;
	} weeks[4];                         /* plan_week_of at 12:00 local of date */
};

/* Start 2027-01-04 (Monday), Amsterdam, 10 weeks: week 4 begins Monday 2027-01-25. */
static const struct pause_case pause_cases[] = {
	{ "no pause: the default timeline", { { NULL } }, NULL,
	    { { "nudge:w3", "2027-01-18 09:00", 3 }, { "nudge:w4", "2027-01-25 09:00", 4 },
	      { "report:weekly:w3", "2027-01-25 08:00", 4 }, { "end:programme",
	      "2027-03-14 23:59", 10 } },
	    { { "2027-01-27", 4 } } },
	{ "a holiday week in week 4 moves nudge:w4 on by 7 days",
	    { { "2027-01-25", "2027-01-31" } }, NULL,
	    { { "nudge:w3", "2027-01-18 09:00", 3 }, { "nudge:w4", "2027-02-01 09:00", 4 },
	      { "nudge:w5", "2027-02-08 09:00", 5 }, { "reminder:baseline:2",
	      "2027-01-10 09:00", 1 }, { "report:weekly:w3", "2027-02-01 08:00", 4 },
	      { "questionnaire:midterm", "2027-02-08 09:00", 5 }, { "questionnaire:final",
	      "2027-03-15 09:00", 10 }, { "report:evaluation", "2027-03-22 08:00", 11 },
	      { "end:programme", "2027-03-21 23:59", 10 }, { "session:progress",
	      "2027-02-08 00:00", 5 }, { "pause:2027-01-25", "2027-01-25 00:00", 3 } },
	    { { "2027-01-24", 3 }, { "2027-01-27", 3 }, { "2027-02-01", 4 },
	      { "2027-03-21", 10 } } },
	{ "a pause before the start changes nothing",
	    { { "2026-12-21", "2026-12-27" } }, NULL,
	    { { "nudge:w1", "2027-01-04 09:00", 1 }, { "nudge:w4", "2027-01-25 09:00", 4 },
	      { "end:programme", "2027-03-14 23:59", 10 } },
	    { { "2027-01-04", 1 }, { "2026-12-23", 0 } } },
	{ "a pause over the start counts from the start",
	    { { "2026-12-30", "2027-01-06" } }, NULL,
	    { { "nudge:w1", "2027-01-11 09:00", 1 }, { "questionnaire:baseline",
	      "2027-01-11 09:00", 1 } },
	    { { "2027-01-05", 0 }, { "2027-01-11", 1 } } },
	{ "two pauses add up, the second counted in real dates",
	    { { "2027-01-25", "2027-01-31" }, { "2027-02-15", "2027-02-28" } }, NULL,
	    { { "nudge:w4", "2027-02-01 09:00", 4 }, { "nudge:w5", "2027-02-08 09:00", 5 },
	      { "nudge:w6", "2027-03-01 09:00", 6 }, { "report:weekly:w5", "2027-03-01 08:00", 6 },
	      { "end:programme", "2027-04-04 23:59", 10 } },
	    { { "2027-02-09", 5 }, { "2027-02-20", 5 }, { "2027-03-01", 6 } } },
	{ "a pause of two weeks", { { "2027-01-25", "2027-02-07" } }, NULL,
	    { { "nudge:w4", "2027-02-08 09:00", 4 }, { "nudge:w10", "2027-03-22 09:00", 10 } },
	    { { "2027-02-03", 3 } } },
	{ "the same pause resumed early (until the day before resuming): one week",
	    { { "2027-01-25", "2027-01-31" } }, NULL,
	    { { "nudge:w4", "2027-02-01 09:00", 4 }, { "nudge:w10", "2027-03-15 09:00", 10 } },
	    { { "2027-02-03", 4 } } },
	{ "a pause from a Wednesday counts one whole week from that day",
	    { { "2027-01-27", "2027-01-29" } }, NULL,
	    { { "nudge:w4", "2027-01-25 09:00", 4 }, { "report:weekly:w4", "2027-02-08 08:00", 5 },
	      { "nudge:w5", "2027-02-08 09:00", 5 } },
	    { { "2027-02-02", 4 }, { "2027-02-03", 4 } } },
	{ "an early end leaves out what comes after it",
	    { { NULL } }, "2027-02-03T12:00:00+01:00",
	    { { "nudge:w5", "2027-02-01 09:00", 5 }, { "nudge:w6", NULL, 0 },
	      { "report:weekly:w5", NULL, 0 }, { "questionnaire:final", NULL, 0 },
	      { "report:followup", NULL, 0 }, { "end:followup", NULL, 0 },
	      { "end:programme", "2027-02-03 12:00", 5 } },
	    { { "2027-02-03", 5 } } },
	{ "a pause and then an early end",
	    { { "2027-01-25", "2027-01-31" } }, "2027-02-03T00:00:00+01:00",
	    { { "nudge:w4", "2027-02-01 09:00", 4 }, { "nudge:w5", NULL, 0 },
	      { "end:programme", "2027-02-03 00:00", 4 } },
	    { { "2027-01-28", 3 } } },
};

static void
run_pause_case(const struct pause_case *c)
{
	struct plan_pause pauses[MAX_PAUSES];
	struct plan_settings s;
	struct plan p = PLAN_INIT;
	struct fb_date start;
	struct fb_error err = { "" };
	size_t n = 0;

	plan_settings_default(&s);
	for (; n < MAX_PAUSES && c->pauses[n][0] != NULL; n++) {
		assert_int_equal(fbtime_parse_date(c->pauses[n][0], &pauses[n].from, NULL), 0);
		assert_int_equal(fbtime_parse_date(c->pauses[n][1], &pauses[n].until, NULL), 0);
	}
	s.pauses = n ? pauses : NULL;
	s.npauses = n;
	s.ended_at = c->ended_at ? T(c->ended_at) : 0;
	assert_int_equal(fbtime_parse_date("2027-01-04", &start, NULL), 0);
	if (plan_build(&s, &start, NULL, 0, &p, &err) != 0)
		fail_msg("%s: %s", c->name, err.msg);
	for (size_t i = 0; i < MAX_WANT && c->want[i].key != NULL; i++) {
		const struct plan_moment *m = plan_find(&p, c->want[i].key);
		char local[24];

		if (c->want[i].local == NULL) {
			if (m != NULL)
				fail_msg("%s: %s should not be in the plan", c->name, c->want[i].key);
			continue;
		}
		if (m == NULL)
			fail_msg("%s: no %s", c->name, c->want[i].key);
		snprintf(local, sizeof(local), "%04d-%02d-%02d %02d:%02d", m->date.year,
		    m->date.month, m->date.day, m->hour, m->min);
		if (strcmp(local, c->want[i].local) != 0)
			fail_msg("%s: %s at %s, want %s", c->name, c->want[i].key, local,
			    c->want[i].local);
		if (c->want[i].week != 0 && m->week != c->want[i].week)
			fail_msg("%s: %s in week %d, want %d", c->name, c->want[i].key, m->week,
			    c->want[i].week);
		/* the instant is the local time in the zone */
		time_t at;
		assert_int_equal(fbtime_local_to_utc("Europe/Amsterdam", &m->date, m->hour, m->min,
		    &at, NULL), 0);
		if (m->kind != PLAN_PROGRAM_END && at != m->at)
			fail_msg("%s: %s is not at its local time", c->name, c->want[i].key);
	}
	for (size_t i = 0; i < 4 && c->weeks[i].date != NULL; i++) {
		struct fb_date d;
		time_t t;
		int w;

		assert_int_equal(fbtime_parse_date(c->weeks[i].date, &d, NULL), 0);
		assert_int_equal(fbtime_local_to_utc("Europe/Amsterdam", &d, 12, 0, &t, NULL), 0);
		if ((w = plan_week_of(&p, t)) != c->weeks[i].week)
			fail_msg("%s: %s is week %d, want %d", c->name, c->weeks[i].date, w,
			    c->weeks[i].week);
	}
	/* still sorted, and nothing after an early end */
	for (size_t i = 1; i < p.n; i++)
		assert_true(p.moments[i - 1].at <= p.moments[i].at);
	if (c->ended_at != NULL)
		for (size_t i = 0; i < p.n; i++)
			assert_true(p.moments[i].at <= s.ended_at);
	plan_release(&p);
}

static void
test_plan_pauses_and_early_end(void **state)
{
	for (size_t i = 0; i < N(pause_cases); i++)
		run_pause_case(&pause_cases[i]);
}

/* During a pause nothing is due; the pause itself is shown; overlapping pauses are refused. */
static void
test_plan_pause_is_silent_and_checked(void **state)
{
	struct plan_pause two[2];
	struct plan_settings s;
	struct plan p = PLAN_INIT;
	struct fb_date start, d;
	struct fb_error err = { "" };
	const struct plan_moment *m;
	size_t it = 0, due = 0;

	plan_settings_default(&s);
	assert_int_equal(fbtime_parse_date("2027-01-04", &start, NULL), 0);
	assert_int_equal(fbtime_parse_date("2027-01-25", &two[0].from, NULL), 0);
	assert_int_equal(fbtime_parse_date("2027-01-31", &two[0].until, NULL), 0);
	s.pauses = two;
	s.npauses = 1;
	assert_int_equal(plan_build(&s, &start, NULL, 0, &p, &err), 0);
	while ((m = plan_due(&p, T("2027-01-25T00:00:01+01:00"), T("2027-01-31T23:59:59+01:00"),
	    &it)) != NULL)
		due++;
	assert_int_equal(due, 0);
	assert_int_equal(fbtime_parse_date("2027-01-28", &d, NULL), 0);
	assert_non_null(plan_paused(&p, &d));
	assert_int_equal(fbtime_parse_date("2027-02-01", &d, NULL), 0);
	assert_null(plan_paused(&p, &d));
	assert_int_equal(plan_pause_weeks(&two[0]), 1);

	/* a Wednesday..Friday pause spans until the Tuesday after: a pause that starts on the
	 * Monday in between overlaps it */
	assert_int_equal(fbtime_parse_date("2027-01-27", &two[0].from, NULL), 0);
	assert_int_equal(fbtime_parse_date("2027-01-29", &two[0].until, NULL), 0);
	assert_int_equal(fbtime_parse_date("2027-02-01", &two[1].from, NULL), 0);
	assert_int_equal(fbtime_parse_date("2027-02-05", &two[1].until, NULL), 0);
	s.npauses = 2;
	assert_int_equal(plan_build(&s, &start, NULL, 0, &p, &err), -1);
	assert_non_null(strstr(err.msg, "overlaps"));
	assert_int_equal(p.n, 0);
	plan_release(&p);
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
		cmocka_unit_test(test_plan_settings_default_are_the_product_defaults),
		cmocka_unit_test(test_plan_default_timeline),
		cmocka_unit_test(test_plan_moments_sorted_unique_and_described),
		cmocka_unit_test(test_plan_ties_in_documented_order),
		cmocka_unit_test(test_plan_nudges_stay_local_across_dst),
		cmocka_unit_test(test_plan_week_of_by_local_date),
		cmocka_unit_test(test_plan_refuses_non_monday_start),
		cmocka_unit_test(test_plan_refuses_bad_settings),
		cmocka_unit_test(test_plan_overridden_settings),
		cmocka_unit_test(test_plan_sessions_scheduled_or_to_schedule),
		cmocka_unit_test(test_plan_due_windows),
		cmocka_unit_test(test_plan_next_wakeup),
		cmocka_unit_test(test_plan_moment_local_time_for_other_zone),
		cmocka_unit_test(test_plan_pauses_and_early_end),
		cmocka_unit_test(test_plan_pause_is_silent_and_checked),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
