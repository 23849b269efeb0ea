/*
 * report_progress — the progress and evaluation reports as text, CSV and HTML (see
 * report_progress.h). Pure. The charts are drawn in report_chart.c; the HTML only refers to
 * them by the srcs the caller gives (cid: in mail, file names on disk).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mask.h"
#include "questionnaire.h"
#include "report_progress.h"
#include "report_actions.h"
#include "report_wins.h"
#include "banned.h"

static const char *const moment_names[2][REPORT_MOMENTS] = {
	{ "nulmeting", "tussenmeting", "eindmeting", "nameting" },
	{ "baseline", "midterm", "final", "follow-up" },
};

#define EN(in) ((in)->lang == REPORT_LANG_EN)

enum phrase {
	P_AMBITION_TITLE, P_FEWER_THAN, P_NOT_SHOWN, P_TEAM, P_RESPONSE_TITLE, P_SCORES_TITLE,
	P_QUESTION, P_DASH_FEWER_THAN, P_ANSWERS, P_MEMBERS_TITLE, P_MEMBER, P_LEFT, P_TOTAL,
	P_PROGRESS_REPORT, P_EVALUATION_REPORT, P_PROGRAM, P_WEEKS, P_VOLUME_TITLE,
	P_QUALITY_TITLE, P_CSV_HEADER, P_CSV_SENT, P_CSV_ANSWERED, P_CSV_AVERAGE, P_CSV_CHANGE,
	P_CSV_TEAM_FEEDBACK, P_CSV_QUALITY, P_CSV_MEMBER_FEEDBACK, P_CSV_AMBITION,
	P_FEWER_THAN_CAP, P_NOT_SHOWN_DOT, P_RESPONSE, P_OVERVIEW, P_WENT_WELL, P_RECOGNISE,
	P_UNDERSTAND, P_APPRECIATE, P_IMPROVE, P_NOTHING_STANDS_OUT, P_TEAM_VOLUME_TITLE,
	P_ROSE, P_FELL, P_TEAM_QUALITY_TITLE, P_NO_RATINGS, P_ACTIONS, P_NO_ACTIONS, P_NO_CHANGE,
	P_COUNT
};

/* The report's words, Dutch and English (the moments are in moment_names). */
static const char *const phrases[P_COUNT][2] = {
	[P_AMBITION_TITLE] = { "Ambitie van het team (nulmeting, anoniem)",
	    "The team's ambition (baseline, anonymous)" },
	[P_FEWER_THAN] = { "minder dan", "fewer than" },
	[P_NOT_SHOWN] = { "antwoorden: niet getoond", "answers: not shown" },
	[P_TEAM] = { "Team", "Team" },
	[P_RESPONSE_TITLE] = { "Respons per meting", "Response per measurement" },
	[P_SCORES_TITLE] = { "Gemiddelde score per vraag (verschil met de nulmeting)",
	    "Average score per question (change from the baseline)" },
	[P_QUESTION] = { "vraag", "question" },
	[P_DASH_FEWER_THAN] = { "– : minder dan", "– : fewer than" },
	[P_ANSWERS] = { "antwoorden", "answers" },
	[P_MEMBERS_TITLE] = { "Gegeven feedback per teamlid per week",
	    "Feedback given per member per week" },
	[P_MEMBER] = { "teamlid", "member" },
	[P_LEFT] = { "vertrokken", "left" },
	[P_TOTAL] = { "totaal", "total" },
	[P_PROGRESS_REPORT] = { "Voortgangsrapport", "Progress report" },
	[P_EVALUATION_REPORT] = { "Evaluatierapport", "Evaluation report" },
	[P_PROGRAM] = { "programma", "programme" },
	[P_WEEKS] = { "weken", "weeks" },
	[P_VOLUME_TITLE] = { "Gegeven feedback per week, per team",
	    "Feedback given per week, per team" },
	[P_QUALITY_TITLE] = { "Kwaliteit (gemiddelde beoordeling 1-5) per week, per team",
	    "Quality (average rating 1-5) per week, per team" },
	[P_CSV_HEADER] = { "team;cijfer;moment of week;teamlid of vraag;waarde\r\n",
	    "team;figure;moment or week;member or question;value\r\n" },
	[P_CSV_SENT] = { "verstuurd", "sent" },
	[P_CSV_ANSWERED] = { "ingevuld", "answered" },
	[P_CSV_AVERAGE] = { "gemiddelde score", "average score" },
	[P_CSV_CHANGE] = { "verschil met de nulmeting", "change from baseline" },
	[P_CSV_TEAM_FEEDBACK] = { "feedback team", "team feedback" },
	[P_CSV_QUALITY] = { "kwaliteit", "quality" },
	[P_CSV_MEMBER_FEEDBACK] = { "feedback teamlid", "member feedback" },
	[P_CSV_AMBITION] = { "ambitie", "ambition" },
	[P_FEWER_THAN_CAP] = { "Minder dan", "Fewer than" },
	[P_NOT_SHOWN_DOT] = { "antwoorden: niet getoond.", "answers: not shown." },
	[P_RESPONSE] = { "respons", "response" },
	[P_OVERVIEW] = { "Alle teams naast elkaar", "All teams side by side" },
	/* The evaluation's conversation: recognise, understand, appreciate, improve; and first
	 * what went well. */
	[P_WENT_WELL] = { "Wat ging goed", "What went well" },
	[P_RECOGNISE] = { "1. Herkennen — wat zien we?", "1. Recognise — what do we see?" },
	[P_UNDERSTAND] = { "2. Begrijpen — hoe komt dat?", "2. Understand — how did it come about?" },
	[P_APPRECIATE] = { "3. Waarderen — wat heeft het opgeleverd?",
	    "3. Appreciate — what did it bring?" },
	[P_IMPROVE] = { "4. Verbeteren — wat gaan we anders doen?",
	    "4. Improve — what will we do differently?" },
	[P_NOTHING_STANDS_OUT] = { "In de cijfers springt (nog) niets uit; vraag het team wat er "
	    "goed ging.", "Nothing stands out in the figures (yet); ask the team what went well." },
	[P_TEAM_VOLUME_TITLE] = { "Gegeven feedback per week, het hele team",
	    "Feedback given per week, the whole team" },
	[P_ROSE] = { "Gestegen sinds de nulmeting", "Risen since the baseline" },
	[P_FELL] = { "Gedaald sinds de nulmeting", "Fallen since the baseline" },
	[P_TEAM_QUALITY_TITLE] = { "Kwaliteit van de feedback (gemiddelde beoordeling 1-5) per week",
	    "Quality of the feedback (average rating 1-5) per week" },
	[P_NO_RATINGS] = { "(geen beoordelingen)", "(no ratings)" },
	[P_ACTIONS] = { "Verbeteracties", "Improvement actions" },
	[P_NO_ACTIONS] = { "(nog geen verbeteracties)", "(no improvement actions yet)" },
	[P_NO_CHANGE] = { "geen (of te weinig antwoorden om het te zeggen)",
	    "none (or too few answers to tell)" },
};

