/*
 * daemon — the loop of feedbackd. See include/daemon.h for the tick and its order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "budget.h"
#include "buf.h"
#include "config.h"
#include "confpath.h"
#include "daemon.h"
#include "dryrun.h"
#include "flow.h"
#include "invite.h"
#include "log.h"
#include "mailbox.h"
#include "mailflow.h"
#include "outmail.h"
#include "pace.h"
#include "privacy.h"
#include "queue.h"
#include "schedule.h"
#include "sdnotify.h"
#include "tipflow.h"
#include "transport.h"
#include "trim.h"
#include "mailauth.h"
#include "classify.h"
#include "banned.h"

/* Longest sleep between passes even when nothing is due: reloads and clock jumps are noticed. */
#define DAEMON_MAX_WAIT 300

struct state {
	struct config *cfg;
	struct outmail_templates *tpl;
	struct tipflow_tips tips;        /* the nudges' tips (tips_dir over the built-in ones) */
	struct trim_rules *trim;   /* compiled once at the start, kept over reloads */
	struct classify_rules *classify; /* the bounce tables, likewise */
	struct mailauth out_auth, in_auth;   /* passwords or token sources the drivers borrow */
	struct transport_settings ts;
	struct mailbox_settings ms;
	const struct transport_driver *tdrv;
	const struct mailbox_driver *mdrv;
	struct mailbox *mb;
	struct buf mailbox_name;
	int mailbox_down;       /* logged once per outage, not per retry */
	time_t mailbox_retry_at;
	int mailbox_failures;
	size_t sent_total;       /* since start, for the status line */
	time_t retention_at;     /* next retention pass; 0: at the first pass */
	int db_busy;             /* logged once per busy spell, like mailbox_down */
	int db_failures;
	time_t db_retry_at, db_busy_since;
	unsigned long busy_mark; /* db_busy_count() at the start of the pass */
	unsigned long unwritable_mark; /* db_unwritable_count() at the start of the pass */
	int db_unwritable;       /* the outage is a database that cannot write (disk full) */
	int need_recover;        /* requeue what a stopped send left 'sending' */
	struct mailflow_unrecorded unrecorded; /* accepted, 'sent' not yet committed (mailflow.h) */
	int dry_run;             /* drivers that change nothing (dryrun.h) */
};

/* Driver settings from the configuration (and the password files it names). */
static int
state_configure(struct state *s, struct config *cfg, const struct daemon_opts *opt)
{
	struct fb_error aerr;
	struct mailauth out_auth = MAILAUTH_INIT, in_auth = MAILAUTH_INIT;

	/* No driver is open here (reload closed the mailbox; SMTP sessions live within a pass),
	 * so the token sources they borrowed may go. */
	if (mailauth_load(&out_auth, cfg, MAILAUTH_OUTGOING, opt->wall_clock, NULL, &aerr) < 0 ||
	    mailauth_load(&in_auth, cfg, MAILAUTH_INCOMING, opt->wall_clock, NULL, &aerr) < 0) {
		log_errorx("%s", aerr.msg);
		mailauth_release(&out_auth);
		return -1;
	}
	mailauth_release(&s->out_auth);
	mailauth_release(&s->in_auth);
	s->out_auth = out_auth;
	s->in_auth = in_auth;
	if (s->trim == NULL && (s->trim = trim_rules_new()) == NULL) {
		log_errorx("trim: out of memory compiling its patterns");
		return -1;
	}
	if (s->classify == NULL) {
		struct fb_error cerr;

		if ((s->classify = classify_rules_new(&cerr)) == NULL) {
			log_errorx("classify: %s", cerr.msg);
			return -1;
		}
	}
	/* Templates are checked here, so a typo refuses the start or the reload, not a mail. */
	struct fb_error err;
	struct outmail_templates *tpl = outmail_templates_load(cfg->feedbackd.templates_dir, &err);
	if (tpl == NULL) {
		log_errorx("templates: %s", err.msg);
		return -1;
	}
	/* Tips likewise: a malformed tips file refuses the start or the reload. */
	struct tipflow_tips tips = TIPFLOW_TIPS_INIT;
	if (tipflow_load(cfg->feedbackd.tips_dir, &tips, &err) < 0) {
		log_errorx("tips: %s", err.msg);
		outmail_templates_free(tpl);
		return -1;
	}
	tipflow_release(&s->tips);
	s->tips = tips;
	outmail_templates_free(s->tpl);
	s->tpl = tpl;
	s->cfg = cfg;
	mailauth_transport_settings(cfg, &s->out_auth, &s->ts);
	mailauth_mailbox_settings(cfg, &s->in_auth, &s->ms);
	s->tdrv = transport_driver_for(s->ts.kind);
	s->mdrv = mailbox_driver_for(s->ms.kind);
	if (s->dry_run) {
		/* Read as configured, but mark nothing, create no folder, send nothing. */
		s->tdrv = dryrun_transport();
		s->mdrv = dryrun_mailbox(s->mdrv);
		s->ms.read_only = 1;
		s->ms.processed_folder = NULL;
	}
	buf_reset(&s->mailbox_name);
	if (s->mdrv->name_of(&s->ms, &s->mailbox_name) < 0) {
		log_errorx("out of memory");
		return -1;
	}
	return 0;
}

