/*
 * Unit tests of a facilitator's reply to the weekly report (src/flow/apply_report.c) with an
 * explicit clock: each case sets up team Sales (facilitator Fenna) and team Support in a fresh
 * database, sends Fenna a mail with a "report" token as the weekly report does, drops her reply
 * into the inbox, runs apply_pending, and checks what became of it: the mail queued to whom, the
 * words of the confirmation she gets, and the absences recorded (day by day around their ends).
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

#include "apply.h"
#include "config.h"
#include "db.h"
#include <sqlite3.h>
#include "fbtime.h"
#include "message.h"
#include "outmail.h"
#include "queue.h"
#include "store.h"
#include "testlib.h"

/* Tuesday of week 1, 10:00 in Amsterdam. */
#define NOW "2027-01-05T10:00"
#define FENNA "Fenna Visser <fenna@example.nl>"

struct rcase {
	const char *name;
	const char *from;
	const char *body;
	const char *state;      /* the inbox state after apply */
	const char *reason;     /* a substring of the reason */
	const char *mail;       /* queued by the reply: "kind>local-part ..." in order */
	const char *says;       /* substrings of the confirmation's text, "|"-separated */
	const char *away;       /* absences now recorded: "local-part FROM UNTIL ..." */
};

static const struct rcase cases[] = {
	{ "test_apply_report_herinner_reminds_the_member", FENNA, "Herinner: Piet Jansen\n",
	    "applied", "1 command", "facilitator_reminder>piet.jansen "
	    "facilitator_confirmation>fenna", "Een herinnering is verstuurd aan:|- Piet Jansen", "" },
	{ "test_apply_report_remind_in_english_by_address", FENNA,
	    "Remind: piet.jansen@example.nl\n", "applied", "1 command",
	    "facilitator_reminder>piet.jansen facilitator_confirmation>fenna", "- Piet Jansen", "" },
	{ "test_apply_report_unique_first_name_is_enough", FENNA, "Herinner: anna\n", "applied",
	    "1 command", "facilitator_reminder>anna.bakker facilitator_confirmation>fenna",
	    "- Anna Bakker", "" },
	{ "test_apply_report_ambiguous_name_is_explained_not_guessed", FENNA, "Herinner: Jan\n",
	    "applied", "0 commands", "facilitator_confirmation>fenna",
	    "\"Jan\": dat kan Jan Smit / Jan de Vries zijn|Je team:", "" },
	{ "test_apply_report_member_of_another_team_is_unknown", FENNA, "Herinner: Klaas Vaak\n"
	    "Herinner: klaas@example.nl\n", "applied", "0 commands", "facilitator_confirmation>fenna",
	    "\"Klaas Vaak\": deze naam of dit adres kennen we niet in je team", "" },
	{ "test_apply_report_typo_is_suggested_not_guessed", FENNA, "Herinner: Piet Jansne\n",
	    "applied", "0 commands", "facilitator_confirmation>fenna",
	    "bedoel je Piet Jansen?", "" },
	{ "test_apply_report_named_twice_reminded_once", FENNA, "Herinner: Piet Jansen\n"
	    "Herinner: piet\n", "applied", "1 command", "facilitator_reminder>piet.jansen "
	    "facilitator_confirmation>fenna", "- Piet Jansen", "" },
	{ "test_apply_report_afwezig_with_both_dates", FENNA,
	    "Afwezig: Piet Jansen 2027-02-01 t/m 2027-02-12\n", "applied", "1 command",
	    "facilitator_confirmation>fenna", "Als afwezig genoteerd|Piet Jansen: 2027-02-01 t/m "
	    "2027-02-12", "piet.jansen 2027-02-01 2027-02-12" },
	{ "test_apply_report_afwezig_van_dutch_dates", FENNA,
	    "Afwezig: Eva Smit van 1-2-2027 tot 3-2-2027\n", "applied", "1 command",
	    "facilitator_confirmation>fenna", "Eva Smit: 2027-02-01 t/m 2027-02-03",
	    "eva.smit 2027-02-01 2027-02-03" },
	{ "test_apply_report_away_until_starts_today", FENNA, "Away: Anna until 2027-01-20\n",
	    "applied", "1 command", "facilitator_confirmation>fenna", "Anna Bakker: 2027-01-05",
	    "anna.bakker 2027-01-05 2027-01-20" },
	{ "test_apply_report_afwezig_without_date_is_the_rest_of_the_week", FENNA,
	    "Afwezig: Eva Smit\n", "applied", "1 command", "facilitator_confirmation>fenna",
	    "Eva Smit: 2027-01-05 t/m 2027-01-10", "eva.smit 2027-01-05 2027-01-10" },
	{ "test_apply_report_absence_in_the_past_is_refused", FENNA,
	    "Afwezig: Piet 2026-12-01 t/m 2026-12-05\n", "applied", "0 commands",
	    "facilitator_confirmation>fenna", "einddatum 2026-12-05 ligt voor de begindatum, in het "
	    "verleden", "" },
	{ "test_apply_report_away_member_is_not_reminded", FENNA,
	    "Afwezig: Piet Jansen t/m 2027-01-08\nHerinner: Piet Jansen\nHerinner: Anna\n",
	    "applied", "2 commands", "facilitator_reminder>anna.bakker "
	    "facilitator_confirmation>fenna", "\"Piet Jansen\": is nu afwezig, dus geen herinnering",
	    "piet.jansen 2027-01-05 2027-01-08" },
	{ "test_apply_report_bad_date_is_reported_back", FENNA,
	    "Afwezig: Piet tot 31-02-2027\nHerinner: Anna\n", "applied", "1 command",
	    "facilitator_reminder>anna.bakker facilitator_confirmation>fenna",
	    "Niet gelezen:|regel 1: ", "" },
	{ "test_apply_report_ratings_and_commands_one_confirmation", FENNA,
	    "F99: 4\nHerinner: Eva\n", "applied", "0 ratings, 1 command",
	    "facilitator_reminder>eva.smit facilitator_confirmation>fenna", "F99|- Eva Smit", "" },
	{ "test_apply_report_commands_from_a_stranger_are_quarantined",
	    "Mallory <mallory@evil.example>", "Afwezig: Piet Jansen t/m 2027-02-12\n",
	    "quarantined", "held for the coordinator", "", NULL, "" },
	{ "test_apply_report_reply_without_ratings_or_commands_is_ignored", FENNA,
	    "Dank je, mooi rapport!\n", "ignored", "without ratings", "", NULL, "" },
};

