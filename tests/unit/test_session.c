/*
 * Unit tests of sessions end to end inside one database: scheduling mails one REQUEST per
 * attendee (from the organizer, the ORGANIZER equal to From, the recipient the only ATTENDEE);
 * moving keeps the UID, raises SEQUENCE and asks again; sync invites a newcomer and cancels for
 * a leaver; cancelling sends METHOD:CANCEL with SEQUENCE+1; sessions reach the plan; and
 * calendar REPLYs are applied, or kept with a reason, by the rules in apply_session.c (one
 * table row per rule).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <libical/ical.h>

#include "apply.h"
#include "config.h"
#include "db.h"
#include "fbtime.h"
#include "flow.h"
#include "invite.h"
#include "itip.h"
#include "mailflow.h"
#include "message.h"
#include "outmail.h"
#include "queue.h"
#include "store.h"
#include "store_session.h"
#include "testlib.h"
#include "trim.h"

struct world {
	char dir[64];
	struct buf path;
	struct db *db;
	struct config *cfg;
	struct outmail_templates *tpl;
	struct flow f;
	struct trim_rules *trim;   /* trim's patterns, made once per world */
	struct program p;
	int64_t team, jan, els;
};

static time_t
at(const char *local)
{
	time_t t;
	struct fb_error err;

	assert_int_equal(fbtime_parse(local, "Europe/Amsterdam", &t, &err), 0);
	return t;
}

