/*
 * ctl_plan — feedbackctl plan: every moment of a programme's timeline in local time.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "ctl.h"
#include "fbtime.h"
#include "flow.h"
#include "measure.h"
#include "plan.h"
#include "store.h"
#include "table.h"
#include "banned.h"

static const char plan_usage[] =
	"usage: feedbackctl plan [PROGRAM] [--json]\n"
	"\n"
	"The programme's timeline: every nudge, questionnaire, reminder, report and session of\n"
	"the weeks and the follow-up, with its local date and time in the programme's zone.\n"
	"A reminder is shown when it goes out: one planned outside office hours or on a\n"
	"weekend ([program] office_hours, weekend_mail) waits for the next opening, as the\n"
	"daemon does (members in another time zone get it at their own office hours).\n"
	"Moments before --now are marked as past.\n";

/*
 * When moment m goes out: a reminder waits for the budget's hours (measure.h, the function
 * the scheduler uses), everything else goes at its moment. *why says why it differs ("" when
 * it does not), into why[n].
 */
static int
goes_at(const struct config *cfg, const struct program *p, const struct plan_moment *m,
    time_t *goes, char *why, size_t n, struct fb_error *err)
{
	struct fb_local l;

	*goes = m->at;
	why[0] = '\0';
	if (m->kind != PLAN_REMINDER || !m->scheduled)
		return 0;
	if (measure_reminder_goes(&cfg->program, p->timezone, m->at, goes, err) < 0)
		return -1;
	if (*goes == 0) {
		*goes = m->at;
		snprintf(why, n, "(not sent: [program] reminders_per_day is 0)");
	} else if (*goes != m->at) {
		if (fbtime_to_local(p->timezone, m->at, &l, err) < 0)
			return -1;
		snprintf(why, n, "(planned %s %02d:%02d, outside office hours)",
		    fbtime_weekday_name(l.weekday), l.hour, l.min);
	}
	return 0;
}

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
	if (argc > 1 && argv[1][0] == '-' && argv[1][1] != '\0')
		return ctl_usage_error(plan_usage, "plan", "unknown option \"%s\"", argv[1]);
	if (ctl_operands(plan_usage, "plan", argc, argv, 1, 0, 1, "PROGRAM") != CTL_OK)
		return CTL_USAGE;
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
		char week[12], date[16], hm[8], why[64], note[80];
		struct buf utc = BUF_INIT, goes_utc = BUF_INIT;
		struct fb_local l = { .date = m->date, .hour = m->hour, .min = m->min };
		time_t goes;

		if (goes_at(c->cfg, &p, m, &goes, why, sizeof(why), &err) < 0 ||
		    (goes != m->at && fbtime_to_local(p.timezone, goes, &l, &err) < 0)) {
			rc = ctl_error("%s", err.msg);
			break;
		}
		snprintf(note, sizeof(note), "%s%s%s", m->scheduled && goes <= c->now ? "(past)" :
		    "", m->scheduled && goes <= c->now && *why ? " " : "", why);
		const char *row[6] = { week, m->scheduled ? fbtime_weekday_name(fbtime_weekday(&l.date)) : "",
		    date, hm, m->label, note };

		snprintf(week, sizeof(week), "%d", m->week);
		if (m->scheduled) {
			snprintf(date, sizeof(date), "%04d-%02d-%02d", l.date.year, l.date.month,
			    l.date.day);
			snprintf(hm, sizeof(hm), "%02d:%02d", l.hour, l.min);
		} else {
			snprintf(date, sizeof(date), "to schedule");
			hm[0] = '\0';
		}
		if (a) {
			/* local_date, local_time and utc: the moment of the plan (the daemon's clock
			 * steps to it); goes_*: when its mail goes out */
			char pdate[16], phm[8];

			snprintf(pdate, sizeof(pdate), "%04d-%02d-%02d", m->date.year, m->date.month,
			    m->date.day);
			snprintf(phm, sizeof(phm), "%02d:%02d", m->hour, m->min);
			fbtime_format_utc(m->at, &utc);
			fbtime_format_utc(goes, &goes_utc);
			json_array_append_new(a, json_pack("{s:s, s:s, s:i, s:b, s:s, s:s, s:s, s:s, "
			    "s:s, s:s, s:s}",
			    "key", m->key, "kind", plan_kind_name(m->kind), "week", m->week,
			    "scheduled", m->scheduled, "local_date", m->scheduled ? pdate : "",
			    "local_time", m->scheduled ? phm : "", "utc", m->scheduled ? utc.data : "",
			    "goes_local_date", m->scheduled ? date : "", "goes_local_time", hm,
			    "goes_utc", m->scheduled ? goes_utc.data : "", "label", m->label));
		} else if (t) {
			table_add(t, row);
		}
		buf_release(&utc);
		buf_release(&goes_utc);
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
