/*
 * ctl_program_edit — feedbackctl program edit | pause | resume | end: plans that change.
 *
 * Every change is previewed first: which moments of the plan move (old and new local date and
 * time) or are left out, how many calendar events get an update or a cancel, which sessions
 * are cancelled, and a warning for a coordinator's session that falls inside a pause (sessions
 * are dated events: they are not moved, `session move` does that). Without --yes nothing
 * changes (exit 0); with --yes the change and the calendar messages it causes are written in one
 * transaction. The daemon's next pass then acts on the new timeline: moment keys stay the same,
 * so what was done is not done again and what was not happens at its new time.
 *
 * argv[0] is the subcommand ("edit", ...). Exit status as ctl.h.
 */
#ifndef FB_CTL_PROGRAM_EDIT_H
#define FB_CTL_PROGRAM_EDIT_H

#include "ctl.h"

extern const char ctl_program_edit_usage[];

int ctl_program_edit(struct ctl *c, int argc, char **argv);
int ctl_program_pause(struct ctl *c, int argc, char **argv);
int ctl_program_resume(struct ctl *c, int argc, char **argv);
int ctl_program_end(struct ctl *c, int argc, char **argv);

/*
 * The programme's state at c->now for program list/show: "planned", "week N", "paused, resumes
 * YYYY-MM-DD", "weeks over" (the follow-up may still come), "ended YYYY-MM-DD" (ended early).
 */
void ctl_program_state(struct ctl *c, const struct program *p, char *out, size_t n);

#endif
