/*
 * Unit tests of itip_build: every invite and cancel is parsed back with libical and each
 * property checked (METHOD, VERSION, PRODID, UID, SEQUENCE, DTSTAMP, ORGANIZER without SENT-BY,
 * the ATTENDEE's parameters, DTSTART/DTEND with TZID, STATUS, texts); the compact VTIMEZONE
 * has yearly RRULEs and, read by libical, gives back the instant we meant — in Amsterdam, in a
 * zone without daylight-saving time, in the southern hemisphere and across a DST change.
 * Output has CRLF line ends, folded lines and passes icalrestriction_check().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libical/ical.h>

#include "fbtime.h"
#include "itip.h"
#include "testlib.h"

static const struct build_case {
	const char *name;
	const char *tz;            /* NULL: UTC */
	const char *at;            /* local time in tz */
	int duration;
	enum itip_method method;
	const char *dtstart, *dtend; /* as written, without TZID */
	const char *standard_rrule, *daylight_rrule; /* NULL: no such observance */
	int std_offset, dst_offset;
} CASES[] = {
	{ "amsterdam_winter_kickoff_keeps_local_time", "Europe/Amsterdam", "2027-01-04 09:00", 90,
	  ITIP_REQUEST, "20270104T090000", "20270104T103000",
	  "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", 3600, 7200 },
	{ "amsterdam_monday_after_clocks_go_forward_stays_0900", "Europe/Amsterdam",
	  "2027-03-29 09:00", 60, ITIP_REQUEST, "20270329T090000", "20270329T100000",
	  "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", 3600, 7200 },
	{ "amsterdam_session_across_the_night_clocks_go_back", "Europe/Amsterdam",
	  "2027-10-30 23:00", 300, ITIP_REQUEST, "20271030T230000", "20271031T030000",
	  "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", 3600, 7200 },
	{ "amsterdam_cancel", "Europe/Amsterdam", "2027-06-14 13:30", 45, ITIP_CANCEL,
	  "20270614T133000", "20270614T141500",
	  "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", 3600, 7200 },
	{ "new_york_second_sunday_rule", "America/New_York", "2027-03-15 10:00", 60, ITIP_REQUEST,
	  "20270315T100000", "20270315T110000",
	  "FREQ=YEARLY;BYDAY=1SU;BYMONTH=11", "FREQ=YEARLY;BYDAY=2SU;BYMONTH=3", -18000, -14400 },
	{ "sydney_southern_hemisphere", "Australia/Sydney", "2027-01-11 09:00", 60, ITIP_REQUEST,
	  "20270111T090000", "20270111T100000",
	  "FREQ=YEARLY;BYDAY=1SU;BYMONTH=4", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=10", 36000, 39600 },
	{ "tokyo_without_dst_has_one_standard_rule", "Asia/Tokyo", "2027-01-04 09:00", 90,
	  ITIP_REQUEST, "20270104T090000", "20270104T103000", "", NULL, 32400, 0 },
	{ "utc_times_without_vtimezone", NULL, "2027-01-04 09:00", 30, ITIP_REQUEST,
	  "20270104T090000Z", "20270104T093000Z", NULL, NULL, 0, 0 },
};

static icalproperty *
prop(icalcomponent *c, icalproperty_kind k)
{
	icalproperty *p = icalcomponent_get_first_property(c, k);

	assert_non_null(p);
	return p;
}

static const char *
param(icalproperty *p, const char *name)
{
	static char v[256];
	char *s = icalproperty_get_parameter_as_string_r(p, name);

	if (s == NULL)
		return NULL;
	snprintf(v, sizeof(v), "%s", s);
	free(s);
	return v;
}

static void
assert_value(icalproperty *p, const char *want)
{
	char *s = icalproperty_get_value_as_string_r(p);

	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
}

/* CRLF only, no line longer than 75 octets. */
static void
assert_wire_form(const char *s)
{
	size_t col = 0;

	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '\n') {
			assert_true(p > s && p[-1] == '\r');
			col = 0;
		} else if (*p != '\r') {
			col++;
			assert_true(col <= 75);
		}
	}
}

