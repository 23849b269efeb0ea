/*
 * Unit tests of compose: what compose_build() writes is read back with the project's own
 * message_parse() (libetpan underneath) and must give the same UTF-8 headers and bodies; every
 * output is checked independently for CRLF-only line ends and lines of at most 998 octets.
 * Also: the RFC 2047 encoder's word limits, the calendar parts, refusals, mailto: links.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "compose.h"
#include "fberror.h"
#include "fbtime.h"
#include "message.h"
#include "token.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* 2027-03-29 08:00:00 UTC, a Monday in summer time in Amsterdam. */
#define T_SUMMER ((time_t)1806307200)
/* 2027-01-04 08:00:00 UTC, a Monday in winter. */
#define T_WINTER ((time_t)1799049600)

static const char TOK[] = "abcdefghijklmnopqrstuvwxyz";

/* The random bytes the shell would read (fbrandom_bytes): fixed here, so a build is a function
 * of its inputs. */
static const unsigned char RND[COMPOSE_RANDOM_BYTES] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
	13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,
	36, 37, 38, 39, 40, 41, 42, 43, 44 };

static struct compose_msg
base_msg(void)
{
	struct compose_msg m = { 0 };

	m.random = RND;

	m.from_addr = "feedback@example.org";
	m.from_name = "Feedback";
	m.to_addr = "jeroen@example.nl";
	m.subject = "Feedback week 3";
	m.date = T_SUMMER;
	m.tz = "Europe/Amsterdam";
	m.message_id = "<x1@example.org>";
	m.text = "Hallo,\n";
	return m;
}

/* Independent check of the wire form: CRLF only, lines <= 998 octets, ends with CRLF. */
static void
assert_wire_form(const struct buf *b)
{
	size_t col = 0;

	assert_true(b->len >= 2);
	for (size_t i = 0; i < b->len; i++) {
		if (b->data[i] == '\r') {
			assert_true(i + 1 < b->len && b->data[i + 1] == '\n');
			i++;
			col = 0;
			continue;
		}
		assert_true(b->data[i] != '\n');
		col++;
		assert_true(col <= 998);
	}
	assert_memory_equal(b->data + b->len - 2, "\r\n", 2);
}

/* Build m, check the wire form, parse it back. Caller frees with message_free(). */
static struct fb_message *
build_parse(const struct compose_msg *m, struct buf *raw)
{
	struct fb_error err = { { 0 } };
	struct fb_message *msg;

	if (compose_build(m, raw, &err) != 0)
		fail_msg("compose_build: %s", err.msg);
	assert_wire_form(raw);
	msg = message_parse(raw->data, raw->len, MESSAGE_DEFAULT_MAX_SIZE, &err);
	if (msg == NULL)
		fail_msg("message_parse: %s", err.msg);
	return msg;
}

/* 300 characters of Dutch text with spaces, built once. */
static const char *
long_subject(void)
{
	static char s[400];

	if (s[0] == '\0') {
		size_t n = 0;

		while (n + 11 < 300) {
			memcpy(s + n, "één twee ", 11); /* "é" is two bytes */
			n += 11;
		}
		memcpy(s + n, "drie", 5);
	}
	return s;
}

static void
test_compose_subject_decodes_to_the_same_utf8(void **state)
{
	static char longword[120];
	const char *cases[] = {
		"Feedback week 3",
		"Jeroen Mëijer: je feedback",
		"\xF0\x9F\x8E\x89 Feest! \xF0\x9F\x8E\x89\xF0\x9F\x8E\x89",
		"Twee  spaties  hier",
		"Lijkt op =?UTF-8?Q?encoded?= maar is het niet",
		"Vraag? Antwoord = 42_x",
		"中文主题测试，反馈请求第三周",
		"Ünïcödé ëvërÿwhërë ïn thïs sübjëct wïth äccënts",
		"ASCII only but rather long so that libetpan must fold it somewhere in the middle "
		    "of all these words",
		"",
		NULL, /* long_subject() */
		NULL, /* a 119-character word */
	};

	memset(longword, 'x', sizeof(longword) - 1);
	cases[N(cases) - 2] = long_subject();
	cases[N(cases) - 1] = longword;
	for (size_t i = 0; i < N(cases); i++) {
		struct compose_msg m = base_msg();
		struct buf raw = BUF_INIT;
		struct fb_message *msg;

		m.subject = cases[i];
		msg = build_parse(&m, &raw);
		if (strcmp(msg->subject ? msg->subject : "", cases[i]) != 0)
			fail_msg("case %zu: subject \"%s\" came back as \"%s\"\n%s", i, cases[i],
			    msg->subject, raw.data);
		message_free(msg);
		buf_release(&raw);
	}
}

