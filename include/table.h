/*
 * table — aligned text tables for feedbackctl's output. Widths are counted in terminal
 * columns of UTF-8 text, so "Mëijer" lines up: a combining accent takes none, a CJK character
 * or an emoji two. Cells come from outside (subjects, senders): bytes that are not UTF-8 show
 * as U+FFFD and control characters (a tab, a line break) as a space, so no cell can move the
 * columns of the next. A column may have a maximum width: longer cells end in "…" there.
 */
#ifndef FB_TABLE_H
#define FB_TABLE_H

#include <stddef.h>
#include <stdio.h>

struct table;

/* headers: ncols column titles (copied). Caller frees with table_free(). NULL on ENOMEM. */
struct table *table_new(size_t ncols, const char *const *headers);
/* Cells of column col wider than max columns (max >= 2) are cut to max, the last being
 * "…". Set before adding rows; 0 = no maximum (the default). */
void table_set_max(struct table *t, size_t col, size_t max);
/* Add a row of ncols cells (copied; NULL prints as "-"). -1 on ENOMEM. */
int table_add(struct table *t, const char *const *cells);
void table_print(const struct table *t, FILE *out);
/* The terminal columns of the valid UTF-8 text s[0..len) (see above). */
size_t table_text_width(const char *s, size_t len);
void table_free(struct table *t);

#endif
