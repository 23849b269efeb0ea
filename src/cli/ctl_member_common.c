/*
 * ctl_member_common — what the files of `feedbackctl member` (ctl_member.c, ctl_member_change.c,
 * ctl_member_sync.c, ctl_privacy.c) and `status` share: the usage text, the checks of a
 * member's fields, the one way a MEMBER argument is read (ctl_member_pick, match.h), and what a
 * member is now (away, unreachable, left, lagging). It calls none of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ctl.h"
#include "fbtime.h"
#include "flow.h"
#include "match.h"
#include "report.h"
#include "store.h"
#include "store_report.h"
#include "vocab.h"
#include "banned.h"

static const char member_usage[] =
	"usage: feedbackctl member add TEAM NAME EMAIL [--timezone ZONE] [--language nl|en]\n"
	"       feedbackctl member import TEAM FILE.csv [--sync [--remove-absent] [--yes]]\n"
	"       feedbackctl member list [TEAM | --program PROGRAM] [--json]\n"
	"       feedbackctl member update MEMBER [--name NAME] [--address EMAIL]\n"
	"                 [--language nl|en] [--timezone ZONE] [--program PROGRAM]\n"
	"       feedbackctl member remove MEMBER [--program PROGRAM] [--yes]\n"
	"       feedbackctl member absent MEMBER --from DATE --until DATE [--program PROGRAM]\n"
	"       feedbackctl member reachable MEMBER [--program PROGRAM]\n"
	"       feedbackctl member export MEMBER [--program PROGRAM]\n"
	"       feedbackctl member erase MEMBER [--program PROGRAM] --yes\n"
	"\n"
	"MEMBER  an address of theirs, the full name, a first name or surname only one member\n"
	"        has, the unique start of a name (\"Jans\"), or an id; case and accents are\n"
	"        ignored. Several fit: the candidates are listed; a typo: \"did you mean\";\n"
	"        nothing is done then. erase takes no start of a name.\n"
	"import  a CSV with a header row: name (naam) and email (e-mail) columns, optional\n"
	"        timezone (tijdzone) and language (taal); ';' or ',' separated, UTF-8 with or\n"
	"        without BOM. Every line is checked first: one bad line imports nothing.\n"
	"        With --sync the file is the team as it should be: the plan (added, changed,\n"
	"        absent from the file, unchanged) is printed and applied only with --yes; a\n"
	"        person is recognised by address, or by name when the address changed. The\n"
	"        absent stay in the team unless --remove-absent (they leave, as with remove).\n"
	"list    per member: away today, unreachable, left, lagging (the weekly report's rule\n"
	"        for the last full week).\n"
	"update  change name, primary address (the old one stays theirs: replies from it still\n"
	"        count, mail goes to the new one; invitations to coming sessions follow),\n"
	"        language or time zone (\"\" for the programme's).\n"
	"remove  the member leaves the programme: no more mail of any kind, invitations to\n"
	"        coming sessions cancelled, history and counts kept, reports show \"left\".\n"
	"        Without --yes it prints what would happen and changes nothing.\n"
	"absent  dates are YYYY-MM-DD, inclusive. Nothing automatic is sent to an absent member.\n"
	"reachable  clear the member's \"unreachable\" mark (set when their address bounced,\n"
	"        see [outgoing] bounce_threshold) and forget the bounces counted so far: mail\n"
	"        to them resumes. A reply of theirs to one of our messages does the same.\n";

const char *
ctl_member_usage(void)
{
	return member_usage;
}

int
ctl_member_check_fields(const char *timezone, const char *language, struct fb_error *err)
{
	if (timezone != NULL && !fbtime_zone_valid(timezone))
		return fb_error_set(err, "time zone \"%s\" is not known (use an IANA name such "
		    "as Europe/Amsterdam)", timezone);
	if (language != NULL && strcmp(language, "nl") != 0 && strcmp(language, "en") != 0)
		return fb_error_set(err, "language \"%s\": accepted values are nl, en", language);
	return 0;
}

/* ---- a MEMBER argument ------------------------------------------------------------------------ */

/* "Name <address>" of each of l's members at idx[0..n), ", "-separated, into out. */
static void
list_candidates(const struct member_list *l, const size_t *idx, const size_t *map, size_t n,
    struct buf *out)
{
	for (size_t i = 0; i < n; i++)
		buf_putf(out, "%s%s <%s>", i ? ", " : "", l->v[map[idx[i]]].name,
		    l->v[map[idx[i]]].address);
}

int
ctl_member_pick(struct ctl *c, int64_t program_id, const char *spec, int exact,
    struct member *out)
{
	struct member_list l = { 0 };
	struct match_candidate *cand = NULL;
	size_t *map = NULL, n = 0;
	struct match_result r;
	struct fb_error err;
	struct buf names = BUF_INIT;
	const char *d = spec;
	int rc = CTL_FAIL;

