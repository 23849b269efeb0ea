/*
 * Unit tests of envelope (src/core/envelope.c): the Message-ID, From address and Subject the
 * queues list a message by, read from the header alone; absent fields give empty buffers, the
 * first of a repeated field wins, long values are capped (Message-ID 995 bytes, Subject 200),
 * and the body is never read. One test per row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "envelope.h"
#include "testlib.h"

struct ecase {
	const char *name;
	const char *raw;
	const char *msgid, *from, *subject;    /* what the buffers hold */
};

static const struct ecase cases[] = {
	{ "test_envelope_all_three",
	    "From: Jan <jan@example.nl>\r\nTo: feedback@example.nl\r\nMessage-ID: <a1@example.nl>\r\n"
	    "Subject: Hallo\r\n\r\nbody\r\n", "a1@example.nl", "jan@example.nl", "Hallo" },
	{ "test_envelope_lf_line_ends",
	    "Message-ID: <lf@example.nl>\nFrom: jan@example.nl\nSubject: Re: week 3\n\nbody\n",
	    "lf@example.nl", "jan@example.nl", "Re: week 3" },
	{ "test_envelope_absent_fields_leave_buffers_empty", "To: feedback@example.nl\r\n\r\nbody\r\n",
	    "", "", "" },
	{ "test_envelope_only_header_no_body", "Subject: alleen\r\n", "", "", "alleen" },
	{ "test_envelope_first_of_repeated_fields_wins",
	    "Message-ID: <first@x.nl>\r\nMessage-ID: <second@x.nl>\r\nFrom: a@x.nl\r\nFrom: b@x.nl\r\n"
	    "Subject: een\r\nSubject: twee\r\n\r\n", "first@x.nl", "a@x.nl", "een" },
	{ "test_envelope_first_mailbox_of_a_from_list",
	    "From: Jan <jan@x.nl>, Piet <piet@x.nl>\r\n\r\n", "", "jan@x.nl", "" },
	{ "test_envelope_subject_as_written_not_decoded",
	    "Subject: =?UTF-8?Q?Caf=C3=A9?=\r\n\r\n", "", "", "=?UTF-8?Q?Caf=C3=A9?=" },
	{ "test_envelope_folded_subject",
	    "Subject: een lange\r\n regel\r\n\r\n", "", "", "een lange\r\n regel" },
	{ "test_envelope_body_fields_are_not_read",
	    "To: f@x.nl\r\n\r\nMessage-ID: <body@x.nl>\r\nFrom: body@x.nl\r\nSubject: body\r\n",
	    "", "", "" },
	{ "test_envelope_empty_message", "", "", "", "" },
};

static void
run_case(void **state)
{
	const struct ecase *c = *state;
	struct buf msgid = BUF_INIT, from = BUF_INIT, subject = BUF_INIT;

	assert_int_equal(envelope_read(c->raw, strlen(c->raw), &msgid, &from, &subject), 0);
	assert_string_equal(msgid.len ? msgid.data : "", c->msgid);
	assert_string_equal(from.len ? from.data : "", c->from);
	assert_string_equal(subject.len ? subject.data : "", c->subject);
	buf_release(&msgid);
	buf_release(&from);
	buf_release(&subject);
}

/* from and subject may be NULL: only the Message-ID is read then. */
static void
test_envelope_from_and_subject_optional(void **state)
{
	static const char raw[] = "From: a@x.nl\r\nSubject: s\r\nMessage-ID: <only@x.nl>\r\n\r\n";
	struct buf msgid = BUF_INIT;

	(void)state;
	assert_int_equal(envelope_read(raw, sizeof(raw) - 1, &msgid, NULL, NULL), 0);
	assert_string_equal(msgid.data, "only@x.nl");
	buf_release(&msgid);
}

/* A Message-ID is capped at 995 bytes and a Subject at 200, whatever the sender wrote. */
static void
test_envelope_long_values_capped(void **state)
{
	struct buf raw = BUF_INIT, msgid = BUF_INIT, subject = BUF_INIT;

	(void)state;
	assert_int_equal(buf_adds(&raw, "Message-ID: <"), 0);
	for (int i = 0; i < 1500; i++)
		assert_int_equal(buf_addch(&raw, 'm'), 0);
	assert_int_equal(buf_adds(&raw, "@x.nl>\r\nSubject: "), 0);
	for (int i = 0; i < 900; i++)
		assert_int_equal(buf_addch(&raw, 's'), 0);
	assert_int_equal(buf_adds(&raw, "\r\n\r\nbody\r\n"), 0);
	assert_int_equal(envelope_read(raw.data, raw.len, &msgid, NULL, &subject), 0);
	assert_int_equal(msgid.len, 995);
	assert_int_equal(strspn(msgid.data, "m"), 995);
	assert_int_equal(subject.len, 200);
	buf_release(&raw);
	buf_release(&msgid);
	buf_release(&subject);
}

/* Values are appended only to empty buffers: a buffer that already holds text is left as is. */
static void
test_envelope_filled_buffers_kept(void **state)
{
	static const char raw[] = "From: a@x.nl\r\nSubject: s\r\nMessage-ID: <m@x.nl>\r\n\r\n";
	struct buf msgid = BUF_INIT, from = BUF_INIT, subject = BUF_INIT;

	(void)state;
	assert_int_equal(buf_adds(&msgid, "kept"), 0);
	assert_int_equal(envelope_read(raw, sizeof(raw) - 1, &msgid, &from, &subject), 0);
	assert_string_equal(msgid.data, "kept");
	assert_string_equal(from.data, "a@x.nl");
	assert_string_equal(subject.data, "s");
	buf_release(&msgid);
	buf_release(&from);
	buf_release(&subject);
}

/* Hostile bytes in the header neither crash nor leak (run under ASan with the suite). */
static void
test_envelope_hostile_bytes(void **state)
{
	static const char raw[] = "Message-ID: <\0\xff@x>\r\nFrom: \xc3\r\nSubject: \0\r\n\r\n";
	struct buf msgid = BUF_INIT, from = BUF_INIT, subject = BUF_INIT;
	int rc;

	(void)state;
	rc = envelope_read(raw, sizeof(raw) - 1, &msgid, &from, &subject);
	assert_true(rc == 0 || rc == -1);
	buf_release(&msgid);
	buf_release(&from);
	buf_release(&subject);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_envelope_from_and_subject_optional),
		cmocka_unit_test(test_envelope_long_values_capped),
		cmocka_unit_test(test_envelope_filled_buffers_kept),
		cmocka_unit_test(test_envelope_hostile_bytes),
	};
	return testlib_run_table("envelope", cases, sizeof(cases) / sizeof(cases[0]),
	    sizeof(cases[0]), run_case, fixed, sizeof(fixed) / sizeof(fixed[0]));
}
