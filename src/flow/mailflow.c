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
 * Group commit. The sessions do not write: a message the server took is handed to one writer
 * (the calling thread, while the sessions run), which records every message handed to it since
 * its last commit as sent in ONE transaction, and at once: a group is whatever came in while the
 * previous commit ran (no timer: a lone message is committed as soon as it is taken, a stream
 * from many sessions shares commits). A session that finds MAILFLOW_GROUP_MAX messages waiting
 * for, or in, a commit waits for it: a crash sends again at most that many, plus the one in
 * hand per session (mailflow.h). Bodies are read by the sessions, each through a read-only
 * connection of its own (WAL: reads go on while the writer commits), one message at a time.
 */
struct send_round {
	struct db *db;          /* the writer's; a session uses it only under db_lock */
	time_t now;
	pthread_mutex_t db_lock;
	pthread_mutex_t lock;   /* the fields below */
	pthread_cond_t wake;    /* to the writer: a message taken, a session ended */
	pthread_cond_t room;    /* to the sessions: a commit is done */
	struct accepted *wait[MAILFLOW_GROUP_MAX];
	size_t nwait;           /* taken, not yet handed to the writer */
	size_t inflight;        /* in the writer's commit now */
	size_t running;         /* session threads still going */
	int writer;             /* 1: the writer takes them; 0: a session records its own */
};

/*
 * A session's bodies, read MAILFLOW_READ_AHEAD at a time in one read transaction of the
 * session's own connection (a read per message took the file's locks per message, against the
 * writer's commits), each given back once its message was transferred, and any the session
 * skipped (a refused recipient) when it moves past them: a session holds at most
 * MAILFLOW_READ_AHEAD messages, not its whole slice.
 */
#define MAILFLOW_READ_AHEAD 32
struct body_reader {
	struct send_round *round;
	struct db *rd;          /* NULL: round->db under db_lock */
	struct accepted *v;     /* the session's slice */
	size_t n;
	size_t read_to;         /* bodies [0, read_to) were read */
	size_t freed_to;        /* bodies [0, freed_to) were given back */
	size_t failed;          /* bodies that could not be read ... */
	struct fb_error err;    /* ... and the first one's error (logged after the round) */
};

struct accepted {
	struct send_round *round;
	int64_t id;
	struct body_reader *br; /* its session's */
	size_t idx;             /* its place in br->v */
	struct buf body;        /* the message, from its read until it was transferred */
	int load_failed;        /* its body could not be read (body_reader.err says why) */
	int recorded;           /* sent is committed; record_outcomes() skips it */
};

/* Commit n taken messages as sent; on failure they stay unrecorded for record_outcomes(). */
static void
commit_sent_group(struct send_round *r, struct accepted **v, size_t n)
{
	struct fb_error e;
	size_t i;

	pthread_mutex_lock(&r->db_lock);
	if (db_begin(r->db, &e) == 0) {
		for (i = 0; i < n; i++)
			if (queue_outbox_sent(r->db, v[i]->id, r->now, &e) < 0)
				break;
		if (i == n && db_commit(r->db, &e) == 0)
			for (i = 0; i < n; i++)
				v[i]->recorded = 1;
		else if (i < n)
			db_rollback(r->db); /* recorded with the rest after the round */
	}
	pthread_mutex_unlock(&r->db_lock);
}

static void
record_accepted(struct transport_msg *m, void *arg)
{
	struct accepted *a = arg;
	struct send_round *r = a->round;

	(void)m;
	pthread_mutex_lock(&r->lock);
	if (!r->writer) {
		pthread_mutex_unlock(&r->lock);
		commit_sent_group(r, &a, 1);
		return;
	}
	while (r->nwait + r->inflight >= MAILFLOW_GROUP_MAX)
		pthread_cond_wait(&r->room, &r->lock);
	r->wait[r->nwait++] = a;
	/* Woken per half group, not per message: a wake-up per message cost the session about
	 * one context switch in four (it waits three round trips per message). */
	if (r->nwait >= MAILFLOW_GROUP_MAX / 2)
		pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
}

