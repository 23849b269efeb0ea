/*
 * apply_feedback — the members' side of the flow: asking colleagues for feedback, giving it
 * (asked for or not), reacting to feedback received, correcting feedback given.
 * See include/apply.h for the decisions; the words of every answer are in mail-templates/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply_int.h"
#include "fbtime.h"
#include "feedback_mail.h"
#include "match.h"
#include "template.h"
#include "banned.h"

#define ASK_MAX 20  /* colleagues named in one message; the rest is reported, not asked */

/* ---- sending -------------------------------------------------------------------------------- */

/*
 * Queue message kind to member `to`. answer: it answers the sender of the inbound message
 * (threaded to it, subject to the flood cap). token_purpose PURPOSE_UNKNOWN: no reply
 * expected, no token.
 * goes_at (may be NULL): when the daily cap lets it go, 0 for now (pace.h).
 */
static int
send_to_at(struct ctx *c, const char *kind, const struct member *to,
    enum token_purpose token_purpose, int64_t ref_id, struct template_values *v, int answer,
    time_t *goes_at)
{
	struct outmail_token t = { token_purpose, to->id, 0, ref_id };
	struct outmail_msg m = {
		.kind = kind,
		.program = &c->program,
		.lang = apply_lang(c, to),
		.to_addr = to->address,
		.to_name = to->name,
		.member_id = to->id,
		.token = token_purpose != PURPOSE_UNKNOWN ? &t : NULL,
		.in_reply_to = answer ? c->msg->message_id : NULL,
		.inbox_id = c->inbox_id,
		.values = v,
		.goes_at = goes_at,
	};

	if (answer) {
		int may = apply_may_answer(c);

		if (may <= 0)
			return may;
	}
	if (template_set(v, "name", to->name) < 0)
		return fb_error_set(c->err, "out of memory");
	return outmail_queue(c->f, &m, NULL, c->err);
}

static int
send_to(struct ctx *c, const char *kind, const struct member *to, enum token_purpose token_purpose,
    int64_t ref_id, struct template_values *v, int answer)
{
	return send_to_at(c, kind, to, token_purpose, ref_id, v, answer, NULL);
}

/*
 * Feedback feedback_id with the text in v, to its receiver `to`, who may react to it (token
 * "received"): a new message of kind, or (replace_id > 0) the waiting outbox row replace_id
 * rewritten. *outbox_id: the row, 0 when none (a member who left, a row that went meanwhile).
 */
static int
send_received(struct ctx *c, const char *kind, const struct member *to, int64_t feedback_id,
    struct template_values *v, int64_t replace_id, int64_t *outbox_id)
{
	struct outmail_token t = { PURPOSE_RECEIVED, to->id, 0, feedback_id };
	struct outmail_msg m = {
		.kind = kind, .program = &c->program, .lang = apply_lang(c, to),
		.to_addr = to->address, .to_name = to->name, .member_id = to->id, .token = &t,
		.inbox_id = c->inbox_id, .values = v, .outbox_id = outbox_id,
		.replace_id = replace_id,
	};

	if (template_set(v, "name", to->name) < 0)
		return fb_error_set(c->err, "out of memory");
	return outmail_queue(c->f, &m, NULL, c->err);
}

/*
 * A request the daily cap holds: the asker's confirmation says when it goes, as a date and a
 * time in the asker's zone (the words around them are the template's).
 */
static int
set_goes_at(struct ctx *c, const struct member *asker, struct template_values *item,
    time_t at)
{
	const char *tz = asker->timezone != NULL && *asker->timezone ? asker->timezone :
	    c->program.timezone;
	struct fb_local l, today;

	if (fbtime_to_local(tz, at, &l, c->err) < 0 ||
	    fbtime_to_local(tz, c->f->now, &today, c->err) < 0)
		return -1;
	if (template_set_date(item, "goes_date", &l.date, today.date.year) < 0 ||
	    template_setf(item, "goes_time", "%02d:%02d", l.hour, l.min) < 0)
		return fb_error_set(c->err, "out of memory");
	return 0;
}

static struct template_values *
values_new(struct ctx *c)
{
	struct template_values *v = template_values_new();

	if (v == NULL)
		fb_error_set(c->err, "out of memory");
	return v;
}

static int
has_bkc(const struct fields *f)
{
	return f->confirmation.text || f->critique.text || f->suggestion.text;
}

