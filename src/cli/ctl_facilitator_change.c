/*
 * ctl_facilitator_change — feedbackctl facilitator remove | replace. See
 * include/ctl_facilitator_change.h.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "buf.h"
#include "ctl.h"
#include "ctl_facilitator_change.h"
#include "fbtime.h"
#include "flow.h"
#include "invite.h"
#include "match.h"
#include "outmail.h"
#include "store.h"
#include "store_facilitator.h"
#include "store_session.h"
#include "vocab.h"
#include "banned.h"

const char ctl_facilitator_change_usage[] =
	"usage: feedbackctl facilitator remove TEAM FACILITATOR [--yes]\n"
	"       feedbackctl facilitator replace TEAM OLD NEW_EMAIL [--name NAME] [--yes]\n"
	"\n"
	"remove   FACILITATOR (address or name) no longer gets the team's reports; upcoming\n"
	"         sessions send them a cancellation\n"
	"replace  OLD leaves and NEW_EMAIL takes over: the team's reports from now on and the\n"
	"         invitations to upcoming sessions (OLD gets a cancellation)\n"
	"Both show what would change and change nothing without --yes.\n";

/* The facilitator of team that spec names: CTL_OK and *out (pointing into l), or CTL_FAIL
 * after naming the candidates. */
static int
pick_facilitator(const struct team *team, const struct facilitator_list *l, const char *spec,
    const struct facilitator **out)
{
	struct match_candidate *cand = calloc(l->n ? l->n : 1, sizeof(*cand));
	struct match_result r;
	struct buf names = BUF_INIT;
	int rc = CTL_FAIL;

	if (cand == NULL)
		return ctl_error("out of memory");
	for (size_t i = 0; i < l->n; i++) {
		cand[i].name = l->v[i].name ? l->v[i].name : "";
		cand[i].address = l->v[i].address;
		buf_putf(&names, "%s%s%s%s%s", i ? ", " : "", l->v[i].name ? l->v[i].name : "",
		    l->v[i].name ? " <" : "", l->v[i].address, l->v[i].name ? ">" : "");
	}
	if (l->n == 0) {
		ctl_error("team %s has no facilitator", team->name);
		goto out;
	}
	switch (match_colleague(cand, l->n, spec, &r)) {
	case MATCH_ADDRESS:
	case MATCH_NAME:
	case MATCH_FIRST_NAME:
		*out = &l->v[r.index];
		rc = CTL_OK;
		break;
	case MATCH_FUZZY:
		ctl_error("team %s has no facilitator \"%s\": did you mean %s <%s>? (nothing was "
		    "changed)", team->name, spec, cand[r.index].name, cand[r.index].address);
		break;
	case MATCH_AMBIGUOUS:
		ctl_error("\"%s\" fits several facilitators of team %s: %s; give the address",
		    spec, team->name, names.data ? names.data : "?");
		break;
	default:
		ctl_error("team %s has no facilitator \"%s\"; its facilitators: %s", team->name,
		    spec, names.data ? names.data : "?");
		break;
	}
out:
	buf_release(&names);
	free(cand);
	return rc;
}

/* The confirmed sessions of the team still ahead: printed (mails NULL) or synced with the
 * team's facilitators (invite_sync: a CANCEL to who left, the invite to who came). */
static int
team_sessions(const struct flow *f, const struct program *p, const struct team *team,
    const char *gone, const char *come, size_t *mails, struct fb_error *err)
{
	struct session_list l = { 0 };
	int rc = 0, n = 0;

	if (store_session_list(f->db, p->id, &l, err) < 0)
		return -1;
	for (size_t i = 0; i < l.n && rc == 0; i++) {
		const struct session *s = &l.v[i];
		struct buf when = BUF_INIT;

		if (session_status_from_name(s->status) != SESSION_CONFIRMED ||
		    s->starts_at <= f->now || (s->team_id != 0 && s->team_id != team->id))
			continue;
		if (mails != NULL) {
			rc = invite_sync(f, p, s->id, mails, err);
			continue;
		}
		if (n++ == 0)
			printf("\nsessions still ahead:\n");
		fbtime_format_local(p->timezone, s->starts_at, &when);
		printf("  session %lld (%s) on %s: a cancellation to %s%s%s\n", (long long)s->id,
		    s->kind, when.data ? when.data : "?", gone, come ? ", an invitation to " : "",
		    come ? come : "");
		buf_release(&when);
	}
	store_session_list_release(&l);
	return rc;
}

