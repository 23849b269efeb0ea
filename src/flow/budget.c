/*
 * budget — the mail budget per member per day: the shell around mailbudget.h's rule. See
 * include/budget.h for what is counted and when deferred mail goes.
 *
 * The store counts the member's day and lists what waits (store_budget.h); the core decides
 * (mailbudget.h); this file finds the member's day and the next opening in their zone, applies
 * the verdicts and says what happened, at info level.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "budget.h"
#include "buf.h"
#include "fbtime.h"
#include "log.h"
#include "mailbudget.h"
#include "mailkind.h"
#include "pace.h"
#include "plan.h"
#include "redate.h"
#include "store_budget.h"
#include "vocab.h"
#include "banned.h"

static void
utc_text(time_t t, char *out, size_t n)
{
	struct buf b = BUF_INIT;

	if (fbtime_format_utc(t, &b) < 0 || b.data == NULL)
		snprintf(out, n, "%lld", (long long)t);
	else
		snprintf(out, n, "%s", b.data);
	buf_release(&b);
}

/* The member's day at now in tz: [*from, *until), and *opens, when the next day's budget
 * opens (office hours' start of the next day that may have mail, within a week). */
static int
member_day(const struct config_program *cp, const char *tz, time_t now, time_t *from,
    time_t *until, time_t *opens, struct fb_error *err)
{
	struct fb_local l;
	int start = cp->office_hours.start;

	if (fbtime_to_local(tz, now, &l, err) < 0 ||
	    fbtime_local_to_utc(tz, &l.date, 0, 0, from, err) < 0)
		return -1;
	struct fb_date next = fbtime_date_add_days(&l.date, 1);
	if (fbtime_local_to_utc(tz, &next, 0, 0, until, err) < 0)
		return -1;
	*opens = 0;
	for (int d = 1; d <= 7 && *opens == 0; d++) {
		struct fb_date day = fbtime_date_add_days(&l.date, d);

		if (!cp->weekend_mail && fbtime_weekday(&day) >= 6)
			continue;
		if (fbtime_local_to_utc(tz, &day, start / 60, start % 60, opens, err) < 0)
			return -1;
	}
	if (*opens == 0)
		*opens = *until;
	return 0;
}

/* A deferred row that goes is dated now, the day the member gets it (redate.h). A message of
 * another shape goes as it was made. */
static int
redate_row(const struct flow *f, const struct program *p, int64_t id, struct fb_error *err)
{
	struct outbox_row r;
	struct buf raw = BUF_INIT;
	struct fb_error why;
	int rc = 0;

	if (queue_outbox_get(f->db, id, &r, err) < 0)
		return -1;
	if (redate_message(r.raw.data, r.raw.len, p->timezone, f->now, &raw, &why) == 0 &&
	    queue_outbox_set_raw(f->db, id, raw.data, raw.len, err) < 0)
		rc = -1;
	queue_outbox_release(&r);
	buf_release(&raw);
	return rc;
}

/* Nothing that waited goes to a member who left (outmail.h), nor to an address that is no
 * longer theirs (what they need goes to the new one): why, or NULL. */
static const char *
gone_why(const struct member *m, int active, const struct budget_waiting *r)
{
	if (!active)
		return "the member left the programme";
	if (m->address == NULL || strcasecmp(m->address, r->recipient) != 0)
		return "the member's address changed";
	return NULL;
}

/*
 * Decide the waiting mail of member member_id of p at f->now. watch (0: none) is the row just
 * queued; *watch_at is when it goes (0: now).
 */
