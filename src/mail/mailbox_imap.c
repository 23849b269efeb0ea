/*
 * mailbox_imap — the "imap" mailbox driver (include/mailbox.h) on libetpan's mailimap.
 *
 * TLS is ours, not libetpan's (which verifies no certificate in Debian's build): tls.c opens the
 * TCP connection and does GnuTLS with chain and host-name verification, and libetpan talks
 * IMAP over it through a small mailstream_low driver defined here (read/write/close/get_fd/
 * free). imaps:// starts TLS before the greeting; imap:// sends STARTTLS (required by default)
 * and then starts TLS on the same connection object.
 *
 * Fetching: every fetch_new() SELECTs the folder (fresh UIDVALIDITY and UIDNEXT), then asks
 * "UID FETCH lo:hi (UID BODY.PEEK[])" in ranges of fetch_batch UIDs from the caller's last UID
 * to UIDNEXT-1, so at most one range of messages is in memory at a time (LIBRARY-NOTES.md).
 * With max_message_size set, a range is fetched in two steps: "UID FETCH lo:hi (UID
 * RFC822.SIZE)" first, then the whole body of the messages within the limit and only the first
 * MAILBOX_HEAD_MAX bytes ("BODY.PEEK[]<0.65536>") of the larger ones, so a 50 MB message costs
 * 64 KiB here and stays whole on the server.
 * BODY.PEEK leaves \Seen alone: a message is only marked by mark_done(), after the caller's
 * commit. Done means: moved to processed_folder (UID MOVE when offered, else UID COPY, then
 * \Deleted and, with UIDPLUS, UID EXPUNGE of those UIDs), or, without processed_folder,
 * flagged \Seen.
 *
 * Marks are sent in bulk: mark_done() only notes the UID (merging runs of consecutive UIDs into
 * ranges), and one UID STORE / MOVE / COPY for the whole set goes out when MARK_FLUSH_UIDS
 * UIDs or MARK_FLUSH_RANGES ranges are waiting, and before the next fetch_new(), wait() and
 * close(). One command per message was a round trip (and a Maildir rename in Dovecot) per
 * message: 10,000 messages read at ~1,000/s instead of at the server's pace
 * (tests/bench/bench_imap.py). The crash argument is unchanged: marks are only ever noted
 * after the caller's commit, and a mark lost in a crash (before the flush) leaves a message
 * that the saved position already skips — unflagged, or not moved to processed_folder.
 *
 * wait() uses IDLE when the server offers it (and settings allow), polling the socket in
 * 100 ms steps so that *stop is honoured; otherwise it sleeps and then checks the connection
 * with NOOP. A broken connection makes every call fail with -1: close() and open() again.
 *
 * New mail announced before the IDLE: a server tells a session about new messages once, in
 * an untagged EXISTS attached to whatever command it answers next — often our own UID STORE
 * of the marks, or a UID FETCH. libetpan files that number in imap_selection_info->sel_exists
 * (and counts it down for each EXPUNGE) and forgets it. IDLE then has nothing to report, and
 * the messages waited for the next timeout (60 s; found by tests/bench/bench_load.py). So
 * exists_expected follows what the folder should hold without new mail (SELECT's EXISTS, less
 * the messages we moved away), and wait() returns "ready" at once when sel_exists differs.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gnutls/gnutls.h>
#include <jansson.h>
#include <libetpan/libetpan.h>

#include "buf.h"
#include "log.h"
#include "mailbox.h"
#include "mailurl.h"
#include "oauth.h"
#include "saslauth.h"
#include "tls.h"
#include "banned.h"

struct mailbox {
	struct mailurl url;
	char peer[300];          /* "host:port" for messages */
	char *username;
	char *password;
	char *ca_file;
	char *folder;
	char *processed_folder;
	int verify;
	int starttls_required;
	struct oauth *oauth;     /* borrowed (mailbox_settings); NULL: LOGIN with the password */
	enum oauth_mech mech;
	char auth_offered[256];  /* the server's AUTH= mechanisms before login, for messages */
	int has_sasl_ir;
	int use_idle;
	int timeout;
	unsigned batch;
	size_t max_size;         /* larger messages: only their head is fetched (0: no limit) */
	mailimap *imap;
	struct tls_conn *conn;   /* owned by libetpan's stream (freed through low_free) */
	int has_move, has_uidplus, has_idle;
	int has_xoauth2, has_oauthbearer;  /* AUTH=... before login */
	int broken;
	int read_only;           /* EXAMINE, and no processed folder made (mailbox_settings) */
	uint32_t uidvalidity;
	uint32_t uidnext;
	uint32_t exists_expected;  /* EXISTS without new mail: see wait() at the top */
	/* Messages marked done but not yet flagged or moved on the server (see mark_done()). */
	struct uid_range *pending;
	size_t npending, cappending;   /* ranges */
	size_t pending_uids;           /* UIDs in them */
	int fetching;                  /* a fetch thread may be using the session: no flush */
};

struct uid_range {
	uint32_t lo, hi;
};

/* Send the pending marks when this many UIDs or ranges are waiting. */
#define MARK_FLUSH_UIDS 2000
#define MARK_FLUSH_RANGES 200

/* ---- libetpan stream over struct tls_conn ---- */

static ssize_t
low_read(mailstream_low *s, void *buf, size_t len)
{
	return s->data ? tls_read(s->data, buf, len) : -1;
}

static ssize_t
low_write(mailstream_low *s, const void *buf, size_t len)
{
	return s->data ? tls_write(s->data, buf, len) : -1;
}

static int
low_close(mailstream_low *s)
{
	tls_free(s->data);
	s->data = NULL;
	return 0;
}

static int
low_get_fd(mailstream_low *s)
{
	return s->data ? tls_fd(s->data) : -1;
}

static void
low_free(mailstream_low *s)
{
	tls_free(s->data);
	free(s);
}

static void
low_cancel(mailstream_low *s)
{
}

static struct mailstream_cancel *
low_get_cancel(mailstream_low *s)
{
	return NULL;
}

static carray *
low_get_certificate_chain(mailstream_low *s)
{
	return NULL;
}

static int
low_idle_unsupported(mailstream_low *s)
{
	return -1;
}

static mailstream_low_driver fb_low_driver = {
	.mailstream_read = low_read,
	.mailstream_write = low_write,
	.mailstream_close = low_close,
	.mailstream_get_fd = low_get_fd,
	.mailstream_free = low_free,
	.mailstream_cancel = low_cancel,
	.mailstream_get_cancel = low_get_cancel,
	.mailstream_get_certificate_chain = low_get_certificate_chain,
	.mailstream_setup_idle = low_idle_unsupported,
	.mailstream_unsetup_idle = low_idle_unsupported,
	.mailstream_interrupt_idle = low_idle_unsupported,
};

/* ---- helpers ---- */

static void drop_session(struct mailbox *mb);
static int connect_session(struct mailbox *mb, struct fb_error *err);

static const char *
server_said(struct mailbox *mb)
{
	return mb->imap != NULL && mb->imap->imap_response != NULL ? mb->imap->imap_response : "";
}

/* Fill err for libetpan error r during what; a stream error marks the session broken. */
static int
imap_fail(struct mailbox *mb, int r, const char *what, struct fb_error *err)
{
	if (r == MAILIMAP_ERROR_STREAM || r == MAILIMAP_ERROR_PARSE) {
		mb->broken = 1;
		return fb_error_set(err, "IMAP %s: connection lost during %s", mb->peer, what);
	}
	return fb_error_set(err, "IMAP %s: %s failed (%d): %s", mb->peer, what, r,
	    server_said(mb));
}

