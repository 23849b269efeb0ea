/*
 * config — feedbackd.conf: one table of keys, read with libinih, every error at once.
 *
 * The table `keys` below is the single source of truth: each row names a section and key, its
 * type and accepted range, its default (written as it would be in the file, and parsed by the
 * same code as the file, so a default can never be invalid unnoticed), where the value lives in
 * struct config, a one-line help text and whether it is secret. Parsing, defaults, validation,
 * config_print() and the documentation tests all walk this table.
 *
 * Line numbers. Debian's libinih is built without INI_HANDLER_LINENO, so the handler is not
 * told the line. We feed inih through ini_parse_stream() with our own reader, which hands it
 * one line of the file per call and therefore knows which line inih is working on. After each
 * line of the file the reader hands inih one extra "probe" line, a key the file cannot contain
 * (the reader refuses control characters in the file): when inih passes the probe to the
 * handler, its section tells us whether the line just read opened a new section, so an unknown
 * section is reported at its own line, even when it holds no keys. INI syntax itself is never
 * parsed here.
 *
 * inih reports only the first syntax error of a file. To report them all, a file with syntax
 * errors is read again with the offending lines handed over empty, a bounded number of times;
 * the errors of the last pass and the syntax errors found are reported together, by line.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>
#include <libical/ical.h>

#include "config.h"
#include "banned.h"

#define CONFIG_FILE_MAX   (1024 * 1024)  /* a larger config file is a mistake */
#define CONFIG_ERRORS_MAX 100            /* errors kept per file; the rest are counted */
#define CONFIG_PASSES_MAX 25             /* syntax errors found, at most */
#define SECRET_FILE_MAX   4096
#define PROBE_LINE        "\001=\n"
#define PROBE_NAME        "\001"
#define MASK              "********"

enum ktype {
	KT_STRING,    /* one line of text */
	KT_PATH,      /* a path, relative ones resolved against the file's directory */
	KT_BOOL,      /* yes | no */
	KT_INT,       /* whole number in [min, max] */
	KT_DURATION,  /* 90s 15m 3h 14d, seconds in [min, max] */
	KT_ENUM,      /* one of values[], stored as its index */
	KT_HOURS,     /* HH:MM-HH:MM */
	KT_WEEKLY,    /* mon 09:00 */
	KT_DAYS,      /* 3,6: day numbers in [min, max], increasing */
	KT_EMAIL,     /* local@domain */
	KT_URL,       /* values[0]://host:port (plain, port min) or values[1]:// (TLS, port max) */
	KT_HOST,      /* a domain name */
	KT_HOSTS,     /* domain names separated by commas, kept as "a, b" */
	KT_TIMEZONE,  /* an IANA zone libical knows */
};

#define KF_SECRET 1u  /* never printed */
#define KF_EMPTY  2u  /* may be empty */

struct key {
	const char *section;
	const char *name;
	enum ktype type;
	const char *def;
	size_t off;
	long long min, max;
	const char *const *values;
	unsigned flags;
	const char *help;
};

static const char *const V_LOG[] = { "error", "warning", "info", "debug", NULL };
static const char *const V_TRANSPORT[] = { "maildir", "smtp", NULL };
static const char *const V_MAILBOX[] = { "maildir", "imap", NULL };
static const char *const V_STARTTLS[] = { "required", "no", NULL };
static const char *const V_LANGUAGE[] = { "nl", "en", NULL };
static const char *const V_AUTH[] = { "none", "dmarc", "dkim", NULL };
static const char *const V_SMTP_URL[] = { "smtp", "smtps", NULL };
static const char *const V_IMAP_URL[] = { "imap", "imaps", NULL };
static const char *const V_LOGIN[] = { "password", "oauth2", NULL };
static const char *const V_OAUTH_MECH[] = { "xoauth2", "oauthbearer", NULL };
static const char *const V_OAUTH_GRANT[] = { "client_credentials", "refresh_token",
	"service_account", NULL };
static const char *const WEEKDAYS[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL };

#define OFF(field) offsetof(struct config, field)
#define K(sec, name, type, def, field, min, max, values, flags, help) \
	{ sec, name, type, def, OFF(field), min, max, values, flags, help }
#define KSTR(sec, name, def, field, flags, help) \
	K(sec, name, KT_STRING, def, field, 0, 0, NULL, flags, help)
#define KPATH(sec, name, def, field, flags, help) \
	K(sec, name, KT_PATH, def, field, 0, 0, NULL, flags, help)
#define KBOOL(sec, name, def, field, help) \
	K(sec, name, KT_BOOL, def, field, 0, 0, NULL, 0, help)
#define KINT(sec, name, def, field, min, max, help) \
	K(sec, name, KT_INT, def, field, min, max, NULL, 0, help)
#define KDUR(sec, name, def, field, min, max, help) \
	K(sec, name, KT_DURATION, def, field, min, max, NULL, 0, help)
#define KENUM(sec, name, def, field, values, help) \
	K(sec, name, KT_ENUM, def, field, 0, 0, values, 0, help)

/* The login keys of a server section, the same rows in [incoming] and [outgoing]. */
#define KLOGIN(sec, s) \
	KENUM(sec, "auth", "password", s.auth, V_LOGIN, \
	    "log in with password_file, or with an OAuth 2.0 token (the oauth_ keys)"), \
	KENUM(sec, "oauth_mechanism", "xoauth2", s.oauth.mechanism, V_OAUTH_MECH, \
	    "SASL mechanism that carries the token (auth = oauth2)"), \
	KENUM(sec, "oauth_grant", "client_credentials", s.oauth.grant, V_OAUTH_GRANT, \
	    "how the token is obtained: client secret (Microsoft 365 app), stored refresh " \
	    "token (feedbackctl oauth login), or service account key (Google Workspace)"), \
	KSTR(sec, "oauth_token_url", "", s.oauth.token_url, KF_EMPTY, \
	    "token endpoint; empty: Microsoft's for oauth_tenant, or the key's token_uri"), \
	KSTR(sec, "oauth_tenant", "", s.oauth.tenant, KF_EMPTY, \
	    "Microsoft 365 tenant id or domain, for the endpoints' addresses"), \
	KSTR(sec, "oauth_device_url", "", s.oauth.device_url, KF_EMPTY, \
	    "device authorization endpoint for feedbackctl oauth login; empty: from oauth_tenant"), \
	KSTR(sec, "oauth_client_id", "", s.oauth.client_id, KF_EMPTY, \
	    "the application's (client) id"), \
	KPATH(sec, "oauth_secret_file", "", s.oauth.secret_file, KF_EMPTY | KF_SECRET, \
	    "file holding the client secret (mode 0600)"), \
	KSTR(sec, "oauth_scope", "", s.oauth.scope, KF_EMPTY, \
	    "scopes asked for, separated by spaces"), \
	KPATH(sec, "oauth_token_file", "", s.oauth.token_file, KF_EMPTY, \
	    "file feedbackctl oauth login stores the refresh token in (mode 0600)"), \
	KPATH(sec, "oauth_key_file", "", s.oauth.key_file, KF_EMPTY | KF_SECRET, \
	    "service account's JSON key file (mode 0600)")

#define MINUTE 60LL
#define HOUR   3600LL
#define DAY    86400LL

