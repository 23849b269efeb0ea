/*
 * test_report — the weekly report: the lagging rule over a table of members and weeks, the
 * name masking of the rating samples, and the renderers (text, HTML parsed with gumbo, CSV).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <gumbo.h>

#include "report.h"
#include "testlib.h"
#include "banned.h"

#define START { 2027, 1, 4 }   /* week 1: Monday 4 January 2027 */
#define DEF 1, 2, 50, 1        /* the default rules */

/* One member of a team of four steady peers (1 given, 1 received, 1 requested every week). */
struct lag_case {
	const char *name;
	int week;
	const char *given, *received, *requested; /* per week from week 1, one digit a week */
	const char *away_from, *away_until;        /* NULL: none */
	enum report_away source;
	int unreachable;
	int missed;                                /* a questionnaire reminded of, unanswered: see
	                                              MISSED_* */
	struct report_rules rules;
	enum report_status status;
	unsigned reasons;
	const char *left_on;                       /* NULL: still in the programme */
	int joined;                                /* joined_week: 0 there from the start */
};

#define NOFB REPORT_REASON_NO_FEEDBACK
#define NOREQ REPORT_REASON_NO_REQUEST
#define MEDIAN REPORT_REASON_BELOW_MEDIAN
#define QUEST REPORT_REASON_QUESTIONNAIRE
#define OOO REPORT_AWAY_OUT_OF_OFFICE
#define COORD REPORT_AWAY_COORDINATOR
/* The missed questionnaire of a case: closed in the week reported on (before the report was
 * made), still open when the report was made, or closed in the week before. */
#define MISSED_THIS_WEEK 1
#define MISSED_STILL_OPEN 2
#define MISSED_WEEK_BEFORE 3