static void
mailbox_close(struct state *s)
{
	if (s->mb != NULL)
		s->mdrv->close(s->mb);
	s->mb = NULL;
}

static struct mailflow_policy
policy_of(const struct config *cfg)
{
	struct mailflow_policy p = {
		.batch_size = (size_t)cfg->outgoing.batch_size,
		/* A driver without TRANSPORT_PARALLEL (maildir) gets one session: mailflow_send. */
		.sessions = (size_t)cfg->outgoing.sessions,
		.max_attempts = cfg->outgoing.max_attempts,
		.backoff_initial = cfg->outgoing.backoff_initial,
		.backoff_max = cfg->outgoing.backoff_max,
		.max_message_size = (size_t)cfg->feedbackd.max_message_size,
	};
	return p;
}

/* Note an outage once, and its end once; retry with back-off in between. */
static void
mailbox_trouble(struct state *s, time_t now, const char *msg)
{
	s->mailbox_failures++;
	s->mailbox_retry_at = now + mailflow_backoff(0, s->mailbox_failures, 5, 300);
	if (!s->mailbox_down)
		log_warnx("mailbox %s unavailable: %s (retrying with back-off)",
		    s->mailbox_name.data, msg);
	s->mailbox_down = 1;
	mailbox_close(s);
}

/*
 * The database can be busy: another process (a backup, feedbackctl in a long transaction)
 * holds its lock longer than DB_BUSY_TIMEOUT_MS. That is an outage like a mailbox's, not an
 * end: the pass in hand stops at the first busy failure (every unit of work is a transaction,
 * so nothing is half done), the state change is logged once, and the pass is tried again with
 * back-off until the lock is gone. db_busy_count() tells busy from a real error.
 * A database that cannot write (disk full, I/O error) is such an outage too: stopping would
 * lose what only memory knows, the messages the SMTP server accepted whose 'sent' could not
 * be committed (s->unrecorded), and a restart would send them again.
 */
static int
went_unwritable(const struct state *s, struct db *db)
{
	return db_unwritable_count(db) != s->unwritable_mark;
}

static int
went_busy(const struct state *s, struct db *db)
{
	return db_busy_count(db) != s->busy_mark || went_unwritable(s, db);
}

static void
db_trouble(struct state *s, struct db *db, time_t started, time_t now, const char *msg)
{
	s->db_failures++;
	s->db_retry_at = now + mailflow_backoff(0, s->db_failures, 1, 30);
	if (!s->db_busy) {
		s->db_unwritable = went_unwritable(s, db);
		if (s->db_unwritable)
			log_errorx("database cannot write (disk full or I/O error?), retrying with "
			    "back-off; nothing new is sent until it can: %s", msg);
		else
			log_warnx("database busy, retrying with back-off: %s", msg);
		s->db_busy_since = started;
	}
	s->db_busy = 1;
	/* A send pass may have stopped between its claim and its record: requeue on recovery. */
	s->need_recover = 1;
}

