/*
 * db — SQLite handle, migrations, transactions and the prepared-statement cache.
 * See include/db.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db.h"
#include "schema.h"
#include "banned.h"

/* An application_id marks the file as ours, so opening some other SQLite file fails clearly
 * instead of "migrating" it ('fbk1'). */
#define DB_APPLICATION_ID 0x66626b31
#define STMT_BUCKETS 128

struct stmt_entry {
	const char *sql;
	sqlite3_stmt *stmt;
	struct stmt_entry *next;
};

struct db {
	sqlite3 *sql;
	char *path;
	int depth;  /* transaction nesting */
	int failed; /* an inner level rolled back: the outermost commit must not commit */
	unsigned long busy;                 /* lock waits that ran out (db_busy_count) */
	unsigned long unwritable;           /* disk full, I/O errors (db_unwritable_count) */
	unsigned long commits;              /* write transactions committed (db_commit_count) */
	sqlite3_int64 changes_at_begin;     /* sqlite3_total_changes64() at the outermost begin */
	int busy_waited_ms;                 /* in the current wait */
	volatile sig_atomic_t *interrupt;   /* set: stop waiting (db_set_interrupt) */
	struct stmt_entry *stmts[STMT_BUCKETS];
};

int
db_schema_latest(void)
{
	return schema_count();
}

/* A busy failure that the busy handler never saw (SQLITE_BUSY_SNAPSHOT, a lock met during WAL
 * recovery) counts too; one it did see is counted twice, which db_busy_count() allows. */
static void
note_busy(struct db *db)
{
	int code = sqlite3_extended_errcode(db->sql) & 0xff;

	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		db->busy++;
	if (code == SQLITE_FULL || code == SQLITE_IOERR)
		db->unwritable++;
}

/*
 * SQLite's busy handler: called while another connection holds a lock this one needs. Sleep
 * in short slices (so *interrupt is noticed within 100 ms) until DB_BUSY_TIMEOUT_MS have
 * passed in this wait, then give up (SQLite returns SQLITE_BUSY) and count it.
 */
static int
busy_wait(void *arg, int count)
{
	static const int steps[] = { 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 };
	struct db *db = arg;
	int slice;

	if (count == 0)
		db->busy_waited_ms = 0;
	if ((db->interrupt != NULL && *db->interrupt) || db->busy_waited_ms >= DB_BUSY_TIMEOUT_MS) {
		db->busy++;
		return 0;
	}
	slice = count < (int)(sizeof(steps) / sizeof(steps[0])) ? steps[count] : 100;
	if (slice > DB_BUSY_TIMEOUT_MS - db->busy_waited_ms)
		slice = DB_BUSY_TIMEOUT_MS - db->busy_waited_ms;
	sqlite3_sleep(slice);
	db->busy_waited_ms += slice;
	return 1;
}

unsigned long
db_busy_count(const struct db *db)
{
	return db->busy;
}

/* SQLite's commit hook: every write transaction that commits, explicit or autocommit, passes
 * here (a read-only one does not). Returning 0 lets the commit go on. */
static int
count_commit(void *arg)
{
	struct db *db = arg;

	db->commits++;
	return 0;
}

unsigned long
db_commit_count(const struct db *db)
{
	return db->commits;
}

unsigned long
db_unwritable_count(const struct db *db)
{
	return db->unwritable;
}

void
db_set_interrupt(struct db *db, volatile sig_atomic_t *flag)
{
	db->interrupt = flag;
}

int
db_fail(struct db *db, struct fb_error *err, const char *what)
{
	note_busy(db);
	return fb_error_set(err, "%s: %s: %s", db->path, what, sqlite3_errmsg(db->sql));
}

