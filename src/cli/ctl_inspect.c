/*
 * ctl_inspect — `feedbackctl inspect`: one message through the reading pipeline (message →
 * classify → trim → fields), printed for people or as one JSON object (jansson) for scripts and
 * the corpus tests. No database, no clock.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "buf.h"
#include "classify.h"
#include "ctl.h"
#include "ctl_inspect.h"
#include "fberror.h"
#include "fields.h"
#include "message.h"
#include "trim.h"
#include "banned.h"

static const char USAGE[] =
    "usage: feedbackctl inspect [--json] [--max-size BYTES] [FILE|-]\n"
    "\n"
    "Read one raw message (a .eml file, or standard input) and show how feedbackd reads it:\n"
    "its kind (reply, new, auto_reply, bounce, itip, unknown) with the reasons, the token, the\n"
    "reply text after trimming quotes and signatures, and the labelled fields in it.\n"
    "\n"
    "  --json           print one JSON object instead of a summary\n"
    "  --max-size N     refuse messages larger than N bytes (default 25 MB)\n"
    "  -h, --help       show this help\n";

struct inspection {
	struct fb_message *msg;
	struct classify_result cls;
	struct buf text;     /* trimmed reply text */
	struct trim_info trim;
	char error[1024];    /* parse error, or "" */
	json_t *fields;      /* fields_to_json() of the trimmed text; NULL when not parsed */
};

static json_t *
str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

/* The iTIP attendee to show: the sender when listed, else the first. */
static const struct itip_attendee *
itip_attendee(const struct inspection *in)
{
	const struct itip_attendee *a = NULL;

	if (in->msg != NULL && in->msg->from.addr != NULL)
		a = itip_find_attendee(&in->cls.itip, in->msg->from.addr);
	if (a == NULL && in->cls.itip.nattendees > 0)
		a = &in->cls.itip.attendees[0];
	return a;
}

static char *
from_string(const struct fb_message *m)
{
	struct buf b = BUF_INIT;

	if (m == NULL || m->from.addr == NULL)
		return NULL;
	if (m->from.name != NULL && m->from.name[0] != '\0')
		buf_putf(&b, "%s <%s>", m->from.name, m->from.addr);
	else
		buf_puts(&b, m->from.addr);
	if (buf_failed(&b)) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

static int
print_json(const struct inspection *in)
{
	const struct fb_message *m = in->msg;
	json_t *o = json_object(), *reasons = json_array();
	char *from = from_string(m), *s;
	int rc = 0;

	for (size_t i = 0; i < in->cls.nreasons; i++)
		json_array_append_new(reasons, json_string(in->cls.reasons[i]));
	json_object_set_new(o, "kind", json_string(classify_kind_name(in->cls.kind)));
	json_object_set_new(o, "reasons", reasons);
	json_object_set_new(o, "from", str_or_null(from));
	json_object_set_new(o, "subject", str_or_null(m ? m->subject : NULL));
	json_object_set_new(o, "message_id", str_or_null(m ? m->message_id : NULL));
	json_object_set_new(o, "token", in->cls.token[0] ? json_string(in->cls.token) : json_null());
	json_object_set_new(o, "token_source", str_or_null(in->cls.token_source));
	json_object_set_new(o, "text", json_stringn(in->text.data, in->text.len));
	json_object_set_new(o, "trimmed", json_string(in->trim.removed.data));
	json_object_set_new(o, "html", json_boolean(m != NULL && m->text_from_html));
	json_object_set_new(o, "fields", in->fields != NULL ? json_incref(in->fields) :
	    json_object());
	if (in->cls.kind == CLASSIFY_BOUNCE)
		json_object_set_new(o, "bounce", json_pack("{s:o, s:s, s:b, s:s}",
		    "recipient", str_or_null(in->cls.bounce.recipient),
		    "status", in->cls.bounce.status, "permanent", in->cls.bounce.permanent,
		    "reason", classify_bounce_reason_name(in->cls.bounce.reason)));
	if (in->cls.kind == CLASSIFY_AUTO_REPLY)
		json_object_set_new(o, "auto_reply", json_pack("{s:o}", "until",
		    in->cls.until[0] ? json_string(in->cls.until) : json_null()));
	if (in->cls.kind == CLASSIFY_ITIP) {
		const struct itip_info *it = &in->cls.itip;
		const struct itip_attendee *a = itip_attendee(in);

		json_object_set_new(o, "itip", json_pack("{s:o, s:o, s:I, s:o, s:o, s:o, s:o}",
		    "method", str_or_null(it->method), "uid", str_or_null(it->uid),
		    "sequence", (json_int_t)it->sequence,
		    "recurrence_id", str_or_null(it->recurrence_id),
		    "attendee", str_or_null(a ? a->address : NULL),
		    "partstat", str_or_null(a ? a->partstat : NULL),
		    "comment", str_or_null(it->comment != NULL ? it->comment :
		    (a ? a->comment : NULL))));
	}
	if (in->error[0] != '\0')
		json_object_set_new(o, "error", json_string(in->error));
	if (from == NULL && m != NULL && m->from.addr != NULL)
		rc = -1; /* out of memory: no output rather than a wrong "from": null */
	/* jansson refuses invalid UTF-8 strings (json_string returns NULL, set_new then drops
	 * the key): message.c guarantees valid UTF-8, so a missing key is a bug worth seeing */
	s = rc < 0 ? NULL : json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s == NULL || puts(s) == EOF)
		rc = -1;
	free(s);
	free(from);
	json_decref(o);
	return rc;
}

