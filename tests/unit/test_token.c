/*
 * Unit tests of token: tokens are a function of the random bytes given (known vectors), fresh
 * ones (fbrandom_bytes) are valid, distinct and use all their bits; the finders
 * recognise our forms in addresses, Message-IDs and subjects, case-insensitively, and nothing
 * that merely looks close.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fbrandom.h"
#include "token.h"

#define TOK "k7m2qv4xw3bn5rt6yh2jd4pa7e"

static void
test_token_new_is_valid_and_distinct(void **state)
{
	char a[TOKEN_LEN + 1], b[TOKEN_LEN + 1];
	unsigned char ra[TOKEN_RANDOM_BYTES], rb[TOKEN_RANDOM_BYTES];
	struct fb_error err;

	assert_int_equal(fbrandom_bytes(ra, sizeof(ra), &err), 0);
	assert_int_equal(fbrandom_bytes(rb, sizeof(rb), &err), 0);
	token_new(a, ra);
	token_new(b, rb);
	assert_int_equal(strlen(a), TOKEN_LEN);
	assert_true(token_valid(a, strlen(a)));
	for (size_t i = 0; i < TOKEN_LEN; i++)
		assert_non_null(strchr("abcdefghijklmnopqrstuvwxyz234567", a[i]));
	assert_string_not_equal(a, b);
}

/* 130 bits in 26 characters: the first and the last character each take all 32 values, which
 * fails if the encoder drops or repeats bits. */
static void
test_token_new_uses_every_bit(void **state)
{
	int first[32] = { 0 }, last[32] = { 0 };
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

	for (int i = 0; i < 3000; i++) {
		char t[TOKEN_LEN + 1];
		unsigned char r[TOKEN_RANDOM_BYTES];

		assert_int_equal(fbrandom_bytes(r, sizeof(r), NULL), 0);
		token_new(t, r);
		first[strchr(b32, t[0]) - b32]++;
		last[strchr(b32, t[TOKEN_LEN - 1]) - b32]++;
	}
	for (int i = 0; i < 32; i++) {
		assert_true(first[i] > 0);
		assert_true(last[i] > 0);
	}
}

/* The token is the first 130 bits of the bytes given, in base32: no randomness of its own. */
static const struct bytes_case {
	unsigned char first, last;   /* raw[0] and raw[16]; the bytes between are 0 */
	const char *token;
} BYTES[] = {
	{ 0x00, 0x00, "aaaaaaaaaaaaaaaaaaaaaaaaaa" },
	{ 0x08, 0x00, "baaaaaaaaaaaaaaaaaaaaaaaaa" },    /* 00001 */
	{ 0xf8, 0x00, "7aaaaaaaaaaaaaaaaaaaaaaaaa" },    /* 11111 */
	{ 0x00, 0xc0, "aaaaaaaaaaaaaaaaaaaaaaaaad" },    /* bits 128..129: the last 2 of char 26 */
	{ 0x00, 0x3f, "aaaaaaaaaaaaaaaaaaaaaaaaaa" },    /* bits 130..135 are not used */
};

static void
test_token_new_from_bytes_table(void **state)
{
	for (size_t i = 0; i < sizeof(BYTES) / sizeof(BYTES[0]); i++) {
		unsigned char r[TOKEN_RANDOM_BYTES] = { 0 };
		char t[TOKEN_LEN + 1];

		r[0] = BYTES[i].first;
		r[TOKEN_RANDOM_BYTES - 1] = BYTES[i].last;
		token_new(t, r);
		if (strcmp(t, BYTES[i].token) != 0)
			fail_msg("row %zu: %s, expected %s", i, t, BYTES[i].token);
	}
}

static const struct valid_case {
	const char *s;
	int valid;
} VALID[] = {
	{ TOK, 1 },
	{ "K7M2QV4XW3BN5RT6YH2JD4PA7E", 1 },          /* case-insensitive */
	{ "k7m2qv4xw3bn5rt6yh2jd4pa7", 0 },           /* 25 */
	{ "k7m2qv4xw3bn5rt6yh2jd4pa7ee", 0 },         /* 27 */
	{ "k7m2qv4xw3bn5rt6yh2jd4pa71", 0 },          /* 1 is not base32 */
	{ "k7m2qv4xw3bn5rt6yh2jd4pa78", 0 },          /* nor 8 */
	{ "k7m2qv4xw3bn5rt6yh2jd4pa7=", 0 },
	{ "", 0 },
};

static void
test_token_valid_table(void **state)
{
	for (size_t i = 0; i < sizeof(VALID) / sizeof(VALID[0]); i++)
		assert_int_equal(token_valid(VALID[i].s, strlen(VALID[i].s)), VALID[i].valid);
	assert_int_equal(token_valid(NULL, 0), 0);
}

