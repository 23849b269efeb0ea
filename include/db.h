/*
 * db — the SQLite store's handle: open, migrate, transactions, prepared statements.
 *
 * One SQLite file holds all state (WAL mode, foreign keys on, a busy timeout so the daemon and
 * feedbackctl can share it). The schema is created and upgraded by numbered migrations kept in
 * db.c; PRAGMA user_version records the last one applied, so an old database upgrades in place
 * on open. Only the store modules (src/store/) use this header; everything else goes through
 * store.h.
 *
 * Statements are prepared once per handle and cached by the address of their static SQL text
 * (STYLE.md: `static const char SQL_X[] = "…"`), so callers never build SQL at run time.
 */
#ifndef FB_DB_H
#define FB_DB_H

#include <signal.h>
#include <sqlite3.h>

#include "fberror.h"

struct db;

/* The schema version this build creates and understands. */
int db_schema_latest(void);

/*
 * Open (creating if need be) and migrate to the latest schema. Returns NULL with err set when the
 * file cannot be opened, is not a feedbackd database, or is newer than this build.
 * Caller closes with db_close().
 */
struct db *db_open(const char *path, struct fb_error *err);
/* Open and migrate only up to version (tests of migrations use it). */
struct db *db_open_version(const char *path, int version, struct fb_error *err);
void db_close(struct db *db);
/* A second connection to db's file, read-only, for one thread that only reads while db's
 * connection writes (WAL lets both go on at once); no migration. NULL with err. Close with
 * db_close(). */
struct db *db_open_reader(const struct db *db, struct fb_error *err);
int db_version(struct db *db);

/*
 * Lock waits. A statement that finds the database locked by another connection (a backup,
 * feedbackctl in a long transaction) waits up to DB_BUSY_TIMEOUT_MS, then fails with SQLite's
 * "database is locked". db_busy_count() grows by at least one at every such failure (never
 * for other errors), so a caller compares it before and after a unit of work to tell "busy,
 * retry later" from a real error. db_set_interrupt(): while *flag is non-zero a wait gives up
 * within 100 ms (the daemon passes its stop flag, so SIGTERM is not held up by a lock); NULL
 * (the default) waits the full timeout.
 */
#define DB_BUSY_TIMEOUT_MS 10000
unsigned long db_busy_count(const struct db *db);
/*
 * Write failures of the storage itself: the disk is full (SQLITE_FULL) or the file system
 * failed a read or write (SQLITE_IOERR: also what a file-size limit gives). Counted like
 * db_busy_count(), so the daemon can wait such an outage out instead of stopping with
 * messages that were handed to the SMTP server but are not yet recorded as sent.
 */
unsigned long db_unwritable_count(const struct db *db);
void db_set_interrupt(struct db *db, volatile sig_atomic_t *flag);

/*
 * Write transactions this handle has committed since it was opened: each BEGIN … COMMIT that
 * wrote (or was BEGIN IMMEDIATE) and each statement that wrote outside one. Every commit is a
 * WAL append and a lock round, so the daemon counts them per step of a pass (its debug log
 * says how many) and the tests hold it to one per applied reply.
 */
unsigned long db_commit_count(const struct db *db);

/* Transactions: BEGIN IMMEDIATE so a writer waits for the lock up front instead of failing at
 * its first write. Nesting is counted: only the outermost begin/commit talk to SQLite. */
int db_begin(struct db *db, struct fb_error *err);
/* A read transaction (BEGIN, not IMMEDIATE: it takes no write lock, and works on a reader):
 * the reads up to db_commit() see one snapshot and take the file's locks once. */
int db_begin_read(struct db *db, struct fb_error *err);
int db_commit(struct db *db, struct fb_error *err);
void db_rollback(struct db *db);
/*
 * db_commit(), except that an outermost transaction whose statements changed no row (INSERT,
 * UPDATE, DELETE, trigger included: sqlite3_total_changes64) ends in a ROLLBACK, which writes
 * nothing and is not counted by db_commit_count(). For the sweeps a pass runs whether or not
 * there is work: an idle pass then commits nothing. Not for a transaction that changes the
 * schema or a PRAGMA, which no row count sees.
 */
int db_commit_if_changed(struct db *db, struct fb_error *err);

/*
 * The cached prepared statement for sql (which must be a static string: it is the cache key),
 * reset and with its bindings cleared. NULL with err set on a syntax error (a bug).
 * The statement belongs to the handle: do not finalize it.
 */
sqlite3_stmt *db_stmt(struct db *db, const char *sql, struct fb_error *err);
/* Fill err with SQLite's message for the last failure, prefixed by what, and return -1. */
int db_fail(struct db *db, struct fb_error *err, const char *what);
/* Run a statement that returns no rows (prepared from a static string). */
int db_exec(struct db *db, const char *sql, struct fb_error *err);
sqlite3 *db_sqlite(struct db *db);
int64_t db_last_id(struct db *db);

/* Bind helpers that treat NULL text as SQL NULL. */
int db_bind_text(sqlite3_stmt *st, int idx, const char *s);
/* Column text as a C string, "" for NULL. */
const char *db_col_text(sqlite3_stmt *st, int col);

#endif
