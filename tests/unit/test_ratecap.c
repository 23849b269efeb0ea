/*
 * Unit tests of ratecap (src/core/ratecap.c): the per-recipient daily cap as a rolling 24-hour
 * window. Each case: when the messages counted so far went (hours before now), the waiting
 * rows in the order they should go (held, or admitted h hours ago), the cap, and when each
 * waiting row may go (hours after now, 0 = now). No row ever waits forever.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ratecap.h"
#include "testlib.h"

#define NOW ((time_t)1799049600)  /* 2027-01-04T08:00:00Z */
#define H 3600
#define END (-1000)               /* ends a list of hours */
#define HELD (-2000)              /* a waiting row that is held */

struct rcase {
	const char *name;
	int cap;
	double counted[32];       /* hours before now, END-terminated */
	double waiting[32];       /* HELD, or admitted hours before now; END-terminated */
	double expect[32];        /* hours after now each waiting row goes */
};

static const struct rcase cases[] = {
	{ "test_ratecap_room_left_goes_now", 3, { 1, 2, END }, { HELD, END }, { 0 } },
	{ "test_ratecap_full_window_waits_until_the_oldest_leaves", 3, { 1, 2, 5, END },
	    { HELD, END }, { 19 } },
	{ "test_ratecap_each_waiting_row_gets_its_own_slot", 3, { 1, 2, 5, END },
	    { HELD, HELD, HELD, HELD, END }, { 19, 22, 23, 43 } },
	{ "test_ratecap_times_outside_the_window_do_not_count", 2, { 24, 30, 100, END },
	    { HELD, HELD, HELD, END }, { 0, 0, 24 } },
	{ "test_ratecap_fifteen_asks_on_a_morning_with_seven_sent", 20,
	    { 1, 1, 1, 1, 1, 1, 1, END },
	    { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, END },
	    { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 23, 23 } },
	{ "test_ratecap_rows_admitted_at_now_fill_the_window_too", 2, { END }, { 0, 0, 0, END },
	    { 0, 0, 24 } },
	{ "test_ratecap_a_row_admitted_earlier_counts_from_then", 2, { END },
	    { 20, 10, HELD, END }, { 0, 0, 4 } },
	{ "test_ratecap_exactly_24_hours_ago_has_left", 1, { 24, END }, { HELD, END }, { 0 } },
	{ "test_ratecap_no_cap_all_now", 0, { 1, 1, 1, END }, { HELD, HELD, END }, { 0, 0 } },
	{ "test_ratecap_more_counted_than_the_cap_after_it_was_lowered", 2,
	    { 1, 2, 3, 4, END }, { HELD, END }, { 22 } },
	{ "test_ratecap_nothing_waiting", 3, { 1, END }, { END }, { 0 } },
};

static void
run_case(void **state)
{
	const struct rcase *c = *state;
	time_t counted[32];
	struct ratecap_row rows[32];
	size_t nc = 0, nw = 0;

	for (; c->counted[nc] != END; nc++)
		counted[nc] = NOW - (time_t)(c->counted[nc] * H);
	for (; c->waiting[nw] != END; nw++) {
		rows[nw].admitted = c->waiting[nw] == HELD ? 0 :
		    NOW - (time_t)(c->waiting[nw] * H);
		rows[nw].at = 0;
	}
	assert_int_equal(ratecap_plan(counted, nc, rows, nw, c->cap, NOW), 0);
	for (size_t i = 0; i < nw; i++) {
		time_t want = NOW + (time_t)(c->expect[i] * H);

		if (rows[i].at != want)
			fail_msg("row %zu goes at %s, expected %+.0f h", i, testlib_utc(rows[i].at),
			    c->expect[i]);
	}
}

/* Whatever arrives, a rolling window never holds more than cap, and every row gets a time. */
static void
test_ratecap_no_window_ever_exceeds_the_cap(void **state)
{
	time_t counted[40], all[200];
	struct ratecap_row rows[150];
	size_t nall = 0;

	(void)state;
	for (int i = 0; i < 40; i++)
		counted[i] = NOW - (time_t)((i * 7919) % (30 * H));
	for (int i = 0; i < 150; i++)
		rows[i] = (struct ratecap_row){ i % 3 ? 0 : NOW, 0 };
	assert_int_equal(ratecap_plan(counted, 40, rows, 150, 20, NOW), 0);
	for (int i = 0; i < 40; i++)
		all[nall++] = counted[i];
	for (int i = 0; i < 150; i++) {
		assert_true(rows[i].at >= NOW);
		assert_true(rows[i].at < NOW + 10 * 24 * H);
		if (i > 0)
			assert_true(rows[i].at >= rows[i - 1].at);
		all[nall++] = rows[i].at;
	}
	/* The window ending at each planned time (the counted ones may overfill theirs: more were
	 * sent than a lowered cap allows, and nothing waiting may add to that). */
	for (size_t i = 40; i < nall; i++) {
		int in = 0;

		for (size_t k = 0; k < nall; k++)
			in += all[k] > all[i] - RATECAP_WINDOW && all[k] <= all[i];
		assert_true(in <= 20);
	}
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_ratecap_no_window_ever_exceeds_the_cap),
	};

	return testlib_run_table("ratecap", cases, sizeof(cases) / sizeof(cases[0]),
	    sizeof(cases[0]), run_case, fixed, sizeof(fixed) / sizeof(fixed[0]));
}
