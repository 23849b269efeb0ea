/*
 * answers — the answer receipt, at once or gathered over a member's clicks. See
 * include/answers.h for when a receipt waits and why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answers.h"
#include "flow.h"
#include "measure.h"
#include "outmail.h"
#include "banned.h"

time_t
answers_receipt_due(time_t first_at, time_t now)
{
	time_t due = now + ANSWERS_QUIET, last = first_at + ANSWERS_WAIT_MAX;

	/* The ceiling never puts a receipt before the click it confirms. */
	if (last < now)
		last = now;
	return due < last ? due : last;
}

int
answers_recorded(const struct flow *f, const struct questionnaire_row *qr,
    const struct questionnaire *q, struct template_values *v, unsigned char *answered,
    int *complete, struct fb_error *err)
{
	struct answer_list al = { 0 };
	int rc = -1;

	if (store_answer_current(f->db, qr->id, &al, err) < 0)
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
			fb_error_set(err, "out of memory");
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
answers_receipt_queue(const struct flow *f, const struct answers_receipt *r,
    struct fb_error *err)
{
	const struct member *m = r->m;
	struct outmail_token t = { PURPOSE_QUESTIONNAIRE, m->id, 0, r->qr->id };
	struct measure_questions mq = { r->q, r->answered };
	struct outmail_msg msg = {
		.kind = "answers_received", .program = r->p,
		.lang = flow_member_language(r->p, m),
		.to_addr = m->address, .to_name = m->name, .member_id = m->id,
		.token = &t, .in_reply_to = r->in_reply_to,
		.inbox_id = r->inbox_id, .values = r->v,
		.prepare = r->closed ? NULL : measure_prepare, .prepare_arg = &mq,
	};

	/* The last day it is open, as the reader reads a date. */
	if (outmail_set_date(r->v, "close_date", flow_member_zone(r->p, m), r->qr->closes_at - 1,
	    f->now, err) < 0)
		return -1;
	if (template_set(r->v, "name", m->name) < 0 ||
	    (r->closed && (template_set(r->v, "closed", "1") < 0 ||
	    template_set(r->v, "title", r->q->title) < 0)) ||
	    (!r->closed && r->complete && template_set(r->v, "complete", "1") < 0) ||
	    (r->clicks > 1 && template_setf(r->v, "clicks", "%d", r->clicks) < 0))
		return fb_error_set(err, "out of memory");
	return outmail_queue(f, &msg, NULL, err);
}

int
answers_receipt_wait(const struct flow *f, int64_t questionnaire_id, int64_t inbox_id,
    const char *in_reply_to, time_t *due, struct fb_error *err)
{
	struct answer_receipt_row r = { 0 };
	int rc = store_answer_receipt_get(f->db, questionnaire_id, &r, err);

	if (rc < 0)
		return -1;
	if (rc == 1) { /* the first click of a spell */
		r.questionnaire_id = questionnaire_id;
		r.first_at = f->now;
	}
	/* The latest click is the one the receipt answers. */
	store_answer_receipt_release(&r);
	r.answers++;
	r.due_at = answers_receipt_due(r.first_at, f->now);
	r.inbox_id = inbox_id;
	if (in_reply_to != NULL && (r.in_reply_to = strdup(in_reply_to)) == NULL)
		return fb_error_set(err, "out of memory");
	rc = store_answer_receipt_put(f->db, &r, err);
	store_answer_receipt_release(&r);
	if (rc < 0)
		return -1;
	if (due != NULL)
		*due = r.due_at;
	return 0;
}

/* One waiting receipt, as its questionnaire stands now: queued and forgotten. */
static int
sweep_one(const struct flow *f, const struct program *p, const struct answer_receipt_row *r,
    size_t *mails, struct fb_error *err)
{
	struct questionnaire q = QUESTIONNAIRE_INIT;
	struct questionnaire_row qr;
	struct member m = { 0 };
	struct template_values *v = NULL;
	unsigned char answered[QUESTIONNAIRE_MAX_NUMBER + 1];
	char spec[24];
	int complete = 0, have_member = 0, rc;

	if ((rc = store_questionnaire_get(f->db, r->questionnaire_id, &qr, err)) != 0)
		return rc < 0 ? -1 : store_answer_receipt_drop(f->db, r->questionnaire_id, err);
	snprintf(spec, sizeof(spec), "%lld", (long long)qr.member_id);
	rc = -1;
	if (store_member_find(f->db, p->id, 0, spec, &m, err) < 0)
		goto out;
	have_member = 1;
	memset(answered, 0, sizeof(answered));
	if (measure_questionnaire_load(f->cfg->feedbackd.questionnaires_dir,
	    flow_member_language(p, &m), qr.kind, &q, err) < 0)
		goto out;
	if ((v = template_values_new()) == NULL) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	if (answers_recorded(f, &qr, &q, v, answered, &complete, err) < 0)
		goto out;
	/* Closed meanwhile: the answers counted (they came before), nothing is open any more. */
	if (f->now >= qr.closes_at)
		memset(answered, 1, sizeof(answered));
	struct answers_receipt ar = {
		.p = p, .m = &m, .qr = &qr, .q = &q, .v = v, .answered = answered,
		.complete = complete, .clicks = r->answers, .in_reply_to = r->in_reply_to,
		.inbox_id = r->inbox_id,
	};
	if (answers_receipt_queue(f, &ar, err) < 0 ||
	    store_answer_receipt_drop(f->db, r->questionnaire_id, err) < 0)
		goto out;
	(*mails)++;
	rc = 0;
out:
	template_values_free(v);
	questionnaire_release(&q);
	if (have_member)
		store_member_release(&m);
	return rc;
}

int
answers_sweep(const struct flow *f, const struct program *p, size_t *mails,
    struct fb_error *err)
{
	struct answer_receipt_list l = { 0 };
	int rc = 0;

	if (store_answer_receipt_due(f->db, p->id, f->now, &l, err) < 0)
		return -1;
	for (size_t i = 0; i < l.n && rc == 0; i++) {
		size_t n = 0;

		if (db_begin(f->db, err) < 0) {
			rc = -1;
			break;
		}
		if (sweep_one(f, p, &l.v[i], &n, err) < 0 || db_commit(f->db, err) < 0) {
			db_rollback(f->db);
			fb_error_prefix(err, "programme %s, the receipt of questionnaire %lld: ",
			    p->name, (long long)l.v[i].questionnaire_id);
			rc = -1;
			break;
		}
		*mails += n;
	}
	store_answer_receipt_list_release(&l);
	return rc;
}

time_t
answers_next_due(const struct flow *f)
{
	time_t next = 0;

	if (store_answer_receipt_next(f->db, &next, NULL) < 0)
		return 0;
	return next;
}
