/*
 * ratecap — the per-recipient daily cap as a rate over a rolling window (pure: no store, no
 * clock). Given when the messages already let through to one address went (or will go), and
 * the messages still waiting for that address in the order they should go (highest priority
 * first), it says when each waiting message may go: now, or the moment the window has room
 * again — when the oldest counted message leaves it. Nothing waits forever: every message gets
 * a time, and a later message never overtakes an earlier one in the order given.
 *
 * A window of RATECAP_WINDOW seconds holds at most cap messages, for every window position:
 * message i goes at max(now, the cap-th most recent earlier time + RATECAP_WINDOW).
 */
#ifndef FB_RATECAP_H
#define FB_RATECAP_H

#include <stddef.h>
#include <time.h>

/* The cap's window: 24 hours, rolling. */
#define RATECAP_WINDOW ((time_t)86400)

struct ratecap_row {
	time_t admitted;  /* in: when it was let through, <= now (0: it is held) */
	time_t at;        /* out: when it may go; now when it may go now */
};

/*
 * Plan rows[0..n) (in the order they should go) against the times counted[0..ncounted) of
 * messages already let through to the same address (any order; those older than the window
 * do not matter). A row that may go now keeps its own admitted time in the count (or now when
 * it was held); a row that must wait counts at its planned time. cap <= 0: no cap, all now.
 * 0, or -1 when memory runs out (rows untouched).
 */
int ratecap_plan(const time_t *counted, size_t ncounted, struct ratecap_row *rows, size_t n,
    int cap, time_t now);

#endif
