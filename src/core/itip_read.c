/*
 * itip_read — what a calendar program answered: METHOD, UID, SEQUENCE, RECURRENCE-ID,
 * ORGANIZER and each ATTENDEE's PARTSTAT, read with libical from the text/calendar part of a
 * message (see itip.h for what is and is not checked).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libical/ical.h>

#include "buf.h"
#include "itip.h"
#include "banned.h"

/* An address from a CAL-ADDRESS value: "mailto:" dropped, spaces trimmed, lowercased. */
static char *
address_of(const char *v)
{
	char *a, *end;

	if (v == NULL)
		return NULL;
	while (*v == ' ' || *v == '\t')
		v++;
	if (strncasecmp(v, "mailto:", 7) == 0)
		v += 7;
	if ((a = strdup(v)) == NULL)
		return NULL;
	for (end = a; *end != '\0'; end++)
		*end = (char)tolower((unsigned char)*end);
	while (end > a && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return a;
}

/*
 * libical keeps INTEGER values in an int, so Google's 13-digit SEQUENCE comes back wrapped.
 * Find the n-th SEQUENCE line of the text (unfolded on the fly is not needed: the value is a
 * short number) and read it as 64-bit; keep libical's value when the text disagrees with it.
 */
static int64_t
sequence_64(const char *ics, size_t len, size_t nth, int icalval)
{
	size_t seen = 0;

	for (size_t i = 0; i < len; i++) {
		const char *p, *colon;
		long long v;
		char *end;

		if (i != 0 && ics[i - 1] != '\n')
			continue;
		if (len - i < 9 || strncasecmp(ics + i, "SEQUENCE", 8) != 0 ||
		    (ics[i + 8] != ':' && ics[i + 8] != ';'))
			continue;
		if (seen++ != nth)
			continue;
		p = ics + i + 8;
		colon = memchr(p, ':', len - (size_t)(p - ics));
		if (colon == NULL || (size_t)(colon - ics) + 1 >= len)
			break;
		/* the value is at most 20 characters; copy it out so strtoll stays inside */
		{
			char num[24];
			size_t k = 0;

			for (p = colon + 1; k + 1 < sizeof(num) && (size_t)(p - ics) < len &&
			    (isdigit((unsigned char)*p) || (k == 0 && (*p == '-' || *p == '+'))); p++)
				num[k++] = *p;
			num[k] = '\0';
			errno = 0;
			v = strtoll(num, &end, 10);
			if (errno == 0 && end != num && (int)(unsigned)(unsigned long long)v == icalval)
				return v;
		}
		break;
	}
	return icalval;
}

static int
read_attendee(icalproperty *p, struct itip_attendee *a)
{
	char *ps = icalproperty_get_parameter_as_string_r(p, "PARTSTAT");
	char *cn = icalproperty_get_parameter_as_string_r(p, "CN");
	char *rc = icalproperty_get_parameter_as_string_r(p, "X-RESPONSE-COMMENT");

	memset(a, 0, sizeof(*a));
	a->address = address_of(icalproperty_get_attendee(p));
	if (a->address == NULL)
		a->address = strdup("");
	a->partstat = ps != NULL ? ps : strdup("NEEDS-ACTION");
	for (char *q = a->partstat; q != NULL && *q != '\0'; q++)
		*q = (char)toupper((unsigned char)*q);
	a->name = cn;
	a->comment = rc;
	return (a->address == NULL || a->partstat == NULL) ? -1 : 0;
}

static void
attendee_release(struct itip_attendee *a)
{
	free(a->address);
	free(a->name);
	free(a->partstat);
	free(a->comment);
}

static icalcomponent *
first_calendar(icalcomponent *root)
{
	if (icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT)
		return root;
	return icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT);
}

static int
read_event(const char *ics, size_t len, icalcomponent *cal, icalcomponent *ev,
    struct itip_info *out)
{
	icalproperty *p;
	size_t n = 0;

