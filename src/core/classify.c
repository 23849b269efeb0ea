/*
 * classify — bounce, iTIP, auto-reply, reply or new, with reasons (see classify.h for the
 * order and what each kind means).
 *
 * Bounce notices come in many shapes; the tables below list the wordings of the mail servers
 * we know, so a new one is one line. Recipient and status are read from the RFC 3464 report
 * when there is one, else from the notice's text with bounded scans.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "classify.h"
#include "banned.h"

/* Wordings that only delivery failure notices use (searched in the text, case-insensitive). */
static const char *const BOUNCE_BODY[] = {
	"This is the qmail-send program",
	"This message was created automatically by mail delivery software",
	"Delivery has failed to these recipients",
	"Your message to these recipients could not be delivered",
	"could not be delivered to one or more recipients",
	"Your message couldn't be delivered",
	"Your message wasn't delivered",
	"Delivery to the following recipient failed",
	"Delivery to the following recipients failed",
	"The following addresses had permanent fatal errors",
	"I'm sorry to have to inform you that your message could not",
	"I'm afraid I wasn't able to deliver your message",
	"The mail system will continue delivery attempts",
	"The original message was received at",
	"Your message could not be delivered to",
	"Hi. This is the deliver program",
	"Message delivery has failed",
	"Delivery to the following recipients has been delayed",
	"Your message did not reach some or all of the intended recipients",
	"This is an automatically generated Delivery Status Notification",
	"Mail delivery to the following recipients failed",
	"Sorry, we were unable to deliver your message",
	"has not yet been delivered. It has been queued",
	"Address not found",
};

/* Subjects of failure notices (searched anywhere in the subject, case-insensitive). */
static const char *const BOUNCE_SUBJECT[] = {
	"Undeliverable:", "Undeliverable mail", "Undelivered Mail Returned to Sender",
	"Delivery Status Notification (Failure)", "Delivery Status Notification (Delay)",
	"Returned mail:", "Mail delivery failed", "failure notice", "Delivery failure",
	"Mail System Error", "Delivery Notification: Delivery has failed", "Onbestelbaar:",
	"Onbestelbaar bericht", "Niet bezorgd", "Unzustellbar:", "Non remis", "Message not delivered",
	"Warning: could not send message", "Delayed Mail", "Undeliverable Message",
	"Mail could not be delivered", "DELIVERY FAILURE",
	"Delivery status notification: error", "Delivery status notification: warning",
	"Delivery status notification: delayed", "mail failed, returning to sender",
	"Postfix SMTP server: errors from",
};

/* Wording that says the failure is temporary (→ 4.0.0 when no status is given). */
static const char *const BOUNCE_DELAYED[] = {
	"delayed", "will retry", "will continue delivery attempts", "still trying",
	"has not yet been delivered", "temporary failure", "temporarily",
};

/* Subjects of out-of-office answers (the subject starts with one, case-insensitive). */
static const char *const AUTO_SUBJECT_START[] = {
	"Out of Office", "Out of the Office", "Automatic reply", "Auto reply", "AutoReply",
	"Auto-Reply", "Auto:", "Automatisch antwoord", "Automatisch beantwoord", "Afwezig",
	"Niet aanwezig", "Niet op kantoor", "Autosvar", "Automatische Antwort",
	"Abwesenheitsnotiz", "Réponse automatique", "Absence", "Vacation", "Away from",
	"On vacation", "I am out of the office", "I'm out of the office", "Automatiskt svar",
};

/* Headers whose mere presence marks an automatic message. */
static const char *const AUTO_HEADERS[] = {
	"X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-MS-Exchange-Inbox-Rules-Loop",
	"X-MS-Exchange-Generated-Message-Source", "List-Id", "List-Unsubscribe",
};

