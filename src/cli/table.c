/*
 * table — aligned columns for the CLI. See include/table.h.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "table.h"
#include "banned.h"

struct table {
	size_t ncols, nrows, cap;
	char **cells;   /* (nrows + 1) * ncols, the header row first */
	size_t *width;
};

static int
table_put_row(struct table *t, const char *const *cells)
{
	if (t->nrows + 1 >= t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 16;
		char **c = realloc(t->cells, ncap * t->ncols * sizeof(*c));

		if (c == NULL)
			return -1;
		t->cells = c;
		t->cap = ncap;
	}
	for (size_t i = 0; i < t->ncols; i++) {
		const char *v = cells[i] ? cells[i] : "-";
		char *d = strdup(v);
		size_t w;

		if (d == NULL) {
			while (i-- > 0)
				free(t->cells[t->nrows * t->ncols + i]);
			return -1;
		}
		t->cells[t->nrows * t->ncols + i] = d;
		w = buf_utf8_width(d, strlen(d));
		if (w > t->width[i])
			t->width[i] = w;
	}
	t->nrows++;
	return 0;
}

struct table *
table_new(size_t ncols, const char *const *headers)
{
	struct table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->ncols = ncols;
	t->width = calloc(ncols, sizeof(*t->width));
	if (t->width == NULL || table_put_row(t, headers) < 0) {
		table_free(t);
		return NULL;
	}
	return t;
}

int
table_add(struct table *t, const char *const *cells)
{
	return table_put_row(t, cells);
}

void
table_print(const struct table *t, FILE *out)
{
	struct buf line = BUF_INIT;

	for (size_t r = 0; r < t->nrows; r++) {
		buf_reset(&line);
		for (size_t i = 0; i < t->ncols; i++) {
			const char *v = t->cells[r * t->ncols + i];

			buf_puts(&line, v);
			if (i + 1 < t->ncols)
				for (size_t w = buf_utf8_width(v, strlen(v)); w < t->width[i] + 2;
				    w++)
					buf_putch(&line, ' ');
		}
		buf_rtrim(&line);
		/* a row that does not fit in memory is said so, not printed cut */
		fprintf(out, "%s\n",
		    buf_failed(&line) ? "(out of memory for this row)" : line.data);
	}
	buf_release(&line);
}

void
table_free(struct table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->width);
	free(t);
}
