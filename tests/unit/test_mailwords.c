/*
 * Every mail template of the catalogue (outmail_specs: a template added there is checked here
 * without a line of this file changing), in nl and in en, rendered with representative values
 * as the code fills them (dates as dates, times "09:00", a questionnaire's title from the
 * glossary) once with every value, once per session or measurement flag, and once with
 * nothing but the programme and the name. Each rendering must:
 *   - hold no forbidden variant of the language's glossary (mail-templates/<lang>/glossary.txt),
 *   - hold no ISO date ("2027-03-15") in its subject, text or HTML,
 *   - have a subject that starts with a capital (or a digit),
 *   - not send a text reader to "the HTML version of this mail",
 *   - not end a list with its separator ("Bob; Cor; "),
 *   - be signed by the person in {{signer}} when one is known.
 * Also the glossary module itself (parsing, lookup, whole-word matching), table-driven.
 *
 * FB_MAILWORDS_DIR=DIR checks the templates of DIR (a templates_dir) instead of the built-in
 * ones: how this test was shown to fail on the templates of before the glossary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "glossary.h"
#include "outmail.h"
#include "template.h"

#define SIGNER "Fay Vermeulen"

static const char *const flags[] = {
	"kickoff", "progress", "evaluation", "baseline", "midterm", "final", "followup", NULL
};
static const char *const date_names[] = {
	"date", "close_date", "old_date", "since", "from", "until", "goes_date", NULL
};
static const char *const time_names[] = {
	"start", "end", "old_start", "old_end", "goes_time", NULL
};
static const char *const number_names[] = {
	"week", "weeks", "given", "received", "requested", "answered", "number", "score",
	"threshold", "n", "duration", "inbox", "reminder", NULL
};

static int
among(const char *const *list, const char *name)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, name) == 0)
			return 1;
	return 0;
}

static int
is_flag(const char *name)
{
	return among(flags, name);
}

/* One value as the code would set it. */
static void
set_one(struct template_values *v, const struct template_set *set, const char *name)
{
	static const struct fb_date d = { 2027, 3, 15 };

	if (among(date_names, name))
		assert_int_equal(template_set_date(v, name, &d, 2027), 0);
	else if (among(time_names, name))
		assert_int_equal(template_set(v, name, "09:00"), 0);
	else if (among(number_names, name))
		assert_int_equal(template_set(v, name, "3"), 0);
	else if (strcmp(name, "title") == 0)
		/* a questionnaire's title is the measurement's word, lower-case */
		assert_int_equal(template_set(v, name, template_set_term(set, "baseline")), 0);
	else if (strcmp(name, "program") == 0)
		assert_int_equal(template_set(v, name, "Zorgteam"), 0);
	else if (strcmp(name, "signer") == 0)
		assert_int_equal(template_set(v, name, SIGNER), 0);
	else
		assert_int_equal(template_set(v, name, "Anna de Vries"), 0);
}

/*
 * Values for spec: every name (lists with two items) when full, else only program and name;
 * of the flags only `flag` (NULL: none).
 */
static struct template_values *
values_for(const struct template_spec *spec, const struct template_set *set, int full,
    const char *flag)
{
	struct template_values *v = template_values_new();

	assert_non_null(v);
	set_one(v, set, "program");
	set_one(v, set, "name");
	if (flag != NULL)
		assert_int_equal(template_set(v, flag, "1"), 0);
	if (!full)
		return v;
	set_one(v, set, "signer");
	for (const char *const *n = spec->names; *n != NULL; n++) {
		const char *dot = strchr(*n, '.');

		if (dot != NULL || is_flag(*n))
			continue;
		int is_list = 0;
		for (const char *const *m = spec->names; *m != NULL; m++)
			if (strncmp(*m, *n, strlen(*n)) == 0 && (*m)[strlen(*n)] == '.')
				is_list = 1;
		if (!is_list) {
			set_one(v, set, *n);
			continue;
		}
		for (int i = 0; i < 2; i++) {
			struct template_values *it = template_add_item(v, *n);

			assert_non_null(it);
			for (const char *const *m = spec->names; *m != NULL; m++)
				if (strncmp(*m, *n, strlen(*n)) == 0 && (*m)[strlen(*n)] == '.')
					set_one(it, set, *m + strlen(*n) + 1);
		}
	}
	return v;
}

/* The first "YYYY-MM-DD" in s, or NULL. */
static const char *
iso_date_in(const char *s)
{
	static const char shape[] = "dddd-dd-dd";

	for (; s != NULL && *s != '\0'; s++) {
		size_t i = 0;

		while (shape[i] != '\0' && s[i] != '\0' &&
		    (shape[i] == 'd' ? s[i] >= '0' && s[i] <= '9' : s[i] == shape[i]))
			i++;
		if (shape[i] == '\0')
			return s;
	}
	return NULL;
}

static int problems;

static void
problem(const char *lang, const char *name, const char *how, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s/%s (%s): ", lang, name, how);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	problems++;
}

