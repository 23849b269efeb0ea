/*
 * vocab — the one name table per stored word list. See include/vocab.h.
 *
 * Each table is indexed by its enum, so a name and its value cannot drift apart; the
 * _UNKNOWN slot holds "unknown", which is never stored.
 */
#include <stddef.h>
#include <string.h>

#include "vocab.h"
#include "banned.h"

static const char *const purpose_names[PURPOSE_COUNT] = {
	[PURPOSE_UNKNOWN] = "unknown",
	[PURPOSE_ASK] = "ask",
	[PURPOSE_REQUEST] = "request",
	[PURPOSE_RECEIVED] = "received",
	[PURPOSE_RECEIPT] = "receipt",
	[PURPOSE_REPORT] = "report",
	[PURPOSE_QUESTIONNAIRE] = "questionnaire",
	[PURPOSE_SESSION] = "session",
	[PURPOSE_PROGRESS_REPORT] = "progress_report",
	[PURPOSE_EVALUATION_REPORT] = "evaluation_report",
};

static const char *const inbox_state_names[INBOX_STATE_COUNT] = {
	[INBOX_UNKNOWN] = "unknown",
	[INBOX_PENDING] = "pending",
	[INBOX_APPLIED] = "applied",
	[INBOX_IGNORED] = "ignored",
	[INBOX_QUARANTINED] = "quarantined",
	[INBOX_FAILED] = "failed",
};

static const char *const member_status_names[MEMBER_STATUS_COUNT] = {
	[MEMBER_UNKNOWN] = "unknown",
	[MEMBER_ACTIVE] = "active",
	[MEMBER_LEFT] = "left",
	[MEMBER_ERASED] = "erased",
};

static const char *const outbox_state_names[OUTBOX_STATE_COUNT] = {
	[OUTBOX_STATE_UNKNOWN] = "unknown",
	[OUTBOX_QUEUED] = "queued",
	[OUTBOX_SENDING] = "sending",
	[OUTBOX_SENT] = "sent",
	[OUTBOX_RETRY] = "retry",
	[OUTBOX_FAILED] = "failed",
	[OUTBOX_HELD] = "held",
};

static const char *const session_status_names[SESSION_STATUS_COUNT] = {
	[SESSION_STATUS_UNKNOWN] = "unknown",
	[SESSION_CONFIRMED] = "confirmed",
	[SESSION_CANCELLED] = "cancelled",
};

/* The index of name in names[1..n-1], or 0 (the _UNKNOWN slot). */
static int
lookup(const char *const *names, int n, const char *name)
{
	if (name == NULL)
		return 0;
	for (int i = 1; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return 0;
}

/* names[i], or names[0] ("unknown") for i outside 0..n-1. */
static const char *
name_at(const char *const *names, int n, int i)
{
	return i >= 0 && i < n ? names[i] : names[0];
}

const char *
token_purpose_name(enum token_purpose p)
{
	return name_at(purpose_names, PURPOSE_COUNT, (int)p);
}

enum token_purpose
token_purpose_from_name(const char *name)
{
	return (enum token_purpose)lookup(purpose_names, PURPOSE_COUNT, name);
}

const char *
inbox_state_name(enum inbox_state s)
{
	return name_at(inbox_state_names, INBOX_STATE_COUNT, (int)s);
}

enum inbox_state
inbox_state_from_name(const char *name)
{
	return (enum inbox_state)lookup(inbox_state_names, INBOX_STATE_COUNT, name);
}

const char *
member_status_name(enum member_status s)
{
	return name_at(member_status_names, MEMBER_STATUS_COUNT, (int)s);
}

enum member_status
member_status_from_name(const char *name)
{
	return (enum member_status)lookup(member_status_names, MEMBER_STATUS_COUNT, name);
}

const char *
outbox_state_name(enum outbox_state s)
{
	return name_at(outbox_state_names, OUTBOX_STATE_COUNT, (int)s);
}

enum outbox_state
outbox_state_from_name(const char *name)
{
	return (enum outbox_state)lookup(outbox_state_names, OUTBOX_STATE_COUNT, name);
}

const char *
session_status_name(enum session_status s)
{
	return name_at(session_status_names, SESSION_STATUS_COUNT, (int)s);
}

enum session_status
session_status_from_name(const char *name)
{
	return (enum session_status)lookup(session_status_names, SESSION_STATUS_COUNT, name);
}
