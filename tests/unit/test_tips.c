/*
 * Unit tests of tips: the file format (every accepted form, every rejection named with
 * FILE:LINE), the pattern rule, the choice (own pattern first, level by level, all well to the
 * next level, never twice, stable), whole programmes of ten weeks over many pattern sequences
 * on the built-in tips of both languages, and tipflow's reading of tips_dir over them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "tipflow.h"
#include "tips.h"
#include "testlib.h"

/* ---- parsing: a table of files and what must come out ------------------------------------ */

struct parse_case {
	const char *name;
	const char *text;
	const char *error;      /* NULL: accepted; else a part of the error message */
	size_t n;               /* tips when accepted */
	const char *last_id, *last_text;
	enum tip_pattern last_pattern;
	enum tip_level last_level;
};

#define REC(id, p, l, t) "id: " id "\npattern: " p "\nlevel: " l "\n" t "\n"

static const struct parse_case cases[] = {
	{ "test_tips_one_record", REC("a-1", "never_asks", "task", "Ask soon."), NULL, 1, "a-1",
	  "Ask soon.", TIP_NEVER_ASKS, TIP_TASK },
	{ "test_tips_lines_joined_fields_any_order_crlf_bom_comments",
	  "\xEF\xBB\xBF# c\r\n\r\nlevel: self-regulation\r\n  pattern:  all_well \r\nid: x\r\n"
	  "First line,\r\n   # a comment inside\r\n  second line.  \r\n\r\n\r\n", NULL, 1, "x",
	  "First line, second line.", TIP_ALL_WELL, TIP_SELF_REGULATION },
	{ "test_tips_two_records_no_final_newline",
	  REC("a", "general", "process", "One.") "\n" "id: b\npattern: never_reacts\nlevel: "
	  "process\nTwo.", NULL, 2, "b", "Two.", TIP_NEVER_REACTS, TIP_PROCESS },
	{ "test_tips_utf8_text", REC("n", "gives_only_confirmation", "task",
	  "Geef collega\xE2\x80\x99s ook Kritiek."), NULL, 1, "n",
	  "Geef collega\xE2\x80\x99s ook Kritiek.", TIP_GIVES_ONLY_CONFIRMATION, TIP_TASK },
	{ "test_tips_rejects_empty_file", "# nothing\n\n", "f.txt: no tips", 0, NULL, NULL, 0, 0 },
	{ "test_tips_rejects_unknown_pattern", "id: a\npattern: never_listens\nlevel: task\nT\n",
	  "f.txt:2: unknown pattern \"never_listens\" (accepted: never_asks,", 0, NULL, NULL, 0,
	  0 },
	{ "test_tips_rejects_unknown_level", "id: a\npattern: general\nlevel: strategy\nT\n",
	  "f.txt:3: unknown level \"strategy\" (accepted: task, process, self-regulation)", 0,
	  NULL, NULL, 0, 0 },
	{ "test_tips_rejects_missing_level", "\nid: a\npattern: general\nleve: task\nT\n",
	  "f.txt:4: text before the tip's level line", 0, NULL, NULL, 0, 0 },
	{ "test_tips_rejects_missing_id", "pattern: general\nlevel: task\nT\n",
	  "f.txt:3: text before the tip's id line", 0, NULL, NULL, 0, 0 },
	{ "test_tips_rejects_missing_text", REC("a", "general", "task", "") "\n"
	  REC("b", "general", "task", "T"), "f.txt:1: the tip \"a\" has no text", 0, NULL,
	  NULL, 0, 0 },
	{ "test_tips_rejects_duplicate_id", REC("a", "general", "task", "T") "\n"
	  REC("a", "general", "task", "U"), "f.txt:6: the id \"a\" is used twice", 0, NULL, NULL,
	  0, 0 },
	{ "test_tips_rejects_bad_id", REC("a b", "general", "task", "T"),
	  "f.txt:1: the id \"a b\" has a character outside", 0, NULL, NULL, 0, 0 },
	{ "test_tips_rejects_second_pattern", "id: a\npattern: general\npattern: all_well\n",
	  "f.txt:3: a second pattern line", 0, NULL, NULL, 0, 0 },
	{ "test_tips_rejects_field_inside_text_missing_blank_line",
	  REC("a", "general", "task", "T") "id: b\n", "f.txt:5: a field line inside the text of "
	  "tip \"a\" (a blank line ends a tip)", 0, NULL, NULL, 0, 0 },
	{ "test_tips_rejects_control_character", REC("a", "general", "task", "T\x01U"),
	  "f.txt:4: a control character", 0, NULL, NULL, 0, 0 },
};

