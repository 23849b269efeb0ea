/*
 * testlib.h — helpers shared by the unit tests (include after <cmocka.h>).
 */
#ifndef FB_TESTLIB_H
#define FB_TESTLIB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "fbtime.h"

/*
 * Run every row of a table of cases as a cmocka test of its own, named by the row's first
 * member (a const char *) and run by run() with the row as its state, then the fixed tests.
 * So a failing case is reported by name and adding a case is one line.
 */
static inline int
testlib_run_table(const char *group, const void *cases, size_t ncases, size_t rowsize,
    CMUnitTestFunction run, const struct CMUnitTest *fixed, size_t nfixed)
{
	struct CMUnitTest *tests = calloc(ncases + nfixed, sizeof(*tests));
	int rc;

	if (tests == NULL)
		return 1;
	for (size_t i = 0; i < ncases; i++) {
		const char *row = (const char *)cases + i * rowsize;

		tests[i].name = *(const char *const *)(const void *)row;
		tests[i].test_func = run;
		tests[i].initial_state = (void *)(uintptr_t)row;
	}
	if (nfixed)
		memcpy(tests + ncases, fixed, nfixed * sizeof(*fixed));
	rc = _cmocka_run_group_tests(group, tests, ncases + nfixed, NULL, NULL);
	free(tests);
	return rc;
}

/*
 * A table that a test function reads one row at a time, for tables whose rows carry no name:
 * TESTLIB_ROWS(fn, table) in the list given to testlib_run_rows() registers fn once per row,
 * named "fn #i", with the row as its state; fn finds its row with TESTLIB_ROW(state, table)
 * (the index). So the first failing row no longer hides the others: each is reported alone.
 */
struct testlib_rows {
	const char *name;
	const void *rows;
	size_t nrows, rowsize;
	CMUnitTestFunction run;
	int named;      /* 1: each row's first member is its test name (a const char *) */
};
#define TESTLIB_ROWS(fn, table) \
	{ #fn, (table), sizeof(table) / sizeof((table)[0]), sizeof((table)[0]), (fn), 0 }
/* As testlib_run_table(): rows named by their first member. */
#define TESTLIB_NAMED_ROWS(fn, table) \
	{ #fn, (table), sizeof(table) / sizeof((table)[0]), sizeof((table)[0]), (fn), 1 }
#define TESTLIB_ROW(state, table) \
	((size_t)((const char *)*(state) - (const char *)(table)) / sizeof((table)[0]))

/* Run every row of every table as a test of its own, then the fixed tests, between the group's
 * setup and teardown (either may be NULL). */
static inline int
testlib_run_rows(const char *group, const struct testlib_rows *tables, size_t ntables,
    const struct CMUnitTest *fixed, size_t nfixed, CMFixtureFunction setup,
    CMFixtureFunction teardown)
{
	size_t n = 0, k = 0;
	struct CMUnitTest *tests;
	int rc = 1;

	for (size_t t = 0; t < ntables; t++)
		n += tables[t].nrows;
	tests = calloc(n + nfixed + 1, sizeof(*tests));
	if (tests == NULL)
		return 1;
	for (size_t t = 0; t < ntables; t++) {
		for (size_t i = 0; i < tables[t].nrows; i++, k++) {
			const char *row = (const char *)tables[t].rows + i * tables[t].rowsize;
			const char *own = tables[t].named ? *(const char *const *)(const void *)row : NULL;
			size_t len = strlen(own ? own : tables[t].name) + 24;
			char *name = malloc(len);

			if (name == NULL)
				goto out;
			if (own)
				snprintf(name, len, "%s", own);
			else
				snprintf(name, len, "%s #%zu", tables[t].name, i);
			tests[k].name = name;
			tests[k].test_func = tables[t].run;
			tests[k].initial_state = (void *)(uintptr_t)row;
		}
	}
	if (nfixed)
		memcpy(tests + n, fixed, nfixed * sizeof(*fixed));
	rc = _cmocka_run_group_tests(group, tests, n + nfixed, setup, teardown);
out:
	for (size_t i = 0; i < k; i++)
		free((void *)(uintptr_t)tests[i].name);
	free(tests);
	return rc;
}

/* t as "YYYY-MM-DDTHH:MM:SSZ" in a static buffer, for readable assertions. */
static inline const char *
testlib_utc(time_t t)
{
	static char out[64];
	struct buf b = BUF_INIT;

	assert_int_equal(fbtime_format_utc(t, &b), 0);
	snprintf(out, sizeof(out), "%s", b.data);
	buf_release(&b);
	return out;
}

#endif
