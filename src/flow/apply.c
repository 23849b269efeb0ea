/*
 * apply — read an inbox message and make the change it asks for. See include/apply.h.
 *
 * One struct ctx carries a message through: parsed, classified, trimmed, its fields read,
 * then handed to the handler of its kind (bounce, auto-reply, reply by token purpose, new
 * mail). Handlers write through the store and queue their answers with outmail in the
 * transaction apply_inbox() holds; they report what they did in ctx->out. Calls run one way:
 * this file → the handlers (apply_*.c) → the helpers they share (apply_ctx.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apply.h"
#include "apply_int.h"
#include "authres.h"
#include "classify.h"
#include "fbtime.h"
#include "message.h"
#include "template.h"
#include "queue.h"
#include "trim.h"
#include "banned.h"

void
apply_outcome_release(struct apply_outcome *o)
{
	buf_release(&o->reason);
}

/* ---- the kinds that are never answered ---------------------------------------------------------- */

/* The sender as a member: of the token's programme when there is a token, else of any. */
static int
sender_member(struct ctx *c, struct member *m)
{
	struct outmail_token t;
	int64_t pid = 0;
	int rc;

	if (c->cls.token[0] != '\0') {
		rc = outmail_token_get(c->f, c->cls.token, &t, &pid, c->err);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			rc = store_member_by_address(c->f->db, pid, c->sender, m, c->err);
			if (rc <= 0) {
				if (rc == 0)
					c->program_id = pid;
				return rc;
			}
		}
	}
	rc = store_member_by_address_any(c->f->db, c->sender, m, &pid, c->err);
	if (rc == 0)
		c->program_id = pid;
	return rc;
}

static int
load_program(struct ctx *c, int64_t id)
{
	char spec[24];

	if (c->program.id == id)
		return 0;
	store_program_release(&c->program);
	snprintf(spec, sizeof(spec), "%lld", (long long)id);
	return store_program_get(c->f->db, spec, &c->program, c->err);
}

/* fn(c, m) for the member m that a message is about (c->member_id set), then m released,
 * whatever fn returns. */
static int
for_member(struct ctx *c, struct member *m, int (*fn)(struct ctx *c, const struct member *m))
{
	int rc;

	c->member_id = m->id;
	rc = fn(c, m);
	store_member_release(m);
	return rc;
}

/* An out-of-office reply of m: away until the date it gives, else to the end of the week. */
static int
auto_reply_absence(struct ctx *c, const struct member *m)
{
	char today[11], until[11];
	struct fb_date d;

	if (load_program(c, c->program_id) < 0 || flow_today(c->f, &c->program, today, c->err) < 0)
		return -1;
	if (c->cls.until[0] != '\0' && strcmp(c->cls.until, today) >= 0) {
		memcpy(until, c->cls.until, sizeof(until));
	} else {
		/* No date given: away for the rest of this week, as the weekly report counts. */
		if (fbtime_parse_date(today, &d, c->err) < 0)
			return -1;
		d = fbtime_date_add_days(&d, 7 - fbtime_weekday(&d));
		snprintf(until, sizeof(until), "%04d-%02d-%02d", d.year, d.month, d.day);
	}
	if (store_absence_add(c->f->db, m->id, today, until, "out-of-office", c->inbox_id,
	    c->f->now, c->err) < 0)
		return -1;
	apply_set(c, INBOX_APPLIED, "out-of-office: %s away until %s (not answered, nothing counted)",
	    m->name, until);
	return 0;
}

static int
on_auto_reply(struct ctx *c)
{
	struct member m;
	int rc = sender_member(c, &m);

	if (rc < 0)
		return -1;
	if (rc == 1) {
		apply_set(c, INBOX_IGNORED, "automatic reply from %s, not a member", c->sender);
		return 0;
	}
	return for_member(c, &m, auto_reply_absence);
}

