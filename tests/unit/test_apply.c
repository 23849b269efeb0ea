/*
 * Unit tests of apply's decisions (src/flow/apply*.c) with an explicit clock: each case sets up
 * a team of five in a fresh database, sends the mail a reply answers (so its token is real),
 * drops one inbound message into the inbox, runs apply_pending, and checks what became of the
 * message, which mail was queued to whom, and the counts a facilitator sees. Then sequences:
 * a correction reaches the receiver (rewriting the waiting mail, or as "corrected feedback").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "apply.h"
#include "config.h"
#include "db.h"
#include "fbtime.h"
#include "mailflow.h"
#include "message.h"
#include "outmail.h"
#include "queue.h"
#include "store.h"
#include "store_feedback.h"
#include "testlib.h"
#include "trim.h"

/* Tuesday of week 1, 10:00 in Amsterdam. */
#define NOW "2027-01-05T10:00"

enum setup {
	NONE,           /* new mail, no token */
	NUDGE_JAN,      /* the weekly nudge to Jan (token "ask") */
	REQUEST_PIET,   /* Jan asked Piet (token "request" to Piet) */
	ANSWERED_PIET,  /* ... and Piet already answered once */
	RECEIVED_JAN,   /* Piet's feedback, received by Jan (token "received" to Jan) */
	REACTED_JAN,    /* ... and Jan already reacted once */
	RECEIPT_PIET,   /* Piet's receipt of that feedback (token "receipt" to Piet) */
	BAD_TOKEN,      /* a well-formed token we never issued */
};

struct acase {
	const char *name;
	enum setup setup;
	const char *from;
	const char *headers;    /* extra header lines, each ending in \n */
	const char *body;
	const char *state;      /* the inbox state after apply */
	const char *reason;     /* a substring of the reason */
	const char *mail;       /* queued by the message: "kind>local-part ..." in order */
	const char *counts;     /* "Name given/received/requested ..." (totals, week 1) */
	int cap;                /* answers_per_sender_per_hour; 0: the default */
};

#define JAN "Jan de Vries <jan.de.vries@example.nl>"
#define PIET "Piet Jansen <piet.jansen@example.nl>"
#define BKC "Bevestiging: je opening was helder.\nKritiek: de conclusie ontbrak.\n" \
	"Constructief: eindig met een samenvatting.\n"

