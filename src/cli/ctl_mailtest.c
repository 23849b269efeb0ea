/*
 * ctl_mailtest — feedbackctl mail test: log in to the configured mail servers the way the
 * daemon will, send nothing and read nothing, and say per server what worked and exactly what
 * failed. The settings are filled as src/daemon/daemon.c fills them, the logins built by
 * mailauth (password or OAuth token source), and the drivers do the talking: the mailbox
 * driver's open() (IMAP: connect, TLS, login, select the folder; Maildir: make it ready) and
 * the transport's check() (SMTP: connect, EHLO, STARTTLS, AUTH, then the session ends where
 * MAIL FROM would go; Maildir: writable). Each driver's error names the failing step (DNS,
 * connect, TLS verification, the AUTH reply, the token endpoint's error).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "ctl.h"
#include "mailauth.h"
#include "mailbox.h"
#include "transport.h"
#include "banned.h"

static const char mail_usage[] =
	"usage: feedbackctl mail test [--incoming|--outgoing]\n"
	"\n"
	"test  log in to the mail servers of feedbackd.conf as the daemon will, without sending\n"
	"      or reading mail: [incoming] (IMAP: connect, TLS, login, select the folder; a Maildir\n"
	"      is local: made ready) and [outgoing] (SMTP: connect, EHLO, STARTTLS, AUTH, then the\n"
	"      session ends before MAIL FROM; a Maildir: writable). One line per server saying what\n"
	"      worked, or exactly what failed (DNS, connect, TLS verification, AUTH refused with the\n"
	"      server's reply, the OAuth token endpoint's error). Exit 0 only when every server\n"
	"      tested works. --incoming or --outgoing tests that one only.\n";

/* The [incoming] mailbox: open() logs in and selects; close() logs out. CTL_OK or CTL_FAIL. */
static int
test_incoming(struct ctl *c, const struct config *cfg)
{
	const struct config_incoming *in = &cfg->incoming;
	struct mailauth a = MAILAUTH_INIT;
	struct mailbox_settings ms;
	const struct mailbox_driver *drv;
	struct mailbox *mb;
	struct buf name = BUF_INIT;
	struct fb_error err;

	if (mailauth_load(&a, cfg, MAILAUTH_INCOMING, c->wall_clock, NULL, &err) < 0) {
		printf("incoming: FAILED %s\n", err.msg);
		return CTL_FAIL;
	}
	mailauth_mailbox_settings(cfg, &a, &ms);
	ms.idle = 0;
	ms.read_only = 1;       /* EXAMINE: a test takes no \Recent and creates no folder */
	ms.processed_folder = NULL;
	drv = mailbox_driver_for(ms.kind);
	if (drv->name_of(&ms, &name) < 0)
		buf_reset(&name);
	mb = drv->open(&ms, &err);
	if (mb == NULL) {
		printf("incoming: FAILED %s: %s\n", name.data, err.msg);
	} else if (drv->flags & MAILBOX_LOCAL) {
		printf("incoming: ok %s: local, nothing to log in to; ready to read\n", name.data);
	} else {
		printf("incoming: ok %s: logged in as %s (%s), %s selected\n", name.data,
		    ms.username, a.oauth == NULL ? "password" : a.mech == OAUTH_OAUTHBEARER ?
		    "OAuth 2.0, OAUTHBEARER" : "OAuth 2.0, XOAUTH2", in->folder);
	}
	if (mb != NULL)
		drv->close(mb);
	buf_release(&name);
	mailauth_release(&a);
	return mb != NULL ? CTL_OK : CTL_FAIL;
}

/* The [outgoing] transport: open() checks the settings, check() logs in. CTL_OK or CTL_FAIL. */
static int
test_outgoing(struct ctl *c, const struct config *cfg)
{
	struct mailauth a = MAILAUTH_INIT;
	struct transport_settings ts;
	const struct transport_driver *drv;
	struct transport *t;
	struct buf done = BUF_INIT;
	struct fb_error err;
	int rc = CTL_FAIL;

	if (mailauth_load(&a, cfg, MAILAUTH_OUTGOING, c->wall_clock, NULL, &err) < 0) {
		printf("outgoing: FAILED %s\n", err.msg);
		return CTL_FAIL;
	}
	mailauth_transport_settings(cfg, &a, &ts);
	drv = transport_driver_for(ts.kind);
	t = drv->open(&ts, &err);
	if (t == NULL) {
		printf("outgoing: FAILED %s\n", err.msg);
	} else if (drv->check(t, &done, &err) < 0) {
		printf("outgoing: FAILED %s\n", err.msg);
	} else {
		printf("outgoing: ok %s\n", done.data);
		rc = CTL_OK;
	}
	drv->close(t);
	buf_release(&done);
	mailauth_release(&a);
	return rc;
}

static int
mail_test(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "incoming", no_argument, NULL, 'i' },
		{ "outgoing", no_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const struct config *cfg;
	int ch, in = 0, out = 0, rc = CTL_OK;

	if (ctl_wants_help(argc, argv))
		return ctl_usage(mail_usage, 1);
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (ch) {
		case 'i': in = 1; break;
		case 'o': out = 1; break;
		default: return ctl_option_error(mail_usage, "mail test", argv, opts);
		}
	}
	if ((rc = ctl_operands(mail_usage, "mail test", argc, argv, optind, 0, 0, "")) != CTL_OK)
		return rc;
	if (!in && !out)
		in = out = 1;
	if ((cfg = ctl_config(c)) == NULL)
		return CTL_FAIL;
	/* The SMTP driver ends its session by shutting the socket down under libesmtp, whose
	 * next write() then fails: with EPIPE, not a SIGPIPE that kills us (include/transport.h). */
	signal(SIGPIPE, SIG_IGN);
	/* Both are tried whatever the first says: the coordinator wants the whole picture. */
	if (in && test_incoming(c, cfg) != CTL_OK)
		rc = CTL_FAIL;
	if (out && test_outgoing(c, cfg) != CTL_OK)
		rc = CTL_FAIL;
	fflush(stdout);
	return rc;
}

int
ctl_mail(struct ctl *c, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "test") == 0)
		return mail_test(c, argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return ctl_usage(mail_usage, 1);
	return ctl_subcommand_error(mail_usage, "mail", argc, argv);
}
