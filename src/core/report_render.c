/*
 * report_render — the weekly report written out: plain text (the mail's text/plain part and the
 * terminal), HTML for mail clients, CSV for a (Dutch) spreadsheet. Pure: struct report in, text
 * out. Wording is Dutch or English by the programme's language; one table of phrases below.
 *
 * HTML for mail clients means what Outlook's Word engine and Gmail both render: nested tables,
 * inline style attributes only (no <style> block, which Gmail may drop), bars as coloured table
 * cells of a computed width, no scripts, no images, no links. Every value from the database goes
 * through report_html_escape().
 */
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "banned.h"

enum phrase {
	P_TITLE, P_PROGRAM, P_WEEK_OF, P_GENERATED, P_LAGGING, P_UNREACHABLE, P_AWAY,
	P_NONE_LAGGING, P_MEMBER, P_GIVEN, P_RECEIVED, P_REQUESTED, P_TOTAL, P_TREND, P_STATUS,
	P_TEAM, P_R_NO_FEEDBACK, P_R_NO_REQUEST, P_R_BELOW_MEDIAN, P_R_QUESTIONNAIRE,
	P_S_LAGGING, P_S_UNREACHABLE, P_S_AWAY, P_A_COORDINATOR, P_A_FACILITATOR, P_A_OOO,
	P_BOUNCES, P_SINCE, P_QUESTIONNAIRES, P_ANSWERED, P_CLOSES, P_NO_QUESTIONNAIRES, P_SESSIONS,
	P_NO_SESSIONS, P_ACCEPTED, P_DECLINED, P_TENTATIVE, P_NO_ANSWER, P_RATING, P_RATING_HOW,
	P_RATINGS, P_THIS_WEEK, P_ALL_WEEKS, P_AVERAGE, P_MEDIAN, P_THIS_WEEK_SHORT, P_KICKOFF,
	P_PROGRESS, P_EVALUATION, P_BASELINE, P_MIDTERM, P_FINAL, P_FOLLOWUP, P_WEEKS, P_LEGEND,
	P_LEFT, P_S_LEFT, P_LEFT_ON, P_REPLY_HOW, P_REPLY_REMIND, P_REPLY_PERSONAL,
	P_REPLY_PERSONAL_EX, P_REPLY_AWAY, P_REPLY_REMIND_WORD, P_REPLY_AWAY_WORD, P_REPLY_UNTIL,
	P_TREND_LEGEND, P_TREND_BARS, P_TREND_ARROWS, P_NOTHING,
	P_COUNT
};

static const char *const phrases[P_COUNT][2] = {
	[P_TITLE] = { "Weekrapport", "Weekly report" },
	[P_PROGRAM] = { "programma", "programme" },
	[P_WEEK_OF] = { "van", "of" },
	[P_GENERATED] = { "Gemaakt op", "Generated" },
	[P_LAGGING] = { "Blijft achter", "Lagging" },
	[P_UNREACHABLE] = { "Onbereikbaar", "Unreachable" },
	[P_AWAY] = { "Afwezig", "Away" },
	[P_NONE_LAGGING] = { "Niemand blijft achter deze week.", "Nobody is lagging this week." },
	[P_MEMBER] = { "Teamlid", "Member" },
	[P_GIVEN] = { "Gegeven", "Given" },
	[P_RECEIVED] = { "Ontvangen", "Received" },
	[P_REQUESTED] = { "Gevraagd", "Requested" },
	[P_TOTAL] = { "Totaal", "Total" },
	[P_TREND] = { "Verloop", "Trend" },
	[P_STATUS] = { "Status", "Status" },
	[P_TEAM] = { "Team", "Team" },
	[P_R_NO_FEEDBACK] = { "gaf geen feedback", "gave no feedback" },
	[P_R_NO_REQUEST] = { "heeft nog nooit feedback gevraagd", "never requested feedback" },
	[P_R_BELOW_MEDIAN] = { "ver onder de mediaan van het team", "well below the team's median" },
	[P_R_QUESTIONNAIRE] = { "vragenlijst niet ingevuld voor die sloot, ook niet na herinnering",
	    "left the questionnaire unanswered until it closed, despite a reminder" },
	[P_S_LAGGING] = { "blijft achter", "lagging" },
	[P_S_UNREACHABLE] = { "onbereikbaar", "unreachable" },
	[P_S_AWAY] = { "afwezig", "away" },
	[P_A_COORDINATOR] = { "gemeld door coördinator", "marked by the coordinator" },
	[P_A_FACILITATOR] = { "gemeld door procesbegeleider", "marked by a facilitator" },
	[P_A_OOO] = { "afwezigheidsbericht", "out-of-office reply" },
	[P_BOUNCES] = { "e-mailadres komt niet aan", "email address bounces" },
	[P_SINCE] = { "sinds", "since" },
	[P_QUESTIONNAIRES] = { "Vragenlijsten", "Questionnaires" },
	[P_ANSWERED] = { "ingevuld", "answered" },
	[P_CLOSES] = { "sluit", "closes" },
	[P_NO_QUESTIONNAIRES] = { "Geen open vragenlijsten.", "No open questionnaires." },
	[P_SESSIONS] = { "Komende bijeenkomsten", "Coming sessions" },
	[P_NO_SESSIONS] = { "Geen geplande bijeenkomsten.", "No sessions scheduled." },
	[P_ACCEPTED] = { "komt", "accepted" },
	[P_DECLINED] = { "komt niet", "declined" },
	[P_TENTATIVE] = { "misschien", "tentative" },
	[P_NO_ANSWER] = { "geen antwoord", "no answer" },
	[P_RATING] = { "Kwaliteit van de feedback (anoniem)", "Quality of the feedback (anonymous)" },
	/* the one explanation of the rating scale (the template adds none) */
	[P_RATING_HOW] = { "Geef elke tekst hieronder een cijfer van 1 (zwak) tot 5 (sterk): "
	    "beantwoord deze mail met één regel per tekst, bijvoorbeeld",
	    "Give each text below a rating from 1 (weak) to 5 (strong): reply to this mail with "
	    "one line per text, for example" },
	[P_RATINGS] = { "Beoordelingen", "Ratings" },
	[P_THIS_WEEK] = { "deze week", "this week" },
	[P_ALL_WEEKS] = { "alle weken", "all weeks" },
	[P_AVERAGE] = { "gemiddeld", "average" },
	[P_MEDIAN] = { "Mediaan activiteit van het team", "Median activity of the team" },
	[P_THIS_WEEK_SHORT] = { "wk", "wk" },
	[P_KICKOFF] = { "aftrap", "kickoff" },
	[P_PROGRESS] = { "voortgangsbijeenkomst", "progress session" },
	[P_EVALUATION] = { "evaluatie", "evaluation" },
	[P_BASELINE] = { "nulmeting", "baseline measurement" },
	[P_MIDTERM] = { "tussenmeting", "midterm measurement" },
	[P_FINAL] = { "eindmeting", "final measurement" },
	[P_FOLLOWUP] = { "nameting", "follow-up measurement" },
	[P_WEEKS] = { "weken", "weeks" },
	[P_LEGEND] = { "Per kolom: deze week (totaal) t/m week",
	    "Each column: this week (total) through week" },
	[P_LEFT] = { "Vertrokken", "Left" },
	[P_S_LEFT] = { "vertrokken", "left" },
	[P_LEFT_ON] = { "uit het programma sinds", "left the programme on" },
	/* The reply commands (apply_report.c reads them), where the facilitator acts. */
	[P_REPLY_HOW] = { "Iets doen? Beantwoord deze mail met een regel per opdracht, bijvoorbeeld:",
	    "Want to act? Reply to this mail with one line per command, for example:" },
	[P_REPLY_REMIND] = { "krijgt een herinnering van jou", "gets a reminder from you" },
	[P_REPLY_PERSONAL] = { "met een persoonlijke regel erbij", "with a personal line added" },
	[P_REPLY_PERSONAL_EX] = { "succes met je presentatie", "good luck with your talk" },
	[P_REPLY_AWAY] = { "telt t/m die dag als afwezig (geen wekelijkse mail)",
	    "counts as away through that day (no weekly mail)" },
	[P_REPLY_REMIND_WORD] = { "Herinner", "Remind" },
	[P_REPLY_AWAY_WORD] = { "Afwezig", "Away" },
	[P_REPLY_UNTIL] = { "t/m", "until" },
	[P_TREND_LEGEND] = { "Verloop: activiteit (gegeven + ontvangen + gevraagd) per week",
	    "Trend: activity (given + received + requested) per week" },
	[P_TREND_BARS] = { "een balk per week, de donkerste is de laatste week",
	    "one bar per week, the darkest is the last week" },
	[P_TREND_ARROWS] = { "▲ meer dan de week ervoor, ▼ minder, = even veel",
	    "▲ more than the week before, ▼ less, = the same" },
	[P_NOTHING] = { "–", "–" },
};

