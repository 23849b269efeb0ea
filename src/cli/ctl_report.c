/*
 * ctl_report — feedbackctl report: the facilitators' weekly report of a team or of every team
 * of a programme, printed as text, HTML or CSV (the daemon mails the same report).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "compose.h"
#include "ctl.h"
#include "fbrandom.h"
#include "fbtime.h"
#include "plan.h"
#include "progplan.h"
#include "questionnaire.h"
#include "report.h"
#include "measure.h"
#include "outmail.h"
#include "report_progress.h"
#include "report_send.h"
#include "store.h"
#include "store_action.h"
#include "report_ratings.h"
#include "store_report.h"
#include "banned.h"

static const char report_usage[] =
	"usage: feedbackctl report weekly PROGRAM|TEAM [--week N] [--format text|html|csv]\n"
	"                                 [--samples] [--out FILE] [--send]\n"
	"\n"
	"The weekly report a team's facilitators get: per member the feedback given, received\n"
	"and requested in the week and in total, the trend, who is lagging and why, who is away\n"
	"or unreachable, the response to open questionnaires and the coming sessions.\n"
	"PROGRAM reports on every team of the programme, TEAM (or PROGRAM/TEAM) on one.\n"
	"\n"
	"  --week N       the programme week reported on (default: the week that ended\n"
	"                 before --now)\n"
	"  --format F     text (default), html (for mail clients) or csv (UTF-8 with BOM,\n"
	"                 ';'-separated, for a Dutch spreadsheet)\n"
	"  --samples      include the anonymous feedback samples the facilitators rate\n"
	"                 (picks them on first use, as the mailed report does)\n"
	"  --out FILE     write to FILE instead of standard output\n"
	"  --send         mail the report to each team's facilitators through the outbox\n"
	"                 (text and HTML, with a reply address for ratings and commands),\n"
	"                 as the daemon does on Monday; prints nothing else\n"
	"\n"
	"usage: feedbackctl report progress|evaluation PROGRAM|TEAM (--out DIR | --send)\n"
	"                                 [--week N]\n"
	"\n"
	"The progress report (step 3) or the evaluation report (step 5, and after the\n"
	"follow-up): response and average score per question at each measurement with the\n"
	"change from the baseline (only from [program] min_group_size answers), feedback given\n"
	"per week per team and per member, quality ratings; teams side by side. Writes\n"
	"report.html with its PNG charts, report.txt, report.csv, and report.eml: the mail\n"
	"with the charts inline, exactly as --send (and the daemon) sends it to the coordinator.\n"
	"\n"
	"  --week N       figures through week N (default: the week that ended before --now)\n"
	"  --send         mail it through the outbox, charts inline: each team's facilitators\n"
	"                 get their team's report, the coordinator the programme's (or, for\n"
	"                 TEAM, that team's), as the daemon does in week 5 and after week W\n"
	"\n"
	"usage: feedbackctl report actions [PROGRAM|TEAM] [--json]\n"
	"\n"
	"The improvement actions the facilitators and the coordinator sent by replying to the\n"
	"progress or evaluation report (\"Team, kort: ...\", \"Others, long: ...\"): per team,\n"
	"per quadrant (the team itself or others, short or long term), with who sent them,\n"
	"when, and in reply to which report. Without an operand: the only programme's.\n";

enum format { FORMAT_TEXT, FORMAT_HTML, FORMAT_CSV };

/* The programme and, when spec names a team, the team: by programme name first. */
static int
pick_target(struct ctl *c, const char *spec, struct program *p, int64_t *team_id)
{
	struct fb_error err, terr;
	struct team t;
	char id[32];

	*team_id = 0;
	if (ctl_db(c) == NULL)
		return CTL_FAIL;
	if (store_program_get(c->db, spec, p, &err) == 0)
		return CTL_OK;
	if (store_team_get(c->db, spec, &t, &terr) < 0)
		return ctl_error("\"%s\" is neither a programme nor a team: %s", spec, err.msg);
	snprintf(id, sizeof(id), "%lld", (long long)t.program_id);
	*team_id = t.id;
	store_team_release(&t);
	if (store_program_get(c->db, id, p, &err) < 0)
		return ctl_error("%s", err.msg);
	return CTL_OK;
}

/* The week that ended before now, within 1..weeks (counted as the daemon does: without the
 * programme's pauses). */
static int
default_week(struct ctl *c, const struct program *p, time_t now, struct fb_error *err)
{
	struct flow f = { .db = c->db, .cfg = c->cfg, .now = now };
	struct plan plan = PLAN_INIT;
	int w;

	if (f.db == NULL && (f.db = ctl_db(c)) == NULL)
		return fb_error_set(err, "the database cannot be opened");
	if (flow_plan(&f, p, &plan, err) < 0)
		return -1;
	w = plan_week_of(&plan, now) - 1;
	plan_release(&plan);
	if (w < 1)
		w = 1;
	if (w > p->weeks)
		w = p->weeks;
	return w;
}

