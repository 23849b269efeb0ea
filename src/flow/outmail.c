/*
 * outmail — render, compose and queue the messages feedbackd sends. See include/outmail.h.
 */
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "budget.h"
#include "buf.h"
#include "compose.h"
#include "fbrandom.h"
#include "fbtime.h"
#include "mailkind.h"
#include "overlay.h"
#include "outmail.h"
#include "pace.h"
#include "queue.h"
#include "store.h"
#include "store_token.h"
#include "banned.h"

/* ---- the catalogue --------------------------------------------------------------------------- */

/* Every message may use "program" and "signer" (outmail_queue() sets them). */
#define N(...) (const char *const[]){ "program", "signer", __VA_ARGS__, NULL }

/* A session's invitation (src/flow/invite.c): the invite's subject is also the event's
 * SUMMARY and its text the DESCRIPTION. Flags kickoff/progress/evaluation say which session. */
#define SESSION_NAMES "name", "kickoff", "progress", "evaluation", "team", "date", "start", \
	"end", "timezone", "duration", "location", "online_url", "organizer"
#define MOMENT_NAMES "name", "baseline", "midterm", "final", "followup", "date", "start", \
	"close_date", "timezone", "organizer"

/* Each message and the names its templates may use ("list.item" for a list's items). */
const struct template_spec outmail_specs[] = {
	{ "nudge", N("name", "week", "weeks", "given", "received", "requested", "tip", "example",
	    "colleagues", "colleagues.name") },
	{ "request", N("name", "asker", "topic", "week") },
	{ "request_sent", N("name", "topic", "asked", "asked.name", "asked.typo", "asked.goes_date",
	    "asked.goes_time", "waiting", "problems",
	    "problems.query", "problems.unknown", "problems.ambiguous", "problems.candidates",
	    "problems.self", "problems.left", "colleagues", "colleagues.name") },
	{ "who", N("name", "example", "problems", "problems.query", "problems.unknown",
	    "problems.ambiguous", "problems.candidates", "problems.self", "problems.left",
	    "colleagues",
	    "colleagues.name", "quoted", "text") },
	/* A reply that was only the quoted mail (apply_feedback.c). */
	{ "nothing_written", N("name", "form_bkc", "form_ask") },
	{ "feedback_received", N("name", "giver", "topic", "followup", "confirmation", "critique",
	    "suggestion") },
	/* To the receiver, when the giver corrected feedback they already had (apply_feedback.c). */
	{ "feedback_corrected", N("name", "giver", "topic", "followup", "confirmation", "critique",
	    "suggestion") },
	{ "feedback_receipt", N("name", "receiver", "corrected", "corrected_sent", "replaced",
	    "confirmation", "critique", "suggestion") },
	{ "reaction", N("name", "receiver", "text") },
	{ "weekly_report", N("name", "team", "week", "report", "report_html", "samples") },
	{ "progress_report", N("name", "team", "progress", "evaluation", "followup", "week",
	    "report", "report_html") },
#define RATINGS "ratings", "ratings.id", "ratings.score", "ratings.line", "ratings.value", \
	"ratings.recorded", "ratings.unknown", "ratings.other_team", "ratings.out_of_range", \
	"ratings.twice", "none_recorded"
	{ "ratings_received", N("name", RATINGS) },
	{ "facilitator_reminder", N("name", "facilitator", "team", "week", "weeks", "example",
	    "colleagues", "colleagues.name", "personal") },
	{ "facilitator_confirmation", N("name", "team", RATINGS, "reminded", "reminded.name",
	    "reminded.personal", "problems.toolong",
	    "away", "away.name", "away.from", "away.until", "problems", "problems.query",
	    "problems.unknown", "problems.ambiguous", "problems.suggest", "problems.candidates",
	    "problems.absent", "problems.unreachable", "problems.left", "problems.dates", "problems.until",
	    "problems.toomany", "members", "members.name", "notes", "notes.line", "notes.question",
	    "notes.value", "notes.not_whole", "notes.out_of_range", "notes.twice", "notes.too_long",
	    "notes.label_twice", "notes.needs_name", "notes.one_colleague", "notes.not_a_date",
	    "notes.other") },
#undef RATINGS
	/* Improvement actions recorded from a reply to the progress or evaluation report
	 * (apply_action.c): one list per quadrant. */
	{ "actions_received", N("name", "team", "progress", "evaluation", "none", "no_team",
	    "teams", "teams.name", "team_short", "team_short.text", "team_long", "team_long.text",
	    "others_short", "others_short.text", "others_long", "others_long.text", "notes",
	    "notes.line", "notes.value", "notes.almost", "notes.empty", "notes.toomany") },
	{ "unreadable", N("name", "understood", "feedback_for", "ask", "about", "confirmation",
	    "critique", "suggestion", "missing_bkc", "missing_for", "missing_ask", "problems",
	    "problems.line", "problems.question", "problems.value", "problems.not_whole",
	    "problems.out_of_range", "problems.twice", "problems.too_long", "problems.label_twice",
	    "problems.needs_name", "problems.one_colleague", "problems.not_a_date",
	    "problems.rating_out_of_range", "problems.rating_twice", "problems.other", "form_bkc",
	    "form_ask", "quoted", "text") },
#define QUESTIONS "title", "close_date", "first_scale", "first_open", "questions", \
	"questions.number", "questions.text", "questions.scale", "questions.open", \
	"questions.scores", "scores.n", "scores.url"
	{ "questionnaire", N("name", QUESTIONS) },
	{ "questionnaire_reminder", N("name", "answered", QUESTIONS) },
	{ "answers_received", N("name", "closed", "complete", "clicks", "recorded", "recorded.number",
	    "recorded.text", "recorded.answer", "problems", "problems.line", "problems.question",
	    "problems.value", "problems.min", "problems.max", "problems.first", "problems.last",
	    "problems.not_whole", "problems.out_of_range", "problems.twice", "problems.too_long",
	    "problems.no_question", "problems.not_score", QUESTIONS) },
#undef QUESTIONS
	{ "invite", N(SESSION_NAMES) },
	{ "invite_update", N(SESSION_NAMES, "old_date", "old_start", "old_end") },
	{ "invite_cancel", N(SESSION_NAMES) },
	{ "moment_invite", N(MOMENT_NAMES, "reminder", "old_date", "old_start") },
	{ "moment_cancel", N(MOMENT_NAMES, "reminder", "completed") },
	/* The welcome, to each member once (welcome.c), and the note to a late joiner's
	 * facilitators (or the coordinator) saying what they were sent. */
	{ "welcome", N("name", "team", "week", "weeks", "late", "start_date", "end_date",
	    "nudge_day", "followup_weeks", "example", "facilitator", "facilitator_address",
	    "coordinator", "samples", "min_group", "sessions", "sessions.kickoff",
	    "sessions.progress", "sessions.evaluation", "sessions.date") },
	/* To each member before the progress session: the team's picture (team_picture_send.c). */
	{ "team_picture", N("name", "team", "week", "weeks", "min_group", "session_date",
	    "session_time", "picture", "picture_html") },
	{ "member_joined", N("name", "member", "team", "week", "first_week", "questionnaires",
	    "questionnaires.baseline", "questionnaires.midterm", "questionnaires.final",
	    "questionnaires.followup", "questionnaires.close_date", "sessions", "sessions.kickoff",
	    "sessions.progress", "sessions.evaluation", "sessions.date") },
	/* To the coordinator: a member's spam complaint (ARF) stopped mail to them (apply.c). */
	{ "complaint", N("member", "address", "team", "date", "inbox") },
	/* To the coordinator, once, when a member's address becomes unreachable (apply_bounce.c). */
	{ "unreachable", N("name", "address", "since", "status", "score", "threshold") },
};
const size_t outmail_nspecs = sizeof(outmail_specs) / sizeof(outmail_specs[0]);

