/*
 * mailtool — drive the mail drivers from the command line, for the integration tests and the
 * benchmarks only (the daemon uses the same drivers through the outbox and inbox modules).
 *
 *   mailtool send --url URL [options] [--sender S] --rcpt R... FILE...
 *       one SMTP session per --batch messages (default 500); prints "FILE STATUS DETAIL" per
 *       message; exit 0 when all are OK, 1 when any is not, 2 when nothing could be attempted.
 *   mailtool maildir-send DIR FILE...
 *   mailtool fetch (--url URL [options] | --maildir DIR) [--since UIDVALIDITY:UID]
 *       [--folder F] [--processed-folder F] [--no-mark]
 *       prints "ID SIZE SHA256" per message, marks each done after all were printed (as the
 *       daemon does after its commit), and ends with "position UIDVALIDITY:UID changed=0|1".
 *   mailtool watch --url URL [options] [--rounds N] [--wait-ms MS]
 *       fetch, then N times: print "waiting", wait (IDLE), print "woke R MS" (R = the wait's
 *       result, MS = elapsed milliseconds) or "error MSG", reconnecting after an error with
 *       "reconnected", and fetch again (printing "got ID").
 *   mailtool fetch ... --passes N [--pass-gap-ms MS]
 *       N passes (open, fetch, mark, close) with one token source, as the daemon's reconnects
 *       are; each pass starts with a "pass K" line, and all but the last end with "pass K done"
 *       before a pause of MS milliseconds (a test changes the servers then).
 *   mailtool smtp-check --url URL [options]
 *       the transport's check(): log in without sending; prints "ok WHAT" or "error WHY".
 * Options: --starttls required|no, --user U, --password-file F, --ca-file F, --no-verify,
 *          --timeout SECONDS, --no-idle.
 * OAuth (IMAP login with a token instead of --password-file): --oauth-token-url TOKEN_URL
 *          --oauth-client-id ID [--oauth-secret-file F] [--oauth-scope S]
 *          [--oauth-token-file F (the refresh token grant; else client credentials)]
 *          [--oauth-mech xoauth2|oauthbearer].
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "buf.h"
#include "fberror.h"
#include "log.h"
#include "mailbox.h"
#include "oauth.h"
#include "transport.h"
#include "banned.h"

struct opts {
	const char *url, *maildir, *user, *password_file, *ca_file, *sender, *folder, *processed;
	const char *since;
	const char **rcpts;
	size_t nrcpts;
	int starttls_required, verify, timeout, batch, mark, idle, rounds, wait_ms;
	struct buf password;
	struct mailtool_oauth {
		const char *url, *client_id, *secret_file, *scope, *token_file;
		enum oauth_mech mech;
		struct buf secret;
		struct oauth *source;
	} oauth;
	int passes, pass_gap_ms;
};

static void
usage(void)
{
	fprintf(stderr, "usage: mailtool send|maildir-send|fetch|watch ... (see tests/tools/mailtool.c)\n");
	exit(2);
}

static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "maildir", required_argument, NULL, 'm' },
		{ "starttls", required_argument, NULL, 's' },
		{ "user", required_argument, NULL, 'U' },
		{ "password-file", required_argument, NULL, 'P' },
		{ "ca-file", required_argument, NULL, 'C' },
		{ "no-verify", no_argument, NULL, 'n' },
		{ "sender", required_argument, NULL, 'f' },
		{ "rcpt", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' },
		{ "batch", required_argument, NULL, 'b' },
		{ "since", required_argument, NULL, 'S' },
		{ "folder", required_argument, NULL, 'F' },
		{ "processed-folder", required_argument, NULL, 'p' },
		{ "no-mark", no_argument, NULL, 'N' },
		{ "no-idle", no_argument, NULL, 'I' },
		{ "rounds", required_argument, NULL, 'R' },
		{ "wait-ms", required_argument, NULL, 'w' },
		{ "oauth-token-url", required_argument, NULL, 1000 },
		{ "oauth-client-id", required_argument, NULL, 1001 },
		{ "oauth-secret-file", required_argument, NULL, 1002 },
		{ "oauth-scope", required_argument, NULL, 1003 },
		{ "oauth-token-file", required_argument, NULL, 1004 },
		{ "oauth-mech", required_argument, NULL, 1005 },
		{ "passes", required_argument, NULL, 1006 },
		{ "pass-gap-ms", required_argument, NULL, 1007 },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'u': o->url = optarg; break;
		case 'm': o->maildir = optarg; break;
		case 's':
			if (strcmp(optarg, "required") != 0 && strcmp(optarg, "no") != 0)
				usage();
			o->starttls_required = strcmp(optarg, "required") == 0;
			break;
		case 'U': o->user = optarg; break;
		case 'P': o->password_file = optarg; break;
		case 'C': o->ca_file = optarg; break;
		case 'n': o->verify = 0; break;
		case 'f': o->sender = optarg; break;
		case 'r': {
			const char **nr = realloc(o->rcpts, (o->nrcpts + 1) * sizeof(*nr));

			if (nr == NULL)
				fatalx("out of memory");
			o->rcpts = nr;
			o->rcpts[o->nrcpts++] = optarg;
			break;
		}
		case 't': o->timeout = atoi(optarg); break;
		case 'b': o->batch = atoi(optarg); break;
		case 'S': o->since = optarg; break;
		case 'F': o->folder = optarg; break;
		case 'p': o->processed = optarg; break;
		case 'N': o->mark = 0; break;
		case 'I': o->idle = 0; break;
		case 'R': o->rounds = atoi(optarg); break;
		case 'w': o->wait_ms = atoi(optarg); break;
		case 1000: o->oauth.url = optarg; break;
		case 1001: o->oauth.client_id = optarg; break;
		case 1002: o->oauth.secret_file = optarg; break;
		case 1003: o->oauth.scope = optarg; break;
		case 1004: o->oauth.token_file = optarg; break;
		case 1005:
			if (strcmp(optarg, "xoauth2") != 0 && strcmp(optarg, "oauthbearer") != 0)
				usage();
			o->oauth.mech = strcmp(optarg, "xoauth2") == 0 ? OAUTH_XOAUTH2 : OAUTH_OAUTHBEARER;
			break;
		case 1006: o->passes = atoi(optarg); break;
		case 1007: o->pass_gap_ms = atoi(optarg); break;
		default: usage();
		}
	}
	if (o->password_file != NULL) {
		if (buf_read_file(&o->password, o->password_file, 4096) < 0)
			fatal("%s", o->password_file);
		buf_rtrim(&o->password);
	}
	return optind;
}

static time_t
wall_clock(void *arg)
{
	(void)arg;
	return time(NULL);
}

/* The token source the --oauth-* options describe, or NULL without --oauth-token-url. */
static struct oauth *
make_oauth(struct mailtool_oauth *mo)
{
	struct oauth_settings os;
	struct fb_error err;

	if (mo->source != NULL || mo->url == NULL)
		return mo->source;       /* made once in main; freed there */
	memset(&os, 0, sizeof(os));
	if (mo->secret_file != NULL) {
		if (buf_read_file(&mo->secret, mo->secret_file, 4096) < 0)
			fatal("%s", mo->secret_file);
		buf_rtrim(&mo->secret);
	}
	os.grant = mo->token_file != NULL ? OAUTH_REFRESH_TOKEN : OAUTH_CLIENT_CREDENTIALS;
	os.token_url = mo->url;
	os.client_id = mo->client_id;
	os.client_secret = mo->secret.len ? mo->secret.data : NULL;
	os.scope = mo->scope;
	os.token_file = mo->token_file;
	os.verify = 1;
	os.timeout = 10;
	os.clock = wall_clock;
	mo->source = oauth_new(&os, &err);
	if (mo->source == NULL)
		fatalx("oauth: %s", err.msg);
	return mo->source;
}

