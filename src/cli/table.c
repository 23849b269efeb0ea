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
	size_t *max;    /* per column, 0: none */
};

/* The code point of the valid UTF-8 sequence at s, its length in *n. */
static unsigned long
decode(const unsigned char *s, size_t *n)
{
	if (s[0] < 0x80) {
		*n = 1;
		return s[0];
	}
	if (s[0] < 0xE0) {
		*n = 2;
		return ((s[0] & 0x1Ful) << 6) | (s[1] & 0x3F);
	}
	if (s[0] < 0xF0) {
		*n = 3;
		return ((s[0] & 0x0Ful) << 12) | ((s[1] & 0x3Ful) << 6) | (s[2] & 0x3F);
	}
	*n = 4;
	return ((s[0] & 0x07ul) << 18) | ((s[1] & 0x3Ful) << 12) | ((s[2] & 0x3Ful) << 6) |
	    (s[3] & 0x3F);
}

/* Terminal columns of code point c: 0 for combining marks and zero-width characters, 2 for
 * the East Asian wide ranges and emoji, else 1 (wcwidth()'s answer for the scripts that
 * occur in names and subjects, without depending on the locale the CLI runs in). */
static size_t
cp_width(unsigned long c)
{
	static const unsigned long zero[][2] = {
		{ 0x0300, 0x036F }, { 0x0483, 0x0489 }, { 0x0591, 0x05BD }, { 0x0610, 0x061A },
		{ 0x064B, 0x065F }, { 0x0E31, 0x0E31 }, { 0x0E34, 0x0E3A }, { 0x1AB0, 0x1AFF },
		{ 0x1DC0, 0x1DFF }, { 0x200B, 0x200F }, { 0x202A, 0x202E }, { 0x2060, 0x2064 },
		{ 0x20D0, 0x20FF }, { 0xFE00, 0xFE0F }, { 0xFE20, 0xFE2F }, { 0xFEFF, 0xFEFF },
		{ 0xE0100, 0xE01EF },
	};
	static const unsigned long wide[][2] = {
		{ 0x1100, 0x115F }, { 0x231A, 0x231B }, { 0x2329, 0x232A }, { 0x23E9, 0x23EC },
		{ 0x25FD, 0x25FE }, { 0x2614, 0x2615 }, { 0x2648, 0x2653 }, { 0x26A1, 0x26A1 },
		{ 0x26BD, 0x26BE }, { 0x26C4, 0x26C5 }, { 0x26D4, 0x26D4 }, { 0x26EA, 0x26EA },
		{ 0x26F2, 0x26F5 }, { 0x26FA, 0x26FD }, { 0x2705, 0x2705 }, { 0x270A, 0x270B },
		{ 0x2728, 0x2728 }, { 0x274C, 0x274C }, { 0x2753, 0x2755 }, { 0x2757, 0x2757 },
		{ 0x2795, 0x2797 }, { 0x27B0, 0x27B0 }, { 0x2B1B, 0x2B1C }, { 0x2B50, 0x2B50 },
		{ 0x2E80, 0x303E }, { 0x3041, 0x33FF }, { 0x3400, 0x4DBF }, { 0x4E00, 0x9FFF },
		{ 0xA000, 0xA4CF }, { 0xAC00, 0xD7A3 }, { 0xF900, 0xFAFF }, { 0xFE30, 0xFE4F },
		{ 0xFF00, 0xFF60 }, { 0xFFE0, 0xFFE6 }, { 0x1F004, 0x1F004 }, { 0x1F0CF, 0x1F0CF },
		{ 0x1F18E, 0x1F18E }, { 0x1F191, 0x1F19A }, { 0x1F200, 0x1F251 },
		{ 0x1F300, 0x1F64F }, { 0x1F680, 0x1F6FF }, { 0x1F900, 0x1F9FF },
		{ 0x1FA70, 0x1FAFF }, { 0x20000, 0x3FFFD },
	};

	for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		if (c >= zero[i][0] && c <= zero[i][1])
			return 0;
	for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (c >= wide[i][0] && c <= wide[i][1])
			return 2;
	return 1;
}

size_t
table_text_width(const char *s, size_t len)
{
	size_t w = 0, n;

	for (size_t i = 0; i < len; i += n)
		w += cp_width(decode((const unsigned char *)s + i, &n));
	return w;
}

/*
 * The cell as shown into out: valid UTF-8 (buf_add_utf8), control characters as spaces, and
 * at most max columns (0: any), cut before a whole character with "…" as the last column.
 * Zero-width characters after the cut point go with it, so an accent stays on its letter.
 */
static int
cell_text(const char *v, size_t max, struct buf *out)
{
	struct buf clean = BUF_INIT;
	size_t w = 0, n, cut = 0;
	int rc = -1;

	if (buf_add_utf8(&clean, v, strlen(v)) < 0)
		goto out;
	for (size_t i = 0; i < clean.len; i++)
		if ((unsigned char)clean.data[i] < 0x20 || clean.data[i] == 0x7F)
			clean.data[i] = ' ';
	if (max == 0 || table_text_width(clean.data, clean.len) <= max) {
		rc = buf_add(out, clean.data, clean.len);
		goto out;
	}
	for (size_t i = 0; i < clean.len; i += n) {
		size_t cw = cp_width(decode((const unsigned char *)clean.data + i, &n));

		if (w + cw > max - 1)
			break;
		w += cw;
		cut = i + n;
	}
	rc = buf_add(out, clean.data, cut) < 0 || buf_adds(out, "\u2026") < 0 ? -1 : 0;
out:
	buf_release(&clean);
	return rc;
}

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
		struct buf text = BUF_INIT;
		char *d;
		size_t w;

		if (cell_text(cells[i] ? cells[i] : "-", t->max[i], &text) < 0 ||
		    (d = buf_detach(&text, NULL)) == NULL) {
			buf_release(&text);
			while (i-- > 0)
				free(t->cells[t->nrows * t->ncols + i]);
			return -1;
		}
		t->cells[t->nrows * t->ncols + i] = d;
		w = table_text_width(d, strlen(d));
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
	t->max = calloc(ncols, sizeof(*t->max));
	if (t->width == NULL || t->max == NULL || table_put_row(t, headers) < 0) {
		table_free(t);
		return NULL;
	}
	return t;
}

void
table_set_max(struct table *t, size_t col, size_t max)
{
	if (col < t->ncols && (max == 0 || max >= 2))
		t->max[col] = max;
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
				for (size_t w = table_text_width(v, strlen(v)); w < t->width[i] + 2;
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
	free(t->max);
	free(t);
}