static void
db_available(struct state *s, time_t now)
{
	if (s->db_busy)
		log_info("database available again (%s for %lld s), recovered",
		    s->db_unwritable ? "not writable" : "busy", (long long)(now - s->db_busy_since));
	s->db_busy = 0;
	s->db_failures = 0;
}

/* Pass results: done, stopped by a busy database (retry later), or a real database error. */
enum pass_result { PASS_OK, PASS_BUSY, PASS_FATAL };

static enum pass_result
pass_receive(struct state *s, struct db *db, time_t now, struct fb_error *err)
{
	struct mailflow_policy p = policy_of(s->cfg);
	struct mailflow_stats st = { 0 };

	if (s->mailbox_down && now < s->mailbox_retry_at)
		return PASS_OK;
	if (s->mb == NULL) {
		s->mb = s->mdrv->open(&s->ms, err);
		if (s->mb == NULL) {
			mailbox_trouble(s, now, err->msg);
			return PASS_OK;
		}
	}
	if (mailflow_receive(db, s->mdrv, s->mb, s->mailbox_name.data, &p, now, &st, err) < 0) {
		if (went_busy(s, db)) {
			/* Not the mailbox's fault: reopen quietly on the retry, mid-fetch state and all. */
			mailbox_close(s);
			return PASS_BUSY;
		}
		mailbox_trouble(s, now, err->msg);
		return PASS_OK;
	}
	if (s->mailbox_down)
		log_info("mailbox %s available again", s->mailbox_name.data);
	s->mailbox_down = 0;
	s->mailbox_failures = 0;
	if (st.stored || st.duplicates)
		log_info("inbox: %zu new message%s stored, %zu already known", st.stored,
		    st.stored == 1 ? "" : "s", st.duplicates);
	return PASS_OK;
}

/* What a pass works with: the database, the configuration and what was compiled from it once. */
static struct flow
state_flow(struct state *s, struct db *db, time_t now)
{
	return (struct flow){ .db = db, .cfg = s->cfg, .tpl = s->tpl, .now = now, .trim = s->trim,
		.classify = s->classify, .tips = &s->tips };
}

/* Invitations go out from the organizer configured now (invite.h). */
static int
refresh_organizers(struct state *s, struct db *db, time_t now, struct fb_error *err)
{
	struct flow f = state_flow(s, db, now);
	size_t n = 0;

	if (invite_refresh_organizer(&f, &n, err) < 0)
		return -1;
	if (n > 0)
		log_info("outbox: %zu invitation%s queued earlier now from the organizer "
		    "configured", n, n == 1 ? "" : "s");
	return 0;
}

/*
 * Write transactions per step of a pass, for the debug log: each commit is a WAL append and a
 * lock round, and the promise is one per applied reply, the mail it causes included (apply.h).
 */
struct pass_commits {
	unsigned long mark;
	unsigned long receive, apply, schedule, send;
	unsigned long other;    /* the recovery at a start, the daily retention pass */
};

/* Add the commits since the last mark to *step and mark again. */
static void
pass_commits_take(struct pass_commits *c, struct db *db, unsigned long *step)
{
	unsigned long now = db_commit_count(db);

	*step += now - c->mark;
	c->mark = now;
}

static void
pass_commits_log(const struct pass_commits *c, size_t applied)
{
	unsigned long total = c->receive + c->apply + c->schedule + c->send + c->other;

	if (total == 0)
		return;
	log_debug("pass: %lu write transactions: receive %lu, apply %lu (%zu applied), "
	    "schedule %lu, send %lu, other %lu", total, c->receive, c->apply, applied, c->schedule,
	    c->send, c->other);
}

