/*
 * transport — how feedbackd hands outgoing mail to the world: one interface, one driver per file
 * (after mbsync's driver.h). The outbox never asks which kind it has:
 *
 *	const struct transport_driver *drv = transport_driver_find(settings.kind_name);
 *	struct transport *t = drv->open(&settings, &err);
 *	drv->send(t, msgs, n, &err);     // one session for the whole batch
 *	drv->close(t);
 *
 * Drivers: "maildir" (src/mail/transport_maildir.c: each message becomes a file in a Maildir's
 * new/, written tmp → fsync → rename → fsync(dir)) and "smtp" (src/mail/transport_smtp.c:
 * libesmtp with STARTTLS, AUTH and certificate verification on by default).
 *
 * Results say what to do next (STYLE.md, include/mailresult.h): after send() every message has
 * a status:
 *	MAIL_OK           the server (or the Maildir) has taken responsibility for the message;
 *	MAIL_TEMPORARY    not delivered, try again later (4xx, connection trouble, timeout, TLS or
 *	                  AUTH problems that a configuration fix or a later attempt may cure);
 *	MAIL_MESSAGE_BAD  not delivered, do not retry (5xx for every recipient).
 * and a human-readable detail (the server's reply, or what went wrong) in msg->detail. Drivers
 * build the detail with buf_put*(): the status holds even when memory ran out, so whoever
 * shows or records the detail checks buf_failed(&msg->detail) first (buf.h).
 * A message with several recipients is OK when at least one recipient was accepted and the data
 * was taken; rejected recipients are named in detail. Tools print the statuses with
 * mail_result_name(): "ok", "tempfail", "permfail".
 *
 * SIGPIPE: libesmtp writes to its socket with write(), so a server that closes the connection
 * mid-session raises SIGPIPE. A program using the smtp driver must ignore SIGPIPE (the daemon
 * and mailtool do); the error then comes back as a TEMPFAIL.
 *
 * OAuth (settings->oauth): AUTH XOAUTH2 or OAUTHBEARER with a token from oauth_token(), through
 * libesmtp plugins of our own (src/mail/sasl-oauth.h says why). A refused token is dropped
 * with oauth_refused() and the session is tried once more with a fresh one; a second refusal
 * is MAIL_TEMPORARY with a detail naming server, mechanism, user and reply (never the token).
 *
 * Ownership: settings and the strings they point to are copied by open() (but settings->oauth
 * is borrowed); messages are only
 * read during send(); msg->detail belongs to the caller (release with buf_release()).
 */
#ifndef FB_TRANSPORT_H
#define FB_TRANSPORT_H

#include <stddef.h>

#include "buf.h"
#include "fberror.h"
#include "mailresult.h"
#include "oauth.h"

enum transport_kind { TRANSPORT_MAILDIR, TRANSPORT_SMTP };

struct transport_settings {
	enum transport_kind kind;
	const char *maildir;        /* maildir: the Maildir (created with tmp/ new/ cur/ if missing) */
	const char *url;            /* smtp: "smtp://host:port" (port default 25; smtps:// is
	                               refused: libesmtp 1.1 cannot do implicit TLS, use
	                               smtp://host:587 with STARTTLS) */
	int starttls_required;      /* smtp: 1 (default) refuses to send without STARTTLS */
	const char *username;       /* smtp: AUTH user, NULL or "" for no AUTH */
	const char *password;       /* smtp: the password itself (the caller read password_file) */
	const char *ca_file;        /* smtp: PEM trust anchors; NULL: the system store */
	int verify;                 /* smtp: 1 (default) verify chain and host name */
	int timeout;                /* smtp: seconds per network step; 0: 60 */
	const char *helo;           /* smtp: EHLO name; NULL: the host name */
	struct oauth *oauth;        /* smtp: non-NULL: AUTH with an OAuth token from here (borrowed;
	                               it outlives the driver) instead of the password; needs
	                               username, and the plugins of `make install-esmtp-plugins` */
	enum oauth_mech mech;       /* smtp: OAUTH_XOAUTH2 (default) or OAUTH_OAUTHBEARER */
};

