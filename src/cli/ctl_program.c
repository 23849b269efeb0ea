/*
 * ctl_program — feedbackctl program | team | facilitator: setting a programme up.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "addr.h"
#include "buf.h"
#include "ctl.h"
#include "ctl_facilitator_change.h"
#include "ctl_program_edit.h"
#include "fbtime.h"
#include "store.h"
#include "store_facilitator.h"
#include "store_pause.h"
#include "table.h"
#include "vocab.h"
#include "banned.h"

static const char program_usage[] =
	"usage: feedbackctl program create NAME --start DATE [--weeks N] [--timezone ZONE]\n"
	"                                 [--language nl|en] [--force]\n"
	"       feedbackctl program list [--json]\n"
	"       feedbackctl program show NAME [--json]\n"
	"       feedbackctl program edit NAME [--start DATE] [--weeks N] [--timezone ZONE]\n"
	"                                [--language nl|en] [--yes]\n"
	"       feedbackctl program pause NAME --from DATE --until DATE [--yes]\n"
	"       feedbackctl program resume NAME [--at DATE] [--yes]\n"
	"       feedbackctl program end NAME [--at DATE] [--yes]\n"
	"\n"
	"create  a programme of N weeks (default 10) starting on DATE, a Monday (YYYY-MM-DD);\n"
	"        a start in the past needs --force. Zone and language default to the\n"
	"        configuration's [program] timezone and language.\n"
	"list    all programmes, with their state (planned, week N, paused, ended)\n"
	"show    one programme with its teams, members and facilitators\n"
	"edit, pause, resume, end: plans that change, previewed; applied only with --yes\n"
	"        (feedbackctl program edit --help)\n";

static const char team_usage[] =
	"usage: feedbackctl team add PROGRAM TEAM\n"
	"       feedbackctl team list [PROGRAM] [--json]\n"
	"\n"
	"A team is named by TEAM, or by PROGRAM/TEAM where names repeat across programmes.\n";

static const char facilitator_usage[] =
	"usage: feedbackctl facilitator add TEAM EMAIL [--name NAME]\n"
	"       feedbackctl facilitator list [PROGRAM] [--json]\n"
	"       feedbackctl facilitator remove TEAM FACILITATOR [--yes]\n"
	"       feedbackctl facilitator replace TEAM OLD NEW_EMAIL [--name NAME] [--yes]\n"
	"\n"
	"Facilitators get their team's weekly report and act on it by replying.\n"
	"remove and replace show what changes (reports, session invitations) and apply it\n"
	"only with --yes (feedbackctl facilitator remove --help).\n";

/* The operands of a command that takes no options of its own (argv[0] the command, cmd as
 * typed): an option is named as unknown, a missing operand (names) or an extra one said.
 * CTL_OK with optind on the first operand, or CTL_USAGE. */
static int
operands_only(const char *usage, const char *cmd, int argc, char **argv, int min, int max,
    const char *names)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };

	optind = 1;
	opterr = 0; /* ctl_option_error says what is wrong */
	if (getopt_long(argc, argv, "", none, NULL) != -1)
		return ctl_option_error(usage, cmd, argv, none);
	return ctl_operands(usage, cmd, argc, argv, optind, min, max, names);
}

static const char *
language_name(enum config_language l)
{
	return l == CONFIG_LANGUAGE_EN ? "en" : "nl";
}

/* Start dates must be Mondays: say which weekday it is and offer the Mondays around it. */
static int
check_monday(const struct fb_date *d, const char *text)
{
	int wd = fbtime_weekday(d);
	struct fb_date before, after;
	struct buf b = BUF_INIT, a = BUF_INIT;

	if (wd == 1)
		return CTL_OK;
	before = fbtime_date_add_days(d, 1 - wd);
	after = fbtime_date_add_days(d, 8 - wd);
	fbtime_format_date(&before, &b);
	fbtime_format_date(&after, &a);
	ctl_error("--start %s is a %s; a programme starts on a Monday: %s or %s", text,
	    fbtime_weekday_name(wd), b.data, a.data);
	buf_release(&b);
	buf_release(&a);
	return CTL_FAIL;
}

