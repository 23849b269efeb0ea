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

#include "fberror.h"
#include "flow.h"
#include "store.h"
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

#endif
