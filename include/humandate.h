/*
 * humandate — dates as people read them in a mail: "maandag 15 maart", "Monday 15 March",
 * instead of the ISO form ("2027-03-15") that is right for files and logs but not for a
 * person. Pure: a date (or an instant and a zone, through fbtime) in, words out.
 *
 * Language: "en" is English; anything else (NULL, "nl", a code we do not know) is Dutch, the
 * programme's default, as everywhere in feedbackd. Dutch weekdays and months are lower case
 * (Dutch spelling), English ones capitalised.
 *
 * Every function appends to out and returns 0, or -1 when out cannot grow, d is not a valid
 * date, or (humandate_format_at) tz or t is invalid; out is unchanged on -1.
 */
#ifndef FB_HUMANDATE_H
#define FB_HUMANDATE_H

#include <time.h>

#include "buf.h"
#include "fbtime.h"

/* "maandag 15 maart" / "Monday 15 March" */
int humandate_format(const struct fb_date *d, const char *lang, struct buf *out);

/* "maandag" / "Monday" for weekday 1 (Monday) .. 7; "?" otherwise. A static string. */
const char *humandate_weekday(int weekday, const char *lang);

/* The local date of instant t in zone tz as humandate_format() writes it; with with_time,
 * followed by " om 14:00" / " at 14:00". */
int humandate_format_at(time_t t, const char *tz, const char *lang, int with_time,
    struct buf *out);

#endif
