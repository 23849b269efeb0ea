/*
 * store_int.h — helpers shared by the store's own files (not part of any interface).
 */
#ifndef FB_STORE_INT_H
#define FB_STORE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "fberror.h"

/* strdup that keeps NULL as NULL and sets *oom on allocation failure. */
char *store_dup(const char *s, int *oom);
/* Make room for one more element in *v (n used of *cap, each size bytes). -1 on ENOMEM. */
int store_grow(void *v, size_t *cap, size_t n, size_t size);

/* Step a statement that returns no rows and reset it; -1 with SQLite's message after what. */
int store_step_done(struct db *db, sqlite3_stmt *st, struct fb_error *err, const char *what);
/* Bind an optional row id: id > 0, or SQL NULL. */
void store_bind_id(sqlite3_stmt *st, int idx, int64_t id);

/*
 * Step st (prepared and bound) once. On a row call map(st, arg) (NULL: nothing to read) and
 * return 0, or -1 with "out of memory" when map returns < 0 (map has freed what it filled);
 * 1 when there is no row; -1 with SQLite's message after what on a database error. st is
 * reset in every case, so what map keeps must be copied.
 */
int store_step_row(struct db *db, sqlite3_stmt *st, int (*map)(sqlite3_stmt *st, void *arg),
    void *arg, struct fb_error *err, const char *what);
/* store_step_row() of sql with ids[0..nids) bound to ?1.. */
int store_row(struct db *db, const char *sql, const int64_t *ids, int nids,
    int (*map)(sqlite3_stmt *st, void *arg), void *arg, struct fb_error *err, const char *what);
/* store_step_row() of sql with the one id ?1. */
int store_row_by_id(struct db *db, const char *sql, int64_t id,
    int (*map)(sqlite3_stmt *st, void *arg), void *arg, struct fb_error *err, const char *what);
/* store_step_row() of sql with the one text ?1. */
int store_row_by_text(struct db *db, const char *sql, const char *text,
    int (*map)(sqlite3_stmt *st, void *arg), void *arg, struct fb_error *err, const char *what);

/*
 * store_step_row() of an aggregate, which always has its row: column 0 as an int (a count:
 * >= 0), or -1 with SQLite's message after what.
 */
int store_count(struct db *db, sqlite3_stmt *st, struct fb_error *err, const char *what);

/*
 * What a row of the store's lists ({ T *v; size_t n; }) owns, by byte offsets (offsetof): the
 * char * members at strings[0..nstrings) and the struct buf members at bufs[0..nbufs).
 * STORE_OWNS(strings) for rows that own strings only.
 */
struct store_owned {
	const size_t *strings;
	size_t nstrings;
	const size_t *bufs;
	size_t nbufs;
};
#define STORE_NSTRINGS(a) (sizeof(a) / sizeof((a)[0]))
#define STORE_OWNS(strings) { (strings), STORE_NSTRINGS(strings), NULL, 0 }
/*
 * store_row_release() frees what row owns (o NULL: nothing), setting its strings to NULL and
 * its buffers to empty (row NULL: nothing); store_list_release() does so for each of the *n
 * rows of size bytes at *(T **)v, frees the array and empties the list.
 */
void store_row_release(void *row, const struct store_owned *o);
void store_list_release(void *v, size_t *n, size_t size, const struct store_owned *o);
/*
 * Step st (prepared and bound) to its end, each row into a new element (size bytes) of the
 * list at *(T **)v with *n rows, by map(st, row) (-1 when out of memory, the row released).
 * 0; or -1 with err ("out of memory <what>", or SQLite's message after what) and the list
 * released (what its rows own: o) and empty.
 */
int store_rows(struct db *db, sqlite3_stmt *st, void *v, size_t *n, size_t size,
    int (*map)(sqlite3_stmt *st, void *row), const struct store_owned *o,
    struct fb_error *err, const char *what);
/* Maps for store_step_row() and store_rows(): column 0 into *(int *)arg, *(int64_t *)arg. */
int store_map_int(sqlite3_stmt *st, void *arg);
int store_map_int64(sqlite3_stmt *st, void *arg);
/* A map for store_step_row(): columns 0 and 1 into ((int64_t *)arg)[0] and [1]. */
int store_map_int64_pair(sqlite3_stmt *st, void *arg);
/* A map for store_rows(): column 0 as a new string ("" for SQL NULL) into *(char **)arg;
 * store_text_owned is what such a row owns. */
int store_map_text(sqlite3_stmt *st, void *arg);
extern const struct store_owned store_text_owned;

#endif

