/*
 * store_join — rows for the welcome and late joiners. See include/store_join.h.
 */
#include <stdio.h>
#include <string.h>

#include "store_int.h"
#include "store_join.h"
#include "banned.h"

/* The done table's target is text: the member's id in decimal. */
static const char SQL_JOIN_LIST[] =
	"SELECT m.id, m.team_id, m.created_at FROM member m JOIN team t ON t.id = m.team_id "
	"WHERE t.program_id = ?1 AND m.status = 'active' AND (?2 IS NULL OR NOT EXISTS "
	"(SELECT 1 FROM done d WHERE d.program_id = ?1 AND d.moment_key = ?2 "
	"AND d.target = CAST(m.id AS TEXT))) ORDER BY m.id";
static const char SQL_JOIN_MARK[] =
	"INSERT OR IGNORE INTO done (program_id, moment_key, target, done_at) "
	"VALUES (?1, ?2, CAST(?3 AS TEXT), ?4)";
static const char SQL_JOIN_IS_MARKED[] =
	"SELECT count(*) FROM done WHERE program_id = ?1 AND moment_key = ?2 "
	"AND target = CAST(?3 AS TEXT)";
/* One second before the earliest message to the same address still waiting for its first
 * try: the due query's order (store_queue.c) then hands this one over first. The unary + on
 * o.state keeps SQLite from walking outbox_due (every queued row of a Monday, per joiner)
 * instead of the recipient's few rows (issue 20). */
static const char SQL_JOIN_FIRST[] =
	"UPDATE outbox SET next_attempt_at = (SELECT min(o.next_attempt_at) - 1 FROM outbox o "
	"  WHERE o.recipient = outbox.recipient AND +o.state = 'queued' AND o.attempts = 0 "
	"  AND o.id <> outbox.id) "
	"WHERE id = (SELECT max(id) FROM outbox WHERE member_id = ?1 AND kind = ?2 "
	"  AND state = 'queued' AND attempts = 0) "
	"AND EXISTS (SELECT 1 FROM outbox o WHERE o.recipient = outbox.recipient "
	"  AND +o.state = 'queued' AND o.attempts = 0 AND o.id <> outbox.id "
	"  AND o.next_attempt_at <= outbox.next_attempt_at)";
/* An erased member's attendee rows keep a placeholder address (store_privacy.c): there is
 * nobody to send a CANCEL to. */
static const char SQL_JOIN_FORGET_ERASED[] =
	"UPDATE attendee SET removed = 1 WHERE removed = 0 "
	"AND member_id IN (SELECT id FROM member WHERE status = 'erased') "
	"AND session_id IN (SELECT id FROM session WHERE program_id = ?1)";
static const char SQL_JOIN_QUESTIONNAIRES[] =
	"SELECT ms.kind, ms.closes_at FROM questionnaire q "
	"JOIN measurement ms ON ms.id = q.measurement_id "
	"WHERE q.member_id = ?1 AND ms.opens_at <= ?2 AND ms.closes_at > ?2 "
	"ORDER BY ms.opens_at, ms.id";

static int
join_from_row(sqlite3_stmt *st, void *row)
{
	struct join_row *r = row;

	r->member_id = sqlite3_column_int64(st, 0);
	r->team_id = sqlite3_column_int64(st, 1);
	r->joined_at = (time_t)sqlite3_column_int64(st, 2);
	return 0;
}

int
store_join_list(struct db *db, int64_t program_id, const char *key, struct join_list *out,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_JOIN_LIST, err);
	struct join_list l = { 0 };

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, program_id);
	if (key != NULL)
		db_bind_text(st, 2, key);
	else
		sqlite3_bind_null(st, 2);
	if (store_rows(db, st, &l.v, &l.n, sizeof(*l.v), join_from_row, NULL, err,
	    "listing members who joined") < 0)
		return -1;
	store_join_list_release(out);
	*out = l;
	return 0;
}

void
store_join_list_release(struct join_list *l)
{
	if (l != NULL)
		store_list_release(&l->v, &l->n, sizeof(*l->v), NULL);
}

int
store_join_mark(struct db *db, int64_t program_id, const char *key, int64_t member_id,
    time_t now, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_JOIN_MARK, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, program_id);
	db_bind_text(st, 2, key);
	sqlite3_bind_int64(st, 3, member_id);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)now);
	return store_step_done(db, st, err, "recording a member's done moment");
}

int
store_join_is_marked(struct db *db, int64_t program_id, const char *key, int64_t member_id,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_JOIN_IS_MARKED, err);
	int n;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, program_id);
	db_bind_text(st, 2, key);
	sqlite3_bind_int64(st, 3, member_id);
	n = store_count(db, st, err, "reading a member's done moment");
	return n < 0 ? -1 : n > 0;
}

int
store_join_first(struct db *db, int64_t member_id, const char *kind, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_JOIN_FIRST, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, member_id);
	db_bind_text(st, 2, kind);
	return store_step_done(db, st, err, "putting a message first");
}

static int
questionnaire_from_row(sqlite3_stmt *st, void *row)
{
	struct join_questionnaire *q = row;
	const char *kind = db_col_text(st, 0);

	snprintf(q->kind, sizeof(q->kind), "%s", kind != NULL ? kind : "");
	q->closes_at = (time_t)sqlite3_column_int64(st, 1);
	return 0;
}

int
store_join_questionnaires(struct db *db, int64_t member_id, time_t now,
    struct join_questionnaire_list *out, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_JOIN_QUESTIONNAIRES, err);
	struct join_questionnaire_list l = { 0 };

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, member_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	if (store_rows(db, st, &l.v, &l.n, sizeof(*l.v), questionnaire_from_row, NULL, err,
	    "listing a member's open questionnaires") < 0)
		return -1;
	store_join_questionnaire_list_release(out);
	*out = l;
	return 0;
}

void
store_join_questionnaire_list_release(struct join_questionnaire_list *l)
{
	if (l != NULL)
		store_list_release(&l->v, &l->n, sizeof(*l->v), NULL);
}

int
store_join_forget_erased(struct db *db, int64_t program_id, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_JOIN_FORGET_ERASED, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, program_id);
	return store_step_done(db, st, err, "forgetting erased members' invitations");
}
