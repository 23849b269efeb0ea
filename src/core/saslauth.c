/*
 * saslauth — see include/saslauth.h.
 */
#include <string.h>

#include "saslauth.h"
#include "banned.h"

/* A field ends at \x01 and the protocol's line at CR or LF: a value holding one would let the
 * token endpoint or a configuration line smuggle a field of its own into the response. */
static int
field_ok(const char *what, const char *v, struct fb_error *err)
{
	if (v == NULL || *v == '\0')
		return fb_error_set(err, "SASL OAuth: the %s is empty", what);
	if (v[strcspn(v, "\x01\r\n")] != '\0')
		return fb_error_set(err, "SASL OAuth: the %s holds a control character (\\x01, CR or "
		    "LF) and cannot be sent", what);
	return 0;
}

int
saslauth_xoauth2(struct buf *out, const char *user, const char *token, struct fb_error *err)
{
	if (field_ok("user name", user, err) < 0 || field_ok("access token", token, err) < 0)
		return -1;
	buf_putf(out, "user=%s\x01" "auth=Bearer %s\x01\x01", user, token);
	return buf_failed(out) ? fb_error_set(err, "out of memory") : 0;
}

/* RFC 5801 section 5.1: in the gs2 header's authzid, ',' is =2C and '=' is =3D. */
static void
put_gs2_name(struct buf *out, const char *user)
{
	for (const char *p = user; *p != '\0'; p++) {
		if (*p == ',')
			buf_puts(out, "=2C");
		else if (*p == '=')
			buf_puts(out, "=3D");
		else
			buf_putch(out, *p);
	}
}

int
saslauth_oauthbearer(struct buf *out, const char *user, const char *host, unsigned port,
    const char *token, struct fb_error *err)
{
	if (field_ok("user name", user, err) < 0 || field_ok("access token", token, err) < 0)
		return -1;
	if (host != NULL && *host != '\0' && field_ok("host name", host, err) < 0)
		return -1;
	buf_puts(out, "n,a=");
	put_gs2_name(out, user);
	buf_puts(out, ",\x01");
	if (host != NULL && *host != '\0')
		buf_putf(out, "host=%s\x01", host);
	if (port != 0)
		buf_putf(out, "port=%u\x01", port);
	buf_putf(out, "auth=Bearer %s\x01\x01", token);
	return buf_failed(out) ? fb_error_set(err, "out of memory") : 0;
}
