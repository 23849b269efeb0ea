/*
 * welcome — the welcome mail and the late joiner. See include/welcome.h for who gets what and
 * when; the words are in mail-templates/<lang>/{welcome,member_joined}.{txt,html}.
 *
 * Order inside a pass (schedule.c): welcome_pass() before the moments, so each welcome is
 * queued before that pass's nudge, questionnaire and invitations, and store_join_first() puts
 * it ahead of what was queued for the member earlier; welcome_joiners() after the moments,
 * so a questionnaire the pass itself sends is not sent twice and the note can say what went.
 */
#include <stdio.h>
#include <string.h>

#include "invite.h"
#include "measure.h"
#include "outmail.h"
#include "store.h"
#include "store_join.h"
#include "store_session.h"
#include "vocab.h"
#include "welcome.h"
#include "banned.h"

/* What the welcomes and notes of one pass share: the programme's people and sessions. */
struct welcome_ctx {
	const struct flow *f;
	const struct program *p;
	const struct plan *plan;
	struct member_list members;           /* the programme's, by team and name */
	struct facilitator_list facilitators; /* the programme's */
	struct session_list sessions;         /* the programme's, by start */
};

static void
ctx_release(struct welcome_ctx *c)
{
	store_member_list_release(&c->members);
	store_facilitator_list_release(&c->facilitators);
	store_session_list_release(&c->sessions);
}

static int
ctx_load(struct welcome_ctx *c, const struct flow *f, const struct program *p,
    const struct plan *plan, struct fb_error *err)
{
	memset(c, 0, sizeof(*c));
	c->f = f;
	c->p = p;
	c->plan = plan;
	if (store_member_list(f->db, p->id, 0, &c->members, err) < 0 ||
	    store_facilitator_list(f->db, p->id, 0, &c->facilitators, err) < 0 ||
	    store_session_list(f->db, p->id, &c->sessions, err) < 0) {
		ctx_release(c);
		return -1;
	}
	return 0;
}

static const struct member *
member_of(const struct welcome_ctx *c, int64_t id)
{
	for (size_t i = 0; i < c->members.n; i++)
		if (c->members.v[i].id == id)
			return &c->members.v[i];
	return NULL;
}

/* The team's first facilitator, the one who signs the welcome; NULL when it has none. */
static const struct facilitator *
facilitator_of(const struct welcome_ctx *c, int64_t team_id)
{
	for (size_t i = 0; i < c->facilitators.n; i++)
		if (c->facilitators.v[i].team_id == team_id)
			return &c->facilitators.v[i];
	return NULL;
}

static const char *
coordinator_of(const struct flow *f, const struct program *p)
{
	return p->organizer != NULL && *p->organizer != '\0' ? p->organizer :
	    f->cfg->feedbackd.coordinator_address;
}

static int
mailable(const struct member *m)
{
	return member_status_from_name(m->status) == MEMBER_ACTIVE && m->address != NULL &&
	    *m->address != '\0' && m->undeliverable_at == 0 && m->complained_at == 0;
}

time_t
welcome_time(const struct plan *plan)
{
	return plan_welcome_time(plan);
}

/* 1 when a member added at joined_at joined p late: after the welcome time, and not in the
 * week the programme itself was made (one made after its start begins with the team it is
 * given; the weekly report counts the same way, store_report.c). */
static int
is_late(const struct program *p, const struct plan *plan, time_t joined_at)
{
	return joined_at > welcome_time(plan) &&
	    plan_week_of(plan, joined_at) > plan_week_of(plan, p->created_at);
}

/* A date as people read it ("maandag 15 maart", the year only when it is not now's, with
 * " om 14:00") into value name of v. */
static int
set_date(struct template_values *v, const char *name, time_t t, time_t now, const char *tz,
    const char *lang, int with_time, struct fb_error *err)
{
	struct fb_local l, today;
	struct buf b = BUF_INIT;
	int en = lang != NULL && strcmp(lang, "en") == 0, rc = 0;

	if (fbtime_to_local(tz, t, &l, NULL) < 0 || fbtime_to_local(tz, now, &today, NULL) < 0)
		return fb_error_set(err, "cannot write the date of %lld in %s", (long long)t, tz);
	if (fbtime_format_human_date(&l.date, lang, today.date.year, &b) < 0 ||
	    (with_time && buf_addf(&b, " %s %02d:%02d", en ? "at" : "om", l.hour, l.min) < 0) ||
	    template_set(v, name, b.data) < 0)
		rc = fb_error_set(err, "out of memory");
	buf_release(&b);
	return rc;
}

