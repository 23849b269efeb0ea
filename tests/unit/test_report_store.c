/*
 * test_report_store — the weekly report's data from a real database: counts per member and
 * week, the anonymous rating samples (no giver's or receiver's name in anything a facilitator
 * gets), and the facilitator's ratings applied only to their own team's samples.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <unistd.h>

#include "fields.h"
#include "report.h"
#include "store.h"
#include "report_ratings.h"
#include "store_report.h"
#include "testlib.h"
#include "banned.h"

struct fixture {
	char dir[64];
	char path[96];
	struct db *db;
	struct program p;
	int64_t team[2];
	int64_t member[2][4];
	int64_t facilitator[2];
};

static const char *const names[2][4] = {
	{ "Jan de Vries", "Piet Jansen", "Anna Bakker", "Noor Vos" },
	{ "Kees Smit", "Lotte Bos", "Mark Peters", "Iris Dekker" },
};

static void
exec(struct fixture *f, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db_sqlite(f->db), sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
}

/* Feedback from member a to member b of team t in week w, naming both in its text. */
static void
feedback(struct fixture *f, int t, int a, int b, int w, int followup)
{
	char sql[1024];

	snprintf(sql, sizeof(sql), "INSERT INTO feedback (program_id, giver_id, receiver_id, "
	    "confirmation, critique, suggestion, week, is_followup, created_at) VALUES (%lld, %lld, "
	    "%lld, 'Hoi %s, van %s: sterk verhaal.', 'Mail %s (%s) even.', 'Vraag %s om hulp.', %d, "
	    "%d, 0)", (long long)f->p.id, (long long)f->member[t][a], (long long)f->member[t][b],
	    names[t][b], names[t][a], "jan.de.vries@example.nl", names[t][b], names[t][(b + 1) % 4],
	    w, followup);
	exec(f, sql);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct fb_error err;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_report_store.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/fb.db", f->dir);
	f->db = db_open(f->path, &err);
	assert_non_null(f->db);
	f->p.name = strdup("Pilot");
	snprintf(f->p.start_date, sizeof(f->p.start_date), "2027-01-04");
	f->p.weeks = 10;
	f->p.timezone = strdup("Europe/Amsterdam");
	snprintf(f->p.language, sizeof(f->p.language), "nl");
	assert_int_equal(store_program_create(f->db, &f->p, 0, &err), 0);
	for (int t = 0; t < 2; t++) {
		char addr[64];

		assert_int_equal(store_team_add(f->db, f->p.id, t ? "Support" : "Sales", 0,
		    &f->team[t], &err), 0);
		for (int m = 0; m < 4; m++) {
			snprintf(addr, sizeof(addr), "m%d.%d@example.nl", t, m);
			assert_int_equal(store_member_add(f->db, f->team[t], names[t][m], addr, NULL,
			    NULL, 0, &f->member[t][m], &err), 0);
		}
		snprintf(addr, sizeof(addr), "coach%d@example.nl", t);
		assert_int_equal(store_facilitator_add(f->db, f->team[t], "Coach", addr, 0,
		    &f->facilitator[t], &err), 0);
	}
	/* Team 0: everyone gives to the next one in weeks 1 and 2, Noor not in week 2; a
	 * follow-up that must not count. Team 1: one feedback in week 2. */
	for (int w = 1; w <= 2; w++)
		for (int m = 0; m < 4; m++)
			if (!(m == 3 && w == 2))
				feedback(f, 0, m, (m + 1) % 4, w, 0);
	feedback(f, 0, 3, 0, 2, 1);
	feedback(f, 1, 0, 1, 2, 0);
	exec(f, "INSERT INTO feedback_request (program_id, asker_id, giver_id, week, created_at) "
	    "SELECT program_id, giver_id, receiver_id, 1, 0 FROM feedback WHERE week = 1");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char sh[256];

	db_close(f->db);
	store_program_release(&f->p);
	snprintf(sh, sizeof(sh), "%s-wal", f->path);
	unlink(sh);
	snprintf(sh, sizeof(sh), "%s-shm", f->path);
	unlink(sh);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	fbtime_cleanup();
	return 0;
}

