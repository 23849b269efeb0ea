/*
 * ctl_flow — the coordinator's view of the feedback flow: `status` (the counts a facilitator
 * sees), `quarantine` (replies held because of their sender) and `inbox reapply`.
 */
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
	"Follow-up answers to a request already answered are not counted. Mail to a member that\n"
	"the daily cap holds is listed after the table, with when it goes (JSON: \"held\").\n";

static const char quarantine_usage[] =
	"usage: feedbackctl quarantine list [--json]\n"
	"       feedbackctl quarantine show ID [--raw]\n"
	"       feedbackctl quarantine apply ID\n"
	"       feedbackctl quarantine drop ID\n"
	"\n"
	"Replies whose sender is not an address of the member they answer (a forwarded request\n"
	"answered by someone else, or a forgery), mail from strangers, and mail that could not be\n"
	"read are held here with the reason. apply processes one as if its sender were the member\n"
	"(and the mail it causes is sent); drop keeps it, marked as dropped, and does nothing.\n";

/* A flow for one command: the templates are loaded (and checked) here. */
static int
flow_open(struct ctl *c, struct flow *f, struct outmail_templates **tpl)
{
	struct fb_error err;

	if (ctl_config(c) == NULL || ctl_db(c) == NULL)
		return CTL_FAIL;
	*tpl = outmail_templates_load(c->cfg->feedbackd.templates_dir, &err);
	if (*tpl == NULL)
		return ctl_error("templates: %s", err.msg);
	f->db = c->db;
	f->cfg = c->cfg;
	f->tpl = *tpl;
	f->now = c->now;
	f->trim = NULL;
	return CTL_OK;
}

static int
run_apply(struct ctl *c, int64_t id, int flags)
{
	struct outmail_templates *tpl = NULL;
	struct apply_outcome o = APPLY_OUTCOME_INIT;
	struct trim_rules *trim = NULL;
	struct flow f;
	struct fb_error err;
	int rc = CTL_OK;

	if (flow_open(c, &f, &tpl) != CTL_OK)
		return CTL_FAIL;
	if ((trim = trim_rules_new()) == NULL) {
		outmail_templates_free(tpl);
		return ctl_error("out of memory compiling trim's patterns");
	}
	f.trim = trim;
	if (apply_inbox(&f, id, flags, &o, &err) < 0)
		rc = ctl_error("%s", err.msg);
	else
		printf("inbox %lld: %s: %s\n", (long long)id, o.state,
		    o.reason.data ? o.reason.data : "");
	if (rc == CTL_OK && strcmp(o.state, "pending") == 0)
		rc = CTL_FAIL;
	apply_outcome_release(&o);
	outmail_templates_free(tpl);
	trim_rules_free(trim);
	return rc;
}

int
ctl_inbox_reapply(struct ctl *c, int argc, char **argv)
{
	int64_t id;

	if (argc != 2)
		return ctl_usage("usage: feedbackctl inbox reapply ID\n", 0);
	if (ctl_parse_id(argv[1], &id) != CTL_OK)
		return CTL_FAIL;
	return run_apply(c, id, APPLY_AGAIN);
}

/* ---- quarantine ---------------------------------------------------------------------------- */

static int
quarantined(struct ctl *c, const char *arg, int64_t *id)
{
	struct inbox_row r;
	struct fb_error err;
	int rc = CTL_OK;

	if (ctl_parse_id(arg, id) != CTL_OK || ctl_db(c) == NULL)
		return CTL_FAIL;
	if (queue_inbox_get(c->db, *id, &r, &err) < 0)
		return ctl_error("%s", err.msg);
	if (strcmp(r.state, "quarantined") != 0)
		rc = ctl_error("inbox %lld is %s, not quarantined", (long long)*id, r.state);
	queue_inbox_release(&r);
	return rc;
}

