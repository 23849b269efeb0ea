/*
 * invite — schedule, move and cancel sessions and mail their invitations. See include/invite.h.
 *
 * Order inside the caller's transaction: the session row first (so the UID and SEQUENCE the
 * calendars carry are the stored ones), then the attendee rows, then one outbox row per
 * person. Any failure rolls all of it back with the caller's transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addrswap.h"
#include "fbtime.h"
#include "invite.h"
#include "invite_int.h"
#include "itip.h"
#include "outmail.h"
#include "queue.h"
#include "store_join.h"
#include "store_session.h"
#include "template.h"
#include "token.h"
#include "vocab.h"
#include "banned.h"

/* "2027-01-04", "09:00" of t in the programme's zone. */
static int
local_parts(const char *tz, time_t t, char date[11], char hm[6], struct fb_error *err)
{
	struct fb_local l;

	if (fbtime_to_local(tz, t, &l, err) < 0)
		return -1;
	snprintf(date, 11, "%04d-%02d-%02d", l.date.year, l.date.month, l.date.day);
	snprintf(hm, 6, "%02d:%02d", l.hour, l.min);
	return 0;
}

/* The values every session message may use (the spec's SESSION_NAMES), plus the old time for
 * an update. */
static int
session_values(const struct flow *f, const struct program *p, const struct session *s,
    const struct session *old, const char *name, const char *tz, struct template_values *v,
    struct fb_error *err)
{
	char date[11], start[6], end_date[11], end[6];

	if (local_parts(tz, s->starts_at, date, start, err) < 0 ||
	    local_parts(tz, s->starts_at + (time_t)s->duration_min * 60, end_date, end,
	    err) < 0)
		return -1;
	if (template_set(v, "program", p->name) < 0 || template_set(v, "name", name) < 0 ||
	    template_set(v, s->kind, "1") < 0 || template_set(v, "team", s->team_name) < 0 ||
	    template_set(v, "start", start) < 0 ||
	    template_set(v, "end", end) < 0 || template_set(v, "timezone", tz) < 0 ||
	    template_setf(v, "duration", "%d", s->duration_min) < 0 ||
	    template_set(v, "location", s->location) < 0 ||
	    template_set(v, "online_url", s->online_url) < 0 ||
	    template_set(v, "organizer", invite_organizer(f, p)) < 0)
		return fb_error_set(err, "out of memory");
	if (outmail_set_date(v, "date", tz, s->starts_at, f->now, err) < 0)
		return -1;
	if (old != NULL) {
		if (local_parts(tz, old->starts_at, date, start, err) < 0 ||
		    local_parts(tz, old->starts_at + (time_t)old->duration_min * 60,
		    end_date, end, err) < 0)
			return -1;
		if (old->starts_at != s->starts_at || old->duration_min != s->duration_min) {
			if (outmail_set_date(v, "old_date", tz, old->starts_at, f->now,
			    err) < 0)
				return -1;
			if (template_set(v, "old_start", start) < 0 ||
			    template_set(v, "old_end", end) < 0)
				return fb_error_set(err, "out of memory");
		}
	}
	return 0;
}

int
invite_session_words(const struct flow *f, const struct program *p, const struct session *s,
    const char *name, const char *lang, const char *tz, struct template_output *o,
    struct fb_error *err)
{
	struct template_values *v = template_values_new();
	int rc = -1;

	if (v == NULL)
		return fb_error_set(err, "out of memory");
	if (session_values(f, p, s, NULL, name, tz, v, err) == 0)
		rc = template_render(outmail_templates_for(f->tpl, lang), "invite", v, o, err);
	template_values_free(v);
	return rc;
}

/* The member an invitation goes to (member_id 0: a facilitator, none), for their language and
 * zone: 1 and *out filled (release it), or 0 when there is none or it cannot be read (the
 * programme's then: a look-up never stops an invitation). */
static int
reader_of(const struct flow *f, const struct program *p, int64_t member_id, struct member *out)
{
	struct fb_error e;
	char spec[24];

	if (member_id <= 0)
		return 0;
	snprintf(spec, sizeof(spec), "%lld", (long long)member_id);
	return store_member_find(f->db, p->id, 0, spec, out, &e) == 0;
}

/* One message: kind (invite | invite_update | invite_cancel) with its calendar; queued, or
 * with raw_out only composed into it (outmail.h). */
