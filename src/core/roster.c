/*
 * roster — CSV member lists through libcsv. See include/roster.h.
 */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <csv.h>

#include "addr.h"
#include "roster.h"
#include "banned.h"

#define ROSTER_MAX_ROWS 100000
#define ROSTER_MAX_FIELD 1000

enum column { COL_NAME, COL_EMAIL, COL_TIMEZONE, COL_LANGUAGE, COL_IGNORED };

static const struct {
	const char *label;
	enum column col;
} headers[] = {
	{ "name", COL_NAME }, { "naam", COL_NAME }, { "volledige naam", COL_NAME },
	{ "full name", COL_NAME },
	{ "email", COL_EMAIL }, { "e-mail", COL_EMAIL }, { "e-mailadres", COL_EMAIL },
	{ "emailadres", COL_EMAIL }, { "email address", COL_EMAIL }, { "adres", COL_EMAIL },
	{ "mail", COL_EMAIL },
	{ "timezone", COL_TIMEZONE }, { "time zone", COL_TIMEZONE }, { "tijdzone", COL_TIMEZONE },
	{ "language", COL_LANGUAGE }, { "taal", COL_LANGUAGE },
};

/* The parser's state between libcsv's callbacks. */
struct reader {
	struct roster *r;
	const char *name;
	size_t record;          /* records seen, the header included */
	int have_header;
	int header_ok;
	enum column cols[32];
	size_t ncols;
	size_t field;           /* index within the current record */
	char *values[COL_IGNORED];
	int oom;
};

void
roster_problem(struct roster *r, const char *name, size_t line, const char *fmt, ...)
{
	va_list ap;

	buf_putf(&r->problems, "%s:%zu: ", name, line);
	va_start(ap, fmt);
	buf_vputf(&r->problems, fmt, ap);
	va_end(ap);
	buf_putch(&r->problems, '\n');
	r->nproblems++;
}

static void
trim_copy(struct buf *out, const char *s, size_t len)
{
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	buf_put(out, s, len);
}

static void
header_field(struct reader *rd, const char *s, size_t len)
{
	struct buf label = BUF_INIT;
	enum column col = COL_IGNORED;

	trim_copy(&label, s, len);
	if (buf_failed(&label))
		rd->oom = 1;
	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++)
		if (strcasecmp(label.data, headers[i].label) == 0)
			col = headers[i].col;
	if (rd->ncols < sizeof(rd->cols) / sizeof(rd->cols[0]))
		rd->cols[rd->ncols++] = col;
	buf_release(&label);
}

static void
on_field(void *s, size_t len, void *data)
{
	struct reader *rd = data;
	size_t i = rd->field++;

	if (!rd->have_header) {
		header_field(rd, s, len);
		return;
	}
	if (i >= rd->ncols || rd->cols[i] == COL_IGNORED)
		return;
	if (len > ROSTER_MAX_FIELD)
		len = ROSTER_MAX_FIELD;
	{
		struct buf v = BUF_INIT;

		trim_copy(&v, s, len);
		free(rd->values[rd->cols[i]]);
		rd->values[rd->cols[i]] = buf_failed(&v) ? NULL : buf_detach(&v, NULL);
		buf_release(&v);
		if (rd->values[rd->cols[i]] == NULL)
			rd->oom = 1;
	}
}

static int
header_has(const struct reader *rd, enum column c)
{
	for (size_t i = 0; i < rd->ncols; i++)
		if (rd->cols[i] == c)
			return 1;
	return 0;
}

/* Check one data record and keep it, or report what is wrong with it. */
static void
take_row(struct reader *rd, size_t line)
{
	struct roster *r = rd->r;
	char *name = rd->values[COL_NAME], *email = rd->values[COL_EMAIL];
	char *tz = rd->values[COL_TIMEZONE], *lang = rd->values[COL_LANGUAGE];
	struct buf addr = BUF_INIT;
	struct fb_error err;
	struct roster_row *row;
	int bad = 0;

	if ((name == NULL || !*name) && (email == NULL || !*email))
		return; /* a blank line */
	if (name == NULL || !*name) {
		roster_problem(r, rd->name, line, "the name is empty");
		bad = 1;
	}
	if (email == NULL || !*email) {
		roster_problem(r, rd->name, line, "the email address is empty");
		bad = 1;
	} else if (addr_parse(email, &addr, NULL, &err) < 0) {
		roster_problem(r, rd->name, line, "%s", err.msg);
		bad = 1;
	}
	if (lang != NULL && *lang && strcasecmp(lang, "nl") != 0 && strcasecmp(lang, "en") != 0) {
		roster_problem(r, rd->name, line, "language \"%s\": accepted values are nl, en", lang);
		bad = 1;
	}
	for (size_t i = 0; !bad && i < r->nrows; i++)
		if (strcasecmp(r->rows[i].address, addr.data) == 0) {
			roster_problem(r, rd->name, line, "%s is listed twice (also on line %zu)",
			    addr.data, r->rows[i].line);
			bad = 1;
		}
	if (!bad && r->nrows >= ROSTER_MAX_ROWS) {
		roster_problem(r, rd->name, line, "more than %d members in one file",
		    ROSTER_MAX_ROWS);
		bad = 1;
	}
	if (bad) {
		buf_release(&addr);
		return;
	}
	row = realloc(r->rows, (r->nrows + 1) * sizeof(*row));
	if (row == NULL) {
		rd->oom = 1;
		buf_release(&addr);
		return;
	}
	r->rows = row;
	row = &r->rows[r->nrows++];
	row->line = line;
	row->name = name;
	row->address = buf_detach(&addr, NULL);
	row->timezone = tz && *tz ? tz : NULL;
	row->language = NULL;
	if (lang && *lang) {
		lang[0] = (char)tolower((unsigned char)lang[0]);
		lang[1] = (char)tolower((unsigned char)lang[1]);
		row->language = lang;
	}
	if (row->address == NULL)
		rd->oom = 1;
	if (row->timezone == NULL)
		free(tz);
	if (row->language == NULL)
		free(lang);
	rd->values[COL_NAME] = rd->values[COL_TIMEZONE] = rd->values[COL_LANGUAGE] = NULL;
}

