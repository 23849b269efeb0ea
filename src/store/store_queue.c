/*
 * store_queue — outbox and inbox rows and mailbox positions. See include/queue.h.
 */
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"
#include "store_int.h"
#include "banned.h"

#define OUTBOX_COLS "id, message_id, kind, sender, recipient, subject, state, last_error, " \
	"attempts, next_attempt_at, created_at, sent_at, priority"
#define INBOX_COLS "id, message_id, sha256, source, sender, subject, state, kind, reason, " \
	"error, received_at, size"

static const char SQL_OUTBOX_COMPLAINED[] =
	"SELECT count(*) FROM member_address WHERE address = lower(?1) AND complained_at IS NOT NULL";
static const char SQL_OUTBOX_INSERT[] =
	"INSERT INTO outbox (message_id, kind, sender, recipient, subject, state, "
	"next_attempt_at, last_error, program_id, member_id, inbox_id, created_at, admitted_at, "
	"priority, bounce_token, budget, about_at, deferred_until, about_uid) "
	"VALUES (?1, ?2, ?3, lower(?4), ?5, ?7, coalesce(?17, ?8), ?9, ?10, ?11, ?12, ?8, "
	"CASE WHEN ?17 IS NULL THEN ?8 END, ?13, lower(?14), ?15, ?16, ?17, ?18)";
/* The body, written once beside its row (the row's state changes never rewrite it). */
static const char SQL_OUTBOX_BODY_INSERT[] =
	"INSERT INTO outbox_body (id, raw) VALUES (?1, ?2)";
static const char SQL_OUTBOX_BODY[] =
	"SELECT raw FROM outbox_body WHERE id = ?1";
static const char SQL_OUTBOX_RECOVER[] =
	"UPDATE outbox SET state = 'queued' WHERE state = 'sending'";
static const char SQL_OUTBOX_DUE[] =
	"SELECT " OUTBOX_COLS " FROM outbox WHERE state IN ('queued', 'retry') "
	"AND next_attempt_at <= ?1 AND deferred_until IS NULL ORDER BY next_attempt_at, id LIMIT ?2";
/* The same for person-to-person mail only (the daemon sends it between chunks of work). */
static const char SQL_OUTBOX_DUE_PERSON[] =
	"SELECT " OUTBOX_COLS " FROM outbox WHERE state IN ('queued', 'retry') "
	"AND next_attempt_at <= ?1 AND deferred_until IS NULL AND priority = ?3 "
	"ORDER BY next_attempt_at, id LIMIT ?2";
static const char SQL_OUTBOX_SENDING[] =
	"UPDATE outbox SET state = 'sending', attempts = attempts + 1 WHERE id = ?1";
static const char SQL_OUTBOX_SENT[] =
	"UPDATE outbox SET state = 'sent', sent_at = ?2, last_error = NULL WHERE id = ?1";
static const char SQL_OUTBOX_FAILED[] =
	"UPDATE outbox SET state = CASE WHEN ?2 THEN 'failed' ELSE 'retry' END, "
	"next_attempt_at = ?3, last_error = ?4 WHERE id = ?1";
static const char SQL_OUTBOX_NEXT[] =
	"SELECT min(next_attempt_at) FROM outbox WHERE state IN ('queued', 'retry', 'held')";
static const char SQL_OUTBOX_LIST[] =
	"SELECT " OUTBOX_COLS " FROM outbox WHERE ?1 IS NULL OR state = ?1 ORDER BY id DESC LIMIT ?2";
/* Waiting mail of one kind (invite.h: an invitation takes its organizer when it is sent). */
static const char SQL_OUTBOX_WAITING_KIND[] =
	"SELECT id, program_id FROM outbox WHERE kind = ?1 AND program_id IS NOT NULL "
	"AND state IN ('queued', 'retry', 'held') ORDER BY id";
