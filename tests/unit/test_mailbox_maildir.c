/*
 * Unit tests of the "maildir" mailbox driver (src/mail/mailbox_maildir.c): what counts as new
 * (new/, and cur/ without the S flag), the order and ids it hands over, mark_done's moves and
 * flags, a callback that stops the fetch, hostile ids, and wait() honouring the stop flag.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "buf.h"
#include "mailbox.h"

struct fixture {
	char *top;
	struct mailbox *mb;
};

static void
put(const char *top, const char *sub, const char *name, const char *data)
{
	struct buf p = BUF_INIT;
	FILE *f;

	assert_int_equal(buf_addf(&p, "%s/%s/%s", top, sub, name), 0);
	f = fopen(p.data, "w");
	assert_non_null(f);
	fputs(data, f);
	fclose(f);
	buf_release(&p);
}

static int
exists(const char *top, const char *sub, const char *name)
{
	struct buf p = BUF_INIT;
	struct stat st;
	int r;

	assert_int_equal(buf_addf(&p, "%s/%s/%s", top, sub, name), 0);
	r = stat(p.data, &st) == 0;
	buf_release(&p);
	return r;
}

static int
setup(void **state)
{
	char tmpl[] = "/tmp/fbtest-mbm.XXXXXX";
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct mailbox_settings s;
	struct fb_error err;

	assert_non_null(mkdtemp(tmpl));
	fx->top = strdup(tmpl);
	mailbox_settings_init(&s);
	s.kind = MAILBOX_MAILDIR;
	s.maildir = fx->top;
	fx->mb = mailbox_maildir_driver.open(&s, &err);
	assert_non_null(fx->mb);
	/* What a mailbox may hold: */
	put(fx->top, "new", "300.a.host", "third\n");
	put(fx->top, "new", "100.a.host", "first\n");
	put(fx->top, "new", ".hidden", "never\n");
	put(fx->top, "cur", "200.b.host:2,", "second, moved by a reader\n");
	put(fx->top, "cur", "150.c.host:2,FS", "seen already\n");
	put(fx->top, "cur", "400.d.host:2,F", "flagged, not seen\n");
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	struct buf cmd = BUF_INIT;

	mailbox_maildir_driver.close(fx->mb);
	assert_int_equal(buf_addf(&cmd, "rm -rf '%s'", fx->top), 0);
	assert_int_equal(system(cmd.data), 0);
	buf_release(&cmd);
	free(fx->top);
	free(fx);
	return 0;
}

struct seen {
	char ids[16][64];
	char data[16][64];
	int n;
	int stop_after;  /* return MAIL_STOPPED at this message (1-based); 0: never */
};

static enum mail_result
collect(void *ctx, const struct mailbox_msg *msg)
{
	struct seen *s = ctx;

	if (s->stop_after != 0 && s->n + 1 == s->stop_after)
		return MAIL_STOPPED;
	assert_true(s->n < 16);
	snprintf(s->ids[s->n], sizeof(s->ids[0]), "%s", msg->id);
	snprintf(s->data[s->n], sizeof(s->data[0]), "%.*s", (int)msg->len, msg->data);
	s->n++;
	return MAIL_OK;
}

static void
test_mailbox_maildir_offers_new_and_unseen_cur_in_name_order(void **state)
{
	struct fixture *fx = *state;
	static const char *const want_ids[] = { "100.a.host", "200.b.host", "300.a.host", "400.d.host" };
	static const char *const want_data[] = { "first\n", "second, moved by a reader\n", "third\n",
	                                         "flagged, not seen\n" };
	struct seen s = { .n = 0 };
	struct mailbox_position pos = { 7, 9, 1 };
	struct fb_error err;
	size_t count = 0;

	assert_int_equal(mailbox_maildir_driver.fetch_new(fx->mb, &pos, collect, &s, &count, &err),
	    MAIL_OK);
	assert_int_equal(count, 4);
	assert_int_equal(s.n, 4);
	for (int i = 0; i < 4; i++) {
		assert_string_equal(s.ids[i], want_ids[i]);
		assert_string_equal(s.data[i], want_data[i]);
	}
	assert_int_equal(pos.uidvalidity_changed, 0);
}

