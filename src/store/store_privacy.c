/*
 * store_privacy — export, erase and retention of personal data. See include/privacy.h for the
 * policy; the statements below are that policy, table by table (schema.c marks every table
 * that holds personal text, and each of them appears here).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "privacy.h"
#include "banned.h"

/* ---- export ---------------------------------------------------------------------------- */

static const char SQL_MEMBER[] =
	"SELECT m.id, m.name, m.status, m.timezone, m.language, m.created_at, t.name AS team,"
	"  p.name AS program FROM member m JOIN team t ON t.id = m.team_id"
	"  JOIN program p ON p.id = t.program_id WHERE m.id = ?1";
static const char SQL_ADDRESSES[] =
	"SELECT address, is_primary, undeliverable_at, undeliverable_reason FROM member_address"
	"  WHERE member_id = ?1 ORDER BY id";
static const char SQL_ABSENCES[] =
	"SELECT from_date, until_date, source, created_at FROM absence WHERE member_id = ?1"
	"  ORDER BY from_date";
static const char SQL_GIVEN[] =
	"SELECT f.id, f.week, r.name AS receiver, f.confirmation, f.critique, f.suggestion,"
	"  f.is_followup, f.created_at,"
	"  (SELECT json_group_array(x.text) FROM reaction x WHERE x.feedback_id = f.id) AS reactions"
	"  FROM feedback f JOIN member r ON r.id = f.receiver_id WHERE f.giver_id = ?1 ORDER BY f.id";
static const char SQL_RECEIVED[] =
	"SELECT f.id, f.week, g.name AS giver, f.confirmation, f.critique, f.suggestion,"
	"  f.is_followup, f.created_at,"
	"  (SELECT json_group_array(x.text) FROM reaction x WHERE x.feedback_id = f.id) AS reactions"
	"  FROM feedback f JOIN member g ON g.id = f.giver_id WHERE f.receiver_id = ?1 ORDER BY f.id";
static const char SQL_REQUESTS[] =
	"SELECT q.id, q.week, a.name AS asker, g.name AS giver, q.topic, q.created_at, q.answered_at"
	"  FROM feedback_request q JOIN member a ON a.id = q.asker_id JOIN member g ON g.id = q.giver_id"
	"  WHERE q.asker_id = ?1 OR q.giver_id = ?1 ORDER BY q.id";
static const char SQL_ANSWERS[] =
	"SELECT ms.kind AS measurement, a.question, a.score, a.text, a.superseded, a.created_at"
	"  FROM answer a JOIN questionnaire q ON q.id = a.questionnaire_id"
	"  JOIN measurement ms ON ms.id = q.measurement_id WHERE q.member_id = ?1 ORDER BY a.id";
static const char SQL_QUESTIONNAIRES[] =
	"SELECT ms.kind AS measurement, q.sent_at, q.reminders, q.completed_at FROM questionnaire q"
	"  JOIN measurement ms ON ms.id = q.measurement_id WHERE q.member_id = ?1 ORDER BY q.id";
static const char SQL_ATTENDANCE[] =
	"SELECT s.kind, s.starts_at, s.status AS session_status, a.address, a.partstat, a.replied_at"
	"  FROM attendee a JOIN session s ON s.id = a.session_id WHERE a.member_id = ?1 ORDER BY s.starts_at";
static const char SQL_CALENDAR[] =
	"SELECT moment_key, uid, starts_at, status FROM calendar_item WHERE member_id = ?1 ORDER BY id";
/* Mail about them: linked to them, or from/to one of their addresses. */
static const char SQL_INBOX[] =
	"SELECT id, message_id, received_at, sender, subject, state, kind, reason, raw FROM inbox"
	"  WHERE member_id = ?1 OR lower(sender) IN (SELECT address FROM member_address"
	"  WHERE member_id = ?1) ORDER BY id";
