/*
 * invite_moment — the programme's questionnaire and reminder moments as calendar items, one per
 * member and moment. See include/invite.h ("The programme's moments as calendar items").
 *
 * Order inside the transaction: the calendar_item row first (so the UID and SEQUENCE the
 * calendar carries are the stored ones), then the outbox row; any failure rolls both back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "budget.h"
#include "fbtime.h"
#include "invite.h"
#include "invite_int.h"
#include "itip.h"
#include "outmail.h"
#include "store_calendar.h"
#include "template.h"
#include "token.h"
#include "vocab.h"
#include "banned.h"

const char *
invite_organizer(const struct flow *f, const struct program *p)
{
	if (p->organizer != NULL && *p->organizer != '\0')
		return p->organizer;
	if (*f->cfg->feedbackd.coordinator_address != '\0')
		return f->cfg->feedbackd.coordinator_address;
	return f->cfg->feedbackd.from_address;
}

int
invite_sign(const struct flow *f, const struct program *p, const char *addr,
    int64_t member_id, struct template_values *v, struct fb_error *err)
{
	struct outmail_msg who = { .program = p, .to_addr = addr, .member_id = member_id };
	struct buf signer = BUF_INIT;
	int rc = 0;

	if (outmail_signer(f, &who, &signer) < 0 ||
	    (signer.len > 0 && template_set(v, "signer", signer.data) < 0))
		rc = fb_error_set(err, "out of memory");
	buf_release(&signer);
	return rc;
}

static int
local_text(const char *tz, time_t t, char date[11], char hm[6], struct fb_error *err)
{
	struct fb_local l;

	if (fbtime_to_local(tz, t, &l, err) < 0)
		return -1;
	snprintf(date, 11, "%04d-%02d-%02d", l.date.year, l.date.month, l.date.day);
	if (hm != NULL)
		snprintf(hm, 6, "%02d:%02d", l.hour, l.min);
	return 0;
}

/* The plan's close moment of the questionnaire or reminder moment mo (same measurement), or
 * NULL. */
static const struct plan_moment *
close_of(const struct plan *plan, const struct plan_moment *mo)
{
	for (size_t i = 0; i < plan->n; i++)
		if (plan->moments[i].kind == PLAN_QUESTIONNAIRE_CLOSE &&
		    plan->moments[i].measurement == mo->measurement)
			return &plan->moments[i];
	return NULL;
}

/* What one message needs. */
struct moment_msg {
	const struct plan *plan;
	const struct plan_moment *mo;
	const struct member *m;
	const struct calendar_item *it;
	time_t old_at;          /* the time sent before, for an update; 0 otherwise */
	enum itip_method method;
	int completed;          /* a reminder's CANCEL because the questionnaire is complete */
	struct buf *raw_out;    /* NULL: queue it; else compose it into raw_out (outmail.h) */
};

static int
moment_values(const struct flow *f, const struct program *p, const struct plan *plan,
    const struct plan_moment *mo, time_t at, time_t old_at, const char *name, const char *tz,
    struct template_values *v, struct fb_error *err)
{
	const struct plan_moment *close = close_of(plan, mo);
	char date[11], start[6], close_date[11], old_date[11], old_start[6];

	if (local_text(tz, at, date, start, err) < 0 ||
	    (close != NULL && local_text(tz, close->at, close_date, NULL, err) < 0))
		return -1;
	if (template_set(v, "program", p->name) < 0 || template_set(v, "name", name) < 0 ||
	    template_set(v, plan_measurement_name(mo->measurement), "1") < 0 ||
	    template_set(v, "start", start) < 0 ||
	    template_set(v, "timezone", tz) < 0 ||
	    template_set(v, "organizer", invite_organizer(f, p)) < 0 ||
	    (mo->kind == PLAN_REMINDER && template_setf(v, "reminder", "%d", mo->number) < 0))
		return fb_error_set(err, "out of memory");
	if (outmail_set_date(v, "date", tz, at, f->now, err) < 0 ||
	    (close != NULL && outmail_set_date(v, "close_date", tz, close->at, f->now,
	    err) < 0))
		return -1;
	if (old_at != 0) {
		if (local_text(tz, old_at, old_date, old_start, err) < 0 ||
		    outmail_set_date(v, "old_date", tz, old_at, f->now, err) < 0)
			return -1;
		if (template_set(v, "old_start", old_start) < 0)
			return fb_error_set(err, "out of memory");
	}
	return 0;
}

