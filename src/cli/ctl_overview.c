/*
 * ctl_overview — feedbackctl overview PROGRAM: the programme on one screen. Where it is (the
 * week), how each team does (members, who responded this week, who lagged in the last full
 * week by the weekly report's own rule, who is away or unreachable, the latest questionnaire's
 * response), the sessions and their answers, the mail (sent, queued, held, failed), the inbox
 * (pending, quarantine), and what the plan does next and when.
 *
 * The figures are gathered once into a JSON value; --json prints it (its schema is
 * docs/overview.schema.json, documented in feedbackctl(1)), the text view is drawn from it, so
 * the two never disagree. Nothing is written.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "fbtime.h"
#include "flow.h"
#include "outmail.h"
#include "plan.h"
#include "queue.h"
#include "report.h"
#include "store.h"
#include "store_feedback.h"
#include "store_measure.h"
#include "store_overview.h"
#include "store_report.h"
#include "store_session.h"
#include "table.h"
#include "vocab.h"
#include "banned.h"

/* Moments of the plan shown under "Next". */
#define OVERVIEW_NEXT 6

static const char overview_usage[] =
	"usage: feedbackctl overview [PROGRAM] [--json]\n"
	"\n"
	"The programme on one screen: its week; per team the members, who responded this week\n"
	"(gave or asked feedback), who lagged in the last full week (the weekly report's rule),\n"
	"who is away or unreachable, and the latest questionnaire's response; the sessions and\n"
	"their answers; the mail sent, queued, held and failed; the inbox and the quarantine;\n"
	"and the next moments of the plan. PROGRAM may be left out when there is only one.\n"
	"--json: the same figures as one object (schema: docs/overview.schema.json).\n";

/* t as "YYYY-MM-DD HH:MM" local to tz into out. */
static void
local_time(const char *tz, time_t t, char out[32])
{
	struct fb_local l;

	if (fbtime_to_local(tz, t, &l, NULL) < 0) {
		snprintf(out, 32, "?");
		return;
	}
	snprintf(out, 32, "%04d-%02d-%02d %02d:%02d", l.date.year % 10000, l.date.month % 100,
	    l.date.day % 100, l.hour % 100, l.min % 100);
}

/* json_object_set_new that remembers a failure in *bad (ENOMEM) instead of checking each. */
static void
put(json_t *o, const char *key, json_t *v, int *bad)
{
	if (v == NULL || json_object_set_new(o, key, v) < 0)
		*bad = 1;
}

static void
append(json_t *a, json_t *v, int *bad)
{
	if (v == NULL || json_array_append_new(a, v) < 0)
		*bad = 1;
}

/* ---- gathering ------------------------------------------------------------------------------- */

struct gather {
	struct flow f;
	struct program p;
	struct plan plan;
	char today[11];
	int week;                   /* flow_week(): 0 before the start, > weeks after the end */
	int64_t measurement_id;     /* the latest questionnaire sent, 0 when none */
	const char *measurement;
	struct overview_away_list away;
	struct fb_error err;
	int bad;                    /* out of memory somewhere */
};

/* The pause today falls in (plan.h), or NULL. */
static const struct plan_pause *
pause_of(const struct gather *g)
{
	struct fb_date d;

	if (fbtime_parse_date(g->today, &d, NULL) < 0)
		return NULL;
	return plan_paused(&g->plan, &d);
}

static const char *
state_of(const struct gather *g)
{
	if (g->p.ended_at != 0 && g->f.now >= g->p.ended_at)
		return "ended";
	if (g->week <= 0)
		return "not started";
	if (pause_of(g) != NULL)
		return "paused";
	if (g->week <= g->p.weeks)
		return "running";
	return g->f.now < g->plan.end_at + (time_t)g->f.cfg->program.followup_weeks * 7 * 86400 ?
	    "follow-up" : "ended";
}

static json_t *
program_json(struct gather *g)
{
	json_t *o = json_object();
	char ends[32];

	if (o == NULL)
		return NULL;
	local_time(g->p.timezone, g->plan.end_at, ends);
	ends[10] = '\0';
	put(o, "name", ctl_json_text(g->p.name), &g->bad);
	put(o, "start", ctl_json_text(g->p.start_date), &g->bad);
	put(o, "ends", json_string(ends), &g->bad);
	put(o, "weeks", json_integer(g->p.weeks), &g->bad);
	put(o, "week", json_integer(g->week), &g->bad);
	put(o, "state", json_string(state_of(g)), &g->bad);
	if (pause_of(g) != NULL) {
		struct buf until = BUF_INIT;

		if (fbtime_format_date(&pause_of(g)->until, &until) < 0)
			g->bad = 1;
		else
			put(o, "paused_until", json_string(until.data), &g->bad);
		buf_release(&until);
	}
	put(o, "timezone", ctl_json_text(g->p.timezone), &g->bad);
	put(o, "today", json_string(g->today), &g->bad);
	return o;
}

