/*
 * store_calendar — the calendar items of a programme's moments (calendar_item table): one per
 * member and questionnaire moment ("questionnaire:baseline", ...), each a calendar event of
 * its own that the member was sent (invite_moment.c decides what and when).
 *
 * Reminder moments ("reminder:baseline:1") are items too, for the members who were sent the
 * questionnaire and have not completed it (store_calendar_questionnaire() says which).
 *
 * An item's uid never changes; its sequence rises with every change of time or status. A
 * cancelled item keeps its row (and uid), so a member who comes back gets the same event again
 * with a higher SEQUENCE.
 *
 * Conventions as store.h: 0 (or a count) on success, -1 with err; strings malloc'd, released
 * with the matching *_release(); writes run inside the caller's transaction when there is one.
 */
#ifndef FB_STORE_CALENDAR_H
#define FB_STORE_CALENDAR_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "db.h"
#include "fberror.h"
#include "store.h"

struct calendar_item {
	int64_t id;
	int64_t program_id;
	int64_t member_id;
	char moment_key[40];  /* plan.h's key, e.g. "questionnaire:baseline", "reminder:final:2" */
	char *uid;            /* never changes */
	int64_t sequence;
	time_t starts_at;     /* UTC, as last sent */
	char status[12];      /* confirmed | cancelled */
};

STORE_LIST(calendar_item);

/* Insert it (program_id, member_id, moment_key, uid, starts_at required; status "" =
 * confirmed); fills it->id. A second item for the same member and moment, or a duplicate uid,
 * is an error. */
int store_calendar_add(struct db *db, struct calendar_item *it, struct fb_error *err);
/* Write back sequence, starts_at and status of it->id. */
int store_calendar_update(struct db *db, const struct calendar_item *it, struct fb_error *err);
/* The items of a programme, of one member when member_id > 0, by start then member. */
int store_calendar_list(struct db *db, int64_t program_id, int64_t member_id,
    struct calendar_item_list *out, struct fb_error *err);
/* By UID (exact): 0 and out filled, 1 when unknown, -1 on error. */
int store_calendar_by_uid(struct db *db, const char *uid, struct calendar_item *out,
    struct fb_error *err);

/* A member's questionnaire of one measurement, as far as its reminder events need it. */
struct calendar_questionnaire {
	time_t sent_at;       /* when the member was sent it */
	time_t closes_at;     /* the measurement's close (earlier when closed early) */
	time_t completed_at;  /* 0: not complete */
};
/* Member member_id's questionnaire of measurement kind ("baseline", "midterm", "final",
 * "followup") in programme program_id: 0 and out filled, 1 when the member was not sent that
 * questionnaire (or the measurement has not started), -1 on error. */
int store_calendar_questionnaire(struct db *db, int64_t program_id, int64_t member_id,
    const char *kind, struct calendar_questionnaire *out, struct fb_error *err);
void store_calendar_release(struct calendar_item *it);
void store_calendar_list_release(struct calendar_item_list *l);

#endif