static void
run_parse(void **state)
{
	const struct parse_case *c = *state;
	struct tip_set s = TIP_SET_INIT;
	struct fb_error err = { "" };
	int rc = tips_parse("f.txt", c->text, strlen(c->text), &s, &err);

	if (c->error == NULL) {
		if (rc != 0)
			fail_msg("%s: rejected: %s", c->name, err.msg);
		assert_int_equal(s.n, c->n);
		assert_string_equal(s.v[s.n - 1].id, c->last_id);
		assert_string_equal(s.v[s.n - 1].text, c->last_text);
		assert_int_equal(s.v[s.n - 1].pattern, c->last_pattern);
		assert_int_equal(s.v[s.n - 1].level, c->last_level);
	} else {
		assert_int_equal(rc, -1);
		if (strstr(err.msg, c->error) == NULL)
			fail_msg("%s: expected \"%s\" in \"%s\"", c->name, c->error, err.msg);
		assert_int_equal(s.n, 0);
		assert_null(s.v);
	}
	tips_release(&s);
}

/* ---- the pattern rule ------------------------------------------------------------------------ */

static const struct tip_figures fig_never_asks = { 2, 2, 0, 2, 1 };
static const struct tip_figures fig_never_gives = { 0, 2, 2, 0, 1 };
static const struct tip_figures fig_only_conf = { 2, 2, 2, 0, 1 };
static const struct tip_figures fig_never_reacts = { 2, 2, 2, 2, 0 };
static const struct tip_figures fig_all_well = { 2, 2, 2, 2, 1 };

static const struct pattern_case {
	const char *name;
	struct tip_figures fig;
	enum tip_pattern want;
} patterns[] = {
	{ "test_tips_pattern_week_one_nothing_yet_is_never_asks", { 0, 0, 0, 0, 0 },
	  TIP_NEVER_ASKS },
	{ "test_tips_pattern_never_asks_before_everything_else", { 0, 3, 0, 0, 0 },
	  TIP_NEVER_ASKS },
	{ "test_tips_pattern_asks_never_gives", { 0, 0, 1, 0, 0 }, TIP_ASKS_NEVER_GIVES },
	{ "test_tips_pattern_only_confirmation", { 3, 0, 1, 0, 0 },
	  TIP_GIVES_ONLY_CONFIRMATION },
	{ "test_tips_pattern_never_reacts", { 1, 1, 1, 1, 0 }, TIP_NEVER_REACTS },
	{ "test_tips_pattern_nothing_received_is_no_never_reacts", { 1, 0, 1, 1, 0 },
	  TIP_ALL_WELL },
	{ "test_tips_pattern_all_well", { 1, 1, 1, 1, 1 }, TIP_ALL_WELL },
};

static void
run_pattern(void **state)
{
	const struct pattern_case *c = *state;

	if (tips_pattern_of(&c->fig) != c->want)
		fail_msg("%s: %s, want %s", c->name, tip_pattern_name(tips_pattern_of(&c->fig)),
		    tip_pattern_name(c->want));
}

/* ---- the choice on a small set ----------------------------------------------------------------- */

static const char small_tips[] =
	REC("na-t1", "never_asks", "task", "A") "\n"
	REC("na-p1", "never_asks", "process", "B") "\n"
	REC("na-t2", "never_asks", "task", "C") "\n"
	REC("nr-s1", "never_reacts", "self-regulation", "D") "\n"
	REC("aw-t1", "all_well", "task", "E") "\n"
	REC("aw-p1", "all_well", "process", "F") "\n"
	REC("aw-s1", "all_well", "self-regulation", "G") "\n"
	REC("aw-s2", "all_well", "self-regulation", "H") "\n"
	REC("ge-t1", "general", "task", "I") "\n";

