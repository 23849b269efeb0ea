/*
 * message_scan — the bounds a message must keep before libetpan parses it (message.h,
 * message_scan()). libetpan builds a structure for every header field and every MIME part it
 * meets, with no limit of its own: 2 million one-line header fields in a 10 MB message cost
 * 361 MB, 300,000 empty parts 170 MB. Counting them first is one linear pass over the bytes
 * with no allocation beyond the list of boundaries, so a hostile message is refused (and
 * quarantined with this reason by the caller) at the cost of reading it once.
 *
 * What is counted:
 *   - the message's own header block: fields and bytes;
 *   - every MIME part: a delimiter line "--boundary" (for a boundary named anywhere in the
 *     message by a boundary= parameter) starts a part whose header block is counted too;
 *   - an attached message (a header block that says message/rfc822 or message/global) has a
 *     header block of its own right after it: counted as well.
 * All header blocks together share one budget of fields and one of bytes.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "message.h"
#include "banned.h"

/* Distinct boundaries remembered; more than this is refused (each needs a multipart part, and
 * MESSAGE_MAX_PARTS bounds those). */
#define SCAN_MAX_BOUNDARIES MESSAGE_MAX_PARTS

struct boundary {
	const char *s;
	size_t n;
};

struct scan {
	const char *raw;
	size_t len;
	struct boundary *b;
	size_t nb;
	size_t fields, bytes, parts;
};

static int
boundary_cmp(const void *x, const void *y)
{
	const struct boundary *a = x, *b = y;
	size_t n = a->n < b->n ? a->n : b->n;
	int c = memcmp(a->s, b->s, n);

	return c != 0 ? c : (a->n > b->n) - (a->n < b->n);
}

/* The end of the line that starts at i (the index of its '\n', or len). */
static size_t
line_end(const struct scan *sc, size_t i)
{
	const char *nl = memchr(sc->raw + i, '\n', sc->len - i);

	return nl != NULL ? (size_t)(nl - sc->raw) : sc->len;
}

/* Every boundary= value in the message, sorted and unique. 0, or -1 when there are too many
 * (err set) or memory runs out. */
static int
collect_boundaries(struct scan *sc, struct fb_error *err)
{
	size_t cap = 0, from = 0;
	const char *eq;

	/* "boundary", blanks, "=": found from each '=' (memchr skips the text between them)
	 * looking back, never into what an earlier match consumed */
	for (size_t q = 0; q < sc->len && (eq = memchr(sc->raw + q, '=', sc->len - q)) != NULL;
	    q++) {
		size_t i, j, start, end;

		q = (size_t)(eq - sc->raw);
		for (i = q; i > from && (sc->raw[i - 1] == ' ' || sc->raw[i - 1] == '\t'); i--)
			;
		if (i < from + 8 || strncasecmp(sc->raw + i - 8, "boundary", 8) != 0)
			continue;
		j = q + 1;
		while (j < sc->len && (sc->raw[j] == ' ' || sc->raw[j] == '\t'))
			j++;
		if (j < sc->len && sc->raw[j] == '"') {
			start = ++j;
			while (j < sc->len && sc->raw[j] != '"' && sc->raw[j] != '\n')
				j++;
		} else {
			start = j;
			while (j < sc->len && strchr(" \t\r\n;\"", sc->raw[j]) == NULL)
				j++;
		}
		end = j;
		if (end == start || end - start > 200)   /* RFC 2046: at most 70 characters */
			continue;
		if (sc->nb == cap) {
			struct boundary *nbv;

			if (cap >= SCAN_MAX_BOUNDARIES * 4)
				return fb_error_set(err, "message names more than %d multipart "
				    "boundaries: malformed, not read", SCAN_MAX_BOUNDARIES * 4);
			cap = cap ? cap * 2 : 8;
			nbv = realloc(sc->b, cap * sizeof(*nbv));
			if (nbv == NULL)
				return fb_error_set(err, "out of memory");
			sc->b = nbv;
		}
		sc->b[sc->nb].s = sc->raw + start;
		sc->b[sc->nb].n = end - start;
		sc->nb++;
		from = end;
		q = end > q ? end - 1 : q;
	}
	if (sc->nb > 1) {
		size_t k = 1;

		qsort(sc->b, sc->nb, sizeof(*sc->b), boundary_cmp);
		for (size_t i = 1; i < sc->nb; i++)
			if (boundary_cmp(&sc->b[i], &sc->b[k - 1]) != 0)
				sc->b[k++] = sc->b[i];
		sc->nb = k;
	}
	if (sc->nb > SCAN_MAX_BOUNDARIES)
		return fb_error_set(err, "message names %zu multipart boundaries, more than %d: "
		    "malformed, not read", sc->nb, SCAN_MAX_BOUNDARIES);
	return 0;
}