static const struct key keys[] = {
	KPATH("feedbackd", "database", "feedbackd.db", feedbackd.database, 0,
	    "SQLite database holding all state"),
	KENUM("feedbackd", "log_level", "info", feedbackd.log_level, V_LOG,
	    "least important messages that are logged"),
	KPATH("feedbackd", "templates_dir", "", feedbackd.templates_dir, KF_EMPTY,
	    "mail templates (<lang>/<name>.txt|.html); empty: the built-in ones"),
	KPATH("feedbackd", "questionnaires_dir", "", feedbackd.questionnaires_dir, KF_EMPTY,
	    "questionnaires; empty: the built-in ones"),
	KPATH("feedbackd", "tips_dir", "", feedbackd.tips_dir, KF_EMPTY,
	    "the weekly nudge's tips (<lang>/tips.txt); empty: the built-in ones"),
	K("feedbackd", "domain", KT_HOST, "feedbackd.invalid", feedbackd.domain, 0, 0, NULL, 0,
	    "domain of the Message-IDs feedbackd makes"),
	K("feedbackd", "from_address", KT_EMAIL, "feedback@feedbackd.invalid", feedbackd.from_address,
	    0, 0, NULL, 0, "sender address of all mail"),
	KSTR("feedbackd", "from_name", "Feedback", feedbackd.from_name, 0,
	    "sender name of all mail"),
	K("feedbackd", "reply_address", KT_EMAIL, "", feedbackd.reply_address, 0, 0, NULL,
	    KF_EMPTY, "programme address; reply tokens go in its +part; empty: from_address"),
	K("feedbackd", "coordinator_address", KT_EMAIL, "", feedbackd.coordinator_address,
	    0, 0, NULL, KF_EMPTY,
	    "ORGANIZER of invites, a mailbox feedbackd reads; empty: from_address"),
	KSTR("feedbackd", "coordinator_name", "", feedbackd.coordinator_name, KF_EMPTY,
	    "the coordinator's name: signs mail to facilitators; empty: signed by feedbackd"),
	KINT("feedbackd", "max_message_size", "10485760", feedbackd.max_message_size,
	    1024, 104857600, "largest inbound message read, in bytes"),
	KPATH("feedbackd", "lock_file", "", feedbackd.lock_file, KF_EMPTY,
	    "lock file against a second daemon; empty: the database path + .lock"),

	KENUM("outgoing", "transport", "maildir", outgoing.transport, V_TRANSPORT,
	    "how mail leaves: into a Maildir, or to an SMTP server"),
	KPATH("outgoing", "maildir", "outbox-maildir", outgoing.maildir, KF_EMPTY,
	    "Maildir that outgoing mail is written to (transport = maildir)"),
	K("outgoing", "url", KT_URL, "", outgoing.url, 25, 465, V_SMTP_URL, KF_EMPTY,
	    "SMTP server (transport = smtp)"),
	KENUM("outgoing", "starttls", "required", outgoing.starttls, V_STARTTLS,
	    "require STARTTLS on smtp:// urls"),
	KSTR("outgoing", "username", "", outgoing.username, KF_EMPTY,
	    "SMTP AUTH user; empty: no authentication"),
	KPATH("outgoing", "password_file", "", outgoing.password_file, KF_EMPTY | KF_SECRET,
	    "file holding the SMTP password (mode 0600)"),
	KLOGIN("outgoing", outgoing),
	KPATH("outgoing", "ca_file", "", outgoing.ca_file, KF_EMPTY,
	    "CA certificates to verify the server with; empty: the system's"),
	KBOOL("outgoing", "verify", "yes", outgoing.verify,
	    "verify the server's certificate and host name"),
	KDUR("outgoing", "timeout", "30s", outgoing.timeout, 1, HOUR,
	    "network timeout of one SMTP step"),
	KINT("outgoing", "batch_size", "100", outgoing.batch_size, 1, 10000,
	    "messages sent per SMTP session"),
	KINT("outgoing", "sessions", "1", outgoing.sessions, 1, 16,
	    "parallel SMTP sessions"),
	KINT("outgoing", "max_attempts", "8", outgoing.max_attempts, 1, 100,
	    "attempts before a message is given up"),
	KDUR("outgoing", "backoff_initial", "1m", outgoing.backoff_initial, 1, DAY,
	    "wait before the first retry; doubles per attempt"),
	KDUR("outgoing", "backoff_max", "6h", outgoing.backoff_max, 1, 30 * DAY,
	    "longest wait between retries"),
	KINT("outgoing", "per_recipient_daily_cap", "20", outgoing.per_recipient_daily_cap,
	    1, 10000, "most messages to one address in any 24 hours; more wait and go when the "
	    "window allows (person mail first)"),
	K("outgoing", "bounce_address", KT_EMAIL, "", outgoing.bounce_address, 0, 0, NULL,
	    KF_EMPTY, "envelope sender; each message's is its +TOKEN form; empty: reply_address"),
	KINT("outgoing", "bounce_threshold", "4", outgoing.bounce_threshold, 1, 100,
	    "bounce score that makes an address unreachable (permanent 2, temporary 1 a day)"),
	KDUR("outgoing", "bounce_window", "30d", outgoing.bounce_window, DAY, 365 * DAY,
	    "how long a bounce counts in the score"),

	KENUM("incoming", "mailbox", "maildir", incoming.mailbox, V_MAILBOX,
	    "where replies are read: a Maildir, or an IMAP server"),
	KPATH("incoming", "maildir", "inbox-maildir", incoming.maildir, KF_EMPTY,
	    "Maildir that replies are read from (mailbox = maildir)"),
	K("incoming", "url", KT_URL, "", incoming.url, 143, 993, V_IMAP_URL, KF_EMPTY,
	    "IMAP server (mailbox = imap)"),
	KENUM("incoming", "starttls", "required", incoming.starttls, V_STARTTLS,
	    "require STARTTLS on imap:// urls"),
	KSTR("incoming", "username", "", incoming.username, KF_EMPTY,
	    "IMAP user"),
	KPATH("incoming", "password_file", "", incoming.password_file, KF_EMPTY | KF_SECRET,
	    "file holding the IMAP password (mode 0600)"),
	KLOGIN("incoming", incoming),
	KPATH("incoming", "ca_file", "", incoming.ca_file, KF_EMPTY,
	    "CA certificates to verify the server with; empty: the system's"),
	KBOOL("incoming", "verify", "yes", incoming.verify,
	    "verify the server's certificate and host name"),
	KSTR("incoming", "folder", "INBOX", incoming.folder, 0,
	    "IMAP folder that replies arrive in"),
	KSTR("incoming", "processed_folder", "", incoming.processed_folder, KF_EMPTY,
	    "IMAP folder read mail is moved to; empty: only flag it \\Seen"),
	KBOOL("incoming", "idle", "yes", incoming.idle,
	    "wait for new mail with IMAP IDLE instead of polling"),
	KDUR("incoming", "poll_interval", "60s", incoming.poll_interval, 1, DAY,
	    "time between checks for new mail without IDLE"),
	KDUR("incoming", "timeout", "30s", incoming.timeout, 1, HOUR,
	    "network timeout of one IMAP step"),
	KINT("incoming", "fetch_batch", "500", incoming.fetch_batch, 1, 10000,
	    "messages fetched per IMAP round trip"),

	K("program", "timezone", KT_TIMEZONE, "Europe/Amsterdam", program.timezone, 0, 0, NULL,
	    0, "time zone of the programme's moments"),
	KENUM("program", "language", "nl", program.language, V_LANGUAGE,
	    "language of mail and questionnaires"),
	KINT("program", "weeks", "10", program.weeks, 4, 52,
	    "length of the programme"),
	K("program", "nudge_at", KT_WEEKLY, "mon 09:00", program.nudge_at, 0, 0, NULL, 0,
	    "weekly nudge to every member"),
	K("program", "weekly_report_at", KT_WEEKLY, "mon 08:00", program.weekly_report_at,
	    0, 0, NULL, 0, "weekly report to the facilitators"),
	K("program", "reminder_days", KT_DAYS, "3,6", program.reminder_days, 1, 60, NULL,
	    KF_EMPTY, "days after a questionnaire is sent that reminders go out"),
	KINT("program", "questionnaire_close_days", "14", program.questionnaire_close_days,
	    1, 60, "days a questionnaire stays open"),
	KINT("program", "followup_weeks", "26", program.followup_weeks, 1, 104,
	    "weeks after the end that the follow-up measurement comes"),
	K("program", "office_hours", KT_HOURS, "09:00-17:00", program.office_hours, 0, 0,
	    NULL, 0, "hours in which reminders may be sent"),
	KINT("program", "reminders_per_day", "1", program.reminders_per_day, 0, 10,
	    "questionnaire reminders per member per day"),
	KINT("program", "mail_budget", "2", program.mail_budget, 1, 50,
	    "automatic mails per member per local day (nudges, questionnaires, reminders, "
	    "calendar events, invitations); more wait for a later day"),
	KBOOL("program", "weekend_mail", "no", program.weekend_mail,
	    "send reminders on Saturday and Sunday"),
	KINT("program", "min_group_size", "3", program.min_group_size, 1, 100,
	    "fewest answers before a team's questionnaire results are shown"),
	KINT("program", "retention_days", "365", program.retention_days, 0, 3650,
	    "days data is kept after a programme ends; 0: keep"),

	KINT("lagging", "no_feedback_weeks", "1", lagging.no_feedback_weeks, 0, 10,
	    "lagging after this many weeks without giving feedback; 0: off"),
	KINT("lagging", "request_by_week", "2", lagging.request_by_week, 0, 10,
	    "lagging when no feedback was requested by the end of this week; 0: off"),
	KINT("lagging", "median_fraction", "50", lagging.median_fraction, 0, 100,
	    "lagging below this percentage of the team's median; 0: off"),
	KBOOL("lagging", "questionnaire_after_reminder", "yes",
	    lagging.questionnaire_after_reminder,
	    "lagging when a questionnaire closed unanswered after a reminder"),

	KBOOL("security", "sender_must_match", "yes", security.sender_must_match,
	    "hold replies whose sender is not the member the token was sent to"),
	KENUM("security", "require_auth", "none", security.require_auth, V_AUTH,
	    "what every message that acts must pass by a trusted Authentication-Results header"),
	K("security", "trusted_authserv_id", KT_HOSTS, "", security.trusted_authserv_id, 0, 0,
	    NULL, KF_EMPTY, "authserv-ids of our own mail servers whose "
	    "Authentication-Results are believed"),
	KINT("security", "answers_per_sender_per_hour", "10",
	    security.answers_per_sender_per_hour, 1, 1000,
	    "most answers to one sender per hour (loop protection)"),

	KINT("report", "rating_samples", "3", report.rating_samples, 0, 20,
	    "anonymous feedback messages per weekly report to rate; 0: none"),
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const char *const SECTIONS[] = {
	"feedbackd", "outgoing", "incoming", "program", "lagging", "security", "report", NULL
};

/* Every enum field is written through an int. */
_Static_assert(sizeof(enum config_transport) == sizeof(int), "enum size");
_Static_assert(sizeof(enum log_level) == sizeof(int), "enum size");
_Static_assert(sizeof(enum config_auth) == sizeof(int), "enum size");

/* ---------------------------------------------------------------------------------------- */
/* Field access */

static void *
field(struct config *cfg, const struct key *k)
{
	return (char *)cfg + k->off;
}

static const void *
cfield(const struct config *cfg, const struct key *k)
{
	return (const char *)cfg + k->off;
}

static bool
is_string_type(enum ktype t)
{
	return t == KT_STRING || t == KT_PATH || t == KT_EMAIL || t == KT_HOST ||
	    t == KT_HOSTS || t == KT_TIMEZONE;
}

static void
url_release(struct config_url *u)
{
	free(u->url);
	free(u->host);
	memset(u, 0, sizeof(*u));
}

static int
set_string(char **slot, const char *s, size_t len)
{
	char *copy = malloc(len + 1);

	if (copy == NULL)
		return -1;
	memcpy(copy, s, len);
	copy[len] = '\0';
	free(*slot);
	*slot = copy;
	return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Value parsers: each returns 0, or -1 with an optional reason in why (ENOMEM: -2). */

static int
parse_ll(const char *s, long long *out)
{
	char *end;

	if (!(*s >= '0' && *s <= '9') && !(*s == '-' && s[1] >= '0' && s[1] <= '9'))
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	if (errno != 0 || end == s)
		return -1;
	return (int)(end - s);
}

static int
parse_int(const struct key *k, const char *v, int *out, struct buf *why)
{
	long long n;
	int used = parse_ll(v, &n);

	if (used < 0 || v[used] != '\0') {
		buf_puts(why, "not a whole number");
		return -1;
	}
	if (n < k->min || n > k->max) {
		buf_puts(why, "out of range");
		return -1;
	}
	*out = (int)n;
	return 0;
}

static int
parse_duration(const struct key *k, const char *v, int *out, struct buf *why)
{
	long long n, mult;
	int used = parse_ll(v, &n);

	if (used < 0 || n < 0) {
		buf_puts(why, "not a duration");
		return -1;
	}
	switch (v[used]) {
	case 's': mult = 1; break;
	case 'm': mult = MINUTE; break;
	case 'h': mult = HOUR; break;
	case 'd': mult = DAY; break;
	case '\0':
		buf_puts(why, "the unit is missing");
		return -1;
	default:
		buf_puts(why, "unknown unit");
		return -1;
	}
	if (v[used + 1] != '\0') {
		buf_puts(why, "not a duration");
		return -1;
	}
	if (n > k->max / mult || n * mult < k->min) {
		buf_puts(why, "out of range");
		return -1;
	}
	*out = (int)(n * mult);
	return 0;
}

static int
parse_enum(const struct key *k, const char *v, int *out)
{
	for (int i = 0; k->values[i] != NULL; i++) {
		if (strcasecmp(v, k->values[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return -1;
}

static int
parse_bool(const char *v, bool *out)
{
	if (strcasecmp(v, "yes") == 0)
		*out = true;
	else if (strcasecmp(v, "no") == 0)
		*out = false;
	else
		return -1;
	return 0;
}

/* "H:MM" or "HH:MM" at *s; advances *s. Minutes after midnight, or -1. */
static int
parse_clock(const char **s)
{
	const char *p = *s;
	int h = 0, m, digits = 0;

	while (*p >= '0' && *p <= '9' && digits < 2) {
		h = h * 10 + (*p++ - '0');
		digits++;
	}
	if (digits == 0 || *p != ':' || !(p[1] >= '0' && p[1] <= '9') ||
	    !(p[2] >= '0' && p[2] <= '9'))
		return -1;
	m = (p[1] - '0') * 10 + (p[2] - '0');
	if (h > 23 || m > 59)
		return -1;
	*s = p + 3;
	return h * 60 + m;
}

static int
parse_hours(const char *v, struct config_hours *out, struct buf *why)
{
	const char *p = v;
	int start, end;

	if ((start = parse_clock(&p)) < 0)
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p++ != '-')
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	if ((end = parse_clock(&p)) < 0 || *p != '\0')
		return -1;
	if (start >= end) {
		buf_puts(why, "the start is not before the end");
		return -1;
	}
	out->start = start;
	out->end = end;
	return 0;
}

static int
parse_weekly(const char *v, struct config_weekly *out)
{
	const char *p;
	int day = -1, minute;

	for (int i = 0; WEEKDAYS[i] != NULL; i++)
		if (strncasecmp(v, WEEKDAYS[i], 3) == 0)
			day = i + 1;
	if (day < 0 || (v[3] != ' ' && v[3] != '\t'))
		return -1;
	p = v + 3;
	while (*p == ' ' || *p == '\t')
		p++;
	if ((minute = parse_clock(&p)) < 0 || *p != '\0')
		return -1;
	out->weekday = day;
	out->minute = minute;
	return 0;
}

static int
parse_days(const struct key *k, const char *v, struct config_days *out, struct buf *why)
{
	struct config_days d = { 0 };
	const char *p = v;

	while (*p != '\0') {
		long long n;
		int used;

		while (*p == ' ' || *p == '\t')
			p++;
		if ((used = parse_ll(p, &n)) < 0) {
			buf_puts(why, "not a list of whole numbers");
			return -1;
		}
		p += used;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != ',' && *p != '\0') {
			buf_puts(why, "not a list of whole numbers");
			return -1;
		}
		if (n < k->min || n > k->max) {
			buf_puts(why, "out of range");
			return -1;
		}
		if (d.n == CONFIG_DAYS_MAX) {
			buf_puts(why, "too many days");
			return -1;
		}
		if (d.n > 0 && n <= d.day[d.n - 1]) {
			buf_puts(why, "not in increasing order");
			return -1;
		}
		d.day[d.n++] = (int)n;
		if (*p == ',' && *++p == '\0') {
			buf_puts(why, "ends in a comma");
			return -1;
		}
	}
	*out = d;
	return 0;
}

static bool
host_valid(const char *s, size_t len)
{
	size_t label = 0;

	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || (c == '-' && label > 0)) {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0 && s[len - 1] != '-';
}

static int
parse_host(const char *v, struct buf *why)
{
	for (const char *p = v; *p; p++) {
		if ((unsigned char)*p >= 0x80) {
			buf_puts(why, "write an international domain name in its xn-- form");
			return -1;
		}
	}
	return host_valid(v, strlen(v)) ? 0 : -1;
}

/* "mx1.example.org, mx2.example.org": each a host name, at most 16; normalised into out as
 * "a, b" (lowercase). 0, -1 with why, -2 out of memory. */
static int
parse_hosts(const char *v, char **out, struct buf *why)
{
	struct buf norm = BUF_INIT;
	int n = 0;

	for (const char *p = v; *p != '\0';) {
		size_t len;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		len = strcspn(p, ", \t");
		if (!host_valid(p, len)) {
			buf_putf(why, "\"%.*s\" is not a host name", (int)(len > 80 ? 80 : len), p);
			buf_release(&norm);
			return -1;
		}
		if (++n > 16) {
			buf_puts(why, "more than 16 names");
			buf_release(&norm);
			return -1;
		}
		if (norm.len > 0)
			buf_puts(&norm, ", ");
		for (size_t i = 0; i < len; i++)
			buf_putch(&norm, (char)tolower((unsigned char)p[i]));
		p += len;
	}
	if (buf_failed(&norm) || set_string(out, norm.data ? norm.data : "", norm.len) < 0) {
		buf_release(&norm);
		return -2;
	}
	buf_release(&norm);
	return 0;
}

/* A bare addr-spec with a dot-atom local part (what we send from must be plain). */
static int
parse_email(const char *v, struct buf *why)
{
	static const char atext[] = "!#$%&'*+-/=?^_`{|}~";
	const char *at = strrchr(v, '@');
	size_t local;

	if (at == NULL || at == v || strlen(v) > 254 || (local = (size_t)(at - v)) > 64) {
		buf_puts(why, "not an email address");
		return -1;
	}
	for (size_t i = 0; i < local; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '.') {
			if (i == 0 || i + 1 == local || v[i + 1] == '.') {
				buf_puts(why, "misplaced '.' before @");
				return -1;
			}
		} else if (!isalnum(c) || c >= 0x80) {
			if (strchr(atext, c) == NULL) {
				buf_putf(why, "the part before @ may not contain '%c'",
				    c < 0x80 ? c : '?');
				return -1;
			}
		}
	}
	if (!host_valid(at + 1, strlen(at + 1))) {
		buf_puts(why, "the domain after @ is not valid");
		return -1;
	}
	return 0;
}

static int
parse_url(const struct key *k, const char *v, struct config_url *out, struct buf *why)
{
	const char *sep = strstr(v, "://"), *host, *hend, *p;
	struct config_url u = { 0 };
	int scheme = -1;
	long long port;

	if (sep != NULL) {
		for (int i = 0; k->values[i] != NULL; i++)
			if ((size_t)(sep - v) == strlen(k->values[i]) &&
			    strncasecmp(v, k->values[i], (size_t)(sep - v)) == 0)
				scheme = i;
	}
	if (scheme < 0) {
		buf_puts(why, "unknown scheme");
		return -1;
	}
	host = sep + 3;
	if (strchr(host, '@') != NULL) {
		buf_puts(why, "put the user name in username, not in the url");
		return -1;
	}
	if (*host == '[') {
		host++;
		hend = strchr(host, ']');
		if (hend == NULL || hend == host)
			return -1;
		for (p = host; p < hend; p++)
			if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
			    (*p >= 'A' && *p <= 'F') || *p == ':' || *p == '.'))
				return -1;
		p = hend + 1;
	} else {
		for (hend = host; *hend != '\0' && *hend != ':' && *hend != '/'; hend++)
			;
		if (!host_valid(host, (size_t)(hend - host))) {
			buf_puts(why, "the host name is not valid");
			return -1;
		}
		p = hend;
	}
	port = scheme == 0 ? k->min : k->max;
	if (*p == ':') {
		int used = parse_ll(++p, &port);

		if (used < 0 || port < 1 || port > 65535) {
			buf_puts(why, "the port is not a number from 1 to 65535");
			return -1;
		}
		p += used;
	}
	if (*p == '/')
		p++;
	if (*p != '\0') {
		buf_puts(why, "a url here has no path");
		return -1;
	}
	u.port = (int)port;
	u.tls = scheme == 1;
	if (set_string(&u.url, v, strlen(v)) < 0 ||
	    set_string(&u.host, host, (size_t)(hend - host)) < 0) {
		url_release(&u);
		return -2;
	}
	url_release(out);
	*out = u;
	return 0;
}

static int
parse_timezone(const char *v, struct buf *why)
{
	size_t len = strlen(v);

	if (len == 0 || len > 64)
		return -1;
	for (const char *p = v; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/_+-", *p) != NULL))
			return -1;
	if (icaltimezone_get_builtin_timezone(v) == NULL) {
		buf_puts(why, "unknown time zone");
		return -1;
	}
	return 0;
}

/* Store value v for key k in cfg; relative paths resolved against dir (when not NULL).
 * 0; -1 with a reason (maybe none) in why; -2 when memory runs out. */
static int
set_value(struct config *cfg, const struct key *k, const char *v, const char *dir,
    struct buf *why)
{
	void *f = field(cfg, k);
	int rc = 0;

	if (*v == '\0' && !(k->flags & KF_EMPTY)) {
		buf_puts(why, "a value is required");
		return -1;
	}
	switch (k->type) {
	case KT_STRING:
		break;
	case KT_PATH:
		if (*v != '\0' && *v != '/' && dir != NULL) {
			struct buf p = BUF_INIT;

			if (buf_addf(&p, "%s/%s", dir, v) < 0 ||
			    set_string(f, p.data, p.len) < 0) {
				buf_release(&p);
				return -2;
			}
			buf_release(&p);
			return 0;
		}
		break;
	case KT_BOOL:
		return parse_bool(v, f);
	case KT_INT:
		return parse_int(k, v, f, why);
	case KT_DURATION:
		return parse_duration(k, v, f, why);
	case KT_ENUM:
		return parse_enum(k, v, f);
	case KT_HOURS:
		return parse_hours(v, f, why);
	case KT_WEEKLY:
		return parse_weekly(v, f);
	case KT_DAYS:
		return parse_days(k, v, f, why);
	case KT_URL:
		if (*v == '\0') {
			url_release(f);
			return set_string(&((struct config_url *)f)->url, "", 0) < 0 ||
			    set_string(&((struct config_url *)f)->host, "", 0) < 0 ? -2 : 0;
		}
		return parse_url(k, v, f, why);
	case KT_EMAIL:
		rc = *v == '\0' ? 0 : parse_email(v, why);
		break;
	case KT_HOST:
		rc = parse_host(v, why);
		break;
	case KT_HOSTS:
		return parse_hosts(v, f, why);
	case KT_TIMEZONE:
		rc = parse_timezone(v, why);
		break;
	}
	if (rc < 0)
		return rc;
	return set_string(f, v, strlen(v)) < 0 ? -2 : 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Describing keys and values */

static void
add_list(struct buf *out, const char *const *values)
{
	for (int i = 0; values[i] != NULL; i++)
		buf_putf(out, "%s%s", i ? ", " : "", values[i]);
}

static void
add_duration(struct buf *out, long long secs)
{
	if (secs > 0 && secs % DAY == 0)
		buf_putf(out, "%lldd", secs / DAY);
	else if (secs > 0 && secs % HOUR == 0)
		buf_putf(out, "%lldh", secs / HOUR);
	else if (secs > 0 && secs % MINUTE == 0)
		buf_putf(out, "%lldm", secs / MINUTE);
	else
		buf_putf(out, "%llds", secs);
}

static void
add_accepted(struct buf *out, const struct key *k)
{
	const char *empty = (k->flags & KF_EMPTY) ? ", or empty" : "";

	buf_puts(out, "accepted values are ");
	switch (k->type) {
	case KT_STRING:
		buf_putf(out, "%stext on one line", (k->flags & KF_EMPTY) ? "" : "non-empty ");
		break;
	case KT_PATH:
		buf_putf(out, "a path, relative to the directory of this file%s", empty);
		break;
	case KT_BOOL:
		buf_puts(out, "yes, no");
		break;
	case KT_INT:
		buf_putf(out, "whole numbers from %lld to %lld", k->min, k->max);
		break;
	case KT_DURATION:
		buf_puts(out, "a number with a unit s, m, h or d (like 90s, 15m, 3h, 14d) from ");
		add_duration(out, k->min);
		buf_puts(out, " to ");
		add_duration(out, k->max);
		break;
	case KT_ENUM:
		add_list(out, k->values);
		break;
	case KT_HOURS:
		buf_puts(out, "HH:MM-HH:MM on a 24-hour clock, start before end, like 09:00-17:00");
		break;
	case KT_WEEKLY:
		buf_puts(out, "a weekday (");
		add_list(out, WEEKDAYS);
		buf_puts(out, ") and a time HH:MM, like mon 09:00");
		break;
	case KT_DAYS:
		buf_putf(out, "day numbers from %lld to %lld separated by commas, increasing, "
		    "at most %d, like 3,6%s", k->min, k->max, CONFIG_DAYS_MAX, empty);
		break;
	case KT_EMAIL:
		buf_putf(out, "an email address like feedback@example.org%s", empty);
		break;
	case KT_URL:
		buf_putf(out, "%s://HOST:PORT or %s://HOST:PORT%s", k->values[0], k->values[1],
		    empty);
		break;
	case KT_HOST:
		buf_puts(out, "a domain name like example.org");
		break;
	case KT_HOSTS:
		buf_putf(out, "host names separated by commas, like mx1.example.org, "
		    "mx2.example.org%s", empty);
		break;
	case KT_TIMEZONE:
		buf_puts(out, "time zone names like Europe/Amsterdam or UTC");
		break;
	}
}

static void
add_value(struct buf *out, const struct config *cfg, const struct key *k)
{
	const void *f = cfield(cfg, k);

	switch (k->type) {
	case KT_STRING:
	case KT_PATH:
	case KT_EMAIL:
	case KT_HOST:
	case KT_HOSTS:
	case KT_TIMEZONE: {
		const char *s = *(char *const *)f;

		buf_puts(out, (k->flags & KF_SECRET) && *s != '\0' ? MASK : s);
		break;
	}
	case KT_BOOL:
		buf_puts(out, *(const bool *)f ? "yes" : "no");
		break;
	case KT_INT:
		buf_putf(out, "%d", *(const int *)f);
		break;
	case KT_DURATION:
		add_duration(out, *(const int *)f);
		break;
	case KT_ENUM:
		buf_puts(out, k->values[*(const int *)f]);
		break;
	case KT_HOURS: {
		const struct config_hours *h = f;

		buf_putf(out, "%02d:%02d-%02d:%02d", h->start / 60, h->start % 60, h->end / 60,
		    h->end % 60);
		break;
	}
	case KT_WEEKLY: {
		const struct config_weekly *w = f;

		buf_putf(out, "%s %02d:%02d", WEEKDAYS[w->weekday - 1], w->minute / 60,
		    w->minute % 60);
		break;
	}
	case KT_DAYS: {
		const struct config_days *d = f;

		for (int i = 0; i < d->n; i++)
			buf_putf(out, "%s%d", i ? "," : "", d->day[i]);
		break;
	}
	case KT_URL:
		buf_puts(out, ((const struct config_url *)f)->url);
		break;
	}
}

/* ---------------------------------------------------------------------------------------- */
/* Lifecycle */

static void
config_release_fields(struct config *cfg)
{
	for (size_t i = 0; i < NKEYS; i++) {
		if (is_string_type(keys[i].type)) {
			char **s = field(cfg, &keys[i]);

			free(*s);
			*s = NULL;
		} else if (keys[i].type == KT_URL) {
			url_release(field(cfg, &keys[i]));
		}
	}
}

void
config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	config_release_fields(cfg);
	free(cfg->path);
	free(cfg->key_line);
	free(cfg);
}

/* Fill every key with its default; -1 when memory runs out or a default is invalid. */
static int
apply_defaults(struct config *cfg, const char *dir)
{
	struct buf why = BUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < NKEYS && rc == 0; i++)
		rc = set_value(cfg, &keys[i], keys[i].def, dir, &why) == 0 ? 0 : -1;
	buf_release(&why);
	return rc;
}

/* Values that default to other values. */
static int
apply_derived(struct config *cfg)
{
	struct config_feedbackd *f = &cfg->feedbackd;

	if (*f->reply_address == '\0' &&
	    set_string(&f->reply_address, f->from_address, strlen(f->from_address)) < 0)
		return -1;
	if (*f->coordinator_address == '\0' &&
	    set_string(&f->coordinator_address, f->from_address, strlen(f->from_address)) < 0)
		return -1;
	if (*cfg->outgoing.bounce_address == '\0' && set_string(&cfg->outgoing.bounce_address,
	    f->reply_address, strlen(f->reply_address)) < 0)
		return -1;
	return 0;
}

static struct config *
config_new(const char *path, const char *dir)
{
	struct config *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL)
		return NULL;
	if (set_string(&cfg->path, path, strlen(path)) < 0 || apply_defaults(cfg, dir) < 0) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

struct config *
config_default(void)
{
	struct config *cfg = config_new("", NULL);

	if (cfg != NULL && apply_derived(cfg) < 0) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

/* ---------------------------------------------------------------------------------------- */
/* Reading a file */

struct perr {
	int line;
	size_t seq;
	char *msg;
};

struct parse {
	const char *path;          /* as the caller named it, for messages */
	const char *dir;           /* absolute directory of the file */
	const char *text;
	size_t len, pos;
	int line;                  /* line of the file last handed to inih */
	bool probe_next;
	const int *blank;          /* lines handed over empty: syntax errors already found */
	size_t nblank;
	struct buf section;        /* section as of the last probe */
	bool section_known;
	struct config *cfg;
	int key_line[NKEYS];       /* where each key was set; 0: default */
	struct perr *errs;
	size_t nerr, errcap, dropped;
	bool nomem;
};

static void
add_error(struct parse *p, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
add_error(struct parse *p, int line, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;

	if (p->nerr == CONFIG_ERRORS_MAX) {
		p->dropped++;
		return;
	}
	if (p->nerr == p->errcap) {
		size_t cap = p->errcap ? p->errcap * 2 : 8;
		struct perr *e = realloc(p->errs, cap * sizeof(*e));

		if (e == NULL) {
			p->nomem = true;
			return;
		}
		p->errs = e;
		p->errcap = cap;
	}
	if (line > 0)
		buf_putf(&msg, "%s:%d: ", p->path, line);
	else
		buf_putf(&msg, "%s: ", p->path);
	va_start(ap, fmt);
	if (buf_vaddf(&msg, fmt, ap) < 0)
		p->nomem = true;
	va_end(ap);
	p->errs[p->nerr].line = line;
	p->errs[p->nerr].seq = p->nerr;
	p->errs[p->nerr].msg = buf_failed(&msg) ? NULL : buf_detach(&msg, NULL);
	buf_release(&msg);
	if (p->errs[p->nerr].msg == NULL)
		p->nomem = true;
	else
		p->nerr++;
}

static void
clear_errors(struct parse *p)
{
	for (size_t i = 0; i < p->nerr; i++)
		free(p->errs[i].msg);
	p->nerr = 0;
	p->dropped = 0;
}

static bool
utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t more;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			more = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			more = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			more = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i <= more)
			return false;
		for (size_t j = 1; j <= more; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		if ((more == 2 && cp < 0x800) || (more == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += more + 1;
	}
	return true;
}

static bool
is_blank_line(const struct parse *p, int line)
{
	for (size_t i = 0; i < p->nblank; i++)
		if (p->blank[i] == line)
			return true;
	return false;
}

/* inih's reader: one line of the file, then a probe line (see the top of this file). Lines
 * inih must not see (too long, control characters, bad UTF-8, known syntax errors) are reported
 * here and handed over empty. */
static char *
reader(char *str, int num, void *stream)
{
	struct parse *p = stream;
	const char *start, *nl;
	size_t len, rest;

	if (num < (int)sizeof(PROBE_LINE))
		return NULL;
	if (p->probe_next) {
		p->probe_next = false;
		memcpy(str, PROBE_LINE, sizeof(PROBE_LINE));
		return str;
	}
	if (p->pos >= p->len)
		return NULL;
	start = p->text + p->pos;
	rest = p->len - p->pos;
	nl = memchr(start, '\n', rest);
	len = nl != NULL ? (size_t)(nl - start) : rest;
	p->pos += len + (nl != NULL);
	p->line++;
	p->probe_next = true;
	if (len > 0 && start[len - 1] == '\r')
		len--;
	str[0] = '\n';
	str[1] = '\0';
	if (is_blank_line(p, p->line))
		return str;
	if (len + 2 > (size_t)num) {
		add_error(p, p->line, "line too long (more than %d characters)", num - 2);
		return str;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)start[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			add_error(p, p->line, "control character 0x%02x in line", c);
			return str;
		}
	}
	if (!utf8_valid((const unsigned char *)start, len)) {
		add_error(p, p->line, "line is not valid UTF-8");
		return str;
	}
	memcpy(str, start, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	return str;
}

static const struct key *
find_key(const char *section, const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static bool
section_known(const char *section)
{
	for (int i = 0; SECTIONS[i] != NULL; i++)
		if (strcmp(SECTIONS[i], section) == 0)
			return true;
	return false;
}

/* Edit distance, case-insensitive; names longer than 64 are too far from everything. */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[65];

	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]);
			size_t best = diag + cost;

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static bool
close_enough(size_t d, const char *word)
{
	return d != SIZE_MAX && (d <= 2 || d * 3 <= strlen(word)) && d < strlen(word);
}

static void
add_sections(struct buf *b)
{
	add_list(b, SECTIONS);
}

static void
add_keys_of(struct buf *b, const char *section)
{
	int n = 0;

	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0)
			buf_putf(b, "%s%s", n++ ? ", " : "", keys[i].name);
}

static void
report_section(struct parse *p, const char *section)
{
	struct buf msg = BUF_INIT;
	const char *best = NULL;
	size_t bestd = SIZE_MAX;

	for (int i = 0; SECTIONS[i] != NULL; i++) {
		size_t d = distance(section, SECTIONS[i]);

		if (d < bestd) {
			bestd = d;
			best = SECTIONS[i];
		}
	}
	buf_putf(&msg, "unknown section [%s]; ", section);
	if (close_enough(bestd, section))
		buf_putf(&msg, "did you mean [%s]? ", best);
	buf_puts(&msg, "accepted sections: ");
	add_sections(&msg);
	if (buf_failed(&msg))
		p->nomem = true;
	else
		add_error(p, p->line, "%s", msg.data);
	buf_release(&msg);
}

static void
report_unknown_key(struct parse *p, const char *section, const char *name)
{
	struct buf msg = BUF_INIT;
	const char *best = NULL, *elsewhere = NULL;
	size_t bestd = SIZE_MAX;

	for (size_t i = 0; i < NKEYS; i++) {
		if (strcmp(keys[i].name, name) == 0 && elsewhere == NULL)
			elsewhere = keys[i].section;
		if (strcmp(keys[i].section, section) == 0) {
			size_t d = distance(name, keys[i].name);

			if (d < bestd) {
				bestd = d;
				best = keys[i].name;
			}
		}
	}
	if (*section == '\0') {
		buf_putf(&msg, "key \"%s\" is outside any section; ", name);
		if (elsewhere != NULL)
			buf_putf(&msg, "put it under [%s]", elsewhere);
		else {
			buf_puts(&msg, "accepted sections: ");
			add_sections(&msg);
		}
		if (buf_failed(&msg))
			p->nomem = true;
		else
			add_error(p, p->line, "%s", msg.data);
		buf_release(&msg);
		return;
	}
	buf_putf(&msg, "unknown key \"%s\" in [%s]; ", name, section);
	if (elsewhere != NULL)
		buf_putf(&msg, "it belongs in [%s]; ", elsewhere);
	else if (best != NULL && close_enough(bestd, name))
		buf_putf(&msg, "did you mean \"%s\"? ", best);
	buf_puts(&msg, "accepted keys: ");
	add_keys_of(&msg, section);
	if (buf_failed(&msg))
		p->nomem = true;
	else
		add_error(p, p->line, "%s", msg.data);
	buf_release(&msg);
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	const struct key *k;
	struct buf why = BUF_INIT, acc = BUF_INIT;
	size_t i;
	int rc;

	if (strcmp(name, PROBE_NAME) == 0) {
		if (strcmp(section, p->section.data) != 0) {
			buf_reset(&p->section);
			if (buf_adds(&p->section, section) < 0)
				p->nomem = true;
			p->section_known = section_known(section);
			if (!p->section_known)
				report_section(p, section);
		}
		return 1;
	}
	if (*section != '\0' && !p->section_known)
		return 1;  /* reported once, at the section's line */
	if ((k = find_key(section, name)) == NULL) {
		report_unknown_key(p, section, name);
		return 1;
	}
	i = (size_t)(k - keys);
	if (p->key_line[i] != 0) {
		add_error(p, p->line, "duplicate key \"%s\" in [%s] (first set on line %d)",
		    name, section, p->key_line[i]);
		return 1;
	}
	p->key_line[i] = p->line;
	rc = set_value(p->cfg, k, value, p->dir, &why);
	if (rc == -2) {
		p->nomem = true;
	} else if (rc < 0) {
		add_accepted(&acc, k);
		if (buf_failed(&why) || buf_failed(&acc))
			p->nomem = true;
		else
			add_error(p, p->line, "[%s] %s = \"%s\": %s%s%s", section, name,
			    (k->flags & KF_SECRET) ? MASK : value, why.data, why.len ? "; " : "",
			    acc.data);
	}
	buf_release(&why);
	buf_release(&acc);
	return 1;
}

/* Line of key [section] name in this file, or of the fallback key, or 0. */
static int
line_of(const struct parse *p, const char *section, const char *name, const char *fallback)
{
	const struct key *k = find_key(section, name);
	int line = k != NULL ? p->key_line[k - keys] : 0;

	if (line == 0 && fallback != NULL && (k = find_key(section, fallback)) != NULL)
		line = p->key_line[k - keys];
	return line;
}

/* ---------------------------------------------------------------------------------------- */
/* Placeholders (see config.h) */

/* The keys mail carries. A derived key (empty in the file: another key's value) is named only
 * where the file sets it: fixing the key it follows fixes it too. */
static const struct {
	const char *section, *name;
	bool derived;
	const char *what;           /* what to set it to */
} sender_keys[] = {
	{ "feedbackd", "domain", false, "your own domain" },
	{ "feedbackd", "from_address", false, "the programme's own address" },
	{ "feedbackd", "reply_address", true, "the programme's own address" },
	{ "feedbackd", "coordinator_address", true, "the coordinator's own address" },
	{ "outgoing", "bounce_address", true, "an address of your own domain" },
};

static bool
ends_with_label(const char *d, size_t n, const char *label)
{
	size_t l = strlen(label);

	return n == l ? strncasecmp(d, label, l) == 0 :
	    n > l && d[n - l - 1] == '.' && strncasecmp(d + n - l, label, l) == 0;
}

int
config_placeholder_domain(const char *domain)
{
	static const char *const reserved[] = {
		"invalid", "example", "localhost", "local", "localdomain",
		"example.com", "example.net", "example.org", NULL,
	};
	size_t n = strlen(domain);

	while (n > 0 && domain[n - 1] == '.')
		n--;
	if (n == 0 || memchr(domain, '.', n) == NULL)
		return 1;
	for (size_t i = 0; reserved[i] != NULL; i++)
		if (ends_with_label(domain, n, reserved[i]))
			return 1;
	return 0;
}

/*
 * Call emit for every placeholder key of cfg (lines: where each key was set, NULL: nowhere)
 * with its line and a message naming it. smtp_line >= 0: the message says that with
 * transport = smtp (set at that line, 0: by default) nothing is queued; < 0: a warning.
 * Returns how many, -1 when memory runs out.
 */
static int
each_placeholder(const struct config *cfg, const int *lines, int smtp_line,
    void (*emit)(void *arg, int line, const char *msg), void *arg)
{
	int n = 0;

	for (size_t i = 0; i < sizeof(sender_keys) / sizeof(sender_keys[0]); i++) {
		const struct key *k = find_key(sender_keys[i].section, sender_keys[i].name);
		const char *v = *(char *const *)cfield(cfg, k);
		const char *at = strrchr(v, '@');
		int line = lines != NULL ? lines[k - keys] : 0;
		struct buf msg = BUF_INIT;

		if (*v == '\0' || !config_placeholder_domain(at != NULL ? at + 1 : v) ||
		    (sender_keys[i].derived && line == 0))
			continue;
		if (line > 0)
			buf_putf(&msg, "[%s] %s = %s is a placeholder", k->section, k->name, v);
		else
			buf_putf(&msg, "[%s] %s is not set, and its default %s is a placeholder",
			    k->section, k->name, v);
		if (smtp_line > 0)
			buf_putf(&msg, ": with [outgoing] transport = smtp (line %d) nothing is "
			    "queued until it is set to %s", smtp_line, sender_keys[i].what);
		else if (smtp_line == 0)
			buf_putf(&msg, ": with [outgoing] transport = smtp nothing is queued until "
			    "it is set to %s", sender_keys[i].what);
		else
			buf_putf(&msg, " (nobody can answer it: fine for a demo on Maildirs, but "
			    "set it to %s before mail goes out by SMTP)", sender_keys[i].what);
		if (buf_failed(&msg)) {
			buf_release(&msg);
			return -1;
		}
		emit(arg, line, msg.data);
		buf_release(&msg);
		n++;
	}
	return n;
}

struct placeholder_out {
	const char *path;
	struct buf *out;
};

static void
placeholder_line(void *arg, int line, const char *msg)
{
	struct placeholder_out *o = arg;

	if (line > 0)
		buf_putf(o->out, "%s:%d: ", o->path, line);
	else if (*o->path != '\0')
		buf_putf(o->out, "%s: ", o->path);
	buf_putf(o->out, "%s\n", msg);
}

int
config_placeholders(const struct config *cfg, struct buf *out)
{
	struct placeholder_out o = { cfg->path, out };
	int n = each_placeholder(cfg, cfg->key_line, -1, placeholder_line, &o);

	return n < 0 || buf_failed(out) ? -1 : n;
}

static void
placeholder_error(void *arg, int line, const char *msg)
{
	add_error(arg, line, "%s", msg);
}

/* With SMTP, a placeholder is an error at the line that set it (or the file's, when unset). */
static void
check_placeholders(struct parse *p)
{
	if (p->cfg->outgoing.transport != CONFIG_TRANSPORT_SMTP)
		return;
	if (each_placeholder(p->cfg, p->key_line, line_of(p, "outgoing", "transport", NULL),
	    placeholder_error, p) < 0)
		p->nomem = true;
}

/* Which oauth_ keys each grant takes: required, optional; every other oauth_ key is refused
 * but oauth_grant and oauth_mechanism, which apply to all. */
static const struct {
	const char *required[4];
	const char *optional[5];
} grant_keys[] = {
	[CONFIG_OAUTH_CLIENT_CREDENTIALS] = {
		{ "oauth_client_id", "oauth_secret_file", "oauth_scope", NULL },
		{ "oauth_token_url", "oauth_tenant", NULL } },
	[CONFIG_OAUTH_REFRESH_TOKEN] = {
		{ "oauth_client_id", "oauth_token_file", "oauth_scope", NULL },
		{ "oauth_token_url", "oauth_tenant", "oauth_device_url", "oauth_secret_file", NULL } },
	[CONFIG_OAUTH_SERVICE_ACCOUNT] = {
		{ "oauth_key_file", "oauth_scope", NULL },
		{ "oauth_token_url", NULL } },
};

static bool
in_list(const char *const *list, const char *name)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

/*
 * Key i of the oauth_ family was given a value of its own in the file: set, and not to its
 * default ("" or the default word). config_print() writes every key, defaults too, and what
 * it wrote must read back: a key at its default says nothing and is not refused.
 */
static bool
oauth_key_given(const struct parse *p, size_t i)
{
	const struct key *k = &keys[i];
	const void *f = (const char *)p->cfg + k->off;

	if (p->key_line[i] == 0)
		return false;
	if (k->type == KT_ENUM)
		return strcmp(k->values[*(const int *)f], k->def) != 0;
	return **(char *const *)f != '\0';
}

/* A tenant goes into a URL path: a GUID, a domain or common/organizations. */
static bool
tenant_ok(const char *t)
{
	if (*t == '\0' || strlen(t) > 100)
		return false;
	for (; *t != '\0'; t++)
		if (!isalnum((unsigned char)*t) && *t != '-' && *t != '.')
			return false;
	return true;
}

/* https://, or plain http:// to the loopback address only (tests). */
static bool
oauth_url_ok(const char *u)
{
	return (strncmp(u, "https://", 8) == 0 && u[8] != '\0') ||
	    strncmp(u, "http://127.0.0.1:", 17) == 0 || strncmp(u, "http://127.0.0.1/", 17) == 0 ||
	    strncmp(u, "http://[::1]:", 13) == 0 || strncmp(u, "http://[::1]/", 13) == 0;
}

/* auth = oauth2 and the oauth_ keys: each key set must apply to the grant, and each key the
 * grant needs must be set; auth = password takes none of them. */
static void
check_login(struct parse *p, const char *section, bool remote, const char *kind,
    enum config_login auth, const struct config_oauth *o, const char *username,
    const char *password_file)
{
	const char *grant = V_OAUTH_GRANT[o->grant];
	const char *const *req = grant_keys[o->grant].required;
	const char *const *opt = grant_keys[o->grant].optional;
	struct buf applies = BUF_INIT;

	if (auth == CONFIG_LOGIN_PASSWORD) {
		for (size_t i = 0; i < NKEYS; i++)
			if (strcmp(keys[i].section, section) == 0 &&
			    strncmp(keys[i].name, "oauth_", 6) == 0 && oauth_key_given(p, i))
				add_error(p, p->key_line[i], "[%s] %s applies only with auth = oauth2 "
				    "(auth is password); set auth = oauth2 or remove %s", section,
				    keys[i].name, keys[i].name);
		return;
	}
	if (!remote)
		add_error(p, line_of(p, section, "auth", NULL), "[%s] auth = oauth2 applies only "
		    "with %s = %s; accepted values of auth here: password", section, kind,
		    strcmp(section, "outgoing") == 0 ? "smtp" : "imap");
	if (*password_file != '\0')
		add_error(p, line_of(p, section, "password_file", NULL), "[%s] password_file does "
		    "not apply with auth = oauth2 (the token replaces the password); remove it, or "
		    "set auth = password", section);
	if (remote && *username == '\0')
		add_error(p, line_of(p, section, "auth", NULL), "[%s] auth = oauth2 needs username: "
		    "the mailbox's address, which the token logs in as", section);
	for (const char *const *r = req; *r != NULL; r++) {
		const struct key *k = find_key(section, *r);
		const char *v = *(char *const *)((const char *)p->cfg + k->off);

		if (*v == '\0')
			add_error(p, line_of(p, section, "oauth_grant", "auth"), "[%s] oauth_grant = "
			    "%s needs %s: %s", section, grant, *r, k->help);
	}
	for (const char *const *r = req; *r != NULL; r++)
		buf_putf(&applies, "%s, ", *r);
	for (const char *const *r = opt; *r != NULL; r++)
		buf_putf(&applies, "%s%s", *r, r[1] != NULL ? ", " : "");
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0 && strncmp(keys[i].name, "oauth_", 6) == 0 &&
		    oauth_key_given(p, i) && strcmp(keys[i].name, "oauth_grant") != 0 &&
		    strcmp(keys[i].name, "oauth_mechanism") != 0 && !in_list(req, keys[i].name) && !in_list(opt, keys[i].name))
			add_error(p, p->key_line[i], "[%s] %s does not apply to oauth_grant = %s; "
			    "the keys that do: %s", section, keys[i].name, grant,
			    buf_failed(&applies) ? "?" : applies.data);
	buf_release(&applies);
	if (o->grant != CONFIG_OAUTH_SERVICE_ACCOUNT && *o->token_url == '\0' && *o->tenant == '\0')
		add_error(p, line_of(p, section, "oauth_grant", "auth"), "[%s] oauth_grant = %s "
		    "needs oauth_token_url, or oauth_tenant for Microsoft 365", section, grant);
	if (*o->tenant != '\0' && !tenant_ok(o->tenant))
		add_error(p, line_of(p, section, "oauth_tenant", NULL), "[%s] oauth_tenant \"%s\" is "
		    "not a tenant id or domain (letters, digits, '-' and '.')", section, o->tenant);
	if (*o->tenant != '\0' && *o->token_url != '\0' &&
	    (o->grant != CONFIG_OAUTH_REFRESH_TOKEN || *o->device_url != '\0'))
		add_error(p, line_of(p, section, "oauth_tenant", NULL), "[%s] oauth_tenant does "
		    "nothing when the endpoints are set (oauth_token_url%s); remove one", section,
		    o->grant == CONFIG_OAUTH_REFRESH_TOKEN ? ", oauth_device_url" : "");
	if (*o->token_url != '\0' && !oauth_url_ok(o->token_url))
		add_error(p, line_of(p, section, "oauth_token_url", NULL), "[%s] oauth_token_url "
		    "must be https:// (plain http:// only to 127.0.0.1 or [::1])", section);
	if (*o->device_url != '\0' && !oauth_url_ok(o->device_url))
		add_error(p, line_of(p, section, "oauth_device_url", NULL), "[%s] oauth_device_url "
		    "must be https:// (plain http:// only to 127.0.0.1 or [::1])", section);
}