static int
program_create(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "start", required_argument, NULL, 's' },
		{ "weeks", required_argument, NULL, 'w' },
		{ "timezone", required_argument, NULL, 't' },
		{ "language", required_argument, NULL, 'l' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *start = NULL, *tz, *lang;
	struct program p = { 0 };
	struct fb_date date;
	struct fb_local today;
	struct fb_error err;
	int weeks, force = 0, ch;
	char *end;

	if (ctl_config(c) == NULL)
		return CTL_FAIL;
	tz = c->cfg->program.timezone;
	lang = language_name(c->cfg->program.language);
	weeks = c->cfg->program.weeks;
	optind = 1;
	opterr = 0; /* ctl_option_error says what is wrong */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 's': start = optarg; break;
		case 't': tz = optarg; break;
		case 'l': lang = optarg; break;
		case 'f': force = 1; break;
		case 'w':
			weeks = (int)strtol(optarg, &end, 10);
			if (*end || weeks < 1 || weeks > 52)
				return ctl_error("--weeks %s: a number from 1 to 52", optarg);
			break;
		default: return ctl_option_error(program_usage, "program create", argv, opts);
		}
	}
	if (ctl_operands(program_usage, "program create", argc, argv, optind, 1, 1, "NAME") !=
	    CTL_OK || ctl_required(program_usage, "program create", start, "--start DATE") !=
	    CTL_OK)
		return CTL_USAGE;
	if (argv[optind][0] == '\0')
		return ctl_error("the programme needs a name");
	if (fbtime_parse_date(start, &date, &err) < 0)
		return ctl_error("--start %s: %s", start, err.msg);
	if (check_monday(&date, start) != CTL_OK)
		return CTL_FAIL;
	if (!fbtime_zone_valid(tz))
		return ctl_error("--timezone %s: not a known time zone (use an IANA name such as "
		    "Europe/Amsterdam)", tz);
	if (strcmp(lang, "nl") != 0 && strcmp(lang, "en") != 0)
		return ctl_error("--language %s: accepted values are nl, en", lang);
	if (fbtime_to_local(tz, c->now, &today, &err) < 0)
		return ctl_error("%s", err.msg);
	if (fbtime_date_cmp(&date, &today.date) < 0 && !force)
		return ctl_error("--start %s is in the past (today is %04d-%02d-%02d in %s); "
		    "add --force to create it anyway", start, today.date.year, today.date.month,
		    today.date.day, tz);
	if (ctl_db(c) == NULL)
		return CTL_FAIL;
	p.name = argv[optind];
	snprintf(p.start_date, sizeof(p.start_date), "%04d-%02d-%02d", date.year, date.month,
	    date.day);
	p.weeks = weeks;
	p.timezone = (char *)tz;
	snprintf(p.language, sizeof(p.language), "%s", lang);
	if (store_program_create(c->db, &p, c->now, &err) < 0)
		return ctl_error("%s", err.msg);
	printf("created programme %s: %d weeks from %s (%s, %s)\n", p.name, p.weeks,
	    p.start_date, p.timezone, p.language);
	return CTL_OK;
}

/* The programme with its state and pauses (ctl_program_state()). */
static json_t *
program_json(struct ctl *c, const struct program *p)
{
	struct program_pause_list pl = { NULL, 0 };
	struct buf ended = BUF_INIT;
	json_t *jp = json_array();
	char state[48];

	ctl_program_state(c, p, state, sizeof(state));
	if (store_pause_list(c->db, p->id, &pl, NULL) == 0)
		for (size_t i = 0; i < pl.n; i++)
			json_array_append_new(jp, json_pack("{s:s, s:s}", "from", pl.v[i].from_date,
			    "until", pl.v[i].until_date));
	store_pause_list_release(&pl);
	json_t *j;

	if (p->ended_at != 0)
		fbtime_format_utc(p->ended_at, &ended);
	j = json_pack("{s:I, s:s, s:s, s:i, s:s, s:s, s:s, s:o, s:s?}", "id",
	    (json_int_t)p->id, "name", p->name, "start", p->start_date, "weeks", p->weeks,
	    "timezone", p->timezone, "language", p->language, "state", state, "pauses", jp,
	    "ended_at", ended.data);
	buf_release(&ended);
	return j;
}

