/*
 * libFuzzer target: message_parse() then classify_message() — bounce text scans, token
 * finders and the iTIP path — on any bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "classify.h"
#include "message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fb_error err;
	struct fb_message *m = message_parse((const char *)data, size, 1 << 20, &err);
	struct classify_result r;

	if (m == NULL)
		return 0;
	if (classify_message(m, &r, &err) == 0) {
		if (r.nreasons == 0 || strlen(classify_kind_name(r.kind)) == 0)
			__builtin_trap();
		if (r.kind == CLASSIFY_BOUNCE && r.bounce.permanent != (r.bounce.status[0] == '5'))
			__builtin_trap();
	}
	classify_result_release(&r);
	message_free(m);
	return 0;
}
