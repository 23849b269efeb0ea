/*
 * apply — what an inbound message means for the programme, done: the inbox message is read
 * (message.h), classified (classify.h), trimmed (trim.h) and its fields read (fields.h); then
 * the change it asks for is made and the mail it causes is queued (outmail.h), all in ONE
 * transaction with the inbox row's new state — so a crash applies a message completely or not
 * at all, and a restart never counts anything twice.
 *
 * Decisions, in order:
 *   require_auth    (security.require_auth other than none) every kind below but bounces and
 *                   complaints must pass the trusted Authentication-Results check (authres.h),
 *                   else it is quarantined with what was found and changes nothing; the
 *                   coordinator may vouch for it (APPLY_TRUST_SENDER).
 *   no sender       a From that is not exactly one valid address (message.h): ignored, with
 *                   the reason.
 *   complaint       an ARF spam complaint whose returned message carries our token: the member
 *                   it was sent to gets no more mail, the coordinator is told once; one that
 *                   names none of our messages is kept, not applied. Never answered.
 *   bounce          only with proof it is about our mail (our VERP token as its envelope
 *                   recipient, or the returned headers of a message we sent to the failed
 *                   address), else kept as "bounce not about our mail" and ignored; a proven
 *                   bounce is counted against the address we sent to, and the score
 *                   (bounce.h) may make it unreachable, telling the coordinator once
 *                   (apply_bounce.c); never answered.
 *   auto-reply      from a member: an out-of-office absence (until the date it names, else to
 *                   the end of the week); never answered, nothing counted.
 *   calendar reply  recorded by the session module (when present); never answered.
 *   reply (token)   the sender must be an address of the member the token was sent to, else
 *                   the message is quarantined with the reason (the coordinator may apply it).
 *                   A member's reply that passes makes the sender's address reachable again.
 *                   Then by the token's purpose: "ask" (a nudge or confirmation: asking for or
 *                   giving unsolicited feedback), "request" (giving feedback), "received" (a
 *                   reaction, passed on to the giver once), "receipt" (the giver's correction,
 *                   passed on to the receiver: apply_feedback.c), "questionnaire" (answers;
 *                   a score-link click's receipt waits for the next click: answers.h).
 *   new message     from a member's address: as "ask"; from anyone else: quarantined, never
 *                   answered (no backscatter).
 * A reply without the fields it needs is answered with "unreadable": what was understood,
 * what is missing, the form again and the writer's own text quoted back. A member's reply
 * that is only the quoted mail (trim's everything_quoted) is nothing written: nothing is
 * applied, and the answer is "nothing_written" ("we found no text in your reply"); for the
 * other purposes its text is empty. Answers to one sender are capped per hour
 * (security.answers_per_sender_per_hour); above the cap the change is made, the answer is not.
 *
 * Inbox states written: applied, ignored, quarantined; a processing error (the database,
 * a template) leaves the message pending with the error and one more attempt counted, so
 * `feedbackctl inbox` shows it and `feedbackctl inbox reapply` runs it again.
 */
#ifndef FB_APPLY_H
#define FB_APPLY_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "fberror.h"
#include "flow.h"
#include "vocab.h"

/* Attempts after which a pending message waits for `feedbackctl inbox reapply`. */
#define APPLY_MAX_ATTEMPTS 3

enum apply_flags {
	APPLY_TRUST_SENDER = 1,  /* the coordinator vouches for the sender (quarantine apply) */
	APPLY_AGAIN = 2,         /* process whatever the message's state (inbox reapply) */
};

struct apply_outcome {
	enum inbox_state state;  /* applied | ignored | quarantined | pending (error) */
	char kind[16];           /* classify's kind */
	struct buf reason;       /* one line */
};
#define APPLY_OUTCOME_INIT { INBOX_UNKNOWN, "", BUF_INIT }
void apply_outcome_release(struct apply_outcome *o);

/*
 * Process inbox message inbox_id (pending, unless APPLY_AGAIN) in its own transaction; out
 * (may be NULL) says what became of it. Returns 0 when the message was processed or its error
 * recorded, -1 with err when even that failed (the database is unusable).
 */
int apply_inbox(const struct flow *f, int64_t inbox_id, int flags, struct apply_outcome *out,
    struct fb_error *err);

struct apply_stats {
	size_t applied, ignored, quarantined, errors;
};

/* Process up to max pending messages, oldest first, until stop is set. 0 or -1 (database). */
int apply_pending(const struct flow *f, size_t max, volatile sig_atomic_t *stop,
    struct apply_stats *st, struct fb_error *err);
/* The same for those after inbox id *after, which is moved past each one processed: a pass
 * that applies in chunks (and sends between them) keeps its place, so a message whose apply
 * failed is not tried again before the next pass. */
int apply_pending_after(const struct flow *f, int64_t *after, size_t max,
    volatile sig_atomic_t *stop, struct apply_stats *st, struct fb_error *err);

#endif
