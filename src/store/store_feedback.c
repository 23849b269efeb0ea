/*
 * store_feedback — requests, feedback, reactions and counts. See include/store_feedback.h.
 */
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "store_feedback.h"
#include "store_int.h"
#include "banned.h"

static const char SQL_REQUEST_INSERT[] =
	"INSERT INTO feedback_request (program_id, asker_id, giver_id, topic, week, inbox_id,"
	" created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_REQUEST_GET[] =
	"SELECT id, program_id, asker_id, giver_id, topic, week, answered_at"
	" FROM feedback_request WHERE id = ?1";
static const char SQL_REQUEST_ANSWERED[] =
	"UPDATE feedback_request SET answered_at = ?2 WHERE id = ?1 AND answered_at IS NULL";
static const char SQL_FEEDBACK_INSERT[] =
	"INSERT INTO feedback (program_id, request_id, giver_id, receiver_id, confirmation,"
	" critique, suggestion, week, is_followup, inbox_id, created_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
static const char SQL_FEEDBACK_GET[] =
	"SELECT f.id, f.program_id, f.request_id, f.giver_id, f.receiver_id, f.confirmation,"
	" f.critique, f.suggestion, f.week, f.is_followup, r.topic,"
	/* Feedback from before received_outbox_id was kept: the receiver's mail is the one its
	 * message caused. */
	" coalesce(f.received_outbox_id, (SELECT o.id FROM outbox o WHERE o.kind ="
	"   'feedback_received' AND o.member_id = f.receiver_id AND o.inbox_id = f.inbox_id"
	"   ORDER BY o.id DESC LIMIT 1))"
	" FROM feedback f LEFT JOIN feedback_request r ON r.id = f.request_id WHERE f.id = ?1";
static const char SQL_FEEDBACK_LATEST_RECEIVED[] =
	"SELECT id FROM feedback WHERE receiver_id = ?1 ORDER BY id DESC LIMIT 1";
static const char SQL_FEEDBACK_SET_OUTBOX[] =
	"UPDATE feedback SET received_outbox_id = ?2 WHERE id = ?1";
static const char SQL_FEEDBACK_CORRECT[] =
	"UPDATE feedback SET confirmation = coalesce(?2, confirmation),"
	" critique = coalesce(?3, critique), suggestion = coalesce(?4, suggestion) WHERE id = ?1";
static const char SQL_REACTION_COUNT[] =
	"SELECT count(*) FROM reaction WHERE feedback_id = ?1";
static const char SQL_REACTION_INSERT[] =
	"INSERT INTO reaction (feedback_id, text, inbox_id, created_at) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_MEMBER_COUNTS[] =
	"SELECT"
	" (SELECT count(*) FROM feedback WHERE giver_id = ?1 AND is_followup = 0"
	"   AND week BETWEEN ?2 AND ?3),"
	" (SELECT count(*) FROM feedback WHERE receiver_id = ?1 AND is_followup = 0"
	"   AND week BETWEEN ?2 AND ?3),"
	" (SELECT count(*) FROM feedback_request WHERE asker_id = ?1 AND week BETWEEN ?2 AND ?3)";
/* One row per member: the week's counts and the totals up to that week. */
static const char SQL_TEAM_STATUS[] =
	"SELECT m.id, m.name,"
	" (SELECT address FROM member_address a WHERE a.member_id = m.id"
	"   ORDER BY is_primary DESC, id LIMIT 1),"
	" (SELECT count(*) FROM feedback WHERE giver_id = m.id AND is_followup = 0 AND week = ?2),"
	" (SELECT count(*) FROM feedback WHERE receiver_id = m.id AND is_followup = 0 AND week = ?2),"
	" (SELECT count(*) FROM feedback_request WHERE asker_id = m.id AND week = ?2),"
	" (SELECT count(*) FROM feedback WHERE giver_id = m.id AND is_followup = 0 AND week <= ?2),"
	" (SELECT count(*) FROM feedback WHERE receiver_id = m.id AND is_followup = 0"
	"   AND week <= ?2),"
	" (SELECT count(*) FROM feedback_request WHERE asker_id = m.id AND week <= ?2),"
	" EXISTS (SELECT 1 FROM member_address a WHERE a.member_id = m.id"
	"   AND a.undeliverable_at IS NOT NULL AND a.is_primary = 1)"
	" FROM member m WHERE m.team_id = ?1 AND m.status <> 'erased' ORDER BY m.name, m.id";
