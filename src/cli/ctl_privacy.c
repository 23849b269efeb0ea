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

#include "ctl.h"
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
	"deleted, the texts of their feedback, reactions, requests and answers removed. Counts,\n"
	"ratings and scores stay for the programme's figures. This cannot be undone.\n";

/* The member named by argv[optind] in the picked programme; CTL_OK or CTL_FAIL. */
static int
find_member(struct ctl *c, const char *program, const char *spec, struct member *m)
{
	struct program p;
	struct fb_error err;
	int rc = CTL_OK;

	if (ctl_pick_program(c, program, &p) != CTL_OK)
		return CTL_FAIL;
	if (store_member_find(c->db, p.id, 0, spec, m, &err) < 0)
		rc = ctl_error("%s", err.msg);
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
refuse_erased(struct ctl *c, const char *spec, const char *what)
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
	return ctl_error("member %lld was erased: nothing personal is kept about them, so there is "
	    "nothing to %s (only anonymous counts and scores remain; see feedbackctl(1), member "
	    "erase)", id, what);
}

static int
parse(int argc, char **argv, const char *usage, const char **program, int *yes)
{
	static const struct option opts[] = {
		{ "program", required_argument, NULL, 'p' },
		{ "yes", no_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'p')
			*program = optarg;
		else if (ch == 'y' && yes != NULL)
			*yes = 1;
		else
			return -1;
	}
	return argc - optind == 1 ? 0 : -1;
}

int
ctl_member_export(struct ctl *c, int argc, char **argv)
{
	const char *program = NULL;
	struct member m;
	struct fb_error err;
	json_t *doc;

	if (parse(argc, argv, export_usage, &program, NULL) < 0)
		return ctl_usage(export_usage, 0);
	if (ctl_db(c) == NULL || refuse_erased(c, argv[optind], "export") != CTL_OK ||
	    find_member(c, program, argv[optind], &m) != CTL_OK)
		return CTL_FAIL;
	if (privacy_export_member(c->db, m.id, &doc, &err) < 0) {
		store_member_release(&m);
		return ctl_error("%s", err.msg);
	}
	store_member_release(&m);
	return ctl_print_json(doc);
}

int
ctl_member_erase(struct ctl *c, int argc, char **argv)
{
	const char *program = NULL;
	struct privacy_counts n = { 0 };
	struct member m;
	struct fb_error err;
	int yes = 0, rc = CTL_OK;

	if (parse(argc, argv, erase_usage, &program, &yes) < 0)
		return ctl_usage(erase_usage, 0);
	if (!yes)
		return ctl_error("member erase cannot be undone: add --yes to erase \"%s\"",
		    argv[optind]);
	if (ctl_db(c) == NULL || refuse_erased(c, argv[optind], "erase again") != CTL_OK ||
	    find_member(c, program, argv[optind], &m) != CTL_OK)
		return CTL_FAIL;
	if (privacy_erase_member(c->db, m.id, &n, &err) < 0)
		rc = ctl_error("%s", err.msg);
	else
		printf("member %lld erased: %ld texts removed, %ld messages deleted, %ld other rows "
		    "(addresses, absences, calendar, tokens)\n", (long long)m.id, n.texts,
		    n.messages, n.other);
	store_member_release(&m);
	return rc;
}
