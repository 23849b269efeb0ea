/*
 * bounce — how many bounces make an address unreachable: a score, in the manner of Discourse.
 *
 * One bounce is not a verdict. A full mailbox, a greylisting server or a spam filter that
 * misfires on one message all bounce once; an address that really is gone bounces every time.
 * So each bounce that proves it is about our mail (see apply.h) is recorded, and the address's
 * score over the recent ones decides:
 *
 *   - a permanent failure (status 5.x.x) weighs BOUNCE_HARD_SCORE (2), a temporary one
 *     (4.x.x, "delayed") BOUNCE_SOFT_SCORE (1);
 *   - one bounce a day counts at most, the heaviest of that day (UTC): a mail server that
 *     returns the ten messages of one busy morning is one fact, not ten;
 *   - a bounce counts for `window` seconds ([outgoing] bounce_window, default 30 days), then
 *     expires;
 *   - the address is unreachable when the score reaches the threshold ([outgoing]
 *     bounce_threshold, default 4): with the defaults, permanent failures on two different
 *     days, or four days of temporary ones, within 30 days.
 * Discourse (hard 2, soft 1, threshold 4, reset after 30 days, once a day) is the model; here a
 * bounce expires on its own rather than the whole score at once, so an address that bounced
 * once a month for a year never adds up.
 *
 * A genuine reply from the address, or `feedbackctl member reachable`, clears the recorded
 * bounces (the store's side, store_feedback.h). Pure: events and now in, a number out.
 */
#ifndef FB_BOUNCE_H
#define FB_BOUNCE_H

#include <stddef.h>
#include <time.h>

#define BOUNCE_HARD_SCORE 2
#define BOUNCE_SOFT_SCORE 1

struct bounce_event {
	time_t at;       /* when the bounce was read */
	int permanent;   /* 1: a 5.x.x failure */
};

/* The score of the events at (now - window, now] (others are ignored): per UTC day the weight
 * of its heaviest bounce, summed. Events in any order; n may be 0. Never negative. */
int bounce_score(const struct bounce_event *ev, size_t n, time_t now, time_t window);

/* 1 when score reaches threshold, else 0. */
int bounce_unreachable(int score, int threshold);

#endif
