/*
 * Unit tests of vocab: one table row per word the database stores (token purposes, inbox
 * states, member statuses, outbox states, session statuses), each its own cmocka test: the enum's name is exactly the stored
 * value (so the data in a database written by an earlier version still reads the same) and
 * the name reads back as the enum. Then what is not a stored word.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testlib.h"

#include "vocab.h"

enum list { PURPOSE, INBOX, MEMBER, OUTBOX, SESSION };

struct vocab_case {
	const char *label;
	enum list list;
	int value;
	const char *stored;      /* the database's word, as the schema's CHECK lists it */
};

static const struct vocab_case cases[] = {
	{ "purpose_ask", PURPOSE, PURPOSE_ASK, "ask" },
	{ "purpose_request", PURPOSE, PURPOSE_REQUEST, "request" },
	{ "purpose_received", PURPOSE, PURPOSE_RECEIVED, "received" },
	{ "purpose_receipt", PURPOSE, PURPOSE_RECEIPT, "receipt" },
	{ "purpose_report", PURPOSE, PURPOSE_REPORT, "report" },
	{ "purpose_questionnaire", PURPOSE, PURPOSE_QUESTIONNAIRE, "questionnaire" },
	{ "purpose_session", PURPOSE, PURPOSE_SESSION, "session" },
	{ "purpose_progress_report", PURPOSE, PURPOSE_PROGRESS_REPORT, "progress_report" },
	{ "purpose_evaluation_report", PURPOSE, PURPOSE_EVALUATION_REPORT, "evaluation_report" },
	{ "inbox_pending", INBOX, INBOX_PENDING, "pending" },
	{ "inbox_applied", INBOX, INBOX_APPLIED, "applied" },
	{ "inbox_ignored", INBOX, INBOX_IGNORED, "ignored" },
	{ "inbox_quarantined", INBOX, INBOX_QUARANTINED, "quarantined" },
	{ "inbox_failed", INBOX, INBOX_FAILED, "failed" },
	{ "member_active", MEMBER, MEMBER_ACTIVE, "active" },
	{ "member_left", MEMBER, MEMBER_LEFT, "left" },
	{ "member_erased", MEMBER, MEMBER_ERASED, "erased" },
	{ "outbox_queued", OUTBOX, OUTBOX_QUEUED, "queued" },
	{ "outbox_sending", OUTBOX, OUTBOX_SENDING, "sending" },
	{ "outbox_sent", OUTBOX, OUTBOX_SENT, "sent" },
	{ "outbox_retry", OUTBOX, OUTBOX_RETRY, "retry" },
	{ "outbox_failed", OUTBOX, OUTBOX_FAILED, "failed" },
	{ "outbox_held", OUTBOX, OUTBOX_HELD, "held" },
	{ "session_confirmed", SESSION, SESSION_CONFIRMED, "confirmed" },
	{ "session_cancelled", SESSION, SESSION_CANCELLED, "cancelled" },
};

static const char *
name_of(enum list l, int v)
{
	switch (l) {
	case PURPOSE:
		return token_purpose_name((enum token_purpose)v);
	case INBOX:
		return inbox_state_name((enum inbox_state)v);
	case MEMBER:
		return member_status_name((enum member_status)v);
	case OUTBOX:
		return outbox_state_name((enum outbox_state)v);
	case SESSION:
		return session_status_name((enum session_status)v);
	}
	return NULL;
}

static int
from_name(enum list l, const char *name)
{
	switch (l) {
	case PURPOSE:
		return (int)token_purpose_from_name(name);
	case INBOX:
		return (int)inbox_state_from_name(name);
	case MEMBER:
		return (int)member_status_from_name(name);
	case OUTBOX:
		return (int)outbox_state_from_name(name);
	case SESSION:
		return (int)session_status_from_name(name);
	}
	return -1;
}

static void
run_case(void **state)
{
	const struct vocab_case *c = *state;

	assert_string_equal(name_of(c->list, c->value), c->stored);
	assert_int_equal(from_name(c->list, c->stored), c->value);
}

/* Every value of each enum is in the table above: a word added to an enum without its row (and
 * so without a check of its stored spelling) fails here. */
static void
test_vocab_table_covers_every_value(void **state)
{
	static const int counts[] = { PURPOSE_COUNT, INBOX_STATE_COUNT, MEMBER_STATUS_COUNT,
		OUTBOX_STATE_COUNT, SESSION_STATUS_COUNT };

	(void)state;
	for (int l = PURPOSE; l <= SESSION; l++) {
		for (int v = 1; v < counts[l]; v++) {
			int found = 0;

			for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
				found |= (int)cases[i].list == l && cases[i].value == v;
			if (!found)
				fail_msg("list %d value %d (%s) has no row", l, v,
				    name_of((enum list)l, v));
		}
	}
}

/* NULL, other case, a word of another list, a value outside the enum: the unknown slot. */
static void
test_vocab_unknown_words(void **state)
{
	(void)state;
	assert_int_equal(token_purpose_from_name(NULL), PURPOSE_UNKNOWN);
	assert_int_equal(token_purpose_from_name("ASK"), PURPOSE_UNKNOWN);
	assert_int_equal(token_purpose_from_name("pending"), PURPOSE_UNKNOWN);
	assert_int_equal(token_purpose_from_name("unknown"), PURPOSE_UNKNOWN);
	assert_int_equal(inbox_state_from_name(""), INBOX_UNKNOWN);
	assert_int_equal(inbox_state_from_name("active"), INBOX_UNKNOWN);
	assert_int_equal(member_status_from_name(NULL), MEMBER_UNKNOWN);
	assert_int_equal(member_status_from_name("Active"), MEMBER_UNKNOWN);
	assert_string_equal(token_purpose_name(PURPOSE_UNKNOWN), "unknown");
	assert_string_equal(token_purpose_name((enum token_purpose)PURPOSE_COUNT), "unknown");
	assert_string_equal(inbox_state_name((enum inbox_state)-1), "unknown");
	assert_string_equal(member_status_name((enum member_status)99), "unknown");
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_vocab_table_covers_every_value),
		cmocka_unit_test(test_vocab_unknown_words),
	};

	return testlib_run_table("vocab", cases, sizeof(cases) / sizeof(cases[0]), sizeof(cases[0]),
	    run_case, fixed, sizeof(fixed) / sizeof(fixed[0]));
}