static const char *const ITIP_METHODS[] = { "REPLY", "COUNTER", "REQUEST", "CANCEL" };

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *
classify_kind_name(enum classify_kind kind)
{
	switch (kind) {
	case CLASSIFY_REPLY: return "reply";
	case CLASSIFY_NEW: return "new";
	case CLASSIFY_AUTO_REPLY: return "auto_reply";
	case CLASSIFY_BOUNCE: return "bounce";
	case CLASSIFY_ITIP: return "itip";
	case CLASSIFY_COMPLAINT: return "complaint";
	default: return "unknown";
	}
}

int
classify_add_reason(struct classify_result *r, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	int rc;

	if (r->nreasons >= CLASSIFY_MAX_REASONS)
		return 0;
	va_start(ap, fmt);
	rc = buf_vaddf(&b, fmt, ap);
	va_end(ap);
	/* reasons quote outside text: keep them to one short line */
	if (b.len > 200)
		buf_truncate(&b, 200);
	for (size_t i = 0; i < b.len; i++)
		if (b.data[i] == '\n' || b.data[i] == '\r')
			b.data[i] = ' ';
	if (rc < 0 || (r->reasons[r->nreasons] = buf_detach(&b, NULL)) == NULL) {
		buf_release(&b);
		return -1;
	}
	r->nreasons++;
	return 0;
}

void
classify_result_release(struct classify_result *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nreasons; i++)
		free(r->reasons[i]);
	free(r->bounce.recipient);
	itip_info_release(&r->itip);
	memset(r, 0, sizeof(*r));
}

/* Case-insensitive strstr (the libc one is a GNU extension). */
static const char *
ci_strstr(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	int first = tolower((unsigned char)needle[0]);

	for (const char *p = hay; *p != '\0'; p++)
		if (tolower((unsigned char)*p) == first && strncasecmp(p, needle, n) == 0)
			return p;
	return NULL;
}

