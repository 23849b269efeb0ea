/*
 * classify — what kind of message arrived, and why we think so.
 *
 * Exactly one kind per message, decided in this order (the first that fits wins):
 *   0. complaint   a spam complaint in the Abuse Reporting Format (RFC 5965): multipart/report;
 *                  report-type=feedback-report. Never a reply, whatever token its subject
 *                  repeats: only a token in the returned message's headers (our Message-ID,
 *                  our Reply-To) says which of our messages it is about;
 *   1. bounce      a delivery failure, recognised by structure first: RFC 3464
 *                  multipart/report; report-type=delivery-status or a message/delivery-status
 *                  part, X-Failed-Recipients, an Amazon SES notification (SNS JSON), a daemon
 *                  or null sender (MAILER-DAEMON, postmaster, "MAILER-DAEMON <>", Return-Path
 *                  <>) with a returned message or a notice's subject; then, for a message that
 *                  looks automatic at all, by the wording of the plain-text notices of the MTAs
 *                  and providers in src/core/tables/bounce-notices.txt. A bounce outranks an
 *                  auto-reply (many notices say Auto-Submitted: auto-replied);
 *   2. itip        a calendar part whose method (MIME parameter or METHOD inside) is REPLY,
 *                  COUNTER, REQUEST or CANCEL;
 *   3. auto_reply  RFC 3834 Auto-Submitted other than "no", X-Autoreply, X-Autorespond,
 *                  Precedence bulk/junk/list/auto_reply, List-Id/List-Unsubscribe, Exchange's
 *                  inbox-rule headers, out-of-office subjects in Dutch and English (and a few
 *                  neighbours);
 *   4. reply       one of our tokens (token.h) in the plus-address of a To/Cc/Delivered-To
 *                  recipient, in In-Reply-To/References, or in the subject — trusted in that order;
 *   5. new         anything else with a sender;
 *   unknown        no usable From address (and, for callers, a message that could not be parsed).
 * Every result carries the reasons (short readable strings) that led to it.
 *
 * Pure: a parsed message in, a result out; no I/O, no clock.
 */
#ifndef FB_CLASSIFY_H
#define FB_CLASSIFY_H

#include <stdint.h>

#include "fberror.h"
#include "itip.h"
#include "message.h"
#include "token.h"

enum classify_kind {
	CLASSIFY_REPLY,
	CLASSIFY_NEW,
	CLASSIFY_AUTO_REPLY,
	CLASSIFY_BOUNCE,
	CLASSIFY_ITIP,
	CLASSIFY_UNKNOWN,
	CLASSIFY_COMPLAINT
};

#define CLASSIFY_MAX_REASONS 8

/*
 * Why a delivery failed (bounce.reason in `feedbackctl inspect --json`). The status code
 * decides when the notice gives a specific one (5.1.1 user_unknown, x.2.2 mailbox_full, ...),
 * else the wording (src/core/tables/bounce-reasons.txt).
 */
enum classify_bounce_reason {
	CLASSIFY_BOUNCE_UNKNOWN,      /* "unknown": the notice does not say why */
	CLASSIFY_BOUNCE_USER_UNKNOWN, /* "user_unknown": no such mailbox, or disabled */
	CLASSIFY_BOUNCE_MAILBOX_FULL, /* "mailbox_full" */
	CLASSIFY_BOUNCE_HOST_UNKNOWN, /* "host_unknown": no such domain, no MX */
	CLASSIFY_BOUNCE_REJECTED,     /* "rejected": blocked, spam, policy */
	CLASSIFY_BOUNCE_TOO_LARGE,    /* "too_large" */
	CLASSIFY_BOUNCE_EXPIRED,      /* "expired": the server gave up retrying a temporary
	                               * failure; status 4.4.7 (or the 4.x.x it gave), never
	                               * permanent, so it weighs as a temporary bounce */
	CLASSIFY_BOUNCE_TEMPORARY,    /* "temporary": deferred, still trying */
};

