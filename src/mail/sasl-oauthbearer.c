/*
 * sasl-oauthbearer — libesmtp SASL plugin for OAUTHBEARER (RFC 7628, an OAuth 2.0 bearer
 * token), built as sasl-oauthbearer.so. See sasl-oauth.h for why a plugin.
 */
#include "sasl-oauth.h"

static const char *
oauthbearer_response(void *ctx, const char *challenge, int *len, auth_interact_t interact,
    void *arg)
{
	return sasl_oauth_response(SASL_OAUTH_OAUTHBEARER, ctx, challenge, len, interact, arg);
}

/* The one symbol libesmtp looks up; everything else in the object is hidden. */
__attribute__((visibility("default"))) extern const struct sasl_oauth_plugin_abi sasl_client;

const struct sasl_oauth_plugin_abi sasl_client = {
	.keyword = "OAUTHBEARER",
	.description = "OAUTHBEARER (RFC 7628), feedbackd",
	.init = sasl_oauth_init,
	.destroy = sasl_oauth_destroy,
	.response = oauthbearer_response,
	.flags = 0,
	.ssf = 0,
};
