/*
 * ctl_program_edit — feedbackctl program edit | pause | resume | end. See
 * include/ctl_program_edit.h.
 *
 * Each command builds the plan as it is (before) and as it would be (after) with the same code
 * the daemon uses (flow_plan_with(): the stored sessions, the pauses given), prints what differs,
 * and with --yes writes the change and queues the calendar messages in one transaction.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ctl.h"
#include "ctl_program_edit.h"
#include "fbtime.h"
#include "flow.h"
#include "invite.h"
#include "outmail.h"
#include "plan.h"
#include "schedule.h"
#include "store.h"
#include "store_pause.h"
#include "store_session.h"
#include "vocab.h"
#include "banned.h"

const char ctl_program_edit_usage[] =
	"usage: feedbackctl program edit PROGRAM [--start DATE] [--weeks N] [--timezone ZONE]\n"
	"                                [--language nl|en] [--yes]\n"
	"       feedbackctl program pause PROGRAM --from DATE --until DATE [--yes]\n"
	"       feedbackctl program resume PROGRAM [--at DATE] [--yes]\n"
	"       feedbackctl program end PROGRAM [--at DATE] [--yes]\n"
	"\n"
	"edit    change the start (only before the programme began), the number of weeks (not\n"
	"        below the current week), the zone or the language (for mail from now on)\n"
	"pause   a holiday: nothing automatic goes out from DATE until DATE (inclusive); what\n"
	"        was planned in or after the pause moves later by the pause's length in whole\n"
	"        weeks, with calendar updates; weeks are counted without the pause. Sessions\n"
	"        keep their date (a warning names those inside the pause: session move)\n"
	"resume  end the current or next pause early, on DATE (default today)\n"
	"end     end the programme at the start of DATE (default now): no automatic mail after\n"
	"        it, upcoming sessions and calendar events cancelled\n"
	"Each shows what would change and changes nothing without --yes.\n";

/* What every change holds: the flow, the programme, its pauses and its plan as it is. */
struct change {
	struct ctl *c;
	struct flow f;
	struct outmail_templates *tpl;
	struct program p;
	struct plan_pause *pauses;
	size_t npauses;
	struct plan before;
	struct fb_date today;
};

static void
change_release(struct change *ch)
{
	plan_release(&ch->before);
	free(ch->pauses);
	store_program_release(&ch->p);
	outmail_templates_free(ch->tpl);
}

static int
change_open(struct ctl *c, const char *name, struct change *ch)
{
	struct fb_error err;
	struct fb_local l;

	memset(ch, 0, sizeof(*ch));
	ch->c = c;
	ch->before = (struct plan)PLAN_INIT;
	if (ctl_flow_open(c, &ch->f, &ch->tpl) != CTL_OK)
		return CTL_FAIL;
	if (ctl_pick_program(c, name, &ch->p) != CTL_OK) {
		outmail_templates_free(ch->tpl);
		ch->tpl = NULL;
		return CTL_FAIL;
	}
	if (flow_pauses(&ch->f, &ch->p, &ch->pauses, &ch->npauses, &err) < 0 ||
	    flow_plan_with(&ch->f, &ch->p, ch->pauses, ch->npauses, &ch->before, &err) < 0 ||
	    fbtime_to_local(ch->p.timezone, c->now, &l, &err) < 0) {
		change_release(ch);
		return ctl_error("%s", err.msg);
	}
	ch->today = l.date;
	return CTL_OK;
}

static void
format_date(const struct fb_date *d, char out[11])
{
	snprintf(out, 11, "%04d-%02d-%02d", d->year, d->month, d->day);
}

/* "Monday 2027-01-25 09:00" of a moment. */
static void
format_moment(const struct plan_moment *m, char *out, size_t n)
{
	if (!m->scheduled) {
		snprintf(out, n, "to schedule in week %d", m->week);
		return;
	}
	snprintf(out, n, "%s %04d-%02d-%02d %02d:%02d", fbtime_weekday_name(fbtime_weekday(&m->date)),
	    m->date.year, m->date.month, m->date.day, m->hour, m->min);
}

