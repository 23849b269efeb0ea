/*
 * message — raw RFC 5322 bytes → struct fb_message, with libetpan doing all MIME work:
 * mailimf for the header block, mailmime_parse for the structure, mailmime_part_parse for
 * transfer encodings, mailmime_encoded_phrase_parse for RFC 2047 and charconv for charsets.
 * HTML-only bodies go to message_html.c, format=flowed text to message_flowed.c. See message.h
 * for what comes out.
 *
 * Order: size check, line ends made CRLF (libetpan's parsers want them), a cheap upper bound on
 * MIME nesting before libetpan recurses into it, headers, then one bounded walk of the MIME tree.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#include "message.h"
#include "banned.h"

struct walk {
	struct fb_message *msg;
	struct buf plain, html;
	int have_plain, have_html;
	const struct mailmime *html_part; /* the first text/html part: decoded only when no plain */
	struct fb_error *err;
	int failed;
};

static char *
xstrndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static char *
lowercase_dup(const char *s)
{
	char *p = xstrndup(s, strlen(s));

	for (char *q = p; q != NULL && *q != '\0'; q++)
		*q = (char)tolower((unsigned char)*q);
	return p;
}

/* ------------------------------------------------------------------------------------------ */
/* Text: charsets, invalid bytes, line ends. */

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when it is not valid (overlongs,
 * surrogates and values past U+10FFFF are invalid). */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t need;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((need == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (need == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return need;
}

/* Bytes with the top bit set in any of 8 bytes, and bytes equal to zero (the classic bit
 * trick): the scans below skip plain text 8 bytes at a time, which is most of every body. */
#define WORD_ONES ((uint64_t)0x0101010101010101u)
#define WORD_HIGHS ((uint64_t)0x8080808080808080u)
#define WORD_HAS_ZERO(v) (((v) - WORD_ONES) & ~(v) & WORD_HIGHS)

/* Length of the run of ASCII at s[0..n) that add_clean_utf8 copies as it is (no CR, no NUL);
 * with any_ascii, the run of all ASCII (what utf8_valid skips). */
static size_t
ascii_run(const char *s, size_t n, int any_ascii)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t v;

		memcpy(&v, s + i, 8);
		if ((v & WORD_HIGHS) != 0 || (!any_ascii &&
		    (WORD_HAS_ZERO(v) || WORD_HAS_ZERO(v ^ (WORD_ONES * '\r')))))
			break;
	}
	while (i < n && (unsigned char)s[i] < 0x80 && (any_ascii || (s[i] != '\r' && s[i] != '\0')))
		i++;
	return i;
}

static int
utf8_valid(const char *s, size_t n)
{
	for (size_t i = 0; i < n; ) {
		size_t k = (unsigned char)s[i] < 0x80 ? ascii_run(s + i, n - i, 1) :
		    utf8_seq((const unsigned char *)s + i, n - i);

		if (k == 0)
			return 0;
		i += k;
	}
	return 1;
}

/* Append s[0..k) to out: in place when there is room (add_clean_utf8 makes it up front for all
 * it copies), else by buf_add. Most texts are copied a line or a character at a time. */
static int
put(struct buf *out, const char *s, size_t k)
{
	if (out->alloc > 0 && !out->failed && k < out->alloc - out->len) {
		memcpy(out->data + out->len, s, k);
		out->len += k;
		out->data[out->len] = '\0';
		return 0;
	}
	return buf_add(out, s, k);
}

/* Append s as valid UTF-8 with LF line ends: invalid bytes → U+FFFD, NUL dropped, CRLF and
 * lone CR → LF, a leading BOM dropped. */
static int
add_clean_utf8(struct buf *out, const char *s, size_t n)
{
	size_t i = 0;

	if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	if (buf_grow(out, n - i) < 0)
		return -1;
	while (i < n) {
		size_t k;
		int rc;

		/* the common case first: a run of plain ASCII copied in one go */
		k = i + ascii_run(s + i, n - i, 0);
		if (k > i) {
			if (put(out, s + i, k - i) < 0)
				return -1;
			i = k;
			continue;
		}
		k = utf8_seq((const unsigned char *)s + i, n - i);
		if (k == 0) {
			rc = put(out, "\xef\xbf\xbd", 3);
			k = 1;
		} else if (s[i] == '\r') {
			rc = put(out, "\n", 1);
			if (i + 1 < n && s[i + 1] == '\n')
				k = 2;
		} else if (s[i] == '\0') {
			rc = 0;
		} else {
			rc = put(out, s + i, k);
		}
		if (rc < 0)
			return -1;
		i += k;
	}
	return 0;
}

/* iso-8859-1 read as windows-1252 and ASCII as UTF-8, as browsers and mail programs do. */
static const char *
charset_alias(const char *cs)
{
	static const char *const latin1[] = { "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1",
	    "latin-1", "l1", "cp819", "ibm819", "iso-ir-100", "csisolatin1", "windows-1252",
	    "cp1252", "x-cp1252" };

	if (cs == NULL || *cs == '\0' || strcasecmp(cs, "us-ascii") == 0 ||
	    strcasecmp(cs, "ascii") == 0 || strcasecmp(cs, "utf-8") == 0 ||
	    strcasecmp(cs, "utf8") == 0 || strcasecmp(cs, "unknown-8bit") == 0 ||
	    strcasecmp(cs, "x-unknown") == 0)
		return NULL;
	for (size_t i = 0; i < sizeof(latin1) / sizeof(latin1[0]); i++)
		if (strcasecmp(cs, latin1[i]) == 0)
			return "windows-1252";
	return cs;
}

/* Convert with libetpan's charconv; 0 on success. */
static int
convert(const char *from, const char *s, size_t n, struct buf *out)
{
	char *res = NULL;
	size_t rlen = 0;
	int rc;

	if (charconv_buffer("utf-8", from, s, n, &res, &rlen) != MAIL_CHARCONV_NO_ERROR)
		return 1;
	rc = add_clean_utf8(out, res, rlen);
	charconv_buffer_free(res);
	return rc;
}

/* Does s[0..n) switch to JIS X 0208 (ESC $ B or ESC $ @), as ISO-2022-JP text does? */
static int
jis_escape(const char *s, size_t n)
{
	for (const char *p = memchr(s, '\x1b', n); p != NULL && (size_t)(p - s) + 2 < n;
	    p = memchr(p + 1, '\x1b', n - (size_t)(p - s) - 1))
		if (p[1] == '$' && (p[2] == 'B' || p[2] == '@'))
			return 1;
	return 0;
}

