/*
 * mailflow — the outbox and inbox passes. See include/mailflow.h for the crash-safety order.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "inbox_entry.h"
#include "log.h"
#include "mailflow.h"
#include "queue.h"
#include "banned.h"

long
mailflow_backoff(int64_t id, int attempts, int initial, int max)
{
	unsigned long long h = (unsigned long long)id * 0x9E3779B97F4A7C15ULL ^
	    (unsigned long long)attempts * 0xBF58476D1CE4E5B9ULL;
	double delay = initial > 0 ? initial : 1;

	for (int i = 1; i < attempts && delay < max; i++)
		delay *= 2;
	if (delay > max)
		delay = max;
	h ^= h >> 31;
	/* 0.75 .. 1.25 */
	delay *= 0.75 + (double)(h % 1000) / 2000.0;
	if (delay > max)
		delay = max;
	return delay < 1 ? 1 : (long)delay;
}

void
mailflow_unrecorded_release(struct mailflow_unrecorded *u)
{
	if (u == NULL)
		return;
	free(u->v);
	u->v = NULL;
	u->n = u->cap = 0;
}

/* Remember an accepted message whose 'sent' failed. When even that memory runs out, all that
 * is left is to say which message will be sent again. */
static void
unrecorded_add(struct mailflow_unrecorded *u, const struct outbox_row *r, time_t at)
{
	if (u->n == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 16;
		struct mailflow_accepted *v = realloc(u->v, cap * sizeof(*v));

		if (v == NULL) {
			log_errorx("outbox %lld to %s <%s>: accepted by the server but not recorded as "
			    "sent (out of memory): it will be sent again", (long long)r->id,
			    r->recipient, r->message_id);
			return;
		}
		u->v = v;
		u->cap = cap;
	}
	u->v[u->n].id = r->id;
	u->v[u->n].at = at;
	u->n++;
}

int
mailflow_record_unrecorded(struct db *db, struct mailflow_unrecorded *u, struct fb_error *err)
{
	if (u == NULL || u->n == 0)
		return 0;
	if (db_begin(db, err) < 0)
		return -1;
	for (size_t i = 0; i < u->n; i++)
		if (queue_outbox_sent(db, u->v[i].id, u->v[i].at, err) < 0) {
			db_rollback(db);
			return -1;
		}
	if (db_commit(db, err) < 0)
		return -1;
	log_info("outbox: %zu message%s the server accepted while the database could not write "
	    "now recorded as sent (not sent again)", u->n, u->n == 1 ? "" : "s");
	u->n = 0;
	return 0;
}

int
mailflow_recover(struct db *db, struct mailflow_unrecorded *u, struct fb_error *err)
{
	int n;

	/* Accepted messages first: they are in 'sending' too, and must not be requeued. */
	if (mailflow_record_unrecorded(db, u, err) < 0)
		return -1;
	n = queue_outbox_recover(db, err);

	if (n > 0)
		log_info("outbox: %d message%s in doubt after a stop, queued again", n,
		    n == 1 ? "" : "s");
	return n;
}

/*
 * A message the server took is recorded as sent at once, from the session's own thread, in a
 * transaction of its own: a crash later in the session then resends only the message in hand
 * (at most one duplicate per crash and session), not the whole batch. The database is used by
 * one thread at a time: the main thread waits for the sessions, and the lock orders them.
 */
struct accepted_ctx {
	struct db *db;
	time_t now;
	pthread_mutex_t lock;
};

struct accepted {
	struct accepted_ctx *ctx;
	int64_t id;
	int recorded;           /* sent is committed; record_outcomes() skips it */
};

static void
record_accepted(struct transport_msg *m, void *arg)
{
	struct accepted *a = arg;
	struct fb_error e;

	(void)m;
	pthread_mutex_lock(&a->ctx->lock);
	if (db_begin(a->ctx->db, &e) == 0) {
		if (queue_outbox_sent(a->ctx->db, a->id, a->ctx->now, &e) == 0 &&
		    db_commit(a->ctx->db, &e) == 0)
			a->recorded = 1;
		else
			db_rollback(a->ctx->db); /* recorded with the rest after the session */
	}
	pthread_mutex_unlock(&a->ctx->lock);
}

