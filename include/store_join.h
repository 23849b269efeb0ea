/*
 * store_join — the rows the welcome and a late joiner need (welcome.h): when each member
 * joined, which members a once-per-member moment ("welcome", "joined") is still owed to, the
 * mark that it was done, the open questionnaires a member has, and putting a member's welcome
 * ahead of their mail queued earlier and not yet sent.
 *
 * The once-per-member marks are rows of the done table (store_moment.h's table) with the
 * member's id as target: the programme, the key and the member, so a restart never sends one
 * twice and no migration is needed. A member's join time is member.created_at (set by member
 * add and import, never changed).
 *
 * Conventions as store.h: 0 on success, -1 with err; lists released with their *_release().
 * Writes run inside the caller's transaction when there is one.
 */
#ifndef FB_STORE_JOIN_H
#define FB_STORE_JOIN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "db.h"
#include "fberror.h"

struct join_row {
	int64_t member_id;
	int64_t team_id;
	time_t joined_at;        /* member.created_at */
};
struct join_list {
	struct join_row *v;
	size_t n;
};

/*
 * The active members of programme program_id, by id, with when they joined; with key (not
 * NULL) only those for whom (key, member) is not marked done yet.
 */
int store_join_list(struct db *db, int64_t program_id, const char *key, struct join_list *out,
    struct fb_error *err);
void store_join_list_release(struct join_list *l);

/* Mark (key, member_id) of programme program_id done at now (again: no change). */
int store_join_mark(struct db *db, int64_t program_id, const char *key, int64_t member_id,
    time_t now, struct fb_error *err);
/* 1 when (key, member_id) of programme program_id is marked done, 0 when not, -1 with err. */
int store_join_is_marked(struct db *db, int64_t program_id, const char *key, int64_t member_id,
    struct fb_error *err);

/*
 * Put member_id's newest unsent message of this kind (queued, never tried) ahead of every
 * message to the same address queued earlier and not yet tried, so the outbox hands it to
 * the transport first (the outbox sends by next_attempt_at, then id). Nothing else of those
 * rows changes; no such message, or none ahead of it: no change.
 */
int store_join_first(struct db *db, int64_t member_id, const char *kind, struct fb_error *err);

/* Mark the attendee rows of p's sessions that belong to erased members removed, without a
 * CANCEL: member erase left only a placeholder address there, and the person is gone. */
int store_join_forget_erased(struct db *db, int64_t program_id, struct fb_error *err);

/* The questionnaires member_id was sent whose measurement is still open at now. */
struct join_questionnaire {
	char kind[12];           /* baseline | midterm | final | followup */
	time_t closes_at;
};
struct join_questionnaire_list {
	struct join_questionnaire *v;
	size_t n;
};
int store_join_questionnaires(struct db *db, int64_t member_id, time_t now,
    struct join_questionnaire_list *out, struct fb_error *err);
void store_join_questionnaire_list_release(struct join_questionnaire_list *l);

#endif
