/*
 * Unit tests of itip_read: replies as Google, Outlook/Exchange, Apple and Evolution send them are
 * read to METHOD, UID, 64-bit SEQUENCE, RECURRENCE-ID, ORGANIZER and each attendee's PARTSTAT,
 * without a strict restriction check; text that is no calendar is an error, never a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "itip.h"
#include "testlib.h"

#define CAL(method, body) "BEGIN:VCALENDAR\r\nPRODID:-//Test//EN\r\nVERSION:2.0\r\n" method \
	"BEGIN:VEVENT\r\n" body "DTSTAMP:20270112T091500Z\r\nDTSTART:20270119T090000Z\r\n" \
	"END:VEVENT\r\nEND:VCALENDAR\r\n"

static const struct read_case {
	const char *name;
	const char *ics;
	const char *method, *uid;
	int64_t sequence;
	const char *recurrence_id, *organizer;
	size_t nattendees;
	const char *attendee, *partstat, *comment;
} CASES[] = {
	{ "Google REPLY with a 13-digit SEQUENCE (wraps in libical's int)",
	  CAL("METHOD:REPLY\r\n", "UID:abc@google.com\r\nSEQUENCE:1736412345678\r\n"
	  "ORGANIZER;CN=Feedback:mailto:feedback@example.org\r\n"
	  "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=TENTATIVE;\r\n"
	  " X-RESPONSE-COMMENT=\"Later\\, ok\":mailto:Lid@Example.ORG\r\n"),
	  "REPLY", "abc@google.com", 1736412345678LL, NULL, "feedback@example.org", 1,
	  "lid@example.org", "TENTATIVE", NULL },
	{ "Exchange REPLY without ORGANIZER, with COMMENT",
	  CAL("METHOD:REPLY\r\n", "UID:040000008200E00074C5B7101A82E008\r\nSEQUENCE:5\r\n"
	  "ATTENDEE;PARTSTAT=ACCEPTED;CN=Lid:mailto:lid@example.org\r\n"
	  "COMMENT;LANGUAGE=nl-NL:Ik kom graag.\r\nSUMMARY:Geaccepteerd: Sessie 3\r\n"),
	  "REPLY", "040000008200E00074C5B7101A82E008", 5, NULL, NULL, 1,
	  "lid@example.org", "ACCEPTED", "Ik kom graag." },
	{ "DECLINED for one occurrence (RECURRENCE-ID)",
	  CAL("METHOD:REPLY\r\n", "UID:series-1\r\nSEQUENCE:2\r\nRECURRENCE-ID:20270126T090000Z\r\n"
	  "ATTENDEE;PARTSTAT=DECLINED:MAILTO:lid@example.org\r\n"),
	  "REPLY", "series-1", 2, "20270126T090000Z", NULL, 1, "lid@example.org", "DECLINED", NULL },
	{ "no METHOD (Apple puts it only in the MIME type, sometimes not even there)",
	  CAL("", "UID:apple-1\r\nATTENDEE:mailto:lid@example.org\r\n"),
	  NULL, "apple-1", 0, NULL, NULL, 1, "lid@example.org", "NEEDS-ACTION", NULL },
	{ "COUNTER, LF line ends, lowercase method",
	  "BEGIN:VCALENDAR\nVERSION:2.0\nMETHOD:counter\nBEGIN:VEVENT\nUID:c-1\nSEQUENCE:0\n"
	  "ATTENDEE;PARTSTAT=TENTATIVE:mailto:a@example.org\n"
	  "ATTENDEE;PARTSTAT=ACCEPTED:mailto:b@example.org\nEND:VEVENT\nEND:VCALENDAR\n",
	  "COUNTER", "c-1", 0, NULL, NULL, 2, "a@example.org", "TENTATIVE", NULL },
	{ "negative and absurd SEQUENCE does not crash",
	  CAL("METHOD:REPLY\r\n", "UID:x\r\nSEQUENCE:99999999999999999999999\r\n"),
	  "REPLY", "x", -1, NULL, NULL, 0, NULL, NULL, NULL },
};

static void
test_itip_read_table(void **state)
{
	{
		const size_t i = TESTLIB_ROW(state, CASES);
		const struct read_case *c = &CASES[i];
		struct itip_info info;
		struct fb_error err = { { 0 } };

		if (itip_read(c->ics, strlen(c->ics), &info, &err) != 0)
			fail_msg("%s: %s", c->name, err.msg);
#define STR(field) do { \
		if ((c->field == NULL) != (info.field == NULL) || \
		    (c->field != NULL && strcmp(c->field, info.field) != 0)) \
			fail_msg("%s: " #field " is '%s', expected '%s'", c->name, \
			    info.field ? info.field : "(null)", c->field ? c->field : "(null)"); \
	} while (0)
		STR(method);
		STR(uid);
		STR(recurrence_id);
		STR(organizer);
		STR(comment);
		if (c->sequence >= 0 && info.sequence != c->sequence)
			fail_msg("%s: sequence %lld", c->name, (long long)info.sequence);
		assert_int_equal(info.nattendees, c->nattendees);
		if (c->attendee != NULL) {
			const struct itip_attendee *a = itip_find_attendee(&info, c->attendee);

			if (a == NULL)
				fail_msg("%s: attendee %s not found", c->name, c->attendee);
			assert_string_equal(a->partstat, c->partstat);
			assert_ptr_equal(itip_find_attendee(&info, "MAILTO:A@example.org") != NULL,
			    itip_find_attendee(&info, "a@example.org") != NULL);
		}
		itip_info_release(&info);
	}
}

static void
test_itip_read_google_comment_parameter(void **state)
{
	struct itip_info info;

	assert_int_equal(itip_read(CASES[0].ics, strlen(CASES[0].ics), &info, NULL), 0);
	assert_non_null(info.attendees[0].comment);
	assert_string_equal(info.attendees[0].comment, "Later\\, ok");
	itip_info_release(&info);
}

static const char *const NOT_CALENDARS[] = {
	"",
	"hello",
	"BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n",
	"\xff\xfe\x00garbage",
	"BEGIN:VCALENDAR\r\nBEGIN:VCALENDAR\r\nBEGIN:VCALENDAR\r\n",
};

static void
test_itip_read_refuses_what_is_no_calendar(void **state)
{
	{
		const size_t i = TESTLIB_ROW(state, NOT_CALENDARS);
		struct itip_info info;
		struct fb_error err = { { 0 } };
		int rc = itip_read(NOT_CALENDARS[i], strlen(NOT_CALENDARS[i]), &info, &err);

		/* a truncated VCALENDAR may be read as an empty one; what matters is no crash and no
		 * event invented */
		if (rc == 0)
			assert_null(info.uid);
		else
			assert_true(err.msg[0] != '\0');
		itip_info_release(&info);
	}
}

static void
test_itip_read_size_limit(void **state)
{
	struct itip_info info;
	struct fb_error err = { { 0 } };
	char *big = calloc(1, ITIP_MAX_SIZE + 2);

	assert_non_null(big);
	memset(big, 'A', ITIP_MAX_SIZE + 1);
	assert_int_equal(itip_read(big, ITIP_MAX_SIZE + 1, &info, &err), -1);
	assert_non_null(strstr(err.msg, "larger"));
	itip_info_release(&info);
	itip_info_release(&info); /* twice is fine */
	free(big);
}

int
main(void)
{
	static const struct testlib_rows rows[] = {
		TESTLIB_ROWS(test_itip_read_table, CASES),
		TESTLIB_ROWS(test_itip_read_refuses_what_is_no_calendar, NOT_CALENDARS),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_itip_read_google_comment_parameter),
		cmocka_unit_test(test_itip_read_size_limit),
	};

	return testlib_run_rows("itip_read", rows, sizeof(rows) / sizeof(rows[0]), tests,
	    sizeof(tests) / sizeof(tests[0]), NULL, NULL);
}
