/*
 * Unit tests of the "maildir" transport driver (src/mail/transport_maildir.c) and the driver
 * table: messages land in new/ byte for byte, under unique names, with nothing left in tmp/;
 * a Maildir that cannot be written gives TEMPFAIL with a detail, not a crash.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "buf.h"
#include "transport.h"

static char *
make_tmpdir(void)
{
	char tmpl[] = "/tmp/fbtest-tmd.XXXXXX";
	char *d = mkdtemp(tmpl);

	assert_non_null(d);
	return strdup(d);
}

static void
rm_rf(const char *path)
{
	struct buf cmd = BUF_INIT;

	assert_int_equal(buf_addf(&cmd, "rm -rf '%s'", path), 0);
	assert_int_equal(system(cmd.data), 0);
	buf_release(&cmd);
}

/* Number of entries (without dotfiles) in dir; names into *names when not NULL. */
static size_t
list(const char *dir, char ***names)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (names != NULL) {
			*names = realloc(*names, (n + 1) * sizeof(**names));
			(*names)[n] = strdup(de->d_name);
		}
		n++;
	}
	closedir(d);
	return n;
}

static void
free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static const struct {
	const char *what;
	const char *data;
	size_t len;
} messages[] = {
#define MSG(what, lit) { what, lit, sizeof(lit) - 1 }
	MSG("LF line ends", "Subject: a\n\nbody\n"),
	MSG("CRLF line ends kept", "Subject: b\r\n\r\nbody\r\n"),
	MSG("a NUL inside", "Subject: c\n\nx\0y\n"),
	MSG("empty", ""),
	MSG("UTF-8 and a dot line", "Subject: =?utf-8?q?=C3=A9?=\n\n\xc3\xa9\n.\n"),
#undef MSG
};

static void
test_transport_maildir_writes_return_path_then_the_bytes_exactly(void **state)
{
	char *top = make_tmpdir();
	struct buf md = BUF_INIT, p = BUF_INIT, got = BUF_INIT, want = BUF_INIT;
	struct transport_settings s;
	struct transport_msg msgs[sizeof(messages) / sizeof(messages[0])];
	const char *rcpt[] = { "fb@example.org" };
	struct fb_error err;
	struct transport *t;
	char **names = NULL;
	size_t n = sizeof(msgs) / sizeof(msgs[0]), found;

	assert_int_equal(buf_addf(&md, "%s/not/yet/there", top), 0);
	transport_settings_init(&s);
	s.kind = TRANSPORT_MAILDIR;
	s.maildir = md.data;
	assert_int_equal(buf_addf(&p, "%s/not", top), 0);
	assert_int_equal(mkdir(p.data, 0700), 0);
	assert_int_equal(buf_addf(&p, "/yet"), 0);
	assert_int_equal(mkdir(p.data, 0700), 0);
	t = transport_maildir_driver.open(&s, &err);
	assert_non_null(t);
	for (size_t i = 0; i < n; i++)
		msgs[i] = (struct transport_msg){ "fb@example.org", rcpt, 1, messages[i].data, messages[i].len,
			MAIL_TEMPORARY, BUF_INIT, NULL, NULL, NULL, NULL, NULL };
	assert_int_equal(transport_maildir_driver.send(t, msgs, n, &err), MAIL_OK);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(msgs[i].status, MAIL_OK);
	buf_reset(&p);
	assert_int_equal(buf_addf(&p, "%s/tmp", md.data), 0);
	assert_int_equal(list(p.data, NULL), 0);
	buf_reset(&p);
	assert_int_equal(buf_addf(&p, "%s/new", md.data), 0);
	found = list(p.data, &names);
	assert_int_equal(found, n);
	/* Each message is in the file its detail names, byte for byte. */
	for (size_t i = 0; i < n; i++) {
		const char *path = strstr(msgs[i].detail.data, md.data);

		assert_non_null(path);
		buf_reset(&got);
		assert_int_equal(buf_read_file(&got, path, 1 << 20), 0);
		/* ... after the envelope sender as Return-Path, in the message's own line ends */
		buf_reset(&want);
		assert_int_equal(buf_addf(&want,
		    "Return-Path: <fb@example.org>%s", memchr(messages[i].data, '\r',
		    messages[i].len) != NULL ? "\r\n" : "\n"), 0);
		assert_int_equal(buf_add(&want, messages[i].data, messages[i].len), 0);
		if (got.len != want.len || memcmp(got.data, want.data, got.len) != 0)
			fail_msg("%s: stored bytes differ", messages[i].what);
		buf_release(&msgs[i].detail);
	}
	free_names(names, found);
	transport_maildir_driver.close(t);
	rm_rf(top);
	free(top);
	buf_release(&md);
	buf_release(&p);
	buf_release(&got);
	buf_release(&want);
}

