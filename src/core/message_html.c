/*
 * message_html — HTML-only mail rendered as plain text with gumbo (an HTML5 parser), so trim
 * and fields can read it like any text reply.
 *
 * Block elements end lines, <p> and headings leave a blank line (Outlook's one-paragraph-per-line
 * "MsoNormal" paragraphs do not), <br> breaks a line, runs of white space collapse, entities
 * come decoded from gumbo. Images (tracking pixels among them) give no text.
 *
 * Quoted material — an earlier message — is written as lines starting with "> ". It is found in
 * the DOM by what mail programs mark it with (the table MARKERS below: class, id or name
 * attributes, also with the "x_"/"ecx"/"yiv…" prefixes webmails add when they quote a quote) and
 * by structure:
 *   - a quote container (<blockquote type=cite>, Yahoo's yahoo_quoted, GMX's name=quote, …): its
 *     content is quoted;
 *   - Outlook-style clients do not nest the original inside anything but start a header block
 *     (div#divRplyFwdMsg, div#appendonsend, hr#stopSpelling, the div with Outlook's grey top
 *     border, or any paragraph that starts with at least three bold "Label:" lines and holds an
 *     address or a time, as Outlook, Windows Mail and Zimbra write From/Sent/To/Subject in every
 *     language): from there to the end of the document all is quoted;
 *   - a <blockquote> without any marker is quoted when it draws a quote bar (a left border) or
 *     when an attribution line stands right before it (mail.ru, Yandex, Roundcube: "12.01.2027,
 *     10:15, Name <addr>:") or opens it; otherwise it is the writer's own indentation (Gmail's
 *     and Apple's "indent" button, Thunderbird's plain <blockquote>) and stays the writer's;
 *   - the attribution ("On … wrote:"; Gmail's div.gmail_attr, Thunderbird's moz-cite-prefix, or
 *     a short line ending in ':' with a digit or '@' right before a quote) is written on a line
 *     of its own. When nothing the writer wrote follows the quotes (a top-post), it is quoted
 *     too; when the writer answered below or between the quotes, it stays unquoted so that trim
 *     sees a quote header and treats the reply as inline.
 * Gmail's div.gmail_quote itself is not a quote: Gmail puts the writer's inline answers inside
 * it, between its blockquotes. Signature containers the client marks (div.gmail_signature,
 * div#Signature, .moz-signature, .protonmail_signature_block, …) get a "--" line before them, so
 * trim cuts them the way it cuts a plain-text signature; when the writer's own text follows one,
 * only the signature's own content is taken out (trim would cut the text below the "--"). No
 * other text is ever dropped here.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gumbo.h>

#include "message.h"
#include "banned.h"

/* gumbo frees its tree recursively: bound the nesting it can build by bounding the tags it
 * sees. Our own recursive walk stops at HTML_MAX_DEPTH and reads what lies deeper as flat text
 * (an explicit stack, no recursion), so deep nesting costs no text. */
#define HTML_MAX_TAGS 30000
#define HTML_MAX_DEPTH 200
/* An attribution line is short; so is a bold header label ("Отправлено:", "Enviado el:"). */
#define ATTRIB_MAX_LINE 400
#define LABEL_MAX 32
/* How many nodes a header-block check looks at, so the check stays cheap on every <p>/<div>. */
#define HEADER_SCAN_NODES 400

enum role {
	ROLE_NONE,
	ROLE_QUOTE,   /* its content is an earlier message */
	ROLE_REST,    /* an earlier message starts here and runs to the end of the document */
	ROLE_ATTRIB,  /* the "On … wrote:" line of the quote that follows */
	ROLE_SIG,     /* a signature the client marked */
};

enum how { EXACT, PREFIX, CONTAINS };

/*
 * What mail programs mark quotes, reply headers and signatures with. Attribute values are
 * compared per space-separated token, case-insensitively, after the prefixes webmails put on
 * the ids and classes of a message they display or quote ("x_" Outlook on the web, "ecx"
 * Hotmail, "yiv<digits>" Yahoo) are taken off.
 */
