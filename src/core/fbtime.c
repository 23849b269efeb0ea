/*
 * fbtime — dates, local times and time zones. See include/fbtime.h for the contract.
 *
 * Dates are counted as days since 1970-01-01 (civil ↔ day number by the usual era/March-based
 * arithmetic), so date arithmetic never touches a zone. libical is asked one question only:
 * "what is the UTC offset of zone Z at UTC instant T?", which has one answer; local wall times
 * are resolved from that here, so gaps and ambiguous hours go the documented way.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "buf.h"
#include "fberror.h"
#include "fbtime.h"
#include "banned.h"

#define DAY_SECONDS 86400L
/* How far either side of a local time to look for the offsets in force before and after it.
 * Zone transitions are months apart; 36 hours covers any gap or overlap (at most a few hours). */
#define PROBE_SECONDS (36L * 3600)

static const char ACCEPTED_FORMS[] =
    "accepted: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] or \"YYYY-MM-DD HH:MM[:SS]\", a time optionally "
    "followed by Z or an offset such as +01:00 or +0100";

/* ---- pure calendar arithmetic ---------------------------------------------------------- */

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && is_leap(y))
		return 29;
	return len[m - 1];
}

/*
 * Day number (days since 1970-01-01) of a civil date. The year is counted from March so that
 * the leap day falls at its end; a 400-year era has exactly 146097 days.
 */
static long
day_number(long y, long m, long d)
{
	long era, yoe, doy, doe;

	if (m <= 2)
		y -= 1;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;                               /* 0..399 */
	doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;      /* 0..365, from March 1 */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;       /* 0..146096 */
	return era * 146097 + doe - 719468;                /* 719468: 0000-03-01 → 1970-01-01 */
}

/* The inverse of day_number(). */
static struct fb_date
civil_date(long z)
{
	struct fb_date d;
	long era, doe, yoe, doy, mp, y;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d.day = (int)(doy - (153 * mp + 2) / 5 + 1);
	d.month = (int)(mp < 10 ? mp + 3 : mp - 9);
	y = yoe + era * 400 + (d.month <= 2);
	d.year = (int)y;
	return d;
}

static long
date_number(const struct fb_date *d)
{
	return day_number(d->year, d->month, d->day);
}

static int
weekday_of_number(long z)
{
	/* 1970-01-01 was a Thursday (4). */
	long r = (z + 3) % 7;

	if (r < 0)
		r += 7;
	return (int)r + 1;
}

int
fbtime_date_valid(const struct fb_date *d)
{
	if (d == NULL || d->year < FBTIME_YEAR_MIN || d->year > FBTIME_YEAR_MAX)
		return 0;
	if (d->month < 1 || d->month > 12)
		return 0;
	return d->day >= 1 && d->day <= days_in_month(d->year, d->month);
}

struct fb_date
fbtime_date_add_days(const struct fb_date *d, int days)
{
	return civil_date(date_number(d) + days);
}

int
fbtime_weekday(const struct fb_date *d)
{
	return weekday_of_number(date_number(d));
}

long
fbtime_days_between(const struct fb_date *a, const struct fb_date *b)
{
	return date_number(b) - date_number(a);
}

int
fbtime_date_cmp(const struct fb_date *a, const struct fb_date *b)
{
	long diff = fbtime_days_between(b, a);

	return diff < 0 ? -1 : diff > 0;
}

const char *
fbtime_weekday_name(int weekday)
{
	static const char *const names[7] = {
		"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
	};

	if (weekday < 1 || weekday > 7)
		return "?";
	return names[weekday - 1];
}

/* The supported instants: from FBTIME_YEAR_MIN-01-01T00:00Z to the end of FBTIME_YEAR_MAX. */
static int
instant_valid(time_t t)
{
	long lo = day_number(FBTIME_YEAR_MIN, 1, 1) * DAY_SECONDS;
	long hi = day_number(FBTIME_YEAR_MAX + 1, 1, 1) * DAY_SECONDS;

	return (long long)t >= lo && (long long)t < hi;
}