static int
set_bkc(struct template_values *v, const char *confirmation, const char *critique,
    const char *suggestion)
{
	return template_set(v, "confirmation", confirmation) | template_set(v, "critique", critique) |
	    template_set(v, "suggestion", suggestion);
}

/* The writer's text given back, at most this much (cut at a line end): replies are short. */
#define QUOTE_BACK_MAX 8192

/*
 * The writer's own (trimmed) text, so an answer can give it back and they fix it by replying
 * instead of typing it all again: "quoted" with "> " before each line for the text part, "text"
 * as it is for the HTML part (which shows it as a blockquote). Nothing is set for no text.
 */
static int
set_quoted(struct ctx *c, struct template_values *v)
{
	const char *s = c->text.data;
	size_t len = c->text.len, i = 0;
	struct buf q = BUF_INIT, t = BUF_INIT;
	int cut = 0, rc;

	if (len == 0)
		return 0;
	if (len > QUOTE_BACK_MAX) {
		cut = 1;
		len = QUOTE_BACK_MAX;
		while (len > 0 && s[len - 1] != '\n')
			len--;
		if (len == 0) /* one long line: cut between characters */
			for (len = QUOTE_BACK_MAX; len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80; len--)
				;
	}
	while (i < len) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t e = nl != NULL ? (size_t)(nl - s) : len;

		buf_puts(&q, e > i ? "> " : ">");
		buf_put(&q, s + i, e - i);
		buf_putch(&q, '\n');
		i = e + 1;
	}
	buf_put(&t, s, len);
	if (cut) {
		buf_puts(&q, "> [\xe2\x80\xa6]\n");
		buf_puts(&t, "[\xe2\x80\xa6]");
	}
	rc = buf_failed(&q) || buf_failed(&t) || template_set(v, "quoted", q.data) < 0 ||
	    template_set(v, "text", t.data) < 0 ? -1 : 0;
	buf_release(&q);
	buf_release(&t);
	return rc;
}

/*
 * A reply with nothing written in it, only the quoted mail (and maybe a signature): a friendly
 * "we found no text in your reply", the form the purpose needs, and nothing applied.
 */
static int
send_nothing_written(struct ctx *c, int64_t member_id, enum token_purpose token_purpose,
    int64_t ref_id, int form_bkc, int form_ask)
{
	struct template_values *v = values_new(c);
	struct member m;
	int rc = -1;

	if (v == NULL)
		return -1;
	if (apply_member_get(c, member_id, &m) < 0)
		goto out_v;
	if (template_set(v, "form_bkc", form_bkc ? "1" : NULL) < 0 ||
	    template_set(v, "form_ask", form_ask ? "1" : NULL) < 0) {
		fb_error_set(c->err, "out of memory");
		goto out;
	}
	rc = send_to(c, "nothing_written", &m, token_purpose, ref_id, v, 1);
	if (rc == 0)
		apply_set(c, INBOX_APPLIED, "nothing written (only quoted text): nothing applied, "
		    "answered that no text was found");
out:
	store_member_release(&m);
out_v:
	template_values_free(v);
	return rc;
}

/*
 * "We could not read your reply": what was understood, what is missing, the form again. Each
 * problem fields noted is an item of "problems" with its line, a flag for its kind and the
 * question or sample number and value it concerns; the words are in the template, in the
 * member's language (fields' English text is for the log only).
 */