struct world {
	char dir[64];
	struct config *cfg;
	struct db *db;
	struct outmail_templates *tpl;
	struct flow f;
	struct program p;
	int64_t sales, fenna;
	char token[TOKEN_LEN + 1];
};

static void
member(struct world *w, int64_t team, const char *name, const char *addr)
{
	struct fb_error err;
	int64_t id;

	if (store_member_add(w->db, team, name, addr, NULL, NULL, w->f.now, &id, &err) < 0)
		fail_msg("%s", err.msg);
}

static void
world_open(struct world *w)
{
	struct fb_error err;
	struct buf path = BUF_INIT;
	int64_t support, gert;

	memset(w, 0, sizeof(*w));
	snprintf(w->dir, sizeof(w->dir), "/tmp/fbtest-apply-report.XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	buf_addf(&path, "%s/fb.db", w->dir);
	assert_non_null(w->cfg = config_default());
	if ((w->db = db_open(path.data, &err)) == NULL)
		fail_msg("%s", err.msg);
	buf_release(&path);
	if ((w->tpl = outmail_templates_load(NULL, &err)) == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(fbtime_parse(NOW, "Europe/Amsterdam", &w->f.now, &err), 0);
	w->f.db = w->db;
	w->f.cfg = w->cfg;
	w->f.tpl = w->tpl;

	w->p.name = "Pilot";
	memcpy(w->p.start_date, "2027-01-04", 11);
	w->p.weeks = 10;
	w->p.timezone = "Europe/Amsterdam";
	memcpy(w->p.language, "nl", 3);
	if (store_program_create(w->db, &w->p, w->f.now, &err) < 0 ||
	    store_team_add(w->db, w->p.id, "Sales", w->f.now, &w->sales, &err) < 0 ||
	    store_team_add(w->db, w->p.id, "Support", w->f.now, &support, &err) < 0 ||
	    store_facilitator_add(w->db, w->sales, "Fenna Visser", "fenna@example.nl", w->f.now,
	    &w->fenna, &err) < 0 ||
	    store_facilitator_add(w->db, support, "Gert Hof", "gert@example.nl", w->f.now, &gert,
	    &err) < 0)
		fail_msg("%s", err.msg);
	member(w, w->sales, "Jan de Vries", "jan.de.vries@example.nl");
	member(w, w->sales, "Jan Smit", "jan.smit@example.nl");
	member(w, w->sales, "Piet Jansen", "piet.jansen@example.nl");
	member(w, w->sales, "Anna Bakker", "anna.bakker@example.nl");
	member(w, w->sales, "Eva Smit", "eva.smit@example.nl");
	member(w, support, "Klaas Vaak", "klaas@example.nl");
}

static void
world_close(struct world *w)
{
	struct buf cmd = BUF_INIT;

	outmail_templates_free(w->tpl);
	db_close(w->db);
	config_free(w->cfg);
	buf_addf(&cmd, "rm -rf '%s'", w->dir);
	assert_int_equal(system(cmd.data), 0);
	buf_release(&cmd);
}

/* The mail a weekly report is: Fenna's token "report" for her team. */
static void
send_report(struct world *w)
{
	struct fb_error err;
	struct template_values *v = template_values_new();
	struct outmail_token t = { "report", 0, w->fenna, w->sales };
	struct outmail_msg msg = { .kind = "ratings_received", .program = &w->p, .token = &t,
		.values = v, .to_addr = "fenna@example.nl", .to_name = "Fenna Visser" };

	if (outmail_queue(&w->f, &msg, w->token, &err) < 0)
		fail_msg("%s", err.msg);
	template_values_free(v);
}

/* Outbox rows after id `after`, as "kind>local-part ..."; the text of the last one to
 * fenna goes to conf. */
static void
queued_since(struct world *w, int64_t after, struct buf *out, struct buf *conf)
{
	struct outbox_list l = { 0 };
	struct fb_error err;

	assert_int_equal(queue_outbox_list(w->db, NULL, 1000, &l, &err), 0);
	for (size_t i = l.n; i-- > 0;) {
		if (l.v[i].id <= after)
			continue;
		const char *at = strchr(l.v[i].recipient, '@');
		buf_addf(out, "%s%s>%.*s", out->len ? " " : "", l.v[i].kind,
		    (int)(at - l.v[i].recipient), l.v[i].recipient);
		if (strcmp(l.v[i].recipient, "fenna@example.nl") == 0) {
			struct outbox_row row;
			struct fb_message *msg;

			assert_int_equal(queue_outbox_get(w->db, l.v[i].id, &row, &err), 0);
			msg = message_parse(row.raw.data, row.raw.len, 1 << 20, &err);
			assert_non_null(msg);
			buf_reset(conf);
			buf_add(conf, msg->text, msg->text_len);
			message_free(msg);
			queue_outbox_release(&row);
		}
	}
	queue_outbox_list_release(&l);
}

static int64_t
last_outbox_id(struct world *w)
{
	struct outbox_list l = { 0 };
	struct fb_error err;
	int64_t id;

	assert_int_equal(queue_outbox_list(w->db, NULL, 1, &l, &err), 0);
	id = l.n ? l.v[0].id : 0;
	queue_outbox_list_release(&l);
	return id;
}

/* Every absence, as "local-part FROM UNTIL ...", all from the facilitator. */
static void
absences(struct world *w, struct buf *out)
{
	struct fb_error err;
	sqlite3_stmt *st = db_stmt(w->db, "SELECT ma.address, a.from_date, a.until_date, a.source "
	    "FROM absence a JOIN member m ON m.id = a.member_id JOIN member_address ma ON "
	    "ma.member_id = m.id ORDER BY a.id", &err);

	assert_non_null(st);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *addr = db_col_text(st, 0);
		const char *at = strchr(addr, '@');

		assert_string_equal(db_col_text(st, 3), "facilitator");
		buf_addf(out, "%s%.*s %s %s", out->len ? " " : "", (int)(at - addr), addr,
		    db_col_text(st, 1), db_col_text(st, 2));
	}
	sqlite3_reset(st);
}

static void
inbound(struct world *w, const struct rcase *c, int64_t *id)
{
	struct buf raw = BUF_INIT;
	struct fb_error err;
	int dup;

	buf_addf(&raw, "From: %s\nTo: feedback+%s@feedbackd.invalid\nSubject: Re: Weekrapport\n"
	    "Message-ID: <%s.in@example.nl>\nMIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8\n\n%s", c->from, w->token, c->name, c->body);
	assert_int_equal(queue_inbox_add(w->db, "test", raw.data, raw.len, 1 << 20, w->f.now, id,
	    &dup, &err), 0);
	buf_release(&raw);
}

static void
run_case(void **state)
{
	const struct rcase *c = *state;
	struct world w;
	struct apply_stats st = { 0 };
	struct inbox_row row;
	struct buf mail = BUF_INIT, conf = BUF_INIT, away = BUF_INIT;
	struct fb_error err;
	int64_t id, before;

	world_open(&w);
	send_report(&w);
	before = last_outbox_id(&w);
	inbound(&w, c, &id);
	if (apply_pending(&w.f, 100, NULL, &st, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(queue_inbox_get(w.db, id, &row, &err), 0);
	if (strcmp(row.state, c->state) != 0)
		fail_msg("state %s, expected %s (%s)", row.state, c->state, row.error ? row.error : "");
	if (row.reason == NULL || strstr(row.reason, c->reason) == NULL)
		fail_msg("reason \"%s\" lacks \"%s\"", row.reason ? row.reason : "", c->reason);
	queued_since(&w, before, &mail, &conf);
	assert_string_equal(mail.data ? mail.data : "", c->mail);
	for (const char *s = c->says; s != NULL && *s != '\0';) {
		size_t n = strcspn(s, "|");
		char want[200];

		snprintf(want, sizeof(want), "%.*s", (int)n, s);
		if (conf.data == NULL || strstr(conf.data, want) == NULL)
			fail_msg("the confirmation lacks \"%s\":\n%s", want, conf.data ? conf.data : "");
		s += n + (s[n] == '|');
	}
	absences(&w, &away);
	assert_string_equal(away.data ? away.data : "", c->away);
	buf_release(&mail);
	buf_release(&conf);
	buf_release(&away);
	queue_inbox_release(&row);
	world_close(&w);
}

/* An absence the facilitator sets takes the member out of the weekly nudge: the member is
 * away on every day of it, and not the day before or after. */
static void
test_apply_report_absence_covers_exactly_its_days(void **state)
{
	static const struct rcase c = { "absence-days", FENNA,
		"Afwezig: Piet Jansen 2027-02-01 t/m 2027-02-12\n", "", "", "", NULL, "" };
	static const struct { const char *date; int away; } days[] = {
		{ "2027-01-31", 0 }, { "2027-02-01", 1 }, { "2027-02-07", 1 }, { "2027-02-12", 1 },
		{ "2027-02-13", 0 },
	};
	struct world w;
	struct apply_stats st = { 0 };
	struct member m;
	struct fb_error err;
	int64_t id;

	(void)state;
	world_open(&w);
	send_report(&w);
	inbound(&w, &c, &id);
	assert_int_equal(apply_pending(&w.f, 100, NULL, &st, &err), 0);
	assert_int_equal(st.applied, 1);
	assert_int_equal(store_member_find(w.db, w.p.id, 0, "piet.jansen@example.nl", &m, &err), 0);
	for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++)
		if (store_member_is_away(w.db, m.id, days[i].date, &err) != days[i].away)
			fail_msg("%s: away should be %d", days[i].date, days[i].away);
	store_member_release(&m);
	world_close(&w);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_apply_report_absence_covers_exactly_its_days),
	};

	return testlib_run_table("apply_report", cases, sizeof(cases) / sizeof(cases[0]),
	    sizeof(cases[0]), run_case, fixed, sizeof(fixed) / sizeof(fixed[0]));
}