int
outmail_priority(const char *kind)
{
	return mailkind_automatic(kind) ? OUTBOX_AUTOMATIC : OUTBOX_PERSON;
}

struct outmail_templates {
	struct template_set *nl, *en;
};

/*
 * Read file slot n of a template set: the path made of fmt, from dir over the built-in
 * files (overlay.h), at most max bytes, into bytes[n] with its three names (path, as shown,
 * why unreadable) in names[3n..3n+2]. A file that cannot be read is kept as its error for the
 * core to name. -1 only when memory runs out.
 */
static int __attribute__((format(printf, 8, 9)))
read_slot(const char *dir, struct template_file *files, size_t n, struct buf *bytes,
    struct buf *names, size_t max, struct fb_error *err, const char *fmt, ...)
{
	struct template_file *f = &files[n];
	struct buf *path = &names[3 * n], *shown = path + 1, *why = path + 2;
	struct fb_error e;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vaddf(path, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return fb_error_set(err, "out of memory loading templates");
	f->path = path->data;
	rc = overlay_read(dir, path->data, max, &bytes[n], shown, &e);
	if (rc < 0 && buf_adds(why, e.msg) < 0)
		return fb_error_set(err, "out of memory loading templates");
	f->error = rc < 0 ? why->data : NULL;
	f->data = rc == 0 ? (bytes[n].data ? bytes[n].data : "") : NULL;
	f->len = rc == 0 ? bytes[n].len : 0;
	f->shown = shown->data ? shown->data : path->data;
	return 0;
}

struct template_set *
outmail_template_set_load(const char *dir, const char *lang, const struct template_spec *specs,
    size_t n, struct fb_error *err)
{
	static const char *const ext[] = { "txt", "html" };
	struct template_file *files = calloc(2 * n + 1, sizeof(*files));
	struct buf *bytes = calloc(2 * n + 1, sizeof(*bytes));
	struct buf *names = calloc(6 * n + 3, sizeof(*names));
	struct template_source src = { files, 0, dir };
	struct template_set *set = NULL;

	if (files == NULL || bytes == NULL || names == NULL) {
		fb_error_set(err, "out of memory loading templates");
		goto out;
	}
	/* Every file the specs need, read here (the shell); the core checks the bytes. A file
	 * that cannot be read is handed on as its error, so every problem is named at once. */
	for (size_t i = 0; i < n; i++)
		for (size_t x = 0; x < 2; x++, src.n++)
			if (read_slot(dir, files, src.n, bytes, names, TEMPLATE_MAX_FILE, err, "%s/%s.%s",
			    lang ? lang : "", specs[i].name, ext[x]) < 0)
				goto out;
	/* The language's glossary (glossary.h), in the slot left for it. */
	if (read_slot(dir, files, src.n, bytes, names, GLOSSARY_MAX_FILE, err, "%s/glossary.txt",
	    lang ? lang : "") < 0)
		goto out;
	src.n++;
	set = template_set_load(&src, lang, specs, n, err);
out:
	for (size_t i = 0; bytes != NULL && i < 2 * n + 1; i++)
		buf_release(&bytes[i]);
	for (size_t i = 0; names != NULL && i < 6 * n + 3; i++)
		buf_release(&names[i]);
	free(files);
	free(bytes);
	free(names);
	return set;
}

struct outmail_templates *
outmail_templates_load(const char *dir, struct fb_error *err)
{
	struct outmail_templates *t = calloc(1, sizeof(*t));
	struct fb_error e2;

	if (t == NULL) {
		fb_error_set(err, "out of memory");
		return NULL;
	}
	t->nl = outmail_template_set_load(dir, "nl", outmail_specs, outmail_nspecs, err);
	t->en = outmail_template_set_load(dir, "en", outmail_specs, outmail_nspecs, &e2);
	if (t->nl == NULL || t->en == NULL) {
		if (t->nl != NULL)
			fb_error_set(err, "%s", e2.msg);
		else if (t->en == NULL)
			fb_error_prefix(err, "%s\n", e2.msg);
		outmail_templates_free(t);
		return NULL;
	}
	return t;
}

void
outmail_templates_free(struct outmail_templates *t)
{
	if (t == NULL)
		return;
	template_set_free(t->nl);
	template_set_free(t->en);
	free(t);
}

const struct template_set *
outmail_templates_for(const struct outmail_templates *t, const char *lang)
{
	return lang != NULL && strcmp(lang, "en") == 0 ? t->en : t->nl;
}

int
outmail_set_date(struct template_values *v, const char *name, const char *tz, time_t t,
    time_t now, struct fb_error *err)
{
	struct fb_local at, today;

	if (fbtime_to_local(tz, t, &at, err) < 0 || fbtime_to_local(tz, now, &today, err) < 0)
		return -1;
	if (template_set_date(v, name, &at.date, today.date.year) < 0)
		return fb_error_set(err, "out of memory");
	return 0;
}

/* ---- tokens ------------------------------------------------------------------------------------ */

/* Tokens live until well after the follow-up: a late reply still finds its request. */
static time_t
token_expiry(const struct flow *f, const struct program *p)
{
	struct fb_date start, end;
	time_t at;
	int days = 7 * (p->weeks + f->cfg->program.followup_weeks + 8);

	if (fbtime_parse_date(p->start_date, &start, NULL) < 0)
		return f->now + (time_t)days * 86400;
	end = fbtime_date_add_days(&start, days);
	if (fbtime_local_to_utc(p->timezone, &end, 0, 0, &at, NULL) < 0)
		return f->now + (time_t)days * 86400;
	return at > f->now ? at : f->now + 86400;
}

static int
token_store(const struct flow *f, const struct program *p, const struct outmail_token *t,
    const char *token, struct fb_error *err)
{
	struct store_token row = { p->id, t->member_id, t->facilitator_id, t->ref_id };

	return store_token_add(f->db, token, token_purpose_name(t->purpose), &row, f->now,
	    token_expiry(f, p), err);
}

int
outmail_token_get(const struct flow *f, const char *token, struct outmail_token *out,
    int64_t *program_id, struct fb_error *err)
{
	struct buf purpose = BUF_INIT;
	struct store_token row;
	int rc = store_token_get(f->db, token, f->now, &purpose, &row, err);

	if (rc != 0) {
		buf_release(&purpose);
		return rc;
	}
	out->purpose = token_purpose_from_name(purpose.data);
	buf_release(&purpose);
	*program_id = row.program_id;
	out->member_id = row.member_id;
	out->facilitator_id = row.facilitator_id;
	out->ref_id = row.ref_id;
	return 0;
}

/* ---- the signature ------------------------------------------------------------------------- */

/* The coordinator's address for p: the programme's organizer, else the configuration's (which
 * is from_address when the file leaves it empty). As invite_organizer(), which the invitations
 * use; not called from here, so that invite and outmail do not call each other. */
static const char *
coordinator_address_of(const struct flow *f, const struct program *p)
{
	if (p->organizer != NULL && p->organizer[0] != '\0')
		return p->organizer;
	return f->cfg->feedbackd.coordinator_address;
}

/*
 * The coordinator's name ([feedbackd] coordinator_name) when the coordinator of p is the one the
 * configuration names: a programme with an organizer of its own has another coordinator, whose
 * name nobody gave. NULL when no name is known.
 */
static const char *
coordinator_name_of(const struct flow *f, const struct program *p)
{
	const struct config_feedbackd *fc = &f->cfg->feedbackd;

	if (fc->coordinator_name == NULL || fc->coordinator_name[0] == '\0')
		return NULL;
	if (strcasecmp(coordinator_address_of(f, p), fc->coordinator_address) != 0)
		return NULL;
	return fc->coordinator_name;
}

/* Who signs: see outmail.h. A signature never stops a mail: a failed look-up signs as the
 * coordinator would. */
int
outmail_signer(const struct flow *f, const struct outmail_msg *om, struct buf *out)
{
	const struct program *p = om->program;
	const char *coordinator = coordinator_name_of(f, p);
	struct member m = { 0 };
	struct facilitator_list fl = { 0 };
	struct fb_error e;
	char spec[24];

	if (om->signer != NULL && om->signer[0] != '\0')
		return buf_adds(out, om->signer);
	if (om->member_id > 0) {
		snprintf(spec, sizeof(spec), "%lld", (long long)om->member_id);
		if (store_member_find(f->db, p->id, 0, spec, &m, &e) == 0 &&
		    store_facilitator_list(f->db, 0, m.team_id, &fl, &e) == 0)
			for (size_t i = 0; i < fl.n && out->len == 0; i++)
				if (fl.v[i].name != NULL && fl.v[i].name[0] != '\0' &&
				    buf_adds(out, fl.v[i].name) < 0) {
					store_facilitator_list_release(&fl);
					store_member_release(&m);
					return -1;
				}
		store_facilitator_list_release(&fl);
		store_member_release(&m);
		if (out->len > 0)
			return 0;
	}
	if (coordinator == NULL || (om->to_addr != NULL &&
	    strcasecmp(om->to_addr, coordinator_address_of(f, p)) == 0))
		return 0;
	return buf_adds(out, coordinator);
}

/* ---- queueing ---------------------------------------------------------------------------------- */

/* "feedback@example.org" + token → "feedback+TOKEN@example.org" */
static int
plus_address(const char *addr, const char *token, struct buf *out)
{
	const char *at = strrchr(addr, '@');

	if (at == NULL)
		return buf_addf(out, "%s+%s", addr, token);
	return buf_addf(out, "%.*s+%s%s", (int)(at - addr), addr, token, at);
}

int
outmail_token_new(char out[TOKEN_LEN + 1], struct fb_error *err)
{
	unsigned char rnd[TOKEN_RANDOM_BYTES];

	if (fbrandom_bytes(rnd, sizeof(rnd), err) < 0)
		return fb_error_prefix(err, "cannot make a reply token: ");
	token_new(out, rnd);
	return 0;
}

/* The fixed "random" bytes of a copy (raw_out): a copy made twice is the same copy. */
static void
example_bytes(unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (unsigned char)(0x5a ^ (i * 37));
}

void
outmail_example_token(char out[TOKEN_LEN + 1])
{
	unsigned char rnd[TOKEN_RANDOM_BYTES];

	example_bytes(rnd, sizeof(rnd));
	token_new(out, rnd);
}

int
outmail_verp(const char *bounce_address, char token_out[TOKEN_LEN + 1], struct buf *out,
    struct fb_error *err)
{
	if (outmail_token_new(token_out, err) < 0)
		return -1;
	if (plus_address(bounce_address, token_out, out) < 0)
		return fb_error_set(err, "out of memory");
	return 0;
}

int
outmail_queue(const struct flow *f, const struct outmail_msg *m,
    char token_out[TOKEN_LEN + 1], struct fb_error *err)
{
	const struct config_feedbackd *fc = &f->cfg->feedbackd;
	const struct template_set *set = outmail_templates_for(f->tpl,
	    m->lang ? m->lang : m->program->language);
	struct template_output o;
	struct buf reply_to = BUF_INIT, msgid = BUF_INIT, subject = BUF_INIT, raw = BUF_INIT;
	struct buf verp = BUF_INIT, signer = BUF_INIT;
	char token[TOKEN_LEN + 1] = "", btoken[TOKEN_LEN + 1];
	unsigned char rnd[COMPOSE_RANDOM_BYTES + TOKEN_RANDOM_BYTES + TOKEN_ID_RANDOM_BYTES];
	struct compose_header kind = { "X-Feedbackd-Kind", m->kind };
	int rc = -1;

	template_output_init(&o);
	/* A member who left gets no mail of any kind, whichever path made it, but the
	 * cancellation of what they were invited to (their calendar must not keep it). */
	if (m->raw_out == NULL && m->member_id > 0 && strcmp(m->kind, "invite_cancel") != 0 &&
	    strcmp(m->kind, "moment_cancel") != 0) {
		int active = store_member_active(f->db, m->member_id, err);

		if (active == 0 && m->outbox_id != NULL)
			*m->outbox_id = 0;
		if (active <= 0)
			return active;
	}
	/* The token first: what is rendered may need the reply address (prepare). A copy gets
	 * the example token, stored nowhere: it answers nothing. */
	if (m->token != NULL) {
		if (m->raw_out != NULL)
			outmail_example_token(token);
		else if (outmail_token_new(token, err) < 0 ||
		    token_store(f, m->program, m->token, token, err) < 0)
			goto out;
		if (plus_address(fc->reply_address, token, &reply_to) < 0)
			goto oom;
	}
	if (m->prepare != NULL && m->prepare(m->prepare_arg, m->token ? reply_to.data :
	    fc->reply_address, token, m->values, err) < 0)
		goto out;
	if (outmail_signer(f, m, &signer) < 0)
		goto oom;
	if (template_set(m->values, "program", m->program->name) < 0 ||
	    (signer.len > 0 && template_set(m->values, "signer", signer.data) < 0) ||
	    template_render(set, m->kind, m->values, &o, err) < 0)
		goto out;
	if (buf_adds(&subject, o.subject.data ? o.subject.data : "") < 0)
		goto oom;
	if (m->token != NULL && buf_addf(&subject, " [#%s]", token) < 0)
		goto oom;
	/* One read of the kernel's randomness for the Message-ID's token and bits and the
	 * boundary: compose, token and the id take them as input. */
	char idtok[TOKEN_LEN + 1];
	if (m->raw_out != NULL)
		example_bytes(rnd, sizeof(rnd)); /* a copy: the same bytes every time */
	else if (fbrandom_bytes(rnd, sizeof(rnd), err) < 0)
		goto out;
	if (m->token == NULL)
		token_new(idtok, rnd + COMPOSE_RANDOM_BYTES);
	if (token_message_id(m->token ? token : idtok, fc->domain,
	    rnd + COMPOSE_RANDOM_BYTES + TOKEN_RANDOM_BYTES, &msgid) < 0)
		goto oom;

	struct compose_msg c = {
		.from_addr = m->from_addr ? m->from_addr : fc->from_address,
		.from_name = fc->from_name,
		.to_addr = m->to_addr,
		.to_name = m->to_name,
		.reply_to = reply_to.len ? reply_to.data : NULL,
		.subject = subject.data,
		.date = f->now,
		.tz = m->program->timezone,
		.message_id = msgid.data,
		.random = rnd,
		.in_reply_to = m->in_reply_to,
		.automatic = 1,
		.text = o.text.data ? o.text.data : "",
		.html = o.html.data,
		.calendar = m->calendar,
		.calendar_method = m->calendar_method,
		.headers = &kind,
		.nheaders = 1,
		.inlines = m->inlines,
		.ninlines = m->ninlines,
	};
	if (compose_build(&c, &raw, err) < 0)
		goto out;
	if (m->raw_out != NULL) {
		/* The very message the outbox would get, for the caller to keep: nothing queued. */
		if (buf_add(m->raw_out, raw.data, raw.len) < 0)
			goto oom;
		rc = 0;
		goto out;
	}
	/* The outbox keeps Message-IDs without their brackets. */
	if (msgid.len > 2 && msgid.data[0] == '<') {
		memmove(msgid.data, msgid.data + 1, msgid.len - 2);
		buf_truncate(&msgid, msgid.len - 2);
	}
	/* A waiting row replaced keeps its envelope sender (its VERP token) and its place. */
	if (m->replace_id > 0) {
		struct outbox_new rep = {
			.message_id = msgid.data, .subject = subject.data, .raw = raw.data,
			.len = raw.len,
		};
		int n = queue_outbox_replace(f->db, m->replace_id, &rep, err);

		if (n < 0)
			goto out;
		if (m->outbox_id != NULL)
			*m->outbox_id = n > 0 ? m->replace_id : 0;
		if (n > 0 && token_out != NULL)
			memcpy(token_out, token, sizeof(token));
		rc = 0;
		goto out;
	}
	/* Its own envelope sender: a bounce that names it proves it is about this row. */
	if (outmail_verp(f->cfg->outgoing.bounce_address, btoken, &verp, err) < 0)
		goto out;
	struct outbox_new row = {
		.message_id = msgid.data,
		.kind = m->kind,
		.sender = verp.data,
		.bounce_token = btoken,
		.recipient = m->to_addr,
		.subject = subject.data,
		.raw = raw.data,
		.len = raw.len,
		.program_id = m->program->id,
		.member_id = m->member_id,
		.inbox_id = m->inbox_id,
		.priority = outmail_priority(m->kind),
		.about_at = m->about_at,
		.about_uid = m->about_uid,
	};
	int superseded = budget_supersede(f, &row, err);

	if (superseded < 0)
		goto out;
	/* Automatic mail to a member is the budget's to let go (budget.h); the rest is paced,
	 * and so is the update of an event the member already got (feedbackd.conf(5): updates
	 * are never held or counted). */
	if (m->member_id > 0 && mailkind_budgeted(m->kind) &&
	    !(m->event_update && superseded == 0)) {
		if (budget_queue(f, m->program, &row, m->outbox_id, m->goes_at, err) < 0)
			goto out;
	} else if (pace_add(f->db, &row, f->now, f->cfg->outgoing.per_recipient_daily_cap,
	    m->outbox_id, m->goes_at, err) < 0)
		goto out;
	if (token_out != NULL)
		memcpy(token_out, token, sizeof(token));
	rc = 0;
	goto out;
oom:
	fb_error_set(err, "out of memory composing %s", m->kind);
out:
	template_output_release(&o);
	buf_release(&reply_to);
	buf_release(&verp);
	buf_release(&signer);
	buf_release(&msgid);
	buf_release(&subject);
	buf_release(&raw);
	return rc;
}