static void
check_server(struct parse *p, const char *section, bool remote, const char *kind,
    const struct config_url *url, const char *maildir, const char *username,
    const char *password_file, enum config_login auth)
{
	if (remote && *url->url == '\0')
		add_error(p, line_of(p, section, kind, "url"),
		    "[%s] %s = %s needs a url; set url = %s", section, kind,
		    strcmp(section, "outgoing") == 0 ? "smtp" : "imap",
		    strcmp(section, "outgoing") == 0 ? "smtp://HOST:587 (STARTTLS)" :
		    "imap://HOST:PORT or imaps://HOST:PORT");
	if (!remote && *maildir == '\0')
		add_error(p, line_of(p, section, "maildir", kind),
		    "[%s] %s = maildir needs a maildir path", section, kind);
	if (remote && auth == CONFIG_LOGIN_PASSWORD && *username != '\0' && *password_file == '\0')
		add_error(p, line_of(p, section, "username", NULL),
		    "[%s] username is set but password_file is not; set password_file to a file "
		    "of mode 0600 holding the password", section);
	if (remote && auth == CONFIG_LOGIN_PASSWORD && *username == '\0' &&
	    strcmp(section, "incoming") == 0)
		add_error(p, line_of(p, section, "mailbox", "url"),
		    "[incoming] mailbox = imap needs a username and password_file");
}

