/*
 * ctl_plan — feedbackctl plan: every moment of a programme's timeline in local time.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "ctl.h"
#include "fbtime.h"
#include "flow.h"
#include "plan.h"
#include "store.h"
#include "table.h"
#include "banned.h"

static const char plan_usage[] =
	"usage: feedbackctl plan [PROGRAM] [--json]\n"
	"\n"
	"The programme's timeline: every nudge, questionnaire, reminder, report and session of\n"
	"the weeks and the follow-up, with its local date and time in the programme's zone.\n"
	"Moments before --now are marked as past.\n";

int
ctl_plan(struct ctl *c, int argc, char **argv)
{
	static const char *const head[] = { "WEEK", "DAY", "DATE", "TIME", "MOMENT", "" };
	struct program p;
	struct plan plan = PLAN_INIT;
	struct fb_error err;
	struct table *t = NULL;
	json_t *a = NULL;
	struct flow f = { 0 };
	int rc = CTL_OK;

	if (ctl_wants_help(argc, argv))
		return ctl_usage(plan_usage, 1);
	if (argc > 2)
		return ctl_usage(plan_usage, 0);
	if (ctl_pick_program(c, argc == 2 ? argv[1] : NULL, &p) != CTL_OK)
		return CTL_FAIL;
	/* The daemon's own timeline: scheduled sessions move the moments that follow them. */
	f.db = ctl_db(c);
	f.cfg = c->cfg;
	f.now = c->now;
	if (f.db == NULL) {
		rc = CTL_FAIL;
		goto out;
	}
	if (flow_plan(&f, &p, &plan, &err) < 0) {
		rc = ctl_error("%s", err.msg);
		goto out;
	}
	if (c->json)
		a = json_array();
	else
		t = table_new(6, head);
	for (size_t i = 0; i < plan.n; i++) {
		const struct plan_moment *m = &plan.moments[i];
		char week[12], date[16], hm[8];
		struct buf utc = BUF_INIT;
		const char *row[6] = { week, m->scheduled ? fbtime_weekday_name(fbtime_weekday(&m->date)) : "",
		    date, hm, m->label, m->scheduled && m->at <= c->now ? "(past)" : "" };

		snprintf(week, sizeof(week), "%d", m->week);
		if (m->scheduled) {
			snprintf(date, sizeof(date), "%04d-%02d-%02d", m->date.year, m->date.month,
			    m->date.day);
			snprintf(hm, sizeof(hm), "%02d:%02d", m->hour, m->min);
		} else {
			snprintf(date, sizeof(date), "to schedule");
			hm[0] = '\0';
		}
		if (a) {
			fbtime_format_utc(m->at, &utc);
			json_array_append_new(a, json_pack("{s:s, s:s, s:i, s:b, s:s, s:s, s:s, s:s}",
			    "key", m->key, "kind", plan_kind_name(m->kind), "week", m->week,
			    "scheduled", m->scheduled, "local_date", m->scheduled ? date : "",
			    "local_time", hm, "utc", m->scheduled ? utc.data : "", "label", m->label));
		} else if (t) {
			table_add(t, row);
		}
		buf_release(&utc);
	}
	if (a) {
		rc = ctl_print_json(a);
	} else if (t) {
		printf("programme %s: %d weeks from %s, times in %s\n\n", p.name, p.weeks,
		    p.start_date, p.timezone);
		table_print(t, stdout);
	}
	table_free(t);
out:
	plan_release(&plan);
	store_program_release(&p);
	return rc;
}