static const char *
find_any(const char *hay, const char *const *needles, size_t n)
{
	if (hay == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (ci_strstr(hay, needles[i]) != NULL)
			return needles[i];
	return NULL;
}

/* The value of the first line "name: value" in text (name case-insensitive, at the start of a
 * line), trimmed, into out; 1 when found. */
static int
text_field(const char *text, const char *name, struct buf *out)
{
	size_t nl = strlen(name);

	buf_reset(out);
	for (const char *p = text; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		const char *v, *e;

		if (*p == '\n')
			p++;
		if (strncasecmp(p, name, nl) != 0)
			continue;
		v = p + nl;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v != ':')
			continue;
		v++;
		while (*v == ' ' || *v == '\t')
			v++;
		e = strchr(v, '\n');
		if (e == NULL)
			e = v + strlen(v);
		while (e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if (buf_add(out, v, (size_t)(e - v)) < 0)
			return -1;
		return 1;
	}
	return 0;
}

/* The first RFC 3463 status "4.x.y" / "5.x.y" standing on its own in s, into out. */
static int
find_status(const char *s, char out[16])
{
	for (const char *p = s; p != NULL && *p != '\0'; p++) {
		size_t i = 1, d;

		if ((*p != '4' && *p != '5') || p[1] != '.')
			continue;
		if (p != s && (isalnum((unsigned char)p[-1]) || p[-1] == '.'))
			continue;
		for (int part = 0; part < 2; part++) {
			if (p[i] != '.')
				goto next;
			i++;
			for (d = 0; d < 3 && isdigit((unsigned char)p[i]); d++)
				i++;
			if (d == 0)
				goto next;
		}
		if (isalnum((unsigned char)p[i]) || (p[i] == '.' && isdigit((unsigned char)p[i + 1])))
			continue;
		memcpy(out, p, i);
		out[i] = '\0';
		return 1;
next:
		;
	}
	return 0;
}

static int
addr_char(int c)
{
	return isalnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' || c == '=';
}

static int
daemon_local(const char *a, size_t n)
{
	return (n >= 13 && strncasecmp(a, "mailer-daemon", 13) == 0) ||
	    (n >= 10 && strncasecmp(a, "postmaster", 10) == 0);
}

/* The first address-looking "local@domain.tld" in text that is not a mail daemon's own. */
static int
find_address(const char *text, struct buf *out)
{
	buf_reset(out);
	for (const char *at = text ? strchr(text, '@') : NULL; at != NULL; at = strchr(at + 1, '@')) {
		const char *b = at, *e = at + 1;
		int dot = 0;

		while (b > text && addr_char((unsigned char)b[-1]) && at - b < 128)
			b--;
		while (addr_char((unsigned char)*e) && e - at < 256) {
			if (*e == '.')
				dot = 1;
			e++;
		}
		while (e > at + 1 && e[-1] == '.')
			e--;
		if (b == at || e == at + 1 || !dot || daemon_local(b, (size_t)(at - b)))
			continue;
		if (buf_add(out, b, (size_t)(e - b)) < 0)
			return -1;
		for (size_t i = 0; i < out->len; i++)
			out->data[i] = (char)tolower((unsigned char)out->data[i]);
		return 1;
	}
	return 0;
}

/* The failed recipient from a report field or X-Failed-Recipients ("rfc822; user@example.org",
 * "<user@example.org>", a quoted local part): taken as written, not scanned for. */
static int
set_recipient_field(struct classify_result *r, const char *s)
{
	const char *b, *e;
	struct buf a = BUF_INIT;

	if (strchr(s, ';') != NULL)
		s = strchr(s, ';') + 1;
	while (*s == ' ' || *s == '\t' || *s == '<')
		s++;
	b = s;
	for (e = b; *e != '\0' && *e != '>' && *e != ',' && *e != ' ' && e - b < 320; e++)
		;
	if (memchr(b, '@', (size_t)(e - b)) == NULL || e[-1] == '@' || *b == '@')
		return 0;
	if (buf_add(&a, b, (size_t)(e - b)) < 0)
		return -1;
	for (size_t i = 0; i < a.len; i++)
		a.data[i] = (char)tolower((unsigned char)a.data[i]);
	free(r->bounce.recipient);
	r->bounce.recipient = buf_detach(&a, NULL);
	return r->bounce.recipient != NULL ? 1 : -1;
}

/* The failed recipient found by scanning free text for an address. */
static int
set_recipient(struct classify_result *r, const char *s)
{
	struct buf a = BUF_INIT;
	int rc;

	rc = find_address(s, &a);
	if (rc == 1) {
		free(r->bounce.recipient);
		r->bounce.recipient = buf_detach(&a, NULL);
		return r->bounce.recipient != NULL ? 1 : -1;
	}
	buf_release(&a);
	return rc;
}

/* Is this a bounce, and which of our signs says so? Returns the reason, or NULL. */
static int
bounce_reason(const struct fb_message *m, struct classify_result *r)
{
	const char *hit, *from = m->from.addr;
	int daemon = from != NULL && daemon_local(from, strlen(from));
	int null_sender = m->return_path != NULL && strcmp(m->return_path, "<>") == 0;

	if (m->content_type != NULL && strcmp(m->content_type, "multipart/report") == 0 &&
	    m->report_type != NULL && strcmp(m->report_type, "delivery-status") == 0)
		return classify_add_reason(r, "multipart/report; report-type=delivery-status") < 0 ?
		    -1 : 1;
	if (m->delivery_status != NULL)
		return classify_add_reason(r, "message/delivery-status part") < 0 ? -1 : 1;
	if (message_header(m, "X-Failed-Recipients") != NULL)
		return classify_add_reason(r, "X-Failed-Recipients header") < 0 ? -1 : 1;
	if ((hit = find_any(m->text, BOUNCE_BODY, NELEM(BOUNCE_BODY))) != NULL)
		return classify_add_reason(r, "delivery failure text \"%s\"", hit) < 0 ? -1 : 1;
	hit = find_any(m->subject, BOUNCE_SUBJECT, NELEM(BOUNCE_SUBJECT));
	if (hit != NULL && (daemon || null_sender || message_header(m, "Auto-Submitted") != NULL ||
	    m->original_headers != NULL))
		return classify_add_reason(r, "delivery failure subject \"%s\"", hit) < 0 ? -1 : 1;
	if (daemon && (null_sender || hit != NULL || m->original_headers != NULL))
		return classify_add_reason(r, "sent by %s with a null Return-Path", from) < 0 ? -1 : 1;
	return 0;
}

static int
read_bounce(const struct fb_message *m, struct classify_result *r)
{
	struct buf v = BUF_INIT;
	int rc = 0;
	const char *x;

	if (m->delivery_status != NULL) {
		if ((rc = text_field(m->delivery_status, "Final-Recipient", &v)) == 1 ||
		    (rc = text_field(m->delivery_status, "Original-Recipient", &v)) == 1)
			rc = set_recipient_field(r, v.data);
		if (rc >= 0 && text_field(m->delivery_status, "Status", &v) == 1)
			find_status(v.data, r->bounce.status);
		if (rc >= 0 && r->bounce.status[0] == '\0' &&
		    text_field(m->delivery_status, "Action", &v) == 1 &&
		    strcasecmp(v.data, "delayed") == 0)
			memcpy(r->bounce.status, "4.0.0", 6);
	}
	if (rc >= 0 && r->bounce.recipient == NULL &&
	    (x = message_header(m, "X-Failed-Recipients")) != NULL)
		rc = set_recipient_field(r, x);
	/* reports that reached us as text (a broken MIME structure, a forwarded notice) */
	if (rc >= 0 && r->bounce.recipient == NULL &&
	    ((rc = text_field(m->text, "Final-Recipient", &v)) == 1 ||
	    (rc = text_field(m->text, "Original-Recipient", &v)) == 1))
		rc = set_recipient_field(r, v.data);
	if (rc >= 0 && r->bounce.status[0] == '\0' && m->delivery_status == NULL &&
	    text_field(m->text, "Status", &v) == 1)
		find_status(v.data, r->bounce.status);
	if (rc >= 0 && r->bounce.recipient == NULL)
		rc = set_recipient(r, m->text);
	if (rc >= 0 && r->bounce.recipient == NULL && m->original_headers != NULL &&
	    text_field(m->original_headers, "To", &v) == 1)
		rc = set_recipient(r, v.data);
	if (rc >= 0 && r->bounce.status[0] == '\0' && m->delivery_status != NULL)
		find_status(m->delivery_status, r->bounce.status);
	if (rc >= 0 && r->bounce.status[0] == '\0')
		find_status(m->text, r->bounce.status);
	if (rc >= 0 && r->bounce.status[0] == '\0') {
		const char *d = find_any(m->text, BOUNCE_DELAYED, NELEM(BOUNCE_DELAYED));

		if (d == NULL)
			d = find_any(m->subject, BOUNCE_DELAYED, NELEM(BOUNCE_DELAYED));
		memcpy(r->bounce.status, d != NULL ? "4.0.0" : "5.0.0", 6);
		rc = classify_add_reason(r, "no status given: %s", d != NULL ?
		    "the notice says it will retry (4.0.0)" : "a failure notice (5.0.0)");
	}
	r->bounce.permanent = r->bounce.status[0] == '5';
	buf_release(&v);
	return rc < 0 ? -1 : 0;
}

static int
is_itip(const struct fb_message *m, struct classify_result *r, struct fb_error *err)
{
	for (size_t i = 0; i < m->ncalendars; i++) {
		const struct message_calendar *c = &m->calendars[i];
		struct itip_info info;
		const char *method;
		struct fb_error e;

		if (itip_read(c->data, c->len, &info, &e) < 0) {
			itip_info_release(&info);
			continue;
		}
		method = c->method != NULL ? c->method : info.method;
		for (size_t k = 0; method != NULL && k < NELEM(ITIP_METHODS); k++) {
			if (strcmp(method, ITIP_METHODS[k]) != 0)
				continue;
			if (info.method == NULL && (info.method = strdup(method)) == NULL) {
				itip_info_release(&info);
				return fb_error_set(err, "out of memory");
			}
			r->itip = info;
			if (classify_add_reason(r, c->method != NULL ? "%s; method=%s" :
			    "%s with METHOD:%s inside", c->content_type, method) < 0)
				return fb_error_set(err, "out of memory");
			return 1;
		}
		itip_info_release(&info);
	}
	return 0;
}

static int
auto_reason(const struct fb_message *m, struct classify_result *r)
{
	const char *v;

	/* "no", possibly with a comment or parameters after it, is the only human value */
	if ((v = message_header(m, "Auto-Submitted")) != NULL &&
	    !(strncasecmp(v, "no", 2) == 0 && (v[2] == '\0' || strchr(" \t;(", v[2]) != NULL)))
		return classify_add_reason(r, "Auto-Submitted: %s", v) < 0 ? -1 : 1;
	for (size_t i = 0; i < NELEM(AUTO_HEADERS); i++)
		if (message_header(m, AUTO_HEADERS[i]) != NULL)
			return classify_add_reason(r, "%s header", AUTO_HEADERS[i]) < 0 ? -1 : 1;
	if ((v = message_header(m, "Precedence")) != NULL &&
	    (strcasecmp(v, "bulk") == 0 || strcasecmp(v, "junk") == 0 ||
	    strcasecmp(v, "list") == 0 || strcasecmp(v, "auto_reply") == 0))
		return classify_add_reason(r, "Precedence: %s", v) < 0 ? -1 : 1;
	if ((v = m->subject) != NULL) {
		while (*v == ' ' || *v == '\t')
			v++;
		for (size_t i = 0; i < NELEM(AUTO_SUBJECT_START); i++)
			if (strncasecmp(v, AUTO_SUBJECT_START[i], strlen(AUTO_SUBJECT_START[i])) == 0)
				return classify_add_reason(r, "out-of-office subject \"%s\"",
				    AUTO_SUBJECT_START[i]) < 0 ? -1 : 1;
		if (ci_strstr(v, "out of office") != NULL)
			return classify_add_reason(r, "out-of-office subject") < 0 ? -1 : 1;
	}
	return 0;
}

/* Words before an out-of-office end date, and month names (Dutch and English). */
static const char *const UNTIL_WORDS[] = {
	"until ", "till ", "through ", "back on ", "tot en met ", "t/m ", "tot ", "terug op ",
	"bis ", "jusqu'au ",
};

static const struct month {
	const char *name;
	int month;
} MONTHS[] = {
	{ "januari", 1 }, { "january", 1 }, { "jan", 1 }, { "februari", 2 }, { "february", 2 },
	{ "feb", 2 }, { "maart", 3 }, { "march", 3 }, { "mrt", 3 }, { "mar", 3 }, { "april", 4 },
	{ "apr", 4 }, { "mei", 5 }, { "may", 5 }, { "juni", 6 }, { "june", 6 }, { "jun", 6 },
	{ "juli", 7 }, { "july", 7 }, { "jul", 7 }, { "augustus", 8 }, { "august", 8 },
	{ "aug", 8 }, { "september", 9 }, { "sept", 9 }, { "sep", 9 }, { "oktober", 10 },
	{ "october", 10 }, { "okt", 10 }, { "oct", 10 }, { "november", 11 }, { "nov", 11 },
	{ "december", 12 }, { "dec", 12 },
};

/* Read 1..max digits at *p; -1 when there are none. */
static int
digits(const char **p, int max)
{
	int v = 0, n = 0;

	while (n < max && isdigit((unsigned char)**p)) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n > 0 && !isdigit((unsigned char)**p) ? v : -1;
}

static int
month_name(const char **p)
{
	for (size_t i = 0; i < NELEM(MONTHS); i++) {
		size_t n = strlen(MONTHS[i].name);

		if (strncasecmp(*p, MONTHS[i].name, n) == 0 && !isalpha((unsigned char)(*p)[n])) {
			*p += n;
			if (**p == '.')
				(*p)++;
			return MONTHS[i].month;
		}
	}
	return -1;
}

static void
skip_spaces(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == ',')
		(*p)++;
}

