/*
 * report_ratings — rating samples and ratings: the store's rows, ratings.c's decisions, one
 * transaction each. See include/report_ratings.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_ratings.h"
#include "banned.h"

/* Pick and record the samples of rd's week (none recorded yet), inside the caller's
 * transaction. */
static int
samples_pick(struct db *db, const struct report_data *rd, int64_t program_id, int n,
    time_t now, struct fb_error *err)
{
	int64_t *ids, next;
	size_t nids, take;
	int rc = -1;

	if (store_rating_sample_candidates(db, program_id, rd->team_id, rd->in.week, &ids, &nids,
	    err) < 0)
		return -1;
	take = ratings_pick_samples(ids, nids, rd->in.week, n);
	if (store_rating_sample_next(db, program_id, &next, err) < 0)
		goto out;
	for (size_t i = 0; i < take; i++)
		if (store_rating_sample_add(db, program_id, next + (int64_t)i, ids[i], rd->team_id,
		    rd->in.week, now, err) < 0)
			goto out;
	rc = 0;
out:
	free(ids);
	return rc;
}

/* Is there a row at all? Stop at the first. */
static int
sample_seen(void *arg, int64_t number, const char *const parts[3])
{
	(void)arg;
	(void)number;
	(void)parts;
	return 1;
}

struct shown {
	struct report_set *s;
	struct report_data *rd;
	int n;                   /* room in rd->samples */
	int shown;
	struct fb_error *err;
};

/* One recorded sample into rd->samples, its id and text kept in the set. */
static int
sample_show(void *arg, int64_t number, const char *const parts[3])
{
	struct shown *sh = arg;
	struct buf raw = BUF_INIT;
	char id[32];
	const char *kid = NULL, *ktext = NULL;

	if (sh->shown >= sh->n)
		return 1;
	snprintf(id, sizeof(id), "F%lld", (long long)number);
	if (ratings_sample_text(sh->rd->in.lang, parts, &raw) == 0 &&
	    (kid = store_report_keep(sh->s, id)) != NULL)
		ktext = store_report_keep(sh->s, raw.data);
	buf_release(&raw);
	if (ktext == NULL)
		return fb_error_set(sh->err, "out of memory");
	sh->rd->samples[sh->shown].id = kid;
	sh->rd->samples[sh->shown].text = ktext;
	sh->shown++;
	return 0;
}

int
report_samples_attach(struct db *db, struct report_set *s, struct report_data *rd, int n,
    time_t now, struct fb_error *err)
{
	struct shown sh = { s, rd, 0, 0, err };
	int64_t program_id;
	int rc;

	if (n <= 0)
		return 0;
	if (n > RATINGS_SAMPLES_MAX)
		n = RATINGS_SAMPLES_MAX;
	free(rd->samples);
	rd->samples = NULL;
	rd->in.samples = NULL;
	rd->in.nsamples = 0;
	rc = store_report_team_program(db, rd->team_id, &program_id, err);
	if (rc != 0)
		return rc < 0 ? -1 :
		    fb_error_set(err, "rating samples: no team %lld", (long long)rd->team_id);
	if (db_begin(db, err) < 0)
		return -1;
	/* Already picked for this team and week? Then show the same ones. */
	rc = store_rating_samples_shown(db, rd->team_id, rd->in.week, sample_seen, NULL, err);
	if (rc < 0 || (rc == 0 && samples_pick(db, rd, program_id, n, now, err) < 0))
		goto fail;
	if (store_report_team_names(db, s, rd, err) < 0)
		goto fail;
	rd->samples = calloc((size_t)n, sizeof(*rd->samples));
	if (rd->samples == NULL) {
		fb_error_set(err, "out of memory");
		goto fail;
	}
	sh.n = n;
	if (store_rating_samples_shown(db, rd->team_id, rd->in.week, sample_show, &sh, err) < 0)
		goto fail;
	if (db_commit(db, err) < 0)
		goto fail_nr;
	rd->in.samples = rd->samples;
	rd->in.nsamples = (size_t)sh.shown;
	return sh.shown;
fail:
	db_rollback(db);
fail_nr:
	free(rd->samples);
	rd->samples = NULL;
	return -1;
}

int
report_ratings_apply(struct db *db, int64_t facilitator_id, const struct fields *f,
    time_t now, struct report_rating_outcomes *out, struct fb_error *err)
{
	int64_t team_id, program_id;
	size_t nratings;
	int recorded = 0, rc;

	memset(out, 0, sizeof(*out));
	rc = store_rating_facilitator(db, facilitator_id, &team_id, &program_id, err);
	if (rc != 0)
		return rc < 0 ? -1 :
		    fb_error_set(err, "no facilitator %lld", (long long)facilitator_id);
	if (ratings_outcomes_init(out, f, &nratings) < 0)
		return fb_error_set(err, "out of memory");
	if (db_begin(db, err) < 0)
		goto fail_nr;
	for (size_t i = 0; i < nratings; i++) {
		const struct fields_rating *r = &f->ratings[i];
		struct store_rating_sample sample = { 0, 0, 0 };
		enum report_rating_result result;

		rc = store_rating_sample_find(db, program_id, ratings_sample_number(r->id), &sample,
		    err);
		if (rc < 0)
			goto fail;
		result = ratings_judge(rc == 0, sample.team_id, team_id);
		if (result == REPORT_RATING_RECORDED) {
			if (store_rating_put(db, sample.feedback_id, facilitator_id, r->score,
			    sample.week, now, err) < 0)
				goto fail;
			recorded++;
		}
		ratings_outcome_add(out, result, r);
	}
	if (db_commit(db, err) < 0)
		goto fail_nr;
	ratings_outcomes_finish(out, f);
	return recorded;
fail:
	db_rollback(db);
fail_nr:
	report_rating_outcomes_release(out);
	return -1;
}
