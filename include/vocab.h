/*
 * vocab — the words the database stores for a token's purpose, an inbox message's state, a
 * member's status, an outbox message's state and a session's (or calendar item's) status: one
 * enum each, one name table each (src/common/vocab.c), so code compares
 * enums and only the store's rows carry the names. The names are the stored values (and the
 * schema's CHECK lists): never rename one.
 *
 * _name() returns a static string (never NULL; "unknown" for a value outside the enum);
 * _from_name() maps NULL or a name it does not know to the _UNKNOWN value, case-sensitively as
 * the database stores them.
 */
#ifndef FB_VOCAB_H
#define FB_VOCAB_H

/* What a reply token was sent for: the token table's purpose column. */
enum token_purpose {
	PURPOSE_UNKNOWN,         /* a name this version does not know */
	PURPOSE_ASK,             /* a nudge or confirmation: ask for or give unsolicited feedback */
	PURPOSE_REQUEST,         /* a request to give feedback (ref: the request) */
	PURPOSE_RECEIVED,        /* feedback passed on to its receiver (ref: the feedback) */
	PURPOSE_RECEIPT,         /* the giver's receipt (ref: the feedback) */
	PURPOSE_REPORT,          /* the weekly report to a facilitator (ref: the team) */
	PURPOSE_QUESTIONNAIRE,   /* a questionnaire (ref: the questionnaire) */
	PURPOSE_SESSION,         /* a session invitation (ref: the session) */
	PURPOSE_PROGRESS_REPORT, /* the progress report (ref: the team, 0 the programme's); to a
				  * facilitator (facilitator_id) or the coordinator (none) */
	PURPOSE_EVALUATION_REPORT, /* the evaluation report, as PURPOSE_PROGRESS_REPORT */
	PURPOSE_COUNT
};
const char *token_purpose_name(enum token_purpose p);
enum token_purpose token_purpose_from_name(const char *name);

/* An inbound message's state: the inbox table's state column. */
enum inbox_state {
	INBOX_UNKNOWN,
	INBOX_PENDING,           /* not yet applied, or its last attempt failed */
	INBOX_APPLIED,
	INBOX_IGNORED,
	INBOX_QUARANTINED,       /* held for the coordinator */
	INBOX_FAILED,
	INBOX_STATE_COUNT
};
const char *inbox_state_name(enum inbox_state s);
enum inbox_state inbox_state_from_name(const char *name);

/* A member's status: the member table's status column. */
enum member_status {
	MEMBER_UNKNOWN,
	MEMBER_ACTIVE,
	MEMBER_LEFT,
	MEMBER_ERASED,           /* the row stays for the counts, the person is gone */
	MEMBER_STATUS_COUNT
};
const char *member_status_name(enum member_status s);
enum member_status member_status_from_name(const char *name);

/* An outbound message's state: the outbox table's state column (queue.h). */
enum outbox_state {
	OUTBOX_STATE_UNKNOWN,
	OUTBOX_QUEUED,
	OUTBOX_SENDING,
	OUTBOX_SENT,
	OUTBOX_RETRY,
	OUTBOX_FAILED,
	OUTBOX_HELD,             /* waits for the recipient's daily cap (pace.h) */
	OUTBOX_STATE_COUNT
};
const char *outbox_state_name(enum outbox_state s);
enum outbox_state outbox_state_from_name(const char *name);

/* A session's or a calendar item's status: the session and calendar_item status columns. */
enum session_status {
	SESSION_STATUS_UNKNOWN,
	SESSION_CONFIRMED,
	SESSION_CANCELLED,
	SESSION_STATUS_COUNT
};
const char *session_status_name(enum session_status s);
enum session_status session_status_from_name(const char *name);

#endif