int
message_text_to_utf8(const char *text, size_t len, const char *charset, struct buf *out)
{
	const char *cs;
	int rc;

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		return add_clean_utf8(out, text, len);
	cs = charset_alias(charset);
	/* ISO-2022-JP is 7-bit: Japanese notices that declare no charset, or us-ascii, still
	 * switch to JIS X 0208 with ESC $ B (or ESC $ @); read them as what they are */
	if (cs == NULL && jis_escape(text, len))
		cs = "ISO-2022-JP";
	if (cs == NULL) {
		/* declared UTF-8 (or nothing): keep it, unless it is not UTF-8 at all and nothing was
		 * declared, in which case windows-1252 is the likely truth */
		if (utf8_valid(text, len) || (charset != NULL && strcasecmp(charset, "utf-8") == 0))
			return add_clean_utf8(out, text, len);
		cs = "windows-1252";
	}
	rc = convert(cs, text, len, out);
	if (rc <= 0)
		return rc;
	/* unknown charset or bytes it does not define: windows-1252 has holes, latin1 has none */
	if (utf8_valid(text, len))
		return add_clean_utf8(out, text, len);
	rc = convert("windows-1252", text, len, out);
	if (rc <= 0)
		return rc;
	rc = convert("iso-8859-1", text, len, out);
	return rc <= 0 ? rc : add_clean_utf8(out, text, len);
}

/* ------------------------------------------------------------------------------------------ */
/* Headers. */

/* Does s[0..n) hold "=?", the start of an RFC 2047 encoded word? */
static int
has_encoded_word(const char *s, size_t n)
{
	for (const char *p = s; n > 1 && (p = memchr(p, '=', n - (size_t)(p - s) - 1)) != NULL; p++)
		if (p[1] == '?')
			return 1;
	return 0;
}

/* Runs of spaces made one space, in place (what libetpan's phrase parser does to them). */
static void
collapse_spaces(struct buf *b)
{
	size_t w = 0;

	for (size_t r = 0; r < b->len; r++)
		if (b->data[r] != ' ' || w == 0 || b->data[w - 1] != ' ')
			b->data[w++] = b->data[r];
	buf_truncate(b, w);
}

/* Unfold and decode an RFC 2047 header value to clean UTF-8; NULL on ENOMEM. */
static char *
decode_value(const char *v, size_t n)
{
	struct buf unf = BUF_INIT, out = BUF_INIT;
	char *dec = NULL;
	size_t idx = 0;

	if (buf_grow(&unf, n) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '\r' || v[i] == '\n')
			continue;
		unf.data[unf.len++] = v[i] == '\t' ? ' ' : v[i]; /* room made above */
	}
	unf.data[unf.len] = '\0';
	if (!has_encoded_word(unf.data, unf.len) && utf8_valid(unf.data, unf.len)) {
		/* nothing to decode (most headers): skip the phrase parser, whose only effect on
		 * such text is collapsing runs of spaces */
		collapse_spaces(&unf);
		/* valid UTF-8 without CR (unfolded), NUL or a leading BOM is what add_clean_utf8
		 * would copy unchanged: keep the buffer itself */
		if ((unf.len < 3 || memcmp(unf.data, "\xef\xbb\xbf", 3) != 0) &&
		    memchr(unf.data, '\0', unf.len) == NULL) {
			out = unf;
			buf_init(&unf);
		} else if (add_clean_utf8(&out, unf.data, unf.len) < 0) {
			goto fail;
		}
	} else if (mailmime_encoded_phrase_parse(utf8_valid(unf.data, unf.len) ? "utf-8" :
	    "windows-1252", unf.data, unf.len, &idx, "utf-8", &dec) ==
	    MAILIMF_NO_ERROR && dec != NULL) {
		if (add_clean_utf8(&out, dec, strlen(dec)) < 0)
			goto fail;
	} else if (message_text_to_utf8(unf.data, unf.len, NULL, &out) < 0) {
		goto fail;
	}
	free(dec);
	buf_release(&unf);
	/* trim outer space */
	buf_rtrim(&out);
	{
		size_t lead = 0;

		while (lead < out.len && (out.data[lead] == ' ' || out.data[lead] == '\t'))
			lead++;
		if (lead > 0) {
			memmove(out.data, out.data + lead, out.len - lead);
			buf_truncate(&out, out.len - lead);
		}
	}
	return buf_detach(&out, NULL);
fail:
	free(dec);
	buf_release(&unf);
	buf_release(&out);
	return NULL;
}

/* libetpan's lenient parsers can hand back junk as an addr-spec: keep only local@domain. */
static int
plausible_address(const char *a)
{
	const char *at = a != NULL ? strchr(a, '@') : NULL;

	return at != NULL && at != a && at[1] != '\0' && strpbrk(a, "<>,;: \t") == NULL;
}

static int
add_address(struct fb_message *msg, const struct mailimf_mailbox *mb)
{
	struct message_address *a;

	if (mb == NULL || !plausible_address(mb->mb_addr_spec) ||
	    msg->nrecipients >= MESSAGE_MAX_HEADERS)
		return 0;
	a = realloc(msg->recipients, (msg->nrecipients + 1) * sizeof(*a));
	if (a == NULL)
		return -1;
	msg->recipients = a;
	a = &msg->recipients[msg->nrecipients];
	a->name = mb->mb_display_name != NULL ?
	    decode_value(mb->mb_display_name, strlen(mb->mb_display_name)) : NULL;
	a->addr = xstrndup(mb->mb_addr_spec, strlen(mb->mb_addr_spec));
	if (a->addr == NULL) {
		free(a->name);
		return -1;
	}
	msg->nrecipients++;
	return 0;
}

