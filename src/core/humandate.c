/*
 * humandate — "maandag 15 maart" / "Monday 15 March". See include/humandate.h.
 */
#include <string.h>

#include "humandate.h"
#include "banned.h"

static const char *const weekdays[2][7] = {
	{ "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag" },
	{ "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" },
};
static const char *const months[2][12] = {
	{ "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
	    "september", "oktober", "november", "december" },
	{ "January", "February", "March", "April", "May", "June", "July", "August",
	    "September", "October", "November", "December" },
};

static int
is_en(const char *lang)
{
	return lang != NULL && strcmp(lang, "en") == 0;
}

const char *
humandate_weekday(int weekday, const char *lang)
{
	if (weekday < 1 || weekday > 7)
		return "?";
	return weekdays[is_en(lang)][weekday - 1];
}

int
humandate_format(const struct fb_date *d, const char *lang, struct buf *out)
{
	int en = is_en(lang);

	if (d == NULL || !fbtime_date_valid(d))
		return -1;
	return buf_addf(out, "%s %d %s", weekdays[en][fbtime_weekday(d) - 1], d->day,
	    months[en][d->month - 1]);
}

int
humandate_format_at(time_t t, const char *tz, const char *lang, int with_time,
    struct buf *out)
{
	struct fb_local l;
	size_t len = out->len;

	if (fbtime_to_local(tz, t, &l, NULL) < 0 || humandate_format(&l.date, lang, out) < 0)
		return -1;
	if (with_time && buf_addf(out, " %s %02d:%02d", is_en(lang) ? "at" : "om", l.hour,
	    l.min) < 0) {
		buf_truncate(out, len);
		return -1;
	}
	return 0;
}
