/*
 * db_snapshot — a consistent copy of a database file, made with SQLite's online backup API
 * (https://sqlite.org/backup.html) from a connection that never writes: the source file is
 * not changed, not even migrated, and a daemon writing it at the same time is not disturbed (in
 * WAL mode a reader sees one committed state). For `feedbackd --once --dry-run`, which runs
 * its pass on the copy. (The source is opened read-write, without writing, so that its -wal and
 * -shm files go again when it closes; see db_snapshot.c.)
 */
#ifndef FB_DB_SNAPSHOT_H
#define FB_DB_SNAPSHOT_H

#include "fberror.h"

/*
 * Copy the database at src into the file dst (created or overwritten; the caller removes it).
 * 0, or -1 with err naming the file (src missing: "no database at ...").
 */
int db_snapshot(const char *src, const char *dst, struct fb_error *err);

#endif
