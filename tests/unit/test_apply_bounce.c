/*
 * Unit tests of what a bounce may change (src/flow/apply_bounce.c) with an explicit clock: a
 * team in a fresh database, one request mailed to Piet (so there is an outbox row with its own
 * envelope sender and a reply token), then a scenario of inbound messages (bounces in various
 * shapes, Piet's reply, a stranger's) on given days, each checked for its inbox state and
 * reason, and at the end whether Piet's address is unreachable and how often the coordinator
 * was told.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "apply.h"
#include "bounce.h"
#include "config.h"
#include "db.h"
#include "fbtime.h"
#include "mailflow.h"
#include "message.h"
#include "outmail.h"
#include "queue.h"
#include "store.h"
#include "store_bounce.h"
#include "store_feedback.h"
#include "testlib.h"
#include "trim.h"

#define NOW "2027-01-05T10:00"
#define DAY 86400
#define PIET_ADDR "piet.jansen@example.nl"

enum shape {
	END,
	STRANGER_TEXT,    /* the issue's attack: a plain "Undeliverable" naming Piet, from anyone */
	STRANGER_DSN,     /* a well-formed DSN naming Piet, to our plain address, nothing returned */
	VERP_TO,          /* a DSN sent to the envelope sender of the mail to Piet */
	VERP_ORIGINAL_TO, /* To: our plain address; X-Original-To: that envelope sender */
	VERP_GUESSED,     /* a DSN to feedback+<a token we never gave out> */
	RETURNED,         /* to our plain address, returning the headers of the mail to Piet */
	RETURNED_OTHER,   /* ... the same headers, but the failure named is Jan's address */
	RETURNED_FORGED,  /* returned headers with a Message-ID we never sent */
	REPLY_PIET,       /* Piet answers the request with his reply token */
	REPLY_MALLORY,    /* a stranger answers with Piet's reply token */
	REPLY_TO_VERP,    /* Piet answers, to the envelope sender, In-Reply-To our message */
	OOO_TO_VERP,      /* Piet's out-of-office, sent to the envelope sender (RFC 3834) */
	VERP_DMA,         /* DragonFly dma's plain notice from "MAILER-DAEMON <>" (no usable
	                   * From) to the envelope sender */
	SES_SOURCE,       /* Amazon SES JSON: mail.source our envelope sender, Piet failed */
	SES_SOURCE_OTHER, /* ... the same envelope sender, but the failure named is Jan's */
	SES_MESSAGE_ID,   /* SES JSON naming our Message-ID in mail.headers, Piet failed */
	SES_STRANGER,     /* SES JSON naming Piet, with neither our sender nor our Message-ID */
};

struct step {
	enum shape shape;
	const char *status;  /* the DSN's Status; NULL: 5.1.1 */
	int day;             /* days after NOW */
	const char *state;   /* inbox state after apply */
	const char *reason;  /* a substring of the reason */
};

struct bcase {
	const char *name;
	int threshold;       /* [outgoing] bounce_threshold; 0: the default (4) */
	struct step steps[5];
	int unreachable;     /* Piet's address at the end */
	int told;            /* "unreachable" mails to the coordinator */
	int bounces;         /* bounce rows kept for Piet's address */
};

