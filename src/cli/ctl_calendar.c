/*
 * ctl_calendar — feedbackctl calendar: the programme's questionnaire moments in members'
 * calendars (sync, which the daemon also does at every pass from the programme's start) and
 * the whole programme as one calendar file for subscription or import (export). The calendar
 * text is made by the invite module with libical (include/invite.h); nothing here writes .ics.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "flow.h"
#include "invite.h"
#include "outmail.h"
#include "store.h"
#include "banned.h"

static const char calendar_usage[] =
	"usage: feedbackctl calendar sync PROGRAM\n"
	"       feedbackctl calendar export PROGRAM [--member MEMBER] > FILE.ics\n"
	"\n"
	"sync    bring every member's questionnaire moments in their calendar in line with the\n"
	"        plan now: an invite for each moment still ahead, the full event again (SEQUENCE\n"
	"        + 1) when its time changed, a cancel for a member who left or is away that day.\n"
	"        The daemon does the same at every pass from the programme's start.\n"
	"export  the programme as one calendar (METHOD:PUBLISH): every session and every\n"
	"        questionnaire moment; with --member (address, unique name or id) what that\n"
	"        member is invited to, with the UIDs of their invitations.\n";

static int
calendar_sync(struct ctl *c, int argc, char **argv)
{
	struct flow f;
	struct outmail_templates *tpl = NULL;
	struct program p = { 0 };
	struct plan plan = PLAN_INIT;
	struct fb_error err;
	size_t mails = 0;
	int rc = CTL_FAIL;

	if (argc > 1 && argv[1][0] == '-' && argv[1][1] != '\0')
		return ctl_usage_error(calendar_usage, "calendar sync", "unknown option \"%s\"",
		    argv[1]);
	if (ctl_operands(calendar_usage, "calendar sync", argc, argv, 1, 1, 1, "PROGRAM") !=
	    CTL_OK)
		return CTL_USAGE;
	if (ctl_flow_open(c, &f, &tpl) != CTL_OK)
		return CTL_FAIL;
	if (ctl_pick_program(c, argv[1], &p) != CTL_OK)
		goto out;
	if (flow_plan(&f, &p, &plan, &err) < 0 || db_begin(c->db, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	if (invite_moments_sync(&f, &p, &plan, &mails, &err) < 0) {
		db_rollback(c->db);
		ctl_error("%s", err.msg);
		goto out;
	}
	if (db_commit(c->db, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	printf("%s: %zu calendar message%s queued\n", p.name, mails, mails == 1 ? "" : "s");
	rc = CTL_OK;
out:
	plan_release(&plan);
	store_program_release(&p);
	outmail_templates_free(tpl);
	return rc;
}

static int
calendar_export(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "member", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	const char *member = NULL;
	struct flow f;
	struct outmail_templates *tpl = NULL;
	struct program p = { 0 };
	struct member m = { 0 };
	struct buf out = BUF_INIT;
	struct fb_error err;
	size_t n = 0;
	int o, rc = CTL_FAIL, have_m = 0;

	optind = 1;
	opterr = 0; /* ctl_option_error says what is wrong */
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o != 'm')
			return ctl_option_error(calendar_usage, "calendar export", argv, opts);
		member = optarg;
	}
	if (ctl_operands(calendar_usage, "calendar export", argc, argv, optind, 1, 1,
	    "PROGRAM") != CTL_OK)
		return CTL_USAGE;
	if (ctl_flow_open(c, &f, &tpl) != CTL_OK)
		return CTL_FAIL;
	if (ctl_pick_program(c, argv[optind], &p) != CTL_OK)
		goto out;
	if (member != NULL) {
		if (store_member_find(c->db, p.id, 0, member, &m, &err) < 0) {
			ctl_error("%s", err.msg);
			goto out;
		}
		have_m = 1;
	}
	if (invite_export(&f, &p, have_m ? m.id : 0, &out, &n, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
		ctl_error("writing the calendar: %s", "output error");
		goto out;
	}
	fprintf(stderr, "%zu event%s exported\n", n, n == 1 ? "" : "s");
	rc = CTL_OK;
out:
	buf_release(&out);
	if (have_m)
		store_member_release(&m);
	store_program_release(&p);
	outmail_templates_free(tpl);
	return rc;
}

int
ctl_calendar(struct ctl *c, int argc, char **argv)
{
	if (ctl_wants_help(argc, argv))
		return ctl_usage(calendar_usage, 1);
	if (argc < 2)
		return ctl_subcommand_error(calendar_usage, "calendar", argc, argv);
	if (strcmp(argv[1], "sync") == 0)
		return calendar_sync(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "export") == 0)
		return calendar_export(c, argc - 1, argv + 1);
	return ctl_subcommand_error(calendar_usage, "calendar", argc, argv);
}
