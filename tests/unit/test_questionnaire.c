/*
 * Unit tests of questionnaire: the file format (every accepted form, every rejection named with
 * FILE:LINE and what is accepted), the built-in files of both languages, directory overrides,
 * and the summary statistics of scores.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "measure.h"
#include "questionnaire.h"
#include "testlib.h"

/* ---- parsing: a table of files and what must come out ------------------------------------ */

struct parse_case {
	const char *name;
	const char *text;
	const char *error;      /* NULL: accepted; else a part of the error message */
	size_t n;               /* questions when accepted */
	unsigned last_number;
	int last_open;
	const char *last_text;
};

static const struct parse_case cases[] = {
	{ "test_questionnaire_plain_file", "title: T\n1 scale: A?\n2 open: B?\n", NULL, 2, 2, 1,
	  "B?" },
	{ "test_questionnaire_comments_blanks_crlf_bom",
	  "\xEF\xBB\xBF# c\r\n\r\ntitle: T\r\n  # indented comment\r\n1 scale: A?\r\n", NULL, 1, 1,
	  0, "A?" },
	{ "test_questionnaire_gaps_in_numbers_allowed", "title: T\n1 scale: A\n5 scale: B\n", NULL,
	  2, 5, 0, "B" },
	{ "test_questionnaire_spaces_and_tabs_around", "title:   T  \n 3\t open:  x y  \n", NULL, 1,
	  3, 1, "x y" },
	{ "test_questionnaire_no_final_newline", "title: T\n1 scale: A", NULL, 1, 1, 0, "A" },
	{ "test_questionnaire_utf8_text", "title: 0-meting\n1 scale: Hoe vaak geef je "
	  "collega\xE2\x80\x99s kritiek?\n", NULL, 1, 1, 0,
	  "Hoe vaak geef je collega\xE2\x80\x99s kritiek?" },
	{ "test_questionnaire_rejects_missing_title", "1 scale: A\n", "f.txt: no title", 0, 0, 0,
	  NULL },
	{ "test_questionnaire_rejects_no_questions", "title: T\n# none\n", "f.txt: no questions",
	  0, 0, 0, NULL },
	{ "test_questionnaire_rejects_unknown_type", "title: T\n1 choice: A\n",
	  "f.txt:2: question 1 has no type", 0, 0, 0, NULL },
	{ "test_questionnaire_rejects_free_line", "title: T\nHow are you?\n",
	  "f.txt:2: not a question line; accepted:", 0, 0, 0, NULL },
	{ "test_questionnaire_rejects_duplicate_number", "title: T\n1 scale: A\n1 open: B\n",
	  "f.txt:3: question 1 after question 1", 0, 0, 0, NULL },
	{ "test_questionnaire_rejects_decreasing_number", "title: T\n4 scale: A\n2 open: B\n",
	  "f.txt:3: question 2 after question 4", 0, 0, 0, NULL },
	{ "test_questionnaire_rejects_number_zero", "title: T\n0 scale: A\n",
	  "f.txt:2: question number 0", 0, 0, 0, NULL },
	{ "test_questionnaire_rejects_number_too_big", "title: T\n100 scale: A\n",
	  "f.txt:2: question number 100", 0, 0, 0, NULL },
	{ "test_questionnaire_rejects_leading_zero", "title: T\n01 scale: A\n",
	  "f.txt:2: question number 01", 0, 0, 0, NULL },
	{ "test_questionnaire_rejects_huge_number", "title: T\n123456789012 scale: A\n",
	  "f.txt:2: not a question line", 0, 0, 0, NULL },
	{ "test_questionnaire_rejects_empty_question", "title: T\n1 scale:   \n",
	  "f.txt:2: the text is missing", 0, 0, 0, NULL },
	{ "test_questionnaire_rejects_second_title", "title: T\ntitle: U\n1 scale: A\n",
	  "f.txt:2: a second title", 0, 0, 0, NULL },
	{ "test_questionnaire_rejects_title_after_questions", "1 scale: A\ntitle: T\n",
	  "f.txt:2: the title comes after", 0, 0, 0, NULL },
	{ "test_questionnaire_rejects_control_character", "title: T\n1 scale: A\x01 B\n",
	  "f.txt:2: a control character", 0, 0, 0, NULL },
	{ "test_questionnaire_rejects_number_without_space", "title: T\n1scale: A\n",
	  "f.txt:2: not a question line", 0, 0, 0, NULL },
	{ "test_questionnaire_actions_question_is_open", "title: T\n1 scale: A\n7 actions: B?\n",
	  NULL, 2, 7, 1, "B?" },
	{ "test_questionnaire_unknown_type_names_actions", "title: T\n1 action: A\n",
	  "or \"1 actions: question\"", 0, 0, 0, NULL },
};

/* questionnaire_for_actions(): a team with actions gets them named in the "actions" question,
 * one per line; a team without gets the questionnaire without it; other questions as they
 * are. */