static const char *
ph(const struct report_progress_input *in, enum phrase p)
{
	return phrases[p][EN(in)];
}

int
report_team_volume(const struct report_pteam *t, int week)
{
	long sum = 0;

	if (week < 1 || week > REPORT_MAX_WEEKS)
		return 0;
	for (size_t i = 0; i < t->nmembers && i < REPORT_MAX_MEMBERS; i++)
		sum += t->members[i].given[week];
	return sum > 1000000000L ? 1000000000 : (int)sum;
}

int
report_score(const struct report_progress_input *in, const struct report_pteam *t, int m,
    int q, double *avg, double *change)
{
	int min = in->min_group_size > 0 ? in->min_group_size : 1;

	if (m < 0 || m >= REPORT_MOMENTS || q < 1 || q > REPORT_MAX_QUESTIONS ||
	    t->navg[m][q] < min)
		return 0;
	*avg = t->avg[m][q];
	if (m > 0 && t->navg[0][q] >= min)
		*change = t->avg[m][q] - t->avg[0][q];
	else
		*change = 0.0;
	return 1;
}

static int
last_week(const struct report_progress_input *in)
{
	return report_last_week(in->through_week);
}

/* A decimal number with a comma for Dutch, a point for English. */
static int
add_decimal(struct buf *out, const struct report_progress_input *in, double v, int sign)
{
	char s[32], *dot;

	snprintf(s, sizeof(s), sign ? "%+.1f" : "%.1f", v);
	if (!EN(in) && (dot = strchr(s, '.')) != NULL)
		*dot = ',';
	return buf_adds(out, s);
}

static int
pad_to(struct buf *out, size_t from, size_t width)
{
	size_t n = buf_utf8_width(out->data + from, out->len - from);

	for (; n < width; n++)
		if (buf_addch(out, ' ') < 0)
			return -1;
	return 0;
}

/* s right-aligned in width characters. */
static int
add_right(struct buf *out, const char *s, size_t width)
{
	size_t n = buf_utf8_width(s, strlen(s));

	for (; n < width; n++)
		if (buf_addch(out, ' ') < 0)
			return -1;
	return buf_adds(out, s);
}

/* Whether the team's answers to one question are shown (enough of them). */
static int
ambition_shown(const struct report_progress_input *in, const struct report_ambition *a)
{
	size_t min = in->min_group_size > 0 ? (size_t)in->min_group_size : 1;

	return a->nanswers >= min;
}

/* A member's name as the report shows it: "Tom Jansen (left)" for one who left the
 * programme (their figures stay). In tmp, which the caller releases. */
static const char *
member_label(const struct report_progress_input *in, const struct report_member_in *m,
    struct buf *tmp)
{
	const char *name = m->name ? m->name : "?";

	if (m->left_on.year == 0)
		return name;
	buf_reset(tmp);
	if (buf_addf(tmp, "%s (%s)", name, ph(in, P_LEFT)) < 0)
		return NULL;
	return tmp->data;
}

/* An answer with the team's names, addresses, phone numbers and signatures masked (mask.h),
 * in tmp: the store loads the words, the report decides what a reader may see. NULL when
 * memory runs out. */
static const char *
masked_answer(const struct report_progress_input *in, const struct report_pteam *t,
    const char *answer, struct buf *tmp)
{
	buf_reset(tmp);
	if (mask_text(answer, t->mask_names, t->nmask_names, report_mask_word(in->lang), tmp) < 0)
		return NULL;
	return tmp->data;
}

/* The team's ambition, from the baseline's open questions. */
static int
text_ambition(const struct report_progress_input *in, const struct report_pteam *t,
    struct buf *out)
{
	if (t->nambition == 0)
		return 0;
	if (buf_addf(out, "\n%s\n", ph(in, P_AMBITION_TITLE)) < 0)
		return -1;
	for (size_t k = 0; k < t->nambition; k++) {
		const struct report_ambition *a = &t->ambition[k];

		if (buf_addf(out, "  %d. ", a->question) < 0 ||
		    buf_add_lines(out, a->text ? a->text : "", " ") < 0 || buf_addch(out, '\n') < 0)
			return -1;
		if (!ambition_shown(in, a)) {
			if (buf_addf(out, "     (%s %d %s)\n", ph(in, P_FEWER_THAN),
			    in->min_group_size, ph(in, P_NOT_SHOWN)) < 0)
				return -1;
			continue;
		}
		for (size_t i = 0; i < a->nanswers; i++) {
			struct buf tmp = BUF_INIT;
			const char *m = masked_answer(in, t, a->answers[i], &tmp);
			int rc = m == NULL || buf_adds(out, "     - ") < 0 ||
			    buf_add_lines(out, m, "\n       ") < 0 || buf_addch(out, '\n') < 0 ? -1 : 0;

			buf_release(&tmp);
			if (rc < 0)
				return -1;
		}
	}
	return 0;
}

