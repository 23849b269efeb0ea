/*
 * measure — questionnaires sent, reminded and closed on the plan's moments. See
 * include/measure.h for the rules (who gets what, the reminder budget, the weekend rule).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "buf.h"
#include "compose.h"
#include "fbtime.h"
#include "measure.h"
#include "store_action.h"
#include "outmail.h"
#include "overlay.h"
#include "store.h"
#include "store_join.h"
#include "store_measure.h"
#include "vocab.h"
#include "banned.h"

int
measure_local_date(const char *tz, time_t t, char out[11], struct fb_error *err)
{
	struct fb_local l;

	if (fbtime_to_local(tz, t, &l, err) < 0)
		return -1;
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)l.date.year % 10000u,
	    (unsigned)l.date.month % 100u, (unsigned)l.date.day % 100u);
	return 0;
}

/* ---- the question list ------------------------------------------------------------------------- */

static int
add_scores(struct template_values *item, const struct measure_questions *mq,
    const struct questionnaire_question *qq, const char *reply_to, const char *token)
{
	struct buf subject = BUF_INIT, body = BUF_INIT, url = BUF_INIT;
	int rc = -1;

	if (buf_addf(&subject, "%s%s%s%s", mq->q->title, *token ? " [#" : "", token,
	    *token ? "]" : "") < 0)
		goto out;
	for (int s = 0; s <= QUESTIONNAIRE_SCORE_MAX; s++) {
		struct template_values *sc = template_add_item(item, "scores");

		buf_reset(&body);
		buf_reset(&url);
		if (sc == NULL || buf_addf(&body, "%u: %d", qq->number, s) < 0 ||
		    compose_mailto(reply_to, subject.data, body.data, &url) < 0 ||
		    template_setf(sc, "n", "%d", s) < 0 || template_set(sc, "url", url.data) < 0)
			goto out;
	}
	rc = 0;
out:
	buf_release(&subject);
	buf_release(&body);
	buf_release(&url);
	return rc;
}

int
measure_prepare(void *arg, const char *reply_to, const char *token, struct template_values *v,
    struct fb_error *err)
{
	const struct measure_questions *mq = arg;
	unsigned first_scale = 0, first_open = 0;

	if (template_set(v, "title", mq->q->title) < 0)
		goto oom;
	for (size_t i = 0; i < mq->q->n; i++) {
		const struct questionnaire_question *qq = &mq->q->q[i];
		int scale = qq->type == QUESTIONNAIRE_SCALE;
		struct template_values *item;

		if (scale && first_scale == 0)
			first_scale = qq->number;
		if (!scale && first_open == 0)
			first_open = qq->number;
		if (mq->answered != NULL && mq->answered[qq->number])
			continue;
		if ((item = template_add_item(v, "questions")) == NULL ||
		    template_setf(item, "number", "%u", qq->number) < 0 ||
		    template_set(item, "text", qq->text) < 0 ||
		    template_set(item, scale ? "scale" : "open", "1") < 0)
			goto oom;
		/* Links need somewhere to go: without a reply address there are none. */
		if (scale && reply_to != NULL && *reply_to != '\0' &&
		    add_scores(item, mq, qq, reply_to, token) < 0)
			return fb_error_set(err, "question %u: cannot make its score links (reply "
			    "address %s)", qq->number, reply_to);
	}
	if ((first_scale && template_setf(v, "first_scale", "%u", first_scale) < 0) ||
	    (first_open && template_setf(v, "first_open", "%u", first_open) < 0))
		goto oom;
	return 0;
oom:
	return fb_error_set(err, "out of memory");
}

/* ---- sending ------------------------------------------------------------------------------------ */

/* The questionnaire of measurement kind in lang, loaded once per call into cache[nl, en]. */
static const struct questionnaire *
questions_for(const struct flow *f, const char *lang, const char *kind,
    struct questionnaire cache[2], struct fb_error *err)
{
	int en = lang != NULL && strcmp(lang, "en") == 0;

	if (cache[en].n == 0 && measure_questionnaire_load(f->cfg->feedbackd.questionnaires_dir,
	    en ? "en" : "nl", kind, &cache[en], err) < 0)
		return NULL;
	return &cache[en];
}

static int
may_mail(const struct flow *f, const struct member *m, const char *today, struct fb_error *err)
{
	int away;

	if (member_status_from_name(m->status) != MEMBER_ACTIVE || m->undeliverable_at != 0 ||
	    m->complained_at != 0)
		return 0;
	if ((away = store_member_is_away(f->db, m->id, today, err)) < 0)
		return -1;
	return !away;
}