static void
test_questionnaire_for_actions_names_or_leaves_out(void **state)
{
	static const char file[] = "title: T\n1 scale: A\n2 actions: What came of them?\n"
	    "3 open: C\n";
	const char *const texts[] = { "ask on Fridays", "a course" };
	struct questionnaire q = QUESTIONNAIRE_INIT, out = QUESTIONNAIRE_INIT;
	struct fb_error err = { 0 };

	(void)state;
	assert_int_equal(questionnaire_parse("f.txt", file, strlen(file), &q, &err), 0);
	assert_int_equal(q.q[1].about_actions, 1);
	assert_int_equal(q.q[0].about_actions, 0);
	assert_int_equal(questionnaire_for_actions(&q, texts, 2, &out, &err), 0);
	assert_int_equal(out.n, 3);
	assert_string_equal(out.title, "T");
	assert_string_equal(out.q[1].text, "What came of them?\n     - ask on Fridays\n     - a course");
	assert_int_equal(out.q[1].type, QUESTIONNAIRE_OPEN);
	assert_string_equal(out.q[2].text, "C");
	assert_int_equal(questionnaire_for_actions(&q, NULL, 0, &out, &err), 0);
	assert_int_equal(out.n, 2);
	assert_int_equal(out.q[0].number, 1);
	assert_int_equal(out.q[1].number, 3);
	assert_null(questionnaire_find(&out, 2));
	questionnaire_release(&out);
	questionnaire_release(&q);
}

static void
run_parse(void **state)
{
	const struct parse_case *c = *state;
	struct questionnaire q = QUESTIONNAIRE_INIT;
	struct fb_error err = { "" };
	int rc = questionnaire_parse("f.txt", c->text, strlen(c->text), &q, &err);

	if (c->error == NULL) {
		if (rc != 0)
			fail_msg("%s: rejected: %s", c->name, err.msg);
		assert_int_equal(q.n, c->n);
		assert_int_equal(q.q[q.n - 1].number, c->last_number);
		assert_int_equal(q.q[q.n - 1].type == QUESTIONNAIRE_OPEN, c->last_open);
		assert_string_equal(q.q[q.n - 1].text, c->last_text);
		assert_non_null(q.title);
	} else {
		assert_int_equal(rc, -1);
		if (strstr(err.msg, c->error) == NULL)
			fail_msg("%s: expected \"%s\" in \"%s\"", c->name, c->error, err.msg);
		assert_int_equal(q.n, 0);
		assert_null(q.title);
	}
	questionnaire_release(&q);
}

/* ---- fixed tests ----------------------------------------------------------------------------- */

static void
test_questionnaire_rejects_nul_and_oversize(void **state)
{
	struct questionnaire q = QUESTIONNAIRE_INIT;
	struct fb_error err;
	static const char nul[] = "title: T\n1 scale: A\0B\n";
	char *big = malloc(QUESTIONNAIRE_MAX_FILE + 2);

	(void)state;
	assert_int_equal(questionnaire_parse("f", nul, sizeof(nul) - 1, &q, &err), -1);
	assert_non_null(strstr(err.msg, "NUL"));
	assert_non_null(big);
	memset(big, '#', QUESTIONNAIRE_MAX_FILE + 1);
	assert_int_equal(questionnaire_parse("f", big, QUESTIONNAIRE_MAX_FILE + 1, &q, &err), -1);
	assert_non_null(strstr(err.msg, "at most"));
	free(big);
}

static void
test_questionnaire_rejects_too_many_questions(void **state)
{
	struct questionnaire q = QUESTIONNAIRE_INIT;
	struct fb_error err;
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(buf_adds(&b, "title: T\n"), 0);
	for (int i = 1; i <= QUESTIONNAIRE_MAX_QUESTIONS + 1; i++)
		assert_int_equal(buf_addf(&b, "%d scale: Q\n", i), 0);
	assert_int_equal(questionnaire_parse("f", b.data, b.len, &q, &err), -1);
	assert_non_null(strstr(err.msg, "more than"));
	buf_release(&b);
}

/* Every built-in file loads; the six common scale questions are numbered alike in all; the
 * follow-up ends with its question about the team's improvement actions. */
static void
test_questionnaire_builtin_files_load_in_both_languages(void **state)
{
	static const char *const langs[] = { "nl", "en" };
	static const char *const ms[] = { "baseline", "midterm", "final", "followup" };
	static const size_t nq[] = { 9, 6, 7, 7 };

	(void)state;
	for (size_t l = 0; l < 2; l++)
		for (size_t m = 0; m < 4; m++) {
			struct questionnaire q = QUESTIONNAIRE_INIT;
			struct fb_error err;

			if (measure_questionnaire_load(NULL, langs[l], ms[m], &q, &err) < 0)
				fail_msg("%s/%s: %s", langs[l], ms[m], err.msg);
			assert_int_equal(q.n, nq[m]);
			for (unsigned i = 1; i <= 6; i++)
				assert_int_equal(questionnaire_find(&q, i)->type, QUESTIONNAIRE_SCALE);
			assert_int_equal(q.q[q.n - 1].type,
			    m == 0 || m == 2 || m == 3 ? QUESTIONNAIRE_OPEN : QUESTIONNAIRE_SCALE);
			assert_int_equal(q.q[q.n - 1].about_actions, m == 3);
			assert_null(questionnaire_find(&q, 42));
			questionnaire_release(&q);
		}
}

