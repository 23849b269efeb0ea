/*
 * Unit tests of db: a new file gets the latest schema with WAL and foreign keys; an old schema
 * upgrades in place keeping its rows; a foreign or newer database is refused with a message;
 * nested transactions roll back as one; a lock held by another connection is counted as busy
 * (and only that), and an interrupt flag ends the wait for it at once.
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

static char dir[64];
static char path[128];

static int
setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/fbdbXXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	return 0;
}

static int
teardown(void **state)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	char p[160];

	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
		unlink(p);
	}
	rmdir(dir);
	return 0;
}

static int
query_int(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	int v = -1;

	assert_int_equal(sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
test_db_new_file_gets_latest_schema_wal_and_foreign_keys(void **state)
{
	struct fb_error err;
	struct db *db = db_open(path, &err);

	assert_non_null(db);
	assert_int_equal(db_version(db), db_schema_latest());
	assert_int_equal(query_int(db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'outbox'"), 1);
	db_close(db);
	db = db_open(path, &err);
	assert_non_null(db);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db_sqlite(db), "PRAGMA journal_mode", -1, &st, NULL), 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	db_close(db);
}

static void
test_db_old_schema_upgrades_in_place_keeping_rows(void **state)
{
	struct fb_error err;
	struct db *db = db_open_version(path, 1, &err);

	assert_non_null(db);
	assert_int_equal(db_version(db), 1);
	assert_int_equal(sqlite3_exec(db_sqlite(db), "INSERT INTO program (name, start_date, "
	    "timezone, language, created_at) VALUES ('P', '2027-01-04', 'Europe/Amsterdam', 'nl', 1)",
	    NULL, NULL, NULL), SQLITE_OK);
	/* Version 1 has no organizer column yet. */
	assert_int_not_equal(sqlite3_exec(db_sqlite(db), "SELECT organizer_address FROM program",
	    NULL, NULL, NULL), SQLITE_OK);
	db_close(db);

	db = db_open(path, &err);
	assert_non_null(db);
	assert_int_equal(db_version(db), db_schema_latest());
	struct program p;
	assert_int_equal(store_program_get(db, "P", &p, &err), 0);
	assert_string_equal(p.start_date, "2027-01-04");
	assert_null(p.organizer);
	store_program_release(&p);
	db_close(db);
}

static void
test_db_refuses_foreign_and_newer_databases(void **state)
{
	struct fb_error err;
	sqlite3 *s;
	struct db *db;

	assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
	assert_int_equal(sqlite3_exec(s, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(s);
	db = db_open(path, &err);
	assert_null(db);
	assert_non_null(strstr(err.msg, "not a feedbackd database"));
	teardown(state);
	setup(state);

	db = db_open(path, &err);
	assert_non_null(db);
	assert_int_equal(sqlite3_exec(db_sqlite(db), "PRAGMA user_version = 999", NULL, NULL,
	    NULL), SQLITE_OK);
	db_close(db);
	db = db_open(path, &err);
	assert_null(db);
	assert_non_null(strstr(err.msg, "newer than this feedbackd understands"));
}

static void
test_db_inner_rollback_undoes_the_whole_transaction(void **state)
{
	struct fb_error err;
	struct db *db = db_open(path, &err);
	struct program p = { .name = "A", .start_date = "2027-01-04", .weeks = 10,
	    .timezone = "Europe/Amsterdam", .language = "nl" };

	assert_non_null(db);
	assert_int_equal(db_begin(db, &err), 0);
	assert_int_equal(store_program_create(db, &p, 100, &err), 0);
	assert_int_equal(db_begin(db, &err), 0);
	db_rollback(db);          /* an inner step failed */
	assert_int_equal(db_commit(db, &err), -1);
	assert_non_null(strstr(err.msg, "rolled back"));
	assert_int_equal(query_int(db, "SELECT count(*) FROM program"), 0);
	/* A name that exists is refused with the name. */
	assert_int_equal(store_program_create(db, &p, 100, &err), 0);
	assert_int_equal(store_program_create(db, &p, 100, &err), -1);
	assert_non_null(strstr(err.msg, "\"A\" exists already"));
	db_close(db);
}

static void
test_db_lock_held_elsewhere_counts_as_busy_and_interrupt_ends_the_wait(void **state)
{
	struct fb_error err;
	struct db *a = db_open(path, &err), *b = db_open(path, &err);
	volatile sig_atomic_t stop = 1;
	unsigned long before;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	/* A plain error is not busy. */
	before = db_busy_count(b);
	assert_int_equal(sqlite3_exec(db_sqlite(b), "SELECT * FROM no_such_table", NULL, NULL,
	    NULL), SQLITE_ERROR);
	assert_int_equal(db_fail(b, &err, "reading"), -1);
	assert_int_equal(db_busy_count(b), before);
	/* a holds the write lock; b, told to stop, gives up at once and counts it. */
	assert_int_equal(db_begin(a, &err), 0);
	db_set_interrupt(b, &stop);
	assert_int_equal(db_begin(b, &err), -1);
	assert_non_null(strstr(err.msg, "locked"));
	assert_true(db_busy_count(b) > before);
	/* Released: b gets the lock, and the count stays where it was. */
	db_rollback(a);
	before = db_busy_count(b);
	assert_int_equal(db_begin(b, &err), 0);
	assert_int_equal(db_commit(b, &err), 0);
	assert_int_equal(db_busy_count(b), before);
	db_set_interrupt(b, NULL);
	db_close(a);
	db_close(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_db_new_file_gets_latest_schema_wal_and_foreign_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_db_old_schema_upgrades_in_place_keeping_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_db_refuses_foreign_and_newer_databases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_db_inner_rollback_undoes_the_whole_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_db_lock_held_elsewhere_counts_as_busy_and_interrupt_ends_the_wait, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
