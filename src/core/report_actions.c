/*
 * report_actions — the improvement actions of a team in the evaluation and follow-up reports.
 * See include/report_actions.h.
 */
#include <stddef.h>

#include "actions.h"
#include "report_actions.h"
#include "banned.h"

static const char *const titles[2] = {
	"Verbeteracties (uit de antwoorden op de rapporten)",
	"Improvement actions (from the replies to the reports)",
};

/* In action_quadrant() order; none of them parses as an action line (actions.h). */
static const char *const headings[2][ACTION_QUADRANTS] = {
	{ "Het team zelf, korte termijn", "Het team zelf, lange termijn",
	  "Door anderen, korte termijn", "Door anderen, lange termijn" },
	{ "The team itself, short term", "The team itself, long term",
	  "By others, short term", "By others, long term" },
};

#define H_FONT "font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222222;"
#define H_H3 "font-family:Arial,Helvetica,sans-serif;font-size:15px;color:#1f4e79;" \
	"margin:18px 0 6px 0;"

static int
lang_index(enum report_lang lang)
{
	return lang == REPORT_LANG_EN ? 1 : 0;
}

static int
valid(int q)
{
	return q >= 0 && q < ACTION_QUADRANTS;
}

int
report_actions_text(enum report_lang lang, const struct report_action *a, size_t n,
    struct buf *out)
{
	int L = lang_index(lang), shown = -1;

	if (n == 0)
		return 0;
	if (buf_addf(out, "\n%s\n", titles[L]) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!valid(a[i].quadrant))
			continue;
		if (a[i].quadrant != shown) {
			shown = a[i].quadrant;
			if (buf_addf(out, "  %s:\n", headings[L][shown]) < 0)
				return -1;
		}
		if (buf_addf(out, "     - %s\n", a[i].text ? a[i].text : "") < 0)
			return -1;
	}
	return 0;
}

int
report_actions_html(enum report_lang lang, const struct report_action *a, size_t n,
    struct buf *out)
{
	int L = lang_index(lang), shown = -1;

	if (n == 0)
		return 0;
	if (buf_addf(out, "<h3 style=\"%s\">%s</h3>\n", H_H3, titles[L]) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!valid(a[i].quadrant))
			continue;
		if (a[i].quadrant != shown) {
			if ((shown >= 0 && buf_adds(out, "</ul>\n") < 0) ||
			    buf_addf(out, "<p style=\"%smargin:8px 0 2px 0;\"><b>%s</b></p>\n"
			    "<ul style=\"margin:0 0 6px 0;\">", H_FONT, headings[L][a[i].quadrant]) < 0)
				return -1;
			shown = a[i].quadrant;
		}
		if (buf_addf(out, "<li style=\"%s\">", H_FONT) < 0 ||
		    report_html_escape(out, a[i].text ? a[i].text : "") < 0 ||
		    buf_adds(out, "</li>") < 0)
			return -1;
	}
	return shown >= 0 && buf_adds(out, "</ul>\n") < 0 ? -1 : 0;
}