static const struct lag_case lag_cases[] = {
	{ "test_lagging_active_member_is_not_lagging", 4, "1111", "1111", "1000", NULL, NULL, 0, 0, 0,
	  { DEF }, REPORT_ACTIVE, 0, NULL, 0 },
	{ "test_lagging_gave_nothing_in_the_last_week", 4, "1110", "1111", "1000", NULL, NULL, 0, 0, 0,
	  { DEF }, REPORT_LAGGING, NOFB, NULL, 0 },
	{ "test_lagging_never_requested_by_end_of_week_2", 2, "11", "11", "00", NULL, NULL, 0, 0, 0,
	  { DEF }, REPORT_LAGGING, NOREQ, NULL, 0 },
	{ "test_lagging_no_request_in_week_1_is_not_yet_lagging", 1, "1", "1", "0", NULL, NULL, 0, 0, 0,
	  { DEF }, REPORT_ACTIVE, 0, NULL, 0 },
	{ "test_lagging_request_in_week_2_is_in_time", 2, "11", "11", "01", NULL, NULL, 0, 0, 0,
	  { DEF }, REPORT_ACTIVE, 0, NULL, 0 },
	{ "test_lagging_request_by_week_3_configured_week_2_fine", 2, "11", "11", "00", NULL, NULL, 0,
	  0, 0, { 1, 3, 50, 1 }, REPORT_ACTIVE, 0, NULL, 0 },
	{ "test_lagging_request_by_week_3_configured_week_3_lags", 3, "111", "111", "000", NULL, NULL,
	  0, 0, 0, { 1, 3, 0, 1 }, REPORT_LAGGING, NOREQ, NULL, 0 },
	{ "test_lagging_below_half_the_team_median", 4, "1001", "0000", "1000", NULL, NULL, 0, 0, 0,
	  { DEF }, REPORT_LAGGING, MEDIAN, NULL, 0 },
	{ "test_lagging_exactly_half_the_median_is_not_below", 4, "1011", "1100", "1000", NULL, NULL,
	  0, 0, 0, { DEF }, REPORT_ACTIVE, 0, NULL, 0 },
	{ "test_lagging_median_fraction_75_catches_half", 4, "1011", "1100", "1000", NULL, NULL, 0, 0,
	  0, { 1, 2, 75, 1 }, REPORT_LAGGING, MEDIAN, NULL, 0 },
	{ "test_lagging_coordinator_absence_this_week_is_away", 4, "1110", "1111", "1000",
	  "2027-01-25", "2027-01-29", COORD, 0, 0, { DEF }, REPORT_AWAY, 0, NULL, 0 },
	{ "test_lagging_out_of_office_this_week_is_away", 4, "0000", "0000", "0000",
	  "2027-01-20", "2027-01-26", OOO, 0, 0, { DEF }, REPORT_AWAY, 0, NULL, 0 },
	{ "test_lagging_absence_on_the_sunday_still_counts_as_away", 4, "1110", "1111", "1000",
	  "2027-01-31", "2027-02-05", REPORT_AWAY_FACILITATOR, 0, 0, { DEF }, REPORT_AWAY, 0, NULL, 0 },
	{ "test_lagging_absence_that_ended_before_the_week_is_not_away", 4, "1110", "1111", "1000",
	  "2027-01-11", "2027-01-17", OOO, 0, 0, { DEF }, REPORT_LAGGING, NOFB, NULL, 0 },
	{ "test_lagging_two_weeks_rule_skips_the_away_week", 4, "1100", "1111", "1000",
	  "2027-01-18", "2027-01-24", OOO, 0, 0, { 2, 2, 0, 1 }, REPORT_LAGGING, NOFB, NULL, 0 },
	{ "test_lagging_two_weeks_rule_gave_the_week_before", 4, "1110", "1111", "1000", NULL, NULL, 0,
	  0, 0, { 2, 2, 50, 1 }, REPORT_ACTIVE, 0, NULL, 0 },
	{ "test_lagging_unreachable_is_never_lagging", 4, "0000", "0000", "0000", NULL, NULL, 0, 1, 0,
	  { DEF }, REPORT_UNREACHABLE, 0, NULL, 0 },
	{ "test_lagging_unreachable_wins_over_away", 4, "0000", "0000", "0000", "2027-01-25",
	  "2027-01-25", COORD, 1, 0, { DEF }, REPORT_UNREACHABLE, 0, NULL, 0 },
	{ "test_lagging_questionnaire_unanswered_after_reminder", 4, "1111", "1111", "1000", NULL,
	  NULL, 0, 0, 1, { DEF }, REPORT_LAGGING, QUEST, NULL, 0 },
	/* Issue 18: not answering yet is not lagging while the questionnaire is open; and a
	 * questionnaire that closed in an earlier week was that week's. */
	{ "test_lagging_questionnaire_still_open_is_not_lagging", 4, "1111", "1111", "1000", NULL,
	  NULL, 0, 0, MISSED_STILL_OPEN, { DEF }, REPORT_ACTIVE, 0, NULL, 0 },
	{ "test_lagging_questionnaire_closed_the_week_before_is_not_this_weeks", 4, "1111", "1111",
	  "1000", NULL, NULL, 0, 0, MISSED_WEEK_BEFORE, { DEF }, REPORT_ACTIVE, 0, NULL, 0 },
	{ "test_lagging_questionnaire_closed_in_week_3_lags_in_week_3", 3, "111", "111", "100",
	  NULL, NULL, 0, 0, MISSED_THIS_WEEK, { DEF }, REPORT_LAGGING, QUEST, NULL, 0 },
	/* Issue 18: nobody lags in week 1, whatever they did: it is everyone's first week. */
	{ "test_lagging_nobody_in_week_1_silent", 1, "0", "0", "0", NULL, NULL, 0, 0, 0,
	  { DEF }, REPORT_ACTIVE, 0, NULL, 0 },
	{ "test_lagging_nobody_in_week_1_every_rule_strict", 1, "0", "0", "0", NULL, NULL, 0, 0,
	  MISSED_THIS_WEEK, { 1, 1, 100, 1 }, REPORT_ACTIVE, 0, NULL, 0 },
	{ "test_lagging_silent_in_week_2_lags", 2, "00", "00", "00", NULL, NULL, 0, 0, 0,
	  { DEF }, REPORT_LAGGING, NOFB | NOREQ | MEDIAN, NULL, 0 },
	{ "test_lagging_away_in_week_1_is_away", 1, "0", "0", "0", "2027-01-04", "2027-01-08",
	  COORD, 0, 0, { DEF }, REPORT_AWAY, 0, NULL, 0 },
	{ "test_lagging_questionnaire_rule_switched_off", 4, "1111", "1111", "1000", NULL, NULL, 0, 0,
	  1, { 1, 2, 50, 0 }, REPORT_ACTIVE, 0, NULL, 0 },
	{ "test_lagging_every_rule_off_nobody_lags", 4, "0000", "0000", "0000", NULL, NULL, 0, 0, 1,
	  { 0, 0, 0, 0 }, REPORT_ACTIVE, 0, NULL, 0 },
	{ "test_lagging_silent_member_has_every_reason", 4, "0000", "0000", "0000", NULL, NULL, 0, 0,
	  1, { DEF }, REPORT_LAGGING, NOFB | NOREQ | MEDIAN | QUEST, NULL, 0 },
	/* Someone who left the programme: left from the week they left, never lagging; judged as
	 * everyone before it. */
	{ "test_lagging_left_this_week_is_left_not_lagging", 4, "0000", "0000", "0000", NULL, NULL, 0,
	  0, 1, { DEF }, REPORT_LEFT, 0, "2027-01-31", 0 },
	{ "test_lagging_left_before_the_week_is_left", 4, "1000", "0000", "0000", NULL, NULL, 0, 0, 0,
	  { DEF }, REPORT_LEFT, 0, "2027-01-05", 0 },
	{ "test_lagging_left_after_the_week_is_judged_as_before", 2, "11", "11", "00", NULL, NULL, 0,
	  0, 0, { DEF }, REPORT_LAGGING, NOREQ, "2027-01-18", 0 },
	{ "test_lagging_left_wins_over_unreachable_and_away", 4, "0000", "0000", "0000", "2027-01-25",
	  "2027-01-25", COORD, 1, 0, { DEF }, REPORT_LEFT, 0, "2027-01-25", 0 },
	/* A member who joined in week 2 is new until their first full week, week 3. */
	{ "test_lagging_joined_this_week_is_not_lagging", 2, "00", "00", "00", NULL, NULL, 0, 0, 1,
	  { DEF }, REPORT_ACTIVE, 0, NULL, 2 },
	{ "test_lagging_joined_after_the_week_reported_is_not_lagging", 1, "0", "0", "0", NULL, NULL,
	  0, 0, 0, { DEF }, REPORT_ACTIVE, 0, NULL, 2 },
	{ "test_lagging_joined_silent_in_first_full_week_lags", 3, "000", "000", "000", NULL, NULL, 0,
	  0, 0, { DEF }, REPORT_LAGGING, NOFB | MEDIAN, NULL, 2 },
	{ "test_lagging_joined_median_counts_weeks_there", 3, "001", "000", "001", NULL, NULL, 0, 0,
	  0, { DEF }, REPORT_ACTIVE, 0, NULL, 2 },
	{ "test_lagging_joined_request_counted_from_first_full_week", 4, "0011", "0011", "0000",
	  NULL, NULL, 0, 0, 0, { DEF }, REPORT_LAGGING, NOREQ, NULL, 2 },
};