/* A date with a year at p: 2027-02-01, 1-2-2027, 1/2/2027, 1 februari 2027, February 1st, 2027. */
static int
date_at(const char *p, char out[11])
{
	const char *q = p;
	int y = -1, m = -1, d = -1, a;

	if ((a = digits(&q, 4)) >= 1000 && *q == '-') {
		q++;
		y = a;
		m = digits(&q, 2);
		if (*q++ == '-')
			d = digits(&q, 2);
	} else if (a > 0 && (*q == '-' || *q == '/' || *q == '.') && isdigit((unsigned char)q[1])) {
		char sep = *q++;

		d = a;
		m = digits(&q, 2);
		if (*q++ == sep)
			y = digits(&q, 4);
	} else if (a > 0) {
		d = a;
		skip_spaces(&q);
		m = month_name(&q);
		skip_spaces(&q);
		y = digits(&q, 4);
	} else if ((m = month_name(&q)) > 0) {
		skip_spaces(&q);
		d = digits(&q, 2);
		if (strncasecmp(q, "st", 2) == 0 || strncasecmp(q, "nd", 2) == 0 ||
		    strncasecmp(q, "rd", 2) == 0 || strncasecmp(q, "th", 2) == 0)
			q += 2;
		skip_spaces(&q);
		y = digits(&q, 4);
	}
	if (y < 2000 || y > 2199 || m < 1 || m > 12 || d < 1 || d > 31)
		return 0;
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
	return 1;
}

