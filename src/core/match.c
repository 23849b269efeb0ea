/*
 * match — colleagues by address, name, first name or nearest name. See include/match.h.
 */
#include <stdint.h>
#include <string.h>

#include "match.h"
#include "banned.h"

#define MATCH_MAX_LEN 128   /* code points compared; longer names are cut */

/* Latin-1 supplement letters folded to their base letter ("ë" → 'e'); 0: keep. */
static uint32_t
fold(uint32_t c)
{
	static const char latin1[] =
	    "aaaaaaaceeeeiiii" "dnooooo*ouuuuyty"   /* U+00E0..U+00FF, lower case */
	    ;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 'a';
	if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
		c += 0x20;
	if (c >= 0xE0 && c <= 0xFF && latin1[c - 0xE0] != '*')
		return (uint32_t)(unsigned char)latin1[c - 0xE0];
	return c;
}

/* Decode UTF-8 into folded code points, spaces collapsed; invalid bytes count as themselves. */
static size_t
decode(const char *s, size_t len, uint32_t *out)
{
	size_t n = 0, i = 0;
	int space = 1;

	while (i < len && n < MATCH_MAX_LEN) {
		unsigned char b = (unsigned char)s[i];
		uint32_t c = b;
		size_t k = 1;

		if (b >= 0xC0 && b < 0xE0 && i + 1 < len && ((unsigned char)s[i + 1] & 0xC0) == 0x80) {
			c = (uint32_t)(b & 0x1F) << 6 | ((unsigned char)s[i + 1] & 0x3F);
			k = 2;
		} else if (b >= 0xE0 && b < 0xF0 && i + 2 < len) {
			c = (uint32_t)(b & 0x0F) << 12 | (uint32_t)((unsigned char)s[i + 1] & 0x3F) << 6 |
			    ((unsigned char)s[i + 2] & 0x3F);
			k = 3;
		}
		i += k;
		if (c == ' ' || c == '\t' || c == 0xA0 || c == '.' || c == '"' || c == '\'') {
			if (!space && n < MATCH_MAX_LEN)
				out[n++] = ' ';
			space = 1;
			continue;
		}
		out[n++] = fold(c);
		space = 0;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	return n;
}

static int
min3(int a, int b, int c)
{
	int m = a < b ? a : b;
	return m < c ? m : c;
}

/* Levenshtein distance with adjacent transpositions, cut off above limit. */
static int
distance(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, int limit)
{
	int prev2[MATCH_MAX_LEN + 1], prev[MATCH_MAX_LEN + 1], cur[MATCH_MAX_LEN + 1];

	if ((na > nb ? na - nb : nb - na) > (size_t)limit)
		return limit + 1;
	for (size_t j = 0; j <= nb; j++)
		prev[j] = (int)j;
	for (size_t i = 1; i <= na; i++) {
		int best;

		cur[0] = (int)i;
		best = cur[0];
		for (size_t j = 1; j <= nb; j++) {
			int cost = a[i - 1] == b[j - 1] ? 0 : 1;

			cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < cur[j])
				cur[j] = prev2[j - 2] + 1;
			if (cur[j] < best)
				best = cur[j];
		}
		if (best > limit)
			return limit + 1;
		memcpy(prev2, prev, sizeof(prev));
		memcpy(prev, cur, sizeof(cur));
	}
	return prev[nb];
}

static int
ascii_ieq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return 0;
	}
	return 1;
}

/* The address in "Name <a@b>", "<a@b>" or "a@b"; len 0 when the query holds none. */
static const char *
query_address(const char *q, size_t *len)
{
	const char *lt = strchr(q, '<'), *gt, *at;

	if (lt != NULL && (gt = strchr(lt, '>')) != NULL && memchr(lt, '@', (size_t)(gt - lt))) {
		*len = (size_t)(gt - lt - 1);
		return lt + 1;
	}
	if ((at = strchr(q, '@')) == NULL) {
		*len = 0;
		return q;
	}
	const char *s = at, *e = at;
	while (s > q && s[-1] != ' ' && s[-1] != ',' && s[-1] != ';')
		s--;
	while (*e && *e != ' ' && *e != ',' && *e != ';' && *e != '>')
		e++;
	*len = (size_t)(e - s);
	return s;
}

static void
add_alternative(struct match_result *r, size_t i)
{
	if (r->nalternatives < MATCH_MAX_ALTERNATIVES)
		r->alternatives[r->nalternatives++] = i;
}

/* 1 when name[k] starts a word after the first (where a surname or "de Vries" begins). */
static int
word_start(const uint32_t *name, size_t k)
{
	return k > 0 && name[k - 1] == ' ';
}

/* 1 when q[0..nq) is a prefix of name[k..nn) for a word start k (k == 0: the whole name). */
static int
prefix_of_word(const uint32_t *q, size_t nq, const uint32_t *name, size_t nn, int any_word)
{
	for (size_t k = 0; k < nn; k++) {
		if (k > 0 && (!any_word || !word_start(name, k)))
			continue;
		if (nn - k >= nq && memcmp(name + k, q, nq * sizeof(*q)) == 0)
			return 1;
	}
	return 0;
}

/* After a pass: one candidate found is the match (how), several are ambiguous; -1 when the
 * pass found nobody. */
static int
take_unique(struct match_result *r, enum match_how how, int distance)
{
	if (r->nalternatives == 1) {
		r->index = r->alternatives[0];
		r->nalternatives = 0;
		r->distance = distance;
		return r->how = how;
	}
	if (r->nalternatives > 1)
		return r->how = MATCH_AMBIGUOUS;
	return -1;
}

