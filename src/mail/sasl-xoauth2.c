/*
 * sasl-xoauth2 — libesmtp SASL plugin for XOAUTH2 (Google's and Microsoft's mechanism for an
 * OAuth 2.0 bearer token), built as sasl-xoauth2.so. See sasl-oauth.h for why a plugin.
 */
#include "sasl-oauth.h"

static const char *
xoauth2_response(void *ctx, const char *challenge, int *len, auth_interact_t interact, void *arg)
{
	return sasl_oauth_response(SASL_OAUTH_XOAUTH2, ctx, challenge, len, interact, arg);
}

/* The one symbol libesmtp looks up; everything else in the object is hidden. */
__attribute__((visibility("default"))) extern const struct sasl_oauth_plugin_abi sasl_client;

const struct sasl_oauth_plugin_abi sasl_client = {
	.keyword = "XOAUTH2",
	.description = "XOAUTH2 (OAuth 2.0 bearer token), feedbackd",
	.init = sasl_oauth_init,
	.destroy = sasl_oauth_destroy,
	.response = xoauth2_response,
	/* Not AUTH_PLUGIN_PLAIN: that flag is how the transport allows PLAIN and LOGIN for a
	 * password, and a token is never given to them. */
	.flags = 0,
	.ssf = 0,
};