static const char *
ph(const struct report *r, enum phrase p)
{
	return phrases[p][r->in->lang == REPORT_LANG_EN ? 1 : 0];
}

static const char *
kind_word(const struct report *r, const char *kind)
{
	static const struct { const char *kind; enum phrase p; } map[] = {
		{ "kickoff", P_KICKOFF }, { "progress", P_PROGRESS }, { "evaluation", P_EVALUATION },
		{ "baseline", P_BASELINE }, { "midterm", P_MIDTERM }, { "final", P_FINAL },
		{ "followup", P_FOLLOWUP },
	};

	for (size_t i = 0; kind && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(kind, map[i].kind) == 0)
			return ph(r, map[i].p);
	return kind ? kind : "?";
}

static const char *
away_word(const struct report *r, enum report_away a)
{
	switch (a) {
	case REPORT_AWAY_FACILITATOR:
		return ph(r, P_A_FACILITATOR);
	case REPORT_AWAY_OUT_OF_OFFICE:
		return ph(r, P_A_OOO);
	default:
		return ph(r, P_A_COORDINATOR);
	}
}

static const char *
status_word(const struct report *r, enum report_status s)
{
	switch (s) {
	case REPORT_LAGGING:
		return ph(r, P_S_LAGGING);
	case REPORT_UNREACHABLE:
		return ph(r, P_S_UNREACHABLE);
	case REPORT_AWAY:
		return ph(r, P_S_AWAY);
	case REPORT_LEFT:
		return ph(r, P_S_LEFT);
	default:
		return "";
	}
}

/* "left the programme on 2027-01-20". */
static int
add_left(struct buf *out, const struct report *r, const struct report_member *m)
{
	const struct fb_date *d = &m->in->left_on;

	return buf_addf(out, "%s %04d-%02d-%02d", ph(r, P_LEFT_ON), d->year, d->month, d->day);
}

/* The reasons as one phrase: "gave no feedback; never requested feedback". */
static int
add_reasons(struct buf *out, const struct report *r, unsigned reasons)
{
	static const struct { unsigned bit; enum phrase p; } map[] = {
		{ REPORT_REASON_NO_FEEDBACK, P_R_NO_FEEDBACK },
		{ REPORT_REASON_NO_REQUEST, P_R_NO_REQUEST },
		{ REPORT_REASON_BELOW_MEDIAN, P_R_BELOW_MEDIAN },
		{ REPORT_REASON_QUESTIONNAIRE, P_R_QUESTIONNAIRE },
	};
	const char *sep = "";

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (!(reasons & map[i].bit))
			continue;
		if (buf_adds(out, sep) < 0 || buf_adds(out, ph(r, map[i].p)) < 0)
			return -1;
		sep = "; ";
	}
	return 0;
}

static const char *
name_of(const struct report_member *m)
{
	return m->in->name && m->in->name[0] ? m->in->name : "?";
}

/* Width of s in characters (UTF-8 code points). */
static size_t
width(const char *s)
{
	return buf_utf8_width(s, strlen(s));
}

static int
add_padded(struct buf *out, const char *s, size_t w, int right)
{
	size_t have = width(s);

	if (right)
		for (size_t i = have; i < w; i++)
			if (buf_addch(out, ' ') < 0)
				return -1;
	if (buf_adds(out, s) < 0)
		return -1;
	if (!right)
		for (size_t i = have; i < w; i++)
			if (buf_addch(out, ' ') < 0)
				return -1;
	return 0;
}

/* t as the reader reads it in the report's language: "maandag 15 maart 09:00" (the year only
 * when it is not the year the report was made in). */
static int
add_local(struct buf *out, const struct report *r, time_t t)
{
	const char *tz = r->in->tz;
	struct fb_local l, made;

	if (tz == NULL || fbtime_to_local(tz, t, &l, NULL) < 0 ||
	    fbtime_to_local(tz, r->in->generated_at, &made, NULL) < 0)
		return fbtime_format_utc(t, out);
	if (fbtime_format_human_date(&l.date, r->in->lang == REPORT_LANG_EN ? "en" : "nl",
	    made.date.year, out) < 0)
		return -1;
	return buf_addf(out, " %02d:%02d", l.hour, l.min);
}

/* Why a member is unreachable: "email address bounces since Tuesday 12 January" (the local day it
 * became so), or without the date when it is not known. */