int
measure_questionnaire_for_team(const struct flow *f, int64_t program_id, int64_t team_id,
    const struct questionnaire *q, struct questionnaire *out, struct fb_error *err)
{
	struct store_action_list l = { 0 };
	const char **texts = NULL;
	int asks = 0, rc;

	for (size_t i = 0; i < q->n; i++)
		asks |= q->q[i].about_actions;
	if (asks && store_action_list(f->db, program_id, team_id, &l, err) < 0)
		return -1;
	if (l.n > 0 && (texts = calloc(l.n, sizeof(*texts))) == NULL) {
		store_action_list_release(&l);
		return fb_error_set(err, "out of memory");
	}
	for (size_t i = 0; i < l.n; i++)
		texts[i] = l.v[i].text;
	rc = questionnaire_for_actions(q, texts, l.n, out, err);
	free(texts);
	store_action_list_release(&l);
	return rc;
}

/* One questionnaire or reminder mail to m for questionnaire row qid; the questions as m's
 * team gets them (measure_questionnaire_for_team()). */
static int
mail_questionnaire(const struct flow *f, const struct program *p, const struct member *m,
    const char *kind, int64_t qid, const struct questionnaire *team_q,
    const unsigned char *answered, int nanswered, time_t closes_at, struct buf *raw_out,
    struct fb_error *err)
{
	struct questionnaire tq = QUESTIONNAIRE_INIT;
	const struct questionnaire *q = &tq;
	struct template_values *v;
	struct outmail_token t = { PURPOSE_QUESTIONNAIRE, m->id, 0, qid };
	struct measure_questions mq = { q, answered };
	struct outmail_msg msg = {
		.kind = kind, .program = p, .lang = flow_member_language(p, m),
		.to_addr = m->address, .to_name = m->name, .member_id = m->id, .token = &t,
		.prepare = measure_prepare, .prepare_arg = &mq, .raw_out = raw_out,
		.about_at = closes_at,
	};
	int rc = -1;

	if (measure_questionnaire_for_team(f, p->id, m->team_id, team_q, &tq, err) < 0)
		return -1;
	if ((v = template_values_new()) == NULL) {
		questionnaire_release(&tq);
		return fb_error_set(err, "out of memory");
	}
	msg.values = v;
	if (outmail_set_date(v, "close_date", flow_member_zone(p, m), closes_at - 1, f->now,
	    err) < 0)
		goto out;
	if (template_set(v, "name", m->name) < 0 ||
	    (nanswered > 0 && template_setf(v, "answered", "%d", nanswered) < 0)) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	rc = outmail_queue(f, &msg, NULL, err);
out:
	template_values_free(v);
	questionnaire_release(&tq);
	return rc;
}

int
measure_send(const struct flow *f, const struct program *p, const struct plan_moment *mo,
    const char *today, size_t *mails, struct fb_error *err)
{
	const char *kind = plan_measurement_name(mo->measurement);
	struct questionnaire cache[2] = { QUESTIONNAIRE_INIT, QUESTIONNAIRE_INIT };
	struct plan plan = PLAN_INIT;
	struct member_list ml = { 0 };
	const struct plan_moment *close;
	char key[48];
	int64_t mid;
	int rc = -1;

	if (flow_plan(f, p, &plan, err) < 0)
		goto out;
	snprintf(key, sizeof(key), "close:%s", kind);
	if ((close = plan_find(&plan, key)) == NULL) {
		fb_error_set(err, "the plan has no %s", key);
		goto out;
	}
	if (store_measurement_open(f->db, p->id, kind, f->now, close->at, &mid, err) < 0 ||
	    store_member_list(f->db, p->id, 0, &ml, err) < 0)
		goto out;
	for (size_t i = 0; i < ml.n; i++) {
		const struct member *m = &ml.v[i];
		const struct questionnaire *q;
		int64_t qid;
		int ok = may_mail(f, m, today, err);

		if (ok < 0)
			goto out;
		if (!ok)
			continue;
		if ((q = questions_for(f, m->language ? m->language : p->language, kind, cache,
		    err)) == NULL)
			goto out;
		if ((ok = store_questionnaire_add(f->db, mid, m->id, f->now, &qid, err)) < 0)
			goto out;
		if (ok == 1)
			continue; /* sent before */
		if (mail_questionnaire(f, p, m, "questionnaire", qid, q, NULL, 0, close->at, NULL,
		    err) < 0)
			goto out;
		(*mails)++;
	}
	rc = 0;
out:
	questionnaire_release(&cache[0]);
	questionnaire_release(&cache[1]);
	store_member_list_release(&ml);
	plan_release(&plan);
	return rc;
}

