/*
 * signature — the closing block at the end of a person's text. See include/signature.h.
 *
 * Shape: the lines are looked at from the end upwards, each one normalised (white space runs as
 * one space, trimmed) and given a kind: blank, sign-off, the writer's name, a dash name, device
 * line, contact line (phone, URL, e-mail, address), short line (a name, title or company) or
 * text. The walk stops at the first text line or sign-off; the block is what the anchors in it
 * allow (see the header). The words and shapes are tables (src/core/tables/); the writer's name
 * is compared here, folded (lower case, accents off), since it is known only per message.
 * Only the last lines are looked at (SIG_MAX_LINES, FOOTER_WINDOW), and only their first
 * PATTERN_MAX_LINE bytes, so the cost stays small on any input.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "rtable.h"
#include "signature.h"
#include "ufold.h"
#include "banned.h"

/* A line longer than this (normalised) is text, never part of a signature. */
#define PATTERN_MAX_LINE 400
/* A signature under its anchor has at most this many non-blank lines. */
#define SIG_MAX_LINES 16
/* A footer starts within this many lines of the end. */
#define FOOTER_WINDOW 60
/* A short line (name, title, company) is at most this long and has at most this many words. */
#define SHORT_MAX_BYTES 72
#define SHORT_MAX_WORDS 7
/* Names are compared word by word; a name has at most this many words. */
#define NAME_MAX_WORDS 8
#define NAME_MAX_WORD 64

#define NELEM_WORDS(nw) (sizeof((nw)->w) / sizeof((nw)->w[0]))

struct signature_rules {
	struct rtable *signoffs; /* closing / thanks, whole line */
	struct rtable *shapes;   /* signature-lines.txt, whole line */
	struct rtable *footers;  /* signature-footers.txt, searched */
};

struct signature_rules *
signature_rules_new(struct fb_error *err)
{
	struct signature_rules *r = calloc(1, sizeof(*r));

	if (r == NULL) {
		fb_error_set(err, "out of memory");
		return NULL;
	}
	if ((r->signoffs = rtable_load_embedded("signoffs.txt", RTABLE_LABELS | RTABLE_WHOLE,
	    err)) == NULL ||
	    (r->shapes = rtable_load_embedded("signature-lines.txt", RTABLE_LABELS | RTABLE_WHOLE,
	    err)) == NULL ||
	    (r->footers = rtable_load_embedded("signature-footers.txt", 0, err)) == NULL) {
		signature_rules_free(r);
		return NULL;
	}
	return r;
}

void
signature_rules_free(struct signature_rules *r)
{
	if (r == NULL)
		return;
	rtable_free(r->signoffs);
	rtable_free(r->shapes);
	rtable_free(r->footers);
	free(r);
}

/* ---- UTF-8 and folding ------------------------------------------------------------------- */

static int
is_upper(uint32_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7) ||
	    (c >= 0x100 && c <= 0x17F && (c & 1) == 0) || (c >= 0x391 && c <= 0x3A9) ||
	    (c >= 0x400 && c <= 0x42F);
}

/* Scripts without case, where any letter may start a name (CJK, kana, Hangul). */
static int
is_caseless_letter(uint32_t c)
{
	return (c >= 0x3040 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x9FFF) ||
	    (c >= 0xAC00 && c <= 0xD7A3);
}

/* A letter or digit of a word (any code point that is no space or punctuation we know). */
static int
is_word_cp(uint32_t c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
	if (UFOLD_IS_BAD(c) || c < 0xC0 || c == 0xD7 || c == 0xF7)
		return 0;
	if ((c >= 0x2000 && c <= 0x206F) || (c >= 0x3000 && c <= 0x303F) ||
	    (c >= 0xFF00 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20) ||
	    (c >= 0x1F000 && c <= 0x1FAFF) || (c >= 0x2190 && c <= 0x27BF))
		return 0;
	return 1;
}

/* ---- lines ------------------------------------------------------------------------------- */

