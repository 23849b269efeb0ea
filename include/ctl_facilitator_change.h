/*
 * ctl_facilitator_change — feedbackctl facilitator remove | replace: a team's facilitator
 * leaves (and someone else takes over).
 *
 * FACILITATOR is matched among the team's facilitators as members are (match.h: address, full
 * name, first name, unique start, case and accents ignored); ambiguous or only near: the
 * candidates are named and nothing happens. The preview says who stops and who starts getting
 * the team's weekly reports, which upcoming sessions send a cancellation to the one who leaves
 * and an invitation to the one who comes, and warns when the team is left without a
 * facilitator (its weekly report would go nowhere). --yes applies it in one transaction.
 * argv[0] is the subcommand. Exit status as ctl.h.
 */
#ifndef FB_CTL_FACILITATOR_CHANGE_H
#define FB_CTL_FACILITATOR_CHANGE_H

#include "ctl.h"

extern const char ctl_facilitator_change_usage[];

int ctl_facilitator_remove(struct ctl *c, int argc, char **argv);
int ctl_facilitator_replace(struct ctl *c, int argc, char **argv);

#endif
