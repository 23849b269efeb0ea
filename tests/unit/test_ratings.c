/*
 * Unit tests of ratings: the pure half of rating samples and ratings. One table row per case,
 * each its own cmocka test: what a sample id means, what becomes of a rating, which feedback is
 * picked as a sample (the order the store used to pick in with SQL, checked against SQLite's
 * own ORDER BY for the same ids), a sample's text; then the outcomes of a whole reply.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testlib.h"

#include "ratings.h"

/* ---- sample numbers ---- */

struct number_case {
	const char *name;
	const char *id;
	int64_t want;
};

static const struct number_case number_cases[] = {
	{ "test_ratings_number_upper", "F12", 12 },
	{ "test_ratings_number_lower", "f3", 3 },
	{ "test_ratings_number_leading_zero", "F007", 7 },
	{ "test_ratings_number_bare_letter", "F", 0 },
	{ "test_ratings_number_other_letter", "G12", 0 },
	{ "test_ratings_number_trailing_junk", "F1x", 0 },
	{ "test_ratings_number_sign", "F-1", 0 },
	{ "test_ratings_number_null", NULL, 0 },
	{ "test_ratings_number_nine_digits", "F999999999", 999999999 },
	{ "test_ratings_number_too_long", "F9999999999", 0 },
};

static void
run_number(void **state)
{
	const struct number_case *c = *state;

	assert_int_equal(ratings_sample_number(c->id), c->want);
}

/* ---- what becomes of a rating ---- */

struct judge_case {
	const char *name;
	int found;
	int64_t sample_team, own_team;
	enum report_rating_result want;
};

static const struct judge_case judge_cases[] = {
	{ "test_ratings_judge_own_team_recorded", 1, 4, 4, REPORT_RATING_RECORDED },
	{ "test_ratings_judge_other_team_refused", 1, 5, 4, REPORT_RATING_OTHER_TEAM },
	{ "test_ratings_judge_no_sample_unknown", 0, 0, 4, REPORT_RATING_UNKNOWN },
	{ "test_ratings_judge_unknown_whatever_team", 0, 4, 4, REPORT_RATING_UNKNOWN },
};

static void
run_judge(void **state)
{
	const struct judge_case *c = *state;

	assert_int_equal(ratings_judge(c->found, c->sample_team, c->own_team), c->want);
}

/* ---- picking samples ---- */

#define PICK_MAX 8

struct pick_case {
	const char *name;
	int64_t ids[PICK_MAX];
	size_t n;
	int week, want;
	size_t nwant;
	int64_t picked[PICK_MAX];  /* SQLite's ORDER BY (id * 2654435761 + week * 40503) % 1000003, id */
};

static const struct pick_case pick_cases[] = {
	{ "test_ratings_pick_week_1", { 5, 1000, 123456, 77, 2, 999, 31 }, 7, 1, 3,
	  3, { 5, 123456, 31 } },
	{ "test_ratings_pick_week_2_other_order", { 5, 1000, 123456, 77, 2, 999, 31 }, 7, 2, 3,
	  3, { 77, 5, 123456 } },
	{ "test_ratings_pick_week_10_all", { 5, 1000, 123456, 77, 2, 999, 31 }, 7, 10, 7,
	  7, { 1000, 2, 77, 5, 123456, 31, 999 } },
	{ "test_ratings_pick_input_order_irrelevant", { 31, 999, 2, 77, 123456, 1000, 5 }, 7, 10, 2,
	  2, { 1000, 2 } },
	{ "test_ratings_pick_fewer_than_wanted", { 1, 2 }, 2, 3, 5, 2, { 1, 2 } },
	{ "test_ratings_pick_first_eight", { 1, 2, 3, 4, 5, 6, 7, 8 }, 8, 3, 20,
	  8, { 7, 5, 3, 8, 1, 6, 4, 2 } },
	{ "test_ratings_pick_none_wanted", { 1, 2 }, 2, 3, 0, 0, { 0 } },
	{ "test_ratings_pick_no_candidates", { 0 }, 0, 3, 2, 0, { 0 } },
};

static void
run_pick(void **state)
{
	const struct pick_case *c = *state;
	int64_t ids[PICK_MAX];
	size_t got;

	memcpy(ids, c->ids, sizeof(ids));
	got = ratings_pick_samples(ids, c->n, c->week, c->want);
	assert_int_equal(got, c->nwant);
	for (size_t i = 0; i < got; i++)
		assert_int_equal(ids[i], c->picked[i]);
}

/* ---- a sample's text ---- */

struct text_case {
	const char *name;
	enum report_lang lang;
	const char *parts[3];
	const char *want;
};

static const struct text_case text_cases[] = {
	{ "test_ratings_text_all_parts_nl", REPORT_LANG_NL, { "goed", "te lang", "korter" },
	  "Bevestiging: goed\nKritiek: te lang\nConstructief: korter" },
	{ "test_ratings_text_all_parts_en", REPORT_LANG_EN, { "good", "too long", "shorter" },
	  "Confirmation: good\nCritique: too long\nSuggestion: shorter" },
	{ "test_ratings_text_empty_part_left_out", REPORT_LANG_NL, { "", "te lang", "" },
	  "Kritiek: te lang" },
	{ "test_ratings_text_null_part_left_out", REPORT_LANG_EN, { "good", NULL, "shorter" },
	  "Confirmation: good\nSuggestion: shorter" },
	{ "test_ratings_text_nothing", REPORT_LANG_NL, { "", "", "" }, "" },
};

