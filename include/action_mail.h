/*
 * action_mail — the improvement actions' confirmation (actions_received) as a copy for
 * feedbackctl preview: the mail a facilitator gets when a reply to the progress or evaluation
 * report records actions (apply_action.c sends the real one), here listing every action their
 * team has so far.
 */
#ifndef FB_ACTION_MAIL_H
#define FB_ACTION_MAIL_H

#include "buf.h"
#include "domain.h"
#include "fberror.h"
#include "flow.h"

/* Compose the confirmation to facilitator fac of programme p into eml (nothing queued or
 * stored; the reply token is the example one). 0, or -1 with err, also when the team has no
 * improvement actions yet (the mail would list nothing). */
int action_mail_preview(const struct flow *f, const struct program *p,
    const struct facilitator *fac, struct buf *eml, struct fb_error *err);

#endif
