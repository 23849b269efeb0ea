/*
 * buf — growable string buffer. See include/buf.h for the contract.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "banned.h"

char buf_empty[1];

void
buf_init(struct buf *b)
{
	b->data = buf_empty;
	b->len = 0;
	b->alloc = 0;
	b->failed = 0;
}

void
buf_release(struct buf *b)
{
	if (b->alloc)
		free(b->data);
	buf_init(b);
}

int
buf_failed(const struct buf *b)
{
	return b->failed;
}

/* Remember the first failure (errno e) and fail: every later append fails the same way. */
static int
buf_fail(struct buf *b, int e)
{
	if (!b->failed)
		b->failed = e ? e : ENOMEM;
	errno = b->failed;
	return -1;
}

int
buf_grow(struct buf *b, size_t extra)
{
	size_t need, n;
	char *p;

	if (b->failed)
		return buf_fail(b, b->failed);
	if (extra > BUF_MAX - b->len - 1)
		return buf_fail(b, EFBIG);
	need = b->len + extra + 1;
	if (need <= b->alloc)
		return 0;
	n = b->alloc ? b->alloc : 64;
	while (n < need)
		n = n < BUF_MAX / 2 ? n * 2 : need;
	p = b->alloc ? realloc(b->data, n) : malloc(n);
	if (p == NULL)
		return buf_fail(b, ENOMEM);
	if (!b->alloc)
		p[0] = '\0';
	b->data = p;
	b->alloc = n;
	return 0;
}

int
buf_add(struct buf *b, const void *data, size_t len)
{
	if (b->failed)
		return buf_fail(b, b->failed);
	if (len == 0)
		return 0;
	if (buf_grow(b, len) < 0)
		return -1;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int
buf_add_lines(struct buf *b, const char *s, const char *sep)
{
	for (; *s; s++) {
		if (*s == '\r' && s[1] == '\n')
			continue;
		if ((*s == '\n' || *s == '\r' ? buf_adds(b, sep) : buf_addch(b, *s)) < 0)
			return -1;
	}
	return 0;
}

int
buf_addch(struct buf *b, char c)
{
	/* the reading pipeline appends text a byte at a time: with room made, no further calls */
	if (b->len + 1 < b->alloc && !b->failed) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
		return 0;
	}
	return buf_add(b, &c, 1);
}

int
buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	if (b->failed)
		return buf_fail(b, b->failed);
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return buf_fail(b, errno);
	if (buf_grow(b, (size_t)n) < 0)
		return -1;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vaddf(b, fmt, ap);
	va_end(ap);
	return r;
}

void
buf_put(struct buf *b, const void *data, size_t len)
{
	if (buf_add(b, data, len) < 0)
		return; /* the failure stays in b for buf_failed() */
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

void
buf_putch(struct buf *b, char c)
{
	if (buf_addch(b, c) < 0)
		return; /* the failure stays in b for buf_failed() */
}

void
buf_vputf(struct buf *b, const char *fmt, va_list ap)
{
	if (buf_vaddf(b, fmt, ap) < 0)
		return; /* the failure stays in b for buf_failed() */
}

void
buf_putf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vputf(b, fmt, ap);
	va_end(ap);
}

void
buf_reset(struct buf *b)
{
	buf_truncate(b, 0);
	b->failed = 0;
}

void
buf_truncate(struct buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->data[len] = '\0';
}

void
buf_rtrim(struct buf *b)
{
	size_t n = b->len;

	while (n > 0 && strchr(" \t\r\n", b->data[n - 1]) != NULL)
		n--;
	buf_truncate(b, n);
}

size_t
buf_utf8_seq(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t more;
	uint32_t cp;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		more = 1;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		more = 2;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		more = 3;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n <= more)
		return 0;
	for (size_t j = 1; j <= more; j++) {
		if ((s[j] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[j] & 0x3f);
	}
	if ((more == 2 && cp < 0x800) || (more == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return more + 1;
}

int
buf_add_utf8(struct buf *b, const char *s, size_t len)
{
	size_t start = b->len;
	int bad = 0;

	if (b->failed)
		return buf_fail(b, b->failed);
	for (size_t i = 0; i < len;) {
		size_t k = buf_utf8_seq(s + i, len - i);

		if (k == 0) {
			if (buf_add(b, "\xEF\xBF\xBD", 3) < 0)
				goto fail;
			bad++;
			i++;
			continue;
		}
		if (buf_add(b, s + i, k) < 0)
			goto fail;
		i += k;
	}
	return bad;
fail:
	/* the policy: a failed append leaves the contents as they were before it */
	buf_truncate(b, start);
	return -1;
}

char *
buf_detach(struct buf *b, size_t *len)
{
	char *p;

	if (b->alloc == 0 && buf_grow(b, 1) < 0)
		return NULL;
	p = b->data;
	if (len)
		*len = b->len;
	buf_init(b);
	return p;
}

int
buf_read_file(struct buf *b, const char *path, size_t max)
{
	int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	size_t start = b->len;
	ssize_t n;

	if (fd < 0)
		return -1;
	for (;;) {
		if (buf_grow(b, 65536) < 0)
			goto fail;
		n = read(fd, b->data + b->len, b->alloc - b->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		b->len += (size_t)n;
		b->data[b->len] = '\0';
		if (b->len - start > max) {
			errno = EFBIG;
			goto fail;
		}
	}
	if (fd != 0)
		close(fd);
	return 0;
fail:
	if (fd != 0) {
		int e = errno;
		close(fd);
		errno = e;
	}
	buf_truncate(b, start);
	return -1;
}

size_t
buf_utf8_width(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}
