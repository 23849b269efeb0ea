/*
 * message_html — HTML-only mail rendered as plain text with gumbo (an HTML5 parser), so trim
 * and fields can read it like any text reply.
 *
 * Block elements end lines, <p> and headings leave a blank line (Outlook's one-paragraph-per-line
 * "MsoNormal" paragraphs do not), <br> breaks a line, runs of white space collapse, entities
 * come decoded from gumbo. Quoted material is written as lines starting with "> ": everything
 * inside <blockquote>, Gmail's div.gmail_quote, Thunderbird's div.moz-cite-prefix and Yahoo's
 * div.yahoo_quoted, and — because Outlook does not nest the original inside anything — everything
 * from Outlook's reply header block on (div#divRplyFwdMsg, div#appendonsend, or the div styled
 * "border-top:solid #E1E1E1" / "#B5C4DF" that holds From:/Sent:) to the end of the document.
 */
#include <ctype.h>
#include <string.h>

#include <gumbo.h>

#include "message.h"
#include "banned.h"

/* gumbo frees its tree recursively: bound the nesting it can build by bounding the tags it
 * sees, and bound our own walk too. */
#define HTML_MAX_TAGS 30000
#define HTML_MAX_DEPTH 200

struct render {
	struct buf *out;
	int quote;        /* nesting of quoting elements around the current node */
	int rest_quoted;  /* an Outlook reply header was seen: all that follows is quoted */
	int pre;          /* inside <pre>: keep white space */
	int line_has_text;
	int pending_space;
	int newlines;     /* '\n' written since the last text (for blank-line bookkeeping) */
	int failed;
};

static void
put(struct render *r, const char *s, size_t n)
{
	if (!r->failed && buf_add(r->out, s, n) < 0)
		r->failed = 1;
}

/* Start a line with its quote prefix when text begins on it. */
static void
begin_text(struct render *r)
{
	if (!r->line_has_text) {
		if (r->quote > 0 || r->rest_quoted)
			put(r, "> ", 2);
		r->line_has_text = 1;
		r->pending_space = 0;
	} else if (r->pending_space) {
		put(r, " ", 1);
		r->pending_space = 0;
	}
	r->newlines = 0;
}

/* An empty line; inside a quote it is ">", so a quoted block stays one block for trim. */
static void
blank_line(struct render *r)
{
	if (r->out->len == 0 || r->newlines >= 2)
		return;
	if (r->quote > 0 || r->rest_quoted)
		put(r, ">", 1);
	put(r, "\n", 1);
	r->newlines++;
}

/* <br>: end the line; on an empty line it makes a blank line (at most one in a row). */
static void
line_break(struct render *r)
{
	if (r->line_has_text) {
		put(r, "\n", 1);
		r->line_has_text = 0;
		r->newlines = 1;
	} else {
		blank_line(r);
	}
	r->pending_space = 0;
}

/* End the current line if it has text. */
static void
block_break(struct render *r)
{
	if (r->line_has_text)
		line_break(r);
}

/* Leave one blank line (but never at the top of the text). */
static void
para_break(struct render *r)
{
	block_break(r);
	blank_line(r);
}

static void
text(struct render *r, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n && !r->failed; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] == 0xa0) {
			/* U+00A0 no-break space: a space to a reader */
			i++;
			c = ' ';
		}
		if (r->pre) {
			if (c == '\n') {
				if (!r->line_has_text)
					begin_text(r);
				line_break(r);
			} else if (c != '\r') {
				begin_text(r);
				put(r, (const char *)&c, 1);
			}
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
			if (r->line_has_text)
				r->pending_space = 1;
			continue;
		}
		/* a run of visible bytes in one go (a no-break space ends it) */
		begin_text(r);
		{
			size_t j = i + 1;

			while (j < n && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' && s[j] != '\r' &&
			    s[j] != '\f' && (unsigned char)s[j] != 0xc2)
				j++;
			put(r, s + i, j - i);
			i = j - 1;
		}
	}
}

static const char *
attr(const GumboElement *el, const char *name)
{
	GumboAttribute *a = gumbo_get_attribute(&el->attributes, name);

	return a != NULL ? a->value : NULL;
}

/* Does the class attribute hold a class that starts with word? */
static int
has_class(const GumboElement *el, const char *word)
{
	const char *c = attr(el, "class");
	size_t wl = strlen(word);

	for (const char *p = c; p != NULL && *p != '\0'; ) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (strncmp(p, word, wl) == 0)
			return 1;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
	}
	return 0;
}

/* Outlook's From/Sent header block: a div with a solid top border in one of Outlook's greys,
 * written with varying spaces ("border:none;border-top:solid #E1E1E1 1.0pt"). */
static int
outlook_header_style(const GumboElement *el)
{
	const char *s = attr(el, "style");
	char flat[256];
	size_t n = 0;

	if (s == NULL)
		return 0;
	for (; *s != '\0' && n + 1 < sizeof(flat); s++)
		if (!isspace((unsigned char)*s))
			flat[n++] = (char)tolower((unsigned char)*s);
	flat[n] = '\0';
	return strstr(flat, "border-top:solid#e1e1e1") != NULL ||
	    strstr(flat, "border-top:solid#b5c4df") != NULL;
}

static int
is_para(GumboTag t)
{
	switch (t) {
	case GUMBO_TAG_P: case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
	case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_PRE:
	case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_TABLE:
		return 1;
	default:
		return 0;
	}
}

