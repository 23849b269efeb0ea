/*
 * store — the domain's reads and writes: programmes, teams, members, facilitators, absences
 * (their structs in domain.h).
 * (The mail queues, feedback, measurements and sessions get store headers of their own as
 * they are built.)
 *
 * Every function takes the open struct db, returns 0 (or a count) on success and -1 with err
 * set on failure, leaving its outputs untouched. Strings in returned structs are malloc'd and
 * belong to the struct: release them with the matching *_release() / *_list_release().
 * Writes that must be atomic with others run inside the caller's db_begin()/db_commit();
 * each function is also safe on its own (SQLite's implicit transaction).
 */
#ifndef FB_STORE_H
#define FB_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "db.h"
#include "domain.h"
#include "fberror.h"

#define STORE_LIST(type) struct type##_list { struct type *v; size_t n; }
STORE_LIST(program);
STORE_LIST(team);
STORE_LIST(member);
STORE_LIST(facilitator);

/* Programmes. create fills p->id. A name that exists is an error naming it. */
int store_program_create(struct db *db, struct program *p, time_t now, struct fb_error *err);
/* By name or by numeric id. Not found: -1 with a message listing the programmes. */
int store_program_get(struct db *db, const char *name_or_id, struct program *out,
    struct fb_error *err);
int store_program_list(struct db *db, struct program_list *out, struct fb_error *err);
void store_program_release(struct program *p);
/* Write p's start_date, weeks, timezone and language (by p->id). */
int store_program_update(struct db *db, const struct program *p, struct fb_error *err);
/* The programme ended (early) at instant at (program end). */
int store_program_end(struct db *db, int64_t id, time_t at, struct fb_error *err);
void store_program_list_release(struct program_list *l);

/* Teams. spec is "TEAM" (must then be unique over all programmes) or "PROGRAM/TEAM". */
int store_team_add(struct db *db, int64_t program_id, const char *name, time_t now,
    int64_t *id, struct fb_error *err);
int store_team_get(struct db *db, const char *spec, struct team *out, struct fb_error *err);
int store_team_list(struct db *db, int64_t program_id, struct team_list *out,
    struct fb_error *err);
void store_team_release(struct team *t);
void store_team_list_release(struct team_list *l);

/* Members. add inserts the member and its primary address (lowercased); an address already
 * used in the same programme is an error naming its owner. */
int store_member_add(struct db *db, int64_t team_id, const char *name, const char *address,
    const char *tz, const char *language, time_t now, int64_t *id, struct fb_error *err);
/* Add another address a member writes from. */
int store_member_add_address(struct db *db, int64_t member_id, const char *address,
    struct fb_error *err);
/*
 * Find a member of a programme (program_id > 0) or of a team (team_id > 0) by numeric id, by
 * any of their addresses, or by a name that is unique in that scope (case-insensitive).
 * Not found or ambiguous: -1 with a message that lists the candidates.
 */
int store_member_find(struct db *db, int64_t program_id, int64_t team_id, const char *spec,
    struct member *out, struct fb_error *err);
/* By address within a programme; 0 and out filled when found, 1 when not, -1 on error. */
int store_member_by_address(struct db *db, int64_t program_id, const char *address,
    struct member *out, struct fb_error *err);
/* Members of a team (team_id > 0) or of a programme (program_id > 0), by team then name. */
int store_member_list(struct db *db, int64_t program_id, int64_t team_id,
    struct member_list *out, struct fb_error *err);
void store_member_release(struct member *m);
void store_member_list_release(struct member_list *l);
/* Change name, time zone and language of a member (not erased); NULL keeps a field, "" clears
 * time zone or language (the programme's applies again). Values are the caller's to check. */
int store_member_update(struct db *db, int64_t member_id, const char *name, const char *tz,
    const char *language, struct fb_error *err);
/* Make address (normalised by the caller) the member's primary one: mail goes there. Their
 * other addresses stay theirs (a reply from one is still read as theirs). An address of
 * someone else in the programme is an error naming its owner. */
int store_member_set_primary(struct db *db, int64_t member_id, const char *address,
    struct fb_error *err);
/* The member leaves the programme: status left, left_at = now; mail to them still waiting in
 * the outbox (queued, retry, held) is marked failed. Returns how many such messages were
 * stopped; an inactive member is an error. Rows, addresses and history stay. */
int store_member_leave(struct db *db, int64_t member_id, time_t now, struct fb_error *err);
/* 1 when the member is active (not left, not erased), 0 when not or unknown, -1 on error. */
int store_member_active(struct db *db, int64_t member_id, struct fb_error *err);

/* Facilitators of a team. */
int store_facilitator_add(struct db *db, int64_t team_id, const char *name,
    const char *address, time_t now, int64_t *id, struct fb_error *err);
int store_facilitator_list(struct db *db, int64_t program_id, int64_t team_id,
    struct facilitator_list *out, struct fb_error *err);
void store_facilitator_release(struct facilitator *f);
void store_facilitator_list_release(struct facilitator_list *l);

/* Absences: dates are YYYY-MM-DD (inclusive). source: coordinator | facilitator | out-of-office. */
int store_absence_add(struct db *db, int64_t member_id, const char *from_date,
    const char *until_date, const char *source, int64_t inbox_id, time_t now,
    struct fb_error *err);
/* 1 when the member is away on date (YYYY-MM-DD), 0 when not, -1 on error. */
int store_member_is_away(struct db *db, int64_t member_id, const char *date,
    struct fb_error *err);

#endif