/*
 * The list "sessions" (a flag per kind and "date") of the confirmed sessions of m's team (or
 * of every team) that start after now; with attending, only those m is an attendee of.
 */
static int
add_sessions(const struct welcome_ctx *c, const struct member *m, int attending,
    const char *tz, const char *lang, struct template_values *v, struct fb_error *err)
{
	for (size_t i = 0; i < c->sessions.n; i++) {
		const struct session *s = &c->sessions.v[i];
		struct template_values *it;

		if (session_status_from_name(s->status) != SESSION_CONFIRMED ||
		    s->starts_at <= c->f->now || (s->team_id != 0 && s->team_id != m->team_id))
			continue;
		if (attending) {
			struct session_attendee a;
			int rc = store_attendee_find(c->f->db, s->id, m->address, &a, err);
			int removed;

			if (rc < 0)
				return -1;
			if (rc == 1)
				continue;
			removed = a.removed;
			store_attendee_release(&a);
			if (removed)
				continue;
		}
		if ((it = template_add_item(v, "sessions")) == NULL ||
		    template_set(it, s->kind, "1") < 0)
			return fb_error_set(err, "out of memory");
		if (set_date(it, "date", s->starts_at, c->f->now, tz, lang, 1, err) < 0)
			return -1;
	}
	return 0;
}

/* The values of m's welcome (the "welcome" spec in outmail.c). */
static int
welcome_values(const struct welcome_ctx *c, const struct member *m, time_t joined_at,
    struct template_values *v, struct fb_error *err)
{
	const struct flow *f = c->f;
	const struct program *p = c->p;
	const char *lang = m->language != NULL ? m->language : p->language;
	const char *tz = m->timezone != NULL ? m->timezone : p->timezone;
	const struct facilitator *fa = facilitator_of(c, m->team_id);
	const struct plan_moment *nudge = plan_find(c->plan, "nudge:w1");
	const struct plan_moment *followup = plan_find(c->plan, "questionnaire:followup");
	const char *example = NULL;
	int week = plan_week_of(c->plan, f->now);

	for (size_t i = 0; i < c->members.n && example == NULL; i++) {
		const struct member *o = &c->members.v[i];

		if (o->team_id == m->team_id && o->id != m->id &&
		    member_status_from_name(o->status) == MEMBER_ACTIVE)
			example = o->name;
	}
	if (template_set(v, "name", m->name) < 0 ||
	    template_set(v, "team", m->team_name) < 0 ||
	    template_setf(v, "weeks", "%d", p->weeks) < 0 ||
	    template_setf(v, "week", "%d", week > 0 ? week : 1) < 0 ||
	    (is_late(p, c->plan, joined_at) && template_set(v, "late", "1") < 0) ||
	    template_set(v, "nudge_day", fbtime_human_weekday(nudge != NULL ?
	    fbtime_weekday(&nudge->date) : 1, lang)) < 0 ||
	    template_setf(v, "followup_weeks", "%d", followup != NULL ?
	    followup->week - p->weeks : f->cfg->program.followup_weeks) < 0 ||
	    template_set(v, "example", example) < 0 ||
	    (fa != NULL && (template_set(v, "facilitator", fa->name) < 0 ||
	    template_set(v, "facilitator_address", fa->address) < 0)) ||
	    template_set(v, "coordinator", coordinator_of(f, p)) < 0 ||
	    (f->cfg->report.rating_samples > 0 && template_set(v, "samples", "1") < 0) ||
	    template_setf(v, "min_group", "%d", f->cfg->program.min_group_size) < 0)
		return fb_error_set(err, "out of memory");
	/* The programme's dates in its own zone: they are days, not times. */
	if (set_date(v, "start_date", c->plan->start_at, c->f->now, p->timezone, lang, 0, err) < 0 ||
	    set_date(v, "end_date", c->plan->end_at, c->f->now, p->timezone, lang, 0, err) < 0)
		return -1;
	return add_sessions(c, m, 0, tz, lang, v, err);
}

static int
welcome_build(const struct welcome_ctx *c, const struct member *m, time_t joined_at,
    struct buf *raw_out, struct fb_error *err)
{
	struct template_values *v = template_values_new();
	struct outmail_token t = { PURPOSE_ASK, m->id, 0, 0 };
	struct outmail_msg msg = {
		.kind = "welcome", .program = c->p, .lang = m->language, .to_addr = m->address,
		.to_name = m->name, .member_id = m->id, .token = &t,
		.values = v, .raw_out = raw_out,
	};
	int rc = -1;