/* smtps:// would be accepted here and refused by the SMTP driver when the daemon starts: a
 * setting that cannot work is an error now. libesmtp 1.1 does TLS only by STARTTLS (RFC 3207):
 * it has no call that starts TLS at connect, nor a hook to hand it a TLS socket. */
static void
check_smtps(struct parse *p, bool remote, const struct config_url *url)
{
	if (remote && url->tls)
		add_error(p, line_of(p, "outgoing", "url", NULL), "[outgoing] url = %s: implicit TLS "
		    "(smtps://, port 465) is not possible with libesmtp, which does TLS only by "
		    "STARTTLS; use smtp://%s%s%s:587 with starttls = required (Microsoft 365, Google "
		    "and most providers offer it)", url->url, strchr(url->host, ':') ? "[" : "",
		    *url->host ? url->host : "HOST", strchr(url->host, ':') ? "]" : "");
}

/* Checks between keys, reported at the line of the key that is most likely wrong. */
static void
check_cross(struct parse *p)
{
	const struct config *c = p->cfg;

	check_server(p, "outgoing", c->outgoing.transport == CONFIG_TRANSPORT_SMTP, "transport",
	    &c->outgoing.url, c->outgoing.maildir, c->outgoing.username,
	    c->outgoing.password_file, c->outgoing.auth);
	check_smtps(p, c->outgoing.transport == CONFIG_TRANSPORT_SMTP, &c->outgoing.url);
	check_server(p, "incoming", c->incoming.mailbox == CONFIG_MAILBOX_IMAP, "mailbox",
	    &c->incoming.url, c->incoming.maildir, c->incoming.username,
	    c->incoming.password_file, c->incoming.auth);
	check_login(p, "outgoing", c->outgoing.transport == CONFIG_TRANSPORT_SMTP, "transport",
	    c->outgoing.auth, &c->outgoing.oauth, c->outgoing.username, c->outgoing.password_file);
	check_login(p, "incoming", c->incoming.mailbox == CONFIG_MAILBOX_IMAP, "mailbox",
	    c->incoming.auth, &c->incoming.oauth, c->incoming.username, c->incoming.password_file);
	if (c->outgoing.backoff_initial > c->outgoing.backoff_max)
		add_error(p, line_of(p, "outgoing", "backoff_initial", "backoff_max"),
		    "[outgoing] backoff_initial is longer than backoff_max");
	if (c->program.reminder_days.n > 0 &&
	    c->program.reminder_days.day[c->program.reminder_days.n - 1] >=
	    c->program.questionnaire_close_days)
		add_error(p, line_of(p, "program", "reminder_days", "questionnaire_close_days"),
		    "[program] reminder_days must all come before questionnaire_close_days (%d)",
		    c->program.questionnaire_close_days);
	if (c->security.require_auth != CONFIG_AUTH_NONE && *c->security.trusted_authserv_id == '\0')
		add_error(p, line_of(p, "security", "require_auth", NULL),
		    "[security] require_auth = %s needs trusted_authserv_id: the authserv-id that "
		    "your own mail server writes in its Authentication-Results headers (like "
		    "mx.example.org); without it no header can be believed and every message would "
		    "be held. Accepted values of require_auth without it: none",
		    c->security.require_auth == CONFIG_AUTH_DMARC ? "dmarc" : "dkim");
	if (strchr(c->feedbackd.reply_address, '+') != NULL)
		add_error(p, line_of(p, "feedbackd", "reply_address", "from_address"),
		    "[feedbackd] reply_address \"%s\" has a +part; give the plain address, "
		    "feedbackd adds +TOKEN itself", c->feedbackd.reply_address);
	if (strchr(c->outgoing.bounce_address, '+') != NULL &&
	    strcmp(c->outgoing.bounce_address, c->feedbackd.reply_address) != 0)
		add_error(p, line_of(p, "outgoing", "bounce_address", "bounce_address"),
		    "[outgoing] bounce_address \"%s\" has a +part; give the plain address, "
		    "feedbackd adds +TOKEN itself", c->outgoing.bounce_address);
	check_placeholders(p);
}