/* Response per measurement (the title is the caller's). */
static int
text_response(const struct report_progress_input *in, const struct report_pteam *t,
    struct buf *out)
{
	for (int m = 0; m < REPORT_MOMENTS; m++) {
		if (t->sent[m] == 0)
			continue;
		if (buf_addf(out, "  %-12s %d/%d (%d%%)\n", moment_names[EN(in)][m], t->answered[m],
		    t->sent[m], (int)((t->answered[m] * 100L + t->sent[m] / 2) / t->sent[m])) < 0)
			return -1;
	}
	return 0;
}

/* The average score per question at each moment, with the change from the baseline. */
static int
text_scores(const struct report_progress_input *in, const struct report_pteam *t,
    struct buf *out)
{
	size_t at;

	if (buf_addf(out, "\n%s\n  %s", ph(in, P_SCORES_TITLE), ph(in, P_QUESTION)) < 0)
		return -1;
	for (int m = 0; m < REPORT_MOMENTS; m++)
		if (buf_addf(out, "  %-16s", moment_names[EN(in)][m]) < 0)
			return -1;
	if (buf_addch(out, '\n') < 0)
		return -1;
	for (int q = 1; q <= in->nquestions && q <= REPORT_MAX_QUESTIONS; q++) {
		if (buf_addf(out, "  %-8d", q) < 0)
			return -1;
		for (int m = 0; m < REPORT_MOMENTS; m++) {
			double avg, change;

			at = out->len;
			if (buf_adds(out, "  ") < 0)
				return -1;
			if (!report_score(in, t, m, q, &avg, &change)) {
				if (buf_adds(out, "–") < 0)
					return -1;
			} else if (add_decimal(out, in, avg, 0) < 0 ||
			    (m > 0 && t->navg[0][q] >= in->min_group_size &&
			    (buf_adds(out, " (") < 0 || add_decimal(out, in, change, 1) < 0 ||
			    buf_addch(out, ')') < 0))) {
				return -1;
			}
			if (pad_to(out, at, 18) < 0)
				return -1;
		}
		buf_rtrim(out);
		if (buf_addch(out, '\n') < 0)
			return -1;
	}
	if (buf_addf(out, "  (%s %d %s)\n", ph(in, P_DASH_FEWER_THAN),
	    in->min_group_size, ph(in, P_ANSWERS)) < 0)
		return -1;
	return 0;
}

/* Volume per member per week (the facilitators' and coordinator's report only). */
static int
text_members(const struct report_progress_input *in, const struct report_pteam *t,
    struct buf *out)
{
	int W = last_week(in);
	size_t at;

	if (buf_addf(out, "\n%s\n  %-24s", ph(in, P_MEMBERS_TITLE), ph(in, P_MEMBER)) < 0)
		return -1;
	for (int w = 1; w <= W; w++)
		if (buf_addf(out, "%4d", w) < 0)
			return -1;
	if (buf_addf(out, "  %s\n", ph(in, P_TOTAL)) < 0)
		return -1;
	for (size_t i = 0; i < t->nmembers; i++) {
		struct buf label = BUF_INIT;
		const char *name = member_label(in, &t->members[i], &label);
		int total = 0, rc;

		at = out->len;
		rc = name == NULL || buf_addf(out, "  %s", name) < 0 || pad_to(out, at, 26) < 0;
		buf_release(&label);
		if (rc)
			return -1;
		for (int w = 1; w <= W; w++) {
			total += t->members[i].given[w];
			if (buf_addf(out, "%4d", t->members[i].given[w]) < 0)
				return -1;
		}
		if (buf_addf(out, "  %d\n", total) < 0)
			return -1;
	}
	return 0;
}

static int
text_team(const struct report_progress_input *in, const struct report_pteam *t, struct buf *out)
{
	if (buf_addf(out, "\n== %s %s ==\n\n%s\n", ph(in, P_TEAM), t->name,
	    ph(in, P_RESPONSE_TITLE)) < 0)
		return -1;
	if (text_response(in, t, out) < 0 || text_scores(in, t, out) < 0 ||
	    text_members(in, t, out) < 0)
		return -1;
	return text_ambition(in, t, out);
}

/* ---- the evaluation: what went well, then recognise, understand, appreciate, improve ---- */

/* The moments as the evaluation's sentences name them (the glossary's words). */
static const char *const moment_words[2][REPORT_MOMENTS] = {
	{ "nulmeting", "tussenmeting", "eindmeting", "nameting" },
	{ "baseline measurement", "midterm measurement", "final measurement",
	    "follow-up measurement" },
};

/* The sentences with figures, Dutch then English: literal formats, checked by the compiler. */
#define S_SCORE_RISE "De grootste verbetering: vraag %d ging van %s bij de nulmeting naar %s " \
	"bij de %s (%s).", \
	"The biggest improvement: question %d went from %s at the baseline measurement to %s " \
	"at the %s (%s)."
#define S_BUSIEST_WEEK "De actiefste week: week %d, met %d keer feedback gegeven.", \
	"The most active week: week %d, with feedback given %d times."
#define S_VOLUME_RISE "Er kwam meer feedback: gemiddeld %s per week in week 1-%d, %s per week " \
	"in week %d-%d.", \
	"More feedback over time: %s a week on average in weeks 1-%d, %s a week in weeks %d-%d."
#define S_EVERYONE_GAVE "Iedereen deed mee: alle %d teamleden gaven minstens één keer " \
	"feedback.", "Everyone took part: all %d members gave feedback at least once."
#define S_RESPONSE "Respons: %d van de %d vulden de %s in (%d%%).", \
	"Response: %d of %d answered the %s (%d%%)."
#define S_BEST_RATED "De best beoordeelde week: week %d, gemiddeld %s van 5.", \
	"The best rated week: week %d, %s of 5 on average."
#define SAY(in, out, ...) SAY_(in, out, __VA_ARGS__)
#define SAY_(in, out, nl, en, ...) (EN(in) ? buf_addf(out, en, __VA_ARGS__) : \
	buf_addf(out, nl, __VA_ARGS__))

