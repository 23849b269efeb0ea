/*
 * Unit tests of schedule_next(): when the daemon wakes. A reminder that the member's budget
 * holds back (the weekend, before or after office hours) must wake the daemon at the first
 * moment it may go — in the member's own time zone — not at the next plan moment or the poll
 * interval. Each table row: a programme starting Monday 2027-01-04 with one member, its
 * baseline sent by the scheduler at 09:00; a pass at `at` (Amsterdam time) where a reminder is
 * owed; then schedule_next() must be `want` (UTC), which must come before the plan's own next
 * moment (else the row would prove nothing), or the plan's next moment itself when nothing
 * waits (want NULL). A pass at that time then sends the reminder (or not).
 * And of schedule_pass()'s silence: nothing held back goes inside a pause or after an early end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "db.h"
#include "fbtime.h"
#include "flow.h"
#include "outmail.h"
#include "plan.h"
#include "queue.h"
#include "schedule.h"
#include "store.h"
#include "store_budget.h"
#include "store_measure.h"
#include "store_pause.h"
#include "testlib.h"

struct scase {
	const char *name;
	const char *tz;        /* the member's zone, NULL: the programme's (Europe/Amsterdam) */
	int office_start, office_end; /* minutes after midnight */
	int weekend_mail;
	const char *at;        /* the pass where a reminder is owed, Amsterdam time */
	int complete;          /* the member answered everything before `at` */
	const char *want;      /* schedule_next() after that pass (UTC), NULL: the plan's next */
	int reminders;         /* reminders sent once a pass ran at schedule_next() */
};

#define H(h, m) ((h) * 60 + (m))

static const struct scase cases[] = {
	/* reminder 2 is due on Sunday 2027-01-10 09:00: it waits for Monday's office hours */
	{ "test_schedule_sunday_reminder_wakes_monday_at_office_start", NULL, H(7, 30), H(17, 0),
	  0, "2027-01-10T09:00", 0, "2027-01-11T06:30:00Z", 1 },
	{ "test_schedule_sunday_reminder_wakes_at_office_start_in_members_zone",
	  "Europe/Helsinki", H(8, 0), H(17, 0), 0, "2027-01-10T09:00", 0,
	  "2027-01-11T06:00:00Z", 1 },
	/* reminder 1 is due on Thursday 2027-01-07 09:00 */
	{ "test_schedule_reminder_before_office_hours_wakes_at_their_start", NULL, H(10, 0),
	  H(17, 0), 0, "2027-01-07T09:00", 0, "2027-01-07T09:00:00Z", 1 },
	{ "test_schedule_reminder_before_office_hours_in_members_zone", "Europe/London",
	  H(10, 0), H(17, 0), 0, "2027-01-07T09:00", 0, "2027-01-07T10:00:00Z", 1 },
	{ "test_schedule_reminder_after_office_hours_wakes_next_morning", NULL, H(8, 0),
	  H(9, 0), 0, "2027-01-07T09:00", 0, "2027-01-08T07:00:00Z", 1 },
	/* nothing waits: the plan decides */
	{ "test_schedule_weekend_mail_sends_at_once_no_early_wake", NULL, H(8, 0), H(17, 0), 1,
	  "2027-01-10T09:00", 0, NULL, 1 },
	{ "test_schedule_complete_questionnaire_no_early_wake", NULL, H(8, 0), H(17, 0), 0,
	  "2027-01-10T09:00", 1, NULL, 0 },
};

struct world {
	char dir[64];
	struct config *cfg;
	struct db *db;
	struct outmail_templates *tpl;
	struct flow f;
	struct program p;
	int64_t team, ann;
};

static void
at(struct world *w, const char *local)
{
	struct fb_error err;

	if (fbtime_parse(local, "Europe/Amsterdam", &w->f.now, &err) < 0)
		fail_msg("%s", err.msg);
}

static void
pass(struct world *w)
{
	struct schedule_stats st = { 0 };
	struct fb_error err;

	if (schedule_pass(&w->f, &st, &err) < 0)
		fail_msg("%s", err.msg);
}