static const struct marker {
	const char *attr;
	enum how how;
	const char *word;
	enum role role;
} MARKERS[] = {
	/* Gmail: gmail_quote on the div is a wrapper (see the top of the file); gmail_extra wraps
	 * the signature and the quote of older Gmail, both marked themselves */
	{ "class", EXACT, "gmail_attr", ROLE_ATTRIB },
	{ "class", EXACT, "gmail_signature", ROLE_SIG },
	{ "data-smartmail", EXACT, "gmail_signature", ROLE_SIG },
	/* Thunderbird */
	{ "class", EXACT, "moz-cite-prefix", ROLE_ATTRIB },
	{ "class", EXACT, "moz-forward-container", ROLE_QUOTE },
	{ "class", EXACT, "moz-signature", ROLE_SIG },
	/* Outlook desktop, on the web, for Mac, iOS and Android */
	{ "id", EXACT, "divRplyFwdMsg", ROLE_REST },
	{ "id", EXACT, "appendonsend", ROLE_REST },
	{ "class", EXACT, "OutlookMessageHeader", ROLE_REST },
	{ "id", EXACT, "OLK_SRC_BODY_SECTION", ROLE_REST },
	{ "id", EXACT, "mail-editor-reference-message-container", ROLE_QUOTE },
	{ "class", CONTAINS, "ms-outlook-mobile-reference-message", ROLE_QUOTE },
	{ "id", CONTAINS, "ms-outlook-mobile-reference-message", ROLE_QUOTE },
	{ "id", EXACT, "Signature", ROLE_SIG },
	{ "id", EXACT, "ms-outlook-mobile-signature", ROLE_SIG },
	/* Hotmail / Outlook.com: <hr id=stopSpelling> before Date/Subject/From/To */
	{ "id", CONTAINS, "stopSpelling", ROLE_REST },
	/* Zimbra: <hr id=zwchr> before the header block, data-marker on newer versions */
	{ "id", EXACT, "zwchr", ROLE_REST },
	{ "data-marker", EXACT, "__DIVIDER__", ROLE_REST },
	{ "data-marker", EXACT, "__HEADERS__", ROLE_REST },
	{ "data-marker", EXACT, "__QUOTED_TEXT__", ROLE_QUOTE },
	/* Spark (Readdle) */
	{ "name", EXACT, "messageReplySection", ROLE_QUOTE },
	{ "name", EXACT, "messageSignatureSection", ROLE_SIG },
	/* Roundcube */
	{ "id", EXACT, "_rc_sig", ROLE_SIG },
	/* Yahoo: yahoo_quoted, also as ydp<hex>yahoo_quoted */
	{ "class", CONTAINS, "yahoo_quoted", ROLE_QUOTE },
	{ "id", CONTAINS, "yahoo_quoted", ROLE_QUOTE },
	/* mail.ru */
	{ "class", CONTAINS, "mail-quote", ROLE_QUOTE },
	{ "id", CONTAINS, "mail-quote", ROLE_QUOTE },
	{ "class", PREFIX, "js-helper", ROLE_QUOTE },
	/* Zoho */
	{ "class", EXACT, "zmail_extra", ROLE_QUOTE },
	/* Proton Mail */
	{ "class", EXACT, "protonmail_quote", ROLE_QUOTE },
	{ "class", PREFIX, "protonmail_signature_block", ROLE_SIG },
	/* GMX, Web.de (same software) */
	{ "name", EXACT, "quote", ROLE_QUOTE },
	{ "name", EXACT, "quoted-content", ROLE_QUOTE },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

enum span_kind {
	SPAN_PLAIN,  /* an attribution written unquoted */
	SPAN_PROBE,  /* where a quote starts: its first line may be the attribution */
	SPAN_QUOTED, /* a probe resolved: the quote's first line is an attribution */
	SPAN_NONE,   /* a probe whose quote does not start with an attribution */
	SPAN_SIG,    /* a marked signature, from its "--" line to its end */
};

#define NO_LINE ((size_t)-1)

struct span {
	size_t start, end; /* bytes of out */
	enum span_kind kind;
};

struct render {
	struct buf *out;
	int quote;        /* nesting of quoting elements around the current node */
	int rest_quoted;  /* an Outlook reply header was seen: all that follows is quoted */
	int pre;          /* inside <pre>: keep white space */
	int line_has_text;
	int pending_space;
	int newlines;     /* '\n' written since the last text (for blank-line bookkeeping) */
	int nbsp_line;    /* a no-break space and nothing else on the current line */
	int in_sig;       /* nesting of marked signatures */
	int failed;
	/* attribution lines written unquoted; finish() quotes those that only quotes follow */
	struct span *attrib;
	size_t nattrib, attrib_cap;
};

static int
quoting(const struct render *r)
{
	return r->quote > 0 || r->rest_quoted;
}

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
		if (quoting(r))
			put(r, "> ", 2);
		r->line_has_text = 1;
		r->pending_space = 0;
	} else if (r->pending_space) {
		put(r, " ", 1);
		r->pending_space = 0;
	}
	r->newlines = 0;
	r->nbsp_line = 0;
}