static const struct bcase cases[] = {
	{ "test_bounce_stranger_plain_text_changes_nothing", 1, {
	    { STRANGER_TEXT, NULL, 0, "ignored", "bounce not about our mail" } }, 0, 0, 0 },
	{ "test_bounce_stranger_dsn_without_our_token_changes_nothing", 1, {
	    { STRANGER_DSN, NULL, 0, "ignored", "bounce not about our mail" } }, 0, 0, 0 },
	{ "test_bounce_guessed_token_changes_nothing", 1, {
	    { VERP_GUESSED, NULL, 0, "ignored", "bounce not about our mail" } }, 0, 0, 0 },
	{ "test_bounce_returned_forged_message_id_changes_nothing", 1, {
	    { RETURNED_FORGED, NULL, 0, "ignored", "is not one we sent" } }, 0, 0, 0 },
	{ "test_bounce_returned_message_for_another_address_changes_nothing", 1, {
	    { RETURNED_OTHER, NULL, 0, "ignored", "went to piet.jansen@example.nl, not to "
	      "jan.de.vries@example.nl" } }, 0, 0, 0 },
	{ "test_bounce_verp_one_permanent_is_not_a_verdict", 0, {
	    { VERP_TO, NULL, 0, "applied", "bounce score 2 of 4; still reachable" } }, 0, 0, 1 },
	{ "test_bounce_verp_permanent_on_two_days_makes_unreachable", 0, {
	    { VERP_TO, NULL, 0, "applied", "score 2 of 4" },
	    { VERP_TO, NULL, 1, "applied", "piet.jansen@example.nl marked unreachable: bounce "
	      "score 4 of 4" } }, 1, 1, 2 },
	{ "test_bounce_same_day_counts_once", 0, {
	    { VERP_TO, NULL, 0, "applied", "score 2 of 4" },
	    { VERP_TO, NULL, 0, "applied", "score 2 of 4; still reachable" },
	    { VERP_TO, NULL, 0, "applied", "score 2 of 4; still reachable" } }, 0, 0, 3 },
	{ "test_bounce_old_bounces_expire", 0, {
	    { VERP_TO, NULL, 0, "applied", "score 2 of 4" },
	    { VERP_TO, NULL, 31, "applied", "score 2 of 4; still reachable" } }, 0, 0, 2 },
	{ "test_bounce_threshold_two_one_permanent_is_enough", 2, {
	    { VERP_TO, NULL, 0, "applied", "marked unreachable: bounce score 2 of 2 (last 5.1.1, "
	      "our bounce address in its envelope recipient)" } }, 1, 1, 1 },
	{ "test_bounce_verp_in_x_original_to_counts", 2, {
	    { VERP_ORIGINAL_TO, NULL, 0, "applied", "our bounce address in X-Original-To" } },
	  1, 1, 1 },
	{ "test_bounce_returned_headers_of_our_mail_count", 2, {
	    { RETURNED, NULL, 0, "applied", "marked unreachable: bounce score 2 of 2 (last 5.1.1, "
	      "the returned message <" } }, 1, 1, 1 },
	{ "test_bounce_temporary_counts_lightly_and_the_outbox_retries", 0, {
	    { VERP_TO, "4.2.2", 0, "applied", "temporary delivery failure for piet.jansen@"
	      "example.nl (4.2.2; proved by our bounce address in its envelope recipient): "
	      "bounce score 1 of 4; the outbox retries; still reachable" } }, 0, 0, 1 },
	{ "test_bounce_expired_retry_counts_as_temporary", 0, {
	    { VERP_TO, "5.4.7", 0, "applied", "temporary delivery failure for piet.jansen@"
	      "example.nl (4.4.7; proved by our bounce address in its envelope recipient): "
	      "bounce score 1 of 4; the server gave up retrying, counted as temporary; still "
	      "reachable" } }, 0, 0, 1 },
	{ "test_bounce_from_mailer_daemon_without_address_counts", 2, {
	    { VERP_DMA, NULL, 0, "applied", "marked unreachable: bounce score 2 of 2 (last 5.1.1, "
	      "our bounce address in its envelope recipient)" } }, 1, 1, 1 },
	{ "test_bounce_ses_envelope_sender_of_our_mail_counts", 2, {
	    { SES_SOURCE, NULL, 0, "applied", "marked unreachable: bounce score 2 of 2 (last "
	      "5.1.1, our bounce address in the SES notification's envelope sender)" } },
	  1, 1, 1 },
	{ "test_bounce_ses_envelope_sender_for_another_address_changes_nothing", 1, {
	    { SES_SOURCE_OTHER, NULL, 0, "ignored", "bounce not about our mail" } }, 0, 0, 0 },
	{ "test_bounce_ses_message_id_of_our_mail_counts", 2, {
	    { SES_MESSAGE_ID, NULL, 0, "applied", "marked unreachable: bounce score 2 of 2 (last "
	      "5.1.1, the returned message <" } }, 1, 1, 1 },
	{ "test_bounce_ses_stranger_changes_nothing", 1, {
	    { SES_STRANGER, NULL, 0, "ignored", "bounce not about our mail" } }, 0, 0, 0 },
	{ "test_bounce_coordinator_is_told_once", 2, {
	    { VERP_TO, NULL, 0, "applied", "marked unreachable" },
	    { VERP_TO, NULL, 1, "applied", "unreachable already" },
	    { RETURNED, NULL, 2, "applied", "unreachable already" } }, 1, 1, 3 },
	{ "test_bounce_genuine_reply_clears", 2, {
	    { VERP_TO, NULL, 0, "applied", "marked unreachable" },
	    { REPLY_PIET, NULL, 1, "applied", "piet.jansen@example.nl reachable again (a reply "
	      "from it)" } }, 0, 1, 0 },
	{ "test_bounce_stranger_with_the_token_does_not_clear", 2, {
	    { VERP_TO, NULL, 0, "applied", "marked unreachable" },
	    { REPLY_MALLORY, NULL, 1, "quarantined", "sent from mallory@evil.example" } },
	  1, 1, 1 },
	{ "test_bounce_reply_to_the_envelope_sender_finds_the_reply_token", 0, {
	    { REPLY_TO_VERP, NULL, 0, "applied", "feedback from Piet Jansen to Jan de Vries" } },
	  0, 0, 0 },
	{ "test_bounce_out_of_office_to_the_envelope_sender_is_an_absence", 0, {
	    { OOO_TO_VERP, NULL, 0, "applied", "out-of-office: Piet Jansen away until 2027-02-01" } },
	  0, 0, 0 },
	{ "test_bounce_after_a_reply_counts_from_zero", 2, {
	    { VERP_TO, NULL, 0, "applied", "marked unreachable" },
	    { REPLY_PIET, NULL, 1, "applied", "reachable again" },
	    { VERP_TO, "4.2.2", 2, "applied", "score 1 of 2; the outbox retries; still reachable" },
	    { VERP_TO, NULL, 3, "applied", "marked unreachable" } }, 1, 2, 2 },
};

