/*
 * membership — a member's place in a programme changing in ways that reach beyond their row:
 * leaving it (feedbackctl member remove, member import --sync --remove-absent) and moving to a
 * new address (member update --address). What follows for their mail and their session
 * invitations is decided here, with the session code of `session sync` (invite_sync), not a
 * copy of it.
 *
 * Every function writes through the flow's database inside the caller's transaction
 * (db_begin/db_commit around the call), so the mail exists exactly when the change does.
 * 0, or -1 with err.
 */
#ifndef FB_MEMBERSHIP_H
#define FB_MEMBERSHIP_H

#include <stddef.h>
#include <stdint.h>

#include "fberror.h"
#include "flow.h"
#include "store.h"
#include "store_session.h"

/* The confirmed sessions of p still ahead of f->now that team team_id is invited to: its own
 * and those for every team, by start. Release out with store_session_list_release(). */
int membership_sessions_ahead(const struct flow *f, const struct program *p, int64_t team_id,
    struct session_list *out, struct fb_error *err);

/* Bring the invitations of the sessions ahead of team team_id in line with it (invite_sync
 * for each): a new address gets the invitation, an address no longer used or a member who
 * left a CANCEL. *mails counts the messages queued. */
int membership_sync_sessions(const struct flow *f, const struct program *p, int64_t team_id,
    size_t *mails, struct fb_error *err);

/*
 * Member m of programme p leaves it: status left (store_member_leave: their history and
 * counts stay, mail to them still waiting is not sent), then their invitations to sessions
 * ahead are cancelled (membership_sync_sessions). From then on nothing is mailed to them
 * (outmail.h). *mails counts the cancellations queued, *stopped the waiting messages stopped.
 */
int membership_leave(const struct flow *f, const struct program *p, const struct member *m,
    size_t *mails, size_t *stopped, struct fb_error *err);

#endif
