/*
 * Unit tests of config: every bad input is reported at its file:line with the accepted values,
 * all errors of a file at once; good input gives the right typed values; relative paths follow
 * the file; secrets are masked and password files must be private; and the documentation
 * (feedbackd.conf.example, feedbackd.conf(5)) lists every key of the table, with the defaults.
 *
 * Files are written into a fresh temporary directory. The example file and the manual page are
 * found under $FB_TOP (set by tests/run-tests.sh to the top of the tree), or "." without it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
#include "config.h"
#include "fberror.h"
#include "testlib.h"

static char tmpdir[] = "/tmp/fbconfigXXXXXX";
static char tmpreal[PATH_MAX];

/* Path of name inside the temporary directory; static storage, one at a time. */
static const char *
tmp_path(const char *name)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static const char *
write_file(const char *name, const char *text, mode_t mode)
{
	const char *path = tmp_path(name);
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* Load text as the file t.conf; errors (if any) appended to errors. */
static struct config *
load_text(const char *text, struct buf *errors)
{
	return config_load_report(write_file("t.conf", text, 0644), errors);
}

/* The value printed for [section] key by config_print(), into out. */
static void
printed_value(const struct config *cfg, const char *section, const char *key, struct buf *out)
{
	struct buf all = BUF_INIT, head = BUF_INIT, line = BUF_INIT;
	const char *s, *eol;

	assert_int_equal(config_print(cfg, &all), 0);
	assert_int_equal(buf_addf(&head, "[%s]\n", section), 0);
	assert_int_equal(buf_addf(&line, "\n%s =", key), 0);
	s = strstr(all.data, head.data);
	assert_non_null(s);
	s = strstr(s, line.data);
	assert_non_null(s);
	s += line.len;
	if (*s == ' ')
		s++;
	eol = strchr(s, '\n');
	assert_non_null(eol);
	assert_int_equal(buf_add(out, s, (size_t)(eol - s)), 0);
	buf_release(&all);
	buf_release(&head);
	buf_release(&line);
}

static int
setup(void **state)
{
	if (mkdtemp(tmpdir) == NULL || realpath(tmpdir, tmpreal) == NULL)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	static const char *const names[] = {
		"t.conf", "again.conf", "example.conf", "empty.conf", "secret", "many.conf", NULL
	};

	for (int i = 0; names[i] != NULL; i++)
		unlink(tmp_path(names[i]));
	rmdir(tmpdir);
	return 0;
}

/* ---------------------------------------------------------------------------------------- */

struct bad_case {
	const char *what;
	const char *text;
	const char *expect[3];  /* "LINE: message" each, as printed after the path */
	int nerrors;
};

static const struct bad_case bad_cases[] = {
	{ "smtp with the built-in sender: both unset keys named, nothing may be queued",
	  "[outgoing]\ntransport = smtp\nurl = smtp://mail.feedbackd.test\n",
	  { " [feedbackd] domain is not set, and its default feedbackd.invalid is a placeholder: "
	    "with [outgoing] transport = smtp (line 2) nothing is queued until it is set to "
	    "your own domain",
	    " [feedbackd] from_address is not set, and its default feedback@feedbackd.invalid is "
	    "a placeholder: with [outgoing] transport = smtp (line 2) nothing is queued" }, 2 },
	{ "smtp with an example.org sender, at the line that sets it",
	  "[feedbackd]\ndomain = feedbackd.test\nfrom_address = fb@example.org\n[outgoing]\n"
	  "transport = smtp\nurl = smtp://mail.feedbackd.test\n",
	  { "3: [feedbackd] from_address = fb@example.org is a placeholder: with [outgoing] "
	    "transport = smtp (line 5) nothing is queued until it is set to the programme's own "
	    "address" }, 1 },
	{ "smtp: reply, coordinator and bounce addresses set to placeholders are named too",
	  "[feedbackd]\ndomain = feedbackd.test\nfrom_address = fb@feedbackd.test\n"
	  "reply_address = fb@localhost\ncoordinator_address = co@mail.EXAMPLE.com\n[outgoing]\n"
	  "transport = smtp\nurl = smtp://mail.feedbackd.test\nbounce_address = b@x.invalid\n",
	  { "4: [feedbackd] reply_address = fb@localhost is a placeholder",
	    "5: [feedbackd] coordinator_address = co@mail.EXAMPLE.com is a placeholder",
	    "9: [outgoing] bounce_address = b@x.invalid is a placeholder" }, 3 },
	{ "require_auth without a trusted authserv-id is refused: it would be a check of nothing",
	  "[security]\nrequire_auth = dmarc\n",
	  { "2: [security] require_auth = dmarc needs trusted_authserv_id: the authserv-id that "
	    "your own mail server writes" }, 1 },
	{ "require_auth = spf is refused with the accepted values",
	  "[security]\nrequire_auth = spf\ntrusted_authserv_id = mx.example.org\n",
	  { "2: [security] require_auth = \"spf\": accepted values are none, dmarc, dkim" }, 1 },
	{ "a trusted authserv-id that is not a host name",
	  "[security]\ntrusted_authserv_id = mx.example.org, mx_1.example.org\n",
	  { "2: [security] trusted_authserv_id = \"mx.example.org, mx_1.example.org\": "
	    "\"mx_1.example.org\" is not a host name; accepted values are host names separated "
	    "by commas" }, 1 },
	{ "bool with a value that is neither yes nor no",
	  "[incoming]\nverify = maybe\n",
	  { "2: [incoming] verify = \"maybe\": accepted values are yes, no" }, 1 },
	{ "unknown section reported at its own line, its keys not again",
	  "[feedbackd]\n\n[outgoin]\ntransport = smtp\nurl = x\n",
	  { "3: unknown section [outgoin]; did you mean [outgoing]? accepted sections: "
	    "feedbackd, outgoing, incoming, program, lagging, security, report" }, 1 },
	{ "empty unknown section",
	  "# nothing\n[nope]\n",
	  { "2: unknown section [nope]; accepted sections: feedbackd," }, 1 },
	{ "misspelt key gets a suggestion and the keys of the section",
	  "[outgoing]\ntranport = smtp\n",
	  { "2: unknown key \"tranport\" in [outgoing]; did you mean \"transport\"? accepted keys: "
	    "transport, maildir, url, starttls, username, password_file, auth, oauth_mechanism, "
	    "oauth_grant, oauth_token_url, oauth_tenant, oauth_device_url, oauth_client_id, "
	    "oauth_secret_file, oauth_scope, oauth_token_file, oauth_key_file, ca_file, verify, "
	    "timeout, batch_size, sessions, max_attempts, backoff_initial, backoff_max, "
	    "per_recipient_daily_cap" }, 1 },
	{ "key in the wrong section names the right one",
	  "[feedbackd]\ntimezone = UTC\n",
	  { "2: unknown key \"timezone\" in [feedbackd]; it belongs in [program]; accepted keys: "
	    "database," }, 1 },
	{ "key before any section",
	  "database = x.db\n[feedbackd]\n",
	  { "1: key \"database\" is outside any section; put it under [feedbackd]" }, 1 },
	{ "empty key name",
	  "[feedbackd]\n= x\n",
	  { "2: unknown key \"\" in [feedbackd]; accepted keys:" }, 1 },
	{ "duplicate key names the first line",
	  "[outgoing]\ntimeout = 1m\n\ntimeout = 2m\n",
	  { "4: duplicate key \"timeout\" in [outgoing] (first set on line 2)" }, 1 },
	{ "an indented line is a key of its own, not a continuation",
	  "[outgoing]\ntimeout = 1m\n  timeout = 2m\n",
	  { "3: duplicate key \"timeout\" in [outgoing] (first set on line 2)" }, 1 },
	{ "integer below its range names the range",
	  "[outgoing]\nbatch_size = 0\n",
	  { "2: [outgoing] batch_size = \"0\": out of range; accepted values are whole numbers "
	    "from 1 to 10000" }, 1 },
	{ "integer above its range",
	  "[feedbackd]\nmax_message_size = 104857601\n",
	  { "2: [feedbackd] max_message_size = \"104857601\": out of range; accepted values are "
	    "whole numbers from 1024 to 104857600" }, 1 },
	{ "integer that is a word",
	  "[outgoing]\nsessions = two\n",
	  { "2: [outgoing] sessions = \"two\": not a whole number; accepted values are whole "
	    "numbers from 1 to 16" }, 1 },
	{ "integer with trailing text",
	  "[report]\nrating_samples = 3x\n",
	  { "2: [report] rating_samples = \"3x\": not a whole number;" }, 1 },
	{ "integer that overflows",
	  "[report]\nrating_samples = 99999999999999999999999\n",
	  { "2: [report] rating_samples = \"99999999999999999999999\": not a whole number;" }, 1 },
	{ "duration without unit",
	  "[outgoing]\ntimeout = 30\n",
	  { "2: [outgoing] timeout = \"30\": the unit is missing; accepted values are a number "
	    "with a unit s, m, h or d (like 90s, 15m, 3h, 14d) from 1s to 1h" }, 1 },
	{ "duration above its range",
	  "[outgoing]\ntimeout = 2h\n",
	  { "2: [outgoing] timeout = \"2h\": out of range; accepted values are a number with a "
	    "unit s, m, h or d (like 90s, 15m, 3h, 14d) from 1s to 1h" }, 1 },
	{ "duration with an unknown unit",
	  "[incoming]\npoll_interval = 5w\n",
	  { "2: [incoming] poll_interval = \"5w\": unknown unit; accepted values are a number "
	    "with a unit s, m, h or d (like 90s, 15m, 3h, 14d) from 1s to 1d" }, 1 },
	{ "enum lists its values",
	  "[feedbackd]\nlog_level = verbose\n",
	  { "2: [feedbackd] log_level = \"verbose\": accepted values are error, warning, info, "
	    "debug" }, 1 },
	{ "required value left empty",
	  "[feedbackd]\ndatabase =\n",
	  { "2: [feedbackd] database = \"\": a value is required; accepted values are a path, "
	    "relative to the directory of this file" }, 1 },
	{ "transport smtp without url is reported at the transport line",
	  "[outgoing]\n\ntransport = smtp\n[feedbackd]\ndomain = feedbackd.test\n"
	  "from_address = fb@feedbackd.test\n",
	  { "3: [outgoing] transport = smtp needs a url; set url = smtp://HOST:587 (STARTTLS)" },
	  1 },
	{ "smtps:// is refused at its line, with STARTTLS on 587 instead",
	  "[outgoing]\ntransport = smtp\nurl = smtps://smtp.office365.com\n[feedbackd]\n"
	  "domain = feedbackd.test\nfrom_address = fb@feedbackd.test\n",
	  { "3: [outgoing] url = smtps://smtp.office365.com: implicit TLS (smtps://, port 465) is "
	    "not possible with libesmtp, which does TLS only by STARTTLS; use "
	    "smtp://smtp.office365.com:587 with starttls = required" }, 1 },
	{ "mailbox imap needs url and user",
	  "[incoming]\nmailbox = imap\n",
	  { "2: [incoming] mailbox = imap needs a url; set url = imap://HOST:PORT or "
	    "imaps://HOST:PORT",
	    "2: [incoming] mailbox = imap needs a username and password_file" }, 2 },
	{ "username without password_file",
	  "[outgoing]\ntransport = smtp\nurl = smtp://localhost:2525\nusername = fb\n"
	  "[feedbackd]\ndomain = feedbackd.test\nfrom_address = fb@feedbackd.test\n",
	  { "4: [outgoing] username is set but password_file is not;" }, 1 },
	{ "url with a scheme of the other protocol",
	  "[outgoing]\nurl = imaps://mail.example.org\n",
	  { "2: [outgoing] url = \"imaps://mail.example.org\": unknown scheme; accepted values "
	    "are smtp://HOST:PORT or smtps://HOST:PORT, or empty" }, 1 },
	{ "url with a user name in it",
	  "[incoming]\nurl = imaps://me@mail.example.org\n",
	  { "2: [incoming] url = \"imaps://me@mail.example.org\": put the user name in "
	    "username, not in the url;" }, 1 },
	{ "url with a port out of range",
	  "[outgoing]\nurl = smtp://mail.example.org:70000\n",
	  { "2: [outgoing] url = \"smtp://mail.example.org:70000\": the port is not a number "
	    "from 1 to 65535;" }, 1 },
	{ "url with a path",
	  "[outgoing]\nurl = smtp://mail.example.org/x\n",
	  { "2: [outgoing] url = \"smtp://mail.example.org/x\": a url here has no path;" }, 1 },
	{ "email address without @",
	  "[feedbackd]\nfrom_address = feedback\n",
	  { "2: [feedbackd] from_address = \"feedback\": not an email address; accepted values "
	    "are an email address like feedback@example.org" }, 1 },
	{ "email address with a space",
	  "[feedbackd]\ncoordinator_address = co ord@example.org\n",
	  { "2: [feedbackd] coordinator_address = \"co ord@example.org\": the part before @ may "
	    "not contain ' ';" }, 1 },
	{ "email address with a bad domain",
	  "[feedbackd]\nfrom_address = a@-x.org\n",
	  { "2: [feedbackd] from_address = \"a@-x.org\": the domain after @ is not valid;" }, 1 },
	{ "reply address with a +part",
	  "[feedbackd]\nfrom_address = a@example.org\n\nreply_address = feedback+x@example.org\n",
	  { "4: [feedbackd] reply_address \"feedback+x@example.org\" has a +part;" }, 1 },
	{ "domain that is not a host name",
	  "[feedbackd]\ndomain = exa_mple.org\n",
	  { "2: [feedbackd] domain = \"exa_mple.org\": accepted values are a domain name like "
	    "example.org" }, 1 },
	{ "time zone libical does not know",
	  "[program]\ntimezone = Mars/Olympus_Mons\n",
	  { "2: [program] timezone = \"Mars/Olympus_Mons\": unknown time zone; accepted values "
	    "are time zone names like Europe/Amsterdam or UTC" }, 1 },
	{ "weekday written out",
	  "[program]\nnudge_at = monday 09:00\n",
	  { "2: [program] nudge_at = \"monday 09:00\": accepted values are a weekday (mon, tue, "
	    "wed, thu, fri, sat, sun) and a time HH:MM, like mon 09:00" }, 1 },
	{ "time of day past midnight",
	  "[program]\nweekly_report_at = mon 24:00\n",
	  { "2: [program] weekly_report_at = \"mon 24:00\": accepted values are a weekday" }, 1 },
	{ "office hours the wrong way round",
	  "[program]\noffice_hours = 17:00-09:00\n",
	  { "2: [program] office_hours = \"17:00-09:00\": the start is not before the end; "
	    "accepted values are HH:MM-HH:MM on a 24-hour clock, start before end, like "
	    "09:00-17:00" }, 1 },
	{ "reminder days not increasing",
	  "[program]\nreminder_days = 6,3\n",
	  { "2: [program] reminder_days = \"6,3\": not in increasing order; accepted values are "
	    "day numbers from 1 to 60 separated by commas, increasing, at most 8, like 3,6, or "
	    "empty" }, 1 },
	{ "reminder days ending in a comma",
	  "[program]\nreminder_days = 3,\n",
	  { "2: [program] reminder_days = \"3,\": ends in a comma;" }, 1 },
	{ "reminder after the questionnaire closes",
	  "[program]\nreminder_days = 3,20\n",
	  { "2: [program] reminder_days must all come before questionnaire_close_days (14)" }, 1 },
	{ "first retry after the longest wait",
	  "[outgoing]\nbackoff_max = 1m\nbackoff_initial = 1h\n",
	  { "3: [outgoing] backoff_initial is longer than backoff_max" }, 1 },
	{ "every syntax error is reported, with the other errors, by line",
	  "[outgoing]\nthis is not ini\nsessions = 0\n[broken\n",
	  { "2: syntax error: expected \"key = value\", \"[section]\" or a comment",
	    "3: [outgoing] sessions = \"0\": out of range;",
	    "4: syntax error:" }, 3 },
	{ "line longer than inih's buffer",
	  "[feedbackd]\nfrom_name = xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "\nlog_level = loud\n",
	  { "2: line too long (more than 198 characters)", "3: [feedbackd] log_level" }, 2 },
	{ "control character in a value",
	  "[feedbackd]\nfrom_name = a\002b\n",
	  { "2: control character 0x02 in line" }, 1 },
	{ "invalid UTF-8",
	  "[feedbackd]\nfrom_name = Caf\xe9\n",
	  { "2: line is not valid UTF-8" }, 1 },
	{ "secret values are not echoed",
	  "[outgoing]\npassword_file =\nunknown = 1\npassword_file = x\n",
	  { "4: duplicate key \"password_file\" in [outgoing] (first set on line 2)",
	    "3: unknown key \"unknown\" in [outgoing];" }, 2 },
};

static int
count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void
test_config_bad_input_reports_file_line_and_accepted_values(void **state)
{
	{
		const size_t i = TESTLIB_ROW(state, bad_cases);
		const struct bad_case *c = &bad_cases[i];
		struct buf errors = BUF_INIT;
		struct config *cfg = load_text(c->text, &errors);

		print_message("case: %s\n", c->what);
		assert_null(cfg);
		for (int j = 0; j < 3 && c->expect[j] != NULL; j++) {
			struct buf needle = BUF_INIT;

			assert_int_equal(buf_addf(&needle,
			    "%s:%s", tmp_path("t.conf"), c->expect[j]), 0);
			if (strstr(errors.data, needle.data) == NULL)
				fail_msg("case \"%s\": expected\n  %s\nin\n%s", c->what, needle.data,
				    errors.data);
			buf_release(&needle);
		}
		if (count_lines(errors.data) != c->nerrors)
			fail_msg("case \"%s\": %d errors, expected %d:\n%s", c->what,
			    count_lines(errors.data), c->nerrors, errors.data);
		buf_release(&errors);
	}
}

static void
test_config_errors_are_sorted_by_line(void **state)
{
	struct buf errors = BUF_INIT;
	const char *a, *b, *c;

	assert_null(load_text("[outgoing]\ntransport = smtp\nbad\n[incoming]\nverify = 1\n",
	    &errors));
	a = strstr(errors.data, "t.conf:2:");
	b = strstr(errors.data, "t.conf:3:");
	c = strstr(errors.data, "t.conf:5:");
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_true(a < b && b < c);
	buf_release(&errors);
}

static void
test_config_missing_file_names_path_and_reason(void **state)
{
	struct fb_error err;

	assert_null(config_load(tmp_path("does-not-exist.conf"), &err));
	assert_non_null(strstr(err.msg, tmp_path("does-not-exist.conf")));
	assert_non_null(strstr(err.msg, strerror(ENOENT)));
}

static void
test_config_load_error_message_keeps_whole_lines(void **state)
{
	struct buf text = BUF_INIT;
	struct fb_error err;
	const char *more;

	assert_int_equal(buf_adds(&text, "[outgoing]\n"), 0);
	for (int i = 0; i < 40; i++)
		assert_int_equal(buf_addf(&text, "bogus_key_%d = 1\n", i), 0);
	assert_null(config_load(write_file("many.conf", text.data, 0644), &err));
	assert_true(strlen(err.msg) < sizeof(err.msg) - 1);
	assert_non_null(strstr(err.msg, "many.conf:2: unknown key \"bogus_key_0\""));
	more = strstr(err.msg, " more; feedbackd --check-config shows them all)");
	assert_non_null(more);
	/* the line before the note is whole: it ends in the last accepted key */
	assert_non_null(strstr(err.msg, "bounce_window\n("));
	buf_release(&text);
}

/* ---------------------------------------------------------------------------------------- */

struct good_case {
	const char *text;
	const char *section, *key, *printed;
};

static const struct good_case good_cases[] = {
	{ "[feedbackd]\nlog_level = DEBUG\n", "feedbackd", "log_level", "debug" },
	{ "[feedbackd]\nfrom_name = Team Feedback ; a comment\n", "feedbackd", "from_name",
	  "Team Feedback" },
	{ "[feedbackd]\nfrom_address = a@example.org\n", "feedbackd", "reply_address",
	  "a@example.org" },
	{ "[feedbackd]\nfrom_address = a@example.org\n", "feedbackd", "coordinator_address",
	  "a@example.org" },
	{ "[feedbackd]\r\nfrom_name = Windows\r\n", "feedbackd", "from_name", "Windows" },
	{ "\xef\xbb\xbf[report]\nrating_samples = 20\n", "report", "rating_samples", "20" },
	{ "[outgoing]\nverify = No\n", "outgoing", "verify", "no" },
	{ "[incoming]\nurl = imaps://mail.example.org\n", "incoming", "url",
	  "imaps://mail.example.org" },
	{ "[program]\nreminder_days =\n", "program", "reminder_days", "" },
	{ "[program]\nreminder_days = 1,2,3,4,5,6,7,8\n", "program", "reminder_days",
	  "1,2,3,4,5,6,7,8" },
	{ "[program]\nnudge_at = SUN  7:05\n", "program", "nudge_at", "sun 07:05" },
	{ "[program]\ntimezone = UTC\n", "program", "timezone", "UTC" },
	{ "[program]\noffice_hours = 00:00-23:59\n", "program", "office_hours", "00:00-23:59" },
	{ "[security]\nrequire_auth = dkim\ntrusted_authserv_id = mx.example.org\n", "security",
	  "require_auth", "dkim" },
	{ "[security]\ntrusted_authserv_id = MX1.example.org,mx2.example.org\n", "security",
	  "trusted_authserv_id", "mx1.example.org, mx2.example.org" },
	{ "[lagging]\nmedian_fraction = 100\n", "lagging", "median_fraction", "100" },
	{ "; comment\n# comment\n\n[lagging]\nrequest_by_week = 0\n", "lagging",
	  "request_by_week", "0" },
	{ "[outgoing]\nbackoff_max = 120s\n", "outgoing", "backoff_max", "2m" },
	{ "[outgoing]\npassword_file = pw\n", "outgoing", "password_file", "********" },
	{ "[outgoing]\npassword_file =\n", "outgoing", "password_file", "" },
};

static void
test_config_good_input_prints_canonical_value(void **state)
{
	{
		const size_t i = TESTLIB_ROW(state, good_cases);
		const struct good_case *c = &good_cases[i];
		struct buf errors = BUF_INIT, value = BUF_INIT;
		struct config *cfg = load_text(c->text, &errors);

		if (cfg == NULL)
			fail_msg("case %zu (%s): %s", i, c->key, errors.data);
		printed_value(cfg, c->section, c->key, &value);
		if (strcmp(value.data, c->printed) != 0)
			fail_msg("case %zu: [%s] %s printed \"%s\", expected \"%s\"", i, c->section,
			    c->key, value.data, c->printed);
		config_free(cfg);
		buf_release(&value);
		buf_release(&errors);
	}
}

static const struct {
	const char *value;
	int seconds;  /* -1: refused */
} durations[] = {
	{ "90s", 90 }, { "15m", 900 }, { "3h", 10800 }, { "14d", 1209600 }, { "30d", 2592000 },
	{ "1s", 1 }, { "0s", -1 }, { "31d", -1 }, { "1H", -1 }, { "1.5h", -1 }, { "-1m", -1 },
	{ "h", -1 }, { "1hm", -1 }, { "", -1 }, { "99999999999999999d", -1 },
	{ "9223372036854775807s", -1 },
};

static void
test_config_durations(void **state)
{
	{
		const size_t i = TESTLIB_ROW(state, durations);
		struct buf text = BUF_INIT, errors = BUF_INIT;
		struct config *cfg;

		assert_int_equal(buf_addf(&text,
		    "[outgoing]\nbackoff_initial = 1s\nbackoff_max = %s\n",
		    durations[i].value), 0);
		cfg = load_text(text.data, &errors);
		if (durations[i].seconds < 0) {
			if (cfg != NULL)
				fail_msg("duration \"%s\" was accepted", durations[i].value);
			assert_non_null(strstr(errors.data, "t.conf:3: [outgoing] backoff_max"));
		} else {
			if (cfg == NULL)
				fail_msg("duration \"%s\": %s", durations[i].value, errors.data);
			assert_int_equal(cfg->outgoing.backoff_max, durations[i].seconds);
		}
		config_free(cfg);
		buf_release(&text);
		buf_release(&errors);
	}
}

static void
test_config_full_file_gives_typed_values(void **state)
{
	const char *top = getenv("FB_TOP");
	struct buf path = BUF_INIT, errors = BUF_INIT, dir = BUF_INIT;
	char real[PATH_MAX];
	struct config *cfg;

	assert_int_equal(buf_addf(&path, "%s/tests/data/config/full.conf", top ? top : "."), 0);
	cfg = config_load_report(path.data, &errors);
	if (cfg == NULL)
		fail_msg("%s", errors.data);
	assert_non_null(realpath(path.data, real));
	*strrchr(real, '/') = '\0';
	assert_int_equal(buf_adds(&dir, real), 0);

	assert_string_equal(cfg->path, path.data);
	assert_true(strncmp(cfg->feedbackd.database, dir.data, dir.len) == 0);
	assert_string_equal(cfg->feedbackd.database + dir.len, "/state/feedbackd.db");
	assert_int_equal(cfg->feedbackd.log_level, LOG_LEVEL_DEBUG);
	assert_string_equal(cfg->feedbackd.templates_dir, "/usr/share/feedbackd/mail-templates");
	assert_string_equal(cfg->feedbackd.questionnaires_dir, "");
	assert_string_equal(cfg->feedbackd.tips_dir, "/usr/share/feedbackd/tips");
	assert_string_equal(cfg->feedbackd.domain, "feedback.feedbackd.test");
	assert_string_equal(cfg->feedbackd.from_name, "Team Feedback");
	assert_string_equal(cfg->feedbackd.reply_address, "programma@feedbackd.test");
	assert_string_equal(cfg->feedbackd.coordinator_address, "feedback@feedbackd.test");
	assert_int_equal(cfg->feedbackd.max_message_size, 2048);

	assert_int_equal(cfg->outgoing.transport, CONFIG_TRANSPORT_SMTP);
	assert_string_equal(cfg->outgoing.url.host, "mail.example.org");
	assert_int_equal(cfg->outgoing.url.port, 587);
	assert_false(cfg->outgoing.url.tls);
	assert_string_equal(cfg->outgoing.password_file + dir.len, "/smtp.password");
	assert_false(cfg->outgoing.verify);
	assert_int_equal(cfg->outgoing.timeout, 90);
	assert_int_equal(cfg->outgoing.sessions, 4);
	assert_int_equal(cfg->outgoing.backoff_initial, 900);
	assert_int_equal(cfg->outgoing.backoff_max, 10800);
	assert_int_equal(cfg->outgoing.per_recipient_daily_cap, 20);

	assert_int_equal(cfg->incoming.mailbox, CONFIG_MAILBOX_IMAP);
	assert_string_equal(cfg->incoming.url.host, "::1");
	assert_int_equal(cfg->incoming.url.port, 1143);
	assert_false(cfg->incoming.url.tls);
	assert_int_equal(cfg->incoming.starttls, CONFIG_STARTTLS_NO);
	assert_string_equal(cfg->incoming.password_file, "/etc/feedbackd/imap.password");
	assert_string_equal(cfg->incoming.processed_folder, "Feedback/Done");
	assert_false(cfg->incoming.idle);
	assert_int_equal(cfg->incoming.poll_interval, 300);
	assert_int_equal(cfg->incoming.fetch_batch, 500);

	assert_string_equal(cfg->program.timezone, "America/New_York");
	assert_int_equal(cfg->program.language, CONFIG_LANGUAGE_EN);
	assert_int_equal(cfg->program.weeks, 12);
	assert_int_equal(cfg->program.nudge_at.weekday, 2);
	assert_int_equal(cfg->program.nudge_at.minute, 10 * 60 + 30);
	assert_int_equal(cfg->program.weekly_report_at.weekday, 5);
	assert_int_equal(cfg->program.weekly_report_at.minute, 16 * 60);
	assert_int_equal(cfg->program.reminder_days.n, 3);
	assert_int_equal(cfg->program.reminder_days.day[0], 2);
	assert_int_equal(cfg->program.reminder_days.day[2], 9);
	assert_int_equal(cfg->program.office_hours.start, 8 * 60 + 30);
	assert_int_equal(cfg->program.office_hours.end, 18 * 60);
	assert_true(cfg->program.weekend_mail);

	assert_int_equal(cfg->lagging.median_fraction, 0);
	assert_false(cfg->lagging.questionnaire_after_reminder);
	assert_int_equal(cfg->security.require_auth, CONFIG_AUTH_DMARC);
	assert_string_equal(cfg->security.trusted_authserv_id, "mx1.example.org, mx2.example.org");
	assert_int_equal(cfg->security.answers_per_sender_per_hour, 1000);
	assert_int_equal(cfg->report.rating_samples, 0);

	config_free(cfg);
	buf_release(&path);
	buf_release(&errors);
	buf_release(&dir);
}

static void
test_config_defaults(void **state)
{
	struct config *cfg = config_default();

	assert_non_null(cfg);
	assert_string_equal(cfg->path, "");
	assert_string_equal(cfg->feedbackd.database, "feedbackd.db");
	assert_int_equal(cfg->feedbackd.log_level, LOG_LEVEL_INFO);
	assert_string_equal(cfg->feedbackd.reply_address, "feedback@feedbackd.invalid");
	assert_string_equal(cfg->feedbackd.coordinator_address, "feedback@feedbackd.invalid");
	assert_int_equal(cfg->feedbackd.max_message_size, 10485760);
	assert_int_equal(cfg->outgoing.transport, CONFIG_TRANSPORT_MAILDIR);
	assert_string_equal(cfg->outgoing.maildir, "outbox-maildir");
	assert_string_equal(cfg->outgoing.url.url, "");
	assert_int_equal(cfg->outgoing.url.port, 0);
	assert_int_equal(cfg->outgoing.starttls, CONFIG_STARTTLS_REQUIRED);
	assert_true(cfg->outgoing.verify);
	assert_int_equal(cfg->outgoing.timeout, 30);
	assert_int_equal(cfg->outgoing.backoff_initial, 60);
	assert_int_equal(cfg->outgoing.backoff_max, 6 * 3600);
	assert_int_equal(cfg->incoming.mailbox, CONFIG_MAILBOX_MAILDIR);
	assert_string_equal(cfg->incoming.folder, "INBOX");
	assert_int_equal(cfg->incoming.poll_interval, 60);
	assert_string_equal(cfg->program.timezone, "Europe/Amsterdam");
	assert_int_equal(cfg->program.language, CONFIG_LANGUAGE_NL);
	assert_int_equal(cfg->program.nudge_at.weekday, 1);
	assert_int_equal(cfg->program.nudge_at.minute, 9 * 60);
	assert_int_equal(cfg->program.weekly_report_at.minute, 8 * 60);
	assert_int_equal(cfg->program.reminder_days.n, 2);
	assert_int_equal(cfg->program.reminder_days.day[0], 3);
	assert_int_equal(cfg->program.reminder_days.day[1], 6);
	assert_int_equal(cfg->program.office_hours.start, 9 * 60);
	assert_int_equal(cfg->program.office_hours.end, 17 * 60);
	assert_false(cfg->program.weekend_mail);
	assert_int_equal(cfg->program.retention_days, 365);
	assert_int_equal(cfg->lagging.median_fraction, 50);
	assert_int_equal(cfg->security.require_auth, CONFIG_AUTH_NONE);
	assert_int_equal(cfg->report.rating_samples, 3);
	config_free(cfg);
	config_free(NULL);
}

static void
test_config_relative_paths_follow_the_file(void **state)
{
	struct buf errors = BUF_INIT, want = BUF_INIT;
	struct config *cfg = load_text("[feedbackd]\ndatabase = data/fb.db\n"
	    "lock_file = /run/fb.lock\n[outgoing]\nmaildir = ../out\n", &errors);

	if (cfg == NULL)
		fail_msg("%s", errors.data);
	assert_int_equal(buf_addf(&want, "%s/data/fb.db", tmpreal), 0);
	assert_string_equal(cfg->feedbackd.database, want.data);
	assert_string_equal(cfg->feedbackd.lock_file, "/run/fb.lock");
	buf_reset(&want);
	assert_int_equal(buf_addf(&want, "%s/../out", tmpreal), 0);
	assert_string_equal(cfg->outgoing.maildir, want.data);
	/* defaults that are relative paths follow the file too; empty ones stay empty */
	buf_reset(&want);
	assert_int_equal(buf_addf(&want, "%s/inbox-maildir", tmpreal), 0);
	assert_string_equal(cfg->incoming.maildir, want.data);
	assert_string_equal(cfg->feedbackd.templates_dir, "");
	config_free(cfg);
	buf_release(&errors);
	buf_release(&want);
}

static void
test_config_print_masks_secrets(void **state)
{
	struct buf errors = BUF_INIT, out = BUF_INIT;
	struct config *cfg;

	cfg = load_text("[outgoing]\ntransport = smtp\nurl = smtp://127.0.0.1:2525\n"
	    "username = fb\npassword_file = /etc/very-secret-name\n[feedbackd]\n"
	    "domain = feedbackd.test\nfrom_address = fb@feedbackd.test\n", &errors);
	if (cfg == NULL)
		fail_msg("%s", errors.data);
	assert_int_equal(config_print(cfg, &out), 0);
	assert_null(strstr(out.data, "very-secret-name"));
	assert_non_null(strstr(out.data, "[outgoing]\ntransport = smtp\nmaildir = "));
	assert_non_null(strstr(out.data, "\nusername = fb\npassword_file = ********\n"));
	/* the unset secret of [incoming] shows as unset */
	assert_non_null(strstr(out.data, "\nusername =\npassword_file =\nauth = password\n"));
	config_free(cfg);
	buf_release(&errors);
	buf_release(&out);
}

static void
test_config_print_reads_back_to_the_same_configuration(void **state)
{
	struct buf errors = BUF_INIT, first = BUF_INIT, second = BUF_INIT;
	struct config *cfg, *again;

	cfg = load_text("[outgoing]\ntransport = smtp\nurl = smtp://127.0.0.1:2525\n"
	    "timeout = 120s\n[program]\nreminder_days = 2,5\nnudge_at = wed 13:15\n"
	    "[feedbackd]\nreply_address = reply@feedbackd.test\nfrom_name = Het Team\n"
	    "domain = feedbackd.test\nfrom_address = fb@feedbackd.test\n", &errors);
	if (cfg == NULL)
		fail_msg("%s", errors.data);
	assert_int_equal(config_print(cfg, &first), 0);
	assert_non_null(strstr(first.data, "\ntimeout = 2m\n"));
	again = config_load_report(write_file("again.conf", first.data, 0644), &errors);
	if (again == NULL)
		fail_msg("%s\n%s", errors.data, first.data);
	assert_int_equal(config_print(again, &second), 0);
	assert_string_equal(first.data, second.data);
	config_free(again);
	config_free(cfg);
	buf_release(&errors);
	buf_release(&first);
	buf_release(&second);
}

/* ---------------------------------------------------------------------------------------- */

static void
test_config_password_file_mode_0644_refused(void **state)
{
	const char *path = write_file("secret", "s3cret\n", 0644);
	struct buf out = BUF_INIT;
	struct fb_error err;
	struct buf want = BUF_INIT;

	assert_int_equal(buf_adds(&out, "keep"), 0);
	assert_int_equal(config_read_secret(path, &out, &err), -1);
	assert_string_equal(out.data, "keep");
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "mode 0644"));
	assert_int_equal(buf_addf(&want, "run: chmod 600 %s", path), 0);
	assert_non_null(strstr(err.msg, want.data));
	buf_release(&out);
	buf_release(&want);
}

