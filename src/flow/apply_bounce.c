/*
 * apply_bounce — what a delivery failure may change, and the proof it must bring first
 * (issue 16). See include/apply.h for the order of decisions and include/bounce.h for the score.
 *
 * Anyone can write "Undeliverable: piet@example.nl could not be found". What a stranger cannot
 * write is what only the real mail server that refused our message knows:
 *   1. the envelope sender we gave that one message (outmail_verp: bounce_address+TOKEN): a
 *      server returns its notice there, so the token shows up as the bounce's envelope
 *      recipient (Delivered-To, X-Original-To, To, Cc, Envelope-To); or
 *   2. the returned message's headers (message/rfc822 or text/rfc822-headers part, read by
 *      message.c with libetpan), whose Message-ID is one of our outbox rows that went to the
 *      very address the notice says failed.
 * An Amazon SES notification (JSON, classify.h) carries the same two facts in its own fields:
 * the envelope sender we gave (mail.source) or the Message-ID of what we sent; each counts only
 * when the row it names went to the very address that failed, since the JSON is the notice's
 * content, not its envelope.
 * Without either the notice is kept ("bounce not about our mail") and changes nothing. With
 * it, the bounce is recorded against the address we sent to, and the address's score decides
 * (temporary failures count too, lightly; the outbox retries those itself). The coordinator is
 * told once, when an address becomes unreachable. A genuine reply from the address, or
 * `feedbackctl member reachable`, makes it reachable again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apply_int.h"
#include "bounce.h"
#include "fbtime.h"
#include "store_bounce.h"
#include "banned.h"

/* Headers where a notice's envelope recipient is seen, besides To/Cc/Delivered-To (which
 * message.c reads as recipients): what MTAs and MDAs write on delivery. */
static const char *const ENVELOPE_HEADERS[] = {
	"X-Original-To", "Envelope-To", "X-Envelope-To", "X-Delivered-To",
};

/* Proof 1 for an SES notification: the envelope sender it names is one of our rows' bounce
 * addresses, and that row went to the address that failed. */
static int
ses_by_source(struct ctx *c, struct bounce_sent *s, const char **where)
{
	const char *src = c->cls.bounce.sent_from, *failed = c->cls.bounce.recipient;
	char tok[TOKEN_LEN + 1];
	int rc;

	if (src == NULL || failed == NULL || token_from_address(src, tok) < 0)
		return 1;
	if ((rc = store_bounce_sent_by_token(c->f->db, tok, s, c->err)) != 0)
		return rc;
	if (strcasecmp(failed, s->recipient) != 0) {
		store_bounce_sent_release(s);
		return 1;
	}
	*where = "the SES notification's envelope sender";
	return 0;
}

/* Proof 1: a recipient address carrying the bounce token of one of our outbox rows. */
static int
by_envelope(struct ctx *c, struct bounce_sent *s, const char **where)
{
	const struct fb_message *m = c->msg;
	char tok[TOKEN_LEN + 1];
	int rc;

	for (size_t i = 0; i < m->nrecipients; i++) {
		if (m->recipients[i].addr == NULL || token_from_address(m->recipients[i].addr,
		    tok) < 0)
			continue;
		if ((rc = store_bounce_sent_by_token(c->f->db, tok, s, c->err)) != 1) {
			*where = "its envelope recipient";
			return rc;
		}
	}
	for (size_t i = 0; i < sizeof(ENVELOPE_HEADERS) / sizeof(ENVELOPE_HEADERS[0]); i++) {
		const char *v = message_header(m, ENVELOPE_HEADERS[i]);

		if (v == NULL || token_from_address(v, tok) < 0)
			continue;
		if ((rc = store_bounce_sent_by_token(c->f->db, tok, s, c->err)) != 1) {
			*where = ENVELOPE_HEADERS[i];
			return rc;
		}
	}
	return ses_by_source(c, s, where);
}