static const char SQL_OUTBOX_SET_RAW[] =
	"UPDATE outbox_body SET raw = ?2 WHERE id = ?1 AND EXISTS (SELECT 1 FROM outbox o "
	"WHERE o.id = ?1 AND o.state IN ('queued', 'retry', 'held'))";
static const char SQL_OUTBOX_REPLACE[] =
	"UPDATE outbox SET message_id = ?3, subject = ?4"
	" WHERE id = ?1 AND state IN ('queued', 'retry', 'held')";
static const char SQL_OUTBOX_GET[] =
	"SELECT " OUTBOX_COLS ", coalesce((SELECT b.raw FROM outbox_body b WHERE b.id = outbox.id), "
	"X'') FROM outbox WHERE id = ?1";
/* Never back in the queue: mail to an address that sent a spam complaint (queue_outbox_add). */
static const char SQL_OUTBOX_RETRY[] =
	"UPDATE outbox SET state = 'queued', next_attempt_at = ?2, admitted_at = ?2, attempts = 0, "
	"priority = 0, last_error = CASE state WHEN 'held' THEN NULL ELSE last_error END "
	"WHERE state IN ('failed', 'held') AND (?1 = 0 OR id = ?1) AND NOT EXISTS "
	"(SELECT 1 FROM member_address a WHERE a.address = outbox.recipient "
	"AND a.complained_at IS NOT NULL)";
/* Counted: let through and not failed (a failed message reached nobody), and not waiting. */
static const char SQL_OUTBOX_WINDOW[] =
	"SELECT admitted_at FROM outbox WHERE recipient = lower(?1) AND admitted_at > ?2 "
	"AND state IN ('queued', 'sending', 'sent', 'retry') AND id <> ?3 "
	"AND NOT (state = 'queued' AND attempts = 0 AND priority = ?4)";
/* Waiting: held, automatic mail not yet handed to a transport, and the row just queued. */
static const char SQL_OUTBOX_WAITING[] =
	"SELECT id, kind, priority, state = 'held', coalesce(admitted_at, 0), next_attempt_at "
	"FROM outbox WHERE recipient = lower(?1) AND deferred_until IS NULL "
	"AND (state = 'held' OR id = ?2 OR (state = 'queued' AND attempts = 0 AND priority = ?3)) "
	"ORDER BY priority, created_at, id";
static const char SQL_OUTBOX_ADMIT[] =
	"UPDATE outbox SET state = 'queued', next_attempt_at = ?2, admitted_at = ?2, "
	"last_error = NULL WHERE id = ?1 AND state = 'held'";
static const char SQL_OUTBOX_HOLD[] =
	"UPDATE outbox SET state = 'held', next_attempt_at = ?2, admitted_at = NULL, "
	"last_error = ?3 WHERE id = ?1 AND state IN ('held', 'queued')";
static const char SQL_OUTBOX_HELD_RECIPIENTS[] =
	"SELECT DISTINCT recipient FROM outbox WHERE state = 'held' ORDER BY recipient";
static const char SQL_OUTBOX_HELD_COUNT[] =
	"SELECT count(*), min(next_attempt_at) FROM outbox WHERE state = 'held' "
	"AND (?1 = 0 OR member_id = ?1)";
static const char SQL_OUTBOX_COUNTS[] =
	"SELECT state, count(*) FROM outbox GROUP BY state ORDER BY state";
static const char SQL_INBOX_FIND[] =
	"SELECT id FROM inbox WHERE sha256 = ?1 UNION ALL "
	"SELECT id FROM inbox WHERE ?2 IS NOT NULL AND dedupe_key = ?2 LIMIT 1";
static const char SQL_INBOX_INSERT[] =
	"INSERT INTO inbox (message_id, sha256, source, received_at, size, raw, sender, subject, "
	"state, error, dedupe_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
static const char SQL_INBOX_LIST[] =
	"SELECT " INBOX_COLS " FROM inbox WHERE ?1 IS NULL OR state = ?1 ORDER BY id DESC LIMIT ?2";
