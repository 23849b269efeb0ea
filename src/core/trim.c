/*
 * trim — what the person wrote in a reply. See include/trim.h for the rules.
 *
 * Shape: split into lines → classify each line (tables of PCRE2 patterns in src/core/tables/,
 * matched caseless on a whitespace-normalised copy of the line) → decide which lines to keep →
 * write them out. Every pattern lives in a table file: a new client's quirk is a new row.
 * Patterns are only tried on short lines (a quote header or a signature is never long), which
 * also keeps the cost of hostile input linear.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "rtable.h"
#include "signature.h"
#include "trim.h"
#include "banned.h"

/* Inputs larger than this are hostile or a bug: only this much is read. */
#define TRIM_MAX_INPUT ((size_t)8 << 20)
/* A line longer than this is never a quote header, separator, signature or boilerplate. */
#define PATTERN_MAX_LINE 400
/* A wrapped quote header spans at most this many non-blank lines and blank lines. */
#define HEADER_MAX_LINES 5
#define HEADER_MAX_BLANKS 2
/* A mail header block (From:/Sent:/To:/Subject:) is looked for in this many lines. */
#define HEADER_BLOCK_WINDOW 10

enum line_kind {
	LK_TEXT,
	LK_BLANK,
	LK_QUOTE,       /* starts with '>' */
	LK_QHEADER,     /* "On … wrote:" and friends, possibly one of several wrapped lines */
	LK_SEPARATOR,   /* original/forwarded message marker, Outlook header block */
	LK_SIGDELIM,    /* "-- " */
	LK_DEVICE,      /* "Sent from my iPhone": a candidate until the standalone rule confirms it */
	LK_BOILERPLATE, /* warnings and tips that mail systems add */
};

struct line {
	const char *p;
	size_t len;           /* without "\n" and a trailing "\r" */
	enum line_kind kind;
	unsigned char code;   /* inside a closed ``` or ~~~ fence */
	unsigned char drop;   /* decided: not in the output */
	unsigned char overflow; /* the rest of the quoted line above, wrapped without '>' */
};

/* ---- pattern tables -------------------------------------------------------------------- */

/*
 * The patterns are data: src/core/tables/<kind>.txt (each file says its format and where its
 * entries come from), compiled into the programs and compiled with PCRE2 once, in
 * trim_rules_new(). A new client's quirk is a new row there.
 */
struct patterns {
	struct rtable *quote_header;  /* quote-headers.txt: "On … wrote:" and friends */
	struct rtable *evidence;      /* quote-evidence.txt: a time, a year or an address */
	struct rtable *separator;     /* separators.txt: original/forwarded message markers */
	struct rtable *device;        /* devices.txt: "Sent from my iPhone" */
	struct rtable *boilerplate;   /* boilerplate.txt: warnings and tips mail systems add */
	struct rtable *label_from;    /* header-labels-from.txt: From: of a header block */
	struct rtable *label_other;   /* header-labels-other.txt: Sent:, To:, Subject: … */
	/* per call (trim_reply's copy of the rules): match state, so the rules stay read-only */
	struct rtable_scratch *rs;
};

static void
patterns_free(struct patterns *pt)
{
	rtable_free(pt->quote_header);
	rtable_free(pt->evidence);
	rtable_free(pt->separator);
	rtable_free(pt->device);
	rtable_free(pt->boilerplate);
	rtable_free(pt->label_from);
	rtable_free(pt->label_other);
	memset(pt, 0, sizeof(*pt));
}

static int
patterns_init(struct patterns *pt, struct fb_error *err)
{
	memset(pt, 0, sizeof(*pt));
	if ((pt->quote_header = rtable_load_embedded("quote-headers.txt", 0, err)) == NULL ||
	    (pt->evidence = rtable_load_embedded("quote-evidence.txt", 0, err)) == NULL ||
	    (pt->separator = rtable_load_embedded("separators.txt", 0, err)) == NULL ||
	    (pt->device = rtable_load_embedded("devices.txt", 0, err)) == NULL ||
	    (pt->boilerplate = rtable_load_embedded("boilerplate.txt", 0, err)) == NULL ||
	    (pt->label_from = rtable_load_embedded("header-labels-from.txt", RTABLE_WHOLE,
	    err)) == NULL ||
	    (pt->label_other = rtable_load_embedded("header-labels-other.txt", RTABLE_WHOLE,
	    err)) == NULL) {
		patterns_free(pt);
		return -1;
	}
	return 0;
}

/* The compiled patterns belong to a value the caller makes once (trim_rules_new) and passes to
 * every trim_reply(): no hidden shared state, no lock. */
struct trim_rules {
	struct patterns pt;
	struct signature_rules *sig; /* the closing block without "-- " (signature.h) */
};

struct trim_rules *
trim_rules_load(struct fb_error *err)
{
	struct trim_rules *r = calloc(1, sizeof(*r));

	if (r == NULL) {
		fb_error_set(err, "out of memory");
		return NULL;
	}
	if (patterns_init(&r->pt, err) < 0) {
		free(r);
		return NULL;
	}
	if ((r->sig = signature_rules_new(err)) == NULL) {
		trim_rules_free(r);
		return NULL;
	}
	return r;
}

struct trim_rules *
trim_rules_new(void)
{
	struct trim_rules *r = trim_rules_load(NULL);

	if (r == NULL)
		errno = ENOMEM;
	return r;
}

