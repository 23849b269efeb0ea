/*
 * Unit tests of buf: appends keep the string terminated, growth past the first allocation,
 * detach hands over ownership, file reading respects its limit, and the failure policy (a
 * failed append changes nothing, is remembered, and only emptying the buffer forgets it).
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
#include "testlib.h"

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
	const struct utf8_case *c = &utf8_cases[TESTLIB_ROW(state, utf8_cases)];
	struct buf b = BUF_INIT;

	assert_int_equal(buf_add_utf8(&b, c->in, strlen(c->in)), c->bad);
	assert_string_equal(b.data, c->out);
	buf_release(&b);
}

/*
 * The failure policy. Every append of both families is made to fail by a buffer that pretends
 * to hold BUF_MAX - 1 bytes (its real contents are "abc"): no byte more fits, and nothing is
 * allocated. The append must refuse, say EFBIG, leave data and len alone, and stay refused.
 */
static int
add_add(struct buf *b)
{
	return buf_add(b, "xy", 2);
}

static int
add_adds(struct buf *b)
{
	return buf_adds(b, "xy");
}

static int
add_addch(struct buf *b)
{
	return buf_addch(b, 'x');
}

static int
add_addf(struct buf *b)
{
	return buf_addf(b, "%d", 42);
}

static int
add_vaddf_va(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
add_vaddf_va(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

static int
add_vaddf(struct buf *b)
{
	return add_vaddf_va(b, "%s", "xy");
}

static int
add_grow(struct buf *b)
{
	return buf_grow(b, 1);
}

static int
add_utf8(struct buf *b)
{
	return buf_add_utf8(b, "x\xFF", 2);
}

static void
put_put(struct buf *b)
{
	buf_put(b, "xy", 2);
}

static void
put_puts(struct buf *b)
{
	buf_puts(b, "xy");
}

static void
put_putch(struct buf *b)
{
	buf_putch(b, 'x');
}

static void
put_putf(struct buf *b)
{
	buf_putf(b, "%d", 42);
}

static void
put_vputf_va(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put_vputf_va(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vputf(b, fmt, ap);
	va_end(ap);
}

static void
put_vputf(struct buf *b)
{
	put_vputf_va(b, "%s", "xy");
}

static const struct fail_case {
	const char *name;
	int (*add)(struct buf *);   /* the checked family: must return -1 */
	void (*put)(struct buf *);  /* or the builders' family: must set the flag */
} fail_cases[] = {
	{ "test_buf_fail_add_returns_minus_one_and_sticks", add_add, NULL },
	{ "test_buf_fail_adds_returns_minus_one_and_sticks", add_adds, NULL },
	{ "test_buf_fail_addch_returns_minus_one_and_sticks", add_addch, NULL },
	{ "test_buf_fail_addf_returns_minus_one_and_sticks", add_addf, NULL },
	{ "test_buf_fail_vaddf_returns_minus_one_and_sticks", add_vaddf, NULL },
	{ "test_buf_fail_grow_returns_minus_one_and_sticks", add_grow, NULL },
	{ "test_buf_fail_add_utf8_returns_minus_one_and_sticks", add_utf8, NULL },
	{ "test_buf_fail_put_sets_the_flag_and_sticks", NULL, put_put },
	{ "test_buf_fail_puts_sets_the_flag_and_sticks", NULL, put_puts },
	{ "test_buf_fail_putch_sets_the_flag_and_sticks", NULL, put_putch },
	{ "test_buf_fail_putf_sets_the_flag_and_sticks", NULL, put_putf },
	{ "test_buf_fail_vputf_sets_the_flag_and_sticks", NULL, put_vputf },
};

/* b holds "abc" (allocated) and has failed one append past BUF_MAX. */
static void
fail_one(struct buf *b, const struct fail_case *c)
{
	char *data;

	assert_int_equal(buf_adds(b, "abc"), 0);
	assert_false(buf_failed(b));
	data = b->data;
	b->len = BUF_MAX - 1;   /* pretend: the next byte would pass BUF_MAX */
	errno = 0;
	if (c->add != NULL)
		assert_int_equal(c->add(b), -1);
	else
		c->put(b);
	assert_int_equal(buf_failed(b), EFBIG);
	assert_int_equal(errno, EFBIG);
	assert_ptr_equal(b->data, data);
	assert_int_equal(b->len, BUF_MAX - 1);
	b->len = 3;
	assert_string_equal(b->data, "abc");
}

static void
test_buf_fail_row(void **state)
{
	const struct fail_case *c = &fail_cases[TESTLIB_ROW(state, fail_cases)];
	struct buf b = BUF_INIT;

	fail_one(&b, c);
	/* Sticky: appends that would fit now fail too, of either family, and change nothing. */
	errno = 0;
	assert_int_equal(buf_addch(&b, 'x'), -1);
	assert_int_equal(errno, EFBIG);
	assert_int_equal(buf_adds(&b, ""), -1);
	assert_int_equal(buf_add_utf8(&b, "", 0), -1);
	buf_puts(&b, "yz");
	buf_putf(&b, "%d", 7);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.data, "abc");
	assert_int_equal(buf_failed(&b), EFBIG);
	/* Shortening keeps the failure: only emptying the buffer forgets it. */
	buf_truncate(&b, 1);
	assert_true(buf_failed(&b));
	buf_release(&b);
}

/* What forgets a failure: each leaves an empty buffer that takes appends again. */
static void
clear_reset(struct buf *b)
{
	buf_reset(b);
}

static void
clear_release(struct buf *b)
{
	buf_release(b);
}

static void
clear_init(struct buf *b)
{
	char *p = b->data;

	buf_init(b);
	free(p);
}

static void
clear_detach(struct buf *b)
{
	size_t len;
	char *p = buf_detach(b, &len);

	/* what is handed over is the text from before the failed append */
	assert_non_null(p);
	assert_string_equal(p, "abc");
	assert_int_equal(len, 3);
	free(p);
}

static const struct clear_case {
	const char *name;
	void (*clear)(struct buf *);
} clear_cases[] = {
	{ "test_buf_reset_clears_the_failure", clear_reset },
	{ "test_buf_release_clears_the_failure", clear_release },
	{ "test_buf_init_clears_the_failure", clear_init },
	{ "test_buf_detach_clears_the_failure", clear_detach },
};

static void
test_buf_clear_row(void **state)
{
	const struct clear_case *c = &clear_cases[TESTLIB_ROW(state, clear_cases)];
	struct buf b = BUF_INIT;

	fail_one(&b, &fail_cases[0]);
	c->clear(&b);
	assert_false(buf_failed(&b));
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	assert_int_equal(buf_adds(&b, "new"), 0);
	buf_putch(&b, '!');
	assert_false(buf_failed(&b));
	assert_string_equal(b.data, "new!");
	buf_release(&b);
}

/* The largest append that still fits under BUF_MAX is not refused by the limit check. */
static void
test_buf_max_boundary(void **state)
{
	struct buf b = BUF_INIT;

	b.len = BUF_MAX - 2;  /* pretend: one byte (and the NUL) still fit */
	b.alloc = BUF_MAX;    /* pretend it is allocated, so nothing is */
	assert_int_equal(buf_grow(&b, 1), 0);
	assert_false(buf_failed(&b));
	assert_int_equal(buf_grow(&b, 2), -1);
	assert_int_equal(buf_failed(&b), EFBIG);
	buf_init(&b);         /* nothing was allocated: forget the pretence */
}

/* An empty BUF_INIT buffer and a fresh buf_init() one have not failed. */
static void
test_buf_fresh_has_not_failed(void **state)
{
	struct buf a = BUF_INIT, b;

	buf_init(&b);
	assert_false(buf_failed(&a));
	assert_false(buf_failed(&b));
	buf_puts(&a, "x");
	assert_false(buf_failed(&a));
	assert_string_equal(a.data, "x");
	buf_release(&a);
}

/* Every kind of line break becomes the separator, once: CRLF is one break, not two. */
static void
test_buf_add_lines_joins_every_kind_of_break(void **state)
{
	static const struct { const char *in, *sep, *want; } cases[] = {
		{ "a\r\nb\nc\rd", " ", "a b c d" },
		{ "one", "\n   ", "one" },
		{ "", "|", "" },
		{ "x\n\ny", "|", "x||y" },
		{ "x\r\n", "\n  ", "x\n  " },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b = BUF_INIT;

		assert_int_equal(buf_add_lines(&b, cases[i].in, cases[i].sep), 0);
		assert_string_equal(b.len ? b.data : "", cases[i].want);
		buf_release(&b);
	}
}

int
main(void)
{
	static const struct testlib_rows rows[] = {
		TESTLIB_ROWS(test_buf_add_utf8_repairs_table, utf8_cases),
		TESTLIB_NAMED_ROWS(test_buf_fail_row, fail_cases),
		TESTLIB_NAMED_ROWS(test_buf_clear_row, clear_cases),
	};
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_buf_add_lines_joins_every_kind_of_break),
		cmocka_unit_test(test_buf_empty_is_terminated),
		cmocka_unit_test(test_buf_fresh_has_not_failed),
		cmocka_unit_test(test_buf_max_boundary),
		cmocka_unit_test(test_buf_addf_grows),
		cmocka_unit_test(test_buf_binary_and_truncate),
		cmocka_unit_test(test_buf_detach_transfers_ownership),
		cmocka_unit_test(test_buf_read_file_limit),
	};

	return testlib_run_rows("buf", rows, sizeof(rows) / sizeof(rows[0]), fixed,
	    sizeof(fixed) / sizeof(fixed[0]), NULL, NULL);
}