static int
add_recipients(struct fb_message *msg, const char *raw)
{
	struct mailimf_address_list *list = NULL;
	size_t idx = 0;
	int rc = 0;

	if (mailimf_address_list_parse(raw, strlen(raw), &idx, &list) != MAILIMF_NO_ERROR)
		return 0; /* unreadable: no recipients from it */
	for (clistiter *it = clist_begin(list->ad_list); it != NULL && rc == 0; it = clist_next(it)) {
		struct mailimf_address *ad = clist_content(it);

		if (ad->ad_type == MAILIMF_ADDRESS_MAILBOX) {
			rc = add_address(msg, ad->ad_data.ad_mailbox);
		} else if (ad->ad_data.ad_group != NULL && ad->ad_data.ad_group->grp_mb_list != NULL) {
			clist *l = ad->ad_data.ad_group->grp_mb_list->mb_list;

			for (clistiter *j = clist_begin(l); j != NULL && rc == 0; j = clist_next(j))
				rc = add_address(msg, clist_content(j));
		}
	}
	mailimf_address_list_free(list);
	return rc;
}

/*
 * The From header: exactly one mailbox with a plausible local@domain and nothing after it, or
 * nobody. libetpan's list parser stops quietly at what it cannot read, so "<jan@example.nl>@evil"
 * would give jan: the whole value must be consumed. Two addresses, a group ("x:;"), an empty
 * value or a second From header leave from.addr NULL and say why in from_problem.
 */
static int
set_from(struct fb_message *msg, const char *raw)
{
	struct mailimf_mailbox *mb = NULL;
	size_t idx = 0, len = strlen(raw);
	const char *at;
	int rc = 0;

	if (msg->from_problem != NULL || msg->from.addr != NULL) {
		free(msg->from.addr);
		free(msg->from.name);
		msg->from.addr = msg->from.name = NULL;
		msg->from_problem = "more than one From header";
		return 0;
	}
	if (len > MESSAGE_MAX_FROM) {
		msg->from_problem = "From header too long";
		return 0;
	}
	if (mailimf_mailbox_parse(raw, len, &idx, &mb) != MAILIMF_NO_ERROR) {
		msg->from_problem = "From is not one address";
		return 0;
	}
	/* what follows the one mailbox may only be blanks and comments (CFWS) */
	if (idx < len)
		mailimf_cfws_parse(raw, len, &idx);
	at = mb->mb_addr_spec != NULL ? strrchr(mb->mb_addr_spec, '@') : NULL;
	if (idx != len)
		msg->from_problem = raw[idx] == ',' ? "From holds more than one address" :
		    raw[idx] == ':' ? "From is a group, not one address" :
		    "From has text after its address";
	else if (!plausible_address(mb->mb_addr_spec) || strchr(mb->mb_addr_spec, '"') != NULL ||
	    at == NULL || strchr(at + 1, '.') == NULL || at[1] == '.' ||
	    at[strlen(at) - 1] == '.' || strchr(at + 1, '@') != NULL ||
	    strchr(mb->mb_addr_spec, '@') != at)
		msg->from_problem = "From is not a valid address";
	else {
		if (mb->mb_display_name != NULL &&
		    (msg->from.name = decode_value(mb->mb_display_name,
		    strlen(mb->mb_display_name))) == NULL)
			rc = -1;
		if ((msg->from.addr = xstrndup(mb->mb_addr_spec, strlen(mb->mb_addr_spec))) == NULL)
			rc = -1;
	}
	mailimf_mailbox_free(mb);
	return rc;
}

/*
 * Does mailmime_parse read a field of this name for more than its raw text? The envelope fields
 * mailimf parses by their structure (libetpan guesses them by how the name starts: Date, From,
 * Sender, Reply-To, To, Cc, Bcc, Message-ID, In-Reply-To, References, Subject) and the MIME
 * fields (Content-*, MIME-Version). It reads every other field as read_headers() does: the
 * name, ':' and the raw value up to a line end not followed by white space.
 */
static int
mime_relevant(const char *name)
{
	static const char *const starts[] = { "Date", "From", "Sender", "Reply-To", "To", "Cc",
	    "Bcc", "Message-ID", "In-Reply-To", "References", "Subject", "Content", "MIME" };

	for (size_t k = 0; k < sizeof(starts) / sizeof(starts[0]); k++)
		if (strncasecmp(name, starts[k], strlen(starts[k])) == 0)
			return 1;
	return 0;
}

/* Where field o ends when it stands at raw[p..] exactly as mailimf read it: its name, blanks,
 * ':', blanks, its raw value, CRLF. 0 when the bytes there are anything else. */
static size_t
field_end(const char *raw, size_t len, size_t p, const struct mailimf_optional_field *o)
{
	size_t nl = strlen(o->fld_name), vl = strlen(o->fld_value);

	if (len - p < nl || memcmp(raw + p, o->fld_name, nl) != 0)
		return 0;
	p += nl;
	while (p < len && (raw[p] == ' ' || raw[p] == '\t'))
		p++;
	if (p >= len || raw[p] != ':')
		return 0;
	p++;
	while (p < len && (raw[p] == ' ' || raw[p] == '\t'))
		p++;
	if (len - p < vl + 2 || memcmp(raw + p, o->fld_value, vl) != 0 || raw[p + vl] != '\r' ||
	    raw[p + vl + 1] != '\n')
		return 0;
	return p + vl + 2;
}

/* Read the header block with mailimf's generic field parser (name + raw value for every
 * field), then the structured ones we need with their own parsers. *skip is where the first
 * field mime_relevant() names starts, when every field before it was found where mailimf read
 * it (0 when not, or when there is none before it): see message_parse(). */
static int
read_headers(struct fb_message *msg, const char *raw, size_t len, size_t *skip)
{
	struct mailimf_fields *fields = NULL;
	size_t idx = 0, n, at = 0;
	int skipping = 1;
	static const char *const rcpt[] = { "To", "Cc", "Delivered-To" };

	*skip = 0;
	if (mailimf_optional_fields_parse(raw, len, &idx, &fields) != MAILIMF_NO_ERROR)
		return 0;
	n = (size_t)clist_count(fields->fld_list);
	if (n > MESSAGE_MAX_HEADERS)
		n = MESSAGE_MAX_HEADERS;
	msg->headers = calloc(n > 0 ? n : 1, sizeof(*msg->headers));
	if (msg->headers == NULL)
		goto fail;
	for (clistiter *it = clist_begin(fields->fld_list); it != NULL; it = clist_next(it)) {
		struct mailimf_field *f = clist_content(it);
		struct mailimf_optional_field *o = f->fld_data.fld_optional_field;
		struct message_header *h = &msg->headers[msg->nheaders];

		if (f->fld_type != MAILIMF_FIELD_OPTIONAL_FIELD || o == NULL) {
			skipping = 0;
			continue;
		}
		if (skipping) {
			size_t e = mime_relevant(o->fld_name) ? 0 : field_end(raw, len, at, o);

			if (e == 0)
				skipping = 0;
			else
				at = e;
		}
		if (!skipping && msg->nheaders >= n)
			break;
		if (msg->nheaders >= n)
			continue;
		h->name = xstrndup(o->fld_name, strlen(o->fld_name));
		h->value = decode_value(o->fld_value, strlen(o->fld_value));
		if (h->name == NULL || h->value == NULL) {
			free(h->name);
			free(h->value);
			goto fail;
		}
		msg->nheaders++;
		if (strcasecmp(h->name, "From") == 0 && set_from(msg, o->fld_value) < 0)
			goto fail;
		for (size_t k = 0; k < 3; k++)
			if (strcasecmp(h->name, rcpt[k]) == 0 && add_recipients(msg, o->fld_value) < 0)
				goto fail;
	}
	mailimf_fields_free(fields);
	*skip = at;
	return 0;
fail:
	mailimf_fields_free(fields);
	return -1;
}

