/*
 * dayword — a day as written in a reply (see dayword.h). The text is cut into at most eight
 * lower-case words of at most 15 letters; anything longer is not a day.
 */
#include <stdio.h>
#include <string.h>

#include "dayword.h"

#define WORDS_MAX 8
#define WORD_LEN 16

struct words {
	char w[WORDS_MAX][WORD_LEN];
	size_t n;
};

static const char *const month_names[12][2] = {
	{ "januari", "january" }, { "februari", "february" }, { "maart", "march" },
	{ "april", "april" }, { "mei", "may" }, { "juni", "june" }, { "juli", "july" },
	{ "augustus", "august" }, { "september", "september" }, { "oktober", "october" },
	{ "november", "november" }, { "december", "december" },
};

/* Short forms that are not the first three letters of a name above. */
static const struct {
	const char *word;
	int month;
} month_short[] = { { "mrt", 3 }, { "sept", 9 }, { "okt", 10 } };

/* Monday first; Dutch, Dutch short, English, English short. */
static const char *const weekday_names[7][6] = {
	{ "maandag", "ma", "monday", "mon", NULL, NULL },
	{ "dinsdag", "di", "tuesday", "tue", "tues", NULL },
	{ "woensdag", "wo", "wednesday", "wed", NULL, NULL },
	{ "donderdag", "do", "thursday", "thu", "thur", "thurs" },
	{ "vrijdag", "vr", "friday", "fri", NULL, NULL },
	{ "zaterdag", "za", "saturday", "sat", NULL, NULL },
	{ "zondag", "zo", "sunday", "sun", NULL, NULL },
};

/* Words that say "the coming one" and change nothing, and words that say "next week's". */
static const char *const this_words[] = { "aanstaande", "a.s.", "a.s", "as", "komende", "this",
	"coming" };
static const char *const filler_words[] = { "op", "on", "the", "of", "de" };
static const char *const next_words[] = { "next", "volgende" };

/* Cut s into lower-case words at blanks and commas; a full stop ends nothing but is dropped at
 * a word's end ("feb.", "vr."), except in "a.s.". -1 when there are too many or too long. */
static int
split_words(const char *s, size_t len, struct words *out)
{
	size_t wl = 0;

	out->n = 0;
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = i < len ? (unsigned char)s[i] : ' ';

		if (c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\n') {
			if (wl > 0) {
				char *w = out->w[out->n - 1];

				w[wl] = '\0';
				if (wl > 1 && w[wl - 1] == '.' && strcmp(w, "a.s.") != 0)
					w[wl - 1] = '\0';
				wl = 0;
			}
			continue;
		}
		if (c >= 0x80)
			return -1; /* no day word here has a letter outside ASCII */
		if (wl == 0) {
			if (out->n == WORDS_MAX)
				return -1;
			out->n++;
		}
		if (wl + 1 >= WORD_LEN)
			return -1;
		out->w[out->n - 1][wl++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	return out->n > 0 ? 0 : -1;
}

static int
in_list(const char *w, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(w, list[i]) == 0)
			return 1;
	return 0;
}

#define IN(w, list) in_list((w), (list), sizeof(list) / sizeof((list)[0]))

/* "the 12th of March", "op vrijdag": words that say nothing about the day. */
static void
drop_fillers(struct words *ws)
{
	size_t k = 0;

	for (size_t i = 0; i < ws->n; i++)
		if (!IN(ws->w[i], filler_words))
			memcpy(ws->w[k++], ws->w[i], WORD_LEN);
	ws->n = k;
}

/* 1..12 for a month's name or short form, 0 otherwise. */
static int
month_of(const char *w)
{
	size_t len = strlen(w);

	for (int m = 0; m < 12; m++)
		for (int k = 0; k < 2; k++)
			if (strcmp(w, month_names[m][k]) == 0 ||
			    (len == 3 && strncmp(w, month_names[m][k], 3) == 0))
				return m + 1;
	for (size_t i = 0; i < sizeof(month_short) / sizeof(month_short[0]); i++)
		if (strcmp(w, month_short[i].word) == 0)
			return month_short[i].month;
	return 0;
}

