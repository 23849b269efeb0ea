/*
 * Unit tests of the composers `feedbackctl preview` shares with the daemon (outmail.h's
 * raw_out): each kind, for one person of a small programme, composes a whole message, the
 * same bytes twice, with outmail's example token where the mail carries one, and writes
 * nothing to the database (SQLite's change counter does not move). The weekly report picks
 * its rating samples on the way, so it runs in a transaction that is rolled back, as the
 * command does. Then the scheduler's pass at the same moment queues the nudge, and it is the
 * preview but for its token, Message-ID and boundary. Table-driven: one row per kind.
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
#include <sqlite3.h>

#include "config.h"
#include "db.h"
#include "fbtime.h"
#include "flow.h"
#include "invite.h"
#include "measure.h"
#include "outmail.h"
#include "plan.h"
#include "queue.h"
#include "report_progress.h"
#include "report_send.h"
#include "schedule.h"
#include "store.h"
#include "store_session.h"
#include "testlib.h"

struct world {
	char dir[64];
	struct config *cfg;
	struct db *db;
	struct outmail_templates *tpl;
	struct flow f;
	struct program p;
	int64_t team, ann, bob, carla, session;
	struct member m;           /* Ann */
	struct member_list teamlist;
	struct plan plan;
};

typedef int (*composer)(struct world *w, struct buf *out, struct fb_error *err);

static int
c_nudge(struct world *w, struct buf *out, struct fb_error *err)
{
	return schedule_nudge_mail(&w->f, &w->p, 1, &w->m, &w->teamlist, out, err);
}

static int
c_questionnaire(struct world *w, struct buf *out, struct fb_error *err)
{
	return measure_preview(&w->f, &w->p, "baseline", 0, &w->m, out, err);
}

static int
c_reminder(struct world *w, struct buf *out, struct fb_error *err)
{
	return measure_preview(&w->f, &w->p, "midterm", 1, &w->m, out, err);
}

static int
c_weekly(struct world *w, struct buf *out, struct fb_error *err)
{
	return report_send_weekly_eml(&w->f, &w->p, w->team, 1, w->carla, out, err);
}

static int
c_progress(struct world *w, struct buf *out, struct fb_error *err)
{
	return report_send_progress_eml_to(&w->f, &w->p, 0, REPORT_PROGRESS, 0, 4,
	    "coord@example.org", "", out, err);
}

static int
c_invite(struct world *w, struct buf *out, struct fb_error *err)
{
	return invite_session_mail(&w->f, &w->p, w->session, w->m.address, w->m.name, w->m.id,
	    out, err);
}

static int
c_moment(struct world *w, struct buf *out, struct fb_error *err)
{
	const struct plan_moment *mo = plan_find(&w->plan, "questionnaire:midterm");

	assert_non_null(mo);
	return invite_moment_mail(&w->f, &w->p, &w->plan, mo, &w->m, out, err);
}

struct pcase {
	const char *name;
	composer fn;
	const char *kind;      /* X-Feedbackd-Kind */
	const char *to;        /* in the To header */
	int token;             /* carries the reply token */
	int in_transaction;    /* writes on the way (rolled back), as the command runs it */
};

static const struct pcase cases[] = {
	{ "test_preview_nudge", c_nudge, "nudge", "ann@example.org", 1, 0 },
	{ "test_preview_questionnaire", c_questionnaire, "questionnaire", "ann@example.org", 1,
	  0 },
	{ "test_preview_reminder_before_its_questionnaire", c_reminder, "questionnaire_reminder",
	  "ann@example.org", 1, 0 },
	{ "test_preview_weekly_report_to_the_facilitator", c_weekly, "weekly_report",
	  "carla@example.org", 1, 1 },
	{ "test_preview_progress_report_to_the_coordinator", c_progress, "progress_report",
	  "coord@example.org", 0, 0 },
	{ "test_preview_session_invite", c_invite, "invite", "ann@example.org", 1, 0 },
	{ "test_preview_moment_invite", c_moment, "moment_invite", "ann@example.org", 0, 0 },
};