/* An empty line; inside a quote it is ">", so a quoted block stays one block for trim. */
static void
blank_line(struct render *r)
{
	if (r->out->len == 0 || r->newlines >= 2)
		return;
	if (quoting(r))
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
			if (!r->line_has_text && !r->pre)
				r->nbsp_line = 1;
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

/* Case-insensitive search for word in p[0..n). */
static int
contains_ci(const char *p, size_t n, const char *word)
{
	size_t wl = strlen(word);

	for (size_t i = 0; i + wl <= n; i++)
		if (strncasecmp(p + i, word, wl) == 0)
			return 1;
	return 0;
}

/* The prefixes webmails put on ids and classes of the message they show or quote. */
static size_t
webmail_prefix(const char *p, size_t n)
{
	size_t k = 0;

	for (;;) {
		if (n - k >= 2 && strncasecmp(p + k, "x_", 2) == 0) {
			k += 2;
		} else if (n - k > 3 && strncasecmp(p + k, "ecx", 3) == 0) {
			k += 3;
		} else if (n - k > 3 && strncasecmp(p + k, "yiv", 3) == 0 &&
		    isdigit((unsigned char)p[k + 3])) {
			k += 3;
			while (k < n && isdigit((unsigned char)p[k]))
				k++;
		} else {
			return k;
		}
	}
}

/* Does one of the space-separated tokens of value match word? */
static int
value_matches(const char *value, enum how how, const char *word)
{
	size_t wl = strlen(word);

	for (const char *p = value; *p != '\0'; ) {
		const char *t;
		size_t n, k;

		while (isspace((unsigned char)*p))
			p++;
		t = p;
		while (*p != '\0' && !isspace((unsigned char)*p))
			p++;
		n = (size_t)(p - t);
		if (n == 0)
			continue;
		k = webmail_prefix(t, n);
		t += k;
		n -= k;
		if ((how == EXACT && n == wl && strncasecmp(t, word, wl) == 0) ||
		    (how == PREFIX && n >= wl && strncasecmp(t, word, wl) == 0) ||
		    (how == CONTAINS && contains_ci(t, n, word)))
			return 1;
	}
	return 0;
}

static enum role
marker_role(const GumboElement *el)
{
	for (size_t i = 0; i < NELEM(MARKERS); i++) {
		const char *v = attr(el, MARKERS[i].attr);

		if (v != NULL && value_matches(v, MARKERS[i].how, MARKERS[i].word))
			return MARKERS[i].role;
	}
	return ROLE_NONE;
}

/* Does the CSS in s hold needle, ignoring white space and case ("border-top: solid #E1E1E1")? */
static int
style_has(const char *s, const char *needle)
{
	for (; *s != '\0'; s++) {
		const char *a = s, *b = needle;

		while (*b != '\0') {
			while (*a != '\0' && isspace((unsigned char)*a))
				a++;
			if (*a == '\0' || tolower((unsigned char)*a) != *b)
				break;
			a++;
			b++;
		}
		if (*b == '\0')
			return 1;
	}
	return 0;
}

/* Outlook's From/Sent header block: a div with a solid top border in one of Outlook's greys,
 * written with varying spaces ("border:none;border-top:solid #E1E1E1 1.0pt"). */
static int
outlook_header_style(const GumboElement *el)
{
	const char *s = attr(el, "style");

	return s != NULL && (style_has(s, "border-top:solid#e1e1e1") ||
	    style_has(s, "border-top:solid#b5c4df"));
}

/* A blockquote that draws the quote bar mail programs put beside a quote (in its style, or in
 * the data-mce-style copy TinyMCE-based webmails such as mail.ru keep). */
static int
has_quote_bar(const GumboElement *el)
{
	const char *names[] = { "style", "data-mce-style" };

	for (size_t i = 0; i < NELEM(names); i++) {
		const char *s = attr(el, names[i]);

		if (s != NULL && style_has(s, "border-left:") && !style_has(s, "border-left:none") &&
		    !style_has(s, "border-left:0"))
			return 1;
	}
	return 0;
}

/* Text of a bold label, bounded; 0 when it is longer than a label. */
static int
label_text(const GumboNode *node, struct buf *acc, int depth)
{
	if (depth > 8 || acc->len > LABEL_MAX)
		return 0;
	if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_WHITESPACE)
		return buf_adds(acc, node->v.text.text);
	if (node->type != GUMBO_NODE_ELEMENT)
		return 0;
	for (unsigned i = 0; i < node->v.element.children.length; i++)
		if (label_text(node->v.element.children.data[i], acc, depth + 1) < 0)
			return -1;
	return 0;
}

