/*
 * compose — every message feedbackd sends is built here: RFC 5322 headers, RFC 2047 words for
 * names and subjects, and the MIME structure, written by libetpan's MIME writer
 * (mailmime_write_mem), CRLF line ends, no line longer than 998 octets.
 *
 * The module is pure: no I/O and no clock (the Date header's time is an input). The only
 * outside thing it reads is randomness, from the token module, for MIME boundaries and for a
 * Message-ID when the caller gives none.
 *
 * Structure of what compose_build() writes:
 *   text only                 text/plain; charset=UTF-8
 *   text + html               multipart/alternative (text/plain, text/html)
 *   with a calendar           multipart/mixed
 *                               multipart/alternative
 *                                 text/plain
 *                                 text/html                       (when given)
 *                                 text/calendar; charset=UTF-8; method=METHOD   (base64, no
 *                                                                   Content-Disposition)
 *                               application/ics; name=invite.ics  (the same bytes, base64,
 *                                 Content-Disposition: attachment; filename=invite.ics)
 *                               attachments...
 *   with attachments          multipart/mixed (the body as above, then each attachment)
 *   html with inline images   the text/html part becomes
 *                                 multipart/related
 *                                   text/html                     (shows them as src="cid:ID")
 *                                   image/png; name=F             (base64, Content-ID: <ID>,
 *                                   ...                            Content-Disposition: inline)
 *                             (RFC 2387; how Outlook, Gmail and Apple Mail send pictures in a
 *                             message, and the only way they show them without fetching)
 * This is how real clients send invitations (RFC 6047); the calendar reader relies on it.
 *
 * Text parts: UTF-8. CRLF and lone CR in the input become line breaks; a missing final line
 * break is added. A part is sent 7bit when it is printable ASCII with lines of at most 76
 * characters, no trailing white space and no line starting with "From "; otherwise
 * quoted-printable, or base64 when a line ends in white space (libetpan 1.9.4's
 * quoted-printable writer doubles such a space and leaves it unprotected at the end of data,
 * measured). Decoding a part gives back the input with LF line ends, byte for byte.
 *
 * Headers: subjects, display names and extra header values that are not plain ASCII words
 * become RFC 2047 encoded-words (UTF-8, Q or B, whichever is shorter), at most 75 characters
 * each, never splitting a UTF-8 sequence, folded by libetpan before 78 columns. CR, LF and
 * TAB in header text become spaces (no header injection). Plain ASCII display names with
 * specials ("Vries, Jan de") are quoted by libetpan; other names become a phrase of atoms and
 * encoded-words ("Maria =?UTF-8?Q?=C3=8Blisabeth?= de Vries"), never two encoded-words side
 * by side unless one run of words is too long for one (Python's email and libetpan disagree
 * about the space between them).
 *
 * Errors: functions return 0, or -1 with err filled (err may be NULL). Nothing logs.
 */
#ifndef FB_COMPOSE_H
#define FB_COMPOSE_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "fberror.h"
#include "token.h"

/* Limits on what is accepted; larger inputs are refused with an error. */
#define COMPOSE_MAX_PART ((size_t)16 << 20)  /* bytes of one body part or attachment */
#define COMPOSE_MAX_HEADER_TEXT 2000         /* bytes of a subject, name or header value */
#define COMPOSE_MAX_REFERENCES 20            /* msg-ids kept in References (first + last) */

/* An extra header, e.g. { "X-Feedbackd-Kind", "request" }. The name must be letters, digits
 * and '-' (at most 76), and not one of the headers compose writes itself (Date, From, To,
 * Subject, Message-ID, Content-*, MIME-Version, Auto-Submitted, ...). The value is UTF-8. */
struct compose_header {
	const char *name;
	const char *value;
};

/* An attachment: filename of letters, digits, '.', '_', '-' and spaces (at most 100, not
 * starting with '.'); content_type a "type/subtype" (not multipart/ or message/); the bytes
 * are sent base64. */
/* An image shown inside the HTML part: the HTML refers to it as "cid:" + content_id.
 * content_id: 1 to 100 of letters, digits and ".-_@" (e.g. "volume.1@feedbackd"), unique in
 * the message; filename and content_type as for an attachment (say "image/png"). */
