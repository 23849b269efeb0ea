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
#include "mailflow.h"
#include "message.h"
#include "outmail.h"
#include "queue.h"
#include "store.h"
#include "template.h"
#include "testlib.h"
#include "trim.h"

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
	const char *unsays;     /* substrings the confirmation (or its subject) must not have */
	const char *lang;       /* the programme's language; NULL: "nl" */
};

/* Words of the other language that must not show in a facilitator's mail. */
#define NOT_EN "recorded|Your ratings|no such message|rated twice|is not a|Thank you|line "
#define NOT_NL "opgeslagen|beoordeling|jouw|stond er|is geen|Dank je|regel "
/* A reply with a rating of each outcome: F1 is Sales' sample, F2 Support's, F99 nobody's; F5 is
 * out of range and F1 is rated twice (the later, 2, counts). */
#define RATINGS_ALL "F1: 4\nF2: 3\nF99: 5\nF5: 9\nF1: 2\n"

/* A personal line of 300 characters (the most a reminder takes), and one of 301. */
#define X10 "xxxxxxxxxx"
#define X100 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10
#define X300 X100 X100 X100

static const struct rcase cases[] = {
	/* A personal line after the name (issue 18): after a dash, a spaced hyphen or a colon;
	 * passed on in the reminder (t0510 reads it there) and quoted back. */
	{ "test_apply_report_herinner_personal_line_after_an_em_dash", FENNA,
	    "Herinner: Piet Jansen — succes met je presentatie\n", "applied", "1 command",
	    "facilitator_reminder>piet.jansen facilitator_confirmation>fenna",
	    "- Piet Jansen, met jouw regel: \"succes met je presentatie\"", "", NULL, NULL },
	{ "test_apply_report_herinner_personal_line_after_a_colon", FENNA,
	    "Herinner: anna: tot straks\n", "applied", "1 command",
	    "facilitator_reminder>anna.bakker facilitator_confirmation>fenna",
	    "- Anna Bakker, met jouw regel: \"tot straks\"", "", NULL, NULL },
	{ "test_apply_report_herinner_personal_line_after_a_spaced_hyphen", FENNA,
	    "Herinner: Eva Smit - goed bezig\n", "applied", "1 command",
	    "facilitator_reminder>eva.smit facilitator_confirmation>fenna",
	    "- Eva Smit, met jouw regel: \"goed bezig\"", "", NULL, NULL },
	{ "test_apply_report_herinner_personal_line_after_an_en_dash_unspaced", FENNA,
	    "Herinner: Piet\xE2\x80\x93hoi\n", "applied", "1 command",
	    "facilitator_reminder>piet.jansen facilitator_confirmation>fenna",
	    "- Piet Jansen, met jouw regel: \"hoi\"", "", NULL, NULL },
	{ "test_apply_report_remind_personal_line_in_english_by_address", FENNA,
	    "Remind: piet.jansen@example.nl: good luck with your talk\n", "applied", "1 command",
	    "facilitator_reminder>piet.jansen facilitator_confirmation>fenna",
	    "- Piet Jansen, with your line: \"good luck with your talk\"", "", NULL, "en" },
	{ "test_apply_report_herinner_empty_personal_line_is_none", FENNA,
	    "Herinner: Piet Jansen —\n", "applied", "1 command",
	    "facilitator_reminder>piet.jansen facilitator_confirmation>fenna", "- Piet Jansen\n",
	    "", "met jouw regel", NULL },
	{ "test_apply_report_herinner_personal_line_of_300_is_sent", FENNA,
	    "Herinner: Piet — " X300 "\n", "applied", "1 command",
	    "facilitator_reminder>piet.jansen facilitator_confirmation>fenna",
	    "- Piet Jansen, met jouw regel:", "", "langer dan", NULL },
	{ "test_apply_report_herinner_personal_line_too_long_is_explained_not_sent", FENNA,
	    "Herinner: Piet — " X300 "x\nHerinner: Anna\n", "applied", "1 command",
	    "facilitator_reminder>anna.bakker facilitator_confirmation>fenna",
	    "\"Piet Jansen\": de persoonlijke regel is langer dan 300 tekens, dus geen herinnering",
	    "", "Piet Jansen, met jouw regel", NULL },
	{ "test_apply_report_herinner_reminds_the_member", FENNA, "Herinner: Piet Jansen\n",
	    "applied", "1 command", "facilitator_reminder>piet.jansen "
	    "facilitator_confirmation>fenna", "Een herinnering is verstuurd aan:|- Piet Jansen", "", NULL, NULL },
	{ "test_apply_report_remind_in_english_by_address", FENNA,
	    "Remind: piet.jansen@example.nl\n", "applied", "1 command",
	    "facilitator_reminder>piet.jansen facilitator_confirmation>fenna", "- Piet Jansen", "", NULL, NULL },
	{ "test_apply_report_unique_first_name_is_enough", FENNA, "Herinner: anna\n", "applied",
	    "1 command", "facilitator_reminder>anna.bakker facilitator_confirmation>fenna",
	    "- Anna Bakker", "", NULL, NULL },
	{ "test_apply_report_ambiguous_name_is_explained_not_guessed", FENNA, "Herinner: Jan\n",
	    "applied", "0 commands", "facilitator_confirmation>fenna",
	    "\"Jan\": dat kan Jan Smit / Jan de Vries zijn|Je team:", "", NULL, NULL },
	{ "test_apply_report_member_of_another_team_is_unknown", FENNA, "Herinner: Klaas Vaak\n"
	    "Herinner: klaas@example.nl\n", "applied", "0 commands", "facilitator_confirmation>fenna",
	    "\"Klaas Vaak\": deze naam of dit adres kennen we niet in je team", "", NULL, NULL },
	{ "test_apply_report_typo_is_suggested_not_guessed", FENNA, "Herinner: Piet Jansne\n",
	    "applied", "0 commands", "facilitator_confirmation>fenna",
	    "bedoel je Piet Jansen?", "", NULL, NULL },
	/* the members' matcher: a start is asked about, an unknown name gets the nearest */
	{ "test_apply_report_start_of_a_name_is_suggested_not_guessed", FENNA, "Herinner: Pie\n",
	    "applied", "0 commands", "facilitator_confirmation>fenna",
	    "\"Pie\": bedoel je Piet Jansen?", "", NULL, NULL },
	{ "test_apply_report_unknown_name_gets_the_nearest", FENNA, "Afwezig: Pi tot 2027-01-08\n",
	    "applied", "0 commands", "facilitator_confirmation>fenna",
	    "\"Pi\": deze naam of dit adres kennen we niet in je team; bedoel je Piet Jansen?", "",
	    NULL, NULL },
	{ "test_apply_report_named_twice_reminded_once", FENNA, "Herinner: Piet Jansen\n"
	    "Herinner: piet\n", "applied", "1 command", "facilitator_reminder>piet.jansen "
	    "facilitator_confirmation>fenna", "- Piet Jansen", "", NULL, NULL },
	{ "test_apply_report_afwezig_with_both_dates", FENNA,
	    "Afwezig: Piet Jansen 2027-02-01 t/m 2027-02-12\n", "applied", "1 command",
	    "facilitator_confirmation>fenna", "Als afwezig genoteerd|Piet Jansen: maandag 1 februari t/m "
	    "vrijdag 12 februari", "piet.jansen 2027-02-01 2027-02-12", NULL, NULL },
	{ "test_apply_report_afwezig_van_dutch_dates", FENNA,
	    "Afwezig: Eva Smit van 1-2-2027 tot 3-2-2027\n", "applied", "1 command",
	    "facilitator_confirmation>fenna", "Eva Smit: maandag 1 februari t/m woensdag 3 februari",
	    "eva.smit 2027-02-01 2027-02-03", NULL, NULL },
	/* Days as facilitators write them; today is Tuesday 5 January 2027. */
	{ "test_apply_report_afwezig_weekdays_in_words", FENNA,
	    "Afwezig: Piet Jansen vanaf donderdag t/m volgende week vrijdag\n", "applied",
	    "1 command", "facilitator_confirmation>fenna",
	    "Piet Jansen: donderdag 7 januari t/m vrijdag 15 januari",
	    "piet.jansen 2027-01-07 2027-01-15", NULL, NULL },
	{ "test_apply_report_afwezig_named_months_without_year", FENNA,
	    "Afwezig: Eva Smit 1 februari t/m 12 feb.\n", "applied", "1 command",
	    "facilitator_confirmation>fenna", "Eva Smit: maandag 1 februari t/m vrijdag 12 februari",
	    "eva.smit 2027-02-01 2027-02-12", NULL, NULL },
	{ "test_apply_report_away_from_tomorrow_to_friday_in_english", FENNA,
	    "Away: Anna from tomorrow to Friday\n", "applied", "1 command",
	    "facilitator_confirmation>fenna", "Anna Bakker: woensdag 6 januari t/m vrijdag 8 januari",
	    "anna.bakker 2027-01-06 2027-01-08", NULL, NULL },
	{ "test_apply_report_afwezig_start_a_month_back", FENNA,
	    "Afwezig: Piet Jansen vanaf 28 december tot 3-2\n", "applied", "1 command",
	    "facilitator_confirmation>fenna", "Piet Jansen: maandag 28 december 2026 t/m woensdag "
	    "3 februari", "piet.jansen 2026-12-28 2027-02-03", NULL, NULL },
	{ "test_apply_report_afwezig_overmorgen", FENNA, "Afwezig: Anna tot overmorgen\n", "applied",
	    "1 command", "facilitator_confirmation>fenna", "Anna Bakker: dinsdag 5 januari t/m "
	    "donderdag 7 januari", "anna.bakker 2027-01-05 2027-01-07", NULL, NULL },
	{ "test_apply_report_afwezig_words_that_are_no_day", FENNA,
	    "Afwezig: Anna tot het weer beter wordt\nHerinner: Eva\n", "applied", "1 command",
	    "facilitator_reminder>eva.smit facilitator_confirmation>fenna",
	    "Niet gelezen:|regel 1: \"het weer beter wordt\" is geen datum", "", NULL, NULL },
	{ "test_apply_report_away_until_starts_today", FENNA, "Away: Anna until 2027-01-20\n",
	    "applied", "1 command", "facilitator_confirmation>fenna", "Anna Bakker: dinsdag 5 januari",
	    "anna.bakker 2027-01-05 2027-01-20", NULL, NULL },
	{ "test_apply_report_afwezig_without_date_is_the_rest_of_the_week", FENNA,
	    "Afwezig: Eva Smit\n", "applied", "1 command", "facilitator_confirmation>fenna",
	    "Eva Smit: dinsdag 5 januari t/m zondag 10 januari", "eva.smit 2027-01-05 2027-01-10",
	    NULL, NULL },
	{ "test_apply_report_absence_in_the_past_is_refused", FENNA,
	    "Afwezig: Piet 2026-12-01 t/m 2026-12-05\n", "applied", "0 commands",
	    "facilitator_confirmation>fenna", "einddatum zaterdag 5 december 2026 ligt voor de "
	    "begindatum, in het verleden", "", NULL, NULL },
	{ "test_apply_report_away_member_is_not_reminded", FENNA,
	    "Afwezig: Piet Jansen t/m 2027-01-08\nHerinner: Piet Jansen\nHerinner: Anna\n",
	    "applied", "2 commands", "facilitator_reminder>anna.bakker "
	    "facilitator_confirmation>fenna", "\"Piet Jansen\": is nu afwezig, dus geen herinnering",
	    "piet.jansen 2027-01-05 2027-01-08", NULL, NULL },
	{ "test_apply_report_bad_date_is_reported_back", FENNA,
	    "Afwezig: Piet tot 31-02-2027\nHerinner: Anna\n", "applied", "1 command",
	    "facilitator_reminder>anna.bakker facilitator_confirmation>fenna",
	    "Niet gelezen:|regel 1: ", "", NULL, NULL },
	{ "test_apply_report_ratings_and_commands_one_confirmation", FENNA,
	    "F99: 4\nHerinner: Eva\n", "applied", "0 ratings, 1 command",
	    "facilitator_reminder>eva.smit facilitator_confirmation>fenna", "Je beoordelingen:|"
	    "- F99: dit bericht staat niet in jouw rapporten; niet opgeslagen.|- Eva Smit", "",
	    NOT_EN, NULL },
	{ "test_apply_report_ratings_each_outcome_in_dutch", FENNA, RATINGS_ALL, "applied",
	    "1 rating of", "ratings_received>fenna", "Subject: Je beoordelingen zijn verwerkt|"
	    "Dit hebben we ermee gedaan:|"
	    "- F2: dit bericht komt niet uit het rapport van jouw team; niet opgeslagen.|"
	    "- F99: dit bericht staat niet in jouw rapporten; niet opgeslagen.|"
	    "- regel 4, F5: \"9\" is geen beoordeling van 1 tot en met 5; niet opgeslagen.|"
	    "- F1: 2 opgeslagen.|"
	    "- regel 5: F1 stond er twee keer in; de laatste beoordeling (2) telt.", "", NOT_EN, NULL },
	{ "test_apply_report_ratings_each_outcome_in_english", FENNA, RATINGS_ALL, "applied",
	    "1 rating of", "ratings_received>fenna", "Subject: Your ratings have been recorded|"
	    "This is what we did with them:|"
	    "- F2: this message is not from your team's report; not recorded.|"
	    "- F99: there is no such message in your reports; not recorded.|"
	    "- line 4, F5: \"9\" is not a rating from 1 to 5; not recorded.|"
	    "- F1: 2 recorded.|"
	    "- line 5: F1 was rated twice; the last rating (2) counts.", "", NOT_NL, "en" },
	{ "test_apply_report_rating_recorded_says_nothing_else", FENNA, "F1: 5\n", "applied",
	    "1 rating of", "ratings_received>fenna", "- F1: 5 opgeslagen.", "",
	    NOT_EN "|niet opgeslagen|twee keer|We konden", NULL },
	{ "test_apply_report_only_a_rating_out_of_range_is_answered", FENNA, "F1: 7\n", "applied",
	    "0 ratings of", "ratings_received>fenna", "Subject: Je beoordelingen konden niet worden "
	    "opgeslagen|We konden geen van je beoordelingen opslaan:|- regel 1, F1: \"7\" is geen "
	    "beoordeling van 1 tot en met 5; niet opgeslagen.", "", NOT_EN "|Dit hebben we", NULL },
	{ "test_apply_report_only_a_rating_out_of_range_is_answered_in_english", FENNA, "F1: 7\n",
	    "applied", "0 ratings of", "ratings_received>fenna", "Subject: Your ratings could not "
	    "be recorded|We could not record any of your ratings:|- line 1, F1: \"7\" is not a "
	    "rating from 1 to 5; not recorded.", "", NOT_NL, "en" },
	{ "test_apply_report_confirmation_in_english_says_ratings_and_notes", FENNA,
	    "F1: 3\nF2: 4\nRemind: Eva\nAway: Piet until 31-02-2027\n", "applied",
	    "1 rating, 1 command", "facilitator_reminder>eva.smit facilitator_confirmation>fenna",
	    "Your ratings:|- F1: 3 recorded.|- F2: this message is not from your team's report; "
	    "not recorded.|Not read:|- line 4: \"31-02-2027\" is not a date", "", NOT_NL, "en" },
	{ "test_apply_report_confirmation_in_dutch_says_ratings_and_notes", FENNA,
	    "F1: 3\nF1: 4\nHerinner: Eva\nAfwezig: Piet tot 31-02-2027\n", "applied",
	    "1 rating, 1 command", "facilitator_reminder>eva.smit facilitator_confirmation>fenna",
	    "Je beoordelingen:|- F1: 4 opgeslagen.|- regel 2: F1 stond er twee keer in; de laatste "
	    "beoordeling (4) telt.|Niet gelezen:|- regel 4: \"31-02-2027\" is geen datum", "",
	    NOT_EN, NULL },
	{ "test_apply_report_commands_from_a_stranger_are_quarantined",
	    "Mallory <mallory@evil.example>", "Afwezig: Piet Jansen t/m 2027-02-12\n",
	    "quarantined", "held for the coordinator", "", NULL, "", NULL, NULL },
	{ "test_apply_report_reply_without_ratings_or_commands_is_ignored", FENNA,
	    "Dank je, mooi rapport!\n", "ignored", "without ratings", "", NULL, "", NULL, NULL },
};

