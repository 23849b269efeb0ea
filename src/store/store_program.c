/*
 * store_program — programmes and teams. See include/store.h.
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

static const char SQL_PROGRAM_INSERT[] =
	"INSERT INTO program (name, start_date, weeks, timezone, language, organizer_address, "
	"created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_PROGRAM_BY_NAME[] =
	"SELECT id, name, start_date, weeks, timezone, language, organizer_address, created_at, "
	"ended_at FROM program WHERE name = ?1 OR (?2 > 0 AND id = ?2)";
static const char SQL_PROGRAM_LIST[] =
	"SELECT id, name, start_date, weeks, timezone, language, organizer_address, created_at, "
	"ended_at FROM program ORDER BY start_date, name";
static const char SQL_PROGRAM_UPDATE[] =
	"UPDATE program SET start_date = ?2, weeks = ?3, timezone = ?4, language = ?5 "
	"WHERE id = ?1";
static const char SQL_PROGRAM_END[] =
	"UPDATE program SET ended_at = ?2 WHERE id = ?1";
static const char SQL_TEAM_INSERT[] =
	"INSERT INTO team (program_id, name, created_at) VALUES (?1, ?2, ?3)";
static const char SQL_TEAM_BY_NAME[] =
	"SELECT t.id, t.program_id, t.name, p.name FROM team t JOIN program p ON p.id = t.program_id "
	"WHERE t.name = ?1 AND (?2 IS NULL OR p.name = ?2) ORDER BY p.name";
static const char SQL_TEAM_LIST[] =
	"SELECT t.id, t.program_id, t.name, p.name FROM team t JOIN program p ON p.id = t.program_id "
	"WHERE ?1 = 0 OR t.program_id = ?1 ORDER BY p.name, t.name";

/* What a row owns (store_row_release()). */
static const size_t program_strings[] = { offsetof(struct program, name),
	offsetof(struct program, timezone), offsetof(struct program, organizer) };
static const struct store_owned program_owned = STORE_OWNS(program_strings);
static const size_t team_strings[] = { offsetof(struct team, name),
	offsetof(struct team, program_name) };
static const struct store_owned team_owned = STORE_OWNS(team_strings);

/* One programme row (also for store_rows()); -1 when out of memory, p released. */
static int
program_from_row(sqlite3_stmt *st, void *arg)
{
	struct program *p = arg;
	int oom = 0;

	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(st, 0);
	p->name = store_dup(db_col_text(st, 1), &oom);
	snprintf(p->start_date, sizeof(p->start_date), "%s", db_col_text(st, 2));
	p->weeks = sqlite3_column_int(st, 3);
	p->timezone = store_dup(db_col_text(st, 4), &oom);
	snprintf(p->language, sizeof(p->language), "%s", db_col_text(st, 5));
	p->organizer = store_dup((const char *)sqlite3_column_text(st, 6), &oom);
	p->created_at = (time_t)sqlite3_column_int64(st, 7);
	p->ended_at = (time_t)sqlite3_column_int64(st, 8);
	if (oom) {
		store_program_release(p);
		return -1;
	}
	return 0;
}

void
store_program_release(struct program *p)
{
	store_row_release(p, &program_owned);
}

int
store_program_create(struct db *db, struct program *p, time_t now, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_PROGRAM_INSERT, err);
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, p->name);
	db_bind_text(st, 2, p->start_date);
	sqlite3_bind_int(st, 3, p->weeks);
	db_bind_text(st, 4, p->timezone);
	db_bind_text(st, 5, p->language);
	db_bind_text(st, 6, p->organizer);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		return fb_error_set(err, "a programme named \"%s\" exists already", p->name);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "creating the programme");
	p->id = db_last_id(db);
	p->created_at = now;
	return 0;
}

int
store_program_update(struct db *db, const struct program *p, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_PROGRAM_UPDATE, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, p->id);
	db_bind_text(st, 2, p->start_date);
	sqlite3_bind_int(st, 3, p->weeks);
	db_bind_text(st, 4, p->timezone);
	db_bind_text(st, 5, p->language);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "changing the programme");
	return 0;
}

int
store_program_end(struct db *db, int64_t id, time_t at, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_PROGRAM_END, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)at);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "ending the programme");
	return 0;
}

/* "programmes: a, b" or "there are no programmes yet" for not-found messages. */
static void
program_names(struct db *db, struct buf *out)
{
	struct program_list l = { 0 };

	if (store_program_list(db, &l, NULL) < 0 || l.n == 0) {
		buf_puts(out, "there are no programmes yet (feedbackctl program create)");
	} else {
		buf_puts(out, "programmes:");
		for (size_t i = 0; i < l.n; i++)
			buf_putf(out, "%s %s", i ? "," : "", l.v[i].name);
	}
	store_program_list_release(&l);
}

