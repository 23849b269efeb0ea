/*
 * store_session — sessions and their attendees. See include/store_session.h.
 */
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "store_session.h"
#include "banned.h"

static const char SQL_SESSION_INSERT[] =
	"INSERT INTO session (program_id, team_id, kind, uid, sequence, starts_at, duration_min,"
	" location, online_url, status, created_at, updated_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)";
#define SESSION_COLS \
	"s.id, s.program_id, s.team_id, s.kind, s.uid, s.sequence, s.starts_at, s.duration_min," \
	" s.location, s.online_url, s.status, t.name, s.created_at, s.updated_at," \
	" (SELECT count(*) FROM attendee a WHERE a.session_id = s.id AND a.removed = 0)," \
	" (SELECT count(*) FROM attendee a WHERE a.session_id = s.id AND a.removed = 0" \
	"   AND a.partstat = 'ACCEPTED')," \
	" (SELECT count(*) FROM attendee a WHERE a.session_id = s.id AND a.removed = 0" \
	"   AND a.partstat = 'DECLINED')," \
	" (SELECT count(*) FROM attendee a WHERE a.session_id = s.id AND a.removed = 0" \
	"   AND a.partstat = 'TENTATIVE') " \
	"FROM session s LEFT JOIN team t ON t.id = s.team_id "
static const char SQL_SESSION_GET[] = "SELECT " SESSION_COLS "WHERE s.id = ?1";
static const char SQL_SESSION_BY_UID[] = "SELECT " SESSION_COLS "WHERE s.uid = ?1";
static const char SQL_SESSION_LIST[] =
	"SELECT " SESSION_COLS "WHERE ?1 = 0 OR s.program_id = ?1 ORDER BY s.starts_at, s.id";
static const char SQL_SESSION_UPDATE[] =
	"UPDATE session SET starts_at = ?2, duration_min = ?3, location = ?4, online_url = ?5,"
	" status = ?6, sequence = ?7, updated_at = ?8 WHERE id = ?1";

#define ATTENDEE_COLS \
	"a.id, a.session_id, a.member_id, a.facilitator_id, a.address," \
	" coalesce(m.name, f.name), a.partstat, a.reply_sequence, a.replied_at, a.removed " \
	"FROM attendee a LEFT JOIN member m ON m.id = a.member_id" \
	" LEFT JOIN facilitator f ON f.id = a.facilitator_id "
static const char SQL_ATTENDEE_INVITE[] =
	"INSERT INTO attendee (session_id, member_id, facilitator_id, address)"
	" VALUES (?1, ?2, ?3, lower(?4))"
	" ON CONFLICT (session_id, address) DO UPDATE SET removed = 0,"
	" member_id = excluded.member_id, facilitator_id = excluded.facilitator_id";
static const char SQL_ATTENDEE_LIST[] =
	"SELECT " ATTENDEE_COLS "WHERE a.session_id = ?1 ORDER BY a.address";
static const char SQL_ATTENDEE_FIND[] =
	"SELECT " ATTENDEE_COLS "WHERE a.session_id = ?1 AND a.address = lower(?2)";
static const char SQL_ATTENDEE_REPLY[] =
	"UPDATE attendee SET partstat = ?2, reply_sequence = ?3, replied_at = ?4 WHERE id = ?1";
static const char SQL_ATTENDEE_REMOVE[] = "UPDATE attendee SET removed = 1 WHERE id = ?1";
static const char SQL_ATTENDEE_RESET[] =
	"UPDATE attendee SET partstat = 'NEEDS-ACTION' WHERE session_id = ?1";

/* What a row owns (store_row_release()). */
static const size_t session_strings[] = { offsetof(struct session, uid),
	offsetof(struct session, location), offsetof(struct session, online_url),
	offsetof(struct session, team_name) };
static const struct store_owned session_owned = STORE_OWNS(session_strings);
static const size_t attendee_strings[] = { offsetof(struct session_attendee, address),
	offsetof(struct session_attendee, name) };
