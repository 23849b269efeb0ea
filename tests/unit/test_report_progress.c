/*
 * test_report_progress — the progress and evaluation reports: figures against a hand-computed
 * table (volume per week, averages and change from baseline, the privacy threshold), the CSV
 * for a Dutch spreadsheet, the HTML (parsed with gumbo, only the chart srcs given), and the
 * PNG charts (read back by cairo, at the documented size).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cairo.h>
#include <gumbo.h>

#include "report_progress.h"
#include "testlib.h"
#include "banned.h"

static struct report_member_in team_a[3], team_b[1];
static struct report_pteam teams[2];

/*
 * Hand-computed:                 week 1  2  3   total
 *   Anna                              1  2  3   6
 *   Bram                              0  1  1   2
 *   Cees                              2  0  0   2
 *   team A volume                     3  3  4   10
 *   question 1: baseline 6.0 (3 answers), midterm 7.5 (2 answers) → +1.5 (min group 2)
 *   question 2: baseline 5.0 (3), midterm 9.0 (1 answer: not shown)
 *   ratings: week 2, 3.5 from 2
 */
static void
input(struct report_progress_input *in, enum report_lang lang)
{
	static const int given[3][4] = { { 0, 1, 2, 3 }, { 0, 0, 1, 1 }, { 0, 2, 0, 0 } };
	static const char *const names[3] = { "Anna", "Bram", "Cees" };

	memset(team_a, 0, sizeof(team_a));
	memset(team_b, 0, sizeof(team_b));
	memset(teams, 0, sizeof(teams));
	for (int i = 0; i < 3; i++) {
		team_a[i].name = names[i];
		for (int w = 1; w <= 3; w++)
			team_a[i].given[w] = given[i][w];
	}
	team_b[0].name = "Dirk";
	team_b[0].given[1] = 1;
	teams[0].name = "Team A";
	teams[0].members = team_a;
	teams[0].nmembers = 3;
	teams[0].sent[0] = 3;
	teams[0].answered[0] = 3;
	teams[0].sent[1] = 3;
	teams[0].answered[1] = 2;
	teams[0].avg[0][1] = 6.0;
	teams[0].navg[0][1] = 3;
	teams[0].avg[1][1] = 7.5;
	teams[0].navg[1][1] = 2;
	teams[0].avg[0][2] = 5.0;
	teams[0].navg[0][2] = 3;
	teams[0].avg[1][2] = 9.0;
	teams[0].navg[1][2] = 1;
	teams[0].rating_avg[2] = 3.5;
	teams[0].rating_n[2] = 2;
	teams[1].name = "<B&Co>";
	teams[1].members = team_b;
	teams[1].nmembers = 1;
	memset(in, 0, sizeof(*in));
	in->program = "Pilot";
	in->lang = lang;
	in->kind = REPORT_EVALUATION;
	in->weeks = 10;
	in->through_week = 3;
	in->min_group_size = 2;
	in->nquestions = 2;
	in->teams = teams;
	in->nteams = 2;
}

static void
test_progress_figures_match_the_hand_computed_table(void **state)
{
	struct report_progress_input in;
	double avg, change;

	(void)state;
	input(&in, REPORT_LANG_NL);
	assert_int_equal(report_team_volume(&teams[0], 1), 3);
	assert_int_equal(report_team_volume(&teams[0], 2), 3);
	assert_int_equal(report_team_volume(&teams[0], 3), 4);
	assert_int_equal(report_score(&in, &teams[0], 1, 1, &avg, &change), 1);
	assert_true(avg > 7.49 && avg < 7.51 && change > 1.49 && change < 1.51);
	assert_int_equal(report_score(&in, &teams[0], 1, 2, &avg, &change), 0);
	in.min_group_size = 3;
	assert_int_equal(report_score(&in, &teams[0], 1, 1, &avg, &change), 0);
	assert_int_equal(report_score(&in, &teams[0], 0, 1, &avg, &change), 1);
}

