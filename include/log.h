/*
 * log — the daemon's and the CLI's logging: one line per event on stderr, which journald
 * collects under systemd (with <N> priority prefixes when JOURNAL_STREAM says so).
 *
 * log_warn() appends strerror(errno); log_warnx() does not (after OpenBSD's log.c).
 * fatal()/fatalx() log and exit(1): only for start-up failures and programmer errors.
 * Never log a secret (passwords, tokens of live replies): callers mask them.
 */
#ifndef FB_LOG_H
#define FB_LOG_H

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARNING, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

/* name is kept by pointer: pass a string literal or argv[0]. */
void log_init(const char *name, enum log_level level);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* "error", "warning", "info", "debug" → level; -1 when unknown. */
int log_level_parse(const char *s);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_errorx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