static const char SQL_HAS_ADDRESS[] =
	"SELECT count(*) FROM member_address WHERE member_id = ?1 AND address = lower(?2)";
static const char SQL_MEMBER_ANY[] =
	"SELECT a.member_id, a.program_id FROM member_address a"
	" JOIN program p ON p.id = a.program_id JOIN member m ON m.id = a.member_id"
	" WHERE a.address = lower(?1) AND m.status = 'active'"
	" ORDER BY p.start_date DESC, p.id DESC LIMIT 1";
static const char SQL_UNDELIVERABLE[] =
	"UPDATE member_address SET undeliverable_at = ?2, undeliverable_reason = ?3"
	" WHERE address = lower(?1)";
static const char SQL_COMPLAINED[] =
	"UPDATE member_address SET complained_at = ?2, complaint_inbox_id = ?3"
	" WHERE member_id = ?1 AND complained_at IS NULL"
	" AND NOT EXISTS (SELECT 1 FROM member_address b WHERE b.member_id = ?1"
	" AND b.complained_at IS NOT NULL)";
static const char SQL_ANSWERS_SINCE[] =
	"SELECT count(*) FROM outbox WHERE recipient = ?1 AND inbox_id IS NOT NULL"
	" AND created_at >= ?2";

/* What a row owns (store_row_release()). */
static const size_t status_strings[] = { offsetof(struct status_row, name),
	offsetof(struct status_row, address) };
static const struct store_owned status_owned = STORE_OWNS(status_strings);
static const size_t request_strings[] = { offsetof(struct feedback_request_row, topic) };
static const struct store_owned request_owned = STORE_OWNS(request_strings);
static const size_t feedback_strings[] = { offsetof(struct feedback_row, confirmation),
	offsetof(struct feedback_row, critique), offsetof(struct feedback_row, suggestion),
	offsetof(struct feedback_row, topic) };
static const struct store_owned feedback_owned = STORE_OWNS(feedback_strings);

int
store_request_add(struct db *db, int64_t program_id, int64_t asker_id, int64_t giver_id,
    const char *topic, int week, int64_t inbox_id, time_t now, int64_t *id,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_REQUEST_INSERT, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, program_id);
	sqlite3_bind_int64(st, 2, asker_id);
	sqlite3_bind_int64(st, 3, giver_id);
	db_bind_text(st, 4, topic);
	sqlite3_bind_int(st, 5, week);
	store_bind_id(st, 6, inbox_id);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)now);
	if (store_step_done(db, st, err, "storing a feedback request") < 0)
		return -1;
	if (id != NULL)
		*id = db_last_id(db);
	return 0;
}

/* A request row from SQL_REQUEST_GET's columns (store_step_row()). */
static int
request_row(sqlite3_stmt *st, void *arg)
{
	struct feedback_request_row *r = arg;
	int oom = 0;

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	r->program_id = sqlite3_column_int64(st, 1);
	r->asker_id = sqlite3_column_int64(st, 2);
	r->giver_id = sqlite3_column_int64(st, 3);
	r->topic = store_dup((const char *)sqlite3_column_text(st, 4), &oom);
	r->week = sqlite3_column_int(st, 5);
	r->answered_at = (time_t)sqlite3_column_int64(st, 6);
	if (oom)
		store_request_release(r);
	return oom ? -1 : 0;
}

int
store_request_get(struct db *db, int64_t id, struct feedback_request_row *out,
    struct fb_error *err)
{
	struct feedback_request_row r;
	int rc = store_row_by_id(db, SQL_REQUEST_GET, id, request_row, &r, err,
	    "reading a feedback request");

	if (rc == 1)
		return fb_error_set(err, "no feedback request %lld", (long long)id);
	if (rc == 0)
		*out = r;
	return rc;
}

int
store_request_answered(struct db *db, int64_t id, time_t now, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_REQUEST_ANSWERED, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	return store_step_done(db, st, err, "marking a request answered");
}

void
store_request_release(struct feedback_request_row *r)
{
	store_row_release(r, &request_owned);
	memset(r, 0, sizeof(*r));
}

