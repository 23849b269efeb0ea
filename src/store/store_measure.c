/*
 * store_measure — measurements, questionnaires, answers. See include/store_measure.h.
 */
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "store_measure.h"
#include "store_int.h"
#include "banned.h"

static const char SQL_MEASUREMENT_INSERT[] =
	"INSERT OR IGNORE INTO measurement (program_id, kind, opens_at, closes_at)"
	" VALUES (?1, ?2, ?3, ?4)";
static const char SQL_MEASUREMENT_GET[] =
	"SELECT id, program_id, kind, opens_at, closes_at FROM measurement"
	" WHERE program_id = ?1 AND kind = ?2";
static const char SQL_MEASUREMENT_CLOSE[] =
	"UPDATE measurement SET closes_at = ?2 WHERE id = ?1 AND closes_at > ?2";
static const char SQL_Q_INSERT[] =
	"INSERT OR IGNORE INTO questionnaire (measurement_id, member_id, sent_at)"
	" VALUES (?1, ?2, ?3)";
static const char SQL_Q_FIND[] =
	"SELECT id FROM questionnaire WHERE measurement_id = ?1 AND member_id = ?2";
#define Q_COLUMNS \
	"SELECT q.id, q.measurement_id, q.member_id, m.program_id, m.kind, q.sent_at," \
	" m.closes_at, q.reminders, q.last_reminder_at, q.completed_at," \
	" (SELECT count(DISTINCT question) FROM answer a WHERE a.questionnaire_id = q.id" \
	"   AND a.superseded = 0)" \
	" FROM questionnaire q JOIN measurement m ON m.id = q.measurement_id"
static const char SQL_Q_GET[] = Q_COLUMNS " WHERE q.id = ?1";
static const char SQL_Q_INCOMPLETE[] =
	Q_COLUMNS " WHERE q.measurement_id = ?1 AND q.completed_at IS NULL ORDER BY q.id";
static const char SQL_Q_REMINDED[] =
	"UPDATE questionnaire SET reminders = max(reminders, ?2),"
	" last_reminder_at = coalesce(?3, last_reminder_at) WHERE id = ?1";
static const char SQL_Q_COMPLETED[] =
	"UPDATE questionnaire SET completed_at = ?2 WHERE id = ?1 AND completed_at IS NULL";
static const char SQL_ANSWER_SUPERSEDE[] =
	"UPDATE answer SET superseded = 1 WHERE questionnaire_id = ?1 AND question = ?2"
	" AND superseded = 0";
static const char SQL_ANSWER_INSERT[] =
	"INSERT INTO answer (questionnaire_id, question, score, text, inbox_id, created_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_ANSWER_CURRENT[] =
	"SELECT question, score, text FROM answer WHERE questionnaire_id = ?1 AND superseded = 0"
	" ORDER BY question, id";
static const char SQL_REMINDERS_SINCE[] =
	"SELECT count(*) FROM outbox WHERE member_id = ?1 AND kind LIKE '%reminder'"
	" AND created_at >= ?2";
/* Complete, partial (some current answer, not complete) and missing (no answer). */
static const char SQL_COUNTS[] =
	"SELECT count(*),"
	" coalesce(sum(q.completed_at IS NOT NULL), 0),"
	" coalesce(sum(q.completed_at IS NULL AND EXISTS (SELECT 1 FROM answer a"
	"   WHERE a.questionnaire_id = q.id)), 0)"
	" FROM questionnaire q JOIN member mb ON mb.id = q.member_id"
	" WHERE q.measurement_id = ?1 AND (?2 = 0 OR mb.team_id = ?2)";
static const char SQL_SCORES[] =
	"SELECT a.score FROM answer a JOIN questionnaire q ON q.id = a.questionnaire_id"
	" JOIN member mb ON mb.id = q.member_id"
	" WHERE q.measurement_id = ?1 AND (?2 = 0 OR mb.team_id = ?2) AND a.question = ?3"
	" AND a.superseded = 0 AND a.score IS NOT NULL";

static const char SQL_RECEIPT_GET[] =
	"SELECT questionnaire_id, first_at, due_at, answers, inbox_id, in_reply_to"
	" FROM answer_receipt WHERE questionnaire_id = ?1";
