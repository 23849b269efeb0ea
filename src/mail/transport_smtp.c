/*
 * transport_smtp — the "smtp" transport driver (include/transport.h) on libesmtp.
 *
 * One send() is one SMTP session: every message is queued with smtp_add_message(), then one
 * smtp_start_session() sends them all (libesmtp pipelines when the server offers it). libesmtp
 * reports success in cases that are failures to us, so the outcome is never read from its
 * return value alone (LIBRARY-NOTES.md):
 *   - STARTTLS required but not offered: the session "succeeds" having sent nothing. We watch
 *     the event callback (SMTP_EV_EXTNA_STARTTLS, SMTP_EV_STARTTLS_OK) and smtp_errno().
 *   - AUTH is skipped silently when no mechanism fits, and after a refused AUTH libesmtp goes
 *     on to MAIL FROM. We enable the plain-text mechanisms (PLAIN, LOGIN) and read the replies
 *     through the monitor callback: when a user is set and the last EHLO offers no PLAIN/LOGIN,
 *     or AUTH is answered with 4xx/5xx, we shut the socket down under libesmtp before it can
 *     send MAIL FROM (every message: TEMPFAIL, with the reason). AUTH counts as done only on a
 *     235 reply; a message accepted without it anyway (should the abort ever come too late) is
 *     OK, because it is gone, with a warning in its detail.
 *   - Each message's status is read from smtp_message_transfer_status(), the reverse path's and
 *     every recipient's status: 2xx OK, 4xx (or nothing, code 0) TEMPFAIL, 5xx PERMFAIL.
 * TLS: our own SSL_CTX with SSL_VERIFY_PEER, the CA file or the system store, and the host
 * name (or IP address) of the URL checked by OpenSSL during the handshake; libesmtp's
 * certificate events are refused too unless verify is off. smtps:// (implicit TLS) is refused:
 * libesmtp 1.1 can only do STARTTLS.
 */
#define _GNU_SOURCE  /* RTLD_NEXT */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <auth-client.h>
#include <libesmtp.h>

#include "buf.h"
#include "log.h"
#include "mailurl.h"
#include "oauth.h"
#include "sasl-oauth.h"
#include "saslauth.h"
#include "transport.h"
#include "banned.h"

/*
 * Nagle. libesmtp sends message data through a 2 KB buffer: a message larger than that goes
 * out as several writes, the last one small. With Nagle's algorithm on, the kernel holds that
 * small last piece until the server ACKs the previous one, and the server delays its ACK
 * (it has nothing to answer before the final "."): ~40 ms lost per message. libesmtp has no
 * option or socket hook for TCP_NODELAY, and it is a SHARED library, so the linker's
 * --wrap=connect (which only rewrites references inside the objects being linked) does not
 * reach its calls. What does reach them is ordinary symbol interposition: a program that
 * defines connect() exports it, and the dynamic linker binds libesmtp's connect() to the
 * program's definition before libc's. Ours sets TCP_NODELAY on TCP sockets and forwards to the
 * next definition (libc's, or a sanitizer's) found with dlsym(RTLD_NEXT). It lives in this file
 * so that every program that links the SMTP driver gets it, and nothing else does.
 * Measured (one session, smtp-sink on loopback): 3 KB messages 22.5/s without it, ~2,700/s
 * with it (tests/bench/bench_smtp.py); 20 KB messages 21.5/s without it, 21.5/s with
 * --wrap=connect (no effect, as explained), 487/s with it. Messages under 2 KB go out in one
 * write each and never stall.
 */
/* The socket of this thread's current SMTP session, recorded by connect() below so that the
 * monitor callback can end a session that must not go on (AUTH skipped or refused). */
static _Thread_local int session_fd = -1;

/* Several sessions may connect at once (mailflow runs one per thread): look the next
 * connect() up exactly once. */
typedef int (*connect_fn)(int, const struct sockaddr *, socklen_t);
static connect_fn next_connect;
static pthread_once_t next_connect_once = PTHREAD_ONCE_INIT;

static void
find_next_connect(void)
{
	void *sym = dlsym(RTLD_NEXT, "connect");

	if (sym != NULL)
		memcpy(&next_connect, &sym, sizeof(next_connect));
}

int
connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	int type = 0, one = 1;
	socklen_t tl = sizeof(type);

	pthread_once(&next_connect_once, find_next_connect);
	if (next_connect == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (addr != NULL && (addr->sa_family == AF_INET || addr->sa_family == AF_INET6) &&
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 && type == SOCK_STREAM) {
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		session_fd = fd;
	}
	return next_connect(fd, addr, len);
}

struct transport {
	struct mailurl url;
	char *hostport;
	char *helo;
	char *username;
	char *password;
	char *ca_file;
	int starttls_required;
	int verify;
	int timeout;
	SSL_CTX *ssl;
	struct oauth *oauth;    /* borrowed; NULL: password AUTH */
	enum oauth_mech mech;
};

/* What one session went through, collected by the callbacks. */
struct session_state {
	struct transport *t;
	int starttls_missing;   /* required, not offered */
	int tls_ok;
	int cert_refused;
	int auth_sent;
	int auth_ok;
	int expect_ehlo;        /* a 220 was read: the next 250 reply answers EHLO */
	int in_ehlo;            /* reading the lines of an EHLO reply */
	int ehlo_starttls;      /* ... which offer STARTTLS */
	int ehlo_auth;          /* ... which offer AUTH PLAIN or LOGIN */
	int auth_pending;       /* AUTH comes next: its final reply decides */
	int aborted;            /* we ended the session on purpose */
	int greeted;            /* the server's 220 greeting came */
	int probe;              /* check(): end the session where MAIL FROM would go */
	int probe_done;         /* ... and it got there */
	int token_refused;      /* the server refused our OAuth token (retry once) */
	char auth_mech[32];     /* the mechanism of the AUTH command in flight */
	char port[8];           /* the server's port, for OAUTHBEARER */
	struct buf token;       /* OAuth: the access token of this session (wiped after) */
	struct buf auth_caps;   /* the last EHLO's AUTH mechanisms, upper case */
	struct buf challenge;   /* OAuth: the server's error challenge, decoded and made printable */
	struct buf auth_reply;  /* the server's answer to a failed AUTH */
	struct buf problem;     /* first session-level problem, for the details */
};