static void
fill_transport_settings(struct opts *o, struct transport_settings *s, struct oauth *a)
{
	transport_settings_init(s);
	s->maildir = o->maildir;
	s->url = o->url;
	s->starttls_required = o->starttls_required;
	s->username = o->user;
	s->password = o->password.len ? o->password.data : NULL;
	s->ca_file = o->ca_file;
	s->verify = o->verify;
	s->timeout = o->timeout;
	s->oauth = a;
	s->mech = o->oauth.mech;
}

static int
cmd_smtp_check(struct opts *o)
{
	struct transport_settings s;
	struct oauth *a = make_oauth(&o->oauth);
	struct transport *t;
	struct fb_error err;
	struct buf done = BUF_INIT;
	int rc;

	fill_transport_settings(o, &s, a);
	t = transport_smtp_driver.open(&s, &err);
	if (t == NULL) {
		printf("error %s\n", err.msg);
		return 2;
	}
	rc = transport_smtp_driver.check(t, &done, &err);
	if (rc == 0)
		printf("ok %s\n", done.data);
	else
		printf("error %s\n", err.msg);
	buf_release(&done);
	transport_smtp_driver.close(t);
	return rc == 0 ? 0 : 1;
}

static int
cmd_send(struct opts *o, int nfiles, char **files, int maildir)
{
	struct transport_settings s;
	const struct transport_driver *drv;
	struct transport *t;
	struct fb_error err;
	struct transport_msg *msgs;
	struct buf *data;
	struct oauth *a = make_oauth(&o->oauth);
	int bad = 0, batch = o->batch > 0 ? o->batch : 500;

	fill_transport_settings(o, &s, a);
	s.kind = maildir ? TRANSPORT_MAILDIR : TRANSPORT_SMTP;
	drv = transport_driver_for(s.kind);
	t = drv->open(&s, &err);
	if (t == NULL) {
		printf("error %s\n", err.msg);
		return 2;
	}
	msgs = calloc((size_t)batch, sizeof(*msgs));
	data = calloc((size_t)batch, sizeof(*data));
	if (msgs == NULL || data == NULL)
		fatalx("out of memory");
	for (int first = 0; first < nfiles; first += batch) {
		int n = nfiles - first < batch ? nfiles - first : batch;

		for (int i = 0; i < n; i++) {
			buf_init(&data[i]);
			if (buf_read_file(&data[i], files[first + i], 64 << 20) < 0)
				fatal("%s", files[first + i]);
			msgs[i] = (struct transport_msg){ .sender = o->sender, .rcpts = o->rcpts,
				.nrcpts = o->nrcpts, .data = data[i].data, .len = data[i].len,
				.detail = BUF_INIT };
		}
		if (drv->send(t, msgs, (size_t)n, &err) != MAIL_OK && bad == 0)
			bad = 2;
		for (int i = 0; i < n; i++) {
			printf("%s %s %s\n", files[first + i], mail_result_name(msgs[i].status),
			    buf_failed(&msgs[i].detail) ? "(out of memory for the detail)" :
			    msgs[i].detail.data);
			if (msgs[i].status != MAIL_OK && bad == 0)
				bad = 1;
			buf_release(&msgs[i].detail);
			buf_release(&data[i]);
		}
	}
	fflush(stdout);
	free(msgs);
	free(data);
	drv->close(t);
	return bad;
}