int
store_feedback_add(struct db *db, const struct feedback_new *f, time_t now, int64_t *id,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_FEEDBACK_INSERT, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, f->program_id);
	store_bind_id(st, 2, f->request_id);
	sqlite3_bind_int64(st, 3, f->giver_id);
	sqlite3_bind_int64(st, 4, f->receiver_id);
	db_bind_text(st, 5, f->confirmation);
	db_bind_text(st, 6, f->critique);
	db_bind_text(st, 7, f->suggestion);
	sqlite3_bind_int(st, 8, f->week);
	sqlite3_bind_int(st, 9, f->is_followup ? 1 : 0);
	store_bind_id(st, 10, f->inbox_id);
	sqlite3_bind_int64(st, 11, (sqlite3_int64)now);
	if (store_step_done(db, st, err, "storing feedback") < 0)
		return -1;
	if (id != NULL)
		*id = db_last_id(db);
	return 0;
}

/* A feedback row from SQL_FEEDBACK_GET's columns (store_step_row()). */
static int
feedback_row(sqlite3_stmt *st, void *arg)
{
	struct feedback_row *f = arg;
	int oom = 0;

	memset(f, 0, sizeof(*f));
	f->id = sqlite3_column_int64(st, 0);
	f->program_id = sqlite3_column_int64(st, 1);
	f->request_id = sqlite3_column_int64(st, 2);
	f->giver_id = sqlite3_column_int64(st, 3);
	f->receiver_id = sqlite3_column_int64(st, 4);
	f->confirmation = store_dup((const char *)sqlite3_column_text(st, 5), &oom);
	f->critique = store_dup((const char *)sqlite3_column_text(st, 6), &oom);
	f->suggestion = store_dup((const char *)sqlite3_column_text(st, 7), &oom);
	f->week = sqlite3_column_int(st, 8);
	f->is_followup = sqlite3_column_int(st, 9);
	f->topic = store_dup((const char *)sqlite3_column_text(st, 10), &oom);
	f->received_outbox_id = sqlite3_column_int64(st, 11);
	if (oom)
		store_feedback_release(f);
	return oom ? -1 : 0;
}

int
store_feedback_get(struct db *db, int64_t id, struct feedback_row *out, struct fb_error *err)
{
	struct feedback_row f;
	int rc = store_row_by_id(db, SQL_FEEDBACK_GET, id, feedback_row, &f, err,
	    "reading feedback");

	if (rc == 1)
		return fb_error_set(err, "no feedback %lld", (long long)id);
	if (rc == 0)
		*out = f;
	return rc;
}

int
store_feedback_correct(struct db *db, int64_t id, const char *confirmation,
    const char *critique, const char *suggestion, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_FEEDBACK_CORRECT, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, confirmation);
	db_bind_text(st, 3, critique);
	db_bind_text(st, 4, suggestion);
	return store_step_done(db, st, err, "correcting feedback");
}

int
store_feedback_latest_received(struct db *db, int64_t member_id, int64_t *id,
    struct fb_error *err)
{
	return store_row_by_id(db, SQL_FEEDBACK_LATEST_RECEIVED, member_id, store_map_int64, id,
	    err, "finding feedback received");
}

int
store_feedback_set_outbox(struct db *db, int64_t id, int64_t outbox_id, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_FEEDBACK_SET_OUTBOX, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	store_bind_id(st, 2, outbox_id);
	return store_step_done(db, st, err, "noting the receiver's mail of feedback");
}

void
store_feedback_release(struct feedback_row *f)
{
	store_row_release(f, &feedback_owned);
	memset(f, 0, sizeof(*f));
}

static int
count_query(struct db *db, const char *sql, int64_t id, const char *text, int64_t t,
    struct fb_error *err, const char *what)
{
	sqlite3_stmt *st = db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	if (text != NULL) {
		db_bind_text(st, 1, text);
		sqlite3_bind_int64(st, 2, t);
	} else {
		sqlite3_bind_int64(st, 1, id);
	}
	return store_count(db, st, err, what);
}

