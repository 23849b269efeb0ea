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
#include "store_int.h"
#include "vocab.h"
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
	"SELECT id, message_id, kind, recipient, subject, state, created_at, sent_at,"
	"  (SELECT b.raw FROM outbox_body b WHERE b.id = outbox.id) AS raw FROM outbox"
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
	if (member_status_from_name(status) == MEMBER_ERASED) {
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
enum kind { K_MEMBERS, K_TEXTS, K_MESSAGES, K_OTHER, K_NONE };
struct step {
	const char *sql;
	enum kind kind;
};

/*
 * Erase one member (?1). First the needles: what of theirs may sit in text we keep elsewhere
 * (their name ?2, their addresses, the texts they wrote and the texts written to them), lower
 * case, in temp tables (kept in memory: see privacy_erase_member). Then the mail that holds any
 * of it, found both by link (the message a feedback, reaction, request, answer or absence came
 * from, and every message we sent because of it) and by content (raw, subject, reason): their
 * own mail, and mail to or from others that names or quotes them (a colleague's feedback to
 * them, the reaction mail that carries their words to the giver, a report that names them).
 * Mail goes before the texts and addresses it is found through.
 */
static const char SQL_TEMP_MEMORY[] = "PRAGMA temp_store = MEMORY";
static const char SQL_TEMP_DEFAULT[] = "PRAGMA temp_store = DEFAULT";
static const char SQL_TEMP_NEEDLE[] =
	"CREATE TEMP TABLE IF NOT EXISTS erase_needle (t TEXT PRIMARY KEY)";
static const char SQL_TEMP_INBOX[] =
	"CREATE TEMP TABLE IF NOT EXISTS erase_inbox (id INTEGER PRIMARY KEY)";
static const char SQL_TEMP_OUTBOX[] =
	"CREATE TEMP TABLE IF NOT EXISTS erase_outbox (id INTEGER PRIMARY KEY)";
/* The affected inbox rows' mailbox copies: source ("MAILBOX ID") and Message-ID. */
static const char SQL_ERASE_SOURCES[] =
	"SELECT i.source, i.message_id FROM inbox i JOIN temp.erase_inbox e ON e.id = i.id"
	" ORDER BY i.id";

/* Needles shorter than this (bytes) match too much text by chance to tell the member. */
#define ERASE_MIN_NEEDLE "3"

static const struct step erase_find_steps[] = {
	{ "DELETE FROM temp.erase_needle", K_NONE },
	{ "DELETE FROM temp.erase_inbox", K_NONE },
	{ "DELETE FROM temp.erase_outbox", K_NONE },
	{ "INSERT OR IGNORE INTO temp.erase_needle SELECT lower(t) FROM ("
	  "  SELECT ?2 AS t UNION ALL SELECT address FROM member_address WHERE member_id = ?1"
	  "  UNION ALL SELECT confirmation FROM feedback WHERE giver_id = ?1 OR receiver_id = ?1"
	  "  UNION ALL SELECT critique FROM feedback WHERE giver_id = ?1 OR receiver_id = ?1"
	  "  UNION ALL SELECT suggestion FROM feedback WHERE giver_id = ?1 OR receiver_id = ?1"
	  "  UNION ALL SELECT x.text FROM reaction x JOIN feedback f ON f.id = x.feedback_id"
	  "    WHERE f.giver_id = ?1 OR f.receiver_id = ?1"
	  "  UNION ALL SELECT topic FROM feedback_request WHERE asker_id = ?1 OR giver_id = ?1"
	  "  UNION ALL SELECT a.text FROM answer a JOIN questionnaire q"
	  "    ON q.id = a.questionnaire_id WHERE q.member_id = ?1)"
	  " WHERE length(trim(t)) >= " ERASE_MIN_NEEDLE, K_NONE },
	{ "INSERT OR IGNORE INTO temp.erase_inbox SELECT id FROM inbox WHERE member_id = ?1"
	  "  OR lower(sender) IN (SELECT address FROM member_address WHERE member_id = ?1)"
	  " UNION SELECT inbox_id FROM feedback WHERE (giver_id = ?1 OR receiver_id = ?1)"
	  "  AND inbox_id IS NOT NULL"
	  " UNION SELECT x.inbox_id FROM reaction x JOIN feedback f ON f.id = x.feedback_id"
	  "  WHERE (f.giver_id = ?1 OR f.receiver_id = ?1) AND x.inbox_id IS NOT NULL"
	  " UNION SELECT inbox_id FROM feedback_request WHERE (asker_id = ?1 OR giver_id = ?1)"
	  "  AND inbox_id IS NOT NULL"
	  " UNION SELECT a.inbox_id FROM answer a JOIN questionnaire q ON q.id = a.questionnaire_id"
	  "  WHERE q.member_id = ?1 AND a.inbox_id IS NOT NULL"
	  " UNION SELECT inbox_id FROM absence WHERE member_id = ?1 AND inbox_id IS NOT NULL",
	  K_NONE },
};

/* By content, with erase_mentions() (registered between the two lists), one pass per row. */
static const struct step erase_match_steps[] = {
	{ "INSERT OR IGNORE INTO temp.erase_inbox SELECT id FROM inbox"
	  " WHERE erase_mentions(raw, subject, reason, error, sender)", K_NONE },
	{ "INSERT OR IGNORE INTO temp.erase_outbox SELECT id FROM outbox WHERE member_id = ?1"
	  "  OR lower(recipient) IN (SELECT address FROM member_address WHERE member_id = ?1)"
	  "  OR inbox_id IN (SELECT id FROM temp.erase_inbox)"
	  "  OR erase_mentions((SELECT b.raw FROM outbox_body b WHERE b.id = outbox.id), subject,"
	  "  last_error, recipient)", K_NONE },
};
static const char SQL_NEEDLES[] = "SELECT t FROM temp.erase_needle";

/* The needles of one erase (lower case), for erase_mentions(). */
struct needles {
	char **v;
	size_t *len;
	size_t n;
	unsigned char first[256];   /* 1 when some needle starts with this byte */
};

static void
needles_free(void *p)
{
	struct needles *nd = p;

	if (nd == NULL)
		return;
	for (size_t i = 0; i < nd->n; i++)
		free(nd->v[i]);
	free(nd->v);
	free(nd->len);
	free(nd);
}

static unsigned char
ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

/*
 * erase_mentions(a, b, …): 1 when any argument (text or blob) holds a needle, compared as
 * SQLite's lower() compares (ASCII letters folded), else 0. One pass over each value whatever
 * the number of needles: instr(lower(raw), needle) per needle would lower every message once
 * per needle.
 */
static void
sql_mentions(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const struct needles *nd = sqlite3_user_data(cx);

	for (int a = 0; a < argc; a++) {
		const unsigned char *h = sqlite3_value_blob(argv[a]);
		size_t n = (size_t)sqlite3_value_bytes(argv[a]);

		for (size_t i = 0; h != NULL && i < n; i++) {
			unsigned char c = ascii_lower(h[i]);

			if (!nd->first[c])
				continue;
			for (size_t k = 0; k < nd->n; k++) {
				size_t m = nd->len[k], j = 1;

				if ((unsigned char)nd->v[k][0] != c || m > n - i)
					continue;
				while (j < m && ascii_lower(h[i + j]) == (unsigned char)nd->v[k][j])
					j++;
				if (j == m) {
					sqlite3_result_int(cx, 1);
					return;
				}
			}
		}
	}
	sqlite3_result_int(cx, 0);
}

/* Load the needles and (re)register erase_mentions() with them. 0, or -1 with err. */
static int
needles_register(struct db *db, struct fb_error *err)
{
	struct needles *nd = calloc(1, sizeof(*nd));
	sqlite3_stmt *st = db_stmt(db, SQL_NEEDLES, err);
	size_t cap = 0;
	int rc;

	if (nd == NULL || st == NULL) {
		free(nd);
		return st == NULL ? -1 : fb_error_set(err, "out of memory");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = db_col_text(st, 0);

		if (*t == '\0')
			continue;
		if (nd->n == cap) {
			size_t c = cap ? cap * 2 : 16;
			char **v = realloc(nd->v, c * sizeof(*v));
			size_t *l = v ? realloc(nd->len, c * sizeof(*l)) : NULL;

			if (v != NULL)
				nd->v = v;
			if (l == NULL)
				break;
			nd->len = l;
			cap = c;
		}
		if ((nd->v[nd->n] = strdup(t)) == NULL)
			break;
		nd->len[nd->n] = strlen(t);
		nd->first[(unsigned char)t[0]] = 1;
		nd->n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		needles_free(nd);
		return rc == SQLITE_ROW ? fb_error_set(err, "out of memory") :
		    db_fail(db, err, "reading what to erase");
	}
	/* SQLite owns nd from here (needles_free), also when this fails. */
	if (sqlite3_create_function_v2(db_sqlite(db), "erase_mentions", -1, SQLITE_UTF8, nd,
	    sql_mentions, NULL, NULL, needles_free) != SQLITE_OK)
		return db_fail(db, err, "preparing the erase");
	return 0;
}

/* Drop erase_mentions() and its needles (the member's words) from the connection. */
static void
needles_unregister(struct db *db)
{
	sqlite3_create_function_v2(db_sqlite(db), "erase_mentions", -1, SQLITE_UTF8, NULL, NULL,
	    NULL, NULL, NULL);
}

static const struct step erase_steps[] = {
	/* Not yet handed to the transport: it would carry them out after the erase. Theirs: gone. */
	{ "DELETE FROM outbox WHERE id IN (SELECT id FROM temp.erase_outbox) AND (state <> 'sent'"
	  "  OR member_id = ?1 OR lower(recipient) IN (SELECT address FROM member_address"
	  "  WHERE member_id = ?1))", K_MESSAGES },
	/* Sent to others: the row stays (the daily cap and bounce matching count it), its text
	 * goes. */
	{ "UPDATE outbox SET subject = NULL, last_error = NULL"
	  " WHERE id IN (SELECT id FROM temp.erase_outbox)", K_MESSAGES },
	{ "UPDATE outbox_body SET raw = X'' WHERE id IN (SELECT id FROM temp.erase_outbox)", K_NONE },
	{ "DELETE FROM inbox WHERE member_id = ?1 OR lower(sender) IN (SELECT address FROM"
	  " member_address WHERE member_id = ?1)", K_MESSAGES },
	/* From others: the row stays (dedupe on Message-ID and hash, the inbox counts). */
	{ "UPDATE inbox SET raw = NULL, subject = NULL, error = NULL,"
	  " reason = 'content removed: it named or quoted an erased member'"
	  " WHERE id IN (SELECT id FROM temp.erase_inbox)", K_MESSAGES },
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
	/* A receipt still waiting for their clicks: it must not go to an erased member. */
	{ "DELETE FROM answer_receipt WHERE questionnaire_id IN (SELECT id FROM questionnaire"
	  " WHERE member_id = ?1)", K_OTHER },
	{ "DELETE FROM token WHERE member_id = ?1", K_OTHER },
	{ "UPDATE attendee SET address = 'erased-' || id || '@invalid' WHERE member_id = ?1",
	  K_OTHER },
	{ "UPDATE member SET name = 'erased member ' || id, timezone = NULL, status = 'erased'"
	  " WHERE id = ?1", K_MEMBERS },
	{ "DELETE FROM temp.erase_needle", K_NONE },
	{ "DELETE FROM temp.erase_inbox", K_NONE },
	{ "DELETE FROM temp.erase_outbox", K_NONE },
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
	{ "UPDATE improvement_action SET author = 'erased@invalid', author_name = NULL"
	  " WHERE author IS NOT NULL AND team_id IN (SELECT id FROM team WHERE program_id = ?1)",
	  K_OTHER },
	{ "DELETE FROM bounce WHERE address IN (SELECT address FROM member_address"
	  " WHERE program_id = ?1)", K_OTHER },
	{ "DELETE FROM member_address WHERE program_id = ?1", K_OTHER },
	{ "DELETE FROM absence WHERE member_id IN (SELECT m.id FROM member m JOIN team t"
	  " ON t.id = m.team_id WHERE t.program_id = ?1)", K_OTHER },
	{ "DELETE FROM calendar_item WHERE program_id = ?1", K_OTHER },
	{ "DELETE FROM answer_receipt WHERE questionnaire_id IN (SELECT q.id FROM questionnaire q"
	  " JOIN measurement ms ON ms.id = q.measurement_id WHERE ms.program_id = ?1)", K_OTHER },
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
	case K_NONE: break;
	}
}

