/*
 * store_overview — reads for the dry run and the overview. See include/store_overview.h.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "store_overview.h"
#include "banned.h"

static const char SQL_LAST_IDS[] =
	"SELECT (SELECT coalesce(max(id), 0) FROM outbox), (SELECT coalesce(max(id), 0) FROM inbox)";
static const char SQL_OUTBOX_IDS[] =
	"SELECT id FROM outbox WHERE id > ?1 AND (?2 = 0 OR state NOT IN ('sent', 'failed')) "
	"ORDER BY id";
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