static void
fill_weeks(int *slots, const char *digits)
{
	for (int w = 1; digits[w - 1] != '\0' && w <= REPORT_MAX_WEEKS; w++)
		slots[w] = digits[w - 1] - '0';
}

static void
run_lag_case(void **state)
{
	const struct lag_case *c = *state;
	struct report_member_in m[5];
	struct report_absence abs;
	struct report_input in = { 0 };
	struct report r = REPORT_INIT;
	struct fb_error err;
	const struct report_member *me = NULL;

	memset(m, 0, sizeof(m));
	for (int i = 1; i < 5; i++) {
		static const char *const peer[] = { "", "Peer A", "Peer B", "Peer C", "Peer D" };

		m[i].id = i + 1;
		m[i].name = peer[i];
		for (int w = 1; w <= c->week; w++)
			m[i].given[w] = m[i].received[w] = m[i].requested[w] = 1;
	}
	m[0].id = 1;
	m[0].name = "Subject";
	fill_weeks(m[0].given, c->given);
	fill_weeks(m[0].received, c->received);
	fill_weeks(m[0].requested, c->requested);
	m[0].unreachable = c->unreachable;
	/* the report is made on the Monday after the week, 08:00 UTC (no zone: UTC) */
	in.generated_at = 1799020800 + (time_t)(7 * c->week) * 86400 + 8 * 3600;
	if (c->missed) {
		/* Wednesday noon of the week reported on, of the week before, or after the report */
		time_t wed = 1799020800 + (time_t)(7 * (c->week - 1) + 2) * 86400 + 12 * 3600;

		m[0].missed[0] = c->missed == MISSED_THIS_WEEK ? wed : c->missed ==
		    MISSED_WEEK_BEFORE ? wed - 7 * 86400 : in.generated_at + 86400;
		m[0].nmissed = 1;
	}
	if (c->left_on)
		assert_int_equal(fbtime_parse_date(c->left_on, &m[0].left_on, NULL), 0);
	m[0].joined_week = c->joined;
	if (c->away_from) {
		assert_int_equal(fbtime_parse_date(c->away_from, &abs.from, NULL), 0);
		assert_int_equal(fbtime_parse_date(c->away_until, &abs.until, NULL), 0);
		abs.source = c->source;
		m[0].absences = &abs;
		m[0].nabsences = 1;
	}
	in.program = "P";
	in.team = "T";
	in.start = (struct fb_date)START;
	in.weeks = 10;
	in.week = c->week;
	in.members = m;
	in.nmembers = 5;
	assert_int_equal(report_weekly(&in, &c->rules, &r, &err), 0);
	for (size_t i = 0; i < r.n; i++)
		if (r.members[i].in->id == 1)
			me = &r.members[i];
	assert_non_null(me);
	assert_int_equal(me->status, c->status);
	assert_int_equal(me->reasons, c->reasons);
	if (c->status == REPORT_AWAY)
		assert_int_equal(me->away, c->source);
	/* The steady peers are never lagging, and the lagging come first. */
	for (size_t i = 0; i < r.n; i++)
		if (r.members[i].in->id != 1)
			assert_int_equal(r.members[i].status, REPORT_ACTIVE);
	if (c->status == REPORT_LAGGING)
		assert_ptr_equal(me, &r.members[0]);
	/* Who left is listed last and counted apart. */
	if (c->status == REPORT_LEFT) {
		assert_ptr_equal(me, &r.members[r.n - 1]);
		assert_int_equal(r.nleft, 1);
	}
	report_release(&r);
}

