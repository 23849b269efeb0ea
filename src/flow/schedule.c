/*
 * schedule — act on due moments of every programme's plan. See include/schedule.h.
 */
#include <stdio.h>
#include <string.h>

#include "answers.h"
#include "fbtime.h"
#include "invite.h"
#include "measure.h"
#include "outmail.h"
#include "report_send.h"
#include "schedule.h"
#include "store_feedback.h"
#include "store_join.h"
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
		.kind = "nudge", .program = p, .lang = flow_member_language(p, m),
		.to_addr = m->address, .to_name = m->name, .member_id = m->id, .token = &t,
		.values = v, .raw_out = raw_out, .about_at = f->now + SCHEDULE_NUDGE_USEFUL,
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

/*
 * A member's own zone (issue 18): the nudge comes at the programme's nudge time of THEIR
 * clock, on the moment's day. The plan has one moment for the programme, in its zone; a member
 * whose clock is behind it (London for an Amsterdam programme: 09:00 there is 10:00 here) is
 * passed over by the moment and nudged by schedule's sweep when their time comes, with a done
 * mark of their own ("nudge:w3:m42"). A member whose clock is ahead gets it with the moment
 * (never before it: the plan does not wake earlier), which is their 09:00 or later.
 */

/* The longest a member's nudge may follow the programme's moment: the widest gap of two
 * zones' clocks (UTC-12 to UTC+14) and an hour of summer time. */
#define NUDGE_ZONE_GAP (27 * 3600)

/* When m's nudge of moment mo is due, into *at (never before mo->at). 0, or -1 with err. */
static int
nudge_time(const struct program *p, const struct member *m, const struct plan_moment *mo,
    time_t *at, struct fb_error *err)
{
	const char *tz = flow_member_zone(p, m);
	struct fb_local l;
	time_t t;

	if (strcmp(tz, p->timezone) == 0) {
		*at = mo->at;
		return 0;
	}
	if (fbtime_to_local(p->timezone, mo->at, &l, err) < 0 ||
	    fbtime_local_to_utc(tz, &l.date, l.hour, l.min, &t, err) < 0)
		return -1;
	*at = t > mo->at ? t : mo->at;
	return 0;
}

/* The done mark of m's own nudge of mo. */
static void
nudge_key(const struct plan_moment *mo, const struct member *m, char *out, size_t n)
{
	snprintf(out, n, "%s:m%lld", mo->key, (long long)m->id);
}

/* 1 when m gets nudges (active, reachable, not away today), 0 when not, -1 with err. */
static int
nudge_wanted(const struct flow *f, const struct member *m, const char *today,
    struct fb_error *err)
{
	int away;

	if (member_status_from_name(m->status) != MEMBER_ACTIVE || m->undeliverable_at != 0 ||
	    m->complained_at != 0)
		return 0;
	if ((away = store_member_is_away(f->db, m->id, today, err)) < 0)
		return -1;
	return !away;
}

/*
 * m's nudge of mo when its time has come and it was not sent: with the moment (nudge_time() is
 * the moment's), or later from the sweep (its own done mark, set here). *sent 1 when it went.
 * Inside the caller's transaction. 0, or -1 with err.
 */
static int
nudge_member(const struct flow *f, const struct program *p, const struct plan_moment *mo,
    const struct member *m, const struct member_list *team, int *sent, struct fb_error *err)
{
	char key[sizeof(mo->key) + 24];
	time_t at;
	int done;

	*sent = 0;
	if (nudge_time(p, m, mo, &at, err) < 0)
		return -1;
	if (at > f->now)
		return 0; /* later, from the sweep */
	if (at > mo->at) {
		nudge_key(mo, m, key, sizeof(key));
		if ((done = store_moment_is_done(f->db, p->id, key, err)) != 0)
			return done < 0 ? -1 : 0;
		if (f->now - at > SCHEDULE_STALE)
			return store_moment_mark_done(f->db, p->id, key, f->now, err);
		if (store_moment_mark_done(f->db, p->id, key, f->now, err) < 0)
			return -1;
	}
	if (schedule_nudge_mail(f, p, mo->week, m, team, NULL, err) < 0)
		return -1;
	*sent = 1;
	return 0;
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
			int want, sent;

			if ((want = nudge_wanted(f, m, today, err)) <= 0) {
				rc = want;
				continue;
			}
			rc = nudge_member(f, p, mo, m, &ml, &sent, err);
			*mails += (size_t)sent;
		}
		store_member_list_release(&ml);
	}
	store_team_list_release(&teams);
	return rc;
}

