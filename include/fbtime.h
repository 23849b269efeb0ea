/*
 * fbtime — time as an input: dates, local times and time zones (libical underneath).
 *
 * Nothing in feedbackd reads the clock below main: "now" is a time_t (seconds since the epoch,
 * UTC) passed in. This module turns such instants into local wall-clock times of an IANA zone
 * ("Europe/Amsterdam") and back, parses the ISO 8601 forms users type, and does pure calendar
 * arithmetic on dates.
 *
 * Local → UTC is deterministic across daylight-saving changes (RFC 5545 section 3.3.5):
 *   - a local time that does not exist (the gap, e.g. 02:30 on the last Sunday of March in
 *     Amsterdam) is read with the offset in force before the gap, so it shifts forward by the
 *     length of the gap: 02:30 → 03:30 CEST (01:30Z);
 *   - a local time that exists twice (the ambiguous hour, e.g. 02:30 on the last Sunday of
 *     October in Amsterdam) is the first of the two, i.e. still summer time: 02:30 CEST (00:30Z).
 * libical's own icaltime_as_timet_with_zone() does neither (it shifts gaps backward and picks
 * the second occurrence), so this module asks libical only for the UTC offset at a UTC instant,
 * which is unambiguous, and resolves local times itself.
 *
 * Supported range: years FBTIME_YEAR_MIN..FBTIME_YEAR_MAX; anything outside is an error (an
 * instant far outside it is a bug or hostile input, and would make libical expand a zone's
 * rules over centuries).
 *
 * Zone names: IANA names as found by libical in the system's tzdata (/usr/share/zoneinfo,
 * Debian package tzdata), plus "UTC". Names are checked for shape first (letters, digits,
 * '_', '-', '+', '/', no "." at all, at most FBTIME_ZONE_MAX bytes) because libical builds a
 * file path from them; "localtime", "posixrules" (the machine's own setting) and "right/..."
 * (leap-second clocks, unlike time_t) are refused.
 *
 * Errors: functions returning int return 0 on success and -1 on error with err filled (err may
 * be NULL). No function logs. Call fbtime_cleanup() once at exit to free libical's zone cache.
 */
#ifndef FB_FBTIME_H
#define FB_FBTIME_H

#include <time.h>

#include "buf.h"
#include "fberror.h"

#define FBTIME_YEAR_MIN 1970
#define FBTIME_YEAR_MAX 2199
/* Longest accepted zone name, in bytes. */
#define FBTIME_ZONE_MAX 64

/* A calendar date (proleptic Gregorian): year, month 1..12, day 1..31. */
struct fb_date {
	int year;
	int month;
	int day;
};

/* A UTC instant seen in a time zone. */
struct fb_local {
	struct fb_date date;
	int hour;       /* 0..23 */
	int min;        /* 0..59 */
	int sec;        /* 0..59 */
	int weekday;    /* 1 = Monday .. 7 = Sunday */
	int utc_offset; /* seconds to add to UTC to get local time (+7200 for CEST) */
	int is_dst;     /* 1 in daylight-saving (summer) time */
};

/* 1 when tz names a zone libical can load, else 0. NULL and malformed names give 0. */
int fbtime_zone_valid(const char *tz);
/* The same as 0 / -1, with err saying what is accepted. */
int fbtime_zone_check(const char *tz, struct fb_error *err);

/* 1 when d is a real date within the supported years, else 0. */
int fbtime_date_valid(const struct fb_date *d);

/*
 * Parse a date "YYYY-MM-DD" (exactly that form) into out, validated (2027-02-30 is refused).
 * On error out is untouched and err says what was wrong.
 */
int fbtime_parse_date(const char *s, struct fb_date *out, struct fb_error *err);

/*
 * Parse an ISO 8601 time into *out (UTC seconds). Accepted forms:
 *   YYYY-MM-DD                    00:00 local in tz
 *   YYYY-MM-DDTHH:MM[:SS]         local in tz ('T' or one space between date and time)
 *   YYYY-MM-DDTHH:MM[:SS]Z        UTC
 *   YYYY-MM-DDTHH:MM[:SS]+HH:MM   with an explicit offset (+HH:MM, +HHMM, -HH:MM, -HHMM)
 * tz is only needed (and only checked) for the forms without Z or offset; a local time in a
 * DST gap or ambiguous hour is resolved as the file header says. The error names the input
 * and lists the accepted forms.
 */
int fbtime_parse(const char *s, const char *tz, time_t *out, struct fb_error *err);

/* The local time hour:min on date d in zone tz, as UTC seconds (gap/ambiguity: see above). */
int fbtime_local_to_utc(const char *tz, const struct fb_date *d, int hour, int min, time_t *out,
    struct fb_error *err);

/* The UTC instant t as seen in zone tz. */
int fbtime_to_local(const char *tz, time_t t, struct fb_local *out, struct fb_error *err);

/*
 * Pure calendar arithmetic; d must be valid (fbtime_date_valid), results are not range-checked
 * against the supported years (check with fbtime_date_valid when it matters).
 */
/* d moved by days (may be negative). */
struct fb_date fbtime_date_add_days(const struct fb_date *d, int days);
/* 1 = Monday .. 7 = Sunday. */
int fbtime_weekday(const struct fb_date *d);
/* Days from a to b: positive when b is later. */
long fbtime_days_between(const struct fb_date *a, const struct fb_date *b);
/* <0, 0, >0 as a is before, equal to, after b. */
int fbtime_date_cmp(const struct fb_date *a, const struct fb_date *b);
/* "Monday" .. "Sunday" for 1..7; "?" otherwise. Static string. */
const char *fbtime_weekday_name(int weekday);

/*
 * Formatting: each appends to out and returns 0, or -1 when out cannot grow or (for the
 * zone forms) tz or t is invalid.
 */
/* "2027-03-29" */
int fbtime_format_date(const struct fb_date *d, struct buf *out);
/*
 * A date as a person reads it in lang ("nl", "en"; anything else: nl): "maandag 29 maart" /
 * "Monday 29 March", with the year ("maandag 29 maart 2027") only when it is not this_year,
 * the year the reader is in. Never an ISO date: this is the form for every mail a person
 * reads (ICS data and machine headers keep the ISO forms above). -1 also for an invalid d.
 */
int fbtime_format_human_date(const struct fb_date *d, const char *lang, int this_year,
    struct buf *out);
/* "maandag" / "Monday" for weekday 1 (Monday) .. 7 in lang as above; "?" otherwise. Static. */
const char *fbtime_human_weekday(int weekday, const char *lang);
/* "2027-03-29 09:00 +02:00": local wall time in tz with its offset. */
int fbtime_format_local(const char *tz, time_t t, struct buf *out);
/* "2027-03-29T07:00:00Z" */
int fbtime_format_utc(time_t t, struct buf *out);

/* Free libical's cached zones (call once at exit; tests call it so valgrind stays clean).
 * Harmless to call more than once; a later conversion loads the zones again. */
void fbtime_cleanup(void);

#endif