static int
add_bounces(struct buf *out, const struct report *r, const struct report_member *m)
{
	struct fb_local l;

	if (buf_adds(out, ph(r, P_BOUNCES)) < 0)
		return -1;
	if (m->in->unreachable_since <= 0)
		return 0;
	if (r->in->tz == NULL || fbtime_to_local(r->in->tz, m->in->unreachable_since, &l,
	    NULL) < 0) {
		if (buf_addf(out, " %s ", ph(r, P_SINCE)) < 0)
			return -1;
		return fbtime_format_utc(m->in->unreachable_since, out);
	}
	if (buf_addf(out, " %s ", ph(r, P_SINCE)) < 0)
		return -1;
	struct fb_local made;
	int year = fbtime_to_local(r->in->tz, r->in->generated_at, &made, NULL) == 0 ?
	    made.date.year : l.date.year;
	return fbtime_format_human_date(&l.date, r->in->lang == REPORT_LANG_EN ? "en" : "nl",
	    year, out);
}

/* The first trend slot to show: none before week 1. */
static int
first_trend(const struct report *r)
{
	int k = REPORT_TREND_WEEKS - r->in->week;

	return k > 0 ? k : 0;
}

/* "▲" when the last week's activity rose against the one before, "▼" when it fell, "=". */
static const char *
trend_arrow(const struct report_member *m)
{
	int a = m->trend[REPORT_TREND_WEEKS - 2], b = m->trend[REPORT_TREND_WEEKS - 1];

	return b > a ? "▲" : b < a ? "▼" : "=";
}

static int
percent(int part, int whole)
{
	return whole > 0 ? (int)((part * 100L + whole / 2) / whole) : 0;
}

/* A decimal number with a comma for Dutch, a point for English, as report_progress.c writes
 * them: one way in every report. */
static int
add_decimal(struct buf *out, const struct report *r, double v)
{
	char s[32], *dot;

	snprintf(s, sizeof(s), "%.1f", v);
	if (r->in->lang != REPORT_LANG_EN && (dot = strchr(s, '.')) != NULL)
		*dot = ',';
	return buf_adds(out, s);
}

/* An average of count values: "–" when there is nothing to average. */
static int
add_average(struct buf *out, const struct report *r, int count, double avg)
{
	return count > 0 ? add_decimal(out, r, avg) : buf_adds(out, ph(r, P_NOTHING));
}

/* The median line under the table: "Mediaan activiteit van het team: 3,5" ("–" without any
 * member to take it over). */
static int
add_median(struct buf *out, const struct report *r)
{
	int counted = 0;

	for (size_t i = 0; i < r->n; i++)
		counted |= r->members[i].status == REPORT_ACTIVE ||
		    r->members[i].status == REPORT_LAGGING;
	if (buf_addf(out, "%s: ", ph(r, P_MEDIAN)) < 0)
		return -1;
	return counted ? add_decimal(out, r, r->median_activity) : buf_adds(out, ph(r, P_NOTHING));
}

/* The first week the trend shows (the last is the week reported on): none before week 1. */
static int
trend_from(const struct report *r)
{
	int w = r->in->week - REPORT_TREND_WEEKS + 1;

	return w > 1 ? w : 1;
}

/* The trend's legend, in words: what a number (text) or a bar (html) is, and the arrows. */
static int
add_trend_legend(struct buf *out, const struct report *r, int html)
{
	const int en = r->in->lang == REPORT_LANG_EN;

	if (buf_adds(out, ph(r, P_TREND_LEGEND)) < 0)
		return -1;
	if (trend_from(r) < r->in->week && buf_addf(out, ", %s %d %s %d", en ? "from week" :
	    "van week", trend_from(r), en ? "to" : "tot en met", r->in->week) < 0)
		return -1;
	if (html)
		return buf_addf(out, ": %s.", ph(r, P_TREND_BARS));
	return buf_addf(out, "; %s.", ph(r, P_TREND_ARROWS));
}

/* The member a reply example names: the first lagging member, else the first one active; by
 * first name when no other member of the team has it (the name matcher takes it then), else
 * by full name. NULL when there is nobody to name. */
static const char *
example_member(const struct report *r, size_t *len)
{
	const struct report_member *pick = NULL;
	const char *n, *sp;

	for (size_t i = 0; i < r->n && pick == NULL; i++)
		if (r->members[i].status == REPORT_LAGGING)
			pick = &r->members[i];
	for (size_t i = 0; i < r->n && pick == NULL; i++)
		if (r->members[i].status == REPORT_ACTIVE)
			pick = &r->members[i];
	if (pick == NULL || pick->in->name == NULL || pick->in->name[0] == '\0')
		return NULL;
	n = pick->in->name;
	*len = strlen(n);
	sp = strchr(n, ' ');
	if (sp == NULL || sp == n)
		return n;
	for (size_t i = 0; i < r->n; i++) {
		const char *o = r->members[i].in->name;

		if (&r->members[i] != pick && o != NULL && strncmp(o, n, (size_t)(sp - n)) == 0 &&
		    (o[sp - n] == ' ' || o[sp - n] == '\0'))
			return n;
	}
	*len = (size_t)(sp - n);
	return n;
}

/* The end of the example absence: the Friday of the week the report is made in (the next one
 * when it is made at the weekend), as "12-3-2027", the form the reply reader takes. */
static int
add_example_until(struct buf *out, const struct report *r)
{
	struct fb_local l;
	struct fb_date d;

	if (fbtime_to_local(r->in->tz ? r->in->tz : "UTC", r->in->generated_at, &l, NULL) < 0)
		return buf_adds(out, "1-2-2027");
	d = fbtime_date_add_days(&l.date, (5 - fbtime_weekday(&l.date) + 7) % 7);
	return buf_addf(out, "%d-%d-%d", d.day, d.month, d.year);
}

/*
 * The reply commands as lines: "Herinner: Tom", "Herinner: Tom — succes met je presentatie",
 * "Afwezig: Tom t/m 12-3-2027", each with what it does; into cmd[k] and what[k]. The caller
 * releases cmd[0..3). 0, 1 when there is nobody to name (nothing filled), -1 on ENOMEM.
 */