/* Proof 2: the returned message is one we sent, and we sent it to the address that failed. */
static int
by_returned(struct ctx *c, struct bounce_sent *s, struct buf *why)
{
	const char *failed = c->cls.bounce.recipient, *id = c->msg->original_message_id;

	if (id == NULL)
		id = c->cls.bounce.sent_message_id; /* an SES notification's */
	int rc;

	if (id == NULL) {
		buf_puts(why, "no bounce address of ours among its recipients, and no returned "
		    "message");
		return 1;
	}
	rc = store_bounce_sent_by_message_id(c->f->db, id, s, c->err);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		buf_putf(why, "no bounce address of ours among its recipients, and the returned "
		    "message <%s> is not one we sent", id);
		return 1;
	}
	if (failed == NULL || strcasecmp(failed, s->recipient) != 0) {
		buf_putf(why, "the returned message <%s> went to %s, not to %s", id, s->recipient,
		    failed != NULL ? failed : "the address it names");
		store_bounce_sent_release(s);
		return 1;
	}
	return 0;
}

/* Tell the coordinator that a member's address has become unreachable: once, when it does. */
static int
tell_coordinator(struct ctx *c, const struct bounce_marked *mk, const char *address,
    int score)
{
	struct program p = { 0 };
	struct member m = { 0 };
	struct template_values *v = NULL;
	struct fb_local l;
	char spec[24], num[2][16];
	const char *to;
	int rc = -1;

	snprintf(spec, sizeof(spec), "%lld", (long long)mk->program_id);
	if (store_program_get(c->f->db, spec, &p, c->err) < 0)
		return -1;
	snprintf(spec, sizeof(spec), "%lld", (long long)mk->member_id);
	if (store_member_find(c->f->db, p.id, 0, spec, &m, c->err) < 0)
		goto out;
	to = p.organizer != NULL && p.organizer[0] != '\0' ? p.organizer :
	    c->f->cfg->feedbackd.coordinator_address;
	if (to == NULL || to[0] == '\0') {
		rc = 0;
		goto out;
	}
	if (fbtime_to_local(p.timezone, c->f->now, &l, c->err) < 0)
		goto out;
	snprintf(num[0], sizeof(num[0]), "%d", score);
	snprintf(num[1], sizeof(num[1]), "%d", c->f->cfg->outgoing.bounce_threshold);
	if ((v = template_values_new()) == NULL ||
	    template_set(v, "name", m.name) < 0 || template_set(v, "address", address) < 0 ||
	    template_set_date(v, "since", &l.date, l.date.year) < 0 ||
	    template_set(v, "status", c->cls.bounce.status) < 0 ||
	    template_set(v, "score", num[0]) < 0 || template_set(v, "threshold", num[1]) < 0) {
		fb_error_set(c->err, "out of memory");
		goto out;
	}
	struct outmail_msg msg = {
		.kind = "unreachable", .program = &p, .to_addr = to, .to_name = "",
		.inbox_id = c->inbox_id, .values = v,
	};
	rc = outmail_queue(c->f, &msg, NULL, c->err);
out:
	template_values_free(v);
	store_member_release(&m);
	store_program_release(&p);
	return rc;
}

