/*
 * questionnaire — the questions of a measurement, as data: one file per measurement and
 * language, mail-templates/<lang>/questionnaires/<measurement>.txt (baseline, midterm, final,
 * followup), overridable file by file from the configuration's questionnaires_dir. Also the
 * summary statistics a response report shows (average, median, distribution of 0..10 scores).
 *
 * The file format, one item a line (UTF-8, LF or CRLF):
 *   # a comment                  ignored, as are blank lines
 *   title: 0-meting              once, before the questions: the measurement's name in mail
 *   1 scale: How safe ...?       a question answered with a whole score 0..10
 *   7 open: Which themes ...?    a question answered with text
 *   8 actions: What came of ...? an open question about the team's improvement actions
 *                                (actions.h): asked only of a team that has them, naming
 *                                them (questionnaire_for_actions())
 * Question numbers are 1..QUESTIONNAIRE_MAX_NUMBER and strictly increasing (gaps are allowed,
 * so a programme may drop a question and keep the others' numbers comparable over time). At
 * least one question, at most QUESTIONNAIRE_MAX_QUESTIONS, each at most QUESTIONNAIRE_MAX_TEXT
 * bytes of text without control characters. Anything else is rejected with "FILE:LINE: what is
 * wrong; accepted: ..." — a malformed file never half-loads.
 *
 * Pure: the shell reads the file (measure_questionnaire_load() in measure.h) and hands its
 * bytes to questionnaire_parse().
 * Errors: 0, or -1 with err filled (err may be NULL). Ownership: a struct questionnaire owns its
 * strings; release it with questionnaire_release() (also after a failure).
 */
#ifndef FB_QUESTIONNAIRE_H
#define FB_QUESTIONNAIRE_H

#include <stddef.h>

#include "fberror.h"

#define QUESTIONNAIRE_MAX_FILE (64 * 1024)
#define QUESTIONNAIRE_MAX_QUESTIONS 40
#define QUESTIONNAIRE_MAX_NUMBER 99
#define QUESTIONNAIRE_MAX_TEXT 500
#define QUESTIONNAIRE_SCORE_MAX 10

enum questionnaire_type { QUESTIONNAIRE_SCALE, QUESTIONNAIRE_OPEN };

struct questionnaire_question {
	unsigned number;
	enum questionnaire_type type;
	int about_actions;   /* an "N actions:" question (QUESTIONNAIRE_OPEN) */
	char *text;
};

struct questionnaire {
	char *title;
	struct questionnaire_question *q; /* in increasing number order */
	size_t n;
};
#define QUESTIONNAIRE_INIT { NULL, NULL, 0 }

/*
 * Parse text[0..len) (need not be NUL-terminated; any bytes). name is the file as shown in
 * errors ("nl/questionnaires/baseline.txt"). out is released first; on error it is empty.
 */
int questionnaire_parse(const char *name, const char *text, size_t len,
    struct questionnaire *out, struct fb_error *err);

/* Free q's contents; q is empty afterwards. NULL is fine. */
void questionnaire_release(struct questionnaire *q);

/*
 * The questionnaire as a team with the improvement actions texts[0..n) gets it, into out
 * (released first): each "actions" question names them after its own text, one per line
 * ("\n     - text": under the question as the mail lists it); without actions (n == 0)
 * those questions are left out. 0, or -1 with err (memory); out is empty on error.
 */
int questionnaire_for_actions(const struct questionnaire *in, const char *const *texts,
    size_t n, struct questionnaire *out, struct fb_error *err);

/* Question number in q, or NULL. */
const struct questionnaire_question *questionnaire_find(const struct questionnaire *q,
    unsigned number);

/* Summary of scores (each 0..QUESTIONNAIRE_SCORE_MAX; others are not counted). */
struct questionnaire_stats {
	size_t n;
	double average;   /* 0 when n == 0 */
	double median;    /* the mean of the two middle scores when n is even; 0 when n == 0 */
	size_t dist[QUESTIONNAIRE_SCORE_MAX + 1]; /* how many gave each score */
};
void questionnaire_stats(const int *scores, size_t n, struct questionnaire_stats *out);

#endif