static const struct choose_case {
	const char *name;
	struct tip_figures fig;
	const char *given[6];   /* oldest first, NULL-terminated */
	int64_t member;
	int week;
	const char *want;       /* NULL: none left */
} chooses[] = {
	{ "test_tips_choose_own_pattern_task_level_first", { 0, 0, 0, 0, 0 }, { NULL }, 1, 1,
	  "na-t1" },
	{ "test_tips_choose_stable_by_member_and_week", { 0, 0, 0, 0, 0 }, { NULL }, 2, 1,
	  "na-t2" },
	{ "test_tips_choose_never_twice", { 0, 0, 0, 0, 0 }, { "na-t2", NULL }, 1, 1, "na-t1" },
	{ "test_tips_choose_next_level_when_task_used", { 0, 0, 0, 0, 0 },
	  { "na-t1", "na-t2", NULL }, 1, 3, "na-p1" },
	{ "test_tips_choose_other_applying_pattern_when_own_used_up", { 0, 1, 0, 0, 0 },
	  { "na-t1", "na-t2", "na-p1", NULL }, 1, 4, "nr-s1" },
	{ "test_tips_choose_general_when_patterns_used_up", { 0, 0, 0, 0, 0 },
	  { "na-t1", "na-t2", "na-p1", NULL }, 1, 4, "ge-t1" },
	{ "test_tips_choose_all_well_starts_at_task", { 1, 1, 1, 1, 1 }, { NULL }, 1, 1,
	  "aw-t1" },
	{ "test_tips_choose_all_well_task_to_process", { 1, 1, 1, 1, 1 }, { "na-t1", NULL }, 1,
	  2, "aw-p1" },
	{ "test_tips_choose_all_well_process_to_self_regulation", { 1, 1, 1, 1, 1 },
	  { "na-t1", "aw-p1", NULL }, 1, 3, "aw-s1" },
	{ "test_tips_choose_all_well_stays_at_self_regulation", { 1, 1, 1, 1, 1 },
	  { "aw-s2", NULL }, 1, 3, "aw-s1" },
	{ "test_tips_choose_all_well_nearest_level_when_used_up", { 1, 1, 1, 1, 1 },
	  { "aw-s1", "aw-s2", NULL }, 1, 3, "aw-p1" },
	{ "test_tips_choose_unknown_given_ids_skipped", { 1, 1, 1, 1, 1 },
	  { "na-t1", "gone", NULL }, 1, 2, "aw-p1" },
	{ "test_tips_choose_all_well_level_from_last_tip_of_any_pattern", { 1, 1, 1, 1, 1 },
	  { "na-t1", "na-p1", "na-t2", "nr-s1", NULL }, 1, 2, "aw-s2" },
};

static void
run_choose(void **state)
{
	const struct choose_case *c = *state;
	struct tip_set s = TIP_SET_INIT;
	struct fb_error err;
	size_t n = 0;
	const struct tip *t;

	assert_int_equal(tips_parse("small", small_tips, strlen(small_tips), &s, &err), 0);
	while (n < 6 && c->given[n] != NULL)
		n++;
	t = tips_choose(&s, &c->fig, c->given, n, c->member, c->week, NULL);
	if (c->want == NULL ? t != NULL : t == NULL || strcmp(t->id, c->want) != 0)
		fail_msg("%s: chose %s, want %s", c->name, t ? t->id : "none",
		    c->want ? c->want : "none");
	tips_release(&s);
}

/* Every tip given once, then nothing. */
static void
test_tips_choose_returns_null_when_all_given(void **state)
{
	struct tip_set s = TIP_SET_INIT;
	struct fb_error err;
	const char *given[16];
	const struct tip *t;
	size_t n = 0;

	(void)state;
	assert_int_equal(tips_parse("small", small_tips, strlen(small_tips), &s, &err), 0);
	while ((t = tips_choose(&s, &fig_never_reacts, given, n, 7, (int)n + 1, NULL)) != NULL) {
		assert_true(n < s.n);
		given[n++] = t->id;
	}
	assert_int_equal(n, s.n);
	tips_release(&s);
}

/* ---- the built-in tips: whole programmes ------------------------------------------------------ */

static const struct tip_figures *const figs[] = { &fig_never_asks, &fig_never_gives,
	&fig_only_conf, &fig_never_reacts, &fig_all_well };

static void
load_builtin(struct tipflow_tips *t)
{
	struct fb_error err;

	if (tipflow_load(NULL, t, &err) < 0)
		fail_msg("%s", err.msg);
}

/* At least 40 tips per language, at least 10 per pattern, every level used, texts of 2-4
 * sentences. */
static void
test_tips_builtin_sets_are_big_enough(void **state)
{
	struct tipflow_tips t = TIPFLOW_TIPS_INIT;

	(void)state;
	load_builtin(&t);
	for (int l = 0; l < 2; l++) {
		const struct tip_set *s = tipflow_for(&t, l ? "en" : "nl");
		size_t per[TIP_PATTERNS] = { 0 }, lev[TIP_LEVELS] = { 0 };

		assert_true(s->n >= 40);
		for (size_t i = 0; i < s->n; i++) {
			int sentences = 0;

			per[s->v[i].pattern]++;
			lev[s->v[i].level]++;
			for (const char *p = s->v[i].text; *p; p++)
				if ((*p == '.' || *p == '?' || *p == '!') &&
				    (p[1] == ' ' || p[1] == '\0' || p[1] == '"'))
					sentences++;
			if (sentences < 2 || sentences > 4)
				fail_msg("%s %s: %d sentences", l ? "en" : "nl", s->v[i].id,
				    sentences);
		}
		for (int p = 0; p < TIP_ALL_WELL + 1; p++)
			if (per[p] < 10)
				fail_msg("%s: %zu tips for %s", l ? "en" : "nl", per[p],
				    tip_pattern_name((enum tip_pattern)p));
		for (int v = 0; v < TIP_LEVELS; v++)
			assert_true(lev[v] > 0);
	}
	tipflow_release(&t);
}