static const char SQL_RECEIPT_PUT[] =
	"INSERT OR REPLACE INTO answer_receipt (questionnaire_id, first_at, due_at, answers,"
	" inbox_id, in_reply_to) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_RECEIPT_DROP[] =
	"DELETE FROM answer_receipt WHERE questionnaire_id = ?1";
static const char SQL_RECEIPT_DUE[] =
	"SELECT r.questionnaire_id, r.first_at, r.due_at, r.answers, r.inbox_id, r.in_reply_to"
	" FROM answer_receipt r JOIN questionnaire q ON q.id = r.questionnaire_id"
	" JOIN measurement m ON m.id = q.measurement_id"
	" WHERE m.program_id = ?1 AND r.due_at <= ?2 ORDER BY r.due_at, r.questionnaire_id";
static const char SQL_RECEIPT_NEXT[] =
	"SELECT coalesce(min(due_at), 0) FROM answer_receipt";

/* What a row owns (store_row_release()). */
static const size_t answer_strings[] = { offsetof(struct answer_row, text) };
static const struct store_owned answer_owned = STORE_OWNS(answer_strings);
static const size_t receipt_strings[] = { offsetof(struct answer_receipt_row, in_reply_to) };
static const struct store_owned receipt_owned = STORE_OWNS(receipt_strings);

static void
bind_time(sqlite3_stmt *st, int i, time_t t)
{
	if (t != 0)
		sqlite3_bind_int64(st, i, (sqlite3_int64)t);
	else
		sqlite3_bind_null(st, i);
}

/* ---- measurements ----------------------------------------------------------------------------- */

int
store_measurement_open(struct db *db, int64_t program_id, const char *kind, time_t opens_at,
    time_t closes_at, int64_t *id, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_MEASUREMENT_INSERT, err);
	struct measurement_row r;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, program_id);
	db_bind_text(st, 2, kind);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)opens_at);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)closes_at);
	if (store_step_done(db, st, err, "opening a measurement") < 0)
		return -1;
	rc = store_measurement_get(db, program_id, kind, &r, err);
	if (rc == 1)
		return fb_error_set(err, "measurement %s of programme %lld vanished", kind,
		    (long long)program_id);
	if (rc == 0)
		*id = r.id;
	return rc;
}

static int
measurement_row(sqlite3_stmt *st, void *arg)
{
	struct measurement_row *out = arg;

	out->id = sqlite3_column_int64(st, 0);
	out->program_id = sqlite3_column_int64(st, 1);
	snprintf(out->kind, sizeof(out->kind), "%s", db_col_text(st, 2));
	out->opens_at = (time_t)sqlite3_column_int64(st, 3);
	out->closes_at = (time_t)sqlite3_column_int64(st, 4);
	return 0;
}

int
store_measurement_get(struct db *db, int64_t program_id, const char *kind,
    struct measurement_row *out, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_MEASUREMENT_GET, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, program_id);
	db_bind_text(st, 2, kind);
	return store_step_row(db, st, measurement_row, out, err, "reading a measurement");
}

int
store_measurement_close(struct db *db, int64_t id, time_t now, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_MEASUREMENT_CLOSE, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	return store_step_done(db, st, err, "closing a measurement");
}

/* ---- questionnaires ---------------------------------------------------------------------------- */

int
store_questionnaire_add(struct db *db, int64_t measurement_id, int64_t member_id, time_t now,
    int64_t *id, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_Q_INSERT, err);
	int64_t ids[2] = { measurement_id, member_id };
	int changed, rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, measurement_id);
	sqlite3_bind_int64(st, 2, member_id);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)now);
	if (store_step_done(db, st, err, "recording a questionnaire") < 0)
		return -1;
	changed = sqlite3_changes(db_sqlite(db));
	rc = store_row(db, SQL_Q_FIND, ids, 2, store_map_int64, id, err, "reading a questionnaire");
	if (rc == 1)
		return db_fail(db, err, "reading a questionnaire");
	if (rc < 0)
		return -1;
	return changed ? 0 : 1;
}

