/*
 * progplan — plan settings of a programme. See include/progplan.h.
 */
#include <stddef.h>

#include "progplan.h"
#include "banned.h"

void
progplan_settings(const struct plan_settings *defaults, const struct program *p,
    struct plan_settings *s)
{
	*s = *defaults;
	s->tz = p->timezone;
	s->weeks = p->weeks;
	s->ended_at = p->ended_at;
}
