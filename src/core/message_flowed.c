/*
 * message_flowed — undo RFC 3676 format=flowed for the text body (Thunderbird and Apple Mail send
 * it), so that a paragraph the person typed is one line again, as it is for every other client.
 * Called by message.c on text/plain parts with format=flowed, after the transfer encoding and the
 * charset are undone (RFC 3676 works on the decoded text).
 *
 * Per physical line: the quote prefix ('>' marks, also written "> >" as many clients do), one
 * stuffing space after it (or at the start of an unquoted line, unless a '>' follows: that space
 * is what keeps "> x" typed by the person from reading as a quote) removed, and the line is flowed
 * when what is left ends in a space and is not the signature separator "-- ". A flowed line joins
 * the next one when that has the same quote depth; it never joins across a change of depth, the
 * signature separator or an empty line (RFC 3676 would swallow that empty line; we keep it, so
 * no paragraph break a person typed is lost). With DelSp=yes the joining space is deleted.
 * One pass, no state besides the paragraph being built: bounded by the input.
 */
#include <stddef.h>
#include <string.h>

#include "message.h"
#include "banned.h"

struct flowed_line {
	const char *start;   /* the physical line */
	size_t prefix;       /* bytes of quote prefix, stuffing space included */
	const char *content; /* after prefix and stuffing */
	size_t clen;
	size_t depth;        /* number of '>' marks */
	int nl;              /* ended by a line feed */
	int flowed;
	int sigsep;
};

/* Read the line at text[0..len); returns its length including the line feed. */
static size_t
read_line(const char *text, size_t len, struct flowed_line *l)
{
	const char *nl = memchr(text, '\n', len);
	size_t end = nl != NULL ? (size_t)(nl - text) : len;
	size_t total = nl != NULL ? end + 1 : len;
	size_t k = 0;

	l->start = text;
	l->nl = nl != NULL;
	if (end > 0 && text[end - 1] == '\r')
		end--;
	l->depth = 0;
	while (k < end && text[k] == '>') {
		l->depth++;
		k++;
		/* "> > x": a space between marks belongs to the prefix */
		if (k + 1 < end && text[k] == ' ' && text[k + 1] == '>')
			k++;
	}
	if (k < end && text[k] == ' ')
		k++; /* the stuffing space */
	l->prefix = k;
	l->content = text + k;
	l->clen = end - k;
	l->sigsep = l->clen == 3 && memcmp(l->content, "-- ", 3) == 0;
	l->flowed = l->clen > 0 && l->content[l->clen - 1] == ' ' && !l->sigsep;
	return total;
}

int
message_unflow(const char *text, size_t len, int delsp, struct buf *out)
{
	size_t i = 0, open_depth = 0;
	int open = 0, last_nl = 0;

	while (i < len) {
		struct flowed_line l;

		i += read_line(text + i, len - i, &l);
		if (open && l.depth == open_depth && !l.sigsep && l.clen > 0) {
			/* a continuation: out ends with the flowed line's trailing space */
			if (delsp)
				buf_truncate(out, out->len - 1);
		} else {
			if (open && last_nl && buf_addch(out, '\n') < 0)
				return -1;
			/* a new line: quote prefix as written (with its space); an unquoted line
			 * without its stuffing space, unless what follows is a '>' — the space is
			 * what tells that line from a quote, and trim reads the text after us */
			if ((l.depth > 0 || (l.prefix > 0 && l.clen > 0 && l.content[0] == '>')) &&
			    buf_add(out, l.start, l.prefix) < 0)
				return -1;
		}
		if (buf_add(out, l.content, l.clen) < 0)
			return -1;
		open = l.flowed;
		open_depth = l.depth;
		last_nl = l.nl;
		if (!open && l.nl && buf_addch(out, '\n') < 0)
			return -1;
	}
	if (open && last_nl && buf_addch(out, '\n') < 0)
		return -1;
	return 0;
}
