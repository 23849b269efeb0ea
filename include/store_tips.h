/*
 * store_tips — the weekly nudge's tips: which tip went to whom in which week (member_tip), and
 * the figures the tip rule needs beyond store_feedback's counts.
 *
 * Conventions as store.h: 0 on success, -1 with err; strings malloc'd, released with the
 * matching *_release().
 */
#ifndef FB_STORE_TIPS_H
#define FB_STORE_TIPS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "db.h"
#include "fberror.h"

struct store_tip_counts {
	int given_beyond_confirmation; /* feedback given (not follow-ups) with a non-empty
					* critique or suggestion */
	int reactions;                 /* reactions to feedback received (not follow-ups) */
};

/* A member's figures over weeks from..to (inclusive), by the feedback's week. */
int store_tip_counts(struct db *db, int64_t member_id, int week_from, int week_to,
    struct store_tip_counts *out, struct fb_error *err);

struct store_tip_row {
	int week;
	char *tip_id;
	char *pattern;
};
struct store_tip_list {
	struct store_tip_row *v;
	size_t n;
};

/* The tips given to a member, oldest week first. */
int store_tips_given(struct db *db, int64_t member_id, struct store_tip_list *out,
    struct fb_error *err);
void store_tip_list_release(struct store_tip_list *l);

/* Record that tip_id (chosen for pattern) went to the member in week's nudge. A second tip
 * for one member and week is an error (the caller reuses the first). */
int store_tip_add(struct db *db, int64_t member_id, int week, const char *tip_id,
    const char *pattern, time_t now, struct fb_error *err);

#endif
