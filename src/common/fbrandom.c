/*
 * fbrandom — random bytes for the shell. See include/fbrandom.h.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "fbrandom.h"
#include "banned.h"

int
fbrandom_bytes(void *p, size_t n, struct fb_error *err)
{
	unsigned char *b = p;
	size_t got = 0;
	int tries = 0;

	while (got < n) {
		ssize_t r = getrandom(b + got, n - got, 0);

		if (r < 0) {
			if (errno == EINTR && ++tries < 100)
				continue;
			return fb_error_set(err, "no random bytes: getrandom: %s", strerror(errno));
		}
		got += (size_t)r;
	}
	return 0;
}
