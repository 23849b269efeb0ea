/*
 * apply_session — answers to session invitations: an iTIP REPLY from a calendar program sets
 * that attendee's PARTSTAT (accepted, declined, tentative). Never answered by mail.
 *
 * What a REPLY must be to count (anything else is kept with the reason, not applied):
 *   - its UID is one of our sessions, not cancelled (a questionnaire moment's calendar item
 *     is recognised and ignored: nothing to record);
 *   - it names (ATTENDEE) an address we invited to that session and did not take off it;
 *   - it comes from that address, or from another address of the same member (unless the
 *     configuration's sender_must_match is off, or the coordinator vouches for it) — otherwise
 *     it is quarantined, as a reply to a token from a stranger is;
 *   - its SEQUENCE is not older than the session's current one (a reply to the time before a
 *     move says nothing about the new time) nor than the answer recorded for the current
 *     version (a move clears it); a REPLY without SEQUENCE answers the current version
 *     (Outlook leaves it out at 0). SEQUENCE is read as 64-bit (itip_read), so Google's
 *     13-digit values compare right;
 *   - PARTSTAT is ACCEPTED, DECLINED or TENTATIVE.
 * No ORGANIZER is required (Outlook sends none) and no restriction check is made.
 * A COUNTER (a proposal for another time) is kept and explained: the coordinator decides and
 * moves the session with feedbackctl.
 */
#include <string.h>

#include "apply_int.h"
#include "store_calendar.h"
#include "store_session.h"
#include "vocab.h"
#include "banned.h"

static int
counted(const char *partstat)
{
	return strcmp(partstat, "ACCEPTED") == 0 || strcmp(partstat, "DECLINED") == 0 ||
	    strcmp(partstat, "TENTATIVE") == 0;
}

/* May this sender answer for attendee a? 1 yes, 0 no, -1 error. */
static int
sender_may_answer(struct ctx *c, const struct session_attendee *a)
{
	if (c->flags & APPLY_TRUST_SENDER || !c->f->cfg->security.sender_must_match)
		return 1;
	if (strcmp(c->sender, a->address) == 0)
		return 1;
	if (a->member_id > 0)
		return store_member_has_address(c->f->db, a->member_id, c->sender, c->err);
	return 0;
}

/* The first ATTENDEE of the reply that we invited: 0 and out filled, 1 when none. */
static int
invited_attendee(struct ctx *c, const struct session *s, struct session_attendee *out,
    const struct itip_attendee **which)
{
	const struct itip_info *it = &c->cls.itip;

	for (size_t i = 0; i < it->nattendees; i++) {
		int rc = store_attendee_find(c->f->db, s->id, it->attendees[i].address, out, c->err);

		if (rc <= 0) {
			*which = &it->attendees[i];
			return rc;
		}
	}
	return 1;
}

static int
on_session_reply(struct ctx *c, const struct session *s)
{
	const struct itip_info *it = &c->cls.itip;
	const struct itip_attendee *ia = NULL;
	struct session_attendee a;
	int64_t seq;
	int rc;

	if (session_status_from_name(s->status) == SESSION_CANCELLED) {
		apply_set(c, INBOX_IGNORED, "calendar reply from %s for session %lld (%s), which is "
		    "cancelled", c->sender, (long long)s->id, s->kind);
		return 0;
	}
	if ((rc = invited_attendee(c, s, &a, &ia)) < 0)
		return -1;
	if (rc == 1) {
		apply_set(c, INBOX_IGNORED, "calendar reply from %s for session %lld (%s) names no "
		    "address we invited%s%s", c->sender, (long long)s->id, s->kind,
		    it->nattendees > 0 ? ": " : " (no ATTENDEE)",
		    it->nattendees > 0 ? it->attendees[0].address : "");
		return 0;
	}
	c->member_id = a.member_id;
	if (a.removed) {
		apply_set(c, INBOX_IGNORED, "calendar reply from %s for session %lld (%s): %s was "
		    "taken off the session", c->sender, (long long)s->id, s->kind, a.address);
		goto done;
	}
	if ((rc = sender_may_answer(c, &a)) < 0)
		goto fail;
	if (rc == 0) {
		apply_set(c, INBOX_QUARANTINED, "calendar reply for %s (session %lld) sent from %s: held "
		    "for the coordinator (feedbackctl quarantine apply %lld)", a.address,
		    (long long)s->id, c->sender, (long long)c->inbox_id);
		goto done;
	}
	if (!counted(ia->partstat)) {
		apply_set(c, INBOX_IGNORED, "calendar reply from %s for session %lld (%s) says %s, which "
		    "is not accepted, declined or tentative", a.address, (long long)s->id, s->kind,
		    ia->partstat);
		goto done;
	}
	seq = it->has_sequence ? it->sequence : s->sequence;
	if (seq < s->sequence) {
		apply_set(c, INBOX_IGNORED, "calendar reply from %s for session %lld (%s) answers "
		    "SEQUENCE %lld; the session changed since (SEQUENCE %lld): stale, not counted",
		    a.address, (long long)s->id, s->kind, (long long)seq, (long long)s->sequence);
		goto done;
	}
	/* Only an answer that still stands (one to the current version: a move resets everyone
	 * to NEEDS-ACTION) can make a reply look old. Otherwise one reply with a SEQUENCE above
	 * any we sent (e.g. 4294967297) would refuse every later, honest answer of that attendee
	 * to every later version (found by t0620). */
	if (a.has_reply && counted(a.partstat) && seq < a.reply_sequence) {
		apply_set(c, INBOX_IGNORED, "calendar reply from %s for session %lld (%s) carries "
		    "SEQUENCE %lld, older than the answer already recorded (%lld): stale",
		    a.address, (long long)s->id, s->kind, (long long)seq,
		    (long long)a.reply_sequence);
		goto done;
	}
	if (store_attendee_reply(c->f->db, a.id, ia->partstat, seq, c->f->now, c->err) < 0)
		goto fail;
	apply_set(c, INBOX_APPLIED, "%s: %s for session %lld (%s)%s%s", a.address, ia->partstat,
	    (long long)s->id, s->kind, ia->comment ? ", comment: " : "",
	    ia->comment ? ia->comment : "");
done:
	store_attendee_release(&a);
	return 0;
fail:
	store_attendee_release(&a);
	return -1;
}

