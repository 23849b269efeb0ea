/*
 * invite_int.h — what invite.c, invite_moment.c and invite_export.c share (not an interface).
 */
#ifndef FB_INVITE_INT_H
#define FB_INVITE_INT_H

#include <stdint.h>
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

/* "signer" of v: who signs the mail to addr (member_id 0: not a member), set before the
 * event's words are rendered so the DESCRIPTION is signed as the mail is (outmail_signer()).
 * 0, or -1 with err (no memory). */
int invite_sign(const struct flow *f, const struct program *p, const char *addr,
    int64_t member_id, struct template_values *v, struct fb_error *err);

/* A session's event words (SUMMARY = o->subject, DESCRIPTION = o->text): the "invite"
 * template in lang for a reader called name, with the times of zone tz. o initialised by the
 * caller; 0 or -1 with err. */
int invite_session_words(const struct flow *f, const struct program *p, const struct session *s,
    const char *name, const char *lang, const char *tz, struct template_output *o,
    struct fb_error *err);

/* A questionnaire moment's event words: the "moment_invite" template, the event at at, with
 * the times of zone tz, signed by signer (NULL: nobody). */
int invite_moment_words(const struct flow *f, const struct program *p, const struct plan *plan,
    const struct plan_moment *mo, time_t at, const char *name, const char *lang, const char *tz,
    const char *signer, struct template_output *o, struct fb_error *err);

#endif
