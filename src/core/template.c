/*
 * template — load, check and render the message templates. See include/template.h.
 *
 * A template is parsed once into a flat array of nodes in document order; a section node knows
 * where its children end, so rendering is a walk over index ranges with no tree to free.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fbtime.h"
#include "glossary.h"
#include "template.h"
#include "banned.h"

#define TEMPLATE_MAX_DEPTH 8
#define TEMPLATE_MAX_NAME 64

enum node_kind { NODE_TEXT, NODE_VAR, NODE_RAW, NODE_SECTION, NODE_INVERTED };

struct node {
	enum node_kind kind;
	size_t off, len;        /* NODE_TEXT: the text; others: the name in src */
	size_t end;             /* sections: index of the first node after the section */
	int once;               /* {{#name?}}: shown once when name is present, list or not */
};

struct parsed {
	char *src;              /* the file's bytes, NUL-terminated */
	size_t srclen;
	struct node *nodes;
	size_t n;
};

struct tmpl {
	char *name;
	struct parsed txt, html;
};

struct template_set {
	char lang[3];
	struct glossary *glossary;   /* NULL: the source had no <lang>/glossary.txt */
	struct template_values *terms; /* term_KEY and Term_KEY of every glossary term */
	struct tmpl *v;
	size_t n;
};

struct entry {
	char *name;
	char *value;
	int is_date;             /* value is date's ISO form; rendered as a human date */
	struct fb_date date;
	int this_year;
	struct template_values **items;
	size_t nitems;
	int is_list;
};

struct template_values {
	struct entry *v;
	size_t n;
};

/* ---- loading ------------------------------------------------------------------------------ */

struct loader {
	struct buf errors;
	size_t nerrors;
	const struct glossary *glossary; /* its term_KEY / Term_KEY are allowed everywhere */
};

