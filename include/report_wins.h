/*
 * report_wins — what went well, for the evaluation report: the rules that pick, from a team's
 * figures, what the team can celebrate before it looks at what to improve (the evaluation's
 * discussion opens with it). Pure: the progress/evaluation input in, a short list out. Every
 * item is a figure the report itself shows, picked by a fixed rule; nothing is made up, and a
 * team whose figures show nothing gets an empty list (the report then says so).
 *
 * The rules, in the order the report lists what they find:
 *   SCORE_RISE     the question whose average rose most from the baseline to the latest
 *                  measurement with scores shown, by at least REPORT_WIN_MIN_RISE; only
 *                  questions shown at both moments (min_group_size answers at each)
 *   BUSIEST_WEEK   the week the team gave the most feedback (the earliest of equals), > 0
 *   VOLUME_RISE    from week 4 on: the team gave more feedback per week in the second half of
 *                  the weeks than in the first (weeks 1..W/2 against W/2+1..W)
 *   EVERYONE_GAVE  every member still in the programme (at least two) gave feedback at least
 *                  once
 *   RESPONSE       the measurement with the best response (the later of equals), at least
 *                  REPORT_WIN_MIN_RESPONSE percent of those who got it
 *   BEST_RATED     the week whose feedback the facilitators rated highest on average (the
 *                  earliest of equals), at least REPORT_WIN_MIN_RATING (of 5)
 */
#ifndef FB_REPORT_WINS_H
#define FB_REPORT_WINS_H

#include <stddef.h>

#include "report_progress.h"

#define REPORT_WIN_MIN_RISE 0.5      /* points on the 0-10 scale */
#define REPORT_WIN_MIN_RESPONSE 75   /* percent */
#define REPORT_WIN_MIN_RATING 4.0    /* of 5 */

enum report_win_kind {
	REPORT_WIN_SCORE_RISE,
	REPORT_WIN_BUSIEST_WEEK,
	REPORT_WIN_VOLUME_RISE,
	REPORT_WIN_EVERYONE_GAVE,
	REPORT_WIN_RESPONSE,
	REPORT_WIN_BEST_RATED,
	REPORT_WIN_KINDS /* count */
};

struct report_win {
	enum report_win_kind kind;
	int question;     /* SCORE_RISE */
	int moment;       /* SCORE_RISE: the moment compared with the baseline; RESPONSE */
	int week;         /* BUSIEST_WEEK, BEST_RATED; VOLUME_RISE: the last week of the first half */
	int count, of;    /* BUSIEST_WEEK: feedback given; EVERYONE_GAVE: members;
	                     RESPONSE: answered of sent */
	double from, to;  /* SCORE_RISE: the averages; VOLUME_RISE: feedback per week in each half;
	                     BEST_RATED: to is the average rating */
};

#define REPORT_WINS_MAX REPORT_WIN_KINDS

/*
 * What went well for team t of in (weeks 1..in->through_week), at most one item per rule, in
 * the order above, into out; returns how many. Total: any input gives a list (perhaps empty).
 */
size_t report_wins(const struct report_progress_input *in, const struct report_pteam *t,
    struct report_win out[REPORT_WINS_MAX]);

#endif
