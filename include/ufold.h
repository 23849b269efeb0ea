/*
 * ufold — reading UTF-8 one code point at a time, and folding code points so that words and
 * names compare as people mean them: case ignored (Latin, Greek, Cyrillic), Latin accents
 * ignored ("Élodie" = "elodie"), typographic apostrophes as "'". Pure; for the modules that
 * match names and words in what people wrote (mask, signature).
 */
#ifndef FB_UFOLD_H
#define FB_UFOLD_H

#include <stddef.h>
#include <stdint.h>

/* What an invalid byte b decodes to: above Unicode, so it equals only the same byte. */
#define UFOLD_BAD(b) (0x110000u + (uint32_t)(b))

/* Is c what ufold_next() gives for an invalid byte? */
#define UFOLD_IS_BAD(c) ((c) >= 0x110000u)

/*
 * The code point at s[*i] (len bytes in all, *i < len); *i moves past it. A byte that does not
 * start a well-formed sequence (overlong, surrogate, cut short) decodes alone to UFOLD_BAD(it).
 */
uint32_t ufold_next(const char *s, size_t len, size_t *i);

/* c lower-cased, without Latin diacritics, typographic apostrophes (U+2018, U+2019, U+02BC)
 * as '\''. Other code points are returned as they are. */
uint32_t ufold_cp(uint32_t c);

#endif