static void
print_text(const struct inspection *in)
{
	const struct fb_message *m = in->msg;
	char *from = from_string(m);

	printf("kind:       %s\n", classify_kind_name(in->cls.kind));
	for (size_t i = 0; i < in->cls.nreasons; i++)
		printf("reason:     %s\n", in->cls.reasons[i]);
	if (in->error[0] != '\0')
		printf("error:      %s\n", in->error);
	printf("from:       %s\n", from ? from : m && m->from.addr ? "(out of memory)" : "-");
	printf("subject:    %s\n", m && m->subject ? m->subject : "-");
	printf("message-id: %s\n", m && m->message_id ? m->message_id : "-");
	printf("token:      %s%s%s%s\n", in->cls.token[0] ? in->cls.token : "-",
	    in->cls.token_source ? " (in " : "", in->cls.token_source ? in->cls.token_source : "",
	    in->cls.token_source ? ")" : "");
	if (in->cls.kind == CLASSIFY_BOUNCE)
		printf("bounce:     %s, status %s (%s, %s)\n", in->cls.bounce.recipient ?
		    in->cls.bounce.recipient : "recipient unknown", in->cls.bounce.status,
		    in->cls.bounce.permanent ? "permanent" : "temporary",
		    classify_bounce_reason_name(in->cls.bounce.reason));
	if (in->cls.kind == CLASSIFY_AUTO_REPLY && in->cls.until[0])
		printf("until:      %s\n", in->cls.until);
	if (in->cls.kind == CLASSIFY_ITIP) {
		const struct itip_attendee *a = itip_attendee(in);

		printf("itip:       %s uid %s sequence %lld, %s %s\n",
		    in->cls.itip.method ? in->cls.itip.method : "(no METHOD)",
		    in->cls.itip.uid ? in->cls.itip.uid : "-", (long long)in->cls.itip.sequence,
		    a ? a->address : "-", a ? a->partstat : "-");
	}
	if (in->trim.removed.len > 0)
		printf("trimmed:    %s\n", in->trim.removed.data);
	if (in->fields != NULL && json_object_size(in->fields) > 0) {
		char *f = json_dumps(in->fields, JSON_COMPACT | JSON_PRESERVE_ORDER);

		printf("fields:     %s\n", f ? f : "?");
		free(f);
	}
	printf("text:\n%s", in->text.data);
	if (in->text.len > 0 && in->text.data[in->text.len - 1] != '\n')
		putchar('\n');
	free(from);
}

