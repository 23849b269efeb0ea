/*
 * authres — read Authentication-Results (RFC 8601) and decide whether a sender passed. See
 * include/authres.h for what counts and why.
 *
 * The parser walks the grammar of RFC 8601 section 2.2 over a bounded string with one cursor:
 *   authserv-id [CFWS version] ( "; none" / 1*( ";" method[/version] "=" result
 *   ["reason=" value] *( ptype "." property "=" pvalue ) ) )
 * (also read, and dropped: other "keyword=value" after a result, such as Microsoft's
 * "action=none", so a real header is not refused for them)
 * where a value is an RFC 2045 token or a quoted string, CFWS may hold nested comments, and a
 * pvalue may also be [local-part] "@" domain. Every step consumes input or fails, so every
 * loop ends; a header that does not fit is refused whole (fail closed).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authres.h"
#include "banned.h"

struct cur {
	const char *s;
	size_t len, pos;
};

static int
at_end(const struct cur *c)
{
	return c->pos >= c->len;
}

static int
peek(const struct cur *c)
{
	return at_end(c) ? -1 : (unsigned char)c->s[c->pos];
}

/* Comments "( ... )" nest; a backslash quotes the next character. 0, or 1 when unterminated
 * or nested too deep. */
static int
skip_cfws(struct cur *c)
{
	while (!at_end(c)) {
		int ch = peek(c);

		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
			c->pos++;
		} else if (ch == '(') {
			int depth = 0;

			do {
				if (at_end(c))
					return 1;
				ch = peek(c);
				if (ch == '\\' && c->pos + 1 < c->len)
					c->pos++;
				else if (ch == '(' && ++depth > AUTHRES_MAX_DEPTH)
					return 1;
				else if (ch == ')')
					depth--;
				c->pos++;
			} while (depth > 0);
		} else {
			break;
		}
	}
	return 0;
}

/* RFC 2045 token characters: printable ASCII but not SPACE or tspecials. */
static int
token_char(int ch)
{
	return ch > 0x20 && ch < 0x7f && strchr("()<>@,;:\\\"/[]?=", ch) == NULL;
}

/* RFC 5321 Keyword: letters, digits, hyphens (and "_", which real servers write). */
static int
keyword_char(int ch)
{
	return ch >= 0 && ch < 0x80 && (isalnum(ch) || ch == '-' || ch == '_');
}

