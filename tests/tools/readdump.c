/*
 * readdump — everything the reading pipeline makes of each message, printed in full, so two
 * builds can be compared byte for byte (a speed change must not change a single byte of it).
 *
 * usage: readdump --spool SPOOL      (the record format of readbench and bench_reading.py)
 *        readdump FILE...            (one raw message per file, e.g. every .eml of a corpus)
 *
 * Per message: the parse result (every header, the convenience copies, the sender, recipients,
 * content and report type, the text, calendars, delivery status, returned headers), the
 * classification (kind, reasons, token, until, bounce fields, iTIP), then trim_reply and
 * fields_parse on the text whatever the kind (more than the daemon does: more code compared),
 * with trim's description and counts and the fields as JSON. The rules are made once, as the
 * daemon does. Exits 1 when an input cannot be read.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "classify.h"
#include "fberror.h"
#include "fields.h"
#include "message.h"
#include "trim.h"
#include "banned.h"

#define SPOOL_MAX_RECORD ((size_t)64 << 20)

static void
field(const char *name, const char *value)
{
	printf("%s: %s\n", name, value != NULL ? value : "(null)");
}

/* A text of known length, with its length so trailing bytes and NULs show. */
static void
blob(const char *name, const char *value, size_t len)
{
	printf("%s[%zu]:\n", name, len);
	if (value != NULL)
		fwrite(value, 1, len, stdout);
	printf("\n.\n");
}

static void
dump(const struct classify_rules *crules, const struct trim_rules *rules, const char *raw,
    size_t len)
{
	struct fb_error err = { { 0 } };
	struct fb_message *m = message_parse(raw, len, MESSAGE_DEFAULT_MAX_SIZE, &err);
	struct classify_result cls;
	struct buf text = BUF_INIT;
	struct trim_info trim = TRIM_INFO_INIT;
	struct fields f;

	if (m == NULL) {
		printf("parse failed: %s\n", err.msg);
		return;
	}
	for (size_t i = 0; i < m->nheaders; i++)
		printf("header: %s: %s\n", m->headers[i].name, m->headers[i].value);
	field("subject", m->subject);
	field("message_id", m->message_id);
	field("in_reply_to", m->in_reply_to);
	field("references", m->references);
	field("return_path", m->return_path);
	field("from.name", m->from.name);
	field("from.addr", m->from.addr);
	field("from_problem", m->from_problem);
	for (size_t i = 0; i < m->nrecipients; i++)
		printf("recipient: %s <%s>\n", m->recipients[i].name ? m->recipients[i].name : "-",
		    m->recipients[i].addr ? m->recipients[i].addr : "-");
	field("content_type", m->content_type);
	field("report_type", m->report_type);
	printf("html: %d truncated: %d parts: %zu\n", m->text_from_html, m->text_truncated,
	    m->nparts);
	blob("text", m->text, m->text_len);
	for (size_t i = 0; i < m->ncalendars; i++) {
		field("calendar.type", m->calendars[i].content_type);
		field("calendar.method", m->calendars[i].method);
		blob("calendar.data", m->calendars[i].data, m->calendars[i].len);
	}
	blob("delivery_status", m->delivery_status,
	    m->delivery_status ? strlen(m->delivery_status) : 0);
	blob("original_headers", m->original_headers,
	    m->original_headers ? strlen(m->original_headers) : 0);
	field("original_message_id", m->original_message_id);

	memset(&cls, 0, sizeof(cls));
	if (classify_message_with(crules, m, &cls, &err) < 0) {
		printf("classify failed: %s\n", err.msg);
	} else {
		field("kind", classify_kind_name(cls.kind));
		for (size_t i = 0; i < cls.nreasons; i++)
			field("reason", cls.reasons[i]);
		field("token", cls.token);
		field("token_source", cls.token_source);
		field("until", cls.until);
		if (cls.kind == CLASSIFY_BOUNCE) {
			field("bounce.recipient", cls.bounce.recipient);
			printf("bounce.status: %s permanent %d reason %s\n", cls.bounce.status,
			    cls.bounce.permanent, classify_bounce_reason_name(cls.bounce.reason));
			field("bounce.sent_message_id", cls.bounce.sent_message_id);
			field("bounce.sent_from", cls.bounce.sent_from);
		}
		if (cls.kind == CLASSIFY_ITIP) {
			field("itip.method", cls.itip.method);
			field("itip.uid", cls.itip.uid);
			printf("itip.sequence: %lld attendees %zu\n", (long long)cls.itip.sequence,
			    cls.itip.nattendees);
		}
	}
	struct trim_context who = { m->from.name, m->from.addr, NULL };

	if (trim_reply_from(rules, &who, m->text, m->text_len, &text, &trim) < 0) {
		printf("trim failed\n");
	} else {
		blob("trimmed", text.data, text.len);
		field("removed", trim.removed.data);
		printf("lines_in: %zu removed: %zu everything_quoted: %d\n", trim.lines_in,
		    trim.lines_removed, trim.everything_quoted);
		if (fields_parse_with(trim_rules_signature(rules), text.data, text.len, &f) < 0) {
			printf("fields failed\n");
		} else {
			json_t *j = fields_to_json(&f);
			char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER |
			    JSON_SORT_KEYS) : NULL;

			field("fields", s);
			free(s);
			json_decref(j);
			fields_release(&f);
		}
	}
	classify_result_release(&cls);
	trim_info_release(&trim);
	buf_release(&text);
	message_free(m);
}

static int
read_all(FILE *f, struct buf *b)
{
	char chunk[65536];
	size_t n;

	buf_reset(b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(b, chunk, n) < 0)
			return -1;
	return ferror(f) ? -1 : 0;
}

int
main(int argc, char **argv)
{
	struct trim_rules *rules = trim_rules_new();
	struct classify_rules *crules = classify_rules_new(NULL);
	struct buf rec = BUF_INIT;
	unsigned long n = 0;
	int rc = 0;

	if (argc < 2) {
		fputs("usage: readdump --spool SPOOL | FILE...\n", stderr);
		return 2;
	}
	if (rules == NULL || crules == NULL) {
		fputs("readdump: out of memory\n", stderr);
		return 1;
	}
	if (strcmp(argv[1], "--spool") == 0 && argc == 3) {
		FILE *f = fopen(argv[2], "rb");
		unsigned char hdr[4];

		if (f == NULL) {
			fprintf(stderr, "readdump: %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		while (fread(hdr, 1, 4, f) == 4) {
			size_t len = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 |
			    (size_t)hdr[2] << 8 | hdr[3];

			buf_reset(&rec);
			if (len > SPOOL_MAX_RECORD || buf_grow(&rec, len) < 0 ||
			    fread(rec.data, 1, len, f) != len) {
				rc = 1;
				break;
			}
			rec.len = len;
			rec.data[len] = '\0';
			printf("=== record %lu\n", n++);
			dump(crules, rules, rec.data, rec.len);
		}
		fclose(f);
	} else {
		for (int i = 1; i < argc; i++) {
			FILE *f = fopen(argv[i], "rb");

			if (f == NULL || read_all(f, &rec) < 0) {
				fprintf(stderr, "readdump: %s: %s\n", argv[i], strerror(errno));
				rc = 1;
				if (f != NULL)
					fclose(f);
				continue;
			}
			fclose(f);
			printf("=== %s\n", argv[i]);
			dump(crules, rules, rec.data != NULL ? rec.data : "", rec.len);
		}
	}
	buf_release(&rec);
	trim_rules_free(rules);
	classify_rules_free(crules);
	return rc;
}
