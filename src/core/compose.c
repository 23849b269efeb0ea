/*
 * compose — outgoing messages built with libetpan's MIME writer. See include/compose.h.
 *
 * The order of work in compose_build(): check every input first (addresses, UTF-8, names of
 * extra headers, sizes), then build libetpan's structures (mailimf_fields for the headers, a
 * tree of struct mailmime for the body), write them with mailmime_write_mem(), and finally
 * check what came out (CRLF only, lines <= 998) before handing it to the caller. The last
 * check guards against surprises in the library: it has never fired in the tests.
 *
 * What is ours and not libetpan's, and why:
 *   - the RFC 2047 encoder (compose_encode_words): libetpan only decodes encoded-words;
 *   - the choice of transfer encoding per text part, and line-end canonicalisation;
 *   - MIME boundaries: libetpan's own come from time() and random(); ours from the token
 *     module's randomness ("=_" cannot occur in quoted-printable or base64 output, and 130
 *     random bits make a collision with a 7bit part impossible in practice).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#include "addr.h"
#include "compose.h"
#include "fbtime.h"
#include "token.h"
#include "banned.h"

/* libetpan folds a header before a word when column + word + 1 would pass 72. */
#define FOLD_COL 72
/* RFC 2047: an encoded-word is at most 75 characters. */
#define WORD_MAX 75
/* Plain (unencoded) header words longer than this are encoded instead, so that libetpan
 * never has to cut a word. */
#define PLAIN_WORD_MAX 70
/* Longest plain display name handed to libetpan as it is (it quotes it when needed). */
#define PLAIN_NAME_MAX 60
/* A 7bit text part has lines of at most this many characters. */
#define TEXT_7BIT_LINE_MAX 76
#define MSGID_MAX 250

/* ---------------------------------------------------------------------------------------
 * UTF-8
 */

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when it is not valid (overlong forms,
 * surrogates and code points above U+10FFFF are invalid). */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len, i;
	unsigned long cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static int
utf8_valid(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		k = utf8_seq((const unsigned char *)s + i, n - i);
		if (k == 0)
			return 0;
		i += k;
	}
	return 1;
}

/* ---------------------------------------------------------------------------------------
 * RFC 2047 encoded-words (the encoder only; libetpan decodes them when we read mail).
 */

/* Characters that stand for themselves in a Q-encoded word: the set RFC 2047 section 5(3)
 * allows in a phrase, so that the same words serve subjects and display names. */
static int
q_safe(unsigned char c)
{
	return isalnum(c) || c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
}

/* Header text: CR, LF and TAB are spaces. */
static unsigned char
hdr_char(unsigned char c)
{
	return c == '\r' || c == '\n' || c == '\t' ? ' ' : c;
}

static size_t
q_cost(unsigned char c)
{
	c = hdr_char(c);
	return c == ' ' || q_safe(c) ? 1 : 3;
}

static size_t
b64_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

static int
b64_add(struct buf *out, const unsigned char *s, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i < n; i += 3) {
		unsigned a = hdr_char(s[i]);
		unsigned b = i + 1 < n ? hdr_char(s[i + 1]) : 0;
		unsigned c = i + 2 < n ? hdr_char(s[i + 2]) : 0;
		char q[4];

		q[0] = tab[a >> 2];
		q[1] = tab[((a & 3) << 4) | (b >> 4)];
		q[2] = i + 1 < n ? tab[((b & 15) << 2) | (c >> 6)] : '=';
		q[3] = i + 2 < n ? tab[c & 63] : '=';
		if (buf_add(out, q, 4) < 0)
			return -1;
	}
	return 0;
}

static int
q_add(struct buf *out, const unsigned char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = hdr_char(s[i]);
		int r;

		if (c == ' ')
			r = buf_addch(out, '_');
		else if (q_safe(c))
			r = buf_addch(out, (char)c);
		else
			r = buf_addf(out, "=%02X", c);
		if (r < 0)
			return -1;
	}
	return 0;
}

int
compose_encode_words(const char *text, size_t first_max, struct buf *out)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = strlen(text), i, qtotal = 0, start = out->len, room;
	int use_b;

	if (!utf8_valid(text, n))
		return -1;
	for (i = 0; i < n; i++)
		qtotal += q_cost(s[i]);
	use_b = b64_len(n) < qtotal;
	/* A word must hold at least one 4-byte character: 12 + 12 characters in Q. */
	room = first_max < 24 ? 24 : first_max > WORD_MAX ? WORD_MAX : first_max;

	i = 0;
	while (i < n) {
		size_t j = i, enc = 0;

		/* Take whole characters while the word stays within room. */
		while (j < n) {
			size_t k = utf8_seq(s + j, n - j), next, m;

			if (use_b)
				next = b64_len(j + k - i);
			else
				for (next = enc, m = 0; m < k; m++)
					next += q_cost(s[j + m]);
			if (12 + next > room && j > i)
				break;
			enc = next;
			j += k;
		}
		if ((i > 0 && buf_addch(out, ' ') < 0) ||
		    buf_adds(out, use_b ? "=?UTF-8?B?" : "=?UTF-8?Q?") < 0 ||
		    (use_b ? b64_add(out, s + i, j - i) : q_add(out, s + i, j - i)) < 0 ||
		    buf_adds(out, "?=") < 0) {
			buf_truncate(out, start);
			return -1;
		}
		i = j;
		room = WORD_MAX;
	}
	return 0;
}

/* 1 when header text can be written as it is: printable ASCII words separated by single
 * spaces, no "=?" (it would read as an encoded-word), the first word within first_max and the
 * others within PLAIN_WORD_MAX, so that libetpan's folding keeps lines short. */