int
invite_moment_words(const struct flow *f, const struct program *p, const struct plan *plan,
    const struct plan_moment *mo, time_t at, const char *name, const char *lang, const char *tz,
    const char *signer, struct template_output *o, struct fb_error *err)
{
	struct template_values *v = template_values_new();
	int rc = -1;

	if (v == NULL)
		return fb_error_set(err, "out of memory");
	if (signer != NULL && template_set(v, "signer", signer) < 0)
		fb_error_set(err, "out of memory");
	else if (moment_values(f, p, plan, mo, at, 0, name, tz, v, err) == 0)
		rc = template_render(outmail_templates_for(f->tpl, lang), "moment_invite", v, o,
		    err);
	template_values_free(v);
	return rc;
}

static int
send_moment(const struct flow *f, const struct program *p, const struct moment_msg *mm,
    size_t *mails, struct fb_error *err)
{
	const char *lang = flow_member_language(p, mm->m);
	const char *tz = flow_member_zone(p, mm->m);
	const char *name = mm->m->name != NULL && *mm->m->name ? mm->m->name : mm->m->address;
	struct template_values *v = template_values_new();
	struct template_output o;
	struct buf ics = BUF_INIT, signer = BUF_INIT;
	int rc = -1;

	template_output_init(&o);
	if (v == NULL) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	if (moment_values(f, p, mm->plan, mm->mo, mm->it->starts_at, mm->old_at, name, tz, v,
	    err) < 0)
		goto out;
	if (mm->completed && template_set(v, "completed", "1") < 0) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	struct outmail_msg who = { .program = p, .to_addr = mm->m->address,
	    .member_id = mm->m->id };
	if (outmail_signer(f, &who, &signer) < 0) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	/* the event's own words: moment_invite's subject and text without "changed" (an event
	 * keeps its title), whatever message carries it */
	if (invite_moment_words(f, p, mm->plan, mm->mo, mm->it->starts_at, name, lang, tz,
	    signer.len > 0 ? signer.data : NULL, &o, err) < 0)
		goto out;
	struct itip_event ev = {
		.method = mm->method,
		.uid = mm->it->uid,
		.sequence = mm->it->sequence,
		.dtstamp = f->now,
		.start = mm->it->starts_at,
		.duration_min = INVITE_MOMENT_MINUTES,
		.tz = p->timezone,
		.organizer_addr = invite_organizer(f, p),
		.organizer_name = f->cfg->feedbackd.from_name,
		.attendee_addr = mm->m->address,
		.attendee_name = mm->m->name,
		.summary = o.subject.data,
		.description = o.text.data,
		.no_reply = 1, /* its answer means nothing: the questionnaire comes by mail */
	};
	if (itip_build(&ev, &ics, err) < 0)
		goto out;
	/* No token: nothing is answered to a calendar item (the questionnaire itself, mailed at
	 * the moment, carries one); a calendar program's answer is recognised by its UID. */
	struct outmail_msg msg = {
		.kind = mm->method == ITIP_CANCEL ? "moment_cancel" : "moment_invite",
		.program = p,
		.lang = lang,
		.to_addr = mm->m->address,
		.to_name = mm->m->name,
		.member_id = mm->m->id,
		.values = v,
		.from_addr = invite_organizer(f, p),
		.calendar = ics.data,
		.calendar_method = itip_method_name(mm->method),
		.about_at = mm->it->starts_at,
		.about_uid = mm->it->uid,
		/* a moved or restored event is an update, which the budget never holds (as
		 * invite_update and moment_cancel): only a new event (SEQUENCE 0) is counted */
		.event_update = mm->it->sequence > 0,
		.raw_out = mm->raw_out,
	};
	if (outmail_queue(f, &msg, NULL, err) < 0)
		goto out;
	(*mails)++;
	rc = 0;
out:
	if (rc < 0)
		fb_error_prefix(err, "%s, %s: ", mm->mo->key, mm->m->address);
	template_output_release(&o);
	template_values_free(v);
	buf_release(&signer);
	buf_release(&ics);
	return rc;
}

/* The item of member m for moment key in l, or NULL. */
static struct calendar_item *
item_of(struct calendar_item_list *l, int64_t member_id, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].member_id == member_id && strcmp(l->v[i].moment_key, key) == 0)
			return &l->v[i];
	return NULL;
}

