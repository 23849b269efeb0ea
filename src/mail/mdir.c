/*
 * mdir — see include/mdir.h. Durability follows the Maildir recipe and STYLE.md's "files we
 * write go tmp → fsync → rename → fsync(dir)": a reader never sees a half-written file in new/,
 * and after mdir_write() returns 0 the message survives a power cut.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mdir.h"
#include "banned.h"

static unsigned long mdir_counter;

/*
 * A Maildir an MTA delivers into (Postfix's virtual(8), Dovecot's LDA) belongs to the user it
 * delivers as, mode 0700; when feedbackd runs as another user it is refused entry, and mkdir()
 * says EACCES about a directory that exists. Say whose directory it is and who we are, so the
 * administrator sees that the two users must be the same (README, "Your own MTA").
 */
static int
refused(const char *path, int errnum, struct fb_error *err)
{
	struct buf parent = BUF_INIT;
	const char *slash = strrchr(path, '/');
	struct stat st;
	int rc;

	if (buf_add(&parent, path, slash == NULL ? 0 : slash == path ? 1 : (size_t)(slash - path)) < 0 ||
	    (slash == NULL && buf_adds(&parent, ".") < 0)) {
		buf_release(&parent);
		return fb_error_set(err, "out of memory");
	}
	if (stat(parent.data, &st) == 0)
		rc = fb_error_set(err, "cannot use Maildir directory %s: %s (%s belongs to uid %lu, "
		    "mode %04o; feedbackd runs as uid %lu: the mail server must deliver as that user)",
		    path, strerror(errnum), parent.data, (unsigned long)st.st_uid,
		    (unsigned)(st.st_mode & 07777), (unsigned long)geteuid());
	else
		rc = fb_error_set(err, "cannot use Maildir directory %s: %s (feedbackd runs as uid %lu)",
		    path, strerror(errnum), (unsigned long)geteuid());
	buf_release(&parent);
	return rc;
}

static int
mkdir_if_missing(const char *path, struct fb_error *err)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST) {
		struct stat st;

		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			return 0;
		if (errno == EEXIST)
			errno = ENOTDIR;
	}
	if (errno == EACCES)
		return refused(path, errno, err);
	return fb_error_set(err, "cannot create Maildir directory %s: %s", path, strerror(errno));
}

int
mdir_create(const char *path, struct fb_error *err)
{
	static const char *const subs[] = { "tmp", "new", "cur" };
	struct buf p = BUF_INIT;
	int rc = 0;

	if (path == NULL || *path == '\0')
		return fb_error_set(err, "no Maildir path given");
	if (mkdir_if_missing(path, err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]) && rc == 0; i++) {
		buf_reset(&p);
		if (buf_addf(&p, "%s/%s", path, subs[i]) < 0)
			rc = fb_error_set(err, "out of memory");
		else
			rc = mkdir_if_missing(p.data, err);
	}
	buf_release(&p);
	return rc;
}

int
mdir_unique_name(struct buf *out)
{
	char host[256];
	uint64_t rnd = 0;
	unsigned long n = ++mdir_counter;

	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd))
		rnd ^= (uint64_t)(uintptr_t)&rnd * 0x9e3779b97f4a7c15ULL ^ n;
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	/* '/' and ':' would break the name (Maildir spec): replace them as the spec suggests. */
	for (char *h = host; *h; h++)
		if (*h == '/' || *h == ':')
			*h = '_';
	return buf_addf(out, "%010lu.P%ldR%016llxQ%lu.%s", n, (long)getpid(),
	    (unsigned long long)rnd, n, host);
}

int
mdir_fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
mdir_write(const char *dir, const char *sub, const char *name, const char *data, size_t len,
    struct fb_error *err)
{
	struct buf tmp = BUF_INIT, dst = BUF_INIT, subdir = BUF_INIT;
	size_t off = 0;
	int fd = -1, rc = -1;

	if (buf_addf(&tmp, "%s/tmp/%s", dir, name) < 0 || buf_addf(&dst, "%s/%s/%s", dir, sub, name) < 0 ||
	    buf_addf(&subdir, "%s/%s", dir, sub) < 0) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	fd = open(tmp.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		fb_error_set(err, "cannot create %s: %s", tmp.data, strerror(errno));
		goto out;
	}
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			fb_error_set(err, "cannot write %s: %s", tmp.data, strerror(errno));
			goto unlink;
		}
		off += (size_t)w;
	}
	if (fsync(fd) != 0) {
		fb_error_set(err, "cannot fsync %s: %s", tmp.data, strerror(errno));
		goto unlink;
	}
	if (close(fd) != 0) {
		fd = -1;
		fb_error_set(err, "cannot close %s: %s", tmp.data, strerror(errno));
		goto unlink;
	}
	fd = -1;
	if (rename(tmp.data, dst.data) != 0) {
		fb_error_set(err, "cannot rename %s to %s: %s", tmp.data, dst.data, strerror(errno));
		goto unlink;
	}
	if (mdir_fsync_dir(subdir.data) != 0) {
		fb_error_set(err, "cannot fsync %s: %s", subdir.data, strerror(errno));
		goto out;  /* the file is in place; durability is what failed */
	}
	rc = 0;
	goto out;
unlink:
	unlink(tmp.data);
out:
	if (fd >= 0)
		close(fd);
	buf_release(&tmp);
	buf_release(&dst);
	buf_release(&subdir);
	return rc;
}
