/*
 * ctl_member_change — feedbackctl member update and member remove: a member's name, address,
 * language and zone changed, and a member leaving the programme (previewed, applied with
 * --yes). What follows for their mail and invitations is membership.h's.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "buf.h"
#include "ctl.h"
#include "fbtime.h"
#include "flow.h"
#include "membership.h"
#include "outmail.h"
#include "store.h"
#include "store_session.h"
#include "vocab.h"
#include "banned.h"

static int
same(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* "nl", or "(the programme's)" for none. */
static const char *
shown(const char *v)
{
	return v != NULL && *v ? v : "(the programme's)";
}

static void
print_session(const struct program *p, const struct session *s)
{
	struct buf when = BUF_INIT;

	fbtime_format_local(p->timezone, s->starts_at, &when);
	printf("session %lld (%s%s%s, %s)", (long long)s->id, s->kind, s->team_name ? ", team " : "",
	    s->team_name ? s->team_name : "", when.data ? when.data : "?");
	buf_release(&when);
}

int
ctl_member_update(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "address", required_argument, NULL, 'a' },
		{ "language", required_argument, NULL, 'l' },
		{ "timezone", required_argument, NULL, 't' },
		{ "program", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL, *address = NULL, *lang = NULL, *tz = NULL, *program = NULL;
	struct outmail_templates *tpl = NULL;
	struct buf addr = BUF_INIT;
	struct program p = { 0 };
	struct member m = { 0 };
	struct flow f;
	struct fb_error err;
	size_t mails = 0, changes = 0;
	int ch, rc = CTL_FAIL, new_addr, r = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'n': name = optarg; break;
		case 'a': address = optarg; break;
		case 'l': lang = optarg; break;
		case 't': tz = optarg; break;
		case 'p': program = optarg; break;
		default: return ctl_usage(ctl_member_usage(), 0);
		}
	}
	if (argc - optind != 1)
		return ctl_error("update: give one MEMBER (a name, an address or an id), then what "
		    "changes: --name, --address, --language or --timezone");
	if (!name && !address && !lang && !tz)
		return ctl_error("update %s: nothing to change: give --name, --address, --language "
		    "or --timezone", argv[optind]);
	if (name != NULL && *name == '\0')
		return ctl_error("--name: the member needs a name");
	if (address != NULL && addr_parse(address, &addr, NULL, &err) < 0)
		return ctl_error("--address %s: %s", address, err.msg);
	/* As the store keeps it (and compares it). */
	for (size_t i = 0; i < addr.len; i++)
		if (addr.data[i] >= 'A' && addr.data[i] <= 'Z')
			addr.data[i] = (char)(addr.data[i] - 'A' + 'a');
	if (ctl_member_check_fields(tz && *tz ? tz : NULL, lang && *lang ? lang : NULL,
	    &err) < 0) {
		buf_release(&addr);
		return ctl_error("%s", err.msg);
	}
	if (ctl_flow_open(c, &f, &tpl) != CTL_OK || ctl_pick_program(c, program, &p) != CTL_OK)
		goto out;
	if (ctl_member_pick(c, p.id, argv[optind], 0, &m) != CTL_OK)
		goto out;
	new_addr = address != NULL && strcasecmp(addr.data, m.address) != 0;
	printf("%s <%s>, team %s:\n", m.name, m.address, m.team_name);
	if (name != NULL && !same(name, m.name) && ++changes)
		printf("  name       %s -> %s\n", m.name, name);
	if (new_addr && ++changes)
		printf("  address    %s -> %s (mail goes to the new one; replies from the old one "
		    "still count as theirs)\n", m.address, addr.data);
	if (lang != NULL && !same(lang, m.language) && ++changes)
		printf("  language   %s -> %s\n", shown(m.language), shown(lang));
	if (tz != NULL && !same(tz, m.timezone) && ++changes)
		printf("  time zone  %s -> %s\n", shown(m.timezone), shown(tz));
	if (changes == 0) {
		printf("  nothing changes: it is so already\n");
		rc = CTL_OK;
		goto out;
	}
	if (db_begin(c->db, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	r = store_member_update(c->db, m.id, name, tz, lang, &err);
	if (r == 0 && new_addr)
		r = store_member_set_primary(c->db, m.id, addr.data, &err);
	/* Invitations to sessions ahead follow the address: the old one gets a CANCEL, the
	 * new one the invitation (session sync's code). */
	if (r == 0 && new_addr && member_status_from_name(m.status) == MEMBER_ACTIVE)
		r = membership_sync_sessions(&f, &p, m.team_id, &mails, &err);
	if (r < 0) {
		db_rollback(c->db);
		ctl_error("%s; nothing was changed", err.msg);
		goto out;
	}
	if (db_commit(c->db, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	printf("updated");
	if (new_addr)
		printf("; %zu session message%s queued (cancel to the old address, invitation to "
		    "the new)", mails, mails == 1 ? "" : "s");
	printf("\n");
	rc = CTL_OK;
out:
	store_member_release(&m);
	store_program_release(&p);
	outmail_templates_free(tpl);
	buf_release(&addr);
	return rc;
}

/* ---- remove ------------------------------------------------------------------------------------ */

int
ctl_member_leave_plan(struct ctl *c, const struct flow *f, const struct program *p,
    const struct member *m, const char *indent)
{
	struct session_list l = { 0 };
	struct fb_error err;
	size_t shown_n = 0;

	if (membership_sessions_ahead(f, p, m->team_id, &l, &err) < 0)
		return ctl_error("%s", err.msg);
	for (size_t i = 0; i < l.n; i++) {
		struct session_attendee a;
		int r = store_attendee_find(c->db, l.v[i].id, m->address, &a, &err);

		if (r < 0) {
			store_session_list_release(&l);
			return ctl_error("%s", err.msg);
		}
		if (r == 0 && !a.removed) {
			printf("%sinvitation cancelled: ", indent);
			print_session(p, &l.v[i]);
			printf("\n");
			shown_n++;
		}
		if (r == 0)
			store_attendee_release(&a);
	}
	if (shown_n == 0)
		printf("%sno invitation to a session ahead to cancel\n", indent);
	store_session_list_release(&l);
	return CTL_OK;
}

int
ctl_member_remove(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "program", required_argument, NULL, 'p' },
		{ "yes", no_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 },
	};
	const char *program = NULL;
	struct outmail_templates *tpl = NULL;
	struct program p = { 0 };
	struct member m = { 0 };
	struct flow f;
	struct fb_error err;
	size_t mails = 0, stopped = 0;
	int ch, yes = 0, rc = CTL_FAIL;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'p')
			program = optarg;
		else if (ch == 'y')
			yes = 1;
		else
			return ctl_usage(ctl_member_usage(), 0);
	}
	if (argc - optind != 1)
		return ctl_error("remove: give one MEMBER (a name, an address or an id)%s",
		    argc - optind > 1 ? "; a name of several words goes in quotes" : "");
	if (ctl_flow_open(c, &f, &tpl) != CTL_OK || ctl_pick_program(c, program, &p) != CTL_OK)
		goto out;
	if (ctl_member_pick(c, p.id, argv[optind], 0, &m) != CTL_OK)
		goto out;
	if (member_status_from_name(m.status) != MEMBER_ACTIVE) {
		struct buf when = BUF_INIT;

		if (m.left_at)
			fbtime_format_local(p.timezone, (time_t)m.left_at, &when);
		ctl_error("%s <%s> has left programme %s already%s%s%s", m.name, m.address, p.name,
		    when.data ? " (" : "", when.data ? when.data : "", when.data ? ")" : "");
		buf_release(&when);
		goto out;
	}
	printf("%s <%s> (team %s) leaves programme %s:\n", m.name, m.address, m.team_name, p.name);
	printf("  no more mail of any kind to them (nudges, questionnaires, reminders, requests "
	    "from colleagues: the asker is told they left); mail still waiting is not sent\n");
	if (ctl_member_leave_plan(c, &f, &p, &m, "  ") != CTL_OK)
		goto out;
	printf("  their questionnaire calendar items ahead: cancelled by the daemon's next pass\n"
	    "  their feedback, answers and counts stay; reports show them as \"left\"\n");
	if (!yes) {
		printf("Nothing was changed: add --yes to apply.\n");
		rc = CTL_OK;
		goto out;
	}
	if (db_begin(c->db, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	if (membership_leave(&f, &p, &m, &mails, &stopped, &err) < 0) {
		db_rollback(c->db);
		ctl_error("%s; nothing was changed", err.msg);
		goto out;
	}
	if (db_commit(c->db, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	printf("%s has left: %zu cancellation%s queued, %zu waiting message%s not sent\n", m.name,
	    mails, mails == 1 ? "" : "s", stopped, stopped == 1 ? "" : "s");
	rc = CTL_OK;
out:
	store_member_release(&m);
	store_program_release(&p);
	outmail_templates_free(tpl);
	return rc;
}
