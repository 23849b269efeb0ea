/*
 * Unit tests of the queue's rows (src/store/store_queue.c) on a fresh database, as the store's
 * shared row reader and list loader (store_int.c) hand them out: a row's raw message (a
 * struct buf it owns) only where the statement reads it (get; not list or claim: the sender
 * reads bodies one by one, queue_outbox_body), bodies replaced only while waiting, bodies
 * moved by their migration, the errors of
 * a missing row, what a release leaves, held recipients as a list of strings, and the
 * aggregates (held count, inbox count) and mailbox position.
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
#include "schema.h"
#include "testlib.h"

#define T0 1799049600

struct world {
	char dir[64];
	struct db *db;
	int64_t out1, out2, in1;
};

static void
world_open(struct world *w)
{
	struct fb_error err;
	struct buf path = BUF_INIT;
	struct outbox_new o = { .kind = "test", .sender = "fb@example.org",
		.recipient = "Ann@Example.org", .subject = "one", .raw = "RAW-ONE", .len = 7 };
	struct inbox_new i = { .source = "INBOX 1", .raw = "RAW-IN", .len = 6, .size = 6,
		.sha256 = "abc", .message_id = "m1@x", .sender = "ann@example.org",
		.subject = "re" };
	int dup;

	memset(w, 0, sizeof(*w));
	snprintf(w->dir, sizeof(w->dir), "/tmp/fbtest-storeq.XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	assert_int_equal(buf_addf(&path, "%s/fb.db", w->dir), 0);
	if ((w->db = db_open(path.data, &err)) == NULL)
		fail_msg("%s", err.msg);
	buf_release(&path);
	o.message_id = "o1@x";
	if (queue_outbox_add(w->db, &o, T0, &w->out1, &err) < 0)
		fail_msg("%s", err.msg);
	o.message_id = "o2@x";
	o.subject = "two";
	o.raw = "RAW-TWO";
	if (queue_outbox_add(w->db, &o, T0 + 1, &w->out2, &err) < 0 ||
	    queue_inbox_add(w->db, &i, T0, &w->in1, &dup, &err) < 0)
		fail_msg("%s", err.msg);
}

static void
world_close(struct world *w)
{
	char cmd[96];

	db_close(w->db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", w->dir);
	assert_int_equal(system(cmd), 0);
}

static void
test_store_queue_outbox_raw_in_get_and_body_not_in_list_or_claim(void **state)
{
	struct world w;
	struct fb_error err;
	struct outbox_row r;
	struct outbox_list l;

	(void)state;
	world_open(&w);
	assert_int_equal(queue_outbox_get(w.db, w.out2, &r, &err), 0);
	assert_string_equal(r.message_id, "o2@x");
	assert_string_equal(r.recipient, "ann@example.org");
	assert_string_equal(r.state, "queued");
	assert_null(r.last_error);
	assert_int_equal(r.raw.len, 7);
	assert_memory_equal(r.raw.data, "RAW-TWO", 7);
	queue_outbox_release(&r);
	assert_null(r.message_id);
	assert_int_equal(r.id, 0);
	assert_int_equal(r.raw.len, 0);
	assert_string_equal(r.raw.data, "");

	assert_int_equal(queue_outbox_list(w.db, NULL, 10, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].id, w.out2);
	assert_string_equal(l.v[1].subject, "one");
	assert_int_equal(l.v[0].raw.len, 0);
	assert_int_equal(l.v[1].raw.len, 0);
	queue_outbox_list_release(&l);
	assert_null(l.v);
	assert_int_equal(l.n, 0);

	assert_int_equal(queue_outbox_claim(w.db, T0 + 10, 10, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].id, w.out1);
	assert_int_equal(l.v[0].attempts, 1);
	/* The claim carries the small row only; the sender reads each body when it sends it. */
	assert_int_equal(l.v[0].raw.len, 0);
	assert_int_equal(l.v[1].raw.len, 0);
	queue_outbox_list_release(&l);
	{
		struct buf body = BUF_INIT;

		assert_int_equal(queue_outbox_body(w.db, w.out1, &body, &err), 0);
		assert_int_equal(body.len, 7);
		assert_memory_equal(body.data, "RAW-ONE", 7);
		assert_int_equal(queue_outbox_body(w.db, w.out2, &body, &err), 0);
		assert_int_equal(body.len, 7);
		assert_memory_equal(body.data, "RAW-TWO", 7);
		assert_int_equal(queue_outbox_body(w.db, w.out2 + 100, &body, &err), -1);
		assert_memory_equal(body.data, "RAW-TWO", 7);   /* left as it was */
		buf_release(&body);
	}
	world_close(&w);
}