static int
is_block(GumboTag t)
{
	switch (t) {
	case GUMBO_TAG_DIV: case GUMBO_TAG_LI: case GUMBO_TAG_TR: case GUMBO_TAG_HR:
	case GUMBO_TAG_ADDRESS: case GUMBO_TAG_SECTION: case GUMBO_TAG_ARTICLE:
	case GUMBO_TAG_HEADER: case GUMBO_TAG_FOOTER: case GUMBO_TAG_CENTER: case GUMBO_TAG_DL:
	case GUMBO_TAG_DT: case GUMBO_TAG_DD: case GUMBO_TAG_FORM: case GUMBO_TAG_FIELDSET:
	case GUMBO_TAG_BODY: case GUMBO_TAG_TBODY: case GUMBO_TAG_THEAD: case GUMBO_TAG_TFOOT:
	case GUMBO_TAG_CAPTION: case GUMBO_TAG_NAV: case GUMBO_TAG_ASIDE: case GUMBO_TAG_MAIN:
	case GUMBO_TAG_FIGURE: case GUMBO_TAG_FIGCAPTION:
		return 1;
	default:
		return 0;
	}
}

static int
skipped(GumboTag t)
{
	switch (t) {
	case GUMBO_TAG_HEAD: case GUMBO_TAG_STYLE: case GUMBO_TAG_SCRIPT: case GUMBO_TAG_TITLE:
	case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_OBJECT:
	case GUMBO_TAG_IFRAME: case GUMBO_TAG_SVG: case GUMBO_TAG_MATH:
		return 1;
	default:
		return 0;
	}
}

static void walk(struct render *r, const GumboNode *node, int depth);

static void
walk_element(struct render *r, const GumboElement *el, int depth)
{
	GumboTag t = el->tag;
	int quotes = 0, para, block;
	const char *id;

	if (skipped(t))
		return;
	if (t == GUMBO_TAG_BR) {
		line_break(r);
		return;
	}
	id = attr(el, "id");
	if (id != NULL && (strcmp(id, "divRplyFwdMsg") == 0 || strcmp(id, "appendonsend") == 0))
		r->rest_quoted = 1;
	else if (t == GUMBO_TAG_DIV && outlook_header_style(el))
		r->rest_quoted = 1;
	if (t == GUMBO_TAG_BLOCKQUOTE || has_class(el, "gmail_quote") ||
	    has_class(el, "moz-cite-prefix") || has_class(el, "yahoo_quoted"))
		quotes = 1;
	/* Outlook writes every line as its own <p class=MsoNormal>: a line, not a paragraph */
	para = is_para(t) && !(t == GUMBO_TAG_P && has_class(el, "MsoNormal"));
	block = para || is_block(t) || t == GUMBO_TAG_P;

	/* the quote starts before its leading blank line, so quote header and quote stay one
	 * block of "> " lines */
	r->quote += quotes;
	if (para)
		para_break(r);
	else if (block)
		block_break(r);
	if (t == GUMBO_TAG_PRE)
		r->pre++;
	if (t == GUMBO_TAG_LI) {
		begin_text(r);
		put(r, "- ", 2);
	}
	if ((t == GUMBO_TAG_TD || t == GUMBO_TAG_TH) && r->line_has_text)
		r->pending_space = 1;

	for (unsigned i = 0; i < el->children.length && !r->failed; i++)
		walk(r, el->children.data[i], depth + 1);

	if (t == GUMBO_TAG_PRE)
		r->pre--;
	/* end the quote's last line while inside it; the blank line after it is outside */
	if (quotes) {
		block_break(r);
		r->quote -= quotes;
	}
	if (para)
		para_break(r);
	else if (block)
		block_break(r);
	else if ((t == GUMBO_TAG_TD || t == GUMBO_TAG_TH) && r->line_has_text)
		r->pending_space = 1;
}

static void
walk(struct render *r, const GumboNode *node, int depth)
{
	if (depth > HTML_MAX_DEPTH)
		return;
	switch (node->type) {
	case GUMBO_NODE_DOCUMENT:
		for (unsigned i = 0; i < node->v.document.children.length && !r->failed; i++)
			walk(r, node->v.document.children.data[i], depth + 1);
		break;
	case GUMBO_NODE_ELEMENT:
	case GUMBO_NODE_TEMPLATE:
		walk_element(r, &node->v.element, depth);
		break;
	case GUMBO_NODE_TEXT:
	case GUMBO_NODE_CDATA:
	case GUMBO_NODE_WHITESPACE:
		text(r, node->v.text.text);
		break;
	default: /* comments */
		break;
	}
}

int
message_html_to_text(const char *html, size_t len, struct buf *out)
{
	GumboOptions opt = kGumboDefaultOptions;
	GumboOutput *doc;
	struct render r = { .out = out };
	size_t tags = 0, n;

	/* Cut pathological input short: past HTML_MAX_TAGS tags, the rest is not read. */
	for (n = 0; n < len; n++)
		if (html[n] == '<' && ++tags > HTML_MAX_TAGS)
			break;
	opt.max_errors = 0;
	doc = gumbo_parse_with_options(&opt, html, n);
	if (doc == NULL)
		return -1;
	walk(&r, doc->document, 0);
	gumbo_destroy_output(&opt, doc);
	if (r.failed)
		return -1;
	/* no blank or empty quote lines at the end */
	while (out->len > 0 && (out->data[out->len - 1] == '\n' ||
	    (out->data[out->len - 1] == '>' && (out->len == 1 || out->data[out->len - 2] == '\n'))))
		buf_truncate(out, out->len - 1);
	if (out->len > 0 && buf_addch(out, '\n') < 0)
		return -1;
	return 0;
}
