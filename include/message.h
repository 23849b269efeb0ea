/*
 * message — one raw RFC 5322 message turned into what the rest of feedbackd reads: decoded
 * headers, the text a person wrote (UTF-8, LF line ends), calendar parts and delivery reports.
 *
 * Parsing is done by libetpan (MIME structure, transfer encodings, RFC 2047 words, charsets) and
 * gumbo (HTML-only mail). The module is pure: bytes in, struct out, no I/O, no clock.
 *
 * The text body: the first text/plain part that is not an attachment (in multipart/alternative
 * text/plain wins over text/html); when there is none, the first text/html part rendered as
 * text: paragraphs and line breaks kept, entities decoded, <head>/<style>/<script> skipped, and
 * quoted material — the quote containers and reply header blocks of the common mail programs
 * and webmails, found in the DOM (see message_html.c) — written as lines starting with "> ",
 * which is what trim removes; client-marked signatures get a "-- " line. Charsets are converted
 * to UTF-8 (iso-8859-1 read as windows-1252, as browsers do; invalid bytes become U+FFFD; a BOM
 * is dropped); CRLF and lone CR become LF. Invisible characters are taken out of either kind of
 * text: zero-width spaces, word joiners, stray BOMs, soft hyphens, joiners that join nothing,
 * and lines holding only the U+1427 mark of mail-tracking plug-ins.
 *
 * A text/plain body sent as format=flowed (RFC 3676) is unwrapped: see message_unflow().
 *
 * Parts inside an attached message (message/rfc822) never give the text body or calendar
 * parts; their headers are kept as original_headers for bounce reading.
 */
#ifndef FB_MESSAGE_H
#define FB_MESSAGE_H

#include <stddef.h>

#include "buf.h"
#include "fberror.h"

/* Bounds on hostile structure: deeper or larger messages are refused (message_parse fails). */
#define MESSAGE_MAX_DEPTH 32
#define MESSAGE_MAX_PARTS 512
#define MESSAGE_MAX_HEADERS 1000          /* kept per message; more are read past */
/* Header fields and their bytes in all header blocks of a message together (its own, its MIME
 * parts', attached messages'): more is refused before parsing (message_scan). */
#define MESSAGE_MAX_HEADER_FIELDS 10000
#define MESSAGE_MAX_HEADER_BYTES (1 << 20)
/* Of each text part (the body, an HTML body, a calendar, a delivery status) only the first
 * MESSAGE_MAX_TEXT bytes are decoded: what a person wrote in reply is at the top, and a 10 MB
 * body decoded, converted and trimmed whole cost 80 MB. */
#define MESSAGE_MAX_TEXT ((size_t)1 << 20)
#define MESSAGE_MAX_FROM 4096 /* longest From value read (folded lines and all) */
/* A sensible size limit for callers: 25 MB. */
#define MESSAGE_DEFAULT_MAX_SIZE ((size_t)25 << 20)

struct message_header {
	char *name;  /* as written, e.g. "Auto-Submitted" */
	char *value; /* unfolded, RFC 2047 words decoded to UTF-8, outer spaces removed */
};

struct message_address {
	char *name; /* display name decoded to UTF-8, or NULL */
	char *addr; /* addr-spec as written (local@domain) */
};

/* A calendar part: text/calendar, application/ics, or an attachment named *.ics. */
struct message_calendar {
	char *content_type; /* lowercase "type/subtype" */
	char *method;       /* the method= parameter uppercased, or NULL when absent */
	char *data;         /* decoded, UTF-8, NUL-terminated (line ends as sent) */
	size_t len;
};

struct fb_message {
	struct message_header *headers; /* top-level headers, in order */
	size_t nheaders;

	/* Convenience copies of top-level headers (decoded); NULL when absent. */
	char *subject;
	char *message_id;  /* as written, with angle brackets */
	char *in_reply_to;
	char *references;
	char *return_path; /* "<>" for a null sender */
	/* The sender: exactly one From header holding exactly one valid address (local@domain
	 * with a dot in the domain), nothing else; otherwise from.addr is NULL ("nobody") and
	 * from_problem (static) says why ("From holds more than one address"); both NULL when
	 * there is no From at all. */
	struct message_address from;
	const char *from_problem;