static void
problem(struct loader *l, const char *file, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
problem(struct loader *l, const char *file, size_t line, const char *fmt, ...)
{
	va_list ap;

	if (l->nerrors++ > 0)
		buf_putch(&l->errors, '\n');
	if (line > 0)
		buf_putf(&l->errors, "%s:%zu: ", file, line);
	else
		buf_putf(&l->errors, "%s: ", file);
	va_start(ap, fmt);
	buf_vputf(&l->errors, fmt, ap);
	va_end(ap);
}

static size_t
line_of(const char *src, size_t off)
{
	size_t line = 1;

	for (size_t i = 0; i < off; i++)
		if (src[i] == '\n')
			line++;
	return line;
}

static int
push_node(struct parsed *p, size_t *cap, enum node_kind kind, size_t off, size_t len)
{
	if (p->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		struct node *nv = realloc(p->nodes, ncap * sizeof(*nv));

		if (nv == NULL)
			return -1;
		p->nodes = nv;
		*cap = ncap;
	}
	p->nodes[p->n].kind = kind;
	p->nodes[p->n].off = off;
	p->nodes[p->n].len = len;
	p->nodes[p->n].end = 0;
	p->nodes[p->n].once = 0;
	p->n++;
	return 0;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * A section or comment tag alone on its line: *ls is where the line starts (the whitespace
 * before the tag is dropped with it), *le just past the line's newline.
 */
static int
standalone(const char *s, size_t len, size_t from, size_t open, size_t close_end, size_t *ls,
    size_t *le)
{
	size_t i = open;

	while (i > from && is_blank(s[i - 1]))
		i--;
	if (!(i == 0 || s[i - 1] == '\n'))
		return 0;
	size_t j = close_end;
	while (j < len && is_blank(s[j]))
		j++;
	if (j < len && s[j] != '\n')
		return 0;
	*ls = i;
	*le = j < len ? j + 1 : j;
	return 1;
}

static int
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '_' || c == '-';
}

static int
spec_allows(const struct template_spec *spec, const struct glossary *glossary, const char *name,
    size_t len, const size_t *stack, size_t depth, const struct parsed *p)
{
	if (len > 5 && (memcmp(name, "term_", 5) == 0 || memcmp(name, "Term_", 5) == 0))
		for (size_t i = 0; i < glossary_count(glossary); i++)
			if (strlen(glossary_key(glossary, i)) == len - 5 &&
			    memcmp(glossary_key(glossary, i), name + 5, len - 5) == 0)
				return 1;
	for (const char *const *n = spec->names; *n != NULL; n++) {
		if (strlen(*n) == len && memcmp(*n, name, len) == 0)
			return 1;
		/* "list.item" inside {{#list}} */
		for (size_t d = 0; d < depth; d++) {
			const struct node *sec = &p->nodes[stack[d]];
			size_t sl = sec->len;

			if (strlen(*n) == sl + 1 + len && memcmp(*n, p->src + sec->off, sl) == 0 &&
			    (*n)[sl] == '.' && memcmp(*n + sl + 1, name, len) == 0)
				return 1;
		}
	}
	return 0;
}

/* Parse p->src into nodes, checking names against spec. Problems go to l; -1 on memory. */
static int
parse(struct parsed *p, const struct template_spec *spec, const char *file, struct loader *l)
{
	const char *s = p->src;
	size_t len = p->srclen, pos = 0, cap = 0, depth = 0;
	size_t stack[TEMPLATE_MAX_DEPTH];
	size_t before = l->nerrors;

	while (pos < len) {
		const char *o = strstr(s + pos, "{{");
		size_t open = o ? (size_t)(o - s) : len;
		size_t text_end = open, next;

		if (o == NULL) {
			if (push_node(p, &cap, NODE_TEXT, pos, len - pos) < 0)
				return -1;
			break;
		}
		const char *c = strstr(o + 2, "}}");
		if (c == NULL) {
			problem(l, file, line_of(s, open), "\"{{\" without \"}}\"");
			break;
		}
		size_t close = (size_t)(c - s), close_end = close + 2;
		size_t a = open + 2, b = close;
		while (a < b && is_blank(s[a]))
			a++;
		while (b > a && is_blank(s[b - 1]))
			b--;
		char sigil = a < b ? s[a] : '\0';
		int tag_kind = (sigil == '#' || sigil == '^' || sigil == '/' || sigil == '!' ||
		    sigil == '&') ? sigil : 0;
		size_t na = tag_kind ? a + 1 : a;
		while (na < b && is_blank(s[na]))
			na++;
		int once = (tag_kind == '#' || tag_kind == '^' || tag_kind == '/') && b > na &&
		    s[b - 1] == '?';
		if (once)
			b--;
		size_t ls, le;

		next = close_end;
		if (tag_kind && tag_kind != '&' && standalone(s, len, pos, open, close_end, &ls, &le)) {
			text_end = ls;
			next = le;
		}
		if (text_end > pos && push_node(p, &cap, NODE_TEXT, pos, text_end - pos) < 0)
			return -1;
		pos = next;
		if (tag_kind == '!')
			continue;
		int valid = na < b && b - na <= TEMPLATE_MAX_NAME;
		for (size_t i = na; valid && i < b; i++)
			valid = name_char(s[i]);
		if (!valid) {
			problem(l, file, line_of(s, open), "\"%.*s\" is not a name (letters, digits, "
			    "'_' and '-')", (int)(close_end - open), s + open);
			continue;
		}
		if (tag_kind == '/') {
			if (depth == 0) {
				problem(l, file, line_of(s, open), "{{/%.*s}} closes no section",
				    (int)(b - na), s + na);
				continue;
			}
			struct node *sec = &p->nodes[stack[depth - 1]];
			if (sec->len != b - na || memcmp(s + sec->off, s + na, sec->len) != 0)
				problem(l, file, line_of(s, open), "{{/%.*s}} closes {{#%.*s}} of "
				    "line %zu", (int)(b - na), s + na, (int)sec->len, s + sec->off,
				    line_of(s, sec->off));
			sec->end = p->n;
			depth--;
			continue;
		}
		if (!spec_allows(spec, l->glossary, s + na, b - na, stack, depth, p)) {
			problem(l, file, line_of(s, open), "unknown name \"%.*s\"; %s may use:",
			    (int)(b - na), s + na, spec->name);
			for (const char *const *n = spec->names; *n != NULL; n++)
				buf_putf(&l->errors, " %s", *n);
			if (glossary_count(l->glossary) > 0)
				buf_puts(&l->errors, "; and term_KEY, Term_KEY for every KEY of "
				    "glossary.txt");
			continue;
		}
		enum node_kind k = tag_kind == '#' ? NODE_SECTION :
		    tag_kind == '^' ? NODE_INVERTED : tag_kind == '&' ? NODE_RAW : NODE_VAR;
		if (push_node(p, &cap, k, na, b - na) < 0)
			return -1;
		p->nodes[p->n - 1].once = once;
		if (k == NODE_SECTION || k == NODE_INVERTED) {
			if (depth == TEMPLATE_MAX_DEPTH) {
				problem(l, file, line_of(s, open), "sections nested deeper than %d",
				    TEMPLATE_MAX_DEPTH);
				break;
			}
			stack[depth++] = p->n - 1;
		}
	}
	if (depth > 0 && l->nerrors == before)
		problem(l, file, line_of(s, p->nodes[stack[depth - 1]].off),
		    "{{#%.*s}} is never closed", (int)p->nodes[stack[depth - 1]].len,
		    s + p->nodes[stack[depth - 1]].off);
	return 0;
}

/* The file at path among the bytes the shell read: 0 and out, shown filled; 1 when it is
 * missing; -1 with err when the shell could not read it. */
static int
read_source(const struct template_source *src, const char *path, struct buf *out,
    struct buf *shown, struct fb_error *err)
{
	for (size_t i = 0; i < src->n; i++) {
		const struct template_file *f = &src->files[i];

		if (strcmp(f->path, path) != 0)
			continue;
		if (f->error != NULL)
			return fb_error_set(err, "%s", f->error);
		if (f->data == NULL)
			return 1;
		buf_reset(shown);
		if (buf_adds(shown, f->shown) < 0 || buf_add(out, f->data, f->len) < 0)
			return fb_error_set(err, "out of memory");
		return 0;
	}
	return 1;
}

static void
parsed_release(struct parsed *p)
{
	free(p->src);
	free(p->nodes);
	memset(p, 0, sizeof(*p));
}

static int
load_one(const struct template_source *source, const char *lang,
    const struct template_spec *spec, const char *ext, struct parsed *p, struct loader *l)
{
	const char *dir = source->dir;
	struct buf path = BUF_INIT, src = BUF_INIT, shown = BUF_INIT;
	struct fb_error err;
	int rc;

	buf_putf(&path, "%s/%s.%s", lang, spec->name, ext);
	if (buf_failed(&path)) {
		rc = -1;
		goto out;
	}
	rc = read_source(source, path.data, &src, &shown, &err);
	if (rc == 1) {
		problem(l, path.data, 0, "missing: every message needs a .txt and a .html "
		    "template%s%s", dir && *dir ? " (looked in " : "", dir && *dir ? dir : "");
		if (dir && *dir)
			buf_putch(&l->errors, ')');
	} else if (rc < 0) {
		/* a file that could not be read is a problem to name, not "out of memory" */
		problem(l, path.data, 0, "%s", err.msg);
		rc = 0;
	} else {
		if (buf_addch(&src, '\0') < 0) {
			rc = -1;
			goto out;
		}
		p->srclen = src.len - 1;
		p->src = buf_detach(&src, NULL);
		if (strlen(p->src) != p->srclen)
			problem(l, shown.data, 0, "holds a NUL byte");
		else if (strcmp(ext, "txt") == 0 && (strncmp(p->src, "Subject:", 8) != 0 ||
		    strchr(p->src, '\n') == NULL || strchr(p->src, '\n')[1] != '\n'))
			problem(l, shown.data, 1, "a .txt template starts with a \"Subject: ...\" "
			    "line and a blank line");
		else if (parse(p, spec, shown.data, l) < 0)
			rc = -1;
	}
out:
	buf_release(&path);
	buf_release(&src);
	buf_release(&shown);
	return rc < 0 && rc != 1 ? -1 : 0;
}

/* The set's glossary from <lang>/glossary.txt when the source holds it (a set without one has
 * no term_ names), and its terms as values. A bad file is a problem for l; -1 on memory. */
static int
load_glossary(const struct template_source *source, struct template_set *s, struct loader *l)
{
	struct buf path = BUF_INIT, src = BUF_INIT, shown = BUF_INIT;
	struct fb_error err;
	int rc;

	buf_putf(&path, "%s/glossary.txt", s->lang);
	if (buf_failed(&path))
		return -1;
	rc = read_source(source, path.data, &src, &shown, &err);
	if (rc == 0 && (s->glossary = glossary_parse(src.data ? src.data : "", src.len,
	    shown.data, &err)) == NULL)
		rc = -1;
	if (rc < 0) {
		/* err names the file (and line) already */
		if (l->nerrors++ > 0)
			buf_putch(&l->errors, '\n');
		buf_puts(&l->errors, err.msg);
	}
	rc = 0;
	if ((s->terms = template_values_new()) == NULL)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < glossary_count(s->glossary); i++) {
		const char *key = glossary_key(s->glossary, i);

		buf_reset(&path);
		buf_putf(&path, "term_%s", key);
		if (buf_failed(&path) ||
		    template_set(s->terms, path.data, glossary_term(s->glossary, i)) < 0)
			rc = -1;
		else
			path.data[0] = 'T';
		if (rc == 0 && template_set(s->terms, path.data,
		    glossary_term_capital(s->glossary, i)) < 0)
			rc = -1;
	}
	buf_release(&path);
	buf_release(&src);
	buf_release(&shown);
	return rc;
}

