/*
 * Unit tests of pace (src/flow/pace.c) over a real database: the per-recipient daily cap is a
 * rate, not a prison. Mail that does not fit is held with the time it goes, person mail goes
 * before automatic mail, and the release pass lets held mail go when the rolling 24-hour
 * window has room — never later, never forever.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "db.h"
#include "log.h"
#include "outmail.h"
#include "pace.h"
#include "queue.h"
#include "testlib.h"

#define NOW ((time_t)1799049600)  /* 2027-01-04T08:00:00Z */
#define H 3600

static char dir[64];
static char path[128];
static struct db *db;
static int seq;

static int
setup(void **state)
{
	struct fb_error err;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/fbpaceXXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	db = db_open(path, &err);
	return db == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	char p[160];

	(void)state;
	db_close(db);
	db = NULL;
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
		unlink(p);
	}
	rmdir(dir);
	return 0;
}

/* Queue one message of kind to anna at now with cap; returns its id, *goes_at set. */
static int64_t
add(const char *kind, int priority, time_t now, int cap, time_t *goes_at)
{
	struct fb_error err;
	char mid[64], raw[128];
	struct outbox_new m = { 0 };
	int64_t id = 0;

	snprintf(mid, sizeof(mid), "p%d@feedbackd.test", ++seq);
	snprintf(raw, sizeof(raw), "Message-ID: <%s>\r\nSubject: %s\r\n\r\nx\r\n", mid, kind);
	m.message_id = mid;
	m.kind = kind;
	m.sender = "feedback@example.org";
	m.recipient = "Anna@Example.NL";
	m.subject = kind;
	m.raw = raw;
	m.len = strlen(raw);
	m.priority = priority;
	assert_int_equal(db_begin(db, &err), 0);
	assert_int_equal(pace_add(db, &m, now, cap, &id, goes_at, &err), 0);
	assert_int_equal(db_commit(db, &err), 0);
	return id;
}

static const char *
state_of(int64_t id, time_t *next)
{
	static char st[16];
	struct outbox_row r;
	struct fb_error err;

	assert_int_equal(queue_outbox_get(db, id, &r, &err), 0);
	snprintf(st, sizeof(st), "%s", r.state);
	if (next != NULL)
		*next = r.next_attempt_at;
	queue_outbox_release(&r);
	return st;
}

/* What the outbox pass does: release what may go, then send every due row. */
static void
pass(time_t now, int cap, struct pace_stats *ps)
{
	struct outbox_list l = { 0 };
	struct fb_error err;

	assert_int_equal(pace_release(db, now, cap, ps, &err), 0);
	assert_int_equal(queue_outbox_claim(db, now, 1000, &l, &err), 0);
	for (size_t i = 0; i < l.n; i++)
		assert_int_equal(queue_outbox_sent(db, l.v[i].id, now, &err), 0);
	queue_outbox_list_release(&l);
}

static void
test_pace_over_the_cap_is_held_with_its_time_not_forever(void **state)
{
	time_t at = 1, next;
	int64_t id;

	(void)state;
	add("request", OUTBOX_PERSON, NOW, 2, &at);
	assert_int_equal(at, 0);
	add("request", OUTBOX_PERSON, NOW + 2 * H, 2, &at);
	assert_int_equal(at, 0);
	pass(NOW + 2 * H, 2, NULL);
	id = add("request", OUTBOX_PERSON, NOW + 3 * H, 2, &at);
	assert_int_equal(at, NOW + 24 * H);
	assert_string_equal(state_of(id, &next), "held");
	assert_int_equal(next, NOW + 24 * H);
}

