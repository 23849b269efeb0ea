/*
 * apply_action — a reply to the progress or evaluation report with improvement actions
 * ("Team, kort: ...", actions.h): each action stored for the team (store_action.h) with the
 * report it answered, and one answer to the sender (actions_received) listing what was
 * recorded per quadrant and each line that almost was an action, with the accepted forms.
 *
 * Who may: the facilitator the report went to (the token names them; their team is the
 * team), or the coordinator (the programme's organizer, else [feedbackd] coordinator_address;
 * the team is the report's, or the programme's only team). Mail from anyone else is
 * quarantined, as a reply to the weekly report from a stranger is.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "actions.h"
#include "apply_int.h"
#include "store_action.h"
#include "template.h"
#include "banned.h"

/* The coordinator's address of c's programme, or NULL when there is none. */
static const char *
coordinator(const struct ctx *c)
{
	const char *a = c->program.organizer != NULL && c->program.organizer[0] != '\0' ?
	    c->program.organizer : c->f->cfg->feedbackd.coordinator_address;

	return a != NULL && a[0] != '\0' ? a : NULL;
}

/* The answer's values: the actions per quadrant (lists team_short, team_long, others_short,
 * others_long of items with "text") and the notes. */
static int
answer_values(const struct action_list *l, struct template_values *v)
{
	for (size_t i = 0; i < l->n; i++) {
		const char *key = action_quadrant_key(action_quadrant(l->v[i].who, l->v[i].when));
		struct template_values *it = template_add_item(v, key);

		if (it == NULL || template_set(it, "text", l->v[i].text) < 0)
			return -1;
	}
	for (size_t i = 0; i < l->nnotes; i++) {
		struct template_values *it = template_add_item(v, "notes");

		if (it == NULL || template_setf(it, "line", "%zu", l->notes[i].line) < 0 ||
		    template_set(it, action_note_flag(l->notes[i].kind), "1") < 0 ||
		    template_set(it, "value", l->notes[i].value) < 0)
			return -1;
	}
	return l->n == 0 && template_set(v, "none", "1") < 0 ? -1 : 0;
}

/* The team of a coordinator's reply to the programme's report: its only team (0 and *team
 * set), or 1 with the teams' names in v ("teams"): which one is not ours to guess. */
static int
only_team(struct ctx *c, int64_t *team, struct template_values *v)
{
	struct team_list tl = { 0 };
	int rc = -1;

	if (store_team_list(c->f->db, c->program.id, &tl, c->err) < 0)
		return -1;
	if (tl.n == 1) {
		*team = tl.v[0].id;
		rc = 0;
		goto out;
	}
	rc = 1;
	for (size_t i = 0; i < tl.n; i++) {
		struct template_values *it = template_add_item(v, "teams");

		if (it == NULL || template_set(it, "name", tl.v[i].name) < 0) {
			fb_error_set(c->err, "out of memory");
			rc = -1;
			break;
		}
	}
out:
	store_team_list_release(&tl);
	return rc;
}

static const char *
team_name(struct ctx *c, int64_t team_id, struct team_list *tl)
{
	if (store_team_list(c->f->db, c->program.id, tl, c->err) < 0)
		return NULL;
	for (size_t i = 0; i < tl->n; i++)
		if (tl->v[i].id == team_id)
			return tl->v[i].name;
	return "";
}

