/*
 * mailbox_maildir — the "maildir" mailbox driver (include/mailbox.h).
 *
 * What counts as new: every file in new/, and every file in cur/ whose info (":2,FLAGS") lacks
 * the S (seen) flag. cur/ is included on purpose: an IMAP server such as Dovecot, or a mail
 * reader, moves messages from new/ to cur/ as soon as it looks at the mailbox, without reading
 * them; feedbackd must still see them. Done means "in cur/ with S": mark_done() renames new/X to
 * cur/X:2,S (or adds S to the flags of cur/X:2,FLAGS), then fsyncs the directories, so a
 * message is offered again after a crash until the caller's commit and this rename both
 * happened (the caller dedupes).
 *
 * Ids are the unique part of the file name (before ':'), stable across the rename. The driver
 * keeps no position; wait() just sleeps in short steps so that *stop is honoured.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "mailbox.h"
#include "mdir.h"
#include "banned.h"

/* At most this many messages per fetch_new(); the rest come with the next call. */
#define MAILDIR_MAX_LIST 100000

struct mailbox {
	char *path;
	size_t max_size;   /* larger files: only the head is read (0: no limit) */
};

struct entry {
	char *name;   /* file name within its directory */
	int in_cur;
};

static void
mdbox_close(struct mailbox *mb)
{
	if (mb == NULL)
		return;
	free(mb->path);
	free(mb);
}

static struct mailbox *
mdbox_open(const struct mailbox_settings *s, struct fb_error *err)
{
	struct mailbox *mb;

	if (mdir_create(s->maildir, err) < 0)
		return NULL;
	mb = calloc(1, sizeof(*mb));
	if (mb == NULL || (mb->path = strdup(s->maildir)) == NULL) {
		free(mb);
		fb_error_set(err, "out of memory");
		return NULL;
	}
	mb->max_size = s->max_message_size;
	return mb;
}

