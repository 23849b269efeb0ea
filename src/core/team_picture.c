/*
 * team_picture — the team's picture for its members (see include/team_picture.h). Pure.
 * Nothing here names a member: the renderers read only sums over the team, and the ambition
 * answers go through mask.h as in the reports.
 */
#include <stdio.h>
#include <string.h>

#include "mask.h"
#include "team_picture.h"
#include "banned.h"

#define EN(in) ((in)->lang == REPORT_LANG_EN)

static const char *const moment_names[2][REPORT_MOMENTS] = {
	{ "nulmeting", "tussenmeting", "eindmeting", "nameting" },
	{ "baseline", "midterm", "final", "follow-up" },
};

enum phrase {
	P_VOLUME_TITLE, P_WEEK, P_RESPONSE_TITLE, P_REQUESTS, P_AMBITION_TITLE, P_NO_AMBITION,
	P_NO_MEASUREMENT, P_NO_REQUESTS, P_COUNT
};

static const char *const phrases[P_COUNT][2] = {
	[P_VOLUME_TITLE] = { "Gegeven feedback per week, het hele team samen",
	    "Feedback given per week, the whole team together" },
	[P_WEEK] = { "week", "week" },
	[P_RESPONSE_TITLE] = { "Respons", "Response" },
	[P_REQUESTS] = { "feedbackvragen", "feedback requests" },
	[P_AMBITION_TITLE] = { "Ambitie van het team (uit de nulmeting, zonder namen)",
	    "The team's ambition (from the baseline, without names)" },
	[P_NO_AMBITION] = { "(nog geen antwoorden van de nulmeting)",
	    "(no answers from the baseline yet)" },
	[P_NO_MEASUREMENT] = { "(nog geen vragenlijst verstuurd)", "(no questionnaire sent yet)" },
	[P_NO_REQUESTS] = { "nog geen gevraagd", "none asked yet" },
};

/* The phrases with figures, Dutch then English: literal formats, so the compiler checks them. */
#define S_VOLUME_HIDDEN "minder dan %d mensen gaven die week feedback", \
	"fewer than %d people gave feedback that week"
#define S_ANSWERED_OF "%d van de %d vulden de vragenlijst in (%d%%)", \
	"%d of %d answered the questionnaire (%d%%)"
#define S_REQUESTED "%d gevraagd, %d beantwoord (%d%%)", \
	"%d asked, %d answered (%d%%)"
#define S_RESPONSE_HIDDEN "minder dan %d mensen kregen deze vragenlijst", \
	"fewer than %d people got this questionnaire"
#define S_REQUESTS_HIDDEN "minder dan %d mensen vroegen om feedback", \
	"fewer than %d people asked for feedback"
#define S_AMBITION_HIDDEN "minder dan %d antwoorden: niet getoond", \
	"fewer than %d answers: not shown"
#define S_WHY "– : niet getoond, omdat het cijfer op minder dan %d mensen rust;%szo kan " \
	"niemand het cijfer van een collega eruit afleiden.", \
	"– : not shown, because the figure rests on fewer than %d people;%sso nobody can " \
	"tell a colleague's own figure from it."
#define SAY(in, out, ...) SAY_(in, out, __VA_ARGS__)
#define SAY_(in, out, nl, en, ...) (EN(in) ? buf_addf(out, en, __VA_ARGS__) : \
	buf_addf(out, nl, __VA_ARGS__))

static const char *
ph(const struct team_picture_in *in, enum phrase p)
{
	return phrases[p][EN(in)];
}

static int
min_group(const struct team_picture_in *in)
{
	return in->min_group_size > 0 ? in->min_group_size : 1;
}

static int
last_week(const struct team_picture_in *in)
{
	return report_last_week(in->through_week);
}

static size_t
nmembers(const struct team_picture_in *in)
{
	return in->team->nmembers < REPORT_MAX_MEMBERS ? in->team->nmembers : REPORT_MAX_MEMBERS;
}

