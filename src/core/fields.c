/*
 * fields — labelled fields in a person's text. See include/fields.h for what is read.
 *
 * One pass over the lines. Each line is cleaned (no-break spaces → spaces, trimmed, a bullet
 * taken off) and then tried, in this order, as: a rating "F12: 4", a labelled line (label
 * table below), a questionnaire answer, the continuation of the field being collected, and
 * otherwise an unread line. A field being collected is finished (checked and stored) when the
 * next label, rating or answer comes, or at the end.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "buf.h"
#include "dayword.h"
#include "fields.h"
#include "signature.h"
#include "banned.h"

/* Text past this is not read: replies are short, and larger inputs are hostile. */
#define FIELDS_MAX_INPUT ((size_t)4 << 20)
/* A label is never longer than this (bytes, emphasis included). */
#define LABEL_MAX 48

enum field_id {
	F_NONE,
	F_CONFIRMATION,
	F_CRITIQUE,
	F_SUGGESTION,
	F_ASK,
	F_ABOUT,
	F_FEEDBACK_FOR,
	F_NUDGE,
	F_AWAY,
	F_TEAM_SHORT,
	F_TEAM_LONG,
	F_OTHERS_SHORT,
	F_OTHERS_LONG,
};

/* Labels as matched: lower case, commas removed, single spaces. */
static const struct {
	const char *label;
	enum field_id id;
} label_table[] = {
	{ "bevestiging", F_CONFIRMATION },
	{ "confirmation", F_CONFIRMATION },
	{ "compliment", F_CONFIRMATION },
	{ "positief", F_CONFIRMATION },
	{ "kritiek", F_CRITIQUE },
	{ "critique", F_CRITIQUE },
	{ "constructief", F_SUGGESTION },
	{ "suggestion", F_SUGGESTION },
	{ "suggestie", F_SUGGESTION },
	{ "tip", F_SUGGESTION },
	/* English words members use for the parts besides the form's own (the form says
	 * Confirmation / Critique / Suggestion) */
	{ "positive", F_CONFIRMATION },
	{ "criticism", F_CRITIQUE },
	{ "constructive", F_SUGGESTION },
	{ "opbouwend", F_SUGGESTION },
	/* The shorthand members type on a phone: "B: … / K: … / C: …" (the Dutch form's
	 * Bevestiging, Kritiek, Constructief). One letter is a label only with a colon or a dash
	 * after it (see parse_label), never alone on a line: "K" is also how Karin signs. */
	{ "b", F_CONFIRMATION },
	{ "k", F_CRITIQUE },
	{ "c", F_SUGGESTION },
	{ "vraag feedback aan", F_ASK },
	{ "ask", F_ASK },
	{ "ask feedback from", F_ASK },
	{ "over", F_ABOUT },
	{ "about", F_ABOUT },
	{ "feedback voor", F_FEEDBACK_FOR },
	{ "feedback for", F_FEEDBACK_FOR },
	{ "herinner", F_NUDGE },
	{ "nudge", F_NUDGE },
	{ "remind", F_NUDGE },
	{ "afwezig", F_AWAY },
	{ "away", F_AWAY },
	{ "team kort", F_TEAM_SHORT },
	{ "team short", F_TEAM_SHORT },
	{ "team lang", F_TEAM_LONG },
	{ "team long", F_TEAM_LONG },
	{ "anderen kort", F_OTHERS_SHORT },
	{ "others short", F_OTHERS_SHORT },
	{ "anderen lang", F_OTHERS_LONG },
	{ "others long", F_OTHERS_LONG },
};

/* Prefixes of a questionnaire answer's question number: "Vraag 1:", "Q1:". */
static const char *const question_prefixes[] = { "vraag", "question", "q" };

/* Words that separate names in an ask list (with spaces around them). */
static const char *const list_words[] = { " en ", " and " };

/* Words between the member and the date of an away command. */
static const char *const until_words[] = { " tot en met ", " t/m ", " tot ", " until ", " till ",
	" through ", " thru ", " to " };

/* A line that starts with one of these closes the message: it and what follows are not part
 * of a field. The strong ones close also without a blank line before them ("Groet: Jan"). */
