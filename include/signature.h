/*
 * signature — the closing block at the end of what a person wrote, when no "-- " line marks it:
 * a sign-off ("Groeten,", "Kind regards", "Viele Grüße", "С уважением", "よろしくお願いします",
 * …), the writer's name, title and company, phone numbers, a postal address, URL and e-mail
 * lines, the line a phone or mail program adds, and a legal or mailing-list footer. Pure: no
 * I/O, no clock, no global state. trim calls it on the lines it keeps (quotes already gone).
 *
 * The rule is that text is never lost: a block goes only when something anchors it —
 *   - a sign-off line (table signoffs.txt), alone or with a name after it ("Groet, Jan"): it
 *     and the signature lines under it go;
 *   - a line that is the writer's name (full name, first or last name, initials; case and
 *     accents ignored; from the From display name or the address's local part), or a name
 *     signed with a dash ("-Jan"): it and the lines under it go, the lines above it stay;
 *   - a device or client line ("Sent from my iPhone", "iPhoneから送信");
 *   - a paragraph of contact details (at least two phone/URL/e-mail/address lines, one of them
 *     a phone number or postal address) made only of short lines;
 *   - a legal or mailing-list footer (table signature-footers.txt): from its first line on.
 * Under an anchor only signature-shaped lines may follow (short lines: name, title, company;
 * contact lines; table signature-lines.txt); a sentence, a question or a "P.S." stops the block.
 * A bare closing — sign-off lines and at most one name under them ("Thanks,\nSome One"), perhaps
 * a device line below — is the person's word to the reader: it stays (only the device line
 * goes), as every public reply reader keeps it; a title, contact line or footer makes it a
 * signature. Nothing goes when the block would be all the text, or when the line above it ends with ':'
 * (a list the person introduced: "Vraag feedback aan:\npiet@x\nklaas@x"). A short line that
 * is not the writer's name ("Joost" from Piet) stays unless a sign-off is above it.
 *
 * Lines are given as pointers into the caller's text (UTF-8, any bytes tolerated), without
 * their line end; a blank line is one of only white space.
 */
#ifndef FB_SIGNATURE_H
#define FB_SIGNATURE_H

#include <stddef.h>

#include "fberror.h"

/* What is known of the sender; either may be NULL. */
struct signature_sender {
	const char *name;  /* display name from From (UTF-8), e.g. "Joost Hendriks" */
	const char *name2; /* another name for the same person (the roster's), or NULL */
	const char *addr;  /* address, e.g. "joost.hendriks@example.org" */
};

struct signature_line {
	const char *p;
	size_t len;
};

/* What signature_find() found. */
struct signature_block {
	size_t start;      /* first line of the block; n (the count given) when there is none */
	size_t anchor;     /* the line that made it a signature (for the description) */
	const char *why;   /* static: "closing", "signature", "device signature", "footer" */
};

/* The compiled tables (signoffs.txt, signature-lines.txt, signature-footers.txt): made once,
 * read-only afterwards (one value may serve several threads). NULL with err filled when a
 * table does not compile or memory runs out. Free with signature_rules_free() (NULL is fine). */
struct signature_rules;
struct signature_rules *signature_rules_new(struct fb_error *err);
void signature_rules_free(struct signature_rules *r);

/*
 * Find the closing block at the end of lines[0..n). from may be NULL (nothing known of the
 * sender: only sign-offs, dash names, devices, contact paragraphs and footers anchor a block).
 * Fills out (out->start == n: none). Returns 0, or -1 when memory runs out.
 */
int signature_find(const struct signature_rules *r, const struct signature_sender *from,
    const struct signature_line *lines, size_t n, struct signature_block *out);

/*
 * Is line[0..len) a sign-off ("Groeten,", "Kind regards", "Thanks!", "Groet, Jan")? 1 yes,
 * 0 no. from may be NULL. For readers of fields, where a closing ends a field's value.
 */
int signature_is_signoff(const struct signature_rules *r, const struct signature_sender *from,
    const char *line, size_t len);

/* Is line[0..len) a line a phone or mail program adds ("Sent from my iPhone", "iPhoneから送信")?
 * 1 yes, 0 no. */
int signature_is_device(const struct signature_rules *r, const char *line, size_t len);

#endif