/* input, expected token or NULL */
static const struct find_case {
	const char *in;
	const char *want;
} ADDRESSES[] = {
	{ "feedback+" TOK "@example.org", TOK },
	{ "Feedback+K7M2QV4XW3BN5RT6YH2JD4PA7E@Example.org", TOK },
	{ "<feedback+" TOK "@example.org>", TOK },
	{ "a+b+" TOK "@example.org", TOK },                 /* the last '+' */
	{ "feedback@example.org", NULL },
	{ "feedback+@example.org", NULL },
	{ "feedback+" TOK "x@example.org", NULL },
	{ "feedback+short@example.org", NULL },
	{ "feedback+" TOK, NULL },                           /* no domain */
	{ "", NULL },
}, MSGIDS[] = {
	{ "<" TOK ".abcdefghijklmnop@example.org>", TOK },
	{ "  <" TOK ".x@example.org>", TOK },
	{ TOK ".abc@example.org", TOK },
	{ "<" "K7M2QV4XW3BN5RT6YH2JD4PA7E" ".abc@example.org>", TOK },
	{ "<" TOK "@example.org>", NULL },                  /* no dot after the token */
	{ "<" TOK ".abc>", NULL },                          /* no @ */
	{ "<x" TOK ".abc@example.org>", NULL },
	{ "<CAF=abc@mail.gmail.com>", NULL },
	{ "<abc", NULL },
	{ "", NULL },
}, SUBJECTS[] = {
	{ "Re: Feedbackverzoek week 3 [#" TOK "]", TOK },
	{ "AW: [#" "K7M2QV4XW3BN5RT6YH2JD4PA7E" "] Feedback", TOK },
	{ "[#short] and later [#" TOK "]", TOK },
	{ "Re: Feedback [" TOK "]", NULL },
	{ "Re: Feedback [#" TOK, NULL },
	{ "Re: Feedback #" TOK, NULL },
	{ "[#", NULL },
	{ "", NULL },
};

static void
check_finder(const struct find_case *c, size_t n, int (*find)(const char *, char *))
{
	for (size_t i = 0; i < n; i++) {
		char out[TOKEN_LEN + 1] = "";
		int rc = find(c[i].in, out);

		if (c[i].want != NULL) {
			if (rc != 0)
				fail_msg("no token found in '%s'", c[i].in);
			assert_string_equal(out, c[i].want);
		} else if (rc != -1) {
			fail_msg("token '%s' found in '%s'", out, c[i].in);
		}
	}
	{
		char out[TOKEN_LEN + 1];

		assert_int_equal(find(NULL, out), -1);
	}
}

static void
test_token_from_address_table(void **state)
{
	check_finder(ADDRESSES, sizeof(ADDRESSES) / sizeof(ADDRESSES[0]), token_from_address);
}

static void
test_token_from_message_id_table(void **state)
{
	check_finder(MSGIDS, sizeof(MSGIDS) / sizeof(MSGIDS[0]), token_from_message_id);
}

static void
test_token_from_subject_table(void **state)
{
	check_finder(SUBJECTS, sizeof(SUBJECTS) / sizeof(SUBJECTS[0]), token_from_subject);
}

static void
test_token_message_id_round_trip_and_unique(void **state)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	char out[TOKEN_LEN + 1];
	unsigned char ra[TOKEN_ID_RANDOM_BYTES], rb[TOKEN_ID_RANDOM_BYTES];

	assert_int_equal(fbrandom_bytes(ra, sizeof(ra), NULL), 0);
	assert_int_equal(fbrandom_bytes(rb, sizeof(rb), NULL), 0);
	assert_int_equal(token_message_id("K7M2QV4XW3BN5RT6YH2JD4PA7E", "example.org", ra, &a), 0);
	assert_int_equal(token_message_id(TOK, "example.org", rb, &b), 0);
	assert_int_equal(a.len, 1 + TOKEN_LEN + 1 + 16 + 1 + strlen("example.org") + 1);
	assert_int_equal(strncmp(a.data, "<" TOK ".", TOKEN_LEN + 2), 0);
	assert_string_equal(a.data + a.len - 13, "@example.org>");
	assert_int_equal(token_from_message_id(a.data, out), 0);
	assert_string_equal(out, TOK);
	assert_string_not_equal(a.data, b.data);
	buf_release(&a);
	buf_release(&b);
}

static void
test_token_message_id_refuses_bad_input(void **state)
{
	struct buf b = BUF_INIT;
	static const unsigned char r[TOKEN_ID_RANDOM_BYTES] = { 0 };

	assert_int_equal(token_message_id("short", "example.org", r, &b), -1);
	assert_int_equal(token_message_id(TOK, "", r, &b), -1);
	assert_int_equal(token_message_id(TOK, "exa mple.org", r, &b), -1);
	assert_int_equal(token_message_id(TOK, "example.org>\r\nBcc: x", r, &b), -1);
	assert_int_equal(token_message_id(NULL, "example.org", r, &b), -1);
	assert_int_equal(b.len, 0);
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_new_is_valid_and_distinct),
		cmocka_unit_test(test_token_new_uses_every_bit),
		cmocka_unit_test(test_token_new_from_bytes_table),
		cmocka_unit_test(test_token_valid_table),
		cmocka_unit_test(test_token_from_address_table),
		cmocka_unit_test(test_token_from_message_id_table),
		cmocka_unit_test(test_token_from_subject_table),
		cmocka_unit_test(test_token_message_id_round_trip_and_unique),
		cmocka_unit_test(test_token_message_id_refuses_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
