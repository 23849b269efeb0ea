/*
 * addrswap — another sender address in a composed message. See include/addrswap.h.
 *
 * The message is read as compose writes it (CRLF lines, a header, multipart bodies with a
 * boundary parameter, leaves with a Content-Transfer-Encoding) and changed by splicing: each
 * change is a byte range of the input and its replacement, collected first and applied in one
 * pass at the end, so that a message of any other shape is refused with nothing changed.
 * libetpan decodes and encodes the bodies (the writer compose's parts come from), so a part
 * encoded again looks as compose would have made it with the new address.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#include "addrswap.h"
#include "banned.h"

#define EDITS_MAX 64     /* parts changed; compose makes at most a handful */
#define DEPTH_MAX 8      /* multipart nesting */
#define BOUNDARY_MAX 200 /* RFC 2046: at most 70, with room for other writers */
#define ICAL_FOLD 75     /* RFC 5545 3.1: lines of at most 75 octets */

struct edit {
	size_t at, len;
	struct buf with;
};

struct swap {
	const char *raw;
	size_t len;
	const char *old, *new_addr;
	size_t olen;
	struct edit e[EDITS_MAX];
	size_t n;
	struct fb_error *err;
};

/* The first case-insensitive occurrence of needle[0..nl) in h[from..n), or n. */
static size_t
find_ci(const char *h, size_t n, const char *needle, size_t nl, size_t from)
{
	for (size_t i = from; nl > 0 && i + nl <= n; i++)
		if (strncasecmp(h + i, needle, nl) == 0)
			return i;
	return n;
}

/* s[0..n) with every occurrence of the old address replaced, appended to out. */
static void
replace_all(const struct swap *sw, const char *s, size_t n, struct buf *out)
{
	size_t pos = 0, at;

	while ((at = find_ci(s, n, sw->old, sw->olen, pos)) < n) {
		buf_put(out, s + pos, at - pos);
		buf_puts(out, sw->new_addr);
		pos = at + sw->olen;
	}
	buf_put(out, s + pos, n - pos);
}

/* The value of header field name in h[0..hl) (lines separated by CRLF, continuation lines
 * included): its range [*vs, *ve). 0, or -1 when there is none. */
static int
field(const char *h, size_t hl, const char *name, size_t *vs, size_t *ve)
{
	size_t nl = strlen(name);

	for (size_t pos = 0; pos < hl; ) {
		size_t eol = find_ci(h, hl, "\r\n", 2, pos);

		if (eol - pos > nl && strncasecmp(h + pos, name, nl) == 0 && h[pos + nl] == ':') {
			*vs = pos + nl + 1;
			while (eol + 2 < hl && (h[eol + 2] == ' ' || h[eol + 2] == '\t'))
				eol = find_ci(h, hl, "\r\n", 2, eol + 2);
			*ve = eol;
			return 0;
		}
		pos = eol + 2;
	}
	return -1;
}

static size_t
skip_space(const char *s, size_t i, size_t n)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	return i;
}

/* 1 when the value v[0..n) starts with word (case-insensitive, after spaces). */
static int
starts(const char *v, size_t n, const char *word)
{
	size_t i = skip_space(v, 0, n), wl = strlen(word);

	return n - i >= wl && strncasecmp(v + i, word, wl) == 0;
}

/* The boundary parameter of a Content-Type value into out[BOUNDARY_MAX + 1]; -1: none. */
static int
boundary_of(const char *v, size_t n, char out[BOUNDARY_MAX + 1])
{
	size_t i = find_ci(v, n, "boundary=", 9, 0), j;

	if (i == n)
		return -1;
	i += 9;
	if (i < n && v[i] == '"') {
		for (j = ++i; j < n && v[j] != '"'; j++)
			;
	} else {
		for (j = i; j < n && v[j] != ';' && v[j] != ' ' && v[j] != '\r' && v[j] != '\t'; j++)
			;
	}
	if (j == i || j - i > BOUNDARY_MAX)
		return -1;
	memcpy(out, v + i, j - i);
	out[j - i] = '\0';
	return 0;
}

static int
add_edit(struct swap *sw, size_t at, size_t len, struct buf *with)
{
	if (sw->n == EDITS_MAX) {
		buf_release(with);
		return fb_error_set(sw->err, "more than %d parts to change", EDITS_MAX);
	}
	sw->e[sw->n].at = at;
	sw->e[sw->n].len = len;
	sw->e[sw->n].with = *with;
	sw->n++;
	buf_init(with);
	return 0;
}

/*
 * A calendar's lines: each logical line (with its continuation lines) that holds the old
 * address and is no ATTENDEE is unfolded, changed and folded again at ICAL_FOLD octets
 * (never inside a UTF-8 sequence); every other line is copied as it is.
 */