struct classify_bounce {
	char *recipient; /* the failed address, or NULL when the notice does not say */
	char status[16]; /* RFC 3463 status "5.1.1"; inferred "5.0.0"/"4.0.0" when none is given,
	                  * "4.4.7" for an expired retry */
	int permanent;   /* 1 exactly when status starts with '5' */
	enum classify_bounce_reason reason;
	/* An Amazon SES notification names the message it is about in its JSON rather than in
	 * a returned message: its Message-ID (without angle brackets) and envelope sender
	 * ("mail.source"), malloc'd, NULL otherwise. apply_bounce.c proves with them as with a
	 * returned message's headers. */
	char *sent_message_id;
	char *sent_from;
};

/* "user_unknown", "mailbox_full", ..., "unknown" (see enum classify_bounce_reason). */
const char *classify_bounce_reason_name(enum classify_bounce_reason reason);

struct classify_result {
	enum classify_kind kind;
	char *reasons[CLASSIFY_MAX_REASONS]; /* malloc'd strings */
	size_t nreasons;

	/* Our token, when found (for every kind: a bounce's returned headers or an auto-reply's
	 * In-Reply-To may carry it too); token[0] == '\0' when none. */
	char token[TOKEN_LEN + 1];
	const char *token_source; /* static: "address", "in-reply-to", "references", "subject",
	                           * "returned message"; NULL when no token */

	/* kind == CLASSIFY_AUTO_REPLY: the date the sender says they are back or away until, as
	 * "YYYY-MM-DD", when the subject or text says so with a year ("until 2027-02-01", "tot en met
	 * 1 februari 2027", "until February 1, 2027", "t/m 01-02-2027"); "" otherwise. A date without
	 * a year is not guessed: that would need the clock. */
	char until[11];

	struct classify_bounce bounce; /* kind == CLASSIFY_BOUNCE */
	struct itip_info itip;         /* kind == CLASSIFY_ITIP */
};

/*
 * The compiled wording tables of bounce notices (src/core/tables/bounce-*.txt), made once by a
 * caller that classifies many messages and passed to classify_message_with(). NULL with err
 * when a table does not compile or memory runs out. Free with classify_rules_free() (NULL ok).
 */
struct classify_rules;
struct classify_rules *classify_rules_new(struct fb_error *err);
void classify_rules_free(struct classify_rules *rules);

/* Classify msg into out (overwritten; release it with classify_result_release() whatever the
 * result), with the caller's compiled rules. Returns 0, or -1 with err when memory runs out. */
int classify_message_with(const struct classify_rules *rules, const struct fb_message *msg,
    struct classify_result *out, struct fb_error *err);

/* The same, compiling the tables itself (~14 ms), and only for a message whose headers already
 * look automatic (a daemon or null sender, no usable From, Auto-Submitted, a report or a returned
 * message): a person's mail costs nothing more, but a notice found only by its subject or
 * wording needs the rules. For tests and callers that classify one message. */
int classify_message(const struct fb_message *msg, struct classify_result *out,
    struct fb_error *err);

/*
 * The token r holds came from an address but is not a reply token (the caller found it is a
 * message's envelope sender token, outmail.h: mail sent to a Return-Path, such as an RFC 3834
 * auto-reply): look for the reply token again in In-Reply-To, References and the subject only.
 * A reply without one becomes new mail (or unknown without a From). 0, or -1 with err when
 * memory runs out.
 */
int classify_token_not_in_address(const struct fb_message *m, struct classify_result *r,
    struct fb_error *err);

/* "reply", "new", "auto_reply", "bounce", "itip", "unknown", "complaint". */
const char *classify_kind_name(enum classify_kind kind);

/* Add a reason (printf-style) to r; 0, or -1 when memory runs out. Beyond CLASSIFY_MAX_REASONS
 * reasons are dropped silently. For callers that classify a message themselves (inspect's
 * "could not parse"). */
int classify_add_reason(struct classify_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Free what r holds and zero it (kind becomes CLASSIFY_REPLY, i.e. 0). */
void classify_result_release(struct classify_result *r);

#endif
