/*
 * store_moment — the done moments (done table): which of a programme's planned moments
 * ("week:3:nudge", ...) the scheduler has acted on, so each is done once. The plan says what
 * is due (plan.h); the scheduler decides (schedule.c); the store only keeps the marks.
 *
 * Conventions as store.h: -1 with err on failure; writes run inside the caller's transaction
 * when there is one.
 */
#ifndef FB_STORE_MOMENT_H
#define FB_STORE_MOMENT_H

#include <stdint.h>
#include <time.h>

#include "db.h"
#include "fberror.h"

/* 1 when moment key of programme program_id is done, 0 when not, -1 with err. */
int store_moment_is_done(struct db *db, int64_t program_id, const char *key,
    struct fb_error *err);

/* Mark moment key of programme program_id done at now (again: no change). 0, or -1 with err. */
int store_moment_mark_done(struct db *db, int64_t program_id, const char *key, time_t now,
    struct fb_error *err);

#endif
