/*
 * store_pause — a programme's pauses (program_pause): from..until, inclusive local dates
 * "YYYY-MM-DD" in the programme's zone. The plan (plan.h, "Pauses") decides what they move;
 * this only keeps them. Errors as store.h: 0, or -1 with err and outputs untouched.
 */
#ifndef FB_STORE_PAUSE_H
#define FB_STORE_PAUSE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "db.h"
#include "fberror.h"

struct program_pause {
	int64_t id;
	int64_t program_id;
	char from_date[11];
	char until_date[11];
};

struct program_pause_list {
	struct program_pause *v; /* by from_date; free with store_pause_list_release() */
	size_t n;
};

int store_pause_add(struct db *db, int64_t program_id, const char *from_date,
    const char *until_date, time_t now, int64_t *id, struct fb_error *err);
/* The pauses of a programme, by from_date. */
int store_pause_list(struct db *db, int64_t program_id, struct program_pause_list *out,
    struct fb_error *err);
void store_pause_list_release(struct program_pause_list *l);
/* A pause ends on until_date instead (resume); until_date NULL: the pause is deleted. */
int store_pause_set_until(struct db *db, int64_t id, const char *until_date,
    struct fb_error *err);

#endif