/* ---- zones ----------------------------------------------------------------------------- */

/*
 * libical turns an unknown name into a path under the zoneinfo directory: allow only the
 * characters IANA names use, and no "." at all (so no ".."). Refuse too the files there that
 * are not a fixed zone: "localtime" and "posixrules" follow the machine's configuration, and
 * the "right/" zones count leap seconds, which time_t does not.
 */
static int
zone_name_ok(const char *tz)
{
	size_t n;

	if (tz == NULL || strcmp(tz, "localtime") == 0 || strcmp(tz, "posixrules") == 0 ||
	    strncmp(tz, "right/", 6) == 0)
		return 0;
	n = strnlen(tz, FBTIME_ZONE_MAX + 1);
	if (n == 0 || n > FBTIME_ZONE_MAX || tz[0] == '/' || tz[0] == '-' || tz[n - 1] == '/')
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)tz[i];

		if (!isalnum(c) && c != '_' && c != '-' && c != '+' && c != '/')
			return 0;
		if (c == '/' && tz[i + 1] == '/')
			return 0;
	}
	return 1;
}

/* Append s for an error message: at most 48 bytes, anything unprintable as '?'. */
static void
add_quoted(struct buf *b, const char *s)
{
	size_t i;

	buf_putch(b, '"');
	for (i = 0; s[i] != '\0' && i < 48; i++) {
		unsigned char c = (unsigned char)s[i];

		buf_putch(b, c >= 0x20 && c < 0x7f ? (char)c : '?');
	}
	if (s[i] != '\0')
		buf_puts(b, "...");
	buf_putch(b, '"');
}

static icaltimezone *
zone_get(const char *tz, struct fb_error *err)
{
	icaltimezone *z = NULL;
	struct buf name = BUF_INIT;

	if (zone_name_ok(tz))
		z = icaltimezone_get_builtin_timezone(tz);
	if (z == NULL) {
		if (tz == NULL)
			buf_puts(&name, "(none)");
		else
			add_quoted(&name, tz);
		if (buf_failed(&name))
			fb_error_set(err, "out of memory");
		else
			fb_error_set(err, "unknown time zone %s: use an IANA zone name such as "
		    "Europe/Amsterdam or America/New_York (from the tzdata package)", name.data);
		buf_release(&name);
	}
	return z;
}

int
fbtime_zone_valid(const char *tz)
{
	return zone_get(tz, NULL) != NULL;
}

int
fbtime_zone_check(const char *tz, struct fb_error *err)
{
	return zone_get(tz, err) != NULL ? 0 : -1;
}

/* UTC offset of zone z at UTC instant t (seconds to add to UTC); is_dst may be NULL. */
static int
zone_offset(icaltimezone *z, time_t t, int *is_dst)
{
	struct icaltimetype tt = icaltime_null_time();
	long days = (long)(t / DAY_SECONDS), secs = (long)(t % DAY_SECONDS);
	struct fb_date d;
	int dst = 0, off;

	if (secs < 0) {
		secs += DAY_SECONDS;
		days -= 1;
	}
	d = civil_date(days);
	tt.year = d.year;
	tt.month = d.month;
	tt.day = d.day;
	tt.hour = (int)(secs / 3600);
	tt.minute = (int)(secs / 60 % 60);
	tt.second = (int)(secs % 60);
	tt.is_date = 0;
	tt.zone = icaltimezone_get_utc_timezone();
	off = icaltimezone_get_utc_offset_of_utc_time(z, &tt, &dst);
	if (is_dst != NULL)
		*is_dst = dst != 0;
	return off;
}

/*
 * The UTC instant of local wall time `wall` (local seconds counted as if they were UTC).
 * Candidates: wall minus the offset in force shortly before, and shortly after. A candidate
 * is real when the zone's offset at it is the one used. Both real and different: the
 * ambiguous hour, take the earlier (the first occurrence). Neither: the gap, take the one
 * with the offset from before the gap, which lands after it (shifted forward).
 */