static const char SQL_OUTBOX[] =
	"SELECT id, message_id, kind, recipient, subject, state, created_at, sent_at, raw FROM outbox"
	"  WHERE member_id = ?1 OR lower(recipient) IN (SELECT address FROM member_address"
	"  WHERE member_id = ?1) ORDER BY id";

/* A column as JSON: numbers as numbers, text as UTF-8 (bytes that are not: as Latin-1). */
static json_t *
column_json(sqlite3_stmt *st, int i, json_t *row, const char *name)
{
	const unsigned char *p;
	int n;
	json_t *s;

	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		return json_integer((json_int_t)sqlite3_column_int64(st, i));
	case SQLITE_FLOAT:
		return json_real(sqlite3_column_double(st, i));
	case SQLITE_NULL:
		return json_null();
	default:
		break;
	}
	p = sqlite3_column_blob(st, i);
	n = sqlite3_column_bytes(st, i);
	if (strcmp(name, "reactions") == 0) {
		json_t *a = json_loadb((const char *)p, (size_t)n, 0, NULL);

		if (a != NULL)
			return a;
	}
	s = json_stringn((const char *)p, (size_t)n);
	if (s == NULL) {
		/* Not UTF-8 (raw mail may be anything): every byte as the code point of its value. */
		unsigned char *u = malloc((size_t)n * 2 + 1);
		size_t k = 0;

		if (u == NULL)
			return NULL;
		for (int j = 0; j < n; j++) {
			if (p[j] < 0x80) {
				u[k++] = p[j];
			} else {
				u[k++] = (unsigned char)(0xC0 | (p[j] >> 6));
				u[k++] = (unsigned char)(0x80 | (p[j] & 0x3F));
			}
		}
		s = json_stringn((const char *)u, k);
		free(u);
		json_object_set_new(row, "raw_encoding", json_string("bytes-as-latin1"));
	}
	return s;
}

/* All rows of sql (bound to id) as an array of objects keyed by column name. */
static json_t *
rows_json(struct db *db, const char *sql, int64_t id, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, sql, err);
	json_t *a;
	int rc;

	if (st == NULL)
		return NULL;
	a = json_array();
	sqlite3_bind_int64(st, 1, id);
	while (a != NULL && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *row = json_object();

		for (int i = 0; row != NULL && i < sqlite3_column_count(st); i++) {
			const char *name = sqlite3_column_name(st, i);

			json_object_set_new(row, name, column_json(st, i, row, name));
		}
		json_array_append_new(a, row);
	}
	if (a == NULL) {
		fb_error_set(err, "out of memory");
		return NULL;
	}
	if (rc != SQLITE_DONE) {
		json_decref(a);
		db_fail(db, err, "exporting a member");
		return NULL;
	}
	return a;
}

int
privacy_export_member(struct db *db, int64_t member_id, json_t **out, struct fb_error *err)
{
	static const struct {
		const char *key;
		const char *sql;
	} parts[] = {
		{ "addresses", SQL_ADDRESSES }, { "absences", SQL_ABSENCES },
		{ "feedback_given", SQL_GIVEN }, { "feedback_received", SQL_RECEIVED },
		{ "requests", SQL_REQUESTS }, { "questionnaires", SQL_QUESTIONNAIRES },
		{ "answers", SQL_ANSWERS }, { "attendance", SQL_ATTENDANCE },
		{ "calendar", SQL_CALENDAR }, { "inbox", SQL_INBOX }, { "outbox", SQL_OUTBOX },
	};
	json_t *member, *doc;
	const char *status;

	member = rows_json(db, SQL_MEMBER, member_id, err);
	if (member == NULL)
		return -1;
	if (json_array_size(member) != 1) {
		json_decref(member);
		return fb_error_set(err, "member %lld does not exist", (long long)member_id);
	}
	/* An erased member's row is a placeholder: exporting it would suggest data that is gone,
	 * or that the erase left some behind. Say so instead. */
	status = json_string_value(json_object_get(json_array_get(member, 0), "status"));
	if (status != NULL && strcmp(status, "erased") == 0) {
		json_decref(member);
		return fb_error_set(err, "member %lld was erased: nothing personal is kept about "
		    "them, so there is nothing to export (only anonymous counts and scores remain; "
		    "see feedbackctl(1), member erase)", (long long)member_id);
	}
	doc = json_object();
	json_object_set(doc, "member", json_array_get(member, 0));
	json_decref(member);
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		json_t *a = rows_json(db, parts[i].sql, member_id, err);

		if (a == NULL) {
			json_decref(doc);
			return -1;
		}
		json_object_set_new(doc, parts[i].key, a);
	}
	*out = doc;
	return 0;
}