/* Run steps bound to id (?1) and, where a step has a ?2, text when given, else now. */
static int
run_steps(struct db *db, const struct step *steps, size_t n, int64_t id, const char *text,
    time_t now, struct privacy_counts *counts, struct fb_error *err)
{
	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *st = db_stmt(db, steps[i].sql, err);

		if (st == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_bind_parameter_count(st) >= 2 && text != NULL)
			db_bind_text(st, 2, text);
		else if (sqlite3_bind_parameter_count(st) >= 2)
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

static const char SQL_ERASED[] = "SELECT status = 'erased' FROM member WHERE id = ?1";

int
privacy_member_erased(struct db *db, int64_t member_id, struct fb_error *err)
{
	int erased = 0;
	int rc = store_row_by_id(db, SQL_ERASED, member_id, store_map_int, &erased, err,
	    "reading a member");

	return rc < 0 ? -1 : erased;
}

static const char SQL_NAME[] = "SELECT name FROM member WHERE id = ?1";
static const char SQL_VACUUM[] = "VACUUM";

/* Hand every affected inbox row's mailbox copy to cb. 0, or -1 with err. */
static int
erase_sources(struct db *db, privacy_source_cb cb, void *ctx, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_ERASE_SOURCES, err);
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *mid = (const char *)sqlite3_column_text(st, 1);

		if (cb(ctx, db_col_text(st, 0), mid, err) < 0) {
			sqlite3_reset(st);
			return -1;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "listing the mail to remove");
	return 0;
}

