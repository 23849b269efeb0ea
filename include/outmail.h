/*
 * outmail — every message feedbackd sends to a person is made here: a template rendered with
 * values (template.h), a reply token when an answer is expected (stored in the token table,
 * carried in the Reply-To plus-address, the Message-ID and the subject), a complete MIME
 * message (compose.h), and an outbox row (queue.h) — all inside the caller's transaction, so
 * the mail exists exactly when the change that caused it does.
 *
 * The catalogue of messages (outmail_specs) names every template and the values it may use;
 * the templates are checked against it when loaded.
 */
#ifndef FB_OUTMAIL_H
#define FB_OUTMAIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "compose.h"
#include "fberror.h"
#include "flow.h"
#include "template.h"
#include "token.h"
#include "vocab.h"

extern const struct template_spec outmail_specs[];
extern const size_t outmail_nspecs;

/* One language's templates for specs[0..n): the files read from dir (NULL or "": built-in
 * only; overlay.h) and handed to template_set_load() as bytes. As template_set_load(). */
struct template_set *outmail_template_set_load(const char *dir, const char *lang,
    const struct template_spec *specs, size_t n, struct fb_error *err);

/* The nl and en templates, loaded from dir (NULL or "": built-in only) and checked. NULL with
 * err naming every problem ("FILE:LINE: ..."). Free with outmail_templates_free(). */
struct outmail_templates *outmail_templates_load(const char *dir, struct fb_error *err);
void outmail_templates_free(struct outmail_templates *t);
/* The set for lang ("nl" or "en"; anything else: nl). */
const struct template_set *outmail_templates_for(const struct outmail_templates *t,
    const char *lang);

/* Set value name of v to the date of t in zone tz, as template_set_date() shows it: the year
 * only when it is not now's year in tz. 0, or -1 with err (a bad zone, no memory). */
int outmail_set_date(struct template_values *v, const char *name, const char *tz, time_t t,
    time_t now, struct fb_error *err);

/* What a token in a reply stands for. */
struct outmail_token {
	enum token_purpose purpose; /* stored by its name (vocab.h) */
	int64_t member_id;       /* the person it was sent to (0: a facilitator) */
	int64_t facilitator_id;
	int64_t ref_id;          /* the request, feedback, questionnaire, ... it is about */
};

struct outmail_msg {
	const char *kind;        /* the template's name */
	const struct program *program;
	const char *lang;        /* NULL: the programme's */
	const char *to_addr, *to_name;
	int64_t member_id;       /* for the outbox row; 0 when not a member */
	const struct outmail_token *token; /* NULL: no answer expected, no token */
	const char *in_reply_to; /* the Message-ID we answer, "<...>" */
	int64_t inbox_id;        /* the message that caused this one, 0 when none */
	struct template_values *values; /* "program" is set here when the caller did not */
	const char *signer;      /* who signs it; NULL: the member's facilitator, else the
	                          * coordinator (outmail.c), else nobody: "feedbackd, namens" */
	/* Called once the reply address is known (the token made, nothing rendered yet), to add
	 * values that need it, such as mailto: links that answer with one click. reply_to is the
	 * Reply-To address ("feedback+TOKEN@..."), token the token ("" when m->token is NULL).
	 * NULL: none. 0, or -1 with err (the message is not queued). */
	int (*prepare)(void *arg, const char *reply_to, const char *token,
	    struct template_values *values, struct fb_error *err);
	void *prepare_arg;
	const char *from_addr;   /* NULL: the configuration's from_address; an invite's is its
	                          * ORGANIZER (iMIP: the From of an invite is the organizer) */
	const char *calendar;    /* iCalendar text for compose's text/calendar part, or NULL */
	const char *calendar_method; /* its METHOD ("REQUEST", "CANCEL"); with calendar */
	const struct compose_inline *inlines; /* images in the HTML part (a report's charts) */
	size_t ninlines;
	time_t about_at;         /* the moment it is about (a session's start, a questionnaire's
	                          * close), after which it is no use; 0: none. The mail budget
	                          * (budget.h) defers it no later than that */
	int event_update;        /* 1: an update of a calendar event the member already got (a
	                          * moment moved): like an invitation's update never held by the
	                          * mail budget, unless the event itself still waited deferred
	                          * (then this replaces it and waits as it did) */
	const char *about_uid;   /* the calendar event (UID) it carries, or NULL: a message about
	                          * an event replaces one about it still deferred (budget.h) */
	time_t *goes_at;         /* out, may be NULL: 0 when the message goes now, else when the
	                          * daily cap or the mail budget lets it go (pace.h, budget.h) */
	int64_t *outbox_id;      /* out, may be NULL: the outbox row queued (or replaced); 0
	                          * when none was (a member who left, a replace_id that no
	                          * longer waits) */
	int64_t replace_id;      /* > 0: instead of a new row, this waiting outbox row gets the
	                          * message (queue_outbox_replace: it keeps its place in the
	                          * queue and the daily cap); when it waits no more (sent
	                          * meanwhile) nothing is queued and *outbox_id is 0 */
	struct buf *raw_out;     /* NULL: queue it. Else the composed message is appended here
	                          * and nothing is written to the database (a copy to look at:
	                          * `report progress --out`'s report.eml, `feedbackctl preview`):
	                          * a token is then outmail_example_token(), stored nowhere, and
	                          * the Message-ID and MIME boundaries come from fixed bytes, so
	                          * the copy of the same mail at the same now is the same bytes */
};