/*
 * A nudge moment in chunks (issue 20), so that the first nudges go while the rest are queued:
 * teams are nudged in transactions of their own of at least `budget` mails, each team marked
 * with its nudges (key "<moment>:teams", target the team's id: store_join_mark), so a crash
 * between chunks nudges no team twice; the moment is marked done with the last chunk. *more
 * is 1 when the budget ran out before the last team (the caller sends, then calls again).
 * 0, or -1 with err (the chunk in hand undone).
 */
static int
nudge_chunk(const struct flow *f, const struct program *p, const struct plan_moment *mo,
    const char *today, size_t budget, size_t *mails, int *more, struct fb_error *err)
{
	char key[sizeof(mo->key) + 8];
	struct team_list teams = { 0 };
	size_t n = 0, i;
	int rc = 0, marked = 0;

	snprintf(key, sizeof(key), "%s:teams", mo->key);
	*more = 0;
	if (store_team_list(f->db, p->id, &teams, err) < 0)
		return -1;
	if (db_begin(f->db, err) < 0) {
		store_team_list_release(&teams);
		return -1;
	}
	for (i = 0; i < teams.n && rc == 0; i++) {
		struct member_list ml = { 0 };

		if ((marked = store_join_is_marked(f->db, p->id, key, teams.v[i].id, err)) != 0) {
			rc = marked < 0 ? -1 : 0;
			continue;
		}
		if (n >= budget) {
			*more = 1;
			break;
		}
		if (store_member_list(f->db, 0, teams.v[i].id, &ml, err) < 0) {
			rc = -1;
			break;
		}
		for (size_t k = 0; k < ml.n && rc == 0; k++) {
			int want, sent;

			if ((want = nudge_wanted(f, &ml.v[k], today, err)) <= 0) {
				rc = want;
				continue;
			}
			rc = nudge_member(f, p, mo, &ml.v[k], &ml, &sent, err);
			n += (size_t)sent;
		}
		store_member_list_release(&ml);
		if (rc == 0)
			rc = store_join_mark(f->db, p->id, key, teams.v[i].id, f->now, err);
	}
	store_team_list_release(&teams);
	if (rc == 0 && !*more)
		rc = store_moment_mark_done(f->db, p->id, mo->key, f->now, err);
	if (rc < 0 || db_commit(f->db, err) < 0) {
		db_rollback(f->db);
		return -1;
	}
	*mails += n;
	return 0;
}

/*
 * Visit the members of p's nudges of the last NUDGE_ZONE_GAP + SCHEDULE_STALE whose nudge
 * follows the moment (a clock behind the programme's): fn(arg, mo, m, team, at). Stops at
 * fn's first non-zero return and returns it; -1 with err on a database error.
 */
typedef int (*later_fn)(void *arg, const struct plan_moment *mo, const struct member *m,
    const struct member_list *team, time_t at, struct fb_error *err);

static int
later_nudges(const struct flow *f, const struct program *p, const struct plan *plan,
    later_fn fn, void *arg, struct fb_error *err)
{
	struct team_list teams = { 0 };
	int rc = 0, loaded = 0;

	for (size_t i = 0; i < plan->n && rc == 0; i++) {
		const struct plan_moment *mo = &plan->moments[i];

		if (mo->kind != PLAN_NUDGE || mo->at > f->now ||
		    f->now - mo->at > NUDGE_ZONE_GAP + SCHEDULE_STALE)
			continue;
		if (!loaded && store_team_list(f->db, p->id, &teams, err) < 0)
			return -1;
		loaded = 1;
		for (size_t t = 0; t < teams.n && rc == 0; t++) {
			struct member_list ml = { 0 };

			if (store_member_list(f->db, 0, teams.v[t].id, &ml, err) < 0) {
				rc = -1;
				break;
			}
			for (size_t k = 0; k < ml.n && rc == 0; k++) {
				time_t at;

				if (strcmp(flow_member_zone(p, &ml.v[k]), p->timezone) == 0)
					continue;
				if (nudge_time(p, &ml.v[k], mo, &at, err) < 0)
					rc = -1;
				else if (at > mo->at)
					rc = fn(arg, mo, &ml.v[k], &ml, at, err);
			}
			store_member_list_release(&ml);
		}
	}
	store_team_list_release(&teams);
	return rc;
}

struct sweep_ctx {
	const struct flow *f;
	const struct program *p;
	const char *today;
	size_t *mails;
};

