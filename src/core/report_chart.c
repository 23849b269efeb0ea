/*
 * report_chart — the progress and evaluation reports' charts, drawn with cairo into an image
 * surface and written as PNG into a struct buf (no files): volume per week (teams side by side),
 * ratings per week, a team's scores per question and moment, a team's members' weekly volume as
 * a heat map. Pure: data in, PNG bytes out. Fonts: cairo's "toy" API with a sans-serif family,
 * so no font files are named. The words drawn and the alt texts are Dutch or English by the
 * report's language, from one table of phrases below (as report_render.c has).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <fontconfig/fontconfig.h>

#include "report_progress.h"
#include "banned.h"

#define PAD_L 56
#define PAD_R 150
#define PAD_T 34
#define PAD_B 36

/* A palette that stays apart for the colour-blind (Okabe-Ito). */
static const double palette[REPORT_CHART_MAX_TEAMS][3] = {
	{ 0.00, 0.45, 0.70 }, { 0.90, 0.62, 0.00 }, { 0.00, 0.62, 0.45 }, { 0.80, 0.47, 0.65 },
	{ 0.34, 0.71, 0.91 }, { 0.84, 0.37, 0.00 }, { 0.94, 0.89, 0.26 }, { 0.40, 0.40, 0.40 },
};

enum chart_phrase {
	C_VOLUME_TITLE, C_RATINGS_TITLE, C_SCORES_TITLE, C_MEMBERS_TITLE, C_WEEK, C_QUESTION, C_TEAM,
	C_BASELINE, C_MIDTERM, C_FINAL, C_FOLLOWUP, C_ALT_VOLUME, C_ALT_RATINGS, C_ALT_SCORES,
	C_ALT_MEMBERS, C_COUNT
};

static const char *const chart_phrases[C_COUNT][2] = {
	[C_VOLUME_TITLE] = { "Gegeven feedback per week", "Feedback given per week" },
	[C_RATINGS_TITLE] = { "Kwaliteit van de feedback (gemiddelde beoordeling 1-5)",
	    "Quality of the feedback (average rating 1-5)" },
	[C_SCORES_TITLE] = { "Gemiddelde score per vraag", "Average score per question" },
	[C_MEMBERS_TITLE] = { "Gegeven feedback per teamlid per week",
	    "Feedback given per member per week" },
	[C_WEEK] = { "week", "week" },
	[C_QUESTION] = { "vraag", "question" },
	[C_TEAM] = { "team", "team" },
	[C_BASELINE] = { "nulmeting", "baseline" },
	[C_MIDTERM] = { "tussenmeting", "midterm" },
	[C_FINAL] = { "eindmeting", "final" },
	[C_FOLLOWUP] = { "nameting", "follow-up" },
	[C_ALT_VOLUME] = { "feedback per week", "feedback per week" },
	[C_ALT_RATINGS] = { "kwaliteitsbeoordelingen per week", "quality ratings per week" },
	[C_ALT_SCORES] = { "scores per vraag", "scores per question" },
	[C_ALT_MEMBERS] = { "feedback per teamlid", "feedback per member" },
};

static const char *
cph(const struct report_progress_input *in, enum chart_phrase p)
{
	return chart_phrases[p][in->lang == REPORT_LANG_EN ? 1 : 0];
}

static cairo_status_t
png_to_buf(void *closure, const unsigned char *data, unsigned int len)
{
	return buf_add(closure, data, len) < 0 ? CAIRO_STATUS_NO_MEMORY : CAIRO_STATUS_SUCCESS;
}

/* Start a white canvas with a title; NULL (err set) when cairo cannot. */
static cairo_t *
canvas(int w, int h, const char *title, cairo_surface_t **sf, struct fb_error *err)
{
	cairo_t *cr;

	*sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	if (cairo_surface_status(*sf) != CAIRO_STATUS_SUCCESS) {
		fb_error_set(err, "cairo: %s", cairo_status_to_string(cairo_surface_status(*sf)));
		cairo_surface_destroy(*sf);
		return NULL;
	}
	cr = cairo_create(*sf);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
	cairo_set_font_size(cr, 15);
	cairo_set_source_rgb(cr, 0.12, 0.31, 0.47);
	cairo_move_to(cr, PAD_L, 22);
	cairo_show_text(cr, title);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
	    CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, 11);
	return cr;
}

