/*
 * log — see include/log.h. Writes whole lines with one write() so lines from concurrent
 * processes (tests run several) do not interleave.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "banned.h"

static const char *log_name = "feedbackd";
static enum log_level log_level = LOG_LEVEL_INFO;
static int log_journal = -1;  /* -1: not decided yet */

static const char *const level_names[] = { "error", "warning", "info", "debug" };
/* sd-daemon(3) priority prefixes: err, warning, info, debug. */
static const char *const level_prefix[] = { "<3>", "<4>", "<6>", "<7>" };

void
log_init(const char *name, enum log_level level)
{
	log_name = name;
	log_level = level;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

int
log_level_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcmp(s, level_names[i]) == 0)
			return (int)i;
	return -1;
}

static void log_emit(enum log_level level, int errnum, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void
log_emit(enum log_level level, int errnum, const char *fmt, va_list ap)
{
	struct buf line = BUF_INIT;

	if (level > log_level)
		return;
	if (log_journal < 0)
		log_journal = getenv("JOURNAL_STREAM") != NULL;
	if (log_journal)
		buf_puts(&line, level_prefix[level]);
	else
		buf_putf(&line, "%s: %s%s", log_name,
		    level <= LOG_LEVEL_WARNING ? level_names[level] : "",
		    level <= LOG_LEVEL_WARNING ? ": " : "");
	buf_vputf(&line, fmt, ap);
	if (errnum)
		buf_putf(&line, ": %s", strerror(errnum));
	buf_putch(&line, '\n');
	if (buf_failed(&line)) {
		buf_reset(&line);
		buf_puts(&line, "out of memory formatting a log line\n");
	}
	if (write(STDERR_FILENO, line.data, line.len) < 0) {
		/* nowhere left to report it */
	}
	buf_release(&line);
}

#define LOG_FN(fn, level, with_errno)                                \
	void fn(const char *fmt, ...)                                \
	{                                                            \
		int e = errno;                                       \
		va_list ap;                                          \
		va_start(ap, fmt);                                   \
		log_emit(level, (with_errno) ? e : 0, fmt, ap);      \
		va_end(ap);                                          \
		errno = e;                                           \
	}

LOG_FN(log_warn, LOG_LEVEL_WARNING, 1)
LOG_FN(log_warnx, LOG_LEVEL_WARNING, 0)
LOG_FN(log_info, LOG_LEVEL_INFO, 0)
LOG_FN(log_debug, LOG_LEVEL_DEBUG, 0)
LOG_FN(log_errorx, LOG_LEVEL_ERROR, 0)

void
fatal(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_ERROR, e, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_ERROR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
