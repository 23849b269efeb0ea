/*
 * ctl_measure — feedbackctl measurement status: the response to each measurement of a
 * programme (or one team) and the scores per question, shown only for groups of at least
 * program.min_group_size answers so that no one's scores can be read off the table.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl.h"
#include "measure.h"
#include "plan.h"
#include "questionnaire.h"
#include "store.h"
#include "store_measure.h"
#include "table.h"
#include "banned.h"

static const char measure_usage[] =
	"usage: feedbackctl measurement status PROGRAM [--team TEAM] [--json]\n"
	"\n"
	"Per measurement (baseline, midterm, final, follow-up) sent so far: how many members were\n"
	"sent the questionnaire, how many completed it, answered part of it or not at all, and the\n"
	"response rate (answered at least one question). Per scale question the number of\n"
	"answers, the average, the median and the distribution of scores 0..10 - only when at\n"
	"least [program] min_group_size members answered it, otherwise \"too few answers to\n"
	"show\". Open answers are never shown here. --team limits everything to one team.\n";

/* The team named spec (name, case-insensitive, or id) of programme p. */
static int
find_team(struct ctl *c, const struct program *p, const char *spec, int64_t *id)
{
	struct team_list tl = { 0 };
	struct fb_error err;
	int rc = CTL_FAIL;

	if (store_team_list(c->db, p->id, &tl, &err) < 0)
		return ctl_error("%s", err.msg);
	for (size_t i = 0; i < tl.n; i++)
		if (strcasecmp(tl.v[i].name, spec) == 0 || strtoll(spec, NULL, 10) == tl.v[i].id) {
			*id = tl.v[i].id;
			rc = CTL_OK;
		}
	if (rc != CTL_OK) {
		struct buf names = BUF_INIT;

		for (size_t i = 0; i < tl.n; i++)
			buf_putf(&names, "%s%s", i ? ", " : "", tl.v[i].name);
		ctl_error("no team \"%s\" in programme %s; teams: %s", spec, p->name,
		    buf_failed(&names) ? "(out of memory listing them)" :
		    tl.n ? names.data : "none");
		buf_release(&names);
	}
	store_team_list_release(&tl);
	return rc;
}

static void
distribution(const struct questionnaire_stats *s, struct buf *out)
{
	for (int k = 0; k <= QUESTIONNAIRE_SCORE_MAX; k++)
		if (s->dist[k])
			buf_putf(out, "%s%d:%zu", out->len ? " " : "", k, s->dist[k]);
}

/* One measurement: its counts row, and its question table (text) or object (JSON). */
static int
one(struct ctl *c, const struct program *p, const struct measurement_row *mr, int64_t team_id,
    struct table *counts, json_t *arr, struct buf *detail)
{
	static const char *const qhead[] = { "QUESTION", "ANSWERS", "AVERAGE", "MEDIAN",
	    "DISTRIBUTION", NULL };
	struct questionnaire q = QUESTIONNAIRE_INIT;
	struct measure_counts mc;
	struct fb_error err;
	char opened[11], closes[11], sent[12], comp[12], part[12], miss[12], rate[12];
	int min = c->cfg->program.min_group_size;
	json_t *qs = NULL, *o = NULL;
	struct table *qt = NULL;

