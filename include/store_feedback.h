/*
 * store_feedback — the feedback flow's reads and writes: feedback requests, feedback (with its
 * three BKC parts), reactions, the counts a facilitator sees, and the address facts the flow
 * needs (which addresses are a member's, which bounce).
 *
 * Counting rules, the same everywhere (status, nudges, reports):
 *   given     feedback rows with is_followup = 0 written by the member in the week(s);
 *   received  the same, received by the member;
 *   requested feedback requests the member made (one per colleague asked).
 * A second answer to one request is stored as a follow-up and counted nowhere.
 *
 * Conventions as store.h: 0 (or a count) on success, -1 with err; strings malloc'd, released
 * with the matching *_release().
 */
#ifndef FB_STORE_FEEDBACK_H
#define FB_STORE_FEEDBACK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "db.h"
#include "fberror.h"
#include "store.h"

struct feedback_request_row {
	int64_t id, program_id, asker_id, giver_id;
	char *topic;             /* NULL: none given */
	int week;
	time_t answered_at;      /* 0: not yet */
};

int store_request_add(struct db *db, int64_t program_id, int64_t asker_id, int64_t giver_id,
    const char *topic, int week, int64_t inbox_id, time_t now, int64_t *id,
    struct fb_error *err);
int store_request_get(struct db *db, int64_t id, struct feedback_request_row *out,
    struct fb_error *err);
/* Mark answered (the first answer's time stays). */
int store_request_answered(struct db *db, int64_t id, time_t now, struct fb_error *err);
void store_request_release(struct feedback_request_row *r);

struct feedback_new {
	int64_t program_id, request_id, giver_id, receiver_id, inbox_id; /* request 0: unsolicited */
	const char *confirmation, *critique, *suggestion;               /* NULL: not given */
	int week;
	int is_followup;
};

struct feedback_row {
	int64_t id, program_id, request_id, giver_id, receiver_id;
	char *confirmation, *critique, *suggestion;
	char *topic;             /* the request's topic, NULL when none */
	int week;
	int is_followup;
	int64_t received_outbox_id; /* the outbox row with the version its receiver has or will
	                          * have (0: none known) */
};

int store_feedback_add(struct db *db, const struct feedback_new *f, time_t now, int64_t *id,
    struct fb_error *err);
int store_feedback_get(struct db *db, int64_t id, struct feedback_row *out,
    struct fb_error *err);
/* Replace the parts given (NULL keeps a part): the giver's correction. */
int store_feedback_correct(struct db *db, int64_t id, const char *confirmation,
    const char *critique, const char *suggestion, struct fb_error *err);
/* The newest feedback member_id received: 0 and *id, 1 when none. */
int store_feedback_latest_received(struct db *db, int64_t member_id, int64_t *id,
    struct fb_error *err);
/* The outbox row that carries the version of feedback id its receiver has, or will have
 * (0: none). */
int store_feedback_set_outbox(struct db *db, int64_t id, int64_t outbox_id,
    struct fb_error *err);
void store_feedback_release(struct feedback_row *f);

/* Keep a reaction to feedback; *before is how many reactions it already had. */
int store_reaction_add(struct db *db, int64_t feedback_id, const char *text, int64_t inbox_id,
    time_t now, int *before, struct fb_error *err);

struct feedback_counts {
	int given, received, requested;
};

/* A member's counts over weeks from..to (inclusive). */
int store_member_counts(struct db *db, int64_t member_id, int week_from, int week_to,
    struct feedback_counts *out, struct fb_error *err);

struct status_row {
	int64_t member_id;
	char *name, *address;
	struct feedback_counts week, total;
	int undeliverable;
};
struct status_list {
	struct status_row *v;
	size_t n;
};
/* Every member of a team with counts for week and for weeks 1..week, by name. */
int store_team_status(struct db *db, int64_t team_id, int week, struct status_list *out,
    struct fb_error *err);
void store_status_list_release(struct status_list *l);

/* 1 when address is one of the member's addresses, 0 when not, -1 on error. */
int store_member_has_address(struct db *db, int64_t member_id, const char *address,
    struct fb_error *err);
/* The member writing from address, in the most recent programme that knows the address:
 * 0 and out filled, 1 when no member has it, -1 on error. */
int store_member_by_address_any(struct db *db, const char *address, struct member *out,
    int64_t *program_id, struct fb_error *err);
/* Mark address undeliverable (in every programme); returns how many addresses matched. */
int store_address_undeliverable(struct db *db, const char *address, const char *reason,
    time_t now, struct fb_error *err);
/* Record a spam complaint (ARF, inbox row inbox_id) about mail to member_id: every address
 * of the member is marked complained at now. 1 when this is the member's first complaint, 0
 * when they had complained before (nothing changes), -1 on error. */
int store_member_complained(struct db *db, int64_t member_id, int64_t inbox_id, time_t now,
    struct fb_error *err);
/* Mail queued to recipient in answer to inbound mail since t (the flood cap). */
int store_answers_since(struct db *db, const char *recipient, time_t since,
    struct fb_error *err);

#endif