static int
finish(cairo_t *cr, cairo_surface_t *sf, struct buf *png, struct fb_error *err)
{
	size_t start = png->len;
	cairo_status_t st;

	cairo_destroy(cr);
	cairo_surface_flush(sf);
	st = cairo_surface_write_to_png_stream(sf, png_to_buf, png);
	cairo_surface_destroy(sf);
	if (st != CAIRO_STATUS_SUCCESS) {
		buf_truncate(png, start);
		return fb_error_set(err, "cairo: %s", cairo_status_to_string(st));
	}
	return 0;
}

/* Axes with a y scale 0..ymax and week ticks 1..weeks; returns the plot area. */
static void
axes(cairo_t *cr, int w, int h, double ymax, int weeks, const char *ylabel, int comma)
{
	double x0 = PAD_L, y0 = h - PAD_B, x1 = w - PAD_R, y1 = PAD_T;
	/* Five steps when that gives whole numbers (ratings 0..5, scores 0..10), else four. */
	int steps = ymax == floor(ymax) && fmod(ymax, 5.0) == 0.0 ? 5 : 4;
	char s[32];

	cairo_set_line_width(cr, 1);
	for (int k = 0; k <= steps; k++) {
		double y = y0 - (y0 - y1) * k / (double)steps;

		cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
		cairo_move_to(cr, x0, y);
		cairo_line_to(cr, x1, y);
		cairo_stroke(cr);
		cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
		snprintf(s, sizeof(s), "%g", round(ymax * k / (double)steps * 10) / 10);
		/* "2,5" in a Dutch report, as its text writes numbers */
		if (comma && strchr(s, '.') != NULL)
			*strchr(s, '.') = ',';
		cairo_move_to(cr, 8, y + 4);
		cairo_show_text(cr, s);
	}
	for (int wk = 1; wk <= weeks; wk++) {
		double x = weeks > 1 ? x0 + (x1 - x0) * (wk - 1) / (weeks - 1) : (x0 + x1) / 2;

		if (weeks > 20 && wk % 4 != 1)
			continue;
		snprintf(s, sizeof(s), "%d", wk);
		cairo_move_to(cr, x - 4, y0 + 16);
		cairo_show_text(cr, s);
	}
	cairo_move_to(cr, x0, y0 + 30);
	cairo_show_text(cr, ylabel);
}

static void
legend(cairo_t *cr, int w, int i, const char *name)
{
	char s[40];

	cairo_set_source_rgb(cr, palette[i][0], palette[i][1], palette[i][2]);
	cairo_rectangle(cr, w - PAD_R + 14, PAD_T + 18 * i, 12, 12);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
	snprintf(s, sizeof(s), "%.18s", name ? name : "?");
	cairo_move_to(cr, w - PAD_R + 32, PAD_T + 18 * i + 10);
	cairo_show_text(cr, s);
}

static int
weeks_of(const struct report_progress_input *in)
{
	int w = in->through_week;

	return w < 1 ? 1 : w > REPORT_MAX_WEEKS ? REPORT_MAX_WEEKS : w;
}

/* Lines per team of a value per week; has(t, w) says whether there is a point. */
static void
lines(cairo_t *cr, const struct report_progress_input *in, double ymax,
    double (*value)(const struct report_pteam *, int), int (*has)(const struct report_pteam *, int))
{
	int W = weeks_of(in), w = REPORT_CHART_W, h = REPORT_CHART_H;
	double x0 = PAD_L, y0 = h - PAD_B, x1 = w - PAD_R, y1 = PAD_T;

	for (size_t i = 0; i < in->nteams && i < REPORT_CHART_MAX_TEAMS; i++) {
		int pen = 0;

		cairo_set_source_rgb(cr, palette[i][0], palette[i][1], palette[i][2]);
		cairo_set_line_width(cr, 2.5);
		for (int wk = 1; wk <= W; wk++) {
			double x = W > 1 ? x0 + (x1 - x0) * (wk - 1) / (W - 1) : (x0 + x1) / 2;
			double y;

			if (!has(&in->teams[i], wk)) {
				pen = 0;
				continue;
			}
			y = y0 - (y0 - y1) * value(&in->teams[i], wk) / ymax;
			if (pen)
				cairo_line_to(cr, x, y);
			else
				cairo_move_to(cr, x, y);
			pen = 1;
		}
		cairo_stroke(cr);
		for (int wk = 1; wk <= W; wk++) {
			double x = W > 1 ? x0 + (x1 - x0) * (wk - 1) / (W - 1) : (x0 + x1) / 2;

			if (!has(&in->teams[i], wk))
				continue;
			cairo_arc(cr, x, y0 - (y0 - y1) * value(&in->teams[i], wk) / ymax, 3, 0,
			    2 * M_PI);
			cairo_fill(cr);
		}
		legend(cr, w, (int)i, in->teams[i].name);
	}
}

