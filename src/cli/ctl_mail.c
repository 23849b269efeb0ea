/*
 * ctl_mail — feedbackctl outbox: what was sent, what waits and what is stuck. (The inbox is
 * ctl_inbox.c.)
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "ctl.h"
#include "envelope.h"
#include "fbtime.h"
#include "outmail.h"
#include "pace.h"
#include "queue.h"
#include "table.h"
#include "vocab.h"
#include "banned.h"


static const char outbox_usage[] =
	"usage: feedbackctl outbox list [--state STATE] [--limit N] [--json]\n"
	"       feedbackctl outbox show ID [--raw]\n"
	"       feedbackctl outbox retry ID|--all\n"
	"       feedbackctl outbox add --to ADDRESS [--kind KIND] FILE...\n"
	"\n"
	"STATE is queued, sending, sent, retry, failed or held. held: the daily cap of the\n"
	"recipient (per_recipient_daily_cap, a rolling 24 hours) makes it wait; NEXT/SENT is when\n"
	"it goes, and the daemon releases it then by itself. Person-to-person mail goes before\n"
	"automatic mail (calendar events, nudges, reminders, reports). retry puts failed and held\n"
	"messages back in the queue at once. add queues ready-made RFC 5322 messages as they are\n"
	"(each needs a Message-ID; KIND names the priority, default manual: person), e.g. to test\n"
	"the mail setup; the daemon sends them on its next pass.\n";


/* --state: one of the outbox states (vocab.h), the unknown slot left out. */
static int
check_outbox_state(const char *state)
{
	const char *names[OUTBOX_STATE_COUNT];

	if (state == NULL || outbox_state_from_name(state) != OUTBOX_STATE_UNKNOWN)
		return CTL_OK;
	for (int s = OUTBOX_STATE_UNKNOWN + 1; s < OUTBOX_STATE_COUNT; s++)
		names[s - 1] = outbox_state_name((enum outbox_state)s);
	names[OUTBOX_STATE_COUNT - 1] = NULL;
	return ctl_bad_state(outbox_usage, "outbox list", state, names);
}

static int
outbox_list(struct ctl *c, int argc, char **argv)
{
	static const char *const head[] = { "ID", "STATE", "KIND", "TO", "SUBJECT", "TRIES",
		"NEXT/SENT", "ERROR" };
	const char *state = NULL;
	long limit = CTL_LIST_DEFAULT;
	struct outbox_list l = { 0 };
	struct fb_error err;
	struct buf counts = BUF_INIT;

	if (ctl_list_options(argc, argv, "outbox list", &state, &limit, outbox_usage) != CTL_OK ||
	    check_outbox_state(state) != CTL_OK)
		return CTL_USAGE;
	if (ctl_db(c) == NULL)
		return CTL_FAIL;
	if (queue_outbox_list(c->db, state, (size_t)limit, &l, &err) < 0)
		return ctl_error("%s", err.msg);
	if (c->json) {
		json_t *a = json_array();

		for (size_t i = 0; i < l.n; i++)
			json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:i, "
			    "s:I, s:I, s:s?, s:s, s:o}", "id", (json_int_t)l.v[i].id, "state",
			    l.v[i].state, "kind", l.v[i].kind, "to", l.v[i].recipient, "subject",
			    l.v[i].subject, "message_id", l.v[i].message_id, "attempts",
			    l.v[i].attempts, "next_attempt_at", (json_int_t)l.v[i].next_attempt_at,
			    "sent_at", (json_int_t)l.v[i].sent_at, "error", l.v[i].last_error,
			    "priority", l.v[i].priority == OUTBOX_AUTOMATIC ? "automatic" : "person",
			    /* a held message's release: when the daily cap lets it go */
			    "goes_at", outbox_state_from_name(l.v[i].state) == OUTBOX_HELD ?
			    json_integer((json_int_t)l.v[i].next_attempt_at) : json_null()));
		queue_outbox_list_release(&l);
		return ctl_print_json(a);
	}
	struct table *t = table_new(8, head);

	if (t != NULL) {
		table_set_max(t, 3, CTL_ADDRESS_WIDTH);
		table_set_max(t, 4, CTL_SUBJECT_WIDTH);
	}
	for (size_t i = 0; t != NULL && i < l.n; i++) {
		char id[24], tries[12], when[32];
		const struct outbox_row *r = &l.v[i];
		const char *row[8] = { id, r->state, r->kind, r->recipient, r->subject, tries, when,
		    r->last_error };

		snprintf(id, sizeof(id), "%lld", (long long)r->id);
		snprintf(tries, sizeof(tries), "%d", r->attempts);
		ctl_format_time(outbox_state_from_name(r->state) == OUTBOX_SENT ? r->sent_at :
		    r->next_attempt_at, when, sizeof(when));
		table_add(t, row);
	}
	if (t)
		table_print(t, stdout);
	table_free(t);
	if (queue_outbox_counts(c->db, &counts, &err) < 0) {
		buf_release(&counts);
		queue_outbox_list_release(&l);
		return ctl_error("%s", err.msg);
	}
	printf("outbox: %s\n", counts.data);
	buf_release(&counts);
	queue_outbox_list_release(&l);
	return CTL_OK;
}

