/*
 * plan — the programme's timeline. See include/plan.h for the contract and the defaults.
 *
 * Every moment is placed as a local wall time (a date counted in days from the start date,
 * an hour and a minute) and only then converted to UTC, never by adding seconds to another
 * UTC instant: adding 7 * 86400 seconds would move a 09:00 nudge to 08:00 or 10:00 across a
 * daylight-saving change.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fberror.h"
#include "fbtime.h"
#include "plan.h"
#include "banned.h"

static const char *const measurement_names[PLAN_MEASUREMENTS] = {
	"baseline", "midterm", "final", "followup",
};
static const char *const measurement_titles[PLAN_MEASUREMENTS] = {
	"Baseline", "Midterm", "Final", "Follow-up",
};
static const char *const session_names[PLAN_SESSIONS] = {
	"kickoff", "progress", "evaluation",
};
static const char *const session_titles[PLAN_SESSIONS] = {
	"Kickoff", "Progress", "Evaluation",
};
static const char *const kind_names[] = {
	[PLAN_NUDGE] = "nudge",
	[PLAN_WEEKLY_REPORT] = "weekly-report",
	[PLAN_QUESTIONNAIRE] = "questionnaire",
	[PLAN_REMINDER] = "reminder",
	[PLAN_QUESTIONNAIRE_CLOSE] = "questionnaire-close",
	[PLAN_PROGRESS_REPORT] = "progress-report",
	[PLAN_EVALUATION_REPORT] = "evaluation-report",
	[PLAN_FOLLOWUP_REPORT] = "followup-report",
	[PLAN_SESSION] = "session",
	[PLAN_PROGRAM_END] = "programme-end",
	[PLAN_FOLLOWUP_END] = "followup-end",
	[PLAN_PAUSE] = "pause",
};

const char *
plan_measurement_name(enum plan_measurement m)
{
	return m >= 0 && m < PLAN_MEASUREMENTS ? measurement_names[m] : "?";
}

const char *
plan_session_name(enum plan_session_kind k)
{
	return k >= 0 && k < PLAN_SESSIONS ? session_names[k] : "?";
}

const char *
plan_kind_name(enum plan_kind k)
{
	return (int)k >= 0 && (size_t)k < sizeof(kind_names) / sizeof(kind_names[0]) ?
	    kind_names[k] : "?";
}

void
plan_settings_default(struct plan_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->tz = "Europe/Amsterdam";
	s->weeks = 10;
	s->nudge = (struct plan_clock){ 1, 9, 0 };
	s->weekly_report = (struct plan_clock){ 1, 8, 0 };
	s->questionnaire = (struct plan_clock){ 1, 9, 0 };
	s->progress_report = (struct plan_clock){ 1, 8, 0 };
	s->evaluation_report = (struct plan_clock){ 1, 8, 0 };
	s->midterm_week = 0;
	s->followup_weeks = 26;
	s->reminder_days[0] = 3;
	s->reminder_days[1] = 6;
	s->nreminders = 2;
	s->close_days = 14;
}

void
plan_release(struct plan *p)
{
	if (p == NULL)
		return;
	free(p->moments);
	free(p->tz);
	free(p->pauses);
	*p = (struct plan)PLAN_INIT;
}

/* ---- validation ------------------------------------------------------------------------ */

static int
check_clock(const struct plan_clock *c, const char *name, struct fb_error *err)
{
	if (c->weekday < 1 || c->weekday > 7)
		return fb_error_set(err, "plan setting %s: weekday %d (accepted: 1 = Monday .. "
		    "7 = Sunday)", name, c->weekday);
	if (c->hour < 0 || c->hour > 23 || c->min < 0 || c->min > 59)
		return fb_error_set(err, "plan setting %s: time %d:%d (accepted: 00:00 .. 23:59)",
		    name, c->hour, c->min);
	return 0;
}