static void
read_capabilities(struct mailbox *mb)
{
	struct mailimap_capability_data *cap = NULL;
	size_t used = 0;

	mb->has_move = mb->has_uidplus = mb->has_idle = 0;
	mb->has_xoauth2 = mb->has_oauthbearer = mb->has_sasl_ir = 0;
	mb->auth_offered[0] = '\0';
	if (mailimap_capability(mb->imap, &cap) != MAILIMAP_NO_ERROR || cap == NULL)
		return;
	for (clistiter *it = clist_begin(cap->cap_list); it != NULL; it = clist_next(it)) {
		struct mailimap_capability *c = clist_content(it);

		if (c->cap_type == MAILIMAP_CAPABILITY_AUTH_TYPE && c->cap_data.cap_auth_type != NULL) {
			const char *a = c->cap_data.cap_auth_type;
			int n;

			if (strcasecmp(a, "XOAUTH2") == 0)
				mb->has_xoauth2 = 1;
			else if (strcasecmp(a, "OAUTHBEARER") == 0)
				mb->has_oauthbearer = 1;
			/* The list is only for messages: cut at the buffer's end. */
			n = snprintf(mb->auth_offered + used, sizeof(mb->auth_offered) - used, "%sAUTH=%s",
			    used ? " " : "", a);
			if (n > 0 && (size_t)n < sizeof(mb->auth_offered) - used)
				used += (size_t)n;
			continue;
		}
		if (c->cap_type != MAILIMAP_CAPABILITY_NAME || c->cap_data.cap_name == NULL)
			continue;
		if (strcasecmp(c->cap_data.cap_name, "MOVE") == 0)
			mb->has_move = 1;
		else if (strcasecmp(c->cap_data.cap_name, "UIDPLUS") == 0)
			mb->has_uidplus = 1;
		else if (strcasecmp(c->cap_data.cap_name, "IDLE") == 0)
			mb->has_idle = 1;
		else if (strcasecmp(c->cap_data.cap_name, "SASL-IR") == 0)
			mb->has_sasl_ir = 1;
	}
	mailimap_capability_data_free(cap);
}

/* ---- OAuth 2.0 login: AUTHENTICATE XOAUTH2 / OAUTHBEARER ----
 *
 * Why not libetpan's own functions: mailimap_oauth2_authenticate() speaks XOAUTH2 only, builds
 * its response itself (no refusal of a \x01 or CR LF in the user or the token: saslauth.h does
 * that, and builds the same bytes as the SMTP plugin), sends the response inline even when the
 * server does not offer SASL-IR, and throws away the server's error challenge, the only place
 * that says why a token was refused. mailimap_authenticate() hands the mechanism to Cyrus SASL,
 * and Debian's libsasl2-modules have no XOAUTH2 or OAUTHBEARER plugin (measured on Debian 12:
 * /usr/lib/x86_64-linux-gnu/sasl2 holds anonymous, crammd5, digestmd5, login, ntlm, plain,
 * sasldb, scram only), so it would answer "no mechanism" on every machine we install on.
 *
 * So the exchange is ours, on libetpan's public session API, the way its own mailimap_oauth2.c
 * does it: mailimap_send_current_tag(), the command written to the session's stream
 * (mailstream_write, with mailstream_set_privacy(0) so that a libetpan logger never sees the
 * token), mailimap_read_line() and libetpan's parser for every reply: a continuation request
 * with mailimap_continue_req_parse() and the tagged result with mailimap_parse_response(). The
 * continuation parser is exported by libetpan.so.20 but declared in mailimap_parser.h, which
 * libetpan does not install; its signature below is 1.9.4's (the parser context type it takes
 * is in the installed mailimap_types.h). No IMAP syntax is parsed by hand here.
 */
int mailimap_continue_req_parse(mailstream *fd, MMAPString *buffer,
    struct mailimap_parser_context *parser_ctx, size_t *indx,
    struct mailimap_continue_req **result, size_t progr_rate, progress_function *progr_fun);

static const char *
mech_name(enum oauth_mech m)
{
	return m == OAUTH_OAUTHBEARER ? "OAUTHBEARER" : "XOAUTH2";
}

/* Parse the line in the session's buffer as a continuation request ("+ ..."). 1 with *out
 * (free with mailimap_continue_req_free) when it is one, 0 when it is not (a tagged or
 * untagged response: mailimap_parse_response() reads it), -1 on out of memory. */
static int
continuation(struct mailbox *mb, struct mailimap_continue_req **out)
{
	struct mailimap_parser_context *ctx = mailimap_parser_context_new(mb->imap);
	size_t indx = 0;
	int r;

	if (ctx == NULL)
		return -1;
	r = mailimap_continue_req_parse(mb->imap->imap_stream, mb->imap->imap_stream_buffer, ctx,
	    &indx, out, mb->imap->imap_progr_rate, mb->imap->imap_progr_fun);
	mailimap_parser_context_free(ctx);
	return r == MAILIMAP_NO_ERROR ? 1 : r == MAILIMAP_ERROR_MEMORY ? -1 : 0;
}

/* The "status" of the server's error challenge (RFC 7628 section 3.2.2: base64 of a JSON
 * object; Google's and Dovecot's XOAUTH2 send the same shape), appended to why as
 * " (error status STATUS)". The challenge comes from the server: only printable ASCII of its
 * status is kept, and nothing when it is not that JSON. */
static void
note_challenge(const struct mailimap_continue_req *cr, struct buf *why)
{
	gnutls_datum_t in, raw = { NULL, 0 };
	json_t *j = NULL;
	const char *status;

	if (cr->cr_type != MAILIMAP_CONTINUE_REQ_BASE64 || cr->cr_data.cr_base64 == NULL ||
	    *cr->cr_data.cr_base64 == '\0')
		return;
	in.data = (unsigned char *)cr->cr_data.cr_base64;
	in.size = (unsigned)strlen(cr->cr_data.cr_base64);
	if (gnutls_base64_decode2(&in, &raw) == 0)
		j = json_loadb((const char *)raw.data, raw.size, 0, NULL);
	gnutls_free(raw.data);
	status = json_string_value(json_object_get(j, "status"));
	if (status != NULL && *status != '\0' && strlen(status) <= 64) {
		buf_puts(why, " (error status ");
		for (const char *c = status; *c != '\0'; c++)
			buf_putch(why, *c > ' ' && *c < 0x7f ? *c : '?');
		buf_putch(why, ')');
	}
	json_decref(j);
}

static int
send_bytes(struct mailbox *mb, const char *data, size_t len)
{
	return mailstream_write(mb->imap->imap_stream, data, len) == (ssize_t)len ? 0 : -1;
}

/* One AUTHENTICATE with the bearer token. 0 logged in; 1 the server refused it (*why: its
 * reply, and the error challenge's status); -1 with err on any other failure (the mechanism
 * not offered, the connection lost, a protocol error). */
