/*
 * Unit tests of classify: one kind per message in the documented order (bounce, iTIP,
 * auto-reply, reply, new), each with a reason; the token found where we put it and trusted in
 * order; bounce recipient and status read from reports and from free text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "classify.h"
#include "message.h"
#include "testlib.h"

#define TOK "k7m2qv4xw3bn5rt6yh2jd4pa7e"
#define TOK2 "ab3cd4ef5gh6ij7kl2mn3op4qr"
#define FROM "From: Lid <lid@example.org>\n"
#define TO "To: Feedback <feedback@example.org>\n"

static const struct classify_case {
	const char *name;
	const char *raw;
	enum classify_kind kind;
	const char *reason;   /* a substring of one of the reasons */
	const char *token;    /* or NULL */
	const char *recipient, *status; /* bounces */
} CASES[] = {
	/* replies: where the token is, and which wins */
	{ "token in plus-address", FROM "To: feedback+" TOK "@example.org\nSubject: Re: x\n\nJa\n",
	  CLASSIFY_REPLY, "token in address", TOK, NULL, NULL },
	{ "token in Cc, uppercase", FROM TO "Cc: FEEDBACK+" "K7M2QV4XW3BN5RT6YH2JD4PA7E" "@EXAMPLE.ORG\n\nJa\n",
	  CLASSIFY_REPLY, "address", TOK, NULL, NULL },
	{ "token in Delivered-To", FROM TO "Delivered-To: feedback+" TOK "@example.org\n\nJa\n",
	  CLASSIFY_REPLY, "address", TOK, NULL, NULL },
	{ "token in In-Reply-To", FROM TO "In-Reply-To: <" TOK ".abcdefgh@example.org>\n\nJa\n",
	  CLASSIFY_REPLY, "in-reply-to", TOK, NULL, NULL },
	{ "token in References, not the first id", FROM TO
	  "References: <CAF=xyz@mail.gmail.com>\n <" TOK ".abc@example.org>\n\nJa\n",
	  CLASSIFY_REPLY, "references", TOK, NULL, NULL },
	{ "token in subject", FROM TO "Subject: Re: Feedback [#" TOK "]\n\nJa\n",
	  CLASSIFY_REPLY, "subject", TOK, NULL, NULL },
	{ "address beats subject", FROM "To: feedback+" TOK2 "@example.org\n"
	  "Subject: Re: [#" TOK "]\n\nJa\n", CLASSIFY_REPLY, "address", TOK2, NULL, NULL },
	{ "In-Reply-To beats subject", FROM TO "In-Reply-To: <" TOK2 ".x@example.org>\n"
	  "Subject: Re: [#" TOK "]\n\nJa\n", CLASSIFY_REPLY, "in-reply-to", TOK2, NULL, NULL },
	{ "no token: new", FROM TO "Subject: Vraag\n\nHoi\n", CLASSIFY_NEW, "no token", NULL, NULL, NULL },
	{ "a look-alike token is no token", FROM TO "Subject: [#" TOK "x]\n\nHoi\n",
	  CLASSIFY_NEW, "no token", NULL, NULL, NULL },
	{ "no From: unknown", TO "Subject: ?\n\nHoi\n", CLASSIFY_UNKNOWN, "From", NULL, NULL, NULL },

	/* ARF spam complaints (RFC 5965): never a reply; only the returned message names our mail */
	{ "ARF repeating our subject token is a complaint, not a reply", FROM
	  "To: feedback+" TOK2 "@example.org\nSubject: FW: Week 1 [#" TOK2 "]\n"
	  "Content-Type: multipart/report; report-type=feedback-report; boundary=b\n\n"
	  "--b\nContent-Type: text/plain\n\nThis is an email abuse report\n"
	  "--b\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nVersion: 1\n"
	  "--b\nContent-Type: message/rfc822\n\nFrom: feedback@example.org\n"
	  "Message-ID: <" TOK ".abc@example.org>\nSubject: Week 1 [#" TOK "]\n\nHallo\n--b--\n",
	  CLASSIFY_COMPLAINT, "ARF", TOK, NULL, NULL },
	{ "ARF with headers only, our Reply-To", FROM TO "Subject: complaint\n"
	  "Content-Type: multipart/report; report-type=feedback-report; boundary=b\n\n"
	  "--b\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\n"
	  "--b\nContent-Type: text/rfc822-headers\n\nFrom: feedback@example.org\n"
	  "Reply-To: feedback+" TOK "@example.org\n--b--\n",
	  CLASSIFY_COMPLAINT, "feedback-report", TOK, NULL, NULL },
	{ "ARF about a message not ours names no token, whatever its subject says", FROM
	  "Subject: FW: [#" TOK2 "]\n"
	  "Content-Type: multipart/report; report-type=feedback-report; boundary=b\n\n"
	  "--b\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\n"
	  "--b\nContent-Type: message/rfc822\n\nFrom: spam@elsewhere.example\n"
	  "Message-ID: <x1@elsewhere.example>\n\nBuy\n--b--\n",
	  CLASSIFY_COMPLAINT, "ARF", NULL, NULL, NULL },


	/* auto-replies, even with a token */
	{ "Auto-Submitted auto-replied", FROM "To: feedback+" TOK "@example.org\n"
	  "Auto-Submitted: auto-replied\nSubject: Re: x\n\nWeg\n", CLASSIFY_AUTO_REPLY,
	  "Auto-Submitted: auto-replied", TOK, NULL, NULL },
	{ "Auto-Submitted: no is a person", FROM "To: feedback+" TOK "@example.org\n"
	  "Auto-Submitted: no\n\nJa\n", CLASSIFY_REPLY, "address", TOK, NULL, NULL },
	{ "Auto-Submitted: no (comment) is a person", FROM "To: feedback+" TOK "@example.org\n"
	  "Auto-Submitted: No (by hand)\n\nJa\n", CLASSIFY_REPLY, "address", TOK, NULL, NULL },
	{ "Auto-Submitted: auto-notified", FROM TO "Auto-Submitted: auto-notified\n\nx\n",
	  CLASSIFY_AUTO_REPLY, "auto-notified", NULL, NULL, NULL },
	{ "X-Autoreply", FROM TO "X-Autoreply: yes\n\nWeg\n", CLASSIFY_AUTO_REPLY, "X-Autoreply", NULL, NULL, NULL },
	{ "Precedence: bulk", FROM TO "Precedence: bulk\n\nNieuws\n", CLASSIFY_AUTO_REPLY, "Precedence", NULL, NULL, NULL },
	{ "List-Id", FROM TO "List-Id: <team.lists.example.org>\n\nx\n", CLASSIFY_AUTO_REPLY, "List-Id", NULL, NULL, NULL },
	{ "Exchange inbox rule", FROM TO "X-MS-Exchange-Inbox-Rules-Loop: lid@example.org\n\nx\n",
	  CLASSIFY_AUTO_REPLY, "Rules-Loop", NULL, NULL, NULL },
	{ "Dutch out-of-office subject", FROM TO "Subject: Automatisch antwoord: Feedbackverzoek\n\nIk ben er niet\n",
	  CLASSIFY_AUTO_REPLY, "Automatisch antwoord", NULL, NULL, NULL },
	{ "Afwezig subject", FROM TO "Subject: Afwezig tot 1 februari\n\nx\n", CLASSIFY_AUTO_REPLY, "Afwezig", NULL, NULL, NULL },
	{ "English out-of-office subject", FROM TO "Subject: Out of Office: Re: x\n\nx\n", CLASSIFY_AUTO_REPLY, "Out of Office", NULL, NULL, NULL },
	{ "Automatic reply", FROM TO "Subject: Automatic reply: x\n\nx\n", CLASSIFY_AUTO_REPLY, "Automatic reply", NULL, NULL, NULL },
	{ "old Exchange's Latvian out-of-office subject, without diacritics", FROM TO
	  "Subject: Arpus biroja atrasanas automatiska atbilde: Feedback\n\nIk ben weg\n",
	  CLASSIFY_AUTO_REPLY, "automatiska atbilde", NULL, NULL, NULL },
	{ "Polish automatic reply after the subject", FROM TO
	  "Subject: Feedback (Odpowiedź automatyczna)\n\nx\n",
	  CLASSIFY_AUTO_REPLY, "odpowiedź automatyczna", NULL, NULL, NULL },
	{ "a person writing about absence is a person", FROM "To: feedback+" TOK "@example.org\n"
	  "Subject: Re: ik ben volgende week afwezig\n\nx\n", CLASSIFY_REPLY, "address", TOK, NULL, NULL },

	/* bounces: first, whatever else the message carries */
	{ "RFC 3464 report", "From: MAILER-DAEMON@mx.example.org\nTo: feedback@example.org\n"
	  "Auto-Submitted: auto-replied\nSubject: Undelivered Mail Returned to Sender\n"
	  "Content-Type: multipart/report; report-type=delivery-status; boundary=r\n\n"
	  "--r\nContent-Type: text/plain\n\nSorry.\n--r\nContent-Type: message/delivery-status\n\n"
	  "Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; Gone@Example.NET\nAction: failed\n"
	  "Status: 5.1.1 (user unknown)\n--r\nContent-Type: text/rfc822-headers\n\n"
	  "Message-ID: <" TOK ".abc@example.org>\nTo: gone@example.net\n--r--\n",
	  CLASSIFY_BOUNCE, "report-type=delivery-status", TOK, "gone@example.net", "5.1.1" },
	{ "report saying delayed without a status", "From: MAILER-DAEMON@mx.example.org\n"
	  "Content-Type: multipart/report; report-type=delivery-status; boundary=r\n\n"
	  "--r\nContent-Type: text/plain\n\nStill trying.\n--r\nContent-Type: message/delivery-status\n\n"
	  "Final-Recipient: rfc822; slow@example.net\nAction: delayed\n--r--\n",
	  CLASSIFY_BOUNCE, "delivery-status", NULL, "slow@example.net", "4.0.0" },
	{ "qmail", "From: MAILER-DAEMON@mx.example.jp\nSubject: failure notice\n\n"
	  "Hi. This is the qmail-send program at mx.example.jp.\nI'm afraid I wasn't able to deliver "
	  "your message to the following addresses.\n\n<kijitora@example.ne.jp>:\n"
	  "550 Unknown user (#5.1.1)\n", CLASSIFY_BOUNCE, "qmail-send", NULL, "kijitora@example.ne.jp", "5.1.1" },
	{ "Exim with X-Failed-Recipients", "From: Mail Delivery System <Mailer-Daemon@mx.example.org>\n"
	  "X-Failed-Recipients: lost@example.com\nSubject: Mail delivery failed: returning message to sender\n\n"
	  "This message was created automatically by mail delivery software.\n\n"
	  "  lost@example.com\n    SMTP error from remote mail server after RCPT TO:<lost@example.com>:\n"
	  "    550 No such user\n", CLASSIFY_BOUNCE, "X-Failed-Recipients", NULL, "lost@example.com", "5.0.0" },
	{ "Exchange NDR subject with a diagnostic code", "From: postmaster@contoso.example\n"
	  "Return-Path: <>\nSubject: Undeliverable: Feedbackverzoek\n\n"
	  "Delivery has failed to these recipients or groups:\n\njan@contoso.example\n"
	  "Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound'\n",
	  CLASSIFY_BOUNCE, "delivery has failed to these recipients", NULL, "jan@contoso.example", "5.1.10" },
	{ "Gmail DSN subject, temporary", "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n"
	  "Subject: Delivery Status Notification (Delay)\nReturn-Path: <>\n\n"
	  "Delivery to the following recipient has been delayed:\n\n     slow@example.net\n\n"
	  "Message will be retried for 2 more day(s)\n",
	  CLASSIFY_BOUNCE, "delivery to the following recipient", NULL, "slow@example.net", "4.0.0" },
	{ "a bounce with a token and an iTIP part is a bounce", "From: MAILER-DAEMON@mx.example.org\n"
	  "To: feedback+" TOK "@example.org\nReturn-Path: <>\nSubject: Returned mail: User unknown\n"
	  "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
	  "The original message was received at Tue.\n   ----- The following addresses had permanent fatal errors -----\n"
	  "<gone@example.net>\n--b\nContent-Type: text/calendar; method=REQUEST\n\n"
	  "BEGIN:VCALENDAR\nMETHOD:REQUEST\nBEGIN:VEVENT\nUID:u\nEND:VEVENT\nEND:VCALENDAR\n--b--\n",
	  CLASSIFY_BOUNCE, "", TOK, "gone@example.net", "5.0.0" },
	{ "Re: Undeliverable from a person is not a bounce", FROM TO
	  "Subject: Re: Undeliverable: my mail to you\n\nDid you get it?\n", CLASSIFY_NEW, "no token", NULL, NULL, NULL },

	/* iTIP: before auto-reply (Outlook puts auto headers on calendar answers too) */
	{ "iTIP REPLY with method parameter", FROM TO "X-Auto-Response-Suppress: All\n"
	  "Auto-Submitted: auto-generated\n"
	  "Content-Type: text/calendar; method=REPLY; charset=utf-8\n\nBEGIN:VCALENDAR\nMETHOD:REPLY\n"
	  "BEGIN:VEVENT\nUID:u1\nATTENDEE;PARTSTAT=ACCEPTED:mailto:lid@example.org\nEND:VEVENT\n"
	  "END:VCALENDAR\n", CLASSIFY_ITIP, "method=REPLY", NULL, NULL, NULL },
	{ "iTIP REPLY without method parameter (Apple)", FROM TO
	  "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nAccepted\n"
	  "--b\nContent-Type: text/calendar\nContent-Disposition: attachment; filename=a.ics\n\n"
	  "BEGIN:VCALENDAR\nMETHOD:REPLY\nBEGIN:VEVENT\nUID:u2\nEND:VEVENT\nEND:VCALENDAR\n--b--\n",
	  CLASSIFY_ITIP, "METHOD:REPLY inside", NULL, NULL, NULL },
	{ "PUBLISH is no iTIP answer", FROM TO "Content-Type: text/calendar; method=PUBLISH\n\n"
	  "BEGIN:VCALENDAR\nMETHOD:PUBLISH\nBEGIN:VEVENT\nUID:u3\nEND:VEVENT\nEND:VCALENDAR\n",
	  CLASSIFY_NEW, "no token", NULL, NULL, NULL },
	{ "a broken calendar is no iTIP", FROM TO "Content-Type: text/calendar; method=REPLY\n\n"
	  "not a calendar\n", CLASSIFY_NEW, "no token", NULL, NULL, NULL },

};

