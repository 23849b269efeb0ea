/*
 * Unit tests of rtable: loading tables (comments, blanks, labels, errors naming file:line),
 * caseless Unicode matching, first-match order, hostile subjects, and every built-in table
 * compiling.
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

#include "rtable.h"

static struct rtable *
load(const char *text, unsigned opts, struct fb_error *err)
{
	return rtable_load("t.txt", text, strlen(text), opts, err);
}

/* A table that does not compile names its file and line and says why. */
struct bad_case {
	const char *name;
	const char *table;
	unsigned opts;
	const char *want; /* a part of the message */
};

static const struct bad_case bad_cases[] = {
	{ "test_rtable_bad_pattern_names_file_and_line",
	  "# comment\n\nfine\n(unclosed\n", 0, "t.txt:4: bad pattern" },
	{ "test_rtable_bad_pattern_says_why",
	  "a[b\n", 0, "missing terminating ]" },
	{ "test_rtable_bad_pattern_after_crlf_lines_counts_lines",
	  "a\r\nb\r\n*x\r\n", 0, "t.txt:3:" },
	{ "test_rtable_label_without_tab_is_an_error",
	  "quote\t^x\nsep ^y\n", RTABLE_LABELS, "t.txt:2: no tab" },
	{ "test_rtable_label_without_pattern_is_an_error",
	  "quote\t\t \n", RTABLE_LABELS, "t.txt:1:" },
	{ "test_rtable_empty_table_is_an_error",
	  "# only a comment\n\n   \n", 0, "no entries" },
	{ "test_rtable_bad_utf8_in_pattern_is_an_error",
	  "ab\xff\n", 0, "t.txt:1:" },
};

static void
run_bad(void **state)
{
	const struct bad_case *c = *state;
	struct fb_error err = { "" };
	struct rtable *t = load(c->table, c->opts, &err);

	assert_null(t);
	if (strstr(err.msg, c->want) == NULL)
		fail_msg("error '%s' lacks '%s'", err.msg, c->want);
}

/* Matching: table, subject, the index of the first entry that matches (-1 none). */
struct match_case {
	const char *name;
	const char *table;
	unsigned opts;
	const char *subject;
	long want;
};

static const char three[] =
    "# a header comment, then three entries\n"
    "   # an indented comment\n"
    "^on .* wrote:$\n"
    "\n"
    "wrote\n"
    "  ^x$  \n";