static int
program_list(struct ctl *c, int argc, char **argv)
{
	static const char *const head[] = { "ID", "NAME", "START", "WEEKS", "TIMEZONE", "LANG",
	    "STATE" };
	struct program_list l = { 0 };
	struct fb_error err;
	struct table *t;

	if (operands_only(program_usage, "program list", argc, argv, 0, 0, "") != CTL_OK)
		return CTL_USAGE;
	if (ctl_db(c) == NULL)
		return CTL_FAIL;
	if (store_program_list(c->db, &l, &err) < 0)
		return ctl_error("%s", err.msg);
	if (c->json) {
		json_t *a = json_array();

		for (size_t i = 0; i < l.n; i++)
			json_array_append_new(a, program_json(c, &l.v[i]));
		store_program_list_release(&l);
		return ctl_print_json(a);
	}
	t = table_new(7, head);
	for (size_t i = 0; t != NULL && i < l.n; i++) {
		char id[24], weeks[12], state[48];
		const char *row[7] = { id, l.v[i].name, l.v[i].start_date, weeks, l.v[i].timezone,
		    l.v[i].language, state };

		ctl_program_state(c, &l.v[i], state, sizeof(state));
		snprintf(id, sizeof(id), "%lld", (long long)l.v[i].id);
		snprintf(weeks, sizeof(weeks), "%d", l.v[i].weeks);
		table_add(t, row);
	}
	if (t != NULL)
		table_print(t, stdout);
	table_free(t);
	store_program_list_release(&l);
	return CTL_OK;
}

/* state, pauses and an early end, under the programme's settings */
static void
show_state(struct ctl *c, const struct program *p)
{
	struct program_pause_list pl = { NULL, 0 };
	char state[48];

	ctl_program_state(c, p, state, sizeof(state));
	printf("state      %s\n", state);
	if (store_pause_list(c->db, p->id, &pl, NULL) == 0)
		for (size_t i = 0; i < pl.n; i++)
			printf("pause      %s until %s\n", pl.v[i].from_date, pl.v[i].until_date);
	store_pause_list_release(&pl);
	if (p->ended_at != 0) {
		struct buf b = BUF_INIT;

		fbtime_format_local(p->timezone, p->ended_at, &b);
		printf("ended      %s\n", b.data ? b.data : "?");
		buf_release(&b);
	}
}

static int
program_show(struct ctl *c, int argc, char **argv)
{
	struct program p;
	struct team_list teams = { 0 };
	struct member_list members = { 0 };
	struct facilitator_list facs = { 0 };
	struct fb_error err;
	int rc = CTL_OK;

	if (operands_only(program_usage, "program show", argc, argv, 1, 1, "NAME") != CTL_OK)
		return CTL_USAGE;
	if (ctl_pick_program(c, argv[optind], &p) != CTL_OK)
		return CTL_FAIL;
	if (store_team_list(c->db, p.id, &teams, &err) < 0 ||
	    store_member_list(c->db, p.id, 0, &members, &err) < 0 ||
	    store_facilitator_list(c->db, p.id, 0, &facs, &err) < 0) {
		rc = ctl_error("%s", err.msg);
		goto out;
	}
	if (c->json) {
		json_t *j = program_json(c, &p), *jt = json_array();

		for (size_t i = 0; i < teams.n; i++) {
			json_t *jm = json_array(), *jf = json_array();

			for (size_t k = 0; k < members.n; k++)
				if (members.v[k].team_id == teams.v[i].id)
					json_array_append_new(jm, json_pack("{s:I, s:o, s:o, s:o}",
					    "id", (json_int_t)members.v[k].id,
					    "name", ctl_json_text(members.v[k].name),
					    "email", ctl_json_text(members.v[k].address),
					    "status", ctl_json_text(members.v[k].status)));
			for (size_t k = 0; k < facs.n; k++)
				if (facs.v[k].team_id == teams.v[i].id)
					json_array_append_new(jf, json_pack("{s:o, s:o}", "name",
					    ctl_json_text(facs.v[k].name), "email",
					    ctl_json_text(facs.v[k].address)));
			json_array_append_new(jt, json_pack("{s:s, s:o, s:o}", "name",
			    teams.v[i].name, "members", jm, "facilitators", jf));
		}
		json_object_set_new(j, "teams", jt);
		rc = ctl_print_json(j);
		goto out;
	}
	printf("programme  %s (id %lld)\nstart      %s, %d weeks\ntime zone  %s\n"
	    "language   %s\n", p.name, (long long)p.id, p.start_date, p.weeks, p.timezone,
	    p.language);
	show_state(c, &p);
	for (size_t i = 0; i < teams.n; i++) {
		size_t nm = 0;

		for (size_t k = 0; k < members.n; k++)
			nm += members.v[k].team_id == teams.v[i].id;
		printf("\nteam %s: %zu members\n", teams.v[i].name, nm);
		for (size_t k = 0; k < facs.n; k++)
			if (facs.v[k].team_id == teams.v[i].id)
				printf("  facilitator  %s%s%s%s\n", facs.v[k].name ? facs.v[k].name : "",
				    facs.v[k].name ? " <" : "", facs.v[k].address,
				    facs.v[k].name ? ">" : "");
		for (size_t k = 0; k < members.n; k++)
			if (members.v[k].team_id == teams.v[i].id)
				printf("  member       %s <%s>%s\n", members.v[k].name,
				    members.v[k].address,
				    member_status_from_name(members.v[k].status) == MEMBER_ACTIVE ?
				    "" : " (not active)");
	}
	if (teams.n == 0)
		printf("\nno teams yet: feedbackctl team add %s TEAM\n", p.name);
out:
	store_team_list_release(&teams);
	store_member_list_release(&members);
	store_facilitator_list_release(&facs);
	store_program_release(&p);
	return rc;
}

