/*
 * ctl_member_sync — feedbackctl member import TEAM FILE.csv --sync: the file is the team as it
 * should be. The plan in four groups (added, changed and which fields, absent from the file,
 * unchanged) is printed; applied only with --yes, in one transaction with the invitations to
 * sessions ahead brought in line. A person is recognised by an address of theirs, or by their
 * full name (case and accents ignored, match.h) when the address changed: the same name with a
 * new address is a change of address, never a second member.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "ctl.h"
#include "flow.h"
#include "match.h"
#include "membership.h"
#include "outmail.h"
#include "roster.h"
#include "store.h"
#include "vocab.h"
#include "banned.h"

#define SYNC_MAX_BYTES (16 * 1024 * 1024)

/* Fields that change for a member: bits. */
#define CH_NAME 0x1u
#define CH_ADDRESS 0x2u
#define CH_TIMEZONE 0x4u
#define CH_LANGUAGE 0x8u

/* What becomes of one row of the file. */
struct sync_row {
	const struct roster_row *row;
	struct member *m;       /* the member it is, NULL: added */
	unsigned changes;       /* CH_* */
	int left;               /* the member left the programme before: not brought back */
};

static int
differs(const char *want, const char *have)
{
	return want != NULL && strcmp(want, have ? have : "") != 0;
}

/* The member of team l with address (any of theirs), or NULL; -1 on a database error. */
static int
by_address(struct ctl *c, const struct team *team, struct member_list *l, const char *address,
    struct member **out, struct fb_error *err)
{
	struct member m;
	int rc = store_member_by_address(c->db, team->program_id, address, &m, err);

	*out = NULL;
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].id == m.id)
			*out = &l->v[i];
	if (*out == NULL)
		fb_error_set(err, "%s belongs to %s of team %s", address, m.name, m.team_name);
	store_member_release(&m);
	return *out == NULL ? -1 : 0;
}

/* The one member of l not yet taken whose full name is name (case and accents ignored). */
static struct member *
by_name(struct member_list *l, const char *name, const unsigned char *taken)
{
	struct match_candidate one;
	struct match_result r;
	struct member *found = NULL;

	for (size_t i = 0; i < l->n; i++) {
		if (taken[i] || member_status_from_name(l->v[i].status) == MEMBER_ERASED)
			continue;
		one.name = l->v[i].name;
		one.address = l->v[i].address;
		if (match_colleague(&one, 1, name, &r) == MATCH_NAME) {
			if (found != NULL)
				return NULL; /* two of that name: not guessed at */
			found = &l->v[i];
		}
	}
	return found;
}

static void
print_changes(const struct sync_row *s)
{
	const struct member *m = s->m;
	const struct roster_row *r = s->row;
	const char *sep = "";

	printf("  ~ %s <%s>:", m->name, m->address);
	if (s->changes & CH_NAME) {
		printf(" name \"%s\" -> \"%s\"", m->name, r->name);
		sep = ";";
	}
	if (s->changes & CH_ADDRESS) {
		printf("%s address %s -> %s", sep, m->address, r->address);
		sep = ";";
	}
	if (s->changes & CH_TIMEZONE) {
		printf("%s time zone %s -> %s", sep, m->timezone ? m->timezone : "(the programme's)",
		    r->timezone);
		sep = ";";
	}
	if (s->changes & CH_LANGUAGE)
		printf("%s language %s -> %s", sep, m->language ? m->language : "(the programme's)",
		    r->language);
	printf("\n");
}

