/*
 * flow — the timeline helpers the flow modules share. See include/flow.h.
 */
#include <stdio.h>

#include "fbtime.h"
#include "flow.h"
#include "progplan.h"
#include "banned.h"

int
flow_plan(const struct flow *f, const struct program *p, struct plan *out,
    struct fb_error *err)
{
	struct plan_settings s;
	struct fb_date start;

	progplan_settings(f->cfg, p, &s);
	if (fbtime_parse_date(p->start_date, &start, err) < 0 ||
	    plan_build(&s, &start, NULL, 0, out, err) < 0)
		return fb_error_prefix(err, "programme %s: ", p->name);
	return 0;
}

int
flow_week(const struct flow *f, const struct program *p, struct fb_error *err)
{
	struct plan plan = PLAN_INIT;
	int week;

	if (flow_plan(f, p, &plan, err) < 0)
		return -1;
	week = plan_week_of(&plan, f->now);
	plan_release(&plan);
	if (week < 0)
		return fb_error_set(err, "programme %s: the date is out of range", p->name);
	return week;
}

int
flow_today(const struct flow *f, const struct program *p, char out[11], struct fb_error *err)
{
	struct fb_local l;

	if (fbtime_to_local(p->timezone, f->now, &l, err) < 0)
		return -1;
	snprintf(out, 11, "%04d-%02d-%02d", l.date.year, l.date.month, l.date.day);
	return 0;
}
