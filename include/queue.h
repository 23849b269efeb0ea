/*
 * queue — the store's side of the mail queues: outbox rows (mail to send) and inbox rows (raw
 * mail read), with the mailbox positions saved beside them.
 *
 * Outbox states: queued → sending → sent, or → retry → … → failed; held while the daily cap of
 * its recipient makes it wait: next_attempt_at is then when it may go (pace.h plans it, the
 * outbox pass releases it; `feedbackctl outbox retry` releases it at once).
 * Inbox states: pending → applied | ignored | quarantined | failed.
 * Strings in returned structs are malloc'd; release with queue_*_release().
 */
#ifndef FB_QUEUE_H
#define FB_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "db.h"
#include "fberror.h"

/* Which mail goes first when the daily cap makes mail to one address wait: mail between people
 * (a request, feedback, a receipt, a reaction, an answer to their mail) before automatic mail
 * (calendar events, nudges, reminders, questionnaires, reports). Lower goes first. */
enum outbox_priority { OUTBOX_PERSON = 0, OUTBOX_AUTOMATIC = 1 };

struct outbox_new {
	const char *message_id;  /* without <>; unique */
	const char *kind;        /* what it is: "nudge", "request", "test", … */
	const char *sender;      /* envelope sender: bounce_address+BOUNCE_TOKEN (VERP) */
	const char *bounce_token; /* the token in sender, unique; NULL: none (a bounce of this
	                           * row can then only be proved by its returned headers) */
	const char *recipient;
	const char *subject;     /* for listings */
	const char *raw;         /* the complete message */
	size_t len;
	int64_t program_id, member_id, inbox_id; /* 0: none */
	int priority;            /* enum outbox_priority (0, the default: person) */
	int budget;              /* 1: counts against its member's mail budget (budget.h) */
	time_t about_at;         /* the moment it is about, no use after it; 0: none */
	const char *about_uid;   /* the calendar event (UID) it carries; NULL: none */
	time_t deferred_until;   /* non-zero: queued deferred by the mail budget, out of the
	                          * send queue (store_budget.h) until released */
};

struct outbox_row {
	int64_t id;
	char *message_id, *kind, *sender, *recipient, *subject, *state, *last_error;
	int attempts;
	int priority;            /* enum outbox_priority */
	time_t next_attempt_at, created_at, sent_at;
	struct buf raw;          /* filled by queue_outbox_get only (the sender reads bodies one
	                          * at a time: queue_outbox_body) */
};

struct outbox_list {
	struct outbox_row *v;
	size_t n;
};

/*
 * Queue a message (call inside the transaction of the change that caused it): queued, due and
 * admitted at now. The daily cap is not applied here: pace_add() (pace.h) queues and then
 * plans the recipient's waiting mail. *id is set when not NULL.
 */
int queue_outbox_add(struct db *db, const struct outbox_new *m, time_t now, int64_t *id,
    struct fb_error *err);

/*
 * The daily cap's rows (pace.h decides, these read and write). A row counts against its
 * recipient's cap from admitted_at, when it was let through. "Waiting" rows may still be
 * planned: the held ones, automatic mail queued but never handed to a transport (it may yield
 * its place to person mail), and new_id, the row just queued (0: none). Person mail once let
 * through keeps its place: what its asker was told stays true.
 */
/* admitted_at of the rows counted for recipient after since (waiting rows left out), into
 * *out (caller frees), *n set. */
int queue_outbox_window(struct db *db, const char *recipient, time_t since, int64_t new_id,
    time_t **out, size_t *n, struct fb_error *err);

struct outbox_wait {
	int64_t id;
	char *kind;
	int priority;
	int held;                /* 1: held, 0: queued at now */
	time_t admitted_at;      /* 0 when held */
	time_t next_at;          /* a held row's release time */
};
struct outbox_wait_list {
	struct outbox_wait *v;
	size_t n;
};
/* The waiting rows of recipient, in the order they should go: priority, then oldest first.
 * Release with queue_outbox_wait_list_release(). */
int queue_outbox_waiting(struct db *db, const char *recipient, int64_t new_id,
    struct outbox_wait_list *out, struct fb_error *err);
void queue_outbox_wait_list_release(struct outbox_wait_list *l);
/* A held row goes: queued, due and admitted at now, its reason cleared. */
int queue_outbox_admit(struct db *db, int64_t id, time_t now, struct fb_error *err);
/* A waiting row is held until until, with the reason (shown by `outbox list`). */
int queue_outbox_hold(struct db *db, int64_t id, time_t until, const char *reason,
    struct fb_error *err);
/* The addresses with held rows, into *out (caller frees each and the array), *n set. */
int queue_outbox_held_recipients(struct db *db, char ***out, size_t *n, struct fb_error *err);
/* How many rows to member_id (0: to anyone) are held, and the earliest release into *first
 * (0 when none; may be NULL). -1 on error. */
int queue_outbox_held_count(struct db *db, int64_t member_id, time_t *first,
    struct fb_error *err);
/* After a crash, rows left in 'sending' are in doubt: queue them again. Returns their count. */
int queue_outbox_recover(struct db *db, struct fb_error *err);
/* Claim up to max due rows (queued or retry, next_attempt_at <= now) and commit them as
 * 'sending' before any network step. The rows come without their bodies (raw empty).
 * _person: only person-to-person mail (OUTBOX_PERSON). */
int queue_outbox_claim(struct db *db, time_t now, size_t max, struct outbox_list *out,
    struct fb_error *err);
int queue_outbox_claim_person(struct db *db, time_t now, size_t max, struct outbox_list *out,
    struct fb_error *err);
