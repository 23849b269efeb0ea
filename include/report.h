/*
 * report — what a facilitator reads: the weekly report of one team, computed from plain data.
 *
 * Pure: no I/O, no clock ("now" is in the input as generated_at). The store side
 * (store_report.h) fills a struct report_input from the database; report_weekly() turns it into
 * a struct report (every member's figures, status and reasons, sorted for reading); the
 * renderers (report_render_text/html/csv, in report_render.c) write it out in the programme's
 * language. Nothing here names a giver next to a feedback text: the rating samples in the input
 * are masked by report_weekly() (mask.h) and carry only their short id.
 *
 * Weeks are programme weeks (plan.h): week 1 starts on the start date. Arrays indexed by week
 * use slots 1..REPORT_MAX_WEEKS; slot 0 is unused.
 *
 * The lagging rule (PRODUCT.md, every threshold from [lagging] in the configuration; 0 / no
 * switches a part off), for the week reported on, W:
 *   no feedback        gave no feedback in the last no_feedback_weeks weeks up to W (weeks in
 *                      which the member was away do not count; at least one must remain)
 *   no request         requested no feedback in weeks 1..W, once W >= request_by_week
 *   below median       activity (given + received + requested, weeks 1..W) below
 *                      median_fraction % of the median activity of the team's members who are
 *                      neither away in W nor unreachable (and the median is above 0)
 *   questionnaire      a questionnaire closed in W (its window ended inside W, and before
 *                      generated_at) unanswered, though the member had been reminded: while a
 *                      questionnaire is open, not answering it yet is not lagging
 * Nobody is lagging in week 1: everyone's first week is a week to begin in, as a late
 * joiner's is. A member who joined in week J (joined_week) is new, never lagging, until their
 * first full week J + 1: weeks up to J do not count for "no feedback", "no request" counts from J + 1
 * (lagging once W - J >= request_by_week), "below median" compares with the median's share of
 * the weeks they were there, and a new member is left out of the team's median.
 * A member away in week W (an absence of any source overlapping the week) is shown as away, a
 * member whose address bounced as unreachable: never as lagging (unreachable wins over away).
 * A member who left the programme in or before week W is shown as left (their figures stay in
 * the team's): never lagging, and not in the median.
 *
 * Ownership: the input's strings and arrays belong to whoever filled it (the store keeps them in
 * its struct report_data); struct report points into its input, which must outlive it, and owns
 * only its members array: free it with report_release().
 */
#ifndef FB_REPORT_H
#define FB_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "fberror.h"
#include "fbtime.h"
#include "plan.h"

#define REPORT_MAX_WEEKS 52
#define REPORT_WEEK_SLOTS (REPORT_MAX_WEEKS + 1)
/* The last week a report shows of figures through `through_week`: 1..REPORT_MAX_WEEKS. */
static inline int
report_last_week(int through_week)
{
	return through_week > REPORT_MAX_WEEKS ? REPORT_MAX_WEEKS :
	    through_week < 1 ? 1 : through_week;
}
#define REPORT_MAX_MEMBERS 2000    /* per team: more is a bug or hostile data */
#define REPORT_MAX_ABSENCES 64     /* per member, the most recent are kept */
#define REPORT_TREND_WEEKS 4       /* weeks shown in the trend column */
#define REPORT_MAX_MISSED 8        /* per member: closed questionnaires left unanswered */

enum report_lang { REPORT_LANG_NL, REPORT_LANG_EN };

/* Where an absence came from (schema: absence.source). */
enum report_away {
	REPORT_AWAY_NONE = 0,
	REPORT_AWAY_COORDINATOR,
	REPORT_AWAY_FACILITATOR,
	REPORT_AWAY_OUT_OF_OFFICE,
};

/* The thresholds of the lagging rule (see above; the shell fills them from [lagging]:
 * flow_report_rules()). */
struct report_rules {
	int no_feedback_weeks;   /* 0: off */
	int request_by_week;     /* 0: off */
	int median_fraction;     /* percent; 0: off */
	int questionnaire_after_reminder; /* 0: off */
};