/* 1 when the cur/ file name's info has the S flag. */
static int
has_seen_flag(const char *name)
{
	const char *info = strstr(name, ":2,");

	return info != NULL && strchr(info + 3, 'S') != NULL;
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

/* Add the candidate files of dir/sub to *list. -1 with err. */
static int
list_dir(const char *dir, int in_cur, struct entry **list, size_t *n, size_t *alloc,
    struct fb_error *err)
{
	struct buf p = BUF_INIT;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (buf_addf(&p, "%s/%s", dir, in_cur ? "cur" : "new") < 0)
		return fb_error_set(err, "out of memory");
	d = opendir(p.data);
	if (d == NULL) {
		rc = fb_error_set(err, "cannot read Maildir %s: %s", p.data, strerror(errno));
		buf_release(&p);
		return rc;
	}
	while ((de = readdir(d)) != NULL && *n < MAILDIR_MAX_LIST) {
		if (de->d_name[0] == '.' || (in_cur && has_seen_flag(de->d_name)))
			continue;
		if (*n == *alloc) {
			size_t na = *alloc ? *alloc * 2 : 64;
			struct entry *nl = realloc(*list, na * sizeof(**list));

			if (nl == NULL) {
				rc = fb_error_set(err, "out of memory");
				break;
			}
			*list = nl;
			*alloc = na;
		}
		(*list)[*n].name = strdup(de->d_name);
		if ((*list)[*n].name == NULL) {
			rc = fb_error_set(err, "out of memory");
			break;
		}
		(*list)[*n].in_cur = in_cur;
		(*n)++;
	}
	closedir(d);
	buf_release(&p);
	return rc;
}

/*
 * Read a message file into data: whole, or, when it is larger than max (max > 0), only its
 * first MAILBOX_HEAD_MAX bytes (the rest stays in the file: a 50 MB message costs 64 KiB).
 * *size is the file's size. 0, or -1 with errno (EFBIG: larger than MAILBOX_MAX_MESSAGE while
 * there is no max_size).
 */
static int
read_message(const char *path, size_t max, struct buf *data, size_t *size)
{
	struct stat st = { 0 };
	size_t want;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int e = st.st_mode == 0 ? errno : EINVAL;   /* st stays zeroed when fstat fails */

		close(fd);
		errno = e;
		return -1;
	}
	*size = (size_t)st.st_size;
	if (max == 0 && *size > MAILBOX_MAX_MESSAGE) {
		close(fd);
		errno = EFBIG;
		return -1;
	}
	want = max > 0 && *size > max ? MAILBOX_HEAD_MAX : *size;
	if (buf_grow(data, want) < 0) {
		close(fd);
		return -1;
	}
	while (data->len < want) {
		ssize_t n = read(fd, data->data + data->len, want - data->len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;   /* shorter than its size said: it was being rewritten */
		data->len += (size_t)n;
	}
	data->data[data->len] = '\0';
	close(fd);
	if (want == *size)
		*size = data->len;
	return 0;
}

/* The mailbox's name: "maildir:" and its path (MAILBOX_LOCAL). */
static int
mdbox_name_of(const struct mailbox_settings *s, struct buf *out)
{
	return buf_addf(out, "%s:%s", mailbox_maildir_driver.name, s->maildir);
}

static enum mail_result
mdbox_fetch_new(struct mailbox *mb, struct mailbox_position *pos, mailbox_msg_cb cb, void *ctx,
    size_t *nfetched, struct fb_error *err)
{
	struct entry *list = NULL;
	size_t n = 0, alloc = 0, count = 0;
	struct buf path = BUF_INIT, data = BUF_INIT, id = BUF_INIT;
	enum mail_result rc = MAIL_OK;

	if (pos != NULL)
		pos->uidvalidity_changed = 0;
	if (list_dir(mb->path, 0, &list, &n, &alloc, err) < 0 ||
	    list_dir(mb->path, 1, &list, &n, &alloc, err) < 0) {
		rc = MAIL_MAILBOX_BAD;
		goto out;
	}
	if (n > 1) /* qsort(NULL, 0, …) is undefined */
		qsort(list, n, sizeof(*list), entry_cmp);
	for (size_t i = 0; i < n; i++) {
		struct mailbox_msg msg;

		buf_reset(&path);
		buf_reset(&data);
		buf_reset(&id);
		if (buf_addf(&path, "%s/%s/%s", mb->path, list[i].in_cur ? "cur" : "new", list[i].name) < 0 ||
		    buf_add(&id, list[i].name, strcspn(list[i].name, ":")) < 0) {
			fb_error_set(err, "out of memory");
			rc = MAIL_TEMPORARY;
			break;
		}
		if (read_message(path.data, mb->max_size, &data, &msg.size) < 0) {
			if (errno == ENOENT)  /* taken away meanwhile (another reader) */
				continue;
			if (errno == EFBIG) {
				log_warnx("%s: larger than %zu bytes, skipped", path.data, MAILBOX_MAX_MESSAGE);
				continue;
			}
			fb_error_set(err, "cannot read %s: %s", path.data, strerror(errno));
			rc = MAIL_MAILBOX_BAD;
			break;
		}
		msg.id = id.data;
		msg.uidvalidity = 0;
		msg.uid = 0;
		msg.chunk_end = 0;
		msg.data = data.data;
		msg.len = data.len;
		if (msg.size < msg.len)
			msg.size = msg.len;
		if (cb(ctx, &msg) != MAIL_OK) {
			fb_error_set(err, "fetching stopped by the caller after %zu messages", count);
			rc = MAIL_STOPPED;
			break;
		}
		count++;
	}
out:
	for (size_t i = 0; i < n; i++)
		free(list[i].name);
	free(list);
	buf_release(&path);
	buf_release(&data);
	buf_release(&id);
	if (nfetched != NULL)
		*nfetched = count;
	return rc;
}

/* Find cur/<id>[:2,FLAGS] and give it the S flag. 0, 1 when absent, -1 with err. */
static int
mark_in_cur(struct mailbox *mb, const char *id, struct fb_error *err)
{
	struct buf dir = BUF_INIT, from = BUF_INIT, to = BUF_INIT;
	size_t idlen = strlen(id);
	struct dirent *de;
	DIR *d;
	int rc = 1;

	if (buf_addf(&dir, "%s/cur", mb->path) < 0)
		return fb_error_set(err, "out of memory");
	d = opendir(dir.data);
	if (d == NULL) {
		rc = fb_error_set(err, "cannot read %s: %s", dir.data, strerror(errno));
		buf_release(&dir);
		return rc;
	}
	while ((de = readdir(d)) != NULL) {
		const char *info;

		if (strncmp(de->d_name, id, idlen) != 0 || (de->d_name[idlen] != ':' && de->d_name[idlen] != '\0'))
			continue;
		if (has_seen_flag(de->d_name)) {
			rc = 0;
			break;
		}
		/* Maildir flags are kept in ASCII order: insert S where it belongs. */
		info = strstr(de->d_name, ":2,");
		buf_putf(&from, "%s/%s", dir.data, de->d_name);
		buf_putf(&to, "%s/%.*s:2,", dir.data, (int)idlen, id);
		if (info != NULL) {
			const char *f = info + 3;

			while (*f != '\0' && *f < 'S')
				buf_putch(&to, *f++);
			buf_putch(&to, 'S');
			buf_puts(&to, f);
		} else {
			buf_putch(&to, 'S');
		}
		if (buf_failed(&from) || buf_failed(&to))
			rc = fb_error_set(err, "out of memory");
		else if (rename(from.data, to.data) != 0)
			rc = fb_error_set(err, "cannot rename %s: %s", from.data, strerror(errno));
		else if (mdir_fsync_dir(dir.data) != 0)
			rc = fb_error_set(err, "cannot fsync %s: %s", dir.data, strerror(errno));
		else
			rc = 0;
		break;
	}
	closedir(d);
	buf_release(&dir);
	buf_release(&from);
	buf_release(&to);
	return rc;
}

/* A file name fetch_new() could have given, and nothing that leaves the Maildir. */
static int
id_ok(const char *id)
{
	return id != NULL && *id != '\0' && *id != '.' && strchr(id, '/') == NULL &&
	    strchr(id, ':') == NULL;
}

static enum mail_result
mdbox_mark_done(struct mailbox *mb, const char *id, struct fb_error *err)
{
	struct buf from = BUF_INIT, to = BUF_INIT, dir = BUF_INIT;
	enum mail_result rc;

	if (!id_ok(id)) {
		fb_error_set(err, "bad Maildir message id \"%s\"", id ? id : "(null)");
		return MAIL_MESSAGE_BAD;
	}
	if (buf_addf(&from, "%s/new/%s", mb->path, id) < 0 || buf_addf(&to, "%s/cur/%s:2,S", mb->path, id) < 0 ||
	    buf_addf(&dir, "%s/new", mb->path) < 0) {
		fb_error_set(err, "out of memory");
		rc = MAIL_TEMPORARY;
		goto out;
	}
	rc = MAIL_MAILBOX_BAD;
	if (rename(from.data, to.data) == 0) {
		/* Both directories changed: make the move durable in both. */
		buf_truncate(&to, strlen(mb->path) + 4);
		if (mdir_fsync_dir(to.data) != 0 || mdir_fsync_dir(dir.data) != 0)
			fb_error_set(err, "cannot fsync %s: %s", mb->path, strerror(errno));
		else
			rc = MAIL_OK;
		goto out;
	}
	if (errno != ENOENT) {
		fb_error_set(err, "cannot move %s to cur/: %s", from.data, strerror(errno));
		goto out;
	}
	switch (mark_in_cur(mb, id, err)) {
	case 0:
		rc = MAIL_OK;
		break;
	case 1:
		fb_error_set(err, "message %s is no longer in Maildir %s", id, mb->path);
		rc = MAIL_MESSAGE_BAD;
		break;
	}
out:
	buf_release(&from);
	buf_release(&to);
	buf_release(&dir);
	return rc;
}

/* Unlink dir/<id> and dir/<id>:2,FLAGS. 1 when one was there, 0 when not, -1 with err. */
static int
unlink_in(const char *dir, const char *id, struct fb_error *err)
{
	size_t idlen = strlen(id);
	struct buf path = BUF_INIT;
	struct dirent *de;
	int found = 0, rc = 0;
	DIR *d = opendir(dir);

	if (d == NULL)
		return errno == ENOENT ? 0 : fb_error_set(err, "cannot read %s: %s", dir, strerror(errno));
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, id, idlen) != 0 ||
		    (de->d_name[idlen] != ':' && de->d_name[idlen] != '\0'))
			continue;
		buf_reset(&path);
		if (buf_addf(&path, "%s/%s", dir, de->d_name) < 0)
			rc = fb_error_set(err, "out of memory");
		else if (unlink(path.data) != 0 && errno != ENOENT)
			rc = fb_error_set(err, "cannot remove %s: %s", path.data, strerror(errno));
		else
			found = 1;
	}
	closedir(d);
	buf_release(&path);
	if (rc == 0 && found && mdir_fsync_dir(dir) != 0)
		rc = fb_error_set(err, "cannot fsync %s: %s", dir, strerror(errno));
	return rc < 0 ? -1 : found;
}

