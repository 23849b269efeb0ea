/*
 * Unit tests of message: the text a person wrote comes out as UTF-8 with LF line ends whatever
 * the charset, transfer encoding and client; HTML-only mail is rendered with quotes as "> "
 * lines; calendar and delivery-status parts are kept; hostile sizes and nesting are refused.
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
#include "message.h"
#include "testlib.h"

#define HDR "From: Lid <lid@example.org>\nTo: feedback@example.org\nSubject: Re: x\n" \
	"MIME-Version: 1.0\n"

/* A whole message in, its text out (and, when given, subject and sender name). */
static const struct text_case {
	const char *name;
	const char *raw;
	const char *text;
	int html;
} TEXTS[] = {
	{ "iso-8859-1 quoted-printable",
	  HDR "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n"
	  "Caf=E9 na=EFef\n", "Café naïef\n", 0 },
	{ "windows-1252 euro and dash",
	  HDR "Content-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: quoted-printable\n\n"
	  "=80 12 =96 ok\n", "€ 12 – ok\n", 0 },
	{ "iso-8859-1 label read as windows-1252 (0x80 is the euro, as browsers do)",
	  HDR "Content-Type: text/plain; charset=ISO-8859-1\nContent-Transfer-Encoding: 8bit\n\n"
	  "\x80 5\n", "€ 5\n", 0 },
	{ "utf-8 with BOM: BOM dropped",
	  HDR "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
	  "\xef\xbb\xbfHoi\n", "Hoi\n", 0 },
	{ "BOM without a charset label",
	  HDR "Content-Type: text/plain\n\n\xef\xbb\xbf" "D\xc3\xa9 reply\n", "Dé reply\n", 0 },
	{ "quoted-printable soft line breaks joined",
	  HDR "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
	  "Dit is een lange re=\ngel die doorloopt.\n", "Dit is een lange regel die doorloopt.\n", 0 },
	{ "base64 body decoded",
	  HDR "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
	  "SG9pLApKZXJvZW4gTcOraWplcgo=\n", "Hoi,\nJeroen Mëijer\n", 0 },
	{ "CRLF and lone CR become LF",
	  "From: a@example.org\r\nSubject: x\r\n\r\nline 1\r\nline 2\rline 3\r\n",
	  "line 1\nline 2\nline 3\n", 0 },
	{ "invalid UTF-8 replaced, never passed on",
	  HDR "Content-Type: text/plain; charset=utf-8\n\nok \xff\xfe end \xc3\n",
	  "ok \xef\xbf\xbd\xef\xbf\xbd end \xef\xbf\xbd\n", 0 },
	{ "no charset and not UTF-8: windows-1252",
	  HDR "Content-Type: text/plain\n\nCaf\xe9\n", "Café\n", 0 },
	{ "unknown charset: still readable",
	  HDR "Content-Type: text/plain; charset=x-no-such-charset\n\nCaf\xe9 ok\n", "Café ok\n", 0 },
	{ "multipart/alternative prefers text/plain",
	  HDR "Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
	  "plain\n--b\nContent-Type: text/html\n\n<p>html</p>\n--b--\n", "plain", 0 },
	{ "text/plain attachment is not the body",
	  HDR "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/html\n\n"
	  "<p>body</p>\n--b\nContent-Type: text/plain\nContent-Disposition: attachment; filename=a.txt\n\n"
	  "attached\n--b--\n", "body\n", 1 },
	{ "attached message's text is not the body",
	  HDR "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\n"
	  "From: x@example.org\nSubject: old\n\nold text\n--b\nContent-Type: text/plain\n\nnew text\n--b--\n",
	  "new text", 0 },
	{ "HTML entities, head, style and script",
	  HDR "Content-Type: text/html; charset=utf-8\n\n<html><head><title>T</title><style>p{}</style>"
	  "</head><body><script>var x;</script><p>A &amp; B &euro; &lt;x&gt;&nbsp;y</p></body></html>\n",
	  "A & B € <x> y\n", 1 },
	{ "HTML paragraphs and breaks kept, white space collapsed",
	  HDR "Content-Type: text/html\n\n<p>een\n  twee</p><p>drie<br>vier</p><div>vijf</div>\n",
	  "een twee\n\ndrie\nvier\n\nvijf\n", 1 },
	{ "Outlook: divRplyFwdMsg and all that follows quoted",
	  HDR "Content-Type: text/html\n\n<div>Ja.</div><div id=\"appendonsend\"></div><hr>"
	  "<div id=\"divRplyFwdMsg\"><b>Van:</b> F<br><b>Verzonden:</b> di</div><div>Beste</div>\n",
	  "Ja.\n> Van: F\n> Verzonden: di\n> Beste\n", 1 },
	{ "Outlook desktop: border-top #E1E1E1 block and all that follows quoted",
	  HDR "Content-Type: text/html\n\n<div class=WordSection1><p class=MsoNormal>Goed.</p>"
	  "<p class=MsoNormal>Kees</p><div><div style='border:none;border-top:solid #E1E1E1 1.0pt;"
	  "padding:3.0pt 0cm 0cm 0cm'><p class=MsoNormal><b>From:</b> F<br><b>Sent:</b> Tue</p></div>"
	  "</div><p class=MsoNormal>Dear Kees</p></div>\n",
	  "Goed.\nKees\n> From: F\n> Sent: Tue\n> Dear Kees\n", 1 },
	{ "Gmail: gmail_quote quoted",
	  HDR "Content-Type: text/html\n\n<div dir=ltr>Top</div><br><div class=\"gmail_quote\">"
	  "<div class=gmail_attr>On Tue wrote:<br></div><blockquote class=gmail_quote>old</blockquote>"
	  "</div>\n",
	  "Top\n\n> On Tue wrote:\n>\n> old\n", 1 },
	{ "Apple: blockquote type=cite quoted",
	  HDR "Content-Type: text/html\n\nJa<div><blockquote type=\"cite\"><div>Op 12 jan. heeft X "
	  "het volgende geschreven:</div><div>oud</div></blockquote></div>\n",
	  "Ja\n>\n> Op 12 jan. heeft X het volgende geschreven:\n> oud\n", 1 },
	{ "Thunderbird: cite quoted, bottom text kept, so the attribution stays a line of its own",
	  HDR "Content-Type: text/html\n\n<div class=\"moz-cite-prefix\">Op 12-01 schreef F:<br></div>"
	  "<blockquote type=\"cite\">oud</blockquote><p>nieuw</p>\n",
	  "Op 12-01 schreef F:\n>\n> oud\n\nnieuw\n", 1 },
	{ "mbox From_ line before the headers",
	  "From MAILER-DAEMON Thu Apr 29 23:34:45 2004\nFrom: a@example.org\nSubject: s\n\nbody\n",
	  "body\n", 0 },
	{ "ISO-2022-JP text without a charset parameter (Japanese carriers' notices)",
	  "From: Postmaster@ezweb.ne.jp\nSubject: s\n\n\x1b$B%a!<%k\x1b(B ok\n",
	  "\xe3\x83\xa1\xe3\x83\xbc\xe3\x83\xab ok\n", 0 },
	{ "mbox From_ line with classic-Mac CR-only line ends: only that line skipped",
	  "From MAILER-DAEMON Thu Apr 29 23:34:45 2004\rFrom: a@example.org\rSubject: s\r\rbody\r",
	  "body\n", 0 },
	{ "format=flowed with quoted-printable: the paragraph is one line again",
	  HDR "Content-Type: text/plain; charset=utf-8; format=flowed\n"
	  "Content-Transfer-Encoding: quoted-printable\n\n"
	  "Kritiek: het overleg liep=20\nuit, daardoor mis=\nte ik de trein.=20\n\n> Beste=20\n> Ineke\n",
	  "Kritiek: het overleg liep uit, daardoor miste ik de trein. \n\n> Beste Ineke\n", 0 },
	{ "Format=Flowed; DelSp=Yes: parameter names and values in any case",
	  HDR "Content-Type: text/plain; charset=us-ascii; Format=Flowed; DelSp=Yes\n\n"
	  "Constructief: plan het over \nleg korter\n", "Constructief: plan het overleg korter\n", 0 },
	{ "format=flowed in iso-8859-1: unwrapped after the charset is converted",
	  HDR "Content-Type: text/plain; charset=ISO-8859-1; format=flowed; delsp=yes\n"
	  "Content-Transfer-Encoding: 8bit\n\n"
	  "Caf\xe9 na\xef \nef\n", "Café naïef\n", 0 },
	{ "without format=flowed a trailing space does not join lines",
	  HDR "Content-Type: text/plain; charset=utf-8\n\neen \ntwee\n", "een \ntwee\n", 0 },
	{ "format=flowed in an HTML alternative's text/plain part",
	  HDR "Content-Type: multipart/alternative; boundary=b\n\n--b\n"
	  "Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes\n\n"
	  "Prima, ik doe  \nmee.\n--b\nContent-Type: text/html\n\n<p>x</p>\n--b--\n",
	  "Prima, ik doe mee.", 0 },
	{ "no body at all", "From: a@example.org\nSubject: s\n", "", 0 },
	{ "not mail at all: what there is becomes the text", "\x01\x02\x03 garbage", "\x01\x02\x03 garbage", 0 },
};