static const struct {
	mode_t mode;
	const char *content;
	const char *password;  /* NULL: refused, with this in the message: */
	const char *why;
} secrets[] = {
	{ 0600, "s3cret\n", "s3cret", NULL },
	{ 0400, "s3cret", "s3cret", NULL },
	{ 0600, "s3cret\r\n", "s3cret", NULL },
	{ 0600, "two\n\n", "two\n", NULL },
	{ 0600, "with space \n", "with space ", NULL },
	{ 0640, "s3cret\n", NULL, "mode 0640" },
	{ 0604, "s3cret\n", NULL, "mode 0604" },
	{ 0620, "s3cret\n", NULL, "mode 0620" },
	{ 0600, "\n", NULL, "is empty" },
	{ 0600, "", NULL, "is empty" },
};

static void
test_config_read_secret_table(void **state)
{
	{
		const size_t i = TESTLIB_ROW(state, secrets);
		const char *path = write_file("secret", secrets[i].content, secrets[i].mode);
		struct buf out = BUF_INIT;
		struct fb_error err;
		int rc = config_read_secret(path, &out, &err);

		if (secrets[i].password != NULL) {
			if (rc != 0)
				fail_msg("case %zu: %s", i, err.msg);
			assert_string_equal(out.data, secrets[i].password);
		} else {
			assert_int_equal(rc, -1);
			assert_int_equal(out.len, 0);
			if (strstr(err.msg, secrets[i].why) == NULL)
				fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.msg, secrets[i].why);
		}
		buf_release(&out);
	}
}