static void
world_open(struct world *w)
{
	struct fb_error err;

	memset(w, 0, sizeof(*w));
	snprintf(w->dir, sizeof(w->dir), "/tmp/fbsession.XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	assert_int_equal(buf_addf(&w->path, "%s/fb.db", w->dir), 0);
	w->db = db_open(w->path.data, &err);
	assert_non_null(w->db);
	w->cfg = config_default();
	free(w->cfg->feedbackd.coordinator_address);
	w->cfg->feedbackd.coordinator_address = strdup("coordinator@example.org");
	free(w->cfg->feedbackd.reply_address);
	w->cfg->feedbackd.reply_address = strdup("feedback@example.org");
	free(w->cfg->feedbackd.domain);
	w->cfg->feedbackd.domain = strdup("feedback.example.org");
	w->tpl = outmail_templates_load(NULL, &err);
	if (w->tpl == NULL)
		fail_msg("%s", err.msg);
	w->f = (struct flow){ w->db, w->cfg, w->tpl, at("2026-12-20 10:00"), NULL, NULL, NULL };
	w->trim = trim_rules_new();
	assert_non_null(w->trim);
	w->f.trim = w->trim;
	w->p.name = strdup("Pilot");
	snprintf(w->p.start_date, sizeof(w->p.start_date), "2027-01-04");
	w->p.weeks = 10;
	w->p.timezone = strdup("Europe/Amsterdam");
	snprintf(w->p.language, sizeof(w->p.language), "en");
	assert_int_equal(store_program_create(w->db, &w->p, w->f.now, &err), 0);
	assert_int_equal(store_team_add(w->db, w->p.id, "Blauw", w->f.now, &w->team, &err), 0);
	assert_int_equal(store_member_add(w->db, w->team, "Jan de Vries", "jan@example.org", NULL,
	    NULL, w->f.now, &w->jan, &err), 0);
	assert_int_equal(store_member_add_address(w->db, w->jan, "jan@home.example", &err), 0);
	assert_int_equal(store_member_add(w->db, w->team, "Els", "els@example.org", NULL, NULL,
	    w->f.now, &w->els, &err), 0);
	assert_int_equal(store_facilitator_add(w->db, w->team, "Fien", "fien@example.org",
	    w->f.now, NULL, &err), 0);
}

static void
world_close(struct world *w)
{
	struct buf rm = BUF_INIT;

	store_program_release(&w->p);
	trim_rules_free(w->trim);
	outmail_templates_free(w->tpl);
	config_free(w->cfg);
	db_close(w->db);
	assert_int_equal(buf_addf(&rm, "rm -rf '%s'", w->dir), 0);
	assert_int_equal(system(rm.data), 0);
	buf_release(&rm);
	buf_release(&w->path);
}

/* Schedule the kickoff in one transaction; returns its id. */
static int64_t
schedule(struct world *w, struct session *s)
{
	struct fb_error err;
	size_t mails = 0;

	memset(s, 0, sizeof(*s));
	snprintf(s->kind, sizeof(s->kind), "kickoff");
	s->starts_at = at("2027-01-04 09:00");
	s->duration_min = 90;
	s->team_id = w->team;
	s->location = strdup("Zaal 3");
	assert_int_equal(db_begin(w->db, &err), 0);
	if (invite_schedule(&w->f, &w->p, s, &mails, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(db_commit(w->db, &err), 0);
	assert_int_equal(mails, 3);
	return s->id;
}

struct sent {
	char to[64], from[64], method[16], mime_method[16], kind[24];
	struct itip_info info;
};

/* The outbox rows from id > after, each read back as a recipient's program would. */
static size_t
outbox_since(struct world *w, int64_t after, struct sent *out, size_t max)
{
	struct outbox_list l;
	struct fb_error err;
	size_t n = 0;

	assert_int_equal(queue_outbox_list(w->db, NULL, 1000, &l, &err), 0);
	for (size_t i = l.n; i-- > 0;) {
		struct outbox_row r;
		struct fb_message *m;

		if (l.v[i].id <= after)
			continue;
		assert_true(n < max);
		assert_int_equal(queue_outbox_get(w->db, l.v[i].id, &r, &err), 0);
		m = message_parse(r.raw.data, r.raw.len, 1 << 20, &err);
		assert_non_null(m);
		memset(&out[n], 0, sizeof(out[n]));
		snprintf(out[n].to, sizeof(out[n].to), "%s", r.recipient);
		snprintf(out[n].from, sizeof(out[n].from), "%s", m->from.addr);
		snprintf(out[n].kind, sizeof(out[n].kind), "%s", r.kind);
		/* the text/calendar part and the invite.ics attachment, the same bytes */
		assert_int_equal(m->ncalendars, 2);
		assert_int_equal(m->calendars[0].len, m->calendars[1].len);
		assert_memory_equal(m->calendars[0].data, m->calendars[1].data, m->calendars[0].len);
		snprintf(out[n].mime_method, sizeof(out[n].mime_method), "%s",
		    m->calendars[0].method ? m->calendars[0].method : "");
		assert_int_equal(itip_read(m->calendars[0].data, m->calendars[0].len, &out[n].info,
		    &err), 0);
		snprintf(out[n].method, sizeof(out[n].method), "%s", out[n].info.method);
		message_free(m);
		queue_outbox_release(&r);
		n++;
	}
	queue_outbox_list_release(&l);
	return n;
}

static void
sent_release(struct sent *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		itip_info_release(&s[i].info);
}

static int64_t
last_outbox_id(struct world *w)
{
	struct outbox_list l;
	struct fb_error err;
	int64_t id = 0;

	assert_int_equal(queue_outbox_list(w->db, NULL, 1000, &l, &err), 0);
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].id > id)
			id = l.v[i].id;
	queue_outbox_list_release(&l);
	return id;
}

static void
test_session_schedule_move_sync_cancel(void **state)
{
	struct world w;
	struct session s, got;
	struct sent sent[8];
	struct fb_error err;
	size_t n, mails = 0;
	int64_t mark, newcomer;
	char uid[128];

	(void)state;
	world_open(&w);
	schedule(&w, &s);
	snprintf(uid, sizeof(uid), "%s", s.uid);
	assert_non_null(strstr(uid, "@feedback.example.org"));

	n = outbox_since(&w, 0, sent, 8);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(sent[i].kind, "invite");
		assert_string_equal(sent[i].method, "REQUEST");
		assert_string_equal(sent[i].mime_method, "REQUEST");
		assert_string_equal(sent[i].from, "coordinator@example.org");
		assert_string_equal(sent[i].info.organizer, "coordinator@example.org");
		assert_string_equal(sent[i].info.uid, uid);
		assert_int_equal(sent[i].info.sequence, 0);
		assert_int_equal(sent[i].info.nattendees, 1);
		assert_string_equal(sent[i].info.attendees[0].address, sent[i].to);
		assert_string_equal(sent[i].info.attendees[0].partstat, "NEEDS-ACTION");
		assert_string_equal(sent[i].info.summary, "Kickoff: Pilot (Blauw)");
	}
	sent_release(sent, n);

	/* the plan knows the session now */
	struct plan plan = PLAN_INIT;
	const struct plan_moment *mo;
	assert_int_equal(flow_plan(&w.f, &w.p, &plan, &err), 0);
	mo = plan_find(&plan, "session:kickoff");
	assert_non_null(mo);
	assert_int_equal(mo->scheduled, 1);
	assert_int_equal(mo->at, at("2027-01-04 09:00"));
	plan_release(&plan);

	/* move: same UID, SEQUENCE 1, the full event to all three */
	mark = last_outbox_id(&w);
	struct invite_change ch = { .starts_at = at("2027-01-05 14:00") };
	assert_int_equal(db_begin(w.db, &err), 0);
	assert_int_equal(invite_move(&w.f, &w.p, s.id, &ch, &mails, &err), 0);
	assert_int_equal(db_commit(w.db, &err), 0);
	n = outbox_since(&w, mark, sent, 8);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(sent[i].kind, "invite_update");
		assert_string_equal(sent[i].method, "REQUEST");
		assert_string_equal(sent[i].info.uid, uid);
		assert_int_equal(sent[i].info.sequence, 1);
	}
	sent_release(sent, n);

	/* a newcomer joins, Els leaves: sync sends one invite and one cancel, SEQUENCE 2 */
	mark = last_outbox_id(&w);
	assert_int_equal(store_member_add(w.db, w.team, "Piet", "piet@example.org", NULL, NULL,
	    w.f.now, &newcomer, &err), 0);
	assert_int_equal(db_exec(w.db, "UPDATE member SET status = 'left' WHERE name = 'Els'",
	    &err), 0);
	assert_int_equal(db_begin(w.db, &err), 0);
	assert_int_equal(invite_sync(&w.f, &w.p, s.id, &mails, &err), 0);
	assert_int_equal(db_commit(w.db, &err), 0);
	n = outbox_since(&w, mark, sent, 8);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(sent[i].to, "piet@example.org") == 0) {
			assert_string_equal(sent[i].method, "REQUEST");
		} else {
			assert_string_equal(sent[i].to, "els@example.org");
			assert_string_equal(sent[i].method, "CANCEL");
			assert_string_equal(sent[i].mime_method, "CANCEL");
			assert_string_equal(sent[i].kind, "invite_cancel");
		}
		assert_int_equal(sent[i].info.sequence, 2);
	}
	sent_release(sent, n);

	/* cancel: a CANCEL to the three still invited, SEQUENCE 3, but for Piet: his invitation
	 * still waits for his welcome (the mail budget), so it is dropped and he hears nothing of
	 * an event he never had */
	mark = last_outbox_id(&w);
	assert_int_equal(db_begin(w.db, &err), 0);
	assert_int_equal(invite_cancel(&w.f, &w.p, s.id, &mails, &err), 0);
	assert_int_equal(db_commit(w.db, &err), 0);
	n = outbox_since(&w, mark, sent, 8);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(sent[i].method, "CANCEL");
		assert_int_equal(sent[i].info.sequence, 3);
		assert_string_not_equal(sent[i].to, "els@example.org");
		assert_string_not_equal(sent[i].to, "piet@example.org");
	}
	sent_release(sent, n);
	assert_int_equal(store_session_get(w.db, s.id, &got, &err), 0);
	assert_string_equal(got.status, "cancelled");
	store_session_release(&got);
	assert_int_equal(db_begin(w.db, &err), 0);
	assert_int_equal(invite_move(&w.f, &w.p, s.id, &ch, &mails, &err), -1);
	db_rollback(w.db);
	assert_non_null(strstr(err.msg, "cancelled"));

	store_session_release(&s);
	world_close(&w);
}

