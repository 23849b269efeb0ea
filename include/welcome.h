/*
 * welcome — the welcome mail, and what a member who joins a running programme gets.
 *
 * The welcome ("welcome" template, in the member's language, signed by the name of their
 * team's facilitator): what the programme is and why, what is asked each week, how to answer
 * by reply (with a Bevestiging / Kritiek / Constructief example), what is anonymous and what
 * is not, and whom to ask. It carries a reply token like the nudge (PURPOSE_ASK), so a reply
 * to it with "Feedback voor:" or "Vraag feedback aan:" works as a reply to the nudge.
 *
 * When: once per member (a done mark per member, store_join.h), at the first scheduler pass at
 * or after the programme's welcome time — the week-1 nudge's moment (Monday 09:00 of week 1
 * by default) — and, for a member added later, at the first pass after they were added,
 * until the programme's end. It is queued before anything else of that pass and put ahead of
 * the member's mail still waiting in the outbox (invitations queued while the programme was
 * set up), so it is the first mail of the programme they get. Not to a member whose address
 * bounces or who complained (it waits for a working address), but to a member who is away
 * (it is read on return). A welcome more than WELCOME_STALE late (the daemon was down, or a
 * version without welcomes ran the programme until now) is marked done without sending.
 *
 * A late joiner — added after the welcome time, and not in the week the programme itself was
 * made (a programme made after its start date begins with the team it is given; the weekly
 * report counts the same way) — also gets, at that pass (welcome_joiners):
 *   - every questionnaire still open (measure_send_open(): not one that closed);
 *   - an invitation to every upcoming session of their team: the daemon syncs the attendees
 *     of every upcoming session at every pass from the welcome time on
 *     (invite_sync_upcoming(): who joined is invited, who left gets a CANCEL; `session sync`
 *     stays as a manual command);
 *   - and their team's facilitators (the coordinator when the team has none) get one short
 *     note ("member_joined"): who joined in which week, and what they were sent.
 * Not lagging before their first full week: the weekly report's rule (report.h).
 *
 * Every function runs its writes in transactions of its own (db_begin/db_commit) unless it
 * says otherwise. 0, or -1 with err; *mails counts the messages queued.
 */
#ifndef FB_WELCOME_H
#define FB_WELCOME_H

#include <stddef.h>

#include "buf.h"
#include "fberror.h"
#include "flow.h"
#include "plan.h"

/* A welcome more than this late is not sent (seconds): a week of nudges has said it all. */
#define WELCOME_STALE (7 * 24 * 3600)

/* The done marks (store_join.h). */
#define WELCOME_KEY "welcome"
#define WELCOME_JOINED_KEY "joined"

/* The programme's welcome time in plan: the week-1 nudge's moment, else the start. */
time_t welcome_time(const struct plan *plan);

/*
 * The welcome to member m of programme p, as the scheduler sends it: queued with a reply
 * token (raw_out NULL), or composed without a token and appended to raw_out, nothing queued
 * nor marked (a preview). Inside the caller's transaction. 0, or -1 with err.
 */
int welcome_mail(const struct flow *f, const struct program *p, const struct member *m,
    struct buf *raw_out, struct fb_error *err);

/*
 * The note to a facilitator (to_addr, to_name) that member m joined team in week `week` of
 * programme p, listing what m was sent (their open questionnaires and their invitations to
 * upcoming sessions, as stored at f->now): queued (raw_out NULL) or composed into raw_out.
 * Inside the caller's transaction. 0, or -1 with err.
 */
int welcome_note_mail(const struct flow *f, const struct program *p, const struct member *m,
    int week, const char *to_addr, const char *to_name, struct buf *raw_out,
    struct fb_error *err);

/*
 * The scheduler's welcome pass, run before the pass's moments (schedule.c): the welcome to
 * every active member of p owed one (see above). One transaction.
 */
int welcome_pass(const struct flow *f, const struct program *p, const struct plan *plan,
    size_t *mails, struct fb_error *err);

/*
 * The scheduler's late-joiner pass, run after the pass's moments: open questionnaires to late
 * joiners, the upcoming sessions' attendees synced, the facilitators' notes. Nothing before
 * the welcome time. One transaction; today is the programme's local date (flow_today).
 */
int welcome_joiners(const struct flow *f, const struct program *p, const struct plan *plan,
    const char *today, size_t *mails, struct fb_error *err);

#endif