int
measure_preview(const struct flow *f, const struct program *p, const char *kind, int reminder,
    const struct member *m, struct buf *raw_out, struct fb_error *err)
{
	struct questionnaire cache[2] = { QUESTIONNAIRE_INIT, QUESTIONNAIRE_INIT };
	struct plan plan = PLAN_INIT;
	struct questionnaire_list ql = { 0 };
	struct answer_list al = { 0 };
	unsigned char answered[QUESTIONNAIRE_MAX_NUMBER + 1];
	const struct plan_moment *close;
	const struct questionnaire *q;
	struct measurement_row mr;
	time_t closes_at;
	int64_t qid = 0;
	char key[48];
	int rc = -1;

	memset(answered, 0, sizeof(answered));
	if (flow_plan(f, p, &plan, err) < 0)
		goto out;
	snprintf(key, sizeof(key), "close:%s", kind);
	if ((close = plan_find(&plan, key)) == NULL) {
		fb_error_set(err, "the plan of %s has no %s questionnaire", p->name, kind);
		goto out;
	}
	closes_at = close->at;
	/* As remind() sees it: the stored close and what m answered so far. */
	if (reminder && (rc = store_measurement_get(f->db, p->id, kind, &mr, err)) <= 0) {
		if (rc < 0 || store_questionnaire_incomplete(f->db, mr.id, &ql, err) < 0) {
			rc = -1;
			goto out;
		}
		closes_at = mr.closes_at;
		for (size_t i = 0; i < ql.n; i++)
			if (ql.v[i].member_id == m->id)
				qid = ql.v[i].id;
		if (qid > 0 && store_answer_current(f->db, qid, &al, err) < 0) {
			rc = -1;
			goto out;
		}
		for (size_t k = 0; k < al.n; k++)
			if (al.v[k].question <= QUESTIONNAIRE_MAX_NUMBER)
				answered[al.v[k].question] = 1;
	}
	rc = -1;
	if ((q = questions_for(f, m->language ? m->language : p->language, kind, cache,
	    err)) == NULL)
		goto out;
	rc = mail_questionnaire(f, p, m, reminder ? "questionnaire_reminder" : "questionnaire",
	    qid, q, reminder ? answered : NULL, (int)al.n, closes_at, raw_out, err);
out:
	questionnaire_release(&cache[0]);
	questionnaire_release(&cache[1]);
	store_answer_list_release(&al);
	store_questionnaire_list_release(&ql);
	plan_release(&plan);
	return rc;
}

/* ---- reminders -------------------------------------------------------------------------------- */

/* 1 when the budget's hours allow a reminder at local time l: a day that may have mail
 * (not Saturday or Sunday unless weekend_mail), within office hours. */
static int
budget_hours(const struct config_program *cp, const struct fb_local *l)
{
	int minute = l->hour * 60 + l->min;

	if (!cp->weekend_mail && l->weekday >= 6)
		return 0;
	return minute >= cp->office_hours.start && minute < cp->office_hours.end;
}

/* The start of office hours, in tz, of the first day that may have mail whose start is after
 * `after` (or at it, with inclusive), within a week of it; 0 when the budget never opens. */
static int
budget_opens(const struct config_program *cp, const char *tz, time_t after, int inclusive,
    time_t *at, struct fb_error *err)
{
	int start = cp->office_hours.start;
	struct fb_local l;

	*at = 0;
	if (cp->reminders_per_day <= 0 || start >= cp->office_hours.end)
		return 0; /* the budget never allows one */
	if (fbtime_to_local(tz, after, &l, err) < 0)
		return -1;
	for (int d = 0; d <= 7; d++) {
		struct fb_date day = fbtime_date_add_days(&l.date, d);
		time_t t;

		if (!cp->weekend_mail && fbtime_weekday(&day) >= 6)
			continue;
		if (fbtime_local_to_utc(tz, &day, start / 60, start % 60, &t, err) < 0)
			return -1;
		if (t < after || (t == after && !inclusive))
			continue;
		*at = t;
		return 0;
	}
	return 0;
}

