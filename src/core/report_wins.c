/*
 * report_wins — the rules that pick what went well (see include/report_wins.h). Pure. The
 * figures are read here directly rather than through report_progress.c, which renders these
 * items: the two files of the core must not call each other in a circle.
 */
#include <string.h>

#include "report_wins.h"
#include "banned.h"

static int
min_group(const struct report_progress_input *in)
{
	return in->min_group_size > 0 ? in->min_group_size : 1;
}

static int
last_week(const struct report_progress_input *in)
{
	int w = in->through_week;

	if (w > REPORT_MAX_WEEKS)
		w = REPORT_MAX_WEEKS;
	return w < 1 ? 1 : w;
}

static long
volume(const struct report_pteam *t, int week)
{
	long sum = 0;

	for (size_t i = 0; i < t->nmembers && i < REPORT_MAX_MEMBERS; i++)
		if (t->members[i].given[week] > 0)
			sum += t->members[i].given[week];
	return sum;
}

static int
shown(const struct report_progress_input *in, const struct report_pteam *t, int m, int q)
{
	return t->navg[m][q] >= min_group(in);
}

static int
score_rise(const struct report_progress_input *in, const struct report_pteam *t,
    struct report_win *w)
{
	int nq = in->nquestions < REPORT_MAX_QUESTIONS ? in->nquestions : REPORT_MAX_QUESTIONS;
	int latest = 0, best = 0;
	double rise = 0.0;

	/* The latest measurement that shows any score: the team's picture now. */
	for (int m = 1; m < REPORT_MOMENTS; m++)
		for (int q = 1; q <= nq; q++)
			if (shown(in, t, m, q))
				latest = m;
	if (latest == 0)
		return 0;
	for (int q = 1; q <= nq; q++) {
		double d;

		if (!shown(in, t, 0, q) || !shown(in, t, latest, q))
			continue;
		d = t->avg[latest][q] - t->avg[0][q];
		if (d >= REPORT_WIN_MIN_RISE - 1e-9 && d > rise + 1e-9) {
			rise = d;
			best = q;
		}
	}
	if (best == 0)
		return 0;
	w->kind = REPORT_WIN_SCORE_RISE;
	w->question = best;
	w->moment = latest;
	w->from = t->avg[0][best];
	w->to = t->avg[latest][best];
	return 1;
}

static int
busiest_week(const struct report_progress_input *in, const struct report_pteam *t,
    struct report_win *w)
{
	long most = 0;
	int week = 0;

	for (int k = 1; k <= last_week(in); k++)
		if (volume(t, k) > most) {
			most = volume(t, k);
			week = k;
		}
	if (week == 0)
		return 0;
	w->kind = REPORT_WIN_BUSIEST_WEEK;
	w->week = week;
	w->count = most > 1000000000L ? 1000000000 : (int)most;
	return 1;
}

static int
volume_rise(const struct report_progress_input *in, const struct report_pteam *t,
    struct report_win *w)
{
	int W = last_week(in), half = W / 2;
	long first = 0, second = 0;

	if (W < 4)
		return 0;
	for (int k = 1; k <= W; k++)
		*(k <= half ? &first : &second) += volume(t, k);
	/* Compare per week: the second half may be a week longer. */
	if ((double)second / (W - half) <= (double)first / half)
		return 0;
	w->kind = REPORT_WIN_VOLUME_RISE;
	w->week = half;
	w->from = (double)first / half;
	w->to = (double)second / (W - half);
	return 1;
}

static int
everyone_gave(const struct report_progress_input *in, const struct report_pteam *t,
    struct report_win *w)
{
	int n = 0;

	for (size_t i = 0; i < t->nmembers && i < REPORT_MAX_MEMBERS; i++) {
		const struct report_member_in *m = &t->members[i];
		long total = 0;

		if (m->left_on.year != 0)
			continue;
		for (int k = 1; k <= last_week(in); k++)
			total += m->given[k] > 0 ? m->given[k] : 0;
		if (total == 0)
			return 0;
		n++;
	}
	if (n < 2)
		return 0;
	w->kind = REPORT_WIN_EVERYONE_GAVE;
	w->count = n;
	return 1;
}

static int
best_response(const struct report_pteam *t, struct report_win *w)
{
	int best = -1;

	for (int m = 0; m < REPORT_MOMENTS; m++) {
		if (t->sent[m] <= 0 || t->answered[m] < 0 || t->answered[m] > t->sent[m] ||
		    t->answered[m] * 100L < (long)REPORT_WIN_MIN_RESPONSE * t->sent[m])
			continue;
		/* a/b >= c/d without division; the later of equals */
		if (best < 0 || (long)t->answered[m] * t->sent[best] >=
		    (long)t->answered[best] * t->sent[m])
			best = m;
	}
	if (best < 0)
		return 0;
	w->kind = REPORT_WIN_RESPONSE;
	w->moment = best;
	w->count = t->answered[best];
	w->of = t->sent[best];
	return 1;
}

static int
best_rated(const struct report_progress_input *in, const struct report_pteam *t,
    struct report_win *w)
{
	int week = 0;

	for (int k = 1; k <= last_week(in); k++)
		if (t->rating_n[k] > 0 && t->rating_avg[k] >= REPORT_WIN_MIN_RATING - 1e-9 &&
		    (week == 0 || t->rating_avg[k] > t->rating_avg[week] + 1e-9))
			week = k;
	if (week == 0)
		return 0;
	w->kind = REPORT_WIN_BEST_RATED;
	w->week = week;
	w->to = t->rating_avg[week];
	return 1;
}

size_t
report_wins(const struct report_progress_input *in, const struct report_pteam *t,
    struct report_win out[REPORT_WINS_MAX])
{
	size_t n = 0;

	memset(out, 0, REPORT_WINS_MAX * sizeof(*out));
	n += (size_t)score_rise(in, t, &out[n]);
	n += (size_t)busiest_week(in, t, &out[n]);
	n += (size_t)volume_rise(in, t, &out[n]);
	n += (size_t)everyone_gave(in, t, &out[n]);
	n += (size_t)best_response(t, &out[n]);
	n += (size_t)best_rated(in, t, &out[n]);
	return n;
}
