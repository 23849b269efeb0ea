/*
 * report_progress — the progress report (step 3, week 5) and the evaluation report (step 5, and
 * again after the follow-up): what the programme did, per team and side by side. Pure: plain data
 * in (the store fills it, store_report.h), text / CSV / HTML and PNG charts out.
 *
 * Figures, after the evaluation scheme of a feedback-and-improvement conversation:
 *   response      per measurement moment (baseline, midterm, final, follow-up): sent, answered
 *   scores        average score per question at each moment, and the change from the baseline;
 *                 shown only when at least min_group_size members answered the question at both
 *                 moments involved (PRODUCT.md, Privacy), otherwise "–"
 *   volume        feedback given per week, per team and per member (the rise the programme
 *                 promises)
 *   quality       the facilitators' anonymous ratings, average per week
 *   ambition      per team its members' answers to the baseline's open questions, anonymous,
 *                 only from min_group_size answers (struct report_ambition)
 * The evaluation report follows the conversation it is for: per team first what went well
 * (report_wins.h: picked from these figures by rule, never made up), then "1. Herkennen /
 * Recognise" (response, feedback per week, per member), "2. Begrijpen / Understand" (scores
 * and their change, the ambition), "3. Waarderen / Appreciate" (what rose, the quality
 * ratings), "4. Verbeteren / Improve" (what fell, the improvement actions: report_action);
 * the teams side by side (and, in HTML, the charts) after that. The progress report keeps the
 * overview first.
 * Charts (report_chart.c, cairo, PNG in memory): volume per week with the teams side by side,
 * per team its members' weekly volume as a heat map and its scores per question and moment,
 * ratings per week. Every chart is REPORT_CHART_W x REPORT_CHART_H pixels except the heat map
 * (REPORT_CHART_W x report_chart_members_height()).
 *
 * Ownership: the input belongs to the caller; outputs are appended to caller's buffers.
 * Functions return 0, or -1 when memory runs out (or cairo fails: err says so).
 */
#ifndef FB_REPORT_PROGRESS_H
#define FB_REPORT_PROGRESS_H

#include <stddef.h>

#include "buf.h"
#include "fberror.h"
#include "report.h"

#define REPORT_MOMENTS 4          /* baseline, midterm, final, follow-up (plan.h order) */
#define REPORT_MAX_QUESTIONS 40   /* questions 1..40; more are not shown */
#define REPORT_CHART_W 720
#define REPORT_CHART_H 320
#define REPORT_CHART_MAX_TEAMS 8  /* teams drawn side by side; the tables have them all */

enum report_progress_kind { REPORT_PROGRESS, REPORT_EVALUATION };

#define REPORT_AMBITION_MAX_ANSWERS 100 /* per team and question; more are not shown */
#define REPORT_AMBITION_MAX_TEXT 1000   /* bytes of one answer shown */

/*
 * The team's ambition: its members' answers to one open question of the baseline (which skills
 * or themes to work on, how feedback helps, the desired end result). Anonymous: no names, the
 * team members' names inside the answers masked, in an order not tied to who wrote them (by
 * text). Shown only when at least min_group_size members answered, as with scores.
 */
/* A question the ambition is asked with: an open question of the baseline. */
struct report_question {
	unsigned number;             /* 1..QUESTIONNAIRE_MAX_NUMBER */
	const char *text;            /* borrowed from the questionnaire */
};
#define REPORT_AMBITION_MAX_QUESTIONS 40  /* = QUESTIONNAIRE_MAX_QUESTIONS */

struct questionnaire;

/*
 * The questions whose answers are the team's ambition: the open questions of the baseline, in
 * its order, at most max. Writes them to out (borrowing the baseline's texts) and returns how
 * many; 0 without a baseline.
 */
size_t report_progress_ambition_questions(const struct questionnaire *baseline,
    struct report_question *out, size_t max);

struct report_ambition {
	int question;                /* its number in the baseline */
	const char *text;            /* the question as the baseline asks it, or NULL */
	const char *const *answers;
	size_t nanswers;
};

/* An improvement action of the team (actions.h): its quadrant (action_quadrant()) and text. */
struct report_action {
	int quadrant;
	const char *text;
};