static int
reply_examples(const struct report *r, struct buf cmd[3], const char *what[3])
{
	size_t len = 0;
	const char *who = example_member(r, &len);
	const char *rw = ph(r, P_REPLY_REMIND_WORD);

	if (who == NULL)
		return 1;
	for (int k = 0; k < 3; k++)
		buf_init(&cmd[k]);
	if (buf_addf(&cmd[0], "%s: %.*s", rw, (int)len, who) < 0 ||
	    buf_addf(&cmd[1], "%s: %.*s — %s", rw, (int)len, who, ph(r, P_REPLY_PERSONAL_EX)) < 0 ||
	    buf_addf(&cmd[2], "%s: %.*s %s ", ph(r, P_REPLY_AWAY_WORD), (int)len, who,
	    ph(r, P_REPLY_UNTIL)) < 0 || add_example_until(&cmd[2], r) < 0) {
		for (int k = 0; k < 3; k++)
			buf_release(&cmd[k]);
		return -1;
	}
	what[0] = ph(r, P_REPLY_REMIND);
	what[1] = ph(r, P_REPLY_PERSONAL);
	what[2] = ph(r, P_REPLY_AWAY);
	return 0;
}

static int
render_reply_text(const struct report *r, struct buf *out)
{
	struct buf cmd[3];
	const char *what[3];
	size_t w = 0;
	int rc;

	if ((rc = reply_examples(r, cmd, what)) != 0)
		return rc < 0 ? -1 : 0;
	for (int k = 0; k < 3; k++)
		if (width(cmd[k].data) > w)
			w = width(cmd[k].data);
	rc = buf_addf(out, "\n%s\n", ph(r, P_REPLY_HOW));
	for (int k = 0; k < 3 && rc == 0; k++)
		rc = buf_adds(out, "  ") < 0 || add_padded(out, cmd[k].data, w, 0) < 0 ||
		    buf_addf(out, "  %s\n", what[k]) < 0 ? -1 : 0;
	for (int k = 0; k < 3; k++)
		buf_release(&cmd[k]);
	return rc;
}

static int
render_header_text(const struct report *r, struct buf *out)
{
	const struct report_input *in = r->in;

	if (buf_addf(out, "%s — %s %s (%s %s), ", ph(r, P_TITLE), "team",
	    in->team ? in->team : "?", ph(r, P_PROGRAM), in->program ? in->program : "?") < 0 ||
	    buf_addf(out, "week %d %s %d", in->week, ph(r, P_WEEK_OF), in->weeks) < 0 ||
	    buf_addf(out, "\n%s: ", ph(r, P_GENERATED)) < 0 ||
	    add_local(out, r, in->generated_at) < 0 ||
	    buf_addf(out, " (%s)\n\n", in->tz ? in->tz : "UTC") < 0)
		return -1;
	return 0;
}

static int
render_status_text(const struct report *r, struct buf *out)
{
	if (buf_addf(out, "%s (%zu)\n", ph(r, P_LAGGING), r->nlagging) < 0)
		return -1;
	if (r->nlagging == 0 && buf_addf(out, "  %s\n", ph(r, P_NONE_LAGGING)) < 0)
		return -1;
	for (size_t i = 0; i < r->n; i++) {
		const struct report_member *m = &r->members[i];

		if (m->status != REPORT_LAGGING)
			continue;
		if (buf_addf(out, "  - %s: ", name_of(m)) < 0 || add_reasons(out, r, m->reasons) < 0 ||
		    buf_addch(out, '\n') < 0)
			return -1;
	}
	if (render_reply_text(r, out) < 0)
		return -1;
	/* the others apart, after a blank line */
	if (r->nunreachable + r->naway + r->nleft > 0 && buf_addch(out, '\n') < 0)
		return -1;
	if (r->nunreachable) {
		if (buf_addf(out, "%s (%zu)\n", ph(r, P_UNREACHABLE), r->nunreachable) < 0)
			return -1;
		for (size_t i = 0; i < r->n; i++)
			if (r->members[i].status == REPORT_UNREACHABLE &&
			    (buf_addf(out, "  - %s: ", name_of(&r->members[i])) < 0 ||
			    add_bounces(out, r, &r->members[i]) < 0 || buf_addch(out, '\n') < 0))
				return -1;
	}
	if (r->naway) {
		if (buf_addf(out, "%s (%zu)\n", ph(r, P_AWAY), r->naway) < 0)
			return -1;
		for (size_t i = 0; i < r->n; i++)
			if (r->members[i].status == REPORT_AWAY &&
			    buf_addf(out, "  - %s: %s\n", name_of(&r->members[i]),
			    away_word(r, r->members[i].away)) < 0)
				return -1;
	}
	if (r->nleft) {
		if (buf_addf(out, "%s (%zu)\n", ph(r, P_LEFT), r->nleft) < 0)
			return -1;
		for (size_t i = 0; i < r->n; i++)
			if (r->members[i].status == REPORT_LEFT &&
			    (buf_addf(out, "  - %s: ", name_of(&r->members[i])) < 0 ||
			    add_left(out, r, &r->members[i]) < 0 || buf_addch(out, '\n') < 0))
				return -1;
	}
	return buf_addch(out, '\n');
}

static int
render_table_text(const struct report *r, struct buf *out)
{
	size_t nw = width(ph(r, P_MEMBER));
	char cell[64];
	const char *num_heads[3] = { ph(r, P_GIVEN), ph(r, P_RECEIVED), ph(r, P_REQUESTED) };
	size_t cw = 9;

	for (size_t i = 0; i < r->n; i++)
		if (width(name_of(&r->members[i])) > nw)
			nw = width(name_of(&r->members[i]));
	if (width(ph(r, P_TEAM)) > nw)
		nw = width(ph(r, P_TEAM));
	if (nw > 40)
		nw = 40;
	/* Header: name, then given/received/requested as "week (total)". */
	if (add_padded(out, ph(r, P_MEMBER), nw, 0) < 0)
		return -1;
	for (int k = 0; k < 3; k++)
		if (buf_adds(out, "  ") < 0 || add_padded(out, num_heads[k], cw + 1, 1) < 0)
			return -1;
	if (buf_addf(out, "  %s (%s %d-%d)  %s\n", ph(r, P_TREND), ph(r, P_THIS_WEEK_SHORT),
	    trend_from(r), r->in->week, ph(r, P_STATUS)) < 0)
		return -1;
	for (size_t i = 0; i < r->n; i++) {
		const struct report_member *m = &r->members[i];
		const int wk[3] = { m->given_week, m->received_week, m->requested_week };
		const int tot[3] = { m->given_total, m->received_total, m->requested_total };

		if (add_padded(out, name_of(m), nw, 0) < 0)
			return -1;
		for (int k = 0; k < 3; k++) {
			snprintf(cell, sizeof(cell), "%d (%d)", wk[k], tot[k]);
			if (buf_adds(out, "  ") < 0 || add_padded(out, cell, cw + 1, 1) < 0)
				return -1;
		}
		if (buf_adds(out, "  ") < 0)
			return -1;
		for (int k = first_trend(r); k < REPORT_TREND_WEEKS; k++)
			if (buf_addf(out, "%s%d", k > first_trend(r) ? "·" : "", m->trend[k]) < 0)
				return -1;
		if (buf_addf(out, " %s", trend_arrow(m)) < 0)
			return -1;
		if (m->status != REPORT_ACTIVE && buf_addf(out, "  %s", status_word(r, m->status)) < 0)
			return -1;
		if (buf_addch(out, '\n') < 0)
			return -1;
	}
	if (add_padded(out, ph(r, P_TEAM), nw, 0) < 0)
		return -1;
	{
		const int wk[3] = { r->team_given_week, r->team_received_week, r->team_requested_week };
		const int tot[3] = { r->team_given_total, r->team_received_total,
		    r->team_requested_total };

		for (int k = 0; k < 3; k++) {
			snprintf(cell, sizeof(cell), "%d (%d)", wk[k], tot[k]);
			if (buf_adds(out, "  ") < 0 || add_padded(out, cell, cw + 1, 1) < 0)
				return -1;
		}
	}
	if (buf_addf(out, "\n%s %d.\n", ph(r, P_LEGEND), r->in->week) < 0 ||
	    add_trend_legend(out, r, 0) < 0 || buf_addch(out, '\n') < 0 ||
	    add_median(out, r) < 0)
		return -1;
	return buf_adds(out, "\n\n");
}

