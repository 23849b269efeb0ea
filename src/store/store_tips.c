/*
 * store_tips — which tip went to whom, and the tip rule's figures. See include/store_tips.h.
 */
#include <stddef.h>
#include <string.h>

#include "store_int.h"
#include "store_tips.h"
#include "banned.h"

static const char SQL_TIP_COUNTS[] =
	"SELECT"
	" (SELECT count(*) FROM feedback WHERE giver_id = ?1 AND is_followup = 0"
	"   AND week BETWEEN ?2 AND ?3"
	"   AND (coalesce(critique, '') <> '' OR coalesce(suggestion, '') <> '')),"
	" (SELECT count(*) FROM reaction x JOIN feedback f ON f.id = x.feedback_id"
	"   WHERE f.receiver_id = ?1 AND f.is_followup = 0 AND f.week BETWEEN ?2 AND ?3)";
static const char SQL_TIPS_GIVEN[] =
	"SELECT week, tip_id, pattern FROM member_tip WHERE member_id = ?1 ORDER BY week, id";
static const char SQL_TIP_INSERT[] =
	"INSERT INTO member_tip (member_id, week, tip_id, pattern, created_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5)";

static const size_t tip_strings[] = { offsetof(struct store_tip_row, tip_id),
	offsetof(struct store_tip_row, pattern) };
static const struct store_owned tip_owned = STORE_OWNS(tip_strings);

static int
counts_row(sqlite3_stmt *st, void *arg)
{
	struct store_tip_counts *c = arg;

	c->given_beyond_confirmation = sqlite3_column_int(st, 0);
	c->reactions = sqlite3_column_int(st, 1);
	return 0;
}

int
store_tip_counts(struct db *db, int64_t member_id, int week_from, int week_to,
    struct store_tip_counts *out, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_TIP_COUNTS, err);
	struct store_tip_counts c;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, member_id);
	sqlite3_bind_int(st, 2, week_from);
	sqlite3_bind_int(st, 3, week_to);
	rc = store_step_row(db, st, counts_row, &c, err, "counting feedback for the tip");
	/* Aggregates always have their row. */
	if (rc == 1)
		return db_fail(db, err, "counting feedback for the tip");
	if (rc == 0)
		*out = c;
	return rc;
}

static int
tip_row(sqlite3_stmt *st, void *arg)
{
	struct store_tip_row *r = arg;
	int oom = 0;

	memset(r, 0, sizeof(*r));
	r->week = sqlite3_column_int(st, 0);
	r->tip_id = store_dup(db_col_text(st, 1), &oom);
	r->pattern = store_dup(db_col_text(st, 2), &oom);
	if (oom)
		store_row_release(r, &tip_owned);
	return oom ? -1 : 0;
}

int
store_tips_given(struct db *db, int64_t member_id, struct store_tip_list *out,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_TIPS_GIVEN, err);
	struct store_tip_list l = { 0 };

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, member_id);
	if (store_rows(db, st, &l.v, &l.n, sizeof(*l.v), tip_row, &tip_owned, err,
	    "reading the tips given") < 0)
		return -1;
	*out = l;
	return 0;
}

void
store_tip_list_release(struct store_tip_list *l)
{
	store_list_release(&l->v, &l->n, sizeof(*l->v), &tip_owned);
}

int
store_tip_add(struct db *db, int64_t member_id, int week, const char *tip_id,
    const char *pattern, time_t now, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_TIP_INSERT, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, member_id);
	sqlite3_bind_int(st, 2, week);
	sqlite3_bind_text(st, 3, tip_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, pattern, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (int64_t)now);
	return store_step_done(db, st, err, "recording the tip given");
}
