/*
 * mask — hide who is who in a text shown as "anonymous" (the weekly report's rating samples,
 * the progress report's ambition answers). Pure core: text and names in, masked text out.
 *
 * What is masked, each as one mask word ("[naam]") per span:
 *  - every name given, in every form people write it: the full name; each word of it alone
 *    (first name, surname, middle name, each half of a double-barrelled name) except the
 *    particles (van, de, der, ter, …), which are masked only together with the surname that
 *    follows them ("de Vries", "Van Dijk", "van der Berg"); with initials before it ("A.
 *    Bakker", "A.B. Bakker", "J. de Vries", "A Bakker"); with a title before it (Mevr., Dhr.,
 *    Mw., Mevrouw, Meneer, de heer, Mr, Mrs, Ms, Miss, Dr, …); possessive ("Bakker's",
 *    "Anne's", "Annes", "Anne’s"); names written one after the other are one span.
 *  - a title or initials followed by any capitalised word ("Mevr. Jansen", "J. Smit"), whether
 *    or not that word is one of the names: it is a person's name all the same.
 *  - every word holding an '@' (an e-mail address).
 *  - phone numbers: a run of digits and separators (space - . / ( )) that starts with '+', '0'
 *    or '(' and holds 9 to 15 digits ("06-12345678", "+31 (0)6 1234 5678", "020 123 4567",
 *    "+44 20 7946 0958", "(555) 123-4567").
 *  - signature blocks: everything after a "--" line, and the lines after a closing greeting
 *    ("Met vriendelijke groet,", "Groeten", "Mvg", "Kind regards", …) when that greeting is
 *    one of the last lines (at most MASK_SIGNATURE_LINES follow it).
 *
 * Matching is case-insensitive and diacritics-aware (Latin-1 and Latin Extended-A letters are
 * folded to their base letter, so "Mëijer", "Meijer" and "MEIJER" are one name), on UTF-8 word
 * boundaries: a word is a run of letters and digits, any non-ASCII letter included; a name is
 * only masked as a whole word ("Jan" in "Janneke" is not).
 *
 * Privacy first: a name that is also an ordinary word ("Roos", "Dijk", "Jan" in "4 jan.") is
 * masked wherever it stands as a word; a sentence that puts an initial before a capitalised
 * word ("bijlage A. Daarna") loses both. A sample that reads oddly costs less than one that
 * says who wrote it. Names of one letter are not masked alone (they are initials).
 *
 * Bytes that are not UTF-8 are copied as they are and never match a name.
 */
#ifndef FB_MASK_H
#define FB_MASK_H

#include <stddef.h>

#include "buf.h"

/* Names beyond this many are ignored (a team is far smaller). */
#define MASK_MAX_NAMES 4096
/* A name longer than this many bytes is cut here (a name, not a text). */
#define MASK_MAX_NAME 256
/* A closing greeting starts a signature only with at most this many lines after it. */
#define MASK_SIGNATURE_LINES 6

struct mask_list;  /* the names, prepared for matching */

/* Prepare names[0..n) (NULL and empty entries are skipped). NULL when memory runs out.
 * Free with mask_list_free(). */
struct mask_list *mask_list_new(const char *const *names, size_t n);
void mask_list_free(struct mask_list *l);

/*
 * Append text[0..len) to out with everything above replaced by mask. list may be NULL (no
 * names: addresses, phone numbers, titled names and signatures are still masked). Returns 0,
 * or -1 when memory runs out (out unchanged).
 */
int mask_apply(const struct mask_list *list, const char *text, size_t len, const char *mask,
    struct buf *out);

/* mask_list_new() + mask_apply() on the NUL-terminated text (NULL: "") + mask_list_free(). */
int mask_text(const char *text, const char *const *names, size_t n, const char *mask,
    struct buf *out);

#endif