/* Record the proven bounce of address and let the score decide. */
static int
count(struct ctx *c, const struct bounce_sent *s, const char *proof)
{
	const struct classify_bounce *b = &c->cls.bounce;
	const struct config_outgoing *o = &c->f->cfg->outgoing;
	struct bounce_event *ev = NULL;
	struct bounce_marked *mk = NULL;
	struct buf why = BUF_INIT;
	size_t n = 0, nmk = 0;
	int score, rc = -1;
	time_t since;

	if (store_bounce_add(c->f->db, s->recipient, b->permanent, b->status, c->f->now,
	    c->inbox_id, s->outbox_id, c->err) < 0 ||
	    store_bounce_events(c->f->db, s->recipient, c->f->now - o->bounce_window, &ev, &n,
	    c->err) < 0)
		return -1;
	score = bounce_score(ev, n, c->f->now, o->bounce_window);
	free(ev);
	since = store_bounce_unreachable_since(c->f->db, s->recipient, c->err);
	if (since < 0)
		return -1;
	buf_putf(&why, "%s delivery failure for %s (%s; proved by %s): bounce score %d of %d",
	    b->permanent ? "permanent" : "temporary", s->recipient, b->status, proof, score,
	    o->bounce_threshold);
	/* an expired retry: the server gave up on a temporary failure, which weighs as one */
	if (b->reason == CLASSIFY_BOUNCE_EXPIRED)
		buf_puts(&why, "; the server gave up retrying, counted as temporary");
	else if (!b->permanent)
		buf_puts(&why, "; the outbox retries");
	if (buf_failed(&why)) {
		fb_error_set(c->err, "out of memory");
		goto out;
	}
	if (since > 0) {
		apply_set(c, INBOX_APPLIED, "%s; unreachable already", why.data);
		rc = 0;
		goto out;
	}
	if (!bounce_unreachable(score, o->bounce_threshold)) {
		apply_set(c, INBOX_APPLIED, "%s; still reachable", why.data);
		rc = 0;
		goto out;
	}
	buf_reset(&why);
	buf_putf(&why, "bounce score %d of %d (last %s, %s)", score, o->bounce_threshold,
	    b->status, proof);
	if (buf_failed(&why)) {
		fb_error_set(c->err, "out of memory");
		goto out;
	}
	if (store_bounce_mark_unreachable(c->f->db, s->recipient, why.data, c->f->now, &mk, &nmk,
	    c->err) < 0)
		goto out;
	for (size_t i = 0; i < nmk; i++)
		if (tell_coordinator(c, &mk[i], s->recipient, score) < 0)
			goto out;
	if (nmk == 0)
		apply_set(c, INBOX_IGNORED, "delivery failure for %s (%s), not a member's address; %s",
		    s->recipient, b->status, why.data);
	else
		apply_set(c, INBOX_APPLIED, "%s marked unreachable: %s; coordinator told", s->recipient,
		    why.data);
	rc = 0;
out:
	free(mk);
	buf_release(&why);
	return rc;
}

int
apply_bounce(struct ctx *c)
{
	struct bounce_sent s = { 0 };
	struct buf why = BUF_INIT, proof = BUF_INIT;
	const char *where = NULL;
	int rc;

	rc = by_envelope(c, &s, &where);
	if (rc == 0)
		rc = buf_addf(&proof, "our bounce address in %s", where) < 0 ?
		    fb_error_set(c->err, "out of memory") : 0;
	else if (rc == 1 && (rc = by_returned(c, &s, &why)) == 0)
		rc = buf_addf(&proof, "the returned message <%s>", c->msg->original_message_id ?
		    c->msg->original_message_id : c->cls.bounce.sent_message_id) < 0 ?
		    fb_error_set(c->err, "out of memory") : 0;
	if (rc == 1 && buf_failed(&why))
		rc = fb_error_set(c->err, "out of memory");
	if (rc == 1) {
		apply_set(c, INBOX_IGNORED, "bounce not about our mail (%s): nothing changed",
		    why.data ? why.data : "");
		rc = 0;
	} else if (rc == 0) {
		if (s.program_id > 0)
			c->program_id = s.program_id;
		if (s.member_id > 0)
			c->member_id = s.member_id;
		rc = count(c, &s, proof.data);
	}
	store_bounce_sent_release(&s);
	buf_release(&why);
	buf_release(&proof);
	return rc;
}

int
apply_bounce_retoken(struct ctx *c)
{
	struct bounce_sent s;
	int rc;

	if (c->cls.kind == CLASSIFY_BOUNCE || c->cls.token_source == NULL ||
	    strcmp(c->cls.token_source, "address") != 0)
		return 0;
	rc = store_bounce_sent_by_token(c->f->db, c->cls.token, &s, c->err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	store_bounce_sent_release(&s);
	return classify_token_not_in_address(c->msg, &c->cls, c->err);
}

int
apply_bounce_reply(struct ctx *c)
{
	int n;

	if (c->sender == NULL)
		return 0;
	n = store_bounce_reachable(c->f->db, c->sender, c->err);
	if (n < 0)
		return -1;
	if (n > 0)
		buf_putf(&c->note, "%s reachable again (a reply from it); ", c->sender);
	return 0;
}
