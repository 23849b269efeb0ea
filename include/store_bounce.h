/*
 * store_bounce — the store's side of bounces (issue 16): which outbox row a bounce is about,
 * the bounces counted per address, and the address's unreachable mark (member_address's
 * undeliverable_at, set and cleared here).
 *
 * Decisions are not made here: flow/apply.c decides what a bounce proves and core/bounce.h
 * what the recorded bounces add up to. Conventions as store.h: 0 (or a count) on success, -1
 * with err; strings malloc'd, released with the matching *_release().
 */
#ifndef FB_STORE_BOUNCE_H
#define FB_STORE_BOUNCE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "bounce.h"
#include "db.h"
#include "fberror.h"

/* Bounces of one address read at most, newest first: more would change no verdict. */
#define STORE_BOUNCE_MAX_EVENTS 256

/* An outbox row a bounce may be about. */
struct bounce_sent {
	int64_t outbox_id, program_id, member_id; /* 0: none */
	char *recipient;  /* lowercase, as queued */
	char *state;      /* the row's state: "sent", "retry", ... */
};

/* The outbox row whose envelope sender carries token (any case): 0 and out filled, 1 when no
 * row has it, -1 on error. */
int store_bounce_sent_by_token(struct db *db, const char *token, struct bounce_sent *out,
    struct fb_error *err);
/* The outbox row with Message-ID message_id (without angle brackets): 0, 1 or -1 as above. */
int store_bounce_sent_by_message_id(struct db *db, const char *message_id,
    struct bounce_sent *out, struct fb_error *err);
void store_bounce_sent_release(struct bounce_sent *s);

/* Record a counted bounce of address (lowercased), read at `at`. inbox_id, outbox_id: 0 for
 * none. */
int store_bounce_add(struct db *db, const char *address, int permanent, const char *status,
    time_t at, int64_t inbox_id, int64_t outbox_id, struct fb_error *err);
/* The bounces of address after since, newest first, at most STORE_BOUNCE_MAX_EVENTS, into
 * *ev (caller frees with free(); NULL when *n is 0). */
int store_bounce_events(struct db *db, const char *address, time_t since,
    struct bounce_event **ev, size_t *n, struct fb_error *err);

/* A member address that has just been marked unreachable. */
struct bounce_marked {
	int64_t member_id, program_id;
};
/* Mark address unreachable (undeliverable_at = now, the reason) wherever a member has it and it
 * is not marked yet; the rows newly marked go to *out (caller frees with free(); NULL when
 * *n is 0), so the caller tells the coordinator once per address and member. */
int store_bounce_mark_unreachable(struct db *db, const char *address, const char *reason,
    time_t now, struct bounce_marked **out, size_t *n, struct fb_error *err);
/* Since when address is unreachable: the time, 0 when it is not (or not a member's), -1 on
 * error. */
time_t store_bounce_unreachable_since(struct db *db, const char *address, struct fb_error *err);
/* Reachable again: clear the mark of address (in every programme) and forget its bounces.
 * Returns how many member addresses were marked (0: it was not), -1 on error. */
int store_bounce_reachable(struct db *db, const char *address, struct fb_error *err);
/* The same for every address of member member_id (by hand: `feedbackctl member reachable`). */
int store_bounce_reachable_member(struct db *db, int64_t member_id, struct fb_error *err);

#endif