	if (store_measure_counts(c->db, mr->id, team_id, &mc, &err) < 0 ||
	    measure_local_date(p->timezone, mr->opens_at, opened, &err) < 0 ||
	    measure_local_date(p->timezone, mr->closes_at - 1, closes, &err) < 0 ||
	    measure_questionnaire_load(c->cfg->feedbackd.questionnaires_dir, p->language, mr->kind, &q,
	    &err) < 0)
		return ctl_error("%s: %s", mr->kind, err.msg);
	int answered = mc.complete + mc.partial;
	int pct = mc.sent ? (answered * 100 + mc.sent / 2) / mc.sent : 0;
	snprintf(sent, sizeof(sent), "%d", mc.sent);
	snprintf(comp, sizeof(comp), "%d", mc.complete);
	snprintf(part, sizeof(part), "%d", mc.partial);
	snprintf(miss, sizeof(miss), "%d", mc.missing);
	snprintf(rate, sizeof(rate), "%d%%", pct);
	if (arr != NULL) {
		o = json_pack("{s:s, s:s, s:s, s:b, s:i, s:i, s:i, s:i, s:f}", "measurement",
		    mr->kind, "opened", opened, "closes", closes, "open", c->now < mr->closes_at,
		    "sent", mc.sent, "complete", mc.complete, "partial", mc.partial,
		    "missing", mc.missing, "response_rate", mc.sent ? (double)answered / mc.sent :
		    0.0);
		qs = json_array();
		json_object_set_new(o, "questions", qs);
		json_array_append_new(arr, o);
	} else {
		const char *row[] = { mr->kind, opened, closes, sent, comp, part, miss, rate };

		table_add(counts, row);
		qt = table_new(5, qhead);
	}
	for (size_t i = 0; i < q.n; i++) {
		const struct questionnaire_question *qq = &q.q[i];
		int *scores;
		size_t n;
		struct questionnaire_stats s;
		char num[8], cnt[12], avg[16], med[16];
		struct buf dist = BUF_INIT;

		if (qq->type != QUESTIONNAIRE_SCALE)
			continue;
		if (store_measure_scores(c->db, mr->id, team_id, qq->number, &scores, &n,
		    &err) < 0) {
			table_free(qt);
			questionnaire_release(&q);
			return ctl_error("%s", err.msg);
		}
		questionnaire_stats(scores, n, &s);
		free(scores);
		int shown = s.n > 0 && s.n >= (size_t)min;
		snprintf(num, sizeof(num), "%u", qq->number);
		snprintf(cnt, sizeof(cnt), "%zu", s.n);
		snprintf(avg, sizeof(avg), "%.1f", s.average);
		snprintf(med, sizeof(med), "%.1f", s.median);
		distribution(&s, &dist);
		if (buf_failed(&dist)) {
			buf_release(&dist);
			table_free(qt);
			questionnaire_release(&q);
			return ctl_error("out of memory");
		}
		if (qs != NULL) {
			json_t *jq = json_pack("{s:i, s:s, s:i, s:b}", "question", (int)qq->number,
			    "text", qq->text, "answers", (int)s.n, "shown", shown);

			if (shown) {
				json_t *d = json_array();

				for (int k = 0; k <= QUESTIONNAIRE_SCORE_MAX; k++)
					json_array_append_new(d, json_integer((json_int_t)s.dist[k]));
				json_object_set_new(jq, "average", json_real(s.average));
				json_object_set_new(jq, "median", json_real(s.median));
				json_object_set_new(jq, "distribution", d);
			}
			json_array_append_new(qs, jq);
		} else {
			const char *row[] = { num, cnt, shown ? avg : "", shown ? med : "",
			    shown ? dist.data : "too few answers to show" };

			table_add(qt, row);
		}
		buf_release(&dist);
	}
	if (qt != NULL) {
		FILE *mem;
		char *text = NULL;
		size_t len = 0;

		if ((mem = open_memstream(&text, &len)) != NULL) {
			table_print(qt, mem);
			fclose(mem);
			buf_putf(detail, "\n%s (%s), scale questions:\n%s", mr->kind, q.title,
			    text ? text : "");
			free(text);
		}
		if (mem == NULL || buf_failed(detail)) {
			table_free(qt);
			questionnaire_release(&q);
			return ctl_error("out of memory");
		}
		table_free(qt);
	}
	questionnaire_release(&q);
	return CTL_OK;
}

static int
status(struct ctl *c, int argc, char **argv)
{
	static const char *const head[] = { "MEASUREMENT", "OPENED", "CLOSES", "SENT",
	    "COMPLETE", "PARTIAL", "MISSING", "RESPONSE", NULL };
	const char *prog = NULL, *team = NULL;
	struct program p;
	int64_t team_id = 0;
	struct table *t = NULL;
	struct buf detail = BUF_INIT;
	json_t *arr = NULL;
	int rc = CTL_OK, found = 0;

	static const struct option opts[] = {
		{ "team", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	optind = 1;
	opterr = 0; /* ctl_option_error says what is wrong */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 't')
			team = optarg;
		else
			return ctl_option_error(measure_usage, "measurement status", argv, opts);
	}
	if (ctl_operands(measure_usage, "measurement status", argc, argv, optind, 0, 1,
	    "PROGRAM") != CTL_OK)
		return CTL_USAGE;
	prog = optind < argc ? argv[optind] : NULL;
	if (ctl_pick_program(c, prog, &p) != CTL_OK)
		return CTL_FAIL;
	if (team != NULL && find_team(c, &p, team, &team_id) != CTL_OK) {
		store_program_release(&p);
		return CTL_FAIL;
	}
	if (c->json)
		arr = json_array();
	else
		t = table_new(8, head);
	for (int m = 0; m < PLAN_MEASUREMENTS && rc == CTL_OK; m++) {
		struct measurement_row mr;
		struct fb_error err;
		int r = store_measurement_get(c->db, p.id,
		    plan_measurement_name((enum plan_measurement)m), &mr, &err);

		if (r < 0)
			rc = ctl_error("%s", err.msg);
		else if (r == 0) {
			found++;
			rc = one(c, &p, &mr, team_id, t, arr, &detail);
		}
	}
	if (rc == CTL_OK && arr != NULL) {
		json_t *o = json_pack("{s:s, s:s?, s:i, s:o}", "program", p.name, "team", team,
		    "min_group_size", c->cfg->program.min_group_size, "measurements", arr);

		arr = NULL;
		rc = ctl_print_json(o);
	} else if (rc == CTL_OK) {
		printf("programme %s%s%s: measurements so far (scores shown for groups of at "
		    "least %d)\n\n", p.name, team ? ", team " : "", team ? team : "",
		    c->cfg->program.min_group_size);
		if (found)
			table_print(t, stdout);
		else
			printf("no questionnaire has been sent yet\n");
		fputs(detail.data, stdout);
	}
	json_decref(arr);
	table_free(t);
	buf_release(&detail);
	store_program_release(&p);
	return rc;
}

int
ctl_measure(struct ctl *c, int argc, char **argv)
{
	if (ctl_wants_help(argc, argv))
		return ctl_usage(measure_usage, 1);
	if (argc < 2 || strcmp(argv[1], "status") != 0)
		return ctl_subcommand_error(measure_usage, "measurement", argc, argv);
	if (ctl_db(c) == NULL)
		return CTL_FAIL;
	return status(c, argc - 1, argv + 1);
}