static time_t
resolve_wall(icaltimezone *z, time_t wall)
{
	int off_before = zone_offset(z, wall - PROBE_SECONDS, NULL);
	int off_after = zone_offset(z, wall + PROBE_SECONDS, NULL);
	time_t c1 = wall - off_before, c2 = wall - off_after;
	int ok1 = zone_offset(z, c1, NULL) == off_before;
	int ok2 = zone_offset(z, c2, NULL) == off_after;

	if (ok1 && ok2)
		return c1 < c2 ? c1 : c2;
	if (ok2)
		return c2;
	return c1;
}

static int
local_to_utc(const char *tz, const struct fb_date *d, int hour, int min, int sec, time_t *out,
    struct fb_error *err)
{
	icaltimezone *z;
	time_t wall;

	if (!fbtime_date_valid(d))
		return fb_error_set(err, "invalid date %04d-%02d-%02d (years %d..%d)",
		    d ? d->year : 0, d ? d->month : 0, d ? d->day : 0, FBTIME_YEAR_MIN,
		    FBTIME_YEAR_MAX);
	if (hour < 0 || hour > 23 || min < 0 || min > 59 || sec < 0 || sec > 59)
		return fb_error_set(err, "invalid time of day %02d:%02d:%02d (00:00..23:59:59)",
		    hour, min, sec);
	if ((z = zone_get(tz, err)) == NULL)
		return -1;
	wall = (time_t)date_number(d) * DAY_SECONDS + hour * 3600L + min * 60L + sec;
	*out = resolve_wall(z, wall);
	return 0;
}

int
fbtime_local_to_utc(const char *tz, const struct fb_date *d, int hour, int min, time_t *out,
    struct fb_error *err)
{
	return local_to_utc(tz, d, hour, min, 0, out, err);
}

int
fbtime_to_local(const char *tz, time_t t, struct fb_local *out, struct fb_error *err)
{
	icaltimezone *z;
	int off, dst;
	time_t wall;
	long days, secs;

	if (!instant_valid(t))
		return fb_error_set(err, "time %lld is outside the supported years %d..%d",
		    (long long)t, FBTIME_YEAR_MIN, FBTIME_YEAR_MAX);
	if ((z = zone_get(tz, err)) == NULL)
		return -1;
	off = zone_offset(z, t, &dst);
	wall = t + off;
	days = (long)(wall / DAY_SECONDS);
	secs = (long)(wall % DAY_SECONDS);
	if (secs < 0) {
		secs += DAY_SECONDS;
		days -= 1;
	}
	out->date = civil_date(days);
	out->hour = (int)(secs / 3600);
	out->min = (int)(secs / 60 % 60);
	out->sec = (int)(secs % 60);
	out->weekday = weekday_of_number(days);
	out->utc_offset = off;
	out->is_dst = dst;
	return 0;
}

/* ---- parsing --------------------------------------------------------------------------- */

/* Read exactly n decimal digits at *p; stops at the first non-digit (so never passes a NUL). */
static int
take_digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		unsigned char c = (unsigned char)(*p)[i];

		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int
take_char(const char **p, char c)
{
	if (**p != c)
		return -1;
	(*p)++;
	return 0;
}

/* "<input> is not a valid <what>: <why> (<forms>)"; returns -1. */
static int
parse_fail(struct fb_error *err, const char *s, const char *what, const struct buf *why,
    const char *forms)
{
	struct buf b = BUF_INIT;

	add_quoted(&b, s);
	if (buf_failed(&b) || buf_failed(why))
		fb_error_set(err, "out of memory");
	else
		fb_error_set(err, "%s is not a valid %s: %s (%s)", b.data, what, why->data, forms);
	buf_release(&b);
	return -1;
}