static int
compose_one(const struct flow *f, const struct program *p, const struct session *s,
    const struct session *old, const char *kind, enum itip_method method, const char *addr,
    const char *name, int64_t member_id, size_t *mails, struct buf *raw_out,
    struct fb_error *err)
{
	struct template_values *v = template_values_new();
	struct template_output o;
	struct buf ics = BUF_INIT;
	struct member reader = { 0 };
	int rc = -1, found = reader_of(f, p, member_id, &reader);
	const char *lang = flow_member_language(p, found ? &reader : NULL);
	const char *tz = flow_member_zone(p, found ? &reader : NULL);

	template_output_init(&o);
	if (v == NULL) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	if (session_values(f, p, s, old, name != NULL && *name != '\0' ? name : addr, tz, v,
	    err) < 0 || invite_sign(f, p, addr, member_id, v, err) < 0)
		goto out;
	/* the event's own words: the invite's subject and text, whatever message carries it,
	 * in the reader's language and with the times of their zone (the event itself keeps
	 * the programme's zone: a calendar shows it in its own) */
	if (template_render(outmail_templates_for(f->tpl, lang), "invite", v, &o, err) < 0)
		goto out;
	struct itip_event ev = {
		.method = method,
		.uid = s->uid,
		.sequence = s->sequence,
		.dtstamp = f->now,
		.start = s->starts_at,
		.duration_min = s->duration_min,
		.tz = p->timezone,
		.organizer_addr = invite_organizer(f, p),
		.organizer_name = f->cfg->feedbackd.from_name,
		.attendee_addr = addr,
		.attendee_name = name,
		.summary = o.subject.data,
		.description = o.text.data,
		.location = s->location,
		.url = s->online_url,
	};
	if (itip_build(&ev, &ics, err) < 0)
		goto out;
	/* A token, so that a reply typed as mail ("I can't come because ...") is recognised as
	 * being about this session instead of read as new mail; calendar answers go to the
	 * ORGANIZER and are matched on UID and ATTENDEE, not on the token. */
	struct outmail_token tok = { PURPOSE_SESSION, member_id, 0, s->id };
	struct outmail_msg m = {
		.kind = kind,
		.program = p,
		.lang = lang,
		.to_addr = addr,
		.to_name = name,
		.member_id = member_id,
		.token = &tok,
		.values = v,
		.from_addr = invite_organizer(f, p),
		.calendar = ics.data,
		.calendar_method = itip_method_name(method),
		.about_at = s->starts_at,
		.about_uid = s->uid,
		.raw_out = raw_out,
	};
	if (outmail_queue(f, &m, NULL, err) < 0)
		goto out;
	(*mails)++;
	rc = 0;
out:
	if (rc < 0)
		fb_error_prefix(err, "session %lld, %s: ", (long long)s->id, addr);
	if (found)
		store_member_release(&reader);
	template_output_release(&o);
	template_values_free(v);
	buf_release(&ics);
	return rc;
}

static int
send_one(const struct flow *f, const struct program *p, const struct session *s,
    const struct session *old, const char *kind, enum itip_method method, const char *addr,
    const char *name, int64_t member_id, size_t *mails, struct fb_error *err)
{
	return compose_one(f, p, s, old, kind, method, addr, name, member_id, mails, NULL, err);
}

/* ---- who is invited ---------------------------------------------------------------------------- */

struct people {
	struct member_list members;
	struct facilitator_list facilitators;
};

static int
people_of(const struct flow *f, const struct program *p, const struct session *s,
    struct people *out, struct fb_error *err)
{
	memset(out, 0, sizeof(*out));
	if (store_member_list(f->db, s->team_id > 0 ? 0 : p->id, s->team_id, &out->members,
	    err) < 0)
		return -1;
	if (store_facilitator_list(f->db, s->team_id > 0 ? 0 : p->id, s->team_id,
	    &out->facilitators, err) < 0) {
		store_member_list_release(&out->members);
		return -1;
	}
	return 0;
}

static void
people_release(struct people *pp)
{
	store_member_list_release(&pp->members);
	store_facilitator_list_release(&pp->facilitators);
}

static int
member_counts(const struct member *m)
{
	return member_status_from_name(m->status) == MEMBER_ACTIVE && m->address != NULL &&
	    *m->address != '\0';
}

/* 1 when addr is one of the people to invite. */
static int
is_invited(const struct people *pp, const char *addr)
{
	for (size_t i = 0; i < pp->members.n; i++)
		if (member_counts(&pp->members.v[i]) &&
		    strcasecmp(pp->members.v[i].address, addr) == 0)
			return 1;
	for (size_t i = 0; i < pp->facilitators.n; i++)
		if (strcasecmp(pp->facilitators.v[i].address, addr) == 0)
			return 1;
	return 0;
}

/* 1 when facilitator i's address was met before: as a member's (someone who is both is
 * invited once, as the member) or as another team's facilitator's. */