static int
check_settings(const struct plan_settings *s, struct fb_error *err)
{
	if (fbtime_zone_check(s->tz, err) < 0)
		return fb_error_prefix(err, "plan setting tz");
	if (s->weeks < 1 || s->weeks > PLAN_MAX_WEEKS)
		return fb_error_set(err, "plan setting weeks: %d (accepted: 1..%d)", s->weeks,
		    PLAN_MAX_WEEKS);
	if (check_clock(&s->nudge, "nudge", err) < 0 ||
	    check_clock(&s->weekly_report, "weekly_report", err) < 0 ||
	    check_clock(&s->questionnaire, "questionnaire", err) < 0 ||
	    check_clock(&s->progress_report, "progress_report", err) < 0 ||
	    check_clock(&s->evaluation_report, "evaluation_report", err) < 0)
		return -1;
	if (s->midterm_week < 0 || s->midterm_week > s->weeks)
		return fb_error_set(err, "plan setting midterm_week: %d (accepted: 1..%d, the "
		    "programme's weeks, or 0 for halfway)", s->midterm_week, s->weeks);
	if (s->followup_weeks < 1 || s->followup_weeks > PLAN_MAX_FOLLOWUP_WEEKS)
		return fb_error_set(err, "plan setting followup_weeks: %d (accepted: 1..%d)",
		    s->followup_weeks, PLAN_MAX_FOLLOWUP_WEEKS);
	if (s->close_days < 1 || s->close_days > PLAN_MAX_CLOSE_DAYS)
		return fb_error_set(err, "plan setting close_days: %d (accepted: 1..%d)",
		    s->close_days, PLAN_MAX_CLOSE_DAYS);
	if (s->nreminders > PLAN_MAX_REMINDERS)
		return fb_error_set(err, "plan setting reminder_days: %zu reminders (accepted: at "
		    "most %d)", s->nreminders, PLAN_MAX_REMINDERS);
	for (size_t i = 0; i < s->nreminders; i++) {
		int d = s->reminder_days[i], prev = i > 0 ? s->reminder_days[i - 1] : 0;

		if (d <= prev || d >= s->close_days)
			return fb_error_set(err, "plan setting reminder_days: %d (accepted: increasing "
			    "days after the questionnaire, each before it closes after %d days)", d,
			    s->close_days);
	}
	return 0;
}

int
plan_pause_weeks(const struct plan_pause *pa)
{
	long days = fbtime_days_between(&pa->from, &pa->until) + 1;

	return days <= 0 ? 0 : (int)((days + 6) / 7);
}

static int
check_pauses(const struct plan_settings *s, struct fb_error *err)
{
	if (s->npauses > PLAN_MAX_PAUSES)
		return fb_error_set(err, "plan: %zu pauses (accepted: at most %d)", s->npauses,
		    PLAN_MAX_PAUSES);
	if (s->npauses > 0 && s->pauses == NULL)
		return fb_error_set(err, "plan: %zu pauses given without a list", s->npauses);
	for (size_t i = 0; i < s->npauses; i++) {
		const struct plan_pause *pa = &s->pauses[i];

		if (!fbtime_date_valid(&pa->from) || !fbtime_date_valid(&pa->until) ||
		    fbtime_date_cmp(&pa->from, &pa->until) > 0)
			return fb_error_set(err, "plan: pause %zu, %04d-%02d-%02d until "
			    "%04d-%02d-%02d, is not a range of valid dates", i + 1, pa->from.year,
			    pa->from.month, pa->from.day, pa->until.year, pa->until.month,
			    pa->until.day);
		if (i > 0) {
			const struct plan_pause *prev = &s->pauses[i - 1];
			struct fb_date end = fbtime_date_add_days(&prev->from,
			    7 * plan_pause_weeks(prev));

			if (fbtime_date_cmp(&pa->from, &end) < 0)
				return fb_error_set(err, "plan: the pause from %04d-%02d-%02d overlaps "
				    "the one from %04d-%02d-%02d, which counts in whole weeks until "
				    "%04d-%02d-%02d", pa->from.year, pa->from.month, pa->from.day,
				    prev->from.year, prev->from.month, prev->from.day, end.year,
				    end.month, end.day);
		}
	}
	return 0;
}

static int
check_start(const struct fb_date *start, struct fb_error *err)
{
	struct fb_date before, after;
	int wd;

	if (!fbtime_date_valid(start))
		return fb_error_set(err, "the start date %04d-%02d-%02d is not a valid date "
		    "(years %d..%d)", start->year, start->month, start->day, FBTIME_YEAR_MIN,
		    FBTIME_YEAR_MAX);
	wd = fbtime_weekday(start);
	if (wd == 1)
		return 0;
	before = fbtime_date_add_days(start, 1 - wd);
	after = fbtime_date_add_days(start, 8 - wd);
	return fb_error_set(err, "the start date %04d-%02d-%02d is a %s, but a programme starts on "
	    "a Monday: use %04d-%02d-%02d (the Monday before) or %04d-%02d-%02d (the Monday after)",
	    start->year, start->month, start->day, fbtime_weekday_name(wd), before.year,
	    before.month, before.day, after.year, after.month, after.day);
}