static void
test_message_text_table(void **state)
{
	{
		const size_t i = TESTLIB_ROW(state, TEXTS);
		const struct text_case *c = &TEXTS[i];
		struct fb_error err = { { 0 } };
		struct fb_message *m = message_parse(c->raw, strlen(c->raw), 1 << 20, &err);

		if (m == NULL)
			fail_msg("%s: %s", c->name, err.msg);
		if (strcmp(m->text, c->text) != 0)
			fail_msg("%s:\nexpected [%s]\n     got [%s]", c->name, c->text, m->text);
		assert_int_equal(m->text_len, strlen(m->text));
		if (m->text_from_html != c->html)
			fail_msg("%s: text_from_html %d", c->name, m->text_from_html);
		message_free(m);
	}
}

/* header value in, decoded subject and sender name out */
static const struct header_case {
	const char *from, *subject;
	const char *name, *addr, *want_subject;
} HEADERS[] = {
	{ "=?utf-8?q?Jeroen_M=C3=ABijer?= <j@example.nl>", "=?utf-8?B?SMOpIGRhYXI=?=",
	  "Jeroen Mëijer", "j@example.nl", "Hé daar" },
	{ "=?iso-8859-1?q?Ren=E9e_de_Vries?= <renee@example.be>",
	  "=?ISO-8859-1?Q?Re=3A_=E9=E9n?=", "Renée de Vries", "renee@example.be", "Re: één" },
	{ "\"Vries, Renée de\" <renee@example.be>", "Re: 8-bit \xc3\xa9 subject",
	  "Vries, Renée de", "renee@example.be", "Re: 8-bit é subject" },
	{ "Caf\xe9 Eigenaar <cafe@example.org>", "Raw latin1: caf\xe9",
	  "Café Eigenaar", "cafe@example.org", "Raw latin1: café" },
	{ "plain@example.org", "=?windows-1252?q?=80_5?= and\n more",
	  NULL, "plain@example.org", "€ 5 and more" },
	/* runs of white space are one space, whether or not there is anything to decode */
	{ "plain@example.org", "Re:  two   spaces\tand a tab", NULL, "plain@example.org",
	  "Re: two spaces and a tab" },
	{ "plain@example.org", "Re:  =?utf-8?q?caf=C3=A9?=   x", NULL, "plain@example.org",
	  "Re: café x" },
	/* libetpan is lenient with an unterminated encoded word: decoded all the same */
	{ "Broken <not an address", "=?utf-8?q?unterminated", NULL, NULL, "unterminated" },
};

