/*
 * oauth — OAuth 2.0 access tokens for logging in to IMAP and SMTP without a password (RFC 6749
 * grants; the token goes into SASL XOAUTH2 or OAUTHBEARER, include/saslauth.h). The token
 * endpoint is spoken to with libcurl over HTTPS (certificate and host name verified, the same
 * ca_file/verify rules as the mail servers).
 *
 * Grants (what an organisation's mail administrator can give a daemon):
 *	OAUTH_CLIENT_CREDENTIALS  Microsoft 365 app-only access: client id + client secret (a file),
 *	                          scope "https://outlook.office365.com/.default".
 *	OAUTH_REFRESH_TOKEN       a refresh token that `feedbackctl oauth login` obtained once with
 *	                          the device-code flow (RFC 8628) and stored in token_file (mode
 *	                          0600); a rotated refresh token is written back to the same file
 *	                          (tmp, fsync, rename) before the new access token is used.
 *	OAUTH_SERVICE_ACCOUNT     Google Workspace: a service account's JSON key (key_file) with
 *	                          domain-wide delegation, acting for `subject` (the mailbox): a
 *	                          JWT bearer assertion (RFC 7523) signed RS256.
 *
 * Tokens are cached in memory and fetched again when less than a margin of their lifetime is
 * left (oauth_token) or when a server refused the one in hand (oauth_refused). Secrets (client
 * secret, refresh token, key, access token) are never logged and never appear in an error
 * message; an error names the endpoint, the HTTP status and the endpoint's `error` and
 * `error_description` (RFC 6749 section 5.2), and says what to do ("run feedbackctl oauth login
 * again" for invalid_grant on a refresh token).
 *
 * Time is an input: settings->clock is the shell's wall clock (src/daemon, src/cli main).
 *
 * Threads: oauth_token() and oauth_refused() may be called from several SMTP sessions at once;
 * the struct serialises them (one fetch at a time; the others wait for its result).
 *
 * Ownership: settings and their strings are copied by oauth_new(); tokens are copied into the
 * caller's buf.
 */
#ifndef FB_OAUTH_H
#define FB_OAUTH_H

#include <time.h>

#include "buf.h"
#include "fberror.h"

enum oauth_grant { OAUTH_CLIENT_CREDENTIALS, OAUTH_REFRESH_TOKEN, OAUTH_SERVICE_ACCOUNT };

/* Which SASL mechanism a driver logs in with when it has a struct oauth. */
enum oauth_mech { OAUTH_XOAUTH2, OAUTH_OAUTHBEARER };

struct oauth_settings {
	enum oauth_grant grant;
	const char *token_url;        /* the token endpoint (https://; http:// only to 127.0.0.1
	                                 or ::1, for tests) */
	const char *client_id;
	const char *client_secret;    /* the secret itself (the shell read secret_file); NULL for a
	                                 public client (refresh token grant) */
	const char *scope;            /* space-separated; NULL: none sent */
	const char *token_file;       /* OAUTH_REFRESH_TOKEN: the refresh token's file */
	const char *key_json;         /* OAUTH_SERVICE_ACCOUNT: the key file's contents */
	const char *subject;          /* OAUTH_SERVICE_ACCOUNT: the mailbox acted for */
	const char *ca_file;          /* PEM trust anchors; NULL: the system store */
	int verify;                   /* 1: verify the endpoint's certificate and host name */
	int timeout;                  /* seconds for one request; 0: 30 */
	time_t (*clock)(void *arg);   /* the wall clock, from main */
	void *clock_arg;
};

/* A token source, or NULL with err (a setting missing or malformed; nothing is fetched yet). */
struct oauth *oauth_new(const struct oauth_settings *s, struct fb_error *err);

/* Copy a valid access token into *out (appended; out untouched on failure). Fetches one when
 * none is cached or the cached one is about to expire. 0, or -1 with err. */
int oauth_token(struct oauth *o, struct buf *out, struct fb_error *err);

/* The server refused the token in hand (authentication failed): forget it, so that the next
 * oauth_token() fetches a new one. The drivers call this and retry the login once. */
void oauth_refused(struct oauth *o);

/* After a successful oauth_token(): when the token in hand expires (on settings->clock) and
 * the scope the endpoint granted (its "scope", else the one asked for; appended to *scope).
 * For `feedbackctl oauth token`, which shows them and never the token. 0, or -1 with err when
 * no token is in hand. */
int oauth_describe(struct oauth *o, time_t *expires, struct buf *scope, struct fb_error *err);

/* The device authorization grant (RFC 8628), which `feedbackctl oauth login` runs once to get
 * the refresh token of OAUTH_REFRESH_TOKEN: start at device_url, show verification_uri and
 * user_code to the person, then poll every `interval` seconds until it returns 0.
 * Ownership: the strings are malloc'd, freed by oauth_device_release(). */
struct oauth_device {
	char *device_code;            /* secret: never shown */
	char *user_code;
	char *verification_uri;       /* Microsoft's verification_uri or Google's verification_url */
	char *message;                /* the endpoint's own instructions, or NULL */
	int interval;                 /* seconds between polls (5 when the endpoint names none) */
	time_t expires;               /* on settings->clock: give up after this */
};

int oauth_device_start(struct oauth *o, const char *device_url, struct oauth_device *dev,
    struct fb_error *err);
/* One poll. 1: not yet (authorization_pending, or slow_down, which raised dev->interval by 5
 * seconds): wait dev->interval seconds and poll again. 0: signed in; the refresh token is in
 * token_file (written atomically, mode 0600) and the access token is cached. -1 with err:
 * denied, expired, or the endpoint failed. */
int oauth_device_poll(struct oauth *o, struct oauth_device *dev, struct fb_error *err);
void oauth_device_release(struct oauth_device *dev);

/* "client_credentials", "refresh_token", "service_account": the configuration's words. */
const char *oauth_grant_name(enum oauth_grant g);
/* The token endpoint in use (token_url, or the service account key's token_uri). */
const char *oauth_endpoint(const struct oauth *o);

void oauth_free(struct oauth *o);

#endif