struct report_absence {
	struct fb_date from, until; /* inclusive local dates */
	enum report_away source;
};

struct report_member_in {
	int64_t id;
	const char *name;
	int given[REPORT_WEEK_SLOTS];     /* feedback given in week w (follow-ups not counted) */
	int received[REPORT_WEEK_SLOTS];
	int requested[REPORT_WEEK_SLOTS]; /* feedback requests made in week w */
	const struct report_absence *absences;
	size_t nabsences;
	int unreachable;                  /* the primary address bounced */
	time_t unreachable_since;         /* when it became unreachable; 0: not known */
	time_t missed[REPORT_MAX_MISSED]; /* when each questionnaire the member was reminded of
	                                     closed unanswered (closed by generated_at) */
	int nmissed;                      /* 0..REPORT_MAX_MISSED */
	struct fb_date left_on;           /* the local date they left the programme; year 0: not */
	int joined_week;                  /* the week the member was added in when the programme
	                                     had begun (their first full week is the next); 0:
	                                     there from the start, or added in the week the
	                                     programme itself was made (a programme made after
	                                     its start date begins with the team it is given) */
};

/* An open measurement: how many got the questionnaire and how many answered. */
struct report_questionnaire_in {
	const char *kind;   /* "baseline", "midterm", "final", "followup" */
	int sent;
	int completed;
	time_t closes_at;
};

/* A coming session with its RSVPs (iTIP PARTSTAT of the team's members). */
struct report_session_in {
	const char *kind;   /* "kickoff", "progress", "evaluation" */
	time_t starts_at;
	int accepted, declined, tentative, no_answer;
};

/* A feedback text for the anonymous quality rating, as written: report_weekly() masks it. */
struct report_sample_in {
	const char *id;     /* "F12" */
	const char *text;
};

struct report_input {
	const char *program;
	const char *team;
	enum report_lang lang;
	const char *tz;              /* the programme's zone, for dates shown */
	struct fb_date start;        /* week 1's Monday */
	const struct plan_pause *pauses; /* the programme's pauses by date (plan.h): each pushes
	                              * the weeks after it later by its whole weeks */
	size_t npauses;
	int weeks;                   /* the programme's length W */
	int week;                    /* the week reported on: 1..REPORT_MAX_WEEKS */
	time_t generated_at;
	const struct report_member_in *members;
	size_t nmembers;
	const struct report_questionnaire_in *questionnaires;
	size_t nquestionnaires;
	const struct report_session_in *sessions;
	size_t nsessions;
	const struct report_sample_in *samples;
	size_t nsamples;
	/* Whose names the samples must not show (mask.h): the team's members, also those who
	 * left, and its facilitators. */
	const char *const *mask_names;
	size_t nmask_names;
	int ratings_week_count;      /* ratings the team's facilitators gave in the week */
	double ratings_week_avg;
	int ratings_total_count;     /* all weeks */
	double ratings_total_avg;
};

enum report_status {
	REPORT_LAGGING,      /* sorted first */
	REPORT_UNREACHABLE,
	REPORT_AWAY,
	REPORT_ACTIVE,
	REPORT_LEFT,         /* left the programme: sorted last */
};

/* Reasons for lagging, a bit set. */
#define REPORT_REASON_NO_FEEDBACK   0x1u
#define REPORT_REASON_NO_REQUEST    0x2u
#define REPORT_REASON_BELOW_MEDIAN  0x4u
#define REPORT_REASON_QUESTIONNAIRE 0x8u

struct report_member {
	const struct report_member_in *in;
	int given_week, received_week, requested_week;
	int given_total, received_total, requested_total; /* weeks 1..W */
	int activity;        /* given + received + requested, weeks 1..W */
	int trend[REPORT_TREND_WEEKS]; /* activity of weeks W-3..W (0 before week 1) */
	enum report_status status;
	enum report_away away;  /* REPORT_AWAY: its source */
	unsigned reasons;       /* REPORT_LAGGING: REPORT_REASON_* */
};