static const char *const closings_strong[] = {
	"met vriendelijke groet", "vriendelijke groet", "hartelijke groet", "groetjes", "groeten",
	"groet", "mvg", "kind regards", "best regards", "regards", "cheers", "liefs",
};
static const char *const closings_weak[] = {
	"thanks", "thank you", "bedankt", "dank je", "dankjewel", "best", "gr.",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct parser {
	struct fields *f;
	enum field_id cur;      /* the field being collected, F_NONE when none */
	size_t cur_line;        /* its label's line */
	struct buf cur_label;   /* the label as written, for messages */
	struct buf value;       /* its lines so far, "\n"-separated */
	int single;             /* a single-line field still waiting for its value line */
	int after_blank;        /* the previous line of the value was blank */
	int closed;             /* a closing paragraph was seen: later lines are unread */
	const struct signature_rules *closings; /* sign-offs in every language, or NULL */
};

/* ---- small helpers ------------------------------------------------------------------------ */

/* Make room in *arr (n elements of size elem, capacity the next power of two, at least 4)
 * for one more. */
static int
push(void *arr, size_t n, size_t elem)
{
	void **p = arr;
	size_t cap;
	void *q;

	if (n == 0)
		cap = 4;
	else if (n >= 4 && (n & (n - 1)) == 0 && n <= SIZE_MAX / 2 / elem)
		cap = n * 2;
	else if (n >= 4 && (n & (n - 1)) == 0)
		return -1;
	else
		return 0;
	q = realloc(*p, cap * elem);
	if (q == NULL)
		return -1;
	*p = q;
	return 0;
}

/* Where needle occurs in s[0..len), ignoring ASCII case; NULL when nowhere. */
static const char *
ci_find(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	int first = tolower((unsigned char)needle[0]);

	if (n == 0)
		return s;
	/* the first byte ruled out inline: a call per offset was most of fields_parse's time */
	for (size_t i = 0; n <= len && i <= len - n; i++)
		if (tolower((unsigned char)s[i]) == first && strncasecmp(s + i, needle, n) == 0)
			return s + i;
	return NULL;
}

static int
utf8_seq_len(const unsigned char *s, size_t len)
{
	unsigned c = s[0];
	size_t n;
	unsigned cp;

	if (c >= 0x01 && c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return (int)n;
}

/* Append p[0..len) as valid UTF-8: invalid bytes and NUL become U+FFFD. */
static int
add_utf8(struct buf *b, const char *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		int n = utf8_seq_len((const unsigned char *)p + i, len - i);

		if (n == 0) {
			if (buf_adds(b, "\xef\xbf\xbd") < 0)
				return -1;
			i++;
			continue;
		}
		if (buf_add(b, p + i, (size_t)n) < 0)
			return -1;
		i += (size_t)n;
	}
	return 0;
}

static char *
dup_utf8(const char *p, size_t len)
{
	struct buf b = BUF_INIT;

	if (add_utf8(&b, p, len) < 0) {
		buf_release(&b);
		return NULL;
	}
	if (b.alloc == 0 && buf_grow(&b, 1) < 0)
		return NULL;
	return buf_detach(&b, NULL);
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static int
ci_prefix(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && strncasecmp(s, prefix, n) == 0;
}

/* Trim white space, and emphasis markers ('*', '_') when trim_emphasis, from both ends. */
static void
trim(const char **s, size_t *len, int trim_emphasis)
{
	while (*len > 0 && (is_space(**s) || (trim_emphasis && (**s == '*' || **s == '_')))) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && (is_space((*s)[*len - 1]) ||
	    (trim_emphasis && ((*s)[*len - 1] == '*' || (*s)[*len - 1] == '_'))))
		(*len)--;
}

/* Leftovers of HTML: what they become in a cleaned line. */
static const struct {
	const char *from;
	const char *to;
} html_leftovers[] = {
	{ "\xc2\xa0", " " },     /* U+00A0 no-break space */
	{ "&nbsp;", " " },
	{ "\xe2\x80\x8b", "" }, /* U+200B zero-width space */
	{ "\xef\xbb\xbf", "" }, /* U+FEFF byte order mark */
	{ "\t", " " },
};

/* Can a leftover start with byte c? (ci_prefix compares the first bytes as tolower does) */
static int
leftover_lead(char c)
{
	for (size_t k = 0; k < NELEM(html_leftovers); k++)
		if (tolower((unsigned char)c) == tolower((unsigned char)html_leftovers[k].from[0]))
			return 1;
	return 0;
}

/* The cleaned line: HTML leftovers replaced, tabs as spaces, trimmed. */
static int
clean_line(struct buf *dst, const char *p, size_t len)
{
	const char *s;
	size_t n;

	buf_reset(dst);
	for (size_t i = 0; i < len; i++) {
		size_t k;

		/* a run that no leftover can start in is copied at once */
		if (!leftover_lead(p[i])) {
			size_t j = i + 1;

			while (j < len && !leftover_lead(p[j]))
				j++;
			if (buf_add(dst, p + i, j - i) < 0)
				return -1;
			i = j - 1;
			continue;
		}
		for (k = 0; k < NELEM(html_leftovers); k++)
			if (ci_prefix(p + i, len - i, html_leftovers[k].from))
				break;
		if (k < NELEM(html_leftovers)) {
			if (buf_adds(dst, html_leftovers[k].to) < 0)
				return -1;
			i += strlen(html_leftovers[k].from) - 1;
		} else if (buf_addch(dst, p[i]) < 0) {
			return -1;
		}
	}
	s = dst->data;
	n = dst->len;
	trim(&s, &n, 0);
	memmove(dst->data, s, n);
	buf_truncate(dst, n);
	return 0;
}

/* Skip a bullet: "- ", "* ", "+ ", "• ", "· ". */
static size_t
bullet_len(const char *s, size_t len)
{
	size_t i = 0;

	if (len >= 2 && (s[0] == '-' || s[0] == '*' || s[0] == '+') && s[1] == ' ')
		i = 2;
	else if (len >= 3 && memcmp(s, "\xe2\x80\xa2", 3) == 0) /* • */
		i = 3;
	else if (len >= 2 && memcmp(s, "\xc2\xb7", 2) == 0) /* · */
		i = 2;
	else
		return 0;
	while (i < len && s[i] == ' ')
		i++;
	return i;
}

/* Skip a numbered bullet "1. " or "1) ". */
static size_t
number_bullet_len(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && i < 3 && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == 0 || i + 1 >= len || (s[i] != '.' && s[i] != ')') || s[i + 1] != ' ')
		return 0;
	i += 2;
	while (i < len && s[i] == ' ')
		i++;
	return i;
}

static int
dash_at(const char *s, size_t len, size_t i, size_t *width)
{
	if (s[i] == '-') {
		*width = 1;
		return 1;
	}
	/* en dash, em dash */
	if (i + 2 < len && memcmp(s + i, "\xe2\x80", 2) == 0 &&
	    ((unsigned char)s[i + 2] == 0x93 || (unsigned char)s[i + 2] == 0x94)) {
		*width = 3;
		return 1;
	}
	return 0;
}

/*
 * A label at the start of s: "Kritiek: …", "**Kritiek:** …", "*Kritiek*: …", "_Kritiek_",
 * "Kritiek - …", "Kritiek" alone. Returns the field and sets *rest to where the value starts;
 * F_NONE when s does not start with a known label.
 */
