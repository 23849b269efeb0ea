/*
 * test_team_picture — the team's picture for its members: figures summed over the team, every
 * figure that rests on fewer than min_group_size people replaced by "–" with the reason, no
 * member's name anywhere (the ambition's names masked), the member's language, HTML escaped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "team_picture.h"
#include "testlib.h"
#include "banned.h"

static struct report_member_in members[4];
static struct report_pteam team;
static struct report_ambition ambition[2];
static const char *const q7_answers[] = { "elkaar vaker aanspreken", "samen met Bram oefenen",
	"<script>vragen</script> stellen" };
static const char *const q9_answers[] = { "een open team", "feedback als gewoonte" };
static const char *const mask[] = { "Anna Smit", "Bram Bos", "Cees Kok", "Dirk Dam" };

/*
 * Weeks 1-3:        1  2  3
 *   Anna            2  1  0
 *   Bram            1  2  0
 *   Cees            0  3  0
 *   Dirk            0  0  0
 *   givers          2  3  0   → with min_group_size 3 week 1 is not shown (2 people), week 2
 *                                (6) is, and week 3 (nobody) shows the team's 0
 */
static void
input(struct team_picture_in *in, enum report_lang lang)
{
	static const int given[4][4] = { { 0, 2, 1, 0 }, { 0, 1, 2, 0 }, { 0, 0, 3, 0 },
		{ 0, 0, 0, 0 } };

	memset(members, 0, sizeof(members));
	memset(&team, 0, sizeof(team));
	for (int i = 0; i < 4; i++) {
		members[i].name = mask[i];
		for (int w = 1; w <= 3; w++)
			members[i].given[w] = given[i][w];
	}
	ambition[0] = (struct report_ambition){ 7, "Aan welke vaardigheden wil je werken?",
	    q7_answers, 3 };
	ambition[1] = (struct report_ambition){ 9, "Wat is het gewenste eindresultaat?",
	    q9_answers, 2 };
	team.name = "Blauw";
	team.members = members;
	team.nmembers = 4;
	team.sent[0] = 4;
	team.answered[0] = 3;
	team.sent[1] = 2;      /* fewer than 3 got the midterm yet: not shown */
	team.answered[1] = 1;
	team.ambition = ambition;
	team.nambition = 2;
	team.mask_names = mask;
	team.nmask_names = 4;
	memset(in, 0, sizeof(*in));
	in->lang = lang;
	in->through_week = 3;
	in->min_group_size = 3;
	in->team = &team;
	in->requests = 6;
	in->requests_answered = 3;
	in->askers = 2;
}

static void
assert_has(const char *s, const char *want, int yes)
{
	if ((strstr(s, want) != NULL) != yes)
		fail_msg("%s \"%s\" in:\n%s", yes ? "no" : "unexpected", want, s);
}

static void
test_picture_rules_follow_the_group_size(void **state)
{
	struct team_picture_in in;

	(void)state;
	input(&in, REPORT_LANG_NL);
	assert_int_equal(team_picture_givers(&in, 1), 2);
	assert_int_equal(team_picture_week_shown(&in, 1), 0);
	assert_int_equal(team_picture_week_shown(&in, 2), 1);
	assert_int_equal(team_picture_week_shown(&in, 3), 1);
	assert_int_equal(team_picture_response_shown(&in, 0), 1);
	assert_int_equal(team_picture_response_shown(&in, 1), 0);
	assert_int_equal(team_picture_requests_shown(&in), 0);
	assert_int_equal(team_picture_ambition_shown(&in, &ambition[0]), 1);
	assert_int_equal(team_picture_ambition_shown(&in, &ambition[1]), 0);
	in.askers = 3;
	assert_int_equal(team_picture_requests_shown(&in), 1);
	in.min_group_size = 2;
	assert_int_equal(team_picture_week_shown(&in, 1), 1);
	assert_int_equal(team_picture_ambition_shown(&in, &ambition[1]), 1);
}

static void
test_picture_text_is_anonymous_and_says_why(void **state)
{
	static const char *const says[] = {
		"Gegeven feedback per week, het hele team samen\n",
		"  week  1  –  (minder dan 3 mensen gaven die week feedback)\n",
		"  week  2  ██████████████████████████████ 6\n",
		"  week  3  0\n",
		"  nulmeting           3 van de 4 vulden de vragenlijst in (75%)\n",
		"  tussenmeting        –  (minder dan 3 mensen kregen deze vragenlijst)\n",
		"  feedbackvragen      –  (minder dan 3 mensen vroegen om feedback)\n",
		"  Aan welke vaardigheden wil je werken?\n", "    - samen met [naam] oefenen\n",
		"  Wat is het gewenste eindresultaat?\n    –  (minder dan 3 antwoorden: niet getoond)\n",
		"– : niet getoond, omdat het cijfer op minder dan 3 mensen rust",
	};
	struct team_picture_in in;
	struct buf out = BUF_INIT;

	(void)state;
	input(&in, REPORT_LANG_NL);
	assert_int_equal(team_picture_text(&in, &out), 0);
	for (size_t i = 0; i < sizeof(says) / sizeof(says[0]); i++)
		assert_has(out.data, says[i], 1);
	for (size_t i = 0; i < 4; i++) {
		char first[16];

		snprintf(first, sizeof(first), "%.4s", mask[i]);
		assert_has(out.data, first, 0);
	}
	assert_has(out.data, "een open team", 0);     /* two answers: not shown */
	/* With enough askers the requests are shown; with a group of one nothing is hidden and
	 * the reason is not given. */
	buf_reset(&out);
	in.askers = 3;
	in.min_group_size = 1;
	assert_int_equal(team_picture_text(&in, &out), 0);
	assert_has(out.data, "  feedbackvragen      6 gevraagd, 3 beantwoord (50%)\n", 1);
	assert_has(out.data, "  week  1  ███████████████ 3\n", 1);
	assert_has(out.data, "    - een open team\n", 1);
	assert_has(out.data, "niet getoond", 0);
	buf_release(&out);
}

static void
test_picture_in_english_and_html_escaped(void **state)
{
	struct team_picture_in in;
	struct buf out = BUF_INIT;

	(void)state;
	input(&in, REPORT_LANG_EN);
	assert_int_equal(team_picture_text(&in, &out), 0);
	assert_has(out.data, "Feedback given per week, the whole team together", 1);
	assert_has(out.data, "fewer than 3 people gave feedback that week", 1);
	assert_has(out.data, "  baseline            3 of 4 answered the questionnaire (75%)", 1);
	assert_has(out.data, "– : not shown, because the figure rests on fewer than 3 people", 1);
	assert_has(out.data, "minder dan", 0);
	assert_has(out.data, "[name]", 1);
	buf_reset(&out);
	assert_int_equal(team_picture_html(&in, &out), 0);
	assert_has(out.data, "&lt;script&gt;vragen&lt;/script&gt; stellen", 1);
	assert_has(out.data, "<script>", 0);
	assert_has(out.data, "<img", 0);
	assert_has(out.data, "– (fewer than 3 people gave feedback that week)", 1);
	assert_has(out.data, ">6</td>", 1);
	for (size_t i = 0; i < 4; i++) {
		char first[16];

		snprintf(first, sizeof(first), "%.4s", mask[i]);
		assert_has(out.data, first, 0);
	}
	buf_release(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_picture_rules_follow_the_group_size),
		cmocka_unit_test(test_picture_text_is_anonymous_and_says_why),
		cmocka_unit_test(test_picture_in_english_and_html_escaped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
