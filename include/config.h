/*
 * config — read and validate feedbackd.conf, the daemon's INI file (libinih).
 *
 * One static table of keys in config.c drives everything: parsing, defaults, validation,
 * config_print() (for `feedbackd --check-config`), and the tests that keep
 * feedbackd.conf.example and feedbackd.conf(5) in step with the code. Adding a key is one row
 * in that table plus a field here.
 *
 * Errors are collected, not stopped at: config_load() reports every problem of a file at once,
 * one line each, as "FILE:LINE: message", where the message names the section, the key and
 * what would be accepted (the way `smtpd -n` checks a configuration).
 *
 * Relative paths in a file (and relative default paths) are resolved against the directory of
 * that file, so the daemon's working directory does not matter. The built-in defaults need no
 * servers: mail goes out to a Maildir, replies are read from a Maildir.
 *
 * Ownership: a struct config and every string in it belong to the config; free it with
 * config_free(). Strings are never NULL (an unset string is ""). Not thread-safe: loading
 * sets libinih's process-wide options for the duration of the call.
 */
#ifndef FB_CONFIG_H
#define FB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "fberror.h"
#include "log.h"

enum config_transport { CONFIG_TRANSPORT_MAILDIR, CONFIG_TRANSPORT_SMTP };
enum config_mailbox { CONFIG_MAILBOX_MAILDIR, CONFIG_MAILBOX_IMAP };
enum config_starttls { CONFIG_STARTTLS_REQUIRED, CONFIG_STARTTLS_NO };
enum config_language { CONFIG_LANGUAGE_NL, CONFIG_LANGUAGE_EN };
/* What a message must pass by the trusted Authentication-Results (authres.h). No "spf": SPF
 * speaks for the envelope sender, not the From a member sees, and feedbackd never sees the
 * SMTP session to check it itself. */
enum config_auth { CONFIG_AUTH_NONE, CONFIG_AUTH_DMARC, CONFIG_AUTH_DKIM };
/* How feedbackd logs in to an IMAP or SMTP server ([incoming]/[outgoing] auth). */
enum config_login { CONFIG_LOGIN_PASSWORD, CONFIG_LOGIN_OAUTH2 };
enum config_oauth_mech { CONFIG_OAUTH_XOAUTH2, CONFIG_OAUTH_OAUTHBEARER };
enum config_oauth_grant {
	CONFIG_OAUTH_CLIENT_CREDENTIALS, CONFIG_OAUTH_REFRESH_TOKEN, CONFIG_OAUTH_SERVICE_ACCOUNT
};

/* A server address from a url key: "smtps://mail.example.org:465". */
struct config_url {
	char *url;     /* as written, "" when unset */
	char *host;    /* "" when unset; IPv6 literals without brackets */
	int port;      /* 0 when unset; the scheme's IANA port when the url names none */
	bool tls;      /* implicit TLS (smtps, imaps); otherwise see starttls */
};

/* A moment in the week, local to the programme's time zone: "mon 09:00". */
struct config_weekly {
	int weekday;   /* 1 = Monday … 7 = Sunday (ISO 8601) */
	int minute;    /* minutes after midnight, 0..1439 */
};

/* A span of the day, "09:00-17:00": start < end, in minutes after midnight. */
struct config_hours {
	int start;
	int end;
};

#define CONFIG_DAYS_MAX 8
/* A list of day numbers in increasing order, "3,6"; n == 0 means none. */
struct config_days {
	int n;
	int day[CONFIG_DAYS_MAX];
};

struct config_feedbackd {
	char *database;
	enum log_level log_level;
	char *templates_dir;        /* "" = the built-in templates */
	char *questionnaires_dir;   /* "" = the built-in questionnaires */
	char *tips_dir;             /* "" = the built-in tips */
	char *domain;               /* right-hand side of our Message-IDs */
	char *from_address;
	char *from_name;
	char *reply_address;        /* the programme address; tokens go in its +part */
	char *coordinator_address;  /* ORGANIZER of invites */
	char *coordinator_name;     /* signs the mail to facilitators and teams without a named
	                             * facilitator; "" = none known (outmail.c) */
	int max_message_size;       /* bytes */
	char *lock_file;            /* "" = none */
};

/* The oauth_* keys, the same in [incoming] and [outgoing] (used with auth = oauth2). Which
 * apply depends on the grant; config_load() refuses the others. "" = unset. */
struct config_oauth {
	enum config_oauth_mech mechanism;
	enum config_oauth_grant grant;
	char *token_url;            /* "" = from tenant (Microsoft) or the key's token_uri */
	char *tenant;               /* Microsoft 365 tenant: id or domain */
	char *device_url;           /* "" = from tenant; for feedbackctl oauth login */
	char *client_id;
	char *secret_file;          /* the client secret; config_read_secret() */
	char *scope;
	char *token_file;           /* the refresh token, written by feedbackctl oauth login */
	char *key_file;             /* a service account's JSON key; config_read_secret() */
};

struct config_outgoing {
	enum config_transport transport;
	char *maildir;
	struct config_url url;
	enum config_starttls starttls;
	char *username;
	char *password_file;        /* read it with config_read_secret() */
	enum config_login auth;
	struct config_oauth oauth;
	char *ca_file;              /* "" = the system's trust store */
	bool verify;
	int timeout;                /* seconds */
	int batch_size;
	int sessions;
	int max_attempts;
	int backoff_initial;        /* seconds */
	int backoff_max;            /* seconds */
	int per_recipient_daily_cap;
	char *bounce_address;       /* envelope sender base: each message's is LOCAL+TOKEN@DOMAIN;
	                             * "" in the file = reply_address */
	int bounce_threshold;       /* bounce score at which an address is unreachable */
	int bounce_window;          /* seconds a counted bounce stays in the score */
};