int
apply_action_reply(struct ctx *c, const struct outmail_token *t, const char *report)
{
	struct facilitator_list fl = { 0 };
	struct team_list tl = { 0 };
	struct action_list al = ACTION_LIST_INIT;
	struct template_values *v = NULL;
	const struct facilitator *fac = NULL;
	const char *expect, *to_name = NULL, *team = NULL;
	int64_t team_id = t->ref_id;
	int rc = -1, no_team = 0;

	if (t->facilitator_id > 0) {
		if (store_facilitator_list(c->f->db, c->program.id, 0, &fl, c->err) < 0)
			return -1;
		for (size_t i = 0; i < fl.n; i++)
			if (fl.v[i].id == t->facilitator_id)
				fac = &fl.v[i];
		if (fac == NULL) {
			apply_set(c, INBOX_IGNORED, "a reply to the %s report of a facilitator who is "
			    "no longer named", report);
			rc = 0;
			goto out;
		}
		expect = fac->address;
		to_name = fac->name;
		team_id = fac->team_id;
	} else if ((expect = coordinator(c)) == NULL) {
		apply_set(c, INBOX_IGNORED, "a reply to the %s report, but the programme has no "
		    "coordinator any more", report);
		rc = 0;
		goto out;
	}
	if (!(c->flags & APPLY_TRUST_SENDER) && c->f->cfg->security.sender_must_match &&
	    (c->sender == NULL || strcasecmp(expect, c->sender) != 0)) {
		apply_set(c, INBOX_QUARANTINED, "sent from %s, but the %s report it answers went to "
		    "%s: held for the coordinator", c->sender ? c->sender : "nobody", report, expect);
		rc = 0;
		goto out;
	}
	if (actions_parse(c->text.data, c->text.len, &al, c->err) < 0)
		goto out;
	if (al.n == 0 && al.nnotes == 0) {
		apply_set(c, INBOX_IGNORED, "a reply to the %s report without improvement actions "
		    "(\"Team, kort: ...\", \"Others, long: ...\")", report);
		rc = 0;
		goto out;
	}
	if ((v = template_values_new()) == NULL)
		goto oom;
	if (team_id == 0 && (no_team = only_team(c, &team_id, v)) < 0)
		goto out;
	if (!no_team) {
		if ((team = team_name(c, team_id, &tl)) == NULL)
			goto out;
		for (size_t i = 0; i < al.n; i++) {
			struct store_action_new a = {
				.team_id = team_id,
				.by_whom = al.v[i].who == ACTION_TEAM ? "team" : "others",
				.term = al.v[i].when == ACTION_SHORT ? "short" : "long",
				.text = al.v[i].text, .author = c->sender ? c->sender : expect,
				.author_name = to_name, .report = report, .inbox_id = c->inbox_id,
			};

			if (store_action_add(c->f->db, &a, c->f->now, c->err) < 0)
				goto out;
		}
	}
	if ((!no_team && answer_values(&al, v) < 0) ||
	    (no_team && (template_set(v, "no_team", "1") < 0 || template_set(v, "none", "1") < 0)) ||
	    template_set(v, "name", to_name ? to_name : "") < 0 ||
	    template_set(v, "team", team) < 0 || template_set(v, report, "1") < 0)
		goto oom;
	if (apply_may_answer(c) > 0) {
		struct outmail_token rt = *t;
		struct outmail_msg m = {
			.kind = "actions_received", .program = &c->program, .to_addr = expect,
			.to_name = to_name, .token = &rt, .in_reply_to = c->msg->message_id,
			.inbox_id = c->inbox_id, .values = v,
		};

		/* the answer carries the report's token, so more actions may follow by reply */
		if (outmail_queue(c->f, &m, NULL, c->err) < 0)
			goto out;
	}
	if (no_team)
		apply_set(c, INBOX_APPLIED, "%zu improvement action%s of %s not recorded: the "
		    "programme's report has several teams (explained back)", al.n, al.n == 1 ? "" :
		    "s", expect);
	else
		apply_set(c, INBOX_APPLIED, "%zu improvement action%s of %s recorded%s", al.n,
		    al.n == 1 ? "" : "s", expect, al.nnotes ? "; some lines not read (explained "
		    "back)" : "");
	rc = 0;
	goto out;
oom:
	fb_error_set(c->err, "out of memory");
out:
	template_values_free(v);
	action_list_release(&al);
	store_team_list_release(&tl);
	store_facilitator_list_release(&fl);
	return rc;
}
