/*
 * idlerace — hold the IMAP driver still between a fetch and the wait that follows it, so a test
 * can deliver mail in that gap (tests/integration/t0215-imap-news-before-idle.py).
 *
 *   idlerace URL USER PASSWORD [WAIT_MS]
 *       open (no STARTTLS), fetch everything and mark it done (the marks stay pending, as in
 *       the daemon's pass), print "fetched N"; read one line from stdin (the test delivers
 *       mail, then writes a line); wait up to WAIT_MS (10000) and print "woke R MS" (R: the
 *       wait's result, MS: elapsed milliseconds), then fetch again and print "fetched N".
 *
 * The daemon's gap is its apply and send passes: mail that arrives then is announced by the
 * server in the answer to the marks' UID STORE, which the wait sends before its IDLE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mailbox.h"
#include "banned.h"

struct ids {
	char *v[4096];
	size_t n;
};

static enum mail_result
on_message(void *arg, const struct mailbox_msg *msg)
{
	struct ids *ids = arg;

	if (ids->n == sizeof(ids->v) / sizeof(ids->v[0]))
		return MAIL_STOPPED;
	ids->v[ids->n] = strdup(msg->id);
	if (ids->v[ids->n] == NULL)
		return MAIL_STOPPED;
	ids->n++;
	return MAIL_OK;
}

/* Fetch from *pos on and mark each message done; the count, or -1 (printed). */
static int
fetch_mark(struct mailbox *mb, struct mailbox_position *pos)
{
	const struct mailbox_driver *drv = &mailbox_imap_driver;
	struct ids ids = { .n = 0 };
	struct fb_error err;
	size_t count = 0;
	int n = drv->fetch_new(mb, pos, on_message, &ids, &count, &err) == MAIL_OK ?
	    (int)count : -1;

	if (n < 0)
		printf("error %s\n", err.msg);
	for (size_t i = 0; i < ids.n; i++) {
		if (n >= 0 && drv->mark_done(mb, ids.v[i], &err) != MAIL_OK) {
			printf("error mark: %s\n", err.msg);
			n = -1;
		}
		free(ids.v[i]);
	}
	return n;
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000L + (t.tv_nsec - t0->tv_nsec) / 1000000L;
}

int
main(int argc, char **argv)
{
	const struct mailbox_driver *drv = &mailbox_imap_driver;
	struct mailbox_settings s;
	struct mailbox_position pos = { 0, 0, 0 };
	struct mailbox *mb;
	struct fb_error err;
	struct timespec t0;
	char line[64];
	int n, r, wait_ms = argc > 4 ? atoi(argv[4]) : 10000;

	if (argc < 4 || wait_ms <= 0) {
		fprintf(stderr, "usage: idlerace URL USER PASSWORD [WAIT_MS]\n");
		return 2;
	}
	mailbox_settings_init(&s);
	s.url = argv[1];
	s.username = argv[2];
	s.password = argv[3];
	s.starttls_required = 0;
	if ((mb = drv->open(&s, &err)) == NULL) {
		printf("error %s\n", err.msg);
		return 1;
	}
	n = fetch_mark(mb, &pos);
	printf("fetched %d\n", n);
	fflush(stdout);
	if (n < 0 || fgets(line, sizeof(line), stdin) == NULL) {
		drv->close(mb);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (drv->wait(mb, wait_ms, NULL, &r, &err) != MAIL_OK)
		r = -1;
	if (r < 0)
		printf("error %s\n", err.msg);
	else
		printf("woke %d %ld\n", r, ms_since(&t0));
	n = r < 0 ? -1 : fetch_mark(mb, &pos);
	printf("fetched %d\n", n);
	drv->close(mb);
	return n < 0 ? 1 : 0;
}