void
trim_rules_free(struct trim_rules *r)
{
	if (r == NULL)
		return;
	patterns_free(&r->pt);
	signature_rules_free(r->sig);
	free(r);
}

const struct signature_rules *
trim_rules_signature(const struct trim_rules *r)
{
	return r != NULL ? r->sig : NULL;
}

static int
match_any(const struct patterns *pt, const struct rtable *t, const char *s)
{
	return rtable_any(t, s, strlen(s), pt->rs);
}

/* Is label one of the table's? */
static int
label_in(const struct patterns *pt, const struct rtable *t, const char *label)
{
	return match_any(pt, t, label);
}

/* ---- lines ----------------------------------------------------------------------------- */

static int
is_space_at(const char *p, size_t len, size_t i, size_t *width)
{
	unsigned char c = (unsigned char)p[i];

	if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == '\0') {
		*width = 1;
		return 1;
	}
	/* U+00A0 no-break space, a leftover of HTML */
	if (c == 0xc2 && i + 1 < len && (unsigned char)p[i + 1] == 0xa0) {
		*width = 2;
		return 1;
	}
	return 0;
}

/*
 * Put a normalised copy of p[0..len) into dst: leading and trailing white space removed, runs
 * of white space (also no-break spaces, NUL bytes) as one space. Appends to dst; returns -1 on
 * ENOMEM. Stops early (the copy then is over max bytes) when the text is longer than max.
 */
static int
normalise_add(struct buf *dst, const char *p, size_t len, size_t max)
{
	size_t i = 0, w;
	int pending = 0;

	while (i < len && dst->len <= max) {
		if (is_space_at(p, len, i, &w)) {
			pending = 1;
			i += w;
			continue;
		}
		if (pending && dst->len > 0 && dst->data[dst->len - 1] != ' ')
			if (buf_addch(dst, ' ') < 0)
				return -1;
		pending = 0;
		/* the run of non-space bytes from i, appended at once: its first byte always, the
		 * others while the copy is not over max (as one byte at a time would) */
		{
			size_t room = max > dst->len ? max - dst->len : 0, j = i + 1;
			size_t end = len - i > room + 1 ? i + room + 1 : len;

			/* a byte above ' ' other than 0xc2 (U+00A0's lead) is never a space */
			while (j < end && (((unsigned char)p[j] > ' ' && (unsigned char)p[j] != 0xc2) ||
			    !is_space_at(p, len, j, &w)))
				j++;
			if (buf_add(dst, p + i, j - i) < 0)
				return -1;
			i = j;
		}
	}
	return 0;
}

static int
line_is_blank(const struct line *l)
{
	size_t w;

	for (size_t i = 0; i < l->len; i += w)
		if (!is_space_at(l->p, l->len, i, &w))
			return 0;
	return 1;
}

/* The line's normalised text in scratch; 0 when it is too long for any pattern, -1 ENOMEM. */
static int
line_norm(struct buf *scratch, const struct line *l)
{
	buf_reset(scratch);
	if (l->len > PATTERN_MAX_LINE * 2)
		return 0;
	if (normalise_add(scratch, l->p, l->len, PATTERN_MAX_LINE) < 0)
		return -1;
	return scratch->len <= PATTERN_MAX_LINE ? 1 : 0;
}

static size_t
split_lines(const char *text, size_t len, struct line *lines)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && text[i] != '\n')
			continue;
		if (i == len && start == len)
			break; /* no empty last line after a final "\n" */
		lines[n].p = text + start;
		lines[n].len = i - start;
		if (lines[n].len > 0 && lines[n].p[lines[n].len - 1] == '\r')
			lines[n].len--;
		lines[n].kind = LK_TEXT;
		lines[n].code = 0;
		lines[n].drop = 0;
		n++;
		start = i + 1;
	}
	return n;
}

static int
starts_fence(const struct line *l)
{
	size_t i = 0;

	while (i < l->len && i < 4 && l->p[i] == ' ')
		i++;
	if (l->len - i < 3)
		return 0;
	return memcmp(l->p + i, "```", 3) == 0 || memcmp(l->p + i, "~~~", 3) == 0;
}

/* Lines between a fence and its closing fence are code: always the person's text. */
static void
mark_code(struct line *lines, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j;

		if (!starts_fence(&lines[i])) {
			i++;
			continue;
		}
		for (j = i + 1; j < n && !starts_fence(&lines[j]); j++)
			;
		if (j == n)
			return; /* an unclosed fence fences nothing */
		for (size_t k = i; k <= j; k++)
			lines[k].code = 1;
		i = j + 1;
	}
}

/* A line of only '_', '-' or '=' (at least 5): a separator when a header block follows. */
static int
is_rule_line(const struct line *l)
{
	size_t i, count = 0;
	char c = 0;

	for (i = 0; i < l->len; i++) {
		char ch = l->p[i];

		if (ch == ' ' || ch == '\t' || ch == '\r')
			continue;
		if (ch != '_' && ch != '-' && ch != '=')
			return 0;
		if (c != 0 && ch != c)
			return 0;
		c = ch;
		count++;
	}
	return count >= 5;
}

/*
 * The label of a "Label: value" line ("Label：" with the full-width colon of CJK clients), ASCII
 * lower-cased; 0 when there is none. Markdown-ish emphasis around the label ("**From:**") and
 * blanks (also no-break spaces) before the colon ("De :") are skipped.
 */
