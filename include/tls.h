/*
 * tls — a TCP connection to a mail server, optionally upgraded to TLS with GnuTLS, with the
 * server's certificate chain AND host name verified (Debian's libetpan verifies nothing, see
 * LIBRARY-NOTES.md). The IMAP driver puts libetpan's stream on top of it; anything else that
 * needs verified TLS can use it too. Every call that waits honours the connection's timeout.
 */
#ifndef FB_TLS_H
#define FB_TLS_H

#include <stddef.h>
#include <sys/types.h>

#include "fberror.h"

struct tls_conn;

/* Connect to host:port over TCP (IPv4 or IPv6), waiting at most timeout seconds. The
 * connection starts in plain text. NULL with err ("cannot connect to host:port: …").
 * Free with tls_conn_free(). */
struct tls_conn *tls_connect(const char *host, unsigned port, int timeout, struct fb_error *err);

/* Start TLS on the connection (implicit TLS right after connect, or after STARTTLS). With
 * verify, the chain must lead to ca_file's certificates (PEM) or, when ca_file is NULL, to the
 * system's trust store, and the certificate must name host (DNS name or IP address); else -1
 * with err "certificate of host:port not trusted: <reason>". Without verify, anything goes (the
 * caller warns). 0 on success. */
int tls_start(struct tls_conn *c, const char *ca_file, int verify, struct fb_error *err);

/* Read up to len bytes: waits at most the timeout for the first byte. >0 bytes, 0 at end of
 * stream, -1 on error or timeout (errno ETIMEDOUT). */
ssize_t tls_read(struct tls_conn *c, void *buf, size_t len);
/* Write all len bytes. len, or -1 on error or timeout. */
ssize_t tls_write(struct tls_conn *c, const void *buf, size_t len);
/* 1 when TLS has decrypted bytes buffered that the fd's readiness does not show. */
int tls_pending(struct tls_conn *c);
int tls_fd(struct tls_conn *c);
int tls_is_secure(struct tls_conn *c);
/* "host:port", for messages. */
const char *tls_peer(struct tls_conn *c);
/* Close (TLS close_notify when possible) and free; NULL is fine. */
void tls_free(struct tls_conn *c);

#endif