static const char SQL_INBOX_GET[] =
	"SELECT " INBOX_COLS ", raw FROM inbox WHERE id = ?1";
static const char SQL_INBOX_COUNT[] =
	"SELECT count(*) FROM inbox WHERE ?1 IS NULL OR state = ?1";
static const char SQL_POSITION_GET[] =
	"SELECT uidvalidity, last_uid FROM mailbox_position WHERE mailbox = ?1";
static const char SQL_POSITION_SET[] =
	"INSERT INTO mailbox_position (mailbox, uidvalidity, last_uid) VALUES (?1, ?2, ?3) "
	"ON CONFLICT (mailbox) DO UPDATE SET uidvalidity = ?2, last_uid = ?3";

int
queue_outbox_add(struct db *db, const struct outbox_new *m, time_t now, int64_t *id,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_OUTBOX_COMPLAINED, err);
	int64_t new_id;
	int suppressed;

	if (st == NULL)
		return -1;
	/* An address that complained of spam gets nothing more, whatever queued it (as an ESP
	 * does): the row is kept as failed, so the outbox shows what was not sent and why. */
	db_bind_text(st, 1, m->recipient);
	suppressed = store_count(db, st, err, "checking for a complaint") > 0;
	st = db_stmt(db, SQL_OUTBOX_INSERT, err);
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, m->message_id);
	db_bind_text(st, 2, m->kind);
	db_bind_text(st, 3, m->sender);
	db_bind_text(st, 4, m->recipient);
	db_bind_text(st, 5, m->subject);
	db_bind_text(st, 7, suppressed ? "failed" : "queued");
	sqlite3_bind_int64(st, 8, (sqlite3_int64)now);
	db_bind_text(st, 9, suppressed ? "not sent: this address sent a spam complaint (ARF) "
	    "about our mail" : NULL);
	if (m->program_id)
		sqlite3_bind_int64(st, 10, m->program_id);
	if (m->member_id)
		sqlite3_bind_int64(st, 11, m->member_id);
	if (m->inbox_id)
		sqlite3_bind_int64(st, 12, m->inbox_id);
	sqlite3_bind_int(st, 13, m->priority);
	db_bind_text(st, 14, m->bounce_token);
	sqlite3_bind_int(st, 15, m->budget != 0);
	if (m->about_at != 0)
		sqlite3_bind_int64(st, 16, (sqlite3_int64)m->about_at);
	if (m->deferred_until != 0 && !suppressed)
		sqlite3_bind_int64(st, 17, (sqlite3_int64)m->deferred_until);
	db_bind_text(st, 18, m->about_uid);
	if (store_step_done(db, st, err, "queueing a message") < 0)
		return -1;
	new_id = db_last_id(db);
	st = db_stmt(db, SQL_OUTBOX_BODY_INSERT, err);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, new_id);
	sqlite3_bind_blob64(st, 2, m->raw, m->len, SQLITE_STATIC);
	if (store_step_done(db, st, err, "queueing a message") < 0)
		return -1;
	if (id)
		*id = new_id;
	return 0;
}

static int
time_row(sqlite3_stmt *st, void *arg)
{
	*(time_t *)arg = (time_t)sqlite3_column_int64(st, 0);
	return 0;
}

int
queue_outbox_window(struct db *db, const char *recipient, time_t since, int64_t new_id,
    time_t **out, size_t *n, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_OUTBOX_WINDOW, err);

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, recipient);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)since);
	sqlite3_bind_int64(st, 3, new_id);
	sqlite3_bind_int(st, 4, OUTBOX_AUTOMATIC);
	return store_rows(db, st, out, n, sizeof(**out), time_row, NULL, err,
	    "counting mail to an address");
}