int
team_picture_givers(const struct team_picture_in *in, int week)
{
	int n = 0;

	if (week < 1 || week > REPORT_MAX_WEEKS)
		return 0;
	for (size_t i = 0; i < nmembers(in); i++)
		n += in->team->members[i].given[week] > 0;
	return n;
}

static long
volume(const struct team_picture_in *in, int week)
{
	long sum = 0;

	for (size_t i = 0; i < nmembers(in); i++)
		if (in->team->members[i].given[week] > 0)
			sum += in->team->members[i].given[week];
	return sum > 1000000000L ? 1000000000L : sum;
}

int
team_picture_week_shown(const struct team_picture_in *in, int week)
{
	int n = team_picture_givers(in, week);

	/* A week nobody gave feedback in is the whole team's 0, no one person's count. */
	return n == 0 || n >= min_group(in);
}

int
team_picture_response_shown(const struct team_picture_in *in, int moment)
{
	return moment >= 0 && moment < REPORT_MOMENTS && in->team->sent[moment] >= min_group(in);
}

int
team_picture_requests_shown(const struct team_picture_in *in)
{
	return in->askers >= min_group(in);
}

int
team_picture_ambition_shown(const struct team_picture_in *in, const struct report_ambition *a)
{
	return a->nanswers >= (size_t)min_group(in);
}

static int
percent(long part, long whole)
{
	if (whole <= 0 || part < 0)
		return 0;
	if (part > whole)
		part = whole;
	return (int)((part * 100 + whole / 2) / whole);
}

static const char *
masked(const struct team_picture_in *in, const char *answer, struct buf *tmp)
{
	buf_reset(tmp);
	if (mask_text(answer, in->team->mask_names, in->team->nmask_names,
	    report_mask_word(in->lang), tmp) < 0)
		return NULL;
	return tmp->data;
}

/* The longest bar's value: the most feedback of a week that is shown. */
static long
bar_max(const struct team_picture_in *in)
{
	long max = 0;

	for (int w = 1; w <= last_week(in); w++)
		if (team_picture_week_shown(in, w) && volume(in, w) > max)
			max = volume(in, w);
	return max;
}

static int
bar_len(long v, long max)
{
	if (v <= 0 || max <= 0)
		return 0;
	return (int)((v * TEAM_PICTURE_BAR + max - 1) / max);
}

/* ---- text ---- */

static int
text_volume(const struct team_picture_in *in, struct buf *out, int *hidden)
{
	long max = bar_max(in);

	if (buf_addf(out, "%s\n", ph(in, P_VOLUME_TITLE)) < 0)
		return -1;
	for (int w = 1; w <= last_week(in); w++) {
		if (buf_addf(out, "  %s %2d  ", ph(in, P_WEEK), w) < 0)
			return -1;
		if (!team_picture_week_shown(in, w)) {
			*hidden = 1;
			if (buf_adds(out, "–  (") < 0 ||
			    SAY(in, out, S_VOLUME_HIDDEN, min_group(in)) < 0 ||
			    buf_adds(out, ")\n") < 0)
				return -1;
			continue;
		}
		for (int k = 0; k < bar_len(volume(in, w), max); k++)
			if (buf_adds(out, "█") < 0)
				return -1;
		if (buf_addf(out, "%s%ld\n", volume(in, w) > 0 ? " " : "", volume(in, w)) < 0)
			return -1;
	}
	return 0;
}

