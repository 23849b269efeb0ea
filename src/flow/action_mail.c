/*
 * action_mail — the improvement actions' confirmation as a copy. See include/action_mail.h.
 */
#include <string.h>

#include "action_mail.h"
#include "outmail.h"
#include "store_action.h"
#include "template.h"
#include "vocab.h"
#include "banned.h"

int
action_mail_preview(const struct flow *f, const struct program *p,
    const struct facilitator *fac, struct buf *eml, struct fb_error *err)
{
	struct store_action_list l = { 0 };
	struct template_values *v = NULL;
	int rc = -1, evaluation = 0;

	if (store_action_list(f->db, p->id, fac->team_id, &l, err) < 0)
		return -1;
	if (l.n == 0) {
		fb_error_set(err, "team %s has no improvement actions yet: the confirmation lists "
		    "those a reply to the progress or evaluation report records (feedbackctl report "
		    "actions)", fac->team_name);
		goto out;
	}
	if ((v = template_values_new()) == NULL)
		goto oom;
	for (size_t i = 0; i < l.n; i++) {
		struct template_values *it = template_add_item(v, l.v[i].quadrant);

		if (it == NULL || template_set(it, "text", l.v[i].text) < 0)
			goto oom;
		evaluation |= strcmp(l.v[i].report, "evaluation") == 0;
	}
	if (template_set(v, "name", fac->name ? fac->name : "") < 0 ||
	    template_set(v, "team", fac->team_name) < 0 ||
	    template_set(v, evaluation ? "evaluation" : "progress", "1") < 0)
		goto oom;
	struct outmail_token t = { evaluation ? PURPOSE_EVALUATION_REPORT : PURPOSE_PROGRESS_REPORT,
	    0, fac->id, fac->team_id };
	struct outmail_msg m = {
		.kind = "actions_received", .program = p, .to_addr = fac->address,
		.to_name = fac->name, .token = &t, .values = v, .raw_out = eml,
	};
	rc = outmail_queue(f, &m, NULL, err);
	goto out;
oom:
	fb_error_set(err, "out of memory");
out:
	template_values_free(v);
	store_action_list_release(&l);
	return rc;
}