static int
authenticate_bearer(struct mailbox *mb, const char *token, struct buf *why, struct fb_error *err)
{
	const char *mech = mech_name(mb->mech);
	struct buf resp = BUF_INIT, line = BUF_INIT;
	gnutls_datum_t raw, b64 = { NULL, 0 };
	struct mailimap_continue_req *cr = NULL;
	struct mailimap_response *response = NULL;
	int r, rc = -1, sent;

	if (!(mb->mech == OAUTH_OAUTHBEARER ? mb->has_oauthbearer : mb->has_xoauth2))
		return fb_error_set(err, "IMAP %s: the server does not offer AUTH=%s (it offers: %s); "
		    "set oauth_mechanism to one it offers, or enable OAuth for IMAP on the server", mb->peer,
		    mech, mb->auth_offered[0] != '\0' ? mb->auth_offered : "no AUTH= mechanism");
	if ((mb->mech == OAUTH_OAUTHBEARER ?
	    saslauth_oauthbearer(&resp, mb->username, mb->url.host, mb->url.port, token, err) :
	    saslauth_xoauth2(&resp, mb->username, token, err)) < 0) {
		fb_error_prefix(err, "IMAP %s: %s", mb->peer, mech);
		goto out;
	}
	raw.data = (unsigned char *)resp.data;
	raw.size = (unsigned)resp.len;
	if (buf_failed(&resp) || gnutls_base64_encode2(&raw, &b64) < 0) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	/* With SASL-IR (RFC 4959) the response goes on the command line; without it, after the
	 * server's empty continuation request. */
	if (buf_addf(&line, "AUTHENTICATE %s%s%s\r\n", mech, mb->has_sasl_ir ? " " : "",
	    mb->has_sasl_ir ? (const char *)b64.data : "") < 0) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	mailstream_set_privacy(mb->imap->imap_stream, 0);
	r = mailimap_send_current_tag(mb->imap);
	sent = r == MAILIMAP_NO_ERROR && send_bytes(mb, line.data, line.len) == 0 &&
	    mailstream_flush(mb->imap->imap_stream) == 0;
	if (sent && !mb->has_sasl_ir) {
		sent = mailimap_read_line(mb->imap) != NULL;
		if (sent && (r = continuation(mb, &cr)) <= 0) {
			/* Refused before the response was even asked for. */
			if (r < 0) {
				mailstream_set_privacy(mb->imap->imap_stream, 1);
				fb_error_set(err, "out of memory");
				goto out;
			}
		} else if (sent) {
			mailimap_continue_req_free(cr);
			cr = NULL;
			sent = send_bytes(mb, (const char *)b64.data, b64.size) == 0 &&
			    send_bytes(mb, "\r\n", 2) == 0 && mailstream_flush(mb->imap->imap_stream) == 0 &&
			    mailimap_read_line(mb->imap) != NULL;
		}
	} else if (sent) {
		sent = mailimap_read_line(mb->imap) != NULL;
	}
	mailstream_set_privacy(mb->imap->imap_stream, 1);
	if (!sent) {
		imap_fail(mb, MAILIMAP_ERROR_STREAM, "AUTHENTICATE", err);
		goto out;
	}
	/* A refused token: the server sends an error challenge first and waits for the client's
	 * dummy response, \x01 for OAUTHBEARER (RFC 7628 section 3.2.3) and an empty one for
	 * XOAUTH2 (as Google and Microsoft document it); its NO comes after that. */
	r = continuation(mb, &cr);
	if (r < 0) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	if (r > 0) {
		note_challenge(cr, why);
		mailimap_continue_req_free(cr);
		cr = NULL;
		if ((mb->mech == OAUTH_OAUTHBEARER ? send_bytes(mb, "AQ==\r\n", 6) :
		    send_bytes(mb, "\r\n", 2)) < 0 || mailstream_flush(mb->imap->imap_stream) != 0) {
			imap_fail(mb, MAILIMAP_ERROR_STREAM, "AUTHENTICATE", err);
			goto out;
		}
	}
	r = mailimap_parse_response(mb->imap, &response);
	if (r == MAILIMAP_NO_ERROR &&
	    response->rsp_resp_done->rsp_data.rsp_tagged->rsp_cond_state->rsp_type ==
	    MAILIMAP_RESP_COND_STATE_OK) {
		mb->imap->imap_state = MAILIMAP_STATE_AUTHENTICATED;
		rc = 0;
	} else if (r == MAILIMAP_NO_ERROR || r == MAILIMAP_ERROR_FATAL) {
		/* NO, or BYE: refused (after a BYE the retry needs a new connection). */
		struct buf said = BUF_INIT;

		buf_putf(&said, "\"%s\"%s", server_said(mb), why->data);
		buf_reset(why);
		buf_put(why, said.data, said.len);
		buf_release(&said);
		if (r == MAILIMAP_ERROR_FATAL)
			mb->broken = 1;
		rc = 1;
	} else {
		imap_fail(mb, r, "AUTHENTICATE", err);
	}
	if (response != NULL)
		mailimap_response_free(response);
out:
	if (cr != NULL)
		mailimap_continue_req_free(cr);
	explicit_bzero(resp.data, resp.len);
	buf_release(&resp);
	explicit_bzero(line.data, line.len);
	buf_release(&line);
	if (b64.data != NULL) {
		explicit_bzero(b64.data, b64.size);
		gnutls_free(b64.data);
	}
	return rc;
}

/*
 * Log in with a token from mb->oauth: ask oauth_token() before the login; when the server
 * refuses the token, tell the source (oauth_refused) and try once more with a fresh one (on a
 * new connection when the server closed this one). A second refusal is an error naming the
 * server, the mechanism, the user and the server's reply. The token is never logged.
 */
static int
oauth_login(struct mailbox *mb, struct fb_error *err)
{
	const char *mech = mech_name(mb->mech);
	struct buf why = BUF_INIT;
	int r = -1;

	read_capabilities(mb);
	for (int attempt = 0; attempt < 2; attempt++) {
		struct buf token = BUF_INIT;

		if (mb->broken) {
			drop_session(mb);
			if (connect_session(mb, err) < 0)
				break;
			read_capabilities(mb);
		}
		if (oauth_token(mb->oauth, &token, err) < 0) {
			fb_error_prefix(err, "IMAP %s: no OAuth token to log in as %s", mb->peer,
			    mb->username);
			break;
		}
		buf_reset(&why);
		r = authenticate_bearer(mb, token.data, &why, err);
		explicit_bzero(token.data, token.len);
		buf_release(&token);
		if (r <= 0)
			break;
		oauth_refused(mb->oauth);
		if (attempt == 0)
			log_warnx("IMAP %s: %s login as %s refused: %s; fetching a new token and trying "
			    "once more", mb->peer, mech, mb->username, why.data);
		else
			fb_error_set(err, "IMAP %s: %s login as %s refused, with a fresh token too: %s "
			    "(is the token for this mailbox, and its scope for IMAP?)", mb->peer, mech,
			    mb->username, why.data);
	}
	buf_release(&why);
	return r == 0 ? 0 : -1;
}

static int
select_folder(struct mailbox *mb, struct fb_error *err)
{
	/* EXAMINE for a mailbox that must stay as it is: SELECT would take \Recent. */
	int r = mb->read_only ? mailimap_examine(mb->imap, mb->folder) :
	    mailimap_select(mb->imap, mb->folder);

	if (r != MAILIMAP_NO_ERROR) {
		/* Name the folder: open() is also the login probe (`feedbackctl mail test`), and a
		 * wrong [incoming] folder is the likely cause. */
		if (r == MAILIMAP_ERROR_STREAM || r == MAILIMAP_ERROR_PARSE)
			return imap_fail(mb, r, mb->read_only ? "EXAMINE" : "SELECT", err);
		return fb_error_set(err, "IMAP %s: cannot open folder \"%s\" (%s): %s", mb->peer,
		    mb->folder, mb->read_only ? "EXAMINE" : "SELECT", server_said(mb));
	}
	if (mb->imap->imap_selection_info == NULL || mb->imap->imap_selection_info->sel_uidvalidity == 0)
		return fb_error_set(err, "IMAP %s: folder %s has no UIDVALIDITY", mb->peer, mb->folder);
	mb->uidvalidity = mb->imap->imap_selection_info->sel_uidvalidity;
	mb->uidnext = mb->imap->imap_selection_info->sel_uidnext;
	mb->exists_expected = mb->imap->imap_selection_info->sel_exists;
	return 0;
}

/* 1 when the server announced a change of the folder's message count that our own moves do
 * not explain (new mail, most likely): the caller should fetch instead of idling. */
static int
exists_changed(const struct mailbox *mb)
{
	const struct mailimap_selection_info *si =
	    mb->imap != NULL ? mb->imap->imap_selection_info : NULL;

	return si != NULL && si->sel_exists != mb->exists_expected;
}

static int flush_marks(struct mailbox *mb, struct fb_error *err);
static void flush_marks_before(struct mailbox *mb);

static void
imap_close(struct mailbox *mb)
{
	struct fb_error err;

	if (mb == NULL)
		return;
	if (mb->npending > 0 && !mb->broken && mb->imap != NULL && flush_marks(mb, &err) < 0)
		log_warnx("%s (those messages will not be read again: the position skips them)",
		    err.msg);
	free(mb->pending);
	drop_session(mb);
	free(mb->username);
	if (mb->password != NULL) {
		explicit_bzero(mb->password, strlen(mb->password));
		free(mb->password);
	}
	free(mb->ca_file);
	free(mb->folder);
	free(mb->processed_folder);
	free(mb);
}