static int
header_plain(const char *s, size_t first_max)
{
	size_t n = strlen(s), i, word = 0, max = first_max;

	if (n == 0)
		return 1;
	if (s[0] == ' ' || s[n - 1] == ' ' || strstr(s, "=?") != NULL)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e)
			return 0;
		if (c == ' ') {
			if (s[i - 1] == ' ')
				return 0;
			word = 0;
			max = PLAIN_WORD_MAX;
			continue;
		}
		if (++word > max)
			return 0;
	}
	return 1;
}

/* Room for the first word of header name's value before libetpan would fold. */
static size_t
first_room(const char *name)
{
	size_t col = strlen(name) + 2;

	return col + 1 < FOLD_COL ? FOLD_COL - 1 - col : 0;
}

/* Append header text as it will be written: plain when possible, else encoded-words. */
static int
header_text(const char *field, const char *text, struct buf *out, struct fb_error *err)
{
	size_t n = strlen(text);

	if (n > COMPOSE_MAX_HEADER_TEXT)
		return fb_error_set(err, "%s is %zu bytes, more than the limit of %d", field, n,
		    COMPOSE_MAX_HEADER_TEXT);
	if (!utf8_valid(text, n))
		return fb_error_set(err, "%s is not valid UTF-8", field);
	if (header_plain(text, first_room(field)))
		return buf_adds(out, text) < 0 ? fb_error_set(err, "out of memory") : 0;
	if (compose_encode_words(text, first_room(field), out) < 0)
		return fb_error_set(err, "out of memory");
	return 0;
}

/* ---------------------------------------------------------------------------------------
 * Checking the inputs
 */

/* A bare address, checked by libetpan's parser (through addr_parse) and printable ASCII. */
static int
check_addr(const char *what, const char *s, struct buf *out, struct fb_error *err)
{
	struct buf name = BUF_INIT;
	int rc;

	if (s == NULL || *s == '\0')
		return fb_error_set(err, "%s address is missing", what);
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '<' || *p == '>')
			return fb_error_set(err, "%s address \"%.80s\" must be a bare address "
			    "(name@domain, ASCII, no spaces)", what, s);
	rc = addr_parse(s, out, &name, err);
	buf_release(&name);
	if (rc < 0)
		return fb_error_prefix(err, "%s", what);
	return 0;
}

/* "id@domain" with or without angle brackets, parsed by libetpan; the bare id into out. */
static int
msgid_bare(const char *s, struct buf *out)
{
	struct buf tmp = BUF_INIT;
	char *id = NULL;
	size_t idx = 0;
	int rc = -1;

	while (*s == ' ')
		s++;
	if (*s != '<' ? buf_addf(&tmp, "<%s>", s) < 0 : buf_adds(&tmp, s) < 0)
		goto out;
	buf_rtrim(&tmp);
	if (mailimf_msg_id_parse(tmp.data, tmp.len, &idx, &id) != MAILIMF_NO_ERROR)
		goto out;
	if (idx != tmp.len || strlen(id) > MSGID_MAX || strchr(id, '@') == NULL)
		goto out;
	for (const char *p = id; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '<' || *p == '>')
			goto out;
	rc = buf_adds(out, id);
out:
	free(id);
	buf_release(&tmp);
	return rc;
}

static const char *const reserved_headers[] = {
	"Date", "From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Message-ID", "In-Reply-To",
	"References", "Subject", "MIME-Version", "Auto-Submitted", "X-Auto-Response-Suppress",
	"Return-Path", "Received",
};

static int
check_header_name(const char *name, struct fb_error *err)
{
	size_t n = name ? strlen(name) : 0, i;

	if (n == 0 || n > 76)
		return fb_error_set(err, "extra header name \"%.80s\" must be 1 to 76 characters",
		    name ? name : "");
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '-')
			return fb_error_set(err, "extra header name \"%s\" may hold only letters, "
			    "digits and '-'", name);
	if (strncasecmp(name, "Content-", 8) == 0)
		return fb_error_set(err, "extra header %s is written by compose itself", name);
	for (i = 0; i < sizeof(reserved_headers) / sizeof(reserved_headers[0]); i++)
		if (strcasecmp(name, reserved_headers[i]) == 0)
			return fb_error_set(err, "extra header %s is written by compose itself",
			    name);
	return 0;
}

static int
check_attachment(const struct compose_attachment *a, struct fb_error *err)
{
	size_t n = a->filename ? strlen(a->filename) : 0, i;
	const char *ct = a->content_type, *slash;

	if (n == 0 || n > 100 || a->filename[0] == '.')
		return fb_error_set(err, "attachment file name \"%.100s\" must be 1 to 100 "
		    "characters, not starting with '.'", a->filename ? a->filename : "");
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)a->filename[i];

		if (!isalnum(c) && c != '.' && c != '_' && c != '-' && c != ' ')
			return fb_error_set(err, "attachment file name \"%s\" may hold only "
			    "letters, digits, '.', '_', '-' and spaces", a->filename);
	}
	if (ct == NULL || (slash = strchr(ct, '/')) == NULL || slash == ct || slash[1] == '\0' ||
	    strchr(slash + 1, '/') != NULL || strlen(ct) > 100)
		return fb_error_set(err, "attachment %s: content type \"%.100s\" is not "
		    "type/subtype", a->filename, ct ? ct : "");
	for (const char *p = ct; *p; p++)
		if (!isalnum((unsigned char)*p) && strchr("/.+-", *p) == NULL)
			return fb_error_set(err, "attachment %s: content type \"%s\" is not "
			    "type/subtype", a->filename, ct);
	if (strncasecmp(ct, "multipart/", 10) == 0 || strncasecmp(ct, "message/", 8) == 0)
		return fb_error_set(err, "attachment %s: content type %s cannot be attached",
		    a->filename, ct);
	if (a->len > COMPOSE_MAX_PART || (a->data == NULL && a->len > 0))
		return fb_error_set(err, "attachment %s is larger than %zu bytes", a->filename,
		    COMPOSE_MAX_PART);
	return 0;
}