static int
space_at(const char *p, size_t len, size_t i, size_t *w)
{
	unsigned char c = (unsigned char)p[i];

	if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == '\0') {
		*w = 1;
		return 1;
	}
	if (c == 0xC2 && i + 1 < len && (unsigned char)p[i + 1] == 0xA0) {
		*w = 2; /* U+00A0 */
		return 1;
	}
	if (c == 0xE2 && i + 2 < len && (unsigned char)p[i + 1] == 0x80 &&
	    ((unsigned char)p[i + 2] == 0x8B || (unsigned char)p[i + 2] == 0xAF)) {
		*w = 3; /* U+200B zero-width space, U+202F narrow no-break space */
		return 1;
	}
	if (c == 0xEF && i + 2 < len && (unsigned char)p[i + 1] == 0xBB &&
	    (unsigned char)p[i + 2] == 0xBF) {
		*w = 3; /* U+FEFF */
		return 1;
	}
	return 0;
}

static int
is_blank(const struct signature_line *l)
{
	size_t w;

	for (size_t i = 0; i < l->len; i += w)
		if (!space_at(l->p, l->len, i, &w))
			return 0;
	return 1;
}

/* The line normalised into dst; 0 when it is too long to be part of a signature, -1 ENOMEM. */
static int
normalise(struct buf *dst, const char *p, size_t len)
{
	size_t i = 0, w;
	int pending = 0;

	buf_reset(dst);
	if (len > PATTERN_MAX_LINE * 2)
		return 0;
	while (i < len && dst->len <= PATTERN_MAX_LINE) {
		if (space_at(p, len, i, &w)) {
			pending = 1;
			i += w;
			continue;
		}
		if (pending && dst->len > 0 && buf_addch(dst, ' ') < 0)
			return -1;
		pending = 0;
		/* the run of non-space bytes from i at once: its first byte always, the others
		 * while the copy is not over the limit (as one byte at a time would) */
		{
			size_t j = i + 1, room = PATTERN_MAX_LINE > dst->len ?
			    PATTERN_MAX_LINE - dst->len : 0;
			size_t end = len - i > room + 1 ? i + room + 1 : len;

			while (j < end && !space_at(p, len, j, &w))
				j++;
			if (buf_add(dst, p + i, j - i) < 0)
				return -1;
			i = j;
		}
	}
	if (buf_grow(dst, 1) < 0)
		return -1;
	return dst->len <= PATTERN_MAX_LINE ? 1 : 0;
}

/* Punctuation a sign-off or a name may carry around it. */
static int
is_edge_punct(uint32_t c)
{
	return c == ',' || c == '.' || c == '!' || c == ':' || c == ';' || c == '-' || c == '~' ||
	    c == '*' || c == '_' || c == ' ' || c == 0x2026 /* … */ || c == 0x2013 ||
	    c == 0x2014 || c == 0xFF0C /* ， */ || c == 0x3001 /* 、 */ || c == 0x3002 /* 。 */ ||
	    c == 0xFF01 /* ！ */ || c == 0xFF1A /* ： */ || c == 0xFE0F ||
	    (c >= 0x1F300 && c <= 0x1FAFF) /* emoji */ || (c >= 0x2600 && c <= 0x27BF);
}

/* Cut edge punctuation from both ends of s[*a..*b). */
static void
strip_edges(const char *s, size_t *a, size_t *b)
{
	while (*a < *b) {
		size_t i = *a;

		if (!is_edge_punct(ufold_next(s, *b, &i)))
			break;
		*a = i;
	}
	while (*b > *a) {
		size_t k = *b - 1, i;

		while (k > *a && ((unsigned char)s[k] & 0xC0) == 0x80)
			k--;
		i = k;
		if (!is_edge_punct(ufold_next(s, *b, &i)))
			break;
		*b = k;
	}
}

/* ---- names ------------------------------------------------------------------------------- */

/* The writer's name as folded words. */
struct name_words {
	char w[NAME_MAX_WORDS * 2 + 4][NAME_MAX_WORD];
	size_t n;
	char joined[2][NAME_MAX_WORD]; /* each name's words without spaces ("王伟") */
};

