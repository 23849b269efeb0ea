/*
 * mailflow — the queue runner: the two mail passes of the daemon, in the flow layer (it calls
 * the store; the drivers in src/mail do not). Send what the outbox holds through a transport
 * driver, and keep what a mailbox driver hands over in the inbox. It acts on the drivers'
 * results (mailresult.h) and capability flags, and never asks which driver it has. The order
 * of the commits around each network step is what makes them crash-safe (STYLE.md "Order is
 * important"):
 *
 *   outbox: rows → 'sending' (committed) → transport → 'sent' / 'retry' / 'failed' (committed).
 *           A crash in between leaves rows in 'sending'; mailflow_recover() queues them again,
 *           so at most the messages in hand are sent twice, none is lost. A message the SMTP
 *           server accepted is handed (the transport's on_accepted) to ONE writer, the calling
 *           thread, which commits 'sent' for every message handed to it since its last
 *           commit in one transaction (group commit), while the sessions go on; a session
 *           that finds MAILFLOW_GROUP_MAX messages waiting for a commit waits for it. "In
 *           hand" is then at most MAILFLOW_GROUP_MAX accepted messages plus the one being
 *           transferred per session: the most a crash resends, however large batch_size is.
 *           Failures are recorded after the session.
 *           The pass claims up to N × batch_size rows (N = policy->sessions) in ONE committed
 *           transaction, rows without their bodies, and sends N slices of them over N sessions
 *           at once (one thread and one transport each; a thread touches its slice's
 *           transport_msg array, its own read-only connection, through which it reads its
 *           bodies a few at a time, each given back once transferred, and the hand-over to
 *           the writer), then records the remaining outcomes in one transaction from the
 *           calling thread. A driver without TRANSPORT_PARALLEL runs in the calling thread
 *           and records its accepted messages itself.
 *           When the database cannot write (disk full, an I/O error, a file-size limit) after
 *           the server accepted a message, its 'sent' commit fails: such a message must NOT
 *           be queued again with the rows in doubt, or a disk-full spell sends it twice. Its
 *           id is kept in memory (struct mailflow_unrecorded, owned by the daemon for its
 *           whole life) and recorded as sent before anything else is done with the outbox:
 *           before the next claim, and before mailflow_recover() requeues what is left in
 *           'sending'. While they cannot be recorded nothing new is claimed. The daemon
 *           treats such a write failure as an outage to wait out, not a reason to exit, so
 *           the set survives until the disk has room again. What is left unrecorded when the
 *           process ends anyway (a stop during the outage, a crash) is logged by outbox id
 *           and Message-ID and is the one case still sent again at the next start.
 *   inbox:  each message and the mailbox position after it are committed together, and only
 *           then is the message moved or flagged on the server (mark_done). A crash in between
 *           reads it again; the inbox dedupes it by Message-ID and content hash.
 */
#ifndef FB_MAILFLOW_H
#define FB_MAILFLOW_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "db.h"
#include "fberror.h"
#include "mailbox.h"
#include "transport.h"

/* Largest useful policy->sessions (the configuration's outgoing.sessions allows 1..16). */
#define MAILFLOW_MAX_SESSIONS 16
/* Most messages the server accepted that wait for, or are in, one group commit of 'sent'
 * (see above): what a crash can send again, plus the one in hand per session. */
#define MAILFLOW_GROUP_MAX 16

struct mailflow_policy {
	size_t batch_size;      /* messages per SMTP session */
	size_t sessions;        /* sessions at once, 1..MAILFLOW_MAX_SESSIONS (0 counts as 1; more
	                           is capped). A driver without TRANSPORT_PARALLEL (maildir) gets
	                           one, whatever this says (transport.h). */
	int max_attempts;       /* then failed */
	int backoff_initial;    /* seconds before the first retry */
	int backoff_max;        /* cap on the delay */
	size_t max_message_size; /* inbound: larger ones are kept, not read */
	int person_only;        /* send only person-to-person mail (queue_outbox_claim_person) */
	size_t max_messages;    /* stop after claiming this many (0: until nothing is due) */
};

