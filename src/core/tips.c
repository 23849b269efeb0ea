/*
 * tips — parse tips files and choose a member's tip of the week. See include/tips.h for the
 * format and the rule.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tips.h"
#include "banned.h"

#define ACCEPTED "accepted: records of \"id: ...\", \"pattern: ...\", \"level: ...\" and the " \
	"text, separated by blank lines; \"# comment\""

static const char *const pattern_names[TIP_PATTERNS] = {
	"never_asks", "asks_never_gives", "gives_only_confirmation", "never_reacts", "all_well",
	"general",
};
#define PATTERN_LIST "never_asks, asks_never_gives, gives_only_confirmation, never_reacts, " \
	"all_well, general"

static const char *const level_names[TIP_LEVELS] = { "task", "process", "self-regulation" };

const char *
tip_pattern_name(enum tip_pattern p)
{
	return (unsigned)p < TIP_PATTERNS ? pattern_names[p] : "?";
}

const char *
tip_level_name(enum tip_level l)
{
	return (unsigned)l < TIP_LEVELS ? level_names[l] : "?";
}

void
tips_release(struct tip_set *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].id);
		free(s->v[i].text);
	}
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t';
}

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

/* "key:" at the start of s[0..len): the value after it, trimmed. */
static int
field(const char *s, size_t len, const char *key, const char **v, size_t *vl)
{
	size_t k = strlen(key);

	if (len <= k || memcmp(s, key, k) != 0 || s[k] != ':')
		return 0;
	*v = s + k + 1;
	*vl = len - k - 1;
	trim(v, vl);
	return 1;
}

static int
lookup(const char *const *names, size_t n, const char *v, size_t vl)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(names[i]) == vl && memcmp(names[i], v, vl) == 0)
			return (int)i;
	return -1;
}

/* The record being read: which fields it has, where it started. */
struct record {
	size_t line;             /* 0: none open */
	int has_pattern, has_level;
	struct tip t;
	struct buf text;
};

static void
record_reset(struct record *r)
{
	free(r->t.id);
	free(r->t.text);
	buf_release(&r->text);
	memset(r, 0, sizeof(*r));
}

static int
check_id(const char *name, size_t line, const char *v, size_t vl, const struct tip_set *s,
    struct fb_error *err)
{
	if (vl == 0 || vl > TIPS_MAX_ID)
		return fb_error_set(err, "%s:%zu: an id of %zu characters (accepted: 1 to %d of "
		    "A-Z, a-z, 0-9, '.', '_', '-')", name, line, vl, TIPS_MAX_ID);
	for (size_t i = 0; i < vl; i++) {
		char c = v[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '_' || c == '-'))
			return fb_error_set(err, "%s:%zu: the id \"%.*s\" has a character outside "
			    "A-Z, a-z, 0-9, '.', '_', '-'", name, line, (int)vl, v);
	}
	for (size_t i = 0; i < s->n; i++)
		if (strlen(s->v[i].id) == vl && memcmp(s->v[i].id, v, vl) == 0)
			return fb_error_set(err, "%s:%zu: the id \"%.*s\" is used twice (accepted: "
			    "each id once)", name, line, (int)vl, v);
	return 0;
}

/* A header line of the open record (before its text). 1: it was one, 0: it is text. */
static int
header_line(const char *name, size_t line, const char *s, size_t len, struct record *r,
    const struct tip_set *set, struct fb_error *err)
{
	const char *v;
	size_t vl;
	int i;

	if (field(s, len, "id", &v, &vl)) {
		if (r->t.id != NULL)
			return fb_error_set(err, "%s:%zu: a second id line in one tip (a blank line "
			    "ends a tip)", name, line);
		if (check_id(name, line, v, vl, set, err) < 0)
			return -1;
		if ((r->t.id = dup_n(v, vl)) == NULL)
			return fb_error_set(err, "out of memory");
		return 1;
	}
	if (field(s, len, "pattern", &v, &vl)) {
		if (r->has_pattern)
			return fb_error_set(err, "%s:%zu: a second pattern line in one tip", name,
			    line);
		if ((i = lookup(pattern_names, TIP_PATTERNS, v, vl)) < 0)
			return fb_error_set(err, "%s:%zu: unknown pattern \"%.*s\" (accepted: "
			    PATTERN_LIST ")", name, line, (int)vl, v);
		r->t.pattern = (enum tip_pattern)i;
		r->has_pattern = 1;
		return 1;
	}
	if (field(s, len, "level", &v, &vl)) {
		if (r->has_level)
			return fb_error_set(err, "%s:%zu: a second level line in one tip", name,
			    line);
		if ((i = lookup(level_names, TIP_LEVELS, v, vl)) < 0)
			return fb_error_set(err, "%s:%zu: unknown level \"%.*s\" (accepted: task, "
			    "process, self-regulation)", name, line, (int)vl, v);
		r->t.level = (enum tip_level)i;
		r->has_level = 1;
		return 1;
	}
	return 0;
}