static void
test_config_read_secret_refuses_big_missing_and_directories(void **state)
{
	struct buf big = BUF_INIT, out = BUF_INIT;
	struct fb_error err;

	for (int i = 0; i < 5000; i++)
		assert_int_equal(buf_addch(&big, 'x'), 0);
	assert_int_equal(config_read_secret(write_file("secret", big.data, 0600), &out, &err), -1);
	assert_non_null(strstr(err.msg, "larger than 4096 bytes"));
	assert_int_equal(config_read_secret(tmp_path("nothing-here"), &out, &err), -1);
	assert_non_null(strstr(err.msg, strerror(ENOENT)));
	assert_int_equal(config_read_secret(tmpdir, &out, &err), -1);
	assert_non_null(strstr(err.msg, "not a regular file"));
	assert_int_equal(out.len, 0);
	buf_release(&big);
	buf_release(&out);
}

/* ---------------------------------------------------------------------------------------- */
/* The documentation cannot drift from the table. */

static void
read_doc(const char *rel, struct buf *out)
{
	const char *top = getenv("FB_TOP");
	struct buf path = BUF_INIT;

	assert_int_equal(buf_addf(&path, "%s/%s", top ? top : ".", rel), 0);
	if (buf_read_file(out, path.data, 1 << 20) < 0)
		fail_msg("cannot read %s: %s (set FB_TOP to the top of the tree)", path.data,
		    strerror(errno));
	buf_release(&path);
}

