/*
 * ctl_session — feedbackctl session: schedule, move, cancel and list the kickoff, progress and
 * evaluation sessions. The invitations are made by the invite module (include/invite.h) and
 * queued in the outbox in the same transaction as the change; the daemon sends them.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ctl.h"
#include "fbtime.h"
#include "flow.h"
#include "invite.h"
#include "outmail.h"
#include "store.h"
#include "store_session.h"
#include "table.h"
#include "banned.h"

static const char session_usage[] =
	"usage: feedbackctl session schedule PROGRAM kickoff|progress|evaluation --at TIME\n"
	"                                    --duration LENGTH [--location TEXT]\n"
	"                                    [--online-url URL] [--team TEAM]\n"
	"       feedbackctl session move ID [--at TIME] [--duration LENGTH] [--location TEXT]\n"
	"                                   [--online-url URL]\n"
	"       feedbackctl session cancel ID\n"
	"       feedbackctl session sync ID\n"
	"       feedbackctl session list [PROGRAM] [--json]\n"
	"       feedbackctl session show ID [--json]\n"
	"\n"
	"schedule  invite the team's members and facilitators (every team's without --team):\n"
	"          one calendar invitation each, from the programme's organizer address\n"
	"move      a new time, length or place: the full invitation again (same UID, SEQUENCE+1)\n"
	"cancel    a cancellation (METHOD:CANCEL) to everyone invited\n"
	"sync      invite people who joined the team since, cancel for people who left\n"
	"list      sessions with their answers: accepted, declined, tentative, no answer\n"
	"show      one session and every attendee's answer\n"
	"\n"
	"TIME is local to the programme's zone, \"YYYY-MM-DD HH:MM\" (or ISO 8601 with Z or an\n"
	"offset). LENGTH is minutes (90, 90m) or hours and minutes (1h30m, 2h).\n";

/* "90", "90m", "1h30m", "2h", "1h30": minutes, or -1. */
static int
parse_duration(const char *s)
{
	long total = 0, n;
	char *end;
	int seen_h = 0;

	if (s == NULL || *s == '\0')
		return -1;
	while (*s != '\0') {
		if (!isdigit((unsigned char)*s))
			return -1;
		n = strtol(s, &end, 10);
		if (n < 0 || n > 100000)
			return -1;
		if (*end == 'h' && !seen_h) {
			total += n * 60;
			seen_h = 1;
			end++;
		} else if (*end == 'm' || *end == '\0') {
			total += n;
			if (*end == 'm')
				end++;
			if (*end != '\0')
				return -1;
		} else {
			return -1;
		}
		s = end;
	}
	return total > 0 && total <= 24 * 60 ? (int)total : -1;
}

/* ID of command cmd: CTL_OK, or CTL_USAGE after saying it is none. */
static int
parse_id(const char *cmd, const char *s, int64_t *id)
{
	return ctl_usage_id(session_usage, cmd, s, "session id (feedbackctl session list shows "
	    "them)", id);
}

/* The programme a session belongs to. */
static int
program_of_session(struct ctl *c, int64_t id, struct program *p)
{
	struct session s;
	struct fb_error err;
	char spec[24];

	if (store_session_get(c->db, id, &s, &err) < 0)
		return ctl_error("%s", err.msg);
	snprintf(spec, sizeof(spec), "%lld", (long long)s.program_id);
	store_session_release(&s);
	if (store_program_get(c->db, spec, p, &err) < 0)
		return ctl_error("%s", err.msg);
	return CTL_OK;
}

/* Run op in one transaction: the session change and its outbox rows together. */
static int
commit_or_roll_back(struct ctl *c, int rc, struct fb_error *err)
{
	if (rc < 0) {
		db_rollback(c->db);
		return ctl_error("%s", err->msg);
	}
	if (db_commit(c->db, err) < 0)
		return ctl_error("%s", err->msg);
	return CTL_OK;
}

