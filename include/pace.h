/*
 * pace — the per-recipient daily cap ([outgoing] per_recipient_daily_cap) as a rate, not a
 * prison. At most cap messages go to one address in any 24 hours (a rolling window, ratecap.h);
 * what does not fit waits in the outbox as held, with the time it will go, and the outbox pass
 * releases it then. Person-to-person mail goes before automatic mail (enum outbox_priority):
 * when the window is full it is the automatic mail that waits, and automatic mail queued but
 * not yet sent yields its place to person mail.
 *
 * Every hold and every release is logged at info level, by outbox id and kind (no address: the
 * log keeps no member's address at info level).
 */
#ifndef FB_PACE_H
#define FB_PACE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "db.h"
#include "fberror.h"
#include "queue.h"

struct pace_stats {
	size_t released;        /* held rows that may go now */
	size_t held;            /* rows newly held, or whose time moved */
};

/*
 * Queue m and plan the mail waiting for its recipient at now with cap (call inside the
 * transaction of the change that caused it). *id (may be NULL) is m's row; *goes_at (may be
 * NULL) is when m will go: 0 when it goes now, else the time the cap lets it go. 0, or -1 with
 * err.
 */
int pace_add(struct db *db, const struct outbox_new *m, time_t now, int cap, int64_t *id,
    time_t *goes_at, struct fb_error *err);

/*
 * Plan the mail waiting for recipient at now with cap, row id (queued, let through just now:
 * the mail budget released it, budget.h) among it; *goes_at as pace_add(). Inside the
 * caller's transaction. 0, or -1 with err.
 */
int pace_plan_row(struct db *db, const char *recipient, int64_t id, time_t now, int cap,
    time_t *goes_at, struct fb_error *err);

/*
 * Plan again, at now, the mail waiting for every address that has held mail, one transaction
 * per address: what the window allows now is released (queued, due now), the rest stays held
 * with its time brought up to date (a changed cap counts from here). Run before each outbox
 * pass. st may be NULL. 0, or -1 with err (what was planned before the error stays planned).
 */
int pace_release(struct db *db, time_t now, int cap, struct pace_stats *st,
    struct fb_error *err);

#endif