static const char *
mech_name(enum oauth_mech m)
{
	return m == OAUTH_OAUTHBEARER ? "OAUTHBEARER" : "XOAUTH2";
}

/* One queued message: libesmtp's handle, its recipients, the data with CRLF line ends (made
 * when libesmtp first asks for it, given back once the server has answered it). */
struct queued {
	smtp_message_t m;
	smtp_recipient_t *rcpt;
	struct buf crlf;
	struct transport_msg *msg;
	struct session_state *st;
	int ready;              /* crlf holds the data */
};

static int to_crlf(struct buf *out, const char *data, size_t len);
static void abort_session(struct session_state *st);
static void problem(struct session_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void judge(struct transport_msg *msg, struct queued *q, struct session_state *st);

/* The verify error of the last handshake in this thread, for the detail. */
static _Thread_local char verify_error[256];

static int
verify_cb(int ok, X509_STORE_CTX *store)
{
	if (!ok)
		snprintf(verify_error, sizeof(verify_error), "%s (depth %d)",
		    X509_verify_cert_error_string(X509_STORE_CTX_get_error(store)),
		    X509_STORE_CTX_get_error_depth(store));
	return ok;
}

static void
outbox_smtp_close(struct transport *t)
{
	if (t == NULL)
		return;
	if (t->ssl != NULL)
		SSL_CTX_free(t->ssl);
	free(t->hostport);
	free(t->helo);
	free(t->username);
	if (t->password != NULL) {
		explicit_bzero(t->password, strlen(t->password));
		free(t->password);
	}
	free(t->ca_file);
	free(t);
}

static char *
dup_or_null(const char *s, int *oom)
{
	char *d;

	if (s == NULL || *s == '\0')
		return NULL;
	d = strdup(s);
	if (d == NULL)
		*oom = 1;
	return d;
}

/*
 * The trust store, loaded once per process while its file is unchanged. Parsing the system's
 * CA bundle (~140 certificates) cost tens of milliseconds per SSL_CTX, paid by every open():
 * every sending pass and each of its parallel sessions, also with STARTTLS merely opportunistic
 * (perf on tests/bench/bench_smtp.py: 13% of the sending pass, 8 sessions). An X509_STORE can
 * be shared by many SSL_CTXs and threads (OpenSSL locks it). The cache is keyed by the file's
 * path, inode, size and mtime, so a reload after the CA file changed reads it again; when the
 * file cannot be stat()ed nothing is cached. The hashed directory of the system store is read
 * at verification time anyway. The cached reference lives until the process ends.
 */
static pthread_mutex_t trust_lock = PTHREAD_MUTEX_INITIALIZER;
static X509_STORE *trust_cached;
static char trust_key[PATH_MAX + 128];

/* A reference to the store for ca_file (NULL: the system's); NULL when it cannot be loaded.
 * The lock is held while loading, so that parallel sessions opening at once load it once. */
static X509_STORE *
trust_store(const char *ca_file)
{
	const char *env = getenv(X509_get_default_cert_file_env());
	const char *path = ca_file != NULL ? ca_file : env != NULL && *env ? env :
	    X509_get_default_cert_file();
	char key[sizeof(trust_key)];
	X509_STORE *s = NULL;
	struct stat st;

	key[0] = '\0';
	if (stat(path, &st) == 0)
		snprintf(key, sizeof(key), "%s %s %llu %lld %lld.%09ld", ca_file != NULL ? "file" :
		    "system", path, (unsigned long long)st.st_ino, (long long)st.st_size,
		    (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	pthread_mutex_lock(&trust_lock);
	if (key[0] != '\0' && trust_cached != NULL && strcmp(key, trust_key) == 0 &&
	    X509_STORE_up_ref(trust_cached) == 1) {
		s = trust_cached;
		goto out;
	}
	if ((s = X509_STORE_new()) == NULL)
		goto out;
	if ((ca_file != NULL ? X509_STORE_load_file(s, ca_file) : X509_STORE_set_default_paths(s)) != 1) {
		X509_STORE_free(s);
		s = NULL;
		goto out;
	}
	if (key[0] != '\0' && X509_STORE_up_ref(s) == 1) {
		X509_STORE_free(trust_cached);
		trust_cached = s;
		snprintf(trust_key, sizeof(trust_key), "%s", key);
	}
out:
	pthread_mutex_unlock(&trust_lock);
	return s;
}

static int
make_ssl_ctx(struct transport *t, struct fb_error *err)
{
	X509_STORE *store;
	X509_VERIFY_PARAM *param;

	t->ssl = SSL_CTX_new(TLS_client_method());
	if (t->ssl == NULL)
		return fb_error_set(err, "cannot create a TLS context");
	SSL_CTX_set_min_proto_version(t->ssl, TLS1_2_VERSION);
	/* TLS 1.2 at most: libesmtp 1.1 reads a non-blocking socket, and TLS 1.3 servers send
	 * session tickets after the handshake; an SSL_read() that consumes only such a record
	 * returns no data, which libesmtp takes for a dropped connection (or waits on until its
	 * timeout). Measured against aiosmtpd with STARTTLS: 4 of 30 sessions failed with TLS 1.3
	 * (SSL_OP_NO_TICKET did not help), 0 of 40 with TLS 1.2. */
	SSL_CTX_set_max_proto_version(t->ssl, TLS1_2_VERSION);
	if (!t->verify) {
		SSL_CTX_set_verify(t->ssl, SSL_VERIFY_NONE, NULL);
		return 0;
	}
	SSL_CTX_set_verify(t->ssl, SSL_VERIFY_PEER, verify_cb);
	if ((store = trust_store(t->ca_file)) == NULL) {
		if (t->ca_file != NULL)
			return fb_error_set(err, "cannot load CA file %s (want PEM certificates)", t->ca_file);
		return fb_error_set(err, "cannot load the system's trusted certificates");
	}
	SSL_CTX_set_cert_store(t->ssl, store);  /* takes our reference */
	/* The host name check: OpenSSL compares the URL's host with the certificate's names (or
	 * IP addresses) during the handshake, so a valid certificate for another host fails. */
	param = SSL_CTX_get0_param(t->ssl);
	X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (X509_VERIFY_PARAM_set1_ip_asc(param, t->url.host) != 1 &&
	    X509_VERIFY_PARAM_set1_host(param, t->url.host, 0) != 1)
		return fb_error_set(err, "cannot set the TLS host name %s", t->url.host);
	return 0;
}

/* libesmtp's SASL client is initialised once per process, whichever thread opens first. */
static pthread_once_t auth_once = PTHREAD_ONCE_INIT;

static struct transport *
outbox_smtp_open(const struct transport_settings *s, struct fb_error *err)
{
	struct transport *t;
	struct buf hp = BUF_INIT;
	int oom = 0;

	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		fb_error_set(err, "out of memory");
		return NULL;
	}
	if (mailurl_parse(s->url, "smtp", 25, 465, &t->url, err) < 0)
		goto fail;
	if (t->url.tls) {
		/* libesmtp 1.1 starts TLS only after STARTTLS (RFC 3207): its API has no implicit
		 * TLS and no hook to give it a TLS socket (see the README on 465 and 587). */
		fb_error_set(err, "%s: implicit TLS (smtps://, port 465) is not possible with "
		    "libesmtp, which does TLS only by STARTTLS; use smtp://%s%s%s:587 with starttls = "
		    "required", s->url, strchr(t->url.host, ':') ? "[" : "", t->url.host,
		    strchr(t->url.host, ':') ? "]" : "");
		goto fail;
	}
	if (strchr(t->url.host, ':') != NULL)
		buf_putf(&hp, "[%s]:%u", t->url.host, t->url.port);
	else
		buf_putf(&hp, "%s:%u", t->url.host, t->url.port);
	t->hostport = buf_failed(&hp) ? NULL : buf_detach(&hp, NULL);
	buf_release(&hp);
	t->helo = dup_or_null(s->helo, &oom);
	t->username = dup_or_null(s->username, &oom);
	t->password = dup_or_null(s->password, &oom);
	t->ca_file = dup_or_null(s->ca_file, &oom);
	if (t->hostport == NULL || oom) {
		fb_error_set(err, "out of memory");
		goto fail;
	}
	t->starttls_required = s->starttls_required;
	t->verify = s->verify;
	t->timeout = s->timeout > 0 ? s->timeout : 60;
	t->oauth = s->oauth;
	t->mech = s->mech == OAUTH_OAUTHBEARER ? OAUTH_OAUTHBEARER : OAUTH_XOAUTH2;
	if (t->oauth != NULL && t->username == NULL) {
		fb_error_set(err, "SMTP with auth = oauth2 needs the user (the mailbox the token is "
		    "for)");
		goto fail;
	}
	if (t->username != NULL && t->password == NULL && t->oauth == NULL) {
		fb_error_set(err, "SMTP user %s has no password (set password_file)", t->username);
		goto fail;
	}
	if (make_ssl_ctx(t, err) < 0)
		goto fail;
	if (!t->verify)
		log_warnx("smtp %s: TLS certificate verification is OFF (verify = no): anyone on the "
		    "path can read and change the mail", t->hostport);
	pthread_once(&auth_once, auth_client_init);
	return t;
fail:
	outbox_smtp_close(t);
	return NULL;
}

/* The message's data with CRLF line ends into q->crlf, loaded (msg->load) only now and its
 * source given back at once (msg->unload). 0, or -1 after ending the session: libesmtp must
 * not be handed a short message it would complete with "." (the server would take it). */
static int
prepare_data(struct queued *q)
{
	struct transport_msg *m = q->msg;
	int rc;

	if (q->ready)
		return 0;
	if (m->load != NULL && m->load(m, m->load_arg) < 0) {
		problem(q->st, "the message could not be read to send it: the session was ended");
		abort_session(q->st);
		return -1;
	}
	buf_reset(&q->crlf);
	rc = to_crlf(&q->crlf, m->data, m->len) < 0 || q->crlf.len > INT_MAX ? -1 : 0;
	if (m->unload != NULL)
		m->unload(m, m->load_arg);
	if (rc < 0) {
		problem(q->st, "out of memory for a message (or larger than 2 GB): the session was "
		    "ended");
		abort_session(q->st);
		return -1;
	}
	q->ready = 1;
	return 0;
}

/* The server has answered the message's data (or the session is over): its memory goes. */
static void
drop_data(struct queued *q)
{
	buf_release(&q->crlf);
	q->ready = 0;
}

/* libesmtp reads the message through this; *ctx is freed by libesmtp, hence malloc. The data
 * is handed over in one piece, already with CRLF line ends. */
static const char *
message_cb(void **ctx, int *len, void *arg)
{
	struct queued *q = arg;
	int *sent;

	if (*ctx == NULL && (*ctx = malloc(sizeof(int))) == NULL)
		return NULL;
	sent = *ctx;
	if (len == NULL) {  /* rewind */
		*sent = 0;
		return NULL;
	}
	if (*sent || prepare_data(q) < 0) {
		*len = 0;
		return NULL;
	}
	*sent = 1;
	*len = (int)q->crlf.len;
	return q->crlf.data;
}

/* Add a session-level problem to the details every message gets. */
static void
problem(struct session_state *st, const char *fmt, ...)
{
	va_list ap;

	if (st->problem.len > 0)
		buf_puts(&st->problem, "; ");
	va_start(ap, fmt);
	buf_vputf(&st->problem, fmt, ap);
	va_end(ap);
}

static void
event_cb(smtp_session_t session, int event, void *arg, ...)
{
	struct session_state *st = arg;
	va_list ap;
	int *ok;

	va_start(ap, arg);
	switch (event) {
	case SMTP_EV_MESSAGESENT: {
		/* The server answered this message's data: tell the caller now if it took it. */
		struct queued *q = smtp_message_get_application_data(va_arg(ap, smtp_message_t));

		if (q != NULL)
			drop_data(q);
		if (q != NULL && q->msg->on_accepted != NULL) {
			judge(q->msg, q, st);
			if (q->msg->status == MAIL_OK)
				q->msg->on_accepted(q->msg, q->msg->on_accepted_arg);
		}
		break;
	}
	case SMTP_EV_EXTNA_STARTTLS:
		st->starttls_missing = 1;
		problem(st, "%s does not offer STARTTLS, which is required (starttls = required): "
		    "nothing was sent", st->t->hostport);
		break;
	case SMTP_EV_STARTTLS_OK:
		st->tls_ok = 1;
		break;
	case SMTP_EV_INVALID_PEER_CERTIFICATE:
		(void)va_arg(ap, long);
		ok = va_arg(ap, int *);
		*ok = !st->t->verify;
		if (st->t->verify) {
			st->cert_refused = 1;
			problem(st, "certificate of %s not trusted: %s; set ca_file", st->t->hostport,
			    verify_error[0] ? verify_error : "verification failed");
		}
		break;
	case SMTP_EV_NO_PEER_CERTIFICATE:
	case SMTP_EV_WRONG_PEER_CERTIFICATE:
		ok = va_arg(ap, int *);
		*ok = !st->t->verify;
		if (st->t->verify) {
			st->cert_refused = 1;
			problem(st, "certificate of %s %s", st->t->hostport, event == SMTP_EV_NO_PEER_CERTIFICATE ?
			    "missing" : "is for another host name");
		}
		break;
	case SMTP_EV_WEAK_CIPHER:
		(void)va_arg(ap, int);
		ok = va_arg(ap, int *);
		*ok = 1;  /* the SSL_CTX's minimum protocol version already rules out the weak ones */
		break;
	default:
		break;
	}
	va_end(ap);
}

/* End the session before MAIL FROM: libesmtp has no way to stop, but a socket shut down under
 * it makes its next write fail, and every message comes back "not attempted" (TEMPFAIL). */
static void
abort_session(struct session_state *st)
{
	if (session_fd >= 0 && !st->aborted)
		shutdown(session_fd, SHUT_RDWR);
	st->aborted = 1;
}

/* An EHLO reply has ended: with a username, AUTH must come next, or the session must end
 * (libesmtp would otherwise skip AUTH silently and send the mail unauthenticated). */
static void
ehlo_done(struct session_state *st)
{
	if (st->t->username == NULL || st->auth_ok)
		return;
	if (!st->tls_ok && (st->ehlo_starttls || st->t->starttls_required))
		return;  /* STARTTLS and a new EHLO come next, or libesmtp quits for want of TLS */
	if (st->ehlo_auth) {
		st->auth_pending = 1;
		return;
	}
	if (st->t->oauth != NULL)
		problem(st, "%s does not offer AUTH %s (it offers:%s): session ended before sending",
		    st->t->hostport, mech_name(st->t->mech),
		    st->auth_caps.len > 0 ? st->auth_caps.data : " no AUTH at all");
	else
		problem(st, "%s offers no AUTH PLAIN or LOGIN, and a user is set: session ended "
		    "before sending", st->t->hostport);
	abort_session(st);
}

/* Whether the space-separated list (starting with a space) holds word. */
static int
has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = strstr(list, word); p != NULL; p = strstr(p + 1, word))
		if (p > list && p[-1] == ' ' && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

/* One EHLO capability line ("250-AUTH LOGIN PLAIN", "250 STARTTLS"). */
static void
ehlo_line(struct session_state *st, const char *line, int len)
{
	struct buf cap = BUF_INIT;

	if (len <= 4 || buf_add(&cap, line + 4, (size_t)len - 4) < 0)
		return;
	buf_rtrim(&cap);
	for (char *c = cap.data; *c; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
	if (strcmp(cap.data, "STARTTLS") == 0) {
		st->ehlo_starttls = 1;
	} else if (strncmp(cap.data, "AUTH ", 5) == 0 || strncmp(cap.data, "AUTH=", 5) == 0) {
		buf_reset(&st->auth_caps);
		buf_putf(&st->auth_caps, " %s", cap.data + 5);
		if (st->t->oauth != NULL)
			st->ehlo_auth = has_word(st->auth_caps.data, mech_name(st->t->mech));
		else
			st->ehlo_auth = has_word(st->auth_caps.data, "PLAIN") ||
			    has_word(st->auth_caps.data, "LOGIN");
	}
	buf_release(&cap);
}

static void monitor_line(struct session_state *st, const char *line, int len);
static void monitor_command(struct session_state *st, const char *line, int len);

/* The server's replies as they go by: tells whether AUTH really happened, and ends the session
 * when it did not (see ehlo_done()). libesmtp hands over what one read returned, which may be
 * several reply lines (a multi-line EHLO reply in one segment): each is looked at on its own. */
static void
monitor_cb(const char *data, int len, int writing, void *arg)
{
	struct session_state *st = arg;

	if (writing != SMTP_CB_READING && writing != SMTP_CB_WRITING)
		return;
	/* Commands: only until the first MAIL FROM, which is where a check ends or AUTH must
	 * have happened; the message data that follows is not looked at. */
	if (writing == SMTP_CB_WRITING && (st->aborted || st->probe_done ||
	    (st->t->username == NULL && !st->probe)))
		return;
	while (len > 0) {
		const char *nl = memchr(data, '\n', (size_t)len);
		int n = nl != NULL ? (int)(nl - data) + 1 : len;
		int l = n;

		while (l > 0 && (data[l - 1] == '\n' || data[l - 1] == '\r'))
			l--;
		if (writing == SMTP_CB_WRITING)
			monitor_command(st, data, l);
		else
			monitor_line(st, data, l);
		data += n;
		len -= n;
	}
}

/*
 * One command line going out. The monitor sees each buffer just before libesmtp writes it, so
 * shutting the socket down here keeps MAIL FROM from ever reaching the server: when AUTH was
 * required and did not succeed (libesmtp goes on without it when every mechanism failed), and
 * when check() has seen all it came for.
 */
static void
monitor_command(struct session_state *st, const char *line, int len)
{
	size_t i = 0;

	if (len >= 5 && strncasecmp(line, "AUTH ", 5) == 0) {
		for (line += 5, len -= 5; len > 0 && *line != ' ' && i + 1 < sizeof(st->auth_mech);
		    line++, len--)
			st->auth_mech[i++] = (char)(*line >= 'a' && *line <= 'z' ? *line - 'a' + 'A' : *line);
		st->auth_mech[i] = '\0';
		return;
	}
	if (len < 10 || strncasecmp(line, "MAIL FROM:", 10) != 0)
		return;
	if (st->t->username != NULL && !st->auth_ok) {
		/* Offered, yet libesmtp never sent AUTH with it: it found no plugin file. */
		if (st->t->oauth != NULL && st->auth_mech[0] == '\0' && st->ehlo_auth)
			problem(st, "%s offers AUTH %s but libesmtp did not try it: is sasl-%s.so "
			    "installed beside libesmtp's own SASL plugins (make install-esmtp-plugins)?",
			    st->t->hostport, mech_name(st->t->mech),
			    st->t->mech == OAUTH_OAUTHBEARER ? "oauthbearer" : "xoauth2");
		else if (st->auth_reply.len == 0 && !buf_failed(&st->auth_reply))
			problem(st, "%s: no AUTH mechanism worked (offered:%s): session ended before "
			    "sending", st->t->hostport, st->auth_caps.len > 0 ? st->auth_caps.data :
			    " none");
		abort_session(st);
		return;
	}
	if (st->probe) {
		st->probe_done = 1;
		abort_session(st);
	}
}

/* Whether a reply to AUTH with this mechanism is ours to judge: with OAuth only the configured
 * mechanism; with a password any but the token ones. A mechanism we declined (no token or no
 * password given to it) is cancelled by libesmtp with "*", and its 501 means nothing. */
static int
mech_wanted(const struct session_state *st)
{
	if (st->t->oauth != NULL)
		return strcmp(st->auth_mech, mech_name(st->t->mech)) == 0;
	return strcmp(st->auth_mech, "XOAUTH2") != 0 && strcmp(st->auth_mech, "OAUTHBEARER") != 0;
}

/* An OAuth error challenge ("334 <base64 JSON>", RFC 7628 section 3.2.2): kept, decoded and
 * cut to printable ASCII, for the error message (it names the token's status and scope). */
static void
keep_challenge(struct session_state *st, const char *b64, int len)
{
	unsigned char *raw;
	int n;

	buf_reset(&st->challenge);
	while (len > 0 && *b64 == ' ')
		b64++, len--;
	if (len <= 0 || len > 4096 || (raw = malloc((size_t)len)) == NULL)
		return;
	n = EVP_DecodeBlock(raw, (const unsigned char *)b64, len);
	for (int i = 0; i < n && i < 300; i++)
		if (raw[i] >= 0x20 && raw[i] < 0x7f)
			buf_putch(&st->challenge, (char)raw[i]);
	free(raw);
}

/* One reply line, without its line end. */
static void
monitor_line(struct session_state *st, const char *line, int len)
{
	if (len < 3)
		return;
	if (strncmp(line, "220", 3) == 0) {  /* greeting, or go-ahead for STARTTLS */
		st->expect_ehlo = 1;
		st->greeted = 1;
		return;
	}
	if (st->expect_ehlo && strncmp(line, "250", 3) == 0) {
		st->expect_ehlo = 0;
		st->in_ehlo = 1;
		st->ehlo_starttls = st->ehlo_auth = 0;
	}
	if (st->in_ehlo) {
		ehlo_line(st, line, len);
		if (len < 4 || line[3] != '-') {
			st->in_ehlo = 0;
			ehlo_done(st);
		}
		return;
	}
	if (strncmp(line, "334", 3) == 0) {  /* a SASL challenge: AUTH is under way */
		st->auth_sent = 1;
		/* Our plugins send their whole response on the AUTH line: a challenge to the
		 * configured mechanism can only be the error one. */
		if (st->t->oauth != NULL && mech_wanted(st))
			keep_challenge(st, line + 3, len - 3);
		return;
	}
	if (strncmp(line, "235", 3) == 0) {
		st->auth_sent = st->auth_ok = 1;
		st->auth_pending = 0;
		return;
	}
	if (st->auth_pending && (line[0] == '4' || line[0] == '5')) {
		if (!mech_wanted(st))
			return;  /* libesmtp goes on with the server's next mechanism */
		st->auth_sent = 1;
		st->auth_pending = 0;
		if (st->t->oauth != NULL && line[0] == '5')
			st->token_refused = 1;
		buf_reset(&st->auth_reply);
		buf_put(&st->auth_reply, line, (size_t)len);
		buf_rtrim(&st->auth_reply);
		abort_session(st);
	}
}

/*
 * libesmtp's mechanisms ask for what they need here. The OAuth plugins (sasl-oauth.h) ask by
 * field name, and get the token only when they are the configured mechanism; the password
 * mechanisms (PLAIN, LOGIN, CRAM-MD5) get the password only when there is no OAuth. Anything
 * else is declined, and libesmtp tries the server's next mechanism.
 */
static int
interact_cb(auth_client_request_t req, char **result, int fields, void *arg)
{
	struct session_state *st = arg;
	struct transport *t = st->t;
	const char *mine = t->mech == OAUTH_OAUTHBEARER ? SASL_OAUTH_FIELD_TOKEN_OAUTHBEARER :
	    SASL_OAUTH_FIELD_TOKEN_XOAUTH2;

	for (int i = 0; i < fields; i++) {
		const char *name = req[i].name != NULL ? req[i].name : "";

		if (strncmp(name, "oauth-", 6) == 0) {
			if (t->oauth == NULL)
				return 0;
			if (strcmp(name, SASL_OAUTH_FIELD_USER) == 0)
				result[i] = t->username;
			else if (strcmp(name, mine) == 0 && st->token.len > 0)
				result[i] = st->token.data;
			else if (strcmp(name, SASL_OAUTH_FIELD_HOST) == 0)
				result[i] = t->url.host;
			else if (strcmp(name, SASL_OAUTH_FIELD_PORT) == 0)
				result[i] = st->port;
			else
				return 0;
		} else if (t->oauth != NULL) {
			return 0;
		} else if (req[i].flags & AUTH_PASS) {
			result[i] = t->password;
		} else if (req[i].flags & AUTH_USER) {
			result[i] = t->username;
		} else {
			return 0;  /* realm or anything else: we have nothing to give */
		}
	}
	return 1;
}

/* Convert LF line ends to CRLF (leaving existing CRLF alone) and end with CRLF. A line at a
 * time (memchr), not a byte at a time: this runs over every byte the outbox sends. */
static int
to_crlf(struct buf *out, const char *data, size_t len)
{
	size_t i = 0;

	if (buf_grow(out, len + len / 32 + 2) < 0)
		return -1;
	while (i < len) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t end = nl != NULL ? (size_t)(nl - data) : len;

		if (buf_add(out, data + i, end - i) < 0)
			return -1;
		if (nl == NULL)
			break;
		if ((end == 0 || data[end - 1] != '\r') && buf_addch(out, '\r') < 0)
			return -1;
		if (buf_addch(out, '\n') < 0)
			return -1;
		i = end + 1;
	}
	if (out->len < 2 || memcmp(out->data + out->len - 2, "\r\n", 2) != 0)
		return buf_add(out, "\r\n", 2);
	return 0;
}

static void
add_status(struct buf *d, const char *what, const smtp_status_t *s)
{
	if (d->len > 0)
		buf_puts(d, "; ");
	if (s != NULL && s->code != 0) {
		buf_putf(d, "%s%s%d %s", what, *what ? ": " : "", s->code, s->text ? s->text : "");
		buf_rtrim(d);
	} else {
		buf_putf(d, "%s%snot attempted", what, *what ? ": " : "");
	}
}

/* Read libesmtp's statuses of one message into msg->status and msg->detail. */
static void
judge(struct transport_msg *msg, struct queued *q, struct session_state *st)
{
	const smtp_status_t *mail = smtp_reverse_path_status(q->m);
	const smtp_status_t *data = smtp_message_transfer_status(q->m);
	size_t ok = 0, temp = 0, perm = 0;
	int dcls = data != NULL ? data->code / 100 : 0;
	int mcls = mail != NULL ? mail->code / 100 : 0;

	buf_reset(&msg->detail);
	for (size_t r = 0; r < msg->nrcpts; r++) {
		const smtp_status_t *rs = q->rcpt[r] ? smtp_recipient_status(q->rcpt[r]) : NULL;
		int cls = rs != NULL ? rs->code / 100 : 0;

		if (cls == 2) {
			ok++;
			continue;
		}
		if (cls == 5)
			perm++;
		else
			temp++;
		add_status(&msg->detail, msg->rcpts[r], rs);
	}
	if (dcls == 2 && ok > 0) {
		msg->status = MAIL_OK;
		add_status(&msg->detail, "", data);
		if (st->t->username != NULL && !st->auth_ok)
			buf_puts(&msg->detail, "; warning: accepted without AUTH");
		return;
	}
	/* When no recipient was accepted, the server's answer to DATA (503 "need RCPT") is only a
	 * consequence: the recipients' answers decide. */
	if (mcls == 5)
		msg->status = MAIL_MESSAGE_BAD;
	else if (mcls != 2)
		msg->status = MAIL_TEMPORARY;
	else if (ok == 0)
		msg->status = temp == 0 && perm > 0 ? MAIL_MESSAGE_BAD : MAIL_TEMPORARY;
	else
		msg->status = dcls == 5 ? MAIL_MESSAGE_BAD : MAIL_TEMPORARY;
	if (mcls != 2 && mail != NULL && mail->code != 0)
		add_status(&msg->detail, "MAIL FROM", mail);
	else if (ok > 0)
		add_status(&msg->detail, "DATA", data);
	if (buf_failed(&st->problem))
		buf_puts(&msg->detail, "; out of memory describing the session's problems");
	else if (st->problem.len > 0)
		buf_putf(&msg->detail, "; %s", st->problem.data);
}

static void
fail_all(struct transport_msg *msgs, size_t n, const char *why)
{
	for (size_t i = 0; i < n; i++) {
		msgs[i].status = MAIL_TEMPORARY;
		buf_reset(&msgs[i].detail);
		buf_puts(&msgs[i].detail, why);
	}
}

static void
set_timeouts(smtp_session_t s, int seconds)
{
	static const int which[] = { Timeout_GREETING, Timeout_ENVELOPE, Timeout_DATA,
	                             Timeout_TRANSFER, Timeout_DATA2 };

	/* libesmtp counts in milliseconds and enforces RFC 5321's minutes unless overridden. */
	for (size_t i = 0; i < sizeof(which) / sizeof(which[0]); i++)
		smtp_set_timeout(s, which[i] | Timeout_OVERRIDE_RFC2822_MINIMUM, (long)seconds * 1000L);
}

/* check()'s stand-in message: queued so that libesmtp goes as far as MAIL FROM, where the
 * monitor ends the session before the command leaves (libesmtp does nothing without one). It
 * has no data: it can never be sent. */
static const char *
probe_cb(void **ctx, int *len, void *arg)
{
	if (len != NULL)
		*len = 0;
	return NULL;
}

/*
 * One SMTP session: every message queued, one smtp_start_session(), then every message judged
 * (with probe set, no messages: one stand-in that never goes out). st is the caller's, with t,
 * probe, token and port filled in; its buffers are the caller's to release. 0, or -1 with err
 * when the session could not even be set up.
 */
static int
run_session(struct transport *t, struct session_state *st, struct transport_msg *msgs, size_t n,
    struct fb_error *err)
{
	struct queued *q = NULL;
	smtp_session_t s = NULL;
	auth_context_t auth = NULL;
	int rc = -1, started, serr;
	char ebuf[128];

	q = calloc(n ? n : 1, sizeof(*q));
	s = smtp_create_session();
	if (q == NULL || s == NULL) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	smtp_set_server(s, t->hostport);
	if (t->helo != NULL)
		smtp_set_hostname(s, t->helo);
	set_timeouts(s, t->timeout);
	smtp_set_eventcb(s, event_cb, st);
	smtp_set_monitorcb(s, monitor_cb, st, 0);
	/* libesmtp borrows the context (it does not free it: checked with LeakSanitizer); it is
	 * ours until close(). */
	smtp_starttls_set_ctx(s, t->ssl);
	smtp_starttls_enable(s, t->starttls_required ? Starttls_REQUIRED : Starttls_ENABLED);
	if (t->username != NULL) {
		auth = auth_create_context();
		if (auth == NULL) {
			fb_error_set(err, "out of memory");
			goto out;
		}
		/* Without this flag libesmtp offers no plain-text mechanism and skips AUTH silently.
		 * With OAuth it stays off: PLAIN and LOGIN are then never tried. */
		if (t->oauth == NULL)
			auth_set_mechanism_flags(auth, AUTH_PLUGIN_PLAIN, 0);
		auth_set_interact_cb(auth, interact_cb, st);
		smtp_auth_set_context(s, auth);
	}
	for (size_t i = 0; i < n; i++)
		buf_init(&q[i].crlf);
	if (st->probe) {
		smtp_message_t m = smtp_add_message(s);

		if (m == NULL || smtp_set_reverse_path(m, "") == 0 ||
		    smtp_set_messagecb(m, probe_cb, NULL) == 0 ||
		    smtp_add_recipient(m, "postmaster") == NULL) {
			fb_error_set(err, "libesmtp refused the stand-in message");
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct transport_msg *m = &msgs[i];

		buf_reset(&m->detail);
		m->status = MAIL_TEMPORARY;
		q[i].rcpt = calloc(m->nrcpts ? m->nrcpts : 1, sizeof(*q[i].rcpt));
		if (q[i].rcpt == NULL) {
			fb_error_set(err, "message %zu: out of memory", i + 1);
			goto out;
		}
		q[i].m = smtp_add_message(s);
		q[i].msg = m;
		q[i].st = st;
		if (q[i].m != NULL)
			smtp_message_set_application_data_release(q[i].m, &q[i], NULL);
		if (q[i].m == NULL || smtp_set_reverse_path(q[i].m, m->sender ? m->sender : "") == 0 ||
		    smtp_set_messagecb(q[i].m, message_cb, &q[i]) == 0) {
			fb_error_set(err, "message %zu: libesmtp refused it", i + 1);
			goto out;
		}
		for (size_t r = 0; r < m->nrcpts; r++) {
			q[i].rcpt[r] = smtp_add_recipient(q[i].m, m->rcpts[r]);
			if (q[i].rcpt[r] == NULL) {
				/* No address: this message ends up in the log (see flow/mailflow.c). */
				fb_error_set(err, "message %zu: libesmtp refused recipient %zu", i + 1,
				    r + 1);
				goto out;
			}
		}
	}
	verify_error[0] = '\0';
	session_fd = -1;
	started = smtp_start_session(s);
	session_fd = -1;
	serr = smtp_errno();
	/* The most useful explanation first: TLS, then AUTH, then what libesmtp says. */
	if (st->starttls_missing || st->cert_refused)
		;  /* the event callback has said it */
	else if (t->starttls_required && !st->tls_ok && verify_error[0] != '\0')
		problem(st, "certificate of %s not trusted: %s; set ca_file", t->hostport, verify_error);
	else if (t->starttls_required && !st->tls_ok && st->greeted)
		problem(st, "no TLS with %s (STARTTLS not offered or failed), and starttls = required: "
		    "nothing was sent", t->hostport);
	if (t->username != NULL && !st->auth_ok && (st->tls_ok || !t->starttls_required)) {
		const char *mech = t->oauth != NULL ? mech_name(t->mech) :
		    st->auth_mech[0] ? st->auth_mech : "PLAIN/LOGIN";

		/* Server, mechanism, user and reply: never the token or the password. */
		if (buf_failed(&st->auth_reply))
			problem(st, "%s refused AUTH %s as %s (out of memory for the server's reply)",
			    t->hostport, mech, t->username);
		else if (st->auth_reply.len > 0)
			problem(st, "%s refused AUTH %s as %s: %s%s%s%s", t->hostport, mech, t->username,
			    st->auth_reply.data, st->challenge.len > 0 ? " (" : "",
			    st->challenge.len > 0 ? st->challenge.data : "",
			    st->challenge.len > 0 ? ")" : "");
		else if (st->auth_sent)
			problem(st, "AUTH %s as %s with %s failed: the server gave no 235 (success)",
			    mech, t->username, t->hostport);
		else if (!st->aborted && st->greeted)
			problem(st, "AUTH as %s did not happen (the session ended before it)", t->username);
	}
	if (!st->aborted && (!started || (serr != 0 && serr != SMTP_ERR_NOTHING_TO_DO)))
		problem(st, "%s%s: %s", st->greeted ? "" : "cannot connect to ", t->hostport,
		    smtp_strerror(serr, ebuf, sizeof(ebuf)));
	for (size_t i = 0; i < n; i++)
		judge(&msgs[i], &q[i], st);
	rc = 0;
out:
	if (s != NULL)
		smtp_destroy_session(s);
	if (auth != NULL)
		auth_destroy_context(auth);
	for (size_t i = 0; q != NULL && i < n; i++) {
		free(q[i].rcpt);
		buf_release(&q[i].crlf);
	}
	free(q);
	return rc;
}

static void
wipe(struct buf *b)
{
	if (b->alloc > 0)
		explicit_bzero(b->data, b->alloc);
	buf_release(b);
}

static void
session_init(struct session_state *st, struct transport *t, int probe)
{
	memset(st, 0, sizeof(*st));
	st->t = t;
	st->probe = probe;
	buf_init(&st->token);
	buf_init(&st->auth_caps);
	buf_init(&st->challenge);
	buf_init(&st->auth_reply);
	buf_init(&st->problem);
	snprintf(st->port, sizeof(st->port), "%u", t->url.port);
}

static void
session_release(struct session_state *st)
{
	wipe(&st->token);
	buf_release(&st->auth_caps);
	buf_release(&st->challenge);
	buf_release(&st->auth_reply);
	buf_release(&st->problem);
}

/* libesmtp base64-encodes a mechanism's response into a 2048-byte buffer (cmd_auth() in its
 * smtp-auth.c) and, when it does not fit, sends AUTH without it: a response of more than 1533
 * bytes cannot be sent. */
enum { ESMTP_MAX_RESPONSE = 1533 };

/* The token for one session into st->token, checked the way the plugin will use it (so a
 * token that cannot be sent fails here, with a reason, instead of inside libesmtp). */
static int
session_token(struct transport *t, struct session_state *st, struct fb_error *err)
{
	struct buf resp = BUF_INIT;
	int rc;

	if (oauth_token(t->oauth, &st->token, err) < 0)
		return -1;
	if (t->mech == OAUTH_OAUTHBEARER)
		rc = saslauth_oauthbearer(&resp, t->username, t->url.host, t->url.port,
		    st->token.data, err);
	else
		rc = saslauth_xoauth2(&resp, t->username, st->token.data, err);
	if (rc == 0 && resp.len > ESMTP_MAX_RESPONSE)
		rc = fb_error_set(err, "%s: the AUTH %s response for %s is %zu bytes, more than the "
		    "%d libesmtp can send (a long access token)", t->hostport, mech_name(t->mech),
		    t->username, resp.len, ESMTP_MAX_RESPONSE);
	wipe(&resp);
	return rc;
}

static enum mail_result
outbox_smtp_send(struct transport *t, struct transport_msg *msgs, size_t n, struct fb_error *err)
{
	struct session_state st;
	int rc;

	if (n == 0)
		return MAIL_OK;
	/* With OAuth, a refused token is dropped and the session tried once more with a fresh
	 * one (the server refused before MAIL FROM: nothing was sent, nothing is sent twice). */
	for (int attempt = 0; ; attempt++) {
		session_init(&st, t, 0);
		if (t->oauth != NULL && session_token(t, &st, err) < 0) {
			session_release(&st);
			fail_all(msgs, n, err != NULL ? err->msg : "no OAuth token");
			return MAIL_TEMPORARY;
		}
		rc = run_session(t, &st, msgs, n, err);
		if (rc == 0 && st.token_refused && attempt == 0) {
			log_warnx("smtp %s: AUTH %s as %s refused (%s): trying once more with a new "
			    "token", t->hostport, mech_name(t->mech), t->username,
			    buf_failed(&st.auth_reply) ? "?" : st.auth_reply.data);
			oauth_refused(t->oauth);
			session_release(&st);
			continue;
		}
		break;
	}
	if (rc < 0) {
		session_release(&st);
		fail_all(msgs, n, err != NULL ? err->msg : "send failed");
		return MAIL_TEMPORARY;
	}
	/* AUTH failed: nothing was attempted, and the reason is the session's, not a message's:
	 * said once through err, so that the daemon logs it (the messages have it too). */
	if (t->username != NULL && !st.auth_ok && st.greeted && st.problem.len > 0 &&
	    !buf_failed(&st.problem) && (st.tls_ok || !t->starttls_required)) {
		fb_error_set(err, "%s", st.problem.data);
		session_release(&st);
		return MAIL_TEMPORARY;
	}
	session_release(&st);
	return MAIL_OK;
}

/* check(): the steps that worked, in one line. */
static void
describe(struct transport *t, struct session_state *st, struct buf *done)
{
	buf_putf(done, "%s: connected", t->hostport);
	if (st->tls_ok)
		buf_putf(done, ", STARTTLS ok (certificate %s)", t->verify ? "verified" :
		    "NOT verified: verify = no");
	else
		buf_puts(done, ", no TLS (STARTTLS not offered, starttls = no)");
	if (t->username == NULL)
		buf_puts(done, ", no AUTH (no user set)");
	else
		buf_putf(done, ", AUTH %s as %s ok", t->oauth != NULL ? mech_name(t->mech) :
		    st->auth_mech[0] ? st->auth_mech : "?", t->username);
}

static int
outbox_smtp_check(struct transport *t, struct buf *done, struct fb_error *err)
{
	struct session_state st;
	int rc = -1;

	for (int attempt = 0; ; attempt++) {
		session_init(&st, t, 1);
		if (t->oauth != NULL && session_token(t, &st, err) < 0) {
			session_release(&st);
			return -1;
		}
		if (run_session(t, &st, NULL, 0, err) < 0)
			break;
		if (st.token_refused && attempt == 0) {
			oauth_refused(t->oauth);
			session_release(&st);
			continue;
		}
		if (st.probe_done && (t->username == NULL || st.auth_ok)) {
			describe(t, &st, done);
			rc = buf_failed(done) ? fb_error_set(err, "out of memory") : 0;
		} else if (buf_failed(&st.problem) || st.problem.len == 0) {
			fb_error_set(err, "%s: the session ended before MAIL FROM, for a reason "
			    "libesmtp did not tell", t->hostport);
		} else {
			fb_error_set(err, "%s", st.problem.data);
		}
		break;
	}
	session_release(&st);
	return rc;
}

const struct transport_driver transport_smtp_driver = {
	.name = "smtp",
	.flags = TRANSPORT_PARALLEL,
	.open = outbox_smtp_open,
	.send = outbox_smtp_send,
	.close = outbox_smtp_close,
	.check = outbox_smtp_check,
};
