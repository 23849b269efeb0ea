/*
 * Unit tests of store_calendar (src/store/store_calendar.c) on a fresh database: what a
 * member's reminder events are decided on — store_calendar_questionnaire() (sent or not,
 * complete or not, the measurement's close, never another member's, measurement's or
 * programme's row), one table row per situation — and the calendar items' own rules: one item
 * per member and moment, a UID once, sequence and status written back, a member's list.
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

#include "db.h"
#include "store.h"
#include "store_calendar.h"
#include "store_measure.h"
#include "testlib.h"

#define T0 1799049600          /* 2027-01-04T08:00:00Z, the baseline is sent */
#define CLOSE (T0 + 14 * 86400)

struct world {
	char dir[64];
	struct db *db;
	struct program p, p2;
	int64_t team, team2, ann, bob, eve;
};

static int64_t
member(struct world *w, int64_t team, const char *name, const char *addr)
{
	struct fb_error err;
	int64_t id;

	if (store_member_add(w->db, team, name, addr, NULL, NULL, T0 - 86400, &id, &err) < 0)
		fail_msg("%s", err.msg);
	return id;
}

static void
program(struct world *w, struct program *p, const char *name, int64_t *team)
{
	struct fb_error err;

	p->name = (char *)name;
	memcpy(p->start_date, "2027-01-04", 11);
	p->weeks = 10;
	p->timezone = (char *)"Europe/Amsterdam";
	memcpy(p->language, "en", 3);
	if (store_program_create(w->db, p, T0 - 86400, &err) < 0 ||
	    store_team_add(w->db, p->id, "Sales", T0 - 86400, team, &err) < 0)
		fail_msg("%s", err.msg);
}

/* Two programmes; in "Pilot" Ann and Bob, in "Other" Eve. Ann and Eve were sent their
 * programme's baseline at T0, Bob was not. */
