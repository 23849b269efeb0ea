/*
 * table — aligned text tables for feedbackctl's output (widths counted in UTF-8 characters,
 * so "Mëijer" lines up).
 */
#ifndef FB_TABLE_H
#define FB_TABLE_H

#include <stddef.h>
#include <stdio.h>

struct table;

/* headers: ncols column titles (copied). Caller frees with table_free(). NULL on ENOMEM. */
struct table *table_new(size_t ncols, const char *const *headers);
/* Add a row of ncols cells (copied; NULL prints as "-"). -1 on ENOMEM. */
int table_add(struct table *t, const char *const *cells);
void table_print(const struct table *t, FILE *out);
void table_free(struct table *t);

#endif