static void
test_compose_subject_line_breaks_become_spaces(void **state)
{
	struct compose_msg m = base_msg();
	struct buf raw = BUF_INIT;
	struct fb_message *msg;

	m.subject = "Feedback\r\nBcc: everyone@example.org\tweek";
	msg = build_parse(&m, &raw);
	assert_string_equal(msg->subject, "Feedback  Bcc: everyone@example.org week");
	assert_null(message_header(msg, "Bcc"));
	message_free(msg);
	buf_release(&raw);
}

static void
test_compose_display_names_decode_to_the_same_utf8(void **state)
{
	static const char *cases[] = {
		"Jeroen Mëijer",
		"Vries, Jan de",
		"Jan \"Jantje\" de Vries",
		"Jan (de) Vries <jan>",
		"J. de Vries",
		"Ève",
		"Vries, Zoë de",
		"Maria Antonia Ëlisabeth van der Heijden-Ölmez tot Oud-Wëtering en Ïjsselstein",
		"A very long ASCII name that goes on for more than sixty characters in total",
		"=?UTF-8?Q?not_encoded?=",
		"\xF0\x9F\x98\x80",
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct compose_msg m = base_msg();
		struct buf raw = BUF_INIT;
		struct fb_message *msg;

		m.from_name = cases[i];
		m.to_name = cases[i];
		msg = build_parse(&m, &raw);
		if (msg->from.name == NULL || strcmp(msg->from.name, cases[i]) != 0)
			fail_msg("case %zu: From name \"%s\" came back as \"%s\"\n%s", i, cases[i],
			    msg->from.name, raw.data);
		assert_string_equal(msg->from.addr, "feedback@example.org");
		assert_int_equal(msg->nrecipients, 1);
		if (msg->recipients[0].name == NULL || strcmp(msg->recipients[0].name, cases[i]))
			fail_msg("case %zu: To name \"%s\" came back as \"%s\"\n%s", i, cases[i],
			    msg->recipients[0].name, raw.data);
		assert_string_equal(msg->recipients[0].addr, "jeroen@example.nl");
		message_free(msg);
		buf_release(&raw);
	}
}

static void
test_compose_text_body_round_trips_byte_exact(void **state)
{
	static char longline[2501];
	static const struct {
		const char *in, *want; /* want NULL: the same as in */
	} cases[] = {
		{ "Hallo Jeroen,\n\nHoe gaat het?\n", NULL },
		{ "From here on\nFrom: not a header\n", NULL },
		{ ".\n..\n. dot\n", NULL },
		{ "trailing spaces   \nand a tab\t\nend\n", NULL },
		{ "Groetjes, Zoë — één ü\n", NULL },
		{ "tab\tinside\n", NULL },
		{ "=3D is not encoded, =\n", NULL },
		{ "no final newline", "no final newline\n" },
		{ "crlf\r\nline\r\n", "crlf\nline\n" },
		{ "lone\rcr\n", "lone\ncr\n" },
		{ "", "\n" },
		{ "\xF0\x9F\x8E\x89\n", NULL },
		{ NULL, NULL }, /* longline */
	};

	memset(longline, 'a', sizeof(longline) - 2);
	longline[sizeof(longline) - 2] = '\n';
	for (size_t i = 0; i < N(cases); i++) {
		struct compose_msg m = base_msg();
		struct buf raw = BUF_INIT;
		struct fb_message *msg;
		const char *in = cases[i].in ? cases[i].in : longline;
		const char *want = cases[i].want ? cases[i].want : in;

		m.text = in;
		msg = build_parse(&m, &raw);
		if (strcmp(msg->text, want) != 0)
			fail_msg("case %zu: text came back as \"%s\"\n%s", i, msg->text, raw.data);
		message_free(msg);
		buf_release(&raw);
	}
}

