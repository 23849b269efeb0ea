/*
 * daemon_lock — one feedbackd per database. Two daemons on one database would both send the
 * same due mail and read the same mailbox; SQLite's own locking does not prevent that (each
 * transaction is fine on its own). So the daemon holds an exclusive flock(2) on a lock file for
 * its whole life: the configured [feedbackd] lock_file, or "<database>.lock" beside the
 * database. The kernel drops the lock when the process ends, however it ends (kill -9
 * included), so there is never a stale lock to clean up; the file itself stays (removing it
 * would race with a starting daemon) and holds the PID of the holder, for the error message.
 *
 * A lock file names a path, and two paths (a symlink, two lock_file settings) can name one
 * database: so the daemon also locks the database file itself (daemon_lock_database), by its
 * identity, and a second daemon is refused whatever path it was given.
 *
 * feedbackctl takes no lock: it shares the database with the daemon through SQLite.
 */
#ifndef FB_DAEMON_LOCK_H
#define FB_DAEMON_LOCK_H

#include "buf.h"
#include "fberror.h"

struct daemon_lock;

/* The lock file to use: lock_file when not empty, else database + ".lock". Appends to out;
 * -1 when memory runs out. */
int daemon_lock_path(const char *lock_file, const char *database, struct buf *out);

/*
 * Take the lock on path without waiting. Returns the held lock (release with
 * daemon_lock_release()), or NULL with err saying why: held by another process (naming its PID
 * when the file holds one, and what to do), or the file cannot be created or opened.
 */
struct daemon_lock *daemon_lock_take(const char *path, struct fb_error *err);

/*
 * Also lock the database file itself (flock on the file the path leads to, symlinks followed),
 * held with l and released with it. Returns 0 when held (or already held), 1 when there is no
 * file yet (create the database, then call again), -1 with err when another process holds it
 * (naming its PID when /proc/locks tells it) or the file cannot be opened.
 */
int daemon_lock_database(struct daemon_lock *l, const char *database, struct fb_error *err);

/* Give the lock(s) up and free them; NULL is fine. The files stay. Call it only after the
 * database connection is closed: closing a descriptor of the database file drops every
 * fcntl lock this process holds on it, SQLite's own included. */
void daemon_lock_release(struct daemon_lock *l);

#endif