static void
replace_ical(const struct swap *sw, const char *s, size_t n, struct buf *out)
{
	size_t pos = 0;

	while (pos < n) {
		size_t end = find_ci(s, n, "\r\n", 2, pos), next;
		struct buf line = BUF_INIT, changed = BUF_INIT;

		while (end + 2 < n && (s[end + 2] == ' ' || s[end + 2] == '\t'))
			end = find_ci(s, n, "\r\n", 2, end + 2);
		next = end < n ? end + 2 : n;
		for (size_t i = pos; i < end; i++) {
			if (s[i] == '\r' && i + 2 < end && s[i + 1] == '\n' &&
			    (s[i + 2] == ' ' || s[i + 2] == '\t'))
				i += 2;
			else
				buf_putch(&line, s[i]);
		}
		if ((line.len >= 8 && strncasecmp(line.data, "ATTENDEE", 8) == 0) ||
		    find_ci(line.data, line.len, sw->old, sw->olen, 0) == line.len) {
			buf_put(out, s + pos, next - pos);
		} else {
			size_t i = 0, room = ICAL_FOLD;

			replace_all(sw, line.data, line.len, &changed);
			while (i < changed.len) {
				size_t take = changed.len - i < room ? changed.len - i : room;

				while (take > 0 && i + take < changed.len &&
				    ((unsigned char)changed.data[i + take] & 0xC0) == 0x80)
					take--;
				if (i > 0)
					buf_puts(out, "\r\n ");
				buf_put(out, changed.data + i, take);
				i += take;
				room = ICAL_FOLD - 1;
			}
			buf_put(out, s + end, next - end);
		}
		buf_release(&line);
		buf_release(&changed);
		pos = next;
	}
}

/* A leaf's body [bs, be) in the transfer encoding of its header h[0..hl). */
static int
leaf(struct swap *sw, const char *h, size_t hl, size_t bs, size_t be, int calendar)
{
	const char *body = sw->raw + bs;
	size_t blen = be - bs, vs, ve, idx = 0, dlen = blen;
	enum { PLAIN, QP, B64 } enc = PLAIN;
	char *dec = NULL;
	const char *text = body;
	struct buf changed = BUF_INIT, with = BUF_INIT;
	MMAPString *m = NULL;
	int col = 0, rc = -1;

	if (field(h, hl, "Content-Transfer-Encoding", &vs, &ve) == 0) {
		if (starts(h + vs, ve - vs, "quoted-printable"))
			enc = QP;
		else if (starts(h + vs, ve - vs, "base64"))
			enc = B64;
		else if (!starts(h + vs, ve - vs, "7bit") && !starts(h + vs, ve - vs, "8bit"))
			return fb_error_set(sw->err, "a part in a transfer encoding of its own");
	}
	if ((enc == QP && mailmime_quoted_printable_body_parse(body, blen, &idx, &dec, &dlen,
	    0) != MAILIMF_NO_ERROR) || (enc == B64 && mailmime_base64_body_parse(body, blen,
	    &idx, &dec, &dlen) != MAILIMF_NO_ERROR))
		return fb_error_set(sw->err, "a part that does not decode");
	if (dec != NULL)
		text = dec;
	if (find_ci(text, dlen, sw->old, sw->olen, 0) == dlen) {
		rc = 0; /* nothing of the old address here */
		goto out;
	}
	if (calendar)
		replace_ical(sw, text, dlen, &changed);
	else
		replace_all(sw, text, dlen, &changed);
	if (buf_failed(&changed)) {
		fb_error_set(sw->err, "out of memory");
		goto out;
	}
	if (enc == PLAIN) {
		buf_put(&with, changed.data, changed.len);
	} else {
		m = mmap_string_new("");
		if (m == NULL || (enc == QP ? mailmime_quoted_printable_write_mem(m, &col, 1,
		    changed.data, changed.len) : mailmime_base64_write_mem(m, &col, changed.data,
		    changed.len)) != MAILIMF_NO_ERROR) {
			fb_error_set(sw->err, "out of memory encoding a part");
			goto out;
		}
		buf_put(&with, m->str, m->len);
		/* the line end before the next boundary stays the boundary's, as before */
		if (with.len >= 2 && memcmp(with.data + with.len - 2, "\r\n", 2) == 0 &&
		    !(blen >= 2 && memcmp(body + blen - 2, "\r\n", 2) == 0))
			buf_truncate(&with, with.len - 2);
		else if (blen >= 2 && memcmp(body + blen - 2, "\r\n", 2) == 0 &&
		    !(with.len >= 2 && memcmp(with.data + with.len - 2, "\r\n", 2) == 0))
			buf_puts(&with, "\r\n");
	}
	if (buf_failed(&with)) {
		fb_error_set(sw->err, "out of memory");
		goto out;
	}
	rc = add_edit(sw, bs, blen, &with);
out:
	if (dec != NULL)
		mmap_string_unref(dec);
	if (m != NULL)
		mmap_string_free(m);
	buf_release(&changed);
	buf_release(&with);
	return rc;
}