/* What a row owns (store_row_release()). */
static const size_t wait_strings[] = { offsetof(struct outbox_wait, kind) };
static const struct store_owned wait_owned = STORE_OWNS(wait_strings);
static const size_t outbox_strings[] = { offsetof(struct outbox_row, message_id),
	offsetof(struct outbox_row, kind), offsetof(struct outbox_row, sender),
	offsetof(struct outbox_row, recipient), offsetof(struct outbox_row, subject),
	offsetof(struct outbox_row, state), offsetof(struct outbox_row, last_error) };
static const size_t outbox_bufs[] = { offsetof(struct outbox_row, raw) };
static const struct store_owned outbox_owned = { outbox_strings,
	STORE_NSTRINGS(outbox_strings), outbox_bufs, STORE_NSTRINGS(outbox_bufs) };
static const size_t inbox_strings[] = { offsetof(struct inbox_row, message_id),
	offsetof(struct inbox_row, sha256), offsetof(struct inbox_row, source),
	offsetof(struct inbox_row, sender), offsetof(struct inbox_row, subject),
	offsetof(struct inbox_row, state), offsetof(struct inbox_row, kind),
	offsetof(struct inbox_row, reason), offsetof(struct inbox_row, error) };
static const size_t inbox_bufs[] = { offsetof(struct inbox_row, raw) };
static const struct store_owned inbox_owned = { inbox_strings, STORE_NSTRINGS(inbox_strings),
	inbox_bufs, STORE_NSTRINGS(inbox_bufs) };

void
queue_outbox_wait_list_release(struct outbox_wait_list *l)
{
	store_list_release(&l->v, &l->n, sizeof(*l->v), &wait_owned);
}

/* One waiting row (store_rows()); -1 when out of memory. */
static int
wait_row(sqlite3_stmt *st, void *arg)
{
	struct outbox_wait *w = arg;
	int oom = 0;

	w->id = sqlite3_column_int64(st, 0);
	w->kind = store_dup(db_col_text(st, 1), &oom);
	w->priority = sqlite3_column_int(st, 2);
	w->held = sqlite3_column_int(st, 3);
	w->admitted_at = (time_t)sqlite3_column_int64(st, 4);
	w->next_at = (time_t)sqlite3_column_int64(st, 5);
	return oom ? -1 : 0;
}

int
queue_outbox_waiting(struct db *db, const char *recipient, int64_t new_id,
    struct outbox_wait_list *out, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_OUTBOX_WAITING, err);

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, recipient);
	sqlite3_bind_int64(st, 2, new_id);
	sqlite3_bind_int(st, 3, OUTBOX_AUTOMATIC);
	return store_rows(db, st, &out->v, &out->n, sizeof(*out->v), wait_row, &wait_owned, err,
	    "reading the mail waiting for an address");
}

int
queue_outbox_admit(struct db *db, int64_t id, time_t now, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_OUTBOX_ADMIT, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	return store_step_done(db, st, err, "releasing a held message");
}

int
queue_outbox_hold(struct db *db, int64_t id, time_t until, const char *reason,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_OUTBOX_HOLD, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)until);
	db_bind_text(st, 3, reason);
	return store_step_done(db, st, err, "holding a message");
}

int
queue_outbox_held_recipients(struct db *db, char ***out, size_t *n, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_OUTBOX_HELD_RECIPIENTS, err);

	if (st == NULL)
		return -1;
	return store_rows(db, st, out, n, sizeof(**out), store_map_text, &store_text_owned, err,
	    "listing held mail");
}

struct held_count {
	int n;
	time_t first;
};

static int
held_count_row(sqlite3_stmt *st, void *arg)
{
	struct held_count *h = arg;

	h->n = sqlite3_column_int(st, 0);
	h->first = (time_t)sqlite3_column_int64(st, 1);
	return 0;
}

