/*
 * apply_measure — a member's reply to a questionnaire, a reminder or an answer receipt (token
 * purpose "questionnaire", ref_id = the questionnaire row).
 *
 * Every "N: answer" line the fields module read is checked against the questionnaire: a scale
 * question takes a whole score 0..10, an open question text; a number that is no question, a
 * text where a score belongs, or what fields could not read (out of range, "7,5") is explained
 * in the receipt and never guessed. Good answers are stored at once (a later answer to the same
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

/* Check and store the reply's answers; problems found are added to v's "problems". */
static int
store_answers(struct ctx *c, const struct questionnaire_row *qr, const struct questionnaire *q,
    struct template_values *v, size_t *stored, size_t *nproblems)
{
	const struct fields *fl = &c->fields;

	for (size_t i = 0; i < fl->nproblems; i++) {
		struct template_values *it = template_add_item(v, "problems");

		if (it == NULL || template_setf(it, "line", "%zu", fl->problems[i].line) < 0 ||
		    template_set(it, "text", fl->problems[i].text) < 0)
			return fb_error_set(c->err, "out of memory");
		(*nproblems)++;
	}
	for (size_t i = 0; i < fl->nanswers; i++) {
		const struct fields_answer *a = &fl->answers[i];
		const struct questionnaire_question *qq = questionnaire_find(q, a->q);
		struct template_values *it;
		struct buf why = BUF_INIT;

		if (qq == NULL)
			buf_addf(&why, "question %u: there is no such question (the questions are "
			    "%u to %u)", a->q, q->q[0].number, q->q[q->n - 1].number);
		else if (qq->type == QUESTIONNAIRE_SCALE && a->score < 0)
			buf_addf(&why, "question %u: \"%s\" is not a score from 0 to 10", a->q,
			    a->text);
		if (why.len > 0) {
			it = template_add_item(v, "problems");
			int bad = it == NULL || template_setf(it, "line", "%zu", a->line) < 0 ||
			    template_set(it, "text", why.data) < 0;
			buf_release(&why);
			if (bad)
				return fb_error_set(c->err, "out of memory");
			(*nproblems)++;
			continue;
		}
		buf_release(&why);
		if (store_answer_add(c->f->db, qr->id, a->q,
		    qq->type == QUESTIONNAIRE_SCALE ? a->score : -1,
		    qq->type == QUESTIONNAIRE_OPEN ? a->text : NULL, c->inbox_id, c->f->now,
		    c->err) < 0)
			return -1;
		(*stored)++;
	}
	return 0;
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
	char close[11];

	if ((rc = store_questionnaire_get(c->f->db, questionnaire_id, &qr, c->err)) != 0) {
		if (rc < 0)
			return -1;
		apply_set(c, "ignored", "a reply to questionnaire %lld, which no longer exists",
		    (long long)questionnaire_id);
		return 0;
	}
	if (apply_member_get(c, member_id, &m) < 0)
		return -1;
	rc = -1;
	if (questionnaire_load(c->f->cfg->feedbackd.questionnaires_dir, apply_lang(c, &m),
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
		apply_set(c, "ignored", "%s questionnaire answer from %s after the close: kept, "
		    "not counted", qr.kind, m.name);
	else if (stored == 0)
		apply_set(c, "ignored", "%s questionnaire reply from %s without a usable answer "
		    "(%zu problems): told what is open", qr.kind, m.name, nproblems);
	else
		apply_set(c, "applied", "%s questionnaire: %zu answers from %s recorded%s%s",
		    qr.kind, stored, m.name, complete ? ", complete" : ", partial",
		    nproblems ? ", with problems explained" : "");

	if ((may = apply_may_answer(c)) <= 0) {
		rc = may;
		goto out;
	}
	if (measure_local_date(c->program.timezone, qr.closes_at - 1, close, c->err) < 0)
		goto out;
	if (template_set(v, "name", m.name) < 0 || template_set(v, "close_date", close) < 0 ||
	    (closed && template_set(v, "closed", "1") < 0) ||
	    (!closed && complete && template_set(v, "complete", "1") < 0)) {
		fb_error_set(c->err, "out of memory");
		goto out;
	}
	struct outmail_token t = { "questionnaire", m.id, 0, qr.id };
	struct measure_questions mq = { &q, answered };
	struct outmail_msg msg = {
		.kind = "answers_received", .program = &c->program, .lang = m.language,
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