static enum field_id
parse_label(const char *s, size_t len, size_t *rest, size_t *label_start, size_t *label_len)
{
	char norm[LABEL_MAX + 1];
	size_t i = 0, a, e, n = 0, w;

	while (i < len && (s[i] == '*' || s[i] == '_'))
		i++;
	a = i;
	for (e = i; e < len && e - a <= LABEL_MAX; e++) {
		if (s[e] == ':' || s[e] == '*' || s[e] == '_')
			break;
		if (s[e] == ' ' && e + 1 < len && dash_at(s, len, e + 1, &w))
			break;
	}
	if (e - a > LABEL_MAX || e == a)
		return F_NONE;
	*label_start = a;
	*label_len = e - a;
	for (size_t k = a; k < e; k++) {
		char c = s[k];

		if (c == '(')
			break; /* a hint copied from the form: "Bevestiging (wat gaat goed):" */
		if (c == ',')
			continue;
		if (c == ' ' && (n == 0 || norm[n - 1] == ' '))
			continue;
		norm[n++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	while (n > 0 && norm[n - 1] == ' ')
		n--;
	norm[n] = '\0';
	enum field_id id = F_NONE;

	for (size_t k = 0; k < NELEM(label_table); k++)
		if (strcmp(norm, label_table[k].label) == 0) {
			id = label_table[k].id;
			break;
		}
	if (id == F_NONE)
		return F_NONE;
	i = e;
	while (i < len && (s[i] == '*' || s[i] == '_'))
		i++;
	while (i < len && s[i] == ' ')
		i++;
	if (i < len && s[i] == ':')
		i++;
	else if (i < len && dash_at(s, len, i, &w))
		i += w;
	else if (i < len || n == 1)
		return F_NONE; /* "Kritiek is nodig": a sentence, not a label; "K" alone: a name */
	while (i < len && (s[i] == ' ' || s[i] == '*' || s[i] == '_'))
		i++;
	*rest = i;
	return id;
}

/* ---- storing ------------------------------------------------------------------------------ */

static int
note_add(struct fields_note **arr, size_t *n, size_t line, const char *text, size_t len)
{
	char *t;

	if (push(arr, *n, sizeof(**arr)) < 0)
		return -1;
	if ((t = dup_utf8(text, len)) == NULL)
		return -1;
	(*arr)[*n].line = line;
	(*arr)[*n].text = t;
	(*arr)[*n].kind = FIELDS_PROBLEM_OTHER;
	(*arr)[*n].q = 0;
	(*arr)[*n].value = NULL;
	(*n)++;
	return 0;
}

static int
problem(struct fields *f, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
problem(struct fields *f, size_t line, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (ret == 0)
		ret = note_add(&f->problems, &f->nproblems, line, b.data, b.len);
	buf_release(&b);
	return ret;
}

/* A value for a message: valid UTF-8, at most about 60 bytes. */
static int
quoted_value(struct buf *b, const char *s, size_t len)
{
	size_t n = len;

	if (n > 60) {
		n = 57;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	if (add_utf8(b, s, n) < 0)
		return -1;
	return n < len ? buf_adds(b, "…") : 0;
}

/*
 * A problem with question q's answer: the English message (for logs) and what a template needs
 * to say it in the member's language: the kind, q and the value as written (may be NULL).
 */
static int
answer_problem(struct fields *f, size_t line, enum fields_problem kind, long q,
    const char *value)
{
	struct fields_note *nt;
	int r;

	switch (kind) {
	case FIELDS_PROBLEM_NOT_WHOLE:
		r = problem(f, line, "question %ld: \"%s\" is not a whole number from 0 to 10", q,
		    value);
		break;
	case FIELDS_PROBLEM_OUT_OF_RANGE:
		r = problem(f, line, "question %ld: \"%s\" is not a score from 0 to 10", q, value);
		break;
	default:
		r = problem(f, line, "question %ld is answered twice; the later answer counts", q);
		break;
	}
	if (r < 0)
		return -1;
	nt = &f->problems[f->nproblems - 1];
	nt->kind = kind;
	nt->q = (unsigned)q;
	if (value != NULL && (nt->value = dup_utf8(value, strlen(value))) == NULL)
		return -1;
	return 0;
}

/*
 * Give the problem just added (ret: what problem() returned) its kind, a number and a value, so
 * that mail can say it in the member's language. value is short: a label, or already cut.
 */
static int
problem_mark(struct fields *f, int ret, enum fields_problem kind, unsigned q, const char *value)
{
	struct fields_note *nt;

	if (ret < 0)
		return -1;
	nt = &f->problems[f->nproblems - 1];
	nt->kind = kind;
	nt->q = q;
	if (value != NULL && (nt->value = dup_utf8(value, strlen(value))) == NULL)
		return -1;
	return 0;
}

static int
set_text(struct parser *ps, struct fields_text *t, const char *s, size_t len)
{
	char *v = dup_utf8(s, len);

	if (v == NULL)
		return -1;
	if (t->text != NULL) {
		free(t->text);
		if (problem_mark(ps->f, problem(ps->f, ps->cur_line, "\"%s\" appears twice; the "
		    "later one counts", ps->cur_label.data), FIELDS_PROBLEM_LABEL_TWICE, 0,
		    ps->cur_label.data) < 0) {
			free(v);
			return -1;
		}
	}
	t->text = v;
	t->line = ps->cur_line;
	return 0;
}

static int
has_list_separator(const char *s, size_t len)
{
	if (memchr(s, ',', len) || memchr(s, ';', len))
		return 1;
	for (size_t k = 0; k < NELEM(list_words); k++)
		if (ci_find(s, len, list_words[k]) != NULL)
			return 1;
	return 0;
}

static int
ask_add_name(struct fields *f, const char *s, size_t len)
{
	const char *m;
	size_t b;
	char *v;

	trim(&s, &len, 0);
	b = bullet_len(s, len);
	s += b;
	len -= b;
	trim(&s, &len, 1);
	while (len > 0 && (s[len - 1] == '.' || is_space(s[len - 1])))
		len--;
	/* "piet@x<mailto:piet@x>", a leftover of HTML */
	m = ci_find(s, len, "<mailto:");
	if (m != NULL && m > s)
		len = (size_t)(m - s);
	trim(&s, &len, 1);
	if (len == 0)
		return 0;
	if (push(&f->ask, f->nask, sizeof(*f->ask)) < 0 || (v = dup_utf8(s, len)) == NULL)
		return -1;
	f->ask[f->nask++] = v;
	return 0;
}

/* Split an ask value on ",", ";", " en ", " and " and line ends. */
static int
ask_add_list(struct fields *f, const char *s, size_t len)
{
	size_t start = 0, i = 0;

	while (i <= len) {
		size_t skip = 0;

		if (i == len || s[i] == ',' || s[i] == ';' || s[i] == '\n')
			skip = 1;
		else
			for (size_t k = 0; k < NELEM(list_words); k++)
				if (ci_prefix(s + i, len - i, list_words[k]))
					skip = strlen(list_words[k]);
		if (skip == 0) {
			i++;
			continue;
		}
		if (ask_add_name(f, s + start, i - start) < 0)
			return -1;
		i += skip;
		start = i;
	}
	return 0;
}

/* Read a number of 1 to max digits at s[*i]; -1 when there is none. */
static long
read_number(const char *s, size_t len, size_t *i, size_t max)
{
	long v = 0;
	size_t k = 0;

	while (*i < len && k < max && s[*i] >= '0' && s[*i] <= '9') {
		v = v * 10 + (s[*i] - '0');
		(*i)++;
		k++;
	}
	if (k == 0 || (*i < len && s[*i] >= '0' && s[*i] <= '9'))
		return -1;
	return v;
}

/* An away command's end as the fields keep it: a whole date as "YYYY-MM-DD", any other day
 * (dayword.h: "vrijdag", "12 maart", "morgen") as written, for the caller to place on its
 * calendar. NULL with *bad set when it is not a day; NULL without on ENOMEM. */
static char *
until_value(const char *s, size_t len, int *bad)
{
	struct dayword w;
	char iso[11];

	*bad = 0;
	if (dayword_parse(s, len, &w) < 0) {
		*bad = 1;
		return NULL;
	}
	if (w.kind != DAYWORD_DATE)
		return dup_utf8(s, len);
	snprintf(iso, sizeof(iso), "%04d-%02d-%02d", w.date.year, w.date.month, w.date.day);
	return dup_utf8(iso, 10);
}

static int
command_add(struct parser *ps, enum fields_command_kind kind, const char *s, size_t len)
{
	struct fields *f = ps->f;
	struct fields_command *c;
	const char *date = NULL;
	size_t date_len = 0;
	char *until = NULL;
	int bad = 0;

	trim(&s, &len, 1);
	if (kind == FIELDS_CMD_AWAY) {
		const char *hit = NULL;
		size_t hit_len = 0;

		for (size_t k = 0; k < NELEM(until_words) && hit == NULL; k++) {
			hit = ci_find(s, len, until_words[k]);
			hit_len = strlen(until_words[k]);
		}
		if (hit != NULL) {
			date = hit + hit_len;
			date_len = len - (size_t)(date - s);
			len = (size_t)(hit - s);
			trim(&date, &date_len, 1);
			while (date_len > 0 && date[date_len - 1] == '.')
				date_len--;
		}
	}
	trim(&s, &len, 1);
	if (len == 0)
		return problem_mark(f, problem(f, ps->cur_line, "\"%s\" needs the name of a member",
		    ps->cur_label.data), FIELDS_PROBLEM_NEEDS_NAME, 0, ps->cur_label.data);
	if (date != NULL && (until = until_value(date, date_len, &bad)) == NULL && !bad)
		return -1;
	if (bad) {
		struct buf b = BUF_INIT;
		int r = quoted_value(&b, date, date_len);

		if (r == 0)
			r = problem_mark(f, problem(f, ps->cur_line, "\"%s\" is not a date (write it "
			    "as 2027-02-01, 1-2-2027, 1 February or Friday)", b.data), FIELDS_PROBLEM_NOT_A_DATE, 0, b.data);
		buf_release(&b);
		return r;
	}
	if (push(&f->commands, f->ncommands, sizeof(*f->commands)) < 0) {
		free(until);
		return -1;
	}
	c = &f->commands[f->ncommands];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->line = ps->cur_line;
	if ((c->name = dup_utf8(s, len)) == NULL) {
		free(until);
		return -1;
	}
	c->until = until;
	f->ncommands++;
	return 0;
}

static int
action_add(struct parser *ps, int by_team, int long_term, const char *s, size_t len)
{
	struct fields *f = ps->f;
	struct fields_action *a;

	if (push(&f->actions, f->nactions, sizeof(*f->actions)) < 0)
		return -1;
	a = &f->actions[f->nactions];
	a->by_team = by_team;
	a->long_term = long_term;
	a->line = ps->cur_line;
	if ((a->text = dup_utf8(s, len)) == NULL)
		return -1;
	f->nactions++;
	return 0;
}

/* Store the field being collected. */
static int
finish(struct parser *ps)
{
	struct fields *f = ps->f;
	const char *s = ps->value.data;
	size_t len = ps->value.len;
	int r = 0;

	if (ps->cur == F_NONE)
		return 0;
	while (len > 0 && (s[0] == '\n' || is_space(s[0])))
		s++, len--;
	while (len > 0 && (s[len - 1] == '\n' || is_space(s[len - 1])))
		len--;
	if (len == 0) {
		/* an empty BKC or action label is simply not filled in; a command or a
		 * "Feedback voor" without a name is a problem */
		if (ps->cur == F_NUDGE || ps->cur == F_AWAY || ps->cur == F_FEEDBACK_FOR)
			r = problem_mark(f, problem(f, ps->cur_line, "\"%s\" needs the name of a "
			    "member", ps->cur_label.data), FIELDS_PROBLEM_NEEDS_NAME, 0,
			    ps->cur_label.data);
		goto out;
	}
	switch (ps->cur) {
	case F_CONFIRMATION:
		r = set_text(ps, &f->confirmation, s, len);
		break;
	case F_CRITIQUE:
		r = set_text(ps, &f->critique, s, len);
		break;
	case F_SUGGESTION:
		r = set_text(ps, &f->suggestion, s, len);
		break;
	case F_ABOUT:
		r = set_text(ps, &f->about, s, len);
		break;
	case F_FEEDBACK_FOR:
		trim(&s, &len, 1);
		if ((r = has_list_separator(s, len)) != 0) {
			if (r > 0)
				r = problem_mark(f, problem(f, ps->cur_line, "\"%s\" names one "
				    "colleague; write one message per colleague", ps->cur_label.data),
				    FIELDS_PROBLEM_ONE_COLLEAGUE, 0, ps->cur_label.data);
			break;
		}
		r = set_text(ps, &f->feedback_for, s, len);
		break;
	case F_ASK:
		if (f->ask_line == 0)
			f->ask_line = ps->cur_line;
		r = ask_add_list(f, s, len);
		break;
	case F_NUDGE:
		r = command_add(ps, FIELDS_CMD_NUDGE, s, len);
		break;
	case F_AWAY:
		r = command_add(ps, FIELDS_CMD_AWAY, s, len);
		break;
	case F_TEAM_SHORT:
		r = action_add(ps, 1, 0, s, len);
		break;
	case F_TEAM_LONG:
		r = action_add(ps, 1, 1, s, len);
		break;
	case F_OTHERS_SHORT:
		r = action_add(ps, 0, 0, s, len);
		break;
	case F_OTHERS_LONG:
		r = action_add(ps, 0, 1, s, len);
		break;
	case F_NONE:
		break;
	}
out:
	ps->cur = F_NONE;
	ps->single = 0;
	ps->after_blank = 0;
	buf_reset(&ps->value);
	buf_reset(&ps->cur_label);
	return r;
}

static int
is_single_line(enum field_id id)
{
	return id == F_FEEDBACK_FOR || id == F_NUDGE || id == F_AWAY;
}

static int
start_field(struct parser *ps, enum field_id id, size_t line, const char *label,
    size_t label_len, const char *value, size_t value_len)
{
	if (finish(ps) < 0)
		return -1;
	ps->cur = id;
	ps->cur_line = line;
	trim(&label, &label_len, 1);
	if (add_utf8(&ps->cur_label, label, label_len) < 0 ||
	    buf_add(&ps->value, value, value_len) < 0)
		return -1;
	if (is_single_line(id)) {
		if (value_len > 0)
			return finish(ps);
		ps->single = 1;
	}
	return 0;
}

/* "F12: 4" → 1 when the line is a rating (stored, or a problem noted), 0 when not. */
static int
parse_rating(struct parser *ps, const char *s, size_t len, size_t line)
{
	struct fields *f = ps->f;
	size_t i = 1, vlen;
	long id, score;
	const char *v;
	char idbuf[24];

	if (len < 4 || (s[0] != 'F' && s[0] != 'f') || !(s[1] >= '0' && s[1] <= '9'))
		return 0;
	if ((id = read_number(s, len, &i, 6)) < 0)
		return 0;
	while (i < len && s[i] == ' ')
		i++;
	if (i >= len || (s[i] != ':' && s[i] != '='))
		return 0;
	v = s + i + 1;
	vlen = len - i - 1;
	trim(&v, &vlen, 1);
	snprintf(idbuf, sizeof(idbuf), "F%ld", id);
	i = 0;
	score = read_number(v, vlen, &i, 2);
	if (score >= 0 && i + 2 == vlen && v[i] == '/' && v[i + 1] == '5')
		i = vlen;
	if (score < 1 || score > 5 || i != vlen) {
		struct buf b = BUF_INIT;
		int r = quoted_value(&b, v, vlen);

		if (r == 0)
			r = problem_mark(f, problem(f, line, "rating %s: \"%s\" is not a rating from "
			    "1 to 5", idbuf, b.data), FIELDS_PROBLEM_RATING_OUT_OF_RANGE,
			    (unsigned)id, b.data);
		buf_release(&b);
		return r < 0 ? -1 : 1;
	}
	for (size_t k = 0; k < f->nratings; k++)
		if (strcmp(f->ratings[k].id, idbuf) == 0) {
			f->ratings[k].score = (int)score;
			f->ratings[k].line = line;
			return problem_mark(f, problem(f, line, "%s is rated twice; the later rating "
			    "counts", idbuf), FIELDS_PROBLEM_RATING_TWICE, (unsigned)id, NULL) < 0 ?
			    -1 : 1;
		}
	if (push(&f->ratings, f->nratings, sizeof(*f->ratings)) < 0)
		return -1;
	if ((f->ratings[f->nratings].id = dup_utf8(idbuf, strlen(idbuf))) == NULL)
		return -1;
	f->ratings[f->nratings].score = (int)score;
	f->ratings[f->nratings].line = line;
	f->nratings++;
	return 1;
}

/*
 * A questionnaire answer: "1: 8", "1 = 8", "1) 8", "1. 8", "1 - 8", "Vraag 1: 8", "Q1: 8".
 * in_text: the line is inside a text field, where "1. …", "1) …" and "1 - …" are a numbered
 * list: only "Vraag 1: …", "Q1: …" and "1: 8"/"1 = 8" with a number count. Returns 1 when the
 * line is an answer
 * (stored, or a problem noted), 0 when not, -1 on ENOMEM.
 */
static int
parse_answer(struct parser *ps, const char *s, size_t len, size_t line, int in_text)
{
	struct fields *f = ps->f;
	size_t i = 0, vlen, w;
	int prefixed = 0;
	long q, score = -1;
	const char *v;
	char sep;

	for (size_t k = 0; k < NELEM(question_prefixes); k++)
		if (ci_prefix(s, len, question_prefixes[k])) {
			i = strlen(question_prefixes[k]);
			prefixed = 1;
			break;
		}
	if (prefixed)
		while (i < len && (s[i] == ' ' || s[i] == '.'))
			i++;
	if ((q = read_number(s, len, &i, 3)) < 1)
		return 0;
	while (i < len && s[i] == ' ')
		i++;
	if (i >= len)
		return 0;
	sep = s[i];
	if (s[i] == ':' || s[i] == '=' || s[i] == ')')
		i++;
	else if ((s[i] == '.' || dash_at(s, len, i, &w)) && i + 1 < len) {
		i += s[i] == '.' ? 1 : w;
		if (i >= len || s[i] != ' ')
			return 0; /* "1.8", "12-03-2027": not an answer */
	} else {
		return 0;
	}
	v = s + i;
	vlen = len - i;
	trim(&v, &vlen, 1);
	if (in_text && !prefixed) {
		if (sep != ':' && sep != '=')
			return 0;
		if (vlen == 0 || strspn(v, "0123456789,./-") < vlen || !(v[0] == '-' ||
		    (v[0] >= '0' && v[0] <= '9')))
			return 0;
	}
	if (vlen == 0)
		return 1; /* left blank: no answer, no problem */

	/* the whole value a number? */
	size_t k = 0;
	long n = read_number(v, vlen, &k, 3);
	int is_score = 0;

	if (n >= 0 && k == vlen)
		is_score = 1;
	else if (n >= 0 && k + 3 <= vlen && v[k] == '/' && memcmp(v + k + 1, "10", 2) == 0 &&
	    k + 3 == vlen)
		is_score = 1;
	else if (n >= 0 && k < vlen && (v[k] == ',' || v[k] == '.') && k + 1 < vlen) {
		size_t k2 = k + 1;

		if (read_number(v, vlen, &k2, 3) >= 0 && k2 == vlen) {
			struct buf b = BUF_INIT;
			int r = quoted_value(&b, v, vlen);

			if (r == 0)
				r = answer_problem(f, line, FIELDS_PROBLEM_NOT_WHOLE, q, b.data);
			buf_release(&b);
			return r < 0 ? -1 : 1;
		}
	} else if (vlen >= 2 && v[0] == '-' && v[1] >= '0' && v[1] <= '9') {
		size_t k2 = 1;

		if (read_number(v, vlen, &k2, 3) >= 0 && k2 == vlen)
			n = 11, is_score = 1; /* negative: out of range */
	}
	if (is_score) {
		if (n > 10) {
			struct buf b = BUF_INIT;
			int r = quoted_value(&b, v, vlen);

			if (r == 0)
				r = answer_problem(f, line, FIELDS_PROBLEM_OUT_OF_RANGE, q, b.data);
			buf_release(&b);
			return r < 0 ? -1 : 1;
		}
		score = n;
	}
	char *t = dup_utf8(v, vlen);

	if (t == NULL)
		return -1;
	for (size_t a = 0; a < f->nanswers; a++)
		if (f->answers[a].q == (unsigned)q) {
			free(f->answers[a].text);
			f->answers[a].text = t;
			f->answers[a].score = (int)score;
			f->answers[a].line = line;
			return answer_problem(f, line, FIELDS_PROBLEM_ANSWER_TWICE, q, NULL) < 0 ?
			    -1 : 1;
		}
	if (push(&f->answers, f->nanswers, sizeof(*f->answers)) < 0) {
		free(t);
		return -1;
	}
	f->answers[f->nanswers].q = (unsigned)q;
	f->answers[f->nanswers].score = (int)score;
	f->answers[f->nanswers].text = t;
	f->answers[f->nanswers].line = line;
	f->nanswers++;
	return 1;
}

/* Does this line close the message ("Groet,", "Met vriendelijke groet", "Thanks!")? */
static int
is_closing(const char *s, size_t len, int after_blank)
{
	const char *const *table = after_blank ? closings_weak : closings_strong;
	size_t n = after_blank ? NELEM(closings_weak) : NELEM(closings_strong);

	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < n; k++) {
			size_t w = strlen(table[k]);

			if (!ci_prefix(s, len, table[k]))
				continue;
			if (w == len || s[w] == ',' || s[w] == '!' || s[w] == '.' || s[w] == ':')
				return 1;
		}
		if (!after_blank)
			break;
		table = closings_strong;
		n = NELEM(closings_strong);
	}
	return 0;
}

static int
unread(struct parser *ps, const char *s, size_t len, size_t line)
{
	return note_add(&ps->f->unread, &ps->f->nunread, line, s, len);
}

static int
is_bkc(enum field_id id)
{
	return id == F_CONFIRMATION || id == F_CRITIQUE || id == F_SUGGESTION;
}

/* What may stand between two parts written on one line ("B: goed / K: …"), besides spaces. */
static int
is_inline_separator(char c)
{
	return c == ' ' || c == '/' || c == '|' || c == ';' || c == ',' || c == '-';
}

/*
 * Where in v[0..len), the value on a BKC label's line, the next BKC label starts: after a
 * space that follows a separator ("/", "|", ";", ",", "-") or the end of a sentence ('.',
 * '!', '?'), and only a label with a colon ("K: …"), so that "plan B - …" or "zie punt B"
 * in a sentence stay text. len when there is none. Each position costs at most one
 * parse_label (bounded by LABEL_MAX).
 */
static size_t
inline_label(const char *v, size_t len)
{
	for (size_t i = 1; i < len; i++) {
		size_t j = i, rest = 0, la = 0, ll = 0;
		enum field_id id;
		char p;

		if (v[i - 1] != ' ' || v[i] == ' ')
			continue;
		while (j > 0 && v[j - 1] == ' ')
			j--;
		if (j == 0)
			continue;
		p = v[j - 1];
		if (!(p == '/' || p == '|' || p == ';' || p == ',' || p == '-' || p == '.' ||
		    p == '!' || p == '?'))
			continue;
		id = parse_label(v + i, len - i, &rest, &la, &ll);
		if (is_bkc(id) && memchr(v + i + la + ll, ':', rest - la - ll) != NULL)
			return i;
	}
	return len;
}

static int
parse_line(struct parser *ps, struct buf *ln, size_t line)
{
	const char *s = ln->data;
	size_t len = ln->len, b, rest = 0, la = 0, ll = 0;
	enum field_id id;
	int r;

	if (len == 0) {
		if (ps->cur == F_ASK && ps->value.len > 0)
			return finish(ps); /* a list ends at a blank line */
		if (ps->cur != F_NONE && !ps->single && ps->value.len > 0)
			ps->after_blank = 1;
		return 0;
	}
	b = bullet_len(s, len);
	if ((r = parse_rating(ps, s + b, len - b, line)) != 0) {
		if (r < 0 || finish(ps) < 0)
			return -1;
		return 0;
	}
	id = parse_label(s + b, len - b, &rest, &la, &ll);
	if (id == F_NONE) {
		size_t nb = number_bullet_len(s + b, len - b);

		if (nb > 0 && (id = parse_label(s + b + nb, len - b - nb, &rest, &la, &ll)) !=
		    F_NONE)
			b += nb;
	}
	if (id != F_NONE) {
		const char *v = s + b + rest, *label = s + b + la;
		size_t vlen = len - b - rest;

		ps->closed = 0;
		/* "B: goed / K: te laat / C: eerder": the parts on one line, each its own field */
		while (is_bkc(id)) {
			size_t k = inline_label(v, vlen), cut = k;
			const char *next;

			if (k == vlen)
				break;
			while (cut > 0 && is_inline_separator(v[cut - 1]))
				cut--;
			if (start_field(ps, id, line, label, ll, v, cut) < 0)
				return -1;
			next = v + k;
			id = parse_label(next, vlen - k, &rest, &la, &ll);
			label = next + la;
			v = next + rest;
			vlen = vlen - k - rest;
		}
		return start_field(ps, id, line, label, ll, v, vlen);
	}
	/* answers: anywhere outside a text field; inside one only "Vraag 1:" / "Q1:" */
	int in_text = ps->cur != F_NONE && !ps->single;

	r = parse_answer(ps, s + b, len - b, line, in_text);
	if (r < 0)
		return -1;
	if (r > 0)
		return in_text ? finish(ps) : 0;
	/* a value ends at a blank line followed by a closing ("Alvast bedankt!", "Viele Grüße"):
	 * the closing is not part of it */
	if (ps->closed || (in_text && (is_closing(s, len, ps->after_blank) ||
	    (ps->after_blank && signature_is_signoff(ps->closings, NULL, s, len))))) {
		if (in_text && finish(ps) < 0)
			return -1;
		ps->closed = 1;
		return unread(ps, s, len, line);
	}
	if (ps->cur == F_NONE)
		return unread(ps, s, len, line);
	if (ps->value.len > 0 && buf_adds(&ps->value, ps->after_blank ? "\n\n" : "\n") < 0)
		return -1;
	ps->after_blank = 0;
	if (buf_add(&ps->value, s, len) < 0)
		return -1;
	if (ps->single)
		return finish(ps);
	return 0;
}

int
fields_parse(const char *text, size_t len, struct fields *out)
{
	return fields_parse_with(NULL, text, len, out);
}

int
fields_parse_with(const struct signature_rules *closings, const char *text, size_t len,
    struct fields *out)
{
	struct parser ps;
	struct buf ln = BUF_INIT;
	size_t start = 0, line = 0;
	int ret = -1, too_long = 0;

	memset(out, 0, sizeof(*out));
	memset(&ps, 0, sizeof(ps));
	ps.f = out;
	ps.closings = closings;
	buf_init(&ps.cur_label);
	buf_init(&ps.value);
	if (text == NULL)
		len = 0;
	if (len > FIELDS_MAX_INPUT) {
		len = FIELDS_MAX_INPUT;
		too_long = 1;
	}
	for (size_t i = 0; i <= len; i++) {
		if (i < len && text[i] != '\n')
			continue;
		if (i == len && start == len)
			break;
		line++;
		if (clean_line(&ln, text + start, i - start) < 0 || parse_line(&ps, &ln, line) < 0)
			goto out;
		start = i + 1;
	}
	if (finish(&ps) < 0)
		goto out;
	if (too_long) {
		if (problem(out, line, "the text is longer than %zu bytes; the rest was not read",
		    (size_t)FIELDS_MAX_INPUT) < 0)
			goto out;
		out->problems[out->nproblems - 1].kind = FIELDS_PROBLEM_TOO_LONG;
	}
	ret = 0;
out:
	buf_release(&ln);
	buf_release(&ps.cur_label);
	buf_release(&ps.value);
	return ret;
}

static void
notes_free(struct fields_note *notes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(notes[i].text);
		free(notes[i].value);
	}
	free(notes);
}

void
fields_release(struct fields *f)
{
	if (f == NULL)
		return;
	free(f->confirmation.text);
	free(f->critique.text);
	free(f->suggestion.text);
	free(f->about.text);
	free(f->feedback_for.text);
	for (size_t i = 0; i < f->nask; i++)
		free(f->ask[i]);
	free(f->ask);
	for (size_t i = 0; i < f->nanswers; i++)
		free(f->answers[i].text);
	free(f->answers);
	for (size_t i = 0; i < f->nratings; i++)
		free(f->ratings[i].id);
	free(f->ratings);
	for (size_t i = 0; i < f->ncommands; i++) {
		free(f->commands[i].name);
		free(f->commands[i].until);
	}
	free(f->commands);
	for (size_t i = 0; i < f->nactions; i++)
		free(f->actions[i].text);
	free(f->actions);
	notes_free(f->problems, f->nproblems);
	notes_free(f->unread, f->nunread);
	memset(f, 0, sizeof(*f));
}

/* ---- JSON --------------------------------------------------------------------------------- */

/* Set key to v (stolen); a NULL v or a failed set marks *ok = 0. */
static void
set(json_t *obj, const char *key, json_t *v, int *ok)
{
	if (v == NULL || json_object_set_new(obj, key, v) < 0)
		*ok = 0;
}

static void
append(json_t *arr, json_t *v, int *ok)
{
	if (v == NULL || json_array_append_new(arr, v) < 0)
		*ok = 0;
}

static json_t *
notes_json(const struct fields_note *notes, size_t n, const char *key, int *ok)
{
	json_t *arr = json_array();

	if (arr == NULL) {
		*ok = 0;
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();

		if (o != NULL) {
			set(o, "line", json_integer((json_int_t)notes[i].line), ok);
			set(o, key, json_string(notes[i].text), ok);
		}
		append(arr, o, ok);
	}
	return arr;
}

json_t *
fields_to_json(const struct fields *f)
{
	json_t *o = json_object(), *arr;
	int ok = 1;
	const struct {
		const char *key;
		const struct fields_text *t;
	} texts[] = {
		{ "confirmation", &f->confirmation },
		{ "critique", &f->critique },
		{ "suggestion", &f->suggestion },
		{ "about", &f->about },
		{ "feedback_for", &f->feedback_for },
	};

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < NELEM(texts); i++)
		if (texts[i].t->text != NULL)
			set(o, texts[i].key, json_string(texts[i].t->text), &ok);
	if (f->nask > 0) {
		set(o, "ask", arr = json_array(), &ok);
		for (size_t i = 0; arr != NULL && i < f->nask; i++)
			append(arr, json_string(f->ask[i]), &ok);
	}
	if (f->nanswers > 0) {
		set(o, "answers", arr = json_array(), &ok);
		for (size_t i = 0; arr != NULL && i < f->nanswers; i++) {
			const struct fields_answer *a = &f->answers[i];
			json_t *e = json_object();

			if (e != NULL) {
				set(e, "q", json_integer(a->q), &ok);
				if (a->score >= 0)
					set(e, "score", json_integer(a->score), &ok);
				else
					set(e, "text", json_string(a->text), &ok);
			}
			append(arr, e, &ok);
		}
	}
	if (f->nratings > 0) {
		set(o, "ratings", arr = json_array(), &ok);
		for (size_t i = 0; arr != NULL && i < f->nratings; i++) {
			json_t *e = json_object();

			if (e != NULL) {
				set(e, "id", json_string(f->ratings[i].id), &ok);
				set(e, "score", json_integer(f->ratings[i].score), &ok);
			}
			append(arr, e, &ok);
		}
	}
	if (f->ncommands > 0) {
		set(o, "commands", arr = json_array(), &ok);
		for (size_t i = 0; arr != NULL && i < f->ncommands; i++) {
			const struct fields_command *c = &f->commands[i];
			json_t *e = json_object();

			if (e != NULL) {
				set(e, "command", json_string(c->kind == FIELDS_CMD_NUDGE ? "nudge" :
				    "away"), &ok);
				set(e, "name", json_string(c->name), &ok);
				if (c->until != NULL)
					set(e, "until", json_string(c->until), &ok);
			}
			append(arr, e, &ok);
		}
	}
	if (f->nactions > 0) {
		set(o, "actions", arr = json_array(), &ok);
		for (size_t i = 0; arr != NULL && i < f->nactions; i++) {
			const struct fields_action *a = &f->actions[i];
			json_t *e = json_object();

			if (e != NULL) {
				set(e, "by", json_string(a->by_team ? "team" : "others"), &ok);
				set(e, "term", json_string(a->long_term ? "long" : "short"), &ok);
				set(e, "text", json_string(a->text), &ok);
			}
			append(arr, e, &ok);
		}
	}
	if (f->nproblems > 0)
		set(o, "problems", notes_json(f->problems, f->nproblems, "message", &ok), &ok);
	if (f->nunread > 0)
		set(o, "unread", notes_json(f->unread, f->nunread, "text", &ok), &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

const char *
fields_problem_flag(enum fields_problem kind)
{
	switch (kind) {
	case FIELDS_PROBLEM_NOT_WHOLE:
		return "not_whole";
	case FIELDS_PROBLEM_OUT_OF_RANGE:
		return "out_of_range";
	case FIELDS_PROBLEM_ANSWER_TWICE:
		return "twice";
	case FIELDS_PROBLEM_TOO_LONG:
		return "too_long";
	case FIELDS_PROBLEM_LABEL_TWICE:
		return "label_twice";
	case FIELDS_PROBLEM_NEEDS_NAME:
		return "needs_name";
	case FIELDS_PROBLEM_ONE_COLLEAGUE:
		return "one_colleague";
	case FIELDS_PROBLEM_NOT_A_DATE:
		return "not_a_date";
	case FIELDS_PROBLEM_RATING_OUT_OF_RANGE:
		return "rating_out_of_range";
	case FIELDS_PROBLEM_RATING_TWICE:
		return "rating_twice";
	case FIELDS_PROBLEM_OTHER:
		break;
	}
	return "other";
}
