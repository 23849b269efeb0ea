/*
 * envelope — the few header fields the queues list a message by (Message-ID, From, Subject),
 * read from the header alone with libetpan, without parsing the body: cheap enough to run on
 * every stored message, and safe on messages too large to parse.
 */
#ifndef FB_ENVELOPE_H
#define FB_ENVELOPE_H

#include <stddef.h>

#include "buf.h"

/* Append what is there (Message-ID without <>, at most 995 bytes; the From address; the
 * Subject as written, at most 200 bytes) to the buffers; absent fields leave them empty;
 * from and subject may be NULL. Returns 0, or -1 when the header cannot be read at all. */
int envelope_read(const char *raw, size_t len, struct buf *msgid, struct buf *from,
    struct buf *subject);

#endif
