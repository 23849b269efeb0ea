/*
 * Unit tests of classify's bounce reading beyond the kinds (test_classify.c): the class of
 * each failure (bounce.reason) from a status and from the wording tables, the expired retry
 * read as 4.4.7 and not permanent, senders without a usable From ("MAILER-DAEMON <>"), a
 * bounce that also says Auto-Submitted, Amazon SES JSON, legacy charsets and line ends, and
 * the near-misses that are no bounce at all. Every table of src/core/tables/bounce-*.txt must
 * compile (classify_rules_new), and the fallback without rules reads the same.
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
#define PERSON "From: Lid <lid@example.org>\nTo: Feedback <feedback@example.org>\n"
#define DAEMON "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\n" \
	"To: feedback+" TOK "@example.org\n"

static const struct bounce_case {
	const char *name;
	const char *raw;
	enum classify_kind kind;
	const char *recipient, *status, *reason; /* bounces */
} CASES[] = {
	/* classes from a specific status */
	{ "5.1.1 is user_unknown", DAEMON "Subject: Undelivered Mail Returned to Sender\n\n"
	  "This is the mail system at host mx.example.org.\n\n<gone@example.net>: host "
	  "mx.example.net said: 550 5.1.1 <gone@example.net>: Recipient address rejected\n",
	  CLASSIFY_BOUNCE, "gone@example.net", "5.1.1", "user_unknown" },
	{ "5.2.2 is mailbox_full", DAEMON "Subject: Undelivered Mail Returned to Sender\n\n"
	  "This is the mail system at host mx.example.org.\n\n<full@example.net>: host "
	  "mx.example.net said: 552 5.2.2 Over quota\n",
	  CLASSIFY_BOUNCE, "full@example.net", "5.2.2", "mailbox_full" },
	{ "5.7.1 is rejected", DAEMON "Subject: Undelivered Mail Returned to Sender\n\n"
	  "This is the mail system at host mx.example.org.\n\n<x@example.net>: host "
	  "mx.example.net said: 550 5.7.1 Service unavailable; client host blocked\n",
	  CLASSIFY_BOUNCE, "x@example.net", "5.7.1", "rejected" },
	{ "5.3.4 is too_large", DAEMON "Subject: Undelivered Mail Returned to Sender\n\n"
	  "This is the mail system at host mx.example.org.\n\n<x@example.net>: host "
	  "mx.example.net said: 552 5.3.4 Message size exceeds fixed limit\n",
	  CLASSIFY_BOUNCE, "x@example.net", "5.3.4", "too_large" },
	/* classes from the wording when there is no status */
	{ "no status, 'no such user' is user_unknown", DAEMON "Subject: failure notice\n\n"
	  "Hi. This is the qmail-send program at mx.example.org.\nI'm afraid I wasn't able to "
	  "deliver your message to the following addresses.\n\n<gone@example.net>:\n"
	  "Sorry, no mailbox here by that name.\n",
	  CLASSIFY_BOUNCE, "gone@example.net", "5.0.0", "user_unknown" },
	{ "no status, 'host not found' is host_unknown", DAEMON "Subject: failure notice\n\n"
	  "Hi. This is the qmail-send program at mx.example.org.\nI'm afraid I wasn't able to "
	  "deliver your message to the following addresses.\n\n<x@nowhere.example>:\n"
	  "Sorry, I couldn't find any host named nowhere.example. Host not found.\n",
	  CLASSIFY_BOUNCE, "x@nowhere.example", "5.0.0", "host_unknown" },
	{ "German GMX notice, mailbox full", "From: Mailer Daemon <mailer-daemon@gmx.net>\n"
	  "Subject: Unzustellbar: Feedback\nContent-Type: text/plain; charset=utf-8\n\n"
	  "Ihre Nachricht konnte nicht an voll@example.de zugestellt werden.\n"
	  "Grund: Das Postfach ist voll.\n",
	  CLASSIFY_BOUNCE, "voll@example.de", "5.0.0", "mailbox_full" },
	/* the expired retry */
	{ "Exim retry timeout exceeded: expired, 4.4.7, not permanent",
	  "From: Mail Delivery System <Mailer-Daemon@mx.example.org>\n"
	  "Subject: Mail delivery failed: returning message to sender\n"
	  "X-Failed-Recipients: slow@example.net\n\n"
	  "This message was created automatically by mail delivery software.\n\n"
	  "A message that you sent could not be delivered to one or more of its\nrecipients. "
	  "This is a permanent error. The following address(es) failed:\n\n  slow@example.net\n"
	  "    retry timeout exceeded\n",
	  CLASSIFY_BOUNCE, "slow@example.net", "4.4.7", "expired" },
	{ "Sendmail 'could not be delivered for 5 days': expired", DAEMON
	  "Subject: Returned mail: see transcript for details\n\n"
	  "The original message was received at Mon, 7 Dec 2026 10:00:00 +0100\n\n"
	  "   ----- The following addresses had permanent fatal errors -----\n<slow@example.net>\n"
	  "    (reason: Deferred: Connection timed out with mx.example.net.)\n\n"
	  "   ----- Transcript of session follows -----\n"
	  "Message could not be delivered for 5 days\nMessage will be deleted from queue\n",
	  CLASSIFY_BOUNCE, "slow@example.net", "4.4.7", "expired" },
	{ "RFC 3464 failed on a 4.x.x status: expired, the status kept",
	  "From: MAILER-DAEMON@mx.example.org\nSubject: Undelivered Mail Returned to Sender\n"
	  "Content-Type: multipart/report; report-type=delivery-status; boundary=r\n\n"
	  "--r\nContent-Type: text/plain\n\nSorry.\n--r\nContent-Type: message/delivery-status\n\n"
	  "Final-Recipient: rfc822; slow@example.net\nAction: failed\nStatus: 4.4.1\n"
	  "Diagnostic-Code: X-Postfix; connect to mx.example.net: Connection timed out\n--r--\n",
	  CLASSIFY_BOUNCE, "slow@example.net", "4.4.1", "expired" },
	{ "Status 5.4.7 delivery time expired: 4.4.7", "From: postmaster@contoso.example\n"
	  "Subject: Undeliverable: Feedback\nReturn-Path: <>\n\n"
	  "Delivery has failed to these recipients or groups:\n\nslow@example.net\n"
	  "Delivery time expired.\n\nRemote Server returned '550 5.4.7 Message expired'\n",
	  CLASSIFY_BOUNCE, "slow@example.net", "4.4.7", "expired" },
	{ "qmail refused with 5xx though 'in the queue too long': not expired", DAEMON
	  "Subject: failure notice\n\nHi. This is the qmail-send program at mx.example.org.\n"
	  "I'm afraid I wasn't able to deliver your message to the following addresses.\n\n"
	  "<x@example.net>:\nRemote host said: 554 5.0.0 Go away\nI'm not going to try again; "
	  "this message has been in the queue too long.\n",
	  CLASSIFY_BOUNCE, "x@example.net", "5.0.0", "unknown" },
	{ "a delay warning is temporary", "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n"
	  "Subject: Delivery Status Notification (Delay)\n\n"
	  "This is an automatically generated Delivery Status Notification\n\n"
	  "THIS IS A WARNING MESSAGE ONLY.\n\nYOU DO NOT NEED TO RESEND YOUR MESSAGE.\n\n"
	  "Delivery to the following recipient has been delayed:\n\n     slow@example.net\n",
	  CLASSIFY_BOUNCE, "slow@example.net", "4.0.0", "temporary" },
	/* senders without a usable address */
	{ "DragonFly dma: From MAILER-DAEMON <>", "Received: from MAILER-DAEMON\n\tid 1a2b3c\n"
	  "\tby mail.example.org (DragonFly Mail Agent v0.13);\n\tMon, 07 Dec 2026 10:00:00 +0100\n"
	  "X-Original-To: <feedback+" TOK "@example.org>\nFrom: MAILER-DAEMON <>\n"
	  "To: feedback+" TOK "@example.org\nSubject: Mail delivery failed\n"
	  "Message-Id: <1a2b3c.deadbeef@mail.example.org>\n\n"
	  "This is the DragonFly Mail Agent v0.13 at mail.example.org.\n\n"
	  "There was an error delivering your mail to <gone@example.net>.\n\n"
	  "mx.example.net [192.0.2.25] did not like our RCPT TO:\n"
	  "550 5.1.1 <gone@example.net>: Recipient address rejected: User unknown\n\n"
	  "Original message follows.\n",
	  CLASSIFY_BOUNCE, "gone@example.net", "5.1.1", "user_unknown" },
	{ "a bare 'Mail Delivery System' From with an unknown wording and a returned message",
	  "From: Mail Delivery System\nSubject: Notification\n"
	  "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
	  "Recipient: <gone@example.net>\nReason: 550 5.1.1 unknown\n--b\n"
	  "Content-Type: message/rfc822\n\nFrom: feedback@example.org\nTo: gone@example.net\n"
	  "Message-ID: <" TOK ".a@example.org>\nSubject: x\n\nhoi\n--b--\n",
	  CLASSIFY_BOUNCE, "gone@example.net", "5.1.1", "user_unknown" },
	/* a bounce outranks an auto-reply */
	{ "Auto-Submitted: auto-replied on a notice with an unknown subject", DAEMON
	  "Auto-Submitted: auto-replied\nSubject: Notice\n\n"
	  "Your message to gone@example.net couldn't be delivered.\n"
	  "gone wasn't found at example.net.\n",
	  CLASSIFY_BOUNCE, "gone@example.net", "5.0.0", "user_unknown" },
	/* Amazon SES through SNS */
	{ "SES bounce in an SNS envelope", "From: AWS Notifications <no-reply@sns.amazonaws.com>\n"
	  "To: ops@example.org\nSubject: AWS Notification Message\n"
	  "Content-Type: text/plain; charset=UTF-8\n\n"
	  "{\"Type\":\"Notification\",\"MessageId\":\"1\",\"TopicArn\":\"arn:aws:sns:eu-west-1:1:b\","
	  "\"Message\":\"{\\\"notificationType\\\":\\\"Bounce\\\",\\\"bounce\\\":{\\\"bounceType\\\":"
	  "\\\"Permanent\\\",\\\"bounceSubType\\\":\\\"General\\\",\\\"bouncedRecipients\\\":[{"
	  "\\\"emailAddress\\\":\\\"Gone@Example.net\\\",\\\"action\\\":\\\"failed\\\",\\\"status\\\":"
	  "\\\"5.1.1\\\",\\\"diagnosticCode\\\":\\\"smtp; 550 5.1.1 user unknown\\\"}]},"
	  "\\\"mail\\\":{\\\"source\\\":\\\"bounce+" TOK "@example.org\\\",\\\"destination\\\":"
	  "[\\\"gone@example.net\\\"],\\\"headers\\\":[{\\\"name\\\":\\\"Message-ID\\\","
	  "\\\"value\\\":\\\"<" TOK ".x@example.org>\\\"}]}}\"}\n",
	  CLASSIFY_BOUNCE, "gone@example.net", "5.1.1", "user_unknown" },
	{ "SES transient mailbox full, bare notification", "From: no-reply@sns.amazonaws.com\n"
	  "Subject: AWS Notification Message\n\n{\"notificationType\":\"Bounce\",\"bounce\":{"
	  "\"bounceType\":\"Transient\",\"bounceSubType\":\"MailboxFull\",\"bouncedRecipients\":"
	  "[{\"emailAddress\":\"full@example.net\"}]},\"mail\":{\"source\":\"x@example.org\"}}\n",
	  CLASSIFY_BOUNCE, "full@example.net", "4.0.0", "mailbox_full" },
	{ "SES delivery notification is no bounce", "From: no-reply@sns.amazonaws.com\n"
	  "Subject: AWS Notification Message\n\n{\"notificationType\":\"Delivery\",\"mail\":{}}\n",
	  CLASSIFY_NEW, NULL, NULL, NULL },
	/* charsets and line ends */
	{ "ISO-2022-JP notice from a Japanese carrier", "From: Postmaster@docomo.ne.jp\n"
	  "Subject: =?ISO-2022-JP?B?GyRCRz8/LiUoJWkhPBsoQg==?=\n"
	  "Content-Type: text/plain; charset=ISO-2022-JP\n\n"
	  "\x1b$B%a%C%;!<%8$rG[?.$G$-$^$;$s$G$7$?!#\x1b(B\n<gone@docomo.ne.jp>\n",
	  CLASSIFY_BOUNCE, "gone@docomo.ne.jp", "5.0.0", "unknown" },
	{ "classic-Mac CR-only line ends", "From MAILER-DAEMON Mon Dec  7 10:00:00 2026\r"
	  "From: MAILER-DAEMON@mx.example.org\rSubject: failure notice\r\r"
	  "Hi. This is the qmail-send program at mx.example.org.\r"
	  "<gone@example.net>:\r550 5.1.1 no such user\r",
	  CLASSIFY_BOUNCE, "gone@example.net", "5.1.1", "user_unknown" },
	/* near-misses: a person */
	{ "a person's reply that mentions undeliverable is no bounce", PERSON
	  "Subject: Re: feedback\nIn-Reply-To: <" TOK ".a@example.org>\n\n"
	  "My first mail came back as undeliverable, your message could not be delivered to "
	  "me because my mailbox was full. Sorry!\n",
	  CLASSIFY_REPLY, NULL, NULL, NULL },
	{ "a person answering a notice, quoting it, is no bounce", PERSON
	  "Subject: Re: Undeliverable: Feedback\nIn-Reply-To: <ndr1@contoso.example>\n\n"
	  "What does this mean?\n\n> Delivery has failed to these recipients or groups:\n"
	  "> jan@contoso.example\n",
	  CLASSIFY_NEW, NULL, NULL, NULL },
	{ "a read receipt from a null sender is no bounce", "From: Lid <lid@example.org>\n"
	  "Return-Path: <>\nSubject: Read: Feedback\n"
	  "Content-Type: multipart/report; report-type=disposition-notification; boundary=b\n\n"
	  "--b\nContent-Type: text/plain\n\nYour message was read.\n--b\n"
	  "Content-Type: message/disposition-notification\n\nDisposition: manual-action/MDN-sent-"
	  "manually; displayed\n--b\nContent-Type: text/rfc822-headers\n\nTo: lid@example.org\n--b--\n",
	  CLASSIFY_NEW, NULL, NULL, NULL },
};