/* The blank line (or the end) closes the open record: check it and add it to s. */
static int
record_close(const char *name, struct record *r, struct tip_set *s, struct fb_error *err)
{
	const char *missing = r->t.id == NULL ? "an \"id:\" line" :
	    !r->has_pattern ? "a \"pattern:\" line" : !r->has_level ? "a \"level:\" line" :
	    r->text.len == 0 ? "text" : NULL;

	if (missing != NULL)
		return fb_error_set(err, "%s:%zu: the tip %s%s%shas no %s; " ACCEPTED, name,
		    r->line, r->t.id ? "\"" : "", r->t.id ? r->t.id : "", r->t.id ? "\" " : "",
		    missing);
	if (r->text.len > TIPS_MAX_TEXT)
		return fb_error_set(err, "%s:%zu: the text of tip \"%s\" has %zu bytes (accepted: "
		    "at most %d)", name, r->line, r->t.id, r->text.len, TIPS_MAX_TEXT);
	if (s->n == TIPS_MAX_TIPS)
		return fb_error_set(err, "%s:%zu: more than %d tips", name, r->line,
		    TIPS_MAX_TIPS);
	struct tip *nv = realloc(s->v, (s->n + 1) * sizeof(*nv));
	if (nv == NULL)
		return fb_error_set(err, "out of memory");
	s->v = nv;
	if ((r->t.text = buf_detach(&r->text, NULL)) == NULL)
		return fb_error_set(err, "out of memory");
	nv[s->n++] = r->t;
	memset(&r->t, 0, sizeof(r->t));
	record_reset(r);
	return 0;
}

static int
parse_line(const char *name, size_t line, const char *s, size_t len, struct record *r,
    struct tip_set *set, struct fb_error *err)
{
	int h;

	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return fb_error_set(err, "%s:%zu: a control character (byte 0x%02x)", name,
			    line, (unsigned char)s[i]);
	if (r->line == 0)
		r->line = line;
	if (r->text.len == 0) {
		if ((h = header_line(name, line, s, len, r, set, err)) != 0)
			return h < 0 ? -1 : 0;
		if (r->t.id == NULL || !r->has_pattern || !r->has_level)
			return fb_error_set(err, "%s:%zu: text before the tip's %s line; " ACCEPTED,
			    name, line, r->t.id == NULL ? "id" : !r->has_pattern ? "pattern" :
			    "level");
	} else {
		const char *v;
		size_t vl;

		if (field(s, len, "id", &v, &vl) || field(s, len, "pattern", &v, &vl) ||
		    field(s, len, "level", &v, &vl))
			return fb_error_set(err, "%s:%zu: a field line inside the text of tip "
			    "\"%s\" (a blank line ends a tip)", name, line, r->t.id);
		if (buf_addch(&r->text, ' ') < 0)
			return fb_error_set(err, "out of memory");
	}
	if (r->text.len + len > TIPS_MAX_TEXT)
		return fb_error_set(err, "%s:%zu: the text of tip \"%s\" is longer than %d bytes",
		    name, line, r->t.id, TIPS_MAX_TEXT);
	if (buf_add(&r->text, s, len) < 0)
		return fb_error_set(err, "out of memory");
	return 0;
}

int
tips_parse(const char *name, const char *text, size_t len, struct tip_set *out,
    struct fb_error *err)
{
	struct record r;
	size_t pos = 0, line = 0;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	tips_release(out);
	if (len > TIPS_MAX_FILE)
		return fb_error_set(err, "%s: %zu bytes (accepted: at most %d)", name, len,
		    TIPS_MAX_FILE);
	if (memchr(text, '\0', len) != NULL)
		return fb_error_set(err, "%s: a NUL byte (accepted: a text file)", name);
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len && rc == 0) {
		const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
		size_t l = nl != NULL ? (size_t)(nl - s) : len - pos;

		pos += l + (nl != NULL);
		line++;
		if (l > 0 && s[l - 1] == '\r')
			l--;
		trim(&s, &l);
		if (l > 0 && s[0] == '#')
			continue;
		if (l == 0)
			rc = r.line != 0 ? record_close(name, &r, out, err) : 0;
		else
			rc = parse_line(name, line, s, l, &r, out, err);
	}
	if (rc == 0 && r.line != 0)
		rc = record_close(name, &r, out, err);
	if (rc == 0 && out->n == 0)
		rc = fb_error_set(err, "%s: no tips; " ACCEPTED, name);
	record_reset(&r);
	if (rc < 0)
		tips_release(out);
	return rc;
}

