/*
 * store_facilitator — facilitators leaving and coming back. See include/store_facilitator.h.
 */
#include <stddef.h>

#include "store_facilitator.h"
#include "store_int.h"
#include "banned.h"

static const char SQL_FACILITATOR_REMOVE[] =
	"UPDATE facilitator SET removed_at = ?2 WHERE id = ?1 AND removed_at IS NULL";
static const char SQL_FACILITATOR_REMOVED[] =
	"SELECT id FROM facilitator WHERE team_id = ?1 AND address = lower(?2) "
	"AND removed_at IS NOT NULL";
static const char SQL_FACILITATOR_RESTORE[] =
	"UPDATE facilitator SET removed_at = NULL, name = coalesce(?2, name) WHERE id = ?1";

int
store_facilitator_remove(struct db *db, int64_t id, time_t now, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_FACILITATOR_REMOVE, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	return store_step_done(db, st, err, "removing the facilitator");
}

int
store_facilitator_restore(struct db *db, int64_t team_id, const char *address,
    const char *name, int64_t *id, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_FACILITATOR_REMOVED, err);
	int64_t found = 0;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, team_id);
	db_bind_text(st, 2, address);
	if ((rc = store_step_row(db, st, store_map_int64, &found, err,
	    "reading facilitators")) != 0)
		return rc;
	if ((st = db_stmt(db, SQL_FACILITATOR_RESTORE, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, found);
	db_bind_text(st, 2, name);
	if (store_step_done(db, st, err, "restoring the facilitator") < 0)
		return -1;
	*id = found;
	return 0;
}