struct world {
	char dir[64];
	struct config *cfg;
	struct db *db;
	struct outmail_templates *tpl;
	struct flow f;
	struct trim_rules *trim;   /* trim's patterns, made once per world */
	struct program p;
	int64_t jan, piet;
	char token[TOKEN_LEN + 1];      /* Piet's reply token */
	char bounce_token[TOKEN_LEN + 1];
	char message_id[128];           /* of the mail to Piet, without <> */
	int seq;
};

static int64_t
member(struct world *w, int64_t team, const char *name, const char *addr)
{
	struct fb_error err;
	int64_t id;

	if (store_member_add(w->db, team, name, addr, NULL, NULL, w->f.now, &id, &err) < 0)
		fail_msg("%s", err.msg);
	return id;
}

static void
world_open(struct world *w, int threshold)
{
	struct fb_error err;
	struct buf path = BUF_INIT;
	int64_t team, rid;
	struct template_values *v = template_values_new();
	struct outmail_token t = { PURPOSE_REQUEST, 0, 0, 0 };
	struct outmail_msg msg = { .kind = "request", .program = &w->p, .token = &t, .values = v,
		.to_addr = PIET_ADDR, .to_name = "Piet Jansen" };
	sqlite3_stmt *st;

	memset(w, 0, sizeof(*w));
	snprintf(w->dir, sizeof(w->dir), "/tmp/fbtest-bounce.XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	assert_int_equal(buf_addf(&path, "%s/fb.db", w->dir), 0);
	assert_non_null(w->cfg = config_default());
	if (threshold)
		w->cfg->outgoing.bounce_threshold = threshold;
	if ((w->db = db_open(path.data, &err)) == NULL)
		fail_msg("%s", err.msg);
	buf_release(&path);
	if ((w->tpl = outmail_templates_load(NULL, &err)) == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(fbtime_parse(NOW, "Europe/Amsterdam", &w->f.now, &err), 0);
	w->f.db = w->db;
	w->f.cfg = w->cfg;
	w->f.tpl = w->tpl;
	w->trim = trim_rules_new();
	assert_non_null(w->trim);
	w->f.trim = w->trim;
	w->p.name = "Pilot";
	memcpy(w->p.start_date, "2027-01-04", 11);
	w->p.weeks = 10;
	w->p.timezone = "Europe/Amsterdam";
	snprintf(w->p.language, sizeof(w->p.language), "nl");
	if (store_program_create(w->db, &w->p, w->f.now, &err) < 0 ||
	    store_team_add(w->db, w->p.id, "Sales", w->f.now, &team, &err) < 0)
		fail_msg("%s", err.msg);
	w->jan = member(w, team, "Jan de Vries", "jan.de.vries@example.nl");
	w->piet = member(w, team, "Piet Jansen", PIET_ADDR);
	assert_int_equal(store_request_add(w->db, w->p.id, w->jan, w->piet, "presentatie", 1, 0,
	    w->f.now, &rid, &err), 0);
	t.member_id = w->piet;
	t.ref_id = rid;
	msg.member_id = w->piet;
	if (outmail_queue(&w->f, &msg, w->token, &err) < 0)
		fail_msg("%s", err.msg);
	template_values_free(v);
	assert_int_equal(sqlite3_prepare_v2(db_sqlite(w->db), "SELECT bounce_token, message_id, "
	    "sender FROM outbox WHERE recipient = ?1", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, PIET_ADDR, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(w->bounce_token, sizeof(w->bounce_token), "%s", sqlite3_column_text(st, 0));
	snprintf(w->message_id, sizeof(w->message_id), "%s", sqlite3_column_text(st, 1));
	/* the row's envelope sender is the VERP form of the bounce address (= reply_address) */
	{
		char want[128];

		snprintf(want, sizeof(want), "feedback+%s@feedbackd.invalid", w->bounce_token);
		assert_string_equal((const char *)sqlite3_column_text(st, 2), want);
		assert_string_not_equal(w->bounce_token, w->token);
	}
	sqlite3_finalize(st);
}

static void
world_close(struct world *w)
{
	struct buf cmd = BUF_INIT;

	trim_rules_free(w->trim);
	outmail_templates_free(w->tpl);
	db_close(w->db);
	config_free(w->cfg);
	assert_int_equal(buf_addf(&cmd, "rm -rf '%s'", w->dir), 0);
	assert_int_equal(system(cmd.data), 0);
	buf_release(&cmd);
}

/* A Postfix-style DSN to rcpt, naming failed; with the returned headers when msgid is set. */
static void
dsn(struct buf *raw, int seq, const char *rcpt, const char *extra, const char *failed,
    const char *status, const char *msgid)
{
	assert_int_equal(buf_addf(raw, "From: MAILER-DAEMON@mx.example.nl (Mail Delivery System)\n"
	    "To: %s\n%sSubject: Undelivered Mail Returned to Sender\n"
	    "Message-ID: <dsn%d@mx.example.nl>\nAuto-Submitted: auto-replied\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n"
	    "--B\nContent-Type: text/plain\n\n<%s>: host mx.example.nl said: 550 User unknown\n\n"
	    "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.nl\n\n"
	    "Final-Recipient: rfc822; %s\nAction: %s\nStatus: %s\n\n", rcpt, extra, seq, failed,
	    failed, status[0] == '4' ? "delayed" : "failed", status), 0);
	if (msgid != NULL)
		assert_int_equal(buf_addf(raw, "--B\nContent-Type: text/rfc822-headers\n\n"
		    "From: Feedback <feedback@feedbackd.invalid>\nTo: Piet Jansen <%s>\n"
		    "Subject: Jan vraagt feedback\nMessage-ID: <%s>\n\n", PIET_ADDR, msgid), 0);
	assert_int_equal(buf_adds(raw, "--B--\n"), 0);
}

/* An Amazon SES bounce notification as SNS mails it (email-json), to our plain address. */
static void
ses(struct buf *raw, int seq, const char *failed, const char *source, const char *msgid)
{
	assert_int_equal(buf_addf(raw, "From: AWS Notifications <no-reply@sns.amazonaws.com>\n"
	    "To: feedback@feedbackd.invalid\nSubject: AWS Notification Message\n"
	    "Message-ID: <sns%d@email.amazonses.com>\nContent-Type: text/plain; charset=UTF-8\n\n"
	    "{\"Type\":\"Notification\",\"Message\":\"{\\\"notificationType\\\":\\\"Bounce\\\","
	    "\\\"bounce\\\":{\\\"bounceType\\\":\\\"Permanent\\\",\\\"bouncedRecipients\\\":"
	    "[{\\\"emailAddress\\\":\\\"%s\\\",\\\"status\\\":\\\"5.1.1\\\"}]},"
	    "\\\"mail\\\":{\\\"source\\\":\\\"%s\\\",\\\"headers\\\":[{\\\"name\\\":"
	    "\\\"Message-ID\\\",\\\"value\\\":\\\"<%s>\\\"}]}}\"}\n", seq, failed, source,
	    msgid), 0);
}

static void
inbound(struct world *w, const struct step *s, int64_t *id)
{
	const char *status = s->status ? s->status : "5.1.1";
	struct buf raw = BUF_INIT, to = BUF_INIT, hdr = BUF_INIT;
	struct fb_error err;
	int dup, n = ++w->seq;

	assert_int_equal(buf_addf(&to, "feedback+%s@feedbackd.invalid", w->bounce_token), 0);
	switch (s->shape) {
	case STRANGER_TEXT:
		assert_int_equal(buf_addf(&raw,
		    "From: postmaster@evil.example\nTo: feedback@feedbackd.invalid\n"
		    "Subject: Undeliverable: Feedback\nMessage-ID: <x%d@evil.example>\n\n"
		    "Delivery has failed to these recipients or groups:\n\n%s\n"
		    "The e-mail address could not be found.\n", n, PIET_ADDR), 0);
		break;
	case STRANGER_DSN:
		dsn(&raw, n, "feedback@feedbackd.invalid", "", PIET_ADDR, status, NULL);
		break;
	case VERP_TO:
		dsn(&raw, n, to.data, "", PIET_ADDR, status, NULL);
		break;
	case VERP_ORIGINAL_TO:
		assert_int_equal(buf_addf(&hdr, "X-Original-To: %s\n", to.data), 0);
		dsn(&raw, n, "feedback@feedbackd.invalid", hdr.data, PIET_ADDR, status, NULL);
		break;
	case VERP_GUESSED:
		dsn(&raw, n, "feedback+abcdefghijklmnopqrstuvwxyz@feedbackd.invalid", "", PIET_ADDR,
		    status, NULL);
		break;
	case RETURNED:
		dsn(&raw, n, "feedback@feedbackd.invalid", "", PIET_ADDR, status, w->message_id);
		break;
	case RETURNED_OTHER:
		dsn(&raw, n, "feedback@feedbackd.invalid", "", "jan.de.vries@example.nl", status,
		    w->message_id);
		break;
	case RETURNED_FORGED:
		dsn(&raw, n, "feedback@feedbackd.invalid", "", PIET_ADDR, status,
		    "abcdefghijklmnopqrstuvwxyz.abcdefghijklmnop@feedbackd.invalid");
		break;
	case REPLY_PIET:
	case REPLY_MALLORY:
		assert_int_equal(buf_addf(&raw,
		    "From: %s\nTo: feedback+%s@feedbackd.invalid\nSubject: Re: feedback\n"
		    "Message-ID: <r%d@example.nl>\n\nKritiek: de conclusie ontbrak.\n",
		    s->shape == REPLY_PIET ? "Piet Jansen <" PIET_ADDR ">" :
		    "Mallory <mallory@evil.example>", w->token, n), 0);
		break;
	case REPLY_TO_VERP:
		assert_int_equal(buf_addf(&raw,
		    "From: Piet Jansen <" PIET_ADDR ">\nTo: %s\nSubject: Re: feedback\n"
		    "Message-ID: <r%d@example.nl>\nIn-Reply-To: <%s>\n\n"
		    "Kritiek: de conclusie ontbrak.\n", to.data, n, w->message_id), 0);
		break;
	case OOO_TO_VERP:
		assert_int_equal(buf_addf(&raw,
		    "From: Piet Jansen <" PIET_ADDR ">\nTo: %s\nSubject: Afwezig\n"
		    "Message-ID: <o%d@example.nl>\nAuto-Submitted: auto-replied\n"
		    "In-Reply-To: <%s>\n\nIk ben afwezig tot en met 1 februari 2027.\n", to.data, n,
		    w->message_id), 0);
		break;
	case VERP_DMA:
		assert_int_equal(buf_addf(&raw, "Received: from MAILER-DAEMON\n\tid 1a2b\n"
		    "\tby mail.example.nl (DragonFly Mail Agent v0.13);\n"
		    "\tTue, 05 Jan 2027 10:00:00 +0100\nX-Original-To: <%s>\n"
		    "From: MAILER-DAEMON <>\nTo: %s\nSubject: Mail delivery failed\n"
		    "Message-Id: <1a2b.%d@mail.example.nl>\n\n"
		    "This is the DragonFly Mail Agent v0.13 at mail.example.nl.\n\n"
		    "There was an error delivering your mail to <%s>.\n\n"
		    "mx.example.nl [192.0.2.25] did not like our RCPT TO:\n"
		    "550 5.1.1 <%s>: Recipient address rejected: User unknown\n\n"
		    "Message headers follow.\n\n", to.data, to.data, n, PIET_ADDR, PIET_ADDR), 0);
		break;
	case SES_SOURCE:
		ses(&raw, n, PIET_ADDR, to.data, "x1@elsewhere.example");
		break;
	case SES_SOURCE_OTHER:
		ses(&raw, n, "jan.de.vries@example.nl", to.data, "x1@elsewhere.example");
		break;
	case SES_MESSAGE_ID:
		ses(&raw, n, PIET_ADDR, "feedback@feedbackd.invalid", w->message_id);
		break;
	case SES_STRANGER:
		ses(&raw, n, PIET_ADDR, "feedback@feedbackd.invalid", "x1@elsewhere.example");
		break;
	case END:
		break;
	}
	assert_int_equal(mailflow_inbox_add(w->db, "test", raw.data, raw.len, 1 << 20, w->f.now, id,
	    &dup, &err), 0);
	assert_int_equal(dup, 0);
	buf_release(&raw);
	buf_release(&to);
	buf_release(&hdr);
}

static int
count_sql(struct world *w, const char *sql)
{
	sqlite3_stmt *st;
	int n;

	assert_int_equal(sqlite3_prepare_v2(db_sqlite(w->db), sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void
run_case(void **state)
{
	const struct bcase *c = *state;
	struct world w;
	struct fb_error err;
	time_t start;

	world_open(&w, c->threshold);
	start = w.f.now;
	for (size_t i = 0; i < 5 && c->steps[i].shape != END; i++) {
		const struct step *s = &c->steps[i];
		struct apply_stats st = { 0 };
		struct inbox_row row;
		int64_t id;

		w.f.now = start + (time_t)s->day * DAY + (time_t)i * 60;
		inbound(&w, s, &id);
		if (apply_pending(&w.f, 100, NULL, &st, &err) < 0)
			fail_msg("%s", err.msg);
		assert_int_equal(queue_inbox_get(w.db, id, &row, &err), 0);
		if (strcmp(row.state, s->state) != 0 || row.reason == NULL ||
		    strstr(row.reason, s->reason) == NULL)
			fail_msg("step %zu: %s \"%s\", expected %s \"%s\"", i + 1, row.state,
			    row.reason ? row.reason : "", s->state, s->reason);
		queue_inbox_release(&row);
	}
	assert_int_equal(count_sql(&w, "SELECT count(*) FROM member_address WHERE address = '"
	    PIET_ADDR "' AND undeliverable_at IS NOT NULL"), c->unreachable);
	assert_int_equal(count_sql(&w, "SELECT count(*) FROM outbox WHERE kind = 'unreachable' "
	    "AND recipient = 'feedback@feedbackd.invalid'"), c->told);
	assert_int_equal(count_sql(&w, "SELECT count(*) FROM bounce WHERE address = '" PIET_ADDR
	    "'"), c->bounces);
	world_close(&w);
}

/* The coordinator's mail names the member, the address and since when, in the programme's
 * language, from the template. */
static void
test_bounce_coordinator_mail_says_who_and_since_when(void **state)
{
	static const struct step s = { VERP_TO, NULL, 0, "applied", "" };
	struct world w;
	struct apply_stats st = { 0 };
	struct outbox_list l = { 0 };
	struct outbox_row r;
	struct fb_message *msg;
	struct fb_error err;
	int64_t id;

	(void)state;
	world_open(&w, 2);
	inbound(&w, &s, &id);
	assert_int_equal(apply_pending(&w.f, 100, NULL, &st, &err), 0);
	assert_int_equal(queue_outbox_list(w.db, NULL, 1, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].kind, "unreachable");
	assert_int_equal(queue_outbox_get(w.db, l.v[0].id, &r, &err), 0);
	assert_non_null(msg = message_parse(r.raw.data, r.raw.len, 1 << 20, &err));
	assert_string_equal(msg->subject, "Piet Jansen is per e-mail niet meer bereikbaar");
	assert_non_null(strstr(msg->text, "Piet Jansen (piet.jansen@example.nl) komt niet meer"));
	assert_non_null(strstr(msg->text, "Sinds dinsdag 5 januari"));
	assert_non_null(strstr(msg->text, "feedbackctl member reachable \"Piet Jansen\""));
	message_free(msg);
	queue_outbox_release(&r);
	queue_outbox_list_release(&l);
	world_close(&w);
}

/* `member reachable`'s store side: every address of the member, marks and scores. */
static void
test_bounce_reachable_member_clears_marks_and_scores(void **state)
{
	static const struct step s = { VERP_TO, NULL, 0, "applied", "" };
	struct world w;
	struct apply_stats st = { 0 };
	struct fb_error err;
	int64_t id;

	(void)state;
	world_open(&w, 2);
	inbound(&w, &s, &id);
	assert_int_equal(apply_pending(&w.f, 100, NULL, &st, &err), 0);
	assert_int_equal(store_bounce_unreachable_since(w.db, PIET_ADDR, &err), w.f.now);
	assert_int_equal(store_bounce_reachable_member(w.db, w.piet, &err), 1);
	assert_int_equal(store_bounce_unreachable_since(w.db, PIET_ADDR, &err), 0);
	assert_int_equal(count_sql(&w, "SELECT count(*) FROM bounce"), 0);
	assert_int_equal(store_bounce_reachable_member(w.db, w.piet, &err), 0);
	world_close(&w);
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_bounce_coordinator_mail_says_who_and_since_when),
		cmocka_unit_test(test_bounce_reachable_member_clears_marks_and_scores),
	};

	return testlib_run_table("apply_bounce", cases, sizeof(cases) / sizeof(cases[0]),
	    sizeof(cases[0]), run_case, fixed, sizeof(fixed) / sizeof(fixed[0]));
}