int
queue_outbox_held_count(struct db *db, int64_t member_id, time_t *first, struct fb_error *err)
{
	struct held_count h;
	int rc = store_row_by_id(db, SQL_OUTBOX_HELD_COUNT, member_id, held_count_row, &h, err,
	    "counting held mail");

	/* An aggregate always has its row. */
	if (rc == 1)
		return db_fail(db, err, "counting held mail");
	if (rc < 0)
		return -1;
	if (first != NULL)
		*first = h.first;
	return h.n;
}

int
queue_outbox_recover(struct db *db, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_OUTBOX_RECOVER, err);

	if (st == NULL || store_step_done(db, st, err, "recovering the outbox") < 0)
		return -1;
	return sqlite3_changes(db_sqlite(db));
}

/* One outbox row (for store_step_row() and store_rows()), raw too when the statement selects
 * it (column 13: its outbox_body); -1 when out of memory, r released. */
static int
outbox_from_row(sqlite3_stmt *st, void *arg)
{
	struct outbox_row *r = arg;
	int with_raw = sqlite3_column_count(st) > 13;
	int oom = 0;

	memset(r, 0, sizeof(*r));
	buf_init(&r->raw);
	r->id = sqlite3_column_int64(st, 0);
	r->message_id = store_dup(db_col_text(st, 1), &oom);
	r->kind = store_dup(db_col_text(st, 2), &oom);
	r->sender = store_dup(db_col_text(st, 3), &oom);
	r->recipient = store_dup(db_col_text(st, 4), &oom);
	r->subject = store_dup(db_col_text(st, 5), &oom);
	r->state = store_dup(db_col_text(st, 6), &oom);
	r->last_error = store_dup((const char *)sqlite3_column_text(st, 7), &oom);
	r->attempts = sqlite3_column_int(st, 8);
	r->next_attempt_at = (time_t)sqlite3_column_int64(st, 9);
	r->created_at = (time_t)sqlite3_column_int64(st, 10);
	r->sent_at = (time_t)sqlite3_column_int64(st, 11);
	r->priority = sqlite3_column_int(st, 12);
	if (with_raw && buf_add(&r->raw, sqlite3_column_blob(st, 13),
	    (size_t)sqlite3_column_bytes(st, 13)) < 0)
		oom = 1;
	if (oom) {
		queue_outbox_release(r);
		return -1;
	}
	return 0;
}

void
queue_outbox_release(struct outbox_row *r)
{
	store_row_release(r, &outbox_owned);
	memset(r, 0, sizeof(*r));
	buf_init(&r->raw);
}

void
queue_outbox_list_release(struct outbox_list *l)
{
	store_list_release(&l->v, &l->n, sizeof(*l->v), &outbox_owned);
}

/* Claim with sql (SQL_OUTBOX_DUE, or SQL_OUTBOX_DUE_PERSON with priority as ?3). */
static int
outbox_claim_with(struct db *db, const char *sql, time_t now, size_t max, int priority,
    struct outbox_list *out, struct fb_error *err);

int
queue_outbox_claim(struct db *db, time_t now, size_t max, struct outbox_list *out,
    struct fb_error *err)
{
	return outbox_claim_with(db, SQL_OUTBOX_DUE, now, max, -1, out, err);
}

int
queue_outbox_claim_person(struct db *db, time_t now, size_t max, struct outbox_list *out,
    struct fb_error *err)
{
	return outbox_claim_with(db, SQL_OUTBOX_DUE_PERSON, now, max, OUTBOX_PERSON, out, err);
}

static int
outbox_claim_with(struct db *db, const char *sql, time_t now, size_t max, int priority,
    struct outbox_list *out, struct fb_error *err)
{
	struct outbox_list l = { 0 };
	sqlite3_stmt *st;

