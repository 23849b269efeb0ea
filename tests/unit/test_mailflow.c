/*
 * Unit tests of mailflow's send pass with a scripted transport driver: parallel sessions
 * really run at once, split the claimed rows without overlap, see them committed 'sending'
 * before any network step, and every outcome (ok, 4xx, 5xx, a session that could not start,
 * a driver that cannot open) ends in the right outbox state. Plus the back-off's shape.
 */
#define _GNU_SOURCE  /* memmem */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "db.h"
#include "mailflow.h"
#include "queue.h"
#include "transport.h"
#include "testlib.h"

#define NOW ((time_t)1795000000)

static char dir[64];
static char path[128];

/* ---- the scripted driver ---------------------------------------------------------------- */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int active, max_active;     /* send() calls in progress, and the most at once */
	int want_together;          /* each send() waits (≤ 2 s) until this many are in progress */
	int sends;                  /* send() calls */
	int opens, closes;
	int fail_open;              /* open() returns NULL */
	int fail_session;           /* the send() of the session holding this recipient returns -1 */
	size_t seen[256];           /* per message number (from "m<N>@"): times handed to send() */
	int sending_at_send;        /* rows in 'sending' seen from a second connection, or -1 */
	int threads_distinct;       /* send() calls from a thread other than the test's */
	pthread_t main_thread;
} fake = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };

struct transport {
	int dummy;
};

static struct transport *
fake_open(const struct transport_settings *s, struct fb_error *err)
{
	(void)s;
	fake.opens++;   /* main thread only, by contract */
	if (fake.fail_open) {
		fb_error_set(err, "scripted open failure");
		return NULL;
	}
	return calloc(1, sizeof(struct transport));
}

static void
fake_close(struct transport *t)
{
	if (t != NULL)
		fake.closes++;
	free(t);
}