static void
world_open(struct world *w)
{
	struct fb_error err;
	struct buf path = BUF_INIT;
	struct session s;
	size_t mails = 0;
	char spec[24];

	memset(w, 0, sizeof(*w));
	w->plan = (struct plan)PLAN_INIT;
	snprintf(w->dir, sizeof(w->dir), "/tmp/fbtest-preview.XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	assert_int_equal(buf_addf(&path, "%s/fb.db", w->dir), 0);
	assert_non_null(w->cfg = config_default());
	if ((w->db = db_open(path.data, &err)) == NULL)
		fail_msg("%s", err.msg);
	buf_release(&path);
	if ((w->tpl = outmail_templates_load(NULL, &err)) == NULL)
		fail_msg("%s", err.msg);
	w->f.db = w->db;
	w->f.cfg = w->cfg;
	w->f.tpl = w->tpl;
	if (fbtime_parse("2027-01-01T12:00", "Europe/Amsterdam", &w->f.now, &err) < 0)
		fail_msg("%s", err.msg);
	w->p.name = "Pilot";
	memcpy(w->p.start_date, "2027-01-04", 11);
	w->p.weeks = 10;
	w->p.timezone = "Europe/Amsterdam";
	memcpy(w->p.language, "en", 3);
	if (store_program_create(w->db, &w->p, w->f.now, &err) < 0 ||
	    store_team_add(w->db, w->p.id, "Sales", w->f.now, &w->team, &err) < 0 ||
	    store_member_add(w->db, w->team, "Ann Smith", "ann@example.org", NULL, NULL, w->f.now,
	    &w->ann, &err) < 0 ||
	    store_member_add(w->db, w->team, "Bob Jones", "bob@example.org", NULL, NULL, w->f.now,
	    &w->bob, &err) < 0 ||
	    store_facilitator_add(w->db, w->team, "Carla", "carla@example.org", w->f.now,
	    &w->carla, &err) < 0)
		fail_msg("%s", err.msg);
	memset(&s, 0, sizeof(s));
	memcpy(s.kind, "kickoff", 8);
	s.team_id = w->team;
	s.duration_min = 60;
	if (fbtime_parse("2027-01-13T14:00", "Europe/Amsterdam", &s.starts_at, &err) < 0 ||
	    db_begin(w->db, &err) < 0 || invite_schedule(&w->f, &w->p, &s, &mails, &err) < 0 ||
	    db_commit(w->db, &err) < 0)
		fail_msg("%s", err.msg);
	w->session = s.id;
	store_session_release(&s);
	snprintf(spec, sizeof(spec), "%lld", (long long)w->ann);
	if (store_member_find(w->db, w->p.id, 0, spec, &w->m, &err) < 0 ||
	    store_member_list(w->db, 0, w->team, &w->teamlist, &err) < 0)
		fail_msg("%s", err.msg);
	if (fbtime_parse("2027-01-04T09:00", "Europe/Amsterdam", &w->f.now, &err) < 0 ||
	    flow_plan(&w->f, &w->p, &w->plan, &err) < 0)
		fail_msg("%s", err.msg);
}

static void
world_close(struct world *w)
{
	struct buf cmd = BUF_INIT;

	plan_release(&w->plan);
	store_member_release(&w->m);
	store_member_list_release(&w->teamlist);
	outmail_templates_free(w->tpl);
	db_close(w->db);
	config_free(w->cfg);
	assert_int_equal(buf_addf(&cmd, "rm -rf '%s'", w->dir), 0);
	assert_int_equal(system(cmd.data), 0);
	buf_release(&cmd);
}

static void
compose(struct world *w, const struct pcase *c, struct buf *out)
{
	struct fb_error err;
	int rc;

	if (c->in_transaction && db_begin(w->db, &err) < 0)
		fail_msg("%s", err.msg);
	rc = c->fn(w, out, &err);
	if (c->in_transaction)
		db_rollback(w->db);
	if (rc < 0)
		fail_msg("%s: %s", c->name, err.msg);
}

static void
run_case(void **state)
{
	const struct pcase *c = *state;
	struct world w;
	struct buf a = BUF_INIT, b = BUF_INIT, hdr = BUF_INIT;
	char tok[TOKEN_LEN + 1];
	int changes;

	world_open(&w);
	changes = sqlite3_total_changes(db_sqlite(w.db));
	compose(&w, c, &a);
	compose(&w, c, &b);
	if (!c->in_transaction)
		assert_int_equal(sqlite3_total_changes(db_sqlite(w.db)), changes);
	assert_true(a.len > 200);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	assert_int_equal(buf_addf(&hdr, "X-Feedbackd-Kind: %s\r\n", c->kind), 0);
	assert_non_null(strstr(a.data, hdr.data));
	assert_non_null(strstr(a.data, c->to));
	outmail_example_token(tok);
	if (c->token)
		assert_non_null(strstr(a.data, tok));
	buf_release(&a);
	buf_release(&b);
	buf_release(&hdr);
	world_close(&w);
}

/* Every occurrence of from (as long as to) in b becomes to. */
static void
replace_same_length(struct buf *b, const char *from, const char *to)
{
	size_t n = strlen(from);

	assert_int_equal(n, strlen(to));
	for (char *p = b->data; (p = strstr(p, from)) != NULL; p += n)
		memcpy(p, to, n);
}

/* The MIME boundary named in raw's Content-Type, into a static buffer (one at a time). */
static const char *
boundary_of(const char *raw)
{
	static char out[2][128];
	static int which;
	const char *b = strstr(raw, "boundary=\""), *e;

	assert_non_null(b);
	b += strlen("boundary=\"");
	e = strchr(b, '"');
	assert_non_null(e);
	assert_true(e - b < 128);
	which ^= 1;
	memcpy(out[which], b, (size_t)(e - b));
	out[which][e - b] = '\0';
	return out[which];
}

/* The nudge the scheduler then queues at the same moment is the preview, but for what is made
 * when it is queued: the token (same length), the Message-ID and the boundary built from
 * them. */
static void
test_preview_nudge_is_the_queued_nudge(void **state)
{
	struct world w;
	struct buf prev = BUF_INIT;
	struct schedule_stats st = { 0 };
	struct outbox_list l = { 0 };
	struct outbox_row row;
	struct fb_error err;
	char tok[TOKEN_LEN + 1];
	int64_t id = 0;

	(void)state;
	world_open(&w);
	compose(&w, &cases[0], &prev);
	if (schedule_pass(&w.f, &st, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(queue_outbox_list(w.db, NULL, 1000, &l, &err), 0);
	for (size_t i = 0; i < l.n; i++)
		if (strcmp(l.v[i].kind, "nudge") == 0 && strcmp(l.v[i].recipient, "ann@example.org") == 0)
			id = l.v[i].id;
	queue_outbox_list_release(&l);
	assert_true(id > 0);
	assert_int_equal(queue_outbox_get(w.db, id, &row, &err), 0);
	/* the queued mail's token is in its subject "... [#TOKEN]"; its boundary in the header */
	{
		const char *t = strstr(row.subject, "[#");
		char real[TOKEN_LEN + 1];
		struct buf q = BUF_INIT;
		const char *qm, *pm, *qe, *pe;

		assert_non_null(t);
		memcpy(real, t + 2, TOKEN_LEN);
		real[TOKEN_LEN] = '\0';
		outmail_example_token(tok);
		assert_int_equal(buf_add(&q, row.raw.data, row.raw.len), 0);
		replace_same_length(&q, real, tok);
		replace_same_length(&q, boundary_of(q.data), boundary_of(prev.data));
		assert_int_equal(q.len, prev.len);
		/* what differs now is the Message-ID's own random part: that line, and only it */
		qm = strstr(q.data, "\nMessage-ID: ");
		pm = strstr(prev.data, "\nMessage-ID: ");
		assert_non_null(qm);
		assert_non_null(pm);
		assert_int_equal(qm - q.data, pm - prev.data);
		assert_memory_equal(q.data, prev.data, (size_t)(qm - q.data));
		qe = strchr(qm + 1, '\n');
		pe = strchr(pm + 1, '\n');
		assert_int_equal(qe - q.data, pe - prev.data);
		assert_memory_equal(qe, pe, q.len - (size_t)(qe - q.data));
		buf_release(&q);
	}
	queue_outbox_release(&row);
	buf_release(&prev);
	world_close(&w);
}

int
main(void)
{
	struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0]) + 1];
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		tests[n++] = (struct CMUnitTest){ cases[i].name, run_case, NULL, NULL,
		    (void *)(uintptr_t)&cases[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_preview_nudge_is_the_queued_nudge);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	report_chart_cleanup(); /* the progress report's charts: cairo's fontconfig caches */
	return rc;
}