/* ---- masking ---- */

struct mask_case {
	const char *name;
	const char *text;
	const char *expect;
};

static const struct mask_case mask_cases[] = {
	{ "test_mask_full_name_is_one_mask", "Jan de Vries deed het goed.", "[naam] deed het goed." },
	{ "test_mask_first_name_alone", "Goed gedaan, Jan!", "Goed gedaan, [naam]!" },
	{ "test_mask_is_case_insensitive", "PIET bakker en jan", "[naam] en [naam]" },
	{ "test_mask_keeps_longer_words", "Janneke en Pieter", "Janneke en Pieter" },
	{ "test_mask_address_whole", "mail piet@example.org of <jan.v@x.nl>.",
	  "mail [naam] of <[naam]>." },
	{ "test_mask_utf8_name", "Dank je, Jeroen Mëijer.", "Dank je, [naam]." },
	{ "test_mask_no_names_unchanged", "Sterke presentatie.", "Sterke presentatie." },
	{ "test_mask_report_sample_every_form", "Groet van P. Bakker, Mevr. Bakker en Vries ook.\n"
	  "Bel 06-12345678.\nMet vriendelijke groet,\nJan\nTeamleider",
	  "Groet van [naam], [naam] en [naam] ook.\nBel [naam].\nMet vriendelijke groet,\n[naam]" },
};

/* ---- rendering ---- */

static struct report_member_in render_members[3];
static const struct report_questionnaire_in render_q[] = { { "midterm", 12, 8, 1800000000 } };
static const struct report_session_in render_s[] = { { "progress", 1800100000, 6, 1, 0, 5 } };
static const struct report_sample_in render_samples[] = {
	{ "F12", "Bevestiging: [naam] presenteerde helder.\nKritiek: te lang." },
	{ "F13", "<b>vet</b> & \"quotes\"" },
};

static void
render_input(struct report_input *in, enum report_lang lang)
{
	memset(render_members, 0, sizeof(render_members));
	render_members[0].id = 1;
	render_members[0].name = "<Jan & \"Piet\">";
	render_members[1].id = 2;
	render_members[1].name = "Ank; Bos";
	render_members[2].id = 3;
	render_members[2].name = "=SUM(A1)";
	for (int w = 1; w <= 3; w++) {
		render_members[1].given[w] = render_members[1].requested[w] = w;
		render_members[2].given[w] = 1;
		render_members[2].requested[w] = 1;
	}
	memset(in, 0, sizeof(*in));
	in->program = "Pilot";
	in->team = "Sales & <Co>";
	in->lang = lang;
	in->tz = "Europe/Amsterdam";
	in->start = (struct fb_date)START;
	in->weeks = 10;
	in->week = 3;
	in->generated_at = 1800000000;
	in->members = render_members;
	in->nmembers = 3;
	in->questionnaires = render_q;
	in->nquestionnaires = 1;
	in->sessions = render_s;
	in->nsessions = 1;
	in->samples = render_samples;
	in->nsamples = 2;
	in->ratings_week_count = 2;
	in->ratings_week_avg = 3.5;
}

static void
compute(struct report_input *in, enum report_lang lang, struct report *r)
{
	struct report_rules rules = { DEF };

	render_input(in, lang);
	assert_int_equal(report_weekly(in, &rules, r, NULL), 0);
}

/* The report masks its samples itself (mask.h), with the names the input gives. */
static void
run_mask_case(void **state)
{
	const struct mask_case *c = *state;
	static const char *const names[] = { "Jan de Vries", "Piet Bakker", "Jeroen Mëijer", "Al" };
	struct report_sample_in sample = { "F7", c->text };
	struct report_rules rules = { DEF };
	struct report_input in;
	struct report r;

	render_input(&in, REPORT_LANG_NL);
	in.samples = &sample;
	in.nsamples = 1;
	in.mask_names = names;
	in.nmask_names = 4;
	assert_int_equal(report_weekly(&in, &rules, &r, NULL), 0);
	assert_int_equal(r.nsamples, 1);
	assert_string_equal(r.samples[0].id, "F7");
	assert_string_equal(r.samples[0].text, c->expect);
	report_release(&r);
}

