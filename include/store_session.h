/*
 * store_session — the kickoff, progress and evaluation sessions, who was invited to each
 * (attendees: members and facilitators) and what they answered (iTIP PARTSTAT).
 *
 * A session's uid never changes; its sequence rises with every change of time, date or status
 * (the invite module decides when). An attendee row is kept when someone is taken off a
 * session (removed = 1), so a late answer is still recognised and the counts stay honest.
 *
 * Conventions as store.h: 0 (or a count) on success, -1 with err; strings malloc'd, released
 * with the matching *_release(); writes run inside the caller's transaction when there is one.
 */
#ifndef FB_STORE_SESSION_H
#define FB_STORE_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "db.h"
#include "fberror.h"
#include "store.h"

struct session {
	int64_t id;
	int64_t program_id;
	int64_t team_id;         /* 0: the session is for every team of the programme */
	char kind[12];           /* kickoff | progress | evaluation */
	char *uid;               /* never changes */
	int64_t sequence;
	time_t starts_at;        /* UTC */
	int duration_min;
	char *location;          /* NULL when none */
	char *online_url;        /* NULL when none */
	char status[12];         /* confirmed | cancelled */
	char *team_name;         /* NULL for every team (filled by get/list) */
	time_t created_at, updated_at;
	/* Answers of the attendees not removed (filled by get/list). */
	int invited, accepted, declined, tentative, no_answer;
};

struct session_attendee {
	int64_t id;
	int64_t session_id;
	int64_t member_id;       /* 0 for a facilitator */
	int64_t facilitator_id;  /* 0 for a member */
	char *address;           /* lowercased */
	char *name;              /* the member's or facilitator's name; NULL when unknown */
	char partstat[16];       /* NEEDS-ACTION, ACCEPTED, DECLINED, TENTATIVE */
	int has_reply;           /* 1 once an answer was recorded */
	int64_t reply_sequence;  /* the SEQUENCE that answer carried (0 when it had none) */
	time_t replied_at;
	int removed;
};

STORE_LIST(session);
STORE_LIST(session_attendee);

/* Insert s (uid, program_id, kind, starts_at, duration_min required; team_id, location,
 * online_url optional; sequence and status as given, "" status = confirmed); fills s->id.
 * A kind outside kickoff|progress|evaluation or a duplicate uid is an error. */
int store_session_add(struct db *db, struct session *s, time_t now, struct fb_error *err);
/* By id; not found: -1 with "no session N". Release with store_session_release(). */
int store_session_get(struct db *db, int64_t id, struct session *out, struct fb_error *err);
/* By UID (exact): 0 and out filled, 1 when unknown, -1 on error. */
int store_session_by_uid(struct db *db, const char *uid, struct session *out,
    struct fb_error *err);
/* The sessions of a programme (program_id > 0) or of all (0), by start time. */
int store_session_list(struct db *db, int64_t program_id, struct session_list *out,
    struct fb_error *err);
/* Write back starts_at, duration_min, location, online_url, status and sequence of s->id. */
int store_session_update(struct db *db, const struct session *s, time_t now,
    struct fb_error *err);
void store_session_release(struct session *s);
void store_session_list_release(struct session_list *l);

/* Invite address (lowercased) to a session as a member (member_id > 0) or a facilitator:
 * a new row, or the existing row of that address back from removed. */
int store_attendee_invite(struct db *db, int64_t session_id, int64_t member_id,
    int64_t facilitator_id, const char *address, struct fb_error *err);
/* Every attendee of a session, removed ones included, by address. */
int store_attendee_list(struct db *db, int64_t session_id, struct session_attendee_list *out,
    struct fb_error *err);
/* By address (case-insensitive): 0 and out filled, 1 when not invited, -1 on error. */
int store_attendee_find(struct db *db, int64_t session_id, const char *address,
    struct session_attendee *out, struct fb_error *err);
/* Record an answer: partstat, the SEQUENCE it carried, when. */
int store_attendee_reply(struct db *db, int64_t attendee_id, const char *partstat,
    int64_t sequence, time_t now, struct fb_error *err);
/* Take an attendee off the session (kept, marked removed). */
int store_attendee_remove(struct db *db, int64_t attendee_id, struct fb_error *err);
/* After a change of time: every answer of the session back to NEEDS-ACTION (the new invite
 * asks again); reply_sequence stays, so older answers remain recognisable as stale. */
int store_attendee_reset(struct db *db, int64_t session_id, struct fb_error *err);
void store_attendee_release(struct session_attendee *a);
void store_attendee_list_release(struct session_attendee_list *l);

#endif
