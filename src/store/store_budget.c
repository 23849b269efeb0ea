/*
 * store_budget — the outbox rows of the mail budget. See include/store_budget.h.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_budget.h"
#include "store_int.h"
#include "banned.h"

static const char SQL_BUDGET_USED[] =
	"SELECT count(*) FROM outbox WHERE member_id = ?1 AND budget = 1 "
	"AND deferred_until IS NULL AND state <> 'failed' AND admitted_at >= ?2 AND admitted_at < ?3";
static const char SQL_BUDGET_WAITING[] =
	"SELECT id, kind, recipient, coalesce(about_at, 0), deferred_until, created_at FROM outbox "
	"WHERE member_id = ?1 AND deferred_until IS NOT NULL AND state = 'queued' ORDER BY id";
static const char SQL_BUDGET_RELEASE[] =
	"UPDATE outbox SET deferred_until = NULL, next_attempt_at = ?2, admitted_at = ?2, "
	"last_error = NULL WHERE id = ?1 AND deferred_until IS NOT NULL";
static const char SQL_BUDGET_DEFER[] =
	"UPDATE outbox SET deferred_until = ?2, next_attempt_at = ?2, admitted_at = NULL, "
	"last_error = ?3 WHERE id = ?1";
static const char SQL_BUDGET_DROP[] =
	"UPDATE outbox SET deferred_until = NULL, state = 'failed', last_error = ?2 WHERE id = ?1";
static const char SQL_BUDGET_SUPERSEDE[] =
	"UPDATE outbox SET deferred_until = NULL, state = 'failed', last_error = ?3 "
	"WHERE recipient = lower(?1) AND about_uid = ?2 AND deferred_until IS NOT NULL "
	"AND state = 'queued'";
static const char SQL_BUDGET_WENT[] =
	"SELECT EXISTS (SELECT 1 FROM outbox WHERE recipient = lower(?1) AND about_uid = ?2 "
	"AND (state IN ('sent', 'sending', 'retry') OR "
	"(state = 'queued' AND deferred_until IS NULL)))";
/* The unary + on state: the deferred rows by outbox_deferred, not every queued row of the
 * outbox through outbox_due once a pass (issue 20, EXPLAIN QUERY PLAN). */
static const char SQL_BUDGET_DUE[] =
	"SELECT DISTINCT member_id, program_id FROM outbox WHERE deferred_until IS NOT NULL "
	"AND deferred_until <= ?1 AND +state = 'queued' AND member_id IS NOT NULL "
	"ORDER BY member_id";

int
store_budget_used(struct db *db, int64_t member_id, time_t from, time_t until,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_BUDGET_USED, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, member_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)from);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)until);
	return store_count(db, st, err, "counting a member's automatic mail");
}

static int
waiting_row(sqlite3_stmt *st, void *arg)
{
	struct budget_waiting *w = arg;
	const char *kind = db_col_text(st, 1), *rcpt = db_col_text(st, 2);

	w->id = sqlite3_column_int64(st, 0);
	snprintf(w->kind, sizeof(w->kind), "%s", kind != NULL ? kind : "");
	if ((w->recipient = strdup(rcpt != NULL ? rcpt : "")) == NULL)
		return -1;
	w->about_at = (time_t)sqlite3_column_int64(st, 3);
	w->deferred_until = (time_t)sqlite3_column_int64(st, 4);
	w->created_at = (time_t)sqlite3_column_int64(st, 5);
	return 0;
}

static const size_t waiting_strings[] = { offsetof(struct budget_waiting, recipient) };
static const struct store_owned waiting_owned = STORE_OWNS(waiting_strings);

int
store_budget_waiting(struct db *db, int64_t member_id, struct budget_waiting_list *out,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_BUDGET_WAITING, err);
	struct budget_waiting_list l = { NULL, 0 };

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, member_id);
	if (store_rows(db, st, &l.v, &l.n, sizeof(*l.v), waiting_row, &waiting_owned, err,
	    "reading a member's deferred mail") < 0)
		return -1;
	store_budget_waiting_release(out);
	*out = l;
	return 0;
}

void
store_budget_waiting_release(struct budget_waiting_list *l)
{
	if (l != NULL)
		store_list_release(&l->v, &l->n, sizeof(*l->v), &waiting_owned);
}

int
store_budget_release(struct db *db, int64_t id, time_t now, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_BUDGET_RELEASE, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	return store_step_done(db, st, err, "releasing a deferred message");
}

int
store_budget_defer(struct db *db, int64_t id, time_t until, const char *reason,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_BUDGET_DEFER, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)until);
	db_bind_text(st, 3, reason);
	return store_step_done(db, st, err, "deferring a message");
}

int
store_budget_drop(struct db *db, int64_t id, const char *reason, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_BUDGET_DROP, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, reason);
	return store_step_done(db, st, err, "dropping a deferred message");
}

int
store_budget_supersede(struct db *db, const char *recipient, const char *uid,
    const char *reason, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_BUDGET_SUPERSEDE, err);

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, recipient);
	db_bind_text(st, 2, uid);
	db_bind_text(st, 3, reason);
	if (store_step_done(db, st, err, "replacing deferred mail") < 0)
		return -1;
	return sqlite3_changes(db_sqlite(db));
}

int
store_budget_went(struct db *db, const char *recipient, const char *uid, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_BUDGET_WENT, err);

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, recipient);
	db_bind_text(st, 2, uid);
	return store_count(db, st, err, "looking for mail about an event");
}

int
store_budget_due(struct db *db, time_t now, struct budget_member **out, size_t *n,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_BUDGET_DUE, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	return store_rows(db, st, out, n, sizeof(**out), store_map_int64_pair, NULL, err,
	    "listing members with deferred mail");
}