/* ---- building -------------------------------------------------------------------------- */

struct builder {
	struct plan *p;
	size_t cap;
	struct fb_error *err;
};

static void set_text(char *dst, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Keys and labels are made from our own names and numbers only: they always fit. */
static void
set_text(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, size, fmt, ap);
	va_end(ap);
}

/* The Monday of programme week n (1-based). */
static struct fb_date
week_monday(const struct plan *p, int week)
{
	return fbtime_date_add_days(&p->start, 7 * (week - 1));
}

static int
week_of_virtual(const struct plan *p, const struct fb_date *d)
{
	long days = fbtime_days_between(&p->start, d);

	return days < 0 ? 0 : (int)(days / 7) + 1;
}

/* Days of pause span pa (whole weeks). */
static int
span_days(const struct plan_pause *pa)
{
	return (int)fbtime_days_between(&pa->from, &pa->until) + 1;
}

/* The date on the timeline without pauses of real date d: the pauses before d taken out; a
 * day inside a pause is the day before it. */
static struct fb_date
unpaused(const struct plan *p, const struct fb_date *d)
{
	struct fb_date v = *d;

	for (size_t i = p->npauses; i-- > 0;) {
		const struct plan_pause *pa = &p->pauses[i];

		if (fbtime_date_cmp(&v, &pa->until) > 0)
			v = fbtime_date_add_days(&v, -span_days(pa));
		else if (fbtime_date_cmp(&v, &pa->from) >= 0)
			v = fbtime_date_add_days(&pa->from, -1);
	}
	return v;
}

/* The real date of date v of the timeline without pauses: every pause it reaches moves it
 * later by the pause's weeks. */
static struct fb_date
paused(const struct plan *p, const struct fb_date *v)
{
	struct fb_date d = *v;

	for (size_t i = 0; i < p->npauses; i++)
		if (fbtime_date_cmp(&d, &p->pauses[i].from) >= 0)
			d = fbtime_date_add_days(&d, span_days(&p->pauses[i]));
	return d;
}

static int
week_of_date(const struct plan *p, const struct fb_date *d)
{
	struct fb_date v = unpaused(p, d);

	return week_of_virtual(p, &v);
}

const struct plan_pause *
plan_paused(const struct plan *p, const struct fb_date *d)
{
	for (size_t i = 0; p != NULL && i < p->npauses; i++)
		if (fbtime_date_cmp(d, &p->pauses[i].from) >= 0 &&
		    fbtime_date_cmp(d, &p->pauses[i].until) <= 0)
			return &p->pauses[i];
	return NULL;
}

int
plan_week_of(const struct plan *p, time_t t)
{
	struct fb_local l;

	if (p == NULL || p->tz == NULL || fbtime_to_local(p->tz, t, &l, NULL) < 0)
		return -1;
	return week_of_date(p, &l.date);
}

static struct plan_moment *
new_moment(struct builder *b, enum plan_kind kind)
{
	struct plan_moment *m;

	if (b->p->n >= b->cap)
		abort(); /* the capacity is computed from the same settings: a bug */
	m = &b->p->moments[b->p->n++];
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->measurement = PLAN_NO_MEASUREMENT;
	m->session = PLAN_NO_SESSION;
	m->scheduled = 1;
	return m;
}

/* A moment at local wall time: weekday/hour/min of clock c in week `week`, plus extra days. */
static struct plan_moment *
add_local(struct builder *b, enum plan_kind kind, int week, const struct plan_clock *c,
    int extra_days)
{
	struct fb_date monday = week_monday(b->p, week), v;
	struct plan_moment *m = new_moment(b, kind);

	v = fbtime_date_add_days(&monday, c->weekday - 1 + extra_days);
	m->date = paused(b->p, &v);
	m->hour = c->hour;
	m->min = c->min;
	if (fbtime_local_to_utc(b->p->tz, &m->date, c->hour, c->min, &m->at, b->err) < 0) {
		fb_error_prefix(b->err, "plan: week %d", week);
		return NULL;
	}
	m->week = week_of_virtual(b->p, &v);
	return m;
}

