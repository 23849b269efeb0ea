/*
 * addr — email address validation through libetpan's mailimf parser (no hand-written
 * RFC 5322 grammar). See include/addr.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libetpan/libetpan.h>

#include "addr.h"
#include "banned.h"

int
addr_parse(const char *s, struct buf *addr, struct buf *name, struct fb_error *err)
{
	struct mailimf_mailbox *mb = NULL;
	size_t idx = 0, len = strlen(s);
	const char *at, *spec;
	int rc = -1;

	if (len == 0 || len > 320)
		return fb_error_set(err, "\"%.80s\" is not an email address (%s)", s,
		    len ? "too long" : "empty");
	if (mailimf_mailbox_parse(s, len, &idx, &mb) != MAILIMF_NO_ERROR)
		return fb_error_set(err, "\"%s\" is not an email address", s);
	/* Whatever follows the one mailbox must be blank. */
	while (idx < len && isspace((unsigned char)s[idx]))
		idx++;
	spec = mb->mb_addr_spec;
	at = spec ? strrchr(spec, '@') : NULL;
	if (idx != len)
		fb_error_set(err, "\"%s\" holds more than one address", s);
	else if (spec != NULL && strpbrk(spec, "<>") != NULL)
		/* libetpan reads "Jan <jan@example.org" (never closed) as one obsolete addr-spec. */
		fb_error_set(err, "\"%s\" is not an email address (an angle bracket is not "
		    "closed)", s);
	else if (at == NULL || at == spec || at[1] == '\0')
		fb_error_set(err, "\"%s\" is not an email address (it needs name@domain)", s);
	else if (strchr(at + 1, '.') == NULL || strchr(spec, ' ') != NULL ||
	    at[1] == '.' || at[strlen(at) - 1] == '.')
		fb_error_set(err, "\"%s\" is not an email address (the domain \"%s\" is not "
		    "a full domain name)", s, at + 1);
	else {
		size_t start = addr->len;

		if (buf_add(addr, spec, (size_t)(at - spec)) == 0 && buf_addch(addr, '@') == 0) {
			for (const char *p = at + 1; *p; p++)
				buf_putch(addr, (char)tolower((unsigned char)*p));
			if (name != NULL && mb->mb_display_name != NULL)
				buf_puts(name, mb->mb_display_name);
			rc = 0;
		}
		if (rc < 0 || buf_failed(addr) || (name != NULL && buf_failed(name))) {
			rc = -1;
			buf_truncate(addr, start);
			fb_error_set(err, "out of memory");
		}
	}
	mailimf_mailbox_free(mb);
	return rc;
}
