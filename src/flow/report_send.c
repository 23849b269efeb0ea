/*
 * report_send — the reports as mail: load (store_report.h), compute (report.h,
 * report_progress.h), render, and queue one mail per recipient with outmail. See
 * include/report_send.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "measure.h"
#include "outmail.h"
#include "questionnaire.h"
#include "report.h"
#include "report_progress.h"
#include "report_send.h"
#include "report_ratings.h"
#include "store_action.h"
#include "store_report.h"
#include "team_picture_send.h"
#include "template.h"
#include "banned.h"

/* ---- one report to its recipients ------------------------------------------------------------ */

struct recipient {
	const char *addr, *name;     /* name may be NULL */
	int64_t facilitator_id;      /* > 0: a facilitator's (the token names them) */
	int reply;                   /* the mail carries a token of its report_mail's purpose */
};

/* What the mails of one report share; the address, name and token are per recipient. */
struct report_mail {
	const char *kind;            /* the template's name */
	enum token_purpose purpose;  /* of the recipients' tokens; PURPOSE_UNKNOWN: none */
	const char *team;            /* "team": NULL for the programme's report */
	int64_t team_id;             /* the report tokens' reference */
	int week;
	const char *variant, *variant_value; /* one more value: the kind of report, samples */
	const char *text, *html;     /* the renderings: for the text part and the HTML part */
	const struct compose_inline *inlines;
	size_t ninlines;
	struct buf *eml;             /* not NULL: the first recipient's mail into it, none queued */
};

/* The report rm to each of to[0..nto) in one transaction, *mails counted; with rm->eml only
 * the first recipient's, composed into it. */
static int
report_mail_queue(const struct flow *f, const struct program *p, const struct report_mail *rm,
    const struct recipient *to, size_t nto, size_t *mails, struct fb_error *err)
{
	if (rm->eml != NULL)
		nto = nto > 0 ? 1 : 0;
	else if (db_begin(f->db, err) < 0)
		return -1;
	for (size_t i = 0; i < nto; i++) {
		struct template_values *v = template_values_new();
		struct outmail_token t = { rm->purpose, 0, to[i].facilitator_id, rm->team_id };
		struct outmail_msg m = {
			.kind = rm->kind, .program = p, .to_addr = to[i].addr, .to_name = to[i].name,
			.token = to[i].reply && rm->purpose != PURPOSE_UNKNOWN ? &t : NULL, .values = v,
			.inlines = rm->inlines, .ninlines = rm->ninlines, .raw_out = rm->eml,
		};
		int r = v == NULL || template_set(v, "name", to[i].name ? to[i].name : "") < 0 ||
		    template_set(v, "team", rm->team) < 0 ||
		    template_setf(v, "week", "%d", rm->week) < 0 ||
		    template_set(v, rm->variant, rm->variant_value) < 0 ||
		    /* the text part gets the text rendering, the HTML part the HTML one */
		    template_set(v, "report", rm->text) < 0 ||
		    template_set(v, "report_html", rm->html) < 0 ? -1 : 0;

		if (r < 0)
			fb_error_set(err, "out of memory");
		else
			r = outmail_queue(f, &m, NULL, err);
		template_values_free(v);
		if (r < 0) {
			if (rm->eml == NULL)
				db_rollback(f->db);
			return -1;
		}
		(*mails)++;
	}
	return rm->eml == NULL ? db_commit(f->db, err) : 0;
}

/* ---- weekly ------------------------------------------------------------------------------------ */

/* One team's weekly report to each of its facilitators; with eml, only facilitator only's
 * (0: the first), composed into eml and not queued. */
static int
weekly_team(const struct flow *f, const struct program *p, struct report_set *set,
    struct report_data *rd, int week, int64_t only, struct buf *eml, size_t *mails,
    struct fb_error *err)
{
	struct facilitator_list fl = { 0 };
	struct recipient *to = NULL;
	struct report_rules rules;
	struct report rep = REPORT_INIT;
	struct buf text = BUF_INIT, html = BUF_INIT;
	int samples, rc = -1;