static void
test_config_example_lists_every_key_in_its_section(void **state)
{
	struct buf ex = BUF_INIT;

	read_doc("feedbackd.conf.example", &ex);
	for (size_t i = 0; i < config_key_count(); i++) {
		struct config_keyinfo k;
		struct buf head = BUF_INIT, line = BUF_INIT;
		const char *sec, *next, *at;

		assert_int_equal(config_key_info(i, &k), 0);
		assert_int_equal(buf_addf(&head, "\n[%s]\n", k.section), 0);
		assert_int_equal(buf_addf(&line, "\n#%s =", k.name), 0);
		sec = strstr(ex.data, head.data);
		if (sec == NULL)
			fail_msg("feedbackd.conf.example has no section [%s]", k.section);
		next = strstr(sec + head.len, "\n[");
		at = strstr(sec, line.data);
		if (at == NULL || (next != NULL && at > next))
			fail_msg("feedbackd.conf.example does not show \"#%s = …\" under [%s]",
			    k.name, k.section);
		buf_release(&head);
		buf_release(&line);
	}
	assert_int_equal(config_key_info(config_key_count(), &(struct config_keyinfo){ 0 }), -1);
	buf_release(&ex);
}

static void
test_config_example_uncommented_equals_defaults(void **state)
{
	struct buf ex = BUF_INIT, on = BUF_INIT, errors = BUF_INIT, a = BUF_INIT, b = BUF_INIT;
	struct config *cfg, *def;
	int uncommented = 0;

	read_doc("feedbackd.conf.example", &ex);
	/* "#key = value" lines are settings; "# text" lines are prose */
	for (char *line = ex.data; *line; ) {
		char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) + 1 : strlen(line);

		if (line[0] == '#' && line[1] >= 'a' && line[1] <= 'z') {
			assert_int_equal(buf_add(&on, line + 1, len - 1), 0);
			uncommented++;
		} else {
			assert_int_equal(buf_add(&on, line, len), 0);
		}
		line += len;
	}
	assert_int_equal(uncommented, (int)config_key_count());
	cfg = config_load_report(write_file("example.conf", on.data, 0644), &errors);
	if (cfg == NULL)
		fail_msg("uncommented example does not load:\n%s", errors.data);
	def = config_load_report(write_file("empty.conf", "", 0644), &errors);
	assert_non_null(def);
	assert_int_equal(config_print(cfg, &a), 0);
	assert_int_equal(config_print(def, &b), 0);
	assert_string_equal(a.data, b.data);
	config_free(cfg);
	config_free(def);
	buf_release(&ex);
	buf_release(&on);
	buf_release(&errors);
	buf_release(&a);
	buf_release(&b);
}

