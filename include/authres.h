/*
 * authres — Authentication-Results headers (RFC 8601) read, and the verdict on a sender.
 *
 * feedbackd reads mail from a mailbox, never from the SMTP session: it cannot see the
 * connecting IP, so it cannot check SPF, and it does not repeat the receiving server's DKIM
 * and DMARC checks. The organisation's own mail server writes what it found in an
 * Authentication-Results header with its authserv-id ("mx.example.org; dkim=pass
 * header.d=example.nl; dmarc=pass header.from=example.nl"). Anyone can write such a header
 * into a message, so only headers whose authserv-id is in the configured trusted list count
 * (security.trusted_authserv_id); every other one is ignored. The server must remove incoming
 * headers that carry its own id (RFC 8601 section 5): the README says how.
 *
 * The verdict (authres_check), for the required method:
 *   dmarc  a trusted dmarc=pass whose header.from is the From domain (equal, any case);
 *   dkim   a trusted dkim=pass whose signing domain (header.d, else the domain of header.i)
 *          is aligned with the From domain: the same, or one a subdomain of the other where
 *          the shorter has a dot (example.nl signs for mail.example.nl and the other way
 *          round; "nl" aligns with nothing). This is DMARC's relaxed alignment without the
 *          public suffix list: simple, and strict enough for one organisation's mail.
 * and no trusted result for that method that contradicts it: a result other than pass about
 * the From domain (or about no domain: "dkim=none") fails the message even when another
 * trusted header says pass — a header smuggled in with the trusted id can add a pass, not
 * take away the server's own fail.
 *
 * Pure: strings in, values out. Hostile input is bounded: values longer than AUTHRES_MAX_LEN
 * are not read, at most AUTHRES_MAX_RESULTS results and AUTHRES_MAX_PROPS properties each,
 * comments nested at most AUTHRES_MAX_DEPTH deep; anything else is a syntax error and the
 * header counts as absent.
 */
#ifndef FB_AUTHRES_H
#define FB_AUTHRES_H

#include <stddef.h>

#include "buf.h"
#include "message.h"

#define AUTHRES_MAX_LEN     8192
#define AUTHRES_MAX_RESULTS 32
#define AUTHRES_MAX_PROPS   8
#define AUTHRES_MAX_DEPTH   8

struct authres_prop {
	char *ptype;    /* lowercased: "header", "smtp", "policy", "body", ... */
	char *property; /* lowercased: "d", "i", "from", "mailfrom", ... */
	char *value;    /* as written, quotes removed */
};

struct authres_result {
	char *method;   /* lowercased, version dropped: "dkim", "dmarc", "spf", ... */
	char *result;   /* lowercased: "pass", "fail", "none", ... */
	struct authres_prop props[AUTHRES_MAX_PROPS];
	size_t nprops;
};

struct authres {
	char *authserv_id; /* lowercased */
	struct authres_result results[AUTHRES_MAX_RESULTS];
	size_t nresults;   /* 0 for "authserv-id; none" */
};

/* Parse the value of one Authentication-Results header (without its name) into out. Returns
 * 0; 1 when it does not follow RFC 8601 or is beyond the bounds (out is then empty); -1 when
 * memory runs out. Release out with authres_release() in every case. */
int authres_parse(const char *value, size_t len, struct authres *out);

/* Free what ar holds and zero it; NULL is fine. */
void authres_release(struct authres *ar);

/* The value of property ptype.property of r (case-insensitive names), or NULL. */
const char *authres_prop(const struct authres_result *r, const char *ptype,
    const char *property);

/* 1 when host is one of the names in list (separated by commas and/or blanks), any case. */
int authres_trusted(const char *list, const char *host);

/*
 * Does msg's sender pass method ("dkim" or "dmarc") by the Authentication-Results headers of
 * the trusted servers named in trusted (see authres_trusted)? 1 yes, 0 no; why (may be NULL)
 * gets one line saying what was found: "dmarc=pass header.from=example.nl (mx.example.org)"
 * or "dmarc=fail for example.nl (mx.example.org)", "no Authentication-Results header from
 * mx.example.org". -1 when memory runs out.
 */
int authres_check(const struct fb_message *msg, const char *trusted, const char *method,
    struct buf *why);

#endif