	if (store_facilitator_list(f->db, 0, rd->team_id, &fl, err) < 0)
		return -1;
	if (fl.n == 0) {
		rc = 0; /* nobody to tell */
		goto out;
	}
	samples = report_samples_attach(f->db, set, rd, f->cfg->report.rating_samples, f->now, err);
	flow_report_rules(f->cfg, &rules);
	if (samples < 0 || report_weekly(&rd->in, &rules, &rep, err) < 0)
		goto out;
	if (report_render_text(&rep, &text) < 0 || report_render_html_fragment(&rep, &html) < 0) {
		fb_error_set(err, "out of memory rendering the weekly report");
		goto out;
	}
	if ((to = calloc(fl.n, sizeof(*to))) == NULL) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	size_t nto = 0;
	for (size_t i = 0; i < fl.n; i++) {
		if (eml != NULL && only > 0 && fl.v[i].id != only)
			continue;
		to[nto].addr = fl.v[i].address;
		to[nto].name = fl.v[i].name;
		to[nto].reply = 1;
		to[nto++].facilitator_id = fl.v[i].id;
	}
	struct report_mail rm = {
		.kind = "weekly_report", .purpose = PURPOSE_REPORT,
		.team = rd->team_name, .team_id = rd->team_id, .week = week,
		.variant = "samples", .variant_value = samples > 0 ? "1" : NULL,
		.text = text.data, .html = html.data, .eml = eml,
	};
	rc = report_mail_queue(f, p, &rm, to, nto, mails, err);
out:
	free(to);
	report_release(&rep);
	buf_release(&text);
	buf_release(&html);
	store_facilitator_list_release(&fl);
	return rc;
}

int
report_send_weekly(const struct flow *f, const struct program *p, int64_t team_id, int week,
    size_t *mails, struct fb_error *err)
{
	struct report_set set = REPORT_SET_INIT;
	int rc = 0;

	if (week < 1 || week > p->weeks)
		return fb_error_set(err, "week %d: programme %s has weeks 1 to %d", week, p->name,
		    p->weeks);
	if (store_report_weekly_load(f->db, p, team_id, week, f->now, &set, err) < 0)
		return -1;
	for (size_t i = 0; i < set.n && rc == 0; i++)
		rc = weekly_team(f, p, &set, &set.teams[i], week, 0, NULL, mails, err);
	store_report_set_release(&set);
	return rc;
}

int
report_send_weekly_eml(const struct flow *f, const struct program *p, int64_t team_id, int week,
    int64_t facilitator_id, struct buf *eml, struct fb_error *err)
{
	struct report_set set = REPORT_SET_INIT;
	size_t mails = 0;
	int rc = 0;

	if (week < 1 || week > p->weeks)
		return fb_error_set(err, "week %d: programme %s has weeks 1 to %d", week, p->name,
		    p->weeks);
	if (store_report_weekly_load(f->db, p, team_id, week, f->now, &set, err) < 0)
		return -1;
	for (size_t i = 0; i < set.n && rc == 0 && mails == 0; i++)
		rc = weekly_team(f, p, &set, &set.teams[i], week, facilitator_id, eml, &mails, err);
	store_report_set_release(&set);
	if (rc == 0 && mails == 0)
		return fb_error_set(err, "the weekly report of week %d goes to nobody: the team has "
		    "no facilitator (feedbackctl facilitator add)", week);
	return rc;
}

/* ---- progress and evaluation ------------------------------------------------------------------- */

/* The report of set (one team or all) to each recipient, charts inline; with eml, only the
 * first recipient's mail, composed into eml and not queued. */
static int
progress_mail(const struct flow *f, const struct program *p, const struct report_progress_set *set,
    int64_t team_id, const char *team, int followup, const struct recipient *to, size_t nto, size_t *mails,
    struct buf *eml, struct fb_error *err)
{
	struct report_charts charts = REPORT_CHARTS_INIT;
	struct report_chart_ref *refs = NULL;
	struct compose_inline *inl = NULL;
	struct buf *src = NULL, text = BUF_INIT, html = BUF_INIT;
	int rc = -1;