static const struct overview_away *
away_of(const struct gather *g, int64_t member_id)
{
	for (size_t i = 0; i < g->away.n; i++)
		if (g->away.v[i].member_id == member_id)
			return &g->away.v[i];
	return NULL;
}

/* The lagging count of team_id in week `week` by the weekly report's rule, or -1 on error. */
static int
lagging_of(struct gather *g, int64_t team_id, int week)
{
	struct report_set set = REPORT_SET_INIT;
	struct report rep = REPORT_INIT;
	struct report_rules rules;
	int n = -1;

	flow_report_rules(g->f.cfg, &rules);
	if (store_report_weekly_load(g->f.db, &g->p, team_id, week, g->f.now, &set, &g->err) < 0)
		n = -1;
	else if (set.n == 0)
		n = 0; /* nobody in the team that week */
	else if (report_weekly(&set.teams[0].in, &rules, &rep, &g->err) == 0)
		n = (int)rep.nlagging;
	report_release(&rep);
	store_report_set_release(&set);
	return n;
}

/* One team's figures; the team's unreachable and away members are appended to the lists. */
static json_t *
team_json(struct gather *g, const struct team *t, json_t *unreachable, json_t *away)
{
	struct member_list ml = { 0 };
	json_t *o = json_object();
	int members = 0, left = 0, responded = 0, naway = 0, nunreach = 0, lagging = -1;
	int last_full = g->week - 1 > g->p.weeks ? g->p.weeks : g->week - 1;

	if (o == NULL || store_member_list(g->f.db, 0, t->id, &ml, &g->err) < 0) {
		json_decref(o);
		return NULL;
	}
	for (size_t i = 0; i < ml.n; i++) {
		const struct member *m = &ml.v[i];
		const struct overview_away *a;
		enum member_status st = member_status_from_name(m->status);

		if (st != MEMBER_ACTIVE) {
			left += st == MEMBER_LEFT;
			continue;
		}
		members++;
		if (m->undeliverable_at != 0 || m->complained_at != 0) {
			json_t *u = json_object();

			nunreach++;
			if (u == NULL)
				g->bad = 1;
			put(u, "name", ctl_json_text(m->name), &g->bad);
			put(u, "address", ctl_json_text(m->address), &g->bad);
			put(u, "team", ctl_json_text(t->name), &g->bad);
			put(u, "why", json_string(m->complained_at ? "spam complaint" : "bounces"),
			    &g->bad);
			append(unreachable, u, &g->bad);
		}
		if ((a = away_of(g, m->id)) != NULL) {
			json_t *w = json_object();

			naway++;
			if (w == NULL)
				g->bad = 1;
			put(w, "name", ctl_json_text(m->name), &g->bad);
			put(w, "team", ctl_json_text(t->name), &g->bad);
			put(w, "until", json_string(a->until), &g->bad);
			append(away, w, &g->bad);
		}
		if (g->week >= 1 && g->week <= g->p.weeks) {
			struct feedback_counts n;

			if (store_member_counts(g->f.db, m->id, g->week, g->week, &n, &g->err) < 0)
				goto fail;
			responded += n.given > 0 || n.requested > 0;
		}
	}
	if (last_full >= 1 && (lagging = lagging_of(g, t->id, last_full)) < 0)
		goto fail;
	put(o, "name", ctl_json_text(t->name), &g->bad);
	put(o, "members", json_integer(members), &g->bad);
	put(o, "left", json_integer(left), &g->bad);
	put(o, "responded", g->week >= 1 && g->week <= g->p.weeks ? json_integer(responded) :
	    json_null(), &g->bad);
	put(o, "lagging", lagging >= 0 ? json_integer(lagging) : json_null(), &g->bad);
	put(o, "lagging_week", last_full >= 1 ? json_integer(last_full) : json_null(), &g->bad);
	put(o, "away", json_integer(naway), &g->bad);
	put(o, "unreachable", json_integer(nunreach), &g->bad);
	if (g->measurement_id > 0) {
		struct measure_counts c;
		json_t *q = json_object();

		if (store_measure_counts(g->f.db, g->measurement_id, t->id, &c, &g->err) < 0) {
			json_decref(q);
			goto fail;
		}
		put(q, "measurement", json_string(g->measurement), &g->bad);
		put(q, "sent", json_integer(c.sent), &g->bad);
		put(q, "complete", json_integer(c.complete), &g->bad);
		put(o, "questionnaire", q, &g->bad);
	} else {
		put(o, "questionnaire", json_null(), &g->bad);
	}
	store_member_list_release(&ml);
	return o;
fail:
	store_member_list_release(&ml);
	json_decref(o);
	return NULL;
}

