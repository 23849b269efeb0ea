/*
 * store_bounce — bounces: the outbox row they are about, their count per address, and the
 * unreachable mark. See include/store_bounce.h.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "store_bounce.h"
#include "store_int.h"
#include "banned.h"

static const char SQL_SENT_BY_TOKEN[] =
	"SELECT id, program_id, member_id, recipient, state FROM outbox"
	" WHERE bounce_token = lower(?1)";
static const char SQL_SENT_BY_MESSAGE_ID[] =
	"SELECT id, program_id, member_id, recipient, state FROM outbox WHERE message_id = ?1";
static const char SQL_BOUNCE_INSERT[] =
	"INSERT INTO bounce (address, at, permanent, status, inbox_id, outbox_id)"
	" VALUES (lower(?1), ?2, ?3, ?4, ?5, ?6)";
static const char SQL_BOUNCE_EVENTS[] =
	"SELECT at, permanent FROM bounce WHERE address = lower(?1) AND at > ?2"
	" ORDER BY at DESC, id DESC LIMIT ?3";
static const char SQL_TO_MARK[] =
	"SELECT member_id, program_id FROM member_address"
	" WHERE address = lower(?1) AND undeliverable_at IS NULL ORDER BY id";
static const char SQL_MARK[] =
	"UPDATE member_address SET undeliverable_at = ?2, undeliverable_reason = ?3"
	" WHERE address = lower(?1) AND undeliverable_at IS NULL";
static const char SQL_SINCE[] =
	"SELECT min(undeliverable_at) FROM member_address WHERE address = lower(?1)"
	" AND undeliverable_at IS NOT NULL";
static const char SQL_CLEAR[] =
	"UPDATE member_address SET undeliverable_at = NULL, undeliverable_reason = NULL"
	" WHERE address = lower(?1) AND undeliverable_at IS NOT NULL";
static const char SQL_FORGET[] =
	"DELETE FROM bounce WHERE address = lower(?1)";
static const char SQL_MEMBER_ADDRESSES[] =
	"SELECT DISTINCT address FROM member_address WHERE member_id = ?1 ORDER BY address";

/* What a row owns (store_row_release()). */
static const size_t sent_strings[] = { offsetof(struct bounce_sent, recipient),
	offsetof(struct bounce_sent, state) };
static const struct store_owned sent_owned = STORE_OWNS(sent_strings);

void
store_bounce_sent_release(struct bounce_sent *s)
{
	if (s == NULL)
		return;
	store_row_release(s, &sent_owned);
	memset(s, 0, sizeof(*s));
}

static int
sent_row(sqlite3_stmt *st, void *arg)
{
	struct bounce_sent *out = arg;
	int oom = 0;

	out->outbox_id = sqlite3_column_int64(st, 0);
	out->program_id = sqlite3_column_int64(st, 1);
	out->member_id = sqlite3_column_int64(st, 2);
	out->recipient = store_dup(db_col_text(st, 3), &oom);
	out->state = store_dup(db_col_text(st, 4), &oom);
	if (oom)
		store_bounce_sent_release(out);
	return oom ? -1 : 0;
}

static int
sent_by(struct db *db, const char *sql, const char *key, struct bounce_sent *out,
    struct fb_error *err)
{
	memset(out, 0, sizeof(*out));
	return store_row_by_text(db, sql, key, sent_row, out, err,
	    "looking up the message a bounce is about");
}

int
store_bounce_sent_by_token(struct db *db, const char *token, struct bounce_sent *out,
    struct fb_error *err)
{
	return sent_by(db, SQL_SENT_BY_TOKEN, token, out, err);
}

int
store_bounce_sent_by_message_id(struct db *db, const char *message_id,
    struct bounce_sent *out, struct fb_error *err)
{
	return sent_by(db, SQL_SENT_BY_MESSAGE_ID, message_id, out, err);
}