/* Fold the word s[a..b) into out (NUL-terminated); 0 when it does not fit. */
static int
fold_word(const char *s, size_t a, size_t b, char *out, size_t size)
{
	size_t n = 0, i = a;

	while (i < b) {
		uint32_t c = ufold_cp(ufold_next(s, b, &i));

		if (UFOLD_IS_BAD(c))
			c = 0xFFFD; /* an invalid byte compares as the replacement character */
		/* encode back as UTF-8 */
		unsigned char u[4];
		size_t k;

		if (c < 0x80)
			u[0] = (unsigned char)c, k = 1;
		else if (c < 0x800)
			u[0] = (unsigned char)(0xC0 | (c >> 6)), u[1] = (unsigned char)(0x80 | (c & 0x3F)),
			    k = 2;
		else if (c < 0x10000)
			u[0] = (unsigned char)(0xE0 | (c >> 12)),
			    u[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F)),
			    u[2] = (unsigned char)(0x80 | (c & 0x3F)), k = 3;
		else
			u[0] = (unsigned char)(0xF0 | (c >> 18)),
			    u[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F)),
			    u[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F)),
			    u[3] = (unsigned char)(0x80 | (c & 0x3F)), k = 4;
		if (n + k + 1 > size)
			return 0;
		memcpy(out + n, u, k);
		n += k;
	}
	out[n] = '\0';
	return n > 0;
}

/*
 * Split s[0..len) into folded words (runs of letters and digits; CJK names often come without
 * a space, so a run of caseless letters is also one word). At most max words; returns the count.
 */
static size_t
split_words(const char *s, size_t len, char (*w)[NAME_MAX_WORD], size_t max)
{
	size_t i = 0, n = 0;

	while (i < len && n < max) {
		size_t a, k = i;
		uint32_t c = ufold_next(s, len, &k);

		if (!is_word_cp(c)) {
			i = k;
			continue;
		}
		a = i;
		i = k;
		while (i < len) {
			k = i;
			c = ufold_next(s, len, &k);
			if (!is_word_cp(c))
				break;
			i = k;
		}
		if (fold_word(s, a, i, w[n], NAME_MAX_WORD))
			n++;
	}
	return n;
}

static void
name_words_init(struct name_words *nw, const struct signature_sender *from)
{
	const size_t cap = NELEM_WORDS(nw);

	const char *names[2];

	nw->n = 0;
	nw->joined[0][0] = nw->joined[1][0] = '\0';
	if (from == NULL)
		return;
	names[0] = from->name;
	names[1] = from->name2;
	for (size_t k = 0; k < 2; k++) {
		size_t first = nw->n, m, used = 0;

		if (names[k] == NULL || strchr(names[k], '@') != NULL)
			continue;
		m = split_words(names[k], strlen(names[k]), nw->w + nw->n,
		    NAME_MAX_WORDS < cap - nw->n ? NAME_MAX_WORDS : cap - nw->n);
		nw->n += m;
		for (size_t j = first; j < nw->n && m > 1; j++) {
			size_t l = strlen(nw->w[j]);

			if (used + l + 1 > NAME_MAX_WORD) {
				used = 0;
				break;
			}
			memcpy(nw->joined[k] + used, nw->w[j], l);
			used += l;
		}
		nw->joined[k][used] = '\0';
	}
	if (from->addr != NULL) {
		/* "joost.hendriks@…": the local part's words; digits and "+tags" are no name */
		const char *at = strchr(from->addr, '@');
		size_t len = at != NULL ? (size_t)(at - from->addr) : 0, plus;

		plus = strcspn(from->addr, "+");
		if (plus < len)
			len = plus;
		if (len > 0 && len < 128) {
			char local[128];
			size_t m;

			for (m = 0; m < len; m++) {
				char c = from->addr[m];

				local[m] = (c >= '0' && c <= '9') || c == '_' || c == '-' ? '.' : c;
			}
			local[len] = '\0';
			m = split_words(local, len, nw->w + nw->n, cap - nw->n);
			/* one word that is no separate name ("jhendriks") only counts whole */
			nw->n += m;
		}
	}
}

static int
word_is_name(const struct name_words *nw, const char *w)
{
	for (size_t k = 0; k < nw->n; k++)
		if (strcmp(nw->w[k], w) == 0)
			return 1;
	for (size_t k = 0; k < 2; k++)
		if (nw->joined[k][0] != '\0' && strcmp(nw->joined[k], w) == 0)
			return 1;
	return 0;
}