static const struct match_case match_cases[] = {
	{ "test_rtable_first_match_is_in_file_order", three, 0, "On Monday Jan wrote:", 0 },
	{ "test_rtable_later_entry_matches", three, 0, "he wrote it", 1 },
	{ "test_rtable_entry_is_trimmed", three, 0, "x", 2 },
	{ "test_rtable_no_entry_matches", three, 0, "nothing here", -1 },
	{ "test_rtable_comment_is_not_an_entry", "# wrote\nzzz\n", 0, "# wrote", -1 },
	{ "test_rtable_caseless_ascii", "^from:\n", 0, "FROM: x", 0 },
	{ "test_rtable_pattern_with_groups_matches", "^(on|op) .*[0-9].* (wrote|schreef)( x)? ?:$\n",
	  0, "On x 1 wrote:", 0 },
	{ "test_rtable_caseless_cyrillic", "написал\n", 0, "НАПИСАЛ:", 0 },
	{ "test_rtable_caseless_ukrainian", "^від:\n", 0, "ВІД: Іван", 0 },
	{ "test_rtable_caseless_greek", "έγραψε\n", 0, "Ο Γιάννης ΈΓΡΑΨΕ:", 0 },
	{ "test_rtable_caseless_accents", "^à:\n", 0, "À: jan@x.fr", 0 },
	{ "test_rtable_caseless_german", "ursprüngliche nachricht\n", 0,
	  "-----URSPRÜNGLICHE NACHRICHT-----", 0 },
	{ "test_rtable_ucp_word_class", "^\\w+ napisał\n", 0, "Łukasz napisał:", 0 },
	{ "test_rtable_dot_is_one_character", "^.{3}$\n", 0, "日本語", 0 },
	{ "test_rtable_cjk_literal", "写道[:：]$\n", 0, "在 2016年12月12日，Jan 写道：", 0 },
	{ "test_rtable_whole_anchors_both_ends", "from\nvan\n", RTABLE_WHOLE, "vanaf", -1 },
	{ "test_rtable_whole_matches_whole", "from\nvan\n", RTABLE_WHOLE, "VAN", 1 },
	{ "test_rtable_labels_match_pattern_only", "quote\t^on\nsep\t^-----\n", RTABLE_LABELS,
	  "-----Original Message-----", 1 },
	{ "test_rtable_invalid_utf8_subject_is_no_error", "wrote\n", 0, "\xff\xfe wrote \xc3", 0 },
	/* rtable_first rules entries out by the literals every match must hold (need_of): these
	 * match only if that reading of the pattern is right (caseless folding, quantifiers,
	 * groups, escapes, constructs it does not read) */
	{ "test_rtable_literal_kelvin_sign_is_k", "too\nunknown user\n", 0,
	  "550 \xe2\x84\xaanown: UN\xe2\x84\xaaNOWN USER here", 1 },
	{ "test_rtable_literal_long_s_is_s", "too\nuser unknown\n", 0, "u\xc5\xbf" "er UNKNOWN", 1 },
	{ "test_rtable_literal_optional_char_dropped", "too\ncolou?r\n", 0,
	  "the color scheme", 1 },
	{ "test_rtable_literal_counted_char_dropped", "too\nfull{0,2}y\n", 0, "FULY", 1 },
	{ "test_rtable_literal_optional_group_dropped", "too\nmailbox (is )?full\n", 0,
	  "Mailbox full", 1 },
	{ "test_rtable_literal_group_alternatives", "too\nuser (unknown|gone away)\n", 0,
	  "USER GONE AWAY", 1 },
	{ "test_rtable_literal_escaped_punctuation", "too\n5\\.1\\.1 user\n", 0,
	  "status 5.1.1 User", 1 },
	{ "test_rtable_literal_quoted_text_unread", "too\n\\Qa|bcd\\E\n", 0, "xa|bcdx", 1 },
	{ "test_rtable_literal_extended_mode_unread", "too\n(?x)use r \\s+ gone\n", 0,
	  "user   gone", 1 },
	{ "test_rtable_literal_cjk", "too\n宛先(が)?不明\n", 0, "エラー: 宛先不明です", 1 },
	{ "test_rtable_literal_class_breaks_run", "too\nerr[oe]r code\n", 0, "ERRER CODE", 1 },
	{ "test_rtable_literal_absent_no_match", "abc\nuser unknown\nxyz\n", 0,
	  "unknown user", -1 },
	{ "test_rtable_catastrophic_pattern_is_bounded", "^(a+)+$\n", 0,
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", -1 },
};

static void
run_match(void **state)
{
	const struct match_case *c = *state;
	struct fb_error err = { "" };
	struct rtable *t = load(c->table, c->opts, &err);
	struct rtable_scratch *s = rtable_scratch_new();

	if (t == NULL)
		fail_msg("load: %s", err.msg);
	assert_non_null(s);
	assert_int_equal(rtable_first(t, c->subject, strlen(c->subject), s), c->want);
	/* the same without scratch */
	assert_int_equal(rtable_first(t, c->subject, strlen(c->subject), NULL), c->want);
	assert_int_equal(rtable_any(t, c->subject, strlen(c->subject), s), c->want >= 0);
	rtable_scratch_free(s);
	rtable_free(t);
}

/* Entries keep their labels and patterns; the subject need not end in NUL. */
static void
test_rtable_labels_and_lengths(void **state)
{
	static const char tbl[] = "quote  \t\t^on\n# x\nsep\t-{5,}\n";
	struct fb_error err = { "" };
	struct rtable *t = rtable_load("t.txt", tbl, sizeof(tbl) - 1, RTABLE_LABELS, &err);

	(void)state;
	assert_non_null(t);
	assert_int_equal(rtable_count(t), 2);
	assert_string_equal(rtable_label(t, 0), "quote");
	assert_string_equal(rtable_pattern(t, 0), "^on");
	assert_string_equal(rtable_label(t, 1), "sep");
	assert_string_equal(rtable_pattern(t, 1), "-{5,}");
	assert_null(rtable_label(t, 2));
	/* "-----" cut to four bytes does not match */
	assert_int_equal(rtable_first(t, "-----x", 4, NULL), -1);
	assert_int_equal(rtable_first(t, "-----x", 5, NULL), 1);
	/* a NUL inside the subject is a byte like others */
	assert_int_equal(rtable_first(t, "x\0on", 4, NULL), -1);
	assert_int_equal(rtable_first(t, NULL, 0, NULL), -1);
	assert_int_equal(rtable_first(NULL, "on", 2, NULL), -1);
	rtable_free(t);
	rtable_free(NULL);
	rtable_scratch_free(NULL);
}

/* The table may end without "\n" and carries no data past len. */
static void
test_rtable_data_is_bounded_by_len(void **state)
{
	static const char tbl[] = "first\nsecond(";
	struct fb_error err = { "" };
	struct rtable *t = rtable_load("t.txt", tbl, 5, 0, &err);

	(void)state;
	assert_non_null(t);
	assert_int_equal(rtable_count(t), 1);
	rtable_free(t);
	assert_null(rtable_load("t.txt", tbl, sizeof(tbl) - 1, 0, &err));
	assert_non_null(strstr(err.msg, "t.txt:2:"));
}

/* Every built-in table compiles (as plain patterns; their users load them with their options
 * and test that too): a bad row fails here, naming its file and line. */
static void
test_rtable_every_builtin_table_compiles(void **state)
{
	(void)state;
	for (const struct rtable_file *f = rtable_files; f->path != NULL; f++) {
		struct fb_error err = { "" };
		struct rtable *t = rtable_load_embedded(f->path, 0, &err);

		if (t == NULL)
			fail_msg("%s", err.msg);
		rtable_free(t);
	}
}

/* A scratch that reuses what it learnt of a subject (rtable_scratch_reuse) reads a new one
 * afresh: another address, or the same address with another length. */
static void
test_rtable_scratch_reuse_reads_new_subject(void **state)
{
	struct fb_error err = { "" };
	struct rtable *t = load("mailbox full\nuser unknown\n", 0, &err);
	struct rtable_scratch *s = rtable_scratch_new();
	const char one[] = "mailbox full", two[] = "user unknown";
	const char both[] = "user unknown mailbox full";

	(void)state;
	assert_non_null(t);
	assert_non_null(s);
	rtable_scratch_reuse(s);
	assert_int_equal(rtable_first(t, one, strlen(one), s), 0);
	assert_int_equal(rtable_first(t, two, strlen(two), s), 1);
	assert_int_equal(rtable_first(t, two, strlen(two), s), 1); /* the same again */
	assert_int_equal(rtable_first(t, both, 12, s), 1);
	assert_int_equal(rtable_first(t, both, strlen(both), s), 0);
	rtable_scratch_free(s);
	rtable_free(t);
}

static void
test_rtable_unknown_builtin_table(void **state)
{
	struct fb_error err = { "" };

	(void)state;
	assert_null(rtable_load_embedded("no-such-table.txt", 0, &err));
	assert_non_null(strstr(err.msg, "no-such-table.txt"));
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_rtable_labels_and_lengths),
		cmocka_unit_test(test_rtable_data_is_bounded_by_len),
		cmocka_unit_test(test_rtable_every_builtin_table_compiles),
		cmocka_unit_test(test_rtable_unknown_builtin_table),
		cmocka_unit_test(test_rtable_scratch_reuse_reads_new_subject),
	};
	int rc;

	rc = testlib_run_table("rtable bad tables", bad_cases,
	    sizeof(bad_cases) / sizeof(bad_cases[0]), sizeof(bad_cases[0]), run_bad, NULL, 0);
	rc |= testlib_run_table("rtable matching", match_cases,
	    sizeof(match_cases) / sizeof(match_cases[0]), sizeof(match_cases[0]), run_match, fixed,
	    sizeof(fixed) / sizeof(fixed[0]));
	return rc;
}