/*
 * Render, compose and queue m (with m->raw_out: render and compose only, see there). When
 * m->token is set (and no raw_out) a fresh token is stored (expiring with the programme's follow-up) and written to
 * token_out (may be NULL). The per-recipient daily cap of
 * the configuration applies as a rate (pace.h): the row may be held until the window has room,
 * and *m->goes_at says until when. 0, or -1 with err.
 * Mail to a member (m->member_id) who is no longer active (left the programme) is not queued
 * (0, nothing made), except invite_cancel and moment_cancel: what they were invited to is
 * taken out of their calendar.
 */
int outmail_queue(const struct flow *f, const struct outmail_msg *m,
    char token_out[TOKEN_LEN + 1], struct fb_error *err);

/*
 * Who signs m (its program, member_id, to_addr and signer), appended to out, so a reader finds
 * a person's name under "Met vriendelijke groet," and knows whom to ask: m->signer when the
 * caller knows (the facilitator who asked for a reminder); for a member, the first named
 * facilitator of their team; for anyone else (a facilitator's report, a confirmation, a note
 * to the coordinator), and for a member whose team has no named facilitator, the coordinator
 * ([feedbackd] coordinator_name, for programmes whose coordinator is coordinator_address),
 * unless the mail goes to the coordinator. Nothing when no person is known: the templates then
 * sign "feedbackd, namens" the programme, which is true. outmail_queue() sets "signer" with
 * it; a caller that renders the words of a calendar event first sets it too. 0, or -1 when
 * memory runs out.
 */
int outmail_signer(const struct flow *f, const struct outmail_msg *m, struct buf *out);

/* The outbox priority of a message kind (a template name, or "manual" for `feedbackctl outbox
 * add`): OUTBOX_AUTOMATIC for calendar events, nudges, reminders, questionnaires and reports,
 * OUTBOX_PERSON for everything else (mail between people, answers to someone's mail); what
 * each kind is, is declared once in mailkind.h. */
int outmail_priority(const char *kind);

/* The token a copy (outmail_msg.raw_out) carries instead of a fresh one: always the same,
 * a valid token that is never stored (a reply with it is unknown mail). */
void outmail_example_token(char out[TOKEN_LEN + 1]);

/* A fresh reply token from the kernel's random bytes into out. 0, or -1 with err when the
 * system has no randomness to give. */
int outmail_token_new(char out[TOKEN_LEN + 1], struct fb_error *err);

/*
 * A message's own envelope sender (VERP): a fresh token into token_out and
 * "LOCAL+TOKEN@DOMAIN" of bounce_address ([outgoing] bounce_address) appended to out. Every
 * message queued gets one, stored with its outbox row; a bounce proves it is about our mail by
 * naming it (apply.h). 0, or -1 with err (no randomness, no memory).
 */
int outmail_verp(const char *bounce_address, char token_out[TOKEN_LEN + 1], struct buf *out,
    struct fb_error *err);

/*
 * Look up a token from a reply: 0 and out filled (a purpose this version does not know:
 * PURPOSE_UNKNOWN), 1 when unknown
 * or expired at f->now, -1 on a database error. program_id is set to the token's programme.
 */
int outmail_token_get(const struct flow *f, const char *token, struct outmail_token *out,
    int64_t *program_id, struct fb_error *err);

#endif
