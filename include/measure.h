/*
 * measure — the measurements over time: the scheduler's handlers for the questionnaire,
 * reminder and close moments of the plan (plan.h), the pass that sends reminders which had to
 * wait for a member's reminder budget, and the question lists (with one-click score links)
 * that the questionnaire, the reminder and the answer receipt share.
 *
 * Sending (measure_send, at "questionnaire:<m>"): one measurement row for the programme and
 * kind, then to every active member who is not away and whose address does not bounce, one
 * questionnaire row and one mail (token purpose "questionnaire", ref_id = the questionnaire
 * row). A member who already has a row is skipped, so a moment run twice sends once.
 *
 * Reminders ("reminder:<m>:<i>"): reminder i is owed to every member whose questionnaire is not
 * complete while the measurement is open; the questionnaire row remembers the last reminder
 * number handled, so no member gets more reminders than there are reminder moments, and one
 * that was missed (the daemon was down) is folded into the next rather than sent twice.
 * The reminder budget, in the member's own time zone (else the programme's): at most
 * program.reminders_per_day automatic reminders a day (outbox kinds ending in "reminder"),
 * only within program.office_hours, and not on Saturday or Sunday unless program.weekend_mail.
 * A reminder the budget does not allow now waits: measure_sweep(), run at every scheduler
 * pass, sends it at the first moment the budget allows (a reminder due on Saturday or Sunday
 * goes out on Monday at the start of office hours), unless the questionnaire was completed or
 * the measurement closed in the meantime.
 *
 * Closing ("close:<m>"): the measurement's closes_at becomes now (if it was later); replies
 * after it are kept and answered "closed" (apply_measure.c).
 *
 * Handlers have schedule.c's signature and run inside the scheduler's transaction.
 */
#ifndef FB_MEASURE_H
#define FB_MEASURE_H

#include <stddef.h>

#include "buf.h"
#include "fberror.h"
#include "flow.h"
#include "plan.h"
#include "questionnaire.h"
#include "template.h"

int measure_send(const struct flow *f, const struct program *p, const struct plan_moment *mo,
    const char *today, size_t *mails, struct fb_error *err);
int measure_remind(const struct flow *f, const struct program *p,
    const struct plan_moment *mo, const char *today, size_t *mails, struct fb_error *err);
int measure_close(const struct flow *f, const struct program *p,
    const struct plan_moment *mo, const char *today, size_t *mails, struct fb_error *err);

/*
 * The questionnaire of measurement kind ("baseline", ...; reminder 0) or its reminder
 * (reminder 1) to member m as measure_send() or the reminder would mail it at f->now,
 * composed into raw_out by the same code, nothing written: `feedbackctl preview`. The close
 * date is the plan's, for a reminder the measurement's once it was sent, and a reminder
 * leaves out the questions m answered. 0, or -1 with err.
 */
int measure_preview(const struct flow *f, const struct program *p, const char *kind,
    int reminder, const struct member *m, struct buf *raw_out, struct fb_error *err);

/*
 * Send the reminders of p's open measurements that are owed (their moment in plan is due) and
 * that waited for the budget, in a transaction of its own. *mails counts what was queued.
 * 0, or -1 with err (nothing of this pass is kept).
 */
int measure_sweep(const struct flow *f, const struct program *p, const struct plan *plan,
    const char *today, size_t *mails, struct fb_error *err);

/*
 * A questionnaire still open to the members who joined after it went out (a late joiner,
 * welcome.h): for every measurement of p that was sent and has not closed at f->now, every
 * active member who joined (member.created_at) after it opened, is not away and whose address
 * does not bounce, and has no questionnaire of it yet, gets one — with the measurement's own
 * close date, and the reminders already due counted as handled, so their first reminder is
 * the next reminder moment. A measurement that closed is never sent. Inside the caller's
 * transaction; *mails counts what was queued. 0, or -1 with err.
 */
int measure_send_open(const struct flow *f, const struct program *p, const struct plan *plan,
    const char *today, size_t *mails, struct fb_error *err);

/*
 * The earliest time after f->now at which a reminder of p that is owed (its moment in plan is
 * due) but waits for the budget may go: the start of office hours, in the member's zone (else
 * the programme's), of the first day the budget allows (not Saturday or Sunday unless
 * program.weekend_mail), before the measurement closes. Members who are away or bounce are
 * not counted (their reminder waits for their return, not for a time). For the daemon's
 * sleep (schedule_next). *next is that time, or 0 when no reminder waits. 0, or -1 with err.
 */
int measure_next_due(const struct flow *f, const struct program *p, const struct plan *plan,
    time_t *next, struct fb_error *err);

/*
 * When a reminder planned at `at` goes out, in zone tz, by the budget's hours (the same
 * decision the scheduler makes, see above): at itself when it falls within office hours on a
 * day that may have mail, else the start of office hours of the first such day after (a
 * reminder planned on Sunday goes on Monday). What the budget's daily count may add is not
 * known ahead. *goes is 0 when the budget never allows a reminder. 0, or -1 with err.
 */
int measure_reminder_goes(const struct config_program *cp, const char *tz, time_t at,
    time_t *goes, struct fb_error *err);

/*
 * The values a questionnaire template needs to list questions: "title", "first_scale" and
 * "first_open" (numbers for the example), and the list "questions" (number, text, scale or
 * open, and for a scale question "scores": 0..10 each with a mailto: url that answers it:
 * to reply_to, subject "<title> [#token]", body "<number>: <score>"). Questions whose number
 * has answered[number] set are left out (answered may be NULL). For outmail's prepare hook.
 */
struct measure_questions {
	const struct questionnaire *q;
	const unsigned char *answered; /* QUESTIONNAIRE_MAX_NUMBER + 1 flags, or NULL */
};
int measure_prepare(void *arg, const char *reply_to, const char *token,
    struct template_values *v, struct fb_error *err);

/* t as the local date "YYYY-MM-DD" in tz, into out[11]. */
int measure_local_date(const char *tz, time_t t, char out[11], struct fb_error *err);

/*
 * The questionnaire q as the members of team_id get it (questionnaire_for_actions()): its
 * "actions" questions name the team's improvement actions (store_action.h), or are left out
 * when the team has none. Into out (released first). 0, or -1 with err.
 */
int measure_questionnaire_for_team(const struct flow *f, int64_t program_id, int64_t team_id,
    const struct questionnaire *q, struct questionnaire *out, struct fb_error *err);

/*
 * Load the questionnaire of measurement ("baseline", "midterm", "final", "followup") in lang
 * ("nl" or "en"; anything else: nl): from dir/<lang>/questionnaires/<measurement>.txt when dir
 * is set and holds that file, else the built-in copy (overlay.h), parsed by
 * questionnaire_parse(). Errors name the file (and line).
 */
int measure_questionnaire_load(const char *dir, const char *lang, const char *measurement,
    struct questionnaire *out, struct fb_error *err);

#endif
