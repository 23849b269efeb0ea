/*
 * sdnotify — systemd readiness and watchdog notifications for feedbackd. See include/sdnotify.h.
 *
 * libsystemd's sd_notify() already returns 0 without NOTIFY_SOCKET; we add only the formatting
 * and the watchdog interval. unset_environment is 0 everywhere: the daemon notifies for its
 * whole life, not just once.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "sdnotify.h"
#include "banned.h"

/* A status line is for a human glancing at `systemctl status`: keep it short. */
#define SDNOTIFY_STATUS_MAX 200

void
sdnotify_ready(const char *status)
{
	if (status != NULL && *status != '\0')
		sd_notifyf(0, "READY=1\nSTATUS=%.*s", SDNOTIFY_STATUS_MAX, status);
	else
		sd_notify(0, "READY=1");
}

void
sdnotify_reloading(void)
{
	struct timespec ts;

	/* systemd (Type=notify-reload, ≥ 253) matches the reload by this timestamp; older ones
	 * ignore the field. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nSTATUS=reloading the configuration\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000ULL);
}

void
sdnotify_stopping(void)
{
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
}

void
sdnotify_status(const char *fmt, ...)
{
	char line[SDNOTIFY_STATUS_MAX + 1];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	sd_notifyf(0, "STATUS=%s", line);
}

int
sdnotify_watchdog_interval(void)
{
	uint64_t usec = 0;
	uint64_t half;

	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return 0;
	half = usec / 2 / 1000000ULL;
	if (half < 1)
		return 1;
	return half > 86400 ? 86400 : (int)half;
}

void
sdnotify_watchdog(void)
{
	if (sdnotify_watchdog_interval() > 0)
		sd_notify(0, "WATCHDOG=1");
}
