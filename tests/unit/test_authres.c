/*
 * Unit tests of authres: the RFC 8601 parser on real servers' headers (Postfix with OpenDKIM
 * and OpenDMARC, Exchange Online, Gmail) and on hostile ones (unterminated comments, deep
 * nesting, too many results, junk after a result), then the verdict: only trusted authserv-ids
 * count, dkim alignment, dmarc header.from, and a smuggled pass never outweighs the server's
 * own fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "authres.h"
#include "message.h"
#include "testlib.h"

/* A header value in; parsed or not, and what is read. */
static const struct parse_case {
	const char *name, *value;
	int rc;                     /* 0 parsed, 1 refused */
	const char *id;             /* authserv-id */
	size_t nresults;
	const char *method, *result, *ptype, *property, *pvalue; /* of the last result */
} PARSES[] = {
	{ "opendmarc", "mx.example.org; dmarc=pass (p=none dis=none) header.from=example.nl",
	  0, "mx.example.org", 1, "dmarc", "pass", "header", "from", "example.nl" },
	{ "opendkim with version and comment",
	  "mx.example.org 1; dkim=pass (2048-bit key; unprotected) header.d=example.nl "
	  "header.i=@example.nl header.a=rsa-sha256 header.s=s1 header.b=AbC+/9x=",
	  0, "mx.example.org", 1, "dkim", "pass", "header", "b", "AbC+/9x=" },
	/* Exchange Online writes no authserv-id: it cannot be told from a forged header */
	{ "exchange online",
	  "spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=example.nl; dkim=pass (signature was "
	  "verified) header.d=example.nl;dmarc=pass action=none header.from=example.nl;"
	  "compauth=pass reason=100",
	  1, NULL, 0, NULL, NULL, NULL, NULL, NULL },
	{ "exchange online with its id",
	  "mx.microsoft.com 1; spf=pass smtp.mailfrom=example.nl; dkim=pass "
	  "header.d=example.nl; dmarc=pass action=none header.from=example.nl; compauth=pass "
	  "reason=100",
	  0, "mx.microsoft.com", 4, "compauth", "pass", NULL, NULL, NULL },
	{ "gmail", "mx.google.com; dkim=pass header.i=@example.nl header.s=g header.b=\"x/y\"; "
	  "spf=pass (google.com: domain of jan@example.nl designates 2001:db8::1 as permitted "
	  "sender) smtp.mailfrom=jan@example.nl; dmarc=pass (p=REJECT sp=REJECT dis=NONE) "
	  "header.from=example.nl",
	  0, "mx.google.com", 3, "dmarc", "pass", "header", "from", "example.nl" },
	{ "no result", "mx.example.org; none", 0, "mx.example.org", 0, NULL, NULL, NULL, NULL,
	  NULL },
	{ "method version and reason", "mx.example.org; dkim/1 = fail reason=\"bad sig\" "
	  "header.d = example.nl", 0, "mx.example.org", 1, "dkim", "fail", "header", "d",
	  "example.nl" },
	{ "quoted authserv-id", "\"mx.example.org\"; dmarc=fail header.from=example.nl", 0,
	  "mx.example.org", 1, "dmarc", "fail", "header", "from", "example.nl" },
	{ "upper case is read as lower", "MX.Example.ORG; DMARC=PASS Header.From=example.nl", 0,
	  "mx.example.org", 1, "dmarc", "pass", "header", "from", "example.nl" },
	{ "trailing semicolon", "mx.example.org; dkim=pass header.d=example.nl;", 0,
	  "mx.example.org", 1, "dkim", "pass", "header", "d", "example.nl" },
	{ "empty", "", 1, NULL, 0, NULL, NULL, NULL, NULL, NULL },
	{ "only an id", "mx.example.org", 0, "mx.example.org", 0, NULL, NULL, NULL, NULL, NULL },
	{ "no equals", "mx.example.org; dkim pass", 1, NULL, 0, NULL, NULL, NULL, NULL, NULL },
	{ "no result keyword", "mx.example.org; dkim=", 1, NULL, 0, NULL, NULL, NULL, NULL, NULL },
	{ "junk after a result", "mx.example.org; dmarc=pass <script> header.from=example.nl",
	  1, NULL, 0, NULL, NULL, NULL, NULL, NULL },
	{ "unterminated comment", "mx.example.org; dmarc=pass (header.from=example.nl", 1, NULL,
	  0, NULL, NULL, NULL, NULL, NULL },
	{ "comment nested too deep", "mx.example.org (((((((((((x))))))))))); dmarc=pass", 1,
	  NULL, 0, NULL, NULL, NULL, NULL, NULL },
	{ "unterminated quoted string", "mx.example.org; dkim=pass header.b=\"abc", 1, NULL, 0,
	  NULL, NULL, NULL, NULL, NULL },
	{ "none then more", "mx.example.org; none; dmarc=pass", 1, NULL, 0, NULL, NULL, NULL,
	  NULL, NULL },
	{ "a comment with a quoted paren", "mx.example.org; dmarc=pass (a \\) b) "
	  "header.from=example.nl", 0, "mx.example.org", 1, "dmarc", "pass", "header", "from",
	  "example.nl" },
};

