/*
 * ctl_privacy — feedbackctl member export / member erase: a member's data on request, and
 * forgetting a member. The policy lives in include/privacy.h and feedbackctl(1).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "ctl.h"
#include "mailauth.h"
#include "mailbox.h"
#include "privacy.h"
#include "store.h"
#include "banned.h"

static const char export_usage[] =
	"usage: feedbackctl member export MEMBER [--program PROGRAM]\n"
	"\n"
	"Everything stored about MEMBER (an address, a name unique in the programme, or an id) as\n"
	"JSON: addresses, absences, feedback given and received with its texts, requests,\n"
	"reactions, answers, attendance, and the mail received from or sent to them.\n";

static const char erase_usage[] =
	"usage: feedbackctl member erase MEMBER [--program PROGRAM] --yes\n"
	"\n"
	"Forget MEMBER: the name is replaced, addresses, absences and all mail from or to them are\n"
	"deleted, the texts of their feedback, reactions, requests and answers removed, and so is\n"
	"the text of other people's mail that names or quotes them (mail not yet sent is dropped).\n"
	"The received messages are also removed from the mailbox feedbackd reads (the Maildir, or\n"
	"the IMAP folder and processed folder). The database is then vacuumed and its WAL\n"
	"truncated, so nothing of them is left in the files. Counts, ratings and scores stay for\n"
	"the programme's figures. Mail already handed to the transport is delivered and out of\n"
	"feedbackd's hands. This cannot be undone.\n";

/* The member named by argv[optind] in the picked programme (ctl_member_pick; exact: no start
 * of a name is taken); CTL_OK or CTL_FAIL. */
static int
find_member(struct ctl *c, const char *program, const char *spec, int exact, struct member *m)
{
	struct program p;
	int rc;

	if (ctl_pick_program(c, program, &p) != CTL_OK)
		return CTL_FAIL;
	rc = ctl_member_pick(c, p.id, spec, exact, m);
	store_program_release(&p);
	return rc;
}

/*
 * The member lookup leaves erased members out (their name and addresses are gone). When it
 * finds nobody and spec names an erased member by id ("17") or by the name the erase gave it
 * ("erased member 17"), say that rather than "no member": the request was already answered.
 * CTL_FAIL after saying so, CTL_OK when spec is no erased member's.
 */
static int
refuse_erased(struct ctl *c, const char *spec, const char *what, int *was_erased)
{
	static const char prefix[] = "erased member ";
	struct fb_error err;
	const char *num = spec;
	char *end;
	long long id;
	int erased;

	if (strncasecmp(spec, prefix, sizeof(prefix) - 1) == 0)
		num = spec + sizeof(prefix) - 1;
	errno = 0;
	id = strtoll(num, &end, 10);
	if (errno || *end || end == num || id <= 0)
		return CTL_OK;
	erased = privacy_member_erased(c->db, id, &err);
	if (erased < 0)
		return ctl_error("%s", err.msg);
	if (erased == 0)
		return CTL_OK;
	if (was_erased != NULL)
		*was_erased = 1;
	return ctl_error("member %lld was erased: nothing personal is kept about them, so there is "
	    "nothing to %s (only anonymous counts and scores remain; see feedbackctl(1), member "
	    "erase)", id, what);
}

/* The arguments of member export|erase (cmd): CTL_OK, or CTL_USAGE after saying what is
 * wrong. */
static int
parse(int argc, char **argv, const char *usage, const char *cmd, const char **program,
    int *yes)
{
	static const struct option opts[] = {
		{ "program", required_argument, NULL, 'p' },
		{ "yes", no_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	optind = 1;
	opterr = 0; /* ctl_option_error says what is wrong */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'p')
			*program = optarg;
		else if (ch == 'y' && yes != NULL)
			*yes = 1;
		else if (ch == 'y')
			return ctl_usage_error(usage, cmd, "--yes is for member erase; export "
			    "changes nothing");
		else
			return ctl_option_error(usage, cmd, argv, opts);
	}
	return ctl_operands(usage, cmd, argc, argv, optind, 1, 1, "MEMBER");
}

