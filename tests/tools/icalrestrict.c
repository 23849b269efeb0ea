/*
 * icalrestrict — a development tool: libical's own check of what we send. Each file named on
 * the command line ("-" is stdin) is parsed with icalparser_parse_string() and checked with
 * icalrestriction_check() (RFC 5546's property rules for the calendar's METHOD); every
 * X-LIC-ERROR libical attaches (parse errors and rule violations) is printed as
 * "FILE: COMPONENT: message". Debian's libical ships no command-line program for this.
 * Used by tests/integration/t06*.py on every invite, update and cancel feedbackd queues.
 * Exit status: 0 when every file passes, 1 when one does not, 2 on a usage or read error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "buf.h"
#include "banned.h"

#define MAX_INPUT ((size_t)4 << 20)
#define MAX_DEPTH 8

/* Print the X-LIC-ERRORs of c and its subcomponents; returns how many. */
static int
report(const char *file, icalcomponent *c, int depth)
{
	int n = 0;

	if (depth > MAX_DEPTH)
		return 0;
	for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY);
	    p != NULL; p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY)) {
		printf("%s: %s: %s\n", file, icalcomponent_kind_to_string(icalcomponent_isa(c)),
		    icalproperty_get_xlicerror(p));
		n++;
	}
	for (icalcomponent *s = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT);
	    s != NULL; s = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
		n += report(file, s, depth + 1);
	return n;
}

static int
check(const char *file)
{
	struct buf in = BUF_INIT;
	icalcomponent *cal;
	int rc = 1, ok;

	if (buf_read_file(&in, file, MAX_INPUT) < 0) {
		fprintf(stderr, "icalrestrict: %s: cannot read\n", file);
		return 2;
	}
	cal = icalparser_parse_string(in.data != NULL ? in.data : "");
	if (cal == NULL) {
		printf("%s: not iCalendar (%s)\n", file, icalerror_strerror(icalerrno));
		goto out;
	}
	if (icalcomponent_isa(cal) != ICAL_VCALENDAR_COMPONENT) {
		printf("%s: the top component is %s, not VCALENDAR\n", file,
		    icalcomponent_kind_to_string(icalcomponent_isa(cal)));
		goto out;
	}
	/* parse errors first: the restriction check would add its own on top */
	if (report(file, cal, 0) > 0)
		goto out;
	ok = icalrestriction_check(cal);
	if (report(file, cal, 0) > 0 || !ok) {
		if (!ok)
			printf("%s: icalrestriction_check failed\n", file);
		goto out;
	}
	printf("%s: ok\n", file);
	rc = 0;
out:
	if (cal != NULL)
		icalcomponent_free(cal);
	buf_release(&in);
	return rc;
}

int
main(int argc, char **argv)
{
	int rc = 0;

	if (argc < 2) {
		fputs("usage: icalrestrict FILE.ics|- ...\n", stderr);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		int r = check(argv[i]);

		if (r > rc)
			rc = r;
	}
	return rc;
}
