/*
 * store_moment — the scheduler's done marks. See include/store_moment.h.
 */
#include "store_moment.h"
#include "store_int.h"
#include "banned.h"

static const char SQL_DONE_GET[] =
	"SELECT count(*) FROM done WHERE program_id = ?1 AND moment_key = ?2 AND target = ''";
static const char SQL_DONE_SET[] =
	"INSERT OR IGNORE INTO done (program_id, moment_key, target, done_at) VALUES (?1, ?2, '', ?3)";

int
store_moment_is_done(struct db *db, int64_t program_id, const char *key, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_DONE_GET, err);
	int n;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, program_id);
	db_bind_text(st, 2, key);
	n = store_count(db, st, err, "reading done moments");
	return n < 0 ? -1 : n > 0;
}

int
store_moment_mark_done(struct db *db, int64_t program_id, const char *key, time_t now,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_DONE_SET, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, program_id);
	db_bind_text(st, 2, key);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)now);
	return store_step_done(db, st, err, "recording a done moment");
}
