/*
 * schedule — the daemon's scheduler pass: for every programme, the moments of its plan that
 * are due at now and not yet done are acted on, each in one transaction with its row in the
 * `done` table, so a restart or a --now in the past never sends anything twice.
 *
 * A moment found more than SCHEDULE_STALE seconds late (the daemon was down, or a programme
 * was created mid-way) is marked done without sending: a week-old nudge helps nobody.
 *
 * A programme ended early (program end) is not acted on after its end; on a day inside one of
 * its pauses (plan.h "Pauses") no due moment and no held reminder is acted on, only the calendar
 * updates that say what moved are sent.
 *
 * Every pass also sends the answer receipts that waited for a member's next score-link click
 * and are due (answers.h), whatever the programme's state: they answer the member's own mail.
 *
 * Moments acted on: the weekly nudge (to every active member who is not away and whose
 * address does not bounce, with their counts so far). The other kinds are added by their
 * modules through the table in schedule.c.
 */
#ifndef FB_SCHEDULE_H
#define FB_SCHEDULE_H

#include <stddef.h>

#include "buf.h"
#include "fberror.h"
#include "flow.h"
#include "store.h"

#define SCHEDULE_STALE (36 * 3600)

/* How long a nudge is of use (its week): the mail budget (budget.h) defers it no longer. */
#define SCHEDULE_NUDGE_USEFUL (6 * 24 * 3600)

struct schedule_stats {
	size_t moments, skipped, mails;
};

/*
 * The nudge of week `week` to member m of p (team: m's team, for the colleagues it names):
 * queued, or with raw_out composed into it and nothing written (outmail.h). The scheduler's
 * nudge and `feedbackctl preview nudge` both make it here. 0, or -1 with err.
 */
int schedule_nudge_mail(const struct flow *f, const struct program *p, int week,
    const struct member *m, const struct member_list *team, struct buf *raw_out,
    struct fb_error *err);

/* One pass over every programme. 0, or -1 with err (what was done stays done). */
int schedule_pass(const struct flow *f, struct schedule_stats *st, struct fb_error *err);
/*
 * The same, stopping once a weekly nudge has queued about budget mails (0: no limit), so the
 * daemon can send them before the rest is queued (issue 20): such a nudge goes a few teams at a
 * time, each chunk its own transaction with its teams' marks, the moment marked done with the
 * last. *more is 1 when it stopped early: call again (after sending) for the rest.
 */
int schedule_pass_some(const struct flow *f, size_t budget, struct schedule_stats *st, int *more,
    struct fb_error *err);

/*
 * When the daemon should run its next pass: the earliest moment after now of any programme's
 * plan, or the earliest time after now at which a reminder that waited for a member's budget
 * (office hours, the weekend: measure_next_due()) may go, or the earliest time a receipt that
 * gathers a member's score-link clicks goes (answers_next_due()), whichever comes first; 0
 * when none. Errors reading the database count as nothing due (the poll interval still wakes
 * the daemon).
 */
time_t schedule_next(const struct flow *f);

#endif