/* A text list "  - item;" whose next line is no item, or an HTML "…;</li>" closing its list. */
static int
last_item_ends_in_separator(const char *s)
{
	for (const char *p = s; (p = strstr(p, ";\n")) != NULL; p++) {
		const char *bol = p;

		while (bol > s && bol[-1] != '\n')
			bol--;
		if (strncmp(bol, "  - ", 4) == 0 && strncmp(p + 2, "  - ", 4) != 0)
			return 1;
	}
	for (const char *p = s; (p = strstr(p, ";</li>")) != NULL; p++) {
		const char *q = p + 6, *amp = p;

		while (amp > s && p - amp < 10 && amp[-1] != '&' && amp[-1] != ' ')
			amp--;
		if (amp > s && amp[-1] == '&')
			continue;       /* "&quot;</li>": an entity's ";", not the list's */
		while (*q == ' ' || *q == '\n' || *q == '\r')
			q++;
		if (strncmp(q, "</ul>", 5) == 0 || strncmp(q, "</ol>", 5) == 0)
			return 1;
	}
	return 0;
}

static void
check_rendering(const struct template_set *set, const char *lang,
    const struct template_spec *spec, int full, const char *flag)
{
	struct template_values *v = values_for(spec, set, full, flag);
	struct template_output o;
	struct fb_error err;
	const struct glossary *g = template_set_glossary(set);
	char how[64];

	snprintf(how, sizeof(how), "%s%s%s", full ? "every value" : "program and name only",
	    flag ? ", " : "", flag ? flag : "");
	template_output_init(&o);
	if (template_render(set, spec->name, v, &o, &err) < 0)
		fail_msg("%s/%s: %s", lang, spec->name, err.msg);
	const char *parts[3] = { o.subject.data, o.text.data, o.html.data };
	const char *part_names[3] = { "subject", "text", "HTML" };
	for (int i = 0; i < 3; i++) {
		const char *bad, *key = NULL;

		if (parts[i] == NULL)
			continue;
		if ((bad = glossary_forbidden_in(g, parts[i], &key)) != NULL)
			problem(lang, spec->name, how, "\"%s\" in the %s: the glossary's word is "
			    "\"%s\"", bad, part_names[i], glossary_word(g, key));
		if ((bad = iso_date_in(parts[i])) != NULL)
			problem(lang, spec->name, how, "an ISO date \"%.10s\" in the %s", bad,
			    part_names[i]);
	}
	/* With program and name only, a subject may begin with a value the code always sets
	 * ("{{asker}} asks you ..."): the subject is judged on the full rendering. */
	const unsigned char c = o.subject.data ? (unsigned char)o.subject.data[0] : 0;
	if (full && c >= 'a' && c <= 'z')
		problem(lang, spec->name, how, "the subject starts lower-case: %s", o.subject.data);
	if (o.text.data != NULL && (strstr(o.text.data, "HTML-versie") != NULL ||
	    strstr(o.text.data, "HTML version") != NULL))
		problem(lang, spec->name, how, "the text sends its reader to the HTML version");
	/* A list written as "a; b; c; " ends with its separator: a list is a list. So does a
	 * bulleted one whose last item ends in ";" (the items are rendered one section each, and
	 * no template knows which comes last). */
	for (int i = 1; i < 3; i++)
		if (parts[i] != NULL && (strstr(parts[i], "; </") != NULL ||
		    strstr(parts[i], "; \n") != NULL || last_item_ends_in_separator(parts[i])))
			problem(lang, spec->name, how, "a list ends with its separator in the %s",
			    part_names[i]);
	if (full && (o.text.data == NULL || strstr(o.text.data, SIGNER) == NULL ||
	    o.html.data == NULL || strstr(o.html.data, SIGNER) == NULL))
		problem(lang, spec->name, how, "not signed by {{signer}} (" SIGNER ")");
	/* Nobody known to sign: an honest "feedbackd, on behalf of P", never the bare name of the
	 * programme, as if it were a person. */
	const char *unsigned_by = strcmp(lang, "nl") == 0 ? "feedbackd, namens " :
	    "feedbackd, on behalf of ";
	if (!full && (o.text.data == NULL || strstr(o.text.data, unsigned_by) == NULL ||
	    o.html.data == NULL || strstr(o.html.data, unsigned_by) == NULL))
		problem(lang, spec->name, how, "without a signer it does not end \"%s...\"",
		    unsigned_by);
	template_output_release(&o);
	template_values_free(v);
}

static void
test_every_template_speaks_the_glossary_with_human_dates_and_capitals(void **state)
{
	static const char *const langs[] = { "nl", "en" };
	const char *dir = getenv("FB_MAILWORDS_DIR");

	(void)state;
	problems = 0;
	for (size_t l = 0; l < 2; l++) {
		struct fb_error err;
		struct template_set *set = outmail_template_set_load(dir, langs[l], outmail_specs,
		    outmail_nspecs, &err);

		if (set == NULL)
			fail_msg("%s templates: %s", langs[l], err.msg);
		if (template_set_glossary(set) == NULL) {
			problem(langs[l], "glossary.txt", "load", "there is no glossary");
			template_set_free(set);
			continue;
		}
		for (size_t i = 0; i < outmail_nspecs; i++) {
			const struct template_spec *spec = &outmail_specs[i];
			int nflags = 0;

			check_rendering(set, langs[l], spec, 0, NULL);
			for (const char *const *n = spec->names; *n != NULL; n++)
				if (is_flag(*n)) {
					check_rendering(set, langs[l], spec, 1, *n);
					nflags++;
				}
			if (nflags == 0)
				check_rendering(set, langs[l], spec, 1, NULL);
		}
		template_set_free(set);
	}
	assert_int_equal(problems, 0);
}