/* A moment at an instant already known (a same-time companion of another moment). */
static struct plan_moment *
add_copy(struct builder *b, enum plan_kind kind, const struct plan_moment *like)
{
	struct plan_moment *m = new_moment(b, kind);

	m->at = like->at;
	m->date = like->date;
	m->hour = like->hour;
	m->min = like->min;
	m->week = like->week;
	return m;
}

static int
add_weekly(struct builder *b, const struct plan_settings *s)
{
	struct plan_moment *m;

	for (int w = 1; w <= s->weeks; w++) {
		if ((m = add_local(b, PLAN_NUDGE, w, &s->nudge, 0)) == NULL)
			return -1;
		set_text(m->key, sizeof(m->key), "nudge:w%d", w);
		set_text(m->label, sizeof(m->label), "Weekly nudge (week %d)", w);
		m->number = w;
		if ((m = add_local(b, PLAN_WEEKLY_REPORT, w + 1, &s->weekly_report, 0)) == NULL)
			return -1;
		set_text(m->key, sizeof(m->key), "report:weekly:w%d", w);
		set_text(m->label, sizeof(m->label), "Weekly report on week %d", w);
		m->number = w;
	}
	return 0;
}

/* A questionnaire, its reminders and its close; *close_out is the close (for follow-up). */
static int
add_measurement(struct builder *b, const struct plan_settings *s, enum plan_measurement ms,
    int week, const struct plan_moment **close_out)
{
	const char *name = measurement_names[ms], *title = measurement_titles[ms];
	struct plan_moment *m;

	if ((m = add_local(b, PLAN_QUESTIONNAIRE, week, &s->questionnaire, 0)) == NULL)
		return -1;
	m->measurement = ms;
	set_text(m->key, sizeof(m->key), "questionnaire:%s", name);
	set_text(m->label, sizeof(m->label), "%s questionnaire", title);
	for (size_t i = 0; i < s->nreminders; i++) {
		m = add_local(b, PLAN_REMINDER, week, &s->questionnaire, s->reminder_days[i]);
		if (m == NULL)
			return -1;
		m->measurement = ms;
		m->number = (int)i + 1;
		set_text(m->key, sizeof(m->key), "reminder:%s:%d", name, m->number);
		set_text(m->label, sizeof(m->label), "%s questionnaire: reminder %d", title,
		    m->number);
	}
	m = add_local(b, PLAN_QUESTIONNAIRE_CLOSE, week, &s->questionnaire, s->close_days);
	if (m == NULL)
		return -1;
	m->measurement = ms;
	set_text(m->key, sizeof(m->key), "close:%s", name);
	set_text(m->label, sizeof(m->label), "%s questionnaire closes", title);
	*close_out = m;
	return 0;
}

static int
add_sessions(struct builder *b, const int nominal_week[PLAN_SESSIONS],
    const struct plan_session *sessions, size_t nsessions)
{
	const struct plan_session *given[PLAN_SESSIONS] = { NULL, NULL, NULL };
	struct plan_moment *m;
	struct fb_local l;

	for (size_t i = 0; i < nsessions; i++) {
		int k = sessions[i].kind;

		if (k < 0 || k >= PLAN_SESSIONS)
			return fb_error_set(b->err, "plan: session %zu has an unknown kind %d", i, k);
		if (given[k] != NULL)
			return fb_error_set(b->err, "plan: the %s session is given twice",
			    session_names[k]);
		given[k] = &sessions[i];
	}
	for (int k = 0; k < PLAN_SESSIONS; k++) {
		if (given[k] != NULL && given[k]->at != 0) {
			m = new_moment(b, PLAN_SESSION);
			if (fbtime_to_local(b->p->tz, given[k]->at, &l, b->err) < 0)
				return fb_error_prefix(b->err, "plan: %s session", session_names[k]);
			m->at = given[k]->at;
			m->date = l.date;
			m->hour = l.hour;
			m->min = l.min;
			m->week = week_of_date(b->p, &l.date);
			set_text(m->label, sizeof(m->label), "%s session", session_titles[k]);
		} else {
			static const struct plan_clock midnight = { 1, 0, 0 };

			if ((m = add_local(b, PLAN_SESSION, nominal_week[k], &midnight, 0)) == NULL)
				return -1;
			m->scheduled = 0;
			set_text(m->label, sizeof(m->label), "%s session: to schedule in week %d",
			    session_titles[k], nominal_week[k]);
		}
		m->session = k;
		set_text(m->key, sizeof(m->key), "session:%s", session_names[k]);
	}
	return 0;
}