/* Record each message's outcome not yet recorded in one transaction. */
static int
record_outcomes(struct db *db, struct outbox_list *batch, struct transport_msg *msgs,
    const struct accepted *acc, const struct mailflow_policy *p, time_t now,
    struct mailflow_stats *stats, struct fb_error *err)
{
	if (db_begin(db, err) < 0)
		return -1;
	for (size_t i = 0; i < batch->n; i++) {
		struct outbox_row *r = &batch->v[i];
		int rc;

		if (msgs[i].status == MAIL_OK) {
			rc = acc[i].recorded ? 0 : queue_outbox_sent(db, r->id, now, err);
			stats->sent++;
		} else {
			int final = msgs[i].status == MAIL_MESSAGE_BAD || r->attempts >= p->max_attempts;
			time_t next = now + mailflow_backoff(r->id, r->attempts, p->backoff_initial,
			    p->backoff_max);

			/* the one check of the detail the driver built: the outcome is recorded
			 * all the same (undoing it could send twice), saying what was lost */
			rc = queue_outbox_failed(db, r->id, final, next,
			    buf_failed(&msgs[i].detail) ? "failed (out of memory for its detail)" :
			    msgs[i].detail.len ? msgs[i].detail.data : "failed", err);
			if (final) {
				stats->failed++;
				/* No address and no server reply (which repeats the address) in
				 * the log: a log outlives a member's erase. The row has both. */
				log_warnx("outbox %lld failed for good after %d attempt%s (feedbackctl "
				    "outbox show %lld says to whom and why)", (long long)r->id,
				    r->attempts, r->attempts == 1 ? "" : "s", (long long)r->id);
			} else {
				stats->retried++;
			}
		}
		if (rc < 0) {
			db_rollback(db);
			return -1;
		}
	}
	return db_commit(db, err);
}

/*
 * One SMTP session's share of a claimed batch. A worker thread touches nothing but this: its
 * own transport (opened by the main thread, so the drivers' one-time set-up is not raced) and
 * its slice of the transport_msg array. The database stays in the main thread.
 */
struct session_job {
	const struct transport_driver *drv;
	struct transport *t;
	struct transport_msg *msgs;
	size_t n;
	enum mail_result rc;    /* drv->send()'s result */
	struct fb_error err;    /* its error when rc < 0 */
	pthread_t thread;
	int threaded;           /* thread was started and must be joined */
};

static void
session_job_run(struct session_job *j)
{
	j->err.msg[0] = '\0';
	j->rc = j->drv->send(j->t, j->msgs, j->n, &j->err);
	if (j->rc != MAIL_OK) {
		/* Nothing could be attempted: every message waits for its retry. */
		for (size_t i = 0; i < j->n; i++) {
			j->msgs[i].status = MAIL_TEMPORARY;
			buf_reset(&j->msgs[i].detail);
			buf_puts(&j->msgs[i].detail, j->err.msg);
		}
	}
}

static void *
session_job_thread(void *arg)
{
	session_job_run(arg);
	return NULL;
}

/* Split n claimed messages into at most nsessions slices of at most batch each. */
static size_t
plan_slices(size_t n, size_t batch, size_t nsessions)
{
	size_t k = (n + batch - 1) / batch;

	return k > nsessions ? nsessions : (k == 0 ? 1 : k);
}

/*
 * Send one claimed batch over k sessions at once: threads for slices 1..k-1, slice 0 in the
 * calling thread. A slice whose transport could not be opened or whose thread could not start
 * is sent (or failed) in this thread instead: never lost, at worst slower.
 */
static void
send_sessions(const struct transport_driver *drv, const struct transport_settings *ts,
    struct transport **tp, struct transport_msg *msgs, size_t n, size_t k)
{
	struct session_job jobs[MAILFLOW_MAX_SESSIONS];
	size_t per = (n + k - 1) / k, off = 0;