static const struct acase cases[] = {
	{ "test_apply_nudge_reply_asks_two_colleagues", NUDGE_JAN, JAN, "",
	    "Vraag feedback aan: Piet Jansen, Jeroen Meijer\nOver: mijn presentatie\n\nGroet, Jan\n",
	    "applied", "asked 2 colleagues", "request>piet.jansen request>jeroen.meijer "
	    "request_sent>jan.de.vries", "Jan 0/0/2 Piet 0/0/0", 0 },
	{ "test_apply_ask_typo_is_matched_and_reported", NUDGE_JAN, JAN, "",
	    "Vraag feedback aan: Piet Jansne\n", "applied", "asked 1 colleague",
	    "request>piet.jansen request_sent>jan.de.vries", "Jan 0/0/1", 0 },
	{ "test_apply_ask_colleague_twice_asks_once", NUDGE_JAN, JAN, "",
	    "Ask: Piet Jansen, piet.jansen@example.nl\n", "applied", "asked 1 colleague",
	    "request>piet.jansen request_sent>jan.de.vries", "Jan 0/0/1", 0 },
	{ "test_apply_ask_someone_of_another_team_is_who_did_you_mean", NUDGE_JAN, JAN, "",
	    "Vraag feedback aan: Klaas Vaak\n", "applied", "no name could be placed",
	    "who>jan.de.vries", "Jan 0/0/0", 0 },
	{ "test_apply_ask_yourself_is_refused", NUDGE_JAN, JAN, "",
	    "Vraag feedback aan: Jan de Vries\n", "applied", "no name could be placed",
	    "who>jan.de.vries", "Jan 0/0/0", 0 },
	{ "test_apply_ask_by_new_mail_without_token", NONE, JAN, "",
	    "Vraag feedback aan: Anna\nOver: planning\n", "applied", "asked 1 colleague",
	    "request>anna.bakker request_sent>jan.de.vries", "Jan 0/0/1", 0 },
	{ "test_apply_nudge_reply_without_fields_gets_the_form", NUDGE_JAN, JAN, "",
	    "Hoi, ik heb deze week geen tijd.\n", "applied", "answered with the form",
	    "unreadable>jan.de.vries", "Jan 0/0/0", 0 },
	{ "test_apply_give_feedback_counts_once_and_forwards", REQUEST_PIET, PIET, "", BKC,
	    "applied", "feedback from Piet Jansen to Jan de Vries",
	    "feedback_received>jan.de.vries feedback_receipt>piet.jansen",
	    "Piet 1/0/0 Jan 0/1/1", 0 },
	{ "test_apply_second_answer_is_a_followup_not_counted", ANSWERED_PIET, PIET, "", BKC,
	    "applied", "not counted again",
	    "feedback_received>jan.de.vries feedback_receipt>piet.jansen",
	    "Piet 1/0/0 Jan 0/1/1", 0 },
	{ "test_apply_give_without_parts_gets_the_form", REQUEST_PIET, PIET, "",
	    "Goed gedaan!\n", "applied", "without any of the three parts",
	    "unreadable>piet.jansen", "Piet 0/0/0 Jan 0/0/1", 0 },
	{ "test_apply_give_one_part_is_enough", REQUEST_PIET, PIET, "",
	    "Constructief: oefen de opening hardop.\n", "applied", "feedback from Piet",
	    "feedback_received>jan.de.vries feedback_receipt>piet.jansen", "Piet 1/0/0", 0 },
	{ "test_apply_reply_from_a_stranger_is_quarantined", REQUEST_PIET,
	    "Mallory <mallory@evil.example>", "", BKC, "quarantined",
	    "sent from mallory@evil.example, but the message it answers went to Piet Jansen",
	    "", "Piet 0/0/0 Jan 0/0/1", 0 },
	{ "test_apply_reply_from_a_second_address_of_the_member", REQUEST_PIET,
	    "Piet <p.jansen@home.example>", "", BKC, "applied", "feedback from Piet",
	    "feedback_received>jan.de.vries feedback_receipt>piet.jansen", "Piet 1/0/0", 0 },
	{ "test_apply_out_of_office_changes_nothing_and_is_not_answered", REQUEST_PIET, PIET,
	    "Auto-Submitted: auto-replied\n", "Ik ben afwezig tot en met 1 februari 2027.\n",
	    "applied", "out-of-office: Piet Jansen away until 2027-02-01", "",
	    "Piet 0/0/0 Jan 0/0/1", 0 },
	{ "test_apply_unsolicited_feedback", NONE, JAN, "",
	    "Feedback voor: Piet Jansen\n" BKC, "applied", "(unsolicited)",
	    "feedback_received>piet.jansen feedback_receipt>jan.de.vries", "Jan 1/0/0 Piet 0/1/0", 0 },
	{ "test_apply_unsolicited_feedback_without_parts", NONE, JAN, "",
	    "Feedback voor: Piet Jansen\n", "applied", "without any of the three parts",
	    "unreadable>jan.de.vries", "Jan 0/0/0 Piet 0/0/0", 0 },
	{ "test_apply_mail_from_a_non_member_is_quarantined_unanswered", NONE,
	    "Someone <someone@example.com>", "", "Vraag feedback aan: Piet\n", "quarantined",
	    "not a member of any programme", "", "Piet 0/0/0", 0 },
	{ "test_apply_reaction_is_passed_to_the_giver", RECEIVED_JAN, JAN, "",
	    "Dank je Piet, ik ga de samenvatting oefenen.\n", "applied",
	    "reaction of Jan de Vries passed on to Piet Jansen", "reaction>piet.jansen", "", 0 },
	{ "test_apply_second_reaction_is_kept_not_passed_on", REACTED_JAN, JAN, "",
	    "Nog een bedankje.\n", "applied", "not passed on", "", "", 0 },
	{ "test_apply_receipt_reply_corrects_the_feedback", RECEIPT_PIET, PIET, "",
	    "Kritiek: de conclusie was te lang.\n", "applied", "corrected feedback",
	    "feedback_corrected>jan.de.vries feedback_receipt>piet.jansen", "Piet 1/0/0", 0 },
	{ "test_apply_unknown_token_is_read_as_new_mail", BAD_TOKEN, JAN, "",
	    "Vraag feedback aan: Piet Jansen\n", "applied", "token", "request>piet.jansen "
	    "request_sent>jan.de.vries", "Jan 0/0/1", 0 },
	/* a reply that is only the quoted mail: nothing written, nothing applied or passed on */
	{ "test_apply_quote_only_reply_to_request_is_nothing_written", REQUEST_PIET, PIET, "",
	    "Op 5 jan. 2027 om 09:00 schreef Feedback <feedback@example.org>:\n"
	    "> Jan de Vries vraagt je om feedback.\n> Bevestiging: wat gaat goed?\n",
	    "applied", "nothing written", "nothing_written>piet.jansen", "Piet 0/0/0 Jan 0/0/1", 0 },
	{ "test_apply_quote_only_reaction_is_not_passed_on", RECEIVED_JAN, JAN, "",
	    "> Piet Jansen gaf je feedback.\n> Kritiek: de conclusie ontbrak.\n\n"
	    "Verzonden vanaf mijn iPhone\n", "applied", "nothing written",
	    "nothing_written>jan.de.vries", "", 0 },
	{ "test_apply_quote_and_signature_only_to_nudge", NUDGE_JAN, JAN, "",
	    "\nOn Tue, Jan 5, 2027 at 9:00 AM Feedback <feedback@example.org> wrote:\n\n"
	    "> Hallo Jan,\n>\n> Vraag feedback aan: naam\n\n-- \nJan de Vries\nSales\n",
	    "applied", "nothing written", "nothing_written>jan.de.vries", "Jan 0/0/0", 0 },
	/* shorthand as typed on a phone */
	{ "test_apply_shorthand_feedback_is_recorded", REQUEST_PIET, PIET, "",
	    "B: je opening was helder / K: de conclusie ontbrak / C: eindig met een samenvatting\n",
	    "applied", "feedback from Piet Jansen to Jan de Vries",
	    "feedback_received>jan.de.vries feedback_receipt>piet.jansen",
	    "Piet 1/0/0 Jan 0/1/1", 0 },
	/* a name that is not placed: asked who was meant, nothing recorded */
	{ "test_apply_unsolicited_feedback_for_a_short_name_asks_who", NONE, JAN, "",
	    "Feedback voor: Pi\n" BKC, "applied", "no such colleague", "who>jan.de.vries",
	    "Jan 0/0/0 Piet 0/0/0", 0 },
	{ "test_apply_flood_cap_applies_but_does_not_answer", NUDGE_JAN, JAN, "",
	    "Vraag feedback aan: Piet Jansen\n", "applied", "not answered",
	    "request>piet.jansen", "Jan 0/0/1", 1 },
};