/* The latest measurement opened (sent) of the programme, if any. */
static int
latest_measurement(struct gather *g)
{
	time_t latest = 0;

	for (int m = 0; m < PLAN_MEASUREMENTS; m++) {
		const char *kind = plan_measurement_name((enum plan_measurement)m);
		struct measurement_row r;
		int rc = store_measurement_get(g->f.db, g->p.id, kind, &r, &g->err);

		if (rc < 0)
			return -1;
		if (rc == 0 && (g->measurement_id == 0 || r.opens_at >= latest)) {
			g->measurement_id = r.id;
			g->measurement = kind;
			latest = r.opens_at;
		}
	}
	return 0;
}

static json_t *
sessions_json(struct gather *g)
{
	struct session_list sl = { 0 };
	json_t *a = json_array();

	if (a == NULL || store_session_list(g->f.db, g->p.id, &sl, &g->err) < 0) {
		json_decref(a);
		return NULL;
	}
	for (size_t i = 0; i < sl.n; i++) {
		const struct session *s = &sl.v[i];
		json_t *o = json_object();
		char at[32];

		local_time(g->p.timezone, s->starts_at, at);
		if (o == NULL)
			g->bad = 1;
		put(o, "id", json_integer(s->id), &g->bad);
		put(o, "kind", json_string(s->kind), &g->bad);
		put(o, "team", s->team_name ? ctl_json_text(s->team_name) : json_null(), &g->bad);
		put(o, "starts", json_string(at), &g->bad);
		put(o, "status", json_string(s->status), &g->bad);
		put(o, "invited", json_integer(s->invited), &g->bad);
		put(o, "accepted", json_integer(s->accepted), &g->bad);
		put(o, "declined", json_integer(s->declined), &g->bad);
		put(o, "tentative", json_integer(s->tentative), &g->bad);
		put(o, "no_answer", json_integer(s->no_answer), &g->bad);
		append(a, o, &g->bad);
	}
	store_session_list_release(&sl);
	return a;
}

static json_t *
mail_json(struct gather *g)
{
	struct overview_mail m;
	int pending, quarantined;
	json_t *o;

	if (store_overview_mail(g->f.db, g->p.id, &m, &g->err) < 0 ||
	    (pending = queue_inbox_count(g->f.db, "pending", &g->err)) < 0 ||
	    (quarantined = queue_inbox_count(g->f.db, "quarantined", &g->err)) < 0)
		return NULL;
	if ((o = json_object()) == NULL)
		return NULL;
	put(o, "sent", json_integer(m.sent), &g->bad);
	put(o, "queued", json_integer(m.queued + m.sending), &g->bad);
	put(o, "retry", json_integer(m.retry), &g->bad);
	put(o, "held", json_integer(m.held), &g->bad);
	put(o, "deferred", json_integer(m.deferred), &g->bad);
	put(o, "failed", json_integer(m.failed), &g->bad);
	put(o, "inbox_pending", json_integer(pending), &g->bad);
	put(o, "quarantined", json_integer(quarantined), &g->bad);
	return o;
}

/* The next moments of the plan after now (sessions without a time left out). */
static json_t *
next_json(struct gather *g)
{
	json_t *a = json_array();
	int n = 0;

	for (size_t i = 0; a != NULL && i < g->plan.n && n < OVERVIEW_NEXT; i++) {
		const struct plan_moment *mo = &g->plan.moments[i];
		json_t *o;
		char at[32];

		if (mo->at <= g->f.now || !mo->scheduled)
			continue;
		local_time(g->p.timezone, mo->at, at);
		if ((o = json_object()) == NULL)
			g->bad = 1;
		put(o, "at", json_string(at), &g->bad);
		put(o, "week", json_integer(mo->week), &g->bad);
		put(o, "kind", json_string(plan_kind_name(mo->kind)), &g->bad);
		put(o, "what", json_string(mo->label), &g->bad);
		append(a, o, &g->bad);
		n++;
	}
	return a;
}