static int
render_questionnaires_text(const struct report *r, struct buf *out)
{
	const struct report_input *in = r->in;

	if (buf_addf(out, "%s\n", ph(r, P_QUESTIONNAIRES)) < 0)
		return -1;
	if (in->nquestionnaires == 0)
		return buf_addf(out, "  %s\n\n", ph(r, P_NO_QUESTIONNAIRES));
	for (size_t i = 0; i < in->nquestionnaires; i++) {
		const struct report_questionnaire_in *q = &in->questionnaires[i];

		if (buf_addf(out, "  - %s: %d/%d %s (%d%%), %s ", kind_word(r, q->kind), q->completed,
		    q->sent, ph(r, P_ANSWERED), percent(q->completed, q->sent), ph(r, P_CLOSES)) < 0 ||
		    add_local(out, r, q->closes_at) < 0 || buf_addch(out, '\n') < 0)
			return -1;
	}
	return buf_addch(out, '\n');
}

static int
render_sessions_text(const struct report *r, struct buf *out)
{
	const struct report_input *in = r->in;

	if (buf_addf(out, "%s\n", ph(r, P_SESSIONS)) < 0)
		return -1;
	if (in->nsessions == 0)
		return buf_addf(out, "  %s\n\n", ph(r, P_NO_SESSIONS));
	for (size_t i = 0; i < in->nsessions; i++) {
		const struct report_session_in *s = &in->sessions[i];

		if (buf_addf(out, "  - %s ", kind_word(r, s->kind)) < 0 ||
		    add_local(out, r, s->starts_at) < 0 ||
		    buf_addf(out, ": %d %s, %d %s, %d %s, %d %s\n", s->accepted, ph(r, P_ACCEPTED),
		    s->declined, ph(r, P_DECLINED), s->tentative, ph(r, P_TENTATIVE), s->no_answer,
		    ph(r, P_NO_ANSWER)) < 0)
			return -1;
	}
	return buf_addch(out, '\n');
}

static int
add_ratings_line(const struct report *r, struct buf *out)
{
	const struct report_input *in = r->in;

	if (buf_addf(out, "%s: %s %d (%s ", ph(r, P_RATINGS), ph(r, P_THIS_WEEK),
	    in->ratings_week_count, ph(r, P_AVERAGE)) < 0 ||
	    add_average(out, r, in->ratings_week_count, in->ratings_week_avg) < 0 ||
	    buf_addf(out, "), %s %d (%s ", ph(r, P_ALL_WEEKS), in->ratings_total_count,
	    ph(r, P_AVERAGE)) < 0 ||
	    add_average(out, r, in->ratings_total_count, in->ratings_total_avg) < 0)
		return -1;
	return buf_addch(out, ')');
}

static int
render_samples_text(const struct report *r, struct buf *out)
{
	if (buf_addf(out, "%s\n", ph(r, P_RATING)) < 0)
		return -1;
	if (r->nsamples > 0) {
		if (buf_adds(out, "  ") < 0 ||
		    buf_addf(out, "%s \"%s: 4\".", ph(r, P_RATING_HOW),
		    r->samples[0].id ? r->samples[0].id : "F1") < 0 ||
		    buf_adds(out, "\n\n") < 0)
			return -1;
		for (size_t i = 0; i < r->nsamples; i++) {
			const char *t = r->samples[i].text ? r->samples[i].text : "";

			if (buf_addf(out, "  %s:\n", r->samples[i].id ? r->samples[i].id : "?") < 0)
				return -1;
			/* Indent every line of the text so the ids stand out. */
			if (buf_adds(out, "    | ") < 0)
				return -1;
			for (; *t; t++) {
				if (buf_addch(out, *t) < 0)
					return -1;
				if (*t == '\n' && t[1] != '\0' && buf_adds(out, "    | ") < 0)
					return -1;
			}
			if (buf_adds(out, "\n\n") < 0)
				return -1;
		}
	}
	if (buf_adds(out, "  ") < 0 || add_ratings_line(r, out) < 0)
		return -1;
	return buf_addch(out, '\n');
}

int
report_render_text(const struct report *r, struct buf *out)
{
	size_t start = out->len;

	if (render_header_text(r, out) < 0 || render_status_text(r, out) < 0 ||
	    render_table_text(r, out) < 0 || render_questionnaires_text(r, out) < 0 ||
	    render_sessions_text(r, out) < 0 || render_samples_text(r, out) < 0) {
		buf_truncate(out, start);
		return -1;
	}
	return 0;
}

/* ---- HTML ---- */

int
report_html_escape(struct buf *out, const char *s)
{
	if (s == NULL)
		return 0;
	for (; *s; s++) {
		const char *e = NULL;

		switch (*s) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&#39;"; break;
		default: break;
		}
		if (e ? buf_adds(out, e) : buf_addch(out, *s))
			return -1;
	}
	return 0;
}

/* Escaped text with line ends as <br>. */
static int
html_text_lines(struct buf *out, const char *s)
{
	for (; s && *s; s++) {
		char one[2] = { *s, '\0' };

		if (*s == '\r')
			continue;
		if (*s == '\n' ? buf_adds(out, "<br>") : report_html_escape(out, one))
			return -1;
	}
	return 0;
}