static void
run_parse(void **state)
{
	const struct parse_case *c = *state;
	struct authres ar;
	int rc = authres_parse(c->value, strlen(c->value), &ar);

	if (rc != c->rc)
		fail_msg("%s: rc %d, want %d", c->name, rc, c->rc);
	if (rc == 0) {
		const struct authres_result *r = ar.nresults ? &ar.results[ar.nresults - 1] : NULL;

		assert_string_equal(ar.authserv_id, c->id);
		assert_int_equal(ar.nresults, c->nresults);
		if (c->method != NULL) {
			assert_string_equal(r->method, c->method);
			assert_string_equal(r->result, c->result);
		}
		if (c->ptype != NULL) {
			const char *v = authres_prop(r, c->ptype, c->property);

			assert_non_null(v);
			assert_string_equal(v, c->pvalue);
		}
	} else {
		assert_null(ar.authserv_id);
		assert_int_equal(ar.nresults, 0);
	}
	authres_release(&ar);
}

/* A message's From and Authentication-Results headers in; the verdict out. */
static const struct check_case {
	const char *name, *from, *headers, *method;
	int pass;
	const char *why; /* a part of the reason */
} CHECKS[] = {
	{ "dmarc pass from the trusted id", "jan@example.nl",
	  "Authentication-Results: mx.example.org; dmarc=pass header.from=example.nl\n",
	  "dmarc", 1, "dmarc=pass header.from=example.nl (mx.example.org)" },
	{ "dmarc fail from the trusted id", "jan@example.nl",
	  "Authentication-Results: mx.example.org; dmarc=fail header.from=example.nl\n",
	  "dmarc", 0, "dmarc=fail for example.nl (mx.example.org)" },
	{ "no Authentication-Results at all", "jan@example.nl", "", "dmarc", 0,
	  "no Authentication-Results header from mx.example.org" },
	{ "a pass from an untrusted id", "jan@example.nl",
	  "Authentication-Results: evil.example; dmarc=pass header.from=example.nl\n", "dmarc",
	  0, "no Authentication-Results header from" },
	{ "a pass from a look-alike id", "jan@example.nl",
	  "Authentication-Results: mx.example.org.evil.example; dmarc=pass "
	  "header.from=example.nl\n", "dmarc", 0, "no Authentication-Results header" },
	{ "a smuggled pass below the server's fail", "jan@example.nl",
	  "Authentication-Results: mx.example.org; dmarc=fail header.from=example.nl\n"
	  "Authentication-Results: mx.example.org; dmarc=pass header.from=example.nl\n",
	  "dmarc", 0, "dmarc=fail" },
	{ "a smuggled pass above the server's none", "jan@example.nl",
	  "Authentication-Results: mx.example.org; dkim=pass header.d=example.nl\n"
	  "Authentication-Results: mx.example.org; dkim=none\n", "dkim", 0, "dkim=none" },
	{ "dmarc pass for another domain", "jan@example.nl",
	  "Authentication-Results: mx.example.org; dmarc=pass header.from=evil.example\n",
	  "dmarc", 0, "not the From domain" },
	{ "dmarc pass is case-insensitive", "jan@Example.NL",
	  "Authentication-Results: MX.example.org; dmarc=pass header.from=EXAMPLE.nl\n",
	  "dmarc", 1, "dmarc=pass" },
	{ "dmarc needs dmarc, not dkim", "jan@example.nl",
	  "Authentication-Results: mx.example.org; dkim=pass header.d=example.nl\n", "dmarc", 0,
	  "no dmarc=pass for example.nl" },
	{ "an unreadable trusted header counts as none", "jan@example.nl",
	  "Authentication-Results: mx.example.org; dmarc=pass (header.from=example.nl\n",
	  "dmarc", 0, "no Authentication-Results header" },
	{ "dkim pass, same domain", "jan@example.nl",
	  "Authentication-Results: mx.example.org; dkim=pass header.d=example.nl\n", "dkim", 1,
	  "dkim=pass header.d=example.nl" },
	{ "dkim pass by header.i", "jan@example.nl",
	  "Authentication-Results: mx.example.org; dkim=pass header.i=@example.nl\n", "dkim", 1,
	  "dkim=pass" },
	{ "dkim pass, parent domain signs", "jan@mail.example.nl",
	  "Authentication-Results: mx.example.org; dkim=pass header.d=example.nl\n", "dkim", 1,
	  "dkim=pass" },
	{ "dkim pass, subdomain signs", "jan@example.nl",
	  "Authentication-Results: mx.example.org; dkim=pass header.d=mail.example.nl\n", "dkim",
	  1, "dkim=pass" },
	{ "dkim pass by a top-level domain aligns with nothing", "jan@example.nl",
	  "Authentication-Results: mx.example.org; dkim=pass header.d=nl\n", "dkim", 0,
	  "no dkim=pass" },
	{ "dkim pass for another domain", "jan@example.nl",
	  "Authentication-Results: mx.example.org; dkim=pass header.d=evil.example\n", "dkim", 0,
	  "no dkim=pass for example.nl" },
	{ "dkim pass for a look-alike domain", "jan@example.nl",
	  "Authentication-Results: mx.example.org; dkim=pass header.d=badexample.nl\n", "dkim",
	  0, "no dkim=pass" },
	{ "dkim: a service's signature beside the member's", "jan@example.nl",
	  "Authentication-Results: mx.example.org; dkim=pass header.d=sendgrid.net; dkim=pass "
	  "header.d=example.nl\n", "dkim", 1, "header.d=example.nl" },
	{ "dkim: another domain's failing signature does not count", "jan@example.nl",
	  "Authentication-Results: mx.example.org; dkim=fail header.d=list.example; dkim=pass "
	  "header.d=example.nl\n", "dkim", 1, "dkim=pass" },
	{ "dkim fail for the From domain", "jan@example.nl",
	  "Authentication-Results: mx.example.org; dkim=fail header.d=example.nl\n", "dkim", 0,
	  "dkim=fail for example.nl" },
	{ "the second of two trusted ids", "jan@example.nl",
	  "Authentication-Results: mx2.example.org; dmarc=pass header.from=example.nl\n",
	  "dmarc", 1, "(mx2.example.org)" },
	{ "no From", NULL,
	  "Authentication-Results: mx.example.org; dmarc=pass header.from=example.nl\n",
	  "dmarc", 0, "no usable From" },
};

