/*
 * Unit tests of the two helpers every table and CSV file of feedbackd goes through since they
 * were merged from their copies: buf_utf8_width (aligned columns in the CLI and the text
 * reports) and report_csv_text (the weekly and the progress report's CSV). One row per case,
 * each its own cmocka test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testlib.h"

#include "buf.h"
#include "report.h"

struct column_case {
	const char *label;
	const char *in;          /* NULL: report_csv_text(NULL) */
	size_t width;            /* buf_utf8_width(in, strlen(in)) */
	const char *csv;         /* report_csv_text(in) */
};

static const struct column_case cases[] = {
	{ "ascii", "Sales", 5, "Sales" },
	{ "empty", "", 0, "" },
	{ "null_is_an_empty_field", NULL, 0, "" },
	{ "two_byte_letters_count_once", "Jos\xC3\xA9 M\xC3\xBCller", 11, "Jos\xC3\xA9 M\xC3\xBCller" },
	{ "emoji_counts_once", "\xF0\x9F\x98\x80!", 2, "\xF0\x9F\x98\x80!" },
	{ "separator_is_quoted", "Luisteren; doorvragen", 21, "\"Luisteren; doorvragen\"" },
	{ "quote_is_doubled", "zei \"goed\"", 10, "\"zei \"\"goed\"\"\"" },
	{ "line_end_is_quoted", "a\r\nb", 4, "\"a\r\nb\"" },
	{ "formula_gets_an_apostrophe", "=SUM(A1)", 8, "'=SUM(A1)" },
	{ "minus_gets_an_apostrophe", "-1", 2, "'-1" },
	{ "at_quoted_and_apostrophe", "@x;y", 4, "\"'@x;y\"" },
	{ "comma_is_not_the_separator", "1,5", 3, "1,5" },
};

static void
run_case(void **state)
{
	const struct column_case *c = *state;
	struct buf b = BUF_INIT;

	if (c->in != NULL)
		assert_int_equal(buf_utf8_width(c->in, strlen(c->in)), c->width);
	assert_int_equal(buf_adds(&b, "x;"), 0);
	assert_int_equal(report_csv_text(&b, c->in), 0);
	assert_string_equal(b.data + 2, c->csv);
	buf_release(&b);
}

/* A width over part of a string (report_progress pads what it just wrote). */
static void
test_columns_width_of_a_range(void **state)
{
	const char *s = "\xC3\xA9t\xC3\xA9";

	(void)state;
	assert_int_equal(buf_utf8_width(s, 3), 2);
	assert_int_equal(buf_utf8_width(s + 3, 2), 1);
	assert_int_equal(buf_utf8_width(s, 0), 0);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_columns_width_of_a_range),
	};

	return testlib_run_table("columns", cases, sizeof(cases) / sizeof(cases[0]),
	    sizeof(cases[0]), run_case, fixed, sizeof(fixed) / sizeof(fixed[0]));
}
