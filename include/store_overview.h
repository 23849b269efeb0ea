/*
 * store_overview — the reads of the views that show everything at once: what a dry run of
 * the daemon's pass did to its copy of the database (feedbackd --once --dry-run), and the
 * figures of `feedbackctl overview`. Rows in, rows out: no decisions.
 */
#ifndef FB_STORE_OVERVIEW_H
#define FB_STORE_OVERVIEW_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "db.h"
#include "fberror.h"

/* A list of row ids; release with store_ids_release(). */
struct store_ids {
	int64_t *v;
	size_t n, cap;
};
void store_ids_release(struct store_ids *l);

/* The highest outbox and inbox row ids (0 when empty). 0, or -1 with err. */
int store_overview_last_ids(struct db *db, int64_t *outbox_last, int64_t *inbox_last,
    struct fb_error *err);
/* Outbox ids after after_id in id order; with unsent_only only rows still to go (neither sent
 * nor failed). Appended to out. 0, or -1 with err. */
int store_overview_outbox_ids(struct db *db, int64_t after_id, int unsent_only,
    struct store_ids *out, struct fb_error *err);
/* Inbox ids after after_id in id order; with pending_only only pending rows. Appended. */
int store_overview_inbox_ids(struct db *db, int64_t after_id, int pending_only,
    struct store_ids *out, struct fb_error *err);

/* ---- feedbackctl overview --------------------------------------------------------------------- */

/* A programme's outbox rows by state (mail whose row names no programme is not counted). */
struct overview_mail {
	int queued, sending, sent, retry, held, failed;
	int deferred;       /* queued, but kept for a later day by the mail budget */
};
int store_overview_mail(struct db *db, int64_t program_id, struct overview_mail *out,
    struct fb_error *err);

/* A member of the programme away on date (an absence covers it), with the last day of the
 * absence that does (the latest, when several do). */
struct overview_away {
	int64_t member_id;
	char until[11];            /* "YYYY-MM-DD" */
};
struct overview_away_list {
	struct overview_away *v;
	size_t n;
};
/* The active members of program_id away on date ("YYYY-MM-DD"), by member id. */
int store_overview_away(struct db *db, int64_t program_id, const char *date,
    struct overview_away_list *out, struct fb_error *err);
void store_overview_away_release(struct overview_away_list *l);

#endif
