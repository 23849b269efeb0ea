/*
 * pace — the daily cap as a rate: plan each address's waiting mail. See include/pace.h.
 *
 * The store reads and writes the rows; ratecap (pure) decides the times; this file joins the
 * two and says what happened, at info level.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fbtime.h"
#include "log.h"
#include "pace.h"
#include "ratecap.h"
#include "banned.h"

static void
utc_text(time_t t, char *out, size_t n)
{
	struct buf b = BUF_INIT;

	if (fbtime_format_utc(t, &b) < 0 || b.data == NULL)
		snprintf(out, n, "%lld", (long long)t);
	else
		snprintf(out, n, "%s", b.data);
	buf_release(&b);
}

/*
 * Plan the waiting mail of one address at now. watch_id, the row just queued (0: none), is
 * planned too, and its time goes to *watch_at (0: now). The caller holds the transaction.
 */
static int
pace_plan(struct db *db, const char *recipient, time_t now, int cap, int64_t watch_id,
    time_t *watch_at, struct pace_stats *st, struct fb_error *err)
{
	struct outbox_wait_list w = { 0 };
	struct ratecap_row *rows = NULL;
	time_t *counted = NULL;
	size_t ncounted = 0;
	int rc = -1;

	if (queue_outbox_window(db, recipient, now - RATECAP_WINDOW, watch_id, &counted,
	    &ncounted, err) < 0)
		return -1;
	if (queue_outbox_waiting(db, recipient, watch_id, &w, err) < 0)
		goto out;
	if (w.n == 0) {
		rc = 0;
		goto out;
	}
	rows = calloc(w.n, sizeof(*rows));
	if (rows == NULL) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < w.n; i++)
		rows[i].admitted = w.v[i].held ? 0 : w.v[i].admitted_at;
	if (ratecap_plan(counted, ncounted, rows, w.n, cap, now) < 0) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < w.n; i++) {
		const struct outbox_wait *r = &w.v[i];
		time_t at = rows[i].at;
		char when[40], reason[160];

		if (r->id == watch_id && watch_at != NULL)
			*watch_at = at > now ? at : 0;
		if (at <= now) {
			if (!r->held)
				continue;
			if (queue_outbox_admit(db, r->id, now, err) < 0)
				goto out;
			utc_text(r->next_at, when, sizeof(when));
			log_info("outbox %lld (%s): released, the daily cap of its address allows it "
			    "now (it was held until %s)", (long long)r->id, r->kind, when);
			if (st != NULL)
				st->released++;
			continue;
		}
		if (r->held && r->next_at == at)
			continue;
		utc_text(at, when, sizeof(when));
		snprintf(reason, sizeof(reason), "held: %d messages to this address in 24 hours "
		    "(per_recipient_daily_cap)%s; goes at %s", cap, r->priority == OUTBOX_AUTOMATIC ?
		    ", person-to-person mail first" : "", when);
		if (queue_outbox_hold(db, r->id, at, reason, err) < 0)
			goto out;
		log_info("outbox %lld (%s): %s by the daily cap of its address "
		    "(per_recipient_daily_cap = %d); goes at %s", (long long)r->id, r->kind,
		    r->held ? "still held" : "held", cap, when);
		if (st != NULL)
			st->held++;
	}
	rc = 0;
out:
	free(counted);
	free(rows);
	queue_outbox_wait_list_release(&w);
	return rc;
}

int
pace_add(struct db *db, const struct outbox_new *m, time_t now, int cap, int64_t *id,
    time_t *goes_at, struct fb_error *err)
{
	int64_t rid;
	time_t at = 0;

	if (queue_outbox_add(db, m, now, &rid, err) < 0)
		return -1;
	if (pace_plan(db, m->recipient, now, cap, rid, &at, NULL, err) < 0)
		return -1;
	if (id != NULL)
		*id = rid;
	if (goes_at != NULL)
		*goes_at = at;
	return 0;
}

int
pace_plan_row(struct db *db, const char *recipient, int64_t id, time_t now, int cap,
    time_t *goes_at, struct fb_error *err)
{
	time_t at = 0;

	if (pace_plan(db, recipient, now, cap, id, &at, NULL, err) < 0)
		return -1;
	if (goes_at != NULL)
		*goes_at = at;
	return 0;
}

int
pace_release(struct db *db, time_t now, int cap, struct pace_stats *st, struct fb_error *err)
{
	char **rcpt = NULL;
	size_t n = 0;
	int rc = 0;

	if (queue_outbox_held_recipients(db, &rcpt, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (db_begin(db, err) < 0) {
			rc = -1;
			break;
		}
		if (pace_plan(db, rcpt[i], now, cap, 0, NULL, st, err) < 0) {
			db_rollback(db);
			rc = -1;
		} else if (db_commit(db, err) < 0) {
			rc = -1;
		}
	}
	for (size_t i = 0; i < n; i++)
		free(rcpt[i]);
	free(rcpt);
	return rc;
}