static void
test_store_queue_missing_rows_say_which(void **state)
{
	struct world w;
	struct fb_error err;
	struct outbox_row o;
	struct inbox_row i;

	(void)state;
	world_open(&w);
	assert_int_equal(queue_outbox_get(w.db, 999, &o, &err), -1);
	assert_string_equal(err.msg, "no outgoing message 999");
	assert_int_equal(queue_inbox_get(w.db, 998, &i, &err), -1);
	assert_string_equal(err.msg, "no inbound message 998");
	world_close(&w);
}

/* A waiting message's body can be replaced; a sent one's cannot (it went as it was). */
static void
test_store_queue_outbox_body_replaced_only_while_waiting(void **state)
{
	struct world w;
	struct fb_error err;
	struct buf body = BUF_INIT;
	struct outbox_new m = { .message_id = "o2-new@x", .subject = "two, new", .raw = "RAW-NEW",
		.len = 7 };

	(void)state;
	world_open(&w);
	assert_int_equal(queue_outbox_sent(w.db, w.out1, T0 + 5, &err), 0);
	assert_int_equal(queue_outbox_set_raw(w.db, w.out1, "CHANGED", 7, &err), 0);
	assert_int_equal(queue_outbox_body(w.db, w.out1, &body, &err), 0);
	assert_memory_equal(body.data, "RAW-ONE", 7);
	assert_int_equal(queue_outbox_replace(w.db, w.out1, &m, &err), 0);
	assert_int_equal(queue_outbox_body(w.db, w.out1, &body, &err), 0);
	assert_memory_equal(body.data, "RAW-ONE", 7);

	assert_int_equal(queue_outbox_replace(w.db, w.out2, &m, &err), 1);
	assert_int_equal(queue_outbox_body(w.db, w.out2, &body, &err), 0);
	assert_int_equal(body.len, 7);
	assert_memory_equal(body.data, "RAW-NEW", 7);
	assert_int_equal(queue_outbox_set_raw(w.db, w.out2, "RAW-SET!", 8, &err), 1);
	assert_int_equal(queue_outbox_body(w.db, w.out2, &body, &err), 0);
	assert_int_equal(body.len, 8);
	assert_memory_equal(body.data, "RAW-SET!", 8);
	buf_release(&body);
	world_close(&w);
}

/* The migration that put bodies apart moves every existing message into outbox_body and drops
 * the column: an upgraded database sends what it held. */