/* An ended programme changes no more. */
static int
check_not_ended(const struct change *ch)
{
	struct buf b = BUF_INIT;
	int rc;

	if (ch->p.ended_at == 0 || ch->c->now < ch->p.ended_at)
		return CTL_OK;
	fbtime_format_local(ch->p.timezone, ch->p.ended_at, &b);
	rc = ctl_error("programme %s ended on %s: it can no longer change", ch->p.name,
	    b.data ? b.data : "?");
	buf_release(&b);
	return rc;
}

/* Print the moments that move, are left out or are added from before to after (those still
 * ahead of now on either side); the number printed. */
static size_t
print_moves(const struct change *ch, const struct plan *after)
{
	const struct plan *before = &ch->before;
	time_t now = ch->c->now;
	size_t n = 0;

	for (size_t i = 0; i < before->n; i++) {
		const struct plan_moment *m = &before->moments[i];
		const struct plan_moment *a = plan_find(after, m->key);
		char was[48], will[48];

		if (m->kind == PLAN_PAUSE || (a == NULL && m->at <= now) ||
		    (a != NULL && (a->at == m->at || (a->at <= now && m->at <= now))) ||
		    (a != NULL && !a->scheduled && !m->scheduled && a->week == m->week))
			continue;
		if (n++ == 0)
			printf("\nwhat changes in the plan:\n");
		format_moment(m, was, sizeof(was));
		if (a == NULL) {
			printf("  %-40s %-26s -> left out\n", m->label, was);
			continue;
		}
		format_moment(a, will, sizeof(will));
		printf("  %-40s %-26s -> %s%s\n", m->label, was, will, a->scheduled &&
		    a->at <= now ? now - a->at > SCHEDULE_STALE ?
		    " (past: will not be sent)" : " (past: sent at the next pass)" : "");
	}
	for (size_t i = 0; i < after->n; i++) {
		const struct plan_moment *a = &after->moments[i];
		char will[48];

		if (a->kind == PLAN_PAUSE || a->at <= now || plan_find(before, a->key) != NULL)
			continue;
		if (n++ == 0)
			printf("\nwhat changes in the plan:\n");
		format_moment(a, will, sizeof(will));
		printf("  %-40s %-26s -> %s\n", a->label, "(new)", will);
	}
	if (n == 0)
		printf("\nnothing in the plan moves\n");
	return n;
}

/* The confirmed sessions still ahead that fall inside one of after's pauses, or before its
 * start: a warning each (sessions are dated events: they keep their date). */
static int
warn_sessions(const struct change *ch, const struct plan *after)
{
	struct session_list l = { 0 };
	struct fb_error err;

	if (store_session_list(ch->c->db, ch->p.id, &l, &err) < 0)
		return ctl_error("%s", err.msg);
	for (size_t i = 0; i < l.n; i++) {
		const struct session *s = &l.v[i];
		const struct plan_pause *pa = NULL;
		struct fb_local loc;
		char from[11], until[11], why[80];

		if (session_status_from_name(s->status) != SESSION_CONFIRMED ||
		    s->starts_at <= ch->c->now ||
		    fbtime_to_local(ch->p.timezone, s->starts_at, &loc, NULL) < 0)
			continue;
		if ((pa = plan_paused(after, &loc.date)) != NULL) {
			format_date(&pa->from, from);
			format_date(&pa->until, until);
			snprintf(why, sizeof(why), "falls inside the pause (%s until %s)", from, until);
		} else if (s->starts_at < after->start_at) {
			format_date(&after->start, from);
			snprintf(why, sizeof(why), "comes before the start (%s)", from);
		} else {
			continue;
		}
		printf("\nwarning: session %lld (%s%s%s) on %04d-%02d-%02d %02d:%02d %s and keeps its "
		    "date;\n         to move it: feedbackctl session move %lld --at 'YYYY-MM-DD "
		    "HH:MM'\n", (long long)s->id, s->kind, s->team_name ? ", team " : "",
		    s->team_name ? s->team_name : "", loc.date.year, loc.date.month, loc.date.day,
		    loc.hour, loc.min, why, (long long)s->id);
	}
	store_session_list_release(&l);
	return CTL_OK;
}

