/*
 * itip_build — the REQUEST and CANCEL calendars feedbackd sends (see itip.h for what goes in).
 *
 * Everything is made as libical components and properties and written by libical, which
 * escapes text values, folds lines at 75 octets and ends lines with CRLF. The one thing we
 * make ourselves is the time zone: libical's built-in zone carries the zone's whole history
 * under a private TZID, which Outlook misreads, so we look at the zone's offsets over the
 * event's year (fbtime, i.e. the system's tzdata), find its two transitions, and write each as
 * a yearly "n-th (or last) weekday of a month" RRULE — the shape every calendar program
 * writes and reads.
 */
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "fbtime.h"
#include "itip.h"
#include "banned.h"

#define PRODID "-//feedbackd//feedbackd//EN"

const char *
itip_method_name(enum itip_method m)
{
	return m == ITIP_CANCEL ? "CANCEL" : m == ITIP_PUBLISH ? "PUBLISH" : "REQUEST";
}

/* ---- input checks ------------------------------------------------------------------------------ */

static int
utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		size_t n;
		unsigned cp;

		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			n = 1;
			cp = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			n = 2;
			cp = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			n = 3;
			cp = *p & 0x07;
		} else {
			return 0;
		}
		for (size_t i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += n + 1;
	}
	return 1;
}

/* UIDs and addresses: printable ASCII without spaces, quotes or the URI-breaking characters
 * that would make a CAL-ADDRESS ambiguous. */
static int
word_ok(const char *s, int need_at)
{
	size_t n = 0;

	if (s == NULL || *s == '\0')
		return 0;
	for (; s[n] != '\0'; n++) {
		unsigned char ch = (unsigned char)s[n];

		if (ch <= ' ' || ch >= 0x7f || ch == '"' || ch == ',' || ch == ';' || ch == ':' ||
		    ch == '<' || ch == '>' || ch == '\\')
			return 0;
		if (n >= ITIP_MAX_WORD)
			return 0;
	}
	return !need_at || strchr(s, '@') != NULL;
}

static int
url_ok(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if ((unsigned char)s[n] <= ' ' || (unsigned char)s[n] >= 0x7f || s[n] == '"' ||
		    s[n] == '<' || s[n] == '>' || s[n] == '\\' || n >= ITIP_MAX_WORD)
			return 0;
	return 1;
}

static int
text_ok(const char *s, int required)
{
	if (s == NULL || *s == '\0')
		return !required;
	return strlen(s) <= ITIP_MAX_TEXT && utf8_valid(s);
}

/* A CN parameter value: no control characters and no DQUOTE (RFC 5545 3.2 forbids them in a
 * quoted parameter value): control characters become spaces, DQUOTE an apostrophe. Caller
 * frees; NULL for an empty, over-long or invalid name (the CN is then left out). */
