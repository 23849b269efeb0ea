/*
 * store_token — the reply tokens (token table): the row that ties a "feedback+TOKEN@" reply to
 * the person, programme and item it answers. The flow makes the token and decides its expiry
 * and what its purpose means (outmail.c); the store keeps and finds rows.
 *
 * Conventions as store.h: 0 on success, -1 with err; writes run inside the caller's
 * transaction when there is one.
 */
#ifndef FB_STORE_TOKEN_H
#define FB_STORE_TOKEN_H

#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "db.h"
#include "fberror.h"

/* One token row's ids; 0 where the row has none. */
struct store_token {
	int64_t program_id;
	int64_t member_id;
	int64_t facilitator_id;
	int64_t ref_id;
};

/* Store token (text, not empty) for purpose ("ask", "request", ...) with t's ids, made at
 * now, valid until expires_at. */
int store_token_add(struct db *db, const char *token, const char *purpose,
    const struct store_token *t, time_t now, time_t expires_at, struct fb_error *err);

/*
 * Find token valid at now (expires_at > now): 0 with out filled and its purpose as stored in
 * purpose (emptied first; the caller releases it), 1 when there is no such token, -1 with err.
 */
int store_token_get(struct db *db, const char *token, time_t now, struct buf *purpose,
    struct store_token *out, struct fb_error *err);

#endif
