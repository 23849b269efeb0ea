/*
 * apply_report — a facilitator's reply to the weekly report (or to its confirmation):
 *   ratings    "F12: 4" — the anonymous quality ratings, stored by store_report.h;
 *   commands   "Herinner: Piet" / "Nudge: Piet" / "Remind: Piet" — a friendly reminder mail to
 *              that member (facilitator_reminder, with a token so the member can answer with a
 *              request or feedback right away); "Herinner: Piet — succes met je presentatie"
 *              passes a personal line on in it (split_personal());
 *              "Afwezig: Piet 2027-02-01 t/m 2027-02-12" / "Away: Piet until 2027-02-12" /
 *              "Afwezig: Piet vanaf maandag t/m 12 maart" (any day dayword.h reads) — an
 *              absence (source "facilitator"), so the weekly report lists the member as away
 *              and the weekly nudges skip them.
 * Names are matched (match.h) within the facilitator's own team only, by address, full name or
 * a first name only one member has; a name that is unknown, fits several members or is only a
 * typo away from one is explained back, never guessed. The facilitator gets one answer listing
 * what was done and what was not (facilitator_confirmation; ratings_received when the reply had
 * ratings only): each rating's outcome and each problem as flags and values, the sentences in
 * the templates, in the programme's language. The sender must be the facilitator's address; anything else is quarantined like
 * a member's reply from a stranger.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apply_int.h"
#include "dayword.h"
#include "fbtime.h"
#include "match.h"
#include "report_ratings.h"
#include "store_report.h"
#include "template.h"
#include "banned.h"

#define COMMANDS_MAX 50      /* commands read from one reply; the rest are reported back */
#define AWAY_MAX_DAYS 366    /* the longest absence a facilitator can set by mail */
#define PERSONAL_MAX 300     /* characters of a personal line in a reminder: a line, not a
                                letter (a longer one is explained back, nothing sent) */

/* The start a day word names, said on today: the coming day of a week, or a day of a month
 * up to a month back ("vanaf 1 februari" on the 10th is the 1st that went). */
static int
place_from(const char *s, size_t len, const struct fb_date *today, struct fb_date *from)
{
	struct dayword w;
	struct fb_date nb = *today;

	if (dayword_parse(s, len, &w) < 0)
		return -1;
	if (w.kind == DAYWORD_MONTHDAY)
		nb = fbtime_date_add_days(today, -31);
	return dayword_resolve(&w, today, &nb, from);
}

/* The last case-insensitive occurrence of word in s[0..len); NULL when none. */
static const char *
last_word(const char *s, size_t len, const char *word)
{
	size_t wl = strlen(word);

	for (size_t i = len >= wl ? len - wl + 1 : 0; i-- > 0;)
		if (strncasecmp(s + i, word, wl) == 0)
			return s + i;
	return NULL;
}

/*
 * An away command's member and start: "Piet 2027-02-01" (the first date of "Piet 2027-02-01
 * t/m 2027-02-12"), "Piet 1 februari", "Piet van 2027-02-01", "Piet vanaf maandag", "Piet from
 * tomorrow" or just "Piet". Without "vanaf"/"van"/"from" only a day with a digit in it is
 * taken from the end ("Jan Vrijdag" is a name). The name's length goes to *name_len; *from is
 * set and 1 returned when a start was given.
 */