/* wanted()'s answer for an item that is left as it is, whatever it is (see reminder_stands) */
#define AS_IT_IS 2

/*
 * Does a reminder moment still stand for m? A reminder event is for the members who were sent
 * the questionnaire (so it comes with or after the questionnaire, never weeks ahead of it), who
 * have not completed it, and whose measurement is still open at the reminder's time. 1 yes,
 * 0 no (*completed = 1 when because m completed it), AS_IT_IS for a reminder that was already
 * past when the questionnaire was sent or completed (only a pass at a --now before those can
 * see it ahead: it must not send anything for it), -1 error.
 */
static int
reminder_stands(const struct flow *f, const struct program *p, const struct plan_moment *mo,
    const struct member *m, int *completed, struct fb_error *err)
{
	struct calendar_questionnaire q;
	int rc = store_calendar_questionnaire(f->db, p->id, m->id,
	    plan_measurement_name(mo->measurement), &q, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (mo->at <= q.sent_at || (q.completed_at != 0 && mo->at <= q.completed_at))
		return AS_IT_IS;
	if (q.completed_at != 0) {
		*completed = 1;
		return 0;
	}
	return mo->at < q.closes_at;
}

/* Should m have a calendar item for mo? 1 yes, 0 no (*completed = 1 when because m completed
 * the questionnaire a reminder is about), AS_IT_IS, -1 error. */
static int
wanted(const struct flow *f, const struct program *p, const struct plan_moment *mo,
    const struct member *m, int *completed, struct fb_error *err)
{
	char day[11];
	int away, stands;

	*completed = 0;
	if (member_status_from_name(m->status) != MEMBER_ACTIVE || m->address == NULL ||
	    *m->address == '\0')
		return 0;
	if (mo->kind == PLAN_REMINDER &&
	    (stands = reminder_stands(f, p, mo, m, completed, err)) <= 0)
		return stands;
	if (local_text(p->timezone, mo->at, day, NULL, err) < 0)
		return -1;
	if ((away = store_member_is_away(f->db, m->id, day, err)) < 0)
		return -1;
	return !away;
}

/* The start of the local day (in the programme's zone) after the one of t, into *out. */
static int
next_day(const char *tz, time_t t, int days, time_t *out, struct fb_error *err)
{
	struct fb_local l;
	struct fb_date d;

	if (fbtime_to_local(tz, t, &l, err) < 0)
		return -1;
	d = fbtime_date_add_days(&l.date, days);
	return fbtime_local_to_utc(tz, &d, 0, 0, out, err);
}

/*
 * Is it too early (or, for a questionnaire's event, too late) at f->now to send m a new event
 * for mo (invite.h, "When a new event goes")? 1 yes: not now; 0 no; -1 error.
 */
static int
not_yet(const struct flow *f, const struct program *p, const struct plan_moment *mo,
    const struct member *m, struct fb_error *err)
{
	struct calendar_questionnaire q;
	time_t from;
	int rc;

	if (mo->kind == PLAN_QUESTIONNAIRE) {
		/* About a week ahead, and not on the moment's own day: the questionnaire itself
		 * is then the news. */
		if (f->now < mo->at - INVITE_MOMENT_AHEAD)
			return 1;
		if (next_day(p->timezone, mo->at, 0, &from, err) < 0)
			return -1;
		if (f->now >= from)
			return 1;
		return (rc = budget_room(f, p, m, err)) < 0 ? -1 : rc == 0;
	}
	/* A reminder's event: inside the questionnaire's window, not on the day it was sent,
	 * and about a day ahead of the reminder. */
	rc = store_calendar_questionnaire(f->db, p->id, m->id,
	    plan_measurement_name(mo->measurement), &q, err);
	if (rc != 0)
		return rc < 0 ? -1 : 1;
	if (next_day(p->timezone, q.sent_at, 1, &from, err) < 0)
		return -1;
	if (f->now < from)
		return 1;
	if (next_day(p->timezone, mo->at, -1, &from, err) < 0)
		return -1;
	if (f->now < from)
		return 1;
	/* and only where the member's mail budget has room today: the sweep runs at every
	 * pass, so an event that waits goes on a later day (budget.h) */
	return (rc = budget_room(f, p, m, err)) < 0 ? -1 : rc == 0;
}

/* One member and one moment. */
static int
sync_one(const struct flow *f, const struct program *p, const struct plan *plan,
    const struct plan_moment *mo, const struct member *m, struct calendar_item_list *items,
    size_t *mails, struct fb_error *err)
{
	struct calendar_item *it = item_of(items, m->id, mo->key);
	struct moment_msg mm = { plan, mo, m, NULL, 0, ITIP_REQUEST, 0, NULL };
	int want, completed;

	if (m->undeliverable_at != 0 || m->complained_at != 0)
		return 0; /* nothing new to an address that bounces, nothing taken away either */
	if ((want = wanted(f, p, mo, m, &completed, err)) < 0)
		return -1;
	if (want == AS_IT_IS)
		return 0;
	if (it == NULL) {
		char tok[TOKEN_LEN + 1];
		struct buf uid = BUF_INIT;
		struct calendar_item fresh = { 0 };
		int rc = 0;

		if (!want || (rc = not_yet(f, p, mo, m, err)) != 0)
			return rc < 0 ? -1 : 0;
		/* UID: random, so it is unique in every calendar it lands in, and never reused */
		if (outmail_token_new(tok, err) < 0)
			return -1;
		if (buf_addf(&uid, "moment-%s@%s", tok, f->cfg->feedbackd.domain) < 0)
			return fb_error_set(err, "out of memory");
		fresh.program_id = p->id;
		fresh.member_id = m->id;
		snprintf(fresh.moment_key, sizeof(fresh.moment_key), "%s", mo->key);
		fresh.uid = buf_detach(&uid, NULL);
		fresh.starts_at = mo->at;
		snprintf(fresh.status, sizeof(fresh.status), "%s",
		    session_status_name(SESSION_CONFIRMED));
		mm.it = &fresh;
		rc = store_calendar_add(f->db, &fresh, err) < 0 ? -1 :
		    send_moment(f, p, &mm, mails, err);
		store_calendar_release(&fresh);
		return rc;
	}
	mm.it = it;
	if (session_status_from_name(it->status) == SESSION_CONFIRMED) {
		if (want && it->starts_at == mo->at)
			return 0;
		if (want) {
			mm.old_at = it->starts_at;
			it->starts_at = mo->at;
		} else {
			mm.method = ITIP_CANCEL;
			mm.completed = completed;
			snprintf(it->status, sizeof(it->status), "%s",
			    session_status_name(SESSION_CANCELLED));
		}
	} else {
		if (!want)
			return 0;
		it->starts_at = mo->at;
		snprintf(it->status, sizeof(it->status), "%s",
		    session_status_name(SESSION_CONFIRMED));
	}
	it->sequence++;
	if (store_calendar_update(f->db, it, err) < 0)
		return -1;
	return send_moment(f, p, &mm, mails, err);
}

int
invite_moments_sync(const struct flow *f, const struct program *p, const struct plan *plan,
    size_t *mails, struct fb_error *err)
{
	struct member_list ml = { 0 };
	struct calendar_item_list items = { 0 };
	int rc = -1;

	if (store_member_list(f->db, p->id, 0, &ml, err) < 0)
		return -1;
	if (store_calendar_list(f->db, p->id, 0, &items, err) < 0)
		goto out;
	for (size_t i = 0; i < plan->n; i++) {
		const struct plan_moment *mo = &plan->moments[i];

		/* only what is still ahead: an event in the past stays as it was (so completing
		 * a questionnaire cancels the reminders to come, not the ones already shown) */
		if ((mo->kind != PLAN_QUESTIONNAIRE && mo->kind != PLAN_REMINDER) ||
		    mo->at <= f->now)
			continue;
		for (size_t k = 0; k < ml.n; k++)
			if (sync_one(f, p, plan, mo, &ml.v[k], &items, mails, err) < 0)
				goto out;
	}
	rc = 0;
out:
	store_calendar_list_release(&items);
	store_member_list_release(&ml);
	return rc;
}

int
invite_moments_sweep(const struct flow *f, const struct program *p, const struct plan *plan,
    size_t *mails, struct fb_error *err)
{
	size_t n = 0;

	if (f->now < plan->start_at)
		return 0;
	if (db_begin(f->db, err) < 0)
		goto fail;
	if (invite_moments_sync(f, p, plan, &n, err) < 0 || db_commit_if_changed(f->db, err) < 0) {
		db_rollback(f->db);
		goto fail;
	}
	*mails += n;
	return 0;
fail:
	return fb_error_prefix(err, "programme %s, calendar items: ", p->name);
}

/* ---- plans that change (program pause, edit, end) ------------------------------------------ */

/* Member id in ml, or NULL. */
static const struct member *
member_of(const struct member_list *ml, int64_t id)
{
	for (size_t i = 0; i < ml->n; i++)
		if (ml->v[i].id == id)
			return &ml->v[i];
	return NULL;
}

int
invite_moments_moved(const struct flow *f, const struct program *p, const struct plan *plan,
    size_t *items, struct fb_error *err)
{
	struct calendar_item_list l = { 0 };

	if (store_calendar_list(f->db, p->id, 0, &l, err) < 0)
		return -1;
	*items = 0;
	for (size_t i = 0; i < l.n; i++) {
		const struct plan_moment *mo = plan_find(plan, l.v[i].moment_key);

		if (session_status_from_name(l.v[i].status) == SESSION_CONFIRMED && mo != NULL &&
		    mo->at > f->now && mo->at != l.v[i].starts_at)
			(*items)++;
	}
	store_calendar_list_release(&l);
	return 0;
}

int
invite_moments_cancel_from(const struct flow *f, const struct program *p,
    const struct plan *plan, time_t from, size_t *mails, struct fb_error *err)
{
	struct member_list ml = { 0 };
	struct calendar_item_list l = { 0 };
	size_t n = 0;
	int rc = -1;

	if (store_member_list(f->db, p->id, 0, &ml, err) < 0)
		return -1;
	if (store_calendar_list(f->db, p->id, 0, &l, err) < 0)
		goto out;
	for (size_t i = 0; i < l.n; i++) {
		struct calendar_item *it = &l.v[i];
		const struct plan_moment *mo = plan_find(plan, it->moment_key);
		const struct member *m = member_of(&ml, it->member_id);
		struct moment_msg mm = { plan, mo, m, it, 0, ITIP_CANCEL, 0, NULL };

		if (session_status_from_name(it->status) != SESSION_CONFIRMED ||
		    it->starts_at < from || mo == NULL || m == NULL)
			continue;
		n++;
		if (mails == NULL) /* counting only */
			continue;
		snprintf(it->status, sizeof(it->status), "%s",
		    session_status_name(SESSION_CANCELLED));
		it->sequence++;
		if (store_calendar_update(f->db, it, err) < 0 ||
		    send_moment(f, p, &mm, mails, err) < 0)
			goto out;
	}
	rc = mails == NULL ? (int)n : 0;
out:
	store_calendar_list_release(&l);
	store_member_list_release(&ml);
	return rc;
}

int
invite_moment_mail(const struct flow *f, const struct program *p, const struct plan *plan,
    const struct plan_moment *mo, const struct member *m, struct buf *raw_out,
    struct fb_error *err)
{
	struct calendar_item_list items = { 0 };
	struct calendar_item fresh = { 0 }, *it;
	struct moment_msg mm = { plan, mo, m, NULL, 0, ITIP_REQUEST, 0, raw_out };
	char tok[TOKEN_LEN + 1];
	struct buf uid = BUF_INIT;
	size_t mails = 0;
	int rc = -1;

	if (store_calendar_list(f->db, p->id, m->id, &items, err) < 0)
		return -1;
	if ((it = item_of(&items, m->id, mo->key)) == NULL) {
		/* the UID sync_one() makes is random: the copy shows the example token in it */
		outmail_example_token(tok);
		if (buf_addf(&uid, "moment-%s@%s", tok, f->cfg->feedbackd.domain) < 0) {
			fb_error_set(err, "out of memory");
			goto out;
		}
		fresh.uid = uid.data;
		fresh.starts_at = mo->at;
		it = &fresh;
	} else if (it->starts_at != mo->at) {
		/* what sync_one() sends when the plan moved the moment: the update */
		mm.old_at = it->starts_at;
		it->starts_at = mo->at;
		it->sequence++;
	}
	mm.it = it;
	rc = send_moment(f, p, &mm, &mails, err);
out:
	buf_release(&uid);
	store_calendar_list_release(&items);
	return rc;
}
