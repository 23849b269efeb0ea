/*
 * team_picture — step 3 for the members: the team's picture each member gets before the
 * progress session (voortgangsbijeenkomst), so the whole team looks at the same figures the
 * facilitator brings. Pure: the team's figures in (the progress report's, store_report.h),
 * text and HTML out, in the member's language.
 *
 * What it shows, anonymous (no names, no figure of one person):
 *   volume     feedback the team gave per week, as a text chart (bars of characters, the same
 *              in every mail program; the HTML draws them as table cells, no images)
 *   response   per measurement sent so far: how many of those who got it answered; and how
 *              many feedback requests the team made and how many were answered
 *   ambition   the team's answers to the baseline's open questions (what to work on, the
 *              result they want), names masked, in an order not tied to who wrote them
 *
 * The privacy threshold (min_group_size, the same rule as the reports' scores): a figure that
 * rests on fewer people than that is not shown but replaced by "–", and the mail says why, so
 * nobody can read a colleague's own count from it:
 *   a week's volume       when fewer than min_group_size members gave feedback that week
 *                         (but some did: a week nobody gave in shows the team's 0)
 *   a measurement's       when fewer than min_group_size members got the questionnaire
 *   response
 *   requests answered     when fewer than min_group_size members asked for feedback
 *   an ambition question  when fewer than min_group_size members answered it
 *
 * Ownership: the input belongs to the caller; output is appended to the caller's buffer.
 * Functions return 0, or -1 when memory runs out (out as it was).
 */
#ifndef FB_TEAM_PICTURE_H
#define FB_TEAM_PICTURE_H

#include "buf.h"
#include "report.h"
#include "report_progress.h"

#define TEAM_PICTURE_BAR 30   /* characters of the longest bar */

struct team_picture_in {
	enum report_lang lang;
	int through_week;        /* weeks 1..through_week */
	int min_group_size;
	const struct report_pteam *team; /* its members' given[] per week, sent/answered per
	                                    moment, ambition and the names to mask */
	int requests;            /* feedback requests the team's members made, weeks 1..through */
	int requests_answered;   /* of those, answered by now */
	int askers;              /* members who made at least one of them */
};

/* Whether a figure is shown: 1, or 0 when it rests on fewer than min_group_size people. */
int team_picture_week_shown(const struct team_picture_in *in, int week);
int team_picture_response_shown(const struct team_picture_in *in, int moment);
int team_picture_requests_shown(const struct team_picture_in *in);
int team_picture_ambition_shown(const struct team_picture_in *in,
    const struct report_ambition *a);

/* How many of the team's members gave feedback in week w. */
int team_picture_givers(const struct team_picture_in *in, int week);

/* The picture as plain text (the mail's text part) and as an HTML fragment (every value
 * escaped, no images, no links). */
int team_picture_text(const struct team_picture_in *in, struct buf *out);
int team_picture_html(const struct team_picture_in *in, struct buf *out);

#endif