/* One PLAN_PAUSE moment per pause that counts, at its first day 00:00 local. */
static int
add_pauses(struct builder *b)
{
	struct plan *p = b->p;

	for (size_t i = 0; i < p->npauses; i++) {
		const struct plan_pause *pa = &p->pauses[i];
		struct plan_moment *m = new_moment(b, PLAN_PAUSE);
		struct fb_date back = fbtime_date_add_days(&pa->until, 1);
		int weeks = span_days(pa) / 7;

		m->date = pa->from;
		if (fbtime_local_to_utc(p->tz, &pa->from, 0, 0, &m->at, b->err) < 0)
			return fb_error_prefix(b->err, "plan: pause");
		m->week = week_of_date(p, &pa->from);
		set_text(m->key, sizeof(m->key), "pause:%04d-%02d-%02d", pa->from.year,
		    pa->from.month, pa->from.day);
		set_text(m->label, sizeof(m->label), "Paused for %d week%s, back on %04d-%02d-%02d",
		    weeks, weeks == 1 ? "" : "s", back.year, back.month, back.day);
	}
	return 0;
}

/* Leave out every moment at or after ended_at; the programme end moves to ended_at. */
static int
end_early(struct builder *b, time_t ended_at)
{
	struct plan *p = b->p;
	struct fb_local l;
	size_t k = 0;

	if (fbtime_to_local(p->tz, ended_at, &l, b->err) < 0)
		return fb_error_prefix(b->err, "plan: the programme's end");
	for (size_t i = 0; i < p->n; i++) {
		struct plan_moment *m = &p->moments[i];

		if (m->kind == PLAN_PROGRAM_END && ended_at < m->at) {
			m->at = ended_at;
			m->date = l.date;
			m->hour = l.hour;
			m->min = l.min;
			m->week = week_of_date(p, &l.date);
			set_text(m->label, sizeof(m->label), "Programme ended early");
		} else if (m->at >= ended_at && m->kind != PLAN_PROGRAM_END) {
			continue;
		}
		p->moments[k++] = *m;
	}
	p->n = k;
	if (ended_at < p->end_at)
		p->end_at = ended_at;
	p->ended_at = ended_at;
	return 0;
}

static int
cmp_moments(const void *va, const void *vb)
{
	const struct plan_moment *a = va, *b = vb;

	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return strcmp(a->key, b->key);
}

static int
build(struct builder *b, const struct plan_settings *s, const struct plan_session *sessions,
    size_t nsessions)
{
	struct plan *p = b->p;
	int mid = s->midterm_week ? s->midterm_week : (s->weeks + 1) / 2;
	int week_of[PLAN_MEASUREMENTS] = { 1, mid, s->weeks, s->weeks + s->followup_weeks };
	int session_week[PLAN_SESSIONS] = { 1, mid, s->weeks };
	const struct plan_moment *close = NULL;
	struct plan_moment *m;
	struct fb_date after;

	if (add_weekly(b, s) < 0)
		return -1;
	for (int ms = 0; ms < PLAN_MEASUREMENTS; ms++)
		if (add_measurement(b, s, ms, week_of[ms], &close) < 0)
			return -1;
	/* close is now the follow-up's */
	m = add_copy(b, PLAN_FOLLOWUP_REPORT, close);
	set_text(m->key, sizeof(m->key), "report:followup");
	set_text(m->label, sizeof(m->label), "Follow-up report");
	m = add_copy(b, PLAN_FOLLOWUP_END, close);
	set_text(m->key, sizeof(m->key), "end:followup");
	set_text(m->label, sizeof(m->label), "Follow-up ends");

	if ((m = add_local(b, PLAN_PROGRESS_REPORT, mid, &s->progress_report, 0)) == NULL)
		return -1;
	set_text(m->key, sizeof(m->key), "report:progress");
	set_text(m->label, sizeof(m->label), "Progress report");
	m = add_local(b, PLAN_EVALUATION_REPORT, s->weeks + 1, &s->evaluation_report, 0);
	if (m == NULL)
		return -1;
	set_text(m->key, sizeof(m->key), "report:evaluation");
	set_text(m->label, sizeof(m->label), "Evaluation report");

	if (add_sessions(b, session_week, sessions, nsessions) < 0)
		return -1;

	/* The last second of week W's Sunday (after the pauses that reach it): 23:59:59 local,
	 * also when a zone changes its clock at midnight. */
	after = week_monday(p, s->weeks + 1);
	after = fbtime_date_add_days(&after, -1);
	after = paused(p, &after);
	after = fbtime_date_add_days(&after, 1);
	if (fbtime_local_to_utc(p->tz, &after, 0, 0, &p->end_at, b->err) < 0)
		return -1;
	p->end_at -= 1;
	m = new_moment(b, PLAN_PROGRAM_END);
	m->at = p->end_at;
	m->date = fbtime_date_add_days(&after, -1);
	m->hour = 23;
	m->min = 59;
	m->week = s->weeks;
	set_text(m->key, sizeof(m->key), "end:programme");
	set_text(m->label, sizeof(m->label), "Programme ends");

	if (add_pauses(b) < 0)
		return -1;
	if (s->ended_at != 0 && end_early(b, s->ended_at) < 0)
		return -1;
	qsort(p->moments, p->n, sizeof(p->moments[0]), cmp_moments);
	return 0;
}