static const struct report_member_in *
member_in(const struct report_data *rd, int64_t id)
{
	for (size_t i = 0; i < rd->in.nmembers; i++)
		if (rd->in.members[i].id == id)
			return &rd->in.members[i];
	fail_msg("member %lld not loaded", (long long)id);
	return NULL;
}

static void
test_store_report_loads_counts_per_member_and_week(void **state)
{
	struct fixture *f = *state;
	struct report_set s = REPORT_SET_INIT;
	struct fb_error err;
	const struct report_member_in *noor, *jan;

	assert_int_equal(store_report_weekly_load(f->db, &f->p, 0, 2, 1000, &s, &err), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.teams[0].in.team, "Sales");
	assert_int_equal(s.teams[0].in.nmembers, 4);
	noor = member_in(&s.teams[0], f->member[0][3]);
	jan = member_in(&s.teams[0], f->member[0][0]);
	assert_int_equal(noor->given[1], 1);
	assert_int_equal(noor->given[2], 0); /* the follow-up does not count */
	assert_int_equal(noor->received[2], 1);
	assert_int_equal(noor->requested[1], 1);
	assert_int_equal(jan->received[2], 0); /* Noor's week-2 feedback was a follow-up */
	assert_int_equal(member_in(&s.teams[1], f->member[1][1])->received[2], 1);
	store_report_set_release(&s);

	/* One team only. */
	assert_int_equal(store_report_weekly_load(f->db, &f->p, f->team[1], 2, 1000, &s, &err), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.teams[0].in.nmembers, 4);
	store_report_set_release(&s);
}

/* Does text hold any member's name or first name, or an address? */
static int
names_in(const char *text)
{
	for (int t = 0; t < 2; t++)
		for (int m = 0; m < 4; m++) {
			char first[32];

			snprintf(first, sizeof(first), "%s", names[t][m]);
			*strchr(first, ' ') = '\0';
			if (strstr(text, names[t][m]) || strstr(text, first))
				return 1;
		}
	return strchr(text, '@') != NULL;
}

static void
test_store_report_samples_carry_no_names(void **state)
{
	struct fixture *f = *state;
	struct report_set s = REPORT_SET_INIT;
	struct report r;
	struct report_rules rules = { 1, 2, 50, 1 };
	struct buf text = BUF_INIT, html = BUF_INIT;
	struct fb_error err;
	const char *cut;

	assert_int_equal(store_report_weekly_load(f->db, &f->p, 0, 2, 1000, &s, &err), 0);
	assert_int_equal(report_samples_attach(f->db, &s, &s.teams[0], 2, 1000, &err), 2);
	assert_int_equal(report_samples_attach(f->db, &s, &s.teams[1], 2, 1000, &err), 1);
	assert_string_equal(s.teams[0].in.samples[0].id, "F1");
	assert_string_equal(s.teams[1].in.samples[0].id, "F3");
	/* The store loads the words and whose names they must not show; the report masks. */
	assert_true(s.teams[0].in.nmask_names >= 2);
	assert_int_equal(report_weekly(&s.teams[0].in, &rules, &r, &err), 0);
	assert_int_equal(r.nsamples, s.teams[0].in.nsamples);
	for (size_t i = 0; i < r.nsamples; i++) {
		assert_false(names_in(r.samples[i].text));
		assert_non_null(strstr(r.samples[i].text, "Bevestiging: Hoi [naam], van "
		    "[naam]: sterk verhaal."));
	}
	/* The rendered sample sections, text and HTML, hold no name either. */
	assert_int_equal(report_render_text(&r, &text), 0);
	assert_int_equal(report_render_html(&r, &html), 0);
	cut = strstr(text.data, "Kwaliteit van de feedback");
	assert_non_null(cut);
	assert_false(names_in(cut));
	cut = strstr(html.data, "Kwaliteit van de feedback");
	assert_non_null(cut);
	assert_false(names_in(cut));
	report_release(&r);
	buf_release(&text);
	buf_release(&html);
	store_report_set_release(&s);
}