/* "From:", "Отправлено: ", "Enviado el:", "De :" — a short label of at most three words. */
static int
is_label(struct buf *acc, int *short_label)
{
	size_t n = acc->len, s = 0, words = 1, letters = 0;

	while (n > 0 && (isspace((unsigned char)acc->data[n - 1]) ||
	    (n >= 2 && (unsigned char)acc->data[n - 2] == 0xc2 &&
	    (unsigned char)acc->data[n - 1] == 0xa0)))
		n -= isspace((unsigned char)acc->data[n - 1]) ? 1 : 2;
	while (s < n && isspace((unsigned char)acc->data[s]))
		s++;
	if (n == 0 || n - s > LABEL_MAX || acc->data[n - 1] != ':')
		return 0;
	for (size_t i = s; i + 1 < n; i++) {
		unsigned char c = (unsigned char)acc->data[i];

		if (c == ' ' && i > s && acc->data[i - 1] != ' ')
			words++;
		else if (c == ':' || isdigit(c) || c == '@' || c == '<' || c == '>')
			return 0;
		else if (c != ' ' && (c < 0x80 || c >= 0xc0))
			letters++; /* one per character: UTF-8 continuation bytes not counted */
	}
	*short_label = letters < 2;
	return words <= 3 && letters > 0;
}

struct header_scan {
	size_t nodes;
	int started;        /* some content seen */
	int first_is_label; /* the first content was a bold label */
	int labels, short_labels;
	int address;        /* an '@' or a mailto: link */
	int time, year;     /* "10:15", "2027" */
	int failed;
};

static int
has_time(const char *s)
{
	for (; *s != '\0'; s++)
		if (isdigit((unsigned char)s[0]) && s[1] == ':' && isdigit((unsigned char)s[2]) &&
		    isdigit((unsigned char)s[3]))
			return 1;
	return 0;
}

/* A year of this or the last century standing alone ("2027", not "120271"). */
static int
has_year(const char *s)
{
	for (const char *p = s; *p != '\0'; p++)
		if ((p[0] == '1' && p[1] == '9') || (p[0] == '2' && p[1] == '0'))
			if (isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]) &&
			    !isdigit((unsigned char)p[4]) &&
			    (p == s || !isdigit((unsigned char)p[-1])))
				return 1;
	return 0;
}

static void
scan_header(const GumboNode *node, struct header_scan *hs, int depth)
{
	if (hs->failed || depth > 16 || ++hs->nodes > HEADER_SCAN_NODES)
		return;
	if (node->type == GUMBO_NODE_TEXT) {
		const char *t = node->v.text.text;

		hs->address |= strchr(t, '@') != NULL;
		hs->time |= has_time(t);
		hs->year |= has_year(t);
		if (!hs->started) {
			/* before the first label only a no-break space or a dashed separator
			 * ("-----Исходное сообщение-----") */
			while (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r' ||
			    ((unsigned char)t[0] == 0xc2 && (unsigned char)t[1] == 0xa0))
				t += *t == ' ' || *t == '\t' || *t == '\n' || *t == '\r' ? 1 : 2;
			if (*t == '\0' || strncmp(t, "--", 2) == 0 || strncmp(t, "__", 2) == 0)
				return;
		}
		hs->started = 1;
		return;
	}
	if (node->type != GUMBO_NODE_ELEMENT)
		return;
	if (node->v.element.tag == GUMBO_TAG_B || node->v.element.tag == GUMBO_TAG_STRONG) {
		struct buf acc = BUF_INIT;
		int is_short = 0;

		if (label_text(node, &acc, 0) < 0) {
			hs->failed = 1;
		} else if (is_label(&acc, &is_short)) {
			if (!hs->started)
				hs->first_is_label = 1;
			hs->labels++;
			hs->short_labels += is_short;
			hs->started = 1;
			buf_release(&acc);
			return;
		}
		buf_release(&acc);
	}
	if (node->v.element.tag == GUMBO_TAG_A) {
		const char *href = attr(&node->v.element, "href");

		if (href != NULL && strncasecmp(href, "mailto:", 7) == 0)
			hs->address = 1;
	}
	for (unsigned i = 0; i < node->v.element.children.length; i++)
		scan_header(node->v.element.children.data[i], hs, depth + 1);
}

/*
 * A mail header block written as HTML: a paragraph or div that starts with a bold "Label:" and
 * holds at least three of them (two of more than one letter, which the writer's bold "B:",
 * "K:", "C:" fields are not) and an address, or a date with a year and a time: the writer's
 * own bold "Kritiek:" fields hold neither as a rule. Outlook, Windows Mail and Zimbra write
 * From/Sent/To/Subject this way in every language, so no word list is needed.
 */