static int
copy_str(char **dst, const char *src)
{
	if (src == NULL || *src == '\0')
		return 0;
	*dst = strdup(src);
	return *dst == NULL ? -1 : 0;
}

/* Leave the session: log out when it still works, and free it (and the connection). */
static void
drop_session(struct mailbox *mb)
{
	if (mb->imap != NULL) {
		if (!mb->broken && mb->imap->imap_stream != NULL)
			mailimap_logout(mb->imap);
		mailimap_free(mb->imap);  /* frees the stream, its low driver and the connection */
	} else {
		tls_free(mb->conn);
	}
	mb->imap = NULL;
	mb->conn = NULL;
	mb->broken = 0;
}

/* TCP, TLS (implicit or STARTTLS) and the greeting: a session ready to log in. 0, or -1 with
 * err (the caller drops what was made). */
static int
connect_session(struct mailbox *mb, struct fb_error *err)
{
	mailstream_low *low;
	mailstream *stream;
	int r;

	mb->conn = tls_connect(mb->url.host, mb->url.port, mb->timeout, err);
	if (mb->conn == NULL)
		return -1;
	if (mb->url.tls && tls_start(mb->conn, mb->ca_file, mb->verify, err) < 0) {
		fb_error_prefix(err, "IMAP");
		goto hint;
	}
	low = mailstream_low_new(mb->conn, &fb_low_driver);
	if (low == NULL)
		return fb_error_set(err, "out of memory");
	stream = mailstream_new(low, 8192);
	if (stream == NULL) {
		mb->conn = NULL;
		low_free(low);  /* frees the connection too */
		return fb_error_set(err, "out of memory");
	}
	mb->imap = mailimap_new(0, NULL);
	if (mb->imap == NULL) {
		mb->conn = NULL;
		mailstream_close(stream);
		return fb_error_set(err, "out of memory");
	}
	mailimap_set_timeout(mb->imap, mb->timeout);
	r = mailimap_connect(mb->imap, stream);  /* the session owns the stream from here on */
	if (r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED && r != MAILIMAP_NO_ERROR_AUTHENTICATED)
		return imap_fail(mb, r, "greeting", err);
	if (!mb->url.tls && mb->starttls_required) {
		r = mailimap_starttls(mb->imap);
		if (r != MAILIMAP_NO_ERROR)
			return fb_error_set(err, "IMAP %s: STARTTLS refused (%s) but required (starttls = "
			    "required): not logging in", mb->peer, server_said(mb));
		/* Anything the server sent after its OK would be plain text posing as protected
		 * (STARTTLS response injection): refuse it. */
		if (mb->imap->imap_stream->read_buffer_len != 0)
			return fb_error_set(err, "IMAP %s: data after the STARTTLS reply; refused", mb->peer);
		if (tls_start(mb->conn, mb->ca_file, mb->verify, err) < 0) {
			fb_error_prefix(err, "IMAP");
			mb->broken = 1;
			goto hint;
		}
	} else if (!mb->url.tls) {
		log_warnx("IMAP %s: no TLS (starttls = no): the %s travels in plain text", mb->peer,
		    mb->oauth != NULL ? "access token" : "password");
	}
	return 0;
hint:
	{
		size_t l = strlen(err ? err->msg : "");

		if (err != NULL && strstr(err->msg, "not trusted") != NULL)
			snprintf(err->msg + l, sizeof(err->msg) - l, "; set [incoming] ca_file");
	}
	return -1;
}

static int
password_login(struct mailbox *mb, struct fb_error *err)
{
	int r = mailimap_login(mb->imap, mb->username, mb->password);

	if (r == MAILIMAP_NO_ERROR)
		return 0;
	if (r == MAILIMAP_ERROR_LOGIN)
		return fb_error_set(err, "IMAP %s: login as %s refused: %s", mb->peer, mb->username,
		    server_said(mb));
	return imap_fail(mb, r, "LOGIN", err);
}

static struct mailbox *
imap_open(const struct mailbox_settings *s, struct fb_error *err)
{
	struct mailbox *mb = calloc(1, sizeof(*mb));
	int r;

	if (mb == NULL) {
		fb_error_set(err, "out of memory");
		return NULL;
	}
	if (copy_str(&mb->username, s->username) < 0 ||
	    (s->oauth == NULL && copy_str(&mb->password, s->password) < 0) ||
	    copy_str(&mb->ca_file, s->ca_file) < 0 || copy_str(&mb->folder, s->folder ? s->folder : "INBOX") < 0 ||
	    copy_str(&mb->processed_folder, s->processed_folder) < 0) {
		fb_error_set(err, "out of memory");
		goto fail;
	}
	mb->oauth = s->oauth;
	mb->mech = s->mech;
	mb->verify = s->verify;
	mb->starttls_required = s->starttls_required;
	mb->read_only = s->read_only;
	mb->use_idle = s->idle;
	mb->timeout = s->timeout > 0 ? s->timeout : 60;
	mb->batch = s->fetch_batch > 0 ? s->fetch_batch : 500;
	mb->max_size = s->max_message_size;
	if (mailurl_parse(s->url, "imap", 143, 993, &mb->url, err) < 0)
		goto fail;
	snprintf(mb->peer, sizeof(mb->peer), strchr(mb->url.host, ':') ? "[%s]:%u" : "%s:%u",
	    mb->url.host, mb->url.port);
	if (mb->username == NULL || (mb->oauth == NULL && mb->password == NULL)) {
		fb_error_set(err, mb->oauth != NULL ? "IMAP %s: username is required (the mailbox the "
		    "OAuth token is for)" : "IMAP %s: username and password are required", s->url);
		goto fail;
	}
	if (!mb->verify)
		log_warnx("IMAP %s: TLS certificate verification is OFF (verify = no): anyone on the "
		    "path can read the mail and the %s", mb->peer,
		    mb->oauth != NULL ? "access token" : "password");
	if (connect_session(mb, err) < 0)
		goto fail;
	if ((mb->oauth != NULL ? oauth_login(mb, err) : password_login(mb, err)) < 0)
		goto fail;
	read_capabilities(mb);
	if (select_folder(mb, err) < 0)
		goto fail;
	if (mb->processed_folder != NULL && !mb->read_only) {
		/* Create it if missing; "already exists" is the usual answer and fine. */
		r = mailimap_create(mb->imap, mb->processed_folder);
		if (r == MAILIMAP_ERROR_STREAM) {
			imap_fail(mb, r, "CREATE", err);
			goto fail;
		}
	}
	return mb;
fail:
	imap_close(mb);
	return NULL;
}

struct fetched {
	uint32_t uid;
	const char *data;
	size_t len;
	size_t size;            /* RFC822.SIZE when asked for (the head of a large one), else 0 */
};

static int
fetched_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct fetched *)a)->uid, y = ((const struct fetched *)b)->uid;

	return x < y ? -1 : x > y;
}

/*
 * One "UID FETCH lo:hi (UID BODY.PEEK[])" in flight. request() does the network part and
 * touches nothing but mb->imap and the fields of this struct, so that it can run in a helper
 * thread while the calling thread hands the previous range to the callback (see
 * imap_fetch_new()). Errors are read by the calling thread after the join (imap_fail()).
 */
struct range_fetch {
	struct mailbox *mb;
	uint32_t lo, hi;
	int r;                  /* libetpan's result; MAILIMAP_ERROR_MEMORY when no command went */
	const char *what;       /* the command r is about: "UID FETCH", or a mark's when it broke */
	clist *result;          /* freed with mailimap_fetch_list_free() */
	/* Marks sent before the fetch, in the same thread (see fetch_ranges()); owned. */
	struct mailimap_set *marks;
	size_t nmarks;          /* UIDs in marks */
	int mr;                 /* libetpan's result for them */
	const char *mwhat;      /* ... and the command it is about */
	pthread_t thread;
	int threaded;
};

