/*
 * mailbox — how feedbackd reads incoming mail: one interface, one driver per file (after
 * mbsync's driver.h). The inbox loop never asks which kind it has.
 *
 * Drivers: "maildir" (src/mail/mailbox_maildir.c) and "imap" (src/mail/mailbox_imap.c, libetpan
 * with our own GnuTLS layer that verifies the server's certificate chain and host name).
 *
 * Order is important (STYLE.md): fetch_new() hands each message to the caller's callback; the
 * callback stores the raw message AND the new position (msg->uidvalidity, msg->uid) in ONE
 * database transaction and commits. Only after the commit does the caller call mark_done(id),
 * which moves the message out of the way (Maildir: new/ → cur/ with the S flag; IMAP: to
 * processed_folder, or sets \Seen). A crash between the two means the message is offered again
 * by a later fetch (Maildir) or skipped by position (IMAP); the caller dedupes by Message-ID and
 * hash, so nothing is lost and nothing is applied twice.
 *
 * Positions (IMAP): the caller passes the last (uidvalidity, uid) it stored; the driver fetches
 * UIDs above it. When the server's UIDVALIDITY differs from pos->uidvalidity (and that is not 0),
 * the old UIDs mean nothing: the driver sets pos->uidvalidity_changed and fetches everything.
 * The Maildir driver ignores positions (it reads what is still in new/, and in cur/ without the
 * S flag, because a client such as Dovecot moves new/ to cur/ when it looks at the mailbox).
 *
 * Results say what to do next (include/mailresult.h): MAIL_OK; MAIL_MESSAGE_BAD for one message
 * (an id this mailbox cannot mark or remove); MAIL_MAILBOX_BAD when the mailbox or the
 * connection is broken (IMAP: the session is closed, open() again later); MAIL_TEMPORARY for
 * out of memory; MAIL_STOPPED when the caller asked for a stop. Each comes with err.
 *
 * Ownership: settings are copied by open(); a mailbox_msg and its strings live only during the
 * callback; ids are copied by mark_done().
 */
#ifndef FB_MAILBOX_H
#define FB_MAILBOX_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "fberror.h"
#include "mailresult.h"
#include "oauth.h"

enum mailbox_kind { MAILBOX_MAILDIR, MAILBOX_IMAP };

struct mailbox_settings {
	enum mailbox_kind kind;
	const char *maildir;          /* maildir: path (created if missing) */
	const char *url;              /* imap: "imap://host:port" (143) or "imaps://host:port" (993) */
	int starttls_required;        /* imap://: 1 (default) STARTTLS before LOGIN or refuse */
	const char *username;
	const char *password;         /* imap: not needed (ignored) with oauth */
	struct oauth *oauth;          /* non-NULL: log in with an OAuth token from here (borrowed; it
	                                 outlives the driver) instead of the password */
	enum oauth_mech mech;         /* OAUTH_XOAUTH2 (default) or OAUTH_OAUTHBEARER */
	const char *ca_file;          /* PEM trust anchors; NULL: the system store */
	int verify;                   /* 1 (default): verify chain and host name */
	const char *folder;           /* NULL: "INBOX" */
	const char *processed_folder; /* NULL or "": only set \Seen */
	int idle;                     /* 1 (default): use IDLE when offered */
	int timeout;                  /* seconds per network step; 0: 60 */
	unsigned fetch_batch;         /* UIDs per UID FETCH; 0: 500 */
	int read_only;                /* 1: change nothing on the server (feedbackd --dry-run):
	                                 imap opens the folder with EXAMINE, so not even \Recent
	                                 is taken; callers do not mark_done() (maildir reads only
	                                 anyway) */
	size_t max_message_size;      /* larger messages: only their first MAILBOX_HEAD_MAX bytes
	                                 are read (msg->size tells the whole size); 0: no limit
	                                 but MAILBOX_MAX_MESSAGE */
};

/* Fill *s with the defaults named above (kind MAILBOX_IMAP). */
void mailbox_settings_init(struct mailbox_settings *s);

struct mailbox_position {
	uint32_t uidvalidity;       /* in: last stored (0: none yet); out: the server's */
	uint32_t uid;               /* in: last stored UID; out: the last UID handed to the callback */
	int uidvalidity_changed;    /* out: 1 when the server's UIDVALIDITY differs from the input */
};

struct mailbox_msg {
	const char *id;            /* maildir: unique file name (without ":2,…"); imap: "UIDVALIDITY:UID" */
	uint32_t uidvalidity;      /* imap; 0 for maildir */
	uint32_t uid;              /* imap; 0 for maildir */
	const char *data;          /* the raw message as stored (not NUL-terminated by contract) */
	size_t len;
	size_t size;               /* the whole message's size: > len when only its head was read
	                              (larger than max_message_size: the rest stays in the mailbox) */
	int chunk_end;             /* 1: the last message of what one server round trip brought
	                              (imap: one UID FETCH range), a place to commit; 0 otherwise */
};

/* Largest message a driver hands over whole; bigger ones are skipped with a warning in err-less log. */
#define MAILBOX_MAX_MESSAGE ((size_t)64 << 20)
/* How much of a message larger than max_message_size is read: its header and the start of its
 * body, enough to name it (From, Subject, Message-ID) and show what it is, at a bounded cost. */