static void
test_render_text_lists_lagging_with_reasons_in_english(void **state)
{
	struct report_input in;
	struct report r;
	struct buf out = BUF_INIT;

	(void)state;
	compute(&in, REPORT_LANG_EN, &r);
	assert_int_equal(report_render_text(&r, &out), 0);
	assert_non_null(strstr(out.data, "Weekly report"));
	assert_non_null(strstr(out.data, "- <Jan & \"Piet\">: gave no feedback; never requested "
	    "feedback; well below the team's median"));
	assert_non_null(strstr(out.data, "midterm measurement: 8/12 answered (67%)"));
	assert_non_null(strstr(out.data, "6 accepted, 1 declined, 0 tentative, 5 no answer"));
	assert_non_null(strstr(out.data, "F12:\n    | Bevestiging: [naam] presenteerde helder.\n"
	    "    | Kritiek: te lang."));
	/* The lagging member heads the table: "<Jan" comes before "Ank; Bos" despite the order
	 * by name. */
	assert_true(strstr(out.data, "<Jan & \"Piet\">  ") < strstr(out.data, "Ank; Bos  "));
	buf_release(&out);
	report_release(&r);
}

static void
test_render_text_speaks_dutch_for_a_dutch_programme(void **state)
{
	struct report_input in;
	struct report r;
	struct buf out = BUF_INIT;

	(void)state;
	compute(&in, REPORT_LANG_NL, &r);
	assert_int_equal(report_render_text(&r, &out), 0);
	assert_non_null(strstr(out.data, "Weekrapport"));
	assert_non_null(strstr(out.data, "Blijft achter (1)"));
	assert_non_null(strstr(out.data, "gaf geen feedback; heeft nog nooit feedback gevraagd"));
	assert_non_null(strstr(out.data, "tussenmeting: 8/12 ingevuld (67%)"));
	assert_null(strstr(out.data, "Weekly"));
	buf_release(&out);
	report_release(&r);
}

struct html_walk {
	int elements, forbidden, external;
	struct buf text;
};

static void
walk(const GumboNode *n, struct html_walk *w, int depth)
{
	if (depth > 200)
		return;
	if (n->type == GUMBO_NODE_TEXT) {
		assert_int_equal(buf_adds(&w->text, n->v.text.text), 0);
		return;
	}
	if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_DOCUMENT)
		return;
	if (n->type == GUMBO_NODE_ELEMENT) {
		GumboTag t = n->v.element.tag;
		const GumboVector *attrs = &n->v.element.attributes;

		w->elements++;
		if (t == GUMBO_TAG_SCRIPT || t == GUMBO_TAG_IMG || t == GUMBO_TAG_LINK ||
		    t == GUMBO_TAG_IFRAME || t == GUMBO_TAG_OBJECT || t == GUMBO_TAG_STYLE ||
		    t == GUMBO_TAG_UNKNOWN)
			w->forbidden++;
		for (unsigned i = 0; i < attrs->length; i++) {
			const GumboAttribute *a = attrs->data[i];

			if (strcmp(a->name, "src") == 0 || strcmp(a->name, "href") == 0 ||
			    strncmp(a->name, "on", 2) == 0 || strstr(a->value, "http") != NULL ||
			    strstr(a->value, "url(") != NULL)
				w->external++;
		}
	}
	{
		const GumboVector *kids = n->type == GUMBO_NODE_DOCUMENT ? &n->v.document.children :
		    &n->v.element.children;

		for (unsigned i = 0; i < kids->length; i++)
			walk(kids->data[i], w, depth + 1);
	}
}

static void
test_render_html_parses_without_external_references(void **state)
{
	struct report_input in;
	struct report r;
	struct buf out = BUF_INIT;
	struct html_walk w = { 0, 0, 0, BUF_INIT };
	GumboOutput *g;

	(void)state;
	compute(&in, REPORT_LANG_EN, &r);
	assert_int_equal(report_render_html(&r, &out), 0);
	g = gumbo_parse_with_options(&kGumboDefaultOptions, out.data, out.len);
	assert_non_null(g);
	assert_int_equal(g->errors.length, 0);
	walk(g->document, &w, 0);
	assert_true(w.elements > 50);
	assert_int_equal(w.forbidden, 0);
	assert_int_equal(w.external, 0);
	/* The hostile names come back as text, exactly, after parsing. */
	assert_non_null(strstr(w.text.data, "<Jan & \"Piet\">"));
	assert_non_null(strstr(w.text.data, "Sales & <Co>"));
	assert_non_null(strstr(w.text.data, "<b>vet</b> & \"quotes\""));
	assert_null(strstr(out.data, "<Jan"));
	assert_null(strstr(out.data, "<b>vet"));
	assert_non_null(strstr(out.data, "&lt;Jan &amp; &quot;Piet&quot;&gt;"));
	gumbo_destroy_output(&kGumboDefaultOptions, g);
	buf_release(&w.text);
	buf_release(&out);
	report_release(&r);
}

