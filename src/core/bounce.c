/*
 * bounce — the bounce score of an address (see include/bounce.h for the rules and why).
 */
#include <stdlib.h>

#include "bounce.h"
#include "banned.h"

#define DAY 86400

static int
weight(const struct bounce_event *e)
{
	return e->permanent ? BOUNCE_HARD_SCORE : BOUNCE_SOFT_SCORE;
}

int
bounce_score(const struct bounce_event *ev, size_t n, time_t now, time_t window)
{
	long long score = 0;

	/* Quadratic in n, on purpose: n is the bounces of one address within the window (a few);
	 * an event counts only when it is the heaviest of its day, the first such on ties. */
	for (size_t i = 0; i < n; i++) {
		time_t day = ev[i].at / DAY;
		int counts = ev[i].at > now - window && ev[i].at <= now;

		for (size_t j = 0; j < n && counts; j++) {
			if (j == i || ev[j].at / DAY != day || ev[j].at <= now - window ||
			    ev[j].at > now)
				continue;
			if (weight(&ev[j]) > weight(&ev[i]) ||
			    (weight(&ev[j]) == weight(&ev[i]) && j < i))
				counts = 0;
		}
		if (counts)
			score += weight(&ev[i]);
		if (score > 1000000)
			break;
	}
	return (int)score;
}

int
bounce_unreachable(int score, int threshold)
{
	return threshold > 0 && score >= threshold;
}