/* Is every letter of w the first letter of one of the name's words ("jh", "j")? */
static int
word_is_initials(const struct name_words *nw, const char *w)
{
	size_t len = strlen(w);

	if (len == 0 || len > 4)
		return 0;
	for (size_t i = 0; i < len; i++) {
		size_t k;

		if ((unsigned char)w[i] >= 0x80)
			return 0;
		for (k = 0; k < nw->n; k++)
			if (nw->w[k][0] == w[i])
				break;
		if (k == nw->n)
			return 0;
	}
	return 1;
}

/*
 * Is s[a..b) the writer's name: their full name, first or last name, initials ("J.H.", "JH"),
 * or the name with a title word more ("Joost Hendriks MSc")?
 */
static int
is_writer_name(const struct name_words *nw, const char *s, size_t a, size_t b)
{
	char w[NAME_MAX_WORDS + 1][NAME_MAX_WORD];
	size_t n, full = 0, init = 0, other = 0, i = a;

	if (nw->n == 0)
		return 0;
	strip_edges(s, &a, &b);
	if (b <= a || b - a > SHORT_MAX_BYTES)
		return 0;
	/* a name line has no sentence in it */
	for (i = a; i < b; i++)
		if (s[i] == '?' || s[i] == '@' || s[i] == ':')
			return 0;
	n = split_words(s + a, b - a, w, NAME_MAX_WORDS + 1);
	if (n == 0 || n > NAME_MAX_WORDS)
		return 0;
	for (size_t k = 0; k < n; k++) {
		if (word_is_name(nw, w[k]))
			full++;
		else if (word_is_initials(nw, w[k]))
			init++;
		else
			other++;
	}
	if (other == 0)
		return full > 0 || init > 0;
	return other == 1 && full >= 2;
}

/* A name someone else might have: one to three words, each starting with a capital (or in a
 * script without case). */
static int
looks_like_name(const char *s, size_t a, size_t b)
{
	size_t i = a, words = 0;
	int start = 1;

	strip_edges(s, &a, &b);
	if (b <= a || b - a > 48)
		return 0;
	i = a;
	while (i < b) {
		uint32_t c = ufold_next(s, b, &i);

		if (c == ' ') {
			start = 1;
			continue;
		}
		if (start) {
			if (!is_upper(c) && !is_caseless_letter(c))
				return 0;
			words++;
			start = 0;
		} else if (!is_word_cp(c) && c != '.' && c != '-' && c != '\'') {
			return 0;
		}
	}
	return words >= 1 && words <= 3;
}

/* ---- kinds of lines ---------------------------------------------------------------------- */

enum sig_kind {
	SK_BLANK,
	SK_TEXT,     /* the person's words */
	SK_SHORT,    /* a short line: a name, title or company, or a short remark */
	SK_NAME,     /* the writer's name, or a name signed with a dash */
	SK_SIGNOFF,  /* "Groeten,", "Kind regards", "Groet, Jan" */
	SK_CONTACT,  /* phone, postal address, a line of several contact details */
	SK_EMAIL,    /* an e-mail address or URL: a contact, but also what a person lists */
	SK_DEVICE,   /* "Sent from my iPhone" */
	SK_RULE,     /* "_____" */
};

struct walker {
	const struct signature_rules *r;
	struct name_words names;
	struct rtable_scratch *scratch;
	struct buf norm;
	int signoff; /* the last SK_SIGNOFF's SIGNOFF_* */
};

/* What is_signoff_norm() found: a closing greeting, thanks alone, or a sign-off with a name. */
#define SIGNOFF_CLOSING 1
#define SIGNOFF_THANKS 2
#define SIGNOFF_NAMED 3