static int
count_sending(void)
{
	sqlite3 *c;
	sqlite3_stmt *st;
	int n = -1;

	if (sqlite3_open_v2(path, &c, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(c, "SELECT count(*) FROM outbox WHERE state = 'sending'", -1, &st,
	    NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(c);
	return n;
}

/* Rows in state as committed, seen from a connection of its own (-1 on error). */
static int
count_committed(const char *state)
{
	sqlite3 *c;
	sqlite3_stmt *st;
	int n = -1;

	if (sqlite3_open_v2(path, &c, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return -1;
	sqlite3_busy_timeout(c, 2000);
	if (sqlite3_prepare_v2(c, "SELECT count(*) FROM outbox WHERE state = ?1", -1, &st,
	    NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(c);
	return n;
}

static enum mail_result
fake_send(struct transport *t, struct transport_msg *msgs, size_t n, struct fb_error *err)
{
	struct timespec until;
	int failing = 0;

	(void)t;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2;
	pthread_mutex_lock(&fake.lock);
	fake.sends++;
	if (!pthread_equal(pthread_self(), fake.main_thread))
		fake.threads_distinct++;
	if (fake.sending_at_send < 0)
		fake.sending_at_send = count_sending();
	fake.active++;
	if (fake.active > fake.max_active)
		fake.max_active = fake.active;
	pthread_cond_broadcast(&fake.cond);
	while (fake.active < fake.want_together &&
	    pthread_cond_timedwait(&fake.cond, &fake.lock, &until) == 0)
		;
	for (size_t i = 0; i < n; i++) {
		unsigned k = 0;

		if (sscanf(msgs[i].rcpts[0], "m%u@", &k) == 1 && k < 256)
			fake.seen[k]++;
		if (fake.fail_session && (int)k == fake.fail_session)
			failing = 1;
	}
	fake.active--;
	pthread_mutex_unlock(&fake.lock);
	if (failing) {
		fb_error_set(err, "scripted: connection refused");
		return MAIL_TEMPORARY;
	}
	for (size_t i = 0; i < n; i++) {
		const char *r = msgs[i].rcpts[0];

		buf_reset(&msgs[i].detail);
		if (strstr(r, "temp") != NULL) {
			msgs[i].status = MAIL_TEMPORARY;
			assert_int_equal(buf_adds(&msgs[i].detail, "451 try later"), 0);
		} else if (strstr(r, "perm") != NULL) {
			msgs[i].status = MAIL_MESSAGE_BAD;
			assert_int_equal(buf_adds(&msgs[i].detail, "550 no such user"), 0);
		} else {
			msgs[i].status = MAIL_OK;
			assert_int_equal(buf_adds(&msgs[i].detail, "250 ok"), 0);
		}
	}
	return MAIL_OK;
}

static const struct transport_driver fake_driver = {
	.name = "fake", .flags = TRANSPORT_PARALLEL,
	.open = fake_open, .send = fake_send, .close = fake_close,
};

/*
 * A driver that behaves like the SMTP one towards the outbox: per message, load the body,
 * check it, give it back, and report the acceptance at once (on_accepted). After each it
 * measures, from a connection of its own, how many accepted messages are not yet committed
 * 'sent': what a kill at that moment would send again.
 */
static struct {
	int accepted;               /* on_accepted() calls returned, all sessions */
	int max_uncommitted;        /* the most accepted - committed seen */
	int bad_body;               /* a body that was not its message's */
	int max_live;               /* the most bodies one session held at once */
} acc;

static _Thread_local int live;  /* bodies this session holds now */

static enum mail_result
fake_accepting_send(struct transport *t, struct transport_msg *msgs, size_t n,
    struct fb_error *err)
{
	(void)t;
	(void)err;
	for (size_t i = 0; i < n; i++) {
		struct transport_msg *m = &msgs[i];
		unsigned k = 0;
		char want[32];
		int a, sent;

		assert_int_equal(sscanf(m->rcpts[0], "m%u@", &k), 1);
		snprintf(want, sizeof(want), "\nbody %u\n", k);
		assert_non_null(m->load);
		assert_null(m->data);                       /* nothing loaded before its turn */
		assert_int_equal(m->load(m, m->load_arg), 0);
		live++;
		pthread_mutex_lock(&fake.lock);
		if (live > acc.max_live)
			acc.max_live = live;
		if (m->data == NULL || memmem(m->data, m->len, want, strlen(want)) == NULL)
			acc.bad_body++;
		fake.seen[k]++;
		pthread_mutex_unlock(&fake.lock);
		m->unload(m, m->load_arg);
		live--;
		m->status = MAIL_OK;
		assert_int_equal(buf_adds(&m->detail, "250 ok"), 0);
		m->on_accepted(m, m->on_accepted_arg);
		pthread_mutex_lock(&fake.lock);
		a = ++acc.accepted;
		pthread_mutex_unlock(&fake.lock);
		sent = count_committed("sent");
		if (a - sent > acc.max_uncommitted)
			acc.max_uncommitted = a - sent;
	}
	return MAIL_OK;
}

static const struct transport_driver fake_accepting_driver = {
	.name = "fake-accepting", .flags = TRANSPORT_PARALLEL,
	.open = fake_open, .send = fake_accepting_send, .close = fake_close,
};

/* The same driver without TRANSPORT_PARALLEL: its send() must never run twice at once. */
static const struct transport_driver fake_serial_driver = {
	.name = "fake-serial", .flags = 0,
	.open = fake_open, .send = fake_send, .close = fake_close,
};

/* ---- fixture ------------------------------------------------------------------------------ */

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/fbmfXXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	pthread_mutex_lock(&fake.lock);
	memset(fake.seen, 0, sizeof(fake.seen));
	fake.active = fake.max_active = fake.want_together = fake.sends = 0;
	fake.opens = fake.closes = fake.fail_open = fake.fail_session = 0;
	fake.sending_at_send = -1;
	fake.threads_distinct = 0;
	fake.main_thread = pthread_self();
	memset(&acc, 0, sizeof(acc));
	pthread_mutex_unlock(&fake.lock);
	return 0;
}

static int
teardown(void **state)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	char p[160];

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
		unlink(p);
	}
	rmdir(dir);
	return 0;
}

/* Queue n messages to m<i>@example.org, or m<i>-temp@ / m<i>-perm@ when named in the lists. */
static struct db *
queued_db(int n, int temp_from, int perm_from)
{
	struct fb_error err;
	struct db *db = db_open(path, &err);

	assert_non_null(db);
	assert_int_equal(db_begin(db, &err), 0);
	for (int i = 1; i <= n; i++) {
		char rcpt[64], mid[64], raw[256];
		struct outbox_new m = { 0 };

		snprintf(rcpt, sizeof(rcpt), "m%d%s@example.org", i,
		    temp_from && i >= temp_from ? "-temp" : perm_from && i >= perm_from ? "-perm" : "");
		snprintf(mid, sizeof(mid), "t%d@feedbackd.test", i);
		snprintf(raw, sizeof(raw), "Message-ID: <%s>\nTo: %s\nSubject: %d\n\nbody %d\n", mid,
		    rcpt, i, i);
		m.message_id = mid;
		m.kind = "test";
		m.sender = "feedback@example.org";
		m.recipient = rcpt;
		m.subject = "test";
		m.raw = raw;
		m.len = strlen(raw);
		assert_int_equal(queue_outbox_add(db, &m, NOW, NULL, &err), 0);
	}
	assert_int_equal(db_commit(db, &err), 0);
	return db;
}

static int
count_state(struct db *db, const char *state)
{
	sqlite3_stmt *st;
	int n = -1;

	assert_int_equal(sqlite3_prepare_v2(db_sqlite(db),
	    "SELECT count(*) FROM outbox WHERE state = ?1", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static const struct mailflow_policy base_policy = {
	.batch_size = 10, .sessions = 4, .max_attempts = 3, .backoff_initial = 60,
	.backoff_max = 3600, .max_message_size = 1 << 20,
};

/* ---- tests -------------------------------------------------------------------------------- */

static void
test_mailflow_four_sessions_run_at_once_and_split_without_overlap(void **state)
{
	struct mailflow_policy p = base_policy;
	struct mailflow_stats st = { 0 };
	struct fb_error err;
	struct db *db = queued_db(35, 0, 0);

	(void)state;
	fake.want_together = 4;
	assert_int_equal(mailflow_send(db, &fake_driver, NULL, &p, NOW, NULL, NULL, &st, &err), 0);
	assert_int_equal(fake.max_active, 4);         /* all four sessions were in send() at once */
	assert_int_equal(fake.sends, 4);              /* 35 rows ≤ 4 × 10: one round of 9+9+9+8 */
	assert_int_equal(fake.threads_distinct, 4);   /* a thread each; the caller writes */
	for (int i = 1; i <= 35; i++)
		assert_int_equal(fake.seen[i], 1);
	assert_int_equal(fake.sending_at_send, 35);   /* committed 'sending' before the network */
	assert_int_equal(st.sent, 35);
	assert_int_equal(count_state(db, "sent"), 35);
	assert_int_equal(count_state(db, "sending"), 0);
	assert_int_equal(fake.opens, 4);
	assert_int_equal(fake.closes, 4);
	db_close(db);
}

/* The runner reads the driver's flags, not its name: sessions = 4 asked of a driver without
 * TRANSPORT_PARALLEL is one session, in the calling thread, round after round. */
static void
test_mailflow_driver_without_parallel_flag_gets_one_session(void **state)
{
	struct mailflow_policy p = base_policy;
	struct mailflow_stats st = { 0 };
	struct fb_error err;
	struct db *db = queued_db(35, 0, 0);

	(void)state;
	assert_int_equal(mailflow_send(db, &fake_serial_driver, NULL, &p, NOW, NULL, NULL, &st,
	    &err), 0);
	assert_int_equal(fake.max_active, 1);
	assert_int_equal(fake.threads_distinct, 0);
	assert_int_equal(fake.sends, 4);              /* 35 rows in rounds of 10: 10+10+10+5 */
	assert_int_equal(fake.opens, 1);
	assert_int_equal(fake.closes, 1);
	for (int i = 1; i <= 35; i++)
		assert_int_equal(fake.seen[i], 1);
	assert_int_equal(st.sent, 35);
	assert_int_equal(count_state(db, "sent"), 35);
	db_close(db);
}

static void
test_mailflow_more_rows_than_sessions_take_several_rounds(void **state)
{
	struct mailflow_policy p = base_policy;
	struct mailflow_stats st = { 0 };
	struct fb_error err;
	struct db *db = queued_db(95, 0, 0);

	(void)state;
	p.sessions = 3;
	assert_int_equal(mailflow_send(db, &fake_driver, NULL, &p, NOW, NULL, NULL, &st, &err), 0);
	assert_int_equal(fake.sends, 3 + 3 + 3 + 1);  /* rounds of 30, 30, 30 and 5 */
	assert_int_equal(fake.opens, 3);              /* transports kept for the whole pass */
	assert_int_equal(fake.closes, 3);
	for (int i = 1; i <= 95; i++)
		assert_int_equal(fake.seen[i], 1);
	assert_int_equal(count_state(db, "sent"), 95);
	db_close(db);
}

/* One session of a parallel driver runs in a thread too: the caller is its writer. */
static void
test_mailflow_one_session_runs_beside_the_writer(void **state)
{
	struct mailflow_policy p = base_policy;
	struct mailflow_stats st = { 0 };
	struct fb_error err;
	struct db *db = queued_db(25, 0, 0);

	(void)state;
	p.sessions = 1;
	assert_int_equal(mailflow_send(db, &fake_driver, NULL, &p, NOW, NULL, NULL, &st, &err), 0);
	assert_int_equal(fake.threads_distinct, 3);
	assert_int_equal(fake.sends, 3);
	assert_int_equal(fake.max_active, 1);
	assert_int_equal(count_state(db, "sent"), 25);
	db_close(db);
}

/*
 * Group commit: the sessions hand accepted messages to one writer and go on, so a kill finds
 * some accepted and not yet 'sent' (they are sent again). Never more than MAILFLOW_GROUP_MAX
 * (the rest of the crash promise: one in hand per session, which the driver has not reported
 * yet). Bodies are loaded when the driver asks (load), each its message's, and given back
 * before the next; everything ends 'sent'.
 */
static void
group_commit_case(size_t sessions, int n)
{
	struct mailflow_policy p = base_policy;
	struct mailflow_stats st = { 0 };
	struct fb_error err;
	struct db *db = queued_db(n, 0, 0);

	p.sessions = sessions;
	p.batch_size = 100;
	assert_int_equal(mailflow_send(db, &fake_accepting_driver, NULL, &p, NOW, NULL, NULL, &st,
	    &err), 0);
	assert_int_equal(acc.accepted, n);
	assert_int_equal(acc.bad_body, 0);
	assert_int_equal(acc.max_live, 1);
	for (int i = 1; i <= n; i++)
		assert_int_equal(fake.seen[i], 1);
	assert_true(acc.max_uncommitted >= 0);
	assert_true(acc.max_uncommitted <= MAILFLOW_GROUP_MAX);
	printf("# %zu session(s), %d messages: at most %d accepted and not yet committed "
	    "(bound %d)\n", sessions, n, acc.max_uncommitted, MAILFLOW_GROUP_MAX);
	assert_int_equal(st.sent, (size_t)n);
	assert_int_equal(count_state(db, "sent"), n);
	assert_int_equal(count_state(db, "sending"), 0);
	db_close(db);
}

static void
test_mailflow_group_commit_bounds_what_a_crash_resends(void **state)
{
	(void)state;
	group_commit_case(4, 240);
}

static void
test_mailflow_one_session_group_commit_bound(void **state)
{
	(void)state;
	group_commit_case(1, 200);
}

static void
test_mailflow_parallel_outcomes_4xx_retry_5xx_failed(void **state)
{
	struct mailflow_policy p = base_policy;
	struct mailflow_stats st = { 0 };
	struct fb_error err;
	struct db *db;

	(void)state;
	/* 1..20 ok, 21..30 tempfail; perm_from is ignored where temp matches first */
	db = queued_db(30, 21, 0);
	assert_int_equal(mailflow_send(db, &fake_driver, NULL, &p, NOW, NULL, NULL, &st, &err), 0);
	assert_int_equal(st.sent, 20);
	assert_int_equal(st.retried, 10);
	assert_int_equal(count_state(db, "retry"), 10);
	db_close(db);
	teardown(NULL);
	setup(NULL);
	db = queued_db(30, 0, 26);
	memset(&st, 0, sizeof(st));
	assert_int_equal(mailflow_send(db, &fake_driver, NULL, &p, NOW, NULL, NULL, &st, &err), 0);
	assert_int_equal(st.sent, 25);
	assert_int_equal(st.failed, 5);
	assert_int_equal(count_state(db, "failed"), 5);
	db_close(db);
}

static void
test_mailflow_a_session_that_cannot_start_leaves_its_slice_to_retry(void **state)
{
	struct mailflow_policy p = base_policy;
	struct mailflow_stats st = { 0 };
	struct fb_error err;
	struct db *db = queued_db(40, 0, 0);

	(void)state;
	fake.fail_session = 15;   /* the second slice (11..20) */
	assert_int_equal(mailflow_send(db, &fake_driver, NULL, &p, NOW, NULL, NULL, &st, &err), 0);
	assert_int_equal(st.sent, 30);
	assert_int_equal(st.retried, 10);
	assert_int_equal(count_state(db, "retry"), 10);
	assert_int_equal(count_state(db, "sending"), 0);
	db_close(db);
}

static void
test_mailflow_driver_that_cannot_open_leaves_everything_to_retry(void **state)
{
	struct mailflow_policy p = base_policy;
	struct mailflow_stats st = { 0 };
	struct fb_error err;
	struct db *db = queued_db(12, 0, 0);

	(void)state;
	fake.fail_open = 1;
	assert_int_equal(mailflow_send(db, &fake_driver, NULL, &p, NOW, NULL, NULL, &st, &err), 0);
	assert_int_equal(fake.sends, 0);
	assert_int_equal(st.retried, 12);
	assert_int_equal(count_state(db, "retry"), 12);
	assert_int_equal(fake.closes, 0);
	db_close(db);
}

static void
test_mailflow_stop_before_the_pass_claims_nothing(void **state)
{
	struct mailflow_policy p = base_policy;
	struct mailflow_stats st = { 0 };
	struct fb_error err;
	volatile sig_atomic_t stop = 1;
	struct db *db = queued_db(5, 0, 0);

	(void)state;
	assert_int_equal(mailflow_send(db, &fake_driver, NULL, &p, NOW, &stop, NULL, &st, &err), 0);
	assert_int_equal(count_state(db, "queued"), 5);
	assert_int_equal(fake.opens, 0);
	db_close(db);
}

static void
test_mailflow_sessions_above_the_maximum_are_capped(void **state)
{
	struct mailflow_policy p = base_policy;
	struct mailflow_stats st = { 0 };
	struct fb_error err;
	struct db *db = queued_db(200, 0, 0);

	(void)state;
	p.batch_size = 1;
	p.sessions = 100;
	assert_int_equal(mailflow_send(db, &fake_driver, NULL, &p, NOW, NULL, NULL, &st, &err), 0);
	assert_int_equal(fake.opens, MAILFLOW_MAX_SESSIONS);
	assert_int_equal(count_state(db, "sent"), 200);
	db_close(db);
}

/* Back-off: (name, id, attempts, initial, max, lowest, highest). */
struct backoff_case {
	const char *name;
	int64_t id;
	int attempts, initial, max;
	long lo, hi;
};

static const struct backoff_case backoff_cases[] = {
	{ "backoff_first_retry_near_initial", 7, 1, 60, 3600, 45, 75 },
	{ "backoff_doubles_per_attempt", 7, 3, 60, 3600, 180, 300 },
	{ "backoff_capped_at_max", 7, 20, 60, 3600, 2700, 3600 },
	{ "backoff_never_below_one_second", 1, 1, 0, 0, 1, 1 },
};

static void
run_backoff(void **state)
{
	const struct backoff_case *c = *state;
	long d = mailflow_backoff(c->id, c->attempts, c->initial, c->max);

	assert_in_range(d, c->lo, c->hi);
	/* deterministic */
	assert_int_equal(d, mailflow_backoff(c->id, c->attempts, c->initial, c->max));
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test_setup_teardown(
		    test_mailflow_four_sessions_run_at_once_and_split_without_overlap, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_mailflow_more_rows_than_sessions_take_several_rounds, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_mailflow_driver_without_parallel_flag_gets_one_session, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_mailflow_one_session_runs_beside_the_writer, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_mailflow_group_commit_bounds_what_a_crash_resends, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_mailflow_one_session_group_commit_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_mailflow_parallel_outcomes_4xx_retry_5xx_failed, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_mailflow_a_session_that_cannot_start_leaves_its_slice_to_retry, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_mailflow_driver_that_cannot_open_leaves_everything_to_retry, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_mailflow_stop_before_the_pass_claims_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_mailflow_sessions_above_the_maximum_are_capped, setup, teardown),
	};

	return testlib_run_table("mailflow", backoff_cases,
	    sizeof(backoff_cases) / sizeof(backoff_cases[0]), sizeof(backoff_cases[0]),
	    run_backoff, fixed, sizeof(fixed) / sizeof(fixed[0]));
}
