/*
 * fberror — an error message handed back to the caller (after SQLite's per-handle messages).
 *
 * A function that can fail takes a `struct fb_error *err` as its last argument, returns -1 (or
 * NULL) and fills err->msg with a sentence a user can act on: what was wrong, where (file:line,
 * message id, member) and what to do. Callers decide whether and how to log it: the function
 * itself does not log. err may be NULL when the caller does not care. Messages longer than the
 * buffer are cut, never overflow.
 */
#ifndef FB_FBERROR_H
#define FB_FBERROR_H

#include <stdarg.h>

struct fb_error {
	char msg[1024];
};

/* Set the message; returns -1 so `return fb_error_set(err, ...)` reads naturally. */
int fb_error_set(struct fb_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int fb_error_vset(struct fb_error *err, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Prepend context: "ctx: old message". Returns -1. */
int fb_error_prefix(struct fb_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fb_error_clear(struct fb_error *err);

#endif
