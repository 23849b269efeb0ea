/*
 * mask — hide names, addresses, phone numbers and signatures in an "anonymous" text. What and
 * why: include/mask.h. Pure: no store, no files.
 *
 * How: the names are folded (lower case, diacritics off) into patterns of code points, sorted
 * by their first code point and then longest first, so a text position is tried against only
 * the patterns that can start there. The text is walked once; at each word start an address,
 * a phone number or a person (title? initials? particles? name+ possessive?) is tried in that
 * order, and what matches becomes one mask. Every step advances, so the walk is linear in the
 * text times the patterns that share a first letter.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mask.h"
#include "ufold.h"
#include "banned.h"

/* ---- UTF-8, folding, classes ---------------------------------------------------------------- */

static int
is_space(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
	    c == 0xA0 || (c >= 0x2000 && c <= 0x200B) || c == 0x202F || c == 0x205F ||
	    c == 0x3000;
}

/* Horizontal space only: a name does not run on over a line end. */
static int
is_hspace(uint32_t c)
{
	return c == ' ' || c == '\t' || c == 0xA0 || (c >= 0x2000 && c <= 0x200A) ||
	    c == 0x202F;
}

static int
is_digit(uint32_t c)
{
	return c >= '0' && c <= '9';
}

/* Letters and digits of any script make words; punctuation, symbols and spaces do not. An
 * invalid byte counts as a letter (most likely Latin-1), so no name is found inside it. */
static int
is_word(uint32_t c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
	if (c >= 0x110000)
		return 1;
	if (c < 0xC0)
		return c == 0xAA || c == 0xB5 || c == 0xBA;
	if (c == 0xD7 || c == 0xF7 || is_space(c))
		return 0;
	if ((c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) ||
	    (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF0F) ||
	    (c >= 0xFF1A && c <= 0xFF20) || (c >= 0xFF3B && c <= 0xFF40) ||
	    (c >= 0xFF5B && c <= 0xFF65) || (c >= 0x1F000 && c <= 0x1FAFF))
		return 0;
	return 1;
}

static int
is_letter(uint32_t c)
{
	return is_word(c) && !is_digit(c) && c != '_';
}

/* An upper-case letter: ASCII, Latin-1, Latin Extended-A. Other scripts: any letter. */
static int
is_upper(uint32_t c)
{
	if (c < 0x80)
		return c >= 'A' && c <= 'Z';
	if (c >= 0xC0 && c <= 0xDE)
		return c != 0xD7;
	if (c >= 0x100 && c <= 0x17F) {
		int odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);

		return c == 0x178 || (odd_upper ? (c & 1) : !(c & 1));
	}
	return c >= 0x180 && is_letter(c);
}

/* The code point at i without moving; 0 at the end. */
static uint32_t
cp_at(const char *t, size_t len, size_t i)
{
	return i < len ? ufold_next(t, len, &i) : 0;
}

static size_t
skip_hspace(const char *t, size_t len, size_t i)
{
	while (i < len) {
		size_t j = i;

		if (!is_hspace(ufold_next(t, len, &j)))
			break;
		i = j;
	}
	return i;
}

/* 1 when a word ends at i (the end, or no word character follows). */
static int
word_ends(const char *t, size_t len, size_t i)
{
	return i >= len || !is_word(cp_at(t, len, i));
}

/* ---- patterns --------------------------------------------------------------------------- */

struct pat {
	const uint32_t *cp;   /* folded; ' ' stands for any run of space (set last: see below) */
	size_t off, n;        /* where in the pool, while the pool may still move */
};

struct mask_list {
	struct pat *v;
	size_t n, cap;
	uint32_t *pool;
	size_t npool, cappool;
};

/* Particles of (Dutch, German, French, …) surnames: masked only before the name they belong to. */
static const char *const particles[] = {
	"van", "de", "der", "den", "het", "'t", "t", "ter", "ten", "te", "op", "in", "la", "le",
	"du", "di", "da", "von", "zu", "del", "della", "dos", "das", "do", "des", "vd", "v.d.",
	"v/d", "d'", "l'", "mac", "af",
};

/* Titles before a name (folded; a '.' after them is optional). */
static const char *const titles[] = {
	"mevrouw", "mevr", "mw", "mej", "juffrouw", "dhr", "meneer", "heer", "mr", "mrs", "ms",
	"miss", "mister", "madam", "dr", "drs", "ir", "prof", "sir", "dame", "frau", "herr",
};

