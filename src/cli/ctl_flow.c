/*
 * ctl_flow — the coordinator's view of the feedback flow: `status` (the counts a facilitator
 * sees). The inbox and the quarantine are ctl_inbox.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "buf.h"
#include "ctl.h"
#include "fbtime.h"
#include "flow.h"
#include "outmail.h"
#include "queue.h"
#include "store_feedback.h"
#include "table.h"
#include "trim.h"
#include "banned.h"

static const char status_usage[] =
	"usage: feedbackctl status TEAM [--week N] [--json]\n"
	"\n"
	"Per member of TEAM (a team name, or PROGRAM/TEAM) the feedback given, received and\n"
	"requested in week N (default: the current week of --now) and in weeks 1..N.\n"
	"Follow-up answers to a request already answered are not counted. STATE says who is away\n"
	"today, unreachable, left the programme, or lagging in week N (the weekly report's rule).\n"
	"Mail to a member that the daily cap holds is listed after the table, with when it goes\n"
	"(JSON: \"held\").\n";

/* ---- status -------------------------------------------------------------------------------- */

static int print_status_rows(struct ctl *c, const struct program *p, const struct team *t,
    int week, const struct status_list *l, const struct member_list *ml,
    const struct ctl_member_state *st, const char *const *head);

static json_t *
counts_json(const struct feedback_counts *n)
{
	return json_pack("{s:i, s:i, s:i}", "given", n->given, "received", n->received,
	    "requested", n->requested);
}

/*
 * Mail to the team's members that the daily cap holds, and when it goes: into a (JSON) or as
 * lines after the table. A member's words wait there, not in a void.
 */
static int
held_status(struct ctl *c, const struct program *p, const struct status_list *l, json_t *a)
{
	struct fb_error err;
	int shown = 0;

	for (size_t i = 0; i < l->n; i++) {
		time_t first = 0;
		int n = queue_outbox_held_count(c->db, l->v[i].member_id, &first, &err);
		struct buf when = BUF_INIT;

		if (n < 0)
			return ctl_error("%s", err.msg);
		if (n == 0)
			continue;
		if (a != NULL) {
			json_array_append_new(a, json_pack("{s:s, s:s, s:i, s:I}", "name",
			    l->v[i].name, "address", l->v[i].address, "count", n, "goes_at",
			    (json_int_t)first));
			continue;
		}
		if (shown++ == 0)
			printf("\nheld by the daily cap (per_recipient_daily_cap), released by the "
			    "daemon when the 24 hours allow:\n");
		fbtime_format_local(p->timezone, first, &when);
		printf("  %s: %d message%s, the first goes at %s\n", l->v[i].name, n,
		    n == 1 ? "" : "s", when.data ? when.data : "?");
		buf_release(&when);
	}
	return CTL_OK;
}

/* The state of status row r's member (member list's words): away, unreachable, left,
 * lagging; all 0 when the member is not in ml. */
static struct ctl_member_state
state_of(const struct status_row *r, const struct member_list *ml,
    const struct ctl_member_state *st)
{
	struct ctl_member_state none = { 0 };

	for (size_t i = 0; i < ml->n; i++)
		if (ml->v[i].id == r->member_id)
			return st[i];
	return none;
}

static int
print_status(struct ctl *c, const struct program *p, const struct team *t, int week,
    const struct status_list *l)
{
	static const char *const head[] = { "MEMBER", "GIVEN", "RECEIVED", "REQUESTED",
		"TOTAL GIVEN", "TOTAL RECEIVED", "TOTAL REQUESTED", "STATE" };
	struct member_list ml = { 0 };
	struct ctl_member_state *st = NULL;
	struct fb_error err;
	int rc;

	/* Who is away today, unreachable, left, and lagging in this week (the weekly report's
	 * rule), as member list shows it. */
	if (store_member_list(c->db, 0, t->id, &ml, &err) < 0)
		return ctl_error("%s", err.msg);
	if ((st = calloc(ml.n + 1, sizeof(*st))) == NULL) {
		store_member_list_release(&ml);
		return ctl_error("out of memory");
	}
	if (ctl_member_states(c, p, t->id, week, &ml, st) != CTL_OK) {
		free(st);
		store_member_list_release(&ml);
		return CTL_FAIL;
	}
	rc = print_status_rows(c, p, t, week, l, &ml, st, head);
	free(st);
	store_member_list_release(&ml);
	return rc;
}