/* Fill *s with the defaults named above (kind TRANSPORT_SMTP, starttls required, verify on). */
void transport_settings_init(struct transport_settings *s);

struct transport_msg {
	const char *sender;            /* envelope sender (MAIL FROM); "" for a null sender */
	const char *const *rcpts;      /* envelope recipients */
	size_t nrcpts;
	const char *data;              /* a complete RFC 5322 message, LF or CRLF line ends */
	size_t len;
	/* results, set by send(): */
	enum mail_result status;       /* MAIL_OK, MAIL_TEMPORARY or MAIL_MESSAGE_BAD */
	struct buf detail;             /* initialise with BUF_INIT; caller releases */
	/*
	 * Optional (NULL: none). Called by send() as soon as the server has accepted this message
	 * (status MAIL_OK), before the session goes on to the next one, in the thread that
	 * runs send(). The caller can record the delivery at once, so a crash later in the same
	 * session resends only the message in hand, not every message the server already took.
	 */
	void (*on_accepted)(struct transport_msg *m, void *arg);
	void *on_accepted_arg;
	/*
	 * Optional (NULL: data and len hold the message from the start). Called by send(), in its
	 * thread, when the message's data is about to be transferred: sets data and len, 0, or -1
	 * when it cannot (the session is then ended before the data is complete, so nothing
	 * partial is delivered: this message and the ones after it are MAIL_TEMPORARY). unload()
	 * (may be NULL) follows as soon as the driver no longer needs data, before the next
	 * message is loaded: a session holds one message in memory, not all of them.
	 */
	int (*load)(struct transport_msg *m, void *arg);
	void (*unload)(struct transport_msg *m, void *arg);
	void *load_arg;
};

struct transport;  /* opaque, one per driver */

/* What a driver can do (struct transport_driver.flags): the caller reads these, and never asks
 * which driver it has. */
enum transport_caps {
	/* send() may run in several threads at once, each on a transport of its own (smtp:
	 * libesmtp is thread-safe with one session per thread; maildir is not). Without it the
	 * queue runner uses one session, whatever outgoing.sessions says. */
	TRANSPORT_PARALLEL = 1 << 0,
};

struct transport_driver {
	const char *name;
	unsigned flags;             /* enum transport_caps */
	/* Check the settings and prepare (no network yet for smtp). NULL with err on failure.
	 * Free with close(). */
	struct transport *(*open)(const struct transport_settings *s, struct fb_error *err);
	/* Try to deliver n messages, over one session for smtp, and set each one's status and
	 * detail. MAIL_OK when every message was attempted (look at each status); MAIL_TEMPORARY
	 * with err when nothing could be attempted (then every message is MAIL_TEMPORARY with err
	 * as detail). */
	enum mail_result (*send)(struct transport *t, struct transport_msg *msgs, size_t n,
	    struct fb_error *err);
	/* Free everything; NULL is fine. */
	void (*close)(struct transport *t);
	/* Log in without sending anything (feedbackctl mail test): smtp connects, says EHLO, does
	 * STARTTLS and AUTH as configured, and ends the session before MAIL FROM; maildir checks
	 * that the Maildir exists and is writable. 0 with a one-line account of what worked in
	 * *done, or -1 with err naming the step that failed (DNS, connect, TLS, AUTH with the
	 * server's reply, the token endpoint). */
	int (*check)(struct transport *t, struct buf *done, struct fb_error *err);
};

extern const struct transport_driver transport_maildir_driver;
extern const struct transport_driver transport_smtp_driver;

/* The driver called name ("maildir", "smtp"), or NULL. */
const struct transport_driver *transport_driver_find(const char *name);
/* The driver for settings->kind (never NULL for a valid kind). */
const struct transport_driver *transport_driver_for(enum transport_kind kind);

#endif
