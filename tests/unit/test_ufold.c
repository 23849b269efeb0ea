/*
 * Unit tests of ufold: UTF-8 decoding that never reads past the end and turns every malformed
 * byte into a value of its own, and the folding that makes "ÉLODIE", "elodie" and "Élodie" one
 * name (and "ИВАН", "иван" one too).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ufold.h"

struct decode_case {
	const char *in;
	size_t len;
	uint32_t want[4];
	size_t n;
};

static const struct decode_case decode_cases[] = {
	{ "a", 1, { 'a' }, 1 },
	{ "\xc3\xa9", 2, { 0xE9 }, 1 },                       /* é */
	{ "\xe2\x80\x99x", 4, { 0x2019, 'x' }, 2 },          /* ’x */
	{ "\xf0\x9f\x98\x80", 4, { 0x1F600 }, 1 },           /* an emoji */
	{ "\xc3", 1, { UFOLD_BAD(0xC3) }, 1 },               /* cut short at the end */
	{ "\xc0\xaf", 2, { UFOLD_BAD(0xC0), UFOLD_BAD(0xAF) }, 2 },           /* overlong */
	{ "\xe0\x80\xaf", 3, { UFOLD_BAD(0xE0), UFOLD_BAD(0x80), UFOLD_BAD(0xAF) }, 3 },
	{ "\xed\xa0\x80", 3, { UFOLD_BAD(0xED), UFOLD_BAD(0xA0), UFOLD_BAD(0x80) }, 3 }, /* surrogate */
	{ "\xc3x", 2, { UFOLD_BAD(0xC3), 'x' }, 2 },         /* a continuation byte missing */
};

static void
test_ufold_decode(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(decode_cases) / sizeof(decode_cases[0]); k++) {
		const struct decode_case *c = &decode_cases[k];
		size_t i = 0, n = 0;

		while (i < c->len) {
			assert_true(n < c->n);
			assert_int_equal(ufold_next(c->in, c->len, &i), c->want[n]);
			n++;
		}
		assert_int_equal(i, c->len);
		assert_int_equal(n, c->n);
	}
	assert_true(UFOLD_IS_BAD(UFOLD_BAD(0xFF)));
	assert_false(UFOLD_IS_BAD(0x10FFFF));
}

static const uint32_t fold_cases[][2] = {
	{ 'A', 'a' }, { 'z', 'z' }, { '1', '1' },
	{ 0xC9, 'e' }, { 0xE9, 'e' }, { 0xD6, 'o' }, { 0xDF, 0xDF },   /* É é Ö ß */
	{ 0xC6, 0xE6 }, { 0xD7, 0xD7 },                                 /* Æ → æ, × stays */
	{ 0x141, 'l' }, { 0x15A, 's' }, { 0x17D, 'z' },                 /* Ł Ś Ž */
	{ 0x2019, '\'' }, { 0x2018, '\'' }, { 0x02BC, '\'' },
	{ 0x418, 0x438 }, { 0x42F, 0x44F }, { 0x401, 0x451 },           /* И Я Ё */
	{ 0x3A3, 0x3C3 },                                               /* Σ */
	{ 0x5C71, 0x5C71 }, { 0x1F600, 0x1F600 },                       /* 山, an emoji */
};

static void
test_ufold_cp(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(fold_cases) / sizeof(fold_cases[0]); k++)
		assert_int_equal(ufold_cp(fold_cases[k][0]), fold_cases[k][1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ufold_decode),
		cmocka_unit_test(test_ufold_cp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
