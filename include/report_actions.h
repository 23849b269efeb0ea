/*
 * report_actions — a team's improvement actions in the evaluation and follow-up reports: the
 * decision quadrant (the team itself / others × short / long term), one heading per quadrant
 * that has actions. Its own renderer so the report can place it where the discussion comes to
 * improving. The headings never read as an action line themselves ("Het team zelf, korte
 * termijn", "By others, short term"), so a reply that still quotes the report adds nothing.
 *
 * Pure: actions in (report_progress.h, in quadrant order), text appended to out. 0, or -1 when
 * memory runs out.
 */
#ifndef FB_REPORT_ACTIONS_H
#define FB_REPORT_ACTIONS_H

#include <stddef.h>

#include "buf.h"
#include "report.h"
#include "report_progress.h"

/* Plain text: a title line, then per quadrant an indented heading and its actions. Nothing
 * when n is 0. */
int report_actions_text(enum report_lang lang, const struct report_action *a, size_t n,
    struct buf *out);

/* The same as HTML (a heading, per quadrant a bold line and a list), every text escaped. */
int report_actions_html(enum report_lang lang, const struct report_action *a, size_t n,
    struct buf *out);

#endif