int
measure_reminder_goes(const struct config_program *cp, const char *tz, time_t at,
    time_t *goes, struct fb_error *err)
{
	struct fb_local l;

	if (cp->reminders_per_day > 0 && fbtime_to_local(tz, at, &l, err) < 0)
		return -1;
	if (cp->reminders_per_day > 0 && budget_hours(cp, &l)) {
		*goes = at;
		return 0;
	}
	return budget_opens(cp, tz, at, 1, goes, err);
}

/* 1 when the member's reminder budget allows one more reminder at f->now, 0 when not. */
static int
budget_allows(const struct flow *f, const struct program *p, const struct member *m,
    struct fb_error *err)
{
	const struct config_program *cp = &f->cfg->program;
	const char *tz = m->timezone != NULL ? m->timezone : p->timezone;
	struct fb_local l;
	time_t midnight;
	int n;

	if (fbtime_to_local(tz, f->now, &l, err) < 0)
		return -1;
	if (!budget_hours(cp, &l))
		return 0;
	if (fbtime_local_to_utc(tz, &l.date, 0, 0, &midnight, err) < 0)
		return -1;
	if ((n = store_reminders_since(f->db, m->id, midnight, err)) < 0)
		return -1;
	if (n >= cp->reminders_per_day)
		return 0;
	/* and the mail budget of the day: a reminder waits unmade rather than deferred, so it
	 * is not sent after the questionnaire was completed (budget.h) */
	return (n = budget_room(f, p, m, err)) < 0 ? -1 : n > 0;
}

/*
 * Remind the members of measurement kind whose questionnaire is incomplete and who have not
 * had reminder number owed yet, where the budget allows now.
 */
static int
remind(const struct flow *f, const struct program *p, const char *kind, int owed,
    const char *today, size_t *mails, struct fb_error *err)
{
	struct questionnaire cache[2] = { QUESTIONNAIRE_INIT, QUESTIONNAIRE_INIT };
	struct questionnaire_list ql = { 0 };
	struct measurement_row mr;
	int rc;

	if ((rc = store_measurement_get(f->db, p->id, kind, &mr, err)) != 0)
		return rc < 0 ? -1 : 0; /* never sent: nothing to remind of */
	if (f->now >= mr.closes_at)
		return 0;
	if (store_questionnaire_incomplete(f->db, mr.id, &ql, err) < 0)
		return -1;
	rc = -1;
	for (size_t i = 0; i < ql.n; i++) {
		const struct questionnaire_row *qr = &ql.v[i];
		const struct questionnaire *q;
		struct answer_list al = { 0 };
		unsigned char answered[QUESTIONNAIRE_MAX_NUMBER + 1];
		struct member m;
		char spec[24];
		int ok;

		if (qr->reminders >= owed)
			continue;
		snprintf(spec, sizeof(spec), "%lld", (long long)qr->member_id);
		if (store_member_find(f->db, p->id, 0, spec, &m, err) < 0)
			goto out;
		ok = may_mail(f, &m, today, err);
		if (ok > 0)
			ok = budget_allows(f, p, &m, err);
		if (ok <= 0) {
			store_member_release(&m);
			if (ok < 0)
				goto out;
			continue; /* waits for the budget (the sweep) or the member's return */
		}
		memset(answered, 0, sizeof(answered));
		if ((q = questions_for(f, m.language ? m.language : p->language, kind, cache,
		    err)) == NULL || store_answer_current(f->db, qr->id, &al, err) < 0) {
			store_member_release(&m);
			goto out;
		}
		for (size_t k = 0; k < al.n; k++)
			if (al.v[k].question <= QUESTIONNAIRE_MAX_NUMBER)
				answered[al.v[k].question] = 1;
		ok = mail_questionnaire(f, p, &m, "questionnaire_reminder", qr->id, q, answered,
		    (int)al.n, mr.closes_at, NULL, err);
		store_answer_list_release(&al);
		store_member_release(&m);
		if (ok < 0 || store_questionnaire_reminded(f->db, qr->id, owed, f->now, err) < 0)
			goto out;
		(*mails)++;
	}
	rc = 0;
out:
	questionnaire_release(&cache[0]);
	questionnaire_release(&cache[1]);
	store_questionnaire_list_release(&ql);
	return rc;
}