static int
seen_before(const struct people *pp, size_t i)
{
	const char *addr = pp->facilitators.v[i].address;

	for (size_t j = 0; j < pp->members.n; j++)
		if (member_counts(&pp->members.v[j]) &&
		    strcasecmp(pp->members.v[j].address, addr) == 0)
			return 1;
	for (size_t j = 0; j < i; j++)
		if (strcasecmp(pp->facilitators.v[j].address, addr) == 0)
			return 1;
	return 0;
}

/* The attendee row of addr, or NULL. */
static const struct session_attendee *
row_of(const struct session_attendee_list *al, const char *addr)
{
	for (size_t i = 0; i < al->n; i++)
		if (strcasecmp(al->v[i].address, addr) == 0)
			return &al->v[i];
	return NULL;
}

/* Invite (or send everyone, with all_kind) one person. */
static int
bring_in(const struct flow *f, const struct program *p, const struct session *s,
    const struct session *old, const struct session_attendee_list *al, const char *all_kind,
    int64_t member_id, int64_t facilitator_id, const char *addr, const char *name,
    size_t *mails, struct fb_error *err)
{
	const struct session_attendee *a = row_of(al, addr);

	if (a == NULL || a->removed) {
		if (store_attendee_invite(f->db, s->id, member_id, facilitator_id, addr, err) < 0)
			return -1;
		return send_one(f, p, s, NULL, "invite", ITIP_REQUEST, addr, name, member_id,
		    mails, err);
	}
	if (all_kind == NULL)
		return 0;
	return send_one(f, p, s, old, all_kind, ITIP_REQUEST, addr, name, member_id, mails, err);
}

/*
 * Bring the attendees of s in line with its team: new people get the invite, people gone get
 * a CANCEL (and are marked removed), and with all_kind everyone else gets that message.
 */
static int
sync_attendees(const struct flow *f, const struct program *p, const struct session *s,
    const struct session *old, const char *all_kind, size_t *mails, struct fb_error *err)
{
	struct people pp;
	struct session_attendee_list al = { 0 };
	int rc = -1;

	if (people_of(f, p, s, &pp, err) < 0)
		return -1;
	if (store_attendee_list(f->db, s->id, &al, err) < 0)
		goto out;
	for (size_t i = 0; i < pp.members.n; i++) {
		const struct member *m = &pp.members.v[i];

		if (member_counts(m) && bring_in(f, p, s, old, &al, all_kind, m->id, 0, m->address,
		    m->name, mails, err) < 0)
			goto out;
	}
	for (size_t i = 0; i < pp.facilitators.n; i++) {
		const struct facilitator *fa = &pp.facilitators.v[i];

		if (seen_before(&pp, i))
			continue;
		if (bring_in(f, p, s, old, &al, all_kind, 0, fa->id, fa->address, fa->name, mails,
		    err) < 0)
			goto out;
	}
	for (size_t i = 0; i < al.n; i++) {
		const struct session_attendee *a = &al.v[i];

		if (a->removed || is_invited(&pp, a->address))
			continue;
		if (store_attendee_remove(f->db, a->id, err) < 0 ||
		    send_one(f, p, s, NULL, "invite_cancel", ITIP_CANCEL, a->address, a->name,
		    a->member_id, mails, err) < 0)
			goto out;
	}
	rc = 0;
out:
	store_attendee_list_release(&al);
	people_release(&pp);
	return rc;
}

/* ---- the operations -------------------------------------------------------------------------- */

static int
check_texts(const char *location, const char *url, struct fb_error *err)
{
	if (location != NULL && strlen(location) > INVITE_MAX_TEXT)
		return fb_error_set(err, "the location is longer than %d bytes", INVITE_MAX_TEXT);
	if (url != NULL && strlen(url) > INVITE_MAX_TEXT)
		return fb_error_set(err, "the online URL is longer than %d bytes", INVITE_MAX_TEXT);
	return 0;
}

/* The session of programme p, with its team name and counts. */
static int
session_of(const struct flow *f, const struct program *p, int64_t id, struct session *s,
    struct fb_error *err)
{
	if (store_session_get(f->db, id, s, err) < 0)
		return -1;
	if (s->program_id != p->id) {
		store_session_release(s);
		return fb_error_set(err, "session %lld belongs to another programme",
		    (long long)id);
	}
	return 0;
}