static int
plan_member(const struct flow *f, const struct program *p, int64_t member_id, int64_t watch,
    time_t *watch_at, struct budget_stats *st, struct fb_error *err)
{
	const struct config_program *cp = &f->cfg->program;
	struct budget_waiting_list w = { 0 };
	struct mailbudget_row *rows = NULL;
	struct plan plan = PLAN_INIT;
	struct member m;
	time_t from, until, opens, welcome;
	char spec[24], when[40], reason[200];
	int used, room, active, rc = -1;

	snprintf(spec, sizeof(spec), "%lld", (long long)member_id);
	if (store_member_find(f->db, p->id, 0, spec, &m, err) < 0)
		return -1;
	active = member_status_from_name(m.status) == MEMBER_ACTIVE;
	if (flow_plan(f, p, &plan, err) < 0 ||
	    member_day(cp, m.timezone != NULL ? m.timezone : p->timezone, f->now, &from, &until,
	    &opens, err) < 0)
		goto out;
	if ((used = store_budget_used(f->db, member_id, from, until, err)) < 0 ||
	    store_budget_waiting(f->db, member_id, &w, err) < 0)
		goto out;
	room = cp->mail_budget - used;
	/* Nothing automatic before the welcome: it is the first mail a member gets. */
	welcome = plan_welcome_time(&plan);
	if (f->now < welcome) {
		room = 0;
		opens = welcome;
	}
	if (w.n == 0) {
		rc = 0;
		goto out;
	}
	if ((rows = calloc(w.n, sizeof(*rows))) == NULL) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < w.n; i++) {
		long lead = mailkind_lead(w.v[i].kind);

		rows[i].about_at = w.v[i].about_at;
		rows[i].want_by = lead == MAILKIND_AT_ONCE || w.v[i].about_at == 0 ?
		    w.v[i].created_at : w.v[i].about_at - lead;
		rows[i].must_arrive = mailkind_must_arrive(w.v[i].kind);
		if (gone_why(&m, active, &w.v[i]) != NULL)
			rows[i].about_at = 1; /* dropped, and takes no room */
	}
	if (mailbudget_plan(rows, w.n, room, f->now, opens) < 0) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < w.n; i++) {
		const struct budget_waiting *r = &w.v[i];
		enum mailbudget_verdict v = rows[i].verdict;
		time_t at = 0;
		const char *gone = gone_why(&m, active, r);

		switch (v) {
		case MAILBUDGET_GO:
		case MAILBUDGET_GO_OVER:
			if ((r->id != watch && redate_row(f, p, r->id, err) < 0) ||
			    store_budget_release(f->db, r->id, f->now, err) < 0 ||
			    pace_plan_row(f->db, r->recipient, r->id, f->now,
			    f->cfg->outgoing.per_recipient_daily_cap, &at, err) < 0)
				goto out;
			if (v == MAILBUDGET_GO_OVER)
				log_info("outbox %lld (%s): goes over the mail budget of member %lld "
				    "(mail_budget = %d): waiting would bring it after its moment",
				    (long long)r->id, r->kind, (long long)member_id, cp->mail_budget);
			else if (r->id != watch)
				log_info("outbox %lld (%s): released, the mail budget of member %lld "
				    "allows it today", (long long)r->id, r->kind, (long long)member_id);
			if (st != NULL && r->id != watch)
				st->released++;
			break;
		case MAILBUDGET_WAIT:
			at = rows[i].wait_until != 0 ? rows[i].wait_until : f->now + 86400;
			if (r->deferred_until == at && r->id != watch)
				break;
			utc_text(at, when, sizeof(when));
			snprintf(reason, sizeof(reason), "deferred: %s automatic mails to this member "
			    "today (mail_budget = %d)%s; looked at again at %s",
			    f->now < welcome ? "no" : "enough", cp->mail_budget,
			    f->now < welcome ? ", the welcome comes first" : "", when);
			if (store_budget_defer(f->db, r->id, at, reason, err) < 0)
				goto out;
			log_info("outbox %lld (%s): %s by the mail budget of member %lld "
			    "(mail_budget = %d); looked at again at %s", (long long)r->id, r->kind,
			    r->id == watch ? "deferred" : "still deferred", (long long)member_id,
			    cp->mail_budget, when);
			if (st != NULL)
				st->deferred++;
			break;
		case MAILBUDGET_DROP_PAST:
		case MAILBUDGET_DROP_LATE:
			snprintf(reason, sizeof(reason), "dropped by the mail budget: %s",
			    gone != NULL ? gone : v == MAILBUDGET_DROP_PAST ?
			    "the moment it is about has passed, no longer useful" :
			    "the next day with room is after the moment it is about, no longer useful");
			if (store_budget_drop(f->db, r->id, reason, err) < 0)
				goto out;
			log_info("outbox %lld (%s) to member %lld: %s", (long long)r->id, r->kind,
			    (long long)member_id, reason);
			if (st != NULL)
				st->dropped++;
			break;
		}
		if (r->id == watch && watch_at != NULL)
			*watch_at = at;
	}
	rc = 0;
