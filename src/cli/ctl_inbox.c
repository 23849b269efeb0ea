/*
 * ctl_inbox — feedbackctl inbox | quarantine: every message read, kept raw, with what became of
 * it; the replies held for the coordinator; applying one again (reapply, quarantine apply).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "buf.h"
#include "ctl.h"
#include "flow.h"
#include "outmail.h"
#include "queue.h"
#include "table.h"
#include "vocab.h"
#include "trim.h"
#include "classify.h"
#include "banned.h"

static const char inbox_usage[] =
	"usage: feedbackctl inbox list [--state STATE] [--limit N] [--json]\n"
	"       feedbackctl inbox show ID [--raw]\n"
	"       feedbackctl inbox reapply ID\n"
	"\n"
	"Every message read is kept here, raw, before it is applied. STATE is pending,\n"
	"applied, ignored, quarantined or failed; each says why. A message whose processing\n"
	"failed stays pending with the error (retried up to 3 times); reapply runs it again\n"
	"after a fix, whatever its state.\n";

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

/* --state: one of the inbox states (vocab.h), the unknown slot left out. */
static int
check_inbox_state(const char *state)
{
	const char *names[INBOX_STATE_COUNT];

	if (state == NULL || inbox_state_from_name(state) != INBOX_UNKNOWN)
		return CTL_OK;
	for (int s = INBOX_UNKNOWN + 1; s < INBOX_STATE_COUNT; s++)
		names[s - 1] = inbox_state_name((enum inbox_state)s);
	names[INBOX_STATE_COUNT - 1] = NULL;
	return ctl_bad_state(inbox_usage, "inbox list", state, names);
}

/* ---- reapply, quarantine apply ---------------------------------------------------------- */

static int
run_apply(struct ctl *c, int64_t id, int flags)
{
	struct outmail_templates *tpl = NULL;
	struct apply_outcome o = APPLY_OUTCOME_INIT;
	struct trim_rules *trim = NULL;
	struct classify_rules *crules = NULL;
	struct flow f;
	struct fb_error err;
	int rc = CTL_OK;

	if (ctl_flow_open(c, &f, &tpl) != CTL_OK)
		return CTL_FAIL;
	if ((trim = trim_rules_new()) == NULL) {
		outmail_templates_free(tpl);
		return ctl_error("out of memory compiling trim's patterns");
	}
	f.trim = trim;
	if ((crules = classify_rules_new(&err)) == NULL) {
		outmail_templates_free(tpl);
		trim_rules_free(trim);
		return ctl_error("%s", err.msg);
	}
	f.classify = crules;
	if (apply_inbox(&f, id, flags, &o, &err) < 0)
		rc = ctl_error("%s", err.msg);
	else if (buf_failed(&o.reason))
		rc = ctl_error("inbox %lld: %s (out of memory for its reason)", (long long)id,
		    inbox_state_name(o.state));
	else
		printf("inbox %lld: %s: %s\n", (long long)id, inbox_state_name(o.state),
		    o.reason.data ? o.reason.data : "");
	if (rc == CTL_OK && o.state == INBOX_PENDING)
		rc = CTL_FAIL;
	apply_outcome_release(&o);
	outmail_templates_free(tpl);
	trim_rules_free(trim);
	classify_rules_free(crules);
	return rc;
}

static int
inbox_reapply(struct ctl *c, int argc, char **argv)
{
	int64_t id;

	if (ctl_id_args(inbox_usage, "inbox reapply", argc, argv, &id, NULL) != CTL_OK)
		return CTL_USAGE;
	return run_apply(c, id, APPLY_AGAIN);
}

/* ---- quarantine ---------------------------------------------------------------------------- */

static int
quarantined(struct ctl *c, int64_t *id)
{
	struct inbox_row r;
	struct fb_error err;
	int rc = CTL_OK;

	if (ctl_db(c) == NULL)
		return CTL_FAIL;
	if (queue_inbox_get(c->db, *id, &r, &err) < 0)
		return ctl_error("%s", err.msg);
	if (inbox_state_from_name(r.state) != INBOX_QUARANTINED)
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
	if (queue_inbox_list(c->db, inbox_state_name(INBOX_QUARANTINED), 1000, &l, &err) < 0)
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
	if (t != NULL) {
		table_set_max(t, 1, CTL_ADDRESS_WIDTH);
		table_set_max(t, 2, CTL_SUBJECT_WIDTH);
	}
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
	int raw = 0;

	if (ctl_id_args(quarantine_usage, "quarantine show", argc, argv, &id, &raw) != CTL_OK)
		return CTL_USAGE;
	if (quarantined(c, &id) != CTL_OK)
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
	struct inbox_result r = { .state = inbox_state_name(INBOX_IGNORED), .reason = "dropped "
	    "from quarantine by the coordinator" };
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
	if (argc >= 2 && strcmp(argv[1], "list") == 0) {
		if (ctl_operands(quarantine_usage, "quarantine list", argc, argv, 2, 0, 0, "") !=
		    CTL_OK)
			return CTL_USAGE;
		return quarantine_list(c);
	}
	if (argc >= 2 && strcmp(argv[1], "show") == 0)
		return quarantine_show(c, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "apply") == 0) {
		if (ctl_id_args(quarantine_usage, "quarantine apply", argc - 1, argv + 1, &id, NULL) !=
		    CTL_OK)
			return CTL_USAGE;
		return quarantined(c, &id) != CTL_OK ? CTL_FAIL :
		    run_apply(c, id, APPLY_AGAIN | APPLY_TRUST_SENDER);
	}
	if (argc >= 2 && strcmp(argv[1], "drop") == 0) {
		if (ctl_id_args(quarantine_usage, "quarantine drop", argc - 1, argv + 1, &id, NULL) !=
		    CTL_OK)
			return CTL_USAGE;
		return quarantined(c, &id) != CTL_OK ? CTL_FAIL : quarantine_drop(c, id);
	}
	return ctl_subcommand_error(quarantine_usage, "quarantine", argc, argv);
}