/* A decimal as add_decimal() writes it, into a small string. */
static const char *
decimal(const struct report_progress_input *in, double v, int sign, char s[32])
{
	char *dot;

	snprintf(s, 32, sign ? "%+.1f" : "%.1f", v);
	if (!EN(in) && (dot = strchr(s, '.')) != NULL)
		*dot = ',';
	return s;
}

/* One thing that went well as a sentence (report_wins.h picked it). */
static int
add_win(const struct report_progress_input *in, const struct report_win *w, struct buf *out)
{
	char a[32], b[32], c[32];
	int W = last_week(in);

	switch (w->kind) {
	case REPORT_WIN_SCORE_RISE:
		return SAY(in, out, S_SCORE_RISE, w->question, decimal(in, w->from, 0, a),
		    decimal(in, w->to, 0, b), moment_words[EN(in)][w->moment],
		    decimal(in, w->to - w->from, 1, c));
	case REPORT_WIN_BUSIEST_WEEK:
		return SAY(in, out, S_BUSIEST_WEEK, w->week, w->count);
	case REPORT_WIN_VOLUME_RISE:
		return SAY(in, out, S_VOLUME_RISE, decimal(in, w->from, 0, a), w->week,
		    decimal(in, w->to, 0, b), w->week + 1, W);
	case REPORT_WIN_EVERYONE_GAVE:
		return SAY(in, out, S_EVERYONE_GAVE, w->count);
	case REPORT_WIN_RESPONSE:
		return SAY(in, out, S_RESPONSE, w->count, w->of, moment_words[EN(in)][w->moment],
		    w->of > 0 ? (int)((w->count * 100L + w->of / 2) / w->of) : 0);
	case REPORT_WIN_BEST_RATED:
		return SAY(in, out, S_BEST_RATED, w->week, decimal(in, w->to, 0, a));
	default:
		return 0;
	}
}

/* The latest moment with a score shown (0: only the baseline, or none). */
static int
latest_moment(const struct report_progress_input *in, const struct report_pteam *t)
{
	int latest = 0;
	double avg, change;

	for (int m = 1; m < REPORT_MOMENTS; m++)
		for (int q = 1; q <= in->nquestions && q <= REPORT_MAX_QUESTIONS; q++)
			if (report_score(in, t, m, q, &avg, &change))
				latest = m;
	return latest;
}

/* The questions whose score rose (dir > 0) or fell (dir < 0) from the baseline to the latest
 * moment, each shown at both: "vraag 1 (+1,5), vraag 3 (+0,5)", or a word that there are
 * none. */
static int
add_changes(const struct report_progress_input *in, const struct report_pteam *t, int dir,
    struct buf *out)
{
	int m = latest_moment(in, t), n = 0;
	double avg, change;
	char c[32];

	for (int q = 1; m > 0 && q <= in->nquestions && q <= REPORT_MAX_QUESTIONS; q++) {
		if (!report_score(in, t, m, q, &avg, &change) ||
		    t->navg[0][q] < (in->min_group_size > 0 ? in->min_group_size : 1) ||
		    (dir > 0 ? change < 0.05 : change > -0.05))
			continue;
		if (buf_addf(out, "%s%s %d (%s)", n++ ? ", " : "", ph(in, P_QUESTION), q,
		    decimal(in, change, 1, c)) < 0)
			return -1;
	}
	if (n == 0)
		return buf_adds(out, ph(in, P_NO_CHANGE));
	if (buf_addf(out, " — %s", moment_words[EN(in)][m]) < 0)
		return -1;
	return 0;
}

static int
text_eval_volume(const struct report_progress_input *in, const struct report_pteam *t,
    struct buf *out)
{
	int W = last_week(in);
	long total = 0;

	if (buf_addf(out, "\n%s\n  %-8s", ph(in, P_TEAM_VOLUME_TITLE), "week") < 0)
		return -1;
	for (int w = 1; w <= W; w++)
		if (buf_addf(out, "%4d", w) < 0)
			return -1;
	if (buf_addf(out, "  %s\n  %-8s", ph(in, P_TOTAL), "") < 0)
		return -1;
	for (int w = 1; w <= W; w++) {
		total += report_team_volume(t, w);
		if (buf_addf(out, "%4d", report_team_volume(t, w)) < 0)
			return -1;
	}
	return buf_addf(out, "  %ld\n", total);
}

/* The team's average rating per week: "week 2: 3,5; week 3: 4,0", or that there is none. */
static int
add_ratings(const struct report_progress_input *in, const struct report_pteam *t,
    struct buf *out)
{
	int any = 0;

	for (int w = 1; w <= last_week(in); w++) {
		if (t->rating_n[w] <= 0)
			continue;
		if (buf_addf(out, "%sweek %d: ", any ? "; " : "", w) < 0 ||
		    add_decimal(out, in, t->rating_avg[w], 0) < 0)
			return -1;
		any = 1;
	}
	return any ? 0 : buf_adds(out, ph(in, P_NO_RATINGS));
}

/*
 * The improvement actions (report_pteam.actions) per quadrant (report_actions.h), as HTML or
 * text, or a word that there are none yet. The texts are masked like the ambition: the team's
 * own words, where a name is not for the report to spread.
 */
static int
add_actions(const struct report_progress_input *in, const struct report_pteam *t, int html,
    struct buf *out)
{
	struct report_action *masked;
	struct buf *texts;
	int rc = -1;

	if (t->nactions == 0)
		return html ? buf_addf(out, "<p style=\"font-family:Arial,Helvetica,sans-serif;"
		    "font-size:14px;color:#222222;\"><b>%s</b><br>%s</p>\n", ph(in, P_ACTIONS),
		    ph(in, P_NO_ACTIONS)) :
		    buf_addf(out, "\n%s\n  %s\n", ph(in, P_ACTIONS), ph(in, P_NO_ACTIONS));
	masked = calloc(t->nactions, sizeof(*masked));
	texts = calloc(t->nactions, sizeof(*texts));
	if (masked == NULL || texts == NULL)
		goto out;
	for (size_t i = 0; i < t->nactions; i++) {
		masked[i].quadrant = t->actions[i].quadrant;
		if ((masked[i].text = masked_answer(in, t, t->actions[i].text ?
		    t->actions[i].text : "", &texts[i])) == NULL)
			goto out;
	}
	rc = html ? report_actions_html(in->lang, masked, t->nactions, out) :
	    report_actions_text(in->lang, masked, t->nactions, out);
out:
	for (size_t i = 0; texts != NULL && i < t->nactions; i++)
		buf_release(&texts[i]);
	free(texts);
	free(masked);
	return rc;
}