int
ctl_member_export(struct ctl *c, int argc, char **argv)
{
	const char *program = NULL;
	struct member m;
	struct fb_error err;
	json_t *doc;

	if (parse(argc, argv, export_usage, "member export", &program, NULL) != CTL_OK)
		return CTL_USAGE;
	if (ctl_db(c) == NULL || refuse_erased(c, argv[optind], "export", NULL) != CTL_OK ||
	    find_member(c, program, argv[optind], 0, &m) != CTL_OK)
		return CTL_FAIL;
	if (privacy_export_member(c->db, m.id, &doc, &err) < 0) {
		store_member_release(&m);
		return ctl_error("%s", err.msg);
	}
	store_member_release(&m);
	return ctl_print_json(doc);
}

/*
 * Removing the mailbox copies of the erased member's mail. A source is "MAILBOX ID" as the
 * inbox pass stored it: "maildir:PATH ID", or "imap://HOST:PORT/FOLDER UIDVALIDITY:UID". A
 * Maildir is reached at its path, whatever the configuration says now; an IMAP mailbox only when
 * it is the configured one (the password is in the configuration).
 */
struct erase_mail {
	struct ctl *c;
	const struct mailbox_driver *drv;
	struct mailbox *mb;        /* open: the mailbox named by name */
	struct buf name;
	struct mailauth auth;      /* the configured mailbox's password or token source */
	long removed, absent, unreachable;
};

static void
erase_mail_close(struct erase_mail *e)
{
	if (e->mb != NULL)
		e->drv->close(e->mb);
	e->mb = NULL;
	buf_reset(&e->name);
}

/* Open the mailbox called name (len bytes): 1 open, 0 not reachable from here, -1 with err. */
static int
erase_mail_open(struct erase_mail *e, const char *name, size_t len, struct fb_error *err)
{
	struct mailbox_settings ms;
	struct config *cfg;
	struct buf path = BUF_INIT, conf_name = BUF_INIT;
	struct stat sb;
	const struct mailbox_driver *drv;
	size_t at;
	int rc = 0;

	if (e->mb != NULL && e->name.len == len && memcmp(e->name.data, name, len) == 0)
		return 1;
	erase_mail_close(e);
	mailbox_settings_init(&ms);
	if ((drv = mailbox_driver_local(name, len, &at)) != NULL) {
		if (buf_add(&path, name + at, len - at) < 0) {
			rc = fb_error_set(err, "out of memory");
			goto out;
		}
		/* Gone already (or never here): nothing to remove, and nothing to create. */
		if (stat(path.data, &sb) != 0 || !S_ISDIR(sb.st_mode))
			goto out;
		ms.kind = drv->kind;
		ms.maildir = path.data;
	} else {
		const struct config_incoming *in;

		if ((cfg = ctl_config(e->c)) == NULL) {
			rc = fb_error_set(err, "the configuration is needed to reach the mailbox");
			goto out;
		}
		in = &cfg->incoming;
		/* Only the configured mailbox, named as the inbox pass names it (a local one was
		 * found by its name above). */
		ms.kind = in->mailbox == CONFIG_MAILBOX_IMAP ? MAILBOX_IMAP : MAILBOX_MAILDIR;
		ms.maildir = in->maildir;
		ms.url = in->url.url;
		ms.folder = in->folder;
		drv = mailbox_driver_for(ms.kind);
		if (drv->name_of(&ms, &conf_name) < 0) {
			rc = fb_error_set(err, "out of memory");
			goto out;
		}
		if (conf_name.len != len || memcmp(conf_name.data, name, len) != 0)
			goto out;
		mailauth_release(&e->auth);
		if (mailauth_load(&e->auth, cfg, MAILAUTH_INCOMING, e->c->wall_clock, NULL,
		    err) < 0) {
			rc = -1;
			goto out;
		}
		mailauth_mailbox_settings(cfg, &e->auth, &ms);
		ms.idle = 0;
	}
	e->drv = drv;
	e->mb = e->drv->open(&ms, err);
	if (e->mb == NULL) {
		rc = -1;
		goto out;
	}
	if (buf_add(&e->name, name, len) < 0) {
		erase_mail_close(e);
		rc = fb_error_set(err, "out of memory");
		goto out;
	}
	rc = 1;
out:
	buf_release(&path);
	buf_release(&conf_name);
	return rc;
}