/* Closing greetings that start a signature (folded, compared at the start of a line). */
static const char *const greetings[] = {
	"met vriendelijke groet", "vriendelijke groet", "met hartelijke groet", "hartelijke groet",
	"met vriendelijke groeten", "vriendelijke groeten", "hartelijke groeten", "met groet",
	"groet", "groeten", "groetjes", "gr.", "gr,", "mvg", "m.v.g", "vr.gr", "vr. gr", "vrgr", "liefs",
	"regards", "best regards", "kind regards", "warm regards", "with kind regards", "cheers",
	"best wishes", "best,", "yours", "sincerely",
};
/* A greeting line is short; a longer line is a sentence that happens to start so. */
#define GREETING_MAX_LINE 40

/* Does the folded word at t[i..] equal the ASCII word w (followed by a word end)? Its end or 0. */
static size_t
match_ascii(const char *t, size_t len, size_t i, const char *w)
{
	for (; *w != '\0'; w++) {
		size_t j = i;

		if (i >= len || ufold_cp(ufold_next(t, len, &j)) != (uint32_t)(unsigned char)*w)
			return 0;
		i = j;
	}
	return i;
}

static int
is_particle_word(const uint32_t *cp, size_t n)
{
	for (size_t k = 0; k < sizeof(particles) / sizeof(particles[0]); k++) {
		const char *p = particles[k];
		size_t m = strlen(p), j = 0;

		if (m != n)
			continue;
		while (j < n && cp[j] == (uint32_t)(unsigned char)p[j])
			j++;
		if (j == n)
			return 1;
	}
	return 0;
}

static int
grow(void **v, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 16;
	void *p;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	p = realloc(*v, c * size);
	if (p == NULL)
		return -1;
	*v = p;
	*cap = c;
	return 0;
}

/* Add cp[0..n) as a pattern (stored as pool offsets until mask_list_new() fixes them up). */
static int
add_pat(struct mask_list *l, const uint32_t *cp, size_t n)
{
	size_t words = 0;

	for (size_t k = 0; k < n; k++)
		words += is_word(cp[k]);
	if (words < 2)
		return 0;   /* an initial, or punctuation: never alone */
	if (grow((void **)&l->pool, &l->cappool, l->npool + n, sizeof(*l->pool)) < 0 ||
	    grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v)) < 0)
		return -1;
	memcpy(l->pool + l->npool, cp, n * sizeof(*cp));
	l->v[l->n].cp = NULL;
	l->v[l->n].off = l->npool;
	l->v[l->n].n = n;
	l->npool += n;
	l->n++;
	return 0;
}

static int
cmp_pat(const void *a, const void *b)
{
	const struct pat *x = a, *y = b;

	if (x->cp[0] != y->cp[0])
		return x->cp[0] < y->cp[0] ? -1 : 1;
	return (y->n > x->n) - (y->n < x->n);
}

/* The patterns of one name: the whole name, each word that is no particle, and each part of a
 * double-barrelled word. Leading and trailing punctuation of a word is not part of it. */
static int
add_name(struct mask_list *l, const char *name)
{
	uint32_t cp[MASK_MAX_NAME + 1];
	size_t n = 0, len = strnlen(name, MASK_MAX_NAME), i = 0;
	size_t ws = 0;
	int prev_particle = 0;

	/* Folded, one ' ' between words. */
	while (i < len && n < MASK_MAX_NAME) {
		uint32_t c = ufold_cp(ufold_next(name, len, &i));

		if (is_space(c)) {
			if (n > 0 && cp[n - 1] != ' ')
				cp[n++] = ' ';
			continue;
		}
		cp[n++] = c;
	}
	while (n > 0 && cp[n - 1] == ' ')
		n--;
	if (n == 0)
		return 0;
	if (add_pat(l, cp, n) < 0)
		return -1;
	for (size_t k = 0; k <= n; k++) {
		size_t b, e, part;

		if (k < n && cp[k] != ' ')
			continue;
		b = ws;
		e = k;
		ws = k + 1;
		while (b < e && !is_word(cp[b]))
			b++;
		while (e > b && !is_word(cp[e - 1]))
			e--;
		if (is_particle_word(cp + b, e - b)) {
			/* "Jan de Vries": also "de Vries" (particles go with the surname only). */
			if (b > 0 && !prev_particle && add_pat(l, cp + b, n - b) < 0)
				return -1;
			prev_particle = 1;
			continue;
		}
		prev_particle = 0;
		if (e - b == n)
			continue;
		if (add_pat(l, cp + b, e - b) < 0)
			return -1;
		/* "Berg-Jansen": also "Berg" and "Jansen". */
		part = b;
		for (size_t h = b; h <= e; h++) {
			if (h < e && cp[h] != '-')
				continue;
			if (!(part == b && h == e) && add_pat(l, cp + part, h - part) < 0)
				return -1;
			part = h + 1;
		}
	}
	return 0;
}

