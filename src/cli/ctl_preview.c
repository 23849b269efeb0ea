/*
 * ctl_preview — feedbackctl preview: the mail the daemon would send, before it goes.
 *
 * Every kind is composed by the flow function the daemon itself calls for that mail
 * (schedule_nudge_mail, measure_preview, report_send_weekly_eml, invite_session_mail, ...) with
 * outmail's raw_out: the same template, values and MIME, into a buffer instead of the outbox.
 * The whole command runs inside a transaction that is rolled back, so whatever those functions
 * read on the way (a rating sample picked for a report) leaves no trace: nothing is written.
 * What differs from the mail that goes: its Date and Message-ID (made when it is queued), the
 * MIME boundaries, and the reply token (outmail's example token, stored nowhere, so its links
 * answer nothing); said on stderr, never in the mail.
 *
 * The kinds are a table: a new one is a row and the function that calls its flow composer.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action_mail.h"
#include "ctl.h"
#include "feedback_mail.h"
#include "flow.h"
#include "invite.h"
#include "match.h"
#include "measure.h"
#include "outmail.h"
#include "plan.h"
#include "report_progress.h"
#include "report_send.h"
#include "schedule.h"
#include "store.h"
#include "team_picture_send.h"
#include "vocab.h"
#include "welcome.h"
#include "banned.h"

static const char preview_usage[] =
	"usage: feedbackctl preview KIND --member MEMBER [--week N] [--measurement M]\n"
	"                           [--program PROGRAM] [--eml FILE]\n"
	"       feedbackctl preview weekly-report|progress-report|evaluation-report\n"
	"                           [--facilitator NAME | --team TEAM] [--week N] ...\n"
	"       feedbackctl preview invite --session ID --member MEMBER|--facilitator NAME\n"
	"       feedbackctl preview --list\n"
	"\n"
	"Prints the mail the daemon would send (headers and MIME body), composed by the daemon's\n"
	"own code, or writes it to FILE (--eml) to open in a mail program. Nothing is written to\n"
	"the database and nothing is queued. The reply token in it (Reply-To, subject, answer\n"
	"links) is an example: the mail that goes gets its own, and its own Date, Message-ID\n"
	"and MIME boundaries.\n"
	"\n"
	"  --member MEMBER      address, name, first name or unique start of a name\n"
	"  --facilitator NAME   a facilitator (address or name); --team TEAM: its first one\n"
	"  --week N             the week of the moment (a weekly report: the week reported on);\n"
	"                       default: the next such moment of the plan\n"
	"  --measurement M      baseline, midterm, final or followup (questionnaires)\n"
	"  --session ID         the session of an invite (feedbackctl session list)\n"
	"  --program PROGRAM    needed when there is more than one programme\n"
	"  --eml FILE           write the message to FILE instead of printing it\n"
	"  --list               the kinds of mail there are\n";

/* Who a kind goes to: which of --member, --facilitator/--team it takes. */
enum preview_who {
	WHO_MEMBER = 1,        /* --member (required unless WHO_FACILITATOR allows the other) */
	WHO_FACILITATOR = 2,   /* --facilitator or --team */
	WHO_COORDINATOR = 4,   /* neither given: the coordinator */
};

/* What the command line chose, resolved. */
struct preview_ctx {
	struct flow f;
	struct program p;
	struct plan plan;
	const struct plan_moment *mo; /* the moment picked for the kind; NULL for none */
	struct member m;               /* with have_member */
	int have_member;
	struct facilitator fac;        /* with have_facilitator */
	int have_facilitator;
	int64_t team_id;               /* --team (or the facilitator's) */
	int64_t session_id;
};

struct preview_kind {
	const char *name;
	int moment;                    /* the plan kind whose moment --week picks; -1: none */
	unsigned who;                  /* enum preview_who */
	int (*compose)(const struct preview_ctx *x, struct buf *eml, struct fb_error *err);
	const char *what;
};

static int
compose_nudge(const struct preview_ctx *x, struct buf *eml, struct fb_error *err)
{
	struct member_list team = { 0 };
	int rc;

	if (store_member_list(x->f.db, 0, x->m.team_id, &team, err) < 0)
		return -1;
	rc = schedule_nudge_mail(&x->f, &x->p, x->mo->week, &x->m, &team, eml, err);
	store_member_list_release(&team);
	return rc;
}