/* The calendar events the daemon (or apply) updates for after. */
static int
print_calendar_updates(const struct change *ch, const struct plan *after)
{
	struct fb_error err;
	size_t n = 0;

	if (invite_moments_moved(&ch->f, &ch->p, after, &n, &err) < 0)
		return ctl_error("%s", err.msg);
	if (n > 0)
		printf("\ncalendar updates: %zu questionnaire and reminder event%s move (same UID, "
		    "SEQUENCE + 1)\n", n, n == 1 ? "" : "s");
	return CTL_OK;
}

static int
not_applied(void)
{
	printf("\nnothing changed: run again with --yes to apply\n");
	return CTL_OK;
}

typedef int (*apply_fn)(struct change *ch, const void *arg, size_t *mails,
    struct fb_error *err);

/*
 * Write the change (fn) and bring the calendar events in line with the new plan, in one
 * transaction; print what was queued.
 */
static int
apply(struct change *ch, apply_fn fn, const void *arg)
{
	struct program p;
	struct plan plan = PLAN_INIT;
	struct fb_error err;
	size_t mails = 0;

	if (db_begin(ch->c->db, &err) < 0)
		return ctl_error("%s", err.msg);
	if (fn(ch, arg, &mails, &err) < 0)
		goto fail;
	/* the programme as stored now (zone, weeks, end), and its new plan */
	if (store_program_get(ch->c->db, ch->p.name, &p, &err) < 0)
		goto fail;
	if (flow_plan(&ch->f, &p, &plan, &err) < 0 ||
	    (ch->c->now >= plan.start_at && (p.ended_at == 0 || ch->c->now < p.ended_at) &&
	    invite_moments_sync(&ch->f, &p, &plan, &mails, &err) < 0)) {
		store_program_release(&p);
		plan_release(&plan);
		goto fail;
	}
	store_program_release(&p);
	plan_release(&plan);
	if (db_commit(ch->c->db, &err) < 0)
		return ctl_error("%s", err.msg);
	printf("\ndone: %zu message%s queued\n", mails, mails == 1 ? "" : "s");
	return CTL_OK;
fail:
	db_rollback(ch->c->db);
	return ctl_error("%s", err.msg);
}

/* A date option: parsed into *d, or CTL_FAIL after saying why. */
static int
parse_date_opt(const char *opt, const char *s, struct fb_date *d)
{
	struct fb_error err;

	if (fbtime_parse_date(s, d, &err) < 0)
		return ctl_error("%s %s: %s", opt, s, err.msg);
	return CTL_OK;
}

/* Dates of the past are not for plans. */
static int
check_not_past(const struct change *ch, const char *opt, const struct fb_date *d)
{
	char t[11], g[11];

	if (fbtime_date_cmp(d, &ch->today) >= 0)
		return CTL_OK;
	format_date(d, g);
	format_date(&ch->today, t);
	return ctl_error("%s %s is in the past (today is %s in %s)", opt, g, t, ch->p.timezone);
}

/* ---- edit ------------------------------------------------------------------------------- */

static int
apply_edit(struct change *ch, const void *arg, size_t *mails, struct fb_error *err)
{
	(void)mails;
	return store_program_update(ch->c->db, arg, err);
}

/* A questionnaire still to come that after moves so far into the past that the scheduler would
 * skip it as stale (schedule.h), or NULL. */
static const struct plan_moment *
lost_questionnaire(const struct change *ch, const struct plan *after)
{
	for (size_t i = 0; i < ch->before.n; i++) {
		const struct plan_moment *m = &ch->before.moments[i], *a;

		if (m->kind == PLAN_QUESTIONNAIRE && m->at > ch->c->now &&
		    (a = plan_find(after, m->key)) != NULL && ch->c->now - a->at > SCHEDULE_STALE)
			return m;
	}
	return NULL;
}

/* Fewer weeks must not lose a questionnaire (lost_questionnaire()): refused, naming it and the
 * least number of weeks that keeps every questionnaire. */