/* The first "until <date>" in s (searching at most its first 8 KB). */
static int
until_date(const char *s, char out[11])
{
	size_t n = s != NULL ? strnlen(s, 8192) : 0;

	for (size_t i = 0; i < n; i++) {
		if (i > 0 && isalpha((unsigned char)s[i - 1]))
			continue;
		for (size_t k = 0; k < NELEM(UNTIL_WORDS); k++) {
			size_t wl = strlen(UNTIL_WORDS[k]);
			const char *p;

			if (strncasecmp(s + i, UNTIL_WORDS[k], wl) != 0)
				continue;
			p = s + i + wl;
			/* a weekday may come first: "tot en met maandag 1 februari 2027" */
			for (int skip = 0; skip < 2; skip++) {
				if (date_at(p, out))
					return 1;
				while (isalpha((unsigned char)*p))
					p++;
				skip_spaces(&p);
			}
		}
	}
	return 0;
}

/* Each "<...>" message id of a header (In-Reply-To, References), tried in order. */
static int
token_in_ids(const char *ids, char out[TOKEN_LEN + 1])
{
	int n = 0;

	for (const char *p = ids ? strchr(ids, '<') : NULL; p != NULL && n < 1000;
	    p = strchr(p + 1, '<'), n++)
		if (token_from_message_id(p, out) == 0)
			return 0;
	return -1;
}

