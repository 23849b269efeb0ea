/*
 * ctl_member — feedbackctl member: add, import from CSV, list, mark absent, reachable again,
 * and the dispatch of the group. member update and remove live in ctl_member_change.c, import
 * --sync in ctl_member_sync.c, export and erase in ctl_privacy.c; what they share (the usage,
 * the MEMBER matcher) in ctl_member_common.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "ctl.h"
#include "fbtime.h"
#include "flow.h"
#include "roster.h"
#include "store.h"
#include "store_bounce.h"
#include "table.h"
#include "vocab.h"
#include "banned.h"

/* A member list larger than this is not a team's roster but a mistake. */
#define IMPORT_MAX_BYTES (16 * 1024 * 1024)

static int
member_add(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timezone", required_argument, NULL, 't' },
		{ "language", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	const char *tz = NULL, *lang = NULL;
	struct buf addr = BUF_INIT;
	struct team team;
	struct fb_error err;
	int ch, rc = CTL_FAIL;

	optind = 1;
	opterr = 0; /* ctl_option_error says what is wrong */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 't')
			tz = optarg;
		else if (ch == 'l')
			lang = optarg;
		else
			return ctl_option_error(ctl_member_usage(), "member add", argv, opts);
	}
	if (ctl_operands(ctl_member_usage(), "member add", argc, argv, optind, 3, 3,
	    "TEAM NAME EMAIL") != CTL_OK)
		return CTL_USAGE;
	if (argv[optind + 1][0] == '\0')
		return ctl_error("the member needs a name");
	if (addr_parse(argv[optind + 2], &addr, NULL, &err) < 0 ||
	    ctl_member_check_fields(tz, lang, &err) < 0) {
		buf_release(&addr);
		return ctl_error("%s", err.msg);
	}
	if (ctl_db(c) == NULL)
		goto out;
	if (store_team_get(c->db, argv[optind], &team, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	if (store_member_add(c->db, team.id, argv[optind + 1], addr.data, tz, lang, c->now, NULL,
	    &err) < 0)
		ctl_error("%s", err.msg);
	else {
		printf("added %s <%s> to team %s\n", argv[optind + 1], addr.data, team.name);
		rc = CTL_OK;
	}
	store_team_release(&team);
out:
	buf_release(&addr);
	return rc;
}

/* member import without --sync given other than TEAM FILE: an option it does not know, or
 * which operand is missing or extra. CTL_USAGE. */
static int
import_usage_error(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			return ctl_usage_error(ctl_member_usage(), "member import",
			    "unknown option \"%.*s\"", (int)strcspn(argv[i], "="), argv[i]);
	ctl_operands(ctl_member_usage(), "member import", argc, argv, 1, 2, 2, "TEAM FILE.csv");
	return CTL_USAGE;
}

/* All or nothing: parse and check every line, then insert every row in one transaction,
 * collecting clashes with members already in the database before deciding. */
static int
member_import(struct ctl *c, int argc, char **argv)
{
	struct buf data = BUF_INIT;
	struct roster r = { 0 };
	struct team team = { 0 };
	struct fb_error err;
	const char *file;
	int rc = CTL_FAIL, clash = 0;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--sync") == 0)
			return ctl_member_import_sync(c, argc, argv);
	if (argc != 3) {
		for (int i = 1; i < argc; i++)
			if (strcmp(argv[i], "--yes") == 0 || strcmp(argv[i], "--remove-absent") == 0)
				return ctl_error("import: %s goes with --sync", argv[i]);
		return import_usage_error(argc, argv);
	}
	file = argv[2];
	if (ctl_db(c) == NULL)
		return CTL_FAIL;
	if (store_team_get(c->db, argv[1], &team, &err) < 0)
		return ctl_error("%s", err.msg);
	if (buf_read_file(&data, file, IMPORT_MAX_BYTES) < 0) {
		ctl_error("%s: %s", file, errno == EFBIG ? "larger than 16 MB: not a member list" :
		    strerror(errno));
		goto out;
	}
	if (roster_parse(data.data, data.len, file, &r) < 0) {
		ctl_error("out of memory");
		goto out;
	}
	for (size_t i = 0; i < r.nrows; i++)
		if (ctl_member_check_fields(r.rows[i].timezone, r.rows[i].language, &err) < 0)
			roster_problem(&r, file, r.rows[i].line, "%s", err.msg);
	if (r.nproblems == 0) {
		if (db_begin(c->db, &err) < 0) {
			ctl_error("%s", err.msg);
			goto out;
		}
		for (size_t i = 0; i < r.nrows; i++)
			if (store_member_add(c->db, team.id, r.rows[i].name, r.rows[i].address,
			    r.rows[i].timezone, r.rows[i].language, c->now, NULL, &err) < 0) {
				roster_problem(&r, file, r.rows[i].line, "%s", err.msg);
				clash = 1;
			}
		if (r.nproblems == 0 && db_commit(c->db, &err) < 0)
			roster_problem(&r, file, 0, "%s", err.msg);
		else if (r.nproblems > 0)
			db_rollback(c->db);
	}
	if (r.nproblems > 0) {
		if (buf_failed(&r.problems))
			ctl_error("out of memory listing the problems");
		else
			fputs(r.problems.data, stderr);
		ctl_error("%s: %zu problem%s; nothing was imported", file, r.nproblems,
		    r.nproblems == 1 ? "" : "s");
		if (clash)
			fprintf(stderr, "feedbackctl: to bring team %s in line with the file (add the "
			    "new, change the changed, keep the rest), use: feedbackctl member import "
			    "%s %s --sync\n", team.name, argv[1], file);
		goto out;
	}
	if (strcmp(r.encoding, "UTF-8") != 0)
		printf("%s: read as %s and converted to UTF-8\n", file, r.encoding);
	printf("imported %zu members into team %s\n", r.nrows, team.name);
	rc = CTL_OK;
out:
	roster_release(&r);
	buf_release(&data);
	store_team_release(&team);
	return rc;
}

/* The week `member list` judges lagging in: the last full week, as the weekly report. */
static int
last_full_week(struct ctl *c, const struct program *p)
{
	/* The configuration and database are open (member_list). */
	struct flow f = { .db = c->db, .cfg = c->cfg, .now = c->now };
	struct fb_error err;
	int w = flow_week(&f, p, &err);

	if (w < 0)
		return 0;
	w -= 1;
	return w > p->weeks ? p->weeks : w;
}

static json_t *
member_json(const struct member *m, const struct ctl_member_state *s)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:b, s:b, s:b, s:b, s:b, s:o}",
	    "id", (json_int_t)m->id, "team", ctl_json_text(m->team_name),
	    "name", ctl_json_text(m->name), "email", ctl_json_text(m->address),
	    "status", ctl_json_text(m->status), "timezone", ctl_json_text(m->timezone),
	    "language", ctl_json_text(m->language), "undeliverable", m->undeliverable_at != 0,
	    "complained", m->complained_at != 0, "away", s->away, "unreachable", s->unreachable,
	    "left", s->left, "lagging", s->lagging, "left_at",
	    m->left_at ? json_integer(m->left_at) : json_null());
}

