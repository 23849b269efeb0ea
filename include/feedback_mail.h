/*
 * feedback_mail — feedback as its receiver reads it, composed in one place for the daemon
 * (a giver's correction, apply_feedback.c) and for `feedbackctl preview feedback-corrected`.
 *
 * The giver is named, as in the first version: feedback is never anonymous to its receiver
 * (only the facilitators' rating samples hide names, mask.h), so a correction is not either.
 * The receiver may react by reply (token "received", ref the feedback).
 */
#ifndef FB_FEEDBACK_MAIL_H
#define FB_FEEDBACK_MAIL_H

#include <stdint.h>

#include "buf.h"
#include "fberror.h"
#include "flow.h"
#include "store.h"
#include "store_feedback.h"

struct feedback_mail {
	const char *kind;            /* "feedback_received" or "feedback_corrected" */
	const struct program *p;
	const struct feedback_row *fb; /* its text as it is now */
	const char *giver;           /* the giver's name */
	const struct member *receiver;
	int64_t inbox_id;            /* the message that caused it, 0 when none */
	int64_t replace_id;          /* > 0: rewrite this waiting outbox row (outmail.h) */
	int64_t *outbox_id;          /* out, may be NULL: the row (0: none, see outmail.h) */
	struct buf *raw_out;         /* NULL: queue it; else composed into it (outmail.h) */
};

/* Queue (or compose, or rewrite) m. 0, or -1 with err. */
int feedback_mail_receiver(const struct flow *f, const struct feedback_mail *m,
    struct fb_error *err);

/*
 * The newest feedback member receiver received, as the corrected version its giver's
 * correction would send them, composed into raw_out (a preview: nothing written). 0, or -1
 * with err (also when they have received none).
 */
int feedback_mail_preview_corrected(const struct flow *f, const struct program *p,
    const struct member *receiver, struct buf *raw_out, struct fb_error *err);

#endif
