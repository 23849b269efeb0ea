/*
 * envelope — header fields for listings. See include/envelope.h.
 */
#include <libetpan/libetpan.h>

#include "envelope.h"
#include "banned.h"

int
envelope_read(const char *raw, size_t len, struct buf *msgid, struct buf *from,
    struct buf *subject)
{
	struct mailimf_fields *f = NULL;
	size_t idx = 0;
	clistiter *it;

	if (mailimf_envelope_fields_parse(raw, len, &idx, &f) != MAILIMF_NO_ERROR)
		return -1;
	for (it = clist_begin(f->fld_list); it != NULL; it = clist_next(it)) {
		struct mailimf_field *fld = clist_content(it);

		if (fld->fld_type == MAILIMF_FIELD_MESSAGE_ID && msgid->len == 0 &&
		    fld->fld_data.fld_message_id->mid_value != NULL)
			buf_puts(msgid, fld->fld_data.fld_message_id->mid_value);
		else if (fld->fld_type == MAILIMF_FIELD_FROM && from != NULL && from->len == 0) {
			clist *l = fld->fld_data.fld_from->frm_mb_list->mb_list;
			struct mailimf_mailbox *mb = clist_begin(l) ? clist_content(clist_begin(l)) : NULL;

			if (mb != NULL && mb->mb_addr_spec != NULL)
				buf_puts(from, mb->mb_addr_spec);
		} else if (fld->fld_type == MAILIMF_FIELD_SUBJECT && subject != NULL &&
		    subject->len == 0 &&
		    fld->fld_data.fld_subject->sbj_value != NULL) {
			buf_puts(subject, fld->fld_data.fld_subject->sbj_value);
		}
	}
	mailimf_fields_free(f);
	if (buf_failed(msgid) || (from != NULL && buf_failed(from)) ||
	    (subject != NULL && buf_failed(subject)))
		return -1; /* out of memory: nothing half read is used */
	if (msgid->len > 995)
		buf_truncate(msgid, 995);
	if (subject != NULL && subject->len > 200)
		buf_truncate(subject, 200);
	return 0;
}

