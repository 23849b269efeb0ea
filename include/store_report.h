/*
 * store_report — the database side of the facilitators' reports: load the weekly report's data
 * of one team or of every team of a programme, pick the anonymous rating samples, and store the
 * ratings a facilitator sends back.
 *
 * Loading runs one grouped query per concern (teams, members, given, received, requested,
 * absences, reminded questionnaires, response rates, sessions, ratings) for the whole set of
 * teams at once, from covering indexes, so all weekly reports of 1,000 teams load in well under
 * a second; nothing is queried per member.
 *
 * Privacy: what is loaded for a report holds counts and names of members, and feedback texts
 * only as rating samples known by their "F<n>" id, with the names to mask in them (the store
 * does not decide what is shown: report_weekly() and the progress renderers mask, mask.h);
 * nothing ties a sample or a rating to a giver or a receiver.
 *
 * Errors: functions return 0 (or a count) or -1 with err set, leaving outputs empty.
 */
#ifndef FB_STORE_REPORT_H
#define FB_STORE_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "db.h"
#include "fberror.h"
#include "fields.h"
#include "report.h"
#include "report_progress.h"
#include "store.h"

/* One team's weekly report data: in is ready for report_weekly(); the rest is its storage. */
struct report_data {
	int64_t team_id;
	struct report_input in;
	struct report_member_in *members;
	struct report_questionnaire_in *questionnaires;
	size_t qcap;
	struct report_session_in *sessions;
	size_t scap;
	struct report_sample_in *samples;
	const char **mask_names;   /* in.mask_names: the strings live in the set */
	char *team_name;
};

/* The weekly report data of a set of teams (all of a programme, or one). */
struct report_set {
	struct report_data *teams; /* by team id */
	size_t n;
	struct report_absence *absences; /* storage the members' absences point into */
	char **strings;            /* names and texts the inputs point to */
	size_t nstrings, strings_cap;
	char *program_name;
	char *tz;
};
#define REPORT_SET_INIT { NULL, 0, NULL, NULL, 0, 0, NULL, NULL }

/*
 * Load the weekly report data for week `week` (1..p->weeks+1, capped at REPORT_MAX_WEEKS) of
 * team team_id of programme p, or of all its teams when team_id is 0. now is the report's
 * "generated at" and decides which questionnaires are open and which sessions are coming.
 * Members who left or were erased are not in the report. Rating samples are not loaded: see
 * store_report_samples(). out is filled (release with store_report_set_release()).
 */
int store_report_weekly_load(struct db *db, const struct program *p, int64_t team_id, int week,
    time_t now, struct report_set *out, struct fb_error *err);

void store_report_set_release(struct report_set *s);

/*
 * Attach up to n anonymous rating samples of the team's feedback of its week to rd (the team's
 * entry of a loaded set s): the first call for a team and week picks them (non-follow-up
 * feedback given by the team's members that week, in an order fixed by a hash of the feedback
 * id and the week, so the choice is deterministic and not the order of arrival) and records
 * each as "F<n>" with n unique in the programme; later calls show the same ones again. Each
 * text is the three BKC parts as written; rd->in.mask_names gets the names report_weekly()
 * masks in them (the team's members, those who left too, and its facilitators).
 * Writes in its own transaction. Returns the number of samples attached, or -1.
 */
int store_report_samples(struct db *db, struct report_set *s, struct report_data *rd, int n,
    time_t now, struct fb_error *err);

/* The progress or evaluation report's data: the weekly set (members and their weekly
 * counts) plus measurements, scores and ratings per team. */
struct report_progress_set {
	struct report_set weekly;
	struct report_pteam *teams;
	struct report_progress_input in;
	struct report_ambition *ambitions; /* storage of the teams' ambition */
	const char **answers;
};

/*
 * Load the data of the progress or evaluation report of programme p (team_id 0: every team,
 * side by side) for weeks 1..through_week: response and average score per question at every
 * measurement (answers not superseded; scores shown only from min_group_size answers, see
 * report_progress.h), feedback given per member and week, ratings per team and week.
 * Release out with store_report_progress_release().
 */
int store_report_progress_load(struct db *db, const struct program *p, int64_t team_id,
    int through_week, enum report_progress_kind kind, int min_group_size, time_t now,
    struct report_progress_set *out, struct fb_error *err);

void store_report_progress_release(struct report_progress_set *s);

/*
 * Attach the team's ambition to every team of s (loaded by store_report_progress_load() for
 * programme p and team_id): for each open question of baseline (the questionnaire as the
 * programme asks it, questionnaire.h), the answers of the team's active members, not
 * superseded, each cut to REPORT_AMBITION_MAX_TEXT bytes, sorted by text, and the team's names
 * for the renderers to mask (report_pteam.mask_names). A team that got no baseline gets none.
 * 0, or -1 with err (s keeps what it had).
 */
struct questionnaire;
int store_report_ambition_load(struct db *db, const struct program *p, int64_t team_id,
    const struct questionnaire *baseline, struct report_progress_set *s, struct fb_error *err);

/* What became of one rating in a facilitator's reply; the mail says it in the facilitator's
 * language (the words are in the templates ratings_received and facilitator_confirmation). */
enum report_rating_result {
	REPORT_RATING_RECORDED,     /* stored (a later rating of the same sample replaces it) */
	REPORT_RATING_UNKNOWN,      /* no sample with that number in the programme: not stored */
	REPORT_RATING_OTHER_TEAM,   /* a sample of another team's report: not stored */
	REPORT_RATING_PROBLEM,      /* fields found a problem, in problem: */
};

struct report_rating_outcome {
	enum report_rating_result result;
	enum fields_problem problem; /* PROBLEM: FIELDS_PROBLEM_RATING_OUT_OF_RANGE (not stored)
	                              * or FIELDS_PROBLEM_RATING_TWICE (the later rating counts,
	                              * and has an outcome of its own); else FIELDS_PROBLEM_OTHER */
	char id[24];                 /* the sample: "F12" */
	int score;                   /* the rating 1..5; 0 for RATING_OUT_OF_RANGE */
	const char *value;           /* RATING_OUT_OF_RANGE: the rating as written (points into
	                              * the fields given, valid while they are), else NULL */
	size_t line;                 /* where in the reply */
};

/* Outcomes in the order of the reply's lines (a problem after the rating of its line). */
struct report_rating_outcomes {
	struct report_rating_outcome *v;
	size_t n;
};
#define REPORT_RATING_OUTCOMES_INIT { NULL, 0 }

/* Free the outcomes' storage and empty them; NULL is fine. */
void report_rating_outcomes_release(struct report_rating_outcomes *o);

/*
 * Store the ratings ("F12: 4") in a facilitator's reply. Each id must be a sample shown in a
 * report of the facilitator's own team; an unknown id, or one of another team, is not applied.
 * A second rating of the same sample by the same facilitator replaces the first. Every rating,
 * and every rating problem fields_parse() noted (out of range, rated twice), gets an outcome in
 * out (emptied first; release with report_rating_outcomes_release()), data only: no words.
 * All ratings of f are stored in one transaction. Returns the number recorded (0 when none
 * could be), or -1 with err set (unknown facilitator, database error; nothing stored, out
 * empty).
 */
int report_ratings_apply(struct db *db, int64_t facilitator_id, const struct fields *f,
    time_t now, struct report_rating_outcomes *out, struct fb_error *err);

#endif
