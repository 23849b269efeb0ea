/*
 * invite — a session's calendar invitations (iMIP, RFC 6047): scheduling, moving and
 * cancelling a session and mailing each attendee their own invite, update or cancel.
 *
 * Who is invited: the active members and the facilitators of the session's team (of every team
 * of the programme when the session has none). Each gets one message of their own (colleagues'
 * addresses stay private): the invite, invite_update or invite_cancel template for the text and
 * HTML parts, and a calendar built by itip_build() whose SUMMARY and DESCRIPTION are the
 * "invite" template's subject and text in the programme's language. The ORGANIZER — and the
 * From of the message, which must equal it — is the programme's organizer address, else the
 * configuration's coordinator_address; replies from calendar programs go there.
 *
 * UID and SEQUENCE (RFC 5546): a session's UID is made once and never changes; SEQUENCE rises
 * by one with every change of time, duration or place and with a cancel. Moving sends the full
 * event again to everyone (and asks them to answer again); people who left the team get a
 * CANCEL of their own, people who joined get the current version (invite_sync does the same
 * without a change).
 *
 * Every function writes the session, its attendees and the outbox rows through the flow's
 * database inside the caller's transaction (db_begin/db_commit around the call), so the mail
 * exists exactly when the change does. 0, or -1 with err; *mails counts the queued messages.
 */
#ifndef FB_INVITE_H
#define FB_INVITE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "fberror.h"
#include "flow.h"
#include "store.h"
#include "plan.h"
#include "store_session.h"

/* Longest location or online URL accepted. */
#define INVITE_MAX_TEXT 500

/*
 * Schedule a new session of programme p: s->kind, s->starts_at, s->duration_min required;
 * s->team_id, s->location, s->online_url optional. Fills s->id, s->uid (malloc'd: release s
 * with store_session_release()), sequence 0, and mails a REQUEST to every attendee.
 */
int invite_schedule(const struct flow *f, const struct program *p, struct session *s,
    size_t *mails, struct fb_error *err);

/* What a move changes; fields left 0/NULL stay as they are. "" clears location/online_url. */
struct invite_change {
	time_t starts_at;
	int duration_min;
	const char *location;
	const char *online_url;
};

/* Move or change session id: SEQUENCE + 1, answers reset, the full event to everyone. A
 * cancelled session cannot be moved (schedule a new one). */
int invite_move(const struct flow *f, const struct program *p, int64_t id,
    const struct invite_change *ch, size_t *mails, struct fb_error *err);

/* Cancel session id: STATUS cancelled, SEQUENCE + 1, a CANCEL to every attendee. */
int invite_cancel(const struct flow *f, const struct program *p, int64_t id, size_t *mails,
    struct fb_error *err);

/* Bring the attendees in line with the team: the current version to people not yet invited, a
 * CANCEL to people no longer in it; SEQUENCE unchanged. */
int invite_sync(const struct flow *f, const struct program *p, int64_t id, size_t *mails,
    struct fb_error *err);

/* The invitation to session id as addr (name may be NULL; member_id 0 for a facilitator)
 * gets it when brought in (invite_sync): the current version, or the CANCEL of a cancelled
 * session; composed into raw_out by the code that queues it, nothing written: `feedbackctl
 * preview invite`. 0, or -1 with err. */
int invite_session_mail(const struct flow *f, const struct program *p, int64_t id,
    const char *addr, const char *name, int64_t member_id, struct buf *raw_out,
    struct fb_error *err);

/* invite_sync() of every confirmed session of p that starts after f->now (the daemon's pass,
 * welcome.h: who joined the team is invited, who left gets a CANCEL, without `session
 * sync`). Sessions under way or over are left as they are. */
int invite_sync_upcoming(const struct flow *f, const struct program *p, size_t *mails,
    struct fb_error *err);

/* ---------------------------------------------------------------------------------------------
 * The programme's moments as calendar items (invite_moment.c)
 *
 * Every active member gets, per questionnaire moment ("questionnaire:baseline", midterm,
 * final, followup), an event of their own: INVITE_MOMENT_MINUTES long at the moment's time,
 * SUMMARY and DESCRIPTION from the moment_invite template in the member's language ("Baseline
 * questionnaire — answer by <close date>"), sent with the moment_invite / moment_cancel
 * message. Each item is a calendar_item row (store_calendar.h): a UID made once per
 * (programme, moment, member), SEQUENCE raised with every change.
 *
 * Keeping the items in line with the plan, for moments still ahead of now only (an event in the
 * past is left as it was):
 *   - a member who should have it and has none: a REQUEST (SEQUENCE 0);
 *   - the planned time differs from the one sent (the programme's dates or times changed):
 *     SEQUENCE + 1 and the full event again;
 *   - a member who should no longer have it (status left, or away on the moment's day): SEQUENCE
 *     + 1 and a CANCEL; coming back later brings the same UID back with a higher SEQUENCE.
 * A member whose address bounces gets nothing new (and nothing is cancelled for them).
 * An erased member gets nothing: member erase deletes their items with their address.
 *
 * Reminder moments ("reminder:<m>:<i>") are calendar items too, the same way (the moment_*
 * templates with the "reminder" flag: "Reminder: baseline questionnaire still open — answer by
 * <close>"), but only for a member who was sent that questionnaire (so they come with it, not
 * weeks ahead), has not completed it, and whose measurement is still open at the reminder's
 * time. Completing it cancels the reminder events still ahead (moment_cancel with the
 * "completed" flag), in the next pass, which is the one that read the answers; reminders
 * already past stay as they were, also for a pass at a --now before the completion. The
 * reminder mails themselves are still feedbackd's own (measure.h): calendars drop VALARMs.
 */

