/*
 * saslauth — the initial client responses of the two SASL mechanisms that carry an OAuth 2.0
 * bearer token: XOAUTH2 (Google's and Microsoft's, documented by both) and OAUTHBEARER (RFC
 * 7628). Pure: the IMAP driver and the SMTP AUTH plugin both build their response here, so the
 * two protocols can never disagree on the bytes.
 *
 * Both results are the raw response (with its \x01 separators), NOT base64: the protocol
 * library encodes it (libesmtp does for a plugin's response; the IMAP driver encodes for
 * libetpan).
 *
 * The user and the token come from configuration and from a token endpoint: they are refused
 * when they hold a byte that would end a field early (\x01, CR, LF, NUL) rather than sent in a
 * shape the server reads differently. OAUTHBEARER's gs2 header escapes ',' and '=' in the user
 * name as RFC 5801 says (=2C, =3D).
 */
#ifndef FB_SASLAUTH_H
#define FB_SASLAUTH_H

#include "buf.h"
#include "fberror.h"

/* "user=USER\x01auth=Bearer TOKEN\x01\x01" appended to *out. 0, or -1 with err (out untouched
 * on a refused field; on out of memory out is marked failed). */
int saslauth_xoauth2(struct buf *out, const char *user, const char *token, struct fb_error *err);

/* "n,a=USER,\x01host=HOST\x01port=PORT\x01auth=Bearer TOKEN\x01\x01" appended to *out (RFC 7628
 * section 3.1; host and port are those the client connected to; port 0 leaves port= out, host
 * NULL or "" leaves host= out). 0, or -1 with err as above. */
int saslauth_oauthbearer(struct buf *out, const char *user, const char *host, unsigned port,
    const char *token, struct fb_error *err);

#endif