/* An inline image: its Content-ID, then the checks of an attachment. */
static int
check_inline(const struct compose_inline *in, struct fb_error *err)
{
	const struct compose_attachment a = { in->filename, in->content_type, in->data, in->len };
	size_t n = in->content_id ? strlen(in->content_id) : 0;

	if (n == 0 || n > 100)
		return fb_error_set(err, "inline image Content-ID \"%.100s\" must be 1 to 100 "
		    "characters", in->content_id ? in->content_id : "");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in->content_id[i];

		if (!isalnum(c) && strchr(".-_@", c) == NULL)
			return fb_error_set(err, "inline image Content-ID \"%s\" may hold only "
			    "letters, digits and \".-_@\"", in->content_id);
	}
	return check_attachment(&a, err);
}

static int
check_method(const char *method, struct buf *out, struct fb_error *err)
{
	size_t n = method ? strlen(method) : 0;

	if (n == 0 || n > 32)
		return fb_error_set(err, "a calendar needs its METHOD (e.g. REQUEST)");
	for (size_t i = 0; i < n; i++) {
		if (!isalpha((unsigned char)method[i]))
			return fb_error_set(err, "calendar METHOD \"%s\" must be letters only",
			    method);
		if (buf_addch(out, (char)toupper((unsigned char)method[i])) < 0)
			return fb_error_set(err, "out of memory");
	}
	return 0;
}

/* ---------------------------------------------------------------------------------------
 * Body parts
 */

enum text_enc { ENC_7BIT, ENC_QP, ENC_BASE64 };

/* Canonical text: CRLF and lone CR become LF, a final LF is added. */
static int
text_normalise(const char *s, struct buf *out)
{
	size_t n = strlen(s), i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\r') {
			if (i + 1 < n && s[i + 1] == '\n')
				continue;
			if (buf_addch(out, '\n') < 0)
				return -1;
		} else if (buf_addch(out, s[i]) < 0)
			return -1;
	}
	if (out->len == 0 || out->data[out->len - 1] != '\n')
		return buf_addch(out, '\n');
	return 0;
}

/* The transfer encoding for normalised text (see the header). */
static enum text_enc
text_encoding(const char *s, size_t n)
{
	size_t i, col = 0;
	int plain = 1;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n') {
			if (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
				return ENC_BASE64; /* libetpan's QP writer mangles these */
			col = 0;
			continue;
		}
		if (col == 0 && n - i >= 5 && memcmp(s + i, "From ", 5) == 0)
			plain = 0;
		if (++col > TEXT_7BIT_LINE_MAX || ((c < 0x20 && c != '\t') || c > 0x7e))
			plain = 0;
	}
	return plain ? ENC_7BIT : ENC_QP;
}

static int
lf_to_crlf(const char *s, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++)
		if ((s[i] == '\n' && buf_addch(out, '\r') < 0) || buf_addch(out, s[i]) < 0)
			return -1;
	return 0;
}

static int
add_param(struct mailmime_content *ct, const char *name, const char *value)
{
	struct mailmime_parameter *p;
	char *n, *v;

	if (name == NULL)
		return 0;
	n = strdup(name);
	v = strdup(value);
	p = n && v ? mailmime_parameter_new(n, v) : NULL;
	if (p == NULL) {
		free(n);
		free(v);
		return -1;
	}
	if (clist_append(ct->ct_parameters, p) < 0) {
		mailmime_parameter_free(p);
		return -1;
	}
	return 0;
}

/*
 * A new part of type ctype with up to two parameters (name NULL: none), taking fields
 * (freed on failure). Multiparts get the boundary given instead of libetpan's own.
 */
static struct mailmime *
part_new(const char *ctype, const char *n1, const char *v1, const char *n2, const char *v2,
    struct mailmime_fields *fields, const char *boundary)
{
	struct mailmime_content *ct;
	struct mailmime *mm;

	if (fields == NULL)
		return NULL;
	ct = mailmime_content_new_with_str(ctype);
	if (ct == NULL || add_param(ct, n1, v1) < 0 || add_param(ct, n2, v2) < 0) {
		if (ct != NULL)
			mailmime_content_free(ct);
		mailmime_fields_free(fields);
		return NULL;
	}
	mm = mailmime_new_empty(ct, fields);
	if (mm == NULL) {
		mailmime_content_free(ct);
		mailmime_fields_free(fields);
		return NULL;
	}
	if (boundary != NULL) {
		for (clistiter *it = clist_begin(ct->ct_parameters); it; it = clist_next(it)) {
			struct mailmime_parameter *p = clist_content(it);
			char *b;

			if (strcasecmp(p->pa_name, "boundary") != 0)
				continue;
			if ((b = strdup(boundary)) == NULL) {
				mailmime_free(mm);
				return NULL;
			}
			free(p->pa_value);
			p->pa_value = b;
		}
	}
	return mm;
}

/* Data handed to libetpan by pointer (mailmime_set_body_text does not copy): it lives here
 * until the message is written. */
struct compose_ctx {
	struct buf text, text_crlf, html, html_crlf, boundary;
	int nboundary;
};

/* Hang body (n bytes at data, owned by the caller or ctx) on part. libetpan's API takes a
 * non-const pointer but only reads it while writing. */
