/*
 * store_measure — the measurements' reads and writes: one measurement row per programme and
 * kind (baseline, midterm, final, followup), one questionnaire row per member sent it, the
 * answers (the latest per question counts; older ones are kept, marked superseded), and the
 * aggregates `feedbackctl measurement status` shows.
 *
 * Who answered is known only to send reminders and to say what is still open; the aggregates
 * (store_measure_counts, store_measure_scores) never name a member.
 *
 * Conventions as store.h: 0 (or a count) on success, -1 with err; strings malloc'd and released
 * with the matching *_release().
 */
#ifndef FB_STORE_MEASURE_H
#define FB_STORE_MEASURE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "db.h"
#include "fberror.h"

struct measurement_row {
	int64_t id, program_id;
	char kind[12];           /* baseline | midterm | final | followup */
	time_t opens_at, closes_at;
};

/* The measurement of program and kind, made when missing (the first opens_at and closes_at
 * stay). *id is set either way. */
int store_measurement_open(struct db *db, int64_t program_id, const char *kind,
    time_t opens_at, time_t closes_at, int64_t *id, struct fb_error *err);
/* 0 and out filled, 1 when the programme has no such measurement. */
int store_measurement_get(struct db *db, int64_t program_id, const char *kind,
    struct measurement_row *out, struct fb_error *err);
/* Close now: closes_at becomes now when it was later. */
int store_measurement_close(struct db *db, int64_t id, time_t now, struct fb_error *err);

struct questionnaire_row {
	int64_t id, measurement_id, member_id, program_id;
	char kind[12];           /* the measurement's */
	time_t sent_at, closes_at;
	int reminders;           /* the number of the last reminder moment acted on for it */
	time_t last_reminder_at; /* 0: none sent */
	time_t completed_at;     /* 0: not complete */
	int answered;            /* questions with a current answer */
};

/* Record that member was sent the measurement's questionnaire: 0 and *id when new, 1 (and
 * *id of the existing row) when it was sent before — so a moment run twice sends once. */
int store_questionnaire_add(struct db *db, int64_t measurement_id, int64_t member_id,
    time_t now, int64_t *id, struct fb_error *err);
/* 0 and out filled, 1 when there is no such row. */
int store_questionnaire_get(struct db *db, int64_t id, struct questionnaire_row *out,
    struct fb_error *err);

struct questionnaire_list {
	struct questionnaire_row *v;
	size_t n;
};
/* The measurement's questionnaires that are not complete, by id. */
int store_questionnaire_incomplete(struct db *db, int64_t measurement_id,
    struct questionnaire_list *out, struct fb_error *err);
void store_questionnaire_list_release(struct questionnaire_list *l);

/* A reminder for moment number was handled (sent: sent_at != 0, also last_reminder_at). */
int store_questionnaire_reminded(struct db *db, int64_t id, int number, time_t sent_at,
    struct fb_error *err);
/* Mark complete (the first completion time stays). */
int store_questionnaire_completed(struct db *db, int64_t id, time_t now, struct fb_error *err);

/* Store an answer (score -1: none, a text answer) superseding the question's earlier one. */
int store_answer_add(struct db *db, int64_t questionnaire_id, unsigned question, int score,
    const char *text, int64_t inbox_id, time_t now, struct fb_error *err);

struct answer_row {
	unsigned question;
	int score;               /* -1: a text answer */
	char *text;              /* NULL for a score given without text */
};
struct answer_list {
	struct answer_row *v;
	size_t n;
};
/* The current answers of a questionnaire, by question. */
int store_answer_current(struct db *db, int64_t questionnaire_id, struct answer_list *out,
    struct fb_error *err);
void store_answer_list_release(struct answer_list *l);

/*
 * A receipt that waits (answers.h): the answers given by score-link clicks to questionnaire
 * questionnaire_id are confirmed together, in one mail, at due_at. first_at is the first click
 * it gathers, answers how many, inbox_id and in_reply_to the latest click (the receipt answers
 * it). in_reply_to is malloc'd ("<...>" or NULL); release with store_answer_receipt_release().
 */
struct answer_receipt_row {
	int64_t questionnaire_id;
	time_t first_at, due_at;
	int answers;
	int64_t inbox_id;        /* 0: none */
	char *in_reply_to;
};
/* 0 and out filled, 1 when none waits for the questionnaire. */
int store_answer_receipt_get(struct db *db, int64_t questionnaire_id,
    struct answer_receipt_row *out, struct fb_error *err);
/* Write r (a new one, or the questionnaire's waiting one replaced). */
int store_answer_receipt_put(struct db *db, const struct answer_receipt_row *r,
    struct fb_error *err);
/* Forget the questionnaire's waiting receipt (sent, or answered by another mail). */
int store_answer_receipt_drop(struct db *db, int64_t questionnaire_id, struct fb_error *err);
struct answer_receipt_list {
	struct answer_receipt_row *v;
	size_t n;
};
/* The waiting receipts of programme program_id due at now (due_at <= now), oldest first. */
int store_answer_receipt_due(struct db *db, int64_t program_id, time_t now,
    struct answer_receipt_list *out, struct fb_error *err);
/* The earliest due_at of any waiting receipt into *next (0 when none). */
int store_answer_receipt_next(struct db *db, time_t *next, struct fb_error *err);
void store_answer_receipt_release(struct answer_receipt_row *r);
void store_answer_receipt_list_release(struct answer_receipt_list *l);

/* Automatic reminders (outbox kinds ending in "reminder") queued to member since t: the
 * member's reminder budget. */
int store_reminders_since(struct db *db, int64_t member_id, time_t since, struct fb_error *err);

/* Response to a measurement, of one team (team_id > 0) or the whole programme. */
struct measure_counts {
	int sent, complete, partial, missing;
};
int store_measure_counts(struct db *db, int64_t measurement_id, int64_t team_id,
    struct measure_counts *out, struct fb_error *err);

/* Every current score given to question in the measurement (of team, when > 0), in no
 * particular order: *scores malloc'd (free()), *n of them. */
int store_measure_scores(struct db *db, int64_t measurement_id, int64_t team_id,
    unsigned question, int **scores, size_t *n, struct fb_error *err);

#endif
