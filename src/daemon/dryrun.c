/*
 * dryrun — a pass on a copy of the database, with drivers that change nothing, and the list
 * of what it did. See include/dryrun.h for why it is done this way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "db_snapshot.h"
#include "dryrun.h"
#include "fbtime.h"
#include "queue.h"
#include "store_overview.h"
#include "vocab.h"
#include "banned.h"

struct dryrun {
	struct buf path;            /* the copy */
	int64_t outbox_last, inbox_last; /* the last rows before the pass */
	struct store_ids unsent;    /* outbox rows still to go before the pass */
	struct store_ids pending;   /* inbox rows pending before the pass */
};

static void
remove_copy(const struct buf *path)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	struct buf p = BUF_INIT;

	for (size_t i = 0; path->len > 0 && i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		buf_reset(&p);
		if (buf_addf(&p, "%s%s", path->data, suffix[i]) == 0)
			unlink(p.data);
	}
	buf_release(&p);
}

void
dryrun_close(struct dryrun *d, struct db *db)
{
	db_close(db);
	if (d == NULL)
		return;
	remove_copy(&d->path);
	buf_release(&d->path);
	store_ids_release(&d->unsent);
	store_ids_release(&d->pending);
	free(d);
}

struct dryrun *
dryrun_open(const char *path, struct db **db, struct fb_error *err)
{
	struct dryrun *d = calloc(1, sizeof(*d));
	const char *tmp = getenv("TMPDIR");
	int fd;

	*db = NULL;
	if (d == NULL) {
		fb_error_set(err, "out of memory");
		return NULL;
	}
	buf_init(&d->path);
	if (buf_addf(&d->path, "%s/feedbackd-dry-run-XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0) {
		fb_error_set(err, "out of memory");
		goto fail;
	}
	if ((fd = mkstemp(d->path.data)) < 0) {
		fb_error_set(err, "cannot make a temporary copy in %s (set TMPDIR)",
		    tmp && *tmp ? tmp : "/tmp");
		buf_reset(&d->path);
		goto fail;
	}
	close(fd);
	if (db_snapshot(path, d->path.data, err) < 0 || (*db = db_open(d->path.data, err)) == NULL)
		goto fail;
	if (store_overview_last_ids(*db, &d->outbox_last, &d->inbox_last, err) < 0 ||
	    store_overview_outbox_ids(*db, 0, 1, &d->unsent, err) < 0 ||
	    store_overview_inbox_ids(*db, 0, 1, &d->pending, err) < 0)
		goto fail;
	return d;
fail:
	dryrun_close(d, *db);
	*db = NULL;
	return NULL;
}

/* ---- the drivers ----------------------------------------------------------------------------- */

/* Not a connection: open() must return something that is not NULL. */
static char listing_transport_handle;

static struct transport *
listing_open(const struct transport_settings *s, struct fb_error *err)
{
	(void)s;
	(void)err;
	return (struct transport *)(void *)&listing_transport_handle;
}

/* Every message "accepted", as a server would: the send pass records it sent in the copy,
 * which is how the report knows what would have gone. */
static enum mail_result
listing_send(struct transport *t, struct transport_msg *msgs, size_t n, struct fb_error *err)
{
	(void)t;
	(void)err;
	for (size_t i = 0; i < n; i++) {
		msgs[i].status = MAIL_OK;
		if (msgs[i].on_accepted != NULL)
			msgs[i].on_accepted(&msgs[i], msgs[i].on_accepted_arg);
	}
	return MAIL_OK;
}

static void
listing_close(struct transport *t)
{
	(void)t;
}

static const struct transport_driver listing_driver = {
	"dry-run", 0, listing_open, listing_send, listing_close, NULL,
};

const struct transport_driver *
dryrun_transport(void)
{
	return &listing_driver;
}

static enum mail_result
keep_mark_done(struct mailbox *mb, const char *id, struct fb_error *err)
{
	(void)mb;
	(void)id;
	(void)err;
	return MAIL_OK;
}

static enum mail_result
keep_remove(struct mailbox *mb, const char *id, const char *message_id, int *found,
    struct fb_error *err)
{
	(void)mb;
	(void)id;
	(void)message_id;
	(void)err;
	*found = 0;
	return MAIL_OK;
}

/* One per process: the daemon runs one dry pass with one mailbox driver. */
static struct mailbox_driver keeping_driver;

const struct mailbox_driver *
dryrun_mailbox(const struct mailbox_driver *real)
{
	keeping_driver = *real;
	keeping_driver.mark_done = keep_mark_done;
	keeping_driver.remove = keep_remove;
	return &keeping_driver;
}

/* ---- the report ------------------------------------------------------------------------------ */

static void
local_time(const char *tz, time_t t, char out[32])
{
	struct fb_local l;

	if (t == 0 || fbtime_to_local(tz, t, &l, NULL) < 0) {
		snprintf(out, 32, "%s", t == 0 ? "-" : "?");
		return;
	}
	snprintf(out, 32, "%04d-%02d-%02d %02d:%02d", l.date.year % 10000, l.date.month % 100,
	    l.date.day % 100, l.hour % 100, l.min % 100);
}

static int
ids_add(struct store_ids *l, int64_t id, struct fb_error *err)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		int64_t *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return fb_error_set(err, "out of memory");
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = id;
	return 0;
}

