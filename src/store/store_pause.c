/*
 * store_pause — a programme's pauses. See include/store_pause.h.
 */
#include <stdio.h>
#include <string.h>

#include "store_int.h"
#include "store_pause.h"
#include "banned.h"

static const char SQL_PAUSE_INSERT[] =
	"INSERT INTO program_pause (program_id, from_date, until_date, created_at) "
	"VALUES (?1, ?2, ?3, ?4)";
static const char SQL_PAUSE_LIST[] =
	"SELECT id, program_id, from_date, until_date FROM program_pause WHERE program_id = ?1 "
	"ORDER BY from_date, id";
static const char SQL_PAUSE_UNTIL[] =
	"UPDATE program_pause SET until_date = ?2 WHERE id = ?1";
static const char SQL_PAUSE_DELETE[] =
	"DELETE FROM program_pause WHERE id = ?1";

int
store_pause_add(struct db *db, int64_t program_id, const char *from_date,
    const char *until_date, time_t now, int64_t *id, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_PAUSE_INSERT, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, program_id);
	db_bind_text(st, 2, from_date);
	db_bind_text(st, 3, until_date);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)now);
	if (store_step_done(db, st, err, "adding the pause") < 0)
		return -1;
	if (id != NULL)
		*id = db_last_id(db);
	return 0;
}

static int
pause_row(sqlite3_stmt *st, void *arg)
{
	struct program_pause *pa = arg;

	pa->id = sqlite3_column_int64(st, 0);
	pa->program_id = sqlite3_column_int64(st, 1);
	snprintf(pa->from_date, sizeof(pa->from_date), "%s", db_col_text(st, 2));
	snprintf(pa->until_date, sizeof(pa->until_date), "%s", db_col_text(st, 3));
	return 0;
}

int
store_pause_list(struct db *db, int64_t program_id, struct program_pause_list *out,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_PAUSE_LIST, err);
	struct program_pause_list l = { NULL, 0 };

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, program_id);
	if (store_rows(db, st, &l.v, &l.n, sizeof(*l.v), pause_row, NULL, err,
	    "listing pauses") < 0)
		return -1;
	store_pause_list_release(out);
	*out = l;
	return 0;
}

void
store_pause_list_release(struct program_pause_list *l)
{
	store_list_release(&l->v, &l->n, sizeof(*l->v), NULL);
}

int
store_pause_set_until(struct db *db, int64_t id, const char *until_date, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, until_date != NULL ? SQL_PAUSE_UNTIL : SQL_PAUSE_DELETE,
	    err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (until_date != NULL)
		db_bind_text(st, 2, until_date);
	return store_step_done(db, st, err, "changing the pause");
}