static void
check_vtimezone(icalcomponent *cal, const struct build_case *c, icalcomponent *ev, time_t start)
{
	icalcomponent *vtz = icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT);
	icalcomponent *std, *dst;
	icaltimezone *zone;

	if (c->tz == NULL) {
		assert_null(vtz);
		return;
	}
	assert_non_null(vtz);
	assert_string_equal(icalproperty_get_tzid(prop(vtz, ICAL_TZID_PROPERTY)), c->tz);
	std = icalcomponent_get_first_component(vtz, ICAL_XSTANDARD_COMPONENT);
	dst = icalcomponent_get_first_component(vtz, ICAL_XDAYLIGHT_COMPONENT);
	assert_non_null(std);
	assert_int_equal(icalcomponent_count_components(vtz, ICAL_XSTANDARD_COMPONENT), 1);
	assert_int_equal(icalproperty_get_tzoffsetto(prop(std, ICAL_TZOFFSETTO_PROPERTY)),
	    c->std_offset);
	if (c->daylight_rrule == NULL) {
		assert_null(dst);
		assert_null(icalcomponent_get_first_property(std, ICAL_RRULE_PROPERTY));
	} else {
		assert_non_null(dst);
		assert_value(prop(std, ICAL_RRULE_PROPERTY), c->standard_rrule);
		assert_value(prop(dst, ICAL_RRULE_PROPERTY), c->daylight_rrule);
		assert_int_equal(icalproperty_get_tzoffsetto(prop(dst, ICAL_TZOFFSETTO_PROPERTY)),
		    c->dst_offset);
		assert_int_equal(icalproperty_get_tzoffsetfrom(prop(dst, ICAL_TZOFFSETFROM_PROPERTY)),
		    c->std_offset);
	}
	/* libical reading our zone gives back the instants we meant */
	zone = icaltimezone_new();
	assert_true(icaltimezone_set_component(zone, icalcomponent_new_clone(vtz)));
	assert_string_equal(testlib_utc(icaltime_as_timet_with_zone(
	    icalproperty_get_dtstart(prop(ev, ICAL_DTSTART_PROPERTY)), zone)), testlib_utc(start));
	assert_string_equal(testlib_utc(icaltime_as_timet_with_zone(
	    icalproperty_get_dtend(prop(ev, ICAL_DTEND_PROPERTY)), zone)),
	    testlib_utc(start + c->duration * 60));
	icaltimezone_free(zone, 1);
}

static void
run_case(void **state)
{
	const struct build_case *c = *state;
	const time_t now = 1798000000; /* 2026-12-23 */
	struct buf out = BUF_INIT;
	struct fb_error err;
	time_t start;
	icalcomponent *cal, *ev;
	icalproperty *p;

	assert_int_equal(fbtime_parse(c->at, c->tz ? c->tz : "UTC", &start, &err), 0);
	struct itip_event e = {
		.method = c->method, .uid = "session-3f9a@feedback.example.org", .sequence = 2,
		.dtstamp = now, .start = start, .duration_min = c->duration, .tz = c->tz,
		.organizer_addr = "coordinator@example.org", .organizer_name = "Feedback \"Team\"",
		.attendee_addr = "jan@example.org", .attendee_name = "Jan de Vries",
		.summary = "Kick-off: Team Blauw",
		.description = "We beginnen samen; neem je agenda mee, en koffie.\nTot dan!",
		.location = "Zaal 3.14, Utrecht", .url = "https://meet.example.org/abc?x=1&y=2",
	};
	assert_int_equal(itip_build(&e, &out, &err), 0);
	assert_wire_form(out.data);

	cal = icalparser_parse_string(out.data);
	assert_non_null(cal);
	assert_int_equal(icalrestriction_check(cal), 1);
	assert_int_equal(icalproperty_get_method(prop(cal, ICAL_METHOD_PROPERTY)),
	    c->method == ITIP_CANCEL ? ICAL_METHOD_CANCEL : ICAL_METHOD_REQUEST);
	assert_string_equal(icalproperty_get_version(prop(cal, ICAL_VERSION_PROPERTY)), "2.0");
	assert_non_null(strstr(icalproperty_get_prodid(prop(cal, ICAL_PRODID_PROPERTY)), "feedbackd"));
	assert_int_equal(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT), 1);
	ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);

	assert_string_equal(icalproperty_get_uid(prop(ev, ICAL_UID_PROPERTY)), e.uid);
	assert_int_equal(icalproperty_get_sequence(prop(ev, ICAL_SEQUENCE_PROPERTY)), 2);
	assert_value(prop(ev, ICAL_DTSTAMP_PROPERTY), "20261223T042640Z");
	p = prop(ev, ICAL_DTSTART_PROPERTY);
	assert_value(p, c->dtstart);
	if (c->tz) {
		assert_string_equal(param(p, "TZID"), c->tz);
		assert_string_equal(param(prop(ev, ICAL_DTEND_PROPERTY), "TZID"), c->tz);
	} else {
		assert_null(param(p, "TZID"));
	}
	assert_value(prop(ev, ICAL_DTEND_PROPERTY), c->dtend);
	assert_null(icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY));
	assert_null(icalcomponent_get_first_component(ev, ICAL_VALARM_COMPONENT));

	p = prop(ev, ICAL_ORGANIZER_PROPERTY);
	assert_string_equal(icalproperty_get_organizer(p), "mailto:coordinator@example.org");
	assert_null(param(p, "SENT-BY"));
	assert_string_equal(param(p, "CN"), "Feedback 'Team'");
	assert_int_equal(icalcomponent_count_properties(ev, ICAL_ATTENDEE_PROPERTY), 1);
	p = prop(ev, ICAL_ATTENDEE_PROPERTY);
	assert_string_equal(icalproperty_get_attendee(p), "mailto:jan@example.org");
	assert_string_equal(param(p, "CN"), "Jan de Vries");
	assert_string_equal(param(p, "ROLE"), "REQ-PARTICIPANT");
	if (c->method == ITIP_REQUEST) {
		assert_string_equal(param(p, "PARTSTAT"), "NEEDS-ACTION");
		assert_string_equal(param(p, "RSVP"), "TRUE");
		assert_int_equal(icalproperty_get_status(prop(ev, ICAL_STATUS_PROPERTY)),
		    ICAL_STATUS_CONFIRMED);
	} else {
		assert_null(param(p, "RSVP"));
		assert_int_equal(icalproperty_get_status(prop(ev, ICAL_STATUS_PROPERTY)),
		    ICAL_STATUS_CANCELLED);
	}
	assert_string_equal(icalproperty_get_summary(prop(ev, ICAL_SUMMARY_PROPERTY)), e.summary);
	assert_string_equal(icalproperty_get_description(prop(ev, ICAL_DESCRIPTION_PROPERTY)),
	    e.description);
	assert_string_equal(icalproperty_get_location(prop(ev, ICAL_LOCATION_PROPERTY)), e.location);
	assert_string_equal(icalproperty_get_url(prop(ev, ICAL_URL_PROPERTY)), e.url);
	check_vtimezone(cal, c, ev, start);

	icalcomponent_free(cal);
	buf_release(&out);
}

