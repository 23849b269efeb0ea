/*
 * feedbackd — the daemon's main: options, configuration, the store, signals; then the loop.
 *
 * main() is one of the two places that read the clock (the other is feedbackctl's main): with
 * --now the daemon runs at a fixed time instead, which is how whole programmes are simulated.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "confpath.h"
#include "daemon.h"
#include "daemon_lock.h"
#include "db.h"
#include "dryrun.h"
#include "fbtime.h"
#include "log.h"
#include "mailauth.h"
#include "outmail.h"
#include "report_progress.h"
#include "sdnotify.h"
#include "tipflow.h"
#include "banned.h"

static const char usage[] =
	"usage: feedbackd [-c FILE] [--foreground] [--once [--dry-run]] [--now TIME]\n"
	"                 [--check-config] [--log-level LEVEL] [--now-stdin]\n"
	"\n"
	"Runs the feedback programmes of the database named in the configuration: sends what is\n"
	"due, reads replies, and sleeps until the next moment.\n"
	"\n"
	CONFPATH_HELP
	"  --check-config      validate the configuration, print it (secrets masked), exit\n"
	"  --once              do one pass (send, read, apply) and exit\n"
	"  --dry-run           with --once: list what the pass would send and apply, on a copy\n"
	"                      of the database; send nothing, change nothing, move no mail\n"
	"  --now TIME          run at TIME instead of the clock (ISO 8601; with --once)\n"
	"  --now-stdin         for simulations and tests: read instants (as --now takes them)\n"
	"                      from standard input, one a line; at each, make the pass\n"
	"                      --once --now makes, then answer \"done TIME\" (or \"failed\n"
	"                      TIME\") on standard output; exit at the end of the input\n"
	"  --foreground        stay in the foreground (the default; systemd runs it so)\n"
	"  --log-level LEVEL   error, warning, info or debug (overrides the configuration)\n"
	"  -h, --help          this text\n";

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reload_requested;
static volatile sig_atomic_t wake_requested;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else
		stop_requested = 1;
	wake_requested = 1;
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* A file-size limit (RLIMIT_FSIZE, a unit's LimitFSIZE=) must fail the write (EFBIG, an
	 * I/O error SQLite reports) rather than kill the daemon mid-send: see mailflow.h on what
	 * only the running process knows while the database cannot write. */
	signal(SIGXFSZ, SIG_IGN);
}

/*
 * The clocks handed to the loop: the real one, or --now advanced by the time elapsed since
 * start (so a simulated daemon still sees retries come due). Only main's file reads clocks.
 */
static double clock_start;

static double
monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static time_t
clock_real(void *arg)
{
	(void)arg;
	return time(NULL);
}

/* The real time whatever --now says: an access token's lifetime is the endpoint's, in real
 * seconds (mailauth.h). */
static time_t
wall_clock(void *arg)
{
	(void)arg;
	return time(NULL);
}

static time_t
clock_simulated(void *arg)
{
	return *(const time_t *)arg + (time_t)(monotonic_seconds() - clock_start);
}

struct options {
	const char *config;
	const char *now;
	const char *log_level;
	int once;
	int dry_run;
	int check;
	int now_stdin;
};

static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "once", no_argument, NULL, 'o' },
		{ "dry-run", no_argument, NULL, 'D' },
		{ "now", required_argument, NULL, 'n' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "now-stdin", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': o->config = optarg; break;
		case 'C': o->check = 1; break;
		case 'o': o->once = 1; break;
		case 'D': o->dry_run = 1; break;
		case 'n': o->now = optarg; break;
		case 'f': break;
		case 'l': o->log_level = optarg; break;
		case 'S': o->now_stdin = 1; break;
		case 'h': fputs(usage, stdout); exit(0);
		default: fputs(usage, stderr); return -1;
		}
	}
	if (o->dry_run && !o->once) {
		fprintf(stderr, "feedbackd: --dry-run needs --once (a dry run is one pass)\n");
		return -1;
	}
	if (o->now_stdin && (o->once || o->now != NULL || o->check)) {
		fprintf(stderr, "feedbackd: --now-stdin takes the time of every pass from standard "
		    "input: not with %s\n", o->once ? "--once" : o->now != NULL ? "--now" :
		    "--check-config");
		return -1;
	}
	if (optind != argc) {
		fprintf(stderr, "feedbackd: unexpected argument \"%s\"\n%s", argv[optind], usage);
		return -1;
	}
	/* The same rule as feedbackctl's (confpath.h): NULL runs on the built-in defaults. */
	o->config = confpath_find(o->config);
	return 0;
}