struct mask_list *
mask_list_new(const char *const *names, size_t n)
{
	struct mask_list *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	if (n > MASK_MAX_NAMES)
		n = MASK_MAX_NAMES;
	for (size_t i = 0; i < n; i++) {
		if (names == NULL || names[i] == NULL)
			continue;
		if (add_name(l, names[i]) < 0) {
			mask_list_free(l);
			return NULL;
		}
	}
	for (size_t i = 0; i < l->n; i++)
		l->v[i].cp = l->pool + l->v[i].off;
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_pat);
	return l;
}

void
mask_list_free(struct mask_list *l)
{
	if (l == NULL)
		return;
	free(l->v);
	free(l->pool);
	free(l);
}

/* ---- matching --------------------------------------------------------------------------- */

/* Does p match at t[i..]? Its end or 0. */
static size_t
match_pat(const char *t, size_t len, size_t i, const struct pat *p)
{
	for (size_t k = 0; k < p->n; k++) {
		size_t j = i;
		uint32_t c;

		if (i >= len)
			return 0;
		c = ufold_next(t, len, &j);
		if (p->cp[k] == ' ') {
			if (!is_space(c))
				return 0;
			while (i < len) {
				j = i;
				if (!is_space(ufold_next(t, len, &j)))
					break;
				i = j;
			}
			continue;
		}
		if (ufold_cp(c) != p->cp[k])
			return 0;
		i = j;
	}
	return i;
}

/* A word ended at e, perhaps with a possessive ("'s", "’s", "s", "'"): the end, or 0. */
static size_t
possessive_end(const char *t, size_t len, size_t e)
{
	size_t j = e, k;
	uint32_t c;

	if (e >= len)
		return e;
	c = ufold_cp(ufold_next(t, len, &j));
	if (c == '\'') {
		k = j;
		if (k < len && ufold_cp(ufold_next(t, len, &k)) == 's' && word_ends(t, len, k))
			return k;
		return e;
	}
	if (c == 's' && word_ends(t, len, j))
		return j;
	return word_ends(t, len, e) ? e : 0;
}

/* The longest name of l at t[i..], ending a word (possessive included): its end or 0. */
static size_t
match_name(const struct mask_list *l, const char *t, size_t len, size_t i)
{
	size_t j = i, lo = 0, hi;
	uint32_t c;

	if (l == NULL || l->n == 0 || i >= len)
		return 0;
	c = ufold_cp(ufold_next(t, len, &j));
	hi = l->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->v[mid].cp[0] < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t k = lo; k < l->n && l->v[k].cp[0] == c; k++) {
		size_t e = match_pat(t, len, i, &l->v[k]), p;

		if (e > 0 && (p = possessive_end(t, len, e)) > 0)
			return p;
	}
	return 0;
}

/* One word of the list at t[i..] followed by space ('.' allowed after it): after the space, or 0. */
static size_t
match_word_of(const char *t, size_t len, size_t i, const char *const *list, size_t n, int dot)
{
	for (size_t k = 0; k < n; k++) {
		size_t e = match_ascii(t, len, i, list[k]), s;

		if (e == 0)
			continue;
		if (dot && e < len && t[e] == '.')
			e++;
		else if (!word_ends(t, len, e) && list[k][strlen(list[k]) - 1] != '\'')
			continue;
		s = skip_hspace(t, len, e);
		if (s > e || list[k][strlen(list[k]) - 1] == '\'')
			return s;
	}
	return 0;
}

/* Particles and the space after each, from i: where they end (i when none). */
static size_t
skip_particles(const char *t, size_t len, size_t i)
{
	size_t e;

	while ((e = match_word_of(t, len, i, particles, sizeof(particles) / sizeof(particles[0]),
	    0)) > 0)
		i = e;
	return i;
}

/*
 * Initials at t[i..]: "A.", "A.B.", "A. B.", "J.-P." (*dotted = 1), or one capital letter
 * alone ("A Bakker", *dotted = 0), each followed by space. After the space, or 0.
 */