/* The programme (and team) spec names, and the week: --week's (0: the default), checked
 * against the programme. CTL_OK, or CTL_FAIL after printing the error; release p when its name
 * is set. */
static int
report_target(struct ctl *c, const char *spec, struct program *p, int64_t *team_id, int *week)
{
	struct fb_error err;

	if (ctl_config(c) == NULL || pick_target(c, spec, p, team_id) != CTL_OK)
		return CTL_FAIL;
	if (*week == 0 && (*week = default_week(c, p, c->now, &err)) < 0)
		return ctl_error("programme %s: %s", p->name, err.msg);
	if (*week > p->weeks)
		return ctl_error("--week %d: programme %s has %d weeks", *week, p->name, p->weeks);
	return CTL_OK;
}

static int send_reports(struct ctl *c, const struct program *p, int64_t team_id, int week,
    int progress, enum report_progress_kind kind);

static int
write_out(const char *path, const struct buf *b)
{
	FILE *f;

	if (path == NULL) {
		if (fwrite(b->data, 1, b->len, stdout) != b->len || fflush(stdout) != 0)
			return ctl_error("cannot write the report: %s", strerror(errno));
		return CTL_OK;
	}
	f = fopen(path, "wb");
	if (f == NULL)
		return ctl_error("cannot write %s: %s", path, strerror(errno));
	if (fwrite(b->data, 1, b->len, f) != b->len) {
		fclose(f);
		return ctl_error("cannot write %s: %s", path, strerror(errno));
	}
	if (fclose(f) != 0)
		return ctl_error("cannot write %s: %s", path, strerror(errno));
	return CTL_OK;
}

