/*
 * answers — the answer receipt (answers_received) of a questionnaire, sent at once or, for
 * score-link clicks, once for all the clicks of a few minutes.
 *
 * A questionnaire mail's HTML has a score link per score: one click is one mail to us with
 * one answer ("3: 7"). Every answer is stored the moment it arrives (apply_measure.c), so
 * nothing is lost and the figures are current; only the receipt waits. A click's receipt is
 * kept in the answer_receipt table with a time it goes (answers_receipt_due): a later click
 * to the same questionnaire within that time folds into the same receipt and moves it on, so
 * a member who clicks through six questions gets ONE receipt listing everything recorded and
 * what is still open (with the links again). The scheduler pass (schedule.c) sends it when
 * due (answers_sweep), and the daemon wakes for it (schedule_next, answers_next_due).
 *
 * Sliding, with a ceiling: the receipt goes ANSWERS_QUIET after the LAST click, but never
 * later than ANSWERS_WAIT_MAX after the first. Sliding, because members click at the pace
 * they read the questions, and a receipt in the middle of that is the spam this is against;
 * the ceiling, because a receipt is a promise that the answers arrived, and one who clicks
 * slowly for half an hour should not wait for it all that time.
 *
 * What is not a click is answered at once, as a person expects of a mail they typed: a reply
 * with several answers, with text besides the answer, with anything we could not read (the
 * problem must be explained), a reply to our mail (In-Reply-To), or one after the close. Such
 * a receipt lists everything recorded, so a receipt still waiting for earlier clicks is
 * dropped: it would say nothing new.
 *
 * Everything runs inside the caller's transaction, but answers_sweep (one of its own per
 * receipt). Time is f->now.
 */
#ifndef FB_ANSWERS_H
#define FB_ANSWERS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "fberror.h"
#include "flow.h"
#include "questionnaire.h"
#include "store.h"
#include "store_measure.h"
#include "template.h"

#define ANSWERS_QUIET 300       /* a click's receipt goes 5 minutes after the last click */
#define ANSWERS_WAIT_MAX 900    /* and at the latest 15 minutes after the first */

/* When a receipt that gathers clicks since first_at goes, after a click at now. Pure. */
time_t answers_receipt_due(time_t first_at, time_t now);

/*
 * What is recorded for questionnaire qr (of questionnaire file q) at f->now: every current
 * answer as an item of v's list "recorded" (number, text, answer), answered[number] set for
 * each (QUESTIONNAIRE_MAX_NUMBER + 1 flags, zeroed by the caller), *complete 1 when every
 * question of q has one. 0, or -1 with err.
 */
int answers_recorded(const struct flow *f, const struct questionnaire_row *qr,
    const struct questionnaire *q, struct template_values *v, unsigned char *answered,
    int *complete, struct fb_error *err);

/* An answer receipt to queue: v holds "recorded" (answers_recorded) and maybe "problems". */
struct answers_receipt {
	const struct program *p;
	const struct member *m;
	const struct questionnaire_row *qr;
	const struct questionnaire *q;
	struct template_values *v;
	const unsigned char *answered; /* answers_recorded()'s flags: the open questions */
	int complete;
	int closed;              /* the answer came after the close: kept, not counted */
	int clicks;              /* the clicks it confirms together (> 1: the mail says so) */
	const char *in_reply_to; /* the mail it answers, "<...>" or NULL */
	int64_t inbox_id;        /* that mail's inbox row, 0 when none */
};

/* Queue the receipt (outmail.h; a member who left gets none). 0, or -1 with err. */
int answers_receipt_queue(const struct flow *f, const struct answers_receipt *r,
    struct fb_error *err);

/*
 * A click to questionnaire questionnaire_id at f->now: its receipt waits (a new one, or the
 * waiting one gathers it and moves to the new due time), answering inbox_id / in_reply_to.
 * *due (may be NULL) is when it goes. 0, or -1 with err.
 */
int answers_receipt_wait(const struct flow *f, int64_t questionnaire_id, int64_t inbox_id,
    const char *in_reply_to, time_t *due, struct fb_error *err);

/*
 * Send the waiting receipts of p that are due at f->now, each as it stands then (every answer
 * recorded, what is still open with its links), in a transaction of its own. A receipt whose
 * questionnaire closed meanwhile lists what was recorded and nothing open. *mails counts
 * what was queued. 0, or -1 with err (what was sent stays sent).
 */
int answers_sweep(const struct flow *f, const struct program *p, size_t *mails,
    struct fb_error *err);

/* The earliest time a waiting receipt goes (0: none), for the daemon's sleep. Errors
 * count as none (the poll interval still wakes the daemon). */
time_t answers_next_due(const struct flow *f);

#endif
