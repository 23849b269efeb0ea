/*
 * libFuzzer target: message_parse() on any bytes (and the HTML renderer on the same bytes), to
 * find crashes, overreads, leaks and hangs in the MIME, charset and HTML paths.
 */
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fb_error err;
	struct fb_message *m = message_parse((const char *)data, size, 1 << 20, &err);
	struct buf out = BUF_INIT;

	if (m != NULL) {
		/* the promises of message.h: text is NUL-terminated at text_len */
		if (m->text == NULL || m->text[m->text_len] != '\0')
			__builtin_trap();
		message_free(m);
	}
	if (size < 65536) {
		(void)message_html_to_text((const char *)data, size, &out);
		buf_release(&out);
	}
	return 0;
}