/* 1..7 (Monday first) for a day of the week, 0 otherwise. */
static int
weekday_of(const char *w)
{
	for (int d = 0; d < 7; d++)
		for (int k = 0; k < 6 && weekday_names[d][k] != NULL; k++)
			if (strcmp(w, weekday_names[d][k]) == 0)
				return d + 1;
	return 0;
}

/* Digits at w[*i..) as a number of at most max digits; -1 when there are none. */
static int
number_at(const char *w, size_t *i, size_t max)
{
	int v = 0;
	size_t k = 0;

	while (w[*i] >= '0' && w[*i] <= '9') {
		if (++k > max)
			return -1;
		v = v * 10 + (w[*i] - '0');
		(*i)++;
	}
	return k > 0 ? v : -1;
}

/* "12", "12e", "1ste", "1st", "2nd", "3rd", "12th", "12de": a day of the month; 0 otherwise. */
static int
monthday_of(const char *w)
{
	static const char *const suffixes[] = { "", "e", "ste", "de", "st", "nd", "rd", "th" };
	size_t i = 0;
	int d = number_at(w, &i, 2);

	if (d < 1 || d > 31 || !IN(w + i, suffixes))
		return 0;
	return d;
}

/* A year of four digits, 1970 to 9999; 0 otherwise. */
static int
year_of(const char *w)
{
	size_t i = 0;
	int y = number_at(w, &i, 4);

	return w[i] == '\0' && y >= 1970 ? y : 0;
}

static int
set_date(struct dayword *out, int y, int m, int d)
{
	struct fb_date date = { y, m, d };

	if (y == 0) {
		/* no year: the day must exist in some year (29 February does) */
		date.year = 2028;
		if (!fbtime_date_valid(&date))
			return -1;
		out->kind = DAYWORD_MONTHDAY;
	} else {
		if (!fbtime_date_valid(&date))
			return -1;
		out->kind = DAYWORD_DATE;
	}
	out->date = date;
	return 0;
}

/* "2027-02-12", "12-2-2027", "12/2/2027", "12.2.2027", "12-2", "12/2". */
static int
numeric_date(const char *w, struct dayword *out)
{
	size_t i = 0;
	int a, b, c = 0;
	char sep;

	if ((a = number_at(w, &i, 4)) < 0 || (w[i] != '-' && w[i] != '/' && w[i] != '.'))
		return -1;
	sep = w[i++];
	if ((b = number_at(w, &i, 2)) < 0)
		return -1;
	if (w[i] == sep && w[i + 1] != '\0') {
		i++;
		if ((c = number_at(w, &i, 4)) < 0)
			return -1;
	}
	if (w[i] != '\0')
		return -1;
	if (a >= 1000)
		return c > 0 ? set_date(out, a, b, c) : -1;
	if (c > 0 && c < 1000)
		return -1; /* a two-digit year is a guess we do not make */
	return set_date(out, c, b, a);
}

/* "12 februari [2027]", "februari 12 [2027]", "12e feb". */
static int
named_month(const struct words *ws, size_t at, struct dayword *out)
{
	int d, m, y = 0;
	size_t rest;

	if (ws->n - at < 2)
		return -1;
	if ((d = monthday_of(ws->w[at])) > 0 && (m = month_of(ws->w[at + 1])) > 0)
		rest = at + 2;
	else if ((m = month_of(ws->w[at])) > 0 && (d = monthday_of(ws->w[at + 1])) > 0)
		rest = at + 2;
	else
		return -1;
	if (rest < ws->n && (y = year_of(ws->w[rest])) > 0)
		rest++;
	if (rest != ws->n)
		return -1;
	return set_date(out, y, m, d);
}