int
store_reaction_add(struct db *db, int64_t feedback_id, const char *text, int64_t inbox_id,
    time_t now, int *before, struct fb_error *err)
{
	int n = count_query(db, SQL_REACTION_COUNT, feedback_id, NULL, 0, err,
	    "counting reactions");
	sqlite3_stmt *st;

	if (n < 0 || (st = db_stmt(db, SQL_REACTION_INSERT, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, feedback_id);
	db_bind_text(st, 2, text);
	store_bind_id(st, 3, inbox_id);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)now);
	if (store_step_done(db, st, err, "storing a reaction") < 0)
		return -1;
	*before = n;
	return 0;
}

/* given, received and requested from the columns first, first + 1 and first + 2. */
static void
counts_at(sqlite3_stmt *st, int first, struct feedback_counts *c)
{
	c->given = sqlite3_column_int(st, first);
	c->received = sqlite3_column_int(st, first + 1);
	c->requested = sqlite3_column_int(st, first + 2);
}

static int
counts_row(sqlite3_stmt *st, void *arg)
{
	counts_at(st, 0, arg);
	return 0;
}

int
store_member_counts(struct db *db, int64_t member_id, int week_from, int week_to,
    struct feedback_counts *out, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_MEMBER_COUNTS, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, member_id);
	sqlite3_bind_int(st, 2, week_from);
	sqlite3_bind_int(st, 3, week_to);
	rc = store_step_row(db, st, counts_row, out, err, "counting feedback");
	/* Aggregates always have their row. */
	return rc == 1 ? db_fail(db, err, "counting feedback") : rc;
}

void
store_status_list_release(struct status_list *l)
{
	store_list_release(&l->v, &l->n, sizeof(*l->v), &status_owned);
}

/* One member's status row (store_rows()); -1 when out of memory, r released. */
static int
status_row(sqlite3_stmt *st, void *arg)
{
	struct status_row *r = arg;
	int oom = 0;

	memset(r, 0, sizeof(*r));
	r->member_id = sqlite3_column_int64(st, 0);
	r->name = store_dup(db_col_text(st, 1), &oom);
	r->address = store_dup(db_col_text(st, 2), &oom);
	counts_at(st, 3, &r->week);
	counts_at(st, 6, &r->total);
	r->undeliverable = sqlite3_column_int(st, 9);
	if (oom)
		store_row_release(r, &status_owned);
	return oom ? -1 : 0;
}

int
store_team_status(struct db *db, int64_t team_id, int week, struct status_list *out,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_TEAM_STATUS, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, team_id);
	sqlite3_bind_int(st, 2, week);
	return store_rows(db, st, &out->v, &out->n, sizeof(*out->v), status_row, &status_owned,
	    err, "reading the team's status");
}

int
store_member_complained(struct db *db, int64_t member_id, int64_t inbox_id, time_t now,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_COMPLAINED, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, member_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	if (inbox_id > 0)
		sqlite3_bind_int64(st, 3, inbox_id);
	if (store_step_done(db, st, err, "recording a complaint") < 0)
		return -1;
	return sqlite3_changes(db_sqlite(db)) > 0;
}

int
store_member_has_address(struct db *db, int64_t member_id, const char *address,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_HAS_ADDRESS, err);
	int n;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, member_id);
	db_bind_text(st, 2, address);
	n = store_count(db, st, err, "checking a sender's address");
	return n < 0 ? -1 : n > 0;
}

int
store_member_by_address_any(struct db *db, const char *address, struct member *out,
    int64_t *program_id, struct fb_error *err)
{
	int64_t ids[2];   /* member, programme */
	char spec[24];
	int rc = store_row_by_text(db, SQL_MEMBER_ANY, address, store_map_int64_pair, ids, err,
	    "looking up a sender");

	if (rc != 0)
		return rc;
	snprintf(spec, sizeof(spec), "%lld", (long long)ids[0]);
	if (store_member_find(db, ids[1], 0, spec, out, err) < 0)
		return -1;
	*program_id = ids[1];
	return 0;
}

int
store_address_undeliverable(struct db *db, const char *address, const char *reason,
    time_t now, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_UNDELIVERABLE, err);

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, address);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	db_bind_text(st, 3, reason);
	if (store_step_done(db, st, err, "marking an address undeliverable") < 0)
		return -1;
	return sqlite3_changes(db_sqlite(db));
}

int
store_answers_since(struct db *db, const char *recipient, time_t since, struct fb_error *err)
{
	return count_query(db, SQL_ANSWERS_SINCE, 0, recipient, (int64_t)since, err,
	    "counting answers to a sender");
}