/*
 * The form sent back for a reply that cannot be acted on explains each problem fields found in
 * the member's language: the words come from the template, never fields' English messages.
 * Jan answers the weekly nudge; want: lines the text part holds, absent: what it must not.
 */
struct wcase {
	const char *name;
	const char *lang;       /* the programme's language */
	const char *body;
	const char *want;       /* '|'-separated */
	const char *absent;     /* '|'-separated */
};

/* fields' English messages, and English words of the template, never in Dutch mail */
#define NOT_EN "appears twice|needs the name|names one colleague|is not a|line |rating from|" \
	"the later|Please note"
/* and Dutch words never in English mail */
#define NOT_NL "regel |stond er|is geen|hoort|Let op|teamgenoot"

static const struct wcase wcases[] = {
	{ "test_apply_form_label_twice_in_dutch", "nl", "Hoi\nKritiek: a\nKritiek: b\n",
	  "Let op:\n  - regel 3: \"Kritiek\" stond er twee keer in; het laatste telt.\n", NOT_EN },
	{ "test_apply_form_label_twice_in_english", "en", "Hi\nCritique: a\nCritique: b\n",
	  "Please note:\n  - line 3: \"Critique\" was there twice; the last one counts.\n", NOT_NL },
	{ "test_apply_form_feedback_for_two_colleagues_dutch", "nl",
	  "Feedback voor: Piet, Anna\nKritiek: x\n", "  - regel 1: bij \"Feedback voor\" hoort "
	  "één teamgenoot; stuur per teamgenoot een eigen bericht.\n", NOT_EN },
	{ "test_apply_form_feedback_for_two_colleagues_english", "en",
	  "Feedback for: Piet, Anna\nCritique: x\n", "  - line 1: \"Feedback for\" takes one "
	  "team mate; send one message per team mate.\n", NOT_NL },
	{ "test_apply_form_name_missing_and_bad_date_dutch", "nl",
	  "Herinner:\nAfwezig: Anna tot het voorjaar\n", "  - regel 1: achter \"Herinner\" hoort de "
	  "naam van een teamgenoot.\n  - regel 2: \"het voorjaar\" is geen datum (schrijf die "
	  "bijvoorbeeld zo: 1-2-2027, 1 februari of vrijdag).\n", NOT_EN },
	{ "test_apply_form_name_missing_and_bad_date_english", "en",
	  "Nudge:\nAway: Anna until someday\n", "  - line 1: \"Nudge\" needs the name of a team "
	  "mate.\n  - line 2: \"someday\" is not a date (write it like 1-2-2027, 1 February "
	  "or Friday).\n",
	  NOT_NL },
	{ "test_apply_form_rating_and_score_problems_dutch", "nl", "F12: 6\nF3: 2\nF3: 4\n1: 7,5\n",
	  "  - regel 1, F12: \"6\" is geen beoordeling van 1 tot en met 5.\n"
	  "  - regel 3: F3 stond er twee keer in; de laatste beoordeling telt.\n"
	  "  - regel 4, vraag 1: \"7,5\" is geen heel cijfer van 0 tot en met 10.\n", NOT_EN },
	{ "test_apply_form_rating_and_score_problems_english", "en", "F12: 6\n1: 12\n2: 3\n2: 4\n",
	  "  - line 1, F12: \"6\" is not a rating from 1 to 5.\n"
	  "  - line 2, question 1: \"12\" is not a score from 0 to 10.\n"
	  "  - line 4: question 2 was in your reply twice; the last answer counts.\n", NOT_NL },
	{ "test_apply_form_without_problems_has_no_problem_list", "en", "Hello, no time.\n",
	  "What is missing:", "Please note" },
};

/*
 * The mail sent back, for any setup: its kind and words. Gives the writer's text back when
 * the reply cannot be read or a name not placed; suggests the nearest colleagues.
 */
struct mcase {
	const char *name;
	const char *lang;
	enum setup setup;
	const char *from;
	const char *body;
	const char *kind;       /* the one mail queued */
	const char *want;       /* '|'-separated */
	const char *absent;     /* '|'-separated */
};