static int
send_unreadable(struct ctx *c, const struct member *to, enum token_purpose token_purpose,
    int64_t ref_id, int missing_bkc, int missing_for, int missing_ask)
{
	const struct fields *f = &c->fields;
	struct template_values *v = values_new(c);
	struct buf ask = BUF_INIT;
	int rc = -1;

	if (v == NULL)
		return -1;
	for (size_t i = 0; i < f->nask; i++)
		buf_putf(&ask, "%s%s", i ? ", " : "", f->ask[i]);
	if (buf_failed(&ask))
		goto oom;
	int understood = f->nask || f->about.text || f->feedback_for.text || has_bkc(f);
	if (template_set(v, "understood", understood ? "1" : NULL) < 0 ||
	    template_set(v, "ask", ask.data) < 0 ||
	    template_set(v, "about", f->about.text) < 0 ||
	    template_set(v, "feedback_for", f->feedback_for.text) < 0 ||
	    set_bkc(v, f->confirmation.text, f->critique.text, f->suggestion.text) < 0 ||
	    template_set(v, "missing_bkc", missing_bkc ? "1" : NULL) < 0 ||
	    template_set(v, "missing_for", missing_for ? "1" : NULL) < 0 ||
	    template_set(v, "missing_ask", missing_ask ? "1" : NULL) < 0 ||
	    template_set(v, "form_bkc", missing_bkc ? "1" : NULL) < 0 ||
	    template_set(v, "form_ask", missing_ask ? "1" : NULL) < 0 || set_quoted(c, v) < 0)
		goto oom;
	for (size_t i = 0; i < f->nproblems; i++) {
		struct template_values *p = template_add_item(v, "problems");

		const struct fields_note *nt = &f->problems[i];

		if (p == NULL || template_setf(p, "line", "%zu", nt->line) < 0 ||
		    template_set(p, fields_problem_flag(nt->kind), "1") < 0 ||
		    (nt->q > 0 && template_setf(p, "question", "%u", nt->q) < 0) ||
		    template_set(p, "value", nt->value) < 0)
			goto oom;
	}
	rc = send_to(c, "unreadable", to, token_purpose, ref_id, v, 1);
	goto out;
oom:
	fb_error_set(c->err, "out of memory");
out:
	buf_release(&ask);
	template_values_free(v);
	return rc;
}

/* ---- the team ------------------------------------------------------------------------------- */

static int
add_colleagues(struct template_values *v, const struct apply_team *t, int64_t self)
{
	for (size_t i = 0; i < t->n; i++) {
		struct template_values *it;

		if (t->who[i]->id == self)
			continue;
		if ((it = template_add_item(v, "colleagues")) == NULL ||
		    template_set(it, "name", t->who[i]->name) < 0)
			return -1;
	}
	return 0;
}

/* One name the writer gave that did not lead to a colleague, for the answer's problem list.
 * gone: the colleague it names has left the programme (nothing is sent to them). */
static int
add_problem(struct template_values *v, const char *query, const struct match_result *r,
    const struct apply_team *t, int self, const struct member *gone)
{
	struct template_values *p = template_add_item(v, "problems");
	struct buf cands = BUF_INIT;
	int rc;

	if (p == NULL)
		return -1;
	if (gone != NULL)
		return template_set(p, "query", query) | template_set(p, "left", gone->name);
	for (size_t i = 0; i < r->nalternatives; i++)
		buf_putf(&cands, "%s%s", i == 0 ? "" : i + 1 == r->nalternatives ? " / " : ", ",
		    t->who[r->alternatives[i]]->name);
	if (buf_failed(&cands)) {
		buf_release(&cands);
		return -1;
	}
	rc = template_set(p, "query", query) | template_set(p, "self", self ? "1" : NULL) |
	    template_set(p, "ambiguous", !self && r->how == MATCH_AMBIGUOUS ? "1" : NULL) |
	    template_set(p, "candidates", cands.data) |
	    template_set(p, "unknown", !self && r->how == MATCH_NONE ? "1" : NULL);
	buf_release(&cands);
	return rc;
}

/*
 * Find the colleague meant by query. 0 and *who set, or 1 when there is none (a problem was
 * added to v), -1 on memory.
 */
static int
resolve(const struct apply_team *t, const struct member *self, const char *query,
    struct template_values *v, const struct member **who, int *typo)
{
	struct match_result r;

	match_colleague(t->cand, t->n, query, &r);
	switch (r.how) {
	case MATCH_ADDRESS:
	case MATCH_NAME:
	case MATCH_FIRST_NAME:
	case MATCH_FUZZY:
		*who = t->who[r.index];
		*typo = r.how == MATCH_FUZZY;
		if ((*who)->id == self->id)
			return add_problem(v, query, &r, t, 1, NULL) < 0 ? -1 : 1;
		return 0;
	case MATCH_NONE:
		/* Someone who left: say so, rather than "we do not know this name". */
		if (t->ngone > 0) {
			struct match_result g;

			switch (match_colleague(t->gone_cand, t->ngone, query, &g)) {
			case MATCH_ADDRESS:
			case MATCH_NAME:
			case MATCH_FIRST_NAME:
				return add_problem(v, query, &r, t, 0, t->gone[g.index]) < 0 ? -1 : 1;
			default:
				break;
			}
		}
		break;
	case MATCH_AMBIGUOUS:
		break;
	}
	return add_problem(v, query, &r, t, 0, NULL) < 0 ? -1 : 1;
}