static void
test_progress_text_shows_volume_scores_and_change(void **state)
{
	struct report_progress_input in;
	struct buf out = BUF_INIT;

	(void)state;
	input(&in, REPORT_LANG_NL);
	assert_int_equal(report_progress_text(&in, &out), 0);
	assert_non_null(strstr(out.data, "Evaluatierapport — programma Pilot, weken 1-3"));
	assert_non_null(strstr(out.data, "  Team A                     3   3   4  10\n"));
	assert_non_null(strstr(out.data, "  Team A                      –  3,5    –\n"));
	assert_non_null(strstr(out.data, "  Anna                       1   2   3  6\n"));
	assert_non_null(strstr(out.data, "  1         6,0               7,5 (+1,5)        –"));
	assert_non_null(strstr(out.data, "  2         5,0               –"));
	assert_non_null(strstr(out.data, "tussenmeting 2/3 (67%)"));
	assert_null(strstr(out.data, "9,0")); /* one answer: not shown */
	buf_release(&out);
}

static void
test_progress_csv_uses_decimal_comma_for_dutch(void **state)
{
	struct report_progress_input in;
	struct buf out = BUF_INIT;

	(void)state;
	input(&in, REPORT_LANG_NL);
	assert_int_equal(report_progress_csv(&in, &out), 0);
	assert_memory_equal(out.data, "\xEF\xBB\xBFteam;cijfer;", 14);
	assert_non_null(strstr(out.data, "\r\nTeam A;gemiddelde score;tussenmeting;1;7,5\r\n"));
	assert_non_null(strstr(out.data, "\r\nTeam A;verschil met de nulmeting;tussenmeting;1;1,5\r\n"));
	assert_non_null(strstr(out.data, "\r\nTeam A;feedback team;3;;4\r\n"));
	assert_non_null(strstr(out.data, "\r\nTeam A;kwaliteit;2;;3,5\r\n"));
	assert_non_null(strstr(out.data, "\r\nTeam A;feedback teamlid;2;Anna;2\r\n"));
	buf_release(&out);
	input(&in, REPORT_LANG_EN);
	assert_int_equal(report_progress_csv(&in, &out), 0);
	assert_non_null(strstr(out.data, "\r\nTeam A;average score;midterm;1;7.5\r\n"));
	buf_release(&out);
}

struct walk {
	int imgs, bad;
	struct buf text;
};

static void
walk(const GumboNode *n, struct walk *w, int depth)
{
	const GumboVector *kids;

	if (depth > 200)
		return;
	if (n->type == GUMBO_NODE_TEXT) {
		assert_int_equal(buf_adds(&w->text, n->v.text.text), 0);
		return;
	}
	if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_DOCUMENT)
		return;
	if (n->type == GUMBO_NODE_ELEMENT) {
		const GumboVector *a = &n->v.element.attributes;

		if (n->v.element.tag == GUMBO_TAG_SCRIPT || n->v.element.tag == GUMBO_TAG_LINK)
			w->bad++;
		if (n->v.element.tag == GUMBO_TAG_IMG)
			w->imgs++;
		for (unsigned i = 0; i < a->length; i++) {
			const GumboAttribute *at = a->data[i];

			if (strcmp(at->name, "src") == 0 && strncmp(at->value, "cid:", 4) != 0)
				w->bad++;
			if (strcmp(at->name, "href") == 0 || strstr(at->value, "http") != NULL)
				w->bad++;
		}
	}
	kids = n->type == GUMBO_NODE_DOCUMENT ? &n->v.document.children : &n->v.element.children;
	for (unsigned i = 0; i < kids->length; i++)
		walk(kids->data[i], w, depth + 1);
}

static void
test_progress_html_parses_with_only_the_given_images(void **state)
{
	static const struct report_chart_ref refs[] = {
		{ "cid:volume.png@feedbackd", "volume" }, { "cid:x\"><script>@fb", "a \"quote\"" },
	};
	struct report_progress_input in;
	struct buf out = BUF_INIT;
	struct walk w = { 0, 0, BUF_INIT };
	GumboOutput *g;

	(void)state;
	input(&in, REPORT_LANG_EN);
	assert_int_equal(report_progress_html(&in, refs, 2, &out), 0);
	g = gumbo_parse_with_options(&kGumboDefaultOptions, out.data, out.len);
	assert_int_equal(g->errors.length, 0);
	walk(g->document, &w, 0);
	assert_int_equal(w.imgs, 2);
	assert_int_equal(w.bad, 0);
	assert_non_null(strstr(w.text.data, "Team <B&Co>"));
	assert_non_null(strstr(w.text.data, "7.5 (+1.5)"));
	gumbo_destroy_output(&kGumboDefaultOptions, g);
	buf_release(&w.text);
	buf_release(&out);
}

