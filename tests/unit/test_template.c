/*
 * Unit tests of the template module (src/core/template.c): rendering (values, lists,
 * "shown once" and inverted sections, standalone section lines, HTML escaping) on templates
 * given through an override directory, the errors a broken template gives at load time (file,
 * line, what is allowed), and that every built-in template of the catalogue loads in both
 * languages.
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

#include "outmail.h"
#include "template.h"
#include "testlib.h"

static const char *const names[] = { "program", "name", "topic", "flag", "items", "items.name",
	"items.note", NULL };
static const struct template_spec spec[] = { { "t", names } };

struct tcase {
	const char *name;
	const char *txt;        /* nl/t.txt */
	const char *html;       /* nl/t.html */
	const char *want_subject, *want_text, *want_html;
};

/* Values used by every case: name "Jan <de> \"Vries\" & zn", topic empty, two items. */
static struct template_values *
values(void)
{
	struct template_values *v = template_values_new(), *it;

	assert_non_null(v);
	assert_int_equal(template_set(v, "name", "Jan <de> \"Vries\" & zn"), 0);
	assert_int_equal(template_set(v, "topic", ""), 0);
	assert_non_null(it = template_add_item(v, "items"));
	assert_int_equal(template_set(it, "name", "Piet"), 0);
	assert_non_null(it = template_add_item(v, "items"));
	assert_int_equal(template_set(it, "name", "Anna"), 0);
	assert_int_equal(template_set(it, "note", "typo"), 0);
	return v;
}

static const struct tcase cases[] = {
	{ "test_template_value_and_subject", "Subject: Hi {{name}}\n\nHello {{name}}.\n",
	    "<p>{{name}}</p>", "Hi Jan <de> \"Vries\" & zn", "Hello Jan <de> \"Vries\" & zn.\n",
	    "<p>Jan &lt;de&gt; &quot;Vries&quot; &amp; zn</p>" },
	{ "test_template_list_repeats_per_item_with_item_values",
	    "Subject: s\n\n{{#items}}- {{name}}{{#note}} ({{note}}){{/note}}\n{{/items}}",
	    "{{#items}}<li>{{name}}</li>{{/items}}", "s", "- Piet\n- Anna (typo)\n",
	    "<li>Piet</li><li>Anna</li>" },
	{ "test_template_standalone_section_lines_leave_no_blank_line",
	    "Subject: s\n\nA\n{{#items}}\n  {{name}}\n{{/items}}\nB\n", "x", "s",
	    "A\n  Piet\n  Anna\nB\n", "x" },
	{ "test_template_once_section_is_a_heading_above_its_list",
	    "Subject: s\n\n{{#items?}}\nWho:\n{{#items}}\n- {{name}}\n{{/items}}\n{{/items?}}\n",
	    "x", "s", "Who:\n- Piet\n- Anna\n", "x" },
	{ "test_template_empty_value_hides_section_and_shows_inverted",
	    "Subject: s\n\n{{#topic}}about {{topic}}{{/topic}}{{^topic}}no topic{{/topic}}\n",
	    "x", "s", "no topic\n", "x" },
	{ "test_template_absent_value_renders_empty",
	    "Subject: s\n\n[{{flag}}]{{#flag}}yes{{/flag}}\n", "x", "s", "[]\n", "x" },
	{ "test_template_raw_value_is_not_escaped_in_html", "Subject: s\n\n{{&name}}\n",
	    "<div>{{&name}}|{{name}}</div>", "s", "Jan <de> \"Vries\" & zn\n",
	    "<div>Jan <de> \"Vries\" & zn|Jan &lt;de&gt; &quot;Vries&quot; &amp; zn</div>" },
	{ "test_template_comment_renders_nothing", "Subject: s\n\n{{! a note }}A\n", "x", "s",
	    "A\n", "x" },
	{ "test_template_item_value_in_html",
	    "Subject: s\n\nx\n", "{{#items}}{{note}}{{/items}}", "s", "x\n", "typo" },
};

static char *
write_dir(const char *txt, const char *html)
{
	char tmpl[] = "/tmp/fbtest-tpl.XXXXXX";
	char *d = mkdtemp(tmpl);
	struct buf p = BUF_INIT;
	FILE *f;

	assert_non_null(d);
	assert_int_equal(buf_addf(&p, "%s/nl", d), 0);
	assert_int_equal(mkdir(p.data, 0700), 0);
	assert_int_equal(buf_adds(&p, "/t.txt"), 0);
	assert_non_null(f = fopen(p.data, "w"));
	fputs(txt, f);
	fclose(f);
	buf_truncate(&p, p.len - 3);
	assert_int_equal(buf_adds(&p, "html"), 0);
	assert_non_null(f = fopen(p.data, "w"));
	fputs(html, f);
	fclose(f);
	buf_release(&p);
	return strdup(d);
}

static void
rm_rf(const char *d)
{
	struct buf cmd = BUF_INIT;

	assert_int_equal(buf_addf(&cmd, "rm -rf '%s'", d), 0);
	assert_int_equal(system(cmd.data), 0);
	buf_release(&cmd);
}

static void
run_case(void **state)
{
	const struct tcase *c = *state;
	char *dir = write_dir(c->txt, c->html);
	struct fb_error err;
	struct template_set *s = outmail_template_set_load(dir, "nl", spec, 1, &err);
	struct template_values *v = values();
	struct template_output o;

	if (s == NULL)
		fail_msg("load: %s", err.msg);
	template_output_init(&o);
	assert_int_equal(template_render(s, "t", v, &o, &err), 0);
	assert_string_equal(o.subject.data, c->want_subject);
	assert_string_equal(o.text.data ? o.text.data : "", c->want_text);
	assert_string_equal(o.html.data ? o.html.data : "", c->want_html);
	template_output_release(&o);
	template_values_free(v);
	template_set_free(s);
	rm_rf(dir);
	free(dir);
}