/* ---- replies ----------------------------------------------------------------------------------- */

static const struct reply_case {
	const char *name;
	const char *from;        /* the mail's From */
	const char *attendee;    /* the ATTENDEE in the REPLY */
	const char *partstat;
	const char *sequence;    /* "" when the REPLY has none */
	const char *method;      /* METHOD inside */
	int known_uid;
	const char *state;       /* what apply says */
	const char *jan_after;   /* Jan's PARTSTAT afterwards */
} REPLIES[] = {
	{ "reply_accepted_is_recorded", "jan@example.org", "jan@example.org", "ACCEPTED", "1",
	  "REPLY", 1, "applied", "ACCEPTED" },
	{ "reply_without_sequence_counts_for_the_current_version", "jan@example.org",
	  "jan@example.org", "TENTATIVE", "", "REPLY", 1, "applied", "TENTATIVE" },
	{ "reply_from_another_address_of_the_member_counts", "jan@home.example",
	  "jan@example.org", "DECLINED", "1", "REPLY", 1, "applied", "DECLINED" },
	{ "reply_to_the_version_before_the_move_is_stale", "jan@example.org", "jan@example.org",
	  "ACCEPTED", "0", "REPLY", 1, "ignored", "NEEDS-ACTION" },
	{ "reply_for_someone_else_is_quarantined", "els@example.org", "jan@example.org",
	  "ACCEPTED", "1", "REPLY", 1, "quarantined", "NEEDS-ACTION" },
	{ "reply_naming_an_address_not_invited_is_ignored", "kees@example.org", "kees@example.org",
	  "ACCEPTED", "1", "REPLY", 1, "ignored", "NEEDS-ACTION" },
	{ "reply_for_an_unknown_uid_is_kept_not_applied", "jan@example.org", "jan@example.org",
	  "ACCEPTED", "1", "REPLY", 0, "ignored", "NEEDS-ACTION" },
	{ "counter_is_kept_not_applied", "jan@example.org", "jan@example.org", "ACCEPTED", "1",
	  "COUNTER", 1, "ignored", "NEEDS-ACTION" },
	{ "reply_delegated_is_not_counted", "jan@example.org", "jan@example.org", "DELEGATED",
	  "1", "REPLY", 1, "ignored", "NEEDS-ACTION" },
	{ "google_13_digit_sequence_is_read_as_64_bit", "jan@example.org", "jan@example.org",
	  "ACCEPTED", "1736412345678", "REPLY", 1, "applied", "ACCEPTED" },
};