static int
set_body(struct mailmime *part, const void *data, size_t n)
{
	static char empty[] = "";

	return mailmime_set_body_text(part, n ? (char *)(uintptr_t)data : empty, n) ==
	    MAILIMF_NO_ERROR ? 0 : -1;
}

/* A text/<subtype>; charset=UTF-8 part for s, normalised into norm (and crlf for base64). */
static struct mailmime *
text_part(const char *ctype, const char *s, struct buf *norm, struct buf *crlf)
{
	static const int mech[] = {
		[ENC_7BIT] = MAILMIME_MECHANISM_7BIT,
		[ENC_QP] = MAILMIME_MECHANISM_QUOTED_PRINTABLE,
		[ENC_BASE64] = MAILMIME_MECHANISM_BASE64,
	};
	struct mailmime *mm;
	enum text_enc enc;
	const struct buf *body;

	if (text_normalise(s, norm) < 0)
		return NULL;
	enc = text_encoding(norm->data, norm->len);
	body = norm;
	if (enc == ENC_BASE64) {
		/* base64 carries the canonical form of text: CRLF line ends. */
		if (lf_to_crlf(norm->data, norm->len, crlf) < 0)
			return NULL;
		body = crlf;
	}
	mm = part_new(ctype, "charset", "UTF-8", NULL, NULL,
	    mailmime_fields_new_encoding(mech[enc]), NULL);
	if (mm != NULL && set_body(mm, body->data, body->len) < 0) {
		mailmime_free(mm);
		return NULL;
	}
	return mm;
}

static struct mailmime *
multipart_new(const char *ctype, struct compose_ctx *ctx)
{
	struct buf b = BUF_INIT;
	struct mailmime *mm = NULL;

	if (buf_addf(&b, "%s_%c", ctx->boundary.data, 'a' + ctx->nboundary++) == 0)
		mm = part_new(ctype, NULL, NULL, NULL, NULL, mailmime_fields_new_empty(), b.data);
	buf_release(&b);
	return mm;
}

/* Add child to parent; child is freed when that fails. */
static int
add_child(struct mailmime *parent, struct mailmime *child)
{
	if (child == NULL)
		return -1;
	if (mailmime_smart_add_part(parent, child) != MAILIMF_NO_ERROR) {
		mailmime_free(child);
		return -1;
	}
	return 0;
}

static struct mailmime *
binary_part(const char *ctype, const char *name, const char *method, int attachment,
    const void *data, size_t len)
{
	struct mailmime_fields *fields;
	struct mailmime *mm;

	if (attachment) {
		char *fn = strdup(name);

		if (fn == NULL)
			return NULL;
		fields = mailmime_fields_new_filename(MAILMIME_DISPOSITION_TYPE_ATTACHMENT, fn,
		    MAILMIME_MECHANISM_BASE64);
		if (fields == NULL)
			free(fn);
		mm = part_new(ctype, "name", name, NULL, NULL, fields, NULL);
	} else
		mm = part_new(ctype, "charset", "UTF-8", "method", method,
		    mailmime_fields_new_encoding(MAILMIME_MECHANISM_BASE64), NULL);
	if (mm != NULL && set_body(mm, data, len) < 0) {
		mailmime_free(mm);
		return NULL;
	}
	return mm;
}

/* An inline part: Content-ID, Content-Disposition: inline; filename, base64. */
static struct mailmime *
inline_part(const struct compose_inline *in)
{
	struct mailmime_disposition *disp;
	struct mailmime_mechanism *mech;
	struct mailmime_fields *fields;
	struct mailmime *mm;
	char *fn = strdup(in->filename), *id = strdup(in->content_id);

	disp = fn ? mailmime_disposition_new_filename(MAILMIME_DISPOSITION_TYPE_INLINE, fn) : NULL;
	if (disp == NULL)
		free(fn);
	mech = mailmime_mechanism_new(MAILMIME_MECHANISM_BASE64, NULL);
	fields = disp && mech && id ? mailmime_fields_new_with_data(mech, id, NULL, disp, NULL) :
	    NULL;
	if (fields == NULL) {
		if (disp != NULL)
			mailmime_disposition_free(disp);
		if (mech != NULL)
			mailmime_mechanism_free(mech);
		free(id);
		return NULL;
	}
	mm = part_new(in->content_type, "name", in->filename, NULL, NULL, fields, NULL);
	if (mm != NULL && set_body(mm, in->data, in->len) < 0) {
		mailmime_free(mm);
		return NULL;
	}
	return mm;
}

/* The text/html part, or multipart/related around it and its inline images. */
static struct mailmime *
html_body(const struct compose_msg *m, struct compose_ctx *ctx)
{
	struct mailmime *html = text_part("text/html", m->html, &ctx->html, &ctx->html_crlf);
	struct mailmime *rel;

	if (html == NULL || m->ninlines == 0)
		return html;
	rel = multipart_new("multipart/related", ctx);
	if (rel == NULL || add_child(rel, html) < 0) {
		if (rel != NULL)
			mailmime_free(rel);
		else
			mailmime_free(html);
		return NULL;
	}
	for (size_t i = 0; i < m->ninlines; i++)
		if (add_child(rel, inline_part(&m->inlines[i])) < 0) {
			mailmime_free(rel);
			return NULL;
		}
	return rel;
}