struct mailflow_stats {
	size_t sent, retried, failed;     /* outbox */
	size_t stored, duplicates;        /* inbox */
};

/*
 * Seconds to wait before attempt number attempts+1 of message id: exponential from initial,
 * capped at max, with ±25 % jitter derived from id and attempts (deterministic, so tests can
 * predict it, yet spread so a failed batch does not come back as one burst). Pure.
 */
long mailflow_backoff(int64_t id, int attempts, int initial, int max);

/* Messages the server accepted whose 'sent' is not committed yet (see above). Zero it to
 * initialise; release with mailflow_unrecorded_release(). */
struct mailflow_unrecorded {
	struct mailflow_accepted { int64_t id; time_t at; } *v;
	size_t n, cap;
};
void mailflow_unrecorded_release(struct mailflow_unrecorded *u);

/* Record u's messages as sent, in one transaction; u is emptied on success. 0 (also when u is
 * NULL or empty), or -1 with err when the database still cannot write (u is kept). */
int mailflow_record_unrecorded(struct db *db, struct mailflow_unrecorded *u,
    struct fb_error *err);

/* Queue again what a crash left in 'sending', after recording u's messages as sent (u may be
 * NULL). Returns the count requeued, or -1 (then nothing was requeued). */
int mailflow_recover(struct db *db, struct mailflow_unrecorded *u, struct fb_error *err);

/*
 * Send every due message, in batches of policy->batch_size over one session each, up to
 * policy->sessions sessions at once (threads, see above), until none is due at now or *stop
 * (checked between rounds; a round in hand is finished and recorded). Transports are opened
 * with drv->open(ts) in the calling thread, kept for the whole pass and closed before it
 * returns. Returns 0 (per-message failures are recorded in the outbox, not errors), or -1
 * with err when the database failed (rows then stay 'sending' for mailflow_recover(), and the
 * ones the server accepted are added to *u, which is recorded first at the next call).
 * u NULL: a set of this call only; what it cannot record is logged.
 */
int mailflow_send(struct db *db, const struct transport_driver *drv,
    const struct transport_settings *ts, const struct mailflow_policy *policy, time_t now,
    volatile sig_atomic_t *stop, struct mailflow_unrecorded *u, struct mailflow_stats *stats,
    struct fb_error *err);

/*
 * Keep a raw message in the inbox (call inside a transaction, with the mailbox position): its
 * envelope and the keys that recognise it again are read here (inbox_entry_read()), and the
 * store is handed the values. Duplicates — the same bytes, or the same sender, Message-ID and
 * body (one mail delivered again by another route) — are not stored again: *dup is set to 1
 * and *id to the existing row. A Message-ID alone is not enough: a stranger could otherwise
 * make a member's later reply "already known". A message larger than max_size is stored as
 * failed, "too large to read". 0, or -1 with err.
 */
int mailflow_inbox_add(struct db *db, const char *source, const char *raw, size_t len,
    size_t max_size, time_t now, int64_t *id, int *dup, struct fb_error *err);
/* The same for a message of size bytes of which raw holds only the first len (a driver read
 * only the head of an oversized message). A message larger than max_size is stored as failed
 * with only its header and first 64 KiB; the error says the whole message stays in the
 * mailbox (source). */
int mailflow_inbox_add_sized(struct db *db, const char *source, const char *raw, size_t len,
    size_t size, size_t max_size, time_t now, int64_t *id, int *dup, struct fb_error *err);

/*
 * Read new messages from an open mailbox into the inbox; name identifies the mailbox for its
 * saved position ("imap://host/INBOX", "maildir:/path"). -1 on a mailbox or database error
 * (what was stored stays stored).
 */
int mailflow_receive(struct db *db, const struct mailbox_driver *drv, struct mailbox *mb,
    const char *name, const struct mailflow_policy *policy, time_t now,
    struct mailflow_stats *stats, struct fb_error *err);

#endif
