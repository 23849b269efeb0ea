/*
 * Unit tests of roster: CSV member lists as spreadsheets export them, every problem named with
 * its line, nothing accepted from a file with a problem.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "roster.h"
#include "testlib.h"

struct good_case {
	const char *what;
	const char *csv;
	size_t nrows;
	const char *first_name;
	const char *first_address;
	const char *last_tz;
};

static const struct good_case good[] = {
	{ "comma, English header", "name,email\nJan de Vries,jan@example.org\nPiet,Piet@Example.ORG\n",
	  2, "Jan de Vries", "jan@example.org", NULL },
	{ "semicolon, Dutch header, BOM, CRLF",
	  "\xEF\xBB\xBFNaam;E-mailadres;Tijdzone\r\nJeroen M\xC3\xABijer;jeroen@example.nl;\r\n"
	  "Anna;anna@example.nl;Europe/London\r\n",
	  2, "Jeroen M\xC3\xAB" "ijer", "jeroen@example.nl", "Europe/London" },
	{ "columns in another order, extra column ignored, quoted comma",
	  "afdeling;e-mail;naam\nHR;\"a@x.nl\";\"Vries, Jan de\"\n", 1, "Vries, Jan de", "a@x.nl", NULL },
	{ "blank lines and spaces are ignored", "name,email\n\n  Jan , jan@x.org \n,\n", 1, "Jan",
	  "jan@x.org", NULL },
	{ "domain lowercased, local part kept", "name,email\nJ,Jan.Smit@EXAMPLE.org\n", 1, "J",
	  "Jan.Smit@example.org", NULL },
};

static void
test_roster_reads_spreadsheet_exports(void **state)
{
	{
		const size_t i = TESTLIB_ROW(state, good);
		struct roster r;

		assert_int_equal(roster_parse(good[i].csv, strlen(good[i].csv), "m.csv", &r), 0);
		if (r.nproblems)
			fail_msg("%s: %s", good[i].what, r.problems.data);
		assert_int_equal(r.nrows, good[i].nrows);
		assert_string_equal(r.rows[0].name, good[i].first_name);
		assert_string_equal(r.rows[0].address, good[i].first_address);
		if (good[i].last_tz)
			assert_string_equal(r.rows[r.nrows - 1].timezone, good[i].last_tz);
		else
			assert_null(r.rows[r.nrows - 1].timezone);
		roster_release(&r);
	}
}

struct bad_case {
	const char *what;
	const char *csv;
	const char *problem; /* substring of the problems text */
};

static const struct bad_case bad[] = {
	{ "invalid address names its line", "name;email\nA;a@x.nl\nB;b-at-x.nl\nC;c@x.nl\n",
	  "m.csv:3: \"b-at-x.nl\" is not an email address" },
	{ "duplicate address names both lines", "name,email\nA,a@x.nl\nB,b@x.nl\nA2,A@X.NL\n",
	  "m.csv:4: A@x.nl is listed twice (also on line 2)" },
	{ "missing name", "name,email\n,a@x.nl\n", "m.csv:2: the name is empty" },
	{ "missing email", "name,email\nAnna,\n", "m.csv:2: the email address is empty" },
	{ "header without email column", "naam;telefoon\nA;0612345678\n",
	  "m.csv:1: the first line must name the columns" },
	{ "unknown language", "name,email,language\nA,a@x.nl,de\n",
	  "m.csv:2: language \"de\": accepted values are nl, en" },
	{ "domain without a dot", "name,email\nA,a@localhost\n", "not a full domain name" },
	{ "two addresses in one cell", "name;email\nA;a@x.nl, b@x.nl\n", "more than one address" },
	{ "empty file", "", "m.csv:1: the file is empty" },
};

/* Encodings spreadsheets save in; len given because UTF-16 and NUL bytes defeat strlen. */
#define BYTES(s) s, sizeof(s) - 1
struct encoded_case {
	const char *what;
	const char *csv;
	size_t len;
	const char *encoding;    /* what it is read as, NULL when refused */
	const char *first_name;  /* or the problem when refused */
};

