/*
 * Unit tests of buf: appends keep the string terminated, growth past the first allocation,
 * detach hands over ownership, file reading respects its limit.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "buf.h"

static void
test_buf_empty_is_terminated(void **state)
{
	struct buf b = BUF_INIT;

	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	buf_release(&b);
	assert_string_equal(b.data, "");
}

static void
test_buf_addf_grows(void **state)
{
	struct buf b = BUF_INIT;

	for (int i = 0; i < 1000; i++)
		assert_int_equal(buf_addf(&b, "%d,", i % 10), 0);
	assert_int_equal(b.len, 2000);
	assert_int_equal(strncmp(b.data, "0,1,2,", 6), 0);
	assert_int_equal(b.data[b.len], '\0');
	buf_release(&b);
}

static void
test_buf_binary_and_truncate(void **state)
{
	struct buf b = BUF_INIT;

	assert_int_equal(buf_add(&b, "a\0b  \r\n", 7), 0);
	assert_int_equal(b.len, 7);
	buf_rtrim(&b);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b", 3);
	buf_truncate(&b, 1);
	assert_string_equal(b.data, "a");
	buf_release(&b);
}

static void
test_buf_detach_transfers_ownership(void **state)
{
	struct buf b = BUF_INIT;
	size_t len;
	char *s;

	s = buf_detach(&b, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(buf_adds(&b, "hello"), 0);
	s = buf_detach(&b, &len);
	assert_string_equal(s, "hello");
	assert_int_equal(len, 5);
	assert_int_equal(b.len, 0);
	free(s);
}

static void
test_buf_read_file_limit(void **state)
{
	char path[] = "/tmp/fbbufXXXXXX";
	int fd = mkstemp(path);
	struct buf b = BUF_INIT;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "0123456789", 10), 10);
	close(fd);
	assert_int_equal(buf_read_file(&b, path, 100), 0);
	assert_string_equal(b.data, "0123456789");
	buf_reset(&b);
	assert_int_equal(buf_read_file(&b, path, 5), -1);
	assert_int_equal(errno, EFBIG);
	assert_int_equal(b.len, 0);
	unlink(path);
	assert_int_equal(buf_read_file(&b, path, 5), -1);
	assert_int_equal(errno, ENOENT);
	buf_release(&b);
}

/* buf_add_utf8: valid UTF-8 passes unchanged, each bad byte becomes U+FFFD. */
static const struct utf8_case {
	const char *in, *out;
	int bad;
} utf8_cases[] = {
	{ "Jos\xC3\xA9", "Jos\xC3\xA9", 0 },
	{ "M\xFCller", "M\xEF\xBF\xBDller", 1 },            /* Latin-1 ü */
	{ "\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD", 2 },         /* overlong '/' */
	{ "\xED\xA0\x80x", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDx", 3 }, /* a surrogate */
	{ "cut \xE2\x82", "cut \xEF\xBF\xBD\xEF\xBF\xBD", 2 },
	{ "\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80", 0 },
};

static void
test_buf_add_utf8_repairs_table(void **state)
{
	for (size_t i = 0; i < sizeof(utf8_cases) / sizeof(utf8_cases[0]); i++) {
		struct buf b = BUF_INIT;

		assert_int_equal(buf_add_utf8(&b, utf8_cases[i].in, strlen(utf8_cases[i].in)),
		    utf8_cases[i].bad);
		assert_string_equal(b.data, utf8_cases[i].out);
		buf_release(&b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_empty_is_terminated),
		cmocka_unit_test(test_buf_add_utf8_repairs_table),
		cmocka_unit_test(test_buf_addf_grows),
		cmocka_unit_test(test_buf_binary_and_truncate),
		cmocka_unit_test(test_buf_detach_transfers_ownership),
		cmocka_unit_test(test_buf_read_file_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