static void
drop_reply(struct world *w, const char *uid, const char *from, const char *attendee,
    const char *partstat, const char *seq, const char *method, int n)
{
	struct buf raw = BUF_INIT;
	struct fb_error err;
	int64_t id;
	int dup;

	/* Outlook's shape: no ORGANIZER, method= on the MIME type */
	assert_int_equal(buf_addf(&raw,
	    "From: <%s>\r\nTo: coordinator@example.org\r\nMessage-ID: <r%d@x>\r\n"
	    "Subject: Answer\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: text/calendar; charset=UTF-8; method=%s\r\n\r\n"
	    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nMETHOD:%s\r\n"
	    "BEGIN:VEVENT\r\nUID:%s\r\n%s%s%sDTSTAMP:20261221T090000Z\r\n"
	    "ATTENDEE;PARTSTAT=%s:mailto:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
	    from, n, method, method, uid, *seq ? "SEQUENCE:" : "", seq, *seq ? "\r\n" : "",
	    partstat, attendee), 0);
	assert_int_equal(db_begin(w->db, &err), 0);
	assert_int_equal(mailflow_inbox_add(w->db, "test", raw.data, raw.len, 1 << 20, w->f.now, &id,
	    &dup, &err), 0);
	assert_int_equal(db_commit(w->db, &err), 0);
	buf_release(&raw);
}

static void
run_reply(void **state)
{
	const struct reply_case *c = *state;
	struct world w;
	struct session s;
	struct apply_stats st = { 0 };
	struct inbox_list il;
	struct session_attendee a;
	struct fb_error err;
	size_t mails = 0;
	int64_t before;

	world_open(&w);
	schedule(&w, &s);
	/* moved once: the current SEQUENCE is 1 */
	struct invite_change ch = { .duration_min = 60 };
	assert_int_equal(db_begin(w.db, &err), 0);
	assert_int_equal(invite_move(&w.f, &w.p, s.id, &ch, &mails, &err), 0);
	assert_int_equal(db_commit(w.db, &err), 0);
	before = last_outbox_id(&w);

	drop_reply(&w, c->known_uid ? s.uid : "someone-elses@example.com", c->from, c->attendee,
	    c->partstat, c->sequence, c->method, 1);
	assert_int_equal(apply_pending(&w.f, 10, NULL, &st, &err), 0);
	assert_int_equal(queue_inbox_list(w.db, NULL, 10, &il, &err), 0);
	assert_int_equal(il.n, 1);
	if (strcmp(il.v[0].state, c->state) != 0)
		fail_msg("state %s (%s), expected %s", il.v[0].state, il.v[0].reason, c->state);
	assert_string_equal(il.v[0].kind, "itip");
	queue_inbox_list_release(&il);
	assert_int_equal(store_attendee_find(w.db, s.id, "jan@example.org", &a, &err), 0);
	assert_string_equal(a.partstat, c->jan_after);
	store_attendee_release(&a);
	/* never answered */
	assert_int_equal(last_outbox_id(&w), before);

	store_session_release(&s);
	world_close(&w);
}