/* The body tree (see the header for its shape). NULL when memory runs out. */
static struct mailmime *
body_build(const struct compose_msg *m, const char *method, struct compose_ctx *ctx)
{
	struct mailmime *body, *mixed;
	size_t i;

	body = text_part("text/plain", m->text, &ctx->text, &ctx->text_crlf);
	if (body == NULL)
		return NULL;
	if (m->html != NULL || m->calendar != NULL) {
		struct mailmime *alt = multipart_new("multipart/alternative", ctx);

		if (alt == NULL || add_child(alt, body) < 0) {
			if (alt != NULL)
				mailmime_free(alt);
			else
				mailmime_free(body);
			return NULL;
		}
		body = alt;
		if ((m->html != NULL && add_child(body, html_body(m, ctx)) < 0) ||
		    (m->calendar != NULL && add_child(body, binary_part("text/calendar", NULL,
		    method, 0, m->calendar, strlen(m->calendar))) < 0)) {
			mailmime_free(body);
			return NULL;
		}
	}
	if (m->calendar == NULL && m->nattachments == 0)
		return body;

	mixed = multipart_new("multipart/mixed", ctx);
	if (mixed == NULL || add_child(mixed, body) < 0) {
		if (mixed != NULL)
			mailmime_free(mixed);
		else
			mailmime_free(body);
		return NULL;
	}
	if (m->calendar != NULL && add_child(mixed, binary_part("application/ics", "invite.ics",
	    NULL, 1, m->calendar, strlen(m->calendar))) < 0)
		goto fail;
	for (i = 0; i < m->nattachments; i++) {
		const struct compose_attachment *a = &m->attachments[i];

		if (add_child(mixed, binary_part(a->content_type, a->filename, NULL, 1, a->data,
		    a->len)) < 0)
			goto fail;
	}
	return mixed;
fail:
	mailmime_free(mixed);
	return NULL;
}

/* ---------------------------------------------------------------------------------------
 * Headers
 */

static int
atext_word(const char *w, size_t n)
{
	if (n == 0 || n > PLAIN_WORD_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)w[i];

		if (!isalnum(c) && (c >= 0x80 || strchr("!#$%&'*+-/=?^_`{|}~", c) == NULL || c == 0))
			return 0;
		if (c == '=' && i + 1 < n && w[i + 1] == '?')
			return 0;
	}
	return 1;
}

/*
 * A display name as an RFC 5322 phrase: words that are atoms stay as they are, and each run
 * of other words (non-ASCII, specials) becomes one encoded-word, spaces inside it. Adjacent
 * encoded-words are avoided where possible because decoders disagree about the space between
 * them in a phrase (RFC 2047 says it is dropped, libetpan drops it, Python's email keeps it,
 * measured); only a run too long for one word is split. Names with leading, trailing or
 * double spaces are encoded whole, so that their spaces survive.
 */
static int
phrase_encode(const char *name, size_t first_max, struct buf *out)
{
	const char *p = name, *end = name + strlen(name);
	struct buf run = BUF_INIT;
	size_t start = out->len;

	if (*name == ' ' || end[-1] == ' ' || strstr(name, "  ") != NULL)
		return compose_encode_words(name, first_max, out);
	while (p < end) {
		const char *q = p, *e;

		e = strchr(p, ' ');
		e = e ? e : end;
		if (atext_word(p, (size_t)(e - p))) {
			if ((out->len > start && buf_addch(out, ' ') < 0) ||
			    buf_add(out, p, (size_t)(e - p)) < 0)
				goto fail;
			p = e < end ? e + 1 : end;
			continue;
		}
		/* The run of non-atom words from p. */
		while (e < end) {
			const char *n2 = e + 1, *e2 = strchr(n2, ' ');

			e2 = e2 ? e2 : end;
			if (atext_word(n2, (size_t)(e2 - n2)))
				break;
			e = e2;
		}
		buf_reset(&run);
		if (buf_add(&run, q, (size_t)(e - q)) < 0 ||
		    (out->len > start && buf_addch(out, ' ') < 0) ||
		    compose_encode_words(run.data, out->len > start ? WORD_MAX : first_max, out) < 0)
			goto fail;
		p = e < end ? e + 1 : end;
	}
	buf_release(&run);
	return 0;
fail:
	buf_release(&run);
	buf_truncate(out, start);
	return -1;
}

/* A field whose value is a ready string (name and value copied). */
static int
add_custom(struct mailimf_fields *f, const char *name, const char *value)
{
	char *n = strdup(name), *v = strdup(value);
	struct mailimf_field *fld = n && v ? mailimf_field_new_custom(n, v) : NULL;

	if (fld == NULL) {
		free(n);
		free(v);
		return -1;
	}
	if (mailimf_fields_add(f, fld) != MAILIMF_NO_ERROR) {
		mailimf_field_free(fld);
		return -1;
	}
	return 0;
}

/*
 * The mailbox "name <addr>" for header field: a mailimf_mailbox when libetpan can write the
 * name (plain ASCII, which it quotes as needed, or one encoded-word, which is an atom);
 * otherwise (a long non-ASCII name needing several encoded-words, which libetpan would put
 * inside a quoted string where they are not decoded) the caller writes *custom as the value.
 */
static int
mailbox_make(const char *field, const char *name, const char *addr,
    struct mailimf_mailbox **mb, struct buf *custom, struct fb_error *err)
{
	struct buf enc = BUF_INIT;
	char *dn = NULL, *as = NULL;
	struct buf clean = BUF_INIT;
	int rc = -1;