/* ---- erase and retention ---------------------------------------------------------------- */

static const char SQL_SECURE_DELETE[] = "PRAGMA secure_delete = ON";
static const char SQL_CHECKPOINT[] = "PRAGMA wal_checkpoint(TRUNCATE)";

/* One step of a purge: a statement bound to one id (?1), and what its changes count as. */
enum kind { K_MEMBERS, K_TEXTS, K_MESSAGES, K_OTHER };
struct step {
	const char *sql;
	enum kind kind;
};

/* Erase one member (?1). Mail first: it is found through the addresses deleted after it. */
static const struct step erase_steps[] = {
	{ "DELETE FROM inbox WHERE member_id = ?1 OR lower(sender) IN (SELECT address FROM"
	  " member_address WHERE member_id = ?1)", K_MESSAGES },
	{ "DELETE FROM outbox WHERE member_id = ?1 OR lower(recipient) IN (SELECT address FROM"
	  " member_address WHERE member_id = ?1)", K_MESSAGES },
	{ "UPDATE reaction SET text = '' WHERE text <> '' AND feedback_id IN (SELECT id FROM"
	  " feedback WHERE giver_id = ?1 OR receiver_id = ?1)", K_TEXTS },
	{ "UPDATE feedback SET confirmation = NULL, critique = NULL, suggestion = NULL"
	  " WHERE (giver_id = ?1 OR receiver_id = ?1) AND (confirmation IS NOT NULL OR"
	  " critique IS NOT NULL OR suggestion IS NOT NULL)", K_TEXTS },
	{ "UPDATE feedback_request SET topic = NULL WHERE (asker_id = ?1 OR giver_id = ?1)"
	  " AND topic IS NOT NULL", K_TEXTS },
	{ "UPDATE answer SET text = NULL WHERE text IS NOT NULL AND questionnaire_id IN"
	  " (SELECT id FROM questionnaire WHERE member_id = ?1)", K_TEXTS },
	{ "DELETE FROM bounce WHERE address IN (SELECT address FROM member_address"
	  " WHERE member_id = ?1)", K_OTHER },
	{ "DELETE FROM member_address WHERE member_id = ?1", K_OTHER },
	{ "DELETE FROM absence WHERE member_id = ?1", K_OTHER },
	{ "DELETE FROM calendar_item WHERE member_id = ?1", K_OTHER },
	{ "DELETE FROM token WHERE member_id = ?1", K_OTHER },
	{ "UPDATE attendee SET address = 'erased-' || id || '@invalid' WHERE member_id = ?1",
	  K_OTHER },
	{ "UPDATE member SET name = 'erased member ' || id, timezone = NULL, status = 'erased'"
	  " WHERE id = ?1", K_MEMBERS },
};

