/*
 * tipflow — read the tips, choose and record a member's tip of the week. See include/tipflow.h.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "overlay.h"
#include "store_feedback.h"
#include "store_tips.h"
#include "tipflow.h"
#include "banned.h"

static const char *const langs[] = { "nl", "en" };

void
tipflow_release(struct tipflow_tips *t)
{
	if (t == NULL)
		return;
	tips_release(&t->nl);
	tips_release(&t->en);
}

const struct tip_set *
tipflow_for(const struct tipflow_tips *t, const char *lang)
{
	return lang != NULL && strcmp(lang, "en") == 0 ? &t->en : &t->nl;
}

/* One language's file: 1 when it came from dir, 0 when built in; -1 with err. */
static int
load_lang(const char *dir, const char *lang, struct tip_set *out, struct fb_error *err)
{
	struct buf path = BUF_INIT, text = BUF_INIT, shown = BUF_INIT;
	int rc = -1, from_dir = 0;

	if (buf_addf(&path, "%s/tips.txt", lang) < 0) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	/* dir/<lang>/tips.txt first; the built-in copy lives under tips/ in mail-templates/ */
	if (dir != NULL && *dir != '\0') {
		if ((rc = overlay_read(dir, path.data, TIPS_MAX_FILE + 1, &text, &shown, err)) < 0)
			goto out;
		from_dir = rc == 0 && strncmp(shown.data, "(built-in)", 10) != 0;
		if (!from_dir)
			buf_reset(&text);
	}
	if (!from_dir) {
		buf_reset(&path);
		if (buf_addf(&path, "tips/%s/tips.txt", lang) < 0) {
			rc = fb_error_set(err, "out of memory");
			goto out;
		}
		if ((rc = overlay_read(NULL, path.data, TIPS_MAX_FILE + 1, &text, &shown, err)) < 0)
			goto out;
		if (rc == 1) {
			rc = fb_error_set(err, "(built-in) mail-templates/%s: missing", path.data);
			goto out;
		}
	}
	rc = tips_parse(shown.data, text.data ? text.data : "", text.len, out, err);
	if (rc == 0)
		rc = from_dir;
out:
	buf_release(&path);
	buf_release(&text);
	buf_release(&shown);
	return rc;
}

int
tipflow_load(const char *dir, struct tipflow_tips *out, struct fb_error *err)
{
	struct tip_set *sets[] = { &out->nl, &out->en };
	int from_dir = 0, rc;

	tipflow_release(out);
	for (size_t i = 0; i < sizeof(langs) / sizeof(langs[0]); i++) {
		if ((rc = load_lang(dir, langs[i], sets[i], err)) < 0) {
			tipflow_release(out);
			return -1;
		}
		from_dir += rc;
	}
	if (dir != NULL && *dir != '\0' && from_dir == 0) {
		tipflow_release(out);
		return fb_error_set(err, "tips_dir %s holds neither nl/tips.txt nor en/tips.txt "
		    "(the format: mail-templates/README.md)", dir);
	}
	return 0;
}

/* The member's figures over weeks 1..week. */
static int
figures(const struct flow *f, const struct member *m, int week, struct tip_figures *out,
    struct fb_error *err)
{
	struct feedback_counts n;
	struct store_tip_counts t;

	if (store_member_counts(f->db, m->id, 1, week, &n, err) < 0 ||
	    store_tip_counts(f->db, m->id, 1, week, &t, err) < 0)
		return -1;
	out->given = n.given;
	out->received = n.received;
	out->requested = n.requested;
	out->given_beyond_confirmation = t.given_beyond_confirmation;
	out->reactions = t.reactions;
	return 0;
}

static int
choose(const struct flow *f, const struct tip_set *set, const struct member *m, int week,
    int record, struct template_values *v, struct fb_error *err)
{
	struct store_tip_list given = { 0 };
	const char **ids = NULL;
	const struct tip *t = NULL;
	struct tip_figures fig;
	enum tip_pattern pat;
	int rc = -1;

	if (store_tips_given(f->db, m->id, &given, err) < 0)
		return -1;
	for (size_t i = 0; i < given.n; i++)
		if (given.v[i].week == week) {
			/* this week's nudge made again: the same tip, or none if it is gone */
			t = tips_find(set, given.v[i].tip_id);
			rc = t != NULL && template_set(v, "tip", t->text) < 0 ?
			    fb_error_set(err, "out of memory") : 0;
			goto out;
		}
	if (figures(f, m, week, &fig, err) < 0)
		goto out;
	if (given.n > 0 && (ids = calloc(given.n, sizeof(*ids))) == NULL) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < given.n; i++)
		ids[i] = given.v[i].tip_id;
	t = tips_choose(set, &fig, ids, given.n, m->id, week, &pat);
	if (t == NULL) {
		rc = 0;
		goto out;
	}
	if (record &&
	    store_tip_add(f->db, m->id, week, t->id, tip_pattern_name(pat), f->now, err) < 0)
		goto out;
	if (template_set(v, "tip", t->text) < 0) {
		fb_error_set(err, "out of memory");
		goto out;
	}
	rc = 0;
out:
	free(ids);
	store_tip_list_release(&given);
	return rc;
}

int
tipflow_nudge(const struct flow *f, const struct program *p, const struct member *m,
    int week, int record, struct template_values *v, struct fb_error *err)
{
	struct tipflow_tips own = TIPFLOW_TIPS_INIT;
	const struct tipflow_tips *tips = f->tips;
	const char *lang = m->language != NULL ? m->language : p->language;
	int rc;

	if (tips == NULL) {
		if (tipflow_load(f->cfg != NULL ? f->cfg->feedbackd.tips_dir : NULL, &own, err) < 0)
			return -1;
		tips = &own;
	}
	rc = choose(f, tipflow_for(tips, lang), m, week, record, v, err);
	tipflow_release(&own);
	return rc;
}