static int
text_response(const struct team_picture_in *in, struct buf *out, int *hidden)
{
	const struct report_pteam *t = in->team;
	int any = 0;

	if (buf_addf(out, "\n%s\n", ph(in, P_RESPONSE_TITLE)) < 0)
		return -1;
	for (int m = 0; m < REPORT_MOMENTS; m++) {
		size_t at = out->len;

		if (t->sent[m] <= 0)
			continue;
		any = 1;
		if (buf_addf(out, "  %s", moment_names[EN(in)][m]) < 0)
			return -1;
		while (buf_utf8_width(out->data + at, out->len - at) < 22)
			if (buf_addch(out, ' ') < 0)
				return -1;
		if (!team_picture_response_shown(in, m)) {
			*hidden = 1;
			if (buf_adds(out, "–  (") < 0 ||
			    SAY(in, out, S_RESPONSE_HIDDEN, min_group(in)) < 0 ||
			    buf_adds(out, ")\n") < 0)
				return -1;
			continue;
		}
		if (SAY(in, out, S_ANSWERED_OF, t->answered[m], t->sent[m],
		    percent(t->answered[m], t->sent[m])) < 0 || buf_addch(out, '\n') < 0)
			return -1;
	}
	if (!any && buf_addf(out, "  %s\n", ph(in, P_NO_MEASUREMENT)) < 0)
		return -1;
	size_t at = out->len;
	if (buf_addf(out, "  %s", ph(in, P_REQUESTS)) < 0)
		return -1;
	while (buf_utf8_width(out->data + at, out->len - at) < 22)
		if (buf_addch(out, ' ') < 0)
			return -1;
	if (in->requests <= 0)
		return buf_addf(out, "%s\n", ph(in, P_NO_REQUESTS));
	if (!team_picture_requests_shown(in)) {
		*hidden = 1;
		return buf_adds(out, "–  (") < 0 ||
		    SAY(in, out, S_REQUESTS_HIDDEN, min_group(in)) < 0 ||
		    buf_adds(out, ")\n") < 0 ? -1 : 0;
	}
	if (SAY(in, out, S_REQUESTED, in->requests, in->requests_answered,
	    percent(in->requests_answered, in->requests)) < 0)
		return -1;
	return buf_addch(out, '\n');
}

static int
text_ambition(const struct team_picture_in *in, struct buf *out, int *hidden)
{
	const struct report_pteam *t = in->team;

	if (buf_addf(out, "\n%s\n", ph(in, P_AMBITION_TITLE)) < 0)
		return -1;
	if (t->nambition == 0)
		return buf_addf(out, "  %s\n", ph(in, P_NO_AMBITION));
	for (size_t k = 0; k < t->nambition; k++) {
		const struct report_ambition *a = &t->ambition[k];

		if (buf_adds(out, "  ") < 0 || buf_add_lines(out, a->text ? a->text : "", " ") < 0 ||
		    buf_addch(out, '\n') < 0)
			return -1;
		if (!team_picture_ambition_shown(in, a)) {
			*hidden = 1;
			if (buf_adds(out, "    –  (") < 0 ||
			    SAY(in, out, S_AMBITION_HIDDEN, min_group(in)) < 0 ||
			    buf_adds(out, ")\n") < 0)
				return -1;
			continue;
		}
		for (size_t i = 0; i < a->nanswers; i++) {
			struct buf tmp = BUF_INIT;
			const char *m = masked(in, a->answers[i], &tmp);
			int rc = m == NULL || buf_adds(out, "    - ") < 0 ||
			    buf_add_lines(out, m, "\n      ") < 0 || buf_addch(out, '\n') < 0 ? -1 : 0;

			buf_release(&tmp);
			if (rc < 0)
				return -1;
		}
	}
	return 0;
}

int
team_picture_text(const struct team_picture_in *in, struct buf *out)
{
	size_t start = out->len;
	int hidden = 0;

	if (text_volume(in, out, &hidden) < 0 || text_response(in, out, &hidden) < 0 ||
	    text_ambition(in, out, &hidden) < 0 ||
	    (hidden && (buf_addch(out, '\n') < 0 ||
	    SAY(in, out, S_WHY, min_group(in), "\n    ") < 0 ||
	    buf_addch(out, '\n') < 0))) {
		buf_truncate(out, start);
		return -1;
	}
	return 0;
}

/* ---- HTML ---- */

