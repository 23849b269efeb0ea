/*
 * Unit tests of progplan (src/core/progplan.c, with flow_plan_defaults() turning the
 * configuration into plan settings as the shell does): the plan settings of a programme are the
 * configuration's [program] defaults (nudge and weekly report clocks, reminder days, close
 * days, follow-up weeks) with the programme's own weeks and zone on top, the rest as
 * plan_settings_default() has it; at most PLAN_MAX_REMINDERS reminder days are taken. One test
 * per row; the settings are then built into a plan, so a row that gives settings plan_build()
 * refuses fails too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "flow.h"
#include "plan.h"
#include "progplan.h"
#include "testlib.h"

struct pcase {
	const char *name;
	/* the programme */
	int weeks;
	const char *tz;
	/* the configuration's [program] */
	int cfg_weeks;          /* never used: the programme's count wins */
	int nudge_day, nudge_minute, report_day, report_minute;
	int followup_weeks, close_days;
	int ndays;
	int days[CONFIG_DAYS_MAX];
	/* want */
	int want_nreminders;
	int want_days[PLAN_MAX_REMINDERS];
};

static const struct pcase cases[] = {
	{ "test_progplan_house_defaults", 10, "Europe/Amsterdam", 10, 1, 9 * 60, 1, 8 * 60, 26, 14,
	    2, { 3, 6 }, 2, { 3, 6 } },
	{ "test_progplan_programme_weeks_and_zone_win", 6, "America/New_York", 10, 1, 540, 1, 480,
	    26, 14, 2, { 3, 6 }, 2, { 3, 6 } },
	{ "test_progplan_clocks_split_into_hour_and_minute", 10, "Europe/Amsterdam", 10,
	    3, 14 * 60 + 35, 5, 7 * 60 + 5, 26, 14, 2, { 3, 6 }, 2, { 3, 6 } },
	{ "test_progplan_midnight_and_last_minute", 4, "UTC", 10, 7, 0, 2, 1439, 1, 1, 0, { 0 },
	    0, { 0 } },
	{ "test_progplan_no_reminders", 10, "Europe/Amsterdam", 10, 1, 540, 1, 480, 26, 14,
	    0, { 0 }, 0, { 0 } },
	{ "test_progplan_followup_and_close_days", 8, "Europe/London", 10, 1, 540, 1, 480, 4, 21,
	    3, { 2, 9, 16 }, 3, { 2, 9, 16 } },
	{ "test_progplan_reminder_days_capped_at_plan_max", 10, "Europe/Amsterdam", 10, 1, 540, 1,
	    480, 26, 28, 6, { 1, 2, 3, 4, 5, 6 }, PLAN_MAX_REMINDERS, { 1, 2, 3, 4 } },
};

static void
run_case(void **state)
{
	const struct pcase *c = *state;
	struct config *cfg = config_default();
	struct program p = { 0 };
	struct plan_settings base, s, def;
	struct fb_date start = { 2027, 1, 4 };  /* a Monday */
	struct plan plan = { 0 };
	struct fb_error err = { "" };
	char tz[64];

	assert_non_null(cfg);
	snprintf(tz, sizeof(tz), "%s", c->tz);
	p.weeks = c->weeks;
	p.timezone = tz;
	cfg->program.weeks = c->cfg_weeks;
	cfg->program.nudge_at = (struct config_weekly){ c->nudge_day, c->nudge_minute };
	cfg->program.weekly_report_at = (struct config_weekly){ c->report_day, c->report_minute };
	cfg->program.followup_weeks = c->followup_weeks;
	cfg->program.questionnaire_close_days = c->close_days;
	cfg->program.reminder_days.n = c->ndays;
	memcpy(cfg->program.reminder_days.day, c->days, sizeof(c->days));

	flow_plan_defaults(cfg, &base);         /* the shell turns [program] into plan settings */
	progplan_settings(&base, &p, &s);
	assert_ptr_equal(s.tz, p.timezone);     /* points into the programme, as promised */
	assert_int_equal(s.weeks, c->weeks);
	assert_int_equal(s.nudge.weekday, c->nudge_day);
	assert_int_equal(s.nudge.hour, c->nudge_minute / 60);
	assert_int_equal(s.nudge.min, c->nudge_minute % 60);
	assert_int_equal(s.weekly_report.weekday, c->report_day);
	assert_int_equal(s.weekly_report.hour, c->report_minute / 60);
	assert_int_equal(s.weekly_report.min, c->report_minute % 60);
	assert_int_equal(s.followup_weeks, c->followup_weeks);
	assert_int_equal(s.close_days, c->close_days);
	assert_int_equal(s.nreminders, c->want_nreminders);
	for (int i = 0; i < c->want_nreminders; i++)
		assert_int_equal(s.reminder_days[i], c->want_days[i]);

	/* what the configuration does not set stays as the plan's defaults */
	plan_settings_default(&def);
	assert_memory_equal(&s.questionnaire, &def.questionnaire, sizeof(def.questionnaire));
	assert_memory_equal(&s.progress_report, &def.progress_report, sizeof(def.progress_report));
	assert_memory_equal(&s.evaluation_report, &def.evaluation_report,
	    sizeof(def.evaluation_report));
	assert_int_equal(s.midterm_week, def.midterm_week);
	/* pauses are the shell's to add (flow_plan()); an early end is the programme's own */
	assert_null(s.pauses);
	assert_int_equal(s.npauses, 0);
	assert_int_equal(s.ended_at, 0);
	p.ended_at = 1800000000;
	progplan_settings(&base, &p, &s);
	assert_int_equal(s.ended_at, 1800000000);
	p.ended_at = 0;
	progplan_settings(&base, &p, &s);

	/* and the settings are ones the plan accepts */
	if (plan_build(&s, &start, NULL, 0, &plan, &err) != 0)
		fail_msg("plan_build refused the settings: %s", err.msg);
	plan_release(&plan);
	config_free(cfg);
}

int
main(void)
{
	return testlib_run_table("progplan", cases, sizeof(cases) / sizeof(cases[0]),
	    sizeof(cases[0]), run_case, NULL, 0);
}