/* Purge one programme (?1): its members as erase does, its facilitators, its mail, its texts. */
static const struct step program_steps[] = {
	{ "DELETE FROM inbox WHERE program_id = ?1 OR member_id IN (SELECT m.id FROM member m"
	  " JOIN team t ON t.id = m.team_id WHERE t.program_id = ?1)", K_MESSAGES },
	{ "DELETE FROM outbox WHERE program_id = ?1 OR member_id IN (SELECT m.id FROM member m"
	  " JOIN team t ON t.id = m.team_id WHERE t.program_id = ?1)", K_MESSAGES },
	{ "UPDATE reaction SET text = '' WHERE text <> '' AND feedback_id IN (SELECT id FROM"
	  " feedback WHERE program_id = ?1)", K_TEXTS },
	{ "UPDATE feedback SET confirmation = NULL, critique = NULL, suggestion = NULL"
	  " WHERE program_id = ?1 AND (confirmation IS NOT NULL OR critique IS NOT NULL OR"
	  " suggestion IS NOT NULL)", K_TEXTS },
	{ "UPDATE feedback_request SET topic = NULL WHERE program_id = ?1 AND topic IS NOT NULL",
	  K_TEXTS },
	{ "UPDATE answer SET text = NULL WHERE text IS NOT NULL AND questionnaire_id IN (SELECT"
	  " q.id FROM questionnaire q JOIN measurement ms ON ms.id = q.measurement_id"
	  " WHERE ms.program_id = ?1)", K_TEXTS },
	{ "UPDATE improvement_action SET text = '' WHERE text <> '' AND team_id IN (SELECT id"
	  " FROM team WHERE program_id = ?1)", K_TEXTS },
	{ "DELETE FROM bounce WHERE address IN (SELECT address FROM member_address"
	  " WHERE program_id = ?1)", K_OTHER },
	{ "DELETE FROM member_address WHERE program_id = ?1", K_OTHER },
	{ "DELETE FROM absence WHERE member_id IN (SELECT m.id FROM member m JOIN team t"
	  " ON t.id = m.team_id WHERE t.program_id = ?1)", K_OTHER },
	{ "DELETE FROM calendar_item WHERE program_id = ?1", K_OTHER },
	{ "DELETE FROM token WHERE program_id = ?1", K_OTHER },
	{ "UPDATE attendee SET address = 'erased-' || id || '@invalid' WHERE session_id IN"
	  " (SELECT id FROM session WHERE program_id = ?1)", K_OTHER },
	{ "UPDATE session SET location = NULL, online_url = NULL WHERE program_id = ?1", K_OTHER },
	{ "UPDATE facilitator SET name = NULL, address = 'erased-' || id || '@invalid'"
	  " WHERE team_id IN (SELECT id FROM team WHERE program_id = ?1)", K_OTHER },
	{ "UPDATE member SET name = 'erased member ' || id, timezone = NULL, status = 'erased'"
	  " WHERE status <> 'erased' AND team_id IN (SELECT id FROM team WHERE program_id = ?1)",
	  K_MEMBERS },
	{ "INSERT OR IGNORE INTO done (program_id, moment_key, target, done_at)"
	  " VALUES (?1, 'retention:purged', '', ?2)", K_OTHER },
};

/* Programmes due for purging: ?1 now, ?2 default retention days, ?3 default follow-up weeks. */
static const char SQL_DUE_PROGRAMS[] =
	"SELECT id FROM ("
	"  SELECT id, start_date, weeks,"
	"    coalesce(json_extract(settings, '$.retention_days'), ?2) AS keep,"
	"    coalesce(json_extract(settings, '$.followup_weeks'), ?3) AS fu FROM program"
	"  WHERE NOT EXISTS (SELECT 1 FROM done d WHERE d.program_id = program.id"
	"    AND d.moment_key = 'retention:purged'))"
	" WHERE keep > 0 AND date(start_date, '+' || ((weeks + fu) * 7 + keep) || ' days')"
	"   <= date(?1, 'unixepoch')";
/* Raw inbound mail no programme claimed: ?1 the oldest received_at to keep. */
static const char SQL_OLD_UNCLAIMED[] =
	"UPDATE inbox SET raw = NULL, subject = NULL, sender = NULL, error = NULL"
	" WHERE program_id IS NULL AND member_id IS NULL AND received_at < ?1 AND raw IS NOT NULL";

static void
count(struct privacy_counts *c, enum kind k, long n)
{
	if (c == NULL)
		return;
	switch (k) {
	case K_MEMBERS: c->members += n; break;
	case K_TEXTS: c->texts += n; break;
	case K_MESSAGES: c->messages += n; break;
	case K_OTHER: c->other += n; break;
	}
}