int
privacy_erase_member(struct db *db, int64_t member_id, struct privacy_counts *counts,
    privacy_source_cb on_source, void *ctx, struct fb_error *err)
{
	char *name = NULL;
	int rc;

	/* Temp tables in memory: the needles are the member's words; no temp file gets them. */
	if (db_exec(db, SQL_SECURE_DELETE, err) < 0 || db_exec(db, SQL_TEMP_MEMORY, err) < 0 ||
	    db_exec(db, SQL_TEMP_NEEDLE, err) < 0 || db_exec(db, SQL_TEMP_INBOX, err) < 0 ||
	    db_exec(db, SQL_TEMP_OUTBOX, err) < 0)
		return -1;
	rc = store_row_by_id(db, SQL_NAME, member_id, store_map_text, &name, err,
	    "reading a member");
	if (rc == 1)
		return fb_error_set(err, "member %lld does not exist", (long long)member_id);
	if (rc < 0)
		return -1;
	if (db_begin(db, err) < 0) {
		free(name);
		return -1;
	}
	if (run_steps(db, erase_find_steps, sizeof(erase_find_steps) / sizeof(erase_find_steps[0]),
	    member_id, name, 0, NULL, err) < 0 || needles_register(db, err) < 0 ||
	    run_steps(db, erase_match_steps, sizeof(erase_match_steps) /
	    sizeof(erase_match_steps[0]), member_id, name, 0, NULL, err) < 0 ||
	    (on_source != NULL && erase_sources(db, on_source, ctx, err) < 0) ||
	    run_steps(db, erase_steps, sizeof(erase_steps) / sizeof(erase_steps[0]), member_id,
	    name, 0, counts, err) < 0) {
		free(name);
		db_rollback(db);
		needles_unregister(db);
		return -1;
	}
	free(name);
	needles_unregister(db);
	if (db_commit(db, err) < 0)
		return -1;
	return privacy_compact(db, err);
}

