/*
 * daemon — feedbackd's loop: one thread, one documented tick (redis' ae, OpenSMTPD's
 * scheduler). Each pass, in this order:
 *   1. read the mailbox into the inbox (mailflow_receive);
 *   2. process pending inbox messages: classify and apply (apply.h), 100 at a time, each in
 *      its own transaction with the mail it causes; after each chunk its person-to-person
 *      mail is sent (queue_outbox_claim_person) and the mailbox read again;
 *   3. act on due moments of every programme's plan (schedule.h);
 *   4. release held mail the daily cap now allows (pace_release), then send what the outbox
 *      holds and is due (mailflow_send): person-to-person mail first, then the rest 500 at a
 *      time, reading, applying and answering what came in between (step 2 again);
 *   5. once a day, the retention pass (privacy_retention_pass);
 * A pass ends only when nothing is left to do, so --once still does everything due. With
 * log_level = debug it logs the write transactions of each step (db_commit_count).
 * then wait until the earliest of: new mail (IMAP IDLE), the next due retry or release of held
 * mail, the next plan moment, the poll interval, half the systemd watchdog interval, a signal. systemd hears
 * READY=1 before the first pass, RELOADING=1/READY=1 around a reload, WATCHDOG=1 and a
 * STATUS= line after every pass (sdnotify.h). SIGTERM/SIGINT finish the pass in hand and
 * return; SIGHUP reloads the
 * configuration between passes (a bad one is refused and the old one kept).
 *
 * A database locked by another process past the busy timeout (db.h) is ridden out like a
 * mailbox outage: the pass stops at the first busy failure, "database busy" is logged once,
 * the pass is tried again with back-off (1 s doubling to 30 s, on top of the wait for the
 * lock) and "database available again" is logged once when one succeeds; rows a stopped send
 * pass left 'sending' are queued again then (mailflow_recover). Only other database errors
 * end the loop.
 *
 * The clock is a function handed in by main, so the loop never reads the wall clock itself.
 */
#ifndef FB_DAEMON_H
#define FB_DAEMON_H

#include <signal.h>
#include <time.h>

#include "config.h"
#include "db.h"

struct daemon_opts {
	const char *config_path;          /* for reloads; NULL: the built-in defaults */
	int once;                         /* one pass, then return */
	int dry_run;                      /* with once: drivers that send and mark nothing, for a
	                                   * pass on a copy of the database (dryrun.h) */
	time_t (*clock)(void *arg);       /* "now" */
	void *clock_arg;
	time_t (*wall_clock)(void *arg);  /* the real time, also under --now: OAuth tokens expire
	                                   * by it (mailauth.h); its argument is NULL */
	volatile sig_atomic_t *stop;      /* set by SIGTERM/SIGINT */
	volatile sig_atomic_t *reload;    /* set by SIGHUP */
	volatile sig_atomic_t *wake;      /* set by every signal: ends the wait (NULL: stop) */
};

/*
 * Run until stopped (or one pass with once). *cfg may be replaced by a reload (the caller frees
 * whatever *cfg is at the end). Returns 0, or 1 when a pass hit a database error that is not
 * "busy" (with once: any database failure, busy included). While running it sets the
 * database's interrupt flag to o->stop (db_set_interrupt) and clears it before returning.
 */
int daemon_run(struct config **cfg, struct db *db, const struct daemon_opts *o);

/*
 * Passes at instants handed in one by one, in one process: for simulations and tests
 * (feedbackd --now-stdin), which would otherwise start a process per pass. next() makes the
 * next instant the clock's (o->clock) and returns 1, or returns 0 when there is none, or -1
 * after saying what was wrong with its input. Each pass is the one `--once` makes at that
 * instant in a new process (what a step keeps and forgets: daemon.c, state_as_new), and
 * done() hears how it went (failed: 1 where --once would exit 1, the log says why); done()
 * returns 0, or -1 to stop (its reader is gone). o->once is not looked at.
 * Returns 0 at the end of the instants, 1 when the start or done() failed, 2 after next()'s -1.
 */
struct daemon_steps {
	int (*next)(void *arg);
	int (*done)(void *arg, int failed);
	void *arg;
};

int daemon_run_steps(struct config **cfg, struct db *db, const struct daemon_opts *o,
    const struct daemon_steps *steps);

#endif
