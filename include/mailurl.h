/*
 * mailurl — split the mail server URLs of the configuration ("smtp://host:port",
 * "imaps://[::1]:993") into scheme, host and port. Used by the SMTP and IMAP drivers.
 */
#ifndef FB_MAILURL_H
#define FB_MAILURL_H

#include "fberror.h"

struct mailurl {
	char scheme[8];     /* "smtp", "smtps", "imap", "imaps" */
	char host[256];     /* without brackets for IPv6 literals */
	unsigned port;      /* the given port, or default_port */
	int tls;            /* 1 for the implicit-TLS schemes (smtps, imaps) */
};

/* Parse url; the scheme must be one of the two in allowed ("smtp"/"imap": the plain one and the
 * one with "s"). A missing port becomes default_plain or default_tls. Nothing after the port
 * but an optional "/". 0, or -1 with err naming the URL. */
int mailurl_parse(const char *url, const char *allowed, unsigned default_plain,
    unsigned default_tls, struct mailurl *out, struct fb_error *err);

#endif
