/*
 * glossary — the one word per concept a language's mail uses: the four measurements and the
 * three sessions, written once in mail-templates/<lang>/glossary.txt. Every template reads them
 * as {{term_KEY}} ("nulmeting") and {{Term_KEY}} ("Nulmeting", to start a sentence or a
 * subject); the code that names a measurement or session outside a template asks
 * glossary_word(). Each line also lists the words that mean the same and must not be used (the
 * synonyms a reader would take for another thing), so a test can find them in a rendered mail.
 *
 * The file, one term per line ('#' starts a comment; blank lines are skipped):
 *   KEY = word | variant, variant, ...
 * KEY is [a-z_]+, word is what the mails say, the variants after '|' are forbidden.
 * Pure: the shell reads the file and hands its bytes to glossary_parse().
 */
#ifndef FB_GLOSSARY_H
#define FB_GLOSSARY_H

#include <stddef.h>

#include "fberror.h"

#define GLOSSARY_MAX_FILE ((size_t)64 << 10)   /* bytes of a glossary file */
#define GLOSSARY_MAX_TERMS 64

struct glossary;   /* opaque */

/*
 * Parse a glossary file (len bytes, no NUL needed; shown names it in errors). A glossary
 * (caller frees with glossary_free()), or NULL with err naming the first bad line
 * ("SHOWN:LINE: ...") or "out of memory".
 */
struct glossary *glossary_parse(const char *data, size_t len, const char *shown,
    struct fb_error *err);
void glossary_free(struct glossary *g);

/* The number of terms, and term i's key, word and word with a capital (static to g). */
size_t glossary_count(const struct glossary *g);
const char *glossary_key(const struct glossary *g, size_t i);
const char *glossary_term(const struct glossary *g, size_t i);
const char *glossary_term_capital(const struct glossary *g, size_t i);

/* The word for key ("baseline" -> "nulmeting"), or NULL when g (may be NULL) has no such key. */
const char *glossary_word(const struct glossary *g, const char *key);

/*
 * The first forbidden variant found in text as a whole word (ASCII letters and digits do not
 * continue it; case ignored), or NULL. *key (may be NULL) is set to the term it stands in for.
 */
const char *glossary_forbidden_in(const struct glossary *g, const char *text, const char **key);

#endif
