/*
 * Unit tests of report_actions: the improvement actions in the evaluation and follow-up
 * reports, per quadrant, text and HTML, in both languages; a heading never reads as an action
 * line (so a reply quoting the report adds nothing).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "actions.h"
#include "report_actions.h"
#include "testlib.h"

static const struct report_action two_quadrants[] = {
	{ 0, "elke vrijdag een vraag" }, { 0, "samen lunchen" }, { 3, "een <training>" },
};

struct render_case {
	const char *name;
	enum report_lang lang;
	int html;
	const struct report_action *a;
	size_t n;
	const char *want;
};

static const struct render_case cases[] = {
	{ "test_report_actions_none_renders_nothing", REPORT_LANG_NL, 0, NULL, 0, "" },
	{ "test_report_actions_none_html_renders_nothing", REPORT_LANG_EN, 1, NULL, 0, "" },
	{ "test_report_actions_text_dutch_per_quadrant", REPORT_LANG_NL, 0, two_quadrants, 3,
	  "\nVerbeteracties (uit de antwoorden op de rapporten)\n"
	  "  Het team zelf, korte termijn:\n     - elke vrijdag een vraag\n     - samen lunchen\n"
	  "  Door anderen, lange termijn:\n     - een <training>\n" },
	{ "test_report_actions_text_english", REPORT_LANG_EN, 0, two_quadrants + 2, 1,
	  "\nImprovement actions (from the replies to the reports)\n"
	  "  By others, long term:\n     - een <training>\n" },
	{ "test_report_actions_html_escaped_lists_closed", REPORT_LANG_EN, 1, two_quadrants, 3,
	  "<h3 style=\"font-family:Arial,Helvetica,sans-serif;font-size:15px;color:#1f4e79;"
	  "margin:18px 0 6px 0;\">Improvement actions (from the replies to the reports)</h3>\n"
	  "<p style=\"font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222222;"
	  "margin:8px 0 2px 0;\"><b>The team itself, short term</b></p>\n"
	  "<ul style=\"margin:0 0 6px 0;\"><li style=\"font-family:Arial,Helvetica,sans-serif;"
	  "font-size:14px;color:#222222;\">elke vrijdag een vraag</li><li style=\"font-family:"
	  "Arial,Helvetica,sans-serif;font-size:14px;color:#222222;\">samen lunchen</li></ul>\n"
	  "<p style=\"font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222222;"
	  "margin:8px 0 2px 0;\"><b>By others, long term</b></p>\n"
	  "<ul style=\"margin:0 0 6px 0;\"><li style=\"font-family:Arial,Helvetica,sans-serif;"
	  "font-size:14px;color:#222222;\">een &lt;training&gt;</li></ul>\n" },
};

static void
run_render(void **state)
{
	const struct render_case *c = *state;
	struct buf out = BUF_INIT;

	assert_int_equal(c->html ? report_actions_html(c->lang, c->a, c->n, &out) :
	    report_actions_text(c->lang, c->a, c->n, &out), 0);
	assert_string_equal(out.data, c->want);
	buf_release(&out);
}

/* The report's text, quoted back unquoted (a client that does not mark quotes), adds no
 * action and no near miss. */
static void
test_report_actions_headings_are_not_action_lines(void **state)
{
	const struct report_action all[] = { { 0, "a" }, { 1, "b" }, { 2, "c" }, { 3, "d" } };
	struct action_list l = ACTION_LIST_INIT;
	struct fb_error err = { 0 };

	(void)state;
	for (int lang = 0; lang < 2; lang++) {
		struct buf out = BUF_INIT;

		assert_int_equal(report_actions_text((enum report_lang)lang, all, 4, &out), 0);
		assert_int_equal(actions_parse(out.data, out.len, &l, &err), 0);
		assert_int_equal(l.n, 0);
		assert_int_equal(l.nnotes, 0);
		action_list_release(&l);
		buf_release(&out);
	}
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_report_actions_headings_are_not_action_lines),
	};
	return testlib_run_table("report_actions", cases, sizeof(cases) / sizeof(cases[0]),
	    sizeof(cases[0]), run_render, fixed, sizeof(fixed) / sizeof(fixed[0]));
}
