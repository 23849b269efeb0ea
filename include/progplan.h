/*
 * progplan — a programme's plan settings: the configuration's [program] defaults with the
 * programme's own values (weeks, zone) on top. Pure; shared by feedbackctl plan and the
 * daemon's scheduler so both see the same timeline.
 */
#ifndef FB_PROGPLAN_H
#define FB_PROGPLAN_H

#include "config.h"
#include "plan.h"
#include "store.h"

/* Fill s; its tz points into p, so p must outlive s. */
void progplan_settings(const struct config *cfg, const struct program *p,
    struct plan_settings *s);

#endif