static void
test_render_csv_is_for_a_dutch_spreadsheet(void **state)
{
	struct report_input in;
	struct report r;
	struct buf out = BUF_INIT;

	(void)state;
	compute(&in, REPORT_LANG_NL, &r);
	assert_int_equal(report_render_csv(&r, 1, 1, &out), 0);
	assert_memory_equal(out.data, "\xEF\xBB\xBFteam;week;teamlid;", 20);
	assert_non_null(strstr(out.data, "\r\nSales & <Co>;3;\"Ank; Bos\";3;0;3;6;0;6;;\r\n"));
	/* A name that looks like a formula is not run by the spreadsheet. */
	assert_non_null(strstr(out.data, ";'=SUM(A1);"));
	assert_non_null(strstr(out.data, ";\"<Jan & \"\"Piet\"\">\";0;"));
	buf_release(&out);
	report_release(&r);
}

/* ---- what the facilitator reads (issue 18), table-driven ---- */

#define V_NO_RATINGS 0x1   /* no ratings at all: nothing to average */
#define V_AWAY 0x2         /* "Ank; Bos" out of office in week 3 */
#define V_UNREACHABLE 0x4  /* "=SUM(A1)" bounces */
#define V_EMPTY_TEAM 0x8   /* nobody in the team */

struct render_case {
	const char *name;
	enum report_lang lang;
	unsigned variant;
	char format;                /* 't' text, 'h' HTML, 'c' CSV */
	const char *want[5];        /* each in the output, in this order */
	const char *never[3];       /* none of these in the output */
	const char *once;           /* exactly once in the output (NULL: no check) */
};