static char *
param_text(const char *s)
{
	char *c;

	if (s == NULL || *s == '\0' || strlen(s) > ITIP_MAX_WORD || !utf8_valid(s))
		return NULL;
	if ((c = strdup(s)) == NULL)
		return NULL;
	for (char *p = c; *p != '\0'; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			*p = ' ';
		else if (*p == '"')
			*p = '\'';
	return c;
}

/* ---- the compact time zone --------------------------------------------------------------------- */

struct tzrule {
	int from, to;            /* UTC offsets in seconds before and after */
	int month, weekday, pos; /* weekday 1 = Monday .. 7; pos 1..4 or -1 (last) */
	struct fb_date first;    /* the rule's date in 1970 (DTSTART) */
	int hour, min, sec;      /* local wall time of the change, in the offset before it */
};

static int
days_in_month(int year, int month)
{
	struct fb_date d = { year, month, 31 };

	while (d.day > 28 && !fbtime_date_valid(&d))
		d.day--;
	return d.day;
}

/* The date of the pos-th (or last, pos -1) weekday of month in year. */
static struct fb_date
nth_weekday(int year, int month, int weekday, int pos)
{
	struct fb_date d = { year, month, 1 };

	if (pos > 0) {
		d.day = 1 + (weekday - fbtime_weekday(&d) + 7) % 7 + 7 * (pos - 1);
	} else {
		d.day = days_in_month(year, month);
		d.day -= (fbtime_weekday(&d) - weekday + 7) % 7;
	}
	return d;
}

static int
offset_at(const char *tz, time_t t, int *off, struct fb_error *err)
{
	struct fb_local l;

	if (fbtime_to_local(tz, t, &l, err) < 0)
		return -1;
	*off = l.utc_offset;
	return 0;
}

/* Describe the change at instant t (first second of the new offset) as a rule. */
static int
rule_of(time_t t, int from, int to, struct tzrule *r, struct fb_error *err)
{
	struct fb_local wall;

	if (fbtime_to_local("UTC", t + from, &wall, err) < 0)
		return -1;
	r->from = from;
	r->to = to;
	r->month = wall.date.month;
	r->weekday = wall.weekday;
	r->pos = wall.date.day + 7 > days_in_month(wall.date.year, wall.date.month) ? -1 :
	    (wall.date.day - 1) / 7 + 1;
	r->hour = wall.hour;
	r->min = wall.min;
	r->sec = wall.sec;
	r->first = nth_weekday(1970, r->month, r->weekday, r->pos);
	return 0;
}

/*
 * The zone's rules in year: *n = 0 with *fixed the offset (no daylight-saving time), or 2
 * rules. 1 when the year does not fit that shape (one change, more than two, a change that
 * is not on a weekday rule), -1 with err.
 */
static int
zone_rules(const char *tz, int year, struct tzrule rules[2], size_t *n, int *fixed,
    struct fb_error *err)
{
	struct fb_date jan1 = { year, 1, 1 };
	time_t t0, prev_t;
	int prev, cur;

	*n = 0;
	if (fbtime_local_to_utc("UTC", &jan1, 0, 0, &t0, err) < 0 || offset_at(tz, t0, &prev, err) < 0)
		return -1;
	*fixed = prev;
	prev_t = t0;
	/* a day at a time over the year, then halve the day in which the offset changed */
	for (int day = 1; day <= 366; day++) {
		time_t t = t0 + (time_t)day * 86400;

		if (offset_at(tz, t, &cur, err) < 0)
			return -1;
		if (cur != prev) {
			time_t lo = prev_t, hi = t;

			while (hi - lo > 1) {
				time_t mid = lo + (hi - lo) / 2;
				int m;

				if (offset_at(tz, mid, &m, err) < 0)
					return -1;
				if (m == prev)
					lo = mid;
				else
					hi = mid;
			}
			if (*n == 2)
				return 1;
			if (rule_of(hi, prev, cur, &rules[*n], err) < 0)
				return -1;
			(*n)++;
			prev = cur;
		}
		prev_t = t;
	}
	if (*n == 1)
		return 1;
	if (*n == 2 && (rules[0].from != rules[1].to || rules[0].to != rules[1].from))
		return 1;
	return 0;
}

static struct icaltimetype
wall_time(const struct fb_date *d, int hour, int min, int sec)
{
	struct icaltimetype t = icaltime_null_time();

	t.year = d->year;
	t.month = d->month;
	t.day = d->day;
	t.hour = hour;
	t.minute = min;
	t.second = sec;
	t.is_date = 0;
	return t;
}

/* libical encodes a BYDAY entry as sign * (|position| * 8 + day), Sunday = 1. */
static short
byday(int weekday, int pos)
{
	int d = weekday % 7 + 1;
	short v = (short)(pos < 0 ? -(8 * -pos + d) : 8 * pos + d);

	return v;
}

static icalcomponent *
observance(const struct tzrule *r, int is_daylight)
{
	icalcomponent *c = is_daylight ? icalcomponent_new_xdaylight() : icalcomponent_new_xstandard();
	struct icalrecurrencetype rr;

	if (c == NULL)
		return NULL;
	icalcomponent_add_property(c, icalproperty_new_dtstart(wall_time(&r->first, r->hour,
	    r->min, r->sec)));
	icalcomponent_add_property(c, icalproperty_new_tzoffsetfrom(r->from));
	icalcomponent_add_property(c, icalproperty_new_tzoffsetto(r->to));
	if (r->month != 0) {
		icalrecurrencetype_clear(&rr);
		rr.freq = ICAL_YEARLY_RECURRENCE;
		rr.by_month[0] = (short)r->month;
		rr.by_month[1] = ICAL_RECURRENCE_ARRAY_MAX;
		rr.by_day[0] = byday(r->weekday, r->pos);
		rr.by_day[1] = ICAL_RECURRENCE_ARRAY_MAX;
		icalcomponent_add_property(c, icalproperty_new_rrule(rr));
	}
	return c;
}

/* The VTIMEZONE component, or NULL with *unfit = 1 (use UTC) or with err (-1 path). */
static icalcomponent *
vtimezone(const char *tz, int year, int *unfit, struct fb_error *err)
{
	struct tzrule rules[2];
	size_t n;
	int fixed, rc;
	icalcomponent *vtz;

	*unfit = 0;
	if ((rc = zone_rules(tz, year, rules, &n, &fixed, err)) != 0) {
		*unfit = rc == 1;
		return NULL;
	}
	if ((vtz = icalcomponent_new_vtimezone()) == NULL) {
		fb_error_set(err, "out of memory building a time zone");
		return NULL;
	}
	icalcomponent_add_property(vtz, icalproperty_new_tzid(tz));
	if (n == 0) {
		struct tzrule r = { fixed, fixed, 0, 0, 0, { 1970, 1, 1 }, 0, 0, 0 };

		icalcomponent_add_component(vtz, observance(&r, 0));
		return vtz;
	}
	/* STANDARD first, as most writers do; the rule with the larger offset is daylight time
	 * (tzdata calls Dublin's winter "DST"; calendars call the summer offset DAYLIGHT) */
	for (size_t i = 0; i < 2; i++) {
		const struct tzrule *r = &rules[(i + (rules[0].to > rules[1].to ? 1 : 0)) % 2];

		icalcomponent_add_component(vtz, observance(r, i == 1));
	}
	return vtz;
}

int
itip_vtimezone(const char *tz, int year, struct buf *out, struct fb_error *err)
{
	int unfit;
	icalcomponent *vtz;
	char *s;
	int rc;

	if (fbtime_zone_check(tz, err) < 0)
		return -1;
	if (year < FBTIME_YEAR_MIN || year >= FBTIME_YEAR_MAX)
		return fb_error_set(err, "year %d is outside %d..%d", year, FBTIME_YEAR_MIN,
		    FBTIME_YEAR_MAX - 1);
	icalerror_set_errors_are_fatal(0);
	if ((vtz = vtimezone(tz, year, &unfit, err)) == NULL)
		return unfit ? 1 : -1;
	s = icalcomponent_as_ical_string_r(vtz);
	icalcomponent_free(vtz);
	if (s == NULL)
		return fb_error_set(err, "out of memory writing a time zone");
	rc = buf_adds(out, s) < 0 ? fb_error_set(err, "out of memory writing a time zone") : 0;
	free(s);
	return rc;
}

/* ---- the event ----------------------------------------------------------------------------------- */

/* DTSTART or DTEND: local wall time with TZID, or UTC when tz is NULL. */
static icalproperty *
time_property(int end, const char *tz, time_t t, struct fb_error *err)
{
	struct icaltimetype it;
	icalproperty *p;

	if (tz == NULL) {
		it = icaltime_from_timet_with_zone(t, 0, icaltimezone_get_utc_timezone());
	} else {
		struct fb_local l;

		if (fbtime_to_local(tz, t, &l, err) < 0)
			return NULL;
		it = wall_time(&l.date, l.hour, l.min, l.sec);
	}
	p = end ? icalproperty_new_dtend(it) : icalproperty_new_dtstart(it);
	if (p != NULL && tz != NULL)
		icalproperty_add_parameter(p, icalparameter_new_tzid(tz));
	return p;
}

static icalproperty *
address_property(int organizer, const char *addr, const char *name)
{
	struct buf uri = BUF_INIT;
	icalproperty *p;
	char *cn = param_text(name);

	if (buf_addf(&uri, "mailto:%s", addr) < 0) {
		free(cn);
		return NULL;
	}
	p = organizer ? icalproperty_new_organizer(uri.data) : icalproperty_new_attendee(uri.data);
	buf_release(&uri);
	if (p != NULL && cn != NULL)
		icalproperty_add_parameter(p, icalparameter_new_cn(cn));
	free(cn);
	return p;
}

static int
check_event(const struct itip_event *ev, struct fb_error *err)
{
	if (ev->method != ITIP_REQUEST && ev->method != ITIP_CANCEL && ev->method != ITIP_PUBLISH)
		return fb_error_set(err, "calendar: method must be REQUEST, CANCEL or PUBLISH");
	if (!word_ok(ev->uid, 0))
		return fb_error_set(err, "calendar: the UID is missing or not printable ASCII "
		    "without spaces (at most %d characters)", ITIP_MAX_WORD);
	if (ev->sequence < 0 || ev->sequence > INT32_MAX)
		return fb_error_set(err, "calendar: SEQUENCE %lld is outside 0..%d",
		    (long long)ev->sequence, INT32_MAX);
	if (ev->duration_min <= 0 || ev->duration_min > 7 * 24 * 60)
		return fb_error_set(err, "calendar: duration of %d minutes is outside 1..%d",
		    ev->duration_min, 7 * 24 * 60);
	if (!word_ok(ev->organizer_addr, 1))
		return fb_error_set(err, "calendar: the organizer address is missing or invalid");
	/* PUBLISH: no ATTENDEE (RFC 5546 3.2.1), so a published calendar names nobody */
	if (ev->method != ITIP_PUBLISH && !word_ok(ev->attendee_addr, 1))
		return fb_error_set(err, "calendar: the attendee address is missing or invalid");
	if (!text_ok(ev->summary, 1))
		return fb_error_set(err, "calendar: the summary is missing, too long or not UTF-8");
	if (!text_ok(ev->description, 0) || !text_ok(ev->location, 0))
		return fb_error_set(err, "calendar: the description or location is too long or "
		    "not UTF-8");
	if (ev->url != NULL && *ev->url != '\0' && !url_ok(ev->url))
		return fb_error_set(err, "calendar: the online URL must be printable ASCII without "
		    "spaces or quotes (at most %d characters)", ITIP_MAX_WORD);
	return 0;
}

/* The VEVENT of ev (checked), times in tz (NULL: UTC); NULL with err. */
static icalcomponent *
event_component(const struct itip_event *ev, const char *tz, struct fb_error *err)
{
	icalcomponent *vev = icalcomponent_new_vevent();
	icalproperty *ps, *pe, *org;

	if (vev == NULL)
		goto oom;
	icalcomponent_add_property(vev, icalproperty_new_uid(ev->uid));
	icalcomponent_add_property(vev, icalproperty_new_sequence((int)ev->sequence));
	icalcomponent_add_property(vev, icalproperty_new_dtstamp(
	    icaltime_from_timet_with_zone(ev->dtstamp, 0, icaltimezone_get_utc_timezone())));
	ps = time_property(0, tz, ev->start, err);
	pe = ps == NULL ? NULL : time_property(1, tz, ev->start + (time_t)ev->duration_min * 60,
	    err);
	if (ps == NULL || pe == NULL) {
		if (ps != NULL)
			icalproperty_free(ps);
		icalcomponent_free(vev);
		return NULL;
	}
	icalcomponent_add_property(vev, ps);
	icalcomponent_add_property(vev, pe);
	if ((org = address_property(1, ev->organizer_addr, ev->organizer_name)) == NULL)
		goto oom;
	icalcomponent_add_property(vev, org);
	if (ev->method != ITIP_PUBLISH) {
		icalproperty *a = address_property(0, ev->attendee_addr, ev->attendee_name);

		if (a == NULL)
			goto oom;
		icalproperty_add_parameter(a, icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
		if (ev->method == ITIP_REQUEST) {
			icalproperty_add_parameter(a,
			    icalparameter_new_partstat(ICAL_PARTSTAT_NEEDSACTION));
			/* RSVP=FALSE: no answer is expected, and a calendar that honours it
			 * sends none; one that shows Accept/Decline anyway is told so in the
			 * text (the moment templates) */
			icalproperty_add_parameter(a, icalparameter_new_rsvp(ev->no_reply ?
			    ICAL_RSVP_FALSE : ICAL_RSVP_TRUE));
		}
		icalcomponent_add_property(vev, a);
	}
	icalcomponent_add_property(vev, icalproperty_new_status(
	    ev->method == ITIP_CANCEL ? ICAL_STATUS_CANCELLED : ICAL_STATUS_CONFIRMED));
	icalcomponent_add_property(vev, icalproperty_new_summary(ev->summary));
	if (ev->description != NULL && *ev->description != '\0')
		icalcomponent_add_property(vev, icalproperty_new_description(ev->description));
	if (ev->location != NULL && *ev->location != '\0')
		icalcomponent_add_property(vev, icalproperty_new_location(ev->location));
	else if (ev->url != NULL && *ev->url != '\0')
		icalcomponent_add_property(vev, icalproperty_new_location(ev->url));
	if (ev->url != NULL && *ev->url != '\0')
		icalcomponent_add_property(vev, icalproperty_new_url(ev->url));
	icalcomponent_add_property(vev, icalproperty_new_transp(ICAL_TRANSP_OPAQUE));
	return vev;
oom:
	if (vev != NULL)
		icalcomponent_free(vev);
	fb_error_set(err, "calendar: out of memory");
	return NULL;
}

/* Check ev and the zone: *tz becomes NULL for UTC; *year the local year of the start. */
static int
check_all(const struct itip_event *ev, const char **tz, int *year, struct fb_error *err)
{
	struct fb_local sl;

	if (check_event(ev, err) < 0)
		return -1;
	if (*tz != NULL && (**tz == '\0' || strcmp(*tz, "UTC") == 0))
		*tz = NULL;
	if (*tz != NULL && fbtime_zone_check(*tz, err) < 0)
		return -1;
	/* both ends must be inside fbtime's years */
	if (fbtime_to_local(*tz ? *tz : "UTC", ev->start, &sl, err) < 0 ||
	    fbtime_to_local("UTC", ev->start + (time_t)ev->duration_min * 60, &(struct fb_local){ 0 },
	    err) < 0 || fbtime_to_local("UTC", ev->dtstamp, &(struct fb_local){ 0 }, err) < 0)
		return fb_error_prefix(err, "calendar: ");
	*year = sl.date.year;
	return 0;
}

/*
 * The calendar of evs[0..n) (all checked, n >= 1) with METHOD method: one VTIMEZONE for tz
 * (rules of the first event's year; a yearly RRULE holds for the others too), appended to out.
 */
static int
build_calendar(const struct itip_event *evs, size_t n, enum itip_method method,
    const char *tz, int year, struct buf *out, struct fb_error *err)
{
	icalcomponent *cal = NULL, *vtz = NULL;
	char *text = NULL;
	int unfit = 0, rc = -1;

	icalerror_set_errors_are_fatal(0);
	if (tz != NULL) {
		vtz = vtimezone(tz, year, &unfit, err);
		if (vtz == NULL && !unfit)
			return fb_error_prefix(err, "calendar: ");
		if (vtz == NULL)
			tz = NULL; /* rules that fit no RRULE: UTC times are always read right */
	}
	if ((cal = icalcomponent_new_vcalendar()) == NULL)
		goto oom;
	icalcomponent_add_property(cal, icalproperty_new_prodid(PRODID));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_method(
	    method == ITIP_CANCEL ? ICAL_METHOD_CANCEL : method == ITIP_PUBLISH ?
	    ICAL_METHOD_PUBLISH : ICAL_METHOD_REQUEST));
	if (vtz != NULL) {
		icalcomponent_add_component(cal, vtz);
		vtz = NULL;
	}
	for (size_t i = 0; i < n; i++) {
		icalcomponent *vev = event_component(&evs[i], tz, err);

		if (vev == NULL)
			goto fail;
		icalcomponent_add_component(cal, vev);
	}
	if ((text = icalcomponent_as_ical_string_r(cal)) == NULL)
		goto oom;
	if (buf_adds(out, text) < 0)
		goto oom;
	rc = 0;
	goto fail;
oom:
	fb_error_set(err, "calendar: out of memory");
fail:
	free(text);
	if (vtz != NULL)
		icalcomponent_free(vtz);
	if (cal != NULL)
		icalcomponent_free(cal);
	return rc;
}

int
itip_build(const struct itip_event *ev, struct buf *out, struct fb_error *err)
{
	const char *tz = ev->tz;
	int year;

	if (check_all(ev, &tz, &year, err) < 0)
		return -1;
	return build_calendar(ev, 1, ev->method, tz, year, out, err);
}

int
itip_build_publish(const struct itip_event *evs, size_t n, const char *tz, struct buf *out,
    struct fb_error *err)
{
	const char *ztz = tz;
	int year = 0, y;

	if (n == 0 || n > ITIP_MAX_EVENTS)
		return fb_error_set(err, "calendar: %zu events; publish 1 to %d", n,
		    ITIP_MAX_EVENTS);
	for (size_t i = 0; i < n; i++) {
		const char *etz = tz;

		if (evs[i].method != ITIP_PUBLISH)
			return fb_error_set(err, "calendar: event %zu is not PUBLISH", i + 1);
		if (check_all(&evs[i], &etz, &y, err) < 0)
			return fb_error_prefix(err, "event %zu (%s): ", i + 1,
			    evs[i].uid ? evs[i].uid : "no UID");
		if (i == 0) {
			year = y;
			ztz = etz;
		}
	}
	return build_calendar(evs, n, ITIP_PUBLISH, ztz, year, out, err);
}
