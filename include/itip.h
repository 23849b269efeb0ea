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
 * Building (REQUEST / CANCEL) — what we send, built with libical (never .ics text by hand):
 *
 *   VCALENDAR   METHOD (REQUEST | CANCEL), VERSION:2.0, PRODID
 *     VTIMEZONE TZID = the IANA name as given ("Europe/Amsterdam"), one STANDARD and (for a zone
 *               with daylight-saving time) one DAYLIGHT rule, each a yearly RRULE found from the
 *               zone's transitions in the year of the event: the compact form calendar programs
 *               read well, not libical's 185-line historical zone with its
 *               "/freeassociation.sourceforge.net/" TZID (LIBRARY-NOTES.md). A zone whose rules
 *               in that year do not fit "n-th (or last) weekday of a month", or the name "UTC",
 *               gives DTSTART/DTEND in UTC and no VTIMEZONE instead.
 *   (PUBLISH, itip_build_publish(): many VEVENTs, no ATTENDEE)
 *     VEVENT    UID, SEQUENCE, DTSTAMP (UTC, = now), DTSTART/DTEND (TZID=zone, local wall time),
 *               ORGANIZER (mailto:, CN; never SENT-BY), one ATTENDEE (CN, ROLE=REQ-PARTICIPANT,
 *               and for a REQUEST PARTSTAT=NEEDS-ACTION, RSVP=TRUE), STATUS (CONFIRMED for a
 *               REQUEST, CANCELLED for a CANCEL), SUMMARY, DESCRIPTION, LOCATION, URL
 *               (the optional ones only when given). No VALARM (clients strip them), no RRULE.
 * Output: CRLF line ends, lines folded at 75 octets by libical, text values escaped by libical.
 * The result passes icalrestriction_check() (tested).
 */

#include <time.h>

#include "buf.h"

enum itip_method { ITIP_REQUEST, ITIP_CANCEL, ITIP_PUBLISH };

/* Longest UID, address or name accepted, and longest summary/description/location/url. */
#define ITIP_MAX_WORD 998
#define ITIP_MAX_TEXT ((size_t)64 << 10)

struct itip_event {
	enum itip_method method;
	const char *uid;            /* required, printable ASCII, stable for the event */
	int64_t sequence;           /* >= 0 */
	time_t dtstamp;             /* now */
	time_t start;               /* UTC instant */
	int duration_min;           /* > 0, at most a week */
	const char *tz;             /* IANA zone of the programme; NULL or "UTC": UTC times */
	const char *organizer_addr; /* required; must equal the mail's From address */
	const char *organizer_name; /* CN, or NULL */
	const char *attendee_addr;  /* required: the one recipient */
	const char *attendee_name;  /* CN, or NULL */
	const char *summary;        /* required, UTF-8 */
	const char *description;    /* UTF-8, or NULL */
	const char *location;       /* UTF-8, or NULL (the url is used when only it is given) */
	const char *url;            /* online meeting link, or NULL */
	int no_reply;               /* a REQUEST that asks no answer (RSVP=FALSE): a moment in
	                             * the calendar, not a meeting to come to */
};

/*
 * Build the calendar ev and append it to out (NUL-terminated, CRLF line ends). 0, or -1 with
 * err naming the field that is missing or invalid (empty or over-long text, a CR/LF in a UID
 * or address, invalid UTF-8, an unknown zone, a time outside fbtime's years) or saying that
 * memory ran out; out is unchanged on error.
 */
int itip_build(const struct itip_event *ev, struct buf *out, struct fb_error *err);

/*
 * A published calendar (METHOD:PUBLISH, for subscription or import: `feedbackctl calendar
 * export`): the events evs[0..n), each with method ITIP_PUBLISH and no attendee (RFC 5546
 * allows none in PUBLISH; attendee_addr is ignored), STATUS:CONFIRMED, their times in zone tz
 * (each event's own tz is ignored) with ONE VTIMEZONE for it, made from the rules of the first
 * event's year. Appended to out; 0, or -1 with err naming the event (1-based, UID) that is
 * invalid; out unchanged on error. n must be 1..ITIP_MAX_EVENTS.
 */
#define ITIP_MAX_EVENTS 10000
int itip_build_publish(const struct itip_event *evs, size_t n, const char *tz, struct buf *out,
    struct fb_error *err);

/* "REQUEST", "CANCEL" or "PUBLISH": the METHOD written, for compose's calendar_method. */
const char *itip_method_name(enum itip_method m);

/*
 * The compact VTIMEZONE of zone tz for year as iCalendar text (BEGIN:VTIMEZONE..END:VTIMEZONE,
 * CRLF) appended to out: 0, 1 when tz has no rule that fits (UTC is used then), -1 with err.
 * Exported for tests and `feedbackctl calendar export`.
 */
int itip_vtimezone(const char *tz, int year, struct buf *out, struct fb_error *err);

#endif