static int
text_eval_team(const struct report_progress_input *in, const struct report_pteam *t,
    struct buf *out)
{
	struct report_win wins[REPORT_WINS_MAX];
	size_t nwins = report_wins(in, t, wins);

	if (buf_addf(out, "\n== %s %s ==\n\n%s\n", ph(in, P_TEAM), t->name,
	    ph(in, P_WENT_WELL)) < 0)
		return -1;
	for (size_t i = 0; i < nwins; i++)
		if (buf_adds(out, "  - ") < 0 || add_win(in, &wins[i], out) < 0 ||
		    buf_addch(out, '\n') < 0)
			return -1;
	if (nwins == 0 && buf_addf(out, "  %s\n", ph(in, P_NOTHING_STANDS_OUT)) < 0)
		return -1;
	/* Recognise: what happened. */
	if (buf_addf(out, "\n%s\n\n%s\n", ph(in, P_RECOGNISE), ph(in, P_RESPONSE_TITLE)) < 0 ||
	    text_response(in, t, out) < 0 || text_eval_volume(in, t, out) < 0 ||
	    text_members(in, t, out) < 0)
		return -1;
	/* Understand: how the team sees itself, and what it set out to do. */
	if (buf_addf(out, "\n%s\n", ph(in, P_UNDERSTAND)) < 0 || text_scores(in, t, out) < 0 ||
	    text_ambition(in, t, out) < 0)
		return -1;
	/* Appreciate: what it brought. */
	if (buf_addf(out, "\n%s\n\n%s: ", ph(in, P_APPRECIATE), ph(in, P_ROSE)) < 0 ||
	    add_changes(in, t, 1, out) < 0 ||
	    buf_addf(out, "\n\n%s\n  ", ph(in, P_TEAM_QUALITY_TITLE)) < 0 ||
	    add_ratings(in, t, out) < 0 || buf_addch(out, '\n') < 0)
		return -1;
	/* Improve: where the figures point, and what the team agreed on. */
	if (buf_addf(out, "\n%s\n\n%s: ", ph(in, P_IMPROVE), ph(in, P_FELL)) < 0 ||
	    add_changes(in, t, -1, out) < 0 || buf_addch(out, '\n') < 0)
		return -1;
	return add_actions(in, t, 0, out);
}

static int text_overview(const struct report_progress_input *in, struct buf *out);

int
report_progress_text(const struct report_progress_input *in, struct buf *out)
{
	size_t start = out->len;
	int W = last_week(in);
	size_t nt = in->nteams;

	if (buf_addf(out, "%s — %s %s, %s 1-%d\n", in->kind == REPORT_PROGRESS ?
	    ph(in, P_PROGRESS_REPORT) : ph(in, P_EVALUATION_REPORT), ph(in, P_PROGRAM),
	    in->program ? in->program : "?", ph(in, P_WEEKS), W) < 0)
		goto fail;
	/* The evaluation follows the conversation it serves, team by team; the
	 * teams side by side come after, for the coordinator. */
	if (in->kind == REPORT_EVALUATION) {
		for (size_t i = 0; i < nt; i++)
			if (text_eval_team(in, &in->teams[i], out) < 0)
				goto fail;
		if (nt > 1 && (buf_addf(out, "\n== %s ==\n", ph(in, P_OVERVIEW)) < 0 ||
		    text_overview(in, out) < 0))
			goto fail;
		return 0;
	}
	if (text_overview(in, out) < 0)
		goto fail;
	for (size_t i = 0; i < nt; i++)
		if (text_team(in, &in->teams[i], out) < 0)
			goto fail;
	return 0;
fail:
	buf_truncate(out, start);
	return -1;
}

/* Teams side by side, one row each (any number of teams fits): volume and ratings per week. */
static int
text_overview(const struct report_progress_input *in, struct buf *out)
{
	int W = last_week(in);
	size_t nt = in->nteams;

	for (int table = 0; table < 2; table++) {
		if (buf_addf(out, "\n%s\n  %-24s", ph(in, table == 0 ? P_VOLUME_TITLE :
		    P_QUALITY_TITLE), "team") < 0)
			return -1;
		for (int w = 1; w <= W; w++)
			if (buf_addf(out, table == 0 ? "%4d" : "%5d", w) < 0)
				return -1;
		if (buf_addf(out, table == 0 ? "  %s\n" : "\n", ph(in, P_TOTAL)) < 0)
			return -1;
		for (size_t i = 0; i < nt; i++) {
			const struct report_pteam *t = &in->teams[i];
			size_t at = out->len;
			long total = 0;

			if (buf_addf(out, "  %s", t->name ? t->name : "?") < 0 || pad_to(out, at, 26) < 0)
				return -1;
			for (int w = 1; w <= W; w++) {
				struct buf cell = BUF_INIT;
				int rc;

				if (table == 0) {
					total += report_team_volume(t, w);
					rc = buf_addf(out, "%4d", report_team_volume(t, w));
				} else {
					rc = t->rating_n[w] > 0 ? add_decimal(&cell, in, t->rating_avg[w], 0) :
					    buf_adds(&cell, "–");
					rc = rc < 0 || add_right(out, cell.data, 5) < 0 ? -1 : 0;
					buf_release(&cell);
				}
				if (rc < 0)
					return -1;
			}
			if ((table == 0 ? buf_addf(out, "  %ld\n", total) : buf_addch(out, '\n')) < 0)
				return -1;
		}
	}
	return 0;
}

/* ---- CSV ---- */