static void
test_mailbox_maildir_mark_done_moves_to_cur_with_seen_flag(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		const char *id;
		const char *now_in_cur;  /* the file name afterwards */
	} cases[] = {
		{ "100.a.host", "100.a.host:2,S" },
		{ "200.b.host", "200.b.host:2,S" },
		{ "400.d.host", "400.d.host:2,FS" },   /* flags stay in ASCII order */
		{ "150.c.host", "150.c.host:2,FS" },   /* already seen: nothing to do, still fine */
	};
	struct seen s = { .n = 0 };
	struct fb_error err;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (mailbox_maildir_driver.mark_done(fx->mb, cases[i].id, &err) != MAIL_OK)
			fail_msg("%s: %s", cases[i].id, err.msg);
		assert_true(exists(fx->top, "cur", cases[i].now_in_cur));
	}
	assert_false(exists(fx->top, "new", "100.a.host"));
	/* Only the one not marked is offered again. */
	assert_int_equal(mailbox_maildir_driver.fetch_new(fx->mb, NULL, collect, &s, NULL, &err),
	    MAIL_OK);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.ids[0], "300.a.host");
}

static void
test_mailbox_maildir_callback_stop_ends_fetch(void **state)
{
	struct fixture *fx = *state;
	struct seen s = { .n = 0, .stop_after = 2 };
	struct fb_error err;
	size_t count = 99;

	/* A stop is MAIL_STOPPED, not a broken mailbox: the runner tells the two apart. */
	assert_int_equal(mailbox_maildir_driver.fetch_new(fx->mb, NULL, collect, &s, &count, &err),
	    MAIL_STOPPED);
	assert_int_equal(count, 1);
	assert_int_equal(s.n, 1);
	assert_non_null(strstr(err.msg, "stopped"));
	/* Nothing was marked: everything is still there for the next fetch. */
	s = (struct seen){ .n = 0 };
	assert_int_equal(mailbox_maildir_driver.fetch_new(fx->mb, NULL, collect, &s, &count, &err),
	    MAIL_OK);
	assert_int_equal(count, 4);
}

static void
test_mailbox_maildir_mark_done_refuses_hostile_or_unknown_ids(void **state)
{
	struct fixture *fx = *state;
	static const char *const bad[] = {
		"", ".hidden", "../new/100.a.host", "new/100.a.host", "100.a.host:2,S", "no.such.file", NULL,
	};
	struct fb_error err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mailbox_maildir_driver.mark_done(fx->mb, bad[i], &err) != MAIL_MESSAGE_BAD)
			fail_msg("id \"%s\" was not refused as a bad message", bad[i] ? bad[i] : "(null)");
	assert_true(exists(fx->top, "new", "100.a.host"));
	assert_true(exists(fx->top, "new", ".hidden"));
}

/* remove: a message goes for good wherever it is (new/, or cur/ with any flags); one not
 * there is "not found" (MAIL_OK, found 0); a hostile id removes nothing (MAIL_MESSAGE_BAD). */
static void
test_mailbox_maildir_remove_wherever_it_is(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		const char *id;
		int want_found;
		const char *sub, *file;  /* gone afterwards */
	} cases[] = {
		{ "100.a.host", 1, "new", "100.a.host" },
		{ "150.c.host", 1, "cur", "150.c.host:2,FS" },
		{ "200.b.host", 1, "cur", "200.b.host:2," },
		{ "200.b.host", 0, "cur", "200.b.host:2," },   /* already gone */
		{ "200.b", 0, "cur", "200.b.host:2," },        /* a prefix is not the id */
	};
	static const char *const bad[] = { "", ".hidden", "../new/300.a.host", "new/300.a.host",
		"300.a.host:2,S", NULL };
	struct fb_error err;
	int found;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum mail_result r = mailbox_maildir_driver.remove(fx->mb, cases[i].id, "<x@y>",
		    &found, &err);

		if (r != MAIL_OK || found != cases[i].want_found)
			fail_msg("%s: %s, found %d (%s)", cases[i].id, mail_result_name(r), found,
			    r != MAIL_OK ? err.msg : "");
		assert_false(exists(fx->top, cases[i].sub, cases[i].file));
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mailbox_maildir_driver.remove(fx->mb, bad[i], NULL, &found, &err) !=
		    MAIL_MESSAGE_BAD)
			fail_msg("id \"%s\" was not refused as a bad message", bad[i] ? bad[i] : "(null)");
	assert_true(exists(fx->top, "new", "300.a.host"));
	assert_true(exists(fx->top, "new", ".hidden"));
	assert_true(exists(fx->top, "cur", "400.d.host:2,F"));
}