/* A long UTF-8 description is folded without splitting a character, and reads back equal. */
static void
test_itip_build_folds_long_utf8_text(void **state)
{
	struct buf out = BUF_INIT, desc = BUF_INIT;
	struct fb_error err;
	icalcomponent *cal, *ev;

	(void)state;
	for (int i = 0; i < 60; i++)
		assert_int_equal(buf_adds(&desc, "één café – "), 0);
	assert_int_equal(buf_adds(&desc, "end"), 0);
	struct itip_event e = {
		.method = ITIP_REQUEST, .uid = "u-1", .dtstamp = 1798000000, .start = 1798000000,
		.duration_min = 60, .tz = "Europe/Amsterdam", .organizer_addr = "c@example.org",
		.attendee_addr = "a@example.org", .summary = "Évaluatie", .description = desc.data,
	};
	assert_int_equal(itip_build(&e, &out, &err), 0);
	assert_wire_form(out.data);
	cal = icalparser_parse_string(out.data);
	ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	assert_string_equal(icalproperty_get_description(prop(ev, ICAL_DESCRIPTION_PROPERTY)),
	    desc.data);
	/* only the URL: it is the location too */
	icalcomponent_free(cal);
	buf_release(&out);
	buf_release(&desc);
}

/* A session asks its attendee to answer (RSVP=TRUE); a questionnaire moment, whose answer
 * means nothing, asks none (RSVP=FALSE), still a REQUEST so that it can be cancelled. */
