/*
 * apply_measure — a member's reply to a questionnaire, a reminder or an answer receipt (token
 * purpose "questionnaire", ref_id = the questionnaire row).
 *
 * Every "N: answer" line the fields module read is checked against the questionnaire: a scale
 * question takes a whole score 0..10, an open question text; a number that is no question, a
 * text where a score belongs, or what fields could not read (out of range, "7,5") is explained
 * in the receipt and never guessed. The receipt's template gets each problem as flags and
 * values (the list "problems": line, question, value, min, max, first, last and one of
 * not_whole, out_of_range, twice, too_long, no_question, not_score); the sentences are in
 * mail-templates/<lang>/answers_received.*, never here. Good answers are stored at once (a later answer to the same
 * question supersedes the earlier one, which is kept), so partial replies count; the receipt
 * lists what was recorded and what is still open, with the score links again. When every
 * question has a current answer the questionnaire is complete (no more reminders).
 * After the measurement closed, the reply is kept in the inbox but nothing is stored; the
 * receipt says it is closed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply_int.h"
#include "measure.h"
#include "questionnaire.h"
#include "store_measure.h"
#include "banned.h"

/*
 * One item of the list "problems": the line, the question and the value as written, and a flag
 * naming the kind of problem; the template has the sentence for each flag in the member's
 * language (no words here). NULL when memory runs out.
 */
static struct template_values *
problem_item(struct template_values *v, size_t line, const char *flag, unsigned q,
    const char *value)
{
	struct template_values *it = template_add_item(v, "problems");
	struct buf b = BUF_INIT;
	size_t n;
	int bad;

	if (it == NULL)
		return NULL;
	if (value != NULL) {
		/* at most about 60 bytes of what was written, cut on a character boundary */
		n = strlen(value);
		if (n > 60) {
			n = 57;
			while (n > 0 && ((unsigned char)value[n] & 0xc0) == 0x80)
				n--;
		}
		if (buf_add(&b, value, n) < 0 || (n < strlen(value) && buf_adds(&b, "…") < 0)) {
			buf_release(&b);
			return NULL;
		}
	}
	bad = template_setf(it, "line", "%zu", line) < 0 || template_set(it, flag, "1") < 0 ||
	    (q > 0 && template_setf(it, "question", "%u", q) < 0) ||
	    (value != NULL && template_set(it, "value", b.data) < 0) ||
	    template_set(it, "min", "0") < 0 || template_set(it, "max", "10") < 0;
	buf_release(&b);
	return bad ? NULL : it;
}

/* The template flag of a fields problem that concerns a questionnaire reply, or NULL. */
static const char *
problem_flag(enum fields_problem kind)
{
	switch (kind) {
	case FIELDS_PROBLEM_NOT_WHOLE:
	case FIELDS_PROBLEM_OUT_OF_RANGE:
	case FIELDS_PROBLEM_ANSWER_TWICE:
	case FIELDS_PROBLEM_TOO_LONG:
		return fields_problem_flag(kind);
	default:   /* problems of other fields: not the questionnaire's */
		return NULL;
	}
}

/* A problem to explain, before it becomes a template item (sorted by line first). */
struct problem {
	size_t line, seq;
	const char *flag, *value;
	unsigned q;
};