/* A UID that is no session: one of our questionnaire moments' calendar items (invite.h), whose
 * answers mean nothing (the questionnaire itself comes by mail), or unknown. Kept either way. */
static int
on_other_uid(struct ctx *c, const char *method)
{
	struct calendar_item ci;
	int rc = store_calendar_by_uid(c->f->db, c->cls.itip.uid, &ci, c->err);

	if (rc < 0)
		return -1;
	if (rc == 1) {
		apply_set(c, INBOX_IGNORED, "calendar %s from %s for UID %s, which is none of our "
		    "sessions: kept, not applied", method, c->sender, c->cls.itip.uid);
		return 0;
	}
	c->program_id = ci.program_id;
	c->member_id = ci.member_id;
	apply_set(c, INBOX_IGNORED, "calendar %s from %s for the calendar item %s of member %lld: "
	    "nothing to record (the questionnaire comes by mail)", method, c->sender,
	    ci.moment_key, (long long)ci.member_id);
	store_calendar_release(&ci);
	return 0;
}

int
apply_itip(struct ctx *c)
{
	const struct itip_info *it = &c->cls.itip;
	const char *method = it->method != NULL ? it->method : "message";
	struct session s;
	int rc;

	if (c->sender == NULL) {
		apply_set(c, INBOX_IGNORED, "calendar %s without a usable sender address", method);
		return 0;
	}
	if (it->uid == NULL) {
		apply_set(c, INBOX_IGNORED, "calendar %s from %s without a UID", method, c->sender);
		return 0;
	}
	if ((rc = store_session_by_uid(c->f->db, it->uid, &s, c->err)) < 0)
		return -1;
	if (rc == 1)
		return on_other_uid(c, method);
	c->program_id = s.program_id;
	if (strcmp(method, "REPLY") == 0) {
		rc = on_session_reply(c, &s);
	} else if (strcmp(method, "COUNTER") == 0) {
		apply_set(c, INBOX_IGNORED, "calendar COUNTER from %s for session %lld (%s): a proposal "
		    "for another time is not applied; kept for the coordinator (feedbackctl "
		    "session move %lld --at ...)", c->sender, (long long)s.id, s.kind,
		    (long long)s.id);
		rc = 0;
	} else {
		apply_set(c, INBOX_IGNORED, "calendar %s from %s for session %lld (%s): only replies "
		    "are read", method, c->sender, (long long)s.id, s.kind);
		rc = 0;
	}
	store_session_release(&s);
	return rc;
}

/* Someone answered the invitation by writing a mail instead of pressing a calendar button: it
 * is not an answer we can count, and not a feedback request either. Kept, for the coordinator
 * to read in `feedbackctl inbox list`. */
int
apply_session_mail(struct ctx *c, int64_t session_id)
{
	apply_set(c, INBOX_IGNORED, "a mail from %s in reply to the invitation to session %lld: "
	    "not counted as an answer (only calendar answers are); kept for the coordinator",
	    c->sender, (long long)session_id);
	return 0;
}
