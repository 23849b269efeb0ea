/*
 * mailauth — how feedbackd logs in to its IMAP and SMTP servers, built from the configuration
 * in one place for the daemon and feedbackctl: the password (password_file) or, with auth =
 * oauth2, the OAuth 2.0 token source (include/oauth.h) from the oauth_ keys, with its secret
 * files read by config_read_secret() (the same permission rules as password_file).
 *
 * The drivers get the result in their settings: password, or oauth + mech (include/mailbox.h,
 * include/transport.h). The struct oauth is owned here and outlives the drivers that borrow it.
 *
 * Microsoft 365's endpoints follow from oauth_tenant when oauth_token_url / oauth_device_url
 * are empty: https://login.microsoftonline.com/TENANT/oauth2/v2.0/token and .../devicecode.
 */
#ifndef FB_MAILAUTH_H
#define FB_MAILAUTH_H

#include <time.h>

#include "buf.h"
#include "config.h"
#include "fberror.h"
#include "mailbox.h"
#include "oauth.h"
#include "transport.h"

enum mailauth_side { MAILAUTH_INCOMING, MAILAUTH_OUTGOING };

/* One section's login keys, as the configuration has them (borrowed from the config). */
struct mailauth_section {
	const char *name;                 /* "incoming" or "outgoing" */
	int remote;                       /* mailbox = imap / transport = smtp */
	enum config_login auth;
	const struct config_oauth *oauth;
	const char *username;
	const char *password_file;
	const char *ca_file;              /* "" = the system's */
	int verify;
	int timeout;
};

void mailauth_section(const struct config *cfg, enum mailauth_side side,
    struct mailauth_section *out);

struct mailauth {
	struct buf password;   /* auth = password: the password file's contents ("" without one) */
	struct oauth *oauth;   /* auth = oauth2 on a remote server: the token source; else NULL */
	enum oauth_mech mech;
};

#define MAILAUTH_INIT { BUF_INIT, NULL, OAUTH_XOAUTH2 }

/*
 * Fill *a for one side of cfg (a is overwritten: release it first, or start from
 * MAILAUTH_INIT). clock is the wall clock from main, for token lifetimes. 0, or -1 with err
 * naming the section and what failed; *a is untouched on failure. Nothing is fetched yet.
 */
int mailauth_load(struct mailauth *a, const struct config *cfg, enum mailauth_side side,
    time_t (*clock)(void *arg), void *clock_arg, struct fb_error *err);

/* Forget the password (wiped) and free the token source; a is MAILAUTH_INIT afterwards. */
void mailauth_release(struct mailauth *a);

/*
 * The drivers' settings for the configured mailbox and transport, with the login of a loaded
 * mailauth: the one translation of [incoming] and [outgoing] for the daemon, `feedbackctl mail
 * test` and `member erase`. The settings borrow strings of cfg and a, which must outlive them.
 */
void mailauth_mailbox_settings(const struct config *cfg, const struct mailauth *a,
    struct mailbox_settings *ms);
void mailauth_transport_settings(const struct config *cfg, const struct mailauth *a,
    struct transport_settings *ts);

/* The token endpoint and the device authorization endpoint of a section's oauth_ keys,
 * appended to out: the key's value, or Microsoft's for oauth_tenant; nothing when neither is
 * set. 0, or -1 when memory runs out. */
int mailauth_token_url(const struct config_oauth *o, struct buf *out);
int mailauth_device_url(const struct config_oauth *o, struct buf *out);

#endif