static void
test_message_headers_decoded_table(void **state)
{
	{
		const size_t i = TESTLIB_ROW(state, HEADERS);
		const struct header_case *c = &HEADERS[i];
		struct buf raw = BUF_INIT;
		struct fb_message *m;

		assert_int_equal(buf_addf(&raw, "From: %s\nSubject: %s\nTo: a <f+x@example.org>, "
		    "g@example.org\nCc: grp: c@example.org;\n\nbody\n", c->from, c->subject), 0);
		m = message_parse(raw.data, raw.len, 1 << 20, NULL);
		assert_non_null(m);
		assert_string_equal(m->subject, c->want_subject);
		if (c->addr != NULL) {
			assert_non_null(m->from.addr);
			assert_string_equal(m->from.addr, c->addr);
		} else {
			assert_null(m->from.addr);
		}
		if (c->name != NULL)
			assert_string_equal(m->from.name, c->name);
		assert_int_equal(m->nrecipients, 3);
		assert_string_equal(m->recipients[0].addr, "f+x@example.org");
		assert_string_equal(m->recipients[2].addr, "c@example.org");
		assert_string_equal(message_header(m, "subject"), c->want_subject);
		assert_null(message_header(m, "X-Nothing"));
		message_free(m);
		buf_release(&raw);
	}
}