	if ((p = icalcomponent_get_first_property(ev, ICAL_UID_PROPERTY)) != NULL &&
	    icalproperty_get_uid(p) != NULL && (out->uid = strdup(icalproperty_get_uid(p))) == NULL)
		return -1;
	if ((p = icalcomponent_get_first_property(ev, ICAL_SEQUENCE_PROPERTY)) != NULL) {
		/* which SEQUENCE line of the text is this one: count those in earlier components */
		size_t nth = 0;

		for (icalcomponent *c = icalcomponent_get_first_component(cal, ICAL_ANY_COMPONENT);
		    c != NULL && c != ev; c = icalcomponent_get_next_component(cal, ICAL_ANY_COMPONENT))
			nth += (size_t)icalcomponent_count_properties(c, ICAL_SEQUENCE_PROPERTY);
		out->sequence = sequence_64(ics, len, nth, icalproperty_get_sequence(p));
		out->has_sequence = 1;
	}
	if ((p = icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY)) != NULL) {
		char *s = icalproperty_get_value_as_string_r(p);

		if (s == NULL)
			return -1;
		out->recurrence_id = s;
	}
	if ((p = icalcomponent_get_first_property(ev, ICAL_ORGANIZER_PROPERTY)) != NULL &&
	    icalproperty_get_organizer(p) != NULL &&
	    (out->organizer = address_of(icalproperty_get_organizer(p))) == NULL)
		return -1;
	if ((p = icalcomponent_get_first_property(ev, ICAL_SUMMARY_PROPERTY)) != NULL &&
	    icalproperty_get_summary(p) != NULL &&
	    (out->summary = strdup(icalproperty_get_summary(p))) == NULL)
		return -1;
	if ((p = icalcomponent_get_first_property(ev, ICAL_COMMENT_PROPERTY)) != NULL &&
	    icalproperty_get_comment(p) != NULL &&
	    (out->comment = strdup(icalproperty_get_comment(p))) == NULL)
		return -1;

	n = (size_t)icalcomponent_count_properties(ev, ICAL_ATTENDEE_PROPERTY);
	if (n > ITIP_MAX_ATTENDEES)
		n = ITIP_MAX_ATTENDEES;
	if (n == 0)
		return 0;
	if ((out->attendees = calloc(n, sizeof(*out->attendees))) == NULL)
		return -1;
	for (p = icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY);
	    p != NULL && out->nattendees < n;
	    p = icalcomponent_get_next_property(ev, ICAL_ATTENDEE_PROPERTY)) {
		if (read_attendee(p, &out->attendees[out->nattendees]) < 0) {
			attendee_release(&out->attendees[out->nattendees]);
			return -1;
		}
		out->nattendees++;
	}
	return 0;
}

int
itip_read(const char *ics, size_t len, struct itip_info *out, struct fb_error *err)
{
	struct buf text = BUF_INIT;
	icalcomponent *root, *cal, *ev;
	icalproperty *mp;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (len > ITIP_MAX_SIZE)
		return fb_error_set(err, "calendar part is %zu bytes, larger than the limit of %zu",
		    len, ITIP_MAX_SIZE);
	/* libical wants a C string: a copy with any NUL cut off */
	if (buf_add(&text, ics, len) < 0)
		return fb_error_set(err, "out of memory reading a calendar part");
	icalerror_set_errors_are_fatal(0);
	root = icalparser_parse_string(text.data);
	if (root == NULL || (cal = first_calendar(root)) == NULL) {
		fb_error_set(err, "calendar part holds no VCALENDAR");
		goto done;
	}
	if ((mp = icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY)) != NULL) {
		char *m = icalproperty_get_value_as_string_r(mp);

		if (m == NULL)
			goto oom;
		for (char *q = m; *q != '\0'; q++)
			*q = (char)toupper((unsigned char)*q);
		out->method = m;
	}
	ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	if (ev == NULL)
		ev = icalcomponent_get_first_component(cal, ICAL_VTODO_COMPONENT);
	if (ev != NULL && read_event(text.data, strlen(text.data), cal, ev, out) < 0)
		goto oom;
	rc = 0;
	goto done;
oom:
	fb_error_set(err, "out of memory reading a calendar part");
done:
	if (root != NULL)
		icalcomponent_free(root);
	buf_release(&text);
	return rc;
}

const struct itip_attendee *
itip_find_attendee(const struct itip_info *info, const char *addr)
{
	if (info == NULL || addr == NULL)
		return NULL;
	if (strncasecmp(addr, "mailto:", 7) == 0)
		addr += 7;
	for (size_t i = 0; i < info->nattendees; i++)
		if (strcasecmp(info->attendees[i].address, addr) == 0)
			return &info->attendees[i];
	return NULL;
}

void
itip_info_release(struct itip_info *info)
{
	if (info == NULL)
		return;
	free(info->method);
	free(info->uid);
	free(info->recurrence_id);
	free(info->organizer);
	free(info->summary);
	free(info->comment);
	for (size_t i = 0; i < info->nattendees; i++)
		attendee_release(&info->attendees[i]);
	free(info->attendees);
	memset(info, 0, sizeof(*info));
}