int
store_program_get(struct db *db, const char *name_or_id, struct program *out,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_PROGRAM_BY_NAME, err);
	struct program p;
	char *end;
	long long id;
	int rc;

	if (st == NULL)
		return -1;
	errno = 0;
	id = strtoll(name_or_id, &end, 10);
	if (errno || *end || end == name_or_id)
		id = 0;
	db_bind_text(st, 1, name_or_id);
	sqlite3_bind_int64(st, 2, id);
	rc = store_step_row(db, st, program_from_row, &p, err, "reading programmes");
	if (rc == 0)
		*out = p;
	if (rc <= 0)
		return rc;
	{
		struct buf names = BUF_INIT;

		program_names(db, &names);
		fb_error_set(err, "no programme \"%s\"; %s", name_or_id,
		    buf_failed(&names) ? "(out of memory listing them)" : names.data);
		buf_release(&names);
	}
	return -1;
}

int
store_program_list(struct db *db, struct program_list *out, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_PROGRAM_LIST, err);

	if (st == NULL)
		return -1;
	return store_rows(db, st, &out->v, &out->n, sizeof(*out->v), program_from_row,
	    &program_owned, err, "listing programmes");
}

void
store_program_list_release(struct program_list *l)
{
	store_list_release(&l->v, &l->n, sizeof(*l->v), &program_owned);
}

/* One team row (also for store_rows()); -1 when out of memory, t released. */
static int
team_from_row(sqlite3_stmt *st, void *arg)
{
	struct team *t = arg;
	int oom = 0;

	t->id = sqlite3_column_int64(st, 0);
	t->program_id = sqlite3_column_int64(st, 1);
	t->name = store_dup(db_col_text(st, 2), &oom);
	t->program_name = store_dup(db_col_text(st, 3), &oom);
	if (oom) {
		store_team_release(t);
		return -1;
	}
	return 0;
}

void
store_team_release(struct team *t)
{
	store_row_release(t, &team_owned);
}

int
store_team_add(struct db *db, int64_t program_id, const char *name, time_t now, int64_t *id,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_TEAM_INSERT, err);
	int rc;

	if (st == NULL)
		return -1;
	if (strchr(name, '/') != NULL)
		return fb_error_set(err, "team name \"%s\": a team name cannot contain '/' "
		    "(PROGRAM/TEAM names a team of a programme)", name);
	sqlite3_bind_int64(st, 1, program_id);
	db_bind_text(st, 2, name);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		return fb_error_set(err, "the programme has a team named \"%s\" already", name);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "adding the team");
	if (id)
		*id = db_last_id(db);
	return 0;
}

int
store_team_get(struct db *db, const char *spec, struct team *out, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_TEAM_BY_NAME, err);
	const char *slash = strchr(spec, '/');
	struct team first = { 0 };
	struct buf prog = BUF_INIT, where = BUF_INIT;
	int rc, n = 0;

	if (st == NULL)
		return -1;
	if (slash != NULL) {
		if (buf_add(&prog, spec, (size_t)(slash - spec)) < 0)
			return fb_error_set(err, "out of memory");
		db_bind_text(st, 1, slash + 1);
		db_bind_text(st, 2, prog.data);
	} else {
		db_bind_text(st, 1, spec);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == 0) {
			if (team_from_row(st, &first) < 0) {
				rc = SQLITE_NOMEM;
				break;
			}
		}
		buf_putf(&where, "%s%s/%s", n > 1 ? ", " : "", db_col_text(st, 3),
		    db_col_text(st, 2));
	}
	sqlite3_reset(st);
	buf_release(&prog);
	if (rc != SQLITE_DONE) {
		store_team_release(&first);
		buf_release(&where);
		return db_fail(db, err, "reading teams");
	}
	if (n == 1) {
		*out = first;
		buf_release(&where);
		return 0;
	}
	store_team_release(&first);
	if (n > 1)
		fb_error_set(err, "team \"%s\" exists in several programmes; say which: %s",
		    spec, buf_failed(&where) ? "(out of memory listing them)" : where.data);
	else
		fb_error_set(err, "no team \"%s\" (feedbackctl team list shows the teams)", spec);
	buf_release(&where);
	return -1;
}

int
store_team_list(struct db *db, int64_t program_id, struct team_list *out, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_TEAM_LIST, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, program_id);
	return store_rows(db, st, &out->v, &out->n, sizeof(*out->v), team_from_row, &team_owned,
	    err, "listing teams");
}

void
store_team_list_release(struct team_list *l)
{
	store_list_release(&l->v, &l->n, sizeof(*l->v), &team_owned);
}
