/*
 * store_action — the improvement actions of a programme's teams (improvement_action): added
 * when a facilitator or the coordinator replies to the progress or evaluation report (flow
 * apply_action.c), listed for the reports, the follow-up questionnaire and feedbackctl.
 *
 * Conventions as store.h: 0 on success, -1 with err; strings malloc'd, released with the
 * matching *_release().
 */
#ifndef FB_STORE_ACTION_H
#define FB_STORE_ACTION_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "db.h"
#include "fberror.h"

struct store_action_new {
	int64_t team_id;
	const char *by_whom;     /* "team" or "others" */
	const char *term;        /* "short" or "long" */
	const char *text;
	const char *author;      /* the sender's address */
	const char *author_name; /* NULL: not known */
	const char *report;      /* "progress" or "evaluation" */
	int64_t inbox_id;        /* the reply; 0 none */
};

/* Record one action. */
int store_action_add(struct db *db, const struct store_action_new *a, time_t now,
    struct fb_error *err);

struct store_action {
	int64_t id, team_id;
	char *team;              /* the team's name */
	char *quadrant;          /* "team_short", ...: action_quadrant_key() */
	int quadrant_index;      /* 0..3, the same in action_quadrant() order */
	char *text;
	char *author, *author_name;  /* author_name may be NULL */
	char *report;            /* "progress", "evaluation"; "" for a row without one */
	int64_t created_at;
};
struct store_action_list {
	struct store_action *v;
	size_t n;
};

/* The actions of team_id (0: every team of program_id), by team name, then quadrant (team
 * short, team long, others short, others long), then as they came. */
int store_action_list(struct db *db, int64_t program_id, int64_t team_id,
    struct store_action_list *out, struct fb_error *err);
void store_action_list_release(struct store_action_list *l);

/*
 * Attach the improvement actions of every team of s (loaded by store_report_progress_load()
 * for programme_id and team_id) to its report_pteam, in quadrant order, for the evaluation and
 * follow-up reports. 0, or -1 with err (s keeps what it had).
 */
struct report_progress_set;
int store_report_actions_load(struct db *db, int64_t program_id, int64_t team_id,
    struct report_progress_set *s, struct fb_error *err);

#endif
