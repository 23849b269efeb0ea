/*
 * apply_int — what apply.c and its handler files share (not a public interface).
 *
 * Calls run one way: apply.c → the handlers (apply_*.c) → the shared helpers (apply_ctx.c).
 * The helpers call no handler and nothing in apply.c; a handler calls no other handler's file
 * except through apply.c's dispatch (apply_bounce_reply is called by apply.c, not by a handler).
 */
#ifndef FB_APPLY_INT_H
#define FB_APPLY_INT_H

#include <stdarg.h>

#include "apply.h"
#include "classify.h"
#include "fields.h"
#include "match.h"
#include "message.h"
#include "outmail.h"
#include "queue.h"
#include "store.h"
#include "store_feedback.h"
#include "vocab.h"

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
	int nothing_written;      /* the reply was only quotes and signatures: text is empty */
	struct fields fields;
	struct program program;   /* loaded once known */
	int64_t program_id, member_id;
	int flood;                /* an answer was skipped by the flood cap */
	struct buf note;          /* prefix for the reason */
	struct apply_outcome out;
};

/* ---- apply_ctx.c: the shared helpers ---- */

/* The outcome: state and a one-line reason (replacing any earlier one). */
void apply_set(struct ctx *c, enum inbox_state state, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Member id of the current programme: 0, or -1 with ctx->err (also when not found). */
int apply_member_get(struct ctx *c, int64_t id, struct member *out);
/* The language to write to m in: theirs, else the programme's. */
const char *apply_lang(const struct ctx *c, const struct member *m);
/* The flood cap: 1 when the sender may be answered once more this hour, 0 when not (noted in
 * ctx->flood), -1 with ctx->err. */
int apply_may_answer(struct ctx *c);

/* A team's active members as match candidates (match.h): cand[i] is who[i]; those who left
 * the programme apart (gone_cand[i] is gone[i]), so a name of theirs is answered with "has
 * left" instead of "unknown". */
struct apply_team {
	struct member_list members;
	struct match_candidate *cand;
	const struct member **who;
	size_t n;
	struct match_candidate *gone_cand;
	const struct member **gone;
	size_t ngone;
};
/* Load team team_id: 0, or -1 with ctx->err. Release with apply_team_release() either way. */
int apply_team_load(struct ctx *c, int64_t team_id, struct apply_team *t);
void apply_team_release(struct apply_team *t);

/* ---- the handlers ---- */

/* Handlers (apply_feedback.c): 0 with ctx->out set, or -1 with ctx->err. */
int apply_ask(struct ctx *c, int64_t member_id);
int apply_give(struct ctx *c, int64_t member_id, int64_t request_id);
int apply_react(struct ctx *c, int64_t member_id, int64_t feedback_id);
int apply_correct(struct ctx *c, int64_t member_id, int64_t feedback_id);
/* apply_report.c: a facilitator's ratings in reply to the weekly report. */
int apply_report_reply(struct ctx *c, int64_t facilitator_id);
/* apply_action.c: improvement actions in reply to the progress or evaluation report (report:
 * "progress" or "evaluation"). */
int apply_action_reply(struct ctx *c, const struct outmail_token *t, const char *report);
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
