/*
 * classify — bounce, iTIP, auto-reply, reply or new, with reasons (see classify.h for the
 * order and what each kind means).
 *
 * Bounce notices come in many shapes. Structure is read first (RFC 3464 reports, returned
 * messages, daemon and null senders, Amazon SES's JSON); the wordings of the mail servers and
 * providers that send plain-text notices are data (src/core/tables/bounce-*.txt, compiled once
 * by classify_rules_new()), so a new one is one line. Those tables are only searched in a
 * message that looks automatic: a person's reply pays nothing for them, and cannot become a
 * bounce by mentioning one. Recipient and status are read from the RFC 3464 report when there
 * is one, else from the notice's text with bounded scans.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "buf.h"
#include "classify.h"
#include "rtable.h"
#include "banned.h"

/* The bounce tables (src/core/tables/), compiled once by the caller. */
struct classify_rules {
	struct rtable *senders;  /* From values of notice senders */
	struct rtable *subjects; /* failed|delayed<TAB>subject */
	struct rtable *notices;  /* family<TAB>wording of a notice */
	struct rtable *reasons;  /* class<TAB>why it failed */
	struct rtable *delayed;  /* a warning: the server still tries */
};

/* Subjects of out-of-office answers (the subject starts with one, case-insensitive). */
static const char *const AUTO_SUBJECT_START[] = {
	"Out of Office", "Out of the Office", "Automatic reply", "Auto reply", "AutoReply",
	"Auto-Reply", "Auto:", "Automatisch antwoord", "Automatisch beantwoord", "Afwezig",
	"Niet aanwezig", "Niet op kantoor", "Autosvar", "Automatische Antwort",
	"Abwesenheitsnotiz", "Réponse automatique", "Absence", "Vacation", "Away from",
	"On vacation", "I am out of the office", "I'm out of the office", "Automatiskt svar",
};

/* "Automatic reply" in the languages Exchange and webmails write it, anywhere in the subject:
 * old Exchange puts it after the localised "Out of Office" ("Ārpus biroja atrašanās automātiskā
 * atbilde: …", often without the diacritics). */