static const struct store_owned attendee_owned = STORE_OWNS(attendee_strings);

static int
valid_kind(const char *k)
{
	return strcmp(k, "kickoff") == 0 || strcmp(k, "progress") == 0 ||
	    strcmp(k, "evaluation") == 0;
}

/* ---- sessions -------------------------------------------------------------------------------- */

int
store_session_add(struct db *db, struct session *s, time_t now, struct fb_error *err)
{
	sqlite3_stmt *st;

	if (!valid_kind(s->kind))
		return fb_error_set(err, "session kind \"%s\": use kickoff, progress or evaluation",
		    s->kind);
	if (s->uid == NULL || *s->uid == '\0' || s->duration_min <= 0)
		return fb_error_set(err, "a session needs a UID and a duration");
	if ((st = db_stmt(db, SQL_SESSION_INSERT, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, s->program_id);
	store_bind_id(st, 2, s->team_id);
	db_bind_text(st, 3, s->kind);
	db_bind_text(st, 4, s->uid);
	sqlite3_bind_int64(st, 5, s->sequence);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)s->starts_at);
	sqlite3_bind_int(st, 7, s->duration_min);
	db_bind_text(st, 8, s->location);
	db_bind_text(st, 9, s->online_url);
	db_bind_text(st, 10, s->status[0] ? s->status : "confirmed");
	sqlite3_bind_int64(st, 11, (sqlite3_int64)now);
	if (store_step_done(db, st, err, "storing a session") < 0)
		return -1;
	s->id = db_last_id(db);
	return 0;
}

/* One session row (also for store_step_row()); -1 when out of memory, s released. */
static int
session_row(sqlite3_stmt *st, void *arg)
{
	struct session *s = arg;
	int oom = 0;

	memset(s, 0, sizeof(*s));
	s->id = sqlite3_column_int64(st, 0);
	s->program_id = sqlite3_column_int64(st, 1);
	s->team_id = sqlite3_column_int64(st, 2);
	snprintf(s->kind, sizeof(s->kind), "%s", db_col_text(st, 3));
	s->uid = store_dup(db_col_text(st, 4), &oom);
	s->sequence = sqlite3_column_int64(st, 5);
	s->starts_at = (time_t)sqlite3_column_int64(st, 6);
	s->duration_min = sqlite3_column_int(st, 7);
	s->location = store_dup((const char *)sqlite3_column_text(st, 8), &oom);
	s->online_url = store_dup((const char *)sqlite3_column_text(st, 9), &oom);
	snprintf(s->status, sizeof(s->status), "%s", db_col_text(st, 10));
	s->team_name = store_dup((const char *)sqlite3_column_text(st, 11), &oom);
	s->created_at = (time_t)sqlite3_column_int64(st, 12);
	s->updated_at = (time_t)sqlite3_column_int64(st, 13);
	s->invited = sqlite3_column_int(st, 14);
	s->accepted = sqlite3_column_int(st, 15);
	s->declined = sqlite3_column_int(st, 16);
	s->tentative = sqlite3_column_int(st, 17);
	s->no_answer = s->invited - s->accepted - s->declined - s->tentative;
	if (oom) {
		store_session_release(s);
		return -1;
	}
	return 0;
}

int
store_session_get(struct db *db, int64_t id, struct session *out, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_SESSION_GET, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = store_step_row(db, st, session_row, out, err, "reading a session");
	if (rc == 1)
		return fb_error_set(err, "no session %lld (feedbackctl session list shows them)",
		    (long long)id);
	return rc;
}

int
store_session_by_uid(struct db *db, const char *uid, struct session *out, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_SESSION_BY_UID, err);

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, uid);
	return store_step_row(db, st, session_row, out, err, "reading a session");
}

int
store_session_list(struct db *db, int64_t program_id, struct session_list *out,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_SESSION_LIST, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, program_id);
	return store_rows(db, st, &out->v, &out->n, sizeof(*out->v), session_row,
	    &session_owned, err, "listing sessions");
}

