/*
 * test_report_wins — the rules that pick what went well for the evaluation report: a table of
 * small teams, each with the items the rules must pick (kind and figures) and nothing else, so
 * a rule that invents, misses or reorders shows up as the row that broke.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "report_wins.h"
#include "testlib.h"
#include "banned.h"

#define NM 4

struct wins_case {
	const char *name;
	int weeks;                       /* through_week */
	int min_group;
	int given[NM][9];                /* per member, weeks 1..8 (slot 0 unused) */
	int left[NM];                    /* 1: left the programme */
	int nmembers;
	int sent[REPORT_MOMENTS], answered[REPORT_MOMENTS];
	double avg[2][3];                /* baseline and final, questions 1..2 (slot 0 unused) */
	int navg[2][3];
	double rating[9];                /* per week, 0: none */
	const char *want;                /* the items: "kind:figures;..." */
};

static const struct wins_case cases[] = {
	{ "nothing_to_celebrate_gives_an_empty_list", 3, 3, { { 0 } }, { 0 }, 3, { 0 }, { 0 },
	    { { 0 } }, { { 0 } }, { 0 }, "" },
	{ "busiest_week_is_the_earliest_of_equals", 3, 3,
	    { { 0, 1, 2, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 3 } }, { 0 }, 3, { 0 }, { 0 }, { { 0 } },
	    { { 0 } }, { 0 }, "busiest:2=3;everyone:3" },
	{ "score_rise_needs_the_group_at_both_moments", 3, 3, { { 0 } }, { 0 }, 3, { 0 }, { 0 },
	    { { 0, 5.0, 4.0 }, { 0, 7.0, 6.0 } }, { { 0, 3, 3 }, { 0, 2, 3 } }, { 0 },
	    "rise:q2 4.0->6.0 m2" },
	{ "score_rise_below_half_a_point_is_not_a_win", 3, 3, { { 0 } }, { 0 }, 3, { 0 }, { 0 },
	    { { 0, 5.0, 0 }, { 0, 5.4, 0 } }, { { 0, 3, 0 }, { 0, 3, 0 } }, { 0 }, "" },
	{ "the_biggest_rise_wins", 3, 2, { { 0 } }, { 0 }, 3, { 0 }, { 0 },
	    { { 0, 5.0, 4.0 }, { 0, 6.0, 7.5 } }, { { 0, 2, 2 }, { 0, 2, 2 } }, { 0 },
	    "rise:q2 4.0->7.5 m2" },
	{ "volume_rise_compares_per_week_from_week_4", 5, 3,
	    { { 0, 1, 0, 2, 2, 1 }, { 0, 0, 1, 1, 1, 1 } }, { 0 }, 2, { 0 }, { 0 }, { { 0 } },
	    { { 0 } }, { 0 }, "busiest:3=3;volrise:2 1.0->2.7;everyone:2" },
	{ "no_volume_rise_before_week_4", 3, 3, { { 0, 1, 2, 5 } }, { 0 }, 1, { 0 }, { 0 },
	    { { 0 } }, { { 0 } }, { 0 }, "busiest:3=5" },
	{ "everyone_gave_ignores_who_left", 2, 3, { { 0, 1, 0 }, { 0, 0, 2 }, { 0 } },
	    { 0, 0, 1 }, 3, { 0 }, { 0 }, { { 0 } }, { { 0 } }, { 0 },
	    "busiest:2=2;everyone:2" },
	{ "everyone_gave_not_when_one_never_did", 2, 3, { { 0, 1, 0 }, { 0, 0, 2 }, { 0 } },
	    { 0 }, 3, { 0 }, { 0 }, { { 0 } }, { { 0 } }, { 0 }, "busiest:2=2" },
	{ "response_of_three_quarters_is_a_win_the_later_of_equals", 1, 3, { { 0 } }, { 0 }, 4,
	    { 4, 4, 0, 0 }, { 4, 4, 0, 0 }, { { 0 } }, { { 0 } }, { 0 }, "response:m1 4/4" },
	{ "response_below_three_quarters_is_not", 1, 3, { { 0 } }, { 0 }, 4, { 4, 0, 0, 0 },
	    { 2, 0, 0, 0 }, { { 0 } }, { { 0 } }, { 0 }, "" },
	{ "best_rated_week_from_four_of_five", 3, 3, { { 0 } }, { 0 }, 3, { 0 }, { 0 }, { { 0 } },
	    { { 0 } }, { 0, 3.5, 4.5, 4.0 }, "rated:2=4.5" },
	{ "best_rated_not_below_four", 3, 3, { { 0 } }, { 0 }, 3, { 0 }, { 0 }, { { 0 } },
	    { { 0 } }, { 0, 3.5, 3.9, 0 }, "" },
	{ "all_rules_in_their_order", 4, 2,
	    { { 0, 1, 1, 2, 3 }, { 0, 1, 0, 1, 1 } }, { 0 }, 2, { 2, 0, 2, 0 }, { 2, 0, 2, 0 },
	    { { 0, 5.0, 0 }, { 0, 6.0, 0 } }, { { 0, 2, 0 }, { 0, 2, 0 } }, { 0, 0, 4.0 },
	    "rise:q1 5.0->6.0 m2;busiest:4=4;volrise:2 1.5->3.5;everyone:2;response:m2 2/2;"
	    "rated:2=4.0" },
};

