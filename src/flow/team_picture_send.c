/*
 * team_picture_send — the team's picture as mail to its members (see
 * include/team_picture_send.h): load the progress report's figures of one team (store_report.h),
 * render them anonymously per language (team_picture.h), and queue one mail per member.
 */
#include <stdlib.h>
#include <string.h>

#include "measure.h"
#include "outmail.h"
#include "questionnaire.h"
#include "report_progress.h"
#include "store.h"
#include "store_report.h"
#include "store_session.h"
#include "team_picture.h"
#include "team_picture_send.h"
#include "vocab.h"
#include "banned.h"

/* One team's figures and their renderings, per language (0: nl, 1: en), made when first
 * needed. */
struct picture {
	const struct flow *f;
	const struct program *p;
	int64_t team_id;
	int through_week;
	struct report_progress_set set;
	int loaded;
	int requests, answered, askers;
	struct questionnaire baseline[2];
	int have_baseline[2];
	struct report_ambition *ambition[2]; /* the set's, with the questions in that language */
	struct buf text[2], html[2];
	int rendered[2];
	struct session_list sessions;
};

static void
picture_release(struct picture *pc)
{
	store_report_progress_release(&pc->set);
	for (int l = 0; l < 2; l++) {
		questionnaire_release(&pc->baseline[l]);
		free(pc->ambition[l]);
		buf_release(&pc->text[l]);
		buf_release(&pc->html[l]);
	}
	store_session_list_release(&pc->sessions);
}

static int
lang_index(const char *lang)
{
	return lang != NULL && strcmp(lang, "en") == 0;
}

static int
picture_load(struct picture *pc, const struct flow *f, const struct program *p, int64_t team_id,
    int through_week, struct fb_error *err)
{
	struct report_question ambq[REPORT_AMBITION_MAX_QUESTIONS];
	size_t nambq;
	int pl = lang_index(p->language);

	memset(pc, 0, sizeof(*pc));
	pc->f = f;
	pc->p = p;
	pc->team_id = team_id;
	pc->through_week = through_week;
	for (int l = 0; l < 2; l++) {
		buf_init(&pc->text[l]);
		buf_init(&pc->html[l]);
	}
	/* The ambition is asked by the baseline's open questions: the programme's language picks
	 * which, each member reads them in their own (below). */
	if (measure_questionnaire_load(f->cfg->feedbackd.questionnaires_dir, p->language,
	    "baseline", &pc->baseline[pl], err) < 0)
		return -1;
	pc->have_baseline[pl] = 1;
	nambq = report_progress_ambition_questions(&pc->baseline[pl], ambq,
	    REPORT_AMBITION_MAX_QUESTIONS);
	if (store_report_progress_load(f->db, p, team_id, through_week, REPORT_PROGRESS,
	    f->cfg->program.min_group_size, f->now, &pc->set, err) < 0 ||
	    store_report_ambition_load(f->db, p, team_id, ambq, nambq, &pc->set, err) < 0 ||
	    store_report_team_requests(f->db, p->id, team_id, through_week, &pc->requests,
	    &pc->answered, &pc->askers, err) < 0 ||
	    store_session_list(f->db, p->id, &pc->sessions, err) < 0)
		return -1;
	pc->loaded = pc->set.in.nteams > 0;
	return 0;
}

/* The text of question number in the baseline of language l (loaded when first asked), or
 * NULL when that baseline has no such question. */
static const char *
question_text(struct picture *pc, int l, int number, struct fb_error *err, int *failed)
{
	const struct questionnaire *q = &pc->baseline[l];

	if (!pc->have_baseline[l]) {
		if (measure_questionnaire_load(pc->f->cfg->feedbackd.questionnaires_dir,
		    l ? "en" : "nl", "baseline", &pc->baseline[l], err) < 0) {
			*failed = 1;
			return NULL;
		}
		pc->have_baseline[l] = 1;
	}
	for (size_t i = 0; i < q->n; i++)
		if ((int)q->q[i].number == number)
			return q->q[i].text;
	return NULL;
}

/* The picture in language l, rendered once. */
static int
picture_render(struct picture *pc, int l, struct fb_error *err)
{
	const struct report_pteam *t = &pc->set.in.teams[0];
	struct report_pteam team;
	int failed = 0;

	if (pc->rendered[l])
		return 0;
	team = *t;
	if (t->nambition > 0) {
		pc->ambition[l] = calloc(t->nambition, sizeof(*pc->ambition[l]));
		if (pc->ambition[l] == NULL)
			return fb_error_set(err, "out of memory");
		for (size_t k = 0; k < t->nambition; k++) {
			const char *s = question_text(pc, l, t->ambition[k].question, err, &failed);

			if (failed)
				return -1;
			pc->ambition[l][k] = t->ambition[k];
			if (s != NULL)
				pc->ambition[l][k].text = s;
		}
		team.ambition = pc->ambition[l];
	}
	struct team_picture_in in = {
		.lang = l ? REPORT_LANG_EN : REPORT_LANG_NL, .through_week = pc->through_week,
		.min_group_size = pc->f->cfg->program.min_group_size, .team = &team,
		.requests = pc->requests, .requests_answered = pc->answered, .askers = pc->askers,
	};
	if (team_picture_text(&in, &pc->text[l]) < 0 || team_picture_html(&in, &pc->html[l]) < 0)
		return fb_error_set(err, "out of memory rendering the team's picture");
	buf_rtrim(&pc->text[l]); /* the template puts the blank line after it */
	pc->rendered[l] = 1;
	return 0;
}

