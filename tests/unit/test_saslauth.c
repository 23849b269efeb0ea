/*
 * Unit tests of saslauth: the exact bytes of XOAUTH2's and OAUTHBEARER's initial response, the
 * gs2 escaping of the user name, and the refusal of values that would add a field of their own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "saslauth.h"

static void
check_buf(struct buf *b, const char *want)
{
	assert_false(buf_failed(b));
	assert_int_equal(b->len, strlen(want));
	assert_memory_equal(b->data, want, b->len);
}

static void
test_xoauth2(void **state)
{
	struct buf b = BUF_INIT;
	struct fb_error err;

	(void)state;
	assert_int_equal(saslauth_xoauth2(&b, "feedback@example.org", "ya29.tok", &err), 0);
	check_buf(&b, "user=feedback@example.org\x01" "auth=Bearer ya29.tok\x01\x01");
	buf_release(&b);
}

static void
test_oauthbearer(void **state)
{
	struct buf b = BUF_INIT;
	struct fb_error err;

	(void)state;
	assert_int_equal(saslauth_oauthbearer(&b, "fb@example.org", "imap.example.org", 993, "t0k",
	    &err), 0);
	check_buf(&b, "n,a=fb@example.org,\x01host=imap.example.org\x01port=993\x01"
	    "auth=Bearer t0k\x01\x01");
	buf_reset(&b);
	/* RFC 5801: ',' and '=' in the authzid are escaped; no host or port: those fields go. */
	assert_int_equal(saslauth_oauthbearer(&b, "a,b=c", NULL, 0, "t", &err), 0);
	check_buf(&b, "n,a=a=2Cb=3Dc,\x01" "auth=Bearer t\x01\x01");
	buf_release(&b);
}

static void
test_refused(void **state)
{
	static const char *const bad[] = { "", "a\x01" "b", "a\r\nb", "a\nb" };
	struct buf b = BUF_INIT;
	struct fb_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(saslauth_xoauth2(&b, "u", bad[i], &err), -1);
		assert_int_equal(saslauth_xoauth2(&b, bad[i], "t", &err), -1);
		assert_int_equal(saslauth_oauthbearer(&b, "u", "h", 1, bad[i], &err), -1);
		assert_int_equal(saslauth_oauthbearer(&b, bad[i], "h", 1, "t", &err), -1);
		assert_int_equal(b.len, 0);
	}
	assert_int_equal(saslauth_oauthbearer(&b, "u", "h\x01port=1", 1, "t", &err), -1);
	assert_non_null(strstr(err.msg, "host name"));
	assert_int_equal(b.len, 0);
	assert_int_equal(saslauth_xoauth2(&b, NULL, "t", &err), -1);
	assert_non_null(strstr(err.msg, "user name"));
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xoauth2),
		cmocka_unit_test(test_oauthbearer),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