static int
outbox_show(struct ctl *c, int argc, char **argv)
{
	struct outbox_row r;
	struct fb_error err;
	int64_t id;
	int raw = 0;
	char when[32];

	if (ctl_id_args(outbox_usage, "outbox show", argc, argv, &id, &raw) != CTL_OK)
		return CTL_USAGE;
	if (ctl_db(c) == NULL)
		return CTL_FAIL;
	if (queue_outbox_get(c->db, id, &r, &err) < 0)
		return ctl_error("%s", err.msg);
	ctl_format_time(r.next_attempt_at, when, sizeof(when));
	printf("outbox %lld: %s, %d attempt%s, to %s, next %s%s%s\n\n", (long long)r.id, r.state,
	    r.attempts, r.attempts == 1 ? "" : "s", r.recipient, when,
	    r.last_error ? "\nlast error: " : "", r.last_error ? r.last_error : "");
	ctl_show_raw(&r.raw, raw);
	queue_outbox_release(&r);
	return CTL_OK;
}

static int
outbox_retry(struct ctl *c, int argc, char **argv)
{
	struct fb_error err;
	int64_t id = 0;
	int n;

	if (ctl_operands(outbox_usage, "outbox retry", argc, argv, 1, 1, 1, "ID|--all") !=
	    CTL_OK)
		return CTL_USAGE;
	if (strcmp(argv[1], "--all") != 0 && ctl_usage_id(outbox_usage, "outbox retry", argv[1],
	    "message id (a number from the list) or --all", &id) != CTL_OK)
		return CTL_USAGE;
	if (ctl_db(c) == NULL)
		return CTL_FAIL;
	n = queue_outbox_retry(c->db, id, c->now, &err);
	if (n < 0)
		return ctl_error("%s", err.msg);
	if (n == 0 && id != 0)
		return ctl_error("outbox %lld is not failed or held: nothing to retry", (long long)id);
	printf("%d message%s queued again\n", n, n == 1 ? "" : "s");
	return CTL_OK;
}

static int
outbox_add(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "kind", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	const char *to = NULL, *kind = "manual";
	struct buf addr = BUF_INIT;
	struct fb_error err;
	int ch, rc = CTL_FAIL;
	size_t n = 0;
	int held;

	optind = 1;
	opterr = 0; /* ctl_option_error says what is wrong */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 't')
			to = optarg;
		else if (ch == 'k')
			kind = optarg;
		else
			return ctl_option_error(outbox_usage, "outbox add", argv, opts);
	}
	if (ctl_required(outbox_usage, "outbox add", to, "--to ADDRESS") != CTL_OK ||
	    ctl_operands(outbox_usage, "outbox add", argc, argv, optind, 1, -1, "FILE") !=
	    CTL_OK)
		return CTL_USAGE;
	if (addr_parse(to, &addr, NULL, &err) < 0)
		return ctl_usage_error(outbox_usage, "outbox add", "--to %s: %s", to, err.msg);
	if (ctl_db(c) == NULL || db_begin(c->db, &err) < 0) {
		buf_release(&addr);
		return c->db ? ctl_error("%s", err.msg) : CTL_FAIL;
	}
	for (int i = optind; i < argc; i++) {
		struct buf raw = BUF_INIT, msgid = BUF_INIT, subject = BUF_INIT, verp = BUF_INIT;
		struct outbox_new m = { 0 };
		char btoken[TOKEN_LEN + 1];
		int bad = 0;

		if (buf_read_file(&raw, argv[i], (size_t)c->cfg->feedbackd.max_message_size) < 0)
			bad = ctl_error("%s: %s", argv[i], strerror(errno));
		else if (envelope_read(raw.data, raw.len, &msgid, NULL, &subject) < 0 ||
		    msgid.len == 0)
			bad = ctl_error("%s: no Message-ID header: not a message to queue", argv[i]);
		else if (outmail_verp(c->cfg->outgoing.bounce_address, btoken, &verp, &err) < 0)
			bad = ctl_error("%s: %s", argv[i], err.msg);
		if (!bad) {
			m.message_id = msgid.data;
			m.kind = kind;
			m.sender = verp.data;
			m.bounce_token = btoken;
			m.recipient = addr.data;
			m.subject = subject.data;
			m.raw = raw.data;
			m.len = raw.len;
			m.priority = outmail_priority(kind);
			if (pace_add(c->db, &m, c->now, c->cfg->outgoing.per_recipient_daily_cap,
			    NULL, NULL, &err) < 0)
				bad = ctl_error("%s: %s", argv[i], err.msg);
		}
		buf_release(&raw);
		buf_release(&msgid);
		buf_release(&subject);
		buf_release(&verp);
		if (bad) {
			db_rollback(c->db);
			goto out;
		}
		n++;
	}
	if (db_commit(c->db, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	printf("queued %zu message%s to %s\n", n, n == 1 ? "" : "s", addr.data);
	held = queue_outbox_held_count(c->db, 0, NULL, NULL);
	if (held > 0)
		printf("%d message%s in the outbox wait for the daily cap (per_recipient_daily_cap):\n"
		    "feedbackctl outbox list --state held says when each goes\n", held,
		    held == 1 ? "" : "s");
	rc = CTL_OK;
out:
	buf_release(&addr);
	return rc;
}

int
ctl_outbox(struct ctl *c, int argc, char **argv)
{
	if (ctl_wants_help(argc, argv))
		return ctl_usage(outbox_usage, 1);
	if (argc < 2)
		return ctl_subcommand_error(outbox_usage, "outbox", argc, argv);
	if (strcmp(argv[1], "list") == 0)
		return outbox_list(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return outbox_show(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "retry") == 0)
		return outbox_retry(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "add") == 0)
		return outbox_add(c, argc - 1, argv + 1);
	return ctl_subcommand_error(outbox_usage, "outbox", argc, argv);
}