struct report {
	const struct report_input *in;
	struct report_member *members; /* lagging, unreachable, away, active; then by name */
	size_t n;
	size_t nlagging, nunreachable, naway;
	double median_activity;
	int team_given_week, team_received_week, team_requested_week;
	int team_given_total, team_received_total, team_requested_total;
	/* The input's samples with their texts masked (mask.h; owned by the report). */
	struct report_sample_in *samples;
	size_t nsamples;
	size_t nleft;
};
#define REPORT_INIT { NULL, NULL, 0, 0, 0, 0, 0.0, 0, 0, 0, 0, 0, 0, NULL, 0, 0 }

/* The source of the member's absence overlapping week w of in's calendar (its start and
 * pauses: a day in a pause belongs to the week before it), or REPORT_AWAY_NONE. When several
 * overlap, the first in the member's list. */
enum report_away report_away_in_week(const struct report_member_in *m,
    const struct report_input *in, int week);

/* 1 when member m had left the programme by the end of week w of in's calendar. */
int report_left_by_week(const struct report_member_in *m, const struct report_input *in,
    int week);

/* How many of m's missed questionnaires (report_member_in.missed) closed in week w of in's
 * calendar (local days in in's zone, UTC without one) and by in->generated_at: a questionnaire
 * still open is never missed. */
int report_missed_in_week(const struct report_member_in *m, const struct report_input *in,
    int week);

/*
 * The lagging reasons (REPORT_REASON_* bits) of member m for week `week`, given the team's
 * median activity (report_median_activity()); 0 when not lagging. Does not look at away or
 * unreachable: report_weekly() does that first. Pure and total: any input is fine.
 */
unsigned report_lagging_reasons(const struct report_member_in *m,
    const struct report_input *in, int week, double median_activity,
    const struct report_rules *r);

/* Median of activity over the n members that are neither away in week, nor unreachable, nor
 * left by then, nor new (week <= joined_week); 0 when there are none. */
double report_median_activity(const struct report_input *in, int week);

/*
 * Compute the weekly report of in under rules r. out is filled (release with report_release());
 * it points into in, which must outlive it. Returns 0, or -1 with err set when the input is out
 * of range (week outside 1..REPORT_MAX_WEEKS, more than REPORT_MAX_MEMBERS members) or memory
 * runs out; out is then empty.
 */
int report_weekly(const struct report_input *in, const struct report_rules *r,
    struct report *out, struct fb_error *err);

/* Free what report_weekly() allocated; out is REPORT_INIT afterwards. NULL is fine. */
void report_release(struct report *r);

/* "[naam]" or "[name]". */
const char *report_mask_word(enum report_lang lang);

/*
 * Renderers (report_render.c): append the report to out. Returns 0, or -1 when memory runs out.
 *   text  plain text, aligned columns, UTF-8 (the text/plain part of the weekly mail)
 *   html  one HTML document for mail clients (Outlook, Gmail): tables with inline styles, bars
 *         as table cells, no scripts, no images or links, every value escaped
 *   csv   for a Dutch spreadsheet: UTF-8 BOM (only when bom is set), ';' separated, values
 *         quoted where needed; one row per member, with the team's name in the first column
 *         so several teams can follow each other under one header (header: with_header)
 */
int report_render_text(const struct report *r, struct buf *out);
int report_render_html(const struct report *r, struct buf *out);
/* As report_render_html() for several teams in one document (n >= 1). */
int report_render_html_many(const struct report *const *r, size_t n, struct buf *out);
int report_render_csv(const struct report *r, int bom, int with_header, struct buf *out);
/* The report as an HTML fragment (a table, no <html>/<body>) for a mail template. */
int report_render_html_fragment(const struct report *r, struct buf *out);

/* Append s to out with &, <, >, " and ' escaped for HTML text and attribute values. */
int report_html_escape(struct buf *out, const char *s);
/* Append s (NULL: empty) as one ';'-separated CSV field: quoted when it holds ';', a quote or a
 * line end (quotes doubled); a leading =, +, - or @ gets an apostrophe so a spreadsheet does not
 * run it as a formula. 0, or -1 on ENOMEM. */
int report_csv_text(struct buf *out, const char *s);

#endif