static void
test_pace_release_pass_lets_held_mail_go_when_the_oldest_leaves_the_window(void **state)
{
	struct pace_stats ps = { 0 };
	time_t at;
	int64_t a, b;

	(void)state;
	add("request", OUTBOX_PERSON, NOW, 2, NULL);
	add("request", OUTBOX_PERSON, NOW + 2 * H, 2, NULL);
	pass(NOW + 2 * H, 2, NULL);
	a = add("request", OUTBOX_PERSON, NOW + 3 * H, 2, &at);
	b = add("reaction", OUTBOX_PERSON, NOW + 4 * H, 2, &at);
	assert_int_equal(at, NOW + 26 * H);
	pass(NOW + 23 * H, 2, &ps);
	assert_int_equal(ps.released, 0);
	assert_string_equal(state_of(a, NULL), "held");
	pass(NOW + 24 * H, 2, &ps);
	assert_int_equal(ps.released, 1);
	assert_string_equal(state_of(a, NULL), "sent");
	assert_string_equal(state_of(b, NULL), "held");
	pass(NOW + 26 * H, 2, &ps);
	assert_int_equal(ps.released, 2);
	assert_string_equal(state_of(b, NULL), "sent");
}

static void
test_pace_person_mail_goes_before_automatic_mail_queued_at_the_same_moment(void **state)
{
	time_t at, next;
	int64_t ev[3], req;

	(void)state;
	for (int i = 0; i < 3; i++)
		ev[i] = add("moment_invite", OUTBOX_AUTOMATIC, NOW, 3, &at);
	req = add("request", OUTBOX_PERSON, NOW, 3, &at);
	assert_int_equal(at, 0);
	assert_string_equal(state_of(req, NULL), "queued");
	assert_string_equal(state_of(ev[0], NULL), "queued");
	assert_string_equal(state_of(ev[1], NULL), "queued");
	assert_string_equal(state_of(ev[2], &next), "held");
	assert_int_equal(next, NOW + 24 * H);
}

/* A calendar event queued earlier, not yet sent, yields its place; a queued request does not. */
static void
test_pace_unsent_automatic_mail_yields_but_a_promised_request_keeps_its_place(void **state)
{
	time_t at, next;
	int64_t ev, req1, req2;

	(void)state;
	ev = add("invite", OUTBOX_AUTOMATIC, NOW, 2, &at);
	req1 = add("request", OUTBOX_PERSON, NOW + 1 * H, 2, &at);
	assert_int_equal(at, 0);
	req2 = add("request", OUTBOX_PERSON, NOW + 2 * H, 2, &at);
	assert_int_equal(at, 0);
	assert_string_equal(state_of(ev, &next), "held");
	assert_int_equal(next, NOW + 25 * H);
	add("request", OUTBOX_PERSON, NOW + 3 * H, 2, &at);
	assert_int_equal(at, NOW + 25 * H);
	assert_string_equal(state_of(req1, NULL), "queued");
	assert_string_equal(state_of(req2, NULL), "queued");
	assert_string_equal(state_of(ev, &next), "held");
	assert_int_equal(next, NOW + 26 * H);
}

static void
test_pace_held_person_mail_is_released_before_held_automatic_mail(void **state)
{
	struct pace_stats ps = { 0 };
	time_t at;
	int64_t ev, req;

	(void)state;
	add("request", OUTBOX_PERSON, NOW, 1, NULL);
	pass(NOW, 1, NULL);
	ev = add("moment_invite", OUTBOX_AUTOMATIC, NOW + 1 * H, 1, &at);
	assert_int_equal(at, NOW + 24 * H);
	req = add("request", OUTBOX_PERSON, NOW + 2 * H, 1, &at);
	/* the request takes the first free place; the calendar event waits a day more */
	assert_int_equal(at, NOW + 24 * H);
	assert_string_equal(state_of(ev, &at), "held");
	assert_int_equal(at, NOW + 48 * H);
	pass(NOW + 24 * H, 1, &ps);
	assert_string_equal(state_of(req, NULL), "sent");
	assert_string_equal(state_of(ev, NULL), "held");
	pass(NOW + 48 * H, 1, &ps);
	assert_string_equal(state_of(ev, NULL), "sent");
}

