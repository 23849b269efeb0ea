/*
 * Unit tests of the measurements' answers (src/flow/apply_measure.c over store_measure.c) with
 * an explicit clock: a team of three in a fresh database gets the baseline questionnaire from
 * the scheduler at its moment (so the tokens are real); replies are dropped into the inbox and
 * run through apply_pending. Each table row is one reply: what is stored as the current
 * answers, and which lines the answer receipt (its text part, decoded) must and must not
 * hold — in Dutch or English, never the other language's words. Then sequences: a correction
 * in a later reply keeps the history, a complete questionnaire gets no reminder, quoted text
 * is not read as answers, a reply after the close is kept and not counted; score-link clicks
 * (a reply of one score and nothing else) are stored at once and get one receipt per sitting.
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

#include "answers.h"
#include "apply.h"
#include "config.h"
#include "db.h"
#include "fbtime.h"
#include "mailflow.h"
#include "message.h"
#include "outmail.h"
#include "queue.h"
#include "schedule.h"
#include "store.h"
#include "store_measure.h"
#include "testlib.h"
#include "trim.h"

struct mcase {
	const char *name;
	const char *lang;       /* the programme's language */
	const char *body;       /* Ann's reply to the baseline questionnaire */
	const char *answers;    /* current answers after it: "1=8 2=6 7=text" */
	const char *want;       /* lines the receipt holds, separated by '|' */
	const char *absent;     /* substrings the receipt must not hold, '|'-separated */
};

/* English words that must never reach a Dutch member, and the other way round. */
#define NOT_EN "is not a|question|line |there is no"
#define NOT_NL "is geen|vraag |regel |bestaat niet"