struct template_set *
template_set_load(const struct template_source *source, const char *lang,
    const struct template_spec *specs, size_t n, struct fb_error *err)
{
	struct template_set *s = calloc(1, sizeof(*s));
	struct loader l = { BUF_INIT, 0, NULL };

	if (lang == NULL || strlen(lang) != 2) {
		free(s);
		fb_error_set(err, "template language must be \"nl\" or \"en\"");
		return NULL;
	}
	if (s == NULL || (s->v = calloc(n ? n : 1, sizeof(*s->v))) == NULL)
		goto oom;
	memcpy(s->lang, lang, 3);
	if (load_glossary(source, s, &l) < 0)
		goto oom;
	l.glossary = s->glossary;
	for (size_t i = 0; i < n; i++, s->n++) {
		if ((s->v[i].name = strdup(specs[i].name)) == NULL)
			goto oom;
		if (load_one(source, lang, &specs[i], "txt", &s->v[i].txt, &l) < 0 ||
		    load_one(source, lang, &specs[i], "html", &s->v[i].html, &l) < 0)
			goto oom;
	}
	if (buf_failed(&l.errors))
		goto oom;
	if (l.nerrors > 0) {
		fb_error_set(err, "%s", l.errors.data);
		buf_release(&l.errors);
		template_set_free(s);
		return NULL;
	}
	buf_release(&l.errors);
	return s;
oom:
	buf_release(&l.errors);
	template_set_free(s);
	fb_error_set(err, "out of memory loading templates");
	return NULL;
}

