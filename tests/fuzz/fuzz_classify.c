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
	static struct classify_rules *rules; /* compiled once, as the daemon does */
	struct fb_error err;
	struct fb_message *m;
	struct classify_result r;

	if (rules == NULL && (rules = classify_rules_new(&err)) == NULL)
		__builtin_trap(); /* a built-in table that does not compile */
	m = message_parse((const char *)data, size, 1 << 20, &err);
	if (m == NULL)
		return 0;
	if (classify_message_with(rules, m, &r, &err) == 0) {
		if (r.nreasons == 0 || strlen(classify_kind_name(r.kind)) == 0)
			__builtin_trap();
		if (r.kind == CLASSIFY_BOUNCE && r.bounce.permanent != (r.bounce.status[0] == '5'))
			__builtin_trap();
	}
	classify_result_release(&r);
	message_free(m);
	return 0;
}