/* remove (new_addr NULL) or replace. */
static int
change(struct ctl *c, const char *team_spec, const char *old_spec, const char *new_addr,
    const char *new_name, int yes)
{
	struct flow f;
	struct outmail_templates *tpl = NULL;
	struct team team = { 0 };
	struct program p = { 0 };
	struct facilitator_list l = { 0 };
	const struct facilitator *old = NULL;
	struct fb_error err;
	char pid[24];
	size_t mails = 0;
	int rc = CTL_FAIL, r;
	int64_t id;

	if (ctl_flow_open(c, &f, &tpl) != CTL_OK)
		return CTL_FAIL;
	if (store_team_get(c->db, team_spec, &team, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	snprintf(pid, sizeof(pid), "%lld", (long long)team.program_id);
	if (store_program_get(c->db, pid, &p, &err) < 0 ||
	    store_facilitator_list(c->db, 0, team.id, &l, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	if (pick_facilitator(&team, &l, old_spec, &old) != CTL_OK)
		goto out;
	if (new_addr != NULL)
		for (size_t i = 0; i < l.n; i++)
			if (strcasecmp(l.v[i].address, new_addr) == 0) {
				ctl_error("%s is a facilitator of team %s already", new_addr, team.name);
				goto out;
			}
	printf("team %s: %s%s%s%s stops being a facilitator (no more reports to them)\n",
	    team.name, old->name ? old->name : "", old->name ? " <" : "", old->address,
	    old->name ? ">" : "");
	if (new_addr != NULL)
		printf("team %s: %s%s%s%s becomes one: the team's weekly reports go to them from now "
		    "on\n", team.name, new_name ? new_name : "", new_name ? " <" : "", new_addr,
		    new_name ? ">" : "");
	if (team_sessions(&f, &p, &team, old->address, new_addr, NULL, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	if (new_addr == NULL && l.n == 1)
		printf("\nwarning: team %s has no facilitator left: its weekly report would go "
		    "nowhere;\n         add one: feedbackctl facilitator add %s EMAIL\n", team.name,
		    team.name);
	if (!yes) {
		printf("\nnothing changed: run again with --yes to apply\n");
		rc = CTL_OK;
		goto out;
	}
	if (db_begin(c->db, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	r = store_facilitator_remove(c->db, old->id, c->now, &err);
	if (r == 0 && new_addr != NULL &&
	    (r = store_facilitator_restore(c->db, team.id, new_addr, new_name, &id, &err)) == 1)
		r = store_facilitator_add(c->db, team.id, new_name, new_addr, c->now, NULL, &err);
	if (r < 0 || team_sessions(&f, &p, &team, old->address, new_addr, &mails, &err) < 0) {
		db_rollback(c->db);
		ctl_error("%s", err.msg);
		goto out;
	}
	if (db_commit(c->db, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	printf("\ndone: %zu message%s queued\n", mails, mails == 1 ? "" : "s");
	rc = CTL_OK;
out:
	store_facilitator_list_release(&l);
	store_program_release(&p);
	store_team_release(&team);
	outmail_templates_free(tpl);
	return rc;
}

static int
read_opts(int argc, char **argv, const char **name, int *yes)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "yes", no_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'n' && name != NULL)
			*name = optarg;
		else if (ch == 'y')
			*yes = 1;
		else
			return -1;
	}
	return 0;
}

int
ctl_facilitator_remove(struct ctl *c, int argc, char **argv)
{
	int yes = 0;

	if (read_opts(argc, argv, NULL, &yes) < 0)
		return ctl_usage(ctl_facilitator_change_usage, 0);
	if (argc - optind != 2) {
		ctl_error("remove: give %s", argc - optind < 1 ? "the team and the facilitator" :
		    argc - optind < 2 ? "the facilitator (address or name)" :
		    "only the team and the facilitator");
		return ctl_usage(ctl_facilitator_change_usage, 0);
	}
	return change(c, argv[optind], argv[optind + 1], NULL, NULL, yes);
}

int
ctl_facilitator_replace(struct ctl *c, int argc, char **argv)
{
	const char *name = NULL;
	struct buf addr = BUF_INIT;
	struct fb_error err;
	int yes = 0, rc;

	if (read_opts(argc, argv, &name, &yes) < 0)
		return ctl_usage(ctl_facilitator_change_usage, 0);
	if (argc - optind != 3) {
		ctl_error("replace: give %s", argc - optind < 2 ?
		    "the team, the facilitator who leaves and the new one's address" :
		    argc - optind < 3 ? "the new facilitator's address" :
		    "only the team, the old facilitator and the new address");
		return ctl_usage(ctl_facilitator_change_usage, 0);
	}
	if (addr_parse(argv[optind + 2], &addr, NULL, &err) < 0)
		return ctl_error("%s: %s", argv[optind + 2], err.msg);
	rc = change(c, argv[optind], argv[optind + 1], addr.data, name, yes);
	buf_release(&addr);
	return rc;
}
