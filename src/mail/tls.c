/*
 * tls — see include/tls.h. GnuTLS does the verification: gnutls_session_set_verify_cert()
 * makes the handshake itself fail when the chain or the host name does not check out, so there
 * is no window in which an unverified session could be used.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "buf.h"
#include "tls.h"
#include "banned.h"

struct tls_conn {
	int fd;
	int timeout_ms;
	char *host;
	char *peer;
	gnutls_session_t session;   /* NULL while plain */
	gnutls_certificate_credentials_t cred;
};

static int
wait_fd(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		errno = ETIMEDOUT;
	return r > 0 ? 0 : -1;
}

/* Non-blocking connect, so that the timeout holds; the socket is blocking again afterwards. */
static int
connect_one(const struct addrinfo *ai, int timeout_ms)
{
	int fd, flags, soerr = 0;
	socklen_t sl = sizeof(soerr);

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return -1;
	flags = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS || wait_fd(fd, POLLOUT, timeout_ms) < 0)
			goto fail;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr != 0) {
			if (soerr != 0)
				errno = soerr;
			goto fail;
		}
	}
	fcntl(fd, F_SETFL, flags);
	return fd;
fail:
	soerr = errno;
	close(fd);
	errno = soerr;
	return -1;
}

struct tls_conn *
tls_connect(const char *host, unsigned port, int timeout, struct fb_error *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	struct tls_conn *c;
	struct buf peer = BUF_INIT;
	char service[16];
	int r, fd = -1, e = 0;

	if (timeout <= 0)
		timeout = 60;
	if (strchr(host, ':') != NULL)
		buf_putf(&peer, "[%s]:%u", host, port);
	else
		buf_putf(&peer, "%s:%u", host, port);
	if (buf_failed(&peer)) {
		fb_error_set(err, "out of memory");
		buf_release(&peer);
		return NULL;
	}
	snprintf(service, sizeof(service), "%u", port);
	r = getaddrinfo(host, service, &hints, &res);
	if (r != 0) {
		fb_error_set(err, "cannot resolve %s: %s", peer.data, gai_strerror(r));
		buf_release(&peer);
		return NULL;
	}
	for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		fd = connect_one(ai, timeout * 1000);
		if (fd < 0)
			e = errno;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		fb_error_set(err, "cannot connect to %s: %s", peer.data, strerror(e));
		buf_release(&peer);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->host = strdup(host)) == NULL) {
		free(c);
		close(fd);
		buf_release(&peer);
		fb_error_set(err, "out of memory");
		return NULL;
	}
	/* Writes block at most the timeout too. */
	struct timeval tv = { timeout, 0 };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	c->fd = fd;
	c->timeout_ms = timeout * 1000;
	c->peer = buf_detach(&peer, NULL);
	return c;
}

/* GnuTLS's own transport writes with send() without MSG_NOSIGNAL: a write to a connection the
 * server closed would kill the process with SIGPIPE. This keeps the error an error. The
 * transport pointer is the fd (gnutls_transport_set_int), so GnuTLS's own pull functions,
 * which the handshake timeout needs, stay in place. */
static ssize_t
push_nosignal(gnutls_transport_ptr_t p, const void *data, size_t len)
{
	return send((int)(intptr_t)p, data, len, MSG_NOSIGNAL);
}

