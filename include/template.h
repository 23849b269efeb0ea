/*
 * template — the words of every message feedbackd sends live in files, not in C:
 * mail-templates/<lang>/<name>.txt (first line "Subject: …", a blank line, then the text
 * body) and <name>.html (the HTML body). This module loads and checks them, and renders one
 * with values. Pure: the shell reads the files and hands their bytes to template_set_load().
 *
 * The syntax is a small subset of Mustache:
 *   {{name}}              a value (in .html escaped for HTML, line breaks become <br>)
 *   {{#name}} … {{/name}} a section: repeated once per item when name is a list, shown once when
 *                         name is a value that is not empty, left out otherwise
 *   {{#name?}} … {{/name?}} shown once when name is present (a list with items, or a value
 *                         that is not empty): a heading above a list
 *   {{^name}} … {{/name}} shown only when name is absent, empty, or a list without items
 *   {{&name}}             a value as it is, also in .html: for HTML our own code made (a
 *                         report), never for text from outside
 *   {{! comment }}        nothing
 * Inside a list's section, names are looked up in the item first, then outside. A section tag
 * alone on its line takes the whole line with it, so sections do not leave blank lines.
 *
 * The words for the programme's concepts (the measurements, the sessions) come from the one
 * glossary of the language, <lang>/glossary.txt (glossary.h): every template may use
 * {{term_KEY}} and {{Term_KEY}} for each of its keys, whatever its spec says.
 *
 * Every message has a spec (its name and the names it may use), given by the caller. Loading
 * checks each template against its spec: an unknown name, an unclosed or crossed section, a
 * missing file or a missing Subject line is an error naming the file and line — so a typo in a
 * template is found when the daemon starts or reloads, never as a blank in a sent mail.
 *
 * Files come from dir (the configuration's templates_dir) when it holds them, else from the
 * built-in copies compiled into the programs: the shell reads them (overlay.h;
 * outmail_template_source_read() in outmail.h) into a struct template_source.
 */
#ifndef FB_TEMPLATE_H
#define FB_TEMPLATE_H

#include <stddef.h>

#include "buf.h"
#include "fberror.h"
#include "fbtime.h"
#include "glossary.h"

/* What a message may use: names is a NULL-terminated list of value and list names; for a list,
 * the names its items may use are listed as "list.item" ("asked.name"). */
struct template_spec {
	const char *name;            /* file name without extension: "nudge" */
	const char *const *names;
};

struct template_set;            /* opaque: the checked templates of one language */
struct template_values;         /* opaque: values to render with */

#define TEMPLATE_MAX_FILE ((size_t)1 << 20)  /* bytes of one template file the shell reads */

/* One file's bytes as the shell read them. */
struct template_file {
	const char *path;    /* relative to mail-templates/: "nl/nudge.txt" */
	const char *shown;   /* its name in messages: "DIR/nl/nudge.txt" or "(built-in) ..." */
	const char *data;    /* len bytes (no NUL needed); NULL: there is no such file */
	size_t len;
	const char *error;   /* NULL, or why it could not be read ("DIR/...: Permission denied") */
};

/* The files a set is loaded from; a path not among them is missing. */
struct template_source {
	const struct template_file *files;
	size_t n;
	const char *dir;     /* where they were looked for, named when one is missing; NULL or "":
			      * built-in only */
};

/*
 * Load and check the templates of language lang ("nl", "en") for every spec in specs[0..n)
 * from the bytes in source (<lang>/<name>.txt and .html). Returns a set (caller frees with
 * template_set_free()), or NULL with err naming every problem found, one "FILE:LINE: message"
 * per line.
 */
struct template_set *template_set_load(const struct template_source *source, const char *lang,
    const struct template_spec *specs, size_t n, struct fb_error *err);
void template_set_free(struct template_set *s);

/* Values. A new empty set (NULL when memory runs out); free with template_values_free(). */
struct template_values *template_values_new(void);
void template_values_free(struct template_values *v);
/* Set a value (copied; a NULL value is the same as absent). 0, or -1 when memory runs out. */
int template_set(struct template_values *v, const char *name, const char *value);
int template_setf(struct template_values *v, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Set a date: rendered as a person reads it in the set's language ("maandag 15 maart",
 * "Monday 15 March"; the year only when it is not this_year, the reader's current year), never
 * as an ISO date; present for sections like any value. 0, or -1 for an invalid date or when
 * memory runs out. */
int template_set_date(struct template_values *v, const char *name, const struct fb_date *d,
    int this_year);
/* Add an item to list name and return it (owned by v; set the item's values on it), or NULL
 * when memory runs out. */
struct template_values *template_add_item(struct template_values *v, const char *name);

struct template_output {
	struct buf subject;          /* one line, UTF-8 */
	struct buf text;
	struct buf html;
};
void template_output_init(struct template_output *o);
void template_output_release(struct template_output *o);

/*
 * Render message name with values v into out (whose buffers are reset first). A name the spec
 * allows but v does not hold renders as empty (the spec says what may be used, the caller what
 * it knows). 0, or -1 with err when name has no template or memory runs out.
 */
int template_render(const struct template_set *s, const char *name,
    const struct template_values *v, struct template_output *out, struct fb_error *err);

/* The language of the set, "nl" or "en". */
const char *template_set_lang(const struct template_set *s);

/* The set's glossary (glossary.h; <lang>/glossary.txt of the source), NULL when it had none.
 * Its terms are values of every template: {{term_KEY}} the word, {{Term_KEY}} with a capital. */
const struct glossary *template_set_glossary(const struct template_set *s);
/* The word for glossary key ("baseline"), or NULL: for names the code puts in a mail. */
const char *template_set_term(const struct template_set *s, const char *key);

#endif
