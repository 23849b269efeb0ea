/*
 * budget — the mail budget per member per day ([program] mail_budget, default 2): at most that
 * many automatic mails (mailkind.h: nudges, questionnaires and their reminders, calendar
 * events of the programme's moments, session invitations) reach a member on one day of their
 * own time zone (else the programme's). Mail between people, the welcome, updates,
 * cancellations and mail to facilitators are never held by it and never counted.
 *
 * Mail over the budget is deferred, not lost: its outbox row is queued with deferred_until
 * (store_budget.h), out of the send queue, and looked at again when the next day's budget
 * opens (office_hours' start, not on Saturday or Sunday unless weekend_mail). Which waiting
 * mail goes when is mailbudget.h's rule: what is wanted soonest first (a nudge or a
 * questionnaire when it is made, an invitation or a moment's calendar event a week before its
 * moment: mailkind.h), then the nearest moment; never after its moment: what would arrive
 * too late is dropped as no use (logged, and kept in the outbox as failed with the reason),
 * except an invitation, which goes over the budget rather than after its session.
 *
 * Before the programme's welcome time (plan_welcome_time) nothing automatic goes to a member:
 * it waits for the welcome, so the welcome is the first mail (an invitation to a session
 * before that time still goes in time). So with the default on day one a member gets the
 * welcome, the kickoff invitation and at most one more.
 *
 * Every decision is logged at info level by outbox id and kind.
 */
#ifndef FB_BUDGET_H
#define FB_BUDGET_H

#include <stddef.h>
#include <time.h>

#include "fberror.h"
#include "flow.h"
#include "queue.h"
#include "store.h"

/*
 * Queue row m (a budgeted kind, to member m->member_id of programme p) at f->now, and decide
 * the member's waiting automatic mail with it: what the budget lets go now is paced by the
 * daily cap (pace.h), the rest deferred or dropped. *id_out (may be NULL): the row queued.
 * *goes_at (may be NULL): 0 when m goes now, else when it may go (the cap's time, or the day
 * its budget opens). Inside the caller's transaction. 0, or -1 with err.
 */
int budget_queue(const struct flow *f, const struct program *p, struct outbox_new *m,
    int64_t *id_out, time_t *goes_at, struct fb_error *err);

/*
 * How many more automatic mails member m of p may get today at f->now, after what was let
 * through and what waits: > 0 when one may go now, 0 when not (also before the welcome time).
 * For a scheduler that decides itself whether to make a mail (a reminder waits unmade, so
 * it is never sent after the questionnaire was completed: measure.h). -1 with err.
 */
int budget_room(const struct flow *f, const struct program *p, const struct member *m,
    struct fb_error *err);

/*
 * Before row m is queued: the deferred mail to m's recipient about the same calendar event
 * (m->about_uid; nothing when NULL) is dropped, logged: m, newer (an update, a cancel, the
 * event again), replaces it, so an invitation that waited never arrives after its update or
 * cancel. Inside the caller's transaction. The number of rows dropped, or -1 with err.
 */
int budget_supersede(const struct flow *f, const struct outbox_new *m, struct fb_error *err);

struct budget_stats {
	size_t released, deferred, dropped;
};

/*
 * The daemon's pass (before each send): every member whose deferred mail is due for a new
 * look (its day's budget opened) is decided again at f->now, one transaction per member.
 * st may be NULL. 0, or -1 with err (what was decided before stays decided).
 */
int budget_release(const struct flow *f, struct budget_stats *st, struct fb_error *err);

#endif