	if (v == NULL)
		return fb_error_set(err, "out of memory");
	if (welcome_values(c, m, joined_at, v, err) == 0)
		rc = outmail_queue(c->f, &msg, NULL, err);
	template_values_free(v);
	if (rc < 0)
		fb_error_prefix(err, "the welcome to member %lld: ", (long long)m->id);
	return rc;
}

/* When m joined (member.created_at); 0 when m is not an active member of p. */
static int
joined_at_of(const struct flow *f, const struct program *p, int64_t member_id, time_t *out,
    struct fb_error *err)
{
	struct join_list jl = { 0 };

	*out = 0;
	if (store_join_list(f->db, p->id, NULL, &jl, err) < 0)
		return -1;
	for (size_t i = 0; i < jl.n; i++)
		if (jl.v[i].member_id == member_id)
			*out = jl.v[i].joined_at;
	store_join_list_release(&jl);
	return 0;
}

int
welcome_mail(const struct flow *f, const struct program *p, const struct member *m,
    struct buf *raw_out, struct fb_error *err)
{
	struct plan plan = PLAN_INIT;
	struct welcome_ctx c;
	time_t joined_at;
	int rc = -1;

	if (flow_plan(f, p, &plan, err) < 0)
		goto out;
	if (joined_at_of(f, p, m->id, &joined_at, err) < 0 || ctx_load(&c, f, p, &plan, err) < 0)
		goto out;
	rc = welcome_build(&c, m, joined_at, raw_out, err);
	ctx_release(&c);
out:
	plan_release(&plan);
	return rc;
}

/* ---- the facilitator's note ----------------------------------------------------------------- */

static int
note_build(const struct welcome_ctx *c, const struct member *m, int week, const char *to_addr,
    const char *to_name, struct buf *raw_out, struct fb_error *err)
{
	const struct program *p = c->p;
	struct template_values *v = template_values_new();
	struct join_questionnaire_list ql = { 0 };
	struct outmail_msg msg = {
		.kind = "member_joined", .program = p, .to_addr = to_addr, .to_name = to_name,
		.values = v, .raw_out = raw_out,
	};
	int rc = -1;

	if (v == NULL)
		return fb_error_set(err, "out of memory");
	if (template_set(v, "name", to_name != NULL && *to_name ? to_name : to_addr) < 0 ||
	    template_set(v, "member", m->name) < 0 || template_set(v, "team", m->team_name) < 0 ||
	    template_setf(v, "week", "%d", week) < 0 ||
	    template_setf(v, "first_week", "%d", week + 1) < 0) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	if (store_join_questionnaires(c->f->db, m->id, c->f->now, &ql, err) < 0)
		goto out;
	for (size_t i = 0; i < ql.n; i++) {
		struct template_values *it = template_add_item(v, "questionnaires");

		if (it == NULL || template_set(it, ql.v[i].kind, "1") < 0) {
			fb_error_set(err, "out of memory");
			goto out;
		}
		/* the last day it takes answers, as the questionnaire itself says */
		if (set_date(it, "close_date", ql.v[i].closes_at - 1, c->f->now, p->timezone, p->language, 0,
		    err) < 0)
			goto out;
	}
	if (add_sessions(c, m, 1, p->timezone, p->language, v, err) < 0)
		goto out;
	rc = outmail_queue(c->f, &msg, NULL, err);
out:
	store_join_questionnaire_list_release(&ql);
	template_values_free(v);
	if (rc < 0)
		fb_error_prefix(err, "the note that member %lld joined: ", (long long)m->id);
	return rc;
}

int
welcome_note_mail(const struct flow *f, const struct program *p, const struct member *m,
    int week, const char *to_addr, const char *to_name, struct buf *raw_out,
    struct fb_error *err)
{
	struct plan plan = PLAN_INIT;
	struct welcome_ctx c;
	int rc = -1;

	if (flow_plan(f, p, &plan, err) == 0 && ctx_load(&c, f, p, &plan, err) == 0) {
		rc = note_build(&c, m, week, to_addr, to_name, raw_out, err);
		ctx_release(&c);
	}
	plan_release(&plan);
	return rc;
}

/* The notes owed for the late joiners of p: to each facilitator of their team, else to the
 * coordinator, once the member's welcome is done. Inside the caller's transaction. */
static int
notes(const struct flow *f, const struct program *p, const struct plan *plan, size_t *mails,
    struct fb_error *err)
{
	struct join_list jl = { 0 };
	struct welcome_ctx c;
	int loaded = 0, rc = -1;

