/*
 * ratings — rating samples and ratings, decided without the database. See include/ratings.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ratings.h"
#include "banned.h"

void
report_rating_outcomes_release(struct report_rating_outcomes *o)
{
	if (o == NULL)
		return;
	free(o->v);
	o->v = NULL;
	o->n = 0;
	o->cap = 0;
}

int
ratings_outcomes_init(struct report_rating_outcomes *o, const struct fields *f,
    size_t *nratings)
{
	size_t nproblems = f->nproblems < RATINGS_MAX ? f->nproblems : RATINGS_MAX;

	memset(o, 0, sizeof(*o));
	*nratings = f->nratings < RATINGS_MAX ? f->nratings : RATINGS_MAX;
	o->cap = *nratings + nproblems;
	if (o->cap > 0 && (o->v = calloc(o->cap, sizeof(*o->v))) == NULL) {
		o->cap = 0;
		return -1;
	}
	return 0;
}

/* The next outcome of o, filled with the common parts; NULL when o is full. */
static struct report_rating_outcome *
outcome_add(struct report_rating_outcomes *o, enum report_rating_result result,
    enum fields_problem problem, const char *id, int score, size_t line)
{
	struct report_rating_outcome *r;

	if (o->n >= o->cap)
		return NULL;
	r = &o->v[o->n++];
	memset(r, 0, sizeof(*r));
	r->result = result;
	r->problem = problem;
	snprintf(r->id, sizeof(r->id), "%s", id ? id : "");
	r->score = score;
	r->line = line;
	return r;
}

void
ratings_outcome_add(struct report_rating_outcomes *o, enum report_rating_result result,
    const struct fields_rating *r)
{
	outcome_add(o, result, FIELDS_PROBLEM_OTHER, r->id, r->score, r->line);
}

/* By line; at one line the rating before the problem noted about it (a line holds one rating,
 * so there are no other ties). */
static int
outcome_cmp(const void *a, const void *b)
{
	const struct report_rating_outcome *x = a, *y = b;
	int px = x->result == REPORT_RATING_PROBLEM, py = y->result == REPORT_RATING_PROBLEM;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return px - py;
}

void
ratings_outcomes_finish(struct report_rating_outcomes *o, const struct fields *f)
{
	for (size_t i = 0; i < f->nproblems && o->n < o->cap; i++) {
		const struct fields_note *nt = &f->problems[i];
		struct report_rating_outcome *r;
		char id[24];
		int score = 0;

		if (nt->kind != FIELDS_PROBLEM_RATING_OUT_OF_RANGE &&
		    nt->kind != FIELDS_PROBLEM_RATING_TWICE)
			continue;
		snprintf(id, sizeof(id), "F%u", nt->q);
		for (size_t k = 0; nt->kind == FIELDS_PROBLEM_RATING_TWICE && k < f->nratings; k++)
			if (f->ratings[k].id != NULL && strcmp(f->ratings[k].id, id) == 0)
				score = f->ratings[k].score;
		r = outcome_add(o, REPORT_RATING_PROBLEM, nt->kind, id, score, nt->line);
		if (nt->kind == FIELDS_PROBLEM_RATING_OUT_OF_RANGE)
			r->value = nt->value;
	}
	if (o->n > 1)
		qsort(o->v, o->n, sizeof(*o->v), outcome_cmp);
}

int64_t
ratings_sample_number(const char *id)
{
	int64_t n = 0;

	if (id == NULL || (id[0] != 'F' && id[0] != 'f') || id[1] == '\0')
		return 0;
	for (const char *p = id + 1; *p; p++) {
		if (*p < '0' || *p > '9' || n > 100000000)
			return 0;
		n = n * 10 + (*p - '0');
	}
	return n;
}

enum report_rating_result
ratings_judge(int found, int64_t sample_team, int64_t own_team)
{
	if (!found)
		return REPORT_RATING_UNKNOWN;
	return sample_team == own_team ? REPORT_RATING_RECORDED : REPORT_RATING_OTHER_TEAM;
}

/* The sample order's key. Row ids are positive and far below 2^63 / 2654435761 (3.4e9), where
 * the product stays exact in SQLite's integers too (the order the store picked in before);
 * unsigned arithmetic keeps larger ids defined. */
static uint64_t
sample_key(int64_t id, int week)
{
	return ((uint64_t)id * 2654435761u + (uint64_t)week * 40503u) % 1000003u;
}

/* Does (key, id) of a come before that of b? */
static int
sample_before(int64_t a, int64_t b, int week)
{
	uint64_t ka = sample_key(a, week), kb = sample_key(b, week);

	return ka != kb ? ka < kb : a < b;
}

size_t
ratings_pick_samples(int64_t *ids, size_t n, int week, int want)
{
	size_t take;

	if (want <= 0 || n == 0)
		return 0;
	take = (size_t)(want < RATINGS_SAMPLES_MAX ? want : RATINGS_SAMPLES_MAX);
	if (take > n)
		take = n;
	/* A selection of the first take (at most 20): no memory, and n is one team's week. */
	for (size_t i = 0; i < take; i++) {
		size_t best = i;
		int64_t t;

		for (size_t j = i + 1; j < n; j++)
			if (sample_before(ids[j], ids[best], week))
				best = j;
		t = ids[i];
		ids[i] = ids[best];
		ids[best] = t;
	}
	return take;
}

int
ratings_sample_text(enum report_lang lang, const char *const parts[3], struct buf *out)
{
	static const char *const labels[2][3] = {
		{ "Bevestiging", "Kritiek", "Constructief" },
		{ "Confirmation", "Critique", "Suggestion" },
	};

	for (int k = 0; k < 3; k++) {
		const char *t = parts[k] ? parts[k] : "";

		if (t[0] == '\0')
			continue;
		if (buf_addf(out, "%s%s: %s", out->len ? "\n" : "",
		    labels[lang == REPORT_LANG_EN][k], t) < 0)
			return -1;
	}
	return 0;
}