#define H_FONT "font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222222;"
#define H_TH "padding:4px 8px;border-bottom:2px solid #888888;text-align:left;" H_FONT
#define H_TD "padding:4px 8px;border-bottom:1px solid #dddddd;" H_FONT
#define H_NUM "padding:4px 8px;border-bottom:1px solid #dddddd;text-align:right;" H_FONT
#define H_H2 "font-family:Arial,Helvetica,sans-serif;font-size:17px;color:#1f4e79;margin:18px 0 6px 0;"

/* A bar of value units out of max, as two cells of a fixed-width table (no images). */
static int
html_bar(struct buf *out, int value, int max, const char *colour)
{
	int w = max > 0 ? (value * 60 + max - 1) / max : 0;

	if (w < 0)
		w = 0;
	if (w > 60)
		w = 60;
	if (buf_adds(out, "<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" "
	    "border=\"0\" style=\"border-collapse:collapse;\"><tr>") < 0)
		return -1;
	if (w > 0 && buf_addf(out, "<td width=\"%d\" height=\"10\" style=\"width:%dpx;height:10px;"
	    "background-color:%s;font-size:1px;line-height:1px;\">&nbsp;</td>", w, w, colour) < 0)
		return -1;
	return buf_addf(out, "<td width=\"%d\" height=\"10\" style=\"width:%dpx;height:10px;"
	    "font-size:1px;line-height:1px;\">&nbsp;</td></tr></table>", 61 - w, 61 - w);
}

static int
html_cell(struct buf *out, const char *style, const char *text)
{
	if (buf_addf(out, "<td style=\"%s\">", style) < 0 || report_html_escape(out, text) < 0)
		return -1;
	return buf_adds(out, "</td>");
}

static int
html_num(struct buf *out, int week, int total)
{
	return buf_addf(out, "<td style=\"%s\">%d <span style=\"color:#777777;\">(%d)</span></td>",
	    H_NUM, week, total);
}

/* The members of status s as rows: name, status, why. Nothing when there are none. */
static int
html_status_table(const struct report *r, enum report_status s, struct buf *out)
{
	int open = 0;

	for (size_t i = 0; i < r->n; i++) {
		const struct report_member *m = &r->members[i];
		struct buf why = BUF_INIT;
		const char *colour = m->status == REPORT_LAGGING ? "#b00020" : "#666666";
		int rc;

		if (m->status != s)
			continue;
		if (!open && buf_adds(out, "<table role=\"presentation\" cellpadding=\"0\" "
		    "cellspacing=\"0\" border=\"0\" style=\"border-collapse:collapse;\">") < 0)
			return -1;
		open = 1;
		if (m->status == REPORT_LAGGING)
			rc = add_reasons(&why, r, m->reasons);
		else if (m->status == REPORT_AWAY)
			rc = buf_adds(&why, away_word(r, m->away));
		else if (m->status == REPORT_LEFT)
			rc = add_left(&why, r, m);
		else
			rc = add_bounces(&why, r, m);
		rc = rc < 0 || buf_addf(out, "<tr><td style=\"%sfont-weight:bold;color:%s;\">",
		    H_TD, colour) < 0 || report_html_escape(out, name_of(m)) < 0 ||
		    buf_adds(out, "</td>") < 0 || html_cell(out, H_TD, status_word(r, m->status)) < 0 ||
		    html_cell(out, H_TD, why.data) < 0 || buf_adds(out, "</tr>") < 0 ? -1 : 0;
		buf_release(&why);
		if (rc < 0)
			return -1;
	}
	return open ? buf_adds(out, "</table>") : 0;
}

/* The reply commands under the lagging list, as render_reply_text() has them. */
static int
render_reply_html(const struct report *r, struct buf *out)
{
	struct buf cmd[3];
	const char *what[3];
	int rc;

	if ((rc = reply_examples(r, cmd, what)) != 0)
		return rc < 0 ? -1 : 0;
	rc = buf_addf(out, "<p style=\"%s\">", H_FONT) < 0 ||
	    report_html_escape(out, ph(r, P_REPLY_HOW)) < 0 ||
	    buf_adds(out, "</p><table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" "
	    "border=\"0\" style=\"border-collapse:collapse;\">") < 0 ? -1 : 0;
	for (int k = 0; k < 3 && rc == 0; k++)
		rc = buf_addf(out, "<tr><td style=\"%sfont-family:Consolas,Menlo,monospace;"
		    "white-space:nowrap;\">", H_TD) < 0 || report_html_escape(out, cmd[k].data) < 0 ||
		    buf_adds(out, "</td>") < 0 || html_cell(out, H_TD, what[k]) < 0 ||
		    buf_adds(out, "</tr>") < 0 ? -1 : 0;
	if (rc == 0)
		rc = buf_adds(out, "</table>");
	for (int k = 0; k < 3; k++)
		buf_release(&cmd[k]);
	return rc;
}