static void
test_mailbox_maildir_wait_honours_stop(void **state)
{
	struct fixture *fx = *state;
	volatile sig_atomic_t stop = 1;
	struct fb_error err;
	int arrived = -1;

	/* With stop set, a wait of a minute returns at once: stopped, with "nothing". */
	assert_int_equal(mailbox_maildir_driver.wait(fx->mb, 60000, &stop, &arrived, &err),
	    MAIL_STOPPED);
	assert_int_equal(arrived, 0);
	stop = 0;
	assert_int_equal(mailbox_maildir_driver.wait(fx->mb, 10, &stop, &arrived, &err), MAIL_OK);
	assert_int_equal(arrived, 1);
}

/* The mailbox's name (its saved position's key and the inbox's source) comes from the driver,
 * and only a local driver's names lead back to a driver without the configuration. */
static void
test_mailbox_driver_names_and_flags(void **state)
{
	static const struct {
		const char *name;
		const struct mailbox_driver *want;   /* mailbox_driver_local(); NULL: none */
		size_t path_at;
	} cases[] = {
		{ "maildir:/var/mail/fb", &mailbox_maildir_driver, 8 },
		{ "maildir:", NULL, 0 },                 /* no path */
		{ "maildirx:/p", NULL, 0 },
		{ "imap://mail.example.org:143/INBOX", NULL, 0 },   /* not local: needs the config */
		{ "imaps://h:993/INBOX", NULL, 0 },
	};
	struct mailbox_settings ms;
	struct buf b = BUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t at = 0;

		assert_ptr_equal(mailbox_driver_local(cases[i].name, strlen(cases[i].name), &at),
		    cases[i].want);
		assert_int_equal(at, cases[i].path_at);
	}
	mailbox_settings_init(&ms);
	ms.maildir = "/var/mail/fb";
	ms.url = "imaps://h:993";
	ms.folder = "Replies";
	assert_int_equal(mailbox_maildir_driver.name_of(&ms, &b), 0);
	assert_string_equal(b.data, "maildir:/var/mail/fb");
	buf_reset(&b);
	assert_int_equal(mailbox_imap_driver.name_of(&ms, &b), 0);
	assert_string_equal(b.data, "imaps://h:993/Replies");
	buf_reset(&b);
	ms.folder = NULL;
	assert_int_equal(mailbox_imap_driver.name_of(&ms, &b), 0);
	assert_string_equal(b.data, "imaps://h:993/INBOX");
	buf_release(&b);
	assert_true(mailbox_maildir_driver.flags & MAILBOX_LOCAL);
	assert_false(mailbox_imap_driver.flags & MAILBOX_LOCAL);
	assert_int_equal(mailbox_maildir_driver.kind, MAILBOX_MAILDIR);
	assert_int_equal(mailbox_imap_driver.kind, MAILBOX_IMAP);
}

static void
test_mailbox_driver_find_by_name(void **state)
{
	assert_ptr_equal(mailbox_driver_find("maildir"), &mailbox_maildir_driver);
	assert_ptr_equal(mailbox_driver_find("imap"), &mailbox_imap_driver);
	assert_null(mailbox_driver_find("pop3"));
	assert_null(mailbox_driver_find(NULL));
	assert_ptr_equal(mailbox_driver_for(MAILBOX_IMAP), &mailbox_imap_driver);
}

static void
test_mailbox_imap_open_refuses_bad_settings(void **state)
{
	static const struct {
		const char *url, *user, *password, *want;
	} cases[] = {
		{ "smtp://127.0.0.1:143", "fb", "pw", "bad server URL" },
		{ "imap://[::1", "fb", "pw", "bad server URL" },
		{ "imap://127.0.0.1:143", NULL, "pw", "username and password" },
		{ "imap://127.0.0.1:143", "fb", NULL, "username and password" },
		{ "imap://no-such-host.invalid:143", "fb", "pw", "cannot resolve" },
	};
	struct mailbox_settings s;
	struct fb_error err;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mailbox_settings_init(&s);
		s.url = cases[i].url;
		s.username = cases[i].user;
		s.password = cases[i].password;
		assert_null(mailbox_imap_driver.open(&s, &err));
		if (strstr(err.msg, cases[i].want) == NULL)
			fail_msg("%s: \"%s\" lacks \"%s\"", cases[i].url, err.msg, cases[i].want);
	}
	mailbox_imap_driver.close(NULL);
}