/* One questionnaire row (for store_step_row() and store_rows()); never fails. */
static int
q_row(sqlite3_stmt *st, void *arg)
{
	struct questionnaire_row *r = arg;

	r->id = sqlite3_column_int64(st, 0);
	r->measurement_id = sqlite3_column_int64(st, 1);
	r->member_id = sqlite3_column_int64(st, 2);
	r->program_id = sqlite3_column_int64(st, 3);
	snprintf(r->kind, sizeof(r->kind), "%s", db_col_text(st, 4));
	r->sent_at = (time_t)sqlite3_column_int64(st, 5);
	r->closes_at = (time_t)sqlite3_column_int64(st, 6);
	r->reminders = sqlite3_column_int(st, 7);
	r->last_reminder_at = (time_t)sqlite3_column_int64(st, 8);
	r->completed_at = (time_t)sqlite3_column_int64(st, 9);
	r->answered = sqlite3_column_int(st, 10);
	return 0;
}

int
store_questionnaire_get(struct db *db, int64_t id, struct questionnaire_row *out,
    struct fb_error *err)
{
	return store_row_by_id(db, SQL_Q_GET, id, q_row, out, err, "reading a questionnaire");
}

int
store_questionnaire_incomplete(struct db *db, int64_t measurement_id,
    struct questionnaire_list *out, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_Q_INCOMPLETE, err);

	out->v = NULL;
	out->n = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, measurement_id);
	return store_rows(db, st, &out->v, &out->n, sizeof(*out->v), q_row, NULL, err,
	    "listing questionnaires");
}

void
store_questionnaire_list_release(struct questionnaire_list *l)
{
	store_list_release(&l->v, &l->n, sizeof(*l->v), NULL);
}

int
store_questionnaire_reminded(struct db *db, int64_t id, int number, time_t sent_at,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_Q_REMINDED, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, number);
	bind_time(st, 3, sent_at);
	return store_step_done(db, st, err, "recording a reminder");
}

int
store_questionnaire_completed(struct db *db, int64_t id, time_t now, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_Q_COMPLETED, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	return store_step_done(db, st, err, "completing a questionnaire");
}

/* ---- answers ------------------------------------------------------------------------------------ */

int
store_answer_add(struct db *db, int64_t questionnaire_id, unsigned question, int score,
    const char *text, int64_t inbox_id, time_t now, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_ANSWER_SUPERSEDE, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, questionnaire_id);
	sqlite3_bind_int(st, 2, (int)question);
	if (store_step_done(db, st, err, "superseding an answer") < 0)
		return -1;
	if ((st = db_stmt(db, SQL_ANSWER_INSERT, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, questionnaire_id);
	sqlite3_bind_int(st, 2, (int)question);
	if (score >= 0)
		sqlite3_bind_int(st, 3, score);
	db_bind_text(st, 4, text);
	if (inbox_id > 0)
		sqlite3_bind_int64(st, 5, inbox_id);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)now);
	return store_step_done(db, st, err, "storing an answer");
}

/* One answer row (store_rows()); -1 when out of memory. */
static int
answer_row(sqlite3_stmt *st, void *arg)
{
	struct answer_row *a = arg;
	int oom = 0;

	a->question = (unsigned)sqlite3_column_int(st, 0);
	a->score = sqlite3_column_type(st, 1) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(st, 1);
	a->text = store_dup(sqlite3_column_type(st, 2) == SQLITE_NULL ? NULL :
	    db_col_text(st, 2), &oom);
	return oom ? -1 : 0;
}

int
store_answer_current(struct db *db, int64_t questionnaire_id, struct answer_list *out,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_ANSWER_CURRENT, err);

	out->v = NULL;
	out->n = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, questionnaire_id);
	return store_rows(db, st, &out->v, &out->n, sizeof(*out->v), answer_row, &answer_owned,
	    err, "reading answers");
}

void
store_answer_list_release(struct answer_list *l)
{
	store_list_release(&l->v, &l->n, sizeof(*l->v), &answer_owned);
}

/* ---- receipts that wait ----------------------------------------------------------------------- */