static void
test_config_manual_page_lists_every_key(void **state)
{
	struct buf man = BUF_INIT;

	read_doc("man/feedbackd.conf.5", &man);
	for (size_t i = 0; i < config_key_count(); i++) {
		struct config_keyinfo k;
		struct buf item = BUF_INIT, sec = BUF_INIT;
		const char *at, *next;

		assert_int_equal(config_key_info(i, &k), 0);
		assert_int_equal(buf_addf(&item, "\n.It Cm %s ", k.name), 0);
		assert_int_equal(buf_addf(&sec, "\n.Ss \\&[%s]\n", k.section), 0);
		if ((at = strstr(man.data, sec.data)) == NULL)
			fail_msg("feedbackd.conf.5 has no \".Ss \\&[%s]\"", k.section);
		next = strstr(at + sec.len, "\n.Ss ");
		at = strstr(at, item.data);
		if (at == NULL || (next != NULL && at > next))
			fail_msg("feedbackd.conf.5 does not describe %s under [%s]", k.name,
			    k.section);
		buf_release(&item);
		buf_release(&sec);
	}
	buf_release(&man);
}

static void
test_config_key_accepted_describes_values(void **state)
{
	struct buf b = BUF_INIT;

	assert_int_equal(config_key_accepted("incoming", "verify", &b), 0);
	assert_string_equal(b.data, "accepted values are yes, no");
	buf_reset(&b);
	assert_int_equal(config_key_accepted("outgoing", "sessions", &b), 0);
	assert_string_equal(b.data, "accepted values are whole numbers from 1 to 16");
	assert_int_equal(config_key_accepted("outgoing", "nope", &b), -1);
	buf_release(&b);
}

