/*
 * buf — the one growable string buffer of feedbackd (after git's strbuf).
 *
 * A struct buf always holds a NUL-terminated string (data[len] == '\0'), also when empty, so
 * buf.data can be passed to any C string function. It may also hold binary data with NULs
 * inside; len is authoritative.
 *
 * Lifecycle: BUF_INIT or buf_init() → appends → buf_release() (frees, back to empty) or
 * buf_detach() (hands the malloc'd string to the caller).
 *
 * Failure policy (the house's one rule for buffers): an append fails when memory runs out or
 * the buffer would exceed BUF_MAX. A failed append leaves the contents as they were before it,
 * and the buffer remembers the failure: every later append is a no-op that fails too, until
 * buf_reset(), buf_release(), buf_init() or buf_detach() clears it. So a buffer never holds
 * text with a piece silently missing from its middle. Two families of appends:
 *   - buf_add, buf_adds, buf_addch, buf_addf, buf_vaddf, buf_grow, buf_add_utf8 return 0 (or a
 *     count) / -1 and the compiler refuses to let the result be ignored: for code that checks
 *     each append;
 *   - buf_put, buf_puts, buf_putch, buf_putf, buf_vputf return nothing: for builders that append
 *     many pieces and check buf_failed() once at the end (once per message, line or report),
 *     before the text is used. Never use a buffer's text without one of the two checks.
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
	int failed;   /* 0, or the errno (ENOMEM, EFBIG) of the first failed append: sticky */
};

extern char buf_empty[];
#define BUF_INIT { buf_empty, 0, 0, 0 }

#define BUF_MUST_CHECK __attribute__((warn_unused_result))

void buf_init(struct buf *b);
/* Free the contents and clear the failure; b is empty and reusable afterwards. */
void buf_release(struct buf *b);
/* Nonzero (the errno of the first failure) when an append to b has failed since it was last
 * emptied: its text lacks something and must not be used. */
int buf_failed(const struct buf *b);

/* Appends that say each time whether they worked: 0, or -1 with errno set (and b failed). */
/* Make room for at least extra more bytes. */
int buf_grow(struct buf *b, size_t extra) BUF_MUST_CHECK;
int buf_add(struct buf *b, const void *data, size_t len) BUF_MUST_CHECK;
int buf_adds(struct buf *b, const char *s) BUF_MUST_CHECK;
int buf_addch(struct buf *b, char c) BUF_MUST_CHECK;
/* s with every line break (CRLF, CR or LF) written as sep: a multi-line text on one line, or
 * indented under a heading. */
int buf_add_lines(struct buf *b, const char *s, const char *sep) BUF_MUST_CHECK;
int buf_addf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3))) BUF_MUST_CHECK;
int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0))) BUF_MUST_CHECK;

/* The same appends for builders: no result; check buf_failed() once before using the text. */
void buf_put(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putch(struct buf *b, char c);
void buf_putf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vputf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Empty the buffer but keep its memory; clears the failure. */
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
int buf_add_utf8(struct buf *b, const char *s, size_t len) BUF_MUST_CHECK;
/* Return the string, malloc'd (caller frees with free()); b is empty (and no longer failed)
 * afterwards. NULL on ENOMEM. It does not look at buf_failed(): check that first. */
char *buf_detach(struct buf *b, size_t *len);
/* Read a whole file (or stdin for "-") into b, at most max bytes. -1 with errno on failure;
 * EFBIG when the file is larger than max. */
int buf_read_file(struct buf *b, const char *path, size_t max);

#endif