	*mb = NULL;
	if (name != NULL && *name != '\0') {
		size_t n = strlen(name);

		if (n > COMPOSE_MAX_HEADER_TEXT)
			return fb_error_set(err, "%s name is %zu bytes, more than the limit of %d",
			    field, n, COMPOSE_MAX_HEADER_TEXT);
		if (!utf8_valid(name, n))
			return fb_error_set(err, "%s name is not valid UTF-8", field);
		for (size_t i = 0; i < n; i++)
			if (buf_addch(&clean, (char)hdr_char((unsigned char)name[i])) < 0)
				goto oom;
		if (clean.len <= PLAIN_NAME_MAX && header_plain(clean.data, PLAIN_NAME_MAX)) {
			if (buf_adds(&enc, clean.data) < 0)
				goto oom;
		} else if (phrase_encode(clean.data, first_room(field), &enc) < 0)
			goto oom;
		if (strchr(enc.data, ' ') != NULL && strstr(enc.data, "=?") != NULL) {
			if (buf_addf(custom, "%s <%s>", enc.data, addr) < 0)
				goto oom;
			rc = 0;
			goto out;
		}
		if ((dn = strdup(enc.data)) == NULL)
			goto oom;
	}
	if ((as = strdup(addr)) == NULL || (*mb = mailimf_mailbox_new(dn, as)) == NULL)
		goto oom;
	rc = 0;
	goto out;
oom:
	free(dn);
	free(as);
	rc = fb_error_set(err, "out of memory");
out:
	buf_release(&enc);
	buf_release(&clean);
	return rc;
}

/* msg-ids of s (hostile: bounded, invalid ones skipped) as a clist of malloc'd strings,
 * keeping the first and the last keep - 1. NULL when there is none (or memory ran out). */
static clist *
msgid_list(const char *s, size_t keep)
{
	size_t len = strlen(s), idx = 0, count = 0;
	clist *l = clist_new();

	if (l == NULL)
		return NULL;
	while (idx < len && count < 10000) {
		char *id = NULL;
		size_t before = idx;
		struct buf ok = BUF_INIT;

		count++;
		if (mailimf_msg_id_parse(s, len, &idx, &id) != MAILIMF_NO_ERROR) {
			/* Skip one character of garbage and try again. */
			idx = before + 1;
			continue;
		}
		if (msgid_bare(id, &ok) == 0) {
			char *copy = buf_detach(&ok, NULL);

			if (copy == NULL || clist_append(l, copy) < 0)
				free(copy);
		}
		buf_release(&ok);
		free(id);
		if (idx <= before)
			idx = before + 1;
	}
	/* Drop from the second on until keep are left. */
	while (keep > 1 && (size_t)clist_count(l) > keep) {
		clistiter *second = clist_next(clist_begin(l));

		free(clist_content(second));
		clist_delete(l, second);
	}
	if (clist_isempty(l)) {
		clist_free(l);
		return NULL;
	}
	return l;
}

static void
msgid_list_free(clist *l)
{
	if (l == NULL)
		return;
	for (clistiter *it = clist_begin(l); it != NULL; it = clist_next(it))
		free(clist_content(it));
	clist_free(l);
}

/* The Message-ID to write, bare (no brackets). */
static int
message_id(const struct compose_msg *m, const char *from_addr, struct buf *out,
    struct fb_error *err)
{
	struct buf gen = BUF_INIT;
	char tok[TOKEN_LEN + 1];
	const char *token = m->token, *domain = m->domain;
	int rc;

	if (m->message_id != NULL) {
		if (msgid_bare(m->message_id, out) < 0)
			return fb_error_set(err, "Message-ID \"%.100s\" is not <id@domain>",
			    m->message_id);
		return 0;
	}
	if (token == NULL) {
		token_new(tok, m->random + TOKEN_RANDOM_BYTES);
		token = tok;
	}
	if (domain == NULL)
		domain = strrchr(from_addr, '@') + 1; /* checked by addr_parse */
	if (token_message_id(token, domain, m->random + 2 * TOKEN_RANDOM_BYTES, &gen) < 0) {
		buf_release(&gen);
		return fb_error_set(err, "cannot make a Message-ID from token \"%.40s\" and domain "
		    "\"%.100s\" (a 26-character token and a domain name are needed)", token,
		    domain);
	}
	rc = msgid_bare(gen.data, out);
	buf_release(&gen);
	return rc < 0 ? fb_error_set(err, "out of memory") : 0;
}

/* Date with the sender's offset, through fbtime (libical's zone data). */
static struct mailimf_date_time *
date_make(const struct compose_msg *m, struct fb_error *err)
{
	struct fb_local l;
	struct mailimf_date_time *dt;
	int off, zone;

	if (fbtime_to_local(m->tz ? m->tz : "UTC", m->date, &l, err) < 0) {
		fb_error_prefix(err, "Date");
		return NULL;
	}
	off = l.utc_offset < 0 ? -l.utc_offset : l.utc_offset;
	zone = off / 3600 * 100 + off % 3600 / 60;
	dt = mailimf_date_time_new(l.date.day, l.date.month, l.date.year, l.hour, l.min, l.sec,
	    l.utc_offset < 0 ? -zone : zone);
	if (dt == NULL)
		fb_error_set(err, "out of memory");
	return dt;
}

struct hdr_parts {
	struct mailimf_date_time *date;
	struct mailimf_mailbox_list *from;
	struct mailimf_address_list *reply_to, *to;
	char *msgid, *subject;
	clist *irt, *refs;
};

static void
hdr_parts_free(struct hdr_parts *h)
{
	if (h->date)
		mailimf_date_time_free(h->date);
	if (h->from)
		mailimf_mailbox_list_free(h->from);
	if (h->reply_to)
		mailimf_address_list_free(h->reply_to);
	if (h->to)
		mailimf_address_list_free(h->to);
	free(h->msgid);
	free(h->subject);
	msgid_list_free(h->irt);
	msgid_list_free(h->refs);
}

