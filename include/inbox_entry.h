/*
 * inbox_entry — what the inbox keeps of one received message, decided before it reaches the
 * store: how much of it is kept (an oversized message only its header and a bounded head),
 * the hash that recognises the same bytes again, the envelope it is listed by (Message-ID,
 * From, Subject, read from the header alone) and the key that recognises one message
 * delivered twice by different routes. Pure: bytes in, values out; the store only stores them.
 */
#ifndef FB_INBOX_ENTRY_H
#define FB_INBOX_ENTRY_H

#include <stddef.h>

#include "buf.h"

/* The head of an oversized message that is kept (= MAILBOX_HEAD_MAX, what drivers read). */
#define INBOX_ENTRY_HEAD_KEEP ((size_t)64 << 10)

struct inbox_entry {
	size_t keep;            /* bytes of raw to store (len, or a head cut after a line end) */
	size_t size;            /* the whole message's size (at least len) */
	int too_big;            /* size > max_size: stored as failed, "too large to read" */
	char sha256[65];        /* hex sha256 of what is kept, with the size when cut */
	/* sha256 of the sender's address (lowercased), the Message-ID and the body: a stranger
	 * who reuses a member's Message-ID has another sender or another body, so their mail never
	 * makes the member's "already known". "" (no key) without a Message-ID or a sender. */
	char dedupe_key[65];
	struct buf message_id;  /* without <>; empty when absent */
	struct buf from;        /* the From address; empty when absent */
	struct buf subject;     /* as written; empty when absent */
};

/*
 * Fill *e for raw (len bytes read of a message of size bytes; size < len counts as len) under
 * the limit max_size. 0, or -1 out of memory (then *e is released). Release with
 * inbox_entry_release(), also after a failure.
 */
int inbox_entry_read(struct inbox_entry *e, const char *raw, size_t len, size_t size,
    size_t max_size);
void inbox_entry_release(struct inbox_entry *e);

#endif