static int
problem_cmp(const void *a, const void *b)
{
	const struct problem *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Check and store the reply's answers; the problems found become v's list "problems", in the
 * order of the lines they are on. Problems of other fields (a label given twice, a rating, a
 * command) say nothing about the questionnaire and are left out of the member's mail; they
 * count in *nproblems all the same (the log).
 */
static int
store_answers(struct ctx *c, const struct questionnaire_row *qr, const struct questionnaire *q,
    struct template_values *v, size_t *stored, size_t *nproblems)
{
	const struct fields *fl = &c->fields;
	struct problem *pr;
	size_t n = 0;
	int rc = -1;

	/* at most one problem per fields problem and one per answer */
	if ((pr = calloc(fl->nproblems + fl->nanswers + 1, sizeof(*pr))) == NULL)
		return fb_error_set(c->err, "out of memory");
	for (size_t i = 0; i < fl->nproblems; i++) {
		const struct fields_note *nt = &fl->problems[i];
		const char *flag = problem_flag(nt->kind);

		(*nproblems)++;
		if (flag == NULL)
			continue;
		if (nt->kind == FIELDS_PROBLEM_ANSWER_TWICE && questionnaire_find(q, nt->q) == NULL)
			continue; /* no such question: that is explained below */
		pr[n] = (struct problem){ nt->line, n, flag, nt->value, nt->q };
		n++;
	}
	for (size_t i = 0; i < fl->nanswers; i++) {
		const struct fields_answer *a = &fl->answers[i];
		const struct questionnaire_question *qq = questionnaire_find(q, a->q);
		const char *flag = NULL;

		if (qq == NULL)
			flag = "no_question";
		else if (qq->type == QUESTIONNAIRE_SCALE && a->score < 0)
			flag = "not_score";
		if (flag != NULL) {
			pr[n] = (struct problem){ a->line, n, flag, qq == NULL ? NULL : a->text, a->q };
			n++;
			(*nproblems)++;
			continue;
		}
		if (store_answer_add(c->f->db, qr->id, a->q,
		    qq->type == QUESTIONNAIRE_SCALE ? a->score : -1,
		    qq->type == QUESTIONNAIRE_OPEN ? a->text : NULL, c->inbox_id, c->f->now,
		    c->err) < 0)
			goto out;
		(*stored)++;
	}
	qsort(pr, n, sizeof(*pr), problem_cmp);
	for (size_t i = 0; i < n; i++) {
		struct template_values *it = problem_item(v, pr[i].line, pr[i].flag, pr[i].q,
		    pr[i].value);

		if (it == NULL || (strcmp(pr[i].flag, "no_question") == 0 &&
		    (template_setf(it, "first", "%u", q->q[0].number) < 0 ||
		    template_setf(it, "last", "%u", q->q[q->n - 1].number) < 0))) {
			fb_error_set(c->err, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	free(pr);
	return rc;
}

/* What is recorded now (every current answer), the flags of answered questions, complete? */
static int
recorded(struct ctx *c, const struct questionnaire_row *qr, const struct questionnaire *q,
    struct template_values *v, unsigned char *answered, int *complete)
{
	struct answer_list al = { 0 };
	int rc = -1;

	if (store_answer_current(c->f->db, qr->id, &al, c->err) < 0)
		return -1;
	for (size_t i = 0; i < al.n; i++) {
		const struct questionnaire_question *qq = questionnaire_find(q, al.v[i].question);
		struct template_values *it;

		if (qq == NULL)
			continue; /* a question the file no longer has */
		answered[qq->number] = 1;
		if ((it = template_add_item(v, "recorded")) == NULL ||
		    template_setf(it, "number", "%u", qq->number) < 0 ||
		    template_set(it, "text", qq->text) < 0 ||
		    (al.v[i].score >= 0 ? template_setf(it, "answer", "%d", al.v[i].score) :
		    template_set(it, "answer", al.v[i].text)) < 0) {
			fb_error_set(c->err, "out of memory");
			goto out;
		}
	}
	*complete = 1;
	for (size_t i = 0; i < q->n; i++)
		if (!answered[q->q[i].number])
			*complete = 0;
	rc = 0;
out:
	store_answer_list_release(&al);
	return rc;
}

int
apply_questionnaire(struct ctx *c, int64_t member_id, int64_t questionnaire_id)
{
	struct questionnaire q = QUESTIONNAIRE_INIT;
	struct questionnaire_row qr;
	struct member m;
	struct template_values *v = NULL;
	unsigned char answered[QUESTIONNAIRE_MAX_NUMBER + 1];
	size_t stored = 0, nproblems = 0;
	int complete = 0, closed, rc, may;

	if ((rc = store_questionnaire_get(c->f->db, questionnaire_id, &qr, c->err)) != 0) {
		if (rc < 0)
			return -1;
		apply_set(c, INBOX_IGNORED, "a reply to questionnaire %lld, which no longer exists",
		    (long long)questionnaire_id);
		return 0;
	}
	if (apply_member_get(c, member_id, &m) < 0)
		return -1;
	rc = -1;
	if (measure_questionnaire_load(c->f->cfg->feedbackd.questionnaires_dir, apply_lang(c, &m),
	    qr.kind, &q, c->err) < 0 || (v = template_values_new()) == NULL)
		goto out;
	closed = c->f->now >= qr.closes_at;
	memset(answered, 0, sizeof(answered));
	if (!closed && store_answers(c, &qr, &q, v, &stored, &nproblems) < 0)
		goto out;
	if (recorded(c, &qr, &q, v, answered, &complete) < 0)
		goto out;
	if (!closed && complete && store_questionnaire_completed(c->f->db, qr.id, c->f->now,
	    c->err) < 0)
		goto out;

	if (closed)
		apply_set(c, INBOX_IGNORED, "%s questionnaire answer from %s after the close: kept, "
		    "not counted", qr.kind, m.name);
	else if (stored == 0)
		apply_set(c, INBOX_IGNORED, "%s questionnaire reply from %s without a usable answer "
		    "(%zu problems): told what is open", qr.kind, m.name, nproblems);
	else
		apply_set(c, INBOX_APPLIED, "%s questionnaire: %zu answers from %s recorded%s%s",
		    qr.kind, stored, m.name, complete ? ", complete" : ", partial",
		    nproblems ? ", with problems explained" : "");

	if ((may = apply_may_answer(c)) <= 0) {
		rc = may;
		goto out;
	}
	/* The last day it is open, as the reader reads a date. */
	if (outmail_set_date(v, "close_date", flow_member_zone(&c->program, &m), qr.closes_at - 1,
	    c->f->now, c->err) < 0)
		goto out;
	if (template_set(v, "name", m.name) < 0 ||
	    (closed && template_set(v, "closed", "1") < 0) ||
	    (!closed && complete && template_set(v, "complete", "1") < 0)) {
		fb_error_set(c->err, "out of memory");
		goto out;
	}
	struct outmail_token t = { PURPOSE_QUESTIONNAIRE, m.id, 0, qr.id };
	struct measure_questions mq = { &q, answered };
	struct outmail_msg msg = {
		.kind = "answers_received", .program = &c->program,
		.lang = flow_member_language(&c->program, &m),
		.to_addr = m.address, .to_name = m.name, .member_id = m.id,
		.token = &t, .in_reply_to = c->msg->message_id,
		.inbox_id = c->inbox_id, .values = v,
		.prepare = closed ? NULL : measure_prepare, .prepare_arg = &mq,
	};
	if (closed && template_set(v, "title", q.title) < 0) {
		fb_error_set(c->err, "out of memory");
		goto out;
	}
	rc = outmail_queue(c->f, &msg, NULL, c->err);
out:
	template_values_free(v);
	questionnaire_release(&q);
	store_member_release(&m);
	return rc;
}
