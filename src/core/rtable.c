/*
 * rtable — tables of PCRE2 patterns kept as data. See include/rtable.h.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <errno.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "rtable.h"
#include "banned.h"

/* Backtracking budget per match: a line of a mail is short, a real pattern needs a few hundred
 * steps; hostile input against a careless pattern stops here instead of running for minutes. */
#define RTABLE_MATCH_LIMIT 200000u
#define RTABLE_DEPTH_LIMIT 2000u
/* No table is this big; a longer one is a mistake (or not a table). */
#define RTABLE_MAX_BYTES ((size_t)1 << 20)

struct rtable_entry {
	char *label;          /* owned; "" when the table has no labels */
	char *pattern;        /* owned */
	pcre2_code *code;     /* owned */
};

struct rtable {
	struct rtable_entry *e; /* owned, n of them */
	size_t n;
	pcre2_match_context *mctx; /* owned: the limits */
	/* owned, may be NULL: every entry in one alternation, for rtable_any(): one search instead
	 * of n (a table of 130 labels is then one JIT-compiled match) */
	pcre2_code *all;
	/* the entries are anchored at both ends (RTABLE_WHOLE): then the alternation is tried at
	 * one position only and rules out a subject at once, so rtable_first() asks it first
	 * (for unanchored entries it is slower than the entries, each with its own start-up
	 * optimisations, and is not asked) */
	int anchored;
};

struct rtable_scratch {
	pcre2_match_data *md; /* owned */
};

static char *
dup_range(const char *p, size_t len)
{
	char *s = malloc(len + 1);

	if (s != NULL) {
		memcpy(s, p, len);
		s[len] = '\0';
	}
	return s;
}

static int
is_blank_char(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Compile one entry; on failure fill err with "name:lineno: why". */
static uint32_t
compile_options(unsigned opts)
{
	uint32_t copts = PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | PCRE2_MATCH_INVALID_UTF;

	if (opts & RTABLE_WHOLE)
		copts |= PCRE2_ANCHORED | PCRE2_ENDANCHORED;
	return copts;
}

static int
compile_entry(struct rtable_entry *en, const char *name, size_t lineno, unsigned opts,
    struct fb_error *err)
{
	int ecode;
	PCRE2_SIZE eoff;

	en->code = pcre2_compile((PCRE2_SPTR)en->pattern, PCRE2_ZERO_TERMINATED,
	    compile_options(opts), &ecode, &eoff, NULL);
	if (en->code == NULL) {
		PCRE2_UCHAR why[256];

		if (pcre2_get_error_message(ecode, why, sizeof(why)) < 0)
			why[0] = '\0';
		return fb_error_set(err, "%s:%zu: bad pattern (at byte %zu): %s: %s", name,
		    lineno, (size_t)eoff + 1, why[0] ? (const char *)why : "unknown error",
		    en->pattern);
	}
	/* JIT makes matching several times faster; where the platform has none (or it is
	 * disabled) the interpreter does the same work, so a failure here is not an error */
	(void)pcre2_jit_compile(en->code, PCRE2_JIT_COMPLETE);
	return 0;
}

/* Append one entry to t (text is the line without its surrounding blanks). */
static int
add_entry(struct rtable *t, size_t *cap, const char *name, size_t lineno, const char *p,
    size_t len, unsigned opts, struct fb_error *err)
{
	struct rtable_entry en = { NULL, NULL, NULL };
	const char *pat = p;
	size_t plen = len, llen = 0;

	if (opts & RTABLE_LABELS) {
		const char *tab = memchr(p, '\t', len);

		if (tab == NULL)
			return fb_error_set(err, "%s:%zu: no tab between label and pattern", name,
			    lineno);
		llen = (size_t)(tab - p);
		while (llen > 0 && is_blank_char(p[llen - 1]))
			llen--;
		pat = tab;
		while (pat < p + len && is_blank_char(*pat))
			pat++;
		plen = (size_t)(p + len - pat);
		if (llen == 0 || plen == 0)
			return fb_error_set(err, "%s:%zu: %s is empty", name, lineno,
			    llen == 0 ? "the label" : "the pattern");
	}
	if (memchr(pat, '\0', plen) != NULL)
		return fb_error_set(err, "%s:%zu: a NUL byte in the pattern", name, lineno);
	if (t->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct rtable_entry *ne = realloc(t->e, ncap * sizeof(*ne));

		if (ne == NULL)
			return fb_error_set(err, "out of memory");
		t->e = ne;
		*cap = ncap;
	}
	en.label = dup_range(p, llen);
	en.pattern = dup_range(pat, plen);
	if (en.label == NULL || en.pattern == NULL) {
		free(en.label);
		free(en.pattern);
		return fb_error_set(err, "out of memory");
	}
	if (compile_entry(&en, name, lineno, opts, err) < 0) {
		free(en.label);
		free(en.pattern);
		return -1;
	}
	t->e[t->n++] = en;
	return 0;
}

/*
 * The alternation of all entries, "(?:e1)|(?:e2)|…". Each entry compiled on its own already,
 * so this compiles too; if PCRE2 still refuses it (a limit on pattern size), rtable_any() tries
 * the entries one by one. -1 only when memory runs out.
 */
static int
compile_all(struct rtable *t, unsigned opts)
{
	struct buf b = BUF_INIT;
	int ecode;
	PCRE2_SIZE eoff;

	for (size_t i = 0; i < t->n; i++)
		buf_putf(&b, "%s(?:%s)", i > 0 ? "|" : "", t->e[i].pattern);
	if (buf_failed(&b)) {
		buf_release(&b);
		return -1;
	}
	t->all = pcre2_compile((PCRE2_SPTR)b.data, b.len, compile_options(opts), &ecode, &eoff,
	    NULL);
	if (t->all != NULL)
		(void)pcre2_jit_compile(t->all, PCRE2_JIT_COMPLETE);
	buf_release(&b);
	return 0;
}

struct rtable *
rtable_load(const char *name, const char *data, size_t len, unsigned opts, struct fb_error *err)
{
	struct rtable *t;
	size_t cap = 0, lineno = 0, i = 0;

	if (name == NULL)
		name = "(table)";
	if (data == NULL || len > RTABLE_MAX_BYTES) {
		fb_error_set(err, "%s: %s", name, data == NULL ? "no data" : "too large for a table");
		return NULL;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		fb_error_set(err, "out of memory");
		return NULL;
	}
	if ((t->mctx = pcre2_match_context_create(NULL)) == NULL) {
		fb_error_set(err, "out of memory");
		goto fail;
	}
	pcre2_set_match_limit(t->mctx, RTABLE_MATCH_LIMIT);
	pcre2_set_depth_limit(t->mctx, RTABLE_DEPTH_LIMIT);
	while (i < len) {
		const char *p = data + i, *nl = memchr(p, '\n', len - i);
		size_t l = nl != NULL ? (size_t)(nl - p) : len - i;

		i += l + (nl != NULL);
		lineno++;
		while (l > 0 && is_blank_char(p[l - 1]))
			l--;
		while (l > 0 && is_blank_char(*p)) {
			p++;
			l--;
		}
		if (l == 0 || *p == '#')
			continue;
		if (add_entry(t, &cap, name, lineno, p, l, opts, err) < 0)
			goto fail;
	}
	if (t->n == 0) {
		fb_error_set(err, "%s: the table has no entries", name);
		goto fail;
	}
	if (compile_all(t, opts) < 0) {
		fb_error_set(err, "out of memory");
		goto fail;
	}
	t->anchored = (opts & RTABLE_WHOLE) != 0;
	return t;
fail:
	rtable_free(t);
	return NULL;
}

struct rtable *
rtable_load_embedded(const char *name, unsigned opts, struct fb_error *err)
{
	const struct rtable_file *f = rtable_files;

	while (f->path != NULL && strcmp(f->path, name) != 0)
		f++;
	if (f->path == NULL) {
		fb_error_set(err, "%s: no such built-in table", name);
		return NULL;
	}
	return rtable_load(name, (const char *)f->data, f->len, opts, err);
}

void
rtable_free(struct rtable *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->e[i].label);
		free(t->e[i].pattern);
		pcre2_code_free(t->e[i].code);
	}
	free(t->e);
	pcre2_code_free(t->all);
	pcre2_match_context_free(t->mctx);
	free(t);
}