#define H_FONT "font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222222;"
#define H_TD "padding:3px 8px;" H_FONT
#define H_H3 "font-family:Arial,Helvetica,sans-serif;font-size:16px;color:#1f4e79;margin:16px 0 6px 0;"
#define H_MUTED "color:#666666;"

enum hidden_why { WHY_VOLUME, WHY_RESPONSE, WHY_REQUESTS };

/* A "– (why)" cell. */
static int
html_hidden(const struct team_picture_in *in, struct buf *out, enum hidden_why why)
{
	return buf_addf(out, "<td style=\"%s%s\">– (", H_TD, H_MUTED) < 0 ||
	    (why == WHY_VOLUME ? SAY(in, out, S_VOLUME_HIDDEN, min_group(in)) :
	    why == WHY_RESPONSE ? SAY(in, out, S_RESPONSE_HIDDEN, min_group(in)) :
	    SAY(in, out, S_REQUESTS_HIDDEN, min_group(in))) < 0 || buf_adds(out, ")</td>") < 0 ? -1 : 0;
}

static int
html_volume(const struct team_picture_in *in, struct buf *out, int *hidden)
{
	long max = bar_max(in);

	if (buf_addf(out, "<h3 style=\"%s\">%s</h3>\n<table role=\"presentation\" cellpadding=\"0\" "
	    "cellspacing=\"0\" border=\"0\">", H_H3, ph(in, P_VOLUME_TITLE)) < 0)
		return -1;
	for (int w = 1; w <= last_week(in); w++) {
		if (buf_addf(out, "<tr><td style=\"%s\">%s %d</td>", H_TD, ph(in, P_WEEK), w) < 0)
			return -1;
		if (!team_picture_week_shown(in, w)) {
			*hidden = 1;
			if (html_hidden(in, out, WHY_VOLUME) < 0 || buf_adds(out, "</tr>") < 0)
				return -1;
			continue;
		}
		/* The bar as a coloured cell of a fixed width: no image to block or load. */
		if (buf_addf(out, "<td style=\"%s\"><table role=\"presentation\" cellpadding=\"0\" "
		    "cellspacing=\"0\" border=\"0\"><tr>", H_TD) < 0)
			return -1;
		if (bar_len(volume(in, w), max) > 0 && buf_addf(out, "<td width=\"%d\" "
		    "style=\"background-color:#2e7d32;width:%dpx;height:14px;font-size:1px;"
		    "line-height:1px;\">&nbsp;</td>", bar_len(volume(in, w), max) * 8,
		    bar_len(volume(in, w), max) * 8) < 0)
			return -1;
		if (buf_addf(out, "<td style=\"%spadding-left:6px;\">%ld</td></tr></table></td></tr>",
		    H_FONT, volume(in, w)) < 0)
			return -1;
	}
	return buf_adds(out, "</table>\n");
}