/*
 * Work in chunks, so that what a pass does reaches people while it goes on (issue 20): replies
 * are applied PASS_APPLY_CHUNK at a time, each in its own transaction, and the person-to-person
 * mail a chunk caused (feedback, requests, receipts) is sent before the next chunk; bulk mail
 * (nudges, invitations, reports) goes PASS_BULK_SLICE at a time after it, and between slices
 * the mailbox is read again and what came in is applied and answered. A pass still ends only
 * when nothing is left to do (--once does everything due), and every unit of work is still
 * its own transaction, so a stop or a crash between chunks loses nothing.
 */
#define PASS_APPLY_CHUNK 100
#define PASS_BULK_SLICE 500
/* Replies applied in one pass at most, as before: a steady stream of them must not keep the
 * scheduler, the retention pass and the watchdog's status line waiting. */
#define PASS_APPLY_MAX 10000

/* What a pass did, logged once at its end (not once per chunk). */
struct pass_tally {
	struct apply_stats in;
	struct mailflow_stats out;
	struct pass_commits commits;
	int64_t after;          /* the inbox cursor: each message is tried once per pass */
};

static size_t
out_done(const struct mailflow_stats *st)
{
	return st->sent + st->retried + st->failed;
}

/* Send what is due of the outbox: person-to-person mail only, or at most max of anything
 * (0: all). */
static enum pass_result
send_some(struct state *s, struct db *db, time_t now, volatile sig_atomic_t *stop,
    int person_only, size_t max, struct pass_tally *t, struct fb_error *err)
{
	struct mailflow_policy p = policy_of(s->cfg);
	struct mailflow_stats st = { 0 };
	int rc;

	p.person_only = person_only;
	p.max_messages = max;
	rc = mailflow_send(db, s->tdrv, &s->ts, &p, now, stop, &s->unrecorded, &st, err);
	s->sent_total += st.sent;
	t->out.sent += st.sent;
	t->out.retried += st.retried;
	t->out.failed += st.failed;
	if (rc < 0 && !went_busy(s, db)) {
		fb_error_prefix(err, "outbox");
		return PASS_FATAL;
	}
	return rc < 0 ? PASS_BUSY : PASS_OK;
}

/* Pending inbox messages, classified and applied with the mail they cause, a chunk at a time;
 * after each chunk its person-to-person mail goes, and the mailbox is read again. */
static enum pass_result
pass_apply(struct state *s, struct db *db, time_t now, volatile sig_atomic_t *stop,
    struct pass_tally *t, struct fb_error *err)
{
	struct flow f = state_flow(s, db, now);
	enum pass_result r;

	while (!*stop && t->in.applied + t->in.ignored + t->in.quarantined + t->in.errors <
	    PASS_APPLY_MAX) {
		struct apply_stats st = { 0 };
		int rc = apply_pending_after(&f, &t->after, PASS_APPLY_CHUNK, stop, &st, err);
		size_t n = st.applied + st.ignored + st.quarantined + st.errors;

		t->in.applied += st.applied;
		t->in.ignored += st.ignored;
		t->in.quarantined += st.quarantined;
		t->in.errors += st.errors;
		pass_commits_take(&t->commits, db, &t->commits.apply);
		if (rc < 0 && !went_busy(s, db)) {
			fb_error_prefix(err, "inbox");
			return PASS_FATAL;
		}
		if (rc < 0)
			return PASS_BUSY;
		if (n == 0)
			break;
		r = send_some(s, db, now, stop, 1, 0, t, err);
		pass_commits_take(&t->commits, db, &t->commits.send);
		if (r != PASS_OK || *stop)
			return r;
		r = pass_receive(s, db, now, err);
		pass_commits_take(&t->commits, db, &t->commits.receive);
		if (r != PASS_OK)
			return r;
	}
	return PASS_OK;
}

/* Send all that is due: person-to-person mail first, then the rest a slice at a time,
 * reading, applying and answering what came in between. */
static enum pass_result
pass_drain(struct state *s, struct db *db, time_t now, volatile sig_atomic_t *stop,
    struct pass_tally *t, struct fb_error *err)
{
	enum pass_result r;