static size_t
match_initials(const char *t, size_t len, size_t i, int *dotted)
{
	size_t j = i, last = 0;
	int n = 0;

	*dotted = 0;
	if (i >= len)
		return 0;
	while (j < len && n < 8) {
		size_t k = j;
		uint32_t c = ufold_next(t, len, &k);

		if (!is_letter(c) || k >= len || !word_ends(t, len, k) || t[k] != '.')
			break;
		j = k + 1;
		n++;
		last = j;
		if (j < len && t[j] == '-')
			j++;
		j = skip_hspace(t, len, j);
	}
	if (n > 0) {
		*dotted = 1;
		j = skip_hspace(t, len, last);
		return j > last ? j : 0;
	}
	/* One capital alone. */
	j = i;
	if (is_upper(ufold_next(t, len, &j)) && word_ends(t, len, j)) {
		size_t s = skip_hspace(t, len, j);

		return s > j ? s : 0;
	}
	return 0;
}

/* A capitalised word at t[i..] ("Jansen", "O'Brien", "Berg-Jansen", "Jansen's"): end or 0. */
static size_t
capitalised_word(const char *t, size_t len, size_t i)
{
	size_t j = i;

	if (i >= len || !is_upper(ufold_next(t, len, &j)))
		return 0;
	for (;;) {
		size_t k = j;
		uint32_t c;

		if (k >= len)
			break;
		c = ufold_next(t, len, &k);
		if (is_word(c)) {
			j = k;
			continue;
		}
		/* An inner hyphen or apostrophe followed by a capital: one name. */
		if ((c == '-' || ufold_cp(c) == '\'') && k < len && is_upper(cp_at(t, len, k))) {
			j = k;
			continue;
		}
		break;
	}
	return possessive_end(t, len, j);
}

/* A title at t[i..] (see titles): after it and its space, or 0. Written in capitals ("MS
 * Teams") it is an abbreviation, not a title. */
static size_t
match_title(const char *t, size_t len, size_t i, int *capital)
{
	size_t e = match_word_of(t, len, i, titles, sizeof(titles) / sizeof(titles[0]), 1), j = i;
	int upper = 0, lower = 0;

	if (e == 0)
		return 0;
	while (j < e) {
		uint32_t c = ufold_next(t, len, &j);

		if (is_upper(c))
			upper++;
		else if (is_letter(c))
			lower++;
	}
	if (lower == 0 && upper > 1)
		return 0;
	*capital = is_upper(cp_at(t, len, i));
	return e;
}

/*
 * A person at t[i..]: [title] [initials] name {space name}, where a name may start with its
 * particles ("de Vries"); or a capitalised title, or dotted initials, before any capitalised
 * word (particles allowed: "Mevr. van Dam"). The end, or 0.
 */
static size_t
match_person(const struct mask_list *l, const char *t, size_t len, size_t i)
{
	size_t j = i, k, e;
	int title = 0, capital = 0, dotted = 0, initials = 0;

	if ((k = match_title(t, len, j, &capital)) > 0) {
		title = 1;
		j = k;
	}
	if ((k = match_initials(t, len, j, &dotted)) > 0) {
		/* A lone capital only counts before one of the names. */
		if (dotted || match_name(l, t, len, k) > 0) {
			initials = 1;
			j = k;
		}
	}
	e = match_name(l, t, len, j);
	if (e == 0 && ((title && capital) || (initials && dotted) || (title && initials)))
		e = capitalised_word(t, len, skip_particles(t, len, j));
	/* No person after the title or initials: the word itself may still be a name. */
	if (e == 0 && j > i)
		e = match_name(l, t, len, i);
	if (e == 0)
		return 0;
	/* Names one after the other ("Anna Maria Bakker", "Bakker Anna"): one span. */
	for (;;) {
		size_t s = skip_hspace(t, len, e), n;

		if (s == e || (n = match_name(l, t, len, s)) == 0)
			break;
		e = n;
	}
	return e;
}

/* A word holding an '@' at t[i..] (an address): its end (no full stop after it), or 0. */
static size_t
match_address(const char *t, size_t len, size_t i)
{
	size_t e = i;
	int at = 0;

	while (e < len && strchr(" \n\t\r,;<>()[]\"'", t[e]) == NULL) {
		if (t[e] == '@')
			at = 1;
		e++;
	}
	if (!at)
		return 0;
	while (e > i && t[e - 1] == '.')
		e--;
	return e > i ? e : 0;
}

