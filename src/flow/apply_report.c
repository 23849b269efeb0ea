/*
 * apply_report — a facilitator's reply to the weekly report: the anonymous quality ratings
 * ("F12: 4") are stored (store_report.h) and confirmed. The sender must be the facilitator's
 * address; anything else is quarantined like a member's reply from a stranger.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "apply_int.h"
#include "store_report.h"
#include "template.h"
#include "banned.h"

int
apply_report_reply(struct ctx *c, int64_t facilitator_id)
{
	struct facilitator_list fl = { 0 };
	const struct facilitator *fac = NULL;
	struct buf summary = BUF_INIT;
	struct template_values *v = NULL;
	int n, rc = -1;

	if (store_facilitator_list(c->f->db, c->program.id, 0, &fl, c->err) < 0)
		return -1;
	for (size_t i = 0; i < fl.n; i++)
		if (fl.v[i].id == facilitator_id)
			fac = &fl.v[i];
	if (fac == NULL) {
		apply_set(c, "ignored", "a reply to a weekly report of a facilitator who is no "
		    "longer named");
		rc = 0;
		goto out;
	}
	if (!(c->flags & APPLY_TRUST_SENDER) && c->f->cfg->security.sender_must_match &&
	    strcasecmp(fac->address, c->sender) != 0) {
		apply_set(c, "quarantined", "sent from %s, but the weekly report it answers went to "
		    "%s: held for the coordinator", c->sender, fac->address);
		rc = 0;
		goto out;
	}
	if (c->fields.nratings == 0) {
		apply_set(c, "ignored", "a reply to the weekly report without ratings (\"F12: 4\")");
		rc = 0;
		goto out;
	}
	if ((n = report_ratings_apply(c->f->db, fac->id, &c->fields, c->f->now, &summary,
	    c->err)) < 0)
		goto out;
	if ((v = template_values_new()) == NULL || template_set(v, "summary", summary.data) < 0) {
		fb_error_set(c->err, "out of memory");
		goto out;
	}
	if (apply_may_answer(c) > 0) {
		struct outmail_token t = { "report", 0, fac->id, 0 };
		struct outmail_msg m = {
			.kind = "ratings_received", .program = &c->program, .to_addr = fac->address,
			.to_name = fac->name, .token = &t, .in_reply_to = c->msg->message_id,
			.inbox_id = c->inbox_id, .values = v,
		};

		if (template_set(v, "name", fac->name ? fac->name : "") < 0 ||
		    outmail_queue(c->f, &m, NULL, c->err) < 0)
			goto out;
	}
	apply_set(c, "applied", "%d rating%s of %s recorded", n, n == 1 ? "" : "s", fac->address);
	rc = 0;
out:
	template_values_free(v);
	buf_release(&summary);
	store_facilitator_list_release(&fl);
	return rc;
}