/* A complaint about our mail to m: no more mail to them, and the coordinator told once. */
static int
complaint_stop(struct ctx *c, const struct member *m)
{
	struct template_values *v;
	struct fb_local today_l;
	struct fb_date today;
	int rc = store_member_complained(c->f->db, m->id, c->inbox_id, c->f->now, c->err);

	if (rc < 0)
		return -1;
	if (rc == 0) {
		apply_set(c, INBOX_APPLIED, "spam complaint (ARF) about our mail to %s <%s>, who had "
		    "complained before: mail to them stays stopped", m->name, m->address);
		return 0;
	}
	if ((v = template_values_new()) == NULL)
		return fb_error_set(c->err, "out of memory");
	if (fbtime_to_local(c->program.timezone, c->f->now, &today_l, c->err) < 0) {
		template_values_free(v);
		return -1;
	}
	today = today_l.date;
	struct outmail_msg om = {
		.kind = "complaint",
		.program = &c->program,
		.to_addr = c->f->cfg->feedbackd.coordinator_address,
		.inbox_id = c->inbox_id,
		.values = v,
	};
	char inbox[24];
	snprintf(inbox, sizeof(inbox), "%lld", (long long)c->inbox_id);
	if (template_set(v, "member", m->name) < 0 || template_set(v, "address", m->address) < 0 ||
	    template_set(v, "team", m->team_name) < 0 ||
	    template_set_date(v, "date", &today, today.year) < 0 ||
	    template_set(v, "inbox", inbox) < 0) {
		template_values_free(v);
		return fb_error_set(c->err, "out of memory");
	}
	rc = outmail_queue(c->f, &om, NULL, c->err);
	template_values_free(v);
	if (rc < 0)
		return -1;
	apply_set(c, INBOX_APPLIED, "spam complaint (ARF) about our mail to %s <%s>: no more mail to "
	    "them; the coordinator is told", m->name, m->address);
	return 0;
}

/*
 * A spam complaint (ARF) acts only when it proves it is about our mail: the returned message
 * carries one of our tokens (our Message-ID or Reply-To), which names the member we sent it
 * to. Then, as an ESP does, that member gets no more mail (store_member_complained; the
 * scheduler and the outbox honour it) and the coordinator is told, once. Anything else is
 * kept, not applied: a complaint is never read as the member's reply.
 */
static int
on_complaint(struct ctx *c)
{
	struct outmail_token t;
	struct member m;
	int rc;

	if (c->cls.token[0] == '\0') {
		apply_set(c, INBOX_IGNORED, "spam complaint (ARF) that names none of our messages: kept, "
		    "not applied");
		return 0;
	}
	rc = outmail_token_get(c->f, c->cls.token, &t, &c->program_id, c->err);
	if (rc < 0)
		return -1;
	if (rc == 1 || t.member_id <= 0) {
		apply_set(c, INBOX_IGNORED, "spam complaint (ARF) about %s: not a message of ours to a "
		    "member: kept, not applied", c->cls.token);
		c->program_id = 0;
		return 0;
	}
	if (load_program(c, c->program_id) < 0 || apply_member_get(c, t.member_id, &m) < 0)
		return -1;
	return for_member(c, &m, complaint_stop);
}

/* ---- replies and new mail -------------------------------------------------------------------- */

/* The reply must come from an address of the person the token was sent to. */
static int
sender_trusted(struct ctx *c, const struct outmail_token *t, int *ok)
{
	struct member m;
	int rc;

	if (c->flags & APPLY_TRUST_SENDER || !c->f->cfg->security.sender_must_match) {
		*ok = 1;
		return 0;
	}
	if (t->member_id <= 0) {
		*ok = 1; /* facilitator tokens are checked by their own handler */
		return 0;
	}
	rc = store_member_has_address(c->f->db, t->member_id, c->sender, c->err);
	if (rc < 0)
		return -1;
	*ok = rc;
	if (!rc) {
		if (apply_member_get(c, t->member_id, &m) < 0)
			return -1;
		apply_set(c, INBOX_QUARANTINED, "sent from %s, but the message it answers went to %s "
		    "<%s>: held for the coordinator (feedbackctl quarantine apply %lld)", c->sender,
		    m.name, m.address, (long long)c->inbox_id);
		store_member_release(&m);
	}
	return 0;
}

/*
 * The text the writer wrote (trimmed) and its fields. trim knows the writer (the From name and
 * address, and the roster's name): their closing block and a last line that is only their
 * name are a signature, not part of the last field. A reply that is nothing but quotes, quote
 * headers and signatures (trim's never-empty rule chose its text) is nothing written: its text
 * stays empty, never applied as the writer's.
 */
static int
read_text(struct ctx *c, int64_t writer)
{
	struct trim_context who = { c->msg->from.name, c->msg->from.addr, NULL };
	struct trim_info info = TRIM_INFO_INIT;
	struct member m;
	int have = 0, rc;

	if (c->f->trim == NULL)
		return fb_error_set(c->err, "no trim rules (the caller sets flow.trim)");
	if (writer > 0) {
		if (apply_member_get(c, writer, &m) < 0)
			return -1;
		have = 1;
		who.member_name = m.name;
	}
	rc = trim_reply_from(c->f->trim, &who, c->msg->text, c->msg->text_len, &c->text, &info);
	c->nothing_written = rc == 0 && info.everything_quoted;
	trim_info_release(&info);
	if (have)
		store_member_release(&m);
	if (rc < 0)
		return fb_error_set(c->err, "out of memory reading the reply");
	if (c->nothing_written)
		buf_reset(&c->text);
	if (fields_parse_with(trim_rules_signature(c->f->trim), c->text.data ? c->text.data : "",
	    c->text.len, &c->fields) < 0)
		return fb_error_set(c->err, "out of memory reading the reply");
	return 0;
}