static void
test_classify_table(void **state)
{
	{
		const size_t i = TESTLIB_ROW(state, CASES);
		const struct classify_case *c = &CASES[i];
		struct fb_error err = { { 0 } };
		struct fb_message *m = message_parse(c->raw, strlen(c->raw), 1 << 20, &err);
		struct classify_result r;
		int found = 0;

		if (m == NULL)
			fail_msg("%s: %s", c->name, err.msg);
		assert_int_equal(classify_message(m, &r, &err), 0);
		if (r.kind != c->kind)
			fail_msg("%s: kind %s, expected %s (%s)", c->name, classify_kind_name(r.kind),
			    classify_kind_name(c->kind), r.nreasons ? r.reasons[0] : "no reason");
		assert_true(r.nreasons > 0);
		for (size_t k = 0; k < r.nreasons; k++)
			found |= strstr(r.reasons[k], c->reason) != NULL;
		if (!found)
			fail_msg("%s: no reason mentions '%s' (first: %s)", c->name, c->reason,
			    r.reasons[0]);
		if (c->token != NULL)
			assert_string_equal(r.token, c->token);
		else if (r.token[0] != '\0')
			fail_msg("%s: unexpected token %s", c->name, r.token);
		if (c->kind == CLASSIFY_BOUNCE) {
			if (r.bounce.recipient == NULL || strcmp(r.bounce.recipient, c->recipient) != 0)
				fail_msg("%s: recipient %s, expected %s", c->name,
				    r.bounce.recipient ? r.bounce.recipient : "(none)", c->recipient);
			assert_string_equal(r.bounce.status, c->status);
			assert_int_equal(r.bounce.permanent, c->status[0] == '5');
		}
		classify_result_release(&r);
		message_free(m);
	}
}