static int
check_weeks_keep_questionnaires(const struct change *ch, const struct program *np,
    const struct plan *after)
{
	const struct plan_moment *m = lost_questionnaire(ch, after), *a;
	struct program tryp = *np;
	char was[48], will[48];
	int least = np->weeks;

	if (m == NULL)
		return CTL_OK;
	a = plan_find(after, m->key);
	format_moment(m, was, sizeof(was));
	format_moment(a, will, sizeof(will));
	while (++least <= PLAN_MAX_WEEKS) {
		struct plan p = PLAN_INIT;
		int lost;

		tryp.weeks = least;
		if (flow_plan_with(&ch->f, &tryp, ch->pauses, ch->npauses, &p, NULL) < 0) {
			plan_release(&p);
			continue;
		}
		lost = lost_questionnaire(ch, &p) != NULL;
		plan_release(&p);
		if (!lost)
			break;
	}
	return ctl_error("--weeks %d would move the %s from %s to %s, too far in the past to be "
	    "sent; give at least %d", np->weeks, m->label, was, will, least);
}

int
ctl_program_edit(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "start", required_argument, NULL, 's' },
		{ "weeks", required_argument, NULL, 'w' },
		{ "timezone", required_argument, NULL, 't' },
		{ "language", required_argument, NULL, 'l' },
		{ "yes", no_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 },
	};
	const char *start = NULL, *tz = NULL, *lang = NULL, *weeks = NULL;
	struct change ch;
	struct program np;
	struct plan after = PLAN_INIT;
	struct fb_date date;
	struct fb_error err;
	int yes = 0, w = 0, opt, rc = CTL_FAIL;
	char *end;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 's': start = optarg; break;
		case 'w': weeks = optarg; break;
		case 't': tz = optarg; break;
		case 'l': lang = optarg; break;
		case 'y': yes = 1; break;
		default: return ctl_usage(ctl_program_edit_usage, 0);
		}
	}
	if (argc - optind != 1) {
		ctl_error("edit: give the programme (feedbackctl program list shows them)");
		return ctl_usage(ctl_program_edit_usage, 0);
	}
	if (!start && !weeks && !tz && !lang) {
		ctl_error("edit: give what changes: --start, --weeks, --timezone or --language");
		return ctl_usage(ctl_program_edit_usage, 0);
	}
	if (weeks != NULL && ((w = (int)strtol(weeks, &end, 10)), *end || w < 1 || w > 52))
		return ctl_error("--weeks %s: a number from 1 to 52", weeks);
	if (tz != NULL && !fbtime_zone_valid(tz))
		return ctl_error("--timezone %s: not a known time zone (use an IANA name such as "
		    "Europe/Amsterdam)", tz);
	if (lang != NULL && strcmp(lang, "nl") != 0 && strcmp(lang, "en") != 0)
		return ctl_error("--language %s: accepted values are nl, en", lang);
	if (start != NULL && parse_date_opt("--start", start, &date) != CTL_OK)
		return CTL_FAIL;
	if (change_open(c, argv[optind], &ch) != CTL_OK)
		return CTL_FAIL;
	if (check_not_ended(&ch) != CTL_OK)
		goto out;
	np = ch.p;
	if (start != NULL) {
		char s[11];

		if (c->now >= ch.before.start_at) {
			ctl_error("programme %s began on %s: its start can no longer move (what was "
			    "sent stays sent); to leave weeks out, pause it: feedbackctl program "
			    "pause %s --from DATE --until DATE", ch.p.name, ch.p.start_date,
			    ch.p.name);
			goto out;
		}
		if (fbtime_weekday(&date) != 1) {
			struct fb_date b = fbtime_date_add_days(&date, 1 - fbtime_weekday(&date));
			struct fb_date a = fbtime_date_add_days(&b, 7);
			char sb[11], sa[11];

			format_date(&b, sb);
			format_date(&a, sa);
			ctl_error("--start %s is a %s; a programme starts on a Monday: %s or %s", start,
			    fbtime_weekday_name(fbtime_weekday(&date)), sb, sa);
			goto out;
		}
		if (check_not_past(&ch, "--start", &date) != CTL_OK)
			goto out;
		format_date(&date, s);
		memcpy(np.start_date, s, sizeof(np.start_date));
	}
	if (weeks != NULL) {
		int now_week = plan_week_of(&ch.before, c->now);

		if (now_week > ch.p.weeks) {
			ctl_error("programme %s has run its %d weeks: its length can no longer change",
			    ch.p.name, ch.p.weeks);
			goto out;
		}
		if (w < now_week) {
			ctl_error("--weeks %d: programme %s is in week %d already; give at least %d",
			    w, ch.p.name, now_week, now_week);
			goto out;
		}
		np.weeks = w;
	}
	if (tz != NULL)
		np.timezone = (char *)tz;
	if (lang != NULL)
		snprintf(np.language, sizeof(np.language), "%s", lang);
	if (flow_plan_with(&ch.f, &np, ch.pauses, ch.npauses, &after, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	if (weeks != NULL && check_weeks_keep_questionnaires(&ch, &np, &after) != CTL_OK)
		goto out;
	printf("programme %s:", ch.p.name);
	if (start != NULL)
		printf(" start %s -> %s", ch.p.start_date, np.start_date);
	if (weeks != NULL)
		printf("%s %d -> %d weeks", start ? "," : "", ch.p.weeks, np.weeks);
	if (tz != NULL)
		printf("%s zone %s -> %s", start || weeks ? "," : "", ch.p.timezone, np.timezone);
	if (lang != NULL)
		printf("%s language %s -> %s", start || weeks || tz ? "," : "", ch.p.language,
		    np.language);
	printf("\n");
	if (lang != NULL || tz != NULL)
		printf("(zone and language apply to mail from now on; what was sent stays as it was)\n");
	print_moves(&ch, &after);
	if (warn_sessions(&ch, &after) != CTL_OK || print_calendar_updates(&ch, &after) != CTL_OK)
		goto out;
	rc = yes ? apply(&ch, apply_edit, &np) : not_applied();
out:
	plan_release(&after);
	change_release(&ch);
	return rc;
}

/* ---- pause and resume ------------------------------------------------------------------- */

/* The pauses with pa put in its place (by from): *out malloc'd. */
static int
pauses_with(const struct change *ch, const struct plan_pause *pa, struct plan_pause **out,
    size_t *n)
{
	struct plan_pause *v = calloc(ch->npauses + 1, sizeof(*v));
	size_t k = 0;
	int placed = 0;

	if (v == NULL)
		return ctl_error("out of memory");
	for (size_t i = 0; i < ch->npauses; i++) {
		if (!placed && fbtime_date_cmp(&pa->from, &ch->pauses[i].from) < 0) {
			v[k++] = *pa;
			placed = 1;
		}
		v[k++] = ch->pauses[i];
	}
	if (!placed)
		v[k++] = *pa;
	*out = v;
	*n = k;
	return CTL_OK;
}

struct pause_arg {
	const char *from, *until;
};

static int
apply_pause(struct change *ch, const void *arg, size_t *mails, struct fb_error *err)
{
	const struct pause_arg *a = arg;

	(void)mails;
	return store_pause_add(ch->c->db, ch->p.id, a->from, a->until, ch->c->now, NULL, err);
}

/* What a pause means in whole weeks: "1 week; the programme resumes on Monday 2027-02-01". */
static void
print_pause(const struct plan_pause *pa)
{
	int w = plan_pause_weeks(pa);
	struct fb_date back = fbtime_date_add_days(&pa->from, 7 * w);

	printf("%d week%s; the programme resumes on %s %04d-%02d-%02d", w, w == 1 ? "" : "s",
	    fbtime_weekday_name(fbtime_weekday(&back)), back.year, back.month, back.day);
}

int
ctl_program_pause(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "until", required_argument, NULL, 'u' },
		{ "yes", no_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 },
	};
	const char *from = NULL, *until = NULL;
	struct change ch;
	struct plan after = PLAN_INIT;
	struct plan_pause pa, *v = NULL;
	struct pause_arg arg;
	struct fb_error err;
	char sf[11], su[11];
	size_t n = 0;
	int yes = 0, opt, rc = CTL_FAIL;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'f': from = optarg; break;
		case 'u': until = optarg; break;
		case 'y': yes = 1; break;
		default: return ctl_usage(ctl_program_edit_usage, 0);
		}
	}
	if (argc - optind != 1 || from == NULL || until == NULL) {
		ctl_error("pause: give %s", argc - optind != 1 ? "the programme" :
		    from == NULL ? "--from DATE (the first day of the pause)" :
		    "--until DATE (the last day of the pause)");
		return ctl_usage(ctl_program_edit_usage, 0);
	}
	if (parse_date_opt("--from", from, &pa.from) != CTL_OK ||
	    parse_date_opt("--until", until, &pa.until) != CTL_OK)
		return CTL_FAIL;
	if (fbtime_date_cmp(&pa.from, &pa.until) > 0)
		return ctl_error("--until %s is before --from %s", until, from);
	if (change_open(c, argv[optind], &ch) != CTL_OK)
		return CTL_FAIL;
	if (check_not_ended(&ch) != CTL_OK || check_not_past(&ch, "--from", &pa.from) != CTL_OK)
		goto out;
	if (fbtime_date_cmp(&pa.until, &ch.before.start) < 0) {
		ctl_error("the pause ends before programme %s starts on %s: move the start "
		    "instead (feedbackctl program edit %s --start DATE)", ch.p.name,
		    ch.p.start_date, ch.p.name);
		goto out;
	}
	if (pauses_with(&ch, &pa, &v, &n) != CTL_OK)
		goto out;
	if (flow_plan_with(&ch.f, &ch.p, v, n, &after, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	format_date(&pa.from, sf);
	format_date(&pa.until, su);
	printf("programme %s: pause from %s until %s (", ch.p.name, sf, su);
	print_pause(&pa);
	printf(")\n");
	print_moves(&ch, &after);
	if (warn_sessions(&ch, &after) != CTL_OK || print_calendar_updates(&ch, &after) != CTL_OK)
		goto out;
	arg.from = sf;
	arg.until = su;
	rc = yes ? apply(&ch, apply_pause, &arg) : not_applied();
out:
	free(v);
	plan_release(&after);
	change_release(&ch);
	return rc;
}

struct resume_arg {
	int64_t id;
	const char *until; /* NULL: the pause is dropped */
};

static int
apply_resume(struct change *ch, const void *arg, size_t *mails, struct fb_error *err)
{
	const struct resume_arg *a = arg;

	(void)mails;
	return store_pause_set_until(ch->c->db, a->id, a->until, err);
}

int
ctl_program_resume(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "at", required_argument, NULL, 'a' },
		{ "yes", no_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 },
	};
	const char *at = NULL;
	struct change ch;
	struct plan after = PLAN_INIT;
	struct program_pause_list stored = { NULL, 0 };
	struct plan_pause *v = NULL;
	struct resume_arg arg = { 0, NULL };
	struct fb_date d;
	struct fb_error err;
	char su[11], sd[11];
	size_t i;
	int yes = 0, opt, rc = CTL_FAIL;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'a': at = optarg; break;
		case 'y': yes = 1; break;
		default: return ctl_usage(ctl_program_edit_usage, 0);
		}
	}
	if (argc - optind != 1) {
		ctl_error("resume: give the programme");
		return ctl_usage(ctl_program_edit_usage, 0);
	}
	if (at != NULL && parse_date_opt("--at", at, &d) != CTL_OK)
		return CTL_FAIL;
	if (change_open(c, argv[optind], &ch) != CTL_OK)
		return CTL_FAIL;
	if (at == NULL)
		d = ch.today;
	if (check_not_ended(&ch) != CTL_OK || check_not_past(&ch, "--at", &d) != CTL_OK)
		goto out;
	if (store_pause_list(c->db, ch.p.id, &stored, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	/* the current pause, else the next: the first whose (whole-week) span is not over */
	for (i = 0; i < ch.npauses; i++) {
		int w = plan_pause_weeks(&ch.pauses[i]);
		struct fb_date back = fbtime_date_add_days(&ch.pauses[i].from, 7 * w);

		if (fbtime_date_cmp(&back, &ch.today) > 0)
			break;
	}
	if (i == ch.npauses || stored.n != ch.npauses) {
		ctl_error("programme %s has no pause now or ahead (feedbackctl program show %s)",
		    ch.p.name, ch.p.name);
		goto out;
	}
	if (fbtime_date_cmp(&d, &ch.pauses[i].until) > 0) {
		format_date(&ch.pauses[i].until, su);
		ctl_error("the pause ends on %s already: resume --at is for ending it earlier", su);
		goto out;
	}
	if ((v = calloc(ch.npauses, sizeof(*v))) == NULL) {
		ctl_error("out of memory");
		goto out;
	}
	memcpy(v, ch.pauses, ch.npauses * sizeof(*v));
	arg.id = stored.v[i].id;
	format_date(&d, sd);
	printf("programme %s: ", ch.p.name);
	if (fbtime_date_cmp(&d, &v[i].from) <= 0) {
		/* not begun: nothing of it is left */
		memmove(&v[i], &v[i + 1], (ch.npauses - i - 1) * sizeof(*v));
		printf("the pause from %s is dropped\n", stored.v[i].from_date);
	} else {
		v[i].until = fbtime_date_add_days(&d, -1);
		format_date(&v[i].until, su);
		arg.until = su;
		printf("the pause from %s ends on %s (", stored.v[i].from_date, su);
		print_pause(&v[i]);
		printf(")\n");
		if (fbtime_weekday(&v[i].from) != fbtime_weekday(&d))
			printf("(a pause counts in whole weeks from its first day, a %s)\n",
			    fbtime_weekday_name(fbtime_weekday(&v[i].from)));
	}
	if (flow_plan_with(&ch.f, &ch.p, v, arg.until ? ch.npauses : ch.npauses - 1, &after,
	    &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	print_moves(&ch, &after);
	if (warn_sessions(&ch, &after) != CTL_OK || print_calendar_updates(&ch, &after) != CTL_OK)
		goto out;
	rc = yes ? apply(&ch, apply_resume, &arg) : not_applied();
out:
	free(v);
	store_pause_list_release(&stored);
	plan_release(&after);
	change_release(&ch);
	return rc;
}

/* ---- end -------------------------------------------------------------------------------- */

/* The confirmed sessions starting at or after at: printed (mails NULL; the number printed)
 * or cancelled (0). -1 with err. */
static int
end_sessions(struct change *ch, time_t at, size_t *mails, struct fb_error *err)
{
	struct session_list l = { 0 };
	int rc = 0, n = 0;

	if (store_session_list(ch->c->db, ch->p.id, &l, err) < 0)
		return -1;
	for (size_t i = 0; i < l.n && rc == 0; i++) {
		const struct session *s = &l.v[i];
		struct buf when = BUF_INIT;

		if (session_status_from_name(s->status) != SESSION_CONFIRMED || s->starts_at < at)
			continue;
		if (mails != NULL) {
			rc = invite_cancel(&ch->f, &ch->p, s->id, mails, err);
			continue;
		}
		n++;
		fbtime_format_local(ch->p.timezone, s->starts_at, &when);
		printf("  session %lld (%s%s%s) on %s: cancelled (METHOD:CANCEL to its %d "
		    "attendee%s)\n", (long long)s->id, s->kind, s->team_name ? ", team " : "",
		    s->team_name ? s->team_name : "", when.data ? when.data : "?", s->invited,
		    s->invited == 1 ? "" : "s");
		buf_release(&when);
	}
	store_session_list_release(&l);
	return rc < 0 ? -1 : mails == NULL ? n : 0;
}

static int
apply_end(struct change *ch, const void *arg, size_t *mails, struct fb_error *err)
{
	time_t at = *(const time_t *)arg;

	if (store_program_end(ch->c->db, ch->p.id, at, err) < 0 ||
	    end_sessions(ch, at, mails, err) < 0 ||
	    invite_moments_cancel_from(&ch->f, &ch->p, &ch->before, at, mails, err) < 0)
		return -1;
	return 0;
}

int
ctl_program_end(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "at", required_argument, NULL, 'a' },
		{ "yes", no_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 },
	};
	const char *at_text = NULL;
	struct change ch;
	struct program np;
	struct plan after = PLAN_INIT;
	struct fb_date d;
	struct fb_error err;
	struct buf when = BUF_INIT;
	time_t at;
	int yes = 0, opt, rc = CTL_FAIL, items, sessions;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'a': at_text = optarg; break;
		case 'y': yes = 1; break;
		default: return ctl_usage(ctl_program_edit_usage, 0);
		}
	}
	if (argc - optind != 1) {
		ctl_error("end: give the programme");
		return ctl_usage(ctl_program_edit_usage, 0);
	}
	if (at_text != NULL && parse_date_opt("--at", at_text, &d) != CTL_OK)
		return CTL_FAIL;
	if (change_open(c, argv[optind], &ch) != CTL_OK)
		return CTL_FAIL;
	if (check_not_ended(&ch) != CTL_OK)
		goto out;
	at = c->now;
	if (at_text != NULL) {
		if (check_not_past(&ch, "--at", &d) != CTL_OK)
			goto out;
		if (fbtime_local_to_utc(ch.p.timezone, &d, 0, 0, &at, &err) < 0) {
			ctl_error("--at %s: %s", at_text, err.msg);
			goto out;
		}
		if (at < c->now)
			at = c->now; /* today: from now on */
	}
	if (at >= ch.before.end_at && c->now < ch.before.end_at) {
		/* ending after its natural end only silences the follow-up: say so */
		printf("(programme %s runs its weeks until then: only the follow-up is left out)\n",
		    ch.p.name);
	}
	np = ch.p;
	np.ended_at = at;
	if (flow_plan_with(&ch.f, &np, ch.pauses, ch.npauses, &after, &err) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	fbtime_format_local(ch.p.timezone, at, &when);
	printf("programme %s ends at %s: no automatic mail after it\n", ch.p.name,
	    when.data ? when.data : "?");
	print_moves(&ch, &after);
	printf("\nsessions still ahead:\n");
	if ((sessions = end_sessions(&ch, at, NULL, &err)) < 0 ||
	    (items = invite_moments_cancel_from(&ch.f, &ch.p, &ch.before, at, NULL, &err)) < 0) {
		ctl_error("%s", err.msg);
		goto out;
	}
	if (sessions == 0)
		printf("  none\n");
	if (items > 0)
		printf("\ncalendar cancellations: %d questionnaire and reminder event%s "
		    "(METHOD:CANCEL)\n", items, items == 1 ? "" : "s");
	printf("\nreports made so far stay as they are; `feedbackctl report` still makes one on "
	    "request\n");
	rc = yes ? apply(&ch, apply_end, &at) : not_applied();
out:
	buf_release(&when);
	plan_release(&after);
	change_release(&ch);
	return rc;
}

