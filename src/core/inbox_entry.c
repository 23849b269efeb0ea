/*
 * inbox_entry — the values the inbox stores of a received message. See include/inbox_entry.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "envelope.h"
#include "inbox_entry.h"
#include "banned.h"

/* By table: snprintf("%02x") per byte was a tenth of the IMAP receive pass's CPU. */
static void
hex_of(const unsigned char d[32], char out[65])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[64] = '\0';
}

static void
sha256_hex(const char *data, size_t len, char out[65])
{
	unsigned char d[32];

	gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, d);
	hex_of(d, out);
}

/* See struct inbox_entry: the key of one message delivered again by another route (other
 * Received, Delivered-To, Return-Path lines). Without a Message-ID or a sender only the exact
 * bytes dedupe. */
static void
dedupe_key(const char *raw, size_t len, const struct buf *msgid, const struct buf *from,
    char out[65])
{
	gnutls_hash_hd_t h;
	const char *body = raw + len;
	unsigned char d[32];

	out[0] = '\0';
	if (msgid->len == 0 || from->len == 0 || gnutls_hash_init(&h, GNUTLS_DIG_SHA256) < 0)
		return;
	for (size_t i = 0; i + 1 < len; i++) {
		if (raw[i] == '\n' && raw[i + 1] == '\n') {
			body = raw + i + 2;
			break;
		}
		if (raw[i] == '\n' && raw[i + 1] == '\r' && i + 2 < len && raw[i + 2] == '\n') {
			body = raw + i + 3;
			break;
		}
	}
	/* The address lowercased in pieces: one gnutls_hash() call per byte cost more than the
	 * body's hash. */
	for (size_t i = 0; i < from->len;) {
		char low[256];
		size_t n = 0;

		for (; i < from->len && n < sizeof(low); i++, n++)
			low[n] = (char)tolower((unsigned char)from->data[i]);
		gnutls_hash(h, low, n);
	}
	gnutls_hash(h, "", 1);
	gnutls_hash(h, msgid->data, msgid->len);
	gnutls_hash(h, "", 1);
	gnutls_hash(h, body, (size_t)(raw + len - body));
	gnutls_hash_deinit(h, d);
	hex_of(d, out);
}

/* At most INBOX_ENTRY_HEAD_KEEP bytes, cut after a line end when there is one, so the stored
 * bytes end where a line does. */
static size_t
head_cut(const char *raw, size_t len)
{
	size_t n = len < INBOX_ENTRY_HEAD_KEEP ? len : INBOX_ENTRY_HEAD_KEEP;

	for (size_t i = n; i > 0; i--)
		if (raw[i - 1] == '\n')
			return i;
	return n;
}

int
inbox_entry_read(struct inbox_entry *e, const char *raw, size_t len, size_t size,
    size_t max_size)
{
	memset(e, 0, sizeof(*e));
	buf_init(&e->message_id);
	buf_init(&e->from);
	buf_init(&e->subject);
	e->size = size < len ? len : size;
	e->too_big = e->size > max_size;
	e->keep = len;
	/* Only the header and a bounded head of an oversized message are kept: storing it whole
	 * (a 53 MB message made the database 100 MB larger) would let any sender fill the disk.
	 * The whole message stays in the mailbox. */
	if (e->too_big)
		e->keep = head_cut(raw, len);
	/* The hash of what is kept (with the size when cut, so two large messages that only
	 * differ further on are still told apart by their size). */
	if (e->keep < e->size) {
		struct buf h = BUF_INIT;

		if (buf_add(&h, raw, e->keep) < 0 || buf_addf(&h, "\n(size %zu)", e->size) < 0) {
			buf_release(&h);
			return -1;
		}
		sha256_hex(h.data, h.len, e->sha256);
		buf_release(&h);
	} else {
		sha256_hex(raw, len, e->sha256);
	}
	/* Only the header is read for the envelope, so even an oversized message is named. */
	envelope_read(raw, e->keep, &e->message_id, &e->from, &e->subject);
	dedupe_key(raw, e->keep, &e->message_id, &e->from, e->dedupe_key);
	return 0;
}

void
inbox_entry_release(struct inbox_entry *e)
{
	if (e == NULL)
		return;
	buf_release(&e->message_id);
	buf_release(&e->from);
	buf_release(&e->subject);
}
