/*
 * Unit tests of the bounce score (src/core/bounce.c): permanent 2, temporary 1, the heaviest
 * bounce of a UTC day only, expiry after the window.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bounce.h"
#include "testlib.h"

#define D 86400
#define T0 ((time_t)1800000000 / D * D)  /* midnight UTC */
#define NOW (T0 + 40 * D + 12 * 3600)
#define WINDOW (30 * D)

struct scase {
	const char *name;
	struct bounce_event ev[6];
	size_t n;
	int score;
	int unreachable;  /* at the default threshold 4 */
};

static const struct scase cases[] = {
	{ "test_bounce_score_none_is_zero", { { 0, 0 } }, 0, 0, 0 },
	{ "test_bounce_score_one_permanent_is_two", { { NOW - D, 1 } }, 1, 2, 0 },
	{ "test_bounce_score_one_temporary_is_one", { { NOW - D, 0 } }, 1, 1, 0 },
	{ "test_bounce_score_two_permanent_days_reach_four",
	  { { NOW - D, 1 }, { NOW - 2 * D, 1 } }, 2, 4, 1 },
	{ "test_bounce_score_one_day_counts_once",
	  { { NOW - 3600, 1 }, { NOW - 7200, 1 }, { NOW - 3 * 3600, 1 } }, 3, 2, 0 },
	{ "test_bounce_score_a_day_counts_its_heaviest",
	  { { NOW - 3600, 0 }, { NOW - 7200, 1 }, { NOW - 3 * 3600, 0 } }, 3, 2, 0 },
	{ "test_bounce_score_four_temporary_days",
	  { { NOW, 0 }, { NOW - D, 0 }, { NOW - 2 * D, 0 }, { NOW - 3 * D, 0 } }, 4, 4, 1 },
	{ "test_bounce_score_old_bounces_expire",
	  { { NOW - WINDOW, 1 }, { NOW - 31 * D, 1 }, { NOW, 1 } }, 3, 2, 0 },
	{ "test_bounce_score_future_bounces_do_not_count", { { NOW + D, 1 }, { NOW, 1 } }, 2, 2, 0 },
};

static void
run_case(void **state)
{
	const struct scase *c = *state;
	int s = bounce_score(c->ev, c->n, NOW, WINDOW);

	assert_int_equal(s, c->score);
	assert_int_equal(bounce_unreachable(s, 4), c->unreachable);
}

static void
test_bounce_threshold_zero_never_marks(void **state)
{
	(void)state;
	assert_int_equal(bounce_unreachable(100, 0), 0);
	assert_int_equal(bounce_unreachable(2, 2), 1);
	assert_int_equal(bounce_unreachable(1, 2), 0);
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_bounce_threshold_zero_never_marks),
	};

	return testlib_run_table("bounce", cases, sizeof(cases) / sizeof(cases[0]),
	    sizeof(cases[0]), run_case, fixed, 1);
}
