/*
 * Unit tests of actions: the improvement actions of a reply to the progress or evaluation
 * report. One table: the trimmed text in, the actions and notes out, written as one string
 * "QUADRANT=text" per action and "!flag@line" per note, joined with " | ".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "actions.h"
#include "testlib.h"

struct parse_case {
	const char *name;
	const char *text;
	const char *want;
};

static const struct parse_case cases[] = {
	{ "test_actions_dutch_four_quadrants",
	  "Team, kort: elke vrijdag één vraag\nTeam, lang: intervisie\n"
	  "Anderen, kort: agenda vrijhouden\nAnderen, lang: een training\n",
	  "team_short=elke vrijdag één vraag | team_long=intervisie | "
	  "others_short=agenda vrijhouden | others_long=een training" },
	{ "test_actions_english_four_quadrants",
	  "Team, short: ask on Fridays\nTeam, long: peer review\nOthers, short: free the "
	  "agenda\nOthers, long: a course",
	  "team_short=ask on Fridays | team_long=peer review | others_short=free the agenda | "
	  "others_long=a course" },
	{ "test_actions_case_and_accents_ignored",
	  "TEAM, KORT: a\nteam, lÀng: b\nÄnderen, kört: c\n",
	  "team_short=a | team_long=b | others_short=c" },
	{ "test_actions_without_comma_and_with_term",
	  "Team kort: a\nTeam, korte termijn: b\nOthers, long term: c\nOthers, short-term: d\n"
	  "Anderen lange termijn: e",
	  "team_short=a | team_short=b | others_long=c | others_short=d | others_long=e" },
	{ "test_actions_bullets_markup_and_blanks",
	  "  - Team, kort:   a  \r\n* Anderen, lang: b\n\xE2\x80\xA2 Team, lang: c\n"
	  "**Team, kort:** d\n\xC2\xA0Others, short:\xC2\xA0 e",
	  "team_short=a | others_long=b | team_long=c | team_short=d | others_short=e" },
	{ "test_actions_text_goes_on_until_blank_line",
	  "Team, kort: we vragen\nelke vrijdag\neen collega\n\nDank je wel!\n",
	  "team_short=we vragen elke vrijdag een collega" },
	{ "test_actions_text_goes_on_until_next_command",
	  "Team, kort: a\nmore\nAnderen, lang: b\nstill b\nHerinner: Piet\nnot b\n",
	  "team_short=a more | others_long=b still b" },
	{ "test_actions_text_on_the_next_line",
	  "Team, lang:\n  een training\n  in mei\n",
	  "team_long=een training in mei" },
	{ "test_actions_rating_ends_text",
	  "Team, kort: a\nF12: 4\n", "team_short=a" },
	{ "test_actions_quoted_lines_not_taken",
	  "Goed rapport.\n> Team, kort: from the quote\n>> Anderen, lang: x\n",
	  "" },
	{ "test_actions_quote_ends_text",
	  "Team, kort: mine\n> quoted words\n", "team_short=mine" },
	{ "test_actions_none_in_plain_prose",
	  "Dank voor het rapport. Het team heeft het goed gedaan.\nTeamwork: prima\n"
	  "Team 3 heeft: niets\nKort: zo\nLang leve de koning: ja\n", "" },
	{ "test_actions_team_sentence_with_colon_is_prose",
	  "Team heeft deze week goed gewerkt: fijn\n", "" },
	{ "test_actions_almost_no_when",
	  "Team: we gaan het doen\n", "!almost@1" },
	{ "test_actions_almost_unknown_when",
	  "Anderen, middellang: x\nTeam, soon: y\n", "!almost@1 | !almost@2" },
	{ "test_actions_almost_typo_who",
	  "Taem, kort: x\nOther, long: y\nAnder, kort: z\n", "!almost@1 | !almost@2 | !almost@3" },
	{ "test_actions_almost_typo_when",
	  "Team, krot: x\nTeam, langer: y\n", "!almost@1 | !almost@2" },
	{ "test_actions_almost_no_colon",
	  "Team kort we gaan vragen\n", "!almost@1" },
	{ "test_actions_almost_op_korte_termijn",
	  "Team, op korte termijn: x\n", "!almost@1" },
	{ "test_actions_almost_ends_text",
	  "Team, kort: a\nTeam: b\nc\n", "team_short=a | !almost@2" },
	{ "test_actions_empty_text_is_a_note",
	  "Team, kort:\n\nAnderen, lang: b", "!empty@1 | others_long=b" },
	{ "test_actions_empty_last_line",
	  "Team, kort:   ", "!empty@1" },
	{ "test_actions_empty_input", "", "" },
	{ "test_actions_line_numbers_kept",
	  "\n\nOthers, long: x\n", "others_long=x" },
};

/* The list as one string, as the table writes it. */
static void
describe(const struct action_list *l, struct buf *out)
{
	size_t i = 0, k = 0;

	/* in the order of their lines */
	while (i < l->n || k < l->nnotes) {
		if (out->len > 0)
			assert_int_equal(buf_adds(out, " | "), 0);
		if (k >= l->nnotes || (i < l->n && l->v[i].line < l->notes[k].line)) {
			assert_int_equal(buf_addf(out, "%s=%s",
			    action_quadrant_key(action_quadrant(l->v[i].who, l->v[i].when)),
			    l->v[i].text), 0);
			i++;
		} else {
			assert_int_equal(buf_addf(out, "!%s@%zu", action_note_flag(l->notes[k].kind),
			    l->notes[k].line), 0);
			k++;
		}
	}
}

