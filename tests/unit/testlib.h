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
