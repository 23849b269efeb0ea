/*
 * mailurl — see include/mailurl.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailurl.h"
#include "banned.h"

int
mailurl_parse(const char *url, const char *allowed, unsigned default_plain,
    unsigned default_tls, struct mailurl *out, struct fb_error *err)
{
	const char *p, *host, *hend, *rest;
	size_t alen = strlen(allowed), hlen;

	memset(out, 0, sizeof(*out));
	if (url == NULL || *url == '\0')
		return fb_error_set(err, "no server URL given (want %s://host:port)", allowed);
	if (alen >= sizeof(out->scheme) - 1 || strncmp(url, allowed, alen) != 0)
		goto bad;
	p = url + alen;
	if (*p == 's') {
		out->tls = 1;
		p++;
	}
	if (strncmp(p, "://", 3) != 0)
		goto bad;
	snprintf(out->scheme, sizeof(out->scheme), "%s%s", allowed, out->tls ? "s" : "");
	host = p + 3;
	if (*host == '[') {
		host++;
		hend = strchr(host, ']');
		if (hend == NULL)
			goto bad;
		rest = hend + 1;
	} else {
		hend = host + strcspn(host, ":/");
		rest = hend;
	}
	hlen = (size_t)(hend - host);
	if (hlen == 0 || hlen >= sizeof(out->host))
		goto bad;
	memcpy(out->host, host, hlen);
	out->host[hlen] = '\0';
	out->port = out->tls ? default_tls : default_plain;
	if (*rest == ':') {
		char *end;
		unsigned long port = strtoul(rest + 1, &end, 10);

		if (end == rest + 1 || port == 0 || port > 65535)
			goto bad;
		out->port = (unsigned)port;
		rest = end;
	}
	if (*rest == '/')
		rest++;
	if (*rest != '\0')
		goto bad;
	return 0;
bad:
	return fb_error_set(err, "bad server URL \"%s\": want %s://host:port or %ss://host:port",
	    url, allowed, allowed);
}