static int
line_label(const struct line *l, char *label, size_t size)
{
	size_t i = 0, n = 0;

	while (i < l->len && (l->p[i] == '*' || l->p[i] == '_' || l->p[i] == ' '))
		i++;
	for (; i < l->len && l->p[i] != ':'; i++) {
		char c = l->p[i];

		if (i + 3 <= l->len && memcmp(l->p + i, "\xef\xbc\x9a", 3) == 0)
			break;
		if (n + 1 >= size || c == '\t')
			return 0;
		if ((unsigned char)c == 0xc2 && i + 1 < l->len && (unsigned char)l->p[i + 1] == 0xa0) {
			/* the no-break space French puts before the colon ("À\u00a0:") */
			label[n++] = ' ';
			i++;
			continue;
		}
		if (c == '*' || c == '_')
			continue;
		label[n++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	if (i >= l->len || n == 0)
		return 0;
	while (n > 0 && label[n - 1] == ' ')
		n--;
	label[n] = '\0';
	return n > 0;
}

/* The kind of a header block line: 2 a From label, 1 another label, 0 none. */
static int
header_label_kind(const struct patterns *pt, const struct line *l)
{
	char label[64];

	if (l->code || !line_label(l, label, sizeof(label)))
		return 0;
	if (label_in(pt, pt->label_from, label))
		return 2;
	return label_in(pt, pt->label_other, label) ? 1 : 0;
}

/* An address that did not fit on the label's line ("From: Human Resources" +
 * "<hr@x.com>"): the rest of the line above. */
static int
is_address_continuation(const struct line *l)
{
	size_t i = 0;

	while (i < l->len && l->p[i] == ' ')
		i++;
	return i < l->len && (l->p[i] == '<' || l->p[i] == '[') && memchr(l->p, '@', l->len) != NULL;
}

/*
 * Does a mail header block start at i? Three labelled lines in a row (one blank line or one
 * wrapped address between them allowed), one of them a From label: Outlook's From:/Sent:/To:/
 * Subject:, GMX's Gesendet:/Von:/An:/Betreff:, a forward's Subject:/Date:/From:/To:.
 */
static int
header_block_at(const struct patterns *pt, const struct line *lines, size_t n, size_t i)
{
	size_t labelled = 0, blanks = 0, cont = 0;
	int from = 0, k;

	if ((k = header_label_kind(pt, &lines[i])) == 0)
		return 0;
	for (size_t j = i; j < n && j <= i + HEADER_BLOCK_WINDOW; j++) {
		if (j > i && line_is_blank(&lines[j])) {
			if (++blanks > 1)
				break;
			continue;
		}
		blanks = 0;
		if (j > i && (k = header_label_kind(pt, &lines[j])) == 0) {
			if (labelled > 0 && cont == 0 && is_address_continuation(&lines[j])) {
				cont = 1;
				continue;
			}
			break;
		}
		cont = 0;
		from |= k == 2;
		if (++labelled >= 3 && from)
			return 1;
	}
	return 0;
}

static int
is_sig_delimiter(const struct line *l)
{
	size_t len = l->len;

	while (len > 0 && (l->p[len - 1] == ' ' || l->p[len - 1] == '\t'))
		len--;
	return len == 2 && l->p[0] == '-' && l->p[1] == '-';
}

static int
ends_like_header(const struct line *l)
{
	size_t len = l->len;

	while (len > 0 && (l->p[len - 1] == ' ' || l->p[len - 1] == '\t'))
		len--;
	if (len == 0)
		return 0;
	if (l->p[len - 1] == ':' || l->p[len - 1] == '-' || l->p[len - 1] == '>')
		return 1;
	/* "… Jan <jan@x.org> wrote" where the colon got lost: a word after the address */
	for (size_t k = len; k > 0 && len - k < 24; k--) {
		if (l->p[k - 1] == '>')
			return k + 1 < len && l->p[k] == ' ';
		if (l->p[k - 1] == ' ' && k < len && l->p[k] == '>')
			return 0;
	}
	/* the full-width colon U+FF1A */
	return len >= 3 && memcmp(l->p + len - 3, "\xef\xbc\x9a", 3) == 0;
}

/* Is this line a quote header on its own? 1 yes, 0 no, -1 ENOMEM. */
static int
header_is_single(const struct patterns *pt, struct buf *scratch, const struct line *l)
{
	int r;

	if (!ends_like_header(l))
		return 0;
	r = line_norm(scratch, l);

	if (r <= 0)
		return r;
	return match_any(pt, pt->evidence, scratch->data) &&
	    match_any(pt, pt->quote_header, scratch->data);
}

static int
ends_sentence(const struct line *l)
{
	size_t len = l->len;

	while (len > 0 && (l->p[len - 1] == ' ' || l->p[len - 1] == '\t'))
		len--;
	return len > 0 && (l->p[len - 1] == '.' || l->p[len - 1] == '!' || l->p[len - 1] == '?');
}

/*
 * Does the line end a sentence, not an abbreviation or a day ("Mo., 11.", "jan.")? '!' or '?',
 * or '.' after a word of four or more letters or after a year.
 */
static int
ends_full_sentence(const struct line *l)
{
	size_t len = l->len, k, letters = 0, digits = 0;

	while (len > 0 && (l->p[len - 1] == ' ' || l->p[len - 1] == '\t'))
		len--;
	if (len == 0)
		return 0;
	if (l->p[len - 1] == '!' || l->p[len - 1] == '?')
		return 1;
	if (l->p[len - 1] != '.')
		return 0;
	for (k = len - 1; k > 0 && l->p[k - 1] != ' ' && l->p[k - 1] != '.'; k--) {
		unsigned char c = (unsigned char)l->p[k - 1];

		if (c >= '0' && c <= '9')
			digits++;
		else if ((c & 0xc0) != 0x80) /* one per character, also outside ASCII */
			letters++;
	}
	return (digits == 0 && letters >= 4) || (letters == 0 && digits == 4);
}

/* Do the non-blank lines a..end-1, joined, make a quote header? 1 yes, 0 no, -1 ENOMEM. */
static int
window_matches(const struct patterns *pt, struct buf *joined, const struct line *lines,
    size_t a, size_t end)
{
	buf_reset(joined);
	for (size_t k = a; k < end; k++) {
		if (lines[k].kind == LK_BLANK)
			continue;
		if (joined->len > 0 && buf_addch(joined, ' ') < 0)
			return -1;
		if (normalise_add(joined, lines[k].p, lines[k].len, PATTERN_MAX_LINE) < 0)
			return -1;
		if (joined->len > PATTERN_MAX_LINE)
			return 0;
	}
	return match_any(pt, pt->evidence, joined->data) &&
	    match_any(pt, pt->quote_header, joined->data);
}

/*
 * Can a quote header that starts at line i also start at its later line k? Not when k continues
 * a wrapped header: it starts with '<', or the line right above it ends in an open '<' ("On
 * Mon, Jan 11, 2027 … Jan de Vries <" + "jan@x.org> wrote:" is one header, not a sentence and
 * a header). The person's lines above a header ("2: 6" + "Op … schreef Pilot:") are not.
 */
static int
tail_can_start(const struct line *lines, size_t i, size_t k)
{
	const struct line *prev = &lines[k - 1];
	size_t len = prev->len;

	size_t b = 0;

	/* a header starts with a word or a date, never with the rest of an address */
	while (b < lines[k].len && lines[k].p[b] == ' ')
		b++;
	if (b < lines[k].len && (lines[k].p[b] == '<' || lines[k].p[b] == '('))
		return 0;
	if (k <= i || line_is_blank(prev))
		return 1;
	while (len > 0 && (prev->p[len - 1] == ' ' || prev->p[len - 1] == '\t'))
		len--;
	return len == 0 || (prev->p[len - 1] != '<' && prev->p[len - 1] != '(');
}

/*
 * A quote header starting at line i, possibly wrapped over the next lines (clients wrap
 * "On … <address>\n> wrote:" at 72 columns). Returns the number of lines it spans, 0 when none,
 * -1 on ENOMEM.
 */
static int
quote_header_at(const struct patterns *pt, struct buf *scratch, struct buf *joined,
    const struct line *lines, size_t n, size_t i)
{
	const struct line *last_nonblank = &lines[i];
	size_t nonblank = 0, blanks = 0;
	int r;

	if (lines[i].kind != LK_TEXT || lines[i].code || lines[i].len > PATTERN_MAX_LINE)
		return 0;
	buf_reset(joined);
	for (size_t j = i; j < n; j++) {
		const struct line *l = &lines[j];

		if (l->code)
			break;
		if (line_is_blank(l)) {
			/* a blank line after a finished sentence ends the paragraph */
			if (++blanks > HEADER_MAX_BLANKS || ends_sentence(&lines[j - 1]))
				break;
			continue;
		}
		if (++nonblank > HEADER_MAX_LINES || l->len > PATTERN_MAX_LINE)
			break;
		if (j > i) {
			if (l->kind != LK_TEXT && l->kind != LK_QUOTE)
				break;
			/* a short line that ends a sentence ends the person's paragraph: "We met
			 * in 2019." + "Then Jan wrote:" is not one header (a wrapped one's lines
			 * are long) */
			if (last_nonblank->len < 60 && ends_full_sentence(last_nonblank))
				break;
			/* a line that is a header by itself is not the tail of this one */
			if (tail_can_start(lines, i, j) &&
			    (r = header_is_single(pt, scratch, l)) != 0)
				return r < 0 ? -1 : 0;
			if (buf_addch(joined, ' ') < 0)
				return -1;
		}
		if (normalise_add(joined, l->p, l->len, PATTERN_MAX_LINE) < 0)
			return -1;
		last_nonblank = l;
		if (joined->len > PATTERN_MAX_LINE)
			break;
		if (ends_like_header(l) &&
		    match_any(pt, pt->evidence, joined->data) &&
		    match_any(pt, pt->quote_header, joined->data))
			return (int)(j - i + 1);
		if (l->kind == LK_QUOTE)
			break; /* a quoted line can only be the last one ("> wrote:") */
	}
	return 0;
}

static int
classify(const struct patterns *pt, struct line *lines, size_t n)
{
	struct buf scratch = BUF_INIT, joined = BUF_INIT;
	int r, ret = -1;

	mark_code(lines, n);
	for (size_t i = 0; i < n; i++) {
		struct line *l = &lines[i];

		if (line_is_blank(l)) {
			l->kind = LK_BLANK;
			continue;
		}
		if (l->code)
			continue;
		if (l->p[0] == '>') {
			l->kind = LK_QUOTE;
			continue;
		}
		if (is_sig_delimiter(l)) {
			l->kind = LK_SIGDELIM;
			continue;
		}
		if (header_block_at(pt, lines, n, i)) {
			l->kind = LK_SEPARATOR;
			continue;
		}
		if (is_rule_line(l)) {
			size_t j = i + 1;

			while (j < n && j < i + 3 && line_is_blank(&lines[j]))
				j++;
			if (j < n && header_block_at(pt, lines, n, j))
				l->kind = LK_SEPARATOR;
			continue;
		}
		if ((r = line_norm(&scratch, l)) < 0)
			goto out;
		if (r == 0)
			continue;
		if (match_any(pt, pt->separator, scratch.data))
			l->kind = LK_SEPARATOR;
		else if (match_any(pt, pt->device, scratch.data))
			l->kind = LK_DEVICE;
		else if (match_any(pt, pt->boilerplate, scratch.data))
			l->kind = LK_BOILERPLATE;
	}
	for (size_t i = 0; i < n; i++) {
		size_t start = i, end;

		if ((r = quote_header_at(pt, &scratch, &joined, lines, n, i)) < 0)
			goto out;
		if (r == 0)
			continue;
		end = i + (size_t)r;
		/* the person's line just above a header may join it into a match too
		 * ("Danke\n\nJan <j@x> schrieb am …:"): the header is the shortest tail
		 * that still matches and starts where a header can start */
		for (size_t k = i + 1; k < end; k++) {
			int m;

			if (lines[k].kind == LK_BLANK || !tail_can_start(lines, i, k))
				continue;
			if ((m = window_matches(pt, &joined, lines, k, end)) < 0)
				goto out;
			if (m)
				start = k;
		}
		for (size_t k = start; k < end; k++)
			if (lines[k].kind != LK_BLANK)
				lines[k].kind = LK_QHEADER;
		i = end - 1;
	}
	ret = 0;
out:
	buf_release(&scratch);
	buf_release(&joined);
	return ret;
}

/* ---- deciding -------------------------------------------------------------------------- */

static int
is_boundary(const struct line *l)
{
	return l->kind != LK_TEXT && l->kind != LK_DEVICE;
}

/* Where a comma followed by a lower-case word goes on ("Sent from my desk, is much easier"),
 * or 0: the part before it must name a device for the line to be a device line ("Sent from my
 * cell, please excuse typos" is one; "Sent from my Verizon, Samsung Galaxy …" has no clause). */
static size_t
clause_at(const struct line *l)
{
	for (size_t i = 0; i + 2 < l->len; i++)
		if (l->p[i] == ',' && l->p[i + 1] == ' ' && l->p[i + 2] >= 'a' && l->p[i + 2] <= 'z')
			return i;
	return 0;
}

/*
 * Device signatures stand apart: a run of them is one only when a blank line (or the start or
 * end, or a quote, header…) is directly above or below it. "… and we sent from my office\n"
 * inside a paragraph stays, and so does a line that goes on as a sentence.
 */
static void
confirm_devices(const struct trim_rules *r, struct line *lines, size_t n)
{
	size_t i = 0, c;

	for (size_t k = 0; k < n; k++)
		if (lines[k].kind == LK_DEVICE && (c = clause_at(&lines[k])) > 0 &&
		    !signature_is_device(r->sig, lines[k].p, c))
			lines[k].kind = LK_TEXT;

	while (i < n) {
		size_t j = i;

		if (lines[i].kind != LK_DEVICE) {
			i++;
			continue;
		}
		while (j < n && lines[j].kind == LK_DEVICE)
			j++;
		if ((i > 0 && !is_boundary(&lines[i - 1])) && (j < n && !is_boundary(&lines[j])))
			for (size_t k = i; k < j; k++)
				lines[k].kind = LK_TEXT;
		i = j;
	}
}

struct removal {
	size_t cut;             /* first line of the cut-off tail */
	size_t header;          /* first quote header line dropped, or n */
	size_t devices;         /* device signature lines dropped */
	size_t boilerplate;     /* boilerplate lines dropped */
	size_t first_device;    /* first device signature dropped, or n */
};

/*
 * A device signature ends what the person wrote: the client put it under their text, and what
 * follows it is the message replied to, which Outlook mobile, Android and Samsung mail quote
 * without '>' ("Hi there\n\nSent from Outlook for Android\n\n<the original>"). The first text
 * line after the person's text and a device signature is where the cut goes.
 */
static size_t
device_cut(const struct line *lines, size_t cut)
{
	int seen_text = 0;

	for (size_t i = 0; i < cut; i++) {
		if (lines[i].kind == LK_QHEADER)
			break; /* the quote header decides */
		if (lines[i].kind == LK_TEXT) {
			seen_text = 1;
		} else if (lines[i].kind == LK_DEVICE && seen_text) {
			size_t j = i + 1;

			while (j < cut && (lines[j].kind == LK_BLANK || lines[j].kind == LK_DEVICE ||
			    lines[j].kind == LK_BOILERPLATE))
				j++;
			return j < cut && lines[j].kind == LK_TEXT ? j : cut;
		}
	}
	return cut;
}

/* The number of words on the line (runs of non-spaces). */
static size_t
words_of(const struct line *l)
{
	size_t w = 0;

	for (size_t i = 0; i < l->len; i++)
		if (l->p[i] != ' ' && l->p[i] != '\t' && (i == 0 || l->p[i - 1] == ' ' || l->p[i - 1] == '\t'))
			w++;
	return w;
}

/* Does the line stop where a sentence or clause may end ('.', '!', '?', ':', ';')? */
static int
ends_clause(const struct line *l)
{
	size_t len = l->len;

	while (len > 0 && (l->p[len - 1] == ' ' || l->p[len - 1] == '\t'))
		len--;
	return len > 0 && strchr(".!?:;", l->p[len - 1]) != NULL;
}

/*
 * Mark the lines that are the rest of the quoted line above them, wrapped by a client that did
 * not put '>' before the overflow ("> … Nullam pharetra d" + "ignissim odio?"). The quoted line
 * is long (it was wrapped) and the quote goes on under the overflow (or a blank line or the end
 * follows). Either the overflow goes on in lower case, over at most three lines of which all
 * but the last are long and stop in mid-sentence (a re-wrapped long paragraph), or the quoted
 * line stops in mid-sentence and the overflow is the few words that did not fit ("> … gaat
 * alleen naar Carla" + "Smit.") with the quote going on right under it: the person answering
 * between quotes leaves a quoted sentence whole and writes more than a name. Such lines are not
 * the person answering between the quotes: they go with the quote. Only lines from..n-1 (under
 * the first quote header, above the cut) are looked at: nowhere else does it matter.
 */
static void
mark_overflow(struct line *lines, size_t from, size_t n)
{
	for (size_t j = from + 1; j < n; j++) {
		const struct line *l = &lines[j];
		size_t b = 0, end = j;

		if (l->kind != LK_TEXT || l->code || lines[j - 1].kind != LK_QUOTE || lines[j - 1].len < 60)
			continue;
		while (b < l->len && l->p[b] == ' ')
			b++;
		if (b >= l->len)
			continue;
		if (l->p[b] >= 'a' && l->p[b] <= 'z') {
			while (end + 1 < n && end < j + 2 && lines[end + 1].kind == LK_TEXT && !lines[end + 1].code &&
			    lines[end].len >= 60 && !ends_clause(&lines[end]))
				end++;
			if (end + 1 < n && lines[end + 1].kind != LK_QUOTE && lines[end + 1].kind != LK_BLANK)
				continue;
		} else if (ends_clause(&lines[j - 1]) || words_of(l) > 3 || j + 1 >= n ||
		    lines[j + 1].kind != LK_QUOTE) {
			continue;
		}
		for (size_t k = j; k <= end; k++)
			lines[k].overflow = 1;
		j = end;
	}
}

static void
decide(struct line *lines, size_t n, struct removal *rm)
{
	size_t cut = n, first_header = n, i;
	int text_before = 0;

	rm->header = n;
	rm->devices = rm->boilerplate = 0;
	rm->first_device = n;
	for (i = 0; i < n; i++)
		if (lines[i].kind == LK_SEPARATOR || lines[i].kind == LK_SIGDELIM) {
			cut = i;
			break;
		}
	cut = device_cut(lines, cut);
	for (i = 0; i < cut; i++) {
		if (lines[i].kind == LK_DEVICE || lines[i].kind == LK_BOILERPLATE) {
			lines[i].drop = 1;
			if (lines[i].kind == LK_DEVICE) {
				rm->devices++;
				if (rm->first_device == n)
					rm->first_device = i;
			} else {
				rm->boilerplate++;
			}
		}
	}
	for (i = 0; i < cut; i++) {
		if (lines[i].kind == LK_QHEADER) {
			first_header = i;
			break;
		}
		if (lines[i].kind == LK_TEXT)
			text_before = 1;
	}
	if (first_header < cut) {
		int inline_reply = 0;

		rm->header = first_header;
		mark_overflow(lines, first_header, cut);
		if (text_before) {
			/* inline: right under the header a quote, and later the person's text
			 * between quotes, before any further header */
			size_t j = first_header;
			int seen_quote = 0;

			while (j < cut && (lines[j].kind == LK_QHEADER || lines[j].kind == LK_BLANK ||
			    lines[j].drop))
				j++;
			if (j < cut && lines[j].kind == LK_QUOTE) {
				for (; j < cut && !inline_reply; j++) {
					if (lines[j].drop)
						continue;
					if (lines[j].kind == LK_QUOTE)
						seen_quote = 1;
					else if (lines[j].kind == LK_QHEADER)
						break;
					else if (lines[j].kind == LK_TEXT && seen_quote &&
					    !lines[j].overflow)
						inline_reply = 1;
				}
			}
			if (!inline_reply)
				cut = first_header;
		}
		if (!text_before || inline_reply) {
			for (i = 0; i < cut; i++) {
				if (lines[i].drop)
					continue;
				if (lines[i].kind == LK_QHEADER)
					lines[i].drop = 1;
				else if (lines[i].kind == LK_QUOTE)
					lines[i].drop = 1;
				else if (lines[i].overflow && i > first_header)
					lines[i].drop = 1; /* a quoted line's overflow goes with it */
			}
		}
	} else {
		/* no quote header: only a quote that ends the message goes; with no text of the
		 * writer's at all every quote goes, so that the never-empty rule below tells "all
		 * quoted, nothing written" (everything_quoted) */
		size_t last_text = cut;
		int any_text = 0;

		for (i = cut; i > 0; i--)
			if (!lines[i - 1].drop && lines[i - 1].kind == LK_TEXT) {
				last_text = i - 1;
				any_text = 1;
				break;
			}
		for (i = any_text ? last_text + 1 : 0; i < cut; i++)
			if (!lines[i].drop && lines[i].kind == LK_QUOTE)
				lines[i].drop = 1;
	}
	for (i = cut; i < n; i++)
		lines[i].drop = 1;
	rm->cut = cut;
}

/* What drop_closing() removed, for the description. */
struct closing {
	size_t lines;     /* lines dropped (blank ones too) */
	size_t anchor;    /* the line that made it a signature, or n */
	const char *why;  /* "closing", "signature", …; NULL when nothing went */
};

/*
 * The closing block without a "-- " line (sign-off, name, contact details, legal footer) at the
 * end of the lines kept so far: signature.c decides, on those lines only.
 */
static int
drop_closing(const struct trim_rules *r, const struct trim_context *ctx, struct line *lines,
    size_t n, struct closing *c)
{
	struct signature_sender from = { NULL, NULL, NULL };
	struct signature_block sig;
	struct signature_line *kept;
	size_t *at, m = 0;
	int ret = -1;

	c->lines = 0;
	c->anchor = n;
	c->why = NULL;
	if (ctx != NULL) {
		from.name = ctx->from_name;
		from.name2 = ctx->member_name;
		from.addr = ctx->from_addr;
	}
	kept = calloc(n + 1, sizeof(*kept));
	at = calloc(n + 1, sizeof(*at));
	if (kept == NULL || at == NULL)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (!lines[i].drop) {
			kept[m].p = lines[i].p;
			kept[m].len = lines[i].len;
			at[m++] = i;
		}
	if (signature_find(r->sig, &from, kept, m, &sig) < 0)
		goto out;
	if (sig.start < m) {
		for (size_t k = sig.start; k < m; k++)
			lines[at[k]].drop = 1;
		c->lines = m - sig.start;
		c->anchor = at[sig.anchor < m ? sig.anchor : sig.start];
		c->why = sig.why;
	}
	ret = 0;
out:
	free(kept);
	free(at);
	return ret;
}

/* The never-empty rule: keep everything but quote headers, device signatures, boilerplate. */
static void
decide_fallback(struct line *lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		lines[i].drop = lines[i].kind == LK_QHEADER || lines[i].kind == LK_DEVICE ||
		    lines[i].kind == LK_BOILERPLATE;
}

static int
has_kind(const struct line *lines, size_t n, enum line_kind kind)
{
	for (size_t i = 0; i < n; i++)
		if (lines[i].kind == kind)
			return 1;
	return 0;
}

static int
anything_kept(const struct line *lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!lines[i].drop && lines[i].kind != LK_BLANK)
			return 1;
	return 0;
}

/*
 * Write the kept lines. Blank lines at the start and end go, and so does a blank line that
 * would double another one only because the lines between them were dropped.
 */
static int
emit(const struct line *lines, size_t n, struct buf *out, size_t *emitted)
{
	size_t pending_blanks = 0;
	int started = 0, dropped_since = 0, quote_since = 0;

	for (size_t i = 0; i < n; i++) {
		const struct line *l = &lines[i];

		if (l->drop) {
			dropped_since = 1;
			quote_since |= l->kind == LK_QUOTE || l->kind == LK_QHEADER;
			continue;
		}
		/* Blank lines around a dropped run collapse to those above it: "Hi,\n" + quote +
		 * "\n" + answer is "Hi,\nanswer" (an inline answer right under the greeting), and
		 * "Hi,\n\n" + quote + "\n\n" + answer keeps one blank line. */
		if (l->kind == LK_BLANK) {
			if (started && !(dropped_since && (pending_blanks > 0 || quote_since)))
				pending_blanks++;
			continue;
		}
		for (; pending_blanks > 0; pending_blanks--, (*emitted)++)
			if (buf_addch(out, '\n') < 0)
				return -1;
		const char *p = l->p;
		size_t len = l->len, w;

		if (!started) /* no white space before the text */
			while (len > 0 && is_space_at(p, len, 0, &w)) {
				p += w;
				len -= w;
			}
		if (buf_add(out, p, len) < 0 || buf_addch(out, '\n') < 0)
			return -1;
		started = 1;
		dropped_since = quote_since = 0;
		(*emitted)++;
	}
	return 0;
}

/* A line, shortened for the description. */
static int
describe_line(struct buf *b, const struct line *l)
{
	struct buf tmp = BUF_INIT;
	int ret = -1;

	if (normalise_add(&tmp, l->p, l->len > 200 ? 200 : l->len, 80) < 0)
		goto out;
	if (tmp.len > 60) {
		/* cut at a UTF-8 character boundary */
		size_t k = 57;

		while (k > 0 && ((unsigned char)tmp.data[k] & 0xc0) == 0x80)
			k--;
		buf_truncate(&tmp, k);
		if (buf_adds(&tmp, "…") < 0)
			goto out;
	}
	ret = buf_addf(b, "'%s'", tmp.data);
out:
	buf_release(&tmp);
	return ret;
}

static int
describe(struct buf *b, const struct line *lines, size_t n, const struct removal *rm,
    int fallback)
{
	const char *sep = "";
	size_t quoted = 0, other = 0;

	for (size_t i = 0; i < n; i++) {
		if (!lines[i].drop)
			continue;
		if (lines[i].kind == LK_QUOTE)
			quoted++;
		else if (i > rm->cut && lines[i].kind != LK_BLANK && lines[i].kind != LK_QHEADER)
			other++;
	}
	if (fallback) {
		if (buf_adds(b, "everything looked quoted: kept all but quote headers") < 0)
			return -1;
		sep = "; ";
	}
	if (rm->header < n && lines[rm->header].drop) {
		if (buf_addf(b, "%squote header ", sep) < 0 ||
		    describe_line(b, &lines[rm->header]) < 0)
			return -1;
		sep = "; ";
	}
	if (quoted > 0) {
		if (buf_addf(b, "%s%zu quoted line%s", sep, quoted, quoted == 1 ? "" : "s") < 0)
			return -1;
		sep = "; ";
	}
	if (!fallback && rm->cut < n && lines[rm->cut].kind != LK_QHEADER) {
		const struct line *c = &lines[rm->cut];

		if (buf_addf(b, "%s%s ", sep, c->kind == LK_SIGDELIM ? "signature" :
		    "earlier message from") < 0 || describe_line(b, c) < 0)
			return -1;
		if (other > 0 && buf_addf(b, " (%zu more line%s)", other, other == 1 ? "" : "s") < 0)
			return -1;
		sep = "; ";
	} else if (!fallback && other > 0) {
		if (buf_addf(b, "%s%zu line%s of the earlier message", sep, other,
		    other == 1 ? "" : "s") < 0)
			return -1;
		sep = "; ";
	}
	if (rm->devices > 0 && rm->first_device < n) {
		if (buf_addf(b, "%sdevice signature ", sep) < 0 ||
		    describe_line(b, &lines[rm->first_device]) < 0)
			return -1;
		if (rm->devices > 1 && buf_addf(b, " and %zu more", rm->devices - 1) < 0)
			return -1;
		sep = "; ";
	}
	if (rm->boilerplate > 0 &&
	    buf_addf(b, "%s%zu boilerplate line%s", sep, rm->boilerplate,
	    rm->boilerplate == 1 ? "" : "s") < 0)
		return -1;
	return 0;
}

int
trim_reply(const struct trim_rules *rules, const char *text, size_t len, struct buf *out,
    struct trim_info *info)
{
	return trim_reply_from(rules, NULL, text, len, out, info);
}

int
trim_reply_from(const struct trim_rules *rules, const struct trim_context *ctx,
    const char *text, size_t len, struct buf *out, struct trim_info *info)
{
	struct closing closing = { 0, 0, NULL };
	struct patterns call; /* the rules with this call's match state */
	const struct patterns *pt = &call;
	struct line *lines = NULL;
	struct removal rm;
	size_t n, count = 1, kept = 0, out_len = out->len;
	int fallback = 0, quote_chain = 0, ret = -1;

	if (info != NULL) {
		buf_reset(&info->removed);
		info->lines_in = info->lines_removed = 0;
		info->everything_quoted = 0;
	}
	if (text == NULL)
		len = 0;
	if (len > TRIM_MAX_INPUT)
		len = TRIM_MAX_INPUT;
	for (size_t i = 0; i < len; i++)
		count += text[i] == '\n';
	if (rules == NULL)
		return -1;
	call = rules->pt;
	if ((call.rs = rtable_scratch_new()) == NULL)
		return -1;
	lines = calloc(count, sizeof(*lines));
	if (lines == NULL)
		goto out;
	n = len ? split_lines(text, len, lines) : 0;
	if (classify(pt, lines, n) < 0)
		goto out;
	confirm_devices(rules, lines, n);
	decide(lines, n, &rm);
	if (anything_kept(lines, n) && drop_closing(rules, ctx, lines, n, &closing) < 0)
		goto out;
	if (!anything_kept(lines, n)) {
		/* Under "On … wrote:" stands the mail answered, not the writer's: a reply that is
		 * only that (a quote chain sent back) says nothing. The never-empty rule keeps the
		 * rest: bare quoted lines (nothing says whose), a forwarded or original message. */
		if (has_kind(lines, n, LK_QHEADER) && !has_kind(lines, n, LK_SEPARATOR)) {
			quote_chain = 1;
		} else {
			decide_fallback(lines, n);
			fallback = anything_kept(lines, n);
		}
	}
	if (emit(lines, n, out, &kept) < 0)
		goto out;
	if (info != NULL) {
		info->lines_in = n;
		info->lines_removed = n - kept;
		info->everything_quoted = fallback || quote_chain;
		if (describe(&info->removed, lines, n, &rm, fallback) < 0)
			goto out;
		if (closing.why != NULL && (buf_addf(&info->removed, "%s%s ",
		    info->removed.len > 0 ? "; " : "", closing.why) < 0 ||
		    describe_line(&info->removed, &lines[closing.anchor]) < 0 ||
		    buf_addf(&info->removed, " (%zu line%s)", closing.lines,
		    closing.lines == 1 ? "" : "s") < 0))
			goto out;
	}
	ret = 0;
out:
	if (ret < 0)
		buf_truncate(out, out_len);
	free(lines);
	rtable_scratch_free(call.rs);
	return ret;
}

void
trim_info_release(struct trim_info *info)
{
	if (info == NULL)
		return;
	buf_release(&info->removed);
	info->lines_in = info->lines_removed = 0;
	info->everything_quoted = 0;
}