	if (nto == 0)
		return 0;
	if (report_charts_make(&set->in, &charts, err) < 0)
		goto out;
	refs = calloc(charts.n + 1, sizeof(*refs));
	inl = calloc(charts.n + 1, sizeof(*inl));
	src = calloc(charts.n + 1, sizeof(*src));
	if (refs == NULL || inl == NULL || src == NULL)
		goto oom;
	for (size_t i = 0; i < charts.n; i++) {
		const struct report_chart_file *c = &charts.v[i];

		buf_init(&src[i]);
		if (buf_addf(&src[i], "cid:%s", c->cid) < 0)
			goto oom;
		refs[i].src = src[i].data;
		refs[i].alt = c->alt;
		inl[i].content_id = c->cid;
		inl[i].filename = c->name;
		inl[i].content_type = "image/png";
		inl[i].data = c->png.data;
		inl[i].len = c->png.len;
	}
	if (report_progress_text(&set->in, &text) < 0 ||
	    report_progress_html_fragment(&set->in, refs, charts.n, &html) < 0)
		goto oom;
	/* A reply to the progress or evaluation report may carry improvement actions
	 * (apply_action.c): those two carry a token; the follow-up report asks nothing. */
	struct report_mail rm = {
		.kind = "progress_report", .team = team, .team_id = team_id,
		.purpose = set->in.kind == REPORT_PROGRESS ? PURPOSE_PROGRESS_REPORT : followup ?
		    PURPOSE_UNKNOWN : PURPOSE_EVALUATION_REPORT, .week = set->in.through_week,
		.variant = set->in.kind == REPORT_PROGRESS ? "progress" : followup ? "followup" :
		    "evaluation",
		.variant_value = "1", .text = text.data, .html = html.data, .inlines = inl,
		.ninlines = charts.n, .eml = eml,
	};
	rc = report_mail_queue(f, p, &rm, to, nto, mails, err);
	goto out;
oom:
	fb_error_set(err, "out of memory rendering the report");
out:
	for (size_t i = 0; src != NULL && i < charts.n; i++)
		buf_release(&src[i]);
	free(src);
	free(refs);
	free(inl);
	buf_release(&text);
	buf_release(&html);
	report_charts_release(&charts);
	return rc;
}

/* The report of team_id (0: all teams) to the recipients given, plus (team_id > 0 or each)
 * the facilitators of the team(s); with eml, only the first recipient's, into eml. */
static int
progress_for(const struct flow *f, const struct program *p, int64_t team_id,
    enum report_progress_kind kind, int followup, int through_week, const struct recipient *to,
    size_t nto, size_t *mails, struct buf *eml, struct fb_error *err)
{
	struct report_progress_set set;
	struct questionnaire baseline = QUESTIONNAIRE_INIT;
	struct report_question ambq[REPORT_AMBITION_MAX_QUESTIONS];
	size_t nambq;
	struct facilitator_list fl = { 0 };
	struct recipient *all = NULL;
	size_t n = 0;
	int rc = -1;

	memset(&set, 0, sizeof(set));
	if (measure_questionnaire_load(f->cfg->feedbackd.questionnaires_dir, p->language, "baseline",
	    &baseline, err) < 0)
		return -1;
	nambq = report_progress_ambition_questions(&baseline, ambq, REPORT_AMBITION_MAX_QUESTIONS);
	if (store_report_progress_load(f->db, p, team_id, through_week, kind,
	    f->cfg->program.min_group_size, f->now, &set, err) < 0 ||
	    store_report_ambition_load(f->db, p, team_id, ambq, nambq, &set, err) < 0 ||
	    (kind == REPORT_EVALUATION &&
	    store_report_actions_load(f->db, p->id, team_id, &set, err) < 0))
		goto out;
	if (set.in.nteams == 0) {
		rc = 0;
		goto out;
	}
	if (team_id > 0 && eml == NULL && store_facilitator_list(f->db, 0, team_id, &fl, err) < 0)
		goto out;
	if ((all = calloc(fl.n + nto + 1, sizeof(*all))) == NULL) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < fl.n; i++) {
		all[n].addr = fl.v[i].address;
		all[n].facilitator_id = fl.v[i].id;
		all[n].reply = 1;
		all[n++].name = fl.v[i].name ? fl.v[i].name : "";
	}
	for (size_t i = 0; i < nto; i++) {
		int dup = 0;

		for (size_t k = 0; k < n; k++)
			dup |= strcasecmp(all[k].addr, to[i].addr) == 0;
		if (!dup)
			all[n++] = to[i];
	}
	rc = progress_mail(f, p, &set, team_id, team_id > 0 ? set.in.teams[0].name : NULL, followup, all,
	    n, mails, eml, err);
out:
	free(all);
	store_facilitator_list_release(&fl);
	store_report_progress_release(&set);
	questionnaire_release(&baseline);
	return rc;
}