	while (!*stop) {
		size_t before = out_done(&t->out);

		r = send_some(s, db, now, stop, 1, 0, t, err);
		if (r == PASS_OK && !*stop)
			r = send_some(s, db, now, stop, 0, PASS_BULK_SLICE, t, err);
		pass_commits_take(&t->commits, db, &t->commits.send);
		if (r != PASS_OK || *stop || out_done(&t->out) == before)
			return r;
		/* Replies to what just went may be in already: read and answer them now, not
		 * after the last slice. */
		if ((r = pass_receive(s, db, now, err)) != PASS_OK)
			return r;
		pass_commits_take(&t->commits, db, &t->commits.receive);
		if ((r = pass_apply(s, db, now, stop, t, err)) != PASS_OK)
			return r;
	}
	return PASS_OK;
}

/* Release what the budget and the daily cap now allow, then send all that is due. */
static enum pass_result
pass_send(struct state *s, struct db *db, time_t now, volatile sig_atomic_t *stop,
    struct pass_tally *t, struct fb_error *err)
{
	struct pace_stats ps = { 0 };
	struct budget_stats bs = { 0 };
	struct flow f = state_flow(s, db, now);

	/* Mail the budget deferred to a day that has come, then held mail whose time has come,
	 * so both go in this same pass (budget.h, pace.h). */
	if (budget_release(&f, &bs, err) < 0 ||
	    pace_release(db, now, s->cfg->outgoing.per_recipient_daily_cap, &ps, err) < 0 ||
	    refresh_organizers(s, db, now, err) < 0) {
		if (went_busy(s, db))
			return PASS_BUSY;
		fb_error_prefix(err, "outbox");
		return PASS_FATAL;
	}
	pass_commits_take(&t->commits, db, &t->commits.send);
	return pass_drain(s, db, now, stop, t, err);
}

/* The pass's figures, once: what was applied and sent, and its write transactions. */
static void
pass_tally_log(const struct pass_tally *t)
{
	const struct apply_stats *in = &t->in;
	const struct mailflow_stats *out = &t->out;

	if (in->applied || in->ignored || in->quarantined || in->errors)
		log_info("inbox: %zu applied, %zu ignored, %zu quarantined, %zu with errors "
		    "(feedbackctl inbox list)", in->applied, in->ignored, in->quarantined,
		    in->errors);
	if (out->sent || out->retried || out->failed)
		log_info("outbox: %zu sent, %zu to retry, %zu failed", out->sent, out->retried,
		    out->failed);
	pass_commits_log(&t->commits, in->applied);
}

/* Due moments of every programme: nudges, questionnaires, reports. A weekly nudge is queued
 * PASS_BULK_SLICE at a time, each chunk sent (and what came in answered) before the next. */
static enum pass_result
pass_schedule(struct state *s, struct db *db, time_t now, volatile sig_atomic_t *stop,
    struct pass_tally *t, struct fb_error *err)
{
	struct flow f = state_flow(s, db, now);
	struct schedule_stats st = { 0 };
	enum pass_result r = PASS_OK;
	int rc, more;

	do {
		rc = schedule_pass_some(&f, PASS_BULK_SLICE, &st, &more, err);
		pass_commits_take(&t->commits, db, &t->commits.schedule);
		if (rc == 0 && more && !*stop)
			r = pass_send(s, db, now, stop, t, err);
	} while (rc == 0 && more && r == PASS_OK && !*stop);
	if (st.moments)
		log_info("scheduler: %zu moment%s acted on (%zu too late, skipped), %zu mail%s "
		    "queued", st.moments, st.moments == 1 ? "" : "s", st.skipped, st.mails,
		    st.mails == 1 ? "" : "s");
	if (r != PASS_OK)
		return r;
	if (rc < 0 && went_busy(s, db))
		return PASS_BUSY;
	/* A programme the scheduler cannot handle is logged, not fatal: the others go on. */
	if (rc < 0)
		log_errorx("scheduler: %s", err->msg);
	return PASS_OK;
}