static void
find_token_from(const struct fb_message *m, struct classify_result *r, int addresses)
{
	for (size_t i = 0; addresses && i < m->nrecipients; i++)
		if (token_from_address(m->recipients[i].addr, r->token) == 0) {
			r->token_source = "address";
			return;
		}
	if (token_in_ids(m->in_reply_to, r->token) == 0) {
		r->token_source = "in-reply-to";
		return;
	}
	if (token_in_ids(m->references, r->token) == 0) {
		r->token_source = "references";
		return;
	}
	if (token_from_subject(m->subject, r->token) == 0) {
		r->token_source = "subject";
		return;
	}
	r->token[0] = '\0';
}

static void
find_token(const struct fb_message *m, struct classify_result *r)
{
	find_token_from(m, r, 1);
}

int
classify_token_not_in_address(const struct fb_message *m, struct classify_result *r,
    struct fb_error *err)
{
	r->token_source = NULL;
	find_token_from(m, r, 0);
	if (r->kind != CLASSIFY_REPLY)
		return 0;
	if (r->token_source == NULL) {
		r->kind = m->from.addr != NULL ? CLASSIFY_NEW : CLASSIFY_UNKNOWN;
		return classify_add_reason(r, "the address token is an envelope sender's, no "
		    "reply token found") < 0 ? fb_error_set(err, "out of memory") : 0;
	}
	return classify_add_reason(r, "the address token is an envelope sender's; token in %s",
	    r->token_source) < 0 ? fb_error_set(err, "out of memory") : 0;
}