static void
test_classify_itip_details(void **state)
{
	const char *raw = CASES[sizeof(CASES) / sizeof(CASES[0]) - 4].raw;
	struct fb_message *m = message_parse(raw, strlen(raw), 1 << 20, NULL);
	struct classify_result r;

	assert_non_null(m);
	assert_int_equal(classify_message(m, &r, NULL), 0);
	assert_int_equal(r.kind, CLASSIFY_ITIP);
	assert_string_equal(r.itip.method, "REPLY");
	assert_string_equal(r.itip.uid, "u1");
	assert_string_equal(r.itip.attendees[0].partstat, "ACCEPTED");
	classify_result_release(&r);
	message_free(m);
}

/* subject and text of an out-of-office answer → the date it names, "" when none with a year */
static const struct until_case {
	const char *subject, *text, *until;
} UNTIL[] = {
	{ "Automatisch antwoord: x", "Ik ben afwezig tot en met maandag 1 februari 2027.", "2027-02-01" },
	{ "Out of Office", "I am away until 2027-02-01 with limited access.", "2027-02-01" },
	{ "Out of Office", "Back on February 3rd, 2027.", "2027-02-03" },
	{ "Afwezig t/m 05-02-2027", "x", "2027-02-05" },
	{ "Automatic reply: x", "I'm out till 7/2/2027.", "2027-02-07" },
	{ "Afwezig", "Ik ben er tot 1 februari niet.", "" },          /* no year: not guessed */
	{ "Afwezig", "Tot 2027-13-01 weg.", "" },                     /* no such month */
	{ "Out of Office", "Until further notice.", "" },
	{ "Out of Office", "", "" },
};