/* One pass of inih over the file: fresh defaults, then the file. inih's result: 0, the
 * (real) line of the first syntax error, or < 0. */
static int
run_pass(struct parse *p)
{
	bool multiline = ini_allow_multiline, stop = ini_stop_on_first_error;
	bool novalue = ini_allow_no_value;
	int rc;

	clear_errors(p);
	config_free(p->cfg);
	p->cfg = config_new(p->path, p->dir);
	if (p->cfg == NULL) {
		p->nomem = true;
		return -2;
	}
	memset(p->key_line, 0, sizeof(p->key_line));
	p->pos = 0;
	p->line = 0;
	p->probe_next = false;
	buf_reset(&p->section);
	p->section_known = false;

	ini_allow_multiline = false;  /* an indented line is a key of its own */
	ini_stop_on_first_error = false;
	ini_allow_no_value = false;
	rc = ini_parse_stream(reader, p, handler, p);
	ini_allow_multiline = multiline;
	ini_stop_on_first_error = stop;
	ini_allow_no_value = novalue;
	return rc > 0 ? (rc + 1) / 2 : rc;  /* inih counts the probe lines too */
}

static int
cmp_err(const void *a, const void *b)
{
	const struct perr *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Directory of path, absolute; NULL with errno on failure. Caller frees. */
static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	struct buf d = BUF_INIT;
	char *abs;

	if (slash == NULL)
		buf_puts(&d, ".");
	else if (slash == path)
		buf_puts(&d, "/");
	else
		buf_put(&d, path, (size_t)(slash - path));
	if (buf_failed(&d)) {
		buf_release(&d);
		errno = ENOMEM;
		return NULL;
	}
	abs = realpath(d.data, NULL);
	buf_release(&d);
	return abs;
}