int
ctl_program(struct ctl *c, int argc, char **argv)
{
	if (argc < 2)
		return ctl_subcommand_error(program_usage, "program", argc, argv);
	if (strcmp(argv[1], "edit") == 0 || strcmp(argv[1], "pause") == 0 ||
	    strcmp(argv[1], "resume") == 0 || strcmp(argv[1], "end") == 0) {
		if (ctl_wants_help(argc - 1, argv + 1))
			return ctl_usage(ctl_program_edit_usage, 1);
		if (strcmp(argv[1], "edit") == 0)
			return ctl_program_edit(c, argc - 1, argv + 1);
		if (strcmp(argv[1], "pause") == 0)
			return ctl_program_pause(c, argc - 1, argv + 1);
		if (strcmp(argv[1], "resume") == 0)
			return ctl_program_resume(c, argc - 1, argv + 1);
		return ctl_program_end(c, argc - 1, argv + 1);
	}
	if (ctl_wants_help(argc, argv))
		return ctl_usage(program_usage, 1);
	if (strcmp(argv[1], "create") == 0)
		return program_create(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return program_list(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return program_show(c, argc - 1, argv + 1);
	return ctl_subcommand_error(program_usage, "program", argc, argv);
}

static int
team_list(struct ctl *c, int argc, char **argv)
{
	static const char *const head[] = { "PROGRAMME", "TEAM", "MEMBERS", "FACILITATORS" };
	struct program p = { 0 };
	struct team_list l = { 0 };
	struct fb_error err;
	json_t *a = NULL;
	struct table *t = NULL;

	if (operands_only(team_usage, "team list", argc, argv, 0, 1, "PROGRAM") != CTL_OK)
		return CTL_USAGE;
	if (ctl_db(c) == NULL)
		return CTL_FAIL;
	if (optind < argc && ctl_pick_program(c, argv[optind], &p) != CTL_OK)
		return CTL_FAIL;
	if (store_team_list(c->db, p.id, &l, &err) < 0) {
		store_program_release(&p);
		return ctl_error("%s", err.msg);
	}
	if (c->json)
		a = json_array();
	else
		t = table_new(4, head);
	for (size_t i = 0; i < l.n; i++) {
		struct member_list m = { 0 };
		struct facilitator_list f = { 0 };
		char nm[24], nf[24];
		const char *row[4] = { l.v[i].program_name, l.v[i].name, nm, nf };

		store_member_list(c->db, 0, l.v[i].id, &m, NULL);
		store_facilitator_list(c->db, 0, l.v[i].id, &f, NULL);
		snprintf(nm, sizeof(nm), "%zu", m.n);
		snprintf(nf, sizeof(nf), "%zu", f.n);
		if (a)
			json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:I}", "program",
			    l.v[i].program_name, "team", l.v[i].name, "members", (json_int_t)m.n,
			    "facilitators", (json_int_t)f.n));
		else if (t)
			table_add(t, row);
		store_member_list_release(&m);
		store_facilitator_list_release(&f);
	}
	store_team_list_release(&l);
	store_program_release(&p);
	if (a)
		return ctl_print_json(a);
	if (t)
		table_print(t, stdout);
	table_free(t);
	return CTL_OK;
}

