/*
 * daemon_lock — the single-instance lock of feedbackd. See include/daemon_lock.h.
 *
 * flock(2) rather than fcntl(2) record locks: an fcntl lock is dropped when *any* descriptor of
 * the file is closed by the process (SQLite opens and closes files freely), a flock lock only
 * when the descriptor that holds it is closed. O_CLOEXEC keeps the lock out of children.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon_lock.h"
#include "banned.h"

struct daemon_lock {
	int fd;
	char *path;
	struct daemon_lock *next;   /* the database lock, held beside the lock file's */
};

int
daemon_lock_path(const char *lock_file, const char *database, struct buf *out)
{
	if (lock_file != NULL && *lock_file != '\0')
		return buf_adds(out, lock_file);
	return buf_addf(out, "%s.lock", database);
}

/* The PID the holder wrote into the file, or 0 when there is none worth showing. */
static long
holder_pid(int fd)
{
	char text[32];
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
	char *end;
	long pid;

	if (n <= 0)
		return 0;
	text[n] = '\0';
	pid = strtol(text, &end, 10);
	return (pid > 0 && (*end == '\n' || *end == '\0')) ? pid : 0;
}

struct daemon_lock *
daemon_lock_take(const char *path, struct fb_error *err)
{
	struct daemon_lock *l;
	char pid[32];
	int fd, n;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		fb_error_set(err, "lock file %s: %s (set [feedbackd] lock_file to a writable place)",
		    path, strerror(errno));
		return NULL;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		long other = holder_pid(fd);

		close(fd);
		if (e == EWOULDBLOCK) {
			if (other > 0)
				fb_error_set(err, "another feedbackd (pid %ld) is already running on this "
				    "database: %s is locked; stop that one first (systemctl stop "
				    "feedbackd, or kill %ld)", other, path, other);
			else
				fb_error_set(err, "another feedbackd is already running on this database: "
				    "%s is locked; stop that one first", path);
		} else {
			fb_error_set(err, "lock file %s: %s", path, strerror(e));
		}
		return NULL;
	}
	/* Ours now: record who holds it (for the message above; nothing depends on it). */
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
		/* A full disk must not keep the daemon from running: the lock itself holds. */
	}
	l = calloc(1, sizeof(*l));
	if (l == NULL || (l->path = strdup(path)) == NULL) {
		free(l);
		close(fd);
		fb_error_set(err, "out of memory");
		return NULL;
	}
	l->fd = fd;
	return l;
}

/*
 * The PID that holds a flock on the file (dev, ino), from /proc/locks, or 0 when it cannot be
 * told (no /proc, another PID namespace). Lines look like
 *   "3: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF" (device as major:minor in hex).
 */
static long
flock_holder(dev_t dev, ino_t ino)
{
	FILE *f = fopen("/proc/locks", "re");
	char line[256];
	long found = 0;

	if (f == NULL)
		return 0;
	while (found == 0 && fgets(line, sizeof(line), f) != NULL) {
		char kind[16], mode[16], rw[16];
		long pid;
		unsigned maj, min;
		unsigned long long i;

		if (sscanf(line, "%*[^:]: %15s %15s %15s %ld %x:%x:%llu", kind, mode, rw, &pid,
		    &maj, &min, &i) != 7)
			continue;
		if (strcmp(kind, "FLOCK") == 0 && strcmp(rw, "WRITE") == 0 && pid > 0 &&
		    pid != (long)getpid() && maj == major(dev) && min == minor(dev) &&
		    i == (unsigned long long)ino)
			found = pid;
	}
	fclose(f);
	return found;
}

int
daemon_lock_database(struct daemon_lock *l, const char *database, struct fb_error *err)
{
	struct daemon_lock *d;
	struct stat st;
	int fd;

	if (l->next != NULL)
		return 0;
	/* Symlinks followed on purpose: the file they lead to is what must be locked. Read-only:
	 * flock needs no write access, and nothing is ever written through this descriptor. */
	fd = open(database, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		return fb_error_set(err, "database %s: %s", database, strerror(errno));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fb_error_set(err, "database %s: not a regular file", database);
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		long other = flock_holder(st.st_dev, st.st_ino);

		close(fd);
		if (e != EWOULDBLOCK)
			return fb_error_set(err, "database %s: cannot lock it: %s", database,
			    strerror(e));
		if (other > 0)
			return fb_error_set(err, "another feedbackd (pid %ld) is already running on "
			    "this database: %s (device %u:%u, inode %llu) is locked, whatever path or "
			    "lock_file names it; stop that one first (systemctl stop feedbackd, or "
			    "kill %ld)", other, database, major(st.st_dev), minor(st.st_dev),
			    (unsigned long long)st.st_ino, other);
		return fb_error_set(err, "another feedbackd is already running on this database: "
		    "%s (device %u:%u, inode %llu) is locked, whatever path or lock_file names it; "
		    "stop that one first", database, major(st.st_dev), minor(st.st_dev),
		    (unsigned long long)st.st_ino);
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL || (d->path = strdup(database)) == NULL) {
		free(d);
		close(fd);
		return fb_error_set(err, "out of memory");
	}
	d->fd = fd;
	l->next = d;
	return 0;
}

void
daemon_lock_release(struct daemon_lock *l)
{
	if (l == NULL)
		return;
	daemon_lock_release(l->next);
	close(l->fd);   /* drops the flock */
	free(l->path);
	free(l);
}