static const struct render_case render_cases[] = {
	{ "test_render_text_nothing_to_average_is_a_dash_nl", REPORT_LANG_NL, V_NO_RATINGS, 't',
	  { "Beoordelingen: deze week 0 (gemiddeld –), alle weken 0 (gemiddeld –)" },
	  { "0.0", "0,0" }, NULL },
	{ "test_render_text_nothing_to_average_is_a_dash_en", REPORT_LANG_EN, V_NO_RATINGS, 't',
	  { "Ratings: this week 0 (average –), all weeks 0 (average –)" }, { "0.0" }, NULL },
	{ "test_render_html_nothing_to_average_is_a_dash", REPORT_LANG_NL, V_NO_RATINGS, 'h',
	  { "(gemiddeld –)" }, { "gemiddeld 0" }, NULL },
	{ "test_render_text_numbers_dutch_with_a_comma", REPORT_LANG_NL, 0, 't',
	  { "Mediaan activiteit van het team: 6,0", "deze week 2 (gemiddeld 3,5)",
	    "alle weken 4 (gemiddeld 3,8)" }, { "3.5", "6.0" }, NULL },
	{ "test_render_text_numbers_english_with_a_point", REPORT_LANG_EN, 0, 't',
	  { "Median activity of the team: 6.0", "this week 2 (average 3.5)",
	    "all weeks 4 (average 3.8)" }, { "3,5", "6,0" }, NULL },
	{ "test_render_html_numbers_dutch_with_a_comma", REPORT_LANG_NL, 0, 'h',
	  { "Mediaan activiteit van het team: 6,0", "(gemiddeld 3,5)" }, { "3.5", "6.0" }, NULL },
	{ "test_render_text_empty_team_has_no_median", REPORT_LANG_NL, V_EMPTY_TEAM, 't',
	  { "Mediaan activiteit van het team: –" }, { "Herinner:" }, NULL },
	{ "test_render_text_reply_commands_under_the_lagging_nl", REPORT_LANG_NL, 0, 't',
	  { "Blijft achter (1)", "- <Jan & \"Piet\">: ", "Herinner: <Jan ",
	    "Herinner: <Jan — succes met je presentatie  met een persoonlijke regel erbij",
	    "Afwezig: <Jan t/m 15-1-2027" }, { NULL }, NULL },
	{ "test_render_text_reply_commands_in_english", REPORT_LANG_EN, 0, 't',
	  { "Lagging (1)", "Reply to this mail", "Remind: <Jan ",
	    "Remind: <Jan — good luck with your talk", "Away: <Jan until 15-1-2027" },
	  { "Herinner" }, NULL },
	{ "test_render_html_reply_commands_escaped", REPORT_LANG_NL, 0, 'h',
	  { "Blijft achter (1)", "Herinner: &lt;Jan</td>",
	    "Herinner: &lt;Jan — succes met je presentatie</td>", "Afwezig: &lt;Jan t/m 15-1-2027" },
	  { "Herinner: <Jan" }, NULL },
	{ "test_render_text_away_apart_from_lagging", REPORT_LANG_NL, V_AWAY | V_UNREACHABLE, 't',
	  { "Blijft achter (1)\n  - <Jan", "Onbereikbaar (1)\n  - =SUM(A1): ",
	    "Afwezig (1)\n  - Ank; Bos: afwezigheidsbericht" }, { "Blijft achter (3)" }, NULL },
	{ "test_render_html_away_apart_from_lagging", REPORT_LANG_NL, V_AWAY | V_UNREACHABLE, 'h',
	  { "Blijft achter (1)</h2>", "&lt;Jan", "Onbereikbaar (1)</h2>", "=SUM(A1)",
	    "Afwezig (1)</h2><table" }, { "Blijft achter (3)", "Blijft achter (2)" }, NULL },
	{ "test_render_csv_away_and_unreachable_by_status", REPORT_LANG_NL, V_AWAY | V_UNREACHABLE,
	  'c', { ";'=SUM(A1);1;0;1;3;0;3;onbereikbaar;e-mailadres komt niet aan\r\n",
	    ";\"Ank; Bos\";3;0;3;6;0;6;afwezig;afwezigheidsbericht\r\n" },
	  { "Ank; Bos\";3;0;3;6;0;6;blijft achter" }, NULL },
	{ "test_render_text_rating_scale_explained_once", REPORT_LANG_NL, 0, 't',
	  { "een cijfer van 1 (zwak) tot 5 (sterk)", "\"F12: 4\"" }, { "uitstekend" },
	  "1 (zwak)" },
	{ "test_render_html_rating_scale_explained_once", REPORT_LANG_EN, 0, 'h',
	  { "a rating from 1 (weak) to 5 (strong)" }, { "excellent" }, "1 (weak)" },
	{ "test_render_text_trend_has_a_legend", REPORT_LANG_NL, 0, 't',
	  { "Verloop (wk 1-3)", "Verloop: activiteit (gegeven + ontvangen + gevraagd) per week, "
	    "van week 1 tot en met 3; ▲ meer dan de week ervoor, ▼ minder, = even veel." },
	  { NULL }, NULL },
	{ "test_render_html_trend_has_a_legend", REPORT_LANG_EN, 0, 'h',
	  { "Trend: activity (given + received + requested) per week, from week 1 to 3: one bar "
	    "per week, the darkest is the last week." }, { NULL }, NULL },
};

static void
run_render_case(void **state)
{
	const struct render_case *c = *state;
	struct report_absence away;
	struct report_rules rules = { DEF };
	struct report_input in;
	struct report r;
	struct buf out = BUF_INIT;
	const char *at;

	render_input(&in, c->lang);
	in.ratings_total_count = 4;
	in.ratings_total_avg = 3.75;
	if (c->variant & V_NO_RATINGS)
		in.ratings_week_count = in.ratings_total_count = 0;
	if (c->variant & V_AWAY) {
		assert_int_equal(fbtime_parse_date("2027-01-18", &away.from, NULL), 0);
		assert_int_equal(fbtime_parse_date("2027-01-20", &away.until, NULL), 0);
		away.source = REPORT_AWAY_OUT_OF_OFFICE;
		render_members[1].absences = &away;
		render_members[1].nabsences = 1;
	}
	if (c->variant & V_UNREACHABLE)
		render_members[2].unreachable = 1;
	if (c->variant & V_EMPTY_TEAM)
		in.nmembers = 0;
	/* made on Monday 11 January 2027, 09:00 in Amsterdam: the example's Friday is the 15th */
	in.generated_at = 1799654400;
	assert_int_equal(report_weekly(&in, &rules, &r, NULL), 0);
	assert_int_equal(c->format == 't' ? report_render_text(&r, &out) : c->format == 'h' ?
	    report_render_html(&r, &out) : report_render_csv(&r, 0, 1, &out), 0);
	at = out.data;
	for (size_t i = 0; i < sizeof(c->want) / sizeof(c->want[0]) && c->want[i]; i++) {
		const char *hit = strstr(at, c->want[i]);

		if (hit == NULL)
			fail_msg("\"%s\" not found (in this order) in:\n%s", c->want[i], out.data);
		at = hit + strlen(c->want[i]);
	}
	for (size_t i = 0; i < sizeof(c->never) / sizeof(c->never[0]) && c->never[i]; i++)
		if (strstr(out.data, c->never[i]) != NULL)
			fail_msg("\"%s\" found in:\n%s", c->never[i], out.data);
	if (c->once) {
		const char *first = strstr(out.data, c->once);

		assert_non_null(first);
		assert_null(strstr(first + 1, c->once));
	}
	buf_release(&out);
	report_release(&r);
}