static void
test_pace_a_raised_cap_releases_at_the_next_pass(void **state)
{
	struct pace_stats ps = { 0 };
	time_t at;
	int64_t id;

	(void)state;
	add("request", OUTBOX_PERSON, NOW, 1, NULL);
	id = add("request", OUTBOX_PERSON, NOW, 1, &at);
	assert_int_equal(at, NOW + 24 * H);
	pass(NOW + 1 * H, 5, &ps);
	assert_int_equal(ps.released, 1);
	assert_string_equal(state_of(id, NULL), "sent");
}

static void
test_pace_failed_mail_does_not_count(void **state)
{
	struct outbox_list l = { 0 };
	struct fb_error err;
	time_t at;

	(void)state;
	add("request", OUTBOX_PERSON, NOW, 1, NULL);
	assert_int_equal(queue_outbox_claim(db, NOW, 10, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(queue_outbox_failed(db, l.v[0].id, 1, NOW, "550 no such user", &err), 0);
	queue_outbox_list_release(&l);
	add("request", OUTBOX_PERSON, NOW + H, 1, &at);
	assert_int_equal(at, 0);
}

static void
test_pace_retry_releases_held_mail_at_once(void **state)
{
	struct fb_error err;
	time_t at, next;
	int64_t id;

	(void)state;
	add("request", OUTBOX_PERSON, NOW, 1, NULL);
	pass(NOW, 1, NULL);
	id = add("nudge", OUTBOX_AUTOMATIC, NOW + H, 1, &at);
	assert_int_equal(at, NOW + 24 * H);
	assert_int_equal(queue_outbox_held_count(db, 0, &next, &err), 1);
	assert_int_equal(next, NOW + 24 * H);
	assert_int_equal(queue_outbox_retry(db, id, NOW + 2 * H, &err), 1);
	/* the coordinator's word: later person mail does not take its place */
	add("reaction", OUTBOX_PERSON, NOW + 2 * H, 1, &at);
	assert_int_equal(at, NOW + 26 * H);
	assert_string_equal(state_of(id, NULL), "queued");
	pass(NOW + 3 * H, 1, NULL);
	assert_string_equal(state_of(id, NULL), "sent");
	assert_int_equal(queue_outbox_held_count(db, 0, NULL, &err), 1);
}

/* Every message kind has a priority: mail between people first, calendar and reminders after. */
static void
test_pace_priority_of_every_kind(void **state)
{
	static const char *const automatic[] = { "nudge", "facilitator_reminder", "weekly_report",
		"progress_report", "questionnaire", "questionnaire_reminder", "invite",
		"invite_update", "invite_cancel", "moment_invite", "moment_cancel",
		"team_picture" };
	size_t nauto = 0;

	(void)state;
	for (size_t i = 0; i < outmail_nspecs; i++) {
		int is_auto = 0;

		for (size_t k = 0; k < sizeof(automatic) / sizeof(automatic[0]); k++)
			is_auto |= strcmp(outmail_specs[i].name, automatic[k]) == 0;
		nauto += is_auto;
		if (outmail_priority(outmail_specs[i].name) !=
		    (is_auto ? OUTBOX_AUTOMATIC : OUTBOX_PERSON))
			fail_msg("%s has the wrong priority", outmail_specs[i].name);
	}
	assert_int_equal(nauto, sizeof(automatic) / sizeof(automatic[0]));
	assert_int_equal(outmail_priority("manual"), OUTBOX_PERSON);
	assert_int_equal(outmail_priority(NULL), OUTBOX_PERSON);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pace_priority_of_every_kind),
		cmocka_unit_test_setup_teardown(
		    test_pace_over_the_cap_is_held_with_its_time_not_forever, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_pace_release_pass_lets_held_mail_go_when_the_oldest_leaves_the_window,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_pace_person_mail_goes_before_automatic_mail_queued_at_the_same_moment,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_pace_unsent_automatic_mail_yields_but_a_promised_request_keeps_its_place,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_pace_held_person_mail_is_released_before_held_automatic_mail, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pace_a_raised_cap_releases_at_the_next_pass,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_pace_failed_mail_does_not_count, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pace_retry_releases_held_mail_at_once, setup,
		    teardown),
	};

	log_init("test_pace", LOG_LEVEL_WARNING);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