#define MAILBOX_HEAD_MAX ((size_t)64 << 10)

/* The callback: MAIL_OK to go on; anything else (MAIL_STOPPED) stops fetching (nothing more is
 * delivered or marked). */
typedef enum mail_result (*mailbox_msg_cb)(void *ctx, const struct mailbox_msg *msg);

struct mailbox;  /* opaque, one per driver */

/* What a driver can do (struct mailbox_driver.flags): the caller reads these, and never asks
 * which driver it has. */
enum mailbox_caps {
	/* The mailbox is a local path, and name_of() names it "<driver name>:<path>": it can be
	 * reached again from that name alone, without the configuration or a password (a member's
	 * erase finds the mail an old configuration stored). */
	MAILBOX_LOCAL = 1 << 0,
	/* fetch_new() marks the last message of each fetched chunk (mailbox_msg.chunk_end): the
	 * caller commits a chunk as one transaction there, however long it is. */
	MAILBOX_CHUNKS = 1 << 1,
};

struct mailbox_driver {
	const char *name;
	enum mailbox_kind kind;     /* what mailbox_settings.kind says to choose this driver */
	unsigned flags;             /* enum mailbox_caps */
	/* Append to out the mailbox's name: the key of its saved position and the first word of
	 * the inbox's sources ("imaps://host:993/INBOX", "maildir:/path"). 0, or -1 out of
	 * memory. */
	int (*name_of)(const struct mailbox_settings *s, struct buf *out);
	/* Connect (IMAP: TLS, LOGIN or AUTHENTICATE with an OAuth token, SELECT of the folder) or
	 * prepare the Maildir. NULL with err on failure, saying which step failed: a login probe
	 * (`feedbackctl mail test`) is open() and close(). */
	struct mailbox *(*open)(const struct mailbox_settings *s, struct fb_error *err);
	/* Hand every new message to cb, oldest first. pos may be NULL (maildir); *count (count may
	 * be NULL) is set to the number of messages handed over. MAIL_OK; MAIL_STOPPED with err
	 * when cb stopped it; MAIL_MAILBOX_BAD with err on a driver error (IMAP: the session is
	 * closed, open() again to reconnect); MAIL_TEMPORARY with err out of memory. */
	enum mail_result (*fetch_new)(struct mailbox *mb, struct mailbox_position *pos,
	    mailbox_msg_cb cb, void *ctx, size_t *count, struct fb_error *err);
	/* The message with this id is safely stored: move or flag it. MAIL_OK; MAIL_MESSAGE_BAD
	 * with err for an id this mailbox cannot mark (malformed, another UIDVALIDITY, gone);
	 * MAIL_MAILBOX_BAD with err when the connection broke; MAIL_TEMPORARY out of memory. */
	enum mail_result (*mark_done)(struct mailbox *mb, const char *id, struct fb_error *err);
	/* Remove for good the message with this id (as fetch_new gave it; message_id is its
	 * Message-ID or NULL) wherever it is now: a member's erase wants no copy kept. Maildir:
	 * new/ or cur/ (whatever its flags); IMAP: processed_folder (found by Message-ID: the UID
	 * changed when it moved) and the folder (by Message-ID, or by UID when UIDVALIDITY still
	 * matches), flagged \Deleted and expunged (UID EXPUNGE with UIDPLUS, else EXPUNGE).
	 * MAIL_OK with *found 1 (removed) or 0 (not found: already gone); MAIL_MESSAGE_BAD with
	 * err for a malformed id; MAIL_MAILBOX_BAD (or MAIL_TEMPORARY) with err. */
	enum mail_result (*remove)(struct mailbox *mb, const char *id, const char *message_id,
	    int *found, struct fb_error *err);
	/* Wait up to timeout_ms for new mail (IMAP IDLE when offered, else sleep in short steps),
	 * returning early when *stop becomes non-zero. MAIL_OK with *arrived (arrived may be
	 * NULL) 1 when something may have arrived, 0 at the timeout; MAIL_STOPPED (*arrived 0)
	 * when *stop was set; MAIL_MAILBOX_BAD with err: the connection broke (open() again). */
	enum mail_result (*wait)(struct mailbox *mb, int timeout_ms, volatile sig_atomic_t *stop,
	    int *arrived, struct fb_error *err);
	/* Log out and free; NULL is fine. */
	void (*close)(struct mailbox *mb);
};

extern const struct mailbox_driver mailbox_maildir_driver;
extern const struct mailbox_driver mailbox_imap_driver;

/* The driver called name ("maildir", "imap"), or NULL. */
const struct mailbox_driver *mailbox_driver_find(const char *name);
const struct mailbox_driver *mailbox_driver_for(enum mailbox_kind kind);
/* The MAILBOX_LOCAL driver whose mailboxes are named like name (len bytes, "maildir:/path"),
 * with *path_at set to where the path starts in name; NULL when no local driver names it so. */
const struct mailbox_driver *mailbox_driver_local(const char *name, size_t len, size_t *path_at);

#endif
