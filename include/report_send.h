/*
 * report_send — the facilitators' reports as mail, queued through the outbox (outmail.h), each
 * team's mail in a transaction of its own (nested in the caller's when it holds one): what the
 * daemon sends at its moments (the weekly report on Monday 08:00, the progress report in week 5,
 * the evaluation report in week W and after the follow-up) and what `feedbackctl report ...
 * --send` sends on demand. The same code for both, so a report sent by hand is the report the
 * daemon sends.
 *
 * Who gets what:
 *   weekly               each team's facilitators get their own team's report (text + HTML),
 *                        with a reply token ("report") for ratings and commands (apply_report.c)
 *   progress/evaluation  each team's facilitators get their team's report; the coordinator (the
 *                        programme's organizer, else feedbackd.coordinator_address) gets the
 *                        whole programme's report, teams side by side, or, when one team is
 *                        asked for, that team's. HTML with the PNG charts inline (cid:), and the
 *                        text part with the same figures as tables. No reply token.
 * Members' names appear only in their own team's report (the heat map of feedback per member).
 *
 * Errors: 0 (and *mails increased by what was queued), or -1 with err set; what was queued for
 * earlier teams stays queued (their transactions are committed).
 */
#ifndef FB_REPORT_SEND_H
#define FB_REPORT_SEND_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "fberror.h"
#include "flow.h"
#include "plan.h"
#include "report_progress.h"
#include "store.h"

/* The weekly report of week `week` for team team_id of p (0: every team). Rating samples are
 * picked as for the daemon (report.rating_samples). */
int report_send_weekly(const struct flow *f, const struct program *p, int64_t team_id, int week,
    size_t *mails, struct fb_error *err);

/* The progress or evaluation report with figures through week through_week (followup: 1 for
 * the one after the follow-up measurement, which only changes the subject) for team team_id of
 * p (0: every team). */
int report_send_progress(const struct flow *f, const struct program *p, int64_t team_id,
    enum report_progress_kind kind, int followup, int through_week, size_t *mails,
    struct fb_error *err);

/* The mail report_send_progress() sends the coordinator about team_id of p (0: every team),
 * composed into eml and not queued (nothing is written to the database): `feedbackctl report
 * progress --out`'s report.eml, so the copy is the daemon's mail. The recipient is the
 * coordinator, else the configuration's from_address. 0, or -1 with err. */
int report_send_progress_eml(const struct flow *f, const struct program *p, int64_t team_id,
    enum report_progress_kind kind, int through_week, struct buf *eml, struct fb_error *err);

/* The weekly report of week `week` as facilitator_id (0: the first facilitator) of team_id (0:
 * the first team that has one) gets it, composed into eml by the code that queues it, nothing
 * written (the report token is outmail's example): `feedbackctl preview weekly-report`. An
 * error when nobody would get it. 0, or -1 with err. */
int report_send_weekly_eml(const struct flow *f, const struct program *p, int64_t team_id,
    int week, int64_t facilitator_id, struct buf *eml, struct fb_error *err);

/* The progress or evaluation report of team_id (0: the whole programme, as the coordinator
 * gets it) as to_addr (to_name may be NULL) gets it, into eml, nothing queued: `feedbackctl
 * preview progress-report`. 0, or -1 with err. */
int report_send_progress_eml_to(const struct flow *f, const struct program *p, int64_t team_id,
    enum report_progress_kind kind, int followup, int through_week, const char *to_addr,
    const char *to_name, struct buf *eml, struct fb_error *err);

/*
 * The scheduler's handler (schedule.c handler_of) for the moments PLAN_WEEKLY_REPORT,
 * PLAN_PROGRESS_REPORT, PLAN_EVALUATION_REPORT and PLAN_FOLLOWUP_REPORT: runs inside the
 * scheduler's transaction for the moment. today is unused.
 */
int report_send_moment(const struct flow *f, const struct program *p,
    const struct plan_moment *mo, const char *today, size_t *mails, struct fb_error *err);

#endif