/* ---- giving ----------------------------------------------------------------------------------- */

/* Store feedback and send it on: to the receiver (who may react) and a receipt to the giver. */
static int
record_feedback(struct ctx *c, const struct member *giver, const struct member *receiver,
    int64_t request_id, const char *topic, int followup)
{
	const struct fields *f = &c->fields;
	int week = flow_week(c->f, &c->program, c->err);
	struct feedback_new fn = {
		.program_id = c->program.id, .request_id = request_id, .giver_id = giver->id,
		.receiver_id = receiver->id, .inbox_id = c->inbox_id,
		.confirmation = f->confirmation.text, .critique = f->critique.text,
		.suggestion = f->suggestion.text, .week = week, .is_followup = followup,
	};
	struct template_values *v = NULL, *r = NULL;
	int64_t id, oid = 0;
	int rc = -1;

	if (week < 0 || store_feedback_add(c->f->db, &fn, c->f->now, &id, c->err) < 0)
		return -1;
	if ((v = values_new(c)) == NULL || (r = values_new(c)) == NULL)
		goto out;
	if (template_set(v, "giver", giver->name) < 0 || template_set(v, "topic", topic) < 0 ||
	    template_set(v, "followup", followup ? "1" : NULL) < 0 ||
	    set_bkc(v, fn.confirmation, fn.critique, fn.suggestion) < 0 ||
	    template_set(r, "receiver", receiver->name) < 0 ||
	    set_bkc(r, fn.confirmation, fn.critique, fn.suggestion) < 0) {
		fb_error_set(c->err, "out of memory");
		goto out;
	}
	/* Which row carries it is kept: a correction replaces it while it waits (apply_correct). */
	if (send_received(c, "feedback_received", receiver, id, v, 0, &oid) < 0 ||
	    (oid > 0 && store_feedback_set_outbox(c->f->db, id, oid, c->err) < 0) ||
	    send_to(c, "feedback_receipt", giver, PURPOSE_RECEIPT, id, r, 1) < 0)
		goto out;
	apply_set(c, INBOX_APPLIED, "%sfeedback from %s to %s%s", followup ? "follow-up " : "",
	    giver->name, receiver->name, followup ? " (already answered: not counted again)" :
	    request_id ? "" : " (unsolicited)");
	rc = 0;
out:
	template_values_free(v);
	template_values_free(r);
	return rc;
}

/* "Feedback voor: X" with the BKC parts, asked for by nobody. */
static int
give_unsolicited(struct ctx *c, const struct member *giver)
{
	struct apply_team t;
	struct template_values *v = NULL;
	const struct member *to;
	int typo, rc;

	if (!has_bkc(&c->fields)) {
		apply_set(c, INBOX_APPLIED, "feedback for %s without any of the three parts: answered "
		    "with the form", c->fields.feedback_for.text);
		return send_unreadable(c, giver, PURPOSE_ASK, 0, 1, 0, 0);
	}
	if (apply_team_load(c, giver->team_id, &t) < 0)
		return -1;
	if ((v = values_new(c)) == NULL) {
		apply_team_release(&t);
		return -1;
	}
	rc = resolve(&t, giver, c->fields.feedback_for.text, v, &to, &typo);
	if (rc == 0) {
		rc = record_feedback(c, giver, to, 0, NULL, 0);
	} else if (rc == 1) {
		rc = -1;
		if (template_set(v, "example", t.n > 1 ? t.who[t.who[0]->id == giver->id]->name :
		    "") < 0 || add_colleagues(v, &t, giver->id) < 0 || set_quoted(c, v) < 0) {
			fb_error_set(c->err, "out of memory");
		} else if (send_to(c, "who", giver, PURPOSE_ASK, 0, v, 1) == 0) {
			apply_set(c, INBOX_APPLIED, "feedback for \"%s\": no such colleague, asked who "
			    "was meant", c->fields.feedback_for.text);
			rc = 0;
		}
	}
	template_values_free(v);
	apply_team_release(&t);
	return rc;
}

/* ---- asking ----------------------------------------------------------------------------------- */

