/*
 * store_member — members and their addresses, facilitators, absences. See include/store.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "store.h"
#include "store_int.h"
#include "banned.h"

#define MEMBER_COLS \
	"m.id, m.team_id, m.name, " \
	"(SELECT address FROM member_address a WHERE a.member_id = m.id " \
	"  ORDER BY is_primary DESC, id LIMIT 1), " \
	"m.timezone, m.language, m.status, t.name, " \
	"(SELECT max(undeliverable_at) FROM member_address a WHERE a.member_id = m.id " \
	"  AND a.is_primary = 1), " \
	"(SELECT max(complained_at) FROM member_address a WHERE a.member_id = m.id), " \
	"m.left_at "

static const char SQL_MEMBER_INSERT[] =
	"INSERT INTO member (team_id, name, timezone, language, created_at) "
	"VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_ADDRESS_INSERT[] =
	"INSERT INTO member_address (member_id, program_id, address, is_primary) "
	"SELECT ?1, t.program_id, lower(?2), ?3 FROM member m JOIN team t ON t.id = m.team_id "
	"WHERE m.id = ?1";
static const char SQL_ADDRESS_OWNER[] =
	"SELECT m.name, t.name FROM member_address a JOIN member m ON m.id = a.member_id "
	"JOIN team t ON t.id = m.team_id WHERE a.address = lower(?1) AND a.program_id = "
	"(SELECT program_id FROM team WHERE id = ?2)";
static const char SQL_MEMBER_LIST[] =
	"SELECT " MEMBER_COLS "FROM member m JOIN team t ON t.id = m.team_id "
	"WHERE (?1 > 0 AND t.program_id = ?1) OR (?2 > 0 AND m.team_id = ?2) "
	"ORDER BY t.name, m.name, m.id";
/* One team's members through the member_team index: the OR above makes SQLite scan every
 * member of every programme, and the scheduler and apply list a team per team and per reply
 * (O(members x teams) in a week; EXPLAIN QUERY PLAN: SCAN m). */
static const char SQL_MEMBER_LIST_TEAM[] =
	"SELECT " MEMBER_COLS "FROM member m JOIN team t ON t.id = m.team_id "
	"WHERE m.team_id = ?2 ORDER BY t.name, m.name, m.id";
/* Candidates for a spec: by id, by any address, or by name (case-insensitive, ASCII). */
static const char SQL_MEMBER_FIND[] =
	"SELECT " MEMBER_COLS "FROM member m JOIN team t ON t.id = m.team_id "
	"WHERE ((?1 > 0 AND t.program_id = ?1) OR (?2 > 0 AND m.team_id = ?2)) "
	"AND m.status <> 'erased' AND (m.id = ?3 OR lower(m.name) = lower(?4) OR EXISTS "
	"(SELECT 1 FROM member_address a WHERE a.member_id = m.id AND a.address = lower(?4))) "
	"ORDER BY m.id";
/* The common case of a spec, an id (apply's lookups): by primary key, not a scan of the
 * programme's members with two subqueries each (7 ms at 5,000 members; bench_load.py). */
static const char SQL_MEMBER_BY_ID[] =
	"SELECT " MEMBER_COLS "FROM member m JOIN team t ON t.id = m.team_id "
	"WHERE m.id = ?3 AND ((?1 > 0 AND t.program_id = ?1) OR (?2 > 0 AND m.team_id = ?2)) "
	"AND m.status <> 'erased'";
static const char SQL_MEMBER_BY_ADDRESS[] =
	"SELECT " MEMBER_COLS "FROM member_address a JOIN member m ON m.id = a.member_id "
	"JOIN team t ON t.id = m.team_id WHERE a.program_id = ?1 AND a.address = lower(?2)";
static const char SQL_FACILITATOR_INSERT[] =
	"INSERT INTO facilitator (team_id, name, address, created_at) VALUES (?1, ?2, lower(?3), ?4)";