/* A later answer replaces an earlier one; an older SEQUENCE than the one recorded does not;
 * the counts of store_session_get follow. */
static void
test_session_reply_counts_and_stale_order(void **state)
{
	struct world w;
	struct session s, got;
	struct apply_stats st = { 0 };
	struct fb_error err;

	(void)state;
	world_open(&w);
	schedule(&w, &s);
	drop_reply(&w, s.uid, "jan@example.org", "jan@example.org", "ACCEPTED", "5", "REPLY", 1);
	drop_reply(&w, s.uid, "jan@example.org", "jan@example.org", "DECLINED", "3", "REPLY", 2);
	drop_reply(&w, s.uid, "els@example.org", "els@example.org", "TENTATIVE", "0", "REPLY", 3);
	drop_reply(&w, s.uid, "fien@example.org", "FIEN@example.org", "DECLINED", "0", "REPLY", 4);
	assert_int_equal(apply_pending(&w.f, 10, NULL, &st, &err), 0);
	assert_int_equal(st.applied, 3);
	assert_int_equal(st.ignored, 1);
	assert_int_equal(store_session_get(w.db, s.id, &got, &err), 0);
	assert_int_equal(got.invited, 3);
	assert_int_equal(got.accepted, 1);
	assert_int_equal(got.declined, 1);
	assert_int_equal(got.tentative, 1);
	assert_int_equal(got.no_answer, 0);
	store_session_release(&got);
	store_session_release(&s);
	world_close(&w);
}

/* A reply with a SEQUENCE far beyond ours (a client's own numbering) counts, but must not lock
 * the attendee out: after a move everyone answers again, with the new, smaller SEQUENCE. */
static void
test_session_huge_sequence_does_not_block_answers_after_a_move(void **state)
{
	struct world w;
	struct session s, got;
	struct apply_stats st = { 0 };
	struct invite_change ch = { .duration_min = 60 };
	size_t nmails = 0;
	struct fb_error err;

	(void)state;
	world_open(&w);
	schedule(&w, &s);
	drop_reply(&w, s.uid, "jan@example.org", "jan@example.org", "ACCEPTED", "4294967297", "REPLY", 1);
	assert_int_equal(apply_pending(&w.f, 10, NULL, &st, &err), 0);
	assert_int_equal(st.applied, 1);
	assert_int_equal(db_begin(w.db, &err), 0);
	assert_int_equal(invite_move(&w.f, &w.p, s.id, &ch, &nmails, &err), 0);
	assert_int_equal(db_commit(w.db, &err), 0);
	drop_reply(&w, s.uid, "jan@example.org", "jan@example.org", "TENTATIVE", "1", "REPLY", 2);
	assert_int_equal(apply_pending(&w.f, 10, NULL, &st, &err), 0);
	assert_int_equal(st.applied, 2);
	assert_int_equal(store_session_get(w.db, s.id, &got, &err), 0);
	assert_int_equal(got.accepted, 0);
	assert_int_equal(got.tentative, 1);
	store_session_release(&got);
	store_session_release(&s);
	world_close(&w);
}

/* A reply typed as mail to the invitation (its Reply-To carries a token) is kept with a reason,
 * neither counted nor read as a feedback request, and not answered. */