static const struct mcase mcases[] = {
	{ "test_apply_unreadable_gives_the_text_back_dutch", "nl", NUDGE_JAN, JAN,
	  "Hoi, ik heb deze week geen tijd.\n\nMaar volgende week wel!\n", "unreadable",
	  "Je schreef (beantwoord deze mail met je tekst, aangepast):\n\n"
	  "> Hoi, ik heb deze week geen tijd.\n>\n> Maar volgende week wel!\n", NOT_EN },
	{ "test_apply_unreadable_gives_the_text_back_english", "en", REQUEST_PIET, PIET,
	  "Great talk, really enjoyed it\n", "unreadable",
	  "You wrote (reply to this mail with your text, corrected):\n\n"
	  "> Great talk, really enjoyed it\n", NOT_NL },
	{ "test_apply_who_suggests_the_nearest_and_gives_the_text_back", "nl", NONE, JAN,
	  "Feedback voor: Pi\nKritiek: de conclusie ontbrak.\n", "who",
	  "\"Pi\": deze naam of dit adres kennen we niet in je team; bedoel je Piet Jansen?|"
	  "> Feedback voor: Pi\n> Kritiek: de conclusie ontbrak.\n", NOT_EN },
	{ "test_apply_who_suggests_in_english", "en", NUDGE_JAN, JAN, "Ask: Pit\n", "who",
	  "\"Pit\": we do not know this name or address in your team; did you mean Piet Jansen?",
	  NOT_NL },
	{ "test_apply_nothing_written_is_friendly_dutch", "nl", REQUEST_PIET, PIET,
	  "> Jan de Vries vraagt je om feedback.\n", "nothing_written",
	  "We vonden er alleen de tekst van onze eigen mail in|Bevestiging: wat gaat goed?",
	  "Je schreef|> Jan de Vries" },
	{ "test_apply_nothing_written_is_friendly_english", "en", NUDGE_JAN, JAN,
	  "On Tue, Jan 5, 2027 at 9:00 AM Feedback <feedback@example.org> wrote:\n> Hello Jan\n",
	  "nothing_written", "We only found the text of our own mail in it|Ask: name or email",
	  "You wrote|> Hello Jan" },
};

struct world {
	char dir[64];
	struct config *cfg;
	struct db *db;
	struct outmail_templates *tpl;
	struct flow f;
	struct trim_rules *trim;   /* trim's patterns, made once per world */
	struct program p;
	int64_t jan, piet;
	char token[TOKEN_LEN + 1];
};

static int64_t
member(struct world *w, int64_t team, const char *name, const char *addr)
{
	struct fb_error err;
	int64_t id;

	if (store_member_add(w->db, team, name, addr, NULL, NULL, w->f.now, &id, &err) < 0)
		fail_msg("%s", err.msg);
	return id;
}

