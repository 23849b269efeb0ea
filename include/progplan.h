/*
 * progplan — a programme's plan settings: the configuration's [program] defaults (as plan
 * settings, made by the shell: flow_plan_defaults() in flow.h) with the programme's own values
 * (weeks, zone, an early end) on top; its pauses are the shell's to add (flow_plan()). Pure; shared by feedbackctl plan and the daemon's scheduler so both see
 * the same timeline.
 */
#ifndef FB_PROGPLAN_H
#define FB_PROGPLAN_H

#include "domain.h"
#include "plan.h"

/* Fill s from defaults and p; its tz points into p, so p must outlive s. */
void progplan_settings(const struct plan_settings *defaults, const struct program *p,
    struct plan_settings *s);

#endif