void
template_set_free(struct template_set *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].name);
		parsed_release(&s->v[i].txt);
		parsed_release(&s->v[i].html);
	}
	free(s->v);
	glossary_free(s->glossary);
	template_values_free(s->terms);
	free(s);
}

const char *
template_set_lang(const struct template_set *s)
{
	return s->lang;
}

const struct glossary *
template_set_glossary(const struct template_set *s)
{
	return s->glossary;
}

const char *
template_set_term(const struct template_set *s, const char *key)
{
	return glossary_word(s->glossary, key);
}

/* ---- values -------------------------------------------------------------------------------- */

struct template_values *
template_values_new(void)
{
	return calloc(1, sizeof(struct template_values));
}

void
template_values_free(struct template_values *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n; i++) {
		free(v->v[i].name);
		free(v->v[i].value);
		for (size_t j = 0; j < v->v[i].nitems; j++)
			template_values_free(v->v[i].items[j]);
		free(v->v[i].items);
	}
	free(v->v);
	free(v);
}

static struct entry *
entry_get(struct template_values *v, const char *name)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->v[i].name, name) == 0)
			return &v->v[i];
	struct entry *nv = realloc(v->v, (v->n + 1) * sizeof(*nv));
	if (nv == NULL)
		return NULL;
	v->v = nv;
	memset(&nv[v->n], 0, sizeof(nv[v->n]));
	if ((nv[v->n].name = strdup(name)) == NULL)
		return NULL;
	return &nv[v->n++];
}