	/* Recipients from To, Cc and Delivered-To, in that order. */
	struct message_address *recipients;
	size_t nrecipients;

	char *content_type; /* top-level lowercase "type/subtype" */
	char *report_type;  /* the report-type= parameter of multipart/report, lowercased, or NULL */

	char *text;         /* the body as text (see above); never NULL, "" when there is none */
	size_t text_len;
	int text_from_html; /* 1 when text was rendered from HTML */

	struct message_calendar *calendars;
	size_t ncalendars;

	/* Delivery reports: message/delivery-status bodies joined, and the header block of the
	 * returned message (message/rfc822, message/rfc822-headers or text/rfc822-headers);
	 * NULL when absent. */
	char *delivery_status;
	char *original_headers;
	/* The Message-ID of the returned message, read from original_headers with libetpan's
	 * RFC 5322 parser, WITHOUT angle brackets (as the outbox keeps ours); NULL when there is
	 * none. A bounce that returns our message names it (apply.h). */
	char *original_message_id;

	size_t nparts; /* MIME parts seen */
	int text_truncated; /* a text part was longer than MESSAGE_MAX_TEXT: only its start read */
};

/* Parse raw[0..len) (any line ends). Returns a new message (caller frees with message_free()),
 * or NULL with err when len > max_size ("message is N bytes, larger than the limit of M"),
 * when the structure is deeper than MESSAGE_MAX_DEPTH or has more than MESSAGE_MAX_PARTS
 * parts or more header fields than message_scan() allows, or when memory runs out. Text parts
 * are read up to MESSAGE_MAX_TEXT bytes each (text_truncated says so). A message that is merely malformed is parsed as far as it
 * goes and still returned. */
struct fb_message *message_parse(const char *raw, size_t len, size_t max_size,
    struct fb_error *err);

/*
 * The structure bounds checked before libetpan parses a message (message_scan.c): at most
 * MESSAGE_MAX_HEADER_FIELDS header fields and MESSAGE_MAX_HEADER_BYTES header bytes in all
 * header blocks together, at most MESSAGE_MAX_PARTS parts. 0, or -1 with err saying which
 * bound ("... malformed, not read"). message_parse() calls it; pure, one pass, bounded memory.
 */
int message_scan(const char *raw, size_t len, struct fb_error *err);

/* The decoded value of the first top-level header called name (case-insensitive), or NULL.
 * The pointer belongs to msg. */
const char *message_header(const struct fb_message *msg, const char *name);

/* Free msg and everything it holds; NULL is fine. */
void message_free(struct fb_message *msg);

/* Convert text in charset (NULL or "" when unknown) to valid UTF-8 with LF line ends: a BOM
 * dropped, invalid bytes replaced by U+FFFD. Appends to out; 0, or -1 when memory runs out.
 * Exported for tests and for other readers of outside text. */
int message_text_to_utf8(const char *text, size_t len, const char *charset, struct buf *out);

/* Render HTML (UTF-8) as text the way message_parse() does for HTML-only mail, appending to
 * out. 0, or -1 when memory runs out or gumbo fails. */
int message_html_to_text(const char *html, size_t len, struct buf *out);

/*
 * Undo RFC 3676 format=flowed on text[0..len) (decoded text, LF or CRLF line ends, any bytes),
 * appending the result to out with LF line ends. A line ending in a space is joined with the
 * next one when both have the same quote depth (the number of '>' marks, counted also when
 * written "> > "); with delsp (DelSp=yes) that space is deleted. The stuffing space at the start
 * of a line (after the quote marks) is removed, except before a '>' on an unquoted line (so the
 * line does not turn into a quote); quote prefixes are kept as written. Never joined:
 * across a change of quote depth, onto the signature separator "-- " (which stays as it is), or
 * onto an empty line (kept as a paragraph break). Returns 0, or -1 when memory runs out (out may
 * then hold part of the result).
 */
int message_unflow(const char *text, size_t len, int delsp, struct buf *out);

#endif