/* Nobody's mail domains, and real ones that only look alike. */
static const struct {
	const char *domain;
	int placeholder;
} placeholder_domains[] = {
	{ "feedbackd.invalid", 1 }, { "invalid", 1 }, { "example.org", 1 }, { "Example.COM", 1 },
	{ "mail.example.net", 1 }, { "example.org.", 1 }, { "foo.example", 1 },
	{ "localhost", 1 }, { "mail.localhost", 1 }, { "localhost.localdomain", 1 },
	{ "printer.local", 1 }, { "mailhost", 1 }, { "", 1 },
	{ "feedbackd.test", 0 }, { "example.nl", 0 }, { "myexample.org", 0 },
	{ "example.org.nl", 0 }, { "invalid.nl", 0 }, { "localhost.nl", 0 }, { "acme.com", 0 },
};

static void
test_config_placeholder_domains(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(placeholder_domains) / sizeof(placeholder_domains[0]); i++) {
		print_message("domain: \"%s\"\n", placeholder_domains[i].domain);
		assert_int_equal(config_placeholder_domain(placeholder_domains[i].domain),
		    placeholder_domains[i].placeholder);
	}
}

/* On Maildirs placeholders load, and config_placeholders() names each with its line. */
static void
test_config_placeholders_on_maildir_are_listed(void **state)
{
	struct buf errors = BUF_INIT, w = BUF_INIT, needle = BUF_INIT;
	struct config *cfg = load_text("[feedbackd]\n\nfrom_address = fb@example.org\n", &errors);
	struct config *def = config_default();

	(void)state;
	assert_non_null(cfg);
	assert_int_equal(config_placeholders(cfg, &w), 2);
	assert_int_equal(buf_addf(&needle, "%s: [feedbackd] domain is not set, and its default "
	    "feedbackd.invalid is a placeholder (nobody can answer it", tmp_path("t.conf")), 0);
	assert_non_null(strstr(w.data, needle.data));
	buf_reset(&needle);
	assert_int_equal(buf_addf(&needle, "%s:3: [feedbackd] from_address = fb@example.org is a "
	    "placeholder (", tmp_path("t.conf")), 0);
	assert_non_null(strstr(w.data, needle.data));
	/* the derived keys follow from_address: fixing it fixes them, so they are not named */
	assert_null(strstr(w.data, "reply_address"));
	buf_reset(&w);
	assert_non_null(def);
	assert_int_equal(config_placeholders(def, &w), 2);
	assert_true(strncmp(w.data, "[feedbackd] domain is not set", 29) == 0);
	config_free(def);
	config_free(cfg);
	buf_release(&w);
	buf_release(&needle);
	buf_release(&errors);
}

