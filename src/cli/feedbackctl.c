/*
 * feedbackctl — the coordinator's command line. main() reads the global options (which may
 * stand anywhere before "--": -c FILE, --now TIME, --json), reads the clock once when no --now
 * is given, and hands the rest to one command group.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "confpath.h"
#include "ctl.h"
#include "ctl_inspect.h"
#include "db.h"
#include "fbtime.h"
#include "log.h"
#include "banned.h"

static const char usage[] =
	"usage: feedbackctl [-c FILE] [--now TIME] [--json] COMMAND [ARGS]\n"
	"\n"
	"Set up and follow a feedback programme. Every command has --help.\n"
	"\n"
	"  program create|list|show|edit|pause|resume|end\n"
	"                                              a run of the 10-week method; its changes\n"
	"  team add|list                               teams of a programme\n"
	"  facilitator add|list|remove|replace         who gets a team's weekly report\n"
	"  member add|import|list|update|remove|absent|reachable|export|erase\n"
	"                                              the people in a team\n"
	"  plan PROGRAM                                the programme's timeline in local time\n"
	"  outbox list|show|retry|add                  mail queued, sent, failed\n"
	"  inbox list|show|reapply                     mail read, and what became of it\n"
	"  quarantine list|show|apply|drop             replies held because of their sender\n"
	"  status TEAM [--week N]                      given / received / requested per member\n"
	"  measurement status PROGRAM                  response and scores per questionnaire\n"
	"  session schedule|move|cancel|sync|list|show\n"
	"                                              sessions: invitations and answers\n"
	"  calendar sync|export                        questionnaire moments in calendars; .ics\n"
	"  inspect [FILE|-]                            how a raw email is read (no database)\n"
	"  report weekly|progress|evaluation|actions   facilitators' reports (--send mails them);\n"
	"                                              improvement actions sent in reply\n"
	"  preview KIND --member M                     the mail the daemon would send, before it goes\n"
	"  overview PROGRAM                            the programme on one screen: week, teams, mail\n"
	"  oauth login|token --incoming|--outgoing     OAuth 2.0 sign-in (device code); check a token\n"
	"  mail test [--incoming|--outgoing]           log in to the mail servers, say what fails\n"
	"\n"
	"Global options:\n"
	CONFPATH_HELP
	"  --now TIME          act as if it were TIME (ISO 8601: 2027-01-04T09:00, local to the\n"
	"                      configured time zone unless it ends in Z or +01:00)\n"
	"  --json              machine-readable output where a command offers it\n";

static const struct {
	const char *name;
	int (*run)(struct ctl *, int, char **);
} commands[] = {
	{ "program", ctl_program },
	{ "team", ctl_team },
	{ "facilitator", ctl_facilitator },
	{ "member", ctl_member },
	{ "plan", ctl_plan },
	{ "outbox", ctl_outbox },
	{ "inbox", ctl_inbox },
	{ "quarantine", ctl_quarantine },
	{ "status", ctl_status },
	{ "measurement", ctl_measure },
	{ "report", ctl_report },
	{ "calendar", ctl_calendar },
	{ "session", ctl_session },
	{ "preview", ctl_preview },
	{ "overview", ctl_overview },
	{ "oauth", ctl_oauth },
	{ "mail", ctl_mail },
};

/* The real time, also under --now: OAuth tokens expire by it (ctl.h). */
static time_t
wall_clock(void *arg)
{
	(void)arg;
	return time(NULL);
}

/* Take the global options out of argv (in place); returns the new argc, or -1 on a bad one. */
static int
take_global_options(struct ctl *c, int argc, char **argv, const char **now_text)
{
	int out = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
		if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0 || strcmp(a, "--now") == 0) {
			if (i + 1 >= argc) {
				ctl_error("%s needs a value", a);
				return -1;
			}
			if (strcmp(a, "--now") == 0)
				*now_text = argv[++i];
			else
				c->config_path = argv[++i];
		} else if (strncmp(a, "--now=", 6) == 0) {
			*now_text = a + 6;
		} else if (strncmp(a, "--config=", 9) == 0) {
			c->config_path = a + 9;
		} else if (strcmp(a, "--json") == 0) {
			c->json = 1;
		} else {
			argv[out++] = argv[i];
		}
	}
	argv[out] = NULL;
	return out;
}

int
main(int argc, char **argv)
{
	struct ctl c = { .wall_clock = wall_clock };
	const char *now_text = NULL;
	int rc = CTL_USAGE;

	log_init("feedbackctl", LOG_LEVEL_WARNING);
	/* inspect needs no configuration or database: hand it its own arguments untouched
	 * (global options before it, such as -c, change nothing for it). */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "inspect") == 0)
			return ctl_inspect(argc - i, argv + i);
		if (strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0 ||
		    strcmp(argv[i], "--now") == 0)
			i++;
		else if (argv[i][0] != '-' || strcmp(argv[i], "--") == 0)
			break;
	}
	argc = take_global_options(&c, argc, argv, &now_text);
	if (argc < 0)
		return CTL_USAGE;
	if (argc < 2) {
		ctl_error("missing COMMAND");
		return ctl_usage(usage, 0);
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return ctl_usage(usage, 1);
	if (now_text != NULL) {
		struct fb_error err;

		if (ctl_config(&c) == NULL)
			return CTL_FAIL;
		if (fbtime_parse(now_text, c.cfg->program.timezone, &c.now, &err) < 0) {
			ctl_error("--now %s: %s", now_text, err.msg);
			goto out;
		}
	} else {
		c.now = time(NULL); /* the one place feedbackctl reads the clock */
	}
	rc = -1;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			rc = commands[i].run(&c, argc - 1, argv + 1);
	if (rc < 0) {
		ctl_error("unknown command \"%s\"; see feedbackctl --help", argv[1]);
		rc = CTL_USAGE;
	}
out:
	db_close(c.db);
	config_free(c.cfg);
	fbtime_cleanup();
	return rc;
}