static int
offset_word(const struct words *ws, size_t at, struct dayword *out)
{
	static const struct {
		const char *w[3];
		int offset;
	} offsets[] = {
		{ { "vandaag" }, 0 }, { { "today" }, 0 }, { { "morgen" }, 1 },
		{ { "tomorrow" }, 1 }, { { "overmorgen" }, 2 },
		{ { "day", "after", "tomorrow" }, 2 },
	};

	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		size_t k = 0;

		while (k < 3 && offsets[i].w[k] != NULL && at + k < ws->n &&
		    strcmp(ws->w[at + k], offsets[i].w[k]) == 0)
			k++;
		if ((k == 3 || offsets[i].w[k] == NULL) && at + k == ws->n) {
			out->kind = DAYWORD_OFFSET;
			out->offset = offsets[i].offset;
			return 0;
		}
	}
	return -1;
}

int
dayword_parse(const char *s, size_t len, struct dayword *out)
{
	struct words ws;
	struct dayword w;
	size_t at = 0;
	int next_week = 0, wd = 0;

	memset(&w, 0, sizeof(w));
	if (len > WORDS_MAX * WORD_LEN || split_words(s, len, &ws) < 0)
		return -1;
	drop_fillers(&ws);
	while (ws.n > 1 && IN(ws.w[ws.n - 1], this_words))
		ws.n--; /* "vrijdag a.s." */
	/* "t/m vrijdag a.s.", "volgende week vrijdag", "next Friday", "vrijdag 12 februari" */
	for (;;) {
		if (at < ws.n && IN(ws.w[at], this_words)) {
			at++;
		} else if (at < ws.n && IN(ws.w[at], next_words)) {
			next_week = 1;
			at++;
			if (at < ws.n && strcmp(ws.w[at], "week") == 0)
				at++;
		} else if (at + 1 < ws.n && wd == 0 && (wd = weekday_of(ws.w[at])) > 0) {
			at++; /* a weekday before a date: the date says it */
		} else {
			break;
		}
	}
	if (at >= ws.n)
		return -1;
	if (at + 1 == ws.n && !next_week && numeric_date(ws.w[at], &w) == 0)
		;
	else if (!next_week && named_month(&ws, at, &w) == 0)
		;
	else if (at + 1 == ws.n && (w.weekday = weekday_of(ws.w[at])) > 0) {
		w.kind = DAYWORD_WEEKDAY;
		w.next_week = next_week;
	} else if (!next_week && wd == 0 && offset_word(&ws, at, &w) == 0)
		;
	else
		return -1;
	*out = w;
	return 0;
}

int
dayword_has_digit(const char *s, size_t len)
{
	struct dayword w;

	if (dayword_parse(s, len, &w) < 0)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] >= '0' && s[i] <= '9')
			return 1;
	return 0;
}

int
dayword_resolve(const struct dayword *w, const struct fb_date *today,
    const struct fb_date *not_before, struct fb_date *out)
{
	const struct fb_date *from = fbtime_date_cmp(not_before, today) > 0 ? not_before : today;
	struct fb_date d;

	switch (w->kind) {
	case DAYWORD_DATE:
		*out = w->date;
		return 0;
	case DAYWORD_OFFSET:
		*out = fbtime_date_add_days(today, w->offset);
		return 0;
	case DAYWORD_WEEKDAY:
		d = *from;
		if (w->next_week)
			d = fbtime_date_add_days(&d, 8 - fbtime_weekday(&d)); /* its next Monday */
		d = fbtime_date_add_days(&d, (w->weekday - fbtime_weekday(&d) + 7) % 7);
		*out = d;
		return 0;
	case DAYWORD_MONTHDAY:
		for (int y = not_before->year; y <= not_before->year + 8; y++) {
			d = (struct fb_date){ y, w->date.month, w->date.day };
			if (fbtime_date_valid(&d) && fbtime_date_cmp(&d, not_before) >= 0) {
				*out = d;
				return 0;
			}
		}
		return -1;
	}
	return -1;
}
