/*
 * recvbench — the daemon's receive pass alone, for tests/bench/bench_imap.py.
 *
 *   recvbench CONFIG
 *       open the database and the [incoming] mailbox of CONFIG (a feedbackd configuration), run
 *       mailflow_receive() once — fetch, hash, store each message raw with its mailbox
 *       position, mark it done after the commit — and print "stored N duplicates D seconds S"
 *       (S: connect and log in, the receive pass, log out; not start-up and database opening).
 *
 * Since `feedbackd --once` also applies what it reads (classify, answer: the load test's
 * business), timing it no longer measures reading into the inbox; this tool runs the same
 * mailflow_receive() the daemon's pass_receive() does, with the same settings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "mailbox.h"
#include "mailflow.h"
#include "banned.h"

static double
seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct mailbox_settings ms;
	struct mailflow_stats st = { 0 };
	struct mailflow_policy p;
	struct buf password = BUF_INIT, name = BUF_INIT;
	const struct mailbox_driver *drv;
	struct config *cfg;
	struct mailbox *mb = NULL;
	struct db *db = NULL;
	struct fb_error err;
	double t0;
	int rc = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: recvbench CONFIG\n");
		return 2;
	}
	if ((cfg = config_load(argv[1], &err)) == NULL) {
		fprintf(stderr, "recvbench: %s\n", err.msg);
		return 2;
	}
	if (*cfg->incoming.password_file &&
	    config_read_secret(cfg->incoming.password_file, &password, &err) < 0)
		goto fail;
	mailbox_settings_init(&ms);
	ms.kind = cfg->incoming.mailbox == CONFIG_MAILBOX_IMAP ? MAILBOX_IMAP : MAILBOX_MAILDIR;
	ms.maildir = cfg->incoming.maildir;
	ms.url = cfg->incoming.url.url;
	ms.starttls_required = cfg->incoming.starttls == CONFIG_STARTTLS_REQUIRED;
	ms.username = cfg->incoming.username;
	ms.password = password.data;
	ms.ca_file = *cfg->incoming.ca_file ? cfg->incoming.ca_file : NULL;
	ms.verify = cfg->incoming.verify;
	ms.folder = cfg->incoming.folder;
	ms.processed_folder = cfg->incoming.processed_folder;
	ms.timeout = cfg->incoming.timeout;
	ms.fetch_batch = (unsigned)cfg->incoming.fetch_batch;
	memset(&p, 0, sizeof(p));
	p.max_message_size = (size_t)cfg->feedbackd.max_message_size;
	drv = mailbox_driver_for(ms.kind);
	if (drv->name_of(&ms, &name) < 0) {
		fb_error_set(&err, "out of memory");
		goto fail;
	}
	if ((db = db_open(cfg->feedbackd.database, &err)) == NULL)
		goto fail;
	t0 = seconds();  /* from here as the imaplib peer: connect, log in, read, log out */
	if ((mb = drv->open(&ms, &err)) == NULL)
		goto fail;
	if (mailflow_receive(db, drv, mb, name.data, &p, time(NULL), &st, &err) < 0)
		goto fail;
	drv->close(mb);  /* sends the last marks: part of the pass */
	mb = NULL;
	printf("stored %zu duplicates %zu seconds %.6f\n", st.stored, st.duplicates, seconds() - t0);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "recvbench: %s\n", err.msg);
out:
	if (mb != NULL)
		drv->close(mb);
	if (db != NULL)
		db_close(db);
	buf_release(&password);
	buf_release(&name);
	config_free(cfg);
	return rc;
}