static void
world_open(struct world *w, int cap, const char *lang)
{
	struct fb_error err;
	struct buf path = BUF_INIT;
	int64_t sales, support;

	memset(w, 0, sizeof(*w));
	snprintf(w->dir, sizeof(w->dir), "/tmp/fbtest-apply.XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	assert_int_equal(buf_addf(&path, "%s/fb.db", w->dir), 0);
	assert_non_null(w->cfg = config_default());
	if (cap)
		w->cfg->security.answers_per_sender_per_hour = cap;
	if ((w->db = db_open(path.data, &err)) == NULL)
		fail_msg("%s", err.msg);
	buf_release(&path);
	if ((w->tpl = outmail_templates_load(NULL, &err)) == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(fbtime_parse(NOW, "Europe/Amsterdam", &w->f.now, &err), 0);
	w->f.db = w->db;
	w->f.cfg = w->cfg;
	w->f.tpl = w->tpl;
	w->trim = trim_rules_new();
	assert_non_null(w->trim);
	w->f.trim = w->trim;

	w->p.name = "Pilot";
	memcpy(w->p.start_date, "2027-01-04", 11);
	w->p.weeks = 10;
	w->p.timezone = "Europe/Amsterdam";
	snprintf(w->p.language, sizeof(w->p.language), "%s", lang);
	if (store_program_create(w->db, &w->p, w->f.now, &err) < 0 ||
	    store_team_add(w->db, w->p.id, "Sales", w->f.now, &sales, &err) < 0 ||
	    store_team_add(w->db, w->p.id, "Support", w->f.now, &support, &err) < 0)
		fail_msg("%s", err.msg);
	w->jan = member(w, sales, "Jan de Vries", "jan.de.vries@example.nl");
	w->piet = member(w, sales, "Piet Jansen", "piet.jansen@example.nl");
	member(w, sales, "Jeroen Mëijer", "jeroen.meijer@example.nl");
	member(w, sales, "Anna Bakker", "anna.bakker@example.nl");
	member(w, sales, "Eva Smit", "eva.smit@example.nl");
	member(w, support, "Klaas Vaak", "klaas@example.nl");
	assert_int_equal(store_member_add_address(w->db, w->piet, "p.jansen@home.example", &err), 0);
}

static void
world_close(struct world *w)
{
	struct buf cmd = BUF_INIT;

	trim_rules_free(w->trim);
	outmail_templates_free(w->tpl);
	db_close(w->db);
	config_free(w->cfg);
	assert_int_equal(buf_addf(&cmd, "rm -rf '%s'", w->dir), 0);
	assert_int_equal(system(cmd.data), 0);
	buf_release(&cmd);
}

/* Queue mail kind to a member with a token of purpose/ref, as the flow would. */
static void
send_token(struct world *w, const char *kind, int64_t to, const char *purpose, int64_t ref)
{
	struct fb_error err;
	struct member m;
	char spec[24];
	struct template_values *v = template_values_new();
	struct outmail_token t = { token_purpose_from_name(purpose), to, 0, ref };
	struct outmail_msg msg = { .kind = kind, .program = &w->p, .token = &t, .values = v };

	snprintf(spec, sizeof(spec), "%lld", (long long)to);
	assert_int_equal(store_member_find(w->db, w->p.id, 0, spec, &m, &err), 0);
	msg.to_addr = m.address;
	msg.to_name = m.name;
	msg.member_id = m.id;
	if (outmail_queue(&w->f, &msg, w->token, &err) < 0)
		fail_msg("%s", err.msg);
	store_member_release(&m);
	template_values_free(v);
}

static int64_t
give(struct world *w, int64_t request)
{
	struct feedback_new fn = { .program_id = w->p.id, .request_id = request,
		.giver_id = w->piet, .receiver_id = w->jan, .confirmation = "goed", .week = 1 };
	struct fb_error err;
	int64_t id;

	assert_int_equal(store_feedback_add(w->db, &fn, w->f.now, &id, &err), 0);
	return id;
}

static void
setup(struct world *w, enum setup s)
{
	struct fb_error err;
	int64_t rid = 0, fid;
	int before;

	if (s == REQUEST_PIET || s == ANSWERED_PIET || s == RECEIVED_JAN || s == REACTED_JAN ||
	    s == RECEIPT_PIET)
		assert_int_equal(store_request_add(w->db, w->p.id, w->jan, w->piet, "presentatie", 1,
		    0, w->f.now, &rid, &err), 0);
	switch (s) {
	case NONE:
		break;
	case NUDGE_JAN:
		send_token(w, "nudge", w->jan, "ask", 0);
		break;
	case ANSWERED_PIET:
		give(w, rid);
		assert_int_equal(store_request_answered(w->db, rid, w->f.now, &err), 0);
		/* FALLTHROUGH */
	case REQUEST_PIET:
		send_token(w, "request", w->piet, "request", rid);
		break;
	case REACTED_JAN:
	case RECEIVED_JAN:
		fid = give(w, rid);
		if (s == REACTED_JAN)
			assert_int_equal(store_reaction_add(w->db, fid, "dank", 0, w->f.now, &before,
			    &err), 0);
		send_token(w, "feedback_received", w->jan, "received", fid);
		break;
	case RECEIPT_PIET:
		fid = give(w, rid);
		send_token(w, "feedback_receipt", w->piet, "receipt", fid);
		break;
	case BAD_TOKEN:
		memcpy(w->token, "aaaaaaaaaaaaaaaaaaaaaaaaaa", TOKEN_LEN + 1);
		break;
	}
}

/* Outbox rows after id `after`, as "kind>local-part ...". */
static void
queued_since(struct world *w, int64_t after, struct buf *out)
{
	struct outbox_list l = { 0 };
	struct fb_error err;

	assert_int_equal(queue_outbox_list(w->db, NULL, 1000, &l, &err), 0);
	for (size_t i = l.n; i-- > 0;) {
		if (l.v[i].id <= after)
			continue;
		const char *at = strchr(l.v[i].recipient, '@');
		assert_int_equal(buf_addf(out, "%s%s>%.*s", out->len ? " " : "", l.v[i].kind,
		    (int)(at - l.v[i].recipient), l.v[i].recipient), 0);
	}
	queue_outbox_list_release(&l);
}

static int64_t
last_outbox_id(struct world *w)
{
	struct outbox_list l = { 0 };
	struct fb_error err;
	int64_t id;

	assert_int_equal(queue_outbox_list(w->db, NULL, 1, &l, &err), 0);
	id = l.n ? l.v[0].id : 0;
	queue_outbox_list_release(&l);
	return id;
}

static void
check_counts(struct world *w, const char *spec)
{
	char name[32];
	int g, r, q, off = 0, used;

	while (sscanf(spec + off, "%31s %d/%d/%d%n", name, &g, &r, &q, &used) == 4) {
		struct member m;
		struct feedback_counts n;
		struct fb_error err;

		assert_int_equal(store_member_find(w->db, w->p.id, 0, strcmp(name, "Jan") == 0 ?
		    "jan.de.vries@example.nl" : "piet.jansen@example.nl", &m, &err), 0);
		assert_int_equal(store_member_counts(w->db, m.id, 1, 10, &n, &err), 0);
		if (n.given != g || n.received != r || n.requested != q)
			fail_msg("%s: counts %d/%d/%d, expected %d/%d/%d", name, n.given, n.received,
			    n.requested, g, r, q);
		store_member_release(&m);
		off += used;
	}
}

static void
inbound(struct world *w, const struct acase *c, int64_t *id)
{
	struct buf raw = BUF_INIT;
	struct fb_error err;
	int dup;

	assert_int_equal(buf_addf(&raw,
	    "From: %s\nTo: feedback%s%s@feedbackd.invalid\nSubject: Re: iets\n"
	    "Message-ID: <%s.in@example.nl>\nMIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8\n%s\n%s", c->from, c->setup == NONE ? "" : "+",
	    c->setup == NONE ? "" : w->token, c->name, c->headers, c->body), 0);
	assert_int_equal(mailflow_inbox_add(w->db, "test", raw.data, raw.len, 1 << 20, w->f.now, id,
	    &dup, &err), 0);
	buf_release(&raw);
}

static void
run_case(void **state)
{
	const struct acase *c = *state;
	struct world w;
	struct apply_stats st = { 0 };
	struct inbox_row row;
	struct buf mail = BUF_INIT;
	struct fb_error err;
	int64_t id, before;

	world_open(&w, c->cap, "nl");
	setup(&w, c->setup);
	if (c->cap) {
		/* One answer to the sender already this hour: the cap of one is reached. */
		static const struct acase first = { "warm-up", NONE, JAN, "", "Hallo\n", "", "", "",
			"", 0 };
		inbound(&w, &first, &id);
		assert_int_equal(apply_pending(&w.f, 100, NULL, &st, &err), 0);
		assert_int_equal(st.applied, 1);
	}
	before = last_outbox_id(&w);
	inbound(&w, c, &id);
	if (apply_pending(&w.f, 100, NULL, &st, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(queue_inbox_get(w.db, id, &row, &err), 0);
	if (strcmp(row.state, c->state) != 0)
		fail_msg("state %s, expected %s (%s)", row.state, c->state, row.error ? row.error : "");
	if (row.reason == NULL || strstr(row.reason, c->reason) == NULL)
		fail_msg("reason \"%s\" lacks \"%s\"", row.reason ? row.reason : "", c->reason);
	queued_since(&w, before, &mail);
	assert_string_equal(mail.data ? mail.data : "", c->mail);
	check_counts(&w, c->counts);
	buf_release(&mail);
	queue_inbox_release(&row);
	world_close(&w);
}

/* Every '|'-separated part of list is (want) or is not (!want) in text. */
static void
check_parts(const char *text, const char *list, int want)
{
	const char *p = list;

	while (p != NULL && *p != '\0') {
		const char *e = strchr(p, '|');
		size_t n = e != NULL ? (size_t)(e - p) : strlen(p);
		char part[512];

		snprintf(part, sizeof(part), "%.*s", (int)n, p);
		if ((strstr(text, part) != NULL) != want)
			fail_msg("the mail %s \"%s\":\n%s", want ? "lacks" : "holds", part, text);
		p = e != NULL ? e + 1 : NULL;
	}
}

/* Apply one reply from `from` (after `setup`) and check the one mail it causes: its kind, the
 * words it must and must not hold ('|'-separated). */
static void
check_one_mail(const char *name, const char *lang, enum setup set, const char *from,
    const char *body, const char *kind, const char *want, const char *absent)
{
	const struct acase in = { name, set, from, "", body, "", "", "", "", 0 };
	struct world w;
	struct apply_stats st = { 0 };
	struct outbox_list l = { 0 };
	struct outbox_row r;
	struct fb_message *msg;
	struct fb_error err;
	int64_t id, before;

	world_open(&w, 0, lang);
	setup(&w, set);
	before = last_outbox_id(&w);
	inbound(&w, &in, &id);
	if (apply_pending(&w.f, 100, NULL, &st, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(queue_outbox_list(w.db, NULL, 1, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_true(l.v[0].id > before);
	assert_string_equal(l.v[0].kind, kind);
	assert_int_equal(queue_outbox_get(w.db, l.v[0].id, &r, &err), 0);
	if ((msg = message_parse(r.raw.data, r.raw.len, 1 << 20, &err)) == NULL)
		fail_msg("%s", err.msg);
	check_parts(msg->text, want, 1);
	check_parts(msg->text, absent, 0);
	message_free(msg);
	queue_outbox_release(&r);
	queue_outbox_list_release(&l);
	world_close(&w);
}

static void
run_words(void **state)
{
	const struct wcase *c = *state;

	check_one_mail(c->name, c->lang, NUDGE_JAN, JAN, c->body, "unreadable", c->want, c->absent);
}

static void
run_mail(void **state)
{
	const struct mcase *c = *state;

	check_one_mail(c->name, c->lang, c->setup, c->from, c->body, c->kind, c->want, c->absent);
}

/* A failure half-way (the outbox refuses) undoes the whole message: nothing counted, nothing
 * queued, the message pending with the error; a reapply after the fix applies it once. */
static void
test_apply_failure_is_atomic_and_reapply_works(void **state)
{
	static const struct acase give_case = { "atomic", REQUEST_PIET, PIET, "", BKC, "", "", "",
		"", 0 };
	struct world w;
	struct apply_stats st = { 0 };
	struct apply_outcome o = APPLY_OUTCOME_INIT;
	struct inbox_row row;
	struct fb_error err;
	int64_t id, before;

	(void)state;
	world_open(&w, 0, "nl");
	setup(&w, REQUEST_PIET);
	before = last_outbox_id(&w);
	inbound(&w, &give_case, &id);
	assert_int_equal(db_exec(w.db, "CREATE TRIGGER t_full BEFORE INSERT ON outbox BEGIN "
	    "SELECT RAISE(ABORT, 'disk full (test)'); END", &err), 0);
	assert_int_equal(apply_pending(&w.f, 100, NULL, &st, &err), 0);
	assert_int_equal(st.errors, 1);
	assert_int_equal(queue_inbox_get(w.db, id, &row, &err), 0);
	assert_string_equal(row.state, "pending");
	assert_non_null(strstr(row.error, "disk full (test)"));
	queue_inbox_release(&row);
	check_counts(&w, "Piet 0/0/0 Jan 0/0/1");
	assert_int_equal(last_outbox_id(&w), before);

	assert_int_equal(db_exec(w.db, "DROP TRIGGER t_full", &err), 0);
	assert_int_equal(apply_inbox(&w.f, id, APPLY_AGAIN, &o, &err), 0);
	assert_int_equal(o.state, INBOX_APPLIED);
	check_counts(&w, "Piet 1/0/0 Jan 0/1/1");
	/* Applied messages are not processed again by a later pass. */
	st.applied = 0;
	assert_int_equal(apply_pending(&w.f, 100, NULL, &st, &err), 0);
	assert_int_equal(st.applied, 0);
	check_counts(&w, "Piet 1/0/0 Jan 0/1/1");
	apply_outcome_release(&o);
	world_close(&w);
}

/*
 * Jan asks Piet and Jeroen while Piet's daily cap is reached: the request to Piet waits, and
 * Jan's confirmation does not say it was sent; it says when it goes (in his words, nl and en).
 */
static void
confirmation_of_held_request(const char *lang, const char *want, const char *absent)
{
	const struct acase in = { "held", NUDGE_JAN, JAN, "",
		"Vraag feedback aan: Piet Jansen, Jeroen Mëijer\nOver: mijn presentatie\n", "", "",
		"", "", 0 };
	struct world w;
	struct apply_stats st = { 0 };
	struct outbox_list l = { 0 };
	struct outbox_row r;
	struct fb_message *msg;
	struct fb_error err;
	struct buf text = BUF_INIT;
	int64_t id;

	world_open(&w, 0, lang);
	w.cfg->outgoing.per_recipient_daily_cap = 2;
	/* Piet's two messages of the day, then the nudge whose token Jan's reply carries */
	send_token(&w, "feedback_received", w.piet, "received", 0);
	send_token(&w, "reaction", w.piet, "received", 0);
	setup(&w, NUDGE_JAN);
	inbound(&w, &in, &id);
	if (apply_pending(&w.f, 100, NULL, &st, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(queue_outbox_list(w.db, "held", 10, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].kind, "request");
	assert_string_equal(l.v[0].recipient, "piet.jansen@example.nl");
	queue_outbox_list_release(&l);
	assert_int_equal(queue_outbox_list(w.db, NULL, 1, &l, &err), 0);
	assert_string_equal(l.v[0].kind, "request_sent");
	assert_int_equal(queue_outbox_get(w.db, l.v[0].id, &r, &err), 0);
	if ((msg = message_parse(r.raw.data, r.raw.len, 1 << 20, &err)) == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(buf_addf(&text, "%s\n%s", msg->subject ? msg->subject : "", msg->text), 0);
	check_parts(text.data, want, 1);
	check_parts(text.data, absent, 0);
	buf_release(&text);
	message_free(msg);
	queue_outbox_release(&r);
	queue_outbox_list_release(&l);
	world_close(&w);
}

static void
test_apply_held_request_confirmation_says_when_it_goes(void **state)
{
	(void)state;
	/* Tuesday 10:00 + 24 hours, in Jan's zone (Amsterdam) */
	confirmation_of_held_request("nl", "Je feedbackverzoek wordt verstuurd|gaat naar:|"
	    "Piet Jansen: gaat op woensdag 6 januari om 10:00 de deur uit|  - Jeroen Mëijer\n",
	    "is verstuurd|Jeroen Mëijer: gaat");
	confirmation_of_held_request("en", "Your feedback request is on its way|goes to:|"
	    "Piet Jansen: goes out on Wednesday 6 January at 10:00", "has been sent|went to");
}

/* ---- corrections reach the colleague ------------------------------------------------------ */

/* The text part (after the subject) of outbox row id. */
static void
outbox_text(struct world *w, int64_t id, struct buf *out)
{
	struct outbox_row r;
	struct fb_message *msg;
	struct fb_error err;

	assert_int_equal(queue_outbox_get(w->db, id, &r, &err), 0);
	if ((msg = message_parse(r.raw.data, r.raw.len, 1 << 20, &err)) == NULL)
		fail_msg("%s", err.msg);
	buf_reset(out);
	assert_int_equal(buf_addf(out, "%s\n%s", msg->subject ? msg->subject : "", msg->text), 0);
	message_free(msg);
	queue_outbox_release(&r);
}

/* The newest outbox row of kind (0: none) and how many there are. */
static int64_t
outbox_kind(struct world *w, const char *kind, int *n)
{
	struct outbox_list l = { 0 };
	struct fb_error err;
	int64_t id = 0;

	*n = 0;
	assert_int_equal(queue_outbox_list(w->db, NULL, 1000, &l, &err), 0);
	for (size_t i = 0; i < l.n; i++)
		if (strcmp(l.v[i].kind, kind) == 0) {
			if (id == 0)
				id = l.v[i].id;
			(*n)++;
		}
	queue_outbox_list_release(&l);
	return id;
}

/* Piet's mail body to the token of outbox row id (his receipt), applied. */
static void
reply_to_row(struct world *w, int64_t id, const char *name, const char *body)
{
	struct outbox_row r;
	struct fb_error err;
	struct apply_stats st = { 0 };
	const char *p;
	int64_t in;

	assert_int_equal(queue_outbox_get(w->db, id, &r, &err), 0);
	p = strstr(r.raw.data, "Reply-To: feedback+");
	assert_non_null(p);
	snprintf(w->token, sizeof(w->token), "%.*s", TOKEN_LEN, p + strlen("Reply-To: feedback+"));
	queue_outbox_release(&r);
	struct acase c = { name, RECEIPT_PIET, PIET, "", body, "", "", "", "", 0 };
	inbound(w, &c, &in);
	if (apply_pending(&w->f, 100, NULL, &st, &err) < 0)
		fail_msg("%s", err.msg);
}

/* Piet gives Jan feedback by new mail; *received is Jan's mail, *receipt Piet's. */
static void
piet_gives(struct world *w, int64_t *received, int64_t *receipt)
{
	static const struct acase give_c = { "give", NONE, PIET, "",
		"Feedback voor: Jan\n" BKC, "", "", "", "", 0 };
	struct apply_stats st = { 0 };
	struct fb_error err;
	int64_t in;
	int n;

	inbound(w, &give_c, &in);
	if (apply_pending(&w->f, 100, NULL, &st, &err) < 0)
		fail_msg("%s", err.msg);
	*received = outbox_kind(w, "feedback_received", &n);
	assert_int_equal(n, 1);
	*receipt = outbox_kind(w, "feedback_receipt", &n);
	assert_int_equal(n, 1);
}

static void
mark_sent(struct world *w, int64_t id)
{
	struct fb_error err;

	assert_int_equal(queue_outbox_sent(w->db, id, w->f.now, &err), 0);
}

/* Not sent yet: Jan's waiting mail gets the corrected text, and no "corrected" mail goes. */
static void
test_apply_correction_rewrites_the_waiting_first_version(void **state)
{
	struct world w;
	struct buf text = BUF_INIT;
	int64_t received, receipt, id;
	int n;

	(void)state;
	world_open(&w, 0, "nl");
	piet_gives(&w, &received, &receipt);
	reply_to_row(&w, receipt, "corr1", "Kritiek: de conclusie was te lang.\n");
	assert_int_equal(outbox_kind(&w, "feedback_corrected", &n), 0);
	assert_int_equal(outbox_kind(&w, "feedback_received", &n), received);
	assert_int_equal(n, 1);
	outbox_text(&w, received, &text);
	check_parts(text.data, "Feedback van Piet Jansen|de conclusie was te lang|"
	    "je opening was helder", 1);
	check_parts(text.data, "de conclusie ontbrak|Gecorrigeerde", 0);
	id = outbox_kind(&w, "feedback_receipt", &n);
	assert_int_equal(n, 2);
	outbox_text(&w, id, &text);
	check_parts(text.data, "Aangepast: je feedback aan Jan de Vries|Jan de Vries had je "
	    "feedback nog niet gekregen en krijgt alleen deze versie", 1);
	buf_release(&text);
	world_close(&w);
}

/* Sent: Jan gets "corrected feedback" (nl and en); a second correction while that one waits
 * rewrites it; Piet's receipt says Jan gets the corrected version. */
static void
correction_after_delivery(const char *lang, const char *want, const char *receipt_want)
{
	struct world w;
	struct buf text = BUF_INIT;
	int64_t received, receipt, corrected, id;
	int n;

	world_open(&w, 0, lang);
	piet_gives(&w, &received, &receipt);
	mark_sent(&w, received);
	reply_to_row(&w, receipt, "corr1", "Kritiek: de conclusie was te lang.\n");
	corrected = outbox_kind(&w, "feedback_corrected", &n);
	assert_int_equal(n, 1);
	assert_true(corrected > received);
	outbox_text(&w, corrected, &text);
	check_parts(text.data, want, 1);
	check_parts(text.data, "de conclusie ontbrak", 0);
	id = outbox_kind(&w, "feedback_receipt", &n);
	outbox_text(&w, id, &text);
	check_parts(text.data, receipt_want, 1);

	/* corrected again before the corrected one went: still one corrected mail, new text */
	reply_to_row(&w, id, "corr2", "Constructief: oefen het slot twee keer.\n");
	assert_int_equal(outbox_kind(&w, "feedback_corrected", &n), corrected);
	assert_int_equal(n, 1);
	outbox_text(&w, corrected, &text);
	check_parts(text.data, "oefen het slot twee keer|de conclusie was te lang", 1);

	/* and once it went, a third correction is a second corrected mail */
	mark_sent(&w, corrected);
	id = outbox_kind(&w, "feedback_receipt", &n);
	reply_to_row(&w, id, "corr3", "Bevestiging: je opening was sterk.\n");
	outbox_kind(&w, "feedback_corrected", &n);
	assert_int_equal(n, 2);
	outbox_kind(&w, "feedback_received", &n);
	assert_int_equal(n, 1);
	buf_release(&text);
	world_close(&w);
}

static void
test_apply_correction_after_delivery_goes_as_corrected(void **state)
{
	(void)state;
	correction_after_delivery("nl", "Gecorrigeerde feedback van Piet Jansen|Deze versie "
	    "vervangt de eerdere|Kritiek:\nde conclusie was te lang|je opening was helder",
	    "Jan de Vries had je feedback al gekregen en krijgt nu deze gecorrigeerde versie");
	correction_after_delivery("en", "Corrected feedback from Piet Jansen|This version "
	    "replaces the earlier one|Critique:\nde conclusie was te lang",
	    "Jan de Vries had already received your feedback and now gets this corrected version");
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_apply_failure_is_atomic_and_reapply_works),
		cmocka_unit_test(test_apply_held_request_confirmation_says_when_it_goes),
		cmocka_unit_test(test_apply_correction_rewrites_the_waiting_first_version),
		cmocka_unit_test(test_apply_correction_after_delivery_goes_as_corrected),
	};

	int rc = testlib_run_table("apply", cases, sizeof(cases) / sizeof(cases[0]),
	    sizeof(cases[0]), run_case, fixed, sizeof(fixed) / sizeof(fixed[0]));

	rc |= testlib_run_table("apply_words", wcases, sizeof(wcases) / sizeof(wcases[0]),
	    sizeof(wcases[0]), run_words, NULL, 0);
	return rc | testlib_run_table("apply_mail", mcases, sizeof(mcases) / sizeof(mcases[0]),
	    sizeof(mcases[0]), run_mail, NULL, 0);
}