/* Apply the plan in one transaction; 0, or -1 with err (nothing applied). */
static int
apply_plan(struct ctl *c, const struct flow *f, const struct program *p, const struct team *team,
    const struct sync_row *rows, size_t nrows, struct member_list *l, const unsigned char *taken,
    int remove_absent, size_t *mails, size_t *stopped, struct fb_error *err)
{
	int sync = 0, n;

	if (db_begin(c->db, err) < 0)
		return -1;
	for (size_t i = 0; i < nrows; i++) {
		const struct sync_row *s = &rows[i];
		const struct roster_row *r = s->row;

		if (s->m == NULL) {
			if (store_member_add(c->db, team->id, r->name, r->address, r->timezone,
			    r->language, c->now, NULL, err) < 0)
				goto fail;
			sync = 1;
			continue;
		}
		if ((s->changes & (CH_NAME | CH_TIMEZONE | CH_LANGUAGE)) &&
		    store_member_update(c->db, s->m->id, s->changes & CH_NAME ? r->name : NULL,
		    s->changes & CH_TIMEZONE ? r->timezone : NULL,
		    s->changes & CH_LANGUAGE ? r->language : NULL, err) < 0)
			goto fail;
		if (s->changes & CH_ADDRESS) {
			if (store_member_set_primary(c->db, s->m->id, r->address, err) < 0)
				goto fail;
			sync = 1;
		}
	}
	for (size_t i = 0; remove_absent && i < l->n; i++) {
		if (taken[i] || member_status_from_name(l->v[i].status) != MEMBER_ACTIVE)
			continue;
		if ((n = store_member_leave(c->db, l->v[i].id, c->now, err)) < 0)
			goto fail;
		*stopped += (size_t)n;
		sync = 1;
	}
	/* Once for the whole team: new people invited, new addresses invited and old ones
	 * cancelled, those who left cancelled (session sync's code). */
	if (sync && membership_sync_sessions(f, p, team->id, mails, err) < 0)
		goto fail;
	return db_commit(c->db, err);
fail:
	db_rollback(c->db);
	return -1;
}