/* Load errors: name the file and line, and what is allowed. */
struct ecase {
	const char *name;
	const char *txt, *html;
	const char *want;       /* substring of the error */
};

static const struct ecase ecases[] = {
	{ "test_template_unknown_name_is_a_load_error", "Subject: s\n\nHi {{nmae}}\n", "x",
	    "t.txt:3: unknown name \"nmae\"; t may use: program name topic" },
	{ "test_template_unknown_name_in_html_names_the_html_file", "Subject: s\n\nx\n",
	    "<p>\n{{topci}}</p>", "t.html:2: unknown name \"topci\"" },
	{ "test_template_item_name_outside_its_list_is_unknown", "Subject: s\n\n{{note}}\n", "x",
	    "unknown name \"note\"" },
	{ "test_template_unclosed_section", "Subject: s\n\n{{#items}}\nx\n", "x",
	    "t.txt:3: {{#items}} is never closed" },
	{ "test_template_crossed_sections", "Subject: s\n\n{{#items}}{{#flag}}{{/items}}{{/flag}}\n",
	    "x", "{{/items}} closes {{#flag}} of line 3" },
	{ "test_template_missing_subject_line", "Hello\n", "x",
	    "t.txt:1: a .txt template starts with a \"Subject: ...\" line" },
	{ "test_template_unterminated_tag", "Subject: s\n\n{{name\n", "x",
	    "t.txt:3: \"{{\" without \"}}\"" },
};

static void
run_error(void **state)
{
	const struct ecase *c = *state;
	char *dir = write_dir(c->txt, c->html);
	struct fb_error err;
	struct template_set *s = outmail_template_set_load(dir, "nl", spec, 1, &err);

	assert_null(s);
	if (strstr(err.msg, c->want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err.msg, c->want);
	rm_rf(dir);
	free(dir);
}

static void
test_template_missing_file_falls_back_or_is_an_error(void **state)
{
	struct fb_error err;
	static const struct template_spec none[] = { { "no_such_message", names } };

	(void)state;
	assert_null(outmail_template_set_load(NULL, "nl", none, 1, &err));
	assert_non_null(strstr(err.msg, "nl/no_such_message.txt: missing"));
	assert_non_null(strstr(err.msg, "nl/no_such_message.html: missing"));
}

/* The loader takes bytes: no directory, no file system. A file the shell could not read is
 * named with the shell's reason, one it did not find as missing. */
static void
test_template_loads_from_bytes_given(void **state)
{
	static const char txt[] = "Subject: Hallo {{name}}\n\nDag {{name}}\n";
	static const char html[] = "<p>Dag {{name}}</p>\n";
	struct template_file files[] = {
		{ "nl/nudge.txt", "mem/nudge.txt", txt, sizeof(txt) - 1, NULL },
		{ "nl/nudge.html", "mem/nudge.html", html, sizeof(html) - 1, NULL },
	};
	struct template_source src = { files, 2, NULL };
	static const struct template_spec nudge[] = { { "nudge", names } };
	struct template_values *v = template_values_new();
	struct template_output o;
	struct template_set *s;
	struct fb_error err;

	(void)state;
	assert_non_null(v);
	assert_int_equal(template_set(v, "name", "Jeroen"), 0);
	s = template_set_load(&src, "nl", nudge, 1, &err);
	if (s == NULL)
		fail_msg("load: %s", err.msg);
	template_output_init(&o);
	assert_int_equal(template_render(s, "nudge", v, &o, &err), 0);
	assert_string_equal(o.html.data, "<p>Dag Jeroen</p>\n");
	template_output_release(&o);
	template_set_free(s);
	files[1].data = NULL;
	files[1].error = "mem/nudge.html: Permission denied";
	assert_null(template_set_load(&src, "nl", nudge, 1, &err));
	if (strstr(err.msg, "mem/nudge.html: Permission denied") == NULL)
		fail_msg("%s", err.msg);
	src.n = 1;
	assert_null(template_set_load(&src, "nl", nudge, 1, &err));
	assert_non_null(strstr(err.msg, "nl/nudge.html: missing"));
	template_values_free(v);
}

static void
test_template_builtin_catalogue_loads_in_both_languages(void **state)
{
	struct fb_error err;
	struct outmail_templates *t = outmail_templates_load(NULL, &err);

	(void)state;
	if (t == NULL)
		fail_msg("%s", err.msg);
	assert_string_equal(template_set_lang(outmail_templates_for(t, "en")), "en");
	assert_string_equal(template_set_lang(outmail_templates_for(t, "nl")), "nl");
	outmail_templates_free(t);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_template_missing_file_falls_back_or_is_an_error),
		cmocka_unit_test(test_template_loads_from_bytes_given),
		cmocka_unit_test(test_template_builtin_catalogue_loads_in_both_languages),
	};
	int rc = testlib_run_table("template", cases, sizeof(cases) / sizeof(cases[0]),
	    sizeof(cases[0]), run_case, fixed, sizeof(fixed) / sizeof(fixed[0]));

	return rc | testlib_run_table("template errors", ecases, sizeof(ecases) / sizeof(ecases[0]),
	    sizeof(ecases[0]), run_error, NULL, 0);
}
