/*
 * buf — the one growable string buffer of feedbackd (after git's strbuf).
 *
 * A struct buf always holds a NUL-terminated string (data[len] == '\0'), also when empty, so
 * buf.data can be passed to any C string function. It may also hold binary data with NULs
 * inside; len is authoritative.
 *
 * Lifecycle: BUF_INIT or buf_init() → appends → buf_release() (frees, back to empty) or
 * buf_detach() (hands the malloc'd string to the caller). Every append returns 0, or -1 when
 * memory runs out or the buffer would exceed BUF_MAX; on failure the contents are unchanged.
 */
#ifndef FB_BUF_H
#define FB_BUF_H

#include <stdarg.h>
#include <stddef.h>

/* Upper bound on one buffer: larger inputs are hostile or a bug. */
#define BUF_MAX ((size_t)1 << 30)

struct buf {
	char *data;   /* never NULL: points to a static "" until something is added */
	size_t len;
	size_t alloc; /* 0 while data points to the static empty string */
};

extern char buf_empty[];
#define BUF_INIT { buf_empty, 0, 0 }

void buf_init(struct buf *b);
/* Free the contents; b is empty and reusable afterwards. */
void buf_release(struct buf *b);
/* Make room for at least extra more bytes. */
int buf_grow(struct buf *b, size_t extra);
int buf_add(struct buf *b, const void *data, size_t len);
int buf_adds(struct buf *b, const char *s);
int buf_addch(struct buf *b, char c);
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Empty the buffer but keep its memory. */
void buf_reset(struct buf *b);
/* Shorten to len bytes (len <= b->len). */
void buf_truncate(struct buf *b, size_t len);
/* Remove trailing spaces, tabs, CR and LF. */
void buf_rtrim(struct buf *b);
/* The length of the well-formed UTF-8 sequence at s (n bytes available): 1..4, or 0 when
 * s[0] does not start one (a stray continuation byte, an overlong form, a surrogate, a cut). */
size_t buf_utf8_seq(const char *s, size_t n);
/* The display width of s[0..len) for aligned columns: its code points (every byte but UTF-8
 * continuation bytes), not its bytes. */
size_t buf_utf8_width(const char *s, size_t len);
/* Append len bytes of s, each byte that does not start a well-formed UTF-8 sequence replaced
 * by U+FFFD, so the result is always valid UTF-8 (JSON output needs it). Returns how many
 * bytes were replaced, or -1 on ENOMEM. */
int buf_add_utf8(struct buf *b, const char *s, size_t len);
/* Return the string, malloc'd (caller frees with free()); b is empty afterwards. NULL on ENOMEM. */
char *buf_detach(struct buf *b, size_t *len);
/* Read a whole file (or stdin for "-") into b, at most max bytes. -1 with errno on failure;
 * EFBIG when the file is larger than max. */
int buf_read_file(struct buf *b, const char *path, size_t max);

#endif