/* The team's progress session still to come (the first), or NULL. */
static const struct session *
progress_session(const struct picture *pc)
{
	for (size_t i = 0; i < pc->sessions.n; i++) {
		const struct session *s = &pc->sessions.v[i];

		if (strcmp(s->kind, "progress") == 0 &&
		    session_status_from_name(s->status) == SESSION_CONFIRMED &&
		    (s->team_id == 0 || s->team_id == pc->team_id) && s->starts_at > pc->f->now)
			return s;
	}
	return NULL;
}

static int
mailable(const struct member *m)
{
	return member_status_from_name(m->status) == MEMBER_ACTIVE && m->address != NULL &&
	    *m->address != '\0' && m->undeliverable_at == 0 && m->complained_at == 0;
}

/* m's mail: queued, or with eml composed into it. */
static int
picture_mail(struct picture *pc, const struct member *m, struct buf *eml, struct fb_error *err)
{
	const struct program *p = pc->p;
	const char *lang = m->language != NULL ? m->language : p->language;
	const char *tz = m->timezone != NULL ? m->timezone : p->timezone;
	const struct session *s = progress_session(pc);
	int l = lang_index(lang), rc = -1;
	struct template_values *v;

	if (picture_render(pc, l, err) < 0)
		return -1;
	if ((v = template_values_new()) == NULL)
		return fb_error_set(err, "out of memory");
	struct outmail_msg msg = {
		.kind = "team_picture", .program = p, .lang = m->language, .to_addr = m->address,
		.to_name = m->name, .member_id = m->id, .values = v, .raw_out = eml,
		/* It is for the session: the mail budget may defer it, never past the session
		 * (mailkind.c: it goes over the budget rather than after it). */
		.about_at = s != NULL ? s->starts_at : 0,
	};
	if (template_set(v, "name", m->name) < 0 || template_set(v, "team", m->team_name) < 0 ||
	    template_setf(v, "week", "%d", pc->through_week) < 0 ||
	    template_setf(v, "weeks", "%d", p->weeks) < 0 ||
	    template_setf(v, "min_group", "%d", pc->f->cfg->program.min_group_size) < 0 ||
	    template_set(v, "picture", pc->text[l].data) < 0 ||
	    template_set(v, "picture_html", pc->html[l].data) < 0) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	if (s != NULL) {
		struct fb_local at;

		if (fbtime_to_local(tz, s->starts_at, &at, err) < 0 ||
		    outmail_set_date(v, "session_date", tz, s->starts_at, pc->f->now, err) < 0)
			goto out;
		if (template_setf(v, "session_time", "%02d:%02d", at.hour, at.min) < 0) {
			fb_error_set(err, "out of memory");
			goto out;
		}
	}
	rc = outmail_queue(pc->f, &msg, NULL, err);
out:
	template_values_free(v);
	if (rc < 0)
		fb_error_prefix(err, "the team's picture to member %lld: ", (long long)m->id);
	return rc;
}

/* Every mailable member of one team, in one transaction. */
static int
picture_team(const struct flow *f, const struct program *p, int64_t team_id, int through_week,
    size_t *mails, struct fb_error *err)
{
	struct picture pc;
	struct member_list ml = { 0 };
	int rc = -1;

	if (picture_load(&pc, f, p, team_id, through_week, err) < 0 ||
	    store_member_list(f->db, 0, team_id, &ml, err) < 0)
		goto out;
	if (!pc.loaded) {
		rc = 0;
		goto out;
	}
	if (db_begin(f->db, err) < 0)
		goto out;
	for (size_t i = 0; i < ml.n; i++) {
		if (!mailable(&ml.v[i]))
			continue;
		if (picture_mail(&pc, &ml.v[i], NULL, err) < 0) {
			db_rollback(f->db);
			goto out;
		}
		(*mails)++;
	}
	rc = db_commit(f->db, err);
out:
	store_member_list_release(&ml);
	picture_release(&pc);
	return rc;
}

int
team_picture_send(const struct flow *f, const struct program *p, int64_t team_id,
    int through_week, size_t *mails, struct fb_error *err)
{
	struct team_list tl = { 0 };
	int rc = 0;

	if (through_week < 1 || through_week > p->weeks)
		return fb_error_set(err, "week %d: programme %s has weeks 1 to %d", through_week,
		    p->name, p->weeks);
	if (team_id > 0)
		return picture_team(f, p, team_id, through_week, mails, err);
	if (store_team_list(f->db, p->id, &tl, err) < 0)
		return -1;
	for (size_t i = 0; i < tl.n && rc == 0; i++)
		rc = picture_team(f, p, tl.v[i].id, through_week, mails, err);
	store_team_list_release(&tl);
	return rc;
}

int
team_picture_send_eml(const struct flow *f, const struct program *p, const struct member *m,
    int through_week, struct buf *eml, struct fb_error *err)
{
	struct picture pc;
	int rc = -1;

	if (through_week < 1 || through_week > p->weeks)
		return fb_error_set(err, "week %d: programme %s has weeks 1 to %d", through_week,
		    p->name, p->weeks);
	if (picture_load(&pc, f, p, m->team_id, through_week, err) == 0) {
		if (!pc.loaded)
			fb_error_set(err, "no picture: the team has no members yet");
		else
			rc = picture_mail(&pc, m, eml, err);
	}
	picture_release(&pc);
	return rc;
}