static json_t *
gather(struct gather *g)
{
	struct team_list tl = { 0 };
	json_t *o = json_object(), *teams = json_array(), *unreachable = json_array(),
	    *away = json_array(), *v;

	if (o == NULL || teams == NULL || unreachable == NULL || away == NULL) {
		g->bad = 1;
		goto fail;
	}
	if (flow_plan(&g->f, &g->p, &g->plan, &g->err) < 0 ||
	    flow_today(&g->f, &g->p, g->today, &g->err) < 0 ||
	    (g->week = flow_week(&g->f, &g->p, &g->err)) < 0 ||
	    store_overview_away(g->f.db, g->p.id, g->today, &g->away, &g->err) < 0 ||
	    latest_measurement(g) < 0 || store_team_list(g->f.db, g->p.id, &tl, &g->err) < 0)
		goto fail;
	put(o, "program", program_json(g), &g->bad);
	for (size_t i = 0; i < tl.n; i++) {
		if ((v = team_json(g, &tl.v[i], unreachable, away)) == NULL)
			goto fail;
		append(teams, v, &g->bad);
	}
	put(o, "teams", teams, &g->bad);
	teams = NULL;
	if ((v = sessions_json(g)) == NULL)
		goto fail;
	put(o, "sessions", v, &g->bad);
	if ((v = mail_json(g)) == NULL)
		goto fail;
	put(o, "mail", v, &g->bad);
	put(o, "unreachable", unreachable, &g->bad);
	put(o, "away", away, &g->bad);
	unreachable = away = NULL;
	put(o, "next", next_json(g), &g->bad);
	store_team_list_release(&tl);
	if (g->bad) {
		fb_error_set(&g->err, "out of memory");
		json_decref(o);
		return NULL;
	}
	return o;
fail:
	if (g->bad && g->err.msg[0] == '\0')
		fb_error_set(&g->err, "out of memory");
	store_team_list_release(&tl);
	json_decref(teams);
	json_decref(unreachable);
	json_decref(away);
	json_decref(o);
	return NULL;
}

/* ---- the text view --------------------------------------------------------------------------- */

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "-";
}

static long long
num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* An integer cell, "-" for null. */
static const char *
cell(json_t *o, const char *key, char *buf, size_t n)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		return "-";
	snprintf(buf, n, "%lld", json_integer_value(v));
	return buf;
}

