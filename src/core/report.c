/*
 * report — the weekly report's figures and the lagging rule (see report.h). Pure: data in,
 * struct report out; rendering lives in report_render.c, loading in store_report.c.
 */
#include <stdlib.h>
#include <string.h>

#include "mask.h"
#include "report.h"
#include "banned.h"

static int
week_ok(int w)
{
	return w >= 1 && w <= REPORT_MAX_WEEKS;
}

/* The first day of week w in in's calendar: week 1's Monday plus w - 1 weeks, plus the whole
 * weeks of every pause that began on or before it (plan.h: a pause pushes what follows). */
static struct fb_date
week_first(const struct report_input *in, int week)
{
	struct fb_date d = fbtime_date_add_days(&in->start, 7 * (week - 1));

	for (size_t i = 0; i < in->npauses; i++) {
		struct plan_pause e = in->pauses[i];

		/* a pause over the start counts from the start, as the plan counts it */
		if (fbtime_date_cmp(&e.from, &in->start) < 0)
			e.from = in->start;
		if (fbtime_date_cmp(&e.until, &e.from) >= 0 && fbtime_date_cmp(&e.from, &d) <= 0)
			d = fbtime_date_add_days(&d, 7 * plan_pause_weeks(&e));
	}
	return d;
}

/* The last day of week w: the day before week w + 1 begins (a pause after w is w's). */
static struct fb_date
week_last(const struct report_input *in, int week)
{
	struct fb_date next = week_first(in, week + 1);

	return fbtime_date_add_days(&next, -1);
}

enum report_away
report_away_in_week(const struct report_member_in *m, const struct report_input *in, int week)
{
	struct fb_date first, last;
	size_t n = m->nabsences;

	if (!week_ok(week) || m->absences == NULL)
		return REPORT_AWAY_NONE;
	if (n > REPORT_MAX_ABSENCES)
		n = REPORT_MAX_ABSENCES;
	first = week_first(in, week);
	last = week_last(in, week);
	for (size_t i = 0; i < n; i++) {
		const struct report_absence *a = &m->absences[i];

		/* Overlap of [from, until] with [first, last]. */
		if (fbtime_date_cmp(&a->from, &last) <= 0 && fbtime_date_cmp(&a->until, &first) >= 0)
			return a->source == REPORT_AWAY_NONE ? REPORT_AWAY_COORDINATOR : a->source;
	}
	return REPORT_AWAY_NONE;
}

int
report_left_by_week(const struct report_member_in *m, const struct report_input *in, int week)
{
	struct fb_date last;

	if (m->left_on.year == 0 || !week_ok(week))
		return 0;
	last = week_last(in, week);
	return fbtime_date_cmp(&m->left_on, &last) <= 0;
}

int
report_missed_in_week(const struct report_member_in *m, const struct report_input *in, int week)
{
	const char *tz = in->tz != NULL ? in->tz : "UTC";
	struct fb_date first, next;
	time_t from, until;
	int n = 0;

	if (!week_ok(week) || m->nmissed <= 0)
		return 0;
	first = week_first(in, week);
	next = week_first(in, week + 1);
	/* the week as the team lives it: local midnight to local midnight */
	if (fbtime_local_to_utc(tz, &first, 0, 0, &from, NULL) < 0 ||
	    fbtime_local_to_utc(tz, &next, 0, 0, &until, NULL) < 0)
		return 0;
	for (int i = 0; i < m->nmissed && i < REPORT_MAX_MISSED; i++)
		if (m->missed[i] >= from && m->missed[i] < until && m->missed[i] <= in->generated_at)
			n++;
	return n;
}

static int
activity_through(const struct report_member_in *m, int week)
{
	long sum = 0;

	for (int w = 1; w <= week && w <= REPORT_MAX_WEEKS; w++)
		sum += (long)m->given[w] + m->received[w] + m->requested[w];
	if (sum > 1000000000L)
		sum = 1000000000L;
	if (sum < 0)
		sum = 0;
	return (int)sum;
}

