/*
 * membership — leaving a programme and changing address: mail and invitations. See
 * include/membership.h.
 */
#include <stdlib.h>
#include <string.h>

#include "invite.h"
#include "membership.h"
#include "vocab.h"
#include "banned.h"

int
membership_sessions_ahead(const struct flow *f, const struct program *p, int64_t team_id,
    struct session_list *out, struct fb_error *err)
{
	struct session_list all = { 0 };
	size_t n = 0;

	if (store_session_list(f->db, p->id, &all, err) < 0)
		return -1;
	/* Keep the sessions ahead in place, release the others. */
	for (size_t i = 0; i < all.n; i++) {
		struct session *s = &all.v[i];

		if (session_status_from_name(s->status) == SESSION_CONFIRMED &&
		    s->starts_at > f->now &&
		    (s->team_id == 0 || s->team_id == team_id)) {
			if (n != i)
				all.v[n] = *s;
			n++;
		} else {
			store_session_release(s);
		}
	}
	all.n = n;
	*out = all;
	return 0;
}

int
membership_sync_sessions(const struct flow *f, const struct program *p, int64_t team_id,
    size_t *mails, struct fb_error *err)
{
	struct session_list l = { 0 };
	int rc = 0;

	if (membership_sessions_ahead(f, p, team_id, &l, err) < 0)
		return -1;
	for (size_t i = 0; i < l.n && rc == 0; i++)
		rc = invite_sync(f, p, l.v[i].id, mails, err);
	store_session_list_release(&l);
	return rc;
}

int
membership_leave(const struct flow *f, const struct program *p, const struct member *m,
    size_t *mails, size_t *stopped, struct fb_error *err)
{
	/* Left first: invite_sync then sees them out of the team and sends their CANCEL, and
	 * the mail it stopped is the mail that was waiting, not the cancellations. */
	int n = store_member_leave(f->db, m->id, f->now, err);

	if (n < 0)
		return -1;
	*stopped = (size_t)n;
	return membership_sync_sessions(f, p, m->team_id, mails, err);
}