static int
is_signoff_norm(struct walker *wk, const char *s, size_t len)
{
	size_t a = 0, b = len, tries = 0;
	long e;

	strip_edges(s, &a, &b);
	if (b <= a)
		return 0;
	if ((e = rtable_first(wk->r->signoffs, s + a, b - a, wk->scratch)) >= 0)
		return strcmp(rtable_label(wk->r->signoffs, (size_t)e), "thanks") == 0 ?
		    SIGNOFF_THANKS : SIGNOFF_CLOSING;
	/* a sign-off and a name: "Groet, Jan", "Cheers -J", "Thanks! Joost", "Mvg Joost" */
	for (size_t k = a + 1; k < b && k - a <= 60 && tries < 8; k++) {
		size_t ha = a, hb = k, ta = k, tb = b;

		if (s[k] != ' ' && s[k] != ',' && s[k] != '!')
			continue;
		tries++;
		strip_edges(s, &ha, &hb);
		strip_edges(s, &ta, &tb);
		if (hb <= ha || tb <= ta)
			continue;
		if ((e = rtable_first(wk->r->signoffs, s + ha, hb - ha, wk->scratch)) < 0)
			continue;
		if (is_writer_name(&wk->names, s, ta, tb))
			return SIGNOFF_NAMED;
		if (strcmp(rtable_label(wk->r->signoffs, (size_t)e), "closing") == 0 &&
		    looks_like_name(s, ta, tb))
			return SIGNOFF_NAMED;
	}
	return 0;
}

/* Could s[0..len) be a line of a signature: short, no question, no sentence in it? */
static int
is_short(const char *s, size_t len)
{
	size_t words = 1, i = 0, last_word = 0;
	uint32_t c = 0, prev = 0;

	if (len == 0 || len > SHORT_MAX_BYTES)
		return 0;
	/* "P.S.", "PS:", "NB" start the person's afterthought */
	if ((len >= 2 && (s[0] == 'P' || s[0] == 'p') && (s[1] == 'S' || s[1] == 's' ||
	    s[1] == '.')) || (len >= 3 && (s[0] == 'N' || s[0] == 'n') &&
	    (s[1] == 'B' || s[1] == 'b' || s[1] == '.') && (s[2] == ':' || s[2] == ' ' ||
	    s[2] == '.')))
		return 0;
	while (i < len) {
		prev = c;
		c = ufold_next(s, len, &i);
		if (c == ' ') {
			words++;
			last_word = i;
			/* ". x": a sentence ends and another starts */
			if (prev == '.' && i < len && s[i] >= 'a' && s[i] <= 'z')
				return 0;
		}
		if (c == '?' || c == 0xFF1F)
			return 0;
	}
	if (words > SHORT_MAX_WORDS)
		return 0;
	if (c == 0x3002 || c == 0xFF01)
		return 0; /* 。！: a sentence in Chinese or Japanese */
	if (c == '!' && words > 4)
		return 0;
	if (c == '.') {
		/* "Acme Inc.", "B.V.": an abbreviation, not a sentence */
		size_t wl = len - last_word;

		if (wl > 5 && memchr(s + last_word, '.', wl - 1) == NULL)
			return 0;
	}
	return 1;
}

/* The kind of line l (normalised in wk->norm). -1 on ENOMEM. */
static int
kind_of(struct walker *wk, const struct signature_line *l)
{
	const char *s;
	size_t len;
	long e;
	int r;

	if (is_blank(l))
		return SK_BLANK;
	if ((r = normalise(&wk->norm, l->p, l->len)) <= 0)
		return r < 0 ? -1 : SK_TEXT;
	s = wk->norm.data;
	len = wk->norm.len;
	if ((wk->signoff = is_signoff_norm(wk, s, len)) != 0)
		return SK_SIGNOFF;
	if (is_writer_name(&wk->names, s, 0, len))
		return SK_NAME;
	e = rtable_first(wk->r->shapes, s, len, wk->scratch);
	if (e < 0 && len > 1 && s[len - 1] == '.') /* "… Smartphone gesendet." */
		e = rtable_first(wk->r->shapes, s, len - 1, wk->scratch);
	if (e >= 0) {
		const char *lab = rtable_label(wk->r->shapes, (size_t)e);

		if (strcmp(lab, "dashname") == 0)
			return SK_NAME;
		if (strcmp(lab, "device") == 0)
			return SK_DEVICE;
		if (strcmp(lab, "rule") == 0)
			return SK_RULE;
		if (strcmp(lab, "email") == 0 || strcmp(lab, "url") == 0 ||
		    strcmp(lab, "social") == 0)
			return SK_EMAIL;
		return SK_CONTACT;
	}
	return is_short(s, len) ? SK_SHORT : SK_TEXT;
}