/* The outcomes as "F1=4:recorded F3=5:other_team ..." in their order. */
static void
outcomes_str(const struct report_rating_outcomes *o, struct buf *out)
{
	static const char *const results[] = { "recorded", "unknown", "other_team", "problem" };

	buf_reset(out);
	for (size_t i = 0; i < o->n; i++) {
		const struct report_rating_outcome *r = &o->v[i];

		assert_int_equal(buf_addf(out, "%s%s=%d:%s", i ? " " : "", r->id, r->score,
		    r->result == REPORT_RATING_PROBLEM ? (r->problem == FIELDS_PROBLEM_RATING_TWICE ?
		    "twice" : r->problem == FIELDS_PROBLEM_RATING_OUT_OF_RANGE ? "out_of_range" :
		    "?") : results[r->result]), 0);
		if (r->value != NULL)
			assert_int_equal(buf_addf(out, "(%s)", r->value), 0);
	}
}

static void
test_store_report_ratings_only_for_own_team(void **state)
{
	struct fixture *f = *state;
	struct report_set s = REPORT_SET_INIT;
	struct fields fl = { 0 };
	struct report_rating_outcomes o = REPORT_RATING_OUTCOMES_INIT;
	struct buf got = BUF_INIT;
	struct fb_error err;
	static const char reply[] = "F1: 4\nF2: 2\nF3: 5\nF99: 3\n";
	static const char twice[] = "F7: 9\nF1: 5\nF2: 1\nF1: 3\n";
	sqlite3_stmt *st;

	assert_int_equal(store_report_weekly_load(f->db, &f->p, 0, 2, 1000, &s, &err), 0);
	assert_int_equal(report_samples_attach(f->db, &s, &s.teams[0], 2, 1000, &err), 2);
	assert_int_equal(report_samples_attach(f->db, &s, &s.teams[1], 2, 1000, &err), 1);
	store_report_set_release(&s);

	/* One outcome per rating, in the reply's order, data only (the words are in templates). */
	assert_int_equal(fields_parse(reply, sizeof(reply) - 1, &fl), 0);
	assert_int_equal(report_ratings_apply(f->db, f->facilitator[0], &fl, 2000, &o, &err), 2);
	outcomes_str(&o, &got);
	assert_string_equal(got.data, "F1=4:recorded F2=2:recorded F3=5:other_team F99=3:unknown");
	assert_int_equal(o.v[3].line, 4);
	report_rating_outcomes_release(&o);
	fields_release(&fl);

	/* What fields found comes back too: out of range (not stored, the value as written) and
	 * rated twice (the later counts), each after the rating of its line. */
	assert_int_equal(fields_parse(twice, sizeof(twice) - 1, &fl), 0);
	assert_int_equal(report_ratings_apply(f->db, f->facilitator[0], &fl, 3000, &o, &err), 2);
	outcomes_str(&o, &got);
	assert_string_equal(got.data, "F7=0:out_of_range(9) F2=1:recorded F1=3:recorded "
	    "F1=3:twice");
	report_rating_outcomes_release(&o);
	fields_release(&fl);

	/* A second rating replaces the first. */
	assert_int_equal(fields_parse("F1: 5", 5, &fl), 0);
	assert_int_equal(report_ratings_apply(f->db, f->facilitator[0], &fl, 3000, &o, &err), 1);
	report_rating_outcomes_release(&o);
	st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db_sqlite(f->db), "SELECT count(*), sum(score), "
	    "min(week) FROM rating", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 2);
	assert_int_equal(sqlite3_column_int(st, 1), 6);
	assert_int_equal(sqlite3_column_int(st, 2), 2);
	sqlite3_finalize(st);

	/* The team's report shows them averaged. */
	assert_int_equal(store_report_weekly_load(f->db, &f->p, f->team[0], 2, 1000, &s, &err), 0);
	assert_int_equal(s.teams[0].in.ratings_week_count, 2);
	assert_true(s.teams[0].in.ratings_week_avg > 2.99 && s.teams[0].in.ratings_week_avg < 3.01);
	store_report_set_release(&s);

	assert_int_equal(report_ratings_apply(f->db, 9999, &fl, 3000, &o, &err), -1);
	assert_non_null(strstr(err.msg, "no facilitator 9999"));
	assert_int_equal(o.n, 0);
	fields_release(&fl);
	buf_release(&got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_store_report_loads_counts_per_member_and_week,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_report_samples_carry_no_names, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_store_report_ratings_only_for_own_team, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