static int
ask_colleagues(struct ctx *c, const struct member *asker)
{
	const struct fields *f = &c->fields;
	const char *topic = f->about.text;
	struct apply_team t;
	struct template_values *conf = NULL;
	int64_t asked_ids[ASK_MAX];
	size_t nasked = 0, nproblems = 0, nwaiting = 0;
	struct buf names = BUF_INIT;
	int week = flow_week(c->f, &c->program, c->err);
	int rc = -1;

	if (week < 0 || apply_team_load(c, asker->team_id, &t) < 0)
		return -1;
	if ((conf = values_new(c)) == NULL)
		goto out;
	for (size_t i = 0; i < f->nask; i++) {
		const struct member *giver;
		struct template_values *req, *it;
		int typo, dup = 0;
		int64_t rid;
		time_t goes_at = 0;
		int r = resolve(&t, asker, f->ask[i], conf, &giver, &typo);

		if (r < 0)
			goto oom;
		if (r == 1) {
			nproblems++;
			continue;
		}
		for (size_t k = 0; k < nasked; k++)
			dup |= asked_ids[k] == giver->id;
		if (dup || nasked == ASK_MAX)
			continue;
		asked_ids[nasked++] = giver->id;
		if (store_request_add(c->f->db, c->program.id, asker->id, giver->id, topic, week,
		    c->inbox_id, c->f->now, &rid, c->err) < 0)
			goto out;
		if ((req = values_new(c)) == NULL)
			goto out;
		if (template_set(req, "asker", asker->name) < 0 ||
		    template_set(req, "topic", topic) < 0 ||
		    template_setf(req, "week", "%d", week) < 0) {
			template_values_free(req);
			goto oom;
		}
		r = send_to_at(c, "request", giver, PURPOSE_REQUEST, rid, req, 0, &goes_at);
		template_values_free(req);
		if (r < 0)
			goto out;
		if ((it = template_add_item(conf, "asked")) == NULL ||
		    template_set(it, "name", giver->name) < 0 ||
		    template_set(it, "typo", typo ? f->ask[i] : NULL) < 0)
			goto oom;
		/* The confirmation must not say "sent" of a request that waits. */
		if (goes_at != 0) {
			if (set_goes_at(c, asker, it, goes_at) < 0)
				goto out;
			nwaiting++;
		}
		buf_putf(&names, "%s%s", nasked > 1 ? ", " : "", giver->name);
	}
	if (buf_failed(&names))
		goto oom;
	if (template_set(conf, "topic", topic) < 0 ||
	    template_set(conf, "waiting", nwaiting > 0 ? "1" : NULL) < 0 ||
	    template_set(conf, "example", t.n > 1 ? t.who[t.who[0]->id == asker->id]->name : "") < 0 ||
	    (nproblems > 0 && add_colleagues(conf, &t, asker->id) < 0))
		goto oom;
	if (send_to(c, nasked > 0 ? "request_sent" : "who", asker, PURPOSE_ASK, 0, conf, 1) < 0)
		goto out;
	if (nasked > 0)
		apply_set(c, INBOX_APPLIED, "%s asked %zu colleague%s for feedback: %s%s", asker->name,
		    nasked, nasked == 1 ? "" : "s", names.data, nproblems ? "; some names not "
		    "placed, explained in the confirmation" : "");
	else
		apply_set(c, INBOX_APPLIED, "%s asked for feedback, but no name could be placed: "
		    "asked who was meant", asker->name);
	rc = 0;
	goto out;
oom:
	fb_error_set(c->err, "out of memory");
out:
	buf_release(&names);
	template_values_free(conf);
	apply_team_release(&t);
	return rc;
}

int
apply_ask(struct ctx *c, int64_t member_id)
{
	struct member m;
	int rc;

	if (c->nothing_written)
		return send_nothing_written(c, member_id, PURPOSE_ASK, 0, 0, 1);
	if (apply_member_get(c, member_id, &m) < 0)
		return -1;
	if (c->fields.nask > 0)
		rc = ask_colleagues(c, &m);
	else if (c->fields.feedback_for.text != NULL)
		rc = give_unsolicited(c, &m);
	else {
		int bkc = has_bkc(&c->fields);

		apply_set(c, INBOX_APPLIED, "nothing to act on (%s): answered with the form",
		    bkc ? "feedback without \"Feedback voor:\"" : "no \"Vraag feedback aan:\"");
		rc = send_unreadable(c, &m, PURPOSE_ASK, 0, 0, bkc, !bkc);
	}
	store_member_release(&m);
	return rc;
}