static struct config *
load_config(const char *path, int check)
{
	struct fb_error err;
	struct buf errors = BUF_INIT;
	struct config *cfg;

	/* --check-config says every error, however many: an error message holds only some. */
	if (check && path != NULL) {
		cfg = config_load_report(path, &errors);
		if (cfg == NULL)
			fputs(buf_failed(&errors) ? "feedbackd: out of memory\n" : errors.data, stderr);
		buf_release(&errors);
		return cfg;
	}
	cfg = confpath_open(path, &err);
	if (cfg == NULL)
		fprintf(stderr, "%s\n", err.msg);
	return cfg;
}

/* --check-config: build the logins as the daemon will (mailauth.h): a key file that holds no
 * key is refused now, not at the start. 0, or -1 after saying why. */
static int
check_logins(const struct config *cfg)
{
	struct fb_error err;
	struct mailauth a = MAILAUTH_INIT;

	for (int side = 0; side < 2; side++) {
		if (mailauth_load(&a, cfg, side ? MAILAUTH_OUTGOING : MAILAUTH_INCOMING, wall_clock,
		    NULL, &err) < 0) {
			fprintf(stderr, "feedbackd: %s\n", err.msg);
			return -1;
		}
		mailauth_release(&a);
	}
	return 0;
}

/* --check-config on Maildirs: every placeholder address (with SMTP they are errors). */
static void
warn_placeholders(const struct config *cfg)
{
	struct buf w = BUF_INIT;
	const char *line, *nl;

	if (config_placeholders(cfg, &w) < 0) {
		fprintf(stderr, "feedbackd: warning: out of memory listing placeholders\n");
	} else {
		for (line = w.data; line != NULL && *line != '\0'; line = nl + 1) {
			nl = strchr(line, '\n');
			fprintf(stderr, "feedbackd: warning: %.*s\n", (int)(nl - line), line);
		}
	}
	buf_release(&w);
}

/* One daemon per database (daemon_lock.h); NULL after logging why. */
static struct daemon_lock *
take_lock(const struct config *cfg)
{
	struct buf path = BUF_INIT;
	struct fb_error err;
	struct daemon_lock *l = NULL;

	if (daemon_lock_path(cfg->feedbackd.lock_file, cfg->feedbackd.database, &path) < 0)
		fb_error_set(&err, "out of memory");
	else
		l = daemon_lock_take(path.data, &err);
	if (l == NULL)
		log_errorx("%s", err.msg);
	buf_release(&path);
	return l;
}

/*
 * --once --dry-run: the pass on a copy (dryrun.h), then its listing on stdout. No lock: it
 * writes nothing a running daemon could be disturbed by, so it may run beside one.
 */
static int
dry_run(struct config *cfg, const struct options *o, time_t now)
{
	static volatile sig_atomic_t never;
	struct fb_error err;
	struct db *db = NULL;
	struct dryrun *d = dryrun_open(cfg->feedbackd.database, &db, &err);
	int rc;

	/* What the passes log ("outbox: 37 sent") happened to the copy: say so on every line. */
	log_init("feedbackd (dry run)", log_get_level());
	if (d == NULL) {
		log_errorx("%s", err.msg);
		config_free(cfg);
		return 1;
	}
	install_signals();
	{
		struct daemon_opts dopt = {
			.config_path = o->config,
			.once = 1,
			.dry_run = 1,
			.clock = o->now ? clock_simulated : clock_real,
			.clock_arg = &now,
			.wall_clock = wall_clock,
			.stop = &stop_requested,
			.reload = &never,
			.wake = &wake_requested,
		};

		clock_start = monotonic_seconds();
		rc = daemon_run(&cfg, db, &dopt);
	}
	if (rc == 0 && dryrun_report(d, db, cfg->program.timezone, stdout, &err) < 0) {
		log_errorx("%s", err.msg);
		rc = 1;
	}
	dryrun_close(d, db);
	config_free(cfg);
	fbtime_cleanup();
	report_chart_cleanup();
	return rc;
}

