/*
 * daemon — the loop of feedbackd. See include/daemon.h for the tick and its order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "daemon.h"
#include "log.h"
#include "mailbox.h"
#include "mailflow.h"
#include "queue.h"
#include "transport.h"
#include "banned.h"

/* Longest sleep between passes even when nothing is due: reloads and clock jumps are noticed. */
#define DAEMON_MAX_WAIT 300

struct state {
	struct config *cfg;
	struct buf out_password, in_password;
	struct transport_settings ts;
	struct mailbox_settings ms;
	const struct transport_driver *tdrv;
	const struct mailbox_driver *mdrv;
	struct mailbox *mb;
	struct buf mailbox_name;
	int mailbox_down;       /* logged once per outage, not per retry */
	time_t mailbox_retry_at;
	int mailbox_failures;
};

static int
read_secret(const char *file, struct buf *out)
{
	struct fb_error err;

	buf_reset(out);
	if (file == NULL || *file == '\0')
		return 0;
	if (config_read_secret(file, out, &err) < 0) {
		log_errorx("%s", err.msg);
		return -1;
	}
	return 0;
}

/* Driver settings from the configuration (and the password files it names). */
static int
state_configure(struct state *s, struct config *cfg)
{
	const struct config_outgoing *o = &cfg->outgoing;
	const struct config_incoming *in = &cfg->incoming;

	if (read_secret(o->password_file, &s->out_password) < 0 ||
	    read_secret(in->password_file, &s->in_password) < 0)
		return -1;
	s->cfg = cfg;
	transport_settings_init(&s->ts);
	s->ts.kind = o->transport == CONFIG_TRANSPORT_SMTP ? TRANSPORT_SMTP : TRANSPORT_MAILDIR;
	s->ts.maildir = o->maildir;
	s->ts.url = o->url.url;
	s->ts.starttls_required = o->starttls == CONFIG_STARTTLS_REQUIRED;
	s->ts.username = o->username;
	s->ts.password = s->out_password.data;
	s->ts.ca_file = *o->ca_file ? o->ca_file : NULL;
	s->ts.verify = o->verify;
	s->ts.timeout = o->timeout;
	s->ts.helo = cfg->feedbackd.domain;
	mailbox_settings_init(&s->ms);
	s->ms.kind = in->mailbox == CONFIG_MAILBOX_IMAP ? MAILBOX_IMAP : MAILBOX_MAILDIR;
	s->ms.maildir = in->maildir;
	s->ms.url = in->url.url;
	s->ms.starttls_required = in->starttls == CONFIG_STARTTLS_REQUIRED;
	s->ms.username = in->username;
	s->ms.password = s->in_password.data;
	s->ms.ca_file = *in->ca_file ? in->ca_file : NULL;
	s->ms.verify = in->verify;
	s->ms.folder = in->folder;
	s->ms.processed_folder = in->processed_folder;
	s->ms.idle = in->idle;
	s->ms.timeout = in->timeout;
	s->ms.fetch_batch = (unsigned)in->fetch_batch;
	s->tdrv = transport_driver_for(s->ts.kind);
	s->mdrv = mailbox_driver_for(s->ms.kind);
	buf_reset(&s->mailbox_name);
	if (s->ms.kind == MAILBOX_IMAP)
		buf_addf(&s->mailbox_name, "%s/%s", in->url.url, in->folder);
	else
		buf_addf(&s->mailbox_name, "maildir:%s", in->maildir);
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
		/* Parallel sessions are an SMTP matter; the maildir driver writes one file at a time. */
		.sessions = cfg->outgoing.transport == CONFIG_TRANSPORT_SMTP ?
		    (size_t)cfg->outgoing.sessions : 1,
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

static void
pass_receive(struct state *s, struct db *db, time_t now)
{
	struct mailflow_policy p = policy_of(s->cfg);
	struct mailflow_stats st = { 0 };
	struct fb_error err;

	if (s->mailbox_down && now < s->mailbox_retry_at)
		return;
	if (s->mb == NULL) {
		s->mb = s->mdrv->open(&s->ms, &err);
		if (s->mb == NULL) {
			mailbox_trouble(s, now, err.msg);
			return;
		}
	}
	if (mailflow_receive(db, s->mdrv, s->mb, s->mailbox_name.data, &p, now, &st, &err) < 0) {
		mailbox_trouble(s, now, err.msg);
		return;
	}
	if (s->mailbox_down)
		log_info("mailbox %s available again", s->mailbox_name.data);
	s->mailbox_down = 0;
	s->mailbox_failures = 0;
	if (st.stored || st.duplicates)
		log_info("inbox: %zu new message%s stored, %zu already known", st.stored,
		    st.stored == 1 ? "" : "s", st.duplicates);
}

static int
pass_send(struct state *s, struct db *db, time_t now, volatile sig_atomic_t *stop)
{
	struct mailflow_policy p = policy_of(s->cfg);
	struct mailflow_stats st = { 0 };
	struct fb_error err;

	if (mailflow_send(db, s->tdrv, &s->ts, &p, now, stop, &st, &err) < 0) {
		log_errorx("outbox: %s", err.msg);
		return -1;
	}
	if (st.sent || st.retried || st.failed)
		log_info("outbox: %zu sent, %zu to retry, %zu failed", st.sent, st.retried,
		    st.failed);
	return 0;
}

/* Seconds until the next duty: a due retry, the poll interval, at most DAEMON_MAX_WAIT. */
static int
seconds_to_wait(struct state *s, struct db *db, time_t now)
{
	time_t next = queue_outbox_next(db, NULL);
	long wait = s->cfg->incoming.poll_interval;

	if (next != 0 && next - now < wait)
		wait = next - now;
	if (s->mailbox_down && s->mailbox_retry_at - now < wait)
		wait = s->mailbox_retry_at - now;
	if (wait > DAEMON_MAX_WAIT)
		wait = DAEMON_MAX_WAIT;
	return wait < 1 ? 1 : (int)wait;
}

static void
wait_for_work(struct state *s, int seconds, const struct daemon_opts *o)
{
	struct fb_error err;

	if (s->mb != NULL) {
		if (s->mdrv->wait(s->mb, seconds * 1000, o->stop, &err) < 0) {
			/* The connection broke while idling: reconnect on the next pass. */
			log_warnx("mailbox %s: %s", s->mailbox_name.data, err.msg);
			mailbox_close(s);
		}
		return;
	}
	for (int i = 0; i < seconds * 10 && !*o->stop && !*o->reload; i++)
		usleep(100000);
}

static void
reload(struct state *s, struct config **cfg, const struct daemon_opts *o)
{
	struct fb_error err;
	struct config *n = config_load(o->config_path, &err);

	*o->reload = 0;
	if (n == NULL) {
		log_warnx("reload refused, keeping the running configuration: %s", err.msg);
		return;
	}
	mailbox_close(s);
	if (state_configure(s, n) < 0) {
		log_warnx("reload refused, keeping the running configuration");
		state_configure(s, *cfg);
		config_free(n);
		return;
	}
	config_free(*cfg);
	*cfg = n;
	log_info("configuration reloaded from %s", o->config_path);
}

int
daemon_run(struct config **cfg, struct db *db, const struct daemon_opts *o)
{
	struct state s;
	struct fb_error err;
	int rc = 0;

	memset(&s, 0, sizeof(s));
	buf_init(&s.out_password);
	buf_init(&s.in_password);
	buf_init(&s.mailbox_name);
	if (state_configure(&s, *cfg) < 0) {
		rc = 1;
		goto out;
	}
	if (mailflow_recover(db, &err) < 0) {
		log_errorx("%s", err.msg);
		rc = 1;
		goto out;
	}
	while (!*o->stop) {
		time_t now;

		if (*o->reload)
			reload(&s, cfg, o);
		now = o->clock(o->clock_arg);
		pass_receive(&s, db, now);
		if (*o->stop)
			break;
		if (pass_send(&s, db, now, o->stop) < 0) {
			rc = 1;
			break;
		}
		if (o->once)
			break;
		wait_for_work(&s, seconds_to_wait(&s, db, o->clock(o->clock_arg)), o);
	}
out:
	mailbox_close(&s);
	buf_release(&s.out_password);
	buf_release(&s.in_password);
	buf_release(&s.mailbox_name);
	return rc;
}