int queue_outbox_sent(struct db *db, int64_t id, time_t now, struct fb_error *err);
/* A failed attempt: retry at next_at, or failed when final. */
int queue_outbox_failed(struct db *db, int64_t id, int final, time_t next_at,
    const char *error, struct fb_error *err);
/* The earliest next_attempt_at of rows waiting to be sent or released; 0 when none. */
time_t queue_outbox_next(struct db *db, struct fb_error *err);
/* List rows (state NULL: all), newest first, at most limit. */
int queue_outbox_list(struct db *db, const char *state, size_t limit, struct outbox_list *out,
    struct fb_error *err);
int queue_outbox_get(struct db *db, int64_t id, struct outbox_row *out, struct fb_error *err);
/* The message of row id into *out (replacing what it held; left as it was on failure). The
 * bodies live apart from the rows (table outbox_body): written once, read when sent. */
int queue_outbox_body(struct db *db, int64_t id, struct buf *out, struct fb_error *err);
/* Failed or held rows (or one id) back to queued, due and admitted at now, as person mail: the
 * coordinator's word sends it now, and it yields to nothing. Returns how many. */
int queue_outbox_retry(struct db *db, int64_t id, time_t now, struct fb_error *err);
/* A waiting row (queued, retry or held) and its programme. */
struct outbox_ref {
	int64_t id, program_id;
};
/* The waiting rows of kind that belong to a programme, oldest first: *out (caller frees) with
 * *n of them. 0, or -1 with err. */
int queue_outbox_waiting_of_kind(struct db *db, const char *kind, struct outbox_ref **out,
    size_t *n, struct fb_error *err);
/* Replace the message of row id while it still waits: 1 when replaced, 0 when it no longer
 * waits (sent or failed meanwhile), -1 with err. */
int queue_outbox_set_raw(struct db *db, int64_t id, const char *raw, size_t len,
    struct fb_error *err);
/* Replace the message of row id while it still waits (queued, retry or held) by m's raw,
 * message_id and subject; the row keeps its place (priority, admission, hold, envelope
 * sender). 1 when replaced, 0 when it no longer waits, -1 with err. */
int queue_outbox_replace(struct db *db, int64_t id, const struct outbox_new *m,
    struct fb_error *err);
/* Counts per state, "queued 3, sent 10" (for logs and status). */
int queue_outbox_counts(struct db *db, struct buf *out, struct fb_error *err);
void queue_outbox_release(struct outbox_row *r);
void queue_outbox_list_release(struct outbox_list *l);

struct inbox_row {
	int64_t id;
	char *message_id, *sha256, *source, *sender, *subject, *state, *kind, *reason, *error;
	time_t received_at;
	size_t size;
	struct buf raw;          /* filled by queue_inbox_get only */
};

struct inbox_list {
	struct inbox_row *v;
	size_t n;
};

/* A received message as the inbox keeps it: plain values, decided before the store (the
 * runner, flow/mailflow.c, reads them with inbox_entry_read()). Strings may be NULL (absent). */
struct inbox_new {
	const char *source;      /* "MAILBOX ID": where the message is (for erase and the error) */
	const char *raw;         /* the bytes to keep: the message, or its head when too large */
	size_t len;
	size_t size;             /* the whole message's size */
	const char *sha256;      /* hex digest that recognises the same bytes again */
	const char *dedupe_key;  /* recognises one message delivered again by another route */
	const char *message_id, *sender, *subject;
	const char *error;       /* NULL: pending; else stored as failed with this error */
};

/*
 * Keep a received message (call inside a transaction, with the mailbox position). A message
 * whose sha256 or dedupe_key is already in the inbox is not stored again: *dup is set to 1 and
 * *id to the existing row; else *dup is 0 and *id the new row. The store stores: what is
 * kept, and what counts as the same message, is decided by the caller.
 */
int queue_inbox_add(struct db *db, const struct inbox_new *m, time_t now, int64_t *id, int *dup,
    struct fb_error *err);
int queue_inbox_list(struct db *db, const char *state, size_t limit, struct inbox_list *out,
    struct fb_error *err);
int queue_inbox_get(struct db *db, int64_t id, struct inbox_row *out, struct fb_error *err);
int queue_inbox_count(struct db *db, const char *state, struct fb_error *err);
void queue_inbox_release(struct inbox_row *r);
void queue_inbox_list_release(struct inbox_list *l);

/* Up to max ids of pending inbox messages after after_id with fewer than max_attempts failed
 * attempts, oldest first, into ids[]; *n set. */
int queue_inbox_pending(struct db *db, int64_t after_id, int max_attempts, size_t max,
    int64_t *ids, size_t *n, struct fb_error *err);

/* What processing made of an inbox message (strings may be NULL; ids 0 for none). A result
 * with an error counts an attempt and keeps the error for `feedbackctl inbox`. */
struct inbox_result {
	const char *state;       /* applied | ignored | quarantined | failed | pending */
	const char *kind;        /* classify's kind, "" when unknown */
	const char *reason;      /* why, in a line */
	const char *error;       /* a processing error (state failed) */
	int64_t program_id, member_id;
};
int queue_inbox_result(struct db *db, int64_t id, const struct inbox_result *r, time_t now,
    struct fb_error *err);

/* Where a mailbox was read up to: 0 and the values, 1 when never read, -1 on error. */
int queue_position_get(struct db *db, const char *mailbox, uint32_t *uidvalidity,
    uint32_t *last_uid, struct fb_error *err);
int queue_position_set(struct db *db, const char *mailbox, uint32_t uidvalidity,
    uint32_t last_uid, struct fb_error *err);

#endif