static int
erase_mail_one(void *ctx, const char *source, const char *message_id, struct fb_error *err)
{
	struct erase_mail *e = ctx;
	const char *sp = strrchr(source, ' ');
	struct fb_error why;
	enum mail_result res;
	int r, found;

	/* Not "MAILBOX ID" (a row written by hand or by an old version): no copy to find. */
	if (sp == NULL || sp == source || sp[1] == '\0')
		return 0;
	r = erase_mail_open(e, source, (size_t)(sp - source), &why);
	if (r < 0)
		return fb_error_set(err, "%s; nothing was erased: try again when the mailbox can be "
		    "reached", why.msg);
	if (r == 0) {
		fprintf(stderr, "feedbackctl: %.*s is not the configured mailbox: remove message %s "
		    "(Message-ID %s) there by hand\n", (int)(sp - source), source, sp + 1,
		    message_id ? message_id : "none");
		e->unreachable++;
		return 0;
	}
	res = e->drv->remove(e->mb, sp + 1, message_id, &found, &why);
	if (res != MAIL_OK)
		return fb_error_set(err, "%s; nothing was erased: try again", why.msg);
	if (found)
		e->removed++;
	else
		e->absent++;
	return 0;
}

int
ctl_member_erase(struct ctl *c, int argc, char **argv)
{
	const char *program = NULL;
	struct privacy_counts n = { 0 };
	struct erase_mail e = { .c = c, .name = BUF_INIT, .auth = MAILAUTH_INIT };
	struct member m;
	struct fb_error err;
	int yes = 0, was_erased = 0, rc = CTL_OK;

	if (parse(argc, argv, erase_usage, "member erase", &program, &yes) != CTL_OK)
		return CTL_USAGE;
	if (!yes)
		return ctl_error("member erase cannot be undone: add --yes to erase \"%s\"",
		    argv[optind]);
	if (ctl_db(c) == NULL)
		return CTL_FAIL;
	if (refuse_erased(c, argv[optind], "erase again", &was_erased) != CTL_OK) {
		/* Done before; an earlier run may not have emptied the WAL (a busy reader): the
		 * compaction is repeated, so running the erase again is the remedy it named. */
		if (was_erased && privacy_compact(c->db, &err) < 0)
			ctl_error("%s", err.msg);
		return CTL_FAIL;
	}
	if (find_member(c, program, argv[optind], 1, &m) != CTL_OK)
		return CTL_FAIL;
	if (privacy_erase_member(c->db, m.id, &n, erase_mail_one, &e, &err) < 0) {
		rc = ctl_error("%s", err.msg);
	} else {
		printf("member %lld erased: %ld texts removed, %ld messages deleted or emptied, "
		    "%ld other rows (addresses, absences, calendar, tokens); %ld received messages "
		    "removed from the mailbox\n", (long long)m.id, n.texts, n.messages, n.other,
		    e.removed);
		if (e.unreachable > 0)
			rc = ctl_error("%ld received messages are in a mailbox that is not the "
			    "configured one (named above): remove them there by hand", e.unreachable);
	}
	erase_mail_close(&e);
	buf_release(&e.name);
	mailauth_release(&e.auth);
	store_member_release(&m);
	return rc;
}