/* The writer: commits what the sessions hand over until every session has ended. */
static void
write_groups(struct send_round *r)
{
	struct accepted *group[MAILFLOW_GROUP_MAX];

	pthread_mutex_lock(&r->lock);
	for (;;) {
		size_t n;

		while (r->nwait == 0 && r->running > 0)
			pthread_cond_wait(&r->wake, &r->lock);
		if (r->nwait == 0)
			break;
		n = r->nwait;
		memcpy(group, r->wait, n * sizeof(*group));
		r->nwait = 0;
		r->inflight = n;
		pthread_mutex_unlock(&r->lock);
		commit_sent_group(r, group, n);
		pthread_mutex_lock(&r->lock);
		r->inflight = 0;
		pthread_cond_broadcast(&r->room);
	}
	r->writer = 0;
	pthread_mutex_unlock(&r->lock);
}

/* Read the bodies of br->v[from ..] (MAILFLOW_READ_AHEAD of them) in one read transaction. A
 * body that cannot be read is marked (load_body() then fails its message). */
static void
read_ahead(struct body_reader *br, size_t from)
{
	size_t end = from + MAILFLOW_READ_AHEAD < br->n ? from + MAILFLOW_READ_AHEAD : br->n;
	struct db *db = br->rd != NULL ? br->rd : br->round->db;
	struct fb_error e;
	int txn;

	if (br->rd == NULL)
		pthread_mutex_lock(&br->round->db_lock);
	/* Without the transaction each read is a transaction of its own: slower, still right. */
	txn = db_begin_read(db, &e) == 0;
	for (size_t j = from; j < end; j++)
		if (queue_outbox_body(db, br->v[j].id, &br->v[j].body,
		    br->failed == 0 ? &br->err : &e) < 0) {
			br->v[j].load_failed = 1;
			br->failed++;
		}
	if (txn)
		db_commit(db, &e);
	if (br->rd == NULL)
		pthread_mutex_unlock(&br->round->db_lock);
	br->read_to = end;
}

/* transport_msg.load: the body from the store, when the session is about to send it. */
static int
load_body(struct transport_msg *m, void *arg)
{
	struct accepted *a = arg;
	struct body_reader *br = a->br;

	for (; br->freed_to < a->idx; br->freed_to++)
		buf_release(&br->v[br->freed_to].body);
	if (a->idx >= br->read_to)
		read_ahead(br, a->idx);
	if (a->load_failed)
		return -1;
	m->data = a->body.data;
	m->len = a->body.len;
	return 0;
}