static int
print_status_rows(struct ctl *c, const struct program *p, const struct team *t, int week,
    const struct status_list *l, const struct member_list *ml,
    const struct ctl_member_state *st, const char *const *head)
{
	struct table *tb;

	if (c->json) {
		json_t *a = json_array(), *held = json_array();

		for (size_t i = 0; i < l->n; i++) {
			struct ctl_member_state s = state_of(&l->v[i], ml, st);

			json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:o, s:b, s:b, s:b, "
			    "s:b, s:b}", "name",
			    l->v[i].name, "address", l->v[i].address, "week",
			    counts_json(&l->v[i].week), "total", counts_json(&l->v[i].total),
			    "undeliverable", l->v[i].undeliverable, "away", s.away, "unreachable",
			    s.unreachable, "left", s.left, "lagging", s.lagging));
		}
		if (held_status(c, p, l, held) != CTL_OK) {
			json_decref(a);
			json_decref(held);
			return CTL_FAIL;
		}
		return ctl_print_json(json_pack("{s:s, s:s, s:i, s:o, s:o}", "programme",
		    t->program_name, "team", t->name, "week", week, "members", a, "held", held));
	}
	printf("%s / %s, week %d\n", t->program_name, t->name, week);
	tb = table_new(8, head);
	for (size_t i = 0; tb != NULL && i < l->n; i++) {
		char v[6][12], state[64];
		const struct status_row *r = &l->v[i];
		struct ctl_member_state s = state_of(r, ml, st);
		const char *row[8] = { r->name, v[0], v[1], v[2], v[3], v[4], v[5], state };

		snprintf(state, sizeof(state), "%s%s%s", s.left ? "left" : s.unreachable ?
		    "unreachable (address bounces)" : "active", s.away ? ", away" : "",
		    s.lagging ? ", lagging" : "");

		snprintf(v[0], 12, "%d", r->week.given);
		snprintf(v[1], 12, "%d", r->week.received);
		snprintf(v[2], 12, "%d", r->week.requested);
		snprintf(v[3], 12, "%d", r->total.given);
		snprintf(v[4], 12, "%d", r->total.received);
		snprintf(v[5], 12, "%d", r->total.requested);
		table_add(tb, row);
	}
	if (tb)
		table_print(tb, stdout);
	table_free(tb);
	return held_status(c, p, l, NULL);
}

int
ctl_status(struct ctl *c, int argc, char **argv)
{
	struct outmail_templates *tpl = NULL;
	struct status_list l = { 0 };
	struct program p = { 0 };
	struct team t = { 0 };
	struct fb_error err;
	struct flow f;
	const char *team = NULL;
	int week = 0, rc = CTL_FAIL;

	if (ctl_wants_help(argc, argv))
		return ctl_usage(status_usage, 1);
	static const struct option opts[] = {
		{ "week", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	optind = 1;
	opterr = 0; /* ctl_option_error says what is wrong */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'w')
			return ctl_option_error(status_usage, "status", argv, opts);
		/* not the programme's length: a week past it shows the totals so far */
		if (ctl_parse_week(status_usage, "status", optarg, 200, &week) != CTL_OK)
			return CTL_USAGE;
	}
	if (ctl_operands(status_usage, "status", argc, argv, optind, 1, 1, "TEAM") != CTL_OK)
		return CTL_USAGE;
	team = argv[optind];
	if (ctl_flow_open(c, &f, &tpl) != CTL_OK)
		return CTL_FAIL;
	if (store_team_get(c->db, team, &t, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	char spec[24];
	snprintf(spec, sizeof(spec), "%lld", (long long)t.program_id);
	if (store_program_get(c->db, spec, &p, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	if (week == 0) {
		week = flow_week(&f, &p, &err);
		if (week < 0) {
			ctl_error("%s", err.msg);
			goto out;
		}
		week = week < 1 ? 1 : week > p.weeks ? p.weeks : week;
	}
	if (store_team_status(c->db, t.id, week, &l, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	rc = print_status(c, &p, &t, week, &l);
out:
	store_status_list_release(&l);
	store_program_release(&p);
	store_team_release(&t);
	outmail_templates_free(tpl);
	return rc;
}