static void
run_parse(void **state)
{
	const struct parse_case *c = *state;
	struct action_list l = ACTION_LIST_INIT;
	struct fb_error err = { 0 };
	struct buf got = BUF_INIT;

	assert_int_equal(actions_parse(c->text, strlen(c->text), &l, &err), 0);
	describe(&l, &got);
	assert_string_equal(got.data, c->want);
	buf_release(&got);
	action_list_release(&l);
}

static void
test_actions_too_many_is_one_note(void **state)
{
	struct action_list l = ACTION_LIST_INIT;
	struct fb_error err = { 0 };
	struct buf in = BUF_INIT;

	(void)state;
	for (int i = 0; i < ACTIONS_MAX + 5; i++)
		assert_int_equal(buf_addf(&in, "Team, kort: a%d\n", i), 0);
	assert_int_equal(actions_parse(in.data, in.len, &l, &err), 0);
	assert_int_equal(l.n, ACTIONS_MAX);
	assert_int_equal(l.nnotes, 1);
	assert_int_equal(l.notes[0].kind, ACTION_NOTE_TOOMANY);
	assert_int_equal(l.notes[0].line, ACTIONS_MAX + 1);
	action_list_release(&l);
	buf_release(&in);
}

static void
test_actions_long_text_cut_at_a_character(void **state)
{
	struct action_list l = ACTION_LIST_INIT;
	struct fb_error err = { 0 };
	struct buf in = BUF_INIT;

	(void)state;
	assert_int_equal(buf_adds(&in, "Team, lang: x"), 0);
	for (int i = 0; i < ACTIONS_TEXT_MAX; i++)
		assert_int_equal(buf_adds(&in, "\xC3\xA9"), 0);
	assert_int_equal(actions_parse(in.data, in.len, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_true(strlen(l.v[0].text) <= ACTIONS_TEXT_MAX);
	assert_true(strlen(l.v[0].text) >= ACTIONS_TEXT_MAX - 1);
	assert_int_equal(((unsigned char)l.v[0].text[strlen(l.v[0].text) - 1]), 0xA9);
	action_list_release(&l);
	buf_release(&in);
}

static void
test_actions_quadrant_keys_round_trip(void **state)
{
	(void)state;
	for (int q = 0; q < ACTION_QUADRANTS; q++)
		assert_int_equal(action_quadrant_from_key(action_quadrant_key(q)), q);
	assert_int_equal(action_quadrant_from_key("team"), -1);
	assert_int_equal(action_quadrant_from_key(NULL), -1);
	assert_string_equal(action_quadrant_key(ACTION_QUADRANTS), "unknown");
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_actions_too_many_is_one_note),
		cmocka_unit_test(test_actions_long_text_cut_at_a_character),
		cmocka_unit_test(test_actions_quadrant_keys_round_trip),
	};
	return testlib_run_table("actions", cases, sizeof(cases) / sizeof(cases[0]),
	    sizeof(cases[0]), run_parse, fixed, sizeof(fixed) / sizeof(fixed[0]));
}