int
ctl_member_import_sync(struct ctl *c, int argc, char **argv)
{
	const char *team_spec = NULL, *file = NULL;
	struct outmail_templates *tpl = NULL;
	struct buf data = BUF_INIT;
	struct roster r = { 0 };
	struct team team = { 0 };
	struct program p = { 0 };
	struct member_list l = { 0 };
	struct sync_row *rows = NULL;
	unsigned char *taken = NULL;
	struct flow f;
	struct fb_error err;
	size_t nadd = 0, nchange = 0, nsame = 0, nabsent = 0, mails = 0, stopped = 0;
	int yes = 0, remove_absent = 0, rc = CTL_FAIL;
	char spec[24];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--sync") == 0)
			continue;
		else if (strcmp(argv[i], "--yes") == 0)
			yes = 1;
		else if (strcmp(argv[i], "--remove-absent") == 0)
			remove_absent = 1;
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return ctl_error("import --sync: unknown option %s (accepted: --remove-absent, "
			    "--yes)", argv[i]);
		else if (team_spec == NULL)
			team_spec = argv[i];
		else if (file == NULL)
			file = argv[i];
		else
			return ctl_error("import --sync: one TEAM and one FILE.csv; \"%s\" is one too "
			    "many", argv[i]);
	}
	if (file == NULL)
		return ctl_error("import --sync: give TEAM and FILE.csv%s", team_spec ?
		    " (the file is missing)" : "");
	if (ctl_flow_open(c, &f, &tpl) != CTL_OK)
		goto out;
	if (store_team_get(c->db, team_spec, &team, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	snprintf(spec, sizeof(spec), "%lld", (long long)team.program_id);
	if (store_program_get(c->db, spec, &p, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	if (buf_read_file(&data, file, SYNC_MAX_BYTES) < 0) {
		ctl_error("%s: %s", file, errno == EFBIG ? "larger than 16 MB: not a member list" :
		    strerror(errno));
		goto out;
	}
	if (roster_parse(data.data, data.len, file, &r) < 0) {
		ctl_error("out of memory");
		goto out;
	}
	for (size_t i = 0; i < r.nrows; i++)
		if (ctl_member_check_fields(r.rows[i].timezone, r.rows[i].language, &err) < 0)
			roster_problem(&r, file, r.rows[i].line, "%s", err.msg);
	if (store_member_list(c->db, 0, team.id, &l, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	rows = calloc(r.nrows + 1, sizeof(*rows));
	taken = calloc(l.n + 1, 1);
	if (rows == NULL || taken == NULL) {
		ctl_error("out of memory");
		goto out;
	}
	/* Addresses first (they are sure), then names for the rows left over. */
	for (size_t i = 0; i < r.nrows; i++) {
		rows[i].row = &r.rows[i];
		if (by_address(c, &team, &l, r.rows[i].address, &rows[i].m, &err) < 0) {
			roster_problem(&r, file, r.rows[i].line, "%s", err.msg);
			continue;
		}
		if (rows[i].m != NULL)
			taken[rows[i].m - l.v] = 1;
	}
	for (size_t i = 0; i < r.nrows; i++) {
		if (rows[i].m != NULL)
			continue;
		if ((rows[i].m = by_name(&l, r.rows[i].name, taken)) != NULL)
			taken[rows[i].m - l.v] = 1;
	}
	if (r.nproblems > 0) {
		fputs(buf_failed(&r.problems) ? "(out of memory listing the problems)\n" :
		    r.problems.data, stderr);
		ctl_error("%s: %zu problem%s; nothing was changed", file, r.nproblems,
		    r.nproblems == 1 ? "" : "s");
		goto out;
	}
	for (size_t i = 0; i < r.nrows; i++) {
		struct sync_row *s = &rows[i];
		const struct member *m = s->m;

		if (m == NULL) {
			nadd++;
			continue;
		}
		if (member_status_from_name(m->status) != MEMBER_ACTIVE) {
			s->left = 1;
			continue;
		}
		if (strcmp(s->row->name, m->name) != 0)
			s->changes |= CH_NAME;
		if (strcasecmp(s->row->address, m->address) != 0)
			s->changes |= CH_ADDRESS;
		if (differs(s->row->timezone, m->timezone))
			s->changes |= CH_TIMEZONE;
		if (differs(s->row->language, m->language))
			s->changes |= CH_LANGUAGE;
		if (s->changes)
			nchange++;
		else
			nsame++;
	}
	for (size_t i = 0; i < l.n; i++)
		nabsent += !taken[i] && member_status_from_name(l.v[i].status) == MEMBER_ACTIVE;

	printf("team %s (programme %s) and %s:\n", team.name, p.name, file);
	if (strcmp(r.encoding, "UTF-8") != 0)
		printf("(%s read as %s and converted to UTF-8)\n", file, r.encoding);
	printf("added (%zu):\n", nadd);
	for (size_t i = 0; i < r.nrows; i++)
		if (rows[i].m == NULL)
			printf("  + %s <%s>\n", rows[i].row->name, rows[i].row->address);
	printf("changed (%zu):\n", nchange);
	for (size_t i = 0; i < r.nrows; i++)
		if (rows[i].m != NULL && rows[i].changes)
			print_changes(&rows[i]);
	printf("absent from the file (%zu): %s\n", nabsent, nabsent == 0 ? "" : remove_absent ?
	    "they leave the programme (as member remove)" :
	    "kept in the team (--remove-absent to have them leave)");
	for (size_t i = 0; i < l.n; i++) {
		if (taken[i] || member_status_from_name(l.v[i].status) != MEMBER_ACTIVE)
			continue;
		printf("  - %s <%s>\n", l.v[i].name, l.v[i].address);
		if (remove_absent && ctl_member_leave_plan(c, &f, &p, &l.v[i], "      ") != CTL_OK)
			goto out;
	}
	printf("unchanged (%zu):\n", nsame);
	for (size_t i = 0; i < r.nrows; i++)
		if (rows[i].m != NULL && !rows[i].changes && !rows[i].left)
			printf("    %s <%s>\n", rows[i].m->name, rows[i].m->address);
	for (size_t i = 0; i < r.nrows; i++)
		if (rows[i].left)
			printf("note: %s <%s> left the programme before: kept as left, not brought "
			    "back\n", rows[i].m->name, rows[i].m->address);
	if (nadd + nchange + (remove_absent ? nabsent : 0) == 0) {
		printf("Nothing to change.\n");
		rc = CTL_OK;
		goto out;
	}
	if (!yes) {
		printf("Nothing was changed: add --yes to apply.\n");
		rc = CTL_OK;
		goto out;
	}
	if (apply_plan(c, &f, &p, &team, rows, r.nrows, &l, taken, remove_absent, &mails,
	    &stopped, &err) < 0) {
		ctl_error("%s; nothing was changed", err.msg);
		goto out;
	}
	printf("applied: %zu added, %zu changed, %zu left the programme; %zu session message%s "
	    "queued", nadd, nchange, remove_absent ? nabsent : 0, mails, mails == 1 ? "" : "s");
	if (stopped > 0)
		printf(", %zu waiting message%s not sent", stopped, stopped == 1 ? "" : "s");
	printf("\n");
	rc = CTL_OK;
out:
	free(rows);
	free(taken);
	store_member_list_release(&l);
	roster_release(&r);
	buf_release(&data);
	store_program_release(&p);
	store_team_release(&team);
	outmail_templates_free(tpl);
	return rc;
}