/* The part raw[start, end): its header, then a multipart's parts or a leaf's body. */
static int
part(struct swap *sw, size_t start, size_t end, int depth)
{
	const char *r = sw->raw;
	size_t he = find_ci(r, end, "\r\n\r\n", 4, start), bs, vs, ve;
	char boundary[BOUNDARY_MAX + 1], delim[BOUNDARY_MAX + 5];
	size_t dl, pos;

	if (depth > DEPTH_MAX)
		return fb_error_set(sw->err, "parts nested more than %d deep", DEPTH_MAX);
	if (he == end)
		return fb_error_set(sw->err, "a part without a header");
	bs = he + 4;
	if (field(r + start, he + 2 - start, "Content-Type", &vs, &ve) < 0)
		return 0; /* text/plain in US-ASCII: compose always names its types */
	vs += start;
	ve += start;
	if (!starts(r + vs, ve - vs, "multipart/")) {
		int cal = starts(r + vs, ve - vs, "text/calendar") ||
		    starts(r + vs, ve - vs, "application/ics");

		if (!cal && !starts(r + vs, ve - vs, "text/plain") &&
		    !starts(r + vs, ve - vs, "text/html"))
			return 0; /* an image, an attachment of another kind: no address in it */
		return leaf(sw, r + start, he + 2 - start, bs, end, cal);
	}
	if (boundary_of(r + vs, ve - vs, boundary) < 0)
		return fb_error_set(sw->err, "a multipart without its boundary");
	dl = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", boundary);
	/* the first delimiter may open the body, without the line end before it */
	pos = end - bs >= dl - 2 && memcmp(r + bs, delim + 2, dl - 2) == 0 ? bs - 2 :
	    find_ci(r, end, delim, dl, bs);
	while (pos < end) {
		size_t ps = pos + dl, pe;

		if (ps + 2 <= end && memcmp(r + ps, "--", 2) == 0)
			return 0; /* the closing delimiter */
		ps = find_ci(r, end, "\r\n", 2, ps);
		if (ps == end)
			break;
		ps += 2;
		pe = find_ci(r, end, delim, dl, ps);
		if (pe == end)
			break;
		if (part(sw, ps, pe, depth + 1) < 0)
			return -1;
		pos = pe;
	}
	return fb_error_set(sw->err, "a multipart without its closing boundary");
}

int
addrswap_from(const char *raw, size_t len, struct buf *out, struct fb_error *err)
{
	size_t he = find_ci(raw, len, "\r\n\r\n", 4, 0), vs, ve, lt, gt;

	if (field(raw, he == len ? len : he + 2, "From", &vs, &ve) < 0)
		return fb_error_set(err, "no From header");
	lt = find_ci(raw, ve, "<", 1, vs);
	gt = lt < ve ? find_ci(raw, ve, ">", 1, lt) : ve;
	if (lt < ve && gt < ve) {
		vs = lt + 1;
		ve = gt;
	} else {
		vs = skip_space(raw, vs, ve);
		while (ve > vs && (raw[ve - 1] == ' ' || raw[ve - 1] == '\t'))
			ve--;
	}
	if (buf_add(out, raw + vs, ve - vs) < 0)
		return fb_error_set(err, "out of memory");
	return 0;
}

int
addrswap_message(const char *raw, size_t len, const char *old_addr, const char *new_addr,
    struct buf *out, struct fb_error *err)
{
	struct swap sw = { .raw = raw, .len = len, .old = old_addr, .new_addr = new_addr,
	    .olen = strlen(old_addr), .err = err };
	size_t he = find_ci(raw, len, "\r\n\r\n", 4, 0), vs, ve, pos = 0;
	struct buf from = BUF_INIT, tmp = BUF_INIT;
	int rc = -1;

	if (sw.olen == 0 || *new_addr == '\0')
		return fb_error_set(err, "an address is empty");
	if (he == len)
		return fb_error_set(err, "a message without a header");
	/* The From header: the old address (in <...> or alone) becomes the new one. */
	if (field(raw, he + 2, "From", &vs, &ve) < 0) {
		fb_error_set(err, "no From header");
		goto out;
	}
	replace_all(&sw, raw + vs, ve - vs, &from);
	if (buf_failed(&from)) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	if (add_edit(&sw, vs, ve - vs, &from) < 0 || part(&sw, 0, len, 0) < 0)
		goto out;
	/* the edits are in the order of the message: splice them in */
	for (size_t i = 0; i < sw.n; i++) {
		buf_put(&tmp, raw + pos, sw.e[i].at - pos);
		buf_put(&tmp, sw.e[i].with.data, sw.e[i].with.len);
		pos = sw.e[i].at + sw.e[i].len;
	}
	buf_put(&tmp, raw + pos, len - pos);
	if (buf_failed(&tmp) || buf_add(out, tmp.data, tmp.len) < 0) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < sw.n; i++)
		buf_release(&sw.e[i].with);
	buf_release(&from);
	buf_release(&tmp);
	return rc;
}
