/*
 * invite_int.h — what invite.c, invite_moment.c and invite_export.c share (not an interface).
 */
#ifndef FB_INVITE_INT_H
#define FB_INVITE_INT_H

#include <time.h>

#include "fberror.h"
#include "flow.h"
#include "plan.h"
#include "store.h"
#include "store_session.h"
#include "template.h"

/* The ORGANIZER and From of every invite: the programme's organizer, else the configuration's
 * coordinator_address, else its from_address. */
const char *invite_organizer(const struct flow *f, const struct program *p);

/* A session's event words (SUMMARY = o->subject, DESCRIPTION = o->text): the "invite"
 * template in lang for a reader called name. o initialised by the caller; 0 or -1 with err. */
int invite_session_words(const struct flow *f, const struct program *p, const struct session *s,
    const char *name, const char *lang, struct template_output *o, struct fb_error *err);

/* A questionnaire moment's event words: the "moment_invite" template, the event at at. */
int invite_moment_words(const struct flow *f, const struct program *p, const struct plan *plan,
    const struct plan_moment *mo, time_t at, const char *name, const char *lang,
    struct template_output *o, struct fb_error *err);

#endif