static int
render_one_html(const struct report *r, struct buf *out)
{
	const struct report_input *in = r->in;
	int maxact = 1;
	char wk[64];

	for (size_t i = 0; i < r->n; i++)
		for (int k = 0; k < REPORT_TREND_WEEKS; k++)
			if (r->members[i].trend[k] > maxact)
				maxact = r->members[i].trend[k];
	if (buf_addf(out, "<h1 style=\"%sfont-size:20px;\">", H_H2) < 0 ||
	    report_html_escape(out, ph(r, P_TITLE)) < 0 || buf_adds(out, " — ") < 0 ||
	    report_html_escape(out, in->team ? in->team : "?") < 0 ||
	    buf_addf(out, "</h1><p style=\"%s\">", H_FONT) < 0 ||
	    report_html_escape(out, ph(r, P_PROGRAM)) < 0 || buf_addch(out, ' ') < 0 ||
	    report_html_escape(out, in->program ? in->program : "?") < 0)
		return -1;
	snprintf(wk, sizeof(wk), "week %d %s %d", in->week, ph(r, P_WEEK_OF), in->weeks);
	if (buf_adds(out, ", ") < 0 || report_html_escape(out, wk) < 0 ||
	    buf_addf(out, ". %s ", ph(r, P_GENERATED)) < 0 ||
	    add_local(out, r, in->generated_at) < 0 || buf_adds(out, "</p>") < 0)
		return -1;

	/* Lagging first, with the replies that act on it; then the unreachable, the away and who
	 * left, each under their own heading: none of them is lagging or counted so. */
	if (buf_addf(out, "<h2 style=\"%s\">%s (%zu)</h2>", H_H2, ph(r, P_LAGGING), r->nlagging) < 0)
		return -1;
	if (r->nlagging == 0 && buf_addf(out, "<p style=\"%s\">%s</p>", H_FONT,
	    ph(r, P_NONE_LAGGING)) < 0)
		return -1;
	if (html_status_table(r, REPORT_LAGGING, out) < 0 || render_reply_html(r, out) < 0)
		return -1;
	{
		static const struct { enum report_status s; enum phrase head; } apart[] = {
			{ REPORT_UNREACHABLE, P_UNREACHABLE }, { REPORT_AWAY, P_AWAY },
			{ REPORT_LEFT, P_LEFT },
		};
		const size_t count[] = { r->nunreachable, r->naway, r->nleft };

		for (size_t k = 0; k < sizeof(apart) / sizeof(apart[0]); k++) {
			if (count[k] == 0)
				continue;
			if (buf_addf(out, "<h2 style=\"%s\">%s (%zu)</h2>", H_H2, ph(r, apart[k].head),
			    count[k]) < 0 || html_status_table(r, apart[k].s, out) < 0)
				return -1;
		}
	}

	/* Per member: week (total) and the trend as a bar row. */
	if (buf_addf(out, "<h2 style=\"%s\">%s</h2>", H_H2, ph(r, P_TEAM)) < 0 ||
	    buf_adds(out, "<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" "
	    "border=\"0\" style=\"border-collapse:collapse;\"><tr>") < 0 ||
	    html_cell(out, H_TH, ph(r, P_MEMBER)) < 0 || html_cell(out, H_TH, ph(r, P_GIVEN)) < 0 ||
	    html_cell(out, H_TH, ph(r, P_RECEIVED)) < 0 ||
	    html_cell(out, H_TH, ph(r, P_REQUESTED)) < 0 || html_cell(out, H_TH, ph(r, P_TREND)) < 0 ||
	    html_cell(out, H_TH, ph(r, P_STATUS)) < 0 || buf_adds(out, "</tr>") < 0)
		return -1;
	for (size_t i = 0; i < r->n; i++) {
		const struct report_member *m = &r->members[i];

		if (buf_adds(out, "<tr>") < 0 || html_cell(out, H_TD, name_of(m)) < 0 ||
		    html_num(out, m->given_week, m->given_total) < 0 ||
		    html_num(out, m->received_week, m->received_total) < 0 ||
		    html_num(out, m->requested_week, m->requested_total) < 0 ||
		    buf_addf(out, "<td style=\"%s\">", H_TD) < 0)
			return -1;
		for (int k = first_trend(r); k < REPORT_TREND_WEEKS; k++)
			if (html_bar(out, m->trend[k], maxact, k == REPORT_TREND_WEEKS - 1 ?
			    "#2e7d32" : "#9ccc65") < 0)
				return -1;
		if (buf_adds(out, "</td>") < 0 || html_cell(out, H_TD, status_word(r, m->status)) < 0 ||
		    buf_adds(out, "</tr>") < 0)
			return -1;
	}
	if (buf_addf(out, "<tr><td style=\"%sfont-weight:bold;\">%s</td>", H_TD, ph(r, P_TEAM)) < 0 ||
	    html_num(out, r->team_given_week, r->team_given_total) < 0 ||
	    html_num(out, r->team_received_week, r->team_received_total) < 0 ||
	    html_num(out, r->team_requested_week, r->team_requested_total) < 0 ||
	    buf_addf(out, "<td style=\"%s\"></td><td style=\"%s\"></td></tr></table>", H_TD,
	    H_TD) < 0)
		return -1;
	{
		struct buf legend = BUF_INIT;
		int rc = buf_addf(&legend, "%s %d. ", ph(r, P_LEGEND), in->week) < 0 ||
		    add_trend_legend(&legend, r, 1) < 0 || buf_addch(&legend, ' ') < 0 ||
		    add_median(&legend, r) < 0 ||
		    buf_addf(out, "<p style=\"%scolor:#777777;\">", H_FONT) < 0 ||
		    report_html_escape(out, legend.data) < 0 || buf_adds(out, "</p>") < 0 ? -1 : 0;

		buf_release(&legend);
		if (rc < 0)
			return -1;
	}

	/* Questionnaires and sessions. */
	if (buf_addf(out, "<h2 style=\"%s\">%s</h2>", H_H2, ph(r, P_QUESTIONNAIRES)) < 0)
		return -1;
	if (in->nquestionnaires == 0 && buf_addf(out, "<p style=\"%s\">%s</p>", H_FONT,
	    ph(r, P_NO_QUESTIONNAIRES)) < 0)
		return -1;
	for (size_t i = 0; i < in->nquestionnaires; i++) {
		const struct report_questionnaire_in *q = &in->questionnaires[i];

		if (buf_addf(out, "<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" "
		    "border=\"0\"><tr>") < 0 || html_cell(out, H_TD, kind_word(r, q->kind)) < 0 ||
		    buf_addf(out, "<td style=\"%s\">", H_TD) < 0 ||
		    html_bar(out, q->completed, q->sent, "#1f77b4") < 0 ||
		    buf_addf(out, "</td><td style=\"%s\">%d/%d %s (%d%%), %s ", H_TD, q->completed,
		    q->sent, ph(r, P_ANSWERED), percent(q->completed, q->sent), ph(r, P_CLOSES)) < 0 ||
		    add_local(out, r, q->closes_at) < 0 || buf_adds(out, "</td></tr></table>") < 0)
			return -1;
	}
	if (buf_addf(out, "<h2 style=\"%s\">%s</h2>", H_H2, ph(r, P_SESSIONS)) < 0)
		return -1;
	if (in->nsessions == 0 && buf_addf(out, "<p style=\"%s\">%s</p>", H_FONT,
	    ph(r, P_NO_SESSIONS)) < 0)
		return -1;
	for (size_t i = 0; i < in->nsessions; i++) {
		const struct report_session_in *s = &in->sessions[i];

		if (buf_addf(out, "<p style=\"%s\"><b>", H_FONT) < 0 ||
		    report_html_escape(out, kind_word(r, s->kind)) < 0 || buf_adds(out, "</b> ") < 0 ||
		    add_local(out, r, s->starts_at) < 0 ||
		    buf_addf(out, ": %d %s, %d %s, %d %s, %d %s</p>", s->accepted, ph(r, P_ACCEPTED),
		    s->declined, ph(r, P_DECLINED), s->tentative, ph(r, P_TENTATIVE), s->no_answer,
		    ph(r, P_NO_ANSWER)) < 0)
			return -1;
	}

	/* The anonymous samples: their ids, their masked texts, nothing else. */
	if (buf_addf(out, "<h2 style=\"%s\">%s</h2>", H_H2, ph(r, P_RATING)) < 0)
		return -1;
	if (r->nsamples > 0) {
		struct buf how = BUF_INIT;
		int rc;

		rc = buf_addf(&how, "%s \"%s: 4\".", ph(r, P_RATING_HOW),
		    r->samples[0].id ? r->samples[0].id : "F1");
		rc = rc < 0 || buf_addf(out, "<p style=\"%s\">", H_FONT) < 0 ||
		    report_html_escape(out, how.data) < 0 || buf_adds(out, "</p>") < 0 ? -1 : 0;
		buf_release(&how);
		if (rc < 0)
			return -1;
	}
	for (size_t i = 0; i < r->nsamples; i++) {
		if (buf_addf(out, "<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" "
		    "border=\"0\" style=\"border-collapse:collapse;margin:6px 0;\"><tr><td style=\"%s"
		    "font-weight:bold;vertical-align:top;\">", H_TD) < 0 ||
		    report_html_escape(out, r->samples[i].id) < 0 ||
		    buf_addf(out, "</td><td style=\"%sborder-left:3px solid #cccccc;\">", H_TD) < 0 ||
		    html_text_lines(out, r->samples[i].text) < 0 ||
		    buf_adds(out, "</td></tr></table>") < 0)
			return -1;
	}
	if (buf_addf(out, "<p style=\"%s\">", H_FONT) < 0)
		return -1;
	{
		struct buf line = BUF_INIT;
		int rc = add_ratings_line(r, &line) < 0 || report_html_escape(out, line.data) < 0 ? -1 : 0;

		buf_release(&line);
		if (rc < 0)
			return -1;
	}
	return buf_adds(out, "</p>");
}