int
template_set(struct template_values *v, const char *name, const char *value)
{
	struct entry *e = entry_get(v, name);
	char *copy = NULL;

	if (e == NULL || (value != NULL && (copy = strdup(value)) == NULL))
		return -1;
	free(e->value);
	e->value = copy;
	e->is_date = 0;
	return 0;
}

int
template_set_date(struct template_values *v, const char *name, const struct fb_date *d,
    int this_year)
{
	struct entry *e;
	struct buf iso = BUF_INIT;

	if (!fbtime_date_valid(d) || fbtime_format_date(d, &iso) < 0 ||
	    template_set(v, name, iso.data) < 0 || (e = entry_get(v, name)) == NULL) {
		buf_release(&iso);
		return -1;
	}
	buf_release(&iso);
	e->is_date = 1;
	e->date = *d;
	e->this_year = this_year;
	return 0;
}

int
template_setf(struct template_values *v, const char *name, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (rc == 0)
		rc = template_set(v, name, b.data ? b.data : "");
	buf_release(&b);
	return rc;
}

struct template_values *
template_add_item(struct template_values *v, const char *name)
{
	struct entry *e = entry_get(v, name);
	struct template_values **ni, *item;

	if (e == NULL)
		return NULL;
	ni = realloc(e->items, (e->nitems + 1) * sizeof(*ni));
	if (ni == NULL)
		return NULL;
	e->items = ni;
	e->is_list = 1;
	if ((item = template_values_new()) == NULL)
		return NULL;
	e->items[e->nitems++] = item;
	return item;
}

/* ---- rendering ----------------------------------------------------------------------------- */

struct scope {
	const struct template_values *stack[TEMPLATE_MAX_DEPTH + 2]; /* terms, values, items */
	size_t depth;
};

static const struct entry *
lookup(const struct scope *sc, const char *name, size_t len)
{
	for (size_t d = sc->depth; d-- > 0;) {
		const struct template_values *v = sc->stack[d];

		for (size_t i = 0; i < v->n; i++)
			if (strlen(v->v[i].name) == len && memcmp(v->v[i].name, name, len) == 0)
				return &v->v[i];
	}
	return NULL;
}

static int
add_html_escaped(struct buf *out, const char *s)
{
	int rc = 0;

	for (; *s && rc == 0; s++) {
		switch (*s) {
		case '&': rc = buf_adds(out, "&amp;"); break;
		case '<': rc = buf_adds(out, "&lt;"); break;
		case '>': rc = buf_adds(out, "&gt;"); break;
		case '"': rc = buf_adds(out, "&quot;"); break;
		case '\'': rc = buf_adds(out, "&#39;"); break;
		case '\r': break;
		case '\n': rc = buf_adds(out, "<br>\n"); break;
		default: rc = buf_addch(out, *s); break;
		}
	}
	return rc;
}

/* e's value as the reader sees it: a date in the set's language, else the value. Static or
 * in tmp (reset here). NULL when memory runs out. */
static const char *
shown_value(const struct entry *e, const char *lang, struct buf *tmp)
{
	if (!e->is_date)
		return e->value;
	buf_reset(tmp);
	if (fbtime_format_human_date(&e->date, lang, e->this_year, tmp) < 0)
		return NULL;
	return tmp->data;
}

