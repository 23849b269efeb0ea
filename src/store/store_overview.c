/*
 * store_overview — reads for the dry run and the overview. See include/store_overview.h.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "store_overview.h"
#include "vocab.h"
#include "banned.h"

static const char SQL_LAST_IDS[] =
	"SELECT (SELECT coalesce(max(id), 0) FROM outbox), (SELECT coalesce(max(id), 0) FROM inbox)";
static const char SQL_OUTBOX_IDS[] =
	"SELECT id FROM outbox WHERE id > ?1 AND (?2 = 0 OR state NOT IN ('sent', 'failed')) "
	"ORDER BY id";
static const char SQL_MAIL[] =
	"SELECT state, state = 'queued' AND deferred_until IS NOT NULL, count(*) FROM outbox "
	"WHERE program_id = ?1 GROUP BY 1, 2";
static const char SQL_AWAY[] =
	"SELECT a.member_id, max(a.until_date) FROM absence a "
	"JOIN member m ON m.id = a.member_id JOIN team t ON t.id = m.team_id "
	"WHERE t.program_id = ?1 AND m.status = 'active' AND a.from_date <= ?2 "
	"AND a.until_date >= ?2 GROUP BY a.member_id ORDER BY a.member_id";
static const char SQL_INBOX_IDS[] =
	"SELECT id FROM inbox WHERE id > ?1 AND (?2 = 0 OR state = 'pending') ORDER BY id";

void
store_ids_release(struct store_ids *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int
map_two(sqlite3_stmt *st, void *arg)
{
	int64_t *v = arg;

	v[0] = sqlite3_column_int64(st, 0);
	v[1] = sqlite3_column_int64(st, 1);
	return 0;
}

int
store_overview_last_ids(struct db *db, int64_t *outbox_last, int64_t *inbox_last,
    struct fb_error *err)
{
	int64_t v[2] = { 0, 0 };

	if (store_row(db, SQL_LAST_IDS, NULL, 0, map_two, v, err, "reading the last ids") < 0)
		return -1;
	*outbox_last = v[0];
	*inbox_last = v[1];
	return 0;
}

/* Every id the statement sql with ?1 after and ?2 flag returns, appended to out. */
static int
ids_of(struct db *db, const char *sql, int64_t after, int flag, struct store_ids *out,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int(st, 2, flag);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (store_grow(&out->v, &out->cap, out->n, sizeof(*out->v)) < 0) {
			sqlite3_reset(st);
			return fb_error_set(err, "out of memory");
		}
		out->v[out->n++] = sqlite3_column_int64(st, 0);
	}
	if (rc != SQLITE_DONE) {
		db_fail(db, err, "listing ids");
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return 0;
}

int
store_overview_outbox_ids(struct db *db, int64_t after_id, int unsent_only,
    struct store_ids *out, struct fb_error *err)
{
	return ids_of(db, SQL_OUTBOX_IDS, after_id, unsent_only, out, err);
}

int
store_overview_inbox_ids(struct db *db, int64_t after_id, int pending_only,
    struct store_ids *out, struct fb_error *err)
{
	return ids_of(db, SQL_INBOX_IDS, after_id, pending_only, out, err);
}

int
store_overview_mail(struct db *db, int64_t program_id, struct overview_mail *out,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_MAIL, err);
	struct overview_mail m = { 0, 0, 0, 0, 0, 0, 0 };
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, program_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int n = sqlite3_column_int(st, 2);

		if (sqlite3_column_int(st, 1)) {     /* queued, kept for a later day by the budget */
			m.deferred = n;
			continue;
		}
		switch (outbox_state_from_name((const char *)sqlite3_column_text(st, 0))) {
		case OUTBOX_QUEUED: m.queued = n; break;
		case OUTBOX_SENDING: m.sending = n; break;
		case OUTBOX_SENT: m.sent = n; break;
		case OUTBOX_RETRY: m.retry = n; break;
		case OUTBOX_HELD: m.held = n; break;
		case OUTBOX_FAILED: m.failed = n; break;
		default: break;
		}
	}
	if (rc != SQLITE_DONE) {
		db_fail(db, err, "counting the outbox");
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	*out = m;
	return 0;
}

int
store_overview_away(struct db *db, int64_t program_id, const char *date,
    struct overview_away_list *out, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_AWAY, err);
	struct overview_away_list l = { NULL, 0 };
	size_t cap = 0;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, program_id);
	db_bind_text(st, 2, date);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *until = (const char *)sqlite3_column_text(st, 1);

		if (store_grow(&l.v, &cap, l.n, sizeof(*l.v)) < 0) {
			sqlite3_reset(st);
			free(l.v);
			return fb_error_set(err, "out of memory");
		}
		l.v[l.n].member_id = sqlite3_column_int64(st, 0);
		snprintf(l.v[l.n++].until, sizeof(l.v[0].until), "%s", until ? until : "");
	}
	if (rc != SQLITE_DONE) {
		db_fail(db, err, "listing absences");
		sqlite3_reset(st);
		free(l.v);
		return -1;
	}
	sqlite3_reset(st);
	*out = l;
	return 0;
}

void
store_overview_away_release(struct overview_away_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