static void
test_compose_text_encoding_follows_content(void **state)
{
	static const struct {
		const char *text, *cte;
	} cases[] = {
		{ "plain ascii\n", "Content-Transfer-Encoding: 7bit" },
		{ "From the start\n", "Content-Transfer-Encoding: quoted-printable" },
		{ "Zoë\n", "Content-Transfer-Encoding: quoted-printable" },
		{ "trailing \n", "Content-Transfer-Encoding: base64" },
		{ "Zoë trailing \t\n", "Content-Transfer-Encoding: base64" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct compose_msg m = base_msg();
		struct buf raw = BUF_INIT;
		struct fb_error err = { { 0 } };

		m.text = cases[i].text;
		assert_int_equal(compose_build(&m, &raw, &err), 0);
		if (strstr(raw.data, cases[i].cte) == NULL)
			fail_msg("case %zu: no \"%s\" in\n%s", i, cases[i].cte, raw.data);
		buf_release(&raw);
	}
}

static void
test_compose_automatic_adds_rfc3834_and_exchange_headers(void **state)
{
	for (int automatic = 0; automatic <= 1; automatic++) {
		struct compose_msg m = base_msg();
		struct buf raw = BUF_INIT;
		struct fb_message *msg;
		const char *as, *xars;

		m.automatic = automatic;
		msg = build_parse(&m, &raw);
		as = message_header(msg, "Auto-Submitted");
		xars = message_header(msg, "X-Auto-Response-Suppress");
		if (automatic) {
			assert_non_null(as);
			assert_string_equal(as, "auto-generated");
			assert_non_null(xars);
			assert_string_equal(xars, "All");
		} else {
			assert_null(as);
			assert_null(xars);
		}
		assert_null(message_header(msg, "Precedence"));
		message_free(msg);
		buf_release(&raw);
	}
}

static void
test_compose_message_id_from_token_of_our_domain(void **state)
{
	static const struct {
		const char *given, *domain, *want_suffix;
	} cases[] = {
		{ NULL, NULL, "@example.org>" },          /* the From domain */
		{ NULL, "mail.example.net", "@mail.example.net>" },
		{ "<given.1@example.org>", NULL, NULL },
		{ "given.2@example.org", NULL, NULL },    /* brackets added */
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct compose_msg m = base_msg();
		struct buf raw = BUF_INIT;
		struct fb_message *msg;
		char tok[TOKEN_LEN + 1];
		size_t n;

		m.message_id = cases[i].given;
		m.token = TOK;
		m.domain = cases[i].domain;
		msg = build_parse(&m, &raw);
		assert_non_null(msg->message_id);
		n = strlen(msg->message_id);
		if (cases[i].want_suffix != NULL) {
			size_t s = strlen(cases[i].want_suffix);

			assert_true(n > s);
			assert_string_equal(msg->message_id + n - s, cases[i].want_suffix);
			assert_int_equal(token_from_message_id(msg->message_id, tok), 0);
			assert_string_equal(tok, TOK);
		} else {
			assert_true(msg->message_id[0] == '<' && msg->message_id[n - 1] == '>');
			assert_non_null(strstr(msg->message_id, strchr(cases[i].given, 'g')));
		}
		message_free(msg);
		buf_release(&raw);
	}
}

static void
test_compose_date_header_carries_the_senders_offset(void **state)
{
	static const struct {
		time_t t;
		const char *tz, *want;
	} cases[] = {
		{ T_SUMMER, "Europe/Amsterdam", "Mon, 29 Mar 2027 10:00:00 +0200" },
		{ T_WINTER, "Europe/Amsterdam", "Mon, 4 Jan 2027 09:00:00 +0100" },
		{ T_WINTER, NULL, "Mon, 4 Jan 2027 08:00:00 +0000" },
		{ T_WINTER, "America/New_York", "Mon, 4 Jan 2027 03:00:00 -0500" },
		{ T_WINTER, "Asia/Kolkata", "Mon, 4 Jan 2027 13:30:00 +0530" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct compose_msg m = base_msg();
		struct buf raw = BUF_INIT;
		struct fb_message *msg;

		m.date = cases[i].t;
		m.tz = cases[i].tz;
		msg = build_parse(&m, &raw);
		assert_non_null(message_header(msg, "Date"));
		assert_string_equal(message_header(msg, "Date"), cases[i].want);
		message_free(msg);
		buf_release(&raw);
	}
}

static void
test_compose_threading_headers_keep_first_and_last_references(void **state)
{
	struct compose_msg m = base_msg();
	struct buf refs = BUF_INIT, raw = BUF_INIT, want = BUF_INIT;
	struct fb_message *msg;
	int i;

	for (i = 1; i <= 30; i++)
		assert_int_equal(buf_addf(&refs, "<r%d@example.org> %s", i, i == 5 ? "junk " : ""),
		    0);
	m.references = refs.data;
	m.in_reply_to = "<r30@example.org>";
	msg = build_parse(&m, &raw);
	assert_string_equal(msg->in_reply_to, "<r30@example.org>");
	assert_int_equal(buf_adds(&want, "<r1@example.org>"), 0);
	for (i = 30 - COMPOSE_MAX_REFERENCES + 2; i <= 30; i++)
		assert_int_equal(buf_addf(&want, " <r%d@example.org>", i), 0);
	assert_non_null(msg->references);
	assert_string_equal(msg->references, want.data);
	message_free(msg);
	buf_release(&raw);
	buf_release(&refs);
	buf_release(&want);
}

static const char ICS[] =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//feedbackd//EN\r\nMETHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\nUID:s1@example.org\r\nSUMMARY:Terugkoppeling Zoë\r\n"
    "DTSTART:20270329T080000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

static void
test_compose_calendar_inline_and_attached_with_same_bytes(void **state)
{
	struct compose_msg m = base_msg();
	struct buf raw = BUF_INIT, lf = BUF_INIT;
	struct fb_message *msg;

	m.html = "<p>Hallo</p>";
	m.calendar = ICS;
	m.calendar_method = "request";
	msg = build_parse(&m, &raw);
	assert_string_equal(msg->content_type, "multipart/mixed");
	assert_string_equal(msg->text, "Hallo,\n");
	assert_int_equal(msg->ncalendars, 2);
	assert_string_equal(msg->calendars[0].content_type, "text/calendar");
	assert_string_equal(msg->calendars[0].method, "REQUEST");
	assert_string_equal(msg->calendars[1].content_type, "application/ics");
	/* message_parse hands calendar text back with LF line ends (the bytes on the wire
	 * are checked in tests/integration/t0300-compose-roundtrip.py). */
	for (const char *p = ICS; *p; p++)
		if (*p != '\r')
			assert_int_equal(buf_addch(&lf, *p), 0);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(msg->calendars[i].len, lf.len);
		assert_memory_equal(msg->calendars[i].data, lf.data, lf.len);
	}
	assert_non_null(strstr(raw.data, "Content-Disposition: attachment; filename=\"invite.ics\""));
	assert_non_null(strstr(raw.data, "name=\"invite.ics\""));
	message_free(msg);
	buf_release(&raw);
	buf_release(&lf);
}

static void
test_compose_attachment_round_trips(void **state)
{
	static const unsigned char bin[] = { 0, 1, 2, 0xff, '\n', '\r', 'x', 0x80 };
	struct compose_attachment a = { "week 3.csv", "text/csv", "a;b\r\n1;2\r\n", 10 };
	struct compose_attachment b = { "raw.bin", "application/octet-stream", bin, sizeof(bin) };
	struct compose_attachment both[2];
	struct compose_msg m = base_msg();
	struct buf raw = BUF_INIT;
	struct fb_message *msg;

	both[0] = a;
	both[1] = b;
	m.attachments = both;
	m.nattachments = 2;
	msg = build_parse(&m, &raw);
	assert_string_equal(msg->content_type, "multipart/mixed");
	assert_string_equal(msg->text, "Hallo,\n");
	assert_int_equal(msg->nparts, 5); /* the message, multipart/mixed, text, 2 files */
	assert_non_null(strstr(raw.data, "filename=\"week 3.csv\""));
	message_free(msg);
	buf_release(&raw);
}

/* Inline images: text/plain, then multipart/related holding the HTML and each image with its
 * Content-ID, inline disposition and the same bytes back after base64. */
static void
test_compose_inline_images_in_multipart_related(void **state)
{
	static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0xff };
	const struct compose_inline img[] = {
		{ "volume.1@feedbackd", "volume.png", "image/png", png, sizeof(png) },
		{ "ratings.1@feedbackd", "ratings.png", "image/png", "x", 1 },
	};
	struct compose_msg m = base_msg();
	struct buf raw = BUF_INIT;
	struct fb_message *msg;
	const char *alt, *rel, *plain, *html, *id, *body, *end;
	char *dec = NULL;
	size_t idx = 0, declen = 0;

	(void)state;
	m.html = "<p><img src=\"cid:volume.1@feedbackd\" alt=\"volume\"></p>";
	m.inlines = img;
	m.ninlines = 2;
	msg = build_parse(&m, &raw);
	assert_string_equal(msg->content_type, "multipart/alternative");
	assert_string_equal(msg->text, "Hallo,\n");
	alt = strstr(raw.data, "Content-Type: multipart/alternative");
	plain = strstr(raw.data, "Content-Type: text/plain");
	rel = strstr(raw.data, "Content-Type: multipart/related");
	html = strstr(raw.data, "Content-Type: text/html");
	id = strstr(raw.data, "Content-ID: <volume.1@feedbackd>");
	assert_true(alt && plain && rel && html && id);
	assert_true(alt < plain && plain < rel && rel < html && html < id);
	assert_non_null(strstr(raw.data, "Content-ID: <ratings.1@feedbackd>"));
	assert_non_null(strstr(raw.data, "Content-Disposition: inline; filename=\"volume.png\""));
	body = strstr(id, "\r\n\r\n");
	assert_non_null(body);
	body += 4;
	end = strstr(body, "\r\n--");
	assert_non_null(end);
	assert_int_equal(mailmime_part_parse(body, (size_t)(end - body), &idx,
	    MAILMIME_MECHANISM_BASE64, &dec, &declen), MAILIMF_NO_ERROR);
	assert_int_equal(declen, sizeof(png));
	assert_memory_equal(dec, png, sizeof(png));
	mailmime_decoded_part_free(dec);
	message_free(msg);
	buf_release(&raw);
}