int
report_send_progress(const struct flow *f, const struct program *p, int64_t team_id,
    enum report_progress_kind kind, int followup, int through_week, size_t *mails,
    struct fb_error *err)
{
	const char *coord = p->organizer != NULL && p->organizer[0] != '\0' ? p->organizer :
	    f->cfg->feedbackd.coordinator_address;
	struct recipient c = { coord, "", 0, 1 };
	struct team_list tl = { 0 };
	size_t nc = coord != NULL && coord[0] != '\0';
	int rc = 0;

	if (through_week < 1 || through_week > p->weeks)
		return fb_error_set(err, "week %d: programme %s has weeks 1 to %d", through_week,
		    p->name, p->weeks);
	if (team_id > 0)
		return progress_for(f, p, team_id, kind, followup, through_week, &c, nc, mails, NULL,
		    err);
	/* The coordinator gets the programme side by side; each team's facilitators their own. */
	if (progress_for(f, p, 0, kind, followup, through_week, &c, nc, mails, NULL, err) < 0 ||
	    store_team_list(f->db, p->id, &tl, err) < 0)
		return -1;
	for (size_t i = 0; i < tl.n && rc == 0; i++)
		rc = progress_for(f, p, tl.v[i].id, kind, followup, through_week, NULL, 0, mails,
		    NULL, err);
	store_team_list_release(&tl);
	return rc;
}

int
report_send_progress_eml_to(const struct flow *f, const struct program *p, int64_t team_id,
    enum report_progress_kind kind, int followup, int through_week, const char *to_addr,
    const char *to_name, struct buf *eml, struct fb_error *err)
{
	struct recipient r = { to_addr, to_name ? to_name : "", 0, 1 };
	size_t mails = 0;

	if (through_week < 1 || through_week > p->weeks)
		return fb_error_set(err, "week %d: programme %s has weeks 1 to %d", through_week,
		    p->name, p->weeks);
	if (progress_for(f, p, team_id, kind, followup, through_week, &r, 1, &mails, eml, err) < 0)
		return -1;
	if (mails == 0)
		return fb_error_set(err, "no report: nobody in %s yet", team_id > 0 ? "the team" :
		    "the programme");
	return 0;
}

int
report_send_progress_eml(const struct flow *f, const struct program *p, int64_t team_id,
    enum report_progress_kind kind, int through_week, struct buf *eml, struct fb_error *err)
{
	const char *coord = p->organizer != NULL && p->organizer[0] != '\0' ? p->organizer :
	    f->cfg->feedbackd.coordinator_address;
	struct recipient c = { coord, "", 0, 1 };
	size_t mails = 0;

	/* Without a coordinator the daemon sends the team reports only; the copy still shows the
	 * mail, addressed to the sender's own address. */
	if (coord == NULL || coord[0] == '\0')
		c.addr = f->cfg->feedbackd.from_address;
	if (through_week < 1 || through_week > p->weeks)
		return fb_error_set(err, "week %d: programme %s has weeks 1 to %d", through_week,
		    p->name, p->weeks);
	return progress_for(f, p, team_id, kind, 0, through_week, &c, 1, &mails, eml, err);
}

/* ---- the scheduler's moments -------------------------------------------------------------------- */

int
report_send_moment(const struct flow *f, const struct program *p, const struct plan_moment *mo,
    const char *today, size_t *mails, struct fb_error *err)
{
	int through = mo->week - 1;

	(void)today;
	if (through > p->weeks)
		through = p->weeks;
	if (through < 1)
		through = 1;
	switch (mo->kind) {
	case PLAN_WEEKLY_REPORT:
		if (mo->number < 1 || mo->number > p->weeks)
			return 0;
		return report_send_weekly(f, p, 0, mo->number, mails, err);
	case PLAN_PROGRESS_REPORT:
		/* Step 3: the members get their team's picture with the same figures, at the same
		 * moment (team_picture_send.h says why then). */
		if (report_send_progress(f, p, 0, REPORT_PROGRESS, 0, through, mails, err) < 0)
			return -1;
		return team_picture_send(f, p, 0, through, mails, err);
	case PLAN_EVALUATION_REPORT:
		return report_send_progress(f, p, 0, REPORT_EVALUATION, 0, through, mails, err);
	case PLAN_FOLLOWUP_REPORT:
		return report_send_progress(f, p, 0, REPORT_EVALUATION, 1, through, mails, err);
	default:
		return 0;
	}
}