/* Notices whose headers look like a person's: only the compiled tables (subject and wording
 * together) find them, so classify_message() without rules reads them as new mail. */
static const struct bounce_case RULES_ONLY[] = {
	{ "a notice with neither daemon nor null sender, its subject and wording say it",
	  "From: Mail Gateway <gateway@mx.example.com>\nSubject: Undeliverable: Feedback\n\n"
	  "Delivery has failed to these recipients or groups:\n\ngone@example.net\n"
	  "The email address you entered couldn't be found.\n",
	  CLASSIFY_BOUNCE, "gone@example.net", "5.0.0", "user_unknown" },
};

static void
check(const struct bounce_case *c, const struct classify_rules *rules)
{
	struct fb_error err = { { 0 } };
	struct fb_message *m = message_parse(c->raw, strlen(c->raw), 1 << 20, &err);
	struct classify_result r;

	if (m == NULL)
		fail_msg("%s: %s", c->name, err.msg);
	assert_int_equal(rules != NULL ? classify_message_with(rules, m, &r, &err) :
	    classify_message(m, &r, &err), 0);
	if (r.kind != c->kind)
		fail_msg("%s: kind %s, expected %s (%s)", c->name, classify_kind_name(r.kind),
		    classify_kind_name(c->kind), r.nreasons ? r.reasons[0] : "no reason");
	if (c->kind == CLASSIFY_BOUNCE) {
		if (r.bounce.recipient == NULL || strcmp(r.bounce.recipient, c->recipient) != 0)
			fail_msg("%s: recipient %s, expected %s", c->name,
			    r.bounce.recipient ? r.bounce.recipient : "(none)", c->recipient);
		if (strcmp(r.bounce.status, c->status) != 0)
			fail_msg("%s: status %s, expected %s", c->name, r.bounce.status, c->status);
		assert_int_equal(r.bounce.permanent, c->status[0] == '5');
		if (strcmp(classify_bounce_reason_name(r.bounce.reason), c->reason) != 0)
			fail_msg("%s: reason %s, expected %s", c->name,
			    classify_bounce_reason_name(r.bounce.reason), c->reason);
	}
	classify_result_release(&r);
	message_free(m);
}

