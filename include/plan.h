/*
 * plan — the programme's timeline: settings, start date and sessions in; moments out.
 *
 * Pure: no I/O, no clock. plan_build() computes every moment of one programme (nudges, weekly
 * reports, questionnaires with their reminders and close, the progress / evaluation /
 * follow-up reports, the three sessions, the ends) as UTC instants; the scheduler then asks
 * plan_due() for the moments in (last pass, now] and plan_next() for when to wake up.
 *
 * Weeks: week 1 starts on the start date (a Monday) at 00:00 local time in the programme's
 * zone; week n starts on the Monday 7(n-1) days later at 00:00 local. Every moment is a local
 * wall time (weekday of its week, hour, minute) converted with fbtime, so it stays at 09:00
 * local across daylight-saving changes (its UTC hour moves instead). Gaps and ambiguous hours
 * resolve as fbtime.h says.
 *
 * Default timeline (PRODUCT.md), W = weeks (10), every time overridable in plan_settings:
 *   nudge               Monday 09:00, weeks 1..W                    key "nudge:w<N>"
 *   weekly report       Monday 08:00, weeks 2..W+1, on week N-1     key "report:weekly:w<N-1>"
 *   questionnaire       Monday 09:00 of week 1 (baseline), ceil(W/2) (midterm), W (final),
 *                       W+followup_weeks (follow-up; 36)            key "questionnaire:<m>"
 *   reminder i          the questionnaire's time + reminder_days[i-1] days (3, 6), same local
 *                       wall time                                   key "reminder:<m>:<i>"
 *   questionnaire close the questionnaire's time + close_days (14)  key "close:<m>"
 *   progress report     Monday 08:00 of the midterm week            key "report:progress"
 *   evaluation report   Monday 08:00 of week W+1                    key "report:evaluation"
 *   follow-up report    at the follow-up questionnaire's close      key "report:followup"
 *   sessions            kickoff (week 1), progress (midterm week), evaluation (week W), at the
 *                       time the coordinator scheduled             key "session:<s>"
 *   programme end       the last second of week W (Sunday 23:59:59 local) key "end:programme"
 *   follow-up end       at the follow-up questionnaire's close      key "end:followup"
 * <m> is baseline, midterm, final or followup; <s> kickoff, progress or evaluation.
 * Keys are stable names for "already done" bookkeeping: they do not change when a time setting
 * changes (a reminder is known by its number, not its day).
 *
 * Pauses (a holiday week): settings may list pauses, each from..until (inclusive local dates).
 * A pause counts in whole weeks from its first day: its length is ceil(days / 7) weeks, and it
 * covers that many weeks from `from` on (its effective span; a pause of Wednesday to Friday
 * covers Wednesday to the Tuesday after). Every moment the plan places (all but a scheduled
 * session, which is a dated event) whose local date is on or after a pause's first day moves
 * later by the pause's length, so the moment lands after the pause on the same weekday and at
 * the same local time: a one-week pause on the Monday of week 4 makes week 4 the week after
 * the pause. Programme weeks count without the pauses: a date inside a pause belongs to the
 * week before it (plan_week_of), so week numbers, keys and labels stay as planned. A pause
 * ending before the start date changes nothing; one that overlaps the start counts from the
 * start. Each pause is also a moment of its own (PLAN_PAUSE, key "pause:<from>", at the
 * pause's first day 00:00 local) so that a timeline shows it; nothing is due at it.
 * Pauses must be given sorted by from, each starting after the effective span of the one
 * before (plan_build refuses overlap, naming both).
 *
 * An early end (settings ended_at, 0 = none): every moment at or after ended_at is left out,
 * and the programme-end moment is at ended_at (end_at likewise), so nothing automatic is due
 * after it.
 *
 * A session without a time is still in the list, as "to schedule in week N": scheduled is 0,
 * at is the start of that week (for ordering only), and plan_due()/plan_next() skip it.
 *
 * Order: by at; moments at the same instant in the order of enum plan_kind, then by key
 * (so the weekly report comes before the progress report, a close before the follow-up report,
 * and the follow-up report before the follow-up end).
 *
 * Errors: functions returning int return 0 or -1 with err filled (err may be NULL).
 */