/* The From rule: exactly one valid address, or nobody (and why). */
static const struct from_case {
	const char *name, *headers, *addr, *problem;
} FROMS[] = {
	{ "plain", "From: jan@example.nl\n", "jan@example.nl", NULL },
	{ "name and angle address", "From: Jan de Vries <jan@example.nl>\n", "jan@example.nl",
	  NULL },
	{ "comment after the address", "From: jan@example.nl (Jan)\n", "jan@example.nl", NULL },
	{ "folded", "From: \"Vries, Jan de\"\n <jan@example.nl>\n", "jan@example.nl", NULL },
	{ "angle address then another domain", "From: <jan@example.nl>@evil.example\n", NULL,
	  "From has text after its address" },
	{ "name, address, then another domain",
	  "From: Jan de Vries <jan@example.nl>@evil.example\n", NULL,
	  "From has text after its address" },
	{ "two addresses", "From: jan@example.nl, mallory@evil.example\n", NULL,
	  "From holds more than one address" },
	{ "two addresses, the member's second", "From: mallory@evil.example, jan@example.nl\n",
	  NULL, "From holds more than one address" },
	{ "group syntax", "From: Team: jan@example.nl;\n", NULL,
	  "From is a group, not one address" },
	{ "empty group", "From: undisclosed-recipients:;\n", NULL,
	  "From is a group, not one address" },
	{ "empty", "From: \n", NULL, "From is not one address" },
	{ "no domain", "From: jan\n", NULL, "From is not a valid address" },
	{ "domain without a dot", "From: jan@localhost\n", NULL, "From is not a valid address" },
	{ "two From headers", "From: jan@example.nl\nFrom: mallory@evil.example\n", NULL,
	  "more than one From header" },
	{ "two From headers, the member's second",
	  "From: mallory@evil.example\nFrom: jan@example.nl\n", NULL,
	  "more than one From header" },
	{ "no From at all", "Sender: jan@example.nl\n", NULL, NULL },
};

static void
test_message_from_exactly_one_address_table(void **state)
{
	{
		const size_t i = TESTLIB_ROW(state, FROMS);
		const struct from_case *c = &FROMS[i];
		struct buf raw = BUF_INIT;
		struct fb_message *m;

		assert_int_equal(buf_addf(&raw, "%sTo: feedback@example.org\nSubject: x\n\nbody\n",
		    c->headers), 0);
		m = message_parse(raw.data, raw.len, 1 << 20, NULL);
		assert_non_null(m);
		if (c->addr != NULL) {
			if (m->from.addr == NULL || strcmp(m->from.addr, c->addr) != 0)
				fail_msg("%s: from %s, want %s", c->name,
				    m->from.addr ? m->from.addr : "(nobody)", c->addr);
		} else if (m->from.addr != NULL) {
			fail_msg("%s: from %s, want nobody", c->name, m->from.addr);
		}
		if ((c->problem == NULL) != (m->from_problem == NULL) ||
		    (c->problem != NULL && strcmp(c->problem, m->from_problem) != 0))
			fail_msg("%s: problem \"%s\", want \"%s\"", c->name,
			    m->from_problem ? m->from_problem : "", c->problem ? c->problem : "");
		message_free(m);
		buf_release(&raw);
	}
}

static void
test_message_calendar_parts_kept(void **state)
{
	static const char raw[] = HDR
	    "Content-Type: multipart/mixed; boundary=b\n\n"
	    "--b\nContent-Type: text/plain\n\nAccepted\n"
	    "--b\nContent-Type: text/calendar; charset=utf-8; method=reply\n\nBEGIN:VCALENDAR\nEND:VCALENDAR\n"
	    "--b\nContent-Type: text/calendar\nContent-Transfer-Encoding: base64\n\nQkVHSU46VkNBTEVOREFS\n"
	    "--b\nContent-Type: application/octet-stream; name=invite.ics\n"
	    "Content-Disposition: attachment; filename=\"invite.ics\"\n\nBEGIN:VCALENDAR\n"
	    "--b\nContent-Type: application/ics\n\nX\n"
	    "--b--\n";
	struct fb_message *m = message_parse(raw, sizeof(raw) - 1, 1 << 20, NULL);

	assert_non_null(m);
	assert_string_equal(m->text, "Accepted");
	assert_int_equal(m->ncalendars, 4);
	assert_string_equal(m->calendars[0].method, "REPLY");
	assert_string_equal(m->calendars[0].data, "BEGIN:VCALENDAR\nEND:VCALENDAR");
	assert_null(m->calendars[1].method);
	assert_string_equal(m->calendars[1].data, "BEGIN:VCALENDAR");
	assert_string_equal(m->calendars[2].content_type, "application/octet-stream");
	assert_string_equal(m->calendars[3].content_type, "application/ics");
	message_free(m);
}

static void
test_message_delivery_report_kept(void **state)
{
	static const char raw[] =
	    "From: MAILER-DAEMON@example.org\nReturn-Path: <>\nSubject: Undelivered\n"
	    "Content-Type: multipart/report; report-type=Delivery-Status; boundary=\"r\"\n\n"
	    "--r\nContent-Type: text/plain\n\nFailed.\n"
	    "--r\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\n"
	    "Final-Recipient: rfc822; gone@example.net\nAction: failed\nStatus: 5.1.1\n"
	    "--r\nContent-Type: message/rfc822\n\nMessage-ID: <abc@example.org>\nTo: gone@example.net\n\n"
	    "the old text\n"
	    "--r--\n";
	struct fb_message *m = message_parse(raw, sizeof(raw) - 1, 1 << 20, NULL);

	assert_non_null(m);
	assert_string_equal(m->content_type, "multipart/report");
	assert_string_equal(m->report_type, "delivery-status");
	assert_string_equal(m->return_path, "<>");
	assert_string_equal(m->text, "Failed.");
	assert_non_null(m->delivery_status);
	assert_non_null(strstr(m->delivery_status, "Status: 5.1.1"));
	assert_non_null(m->original_headers);
	assert_non_null(strstr(m->original_headers, "Message-ID: <abc@example.org>"));
	assert_null(strstr(m->original_headers, "the old text"));
	/* read by libetpan's RFC 5322 parser, without the angle brackets (issue 16) */
	assert_string_equal(m->original_message_id, "abc@example.org");
	message_free(m);
}

