/*
 * progplan — plan settings of a programme. See include/progplan.h.
 */
#include <stddef.h>

#include "progplan.h"
#include "banned.h"

static struct plan_clock
clock_of(const struct config_weekly *w)
{
	struct plan_clock c = { w->weekday, w->minute / 60, w->minute % 60 };

	return c;
}

void
progplan_settings(const struct config *cfg, const struct program *p, struct plan_settings *s)
{
	const struct config_program *d = &cfg->program;

	plan_settings_default(s);
	s->tz = p->timezone;
	s->weeks = p->weeks;
	s->nudge = clock_of(&d->nudge_at);
	s->weekly_report = clock_of(&d->weekly_report_at);
	s->followup_weeks = d->followup_weeks;
	s->close_days = d->questionnaire_close_days;
	s->nreminders = 0;
	for (int i = 0; i < d->reminder_days.n && s->nreminders < PLAN_MAX_REMINDERS; i++)
		s->reminder_days[s->nreminders++] = d->reminder_days.day[i];
}
