/*
 * invite_export — a programme (or one member's part of it) as one published calendar, for
 * `feedbackctl calendar export`. See invite_export() in include/invite.h.
 *
 * Read-only: nothing is stored or sent. Every event is made as an itip_event and written by
 * itip_build_publish() (libical), never as text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invite.h"
#include "invite_int.h"
#include "itip.h"
#include "store_calendar.h"
#include "store_session.h"
#include "template.h"
#include "vocab.h"
#include "banned.h"

/* The events being gathered, with the strings they point to. */
struct export {
	struct itip_event *ev;
	struct template_output *words;
	char **uids;
	size_t n, cap;
};

static int
export_grow(struct export *x)
{
	size_t cap = x->cap ? x->cap * 2 : 16;
	void *a, *b, *c;

	if (x->n < x->cap)
		return 0;
	if (cap > ITIP_MAX_EVENTS)
		return -1;
	a = realloc(x->ev, cap * sizeof(*x->ev));
	if (a != NULL)
		x->ev = a;
	b = realloc(x->words, cap * sizeof(*x->words));
	if (b != NULL)
		x->words = b;
	c = realloc(x->uids, cap * sizeof(*x->uids));
	if (c != NULL)
		x->uids = c;
	if (a == NULL || b == NULL || c == NULL)
		return -1;
	x->cap = cap;
	return 0;
}

static void
export_release(struct export *x)
{
	for (size_t i = 0; i < x->n; i++) {
		template_output_release(&x->words[i]);
		free(x->uids[i]);
	}
	free(x->ev);
	free(x->words);
	free(x->uids);
	memset(x, 0, sizeof(*x));
}

/* A new event slot: its words initialised, the rest zero. */
static struct itip_event *
export_add(struct export *x, struct template_output **words, struct fb_error *err)
{
	if (export_grow(x) < 0) {
		fb_error_set(err, "out of memory, or more than %d events", ITIP_MAX_EVENTS);
		return NULL;
	}
	memset(&x->ev[x->n], 0, sizeof(x->ev[x->n]));
	template_output_init(&x->words[x->n]);
	x->uids[x->n] = NULL;
	*words = &x->words[x->n];
	return &x->ev[x->n++];
}

static void
fill_common(const struct flow *f, const struct program *p, struct itip_event *ev,
    const struct template_output *w, int with_description)
{
	ev->method = ITIP_PUBLISH;
	ev->dtstamp = f->now;
	ev->tz = p->timezone;
	ev->organizer_addr = invite_organizer(f, p);
	ev->organizer_name = f->cfg->feedbackd.from_name;
	ev->summary = w->subject.data;
	ev->description = with_description ? w->text.data : NULL;
}

/* The confirmed sessions (for member m: those m is a live attendee of). */
static int
add_sessions(const struct flow *f, const struct program *p, const struct member *m,
    struct session_list *sl, struct export *x, struct fb_error *err)
{
	const char *lang = flow_member_language(p, m), *tz = flow_member_zone(p, m);

	if (store_session_list(f->db, p->id, sl, err) < 0)
		return -1;
	for (size_t i = 0; i < sl->n; i++) {
		const struct session *s = &sl->v[i];
		struct template_output *w;
		struct itip_event *ev;

		if (session_status_from_name(s->status) != SESSION_CONFIRMED)
			continue;
		if (m != NULL) {
			struct session_attendee a;
			int rc = store_attendee_find(f->db, s->id, m->address, &a, err);

			if (rc < 0)
				return -1;
			if (rc == 1)
				continue;
			rc = a.removed;
			store_attendee_release(&a);
			if (rc)
				continue;
		}
		if ((ev = export_add(x, &w, err)) == NULL ||
		    invite_session_words(f, p, s, m != NULL ? m->name : NULL, lang, tz, w,
		    err) < 0)
			return -1;
		fill_common(f, p, ev, w, m != NULL);
		ev->uid = s->uid;
		ev->sequence = s->sequence;
		ev->start = s->starts_at;
		ev->duration_min = s->duration_min;
		ev->location = s->location;
		ev->url = s->online_url;
	}
	return 0;
}

