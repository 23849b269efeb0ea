/*
 * fberror — see include/fberror.h.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "fberror.h"
#include "banned.h"

int
fb_error_vset(struct fb_error *err, const char *fmt, va_list ap)
{
	if (err != NULL)
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return -1;
}

int
fb_error_set(struct fb_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fb_error_vset(err, fmt, ap);
	va_end(ap);
	return -1;
}

int
fb_error_prefix(struct fb_error *err, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;
	size_t n;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	buf_vputf(&msg, fmt, ap);
	va_end(ap);
	buf_putf(&msg, ": %s", err->msg);
	if (buf_failed(&msg)) {
		/* out of memory: the bare message says more than a cut one */
		buf_release(&msg);
		return -1;
	}
	n = msg.len < sizeof(err->msg) - 1 ? msg.len : sizeof(err->msg) - 1;
	memcpy(err->msg, msg.data, n);
	err->msg[n] = '\0';
	buf_release(&msg);
	return -1;
}

void
fb_error_clear(struct fb_error *err)
{
	if (err != NULL)
		err->msg[0] = '\0';
}