/* All headers of m as libetpan fields (NULL with err on failure). */
static struct mailimf_fields *
headers_build(const struct compose_msg *m, struct fb_error *err)
{
	struct hdr_parts h = { 0 };
	struct buf from = BUF_INIT, to = BUF_INIT, rt = BUF_INIT, subj = BUF_INIT, id = BUF_INIT;
	struct buf from_custom = BUF_INIT, to_custom = BUF_INIT, val = BUF_INIT;
	struct mailimf_mailbox *mb_from = NULL, *mb_to = NULL;
	struct mailimf_fields *f = NULL;
	size_t i;

	if (check_addr("From", m->from_addr, &from, err) < 0 ||
	    check_addr("To", m->to_addr, &to, err) < 0 ||
	    (m->reply_to != NULL && check_addr("Reply-To", m->reply_to, &rt, err) < 0))
		goto fail;
	if (m->subject == NULL) {
		fb_error_set(err, "the subject is missing");
		goto fail;
	}
	if (header_text("Subject", m->subject, &subj, err) < 0 ||
	    message_id(m, from.data, &id, err) < 0 ||
	    mailbox_make("From", m->from_name, from.data, &mb_from, &from_custom, err) < 0 ||
	    mailbox_make("To", m->to_name, to.data, &mb_to, &to_custom, err) < 0)
		goto fail;
	for (i = 0; i < m->nheaders; i++) {
		if (check_header_name(m->headers[i].name, err) < 0)
			goto fail;
		if (m->headers[i].value == NULL) {
			fb_error_set(err, "extra header %s has no value", m->headers[i].name);
			goto fail;
		}
	}
	if ((h.date = date_make(m, err)) == NULL)
		goto fail;
	if ((h.msgid = strdup(id.data)) == NULL || (h.subject = strdup(subj.data)) == NULL)
		goto oom;
	if (mb_from != NULL) {
		if ((h.from = mailimf_mailbox_list_new_empty()) == NULL ||
		    mailimf_mailbox_list_add(h.from, mb_from) != MAILIMF_NO_ERROR)
			goto oom;
		mb_from = NULL;
	}
	if (mb_to != NULL) {
		struct mailimf_address *a;

		if ((h.to = mailimf_address_list_new_empty()) == NULL ||
		    (a = mailimf_address_new(MAILIMF_ADDRESS_MAILBOX, mb_to, NULL)) == NULL)
			goto oom;
		mb_to = NULL;
		if (mailimf_address_list_add(h.to, a) != MAILIMF_NO_ERROR) {
			mailimf_address_free(a);
			goto oom;
		}
	}
	if (rt.len > 0) {
		char *a = strdup(rt.data);

		if (a == NULL || (h.reply_to = mailimf_address_list_new_empty()) == NULL ||
		    mailimf_address_list_add_mb(h.reply_to, NULL, a) != MAILIMF_NO_ERROR) {
			free(a);
			goto oom;
		}
	}
	if (m->in_reply_to != NULL)
		h.irt = msgid_list(m->in_reply_to, 1);
	if (m->references != NULL)
		h.refs = msgid_list(m->references, COMPOSE_MAX_REFERENCES);
	if (h.irt != NULL && clist_count(h.irt) > 1) {
		/* In-Reply-To names the one message answered. */
		msgid_list_free(h.irt);
		h.irt = NULL;
	}

	if ((f = mailimf_fields_new_empty()) == NULL)
		goto oom;
	/* libetpan takes ownership of what it is given when it succeeds. */
	if (mailimf_fields_add_data(f, h.date, h.from, NULL, h.reply_to, h.to, NULL, NULL,
	    h.msgid, h.irt, h.refs, h.subject) != MAILIMF_NO_ERROR)
		goto oom;
	memset(&h, 0, sizeof(h));
	if ((from_custom.len > 0 && add_custom(f, "From", from_custom.data) < 0) ||
	    (to_custom.len > 0 && add_custom(f, "To", to_custom.data) < 0))
		goto oom;
	if (m->automatic && (add_custom(f, "Auto-Submitted", "auto-generated") < 0 ||
	    add_custom(f, "X-Auto-Response-Suppress", "All") < 0))
		goto oom;
	for (i = 0; i < m->nheaders; i++) {
		buf_reset(&val);
		if (header_text(m->headers[i].name, m->headers[i].value, &val, err) < 0)
			goto fail;
		if (add_custom(f, m->headers[i].name, val.data) < 0)
			goto oom;
	}
	goto out;
oom:
	fb_error_set(err, "out of memory");
fail:
	if (f != NULL)
		mailimf_fields_free(f);
	f = NULL;
out:
	hdr_parts_free(&h);
	if (mb_from != NULL)
		mailimf_mailbox_free(mb_from);
	if (mb_to != NULL)
		mailimf_mailbox_free(mb_to);
	buf_release(&from);
	buf_release(&to);
	buf_release(&rt);
	buf_release(&subj);
	buf_release(&id);
	buf_release(&from_custom);
	buf_release(&to_custom);
	buf_release(&val);
	return f;
}

/* ---------------------------------------------------------------------------------------
 * The message
 */

/* Every line ends in CRLF, no bare CR or LF, no line longer than 998 octets. */
static int
lines_ok(const char *s, size_t n)
{
	size_t i, col = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\r') {
			if (i + 1 >= n || s[i + 1] != '\n')
				return 0;
			i++;
			col = 0;
		} else if (s[i] == '\n' || ++col > 998)
			return 0;
	}
	return n >= 2 && s[n - 2] == '\r' && s[n - 1] == '\n';
}