int
plan_build(const struct plan_settings *s, const struct fb_date *start,
    const struct plan_session *sessions, size_t nsessions, struct plan *out,
    struct fb_error *err)
{
	struct builder b = { out, 0, err };

	plan_release(out);
	if (check_settings(s, err) < 0 || check_pauses(s, err) < 0 || check_start(start, err) < 0)
		return -1;
	if (nsessions > 0 && sessions == NULL)
		return fb_error_set(err, "plan: %zu sessions given without a list", nsessions);
	b.cap = 2 * (size_t)s->weeks +                       /* nudges, weekly reports */
	    PLAN_MEASUREMENTS * (2 + s->nreminders) +         /* questionnaire, reminders, close */
	    3 + PLAN_SESSIONS + 2 +                           /* reports, sessions, ends */
	    s->npauses;
	if ((out->moments = calloc(b.cap, sizeof(out->moments[0]))) == NULL ||
	    (out->tz = strdup(s->tz)) == NULL ||
	    (s->npauses > 0 &&
	    (out->pauses = calloc(s->npauses, sizeof(out->pauses[0]))) == NULL)) {
		plan_release(out);
		return fb_error_set(err, "plan: out of memory");
	}
	out->start = *start;
	/* the effective spans: from the start at the earliest, in whole weeks */
	for (size_t i = 0; i < s->npauses; i++) {
		struct plan_pause pa = s->pauses[i];

		if (fbtime_date_cmp(&pa.until, start) < 0)
			continue;
		if (fbtime_date_cmp(&pa.from, start) < 0)
			pa.from = *start;
		pa.until = fbtime_date_add_days(&pa.from, 7 * plan_pause_weeks(&pa) - 1);
		out->pauses[out->npauses++] = pa;
	}
	out->weeks = s->weeks;
	if (fbtime_local_to_utc(out->tz, start, 0, 0, &out->start_at, err) < 0 ||
	    build(&b, s, sessions, nsessions) < 0) {
		plan_release(out);
		return -1;
	}
	return 0;
}

/* ---- queries --------------------------------------------------------------------------- */

const struct plan_moment *
plan_due(const struct plan *p, time_t since, time_t now, size_t *cursor)
{
	for (size_t i = *cursor; i < p->n; i++) {
		const struct plan_moment *m = &p->moments[i];

		if (m->scheduled && m->at > since && m->at <= now) {
			*cursor = i + 1;
			return m;
		}
		if (m->at > now)
			break; /* sorted by at: nothing later is due */
	}
	*cursor = p->n;
	return NULL;
}

time_t
plan_next(const struct plan *p, time_t now)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->moments[i].scheduled && p->moments[i].at > now)
			return p->moments[i].at;
	return 0;
}

const struct plan_moment *
plan_find(const struct plan *p, const char *key)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->moments[i].key, key) == 0)
			return &p->moments[i];
	return NULL;
}

time_t
plan_welcome_time(const struct plan *p)
{
	const struct plan_moment *mo = plan_find(p, "nudge:w1");

	return mo != NULL && mo->scheduled ? mo->at : p->start_at;
}
