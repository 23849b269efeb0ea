/*
 * sasl-oauth — the response logic of the XOAUTH2 and OAUTHBEARER plugins for libesmtp (see
 * sasl-oauth.h for why plugins). The bytes themselves come from saslauth (include/saslauth.h),
 * the same code the IMAP driver uses; libesmtp base64-encodes what we return.
 *
 * The exchange, for both mechanisms: the first call (challenge NULL) returns the whole initial
 * response, which libesmtp sends on the AUTH line. A server that refuses the token answers
 * with a 334 challenge carrying a JSON error (RFC 7628 section 3.2.2; Google does the same for
 * XOAUTH2); the client must then answer something before the server sends its final 535:
 * OAUTHBEARER a single %x01 byte (RFC 7628 section 3.1), XOAUTH2 an empty line. When the
 * transport declines to give a token (this is not the configured mechanism), the plugin
 * returns NULL: libesmtp sends AUTH without an initial response, then "*" to the server's
 * 334, and tries the server's next mechanism.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fberror.h"
#include "saslauth.h"
#include "sasl-oauth.h"
#include "banned.h"

enum { STATE_FRESH, STATE_SENT, STATE_DONE };

struct sasl_oauth_ctx {
	int state;
	struct buf response;  /* valid until the next call: libesmtp reads it after we return */
};

static void
wipe(struct buf *b)
{
	if (b->alloc > 0)
		explicit_bzero(b->data, b->alloc);
	buf_release(b);
}

int
sasl_oauth_init(void *ctxp)
{
	struct sasl_oauth_ctx *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return 0;
	buf_init(&c->response);
	*(void **)ctxp = c;
	return 1;
}

void
sasl_oauth_destroy(void *ctx)
{
	struct sasl_oauth_ctx *c = ctx;

	if (c == NULL)
		return;
	wipe(&c->response);
	free(c);
}

/* The initial response, from what the transport tells through interact. */
static const char *
initial(enum sasl_oauth_kind kind, struct sasl_oauth_ctx *c, int *len, auth_interact_t interact,
    void *arg)
{
	const struct auth_client_request xo[] = {
		{ SASL_OAUTH_FIELD_USER, AUTH_USER | AUTH_CLEARTEXT, "User name", 0 },
		{ SASL_OAUTH_FIELD_TOKEN_XOAUTH2, AUTH_CLEARTEXT, "OAuth 2.0 access token", 0 },
	};
	const struct auth_client_request ob[] = {
		{ SASL_OAUTH_FIELD_USER, AUTH_USER | AUTH_CLEARTEXT, "User name", 0 },
		{ SASL_OAUTH_FIELD_TOKEN_OAUTHBEARER, AUTH_CLEARTEXT, "OAuth 2.0 access token", 0 },
		{ SASL_OAUTH_FIELD_HOST, 0, "Server host name", 0 },
		{ SASL_OAUTH_FIELD_PORT, 0, "Server port", 0 },
	};
	char *res[4] = { NULL, NULL, NULL, NULL };
	struct fb_error err;
	int rc;

	c->state = STATE_DONE;
	if (interact == NULL)
		return NULL;
	if (kind == SASL_OAUTH_XOAUTH2) {
		if (!interact(xo, res, 2, arg) || res[0] == NULL || res[1] == NULL)
			return NULL;
		rc = saslauth_xoauth2(&c->response, res[0], res[1], &err);
	} else {
		unsigned long port = 0;
		char *end = NULL;

		if (!interact(ob, res, 4, arg) || res[0] == NULL || res[1] == NULL)
			return NULL;
		if (res[3] != NULL && *res[3] != '\0') {
			port = strtoul(res[3], &end, 10);
			if (*end != '\0' || port > 65535)
				port = 0;
		}
		rc = saslauth_oauthbearer(&c->response, res[0], res[2], (unsigned)port, res[1], &err);
	}
	if (rc < 0 || buf_failed(&c->response) || c->response.len > 1000000)
		return NULL;
	c->state = STATE_SENT;
	*len = (int)c->response.len;
	return c->response.data;
}

const char *
sasl_oauth_response(enum sasl_oauth_kind kind, void *ctx, const char *challenge, int *len,
    auth_interact_t interact, void *arg)
{
	struct sasl_oauth_ctx *c = ctx;

	*len = 0;
	if (c == NULL)
		return NULL;
	if (c->state == STATE_FRESH && challenge == NULL)
		return initial(kind, c, len, interact, arg);
	if (c->state == STATE_SENT) {
		/* An error challenge after our response: answer so that the server sends its final
		 * reply (and the token is not kept a moment longer than needed). */
		c->state = STATE_DONE;
		wipe(&c->response);
		if (kind == SASL_OAUTH_OAUTHBEARER) {
			*len = 1;
			return "\x01";
		}
		return "";
	}
	return NULL;
}