unsigned
report_lagging_reasons(const struct report_member_in *m, const struct report_input *in,
    int week, double median_activity, const struct report_rules *r)
{
	unsigned reasons = 0;
	int joined = m->joined_week > 0 ? m->joined_week : 0;

	/* new until their first full week: they cannot have fallen behind yet; and week 1 is
	 * everyone's first week */
	if (!week_ok(week) || week <= joined || week <= 1)
		return 0;
	if (r->no_feedback_weeks > 0) {
		int counted = 0, gave = 0;

		for (int w = week; w > joined && w > week - r->no_feedback_weeks; w--) {
			if (report_away_in_week(m, in, w) != REPORT_AWAY_NONE)
				continue;
			counted++;
			if (m->given[w] > 0)
				gave = 1;
		}
		if (counted > 0 && !gave)
			reasons |= REPORT_REASON_NO_FEEDBACK;
	}
	if (r->request_by_week > 0 && week - joined >= r->request_by_week) {
		int asked = 0;

		for (int w = 1; w <= week; w++)
			if (m->requested[w] > 0)
				asked = 1;
		if (!asked)
			reasons |= REPORT_REASON_NO_REQUEST;
	}
	if (r->median_fraction > 0 && median_activity > 0.0) {
		double act = activity_through(m, week);

		/* against the median's share of the weeks they were there */
		if (act * 100.0 * week < median_activity * r->median_fraction * (week - joined))
			reasons |= REPORT_REASON_BELOW_MEDIAN;
	}
	if (r->questionnaire_after_reminder && report_missed_in_week(m, in, week) > 0)
		reasons |= REPORT_REASON_QUESTIONNAIRE;
	return reasons;
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

double
report_median_activity(const struct report_input *in, int week)
{
	const struct report_member_in *members = in->members;
	size_t n = in->nmembers;
	int *v;
	size_t k = 0;
	double median;

	if (n == 0 || n > REPORT_MAX_MEMBERS || !week_ok(week))
		return 0.0;
	v = calloc(n, sizeof(*v));
	if (v == NULL)
		return 0.0;
	for (size_t i = 0; i < n; i++) {
		if (members[i].unreachable || report_left_by_week(&members[i], in, week) ||
		    week <= members[i].joined_week ||
		    report_away_in_week(&members[i], in, week) != REPORT_AWAY_NONE)
			continue;
		v[k++] = activity_through(&members[i], week);
	}
	if (k == 0) {
		free(v);
		return 0.0;
	}
	qsort(v, k, sizeof(*v), cmp_int);
	median = k % 2 ? v[k / 2] : (v[k / 2 - 1] + (double)v[k / 2]) / 2.0;
	free(v);
	return median;
}

/* A name compare that keeps the order stable for equal names (by id). */
static int
cmp_member(const void *a, const void *b)
{
	const struct report_member *x = a, *y = b;
	const char *nx = x->in->name ? x->in->name : "", *ny = y->in->name ? y->in->name : "";
	int c;

	if (x->status != y->status)
		return (int)x->status - (int)y->status;
	c = strcmp(nx, ny);
	if (c != 0)
		return c;
	return (x->in->id > y->in->id) - (x->in->id < y->in->id);
}

/* The samples with every name of in->mask_names, address, phone number and signature masked:
 * the report decides what a facilitator may see, not the store that loaded the texts. */
static int
mask_samples(const struct report_input *in, struct report *res)
{
	struct mask_list *l;
	int rc = 0;

	if (in->nsamples == 0 || in->samples == NULL)
		return 0;
	res->samples = calloc(in->nsamples, sizeof(*res->samples));
	l = mask_list_new(in->mask_names, in->nmask_names);
	if (res->samples == NULL || l == NULL) {
		mask_list_free(l);
		return -1;
	}
	for (size_t i = 0; i < in->nsamples && rc == 0; i++) {
		const char *t = in->samples[i].text ? in->samples[i].text : "";
		struct buf out = BUF_INIT;

		if (mask_apply(l, t, strlen(t), report_mask_word(in->lang), &out) < 0 ||
		    (res->samples[i].text = buf_detach(&out, NULL)) == NULL) {
			buf_release(&out);
			rc = -1;
			break;
		}
		res->samples[i].id = in->samples[i].id;
		res->nsamples = i + 1;
	}
	mask_list_free(l);
	return rc;
}

int
report_weekly(const struct report_input *in, const struct report_rules *r,
    struct report *out, struct fb_error *err)
{
	struct report res = REPORT_INIT;
	int w = in->week;

	*out = res;
	if (!week_ok(w))
		return fb_error_set(err, "week %d is outside 1..%d", w, REPORT_MAX_WEEKS);
	if (in->nmembers > REPORT_MAX_MEMBERS)
		return fb_error_set(err, "team %s has %zu members, more than %d", in->team ? in->team :
		    "?", in->nmembers, REPORT_MAX_MEMBERS);
	res.in = in;
	if (in->nmembers > 0) {
		res.members = calloc(in->nmembers, sizeof(*res.members));
		if (res.members == NULL)
			return fb_error_set(err, "out of memory");
	}
	res.n = in->nmembers;
	res.median_activity = report_median_activity(in, w);
	for (size_t i = 0; i < in->nmembers; i++) {
		const struct report_member_in *m = &in->members[i];
		struct report_member *o = &res.members[i];

		o->in = m;
		o->given_week = m->given[w];
		o->received_week = m->received[w];
		o->requested_week = m->requested[w];
		for (int k = 1; k <= w; k++) {
			o->given_total += m->given[k];
			o->received_total += m->received[k];
			o->requested_total += m->requested[k];
		}
		o->activity = activity_through(m, w);
		for (int k = 0; k < REPORT_TREND_WEEKS; k++) {
			int wk = w - (REPORT_TREND_WEEKS - 1) + k;

			o->trend[k] = wk >= 1 ? m->given[wk] + m->received[wk] + m->requested[wk] : 0;
		}
		o->away = report_away_in_week(m, in, w);
		if (report_left_by_week(m, in, w)) {
			o->status = REPORT_LEFT;
			o->away = REPORT_AWAY_NONE;
			res.nleft++;
		} else if (m->unreachable) {
			o->status = REPORT_UNREACHABLE;
			res.nunreachable++;
		} else if (o->away != REPORT_AWAY_NONE) {
			o->status = REPORT_AWAY;
			res.naway++;
		} else {
			o->reasons = report_lagging_reasons(m, in, w, res.median_activity, r);
			o->status = o->reasons ? REPORT_LAGGING : REPORT_ACTIVE;
			if (o->reasons)
				res.nlagging++;
		}
		res.team_given_week += o->given_week;
		res.team_received_week += o->received_week;
		res.team_requested_week += o->requested_week;
		res.team_given_total += o->given_total;
		res.team_received_total += o->received_total;
		res.team_requested_total += o->requested_total;
	}
	if (res.n > 1)
		qsort(res.members, res.n, sizeof(*res.members), cmp_member);
	if (mask_samples(in, &res) < 0) {
		report_release(&res);
		return fb_error_set(err, "out of memory");
	}
	*out = res;
	return 0;
}

void
report_release(struct report *r)
{
	struct report empty = REPORT_INIT;

	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nsamples; i++)
		free((char *)r->samples[i].text);
	free(r->samples);
	free(r->members);
	*r = empty;
}

const char *
report_mask_word(enum report_lang lang)
{
	return lang == REPORT_LANG_EN ? "[name]" : "[naam]";
}