static void
on_record(int c, void *data)
{
	struct reader *rd = data;
	size_t line = ++rd->record;

	(void)c;
	if (!rd->have_header) {
		rd->have_header = 1;
		rd->header_ok = header_has(rd, COL_NAME) && header_has(rd, COL_EMAIL);
		if (!rd->header_ok)
			roster_problem(rd->r, rd->name, 1, "the first line must name the columns; "
			    "needed: name (or naam) and email (or e-mail); optional: timezone "
			    "(tijdzone), language (taal)");
	} else if (rd->header_ok) {
		take_row(rd, line);
	}
	for (int i = 0; i < COL_IGNORED; i++) {
		free(rd->values[i]);
		rd->values[i] = NULL;
	}
	rd->field = 0;
}

/* The separator of the header line: the most frequent of ';', ',' and tab outside quotes. */
static unsigned char
sniff_delimiter(const char *data, size_t len)
{
	size_t semi = 0, comma = 0, tab = 0;
	int quoted = 0;

	for (size_t i = 0; i < len && data[i] != '\n'; i++) {
		if (data[i] == '"')
			quoted = !quoted;
		else if (!quoted && data[i] == ';')
			semi++;
		else if (!quoted && data[i] == ',')
			comma++;
		else if (!quoted && data[i] == '\t')
			tab++;
	}
	if (tab > semi && tab > comma)
		return '\t';
	return semi >= comma && semi > 0 ? ';' : ',';
}

/* The 1-based line of byte offset at in data. */
static size_t
line_of(const char *data, size_t at)
{
	size_t line = 1;

	for (size_t i = 0; i < at; i++)
		if (data[i] == '\n')
			line++;
	return line;
}

/* Convert len bytes from charset into UTF-8 in out. 0, -1 when the bytes are not valid in that
 * charset (*bad_at: the offset of the first bad one), -2 on ENOMEM. */
static int
to_utf8(const char *data, size_t len, const char *charset, struct buf *out, size_t *bad_at)
{
	iconv_t cd = iconv_open("UTF-8", charset);
	char *in = (char *)data;   /* iconv's prototype is not const; it only reads */
	size_t left = len;
	int rc = 0;

	if (cd == (iconv_t)-1)
		return -2;
	while (left > 0) {
		char *o;
		size_t room;

		if (buf_grow(out, left * 2 + 16) < 0) {
			rc = -2;
			break;
		}
		o = out->data + out->len;
		room = out->alloc - out->len - 1;
		if (iconv(cd, &in, &left, &o, &room) == (size_t)-1 && errno != E2BIG) {
			*bad_at = len - left;
			rc = -1;
		}
		out->len = (size_t)(o - out->data);
		out->data[out->len] = '\0';
		if (rc < 0)
			break;
	}
	iconv_close(cd);
	return rc;
}

/*
 * Spreadsheets save CSV in whatever encoding the machine likes: Excel's "Unicode text" is
 * UTF-16 (with a byte-order mark, or without one), Excel's plain "CSV" on a Dutch Windows is
 * Windows-1252. Reading such bytes as UTF-8 gave "the first line must name the columns" for
 * UTF-16 and stored invalid UTF-8 for Windows-1252 (a member a JSON listing then could not
 * show). So: UTF-16 (LE or BE) and Windows-1252 (Latin-1's superset) are converted to UTF-8
 * and r->encoding names what was read; bytes valid in none of them, and a NUL byte (which
 * would silently cut a name short), are refused with their line. *text is the UTF-8 to parse
 * (data itself, or conv). 0, 1 when refused (the problem is in r), -1 on ENOMEM.
 */