static int mark_set_raw(struct mailbox *mb, struct mailimap_set *set, const char **what);
static int marks_take(struct mailbox *mb, struct mailimap_set **set, size_t *n);
static void marks_sent(struct mailbox *mb, int r, const char *what, size_t n);

/* One UID FETCH of set with the attributes: UID, and RFC822.SIZE when size, and the body
 * (its first head bytes when head > 0). Takes set. libetpan's result code; *out the list. */
static int
fetch_set(mailimap *imap, struct mailimap_set *set, int size, uint32_t head, clist **out)
{
	struct mailimap_fetch_type *ft = mailimap_fetch_type_new_fetch_att_list_empty();
	struct mailimap_section *sec = mailimap_section_new(NULL);
	struct mailimap_fetch_att *a_uid = mailimap_fetch_att_new_uid();
	struct mailimap_fetch_att *a_size = size ? mailimap_fetch_att_new_rfc822_size() : NULL;
	struct mailimap_fetch_att *a_body = NULL;
	int r = MAILIMAP_ERROR_MEMORY;

	*out = NULL;
	if (sec != NULL)
		a_body = head > 0 ? mailimap_fetch_att_new_body_peek_section_partial(sec, 0, head) :
		    mailimap_fetch_att_new_body_peek_section(sec);
	if (set != NULL && ft != NULL && a_uid != NULL && a_body != NULL &&
	    (!size || a_size != NULL)) {
		mailimap_fetch_type_new_fetch_att_list_add(ft, a_uid);
		a_uid = NULL;
		if (a_size != NULL)
			mailimap_fetch_type_new_fetch_att_list_add(ft, a_size);
		a_size = NULL;
		mailimap_fetch_type_new_fetch_att_list_add(ft, a_body);
		a_body = NULL;
		r = mailimap_uid_fetch(imap, set, ft, out);
	} else if (a_body == NULL && sec != NULL) {
		mailimap_section_free(sec);
	}
	if (set != NULL)
		mailimap_set_free(set);
	if (ft != NULL)
		mailimap_fetch_type_free(ft);
	if (a_uid != NULL)
		mailimap_fetch_att_free(a_uid);
	if (a_size != NULL)
		mailimap_fetch_att_free(a_size);
	if (a_body != NULL)
		mailimap_fetch_att_free(a_body);
	return r;
}

/* Add uid to set as a run of consecutive UIDs where it continues the last one. */
static int
set_add(struct mailimap_set *set, uint32_t uid, uint32_t *run_lo, uint32_t *run_hi)
{
	if (*run_hi != 0 && uid == *run_hi + 1) {
		*run_hi = uid;
		return 0;
	}
	if (*run_hi != 0 && mailimap_set_add_interval(set, *run_lo, *run_hi) != MAILIMAP_NO_ERROR)
		return -1;
	*run_lo = *run_hi = uid;
	return 0;
}

static int
set_close(struct mailimap_set *set, uint32_t run_lo, uint32_t run_hi)
{
	return run_hi == 0 || mailimap_set_add_interval(set, run_lo, run_hi) == MAILIMAP_NO_ERROR ?
	    0 : -1;
}

/*
 * Sizes first: split lo..hi into the messages within max_size (fetched whole) and the larger
 * ones (only their head, with their size). The two results are joined into f->result.
 */
static void
range_request_sized(struct range_fetch *f)
{
	struct mailimap_set *small = mailimap_set_new_empty(), *big = mailimap_set_new_empty();
	clist *sizes = NULL, *more = NULL;
	uint32_t slo = 0, shi = 0, blo = 0, bhi = 0;
	size_t nsmall = 0, nbig = 0;
	int oom = small == NULL || big == NULL;

	f->result = NULL;
	f->r = MAILIMAP_ERROR_MEMORY;
	if (!oom) {
		struct mailimap_set *all = mailimap_set_new_interval(f->lo, f->hi);
		struct mailimap_fetch_type *ft = mailimap_fetch_type_new_fetch_att_list_empty();
		struct mailimap_fetch_att *a_uid = mailimap_fetch_att_new_uid();
		struct mailimap_fetch_att *a_size = mailimap_fetch_att_new_rfc822_size();

		if (all != NULL && ft != NULL && a_uid != NULL && a_size != NULL) {
			mailimap_fetch_type_new_fetch_att_list_add(ft, a_uid);
			mailimap_fetch_type_new_fetch_att_list_add(ft, a_size);
			a_uid = a_size = NULL;
			f->r = mailimap_uid_fetch(f->mb->imap, all, ft, &sizes);
		}
		if (all != NULL)
			mailimap_set_free(all);
		if (ft != NULL)
			mailimap_fetch_type_free(ft);
		if (a_uid != NULL)
			mailimap_fetch_att_free(a_uid);
		if (a_size != NULL)
			mailimap_fetch_att_free(a_size);
	}
	if (f->r != MAILIMAP_NO_ERROR)
		goto out;
	/* The server answers in UID order for a UID range; runs are merged as they come. */
	for (clistiter *it = clist_begin(sizes); it != NULL && !oom; it = clist_next(it)) {
		struct mailimap_msg_att *att = clist_content(it);
		uint32_t uid = 0, size = 0;

		for (clistiter *j = clist_begin(att->att_list); j != NULL; j = clist_next(j)) {
			struct mailimap_msg_att_item *item = clist_content(j);

			if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC ||
			    item->att_data.att_static == NULL)
				continue;
			if (item->att_data.att_static->att_type == MAILIMAP_MSG_ATT_UID)
				uid = item->att_data.att_static->att_data.att_uid;
			else if (item->att_data.att_static->att_type == MAILIMAP_MSG_ATT_RFC822_SIZE)
				size = item->att_data.att_static->att_data.att_rfc822_size;
		}
		if (uid < f->lo || uid > f->hi)
			continue;
		if ((size_t)size > f->mb->max_size) {
			oom = set_add(big, uid, &blo, &bhi) < 0;
			nbig++;
		} else {
			oom = set_add(small, uid, &slo, &shi) < 0;
			nsmall++;
		}
	}
	if (oom || set_close(small, slo, shi) < 0 || set_close(big, blo, bhi) < 0) {
		f->r = MAILIMAP_ERROR_MEMORY;
		goto out;
	}
	f->r = MAILIMAP_NO_ERROR;
	if (nsmall > 0) {
		f->r = fetch_set(f->mb->imap, small, 0, 0, &f->result);
		small = NULL;
	}
	if (f->r == MAILIMAP_NO_ERROR && nbig > 0) {
		f->r = fetch_set(f->mb->imap, big, 1, (uint32_t)MAILBOX_HEAD_MAX, &more);
		big = NULL;
		if (f->r == MAILIMAP_NO_ERROR && f->result == NULL) {
			f->result = more;
			more = NULL;
		} else if (f->r == MAILIMAP_NO_ERROR && more != NULL) {
			clist_concat(f->result, more);   /* moves more's items; more is empty */
		}
	}
	if (f->r == MAILIMAP_NO_ERROR && f->result == NULL)
		f->result = clist_new();  /* an empty range: nothing to deliver */
out:
	if (sizes != NULL)
		mailimap_fetch_list_free(sizes);
	if (more != NULL)
		mailimap_fetch_list_free(more);
	if (small != NULL)
		mailimap_set_free(small);
	if (big != NULL)
		mailimap_set_free(big);
}

static void
range_request(struct range_fetch *f)
{
	f->what = "UID FETCH";
	if (f->marks != NULL) {
		f->mr = mark_set_raw(f->mb, f->marks, &f->mwhat);
		if (f->mr == MAILIMAP_ERROR_STREAM || f->mr == MAILIMAP_ERROR_PARSE) {
			f->r = f->mr;   /* no fetch on a broken session */
			f->what = f->mwhat;
			return;
		}
	}
	if (f->mb->max_size > 0) {
		range_request_sized(f);
		return;
	}
	f->r = fetch_set(f->mb->imap, mailimap_set_new_interval(f->lo, f->hi), 0, 0, &f->result);
}

static void *
range_thread(void *arg)
{
	range_request(arg);
	return NULL;
}

