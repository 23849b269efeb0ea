/*
 * report_ratings — the flow of the facilitators' rating samples and ratings: attach samples to
 * a weekly report, apply the ratings of a facilitator's reply. What is picked and what a
 * rating means is decided in ratings.h (pure); the rows are read and written through
 * store_report.h; this module runs them in one transaction each.
 *
 * Privacy: nothing ties a sample or a rating to a giver or a receiver; a sample's text is
 * shown as written, with the names to mask beside it (report_weekly() masks, mask.h).
 */
#ifndef FB_REPORT_RATINGS_H
#define FB_REPORT_RATINGS_H

#include <stdint.h>
#include <time.h>

#include "db.h"
#include "fberror.h"
#include "fields.h"
#include "ratings.h"
#include "store_report.h"

/*
 * Attach up to n anonymous rating samples of the team's feedback of its week to rd (the team's
 * entry of a loaded set s): the first call for a team and week picks them (non-follow-up
 * feedback given by the team's members that week, in the order of ratings_pick_samples(), so
 * the choice is deterministic and not the order of arrival) and records each as "F<n>" with n
 * unique in the programme; later calls show the same ones again. Each text is the three BKC
 * parts as written (ratings_sample_text()); rd->in.mask_names gets the names report_weekly()
 * masks in them (the team's members, those who left too, and its facilitators).
 * Writes in its own transaction. Returns the number of samples attached, or -1.
 */
int report_samples_attach(struct db *db, struct report_set *s, struct report_data *rd, int n,
    time_t now, struct fb_error *err);

/*
 * Store the ratings ("F12: 4") in a facilitator's reply. Each id must be a sample shown in a
 * report of the facilitator's own team; an unknown id, or one of another team, is not applied.
 * A second rating of the same sample by the same facilitator replaces the first. Every rating,
 * and every rating problem fields_parse() noted (out of range, rated twice), gets an outcome in
 * out (emptied first; release with report_rating_outcomes_release()), data only: no words.
 * All ratings of f are stored in one transaction. Returns the number recorded (0 when none
 * could be), or -1 with err set (unknown facilitator, database error; nothing stored, out
 * empty).
 */
int report_ratings_apply(struct db *db, int64_t facilitator_id, const struct fields *f,
    time_t now, struct report_rating_outcomes *out, struct fb_error *err);

#endif