static void
test_report_refuses_a_week_out_of_range(void **state)
{
	struct report_input in;
	struct report r;
	struct report_rules rules = { DEF };
	struct fb_error err;

	(void)state;
	render_input(&in, REPORT_LANG_EN);
	in.week = 0;
	assert_int_equal(report_weekly(&in, &rules, &r, &err), -1);
	assert_non_null(strstr(err.msg, "week 0"));
	in.week = REPORT_MAX_WEEKS + 1;
	assert_int_equal(report_weekly(&in, &rules, &r, &err), -1);
	assert_null(r.members);
}

/* A pause (plan.h) pushes the weeks after it: an absence counts in the programme week it falls
 * in, a day in the pause in the week before it, and so does the day a member left. The holiday
 * is calendar week 4 (25-31 January), so programme week 4 is 1-7 February. */
static void
test_report_weeks_after_a_pause(void **state)
{
	static const struct {
		const char *from, *until;
		int week, away;
	} rows[] = {
		{ "2027-02-01", "2027-02-05", 4, 1 }, /* the week after the holiday is week 4 */
		{ "2027-02-01", "2027-02-05", 5, 0 },
		{ "2027-01-25", "2027-01-29", 3, 1 }, /* in the holiday: week 3's */
		{ "2027-01-25", "2027-01-29", 4, 0 },
		{ "2027-01-18", "2027-01-22", 3, 1 }, /* before it: as without a pause */
		{ "2027-02-08", "2027-02-12", 5, 1 },
	};
	struct plan_pause pause;
	struct report_member_in m;
	struct report_absence abs;
	struct report_input in = { 0 };

	(void)state;
	assert_int_equal(fbtime_parse_date("2027-01-25", &pause.from, NULL), 0);
	assert_int_equal(fbtime_parse_date("2027-01-31", &pause.until, NULL), 0);
	in.start = (struct fb_date)START;
	in.pauses = &pause;
	in.npauses = 1;
	memset(&m, 0, sizeof(m));
	m.absences = &abs;
	m.nabsences = 1;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(fbtime_parse_date(rows[i].from, &abs.from, NULL), 0);
		assert_int_equal(fbtime_parse_date(rows[i].until, &abs.until, NULL), 0);
		abs.source = REPORT_AWAY_OUT_OF_OFFICE;
		if ((report_away_in_week(&m, &in, rows[i].week) != REPORT_AWAY_NONE) != rows[i].away)
			fail_msg("row %zu: %s..%s in week %d: away %d expected", i, rows[i].from,
			    rows[i].until, rows[i].week, rows[i].away);
	}
	m.nabsences = 0;
	assert_int_equal(fbtime_parse_date("2027-01-27", &m.left_on, NULL), 0);
	assert_int_equal(report_left_by_week(&m, &in, 2), 0);
	assert_int_equal(report_left_by_week(&m, &in, 3), 1); /* left in the holiday */
	assert_int_equal(fbtime_parse_date("2027-02-02", &m.left_on, NULL), 0);
	assert_int_equal(report_left_by_week(&m, &in, 3), 0);
	assert_int_equal(report_left_by_week(&m, &in, 4), 1);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_report_weeks_after_a_pause),
		cmocka_unit_test(test_render_text_lists_lagging_with_reasons_in_english),
		cmocka_unit_test(test_render_text_speaks_dutch_for_a_dutch_programme),
		cmocka_unit_test(test_render_html_parses_without_external_references),
		cmocka_unit_test(test_render_csv_is_for_a_dutch_spreadsheet),
		cmocka_unit_test(test_report_refuses_a_week_out_of_range),
	};
	int rc;

	rc = testlib_run_table("report lagging", lag_cases, sizeof(lag_cases) / sizeof(lag_cases[0]),
	    sizeof(lag_cases[0]), run_lag_case, NULL, 0);
	rc |= testlib_run_table("report render", render_cases, sizeof(render_cases) /
	    sizeof(render_cases[0]), sizeof(render_cases[0]), run_render_case, NULL, 0);
	rc |= testlib_run_table("report mask", mask_cases, sizeof(mask_cases) / sizeof(mask_cases[0]),
	    sizeof(mask_cases[0]), run_mask_case, fixed, sizeof(fixed) / sizeof(fixed[0]));
	fbtime_cleanup();
	return rc;
}