static int
is_ip_literal(const char *host)
{
	unsigned char a[16];

	return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

int
tls_start(struct tls_conn *c, const char *ca_file, int verify, struct fb_error *err)
{
	int r;

	if (c->session != NULL)
		return fb_error_set(err, "%s: TLS already started", c->peer);
	if (gnutls_certificate_allocate_credentials(&c->cred) < 0)
		return fb_error_set(err, "out of memory");
	if (verify) {
		if (ca_file != NULL && *ca_file != '\0') {
			r = gnutls_certificate_set_x509_trust_file(c->cred, ca_file, GNUTLS_X509_FMT_PEM);
			if (r <= 0)
				return fb_error_set(err, "cannot load CA file %s: %s", ca_file,
				    r < 0 ? gnutls_strerror(r) : "no certificate in it");
		} else if ((r = gnutls_certificate_set_x509_system_trust(c->cred)) <= 0) {
			return fb_error_set(err, "cannot load the system's trusted certificates%s%s",
			    r < 0 ? ": " : "", r < 0 ? gnutls_strerror(r) : "");
		}
	}
	if (gnutls_init(&c->session, GNUTLS_CLIENT) < 0) {
		c->session = NULL;
		return fb_error_set(err, "out of memory");
	}
	gnutls_set_default_priority(c->session);
	gnutls_credentials_set(c->session, GNUTLS_CRD_CERTIFICATE, c->cred);
	if (!is_ip_literal(c->host))
		gnutls_server_name_set(c->session, GNUTLS_NAME_DNS, c->host, strlen(c->host));
	if (verify)
		gnutls_session_set_verify_cert(c->session, c->host, 0);
	gnutls_transport_set_int(c->session, c->fd);
	gnutls_transport_set_push_function(c->session, push_nosignal);
	gnutls_handshake_set_timeout(c->session, (unsigned)c->timeout_ms);
	do
		r = gnutls_handshake(c->session);
	while (r < 0 && gnutls_error_is_fatal(r) == 0);
	if (r < 0) {
		if (r == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR) {
			gnutls_datum_t why = { NULL, 0 };
			unsigned status = gnutls_session_get_verify_cert_status(c->session);

			gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &why, 0);
			fb_error_set(err, "certificate of %s not trusted: %s", c->peer,
			    why.data ? (const char *)why.data : "verification failed");
			gnutls_free(why.data);
		} else {
			fb_error_set(err, "TLS handshake with %s failed: %s", c->peer, gnutls_strerror(r));
		}
		gnutls_deinit(c->session);
		c->session = NULL;
		return -1;
	}
	return 0;
}

ssize_t
tls_read(struct tls_conn *c, void *buf, size_t len)
{
	ssize_t r;

	for (;;) {
		if ((c->session == NULL || gnutls_record_check_pending(c->session) == 0) &&
		    wait_fd(c->fd, POLLIN, c->timeout_ms) < 0)
			return -1;
		if (c->session == NULL) {
			r = recv(c->fd, buf, len, 0);
			if (r < 0 && errno == EINTR)
				continue;
			return r;
		}
		r = gnutls_record_recv(c->session, buf, len);
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
			continue;
		if (r == GNUTLS_E_PREMATURE_TERMINATION)
			return 0;
		if (r < 0) {
			errno = EIO;
			return -1;
		}
		return r;
	}
}

ssize_t
tls_write(struct tls_conn *c, const void *buf, size_t len)
{
	const char *p = buf;
	size_t off = 0;

	while (off < len) {
		ssize_t w;

		if (c->session == NULL)
			w = send(c->fd, p + off, len - off, MSG_NOSIGNAL);
		else
			w = gnutls_record_send(c->session, p + off, len - off);
		if (w == GNUTLS_E_AGAIN || w == GNUTLS_E_INTERRUPTED || (w < 0 && errno == EINTR && c->session == NULL))
			continue;
		if (w <= 0) {
			if (c->session != NULL)
				errno = EIO;
			return -1;
		}
		off += (size_t)w;
	}
	return (ssize_t)len;
}

int
tls_pending(struct tls_conn *c)
{
	return c->session != NULL && gnutls_record_check_pending(c->session) > 0;
}

int
tls_fd(struct tls_conn *c)
{
	return c->fd;
}

int
tls_is_secure(struct tls_conn *c)
{
	return c->session != NULL;
}

const char *
tls_peer(struct tls_conn *c)
{
	return c->peer;
}

void
tls_free(struct tls_conn *c)
{
	if (c == NULL)
		return;
	if (c->session != NULL) {
		gnutls_bye(c->session, GNUTLS_SHUT_WR);
		gnutls_deinit(c->session);
	}
	if (c->cred != NULL)
		gnutls_certificate_free_credentials(c->cred);
	if (c->fd >= 0)
		close(c->fd);
	free(c->host);
	free(c->peer);
	free(c);
}
