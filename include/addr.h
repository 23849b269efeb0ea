/*
 * addr — email addresses: validate and normalise with libetpan's RFC 5322 parser.
 */
#ifndef FB_ADDR_H
#define FB_ADDR_H

#include "buf.h"
#include "fberror.h"

/*
 * Parse "jan@example.org", "Jan <jan@example.org>" or "\"Vries, Jan\" <jan@Example.ORG>" and
 * append the bare address with its domain lowercased to addr (and the display name, decoded
 * as given, to name when name is not NULL). -1 with a message that says what is wrong.
 * Only one address; a local part and a domain with a dot are required.
 */
int addr_parse(const char *s, struct buf *addr, struct buf *name, struct fb_error *err);

#endif