static void
print_when(const struct program *p, const struct session *s)
{
	struct buf b = BUF_INIT;

	fbtime_format_local(p->timezone, s->starts_at, &b);
	printf("%s, %d min", b.data ? b.data : "?", s->duration_min);
	buf_release(&b);
}

static const struct option change_opts[] = {
	{ "at", required_argument, NULL, 'a' },
	{ "duration", required_argument, NULL, 'd' },
	{ "location", required_argument, NULL, 'l' },
	{ "online-url", required_argument, NULL, 'u' },
	{ "team", required_argument, NULL, 't' },
	{ NULL, 0, NULL, 0 },
};

struct change_args {
	const char *at, *duration, *location, *url, *team;
};

/* The options of schedule (team_allowed) and move; cmd names the command for errors. */
static int
read_change_opts(int argc, char **argv, struct change_args *a, int team_allowed,
    const char *cmd)
{
	int ch;

	memset(a, 0, sizeof(*a));
	optind = 1;
	opterr = 0; /* ctl_option_error says what is wrong */
	while ((ch = getopt_long(argc, argv, "", change_opts, NULL)) != -1) {
		switch (ch) {
		case 'a': a->at = optarg; break;
		case 'd': a->duration = optarg; break;
		case 'l': a->location = optarg; break;
		case 'u': a->url = optarg; break;
		case 't':
			if (!team_allowed)
				return ctl_usage_error(session_usage, cmd, "--team is given when a "
				    "session is scheduled, not later");
			a->team = optarg;
			break;
		default:
			return ctl_option_error(session_usage, cmd, argv, change_opts);
		}
	}
	return CTL_OK;
}

static int
bad_duration(const char *cmd, const char *d)
{
	return ctl_usage_error(session_usage, cmd, "--duration %s: give minutes (90, 90m) or "
	    "hours and minutes (1h30m), at most 24 hours", d);
}

