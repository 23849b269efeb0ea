/*
 * store_report — the database side of the facilitators' reports: load the weekly report's data
 * of one team or of every team of a programme, and read and write the rows of the anonymous
 * rating samples and of the ratings a facilitator sends back (which feedback becomes a sample
 * and what a rating means is decided in ratings.h and report_ratings.h).
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
	struct plan_pause *pauses; /* the programme's, by date: the inputs' calendar */
	size_t npauses;
};
#define REPORT_SET_INIT { NULL, 0, NULL, NULL, 0, 0, NULL, NULL, NULL, 0 }

/*
 * Load the weekly report data for week `week` (1..p->weeks+1, capped at REPORT_MAX_WEEKS) of
 * team team_id of programme p, or of all its teams when team_id is 0. now is the report's
 * "generated at" and decides which questionnaires are open and which sessions are coming.
 * Members who left are in it (report_member_in.left_on), erased ones not. Rating samples are
 * not loaded: see report_samples_attach() (report_ratings.h). out is filled (release with
 * store_report_set_release()).
 */
int store_report_weekly_load(struct db *db, const struct program *p, int64_t team_id, int week,
    time_t now, struct report_set *out, struct fb_error *err);

void store_report_set_release(struct report_set *s);

/* The progress or evaluation report's data: the weekly set (members and their weekly
 * counts) plus measurements, scores and ratings per team. */
struct report_progress_set {
	struct report_set weekly;
	struct report_pteam *teams;
	struct report_progress_input in;
	struct report_ambition *ambitions; /* storage of the teams' ambition */
	struct report_action *actions;     /* storage of the teams' improvement actions */
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
 * programme p and team_id): for each of the nopen questions open (the baseline's open questions,
 * report_progress_ambition_questions()), the answers of the team's active members, not
 * superseded, each cut to REPORT_AMBITION_MAX_TEXT bytes, sorted by text, and the team's names
 * for the renderers to mask (report_pteam.mask_names). A team that got no baseline gets none.
 * 0, or -1 with err (s keeps what it had).
 */
int store_report_ambition_load(struct db *db, const struct program *p, int64_t team_id,
    const struct report_question *open, size_t nopen, struct report_progress_set *s,
    struct fb_error *err);

/* The feedback requests the members of team team_id (of programme program_id) made in weeks
 * 1..through_week: how many, how many of them are answered, and by how many members (the team's
 * picture, team_picture.h). 0, or -1 with err (outputs untouched). */
int store_report_team_requests(struct db *db, int64_t program_id, int64_t team_id,
    int through_week, int *requests, int *answered, int *askers, struct fb_error *err);

/* ---- rating samples and ratings: the rows; report_ratings.h decides what they mean ---- */

/* Keep a copy of str in s for the inputs to point to (freed with the set); NULL on ENOMEM. */
const char *store_report_keep(struct report_set *s, const char *str);

/* Load once into rd (a team of s) the names report_weekly() masks in the team's samples: its
 * members (those who left too) and its facilitators, into rd->in.mask_names. 0, or -1. */
int store_report_team_names(struct db *db, struct report_set *s, struct report_data *rd,
    struct fb_error *err);

/* The programme of team team_id: 0, 1 when there is no such team, -1 with err. */
int store_report_team_program(struct db *db, int64_t team_id, int64_t *program_id,
    struct fb_error *err);

/*
 * The samples recorded for the report of team team_id and week, by number: fn(arg, number,
 * parts) for each, with parts the feedback's confirmation, critique and suggestion as written
 * ("" when empty; valid during the call). fn returns 0 for the next row, 1 to stop, -1 to fail
 * (it sets err). Returns the number of rows handed to fn, or -1.
 */
int store_rating_samples_shown(struct db *db, int64_t team_id, int week,
    int (*fn)(void *arg, int64_t number, const char *const parts[3]), void *arg,
    struct fb_error *err);

/* The ids of the feedback that could become samples of team team_id's week: not follow-up,
 * given by the team's members that week, not yet a sample; by id. *ids malloc'd (caller
 * frees), *n of them. 0, or -1 with err (*ids NULL). */
int store_rating_sample_candidates(struct db *db, int64_t program_id, int64_t team_id, int week,
    int64_t **ids, size_t *n, struct fb_error *err);

/* The next free sample number of programme program_id (1 for the first). 0, or -1. */
int store_rating_sample_next(struct db *db, int64_t program_id, int64_t *next,
    struct fb_error *err);

/* Record feedback feedback_id as sample "F<number>" of team team_id's week report. 0, or -1. */
int store_rating_sample_add(struct db *db, int64_t program_id, int64_t number, int64_t feedback_id,
    int64_t team_id, int week, time_t now, struct fb_error *err);

/* The team and programme of facilitator facilitator_id: 0, 1 when there is none, -1 with err. */
int store_rating_facilitator(struct db *db, int64_t facilitator_id, int64_t *team_id,
    int64_t *program_id, struct fb_error *err);

/* One recorded sample. */
struct store_rating_sample {
	int64_t feedback_id;
	int64_t team_id;         /* whose report showed it */
	int week;
};

/* Sample "F<number>" of programme program_id: 0 with out, 1 when there is none, -1 with err. */
int store_rating_sample_find(struct db *db, int64_t program_id, int64_t number,
    struct store_rating_sample *out, struct fb_error *err);

/* Store a facilitator's score for the feedback of a sample, of week; a second rating of the
 * same feedback by the same facilitator replaces the first. 0, or -1 with err. */
int store_rating_put(struct db *db, int64_t feedback_id, int64_t facilitator_id, int score,
    int week, time_t now, struct fb_error *err);

#endif