static int
member_list(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "program", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const head[] = { "ID", "TEAM", "NAME", "EMAIL", "STATUS" };
	const char *program = NULL;
	struct program p = { 0 };
	struct team team = { 0 };
	struct member_list l = { 0 };
	struct ctl_member_state *st = NULL;
	struct fb_error err;
	int ch, rc = CTL_FAIL;

	optind = 1;
	opterr = 0; /* ctl_option_error says what is wrong */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'p')
			return ctl_option_error(ctl_member_usage(), "member list", argv, opts);
		program = optarg;
	}
	if (ctl_operands(ctl_member_usage(), "member list", argc, argv, optind, 0, 1, "TEAM") !=
	    CTL_OK)
		return CTL_USAGE;
	if (ctl_config(c) == NULL || ctl_db(c) == NULL)
		return CTL_FAIL;
	if (argc - optind == 1) {
		char spec[24];

		if (store_team_get(c->db, argv[optind], &team, &err) < 0)
			return ctl_error("%s", err.msg);
		snprintf(spec, sizeof(spec), "%lld", (long long)team.program_id);
		if (store_program_get(c->db, spec, &p, &err) < 0) {
			ctl_error("%s", err.msg);
			goto out;
		}
	} else if (ctl_pick_program(c, program, &p) != CTL_OK) {
		return CTL_FAIL;
	}
	if (store_member_list(c->db, team.id ? 0 : p.id, team.id, &l, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	if ((st = calloc(l.n + 1, sizeof(*st))) == NULL) {
		ctl_error("out of memory");
		goto out;
	}
	if (ctl_member_states(c, &p, team.id, last_full_week(c, &p), &l, st) != CTL_OK)
		goto out;
	if (c->json) {
		json_t *a = json_array();

		/* Every member is listed, whatever bytes an old import stored (ctl_json_text);
		 * a row that still cannot be built fails the command rather than vanish. */
		for (size_t i = 0; i < l.n; i++) {
			json_t *o = member_json(&l.v[i], &st[i]);

			if (o == NULL || json_array_append_new(a, o) < 0) {
				json_decref(a);
				ctl_error("out of memory listing the members");
				goto out;
			}
		}
		rc = ctl_print_json(a);
		goto out;
	}
	struct table *t = table_new(5, head);

	for (size_t i = 0; t != NULL && i < l.n; i++) {
		char id[24], state[64];
		const char *row[5] = { id, l.v[i].team_name, l.v[i].name, l.v[i].address,
		    ctl_member_state_words(&l.v[i], &st[i], state, sizeof(state)) };

		snprintf(id, sizeof(id), "%lld", (long long)l.v[i].id);
		table_add(t, row);
	}
	if (t)
		table_print(t, stdout);
	table_free(t);
	rc = CTL_OK;
out:
	free(st);
	store_member_list_release(&l);
	store_team_release(&team);
	store_program_release(&p);
	return rc;
}

static int
member_absent(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "until", required_argument, NULL, 'u' },
		{ "program", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *from = NULL, *until = NULL, *program = NULL;
	struct fb_date df, du;
	struct program p;
	struct member m;
	struct fb_error err;
	char fs[11], us[11];
	int ch, rc = CTL_OK;

	optind = 1;
	opterr = 0; /* ctl_option_error says what is wrong */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'f': from = optarg; break;
		case 'u': until = optarg; break;
		case 'p': program = optarg; break;
		default: return ctl_option_error(ctl_member_usage(), "member absent", argv, opts);
		}
	}
	if (ctl_operands(ctl_member_usage(), "member absent", argc, argv, optind, 1, 1,
	    "MEMBER") != CTL_OK ||
	    ctl_required(ctl_member_usage(), "member absent", from, "--from DATE") != CTL_OK ||
	    ctl_required(ctl_member_usage(), "member absent", until, "--until DATE") != CTL_OK)
		return CTL_USAGE;
	if (fbtime_parse_date(from, &df, &err) < 0)
		return ctl_error("--from %s: %s", from, err.msg);
	if (fbtime_parse_date(until, &du, &err) < 0)
		return ctl_error("--until %s: %s", until, err.msg);
	if (fbtime_date_cmp(&du, &df) < 0)
		return ctl_error("--until %s is before --from %s", until, from);
	if (ctl_pick_program(c, program, &p) != CTL_OK)
		return CTL_FAIL;
	if (ctl_member_pick(c, p.id, argv[optind], 0, &m) != CTL_OK) {
		store_program_release(&p);
		return CTL_FAIL;
	}
	snprintf(fs, sizeof(fs), "%04d-%02d-%02d", df.year, df.month, df.day);
	snprintf(us, sizeof(us), "%04d-%02d-%02d", du.year, du.month, du.day);
	if (store_absence_add(c->db, m.id, fs, us, "coordinator", 0, c->now, &err) < 0)
		rc = ctl_error("%s", err.msg);
	else
		printf("%s <%s> is away from %s until %s\n", m.name, m.address, fs, us);
	store_member_release(&m);
	store_program_release(&p);
	return rc;
}

