/*
 * sdnotify — tell systemd how feedbackd is doing (Type=notify): ready, reloading, stopping,
 * a one-line status, and the watchdog keep-alive. A thin layer over libsystemd's sd_notify().
 *
 * Every function is a no-op when the daemon was not started by systemd (no NOTIFY_SOCKET in the
 * environment), so callers never ask. Nothing here fails in a way the caller must handle: a
 * notification that cannot be delivered is dropped (systemd would then time the unit out, which
 * is the right outcome). Status text is truncated to a sane length, never rejected.
 */
#ifndef FB_SDNOTIFY_H
#define FB_SDNOTIFY_H

/* READY=1, with an optional STATUS= line (status may be NULL). */
void sdnotify_ready(const char *status);
/* RELOADING=1 (with MONOTONIC_USEC=, as systemd ≥ 253 wants); follow with sdnotify_ready(). */
void sdnotify_reloading(void);
/* STOPPING=1. */
void sdnotify_stopping(void);
/* STATUS=<printf text>, e.g. "sent 3, inbox 2 pending". */
void sdnotify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * How often to send WATCHDOG=1: half of the WATCHDOG_USEC systemd asked for, in whole seconds
 * (at least 1), or 0 when no watchdog is set (or it is meant for another process).
 */
int sdnotify_watchdog_interval(void);
/* WATCHDOG=1, when a watchdog is set. */
void sdnotify_watchdog(void);

#endif
