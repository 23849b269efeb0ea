/*
 * glossary — parse a language's glossary file and look words up. See include/glossary.h.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "glossary.h"
#include "banned.h"

#define GLOSSARY_MAX_VARIANTS 16

struct term {
	char *key, *word, *capital;
	char *variants[GLOSSARY_MAX_VARIANTS];
	size_t nvariants;
};

struct glossary {
	struct term v[GLOSSARY_MAX_TERMS];
	size_t n;
};

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* s[0..len) without blanks at either end, as a fresh string (NULL when memory runs out). */
static char *
trimmed(const char *s, size_t len)
{
	while (len > 0 && is_space(*s))
		s++, len--;
	while (len > 0 && is_space(s[len - 1]))
		len--;
	return strndup(s, len);
}

static int
ascii_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

void
glossary_free(struct glossary *g)
{
	if (g == NULL)
		return;
	for (size_t i = 0; i < g->n; i++) {
		free(g->v[i].key);
		free(g->v[i].word);
		free(g->v[i].capital);
		for (size_t j = 0; j < g->v[i].nvariants; j++)
			free(g->v[i].variants[j]);
	}
	free(g);
}

/* Is key among g's terms? */
static int
key_seen(const struct glossary *g, const char *key)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->v[i].key, key) == 0)
			return 1;
	return 0;
}

/* The line [s, e) "KEY = word | a, b" into t; NULL, or why it is wrong ("" when memory ran
 * out). */
static const char *
parse_line(const char *s, const char *e, struct term *t)
{
	const char *eq = memchr(s, '=', (size_t)(e - s)), *bar;

	if (eq == NULL)
		return "expected \"KEY = word | forbidden, variants\"";
	if ((t->key = trimmed(s, (size_t)(eq - s))) == NULL)
		return "";
	size_t klen = strlen(t->key);
	if (klen == 0 || klen > 32)
		return "the key is empty or longer than 32 characters";
	for (size_t i = 0; i < klen; i++)
		if (!((t->key[i] >= 'a' && t->key[i] <= 'z') || t->key[i] == '_'))
			return "a key is lower-case letters and '_'";
	s = eq + 1;
	bar = memchr(s, '|', (size_t)(e - s));
	if ((t->word = trimmed(s, (size_t)((bar ? bar : e) - s))) == NULL)
		return "";
	if (*t->word == '\0')
		return "the word is empty";
	if ((t->capital = strdup(t->word)) == NULL)
		return "";
	if (t->capital[0] >= 'a' && t->capital[0] <= 'z')
		t->capital[0] = (char)(t->capital[0] - 'a' + 'A');
	for (s = bar ? bar + 1 : e; s < e;) {
		const char *comma = memchr(s, ',', (size_t)(e - s));
		const char *end = comma ? comma : e;
		char *v = trimmed(s, (size_t)(end - s));

		if (v == NULL)
			return "";
		if (*v == '\0') {
			free(v);
			return "an empty forbidden variant";
		}
		if (t->nvariants == GLOSSARY_MAX_VARIANTS) {
			free(v);
			return "more than 16 forbidden variants";
		}
		t->variants[t->nvariants++] = v;
		s = end + (comma != NULL);
	}
	return NULL;
}

struct glossary *
glossary_parse(const char *data, size_t len, const char *shown, struct fb_error *err)
{
	struct glossary *g = calloc(1, sizeof(*g));
	const char *s = data, *end = data + len;
	size_t line = 0;

	if (g == NULL) {
		fb_error_set(err, "out of memory");
		return NULL;
	}
	if (len > GLOSSARY_MAX_FILE) {
		fb_error_set(err, "%s: larger than %zu bytes", shown, GLOSSARY_MAX_FILE);
		goto fail;
	}
	if (memchr(data, '\0', len) != NULL) {
		fb_error_set(err, "%s: holds a NUL byte", shown);
		goto fail;
	}
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end, *c = s;
		const char *why;

		line++;
		while (c < e && is_space(*c))
			c++;
		if (c == e || *c == '#') {
			s = nl ? nl + 1 : end;
			continue;
		}
		if (g->n == GLOSSARY_MAX_TERMS) {
			fb_error_set(err, "%s:%zu: more than %d terms", shown, line,
			    GLOSSARY_MAX_TERMS);
			goto fail;
		}
		why = parse_line(c, e, &g->v[g->n]);
		if (why == NULL && key_seen(g, g->v[g->n].key))
			why = "this key is already defined";
		g->n++;   /* so glossary_free() frees what parse_line() made */
		if (why != NULL) {
			if (*why == '\0')
				fb_error_set(err, "out of memory");
			else
				fb_error_set(err, "%s:%zu: %s", shown, line, why);
			goto fail;
		}
		s = nl ? nl + 1 : end;
	}
	return g;
fail:
	glossary_free(g);
	return NULL;
}

size_t
glossary_count(const struct glossary *g)
{
	return g ? g->n : 0;
}

const char *
glossary_key(const struct glossary *g, size_t i)
{
	return g->v[i].key;
}

const char *
glossary_term(const struct glossary *g, size_t i)
{
	return g->v[i].word;
}

const char *
glossary_term_capital(const struct glossary *g, size_t i)
{
	return g->v[i].capital;
}

const char *
glossary_word(const struct glossary *g, const char *key)
{
	for (size_t i = 0; g != NULL && key != NULL && i < g->n; i++)
		if (strcmp(g->v[i].key, key) == 0)
			return g->v[i].word;
	return NULL;
}

/* Does v occur at text[at] as a whole word, case ignored? */
static int
word_at(const char *text, size_t at, const char *v)
{
	size_t n = strlen(v);

	if (at > 0 && ascii_alnum((unsigned char)text[at - 1]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (text[at + i] == '\0' || lower((unsigned char)text[at + i]) !=
		    lower((unsigned char)v[i]))
			return 0;
	return !ascii_alnum((unsigned char)text[at + n]);
}

const char *
glossary_forbidden_in(const struct glossary *g, const char *text, const char **key)
{
	for (size_t at = 0; g != NULL && text != NULL && text[at] != '\0'; at++)
		for (size_t i = 0; i < g->n; i++)
			for (size_t j = 0; j < g->v[i].nvariants; j++)
				if (word_at(text, at, g->v[i].variants[j])) {
					if (key != NULL)
						*key = g->v[i].key;
					return g->v[i].variants[j];
				}
	return NULL;
}