/* A handler for a reply to a token of one purpose; ref is the token's member, facilitator or
 * reference as the purpose needs. 0 with ctx->out set, or -1 with ctx->err. */
static int
on_ask(struct ctx *c, const struct outmail_token *t)
{
	return apply_ask(c, t->member_id);
}

static int
on_request(struct ctx *c, const struct outmail_token *t)
{
	return apply_give(c, t->member_id, t->ref_id);
}

static int
on_received(struct ctx *c, const struct outmail_token *t)
{
	return apply_react(c, t->member_id, t->ref_id);
}

static int
on_receipt(struct ctx *c, const struct outmail_token *t)
{
	return apply_correct(c, t->member_id, t->ref_id);
}

static int
on_questionnaire(struct ctx *c, const struct outmail_token *t)
{
	return apply_questionnaire(c, t->member_id, t->ref_id);
}

static int
on_report(struct ctx *c, const struct outmail_token *t)
{
	return apply_report_reply(c, t->facilitator_id);
}

static int
on_progress_report(struct ctx *c, const struct outmail_token *t)
{
	return apply_action_reply(c, t, "progress");
}

static int
on_evaluation_report(struct ctx *c, const struct outmail_token *t)
{
	return apply_action_reply(c, t, "evaluation");
}

static int
on_session(struct ctx *c, const struct outmail_token *t)
{
	return apply_session_mail(c, t->ref_id);
}

/* Each purpose a token can have and the handler of a reply to it (the names: vocab.h). */
static const struct {
	enum token_purpose purpose;
	int (*handle)(struct ctx *c, const struct outmail_token *t);
} reply_handlers[] = {
	{ PURPOSE_ASK, on_ask },
	{ PURPOSE_REQUEST, on_request },
	{ PURPOSE_RECEIVED, on_received },
	{ PURPOSE_RECEIPT, on_receipt },
	{ PURPOSE_QUESTIONNAIRE, on_questionnaire },
	{ PURPOSE_REPORT, on_report },
	{ PURPOSE_PROGRESS_REPORT, on_progress_report },
	{ PURPOSE_EVALUATION_REPORT, on_evaluation_report },
	{ PURPOSE_SESSION, on_session },
};

static int
on_reply(struct ctx *c, const struct outmail_token *t)
{
	int ok;

	if (load_program(c, c->program_id) < 0 || sender_trusted(c, t, &ok) < 0)
		return -1;
	if (!ok)
		return 0;
	c->member_id = t->member_id;
	if (t->member_id > 0 && apply_bounce_reply(c) < 0)
		return -1;
	if (read_text(c, t->member_id) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(reply_handlers) / sizeof(reply_handlers[0]); i++)
		if (reply_handlers[i].purpose == t->purpose)
			return reply_handlers[i].handle(c, t);
	apply_set(c, INBOX_IGNORED, "a reply to a %s message: not handled by this version",
	    token_purpose_name(t->purpose));
	return 0;
}

static int
on_new(struct ctx *c)
{
	struct member m;
	int rc = store_member_by_address_any(c->f->db, c->sender, &m, &c->program_id, c->err);

	if (rc < 0)
		return -1;
	if (rc == 1) {
		apply_set(c, INBOX_QUARANTINED, "from %s, who is not a member of any programme "
		    "(not answered)", c->sender);
		return 0;
	}
	c->member_id = m.id;
	store_member_release(&m);
	if (load_program(c, c->program_id) < 0 || read_text(c, c->member_id) < 0)
		return -1;
	return apply_ask(c, c->member_id);
}

static int
on_token(struct ctx *c)
{
	struct outmail_token t;
	int rc = outmail_token_get(c->f, c->cls.token, &t, &c->program_id, c->err);

	if (rc < 0)
		return -1;
	if (rc == 1) {
		buf_putf(&c->note, "token %s unknown or expired; ", c->cls.token);
		return on_new(c);
	}
	return on_reply(c, &t);
}