/* A returned header block folded, with a comment, after other headers; and one without any
 * Message-ID gives none (never a guess from the text). */
static void
test_message_returned_message_id(void **state)
{
	static const char folded[] =
	    "From: MAILER-DAEMON@example.org\nSubject: Undelivered\n"
	    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\n\n"
	    "--r\nContent-Type: text/plain\n\nFailed. Message-ID: <fake@evil.example>\n"
	    "--r\nContent-Type: text/rfc822-headers\n\nReceived: from x by y;\n"
	    " Mon, 4 Jan 2027 10:00:00 +0100\nSubject: a\nMessage-ID:\n"
	    "  <tok.rnd@feedbackd.invalid> (ours)\nTo: piet@example.nl\n\n--r--\n";
	static const char none[] =
	    "From: MAILER-DAEMON@example.org\nSubject: Undelivered\n"
	    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\n\n"
	    "--r\nContent-Type: text/plain\n\nFailed. Message-ID: <fake@evil.example>\n"
	    "--r\nContent-Type: text/rfc822-headers\n\nSubject: a\nTo: piet@example.nl\n\n--r--\n";
	struct fb_message *m;

	(void)state;
	assert_non_null(m = message_parse(folded, sizeof(folded) - 1, 1 << 20, NULL));
	assert_string_equal(m->original_message_id, "tok.rnd@feedbackd.invalid");
	message_free(m);
	assert_non_null(m = message_parse(none, sizeof(none) - 1, 1 << 20, NULL));
	assert_non_null(m->original_headers);
	assert_null(m->original_message_id);
	message_free(m);
}

static void
test_message_size_limit(void **state)
{
	static const char raw[] = "From: a@example.org\n\n0123456789\n";
	struct fb_error err = { { 0 } };
	struct fb_message *m;

	m = message_parse(raw, sizeof(raw) - 1, sizeof(raw) - 2, &err);
	assert_null(m);
	assert_non_null(strstr(err.msg, "larger than the limit"));
	m = message_parse(raw, sizeof(raw) - 1, sizeof(raw) - 1, &err);
	assert_non_null(m);
	message_free(m);
}

/* Nesting: a message nested just within the limits is read, a deeper one refused, and neither
 * may crash (libetpan recurses per level). */
static void
nested(struct buf *b, int levels, int with_messages)
{
	buf_reset(b);
	assert_int_equal(buf_adds(b, "From: a@example.org\n"), 0);
	for (int i = 0; i < levels; i++)
		if (with_messages && i % 2)
			assert_int_equal(buf_addf(b, "Content-Type: message/rfc822\n\n"), 0);
		else
			assert_int_equal(buf_addf(b,
			    "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n", i, i), 0);
	assert_int_equal(buf_adds(b, "Content-Type: text/plain\n\ndeep\n"), 0);
	for (int i = levels - 1; i >= 0; i--)
		if (!with_messages || i % 2 == 0)
			assert_int_equal(buf_addf(b, "--b%d--\n", i), 0);
}

static void
test_message_deep_nesting_refused(void **state)
{
	struct buf b = BUF_INIT;
	struct fb_error err = { { 0 } };
	struct fb_message *m;

	nested(&b, 10, 0);
	m = message_parse(b.data, b.len, 1 << 24, &err);
	assert_non_null(m);
	assert_string_equal(m->text, "deep");
	message_free(m);

	nested(&b, 200000, 1);
	m = message_parse(b.data, b.len, 1 << 24, &err);
	assert_null(m);
	assert_non_null(strstr(err.msg, "nested"));

	nested(&b, MESSAGE_MAX_DEPTH + 5, 0);
	m = message_parse(b.data, b.len, 1 << 24, &err);
	assert_null(m);
	assert_non_null(strstr(err.msg, "deeper"));
	buf_release(&b);
}