int
privacy_compact(struct db *db, struct fb_error *err)
{
	/* secure_delete already zeroed the freed cells and pages. But an index's interior pages
	 * keep copies of keys as dividers (an address in member_address_addr or
	 * outbox_recipient) after the row is gone: VACUUM rebuilds every b-tree from what is
	 * left, and the checkpoint takes the old page images out of the WAL. Its temp database
	 * goes to a file (temp_store back to the default), not to memory: it is the whole
	 * database. It costs time and disk in proportion to the database (about 20 s per GB
	 * here); an erase is rare. */
	sqlite3_stmt *st;
	int busy;

	if (db_exec(db, SQL_TEMP_DEFAULT, err) < 0 || db_exec(db, SQL_VACUUM, err) < 0)
		return -1;
	/* TRUNCATE waits (busy timeout) for readers of an older snapshot; if one outlasts it, the
	 * old pages stay in the file until the next checkpoint: say so rather than succeed. */
	st = db_stmt(db, SQL_CHECKPOINT, err);
	if (st == NULL || (busy = store_count(db, st, err, "checkpointing the WAL")) < 0)
		return -1;
	if (busy)
		return fb_error_set(err, "the erase is done, but another process kept reading the "
		    "database, so its WAL could not be emptied yet: run the erase again later (it "
		    "says the member was erased) or stop feedbackd for a moment");
	return 0;
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
		    ids[i], NULL, now, counts, err) < 0)
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