struct config *
config_load_report(const char *path, struct buf *errors)
{
	struct parse p = { .path = path, .section = BUF_INIT };
	struct buf text = BUF_INIT;
	int syntax[CONFIG_PASSES_MAX];
	size_t nsyntax = 0;
	struct config *cfg = NULL;
	char *dir = NULL;
	int rc;

	if (buf_read_file(&text, path, CONFIG_FILE_MAX) < 0) {
		if (errno == EFBIG)
			buf_putf(errors, "%s: larger than %d bytes; is this a configuration file?\n",
			    path, CONFIG_FILE_MAX);
		else
			buf_putf(errors, "%s: cannot read: %s\n", path, strerror(errno));
		/* What was read before the refusal (up to the whole limit) is given back: a
		 * refused SIGHUP reload must not cost the daemon a megabyte each time. */
		buf_release(&text);
		return NULL;
	}
	if ((dir = dir_of(path)) == NULL) {
		buf_putf(errors, "%s: cannot resolve its directory: %s\n", path, strerror(errno));
		buf_release(&text);
		return NULL;
	}
	p.dir = dir;
	p.text = text.data;
	p.len = text.len;
	p.blank = syntax;
	for (;;) {
		rc = run_pass(&p);
		if (rc <= 0 || nsyntax == CONFIG_PASSES_MAX || p.nomem)
			break;
		syntax[nsyntax++] = rc;
		p.nblank = nsyntax;
	}
	if (rc > 0)
		p.dropped++;  /* syntax errors beyond CONFIG_PASSES_MAX */
	if (rc == 0 || rc > 0) {
		for (size_t i = 0; i < nsyntax; i++)
			add_error(&p, syntax[i], "syntax error: expected \"key = value\", "
			    "\"[section]\" or a comment starting with # or ;");
		if (apply_derived(p.cfg) < 0)
			p.nomem = true;
		else
			check_cross(&p);
	}
	if (p.nomem || rc < 0) {
		buf_putf(errors, "%s: out of memory\n", path);
	} else if (p.nerr > 0 || p.dropped > 0) {
		qsort(p.errs, p.nerr, sizeof(*p.errs), cmp_err);
		for (size_t i = 0; i < p.nerr; i++)
			buf_putf(errors, "%s\n", p.errs[i].msg);
		if (p.dropped > 0)
			buf_putf(errors, "%s: %zu more errors not shown\n", path, p.dropped);
	} else if ((p.cfg->key_line = malloc(sizeof(p.key_line))) == NULL) {
		buf_putf(errors, "%s: out of memory\n", path);
	} else {
		memcpy(p.cfg->key_line, p.key_line, sizeof(p.key_line));
		cfg = p.cfg;
		p.cfg = NULL;
	}
	clear_errors(&p);
	free(p.errs);
	config_free(p.cfg);
	buf_release(&p.section);
	buf_release(&text);
	free(dir);
	return cfg;
}

