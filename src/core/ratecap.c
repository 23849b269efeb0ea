/*
 * ratecap — the daily cap as a rolling-window rate. See include/ratecap.h.
 */
#include <stdlib.h>
#include <string.h>

#include "ratecap.h"
#include "banned.h"

static int
cmp_time(const void *a, const void *b)
{
	time_t x = *(const time_t *)a, y = *(const time_t *)b;

	return x < y ? -1 : x > y;
}

/* Insert t into the sorted s[0..*n), keeping it sorted. */
static void
insert_sorted(time_t *s, size_t *n, time_t t)
{
	size_t i = *n;

	while (i > 0 && s[i - 1] > t)
		i--;
	memmove(s + i + 1, s + i, (*n - i) * sizeof(*s));
	s[i] = t;
	(*n)++;
}

int
ratecap_plan(const time_t *counted, size_t ncounted, struct ratecap_row *rows, size_t n,
    int cap, time_t now)
{
	time_t *s;
	size_t ns = 0;

	if (cap <= 0) {
		for (size_t i = 0; i < n; i++)
			rows[i].at = now;
		return 0;
	}
	if (ncounted + n < ncounted || (s = calloc(ncounted + n + 1, sizeof(*s))) == NULL)
		return -1;
	/* Only the window matters: older times can never be among the cap most recent that
	 * decide a slot at or after now. */
	for (size_t i = 0; i < ncounted; i++)
		if (counted[i] > now - RATECAP_WINDOW)
			s[ns++] = counted[i];
	qsort(s, ns, sizeof(*s), cmp_time);
	for (size_t i = 0; i < n; i++) {
		time_t at = now;

		/* Every counted time is <= at (waiting rows are planned in order, so their times
		 * only grow): the window ending at `at` has room when the cap-th most recent
		 * time has left it. */
		if (ns >= (size_t)cap && s[ns - (size_t)cap] + RATECAP_WINDOW > at)
			at = s[ns - (size_t)cap] + RATECAP_WINDOW;
		rows[i].at = at;
		insert_sorted(s, &ns, at == now && rows[i].admitted != 0 &&
		    rows[i].admitted <= now ? rows[i].admitted : at);
	}
	free(s);
	return 0;
}