static int
split_from(const char *s, size_t *name_len, const struct fb_date *today, struct fb_date *from)
{
	static const char *const words[] = { " vanaf ", " van ", " from " };
	size_t len = strlen(s);

	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '.'))
		len--;
	*name_len = len;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		const char *at = last_word(s, len, words[i]);
		const char *day = at != NULL ? at + strlen(words[i]) : NULL;

		if (at != NULL && at > s &&
		    place_from(day, len - (size_t)(day - s), today, from) == 0) {
			*name_len = (size_t)(at - s);
			return 1;
		}
	}
	/* "Piet 1 februari 2027": the longest run of the last words that is a day */
	for (size_t words_back = 4; words_back > 0; words_back--) {
		size_t start = len, k = 0;

		while (start > 0) {
			start--;
			if (s[start] == ' ' && ++k == words_back)
				break;
		}
		if (k != words_back)
			continue;
		if (dayword_has_digit(s + start + 1, len - start - 1) &&
		    place_from(s + start + 1, len - start - 1, today, from) == 0) {
			while (start > 0 && s[start - 1] == ' ')
				start--;
			*name_len = start;
			return 1;
		}
	}
	return 0;
}

/*
 * "Tom — succes met je presentatie": the member's name is s[0..*name_len), the personal line
 * (NULL: none) goes into line with its white space (line ends too) folded to single spaces and
 * control characters left out. What separates them: an em or en dash (with or without spaces
 * around it), a hyphen with a space on both sides, or a colon. A hyphen inside a name
 * ("Anne-Marie") separates nothing, nor does anything in an address but a colon. -1 on ENOMEM.
 */
static int
split_personal(const char *s, size_t *name_len, struct buf *line)
{
	static const char *const seps[] = { "\xE2\x80\x94", "\xE2\x80\x93", " - ", ":" };
	const char *cut = NULL, *rest = NULL;
	size_t len = strlen(s);
	int space = 0;

	for (size_t i = 0; i < sizeof(seps) / sizeof(seps[0]); i++) {
		const char *hit = strstr(s, seps[i]);

		if (hit != NULL && (cut == NULL || hit < cut)) {
			cut = hit;
			rest = hit + strlen(seps[i]);
		}
	}
	*name_len = len;
	if (cut == NULL)
		return 0;
	*name_len = (size_t)(cut - s);
	while (*name_len > 0 && (s[*name_len - 1] == ' ' || s[*name_len - 1] == '\t'))
		(*name_len)--;
	for (const char *p = rest; *p; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
			space = line->len > 0;
			continue;
		}
		if (ch < 0x20 || ch == 0x7f)
			continue;
		if ((space && buf_addch(line, ' ') < 0) || buf_addch(line, (char)ch) < 0)
			return -1;
		space = 0;
	}
	return 0;
}

/* One name that led to nobody, or to someone who cannot be reminded, for the answer. */
static int
add_problem(struct template_values *v, const char *query, const struct match_result *r,
    const struct apply_team *t, const char *flag, const char *until)
{
	struct template_values *p = template_add_item(v, "problems");
	struct buf cands = BUF_INIT;
	int rc;

	if (p == NULL)
		return -1;
	for (size_t i = 0; r != NULL && i < r->nalternatives; i++)
		buf_putf(&cands, "%s%s", i == 0 ? "" : i + 1 == r->nalternatives ? " / " : ", ",
		    t->who[r->alternatives[i]]->name);
	if (r != NULL && r->how == MATCH_FUZZY)
		buf_puts(&cands, t->who[r->index]->name);
	if (buf_failed(&cands)) {
		buf_release(&cands);
		return -1;
	}
	rc = template_set(p, "query", query) | template_set(p, flag, "1") |
	    template_set(p, "candidates", cands.data) | template_set(p, "until", until);
	buf_release(&cands);
	return rc;
}

