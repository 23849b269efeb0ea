/*
 * itip — calendar messages (iTIP, RFC 5546, over iMIP mail) with libical: reading the REPLY,
 * COUNTER, REQUEST and CANCEL messages people's calendar programs send us, and (a later
 * section) building the REQUEST/CANCEL invites we send.
 *
 * Pure: text in, struct out; no I/O, no clock.
 */
#ifndef FB_ITIP_H
#define FB_ITIP_H

#include <stddef.h>
#include <stdint.h>

#include "fberror.h"

/* ---------------------------------------------------------------------------------------------
 * Reading
 *
 * Deliberately not a strict RFC 5546 restriction check: real Outlook/Exchange replies carry no
 * ORGANIZER, Apple's omit the MIME method= parameter, Google's SEQUENCE has 13 digits. We read
 * what is there and let the caller decide what it needs.
 */

/* Largest calendar text itip_read() accepts. */
#define ITIP_MAX_SIZE ((size_t)1 << 20)
#define ITIP_MAX_ATTENDEES 1000

struct itip_attendee {
	char *address;  /* mailto: stripped, lowercased; never NULL */
	char *name;     /* CN parameter, or NULL */
	char *partstat; /* PARTSTAT uppercased ("ACCEPTED", "DECLINED", "TENTATIVE", ...);
	                 * "NEEDS-ACTION" when absent (RFC 5545's default) */
	char *comment;  /* Google's X-RESPONSE-COMMENT parameter, or NULL */
};

struct itip_info {
	char *method;        /* METHOD of the VCALENDAR uppercased, or NULL when it has none */
	char *uid;           /* UID of the first VEVENT/VTODO, or NULL */
	int64_t sequence;    /* SEQUENCE read as 64-bit; 0 when absent */
	int has_sequence;
	char *recurrence_id; /* RECURRENCE-ID as iCalendar text (e.g. "20270112T090000Z"), or NULL */
	char *organizer;     /* address, mailto: stripped, lowercased; NULL when absent (Outlook) */
	char *summary;       /* or NULL */
	char *comment;       /* first COMMENT of the event, or NULL */
	struct itip_attendee *attendees;
	size_t nattendees;
};

#define ITIP_INFO_INIT { 0 }

/* Read the first VCALENDAR in ics[0..len) (a REPLY, COUNTER, REQUEST, CANCEL, ... or a calendar
 * without METHOD) into out, which is overwritten; release it with itip_info_release() whatever
 * the result. Returns 0, or -1 with err when the text is larger than ITIP_MAX_SIZE, holds no
 * VCALENDAR, or memory runs out. */
int itip_read(const char *ics, size_t len, struct itip_info *out, struct fb_error *err);

/* The attendee whose address equals addr (case-insensitive, "mailto:" optional), or NULL. */
const struct itip_attendee *itip_find_attendee(const struct itip_info *info, const char *addr);

/* Free what info holds and zero it; safe on a zeroed or released struct. */
void itip_info_release(struct itip_info *info);

/* ---------------------------------------------------------------------------------------------
 * Building (REQUEST / CANCEL): to come.
 */

#endif
