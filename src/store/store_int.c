/*
 * store_int — helpers shared by the store's files. See store_int.h.
 */
#include <stdlib.h>
#include <string.h>

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
