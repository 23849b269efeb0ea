/*
 * flow — what the flow modules (outmail, apply, schedule) share: the database, the
 * configuration, the loaded templates and "now". One struct flow lives for one daemon pass or
 * one feedbackctl command; nothing in it reads the clock.
 */
#ifndef FB_FLOW_H
#define FB_FLOW_H

#include <stdint.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "fberror.h"
#include "plan.h"
#include "store.h"

struct outmail_templates;
struct trim_rules;
struct report_rules;
struct classify_rules;
struct tipflow_tips;

struct flow {
	struct db *db;
	const struct config *cfg;
	const struct outmail_templates *tpl;
	time_t now;
	const struct trim_rules *trim;  /* trim's compiled patterns, made once (trim_rules_new) by
					 * whoever applies replies; NULL where nothing is applied */
	const struct classify_rules *classify; /* the bounce tables, made once
					 * (classify_rules_new); NULL: compiled per message that
					 * may be a notice (tests) */
	const struct tipflow_tips *tips; /* the nudges' tips, read once (tipflow_load()) by
					 * whoever schedules; NULL: read per nudge from cfg */
};

/* The configuration's [program] defaults as plan settings (tz and weeks left to
 * progplan_settings()). */
void flow_plan_defaults(const struct config *cfg, struct plan_settings *s);

/* The lagging rule's thresholds from the configuration's [lagging] section. */
void flow_report_rules(const struct config *cfg, struct report_rules *out);

/* The programme's timeline (sessions included) into out (release with plan_release()). */
int flow_plan(const struct flow *f, const struct program *p, struct plan *out,
    struct fb_error *err);

/* The programme's stored pauses as the plan takes them (plan.h "Pauses"), by from date:
 * *out malloc'd (caller frees; NULL when *n is 0). */
int flow_pauses(const struct flow *f, const struct program *p, struct plan_pause **out,
    size_t *n, struct fb_error *err);

/* flow_plan() with the given pauses instead of the stored ones (a preview of a change). */
int flow_plan_with(const struct flow *f, const struct program *p,
    const struct plan_pause *pauses, size_t npauses, struct plan *out, struct fb_error *err);

/* The programme week of f->now (0 before the start, > weeks after the end); -1 on error. */
int flow_week(const struct flow *f, const struct program *p, struct fb_error *err);

/* The local date of f->now in the programme's zone, "YYYY-MM-DD" into out[11]. */
int flow_today(const struct flow *f, const struct program *p, char out[11],
    struct fb_error *err);

/* The language and the zone a member reads their mail in: their own, else the programme's
 * (m may be NULL: the programme's, as for a facilitator). Pointers into m or p. */
const char *flow_member_language(const struct program *p, const struct member *m);
const char *flow_member_zone(const struct program *p, const struct member *m);

#endif