	if (store_join_list(f->db, p->id, WELCOME_JOINED_KEY, &jl, err) < 0)
		return -1;
	for (size_t i = 0; i < jl.n; i++) {
		const struct join_row *j = &jl.v[i];
		const struct member *m;
		size_t sent = 0;
		int welcomed;

		/* Who was there from the start is not a late joiner; nor news a week on. */
		if (!is_late(p, plan, j->joined_at) || f->now - j->joined_at > WELCOME_STALE) {
			if (store_join_mark(f->db, p->id, WELCOME_JOINED_KEY, j->member_id, f->now,
			    err) < 0)
				goto out;
			continue;
		}
		/* The note says what they were sent: it waits for the welcome. */
		if ((welcomed = store_join_is_marked(f->db, p->id, WELCOME_KEY, j->member_id,
		    err)) < 0)
			goto out;
		if (!welcomed)
			continue;
		if (!loaded && ctx_load(&c, f, p, plan, err) < 0)
			goto out;
		loaded = 1;
		if ((m = member_of(&c, j->member_id)) == NULL)
			continue;
		for (size_t k = 0; k < c.facilitators.n; k++) {
			const struct facilitator *fa = &c.facilitators.v[k];

			if (fa->team_id != m->team_id)
				continue;
			if (note_build(&c, m, plan_week_of(plan, j->joined_at), fa->address,
			    fa->name, NULL, err) < 0)
				goto out;
			sent++;
		}
		if (sent == 0 && note_build(&c, m, plan_week_of(plan, j->joined_at),
		    coordinator_of(f, p), NULL, NULL, err) < 0)
			goto out;
		*mails += sent > 0 ? sent : 1;
		if (store_join_mark(f->db, p->id, WELCOME_JOINED_KEY, m->id, f->now, err) < 0)
			goto out;
	}
	rc = 0;
out:
	if (loaded)
		ctx_release(&c);
	store_join_list_release(&jl);
	return rc;
}

/* ---- the passes ------------------------------------------------------------------------------- */

int
welcome_pass(const struct flow *f, const struct program *p, const struct plan *plan,
    size_t *mails, struct fb_error *err)
{
	time_t at = welcome_time(plan);
	struct join_list jl = { 0 };
	struct welcome_ctx c;
	size_t n = 0;

	if (f->now < at || f->now >= plan->end_at)
		return 0;
	if (store_join_list(f->db, p->id, WELCOME_KEY, &jl, err) < 0)
		goto fail;
	if (jl.n == 0) {
		store_join_list_release(&jl);
		return 0;
	}
	if (ctx_load(&c, f, p, plan, err) < 0) {
		store_join_list_release(&jl);
		goto fail;
	}
	if (db_begin(f->db, err) < 0)
		goto release;
	for (size_t i = 0; i < jl.n; i++) {
		const struct member *m = member_of(&c, jl.v[i].member_id);
		time_t due = jl.v[i].joined_at > at ? jl.v[i].joined_at : at;

		/* No working address yet: the welcome waits for one (not marked). */
		if (m == NULL || !mailable(m))
			continue;
		if (f->now - due <= WELCOME_STALE) {
			if (welcome_build(&c, m, jl.v[i].joined_at, NULL, err) < 0 ||
			    store_join_first(f->db, m->id, "welcome", err) < 0)
				goto rollback;
			n++;
		}
		if (store_join_mark(f->db, p->id, WELCOME_KEY, m->id, f->now, err) < 0)
			goto rollback;
	}
	if (db_commit(f->db, err) < 0)
		goto rollback;
	ctx_release(&c);
	store_join_list_release(&jl);
	*mails += n;
	return 0;
rollback:
	db_rollback(f->db);
release:
	ctx_release(&c);
	store_join_list_release(&jl);
fail:
	return fb_error_prefix(err, "programme %s, welcome: ", p->name);
}

int
welcome_joiners(const struct flow *f, const struct program *p, const struct plan *plan,
    const char *today, size_t *mails, struct fb_error *err)
{
	size_t n = 0;

	/* Until the welcome time the roster is still being built (and nobody is welcomed). */
	if (f->now < welcome_time(plan))
		return 0;
	if (db_begin(f->db, err) < 0)
		goto fail;
	if ((f->now < plan->end_at && measure_send_open(f, p, plan, today, &n, err) < 0) ||
	    invite_sync_upcoming(f, p, &n, err) < 0 || notes(f, p, plan, &n, err) < 0 ||
	    db_commit_if_changed(f->db, err) < 0) {
		db_rollback(f->db);
		goto fail;
	}
	*mails += n;
	return 0;
fail:
	return fb_error_prefix(err, "programme %s, members who joined: ", p->name);
}
