/*
 * Unit tests of mailbudget (src/core/mailbudget.c), the mail budget's rule, and of mailkind
 * (src/core/mailkind.c), the table that says which mail it counts. Each case: today's room,
 * when the next day's budget opens (hours after now), the waiting rows in queue order (the
 * moment each is about and when it is wanted, hours from now; NONE: no moment; a flag when it
 * must arrive), and the verdict per row: G goes, O goes over the budget, W waits for the next
 * opening, P dropped (moment passed), L dropped (too late).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mailbudget.h"
#include "mailkind.h"
#include "testlib.h"

#define NOW ((time_t)1799053200)  /* 2027-01-04T09:00:00Z */
#define H 3600
#define NONE (-100000)            /* no moment / wanted: 0 */
#define END (-200000)

struct brow {
	double about, want;
	int must;
};

struct bcase {
	const char *name;
	int room;
	double opens;             /* hours after now; NONE: not known */
	struct brow rows[8];      /* END-terminated (about = END) */
	const char *expect;       /* one letter per row */
};

static const struct bcase cases[] = {
	/* Day one, budget 2: the kickoff (tomorrow, wanted a week ahead), the nudge and the
	 * questionnaire (wanted when made), the evaluation (weeks away): kickoff and nudge go. */
	{ "test_mailbudget_day_one_kickoff_and_one_more", 2, 24,
	    { { 29, 29 - 168, 1 }, { 144, 0, 0 }, { 336, 0, 0 }, { 1400, 1400 - 168, 1 },
	    { END, 0, 0 } }, "GGWW" },
	{ "test_mailbudget_room_for_all_wanted_now", 5, 24,
	    { { 144, 0, 0 }, { 336, 0, 0 }, { NONE, NONE, 0 }, { END, 0, 0 } }, "GGG" },
	{ "test_mailbudget_no_room_everything_waits", 0, 24,
	    { { 144, 0, 0 }, { 336, 0, 0 }, { END, 0, 0 } }, "WW" },
	{ "test_mailbudget_negative_room_is_no_room", -3, 24,
	    { { 144, 0, 0 }, { END, 0, 0 } }, "W" },
	{ "test_mailbudget_nearest_moment_first_among_equal_wants", 1, 24,
	    { { 300, 0, 0 }, { 100, 0, 0 }, { END, 0, 0 } }, "WG" },
	{ "test_mailbudget_sooner_wanted_first", 1, 24,
	    { { 100, -1, 0 }, { 300, -5, 0 }, { END, 0, 0 } }, "WG" },
	{ "test_mailbudget_queue_order_breaks_ties", 1, 24,
	    { { 100, 0, 0 }, { 100, 0, 0 }, { END, 0, 0 } }, "GW" },
	{ "test_mailbudget_passed_moment_is_dropped_even_with_room", 3, 24,
	    { { -1, -10, 0 }, { 0, -10, 1 }, { 5, 0, 0 }, { END, 0, 0 } }, "PPG" },
	{ "test_mailbudget_reminder_that_cannot_wait_is_dropped", 0, 24,
	    { { 10, 0, 0 }, { 24, 0, 0 }, { 25, 0, 0 }, { END, 0, 0 } }, "LLW" },
	/* The midterm Monday, budget 1: an invitation queued on Friday (wanted last week) takes
	 * the room; the team's picture, made now for a session this afternoon, goes over the
	 * budget rather than tomorrow, after the session; the nudge waits. */
	{ "test_mailbudget_team_picture_before_its_session", 1, 24,
	    { { 102, -72, 1 }, { 6, 0, 1 }, { 144, 1, 0 }, { END, 0, 0 } }, "GOW" },
	{ "test_mailbudget_invitation_that_cannot_wait_goes_over", 0, 24,
	    { { 5, -100, 1 }, { 30, -100, 1 }, { END, 0, 0 } }, "OW" },
	{ "test_mailbudget_invitation_takes_room_before_going_over", 1, 24,
	    { { 5, -100, 1 }, { 6, -100, 1 }, { END, 0, 0 } }, "GO" },
	{ "test_mailbudget_far_away_goes_when_there_is_room", 3, 24,
	    { { 1400, 1232, 1 }, { 200, 32, 0 }, { 200, 20, 0 }, { END, 0, 0 } }, "GGG" },
	{ "test_mailbudget_far_away_after_what_is_wanted_now", 2, 24,
	    { { 1400, 1232, 1 }, { 200, 32, 0 }, { 200, 0, 0 }, { 29, -139, 1 }, { END, 0, 0 } },
	    "WWGG" },
	{ "test_mailbudget_no_moment_goes_last", 1, 24,
	    { { NONE, NONE, 0 }, { 500, 0, 0 }, { END, 0, 0 } }, "WG" },
	{ "test_mailbudget_unknown_opening_drops_nothing_for_lateness", 0, NONE,
	    { { 2, 0, 0 }, { 2, 0, 1 }, { END, 0, 0 } }, "WW" },
	{ "test_mailbudget_before_the_welcome_waits_for_it", 0, 48,
	    { { 29, -139, 1 }, { 60, -100, 1 }, { END, 0, 0 } }, "OW" },
	{ "test_mailbudget_nothing_waiting", 2, 24, { { END, 0, 0 } }, "" },
};

static time_t
at(double hours)
{
	return hours == NONE ? 0 : NOW + (time_t)(hours * H);
}