struct report_pteam {
	const char *name;
	const struct report_member_in *members; /* name and given[] are used */
	size_t nmembers;
	int sent[REPORT_MOMENTS], answered[REPORT_MOMENTS];
	/* Average score of question q (slot q, 1..REPORT_MAX_QUESTIONS) at each moment, and how
	 * many members answered it. */
	double avg[REPORT_MOMENTS][REPORT_MAX_QUESTIONS + 1];
	int navg[REPORT_MOMENTS][REPORT_MAX_QUESTIONS + 1];
	double rating_avg[REPORT_WEEK_SLOTS];
	int rating_n[REPORT_WEEK_SLOTS];
	const struct report_ambition *ambition; /* one per open baseline question, or none */
	size_t nambition;
	/* The improvement actions replied to the reports (evaluation and follow-up reports),
	 * under "4. Verbeteren": rendered by report_actions.h, in quadrant order; none: the
	 * report says there are none yet. */
	const struct report_action *actions;
	size_t nactions;
	/* Whose names the ambition answers must not show (mask.h): the renderers mask them. */
	const char *const *mask_names;
	size_t nmask_names;
};

struct report_progress_input {
	const char *program;
	enum report_lang lang;
	enum report_progress_kind kind;
	int weeks;            /* the programme's W */
	int through_week;     /* figures for weeks 1..through_week */
	int min_group_size;   /* privacy threshold for scores */
	int nquestions;       /* highest question number with answers (<= REPORT_MAX_QUESTIONS) */
	const struct report_pteam *teams;
	size_t nteams;
};

/* Feedback given by the team in week w (the sum over its members). */
int report_team_volume(const struct report_pteam *t, int week);

/* The average of question q at moment m, and its change from the baseline, when shown (enough
 * answers); 1 when shown, 0 when not (out untouched). */
int report_score(const struct report_progress_input *in, const struct report_pteam *t, int m,
    int q, double *avg, double *change);

int report_progress_text(const struct report_progress_input *in, struct buf *out);

/* The report's title in its language ("Voortgangsrapport", "Evaluation report"): static. */
const char *report_progress_title(const struct report_progress_input *in);

/* CSV in long form (one figure per row: team;figure;moment or week;member or question;value),
 * UTF-8 with BOM, ';'-separated, decimal comma for a Dutch programme. */
int report_progress_csv(const struct report_progress_input *in, struct buf *out);

/* A chart as the HTML shows it: src is "cid:ID" in mail, a file name on disk. */
struct report_chart_ref {
	const char *src;
	const char *alt;
};

/* The HTML report; charts (may be NULL when n is 0) are shown in the order given, each with
 * its alt text; every value escaped, no scripts, no external references other than the srcs
 * given. */
int report_progress_html(const struct report_progress_input *in,
    const struct report_chart_ref *charts, size_t ncharts, struct buf *out);

/* The same as a fragment (one table, no <html>/<body>) for a mail template. */
int report_progress_html_fragment(const struct report_progress_input *in,
    const struct report_chart_ref *charts, size_t ncharts, struct buf *out);

/* Per-team charts beyond this many teams are left out (the tables have every team). */
#define REPORT_TEAM_CHARTS_MAX 20

/* One chart of the report, made by report_charts_make(). */
struct report_chart_file {
	char name[48];   /* "volume.png", "scores-1.png", "members-1.png", ... */
	char cid[64];    /* Content-ID for mail: name + "@feedbackd" */
	char alt[96];    /* alt text, in the report's language */
	struct buf png;
};

struct report_charts {
	struct report_chart_file *v;
	size_t n;
};
#define REPORT_CHARTS_INIT { NULL, 0 }

/*
 * Every chart of the report, in the order the HTML shows them: volume, ratings, then per team
 * (at most REPORT_TEAM_CHARTS_MAX teams) its scores and its members' heat map. out is filled
 * (release with report_charts_release(), also after a failure). 0, or -1 with err.
 */
int report_charts_make(const struct report_progress_input *in, struct report_charts *out,
    struct fb_error *err);
void report_charts_release(struct report_charts *c);

/* Charts, each appended to png as a PNG file (report_chart.c). */
int report_chart_volume(const struct report_progress_input *in, struct buf *png,
    struct fb_error *err);
int report_chart_ratings(const struct report_progress_input *in, struct buf *png,
    struct fb_error *err);
int report_chart_scores(const struct report_progress_input *in, const struct report_pteam *t,
    struct buf *png, struct fb_error *err);
int report_chart_members(const struct report_progress_input *in, const struct report_pteam *t,
    struct buf *png, struct fb_error *err);
/* Hand back the caches cairo and its font library (fontconfig) keep for the process, so leak
 * checkers see none: call once at exit, after the last chart (the next chart rebuilds them). */
void report_chart_cleanup(void);

/* Height of team t's member heat map. */
int report_chart_members_height(const struct report_pteam *t);

#endif
