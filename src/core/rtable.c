/*
 * rtable — tables of PCRE2 patterns kept as data. See include/rtable.h.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <errno.h>
#include <pcre2.h>
#include <stdint.h>
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
	/* owned, NULL when the pattern gives none: the literals (case folded, NUL-separated,
	 * ending with an empty one) of which every match holds at least one (see need_of) */
	char *need;
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
	int has_need; /* some entry has a need: rtable_first() indexes the subject first */
};

/* The trigram index of a subject: one bit per hash of three case-folded bytes. */
#define TRI_BITS 16
#define TRI_WORDS (((size_t)1 << TRI_BITS) / 64)

struct rtable_scratch {
	pcre2_match_data *md; /* owned */
	uint64_t *tri;        /* owned, TRI_WORDS; cleared by tri_index() before each use */
	int reuse;            /* rtable_scratch_reuse() was called */
	const char *ix_s;     /* with reuse: the subject tri indexes (NULL when none) */
	size_t ix_len;
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


/*
 * Literals every match must hold, to rule an entry out without running it.
 *
 * A table's entries are each a search of the whole subject (a bounce notice against ninety
 * wordings): most of them match nothing, and PCRE2 learns that only by scanning the subject once
 * per entry. The subject is therefore indexed once (rtable_first: the trigrams of its case-folded
 * bytes), and an entry runs only when one of its literals has all its trigrams in the subject.
 * That is a necessary condition, never a sufficient one, so the result is the same entry as
 * running them all; only the cost changes.
 *
 * The literals come from a conservative reading of the pattern: runs of plain characters at the
 * top level of a branch, or a group (without quantifier) whose branches each have such runs. Any
 * construct not understood here (\Q, verbs, option settings, back references, \x{..} and the
 * like) leaves the entry without literals: it always runs. Caseless matching is respected by
 * folding both sides: ASCII letters to lower case, and the two non-ASCII characters that PCRE2's
 * caseless UTF matching equates with ASCII letters (U+212A KELVIN SIGN ~ k, U+017F LONG S ~ s)
 * to those letters in the subject. Other non-ASCII characters count only where they have no case
 * (kana and CJK ideographs, U+3040-U+9FFF).
 */
#define NEED_MIN 3 /* a literal shorter than a trigram rules nothing out */

struct need {
	struct buf lits; /* literals, each followed by a NUL */
	size_t n;        /* how many; 0 = no requirement */
	size_t minlen;   /* the shortest literal's length */
};

static void
need_release(struct need *nd)
{
	buf_release(&nd->lits);
	nd->n = nd->minlen = 0;
}

/* Past the group or class opening at p (p < end), honouring escapes and classes; NULL when it
 * does not close. */
static const char *
skip_class(const char *p, const char *end)
{
	p++; /* '[' */
	if (p < end && *p == '^')
		p++;
	if (p < end && *p == ']')
		p++;
	while (p < end && *p != ']') {
		if (*p == '\\')
			p++;
		else if (*p == '[' && p + 1 < end && p[1] == ':') {
			const char *q = p + 2;

			while (q + 1 < end && !(q[0] == ':' && q[1] == ']'))
				q++;
			p = q + 1;
		}
		p++;
	}
	return p < end ? p + 1 : NULL;
}

static const char *
skip_group(const char *p, const char *end)
{
	int depth = 0;

	while (p < end) {
		if (*p == '\\') {
			p += 2;
			continue;
		}
		if (*p == '[') {
			if ((p = skip_class(p, end)) == NULL)
				return NULL;
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p + 1;
		p++;
	}
	return NULL;
}

static int need_alt(const char *p, const char *end, struct need *out, int *unsafe);

/* Keep the better of two requirements in best (the longer shortest literal); frees the other. */
static void
need_keep(struct need *best, struct need *cand)
{
	if (cand->n > 0 && (best->n == 0 || cand->minlen > best->minlen ||
	    (cand->minlen == best->minlen && cand->n < best->n))) {
		need_release(best);
		*best = *cand;
		buf_init(&cand->lits);
		cand->n = cand->minlen = 0;
	} else {
		need_release(cand);
	}
}

static void
need_run(struct buf *run, struct need *best)
{
	if (run->len >= NEED_MIN) {
		struct need cand = { BUF_INIT, 1, run->len };

		if (buf_add(&cand.lits, run->data, run->len + 1) == 0)
			need_keep(best, &cand);
		else
			need_release(&cand);
	}
	buf_reset(run);
}

/* One branch (no top-level '|'): its best requirement into out. */
static int
need_seq(const char *p, const char *end, struct need *out, int *unsafe)
{
	struct buf run = BUF_INIT;
	struct need best = { BUF_INIT, 0, 0 };
	size_t last = 0; /* bytes of the literal character that ended the run, 0 when none */

	while (p < end && !*unsafe) {
		unsigned char c = (unsigned char)*p;

		if (c == '?' || c == '*' || c == '+' || c == '{') {
			/* the previous atom may be absent or repeated: not a literal of the run */
			run.len -= last;
			if (run.data != NULL)
				run.data[run.len] = '\0';
			need_run(&run, &best);
			last = 0;
			if (c == '{') {
				while (p < end && *p != '}')
					p++;
			}
			p++;
			continue;
		}
		last = 0;
		if (c == '\\') {
			unsigned char e = p + 1 < end ? (unsigned char)p[1] : 0;

			if (e >= 0x80 || e == 0 || ((e < '0' || e > '9') && (e | 0x20) >= 'a' &&
			    (e | 0x20) <= 'z' && strchr("bBdDwWsShHvVRtnrfeazZAGKX", e) != NULL)) {
				need_run(&run, &best); /* a class or an assertion */
			} else if ((e >= '0' && e <= '9') || ((e | 0x20) >= 'a' && (e | 0x20) <= 'z')) {
				*unsafe = 1; /* \Q, \x{..}, \1, \k<..>, \p{..}, \c…: not read here */
			} else {
				if (buf_addch(&run, (char)e) < 0)
					*unsafe = 1;
				last = 1;
			}
			p += 2;
		} else if (c == '(') {
			const char *q = skip_group(p, end);
			struct need g = { BUF_INIT, 0, 0 };

			need_run(&run, &best);
			if (q == NULL || (p + 1 < end && p[1] == '*')) {
				*unsafe = 1;
				break;
			}
			if (p + 1 < end && p[1] == '?') {
				if (p + 2 < end && p[2] == ':') {
					if (need_alt(p + 3, q - 1, &g, unsafe) < 0)
						*unsafe = 1;
				} else if (p + 2 < end && strchr("=!<>|#", p[2]) == NULL) {
					*unsafe = 1; /* an option setting may change the meaning */
				}
			} else if (need_alt(p + 1, q - 1, &g, unsafe) < 0) {
				*unsafe = 1;
			}
			p = q;
			if (p < end && (*p == '?' || *p == '*' || *p == '{'))
				need_release(&g); /* an optional group requires nothing */
			need_keep(&best, &g);
		} else if (c == '[') {
			need_run(&run, &best);
			if ((p = skip_class(p, end)) == NULL) {
				*unsafe = 1;
				break;
			}
		} else if (c == '.' || c == '^' || c == '$' || c == ')' || c == '|') {
			need_run(&run, &best);
			p++;
		} else if (c < 0x80) {
			if (buf_addch(&run, (char)(c >= 'A' && c <= 'Z' ? c + 32 : c)) < 0)
				*unsafe = 1;
			last = 1;
			p++;
		} else {
			/* one UTF-8 character: a literal only when it has no case */
			size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
			uint32_t cp = 0;

			if (n == 3 && p + 2 < end)
				cp = (uint32_t)(c & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 |
				    (uint32_t)(p[2] & 0x3F);
			if (n == 3 && cp >= 0x3040 && cp <= 0x9FFF) {
				if (buf_add(&run, p, 3) < 0)
					*unsafe = 1;
				last = 3;
			} else {
				need_run(&run, &best);
			}
			p += n;
		}
	}
	need_run(&run, &best);
	buf_release(&run);
	*out = best;
	return 0;
}

/* An alternation: every branch must give a requirement, and the union is one. */
static int
need_alt(const char *p, const char *end, struct need *out, int *unsafe)
{
	struct need all = { BUF_INIT, 0, 0 };
	const char *b = p;

	out->n = 0;
	buf_init(&out->lits);
	while (b <= end && !*unsafe) {
		const char *q = b;
		struct need one;

		/* the end of this branch: the next '|' at this level */
		while (q < end && *q != '|') {
			if (*q == '\\')
				q += 2;
			else if (*q == '(')
				q = skip_group(q, end);
			else if (*q == '[')
				q = skip_class(q, end);
			else
				q++;
			if (q == NULL) {
				*unsafe = 1;
				break;
			}
		}
		if (*unsafe)
			break;
		if (q > end)
			q = end;
		need_seq(b, q, &one, unsafe);
		if (one.n == 0) {
			need_release(&all);
			need_release(&one);
			return 0;
		}
		if (buf_add(&all.lits, one.lits.data, one.lits.len) < 0)
			*unsafe = 1;
		all.minlen = all.n == 0 || one.minlen < all.minlen ? one.minlen : all.minlen;
		all.n += one.n;
		need_release(&one);
		b = q + 1;
	}
	if (*unsafe) {
		need_release(&all);
		return 0;
	}
	*out = all;
	return 0;
}

/* The entry's literals as stored (see struct rtable_entry), or NULL. */
static char *
need_of(const char *pattern)
{
	struct need nd;
	int unsafe = 0;
	char *s = NULL;

	need_alt(pattern, pattern + strlen(pattern), &nd, &unsafe);
	if (!unsafe && nd.n > 0 && buf_addch(&nd.lits, '\0') == 0)
		s = buf_detach(&nd.lits, NULL);
	need_release(&nd);
	return s;
}

static inline uint32_t
tri_hash(unsigned char a, unsigned char b, unsigned char c)
{
	return ((uint32_t)a | (uint32_t)b << 8 | (uint32_t)c << 16) * 2654435761u >> (32 - TRI_BITS);
}

/* Index the trigrams of s[0..len), case folded as need_of() folds the literals. */
static void
tri_index(struct rtable_scratch *sc, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char a = 0, b = 0;
	size_t have = 0;

	memset(sc->tri, 0, TRI_WORDS * sizeof(*sc->tri));
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];

		if (c >= 'A' && c <= 'Z') {
			c += 32;
		} else if (c == 0xE2 && i + 2 < len && p[i + 1] == 0x84 && p[i + 2] == 0xAA) {
			c = 'k';
			i += 2;
		} else if (c == 0xC5 && i + 1 < len && p[i + 1] == 0xBF) {
			c = 's';
			i++;
		}
		if (++have >= 3) {
			uint32_t h = tri_hash(a, b, c);

			sc->tri[h >> 6] |= (uint64_t)1 << (h & 63);
		}
		a = b;
		b = c;
	}
}

/* May the entry match the indexed subject? */
static int
tri_may(const struct rtable_scratch *sc, const char *need)
{
	for (const char *l = need; *l != '\0'; l += strlen(l) + 1) {
		const unsigned char *u = (const unsigned char *)l;
		size_t i = 0;

		for (; u[i + 2] != '\0'; i++) {
			uint32_t h = tri_hash(u[i], u[i + 1], u[i + 2]);

			if (!(sc->tri[h >> 6] & (uint64_t)1 << (h & 63)))
				break;
		}
		if (u[i + 2] == '\0')
			return 1;
	}
	return 0;
}

/* Append one entry to t (text is the line without its surrounding blanks). */
static int
add_entry(struct rtable *t, size_t *cap, const char *name, size_t lineno, const char *p,
    size_t len, unsigned opts, struct fb_error *err)
{
	struct rtable_entry en = { NULL, NULL, NULL, NULL };
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
	/* a literal that cannot be had (memory) only costs the entry its shortcut */
	en.need = need_of(en.pattern);
	t->has_need |= en.need != NULL;
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
		free(t->e[i].need);
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
	if ((s->md = pcre2_match_data_create(1, NULL)) == NULL ||
	    (s->tri = malloc(TRI_WORDS * sizeof(*s->tri))) == NULL) {
		rtable_scratch_free(s);
		return NULL;
	}
	return s;
}

void
rtable_scratch_reuse(struct rtable_scratch *s)
{
	if (s != NULL)
		s->reuse = 1;
}

void
rtable_scratch_free(struct rtable_scratch *s)
{
	if (s == NULL)
		return;
	pcre2_match_data_free(s->md);
	free(s->tri);
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
	if (t->has_need && !(scratch->reuse && scratch->ix_s == s && scratch->ix_len == len)) {
		tri_index(scratch, s, len);
		scratch->ix_s = s;
		scratch->ix_len = len;
	}
	for (size_t i = 0; i < t->n; i++) {
		if (t->has_need && t->e[i].need != NULL && !tri_may(scratch, t->e[i].need))
			continue; /* it holds none of the entry's literals: cannot match */
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