static void
test_transport_maildir_names_are_unique(void **state)
{
	char *top = make_tmpdir();
	struct transport_settings s;
	struct transport_msg msgs[300];
	struct fb_error err;
	struct transport *t;
	struct buf p = BUF_INIT;

	transport_settings_init(&s);
	s.kind = TRANSPORT_MAILDIR;
	s.maildir = top;
	t = transport_maildir_driver.open(&s, &err);
	assert_non_null(t);
	for (size_t i = 0; i < 300; i++)
		msgs[i] = (struct transport_msg){ .sender = "", .data = "x\n", .len = 2,
			.status = MAIL_TEMPORARY, .detail = BUF_INIT };
	assert_int_equal(transport_maildir_driver.send(t, msgs, 150, &err), MAIL_OK);
	assert_int_equal(transport_maildir_driver.send(t, msgs + 150, 150, &err), MAIL_OK);
	assert_int_equal(buf_addf(&p, "%s/new", top), 0);
	assert_int_equal(list(p.data, NULL), 300);
	for (size_t i = 0; i < 300; i++) {
		assert_int_equal(msgs[i].status, MAIL_OK);
		buf_release(&msgs[i].detail);
	}
	transport_maildir_driver.close(t);
	rm_rf(top);
	free(top);
	buf_release(&p);
}

static void
test_transport_maildir_unwritable_is_tempfail_with_detail(void **state)
{
	char *top = make_tmpdir();
	struct transport_settings s;
	struct transport_msg m = { .sender = "", .data = "x\n", .len = 2, .status = MAIL_OK,
		.detail = BUF_INIT };
	struct fb_error err;
	struct transport *t;
	struct buf p = BUF_INIT;

	transport_settings_init(&s);
	s.kind = TRANSPORT_MAILDIR;
	/* A path below a regular file cannot become a Maildir. */
	s.maildir = "/dev/null/maildir";
	assert_null(transport_maildir_driver.open(&s, &err));
	assert_non_null(strstr(err.msg, "/dev/null/maildir"));
	/* A Maildir whose new/ vanished after open(): TEMPFAIL, and no file left in tmp/. */
	s.maildir = top;
	t = transport_maildir_driver.open(&s, &err);
	assert_non_null(t);
	assert_int_equal(buf_addf(&p, "%s/new", top), 0);
	assert_int_equal(rmdir(p.data), 0);
	assert_int_equal(transport_maildir_driver.send(t, &m, 1, &err), MAIL_OK);
	assert_int_equal(m.status, MAIL_TEMPORARY);
	assert_non_null(strstr(m.detail.data, "rename"));
	buf_reset(&p);
	assert_int_equal(buf_addf(&p, "%s/tmp", top), 0);
	assert_int_equal(list(p.data, NULL), 0);
	buf_release(&m.detail);
	transport_maildir_driver.close(t);
	rm_rf(top);
	free(top);
	buf_release(&p);
}

static void
test_transport_driver_find_by_name(void **state)
{
	static const struct {
		const char *name;
		const struct transport_driver *want;
	} cases[] = {
		{ "maildir", &transport_maildir_driver },
		{ "smtp", &transport_smtp_driver },
		{ "SMTP", NULL },
		{ "imap", NULL },
		{ "", NULL },
		{ NULL, NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_ptr_equal(transport_driver_find(cases[i].name), cases[i].want);
	assert_ptr_equal(transport_driver_for(TRANSPORT_MAILDIR), &transport_maildir_driver);
	assert_ptr_equal(transport_driver_for(TRANSPORT_SMTP), &transport_smtp_driver);
}

static void
test_transport_smtp_open_refuses_bad_settings(void **state)
{
	static const struct {
		const char *url;
		const char *user, *password;
		const char *want;  /* in the error */
	} cases[] = {
		{ "smtps://127.0.0.1:465", NULL, NULL, "implicit TLS" },
		{ "imap://127.0.0.1:25", NULL, NULL, "bad server URL" },
		{ "smtp://", NULL, NULL, "bad server URL" },
		{ "smtp://host:0", NULL, NULL, "bad server URL" },
		{ "smtp://host:70000", NULL, NULL, "bad server URL" },
		{ "smtp://host:25/x", NULL, NULL, "bad server URL" },
		{ NULL, NULL, NULL, "no server URL" },
		{ "smtp://host:587", "fb", NULL, "no password" },
	};
	struct transport_settings s;
	struct fb_error err;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		transport_settings_init(&s);
		s.url = cases[i].url;
		s.username = cases[i].user;
		s.password = cases[i].password;
		err.msg[0] = '\0';
		assert_null(transport_smtp_driver.open(&s, &err));
		if (strstr(err.msg, cases[i].want) == NULL)
			fail_msg("%s: error \"%s\" lacks \"%s\"", cases[i].url ? cases[i].url : "(null)", err.msg,
			    cases[i].want);
	}
	/* A good one opens without touching the network. */
	transport_settings_init(&s);
	s.url = "smtp://[::1]:2525";
	struct transport *t = transport_smtp_driver.open(&s, &err);
	assert_non_null(t);
	transport_smtp_driver.close(t);
	transport_smtp_driver.close(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transport_maildir_writes_return_path_then_the_bytes_exactly),
		cmocka_unit_test(test_transport_maildir_names_are_unique),
		cmocka_unit_test(test_transport_maildir_unwritable_is_tempfail_with_detail),
		cmocka_unit_test(test_transport_driver_find_by_name),
		cmocka_unit_test(test_transport_smtp_open_refuses_bad_settings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