/* Start fetching lo..hi: in a helper thread, or here when no thread can be had. With marks,
 * the marks noted so far go first, in the same thread. */
static void
range_start(struct range_fetch *f, struct mailbox *mb, uint32_t lo, uint32_t hi, int marks)
{
	f->mb = mb;
	f->lo = lo;
	f->hi = hi;
	f->marks = NULL;
	f->nmarks = 0;
	if (marks && marks_take(mb, &f->marks, &f->nmarks) < 0)
		log_warnx("IMAP %s: out of memory marking %zu messages (those messages will not be "
		    "read again: the position skips them)", mb->peer, f->nmarks);
	f->threaded = pthread_create(&f->thread, NULL, range_thread, f) == 0;
	if (!f->threaded)
		range_request(f);
}

/* Wait for a started fetch; 0, or -1 with err (the session is then broken). */
static int
range_finish(struct range_fetch *f, struct fb_error *err)
{
	if (f->threaded)
		pthread_join(f->thread, NULL);
	f->threaded = 0;
	if (f->marks != NULL) {
		marks_sent(f->mb, f->mr, f->mwhat, f->nmarks);
		mailimap_set_free(f->marks);
		f->marks = NULL;
	}
	if (f->r == MAILIMAP_ERROR_MEMORY && f->result == NULL)
		return fb_error_set(err, "out of memory");
	if (f->r != MAILIMAP_NO_ERROR)
		return imap_fail(f->mb, f->r, f->what, err);
	return 0;
}

static void
range_release(struct range_fetch *f)
{
	if (f->result != NULL)
		mailimap_fetch_list_free(f->result);
	f->result = NULL;
}

/* Hand a fetched range over in UID order. Returns the number handed over, or -1. */
static int
range_deliver(struct mailbox *mb, const struct range_fetch *f, struct mailbox_position *pos,
    mailbox_msg_cb cb, void *ctx, struct fb_error *err)
{
	struct fetched *list = NULL;
	struct buf id = BUF_INIT;
	size_t n = 0, cap = (size_t)clist_count(f->result), last_ok;
	int count = 0;

	list = calloc(cap ? cap : 1, sizeof(*list));
	if (list == NULL)
		return fb_error_set(err, "out of memory");
	for (clistiter *it = clist_begin(f->result); it != NULL && n < cap; it = clist_next(it)) {
		struct mailimap_msg_att *att = clist_content(it);
		struct fetched e = { 0, NULL, 0, 0 };

		for (clistiter *j = clist_begin(att->att_list); j != NULL; j = clist_next(j)) {
			struct mailimap_msg_att_item *item = clist_content(j);
			struct mailimap_msg_att_static *st;

			if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC || item->att_data.att_static == NULL)
				continue;
			st = item->att_data.att_static;
			if (st->att_type == MAILIMAP_MSG_ATT_UID) {
				e.uid = st->att_data.att_uid;
			} else if (st->att_type == MAILIMAP_MSG_ATT_RFC822_SIZE) {
				e.size = st->att_data.att_rfc822_size;
			} else if (st->att_type == MAILIMAP_MSG_ATT_BODY_SECTION &&
			    st->att_data.att_body_section != NULL) {
				e.data = st->att_data.att_body_section->sec_body_part;
				e.len = st->att_data.att_body_section->sec_length;
			}
		}
		/* "lo:hi" returns the highest message even when it is below lo (RFC 3501 6.4.8);
		 * responses without a body are flag updates. */
		if (e.uid < f->lo || e.uid > f->hi || e.data == NULL)
			continue;
		list[n++] = e;
	}
	last_ok = n;
	qsort(list, n, sizeof(*list), fetched_cmp);
	/* The last message handed over ends the chunk: the caller commits the range there. */
	while (last_ok > 0 && list[last_ok - 1].len > MAILBOX_MAX_MESSAGE)
		last_ok--;
	for (size_t i = 0; i < n; i++) {
		struct mailbox_msg msg;

		if (list[i].len > MAILBOX_MAX_MESSAGE) {
			log_warnx("IMAP %s: UID %" PRIu32 " is larger than %zu bytes, skipped",
			    mb->peer, list[i].uid, MAILBOX_MAX_MESSAGE);
			pos->uid = list[i].uid;
			continue;
		}
		buf_reset(&id);
		if (buf_addf(&id, "%" PRIu32 ":%" PRIu32, mb->uidvalidity, list[i].uid) < 0) {
			count = fb_error_set(err, "out of memory");
			break;
		}
		msg.id = id.data;
		msg.uidvalidity = mb->uidvalidity;
		msg.uid = list[i].uid;
		msg.data = list[i].data;
		msg.len = list[i].len;
		msg.size = list[i].size > list[i].len ? list[i].size : list[i].len;
		msg.chunk_end = i + 1 == last_ok;
		if (cb(ctx, &msg) != MAIL_OK) {
			fb_error_set(err, "fetching stopped by the caller at UID %" PRIu32, list[i].uid);
			count = -2;     /* stopped, not failed */
			break;
		}
		pos->uid = list[i].uid;
		count++;
	}
	free(list);
	buf_release(&id);
	return count;
}

/*
 * Fetch new messages in ranges of mb->batch UIDs, one range ahead: while the callback stores
 * range k (in this thread), a helper thread already fetches range k+1 over the session, so
 * the server's pace and ours overlap instead of adding up. The helper thread is the only
 * user of the session while it runs: mark_done() meanwhile only notes UIDs (mb->fetching
 * holds its flush back) and logging stays in this thread. At most two ranges are in memory.
 */
static int
fetch_ranges(struct mailbox *mb, struct mailbox_position *pos, mailbox_msg_cb cb, void *ctx,
    struct fb_error *err)
{
	struct mailbox_position dummy = { 0, 0, 0 };
	struct range_fetch rf[2];   /* the range being delivered, and the next one in flight */
	uint32_t start, last;
	int total = 0, more;

	if (pos == NULL)
		pos = &dummy;
	if (mb->broken)
		return fb_error_set(err, "IMAP %s: connection lost; reconnect", mb->peer);
	flush_marks_before(mb);
	if (select_folder(mb, err) < 0)
		return -1;
	pos->uidvalidity_changed = pos->uidvalidity != 0 && pos->uidvalidity != mb->uidvalidity;
	if (pos->uidvalidity != mb->uidvalidity)
		pos->uid = 0;
	pos->uidvalidity = mb->uidvalidity;
	if (mb->uidnext == 0)
		return fb_error_set(err, "IMAP %s: the server gave no UIDNEXT for %s", mb->peer,
		    mb->folder);
	if (pos->uid == UINT32_MAX)
		return 0;
	start = pos->uid + 1;
	last = mb->uidnext - 1;
	if (start > last || start == 0)
		return 0;
	memset(rf, 0, sizeof(rf));
	mb->fetching = 1;
	range_start(&rf[0], mb, start, last - start < mb->batch - 1 ? last : start + mb->batch - 1, 0);
	for (int k = 0;; k ^= 1) {
		struct range_fetch *cur = &rf[k], *next = &rf[k ^ 1];
		int n;

		if (range_finish(cur, err) < 0) {
			total = -1;
			break;
		}
		more = cur->hi < last;
		if (more && mb->broken) {
			range_release(cur);
			total = fb_error_set(err, "IMAP %s: connection lost; reconnect", mb->peer);
			break;
		}
		/* The marks of the chunks committed so far go with the next fetch, in its thread:
		 * the server flags (or moves) them while this thread stores the current chunk. */
		if (more)
			range_start(next, mb, cur->hi + 1,
			    last - (cur->hi + 1) < mb->batch - 1 ? last : cur->hi + mb->batch, 1);
		n = range_deliver(mb, cur, pos, cb, ctx, err);
		range_release(cur);
		if (n < 0) {
			if (more) {
				struct fb_error ignored;

				if (range_finish(next, &ignored) == 0)
					range_release(next);
			}
			total = n;      /* -1 failed, -2 stopped by cb */
			break;
		}
		total += n;
		if (!more)
			break;
	}
	mb->fetching = 0;
	return total;
}