/* Daily, and at the first pass: purge what retention_days says is due (privacy.h). */
static enum pass_result
pass_retention(struct state *s, struct db *db, time_t now, struct fb_error *err)
{
	struct privacy_counts n = { 0 };

	if (s->retention_at != 0 && now < s->retention_at)
		return PASS_OK;
	s->retention_at = now + 86400;
	if (privacy_retention_pass(db, now, s->cfg->program.retention_days,
	    s->cfg->program.followup_weeks, &n, err) < 0) {
		if (went_busy(s, db)) {
			s->retention_at = now + 60;
			return PASS_BUSY;
		}
		log_warnx("retention: %s (trying again in an hour)", err->msg);
		s->retention_at = now + 3600;
		return PASS_OK;
	}
	if (n.members || n.texts || n.messages)
		log_info("retention: purged %ld member%s, %ld texts, %ld messages", n.members,
		    n.members == 1 ? "" : "s", n.texts, n.messages);
	return PASS_OK;
}

/*
 * One pass: the tick of daemon.h in its order. Stops at the first busy failure (the next try
 * starts again from the top: every step is idempotent, each unit of work its own transaction)
 * and at a stop request. err holds the failure for PASS_BUSY and PASS_FATAL.
 */
static enum pass_result
run_pass(struct state *s, struct db *db, time_t now, volatile sig_atomic_t *stop,
    struct fb_error *err)
{
	enum pass_result r;
	struct pass_tally t;

	memset(&t, 0, sizeof(t));
	t.commits.mark = db_commit_count(db);
	s->busy_mark = db_busy_count(db);
	s->unwritable_mark = db_unwritable_count(db);
	if (s->need_recover) {
		if (mailflow_recover(db, &s->unrecorded, err) < 0)
			return went_busy(s, db) ? PASS_BUSY : PASS_FATAL;
		s->need_recover = 0;
	}
	pass_commits_take(&t.commits, db, &t.commits.other);
	r = pass_receive(s, db, now, err);
	pass_commits_take(&t.commits, db, &t.commits.receive);
	if (r == PASS_OK && !*stop)
		r = pass_apply(s, db, now, stop, &t, err);
	if (r == PASS_OK && !*stop) {
		r = pass_schedule(s, db, now, stop, &t, err);
	}
	if (r == PASS_OK && !*stop)
		r = pass_send(s, db, now, stop, &t, err);
	if (r == PASS_OK && !*stop) {
		r = pass_retention(s, db, now, err);
		pass_commits_take(&t.commits, db, &t.commits.other);
	}
	pass_tally_log(&t);
	return r;
}

/* Seconds until the next duty: a due retry or release of held mail, a plan moment, the poll
 * interval, at most DAEMON_MAX_WAIT. */
static int
seconds_to_wait(struct state *s, struct db *db, time_t now)
{
	struct flow f = state_flow(s, db, now);
	time_t next = queue_outbox_next(db, NULL);
	time_t moment = schedule_next(&f);
	long wait = s->cfg->incoming.poll_interval;

	if (next != 0 && next - now < wait)
		wait = next - now;
	if (moment != 0 && moment - now < wait)
		wait = moment - now;
	if (s->mailbox_down && s->mailbox_retry_at - now < wait)
		wait = s->mailbox_retry_at - now;
	if (s->db_busy && s->db_retry_at - now < wait)
		wait = s->db_retry_at - now;
	if (wait > DAEMON_MAX_WAIT)
		wait = DAEMON_MAX_WAIT;
	if (sdnotify_watchdog_interval() > 0 && wait > sdnotify_watchdog_interval())
		wait = sdnotify_watchdog_interval();
	return wait < 1 ? 1 : (int)wait;
}

/* Keep systemd's watchdog fed and its status line current (no-ops outside systemd). */
static void
notify_pass_done(struct state *s, struct db *db)
{
	int pending = queue_inbox_count(db, "pending", NULL);
	int held = queue_outbox_held_count(db, 0, NULL, NULL);

	sdnotify_watchdog();
	sdnotify_status("sent %zu, inbox %d pending, %d held by the daily cap%s%s", s->sent_total,
	    pending < 0 ? 0 : pending, held < 0 ? 0 : held,
	    s->mailbox_down ? ", mailbox unavailable" : "", s->db_busy ? ", database busy" : "");
}