static void
test_compose_inline_images_refused_without_html_or_twice(void **state)
{
	const struct compose_inline img[] = {
		{ "a@fb", "a.png", "image/png", "x", 1 },
		{ "a@fb", "b.png", "image/png", "y", 1 },
		{ "bad id<>", "c.png", "image/png", "z", 1 },
	};
	struct compose_msg m = base_msg();
	struct buf raw = BUF_INIT;
	struct fb_error err;

	(void)state;
	m.inlines = img;
	m.ninlines = 1;
	assert_int_equal(compose_build(&m, &raw, &err), -1);
	assert_non_null(strstr(err.msg, "need an HTML body"));
	m.html = "<p>x</p>";
	m.ninlines = 2;
	assert_int_equal(compose_build(&m, &raw, &err), -1);
	assert_non_null(strstr(err.msg, "used twice"));
	m.inlines = img + 2;
	m.ninlines = 1;
	assert_int_equal(compose_build(&m, &raw, &err), -1);
	assert_non_null(strstr(err.msg, "Content-ID"));
	assert_int_equal(raw.len, 0);
}

/* Randomness is an input: none given is refused; the same bytes give the same message, other
 * bytes another boundary and, when compose makes it, another Message-ID. */
static void
test_compose_takes_its_randomness_as_input(void **state)
{
	unsigned char other[COMPOSE_RANDOM_BYTES];
	struct compose_msg m = base_msg();
	struct buf a = BUF_INIT, b = BUF_INIT, c = BUF_INIT;
	struct fb_error err;

	(void)state;
	m.random = NULL;
	assert_int_equal(compose_build(&m, &a, &err), -1);
	assert_non_null(strstr(err.msg, "random"));
	assert_int_equal(a.len, 0);
	m.random = RND;
	m.message_id = NULL;
	m.html = "<p>x</p>";
	assert_int_equal(compose_build(&m, &a, &err), 0);
	assert_int_equal(compose_build(&m, &b, &err), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	for (size_t i = 0; i < sizeof(other); i++)
		other[i] = (unsigned char)(RND[i] ^ 0xa5);
	m.random = other;
	assert_int_equal(compose_build(&m, &c, &err), 0);
	assert_true(a.len != c.len || memcmp(a.data, c.data, a.len) != 0);
	buf_release(&a);
	buf_release(&b);
	buf_release(&c);
}

static void
test_compose_refuses_bad_input_with_a_reason(void **state)
{
	static const struct compose_header reserved = { "Subject", "x" };
	static const struct compose_header content = { "content-type", "x" };
	static const struct compose_header spaced = { "X Kind", "x" };
	static const struct compose_header badval = { "X-Kind", "\xff" };
	static const struct compose_attachment badname = { "../etc", "text/plain", "x", 1 };
	static const struct compose_attachment badtype = { "a.txt", "multipart/mixed", "x", 1 };
	static const struct {
		int field;
		const char *value;
		const char *want; /* in err.msg */
	} cases[] = {
		{ 0, NULL, "From address is missing" },
		{ 0, "not-an-address", "From" },
		{ 0, "a@b.org\r\nBcc: x@y.org", "bare address" },
		{ 1, "Jan <jan@example.org>", "bare address" },
		{ 2, "\xc3(", "Subject is not valid UTF-8" },
		{ 2, NULL, "subject is missing" },
		{ 3, "\xed\xa0\x80 surrogate", "text body is not valid UTF-8" },
		{ 3, NULL, "text body is missing" },
		{ 4, "not an id", "Message-ID" },
		{ 5, "\xc0\xaf", "name is not valid UTF-8" },
		{ 6, NULL, "METHOD" },
		{ 6, "RE QUEST", "letters only" },
		{ 7, (const char *)&reserved, "written by compose" },
		{ 7, (const char *)&content, "written by compose" },
		{ 7, (const char *)&spaced, "only letters" },
		{ 7, (const char *)&badval, "not valid UTF-8" },
		{ 8, (const char *)&badname, "file name" },
		{ 8, (const char *)&badtype, "cannot be attached" },
		{ 9, "Not/AZone", "Date" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct compose_msg m = base_msg();
		struct buf raw = BUF_INIT;
		struct fb_error err = { { 0 } };

		assert_int_equal(buf_adds(&raw, "keep"), 0);
		switch (cases[i].field) {
		case 0: m.from_addr = cases[i].value; break;
		case 1: m.to_addr = cases[i].value; break;
		case 2: m.subject = cases[i].value; break;
		case 3: m.text = cases[i].value; break;
		case 4: m.message_id = cases[i].value; break;
		case 5: m.to_name = cases[i].value; break;
		case 6: m.calendar = ICS; m.calendar_method = cases[i].value; break;
		case 7:
			m.headers = (const struct compose_header *)(const void *)cases[i].value;
			m.nheaders = 1;
			break;
		case 8:
			m.attachments = (const struct compose_attachment *)(const void *)cases[i].value;
			m.nattachments = 1;
			break;
		case 9: m.tz = cases[i].value; break;
		}
		if (compose_build(&m, &raw, &err) != -1)
			fail_msg("case %zu: accepted", i);
		if (strstr(err.msg, cases[i].want) == NULL)
			fail_msg("case %zu: error \"%s\" does not say \"%s\"", i, err.msg,
			    cases[i].want);
		assert_string_equal(raw.data, "keep");
		buf_release(&raw);
	}
}

/* Decode one encoded-word with libetpan; the result must be valid UTF-8 on its own. */
static void
assert_word_whole(const char *word, size_t len, struct buf *joined)
{
	char *dec = NULL;
	size_t idx = 0;
	struct buf tmp = BUF_INIT;

	assert_int_equal(mailmime_encoded_phrase_parse("utf-8", word, len, &idx, "utf-8", &dec),
	    MAILIMF_NO_ERROR);
	assert_int_equal(message_text_to_utf8(dec, strlen(dec), "utf-8", &tmp), 0);
	if (strcmp(tmp.data, dec) != 0)
		fail_msg("word %.*s decodes to invalid UTF-8", (int)len, word);
	assert_int_equal(buf_adds(joined, dec), 0);
	buf_release(&tmp);
	free(dec);
}

static void
test_compose_encode_words_bounded_and_never_split_utf8(void **state)
{
	static const struct {
		const char *in;
		size_t first_max;
	} cases[] = {
		{ "Jeroen Mëijer", 62 },
		{ "ëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëë", 62 },
		{ "\xF0\x9F\x8E\x89\xF0\x9F\x8E\x89\xF0\x9F\x8E\x89\xF0\x9F\x8E\x89\xF0\x9F\x8E\x89"
		  "\xF0\x9F\x8E\x89\xF0\x9F\x8E\x89\xF0\x9F\x8E\x89\xF0\x9F\x8E\x89\xF0\x9F\x8E\x89"
		  "\xF0\x9F\x8E\x89\xF0\x9F\x8E\x89\xF0\x9F\x8E\x89\xF0\x9F\x8E\x89", 30 },
		{ "中文主题测试，反馈请求第三周中文主题测试，反馈请求第三周中文主题测试", 10 },
		{ "a", 75 },
		{ NULL, 62 },
	};

	for (size_t i = 0; i < N(cases); i++) {
		const char *in = cases[i].in ? cases[i].in : long_subject();
		struct buf out = BUF_INIT, joined = BUF_INIT;
		size_t max = cases[i].first_max < 24 ? 24 : cases[i].first_max;
		const char *p;

		assert_int_equal(compose_encode_words(in, cases[i].first_max, &out), 0);
		p = out.data;
		for (int w = 0; *p; w++) {
			const char *sp = strchr(p, ' ');
			size_t len = sp ? (size_t)(sp - p) : strlen(p);

			if (len > (w == 0 ? max : 75))
				fail_msg("case %zu word %d is %zu long: %.*s", i, w, len, (int)len, p);
			assert_word_whole(p, len, &joined);
			p += len + (sp != NULL);
		}
		assert_string_equal(joined.data, in);
		buf_release(&out);
		buf_release(&joined);
	}
	{
		struct buf out = BUF_INIT;

		assert_int_equal(buf_adds(&out, "keep"), 0);
		assert_int_equal(compose_encode_words("bad \xff", 60, &out), -1);
		assert_string_equal(out.data, "keep");
		buf_release(&out);
	}
}

static void
test_compose_mailto_percent_encodes_utf8(void **state)
{
	static const struct {
		const char *to, *subject, *body, *want;
	} cases[] = {
		{ "feedback+tok@example.org", "Score 4", NULL,
		  "mailto:feedback+tok@example.org?subject=Score%204" },
		{ "f@example.org", "Zoë & co = 5?", "regel 1\nregel 2\r\n#3 100%",
		  "mailto:f@example.org?subject=Zo%C3%AB%20%26%20co%20%3D%205%3F"
		  "&body=regel%201%0D%0Aregel%202%0D%0A%233%20100%25" },
		{ "f@example.org", NULL, "alleen body", "mailto:f@example.org?body=alleen%20body" },
		{ "a/b?c@example.org", NULL, NULL, "mailto:a%2Fb%3Fc@example.org" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct buf out = BUF_INIT;

		assert_int_equal(compose_mailto(cases[i].to, cases[i].subject, cases[i].body, &out),
		    0);
		assert_string_equal(out.data, cases[i].want);
		buf_release(&out);
	}
	{
		struct buf out = BUF_INIT;

		assert_int_equal(compose_mailto("", "x", NULL, &out), -1);
		assert_int_equal(compose_mailto("a@b.org", "\xff", NULL, &out), -1);
		assert_int_equal(out.len, 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compose_subject_decodes_to_the_same_utf8),
		cmocka_unit_test(test_compose_takes_its_randomness_as_input),
		cmocka_unit_test(test_compose_subject_line_breaks_become_spaces),
		cmocka_unit_test(test_compose_display_names_decode_to_the_same_utf8),
		cmocka_unit_test(test_compose_text_body_round_trips_byte_exact),
		cmocka_unit_test(test_compose_text_encoding_follows_content),
		cmocka_unit_test(test_compose_automatic_adds_rfc3834_and_exchange_headers),
		cmocka_unit_test(test_compose_message_id_from_token_of_our_domain),
		cmocka_unit_test(test_compose_date_header_carries_the_senders_offset),
		cmocka_unit_test(test_compose_threading_headers_keep_first_and_last_references),
		cmocka_unit_test(test_compose_calendar_inline_and_attached_with_same_bytes),
		cmocka_unit_test(test_compose_attachment_round_trips),
		cmocka_unit_test(test_compose_inline_images_in_multipart_related),
		cmocka_unit_test(test_compose_inline_images_refused_without_html_or_twice),
		cmocka_unit_test(test_compose_refuses_bad_input_with_a_reason),
		cmocka_unit_test(test_compose_encode_words_bounded_and_never_split_utf8),
		cmocka_unit_test(test_compose_mailto_percent_encodes_utf8),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	fbtime_cleanup();
	return rc;
}
