/*
 * schedule — act on due moments of every programme's plan. See include/schedule.h.
 */
#include <stdio.h>
#include <string.h>

#include "fbtime.h"
#include "invite.h"
#include "measure.h"
#include "outmail.h"
#include "report_send.h"
#include "schedule.h"
#include "store_feedback.h"
#include "vocab.h"
#include "store_moment.h"
#include "tipflow.h"
#include "welcome.h"
#include "banned.h"

/* ---- the weekly nudge ------------------------------------------------------------------------- */

int
schedule_nudge_mail(const struct flow *f, const struct program *p, int week,
    const struct member *m, const struct member_list *team, struct buf *raw_out,
    struct fb_error *err)
{
	struct feedback_counts n;
	struct template_values *v = template_values_new();
	struct outmail_token t = { PURPOSE_ASK, m->id, 0, 0 };
	struct outmail_msg msg = {
		.kind = "nudge", .program = p, .lang = m->language, .to_addr = m->address,
		.to_name = m->name, .member_id = m->id, .token = &t, .values = v,
		.raw_out = raw_out, .about_at = f->now + SCHEDULE_NUDGE_USEFUL,
	};
	const char *example = NULL;
	int rc = -1;

	if (v == NULL)
		return fb_error_set(err, "out of memory");
	if (store_member_counts(f->db, m->id, 1, week, &n, err) < 0)
		goto out;
	if (template_set(v, "name", m->name) < 0 || template_setf(v, "week", "%d", week) < 0 ||
	    template_setf(v, "weeks", "%d", p->weeks) < 0 ||
	    template_setf(v, "given", "%d", n.given) < 0 ||
	    template_setf(v, "received", "%d", n.received) < 0 ||
	    template_setf(v, "requested", "%d", n.requested) < 0)
		goto oom;
	for (size_t i = 0; i < team->n; i++) {
		const struct member *o = &team->v[i];
		struct template_values *it;

		if (o->id == m->id || member_status_from_name(o->status) != MEMBER_ACTIVE)
			continue;
		if (example == NULL)
			example = o->name;
		if ((it = template_add_item(v, "colleagues")) == NULL ||
		    template_set(it, "name", o->name) < 0)
			goto oom;
	}
	if (template_set(v, "example", example ? example : "") < 0)
		goto oom;
	if (tipflow_nudge(f, p, m, week, raw_out == NULL, v, err) < 0)
		goto out;
	rc = outmail_queue(f, &msg, NULL, err);
	goto out;
oom:
	fb_error_set(err, "out of memory");
out:
	template_values_free(v);
	return rc;
}

static int
do_nudge(const struct flow *f, const struct program *p, const struct plan_moment *mo,
    const char *today, size_t *mails, struct fb_error *err)
{
	struct team_list teams = { 0 };
	int rc = 0;

	if (store_team_list(f->db, p->id, &teams, err) < 0)
		return -1;
	for (size_t i = 0; i < teams.n && rc == 0; i++) {
		struct member_list ml = { 0 };

		if (store_member_list(f->db, 0, teams.v[i].id, &ml, err) < 0) {
			rc = -1;
			break;
		}
		for (size_t k = 0; k < ml.n && rc == 0; k++) {
			const struct member *m = &ml.v[k];
			int away;

			if (member_status_from_name(m->status) != MEMBER_ACTIVE ||
			    m->undeliverable_at != 0 || m->complained_at != 0)
				continue;
			if ((away = store_member_is_away(f->db, m->id, today, err)) < 0) {
				rc = -1;
				break;
			}
			if (away)
				continue;
			rc = schedule_nudge_mail(f, p, mo->week, m, &ml, NULL, err);
			if (rc == 0)
				(*mails)++;
		}
		store_member_list_release(&ml);
	}
	store_team_list_release(&teams);
	return rc;
}


/* ---- the pass ------------------------------------------------------------------------------- */

typedef int (*moment_fn)(const struct flow *, const struct program *,
    const struct plan_moment *, const char *today, size_t *mails, struct fb_error *);

static moment_fn
handler_of(enum plan_kind k)
{
	switch (k) {
	case PLAN_NUDGE:
		return do_nudge;
	case PLAN_WEEKLY_REPORT:
	case PLAN_PROGRESS_REPORT:
	case PLAN_EVALUATION_REPORT:
	case PLAN_FOLLOWUP_REPORT:
		return report_send_moment;
	case PLAN_QUESTIONNAIRE:
		return measure_send;
	case PLAN_REMINDER:
		return measure_remind;
	case PLAN_QUESTIONNAIRE_CLOSE:
		return measure_close;
	default:
		return NULL;
	}
}

