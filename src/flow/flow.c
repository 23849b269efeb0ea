/*
 * flow — the timeline helpers the flow modules share. See include/flow.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fbtime.h"
#include "flow.h"
#include "progplan.h"
#include "report.h"
#include "store_pause.h"
#include "store_session.h"
#include "vocab.h"
#include "banned.h"

/* The programme's scheduled sessions as the plan wants them: each kind once, its earliest
 * confirmed session (teams may each have their own). */
static int
plan_sessions(const struct flow *f, const struct program *p, struct plan_session out[PLAN_SESSIONS],
    size_t *n, struct fb_error *err)
{
	struct session_list l = { 0 };

	*n = 0;
	if (store_session_list(f->db, p->id, &l, err) < 0)
		return -1;
	for (size_t i = 0; i < l.n; i++) {
		enum plan_session_kind k = PLAN_NO_SESSION;
		size_t j;

		for (int c = 0; c < PLAN_SESSIONS; c++)
			if (strcmp(l.v[i].kind, plan_session_name((enum plan_session_kind)c)) == 0)
				k = (enum plan_session_kind)c;
		if (k == PLAN_NO_SESSION ||
		    session_status_from_name(l.v[i].status) != SESSION_CONFIRMED)
			continue;
		for (j = 0; j < *n && out[j].kind != k; j++)
			;
		if (j == *n) /* the list is by start time: the first is the earliest */
			out[(*n)++] = (struct plan_session){ k, l.v[i].starts_at };
	}
	store_session_list_release(&l);
	return 0;
}

static struct plan_clock
clock_of(const struct config_weekly *w)
{
	struct plan_clock c = { w->weekday, w->minute / 60, w->minute % 60 };

	return c;
}

void
flow_plan_defaults(const struct config *cfg, struct plan_settings *s)
{
	const struct config_program *d = &cfg->program;

	plan_settings_default(s);
	s->nudge = clock_of(&d->nudge_at);
	s->weekly_report = clock_of(&d->weekly_report_at);
	s->followup_weeks = d->followup_weeks;
	s->close_days = d->questionnaire_close_days;
	s->nreminders = 0;
	for (int i = 0; i < d->reminder_days.n && s->nreminders < PLAN_MAX_REMINDERS; i++)
		s->reminder_days[s->nreminders++] = d->reminder_days.day[i];
}

void
flow_report_rules(const struct config *cfg, struct report_rules *out)
{
	const struct config_lagging *l = &cfg->lagging;

	out->no_feedback_weeks = l->no_feedback_weeks;
	out->request_by_week = l->request_by_week;
	out->median_fraction = l->median_fraction;
	out->questionnaire_after_reminder = l->questionnaire_after_reminder ? 1 : 0;
}

int
flow_pauses(const struct flow *f, const struct program *p, struct plan_pause **out, size_t *n,
    struct fb_error *err)
{
	struct program_pause_list l = { NULL, 0 };
	struct plan_pause *v = NULL;

	if (store_pause_list(f->db, p->id, &l, err) < 0)
		return -1;
	if (l.n > 0 && (v = calloc(l.n, sizeof(*v))) == NULL) {
		store_pause_list_release(&l);
		return fb_error_set(err, "out of memory");
	}
	for (size_t i = 0; i < l.n; i++)
		if (fbtime_parse_date(l.v[i].from_date, &v[i].from, err) < 0 ||
		    fbtime_parse_date(l.v[i].until_date, &v[i].until, err) < 0) {
			free(v);
			store_pause_list_release(&l);
			return fb_error_prefix(err, "a stored pause: ");
		}
	*out = v;
	*n = l.n;
	store_pause_list_release(&l);
	return 0;
}

int
flow_plan_with(const struct flow *f, const struct program *p, const struct plan_pause *pauses,
    size_t npauses, struct plan *out, struct fb_error *err)
{
	struct plan_settings d, s;
	struct plan_session sessions[PLAN_SESSIONS];
	struct fb_date start;
	size_t n;

	flow_plan_defaults(f->cfg, &d);
	progplan_settings(&d, p, &s);
	s.pauses = pauses;
	s.npauses = npauses;
	if (fbtime_parse_date(p->start_date, &start, err) < 0 ||
	    plan_sessions(f, p, sessions, &n, err) < 0 ||
	    plan_build(&s, &start, n ? sessions : NULL, n, out, err) < 0)
		return fb_error_prefix(err, "programme %s: ", p->name);
	return 0;
}

int
flow_plan(const struct flow *f, const struct program *p, struct plan *out,
    struct fb_error *err)
{
	struct plan_pause *pauses = NULL;
	size_t n = 0;
	int rc;

	if (flow_pauses(f, p, &pauses, &n, err) < 0)
		return fb_error_prefix(err, "programme %s: ", p->name);
	rc = flow_plan_with(f, p, pauses, n, out, err);
	free(pauses);
	return rc;
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

const char *
flow_member_language(const struct program *p, const struct member *m)
{
	return m != NULL && m->language != NULL && m->language[0] != '\0' ? m->language :
	    p->language;
}

const char *
flow_member_zone(const struct program *p, const struct member *m)
{
	return m != NULL && m->timezone != NULL && m->timezone[0] != '\0' ? m->timezone :
	    p->timezone;
}
