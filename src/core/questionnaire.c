/*
 * questionnaire — parse and load questionnaire files, summarise scores. See
 * include/questionnaire.h for the format.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "questionnaire.h"
#include "banned.h"

#define ACCEPTED "accepted: \"title: name\", \"N scale: question\" (a score 0-10), " \
	"\"N open: question\" (text), \"N actions: question\" (text, about the team's " \
	"improvement actions), \"# comment\" or a blank line"

void
questionnaire_release(struct questionnaire *q)
{
	if (q == NULL)
		return;
	for (size_t i = 0; i < q->n; i++)
		free(q->q[i].text);
	free(q->q);
	free(q->title);
	q->q = NULL;
	q->n = 0;
	q->title = NULL;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* s[0..len) trimmed of blanks at both ends. */
static void
trim(const char **s, size_t *len)
{
	while (*len > 0 && is_space(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && is_space((*s)[*len - 1]))
		(*len)--;
}

/* A question's or the title's text: not empty, not too long, no control characters. */
static int
check_text(const char *name, size_t line, const char *s, size_t len, struct fb_error *err)
{
	if (len == 0)
		return fb_error_set(err, "%s:%zu: the text is missing; " ACCEPTED, name, line);
	if (len > QUESTIONNAIRE_MAX_TEXT)
		return fb_error_set(err, "%s:%zu: text of %zu bytes (accepted: at most %d)", name,
		    line, len, QUESTIONNAIRE_MAX_TEXT);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return fb_error_set(err, "%s:%zu: a control character (byte 0x%02x) in the "
			    "text", name, line, (unsigned char)s[i]);
	return 0;
}

static char *
dup_n(const char *s, size_t len)
{
	char *d = malloc(len + 1);

	if (d != NULL) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

/* One non-blank, non-comment line. */
static int
parse_line(const char *name, size_t line, const char *s, size_t len, struct questionnaire *q,
    struct fb_error *err)
{
	if (len >= 6 && memcmp(s, "title:", 6) == 0) {
		const char *t = s + 6;
		size_t tl = len - 6;

		trim(&t, &tl);
		if (q->title != NULL)
			return fb_error_set(err, "%s:%zu: a second title (accepted: one title line)",
			    name, line);
		if (q->n > 0)
			return fb_error_set(err, "%s:%zu: the title comes after the questions "
			    "(accepted: before the first question)", name, line);
		if (check_text(name, line, t, tl, err) < 0)
			return -1;
		if ((q->title = dup_n(t, tl)) == NULL)
			return fb_error_set(err, "out of memory");
		return 0;
	}

	size_t i = 0;
	unsigned number = 0;
	while (i < len && s[i] >= '0' && s[i] <= '9' && i < 4)
		number = number * 10 + (unsigned)(s[i++] - '0');
	if (i == 0 || i == len || !is_space(s[i]))
		return fb_error_set(err, "%s:%zu: not a question line; " ACCEPTED, name, line);
	if (number < 1 || number > QUESTIONNAIRE_MAX_NUMBER || (i > 1 && s[0] == '0'))
		return fb_error_set(err, "%s:%zu: question number %.*s (accepted: 1..%d without "
		    "leading zeros)", name, line, (int)i, s, QUESTIONNAIRE_MAX_NUMBER);
	while (i < len && is_space(s[i]))
		i++;

	enum questionnaire_type type;
	int about_actions = 0;
	if (len - i >= 8 && memcmp(s + i, "actions:", 8) == 0) {
		type = QUESTIONNAIRE_OPEN;
		about_actions = 1;
		i += 8;
	} else if (len - i >= 6 && memcmp(s + i, "scale:", 6) == 0) {
		type = QUESTIONNAIRE_SCALE;
		i += 6;
	} else if (len - i >= 5 && memcmp(s + i, "open:", 5) == 0) {
		type = QUESTIONNAIRE_OPEN;
		i += 5;
	} else {
		return fb_error_set(err, "%s:%zu: question %u has no type; accepted: \"%u scale: "
		    "question\", \"%u open: question\" or \"%u actions: question\"", name, line,
		    number, number, number, number);
	}
	if (q->n > 0 && number <= q->q[q->n - 1].number)
		return fb_error_set(err, "%s:%zu: question %u after question %u (accepted: numbers "
		    "that increase, each used once)", name, line, number, q->q[q->n - 1].number);
	if (q->n == QUESTIONNAIRE_MAX_QUESTIONS)
		return fb_error_set(err, "%s:%zu: more than %d questions", name, line,
		    QUESTIONNAIRE_MAX_QUESTIONS);

	const char *t = s + i;
	size_t tl = len - i;
	trim(&t, &tl);
	if (check_text(name, line, t, tl, err) < 0)
		return -1;
	struct questionnaire_question *nq = realloc(q->q, (q->n + 1) * sizeof(*nq));
	if (nq == NULL)
		return fb_error_set(err, "out of memory");
	q->q = nq;
	if ((nq[q->n].text = dup_n(t, tl)) == NULL)
		return fb_error_set(err, "out of memory");
	nq[q->n].number = number;
	nq[q->n].type = type;
	nq[q->n].about_actions = about_actions;
	q->n++;
	return 0;
}

int
questionnaire_parse(const char *name, const char *text, size_t len, struct questionnaire *out,
    struct fb_error *err)
{
	size_t pos = 0, line = 0;

	questionnaire_release(out);
	if (len > QUESTIONNAIRE_MAX_FILE)
		return fb_error_set(err, "%s: %zu bytes (accepted: at most %d)", name, len,
		    QUESTIONNAIRE_MAX_FILE);
	if (memchr(text, '\0', len) != NULL)
		return fb_error_set(err, "%s: a NUL byte (accepted: a text file)", name);
	/* A UTF-8 byte order mark is not part of the first line. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len) {
		const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
		size_t l = nl != NULL ? (size_t)(nl - s) : len - pos;

		pos += l + (nl != NULL);
		line++;
		if (l > 0 && s[l - 1] == '\r')
			l--;
		trim(&s, &l);
		if (l == 0 || s[0] == '#')
			continue;
		if (parse_line(name, line, s, l, out, err) < 0) {
			questionnaire_release(out);
			return -1;
		}
	}
	if (out->title == NULL || out->n == 0) {
		fb_error_set(err, "%s: %s (a questionnaire needs a \"title: name\" line and at "
		    "least one question)", name, out->title == NULL ? "no title" : "no questions");
		questionnaire_release(out);
		return -1;
	}
	return 0;
}

int
questionnaire_for_actions(const struct questionnaire *in, const char *const *texts, size_t n,
    struct questionnaire *out, struct fb_error *err)
{
	struct questionnaire q = QUESTIONNAIRE_INIT;

	questionnaire_release(out);
	if ((q.title = dup_n(in->title ? in->title : "", in->title ? strlen(in->title) : 0)) ==
	    NULL || (q.q = calloc(in->n + 1, sizeof(*q.q))) == NULL)
		goto oom;
	for (size_t i = 0; i < in->n; i++) {
		const struct questionnaire_question *from = &in->q[i];
		struct buf t = BUF_INIT;

		if (from->about_actions && n == 0)
			continue;
		if (buf_adds(&t, from->text) < 0)
			goto oom;
		for (size_t k = 0; from->about_actions && k < n; k++)
			if (buf_addf(&t, "\n     - %s", texts[k]) < 0) {
				buf_release(&t);
				goto oom;
			}
		q.q[q.n] = *from;
		if ((q.q[q.n].text = buf_detach(&t, NULL)) == NULL)
			goto oom;
		q.n++;
	}
	*out = q;
	return 0;
oom:
	questionnaire_release(&q);
	return fb_error_set(err, "out of memory");
}

const struct questionnaire_question *
questionnaire_find(const struct questionnaire *q, unsigned number)
{
	for (size_t i = 0; i < q->n; i++)
		if (q->q[i].number == number)
			return &q->q[i];
	return NULL;
}

void
questionnaire_stats(const int *scores, size_t n, struct questionnaire_stats *out)
{
	long sum = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		if (scores[i] < 0 || scores[i] > QUESTIONNAIRE_SCORE_MAX)
			continue;
		out->dist[scores[i]]++;
		out->n++;
		sum += scores[i];
	}
	if (out->n == 0)
		return;
	out->average = (double)sum / (double)out->n;
	/* The median from the distribution: the score(s) at positions (n-1)/2 and n/2. */
	size_t lo = (out->n - 1) / 2, hi = out->n / 2, seen = 0;
	int vlo = -1, vhi = -1;
	for (int s = 0; s <= QUESTIONNAIRE_SCORE_MAX; s++) {
		if (vlo < 0 && seen + out->dist[s] > lo)
			vlo = s;
		if (vhi < 0 && seen + out->dist[s] > hi)
			vhi = s;
		seen += out->dist[s];
	}
	out->median = (vlo + vhi) / 2.0;
}