int
store_bounce_add(struct db *db, const char *address, int permanent, const char *status,
    time_t at, int64_t inbox_id, int64_t outbox_id, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_BOUNCE_INSERT, err);

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, address);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)at);
	sqlite3_bind_int(st, 3, permanent ? 1 : 0);
	db_bind_text(st, 4, status);
	store_bind_id(st, 5, inbox_id);
	store_bind_id(st, 6, outbox_id);
	return store_step_done(db, st, err, "recording a bounce");
}

static int
event_row(sqlite3_stmt *st, void *arg)
{
	struct bounce_event *e = arg;

	e->at = (time_t)sqlite3_column_int64(st, 0);
	e->permanent = sqlite3_column_int(st, 1);
	return 0;
}

int
store_bounce_events(struct db *db, const char *address, time_t since,
    struct bounce_event **ev, size_t *n, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_BOUNCE_EVENTS, err);

	*ev = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, address);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)since);
	sqlite3_bind_int(st, 3, STORE_BOUNCE_MAX_EVENTS);
	return store_rows(db, st, ev, n, sizeof(**ev), event_row, NULL, err,
	    "reading an address's bounces");
}

static int
marked_row(sqlite3_stmt *st, void *arg)
{
	struct bounce_marked *m = arg;

	m->member_id = sqlite3_column_int64(st, 0);
	m->program_id = sqlite3_column_int64(st, 1);
	return 0;
}

int
store_bounce_mark_unreachable(struct db *db, const char *address, const char *reason,
    time_t now, struct bounce_marked **out, size_t *n, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_TO_MARK, err);

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, address);
	if (store_rows(db, st, out, n, sizeof(**out), marked_row, NULL, err,
	    "finding the addresses to mark unreachable") < 0)
		return -1;
	if ((st = db_stmt(db, SQL_MARK, err)) == NULL)
		goto fail;
	db_bind_text(st, 1, address);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	db_bind_text(st, 3, reason);
	if (store_step_done(db, st, err, "marking an address unreachable") < 0)
		goto fail;
	return 0;
fail:
	free(*out);
	*out = NULL;
	*n = 0;
	return -1;
}

time_t
store_bounce_unreachable_since(struct db *db, const char *address, struct fb_error *err)
{
	int64_t t = 0;
	int rc = store_row_by_text(db, SQL_SINCE, address, store_map_int64, &t, err,
	    "reading since when an address is unreachable");

	/* An aggregate always has its row. */
	if (rc == 1)
		return db_fail(db, err, "reading since when an address is unreachable");
	return rc < 0 ? -1 : (time_t)t;
}

int
store_bounce_reachable(struct db *db, const char *address, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_CLEAR, err);
	int n;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, address);
	if (store_step_done(db, st, err, "clearing an address's unreachable mark") < 0)
		return -1;
	n = sqlite3_changes(db_sqlite(db));
	if ((st = db_stmt(db, SQL_FORGET, err)) == NULL)
		return -1;
	db_bind_text(st, 1, address);
	if (store_step_done(db, st, err, "forgetting an address's bounces") < 0)
		return -1;
	return n;
}

int
store_bounce_reachable_member(struct db *db, int64_t member_id, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_MEMBER_ADDRESSES, err);
	char **addr = NULL;
	size_t n = 0;
	int total = 0;

	if (st == NULL)
		return -1;
	/* Collected first: the statements below must not run while this one steps. */
	sqlite3_bind_int64(st, 1, member_id);
	if (store_rows(db, st, &addr, &n, sizeof(*addr), store_map_text, &store_text_owned, err,
	    "reading a member's addresses") < 0)
		return -1;
	for (size_t i = 0; i < n && total >= 0; i++) {
		int k = store_bounce_reachable(db, addr[i], err);

		total = k < 0 ? -1 : total + k;
	}
	store_list_release(&addr, &n, sizeof(*addr), &store_text_owned);
	return total;
}