static void
test_message_part_count_bounded(void **state)
{
	struct buf b = BUF_INIT;
	struct fb_error err = { { 0 } };
	struct fb_message *m;

	assert_int_equal(buf_adds(&b,
	    "From: a@example.org\nContent-Type: multipart/mixed; boundary=b\n\n"), 0);
	for (int i = 0; i < MESSAGE_MAX_PARTS + 10; i++)
		assert_int_equal(buf_adds(&b, "--b\nContent-Type: text/plain\n\nx\n"), 0);
	assert_int_equal(buf_adds(&b, "--b--\n"), 0);
	m = message_parse(b.data, b.len, 1 << 24, &err);
	assert_null(m);
	assert_non_null(strstr(err.msg, "parts"));
	buf_release(&b);
}

/* message_scan: each structure a hostile message can inflate, just under and just over its
 * bound; built by repeating a unit n times between a head and a tail. */
static const struct scan_case {
	const char *what;
	const char *head, *unit, *tail;
	int n;
	const char *refused;   /* NULL: accepted; else a word of the reason */
} scan_cases[] = {
	{ "header fields at the bound", "From: a@example.org\n", "X-A: b\n", "\nhi\n",
	  MESSAGE_MAX_HEADER_FIELDS - 1, NULL },
	{ "header fields over the bound", "From: a@example.org\n", "X-A: b\n", "\nhi\n",
	  MESSAGE_MAX_HEADER_FIELDS + 1, "header fields" },
	{ "header bytes over the bound", "From: a@example.org\nX-Long: a", "\n ", "\n\nhi\n",
	  MESSAGE_MAX_HEADER_BYTES / 2 + 1, "bytes of header fields" },
	{ "a part's header fields count", "From: a@example.org\nContent-Type: multipart/mixed; "
	  "boundary=\"q r\"\n\n--q r\n", "X-A: b\n", "\nhi\n--q r--\n",
	  MESSAGE_MAX_HEADER_FIELDS + 1, "header fields" },
	{ "an attached message's header fields count", "From: a@example.org\nContent-Type: "
	  "multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\nFrom: c@d.org\n",
	  "X-A: b\n", "\nhi\n--b--\n", MESSAGE_MAX_HEADER_FIELDS + 1, "header fields" },
	{ "body lines that look like fields do not count", "From: a@example.org\n\n", "Note: x\n",
	  "", MESSAGE_MAX_HEADER_FIELDS * 3, NULL },
	{ "parts at the bound", "From: a@example.org\nContent-Type: multipart/mixed; boundary=b\n\n",
	  "--b\n\nx\n", "--b--\n", MESSAGE_MAX_PARTS, NULL },
	{ "parts over the bound", "From: a@example.org\nContent-Type: multipart/mixed; boundary=b\n\n",
	  "--b\n\nx\n", "--b--\n", MESSAGE_MAX_PARTS + 1, "MIME parts" },
	{ "lines like a delimiter of no named boundary are text", "From: a@example.org\n\n", "--b\n",
	  "", MESSAGE_MAX_PARTS * 4, NULL },
	/* how boundary= is found: any case, blanks before '=', never inside a value already read */
	{ "a boundary named in capitals with blanks before '='", "From: a@example.org\nContent-Type: "
	  "multipart/mixed; BOUNDARY \t= b\n\n", "--b\n\nx\n", "--b--\n", MESSAGE_MAX_PARTS + 1,
	  "MIME parts" },
	{ "boundary= inside a quoted boundary names nothing", "From: a@example.org\nContent-Type: "
	  "multipart/mixed; boundary=\"q boundary=b\"\n\n", "--b\n\nx\n", "",
	  MESSAGE_MAX_PARTS * 2, NULL },
	{ "an unquoted boundary's value is not the start of the next one", "From: a@example.org\n"
	  "Content-Type: multipart/mixed; boundary=boundary =b\n\n", "--b\n\nx\n", "",
	  MESSAGE_MAX_PARTS * 2, NULL },
};

static void
test_message_scan_bounds_table(void **state)
{
	{
		const size_t i = TESTLIB_ROW(state, scan_cases);
		const struct scan_case *c = &scan_cases[i];
		struct buf b = BUF_INIT;
		struct fb_error err = { { 0 } };
		int rc;

		assert_int_equal(buf_adds(&b, c->head), 0);
		for (int k = 0; k < c->n; k++)
			assert_int_equal(buf_adds(&b, c->unit), 0);
		assert_int_equal(buf_adds(&b, c->tail), 0);
		rc = message_scan(b.data, b.len, &err);
		if (c->refused == NULL && rc != 0)
			fail_msg("%s: refused: %s", c->what, err.msg);
		if (c->refused != NULL && (rc == 0 || strstr(err.msg, c->refused) == NULL))
			fail_msg("%s: expected a refusal naming \"%s\", got %d \"%s\"", c->what,
			    c->refused, rc, rc ? err.msg : "");
		buf_release(&b);
	}
}