static int
member_reachable(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "program", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *program = NULL;
	struct program p;
	struct member m;
	struct fb_error err;
	int ch, n, rc = CTL_OK;

	optind = 1;
	opterr = 0; /* ctl_option_error says what is wrong */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'p')
			program = optarg;
		else
			return ctl_option_error(ctl_member_usage(), "member reachable", argv, opts);
	}
	if (ctl_operands(ctl_member_usage(), "member reachable", argc, argv, optind, 1, 1,
	    "MEMBER") != CTL_OK)
		return CTL_USAGE;
	if (ctl_pick_program(c, program, &p) != CTL_OK)
		return CTL_FAIL;
	if (ctl_member_pick(c, p.id, argv[optind], 0, &m) != CTL_OK) {
		store_program_release(&p);
		return CTL_FAIL;
	}
	if (db_begin(c->db, &err) < 0 ||
	    (n = store_bounce_reachable_member(c->db, m.id, &err)) < 0 ||
	    db_commit(c->db, &err) < 0) {
		db_rollback(c->db);
		rc = ctl_error("%s", err.msg);
	} else if (n == 0) {
		printf("%s <%s> was not marked unreachable; bounces counted so far are "
		    "forgotten\n", m.name, m.address);
	} else {
		printf("%s <%s> is reachable again: mail to them resumes\n", m.name, m.address);
	}
	store_member_release(&m);
	store_program_release(&p);
	return rc;
}

int
ctl_member(struct ctl *c, int argc, char **argv)
{
	if (ctl_wants_help(argc, argv))
		return ctl_usage(ctl_member_usage(), 1);
	if (argc < 2)
		return ctl_subcommand_error(ctl_member_usage(), "member", argc, argv);
	if (strcmp(argv[1], "add") == 0)
		return member_add(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "import") == 0)
		return member_import(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return member_list(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "absent") == 0)
		return member_absent(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "reachable") == 0)
		return member_reachable(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "update") == 0)
		return ctl_member_update(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "remove") == 0)
		return ctl_member_remove(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "export") == 0)
		return ctl_member_export(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "erase") == 0)
		return ctl_member_erase(c, argc - 1, argv + 1);
	return ctl_subcommand_error(ctl_member_usage(), "member", argc, argv);
}