static void
test_session_mail_reply_to_invite_is_kept_not_counted(void **state)
{
	struct world w;
	struct session s;
	struct outbox_list l;
	struct outbox_row r;
	struct inbox_list il;
	struct apply_stats st = { 0 };
	struct buf raw = BUF_INIT;
	struct fb_error err;
	struct fb_message *m;
	const char *rt;
	int64_t id, before;
	int dup;

	(void)state;
	world_open(&w);
	schedule(&w, &s);
	before = last_outbox_id(&w);
	assert_int_equal(queue_outbox_list(w.db, NULL, 10, &l, &err), 0);
	for (size_t i = 0; i < l.n; i++)
		if (strcmp(l.v[i].recipient, "jan@example.org") == 0)
			id = l.v[i].id;
	queue_outbox_list_release(&l);
	assert_int_equal(queue_outbox_get(w.db, id, &r, &err), 0);
	m = message_parse(r.raw.data, r.raw.len, 1 << 20, &err);
	rt = message_header(m, "Reply-To");
	assert_non_null(rt);
	assert_non_null(strstr(rt, "+"));
	assert_int_equal(buf_addf(&raw,
	    "From: Jan <jan@example.org>\r\nTo: %s\r\nMessage-ID: <typed@x>\r\n"
	    "Subject: Re: %s\r\n\r\nIk kan helaas niet, ik ben op cursus.\r\n", rt, m->subject), 0);
	message_free(m);
	queue_outbox_release(&r);
	assert_int_equal(db_begin(w.db, &err), 0);
	assert_int_equal(mailflow_inbox_add(w.db, "test", raw.data, raw.len, 1 << 20, w.f.now, &id,
	    &dup, &err), 0);
	assert_int_equal(db_commit(w.db, &err), 0);
	assert_int_equal(apply_pending(&w.f, 10, NULL, &st, &err), 0);
	assert_int_equal(queue_inbox_list(w.db, NULL, 10, &il, &err), 0);
	assert_string_equal(il.v[0].state, "ignored");
	assert_string_equal(il.v[0].kind, "reply");
	assert_non_null(strstr(il.v[0].reason, "not counted as an answer"));
	queue_inbox_list_release(&il);
	assert_int_equal(last_outbox_id(&w), before);
	buf_release(&raw);
	store_session_release(&s);
	world_close(&w);
}

/* A moment's calendar event the member already got is updated when the plan moves it, and the
 * update goes at once like an invitation's update, whatever the member's mail budget of the
 * day (feedbackd.conf(5): updates are never held or counted); the first event waits. */
static void
test_session_moment_update_is_not_deferred_by_the_budget(void **state)
{
	struct world w;
	struct plan plan = PLAN_INIT;
	struct fb_error err;
	struct outbox_list l;
	size_t mails = 0, firsts = 0, updates = 0;
	int64_t before;

	(void)state;
	world_open(&w);
	w.cfg->program.mail_budget = 1;
	w.f.now = at("2027-01-25 10:00"); /* the week before the midterm (2027-02-01) */
	if (flow_plan(&w.f, &w.p, &plan, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(db_begin(w.db, &err), 0);
	if (invite_moments_sync(&w.f, &w.p, &plan, &mails, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(db_commit(w.db, &err), 0);
	plan_release(&plan);
	assert_true(mails > 0);
	before = last_outbox_id(&w);
	/* the programme a week later: the midterm moves to 2027-02-08; Jan's budget of the day
	 * (1) went to the midterm's event */
	snprintf(w.p.start_date, sizeof(w.p.start_date), "2027-01-11");
	if (flow_plan(&w.f, &w.p, &plan, &err) < 0)
		fail_msg("%s", err.msg);
	mails = 0;
	assert_int_equal(db_begin(w.db, &err), 0);
	if (invite_moments_sync(&w.f, &w.p, &plan, &mails, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(db_commit(w.db, &err), 0);
	plan_release(&plan);
	assert_int_equal(queue_outbox_list(w.db, NULL, 1000, &l, &err), 0);
	for (size_t i = 0; i < l.n; i++) {
		if (strcmp(l.v[i].kind, "moment_invite") != 0 ||
		    strcmp(l.v[i].recipient, "jan@example.org") != 0)
			continue;
		if (l.v[i].id <= before) {
			firsts++;
			continue;
		}
		updates++;
		assert_string_equal(l.v[i].state, "queued");
		assert_null(l.v[i].last_error);
		assert_true(l.v[i].next_attempt_at <= w.f.now);
	}
	queue_outbox_list_release(&l);
	assert_int_equal(firsts, 1);
	assert_int_equal(updates, 1);
	world_close(&w);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_session_schedule_move_sync_cancel),
		cmocka_unit_test(test_session_reply_counts_and_stale_order),
		cmocka_unit_test(test_session_huge_sequence_does_not_block_answers_after_a_move),
		cmocka_unit_test(test_session_mail_reply_to_invite_is_kept_not_counted),
		cmocka_unit_test(test_session_moment_update_is_not_deferred_by_the_budget),
	};
	int rc = testlib_run_table("session", REPLIES, sizeof(REPLIES) / sizeof(REPLIES[0]),
	    sizeof(REPLIES[0]), run_reply, fixed, sizeof(fixed) / sizeof(fixed[0]));

	icaltimezone_free_builtin_timezones();
	fbtime_cleanup();
	return rc;
}