static int
header_block(const GumboNode *node)
{
	struct header_scan hs = { 0 };

	scan_header(node, &hs, 0);
	return !hs.failed && hs.first_is_label && hs.labels >= 3 &&
	    hs.labels - hs.short_labels >= 2 && (hs.address || (hs.time && hs.year));
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

static void
add_attrib(struct render *r, size_t start, size_t end, enum span_kind kind)
{
	if (r->failed || (start >= end && kind != SPAN_PROBE))
		return;
	if (r->nattrib == r->attrib_cap) {
		size_t cap = r->attrib_cap ? r->attrib_cap * 2 : 8;
		struct span *a = realloc(r->attrib, cap * sizeof(*a));

		if (a == NULL) {
			r->failed = 1;
			return;
		}
		r->attrib = a;
		r->attrib_cap = cap;
	}
	r->attrib[r->nattrib].start = start;
	r->attrib[r->nattrib].end = end;
	r->attrib[r->nattrib].kind = kind;
	r->nattrib++;
}

/*
 * Does d[start..end) look like an attribution: short, ending in ':' (or the full-width '：'),
 * or framed in dashes like Zoho's "---- On … wrote ---", with a digit or an '@' in it?
 */
static int
looks_like_attribution(const char *d, size_t start, size_t end)
{
	int evidence = 0;

	while (end > start && d[end - 1] == ' ')
		end--;
	if (end - start > ATTRIB_MAX_LINE || end - start < 2)
		return 0;
	if (d[end - 1] != ':' &&
	    !(end - start >= 3 && memcmp(d + end - 3, "\xef\xbc\x9a", 3) == 0) &&
	    !(d[start] == '-' && d[start + 1] == '-' && d[end - 1] == '-' && d[end - 2] == '-'))
		return 0;
	for (size_t i = start; i < end; i++)
		if (isdigit((unsigned char)d[i]) || d[i] == '@')
			evidence = 1;
	return evidence;
}

/*
 * A quote starts: is the last line written (above at most two blank lines) an unquoted
 * attribution (looks_like_attribution)? Then it is recorded, and 1 returned.
 */
static int
attribution_above(struct render *r)
{
	const char *d = r->out->data;
	size_t end = r->out->len, start;
	int blanks = 0;

	if (r->line_has_text)
		return 0; /* text on the same line: not a line of its own */
	for (;;) {
		while (end > 0 && d[end - 1] == '\n')
			end--, blanks++;
		if (blanks > 3 || end == 0)
			return 0;
		start = end;
		while (start > 0 && d[start - 1] != '\n')
			start--;
		if (!(end - start == 1 && d[start] == '>'))
			break;
		return 0; /* a quoted blank line: the line above belongs to another quote */
	}
	if (d[start] == '>' || !looks_like_attribution(d, start, end))
		return 0;
	/* already recorded (a marked attribution) */
	if (r->nattrib > 0 && r->attrib[r->nattrib - 1].end > start)
		return 1;
	add_attrib(r, start, end, SPAN_PLAIN);
	return 1;
}

/*
 * A reply header block starts: the line just above it, when it is a separator framed in
 * dashes or underscores ("-----Original Message-----", "------------------ 原始邮件
 * ------------------", Outlook's line of underscores), belongs to the earlier message too.
 */
static void
separator_above(struct render *r)
{
	const char *d = r->out->data;
	size_t end = r->out->len, start, lead = 0, tail = 0;
	int blanks = 0;

	while (end > 0 && d[end - 1] == '\n')
		end--, blanks++;
	if (blanks > 3 || end == 0)
		return;
	start = end;
	while (start > 0 && d[start - 1] != '\n')
		start--;
	while (end > start && d[end - 1] == ' ')
		end--;
	if (end - start > ATTRIB_MAX_LINE || d[start] == '>')
		return;
	while (start + lead < end && strchr("-_=*", d[start + lead]) != NULL)
		lead++;
	while (tail < end - start && strchr("-_=*", d[end - 1 - tail]) != NULL)
		tail++;
	if ((lead >= 2 && tail >= 2 && lead + tail < end - start) || lead == end - start) {
		if (lead >= 2 && (r->nattrib == 0 || r->attrib[r->nattrib - 1].end <= start))
			add_attrib(r, start, end, SPAN_PLAIN);
	}
}

/* The first line of text under node (to the first <br> or block after some text), white space
 * collapsed, at most ATTRIB_MAX_LINE bytes; 1 when complete, 0 when there is more, -1 ENOMEM. */
static int
first_line(const GumboNode *node, struct buf *acc, int depth, size_t *budget)
{
	if (depth > 32 || *budget == 0 || acc->len > ATTRIB_MAX_LINE)
		return 1;
	(*budget)--;
	if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_WHITESPACE) {
		for (const char *t = node->v.text.text; *t != '\0'; t++) {
			int space = isspace((unsigned char)*t);

			if (space && (acc->len == 0 || acc->data[acc->len - 1] == ' '))
				continue;
			if (buf_addch(acc, space ? ' ' : *t) < 0)
				return -1;
		}
		return 0;
	}
	if (node->type != GUMBO_NODE_ELEMENT || skipped(node->v.element.tag))
		return 0;
	if (acc->len > 0 && (node->v.element.tag == GUMBO_TAG_BR ||
	    is_block(node->v.element.tag) || is_para(node->v.element.tag)))
		return 1;
	for (unsigned i = 0; i < node->v.element.children.length; i++) {
		int r = first_line(node->v.element.children.data[i], acc, depth + 1, budget);

		if (r != 0)
			return r;
	}
	return 0;
}