static int
report_weekly_cmd(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "week", required_argument, NULL, 'w' },
		{ "format", required_argument, NULL, 'f' },
		{ "out", required_argument, NULL, 'o' },
		{ "samples", no_argument, NULL, 's' },
		{ "send", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out_path = NULL;
	enum format fmt = FORMAT_TEXT;
	int week = 0, samples = 0, send = 0, ch, rc = CTL_FAIL;
	struct program p = { 0 };
	struct report_set set = REPORT_SET_INIT;
	struct report *reports = NULL;
	const struct report **rp = NULL;
	struct report_rules rules;
	struct buf out = BUF_INIT;
	struct fb_error err;
	int64_t team_id;

	optind = 1;
	opterr = 0; /* ctl_option_error says what is wrong */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'w') {
			if (ctl_parse_week(report_usage, "report weekly", optarg, REPORT_MAX_WEEKS,
			    &week) != CTL_OK)
				return CTL_USAGE;
		} else if (ch == 'f') {
			if (strcmp(optarg, "text") == 0)
				fmt = FORMAT_TEXT;
			else if (strcmp(optarg, "html") == 0)
				fmt = FORMAT_HTML;
			else if (strcmp(optarg, "csv") == 0)
				fmt = FORMAT_CSV;
			else
				return ctl_usage_error(report_usage, "report weekly", "--format %s: "
				    "accepted values are text, html, csv", optarg);
		} else if (ch == 'o') {
			out_path = optarg;
		} else if (ch == 's') {
			samples = 1;
		} else if (ch == 'S') {
			send = 1;
		} else {
			return ctl_option_error(report_usage, "report weekly", argv, opts);
		}
	}
	if (ctl_operands(report_usage, "report weekly", argc, argv, optind, 1, 1,
	    "PROGRAM|TEAM") != CTL_OK)
		return CTL_USAGE;
	if (report_target(c, argv[optind], &p, &team_id, &week) != CTL_OK)
		goto out;
	if (send) {
		rc = send_reports(c, &p, team_id, week, 0, REPORT_PROGRESS);
		goto out;
	}
	if (store_report_weekly_load(c->db, &p, team_id, week, c->now, &set, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	if (set.n == 0) {
		ctl_error("programme %s has no teams yet (feedbackctl team add)", p.name);
		goto out;
	}
	flow_report_rules(c->cfg, &rules);
	reports = calloc(set.n, sizeof(*reports));
	rp = calloc(set.n, sizeof(*rp));
	if (reports == NULL || rp == NULL) {
		ctl_error("out of memory");
		goto out;
	}
	for (size_t i = 0; i < set.n; i++) {
		if (samples && report_samples_attach(c->db, &set, &set.teams[i],
		    c->cfg->report.rating_samples, c->now, &err) < 0) {
			ctl_error("team %s: %s", set.teams[i].team_name, err.msg);
			goto out;
		}
		if (report_weekly(&set.teams[i].in, &rules, &reports[i], &err) < 0) {
			ctl_error("team %s: %s", set.teams[i].team_name, err.msg);
			goto out;
		}
		rp[i] = &reports[i];
	}
	for (size_t i = 0; i < set.n; i++) {
		int r = 0;

		if (fmt == FORMAT_TEXT)
			r = (i > 0 ? buf_adds(&out, "\n----------------------------------------"
			    "----------------------------------------\n\n") : 0) < 0 ||
			    report_render_text(&reports[i], &out) < 0 ? -1 : 0;
		else if (fmt == FORMAT_CSV)
			r = report_render_csv(&reports[i], i == 0, i == 0, &out);
		if (r < 0) {
			ctl_error("out of memory");
			goto out;
		}
	}
	if (fmt == FORMAT_HTML && report_render_html_many(rp, set.n, &out) < 0) {
		ctl_error("out of memory");
		goto out;
	}
	rc = write_out(out_path, &out);
out:
	if (reports != NULL)
		for (size_t i = 0; i < set.n; i++)
			report_release(&reports[i]);
	free(reports);
	free(rp);
	buf_release(&out);
	store_report_set_release(&set);
	if (p.name != NULL)
		store_program_release(&p);
	return rc;
}

static int
write_file(const char *dir, const char *name, const void *data, size_t len)
{
	struct buf path = BUF_INIT;
	FILE *f;
	int rc = CTL_OK;

	if (buf_addf(&path, "%s/%s", dir, name) < 0)
		return ctl_error("out of memory");
	f = fopen(path.data, "wb");
	if (f == NULL || fwrite(data, 1, len, f) != len) {
		rc = ctl_error("cannot write %s: %s", path.data, strerror(errno));
		if (f != NULL)
			fclose(f);
	} else if (fclose(f) != 0) {
		rc = ctl_error("cannot write %s: %s", path.data, strerror(errno));
	}
	buf_release(&path);
	return rc;
}

/* report.eml: the coordinator's mail of the report, as report_send_progress() queues it. */
static int
progress_eml(struct ctl *c, const struct program *p, int64_t team_id,
    enum report_progress_kind kind, int week, struct buf *eml, struct fb_error *err)
{
	struct outmail_templates *tpl;
	struct flow f;
	int r;

	if (ctl_flow_open(c, &f, &tpl) != CTL_OK)
		return fb_error_set(err, "no templates");
	r = report_send_progress_eml(&f, p, team_id, kind, week, eml, err);
	outmail_templates_free(tpl);
	return r;
}

/* --send: the reports as mail through the outbox, as the daemon sends them. */
static int
send_reports(struct ctl *c, const struct program *p, int64_t team_id, int week, int progress,
    enum report_progress_kind kind)
{
	struct outmail_templates *tpl;
	struct flow f;
	struct fb_error err;
	size_t mails = 0;
	int r;

	if (ctl_flow_open(c, &f, &tpl) != CTL_OK)
		return CTL_FAIL;
	r = progress ? report_send_progress(&f, p, team_id, kind, 0, week, &mails, &err) :
	    report_send_weekly(&f, p, team_id, week, &mails, &err);
	outmail_templates_free(tpl);
	if (progress)
		report_chart_cleanup();
	if (r < 0)
		return ctl_error("programme %s: %s", p->name, err.msg);
	printf("queued %zu report mail%s in the outbox (week %d)\n", mails, mails == 1 ? "" : "s",
	    week);
	return CTL_OK;
}

static int
report_progress_cmd(struct ctl *c, int argc, char **argv, enum report_progress_kind kind)
{
	static const struct option opts[] = {
		{ "week", required_argument, NULL, 'w' },
		{ "out", required_argument, NULL, 'o' },
		{ "send", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL;
	int week = 0, send = 0, ch, rc = CTL_FAIL;
	struct program p = { 0 };
	struct report_progress_set set;
	struct questionnaire baseline = QUESTIONNAIRE_INIT;
	struct report_question ambq[REPORT_AMBITION_MAX_QUESTIONS];
	struct report_charts charts = REPORT_CHARTS_INIT;
	struct report_chart_ref *refs = NULL;
	struct buf text = BUF_INIT, csv = BUF_INIT, html = BUF_INIT, eml = BUF_INIT;
	struct fb_error err;
	int64_t team_id;

	const char *cmd = kind == REPORT_PROGRESS ? "report progress" : "report evaluation";

	memset(&set, 0, sizeof(set));
	optind = 1;
	opterr = 0; /* ctl_option_error says what is wrong */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'w') {
			if (ctl_parse_week(report_usage, cmd, optarg, REPORT_MAX_WEEKS, &week) !=
			    CTL_OK)
				return CTL_USAGE;
		} else if (ch == 'o') {
			dir = optarg;
		} else if (ch == 's') {
			send = 1;
		} else {
			return ctl_option_error(report_usage, cmd, argv, opts);
		}
	}
	if (ctl_operands(report_usage, cmd, argc, argv, optind, 1, 1, "PROGRAM|TEAM") != CTL_OK)
		return CTL_USAGE;
	if (dir == NULL && !send)
		return ctl_usage_error(report_usage, cmd, "missing --out DIR or --send");
	if (report_target(c, argv[optind], &p, &team_id, &week) != CTL_OK)
		goto out;
	if (send && (rc = send_reports(c, &p, team_id, week, 1, kind)) != CTL_OK)
		goto out;
	if (dir == NULL)
		goto out;
	rc = CTL_FAIL;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		ctl_error("cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
	if (measure_questionnaire_load(c->cfg->feedbackd.questionnaires_dir, p.language, "baseline",
	    &baseline, &err) < 0 || store_report_progress_load(c->db, &p, team_id, week, kind,
	    c->cfg->program.min_group_size, c->now, &set, &err) < 0 ||
	    store_report_ambition_load(c->db, &p, team_id, ambq, report_progress_ambition_questions(
	    &baseline, ambq, REPORT_AMBITION_MAX_QUESTIONS), &set, &err) < 0 ||
	    (kind == REPORT_EVALUATION &&
	    store_report_actions_load(c->db, p.id, team_id, &set, &err) < 0)) {
		ctl_error("%s", err.msg);
		goto out;
	}
	if (set.in.nteams == 0) {
		ctl_error("programme %s has no teams yet (feedbackctl team add)", p.name);
		goto out;
	}
	if (report_charts_make(&set.in, &charts, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	if ((refs = calloc(charts.n + 1, sizeof(*refs))) == NULL) {
		ctl_error("out of memory");
		goto out;
	}
	for (size_t i = 0; i < charts.n; i++) {
		refs[i].src = charts.v[i].name;
		refs[i].alt = charts.v[i].alt;
		if (write_file(dir, charts.v[i].name, charts.v[i].png.data, charts.v[i].png.len) !=
		    CTL_OK)
			goto out;
	}
	if (report_progress_text(&set.in, &text) < 0 || report_progress_csv(&set.in, &csv) < 0 ||
	    report_progress_html(&set.in, refs, charts.n, &html) < 0) {
		ctl_error("out of memory");
		goto out;
	}
	if (write_file(dir, "report.txt", text.data, text.len) != CTL_OK ||
	    write_file(dir, "report.csv", csv.data, csv.len) != CTL_OK ||
	    write_file(dir, "report.html", html.data, html.len) != CTL_OK)
		goto out;
	printf("wrote %s/report.html with %zu charts, report.txt, report.csv (%zu teams, weeks "
	    "1-%d)\n", dir, charts.n, set.in.nteams, week);
	rc = CTL_OK;
	/* The mail the daemon sends, made by the same code (report_send.h); it needs a sender
	 * compose accepts: without one the files still stand. */
	if (progress_eml(c, &p, team_id, kind, week, &eml, &err) < 0)
		fprintf(stderr, "feedbackctl: report.eml not written: %s\n", err.msg);
	else if ((rc = write_file(dir, "report.eml", eml.data, eml.len)) == CTL_OK)
		printf("wrote %s/report.eml: the mail with the charts inline\n", dir);
out:
	if (charts.n > 0)
		report_chart_cleanup();
	report_charts_release(&charts);
	free(refs);
	buf_release(&text);
	buf_release(&csv);
	buf_release(&html);
	buf_release(&eml);
	store_report_progress_release(&set);
	questionnaire_release(&baseline);
	if (p.name != NULL)
		store_program_release(&p);
	return rc;
}

int
ctl_report(struct ctl *c, int argc, char **argv)
{
	if (ctl_wants_help(argc, argv))
		return ctl_usage(report_usage, 1);
	if (argc >= 2 && strcmp(argv[1], "weekly") == 0)
		return report_weekly_cmd(c, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "progress") == 0)
		return report_progress_cmd(c, argc - 1, argv + 1, REPORT_PROGRESS);
	if (argc >= 2 && strcmp(argv[1], "evaluation") == 0)
		return report_progress_cmd(c, argc - 1, argv + 1, REPORT_EVALUATION);
	if (argc >= 2 && strcmp(argv[1], "actions") == 0)
		return ctl_report_actions(c, report_usage, argc - 1, argv + 1);
	return ctl_subcommand_error(report_usage, "report", argc, argv);
}
