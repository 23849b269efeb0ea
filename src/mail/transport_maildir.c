/*
 * transport_maildir — the "maildir" transport driver (include/transport.h): every message
 * becomes one file in the Maildir's new/, for tests, demos and sites that let a local MDA or
 * Dovecot pick mail up. The file holds the message as given, with the envelope sender written
 * before it as a Return-Path header, as a delivering MTA does (RFC 5321 4.4): that is where a
 * local MDA or a test finds where bounces go (our per-message VERP address, outmail.h).
 * Order is important: a message is OK only after mdir_write() has fsynced the file and the
 * directory, so the outbox may mark it sent.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mdir.h"
#include "transport.h"
#include "banned.h"

struct transport {
	char *path;
};

static void
outbox_maildir_close(struct transport *t)
{
	if (t == NULL)
		return;
	free(t->path);
	free(t);
}

static struct transport *
outbox_maildir_open(const struct transport_settings *s, struct fb_error *err)
{
	struct transport *t;

	if (mdir_create(s->maildir, err) < 0)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL || (t->path = strdup(s->maildir)) == NULL) {
		free(t);
		fb_error_set(err, "out of memory");
		return NULL;
	}
	return t;
}

/* "Return-Path: <sender>" in the message's own line ending, then the message, into out.
 * -1 when the sender cannot be a header (a line break in it) or memory ran out. */
static int
with_return_path(const struct transport_msg *m, struct buf *out)
{
	const char *sender = m->sender != NULL ? m->sender : "";
	const char *nl = memchr(m->data, '\n', m->len);
	int crlf = nl != NULL && nl > m->data && nl[-1] == '\r';

	if (strpbrk(sender, "\r\n") != NULL)
		return -1;
	buf_reset(out);
	if (buf_addf(out, "Return-Path: <%s>%s", sender, crlf ? "\r\n" : "\n") < 0 ||
	    buf_add(out, m->data, m->len) < 0)
		return -1;
	return 0;
}

static enum mail_result
outbox_maildir_send(struct transport *t, struct transport_msg *msgs, size_t n, struct fb_error *err)
{
	struct buf name = BUF_INIT, file = BUF_INIT;

	for (size_t i = 0; i < n; i++) {
		struct transport_msg *m = &msgs[i];
		struct fb_error e;
		int rc;

		buf_reset(&m->detail);
		buf_reset(&name);
		if (mdir_unique_name(&name) < 0) {
			m->status = MAIL_TEMPORARY;
			buf_puts(&m->detail, "out of memory");
			continue;
		}
		/* Loaded one at a time (transport.h) and given back once copied into file. */
		if (m->load != NULL && m->load(m, m->load_arg) < 0) {
			m->status = MAIL_TEMPORARY;
			buf_puts(&m->detail, "the message could not be read to send it");
			continue;
		}
		rc = with_return_path(m, &file);
		if (m->unload != NULL)
			m->unload(m, m->load_arg);
		if (rc < 0) {
			m->status = MAIL_MESSAGE_BAD;
			buf_puts(&m->detail, "envelope sender unusable as Return-Path (or out of "
			    "memory)");
			continue;
		}
		if (mdir_write(t->path, "new", name.data, file.data, file.len, &e) < 0) {
			m->status = MAIL_TEMPORARY;
			buf_puts(&m->detail, e.msg);
		} else {
			m->status = MAIL_OK;
			buf_putf(&m->detail, "delivered to %s/new/%s", t->path, name.data);
		}
	}
	buf_release(&name);
	buf_release(&file);
	return MAIL_OK;
}

/* A Maildir is local: nothing to log in to. open() has created it if it was missing; what
 * remains to check is that this user may write into tmp/ and new/ (mdir_write's two steps). */
static int
outbox_maildir_check(struct transport *t, struct buf *done, struct fb_error *err)
{
	static const char *const sub[] = { "tmp", "new" };
	struct buf p = BUF_INIT;

	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		buf_reset(&p);
		buf_putf(&p, "%s/%s", t->path, sub[i]);
		if (buf_failed(&p) || access(p.data, W_OK | X_OK) < 0) {
			fb_error_set(err, "Maildir %s: cannot write into %s/ (%s)", t->path, sub[i],
			    buf_failed(&p) ? "out of memory" : strerror(errno));
			buf_release(&p);
			return -1;
		}
	}
	buf_release(&p);
	buf_putf(done, "Maildir %s (local, no login): exists and is writable", t->path);
	return buf_failed(done) ? fb_error_set(err, "out of memory") : 0;
}

const struct transport_driver transport_maildir_driver = {
	.name = "maildir",
	.flags = 0,     /* one file at a time: not TRANSPORT_PARALLEL */
	.open = outbox_maildir_open,
	.send = outbox_maildir_send,
	.close = outbox_maildir_close,
	.check = outbox_maildir_check,
};