static const char SQL_FACILITATOR_LIST[] =
	"SELECT f.id, f.team_id, f.name, f.address, t.name FROM facilitator f "
	"JOIN team t ON t.id = f.team_id "
	"WHERE ((?1 > 0 AND t.program_id = ?1) OR (?2 > 0 AND f.team_id = ?2)) "
	"AND f.removed_at IS NULL ORDER BY t.name, f.address";
/* One team's facilitators by the facilitator's team_id index (why: SQL_MEMBER_LIST_TEAM). */
static const char SQL_FACILITATOR_LIST_TEAM[] =
	"SELECT f.id, f.team_id, f.name, f.address, t.name FROM facilitator f "
	"JOIN team t ON t.id = f.team_id "
	"WHERE f.team_id = ?2 AND f.removed_at IS NULL ORDER BY t.name, f.address";
static const char SQL_ABSENCE_INSERT[] =
	"INSERT INTO absence (member_id, from_date, until_date, source, inbox_id, created_at) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_MEMBER_AWAY[] =
	"SELECT count(*) FROM absence WHERE member_id = ?1 AND from_date <= ?2 AND until_date >= ?2";

/* What a row owns (store_row_release()). */
static const size_t member_strings[] = { offsetof(struct member, name),
	offsetof(struct member, address), offsetof(struct member, timezone),
	offsetof(struct member, language), offsetof(struct member, status),
	offsetof(struct member, team_name) };
static const struct store_owned member_owned = STORE_OWNS(member_strings);
static const size_t facilitator_strings[] = { offsetof(struct facilitator, name),
	offsetof(struct facilitator, address), offsetof(struct facilitator, team_name) };
static const struct store_owned facilitator_owned = STORE_OWNS(facilitator_strings);

/* One member row (for store_step_row() and store_rows()); -1 when out of memory, m
 * released. */
static int
member_from_row(sqlite3_stmt *st, void *arg)
{
	struct member *m = arg;
	int oom = 0;

	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(st, 0);
	m->team_id = sqlite3_column_int64(st, 1);
	m->name = store_dup(db_col_text(st, 2), &oom);
	m->address = store_dup(db_col_text(st, 3), &oom);
	m->timezone = store_dup((const char *)sqlite3_column_text(st, 4), &oom);
	m->language = store_dup((const char *)sqlite3_column_text(st, 5), &oom);
	m->status = store_dup(db_col_text(st, 6), &oom);
	m->team_name = store_dup(db_col_text(st, 7), &oom);
	m->undeliverable_at = sqlite3_column_int64(st, 8);
	m->complained_at = sqlite3_column_int64(st, 9);
	m->left_at = sqlite3_column_int64(st, 10);
	if (oom) {
		store_member_release(m);
		return -1;
	}
	return 0;
}

void
store_member_release(struct member *m)
{
	if (m == NULL)
		return;
	store_row_release(m, &member_owned);
	memset(m, 0, sizeof(*m));
}

/* Insert an address for member_id; a clash names the member who has it. */
static int
address_insert(struct db *db, int64_t member_id, int64_t team_id, const char *address,
    int primary, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_ADDRESS_INSERT, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, member_id);
	db_bind_text(st, 2, address);
	sqlite3_bind_int(st, 3, primary);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE) {
		st = db_stmt(db, SQL_ADDRESS_OWNER, err);
		if (st == NULL)
			return -1;
		db_bind_text(st, 1, address);
		sqlite3_bind_int64(st, 2, team_id);
		if (sqlite3_step(st) == SQLITE_ROW)
			fb_error_set(err, "address %s belongs to %s (team %s) already", address,
			    db_col_text(st, 0), db_col_text(st, 1));
		else
			fb_error_set(err, "address %s is in use already", address);
		sqlite3_reset(st);
		return -1;
	}
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "adding an address");
	return 0;
}