static int
has(const struct store_ids *l, int64_t id)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == id)
			return 1;
	return 0;
}

static const char *
or_dash(const char *s)
{
	return s != NULL && *s ? s : "-";
}

/* The inbox rows the pass read or applied: pending before, or new. */
static int
report_inbox(struct dryrun *d, struct db *db, FILE *out, struct fb_error *err)
{
	struct store_ids ids = { 0 };
	int rc = -1;

	if (store_overview_inbox_ids(db, d->inbox_last, 0, &ids, err) < 0)
		goto out;
	for (size_t i = 0; i < d->pending.n; i++)
		if (!has(&ids, d->pending.v[i]) && ids_add(&ids, d->pending.v[i], err) < 0)
			goto out;
	fprintf(out, "Replies read and applied: %zu\n", ids.n);
	for (size_t i = 0; i < ids.n; i++) {
		struct inbox_row r;

		memset(&r, 0, sizeof(r));
		if (queue_inbox_get(db, ids.v[i], &r, err) < 0)
			goto out;
		fprintf(out, "  inbox %lld, %s, from %s: %s\n", (long long)r.id,
		    ids.v[i] > d->inbox_last ? "read now" : "waiting", or_dash(r.sender),
		    or_dash(r.subject));
		fprintf(out, "    -> %s (%s): %s\n", or_dash(r.state), or_dash(r.kind),
		    or_dash(r.reason));
		if (r.error && *r.error)
			fprintf(out, "       error: %s\n", r.error);
		queue_inbox_release(&r);
	}
	rc = 0;
out:
	store_ids_release(&ids);
	return rc;
}

/* The outbox rows the pass sent (to go now) or queued (to go later). */
static int
report_outbox(struct dryrun *d, struct db *db, const char *tz, FILE *out, struct fb_error *err)
{
	struct store_ids ids = { 0 };
	struct outbox_row *rows = NULL;
	size_t now = 0, later = 0, waiting = 0;
	int rc = -1;

	if (store_overview_outbox_ids(db, d->outbox_last, 0, &ids, err) < 0)
		goto out;
	for (size_t i = 0; i < d->unsent.n; i++)
		if (ids_add(&ids, d->unsent.v[i], err) < 0)
			goto out;
	if ((rows = calloc(ids.n + 1, sizeof(*rows))) == NULL) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < ids.n; i++) {
		if (queue_outbox_get(db, ids.v[i], &rows[i], err) < 0)
			goto out;
		buf_release(&rows[i].raw); /* the listing needs no bodies */
		if (outbox_state_from_name(rows[i].state) == OUTBOX_SENT)
			now++;
		else if (ids.v[i] > d->outbox_last)
			later++;
		else
			waiting++;
	}
	fprintf(out, "Mail that would go now: %zu\n", now);
	for (size_t i = 0; i < ids.n; i++)
		if (outbox_state_from_name(rows[i].state) == OUTBOX_SENT)
			fprintf(out, "  to %s  %s  %s%s\n", rows[i].recipient, rows[i].kind,
			    or_dash(rows[i].subject), ids.v[i] > d->outbox_last ? "" :
			    "  (queued before)");
	fprintf(out, "Mail queued for later: %zu\n", later);
	for (size_t i = 0; i < ids.n; i++) {
		enum outbox_state st = outbox_state_from_name(rows[i].state);
		char at[32];

		if (st == OUTBOX_SENT || ids.v[i] <= d->outbox_last)
			continue;
		local_time(tz, rows[i].next_attempt_at, at);
		fprintf(out, "  to %s  %s  %s  (%s, %s %s)\n", rows[i].recipient, rows[i].kind,
		    or_dash(rows[i].subject), rows[i].state,
		    st == OUTBOX_FAILED ? "failed:" : "goes at",
		    st == OUTBOX_FAILED ? or_dash(rows[i].last_error) : at);
	}
	if (waiting > 0)
		fprintf(out, "Already in the outbox and still waiting after the pass: %zu "
		    "(feedbackctl outbox list)\n", waiting);
	rc = 0;
out:
	for (size_t i = 0; rows != NULL && i < ids.n; i++)
		queue_outbox_release(&rows[i]);
	free(rows);
	store_ids_release(&ids);
	return rc;
}

int
dryrun_report(struct dryrun *d, struct db *db, const char *tz, FILE *out, struct fb_error *err)
{
	fprintf(out, "Dry run: the pass ran on a copy of the database; nothing was sent, and "
	    "nothing in the database or the mailbox was changed.\n");
	if (report_inbox(d, db, out, err) < 0 || report_outbox(d, db, tz, out, err) < 0)
		return -1;
	return fflush(out) == 0 ? 0 : fb_error_set(err, "writing the listing: output error");
}