static const struct mcase cases[] = {
	{ "test_measure_out_of_range_explained_in_dutch", "nl", "1: 8\n3: 12\n", "1=8",
	  "  - regel 2, vraag 3: \"12\" is geen cijfer van 0 tot en met 10.", NOT_EN },
	{ "test_measure_out_of_range_explained_in_english", "en", "1: 8\n3: 12\n", "1=8",
	  "  - line 2, question 3: \"12\" is not a score from 0 to 10.", NOT_NL },
	{ "test_measure_decimal_explained_not_rounded_dutch", "nl", "2: 7,5\n", "",
	  "  - regel 1, vraag 2: \"7,5\" is geen heel cijfer; kies een cijfer van 0 tot en met 10.\n", NOT_EN },
	{ "test_measure_decimal_explained_not_rounded_english", "en", "2: 6.5\n", "",
	  "  - line 1, question 2: \"6.5\" is not a whole number; choose a score from 0 to 10.\n", NOT_NL },
	{ "test_measure_words_for_a_score_explained_dutch", "nl", "1: acht\n", "",
	  "  - regel 1, vraag 1: \"acht\" is geen cijfer; bij deze vraag hoort een cijfer van 0 tot "
	  "en met 10.\n", NOT_EN },
	{ "test_measure_words_for_a_score_explained_english", "en", "1: eight\n", "",
	  "  - line 1, question 1: \"eight\" is not a score; this question takes a score from 0 "
	  "to 10.\n", NOT_NL },
	{ "test_measure_no_such_question_dutch", "nl", "14: 8\n2: 5\n", "2=5",
	  "  - regel 1: vraag 14 bestaat niet (de vragen lopen van 1 tot en met 9).\n",
	  NOT_EN },
	{ "test_measure_no_such_question_english", "en", "14: 8\n", "",
	  "  - line 1: there is no question 14 (the questions are 1 to 9).\n", NOT_NL },
	{ "test_measure_problems_are_listed_in_line_order", "nl", "3: 12\n14: 8\n4: vaak\n2: 7,5\n",
	  "", "  - regel 1, vraag 3: \"12\" is geen cijfer van 0 tot en met 10.\n"
	  "  - regel 2: vraag 14 bestaat niet (de vragen lopen van 1 tot en met 9).\n"
	  "  - regel 3, vraag 4: \"vaak\" is geen cijfer; bij deze vraag hoort een cijfer van 0 "
	  "tot en met 10.\n  - regel 4, vraag 2: \"7,5\" is geen heel cijfer", NOT_EN },
	{ "test_measure_twice_in_one_reply_last_counts_dutch", "nl", "1: 8\n1: 6\n", "1=6",
	  "  - regel 2: vraag 1 stond twee keer in je antwoord; het laatste antwoord telt.|"
	  "      6", NOT_EN },
	{ "test_measure_twice_in_one_reply_last_counts_english", "en", "Q1: 8\nQ1: 6\n", "1=6",
	  "  - line 2: question 1 was in your reply twice; the last answer counts.", NOT_NL },
	{ "test_measure_long_value_is_cut_in_the_receipt", "nl",
	  "1: dit is geen cijfer maar een heel lang verhaal over van alles en nog wat erbij\n",
	  "", "  - regel 1, vraag 1: \"dit is geen cijfer maar een heel lang verhaal over van "
	  "al…\" is geen cijfer", NOT_EN },
	{ "test_measure_open_question_takes_text_and_numbers", "nl",
	  "7: samen leren\n8: 8 keer per week\n", "7=samen leren 8=8 keer per week",
	  "  7. Aan welke vaardigheden|      samen leren", "Dit konden we niet goed lezen" },
	{ "test_measure_other_fields_problems_are_not_mentioned", "nl",
	  "1: 8\nKritiek: a\nKritiek: b\nF1: 9\n", "1=8", "      8",
	  "Dit konden we niet goed lezen|Kritiek|appears|F1" },
	{ "test_measure_all_forms_in_one_reply", "nl",
	  "1: 8\n2 = 7\n3) 6\nVraag 4: 5\nQ5: 4\n6 - 3\n7. meer vragen\n", "1=8 2=7 3=6 4=5 5=4 "
	  "6=3 7=meer vragen", "  8. Hoe helpt feedback", NOT_EN },
	{ "test_measure_complete_says_so_and_lists_nothing_open", "nl",
	  "1: 1\n2: 2\n3: 3\n4: 4\n5: 5\n6: 6\n7: a\n8: b\n9: c\n",
	  "1=1 2=2 3=3 4=4 5=5 6=6 7=a 8=b 9=c", "Je hebt alle vragen beantwoord.",
	  "Nog open|Dit konden we" },
};

struct world {
	char dir[64];
	struct config *cfg;
	struct db *db;
	struct outmail_templates *tpl;
	struct flow f;
	struct trim_rules *trim;   /* trim's patterns, made once per world */
	struct program p;
	int64_t team, ann, bob, cat;
	int n;                  /* replies so far, for Message-IDs */
};

static void
at(struct world *w, const char *local)
{
	struct fb_error err;

	if (fbtime_parse(local, "Europe/Amsterdam", &w->f.now, &err) < 0)
		fail_msg("%s", err.msg);
}

static int64_t
member(struct world *w, const char *name, const char *addr)
{
	struct fb_error err;
	int64_t id;

	if (store_member_add(w->db, w->team, name, addr, NULL, NULL, w->f.now, &id, &err) < 0)
		fail_msg("%s", err.msg);
	return id;
}