static char *
dup_range(const char *s, size_t n, int lower)
{
	char *d = malloc(n + 1);

	if (d == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		d[i] = lower ? (char)tolower((unsigned char)s[i]) : s[i];
	d[n] = '\0';
	return d;
}

/* A Keyword into *out (lowercased). 0, 1 when there is none, -1 out of memory. */
static int
read_keyword(struct cur *c, char **out)
{
	size_t start = c->pos;

	while (!at_end(c) && keyword_char(peek(c)))
		c->pos++;
	if (c->pos == start)
		return 1;
	*out = dup_range(c->s + start, c->pos - start, 1);
	return *out == NULL ? -1 : 0;
}

/* A quoted string (quotes removed, quoted pairs unquoted) into out. 0, 1 unterminated. */
static int
read_quoted(struct cur *c, struct buf *out)
{
	c->pos++; /* the opening quote */
	while (!at_end(c)) {
		int ch = peek(c);

		c->pos++;
		if (ch == '"')
			return 0;
		if (ch == '\\') {
			if (at_end(c))
				return 1;
			ch = peek(c);
			c->pos++;
		}
		if (buf_addch(out, (char)ch) < 0)
			return -1;
	}
	return 1;
}

/* value = token / quoted-string. 0, 1 when there is none, -1 out of memory. */
static int
read_value(struct cur *c, struct buf *out)
{
	size_t start = c->pos;

	if (peek(c) == '"')
		return read_quoted(c, out);
	while (!at_end(c) && token_char(peek(c)))
		c->pos++;
	if (c->pos == start)
		return 1;
	return buf_add(out, c->s + start, c->pos - start) < 0 ? -1 : 0;
}

/* pvalue = value / [local-part] "@" domain-name: a quoted local part, or a run of the
 * characters addresses, domains and base64 signatures use. */
static int
read_pvalue(struct cur *c, struct buf *out)
{
	size_t start;
	int rc;

	if (peek(c) == '"') {
		if ((rc = read_quoted(c, out)) != 0)
			return rc;
		if (peek(c) != '@')
			return 0;
	}
	start = c->pos;
	while (!at_end(c) && (token_char(peek(c)) || peek(c) == '@' || peek(c) == '/' ||
	    peek(c) == '=' || peek(c) == ':' || peek(c) == '[' || peek(c) == ']'))
		c->pos++;
	if (c->pos == start && out->len == 0)
		return 1;
	return buf_add(out, c->s + start, c->pos - start) < 0 ? -1 : 0;
}

static void
result_release(struct authres_result *r)
{
	free(r->method);
	free(r->result);
	for (size_t i = 0; i < r->nprops; i++) {
		free(r->props[i].ptype);
		free(r->props[i].property);
		free(r->props[i].value);
	}
	memset(r, 0, sizeof(*r));
}

void
authres_release(struct authres *ar)
{
	if (ar == NULL)
		return;
	free(ar->authserv_id);
	for (size_t i = 0; i < ar->nresults; i++)
		result_release(&ar->results[i]);
	memset(ar, 0, sizeof(*ar));
}

/* Skip an optional "/ version" or a bare version: digits. */
static void
skip_digits(struct cur *c)
{
	while (!at_end(c) && isdigit(peek(c)))
		c->pos++;
}

/* One resinfo after its ";": methodspec [reasonspec] *propspec. 0, 1 syntax, -1 memory. */
static int
read_resinfo(struct cur *c, struct authres_result *r)
{
	struct buf v = BUF_INIT;
	int rc;

	if ((rc = read_keyword(c, &r->method)) != 0)
		return rc;
	if (skip_cfws(c))
		return 1;
	if (peek(c) == '/') {
		c->pos++;
		if (skip_cfws(c) || !isdigit(peek(c)))
			return 1;
		skip_digits(c);
		if (skip_cfws(c))
			return 1;
	}
	if (peek(c) != '=')
		return 1;
	c->pos++;
	if (skip_cfws(c))
		return 1;
	if ((rc = read_keyword(c, &r->result)) != 0)
		return rc;
	if (skip_cfws(c))
		return 1;
	rc = 0;
	while (rc == 0 && !at_end(c) && peek(c) != ';') {
		char *word = NULL, *property = NULL;
		struct authres_prop *p;

		if ((rc = read_keyword(c, &word)) != 0)
			break;
		if (skip_cfws(c)) {
			free(word);
			rc = 1;
			break;
		}
		if (peek(c) == '=') {
			/* reasonspec ("reason=…"), and "action=none" that Microsoft writes outside
			 * the grammar: read and dropped, neither is part of the verdict */
			free(word);
			c->pos++;
			buf_reset(&v);
			rc = skip_cfws(c) ? 1 : read_pvalue(c, &v);
			if (rc == 0 && skip_cfws(c))
				rc = 1;
			continue;
		}
		if (peek(c) != '.' || r->nprops == AUTHRES_MAX_PROPS) {
			free(word);
			rc = 1;
			break;
		}
		c->pos++;
		rc = skip_cfws(c) ? 1 : read_keyword(c, &property);
		if (rc == 0 && (skip_cfws(c) || peek(c) != '='))
			rc = 1;
		if (rc == 0) {
			c->pos++;
			buf_reset(&v);
			rc = skip_cfws(c) ? 1 : read_pvalue(c, &v);
			if (rc == 0 && skip_cfws(c))
				rc = 1;
		}
		if (rc != 0) {
			free(word);
			free(property);
			break;
		}
		p = &r->props[r->nprops++];
		p->ptype = word;
		p->property = property;
		p->value = dup_range(v.data ? v.data : "", v.len, 0);
		if (p->value == NULL)
			rc = -1;
	}
	buf_release(&v);
	return rc;
}

int
authres_parse(const char *value, size_t len, struct authres *out)
{
	struct cur c = { value, len, 0 };
	struct buf id = BUF_INIT;
	int rc = 1;

	memset(out, 0, sizeof(*out));
	if (value == NULL || len > AUTHRES_MAX_LEN || memchr(value, '\0', len) != NULL)
		return 1;
	if (skip_cfws(&c))
		goto syntax;
	if ((rc = read_value(&c, &id)) != 0)
		goto fail;
	if (id.len == 0)
		goto syntax;
	for (size_t i = 0; i < id.len; i++)
		id.data[i] = (char)tolower((unsigned char)id.data[i]);
	out->authserv_id = buf_detach(&id, NULL);
	if (out->authserv_id == NULL) {
		rc = -1;
		goto fail;
	}
	if (skip_cfws(&c))
		goto syntax;
	if (isdigit(peek(&c))) {
		skip_digits(&c);
		if (skip_cfws(&c))
			goto syntax;
	}
	while (!at_end(&c)) {
		struct authres_result *r;

		if (peek(&c) != ';')
			goto syntax;
		c.pos++;
		if (skip_cfws(&c))
			goto syntax;
		if (at_end(&c))
			break; /* a trailing ";" */
		if (out->nresults == 0 && c.len - c.pos >= 4 &&
		    strncasecmp(c.s + c.pos, "none", 4) == 0 &&
		    (c.pos + 4 == c.len || !keyword_char((unsigned char)c.s[c.pos + 4]))) {
			/* "; none": the server checked nothing (RFC 8601 no-result) */
			c.pos += 4;
			if (skip_cfws(&c) || !at_end(&c))
				goto syntax;
			break;
		}
		if (out->nresults == AUTHRES_MAX_RESULTS)
			goto syntax;
		r = &out->results[out->nresults++];
		if ((rc = read_resinfo(&c, r)) != 0)
			goto fail;
	}
	return 0;
syntax:
	rc = 1;
fail:
	buf_release(&id);
	authres_release(out);
	return rc;
}

const char *
authres_prop(const struct authres_result *r, const char *ptype, const char *property)
{
	for (size_t i = 0; i < r->nprops; i++)
		if (strcasecmp(r->props[i].ptype, ptype) == 0 &&
		    strcasecmp(r->props[i].property, property) == 0)
			return r->props[i].value;
	return NULL;
}

int
authres_trusted(const char *list, const char *host)
{
	size_t hl = host != NULL ? strlen(host) : 0;

	if (list == NULL || hl == 0)
		return 0;
	for (const char *p = list; *p != '\0';) {
		size_t n;

		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, ", \t");
		if (n == hl && strncasecmp(p, host, n) == 0)
			return 1;
		p += n;
	}
	return 0;
}

