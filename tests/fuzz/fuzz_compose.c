/*
 * fuzz_compose — libFuzzer target: random subject, display name, text and HTML (the input
 * split at NUL bytes) through compose_build(). It must never crash; when it accepts the
 * input, the message must have CRLF-only lines of at most 998 octets and message_parse()
 * must read it back with the same text body (LF line ends), unless the text holds a character
 * the reader takes out by design (zero-width and tracking characters).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "compose.h"
#include "message.h"
#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_wire(const struct buf *b)
{
	size_t col = 0;

	for (size_t i = 0; i < b->len; i++) {
		if (b->data[i] == '\r') {
			if (i + 1 >= b->len || b->data[i + 1] != '\n')
				abort();
			i++;
			col = 0;
		} else if (b->data[i] == '\n' || ++col > 998)
			abort();
	}
}

/* Does s hold a character the reader takes out of every text by design (message.h: zero-width
 * space and (non-)joiner, word joiner, a BOM inside the text, soft hyphen, the tracking mark
 * U+1427)? Such a text does not come back byte for byte, so it is not compared. */
static int
has_invisible(const char *s)
{
	static const char *const marks[] = { "\xE2\x80\x8B", "\xE2\x80\x8C", "\xE2\x80\x8D",
	    "\xE2\x81\xA0", "\xEF\xBB\xBF", "\xC2\xAD", "\xE1\x90\xA7" };

	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (strstr(s, marks[i]) != NULL)
			return 1;
	return 0;
}

/* Fixed "random" bytes: a run is a function of its input. */
static const unsigned char RND[COMPOSE_RANDOM_BYTES] = { 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7 };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf in = BUF_INIT, out = BUF_INIT, want = BUF_INIT;
	const char *field[4] = { "", "", "x", NULL };
	struct compose_msg m = { 0 };
	struct fb_error err;
	struct fb_message *msg;
	size_t nf = 0;

	if (size > 65536 || buf_add(&in, data, size) < 0)
		return 0;
	field[nf++] = in.data;
	for (size_t i = 0; i < in.len && nf < 4; i++)
		if (in.data[i] == '\0')
			field[nf++] = in.data + i + 1;
	m.from_addr = "feedback@example.org";
	m.to_addr = "jeroen@example.nl";
	m.subject = field[0];
	m.to_name = field[1];
	m.from_name = field[1];
	m.text = field[2];
	m.html = field[3];
	m.message_id = "<f@example.org>";
	m.random = RND;
	if (compose_build(&m, &out, &err) == 0) {
		check_wire(&out);
		msg = message_parse(out.data, out.len, MESSAGE_DEFAULT_MAX_SIZE, &err);
		if (msg == NULL)
			abort();
		/* The text body comes back as sent, line ends as LF, a final LF added (and a
		 * leading byte order mark dropped by message_parse). */
		for (const char *p = m.text + (strncmp(m.text, "\xEF\xBB\xBF", 3) ? 0 : 3);
		    *p; p++) {
			if (*p == '\r' && p[1] == '\n')
				continue;
			buf_putch(&want, *p == '\r' ? '\n' : *p);
		}
		if (want.len == 0 || want.data[want.len - 1] != '\n')
			buf_putch(&want, '\n');
		/* an incomplete expected text (< 64 KiB) is never compared with */
		if (buf_failed(&want))
			abort();
		if (msg->text_from_html || (!has_invisible(want.data) &&
		    strcmp(msg->text, want.data) != 0))
			abort();
		message_free(msg);
	}
	buf_release(&in);
	buf_release(&out);
	buf_release(&want);
	return 0;
}
