/*
 * apply_int — what apply.c and its handler files share (not a public interface).
 */
#ifndef FB_APPLY_INT_H
#define FB_APPLY_INT_H

#include <stdarg.h>

#include "apply.h"
#include "classify.h"
#include "fields.h"
#include "message.h"
#include "outmail.h"
#include "queue.h"
#include "store.h"
#include "store_feedback.h"

struct ctx {
	const struct flow *f;
	int64_t inbox_id;
	int flags;
	struct fb_error *err;
	struct inbox_row in;
	struct fb_message *msg;
	struct classify_result cls;
	struct buf sender_buf;
	const char *sender;       /* lowercase From address, NULL when none */
	struct buf text;          /* trimmed */
	struct fields fields;
	struct program program;   /* loaded once known */
	int64_t program_id, member_id;
	int flood;                /* an answer was skipped by the flood cap */
	struct buf note;          /* prefix for the reason */
	struct apply_outcome out;
};

void apply_set(struct ctx *c, const char *state, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int apply_member_get(struct ctx *c, int64_t id, struct member *out);
const char *apply_lang(const struct ctx *c, const struct member *m);
int apply_may_answer(struct ctx *c);

/* Handlers (apply_feedback.c): 0 with ctx->out set, or -1 with ctx->err. */
int apply_ask(struct ctx *c, int64_t member_id);
int apply_give(struct ctx *c, int64_t member_id, int64_t request_id);
int apply_react(struct ctx *c, int64_t member_id, int64_t feedback_id);
int apply_correct(struct ctx *c, int64_t member_id, int64_t feedback_id);
/* apply_report.c: a facilitator's ratings in reply to the weekly report. */
int apply_report_reply(struct ctx *c, int64_t facilitator_id);
/* apply_measure.c: a reply to a questionnaire, reminder or answer receipt. */
int apply_questionnaire(struct ctx *c, int64_t member_id, int64_t questionnaire_id);

/* apply_bounce.c: a bounce acts only with proof it is about our mail (see the file). */
int apply_bounce(struct ctx *c);
/* After classify: a token found in an address that is an envelope sender's (mail sent to our
 * Return-Path, e.g. an RFC 3834 auto-reply) is no reply token; the reply token is looked for
 * elsewhere (classify_token_not_in_address). 0, or -1 with ctx->err. */
int apply_bounce_retoken(struct ctx *c);
/* A genuine reply (one that passed the sender checks) from c->sender: the address is
 * reachable again, its bounces forgotten; noted in the reason. 0, or -1 with ctx->err. */
int apply_bounce_reply(struct ctx *c);

/* Calendar replies to session invitations (apply_session.c). */
int apply_itip(struct ctx *c);
/* A mail (not a calendar answer) in reply to session session_id's invitation. */
int apply_session_mail(struct ctx *c, int64_t session_id);

#endif
