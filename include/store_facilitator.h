/*
 * store_facilitator — facilitators leaving a team and coming back (facilitator remove and
 * replace). A removed facilitator keeps their row (removed_at set): their ratings keep their
 * author and their session attendee rows stay, so the invitations they had can be cancelled;
 * store_facilitator_list() (store.h) lists only those still there, so reports and invitations
 * go to them only. Errors as store.h.
 */
#ifndef FB_STORE_FACILITATOR_H
#define FB_STORE_FACILITATOR_H

#include <stdint.h>
#include <time.h>

#include "db.h"
#include "fberror.h"

/* Facilitator id leaves their team at now. */
int store_facilitator_remove(struct db *db, int64_t id, time_t now, struct fb_error *err);

/*
 * Make address a facilitator of team_id again if they were one and were removed (name, when
 * not NULL, replaces the name kept): 0 and *id filled; 1 when there is no such removed
 * facilitator (add one with store_facilitator_add()); -1 on error.
 */
int store_facilitator_restore(struct db *db, int64_t team_id, const char *address,
    const char *name, int64_t *id, struct fb_error *err);

#endif