static double
volume_value(const struct report_pteam *t, int w)
{
	return report_team_volume(t, w);
}

static int
always(const struct report_pteam *t, int w)
{
	(void)t;
	(void)w;
	return 1;
}

static double
rating_value(const struct report_pteam *t, int w)
{
	return t->rating_avg[w];
}

static int
rated(const struct report_pteam *t, int w)
{
	return t->rating_n[w] > 0;
}

int
report_chart_volume(const struct report_progress_input *in, struct buf *png,
    struct fb_error *err)
{
	cairo_surface_t *sf;
	cairo_t *cr;
	double ymax = 1;

	for (size_t i = 0; i < in->nteams && i < REPORT_CHART_MAX_TEAMS; i++)
		for (int w = 1; w <= weeks_of(in); w++)
			if (report_team_volume(&in->teams[i], w) > ymax)
				ymax = report_team_volume(&in->teams[i], w);
	cr = canvas(REPORT_CHART_W, REPORT_CHART_H, cph(in, C_VOLUME_TITLE), &sf, err);
	if (cr == NULL)
		return -1;
	axes(cr, REPORT_CHART_W, REPORT_CHART_H, ymax, weeks_of(in), cph(in, C_WEEK),
	    in->lang != REPORT_LANG_EN);
	lines(cr, in, ymax, volume_value, always);
	return finish(cr, sf, png, err);
}

int
report_chart_ratings(const struct report_progress_input *in, struct buf *png,
    struct fb_error *err)
{
	cairo_surface_t *sf;
	cairo_t *cr = canvas(REPORT_CHART_W, REPORT_CHART_H, cph(in, C_RATINGS_TITLE), &sf, err);

	if (cr == NULL)
		return -1;
	axes(cr, REPORT_CHART_W, REPORT_CHART_H, 5, weeks_of(in), cph(in, C_WEEK),
	    in->lang != REPORT_LANG_EN);
	lines(cr, in, 5, rating_value, rated);
	return finish(cr, sf, png, err);
}

int
report_chart_scores(const struct report_progress_input *in, const struct report_pteam *t,
    struct buf *png, struct fb_error *err)
{
	static const enum chart_phrase names[REPORT_MOMENTS] = { C_BASELINE, C_MIDTERM, C_FINAL,
		C_FOLLOWUP };
	int w = REPORT_CHART_W, h = REPORT_CHART_H;
	int nq = in->nquestions < 1 ? 1 : in->nquestions > REPORT_MAX_QUESTIONS ?
	    REPORT_MAX_QUESTIONS : in->nquestions;
	double x0 = PAD_L, y0 = h - PAD_B, x1 = w - PAD_R, y1 = PAD_T;
	double group = (x1 - x0) / nq, bar = group * 0.8 / REPORT_MOMENTS;
	char title[160], s[16];
	cairo_surface_t *sf;
	cairo_t *cr;

	snprintf(title, sizeof(title), "%s - %s %.60s", cph(in, C_SCORES_TITLE), cph(in, C_TEAM),
	    t->name ? t->name : "?");
	cr = canvas(w, h, title, &sf, err);
	if (cr == NULL)
		return -1;
	axes(cr, w, h, 10, 0, cph(in, C_QUESTION), in->lang != REPORT_LANG_EN);
	for (int q = 1; q <= nq; q++) {
		for (int m = 0; m < REPORT_MOMENTS; m++) {
			double avg, change, bh;

			if (!report_score(in, t, m, q, &avg, &change))
				continue;
			bh = (y0 - y1) * avg / 10.0;
			cairo_set_source_rgb(cr, palette[m][0], palette[m][1], palette[m][2]);
			cairo_rectangle(cr, x0 + group * (q - 1) + group * 0.1 + bar * m, y0 - bh,
			    bar - 1, bh);
			cairo_fill(cr);
		}
		cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
		snprintf(s, sizeof(s), "%d", q);
		cairo_move_to(cr, x0 + group * (q - 1) + group / 2 - 4, y0 + 16);
		cairo_show_text(cr, s);
	}
	for (int m = 0; m < REPORT_MOMENTS; m++)
		legend(cr, w, m, cph(in, names[m]));
	return finish(cr, sf, png, err);
}

int
report_chart_members_height(const struct report_pteam *t)
{
	size_t n = t->nmembers > 60 ? 60 : t->nmembers;

	return PAD_T + 20 * (int)n + PAD_B;
}