/* The member meant by query: 0 and *who set, 1 when a problem was added instead, -1 memory. */
static int
resolve(const struct apply_team *t, const char *query, struct template_values *v,
    const struct member **who)
{
	struct match_result r;

	switch (match_colleague(t->cand, t->n, query, &r)) {
	case MATCH_ADDRESS:
	case MATCH_NAME:
	case MATCH_FIRST_NAME:
		*who = t->who[r.index];
		return 0;
	case MATCH_FUZZY:
		return add_problem(v, query, &r, t, "suggest", NULL) < 0 ? -1 : 1;
	case MATCH_AMBIGUOUS:
		return add_problem(v, query, &r, t, "ambiguous", NULL) < 0 ? -1 : 1;
	case MATCH_NONE:
		break;
	}
	/* Someone who left the programme: say so, rather than "we do not know this name". */
	if (t->ngone > 0) {
		struct match_result g;

		switch (match_colleague(t->gone_cand, t->ngone, query, &g)) {
		case MATCH_ADDRESS:
		case MATCH_NAME:
		case MATCH_FIRST_NAME:
			return add_problem(v, query, NULL, t, "left", NULL) < 0 ? -1 : 1;
		default:
			break;
		}
	}
	return add_problem(v, query, &r, t, "unknown", NULL) < 0 ? -1 : 1;
}