	for (size_t j = 0; j < k; j++) {
		struct session_job *jb = &jobs[j];

		memset(jb, 0, sizeof(*jb));
		jb->drv = drv;
		jb->msgs = msgs + off;
		jb->n = off + per <= n ? per : n - off;
		off += jb->n;
		if (tp[j] == NULL)
			tp[j] = drv->open(ts, &jb->err);
		jb->t = tp[j];
		if (jb->t == NULL) {
			/* open() failed: the settings are wrong, so every session would fail alike. */
			for (size_t i = 0; i < jb->n; i++) {
				jb->msgs[i].status = MAIL_TEMPORARY;
				buf_reset(&jb->msgs[i].detail);
				buf_puts(&jb->msgs[i].detail, jb->err.msg);
			}
			jb->rc = MAIL_TEMPORARY;
			continue;
		}
		if (j > 0 && jb->n > 0 &&
		    pthread_create(&jb->thread, NULL, session_job_thread, jb) == 0)
			jb->threaded = 1;
	}
	for (size_t j = 0; j < k; j++)
		if (jobs[j].t != NULL && !jobs[j].threaded && jobs[j].n > 0)
			session_job_run(&jobs[j]);
	for (size_t j = 0; j < k; j++)
		if (jobs[j].threaded)
			pthread_join(jobs[j].thread, NULL);
	/* Log in the main thread only, once per distinct failure of a session. */
	for (size_t j = 0; j < k; j++)
		if (jobs[j].rc != MAIL_OK)
			log_warnx("outbox: session %zu of %zu: %s", j + 1, k, jobs[j].err.msg);
}

int
mailflow_send(struct db *db, const struct transport_driver *drv,
    const struct transport_settings *ts, const struct mailflow_policy *policy, time_t now,
    volatile sig_atomic_t *stop, struct mailflow_unrecorded *u, struct mailflow_stats *stats,
    struct fb_error *err)
{
	struct transport *tp[MAILFLOW_MAX_SESSIONS] = { 0 };
	struct mailflow_unrecorded local = { 0 };
	size_t batch = policy->batch_size > 0 ? policy->batch_size : 1;
	size_t nsessions = policy->sessions > 0 ? policy->sessions : 1;
	size_t claimed_total = 0;
	int rc = 0;

	struct accepted_ctx actx = { .db = db, .now = now };

	if (nsessions > MAILFLOW_MAX_SESSIONS)
		nsessions = MAILFLOW_MAX_SESSIONS;
	/* A driver whose send() may not run in several threads at once gets one session. */
	if (!(drv->flags & TRANSPORT_PARALLEL))
		nsessions = 1;
	if (u == NULL)
		u = &local;
	/* Nothing new goes out while accepted messages wait to be recorded as sent. */
	if (mailflow_record_unrecorded(db, u, err) < 0)
		return -1;
	if (pthread_mutex_init(&actx.lock, NULL) != 0)
		return fb_error_set(err, "outbox: cannot create a lock");
	while ((stop == NULL || !*stop) &&
	    (policy->max_messages == 0 || claimed_total < policy->max_messages)) {
		struct outbox_list claimed = { 0 };
		struct transport_msg *msgs;
		struct accepted *acc;
		const char **rcpts;

		/* Committed as 'sending' before any network step (see mailflow.h). */
		if ((policy->person_only ? queue_outbox_claim_person : queue_outbox_claim)(db, now,
		    batch * nsessions, &claimed, err) < 0) {
			rc = -1;
			break;
		}
		if (claimed.n == 0)
			break;
		claimed_total += claimed.n;
		msgs = calloc(claimed.n, sizeof(*msgs));
		rcpts = calloc(claimed.n, sizeof(*rcpts));
		acc = calloc(claimed.n, sizeof(*acc));
		if (msgs == NULL || rcpts == NULL || acc == NULL) {
			free(msgs);
			free(rcpts);
			free(acc);
			queue_outbox_list_release(&claimed);
			rc = fb_error_set(err, "out of memory");
			break;
		}
		for (size_t i = 0; i < claimed.n; i++) {
			rcpts[i] = claimed.v[i].recipient;
			msgs[i].sender = claimed.v[i].sender;
			msgs[i].rcpts = &rcpts[i];
			msgs[i].nrcpts = 1;
			msgs[i].data = claimed.v[i].raw.data;
			msgs[i].len = claimed.v[i].raw.len;
			msgs[i].status = MAIL_TEMPORARY;
			buf_init(&msgs[i].detail);
			acc[i] = (struct accepted){ &actx, claimed.v[i].id, 0 };
			msgs[i].on_accepted = record_accepted;
			msgs[i].on_accepted_arg = &acc[i];
		}
		send_sessions(drv, ts, tp, msgs, claimed.n,
		    plan_slices(claimed.n, batch, nsessions));
		rc = record_outcomes(db, &claimed, msgs, acc, policy, now, stats, err);
		if (rc < 0)
			for (size_t i = 0; i < claimed.n; i++)
				if (msgs[i].status == MAIL_OK && !acc[i].recorded)
					unrecorded_add(u, &claimed.v[i], now);
		for (size_t i = 0; i < claimed.n; i++)
			buf_release(&msgs[i].detail);
		free(msgs);
		free(rcpts);
		free(acc);
		queue_outbox_list_release(&claimed);
		if (rc < 0)
			break;
	}
	for (size_t j = 0; j < MAILFLOW_MAX_SESSIONS; j++)
		if (tp[j] != NULL)
			drv->close(tp[j]);
	pthread_mutex_destroy(&actx.lock);
	if (u == &local) {
		for (size_t i = 0; i < local.n; i++)
			log_errorx("outbox %lld: accepted by the server but not recorded as sent (the "
			    "database cannot write): it is left 'sending' and will be sent again",
			    (long long)local.v[i].id);
		mailflow_unrecorded_release(&local);
	}
	return rc;
}