/*
 * --now-stdin: one pass per line of standard input, each at the instant the line names, the
 * answer on standard output when it is done (daemon.h, daemon_run_steps). The lines come from
 * a simulator, but are read as any input is: a line is at most STEP_LINE_MAX bytes, and one
 * that is not an instant ends the run with the line's number and what was wrong.
 */
#define STEP_LINE_MAX 200

struct steps {
	struct config **cfg;     /* its time zone reads a local instant */
	time_t *now;             /* the simulated clock's instant (clock_simulated) */
	struct buf line;
	unsigned long lineno;
};

/* The next line into st->line, without its newline: 1, or 0 at the end, or -1 with err. */
static int
steps_read_line(struct steps *st, struct fb_error *err)
{
	int c;

	buf_reset(&st->line);
	st->lineno++;
	while ((c = getchar()) != EOF && c != '\n') {
		if (st->line.len >= STEP_LINE_MAX)
			return fb_error_set(err, "longer than %d bytes", STEP_LINE_MAX);
		if (buf_addch(&st->line, (char)c) < 0)
			return fb_error_set(err, "out of memory");
	}
	if (c == EOF && ferror(stdin)) {
		/* A signal (SIGTERM) ends the wait for a line as it ends the daemon's wait. */
		if (errno == EINTR)
			return 0;
		return fb_error_set(err, "reading standard input: %s", strerror(errno));
	}
	if (c == EOF && st->line.len == 0)
		return 0;
	if (st->line.len == 0)
		return fb_error_set(err, "an empty line (one instant a line, as --now takes it)");
	if (memchr(st->line.data, '\0', st->line.len) != NULL)
		return fb_error_set(err, "a NUL byte in the line");
	return 1;
}

static int
steps_next(void *arg)
{
	struct steps *st = arg;
	struct fb_error err;
	time_t t;
	int rc = steps_read_line(st, &err);

	if (rc == 0)
		return 0;
	if (rc > 0)
		rc = fbtime_parse(st->line.data, (*st->cfg)->program.timezone, &t, &err);
	if (rc < 0) {
		/* Said on both: the log has it, and the reader waiting for an answer gets one. */
		fprintf(stderr, "feedbackd: --now-stdin line %lu: %s\n", st->lineno, err.msg);
		printf("error line %lu: %s\n", st->lineno, err.msg);
		fflush(stdout);
		return -1;
	}
	*st->now = t;
	clock_start = monotonic_seconds();
	return 1;
}