static void
describe(const struct report_win *w, struct buf *out)
{
	switch (w->kind) {
	case REPORT_WIN_SCORE_RISE:
		assert_int_equal(buf_addf(out, "rise:q%d %.1f->%.1f m%d", w->question, w->from, w->to, w->moment), 0);
		break;
	case REPORT_WIN_BUSIEST_WEEK:
		assert_int_equal(buf_addf(out, "busiest:%d=%d", w->week, w->count), 0);
		break;
	case REPORT_WIN_VOLUME_RISE:
		assert_int_equal(buf_addf(out, "volrise:%d %.1f->%.1f", w->week, w->from, w->to), 0);
		break;
	case REPORT_WIN_EVERYONE_GAVE:
		assert_int_equal(buf_addf(out, "everyone:%d", w->count), 0);
		break;
	case REPORT_WIN_RESPONSE:
		assert_int_equal(buf_addf(out, "response:m%d %d/%d", w->moment, w->count, w->of), 0);
		break;
	case REPORT_WIN_BEST_RATED:
		assert_int_equal(buf_addf(out, "rated:%d=%.1f", w->week, w->to), 0);
		break;
	default:
		fail_msg("kind %d", (int)w->kind);
	}
}

static void
run(void **state)
{
	const struct wins_case *c = *state;
	struct report_member_in members[NM];
	struct report_pteam team;
	struct report_progress_input in;
	struct report_win wins[REPORT_WINS_MAX];
	struct buf got = BUF_INIT;
	size_t n;

	memset(members, 0, sizeof(members));
	memset(&team, 0, sizeof(team));
	memset(&in, 0, sizeof(in));
	for (int i = 0; i < NM; i++) {
		members[i].name = "x";
		for (int w = 1; w < 9; w++)
			members[i].given[w] = c->given[i][w];
		if (c->left[i])
			members[i].left_on.year = 2027;
	}
	team.name = "T";
	team.members = members;
	team.nmembers = (size_t)c->nmembers;
	for (int m = 0; m < REPORT_MOMENTS; m++) {
		team.sent[m] = c->sent[m];
		team.answered[m] = c->answered[m];
	}
	for (int q = 1; q <= 2; q++) {
		team.avg[0][q] = c->avg[0][q];
		team.navg[0][q] = c->navg[0][q];
		team.avg[2][q] = c->avg[1][q];     /* the final measurement */
		team.navg[2][q] = c->navg[1][q];
	}
	for (int w = 1; w < 9; w++)
		if (c->rating[w] > 0) {
			team.rating_avg[w] = c->rating[w];
			team.rating_n[w] = 2;
		}
	in.program = "P";
	in.kind = REPORT_EVALUATION;
	in.weeks = 8;
	in.through_week = c->weeks;
	in.min_group_size = c->min_group;
	in.nquestions = 2;
	in.teams = &team;
	in.nteams = 1;
	n = report_wins(&in, &team, wins);
	assert_true(n <= REPORT_WINS_MAX);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			assert_int_equal(buf_addch(&got, ';'), 0);
		describe(&wins[i], &got);
	}
	if (strcmp(got.data ? got.data : "", c->want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", c->name, got.data ? got.data : "", c->want);
	buf_release(&got);
}

int
main(void)
{
	return testlib_run_table("report_wins", cases, sizeof(cases) / sizeof(cases[0]),
	    sizeof(cases[0]), run, NULL, 0);
}