static int
decode(const char *data, size_t len, const char *name, struct roster *r, struct buf *conv,
    const char **text, size_t *tlen)
{
	const char *charset = NULL;
	size_t bad = 0, skip = 0;
	size_t multi = 0;   /* well-formed sequences of more than one byte before the first bad one */
	int rc;

	r->encoding = "UTF-8";
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		skip = 3;
	} else if (len >= 2 && memcmp(data, "\xFF\xFE", 2) == 0) {
		charset = "UTF-16LE";
		skip = 2;
	} else if (len >= 2 && memcmp(data, "\xFE\xFF", 2) == 0) {
		charset = "UTF-16BE";
		skip = 2;
	} else if (len >= 4 && data[0] != '\0' && data[1] == '\0' && data[3] == '\0') {
		charset = "UTF-16LE";   /* "n\0a\0": UTF-16 without a byte-order mark */
	} else if (len >= 4 && data[0] == '\0' && data[1] != '\0' && data[2] == '\0') {
		charset = "UTF-16BE";
	}
	data += skip;
	len -= skip;
	if (charset != NULL) {
		r->encoding = charset;
		rc = to_utf8(data, len, charset, conv, &bad);
		if (rc == -2)
			return -1;
		if (rc < 0) {
			roster_problem(r, name, conv->len ? line_of(conv->data, conv->len) : 1,
			    "the file is %s but not valid %s here (a cut or broken character); save "
			    "it again as \"CSV UTF-8\"", charset, charset);
			return 1;
		}
		data = conv->data;
		len = conv->len;
	}
	for (size_t i = 0; i < len; i++)
		if (data[i] == '\0') {
			roster_problem(r, name, line_of(data, i), "a NUL byte (%s): this is not a text "
			    "file, or not in the encoding it seems to be; save it again as \"CSV "
			    "UTF-8\"", r->encoding);
			return 1;
		}
	for (size_t i = 0; i < len;) {
		size_t k = buf_utf8_seq(data + i, len - i);

		if (k == 0) {
			bad = i;
			break;
		}
		multi += k > 1;
		i += k;
		bad = i;
	}
	if (charset == NULL && bad < len) {
		size_t first = bad;

		/* UTF-8 up to here, with accents and all, then something else: read as Windows-1252
		 * the good part would turn into "JosÃ©". Mixed encodings are refused instead. */
		if (multi > 0) {
			roster_problem(r, name, line_of(data, first), "bytes that are not UTF-8 in a "
			    "file that is UTF-8 before them (mixed encodings): save the file again as "
			    "\"CSV UTF-8\"");
			return 1;
		}

		/* Not UTF-8: Windows-1252, unless it has the five bytes that code does not use. */
		for (size_t i = 0; i < len; i++)
			if (strchr("\x81\x8D\x8F\x90\x9D", data[i]) != NULL && data[i] != '\0') {
				roster_problem(r, name, line_of(data, first), "bytes that are neither "
				    "UTF-8 nor Windows-1252 (Latin-1): save the file again as \"CSV "
				    "UTF-8\"");
				return 1;
			}
		rc = to_utf8(data, len, "WINDOWS-1252", conv, &bad);
		if (rc == -2)
			return -1;
		if (rc < 0) {
			roster_problem(r, name, line_of(data, bad), "bytes that are neither UTF-8 nor "
			    "Windows-1252 (Latin-1): save the file again as \"CSV UTF-8\"");
			return 1;
		}
		r->encoding = "Windows-1252";
		data = conv->data;
		len = conv->len;
	}
	*text = data;
	*tlen = len;
	return 0;
}

int
roster_parse(const char *data, size_t len, const char *name, struct roster *out)
{
	struct csv_parser p;
	struct reader rd;
	struct roster r = { 0 };
	struct buf conv = BUF_INIT;
	int rc;

	buf_init(&r.problems);
	memset(&rd, 0, sizeof(rd));
	rd.r = &r;
	rd.name = name;
	rc = decode(data, len, name, &r, &conv, &data, &len);
	if (rc != 0) {
		buf_release(&conv);
		if (rc < 0 || buf_failed(&r.problems)) {
			roster_release(&r);
			return -1;
		}
		*out = r;
		return 0;
	}
	if (csv_init(&p, CSV_APPEND_NULL | CSV_EMPTY_IS_NULL) != 0) {
		buf_release(&conv);
		return -1;
	}
	csv_set_delim(&p, sniff_delimiter(data, len));
	if (csv_parse(&p, data, len, on_field, on_record, &rd) != len)
		roster_problem(&r, name, rd.record + 1, "cannot read the CSV here: %s",
		    csv_strerror(csv_error(&p)));
	csv_fini(&p, on_field, on_record, &rd);
	csv_free(&p);
	buf_release(&conv);
	for (int i = 0; i < COL_IGNORED; i++)
		free(rd.values[i]);
	if (!rd.have_header)
		roster_problem(&r, name, 1, "the file is empty; the first line must name the "
		    "columns: name;email");
	if (rd.oom || buf_failed(&r.problems)) {
		roster_release(&r);
		return -1;
	}
	*out = r;
	return 0;
}

void
roster_release(struct roster *r)
{
	for (size_t i = 0; i < r->nrows; i++) {
		free(r->rows[i].name);
		free(r->rows[i].address);
		free(r->rows[i].timezone);
		free(r->rows[i].language);
	}
	free(r->rows);
	r->rows = NULL;
	r->nrows = 0;
	buf_release(&r->problems);
	r->nproblems = 0;
}
