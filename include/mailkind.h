/*
 * mailkind — what each kind of message feedbackd sends is (its X-Feedbackd-Kind, the
 * template's name), declared once in one table (mailkind.c):
 *   - automatic: nobody wrote or asked for it just now; it waits first when the daily cap of an
 *     address is reached (pace.h);
 *   - budgeted: it counts against the member's mail budget per day (budget.h): what the
 *     scheduler sends a member on its own — nudges, questionnaires and their reminders,
 *     calendar events of the programme's moments, session invitations;
 *   - must arrive: budgeted, but sent over the budget rather than after its moment (a session
 *     invitation; the team's picture, which is for its progress session);
 *   - lead: how long before its moment it is wanted, which orders the waiting mail of a
 *     budget (mailbudget.h): an invitation and a calendar event of a moment a week ahead;
 *     a nudge, a questionnaire and a reminder are wanted when they are made.
 *   - changes: it changes an event the member was sent (MAILKIND_UPDATE, a session's update;
 *     MAILKIND_CANCEL, a session's or a moment's cancellation): when the event never went (it
 *     waited for the welcome or the budget), the update takes its place and the cancellation
 *     goes nowhere (budget.h).
 * Never budgeted: mail between people and answers to what a member just did, the welcome (on
 * top of the budget, once), updates and cancellations (time-critical), mail to facilitators
 * and coordinators. A kind not in the table is person mail. Pure.
 */
#ifndef FB_MAILKIND_H
#define FB_MAILKIND_H

/* 1 or 0 for kind (NULL: 0). */
int mailkind_automatic(const char *kind);
int mailkind_budgeted(const char *kind);
int mailkind_must_arrive(const char *kind);

enum mailkind_change { MAILKIND_NEW, MAILKIND_UPDATE, MAILKIND_CANCEL };
enum mailkind_change mailkind_changes(const char *kind);

/* The lead of kind in seconds, or MAILKIND_AT_ONCE (also for kinds not in the table). */
#define MAILKIND_AT_ONCE (-1L)
long mailkind_lead(const char *kind);

#endif