static int
db_exec_raw(struct db *db, const char *sql, struct fb_error *err)
{
	char *msg = NULL;

	if (sqlite3_exec(db->sql, sql, NULL, NULL, &msg) != SQLITE_OK) {
		note_busy(db);
		fb_error_set(err, "%s: %s", db->path, msg ? msg : sqlite3_errmsg(db->sql));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/*
 * Column 0 of the first row of sql, a statement run once (not cached: these run while the
 * file is opened), as an int into *out. SQLite's result: SQLITE_ROW when *out was set, else
 * the error of the prepare or the step (SQLITE_DONE: no row).
 */
static int
db_read_int(struct db *db, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc;
}

static int
db_pragma_int(struct db *db, const char *sql, int *out, struct fb_error *err)
{
	if (db_read_int(db, sql, out) != SQLITE_ROW)
		return db_fail(db, err, "reading the schema version");
	return 0;
}

int
db_version(struct db *db)
{
	int v = -1;

	db_pragma_int(db, "PRAGMA user_version", &v, NULL);
	return v;
}

/* How many of feedbackd's own tables the file has (0 on error). */
static int
db_our_tables(struct db *db)
{
	int n = 0;

	db_read_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
	    "AND name IN ('program', 'member', 'outbox', 'inbox')", &n);
	return n;
}

/*
 * Whose file is this? feedbackd's when it carries our application_id, or is brand new (no
 * tables, no version: the file SQLite just created). Also ours: a file with our tables and a
 * schema version but no application_id (written by a tool that copied the tables, e.g. a
 * `.dump` restored with the sqlite3 shell, which keeps user_version only when asked): it is
 * adopted and marked. Anything else is someone else's database and is not touched.
 */
static int
db_check_owner(struct db *db, int current, int appid, struct fb_error *err)
{
	int n = 0;

	if (appid == DB_APPLICATION_ID)
		return 0;
	if (appid != 0)
		return fb_error_set(err, "%s: not a feedbackd database (application_id %#x "
		    "belongs to another program); refusing to touch it: check [feedbackd] database",
		    db->path, (unsigned)appid);
	db_read_int(db, "SELECT count(*) FROM sqlite_master", &n);
	if (current == 0 && n == 0)
		return 0;
	if (current > 0 && db_our_tables(db) == 4) {
		char mark[64];

		snprintf(mark, sizeof(mark), "PRAGMA application_id = %d;", DB_APPLICATION_ID);
		return db_exec_raw(db, mark, err);
	}
	if (current == 0)
		return fb_error_set(err, "%s: not a feedbackd database (it has tables but no "
		    "feedbackd schema version); refusing to touch it: check [feedbackd] database",
		    db->path);
	return fb_error_set(err, "%s: not a feedbackd database (schema version %d but none of "
	    "feedbackd's tables); refusing to touch it: check [feedbackd] database", db->path,
	    current);
}

/* Apply migrations current+1 .. target, each in its own transaction with its version bump. */
static int
db_migrate(struct db *db, int target, struct fb_error *err)
{
	int current, appid;

	if (db_pragma_int(db, "PRAGMA user_version", &current, err) < 0 ||
	    db_pragma_int(db, "PRAGMA application_id", &appid, err) < 0)
		return -1;
	if (db_check_owner(db, current, appid, err) < 0)
		return -1;
	if (current > schema_count())
		return fb_error_set(err, "%s: schema version %d is newer than this feedbackd "
		    "understands (%d): upgrade feedbackd", db->path, current, schema_count());
	for (int v = current + 1; v <= target; v++) {
		char bump[96];

		snprintf(bump, sizeof(bump), "PRAGMA application_id = %d; PRAGMA user_version = %d;",
		    DB_APPLICATION_ID, v);
		if (db_exec_raw(db, "BEGIN IMMEDIATE", err) < 0)
			return -1;
		if (db_exec_raw(db, schema_migration(v), err) < 0 ||
		    db_exec_raw(db, bump, err) < 0 ||
		    db_exec_raw(db, "COMMIT", err) < 0) {
			sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
			return fb_error_prefix(err, "migration %d", v);
		}
	}
	return 0;
}

/*
 * A file that was there before we opened it must already be a database: SQLite takes an empty
 * (0-byte) file for a new, empty database, so a truncated or zeroed database (a failed copy, a
 * restore gone wrong, `> feedbackd.db`) would be silently "migrated" into a fresh one, every
 * member and all state gone while the mailbox is read on. A new database is made only where
 * there was no file. page_count counts what the WAL holds too, so a database whose only
 * content is still in its -wal file is not taken for empty.
 */
static int
db_check_existing(struct db *db, struct fb_error *err)
{
	int pages = -1;
	int rc = db_read_int(db, "PRAGMA page_count", &pages);

	if ((rc & 0xff) == SQLITE_NOTADB)
		return fb_error_set(err, "%s: not a feedbackd database (not an SQLite database at "
		    "all); refusing to touch it: check [feedbackd] database", db->path);
	if (rc != SQLITE_ROW)
		return db_fail(db, err, "reading the database");
	if (pages == 0)
		return fb_error_set(err, "%s: the file is empty (0 bytes), not a feedbackd database; "
		    "refusing to start from nothing in its place. If it held your data, restore it "
		    "from a backup; if it is a new installation, remove the empty file and feedbackd "
		    "creates a new database", db->path);
	return 0;
}

struct db *
db_open_version(const char *path, int version, struct fb_error *err)
{
	struct db *db = calloc(1, sizeof(*db));
	struct stat st;
	int existed = stat(path, &st) == 0;

	if (db == NULL) {
		fb_error_set(err, "out of memory");
		return NULL;
	}
	db->path = strdup(path);
	if (db->path == NULL) {
		free(db);
		fb_error_set(err, "out of memory");
		return NULL;
	}
	if (sqlite3_open_v2(path, &db->sql, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		fb_error_set(err, "%s: cannot open database: %s", path,
		    db->sql ? sqlite3_errmsg(db->sql) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(db->sql, 1);
	/* Other processes (the daemon, feedbackctl) may hold the lock briefly: wait, do not fail. */
	sqlite3_busy_handler(db->sql, busy_wait, db);
	sqlite3_commit_hook(db->sql, count_commit, db);
	if (existed && db_check_existing(db, err) < 0)
		goto fail;
	if (db_exec_raw(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
	    "PRAGMA foreign_keys = ON;", err) < 0)
		goto fail;
	/* 8 MiB of page cache, not SQLite's 2 MiB: a receive chunk (500 replies) dirties more
	 * index pages than 2 MiB holds, so the cache spilled them to the WAL mid-transaction and
	 * read them back (strace of recvbench, 10,000 replies: 40,071 pwrite and 18,426 pread
	 * calls; 31,935 and 9,166 with this). Used only as pages are. */
	if (db_exec_raw(db, "PRAGMA cache_size = -8192;", err) < 0)
		goto fail;
	if (db_migrate(db, version, err) < 0)
		goto fail;
	return db;
fail:
	db_close(db);
	return NULL;
}

struct db *
db_open(const char *path, struct fb_error *err)
{
	return db_open_version(path, schema_count(), err);
}

struct db *
db_open_reader(const struct db *db, struct fb_error *err)
{
	struct db *r = calloc(1, sizeof(*r));

	if (r == NULL || (r->path = strdup(db->path)) == NULL) {
		free(r);
		fb_error_set(err, "out of memory");
		return NULL;
	}
	if (sqlite3_open_v2(r->path, &r->sql, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK) {
		fb_error_set(err, "%s: cannot open database: %s", r->path,
		    r->sql ? sqlite3_errmsg(r->sql) : "out of memory");
		db_close(r);
		return NULL;
	}
	sqlite3_extended_result_codes(r->sql, 1);
	sqlite3_busy_handler(r->sql, busy_wait, r);
	/* What a reader reads is read once (outgoing bodies): a small cache, not SQLite's 2 MB. */
	if (db_exec_raw(r, "PRAGMA cache_size = -256", err) < 0) {
		db_close(r);
		return NULL;
	}
	return r;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	for (int i = 0; i < STMT_BUCKETS; i++) {
		struct stmt_entry *e = db->stmts[i], *next;

		for (; e != NULL; e = next) {
			next = e->next;
			sqlite3_finalize(e->stmt);
			free(e);
		}
	}
	sqlite3_close(db->sql);
	free(db->path);
	free(db);
}

/* Open a transaction with sql, or join the one already open: 1 when this call opened it, 0
 * when it joined, -1 with err. */
static int
begin_as(struct db *db, const char *sql, struct fb_error *err)
{
	if (db->depth++ > 0)
		return 0;
	db->failed = 0;
	if (db_exec_raw(db, sql, err) < 0) {
		db->depth = 0;
		return -1;
	}
	return 1;
}

int
db_begin(struct db *db, struct fb_error *err)
{
	int r = begin_as(db, "BEGIN IMMEDIATE", err);

	if (r == 1)
		db->changes_at_begin = sqlite3_total_changes64(db->sql);
	return r < 0 ? -1 : 0;
}

int
db_begin_read(struct db *db, struct fb_error *err)
{
	return begin_as(db, "BEGIN", err) < 0 ? -1 : 0;
}

int
db_commit(struct db *db, struct fb_error *err)
{
	if (db->depth <= 0)
		return fb_error_set(err, "commit without a transaction (a bug)");
	if (--db->depth > 0)
		return 0;
	if (db->failed) {
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
		return fb_error_set(err, "%s: transaction rolled back after an earlier error",
		    db->path);
	}
	if (db_exec_raw(db, "COMMIT", err) < 0) {
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

int
db_commit_if_changed(struct db *db, struct fb_error *err)
{
	/* Only the outermost level decides: an inner one is a commit like any other. */
	if (db->depth == 1 && !db->failed &&
	    sqlite3_total_changes64(db->sql) == db->changes_at_begin) {
		db->depth = 0;
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
		return 0;
	}
	return db_commit(db, err);
}

void
db_rollback(struct db *db)
{
	if (db->depth <= 0)
		return;
	if (--db->depth > 0) {
		db->failed = 1;
		return;
	}
	sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
}

sqlite3_stmt *
db_stmt(struct db *db, const char *sql, struct fb_error *err)
{
	size_t h = ((uintptr_t)sql >> 4) % STMT_BUCKETS;
	struct stmt_entry *e;

	for (e = db->stmts[h]; e != NULL; e = e->next)
		if (e->sql == sql) {
			sqlite3_reset(e->stmt);
			sqlite3_clear_bindings(e->stmt);
			return e->stmt;
		}
	e = calloc(1, sizeof(*e));
	if (e == NULL) {
		fb_error_set(err, "out of memory");
		return NULL;
	}
	if (sqlite3_prepare_v3(db->sql, sql, -1, SQLITE_PREPARE_PERSISTENT, &e->stmt,
	    NULL) != SQLITE_OK) {
		db_fail(db, err, "preparing a statement");
		free(e);
		return NULL;
	}
	e->sql = sql;
	e->next = db->stmts[h];
	db->stmts[h] = e;
	return e->stmt;
}

int
db_exec(struct db *db, const char *sql, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "writing");
	return 0;
}

sqlite3 *
db_sqlite(struct db *db)
{
	return db->sql;
}

int64_t
db_last_id(struct db *db)
{
	return sqlite3_last_insert_rowid(db->sql);
}

int
db_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (s == NULL)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
}

const char *
db_col_text(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return s ? (const char *)s : "";
}