static const struct encoded_case encoded[] = {
	{ "UTF-16LE with BOM", BYTES("\xFF\xFEn\0a\0m\0e\0,\0e\0m\0a\0i\0l\0\n\0J\0\xE9\0,\0j\0@\0x\0.\0n\0l\0"),
	  "UTF-16LE", "J\xC3\xA9" },
	{ "UTF-16BE with BOM", BYTES("\xFE\xFF\0n\0a\0m\0e\0,\0e\0m\0a\0i\0l\0\n\0J\0\xE9\0,\0j\0@\0x\0.\0n\0l"),
	  "UTF-16BE", "J\xC3\xA9" },
	{ "UTF-16LE without BOM", BYTES("n\0a\0m\0e\0,\0e\0m\0a\0i\0l\0\n\0J\0\xE9\0,\0j\0@\0x\0.\0n\0l\0"),
	  "UTF-16LE", "J\xC3\xA9" },
	{ "Windows-1252", BYTES("name;email\nJos\xE9 \x80;j@x.nl\n"), "Windows-1252",
	  "Jos\xC3\xA9 \xE2\x82\xAC" },
	{ "UTF-8 stays", BYTES("name;email\nJos\xC3\xA9;j@x.nl\n"), "UTF-8", "Jos\xC3\xA9" },
	{ "a NUL byte is refused with its line", BYTES("name;email\nA;a@x.nl\nJan\0tje;j@x.nl\n"), NULL,
	  "m.csv:3: a NUL byte" },
	{ "bytes of no known encoding", BYTES("name;email\nA;a@x.nl\nJ\x81;j@x.nl\n"), NULL,
	  "m.csv:3: bytes that are neither UTF-8 nor Windows-1252" },
	{ "UTF-8 then Latin-1: mixed, refused", BYTES("name;email\nJos\xC3\xA9;j@x.nl\nM\xFCller;m@x.nl\n"),
	  NULL, "m.csv:3: bytes that are not UTF-8 in a file that is UTF-8 before them" },
	{ "UTF-16 cut in the middle of a character", BYTES("\xFF\xFEn\0,\0e\0\n\0J"), NULL,
	  "not valid UTF-16LE" },
};

static void
test_roster_converts_or_refuses_encodings(void **state)
{
	{
		const size_t i = TESTLIB_ROW(state, encoded);
		const struct encoded_case *c = &encoded[i];
		struct roster r;

		assert_int_equal(roster_parse(c->csv, c->len, "m.csv", &r), 0);
		if (c->encoding == NULL) {
			if (strstr(r.problems.data, c->first_name) == NULL)
				fail_msg("%s: expected \"%s\" in \"%s\"", c->what, c->first_name,
				    r.problems.data);
			assert_int_equal(r.nrows, 0);
		} else {
			if (r.nproblems)
				fail_msg("%s: %s", c->what, r.problems.data);
			assert_string_equal(r.encoding, c->encoding);
			assert_int_equal(r.nrows, 1);
			assert_string_equal(r.rows[0].name, c->first_name);
		}
		roster_release(&r);
	}
}

static void
test_roster_reports_each_bad_line(void **state)
{
	{
		const size_t i = TESTLIB_ROW(state, bad);
		struct roster r;

		assert_int_equal(roster_parse(bad[i].csv, strlen(bad[i].csv), "m.csv", &r), 0);
		if (strstr(r.problems.data, bad[i].problem) == NULL)
			fail_msg("%s: expected \"%s\" in \"%s\"", bad[i].what, bad[i].problem,
			    r.problems.data);
		assert_true(r.nproblems > 0);
		roster_release(&r);
	}
}

static void
test_roster_counts_every_problem_not_just_the_first(void **state)
{
	const char *csv = "name,email\nA,bad1\nB,b@x.nl\nC,bad2\n";
	struct roster r;

	assert_int_equal(roster_parse(csv, strlen(csv), "m.csv", &r), 0);
	assert_int_equal(r.nproblems, 2);
	assert_non_null(strstr(r.problems.data, "m.csv:2:"));
	assert_non_null(strstr(r.problems.data, "m.csv:4:"));
	roster_release(&r);
}

int
main(void)
{
	static const struct testlib_rows rows[] = {
		TESTLIB_ROWS(test_roster_reads_spreadsheet_exports, good),
		TESTLIB_ROWS(test_roster_converts_or_refuses_encodings, encoded),
		TESTLIB_ROWS(test_roster_reports_each_bad_line, bad),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roster_counts_every_problem_not_just_the_first),
	};
	return testlib_run_rows("roster", rows, sizeof(rows) / sizeof(rows[0]), tests,
	    sizeof(tests) / sizeof(tests[0]), NULL, NULL);
}
