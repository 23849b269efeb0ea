/*
 * store_action — improvement actions per team. See include/store_action.h.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "store_action.h"
#include "store_int.h"
#include "store_report.h"
#include "banned.h"

static const char SQL_ACTION_INSERT[] =
	"INSERT INTO improvement_action (team_id, by_whom, term, text, author, author_name,"
	" report, inbox_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char SQL_ACTION_LIST[] =
	"SELECT a.id, a.team_id, t.name, a.by_whom || '_' || a.term, a.text, a.author,"
	" a.author_name, a.report, a.created_at,"
	" (a.by_whom = 'others') * 2 + (a.term = 'long') FROM improvement_action a"
	" JOIN team t ON t.id = a.team_id"
	" WHERE t.program_id = ?1 AND (?2 = 0 OR a.team_id = ?2)"
	" ORDER BY t.name, t.id, a.by_whom = 'others', a.term = 'long', a.id";

static const size_t action_strings[] = {
	offsetof(struct store_action, team), offsetof(struct store_action, quadrant),
	offsetof(struct store_action, text), offsetof(struct store_action, author),
	offsetof(struct store_action, author_name), offsetof(struct store_action, report),
};
static const struct store_owned action_owned = STORE_OWNS(action_strings);

int
store_action_add(struct db *db, const struct store_action_new *a, time_t now,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_ACTION_INSERT, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, a->team_id);
	sqlite3_bind_text(st, 2, a->by_whom, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->term, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, a->text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, a->author, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, a->author_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, a->report, -1, SQLITE_STATIC);
	store_bind_id(st, 8, a->inbox_id);
	sqlite3_bind_int64(st, 9, (int64_t)now);
	return store_step_done(db, st, err, "recording an improvement action");
}

static int
action_row(sqlite3_stmt *st, void *arg)
{
	struct store_action *r = arg;
	int oom = 0;

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	r->team_id = sqlite3_column_int64(st, 1);
	r->team = store_dup(db_col_text(st, 2), &oom);
	r->quadrant = store_dup(db_col_text(st, 3), &oom);
	r->text = store_dup(db_col_text(st, 4), &oom);
	r->author = store_dup(db_col_text(st, 5), &oom);
	r->author_name = store_dup((const char *)sqlite3_column_text(st, 6), &oom);
	r->report = store_dup(db_col_text(st, 7), &oom);
	r->created_at = sqlite3_column_int64(st, 8);
	r->quadrant_index = sqlite3_column_int(st, 9);
	if (oom)
		store_row_release(r, &action_owned);
	return oom ? -1 : 0;
}

int
store_action_list(struct db *db, int64_t program_id, int64_t team_id,
    struct store_action_list *out, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_ACTION_LIST, err);
	struct store_action_list l = { 0 };

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, program_id);
	sqlite3_bind_int64(st, 2, team_id);
	if (store_rows(db, st, &l.v, &l.n, sizeof(*l.v), action_row, &action_owned, err,
	    "reading the improvement actions") < 0)
		return -1;
	*out = l;
	return 0;
}

void
store_action_list_release(struct store_action_list *l)
{
	store_list_release(&l->v, &l->n, sizeof(*l->v), &action_owned);
}

int
store_report_actions_load(struct db *db, int64_t program_id, int64_t team_id,
    struct report_progress_set *s, struct fb_error *err)
{
	struct store_action_list l = { 0 };
	struct report_action *v;
	if (store_action_list(db, program_id, team_id, &l, err) < 0)
		return -1;
	if (l.n == 0)
		return 0;
	if ((v = calloc(l.n, sizeof(*v))) == NULL) {
		store_action_list_release(&l);
		return fb_error_set(err, "out of memory");
	}
	/* The texts first: the teams point into v only once nothing can fail. */
	for (size_t i = 0; i < l.n; i++) {
		v[i].quadrant = l.v[i].quadrant_index;
		if ((v[i].text = store_report_keep(&s->weekly, l.v[i].text)) == NULL) {
			free(v);
			store_action_list_release(&l);
			return fb_error_set(err, "out of memory");
		}
	}
	/* The list comes by team, then quadrant: each team's actions are one run of v, found
	 * by the team's name (unique in a programme). */
	for (size_t t = 0; t < s->in.nteams; t++) {
		size_t first = l.n, n = 0;

		for (size_t i = 0; i < l.n; i++) {
			if (strcmp(l.v[i].team, s->teams[t].name) != 0)
				continue;
			if (n++ == 0)
				first = i;
		}
		s->teams[t].actions = n > 0 ? v + first : NULL;
		s->teams[t].nactions = n;
	}
	free(s->actions);
	s->actions = v;
	store_action_list_release(&l);
	return 0;
}
