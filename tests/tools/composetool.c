/*
 * composetool — a development tool: read a message description as JSON on stdin, write
 * compose_build()'s message on stdout (exit 1 and the error on stderr when it refuses).
 * Used by tests/integration/t0300-compose-roundtrip.py to check what we build with Python's
 * email package. Keys (all optional except as compose_build requires):
 *   from_addr from_name to_addr to_name reply_to subject date (epoch seconds) tz message_id
 *   token domain in_reply_to references automatic (bool) text html calendar calendar_method
 *   attachments: [{"filename", "content_type", "data"}]   headers: [["name", "value"], ...]
 * With --mailto it reads {"to", "subject", "body"} and prints compose_mailto()'s URI.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "compose.h"
#include "fbrandom.h"
#include "fbtime.h"
#include "banned.h"

#define MAX_LIST 64

static const char *
str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int
mailto(json_t *in)
{
	struct buf out = BUF_INIT;
	int rc = 1;

	if (compose_mailto(str(in, "to"), str(in, "subject"), str(in, "body"), &out) == 0) {
		fwrite(out.data, 1, out.len, stdout);
		rc = 0;
	} else
		fputs("composetool: compose_mailto failed\n", stderr);
	buf_release(&out);
	return rc;
}

int
main(int argc, char **argv)
{
	struct compose_msg m = { 0 };
	unsigned char rnd[COMPOSE_RANDOM_BYTES];
	struct compose_attachment att[MAX_LIST];
	struct compose_header hdr[MAX_LIST];
	struct buf in = BUF_INIT, out = BUF_INIT;
	struct fb_error err = { { 0 } };
	json_error_t jerr;
	json_t *j, *list;
	size_t i;
	int rc = 1;

	if (buf_read_file(&in, "-", (size_t)64 << 20) < 0) {
		perror("composetool: stdin");
		return 1;
	}
	j = json_loadb(in.data, in.len, 0, &jerr);
	if (j == NULL) {
		fprintf(stderr, "composetool: %s\n", jerr.text);
		goto out;
	}
	if (argc > 1 && strcmp(argv[1], "--mailto") == 0) {
		rc = mailto(j);
		goto out;
	}
	m.from_addr = str(j, "from_addr");
	m.from_name = str(j, "from_name");
	m.to_addr = str(j, "to_addr");
	m.to_name = str(j, "to_name");
	m.reply_to = str(j, "reply_to");
	m.subject = str(j, "subject");
	m.date = (time_t)json_integer_value(json_object_get(j, "date"));
	m.tz = str(j, "tz");
	m.message_id = str(j, "message_id");
	m.token = str(j, "token");
	m.domain = str(j, "domain");
	m.in_reply_to = str(j, "in_reply_to");
	m.references = str(j, "references");
	m.automatic = json_is_true(json_object_get(j, "automatic"));
	m.text = str(j, "text");
	m.html = str(j, "html");
	m.calendar = str(j, "calendar");
	m.calendar_method = str(j, "calendar_method");
	list = json_object_get(j, "attachments");
	for (i = 0; i < json_array_size(list) && i < MAX_LIST; i++) {
		json_t *a = json_array_get(list, i);

		att[i].filename = str(a, "filename");
		att[i].content_type = str(a, "content_type");
		att[i].data = str(a, "data");
		att[i].len = json_string_length(json_object_get(a, "data"));
	}
	m.attachments = att;
	m.nattachments = i;
	list = json_object_get(j, "headers");
	for (i = 0; i < json_array_size(list) && i < MAX_LIST; i++) {
		hdr[i].name = json_string_value(json_array_get(json_array_get(list, i), 0));
		hdr[i].value = json_string_value(json_array_get(json_array_get(list, i), 1));
	}
	m.headers = hdr;
	m.nheaders = i;
	m.random = rnd;

	if (fbrandom_bytes(rnd, sizeof(rnd), &err) < 0 || compose_build(&m, &out, &err) < 0) {
		fprintf(stderr, "composetool: %s\n", err.msg);
		goto out;
	}
	fwrite(out.data, 1, out.len, stdout);
	rc = 0;
out:
	json_decref(j);
	buf_release(&in);
	buf_release(&out);
	fbtime_cleanup();
	return rc;
}