#ifndef FB_PLAN_H
#define FB_PLAN_H

#include <stddef.h>
#include <time.h>

#include "fberror.h"
#include "fbtime.h"

#define PLAN_MAX_WEEKS 52
#define PLAN_MAX_FOLLOWUP_WEEKS 104
#define PLAN_MAX_REMINDERS 4
#define PLAN_MAX_CLOSE_DAYS 60
#define PLAN_MAX_PAUSES 52

/* Same-instant moments are ordered by this enum: keep the order meaningful. */
enum plan_kind {
	PLAN_NUDGE,
	PLAN_WEEKLY_REPORT,
	PLAN_QUESTIONNAIRE,
	PLAN_REMINDER,
	PLAN_QUESTIONNAIRE_CLOSE,
	PLAN_PROGRESS_REPORT,
	PLAN_EVALUATION_REPORT,
	PLAN_FOLLOWUP_REPORT,
	PLAN_SESSION,
	PLAN_PROGRAM_END,
	PLAN_FOLLOWUP_END,
	PLAN_PAUSE,        /* no action: shows a pause in the timeline */
};

enum plan_measurement {
	PLAN_NO_MEASUREMENT = -1,
	PLAN_BASELINE,
	PLAN_MIDTERM,
	PLAN_FINAL,
	PLAN_FOLLOWUP,
	PLAN_MEASUREMENTS /* count */
};

enum plan_session_kind {
	PLAN_NO_SESSION = -1,
	PLAN_KICKOFF,
	PLAN_PROGRESS,
	PLAN_EVALUATION,
	PLAN_SESSIONS /* count */
};

/* A pause of the programme: from..until, inclusive local dates in the programme's zone. */
struct plan_pause {
	struct fb_date from;
	struct fb_date until;
};

/* A wall-clock moment within a programme week: weekday 1 = Monday .. 7, hour, minute. */
struct plan_clock {
	int weekday;
	int hour;
	int min;
};

struct plan_settings {
	const char *tz;                  /* IANA zone; copied by plan_build() */
	int weeks;                       /* W: 1..PLAN_MAX_WEEKS (10) */
	struct plan_clock nudge;         /* Monday 09:00 */
	struct plan_clock weekly_report; /* Monday 08:00 */
	struct plan_clock questionnaire; /* Monday 09:00 */
	struct plan_clock progress_report;   /* Monday 08:00 */
	struct plan_clock evaluation_report; /* Monday 08:00 (of week W+1) */
	int midterm_week;                /* 0: ceil(W/2); else 1..W. Also the progress session's */
	int followup_weeks;              /* follow-up at week W + this: 1..PLAN_MAX_FOLLOWUP_WEEKS (26) */
	int reminder_days[PLAN_MAX_REMINDERS]; /* days after a questionnaire, increasing ({3, 6}) */
	size_t nreminders;               /* 0..PLAN_MAX_REMINDERS (2) */
	int close_days;                  /* 1..PLAN_MAX_CLOSE_DAYS, > every reminder day (14) */
	const struct plan_pause *pauses; /* sorted by from, not overlapping; NULL when npauses is
	                                    0; copied by plan_build() (none) */
	size_t npauses;                  /* 0..PLAN_MAX_PAUSES */
	time_t ended_at;                 /* the programme was ended early at this instant; 0: not */
};

/* A session as the coordinator scheduled it (or not yet). */
struct plan_session {
	enum plan_session_kind kind;
	time_t at; /* UTC start; 0 = not scheduled yet */
};