static void
run_text(void **state)
{
	const struct text_case *c = *state;
	struct buf out = BUF_INIT;

	assert_int_equal(ratings_sample_text(c->lang, c->parts, &out), 0);
	assert_string_equal(out.data, c->want);
	buf_release(&out);
}

/* ---- the outcomes of a reply ---- */

/* Three ratings (F2 twice: the later counts), one out of range; outcomes by line, a problem
 * after the rating of its line. */
static void
test_ratings_outcomes_in_line_order(void **state)
{
	struct fields_rating r[] = {
		{ "F7", 4, 3 }, { "F2", 5, 1 }, { "F2", 2, 6 },
	};
	struct fields_note nt[] = {
		{ 6, "twice", FIELDS_PROBLEM_RATING_TWICE, 2, NULL },
		{ 4, "range", FIELDS_PROBLEM_RATING_OUT_OF_RANGE, 9, "8" },
		{ 5, "other", FIELDS_PROBLEM_OTHER, 0, NULL },
	};
	struct fields f;
	struct report_rating_outcomes o = REPORT_RATING_OUTCOMES_INIT;
	size_t nratings;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.ratings = r;
	f.nratings = 3;
	f.problems = nt;
	f.nproblems = 3;
	assert_int_equal(ratings_outcomes_init(&o, &f, &nratings), 0);
	assert_int_equal(nratings, 3);
	ratings_outcome_add(&o, REPORT_RATING_OTHER_TEAM, &r[0]);
	ratings_outcome_add(&o, REPORT_RATING_RECORDED, &r[1]);
	ratings_outcome_add(&o, REPORT_RATING_RECORDED, &r[2]);
	ratings_outcomes_finish(&o, &f);
	assert_int_equal(o.n, 5);
	assert_string_equal(o.v[0].id, "F2");
	assert_int_equal(o.v[0].line, 1);
	assert_string_equal(o.v[1].id, "F7");
	assert_int_equal(o.v[1].result, REPORT_RATING_OTHER_TEAM);
	assert_int_equal(o.v[2].result, REPORT_RATING_PROBLEM);
	assert_int_equal(o.v[2].problem, FIELDS_PROBLEM_RATING_OUT_OF_RANGE);
	assert_string_equal(o.v[2].id, "F9");
	assert_string_equal(o.v[2].value, "8");
	assert_int_equal(o.v[2].score, 0);
	assert_int_equal(o.v[3].result, REPORT_RATING_RECORDED);
	assert_int_equal(o.v[3].line, 6);
	assert_int_equal(o.v[4].result, REPORT_RATING_PROBLEM);
	assert_int_equal(o.v[4].problem, FIELDS_PROBLEM_RATING_TWICE);
	assert_int_equal(o.v[4].score, 2);   /* the later rating of F2 */
	report_rating_outcomes_release(&o);
	assert_null(o.v);
	report_rating_outcomes_release(NULL);
}

/* A reply with nothing to rate allocates nothing and finishes empty. */
static void
test_ratings_outcomes_empty_reply(void **state)
{
	struct fields f;
	struct report_rating_outcomes o = REPORT_RATING_OUTCOMES_INIT;
	size_t nratings = 99;

	(void)state;
	memset(&f, 0, sizeof(f));
	assert_int_equal(ratings_outcomes_init(&o, &f, &nratings), 0);
	assert_int_equal(nratings, 0);
	ratings_outcomes_finish(&o, &f);
	assert_int_equal(o.n, 0);
	report_rating_outcomes_release(&o);
}

/* More outcomes than room: the extra ones are dropped, not written past the end. */
static void
test_ratings_outcomes_full_drops(void **state)
{
	struct fields_rating r = { "F1", 3, 1 };
	struct fields f;
	struct report_rating_outcomes o = REPORT_RATING_OUTCOMES_INIT;
	size_t nratings;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.ratings = &r;
	f.nratings = 1;
	assert_int_equal(ratings_outcomes_init(&o, &f, &nratings), 0);
	ratings_outcome_add(&o, REPORT_RATING_RECORDED, &r);
	ratings_outcome_add(&o, REPORT_RATING_RECORDED, &r);
	assert_int_equal(o.n, 1);
	report_rating_outcomes_release(&o);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_ratings_outcomes_in_line_order),
		cmocka_unit_test(test_ratings_outcomes_empty_reply),
		cmocka_unit_test(test_ratings_outcomes_full_drops),
	};
	int rc = 0;

	rc |= testlib_run_table("ratings_number", number_cases,
	    sizeof(number_cases) / sizeof(number_cases[0]), sizeof(number_cases[0]), run_number,
	    NULL, 0);
	rc |= testlib_run_table("ratings_judge", judge_cases,
	    sizeof(judge_cases) / sizeof(judge_cases[0]), sizeof(judge_cases[0]), run_judge,
	    NULL, 0);
	rc |= testlib_run_table("ratings_pick", pick_cases,
	    sizeof(pick_cases) / sizeof(pick_cases[0]), sizeof(pick_cases[0]), run_pick, NULL, 0);
	rc |= testlib_run_table("ratings_text", text_cases,
	    sizeof(text_cases) / sizeof(text_cases[0]), sizeof(text_cases[0]), run_text,
	    fixed, sizeof(fixed) / sizeof(fixed[0]));
	return rc;
}