int
main(void)
{
	static const struct testlib_rows rows[] = {
		TESTLIB_ROWS(test_config_bad_input_reports_file_line_and_accepted_values, bad_cases),
		TESTLIB_ROWS(test_config_good_input_prints_canonical_value, good_cases),
		TESTLIB_ROWS(test_config_durations, durations),
		TESTLIB_ROWS(test_config_read_secret_table, secrets),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_errors_are_sorted_by_line),
		cmocka_unit_test(test_config_missing_file_names_path_and_reason),
		cmocka_unit_test(test_config_load_error_message_keeps_whole_lines),
		cmocka_unit_test(test_config_full_file_gives_typed_values),
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_config_relative_paths_follow_the_file),
		cmocka_unit_test(test_config_print_masks_secrets),
		cmocka_unit_test(test_config_print_reads_back_to_the_same_configuration),
		cmocka_unit_test(test_config_password_file_mode_0644_refused),
		cmocka_unit_test(test_config_read_secret_refuses_big_missing_and_directories),
		cmocka_unit_test(test_config_example_lists_every_key_in_its_section),
		cmocka_unit_test(test_config_example_uncommented_equals_defaults),
		cmocka_unit_test(test_config_manual_page_lists_every_key),
		cmocka_unit_test(test_config_key_accepted_describes_values),
		cmocka_unit_test(test_config_placeholder_domains),
		cmocka_unit_test(test_config_placeholders_on_maildir_are_listed),
	};
	return testlib_run_rows("config", rows, sizeof(rows) / sizeof(rows[0]), tests,
	    sizeof(tests) / sizeof(tests[0]), setup, teardown);
}