void
store_session_list_release(struct session_list *l)
{
	if (l != NULL)
		store_list_release(&l->v, &l->n, sizeof(*l->v), &session_owned);
}

int
store_session_update(struct db *db, const struct session *s, time_t now, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_SESSION_UPDATE, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, s->id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)s->starts_at);
	sqlite3_bind_int(st, 3, s->duration_min);
	db_bind_text(st, 4, s->location);
	db_bind_text(st, 5, s->online_url);
	db_bind_text(st, 6, s->status);
	sqlite3_bind_int64(st, 7, s->sequence);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)now);
	return store_step_done(db, st, err, "updating a session");
}

void
store_session_release(struct session *s)
{
	store_row_release(s, &session_owned);
}

/* ---- attendees ------------------------------------------------------------------------------- */

int
store_attendee_invite(struct db *db, int64_t session_id, int64_t member_id,
    int64_t facilitator_id, const char *address, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_ATTENDEE_INVITE, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, session_id);
	store_bind_id(st, 2, member_id);
	store_bind_id(st, 3, facilitator_id);
	db_bind_text(st, 4, address);
	return store_step_done(db, st, err, "storing an attendee");
}

/* One attendee row (also for store_step_row()); -1 when out of memory, a released. */
static int
attendee_row(sqlite3_stmt *st, void *arg)
{
	struct session_attendee *a = arg;
	int oom = 0;

	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(st, 0);
	a->session_id = sqlite3_column_int64(st, 1);
	a->member_id = sqlite3_column_int64(st, 2);
	a->facilitator_id = sqlite3_column_int64(st, 3);
	a->address = store_dup(db_col_text(st, 4), &oom);
	a->name = store_dup((const char *)sqlite3_column_text(st, 5), &oom);
	snprintf(a->partstat, sizeof(a->partstat), "%s", db_col_text(st, 6));
	a->has_reply = sqlite3_column_type(st, 8) != SQLITE_NULL;
	a->reply_sequence = sqlite3_column_int64(st, 7);
	a->replied_at = (time_t)sqlite3_column_int64(st, 8);
	a->removed = sqlite3_column_int(st, 9);
	if (oom) {
		store_attendee_release(a);
		return -1;
	}
	return 0;
}

int
store_attendee_list(struct db *db, int64_t session_id, struct session_attendee_list *out,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_ATTENDEE_LIST, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, session_id);
	return store_rows(db, st, &out->v, &out->n, sizeof(*out->v), attendee_row,
	    &attendee_owned, err, "listing attendees");
}

void
store_attendee_list_release(struct session_attendee_list *l)
{
	if (l != NULL)
		store_list_release(&l->v, &l->n, sizeof(*l->v), &attendee_owned);
}

int
store_attendee_find(struct db *db, int64_t session_id, const char *address,
    struct session_attendee *out, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_ATTENDEE_FIND, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, session_id);
	db_bind_text(st, 2, address);
	return store_step_row(db, st, attendee_row, out, err, "reading an attendee");
}

int
store_attendee_reply(struct db *db, int64_t attendee_id, const char *partstat,
    int64_t sequence, time_t now, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_ATTENDEE_REPLY, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, attendee_id);
	db_bind_text(st, 2, partstat);
	sqlite3_bind_int64(st, 3, sequence);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)now);
	return store_step_done(db, st, err, "recording an answer to an invitation");
}

int
store_attendee_remove(struct db *db, int64_t attendee_id, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_ATTENDEE_REMOVE, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, attendee_id);
	return store_step_done(db, st, err, "removing an attendee");
}

int
store_attendee_reset(struct db *db, int64_t session_id, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_ATTENDEE_RESET, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, session_id);
	return store_step_done(db, st, err, "resetting the answers of a session");
}

void
store_attendee_release(struct session_attendee *a)
{
	store_row_release(a, &attendee_owned);
}