/*
 * When a new event goes (the mail budget per day, budget.h, counts each): a questionnaire
 * moment's event about INVITE_MOMENT_AHEAD before the moment, not on the moment's own day
 * (the questionnaire itself then brings the news: a member added that late gets no event for
 * it); a reminder moment's event inside the questionnaire's window, from the day after the
 * questionnaire was sent to the member (not with it). Updates and cancels of events sent go
 * when the change happens, as above.
 */
#define INVITE_MOMENT_AHEAD (7 * 24 * 3600)

/* Length of a moment's event in the calendar. */
#define INVITE_MOMENT_MINUTES 15

/* Bring p's calendar items in line with plan, inside the caller's transaction. */
int invite_moments_sync(const struct flow *f, const struct program *p, const struct plan *plan,
    size_t *mails, struct fb_error *err);

/*
 * The scheduler's pass (schedule.c, every pass): invite_moments_sync() in a transaction of its
 * own, from the programme's start (week 1, Monday 00:00 local) on. Not before: until then the
 * roster is still being built, and every questionnaire moment is still ahead at the start (the
 * baseline is at 09:00 that Monday). Members who join later get the moments still ahead at the
 * next pass. 0, or -1 with err prefixed by the programme (nothing of this pass is kept).
 */
int invite_moments_sweep(const struct flow *f, const struct program *p,
    const struct plan *plan, size_t *mails, struct fb_error *err);

/* The calendar item of moment mo of plan for member m, as invite_moments_sync() mails it
 * (the REQUEST, or the update when the plan moved it), composed into raw_out, nothing
 * written: `feedbackctl preview moment-invite`. A new item's UID is random when it goes: the
 * copy's carries outmail's example token. 0, or -1 with err. */
int invite_moment_mail(const struct flow *f, const struct program *p, const struct plan *plan,
    const struct plan_moment *mo, const struct member *m, struct buf *raw_out,
    struct fb_error *err);

/*
 * Plans that change (feedbackctl program pause / edit / end).
 *
 * invite_moments_moved: how many confirmed calendar items the next invite_moments_sync() with
 * plan would move (their moment still ahead and at another time than the one sent): each an
 * update with SEQUENCE + 1. Changes nothing.
 *
 * invite_moments_cancel_from: a CANCEL (SEQUENCE + 1, status cancelled) for every confirmed
 * item that starts at or after from, with the words of its moment in plan (the plan before the
 * change; items whose moment it lacks are left). Inside the caller's transaction. With mails
 * NULL it only counts: the number of items it would cancel (>= 0), changing nothing.
 */
int invite_moments_moved(const struct flow *f, const struct program *p,
    const struct plan *plan, size_t *items, struct fb_error *err);
int invite_moments_cancel_from(const struct flow *f, const struct program *p,
    const struct plan *plan, time_t from, size_t *mails, struct fb_error *err);

/*
 * `feedbackctl calendar export`: programme p as one published calendar (itip_build_publish:
 * METHOD:PUBLISH, one VTIMEZONE) appended to out. member_id 0: the whole programme — every
 * confirmed session and every questionnaire moment of the plan (UID
 * "program-<id>-<moment>@domain", stable; no DESCRIPTION, which greets a person); member_id > 0:
 * what that member is invited to — the confirmed sessions they are an attendee of and their
 * confirmed calendar items, with the UIDs of their invites (so a subscribed calendar and the
 * invites show one event, not two) and the words in their language. *nevents counts the
 * events; none is an error ("nothing to export"). 0, or -1 with err.
 */
int invite_export(const struct flow *f, const struct program *p, int64_t member_id,
    struct buf *out, size_t *nevents, struct fb_error *err);

/*
 * An invitation takes its organizer when it is sent, not when it was queued: every waiting
 * calendar message (invite, invite_update, invite_cancel, moment_invite, moment_cancel)
 * whose From is not the organizer its programme has now (the programme's own organizer,
 * else coordinator_address, else from_address) gets that address in From and ORGANIZER (and
 * in its text), each row in a transaction of its own (addrswap.h). So a session scheduled
 * while the configuration still named feedback@feedbackd.invalid goes out from the address
 * set since. Run by the daemon before each send. *changed counts the rows changed; a row
 * that cannot be changed is left as it is and logged by the caller through err only when
 * the database fails. 0, or -1 with err.
 */
int invite_refresh_organizer(const struct flow *f, size_t *changed, struct fb_error *err);

#endif
