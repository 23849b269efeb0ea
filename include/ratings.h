/*
 * ratings — the pure part of the facilitators' rating samples and ratings: which feedback a
 * report shows as samples (a fixed order by a hash of the feedback id and the week, so the
 * choice is deterministic and not the order of arrival), the text a sample shows, what an
 * "F12: 4" in a reply refers to, what becomes of each rating, and the problems fields noted.
 *
 * The flow (report_ratings.h) reads and writes the rows through the store and asks this module
 * what to do with them; nothing here touches the database.
 */
#ifndef FB_RATINGS_H
#define FB_RATINGS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "fields.h"
#include "report.h"

#define RATINGS_MAX 1000        /* ratings (and problems) read from one reply */
#define RATINGS_SAMPLES_MAX 20  /* samples one report shows at most */

/* What became of one rating in a facilitator's reply; the mail says it in the facilitator's
 * language (the words are in the templates ratings_received and facilitator_confirmation). */
enum report_rating_result {
	REPORT_RATING_RECORDED,     /* stored (a later rating of the same sample replaces it) */
	REPORT_RATING_UNKNOWN,      /* no sample with that number in the programme: not stored */
	REPORT_RATING_OTHER_TEAM,   /* a sample of another team's report: not stored */
	REPORT_RATING_PROBLEM,      /* fields found a problem, in problem: */
};

struct report_rating_outcome {
	enum report_rating_result result;
	enum fields_problem problem; /* PROBLEM: FIELDS_PROBLEM_RATING_OUT_OF_RANGE (not stored)
	                              * or FIELDS_PROBLEM_RATING_TWICE (the later rating counts,
	                              * and has an outcome of its own); else FIELDS_PROBLEM_OTHER */
	char id[24];                 /* the sample: "F12" */
	int score;                   /* the rating 1..5; 0 for RATING_OUT_OF_RANGE */
	const char *value;           /* RATING_OUT_OF_RANGE: the rating as written (points into
	                              * the fields given, valid while they are), else NULL */
	size_t line;                 /* where in the reply */
};

/* Outcomes in the order of the reply's lines (a problem after the rating of its line). */
struct report_rating_outcomes {
	struct report_rating_outcome *v;
	size_t n;
	size_t cap;                  /* room in v (ratings_outcomes_init()) */
};
#define REPORT_RATING_OUTCOMES_INIT { NULL, 0, 0 }

/* Free the outcomes' storage and empty them; NULL is fine. */
void report_rating_outcomes_release(struct report_rating_outcomes *o);

/*
 * Empty o and make room for the outcomes of f's ratings and rating problems (at most
 * RATINGS_MAX of each); *nratings is how many of f's ratings to look at. 0, or -1 on ENOMEM
 * (o empty).
 */
int ratings_outcomes_init(struct report_rating_outcomes *o, const struct fields *f,
    size_t *nratings);

/* Add the outcome of rating r (its id, score and line) to o; nothing when o is full. */
void ratings_outcome_add(struct report_rating_outcomes *o, enum report_rating_result result,
    const struct fields_rating *r);

/* Add the rating problems fields noted in f (out of range, rated twice: with the score that
 * counts) and put o in the order of the reply's lines. */
void ratings_outcomes_finish(struct report_rating_outcomes *o, const struct fields *f);

/* "F12" (or "f12") → 12; 0 when id is not of that form. */
int64_t ratings_sample_number(const char *id);

/* What becomes of a rating of a sample: found is 0 when the programme has no sample of that
 * number, else sample_team is the team whose report showed it; own_team is the rater's. */
enum report_rating_result ratings_judge(int found, int64_t sample_team, int64_t own_team);

/*
 * Pick samples from the candidate feedback ids (n of them, each once) of a team's week: the
 * first ones in the order of (id * 2654435761 + week * 40503) mod 1000003, then of id. Moves
 * them to the front of ids, in that order, and returns how many: at most want, at most
 * RATINGS_SAMPLES_MAX.
 */
size_t ratings_pick_samples(int64_t *ids, size_t n, int week, int want);

/* A sample's text: "Bevestiging: …\nKritiek: …\nConstructief: …" (English labels for
 * REPORT_LANG_EN) of the BKC parts that are not empty. -1 on ENOMEM. */
int ratings_sample_text(enum report_lang lang, const char *const parts[3], struct buf *out);

#endif