/* Does the element's own first line look like an attribution ("On … wrote:" inside it)? */
static int
starts_with_attribution(struct render *r, const GumboNode *node)
{
	struct buf acc = BUF_INIT;
	size_t budget = 200;
	int yes;

	if (first_line(node, &acc, 0, &budget) < 0) {
		r->failed = 1;
		return 0;
	}
	yes = acc.len > 0 && looks_like_attribution(acc.data, 0, acc.len);
	buf_release(&acc);
	return yes;
}

static void walk(struct render *r, const GumboNode *node, int depth);
static void walk_flat(struct render *r, const GumboNode *node);

/* Where the line above starts when it is a "--" signature delimiter; NO_LINE when it is not. */
static size_t
sig_line_before(const struct render *r)
{
	const char *d = r->out->data;
	size_t end = r->out->len, start, line;

	while (end > 0 && d[end - 1] == '\n')
		end--;
	start = end;
	while (start > 0 && d[start - 1] != '\n')
		start--;
	line = start;
	if (start < end && d[start] == '>')
		start += end - start >= 2 && d[start + 1] == ' ' ? 2 : 1;
	while (end > start && d[end - 1] == ' ')
		end--;
	return end - start == 2 && d[start] == '-' && d[start + 1] == '-' ? line : NO_LINE;
}

/* Does the signature container's own text start with a "--" delimiter (Thunderbird's)? */
static int
starts_with_delimiter(const GumboNode *node, int depth, size_t *budget)
{
	if (depth > 16 || *budget == 0)
		return -1;
	(*budget)--;
	if (node->type == GUMBO_NODE_TEXT) {
		const char *t = node->v.text.text;

		while (*t == ' ' || *t == '\n' || *t == '\r' || *t == '\t')
			t++;
		return *t == '\0' ? 0 : strncmp(t, "--", 2) == 0 ? 1 : -1;
	}
	if (node->type != GUMBO_NODE_ELEMENT)
		return 0;
	for (unsigned i = 0; i < node->v.element.children.length; i++) {
		int r = starts_with_delimiter(node->v.element.children.data[i], depth + 1, budget);

		if (r != 0)
			return r;
	}
	return 0;
}