/*
 * Nobody matched: the nearest colleagues as suggestions ("Jo" → Joost Hendriks, Johan Smit;
 * "Jost" → Joost Hendriks), nearest first. A name a word of which starts with the query, then
 * names (or first names) at most about a third of the query's letters away.
 */
static void
suggest(const struct match_candidate *c, size_t n, const uint32_t *q, size_t nq,
    struct match_result *r)
{
	uint32_t name[MATCH_MAX_LEN];
	int limit = 1 + (int)nq / 3;

	for (size_t i = 0; i < n; i++) {
		size_t nn = decode(c[i].name, strlen(c[i].name), name);

		if (prefix_of_word(q, nq, name, nn, 1))
			add_alternative(r, i);
	}
	for (int d = 1; d <= limit && r->nalternatives < MATCH_MAX_ALTERNATIVES; d++) {
		for (size_t i = 0; i < n; i++) {
			size_t nn = decode(c[i].name, strlen(c[i].name), name), first = 0;
			int dist, df, seen = 0;

			for (size_t k = 0; k < r->nalternatives; k++)
				seen |= r->alternatives[k] == i;
			if (seen)
				continue;
			while (first < nn && name[first] != ' ')
				first++;
			dist = distance(q, nq, name, nn, limit);
			df = distance(q, nq, name, first, limit);
			if (df <= limit && df < dist)
				dist = df;
			if (dist == d)
				add_alternative(r, i);
		}
	}
}

enum match_how
match_colleague(const struct match_candidate *c, size_t n, const char *query,
    struct match_result *r)
{
	uint32_t q[MATCH_MAX_LEN], name[MATCH_MAX_LEN];
	size_t nq, alen;
	const char *a = query_address(query, &alen);
	int got;

	memset(r, 0, sizeof(*r));
	if (alen > 0) {
		for (size_t i = 0; i < n; i++)
			if (c[i].address && strlen(c[i].address) == alen &&
			    ascii_ieq(c[i].address, a, alen)) {
				r->index = i;
				return r->how = MATCH_ADDRESS;
			}
		/* An unknown address is not guessed at: it may be someone outside the team. */
		return r->how = MATCH_NONE;
	}
	nq = decode(query, strlen(query), q);
	if (nq == 0)
		return r->how = MATCH_NONE;

	/* Full name, then a unique first name, then a unique surname ("Hendriks", "de Vries":
	 * the name's end from a word on). */
	for (int pass = 0; pass < 3; pass++) {
		for (size_t i = 0; i < n; i++) {
			size_t nn = decode(c[i].name, strlen(c[i].name), name);
			int hit = 0;

			if (pass == 0) {
				hit = nn == nq && memcmp(name, q, nq * sizeof(*q)) == 0;
			} else if (pass == 1) {
				size_t k = 0;
				while (k < nn && name[k] != ' ')
					k++;
				hit = k == nq && memcmp(name, q, nq * sizeof(*q)) == 0;
			} else {
				for (size_t k = 1; k < nn && !hit; k++)
					hit = word_start(name, k) && nn - k == nq &&
					    memcmp(name + k, q, nq * sizeof(*q)) == 0;
			}
			if (hit)
				add_alternative(r, i);
		}
		if ((got = take_unique(r, pass == 0 ? MATCH_NAME : MATCH_FIRST_NAME, 0)) >= 0)
			return (enum match_how)got;
	}

	/* The nearest full name (or first name), when it is a small typo away and nearer than
	 * any other. A first name needs four letters: "Eva" and "Eve" are different people. */
	int limit = nq <= 5 ? 1 : 2, best = limit + 1;
	for (size_t i = 0; i < n; i++) {
		size_t nn = decode(c[i].name, strlen(c[i].name), name), first = 0;
		int d = distance(q, nq, name, nn, limit);

		while (first < nn && name[first] != ' ')
			first++;
		if (first < nn && nq >= 4) {
			int df = distance(q, nq, name, first, 1);

			if (df <= 1 && df < d)
				d = df;
		}
		if (d > limit)
			continue;
		if (d < best) {
			best = d;
			r->nalternatives = 0;
		}
		if (d == best)
			add_alternative(r, i);
	}
	if ((got = take_unique(r, MATCH_FUZZY, best)) >= 0) {
		/* "Joos" is a letter from "Joost" and also its start: a start, not a typo. */
		if (got == MATCH_FUZZY && nq >= 3) {
			size_t nn = decode(c[r->index].name, strlen(c[r->index].name), name);

			r->prefix = prefix_of_word(q, nq, name, nn, 1);
		}
		return (enum match_how)got;
	}

	/* The start of exactly one name ("Joo", "Jan de V", "Hend"): three letters at least,
	 * a near match like a typo, so the caller treats it as one (a facilitator's command
	 * asks first). The distance is the letters left out. */
	if (nq >= 3) {
		size_t left = 0;

		for (size_t i = 0; i < n; i++) {
			size_t nn = decode(c[i].name, strlen(c[i].name), name);

			if (prefix_of_word(q, nq, name, nn, 1)) {
				add_alternative(r, i);
				left = nn - nq;
			}
		}
		if ((got = take_unique(r, MATCH_FUZZY, (int)(left > 99 ? 99 : left))) >= 0) {
			r->prefix = got == MATCH_FUZZY;
			return (enum match_how)got;
		}
	}

	suggest(c, n, q, nq, r);
	return r->how = MATCH_NONE;
}
