/*
 * ctl_report_actions — feedbackctl report actions: the improvement actions that facilitators
 * and the coordinator sent in reply to the progress and evaluation reports (apply_action.c),
 * per team and per quadrant of the decision quadrant (actions.h), as text or --json.
 */
#include <stdio.h>
#include <string.h>

#include "actions.h"
#include "ctl.h"
#include "store.h"
#include "store_action.h"
#include "banned.h"

/* The quadrants' headings in the listing, in action_quadrant() order. */
static const char *const headings[ACTION_QUADRANTS] = {
	"the team itself, short term", "the team itself, long term", "others, short term",
	"others, long term",
};

/* The programme and team of spec: a programme's name (team 0), a team ("TEAM" or
 * "PROGRAM/TEAM"), or NULL for the only programme. CTL_OK or CTL_FAIL after saying why. */
static int
actions_target(struct ctl *c, const char *spec, struct program *p, int64_t *team_id)
{
	struct fb_error err, terr;
	struct team t;
	char id[32];

	*team_id = 0;
	if (spec == NULL)
		return ctl_pick_program(c, NULL, p);
	if (ctl_db(c) == NULL)
		return CTL_FAIL;
	if (store_program_get(c->db, spec, p, &err) == 0)
		return CTL_OK;
	if (store_team_get(c->db, spec, &t, &terr) < 0)
		return ctl_error("\"%s\" is neither a programme nor a team: %s", spec, terr.msg);
	snprintf(id, sizeof(id), "%lld", (long long)t.program_id);
	*team_id = t.id;
	store_team_release(&t);
	if (store_program_get(c->db, id, p, &err) < 0)
		return ctl_error("%s", err.msg);
	return CTL_OK;
}

static int
print_json(const struct store_action_list *l)
{
	json_t *arr = json_array();

	if (arr == NULL)
		return ctl_error("out of memory");
	for (size_t i = 0; i < l->n; i++) {
		const struct store_action *a = &l->v[i];
		char at[32];

		ctl_format_time((time_t)a->created_at, at, sizeof(at));
		json_array_append_new(arr, json_pack("{s:I, s:o, s:s, s:o, s:o, s:o?, s:s, s:s}",
		    "id", (json_int_t)a->id, "team", ctl_json_text(a->team),
		    "quadrant", a->quadrant, "text", ctl_json_text(a->text),
		    "author", ctl_json_text(a->author),
		    "author_name", a->author_name ? ctl_json_text(a->author_name) : NULL,
		    "report", a->report, "created_at", at));
	}
	return ctl_print_json(arr);
}

static void
print_text(const struct program *p, const struct store_action_list *l)
{
	int64_t team = 0;
	int quadrant = -1;

	printf("programme %s: %zu improvement action%s\n", p->name, l->n, l->n == 1 ? "" : "s");
	if (l->n == 0)
		printf("\nNone yet: a facilitator or the coordinator replies to the progress or\n"
		    "evaluation report with lines such as \"Team, kort: ...\" or \"Others, long: ...\".\n");
	for (size_t i = 0; i < l->n; i++) {
		const struct store_action *a = &l->v[i];
		int q = action_quadrant_from_key(a->quadrant);
		char at[32];

		if (a->team_id != team) {
			printf("\n%s\n", a->team);
			team = a->team_id;
			quadrant = -1;
		}
		if (q != quadrant) {
			printf("  %s:\n", q >= 0 ? headings[q] : a->quadrant);
			quadrant = q;
		}
		ctl_format_time((time_t)a->created_at, at, sizeof(at));
		printf("    - %s\n      (%s report; %s%s%s%s, %s)\n", a->text, a->report,
		    a->author_name ? a->author_name : "", a->author_name ? " <" : "", a->author,
		    a->author_name ? ">" : "", at);
	}
}

int
ctl_report_actions(struct ctl *c, const char *usage, int argc, char **argv)
{
	struct program p = { 0 };
	struct store_action_list l = { 0 };
	struct fb_error err;
	int64_t team_id;
	int rc = CTL_FAIL;

	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			return ctl_usage_error(usage, "report actions", "unknown option %s (--json "
			    "is the only one, before or after the command)", argv[i]);
	if (ctl_operands(usage, "report actions", argc, argv, 1, 0, 1, "PROGRAM|TEAM") != CTL_OK)
		return CTL_USAGE;
	if (actions_target(c, argc == 2 ? argv[1] : NULL, &p, &team_id) != CTL_OK)
		return CTL_FAIL;
	if (store_action_list(c->db, p.id, team_id, &l, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	if (c->json)
		rc = print_json(&l);
	else {
		print_text(&p, &l);
		rc = CTL_OK;
	}
out:
	store_action_list_release(&l);
	store_program_release(&p);
	return rc;
}