static void
wait_for_work(struct state *s, int seconds, const struct daemon_opts *o)
{
	/* Every signal sets *wake, so a SIGHUP ends the wait as promptly as a SIGTERM does. */
	volatile sig_atomic_t *wake = o->wake != NULL ? o->wake : o->stop;
	struct fb_error err;

	if (s->mb != NULL) {
		enum mail_result r = s->mdrv->wait(s->mb, seconds * 1000, wake, NULL, &err);

		if (r != MAIL_OK && r != MAIL_STOPPED) {
			/* The connection broke while idling: reconnect on the next pass. */
			log_warnx("mailbox %s: %s", s->mailbox_name.data, err.msg);
			mailbox_close(s);
		}
		return;
	}
	for (int i = 0; i < seconds * 10 && !*wake; i++)
		usleep(100000);
}

static const char *const level_names[] = { "error", "warning", "info", "debug" };

/*
 * A reloaded log_level takes effect when it differs from the running configuration's: so
 * --log-level on the command line holds until the administrator changes the file's value,
 * and the latest word wins.
 */
static void
reload_log_level(const struct config *old, const struct config *n)
{
	enum log_level l = n->feedbackd.log_level;

	if (l == old->feedbackd.log_level || (unsigned)l >= sizeof(level_names) /
	    sizeof(level_names[0]))
		return;
	log_set_level(l);
	/* Said at warning level, so that it is seen whatever the new level hides. */
	log_warnx("log level is now %s (log_level in the reloaded configuration)",
	    level_names[l]);
}

static void
reload(struct state *s, struct config **cfg, const struct daemon_opts *o)
{
	struct fb_error err;
	struct config *n = confpath_open(o->config_path, &err);

	*o->reload = 0;
	sdnotify_reloading();
	if (n == NULL) {
		log_warnx("reload refused, keeping the running configuration: %s", err.msg);
		sdnotify_ready("reload refused, running the old configuration");
		return;
	}
	mailbox_close(s);
	if (state_configure(s, n, o) < 0) {
		log_warnx("reload refused, keeping the running configuration");
		state_configure(s, *cfg, o);
		config_free(n);
		sdnotify_ready("reload refused, running the old configuration");
		return;
	}
	reload_log_level(*cfg, n);
	config_free(*cfg);
	*cfg = n;
	log_info("configuration reloaded from %s", confpath_name(o->config_path));
	sdnotify_ready("configuration reloaded");
}

/* The state as a new process starts with it, configured: 0, or -1 after logging why. Give it
 * back with state_release() either way. */
static int
state_init(struct state *s, struct config *cfg, const struct daemon_opts *o)
{
	memset(s, 0, sizeof(*s));
	s->out_auth = (struct mailauth)MAILAUTH_INIT;
	s->in_auth = (struct mailauth)MAILAUTH_INIT;
	buf_init(&s->mailbox_name);
	s->dry_run = o->dry_run;
	s->need_recover = 1;
	return state_configure(s, cfg, o);
}

/* A last try for what only memory knows; what still cannot be recorded is said, one by one,
 * since the next start will send it again (mailflow.h). */
static void
state_record_unrecorded(struct state *s, struct db *db)
{
	struct fb_error err;

	if (mailflow_record_unrecorded(db, &s->unrecorded, &err) < 0)
		for (size_t i = 0; i < s->unrecorded.n; i++)
			log_errorx("outbox %lld: accepted by the SMTP server but not recorded as sent "
			    "(%s): it is left 'sending' and the next start sends it again",
			    (long long)s->unrecorded.v[i].id, err.msg);
}

static void
state_release(struct state *s)
{
	mailflow_unrecorded_release(&s->unrecorded);
	mailbox_close(s);
	outmail_templates_free(s->tpl);
	tipflow_release(&s->tips);
	trim_rules_free(s->trim);
	classify_rules_free(s->classify);
	mailauth_release(&s->out_auth);
	mailauth_release(&s->in_auth);
	buf_release(&s->mailbox_name);
}