int
report_chart_members(const struct report_progress_input *in, const struct report_pteam *t,
    struct buf *png, struct fb_error *err)
{
	int W = weeks_of(in), w = REPORT_CHART_W, h = report_chart_members_height(t), max = 1;
	size_t n = t->nmembers > 60 ? 60 : t->nmembers;
	double x0 = 170, x1 = w - 20, cw = (x1 - x0) / W;
	char title[160], s[64];
	cairo_surface_t *sf;
	cairo_t *cr;

	for (size_t i = 0; i < n; i++)
		for (int wk = 1; wk <= W; wk++)
			if (t->members[i].given[wk] > max)
				max = t->members[i].given[wk];
	snprintf(title, sizeof(title), "%s - %s %.60s", cph(in, C_MEMBERS_TITLE), cph(in, C_TEAM),
	    t->name ? t->name : "?");
	cr = canvas(w, h, title, &sf, err);
	if (cr == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		double y = PAD_T + 20.0 * (double)i;

		cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
		snprintf(s, sizeof(s), "%.24s%s", t->members[i].name ? t->members[i].name : "?",
		    t->members[i].left_on.year == 0 ? "" : in->lang == REPORT_LANG_EN ?
		    " (left)" : " (vertrokken)");
		cairo_move_to(cr, 8, y + 14);
		cairo_show_text(cr, s);
		for (int wk = 1; wk <= W; wk++) {
			double v = (double)t->members[i].given[wk] / max;

			/* White (none) to dark blue (the team's most in one week). */
			cairo_set_source_rgb(cr, 1 - 0.9 * v, 1 - 0.6 * v, 1 - 0.25 * v);
			cairo_rectangle(cr, x0 + cw * (wk - 1), y, cw - 1, 18);
			cairo_fill(cr);
		}
	}
	cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
	for (int wk = 1; wk <= W; wk++) {
		if (W > 20 && wk % 4 != 1)
			continue;
		snprintf(s, sizeof(s), "%d", wk);
		cairo_move_to(cr, x0 + cw * (wk - 1) + cw / 2 - 4, PAD_T + 20.0 * (double)n + 14);
		cairo_show_text(cr, s);
	}
	return finish(cr, sf, png, err);
}

void
report_chart_cleanup(void)
{
	cairo_debug_reset_static_data();
	/* fontconfig comes in through cairo (its text): linked by name (pkg-config fontconfig,
	 * which cairo's own -dev package brings), so the core looks nothing up at run time. */
	FcFini();
}

/* ---- the report's set of charts --------------------------------------------------------------- */

void
report_charts_release(struct report_charts *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		buf_release(&c->v[i].png);
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

int
report_charts_make(const struct report_progress_input *in, struct report_charts *out,
    struct fb_error *err)
{
	size_t per_team = in->nteams < REPORT_TEAM_CHARTS_MAX ? in->nteams : REPORT_TEAM_CHARTS_MAX;
	size_t max = 2 + 2 * per_team;

	out->n = 0;
	if ((out->v = calloc(max, sizeof(*out->v))) == NULL)
		return fb_error_set(err, "out of memory");
	for (size_t i = 0; i < max; i++) {
		struct report_chart_file *f = &out->v[i];
		int r;

		buf_init(&f->png);
		out->n++;
		if (i == 0) {
			snprintf(f->name, sizeof(f->name), "volume.png");
			snprintf(f->alt, sizeof(f->alt), "%s", cph(in, C_ALT_VOLUME));
			r = report_chart_volume(in, &f->png, err);
		} else if (i == 1) {
			snprintf(f->name, sizeof(f->name), "ratings.png");
			snprintf(f->alt, sizeof(f->alt), "%s", cph(in, C_ALT_RATINGS));
			r = report_chart_ratings(in, &f->png, err);
		} else {
			const struct report_pteam *t = &in->teams[(i - 2) / 2];
			int scores = (i - 2) % 2 == 0;

			snprintf(f->name, sizeof(f->name), "%s-%zu.png", scores ? "scores" : "members",
			    (i - 2) / 2 + 1);
			snprintf(f->alt, sizeof(f->alt), "%s, %s %.60s", cph(in, scores ?
			    C_ALT_SCORES : C_ALT_MEMBERS), cph(in, C_TEAM), t->name ? t->name : "?");
			r = scores ? report_chart_scores(in, t, &f->png, err) :
			    report_chart_members(in, t, &f->png, err);
		}
		if (r < 0) {
			fb_error_prefix(err, "chart %s: ", f->name);
			return -1;
		}
		snprintf(f->cid, sizeof(f->cid), "%.40s@feedbackd", f->name);
	}
	return 0;
}