struct compose_inline {
	const char *content_id;
	const char *filename;
	const char *content_type;
	const void *data;
	size_t len;
};

struct compose_attachment {
	const char *filename;
	const char *content_type;
	const void *data;
	size_t len;
};

/*
 * What to send. Strings are NUL-terminated UTF-8 and belong to the caller; NULL means absent.
 * Required: from_addr, to_addr, subject, text.
 */
/* The random bytes compose_build() takes: a boundary, a token and a Message-ID's own bits. */
#define COMPOSE_RANDOM_BYTES (2 * TOKEN_RANDOM_BYTES + TOKEN_ID_RANDOM_BYTES)

struct compose_msg {
	const char *from_addr;   /* "feedback@example.org" */
	const char *from_name;   /* display name, e.g. "Feedback Team Blauw" */
	const char *to_addr;     /* one recipient: colleagues' addresses stay private */
	const char *to_name;
	const char *reply_to;    /* our plus-address carrying the reply token */

	const char *subject;
	time_t date;             /* the Date header's instant */
	const char *tz;          /* the sender's zone for the Date offset (NULL: UTC) */

	/* Message-ID "<id@domain>" (brackets optional). When NULL one is made with
	 * token_message_id() from token (NULL: a fresh token) and domain (NULL: the domain of
	 * from_addr). To know the id of what you send, make it yourself and pass it here. */
	const char *message_id;
	const char *token;
	const char *domain;
	/* COMPOSE_RANDOM_BYTES fresh random bytes (required; the caller reads them, e.g. with
	 * fbrandom_bytes()): the MIME boundary and, when one is made, the Message-ID. */
	const unsigned char *random;
	const char *in_reply_to; /* "<a@b>" */
	const char *references;  /* "<a@b> <c@d> ..."; only the first and the last
				  * COMPOSE_MAX_REFERENCES - 1 ids are kept; invalid ids skipped */

	/* 1: Auto-Submitted: auto-generated (RFC 3834) and X-Auto-Response-Suppress: All (keeps
	 * Exchange's out-of-office replies away). No Precedence: bulk (some servers drop it). */
	int automatic;

	const char *text;        /* the text/plain body (required) */
	const char *html;        /* optional text/html alternative */
	const char *calendar;    /* optional iCalendar text (sent byte for byte) ... */
	const char *calendar_method; /* ... and its METHOD ("REQUEST", "CANCEL"); required
				      * with calendar: letters only, sent uppercase */

	const struct compose_attachment *attachments;
	size_t nattachments;
	const struct compose_header *headers;
	size_t nheaders;
	/* Images inside the HTML (requires html): see struct compose_inline. */
	const struct compose_inline *inlines;
	size_t ninlines;
};

/*
 * Build the complete message m and append it to out: CRLF line ends throughout, every line
 * at most 998 octets, ending with CRLF, ready for a transport. 0, or -1 with err saying which
 * field is wrong (invalid address, invalid UTF-8, a reserved or malformed header name, a
 * missing required field, a size limit, no random bytes) or that memory ran out; out is
 * unchanged on error.
 */
int compose_build(const struct compose_msg *m, struct buf *out, struct fb_error *err);

/*
 * Append header text (UTF-8) as RFC 2047 encoded-words "=?UTF-8?Q?...?=" or "=?UTF-8?B?...?="
 * separated by single spaces: each word at most 75 characters, the first at most first_max
 * (at least 16 is used), no UTF-8 sequence split across words; CR, LF and TAB are encoded as
 * spaces. Used by compose_build() for what is not plain ASCII; exported for tests.
 * (libetpan has no encoder for RFC 2047 words, only the decoder, so this small one is ours.)
 * 0, or -1 when text is not valid UTF-8 or memory runs out (out unchanged).
 */
int compose_encode_words(const char *text, size_t first_max, struct buf *out);

/*
 * Append a mailto: URI (RFC 6068) for to with a pre-filled subject and body (either may be
 * NULL): "mailto:to?subject=...&body=...", UTF-8 percent-encoded, spaces as %20, line breaks
 * in the body as %0D%0A. 0, or -1 when to is empty, a string is not valid UTF-8 or memory
 * runs out (out unchanged).
 */
int compose_mailto(const char *to, const char *subject, const char *body, struct buf *out);

#endif