static void
world_open(struct world *w)
{
	struct fb_error err;
	struct buf path = BUF_INIT;
	int64_t mid, qid;

	memset(w, 0, sizeof(*w));
	snprintf(w->dir, sizeof(w->dir), "/tmp/fbtest-storecal.XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	assert_int_equal(buf_addf(&path, "%s/fb.db", w->dir), 0);
	if ((w->db = db_open(path.data, &err)) == NULL)
		fail_msg("%s", err.msg);
	buf_release(&path);
	program(w, &w->p, "Pilot", &w->team);
	program(w, &w->p2, "Other", &w->team2);
	w->ann = member(w, w->team, "Ann", "ann@example.org");
	w->bob = member(w, w->team, "Bob", "bob@example.org");
	w->eve = member(w, w->team2, "Eve", "eve@example.org");
	if (store_measurement_open(w->db, w->p.id, "baseline", T0, CLOSE, &mid, &err) < 0 ||
	    store_questionnaire_add(w->db, mid, w->ann, T0, &qid, &err) < 0 ||
	    store_measurement_open(w->db, w->p2.id, "baseline", T0, CLOSE, &mid, &err) < 0 ||
	    store_questionnaire_add(w->db, mid, w->eve, T0, &qid, &err) < 0)
		fail_msg("%s", err.msg);
}

static void
world_close(struct world *w)
{
	struct buf cmd = BUF_INIT;

	db_close(w->db);
	assert_int_equal(buf_addf(&cmd, "rm -rf '%s'", w->dir), 0);
	assert_int_equal(system(cmd.data), 0);
	buf_release(&cmd);
}

/* Ann's questionnaire of the Pilot's baseline (its row id). */
static int64_t
ann_baseline(struct world *w)
{
	struct fb_error err;
	struct measurement_row mr;
	int64_t qid;

	assert_int_equal(store_measurement_get(w->db, w->p.id, "baseline", &mr, &err), 0);
	assert_int_equal(store_questionnaire_add(w->db, mr.id, w->ann, T0, &qid, &err), 1);
	return qid;
}

enum change { NONE, ANN_COMPLETES, CLOSED_EARLY, EVE_COMPLETES };

struct qcase {
	const char *name;
	enum change change;     /* done to the world first */
	char who;               /* 'a' Ann, 'b' Bob, 'e' Eve */
	int other_program;      /* ask in "Other" instead of "Pilot" */
	const char *kind;
	int rc;                 /* 0 found, 1 not sent */
	time_t closes_at, completed_at;
};

static const struct qcase cases[] = {
	{ "test_store_calendar_questionnaire_sent_and_open", NONE, 'a', 0, "baseline", 0, CLOSE,
	  0 },
	{ "test_store_calendar_questionnaire_completed_keeps_the_first_time", ANN_COMPLETES, 'a', 0,
	  "baseline", 0, CLOSE, T0 + 3600 },
	{ "test_store_calendar_questionnaire_closed_early_gives_the_early_close", CLOSED_EARLY,
	  'a', 0, "baseline", 0, T0 + 7200, 0 },
	{ "test_store_calendar_questionnaire_member_not_sent_it", NONE, 'b', 0, "baseline", 1, 0,
	  0 },
	{ "test_store_calendar_questionnaire_not_another_members_completion", ANN_COMPLETES, 'b',
	  0, "baseline", 1, 0, 0 },
	{ "test_store_calendar_questionnaire_measurement_not_started", NONE, 'a', 0, "midterm", 1,
	  0, 0 },
	{ "test_store_calendar_questionnaire_not_from_another_programme", NONE, 'a', 1,
	  "baseline", 1, 0, 0 },
	{ "test_store_calendar_questionnaire_other_programme_own_row", EVE_COMPLETES, 'e', 1,
	  "baseline", 0, CLOSE, T0 + 3600 },
	{ "test_store_calendar_questionnaire_not_another_programmes_completion", EVE_COMPLETES, 'a', 0,
	  "baseline", 0, CLOSE, 0 },
};

static void
run_case(void **state)
{
	const struct qcase *c = *state;
	struct world w;
	struct fb_error err;
	struct calendar_questionnaire q;
	struct measurement_row mr;
	int64_t who, qid;

	world_open(&w);
	switch (c->change) {
	case ANN_COMPLETES:
		qid = ann_baseline(&w);
		assert_int_equal(store_questionnaire_completed(w.db, qid, T0 + 3600, &err), 0);
		assert_int_equal(store_questionnaire_completed(w.db, qid, T0 + 9999, &err), 0);
		break;
	case CLOSED_EARLY:
		assert_int_equal(store_measurement_get(w.db, w.p.id, "baseline", &mr, &err), 0);
		assert_int_equal(store_measurement_close(w.db, mr.id, T0 + 7200, &err), 0);
		break;
	case EVE_COMPLETES:
		assert_int_equal(store_measurement_get(w.db, w.p2.id, "baseline", &mr, &err), 0);
		assert_int_equal(store_questionnaire_add(w.db, mr.id, w.eve, T0, &qid, &err), 1);
		assert_int_equal(store_questionnaire_completed(w.db, qid, T0 + 3600, &err), 0);
		break;
	case NONE:
		break;
	}
	who = c->who == 'a' ? w.ann : c->who == 'b' ? w.bob : w.eve;
	memset(&q, 0x5a, sizeof(q));
	assert_int_equal(store_calendar_questionnaire(w.db, c->other_program ? w.p2.id : w.p.id,
	    who, c->kind, &q, &err), c->rc);
	if (c->rc == 0)
		assert_int_equal(q.sent_at, T0);
	else
		assert_int_equal(q.sent_at, 0); /* cleared, not left as it was */
	assert_int_equal(q.closes_at, c->closes_at);
	assert_int_equal(q.completed_at, c->completed_at);
	world_close(&w);
}

static void
test_store_calendar_items_one_per_member_and_moment(void **state)
{
	struct world w;
	struct fb_error err;
	struct calendar_item a = { 0 }, b = { 0 }, dup = { 0 }, got;
	struct calendar_item_list l = { 0 };

	(void)state;
	world_open(&w);
	a.program_id = b.program_id = dup.program_id = w.p.id;
	a.member_id = dup.member_id = w.ann;
	b.member_id = w.bob;
	snprintf(a.moment_key, sizeof(a.moment_key), "reminder:baseline:1");
	snprintf(b.moment_key, sizeof(b.moment_key), "reminder:baseline:1");
	snprintf(dup.moment_key, sizeof(dup.moment_key), "reminder:baseline:1");
	a.uid = (char *)"moment-a@x";
	b.uid = (char *)"moment-b@x";
	dup.uid = (char *)"moment-c@x";
	a.starts_at = T0 + 3 * 86400;
	b.starts_at = T0 + 3 * 86400;
	assert_int_equal(store_calendar_add(w.db, &a, &err), 0);
	assert_int_equal(store_calendar_add(w.db, &b, &err), 0);
	assert_int_equal(store_calendar_add(w.db, &dup, &err), -1); /* Ann has this one */
	dup.member_id = w.eve;
	dup.uid = (char *)"moment-a@x";
	assert_int_equal(store_calendar_add(w.db, &dup, &err), -1); /* the UID is taken */

	a.sequence = 1;
	snprintf(a.status, sizeof(a.status), "cancelled");
	assert_int_equal(store_calendar_update(w.db, &a, &err), 0);
	assert_int_equal(store_calendar_by_uid(w.db, "moment-a@x", &got, &err), 0);
	assert_int_equal(got.sequence, 1);
	assert_string_equal(got.status, "cancelled");
	assert_string_equal(got.moment_key, "reminder:baseline:1");
	store_calendar_release(&got);
	assert_int_equal(store_calendar_by_uid(w.db, "moment-zzz@x", &got, &err), 1);

	assert_int_equal(store_calendar_list(w.db, w.p.id, w.bob, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].uid, "moment-b@x");
	assert_string_equal(l.v[0].status, "confirmed");
	store_calendar_list_release(&l);
	assert_int_equal(store_calendar_list(w.db, w.p.id, 0, &l, &err), 0);
	assert_int_equal(l.n, 2);
	store_calendar_list_release(&l);
	world_close(&w);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_store_calendar_items_one_per_member_and_moment),
	};
	return testlib_run_table("store_calendar", cases, sizeof(cases) / sizeof(cases[0]),
	    sizeof(cases[0]), run_case, fixed, sizeof(fixed) / sizeof(fixed[0]));
}