	if (db_begin(db, err) < 0)
		return -1;
	st = db_stmt(db, sql, err);
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	if (priority >= 0)
		sqlite3_bind_int(st, 3, priority);
	if (store_rows(db, st, &l.v, &l.n, sizeof(*l.v), outbox_from_row, &outbox_owned, err,
	    "reading the outbox") < 0)
		goto fail;
	for (size_t i = 0; i < l.n; i++) {
		st = db_stmt(db, SQL_OUTBOX_SENDING, err);
		if (st == NULL)
			goto fail;
		sqlite3_bind_int64(st, 1, l.v[i].id);
		if (store_step_done(db, st, err, "claiming a message") < 0)
			goto fail;
		l.v[i].attempts++;
	}
	/* Committed before the network step: a crash from here on leaves these rows in
	 * 'sending', and queue_outbox_recover() sends them again. */
	if (db_commit_if_changed(db, err) < 0) {
		queue_outbox_list_release(&l);
		return -1;
	}
	*out = l;
	return 0;
fail:
	db_rollback(db);
	queue_outbox_list_release(&l);
	return -1;
}

int
queue_outbox_sent(struct db *db, int64_t id, time_t now, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_OUTBOX_SENT, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	return store_step_done(db, st, err, "recording a sent message");
}

int
queue_outbox_failed(struct db *db, int64_t id, int final, time_t next_at, const char *error,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_OUTBOX_FAILED, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, final);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)next_at);
	db_bind_text(st, 4, error);
	return store_step_done(db, st, err, "recording a failed attempt");
}

time_t
queue_outbox_next(struct db *db, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_OUTBOX_NEXT, err);
	time_t t = 0;

	if (st == NULL || store_step_row(db, st, time_row, &t, err, "reading the outbox") != 0)
		return 0;
	return t;
}

int
queue_outbox_list(struct db *db, const char *state, size_t limit, struct outbox_list *out,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_OUTBOX_LIST, err);

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, state);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
	return store_rows(db, st, &out->v, &out->n, sizeof(*out->v), outbox_from_row,
	    &outbox_owned, err, "listing the outbox");
}

int
queue_outbox_get(struct db *db, int64_t id, struct outbox_row *out, struct fb_error *err)
{
	struct outbox_row r;
	int rc = store_row_by_id(db, SQL_OUTBOX_GET, id, outbox_from_row, &r, err,
	    "reading the outbox");

	if (rc == 1)
		return fb_error_set(err, "no outgoing message %lld", (long long)id);
	if (rc == 0)
		*out = r;
	return rc;
}

int
queue_outbox_body(struct db *db, int64_t id, struct buf *out, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_OUTBOX_BODY, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		size_t len = (size_t)sqlite3_column_bytes(st, 0);
		const void *raw = sqlite3_column_blob(st, 0);

		buf_reset(out);
		rc = buf_add(out, raw != NULL ? raw : "", len) < 0 ?
		    fb_error_set(err, "out of memory reading outgoing message %lld", (long long)id) : 0;
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return fb_error_set(err, "outgoing message %lld has no body", (long long)id);
	return db_fail(db, err, "reading an outgoing message");
}

int
queue_outbox_waiting_of_kind(struct db *db, const char *kind, struct outbox_ref **out,
    size_t *n, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_OUTBOX_WAITING_KIND, err);

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	return store_rows(db, st, out, n, sizeof(**out), store_map_int64_pair, NULL, err,
	    "listing waiting mail");
}

int
queue_outbox_set_raw(struct db *db, int64_t id, const char *raw, size_t len,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_OUTBOX_SET_RAW, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_blob64(st, 2, raw, len, SQLITE_STATIC);
	if (store_step_done(db, st, err, "changing a waiting message") < 0)
		return -1;
	return sqlite3_changes(db_sqlite(db));
}

int
queue_outbox_replace(struct db *db, int64_t id, const struct outbox_new *m,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_OUTBOX_REPLACE, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 3, m->message_id);
	db_bind_text(st, 4, m->subject);
	if (store_step_done(db, st, err, "replacing a waiting message") < 0)
		return -1;
	if (sqlite3_changes(db_sqlite(db)) == 0)
		return 0;
	/* Still waiting (checked just now, in the caller's transaction): the body goes with it. */
	return queue_outbox_set_raw(db, id, m->raw, m->len, err) < 0 ? -1 : 1;
}