static void
walk_element(struct render *r, const GumboNode *node, int depth)
{
	const GumboElement *el = &node->v.element;
	GumboTag t = el->tag;
	int quotes = 0, para, block;
	enum role role;
	size_t attrib_start = 0, sig_start = NO_LINE;

	if (skipped(t))
		return;
	if (t == GUMBO_TAG_BR) {
		line_break(r);
		return;
	}
	role = marker_role(el);
	if (role == ROLE_NONE && !quoting(r) && (t == GUMBO_TAG_DIV || t == GUMBO_TAG_P)) {
		if (t == GUMBO_TAG_DIV && outlook_header_style(el))
			role = ROLE_REST;
		else if (header_block(node))
			role = ROLE_REST;
	}
	if (t == GUMBO_TAG_BLOCKQUOTE && role == ROLE_NONE) {
		const char *type = attr(el, "type");
		const char *cls = attr(el, "class");

		/* every marked blockquote (type=cite, a client's class) is a quote; an unmarked one
		 * only with a quote bar or an attribution above it */
		if ((type != NULL && strcasecmp(type, "cite") == 0) ||
		    (cls != NULL && (value_matches(cls, CONTAINS, "quote") ||
		    value_matches(cls, CONTAINS, "cite"))) || has_quote_bar(el))
			role = ROLE_QUOTE;
		else if (!quoting(r) && (attribution_above(r) || starts_with_attribution(r, node)))
			role = ROLE_QUOTE;
		else if (quoting(r))
			role = ROLE_QUOTE;
	}
	if (role == ROLE_QUOTE && !quoting(r))
		(void)attribution_above(r);
	if (role == ROLE_REST && !quoting(r)) {
		block_break(r);
		separator_above(r);
		r->rest_quoted = 1;
	}
	quotes = role == ROLE_QUOTE;

	/* Outlook writes every line as its own <p class=MsoNormal>: a line, not a paragraph */
	para = is_para(t) && !(t == GUMBO_TAG_P && attr(el, "class") != NULL &&
	    value_matches(attr(el, "class"), PREFIX, "MsoNormal"));
	block = para || is_block(t) || t == GUMBO_TAG_P || role == ROLE_ATTRIB ||
	    role == ROLE_SIG;

	/* the first line of a quote may be its attribution (Apple, Yahoo, Proton put it inside) */
	if (quotes && !quoting(r)) {
		block_break(r);
		add_attrib(r, r->out->len, r->out->len, SPAN_PROBE);
	}
	/* the quote starts before its leading blank line, so quote header and quote stay one
	 * block of "> " lines */
	r->quote += quotes;
	if (para)
		para_break(r);
	else if (block)
		block_break(r);
	if (role == ROLE_SIG) {
		size_t above = sig_line_before(r), budget = 64;

		if (r->in_sig == 0)
			sig_start = above != NO_LINE ? above : r->out->len;
		if (above == NO_LINE && starts_with_delimiter(node, 0, &budget) != 1) {
			begin_text(r);
			put(r, "--", 2);
			line_break(r);
			r->newlines = 2; /* no blank line between delimiter and signature */
		}
		r->in_sig++;
	}
	if (role == ROLE_ATTRIB && !quoting(r))
		attrib_start = r->out->len;
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
	if (role == ROLE_SIG) {
		r->in_sig--;
		block_break(r);
		/* only when no span was recorded inside it, so spans stay in order */
		if (sig_start != NO_LINE && !quoting(r) &&
		    (r->nattrib == 0 || r->attrib[r->nattrib - 1].end <= sig_start))
			add_attrib(r, sig_start, r->out->len, SPAN_SIG);
	}
	if (role == ROLE_ATTRIB && !quoting(r)) {
		block_break(r);
		add_attrib(r, attrib_start, r->out->len, SPAN_PLAIN);
	}
	/* end the quote's last line while inside it; the blank line after it is outside */
	if (quotes) {
		block_break(r);
		r->quote -= quotes;
	}
	/* Outlook's and webmails' empty line: <p class=MsoNormal>&nbsp;</p>, <div>&nbsp;</div> */
	if ((t == GUMBO_TAG_P || t == GUMBO_TAG_DIV) && !r->line_has_text && r->nbsp_line)
		blank_line(r);
	if (block)
		r->nbsp_line = 0;
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
	if (depth > HTML_MAX_DEPTH) {
		walk_flat(r, node);
		return;
	}
	switch (node->type) {
	case GUMBO_NODE_DOCUMENT:
		for (unsigned i = 0; i < node->v.document.children.length && !r->failed; i++)
			walk(r, node->v.document.children.data[i], depth + 1);
		break;
	case GUMBO_NODE_ELEMENT:
	case GUMBO_NODE_TEMPLATE:
		walk_element(r, node, depth);
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

/*
 * What lies deeper than HTML_MAX_DEPTH: its text, with a line break at each block, read with a
 * stack on the heap instead of recursion. Quote markers are not looked at down there; the
 * quoting state around it holds.
 */
static void
walk_flat(struct render *r, const GumboNode *top)
{
	const GumboNode **stack;
	size_t n = 0, cap = 64;

	if ((stack = malloc(cap * sizeof(*stack))) == NULL) {
		r->failed = 1;
		return;
	}
	stack[n++] = top;
	while (n > 0 && !r->failed) {
		const GumboNode *node = stack[--n];
		const GumboVector *kids;

		if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_CDATA ||
		    node->type == GUMBO_NODE_WHITESPACE) {
			text(r, node->v.text.text);
			continue;
		}
		if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE)
			continue;
		if (skipped(node->v.element.tag))
			continue;
		if (node->v.element.tag == GUMBO_TAG_BR || is_block(node->v.element.tag) ||
		    is_para(node->v.element.tag))
			block_break(r);
		kids = &node->v.element.children;
		if (n + kids->length > cap) {
			size_t ncap = (n + kids->length) * 2;
			const GumboNode **s = realloc(stack, ncap * sizeof(*s));

			if (s == NULL) {
				r->failed = 1;
				break;
			}
			stack = s;
			cap = ncap;
		}
		/* children in reverse, so the first comes off the stack first */
		for (unsigned i = kids->length; i > 0; i--)
			stack[n++] = kids->data[i - 1];
	}
	free(stack);
}

/* The first line of the quote that starts at span a, when it is an attribution. */
static void
resolve_probe(const struct buf *out, struct span *a)
{
	size_t s = a->start;

	a->kind = SPAN_NONE;
	while (s < out->len) {
		const char *nl = memchr(out->data + s, '\n', out->len - s);
		size_t e = nl != NULL ? (size_t)(nl - out->data) : out->len;

		if (e - s == 0 || (e - s == 1 && out->data[s] == '>')) {
			s = e + 1; /* blank lines before the quote's text */
			continue;
		}
		if (e - s > 2 && out->data[s] == '>' && out->data[s + 1] == ' ' &&
		    looks_like_attribution(out->data, s + 2, e)) {
			a->start = s;
			a->end = e;
			a->kind = SPAN_QUOTED;
		}
		return;
	}
}

