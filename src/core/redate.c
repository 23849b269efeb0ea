/*
 * redate — another Date for a message compose made. See include/redate.h.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fbtime.h"
#include "redate.h"
#include "banned.h"

/* The end of the header block: the offset of the empty line's first byte, or len. */
static size_t
head_end(const char *raw, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++)
		if (raw[i] == '\n' && (raw[i + 1] == '\n' ||
		    (raw[i + 1] == '\r' && i + 2 < len && raw[i + 2] == '\n')))
			return i + 1;
	return len;
}

int
redate_message(const char *raw, size_t len, const char *tz, time_t at, struct buf *out,
    struct fb_error *err)
{
	static const char *const wday[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
		"Aug", "Sep", "Oct", "Nov", "Dec" };
	size_t end = head_end(raw, len), start = 0, stop;
	struct fb_local l;
	int found = 0, off, wd;
	char value[64];

	/* the header line that starts with "Date:" (at the start of the message or a line) */
	for (size_t i = 0; i + 5 <= end; i++)
		if ((i == 0 || raw[i - 1] == '\n') && strncasecmp(raw + i, "Date:", 5) == 0) {
			start = i;
			found = 1;
			break;
		}
	if (!found)
		return fb_error_set(err, "the message has no Date header");
	/* its value runs to the end of the line and over folded lines (starting with a blank) */
	for (stop = start; stop < end; stop++)
		if (raw[stop] == '\n' && (stop + 1 >= end || (raw[stop + 1] != ' ' &&
		    raw[stop + 1] != '\t')))
			break;
	if (stop >= end)
		return fb_error_set(err, "the message's Date header does not end");
	if (fbtime_to_local(tz, at, &l, err) < 0)
		return -1;
	off = l.utc_offset < 0 ? -l.utc_offset : l.utc_offset;
	wd = fbtime_weekday(&l.date);
	if (wd < 1 || wd > 7 || l.date.month < 1 || l.date.month > 12)
		return fb_error_set(err, "cannot write the date %lld", (long long)at);
	snprintf(value, sizeof(value), "%s, %d %s %d %02d:%02d:%02d %c%02d%02d", wday[wd - 1],
	    l.date.day, mon[l.date.month - 1], l.date.year, l.hour, l.min, l.sec,
	    l.utc_offset < 0 ? '-' : '+', off / 3600, off % 3600 / 60);
	/* keep the line's own ending (\r\n from compose) */
	size_t eol = stop > start && raw[stop - 1] == '\r' ? stop - 1 : stop;
	size_t mark = out->len;
	if (buf_add(out, raw, start) < 0 || buf_addf(out, "Date: %s", value) < 0 ||
	    buf_add(out, raw + eol, len - eol) < 0) {
		buf_truncate(out, mark);
		return fb_error_set(err, "out of memory");
	}
	return 0;
}