int
queue_outbox_retry(struct db *db, int64_t id, time_t now, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_OUTBOX_RETRY, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	if (store_step_done(db, st, err, "queueing again") < 0)
		return -1;
	return sqlite3_changes(db_sqlite(db));
}

int
queue_outbox_counts(struct db *db, struct buf *out, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_OUTBOX_COUNTS, err);
	int rc, n = 0;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		buf_putf(out, "%s%s %d", n++ ? ", " : "", db_col_text(st, 0),
		    sqlite3_column_int(st, 1));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "counting the outbox");
	if (n == 0)
		buf_puts(out, "empty");
	if (buf_failed(out))
		return fb_error_set(err, "out of memory counting the outbox");
	return 0;
}

int
queue_inbox_add(struct db *db, const struct inbox_new *m, time_t now, int64_t *id, int *dup,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_INBOX_FIND, err);

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, m->sha256);
	db_bind_text(st, 2, m->dedupe_key);
	/* A failing look-up stores the message: the insert says what is wrong. */
	if (store_step_row(db, st, store_map_int64, id, err, "looking for a message") == 0) {
		*dup = 1;
		return 0;
	}
	st = db_stmt(db, SQL_INBOX_INSERT, err);
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, m->message_id);
	db_bind_text(st, 2, m->sha256);
	db_bind_text(st, 3, m->source);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)m->size);
	sqlite3_bind_blob64(st, 6, m->raw, m->len, SQLITE_STATIC);
	db_bind_text(st, 7, m->sender);
	db_bind_text(st, 8, m->subject);
	db_bind_text(st, 9, m->error != NULL ? "failed" : "pending");
	db_bind_text(st, 10, m->error);
	db_bind_text(st, 11, m->dedupe_key);
	if (store_step_done(db, st, err, "storing a message") < 0)
		return -1;
	*id = db_last_id(db);
	*dup = 0;
	return 0;
}

/* One inbox row (for store_step_row() and store_rows()), raw too when the statement selects
 * it (column 12); -1 when out of memory, r released. */
static int
inbox_from_row(sqlite3_stmt *st, void *arg)
{
	struct inbox_row *r = arg;
	int with_raw = sqlite3_column_count(st) > 12;
	int oom = 0;

	memset(r, 0, sizeof(*r));
	buf_init(&r->raw);
	r->id = sqlite3_column_int64(st, 0);
	r->message_id = store_dup((const char *)sqlite3_column_text(st, 1), &oom);
	r->sha256 = store_dup(db_col_text(st, 2), &oom);
	r->source = store_dup(db_col_text(st, 3), &oom);
	r->sender = store_dup((const char *)sqlite3_column_text(st, 4), &oom);
	r->subject = store_dup((const char *)sqlite3_column_text(st, 5), &oom);
	r->state = store_dup(db_col_text(st, 6), &oom);
	r->kind = store_dup((const char *)sqlite3_column_text(st, 7), &oom);
	r->reason = store_dup((const char *)sqlite3_column_text(st, 8), &oom);
	r->error = store_dup((const char *)sqlite3_column_text(st, 9), &oom);
	r->received_at = (time_t)sqlite3_column_int64(st, 10);
	r->size = (size_t)sqlite3_column_int64(st, 11);
	if (with_raw && buf_add(&r->raw, sqlite3_column_blob(st, 12),
	    (size_t)sqlite3_column_bytes(st, 12)) < 0)
		oom = 1;
	if (oom) {
		queue_inbox_release(r);
		return -1;
	}
	return 0;
}

void
queue_inbox_release(struct inbox_row *r)
{
	store_row_release(r, &inbox_owned);
	memset(r, 0, sizeof(*r));
	buf_init(&r->raw);
}