static int
render_range(const struct parsed *p, size_t from, size_t to, struct scope *sc, int html,
    const char *lang, struct buf *out)
{
	for (size_t i = from; i < to;) {
		const struct node *nd = &p->nodes[i];
		const struct entry *e;
		int rc = 0;

		switch (nd->kind) {
		case NODE_TEXT:
			rc = buf_add(out, p->src + nd->off, nd->len);
			i++;
			break;
		case NODE_VAR:
		case NODE_RAW:
			e = lookup(sc, p->src + nd->off, nd->len);
			if (e != NULL && e->value != NULL) {
				struct buf tmp = BUF_INIT;
				const char *val = shown_value(e, lang, &tmp);

				rc = val == NULL ? -1 : html && nd->kind == NODE_VAR ?
				    add_html_escaped(out, val) : buf_adds(out, val);
				buf_release(&tmp);
			}
			i++;
			break;
		case NODE_SECTION:
		case NODE_INVERTED:
			e = lookup(sc, p->src + nd->off, nd->len);
			int present = e != NULL && (e->is_list ? e->nitems > 0 :
			    e->value != NULL && *e->value != '\0');
			if (nd->kind == NODE_INVERTED) {
				if (!present)
					rc = render_range(p, i + 1, nd->end, sc, html, lang, out);
			} else if (present && e->is_list && !nd->once) {
				for (size_t j = 0; j < e->nitems && rc == 0; j++) {
					sc->stack[sc->depth++] = e->items[j];
					rc = render_range(p, i + 1, nd->end, sc, html, lang, out);
					sc->depth--;
				}
			} else if (present) {
				rc = render_range(p, i + 1, nd->end, sc, html, lang, out);
			}
			i = nd->end;
			break;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

void
template_output_init(struct template_output *o)
{
	buf_init(&o->subject);
	buf_init(&o->text);
	buf_init(&o->html);
}

void
template_output_release(struct template_output *o)
{
	buf_release(&o->subject);
	buf_release(&o->text);
	buf_release(&o->html);
}

/* Split "Subject: …\n\nbody" into its parts; the subject on one line. */
static int
split_subject(struct buf *all, struct template_output *out)
{
	const char *s = all->data, *nl = strchr(s, '\n');
	const char *subj = strncmp(s, "Subject:", 8) == 0 ? s + 8 : s;

	if (nl == NULL)
		nl = s + strlen(s);

	while (*subj == ' ')
		subj++;
	for (const char *c = subj; c < nl; c++)
		if (buf_addch(&out->subject, (*c == '\r' || *c == '\t') ? ' ' : *c) < 0)
			return -1;
	buf_rtrim(&out->subject);
	const char *body = *nl ? nl + 1 : nl;
	if (*body == '\n')
		body++;
	return buf_adds(&out->text, body);
}

int
template_render(const struct template_set *s, const char *name,
    const struct template_values *v, struct template_output *out, struct fb_error *err)
{
	const struct tmpl *t = NULL;
	struct scope sc = { .depth = 2 };
	struct buf all = BUF_INIT;
	struct template_values empty = { NULL, 0 };

	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0)
			t = &s->v[i];
	if (t == NULL)
		return fb_error_set(err, "no template \"%s\" in language %s", name, s->lang);
	/* The glossary's terms below the caller's values: a caller may still set a term_ name. */
	sc.stack[0] = s->terms ? s->terms : &empty;
	sc.stack[1] = v ? v : &empty;
	buf_reset(&out->subject);
	buf_reset(&out->text);
	buf_reset(&out->html);
	if (render_range(&t->txt, 0, t->txt.n, &sc, 0, s->lang, &all) < 0 ||
	    buf_addch(&all, '\0') < 0 ||
	    split_subject(&all, out) < 0 ||
	    render_range(&t->html, 0, t->html.n, &sc, 1, s->lang, &out->html) < 0) {
		buf_release(&all);
		return fb_error_set(err, "out of memory rendering %s", name);
	}
	buf_release(&all);
	return 0;
}