out:
	free(rows);
	store_budget_waiting_release(&w);
	plan_release(&plan);
	store_member_release(&m);
	return rc;
}

int
budget_room(const struct flow *f, const struct program *p, const struct member *m,
    struct fb_error *err)
{
	struct budget_waiting_list w = { 0 };
	struct plan plan = PLAN_INIT;
	time_t from, until, opens;
	int used, room = -1;

	if (flow_plan(f, p, &plan, err) < 0 ||
	    member_day(&f->cfg->program, m->timezone != NULL ? m->timezone : p->timezone, f->now,
	    &from, &until, &opens, err) < 0 ||
	    (used = store_budget_used(f->db, m->id, from, until, err)) < 0 ||
	    store_budget_waiting(f->db, m->id, &w, err) < 0)
		goto out;
	room = f->cfg->program.mail_budget - used;
	/* what waits for today's room goes first; what waits for a later day does not count */
	for (size_t i = 0; i < w.n; i++)
		room -= w.v[i].deferred_until <= f->now;
	if (f->now < plan_welcome_time(&plan))
		room = 0;
	if (room < 0)
		room = 0;
out:
	store_budget_waiting_release(&w);
	plan_release(&plan);
	return room;
}

int
budget_supersede(const struct flow *f, const struct outbox_new *m, struct fb_error *err)
{
	char reason[160];
	int n;

	if (m->about_uid == NULL || *m->about_uid == '\0')
		return 0;
	snprintf(reason, sizeof(reason), "dropped by the mail budget: a newer %s about the same "
	    "event replaces it", m->kind);
	if ((n = store_budget_supersede(f->db, m->recipient, m->about_uid, reason, err)) < 0)
		return -1;
	if (n > 0)
		log_info("outbox: %d deferred message%s about one event replaced by a newer %s "
		    "(mail budget)", n, n == 1 ? "" : "s", m->kind);
	return n;
}

int
budget_queue(const struct flow *f, const struct program *p, struct outbox_new *m,
    int64_t *id_out, time_t *goes_at, struct fb_error *err)
{
	int64_t id;
	time_t at = 0;

	/* In as deferred, out of the send queue; the member's plan decides whether it goes. */
	m->budget = 1;
	m->deferred_until = f->now;
	if (queue_outbox_add(f->db, m, f->now, &id, err) < 0)
		return -1;
	if (plan_member(f, p, m->member_id, id, &at, NULL, err) < 0)
		return -1;
	if (id_out != NULL)
		*id_out = id;
	if (goes_at != NULL)
		*goes_at = at;
	return 0;
}

int
budget_release(const struct flow *f, struct budget_stats *st, struct fb_error *err)
{
	struct budget_member *v = NULL;
	size_t n = 0;
	int rc = 0;

	if (store_budget_due(f->db, f->now, &v, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct program p;
		char spec[24];

		snprintf(spec, sizeof(spec), "%lld", (long long)v[i].program_id);
		if (store_program_get(f->db, spec, &p, err) < 0) {
			rc = -1;
			break;
		}
		if (db_begin(f->db, err) < 0)
			rc = -1;
		else if (plan_member(f, &p, v[i].member_id, 0, NULL, st, err) < 0) {
			db_rollback(f->db);
			rc = -1;
		} else if (db_commit(f->db, err) < 0)
			rc = -1;
		store_program_release(&p);
	}
	free(v);
	return rc;
}