static void
test_itip_build_moment_asks_no_answer(void **state)
{
	static const struct { int no_reply; const char *rsvp; } cases[] = {
		{ 0, "TRUE" },
		{ 1, "FALSE" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf out = BUF_INIT;
		struct fb_error err;
		struct itip_event e = {
			.method = ITIP_REQUEST, .uid = "u-3", .dtstamp = 1798000000,
			.start = 1798000000, .duration_min = 15, .tz = "Europe/Amsterdam",
			.organizer_addr = "c@example.org", .attendee_addr = "a@example.org",
			.summary = "Nulmeting", .no_reply = cases[i].no_reply,
		};
		icalcomponent *cal, *ev;

		assert_int_equal(itip_build(&e, &out, &err), 0);
		cal = icalparser_parse_string(out.data);
		assert_non_null(cal);
		assert_int_equal(icalproperty_get_method(prop(cal, ICAL_METHOD_PROPERTY)),
		    ICAL_METHOD_REQUEST);
		ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
		assert_string_equal(param(prop(ev, ICAL_ATTENDEE_PROPERTY), "RSVP"), cases[i].rsvp);
		icalcomponent_free(cal);
		buf_release(&out);
	}
}

static void
test_itip_build_online_only_url_is_location(void **state)
{
	struct buf out = BUF_INIT;
	struct fb_error err;
	icalcomponent *cal, *ev;

	(void)state;
	struct itip_event e = {
		.method = ITIP_REQUEST, .uid = "u-2", .dtstamp = 1798000000, .start = 1798000000,
		.duration_min = 60, .tz = "Europe/Amsterdam", .organizer_addr = "c@example.org",
		.attendee_addr = "a@example.org", .summary = "S", .url = "https://meet.example.org/x",
	};
	assert_int_equal(itip_build(&e, &out, &err), 0);
	cal = icalparser_parse_string(out.data);
	ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	assert_string_equal(icalproperty_get_location(prop(ev, ICAL_LOCATION_PROPERTY)), e.url);
	assert_null(icalcomponent_get_first_property(ev, ICAL_DESCRIPTION_PROPERTY));
	icalcomponent_free(cal);
	buf_release(&out);
}

/* Hostile or missing fields are refused, naming the field; out stays untouched. */
static void
test_itip_build_refuses_bad_fields(void **state)
{
	static const struct {
		const char *uid, *org, *att, *summary, *url, *tz;
		int duration;
		int64_t seq;
		const char *says;
	} bad[] = {
		{ "", "c@x.org", "a@x.org", "S", NULL, NULL, 60, 0, "UID" },
		{ "a\r\nX-EVIL:1", "c@x.org", "a@x.org", "S", NULL, NULL, 60, 0, "UID" },
		{ "u", "c@x.org\r\nATTENDEE:mailto:b@x.org", "a@x.org", "S", NULL, NULL, 60, 0,
		  "organizer" },
		{ "u", "c@x.org", "no-at-sign", "S", NULL, NULL, 60, 0, "attendee" },
		{ "u", "c@x.org", "a@x.org", "", NULL, NULL, 60, 0, "summary" },
		{ "u", "c@x.org", "a@x.org", "\xff\xfe", NULL, NULL, 60, 0, "summary" },
		{ "u", "c@x.org", "a@x.org", "S", "https://x y", NULL, 60, 0, "URL" },
		{ "u", "c@x.org", "a@x.org", "S", NULL, "Mars/Olympus", 60, 0, "Mars" },
		{ "u", "c@x.org", "a@x.org", "S", NULL, NULL, 0, 0, "duration" },
		{ "u", "c@x.org", "a@x.org", "S", NULL, NULL, 60, -1, "SEQUENCE" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct buf out = BUF_INIT;
		struct fb_error err = { "" };
		struct itip_event e = {
			.method = ITIP_REQUEST, .uid = bad[i].uid, .sequence = bad[i].seq,
			.dtstamp = 1798000000, .start = 1798000000, .duration_min = bad[i].duration,
			.tz = bad[i].tz, .organizer_addr = bad[i].org, .attendee_addr = bad[i].att,
			.summary = bad[i].summary, .url = bad[i].url,
		};
		assert_int_equal(itip_build(&e, &out, &err), -1);
		assert_int_equal(out.len, 0);
		if (strstr(err.msg, bad[i].says) == NULL)
			fail_msg("case %zu: \"%s\" does not name %s", i, err.msg, bad[i].says);
	}
}

/* The exported zone writer: Amsterdam's text, and UTC has no rules to write. */
static void
test_itip_vtimezone_amsterdam_text(void **state)
{
	struct buf out = BUF_INIT;
	struct fb_error err;

	(void)state;
	assert_int_equal(itip_vtimezone("Europe/Amsterdam", 2027, &out, &err), 0);
	assert_non_null(strstr(out.data, "BEGIN:VTIMEZONE\r\nTZID:Europe/Amsterdam\r\n"));
	assert_non_null(strstr(out.data, "DTSTART:19701025T030000\r\n"));
	assert_non_null(strstr(out.data, "DTSTART:19700329T020000\r\n"));
	assert_null(strstr(out.data, "freeassociation"));
	assert_int_equal(itip_vtimezone("../../etc/passwd", 2027, &out, &err), -1);
	buf_release(&out);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_itip_build_folds_long_utf8_text),
		cmocka_unit_test(test_itip_build_moment_asks_no_answer),
		cmocka_unit_test(test_itip_build_online_only_url_is_location),
		cmocka_unit_test(test_itip_build_refuses_bad_fields),
		cmocka_unit_test(test_itip_vtimezone_amsterdam_text),
	};
	int rc = testlib_run_table("itip_build", CASES, sizeof(CASES) / sizeof(CASES[0]),
	    sizeof(CASES[0]), run_case, fixed, sizeof(fixed) / sizeof(fixed[0]));

	icaltimezone_free_builtin_timezones();
	fbtime_cleanup();
	return rc;
}