/* fetch_ranges() says -2 when the callback stopped it, -1 when the server or the session
 * failed (the session is then closed: MAILBOX_BAD), else how many it handed over. */
static enum mail_result
imap_fetch_new(struct mailbox *mb, struct mailbox_position *pos, mailbox_msg_cb cb, void *ctx,
    size_t *count, struct fb_error *err)
{
	int n = fetch_ranges(mb, pos, cb, ctx, err);

	if (count != NULL)
		*count = n > 0 ? (size_t)n : 0;
	return n == -2 ? MAIL_STOPPED : n < 0 ? MAIL_MAILBOX_BAD : MAIL_OK;
}

static int
parse_id(const char *id, uint32_t *v, uint32_t *u)
{
	unsigned long long a, b;
	char *end;

	if (id == NULL)
		return -1;
	errno = 0;
	a = strtoull(id, &end, 10);
	if (end == id || *end != ':' || a == 0 || a > UINT32_MAX)
		return -1;
	id = end + 1;
	b = strtoull(id, &end, 10);
	if (end == id || *end != '\0' || b == 0 || b > UINT32_MAX || errno != 0)
		return -1;
	*v = (uint32_t)a;
	*u = (uint32_t)b;
	return 0;
}

/* libetpan's result; MAILIMAP_ERROR_MEMORY when no command went. */
static int
store_flag(mailimap *imap, struct mailimap_set *set, int deleted)
{
	struct mailimap_flag_list *fl = mailimap_flag_list_new_empty();
	struct mailimap_store_att_flags *sf;
	int r;

	if (fl == NULL)
		return MAILIMAP_ERROR_MEMORY;
	mailimap_flag_list_add(fl, mailimap_flag_new_seen());
	if (deleted)
		mailimap_flag_list_add(fl, mailimap_flag_new_deleted());
	sf = mailimap_store_att_flags_new_add_flags_silent(fl);
	if (sf == NULL) {
		mailimap_flag_list_free(fl);
		return MAILIMAP_ERROR_MEMORY;
	}
	r = mailimap_uid_store(imap, set, sf);
	mailimap_store_att_flags_free(sf);
	return r;
}

/* Move or flag the messages of set, as "done" means (see the top of this file): libetpan's
 * result and, when it is not MAILIMAP_NO_ERROR, *what the command that failed. Touches only
 * the session and settings that stay put while a fetch runs, so a fetch's helper thread may
 * call it (range_request()); imap_fail() makes the error, in the calling thread. */
static int
mark_set_raw(struct mailbox *mb, struct mailimap_set *set, const char **what)
{
	int r;

	if (mb->processed_folder == NULL) {
		*what = "UID STORE";
		return store_flag(mb->imap, set, 0);
	}
	if (mb->has_move) {
		*what = "UID MOVE";
		return mailimap_uid_move(mb->imap, set, mb->processed_folder);
	}
	*what = "UID COPY";
	if ((r = mailimap_uid_copy(mb->imap, set, mb->processed_folder)) != MAILIMAP_NO_ERROR)
		return r;
	*what = "UID STORE";
	if ((r = store_flag(mb->imap, set, 1)) != MAILIMAP_NO_ERROR)
		return r;
	/* Without UIDPLUS an EXPUNGE would also remove messages others marked \Deleted: leave
	 * the copy's original flagged instead. */
	*what = "UID EXPUNGE";
	return mb->has_uidplus ? mailimap_uid_expunge(mb->imap, set) : MAILIMAP_NO_ERROR;
}

/* The pending marks as one set (*set, *n UIDs); the pending list is emptied whatever
 * happens. 0 (*set NULL when none are pending), or -1 out of memory. */
static int
marks_take(struct mailbox *mb, struct mailimap_set **set, size_t *n)
{
	struct mailimap_set *s = NULL;

	*set = NULL;
	*n = mb->pending_uids;
	if (mb->npending == 0)
		return 0;
	s = mailimap_set_new_empty();
	for (size_t i = 0; s != NULL && i < mb->npending; i++) {
		if (mailimap_set_add_interval(s, mb->pending[i].lo, mb->pending[i].hi) !=
		    MAILIMAP_NO_ERROR) {
			mailimap_set_free(s);
			s = NULL;
		}
	}
	mb->npending = 0;
	mb->pending_uids = 0;
	*set = s;
	return s != NULL ? 0 : -1;
}

/* Make the error of n marks sent with result r (command what) in err: -1, or 0 when sent. */
static int
marks_error(struct mailbox *mb, int r, const char *what, size_t n, struct fb_error *err)
{
	size_t len;

	if (r == MAILIMAP_NO_ERROR) {
		/* Moved away: the server's EXPUNGEs for them are ours, not news (exists_changed()). */
		if (mb->processed_folder != NULL && (mb->has_move || mb->has_uidplus))
			mb->exists_expected = mb->exists_expected > n ?
			    mb->exists_expected - (uint32_t)n : 0;
		return 0;
	}
	if (r == MAILIMAP_ERROR_MEMORY)
		fb_error_set(err, "out of memory");
	else
		imap_fail(mb, r, what, err);
	len = strlen(err->msg);
	snprintf(err->msg + len, sizeof(err->msg) - len, " (marking %zu message%s)", n,
	    n == 1 ? "" : "s");
	return -1;
}

/* After marks went with a fetch (range_finish()), in the calling thread: a failure is only
 * the marks' (logged), or the session's, which the fetch reports too. */
static void
marks_sent(struct mailbox *mb, int r, const char *what, size_t n)
{
	struct fb_error err;

	if (marks_error(mb, r, what, n, &err) < 0)
		log_warnx("%s (those messages will not be read again: the position skips them)",
		    err.msg);
}

/* Send the pending marks as one set; the pending list is emptied whatever happens. */
static int
flush_marks(struct mailbox *mb, struct fb_error *err)
{
	struct mailimap_set *set;
	const char *what = "UID STORE";
	size_t n;
	int rc;

	if (mb->npending == 0)
		return 0;
	if (marks_take(mb, &set, &n) < 0)
		return fb_error_set(err, "out of memory (marking %zu messages)", n);
	if (mb->broken)
		rc = fb_error_set(err, "IMAP %s: connection lost; reconnect (marking %zu message%s)",
		    mb->peer, n, n == 1 ? "" : "s");
	else
		rc = marks_error(mb, mark_set_raw(mb, set, &what), what, n, err);
	mailimap_set_free(set);
	return rc;
}

/* Before a command that needs the marks done (or a wait that may last long): send them. A
 * failure is only the marks' (logged; the position skips those messages anyway), unless the
 * connection broke, which the caller's own command will then report. */
static void
flush_marks_before(struct mailbox *mb)
{
	struct fb_error err;

	if (mb->npending > 0 && flush_marks(mb, &err) < 0)
		log_warnx("%s (those messages will not be read again: the position skips them)",
		    err.msg);
}

static enum mail_result
imap_mark_done(struct mailbox *mb, const char *id, struct fb_error *err)
{
	uint32_t v, u;
	struct uid_range *last;

	if (parse_id(id, &v, &u) < 0) {
		fb_error_set(err, "bad IMAP message id \"%s\" (want UIDVALIDITY:UID)", id ? id : "(null)");
		return MAIL_MESSAGE_BAD;
	}
	if (mb->broken) {
		fb_error_set(err, "IMAP %s: connection lost; reconnect", mb->peer);
		return MAIL_MAILBOX_BAD;
	}
	if (v != mb->uidvalidity) {
		fb_error_set(err, "IMAP %s: message %s belongs to UIDVALIDITY %" PRIu32 ", the folder "
		    "now has %" PRIu32 ": not marked", mb->peer, id, v, mb->uidvalidity);
		return MAIL_MESSAGE_BAD;
	}
	last = mb->npending > 0 ? &mb->pending[mb->npending - 1] : NULL;
	if (last != NULL && last->hi != UINT32_MAX && u == last->hi + 1) {
		last->hi = u;
	} else {
		if (mb->npending == mb->cappending) {
			size_t cap = mb->cappending ? mb->cappending * 2 : 16;
			struct uid_range *p = realloc(mb->pending, cap * sizeof(*p));

			if (p == NULL) {
				fb_error_set(err, "out of memory");
				return MAIL_TEMPORARY;
			}
			mb->pending = p;
			mb->cappending = cap;
		}
		mb->pending[mb->npending].lo = mb->pending[mb->npending].hi = u;
		mb->npending++;
	}
	mb->pending_uids++;
	if (!mb->fetching &&
	    (mb->pending_uids >= MARK_FLUSH_UIDS || mb->npending >= MARK_FLUSH_RANGES) &&
	    flush_marks(mb, err) < 0)
		return MAIL_MAILBOX_BAD;
	return MAIL_OK;
}