/* 1 when sub is parent or a subdomain of it ("mail.example.nl" of "example.nl"). */
static int
under(const char *sub, const char *parent)
{
	size_t s = strlen(sub), p = strlen(parent);

	if (s == p)
		return strcasecmp(sub, parent) == 0;
	return s > p && sub[s - p - 1] == '.' && strcasecmp(sub + s - p, parent) == 0;
}

/* Relaxed alignment without the public suffix list (see authres.h). */
static int
dkim_aligned(const char *d, const char *from)
{
	return strcasecmp(d, from) == 0 || (strchr(d, '.') != NULL && under(from, d)) ||
	    (strchr(from, '.') != NULL && under(d, from));
}

/* The domain a result speaks for: dmarc's header.from, dkim's header.d or header.i's. */
static const char *
result_domain(const struct authres_result *r, int dmarc)
{
	const char *d;

	if (dmarc)
		return authres_prop(r, "header", "from");
	if ((d = authres_prop(r, "header", "d")) != NULL)
		return d;
	if ((d = authres_prop(r, "header", "i")) != NULL)
		return strchr(d, '@') != NULL ? strrchr(d, '@') + 1 : d;
	return NULL;
}

int
authres_check(const struct fb_message *msg, const char *trusted, const char *method,
    struct buf *why)
{
	struct buf pass = BUF_INIT, against = BUF_INIT;
	const char *at = msg->from.addr != NULL ? strrchr(msg->from.addr, '@') : NULL;
	const char *from = at != NULL ? at + 1 : NULL;
	int dmarc = strcmp(method, "dmarc") == 0, seen = 0, rc = 0;

	if (from == NULL) {
		if (why != NULL)
			buf_puts(why, "no usable From address to check");
		return why != NULL && buf_failed(why) ? -1 : 0;
	}
	for (size_t i = 0; i < msg->nheaders; i++) {
		const struct message_header *h = &msg->headers[i];
		struct authres ar;
		int prc;

		if (strcasecmp(h->name, "Authentication-Results") != 0)
			continue;
		prc = authres_parse(h->value, strlen(h->value), &ar);
		if (prc < 0) {
			rc = -1;
			goto out;
		}
		if (prc > 0 || !authres_trusted(trusted, ar.authserv_id)) {
			authres_release(&ar);
			continue;
		}
		seen = 1;
		for (size_t k = 0; k < ar.nresults; k++) {
			const struct authres_result *r = &ar.results[k];
			const char *d = result_domain(r, dmarc);
			int aligned = d != NULL && (dmarc ? strcasecmp(d, from) == 0 :
			    dkim_aligned(d, from));

			if (strcmp(r->method, method) != 0)
				continue;
			if (strcmp(r->result, "pass") == 0 && aligned) {
				if (pass.len == 0)
					buf_putf(&pass, "%s=pass %s=%s (%s)", method,
					    dmarc ? "header.from" : "header.d", d, ar.authserv_id);
			} else if (d == NULL || aligned || dmarc) {
				/* dmarc speaks for the From domain: any other answer is against */
				if (against.len == 0)
					buf_putf(&against, "%s=%s for %s%s%s (%s)", method, r->result,
					    d != NULL ? d : from, aligned || d == NULL ? "" :
					    ", not the From domain ", aligned || d == NULL ? "" : from,
					    ar.authserv_id);
			}
		}
		authres_release(&ar);
	}
	if (against.len > 0) {
		if (why != NULL)
			buf_put(why, against.data, against.len);
	} else if (pass.len > 0) {
		if (why != NULL)
			buf_put(why, pass.data, pass.len);
		rc = 1;
	} else if (why != NULL) {
		if (!seen)
			buf_putf(why, "no Authentication-Results header from %s", trusted);
		else
			buf_putf(why, "no %s=pass for %s (%s)", method, from, trusted);
	}
	if (buf_failed(&pass) || buf_failed(&against) || (why != NULL && buf_failed(why)))
		rc = -1;
out:
	buf_release(&pass);
	buf_release(&against);
	return rc;
}