static void
world_open(struct world *w, const struct scase *c)
{
	struct fb_error err;
	struct buf path = BUF_INIT;

	memset(w, 0, sizeof(*w));
	snprintf(w->dir, sizeof(w->dir), "/tmp/fbtest-schedule.XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	assert_int_equal(buf_addf(&path, "%s/fb.db", w->dir), 0);
	assert_non_null(w->cfg = config_default());
	w->cfg->program.office_hours.start = c->office_start;
	w->cfg->program.office_hours.end = c->office_end;
	w->cfg->program.weekend_mail = c->weekend_mail;
	if ((w->db = db_open(path.data, &err)) == NULL)
		fail_msg("%s", err.msg);
	buf_release(&path);
	if ((w->tpl = outmail_templates_load(NULL, &err)) == NULL)
		fail_msg("%s", err.msg);
	w->f.db = w->db;
	w->f.cfg = w->cfg;
	w->f.tpl = w->tpl;
	at(w, "2027-01-01T12:00");
	w->p.name = "Pilot";
	memcpy(w->p.start_date, "2027-01-04", 11);
	w->p.weeks = 10;
	w->p.timezone = "Europe/Amsterdam";
	memcpy(w->p.language, "en", 3);
	if (store_program_create(w->db, &w->p, w->f.now, &err) < 0 ||
	    store_team_add(w->db, w->p.id, "Sales", w->f.now, &w->team, &err) < 0 ||
	    store_member_add(w->db, w->team, "Ann", "ann@example.org", c->tz, NULL, w->f.now,
	    &w->ann, &err) < 0)
		fail_msg("%s", err.msg);
	at(w, "2027-01-04T09:00");
	pass(w);
}

static void
world_close(struct world *w)
{
	struct buf cmd = BUF_INIT;

	outmail_templates_free(w->tpl);
	db_close(w->db);
	config_free(w->cfg);
	assert_int_equal(buf_addf(&cmd, "rm -rf '%s'", w->dir), 0);
	assert_int_equal(system(cmd.data), 0);
	buf_release(&cmd);
}

static int
count_kind(struct world *w, const char *kind)
{
	struct outbox_list l = { 0 };
	struct fb_error err;
	int n = 0;

	assert_int_equal(queue_outbox_list(w->db, NULL, 1000, &l, &err), 0);
	for (size_t i = 0; i < l.n; i++)
		n += strcmp(l.v[i].kind, kind) == 0;
	queue_outbox_list_release(&l);
	return n;
}

/* Mark the member's baseline questionnaire complete (as a full reply would). */
static void
complete(struct world *w)
{
	struct measurement_row mr;
	struct questionnaire_list ql = { 0 };
	struct fb_error err;

	assert_int_equal(store_measurement_get(w->db, w->p.id, "baseline", &mr, &err), 0);
	assert_int_equal(store_questionnaire_incomplete(w->db, mr.id, &ql, &err), 0);
	assert_int_equal(ql.n, 1);
	assert_int_equal(store_questionnaire_completed(w->db, ql.v[0].id, w->f.now, &err), 0);
	store_questionnaire_list_release(&ql);
}

/* The plan's own next moment after now: what the daemon would wait for without the budget. */
static time_t
plan_only_next(struct world *w)
{
	struct plan plan = PLAN_INIT;
	struct fb_error err;
	time_t t;

	if (flow_plan(&w->f, &w->p, &plan, &err) < 0)
		fail_msg("%s", err.msg);
	t = plan_next(&plan, w->f.now);
	plan_release(&plan);
	return t;
}

static void
run_case(void **state)
{
	const struct scase *c = *state;
	struct world w;
	time_t next, planned;
	char want[64];

	world_open(&w, c);
	assert_int_equal(count_kind(&w, "questionnaire"), 1);
	if (c->complete)
		complete(&w);
	at(&w, c->at);
	pass(&w);
	assert_int_equal(count_kind(&w, "questionnaire_reminder"), c->weekend_mail ? 1 : 0);
	next = schedule_next(&w.f);
	planned = plan_only_next(&w);
	assert_true(next > w.f.now);
	if (c->want != NULL) {
		snprintf(want, sizeof(want), "%s", c->want);
		assert_string_equal(testlib_utc(next), want);
		assert_true(planned == 0 || next < planned);
	} else {
		assert_int_equal(next, planned);
	}
	/* the daemon wakes at next and runs a pass: the waiting reminder goes now */
	w.f.now = next;
	pass(&w);
	assert_int_equal(count_kind(&w, "questionnaire_reminder"), c->reminders);
	/* once sent, nothing makes the daemon wake early any more */
	assert_int_equal(schedule_next(&w.f), plan_only_next(&w));
	world_close(&w);
}

/*
 * A member whose clock is behind the programme's (London, Amsterdam's programme): the week-1
 * pass at 09:00 Amsterdam sends no nudge to her, and the daemon wakes at 09:00 London
 * (09:00Z in January), before the plan's next moment; that pass sends it, once, and the daemon
 * waits for the plan again. A member in Helsinki (ahead) gets it at once, with Amsterdam's.
 */
static void
test_schedule_nudge_at_members_own_clock(void **state)
{
	static const struct {
		const char *tz;
		int at_once;
		const char *wake;
	} rows[] = {
		{ "Europe/London", 0, "2027-01-04T09:00:00Z" },
		{ "Europe/Helsinki", 1, NULL },
		{ NULL, 1, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct scase c = { "zone", rows[i].tz, H(8, 0), H(17, 0), 0, NULL, 0, NULL,
		    0 };
		struct world w;
		time_t next;

		world_open(&w, &c); /* its pass runs at 09:00 Amsterdam, the nudge's moment */
		assert_int_equal(count_kind(&w, "nudge"), rows[i].at_once);
		next = schedule_next(&w.f);
		if (rows[i].wake == NULL) {
			assert_int_equal(next, plan_only_next(&w));
		} else {
			assert_string_equal(testlib_utc(next), rows[i].wake);
			assert_true(next < plan_only_next(&w));
			w.f.now = next - 60;
			pass(&w);
			assert_int_equal(count_kind(&w, "nudge"), 0);
			w.f.now = next;
			pass(&w);
			assert_int_equal(count_kind(&w, "nudge"), 1);
			w.f.now = next + 3600;
			pass(&w);
			assert_int_equal(count_kind(&w, "nudge"), 1);
			assert_int_equal(schedule_next(&w.f), plan_only_next(&w));
		}
		world_close(&w);
	}
}

/* A member who is away does not wake the daemon: their reminder waits for their return. */
static void
test_schedule_away_member_no_early_wake(void **state)
{
	static const struct scase c = { "away", NULL, H(8, 0), H(17, 0), 0, NULL, 0, NULL, 0 };
	struct world w;
	struct fb_error err;

	(void)state;
	world_open(&w, &c);
	if (store_absence_add(w.db, w.ann, "2027-01-09", "2027-01-20", "coordinator", 0,
	    w.f.now, &err) < 0)
		fail_msg("%s", err.msg);
	at(&w, "2027-01-10T09:00");
	pass(&w);
	assert_int_equal(schedule_next(&w.f), plan_only_next(&w));
	world_close(&w);
}

/*
 * A reminder the weekend held back (Sunday's reminder 2, owed on Monday) does not go on a day
 * inside a pause, nor after an early end: the scheduler is silent then (schedule.c), not only
 * the plan. Rows: what happens before Monday's pass.
 */
static void
run_silence(int pause)
{
	static const struct scase c = { "silence", NULL, H(8, 0), H(17, 0), 0, NULL, 0, NULL, 0 };
	struct world w;
	struct fb_error err;
	int before;

	world_open(&w, &c);
	at(&w, "2027-01-07T09:00");
	pass(&w);
	at(&w, "2027-01-10T09:00");
	pass(&w);
	before = count_kind(&w, "questionnaire_reminder");
	at(&w, "2027-01-10T12:00");
	if (pause && store_pause_add(w.db, w.p.id, "2027-01-11", "2027-01-17", w.f.now, NULL,
	    &err) < 0)
		fail_msg("%s", err.msg);
	if (!pause && store_program_end(w.db, w.p.id, w.f.now, &err) < 0)
		fail_msg("%s", err.msg);
	w.p.ended_at = pause ? 0 : w.f.now;
	at(&w, "2027-01-11T09:00");
	pass(&w);
	assert_int_equal(count_kind(&w, "questionnaire_reminder"), before);
	assert_int_equal(count_kind(&w, "nudge"), 1); /* week 1's only */
	world_close(&w);
}

static void
test_schedule_silent_in_a_pause(void **state)
{
	(void)state;
	run_silence(1);
}

static void
test_schedule_silent_after_the_end(void **state)
{
	(void)state;
	run_silence(0);
}

/*
 * A moment's event that moves is an update, which the mail budget never holds or counts
 * (feedbackd.conf(5)): with mail_budget = 1 used up by the follow-up's event itself, the
 * event's update when the follow-up moves the same day goes at once, not deferred.
 */
static void
test_schedule_moment_update_not_held_by_budget(void **state)
{
	static const struct scase c = { "update", NULL, H(9, 0), H(17, 0), 0, NULL, 0, NULL, 0 };
	struct budget_waiting_list wl = { 0 };
	struct world w;
	struct fb_error err;

	(void)state;
	world_open(&w, &c);
	w.cfg->program.mail_budget = 1;
	at(&w, "2027-08-30T09:30"); /* a week before the follow-up, Monday 2027-09-06 09:00 */
	pass(&w);
	assert_int_equal(count_kind(&w, "moment_invite"), 1);
	w.cfg->program.followup_weeks = 30;
	at(&w, "2027-08-30T10:00");
	pass(&w);
	assert_int_equal(count_kind(&w, "moment_invite"), 2);
	assert_int_equal(store_budget_waiting(w.db, w.ann, &wl, &err), 0);
	assert_int_equal(wl.n, 0); /* the update is not deferred to tomorrow */
	store_budget_waiting_release(&wl);
	world_close(&w);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_schedule_nudge_at_members_own_clock),
		cmocka_unit_test(test_schedule_away_member_no_early_wake),
		cmocka_unit_test(test_schedule_silent_in_a_pause),
		cmocka_unit_test(test_schedule_silent_after_the_end),
		cmocka_unit_test(test_schedule_moment_update_not_held_by_budget),
	};
	return testlib_run_table("schedule", cases, sizeof(cases) / sizeof(cases[0]),
	    sizeof(cases[0]), run_case, fixed, sizeof(fixed) / sizeof(fixed[0]));
}