/*
 * A Maildir that an MTA delivers into as another user (Postfix's virtual(8) creates it 0700 as
 * the user it delivers as): feedbackd running as someone else is refused, and the error names
 * the owner, the mode and feedbackd's own uid instead of "cannot create". The open runs in a
 * child that, under root, becomes nobody (root would be let in); as a normal user the
 * directory is made mode 0000. Each case: the Maildir's state, and what the error must say.
 */
static void
test_mailbox_maildir_open_names_the_owner_when_refused(void **state)
{
	static const struct {
		const char *sub;      /* subdirectory made beforehand ("" : only the Maildir itself) */
		const char *want[3];
	} cases[] = {
		{ "", { "cannot use Maildir directory", "/md/tmp: Permission denied", "feedbackd runs as uid" } },
		{ "new", { "belongs to uid", "mode 0", "the mail server must deliver as that user" } },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char tmpl[] = "/tmp/fbtest-mbm-own.XXXXXX";
		struct buf md = BUF_INIT, cmd = BUF_INIT, sub = BUF_INIT;
		char msg[512] = "";
		int fds[2], status;
		pid_t pid;
		ssize_t n;

		assert_non_null(mkdtemp(tmpl));
		assert_int_equal(chmod(tmpl, 0755), 0);
		assert_int_equal(buf_addf(&md, "%s/md", tmpl), 0);
		assert_int_equal(mkdir(md.data, 0700), 0);
		if (*cases[i].sub) {
			assert_int_equal(buf_addf(&sub, "%s/%s", md.data, cases[i].sub), 0);
			assert_int_equal(mkdir(sub.data, 0700), 0);
		}
		if (geteuid() != 0)
			assert_int_equal(chmod(md.data, 0), 0);
		assert_int_equal(pipe(fds), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct mailbox_settings s;
			struct fb_error err;
			struct mailbox *mb;

			close(fds[0]);
			if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
				_exit(2);
			mailbox_settings_init(&s);
			s.kind = MAILBOX_MAILDIR;
			s.maildir = md.data;
			mb = mailbox_maildir_driver.open(&s, &err);
			if (mb != NULL)
				_exit(3);
			if (write(fds[1], err.msg, strlen(err.msg)) < 0)
				_exit(4);
			_exit(0);
		}
		close(fds[1]);
		n = read(fds[0], msg, sizeof(msg) - 1);
		close(fds[0]);
		msg[n > 0 ? n : 0] = '\0';
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fail_msg("case %zu: the child ended with %d (3: the Maildir was opened)", i, status);
		for (size_t w = 0; w < 3; w++)
			if (strstr(msg, cases[i].want[w]) == NULL)
				fail_msg("case %zu: \"%s\" lacks \"%s\"", i, msg, cases[i].want[w]);
		assert_int_equal(chmod(md.data, 0700), 0);
		assert_int_equal(buf_addf(&cmd, "rm -rf '%s'", tmpl), 0);
		assert_int_equal(system(cmd.data), 0);
		buf_release(&md);
		buf_release(&cmd);
		buf_release(&sub);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mailbox_maildir_offers_new_and_unseen_cur_in_name_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mailbox_maildir_mark_done_moves_to_cur_with_seen_flag, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mailbox_maildir_callback_stop_ends_fetch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mailbox_maildir_mark_done_refuses_hostile_or_unknown_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mailbox_maildir_remove_wherever_it_is, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mailbox_maildir_wait_honours_stop, setup, teardown),
		cmocka_unit_test(test_mailbox_driver_find_by_name),
		cmocka_unit_test(test_mailbox_driver_names_and_flags),
		cmocka_unit_test(test_mailbox_imap_open_refuses_bad_settings),
		cmocka_unit_test(test_mailbox_maildir_open_names_the_owner_when_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