static int
html_response(const struct team_picture_in *in, struct buf *out, int *hidden)
{
	const struct report_pteam *t = in->team;
	int any = 0;

	if (buf_addf(out, "<h3 style=\"%s\">%s</h3>\n<table role=\"presentation\" cellpadding=\"0\" "
	    "cellspacing=\"0\" border=\"0\">", H_H3, ph(in, P_RESPONSE_TITLE)) < 0)
		return -1;
	for (int m = 0; m < REPORT_MOMENTS; m++) {
		if (t->sent[m] <= 0)
			continue;
		any = 1;
		if (buf_addf(out, "<tr><td style=\"%s\">%s</td>", H_TD, moment_names[EN(in)][m]) < 0)
			return -1;
		if (!team_picture_response_shown(in, m)) {
			*hidden = 1;
			if (html_hidden(in, out, WHY_RESPONSE) < 0)
				return -1;
		} else if (buf_addf(out, "<td style=\"%s\">", H_TD) < 0 ||
		    SAY(in, out, S_ANSWERED_OF, t->answered[m], t->sent[m],
		    percent(t->answered[m], t->sent[m])) < 0 || buf_adds(out, "</td>") < 0) {
			return -1;
		}
		if (buf_adds(out, "</tr>") < 0)
			return -1;
	}
	if (!any && buf_addf(out, "<tr><td style=\"%s\" colspan=\"2\">%s</td></tr>", H_TD,
	    ph(in, P_NO_MEASUREMENT)) < 0)
		return -1;
	if (buf_addf(out, "<tr><td style=\"%s\">%s</td>", H_TD, ph(in, P_REQUESTS)) < 0)
		return -1;
	if (in->requests <= 0) {
		if (buf_addf(out, "<td style=\"%s\">%s</td>", H_TD, ph(in, P_NO_REQUESTS)) < 0)
			return -1;
	} else if (!team_picture_requests_shown(in)) {
		*hidden = 1;
		if (html_hidden(in, out, WHY_REQUESTS) < 0)
			return -1;
	} else if (buf_addf(out, "<td style=\"%s\">", H_TD) < 0 ||
	    SAY(in, out, S_REQUESTED, in->requests, in->requests_answered,
	    percent(in->requests_answered, in->requests)) < 0 || buf_adds(out, "</td>") < 0) {
		return -1;
	}
	return buf_adds(out, "</tr></table>\n");
}

static int
html_ambition(const struct team_picture_in *in, struct buf *out, int *hidden)
{
	const struct report_pteam *t = in->team;

	if (buf_addf(out, "<h3 style=\"%s\">%s</h3>\n", H_H3, ph(in, P_AMBITION_TITLE)) < 0)
		return -1;
	if (t->nambition == 0)
		return buf_addf(out, "<p style=\"%s%s\">%s</p>\n", H_FONT, H_MUTED,
		    ph(in, P_NO_AMBITION));
	for (size_t k = 0; k < t->nambition; k++) {
		const struct report_ambition *a = &t->ambition[k];

		if (buf_addf(out, "<p style=\"%smargin:8px 0 2px 0;\"><b>", H_FONT) < 0 ||
		    report_html_escape(out, a->text ? a->text : "") < 0 ||
		    buf_adds(out, "</b></p>\n") < 0)
			return -1;
		if (!team_picture_ambition_shown(in, a)) {
			*hidden = 1;
			if (buf_addf(out, "<p style=\"%s%smargin:0;\">– (", H_FONT, H_MUTED) < 0 ||
			    SAY(in, out, S_AMBITION_HIDDEN, min_group(in)) < 0 ||
			    buf_adds(out, ")</p>\n") < 0)
				return -1;
			continue;
		}
		if (buf_adds(out, "<ul style=\"margin:0 0 6px 0;\">") < 0)
			return -1;
		for (size_t i = 0; i < a->nanswers; i++) {
			struct buf tmp = BUF_INIT;
			const char *m = masked(in, a->answers[i], &tmp);
			int rc = m == NULL || buf_addf(out, "<li style=\"%s\">", H_FONT) < 0 ||
			    report_html_escape(out, m) < 0 || buf_adds(out, "</li>") < 0 ? -1 : 0;

			buf_release(&tmp);
			if (rc < 0)
				return -1;
		}
		if (buf_adds(out, "</ul>\n") < 0)
			return -1;
	}
	return 0;
}

int
team_picture_html(const struct team_picture_in *in, struct buf *out)
{
	size_t start = out->len;
	int hidden = 0;

	if (html_volume(in, out, &hidden) < 0 || html_response(in, out, &hidden) < 0 ||
	    html_ambition(in, out, &hidden) < 0 ||
	    (hidden && (buf_addf(out, "<p style=\"%s%s\">", H_FONT, H_MUTED) < 0 ||
	    SAY(in, out, S_WHY, min_group(in), " ") < 0 ||
	    buf_adds(out, "</p>\n") < 0))) {
		buf_truncate(out, start);
		return -1;
	}
	return 0;
}