static int
quarantine_list(struct ctl *c)
{
	static const char *const head[] = { "ID", "FROM", "SUBJECT", "WHY" };
	struct inbox_list l = { 0 };
	struct fb_error err;
	struct table *t;

	if (ctl_db(c) == NULL)
		return CTL_FAIL;
	if (queue_inbox_list(c->db, "quarantined", 1000, &l, &err) < 0)
		return ctl_error("%s", err.msg);
	if (c->json) {
		json_t *a = json_array();

		for (size_t i = 0; i < l.n; i++)
			json_array_append_new(a, json_pack("{s:I, s:s?, s:s?, s:s?}", "id",
			    (json_int_t)l.v[i].id, "from", l.v[i].sender, "subject", l.v[i].subject,
			    "reason", l.v[i].reason));
		queue_inbox_list_release(&l);
		return ctl_print_json(a);
	}
	t = table_new(4, head);
	for (size_t i = 0; t != NULL && i < l.n; i++) {
		char id[24];
		const char *row[4] = { id, l.v[i].sender, l.v[i].subject, l.v[i].reason };

		snprintf(id, sizeof(id), "%lld", (long long)l.v[i].id);
		table_add(t, row);
	}
	if (t)
		table_print(t, stdout);
	table_free(t);
	printf("quarantine: %zu message%s\n", l.n, l.n == 1 ? "" : "s");
	queue_inbox_list_release(&l);
	return CTL_OK;
}

static int
quarantine_show(struct ctl *c, int argc, char **argv)
{
	struct inbox_row r;
	struct fb_error err;
	int64_t id;
	int raw = argc == 3 && strcmp(argv[2], "--raw") == 0;

	if (argc != 2 && !raw)
		return ctl_usage(quarantine_usage, 0);
	if (quarantined(c, argv[1], &id) != CTL_OK)
		return CTL_FAIL;
	if (queue_inbox_get(c->db, id, &r, &err) < 0)
		return ctl_error("%s", err.msg);
	printf("inbox %lld, quarantined: %s\n\n", (long long)id, r.reason ? r.reason : "");
	ctl_show_raw(&r.raw, raw);
	queue_inbox_release(&r);
	return CTL_OK;
}

static int
quarantine_drop(struct ctl *c, int64_t id)
{
	struct inbox_result r = { .state = "ignored", .reason = "dropped from quarantine by the "
	    "coordinator" };
	struct fb_error err;

	if (queue_inbox_result(c->db, id, &r, c->now, &err) < 0)
		return ctl_error("%s", err.msg);
	printf("inbox %lld: dropped (kept, nothing applied)\n", (long long)id);
	return CTL_OK;
}

int
ctl_quarantine(struct ctl *c, int argc, char **argv)
{
	int64_t id;

	if (ctl_wants_help(argc, argv))
		return ctl_usage(quarantine_usage, 1);
	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return quarantine_list(c);
	if (argc >= 3 && strcmp(argv[1], "show") == 0)
		return quarantine_show(c, argc - 1, argv + 1);
	if (argc == 3 && strcmp(argv[1], "apply") == 0)
		return quarantined(c, argv[2], &id) != CTL_OK ? CTL_FAIL :
		    run_apply(c, id, APPLY_AGAIN | APPLY_TRUST_SENDER);
	if (argc == 3 && strcmp(argv[1], "drop") == 0)
		return quarantined(c, argv[2], &id) != CTL_OK ? CTL_FAIL : quarantine_drop(c, id);
	return ctl_usage(quarantine_usage, 0);
}

/* ---- status -------------------------------------------------------------------------------- */

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

static int
print_status(struct ctl *c, const struct program *p, const struct team *t, int week,
    const struct status_list *l)
{
	static const char *const head[] = { "MEMBER", "GIVEN", "RECEIVED", "REQUESTED",
		"TOTAL GIVEN", "TOTAL RECEIVED", "TOTAL REQUESTED", "" };
	struct table *tb;

	if (c->json) {
		json_t *a = json_array(), *held = json_array();

		for (size_t i = 0; i < l->n; i++)
			json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:o, s:b}", "name",
			    l->v[i].name, "address", l->v[i].address, "week",
			    counts_json(&l->v[i].week), "total", counts_json(&l->v[i].total),
			    "undeliverable", l->v[i].undeliverable));
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
		char v[6][12];
		const struct status_row *r = &l->v[i];
		const char *row[8] = { r->name, v[0], v[1], v[2], v[3], v[4], v[5],
		    r->undeliverable ? "(address bounces)" : "" };

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
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--week") == 0 && i + 1 < argc) {
			char *end;

			week = (int)strtol(argv[++i], &end, 10);
			if (*end || week < 1 || week > 200)
				return ctl_error("--week %s: a week number from 1", argv[i]);
		} else if (team == NULL && argv[i][0] != '-') {
			team = argv[i];
		} else {
			return ctl_usage(status_usage, 0);
		}
	}
	if (team == NULL)
		return ctl_usage(status_usage, 0);
	if (flow_open(c, &f, &tpl) != CTL_OK)
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