/* 10 weeks, for every member id 1..7 and 300 pattern sequences (the five constant ones
 * first): a tip every week, never twice, and of the member's own pattern. */
static void
test_tips_builtin_ten_weeks_any_pattern_sequence(void **state)
{
	struct tipflow_tips t = TIPFLOW_TIPS_INIT;
	uint32_t rnd = 12345;

	(void)state;
	load_builtin(&t);
	for (int l = 0; l < 2; l++) {
		const struct tip_set *s = tipflow_for(&t, l ? "en" : "nl");

		for (int seq = 0; seq < 300; seq++) {
			for (int64_t member = 1; member <= 7; member++) {
				const char *given[10];

				for (int w = 1; w <= 10; w++) {
					int k = seq < 5 ? seq : (int)((rnd = rnd * 1103515245u + 12345u)
					    >> 16) % 5;
					enum tip_pattern pat;
					const struct tip *tp = tips_choose(s, figs[k], given,
					    (size_t)(w - 1), member, w, &pat);

					assert_non_null(tp);
					assert_int_equal(pat, (enum tip_pattern)k);
					if (tp->pattern != pat)
						fail_msg("seq %d member %lld week %d: %s for %s", seq,
						    (long long)member, w, tp->id, tip_pattern_name(pat));
					for (int i = 0; i < w - 1; i++)
						assert_string_not_equal(given[i], tp->id);
					given[w - 1] = tp->id;
				}
			}
		}
	}
	tipflow_release(&t);
}

/* ---- tipflow: tips_dir over the built-in files -------------------------------------------- */

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_tips_dir_overrides_a_language_and_refuses_bad_files(void **state)
{
	char dir[] = "/tmp/fbtips.XXXXXX", p[128];
	struct tipflow_tips t = TIPFLOW_TIPS_INIT;
	struct fb_error err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* neither file: the setting would do nothing */
	assert_int_equal(tipflow_load(dir, &t, &err), -1);
	assert_non_null(strstr(err.msg, "holds neither nl/tips.txt nor en/tips.txt"));
	/* en replaced as a whole, nl stays built in */
	snprintf(p, sizeof(p), "%s/en", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/en/tips.txt", dir);
	write_file(p, REC("own-1", "never_asks", "task", "Our own tip. It is ours."));
	if (tipflow_load(dir, &t, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(tipflow_for(&t, "en")->n, 1);
	assert_string_equal(tipflow_for(&t, "en")->v[0].text, "Our own tip. It is ours.");
	assert_true(tipflow_for(&t, "nl")->n >= 40);
	/* a malformed file: FILE:LINE, nothing half-loaded */
	write_file(p, REC("own-1", "never_asks", "task", "T") "\n"
	    "id: own-2\npattern: sometimes\nlevel: task\nT\n");
	assert_int_equal(tipflow_load(dir, &t, &err), -1);
	char want[160];
	snprintf(want, sizeof(want), "%s/en/tips.txt:7: unknown pattern \"sometimes\"", dir);
	if (strstr(err.msg, want) == NULL)
		fail_msg("want \"%s\" in \"%s\"", want, err.msg);
	assert_int_equal(t.nl.n + t.en.n, 0);
	unlink(p);
	snprintf(p, sizeof(p), "%s/en", dir);
	rmdir(p);
	rmdir(dir);
}

int
main(void)
{
	static const struct testlib_rows rows[] = {
		TESTLIB_NAMED_ROWS(run_parse, cases),
		TESTLIB_NAMED_ROWS(run_pattern, patterns),
		TESTLIB_NAMED_ROWS(run_choose, chooses),
	};
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_tips_choose_returns_null_when_all_given),
		cmocka_unit_test(test_tips_builtin_sets_are_big_enough),
		cmocka_unit_test(test_tips_builtin_ten_weeks_any_pattern_sequence),
		cmocka_unit_test(test_tips_dir_overrides_a_language_and_refuses_bad_files),
	};
	return testlib_run_rows("tips", rows, sizeof(rows) / sizeof(rows[0]), fixed,
	    sizeof(fixed) / sizeof(fixed[0]), NULL, NULL);
}