static void
test_message_long_text_read_up_to_the_bound(void **state)
{
	struct buf b = BUF_INIT;
	struct fb_error err = { { 0 } };
	struct fb_message *m;

	assert_int_equal(buf_adds(&b,
	    "From: a@example.org\nContent-Type: text/plain; charset=utf-8\n\n"
	    "Dit is het begin.\n"), 0);
	while (b.len < 3 * MESSAGE_MAX_TEXT)
		assert_int_equal(buf_adds(&b, "nog een regel tekst\n"), 0);
	m = message_parse(b.data, b.len, 1 << 24, &err);
	assert_non_null(m);
	assert_true(m->text_truncated);
	assert_true(m->text_len <= MESSAGE_MAX_TEXT);
	assert_non_null(strstr(m->text, "Dit is het begin."));
	message_free(m);
	buf_release(&b);
}

/* The HTML half of multipart/alternative is not read when there is a plain half, so its size
 * does not mark the text as cut. */
static void
test_message_unread_html_alternative_not_truncated(void **state)
{
	struct buf b = BUF_INIT;
	struct fb_error err = { { 0 } };
	struct fb_message *m;

	assert_int_equal(buf_adds(&b,
	    "From: a@example.org\nContent-Type: multipart/alternative; boundary=b\n\n"
	    "--b\nContent-Type: text/plain; charset=utf-8\n\nKort en goed.\n"
	    "--b\nContent-Type: text/html; charset=utf-8\n\n<p>Kort en goed.</p>\n"), 0);
	while (b.len < 2 * MESSAGE_MAX_TEXT)
		assert_int_equal(buf_adds(&b, "<p>nog een regel opmaak</p>\n"), 0);
	assert_int_equal(buf_adds(&b, "--b--\n"), 0);
	m = message_parse(b.data, b.len, 1 << 24, &err);
	assert_non_null(m);
	assert_false(m->text_from_html);
	assert_false(m->text_truncated);
	assert_string_equal(m->text, "Kort en goed.");
	message_free(m);
	buf_release(&b);
}

static void
test_message_html_deep_tags_bounded(void **state)
{
	struct buf html = BUF_INIT, out = BUF_INIT;

	for (int i = 0; i < 100000; i++)
		assert_int_equal(buf_adds(&html, "<div>"), 0);
	assert_int_equal(buf_adds(&html, "text"), 0);
	assert_int_equal(message_html_to_text(html.data, html.len, &out), 0);
	buf_release(&html);
	buf_release(&out);
}

/* format=flowed text in, the unwrapped text out (RFC 3676 and what clients really send). */
static const struct flowed_case {
	const char *name;
	const char *in;
	int delsp;
	const char *out;
} FLOWED[] = {
	{ "test_unflow_soft_breaks_joined", "Dit is een \nlange \nregel.\n", 0,
	  "Dit is een lange regel.\n" },
	{ "test_unflow_fixed_lines_untouched", "een\ntwee\n\ndrie\n", 0, "een\ntwee\n\ndrie\n" },
	{ "test_unflow_delsp_deletes_the_joining_space", "Dit is een lan \nge regel.\n", 1,
	  "Dit is een lange regel.\n" },
	{ "test_unflow_without_delsp_the_space_stays", "Dit is een lan \nge regel.\n", 0,
	  "Dit is een lan ge regel.\n" },
	{ "test_unflow_delsp_on_quoted_lines", "> over \n> leg\n", 1, "> overleg\n" },
	{ "test_unflow_space_stuffing_removed", " From here\n  two spaces\n", 0,
	  "From here\n two spaces\n" },
	{ "test_unflow_stuffed_gt_stays_text_not_quote", " > not a quote\n", 0, " > not a quote\n" },
	{ "test_unflow_stuffing_removed_inside_a_paragraph", "een \n From\n", 0, "een From\n" },
	{ "test_unflow_quoted_lines_joined_at_same_depth", "> een \n> twee\n", 0, "> een twee\n" },
	{ "test_unflow_quoted_without_stuffing_space", ">een \n>twee\n", 0, ">een twee\n" },
	{ "test_unflow_never_joins_across_quote_depth",
	  "> een \n>> twee \n>> drie\nvier \n> vijf\n", 0,
	  "> een \n>> twee drie\nvier \n> vijf\n" },
	{ "test_unflow_quoted_flowed_line_then_own_text", "> Beste Ineke, \nPrima.\n", 0,
	  "> Beste Ineke, \nPrima.\n" },
	{ "test_unflow_spaced_marks_count_as_depth", "> > een \n> > twee\n> drie\n", 0,
	  "> > een twee\n> drie\n" },
	{ "test_unflow_spaced_and_packed_marks_same_depth", ">> een \n> > twee\n", 0,
	  ">> een twee\n" },
	{ "test_unflow_signature_separator_stays_and_never_joins",
	  "Groet, \n-- \nIneke \nvan 't Hof\n", 0, "Groet, \n-- \nIneke van 't Hof\n" },
	{ "test_unflow_quoted_signature_separator_stays", "> tekst \n> -- \n> naam\n", 0,
	  "> tekst \n> -- \n> naam\n" },
	{ "test_unflow_empty_line_after_flowed_line_kept", "een \n\ntwee\n", 0,
	  "een \n\ntwee\n" },
	{ "test_unflow_empty_quoted_line_after_flowed_line_kept", "> een \n>\n> twee\n", 0,
	  "> een \n>\n> twee\n" },
	{ "test_unflow_crlf_line_ends", "een \r\ntwee\r\n", 0, "een twee\n" },
	{ "test_unflow_last_line_without_line_feed", "een \ntwee", 0, "een twee" },
	{ "test_unflow_flowed_last_line", "een \ntwee ", 0, "een twee " },
	{ "test_unflow_stuffed_space_only_line_is_empty", "een \n \ntwee\n", 1, "een \n\ntwee\n" },
	{ "test_unflow_empty_input", "", 0, "" },
	{ "test_unflow_only_marks", ">>>\n> >\n", 0, ">>>\n> >\n" },
};