/* One member's later nudge, in a transaction of its own, when its moment was acted on. */
static int
sweep_one(void *arg, const struct plan_moment *mo, const struct member *m,
    const struct member_list *team, time_t at, struct fb_error *err)
{
	struct sweep_ctx *c = arg;
	int done, want, sent;

	if (at > c->f->now)
		return 0;
	if ((done = store_moment_is_done(c->f->db, c->p->id, mo->key, err)) <= 0)
		return done;
	if ((want = nudge_wanted(c->f, m, c->today, err)) <= 0)
		return want;
	if (db_begin(c->f->db, err) < 0)
		return -1;
	if (nudge_member(c->f, c->p, mo, m, team, &sent, err) < 0 ||
	    db_commit(c->f->db, err) < 0) {
		db_rollback(c->f->db);
		return fb_error_prefix(err, "%s, member %lld: ", mo->key, (long long)m->id);
	}
	*c->mails += (size_t)sent;
	return 0;
}

/* The nudges of members whose clock is behind the programme's, due now (see above). */
static int
nudge_sweep(const struct flow *f, const struct program *p, const struct plan *plan,
    const char *today, size_t *mails, struct fb_error *err)
{
	struct sweep_ctx c = { f, p, today, mails };

	return later_nudges(f, p, plan, sweep_one, &c, err);
}

/* The earliest later nudge after now, for the daemon's wake-up. */
struct next_ctx {
	time_t now, next;
};

static int
next_one(void *arg, const struct plan_moment *mo, const struct member *m,
    const struct member_list *team, time_t at, struct fb_error *err)
{
	struct next_ctx *c = arg;

	(void)mo, (void)m, (void)team, (void)err;
	if (at > c->now && (c->next == 0 || at < c->next))
		c->next = at;
	return 0;
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
program_pass(const struct flow *f, const struct program *p, size_t budget,
    struct schedule_stats *st, int *more, struct fb_error *err)
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
	/* Receipts that gathered a member's score-link clicks (answers.h): an answer to their
	 * own mail, so neither a pause nor an early end holds it back. */
	if (answers_sweep(f, p, &st->mails, err) < 0) {
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
		if (budget > 0 && mo->kind == PLAN_NUDGE && f->now - mo->at <= SCHEDULE_STALE) {
			size_t mails = 0;

			if (nudge_chunk(f, p, mo, today, budget, &mails, more, err) < 0) {
				fb_error_prefix(err, "programme %s, %s: ", p->name, mo->label);
				rc = -1;
				break;
			}
			st->mails += mails;
			if (*more)
				break; /* the caller sends this chunk, then calls again */
			st->moments++;
			continue;
		}
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
	if (*more) {
		plan_release(&plan);
		return rc;
	}
	/* Nudges of members whose clock is behind the programme's (see nudge_time()). */
	if (rc == 0 && !quiet && (rc = nudge_sweep(f, p, &plan, today, &st->mails, err)) < 0)
		fb_error_prefix(err, "programme %s, nudges: ", p->name);
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
	int more = 0;

	return schedule_pass_some(f, 0, st, &more, err);
}

int
schedule_pass_some(const struct flow *f, size_t budget, struct schedule_stats *st, int *more,
    struct fb_error *err)
{
	struct program_list pl = { 0 };
	int rc = 0;

	*more = 0;
	if (store_program_list(f->db, &pl, err) < 0)
		return -1;
	for (size_t i = 0; i < pl.n && rc == 0 && !*more; i++)
		rc = program_pass(f, &pl.v[i], budget, st, more, err);
	store_program_list_release(&pl);
	return rc;
}

time_t
schedule_next(const struct flow *f)
{
	struct program_list pl = { 0 };
	time_t next = 0, t;

	if (store_program_list(f->db, &pl, NULL) < 0)
		return 0;
	for (size_t i = 0; i < pl.n; i++) {
		struct plan plan = PLAN_INIT;

		if (flow_plan(f, &pl.v[i], &plan, NULL) < 0) {
			plan_release(&plan);
			continue;
		}
		if ((t = plan_next(&plan, f->now)) != 0 && (next == 0 || t < next))
			next = t;
		/* a nudge that waits for a member's own clock (nudge_time()) */
		struct next_ctx nc = { f->now, 0 };
		if (later_nudges(f, &pl.v[i], &plan, next_one, &nc, NULL) == 0 && nc.next != 0 &&
		    (next == 0 || nc.next < next))
			next = nc.next;
		/* a reminder that waits for the member's office hours or Monday (measure.h) */
		if (measure_next_due(f, &pl.v[i], &plan, &t, NULL) == 0 && t != 0 &&
		    (next == 0 || t < next))
			next = t;
		plan_release(&plan);
	}
	store_program_list_release(&pl);
	/* a receipt that gathers score-link clicks (answers.h) */
	if ((t = answers_next_due(f)) != 0 && (next == 0 || t < next))
		next = t;
	return next;
}