/* Does the line end with ':' (it introduces what follows)? */
static int
ends_with_colon(const struct signature_line *l)
{
	size_t len = l->len, w;

	while (len > 0) {
		size_t k = len - 1;

		while (k > 0 && ((unsigned char)l->p[k] & 0xC0) == 0x80)
			k--;
		if (!space_at(l->p, len, k, &w))
			break;
		len = k;
	}
	if (len == 0)
		return 0;
	return l->p[len - 1] == ':' || (len >= 3 && memcmp(l->p + len - 3, "\xef\xbc\x9a", 3) == 0);
}

/* The first line of a footer in lines[0..n), or n. -1 on ENOMEM. */
static long
find_footer(struct walker *wk, const struct signature_line *lines, size_t n)
{
	size_t from = n > FOOTER_WINDOW ? n - FOOTER_WINDOW : 0;

	for (size_t i = from; i < n; i++) {
		int r;

		if (is_blank(&lines[i]))
			continue;
		buf_reset(&wk->norm);
		/* a footer's first line may be long: its start is enough */
		if ((r = normalise(&wk->norm, lines[i].p, lines[i].len > PATTERN_MAX_LINE ?
		    PATTERN_MAX_LINE : lines[i].len)) < 0)
			return -1;
		if (r == 0)
			continue;
		if (rtable_any(wk->r->footers, wk->norm.data, wk->norm.len, wk->scratch)) {
			/* a rule line just above is the footer's top */
			size_t j = i;

			while (j > 0 && is_blank(&lines[j - 1]))
				j--;
			if (j > 0 && i - j <= 1) {
				int k = kind_of(wk, &lines[j - 1]);

				if (k < 0)
					return -1;
				if (k == SK_RULE)
					return (long)(j - 1);
			}
			return (long)i;
		}
	}
	return (long)n;
}

/*
 * Is lines[top..end) a bare closing: sign-off lines and at most one short line (a name) under
 * them, then perhaps the line a phone adds? The closing is what the person wrote to the reader
 * ("Thanks,\nSome One", "Best Regards"), kept in the text as every reply reader's fixtures keep
 * it; a title, contact line or a second line under the name makes it a signature. Returns where
 * what must still go starts (the device lines, or end) when it is bare, top when it is not, -1
 * on ENOMEM.
 */
static long
bare_closing(struct walker *wk, const struct signature_line *lines, size_t top, size_t end)
{
	size_t others = 0, dev = end;
	int k;

	for (size_t i = end; i > top; i--) {
		if ((k = kind_of(wk, &lines[i - 1])) < 0)
			return -1;
		if (k == SK_DEVICE)
			dev = i - 1;
		else if (k != SK_BLANK)
			break;
	}
	for (size_t i = top; i < dev; i++) {
		if ((k = kind_of(wk, &lines[i])) < 0)
			return -1;
		if (k == SK_BLANK || k == SK_SIGNOFF)
			continue;
		if ((k != SK_NAME && k != SK_SHORT) || ++others > 1)
			return (long)top;
	}
	return (long)dev;
}