/* One row: team;figure;when;who;value. */
static int
sheet_row(struct buf *out, const struct report_progress_input *in, const char *team,
    const char *figure, const char *when, const char *who, double v, int decimal)
{
	if (report_csv_text(out, team) < 0 || buf_addch(out, ';') < 0 ||
	    report_csv_text(out, figure) < 0 || buf_addch(out, ';') < 0 ||
	    report_csv_text(out, when) < 0 || buf_addch(out, ';') < 0 ||
	    report_csv_text(out, who) < 0 || buf_addch(out, ';') < 0)
		return -1;
	if (decimal ? add_decimal(out, in, v, 0) < 0 : buf_addf(out, "%.0f", v) < 0)
		return -1;
	return buf_adds(out, "\r\n");
}

int
report_progress_csv(const struct report_progress_input *in, struct buf *out)
{
	size_t start = out->len;
	int W = last_week(in);
	char when[32], who[32];

	if (buf_adds(out, "\xEF\xBB\xBF") < 0 || buf_adds(out, ph(in, P_CSV_HEADER)) < 0)
		goto fail;
	for (size_t i = 0; i < in->nteams; i++) {
		const struct report_pteam *t = &in->teams[i];

		for (int m = 0; m < REPORT_MOMENTS; m++) {
			if (t->sent[m] == 0)
				continue;
			if (sheet_row(out, in, t->name, ph(in, P_CSV_SENT),
			    moment_names[EN(in)][m], "", t->sent[m], 0) < 0 ||
			    sheet_row(out, in, t->name, ph(in, P_CSV_ANSWERED),
			    moment_names[EN(in)][m], "", t->answered[m], 0) < 0)
				goto fail;
			for (int q = 1; q <= in->nquestions && q <= REPORT_MAX_QUESTIONS; q++) {
				double avg, change;

				if (!report_score(in, t, m, q, &avg, &change))
					continue;
				snprintf(who, sizeof(who), "%d", q);
				if (sheet_row(out, in, t->name, ph(in, P_CSV_AVERAGE),
				    moment_names[EN(in)][m], who, avg, 1) < 0)
					goto fail;
				if (m > 0 && t->navg[0][q] >= in->min_group_size &&
				    sheet_row(out, in, t->name, ph(in, P_CSV_CHANGE),
				    moment_names[EN(in)][m], who, change, 1) < 0)
					goto fail;
			}
		}
		for (int w = 1; w <= W; w++) {
			snprintf(when, sizeof(when), "%d", w);
			if (sheet_row(out, in, t->name, ph(in, P_CSV_TEAM_FEEDBACK), when, "",
			    report_team_volume(t, w), 0) < 0)
				goto fail;
			if (t->rating_n[w] > 0 && sheet_row(out, in, t->name, ph(in, P_CSV_QUALITY),
			    when, "", t->rating_avg[w], 1) < 0)
				goto fail;
			for (size_t k = 0; k < t->nmembers; k++) {
				struct buf label = BUF_INIT;
				const char *name = member_label(in, &t->members[k], &label);
				int rc = name == NULL || sheet_row(out, in, t->name,
				    ph(in, P_CSV_MEMBER_FEEDBACK), when, name,
				    t->members[k].given[w], 0) < 0;

				buf_release(&label);
				if (rc)
					goto fail;
			}
		}
		/* The ambition: one row per answer, the text as the value. */
		for (size_t k = 0; k < t->nambition; k++) {
			const struct report_ambition *a = &t->ambition[k];

			if (!ambition_shown(in, a))
				continue;
			snprintf(who, sizeof(who), "%d", a->question);
			for (size_t j = 0; j < a->nanswers; j++) {
				struct buf tmp = BUF_INIT;
				const char *m = masked_answer(in, t, a->answers[j], &tmp);
				int rc = m == NULL || report_csv_text(out, t->name) < 0 ||
				    buf_addch(out, ';') < 0 ||
				    report_csv_text(out, ph(in, P_CSV_AMBITION)) < 0 ||
				    buf_addch(out, ';') < 0 ||
				    report_csv_text(out, moment_names[EN(in)][0]) < 0 ||
				    buf_addch(out, ';') < 0 || report_csv_text(out, who) < 0 ||
				    buf_addch(out, ';') < 0 || report_csv_text(out, m) < 0 ||
				    buf_adds(out, "\r\n") < 0 ? -1 : 0;

				buf_release(&tmp);
				if (rc < 0)
					goto fail;
			}
		}
	}
	return 0;
fail:
	buf_truncate(out, start);
	return -1;
}

/* ---- HTML ---- */

#define H_FONT "font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222222;"
#define H_TD "padding:3px 8px;border-bottom:1px solid #dddddd;" H_FONT
#define H_NUM "padding:3px 8px;border-bottom:1px solid #dddddd;text-align:right;" H_FONT
#define H_H2 "font-family:Arial,Helvetica,sans-serif;font-size:17px;color:#1f4e79;margin:18px 0 6px 0;"