static void
test_glossary_parse_lookup_and_whole_words(void **state)
{
	static const char file[] =
	    "# comment\n"
	    "\n"
	    "baseline = nulmeting | 0-meting, Beginmeting\n"
	    "  followup=nameting|follow-up  \r\n"
	    "kickoff = aftrap\n";
	static const struct {
		const char *text;
		const char *want;     /* the variant found, NULL: none */
	} cases[] = {
		{ "De nulmeting sluit vrijdag.", NULL },
		{ "De 0-meting sluit vrijdag.", "0-meting" },
		{ "de BEGINMETING", "Beginmeting" },          /* case ignored */
		{ "een follow-up-gesprek", "follow-up" },      /* '-' ends a word */
		{ "follow-ups", NULL },                        /* a letter continues it */
		{ "X0-meting", NULL },
		{ "", NULL },
	};
	struct fb_error err;
	struct glossary *g = glossary_parse(file, sizeof(file) - 1, "g.txt", &err);

	(void)state;
	if (g == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(glossary_count(g), 3);
	assert_string_equal(glossary_word(g, "baseline"), "nulmeting");
	assert_string_equal(glossary_word(g, "followup"), "nameting");
	assert_string_equal(glossary_term_capital(g, 2), "Aftrap");
	assert_null(glossary_word(g, "midterm"));
	assert_null(glossary_word(NULL, "baseline"));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *key = NULL, *got = glossary_forbidden_in(g, cases[i].text, &key);

		if (cases[i].want == NULL) {
			if (got != NULL)
				fail_msg("\"%s\": found \"%s\"", cases[i].text, got);
		} else {
			if (got == NULL || strcmp(got, cases[i].want) != 0)
				fail_msg("\"%s\": found %s, want \"%s\"", cases[i].text,
				    got ? got : "nothing", cases[i].want);
			assert_non_null(key);
		}
	}
	glossary_free(g);
}

static void
test_glossary_refuses_bad_lines(void **state)
{
	static const struct {
		const char *file;
		const char *want;     /* in the message */
	} cases[] = {
		{ "baseline nulmeting\n", "g.txt:1: expected \"KEY = word" },
		{ "\nBase = x\n", "g.txt:2: a key is lower-case letters" },
		{ "baseline = \n", "g.txt:1: the word is empty" },
		{ "baseline = a | b,,c\n", "g.txt:1: an empty forbidden variant" },
		{ "a = x\na = y\n", "g.txt:2: this key is already defined" },
		{ " = x\n", "g.txt:1: the key is empty" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fb_error err;
		struct glossary *g = glossary_parse(cases[i].file, strlen(cases[i].file), "g.txt",
		    &err);

		if (g != NULL)
			fail_msg("\"%s\" was accepted", cases[i].file);
		if (strstr(err.msg, cases[i].want) == NULL)
			fail_msg("\"%s\": \"%s\" lacks \"%s\"", cases[i].file, err.msg,
			    cases[i].want);
	}
}

/* A templates_dir's glossary replaces the built-in one: a bad line is named with its file
 * and line when the templates load, and a term it lacks is an unknown name in the templates
 * that use it. */
static void
test_glossary_of_templates_dir_is_checked_at_load(void **state)
{
	char dir[] = "/tmp/mailwords.XXXXXX", path[64];
	struct fb_error err;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/nl", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/nl/glossary.txt", dir);
	assert_non_null(fp = fopen(path, "w"));
	fputs("baseline nulmeting\n", fp);
	fclose(fp);
	assert_null(outmail_template_set_load(dir, "nl", outmail_specs, outmail_nspecs, &err));
	assert_non_null(strstr(err.msg, "nl/glossary.txt:1: expected \"KEY = word"));
	assert_non_null(fp = fopen(path, "w"));
	fputs("baseline = nulmeting\n", fp);
	fclose(fp);
	assert_null(outmail_template_set_load(dir, "nl", outmail_specs, outmail_nspecs, &err));
	assert_non_null(strstr(err.msg, "unknown name \"term_followup\""));
	unlink(path);
	snprintf(path, sizeof(path), "%s/nl", dir);
	rmdir(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_template_speaks_the_glossary_with_human_dates_and_capitals),
		cmocka_unit_test(test_glossary_parse_lookup_and_whole_words),
		cmocka_unit_test(test_glossary_refuses_bad_lines),
		cmocka_unit_test(test_glossary_of_templates_dir_is_checked_at_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