int
mailflow_inbox_add(struct db *db, const char *source, const char *raw, size_t len,
    size_t max_size, time_t now, int64_t *id, int *dup, struct fb_error *err)
{
	return mailflow_inbox_add_sized(db, source, raw, len, len, max_size, now, id, dup, err);
}

int
mailflow_inbox_add_sized(struct db *db, const char *source, const char *raw, size_t len,
    size_t size, size_t max_size, time_t now, int64_t *id, int *dup, struct fb_error *err)
{
	struct inbox_entry e;
	struct buf why = BUF_INIT;
	struct inbox_new m;
	int rc;

	if (inbox_entry_read(&e, raw, len, size, max_size) < 0 ||
	    (e.too_big && buf_addf(&why, "too large to read: %zu bytes, the limit is %zu "
	    "(max_message_size); kept here: its first %zu bytes (header and start); the whole "
	    "message stays in the mailbox (%s), nothing of it was deleted", e.size, max_size,
	    e.keep, source) < 0)) {
		inbox_entry_release(&e);
		buf_release(&why);
		return fb_error_set(err, "out of memory");
	}
	m = (struct inbox_new){
		.source = source, .raw = raw, .len = e.keep, .size = e.size, .sha256 = e.sha256,
		.dedupe_key = e.dedupe_key[0] ? e.dedupe_key : NULL,
		.message_id = e.message_id.len ? e.message_id.data : NULL,
		.sender = e.from.len ? e.from.data : NULL,
		.subject = e.subject.len ? e.subject.data : NULL,
		.error = e.too_big ? why.data : NULL,
	};
	rc = queue_inbox_add(db, &m, now, id, dup, err);
	inbox_entry_release(&e);
	buf_release(&why);
	return rc;
}

/*
 * The inbox pass. Messages are stored in groups of MAILFLOW_COMMIT_EVERY, each group with the
 * mailbox position after its last message in ONE transaction (the position never runs ahead
 * of what is stored); only after a group's commit are its messages handed to mark_done().
 * A group rather than one commit per message: SQLite's per-commit cost (WAL append, locks)
 * was most of what the daemon spent per message. A crash loses at most the group in hand,
 * which the position has not passed, so it is read again; nothing is lost or stored twice.
 */
#define MAILFLOW_COMMIT_EVERY 200

struct receive_ctx {
	struct db *db;
	const char *name;
	const struct mailflow_policy *policy;
	time_t now;
	struct mailflow_stats *stats;
	struct fb_error *err;
	int in_tx;                 /* a group's transaction is open */
	uint32_t uidvalidity, uid; /* the position after the group's last message (0: none) */
	size_t group;              /* messages in it */
	size_t stored, duplicates; /* ... of which new, known */
	char **ids;                /* ... their ids, to mark after the commit */
	size_t capids;
	const struct mailbox_driver *drv;
	struct mailbox *mb;
	int failed;
};

/* Hand a committed group's messages to mark_done(). A mark that fails is logged: the position
 * already skips the message, and the dedupe would catch it anyway. */
static void
mark_group(struct receive_ctx *c)
{
	for (size_t i = 0; i < c->group; i++) {
		struct fb_error merr;

		if (c->ids[i] != NULL && c->drv->mark_done(c->mb, c->ids[i], &merr) != MAIL_OK)
			log_warnx("%s: %s (it will not be read again)", c->name, merr.msg);
		free(c->ids[i]);
		c->ids[i] = NULL;
	}
	c->group = 0;
}

static void rollback_group(struct receive_ctx *c);