/* Flag set \Deleted and expunge it (see remove in include/mailbox.h). */
static int
delete_set(struct mailbox *mb, struct mailimap_set *set, struct fb_error *err)
{
	int r = store_flag(mb->imap, set, 1);

	if (r == MAILIMAP_ERROR_MEMORY)
		return fb_error_set(err, "out of memory");
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(mb, r, "UID STORE", err);
	/* Without UIDPLUS only a plain EXPUNGE removes it; it also takes what others flagged
	 * \Deleted in this folder. An erase must not leave the member's mail behind, so it goes. */
	r = mb->has_uidplus ? mailimap_uid_expunge(mb->imap, set) : mailimap_expunge(mb->imap);
	return r == MAILIMAP_NO_ERROR ? 0 : imap_fail(mb, r, "EXPUNGE", err);
}

/* In folder: remove the messages with Message-ID mid (or UID uid when mid is NULL and uid is
 * not 0). The number removed, or -1 with err. */
static int
remove_in(struct mailbox *mb, const char *folder, const char *mid, uint32_t v, uint32_t uid,
    struct fb_error *err)
{
	struct mailimap_set *set = NULL;
	clist *found = NULL;
	int r, n = 0, rc;

	r = mailimap_select(mb->imap, folder);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(mb, r, "SELECT", err);
	set = mailimap_set_new_empty();
	if (set == NULL)
		return fb_error_set(err, "out of memory");
	if (mid != NULL && *mid != '\0') {
		struct buf want = BUF_INIT;
		struct mailimap_search_key *key;

		/* Angle brackets keep a Message-ID from matching inside a longer one (SEARCH
		 * HEADER matches substrings). */
		if (buf_addf(&want, mid[0] == '<' ? "%s" : "<%s>", mid) < 0) {
			mailimap_set_free(set);
			return fb_error_set(err, "out of memory");
		}
		key = mailimap_search_key_new_header(strdup("Message-ID"), buf_detach(&want, NULL));
		if (key == NULL) {
			mailimap_set_free(set);
			return fb_error_set(err, "out of memory");
		}
		r = mailimap_uid_search(mb->imap, NULL, key, &found);
		mailimap_search_key_free(key);
		if (r != MAILIMAP_NO_ERROR) {
			mailimap_set_free(set);
			return imap_fail(mb, r, "UID SEARCH", err);
		}
		for (clistiter *it = clist_begin(found); it != NULL; it = clist_next(it)) {
			uint32_t *u = clist_content(it);

			if (u != NULL && mailimap_set_add_single(set, *u) == MAILIMAP_NO_ERROR)
				n++;
		}
		mailimap_search_result_free(found);
	} else if (uid != 0 && mb->imap->imap_selection_info != NULL &&
	    mb->imap->imap_selection_info->sel_uidvalidity == v) {
		if (mailimap_set_add_single(set, uid) == MAILIMAP_NO_ERROR)
			n++;
	}
	rc = n > 0 ? delete_set(mb, set, err) : 0;
	mailimap_set_free(set);
	return rc < 0 ? -1 : n;
}

static enum mail_result
imap_remove(struct mailbox *mb, const char *id, const char *message_id, int *found,
    struct fb_error *err)
{
	uint32_t v = 0, u = 0;
	int n = 0, r = 0;

	*found = 0;
	if (mb->broken) {
		fb_error_set(err, "IMAP %s: connection lost; reconnect", mb->peer);
		return MAIL_MAILBOX_BAD;
	}
	flush_marks_before(mb);
	if (parse_id(id, &v, &u) < 0)
		v = u = 0;
	if (mb->processed_folder != NULL &&
	    (r = remove_in(mb, mb->processed_folder, message_id, 0, 0, err)) > 0)
		n += r;
	if (r >= 0 && (r = remove_in(mb, mb->folder, message_id, v, u, err)) > 0)
		n += r;
	/* Leave the folder selected, as fetch_new() and wait() expect. */
	if (r >= 0 && select_folder(mb, err) < 0)
		r = -1;
	if (r < 0)
		return MAIL_MAILBOX_BAD;
	*found = n > 0;
	return MAIL_OK;
}

static int
wait_for_mail(struct mailbox *mb, int timeout_ms, volatile sig_atomic_t *stop, struct fb_error *err)
{
	int r, ready = 0, fd;

	if (mb->broken)
		return fb_error_set(err, "IMAP %s: connection lost; reconnect", mb->peer);
	flush_marks_before(mb);
	if (mb->broken)
		return fb_error_set(err, "IMAP %s: connection lost; reconnect", mb->peer);
	if (exists_changed(mb))
		return 1;
	if (!mb->has_idle || !mb->use_idle) {
		while (timeout_ms > 0 && (stop == NULL || !*stop)) {
			int step = timeout_ms < 100 ? timeout_ms : 100;
			struct timespec ts = { 0, (long)step * 1000000L };

			nanosleep(&ts, NULL);
			timeout_ms -= step;
		}
		r = mailimap_noop(mb->imap);
		if (r != MAILIMAP_NO_ERROR)
			return imap_fail(mb, r, "NOOP", err);
		return (stop != NULL && *stop) ? 0 : 1;
	}
	r = mailimap_idle(mb->imap);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(mb, r, "IDLE", err);
	fd = mailimap_idle_get_fd(mb->imap);
	while (timeout_ms > 0 && (stop == NULL || !*stop)) {
		int step = timeout_ms < 100 ? timeout_ms : 100;
		struct pollfd p = { .fd = fd, .events = POLLIN };

		/* Bytes already buffered by libetpan or GnuTLS do not show on the fd. */
		if (mb->imap->imap_stream->read_buffer_len > 0 || tls_pending(mb->conn) ||
		    poll(&p, 1, step) > 0) {
			ready = 1;
			break;
		}
		timeout_ms -= step;
	}
	r = mailimap_idle_done(mb->imap);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(mb, r, "IDLE", err);
	return ready;
}

/* wait_for_mail(): 1 something may have arrived, 0 timeout or stop, -1 the connection broke. */
static enum mail_result
imap_wait(struct mailbox *mb, int timeout_ms, volatile sig_atomic_t *stop, int *arrived,
    struct fb_error *err)
{
	int r = wait_for_mail(mb, timeout_ms, stop, err);

	if (arrived != NULL)
		*arrived = r > 0;
	if (r < 0)
		return MAIL_MAILBOX_BAD;
	return r == 0 && stop != NULL && *stop ? MAIL_STOPPED : MAIL_OK;
}

/* The mailbox's name: its URL and folder, "imaps://host:993/INBOX". */
static int
imap_name_of(const struct mailbox_settings *s, struct buf *out)
{
	return buf_addf(out, "%s/%s", s->url, s->folder != NULL ? s->folder : "INBOX");
}

const struct mailbox_driver mailbox_imap_driver = {
	.name = "imap",
	.kind = MAILBOX_IMAP,
	.flags = MAILBOX_CHUNKS,
	.name_of = imap_name_of,
	.open = imap_open,
	.fetch_new = imap_fetch_new,
	.mark_done = imap_mark_done,
	.remove = imap_remove,
	.wait = imap_wait,
	.close = imap_close,
};