static int
session_schedule(struct ctl *c, int argc, char **argv)
{
	struct change_args a;
	struct flow f;
	struct outmail_templates *tpl = NULL;
	struct program p = { 0 };
	struct team team = { 0 };
	struct session s;
	struct fb_error err;
	size_t mails = 0;
	int rc = CTL_FAIL;

	if (read_change_opts(argc, argv, &a, 1, "session schedule") != CTL_OK ||
	    ctl_operands(session_usage, "session schedule", argc, argv, optind, 2, 2,
	    "PROGRAM kickoff|progress|evaluation") != CTL_OK ||
	    ctl_required(session_usage, "session schedule", a.at, "--at TIME") != CTL_OK ||
	    ctl_required(session_usage, "session schedule", a.duration, "--duration LENGTH") !=
	    CTL_OK)
		return CTL_USAGE;
	memset(&s, 0, sizeof(s));
	if (snprintf(s.kind, sizeof(s.kind), "%s", argv[optind + 1]) >= (int)sizeof(s.kind) ||
	    (strcmp(s.kind, "kickoff") != 0 && strcmp(s.kind, "progress") != 0 &&
	    strcmp(s.kind, "evaluation") != 0))
		return ctl_usage_error(session_usage, "session schedule", "session kind \"%s\": "
		    "accepted values are kickoff, progress, evaluation", argv[optind + 1]);
	if ((s.duration_min = parse_duration(a.duration)) < 0)
		return bad_duration("session schedule", a.duration);
	if (ctl_flow_open(c, &f, &tpl) != CTL_OK)
		return CTL_FAIL;
	if (ctl_pick_program(c, argv[optind], &p) != CTL_OK)
		goto out;
	if (fbtime_parse(a.at, p.timezone, &s.starts_at, &err) < 0) {
		rc = ctl_usage_error(session_usage, "session schedule", "--at %s", err.msg);
		goto out;
	}
	if (a.team != NULL) {
		struct buf spec = BUF_INIT;

		if (strchr(a.team, '/') == NULL)
			buf_putf(&spec, "%s/%s", p.name, a.team);
		else
			buf_puts(&spec, a.team);
		if (buf_failed(&spec)) {
			buf_release(&spec);
			ctl_error("out of memory");
			goto out;
		}
		if (store_team_get(c->db, spec.data ? spec.data : "", &team, &err) < 0) {
			buf_release(&spec);
			ctl_error("%s", err.msg);
			goto out;
		}
		buf_release(&spec);
		if (team.program_id != p.id) {
			ctl_error("team %s is not in programme %s", team.name, p.name);
			goto out;
		}
		s.team_id = team.id;
	}
	s.location = a.location && *a.location ? strdup(a.location) : NULL;
	s.online_url = a.url && *a.url ? strdup(a.url) : NULL;
	if (db_begin(c->db, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	rc = commit_or_roll_back(c, invite_schedule(&f, &p, &s, &mails, &err), &err);
	if (rc == CTL_OK) {
		printf("session %lld: %s of %s%s%s, ", (long long)s.id, s.kind, p.name,
		    team.name ? ", team " : "", team.name ? team.name : "");
		print_when(&p, &s);
		printf("\n%zu invitation%s queued (UID %s)\n", mails, mails == 1 ? "" : "s", s.uid);
	}
out:
	store_session_release(&s);
	store_team_release(&team);
	store_program_release(&p);
	outmail_templates_free(tpl);
	return rc;
}

/* move, cancel and sync: ID, then the operation in one transaction. */
static int
session_change(struct ctl *c, int argc, char **argv, const char *what)
{
	struct change_args a;
	struct flow f;
	struct outmail_templates *tpl = NULL;
	struct program p = { 0 };
	struct invite_change ch = { 0 };
	struct fb_error err;
	struct session s;
	size_t mails = 0;
	int64_t id = 0;
	int rc = CTL_FAIL, r;

	char cmd[16];

	snprintf(cmd, sizeof(cmd), "session %s", what);
	if (read_change_opts(argc, argv, &a, 0, cmd) != CTL_OK ||
	    ctl_operands(session_usage, cmd, argc, argv, optind, 1, 1, "ID") != CTL_OK)
		return CTL_USAGE;
	if (strcmp(what, "move") != 0 && (a.at || a.duration || a.location || a.url))
		return ctl_usage_error(session_usage, cmd, "takes no options: only move changes "
		    "--at, --duration, --location or --online-url");
	if (strcmp(what, "move") == 0 && !a.at && !a.duration && !a.location && !a.url)
		return ctl_usage_error(session_usage, cmd, "missing what to change: --at, "
		    "--duration, --location or --online-url");
	if (parse_id(cmd, argv[optind], &id) != CTL_OK)
		return CTL_USAGE;
	if (a.duration != NULL && (ch.duration_min = parse_duration(a.duration)) < 0)
		return bad_duration(cmd, a.duration);
	ch.location = a.location;
	ch.online_url = a.url;
	if (ctl_flow_open(c, &f, &tpl) != CTL_OK)
		return CTL_FAIL;
	if (program_of_session(c, id, &p) != CTL_OK)
		goto out;
	if (a.at != NULL && fbtime_parse(a.at, p.timezone, &ch.starts_at, &err) < 0) {
		rc = ctl_usage_error(session_usage, cmd, "--at %s", err.msg);
		goto out;
	}
	if (db_begin(c->db, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	if (strcmp(what, "move") == 0)
		r = invite_move(&f, &p, id, &ch, &mails, &err);
	else if (strcmp(what, "cancel") == 0)
		r = invite_cancel(&f, &p, id, &mails, &err);
	else
		r = invite_sync(&f, &p, id, &mails, &err);
	rc = commit_or_roll_back(c, r, &err);
	if (rc == CTL_OK && store_session_get(c->db, id, &s, &err) == 0) {
		printf("session %lld (%s, %s, SEQUENCE %lld): ", (long long)id, s.kind, s.status,
		    (long long)s.sequence);
		print_when(&p, &s);
		printf("\n%zu message%s queued\n", mails, mails == 1 ? "" : "s");
		store_session_release(&s);
	}
out:
	store_program_release(&p);
	outmail_templates_free(tpl);
	return rc;
}

static json_t *
session_json(const struct program *p, const struct session *s)
{
	struct buf local = BUF_INIT, utc = BUF_INIT;
	json_t *j;

	fbtime_format_local(p->timezone, s->starts_at, &local);
	fbtime_format_utc(s->starts_at, &utc);
	j = json_pack("{s:I, s:s, s:s, s:s?, s:s, s:I, s:s, s:s, s:i, s:s?, s:s?, s:s,"
	    " s:{s:i, s:i, s:i, s:i, s:i}}",
	    "id", (json_int_t)s->id, "program", p->name, "kind", s->kind, "team", s->team_name,
	    "uid", s->uid, "sequence", (json_int_t)s->sequence, "local", local.data ? local.data : "",
	    "utc", utc.data ? utc.data : "", "duration_min", s->duration_min,
	    "location", s->location, "online_url", s->online_url, "status", s->status,
	    "answers", "invited", s->invited, "accepted", s->accepted, "declined", s->declined,
	    "tentative", s->tentative, "no_answer", s->no_answer);
	buf_release(&local);
	buf_release(&utc);
	return j;
}

static int
session_list(struct ctl *c, int argc, char **argv)
{
	static const char *const head[] = { "ID", "KIND", "TEAM", "DATE", "TIME", "MIN", "STATUS",
	    "SEQ", "ACCEPTED", "DECLINED", "TENTATIVE", "NO ANSWER" };
	struct program p;
	struct session_list l = { 0 };
	struct fb_error err;
	struct table *t = NULL;
	json_t *arr = NULL;
	int rc = CTL_OK;

	if (ctl_operands(session_usage, "session list", argc, argv, 1, 0, 1, "PROGRAM") != CTL_OK)
		return CTL_USAGE;
	if (ctl_pick_program(c, argc == 2 ? argv[1] : NULL, &p) != CTL_OK)
		return CTL_FAIL;
	if (store_session_list(c->db, p.id, &l, &err) < 0) {
		rc = ctl_error("%s", err.msg);
		goto out;
	}
	if (c->json)
		arr = json_array();
	else
		t = table_new(12, head);
	for (size_t i = 0; i < l.n; i++) {
		const struct session *s = &l.v[i];
		char id[24], min[12], seq[24], n[4][12], date[11] = "?", hm[6] = "?";
		struct fb_local lt;

		if (arr != NULL) {
			json_array_append_new(arr, session_json(&p, s));
			continue;
		}
		if (fbtime_to_local(p.timezone, s->starts_at, &lt, NULL) == 0) {
			snprintf(date, sizeof(date), "%04d-%02d-%02d", lt.date.year, lt.date.month,
			    lt.date.day);
			snprintf(hm, sizeof(hm), "%02d:%02d", lt.hour, lt.min);
		}
		snprintf(id, sizeof(id), "%lld", (long long)s->id);
		snprintf(min, sizeof(min), "%d", s->duration_min);
		snprintf(seq, sizeof(seq), "%lld", (long long)s->sequence);
		snprintf(n[0], sizeof(n[0]), "%d", s->accepted);
		snprintf(n[1], sizeof(n[1]), "%d", s->declined);
		snprintf(n[2], sizeof(n[2]), "%d", s->tentative);
		snprintf(n[3], sizeof(n[3]), "%d", s->no_answer);
		const char *row[12] = { id, s->kind, s->team_name ? s->team_name : "(all)", date, hm,
		    min, s->status, seq, n[0], n[1], n[2], n[3] };
		table_add(t, row);
	}
	if (arr != NULL) {
		rc = ctl_print_json(arr);
	} else {
		printf("programme %s: %zu session%s, times in %s\n\n", p.name, l.n,
		    l.n == 1 ? "" : "s", p.timezone);
		table_print(t, stdout);
	}
out:
	table_free(t);
	store_session_list_release(&l);
	store_program_release(&p);
	return rc;
}

static int
session_show(struct ctl *c, int argc, char **argv)
{
	static const char *const head[] = { "ADDRESS", "NAME", "ROLE", "ANSWER", "SEQ", "" };
	struct program p = { 0 };
	struct session s;
	struct session_attendee_list al = { 0 };
	struct fb_error err;
	int64_t id = 0;
	int rc = CTL_FAIL;

	if (ctl_operands(session_usage, "session show", argc, argv, 1, 1, 1, "ID") != CTL_OK)
		return CTL_USAGE;
	if (parse_id("session show", argv[1], &id) != CTL_OK)
		return CTL_USAGE;
	if (ctl_db(c) == NULL)
		return CTL_FAIL;
	if (program_of_session(c, id, &p) != CTL_OK)
		return CTL_FAIL;
	if (store_session_get(c->db, id, &s, &err) < 0) {
		store_program_release(&p);
		return ctl_error("%s", err.msg);
	}
	if (store_attendee_list(c->db, id, &al, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	if (c->json) {
		json_t *j = session_json(&p, &s), *arr = json_array();

		for (size_t i = 0; i < al.n; i++) {
			const struct session_attendee *a = &al.v[i];

			json_array_append_new(arr, json_pack("{s:s, s:s?, s:s, s:s, s:b, s:o?}",
			    "address", a->address, "name", a->name,
			    "role", a->member_id > 0 ? "member" : "facilitator",
			    "partstat", a->partstat, "removed", a->removed,
			    "reply_sequence", a->has_reply ? json_integer(a->reply_sequence) : NULL));
		}
		json_object_set_new(j, "attendees", arr);
		rc = ctl_print_json(j);
		goto out;
	}
	printf("session %lld: %s of %s%s%s, %s, SEQUENCE %lld, UID %s\n", (long long)id, s.kind,
	    p.name, s.team_name ? ", team " : "", s.team_name ? s.team_name : "", s.status,
	    (long long)s.sequence, s.uid);
	print_when(&p, &s);
	printf("%s%s%s%s\n\n", s.location ? ", " : "", s.location ? s.location : "",
	    s.online_url ? ", " : "", s.online_url ? s.online_url : "");
	struct table *t = table_new(6, head);
	for (size_t i = 0; i < al.n; i++) {
		const struct session_attendee *a = &al.v[i];
		char seq[24] = "";

		if (a->has_reply)
			snprintf(seq, sizeof(seq), "%lld", (long long)a->reply_sequence);
		const char *row[6] = { a->address, a->name ? a->name : "",
		    a->member_id > 0 ? "member" : "facilitator", a->partstat, seq,
		    a->removed ? "(removed)" : "" };
		table_add(t, row);
	}
	table_print(t, stdout);
	table_free(t);
	rc = CTL_OK;
out:
	store_attendee_list_release(&al);
	store_session_release(&s);
	store_program_release(&p);
	return rc;
}

int
ctl_session(struct ctl *c, int argc, char **argv)
{
	if (ctl_wants_help(argc, argv))
		return ctl_usage(session_usage, 1);
	if (argc < 2)
		return ctl_subcommand_error(session_usage, "session", argc, argv);
	if (strcmp(argv[1], "schedule") == 0)
		return session_schedule(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "move") == 0 || strcmp(argv[1], "cancel") == 0 ||
	    strcmp(argv[1], "sync") == 0)
		return session_change(c, argc - 1, argv + 1, argv[1]);
	if (strcmp(argv[1], "list") == 0)
		return session_list(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return session_show(c, argc - 1, argv + 1);
	return ctl_subcommand_error(session_usage, "session", argc, argv);
}