struct world {
	char dir[64];
	struct config *cfg;
	struct db *db;
	struct outmail_templates *tpl;
	struct flow f;
	struct trim_rules *trim;   /* trim's patterns, made once per world */
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

/* Rating samples as a weekly report shows them: F1 of Sales (week 1), F2 of Support. */
static void
samples(struct world *w, int64_t support)
{
	static const char sql[] =
		"INSERT INTO feedback (program_id, giver_id, receiver_id, confirmation, week, "
		"created_at) SELECT ?1, m.id, m.id, 'Goed gedaan', 1, 0 FROM member m JOIN "
		"member_address a ON a.member_id = m.id WHERE a.address = ?2;"
		"INSERT INTO rating_sample (program_id, number, feedback_id, team_id, week, "
		"created_at) VALUES (?1, ?3, last_insert_rowid(), ?4, 1, 0)";
	static const struct { const char *addr; int number; } s[] = {
		{ "piet.jansen@example.nl", 1 }, { "klaas@example.nl", 2 },
	};

	for (size_t i = 0; i < 2; i++) {
		const char *tail = sql;

		while (*tail) {
			sqlite3_stmt *st = NULL;

			assert_int_equal(sqlite3_prepare_v2(db_sqlite(w->db), tail, -1, &st, &tail),
			    SQLITE_OK);
			if (st == NULL)
				break;
			sqlite3_bind_int64(st, 1, w->p.id);
			if (sqlite3_bind_parameter_count(st) >= 2)
				sqlite3_bind_text(st, 2, s[i].addr, -1, SQLITE_STATIC);
			if (sqlite3_bind_parameter_count(st) >= 3) {
				sqlite3_bind_int(st, 3, s[i].number);
				sqlite3_bind_int64(st, 4, i == 0 ? w->sales : support);
			}
			assert_int_equal(sqlite3_step(st), SQLITE_DONE);
			sqlite3_finalize(st);
		}
	}
}

static void
world_open(struct world *w, const char *lang)
{
	struct fb_error err;
	struct buf path = BUF_INIT;
	int64_t support, gert;

	memset(w, 0, sizeof(*w));
	snprintf(w->dir, sizeof(w->dir), "/tmp/fbtest-apply-report.XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	assert_int_equal(buf_addf(&path, "%s/fb.db", w->dir), 0);
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
	w->trim = trim_rules_new();
	assert_non_null(w->trim);
	w->f.trim = w->trim;

	w->p.name = "Pilot";
	memcpy(w->p.start_date, "2027-01-04", 11);
	w->p.weeks = 10;
	w->p.timezone = "Europe/Amsterdam";
	memcpy(w->p.language, lang ? lang : "nl", 3);
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
	samples(w, support);
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

/* The mail a weekly report is: Fenna's token "report" for her team. */
static void
send_report(struct world *w)
{
	struct fb_error err;
	struct template_values *v = template_values_new();
	struct outmail_token t = { PURPOSE_REPORT, 0, w->fenna, w->sales };
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
		assert_int_equal(buf_addf(out, "%s%s>%.*s", out->len ? " " : "", l.v[i].kind,
		    (int)(at - l.v[i].recipient), l.v[i].recipient), 0);
		if (strcmp(l.v[i].recipient, "fenna@example.nl") == 0) {
			struct outbox_row row;
			struct fb_message *msg;

			assert_int_equal(queue_outbox_get(w->db, l.v[i].id, &row, &err), 0);
			msg = message_parse(row.raw.data, row.raw.len, 1 << 20, &err);
			assert_non_null(msg);
			buf_reset(conf);
			assert_int_equal(buf_addf(conf,
			    "Subject: %s\n", msg->subject ? msg->subject : ""), 0);
			assert_int_equal(buf_add(conf, msg->text, msg->text_len), 0);
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
		assert_int_equal(buf_addf(out,
		    "%s%.*s %s %s", out->len ? " " : "", (int)(at - addr), addr,
		    db_col_text(st, 1), db_col_text(st, 2)), 0);
	}
	sqlite3_reset(st);
}

static void
inbound(struct world *w, const struct rcase *c, int64_t *id)
{
	struct buf raw = BUF_INIT;
	struct fb_error err;
	int dup;

	assert_int_equal(buf_addf(&raw,
	    "From: %s\nTo: feedback+%s@feedbackd.invalid\nSubject: Re: Weekrapport\n"
	    "Message-ID: <%s.in@example.nl>\nMIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8\n\n%s", c->from, w->token, c->name,
	    c->body), 0);
	assert_int_equal(mailflow_inbox_add(w->db, "test", raw.data, raw.len, 1 << 20, w->f.now, id,
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

	world_open(&w, c->lang);
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
	for (const char *s = c->unsays; s != NULL && *s != '\0';) {
		size_t n = strcspn(s, "|");
		char bad[200];

		snprintf(bad, sizeof(bad), "%.*s", (int)n, s);
		if (conf.data != NULL && strstr(conf.data, bad) != NULL)
			fail_msg("the confirmation has \"%s\":\n%s", bad, conf.data);
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
		"Afwezig: Piet Jansen 2027-02-01 t/m 2027-02-12\n", "", "", "", NULL, "", NULL, NULL };
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
	world_open(&w, NULL);
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

/* The HTML versions say every rating outcome too, in the programme's language only: both
 * facilitator mails rendered with one rating of each outcome. */
static void
test_apply_report_ratings_html_in_the_facilitators_language(void **state)
{
	static const struct {
		const char *lang, *says, *unsays;
	} langs[] = {
		{ "nl", "F1: 4 opgeslagen.|F2: dit bericht komt niet uit het rapport van jouw team|"
		    "F99: dit bericht staat niet in jouw rapporten|regel 4, F5: &quot;9&quot; is geen "
		    "beoordeling|regel 5: F1 stond er twee keer in; de laatste beoordeling (4) telt.",
		    NOT_EN },
		{ "en", "F1: 4 recorded.|F2: this message is not from your team's report|"
		    "F99: there is no such message in your reports|line 4, F5: &quot;9&quot; is not a "
		    "rating|line 5: F1 was rated twice; the last rating (4) counts.", NOT_NL },
	};
	static const char *const kinds[] = { "ratings_received", "facilitator_confirmation" };
	static const struct {
		const char *flag, *id, *score, *line, *value;
	} items[] = {
		{ "recorded", "F1", "4", "1", NULL }, { "other_team", "F2", "3", "2", NULL },
		{ "unknown", "F99", "5", "3", NULL }, { "out_of_range", "F5", NULL, "4", "9" },
		{ "twice", "F1", "4", "5", NULL },
	};

	(void)state;
	for (size_t l = 0; l < 2; l++) {
		struct fb_error err;
		struct template_set *ts = outmail_template_set_load(NULL, langs[l].lang, outmail_specs,
		    outmail_nspecs, &err);
		struct template_values *v = template_values_new();

		if (ts == NULL)
			fail_msg("%s", err.msg);
		assert_non_null(v);
		for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
			struct template_values *it = template_add_item(v, "ratings");

			assert_non_null(it);
			assert_int_equal(template_set(it, items[i].flag, "1") |
			    template_set(it, "id", items[i].id) |
			    template_set(it, "score", items[i].score) |
			    template_set(it, "line", items[i].line) |
			    template_set(it, "value", items[i].value), 0);
		}
		for (size_t k = 0; k < 2; k++) {
			struct template_output out;

			template_output_init(&out);
			assert_int_equal(template_render(ts, kinds[k], v, &out, &err), 0);
			for (const char *s = langs[l].says; *s != '\0';) {
				size_t n = strcspn(s, "|");
				char want[200];

				snprintf(want, sizeof(want), "%.*s", (int)n, s);
				if (strstr(out.html.data, want) == NULL)
					fail_msg("%s %s.html lacks \"%.*s\":\n%s", langs[l].lang,
					    kinds[k], (int)n, s, out.html.data);
				s += n + (s[n] == '|');
			}
			for (const char *s = langs[l].unsays; *s != '\0';) {
				size_t n = strcspn(s, "|");
				char bad[200];

				snprintf(bad, sizeof(bad), "%.*s", (int)n, s);
				if (strstr(out.html.data, bad) != NULL)
					fail_msg("%s %s.html has \"%.*s\":\n%s", langs[l].lang,
					    kinds[k], (int)n, s, out.html.data);
				s += n + (s[n] == '|');
			}
			template_output_release(&out);
		}
		template_values_free(v);
		template_set_free(ts);
	}
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_apply_report_absence_covers_exactly_its_days),
		cmocka_unit_test(test_apply_report_ratings_html_in_the_facilitators_language),
	};

	return testlib_run_table("apply_report", cases, sizeof(cases) / sizeof(cases[0]),
	    sizeof(cases[0]), run_case, fixed, sizeof(fixed) / sizeof(fixed[0]));
}