/* ---- inbox ---------------------------------------------------------------------------- */

static int
inbox_list(struct ctl *c, int argc, char **argv)
{
	static const char *const head[] = { "ID", "STATE", "FROM", "SUBJECT", "RECEIVED",
		"SIZE", "WHY" };
	const char *state = NULL;
	long limit = CTL_LIST_DEFAULT;
	struct inbox_list l = { 0 };
	struct fb_error err;

	if (ctl_list_options(argc, argv, "inbox list", &state, &limit, inbox_usage) != CTL_OK ||
	    check_inbox_state(state) != CTL_OK)
		return CTL_USAGE;
	if (ctl_db(c) == NULL)
		return CTL_FAIL;
	if (queue_inbox_list(c->db, state, (size_t)limit, &l, &err) < 0)
		return ctl_error("%s", err.msg);
	if (c->json) {
		json_t *a = json_array();

		for (size_t i = 0; i < l.n; i++)
			json_array_append_new(a, json_pack("{s:I, s:s, s:s?, s:s?, s:s?, s:I, s:I, "
			    "s:s, s:s?, s:s?, s:s?}", "id", (json_int_t)l.v[i].id, "state",
			    l.v[i].state, "from", l.v[i].sender, "subject", l.v[i].subject,
			    "message_id", l.v[i].message_id, "received_at",
			    (json_int_t)l.v[i].received_at, "size", (json_int_t)l.v[i].size,
			    "sha256", l.v[i].sha256, "kind", l.v[i].kind, "reason", l.v[i].reason,
			    "error", l.v[i].error));
		queue_inbox_list_release(&l);
		return ctl_print_json(a);
	}
	struct table *t = table_new(7, head);

	if (t != NULL) {
		table_set_max(t, 2, CTL_ADDRESS_WIDTH);
		table_set_max(t, 3, CTL_SUBJECT_WIDTH);
	}
	for (size_t i = 0; t != NULL && i < l.n; i++) {
		char id[24], when[32], size[24];
		const struct inbox_row *r = &l.v[i];
		const char *row[7] = { id, r->state, r->sender, r->subject, when, size,
		    r->error ? r->error : r->reason };

		snprintf(id, sizeof(id), "%lld", (long long)r->id);
		snprintf(size, sizeof(size), "%zu", r->size);
		ctl_format_time(r->received_at, when, sizeof(when));
		table_add(t, row);
	}
	if (t)
		table_print(t, stdout);
	table_free(t);
	printf("inbox: %d message%s, %d pending\n", queue_inbox_count(c->db, NULL, NULL),
	    queue_inbox_count(c->db, NULL, NULL) == 1 ? "" : "s",
	    queue_inbox_count(c->db, inbox_state_name(INBOX_PENDING), NULL));
	queue_inbox_list_release(&l);
	return CTL_OK;
}

static int
inbox_show(struct ctl *c, int argc, char **argv)
{
	struct inbox_row r;
	struct fb_error err;
	int64_t id;
	int raw = 0;

	if (ctl_id_args(inbox_usage, "inbox show", argc, argv, &id, &raw) != CTL_OK)
		return CTL_USAGE;
	if (ctl_db(c) == NULL)
		return CTL_FAIL;
	if (queue_inbox_get(c->db, id, &r, &err) < 0)
		return ctl_error("%s", err.msg);
	printf("inbox %lld: %s, from %s, %zu bytes, source %s%s%s\n\n", (long long)r.id, r.state,
	    r.sender ? r.sender : "(unknown)", r.size, r.source,
	    r.error ? "\nerror: " : "", r.error ? r.error : "");
	ctl_show_raw(&r.raw, raw);
	queue_inbox_release(&r);
	return CTL_OK;
}

int
ctl_inbox(struct ctl *c, int argc, char **argv)
{
	if (ctl_wants_help(argc, argv))
		return ctl_usage(inbox_usage, 1);
	if (argc < 2)
		return ctl_subcommand_error(inbox_usage, "inbox", argc, argv);
	if (strcmp(argv[1], "list") == 0)
		return inbox_list(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return inbox_show(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "reapply") == 0)
		return inbox_reapply(c, argc - 1, argv + 1);
	return ctl_subcommand_error(inbox_usage, "inbox", argc, argv);
}