struct config_incoming {
	enum config_mailbox mailbox;
	char *maildir;
	struct config_url url;
	enum config_starttls starttls;
	char *username;
	char *password_file;
	enum config_login auth;
	struct config_oauth oauth;
	char *ca_file;
	bool verify;
	char *folder;
	char *processed_folder;     /* "" = only flag \Seen */
	bool idle;
	int poll_interval;          /* seconds */
	int timeout;                /* seconds */
	int fetch_batch;
};

/* Defaults for new programmes; a programme may override each of them. */
struct config_program {
	char *timezone;             /* IANA name known to libical */
	enum config_language language;
	int weeks;
	struct config_weekly nudge_at;
	struct config_weekly weekly_report_at;
	struct config_days reminder_days;
	int questionnaire_close_days;
	int followup_weeks;
	struct config_hours office_hours;
	int reminders_per_day;
	int mail_budget;            /* automatic mails per member per local day (budget.h) */
	bool weekend_mail;
	int min_group_size;
	int retention_days;
};

struct config_lagging {
	int no_feedback_weeks;
	int request_by_week;
	int median_fraction;        /* percent of the team's median */
	bool questionnaire_after_reminder;
};

struct config_security {
	bool sender_must_match;
	enum config_auth require_auth;
	char *trusted_authserv_id;  /* host names separated by ", "; "" when none */
	int answers_per_sender_per_hour;
};

struct config_report {
	int rating_samples;
};

struct config {
	char *path;                 /* the file it came from; "" for config_default() */
	int *key_line;              /* per key of the table, the line of the file that set it, 0
	                             * where the default holds; NULL for config_default() */
	struct config_feedbackd feedbackd;
	struct config_outgoing outgoing;
	struct config_incoming incoming;
	struct config_program program;
	struct config_lagging lagging;
	struct config_security security;
	struct config_report report;
};

/*
 * Read and check the file at path. Returns the configuration (caller frees with config_free()),
 * or NULL with err->msg holding every error, one "FILE:LINE: message" per line; when they do
 * not all fit, the message ends with how many were left out (config_load_report() has them
 * all). A missing or unreadable file is an error naming the path and the reason.
 */
struct config *config_load(const char *path, struct fb_error *err);

/*
 * As config_load(), but every error line (each ending in "\n") is appended to errors, however
 * many there are: for `feedbackd --check-config`. errors is untouched on success. The lines
 * are appended with buf_put*(): check buf_failed(errors) before showing them (buf.h).
 */
struct config *config_load_report(const char *path, struct buf *errors);

/* The built-in defaults, relative paths left relative. Caller frees with config_free();
 * NULL only when memory runs out. */
struct config *config_default(void);

/* Free a configuration and its strings; NULL is fine. */
void config_free(struct config *cfg);

/*
 * Append the effective configuration to out as an INI file that config_load() reads back to
 * the same values: every section and key in table order, secrets shown as "********".
 * Returns 0, or -1 when memory runs out.
 */
int config_print(const struct config *cfg, struct buf *out);

/*
 * Read a secret file (a password, an OAuth client secret or key) into out (appended), without
 * its one trailing newline. Refused when the file is not a regular file, is readable or
 * writable by group or others (the error names the mode and the chmod to run), is empty, is larger than 4 KiB or holds a NUL byte. The
 * checks are made on the opened file (fstat), so the file checked is the file read.
 * Returns 0, or -1 with err filled; out is unchanged on error.
 */
int config_read_secret(const char *path, struct buf *out, struct fb_error *err);
/*
 * Read every secret file the configuration names with config_read_secret(), as the daemon
 * will, and forget what was read: so `--check-config` refuses what the daemon would refuse
 * (a 0644 file, an empty one) instead of saying OK. 0, or -1 with err naming the file.
 */
int config_check_secrets(const struct config *cfg, struct fb_error *err);

/*
 * Placeholders: the built-in defaults and the examples send from addresses nobody receives
 * (feedback@feedbackd.invalid, example.org). With [outgoing] transport = smtp such a value
 * is an error of config_load() for every key mail carries (domain, from_address and the
 * reply, coordinator and bounce addresses): nothing could be answered, so nothing may be
 * queued. On Maildirs (the embedded default, a demo) they are allowed, and
 * config_placeholders() lists them for `feedbackd --check-config` to warn about.
 */
/* 1 when domain is nobody's mail domain: the .invalid, .example, .localhost, .local and
 * .localdomain names, example.com/.net/.org and their subdomains, localhost and names without
 * a dot. (.test is not: RFC 6761 keeps it for tests, which use it on purpose.) */
int config_placeholder_domain(const char *domain);
/* Append one line (ending in "\n") per placeholder key of cfg to out, each naming the key
 * and where it was set ("FILE:LINE: ") or that it was not set. Returns how many, or -1 when
 * memory runs out. */
int config_placeholders(const struct config *cfg, struct buf *out);

/* One key of the table, for documentation checks and help output. Strings are static. */
struct config_keyinfo {
	const char *section;
	const char *name;
	const char *default_value;  /* in the file's syntax; "" when empty */
	const char *help;           /* one line */
	bool secret;
};

/* Number of keys in the table. */
size_t config_key_count(void);

/* Describe key i (0 <= i < config_key_count()) in *out; -1 when i is out of range. */
int config_key_info(size_t i, struct config_keyinfo *out);

/* Append to out the sentence saying which values key [section] name accepts
 * ("accepted values are yes, no"); -1 for an unknown key or when memory runs out. */
int config_key_accepted(const char *section, const char *name, struct buf *out);

#endif