/* ---- state ------------------------------------------------------------------------------ */

void
ctl_program_state(struct ctl *c, const struct program *p, char *out, size_t n)
{
	struct flow f = { 0 };
	struct plan plan = PLAN_INIT;
	struct fb_local l;
	const struct plan_pause *pa;

	f.db = c->db;
	f.cfg = c->cfg;
	f.now = c->now;
	snprintf(out, n, "?");
	if (f.db == NULL || f.cfg == NULL || flow_plan(&f, p, &plan, NULL) < 0 ||
	    fbtime_to_local(p->timezone, c->now, &l, NULL) < 0) {
		plan_release(&plan);
		return;
	}
	if (p->ended_at != 0 && c->now >= p->ended_at) {
		if (fbtime_to_local(p->timezone, p->ended_at, &l, NULL) == 0)
			snprintf(out, n, "ended %04d-%02d-%02d", l.date.year, l.date.month,
			    l.date.day);
	} else if (c->now < plan.start_at) {
		snprintf(out, n, "planned");
	} else if ((pa = plan_paused(&plan, &l.date)) != NULL) {
		struct fb_date back = fbtime_date_add_days(&pa->until, 1);

		snprintf(out, n, "paused, resumes %04d-%02d-%02d", back.year, back.month, back.day);
	} else if (c->now > plan.end_at) {
		snprintf(out, n, "weeks over");
	} else {
		snprintf(out, n, "week %d", plan_week_of(&plan, c->now));
	}
	plan_release(&plan);
}
