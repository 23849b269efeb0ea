/*
 * Unit tests of addrswap: messages made by compose_build() (text, HTML, a calendar in two
 * parts) get another sender address, and read back with message_parse() they are the same
 * message but for it: From, ORGANIZER, the text; the ATTENDEE and everything else as before.
 * A table of cases: the encodings compose picks (7bit, quoted-printable for non-ASCII text,
 * base64 for long lines), an attendee who is the old address, a long ORGANIZER line folded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "addrswap.h"
#include "buf.h"
#include "compose.h"
#include "fberror.h"
#include "message.h"
#include "testlib.h"

static const unsigned char RND[COMPOSE_RANDOM_BYTES] = { 9, 8, 7, 6, 5, 4, 3, 2, 1 };

#define OLD "feedback@feedbackd.invalid"

struct swap_case {
	const char *what;
	const char *text;       /* the text part; ORG is the organizer, LONG a long word */
	const char *attendee;
	const char *new_addr;
	int html;
};

static const struct swap_case cases[] = {
	{ "plain ASCII text (7bit)", "Organiser: ORG\nSee you there.\n", "jan@example.nl",
	  "feedback@teamwerk.test", 1 },
	{ "accented text (quoted-printable)", "Organisator: ORG\nTot dan, Jeroen Mëijer.\n",
	  "jeroen@example.nl", "coach@teamwerk.test", 1 },
	{ "a very long line (base64)", "Organiser: ORG LONG\n", "jan@example.nl",
	  "feedback@teamwerk.test", 0 },
	{ "the attendee is the old address: ATTENDEE stays", "Organiser: ORG\n", OLD,
	  "feedback@teamwerk.test", 0 },
	{ "a long new address: ORGANIZER folded at 75 octets",
	  "Organiser: ORG\n", "jan@example.nl",
	  "programme-coordinator.team-feedback@afdeling-personeel.teamwerk.test", 1 },
};

/* The iCalendar compose is given, as itip_build would write it (CRLF, folded). */
static void
calendar(const char *org, const char *attendee, struct buf *out)
{
	assert_int_equal(buf_addf(out, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//\r\n"
	    "METHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:session-x@feedbackd.invalid\r\n"
	    "ORGANIZER;CN=Feedback:mailto:%s\r\nATTENDEE;CN=Jan;ROLE=REQ-PARTICIPANT;"
	    "RSVP=TRUE:mailto:%s\r\nSUMMARY:Kick-off\r\nDESCRIPTION:Organiser: %s\r\n"
	    "END:VEVENT\r\nEND:VCALENDAR\r\n", org, attendee, org), 0);
}

static void
build(const struct swap_case *c, const char *org, struct buf *raw)
{
	struct buf text = BUF_INIT, html = BUF_INIT, ics = BUF_INIT, longline = BUF_INIT;
	struct fb_error err;

	for (int i = 0; i < 20; i++)
		buf_puts(&longline, "a-long-line-without-a-break-");
	for (const char *t = c->text; *t; t++) {
		if (strncmp(t, "ORG", 3) == 0) {
			buf_puts(&text, org);
			t += 2;
		} else if (strncmp(t, "LONG", 4) == 0) {
			buf_puts(&text, longline.data);
			t += 3;
		} else {
			buf_putch(&text, *t);
		}
	}
	assert_int_equal(buf_addf(&html, "<p>Organiser: %s</p>", org), 0);
	calendar(org, c->attendee, &ics);
	struct compose_msg m = {
		.from_addr = org, .from_name = "Feedback", .to_addr = "jan@example.nl",
		.reply_to = "feedback+abc@feedbackd.invalid", .subject = "Kick-off",
		.date = 1799049600, .message_id = "<x@feedbackd.invalid>", .random = RND,
		.automatic = 1, .text = text.data, .html = c->html ? html.data : NULL,
		.calendar = ics.data, .calendar_method = "REQUEST",
	};
	assert_int_equal(compose_build(&m, raw, &err), 0);
	buf_release(&text);
	buf_release(&html);
	buf_release(&ics);
	buf_release(&longline);
}

/* Lines of s (as message_parse gives them: LF line ends) unfolded. */
static void
unfold(const char *s, struct buf *out)
{
	for (; *s; s++) {
		if (s[0] == '\n' && s[1] == ' ')
			s++;
		else
			buf_putch(out, *s);
	}
}