static void
unload_body(struct transport_msg *m, void *arg)
{
	struct accepted *a = arg;

	buf_release(&a->body);
	m->data = NULL;
	m->len = 0;
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
 * own transport (opened by the main thread, so the drivers' one-time set-up is not raced), its
 * slice of the transport_msg array, its own read-only connection for the bodies, and the
 * round's hand-over to the writer (above).
 */
struct session_job {
	const struct transport_driver *drv;
	struct transport *t;
	struct transport_msg *msgs;
	size_t n;
	struct send_round *round;
	struct body_reader br;
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
	struct session_job *j = arg;

	session_job_run(j);
	pthread_mutex_lock(&j->round->lock);
	j->round->running--;
	pthread_cond_signal(&j->round->wake);
	pthread_mutex_unlock(&j->round->lock);
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
 * Send one claimed batch over k sessions at once, one thread each, while this thread is the
 * writer of their outcomes. A slice whose thread could not start, or of a driver without
 * TRANSPORT_PARALLEL (which gets one session), is sent in this thread afterwards, recording
 * its own messages: never lost, at worst slower. rd[j]: slice j's reader (NULL: the writer's
 * connection, locked).
 */
static void
send_sessions(const struct transport_driver *drv, const struct transport_settings *ts,
    struct transport **tp, struct send_round *round, struct transport_msg *msgs,
    struct accepted *acc, size_t n, size_t k, struct db **rd)
{
	struct session_job jobs[MAILFLOW_MAX_SESSIONS];
	size_t per = (n + k - 1) / k, off = 0;

	round->writer = 1;
	round->running = 0;
	for (size_t j = 0; j < k; j++) {
		struct session_job *jb = &jobs[j];

		memset(jb, 0, sizeof(*jb));
		jb->drv = drv;
		jb->round = round;
		jb->msgs = msgs + off;
		jb->n = off + per <= n ? per : n - off;
		jb->br = (struct body_reader){ .round = round, .rd = rd[j], .v = acc + off,
		    .n = jb->n };
		for (size_t i = 0; i < jb->n; i++) {
			acc[off + i].br = &jb->br;
			acc[off + i].idx = i;
		}
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
		/* A driver without TRANSPORT_PARALLEL runs in this thread, after the writer. */
		if (jb->n == 0 || !(drv->flags & TRANSPORT_PARALLEL))
			continue;
		pthread_mutex_lock(&round->lock);
		round->running++;
		pthread_mutex_unlock(&round->lock);
		if (pthread_create(&jb->thread, NULL, session_job_thread, jb) == 0) {
			jb->threaded = 1;
		} else {
			pthread_mutex_lock(&round->lock);
			round->running--;
			pthread_mutex_unlock(&round->lock);
		}
	}
	write_groups(round);
	for (size_t j = 0; j < k; j++)
		if (jobs[j].threaded)
			pthread_join(jobs[j].thread, NULL);
	for (size_t j = 0; j < k; j++)
		if (jobs[j].t != NULL && !jobs[j].threaded && jobs[j].n > 0)
			session_job_run(&jobs[j]);
	/* Log in the main thread only, once per distinct failure of a session. */
	for (size_t j = 0; j < k; j++) {
		if (jobs[j].rc != MAIL_OK)
			log_warnx("outbox: session %zu of %zu: %s", j + 1, k, jobs[j].err.msg);
		if (jobs[j].br.failed > 0)
			log_warnx("outbox: session %zu of %zu: %zu message%s could not be read to send "
			    "(they wait for their retry): %s", j + 1, k, jobs[j].br.failed,
			    jobs[j].br.failed == 1 ? "" : "s", jobs[j].br.err.msg);
	}
}

/* One reader per session, for the bodies; one that cannot be opened leaves NULL (that
 * session reads through the writer's connection, under its lock). */
static void
open_readers(struct db *db, struct db **rd, size_t k)
{
	for (size_t j = 0; j < k; j++) {
		struct fb_error e;

		rd[j] = db_open_reader(db, &e);
		if (rd[j] == NULL)
			log_warnx("outbox: %s (the session reads through the main connection)", e.msg);
	}
}

int
mailflow_send(struct db *db, const struct transport_driver *drv,
    const struct transport_settings *ts, const struct mailflow_policy *policy, time_t now,
    volatile sig_atomic_t *stop, struct mailflow_unrecorded *u, struct mailflow_stats *stats,
    struct fb_error *err)
{
	struct transport *tp[MAILFLOW_MAX_SESSIONS] = { 0 };
	struct db *rd[MAILFLOW_MAX_SESSIONS] = { 0 };
	struct mailflow_unrecorded local = { 0 };
	size_t batch = policy->batch_size > 0 ? policy->batch_size : 1;
	size_t nsessions = policy->sessions > 0 ? policy->sessions : 1;
	size_t claimed_total = 0;
	int rc = 0, readers = 0;
	struct send_round round = { .db = db, .now = now };

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
	if (pthread_mutex_init(&round.lock, NULL) != 0)
		return fb_error_set(err, "outbox: cannot create a lock");
	if (pthread_mutex_init(&round.db_lock, NULL) != 0 ||
	    pthread_cond_init(&round.wake, NULL) != 0 || pthread_cond_init(&round.room, NULL) != 0) {
		pthread_mutex_destroy(&round.lock);
		return fb_error_set(err, "outbox: cannot create a lock");
	}
	while ((stop == NULL || !*stop) &&
	    (policy->max_messages == 0 || claimed_total < policy->max_messages)) {
		struct outbox_list claimed = { 0 };
		struct transport_msg *msgs;
		struct accepted *acc;
		const char **rcpts;
		size_t k;

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
			msgs[i].status = MAIL_TEMPORARY;
			buf_init(&msgs[i].detail);
			acc[i] = (struct accepted){ .round = &round, .id = claimed.v[i].id };
			buf_init(&acc[i].body);
			msgs[i].on_accepted = record_accepted;
			msgs[i].on_accepted_arg = &acc[i];
			msgs[i].load = load_body;
			msgs[i].unload = unload_body;
			msgs[i].load_arg = &acc[i];
		}
		k = plan_slices(claimed.n, batch, nsessions);
		if (!readers) {
			open_readers(db, rd, nsessions);
			readers = 1;
		}
		send_sessions(drv, ts, tp, &round, msgs, acc, claimed.n, k, rd);
		rc = record_outcomes(db, &claimed, msgs, acc, policy, now, stats, err);
		if (rc < 0)
			for (size_t i = 0; i < claimed.n; i++)
				if (msgs[i].status == MAIL_OK && !acc[i].recorded)
					unrecorded_add(u, &claimed.v[i], now);
		for (size_t i = 0; i < claimed.n; i++) {
			buf_release(&msgs[i].detail);
			buf_release(&acc[i].body);
		}
		free(msgs);
		free(rcpts);
		free(acc);
		queue_outbox_list_release(&claimed);
		if (rc < 0)
			break;
	}
	for (size_t j = 0; j < MAILFLOW_MAX_SESSIONS; j++) {
		if (tp[j] != NULL)
			drv->close(tp[j]);
		db_close(rd[j]);
	}
	pthread_cond_destroy(&round.room);
	pthread_cond_destroy(&round.wake);
	pthread_mutex_destroy(&round.db_lock);
	pthread_mutex_destroy(&round.lock);
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
 * The inbox pass. Messages are stored in groups, each group with the mailbox position after
 * its last message in ONE transaction (the position never runs ahead of what is stored); only
 * after a group's commit are its messages handed to mark_done(). A group is what the driver
 * fetched in one round trip (MAILBOX_CHUNKS: an IMAP UID FETCH range of fetch_batch UIDs, at
 * most MAILFLOW_COMMIT_MAX messages), else MAILFLOW_COMMIT_EVERY messages (Maildir).
 * A group rather than one commit per message: SQLite's per-commit cost (WAL append, locks)
 * was most of what the daemon spent per message; and a chunk rather than 200: every commit
 * rewrites the index pages its rows touched, and the hash indexes are touched all over, so
 * fewer commits write the same pages fewer times. A crash loses at most the group in hand,
 * which the position has not passed, so it is read again; nothing is lost or stored twice.
 */
#define MAILFLOW_COMMIT_EVERY 200
#define MAILFLOW_COMMIT_MAX 10000

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
	size_t capids;             /* allocated */
	size_t limit;              /* commit when the group has this many */
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
	if (c->group == c->capids) {
		size_t cap = c->capids * 2;
		char **p = realloc(c->ids, cap * sizeof(*p));

		if (p == NULL) {
			fb_error_set(c->err, "out of memory");
			goto fail_tx;
		}
		c->ids = p;
		c->capids = cap;
	}
	/* A missing id (out of memory) only means this one is not marked: it is stored. */
	c->ids[c->group++] = strdup(m->id);
	if (dup)
		c->duplicates++;
	else
		c->stored++;
	if ((m->chunk_end || c->group >= c->limit) && commit_group(c) < 0)
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
	c.limit = drv->flags & MAILBOX_CHUNKS ? MAILFLOW_COMMIT_MAX : MAILFLOW_COMMIT_EVERY;
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