/* One answer_receipt row (store_step_row(), store_rows()); -1 when out of memory. */
static int
receipt_row(sqlite3_stmt *st, void *arg)
{
	struct answer_receipt_row *r = arg;
	int oom = 0;

	r->questionnaire_id = sqlite3_column_int64(st, 0);
	r->first_at = (time_t)sqlite3_column_int64(st, 1);
	r->due_at = (time_t)sqlite3_column_int64(st, 2);
	r->answers = sqlite3_column_int(st, 3);
	r->inbox_id = sqlite3_column_int64(st, 4);
	r->in_reply_to = store_dup(sqlite3_column_type(st, 5) == SQLITE_NULL ? NULL :
	    db_col_text(st, 5), &oom);
	return oom ? -1 : 0;
}

int
store_answer_receipt_get(struct db *db, int64_t questionnaire_id,
    struct answer_receipt_row *out, struct fb_error *err)
{
	struct answer_receipt_row r = { 0 };
	int rc = store_row_by_id(db, SQL_RECEIPT_GET, questionnaire_id, receipt_row, &r, err,
	    "reading a waiting receipt");

	if (rc == 0)
		*out = r;
	else
		store_answer_receipt_release(&r);
	return rc;
}

int
store_answer_receipt_put(struct db *db, const struct answer_receipt_row *r,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_RECEIPT_PUT, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, r->questionnaire_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)r->first_at);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)r->due_at);
	sqlite3_bind_int(st, 4, r->answers);
	if (r->inbox_id > 0)
		sqlite3_bind_int64(st, 5, r->inbox_id);
	db_bind_text(st, 6, r->in_reply_to);
	return store_step_done(db, st, err, "keeping a waiting receipt");
}

int
store_answer_receipt_drop(struct db *db, int64_t questionnaire_id, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_RECEIPT_DROP, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, questionnaire_id);
	return store_step_done(db, st, err, "dropping a waiting receipt");
}

int
store_answer_receipt_due(struct db *db, int64_t program_id, time_t now,
    struct answer_receipt_list *out, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_RECEIPT_DUE, err);

	out->v = NULL;
	out->n = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, program_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	return store_rows(db, st, &out->v, &out->n, sizeof(*out->v), receipt_row, &receipt_owned,
	    err, "listing waiting receipts");
}

int
store_answer_receipt_next(struct db *db, time_t *next, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_RECEIPT_NEXT, err);
	int64_t t = 0;
	int rc;

	if (st == NULL)
		return -1;
	/* An aggregate always has its row. */
	if ((rc = store_step_row(db, st, store_map_int64, &t, err,
	    "reading the next waiting receipt")) == 1)
		return db_fail(db, err, "reading the next waiting receipt");
	if (rc == 0)
		*next = (time_t)t;
	return rc;
}

void
store_answer_receipt_release(struct answer_receipt_row *r)
{
	free(r->in_reply_to);
	r->in_reply_to = NULL;
}

void
store_answer_receipt_list_release(struct answer_receipt_list *l)
{
	store_list_release(&l->v, &l->n, sizeof(*l->v), &receipt_owned);
}

int
store_reminders_since(struct db *db, int64_t member_id, time_t since, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_REMINDERS_SINCE, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, member_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)since);
	return store_count(db, st, err, "counting reminders");
}

/* ---- aggregates ------------------------------------------------------------------------------- */

static int
counts_row(sqlite3_stmt *st, void *arg)
{
	struct measure_counts *out = arg;

	out->sent = sqlite3_column_int(st, 0);
	out->complete = sqlite3_column_int(st, 1);
	out->partial = sqlite3_column_int(st, 2);
	out->missing = out->sent - out->complete - out->partial;
	return 0;
}

int
store_measure_counts(struct db *db, int64_t measurement_id, int64_t team_id,
    struct measure_counts *out, struct fb_error *err)
{
	int64_t ids[2] = { measurement_id, team_id };
	int rc = store_row(db, SQL_COUNTS, ids, 2, counts_row, out, err, "counting answers");

	/* Aggregates always have their row. */
	return rc == 1 ? db_fail(db, err, "counting answers") : rc;
}

int
store_measure_scores(struct db *db, int64_t measurement_id, int64_t team_id,
    unsigned question, int **scores, size_t *n, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_SCORES, err);

	*scores = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, measurement_id);
	sqlite3_bind_int64(st, 2, team_id);
	sqlite3_bind_int(st, 3, (int)question);
	return store_rows(db, st, scores, n, sizeof(**scores), store_map_int, NULL, err,
	    "reading scores");
}