struct config *
config_load(const char *path, struct fb_error *err)
{
	struct buf errors = BUF_INIT;
	struct config *cfg = config_load_report(path, &errors);
	size_t keep = 0, lines = 0, shown = 0;

	if (cfg != NULL || err == NULL) {
		buf_release(&errors);
		return cfg;
	}
	/* Keep the whole lines that fit, with room to say how many did not. */
	for (size_t i = 0; i < errors.len; i++) {
		if (errors.data[i] != '\n')
			continue;
		lines++;
		if (i < sizeof(err->msg) - 80) {
			keep = i;
			shown++;
		}
	}
	if (shown < lines) {
		if (shown == 0)
			keep = sizeof(err->msg) - 80;
		buf_truncate(&errors, keep);
		buf_putf(&errors, "\n(%zu more; feedbackd --check-config shows them all)",
		    lines - shown);
	}
	buf_rtrim(&errors);
	if (buf_failed(&errors))
		fb_error_set(err, "%s: out of memory", path);
	else
		fb_error_set(err, "%s", errors.data);
	buf_release(&errors);
	return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Printing and documentation */

int
config_print(const struct config *cfg, struct buf *out)
{
	const char *section = NULL;
	int rc = 0;

	for (size_t i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];
		struct buf value = BUF_INIT;

		if (section == NULL || strcmp(section, k->section) != 0) {
			rc |= buf_addf(out, "%s[%s]\n", section ? "\n" : "", k->section);
			section = k->section;
		}
		add_value(&value, cfg, k);
		rc |= buf_failed(&value) ? -1 : 0;
		rc |= buf_addf(out, "%s =%s%s\n", k->name, value.len ? " " : "", value.data);
		buf_release(&value);
	}
	return rc < 0 ? -1 : 0;
}