/* A phone number at t[i..] (see mask.h): its end, or 0. */
static size_t
match_phone(const char *t, size_t len, size_t i)
{
	size_t j = i, end = 0;
	int digits = 0, run = 0, open = 0, open_at_end = 0;

	if (t[i] != '+' && t[i] != '0' && t[i] != '(')
		return 0;
	if (t[i] == '+' || t[i] == '(')
		j++;
	open = t[i] == '(';
	if (j >= len || !is_digit((unsigned char)t[j]))
		return 0;
	while (j < len && digits <= 15) {
		char c = t[j];

		if (is_digit((unsigned char)c)) {
			digits++;
			run = 0;
			end = ++j;
			open_at_end = open;
			continue;
		}
		if (strchr(" -./()", c) != NULL && c != '\0' && ++run <= 2) {
			open += c == '(' ? 1 : c == ')' ? -1 : 0;
			j++;
			continue;
		}
		break;
	}
	if (digits < 9 || digits > 15)
		return 0;
	/* "(020) 1234567": the bracket closes inside the number. "(06-12345678)": it encloses
	 * the number: not ours, the number starts after it (the walk tries there next). */
	if (t[i] == '(' && open_at_end > 0)
		return 0;
	if (end < len && t[end] == ')' && open_at_end > 0)
		end++;
	/* "04-01-2027 10:00" is a date and a time. */
	if (end < len && t[end] == ':')
		return 0;
	return word_ends(t, len, end) ? end : 0;
}

/* ---- signatures ------------------------------------------------------------------------- */

/* Where the signature of text[0..len) starts (len when none): see mask.h. A greeting line and
 * its line end stay; what follows it goes. */
static size_t
signature_start(const char *t, size_t len)
{
	size_t line = 0, found = len;

	while (line < len) {
		size_t e = line, b, after = 0, k;

		while (e < len && t[e] != '\n')
			e++;
		b = skip_hspace(t, len, line);
		/* "-- " (or "--") alone on its line: the usual signature separator. */
		if (e - b >= 2 && t[b] == '-' && t[b + 1] == '-') {
			size_t r = b + 2;

			while (r < e && (t[r] == ' ' || t[r] == '\r' || t[r] == '\t'))
				r++;
			if (r == e)
				return found < line ? found : line;
		}
		if (found == len && e - b <= GREETING_MAX_LINE) {
			for (size_t g = 0; g < sizeof(greetings) / sizeof(greetings[0]); g++) {
				size_t m = match_ascii(t, e, b, greetings[g]);
				char last = greetings[g][strlen(greetings[g]) - 1];

				if (m == 0 || (last != '.' && last != ',' && !word_ends(t, e, m)))
					continue;
				/* Only near the end: count the lines with text after it. */
				for (k = e; k < len; k++)
					if (t[k] == '\n' && k + 1 < len && t[k + 1] != '\n' &&
					    t[k + 1] != '\r')
						after++;
				if (after >= 1 && after <= MASK_SIGNATURE_LINES)
					found = e < len ? e + 1 : len;
				break;
			}
		}
		line = e + 1;
	}
	return found;
}

/* ---- the walk --------------------------------------------------------------------------- */

int
mask_apply(const struct mask_list *l, const char *text, size_t len, const char *mask,
    struct buf *out)
{
	size_t start_len = out->len, sig, i = 0;
	int prev_word = 0;

	if (text == NULL)
		len = 0;
	sig = len > 0 ? signature_start(text, len) : 0;
	while (i < sig) {
		size_t j = i, e = 0;
		uint32_t c = ufold_next(text, sig, &j);

		if (!prev_word && (is_word(c) || c == '+' || c == '(')) {
			if (is_word(c))
				e = match_address(text, sig, i);
			if (e == 0)
				e = match_phone(text, sig, i);
			if (e == 0 && is_word(c))
				e = match_person(l, text, sig, i);
		}
		if (e > i) {
			if (buf_adds(out, mask) < 0)
				goto fail;
			i = e;
			prev_word = 1;
			continue;
		}
		if (buf_add(out, text + i, j - i) < 0)
			goto fail;
		prev_word = is_word(c);
		i = j;
	}
	if (sig < len) {
		size_t k = sig;

		while (k < len && is_space((unsigned char)text[k]))
			k++;
		if (k < len && buf_adds(out, mask) < 0)
			goto fail;
	}
	return 0;
fail:
	buf_truncate(out, start_len);
	return -1;
}

int
mask_text(const char *text, const char *const *names, size_t n, const char *mask,
    struct buf *out)
{
	struct mask_list *l = mask_list_new(names, n);
	int rc;

	if (l == NULL)
		return -1;
	rc = mask_apply(l, text ? text : "", text ? strlen(text) : 0, mask, out);
	mask_list_free(l);
	return rc;
}