static void
test_addrswap_table(void **state)
{
	const struct swap_case *c = &cases[TESTLIB_ROW(state, cases)];
	struct buf raw = BUF_INIT, out = BUF_INIT, from = BUF_INIT, want = BUF_INIT;
	struct fb_error err;
	struct fb_message *before, *after;

	print_message("case: %s\n", c->what);
	build(c, OLD, &raw);
	assert_int_equal(addrswap_from(raw.data, raw.len, &from, &err), 0);
	assert_string_equal(from.data, OLD);
	assert_int_equal(addrswap_message(raw.data, raw.len, OLD, c->new_addr, &out, &err), 0);
	before = message_parse(raw.data, raw.len, 1 << 20, &err);
	after = message_parse(out.data, out.len, 1 << 20, &err);
	assert_non_null(before);
	assert_non_null(after);
	assert_string_equal(after->from.addr, c->new_addr);
	assert_string_equal(after->subject, before->subject);
	assert_string_equal(after->message_id, before->message_id);
	assert_int_equal((int)after->ncalendars, 2);
	/* the text is what compose makes of the text with the new organizer */
	assert_non_null(strstr(after->text, c->new_addr));
	assert_null(strstr(after->text, OLD));
	for (size_t i = 0; i < after->ncalendars; i++) {
		struct buf u = BUF_INIT, line = BUF_INIT;
		const char *d = after->calendars[i].data;

		/* folded where it was changed: the ORGANIZER line and its continuations have at
		 * most 75 octets each (the input's other lines are left as they were) */
		const char *l = strstr(d, "\nORGANIZER");

		assert_non_null(l);
		for (l++; ; ) {
			const char *e = strchr(l, '\n');

			assert_non_null(e);
			assert_true(e - l <= 75);
			if (e[1] != ' ')
				break;
			l = e + 1;
		}
		unfold(d, &u);
		assert_int_equal(buf_addf(&line, "\nORGANIZER;CN=Feedback:mailto:%s\n",
		    c->new_addr), 0);
		assert_non_null(strstr(u.data, line.data));
		buf_reset(&line);
		assert_int_equal(buf_addf(&line, "RSVP=TRUE:mailto:%s\n", c->attendee), 0);
		assert_non_null(strstr(u.data, line.data));
		assert_non_null(strstr(u.data, "UID:session-x@feedbackd.invalid\n"));
		buf_release(&u);
		buf_release(&line);
	}
	/* the same message made with the new address from the start reads the same */
	build(c, c->new_addr, &want);
	{
		struct fb_message *made = message_parse(want.data, want.len, 1 << 20, &err);

		assert_non_null(made);
		assert_string_equal(after->text, made->text);
		message_free(made);
	}
	message_free(before);
	message_free(after);
	buf_release(&raw);
	buf_release(&out);
	buf_release(&from);
	buf_release(&want);
}

/* Not of compose's shape: refused, out untouched. */
static const struct {
	const char *what;
	const char *raw;
} refused[] = {
	{ "no header at all", "just text" },
	{ "no From", "To: a@b.nl\r\nSubject: x\r\n\r\nbody\r\n" },
	{ "a multipart without its boundary",
	  "From: <" OLD ">\r\nContent-Type: multipart/mixed\r\n\r\n--x\r\n\r\nbody\r\n--x--\r\n" },
	{ "a multipart that never closes",
	  "From: <" OLD ">\r\nContent-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x\r\n"
	  "Content-Type: text/plain\r\n\r\nbody " OLD "\r\n" },
	{ "a transfer encoding of its own",
	  "From: <" OLD ">\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: x-uue\r\n"
	  "\r\nbody\r\n" },
};

static void
test_addrswap_refuses_other_shapes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct buf out = BUF_INIT;
		struct fb_error err;

		print_message("case: %s\n", refused[i].what);
		assert_int_equal(addrswap_message(refused[i].raw, strlen(refused[i].raw), OLD,
		    "a@teamwerk.test", &out, &err), -1);
		assert_int_equal((int)out.len, 0);
		buf_release(&out);
	}
}

int
main(void)
{
	static const struct testlib_rows rows[] = {
		TESTLIB_ROWS(test_addrswap_table, cases),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addrswap_refuses_other_shapes),
	};

	return testlib_run_rows("addrswap", rows, sizeof(rows) / sizeof(rows[0]), tests,
	    sizeof(tests) / sizeof(tests[0]), NULL, NULL);
}