static void
run_case(void **state)
{
	const struct bcase *c = *state;
	struct mailbudget_row rows[8];
	size_t n = 0;
	int going = 0;

	for (; c->rows[n].about != END; n++)
		rows[n] = (struct mailbudget_row){ at(c->rows[n].about), at(c->rows[n].want),
			c->rows[n].must, MAILBUDGET_WAIT, 0 };
	assert_int_equal(n, strlen(c->expect));
	for (size_t i = 0; i < n; i++)
		going += c->expect[i] == 'G' || c->expect[i] == 'O';
	assert_int_equal(mailbudget_plan(rows, n, c->room, NOW, at(c->opens)), going);
	for (size_t i = 0; i < n; i++) {
		static const char letter[] = { 'W', 'G', 'O', 'P', 'L' };
		char got = letter[rows[i].verdict];

		if (got == 'W' && rows[i].wait_until != at(c->opens))
			got = '?';
		if (got != c->expect[i])
			fail_msg("row %zu: %c (%s, waits until %s), expected %c", i, got,
			    mailbudget_verdict_name(rows[i].verdict), testlib_utc(rows[i].wait_until),
			    c->expect[i]);
	}
}

/* Within the budget, whatever waits: never more go than the room, unless they must arrive. */
static void
test_mailbudget_never_more_than_the_room_but_what_must_arrive(void **state)
{
	struct mailbudget_row rows[60];

	(void)state;
	for (int room = 0; room < 5; room++) {
		int over = 0, going;

		for (int i = 0; i < 60; i++)
			rows[i] = (struct mailbudget_row){ at((i * 37) % 400 - 20),
				at((i * 17) % 50 - 10), i % 7 == 0, MAILBUDGET_WAIT, 0 };
		going = mailbudget_plan(rows, 60, room, NOW, at(24));
		for (int i = 0; i < 60; i++) {
			over += rows[i].verdict == MAILBUDGET_GO_OVER;
			assert_true(rows[i].verdict != MAILBUDGET_GO_OVER || rows[i].must_arrive);
			/* nothing goes after its moment, nothing waits past it */
			if (rows[i].verdict == MAILBUDGET_GO || rows[i].verdict == MAILBUDGET_GO_OVER)
				assert_true(rows[i].about_at > NOW);
			if (rows[i].verdict == MAILBUDGET_WAIT)
				assert_true(rows[i].about_at == 0 ||
				    rows[i].about_at > rows[i].wait_until);
		}
		assert_true(going - over <= room);
	}
}

struct kcase {
	const char *kind;
	int automatic, budgeted, must_arrive;
	enum mailkind_change changes;
};

/* What the budget counts: what the scheduler sends a member on its own; not person mail, the
 * welcome, updates and cancellations, or mail to facilitators. */
static void
test_mailkind_what_the_budget_counts(void **state)
{
	static const struct kcase k[] = {
		{ "nudge", 1, 1, 0, MAILKIND_NEW }, { "questionnaire", 1, 1, 0, MAILKIND_NEW },
		{ "questionnaire_reminder", 1, 1, 0, MAILKIND_NEW },
		{ "invite", 1, 1, 1, MAILKIND_NEW }, { "moment_invite", 1, 1, 0, MAILKIND_NEW },
		/* not budgeted, but must arrive when it takes a waiting invitation's place */
		{ "invite_update", 1, 0, 1, MAILKIND_UPDATE },
		{ "invite_cancel", 1, 0, 0, MAILKIND_CANCEL },
		{ "moment_cancel", 1, 0, 0, MAILKIND_CANCEL },
		{ "team_picture", 1, 1, 1, MAILKIND_NEW },
		{ "weekly_report", 1, 0, 0, MAILKIND_NEW },
		{ "facilitator_reminder", 1, 0, 0, MAILKIND_NEW },
		{ "welcome", 0, 0, 0, MAILKIND_NEW }, { "feedback_received", 0, 0, 0, MAILKIND_NEW },
		{ "request", 0, 0, 0, MAILKIND_NEW }, { "answers_received", 0, 0, 0, MAILKIND_NEW },
		{ "manual", 0, 0, 0, MAILKIND_NEW }, { NULL, 0, 0, 0, MAILKIND_NEW },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		if (mailkind_automatic(k[i].kind) != k[i].automatic ||
		    mailkind_budgeted(k[i].kind) != k[i].budgeted ||
		    mailkind_must_arrive(k[i].kind) != k[i].must_arrive ||
		    mailkind_changes(k[i].kind) != k[i].changes)
			fail_msg("kind %s: automatic %d budgeted %d must arrive %d", k[i].kind ?
			    k[i].kind : "(null)", mailkind_automatic(k[i].kind),
			    mailkind_budgeted(k[i].kind), mailkind_must_arrive(k[i].kind));
	}
	assert_int_equal(mailkind_lead("nudge"), MAILKIND_AT_ONCE);
	assert_int_equal(mailkind_lead("invite"), 7 * 24 * 3600);
	assert_int_equal(mailkind_lead("moment_invite"), 7 * 24 * 3600);
	assert_int_equal(mailkind_lead("team_picture"), MAILKIND_AT_ONCE);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_mailbudget_never_more_than_the_room_but_what_must_arrive),
		cmocka_unit_test(test_mailkind_what_the_budget_counts),
	};

	return testlib_run_table("mailbudget", cases, sizeof(cases) / sizeof(cases[0]),
	    sizeof(cases[0]), run_case, fixed, sizeof(fixed) / sizeof(fixed[0]));
}