static void
test_questionnaire_directory_overrides_file_by_file(void **state)
{
	char dir[] = "/tmp/fbq-XXXXXX";
	struct questionnaire q = QUESTIONNAIRE_INIT;
	struct fb_error err;
	struct buf p = BUF_INIT;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(buf_addf(&p, "%s/en", dir), 0);
	assert_int_equal(mkdir(p.data, 0700), 0);
	assert_int_equal(buf_adds(&p, "/questionnaires"), 0);
	assert_int_equal(mkdir(p.data, 0700), 0);
	assert_int_equal(buf_adds(&p, "/midterm.txt"), 0);
	assert_non_null(fp = fopen(p.data, "w"));
	fputs("title: Halfway\n\n3 scale: Only this\n4 open why\n", fp);
	fclose(fp);

	/* The malformed override is rejected with its path and line. */
	assert_int_equal(measure_questionnaire_load(dir, "en", "midterm", &q, &err), -1);
	assert_non_null(strstr(err.msg, "/en/questionnaires/midterm.txt:4: "));
	assert_non_null(fp = fopen(p.data, "w"));
	fputs("title: Halfway\n3 scale: Only this\n", fp);
	fclose(fp);
	assert_int_equal(measure_questionnaire_load(dir, "en", "midterm", &q, &err), 0);
	assert_string_equal(q.title, "Halfway");
	assert_int_equal(q.n, 1);
	/* Files the directory does not have come built in. */
	assert_int_equal(measure_questionnaire_load(dir, "en", "final", &q, &err), 0);
	assert_int_equal(q.n, 7);
	assert_int_equal(measure_questionnaire_load(dir, "en", "nonsense", &q, &err), -1);
	assert_non_null(strstr(err.msg, "no questionnaire en/questionnaires/nonsense.txt"));
	questionnaire_release(&q);
	unlink(p.data);
	buf_truncate(&p, strlen(dir) + 18);
	rmdir(p.data);
	buf_truncate(&p, strlen(dir) + 3);
	rmdir(p.data);
	rmdir(dir);
	buf_release(&p);
}

struct stats_case {
	const char *name;
	int scores[12];
	size_t n;
	size_t counted;
	double average, median;
	int mode_score;
	size_t mode_count;
};

static const struct stats_case stats[] = {
	{ "empty", { 0 }, 0, 0, 0, 0, 0, 0 },
	{ "one", { 7 }, 1, 1, 7, 7, 7, 1 },
	{ "odd", { 8, 2, 6 }, 3, 3, 16.0 / 3, 6, 6, 1 },
	{ "even_takes_middle_mean", { 3, 9, 4, 8 }, 4, 4, 6, 6, 8, 1 },
	{ "ties", { 5, 5, 5, 10 }, 4, 4, 6.25, 5, 5, 3 },
	{ "out_of_range_not_counted", { -1, 11, 0, 10 }, 4, 2, 5, 5, 0, 1 },
};

static void
test_questionnaire_stats_average_median_distribution(void **state)
{
	{
		const size_t i = TESTLIB_ROW(state, stats);
		const struct stats_case *c = &stats[i];
		struct questionnaire_stats s;

		questionnaire_stats(c->scores, c->n, &s);
		if (s.n != c->counted || s.average < c->average - 1e-9 ||
		    s.average > c->average + 1e-9 || s.median != c->median ||
		    s.dist[c->mode_score] != c->mode_count)
			fail_msg("%s: n %zu avg %f median %f", c->name, s.n, s.average, s.median);
	}
}

int
main(void)
{
	static const struct testlib_rows rows[] = {
		TESTLIB_NAMED_ROWS(run_parse, cases),
		TESTLIB_ROWS(test_questionnaire_stats_average_median_distribution, stats),
	};
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_questionnaire_rejects_nul_and_oversize),
		cmocka_unit_test(test_questionnaire_rejects_too_many_questions),
		cmocka_unit_test(test_questionnaire_builtin_files_load_in_both_languages),
		cmocka_unit_test(test_questionnaire_directory_overrides_file_by_file),
		cmocka_unit_test(test_questionnaire_for_actions_names_or_leaves_out),
	};
	return testlib_run_rows("questionnaire", rows, sizeof(rows) / sizeof(rows[0]), fixed,
	    sizeof(fixed) / sizeof(fixed[0]), NULL, NULL);
}