static struct classify_rules *RULES;

static void
test_classify_bounce_table(void **state)
{
	const size_t i = TESTLIB_ROW(state, CASES);

	check(&CASES[i], RULES);
}

/* classify_message() without rules compiles them itself for a message that may be a notice */
static void
test_classify_bounce_table_without_rules(void **state)
{
	const size_t i = TESTLIB_ROW(state, CASES);

	check(&CASES[i], NULL);
}

static void
test_classify_bounce_by_subject_and_wording(void **state)
{
	const size_t i = TESTLIB_ROW(state, RULES_ONLY);

	check(&RULES_ONLY[i], RULES);
}

/* The SES notification names what we sent, for apply_bounce's proof. */
static void
test_classify_bounce_ses_names_our_message(void **state)
{
	const char *raw = CASES[16].raw; /* "SES bounce in an SNS envelope" */
	struct fb_message *m = message_parse(raw, strlen(raw), 1 << 20, NULL);
	struct classify_result r;

	(void)state;
	assert_string_equal(CASES[16].name, "SES bounce in an SNS envelope");
	assert_non_null(m);
	assert_int_equal(classify_message_with(RULES, m, &r, NULL), 0);
	assert_int_equal(r.kind, CLASSIFY_BOUNCE);
	assert_string_equal(r.bounce.sent_message_id, TOK ".x@example.org");
	assert_string_equal(r.bounce.sent_from, "bounce+" TOK "@example.org");
	assert_string_equal(r.token, TOK);
	assert_string_equal(r.token_source, "returned message");
	classify_result_release(&r);
	message_free(m);
}

