/*
 * Unit tests of linear cost (issue 20): what the daemon asks of the store once per member or
 * once per team must cost the same however large the programme is around it. Each case runs
 * one store call on a programme of 2 teams and on one of 40 (10 members each, with queued and
 * deferred outbox rows) and compares SQLite's VM steps (sqlite3_stmt_status, summed over the
 * handle's statements: exact, not moved by the machine's load). A statement that scans the
 * programme (an OR no index serves, a search through the wrong index) grows 20-fold.
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
#include <sqlite3.h>

#include "db.h"
#include "queue.h"
#include "store.h"
#include "store_budget.h"
#include "store_join.h"
#include "store_report.h"
#include "testlib.h"

#define T0 1799049600
#define TEAM 10

struct world {
	char dir[64];
	struct db *db;
	struct program p;
	int64_t team1, member1;
};

static void
world_open(struct world *w, int teams)
{
	struct fb_error err;
	char path[96], name[32], addr[48], mid[48];

	memset(w, 0, sizeof(*w));
	snprintf(w->dir, sizeof(w->dir), "/tmp/fbtest-scale.XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	snprintf(path, sizeof(path), "%s/fb.db", w->dir);
	if ((w->db = db_open(path, &err)) == NULL)
		fail_msg("%s", err.msg);
	w->p.name = strdup("Scale");
	snprintf(w->p.start_date, sizeof(w->p.start_date), "2027-01-04");
	w->p.weeks = 10;
	w->p.timezone = strdup("Europe/Amsterdam");
	snprintf(w->p.language, sizeof(w->p.language), "nl");
	assert_int_equal(store_program_create(w->db, &w->p, T0, &err), 0);
	assert_int_equal(db_begin(w->db, &err), 0);
	for (int t = 0; t < teams; t++) {
		int64_t team, member, fac;

		snprintf(name, sizeof(name), "Team %d", t);
		if (store_team_add(w->db, w->p.id, name, T0, &team, &err) < 0)
			fail_msg("%s", err.msg);
		snprintf(addr, sizeof(addr), "f%d@example.org", t);
		if (store_facilitator_add(w->db, team, "Fac", addr, T0, &fac, &err) < 0)
			fail_msg("%s", err.msg);
		for (int k = 0; k < TEAM; k++) {
			struct outbox_new o = { .kind = "nudge", .sender = "fb@example.org",
				.subject = "s", .raw = "RAW", .len = 3, .program_id = w->p.id,
				.budget = 1 };
			int64_t id;

			snprintf(name, sizeof(name), "Member %d %d", t, k);
			snprintf(addr, sizeof(addr), "m%d.%d@example.org", t, k);
			if (store_member_add(w->db, team, name, addr, NULL, NULL, T0, &member,
			    &err) < 0)
				fail_msg("%s", err.msg);
			if (t == 0 && k == 0) {
				w->team1 = team;
				w->member1 = member;
			}
			o.recipient = addr;
			o.member_id = member;
			snprintf(mid, sizeof(mid), "n%d.%d@x", t, k);
			o.message_id = mid;
			if (queue_outbox_add(w->db, &o, T0, &id, &err) < 0)
				fail_msg("%s", err.msg);
			o.kind = "questionnaire";
			o.deferred_until = T0 + 86400;
			snprintf(mid, sizeof(mid), "q%d.%d@x", t, k);
			if (queue_outbox_add(w->db, &o, T0, &id, &err) < 0)
				fail_msg("%s", err.msg);
		}
	}
	assert_int_equal(db_commit(w->db, &err), 0);
}

static void
world_close(struct world *w)
{
	char cmd[96];

	db_close(w->db);
	free(w->p.name);
	free(w->p.timezone);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", w->dir);
	assert_int_equal(system(cmd), 0);
}

/* VM steps of every statement of the handle since the last call (the counters are reset). */
static long
steps(struct db *db)
{
	long n = 0;

	for (sqlite3_stmt *st = sqlite3_next_stmt(db_sqlite(db), NULL); st != NULL;
	    st = sqlite3_next_stmt(db_sqlite(db), st))
		n += sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 1);
	return n;
}

static void
call_team_members(struct world *w)
{
	struct fb_error err;
	struct member_list l = { 0 };

	assert_int_equal(store_member_list(w->db, 0, w->team1, &l, &err), 0);
	assert_int_equal((int)l.n, TEAM);
	store_member_list_release(&l);
}

static void
call_team_facilitators(struct world *w)
{
	struct fb_error err;
	struct facilitator_list l = { 0 };

	assert_int_equal(store_facilitator_list(w->db, 0, w->team1, &l, &err), 0);
	assert_int_equal((int)l.n, 1);
	store_facilitator_list_release(&l);
}

static void
call_budget_waiting(struct world *w)
{
	struct fb_error err;
	struct budget_waiting_list l = { 0 };

	assert_int_equal(store_budget_waiting(w->db, w->member1, &l, &err), 0);
	assert_int_equal((int)l.n, 1);
	store_budget_waiting_release(&l);
}

static void
call_join_first(struct world *w)
{
	struct fb_error err;

	assert_true(store_join_first(w->db, w->member1, "nudge", &err) >= 0);
}

static void
call_team_report(struct world *w)
{
	struct fb_error err;
	struct report_set s;

	assert_int_equal(store_report_weekly_load(w->db, &w->p, w->team1, 2, T0 + 14 * 86400,
	    &s, &err), 0);
	store_report_set_release(&s);
}

struct scale_case {
	const char *name;
	void (*call)(struct world *w);
};

static const struct scale_case cases[] = {
	{ "one team's members", call_team_members },
	{ "one team's facilitators", call_team_facilitators },
	{ "one member's deferred mail", call_budget_waiting },
	{ "a joiner's welcome first in line", call_join_first },
	{ "one team's weekly report", call_team_report },
};

static long
measure(const struct scale_case *c, int teams)
{
	struct world w;
	long n;

	world_open(&w, teams);
	c->call(&w);            /* prepares the statements */
	steps(w.db);
	c->call(&w);
	n = steps(w.db);
	world_close(&w);
	return n;
}

static void
run_case(void **state)
{
	const struct scale_case *c = *state;
	long small = measure(c, 2), big = measure(c, 40);

	if (big > 2 * small + 50)
		fail_msg("%s: %ld VM steps in a programme of 2 teams, %ld in one of 40", c->name,
		    small, big);
}

int
main(void)
{
	return testlib_run_table("store_scale", cases, sizeof(cases) / sizeof(cases[0]),
	    sizeof(cases[0]), run_case, NULL, 0);
}
