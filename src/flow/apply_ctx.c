/*
 * apply_ctx — what apply.c and its handler files (apply_*.c) share: setting the outcome, a
 * member by id, the language to answer in, the flood cap, a team as match candidates.
 *
 * The calls run one way: apply.c → apply_*.c → apply_ctx.c. Nothing here calls a handler or
 * apply.c, so a handler file can be read (and changed) knowing only this file and the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply_int.h"
#include "banned.h"

void
apply_set(struct ctx *c, enum inbox_state state, const char *fmt, ...)
{
	va_list ap;

	c->out.state = state;
	buf_reset(&c->out.reason);
	va_start(ap, fmt);
	buf_vputf(&c->out.reason, fmt, ap);
	va_end(ap);
}

/* ---- members ------------------------------------------------------------------------------- */

int
apply_member_get(struct ctx *c, int64_t id, struct member *out)
{
	char spec[24];

	snprintf(spec, sizeof(spec), "%lld", (long long)id);
	return store_member_find(c->f->db, c->program.id, 0, spec, out, c->err);
}

const char *
apply_lang(const struct ctx *c, const struct member *m)
{
	return flow_member_language(&c->program, m);
}

/* The flood cap: may we answer the sender once more this hour? Notes it when not. */
int
apply_may_answer(struct ctx *c)
{
	int cap = c->f->cfg->security.answers_per_sender_per_hour;
	int n = store_answers_since(c->f->db, c->sender, c->f->now - 3600, c->err);

	if (n < 0)
		return -1;
	if (n >= cap) {
		c->flood = 1;
		return 0;
	}
	return 1;
}

/* ---- a team as match candidates ------------------------------------------------------------ */

void
apply_team_release(struct apply_team *t)
{
	store_member_list_release(&t->members);
	free(t->cand);
	free(t->who);
	free(t->gone_cand);
	free(t->gone);
}

int
apply_team_load(struct ctx *c, int64_t team_id, struct apply_team *t)
{
	memset(t, 0, sizeof(*t));
	if (store_member_list(c->f->db, 0, team_id, &t->members, c->err) < 0)
		return -1;
	t->cand = calloc(t->members.n + 1, sizeof(*t->cand));
	t->who = calloc(t->members.n + 1, sizeof(*t->who));
	t->gone_cand = calloc(t->members.n + 1, sizeof(*t->gone_cand));
	t->gone = calloc(t->members.n + 1, sizeof(*t->gone));
	if (t->cand == NULL || t->who == NULL || t->gone_cand == NULL || t->gone == NULL) {
		apply_team_release(t);
		return fb_error_set(c->err, "out of memory");
	}
	for (size_t i = 0; i < t->members.n; i++) {
		const struct member *m = &t->members.v[i];

		if (member_status_from_name(m->status) == MEMBER_LEFT) {
			t->gone_cand[t->ngone].name = m->name;
			t->gone_cand[t->ngone].address = m->address;
			t->gone[t->ngone++] = m;
		}
		if (member_status_from_name(m->status) != MEMBER_ACTIVE)
			continue;
		t->cand[t->n].name = m->name;
		t->cand[t->n].address = m->address;
		t->who[t->n++] = m;
	}
	return 0;
}