static int
compose_questionnaire(const struct preview_ctx *x, struct buf *eml, struct fb_error *err)
{
	return measure_preview(&x->f, &x->p, plan_measurement_name(x->mo->measurement), 0, &x->m,
	    eml, err);
}

static int
compose_reminder(const struct preview_ctx *x, struct buf *eml, struct fb_error *err)
{
	return measure_preview(&x->f, &x->p, plan_measurement_name(x->mo->measurement), 1, &x->m,
	    eml, err);
}

static int
compose_weekly(const struct preview_ctx *x, struct buf *eml, struct fb_error *err)
{
	return report_send_weekly_eml(&x->f, &x->p, x->team_id, x->mo->number,
	    x->have_facilitator ? x->fac.id : 0, eml, err);
}

/* The coordinator, as report_send_progress() picks them. */
static const char *
coordinator_of(const struct preview_ctx *x)
{
	const char *c = x->f.cfg->feedbackd.coordinator_address;

	if (x->p.organizer != NULL && *x->p.organizer != '\0')
		return x->p.organizer;
	return c != NULL ? c : "";
}

static int
compose_progress_kind(const struct preview_ctx *x, enum report_progress_kind kind,
    struct buf *eml, struct fb_error *err)
{
	int through = x->mo->week - 1; /* as report_send_moment() */

	if (through > x->p.weeks)
		through = x->p.weeks;
	if (through < 1)
		through = 1;
	if (x->team_id > 0)
		return report_send_progress_eml_to(&x->f, &x->p, x->team_id, kind, 0, through,
		    x->have_facilitator ? x->fac.address : NULL,
		    x->have_facilitator ? x->fac.name : NULL, eml, err);
	if (*coordinator_of(x) == '\0')
		return fb_error_set(err, "the programme's report goes to the coordinator, and there "
		    "is none (program.organizer or feedbackd.coordinator_address); name a "
		    "--facilitator or --team for a team's report");
	return report_send_progress_eml_to(&x->f, &x->p, 0, kind, 0, through, coordinator_of(x),
	    "", eml, err);
}

static int
compose_progress(const struct preview_ctx *x, struct buf *eml, struct fb_error *err)
{
	return compose_progress_kind(x, REPORT_PROGRESS, eml, err);
}

static int
compose_evaluation(const struct preview_ctx *x, struct buf *eml, struct fb_error *err)
{
	return compose_progress_kind(x, REPORT_EVALUATION, eml, err);
}

/* The team's picture a member gets with the progress report (report_send_moment()). */
static int
compose_team_picture(const struct preview_ctx *x, struct buf *eml, struct fb_error *err)
{
	int through = x->mo->week - 1; /* as report_send_moment() */

	if (through > x->p.weeks)
		through = x->p.weeks;
	if (through < 1)
		through = 1;
	return team_picture_send_eml(&x->f, &x->p, &x->m, through, eml, err);
}

static int
compose_invite(const struct preview_ctx *x, struct buf *eml, struct fb_error *err)
{
	if (x->have_member)
		return invite_session_mail(&x->f, &x->p, x->session_id, x->m.address, x->m.name,
		    x->m.id, eml, err);
	return invite_session_mail(&x->f, &x->p, x->session_id, x->fac.address, x->fac.name, 0,
	    eml, err);
}

static int
compose_moment(const struct preview_ctx *x, struct buf *eml, struct fb_error *err)
{
	return invite_moment_mail(&x->f, &x->p, &x->plan, x->mo, &x->m, eml, err);
}

static int
compose_actions(const struct preview_ctx *x, struct buf *eml, struct fb_error *err)
{
	return action_mail_preview(&x->f, &x->p, &x->fac, eml, err);
}

/* The kinds of mail a preview shows: one row each. */
static int
compose_welcome(const struct preview_ctx *x, struct buf *eml, struct fb_error *err)
{
	return welcome_mail(&x->f, &x->p, &x->m, eml, err);
}

/* The newest feedback the member received, as its giver's correction would send it. */
static int
compose_feedback_corrected(const struct preview_ctx *x, struct buf *eml, struct fb_error *err)
{
	return feedback_mail_preview_corrected(&x->f, &x->p, &x->m, eml, err);
}