	if (ctl_db(c) == NULL)
		return CTL_FAIL;
	while (*d >= '0' && *d <= '9')
		d++;
	if (*spec != '\0' && *d == '\0') {
		/* An id, as the lists show it. */
		if (store_member_find(c->db, program_id, 0, spec, out, &err) < 0)
			return ctl_error("%s", err.msg);
		return CTL_OK;
	}
	if (store_member_list(c->db, program_id, 0, &l, &err) < 0)
		return ctl_error("%s", err.msg);
	cand = calloc(l.n + 1, sizeof(*cand));
	map = calloc(l.n + 1, sizeof(*map));
	if (cand == NULL || map == NULL) {
		ctl_error("out of memory");
		goto out;
	}
	for (size_t i = 0; i < l.n; i++) {
		if (member_status_from_name(l.v[i].status) == MEMBER_ERASED)
			continue;
		cand[n].name = l.v[i].name;
		cand[n].address = l.v[i].address;
		map[n++] = i;
	}
	switch (match_colleague(cand, n, spec, &r)) {
	case MATCH_FUZZY:
		if (r.prefix && !exact)
			break;
		ctl_error("no member \"%s\"; did you mean %s <%s>? Nothing was done.", spec,
		    l.v[map[r.index]].name, l.v[map[r.index]].address);
		if (exact)
			fprintf(stderr, "feedbackctl: this command takes the full name, a unique "
			    "first name, an address or an id\n");
		goto out;
	case MATCH_AMBIGUOUS:
		list_candidates(&l, r.alternatives, map, r.nalternatives, &names);
		ctl_error("\"%s\" fits several members. Which one? %s. Nothing was done: give the "
		    "full name, the address or the id.", spec, buf_failed(&names) ? "(out of memory)" :
		    names.data);
		goto out;
	case MATCH_NONE:
		/* An address may also be a secondary one of a member (any of theirs counts). */
		if (strchr(spec, '@') != NULL &&
		    store_member_find(c->db, program_id, 0, spec, out, &err) == 0) {
			rc = CTL_OK;
			goto out;
		}
		for (size_t i = 0; i < n && i < 20; i++)
			buf_putf(&names, "%s%s", i ? ", " : "", cand[i].name);
		ctl_error("no member \"%s\"; members are: %s%s", spec,
		    buf_failed(&names) ? "(out of memory)" : n ? names.data : "(none)",
		    n > 20 ? ", … (feedbackctl member list)" : "");
		if (r.nalternatives > 0) {
			buf_reset(&names);
			list_candidates(&l, r.alternatives, map, r.nalternatives, &names);
			ctl_error("did you mean %s? Nothing was done.", buf_failed(&names) ?
			    "(out of memory)" : names.data);
		}
		goto out;
	default:
		break;
	}
	*out = l.v[map[r.index]];
	/* The row now belongs to out: take it out of the list before releasing that. */
	memset(&l.v[map[r.index]], 0, sizeof(*l.v));
	rc = CTL_OK;
out:
	buf_release(&names);
	free(cand);
	free(map);
	store_member_list_release(&l);
	return rc;
}

/* ---- what a member is now -------------------------------------------------------------------- */

/* The members of the report set who lag in its week: their ids into *ids (malloc'd). */
static int
lagging_ids(struct ctl *c, const struct program *p, int64_t team_id, int week, int64_t **ids,
    size_t *nids, struct fb_error *err)
{
	struct report_set set = REPORT_SET_INIT;
	struct report_rules rules;
	size_t cap = 0;
	int rc = 0;

	*ids = NULL;
	*nids = 0;
	if (store_report_weekly_load(c->db, p, team_id, week, c->now, &set, err) < 0)
		return -1;
	flow_report_rules(c->cfg, &rules);
	for (size_t t = 0; t < set.n && rc == 0; t++) {
		struct report r = REPORT_INIT;

		if (report_weekly(&set.teams[t].in, &rules, &r, err) < 0) {
			rc = -1;
			break;
		}
		for (size_t i = 0; i < r.n; i++) {
			if (r.members[i].status != REPORT_LAGGING)
				continue;
			if (*nids == cap) {
				int64_t *v = realloc(*ids, (cap = cap ? 2 * cap : 16) * sizeof(**ids));

				if (v == NULL) {
					rc = fb_error_set(err, "out of memory");
					break;
				}
				*ids = v;
			}
			(*ids)[(*nids)++] = r.members[i].in->id;
		}
		report_release(&r);
	}
	store_report_set_release(&set);
	if (rc < 0) {
		free(*ids);
		*ids = NULL;
		*nids = 0;
	}
	return rc;
}

int
ctl_member_states(struct ctl *c, const struct program *p, int64_t team_id, int week,
    const struct member_list *l, struct ctl_member_state *out)
{
	struct flow f;
	struct fb_error err;
	char today[11];
	int64_t *lag = NULL;
	size_t nlag = 0;

	if (ctl_config(c) == NULL || ctl_db(c) == NULL)
		return CTL_FAIL;
	f = (struct flow){ .db = c->db, .cfg = c->cfg, .now = c->now };
	if (flow_today(&f, p, today, &err) < 0)
		return ctl_error("%s", err.msg);
	if (week >= 1 && week <= p->weeks &&
	    lagging_ids(c, p, team_id, week, &lag, &nlag, &err) < 0)
		return ctl_error("lagging: %s", err.msg);
	for (size_t i = 0; i < l->n; i++) {
		const struct member *m = &l->v[i];
		struct ctl_member_state *s = &out[i];
		int away;

		memset(s, 0, sizeof(*s));
		s->left = member_status_from_name(m->status) != MEMBER_ACTIVE;
		s->unreachable = !s->left && (m->undeliverable_at != 0 || m->complained_at != 0);
		if (!s->left) {
			if ((away = store_member_is_away(c->db, m->id, today, &err)) < 0) {
				free(lag);
				return ctl_error("%s", err.msg);
			}
			s->away = away;
		}
		for (size_t k = 0; k < nlag && !s->left; k++)
			s->lagging |= lag[k] == m->id;
	}
	free(lag);
	return CTL_OK;
}

const char *
ctl_member_state_words(const struct member *m, const struct ctl_member_state *s, char *out,
    size_t n)
{
	if (s->left) {
		snprintf(out, n, "%s", m->status);
		return out;
	}
	snprintf(out, n, "%s%s%s", m->complained_at ? "complained (no mail)" :
	    s->unreachable ? "unreachable" : "active", s->away ? ", away" : "",
	    s->lagging ? ", lagging" : "");
	return out;
}

