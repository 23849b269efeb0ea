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
 * Read one row: prepare sql, bind ids[0..nids) to ?1.., step once. On a row call map(st, arg)
 * (NULL: nothing to read) and return 0, or -1 when map returns < 0 (map sets err); 1 when
 * there is no row; -1 with SQLite's message after what on a database error. The statement
 * is reset in every case, so what map keeps must be copied.
 */
int store_row(struct db *db, const char *sql, const int64_t *ids, int nids,
    int (*map)(sqlite3_stmt *st, void *arg), void *arg, struct fb_error *err, const char *what);
/* store_row() with the one id ?1. */
int store_row_by_id(struct db *db, const char *sql, int64_t id,
    int (*map)(sqlite3_stmt *st, void *arg), void *arg, struct fb_error *err, const char *what);

#endif