static const char *const AUTO_SUBJECT_ANY[] = {
	"automatiska atbilde", "automātiskā atbilde", "automatinis atsakymas",
	"automaattinen vastaus", "automatikus válasz", "automatická odpověď",
	"automatická odpoveď", "odpowiedź automatyczna", "automatische antwort",
	"respuesta automática", "risposta automatica", "resposta automática",
	"automatisk svar", "automatisk besvarelse", "otomatik yanıt", "автоматический ответ",
	"автоматична відповідь", "自動応答", "自动回复", "自動回覆", "자동 회신",
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
	free(r->bounce.sent_message_id);
	free(r->bounce.sent_from);
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

static const char *const REASON_NAMES[] = {
	[CLASSIFY_BOUNCE_UNKNOWN] = "unknown",
	[CLASSIFY_BOUNCE_USER_UNKNOWN] = "user_unknown",
	[CLASSIFY_BOUNCE_MAILBOX_FULL] = "mailbox_full",
	[CLASSIFY_BOUNCE_HOST_UNKNOWN] = "host_unknown",
	[CLASSIFY_BOUNCE_REJECTED] = "rejected",
	[CLASSIFY_BOUNCE_TOO_LARGE] = "too_large",
	[CLASSIFY_BOUNCE_EXPIRED] = "expired",
	[CLASSIFY_BOUNCE_TEMPORARY] = "temporary",
};

const char *
classify_bounce_reason_name(enum classify_bounce_reason reason)
{
	if ((size_t)reason >= NELEM(REASON_NAMES) || REASON_NAMES[reason] == NULL)
		return "unknown";
	return REASON_NAMES[reason];
}

static enum classify_bounce_reason
reason_by_name(const char *name)
{
	for (size_t i = 0; i < NELEM(REASON_NAMES); i++)
		if (REASON_NAMES[i] != NULL && strcmp(REASON_NAMES[i], name) == 0)
			return (enum classify_bounce_reason)i;
	return CLASSIFY_BOUNCE_UNKNOWN;
}

struct classify_rules *
classify_rules_new(struct fb_error *err)
{
	struct classify_rules *r = calloc(1, sizeof(*r));

	if (r == NULL) {
		fb_error_set(err, "out of memory");
		return NULL;
	}
	if ((r->senders = rtable_load_embedded("bounce-senders.txt", 0, err)) == NULL ||
	    (r->subjects = rtable_load_embedded("bounce-subjects.txt", RTABLE_LABELS,
	    err)) == NULL ||
	    (r->notices = rtable_load_embedded("bounce-notices.txt", RTABLE_LABELS, err)) == NULL ||
	    (r->reasons = rtable_load_embedded("bounce-reasons.txt", RTABLE_LABELS, err)) == NULL ||
	    (r->delayed = rtable_load_embedded("bounce-delayed.txt", 0, err)) == NULL) {
		classify_rules_free(r);
		return NULL;
	}
	return r;
}

void
classify_rules_free(struct classify_rules *r)
{
	if (r == NULL)
		return;
	rtable_free(r->senders);
	rtable_free(r->subjects);
	rtable_free(r->notices);
	rtable_free(r->reasons);
	rtable_free(r->delayed);
	free(r);
}

/* What a bounce check needs besides the message: the tables and one match scratch. */
struct bounce_ctx {
	const struct classify_rules *rules;
	struct rtable_scratch *scratch;
};

static long
table_first(const struct bounce_ctx *b, const struct rtable *t, const char *s)
{
	return s != NULL ? rtable_first(t, s, strlen(s), b->scratch) : -1;
}

/* A notice's own words stand at its top, above the message it returns: the wording tables
 * (each row a search of its own) read only this much of a text, which also bounds what a
 * hostile message of megabytes costs. */
#define NOTICE_HEAD ((size_t)64 << 10)

static long
table_first_head(const struct bounce_ctx *b, const struct rtable *t, const char *s)
{
	size_t len;

	if (s == NULL)
		return -1;
	len = strnlen(s, NOTICE_HEAD);
	return rtable_first(t, s, len, b->scratch);
}

/* The signs that a message was written by a program, not a person: only such a message is
 * searched for a notice's wording. Each is cheap. */
struct auto_signs {
	int daemon;      /* the From value is a mail daemon's (bounce-senders.txt) */
	int null_sender; /* Return-Path: <> */
	int submitted;   /* Auto-Submitted other than "no" */
	int nobody;      /* no usable From address */
	long subject;    /* the bounce-subjects.txt row the subject matches, or -1 */
};

static int
auto_submitted(const struct fb_message *m)
{
	const char *v = message_header(m, "Auto-Submitted");

	/* "no", possibly with a comment or parameters after it, is the only human value */
	return v != NULL && !(strncasecmp(v, "no", 2) == 0 &&
	    (v[2] == '\0' || strchr(" \t;(", v[2]) != NULL));
}

static void
read_signs(const struct fb_message *m, const struct bounce_ctx *b, struct auto_signs *a)
{
	const char *from = message_header(m, "From");

	memset(a, 0, sizeof(*a));
	a->daemon = (m->from.addr != NULL && daemon_local(m->from.addr, strlen(m->from.addr))) ||
	    (from != NULL && table_first(b, b->rules->senders, from) >= 0);
	a->null_sender = m->return_path != NULL && strcmp(m->return_path, "<>") == 0;
	a->submitted = auto_submitted(m);
	a->nobody = m->from.addr == NULL;
	a->subject = table_first(b, b->rules->subjects, m->subject);
}

/* A forwarded message's subject: "Fwd:", "FW:", "WG:", "TR:", "RV:", "I:", "Doorst:", "ENC:". */
static int
forwarded(const char *subject)
{
	static const char *const prefixes[] = { "fwd:", "fw:", "wg:", "tr:", "rv:", "i:",
	    "doorst:", "enc:", "pd:", "vs:", "vl:", "转发:", "転送:" };

	while (subject != NULL && (*subject == ' ' || *subject == '['))
		subject++;
	for (size_t i = 0; subject != NULL && i < NELEM(prefixes); i++)
		if (strncasecmp(subject, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

/* Does the message look automatic at all (worth compiling and searching the tables for)? */
static int
maybe_automatic(const struct fb_message *m)
{
	return m->from.addr == NULL || daemon_local(m->from.addr, strlen(m->from.addr)) ||
	    (m->return_path != NULL && strcmp(m->return_path, "<>") == 0) || auto_submitted(m) ||
	    m->original_headers != NULL || m->delivery_status != NULL ||
	    message_header(m, "X-Failed-Recipients") != NULL ||
	    (m->content_type != NULL && strcmp(m->content_type, "multipart/report") == 0) ||
	    (m->from.addr != NULL && strncasecmp(m->from.addr, "microsoftexchange", 17) == 0);
}

/* ------------------------------------------------------------------------------------------ */
/* Amazon SES notifications (bounces published to SNS, delivered by mail as JSON). */

/* The body as JSON, when it can be one: starts with '{' and names a notification type. */
static json_t *
json_body(const char *text)
{
	json_error_t jerr;

	while (*text == ' ' || *text == '\t' || *text == '\n')
		text++;
	if (*text != '{' || (strstr(text, "\"notificationType\"") == NULL &&
	    strstr(text, "\"eventType\"") == NULL && strstr(text, "\\\"notificationType\\\"") ==
	    NULL && strstr(text, "\\\"eventType\\\"") == NULL))
		return NULL;
	return json_loads(text, JSON_DISABLE_EOF_CHECK, &jerr);
}

static const char *
json_str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The SES bounce object: the notification itself, or inside an SNS envelope's "Message"
 * string. Returns the notification (a new reference) or NULL. */
static json_t *
ses_notification(json_t *top)
{
	const char *type, *msg = json_str(top, "Message");
	json_t *inner = NULL;
	json_error_t jerr;

	if (msg != NULL && (inner = json_loads(msg, 0, &jerr)) != NULL && json_is_object(inner))
		top = inner;
	type = json_str(top, "notificationType");
	if (type == NULL)
		type = json_str(top, "eventType");
	if (type == NULL || strcmp(type, "Bounce") != 0 ||
	    !json_is_object(json_object_get(top, "bounce"))) {
		json_decref(inner);
		return NULL;
	}
	if (inner == NULL)
		json_incref(top);
	return top;
}

static int
dup_to(char **field, const char *s)
{
	if (s == NULL)
		return 0;
	free(*field);
	*field = strdup(s);
	return *field != NULL ? 0 : -1;
}

/* The Message-ID of the message the notification is about, without angle brackets. */
static int
ses_message_id(const json_t *mail, struct classify_result *r)
{
	const json_t *hs = json_object_get(mail, "headers"), *h;
	const char *id = json_str(json_object_get(mail, "commonHeaders"), "messageId");
	size_t i;

	json_array_foreach(hs, i, h) {
		const char *name = json_str(h, "name");

		if (name != NULL && strcasecmp(name, "Message-ID") == 0 && json_str(h, "value"))
			id = json_str(h, "value");
	}
	if (id == NULL)
		return 0;
	while (*id == ' ' || *id == '<')
		id++;
	if (dup_to(&r->bounce.sent_message_id, id) < 0)
		return -1;
	r->bounce.sent_message_id[strcspn(r->bounce.sent_message_id, "> \t")] = '\0';
	return 0;
}

/* Our token in what the notification says we sent: the envelope sender (mail.source, our
 * bounce address when we send through SES), then the headers that carry our addresses. */
static void
ses_token(const json_t *mail, struct classify_result *r)
{
	static const char *const names[] = { "Return-Path", "Reply-To", "From", "Sender" };
	const json_t *hs = json_object_get(mail, "headers"), *h;
	const char *src = json_str(mail, "source");
	size_t i;

	if (r->token_source != NULL)
		return;
	if (src != NULL && token_from_address(src, r->token) == 0) {
		r->token_source = "returned message";
		return;
	}
	for (size_t k = 0; k < NELEM(names); k++)
		json_array_foreach(hs, i, h) {
			const char *name = json_str(h, "name"), *v = json_str(h, "value");
			const char *lt = v != NULL ? strchr(v, '<') : NULL;

			if (name == NULL || v == NULL || strcasecmp(name, names[k]) != 0)
				continue;
			if (token_from_address(lt != NULL ? lt + 1 : v, r->token) == 0) {
				r->token_source = "returned message";
				return;
			}
		}
	r->token[0] = '\0';
}

static const struct {
	const char *subtype;
	enum classify_bounce_reason reason;
} SES_SUBTYPES[] = {
	{ "NoEmail", CLASSIFY_BOUNCE_USER_UNKNOWN },
	{ "MailboxFull", CLASSIFY_BOUNCE_MAILBOX_FULL },
	{ "MessageTooLarge", CLASSIFY_BOUNCE_TOO_LARGE },
	{ "ContentRejected", CLASSIFY_BOUNCE_REJECTED },
	{ "AttachmentRejected", CLASSIFY_BOUNCE_REJECTED },
	{ "Suppressed", CLASSIFY_BOUNCE_REJECTED },
	{ "OnAccountSuppressionList", CLASSIFY_BOUNCE_REJECTED },
};

static void reason_from(const struct bounce_ctx *b, const char *s,
    struct classify_result *r);
static enum classify_bounce_reason reason_of_status(const char *st);

/* An SES bounce notification: 1 (r filled), 0 (not one), -1 out of memory. */
static int
ses_bounce(const struct fb_message *m, const struct bounce_ctx *b, struct classify_result *r)
{
	json_t *top = json_body(m->text), *n, *rcpt, *mail;
	const char *type, *sub, *st, *diag;
	int rc = -1;

	if (top == NULL)
		return 0;
	if ((n = ses_notification(top)) == NULL) {
		json_decref(top);
		return 0;
	}
	type = json_str(json_object_get(n, "bounce"), "bounceType");
	sub = json_str(json_object_get(n, "bounce"), "bounceSubType");
	rcpt = json_array_get(json_object_get(json_object_get(n, "bounce"), "bouncedRecipients"), 0);
	mail = json_object_get(n, "mail");
	st = json_str(rcpt, "status");
	diag = json_str(rcpt, "diagnosticCode");
	if (classify_add_reason(r, "Amazon SES bounce notification (%s%s%s)", type ? type : "?",
	    sub ? "/" : "", sub ? sub : "") < 0)
		goto out;
	if (json_str(rcpt, "emailAddress") != NULL &&
	    set_recipient_field(r, json_str(rcpt, "emailAddress")) < 0)
		goto out;
	if (st == NULL || !find_status(st, r->bounce.status))
		if (diag == NULL || !find_status(diag, r->bounce.status))
			memcpy(r->bounce.status, type != NULL && strcmp(type, "Permanent") == 0 ?
			    "5.0.0" : "4.0.0", 6);
	r->bounce.reason = reason_of_status(r->bounce.status);
	if (r->bounce.reason == CLASSIFY_BOUNCE_TEMPORARY)
		r->bounce.reason = CLASSIFY_BOUNCE_UNKNOWN; /* the subtype or wording may say more */
	for (size_t i = 0; sub != NULL && i < NELEM(SES_SUBTYPES); i++)
		if (strcmp(sub, SES_SUBTYPES[i].subtype) == 0)
			r->bounce.reason = SES_SUBTYPES[i].reason;
	if (r->bounce.reason == CLASSIFY_BOUNCE_UNKNOWN)
		reason_from(b, diag, r);
	if (r->bounce.reason == CLASSIFY_BOUNCE_UNKNOWN && r->bounce.status[0] == '4')
		r->bounce.reason = CLASSIFY_BOUNCE_TEMPORARY;
	if (ses_message_id(mail, r) < 0 || dup_to(&r->bounce.sent_from, json_str(mail, "source")) < 0)
		goto out;
	ses_token(mail, r);
	rc = 1;
out:
	json_decref(n);
	json_decref(top);
	return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Is it a bounce? */

/* Which of our signs says this is a bounce: 1 (a reason added), 0 (not one), -1 (memory). */
static int
bounce_reason(const struct fb_message *m, const struct bounce_ctx *b, struct classify_result *r)
{
	struct auto_signs a;
	const char *mdn = "disposition-notification";
	long hit;

	if (m->content_type != NULL && strcmp(m->content_type, "multipart/report") == 0 &&
	    m->report_type != NULL && strcmp(m->report_type, "delivery-status") == 0)
		return classify_add_reason(r, "multipart/report; report-type=delivery-status") < 0 ?
		    -1 : 1;
	if (m->delivery_status != NULL)
		return classify_add_reason(r, "message/delivery-status part") < 0 ? -1 : 1;
	if (message_header(m, "X-Failed-Recipients") != NULL)
		return classify_add_reason(r, "X-Failed-Recipients header") < 0 ? -1 : 1;
	if (b->rules == NULL)
		return 0;
	read_signs(m, b, &a);
	/* a notice's subject alone is a person's too when they answer one ("Re: Undeliverable"):
	 * it counts on a message that answers nothing, or that forwards the notice ("Fwd:
	 * Returned mail: ...") */
	if (!a.daemon && !a.null_sender && !a.submitted && !a.nobody &&
	    m->original_headers == NULL && (a.subject < 0 || (!forwarded(m->subject) &&
	    (m->in_reply_to != NULL || m->references != NULL))))
		return 0;
	/* a read receipt (RFC 8098) returns headers from a null sender too: not a failure */
	if (m->report_type != NULL && strcmp(m->report_type, mdn) == 0)
		return 0;
	if ((hit = table_first_head(b, b->rules->notices, m->text)) >= 0)
		return classify_add_reason(r, "delivery failure text (%s: \"%s\")",
		    rtable_label(b->rules->notices, (size_t)hit),
		    rtable_pattern(b->rules->notices, (size_t)hit)) < 0 ? -1 : 1;
	if (a.subject >= 0 && (a.daemon || a.null_sender || a.submitted || a.nobody ||
	    m->original_headers != NULL))
		return classify_add_reason(r, "delivery failure subject (\"%s\") from %s",
		    rtable_pattern(b->rules->subjects, (size_t)a.subject),
		    a.daemon ? "a mail daemon" : a.null_sender ? "a null sender" :
		    a.submitted ? "an automatic sender" : a.nobody ? "no usable sender" :
		    "with a returned message") < 0 ? -1 : 1;
	if ((a.daemon || a.null_sender) && m->original_headers != NULL)
		return classify_add_reason(r, "%s with a returned message", a.daemon ?
		    "sent by a mail daemon" : "null sender (Return-Path <>)") < 0 ? -1 : 1;
	if (a.daemon && a.null_sender)
		return classify_add_reason(r, "sent by a mail daemon with a null Return-Path") < 0 ?
		    -1 : 1;
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Why it failed. */

/* The class a specific RFC 3463 status names (x.0.0 and unlisted ones name none). */
static enum classify_bounce_reason
reason_of_status(const char *st)
{
	int cls = st[0] - '0', subj = -1, det = -1;

	if (st[0] == '\0' || sscanf(st + 1, ".%d.%d", &subj, &det) != 2)
		return CLASSIFY_BOUNCE_UNKNOWN;
	if (subj == 4 && det == 7)
		return CLASSIFY_BOUNCE_EXPIRED;
	if (subj == 1 && (det == 1 || det == 3 || det == 6 || det == 0))
		return CLASSIFY_BOUNCE_USER_UNKNOWN;
	if (subj == 2 && det == 1)
		return CLASSIFY_BOUNCE_USER_UNKNOWN;
	if ((subj == 1 && det == 2) || (subj == 4 && det == 4))
		return CLASSIFY_BOUNCE_HOST_UNKNOWN;
	if (subj == 2 && det == 2)
		return CLASSIFY_BOUNCE_MAILBOX_FULL;
	if ((subj == 2 && det == 3) || (subj == 3 && det == 4))
		return CLASSIFY_BOUNCE_TOO_LARGE;
	if (subj == 7 || (subj == 1 && det == 8))
		return CLASSIFY_BOUNCE_REJECTED;
	return cls == 4 && !(subj == 0 && det == 0) ? CLASSIFY_BOUNCE_TEMPORARY :
	    CLASSIFY_BOUNCE_UNKNOWN;
}

/* The class the wording of s names (bounce-reasons.txt), when r has none yet. */
static void
reason_from(const struct bounce_ctx *b, const char *s, struct classify_result *r)
{
	long hit;

	if (r->bounce.reason != CLASSIFY_BOUNCE_UNKNOWN || b->rules == NULL || s == NULL)
		return;
	if ((hit = table_first_head(b, b->rules->reasons, s)) >= 0)
		r->bounce.reason = reason_by_name(rtable_label(b->rules->reasons, (size_t)hit));
}

/* Does text give status st right after an SMTP 5xx reply ("501 5.0.0")? Then the remote
 * server refused for good, whatever the notice says about the queue (qmail says "in the queue
 * too long" after a permanent refusal too). */
static int
smtp_5xx_with(const char *text, const char *st)
{
	size_t n = strlen(st);
	int seen = 0;

	for (const char *p = strstr(text, st); p != NULL && seen < 100; p = strstr(p + n, st), seen++)
		if (p - text >= 4 && p[-4] == '5' && isdigit((unsigned char)p[-3]) &&
		    isdigit((unsigned char)p[-2]) && (p[-1] == ' ' || p[-1] == '-'))
			return 1;
	return 0;
}

/*
 * The reason and the final status: a specific status decides; else the wording. An expired
 * retry is the server giving up on a temporary failure: 4.4.7 (or the 4.x.x it gave), never
 * permanent — unless the status it gave names another permanent cause.
 */
static int
settle_reason(const struct fb_message *m, const struct bounce_ctx *b, struct classify_result *r,
    int given, int gave_up)
{
	struct buf diag = BUF_INIT;
	enum classify_bounce_reason by_status = given ? reason_of_status(r->bounce.status) :
	    CLASSIFY_BOUNCE_UNKNOWN;
	int rc = 0;

	if (by_status != CLASSIFY_BOUNCE_UNKNOWN && by_status != CLASSIFY_BOUNCE_TEMPORARY) {
		r->bounce.reason = by_status;
	} else if (gave_up) {
		r->bounce.reason = CLASSIFY_BOUNCE_EXPIRED;
	} else {
		if (m->delivery_status != NULL &&
		    (rc = text_field(m->delivery_status, "Diagnostic-Code", &diag)) == 1)
			reason_from(b, diag.data, r);
		reason_from(b, m->delivery_status, r);
		reason_from(b, m->text, r);
		if (r->bounce.reason == CLASSIFY_BOUNCE_UNKNOWN)
			r->bounce.reason = by_status;
	}
	if (r->bounce.reason == CLASSIFY_BOUNCE_EXPIRED && by_status != CLASSIFY_BOUNCE_EXPIRED &&
	    r->bounce.status[0] == '5' && smtp_5xx_with(m->text, r->bounce.status))
		r->bounce.reason = CLASSIFY_BOUNCE_UNKNOWN;
	if (rc >= 0 && r->bounce.reason == CLASSIFY_BOUNCE_EXPIRED && r->bounce.status[0] != '4') {
		rc = classify_add_reason(r, "the server gave up retrying a temporary failure: "
		    "expired, 4.4.7 rather than %s", r->bounce.status);
		memcpy(r->bounce.status, "4.4.7", 6);
	}
	if (r->bounce.reason == CLASSIFY_BOUNCE_UNKNOWN && r->bounce.status[0] == '4')
		r->bounce.reason = CLASSIFY_BOUNCE_TEMPORARY;
	buf_release(&diag);
	return rc < 0 ? -1 : 0;
}

/* RFC 3464's Action word for a recipient the server gave up on (a word of the report, not
 * one of our inbox states) */
static const char DSN_ACTION_FAILED[] = "failed";

static int
read_bounce(const struct fb_message *m, const struct bounce_ctx *b, struct classify_result *r)
{
	struct buf v = BUF_INIT;
	int rc = 0, given, gave_up = 0;
	const char *x;

	if (m->delivery_status != NULL) {
		if ((rc = text_field(m->delivery_status, "Final-Recipient", &v)) == 1 ||
		    (rc = text_field(m->delivery_status, "Original-Recipient", &v)) == 1)
			rc = set_recipient_field(r, v.data);
		if (rc >= 0 && text_field(m->delivery_status, "Status", &v) == 1)
			find_status(v.data, r->bounce.status);
		if (rc >= 0 && text_field(m->delivery_status, "Action", &v) == 1) {
			if (r->bounce.status[0] == '\0' && strcasecmp(v.data, "delayed") == 0)
				memcpy(r->bounce.status, "4.0.0", 6);
			/* failed on a 4.x.x: the server stopped retrying a temporary error */
			gave_up = strcasecmp(v.data, DSN_ACTION_FAILED) == 0 &&
			    r->bounce.status[0] == '4';
		}
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
	given = r->bounce.status[0] != '\0';
	if (rc >= 0 && !given) {
		int d = b->rules != NULL && (table_first_head(b, b->rules->delayed, m->text) >= 0 ||
		    table_first(b, b->rules->delayed, m->subject) >= 0);

		memcpy(r->bounce.status, d ? "4.0.0" : "5.0.0", 6);
		rc = classify_add_reason(r, "no status given: %s", d ?
		    "the notice says it will retry (4.0.0)" : "a failure notice (5.0.0)");
	}
	if (rc >= 0)
		rc = settle_reason(m, b, r, given, gave_up);
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

	if (auto_submitted(m))
		return classify_add_reason(r, "Auto-Submitted: %s",
		    message_header(m, "Auto-Submitted")) < 0 ? -1 : 1;
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
		for (size_t i = 0; i < NELEM(AUTO_SUBJECT_ANY); i++)
			if (ci_strstr(v, AUTO_SUBJECT_ANY[i]) != NULL)
				return classify_add_reason(r, "automatic-reply subject \"%s\"",
				    AUTO_SUBJECT_ANY[i]) < 0 ? -1 : 1;
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

static int
classify_in(const struct fb_message *m, const struct bounce_ctx *b, struct classify_result *r,
    struct fb_error *err)
{
	int rc;

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

	if ((rc = ses_bounce(m, b, r)) != 0) {
		r->kind = CLASSIFY_BOUNCE;
		if (rc > 0 && r->bounce.reason == CLASSIFY_BOUNCE_EXPIRED &&
		    r->bounce.status[0] != '4')
			memcpy(r->bounce.status, "4.4.7", 6);
		r->bounce.permanent = r->bounce.status[0] == '5';
		return rc < 0 ? fb_error_set(err, "out of memory") : 0;
	}
	if ((rc = bounce_reason(m, b, r)) != 0) {
		r->kind = CLASSIFY_BOUNCE;
		find_returned_token(m, r);
		if (rc < 0 || read_bounce(m, b, r) < 0)
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

int
classify_message_with(const struct classify_rules *rules, const struct fb_message *m,
    struct classify_result *r, struct fb_error *err)
{
	struct bounce_ctx b = { .rules = rules };
	int rc;

	memset(r, 0, sizeof(*r));
	if (rules != NULL && (b.scratch = rtable_scratch_new()) == NULL)
		return fb_error_set(err, "out of memory");
	/* the message's texts are read by several tables and do not change until we return */
	rtable_scratch_reuse(b.scratch);
	rc = classify_in(m, &b, r, err);
	rtable_scratch_free(b.scratch);
	return rc;
}

int
classify_message(const struct fb_message *m, struct classify_result *r, struct fb_error *err)
{
	struct classify_rules *rules = NULL;
	int rc;

	/* the tables cost a compile: only for a message that may be a notice */
	if (maybe_automatic(m) && (rules = classify_rules_new(err)) == NULL) {
		memset(r, 0, sizeof(*r));
		return -1;
	}
	rc = classify_message_with(rules, m, r, err);
	classify_rules_free(rules);
	return rc;
}
