/*
 * store_calendar — the calendar items of a programme's moments. See include/store_calendar.h.
 */
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "store_calendar.h"
#include "store_int.h"
#include "banned.h"

static const char SQL_ITEM_INSERT[] =
	"INSERT INTO calendar_item (program_id, member_id, moment_key, uid, sequence, starts_at,"
	" status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_ITEM_UPDATE[] =
	"UPDATE calendar_item SET sequence = ?2, starts_at = ?3, status = ?4 WHERE id = ?1";
#define ITEM_COLS "id, program_id, member_id, moment_key, uid, sequence, starts_at, status "
static const char SQL_ITEM_LIST[] =
	"SELECT " ITEM_COLS "FROM calendar_item WHERE program_id = ?1 AND (?2 = 0 OR member_id = ?2)"
	" ORDER BY starts_at, member_id, id";
static const char SQL_ITEM_BY_UID[] = "SELECT " ITEM_COLS "FROM calendar_item WHERE uid = ?1";
static const char SQL_QUESTIONNAIRE[] =
	"SELECT q.sent_at, m.closes_at, coalesce(q.completed_at, 0) FROM questionnaire q"
	" JOIN measurement m ON m.id = q.measurement_id"
	" WHERE m.program_id = ?1 AND q.member_id = ?2 AND m.kind = ?3";

/* What a row owns (store_row_release()). */
static const size_t calendar_strings[] = { offsetof(struct calendar_item, uid) };
static const struct store_owned calendar_owned = STORE_OWNS(calendar_strings);

int
store_calendar_add(struct db *db, struct calendar_item *it, struct fb_error *err)
{
	sqlite3_stmt *st;

	if (it->uid == NULL || *it->uid == '\0' || it->moment_key[0] == '\0' || it->member_id <= 0)
		return fb_error_set(err, "a calendar item needs a UID, a moment and a member");
	if ((st = db_stmt(db, SQL_ITEM_INSERT, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, it->program_id);
	sqlite3_bind_int64(st, 2, it->member_id);
	db_bind_text(st, 3, it->moment_key);
	db_bind_text(st, 4, it->uid);
	sqlite3_bind_int64(st, 5, it->sequence);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)it->starts_at);
	db_bind_text(st, 7, it->status[0] ? it->status : "confirmed");
	if (store_step_done(db, st, err, "storing a calendar item") < 0)
		return -1;
	it->id = db_last_id(db);
	return 0;
}

int
store_calendar_update(struct db *db, const struct calendar_item *it, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_ITEM_UPDATE, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, it->id);
	sqlite3_bind_int64(st, 2, it->sequence);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)it->starts_at);
	db_bind_text(st, 4, it->status);
	return store_step_done(db, st, err, "updating a calendar item");
}

/* One item row (also for store_step_row()); -1 when out of memory, it released. */
static int
item_row(sqlite3_stmt *st, void *arg)
{
	struct calendar_item *it = arg;
	int oom = 0;

	memset(it, 0, sizeof(*it));
	it->id = sqlite3_column_int64(st, 0);
	it->program_id = sqlite3_column_int64(st, 1);
	it->member_id = sqlite3_column_int64(st, 2);
	snprintf(it->moment_key, sizeof(it->moment_key), "%s", db_col_text(st, 3));
	it->uid = store_dup(db_col_text(st, 4), &oom);
	it->sequence = sqlite3_column_int64(st, 5);
	it->starts_at = (time_t)sqlite3_column_int64(st, 6);
	snprintf(it->status, sizeof(it->status), "%s", db_col_text(st, 7));
	if (oom)
		store_calendar_release(it);
	return oom ? -1 : 0;
}

int
store_calendar_list(struct db *db, int64_t program_id, int64_t member_id,
    struct calendar_item_list *out, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_ITEM_LIST, err);

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, program_id);
	sqlite3_bind_int64(st, 2, member_id);
	return store_rows(db, st, &out->v, &out->n, sizeof(*out->v), item_row, &calendar_owned,
	    err, "listing calendar items");
}

void
store_calendar_list_release(struct calendar_item_list *l)
{
	if (l != NULL)
		store_list_release(&l->v, &l->n, sizeof(*l->v), &calendar_owned);
}

int
store_calendar_by_uid(struct db *db, const char *uid, struct calendar_item *out,
    struct fb_error *err)
{
	memset(out, 0, sizeof(*out));
	return store_row_by_text(db, SQL_ITEM_BY_UID, uid, item_row, out, err,
	    "reading a calendar item");
}

static int
questionnaire_row(sqlite3_stmt *st, void *arg)
{
	struct calendar_questionnaire *out = arg;

	out->sent_at = (time_t)sqlite3_column_int64(st, 0);
	out->closes_at = (time_t)sqlite3_column_int64(st, 1);
	out->completed_at = (time_t)sqlite3_column_int64(st, 2);
	return 0;
}

int
store_calendar_questionnaire(struct db *db, int64_t program_id, int64_t member_id,
    const char *kind, struct calendar_questionnaire *out, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_QUESTIONNAIRE, err);

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, program_id);
	sqlite3_bind_int64(st, 2, member_id);
	db_bind_text(st, 3, kind);
	return store_step_row(db, st, questionnaire_row, out, err,
	    "reading a member's questionnaire");
}

void
store_calendar_release(struct calendar_item *it)
{
	store_row_release(it, &calendar_owned);
}

