/*
 * roster — CSV member lists through libcsv. See include/roster.h.
 */
#include <ctype.h>
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

	buf_addf(&r->problems, "%s:%zu: ", name, line);
	va_start(ap, fmt);
	buf_vaddf(&r->problems, fmt, ap);
	va_end(ap);
	buf_addch(&r->problems, '\n');
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
	buf_add(out, s, len);
}

static void
header_field(struct reader *rd, const char *s, size_t len)
{
	struct buf label = BUF_INIT;
	enum column col = COL_IGNORED;

	trim_copy(&label, s, len);
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
		rd->values[rd->cols[i]] = buf_detach(&v, NULL);
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

int
roster_parse(const char *data, size_t len, const char *name, struct roster *out)
{
	struct csv_parser p;
	struct reader rd;
	struct roster r = { 0 };

	buf_init(&r.problems);
	memset(&rd, 0, sizeof(rd));
	rd.r = &r;
	rd.name = name;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		data += 3;
		len -= 3;
	}
	if (csv_init(&p, CSV_APPEND_NULL | CSV_EMPTY_IS_NULL) != 0)
		return -1;
	csv_set_delim(&p, sniff_delimiter(data, len));
	if (csv_parse(&p, data, len, on_field, on_record, &rd) != len)
		roster_problem(&r, name, rd.record + 1, "cannot read the CSV here: %s",
		    csv_strerror(csv_error(&p)));
	csv_fini(&p, on_field, on_record, &rd);
	csv_free(&p);
	for (int i = 0; i < COL_IGNORED; i++)
		free(rd.values[i]);
	if (!rd.have_header)
		roster_problem(&r, name, 1, "the file is empty; the first line must name the "
		    "columns: name;email");
	if (rd.oom) {
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