int
apply_give(struct ctx *c, int64_t member_id, int64_t request_id)
{
	struct feedback_request_row req;
	struct member giver, asker;
	int rc = -1;

	if (c->nothing_written)
		return send_nothing_written(c, member_id, PURPOSE_REQUEST, request_id, 1, 0);
	if (store_request_get(c->f->db, request_id, &req, c->err) < 0)
		return -1;
	if (apply_member_get(c, member_id, &giver) < 0)
		goto out_req;
	if (apply_member_get(c, req.asker_id, &asker) < 0)
		goto out_giver;
	if (has_bkc(&c->fields)) {
		rc = record_feedback(c, &giver, &asker, req.id, req.topic, req.answered_at != 0);
		if (rc == 0)
			rc = store_request_answered(c->f->db, req.id, c->f->now, c->err);
	} else if (c->fields.nask > 0 || c->fields.feedback_for.text != NULL) {
		/* The giver uses the request's reply to ask or give feedback of their own. */
		rc = apply_ask(c, member_id);
	} else {
		apply_set(c, INBOX_APPLIED, "reply to %s's request without any of the three parts: "
		    "answered with the form", asker.name);
		rc = send_unreadable(c, &giver, PURPOSE_REQUEST, req.id, 1, 0, 0);
	}
	store_member_release(&asker);
out_giver:
	store_member_release(&giver);
out_req:
	store_request_release(&req);
	return rc;
}

int
apply_react(struct ctx *c, int64_t member_id, int64_t feedback_id)
{
	struct feedback_row fb;
	struct member receiver, giver;
	struct template_values *v;
	int before, rc = -1;

	if (c->nothing_written)
		return send_nothing_written(c, member_id, PURPOSE_RECEIVED, feedback_id, 0, 0);
	if (c->text.len == 0) {
		apply_set(c, INBOX_IGNORED, "an empty reaction to feedback");
		return 0;
	}
	if (store_feedback_get(c->f->db, feedback_id, &fb, c->err) < 0)
		return -1;
	if (apply_member_get(c, member_id, &receiver) < 0)
		goto out_fb;
	if (apply_member_get(c, fb.giver_id, &giver) < 0)
		goto out_receiver;
	if (store_reaction_add(c->f->db, fb.id, c->text.data, c->inbox_id, c->f->now, &before,
	    c->err) < 0)
		goto out;
	if (before > 0) {
		apply_set(c, INBOX_APPLIED, "another reaction of %s to feedback from %s: kept, not "
		    "passed on (the first one was)", receiver.name, giver.name);
		rc = 0;
		goto out;
	}
	if ((v = values_new(c)) == NULL)
		goto out;
	if (template_set(v, "receiver", receiver.name) < 0 ||
	    template_set(v, "text", c->text.data) < 0) {
		fb_error_set(c->err, "out of memory");
		template_values_free(v);
		goto out;
	}
	rc = send_to(c, "reaction", &giver, PURPOSE_UNKNOWN, 0, v, 0);
	template_values_free(v);
	if (rc == 0)
		apply_set(c, INBOX_APPLIED, "reaction of %s passed on to %s", receiver.name,
		    giver.name);
out:
	store_member_release(&giver);
out_receiver:
	store_member_release(&receiver);
out_fb:
	store_feedback_release(&fb);
	return rc;
}

/* What became of a correction for its receiver (the giver's receipt says which). */
enum correction_told {
	TOLD_NOTHING,            /* the receiver left the programme: nothing goes to them */
	TOLD_REPLACED,           /* the first version had not gone: it goes with the new text */
	TOLD_CORRECTED,          /* they had it: the corrected version goes, saying so */
};

/*
 * The corrected feedback fb (giver by name, as the first version: feedback is never
 * anonymous to its receiver) to its receiver. The first version still waiting in the outbox
 * (queued, to retry, held by the daily cap) is rewritten in place, so they get one mail; one
 * that failed for good is sent again as new; one that went (or is going: 'sending') is
 * followed by "corrected feedback", which says it replaces the earlier one. 0 and *told,
 * or -1 with ctx->err.
 */