int
ctl_team(struct ctl *c, int argc, char **argv)
{
	struct program p;
	struct fb_error err;

	const char *team;

	if (ctl_wants_help(argc, argv))
		return ctl_usage(team_usage, 1);
	if (argc < 2)
		return ctl_subcommand_error(team_usage, "team", argc, argv);
	if (strcmp(argv[1], "list") == 0)
		return team_list(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "add") != 0)
		return ctl_subcommand_error(team_usage, "team", argc, argv);
	if (operands_only(team_usage, "team add", argc - 1, argv + 1, 2, 2, "PROGRAM TEAM") !=
	    CTL_OK)
		return CTL_USAGE;
	/* optind counts from argv + 1 */
	team = argv[optind + 2];
	if (team[0] == '\0')
		return ctl_error("the team needs a name");
	if (ctl_pick_program(c, argv[optind + 1], &p) != CTL_OK)
		return CTL_FAIL;
	if (store_team_add(c->db, p.id, team, c->now, NULL, &err) < 0) {
		store_program_release(&p);
		return ctl_error("%s", err.msg);
	}
	printf("added team %s to programme %s\n", team, p.name);
	store_program_release(&p);
	return CTL_OK;
}

static int
facilitator_list(struct ctl *c, int argc, char **argv)
{
	static const char *const head[] = { "TEAM", "NAME", "EMAIL" };
	struct program p = { 0 };
	struct facilitator_list l = { 0 };
	struct fb_error err;

	if (operands_only(facilitator_usage, "facilitator list", argc, argv, 0, 1, "PROGRAM") !=
	    CTL_OK)
		return CTL_USAGE;
	if (ctl_pick_program(c, optind < argc ? argv[optind] : NULL, &p) != CTL_OK)
		return CTL_FAIL;
	if (store_facilitator_list(c->db, p.id, 0, &l, &err) < 0) {
		store_program_release(&p);
		return ctl_error("%s", err.msg);
	}
	store_program_release(&p);
	if (c->json) {
		json_t *a = json_array();

		for (size_t i = 0; i < l.n; i++)
			json_array_append_new(a, json_pack("{s:s, s:s?, s:s}", "team",
			    l.v[i].team_name, "name", l.v[i].name, "email", l.v[i].address));
		store_facilitator_list_release(&l);
		return ctl_print_json(a);
	}
	struct table *t = table_new(3, head);

	for (size_t i = 0; t != NULL && i < l.n; i++) {
		const char *row[3] = { l.v[i].team_name, l.v[i].name, l.v[i].address };

		table_add(t, row);
	}
	if (t)
		table_print(t, stdout);
	table_free(t);
	store_facilitator_list_release(&l);
	return CTL_OK;
}

int
ctl_facilitator(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL;
	struct buf addr = BUF_INIT;
	struct team team;
	struct fb_error err;
	int ch, rc;

	if (argc < 2)
		return ctl_subcommand_error(facilitator_usage, "facilitator", argc, argv);
	if (strcmp(argv[1], "remove") == 0 || strcmp(argv[1], "replace") == 0) {
		if (ctl_wants_help(argc - 1, argv + 1))
			return ctl_usage(ctl_facilitator_change_usage, 1);
		return strcmp(argv[1], "remove") == 0 ?
		    ctl_facilitator_remove(c, argc - 1, argv + 1) :
		    ctl_facilitator_replace(c, argc - 1, argv + 1);
	}
	if (ctl_wants_help(argc, argv))
		return ctl_usage(facilitator_usage, 1);
	if (strcmp(argv[1], "list") == 0)
		return facilitator_list(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "add") != 0)
		return ctl_subcommand_error(facilitator_usage, "facilitator", argc, argv);
	argc--;
	argv++;
	optind = 1;
	opterr = 0; /* ctl_option_error says what is wrong */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'n')
			return ctl_option_error(facilitator_usage, "facilitator add", argv, opts);
		name = optarg;
	}
	if (ctl_operands(facilitator_usage, "facilitator add", argc, argv, optind, 2, 2,
	    "TEAM EMAIL") != CTL_OK)
		return CTL_USAGE;
	if (addr_parse(argv[optind + 1], &addr, NULL, &err) < 0)
		return ctl_error("%s", err.msg);
	if (ctl_db(c) == NULL || store_team_get(c->db, argv[optind], &team, &err) < 0) {
		buf_release(&addr);
		return c->db ? ctl_error("%s", err.msg) : CTL_FAIL;
	}
	/* someone removed earlier comes back on their old row (their ratings stay theirs) */
	rc = store_facilitator_restore(c->db, team.id, addr.data, name, &(int64_t){ 0 }, &err);
	if (rc == 1)
		rc = store_facilitator_add(c->db, team.id, name, addr.data, c->now, NULL, &err);
	if (rc < 0)
		ctl_error("%s", err.msg);
	else
		printf("%s is a facilitator of team %s\n", addr.data, team.name);
	store_team_release(&team);
	buf_release(&addr);
	return rc < 0 ? CTL_FAIL : CTL_OK;
}