/* The ambition: question 7 answered by two (shown, min group 2), question 8 by one (not). */
static void
test_progress_ambition_shown_anonymously_from_the_group_size(void **state)
{
	static const char *const a7[] = { "Feedback geven & ontvangen", "<b>Luisteren</b>\nen doorvragen" };
	static const char *const a8[] = { "Sneller leren" };
	static const struct report_ambition amb[] = {
		{ 7, "Aan welke thema's wil je werken?", a7, 2 },
		{ 8, "Hoe helpt feedback?", a8, 1 },
	};
	struct report_progress_input in;
	struct buf out = BUF_INIT;
	struct walk w = { 0, 0, BUF_INIT };
	GumboOutput *g;

	(void)state;
	input(&in, REPORT_LANG_NL);
	teams[0].ambition = amb;
	teams[0].nambition = 2;
	assert_int_equal(report_progress_text(&in, &out), 0);
	assert_non_null(strstr(out.data, "\nAmbitie van het team (nulmeting, anoniem)\n"
	    "  7. Aan welke thema's wil je werken?\n     - Feedback geven & ontvangen\n"
	    "     - <b>Luisteren</b>\n       en doorvragen\n  8. Hoe helpt feedback?\n"
	    "     (minder dan 2 antwoorden: niet getoond)\n"));
	assert_null(strstr(out.data, "Sneller leren"));
	buf_reset(&out);
	assert_int_equal(report_progress_csv(&in, &out), 0);
	assert_non_null(strstr(out.data, "\r\nTeam A;ambitie;nulmeting;7;Feedback geven & ontvangen\r\n"));
	assert_non_null(strstr(out.data, "\r\nTeam A;ambitie;nulmeting;7;\"<b>Luisteren</b>\nen doorvragen\"\r\n"));
	assert_null(strstr(out.data, "Sneller leren"));
	buf_reset(&out);
	assert_int_equal(report_progress_html(&in, NULL, 0, &out), 0);
	assert_non_null(strstr(out.data, "&lt;b&gt;Luisteren&lt;/b&gt;"));
	g = gumbo_parse_with_options(&kGumboDefaultOptions, out.data, out.len);
	assert_int_equal(g->errors.length, 0);
	walk(g->document, &w, 0);
	assert_int_equal(w.bad, 0);
	assert_non_null(strstr(w.text.data, "Ambitie van het team"));
	assert_non_null(strstr(w.text.data, "Feedback geven & ontvangen"));
	assert_non_null(strstr(w.text.data, "Minder dan 2 antwoorden: niet getoond."));
	assert_null(strstr(w.text.data, "Sneller leren"));
	gumbo_destroy_output(&kGumboDefaultOptions, g);
	buf_release(&w.text);
	/* Team B got no baseline: no ambition section for it. */
	buf_reset(&out);
	teams[0].nambition = 0;
	assert_int_equal(report_progress_text(&in, &out), 0);
	assert_null(strstr(out.data, "Ambitie"));
	buf_release(&out);
}