int
store_member_add(struct db *db, int64_t team_id, const char *name, const char *address,
    const char *tz, const char *language, time_t now, int64_t *id,
    struct fb_error *err)
{
	sqlite3_stmt *st;
	int64_t mid;
	int rc;

	if (db_begin(db, err) < 0)
		return -1;
	st = db_stmt(db, SQL_MEMBER_INSERT, err);
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, team_id);
	db_bind_text(st, 2, name);
	db_bind_text(st, 3, tz);
	db_bind_text(st, 4, language);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		db_fail(db, err, "adding the member");
		goto fail;
	}
	mid = db_last_id(db);
	if (address_insert(db, mid, team_id, address, 1, err) < 0)
		goto fail;
	if (db_commit(db, err) < 0)
		return -1;
	if (id)
		*id = mid;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int
store_member_add_address(struct db *db, int64_t member_id, const char *address,
    struct fb_error *err)
{
	int64_t team_id;
	int rc = store_row_by_id(db, "SELECT team_id FROM member WHERE id = ?1", member_id,
	    store_map_int64, &team_id, err, "reading a member");

	if (rc == 1)
		return fb_error_set(err, "no member with id %lld", (long long)member_id);
	if (rc < 0)
		return -1;
	return address_insert(db, member_id, team_id, address, 0, err);
}

int
store_member_list(struct db *db, int64_t program_id, int64_t team_id, struct member_list *out,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, program_id <= 0 && team_id > 0 ? SQL_MEMBER_LIST_TEAM :
	    SQL_MEMBER_LIST, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, program_id);
	sqlite3_bind_int64(st, 2, team_id);
	return store_rows(db, st, &out->v, &out->n, sizeof(*out->v), member_from_row,
	    &member_owned, err, "listing members");
}

void
store_member_list_release(struct member_list *l)
{
	store_list_release(&l->v, &l->n, sizeof(*l->v), &member_owned);
}

int
store_member_find(struct db *db, int64_t program_id, int64_t team_id, const char *spec,
    struct member *out, struct fb_error *err)
{
	sqlite3_stmt *st;
	struct member_list l = { 0 };
	struct buf names = BUF_INIT;
	char *end;
	long long id;

	errno = 0;
	id = strtoll(spec, &end, 10);
	if (errno || *end || end == spec)
		id = 0;
	if (id > 0) {
		int64_t ids[3] = { program_id, team_id, id };
		struct member m;
		int rc = store_row(db, SQL_MEMBER_BY_ID, ids, 3, member_from_row, &m, err,
		    "finding a member");

		if (rc == 0)
			*out = m;
		if (rc <= 0)
			return rc;
	}
	if ((st = db_stmt(db, SQL_MEMBER_FIND, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, program_id);
	sqlite3_bind_int64(st, 2, team_id);
	sqlite3_bind_int64(st, 3, id);
	db_bind_text(st, 4, spec);
	if (store_rows(db, st, &l.v, &l.n, sizeof(*l.v), member_from_row, &member_owned, err,
	    "finding a member") < 0)
		return -1;
	if (l.n == 1) {
		*out = l.v[0];
		free(l.v);
		return 0;
	}
	if (l.n > 1) {
		for (size_t i = 0; i < l.n; i++)
			buf_putf(&names, "%s%s <%s> (id %lld)", i ? ", " : "", l.v[i].name,
			    l.v[i].address, (long long)l.v[i].id);
		fb_error_set(err, "\"%s\" matches several members: %s; use the address or id",
		    spec, buf_failed(&names) ? "(out of memory listing them)" : names.data);
	} else {
		struct member_list all = { 0 };

		if (store_member_list(db, program_id, team_id, &all, NULL) == 0)
			for (size_t i = 0; i < all.n; i++)
				buf_putf(&names, "%s%s <%s>", i ? ", " : "", all.v[i].name,
				    all.v[i].address);
		fb_error_set(err, "no member \"%s\"; members are: %s", spec,
		    buf_failed(&names) ? "(out of memory listing them)" :
		    names.len ? names.data : "(none)");
		store_member_list_release(&all);
	}
	buf_release(&names);
	store_member_list_release(&l);
	return -1;
}

int
store_member_by_address(struct db *db, int64_t program_id, const char *address,
    struct member *out, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_MEMBER_BY_ADDRESS, err);
	struct member m;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, program_id);
	db_bind_text(st, 2, address);
	rc = store_step_row(db, st, member_from_row, &m, err, "finding a member by address");
	if (rc == 0)
		*out = m;
	return rc;
}