static int
steps_done(void *arg, int failed)
{
	struct steps *st = arg;

	/* Its reader waits for this line: it goes now, not when a buffer fills. */
	if (printf("%s %s\n", failed ? "failed" : "done", st->line.data) < 0 ||
	    fflush(stdout) != 0) {
		log_errorx("--now-stdin: writing the answer: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int
run_steps(struct config **cfg, struct db *db, struct daemon_opts *d, time_t *now)
{
	struct steps st = { .cfg = cfg, .now = now, .line = BUF_INIT, .lineno = 0 };
	struct daemon_steps steps = { .next = steps_next, .done = steps_done, .arg = &st };
	int rc;

	d->clock = clock_simulated;
	rc = daemon_run_steps(cfg, db, d, &steps);
	buf_release(&st.line);
	return rc;
}

int
main(int argc, char **argv)
{
	struct options o = { 0 };
	struct config *cfg;
	struct db *db;
	struct daemon_lock *lock;
	struct fb_error err;
	time_t now;
	int rc = 0;

	/* Buffers the size of a message (up to max_message_size) come from mmap and go back to
	 * the kernel when freed. glibc's own threshold grows to the largest block freed, after
	 * which such buffers stay in the heap and the process keeps their peak for good; the
	 * budget is 64 MiB for any one message (tests/integration/t0972-bounded-cost.py). */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	log_init("feedbackd", LOG_LEVEL_INFO);
	if (parse_options(argc, argv, &o) < 0)
		return 2;
	cfg = load_config(o.config, o.check);
	if (cfg == NULL)
		return 1;
	if (o.check) {
		struct buf out = BUF_INIT;
		struct outmail_templates *tpl = outmail_templates_load(cfg->feedbackd.templates_dir,
		    &err);

		if (tpl == NULL) {
			fprintf(stderr, "feedbackd: templates: %s\n", err.msg);
			config_free(cfg);
			return 1;
		}
		outmail_templates_free(tpl);
		struct tipflow_tips tips = TIPFLOW_TIPS_INIT;
		if (tipflow_load(cfg->feedbackd.tips_dir, &tips, &err) < 0) {
			fprintf(stderr, "feedbackd: tips: %s\n", err.msg);
			config_free(cfg);
			return 1;
		}
		tipflow_release(&tips);
		/* The same reading the daemon does (state_configure), so OK means it would start. */
		if (config_check_secrets(cfg, &err) < 0) {
			fprintf(stderr, "feedbackd: %s\n", err.msg);
			config_free(cfg);
			return 1;
		}
		if (check_logins(cfg) < 0) {
			config_free(cfg);
			return 1;
		}
		config_print(cfg, &out);
		fputs(out.data, stdout);
		buf_release(&out);
		warn_placeholders(cfg);
		printf("# %s: configuration OK\n", confpath_name(o.config));
		config_free(cfg);
		return 0;
	}
	log_set_level(cfg->feedbackd.log_level);
	if (o.log_level != NULL) {
		int l = log_level_parse(o.log_level);

		if (l < 0) {
			fprintf(stderr, "feedbackd: --log-level %s: accepted values are error, "
			    "warning, info, debug\n", o.log_level);
			config_free(cfg);
			return 2;
		}
		log_set_level((enum log_level)l);
	}
	if (o.now != NULL) {
		if (fbtime_parse(o.now, cfg->program.timezone, &now, &err) < 0) {
			fprintf(stderr, "feedbackd: --now %s: %s\n", o.now, err.msg);
			config_free(cfg);
			return 2;
		}
	} else {
		now = time(NULL);
	}
	if (o.dry_run)
		return dry_run(cfg, &o, now);
	lock = take_lock(cfg);
	if (lock == NULL) {
		config_free(cfg);
		return 1;
	}
	/* The database's own lock before anything reads or writes it; where there is no file yet,
	 * db_open creates it and the lock follows at once, before the daemon acts on anything. */
	db = NULL;
	if ((rc = daemon_lock_database(lock, cfg->feedbackd.database, &err)) < 0 ||
	    (db = db_open(cfg->feedbackd.database, &err)) == NULL ||
	    (rc == 1 && daemon_lock_database(lock, cfg->feedbackd.database, &err) != 0)) {
		log_errorx("%s", err.msg);
		db_close(db);
		daemon_lock_release(lock);
		config_free(cfg);
		return 1;
	}
	rc = 0;
	install_signals();
	log_info("started: configuration %s, database %s (schema %d), outgoing %s, incoming %s%s",
	    confpath_name(o.config), cfg->feedbackd.database, db_version(db),
	    cfg->outgoing.transport == CONFIG_TRANSPORT_SMTP ? "smtp" : "maildir",
	    cfg->incoming.mailbox == CONFIG_MAILBOX_IMAP ? "imap" : "maildir",
	    o.once ? ", one pass" : o.now_stdin ? ", one pass per line of standard input" : "");
	{
		struct daemon_opts d = {
			.config_path = o.config,
			.once = o.once,
			.clock = o.now ? clock_simulated : clock_real,
			.clock_arg = &now,
			.wall_clock = wall_clock,
			.stop = &stop_requested,
			.reload = &reload_requested,
			.wake = &wake_requested,
		};

		clock_start = monotonic_seconds();
		rc = o.now_stdin ? run_steps(&cfg, db, &d, &now) : daemon_run(&cfg, db, &d);
	}
	sdnotify_stopping();
	if (stop_requested)
		log_info("stopped on signal");
	db_close(db);
	daemon_lock_release(lock);
	config_free(cfg);
	fbtime_cleanup();
	/* The progress and evaluation reports draw with cairo, which keeps fontconfig's caches
	 * for the life of the process: give them back so a leak checker sees only ours. */
	report_chart_cleanup();
	return rc;
}