static const struct preview_kind kinds[] = {
	{ "welcome", -1, WHO_MEMBER, compose_welcome,
	    "the welcome, a member's first mail (or a late joiner's)" },
	{ "nudge", PLAN_NUDGE, WHO_MEMBER, compose_nudge,
	    "the weekly nudge to a member (Monday 09:00)" },
	{ "questionnaire", PLAN_QUESTIONNAIRE, WHO_MEMBER, compose_questionnaire,
	    "a questionnaire (baseline, midterm, final, followup)" },
	{ "questionnaire-reminder", PLAN_REMINDER, WHO_MEMBER, compose_reminder,
	    "its reminder, without the questions already answered" },
	{ "weekly-report", PLAN_WEEKLY_REPORT, WHO_FACILITATOR, compose_weekly,
	    "a team's weekly report to its facilitator (Monday 08:00)" },
	{ "progress-report", PLAN_PROGRESS_REPORT, WHO_FACILITATOR | WHO_COORDINATOR,
	    compose_progress, "the progress report: the coordinator's, or a team's (--team)" },
	{ "evaluation-report", PLAN_EVALUATION_REPORT, WHO_FACILITATOR | WHO_COORDINATOR,
	    compose_evaluation, "the evaluation report at the end, likewise" },
	{ "actions-received", -1, WHO_FACILITATOR, compose_actions,
	    "the confirmation of improvement actions sent in reply to a report" },
	{ "team-picture", PLAN_PROGRESS_REPORT, WHO_MEMBER, compose_team_picture,
	    "the team's picture to a member, before the progress session" },
	{ "invite", -1, WHO_MEMBER | WHO_FACILITATOR, compose_invite,
	    "a session's calendar invitation (--session ID)" },
	{ "moment-invite", PLAN_QUESTIONNAIRE, WHO_MEMBER, compose_moment,
	    "a questionnaire moment as a calendar item" },
	{ "feedback-corrected", -1, WHO_MEMBER, compose_feedback_corrected,
	    "the newest feedback the member received, as its giver's correction sends it" },
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static const struct preview_kind *
kind_of(const char *name)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

static void
list_kinds(FILE *to)
{
	for (size_t i = 0; i < NKINDS; i++)
		fprintf(to, "  %-24s %s\n", kinds[i].name, kinds[i].what);
}

/* ---- who: the one name matcher ------------------------------------------------------------- */

/* Say what match_colleague() made of query among c[0..n) when it is not a sure match: the
 * candidates when ambiguous, "did you mean" for a near one, the nearest for none. CTL_FAIL. */
static int
match_trouble(const char *what, const char *query, const struct match_candidate *c,
    const struct match_result *r)
{
	if (r->how == MATCH_FUZZY)
		return ctl_error("no %s \"%s\"; did you mean %s <%s>?", what, query, c[r->index].name,
		    c[r->index].address);
	ctl_error(r->how == MATCH_AMBIGUOUS ? "\"%s\" fits more than one %s:" :
	    "no %s \"%s\"%s", r->how == MATCH_AMBIGUOUS ? query : what,
	    r->how == MATCH_AMBIGUOUS ? what : query,
	    r->how == MATCH_AMBIGUOUS ? "" : r->nalternatives ? "; nearest:" : "");
	for (size_t i = 0; i < r->nalternatives; i++)
		fprintf(stderr, "  %s <%s>\n", c[r->alternatives[i]].name,
		    c[r->alternatives[i]].address);
	return CTL_FAIL;
}

/* The index in c[0..n) that query names surely, or -1 after saying why not. */
static long
match_one(const char *what, const char *query, const struct match_candidate *c, size_t n)
{
	struct match_result r;

	switch (match_colleague(c, n, query, &r)) {
	case MATCH_ADDRESS:
	case MATCH_NAME:
	case MATCH_FIRST_NAME:
		return (long)r.index;
	default:
		match_trouble(what, query, c, &r);
		return -1;
	}
}

/* --member: x->m, by the one name matcher. CTL_OK or CTL_FAIL after saying why. */
static int
pick_member(struct preview_ctx *x, const char *query, struct fb_error *err)
{
	struct member_list l = { 0 };
	struct match_candidate *c;
	long i = -1;

	if (store_member_list(x->f.db, x->p.id, 0, &l, err) < 0)
		return ctl_error("%s", err->msg);
	if ((c = calloc(l.n + 1, sizeof(*c))) == NULL) {
		store_member_list_release(&l);
		return ctl_error("out of memory");
	}
	for (size_t k = 0; k < l.n; k++) {
		c[k].name = l.v[k].name;
		c[k].address = l.v[k].address;
	}
	if (l.n == 0)
		ctl_error("programme %s has no members yet", x->p.name);
	else
		i = match_one("member", query, c, l.n);
	free(c);
	if (i >= 0) {
		char spec[24];

		snprintf(spec, sizeof(spec), "%lld", (long long)l.v[i].id);
		if (store_member_find(x->f.db, x->p.id, 0, spec, &x->m, err) < 0) {
			ctl_error("%s", err->msg);
			i = -1;
		} else {
			x->have_member = 1;
		}
	}
	store_member_list_release(&l);
	return i >= 0 ? CTL_OK : CTL_FAIL;
}

/* --facilitator (query) or --team (query NULL: its first facilitator): x->fac. */
static int
pick_facilitator(struct preview_ctx *x, const char *query, struct fb_error *err)
{
	struct facilitator_list l = { 0 };
	struct match_candidate *c;
	long i = -1;

	if (store_facilitator_list(x->f.db, x->p.id, x->team_id, &l, err) < 0)
		return ctl_error("%s", err->msg);
	if ((c = calloc(l.n + 1, sizeof(*c))) == NULL) {
		store_facilitator_list_release(&l);
		return ctl_error("out of memory");
	}
	for (size_t k = 0; k < l.n; k++) {
		c[k].name = l.v[k].name != NULL ? l.v[k].name : l.v[k].address;
		c[k].address = l.v[k].address;
	}
	if (l.n == 0)
		ctl_error("no facilitators yet (feedbackctl facilitator add)");
	else if (query == NULL)
		i = 0; /* --team: its first facilitator, as report_send_weekly_eml() */
	else
		i = match_one("facilitator", query, c, l.n);
	free(c);
	if (i >= 0) {
		x->fac = l.v[i];
		x->team_id = x->fac.team_id;
		/* the strings are x's now: the entry leaves the list before it is released */
		l.v[i] = l.v[--l.n];
		x->have_facilitator = 1;
	}
	store_facilitator_list_release(&l);
	return i >= 0 ? CTL_OK : CTL_FAIL;
}

/* ---- which moment ---------------------------------------------------------------------------- */

/* The moment of kind k for the preview: with week (> 0), the one in that week (a weekly
 * report: reporting on it); with measurement (>= 0), one of it; else the next one at or after
 * now, or the last when all are past. NULL after saying what there is. */
static const struct plan_moment *
pick_moment(const struct plan *plan, enum plan_kind k, int week, int measurement, time_t now,
    const char *kind)
{
	const struct plan_moment *next = NULL, *last = NULL;

	for (size_t i = 0; i < plan->n; i++) {
		const struct plan_moment *mo = &plan->moments[i];
		int w = k == PLAN_WEEKLY_REPORT ? mo->number : mo->week;

		if (mo->kind != k || (week > 0 && w != week) ||
		    (measurement >= 0 && (int)mo->measurement != measurement))
			continue;
		last = mo;
		if (next == NULL && mo->at >= now)
			next = mo;
	}
	if (next != NULL)
		return next;
	if (last != NULL)
		return last;
	if (week > 0)
		ctl_error("the plan has no %s moment in week %d (feedbackctl plan)", kind, week);
	else
		ctl_error("the plan has no %s moment (feedbackctl plan)", kind);
	return NULL;
}

static int
measurement_of(const char *s)
{
	for (int m = 0; m < PLAN_MEASUREMENTS; m++)
		if (strcmp(s, plan_measurement_name((enum plan_measurement)m)) == 0)
			return m;
	return -1;
}

/* What the daemon would do differently: said on stderr, the preview still shown. */
static void
say_member_state(const struct preview_ctx *x, struct fb_error *err)
{
	char today[11];
	int away;

	if (member_status_from_name(x->m.status) != MEMBER_ACTIVE)
		fprintf(stderr, "note: %s is %s: the daemon sends them nothing\n", x->m.name,
		    x->m.status);
	else if (x->m.undeliverable_at != 0 || x->m.complained_at != 0)
		fprintf(stderr, "note: %s's address %s: the daemon sends them nothing\n", x->m.name,
		    x->m.complained_at ? "complained of spam" : "is unreachable");
	else if (flow_today(&x->f, &x->p, today, err) == 0 &&
	    (away = store_member_is_away(x->f.db, x->m.id, today, err)) > 0)
		fprintf(stderr, "note: %s is away today: the daemon waits for their return\n",
		    x->m.name);
}

/* ---- the command ------------------------------------------------------------------------------ */

struct preview_opts {
	const char *member, *facilitator, *team, *week, *measurement, *program, *eml, *session;
};

static int
preview_run(struct ctl *c, const struct preview_kind *k, const struct preview_opts *o)
{
	struct outmail_templates *tpl = NULL;
	struct preview_ctx x;
	struct buf eml = BUF_INIT;
	struct fb_error err;
	int week = 0, meas = -1, rc = CTL_FAIL, began = 0;

	memset(&x, 0, sizeof(x));
	x.plan = (struct plan)PLAN_INIT;
	if (ctl_flow_open(c, &x.f, &tpl) != CTL_OK)
		return CTL_FAIL;
	if (ctl_pick_program(c, o->program, &x.p) != CTL_OK) {
		outmail_templates_free(tpl);
		return CTL_FAIL;
	}
	/* Everything below reads; a composer may write on the way (a report's rating samples):
	 * the transaction is rolled back, so nothing stays. */
	if (db_begin(c->db, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	began = 1;
	if (o->week != NULL && ctl_parse_week(preview_usage, "preview", o->week, x.p.weeks, &week) != CTL_OK)
		goto out;
	if (o->measurement != NULL && (meas = measurement_of(o->measurement)) < 0) {
		ctl_error("--measurement %s: accepted values are baseline, midterm, final, followup",
		    o->measurement);
		rc = CTL_USAGE;
		goto out;
	}
	if (o->team != NULL) {
		struct team t;

		if (store_team_get(c->db, o->team, &t, &err) < 0) {
			ctl_error("%s", err.msg);
			goto out;
		}
		x.team_id = t.id;
		store_team_release(&t);
	}
	if (o->member != NULL && pick_member(&x, o->member, &err) != CTL_OK)
		goto out;
	if ((o->facilitator != NULL || o->team != NULL) && (k->who & WHO_FACILITATOR) &&
	    pick_facilitator(&x, o->facilitator, &err) != CTL_OK)
		goto out;
	if (o->session != NULL && ctl_parse_id_of(o->session, "session id (feedbackctl session "
	    "list)", &x.session_id) != CTL_OK)
		goto out;
	if (flow_plan(&x.f, &x.p, &x.plan, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	if (k->moment >= 0 && (x.mo = pick_moment(&x.plan, (enum plan_kind)k->moment, week, meas,
	    c->now, k->name)) == NULL)
		goto out;
	if (x.have_member)
		say_member_state(&x, &err);
	if (k->compose(&x, &eml, &err) < 0) {
		ctl_error("%s: %s", k->name, err.msg);
		goto out;
	}
	if (o->eml != NULL) {
		FILE *fp = fopen(o->eml, "wb");

		if (fp == NULL || fwrite(eml.data, 1, eml.len, fp) != eml.len || fclose(fp) != 0) {
			ctl_error("cannot write %s", o->eml);
			goto out;
		}
		fprintf(stderr, "wrote %s (%zu bytes)\n", o->eml, eml.len);
	} else if (fwrite(eml.data, 1, eml.len, stdout) != eml.len || fflush(stdout) != 0) {
		ctl_error("writing the message: output error");
		goto out;
	}
	{
		char tok[TOKEN_LEN + 1];

		outmail_example_token(tok);
		fprintf(stderr, "preview of %s%s%s: nothing was queued or stored. Where the mail "
		    "carries a reply token it is the example %s (its links answer nothing); the "
		    "mail that goes gets its own token, Date, Message-ID and MIME boundaries.\n",
		    k->name, x.mo != NULL ? ", " : "", x.mo != NULL ? x.mo->label : "", tok);
	}
	rc = CTL_OK;
out:
	if (began)
		db_rollback(c->db);
	buf_release(&eml);
	plan_release(&x.plan);
	if (x.have_member)
		store_member_release(&x.m);
	if (x.have_facilitator)
		store_facilitator_release(&x.fac);
	store_program_release(&x.p);
	outmail_templates_free(tpl);
	/* the reports' charts drew with cairo, whose fontconfig caches live until given back */
	if (k->compose == compose_progress || k->compose == compose_evaluation)
		report_chart_cleanup();
	return rc;
}

int
ctl_preview(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "member", required_argument, NULL, 'm' },
		{ "facilitator", required_argument, NULL, 'f' },
		{ "team", required_argument, NULL, 't' },
		{ "week", required_argument, NULL, 'w' },
		{ "measurement", required_argument, NULL, 'M' },
		{ "program", required_argument, NULL, 'p' },
		{ "eml", required_argument, NULL, 'e' },
		{ "session", required_argument, NULL, 's' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct preview_opts o = { 0 };
	const struct preview_kind *k;
	int ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (ch) {
		case 'm': o.member = optarg; break;
		case 'f': o.facilitator = optarg; break;
		case 't': o.team = optarg; break;
		case 'w': o.week = optarg; break;
		case 'M': o.measurement = optarg; break;
		case 'p': o.program = optarg; break;
		case 'e': o.eml = optarg; break;
		case 's': o.session = optarg; break;
		case 'l':
			printf("Kinds of mail feedbackctl preview shows:\n");
			list_kinds(stdout);
			return CTL_OK;
		case 'h': return ctl_usage(preview_usage, 1);
		case ':':
			ctl_error("preview: %s needs a value", argv[optind - 1]);
			return CTL_USAGE;
		default:
			ctl_error("preview: unknown option \"%s\"", argv[optind - 1]);
			return CTL_USAGE;
		}
	}
	if (optind >= argc) {
		ctl_error("preview: which kind of mail? One of:");
		list_kinds(stderr);
		return CTL_USAGE;
	}
	if (optind + 1 < argc) {
		ctl_error("preview: unexpected argument \"%s\"", argv[optind + 1]);
		return CTL_USAGE;
	}
	if ((k = kind_of(argv[optind])) == NULL) {
		ctl_error("preview: no kind of mail \"%s\"; the kinds are:", argv[optind]);
		list_kinds(stderr);
		return CTL_USAGE;
	}
	if (o.member != NULL && !(k->who & WHO_MEMBER)) {
		ctl_error("preview %s: goes to facilitators, not members: use --facilitator or "
		    "--team", k->name);
		return CTL_USAGE;
	}
	if ((o.facilitator != NULL || o.team != NULL) && !(k->who & WHO_FACILITATOR)) {
		ctl_error("preview %s: goes to a member: use --member", k->name);
		return CTL_USAGE;
	}
	if (o.member != NULL && o.facilitator != NULL) {
		ctl_error("preview %s: --member or --facilitator, not both", k->name);
		return CTL_USAGE;
	}
	if (o.member == NULL && o.facilitator == NULL && o.team == NULL &&
	    !(k->who & WHO_COORDINATOR)) {
		ctl_error("preview %s: whose mail? Give %s", k->name,
		    (k->who & WHO_MEMBER) && (k->who & WHO_FACILITATOR) ?
		    "--member MEMBER or --facilitator NAME" : (k->who & WHO_MEMBER) ?
		    "--member MEMBER" : "--facilitator NAME or --team TEAM");
		return CTL_USAGE;
	}
	if ((o.session != NULL) != (k->compose == compose_invite)) {
		ctl_error(o.session != NULL ? "preview %s: --session is for invite only" :
		    "preview %s: which session? Give --session ID (feedbackctl session list)",
		    k->name);
		return CTL_USAGE;
	}
	if (o.measurement != NULL && k->moment != PLAN_QUESTIONNAIRE &&
	    k->moment != PLAN_REMINDER) {
		ctl_error("preview %s: --measurement is for the questionnaire kinds", k->name);
		return CTL_USAGE;
	}
	return preview_run(c, k, &o);
}