/* The renderers mask the answers themselves (mask.h): names in every form, addresses, phones. */
static void
test_progress_ambition_masked_by_the_renderers(void **state)
{
	static const char *const a7[] = { "Zoals Mevr. Bakker en J. de Vries het doen",
		"Vraag het Anne (06-12345678)" };
	static const struct report_ambition amb[] = { { 7, "Aan welke thema's?", a7, 2 } };
	static const char *const names[] = { "Anne Bakker", "Jan de Vries" };
	static const char *const hidden[] = { "Bakker", "Vries", "Anne", "12345678", "Mevr" };
	struct report_progress_input in;
	struct buf out = BUF_INIT;

	(void)state;
	input(&in, REPORT_LANG_NL);
	teams[0].ambition = amb;
	teams[0].nambition = 1;
	teams[0].mask_names = names;
	teams[0].nmask_names = 2;
	for (int f = 0; f < 3; f++) {
		buf_reset(&out);
		assert_int_equal(f == 0 ? report_progress_text(&in, &out) : f == 1 ?
		    report_progress_csv(&in, &out) : report_progress_html(&in, NULL, 0, &out), 0);
		assert_non_null(strstr(out.data, "Zoals [naam] en [naam] het doen"));
		assert_non_null(strstr(out.data, "Vraag het [naam] ([naam])"));
		for (size_t k = 0; k < sizeof(hidden) / sizeof(hidden[0]); k++)
			if (strstr(out.data, hidden[k]) != NULL)
				fail_msg("format %d shows \"%s\"", f, hidden[k]);
	}
	teams[0].nambition = 0;
	teams[0].mask_names = NULL;
	teams[0].nmask_names = 0;
	buf_release(&out);
}

struct png_reader {
	const struct buf *b;
	size_t at;
};

static cairo_status_t
read_png(void *closure, unsigned char *data, unsigned int len)
{
	struct png_reader *r = closure;

	if (r->at + len > r->b->len)
		return CAIRO_STATUS_READ_ERROR;
	memcpy(data, r->b->data + r->at, len);
	r->at += len;
	return CAIRO_STATUS_SUCCESS;
}

static void
assert_png(const struct buf *png, int w, int h)
{
	struct png_reader r = { png, 0 };
	cairo_surface_t *s;

	assert_true(png->len > 100);
	assert_memory_equal(png->data, "\x89PNG\r\n\x1a\n", 8);
	s = cairo_image_surface_create_from_png_stream(read_png, &r);
	assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
	assert_int_equal(cairo_image_surface_get_width(s), w);
	assert_int_equal(cairo_image_surface_get_height(s), h);
	cairo_surface_destroy(s);
}

static void
test_progress_charts_decode_at_their_size(void **state)
{
	struct report_progress_input in;
	struct buf png = BUF_INIT;
	struct fb_error err;

	(void)state;
	input(&in, REPORT_LANG_NL);
	assert_int_equal(report_chart_volume(&in, &png, &err), 0);
	assert_png(&png, REPORT_CHART_W, REPORT_CHART_H);
	buf_reset(&png);
	assert_int_equal(report_chart_ratings(&in, &png, &err), 0);
	assert_png(&png, REPORT_CHART_W, REPORT_CHART_H);
	buf_reset(&png);
	assert_int_equal(report_chart_scores(&in, &teams[0], &png, &err), 0);
	assert_png(&png, REPORT_CHART_W, REPORT_CHART_H);
	buf_reset(&png);
	assert_int_equal(report_chart_members(&in, &teams[0], &png, &err), 0);
	assert_png(&png, REPORT_CHART_W, report_chart_members_height(&teams[0]));
	/* An empty programme still draws. */
	in.nteams = 0;
	in.nquestions = 0;
	buf_reset(&png);
	assert_int_equal(report_chart_volume(&in, &png, &err), 0);
	assert_png(&png, REPORT_CHART_W, REPORT_CHART_H);
	buf_release(&png);
	report_chart_cleanup();
}

/* Substrings of s, "|"-separated: each must be there (want) or not (!want). */
static void
assert_words(const char *what, const char *s, const char *list, int want)
{
	while (*list != '\0') {
		size_t n = strcspn(list, "|");
		char w[120];

		snprintf(w, sizeof(w), "%.*s", (int)n, list);
		if ((strstr(s, w) != NULL) != want)
			fail_msg("%s %s \"%s\":\n%s", what, want ? "lacks" : "has", w, s);
		list += n + (list[n] == '|');
	}
}

/* Every word of the report (text, CSV, HTML, the charts' alt texts and the title the mail's
 * subject uses) comes in the programme's language, none in the other. */