struct fetch_ctx {
	char **ids;
	size_t n, alloc;
	const char *prefix;
};

static enum mail_result
on_message(void *vctx, const struct mailbox_msg *msg)
{
	struct fetch_ctx *ctx = vctx;
	unsigned char md[32];
	char hex[65];

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, msg->data, msg->len, md) < 0)
		return MAIL_STOPPED;
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	printf("%s%s %zu %s\n", ctx->prefix, msg->id, msg->len, hex);
	if (ctx->n == ctx->alloc) {
		size_t na = ctx->alloc ? ctx->alloc * 2 : 64;
		char **ni = realloc(ctx->ids, na * sizeof(*ni));

		if (ni == NULL)
			return MAIL_STOPPED;
		ctx->ids = ni;
		ctx->alloc = na;
	}
	if ((ctx->ids[ctx->n] = strdup(msg->id)) == NULL)
		return MAIL_STOPPED;
	ctx->n++;
	return MAIL_OK;
}

static void
fill_mailbox_settings(struct opts *o, struct mailbox_settings *s)
{
	mailbox_settings_init(s);
	s->kind = o->maildir ? MAILBOX_MAILDIR : MAILBOX_IMAP;
	s->maildir = o->maildir;
	s->url = o->url;
	s->starttls_required = o->starttls_required;
	s->username = o->user;
	s->password = o->password.len ? o->password.data : NULL;
	s->ca_file = o->ca_file;
	s->verify = o->verify;
	s->folder = o->folder;
	s->processed_folder = o->processed;
	s->idle = o->idle;
	s->timeout = o->timeout;
	s->fetch_batch = o->batch > 0 ? (unsigned)o->batch : 0;
	s->oauth = o->oauth.source;
	s->mech = o->oauth.mech;
}

/* Fetch, then mark what was fetched. 0, or -1 (printed). */
static int
fetch_and_mark(const struct mailbox_driver *drv, struct mailbox *mb, struct mailbox_position *pos,
    int mark, const char *prefix)
{
	struct fetch_ctx ctx = { .prefix = prefix };
	struct fb_error err;
	int rc = 0;

	if (drv->fetch_new(mb, pos, on_message, &ctx, NULL, &err) != MAIL_OK) {
		printf("error %s\n", err.msg);
		rc = -1;
	}
	for (size_t i = 0; i < ctx.n; i++) {
		if (mark && rc == 0 && drv->mark_done(mb, ctx.ids[i], &err) != MAIL_OK) {
			printf("error mark %s: %s\n", ctx.ids[i], err.msg);
			rc = -1;
		}
		free(ctx.ids[i]);
	}
	free(ctx.ids);
	fflush(stdout);
	return rc;
}