int
signature_find(const struct signature_rules *r, const struct signature_sender *from,
    const struct signature_line *lines, size_t n, struct signature_block *out)
{
	struct walker wk;
	size_t end, top, i, seen = 0, contacts = 0, not_email = 0, ctop = n, stop = 0;
	int ret = -1, k;
	long f;

	out->start = n;
	out->anchor = n;
	out->why = NULL;
	if (r == NULL || n == 0)
		return 0;
	wk.r = r;
	name_words_init(&wk.names, from);
	buf_init(&wk.norm);
	if ((wk.scratch = rtable_scratch_new()) == NULL)
		goto out;
	if ((f = find_footer(&wk, lines, n)) < 0)
		goto out;
	end = top = (size_t)f;
	if (end < n) {
		out->anchor = end;
		out->why = "footer";
	}
	for (i = end; i > 0; i--) {
		if ((k = kind_of(&wk, &lines[i - 1])) < 0)
			goto out;
		if (k == SK_BLANK)
			continue;
		if (k == SK_SIGNOFF) {
			/* "Thanks!" as the last line is the person's word to the reader; it
			 * closes only with a name or signature under it */
			if (wk.signoff == SIGNOFF_THANKS && seen == 0) {
				stop = i;
				break;
			}
			top = out->anchor = i - 1;
			out->why = "closing";
			/* a closing over two lines: "此致\n敬礼", "Thanks,\nBest regards," */
			while (top > 0) {
				size_t j = top;

				while (j > 0 && is_blank(&lines[j - 1]))
					j--;
				if (j == 0 || j + 1 < top || (k = kind_of(&wk, &lines[j - 1])) < 0 ||
				    k != SK_SIGNOFF)
					break;
				top = out->anchor = j - 1;
			}
			if (k < 0)
				goto out;
			stop = top;
			break;
		}
		if (k == SK_TEXT || ++seen > SIG_MAX_LINES) {
			stop = i;
			break;
		}
		if (k == SK_NAME) {
			top = out->anchor = i - 1;
			out->why = "signature";
		} else if (k == SK_DEVICE) {
			top = i - 1;
			if (out->anchor >= end) {
				out->anchor = i - 1;
				out->why = "device signature";
			}
		} else if (k == SK_CONTACT || k == SK_EMAIL) {
			contacts++;
			not_email += k == SK_CONTACT;
			ctop = i - 1;
		}
	}
	/* a paragraph of contact details, a phone number or postal address among them (links
	 * and addresses alone are what people list): from the top of its paragraph */
	if (contacts >= 2 && not_email >= 1 && ctop < top) {
		size_t p = ctop;

		while (p > stop && !is_blank(&lines[p - 1]))
			p--;
		top = p;
		out->anchor = ctop;
		out->why = "signature";
	}
	/* a bare closing is the person's own word to the reader: it stays */
	if (out->why != NULL && strcmp(out->why, "closing") == 0 && top < end) {
		long b = bare_closing(&wk, lines, top, end);

		if (b < 0)
			goto out;
		if ((size_t)b > top) {
			top = (size_t)b;
			out->anchor = top;
			out->why = top < end ? "device signature" : end < n ? "footer" : NULL;
		}
	}
	/* the person's text stays: something above the block, and no list introduced by ':' */
	for (i = top; i > 0 && is_blank(&lines[i - 1]); i--)
		;
	if (top < end && (i == 0 || ends_with_colon(&lines[i - 1]))) {
		top = end;
		out->anchor = end;
		out->why = end < n ? "footer" : NULL;
		for (i = top; i > 0 && is_blank(&lines[i - 1]); i--)
			;
	}
	if (top < n && i > 0)
		out->start = top;
	else
		out->why = NULL, out->anchor = n;
	ret = 0;
out:
	if (ret < 0)
		errno = ENOMEM;
	rtable_scratch_free(wk.scratch);
	buf_release(&wk.norm);
	return ret;
}

int
signature_is_signoff(const struct signature_rules *r, const struct signature_sender *from,
    const char *line, size_t len)
{
	struct walker wk;
	int ret = 0;

	if (r == NULL || line == NULL)
		return 0;
	wk.r = r;
	name_words_init(&wk.names, from);
	buf_init(&wk.norm);
	if ((wk.scratch = rtable_scratch_new()) == NULL)
		return 0;
	if (normalise(&wk.norm, line, len) > 0)
		ret = is_signoff_norm(&wk, wk.norm.data, wk.norm.len) != 0;
	rtable_scratch_free(wk.scratch);
	buf_release(&wk.norm);
	return ret;
}

int
signature_is_device(const struct signature_rules *r, const char *line, size_t len)
{
	struct rtable_scratch *scratch;
	struct buf norm = BUF_INIT;
	long e;
	int ret = 0;

	if (r == NULL || line == NULL || (scratch = rtable_scratch_new()) == NULL)
		return 0;
	if (normalise(&norm, line, len) > 0) {
		e = rtable_first(r->shapes, norm.data, norm.len, scratch);
		ret = e >= 0 && strcmp(rtable_label(r->shapes, (size_t)e), "device") == 0;
	}
	rtable_scratch_free(scratch);
	buf_release(&norm);
	return ret;
}