static int
inspect(const char *raw, size_t len, size_t max, struct inspection *in)
{
	struct fb_error err = { { 0 } };

	in->msg = message_parse(raw, len, max, &err);
	if (in->msg == NULL) {
		snprintf(in->error, sizeof(in->error), "%s", err.msg);
		in->cls.kind = CLASSIFY_UNKNOWN;
		return classify_add_reason(&in->cls, "could not be parsed: %s", err.msg);
	}
	{
		/* one message per run: the bounce tables are compiled for it and freed after */
		struct classify_rules *crules = classify_rules_new(&err);
		int crc = crules == NULL ? -1 :
		    classify_message_with(crules, in->msg, &in->cls, &err);

		classify_rules_free(crules);
		if (crc < 0) {
			snprintf(in->error, sizeof(in->error), "%s", err.msg);
			return -1;
		}
	}
	/* One message per run: the patterns are compiled for it and freed after. */
	struct trim_rules *rules = trim_rules_new();
	struct trim_context who = { in->msg->from.name, in->msg->from.addr, NULL };
	int trc = trim_reply_from(rules, &who, in->msg->text, in->msg->text_len, &in->text,
	    &in->trim);

	if (trc < 0) {
		trim_rules_free(rules);
		return -1;
	}
	{
		struct fields f;
		int rc = fields_parse_with(trim_rules_signature(rules), in->text.data, in->text.len,
		    &f);

		trim_rules_free(rules);
		if (rc == 0 && (in->fields = fields_to_json(&f)) == NULL)
			rc = -1;
		fields_release(&f);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int
ctl_inspect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "max-size", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct inspection in = { .text = BUF_INIT, .trim = TRIM_INFO_INIT };
	struct buf raw = BUF_INIT;
	const char *path = "-";
	size_t max = MESSAGE_DEFAULT_MAX_SIZE;
	int json = 0, c, rc = 0;

	optind = 1;
	opterr = 0; /* ctl_option_error says what is wrong */
	while ((c = getopt_long(argc, argv, "hjm:", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'm': {
			char *end;
			unsigned long long v;

			errno = 0;
			v = strtoull(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg || v == 0 || v > BUF_MAX / 2) {
				fprintf(stderr, "feedbackctl inspect: --max-size wants a number of "
				    "bytes from 1 to %zu, not '%s'\n", BUF_MAX / 2, optarg);
				return 1;
			}
			max = (size_t)v;
			break;
		}
		case 'h':
			fputs(USAGE, stdout);
			return 0;
		default:
			return ctl_option_error(USAGE, "inspect", argv, opts);
		}
	}
	if (ctl_operands(USAGE, "inspect", argc, argv, optind, 0, 1, "FILE") != CTL_OK)
		return CTL_USAGE;
	if (optind < argc)
		path = argv[optind];

	/* read a little more than the limit, so message_parse can say the message is too large */
	if (buf_read_file(&raw, path, max + 1) < 0) {
		if (errno != EFBIG) {
			fprintf(stderr, "feedbackctl inspect: cannot read %s: %s\n",
			    strcmp(path, "-") == 0 ? "standard input" : path, strerror(errno));
			buf_release(&raw);
			return 1;
		}
		/* larger than the limit: let message_parse say so with the length it knows */
		buf_release(&raw);
		in.cls.kind = CLASSIFY_UNKNOWN;
		snprintf(in.error, sizeof(in.error), "message is larger than the limit of %zu "
		    "bytes: not parsed", max);
		classify_add_reason(&in.cls, "could not be parsed: %s", in.error);
	} else if (inspect(raw.data, raw.len, max, &in) < 0) {
		fprintf(stderr, "feedbackctl inspect: %s\n", in.error[0] ? in.error :
		    "out of memory");
		rc = 1;
	}
	if (rc == 0) {
		if (json)
			rc = print_json(&in) < 0 ? 1 : 0;
		else
			print_text(&in);
	}
	json_decref(in.fields);
	trim_info_release(&in.trim);
	buf_release(&in.text);
	classify_result_release(&in.cls);
	message_free(in.msg);
	buf_release(&raw);
	return rc;
}