int
invite_schedule(const struct flow *f, const struct program *p, struct session *s,
    size_t *mails, struct fb_error *err)
{
	char tok[TOKEN_LEN + 1];
	struct buf uid = BUF_INIT;
	struct session stored;
	int rc;

	if (check_texts(s->location, s->online_url, err) < 0)
		return -1;
	if (s->duration_min <= 0 || s->duration_min > 24 * 60)
		return fb_error_set(err, "a duration of %d minutes: give 1 minute to 24 hours",
		    s->duration_min);
	/* UID: random, so it is unique in every calendar it lands in, and never reused */
	if (outmail_token_new(tok, err) < 0)
		return -1;
	if (buf_addf(&uid, "session-%s@%s", tok, f->cfg->feedbackd.domain) < 0)
		return fb_error_set(err, "out of memory");
	free(s->uid);
	s->uid = buf_detach(&uid, NULL);
	s->program_id = p->id;
	s->sequence = 0;
	snprintf(s->status, sizeof(s->status), "%s", session_status_name(SESSION_CONFIRMED));
	if (store_session_add(f->db, s, f->now, err) < 0)
		return -1;
	if (session_of(f, p, s->id, &stored, err) < 0)
		return -1;
	rc = sync_attendees(f, p, &stored, NULL, NULL, mails, err);
	store_session_release(&stored);
	return rc;
}

int
invite_move(const struct flow *f, const struct program *p, int64_t id,
    const struct invite_change *ch, size_t *mails, struct fb_error *err)
{
	struct session old, s;
	int rc = -1;

	if (check_texts(ch->location, ch->online_url, err) < 0)
		return -1;
	if (ch->duration_min < 0 || ch->duration_min > 24 * 60)
		return fb_error_set(err, "a duration of %d minutes: give 1 minute to 24 hours",
		    ch->duration_min);
	if (session_of(f, p, id, &old, err) < 0)
		return -1;
	if (session_of(f, p, id, &s, err) < 0) {
		store_session_release(&old);
		return -1;
	}
	if (session_status_from_name(s.status) == SESSION_CANCELLED) {
		fb_error_set(err, "session %lld is cancelled: schedule a new one", (long long)id);
		goto out;
	}
	if (ch->starts_at != 0)
		s.starts_at = ch->starts_at;
	if (ch->duration_min > 0)
		s.duration_min = ch->duration_min;
	if (ch->location != NULL) {
		free(s.location);
		s.location = *ch->location ? strdup(ch->location) : NULL;
	}
	if (ch->online_url != NULL) {
		free(s.online_url);
		s.online_url = *ch->online_url ? strdup(ch->online_url) : NULL;
	}
	s.sequence++;
	if (store_session_update(f->db, &s, f->now, err) < 0 ||
	    store_attendee_reset(f->db, s.id, err) < 0 ||
	    sync_attendees(f, p, &s, &old, "invite_update", mails, err) < 0)
		goto out;
	rc = 0;
out:
	store_session_release(&old);
	store_session_release(&s);
	return rc;
}

int
invite_cancel(const struct flow *f, const struct program *p, int64_t id, size_t *mails,
    struct fb_error *err)
{
	struct session s;
	struct session_attendee_list al = { 0 };
	int rc = -1;

	if (session_of(f, p, id, &s, err) < 0)
		return -1;
	if (session_status_from_name(s.status) == SESSION_CANCELLED) {
		fb_error_set(err, "session %lld is already cancelled", (long long)id);
		goto out;
	}
	snprintf(s.status, sizeof(s.status), "%s", session_status_name(SESSION_CANCELLED));
	s.sequence++;
	if (store_session_update(f->db, &s, f->now, err) < 0 ||
	    store_attendee_list(f->db, s.id, &al, err) < 0)
		goto out;
	for (size_t i = 0; i < al.n; i++)
		if (!al.v[i].removed && send_one(f, p, &s, NULL, "invite_cancel", ITIP_CANCEL,
		    al.v[i].address, al.v[i].name, al.v[i].member_id, mails, err) < 0)
			goto out;
	rc = 0;
out:
	store_attendee_list_release(&al);
	store_session_release(&s);
	return rc;
}

int
invite_sync(const struct flow *f, const struct program *p, int64_t id, size_t *mails,
    struct fb_error *err)
{
	struct session s;
	struct people pp;
	struct session_attendee_list al = { 0 };
	int rc = -1, gone = 0;

