/*
 * ctl_oauth — feedbackctl oauth: the OAuth 2.0 side of logging in to the mail servers
 * (include/oauth.h, include/mailauth.h). `login` runs the device-code flow (RFC 8628) once, so
 * a server without a browser gets the refresh token that oauth_grant = refresh_token needs;
 * `token` fetches a token the way the daemon will and says what came back. Neither ever prints
 * a token or a secret: what a token is worth is shown by its grant, endpoint, scope and expiry.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "ctl.h"
#include "mailauth.h"
#include "oauth.h"
#include "banned.h"

static const char oauth_usage[] =
	"usage: feedbackctl oauth login --incoming|--outgoing\n"
	"       feedbackctl oauth token --incoming|--outgoing\n"
	"\n"
	"For [incoming] or [outgoing] with auth = oauth2 (feedbackd.conf(5)).\n"
	"login  sign in once with the device-code flow, for oauth_grant = refresh_token: shows a\n"
	"       web address and a code to enter there (on any computer), waits until the mailbox's\n"
	"       owner has signed in and consented, and stores the refresh token in\n"
	"       oauth_token_file (mode 0600). Run it again when the token is refused.\n"
	"token  fetch an access token as feedbackd would, and show its grant, endpoint, scope and\n"
	"       expiry (never the token); exit 1 with the endpoint's error when it fails.\n";

/* --incoming or --outgoing, exactly one. CTL_OK or CTL_USAGE after saying what is wrong. */
static int
parse_side(int argc, char **argv, const char *cmd, enum mailauth_side *side)
{
	static const struct option opts[] = {
		{ "incoming", no_argument, NULL, 'i' },
		{ "outgoing", no_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, n = 0;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (ch) {
		case 'i': *side = MAILAUTH_INCOMING; n++; break;
		case 'o': *side = MAILAUTH_OUTGOING; n++; break;
		default: return ctl_option_error(oauth_usage, cmd, argv, opts);
		}
	}
	if (n == 0)
		return ctl_usage_error(oauth_usage, cmd, "missing --incoming or --outgoing (which "
		    "section's login)");
	if (n > 1)
		return ctl_usage_error(oauth_usage, cmd, "give one of --incoming and --outgoing, "
		    "not both");
	return ctl_operands(oauth_usage, cmd, argc, argv, optind, 0, 0, "");
}

/* The section's login, built as the daemon builds it: CTL_OK, or CTL_FAIL after saying why. */
static int
open_source(struct ctl *c, enum mailauth_side side, struct mailauth_section *sec,
    struct mailauth *a)
{
	struct config *cfg = ctl_config(c);
	struct fb_error err;

	if (cfg == NULL)
		return CTL_FAIL;
	mailauth_section(cfg, side, sec);
	if (!sec->remote)
		return ctl_error("[%s] %s: no server to log in to, so no token is needed", sec->name,
		    side == MAILAUTH_INCOMING ? "mailbox = maildir" : "transport = maildir");
	if (sec->auth != CONFIG_LOGIN_OAUTH2)
		return ctl_error("[%s] auth = password: set auth = oauth2 and the oauth_ keys "
		    "(feedbackd.conf(5)) to log in with OAuth 2.0", sec->name);
	if (mailauth_load(a, cfg, side, c->wall_clock, NULL, &err) < 0)
		return ctl_error("%s", err.msg);
	return CTL_OK;
}

static const char *
grant_word(const struct mailauth_section *sec)
{
	switch (sec->oauth->grant) {
	case CONFIG_OAUTH_CLIENT_CREDENTIALS: return oauth_grant_name(OAUTH_CLIENT_CREDENTIALS);
	case CONFIG_OAUTH_REFRESH_TOKEN: return oauth_grant_name(OAUTH_REFRESH_TOKEN);
	case CONFIG_OAUTH_SERVICE_ACCOUNT: return oauth_grant_name(OAUTH_SERVICE_ACCOUNT);
	}
	return "?";
}

static int
oauth_token_cmd(struct ctl *c, int argc, char **argv)
{
	enum mailauth_side side = MAILAUTH_INCOMING;
	struct mailauth_section sec;
	struct mailauth a = MAILAUTH_INIT;
	struct buf tok = BUF_INIT, scope = BUF_INIT;
	struct fb_error err;
	time_t expires;
	long minutes;
	int rc;

	if (ctl_wants_help(argc, argv))
		return ctl_usage(oauth_usage, 1);
	if ((rc = parse_side(argc, argv, "oauth token", &side)) != CTL_OK)
		return rc;
	if ((rc = open_source(c, side, &sec, &a)) != CTL_OK)
		return rc;
	rc = CTL_FAIL;
	if (oauth_token(a.oauth, &tok, &err) < 0 ||
	    oauth_describe(a.oauth, &expires, &scope, &err) < 0) {
		ctl_error("[%s] %s", sec.name, err.msg);
		goto out;
	}
	minutes = (long)((expires - c->wall_clock(NULL)) / 60);
	printf("[%s] token for %s (%s)\n", sec.name, sec.username,
	    a.mech == OAUTH_OAUTHBEARER ? "OAUTHBEARER" : "XOAUTH2");
	printf("  grant     %s\n", grant_word(&sec));
	printf("  endpoint  %s\n", oauth_endpoint(a.oauth));
	printf("  scope     %s\n", scope.len ? scope.data : "(none named)");
	printf("  expires   in %ld minute%s\n", minutes, minutes == 1 ? "" : "s");
	rc = CTL_OK;
out:
	if (tok.alloc > 0)
		explicit_bzero(tok.data, tok.alloc);
	buf_release(&tok);
	buf_release(&scope);
	mailauth_release(&a);
	return rc;
}

static void
wait_seconds(int s)
{
	struct timespec ts = { s, 0 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int
oauth_login_cmd(struct ctl *c, int argc, char **argv)
{
	enum mailauth_side side = MAILAUTH_INCOMING;
	struct mailauth_section sec;
	struct mailauth a = MAILAUTH_INIT;
	struct oauth_device dev = { 0 };
	struct buf url = BUF_INIT;
	struct fb_error err;
	int rc, r;

	if (ctl_wants_help(argc, argv))
		return ctl_usage(oauth_usage, 1);
	if ((rc = parse_side(argc, argv, "oauth login", &side)) != CTL_OK)
		return rc;
	if ((rc = open_source(c, side, &sec, &a)) != CTL_OK)
		return rc;
	rc = CTL_FAIL;
	if (sec.oauth->grant != CONFIG_OAUTH_REFRESH_TOKEN) {
		ctl_error("[%s] oauth_grant = %s needs no login (its secret is in the configuration); "
		    "oauth login is for oauth_grant = refresh_token. Check the token with: "
		    "feedbackctl oauth token --%s", sec.name, grant_word(&sec), sec.name);
		goto out;
	}
	if (mailauth_device_url(sec.oauth, &url) < 0) {
		ctl_error("out of memory");
		goto out;
	}
	if (oauth_device_start(a.oauth, url.data, &dev, &err) < 0) {
		ctl_error("[%s] %s", sec.name, err.msg);
		goto out;
	}
	printf("To let feedbackd read and send the mail of %s, sign in as that mailbox:\n"
	    "  open    %s\n  code    %s\n"
	    "Waiting for the sign-in (the code expires in %ld minutes; Ctrl-C gives up) ...\n",
	    sec.username, dev.verification_uri, dev.user_code,
	    (long)((dev.expires - c->wall_clock(NULL) + 59) / 60));
	fflush(stdout);
	for (;;) {
		wait_seconds(dev.interval);
		r = oauth_device_poll(a.oauth, &dev, &err);
		if (r < 0) {
			ctl_error("[%s] %s", sec.name, err.msg);
			goto out;
		}
		if (r == 0)
			break;
	}
	printf("Signed in. The refresh token is in %s (mode 0600); feedbackd uses it from its "
	    "next login.\nCheck it with: feedbackctl oauth token --%s\n", sec.oauth->token_file,
	    sec.name);
	rc = CTL_OK;
out:
	oauth_device_release(&dev);
	buf_release(&url);
	mailauth_release(&a);
	return rc;
}

int
ctl_oauth(struct ctl *c, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "login") == 0)
		return oauth_login_cmd(c, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "token") == 0)
		return oauth_token_cmd(c, argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return ctl_usage(oauth_usage, 1);
	return ctl_subcommand_error(oauth_usage, "oauth", argc, argv);
}
