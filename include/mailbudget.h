/*
 * mailbudget — the rule of the mail budget per member per day (budget.h has the shell): given
 * a member's automatic mail that waits, how much of today's budget is used, and when the next
 * day's budget opens, which mail goes now, which waits and which is no use any more.
 *
 * The rule, for the waiting rows taken by when they are wanted (want_by: a nudge or a
 * questionnaire when it was made, an invitation a week before its session; mailkind.h), the
 * soonest first, then by their moment (about_at; 0, none, last), then in queue order:
 *   - a row whose moment has passed (about_at <= now) is dropped: no use any more;
 *   - while today's budget has room, the row goes;
 *   - with no room, a row that waiting would bring after its moment (about_at <= opens_at)
 *     goes anyway when it must arrive (an invitation: the session is still ahead, and a
 *     calendar without it is wrong), and is dropped otherwise (a reminder after its window
 *     helps nobody);
 *   - the rest waits until opens_at.
 * Pure: values in, verdicts out; no clock (now is given), no store.
 */
#ifndef FB_MAILBUDGET_H
#define FB_MAILBUDGET_H

#include <stddef.h>
#include <time.h>

enum mailbudget_verdict {
	MAILBUDGET_WAIT = 0,     /* stays deferred until opens_at */
	MAILBUDGET_GO,           /* goes now, within the budget */
	MAILBUDGET_GO_OVER,      /* goes now over the budget: it must arrive before its moment */
	MAILBUDGET_DROP_PAST,    /* dropped: its moment has passed */
	MAILBUDGET_DROP_LATE,    /* dropped: waiting would bring it after its moment */
};

struct mailbudget_row {
	time_t about_at;         /* in: the moment it is about; 0: none */
	time_t want_by;          /* in: when it is wanted (the order); 0: none, last */
	int must_arrive;         /* in: 1 when it goes over the budget rather than miss its moment */
	enum mailbudget_verdict verdict; /* out */
	time_t wait_until;       /* out, with MAILBUDGET_WAIT: opens_at */
};

/*
 * Decide rows[0..n) (in the order they were queued) at now: `room` more may go today (<= 0:
 * none), and the next budget opens at opens_at (0: not known; nothing is then dropped for
 * lateness). Sets each row's verdict; returns how many go (GO and GO_OVER), or -1 when memory
 * for the order runs out (verdicts then untouched).
 */
int mailbudget_plan(struct mailbudget_row *rows, size_t n, int room, time_t now,
    time_t opens_at);

/* A word for a verdict, for logs: "goes", "waits", ... */
const char *mailbudget_verdict_name(enum mailbudget_verdict v);

#endif