static int
print_text(json_t *o)
{
	json_t *p = json_object_get(o, "program"), *teams = json_object_get(o, "teams"), *v;
	json_t *mail = json_object_get(o, "mail");
	size_t i;
	char b[6][24], q[96];

	printf("%s: week %lld of %lld, %s%s%s (%s to %s, %s; today %s)\n", str(p, "name"),
	    num(p, "week"), num(p, "weeks"), str(p, "state"),
	    json_object_get(p, "paused_until") != NULL ? " until " : "",
	    json_object_get(p, "paused_until") != NULL ? str(p, "paused_until") : "",
	    str(p, "start"), str(p, "ends"), str(p, "timezone"), str(p, "today"));
	printf("\n");
	{
		static const char *const head[] = { "TEAM", "MEMBERS", "LEFT", "RESPONDED",
		    "LAGGING", "AWAY", "UNREACHABLE", "QUESTIONNAIRE" };
		struct table *t = table_new(8, head);
		json_t *first = json_array_get(teams, 0);

		if (t == NULL)
			return ctl_error("out of memory");
		json_array_foreach(teams, i, v) {
			json_t *qn = json_object_get(v, "questionnaire");
			const char *row[8];

			if (json_is_object(qn))
				snprintf(q, sizeof(q), "%s %lld/%lld complete", str(qn, "measurement"),
				    num(qn, "complete"), num(qn, "sent"));
			row[0] = str(v, "name");
			row[1] = cell(v, "members", b[0], sizeof(b[0]));
			row[2] = cell(v, "left", b[1], sizeof(b[1]));
			row[3] = cell(v, "responded", b[2], sizeof(b[2]));
			row[4] = cell(v, "lagging", b[3], sizeof(b[3]));
			row[5] = cell(v, "away", b[4], sizeof(b[4]));
			row[6] = cell(v, "unreachable", b[5], sizeof(b[5]));
			row[7] = json_is_object(qn) ? q : "-";
			table_add(t, row);
		}
		if (json_array_size(teams) == 0)
			printf("No teams yet (feedbackctl team add).\n");
		else
			table_print(t, stdout);
		table_free(t);
		if (first != NULL)
			printf("(responded: gave or asked feedback in week %lld; lagging: in week %s, "
			    "by the weekly report's rule)\n", num(p, "week"),
			    json_is_integer(json_object_get(first, "lagging_week")) ?
			    cell(first, "lagging_week", b[0], sizeof(b[0])) : "- (none ended yet)");
	}
	printf("\nSessions:%s\n", json_array_size(json_object_get(o, "sessions")) ? "" :
	    " none scheduled");
	json_array_foreach(json_object_get(o, "sessions"), i, v)
		printf("  #%lld %s, %s, %s, %s: %lld accepted, %lld declined, %lld tentative, "
		    "%lld no answer\n", num(v, "id"), str(v, "kind"),
		    json_is_string(json_object_get(v, "team")) ? str(v, "team") : "all teams",
		    str(v, "starts"), str(v, "status"), num(v, "accepted"), num(v, "declined"),
		    num(v, "tentative"), num(v, "no_answer"));
	printf("\nMail: %lld sent, %lld queued, %lld waiting for the mail budget, %lld held by the "
	    "daily cap, %lld to retry, %lld failed\n", num(mail, "sent"), num(mail, "queued"),
	    num(mail, "deferred"), num(mail, "held"), num(mail, "retry"), num(mail, "failed"));
	printf("Inbox: %lld pending, %lld in quarantine%s\n", num(mail, "inbox_pending"),
	    num(mail, "quarantined"), num(mail, "quarantined") ? " (feedbackctl quarantine list)" :
	    "");
	printf("Unreachable:%s", json_array_size(json_object_get(o, "unreachable")) ? "\n" :
	    " nobody\n");
	json_array_foreach(json_object_get(o, "unreachable"), i, v)
		printf("  %s <%s> (%s): %s\n", str(v, "name"), str(v, "address"), str(v, "team"),
		    str(v, "why"));
	printf("Away today:%s", json_array_size(json_object_get(o, "away")) ? "\n" : " nobody\n");
	json_array_foreach(json_object_get(o, "away"), i, v)
		printf("  %s (%s) until %s\n", str(v, "name"), str(v, "team"), str(v, "until"));
	printf("\nNext:%s", json_array_size(json_object_get(o, "next")) ? "\n" :
	    " nothing more is planned\n");
	json_array_foreach(json_object_get(o, "next"), i, v)
		printf("  %s  week %-3lld %s\n", str(v, "at"), num(v, "week"), str(v, "what"));
	return fflush(stdout) == 0 ? CTL_OK : ctl_error("writing the overview: output error");
}

int
ctl_overview(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "program", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct outmail_templates *tpl = NULL;
	const char *program = NULL;
	struct gather g;
	json_t *o;
	int ch, rc = CTL_FAIL;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (ch) {
		case 'p': program = optarg; break;
		case 'h': return ctl_usage(overview_usage, 1);
		case ':':
			ctl_error("overview: %s needs a value", argv[optind - 1]);
			return CTL_USAGE;
		default:
			ctl_error("overview: unknown option \"%s\"", argv[optind - 1]);
			return CTL_USAGE;
		}
	}
	if (argc - optind > 1 || (argc - optind == 1 && program != NULL)) {
		ctl_error("overview: one programme at a time (\"%s\" is one too many)",
		    argv[argc - 1]);
		return CTL_USAGE;
	}
	if (argc - optind == 1)
		program = argv[optind];
	memset(&g, 0, sizeof(g));
	g.plan = (struct plan)PLAN_INIT;
	if (ctl_flow_open(c, &g.f, &tpl) != CTL_OK)
		return CTL_FAIL;
	if (ctl_pick_program(c, program, &g.p) != CTL_OK)
		goto out;
	if ((o = gather(&g)) == NULL) {
		ctl_error("overview: %s", g.err.msg);
		goto out;
	}
	rc = c->json ? ctl_print_json(o) : print_text(o);
	if (!c->json)
		json_decref(o);
out:
	store_overview_away_release(&g.away);
	plan_release(&g.plan);
	store_program_release(&g.p);
	outmail_templates_free(tpl);
	return rc;
}
