/*
 * sasl-oauth — what the two libesmtp SASL plugins of feedbackd (sasl-xoauth2.so,
 * sasl-oauthbearer.so) share. Not part of libfeedbackd: the Makefile builds each plugin as a
 * shared object from its own file plus sasl-oauth.c, saslauth.c, buf.c and fberror.c, and
 * installs it beside libesmtp's own plugins (ESMTP_PLUGINDIR).
 *
 * Why plugins: libesmtp 1.1 finds a SASL mechanism only by dlopen()ing
 * <its plugin dir>/sasl-<name>.so (the directory is an absolute path compiled into the
 * library) and reading the symbol "sasl_client". Its API has no call that registers a
 * mechanism from the program itself: the list of mechanisms is private to auth-client.c, and
 * the only built-in one is EXTERNAL (auth_set_external_id). So XOAUTH2 and OAUTHBEARER can
 * only be given to it as plugin files.
 *
 * The plugin learns the user, the token (and, for OAUTHBEARER, the host and port) through
 * libesmtp's interact callback, which the transport answers (src/mail/transport_smtp.c): the
 * fields are asked by the names below, so the transport can tell a token request from a
 * password request and never hands a password to these mechanisms, nor a token to PLAIN.
 */
#ifndef FB_SASL_OAUTH_H
#define FB_SASL_OAUTH_H

#include <stdio.h>  /* auth-client.h needs nothing but is included after the libc headers */
#include <auth-client.h>

/*
 * The plugin ABI: libesmtp reads this struct from the plugin's exported symbol "sasl_client".
 * Debian's libesmtp-dev does not install the header that declares it (auth-plugin.h), so it is
 * declared here from libESMTP 1.1's documented plugin layout (auth-plugin.h in the libESMTP
 * source, "Client side SASL plugins"): the field order and types must stay exactly these. Our
 * field names are our own. init() receives the address of the context pointer to fill.
 */
struct sasl_oauth_plugin_abi {
	const char *keyword;                       /* mechanism name, as in EHLO's AUTH line */
	const char *description;
	int (*init)(void *ctxp);                   /* *(void **)ctxp = new context; 1 ok, 0 fail */
	void (*destroy)(void *ctx);
	auth_response_t response;                  /* next response to a challenge */
	int flags;                                 /* AUTH_PLUGIN_* (auth-client.h) */
	int ssf;                                   /* security layer strength; 0: none */
	auth_recode_t encode;                      /* security layer: none */
	auth_recode_t decode;
};

/* The interact field names the transport answers (transport_smtp.c). */
#define SASL_OAUTH_FIELD_USER  "oauth-user"
#define SASL_OAUTH_FIELD_HOST  "oauth-host"
#define SASL_OAUTH_FIELD_PORT  "oauth-port"
/* The token's field names the mechanism, so the transport gives a token only to the one
 * configured (a server may offer both, and libesmtp tries them in the server's order). */
#define SASL_OAUTH_FIELD_TOKEN_XOAUTH2     "oauth-token-xoauth2"
#define SASL_OAUTH_FIELD_TOKEN_OAUTHBEARER "oauth-token-oauthbearer"

enum sasl_oauth_kind { SASL_OAUTH_XOAUTH2, SASL_OAUTH_OAUTHBEARER };

int sasl_oauth_init(void *ctxp);
void sasl_oauth_destroy(void *ctx);
const char *sasl_oauth_response(enum sasl_oauth_kind kind, void *ctx, const char *challenge,
    int *len, auth_interact_t interact, void *arg);

#endif
