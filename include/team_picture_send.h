/*
 * team_picture_send — step 3 for the members: the team's picture (team_picture.h) as a mail
 * ("team_picture" template) to every member of the team, in the member's own language and
 * signed by the team's facilitator, before the progress session (voortgangsbijeenkomst).
 *
 * When: together with the progress report (report_send_moment(), PLAN_PROGRESS_REPORT: Monday
 * 08:00 of the midterm week, figures through the week before), so members, facilitator and
 * coordinator look at the same figures, the members have them days before the session (which
 * falls in that week), and there is no second moment or setting to keep in step with the
 * report. The mail names the team's progress session when one is scheduled.
 *
 * Who: the team's active members with a working address (not one that bounced, not one who
 * complained); a member who is away gets it too (read on return). No reply token: the mail
 * asks nothing back; questions go to the facilitator, whom the mail names.
 *
 * Each team's mails are queued in a transaction of their own (nested in the caller's when it
 * holds one). 0 (and *mails increased by what was queued), or -1 with err.
 */
#ifndef FB_TEAM_PICTURE_SEND_H
#define FB_TEAM_PICTURE_SEND_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "domain.h"
#include "fberror.h"
#include "flow.h"

/* The team's picture with figures through week through_week to every member of team team_id
 * of p (0: of every team). */
int team_picture_send(const struct flow *f, const struct program *p, int64_t team_id,
    int through_week, size_t *mails, struct fb_error *err);

/* The picture member m would get, composed into eml and not queued (nothing written):
 * `feedbackctl preview team-picture`. 0, or -1 with err. */
int team_picture_send_eml(const struct flow *f, const struct program *p, const struct member *m,
    int through_week, struct buf *eml, struct fb_error *err);

#endif