const char *
message_header(const struct fb_message *msg, const char *name)
{
	if (msg == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < msg->nheaders; i++)
		if (strcasecmp(msg->headers[i].name, name) == 0)
			return msg->headers[i].value;
	return NULL;
}

static char *
header_dup(const struct fb_message *msg, const char *name)
{
	const char *v = message_header(msg, name);

	return v != NULL ? xstrndup(v, strlen(v)) : NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* The MIME tree. */

/* "type/subtype" of a part, lowercased, into b (text/plain when libetpan saw none). */
static int
content_type_of(const struct mailmime *m, struct buf *b)
{
	const struct mailmime_content *ct = m->mm_content_type;
	const struct mailmime_type *t;
	const char *type = "text", *sub = "plain";

	if (ct != NULL && (t = ct->ct_type) != NULL) {
		if (t->tp_type == MAILMIME_TYPE_DISCRETE_TYPE && t->tp_data.tp_discrete_type != NULL) {
			static const char *const names[] = { "", "text", "image", "audio", "video",
			    "application" };
			const struct mailmime_discrete_type *d = t->tp_data.tp_discrete_type;

			if (d->dt_type == MAILMIME_DISCRETE_TYPE_EXTENSION && d->dt_extension != NULL)
				type = d->dt_extension;
			else if (d->dt_type > 0 && d->dt_type <= MAILMIME_DISCRETE_TYPE_APPLICATION)
				type = names[d->dt_type];
		} else if (t->tp_type == MAILMIME_TYPE_COMPOSITE_TYPE &&
		    t->tp_data.tp_composite_type != NULL) {
			const struct mailmime_composite_type *c = t->tp_data.tp_composite_type;

			if (c->ct_type == MAILMIME_COMPOSITE_TYPE_MESSAGE)
				type = "message";
			else if (c->ct_type == MAILMIME_COMPOSITE_TYPE_MULTIPART)
				type = "multipart";
			else if (c->ct_token != NULL)
				type = c->ct_token;
		}
		if (ct->ct_subtype != NULL)
			sub = ct->ct_subtype;
	}
	buf_reset(b);
	if (buf_addf(b, "%s/%s", type, sub) < 0)
		return -1;
	for (size_t i = 0; i < b->len; i++)
		b->data[i] = (char)tolower((unsigned char)b->data[i]);
	return 0;
}

/* The filename of a part (disposition filename, else content-type name), or NULL. */
static const char *
part_filename(const struct mailmime *m, int *attachment)
{
	const char *name = NULL;

	*attachment = 0;
	if (m->mm_mime_fields != NULL) {
		for (clistiter *it = clist_begin(m->mm_mime_fields->fld_list); it != NULL;
		    it = clist_next(it)) {
			struct mailmime_field *f = clist_content(it);
			struct mailmime_disposition *d;

			if (f->fld_type != MAILMIME_FIELD_DISPOSITION ||
			    (d = f->fld_data.fld_disposition) == NULL)
				continue;
			if (d->dsp_type != NULL &&
			    d->dsp_type->dsp_type == MAILMIME_DISPOSITION_TYPE_ATTACHMENT)
				*attachment = 1;
			for (clistiter *j = clist_begin(d->dsp_parms); j != NULL; j = clist_next(j)) {
				struct mailmime_disposition_parm *p = clist_content(j);

				if (p->pa_type == MAILMIME_DISPOSITION_PARM_FILENAME)
					name = p->pa_data.pa_filename;
			}
		}
	}
	if (name == NULL && m->mm_content_type != NULL)
		name = mailmime_content_param_get(m->mm_content_type, "name");
	return name;
}

/* At most MESSAGE_MAX_TEXT bytes of s, cut after a line end when there is one (a base64 or
 * quoted-printable line is then whole); sets w->msg->text_truncated when it cuts. */
static size_t
text_cap(struct fb_message *msg, const char *s, size_t n)
{
	if (n <= MESSAGE_MAX_TEXT)
		return n;
	msg->text_truncated = 1;
	for (size_t i = MESSAGE_MAX_TEXT; i > MESSAGE_MAX_TEXT / 2; i--)
		if (s[i - 1] == '\n')
			return i;
	return MESSAGE_MAX_TEXT;
}

/* The decoded body of a single part (transfer encoding undone) appended to out: of its first
 * MESSAGE_MAX_TEXT bytes only (text_cap). */
static int
part_body(struct fb_message *msg, const struct mailmime *m, struct buf *out)
{
	const struct mailmime_data *d = m->mm_data.mm_single;
	char *res = NULL;
	size_t rlen = 0, idx = 0, n;
	int enc;

	if (d == NULL || d->dt_type != MAILMIME_DATA_TEXT || d->dt_data.dt_text.dt_data == NULL)
		return 0;
	n = text_cap(msg, d->dt_data.dt_text.dt_data, d->dt_data.dt_text.dt_length);
	enc = d->dt_encoded ? d->dt_encoding : MAILMIME_MECHANISM_8BIT;
	if (enc == MAILMIME_MECHANISM_7BIT || enc == MAILMIME_MECHANISM_8BIT ||
	    enc == MAILMIME_MECHANISM_BINARY || enc == MAILMIME_MECHANISM_TOKEN ||
	    enc == MAILMIME_MECHANISM_ERROR)
		return buf_add(out, d->dt_data.dt_text.dt_data, n);
	if (mailmime_part_parse(d->dt_data.dt_text.dt_data, n, &idx, enc, &res, &rlen) !=
	    MAILIMF_NO_ERROR)
		return buf_add(out, d->dt_data.dt_text.dt_data, n);
	enc = buf_add(out, res, rlen);
	mailmime_decoded_part_free(res);
	return enc;
}

static int
ends_with_ics(const char *name)
{
	size_t n = name != NULL ? strlen(name) : 0;

	return n >= 4 && strcasecmp(name + n - 4, ".ics") == 0;
}

static int
add_calendar(struct walk *w, const struct mailmime *m, const char *type)
{
	struct fb_message *msg = w->msg;
	struct message_calendar *c;
	struct buf body = BUF_INIT, text = BUF_INIT;
	const char *method = mailmime_content_param_get(m->mm_content_type, "method");

	if (msg->ncalendars >= 16)
		return 0;
	c = realloc(msg->calendars, (msg->ncalendars + 1) * sizeof(*c));
	if (c == NULL)
		return -1;
	msg->calendars = c;
	c = &msg->calendars[msg->ncalendars];
	memset(c, 0, sizeof(*c));
	if (part_body(w->msg, m, &body) < 0 ||
	    message_text_to_utf8(body.data, body.len,
	    mailmime_content_charset_get(m->mm_content_type), &text) < 0) {
		buf_release(&body);
		buf_release(&text);
		return -1;
	}
	buf_release(&body);
	c->content_type = xstrndup(type, strlen(type));
	c->method = method != NULL ? xstrndup(method, strlen(method)) : NULL;
	for (char *p = c->method; p != NULL && *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	c->data = buf_detach(&text, &c->len);
	msg->ncalendars++;
	if (c->content_type == NULL || c->data == NULL || (method != NULL && c->method == NULL))
		return -1;
	return 0;
}

/* Append text to a possibly NULL string field, separated by a newline. */
static int
append_field(char **field, const char *s, size_t n)
{
	struct buf b = BUF_INIT;

	if (*field != NULL && (buf_adds(&b, *field) < 0 || buf_addch(&b, '\n') < 0))
		goto fail;
	if (add_clean_utf8(&b, s, n) < 0)
		goto fail;
	free(*field);
	*field = buf_detach(&b, NULL);
	return *field != NULL ? 0 : -1;
fail:
	buf_release(&b);
	return -1;
}

/* The header block of an attached message: its bytes up to the first empty line. */
static int
set_original_headers(struct fb_message *msg, const char *s, size_t n)
{
	size_t end = n;

	if (msg->original_headers != NULL)
		return 0;
	for (size_t i = 0; i + 1 < n; i++) {
		if (s[i] == '\n' && (s[i + 1] == '\n' || (s[i + 1] == '\r' && i + 2 < n &&
		    s[i + 2] == '\n'))) {
			end = i + 1;
			break;
		}
	}
	return append_field(&msg->original_headers, s, end);
}

/* The text of a text/plain part: charset to UTF-8, then format=flowed undone (RFC 3676 works
 * on the decoded text). */
static int
plain_text(const struct mailmime *m, const struct buf *body, struct buf *out)
{
	const char *cs = mailmime_content_charset_get(m->mm_content_type);
	const char *format = mailmime_content_param_get(m->mm_content_type, "format");
	const char *delsp = mailmime_content_param_get(m->mm_content_type, "delsp");
	struct buf text = BUF_INIT;
	int rc;

	if (format == NULL || strcasecmp(format, "flowed") != 0)
		return message_text_to_utf8(body->data, body->len, cs, out);
	rc = message_text_to_utf8(body->data, body->len, cs, &text);
	if (rc == 0)
		rc = message_unflow(text.data, text.len, delsp != NULL &&
		    strcasecmp(delsp, "yes") == 0, out);
	buf_release(&text);
	return rc;
}

/* The text of the HTML part chosen by the walk into w->html (transfer encoding and charset
 * undone). Called only when there is no text/plain part, so the HTML half of
 * multipart/alternative mail, which is never read, is never decoded either. */
static int
html_text(struct walk *w)
{
	const struct mailmime *m = w->html_part;
	struct buf body = BUF_INIT;
	int rc;

	if ((rc = part_body(w->msg, m, &body)) == 0)
		rc = message_text_to_utf8(body.data, body.len,
		    mailmime_content_charset_get(m->mm_content_type), &w->html);
	buf_release(&body);
	return rc;
}

static int
walk_single(struct walk *w, const struct mailmime *m, const char *type, int attached)
{
	struct fb_message *msg = w->msg;
	int attachment;
	const char *fname = part_filename(m, &attachment);
	struct buf body = BUF_INIT;
	int rc = 0;

	if (strcmp(type, "message/delivery-status") == 0 ||
	    strcmp(type, "message/global-delivery-status") == 0) {
		if ((rc = part_body(w->msg, m, &body)) == 0)
			rc = append_field(&msg->delivery_status, body.data, body.len);
	} else if (strcmp(type, "text/rfc822-headers") == 0 ||
	    strcmp(type, "message/rfc822-headers") == 0 ||
	    strcmp(type, "message/rfc822") == 0 || strcmp(type, "message/global") == 0) {
		/* (message/rfc822 arrives here when libetpan could not parse it as a message) */
		if ((rc = part_body(w->msg, m, &body)) == 0)
			rc = set_original_headers(msg, body.data, body.len);
	} else if (attached) {
		rc = 0;
	} else if (strcmp(type, "text/calendar") == 0 || strcmp(type, "application/ics") == 0 ||
	    ends_with_ics(fname)) {
		rc = add_calendar(w, m, type);
	} else if (!attachment && strcmp(type, "text/plain") == 0 && !w->have_plain) {
		w->have_plain = 1;
		if ((rc = part_body(w->msg, m, &body)) == 0)
			rc = plain_text(m, &body, &w->plain);
	} else if (!attachment && strcmp(type, "text/html") == 0 && !w->have_html) {
		w->have_html = 1;
		w->html_part = m; /* read by html_text() only if no text/plain part comes */
	}
	buf_release(&body);
	return rc;
}

/* Does the multipart's body contain "--boundary" at all? */
static int
boundary_present(const struct mailmime *m)
{
	char *b = m->mm_content_type ? mailmime_extract_boundary(m->mm_content_type) : NULL;
	const char *s;
	size_t n, bl;
	int found = 0;

	if (b == NULL || m->mm_body == NULL || m->mm_body->dt_type != MAILMIME_DATA_TEXT) {
		free(b);
		return 1; /* nothing to check against: trust libetpan */
	}
	s = m->mm_body->dt_data.dt_text.dt_data;
	n = m->mm_body->dt_data.dt_text.dt_length;
	bl = strlen(b);
	for (size_t i = 0; s != NULL && bl > 0 && i + bl + 2 <= n && !found; i++)
		found = s[i] == '-' && s[i + 1] == '-' && memcmp(s + i + 2, b, bl) == 0;
	free(b);
	return found;
}

static int
walk_unsplit(struct walk *w, const struct mailmime *m, int attached)
{
	const struct mailmime_data *d = m->mm_body;

	if (attached || w->have_plain || d == NULL || d->dt_type != MAILMIME_DATA_TEXT)
		return 0;
	w->have_plain = 1;
	if (message_text_to_utf8(d->dt_data.dt_text.dt_data, text_cap(w->msg,
	    d->dt_data.dt_text.dt_data, d->dt_data.dt_text.dt_length), NULL, &w->plain) < 0)
		return fb_error_set(w->err, "out of memory");
	return 0;
}

static int
walk_part(struct walk *w, const struct mailmime *m, int depth, int attached)
{
	struct buf type = BUF_INIT;
	int rc = 0;

	if (m == NULL)
		return 0;
	if (depth > MESSAGE_MAX_DEPTH)
		return fb_error_set(w->err, "message is nested deeper than %d MIME levels",
		    MESSAGE_MAX_DEPTH);
	if (++w->msg->nparts > MESSAGE_MAX_PARTS)
		return fb_error_set(w->err, "message has more than %d MIME parts",
		    MESSAGE_MAX_PARTS);
	if (content_type_of(m, &type) < 0)
		return fb_error_set(w->err, "out of memory");

	switch (m->mm_type) {
	case MAILMIME_SINGLE:
		rc = walk_single(w, m, type.data, attached);
		if (rc < 0)
			fb_error_set(w->err, "out of memory reading a %s part", type.data);
		break;
	case MAILMIME_MULTIPLE:
		if (!boundary_present(m)) {
			/* a boundary that never occurs (broken generators, hand-edited notices):
			 * libetpan's split means nothing, so read the body as plain text */
			rc = walk_unsplit(w, m, attached);
			break;
		}
		for (clistiter *it = clist_begin(m->mm_data.mm_multipart.mm_mp_list);
		    it != NULL && rc == 0; it = clist_next(it))
			rc = walk_part(w, clist_content(it), depth + 1, attached);
		break;
	case MAILMIME_MESSAGE:
		if (depth > 0) {
			/* an attached message: keep its headers for bounce reading, never its text */
			const char *s = m->mm_body != NULL ? m->mm_body->dt_data.dt_text.dt_data : NULL;

			if (s != NULL && m->mm_body->dt_type == MAILMIME_DATA_TEXT &&
			    set_original_headers(w->msg, s, m->mm_body->dt_data.dt_text.dt_length) < 0)
				rc = fb_error_set(w->err, "out of memory");
			attached = 1;
		}
		if (rc == 0)
			rc = walk_part(w, m->mm_data.mm_message.mm_msg_mime, depth + 1, attached);
		break;
	default:
		break;
	}
	buf_release(&type);
	return rc;
}

/*
 * An upper bound on MIME nesting, counted before libetpan sees the message: libetpan recurses
 * once per level without a limit of its own (measured: 20,000 levels fine, 100,000 overflow the
 * stack, and 100,000 nested message/rfc822 headers fit in 3 MB). Every level needs a "boundary"
 * parameter (multipart, whose digest children may be messages without saying so, hence 2) or
 * the word "message" in a Content-Type; a MIME token cannot be split by comments or folding, so
 * counting the words anywhere is a bound nobody can dodge.
 */
#define NESTING_BOUND_MAX 10000

static size_t
nesting_bound(const char *s, size_t n)
{
	size_t count = 0;

	/* "boundary" and "message" cannot overlap themselves or each other, so n bytes hold at
	 * most n / 4 points: a message this short cannot pass the bound, and most are this short */
	if (n / 4 <= NESTING_BOUND_MAX)
		return 0;
	/* (the second letter is checked before calling strncasecmp: 'b' and 'm' are common) */
	for (size_t i = 0; i + 7 <= n; i++) {
		if ((s[i] | 0x20) == 'b' && (s[i + 1] | 0x20) == 'o' && i + 8 <= n &&
		    strncasecmp(s + i, "boundary", 8) == 0)
			count += 2;
		else if ((s[i] | 0x20) == 'm' && (s[i + 1] | 0x20) == 'e' &&
		    strncasecmp(s + i, "message", 7) == 0)
			count++;
	}
	return count;
}

void
message_free(struct fb_message *msg)
{
	if (msg == NULL)
		return;
	for (size_t i = 0; i < msg->nheaders; i++) {
		free(msg->headers[i].name);
		free(msg->headers[i].value);
	}
	free(msg->headers);
	for (size_t i = 0; i < msg->nrecipients; i++) {
		free(msg->recipients[i].name);
		free(msg->recipients[i].addr);
	}
	free(msg->recipients);
	for (size_t i = 0; i < msg->ncalendars; i++) {
		free(msg->calendars[i].content_type);
		free(msg->calendars[i].method);
		free(msg->calendars[i].data);
	}
	free(msg->calendars);
	free(msg->subject);
	free(msg->message_id);
	free(msg->in_reply_to);
	free(msg->references);
	free(msg->return_path);
	free(msg->from.name);
	free(msg->from.addr);
	free(msg->content_type);
	free(msg->report_type);
	free(msg->text);
	free(msg->delivery_status);
	free(msg->original_headers);
	free(msg->original_message_id);
	free(msg);
}

/* Raw bytes with every line end (CRLF, LF, lone CR) made CRLF. Without any CR (mail stored
 * with LF ends, the common case) each line is found by memchr and copied whole. */
static int
to_crlf(const char *raw, size_t len, struct buf *out)
{
	size_t i = 0, lines = 0;
	const char *cr, *lf;

	if (len > 0 && memchr(raw, '\r', len) == NULL) {
		for (const char *p = raw; (p = memchr(p, '\n', len - (size_t)(p - raw))) != NULL; p++)
			lines++;
		if (buf_grow(out, len + lines) < 0)
			return -1;
		while (i < len) {
			const char *nl = memchr(raw + i, '\n', len - i);
			size_t j = nl != NULL ? (size_t)(nl - raw) : len;

			memcpy(out->data + out->len, raw + i, j - i); /* room made above */
			out->len += j - i;
			if (nl == NULL)
				break;
			memcpy(out->data + out->len, "\r\n", 2);
			out->len += 2;
			i = j + 1;
		}
		out->data[out->len] = '\0';
		return 0;
	}
	if (buf_grow(out, len + len / 16 + 2) < 0)
		return -1;
	/* the next CR and the next LF, each found by memchr and kept until passed */
	cr = memchr(raw, '\r', len);
	lf = memchr(raw, '\n', len);

	while (i < len) {
		size_t j;

		if (cr != NULL && cr < raw + i)
			cr = memchr(raw + i, '\r', len - i);
		if (lf != NULL && lf < raw + i)
			lf = memchr(raw + i, '\n', len - i);
		j = cr != NULL && (lf == NULL || cr < lf) ? (size_t)(cr - raw) :
		    lf != NULL ? (size_t)(lf - raw) : len;
		if (buf_add(out, raw + i, j - i) < 0)
			return -1;
		if (j == len)
			break;
		if (buf_add(out, "\r\n", 2) < 0)
			return -1;
		i = j + (raw[j] == '\r' && j + 1 < len && raw[j + 1] == '\n' ? 2 : 1);
	}
	return 0;
}

/* Is p[i..n) one of the invisible code points clean_invisible() takes out everywhere? Its length
 * in bytes, 0 when not: U+200B zero-width space, U+2060 word joiner, U+FEFF (a BOM inside the
 * text, as iOS puts before a quote), U+00AD soft hyphen (a hyphenation hint; text is never
 * re-wrapped here, so it never shows). */
static size_t
invisible_at(const unsigned char *p, size_t i, size_t n)
{
	if (i + 1 < n && p[i] == 0xc2 && p[i + 1] == 0xad)
		return 2;
	if (i + 2 >= n)
		return 0;
	if ((p[i] == 0xe2 && p[i + 1] == 0x80 && p[i + 2] == 0x8b) ||
	    (p[i] == 0xe2 && p[i + 1] == 0x81 && p[i + 2] == 0xa0) ||
	    (p[i] == 0xef && p[i + 1] == 0xbb && p[i + 2] == 0xbf))
		return 3;
	return 0;
}

/* U+200C zero-width non-joiner or U+200D joiner: needed between two letters (Persian, Indic
 * scripts, emoji sequences), noise anywhere else. */
static int
joiner_at(const unsigned char *p, size_t i, size_t n)
{
	return i + 2 < n && p[i] == 0xe2 && p[i + 1] == 0x80 && (p[i + 2] == 0x8c || p[i + 2] == 0x8d);
}

static int
is_gap(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Where the first character clean_invisible() may act on starts (one of invisible_at(), a
 * joiner, the tracking mark U+1427), or n when there is none, the common case. Runs of ASCII,
 * most of every text, are skipped 8 bytes at a time, other characters by their lead byte. */
static size_t
first_invisible(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (p[i] < 0x80) {
			i += ascii_run((const char *)p + i, n - i, 1);
			continue;
		}
		if ((p[i] == 0xc2 || p[i] == 0xe2 || p[i] == 0xef) &&
		    (invisible_at(p, i, n) > 0 || joiner_at(p, i, n)))
			return i;
		if (p[i] == 0xe1 && i + 2 < n && p[i + 1] == 0x90 && p[i + 2] == 0xa7)
			return i;
		i++;
	}
	return n;
}

/*
 * Take invisible and tracking characters out of the text (in place; it only shrinks): the
 * code points of invisible_at() everywhere, joiners that join nothing, and lines holding only
 * U+1427 "ᐧ", the mark mail-tracking plug-ins (Mailtrack) add under a message. The writer
 * never sees any of them, so nothing they wrote is lost.
 */
static void
clean_invisible(char *text, size_t *len)
{
	unsigned char *p = (unsigned char *)text;
	size_t n = *len, i, w;
	int dropped = 0;

	/* lines before the first such character are kept as they are, untouched: start at the
	 * line that holds it (or nowhere, the common case) */
	i = first_invisible(p, n);
	if (i == n)
		return;
	while (i > 0 && p[i - 1] != '\n')
		i--;
	w = i;
	while (i < n) {
		size_t line = w, k;
		int marks = 0, other = 0;
		const unsigned char *nl = memchr(p + i, '\n', n - i);
		size_t e = nl != NULL ? (size_t)(nl - p) : n;

		/* a line without any of them moves down whole, with its line end */
		if (first_invisible(p + i, e - i) == e - i) {
			k = e - i + (e < n);
			if (w != i)
				memmove(p + w, p + i, k);
			w += k;
			i += k;
			continue;
		}
		while (i < n && p[i] != '\n') {
			if ((k = invisible_at(p, i, n)) > 0) {
				i += k;
				continue;
			}
			if (joiner_at(p, i, n)) {
				int joins = w > line && !is_gap(p[w - 1]) && i + 3 < n &&
				    !is_gap(p[i + 3]) && invisible_at(p, i + 3, n) == 0 &&
				    !joiner_at(p, i + 3, n);

				if (!joins) {
					i += 3;
					continue;
				}
			}
			if (i + 2 < n && p[i] == 0xe1 && p[i + 1] == 0x90 && p[i + 2] == 0xa7) {
				marks++;
				memmove(p + w, p + i, 3);
				w += 3;
				i += 3;
				continue;
			}
			if (!is_gap(p[i]) && p[i] != '>')
				other = 1;
			p[w++] = p[i++];
		}
		if (marks > 0 && !other) {
			w = line; /* the tracking mark's line, and its line end, go */
			if (i < n)
				i++;
			dropped = 1;
			continue;
		}
		if (i < n)
			p[w++] = p[i++];
	}
	/* the mark stood last, under a blank line: that blank line ends nothing now */
	while (dropped && w >= 2 && p[w - 1] == '\n' && p[w - 2] == '\n')
		w--;
	*len = w;
	if (w < n)
		text[w] = '\0';
}

/* The returned message's Message-ID, parsed from its header block by mailimf (the same RFC
 * 5322 reader as our own headers): a malformed block gives no id, never a guessed one. */
static int
read_original_message_id(struct fb_message *msg)
{
	struct buf crlf = BUF_INIT;
	struct mailimf_fields *fields = NULL;
	size_t idx = 0;
	int rc = 0;

	if (msg->original_headers == NULL)
		return 0;
	if (to_crlf(msg->original_headers, strlen(msg->original_headers), &crlf) < 0 ||
	    buf_add(&crlf, "\r\n", 2) < 0) {
		buf_release(&crlf);
		return -1;
	}
	/* The fields as name and value only, then the one value as a msg-id: libetpan's full
	 * field parser leaks on some malformed blocks (found by fuzz_classify). */
	if (mailimf_optional_fields_parse(crlf.data, crlf.len, &idx, &fields) == MAILIMF_NO_ERROR) {
		for (clistiter *it = clist_begin(fields->fld_list); it != NULL;
		    it = clist_next(it)) {
			struct mailimf_field *f = clist_content(it);
			struct mailimf_optional_field *o = f->fld_data.fld_optional_field;
			size_t vidx = 0;
			char *id = NULL;

			if (f->fld_type != MAILIMF_FIELD_OPTIONAL_FIELD || o == NULL ||
			    strcasecmp(o->fld_name, "Message-ID") != 0)
				continue;
			if (mailimf_msg_id_parse(o->fld_value, strlen(o->fld_value), &vidx, &id) ==
			    MAILIMF_NO_ERROR) {
				if ((msg->original_message_id = xstrndup(id, strlen(id))) == NULL)
					rc = -1;
				mailimf_msg_id_free(id);
			}
			break;
		}
		mailimf_fields_free(fields);
	}
	buf_release(&crlf);
	return rc;
}

struct fb_message *
message_parse(const char *raw, size_t len, size_t max_size, struct fb_error *err)
{
	struct fb_message *msg;
	struct buf crlf = BUF_INIT, type = BUF_INIT;
	struct mailmime *mime = NULL;
	struct walk w = { .plain = BUF_INIT, .html = BUF_INIT, .err = err };
	size_t idx = 0;

	if (len > max_size) {
		fb_error_set(err, "message is %zu bytes, larger than the limit of %zu bytes: not "
		    "parsed", len, max_size);
		return NULL;
	}
	if (nesting_bound(raw, len) > NESTING_BOUND_MAX) {
		fb_error_set(err, "message has too many nested MIME parts to read safely");
		return NULL;
	}
	if (message_scan(raw, len, err) < 0)
		return NULL;
	if ((msg = calloc(1, sizeof(*msg))) == NULL) {
		fb_error_set(err, "out of memory");
		return NULL;
	}
	w.msg = msg;
	/* an mbox "From " separator line is not a header: skip it, up to its line end whatever
	 * the convention (a classic-Mac file has only CRs: looking for LF alone skipped it all) */
	if (len >= 5 && memcmp(raw, "From ", 5) == 0) {
		size_t skip = 0;

		while (skip < len && raw[skip] != '\r' && raw[skip] != '\n')
			skip++;
		if (skip < len)
			skip += raw[skip] == '\r' && skip + 1 < len && raw[skip + 1] == '\n' ? 2 : 1;
		raw += skip;
		len -= skip;
	}
	if (to_crlf(raw, len, &crlf) < 0 || read_headers(msg, crlf.data, crlf.len, &idx) < 0)
		goto oom;
	msg->subject = header_dup(msg, "Subject");
	msg->message_id = header_dup(msg, "Message-ID");
	msg->in_reply_to = header_dup(msg, "In-Reply-To");
	msg->references = header_dup(msg, "References");
	msg->return_path = header_dup(msg, "Return-Path");

	/*
	 * mailmime_parse reads the header block with mailimf's envelope parser, building a
	 * structure for every field (the Received, DKIM-Signature, ARC-… fields at the top of
	 * most mail) only to take the MIME fields from it. It starts where read_headers() found
	 * the first field it reads for more than its raw text: the fields before it, read by
	 * mailimf's generic field parser in both, end at the same place either way, so the tree
	 * is the same.
	 */
	if (mailmime_parse(crlf.data, crlf.len, &idx, &mime) == MAILIMF_NO_ERROR && mime != NULL) {
		const struct mailmime *top = mime;

		if (top->mm_type == MAILMIME_MESSAGE && top->mm_data.mm_message.mm_msg_mime != NULL)
			top = top->mm_data.mm_message.mm_msg_mime;
		if (content_type_of(top, &type) < 0)
			goto oom;
		msg->content_type = buf_detach(&type, NULL);
		if (top->mm_content_type != NULL) {
			const char *rt = mailmime_content_param_get(top->mm_content_type,
			    "report-type");

			if (rt != NULL && (msg->report_type = lowercase_dup(rt)) == NULL)
				goto oom;
		}
		if (walk_part(&w, mime, 0, 0) < 0)
			goto fail;
	} else if ((msg->content_type = lowercase_dup("text/plain")) == NULL) {
		goto oom;
	}

	if (w.have_plain) {
		msg->text = buf_detach(&w.plain, &msg->text_len);
	} else if (w.have_html) {
		struct buf t = BUF_INIT;

		if (html_text(&w) < 0 || message_html_to_text(w.html.data, w.html.len, &t) < 0) {
			buf_release(&t);
			goto oom;
		}
		msg->text = buf_detach(&t, &msg->text_len);
		msg->text_from_html = 1;
	} else {
		msg->text = buf_detach(&w.plain, &msg->text_len);
	}
	if (msg->text == NULL || read_original_message_id(msg) < 0)
		goto oom;
	clean_invisible(msg->text, &msg->text_len);
	if (mime != NULL)
		mailmime_free(mime);
	buf_release(&crlf);
	buf_release(&w.plain);
	buf_release(&w.html);
	return msg;
oom:
	fb_error_set(err, "out of memory while parsing a message of %zu bytes", len);
fail:
	if (mime != NULL)
		mailmime_free(mime);
	buf_release(&crlf);
	buf_release(&type);
	buf_release(&w.plain);
	buf_release(&w.html);
	message_free(msg);
	return NULL;
}
