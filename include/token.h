/*
 * token — the unguessable reply tokens that tie an incoming reply to the request we sent.
 *
 * A token is 130 random bits written as 26 characters of lowercase RFC 4648 base32
 * ([a-z2-7], no padding). Tokens are compared case-insensitively (mail software may change the
 * case of an address's local part or of a subject), and every finder below hands back the
 * lowercase form.
 *
 * Where we put a token in mail we send, and where the finders look for it:
 *   - the reply address:   anything+TOKEN@domain          token_from_address()
 *   - our Message-IDs:     <TOKEN.RANDOM@domain>           token_from_message_id()
 *       TOKEN is the 26-character token, RANDOM 16 more base32 characters (80 fresh random
 *       bits, so every message we send has its own id), then '@' and our mail domain;
 *       token_message_id() builds one.
 *   - the subject:         "... [#TOKEN]"                  token_from_subject()
 *
 * The random bits come from the caller (the shell reads them: fbrandom_bytes()), so this is
 * pure: nothing here reads the kernel's randomness or the clock.
 */
#ifndef FB_TOKEN_H
#define FB_TOKEN_H

#include <stddef.h>

#include "buf.h"
#include "fberror.h"

#define TOKEN_LEN 26
#define TOKEN_RANDOM_BYTES 17     /* a token's 130 bits, rounded up */
#define TOKEN_ID_RANDOM_BYTES 10  /* the 80 fresh bits of a Message-ID */

/* A token made from random (fresh random bytes, e.g. fbrandom_bytes()) into out
 * (NUL-terminated, lowercase). */
void token_new(char out[TOKEN_LEN + 1], const unsigned char random[TOKEN_RANDOM_BYTES]);

/* 1 when s[0..len) is exactly a token (26 base32 characters, either case), else 0. */
int token_valid(const char *s, size_t len);

/* The token in the local part of an address "anything+TOKEN@domain" (the part after the last
 * '+' before the last '@'; surrounding '<' '>' and spaces are ignored). Writes the lowercase
 * token to out and returns 0; -1 when the address carries no token. */
int token_from_address(const char *addr, char out[TOKEN_LEN + 1]);

/* The token of one of our Message-IDs "<TOKEN.RANDOM@domain>" (angle brackets and surrounding
 * spaces optional). 0 and out filled, or -1 when the id is not of that form. */
int token_from_message_id(const char *msgid, char out[TOKEN_LEN + 1]);

/* The first "[#TOKEN]" in a subject. 0 and out filled, or -1 when there is none. */
int token_from_subject(const char *subject, char out[TOKEN_LEN + 1]);

/* Append a new Message-ID "<TOKEN.RANDOM@domain>" for token to out (angle brackets included,
 * token lowercased; RANDOM from the caller's fresh random bytes). 0, or -1 (out unchanged) when
 * token is not a valid token, domain is empty or holds characters other than letters, digits,
 * '-', '.', or memory ran out. */
int token_message_id(const char *token, const char *domain,
    const unsigned char random[TOKEN_ID_RANDOM_BYTES], struct buf *out);

#endif