/*
 * security.require_auth: a message that would act in its sender's name must carry the trusted
 * server's word that the From is genuine (authres.h). 1 when it does (or nothing is required,
 * or the coordinator vouches for it), 0 when it was quarantined, -1 out of memory. Bounces are
 * not judged here: they speak for an address we mailed, not for their From.
 */
static int
authenticated(struct ctx *c)
{
	const struct config_security *sec = &c->f->cfg->security;
	const char *method = sec->require_auth == CONFIG_AUTH_DKIM ? "dkim" : "dmarc";
	struct buf why = BUF_INIT;
	int rc;

	if (sec->require_auth == CONFIG_AUTH_NONE || c->flags & APPLY_TRUST_SENDER)
		return 1;
	rc = authres_check(c->msg, sec->trusted_authserv_id, method, &why);
	if (rc < 0) {
		buf_release(&why);
		return fb_error_set(c->err, "out of memory checking Authentication-Results");
	}
	if (rc == 0)
		apply_set(c, INBOX_QUARANTINED, "not authenticated (require_auth = %s): %s; from %s, "
		    "held for the coordinator, nothing changed (feedbackctl quarantine apply %lld)",
		    method, why.data ? why.data : "", c->sender, (long long)c->inbox_id);
	buf_release(&why);
	return rc;
}

static int
process(struct ctx *c)
{
	struct fb_error perr;

	c->msg = message_parse(c->in.raw.data, c->in.raw.len,
	    (size_t)c->f->cfg->feedbackd.max_message_size, &perr);
	/* The parsed message owns copies of all it needs: the raw bytes (up to max_message_size)
	 * go now, not after the inbox row's update, which itself holds the row twice in SQLite
	 * (the cost of one message is part of bounded memory, see message.h). */
	buf_release(&c->in.raw);
	if (c->msg == NULL) {
		snprintf(c->out.kind, sizeof(c->out.kind), "unknown");
		apply_set(c, INBOX_QUARANTINED, "could not be read: %s", perr.msg);
		return 0;
	}
	if ((c->f->classify != NULL ? classify_message_with(c->f->classify, c->msg, &c->cls,
	    c->err) : classify_message(c->msg, &c->cls, c->err)) < 0 || apply_bounce_retoken(c) < 0)
		return -1;
	snprintf(c->out.kind, sizeof(c->out.kind), "%s", classify_kind_name(c->cls.kind));
	if (c->msg->from.addr != NULL) {
		for (const char *s = c->msg->from.addr; *s; s++)
			buf_putch(&c->sender_buf, (*s >= 'A' && *s <= 'Z') ? (char)(*s + 32) : *s);
		if (buf_failed(&c->sender_buf))
			return fb_error_set(c->err, "out of memory");
		c->sender = c->sender_buf.data;
	}
	if (c->sender != NULL && c->cls.kind != CLASSIFY_BOUNCE &&
	    c->cls.kind != CLASSIFY_COMPLAINT) {
		int rc = authenticated(c);

		if (rc <= 0)
			return rc;
	}
	switch (c->cls.kind) {
	case CLASSIFY_BOUNCE:
		return apply_bounce(c);
	case CLASSIFY_COMPLAINT:
		return on_complaint(c);
	case CLASSIFY_AUTO_REPLY:
		if (c->sender == NULL)
			break;
		return on_auto_reply(c);
	case CLASSIFY_ITIP:
		return apply_itip(c);
	case CLASSIFY_REPLY:
		if (c->sender == NULL)
			break;
		return on_token(c);
	case CLASSIFY_NEW:
		if (c->sender == NULL)
			break;
		return on_new(c);
	case CLASSIFY_UNKNOWN:
		break;
	}
	apply_set(c, INBOX_IGNORED, "no usable sender address%s%s%s", c->msg->from_problem ? " (" : "",
	    c->msg->from_problem ? c->msg->from_problem : "", c->msg->from_problem ? ")" : "");
	return 0;
}

static void
ctx_release(struct ctx *c)
{
	message_free(c->msg);
	classify_result_release(&c->cls);
	fields_release(&c->fields);
	queue_inbox_release(&c->in);
	store_program_release(&c->program);
	buf_release(&c->text);
	buf_release(&c->sender_buf);
	buf_release(&c->note);
}

static int
record(const struct flow *f, int64_t id, struct ctx *c, const char *error, struct fb_error *err)
{
	struct buf reason = BUF_INIT;
	struct inbox_result r = {
		.state = inbox_state_name(error ? INBOX_PENDING : c->out.state),
		.kind = c->out.kind[0] ? c->out.kind : NULL,
		.error = error,
		.program_id = c->program_id,
		.member_id = c->member_id,
	};
	int rc;