static int
check_inputs(const struct compose_msg *m, struct buf *method, struct fb_error *err)
{
	struct {
		const char *what, *s;
	} texts[] = { { "the text body", m->text }, { "the HTML body", m->html },
		      { "the calendar", m->calendar } };

	if (m->random == NULL)
		return fb_error_set(err, "no random bytes for the boundary and Message-ID");
	if (m->text == NULL)
		return fb_error_set(err, "the text body is missing");
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		size_t n;

		if (texts[i].s == NULL)
			continue;
		n = strlen(texts[i].s);
		if (n > COMPOSE_MAX_PART)
			return fb_error_set(err, "%s is %zu bytes, larger than the limit of %zu",
			    texts[i].what, n, COMPOSE_MAX_PART);
		if (!utf8_valid(texts[i].s, n))
			return fb_error_set(err, "%s is not valid UTF-8", texts[i].what);
	}
	if (m->calendar != NULL && check_method(m->calendar_method, method, err) < 0)
		return -1;
	if (m->nattachments > 0 && m->attachments == NULL)
		return fb_error_set(err, "attachments missing");
	if (m->nheaders > 0 && m->headers == NULL)
		return fb_error_set(err, "extra headers missing");
	for (size_t i = 0; i < m->nattachments; i++)
		if (check_attachment(&m->attachments[i], err) < 0)
			return -1;
	if (m->ninlines > 0 && (m->inlines == NULL || m->html == NULL))
		return fb_error_set(err, "inline images need an HTML body to show them");
	for (size_t i = 0; i < m->ninlines; i++) {
		if (check_inline(&m->inlines[i], err) < 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(m->inlines[i].content_id, m->inlines[j].content_id) == 0)
				return fb_error_set(err, "inline image Content-ID %s is used twice",
				    m->inlines[i].content_id);
	}
	return 0;
}

int
compose_build(const struct compose_msg *m, struct buf *out, struct fb_error *err)
{
	struct compose_ctx ctx = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT, 0 };
	struct buf method = BUF_INIT;
	struct mailimf_fields *fields = NULL;
	struct mailmime *root = NULL, *body;
	MMAPString *s = NULL;
	char tok[TOKEN_LEN + 1];
	int col = 0, rc = -1;

	if (check_inputs(m, &method, err) < 0)
		goto out;
	if ((fields = headers_build(m, err)) == NULL)
		goto out;
	token_new(tok, m->random);
	if (buf_addf(&ctx.boundary, "=_fb%s", tok) < 0)
		goto oom;
	if ((root = mailmime_new_message_data(NULL)) == NULL)
		goto oom;
	mailmime_set_imf_fields(root, fields);
	fields = NULL;
	if ((body = body_build(m, method.data, &ctx)) == NULL || add_child(root, body) < 0)
		goto oom;
	if ((s = mmap_string_new("")) == NULL)
		goto oom;
	if (mailmime_write_mem(s, &col, root) != MAILIMF_NO_ERROR) {
		fb_error_set(err, "libetpan could not write the message");
		goto out;
	}
	if ((s->len < 2 || memcmp(s->str + s->len - 2, "\r\n", 2) != 0) &&
	    mmap_string_append(s, "\r\n") == NULL)
		goto oom;
	if (!lines_ok(s->str, s->len)) {
		fb_error_set(err, "internal error: the written message has a bare line end or a "
		    "line longer than 998 octets");
		goto out;
	}
	if (buf_add(out, s->str, s->len) < 0)
		goto oom;
	rc = 0;
	goto out;
oom:
	fb_error_set(err, "out of memory");
out:
	if (s != NULL)
		mmap_string_free(s);
	if (root != NULL)
		mailmime_free(root);
	if (fields != NULL)
		mailimf_fields_free(fields);
	buf_release(&ctx.text);
	buf_release(&ctx.text_crlf);
	buf_release(&ctx.html);
	buf_release(&ctx.html_crlf);
	buf_release(&ctx.boundary);
	buf_release(&method);
	return rc;
}

/* ---------------------------------------------------------------------------------------
 * mailto:
 */

static int
pct_add(struct buf *out, const char *s, const char *keep, int crlf)
{
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		int r;

		if (crlf && c == '\n' && (p == s || p[-1] != '\r'))
			r = buf_adds(out, "%0D%0A");
		else if (isalnum(c) || (c < 0x80 && c != 0 && strchr(keep, c) != NULL))
			r = buf_addch(out, (char)c);
		else
			r = buf_addf(out, "%%%02X", c);
		if (r < 0)
			return -1;
	}
	return 0;
}

int
compose_mailto(const char *to, const char *subject, const char *body, struct buf *out)
{
	size_t start = out->len;
	char sep = '?';

	if (to == NULL || *to == '\0' || !utf8_valid(to, strlen(to)) ||
	    (subject && !utf8_valid(subject, strlen(subject))) ||
	    (body && !utf8_valid(body, strlen(body))))
		return -1;
	/* RFC 6068: '@' stays in the address; '%', '/', '?', '#', '&', '=' and the rest are
	 * encoded. In header values only the unreserved characters stay. */
	if (buf_adds(out, "mailto:") < 0 || pct_add(out, to, "-._~!$'()*+,;:@", 0) < 0)
		goto fail;
	if (subject != NULL) {
		if (buf_addf(out, "%csubject=", sep) < 0 || pct_add(out, subject, "-._~", 0) < 0)
			goto fail;
		sep = '&';
	}
	if (body != NULL &&
	    (buf_addf(out, "%cbody=", sep) < 0 || pct_add(out, body, "-._~", 1) < 0))
		goto fail;
	return 0;
fail:
	buf_truncate(out, start);
	return -1;
}
