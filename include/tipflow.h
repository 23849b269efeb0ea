/*
 * tipflow — the weekly nudge's tip, in the flow: the tips files read (built in, or the
 * configuration's tips_dir over them, language by language), the member's figures read from
 * the store, the tip chosen by tips_choose() (tips.h), recorded in member_tip and set as the
 * nudge's {{tip}} — in the caller's transaction, so the record exists exactly when the nudge
 * does and a restart never gives a tip twice.
 */
#ifndef FB_TIPFLOW_H
#define FB_TIPFLOW_H

#include "fberror.h"
#include "flow.h"
#include "template.h"
#include "tips.h"

struct tipflow_tips {
	struct tip_set nl, en;
};
#define TIPFLOW_TIPS_INIT { TIP_SET_INIT, TIP_SET_INIT }

/*
 * The tips of nl and en into out (released first; release with tipflow_release(), also after a
 * failure): dir/<lang>/tips.txt when dir (NULL or "": none) holds it, else the built-in
 * mail-templates/tips/<lang>/tips.txt. -1 with err ("FILE:LINE: ...") when a file is malformed
 * or unreadable, or when dir is set but holds neither language's file (a setting that would do
 * nothing).
 */
int tipflow_load(const char *dir, struct tipflow_tips *out, struct fb_error *err);
void tipflow_release(struct tipflow_tips *t);

/* The set for lang ("en"; anything else: nl), as outmail_templates_for(). */
const struct tip_set *tipflow_for(const struct tipflow_tips *t, const char *lang);

/*
 * Set "tip" in v for member m's nudge of week: the tip already recorded for that week (a nudge
 * made again), else one chosen from the member's figures over weeks 1..week and, when record
 * is set, recorded (a preview chooses the same tip and records nothing). The
 * tips are f->tips, or when NULL read from f->cfg's tips_dir for this call. No tip is left
 * (every one given): "tip" stays unset and the nudge goes without. 0, or -1 with err.
 */
int tipflow_nudge(const struct flow *f, const struct program *p, const struct member *m,
    int week, int record, struct template_values *v, struct fb_error *err);

#endif