/* The date part "YYYY-MM-DD" at *p: shape, then values. why is set on a value error. */
static int
take_date(const char **p, struct fb_date *d, struct buf *why)
{
	if (take_digits(p, 4, &d->year) < 0 || take_char(p, '-') < 0 ||
	    take_digits(p, 2, &d->month) < 0 || take_char(p, '-') < 0 ||
	    take_digits(p, 2, &d->day) < 0) {
		buf_puts(why, "expected a date YYYY-MM-DD");
		return -1;
	}
	if (d->year < FBTIME_YEAR_MIN || d->year > FBTIME_YEAR_MAX) {
		buf_putf(why, "year %d is outside %d..%d", d->year, FBTIME_YEAR_MIN,
		    FBTIME_YEAR_MAX);
		return -1;
	}
	if (d->month < 1 || d->month > 12) {
		buf_putf(why, "month %02d does not exist", d->month);
		return -1;
	}
	if (d->day < 1 || d->day > days_in_month(d->year, d->month)) {
		buf_putf(why, "day %02d does not exist in %04d-%02d, which has %d days", d->day,
		    d->year, d->month, days_in_month(d->year, d->month));
		return -1;
	}
	return 0;
}

int
fbtime_parse_date(const char *s, struct fb_date *out, struct fb_error *err)
{
	struct buf why = BUF_INIT;
	struct fb_date d;
	const char *p = s;
	int rc = 0;

	if (s == NULL)
		return fb_error_set(err, "no date given (accepted: YYYY-MM-DD)");
	if (take_date(&p, &d, &why) < 0)
		rc = -1;
	else if (*p != '\0') {
		buf_puts(&why, "unexpected text after the date");
		rc = -1;
	}
	if (rc < 0)
		parse_fail(err, s, "date", &why, "accepted: YYYY-MM-DD");
	else
		*out = d;
	buf_release(&why);
	return rc;
}

/* The part after the date: "" or [T ]HH:MM[:SS][Z|±HH[:]MM]. */
static int
take_time(const char **p, int *hour, int *min, int *sec, int *has_off, long *off,
    struct buf *why)
{
	int oh, om;
	char sign;

	if (take_char(p, 'T') < 0 && take_char(p, ' ') < 0) {
		buf_puts(why, "expected 'T' or a space between date and time");
		return -1;
	}
	if (take_digits(p, 2, hour) < 0 || take_char(p, ':') < 0 || take_digits(p, 2, min) < 0) {
		buf_puts(why, "expected a time HH:MM");
		return -1;
	}
	*sec = 0;
	if (take_char(p, ':') == 0 && take_digits(p, 2, sec) < 0) {
		buf_puts(why, "expected seconds as :SS");
		return -1;
	}
	if (*hour > 23 || *min > 59 || *sec > 59) {
		buf_putf(why, "%02d:%02d:%02d is not a time of day (00:00..23:59:59)", *hour, *min,
		    *sec);
		return -1;
	}
	*has_off = 0;
	if (**p == 'Z') {
		(*p)++;
		*has_off = 1;
		*off = 0;
	} else if (**p == '+' || **p == '-') {
		sign = *(*p)++;
		if (take_digits(p, 2, &oh) < 0) {
			buf_puts(why, "expected an offset as +HH:MM or +HHMM");
			return -1;
		}
		(void)take_char(p, ':'); /* optional: +01:00 and +0100 are both ISO 8601 */
		if (take_digits(p, 2, &om) < 0) {
			buf_puts(why, "expected an offset as +HH:MM or +HHMM");
			return -1;
		}
		if (oh > 18 || om > 59) {
			buf_putf(why, "offset %c%02d:%02d is out of range (at most 18:00)", sign, oh,
			    om);
			return -1;
		}
		*has_off = 1;
		*off = (oh * 3600L + om * 60L) * (sign == '-' ? -1 : 1);
	}
	if (**p != '\0') {
		buf_puts(why, "unexpected text after the time");
		return -1;
	}
	return 0;
}

