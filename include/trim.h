/*
 * trim — what the person wrote in a reply: quoted text, quote headers, forwarded or original
 * message blocks, signatures and client boilerplate removed (Dutch and English first, the
 * common forms of other languages too). Pure: no I/O, no clock, no global state.
 *
 * Input is UTF-8 text with LF line ends (the message module converts CRLF and renders HTML
 * quotes as lines prefixed "> "); a stray CR at a line end is tolerated. The work is done in two
 * passes (the idea of discourse's email_reply_trimmer, our own code and tables):
 *
 *   1. each line gets a kind: text, blank, quote ("> " at the start of the line), quote header
 *      ("On … wrote:", also wrapped over several lines, "Op … schreef …:", "Le … a écrit :",
 *      "Am … schrieb …:", …), separator ("-----Original Message-----", Outlook's underscore line
 *      or a From:/Sent:/To:/Subject: header block, "Forwarded message"), signature delimiter
 *      ("-- "), device signature ("Sent from my iPhone", "Verzonden vanaf mijn iPhone", "Get
 *      Outlook for iOS", …) or boilerplate (external-mail warnings). Lines inside a closed ```
 *      or ~~~ fence are always text, and so is a '>' that does not start the line.
 *   2. a pass decides what to keep:
 *      - everything from the first separator or signature delimiter on is dropped;
 *      - device signatures and boilerplate lines are dropped wherever they stand; text after
 *        the person's text and a device signature is the quoted original (clients that add one
 *        quote without '>'), so the cut goes there;
 *      - the person's text above a quote header is kept and the rest dropped (top-posting),
 *        unless the person answered between the quoted lines below it (inline reply; a
 *        lower-case line right under a long quoted line is that line's unmarked overflow, not
 *        an answer): then the person's lines are kept and the quote headers and quoted lines
 *        dropped; the same
 *        happens when the message starts with the quote (bottom-posting and inline replies);
 *      - without any quote header, quoted lines that end the message are dropped, and quoted
 *        lines followed by the person's text are kept: nothing says they were quoted from the
 *        mail replied to (a person quoting someone, or a shell prompt in an example).
 *      Lines of only "---", "***" or "___" are the writer's; an underscore or dash line is a
 *      separator only when a mail header block follows it.
 *      - at the end of what is left, a closing block without a "-- " line (sign-off, the
 *        writer's name, title, contact details, a device line, a legal or list footer) is
 *        dropped as signature.h describes: only with an anchor, never all of the text;
 *   3. the rule that text is never lost: when these rules leave nothing although the message
 *      has something besides quote headers, signatures and boilerplate (quoted lines without
 *      a quote header, or a message that starts with a separator), the result is the whole
 *      message without its quote header, device signature and boilerplate lines, and
 *      info->everything_quoted is set. A quote chain under a quote header and nothing else
 *      (the mail answered, sent back) gives no text, and everything_quoted is set too: the
 *      writer wrote nothing.
 *
 * The result has no blank lines and no leading white space at its start, no blank lines at its
 * end, and every line ends with "\n"; lines keep their own bytes (no re-wrapping).
 */
#ifndef FB_TRIM_H
#define FB_TRIM_H

#include <stddef.h>

#include "buf.h"
#include "fberror.h"

/* What trim_reply() removed, for the record and for `feedbackctl inspect`. */
struct trim_info {
	/* A short human description, e.g. "quote header 'Op 12 jan. 2027 … schreef:'; 14 quoted
	 * lines; signature '-- ' (3 lines)"; empty when nothing was removed. */
	struct buf removed;
	size_t lines_in;        /* lines in the input */
	size_t lines_removed;   /* lines not in the output */
	int everything_quoted;  /* 1 when the never-empty rule (3. above) chose the output */
};

#define TRIM_INFO_INIT { BUF_INIT, 0, 0, 0 }

/* The compiled patterns (PCRE2, the tables of src/core/tables/ via rtable) trim_reply() matches
 * with: made once by the caller and passed to every call (read-only there, so one value may
 * serve several threads). NULL when memory runs out or a built-in table does not compile
 * (trim_rules_load() says which file and line in err); free with trim_rules_free() (NULL is
 * fine). */
struct trim_rules;
struct trim_rules *trim_rules_new(void);
struct trim_rules *trim_rules_load(struct fb_error *err);
void trim_rules_free(struct trim_rules *r);

/*
 * Append to out the text the person wrote in the reply text[0..len) (see above). text need not
 * be NUL-terminated and may hold any bytes. info may be NULL; otherwise trim_reply() (re)fills
 * it from scratch — it must be initialised (TRIM_INFO_INIT or a previous use), and the caller
 * releases it with trim_info_release(), also after a failure.
 * rules: from trim_rules_new(). Returns 0, or -1 when memory runs out or rules is NULL (out
 * then holds what it held before).
 */
int trim_reply(const struct trim_rules *rules, const char *text, size_t len, struct buf *out,
    struct trim_info *info);

/* The sign-off tables inside r, for fields_parse_with(); they live as long as r. */
struct signature_rules;
const struct signature_rules *trim_rules_signature(const struct trim_rules *r);

/* What is known of the sender, for the closing block (signature.h): any field may be NULL. */
struct trim_context {
	const char *from_name;   /* the From display name (UTF-8) */
	const char *from_addr;   /* the From address */
	const char *member_name; /* the roster's name for the sender, when known */
};

/* trim_reply() knowing who wrote: a last line with the writer's name ("Joost", "JH") is their
 * signature. ctx may be NULL (then it is trim_reply()). */
int trim_reply_from(const struct trim_rules *rules, const struct trim_context *ctx,
    const char *text, size_t len, struct buf *out, struct trim_info *info);

/* Free what info holds; it is TRIM_INFO_INIT afterwards. NULL is fine. */
void trim_info_release(struct trim_info *info);

#endif