static void
test_progress_words_in_the_reports_language(void **state)
{
	static const struct {
		enum report_lang lang;
		enum report_progress_kind kind;
		const char *title, *says, *not;
	} cases[] = {
		{ REPORT_LANG_NL, REPORT_EVALUATION, "Evaluatierapport", "Respons per meting|"
		    "Gemiddelde score per vraag|teamlid|verstuurd|feedback per week|"
		    "kwaliteitsbeoordelingen per week|scores per vraag, team Team A|"
		    "feedback per teamlid, team Team A", "Evaluation|Response|Average|per member|member feedback|sent;|"
		    "quality|question|fewer than|weeks" },
		{ REPORT_LANG_EN, REPORT_EVALUATION, "Evaluation report", "Response per measurement|"
		    "Average score per question|member|sent|feedback per week|quality ratings per "
		    "week|scores per question, team Team A|feedback per member, team Team A",
		    "Evaluatie|Respons per|Gemiddelde|teamlid|verstuurd|kwaliteit|vraag|minder dan|weken" },
		{ REPORT_LANG_NL, REPORT_PROGRESS, "Voortgangsrapport", "Voortgangsrapport",
		    "Progress report" },
		{ REPORT_LANG_EN, REPORT_PROGRESS, "Progress report", "Progress report",
		    "Voortgangsrapport" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct report_progress_input in;
		struct report_charts charts = REPORT_CHARTS_INIT;
		struct report_chart_ref refs[2 + 2 * 2];
		struct buf all = BUF_INIT;
		struct fb_error err;

		input(&in, cases[i].lang);
		in.kind = cases[i].kind;
		assert_string_equal(report_progress_title(&in), cases[i].title);
		assert_int_equal(report_charts_make(&in, &charts, &err), 0);
		assert_int_equal(charts.n, 6);
		for (size_t k = 0; k < charts.n; k++) {
			refs[k].src = charts.v[k].name;
			refs[k].alt = charts.v[k].alt;
		}
		assert_int_equal(report_progress_text(&in, &all), 0);
		assert_int_equal(report_progress_csv(&in, &all), 0);
		assert_int_equal(report_progress_html(&in, refs, charts.n, &all), 0);
		assert_words(cases[i].title, all.data, cases[i].says, 1);
		assert_words(cases[i].title, all.data, cases[i].not, 0);
		report_charts_release(&charts);
		buf_release(&all);
	}
	report_chart_cleanup();
}

/* The order of needles in hay: each found after the one before; fails naming the first out of
 * place. */
static void
assert_in_order(const char *hay, const char *const *needles, size_t n)
{
	const char *at = hay;

	for (size_t i = 0; i < n; i++) {
		const char *f = strstr(at, needles[i]);

		if (f == NULL)
			fail_msg("\"%s\" missing or out of order in:\n%s", needles[i], hay);
		at = f + strlen(needles[i]);
	}
}

/* The evaluation follows the conversation: per team what went well first (picked by
 * report_wins), then recognise, understand, appreciate, improve with the figures under each;
 * the improvement actions under improve, masked; the progress report keeps its layout. */
static void
test_evaluation_follows_the_discussion_structure(void **state)
{
	static const char *const nl[] = {
		"== Team Team A ==", "Wat ging goed",
		"  - De grootste verbetering: vraag 1 ging van 6,0 bij de nulmeting naar 7,5 bij de "
		"tussenmeting (+1,5).", "  - De actiefste week: week 3, met 4 keer feedback gegeven.",
		"  - Iedereen deed mee: alle 3 teamleden gaven minstens één keer feedback.",
		"  - Respons: 3 van de 3 vulden de nulmeting in (100%).",
		"1. Herkennen — wat zien we?", "Respons per meting", "Gegeven feedback per week, het "
		"hele team", "   3   3   4  10", "Gegeven feedback per teamlid per week",
		"2. Begrijpen — hoe komt dat?", "Gemiddelde score per vraag",
		"3. Waarderen — wat heeft het opgeleverd?",
		"Gestegen sinds de nulmeting: vraag 1 (+1,5) — tussenmeting", "week 2: 3,5",
		"4. Verbeteren — wat gaan we anders doen?", "Gedaald sinds de nulmeting: geen",
		"Verbeteracties", "  Het team zelf, korte termijn:",
		"     - elke maandag vraagt [naam] om feedback", "  Door anderen, lange termijn:",
		"     - een vaste feedbackronde", "== Team <B&Co> ==", "Wat ging goed",
		"In de cijfers springt (nog) niets uit", "1. Herkennen", "2. Begrijpen",
		"3. Waarderen", "4. Verbeteren", "(nog geen verbeteracties)",
		"== Alle teams naast elkaar ==", "Gegeven feedback per week, per team",
	};
	static const char *const en[] = {
		"What went well", "The most active week: week 3, with feedback given 4 times.",
		"1. Recognise — what do we see?", "2. Understand — how did it come about?",
		"3. Appreciate — what did it bring?", "4. Improve — what will we do differently?",
		"Improvement actions",
	};
	static const char *const html[] = {
		"<h2", "Team A", ">Wat ging goed</h3>", "De actiefste week: week 3",
		">1. Herkennen — wat zien we?</h3>", ">2. Begrijpen — hoe komt dat?</h3>",
		">3. Waarderen — wat heeft het opgeleverd?</h3>",
		">4. Verbeteren — wat gaan we anders doen?</h3>", "Het team zelf, korte termijn",
		"elke maandag vraagt [naam] om feedback", "&lt;B&amp;Co&gt;", ">Wat ging goed</h3>",
		">Alle teams naast elkaar</h3>", "<img src=\"volume.png\"",
	};
	static const struct report_action actions[] = {
		{ 0, "elke maandag vraagt Bram om feedback" },  /* ACTION_TEAM, ACTION_SHORT */
		{ 3, "een vaste feedbackronde" },               /* ACTION_OTHERS, ACTION_LONG */
	};
	static const char *const mask[] = { "Bram" };
	struct report_chart_ref ref = { "volume.png", "chart" };
	struct report_progress_input in;
	struct buf out = BUF_INIT;

	(void)state;
	input(&in, REPORT_LANG_NL);
	teams[0].actions = actions;
	teams[0].nactions = 2;
	teams[0].mask_names = mask;
	teams[0].nmask_names = 1;
	team_b[0].given[1] = 0; /* team B: nothing to celebrate */
	assert_int_equal(report_progress_text(&in, &out), 0);
	assert_in_order(out.data, nl, sizeof(nl) / sizeof(nl[0]));
	assert_null(strstr(out.data, "vraagt Bram"));
	buf_reset(&out);
	assert_int_equal(report_progress_html(&in, &ref, 1, &out), 0);
	assert_in_order(out.data, html, sizeof(html) / sizeof(html[0]));
	buf_reset(&out);
	input(&in, REPORT_LANG_EN);
	assert_int_equal(report_progress_text(&in, &out), 0);
	assert_in_order(out.data, en, sizeof(en) / sizeof(en[0]));
	buf_reset(&out);
	/* The progress report: the overview first, none of the conversation's headings. */
	input(&in, REPORT_LANG_NL);
	in.kind = REPORT_PROGRESS;
	assert_int_equal(report_progress_text(&in, &out), 0);
	assert_null(strstr(out.data, "Wat ging goed"));
	assert_null(strstr(out.data, "Herkennen"));
	assert_true(strstr(out.data, "Gegeven feedback per week, per team") <
	    strstr(out.data, "== Team Team A =="));
	buf_release(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_progress_figures_match_the_hand_computed_table),
		cmocka_unit_test(test_progress_text_shows_volume_scores_and_change),
		cmocka_unit_test(test_progress_csv_uses_decimal_comma_for_dutch),
		cmocka_unit_test(test_progress_html_parses_with_only_the_given_images),
		cmocka_unit_test(test_progress_charts_decode_at_their_size),
		cmocka_unit_test(test_progress_words_in_the_reports_language),
		cmocka_unit_test(test_progress_ambition_shown_anonymously_from_the_group_size),
		cmocka_unit_test(test_progress_ambition_masked_by_the_renderers),
		cmocka_unit_test(test_evaluation_follows_the_discussion_structure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
