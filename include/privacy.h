/*
 * privacy — a member's data on request (export), forgetting a member (erase), and the
 * retention pass that purges a finished programme's personal content. Store module: SQL here.
 *
 * Policy (also in feedbackctl(1), PRIVACY):
 *  - erase keeps the member row (team sizes and counts stay right) with status 'erased' and the
 *    name "erased member <id>"; deletes their addresses, absences, calendar items, reply tokens
 *    and every raw message received from or sent to them (inbox and outbox rows, queued mail
 *    included); empties the raw text, subject and reason of other people's messages that name
 *    or quote them (found by link and by content: their name, addresses and texts), keeping
 *    those rows for dedupe, counts and the daily cap; deletes queued mail to others that
 *    names or quotes them; asks the caller to remove the mailbox copies; removes the texts of the feedback they gave or received, of reactions to it,
 *    of requests they made or got, and of their questionnaire answers. What stays are numbers:
 *    which week feedback was given, ratings, answer scores (used only in aggregates, which
 *    min_group_size already guards), session answers (attended or not).
 *  - retention, once a programme ended (start + weeks + followup_weeks) more than retention_days
 *    ago, does the same for all its members, facilitators and mail, once; raw inbound mail that
 *    no programme claimed is purged retention_days after it arrived.
 * Removed text is overwritten in the file, not just unlinked from it: the connection runs with
 * secure_delete, and the WAL is checkpointed and truncated afterwards, so the personal texts
 * leave the database file itself.
 *
 * All functions run in one transaction each and return 0, or -1 with err filled.
 */
#ifndef FB_PRIVACY_H
#define FB_PRIVACY_H

#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "db.h"
#include "fberror.h"

/* How much an erase or a retention pass touched (rows). */
struct privacy_counts {
	long members;
	long texts;          /* feedback, reaction, request, answer and action texts removed */
	long messages;       /* inbox and outbox rows deleted or emptied */
	long other;          /* addresses, absences, calendar items, tokens, attendee addresses */
};

/*
 * Everything stored about member_id as one JSON object: member, addresses, absences,
 * feedback_given / feedback_received (with texts and reactions), requests, answers, attendance,
 * calendar, inbox and outbox (with the raw message; bytes that are not UTF-8 are given as
 * Latin-1 and the row says "raw_encoding": "bytes-as-latin1").
 * Caller owns *out (json_decref). -1 with err when the member does not exist, or was erased
 * (the message says so: there is nothing personal left to export).
 */
int privacy_export_member(struct db *db, int64_t member_id, json_t **out, struct fb_error *err);

/* 1 when member_id exists and was erased, 0 when not (or no such member), -1 with err. */
int privacy_member_erased(struct db *db, int64_t member_id, struct fb_error *err);

/*
 * Called by privacy_erase_member() for every received message whose content goes (the
 * member's own, and others' that name or quote them), before the database forgets where it came
 * from: source is the inbox row's source ("MAILBOX ID", as the inbox pass stored it),
 * message_id its Message-ID or NULL. The callback removes the mailbox's copy; 0 to go on, -1
 * with err to abandon the erase (nothing in the database changes).
 */
typedef int (*privacy_source_cb)(void *ctx, const char *source, const char *message_id,
    struct fb_error *err);

/*
 * Erase member_id as the policy above says, in one transaction, then VACUUM and checkpoint
 * (privacy_compact()). on_source (may be NULL) is called inside the transaction for each
 * message whose mailbox copy must go. counts may be NULL. When only the compaction fails (a
 * reader keeps the file busy) the erase is committed and -1 says so in err: run
 * privacy_compact() again.
 */
int privacy_erase_member(struct db *db, int64_t member_id, struct privacy_counts *counts,
    privacy_source_cb on_source, void *ctx, struct fb_error *err);

/* VACUUM the database and checkpoint the WAL (privacy_flush()): 0, or -1 with err. */
int privacy_compact(struct db *db, struct fb_error *err);

/*
 * The retention pass (the daemon calls it daily): purge every programme whose follow-up ended
 * more than its retention_days ago (the programme's own settings "retention_days" and
 * "followup_weeks", else the defaults given here; retention_days 0 keeps everything), and
 * unclaimed inbound mail older than default_retention_days. A programme is purged once (a
 * 'retention:purged' row in done). counts may be NULL.
 */
int privacy_retention_pass(struct db *db, time_t now, int default_retention_days,
    int default_followup_weeks, struct privacy_counts *counts, struct fb_error *err);

/* Make removed content leave the file: checkpoint and truncate the WAL. Called by the above;
 * exposed for feedbackctl, which may VACUUM after it. */
int privacy_flush(struct db *db, struct fb_error *err);

#endif
