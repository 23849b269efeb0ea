/*
 * store_token — the reply tokens' rows. See include/store_token.h.
 */
#include "store_token.h"
#include "store_int.h"
#include "banned.h"

static const char SQL_TOKEN_INSERT[] =
	"INSERT INTO token (token, purpose, program_id, member_id, facilitator_id, ref_id,"
	" created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_TOKEN_GET[] =
	"SELECT purpose, program_id, member_id, facilitator_id, ref_id FROM token"
	" WHERE token = ? AND expires_at > ?";

int
store_token_add(struct db *db, const char *token, const char *purpose,
    const struct store_token *t, time_t now, time_t expires_at, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_TOKEN_INSERT, err);

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, token);
	db_bind_text(st, 2, purpose);
	sqlite3_bind_int64(st, 3, t->program_id);
	if (t->member_id > 0)
		sqlite3_bind_int64(st, 4, t->member_id);
	if (t->facilitator_id > 0)
		sqlite3_bind_int64(st, 5, t->facilitator_id);
	if (t->ref_id > 0)
		sqlite3_bind_int64(st, 6, t->ref_id);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)expires_at);
	return store_step_done(db, st, err, "storing a reply token");
}

struct token_get {
	struct buf *purpose;
	struct store_token *out;
};

static int
token_row(sqlite3_stmt *st, void *arg)
{
	struct token_get *g = arg;

	g->out->program_id = sqlite3_column_int64(st, 1);
	g->out->member_id = sqlite3_column_int64(st, 2);
	g->out->facilitator_id = sqlite3_column_int64(st, 3);
	g->out->ref_id = sqlite3_column_int64(st, 4);
	return buf_adds(g->purpose, db_col_text(st, 0));
}

int
store_token_get(struct db *db, const char *token, time_t now, struct buf *purpose,
    struct store_token *out, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_TOKEN_GET, err);
	struct token_get g = { purpose, out };

	buf_reset(purpose);
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, token);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	return store_step_row(db, st, token_row, &g, err, "looking up a reply token");
}
