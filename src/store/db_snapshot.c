/*
 * db_snapshot — a copy of the database through the backup API. See include/db_snapshot.h.
 */
#include <stddef.h>

#include <sqlite3.h>

#include "db_snapshot.h"
#include "banned.h"

/* How long the copy waits for a writer's lock before giving up (it takes no lock itself). */
#define SNAPSHOT_BUSY_MS 10000

int
db_snapshot(const char *src, const char *dst, struct fb_error *err)
{
	sqlite3 *from = NULL, *to = NULL;
	sqlite3_backup *b;
	int rc = -1, r;

	/* Opening it must change nothing: no migration, no pragma, no write. Not
	 * SQLITE_OPEN_READONLY all the same: a WAL database gets its -wal and -shm files from
	 * whoever opens it, and only a connection that may write removes them again when it is
	 * the last to close (checkpointing an empty log, which writes no page). The file exists
	 * or the open fails (no SQLITE_OPEN_CREATE). */
	if (sqlite3_open_v2(src, &from, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		fb_error_set(err, "no database at %s to copy: %s", src,
		    from ? sqlite3_errmsg(from) : "out of memory");
		goto out;
	}
	if (sqlite3_open_v2(dst, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		fb_error_set(err, "%s: cannot create the copy: %s", dst,
		    to ? sqlite3_errmsg(to) : "out of memory");
		goto out;
	}
	sqlite3_busy_timeout(from, SNAPSHOT_BUSY_MS);
	if ((b = sqlite3_backup_init(to, "main", from, "main")) == NULL) {
		fb_error_set(err, "copying %s: %s", src, sqlite3_errmsg(to));
		goto out;
	}
	/* All pages in one step: the copy is one committed state of the source. */
	r = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (r != SQLITE_DONE) {
		fb_error_set(err, "copying %s: %s", src, sqlite3_errstr(r));
		goto out;
	}
	if ((r = sqlite3_errcode(to)) != SQLITE_OK) {
		fb_error_set(err, "copying %s: %s", src, sqlite3_errmsg(to));
		goto out;
	}
	rc = 0;
out:
	sqlite3_close(to);
	sqlite3_close(from);
	return rc;
}
