/*
 * libFuzzer target: authres_parse() on any bytes as one header value, then authres_check()
 * on the bytes as a whole message — the comment, quoted-string and property loops, the bounds,
 * and the verdict's walk over every Authentication-Results header.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "authres.h"
#include "message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct authres ar;
	struct fb_error err;
	struct fb_message *m;
	struct buf why = BUF_INIT;
	int rc = authres_parse((const char *)data, size, &ar);

	if (rc == 0) {
		if (ar.authserv_id == NULL || ar.nresults > AUTHRES_MAX_RESULTS)
			__builtin_trap();
		for (size_t i = 0; i < ar.nresults; i++)
			if (ar.results[i].method == NULL || ar.results[i].result == NULL ||
			    ar.results[i].nprops > AUTHRES_MAX_PROPS)
				__builtin_trap();
	} else if (ar.authserv_id != NULL || ar.nresults != 0) {
		__builtin_trap();
	}
	authres_release(&ar);
	m = message_parse((const char *)data, size, 1 << 20, &err);
	if (m == NULL)
		return 0;
	rc = authres_check(m, "mx.example.org, mx2.example.org", size % 2 ? "dkim" : "dmarc",
	    &why);
	if (rc == 1 && m->from.addr == NULL)
		__builtin_trap();
	buf_release(&why);
	message_free(m);
	return 0;
}