/*
 * What a programme's state silences at now: after an early end (program end) everything (the
 * cancellations went when it was ended); on a day inside a pause (plan.h "Pauses") the due
 * moments and the reminders that waited for a member's budget — nothing is planned inside a
 * pause, so what is due then was late from before it and waits (then counts as stale) — but
 * not the calendar updates that tell members the moments moved. SCHEDULE_QUIET_ALL,
 * SCHEDULE_QUIET_MAIL or 0.
 */
enum { SCHEDULE_QUIET_MAIL = 1, SCHEDULE_QUIET_ALL };

static int
program_quiet(const struct plan *plan, time_t now, const char *today)
{
	struct fb_date d;

	if (plan->ended_at != 0 && now >= plan->ended_at)
		return SCHEDULE_QUIET_ALL;
	if (fbtime_parse_date(today, &d, NULL) < 0)
		return 0;
	return plan_paused(plan, &d) != NULL ? SCHEDULE_QUIET_MAIL : 0;
}

static int
program_pass(const struct flow *f, const struct program *p, struct schedule_stats *st,
    struct fb_error *err)
{
	struct plan plan = PLAN_INIT;
	const struct plan_moment *mo;
	size_t it = 0;
	char today[11];
	int rc = 0, quiet;

	if (flow_plan(f, p, &plan, err) < 0 || flow_today(f, p, today, err) < 0) {
		plan_release(&plan);
		return -1;
	}
	if ((quiet = program_quiet(&plan, f->now, today)) == SCHEDULE_QUIET_ALL) {
		plan_release(&plan);
		return 0;
	}
	/* The welcome before this pass's nudge, questionnaire and invitations (welcome.h). */
	if (!quiet)
		rc = welcome_pass(f, p, &plan, &st->mails, err);
	while (rc == 0 && !quiet && (mo = plan_due(&plan, 0, f->now, &it)) != NULL) {
		moment_fn fn = handler_of(mo->kind);
		int done;

		if (fn == NULL)
			continue;
		if ((done = store_moment_is_done(f->db, p->id, mo->key, err)) < 0) {
			rc = -1;
			break;
		}
		if (done)
			continue;
		if (db_begin(f->db, err) < 0) {
			rc = -1;
			break;
		}
		size_t mails = 0;
		int stale = f->now - mo->at > SCHEDULE_STALE;
		if ((!stale && fn(f, p, mo, today, &mails, err) < 0) ||
		    store_moment_mark_done(f->db, p->id, mo->key, f->now, err) < 0 ||
		    db_commit(f->db, err) < 0) {
			db_rollback(f->db);
			fb_error_prefix(err, "programme %s, %s: ", p->name, mo->label);
			rc = -1;
			break;
		}
		st->moments++;
		st->skipped += stale;
		st->mails += mails;
	}
	/* Reminders that waited for a member's budget (weekend, office hours): measure.h. */
	if (rc == 0 && !quiet && (rc = measure_sweep(f, p, &plan, today, &st->mails, err)) < 0)
		fb_error_prefix(err, "programme %s, reminders: ", p->name);
	if (rc == 0) /* each member's questionnaire moments in their calendar (invite.h) */
		rc = invite_moments_sweep(f, p, &plan, &st->mails, err);
	if (rc == 0) /* who joined late: open questionnaires, session invitations, a note */
		rc = welcome_joiners(f, p, &plan, today, &st->mails, err);
	plan_release(&plan);
	return rc;
}

int
schedule_pass(const struct flow *f, struct schedule_stats *st, struct fb_error *err)
{
	struct program_list pl = { 0 };
	int rc = 0;

	if (store_program_list(f->db, &pl, err) < 0)
		return -1;
	for (size_t i = 0; i < pl.n && rc == 0; i++)
		rc = program_pass(f, &pl.v[i], st, err);
	store_program_list_release(&pl);
	return rc;
}

time_t
schedule_next(const struct flow *f)
{
	struct program_list pl = { 0 };
	time_t next = 0;

	if (store_program_list(f->db, &pl, NULL) < 0)
		return 0;
	for (size_t i = 0; i < pl.n; i++) {
		struct plan plan = PLAN_INIT;
		time_t t;

		if (flow_plan(f, &pl.v[i], &plan, NULL) < 0) {
			plan_release(&plan);
			continue;
		}
		if ((t = plan_next(&plan, f->now)) != 0 && (next == 0 || t < next))
			next = t;
		/* a reminder that waits for the member's office hours or Monday (measure.h) */
		if (measure_next_due(f, &pl.v[i], &plan, &t, NULL) == 0 && t != 0 &&
		    (next == 0 || t < next))
			next = t;
		plan_release(&plan);
	}
	store_program_list_release(&pl);
	return next;
}