static int
html_open(struct buf *out, const struct report *r)
{
	return buf_addf(out, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width\"><title>%s</title></head>"
	    "<body style=\"margin:0;padding:16px;background-color:#ffffff;\">"
	    "<table role=\"presentation\" width=\"100%%\" cellpadding=\"0\" cellspacing=\"0\" "
	    "border=\"0\"><tr><td style=\"%s\">\n",
	    r->in->lang == REPORT_LANG_EN ? "en" : "nl", ph(r, P_TITLE), H_FONT);
}

static int
html_close(struct buf *out)
{
	return buf_adds(out, "\n</td></tr></table></body></html>\n");
}

int
report_render_html_many(const struct report *const *r, size_t n, struct buf *out)
{
	size_t start = out->len;

	if (n == 0)
		return 0;
	if (html_open(out, r[0]) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && buf_adds(out, "<hr style=\"border:0;border-top:1px solid #cccccc;"
		    "margin:24px 0;\">\n") < 0)
			goto fail;
		if (render_one_html(r[i], out) < 0)
			goto fail;
	}
	if (html_close(out) < 0)
		goto fail;
	return 0;
fail:
	buf_truncate(out, start);
	return -1;
}

int
report_render_html_fragment(const struct report *r, struct buf *out)
{
	size_t start = out->len;

	if (buf_addf(out, "<table role=\"presentation\" width=\"100%%\" cellpadding=\"0\" "
	    "cellspacing=\"0\" border=\"0\"><tr><td style=\"%s\">\n", H_FONT) < 0 ||
	    render_one_html(r, out) < 0 || buf_adds(out, "\n</td></tr></table>\n") < 0) {
		buf_truncate(out, start);
		return -1;
	}
	return 0;
}

int
report_render_html(const struct report *r, struct buf *out)
{
	return report_render_html_many(&r, 1, out);
}

/* ---- CSV ---- */

/* One field and its separator (last: the line end). */
static int
sheet_field(struct buf *out, const char *s, int last)
{
	if (report_csv_text(out, s) < 0)
		return -1;
	return buf_adds(out, last ? "\r\n" : ";");
}

static int
sheet_int(struct buf *out, int v)
{
	return buf_addf(out, "%d;", v);
}

int
report_csv_text(struct buf *out, const char *s)
{
	int quote = 0;

	s = s ? s : "";
	if (strpbrk(s, ";\"\r\n") != NULL)
		quote = 1;
	if (quote && buf_addch(out, '"') < 0)
		return -1;
	if ((s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') && buf_addch(out, '\'') < 0)
		return -1;
	for (; *s; s++)
		if ((*s == '"' && buf_addch(out, '"') < 0) || buf_addch(out, *s) < 0)
			return -1;
	return quote ? buf_addch(out, '"') : 0;
}

int
report_render_csv(const struct report *r, int bom, int with_header, struct buf *out)
{
	size_t start = out->len;
	const int en = r->in->lang == REPORT_LANG_EN;

	if (bom && buf_adds(out, "\xEF\xBB\xBF") < 0)
		goto fail;
	if (with_header && buf_adds(out, en ?
	    "team;week;member;given week;received week;requested week;given total;"
	    "received total;requested total;status;reasons\r\n" :
	    "team;week;teamlid;gegeven week;ontvangen week;gevraagd week;gegeven totaal;"
	    "ontvangen totaal;gevraagd totaal;status;redenen\r\n") < 0)
		goto fail;
	for (size_t i = 0; i < r->n; i++) {
		const struct report_member *m = &r->members[i];
		struct buf why = BUF_INIT;
		int rc;

		if (m->status == REPORT_LAGGING)
			rc = add_reasons(&why, r, m->reasons);
		else if (m->status == REPORT_AWAY)
			rc = buf_adds(&why, away_word(r, m->away));
		else if (m->status == REPORT_UNREACHABLE)
			rc = buf_adds(&why, ph(r, P_BOUNCES));
		else if (m->status == REPORT_LEFT)
			rc = add_left(&why, r, m);
		else
			rc = 0;
		rc = rc < 0 || sheet_field(out, r->in->team, 0) < 0 ||
		    sheet_int(out, r->in->week) < 0 ||
		    sheet_field(out, name_of(m), 0) < 0 || sheet_int(out, m->given_week) < 0 ||
		    sheet_int(out, m->received_week) < 0 || sheet_int(out, m->requested_week) < 0 ||
		    sheet_int(out, m->given_total) < 0 || sheet_int(out, m->received_total) < 0 ||
		    sheet_int(out, m->requested_total) < 0 ||
		    sheet_field(out, status_word(r, m->status), 0) < 0 ||
		    sheet_field(out, why.data, 1) < 0 ? -1 : 0;
		buf_release(&why);
		if (rc < 0)
			goto fail;
	}
	return 0;
fail:
	buf_truncate(out, start);
	return -1;
}