static int
cmd_fetch(struct opts *o)
{
	struct mailbox_settings s;
	struct mailbox_position pos = { 0, 0, 0 };
	const struct mailbox_driver *drv;
	struct mailbox *mb;
	struct fb_error err;
	int rc;

	fill_mailbox_settings(o, &s);
	if (o->since != NULL && sscanf(o->since, "%" SCNu32 ":%" SCNu32, &pos.uidvalidity, &pos.uid) != 2)
		usage();
	drv = mailbox_driver_for(s.kind);
	for (int pass = 1; o->passes > 0 && pass < o->passes; pass++) {
		struct timespec gap = { o->pass_gap_ms / 1000, (long)(o->pass_gap_ms % 1000) * 1000000L };

		printf("pass %d\n", pass);
		fflush(stdout);
		mb = drv->open(&s, &err);
		if (mb == NULL) {
			printf("error %s\n", err.msg);
		} else {
			fetch_and_mark(drv, mb, &pos, o->mark, "");
			drv->close(mb);
		}
		printf("pass %d done\n", pass);
		fflush(stdout);
		nanosleep(&gap, NULL);
	}
	if (o->passes > 0)
		printf("pass %d\n", o->passes);
	mb = drv->open(&s, &err);
	if (mb == NULL) {
		printf("error %s\n", err.msg);
		return 2;
	}
	rc = fetch_and_mark(drv, mb, &pos, o->mark, "");
	printf("position %" PRIu32 ":%" PRIu32 " changed=%d\n", pos.uidvalidity, pos.uid,
	    pos.uidvalidity_changed);
	drv->close(mb);
	return rc < 0 ? 1 : 0;
}

static long
elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000L + (now.tv_nsec - since->tv_nsec) / 1000000L;
}

static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
	stop_flag = 1;
}

static int
cmd_watch(struct opts *o)
{
	struct mailbox_settings s;
	struct mailbox_position pos = { 0, 0, 0 };
	const struct mailbox_driver *drv;
	struct mailbox *mb;
	struct fb_error err;

	signal(SIGTERM, on_signal);
	fill_mailbox_settings(o, &s);
	drv = mailbox_driver_for(s.kind);
	mb = drv->open(&s, &err);
	if (mb == NULL) {
		printf("error %s\n", err.msg);
		return 2;
	}
	fetch_and_mark(drv, mb, &pos, o->mark, "got ");
	for (int round = 0; round < o->rounds && !stop_flag; round++) {
		struct timespec t0;
		int r;

		printf("waiting\n");
		fflush(stdout);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		enum mail_result res = drv->wait(mb, o->wait_ms, &stop_flag, &r, &err);

		if (res != MAIL_OK && res != MAIL_STOPPED) {
			printf("error %s\n", err.msg);
			drv->close(mb);
			mb = NULL;
			for (int tries = 0; tries < 50 && mb == NULL; tries++) {
				struct timespec ts = { 0, 200 * 1000000L };

				nanosleep(&ts, NULL);
				mb = drv->open(&s, &err);
			}
			if (mb == NULL) {
				printf("error reconnect: %s\n", err.msg);
				return 1;
			}
			printf("reconnected\n");
		} else {
			printf("woke %d %ld\n", r, elapsed_ms(&t0));
		}
		fflush(stdout);
		fetch_and_mark(drv, mb, &pos, o->mark, "got ");
	}
	drv->close(mb);
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o = { .starttls_required = 1, .verify = 1, .mark = 1, .idle = 1, .rounds = 1,
		.wait_ms = 10000, .sender = "feedbackd-test@localhost", .password = BUF_INIT,
		.oauth = { .secret = BUF_INIT } };
	const char *cmd;
	int first, rc;

	log_init("mailtool", LOG_LEVEL_WARNING);
	signal(SIGPIPE, SIG_IGN);  /* libesmtp writes with write(): see include/transport.h */
	if (argc < 2)
		usage();
	cmd = argv[1];
	first = parse(argc - 1, argv + 1, &o) + 1;
	make_oauth(&o.oauth);
	if (strcmp(cmd, "send") == 0) {
		if (o.url == NULL || o.nrcpts == 0)
			usage();
		rc = cmd_send(&o, argc - first, argv + first, 0);
	} else if (strcmp(cmd, "maildir-send") == 0) {
		if (first >= argc)
			usage();
		o.maildir = argv[first];
		rc = cmd_send(&o, argc - first - 1, argv + first + 1, 1);
	} else if (strcmp(cmd, "fetch") == 0) {
		if (o.url == NULL && o.maildir == NULL)
			usage();
		rc = cmd_fetch(&o);
	} else if (strcmp(cmd, "smtp-check") == 0) {
		if (o.url == NULL)
			usage();
		rc = cmd_smtp_check(&o);
	} else if (strcmp(cmd, "watch") == 0) {
		if (o.url == NULL)
			usage();
		rc = cmd_watch(&o);
	} else {
		usage();
	}
	buf_release(&o.password);
	oauth_free(o.oauth.source);
	buf_release(&o.oauth.secret);
	free(o.rcpts);
	return rc;
}