/*
 * An attribution belongs to its quote when nothing the writer wrote follows (a top-post): it is
 * quoted. When the writer answered below or between the quotes, it stands unquoted, so trim
 * sees a quote header and reads the reply as inline. A marked signature keeps its "--" line
 * (trim cuts from there) when nothing the writer wrote follows; when something does, the
 * signature alone is taken out, so that trim does not cut the writer's text below it. One pass
 * from the end decides, one pass from the start rewrites.
 */
static int
finish_attributions(struct render *r)
{
	struct buf *out = r->out, res = BUF_INIT;
	unsigned char *quote;
	size_t pos, k;
	int text_after = 0;

	if (r->nattrib == 0)
		return 0;
	if ((quote = calloc(r->nattrib, 1)) == NULL)
		return -1;
	for (k = 0; k < r->nattrib; k++)
		if (r->attrib[k].kind == SPAN_PROBE)
			resolve_probe(out, &r->attrib[k]);
	/* from the end: is there a line of the writer's own after each attribution? */
	k = r->nattrib;
	pos = out->len;
	while (pos > 0) {
		size_t end = pos, start;
		int attrib_line = 0;

		if (end > 0 && out->data[end - 1] == '\n')
			end--;
		start = end;
		while (start > 0 && out->data[start - 1] != '\n')
			start--;
		while (k > 0 && r->attrib[k - 1].start >= start) {
			k--;
			quote[k] = !text_after;
			attrib_line |= r->attrib[k].kind != SPAN_NONE;
		}
		if (attrib_line || (k > 0 && r->attrib[k - 1].kind != SPAN_NONE &&
		    r->attrib[k - 1].end > start)) {
			/* a line of an attribution: not the writer's text */
		} else if (end - start == 2 && memcmp(out->data + start, "--", 2) == 0) {
			text_after = 0; /* trim drops a signature and all below it */
		} else if (end > start && out->data[start] != '>') {
			text_after = 1;
		}
		pos = start;
	}
	while (k > 0) {
		k--;
		quote[k] = !text_after;
	}
	/* rewrite: "> " before the lines of plain attributions to quote, taken off the quoted
	 * ones the writer's text follows */
	pos = 0;
	for (k = 0; k < r->nattrib && !buf_failed(&res); k++) {
		const struct span *a = &r->attrib[k];
		size_t s = a->start;

		if (a->kind == SPAN_QUOTED && !quote[k]) {
			buf_put(&res, out->data + pos, s - pos);
			pos = s + 2;
			continue;
		}
		if (a->kind == SPAN_SIG) {
			if (!quote[k]) { /* text follows: the signature goes */
				buf_put(&res, out->data + pos, s - pos);
				pos = a->end;
			}
			continue;
		}
		if (a->kind != SPAN_PLAIN || !quote[k])
			continue;
		while (s < a->end) {
			const char *nl = memchr(out->data + s, '\n', a->end - s);
			size_t e = nl != NULL ? (size_t)(nl - out->data) + 1 : a->end;

			buf_put(&res, out->data + pos, s - pos);
			buf_put(&res, e - s > 1 ? "> " : ">", e - s > 1 ? 2 : 1);
			pos = s;
			s = e;
		}
	}
	buf_put(&res, out->data + pos, out->len - pos);
	free(quote);
	if (buf_failed(&res)) {
		buf_release(&res);
		return -1;
	}
	buf_reset(out);
	if (buf_add(out, res.data, res.len) < 0) {
		buf_release(&res);
		return -1;
	}
	buf_release(&res);
	return 0;
}

int
message_html_to_text(const char *html, size_t len, struct buf *out)
{
	GumboOptions opt = kGumboDefaultOptions;
	GumboOutput *doc;
	struct buf own = BUF_INIT;
	struct render r = { .out = &own };
	size_t tags = 0, n;
	int rc = -1;

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
	if (r.failed || finish_attributions(&r) < 0)
		goto out;
	/* no blank or empty quote lines at the end */
	while (own.len > 0 && (own.data[own.len - 1] == '\n' ||
	    (own.data[own.len - 1] == '>' && (own.len == 1 || own.data[own.len - 2] == '\n'))))
		buf_truncate(&own, own.len - 1);
	if (own.len > 0 && buf_addch(&own, '\n') < 0)
		goto out;
	if (buf_add(out, own.data, own.len) < 0)
		goto out;
	rc = 0;
out:
	free(r.attrib);
	buf_release(&own);
	return rc;
}