static void
test_classify_auto_reply_until_table(void **state)
{
	{
		const size_t i = TESTLIB_ROW(state, UNTIL);
		struct buf raw = BUF_INIT;
		struct fb_message *m;
		struct classify_result r;

		assert_int_equal(buf_addf(&raw, FROM TO "Subject: %s\nContent-Type: text/plain; "
		    "charset=utf-8\n\n%s\n", UNTIL[i].subject, UNTIL[i].text), 0);
		m = message_parse(raw.data, raw.len, 1 << 20, NULL);
		assert_non_null(m);
		assert_int_equal(classify_message(m, &r, NULL), 0);
		assert_int_equal(r.kind, CLASSIFY_AUTO_REPLY);
		if (strcmp(r.until, UNTIL[i].until) != 0)
			fail_msg("'%s': until '%s', expected '%s'", UNTIL[i].text, r.until, UNTIL[i].until);
		classify_result_release(&r);
		message_free(m);
		buf_release(&raw);
	}
}

static void
test_classify_kind_names(void **state)
{
	static const char *const names[] = { "reply", "new", "auto_reply", "bounce", "itip", "unknown",
	    "complaint" };

	for (int k = CLASSIFY_REPLY; k <= CLASSIFY_COMPLAINT; k++)
		assert_string_equal(classify_kind_name((enum classify_kind)k), names[k]);
	assert_string_equal(classify_kind_name((enum classify_kind)99), "unknown");
}

static void
test_classify_reasons_bounded(void **state)
{
	struct classify_result r;

	memset(&r, 0, sizeof(r));
	for (int i = 0; i < CLASSIFY_MAX_REASONS + 5; i++)
		assert_int_equal(classify_add_reason(&r, "reason %d with\na newline", i), 0);
	assert_int_equal(r.nreasons, CLASSIFY_MAX_REASONS);
	assert_null(strchr(r.reasons[0], '\n'));
	classify_result_release(&r);
}

int
main(void)
{
	static const struct testlib_rows rows[] = {
		TESTLIB_ROWS(test_classify_table, CASES),
		TESTLIB_ROWS(test_classify_auto_reply_until_table, UNTIL),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_itip_details),
		cmocka_unit_test(test_classify_kind_names),
		cmocka_unit_test(test_classify_reasons_bounded),
	};

	return testlib_run_rows("classify", rows, sizeof(rows) / sizeof(rows[0]), tests,
	    sizeof(tests) / sizeof(tests[0]), NULL, NULL);
}