/* A programme starting Monday 2027-01-04, a team of three, the baseline sent at 09:00. */
static void
world_open(struct world *w, const char *lang)
{
	struct fb_error err;
	struct buf path = BUF_INIT;
	struct schedule_stats st = { 0 };

	memset(w, 0, sizeof(*w));
	snprintf(w->dir, sizeof(w->dir), "/tmp/fbtest-measure.XXXXXX");
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
	w->trim = trim_rules_new();
	assert_non_null(w->trim);
	w->f.trim = w->trim;
	at(w, "2027-01-01T12:00");
	w->p.name = "Pilot";
	memcpy(w->p.start_date, "2027-01-04", 11);
	w->p.weeks = 10;
	w->p.timezone = "Europe/Amsterdam";
	memcpy(w->p.language, lang, 3);
	if (store_program_create(w->db, &w->p, w->f.now, &err) < 0 ||
	    store_team_add(w->db, w->p.id, "Sales", w->f.now, &w->team, &err) < 0)
		fail_msg("%s", err.msg);
	w->ann = member(w, "Ann", "ann@example.org");
	w->bob = member(w, "Bob", "bob@example.org");
	w->cat = member(w, "Cat", "cat@example.org");
	at(w, "2027-01-04T09:00");
	if (schedule_pass(&w->f, &st, &err) < 0)
		fail_msg("%s", err.msg);
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

/* The newest outbox row of kind to addr after id `after` (0 when none); its raw into raw. */
static int64_t
outbox_find(struct world *w, const char *kind, const char *addr, int64_t after, struct buf *raw)
{
	struct outbox_list l = { 0 };
	struct outbox_row r;
	struct fb_error err;
	int64_t id = 0;

	assert_int_equal(queue_outbox_list(w->db, NULL, 1000, &l, &err), 0);
	for (size_t i = 0; i < l.n && id == 0; i++)
		if (l.v[i].id > after && strcmp(l.v[i].kind, kind) == 0 &&
		    strcmp(l.v[i].recipient, addr) == 0)
			id = l.v[i].id;
	queue_outbox_list_release(&l);
	if (id != 0 && raw != NULL) {
		assert_int_equal(queue_outbox_get(w->db, id, &r, &err), 0);
		buf_reset(raw);
		assert_int_equal(buf_add(raw, r.raw.data, r.raw.len), 0);
		queue_outbox_release(&r);
	}
	return id;
}

static int
count_kind(struct world *w, const char *kind, const char *addr)
{
	struct outbox_list l = { 0 };
	struct fb_error err;
	int n = 0;

	assert_int_equal(queue_outbox_list(w->db, NULL, 1000, &l, &err), 0);
	for (size_t i = 0; i < l.n; i++)
		if (strcmp(l.v[i].kind, kind) == 0 && (addr == NULL ||
		    strcmp(l.v[i].recipient, addr) == 0))
			n++;
	queue_outbox_list_release(&l);
	return n;
}

/* The reply token in the Reply-To of the questionnaire sent to addr. */
static void
token_of(struct world *w, const char *addr, char *tok, size_t size)
{
	struct buf raw = BUF_INIT;
	const char *p, *e;

	assert_true(outbox_find(w, "questionnaire", addr, 0, &raw) > 0);
	p = strstr(raw.data, "Reply-To:");
	assert_non_null(p);
	p = strstr(p, "feedback+");
	assert_non_null(p);
	p += strlen("feedback+");
	e = strchr(p, '@');
	assert_non_null(e);
	assert_true((size_t)(e - p) < size);
	snprintf(tok, size, "%.*s", (int)(e - p), p);
	buf_release(&raw);
}

/* Drop a reply from addr to its questionnaire into the inbox and apply it. headers: extra
 * header lines including Content-Type, or NULL for text/plain. */
static int64_t
reply(struct world *w, const char *addr, const char *headers, const char *body)
{
	char tok[64];
	struct buf raw = BUF_INIT;
	struct apply_stats st = { 0 };
	struct fb_error err;
	int64_t id;
	int dup;

	token_of(w, addr, tok, sizeof(tok));
	w->n++;
	assert_int_equal(buf_addf(&raw,
	    "From: <%s>\nTo: feedback+%s@feedbackd.invalid\nSubject: Re: 0-meting\n"
	    "Message-ID: <r%d@example.org>\nMIME-Version: 1.0\n%s\n%s", addr, tok, w->n,
	    headers != NULL ? headers : "Content-Type: text/plain; charset=utf-8\n", body), 0);
	assert_int_equal(mailflow_inbox_add(w->db, "test", raw.data, raw.len, 1 << 20, w->f.now, &id,
	    &dup, &err), 0);
	buf_release(&raw);
	if (apply_pending(&w->f, 100, NULL, &st, &err) < 0)
		fail_msg("%s", err.msg);
	return id;
}

/* The current answers of addr's questionnaire as "1=8 7=text". */
static void
current(struct world *w, int64_t member_id, struct buf *out)
{
	sqlite3_stmt *st;
	struct fb_error err;
	struct answer_list al = { 0 };
	int64_t qid;

	st = db_stmt(w->db, "SELECT id FROM questionnaire WHERE member_id = ?1", &err);
	assert_non_null(st);
	sqlite3_bind_int64(st, 1, member_id);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	qid = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	assert_int_equal(store_answer_current(w->db, qid, &al, &err), 0);
	buf_reset(out);
	for (size_t i = 0; i < al.n; i++) {
		assert_int_equal(buf_addf(out, "%s%u=", i ? " " : "", al.v[i].question), 0);
		if (al.v[i].score >= 0)
			assert_int_equal(buf_addf(out, "%d", al.v[i].score), 0);
		else
			assert_int_equal(buf_adds(out, al.v[i].text), 0);
	}
	store_answer_list_release(&al);
}

/* A number from one SQL query with one integer parameter. */
static long long
sql_int(struct world *w, const char *sql, int64_t param)
{
	sqlite3_stmt *st;
	struct fb_error err;
	long long v;

	st = db_stmt(w->db, sql, &err);
	if (st == NULL)
		fail_msg("%s", err.msg);
	sqlite3_bind_int64(st, 1, param);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return v;
}

/* The text part of the newest answers_received to addr after outbox id after. */
static void
receipt_text(struct world *w, const char *addr, int64_t after, struct buf *out)
{
	struct buf raw = BUF_INIT;
	struct fb_message *msg;
	struct fb_error err;

	assert_true(outbox_find(w, "answers_received", addr, after, &raw) > 0);
	msg = message_parse(raw.data, raw.len, 1 << 20, &err);
	if (msg == NULL)
		fail_msg("%s", err.msg);
	buf_reset(out);
	assert_int_equal(buf_adds(out, msg->text), 0);
	message_free(msg);
	buf_release(&raw);
}

/* Every '|'-separated part of list is (want) or is not (!want) in text. */
static void
check_parts(const char *text, const char *list, int want)
{
	const char *p = list;

	while (p != NULL && *p != '\0') {
		const char *e = strchr(p, '|');
		size_t n = e != NULL ? (size_t)(e - p) : strlen(p);
		char part[512];

		snprintf(part, sizeof(part), "%.*s", (int)n, p);
		if ((strstr(text, part) != NULL) != want)
			fail_msg("the receipt %s \"%s\":\n%s", want ? "lacks" : "holds", part, text);
		p = e != NULL ? e + 1 : NULL;
	}
}

static int64_t
last_outbox_id(struct world *w)
{
	return sql_int(w, "SELECT coalesce(max(id), 0) + 0 * ?1 FROM outbox", 0);
}

static void
run_case(void **state)
{
	const struct mcase *c = *state;
	struct world w;
	struct buf got = BUF_INIT;
	int64_t before;

	world_open(&w, c->lang);
	at(&w, "2027-01-04T10:00");
	before = last_outbox_id(&w);
	reply(&w, "ann@example.org", NULL, c->body);
	current(&w, w.ann, &got);
	assert_string_equal(got.data != NULL ? got.data : "", c->answers);
	receipt_text(&w, "ann@example.org", before, &got);
	check_parts(got.data, c->want, 1);
	check_parts(got.data, c->absent, 0);
	buf_release(&got);
	world_close(&w);
}

/* A later reply corrects one answer: the latest counts, the earlier one is kept (superseded,
 * with the inbox message it came from), and the questionnaire turns complete only when every
 * question has an answer. */
static void
test_measure_correction_later_reply_keeps_history(void **state)
{
	struct world w;
	struct buf got = BUF_INIT;
	struct questionnaire_row qr;
	struct measurement_row mr;
	struct measure_counts mc;
	struct fb_error err;
	int64_t first, qid;

	(void)state;
	world_open(&w, "nl");
	at(&w, "2027-01-04T10:00");
	first = reply(&w, "ann@example.org", NULL, "1: 8\n2: 6\n");
	at(&w, "2027-01-05T10:00");
	reply(&w, "ann@example.org", NULL, "2: 7\n");
	current(&w, w.ann, &got);
	assert_string_equal(got.data, "1=8 2=7");
	qid = sql_int(&w, "SELECT id FROM questionnaire WHERE member_id = ?1", w.ann);
	assert_int_equal(sql_int(&w, "SELECT count(*) FROM answer WHERE questionnaire_id = ?1",
	    qid), 3);
	assert_int_equal(sql_int(&w, "SELECT score FROM answer WHERE superseded = 1 AND "
	    "questionnaire_id = ?1", qid), 6);
	assert_int_equal(sql_int(&w, "SELECT inbox_id FROM answer WHERE superseded = 1 AND "
	    "questionnaire_id = ?1", qid), first);
	assert_int_equal(store_questionnaire_get(w.db, qid, &qr, &err), 0);
	assert_int_equal(qr.completed_at, 0);
	assert_int_equal(qr.answered, 2);

	/* the rest, and a second correction of question 2 */
	reply(&w, "ann@example.org", NULL, "3: 5\n4: 5\n5: 5\n6: 5\n7: a\n8: b\n9: c\n2: 9\n");
	current(&w, w.ann, &got);
	assert_string_equal(got.data, "1=8 2=9 3=5 4=5 5=5 6=5 7=a 8=b 9=c");
	assert_int_equal(store_questionnaire_get(w.db, qid, &qr, &err), 0);
	assert_int_equal(qr.completed_at, w.f.now);
	assert_int_equal(sql_int(&w, "SELECT count(*) FROM answer WHERE superseded = 1 AND "
	    "question = 2 AND questionnaire_id = ?1", qid), 2);

	/* a correction after completion: still complete, first completion time kept */
	at(&w, "2027-01-06T10:00");
	reply(&w, "ann@example.org", NULL, "1: 3\n");
	assert_int_equal(store_questionnaire_get(w.db, qid, &qr, &err), 0);
	assert_int_equal(qr.completed_at, w.f.now - 86400);
	assert_int_equal(store_measurement_get(w.db, w.p.id, "baseline", &mr, &err), 0);
	assert_int_equal(store_measure_counts(w.db, mr.id, 0, &mc, &err), 0);
	assert_int_equal(mc.sent, 3);
	assert_int_equal(mc.complete, 1);
	assert_int_equal(mc.partial, 0);
	assert_int_equal(mc.missing, 2);
	buf_release(&got);
	world_close(&w);
}

/* Answers in the quoted questionnaire below a reply ("Op … schreef …:", "> 1: 3") are not the
 * member's: only what they wrote above counts. The same for an HTML-only reply with a quoted
 * block. */
static void
test_measure_quoted_answers_are_ignored(void **state)
{
	struct world w;
	struct buf got = BUF_INIT;

	(void)state;
	world_open(&w, "nl");
	at(&w, "2027-01-04T10:00");
	reply(&w, "ann@example.org", NULL, "1: 8\n\nOp ma 4 jan 2027 om 09:00 schreef Pilot "
	    "<feedback@example.nl>:\n> 1: 3\n> 2: 4\n> 3: 5\n");
	current(&w, w.ann, &got);
	assert_string_equal(got.data, "1=8");
	reply(&w, "bob@example.org", "Content-Type: text/html; charset=utf-8\n",
	    "<html><body><div>2: 6<br>3: 7</div><div class=\"gmail_quote\">"
	    "<div>Op ma 4 jan 2027 schreef Pilot:</div><blockquote class=\"gmail_quote\">"
	    "1: 0<br>4: 0</blockquote></div></body></html>\n");
	current(&w, w.bob, &got);
	assert_string_equal(got.data, "2=6 3=7");
	buf_release(&got);
	world_close(&w);
}

/* Reminders go to the incomplete only; a reply after the close is kept, not counted, and
 * answered "closed". */
static void
test_measure_reminder_skips_complete_and_close_stops_counting(void **state)
{
	struct world w;
	struct buf got = BUF_INIT;
	struct schedule_stats st = { 0 };
	struct fb_error err;
	struct inbox_row row;
	int64_t id, before;

	(void)state;
	world_open(&w, "en");
	assert_int_equal(count_kind(&w, "questionnaire", NULL), 3);
	at(&w, "2027-01-04T10:00");
	reply(&w, "ann@example.org", NULL,
	    "1: 1\n2: 2\n3: 3\n4: 4\n5: 5\n6: 6\n7: a\n8: b\n9: c\n");
	reply(&w, "bob@example.org", NULL, "1: 1\n");
	at(&w, "2027-01-07T09:00"); /* Thursday: reminder 1 */
	assert_int_equal(schedule_pass(&w.f, &st, &err), 0);
	assert_int_equal(count_kind(&w, "questionnaire_reminder", "ann@example.org"), 0);
	assert_int_equal(count_kind(&w, "questionnaire_reminder", "bob@example.org"), 1);
	assert_int_equal(count_kind(&w, "questionnaire_reminder", "cat@example.org"), 1);
	assert_int_equal(schedule_pass(&w.f, &st, &err), 0); /* again: nothing twice */
	assert_int_equal(count_kind(&w, "questionnaire_reminder", NULL), 2);

	at(&w, "2027-01-18T09:00"); /* the close moment, 14 days after sending */
	assert_int_equal(schedule_pass(&w.f, &st, &err), 0);
	at(&w, "2027-01-19T10:00");
	before = last_outbox_id(&w);
	id = reply(&w, "cat@example.org", NULL, "1: 3\n");
	assert_int_equal(queue_inbox_get(w.db, id, &row, &err), 0);
	assert_string_equal(row.state, "ignored");
	assert_non_null(strstr(row.reason, "after the close: kept, not counted"));
	queue_inbox_release(&row);
	current(&w, w.cat, &got);
	assert_string_equal(got.data != NULL ? got.data : "", "");
	receipt_text(&w, "cat@example.org", before, &got);
	check_parts(got.data, "closed on|no longer counts", 1);
	buf_release(&got);
	world_close(&w);
}

/* ---- score-link clicks: one receipt per sitting (answers.h) ------------------------------ */

/* When a receipt gathering clicks goes: 5 minutes after the last, 15 at most after the first. */
static void
test_answers_receipt_due_slides_with_a_ceiling(void **state)
{
	static const struct { long first, now, due; } t[] = {
		{ 0, 0, 300 },          /* the first click: five minutes on */
		{ 0, 60, 360 },         /* a click a minute later moves it */
		{ 0, 299, 599 },
		{ 0, 600, 900 },        /* the ceiling: fifteen minutes after the first */
		{ 0, 840, 900 },
		{ 0, 900, 900 },        /* never before the click it confirms */
		{ 0, 1000, 1000 },
		{ 1000, 1100, 1400 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (answers_receipt_due((time_t)t[i].first, (time_t)t[i].now) != (time_t)t[i].due)
			fail_msg("row %zu: first %ld, now %ld: due %ld, expected %ld", i, t[i].first,
			    t[i].now, (long)answers_receipt_due((time_t)t[i].first,
			    (time_t)t[i].now), t[i].due);
}

/* Four clicks in three minutes: stored at once, no receipt until five minutes after the last,
 * then one listing the four and what is open; the daemon's next wake-up is that time. */
static void
clicks_one_receipt(const char *lang, const char *want, const char *absent)
{
	struct world w;
	struct buf got = BUF_INIT;
	struct schedule_stats st = { 0 };
	struct fb_error err;
	time_t due;
	int64_t before;
	char t[24];

	world_open(&w, lang);
	before = last_outbox_id(&w);
	for (int i = 0; i < 4; i++) {
		char body[16];

		snprintf(t, sizeof(t), "2027-01-04T10:0%d", i);
		at(&w, t);
		snprintf(body, sizeof(body), "%d: %d\n", i + 1, i + 6);
		reply(&w, "ann@example.org", NULL, body);
	}
	current(&w, w.ann, &got);
	assert_string_equal(got.data, "1=6 2=7 3=8 4=9");
	assert_int_equal(count_kind(&w, "answers_received", NULL), 0);
	at(&w, "2027-01-04T10:08");
	due = w.f.now;
	at(&w, "2027-01-04T10:04");
	assert_int_equal(schedule_next(&w.f), due);
	at(&w, "2027-01-04T10:07");
	assert_int_equal(schedule_pass(&w.f, &st, &err), 0);
	assert_int_equal(count_kind(&w, "answers_received", NULL), 0);
	at(&w, "2027-01-04T10:08");
	assert_int_equal(schedule_pass(&w.f, &st, &err), 0);
	assert_int_equal(count_kind(&w, "answers_received", NULL), 1);
	receipt_text(&w, "ann@example.org", before, &got);
	check_parts(got.data, want, 1);
	check_parts(got.data, absent, 0);
	assert_int_equal(sql_int(&w, "SELECT count(*) + 0 * ?1 FROM answer_receipt", 0), 0);
	assert_int_equal(schedule_pass(&w.f, &st, &err), 0); /* again: nothing twice */
	assert_int_equal(count_kind(&w, "answers_received", NULL), 1);
	buf_release(&got);
	world_close(&w);
}

static void
test_measure_clicks_get_one_receipt(void **state)
{
	(void)state;
	clicks_one_receipt("nl", "De 4 cijfers die je de afgelopen minuten hebt aangeklikt|"
	    "      6\n|      7\n|      8\n|      9\n|Nog open|  5. ", NOT_EN);
	clicks_one_receipt("en", "The 4 scores you clicked in the last few minutes are all in "
	    "this one mail|      9\n|Still open|  5. ", NOT_NL);
}

/* A click shortly before the close: its receipt, sent after it, lists what counted and
 * nothing open, and does not say "closed". */
static void
test_measure_click_receipt_after_the_close_lists_nothing_open(void **state)
{
	struct world w;
	struct buf got = BUF_INIT;
	struct schedule_stats st = { 0 };
	struct fb_error err;
	int64_t before;

	(void)state;
	world_open(&w, "en");
	at(&w, "2027-01-18T08:58");
	reply(&w, "bob@example.org", NULL, "2: 4\n");
	at(&w, "2027-01-18T09:00"); /* the close */
	assert_int_equal(schedule_pass(&w.f, &st, &err), 0);
	assert_int_equal(count_kind(&w, "answers_received", NULL), 0);
	before = last_outbox_id(&w);
	at(&w, "2027-01-18T09:03");
	assert_int_equal(schedule_pass(&w.f, &st, &err), 0);
	receipt_text(&w, "bob@example.org", before, &got);
	check_parts(got.data, "This is what we recorded|      4\n", 1);
	check_parts(got.data, "Still open|no longer counts", 0);
	current(&w, w.bob, &got);
	assert_string_equal(got.data, "2=4");
	buf_release(&got);
	world_close(&w);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_measure_correction_later_reply_keeps_history),
		cmocka_unit_test(test_measure_quoted_answers_are_ignored),
		cmocka_unit_test(test_measure_reminder_skips_complete_and_close_stops_counting),
		cmocka_unit_test(test_answers_receipt_due_slides_with_a_ceiling),
		cmocka_unit_test(test_measure_clicks_get_one_receipt),
		cmocka_unit_test(test_measure_click_receipt_after_the_close_lists_nothing_open),
	};
	return testlib_run_table("measure", cases, sizeof(cases) / sizeof(cases[0]),
	    sizeof(cases[0]), run_case, fixed, sizeof(fixed) / sizeof(fixed[0]));
}