static void
test_classify_bounce_reason_names(void **state)
{
	(void)state;
	assert_string_equal(classify_bounce_reason_name(CLASSIFY_BOUNCE_EXPIRED), "expired");
	assert_string_equal(classify_bounce_reason_name(CLASSIFY_BOUNCE_USER_UNKNOWN),
	    "user_unknown");
	assert_string_equal(classify_bounce_reason_name((enum classify_bounce_reason)99),
	    "unknown");
}

static int
setup(void **state)
{
	struct fb_error err = { { 0 } };

	(void)state;
	if ((RULES = classify_rules_new(&err)) == NULL) {
		fprintf(stderr, "classify_rules_new: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	classify_rules_free(RULES);
	return 0;
}

int
main(void)
{
	static const struct testlib_rows rows[] = {
		TESTLIB_ROWS(test_classify_bounce_table, CASES),
		TESTLIB_ROWS(test_classify_bounce_table_without_rules, CASES),
		TESTLIB_ROWS(test_classify_bounce_by_subject_and_wording, RULES_ONLY),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_bounce_ses_names_our_message),
		cmocka_unit_test(test_classify_bounce_reason_names),
	};

	return testlib_run_rows("classify_bounce", rows, sizeof(rows) / sizeof(rows[0]), tests,
	    sizeof(tests) / sizeof(tests[0]), setup, teardown);
}