void
queue_inbox_list_release(struct inbox_list *l)
{
	store_list_release(&l->v, &l->n, sizeof(*l->v), &inbox_owned);
}

int
queue_inbox_list(struct db *db, const char *state, size_t limit, struct inbox_list *out,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_INBOX_LIST, err);

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, state);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
	return store_rows(db, st, &out->v, &out->n, sizeof(*out->v), inbox_from_row, &inbox_owned,
	    err, "listing the inbox");
}

int
queue_inbox_get(struct db *db, int64_t id, struct inbox_row *out, struct fb_error *err)
{
	struct inbox_row r;
	int rc = store_row_by_id(db, SQL_INBOX_GET, id, inbox_from_row, &r, err,
	    "reading the inbox");

	if (rc == 1)
		return fb_error_set(err, "no inbound message %lld", (long long)id);
	if (rc == 0)
		*out = r;
	return rc;
}

int
queue_inbox_count(struct db *db, const char *state, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_INBOX_COUNT, err);

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, state);
	return store_count(db, st, err, "counting the inbox");
}

int
queue_position_get(struct db *db, const char *mailbox, uint32_t *uidvalidity, uint32_t *last_uid,
    struct fb_error *err)
{
	int64_t v[2];   /* uidvalidity, last UID */
	int rc = store_row_by_text(db, SQL_POSITION_GET, mailbox, store_map_int64_pair, v, err,
	    "reading the mailbox position");

	if (rc == 0) {
		*uidvalidity = (uint32_t)v[0];
		*last_uid = (uint32_t)v[1];
	}
	return rc;
}

int
queue_position_set(struct db *db, const char *mailbox, uint32_t uidvalidity, uint32_t last_uid,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_POSITION_SET, err);

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, mailbox);
	sqlite3_bind_int64(st, 2, uidvalidity);
	sqlite3_bind_int64(st, 3, last_uid);
	return store_step_done(db, st, err, "saving the mailbox position");
}

static const char SQL_INBOX_PENDING[] =
	"SELECT id FROM inbox WHERE state = 'pending' AND id > ?2 AND attempts < ?3"
	" ORDER BY id LIMIT ?1";
static const char SQL_INBOX_RESULT[] =
	"UPDATE inbox SET state = ?2, kind = ?3, reason = ?4, error = ?5,"
	" program_id = coalesce(?6, program_id),"
	" member_id = coalesce(?7, member_id), applied_at = ?8,"
	" attempts = CASE WHEN ?5 IS NULL THEN 0 ELSE attempts + 1 END WHERE id = ?1";

int
queue_inbox_pending(struct db *db, int64_t after_id, int max_attempts, size_t max,
    int64_t *ids, size_t *n, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_INBOX_PENDING, err);
	size_t k = 0;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)max);
	sqlite3_bind_int64(st, 2, after_id);
	sqlite3_bind_int(st, 3, max_attempts);
	while (k < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		ids[k++] = sqlite3_column_int64(st, 0);
	if (k < max && rc != SQLITE_DONE) {
		sqlite3_reset(st);
		return db_fail(db, err, "listing pending inbox messages");
	}
	sqlite3_reset(st);
	*n = k;
	return 0;
}

int
queue_inbox_result(struct db *db, int64_t id, const struct inbox_result *r, time_t now,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_INBOX_RESULT, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, r->state);
	db_bind_text(st, 3, r->kind);
	db_bind_text(st, 4, r->reason);
	db_bind_text(st, 5, r->error);
	if (r->program_id > 0)
		sqlite3_bind_int64(st, 6, r->program_id);
	if (r->member_id > 0)
		sqlite3_bind_int64(st, 7, r->member_id);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)now);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return db_fail(db, err, "recording what became of an inbox message");
	}
	sqlite3_reset(st);
	return 0;
}