/* The team's ambition as a heading, each question in bold and its answers as a list. */
static int
html_ambition(const struct report_progress_input *in, const struct report_pteam *t,
    struct buf *out)
{
	if (t->nambition == 0)
		return 0;
	if (buf_addf(out, "<h3 style=\"%sfont-size:15px;\">%s</h3>\n", H_H2,
	    ph(in, P_AMBITION_TITLE)) < 0)
		return -1;
	for (size_t k = 0; k < t->nambition; k++) {
		const struct report_ambition *a = &t->ambition[k];

		if (buf_addf(out, "<p style=\"%smargin:8px 0 2px 0;\"><b>%d. ", H_FONT,
		    a->question) < 0 || report_html_escape(out, a->text ? a->text : "") < 0 ||
		    buf_adds(out, "</b></p>\n") < 0)
			return -1;
		if (!ambition_shown(in, a)) {
			if (buf_addf(out, "<p style=\"%scolor:#666666;margin:0;\">%s %d %s</p>\n",
			    H_FONT, ph(in, P_FEWER_THAN_CAP), in->min_group_size,
			    ph(in, P_NOT_SHOWN_DOT)) < 0)
				return -1;
			continue;
		}
		if (buf_adds(out, "<ul style=\"margin:0 0 6px 0;\">") < 0)
			return -1;
		for (size_t i = 0; i < a->nanswers; i++) {
			struct buf tmp = BUF_INIT;
			const char *m = masked_answer(in, t, a->answers[i], &tmp);
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

/* The team's table: response, then the average score per question at each moment. */
static int
html_table(const struct report_progress_input *in, const struct report_pteam *t, struct buf *out)
{
	if (buf_addf(out, "<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" "
	    "border=\"0\" style=\"border-collapse:collapse;\"><tr><td style=\"%sfont-weight:bold;\">"
	    "%s</td>", H_TD, ph(in, P_QUESTION)) < 0)
		return -1;
	for (int m = 0; m < REPORT_MOMENTS; m++)
		if (buf_addf(out, "<td style=\"%sfont-weight:bold;\">%s</td>", H_NUM,
		    moment_names[EN(in)][m]) < 0)
			return -1;
	if (buf_adds(out, "</tr><tr><td style=\"" H_TD "\">") < 0 ||
	    buf_adds(out, ph(in, P_RESPONSE)) < 0 || buf_adds(out, "</td>") < 0)
		return -1;
	for (int m = 0; m < REPORT_MOMENTS; m++)
		if (buf_addf(out, t->sent[m] ? "<td style=\"%s\">%d/%d</td>" :
		    "<td style=\"%s\">–</td>", H_NUM, t->answered[m], t->sent[m]) < 0)
			return -1;
	if (buf_adds(out, "</tr>") < 0)
		return -1;
	for (int q = 1; q <= in->nquestions && q <= REPORT_MAX_QUESTIONS; q++) {
		if (buf_addf(out, "<tr><td style=\"%s\">%d</td>", H_TD, q) < 0)
			return -1;
		for (int m = 0; m < REPORT_MOMENTS; m++) {
			double avg, change;

			if (buf_addf(out, "<td style=\"%s\">", H_NUM) < 0)
				return -1;
			if (!report_score(in, t, m, q, &avg, &change)) {
				if (buf_adds(out, "–") < 0)
					return -1;
			} else if (add_decimal(out, in, avg, 0) < 0 ||
			    (m > 0 && t->navg[0][q] >= in->min_group_size &&
			    (buf_addf(out, " <span style=\"color:%s;\">(", change >= 0 ? "#2e7d32" :
			    "#b00020") < 0 || add_decimal(out, in, change, 1) < 0 ||
			    buf_adds(out, ")</span>") < 0))) {
				return -1;
			}
			if (buf_adds(out, "</td>") < 0)
				return -1;
		}
		if (buf_adds(out, "</tr>") < 0)
			return -1;
	}
	return buf_adds(out, "</table>");
}

static int
html_team(const struct report_progress_input *in, const struct report_pteam *t, struct buf *out)
{
	if (buf_addf(out, "<h2 style=\"%s\">%s ", H_H2, ph(in, P_TEAM)) < 0 ||
	    report_html_escape(out, t->name) < 0 || buf_adds(out, "</h2>") < 0 ||
	    html_table(in, t, out) < 0)
		return -1;
	return html_ambition(in, t, out);
}

/* ---- the evaluation as HTML: the same sections as the text ---- */

#define H_H3 "font-family:Arial,Helvetica,sans-serif;font-size:15px;color:#1f4e79;margin:14px 0 4px 0;"

static int
html_h3(struct buf *out, const char *title)
{
	return buf_addf(out, "<h3 style=\"%s\">", H_H3) < 0 || report_html_escape(out, title) < 0 ||
	    buf_adds(out, "</h3>\n") < 0 ? -1 : 0;
}

/* "LABEL: the questions that rose (dir > 0) or fell" as a paragraph, escaped. */
static int
html_p(const struct report_progress_input *in, struct buf *out, const char *label,
    const struct report_pteam *t, int dir)
{
	struct buf tmp = BUF_INIT;
	int rc = buf_addf(&tmp, "%s: ", label) < 0 || add_changes(in, t, dir, &tmp) < 0 ||
	    buf_addf(out, "<p style=\"%s\">", H_FONT) < 0 || report_html_escape(out, tmp.data) < 0 ||
	    buf_adds(out, "</p>\n") < 0 ? -1 : 0;

	buf_release(&tmp);
	return rc;
}

static int
html_eval_volume(const struct report_progress_input *in, const struct report_pteam *t,
    struct buf *out)
{
	int W = last_week(in);
	long total = 0;

	if (buf_addf(out, "<p style=\"%s\"><b>%s</b></p><table role=\"presentation\" "
	    "cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"border-collapse:collapse;\">"
	    "<tr><td style=\"%sfont-weight:bold;\">week</td>", H_FONT, ph(in, P_TEAM_VOLUME_TITLE),
	    H_TD) < 0)
		return -1;
	for (int w = 1; w <= W; w++)
		if (buf_addf(out, "<td style=\"%sfont-weight:bold;\">%d</td>", H_NUM, w) < 0)
			return -1;
	if (buf_addf(out, "<td style=\"%sfont-weight:bold;\">%s</td></tr><tr><td style=\"%s\">"
	    "</td>", H_NUM, ph(in, P_TOTAL), H_TD) < 0)
		return -1;
	for (int w = 1; w <= W; w++) {
		total += report_team_volume(t, w);
		if (buf_addf(out, "<td style=\"%s\">%d</td>", H_NUM, report_team_volume(t, w)) < 0)
			return -1;
	}
	return buf_addf(out, "<td style=\"%s\">%ld</td></tr></table>\n", H_NUM, total);
}

static int
html_eval_team(const struct report_progress_input *in, const struct report_pteam *t,
    struct buf *out)
{
	struct report_win wins[REPORT_WINS_MAX];
	size_t nwins = report_wins(in, t, wins);
	struct buf tmp = BUF_INIT;
	int rc = -1;

	if (buf_addf(out, "<h2 style=\"%s\">%s ", H_H2, ph(in, P_TEAM)) < 0 ||
	    report_html_escape(out, t->name) < 0 || buf_adds(out, "</h2>") < 0 ||
	    html_h3(out, ph(in, P_WENT_WELL)) < 0 || buf_adds(out, "<ul style=\"margin:0;\">") < 0)
		goto out;
	for (size_t i = 0; i < nwins; i++) {
		buf_reset(&tmp);
		if (add_win(in, &wins[i], &tmp) < 0 || buf_addf(out, "<li style=\"%s\">", H_FONT) < 0 ||
		    report_html_escape(out, tmp.data) < 0 || buf_adds(out, "</li>") < 0)
			goto out;
	}
	if (nwins == 0 && (buf_addf(out, "<li style=\"%s\">", H_FONT) < 0 ||
	    report_html_escape(out, ph(in, P_NOTHING_STANDS_OUT)) < 0 || buf_adds(out, "</li>") < 0))
		goto out;
	if (buf_adds(out, "</ul>\n") < 0 ||
	    html_h3(out, ph(in, P_RECOGNISE)) < 0 || html_table(in, t, out) < 0 ||
	    html_eval_volume(in, t, out) < 0 ||
	    html_h3(out, ph(in, P_UNDERSTAND)) < 0 || html_ambition(in, t, out) < 0 ||
	    html_h3(out, ph(in, P_APPRECIATE)) < 0 || html_p(in, out, ph(in, P_ROSE), t, 1) < 0)
		goto out;
	buf_reset(&tmp);
	if (add_ratings(in, t, &tmp) < 0 || buf_addf(out, "<p style=\"%s\"><b>%s</b><br>", H_FONT,
	    ph(in, P_TEAM_QUALITY_TITLE)) < 0 || report_html_escape(out, tmp.data) < 0 ||
	    buf_adds(out, "</p>\n") < 0)
		goto out;
	if (html_h3(out, ph(in, P_IMPROVE)) < 0 || html_p(in, out, ph(in, P_FELL), t, -1) < 0)
		goto out;
	rc = add_actions(in, t, 1, out);
out:
	buf_release(&tmp);
	return rc;
}

/* The body: title, charts, per team its table (no document around it). */
static int
html_body(const struct report_progress_input *in, const struct report_chart_ref *charts,
    size_t ncharts, const char *title, struct buf *out)
{
	if (buf_addf(out, "<h1 style=\"%sfont-size:20px;\">%s — ", H_H2, title) < 0 ||
	    report_html_escape(out, in->program) < 0 ||
	    buf_addf(out, "</h1><p style=\"%s\">%s 1-%d</p>\n", H_FONT, ph(in, P_WEEKS),
	    last_week(in)) < 0)
		return -1;
	/* The evaluation opens with the conversation, team by team; the charts follow. */
	for (size_t i = 0; in->kind == REPORT_EVALUATION && i < in->nteams; i++)
		if (html_eval_team(in, &in->teams[i], out) < 0)
			return -1;
	if (in->kind == REPORT_EVALUATION && ncharts > 0 && html_h3(out, ph(in, P_OVERVIEW)) < 0)
		return -1;
	for (size_t i = 0; i < ncharts; i++) {
		if (buf_adds(out, "<p><img src=\"") < 0 || report_html_escape(out, charts[i].src) < 0 ||
		    buf_adds(out, "\" alt=\"") < 0 || report_html_escape(out, charts[i].alt) < 0 ||
		    buf_addf(out, "\" width=\"%d\" style=\"display:block;max-width:100%%;height:auto;"
		    "border:0;\"></p>\n", REPORT_CHART_W) < 0)
			return -1;
	}
	for (size_t i = 0; in->kind != REPORT_EVALUATION && i < in->nteams; i++)
		if (html_team(in, &in->teams[i], out) < 0)
			return -1;
	return 0;
}

const char *
report_progress_title(const struct report_progress_input *in)
{
	return in->kind == REPORT_PROGRESS ? ph(in, P_PROGRESS_REPORT) :
	    ph(in, P_EVALUATION_REPORT);
}

int
report_progress_html(const struct report_progress_input *in,
    const struct report_chart_ref *charts, size_t ncharts, struct buf *out)
{
	size_t start = out->len;
	const char *title = report_progress_title(in);

	if (buf_addf(out, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
	    "<title>%s</title></head><body style=\"margin:0;padding:16px;background-color:#ffffff;"
	    "\"><table role=\"presentation\" width=\"100%%\" cellpadding=\"0\" cellspacing=\"0\" "
	    "border=\"0\"><tr><td style=\"%s\">\n", EN(in) ? "en" : "nl", title, H_FONT) < 0 ||
	    html_body(in, charts, ncharts, title, out) < 0 ||
	    buf_adds(out, "\n</td></tr></table></body></html>\n") < 0) {
		buf_truncate(out, start);
		return -1;
	}
	return 0;
}

int
report_progress_html_fragment(const struct report_progress_input *in,
    const struct report_chart_ref *charts, size_t ncharts, struct buf *out)
{
	size_t start = out->len;

	if (buf_addf(out, "<table role=\"presentation\" width=\"100%%\" cellpadding=\"0\" "
	    "cellspacing=\"0\" border=\"0\"><tr><td style=\"%s\">\n", H_FONT) < 0 ||
	    html_body(in, charts, ncharts, report_progress_title(in), out) < 0 ||
	    buf_adds(out, "\n</td></tr></table>\n") < 0) {
		buf_truncate(out, start);
		return -1;
	}
	return 0;
}

_Static_assert(REPORT_AMBITION_MAX_QUESTIONS == QUESTIONNAIRE_MAX_QUESTIONS,
    "every open question of a baseline can be an ambition question");

size_t
report_progress_ambition_questions(const struct questionnaire *baseline,
    struct report_question *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; baseline != NULL && i < baseline->n && n < max; i++)
		if (baseline->q[i].type == QUESTIONNAIRE_OPEN) {
			out[n].number = baseline->q[i].number;
			out[n].text = baseline->q[i].text;
			n++;
		}
	return n;
}