int
store_facilitator_add(struct db *db, int64_t team_id, const char *name, const char *address,
    time_t now, int64_t *id, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_FACILITATOR_INSERT, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, team_id);
	db_bind_text(st, 2, name);
	db_bind_text(st, 3, address);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		return fb_error_set(err, "%s is a facilitator of this team already", address);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "adding the facilitator");
	if (id)
		*id = db_last_id(db);
	return 0;
}

void
store_facilitator_release(struct facilitator *f)
{
	if (f == NULL)
		return;
	store_row_release(f, &facilitator_owned);
	memset(f, 0, sizeof(*f));
}

/* One facilitator row (store_rows()); -1 when out of memory, f released. */
static int
facilitator_row(sqlite3_stmt *st, void *arg)
{
	struct facilitator *f = arg;
	int oom = 0;

	f->id = sqlite3_column_int64(st, 0);
	f->team_id = sqlite3_column_int64(st, 1);
	f->name = store_dup((const char *)sqlite3_column_text(st, 2), &oom);
	f->address = store_dup(db_col_text(st, 3), &oom);
	f->team_name = store_dup(db_col_text(st, 4), &oom);
	if (oom)
		store_facilitator_release(f);
	return oom ? -1 : 0;
}

int
store_facilitator_list(struct db *db, int64_t program_id, int64_t team_id,
    struct facilitator_list *out, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, program_id <= 0 && team_id > 0 ?
	    SQL_FACILITATOR_LIST_TEAM : SQL_FACILITATOR_LIST, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, program_id);
	sqlite3_bind_int64(st, 2, team_id);
	return store_rows(db, st, &out->v, &out->n, sizeof(*out->v), facilitator_row,
	    &facilitator_owned, err, "listing facilitators");
}

void
store_facilitator_list_release(struct facilitator_list *l)
{
	store_list_release(&l->v, &l->n, sizeof(*l->v), &facilitator_owned);
}

int
store_absence_add(struct db *db, int64_t member_id, const char *from_date, const char *until_date,
    const char *source, int64_t inbox_id, time_t now, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_ABSENCE_INSERT, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, member_id);
	db_bind_text(st, 2, from_date);
	db_bind_text(st, 3, until_date);
	db_bind_text(st, 4, source);
	if (inbox_id > 0)
		sqlite3_bind_int64(st, 5, inbox_id);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT_CHECK)
		return fb_error_set(err, "absence from %s until %s: the end is before the start",
		    from_date, until_date);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "recording the absence");
	return 0;
}

int
store_member_is_away(struct db *db, int64_t member_id, const char *date, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_MEMBER_AWAY, err);
	int n;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, member_id);
	db_bind_text(st, 2, date);
	n = store_count(db, st, err, "reading absences");
	return n < 0 ? -1 : n > 0;
}

/* ---- changing a member ------------------------------------------------------------------------ */

/* NULL keeps a field as it is; "" clears time zone and language (back to the programme's). */
static const char SQL_MEMBER_UPDATE[] =
	"UPDATE member SET name = coalesce(?2, name), "
	"timezone = CASE WHEN ?3 IS NULL THEN timezone WHEN ?3 = '' THEN NULL ELSE ?3 END, "
	"language = CASE WHEN ?4 IS NULL THEN language WHEN ?4 = '' THEN NULL ELSE ?4 END "
	"WHERE id = ?1 AND status <> 'erased'";
