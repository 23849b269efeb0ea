/*
 * redate — give a message compose made (compose.h) another Date: the one header's value
 * replaced, everything else byte for byte. What it is for: mail the budget deferred
 * (budget.h) is dated the day it goes, not the day it was made, so a mail program sorts it
 * where the member reads it. Pure: bytes in, bytes out; the date is written as compose writes
 * it ("Mon, 4 Jan 2027 09:00:00 +0100", at in zone tz).
 */
#ifndef FB_REDATE_H
#define FB_REDATE_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "fberror.h"

/* raw[0..len) with its Date header (in the header block, folded lines included) saying at in
 * zone tz, appended to out. 0, or -1 with err (out untouched) when there is no Date header,
 * the zone is unknown or memory runs out. */
int redate_message(const char *raw, size_t len, const char *tz, time_t at, struct buf *out,
    struct fb_error *err);

#endif