/* Is the line [i, e) a delimiter "--boundary" or a close delimiter "--boundary--"? */
static int
is_delimiter(const struct scan *sc, size_t i, size_t e)
{
	struct boundary key;

	if (sc->nb == 0 || e - i < 3 || sc->raw[i] != '-' || sc->raw[i + 1] != '-')
		return 0;
	while (e > i && (sc->raw[e - 1] == '\r' || sc->raw[e - 1] == ' ' || sc->raw[e - 1] == '\t'))
		e--;
	key.s = sc->raw + i + 2;
	key.n = e - i - 2;
	if (bsearch(&key, sc->b, sc->nb, sizeof(*sc->b), boundary_cmp) != NULL)
		return 1;
	if (key.n > 2 && sc->raw[e - 1] == '-' && sc->raw[e - 2] == '-') {
		key.n -= 2;
		if (bsearch(&key, sc->b, sc->nb, sizeof(*sc->b), boundary_cmp) != NULL)
			return 2;
	}
	return 0;
}

/*
 * Count the header block starting at i (up to its empty line) into the budget. Returns the
 * index after the block, or (size_t)-1 when the budget is exceeded (err set). *attached: the
 * block says its body is a message (message/rfc822, message/global).
 */
static size_t
count_block(struct scan *sc, size_t i, int *attached, struct fb_error *err)
{
	*attached = 0;
	while (i < sc->len) {
		size_t e = line_end(sc, i), n = e - i;

		if (n == 0 || (n == 1 && sc->raw[i] == '\r'))
			return e + 1;
		if (sc->raw[i] != ' ' && sc->raw[i] != '\t')
			sc->fields++;
		sc->bytes += n + 1;
		/* (only a Content-Type field says so; it may be folded onto the next lines, which
		 * the loop meets on its own and checks alike) */
		if (n >= 14 && (sc->raw[i] == ' ' || sc->raw[i] == '\t' ||
		    strncasecmp(sc->raw + i, "content-type", n < 12 ? n : 12) == 0))
			for (size_t k = i; k + 14 <= e; k++)
				if ((sc->raw[k] | 0x20) == 'm' && (strncasecmp(sc->raw + k,
				    "message/rfc822", 14) == 0 || strncasecmp(sc->raw + k,
				    "message/global", 14) == 0)) {
					*attached = 1;
					break;
				}
		if (sc->fields > MESSAGE_MAX_HEADER_FIELDS) {
			fb_error_set(err, "message has more than %d header fields: malformed, not "
			    "read", MESSAGE_MAX_HEADER_FIELDS);
			return (size_t)-1;
		}
		if (sc->bytes > MESSAGE_MAX_HEADER_BYTES) {
			fb_error_set(err, "message has more than %d bytes of header fields: "
			    "malformed, not read", MESSAGE_MAX_HEADER_BYTES);
			return (size_t)-1;
		}
		i = e + 1;
	}
	return sc->len;
}

/* A header block, and the attached messages' header blocks that follow it. */
static size_t
count_blocks(struct scan *sc, size_t i, struct fb_error *err)
{
	int attached = 1;

	for (int depth = 0; attached && i < sc->len && depth <= MESSAGE_MAX_DEPTH; depth++)
		if ((i = count_block(sc, i, &attached, err)) == (size_t)-1)
			return i;
	return i;
}

int
message_scan(const char *raw, size_t len, struct fb_error *err)
{
	struct scan sc = { .raw = raw, .len = len };
	size_t i;
	int rc = -1;

	if (collect_boundaries(&sc, err) < 0)
		goto out;
	if ((i = count_blocks(&sc, 0, err)) == (size_t)-1)
		goto out;
	while (i < len) {
		size_t e = line_end(&sc, i);
		int d = is_delimiter(&sc, i, e);

		i = e + 1;
		if (d != 1)
			continue;
		if (++sc.parts > MESSAGE_MAX_PARTS) {
			fb_error_set(err, "message has more than %d MIME parts", MESSAGE_MAX_PARTS);
			goto out;
		}
		if ((i = count_blocks(&sc, i, err)) == (size_t)-1)
			goto out;
	}
	rc = 0;
out:
	free(sc.b);
	return rc;
}