static int
tell_receiver(struct ctx *c, const struct feedback_row *fb, const struct member *giver,
    const struct member *receiver, enum correction_told *told)
{
	struct outbox_row row = { 0 };
	int64_t oid = 0;
	int waiting = 0, failed = 0;
	struct feedback_mail m = {
		.p = &c->program, .fb = fb, .giver = giver->name, .receiver = receiver,
		.inbox_id = c->inbox_id, .outbox_id = &oid,
	};

	if (fb->received_outbox_id > 0) {
		if (queue_outbox_get(c->f->db, fb->received_outbox_id, &row, c->err) < 0)
			return -1;
		enum outbox_state st = outbox_state_from_name(row.state);

		waiting = st == OUTBOX_QUEUED || st == OUTBOX_RETRY || st == OUTBOX_HELD;
		failed = st == OUTBOX_FAILED;
	}
	*told = TOLD_NOTHING;
	/* Still waiting: the same row, its own kind (a first version, or a corrected one). */
	if (waiting) {
		m.kind = row.kind;
		m.replace_id = row.id;
		if (feedback_mail_receiver(c->f, &m, c->err) < 0)
			goto fail;
		*told = oid > 0 ? TOLD_REPLACED : TOLD_NOTHING;
	}
	m.replace_id = 0;
	if (oid == 0 && failed) {
		m.kind = "feedback_received";
		if (feedback_mail_receiver(c->f, &m, c->err) < 0)
			goto fail;
		*told = oid > 0 ? TOLD_REPLACED : TOLD_NOTHING;
	}
	if (oid == 0) {
		m.kind = "feedback_corrected";
		if (feedback_mail_receiver(c->f, &m, c->err) < 0)
			goto fail;
		*told = oid > 0 ? TOLD_CORRECTED : TOLD_NOTHING;
	}
	if (oid > 0 && store_feedback_set_outbox(c->f->db, fb->id, oid, c->err) < 0)
		goto fail;
	queue_outbox_release(&row);
	return 0;
fail:
	queue_outbox_release(&row);
	return -1;
}

int
apply_correct(struct ctx *c, int64_t member_id, int64_t feedback_id)
{
	const struct fields *f = &c->fields;
	struct feedback_row fb;
	struct member giver, receiver;
	struct template_values *v;
	enum correction_told told = TOLD_NOTHING;
	int rc = -1;

	if (c->nothing_written)
		return send_nothing_written(c, member_id, PURPOSE_RECEIPT, feedback_id, 1, 0);
	if (!has_bkc(f)) {
		if (apply_member_get(c, member_id, &giver) < 0)
			return -1;
		apply_set(c, INBOX_APPLIED, "reply to a receipt without any of the three parts: "
		    "answered with the form");
		rc = send_unreadable(c, &giver, PURPOSE_RECEIPT, feedback_id, 1, 0, 0);
		store_member_release(&giver);
		return rc;
	}
	if (store_feedback_correct(c->f->db, feedback_id, f->confirmation.text, f->critique.text,
	    f->suggestion.text, c->err) < 0 ||
	    store_feedback_get(c->f->db, feedback_id, &fb, c->err) < 0)
		return -1;
	if (apply_member_get(c, member_id, &giver) < 0)
		goto out_fb;
	if (apply_member_get(c, fb.receiver_id, &receiver) < 0)
		goto out_giver;
	if (tell_receiver(c, &fb, &giver, &receiver, &told) < 0 || (v = values_new(c)) == NULL)
		goto out;
	if (template_set(v, "receiver", receiver.name) < 0 || template_set(v, "corrected", "1") < 0 ||
	    template_set(v, "corrected_sent", told == TOLD_CORRECTED ? "1" : NULL) < 0 ||
	    template_set(v, "replaced", told == TOLD_REPLACED ? "1" : NULL) < 0 ||
	    set_bkc(v, fb.confirmation, fb.critique, fb.suggestion) < 0)
		fb_error_set(c->err, "out of memory");
	else if ((rc = send_to(c, "feedback_receipt", &giver, PURPOSE_RECEIPT, fb.id, v, 1)) == 0)
		apply_set(c, INBOX_APPLIED, "%s corrected feedback to %s: %s", giver.name,
		    receiver.name, told == TOLD_CORRECTED ? "the corrected version goes to them" :
		    told == TOLD_REPLACED ? "the first version had not gone, it goes with the new "
		    "text" : "nothing goes to them (no longer in the programme)");
	template_values_free(v);
out:
	store_member_release(&receiver);
out_giver:
	store_member_release(&giver);
out_fb:
	store_feedback_release(&fb);
	return rc;
}
