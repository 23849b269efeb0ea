/*
 * feedback_mail — feedback to its receiver, first or corrected. See include/feedback_mail.h.
 */
#include <stdio.h>

#include "feedback_mail.h"
#include "outmail.h"
#include "banned.h"

int
feedback_mail_receiver(const struct flow *f, const struct feedback_mail *m,
    struct fb_error *err)
{
	const struct member *to = m->receiver;
	const struct feedback_row *fb = m->fb;
	struct template_values *v = template_values_new();
	struct outmail_token t = { PURPOSE_RECEIVED, to->id, 0, fb->id };
	struct outmail_msg msg = {
		.kind = m->kind, .program = m->p, .lang = to->language, .to_addr = to->address,
		.to_name = to->name, .member_id = to->id, .token = &t, .inbox_id = m->inbox_id,
		.values = v, .outbox_id = m->outbox_id, .replace_id = m->replace_id,
		.raw_out = m->raw_out,
	};
	int rc;

	if (v == NULL)
		return fb_error_set(err, "out of memory");
	if (template_set(v, "name", to->name) < 0 || template_set(v, "giver", m->giver) < 0 ||
	    template_set(v, "topic", fb->topic) < 0 ||
	    template_set(v, "followup", fb->is_followup ? "1" : NULL) < 0 ||
	    template_set(v, "confirmation", fb->confirmation) < 0 ||
	    template_set(v, "critique", fb->critique) < 0 ||
	    template_set(v, "suggestion", fb->suggestion) < 0)
		rc = fb_error_set(err, "out of memory");
	else
		rc = outmail_queue(f, &msg, NULL, err);
	template_values_free(v);
	return rc;
}

int
feedback_mail_preview_corrected(const struct flow *f, const struct program *p,
    const struct member *receiver, struct buf *raw_out, struct fb_error *err)
{
	struct feedback_row fb;
	struct member giver;
	char spec[24];
	int64_t id;
	int rc = store_feedback_latest_received(f->db, receiver->id, &id, err);

	if (rc != 0)
		return rc < 0 ? -1 : fb_error_set(err, "%s has received no feedback yet: the "
		    "corrected mail shows feedback they received, as its giver corrected it",
		    receiver->name);
	if (store_feedback_get(f->db, id, &fb, err) < 0)
		return -1;
	snprintf(spec, sizeof(spec), "%lld", (long long)fb.giver_id);
	if ((rc = store_member_find(f->db, p->id, 0, spec, &giver, err)) == 0) {
		struct feedback_mail m = {
			.kind = "feedback_corrected", .p = p, .fb = &fb, .giver = giver.name,
			.receiver = receiver, .raw_out = raw_out,
		};
		rc = feedback_mail_receiver(f, &m, err);
		store_member_release(&giver);
	}
	store_feedback_release(&fb);
	return rc;
}