static int
run_steps(struct db *db, const struct step *steps, size_t n, int64_t id, time_t now,
    struct privacy_counts *counts, struct fb_error *err)
{
	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *st = db_stmt(db, steps[i].sql, err);

		if (st == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_bind_parameter_count(st) >= 2)
			sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
		if (sqlite3_step(st) != SQLITE_DONE)
			return db_fail(db, err, "removing personal data");
		count(counts, steps[i].kind, sqlite3_changes(db_sqlite(db)));
	}
	return 0;
}

int
privacy_flush(struct db *db, struct fb_error *err)
{
	/* A busy reader may keep the checkpoint from finishing; the next one completes it. */
	return db_exec(db, SQL_CHECKPOINT, err);
}

static const char SQL_EXISTS[] = "SELECT 1 FROM member WHERE id = ?1";
static const char SQL_ERASED[] = "SELECT status = 'erased' FROM member WHERE id = ?1";

int
privacy_member_erased(struct db *db, int64_t member_id, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_ERASED, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, member_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		int erased = sqlite3_column_int(st, 0);

		sqlite3_reset(st);
		return erased;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "reading a member");
	return 0;
}

int
privacy_erase_member(struct db *db, int64_t member_id, struct privacy_counts *counts,
    struct fb_error *err)
{
	sqlite3_stmt *st;

	if (db_exec(db, SQL_SECURE_DELETE, err) < 0)
		return -1;
	st = db_stmt(db, SQL_EXISTS, err);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, member_id);
	if (sqlite3_step(st) != SQLITE_ROW)
		return fb_error_set(err, "member %lld does not exist", (long long)member_id);
	sqlite3_reset(st);
	if (db_begin(db, err) < 0)
		return -1;
	if (run_steps(db, erase_steps, sizeof(erase_steps) / sizeof(erase_steps[0]), member_id, 0,
	    counts, err) < 0) {
		db_rollback(db);
		return -1;
	}
	if (db_commit(db, err) < 0)
		return -1;
	return privacy_flush(db, err);
}

int
privacy_retention_pass(struct db *db, time_t now, int default_retention_days,
    int default_followup_weeks, struct privacy_counts *counts, struct fb_error *err)
{
	sqlite3_stmt *st;
	int64_t ids[64];
	size_t n = 0;
	int rc, touched = 0;

	if (db_exec(db, SQL_SECURE_DELETE, err) < 0 || db_begin(db, err) < 0)
		return -1;
	st = db_stmt(db, SQL_DUE_PROGRAMS, err);
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	sqlite3_bind_int(st, 2, default_retention_days);
	sqlite3_bind_int(st, 3, default_followup_weeks);
	/* At most 64 programmes a pass; the rest come the next day. */
	while (n < sizeof(ids) / sizeof(ids[0]) && (rc = sqlite3_step(st)) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	for (size_t i = 0; i < n; i++)
		if (run_steps(db, program_steps, sizeof(program_steps) / sizeof(program_steps[0]),
		    ids[i], now, counts, err) < 0)
			goto fail;
	touched = n > 0;
	if (default_retention_days > 0) {
		st = db_stmt(db, SQL_OLD_UNCLAIMED, err);
		if (st == NULL)
			goto fail;
		sqlite3_bind_int64(st, 1, (sqlite3_int64)(now - (time_t)default_retention_days * 86400));
		if (sqlite3_step(st) != SQLITE_DONE) {
			db_fail(db, err, "purging old inbound mail");
			goto fail;
		}
		count(counts, K_MESSAGES, sqlite3_changes(db_sqlite(db)));
		touched |= sqlite3_changes(db_sqlite(db)) > 0;
	}
	if (db_commit(db, err) < 0)
		return -1;
	return touched ? privacy_flush(db, err) : 0;
fail:
	db_rollback(db);
	return -1;
}