/* Commit the open group (messages and position), then mark its messages. */
static int
commit_group(struct receive_ctx *c)
{
	if (!c->in_tx)
		return 0;
	/* The position once per group, in the group's transaction: never ahead of the rows. */
	if (c->uidvalidity != 0 &&
	    queue_position_set(c->db, c->name, c->uidvalidity, c->uid, c->err) < 0) {
		rollback_group(c);
		return -1;
	}
	c->uidvalidity = 0;
	c->in_tx = 0;
	if (db_commit(c->db, c->err) < 0) {
		for (size_t i = 0; i < c->group; i++) {
			free(c->ids[i]);
			c->ids[i] = NULL;
		}
		c->group = c->stored = c->duplicates = 0;
		return -1;
	}
	c->stats->stored += c->stored;
	c->stats->duplicates += c->duplicates;
	c->stored = c->duplicates = 0;
	mark_group(c);
	return 0;
}

static void
rollback_group(struct receive_ctx *c)
{
	if (c->in_tx)
		db_rollback(c->db);
	c->in_tx = 0;
	c->uidvalidity = 0;
	for (size_t i = 0; i < c->group; i++) {
		free(c->ids[i]);
		c->ids[i] = NULL;
	}
	c->group = c->stored = c->duplicates = 0;
}

static enum mail_result
on_message(void *arg, const struct mailbox_msg *m)
{
	struct receive_ctx *c = arg;
	struct buf source = BUF_INIT;
	int64_t id;
	int dup;

	if (!c->in_tx) {
		if (db_begin(c->db, c->err) < 0)
			goto fail;
		c->in_tx = 1;
	}
	if (buf_addf(&source, "%s %s", c->name, m->id) < 0) {
		fb_error_set(c->err, "out of memory");
		goto fail_tx;
	}
	if (mailflow_inbox_add_sized(c->db, source.data, m->data, m->len, m->size,
	    c->policy->max_message_size, c->now, &id, &dup, c->err) < 0)
		goto fail_tx;
	if (m->uidvalidity != 0) {
		c->uidvalidity = m->uidvalidity;
		c->uid = m->uid;
	}
	buf_release(&source);
	/* A missing id (out of memory) only means this one is not marked: it is stored. */
	c->ids[c->group++] = strdup(m->id);
	if (dup)
		c->duplicates++;
	else
		c->stored++;
	if (c->group == c->capids && commit_group(c) < 0)
		goto fail;
	return MAIL_OK;
fail_tx:
	rollback_group(c);
fail:
	buf_release(&source);
	c->failed = 1;          /* the database failed: c->err says how */
	return MAIL_STOPPED;
}

int
mailflow_receive(struct db *db, const struct mailbox_driver *drv, struct mailbox *mb,
    const char *name, const struct mailflow_policy *policy, time_t now,
    struct mailflow_stats *stats, struct fb_error *err)
{
	struct receive_ctx c;
	struct mailbox_position pos = { 0, 0, 0 };
	struct fb_error ferr;
	enum mail_result rc;
	int have;

	memset(&c, 0, sizeof(c));
	c.db = db;
	c.name = name;
	c.policy = policy;
	c.now = now;
	c.stats = stats;
	c.err = err;
	c.drv = drv;
	c.mb = mb;
	c.capids = MAILFLOW_COMMIT_EVERY;
	c.ids = calloc(c.capids, sizeof(*c.ids));
	if (c.ids == NULL)
		return fb_error_set(err, "out of memory");
	have = queue_position_get(db, name, &pos.uidvalidity, &pos.uid, err);
	if (have < 0) {
		free(c.ids);
		return -1;
	}
	rc = drv->fetch_new(mb, &pos, on_message, &c, NULL, &ferr);
	if (pos.uidvalidity_changed)
		log_warnx("%s: UIDVALIDITY changed: reading the whole mailbox again "
		    "(messages already stored are recognised and skipped)", name);
	/* What was stored before a fetch error is good: keep it (and its position). */
	if (!c.failed && commit_group(&c) < 0)
		c.failed = 1;
	rollback_group(&c);
	free(c.ids);
	/* A stop by on_message() is a database failure, said in err; any other result is the
	 * mailbox's (broken or short of memory): the caller closes it and retries with back-off. */
	if (c.failed)
		return -1;
	if (rc != MAIL_OK) {
		fb_error_set(err, "%s", ferr.msg);
		return -1;
	}
	return 0;
}
