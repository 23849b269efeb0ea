/*
 * mailbudget — which of a member's waiting automatic mail goes today. See include/mailbudget.h.
 */
#include <stdlib.h>

#include "mailbudget.h"
#include "banned.h"

struct order {
	const struct mailbudget_row *rows;
	size_t i;
};

/* Earlier first, 0 (none) last. */
static int
cmp_time(time_t a, time_t b)
{
	if (a == b)
		return 0;
	if (a == 0)
		return 1;
	if (b == 0)
		return -1;
	return a < b ? -1 : 1;
}

/* Soonest wanted first, then nearest moment, then queue order (qsort is not stable). */
static int
by_want(const void *a, const void *b)
{
	const struct order *x = a, *y = b;
	const struct mailbudget_row *rx = &x->rows[x->i], *ry = &y->rows[y->i];
	int c;

	if ((c = cmp_time(rx->want_by, ry->want_by)) != 0 ||
	    (c = cmp_time(rx->about_at, ry->about_at)) != 0)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

int
mailbudget_plan(struct mailbudget_row *rows, size_t n, int room, time_t now, time_t opens_at)
{
	struct order *o;
	int going = 0;

	if (n == 0)
		return 0;
	if ((o = calloc(n, sizeof(*o))) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		o[i] = (struct order){ rows, i };
	qsort(o, n, sizeof(*o), by_want);
	for (size_t k = 0; k < n; k++) {
		struct mailbudget_row *r = &rows[o[k].i];
		int late = r->about_at != 0 && opens_at != 0 && r->about_at <= opens_at;

		r->wait_until = 0;
		if (r->about_at != 0 && r->about_at <= now)
			r->verdict = MAILBUDGET_DROP_PAST;
		else if (room > 0) {
			r->verdict = MAILBUDGET_GO;
			room--;
		} else if (late)
			r->verdict = r->must_arrive ? MAILBUDGET_GO_OVER : MAILBUDGET_DROP_LATE;
		else {
			r->verdict = MAILBUDGET_WAIT;
			r->wait_until = opens_at;
		}
		going += r->verdict == MAILBUDGET_GO || r->verdict == MAILBUDGET_GO_OVER;
	}
	free(o);
	return going;
}

const char *
mailbudget_verdict_name(enum mailbudget_verdict v)
{
	switch (v) {
	case MAILBUDGET_GO:
		return "goes";
	case MAILBUDGET_GO_OVER:
		return "goes over the budget";
	case MAILBUDGET_DROP_PAST:
		return "dropped";
	case MAILBUDGET_DROP_LATE:
		return "dropped";
	case MAILBUDGET_WAIT:
	default:
		return "waits";
	}
}