int
measure_remind(const struct flow *f, const struct program *p, const struct plan_moment *mo,
    const char *today, size_t *mails, struct fb_error *err)
{
	return remind(f, p, plan_measurement_name(mo->measurement), mo->number, today, mails,
	    err);
}

int
measure_close(const struct flow *f, const struct program *p, const struct plan_moment *mo,
    const char *today, size_t *mails, struct fb_error *err)
{
	struct measurement_row mr;
	int rc;

	(void)today;
	(void)mails;
	rc = store_measurement_get(f->db, p->id, plan_measurement_name(mo->measurement), &mr,
	    err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	return store_measurement_close(f->db, mr.id, f->now, err);
}

/* The latest reminder moment already due at now, per measurement; 1 when there is any. */
static int
reminders_owed(const struct plan *plan, time_t now, int owed[PLAN_MEASUREMENTS])
{
	size_t it = 0;
	const struct plan_moment *mo;
	int any = 0;

	while ((mo = plan_due(plan, 0, now, &it)) != NULL)
		if (mo->kind == PLAN_REMINDER && mo->measurement >= 0 &&
		    mo->measurement < PLAN_MEASUREMENTS && mo->number > owed[mo->measurement]) {
			owed[mo->measurement] = mo->number;
			any = 1;
		}
	return any;
}

int
measure_sweep(const struct flow *f, const struct program *p, const struct plan *plan,
    const char *today, size_t *mails, struct fb_error *err)
{
	int owed[PLAN_MEASUREMENTS] = { 0 };

	if (!reminders_owed(plan, f->now, owed))
		return 0;
	if (db_begin(f->db, err) < 0)
		return -1;
	for (int m = 0; m < PLAN_MEASUREMENTS; m++)
		if (owed[m] > 0 && remind(f, p, plan_measurement_name((enum plan_measurement)m),
		    owed[m], today, mails, err) < 0) {
			db_rollback(f->db);
			return -1;
		}
	return db_commit(f->db, err);
}

/* ---- late joiners ------------------------------------------------------------------------------ */

int
measure_send_open(const struct flow *f, const struct program *p, const struct plan *plan,
    const char *today, size_t *mails, struct fb_error *err)
{
	struct questionnaire cache[2] = { QUESTIONNAIRE_INIT, QUESTIONNAIRE_INIT };
	int owed[PLAN_MEASUREMENTS] = { 0 };
	struct join_list jl = { 0 };
	struct member_list ml = { 0 };
	int rc = -1;

	(void)reminders_owed(plan, f->now, owed);
	if (store_join_list(f->db, p->id, NULL, &jl, err) < 0 ||
	    store_member_list(f->db, p->id, 0, &ml, err) < 0)
		goto out;
	for (int k = 0; k < PLAN_MEASUREMENTS; k++) {
		const char *kind = plan_measurement_name((enum plan_measurement)k);
		struct measurement_row mr;
		int got = store_measurement_get(f->db, p->id, kind, &mr, err);

		if (got < 0)
			goto out;
		if (got == 1 || f->now < mr.opens_at || f->now >= mr.closes_at)
			continue; /* not sent yet (measure_send does it), or closed */
		for (size_t i = 0; i < jl.n; i++) {
			const struct member *m = NULL;
			const struct questionnaire *q;
			int64_t qid;
			int ok;

			/* Only who joined after it went out: someone skipped then (away, bouncing)
			 * stays skipped, as measure_send decided. */
			if (jl.v[i].joined_at <= mr.opens_at)
				continue;
			for (size_t x = 0; x < ml.n && m == NULL; x++)
				if (ml.v[x].id == jl.v[i].member_id)
					m = &ml.v[x];
			if (m == NULL || (ok = may_mail(f, m, today, err)) == 0)
				continue;
			if (ok < 0)
				goto out;
			if ((q = questions_for(f, m->language ? m->language : p->language, kind,
			    cache, err)) == NULL)
				goto out;
			if ((ok = store_questionnaire_add(f->db, mr.id, m->id, f->now, &qid, err)) < 0)
				goto out;
			if (ok == 1)
				continue; /* has it already */
			/* The reminders already due went to the others before this member was
			 * there: handled (not sent), so the next reminder moment is their first. */
			if (owed[k] > 0 &&
			    store_questionnaire_reminded(f->db, qid, owed[k], 0, err) < 0)
				goto out;
			if (mail_questionnaire(f, p, m, "questionnaire", qid, q, NULL, 0, mr.closes_at,
			    NULL, err) < 0)
				goto out;
			(*mails)++;
		}
	}
	rc = 0;
out:
	questionnaire_release(&cache[0]);
	questionnaire_release(&cache[1]);
	store_join_list_release(&jl);
	store_member_list_release(&ml);
	return rc;
}

/* ---- when the daemon should wake for a waiting reminder -------------------------------------- */

/*
 * The first time after f->now, before `before`, at which m's budget allows a reminder, into
 * *at (0 when none within a week). Today only counts when its office hours have not begun: once
 * they have, a reminder the budget allows went out in the pass just run, and one it does not
 * allow (today's reminders spent, or office hours over) waits for another day. Every later
 * day starts with a fresh count, so its office hours' start is the answer (budget_allows()).
 */
static int
budget_next(const struct flow *f, const struct program *p, const struct member *m,
    time_t before, time_t *at, struct fb_error *err)
{
	const char *tz = m->timezone != NULL ? m->timezone : p->timezone;
	time_t t;

	*at = 0;
	if (budget_opens(&f->cfg->program, tz, f->now, 0, &t, err) < 0)
		return -1;
	if (t != 0 && t < before)
		*at = t;
	return 0;
}

/* The earliest budget time of the members owed reminder `owed` of measurement kind. */
static int
kind_next_due(const struct flow *f, const struct program *p, const char *kind, int owed,
    const char *today, time_t *next, struct fb_error *err)
{
	struct questionnaire_list ql = { 0 };
	struct measurement_row mr;
	int rc;

	if ((rc = store_measurement_get(f->db, p->id, kind, &mr, err)) != 0)
		return rc < 0 ? -1 : 0;
	if (f->now >= mr.closes_at)
		return 0;
	if (store_questionnaire_incomplete(f->db, mr.id, &ql, err) < 0)
		return -1;
	rc = 0;
	for (size_t i = 0; i < ql.n && rc == 0; i++) {
		struct member m;
		char spec[24];
		time_t t = 0;
		int ok;

		if (ql.v[i].reminders >= owed)
			continue;
		snprintf(spec, sizeof(spec), "%lld", (long long)ql.v[i].member_id);
		if (store_member_find(f->db, p->id, 0, spec, &m, err) < 0) {
			rc = -1;
			break;
		}
		ok = may_mail(f, &m, today, err);
		if (ok < 0 || (ok > 0 && budget_next(f, p, &m, mr.closes_at, &t, err) < 0))
			rc = -1;
		else if (t != 0 && (*next == 0 || t < *next))
			*next = t;
		store_member_release(&m);
	}
	store_questionnaire_list_release(&ql);
	return rc;
}

int
measure_next_due(const struct flow *f, const struct program *p, const struct plan *plan,
    time_t *next, struct fb_error *err)
{
	int owed[PLAN_MEASUREMENTS] = { 0 };
	char today[11];

	*next = 0;
	if (!reminders_owed(plan, f->now, owed))
		return 0;
	if (flow_today(f, p, today, err) < 0)
		return -1;
	for (int m = 0; m < PLAN_MEASUREMENTS; m++)
		if (owed[m] > 0 && kind_next_due(f, p, plan_measurement_name((enum plan_measurement)m),
		    owed[m], today, next, err) < 0)
			return -1;
	return 0;
}

int
measure_questionnaire_load(const char *dir, const char *lang, const char *measurement,
    struct questionnaire *out, struct fb_error *err)
{
	struct buf path = BUF_INIT, shown = BUF_INIT, data = BUF_INIT;
	int rc = -1;

	questionnaire_release(out);
	if (lang == NULL || strcmp(lang, "en") != 0)
		lang = "nl";
	if (buf_addf(&path, "%s/questionnaires/%s.txt", lang, measurement) < 0) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	/* one byte over the limit, so questionnaire_parse() names a file that is too large */
	switch (overlay_read(dir, path.data, QUESTIONNAIRE_MAX_FILE + 1, &data, &shown, err)) {
	case 0:
		rc = questionnaire_parse(shown.data, data.data ? data.data : "", data.len, out, err);
		break;
	case 1:
		fb_error_set(err, "no questionnaire %s (built-in or in %s)", path.data,
		    dir != NULL && *dir ? dir : "the built-in set");
		break;
	default:
		break;
	}
out:
	buf_release(&path);
	buf_release(&shown);
	buf_release(&data);
	return rc;
}