size_t
rtable_count(const struct rtable *t)
{
	return t != NULL ? t->n : 0;
}

const char *
rtable_label(const struct rtable *t, size_t i)
{
	return t != NULL && i < t->n ? t->e[i].label : NULL;
}

const char *
rtable_pattern(const struct rtable *t, size_t i)
{
	return t != NULL && i < t->n ? t->e[i].pattern : NULL;
}

struct rtable_scratch *
rtable_scratch_new(void)
{
	struct rtable_scratch *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	/* only whether it matched is wanted: one pair of offsets is enough */
	if ((s->md = pcre2_match_data_create(1, NULL)) == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

void
rtable_scratch_free(struct rtable_scratch *s)
{
	if (s == NULL)
		return;
	pcre2_match_data_free(s->md);
	free(s);
}

long
rtable_first(const struct rtable *t, const char *s, size_t len, struct rtable_scratch *scratch)
{
	struct rtable_scratch *own = NULL;
	long found = -1;

	if (t == NULL)
		return -1;
	if (s == NULL) {
		s = "";
		len = 0;
	}
	if (scratch == NULL && (scratch = own = rtable_scratch_new()) == NULL)
		return -1;
	/* only a plain "no match" rules the entries out; a limit hit falls through to them */
	if (t->anchored && t->all != NULL && t->n > 1 &&
	    pcre2_match(t->all, (PCRE2_SPTR)s, len, 0, 0, scratch->md, t->mctx) ==
	    PCRE2_ERROR_NOMATCH) {
		rtable_scratch_free(own);
		return -1;
	}
	for (size_t i = 0; i < t->n; i++) {
		/* >= 0 a match (0: more groups than the one pair of offsets kept, as wanted);
		 * PCRE2_ERROR_NOMATCH, or a limit hit on hostile input: no match */
		if (pcre2_match(t->e[i].code, (PCRE2_SPTR)s, len, 0, 0, scratch->md, t->mctx) >= 0) {
			found = (long)i;
			break;
		}
	}
	rtable_scratch_free(own);
	return found;
}

int
rtable_any(const struct rtable *t, const char *s, size_t len, struct rtable_scratch *scratch)
{
	struct rtable_scratch *own = NULL;
	int rc;

	if (t == NULL || t->all == NULL)
		return rtable_first(t, s, len, scratch) >= 0;
	if (s == NULL) {
		s = "";
		len = 0;
	}
	if (scratch == NULL && (scratch = own = rtable_scratch_new()) == NULL)
		return 0;
	rc = pcre2_match(t->all, (PCRE2_SPTR)s, len, 0, 0, scratch->md, t->mctx);
	rtable_scratch_free(own);
	return rc >= 0;
}