static const struct plan_moment *
moment_of(const struct plan *plan, const char *key)
{
	for (size_t i = 0; i < plan->n; i++)
		if (strcmp(plan->moments[i].key, key) == 0)
			return &plan->moments[i];
	return NULL;
}

/* The questionnaire moments: the plan's (whole programme) or member m's calendar items. */
static int
add_moments(const struct flow *f, const struct program *p, const struct plan *plan,
    const struct member *m, struct calendar_item_list *items, struct export *x,
    struct fb_error *err)
{
	if (m == NULL) {
		for (size_t i = 0; i < plan->n; i++) {
			const struct plan_moment *mo = &plan->moments[i];
			struct template_output *w;
			struct itip_event *ev;
			struct buf uid = BUF_INIT;
			char key[sizeof(mo->key)];

			if (mo->kind != PLAN_QUESTIONNAIRE)
				continue;
			if ((ev = export_add(x, &w, err)) == NULL ||
			    invite_moment_words(f, p, plan, mo, mo->at, NULL, p->language,
			    p->timezone, NULL, w, err) < 0)
				return -1;
			/* a UID has no ':' in its local part by our choice: "questionnaire-baseline" */
			snprintf(key, sizeof(key), "%s", mo->key);
			for (char *c = key; *c; c++)
				if (*c == ':')
					*c = '-';
			if (buf_addf(&uid, "program-%lld-%s@%s", (long long)p->id, key,
			    f->cfg->feedbackd.domain) < 0)
				return fb_error_set(err, "out of memory");
			x->uids[x->n - 1] = buf_detach(&uid, NULL);
			fill_common(f, p, ev, w, 0);
			ev->uid = x->uids[x->n - 1];
			ev->start = mo->at;
			ev->duration_min = INVITE_MOMENT_MINUTES;
		}
		return 0;
	}
	if (store_calendar_list(f->db, p->id, m->id, items, err) < 0)
		return -1;
	for (size_t i = 0; i < items->n; i++) {
		const struct calendar_item *it = &items->v[i];
		const struct plan_moment *mo = moment_of(plan, it->moment_key);
		const char *lang = flow_member_language(p, m), *tz = flow_member_zone(p, m);
		struct template_output *w;
		struct itip_event *ev;

		if (mo == NULL || session_status_from_name(it->status) != SESSION_CONFIRMED)
			continue;
		if ((ev = export_add(x, &w, err)) == NULL ||
		    invite_moment_words(f, p, plan, mo, it->starts_at, m->name, lang, tz,
		    NULL, w, err) < 0)
			return -1;
		fill_common(f, p, ev, w, 1);
		ev->uid = it->uid;
		ev->sequence = it->sequence;
		ev->start = it->starts_at;
		ev->duration_min = INVITE_MOMENT_MINUTES;
	}
	return 0;
}

int
invite_export(const struct flow *f, const struct program *p, int64_t member_id,
    struct buf *out, size_t *nevents, struct fb_error *err)
{
	struct plan plan = PLAN_INIT;
	struct member m = { 0 };
	struct session_list sl = { 0 };
	struct calendar_item_list items = { 0 };
	struct export x = { 0 };
	int rc = -1, have_m = 0;

	*nevents = 0;
	if (member_id > 0) {
		char spec[24];

		snprintf(spec, sizeof(spec), "%lld", (long long)member_id);
		if (store_member_find(f->db, p->id, 0, spec, &m, err) < 0)
			return -1;
		have_m = 1;
	}
	if (flow_plan(f, p, &plan, err) < 0 ||
	    add_sessions(f, p, have_m ? &m : NULL, &sl, &x, err) < 0 ||
	    add_moments(f, p, &plan, have_m ? &m : NULL, &items, &x, err) < 0)
		goto out;
	if (x.n == 0) {
		fb_error_set(err, "nothing to export: no sessions or moments%s", have_m ?
		    " for this member yet" : "");
		goto out;
	}
	if (itip_build_publish(x.ev, x.n, p->timezone, out, err) < 0)
		goto out;
	*nevents = x.n;
	rc = 0;
out:
	export_release(&x);
	store_calendar_list_release(&items);
	store_session_list_release(&sl);
	if (have_m)
		store_member_release(&m);
	plan_release(&plan);
	return rc;
}
