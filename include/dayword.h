/*
 * dayword — a day as people write it in a reply, in Dutch or English: "2027-02-12",
 * "12-2-2027", "12/2", "12 februari", "12 feb. 2027", "February 12th", "vrijdag", "fri",
 * "volgende week vrijdag", "next Friday", "morgen", "tomorrow", "overmorgen", "today".
 *
 * Reading and placing are apart because only the caller knows the day it is: the parse is
 * pure text, dayword_resolve() puts the day on the calendar from a today the caller passes
 * in. Case, accents on nothing, a trailing full stop and ordinal suffixes ("1e", "1ste",
 * "1st", "2nd", "12th") are forgiven; numeric days are day-month(-year), as written in Europe.
 */
#ifndef FB_DAYWORD_H
#define FB_DAYWORD_H

#include <stddef.h>

#include "fbtime.h"

enum dayword_kind {
	DAYWORD_DATE,     /* a whole date: date */
	DAYWORD_MONTHDAY, /* a day of a month without year: date.month, date.day */
	DAYWORD_WEEKDAY,  /* a day of the week: weekday (1 = Monday), next_week */
	DAYWORD_OFFSET,   /* today, tomorrow, the day after: offset days from today */
};

struct dayword {
	enum dayword_kind kind;
	struct fb_date date;
	int weekday;
	int next_week; /* "volgende week vrijdag", "next Friday": the one in the coming week */
	int offset;
};

/* Read s[0..len) as one day and nothing else. 0 with *out set, -1 when it is not a day (out
 * untouched). A whole date is checked against the calendar (30 February is not a day). */
int dayword_parse(const char *s, size_t len, struct dayword *out);

/* Whether s[0..len) is a day written with a digit in it ("12 feb", "1-2-2027"): the only days
 * taken at the end of a name, where "Jan Vrijdag" is a person. */
int dayword_has_digit(const char *s, size_t len);

/*
 * The calendar day w means, said on today: a whole date is itself; an offset counts from
 * today; a day of the month is the first one on or after not_before; a day of the week the
 * first one on or after today or not_before, whichever is later ("next": in the week after
 * that one's). 0, or -1 when a day of the month cannot be placed (never: 29 February comes
 * within eight years).
 */
int dayword_resolve(const struct dayword *w, const struct fb_date *today,
    const struct fb_date *not_before, struct fb_date *out);

#endif