	buf_putf(&reason, "%s%s%s", c->note.data ? c->note.data : "",
	    c->out.reason.data ? c->out.reason.data : "", c->flood ?
	    " (answers to this sender capped this hour: not answered)" : "");
	/* the one check of the notes and reason built while applying (apply_set, note) */
	if (buf_failed(&c->note) || buf_failed(&c->out.reason) || buf_failed(&reason)) {
		buf_release(&reason);
		return fb_error_set(err, "out of memory recording inbound message %lld",
		    (long long)id);
	}
	r.reason = reason.data;
	rc = queue_inbox_result(f->db, id, &r, f->now, err);
	buf_release(&reason);
	return rc;
}

int
apply_inbox(const struct flow *f, int64_t inbox_id, int flags, struct apply_outcome *out,
    struct fb_error *err)
{
	struct fb_error perr;
	struct ctx c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.f = f;
	c.inbox_id = inbox_id;
	c.flags = flags;
	c.err = &perr;
	buf_init(&c.out.reason);
	buf_init(&c.text);
	buf_init(&c.sender_buf);
	buf_init(&c.note);
	buf_init(&c.in.raw);

	if (db_begin(f->db, err) < 0)
		goto fatal;
	if (queue_inbox_get(f->db, inbox_id, &c.in, err) < 0) {
		db_rollback(f->db);
		goto fatal;
	}
	if (!(flags & APPLY_AGAIN) && inbox_state_from_name(c.in.state) != INBOX_PENDING) {
		db_rollback(f->db);
		fb_error_set(err, "inbound message %lld is %s, not pending", (long long)inbox_id,
		    c.in.state);
		goto fatal;
	}
	rc = process(&c);
	if (rc == 0 && record(f, inbox_id, &c, NULL, err) == 0 && db_commit(f->db, err) == 0)
		goto done;
	/* Undo everything the handler did, then keep the error on the message. */
	db_rollback(f->db);
	if (rc == 0)
		snprintf(perr.msg, sizeof(perr.msg), "%s", err->msg);
	c.out.state = INBOX_PENDING;
	if (buf_failed(&c.note))
		buf_reset(&c.note); /* undone with the rest: the error below says why */
	buf_reset(&c.out.reason);
	buf_putf(&c.out.reason, "error: %s", perr.msg);
	if (db_begin(f->db, err) < 0 || record(f, inbox_id, &c, perr.msg, err) < 0 ||
	    db_commit(f->db, err) < 0) {
		db_rollback(f->db);
		goto fatal;
	}
done:
	if (out != NULL) {
		out->state = c.out.state;
		memcpy(out->kind, c.out.kind, sizeof(out->kind));
		buf_reset(&out->reason);
		buf_puts(&out->reason, c.out.reason.data ? c.out.reason.data : "");
	}
	buf_release(&c.out.reason);
	ctx_release(&c);
	return 0;
fatal:
	buf_release(&c.out.reason);
	ctx_release(&c);
	return -1;
}

int
apply_pending(const struct flow *f, size_t max, volatile sig_atomic_t *stop,
    struct apply_stats *st, struct fb_error *err)
{
	int64_t last = 0;

	return apply_pending_after(f, &last, max, stop, st, err);
}

int
apply_pending_after(const struct flow *f, int64_t *after, size_t max,
    volatile sig_atomic_t *stop, struct apply_stats *st, struct fb_error *err)
{
	int64_t ids[64], last = *after;
	size_t done = 0;

	while (done < max && (stop == NULL || !*stop)) {
		size_t n, want = max - done < 64 ? max - done : 64;

		if (queue_inbox_pending(f->db, last, APPLY_MAX_ATTEMPTS, want, ids, &n, err) < 0)
			return -1;
		if (n == 0)
			break;
		for (size_t i = 0; i < n && (stop == NULL || !*stop); i++, done++) {
			struct apply_outcome o = APPLY_OUTCOME_INIT;

			last = ids[i];
			*after = last;
			if (apply_inbox(f, ids[i], 0, &o, err) < 0) {
				apply_outcome_release(&o);
				return -1;
			}
			switch (o.state) {
			case INBOX_APPLIED:
				st->applied++;
				break;
			case INBOX_IGNORED:
				st->ignored++;
				break;
			case INBOX_QUARANTINED:
				st->quarantined++;
				break;
			default:
				st->errors++;
				break;
			}
			apply_outcome_release(&o);
		}
	}
	return 0;
}