static void
run_flowed_case(void **state)
{
	const struct flowed_case *c = *state;
	struct buf out = BUF_INIT;

	assert_int_equal(message_unflow(c->in, strlen(c->in), c->delsp, &out), 0);
	if (strcmp(out.data, c->out) != 0)
		fail_msg("%s:\nexpected [%s]\n     got [%s]", c->name, c->out, out.data);
	assert_int_equal(out.len, strlen(out.data));
	buf_release(&out);
}

/* The Thunderbird client case: a bottom-posted reply whose BKC paragraph was wrapped at 72. */
static void
test_message_thunderbird_flowed_paragraph_one_line(void **state)
{
	static const char raw[] = HDR
	    "Content-Type: text/plain; charset=UTF-8; format=flowed\n"
	    "Content-Transfer-Encoding: 8bit\n\n"
	    "Op 12-01-2027 om 10:15 schreef Feedback:\n> Beste Ineke,\n>\n"
	    "> Wil je deze week feedback geven aan Daan? Antwoord met je \n> Bevestiging.\n\n"
	    "BKC: Daan heeft het overleg met de gemeente heel rustig en duidelijk \n"
	    "geleid; iedereen wist daarna wat er moest gebeuren.\n\n-- \nIneke\n";
	struct fb_message *m = message_parse(raw, sizeof(raw) - 1, 1 << 20, NULL);

	assert_non_null(m);
	assert_string_equal(m->text,
	    "Op 12-01-2027 om 10:15 schreef Feedback:\n> Beste Ineke,\n>\n"
	    "> Wil je deze week feedback geven aan Daan? Antwoord met je Bevestiging.\n\n"
	    "BKC: Daan heeft het overleg met de gemeente heel rustig en duidelijk geleid; iedereen "
	    "wist daarna wat er moest gebeuren.\n\n-- \nIneke\n");
	message_free(m);
}

static void
test_message_free_null(void **state)
{
	message_free(NULL);
}

int
main(void)
{
	static const struct testlib_rows rows[] = {
		TESTLIB_ROWS(test_message_text_table, TEXTS),
		TESTLIB_ROWS(test_message_scan_bounds_table, scan_cases),
		TESTLIB_ROWS(test_message_headers_decoded_table, HEADERS),
		TESTLIB_ROWS(test_message_from_exactly_one_address_table, FROMS),
		TESTLIB_NAMED_ROWS(run_flowed_case, FLOWED),
	};
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_message_long_text_read_up_to_the_bound),
		cmocka_unit_test(test_message_calendar_parts_kept),
		cmocka_unit_test(test_message_delivery_report_kept),
		cmocka_unit_test(test_message_returned_message_id),
		cmocka_unit_test(test_message_size_limit),
		cmocka_unit_test(test_message_deep_nesting_refused),
		cmocka_unit_test(test_message_part_count_bounded),
		cmocka_unit_test(test_message_unread_html_alternative_not_truncated),
		cmocka_unit_test(test_message_html_deep_tags_bounded),
		cmocka_unit_test(test_message_thunderbird_flowed_paragraph_one_line),
		cmocka_unit_test(test_message_free_null),
	};

	return testlib_run_rows("message", rows, sizeof(rows) / sizeof(rows[0]), tests,
	    sizeof(tests) / sizeof(tests[0]), NULL, NULL);
}