int
fbtime_parse(const char *s, const char *tz, time_t *out, struct fb_error *err)
{
	struct buf why = BUF_INIT;
	struct fb_date d;
	const char *p = s;
	int hour = 0, min = 0, sec = 0, has_off = 0, rc = -1;
	long off = 0;
	time_t t;

	if (s == NULL)
		return fb_error_set(err, "no time given (%s)", ACCEPTED_FORMS);
	if (take_date(&p, &d, &why) < 0)
		goto fail;
	if (*p != '\0' && take_time(&p, &hour, &min, &sec, &has_off, &off, &why) < 0)
		goto fail;
	if (!has_off) {
		rc = local_to_utc(tz, &d, hour, min, sec, out, err);
		buf_release(&why);
		return rc;
	}
	t = (time_t)date_number(&d) * DAY_SECONDS + hour * 3600L + min * 60L + sec - off;
	if (!instant_valid(t)) {
		buf_putf(&why, "it is outside the supported years %d..%d", FBTIME_YEAR_MIN,
		    FBTIME_YEAR_MAX);
		goto fail;
	}
	*out = t;
	buf_release(&why);
	return 0;
fail:
	parse_fail(err, s, "time", &why, ACCEPTED_FORMS);
	buf_release(&why);
	return -1;
}

/* ---- formatting ------------------------------------------------------------------------ */

int
fbtime_format_date(const struct fb_date *d, struct buf *out)
{
	return buf_addf(out, "%04d-%02d-%02d", d->year, d->month, d->day);
}

static const char *const human_days[2][7] = {
	{ "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag" },
	{ "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" },
};
static const char *const human_months[2][12] = {
	{ "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
	    "september", "oktober", "november", "december" },
	{ "January", "February", "March", "April", "May", "June", "July", "August",
	    "September", "October", "November", "December" },
};

static int
human_en(const char *lang)
{
	return lang != NULL && strcmp(lang, "en") == 0;
}

const char *
fbtime_human_weekday(int weekday, const char *lang)
{
	if (weekday < 1 || weekday > 7)
		return "?";
	return human_days[human_en(lang)][weekday - 1];
}

int
fbtime_format_human_date(const struct fb_date *d, const char *lang, int this_year,
    struct buf *out)
{
	int en = human_en(lang);

	if (!fbtime_date_valid(d))
		return -1;
	if (buf_addf(out, "%s %d %s", human_days[en][fbtime_weekday(d) - 1], d->day,
	    human_months[en][d->month - 1]) < 0)
		return -1;
	return d->year == this_year ? 0 : buf_addf(out, " %d", d->year);
}

int
fbtime_format_local(const char *tz, time_t t, struct buf *out)
{
	struct fb_local l;
	int off;

	if (fbtime_to_local(tz, t, &l, NULL) < 0)
		return -1;
	off = l.utc_offset < 0 ? -l.utc_offset : l.utc_offset;
	if (buf_addf(out, "%04d-%02d-%02d %02d:%02d %c%02d:%02d", l.date.year, l.date.month,
	    l.date.day, l.hour, l.min, l.utc_offset < 0 ? '-' : '+', off / 3600,
	    off / 60 % 60) < 0)
		return -1;
	/* Historical offsets may have seconds (local mean time); do not hide them. */
	if (off % 60 != 0 && buf_addf(out, ":%02d", off % 60) < 0)
		return -1;
	return 0;
}

int
fbtime_format_utc(time_t t, struct buf *out)
{
	struct fb_date d;
	long secs;

	if (!instant_valid(t))
		return -1;
	d = civil_date((long)(t / DAY_SECONDS));
	secs = (long)(t % DAY_SECONDS); /* t >= 0 here */
	return buf_addf(out, "%04d-%02d-%02dT%02ld:%02ld:%02ldZ", d.year, d.month, d.day,
	    secs / 3600, secs / 60 % 60, secs % 60);
}

void
fbtime_cleanup(void)
{
	icaltimezone_free_builtin_timezones();
}