/* "Herinner: Piet": the reminder to the member, with a token to answer it. */
static int
remind(struct ctx *c, const struct facilitator *fac, const struct apply_team *t,
    const struct member *m, int week, const char *personal, struct template_values *conf)
{
	struct template_values *v = template_values_new(), *it;
	struct outmail_token tok = { PURPOSE_ASK, m->id, 0, 0 };
	struct outmail_msg msg = {
		.kind = "facilitator_reminder", .program = &c->program,
		.lang = apply_lang(c, m), .to_addr = m->address, .to_name = m->name,
		.member_id = m->id, .token = &tok, .inbox_id = c->inbox_id, .values = v,
		.signer = fac->name, /* the facilitator who asked for it, not the team's first */
	};
	const char *example = NULL;
	int rc = -1;

	for (size_t i = 0; i < t->n && example == NULL; i++)
		if (t->who[i]->id != m->id)
			example = t->who[i]->name;
	if (v == NULL || template_set(v, "name", m->name) < 0 ||
	    template_set(v, "facilitator", fac->name ? fac->name : fac->address) < 0 ||
	    template_set(v, "team", fac->team_name) < 0 ||
	    template_setf(v, "week", "%d", week) < 0 ||
	    template_setf(v, "weeks", "%d", c->program.weeks) < 0 ||
	    template_set(v, "example", example) < 0 ||
	    template_set(v, "personal", personal) < 0) {
		fb_error_set(c->err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < t->n; i++) {
		if (t->who[i]->id == m->id)
			continue;
		if ((it = template_add_item(v, "colleagues")) == NULL ||
		    template_set(it, "name", t->who[i]->name) < 0) {
			fb_error_set(c->err, "out of memory");
			goto out;
		}
	}
	if (outmail_queue(c->f, &msg, NULL, c->err) < 0)
		goto out;
	if ((it = template_add_item(conf, "reminded")) == NULL ||
	    template_set(it, "name", m->name) < 0 || template_set(it, "personal", personal) < 0) {
		fb_error_set(c->err, "out of memory");
		goto out;
	}
	rc = 0;
out:
	template_values_free(v);
	return rc;
}

/* "Afwezig: Piet 2027-02-01 t/m 2027-02-12": an absence row. 0 when recorded, 1 when the
 * dates cannot be (explained in conf), -2 with c->err. */
static int
mark_away(struct ctx *c, const struct member *m, const struct fields_command *cmd,
    const struct fb_date *from, const struct fb_date *today, struct template_values *conf)
{
	struct fb_date until;
	struct buf f = BUF_INIT, u = BUF_INIT, shown = BUF_INIT;
	struct template_values *it;
	int rc = -2;

	if (cmd->until != NULL) {
		struct dayword w;

		if (dayword_parse(cmd->until, strlen(cmd->until), &w) < 0 ||
		    dayword_resolve(&w, today, from, &until) < 0) {
			fb_error_set(c->err, "\"%s\" is not a day", cmd->until);
			return -2;
		}
	} else {
		/* No end date: away for the rest of the start's week, as the weekly report counts. */
		until = fbtime_date_add_days(from, 7 - fbtime_weekday(from));
	}
	if (fbtime_format_date(from, &f) < 0 || fbtime_format_date(&until, &u) < 0) {
		fb_error_set(c->err, "out of memory");
		goto out;
	}
	if (fbtime_date_cmp(&until, from) < 0 || fbtime_date_cmp(&until, today) < 0 ||
	    fbtime_days_between(from, &until) > AWAY_MAX_DAYS) {
		rc = 1;
		/* the end date as the facilitator reads it, in the confirmation's language */
		if (fbtime_format_human_date(&until, c->program.language, today->year, &shown) < 0 ||
		    add_problem(conf, cmd->name, NULL, NULL, "dates", shown.data) < 0) {
			fb_error_set(c->err, "out of memory");
			rc = -2;
		}
		goto out;
	}
	if (store_absence_add(c->f->db, m->id, f.data, u.data, "facilitator", c->inbox_id,
	    c->f->now, c->err) < 0)
		goto out;
	if ((it = template_add_item(conf, "away")) == NULL || template_set(it, "name", m->name) < 0 ||
	    template_set_date(it, "from", from, today->year) < 0 ||
	    template_set_date(it, "until", &until, today->year) < 0) {
		fb_error_set(c->err, "out of memory");
		goto out;
	}
	rc = 0;
out:
	buf_release(&f);
	buf_release(&u);
	buf_release(&shown);
	return rc;
}

/* Carry out the reply's commands; what was done and what not goes into conf. The counts of
 * what was done go to *done, of what was not to *failed. 0, or -1 with c->err. */
static int
run_commands(struct ctx *c, const struct facilitator *fac, struct template_values *conf,
    size_t *done, size_t *failed)
{
	const struct fields *fl = &c->fields;
	struct apply_team t;
	struct fb_date today;
	char today_s[11];
	int64_t reminded[COMMANDS_MAX];
	size_t nreminded = 0;
	int week, rc = -1;

	*done = *failed = 0;
	if ((week = flow_week(c->f, &c->program, c->err)) < 0 ||
	    flow_today(c->f, &c->program, today_s, c->err) < 0 ||
	    fbtime_parse_date(today_s, &today, c->err) < 0 ||
	    apply_team_load(c, fac->team_id, &t) < 0)
		return -1;
	for (size_t i = 0; i < fl->ncommands; i++) {
		const struct fields_command *cmd = &fl->commands[i];
		const struct member *m = NULL;
		struct fb_date from = today;
		struct buf name = BUF_INIT, personal = BUF_INIT;
		size_t name_len = strlen(cmd->name);
		int r, twice = 0;

		if (i >= COMMANDS_MAX) {
			/* The rest is not read: said once, with the first one left out. */
			(*failed)++;
			if (add_problem(conf, cmd->name, NULL, NULL, "toomany", NULL) < 0)
				goto oom;
			break;
		}
		if (cmd->kind == FIELDS_CMD_AWAY)
			split_from(cmd->name, &name_len, &today, &from);
		else if (split_personal(cmd->name, &name_len, &personal) < 0)
			goto oom;
		if (buf_add(&name, cmd->name, name_len) < 0) {
			buf_release(&personal);
			goto oom;
		}
		/* r: 0 done, 1 not done (explained in conf), -1 memory, -2 error in c->err */
		r = resolve(&t, name.data ? name.data : "", conf, &m);
		buf_release(&name);
		if (r == 0 && cmd->kind == FIELDS_CMD_NUDGE &&
		    buf_utf8_width(personal.data ? personal.data : "", personal.len) > PERSONAL_MAX) {
			/* too long for a line: said back with the limit, nothing sent */
			char max[16];

			snprintf(max, sizeof(max), "%d", PERSONAL_MAX);
			r = add_problem(conf, m->name, NULL, NULL, "toolong", max) < 0 ? -1 : 1;
		} else if (r == 0 && cmd->kind == FIELDS_CMD_NUDGE) {
			int away = store_member_is_away(c->f->db, m->id, today_s, c->err);

			for (size_t k = 0; k < nreminded; k++)
				twice |= reminded[k] == m->id;
			if (away < 0)
				r = -2;
			else if (twice) {
				buf_release(&personal);
				continue; /* named twice: reminded once */
			} else if (away)
				r = add_problem(conf, m->name, NULL, NULL, "absent", NULL) < 0 ? -1 : 1;
			else if (m->undeliverable_at != 0)
				r = add_problem(conf, m->name, NULL, NULL, "unreachable", NULL) < 0 ?
				    -1 : 1;
			else if ((r = remind(c, fac, &t, m, week, personal.len > 0 ? personal.data :
			    NULL, conf)) == 0)
				reminded[nreminded++] = m->id;
			else
				r = -2;
		} else if (r == 0) {
			r = mark_away(c, m, cmd, &from, &today, conf);
		}
		buf_release(&personal);
		if (r == -1)
			goto oom;
		if (r < 0)
			goto out;
		if (r == 0)
			(*done)++;
		else
			(*failed)++;
	}
	/* Who can be named, when a name could not be placed. */
	if (*failed > 0) {
		for (size_t i = 0; i < t.n; i++) {
			struct template_values *it = template_add_item(conf, "members");

			if (it == NULL || template_set(it, "name", t.who[i]->name) < 0)
				goto oom;
		}
	}
	rc = 0;
	goto out;
oom:
	fb_error_set(c->err, "out of memory");
out:
	apply_team_release(&t);
	return rc;
}

static int
is_rating_problem(enum fields_problem kind)
{
	return kind == FIELDS_PROBLEM_RATING_OUT_OF_RANGE || kind == FIELDS_PROBLEM_RATING_TWICE;
}

/* The fields' problems (a date that is not a date, a command without a name) for the answer:
 * each an item of "notes" with its line, a flag for its kind and the value it concerns. Rating
 * problems are told with the ratings (add_ratings()). */
static int
add_notes(const struct fields *fl, struct template_values *v)
{
	for (size_t i = 0; i < fl->nproblems; i++) {
		const struct fields_note *nt = &fl->problems[i];
		struct template_values *p;

		if (is_rating_problem(nt->kind))
			continue;
		if ((p = template_add_item(v, "notes")) == NULL ||
		    template_setf(p, "line", "%zu", nt->line) < 0 ||
		    template_set(p, fields_problem_flag(nt->kind), "1") < 0 ||
		    (nt->q > 0 && template_setf(p, "question", "%u", nt->q) < 0) ||
		    template_set(p, "value", nt->value) < 0)
			return -1;
	}
	return 0;
}

/* What became of each rating, as items of "ratings": the sample's id, the rating, the line, a
 * flag for the outcome (recorded, unknown, other_team, out_of_range, twice) and, when out of
 * range, the value as written. The words are in the templates. */
static int
add_ratings(const struct report_rating_outcomes *o, struct template_values *v)
{
	for (size_t i = 0; i < o->n; i++) {
		const struct report_rating_outcome *r = &o->v[i];
		struct template_values *it = template_add_item(v, "ratings");
		const char *flag;

		switch (r->result) {
		case REPORT_RATING_RECORDED:
			flag = "recorded";
			break;
		case REPORT_RATING_UNKNOWN:
			flag = "unknown";
			break;
		case REPORT_RATING_OTHER_TEAM:
			flag = "other_team";
			break;
		case REPORT_RATING_PROBLEM:
		default:
			flag = r->problem == FIELDS_PROBLEM_RATING_TWICE ? "twice" : "out_of_range";
			break;
		}
		if (it == NULL || template_set(it, "id", r->id) < 0 ||
		    template_setf(it, "line", "%zu", r->line) < 0 ||
		    template_set(it, flag, "1") < 0 ||
		    (r->score > 0 && template_setf(it, "score", "%d", r->score) < 0) ||
		    template_set(it, "value", r->value) < 0)
			return -1;
	}
	return 0;
}

int
apply_report_reply(struct ctx *c, int64_t facilitator_id)
{
	struct facilitator_list fl = { 0 };
	const struct facilitator *fac = NULL;
	struct report_rating_outcomes ratings = REPORT_RATING_OUTCOMES_INIT;
	struct template_values *v = NULL;
	size_t done = 0, failed = 0, nrating_problems = 0;
	int n = 0, rc = -1;

	if (store_facilitator_list(c->f->db, c->program.id, 0, &fl, c->err) < 0)
		return -1;
	for (size_t i = 0; i < fl.n; i++)
		if (fl.v[i].id == facilitator_id)
			fac = &fl.v[i];
	if (fac == NULL) {
		apply_set(c, INBOX_IGNORED, "a reply to a weekly report of a facilitator who is no "
		    "longer named");
		rc = 0;
		goto out;
	}
	if (!(c->flags & APPLY_TRUST_SENDER) && c->f->cfg->security.sender_must_match &&
	    strcasecmp(fac->address, c->sender) != 0) {
		apply_set(c, INBOX_QUARANTINED, "sent from %s, but the weekly report it answers went to "
		    "%s: held for the coordinator", c->sender, fac->address);
		rc = 0;
		goto out;
	}
	for (size_t i = 0; i < c->fields.nproblems; i++)
		nrating_problems += is_rating_problem(c->fields.problems[i].kind);
	if (c->fields.nratings == 0 && nrating_problems == 0 && c->fields.ncommands == 0) {
		apply_set(c, INBOX_IGNORED, "a reply to the weekly report without ratings (\"F12: 4\") "
		    "or commands (\"Herinner: NAME\", \"Afwezig: NAME t/m DATE\")");
		rc = 0;
		goto out;
	}
	if ((v = template_values_new()) == NULL) {
		fb_error_set(c->err, "out of memory");
		goto out;
	}
	if ((c->fields.nratings > 0 || nrating_problems > 0) &&
	    (n = report_ratings_apply(c->f->db, fac->id, &c->fields, c->f->now, &ratings,
	    c->err)) < 0)
		goto out;
	if (c->fields.ncommands > 0 && run_commands(c, fac, v, &done, &failed) < 0)
		goto out;
	if (add_ratings(&ratings, v) < 0 ||
	    (ratings.n > 0 && n == 0 && template_set(v, "none_recorded", "1") < 0) ||
	    template_set(v, "name", fac->name ? fac->name : "") < 0 ||
	    template_set(v, "team", fac->team_name) < 0 ||
	    (c->fields.ncommands > 0 && add_notes(&c->fields, v) < 0)) {
		fb_error_set(c->err, "out of memory");
		goto out;
	}
	if (apply_may_answer(c) > 0) {
		struct outmail_token t = { PURPOSE_REPORT, 0, fac->id, fac->team_id };
		struct outmail_msg m = {
			.kind = c->fields.ncommands > 0 ? "facilitator_confirmation" :
			    "ratings_received", .program = &c->program, .to_addr = fac->address,
			.to_name = fac->name, .token = &t, .in_reply_to = c->msg->message_id,
			.inbox_id = c->inbox_id, .values = v,
		};

		if (outmail_queue(c->f, &m, NULL, c->err) < 0)
			goto out;
	}
	if (c->fields.ncommands > 0)
		apply_set(c, INBOX_APPLIED, "%d rating%s, %zu command%s of %s carried out%s", n,
		    n == 1 ? "" : "s", done, done == 1 ? "" : "s", fac->address, failed ?
		    "; some names not placed (explained back)" : "");
	else
		apply_set(c, INBOX_APPLIED, "%d rating%s of %s recorded", n, n == 1 ? "" : "s",
		    fac->address);
	rc = 0;
out:
	template_values_free(v);
	report_rating_outcomes_release(&ratings);
	store_facilitator_list_release(&fl);
	return rc;
}