static void
test_store_queue_outbox_bodies_move_with_the_migration(void **state)
{
	char dir[64], path[96];
	struct fb_error err;
	struct outbox_row r;
	struct db *db;
	int v = 0;

	(void)state;
	for (int i = 1; i <= schema_count() && v == 0; i++)
		if (strstr(schema_migration(i), "CREATE TABLE outbox_body") != NULL)
			v = i;
	assert_true(v > 1);
	snprintf(dir, sizeof(dir), "/tmp/fbtest-storeq.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fb.db", dir);
	db = db_open_version(path, v - 1, &err);
	assert_non_null(db);
	assert_int_equal(sqlite3_exec(db_sqlite(db), "INSERT INTO outbox (message_id, kind, sender, "
	    "recipient, subject, raw, next_attempt_at, created_at) VALUES ('old@x', 'test', "
	    "'fb@example.org', 'ann@example.org', 'old', CAST('OLD-RAW' AS BLOB), 1, 1)",
	    NULL, NULL, NULL), SQLITE_OK);
	db_close(db);

	db = db_open(path, &err);
	assert_non_null(db);
	assert_int_equal(queue_outbox_get(db, 1, &r, &err), 0);
	assert_string_equal(r.message_id, "old@x");
	assert_int_equal(r.raw.len, 7);
	assert_memory_equal(r.raw.data, "OLD-RAW", 7);
	queue_outbox_release(&r);
	assert_int_not_equal(sqlite3_exec(db_sqlite(db), "SELECT raw FROM outbox", NULL, NULL,
	    NULL), SQLITE_OK);
	db_close(db);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

static void
test_store_queue_inbox_raw_in_get_not_in_list(void **state)
{
	struct world w;
	struct fb_error err;
	struct inbox_row r;
	struct inbox_list l;

	(void)state;
	world_open(&w);
	assert_int_equal(queue_inbox_get(w.db, w.in1, &r, &err), 0);
	assert_string_equal(r.source, "INBOX 1");
	assert_string_equal(r.state, "pending");
	assert_null(r.kind);
	assert_int_equal(r.raw.len, 6);
	assert_memory_equal(r.raw.data, "RAW-IN", 6);
	queue_inbox_release(&r);
	assert_null(r.source);
	assert_int_equal(r.raw.len, 0);
	assert_int_equal(queue_inbox_list(w.db, "pending", 10, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].message_id, "m1@x");
	assert_int_equal(l.v[0].raw.len, 0);
	queue_inbox_list_release(&l);
	assert_int_equal(queue_inbox_list(w.db, "failed", 10, &l, &err), 0);
	assert_int_equal(l.n, 0);
	queue_inbox_list_release(&l);
	assert_int_equal(queue_inbox_count(w.db, NULL, &err), 1);
	assert_int_equal(queue_inbox_count(w.db, "applied", &err), 0);
	world_close(&w);
}

static void
test_store_queue_held_recipients_and_count(void **state)
{
	struct world w;
	struct fb_error err;
	char **rcpt = NULL;
	size_t n = 9;
	time_t first = 0;

	(void)state;
	world_open(&w);
	assert_int_equal(queue_outbox_held_recipients(w.db, &rcpt, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(queue_outbox_held_count(w.db, 0, &first, &err), 0);
	assert_int_equal(queue_outbox_hold(w.db, w.out1, T0 + 3600, "cap", &err), 0);
	assert_int_equal(queue_outbox_hold(w.db, w.out2, T0 + 7200, "cap", &err), 0);
	assert_int_equal(queue_outbox_held_recipients(w.db, &rcpt, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(rcpt[0], "ann@example.org");
	free(rcpt[0]);
	free(rcpt);
	assert_int_equal(queue_outbox_held_count(w.db, 0, &first, &err), 2);
	assert_int_equal(first, T0 + 3600);
	assert_int_equal(queue_outbox_held_count(w.db, 0, NULL, &err), 2);
	world_close(&w);
}

static void
test_store_queue_mailbox_position(void **state)
{
	struct world w;
	struct fb_error err;
	uint32_t v = 7, u = 7;

	(void)state;
	world_open(&w);
	assert_int_equal(queue_position_get(w.db, "INBOX", &v, &u, &err), 1);
	assert_int_equal(v, 7);
	assert_int_equal(queue_position_set(w.db, "INBOX", 4000000000u, 42, &err), 0);
	assert_int_equal(queue_position_get(w.db, "INBOX", &v, &u, &err), 0);
	assert_int_equal(v, 4000000000u);
	assert_int_equal(u, 42);
	world_close(&w);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_queue_outbox_raw_in_get_and_body_not_in_list_or_claim),
		cmocka_unit_test(test_store_queue_missing_rows_say_which),
		cmocka_unit_test(test_store_queue_outbox_body_replaced_only_while_waiting),
		cmocka_unit_test(test_store_queue_outbox_bodies_move_with_the_migration),
		cmocka_unit_test(test_store_queue_inbox_raw_in_get_not_in_list),
		cmocka_unit_test(test_store_queue_held_recipients_and_count),
		cmocka_unit_test(test_store_queue_mailbox_position),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