	if (session_of(f, p, id, &s, err) < 0)
		return -1;
	if (session_status_from_name(s.status) == SESSION_CANCELLED) {
		store_session_release(&s);
		return fb_error_set(err, "session %lld is cancelled", (long long)id);
	}
	if (people_of(f, p, &s, &pp, err) < 0) {
		store_session_release(&s);
		return -1;
	}
	if (store_attendee_list(f->db, s.id, &al, err) < 0)
		goto out;
	for (size_t i = 0; i < al.n; i++)
		gone += !al.v[i].removed && !is_invited(&pp, al.v[i].address);
	/* taking someone off is a change of the event: their CANCEL needs a higher SEQUENCE */
	if (gone > 0) {
		s.sequence++;
		if (store_session_update(f->db, &s, f->now, err) < 0)
			goto out;
	}
	rc = sync_attendees(f, p, &s, NULL, NULL, mails, err);
out:
	store_attendee_list_release(&al);
	people_release(&pp);
	store_session_release(&s);
	return rc;
}

/* ---- the organizer at send time ------------------------------------------------------------- */

/* Row r of programme p: its From made the organizer p has now, when it is not. 1 changed,
 * 0 left as it is, -1 on a database error. */
static int
refresh_row(const struct flow *f, const struct program *p, int64_t id, struct fb_error *err)
{
	const char *org = invite_organizer(f, p);
	struct outbox_row r;
	struct buf from = BUF_INIT, raw = BUF_INIT;
	struct fb_error why;
	int rc = 0;

	if (queue_outbox_get(f->db, id, &r, err) < 0)
		return -1;
	if (addrswap_from(r.raw.data, r.raw.len, &from, &why) == 0 &&
	    strcasecmp(from.data, org) != 0) {
		/* A message of another shape stays as it is: it goes as it was queued. */
		if (addrswap_message(r.raw.data, r.raw.len, from.data, org, &raw, &why) == 0)
			rc = queue_outbox_set_raw(f->db, id, raw.data, raw.len, err);
	}
	queue_outbox_release(&r);
	buf_release(&from);
	buf_release(&raw);
	return rc;
}

int
invite_refresh_organizer(const struct flow *f, size_t *changed, struct fb_error *err)
{
	static const char *const kinds[] = {
		"invite", "invite_update", "invite_cancel", "moment_invite", "moment_cancel",
	};
	int rc = 0;

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]) && rc == 0; k++) {
		struct outbox_ref *v = NULL;
		struct program p = { 0 };
		int64_t have = 0;
		size_t n = 0;

		if (queue_outbox_waiting_of_kind(f->db, kinds[k], &v, &n, err) < 0)
			return -1;
		for (size_t i = 0; i < n && rc == 0; i++) {
			char spec[24];
			int r;

			if (v[i].program_id != have) {
				store_program_release(&p);
				have = 0;
				snprintf(spec, sizeof(spec), "%lld", (long long)v[i].program_id);
				if (store_program_get(f->db, spec, &p, err) < 0) {
					rc = -1;
					break;
				}
				have = v[i].program_id;
			}
			if (db_begin(f->db, err) < 0) {
				rc = -1;
				break;
			}
			if ((r = refresh_row(f, &p, v[i].id, err)) < 0 || db_commit(f->db, err) < 0) {
				db_rollback(f->db);
				rc = -1;
				break;
			}
			*changed += (size_t)r;
		}
		if (have != 0)
			store_program_release(&p);
		free(v);
	}
	return rc;
}

int
invite_session_mail(const struct flow *f, const struct program *p, int64_t id, const char *addr,
    const char *name, int64_t member_id, struct buf *raw_out, struct fb_error *err)
{
	struct session s;
	size_t mails = 0;
	int cancelled, rc;

	if (session_of(f, p, id, &s, err) < 0)
		return -1;
	cancelled = session_status_from_name(s.status) == SESSION_CANCELLED;
	rc = compose_one(f, p, &s, NULL, cancelled ? "invite_cancel" : "invite",
	    cancelled ? ITIP_CANCEL : ITIP_REQUEST, addr, name, member_id, &mails, raw_out, err);
	store_session_release(&s);
	return rc;
}

int
invite_sync_upcoming(const struct flow *f, const struct program *p, size_t *mails,
    struct fb_error *err)
{
	struct session_list sl = { 0 };
	int rc = 0;

	/* an erased member is no attendee to cancel for (their row's address is a placeholder) */
	if (store_join_forget_erased(f->db, p->id, err) < 0 ||
	    store_session_list(f->db, p->id, &sl, err) < 0)
		return -1;
	for (size_t i = 0; i < sl.n && rc == 0; i++) {
		const struct session *s = &sl.v[i];

		/* a session under way or over keeps the attendees it had */
		if (session_status_from_name(s->status) != SESSION_CONFIRMED ||
		    s->starts_at <= f->now)
			continue;
		rc = invite_sync(f, p, s->id, mails, err);
	}
	store_session_list_release(&sl);
	return rc;
}
