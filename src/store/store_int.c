/*
 * store_int — helpers shared by the store's files. See store_int.h.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "store_int.h"
#include "banned.h"

char *
store_dup(const char *s, int *oom)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL)
		*oom = 1;
	return d;
}

int
store_grow(void *v, size_t *cap, size_t n, size_t size)
{
	void **pv = v;
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	p = realloc(*pv, ncap * size);
	if (p == NULL)
		return -1;
	*pv = p;
	*cap = ncap;
	return 0;
}

int
store_step_done(struct db *db, sqlite3_stmt *st, struct fb_error *err, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, what);
	return 0;
}

void
store_bind_id(sqlite3_stmt *st, int idx, int64_t id)
{
	if (id > 0)
		sqlite3_bind_int64(st, idx, id);
	else
		sqlite3_bind_null(st, idx);
}

int
store_step_row(struct db *db, sqlite3_stmt *st, int (*map)(sqlite3_stmt *st, void *arg),
    void *arg, struct fb_error *err, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		rc = map != NULL ? map(st, arg) : 0;
		sqlite3_reset(st);
		return rc < 0 ? fb_error_set(err, "out of memory") : 0;
	}
	if (rc != SQLITE_DONE) {
		/* The message before the reset, which may clear it. */
		db_fail(db, err, what);
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return 1;
}

int
store_row(struct db *db, const char *sql, const int64_t *ids, int nids,
    int (*map)(sqlite3_stmt *st, void *arg), void *arg, struct fb_error *err, const char *what)
{
	sqlite3_stmt *st = db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	for (int i = 0; i < nids; i++)
		sqlite3_bind_int64(st, i + 1, ids[i]);
	return store_step_row(db, st, map, arg, err, what);
}

int
store_row_by_id(struct db *db, const char *sql, int64_t id,
    int (*map)(sqlite3_stmt *st, void *arg), void *arg, struct fb_error *err, const char *what)
{
	return store_row(db, sql, &id, 1, map, arg, err, what);
}

int
store_row_by_text(struct db *db, const char *sql, const char *text,
    int (*map)(sqlite3_stmt *st, void *arg), void *arg, struct fb_error *err, const char *what)
{
	sqlite3_stmt *st = db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, text);
	return store_step_row(db, st, map, arg, err, what);
}

int
store_count(struct db *db, sqlite3_stmt *st, struct fb_error *err, const char *what)
{
	int n = 0;
	int rc = store_step_row(db, st, store_map_int, &n, err, what);

	/* No row from an aggregate: something is wrong with the database. */
	if (rc == 1)
		return db_fail(db, err, what);
	return rc < 0 ? -1 : n;
}

void
store_row_release(void *row, const struct store_owned *o)
{
	for (size_t i = 0; row != NULL && o != NULL && i < o->nstrings; i++) {
		char **str = (char **)(void *)((char *)row + o->strings[i]);

		free(*str);
		*str = NULL;
	}
	for (size_t i = 0; row != NULL && o != NULL && i < o->nbufs; i++)
		buf_release((struct buf *)(void *)((char *)row + o->bufs[i]));
}

void
store_list_release(void *v, size_t *n, size_t size, const struct store_owned *o)
{
	void **pv = v;
	char *rows = *pv;

	for (size_t i = 0; i < *n; i++)
		store_row_release(rows + i * size, o);
	free(rows);
	*pv = NULL;
	*n = 0;
}

int
store_rows(struct db *db, sqlite3_stmt *st, void *v, size_t *n, size_t size,
    int (*map)(sqlite3_stmt *st, void *row), const struct store_owned *o,
    struct fb_error *err, const char *what)
{
	void **pv = v;
	size_t cap = 0;
	int rc;

	*pv = NULL;
	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (store_grow(pv, &cap, *n, size) < 0 || map(st, (char *)*pv + *n * size) < 0) {
			sqlite3_reset(st);
			store_list_release(pv, n, size, o);
			return fb_error_set(err, "out of memory %s", what);
		}
		(*n)++;
	}
	if (rc != SQLITE_DONE) {
		/* The message before the reset, which may clear it. */
		db_fail(db, err, what);
		sqlite3_reset(st);
		store_list_release(pv, n, size, o);
		return -1;
	}
	sqlite3_reset(st);
	return 0;
}

int
store_map_int(sqlite3_stmt *st, void *arg)
{
	*(int *)arg = sqlite3_column_int(st, 0);
	return 0;
}

int
store_map_int64(sqlite3_stmt *st, void *arg)
{
	*(int64_t *)arg = sqlite3_column_int64(st, 0);
	return 0;
}

int
store_map_int64_pair(sqlite3_stmt *st, void *arg)
{
	int64_t *v = arg;

	v[0] = sqlite3_column_int64(st, 0);
	v[1] = sqlite3_column_int64(st, 1);
	return 0;
}

static const size_t text_strings[] = { 0 };
const struct store_owned store_text_owned = STORE_OWNS(text_strings);

int
store_map_text(sqlite3_stmt *st, void *arg)
{
	char **s = arg;
	int oom = 0;

	*s = store_dup(db_col_text(st, 0), &oom);
	return oom ? -1 : 0;
}
