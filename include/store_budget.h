/*
 * store_budget — the outbox rows the mail budget (budget.h) counts and defers: the store's
 * side, rows in and rows out. A row counts against its member's budget when it was queued with
 * budget = 1 (outbox_new) and let through (admitted) in the range asked about; a deferred row
 * (deferred_until set) stays out of the send queue until released, dropped or deferred again.
 * Errors as store.h: 0 (or a count), or -1 with err and outputs untouched.
 */
#ifndef FB_STORE_BUDGET_H
#define FB_STORE_BUDGET_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "db.h"
#include "fberror.h"

/* How many budget rows to member_id were let through in [from, until) (not deferred, not
 * failed): what the member's day has had. -1 on error. */
int store_budget_used(struct db *db, int64_t member_id, time_t from, time_t until,
    struct fb_error *err);

struct budget_waiting {
	int64_t id;
	char kind[32];
	char *recipient;         /* malloc'd */
	time_t about_at;         /* 0: none */
	time_t deferred_until;
	time_t created_at;
};
struct budget_waiting_list {
	struct budget_waiting *v; /* oldest first; release with store_budget_waiting_release() */
	size_t n;
};
/* The deferred rows of member_id, oldest first. */
int store_budget_waiting(struct db *db, int64_t member_id, struct budget_waiting_list *out,
    struct fb_error *err);
void store_budget_waiting_release(struct budget_waiting_list *l);

/* A deferred row goes: out of deferral, due and admitted at now. */
int store_budget_release(struct db *db, int64_t id, time_t now, struct fb_error *err);
/* A row waits until `until`, with the reason (`outbox list` shows it). */
int store_budget_defer(struct db *db, int64_t id, time_t until, const char *reason,
    struct fb_error *err);
/* A deferred row is given up: failed, with the reason. */
int store_budget_drop(struct db *db, int64_t id, const char *reason, struct fb_error *err);

/* The deferred rows to recipient about calendar event uid are dropped, with the reason: a newer
 * message about the event replaces them. Returns how many, or -1. */
int store_budget_supersede(struct db *db, const char *recipient, const char *uid,
    const char *reason, struct fb_error *err);

/* 1 when mail to recipient about calendar event uid was sent, is being sent or retried, or is
 * queued to go (not deferred); 0 when none; -1 with err. */
int store_budget_went(struct db *db, const char *recipient, const char *uid,
    struct fb_error *err);

/* A member with deferred rows due for a new look. */
struct budget_member {
	int64_t member_id, program_id;
};
/* The members with deferred rows whose deferred_until is at or before now, into *out (caller
 * frees) with *n of them. */
int store_budget_due(struct db *db, time_t now, struct budget_member **out, size_t *n,
    struct fb_error *err);

#endif