static enum mail_result
mdbox_remove(struct mailbox *mb, const char *id, const char *message_id, int *was_there,
    struct fb_error *err)
{
	struct buf dir = BUF_INIT;
	int found = 0, r = 0;

	(void)message_id; /* the file name is the id */
	*was_there = 0;
	if (!id_ok(id)) {
		fb_error_set(err, "bad Maildir message id \"%s\"", id ? id : "(null)");
		return MAIL_MESSAGE_BAD;
	}
	for (int i = 0; i < 2 && r >= 0; i++) {
		buf_reset(&dir);
		if (buf_addf(&dir, "%s/%s", mb->path, i == 0 ? "new" : "cur") < 0)
			r = fb_error_set(err, "out of memory");
		else if ((r = unlink_in(dir.data, id, err)) > 0)
			found = 1;
	}
	buf_release(&dir);
	if (r < 0)
		return MAIL_MAILBOX_BAD;
	*was_there = found;
	return MAIL_OK;
}

static enum mail_result
mdbox_wait(struct mailbox *mb, int timeout_ms, volatile sig_atomic_t *stop, int *arrived,
    struct fb_error *err)
{
	/* No change notification here: sleep in steps of at most 100 ms, and say "look again". */
	while (timeout_ms > 0 && (stop == NULL || !*stop)) {
		int step = timeout_ms < 100 ? timeout_ms : 100;
		struct timespec ts = { step / 1000, (long)(step % 1000) * 1000000L };

		nanosleep(&ts, NULL);
		timeout_ms -= step;
	}
	if (arrived != NULL)
		*arrived = !(stop != NULL && *stop);
	return (stop != NULL && *stop) ? MAIL_STOPPED : MAIL_OK;
}

const struct mailbox_driver mailbox_maildir_driver = {
	.name = "maildir",
	.kind = MAILBOX_MAILDIR,
	.flags = MAILBOX_LOCAL,
	.name_of = mdbox_name_of,
	.open = mdbox_open,
	.fetch_new = mdbox_fetch_new,
	.mark_done = mdbox_mark_done,
	.remove = mdbox_remove,
	.wait = mdbox_wait,
	.close = mdbox_close,
};