static const char SQL_ADDRESS_OF[] =
	"SELECT member_id FROM member_address WHERE address = lower(?2) AND program_id = "
	"(SELECT t.program_id FROM member m JOIN team t ON t.id = m.team_id WHERE m.id = ?1)";
static const char SQL_ADDRESS_PRIMARY[] =
	"UPDATE member_address SET is_primary = (address = lower(?2)) WHERE member_id = ?1";
static const char SQL_MEMBER_ACTIVE[] =
	"SELECT count(*) FROM member WHERE id = ?1 AND status = 'active'";
static const char SQL_MEMBER_LEAVE[] =
	"UPDATE member SET status = 'left', left_at = ?2 WHERE id = ?1 AND status = 'active'";
/* Mail to them still waiting is not sent: kept as failed, so the outbox says why. */
static const char SQL_MEMBER_LEAVE_OUTBOX[] =
	"UPDATE outbox SET state = 'failed', last_error = 'not sent: the member left the programme' "
	"WHERE member_id = ?1 AND state IN ('queued', 'retry', 'held')";

int
store_member_update(struct db *db, int64_t member_id, const char *name, const char *tz,
    const char *language, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_MEMBER_UPDATE, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, member_id);
	db_bind_text(st, 2, name);
	db_bind_text(st, 3, tz);
	db_bind_text(st, 4, language);
	if (store_step_done(db, st, err, "changing the member") < 0)
		return -1;
	if (sqlite3_changes(db_sqlite(db)) == 0)
		return fb_error_set(err, "no member with id %lld", (long long)member_id);
	return 0;
}

int
store_member_set_primary(struct db *db, int64_t member_id, const char *address,
    struct fb_error *err)
{
	sqlite3_stmt *st;
	int64_t owner = 0;
	int rc;

	if (db_begin(db, err) < 0)
		return -1;
	if ((st = db_stmt(db, SQL_ADDRESS_OF, err)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, member_id);
	db_bind_text(st, 2, address);
	rc = store_step_row(db, st, store_map_int64, &owner, err, "reading an address");
	if (rc < 0)
		goto fail;
	/* Someone else's address: address_insert names its owner. */
	if (rc == 1 || owner != member_id) {
		if (store_member_add_address(db, member_id, address, err) < 0)
			goto fail;
	}
	if ((st = db_stmt(db, SQL_ADDRESS_PRIMARY, err)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, member_id);
	db_bind_text(st, 2, address);
	if (store_step_done(db, st, err, "changing the primary address") < 0)
		goto fail;
	return db_commit(db, err);
fail:
	db_rollback(db);
	return -1;
}

int
store_member_leave(struct db *db, int64_t member_id, time_t now, struct fb_error *err)
{
	sqlite3_stmt *st;
	int stopped;

	if (db_begin(db, err) < 0)
		return -1;
	if ((st = db_stmt(db, SQL_MEMBER_LEAVE, err)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, member_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	if (store_step_done(db, st, err, "marking the member as left") < 0)
		goto fail;
	if (sqlite3_changes(db_sqlite(db)) == 0) {
		fb_error_set(err, "member %lld is not active (left or erased already)",
		    (long long)member_id);
		goto fail;
	}
	if ((st = db_stmt(db, SQL_MEMBER_LEAVE_OUTBOX, err)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, member_id);
	if (store_step_done(db, st, err, "stopping mail to the member") < 0)
		goto fail;
	stopped = sqlite3_changes(db_sqlite(db));
	if (db_commit(db, err) < 0)
		return -1;
	return stopped;
fail:
	db_rollback(db);
	return -1;
}

int
store_member_active(struct db *db, int64_t member_id, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_MEMBER_ACTIVE, err);
	int n;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, member_id);
	n = store_count(db, st, err, "reading the member's status");
	return n < 0 ? -1 : n > 0;
}