/* A bounce of our own mail: the returned headers carry our Message-ID or reply address. */
static void
find_returned_token(const struct fb_message *m, struct classify_result *r)
{
	const char *h = m->original_headers;

	if (h == NULL || r->token_source != NULL)
		return;
	if (token_in_ids(h, r->token) == 0) {
		r->token_source = "returned message";
		return;
	}
	for (const char *p = strchr(h, '+'); p != NULL; p = strchr(p + 1, '+')) {
		const char *at = strchr(p, '@');
		char addr[TOKEN_LEN + 8];
		size_t n;

		if (at == NULL)
			break;
		n = (size_t)(at - p) + 1;
		if (n > TOKEN_LEN + 2)
			continue;
		memcpy(addr, p, n);
		addr[n] = '\0';
		if (token_from_address(addr, r->token) == 0) {
			r->token_source = "returned message";
			return;
		}
	}
	r->token[0] = '\0';
}

int
classify_message(const struct fb_message *m, struct classify_result *r, struct fb_error *err)
{
	int rc;

	memset(r, 0, sizeof(*r));
	if (m->content_type != NULL && strcmp(m->content_type, "multipart/report") == 0 &&
	    m->report_type != NULL && strcmp(m->report_type, "feedback-report") == 0) {
		/* a complaint's own subject and addresses are the complainer's: only the returned
		 * message may name our mail */
		r->kind = CLASSIFY_COMPLAINT;
		find_returned_token(m, r);
		return classify_add_reason(r, "ARF spam complaint (multipart/report; "
		    "report-type=feedback-report)") < 0 ? fb_error_set(err, "out of memory") : 0;
	}
	find_token(m, r);

	if ((rc = bounce_reason(m, r)) != 0) {
		r->kind = CLASSIFY_BOUNCE;
		find_returned_token(m, r);
		if (rc < 0 || read_bounce(m, r) < 0)
			return fb_error_set(err, "out of memory");
		return 0;
	}
	if ((rc = is_itip(m, r, err)) != 0) {
		r->kind = CLASSIFY_ITIP;
		return rc < 0 ? -1 : 0;
	}
	if ((rc = auto_reason(m, r)) != 0) {
		r->kind = CLASSIFY_AUTO_REPLY;
		if (!until_date(m->subject, r->until))
			until_date(m->text, r->until);
		return rc < 0 ? fb_error_set(err, "out of memory") : 0;
	}
	if (r->token_source != NULL) {
		r->kind = CLASSIFY_REPLY;
		return classify_add_reason(r, "token in %s", r->token_source) < 0 ?
		    fb_error_set(err, "out of memory") : 0;
	}
	if (m->from.addr == NULL) {
		r->kind = CLASSIFY_UNKNOWN;
		return classify_add_reason(r, "no From address") < 0 ?
		    fb_error_set(err, "out of memory") : 0;
	}
	r->kind = CLASSIFY_NEW;
	return classify_add_reason(r, "no token of ours found") < 0 ?
	    fb_error_set(err, "out of memory") : 0;
}