const struct tip *
tips_find(const struct tip_set *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].id, id) == 0)
			return &s->v[i];
	return NULL;
}

/* ---- the choice ------------------------------------------------------------------------------ */

/* Which patterns apply, by the rule's order; the first is the member's own. */
static unsigned
patterns_of(const struct tip_figures *f)
{
	unsigned m = 0;

	if (f->requested <= 0)
		m |= 1u << TIP_NEVER_ASKS;
	if (f->given <= 0)
		m |= 1u << TIP_ASKS_NEVER_GIVES;
	else if (f->given_beyond_confirmation <= 0)
		m |= 1u << TIP_GIVES_ONLY_CONFIRMATION;
	if (f->received > 0 && f->reactions <= 0)
		m |= 1u << TIP_NEVER_REACTS;
	if (m == 0)
		m = 1u << TIP_ALL_WELL;
	return m;
}

enum tip_pattern
tips_pattern_of(const struct tip_figures *fig)
{
	unsigned m = patterns_of(fig);

	for (int p = 0; p < TIP_PATTERNS; p++)
		if (m & (1u << p))
			return (enum tip_pattern)p;
	return TIP_ALL_WELL;
}

struct choice {
	const struct tip_set *s;
	const char *const *given;
	size_t n_given;
	uint64_t seed;           /* member id + week */
};

static int
was_given(const struct choice *c, const char *id)
{
	for (size_t i = 0; i < c->n_given; i++)
		if (c->given[i] != NULL && strcmp(c->given[i], id) == 0)
			return 1;
	return 0;
}

/* An unused tip of pattern p (any pattern: p < 0) at level l, chosen stably; NULL: none. */
static const struct tip *
pick(const struct choice *c, int p, enum tip_level l)
{
	size_t n = 0, k;

	for (size_t i = 0; i < c->s->n; i++) {
		const struct tip *t = &c->s->v[i];

		if ((p < 0 || (int)t->pattern == p) && t->level == l && !was_given(c, t->id))
			n++;
	}
	if (n == 0)
		return NULL;
	k = (size_t)(c->seed % n);
	for (size_t i = 0; i < c->s->n; i++) {
		const struct tip *t = &c->s->v[i];

		if ((p < 0 || (int)t->pattern == p) && t->level == l && !was_given(c, t->id) &&
		    k-- == 0)
			return t;
	}
	return NULL;
}

/* The lowest level of pattern p (any: p < 0) with an unused tip. */
static const struct tip *
pick_lowest(const struct choice *c, int p)
{
	const struct tip *t = NULL;

	for (int l = 0; l < TIP_LEVELS && t == NULL; l++)
		t = pick(c, p, (enum tip_level)l);
	return t;
}

/* All well: the level after the last tip given, else the nearest one, higher first. */
static const struct tip *
pick_next_level(const struct choice *c)
{
	const struct tip *last = NULL, *t = NULL;
	int want;

	for (size_t i = c->n_given; i-- > 0 && last == NULL;)
		if (c->given[i] != NULL)
			last = tips_find(c->s, c->given[i]);
	want = last == NULL ? TIP_TASK : (int)last->level + 1;
	if (want >= TIP_LEVELS)
		want = TIP_LEVELS - 1;
	for (int d = 0; d < TIP_LEVELS && t == NULL; d++) {
		if (want + d < TIP_LEVELS)
			t = pick(c, TIP_ALL_WELL, (enum tip_level)(want + d));
		if (t == NULL && d > 0 && want - d >= 0)
			t = pick(c, TIP_ALL_WELL, (enum tip_level)(want - d));
	}
	return t;
}

const struct tip *
tips_choose(const struct tip_set *s, const struct tip_figures *fig, const char *const *given,
    size_t n_given, int64_t member_id, int week, enum tip_pattern *pattern)
{
	struct choice c = { s, given, n_given, (uint64_t)member_id + (uint64_t)(int64_t)week };
	unsigned m = patterns_of(fig);
	const struct tip *t = NULL;

	if (pattern != NULL)
		*pattern = tips_pattern_of(fig);
	if (m & (1u << TIP_ALL_WELL))
		t = pick_next_level(&c);
	for (int p = 0; p < TIP_ALL_WELL && t == NULL; p++)
		if (m & (1u << p))
			t = pick_lowest(&c, p);
	if (t == NULL)
		t = pick_lowest(&c, TIP_GENERAL);
	if (t == NULL)
		t = pick_next_level(&c);
	if (t == NULL)
		t = pick_lowest(&c, -1);
	return t;
}