static void
run_check(void **state)
{
	const struct check_case *c = *state;
	struct buf raw = BUF_INIT, why = BUF_INIT;
	struct fb_message *m;
	int rc;

	if (c->from != NULL)
		assert_int_equal(buf_addf(&raw, "From: %s\n", c->from), 0);
	assert_int_equal(buf_addf(&raw,
	    "%sTo: feedback@example.org\nSubject: x\n\nbody\n", c->headers), 0);
	m = message_parse(raw.data, raw.len, 1 << 20, NULL);
	assert_non_null(m);
	rc = authres_check(m, "mx.example.org, mx2.example.org", c->method, &why);
	if (rc != c->pass)
		fail_msg("%s: verdict %d, want %d (%s)", c->name, rc, c->pass,
		    why.data ? why.data : "");
	if (why.data == NULL || strstr(why.data, c->why) == NULL)
		fail_msg("%s: reason \"%s\" lacks \"%s\"", c->name, why.data ? why.data : "",
		    c->why);
	message_free(m);
	buf_release(&raw);
	buf_release(&why);
}

static void
test_authres_trusted_list(void **state)
{
	assert_true(authres_trusted("mx.example.org", "mx.example.org"));
	assert_true(authres_trusted("a.example.org, MX.example.org", "mx.EXAMPLE.org"));
	assert_true(authres_trusted("a.example.org mx.example.org", "mx.example.org"));
	assert_false(authres_trusted("mx.example.org", "example.org"));
	assert_false(authres_trusted("mx.example.org", "mx.example.org.evil"));
	assert_false(authres_trusted("", "mx.example.org"));
	assert_false(authres_trusted("mx.example.org", ""));
}

/* Bounds: a header of many results, or too long, is refused, never read in part. */
static void
test_authres_bounds(void **state)
{
	struct buf v = BUF_INIT;
	struct authres ar;

	assert_int_equal(buf_adds(&v, "mx.example.org"), 0);
	for (int i = 0; i < AUTHRES_MAX_RESULTS + 1; i++)
		assert_int_equal(buf_adds(&v, "; dkim=pass header.d=example.nl"), 0);
	assert_int_equal(authres_parse(v.data, v.len, &ar), 1);
	authres_release(&ar);
	buf_reset(&v);
	assert_int_equal(buf_adds(&v, "mx.example.org; dkim=pass"), 0);
	for (int i = 0; i < AUTHRES_MAX_PROPS + 1; i++)
		assert_int_equal(buf_adds(&v, " header.d=example.nl"), 0);
	assert_int_equal(authres_parse(v.data, v.len, &ar), 1);
	authres_release(&ar);
	buf_reset(&v);
	assert_int_equal(buf_adds(&v, "mx.example.org; dmarc=pass header.from=example.nl ("), 0);
	while (v.len <= AUTHRES_MAX_LEN)
		assert_int_equal(buf_adds(&v, "x"), 0);
	assert_int_equal(buf_adds(&v, ")"), 0);
	assert_int_equal(authres_parse(v.data, v.len, &ar), 1);
	authres_release(&ar);
	assert_int_equal(authres_parse("mx.example.org; dmarc=pass\0x", 28, &ar), 1);
	authres_release(&ar);
	buf_release(&v);
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_authres_trusted_list),
		cmocka_unit_test(test_authres_bounds),
	};
	int rc = testlib_run_table("authres_parse", PARSES, sizeof(PARSES) / sizeof(PARSES[0]),
	    sizeof(PARSES[0]), run_parse, NULL, 0);

	return rc | testlib_run_table("authres_check", CHECKS, sizeof(CHECKS) / sizeof(CHECKS[0]),
	    sizeof(CHECKS[0]), run_check, fixed, sizeof(fixed) / sizeof(fixed[0]));
}