int
daemon_run(struct config **cfg, struct db *db, const struct daemon_opts *o)
{
	struct state s;
	struct fb_error err;
	int rc = 0;

	if (state_init(&s, *cfg, o) < 0) {
		rc = 1;
		goto out;
	}
	db_set_interrupt(db, o->stop);
	sdnotify_ready("running");
	while (!*o->stop) {
		enum pass_result r;
		time_t now;

		if (o->wake != NULL)
			*o->wake = 0;
		if (*o->reload)
			reload(&s, cfg, o);
		now = o->clock(o->clock_arg);
		if (s.db_busy && now < s.db_retry_at && !o->once) {
			wait_for_work(&s, (int)(s.db_retry_at - now), o);
			continue;
		}
		r = run_pass(&s, db, now, o->stop, &err);
		if (*o->stop)
			break;
		if (r == PASS_FATAL) {
			log_errorx("%s", err.msg);
			rc = 1;
			break;
		}
		if (r == PASS_BUSY)
			db_trouble(&s, db, now, o->clock(o->clock_arg), err.msg);
		else
			db_available(&s, o->clock(o->clock_arg));
		notify_pass_done(&s, db);
		if (o->once) {
			rc = r == PASS_OK ? 0 : 1;
			break;
		}
		{
			int wait = seconds_to_wait(&s, db, o->clock(o->clock_arg));

			log_debug("pass done (sent %zu since start%s%s); next pass in at most %d s",
			    s.sent_total, s.mailbox_down ? ", mailbox unavailable" : "",
			    s.db_busy ? ", database busy" : "", wait);
			wait_for_work(&s, wait, o);
		}
	}
	db_set_interrupt(db, NULL);
	state_record_unrecorded(&s, db);
out:
	state_release(&s);
	return rc;
}

/*
 * What a step forgets of the passes before it, so that it is the pass a new `feedbackd --once`
 * process makes: the mailbox's and the database's back-off (a --once pass tries at once), the
 * time of the last retention pass (a --once pass runs it), and it recovers what a stopped
 * send left 'sending'. What is kept is what a new process would build the same: the
 * configuration, templates, tips, compiled patterns and the database connection; and the
 * messages accepted but not yet recorded as sent, which a new process could only send again.
 */
static void
state_as_new(struct state *s)
{
	s->mailbox_down = 0;
	s->mailbox_failures = 0;
	s->mailbox_retry_at = 0;
	s->db_busy = 0;
	s->db_failures = 0;
	s->retention_at = 0;
	s->need_recover = 1;
}

int
daemon_run_steps(struct config **cfg, struct db *db, const struct daemon_opts *o,
    const struct daemon_steps *steps)
{
	struct state s;
	struct fb_error err;
	int rc = 0, more = 0;

	if (state_init(&s, *cfg, o) < 0) {
		state_release(&s);
		return 1;
	}
	db_set_interrupt(db, o->stop);
	while (!*o->stop && (more = steps->next(steps->arg)) == 1) {
		enum pass_result r;
		time_t now;

		if (*o->reload)
			reload(&s, cfg, o);
		state_as_new(&s);
		now = o->clock(o->clock_arg);
		r = run_pass(&s, db, now, o->stop, &err);
		if (*o->stop)
			break;
		if (r == PASS_FATAL)
			log_errorx("%s", err.msg);
		else if (r == PASS_BUSY)
			db_trouble(&s, db, now, o->clock(o->clock_arg), err.msg);
		/* A --once process closes its mailbox when it ends: an IMAP session per step too. */
		mailbox_close(&s);
		if (steps->done(steps->arg, r != PASS_OK) < 0) {
			rc = 1;
			break;
		}
	}
	if (more < 0)
		rc = 2;
	db_set_interrupt(db, NULL);
	state_record_unrecorded(&s, db);
	state_release(&s);
	return rc;
}