struct plan_moment {
	enum plan_kind kind;
	enum plan_measurement measurement; /* questionnaire, reminder, close; else PLAN_NO_MEASUREMENT */
	enum plan_session_kind session;    /* PLAN_SESSION; else PLAN_NO_SESSION */
	int week;       /* programme week the moment falls in (> W after the end); for an
	                   unscheduled session the week to schedule it in */
	int number;     /* reminder: 1-based number; weekly report: the week reported on; else 0 */
	int scheduled;  /* 1, or 0 for a session without a time */
	time_t at;      /* UTC */
	struct fb_date date; /* local date and time in the programme's zone, as planned (for a */
	int hour, min;       /* member in another zone: fbtime_local_to_utc(their tz, ...)) */
	char key[40];   /* "nudge:w3": unique within the plan */
	char label[80]; /* English, for display: "Weekly nudge (week 3)" */
};

/* Zero-initialise (or PLAN_INIT) before plan_build(); plan_release() frees. */
struct plan {
	struct plan_moment *moments; /* sorted, see "Order" above */
	size_t n;
	char *tz;
	struct fb_date start;
	int weeks;
	time_t start_at; /* week 1, Monday 00:00 local */
	time_t end_at;   /* the programme end: last second of week W (or the early end) */
	struct plan_pause *pauses; /* the effective spans of the pauses that count (see "Pauses"):
	                              from, from + 7 * weeks - 1 */
	size_t npauses;
	time_t ended_at; /* as in the settings */
};
#define PLAN_INIT { NULL, 0, NULL, { 0, 0, 0 }, 0, 0, 0, NULL, 0, 0 }

/* Fill s with the defaults above (tz "Europe/Amsterdam", a static string). */
void plan_settings_default(struct plan_settings *s);

/*
 * Build the timeline of a programme that starts on *start (must be a Monday; the error names
 * its weekday and the Mondays before and after) with settings s (validated: every error names
 * the setting and what is accepted). sessions may list each kind at most once, in any order
 * (NULL when nsessions is 0); a missing kind is "to schedule". out is released first and
 * filled on success (release it with plan_release()); on error out is empty.
 */
int plan_build(const struct plan_settings *s, const struct fb_date *start,
    const struct plan_session *sessions, size_t nsessions, struct plan *out,
    struct fb_error *err);

/* Free p's contents; p is empty (PLAN_INIT) afterwards. NULL is fine. */
void plan_release(struct plan *p);

/*
 * Iterate over the scheduled moments with since < at <= now, in plan order:
 *     size_t it = 0;
 *     while ((m = plan_due(p, since, now, &it)) != NULL) ...
 * Returns NULL when there are no more. A moment exactly at now is due, one at since is not.
 */
const struct plan_moment *plan_due(const struct plan *p, time_t since, time_t now,
    size_t *cursor);

/* The earliest scheduled moment's time after now (for the daemon to sleep until); 0 if none. */
time_t plan_next(const struct plan *p, time_t now);

/* The moment with this key, or NULL. */
const struct plan_moment *plan_find(const struct plan *p, const char *key);

/* When the programme welcomes its members (welcome.h): the week-1 nudge's moment, else the
 * start. Before it nothing automatic goes to a member (budget.h). */
time_t plan_welcome_time(const struct plan *p);

/*
 * Programme week of instant t (1-based), by local date in the programme's zone (DST-safe):
 * 0 before the start, > W after week W; a date in a pause counts as the week before it (not
 * counting pauses: see "Pauses"). -1 when t is outside fbtime's supported years.
 */
int plan_week_of(const struct plan *p, time_t t);

/*
 * The pause (effective span, see "Pauses") that local date d falls in, or NULL. A programme is
 * silent in its pauses: the scheduler sends nothing automatic on such a day.
 */
const struct plan_pause *plan_paused(const struct plan *p, const struct fb_date *d);

/* The length of pause pa in whole weeks (ceil(days / 7)); 0 when until is before from. */
int plan_pause_weeks(const struct plan_pause *pa);

/* "baseline", "midterm", "final", "followup"; "kickoff", "progress", "evaluation"; "nudge",
 * "weekly-report", ...: static strings, "?" for an unknown value. */
const char *plan_measurement_name(enum plan_measurement m);
const char *plan_session_name(enum plan_session_kind k);
const char *plan_kind_name(enum plan_kind k);

#endif