size_t
config_key_count(void)
{
	return NKEYS;
}

int
config_key_info(size_t i, struct config_keyinfo *out)
{
	if (i >= NKEYS)
		return -1;
	out->section = keys[i].section;
	out->name = keys[i].name;
	out->default_value = keys[i].def;
	out->help = keys[i].help;
	out->secret = (keys[i].flags & KF_SECRET) != 0;
	return 0;
}

int
config_key_accepted(const char *section, const char *name, struct buf *out)
{
	const struct key *k = find_key(section, name);
	size_t before = out->len;

	if (k == NULL)
		return -1;
	add_accepted(out, k);
	return out->len > before && !buf_failed(out) ? 0 : -1;
}

/* ---------------------------------------------------------------------------------------- */
/* Secrets */

int
config_read_secret(const char *path, struct buf *out, struct fb_error *err)
{
	size_t start = out->len, got = 0;
	struct stat st;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return fb_error_set(err, "secret file %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		fb_error_set(err, "secret file %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		fb_error_set(err, "secret file %s is not a regular file", path);
		goto out;
	}
	if (st.st_mode & 077) {
		fb_error_set(err, "secret file %s has mode %04o, so group or others can "
		    "reach it; run: chmod 600 %s", path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	if (buf_grow(out, SECRET_FILE_MAX + 1) < 0) {
		fb_error_set(err, "secret file %s: out of memory", path);
		goto out;
	}
	while (got <= SECRET_FILE_MAX) {
		ssize_t n = read(fd, out->data + start + got, SECRET_FILE_MAX + 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fb_error_set(err, "secret file %s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > SECRET_FILE_MAX) {
		fb_error_set(err, "secret file %s is larger than %d bytes", path,
		    SECRET_FILE_MAX);
		goto out;
	}
	if (memchr(out->data + start, '\0', got) != NULL) {
		fb_error_set(err, "secret file %s holds a NUL byte", path);
		goto out;
	}
	if (got > 0 && out->data[start + got - 1] == '\n') {
		got--;
		if (got > 0 && out->data[start + got - 1] == '\r')
			got--;
	}
	if (got == 0) {
		fb_error_set(err, "secret file %s is empty", path);
		goto out;
	}
	out->len = start + got;
	out->data[out->len] = '\0';
	rc = 0;
out:
	if (rc < 0 && out->alloc > 0) {
		explicit_bzero(out->data + start, out->alloc - start);
		out->len = start;
		out->data[start] = '\0';
	}
	close(fd);
	return rc;
}

int
config_check_secrets(const struct config *cfg, struct fb_error *err)
{
	const char *files[] = { cfg->outgoing.password_file, cfg->incoming.password_file,
		cfg->outgoing.oauth.secret_file, cfg->incoming.oauth.secret_file,
		cfg->outgoing.oauth.key_file, cfg->incoming.oauth.key_file };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct buf b = BUF_INIT;
		int rc;

		if (files[i] == NULL || *files[i] == '\0')
			continue;
		rc = config_read_secret(files[i], &b, err);
		if (b.alloc > 0)
			explicit_bzero(b.data, b.alloc);
		buf_release(&b);
		if (rc < 0)
			return -1;
	}
	return 0;
}
