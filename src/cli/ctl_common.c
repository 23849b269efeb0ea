/*
 * ctl_common — what every feedbackctl command shares. See include/ctl.h.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "confpath.h"
#include "ctl.h"
#include "fbtime.h"
#include "outmail.h"
#include "log.h"
#include "banned.h"

int
ctl_error(const char *fmt, ...)
{
	va_list ap;

	fputs("feedbackctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CTL_FAIL;
}

int
ctl_usage(const char *usage, int help)
{
	fputs(usage, help ? stdout : stderr);
	return help ? CTL_OK : CTL_USAGE;
}

/* 1 when the synopsis line text[0..n) ("session schedule PROGRAM ...", "report
 * progress|evaluation PROGRAM ...") is one of cmd ("session", "report progress"). */
static int
synopsis_of(const char *text, size_t n, const char *cmd, size_t clen)
{
	const char *sp = memchr(cmd, ' ', clen), *sub;
	size_t glen = sp ? (size_t)(sp - cmd) : clen, slen;

	if (n < glen || strncmp(text, cmd, glen) != 0 || (n > glen && text[glen] != ' '))
		return 0;
	if (sp == NULL)
		return 1;
	/* the second word: one subcommand or alternatives separated by | */
	sub = text + glen + 1;
	slen = strcspn(sub, " \n");
	for (const char *w = sub; w < sub + slen; ) {
		size_t wl = strcspn(w, "| \n");

		if (wl == clen - glen - 1 && strncmp(w, sp + 1, wl) == 0)
			return 1;
		w += wl + 1;
	}
	return 0;
}

/* The synopsis lines of cmd in usage ("feedbackctl CMD ..." and the lines continuing it),
 * the first one starting "usage: "; the whole usage when cmd has none. */
static void
print_synopsis(const char *usage, const char *cmd, FILE *out)
{
	size_t clen = strlen(cmd);
	const char *line, *nl;
	int in = 0, found = 0;

	for (line = usage; *line != '\0'; line = nl + 1) {
		const char *text = line;
		int len;

		nl = strchr(line, '\n');
		if (nl == NULL)
			nl = line + strlen(line);
		len = (int)(nl - line);
		if (strncmp(text, "usage: ", 7) == 0)
			text += 7;
		while (*text == ' ')
			text++;
		if (strncmp(text, "feedbackctl ", 12) == 0) {
			in = synopsis_of(text + 12, (size_t)(nl - text) - 12, cmd, clen);
			if (in)
				fprintf(out, "%s%.*s\n", found ? "       " : "usage: ",
				    (int)(nl - text), text);
			found |= in;
		} else if (in && len > 0 && *line == ' ') {
			fprintf(out, "%.*s\n", len, line);
		} else {
			in = 0;
		}
		if (*nl == '\0')
			break;
	}
	if (!found)
		fputs(usage, out);
}

int
ctl_usage_error(const char *usage, const char *cmd, const char *fmt, ...)
{
	const char *space = strchr(cmd, ' ');
	va_list ap;

	fprintf(stderr, "feedbackctl: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	print_synopsis(usage, cmd, stderr);
	fprintf(stderr, "(feedbackctl %.*s --help says more)\n",
	    space ? (int)(space - cmd) : (int)strlen(cmd), cmd);
	return CTL_USAGE;
}

int
ctl_option_error(const char *usage, const char *cmd, char **argv, const struct option *opts)
{
	const char *arg = optind > 0 ? argv[optind - 1] : NULL;

	/* getopt_long() names the option it stopped at in optopt when it is one it knows */
	for (const struct option *o = opts; optopt != 0 && o != NULL && o->name != NULL; o++) {
		if (o->val != optopt)
			continue;
		if (o->has_arg == required_argument)
			return ctl_usage_error(usage, cmd, "--%s needs a value", o->name);
		return ctl_usage_error(usage, cmd, "--%s takes no value", o->name);
	}
	if (arg != NULL && strncmp(arg, "--", 2) == 0)
		return ctl_usage_error(usage, cmd, "unknown option \"%.*s\"",
		    (int)strcspn(arg, "="), arg);
	if (optopt != 0)
		return ctl_usage_error(usage, cmd, "unknown option \"-%c\"", optopt);
	return ctl_usage_error(usage, cmd, "unknown option \"%s\"", arg ? arg : "?");
}

int
ctl_operands(const char *usage, const char *cmd, int argc, char **argv, int first, int min,
    int max, const char *names)
{
	int n = argc - first;

	if (n < min) {
		/* the name of the first one missing: word n of names */
		const char *w = names;

		for (int i = 0; i < n && w != NULL; i++) {
			w = strchr(w, ' ');
			if (w != NULL)
				w++;
		}
		return ctl_usage_error(usage, cmd, "missing %.*s", w ? (int)strcspn(w, " ") : 7,
		    w ? w : "operand");
	}
	if (max >= 0 && n > max)
		return ctl_usage_error(usage, cmd, "unexpected argument \"%s\"",
		    argv[first + max]);
	return CTL_OK;
}

int
ctl_subcommand_error(const char *usage, const char *group, int argc, char **argv)
{
	if (argc < 2)
		return ctl_usage_error(usage, group, "missing command");
	if (argv[1][0] == '-')
		return ctl_usage_error(usage, group, "a command comes before options like \"%s\"",
		    argv[1]);
	return ctl_usage_error(usage, group, "unknown command \"%s\"", argv[1]);
}

int
ctl_usage_id(const char *usage, const char *cmd, const char *s, const char *what, int64_t *id)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *s == '\0' || *end || v <= 0)
		return ctl_usage_error(usage, cmd, "\"%s\" is not a %s", s, what);
	*id = v;
	return CTL_OK;
}

int
ctl_id_args(const char *usage, const char *cmd, int argc, char **argv, int64_t *id, int *raw)
{
	static const struct option opts[] = {
		{ "raw", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	int ch;

	optind = 1;
	opterr = 0; /* ctl_option_error says what is wrong */
	while ((ch = getopt_long(argc, argv, "", raw ? opts : none, NULL)) != -1) {
		if (ch == 'r')
			*raw = 1;
		else
			return ctl_option_error(usage, cmd, argv, raw ? opts : none);
	}
	if (ctl_operands(usage, cmd, argc, argv, optind, 1, 1, "ID") != CTL_OK)
		return CTL_USAGE;
	return ctl_usage_id(usage, cmd, argv[optind], "message id (a number from the list)", id);
}

int
ctl_required(const char *usage, const char *cmd, const char *value, const char *option)
{
	return value != NULL ? CTL_OK : ctl_usage_error(usage, cmd, "missing %s", option);
}

int
ctl_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
	}
	return 0;
}

/* The configuration by the rule feedbackd follows too (confpath.h). */
struct config *
ctl_config(struct ctl *c)
{
	struct fb_error err;

	if (c->cfg != NULL)
		return c->cfg;
	c->cfg = confpath_open(confpath_find(c->config_path), &err);
	if (c->cfg == NULL)
		fprintf(stderr, "%s\n", err.msg);
	return c->cfg;
}

struct db *
ctl_db(struct ctl *c)
{
	struct fb_error err;

	if (c->db != NULL)
		return c->db;
	if (ctl_config(c) == NULL)
		return NULL;
	c->db = db_open(c->cfg->feedbackd.database, &err);
	if (c->db == NULL)
		ctl_error("%s", err.msg);
	return c->db;
}

int
ctl_pick_program(struct ctl *c, const char *name, struct program *out)
{
	struct fb_error err;
	struct program_list l = { 0 };

	if (ctl_db(c) == NULL)
		return CTL_FAIL;
	if (name != NULL) {
		if (store_program_get(c->db, name, out, &err) < 0)
			return ctl_error("%s", err.msg);
		return CTL_OK;
	}
	if (store_program_list(c->db, &l, &err) < 0)
		return ctl_error("%s", err.msg);
	if (l.n != 1) {
		ctl_error(l.n == 0 ? "there are no programmes yet (feedbackctl program create)" :
		    "there are %zu programmes: name one with --program", l.n);
		store_program_list_release(&l);
		return CTL_FAIL;
	}
	*out = l.v[0];
	free(l.v);
	return CTL_OK;
}

json_t *
ctl_json_text(const char *s)
{
	struct buf b = BUF_INIT;
	json_t *j;

	if (s == NULL)
		return json_null();
	j = json_string(s);
	if (j != NULL)
		return j;
	if (buf_add_utf8(&b, s, strlen(s)) < 0) {
		buf_release(&b);
		return NULL;
	}
	j = json_string(b.data);
	buf_release(&b);
	return j;
}

int
ctl_print_json(json_t *j)
{
	char *s = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;

	json_decref(j);
	if (s == NULL)
		return ctl_error("out of memory");
	printf("%s\n", s);
	free(s);
	return CTL_OK;
}

/* ---- shared by the command groups ---------------------------------------------------------- */

int
ctl_flow_open(struct ctl *c, struct flow *f, struct outmail_templates **tpl)
{
	struct fb_error err;

	*tpl = NULL;
	if (ctl_config(c) == NULL || ctl_db(c) == NULL)
		return CTL_FAIL;
	*tpl = outmail_templates_load(c->cfg->feedbackd.templates_dir, &err);
	if (*tpl == NULL)
		return ctl_error("templates: %s", err.msg);
	*f = (struct flow){ .db = c->db, .cfg = c->cfg, .tpl = *tpl, .now = c->now, .trim = NULL };
	return CTL_OK;
}

int
ctl_parse_id(const char *s, int64_t *id)
{
	return ctl_parse_id_of(s, "message id (a number from the list)", id);
}

int
ctl_parse_id_of(const char *s, const char *what, int64_t *id)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v <= 0)
		return ctl_error("\"%s\" is not a %s", s, what);
	*id = v;
	return CTL_OK;
}

int
ctl_parse_week(const char *usage, const char *cmd, const char *s, int max, int *week)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v < 1 || v > max)
		return ctl_usage_error(usage, cmd, "--week %s: accepted values are 1 to %d", s,
		    max);
	*week = (int)v;
	return CTL_OK;
}

void
ctl_format_time(time_t t, char *out, size_t n)
{
	struct buf b = BUF_INIT;

	if (t == 0) {
		snprintf(out, n, "-");
		return;
	}
	fbtime_format_utc(t, &b);
	snprintf(out, n, "%s", b.data);
	buf_release(&b);
}

int
ctl_list_options(int argc, char **argv, const char *cmd, const char **state, long *limit,
    const char *usage)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int ch;

	optind = 1;
	opterr = 0; /* ctl_option_error says what is wrong */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 's') {
			*state = optarg;
		} else if (ch == 'n') {
			*limit = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end || *limit < 1)
				return ctl_usage_error(usage, cmd, "--limit %s: give a positive "
				    "number", optarg);
		} else {
			return ctl_option_error(usage, cmd, argv, opts);
		}
	}
	return ctl_operands(usage, cmd, argc, argv, optind, 0, 0, "");
}

int
ctl_bad_state(const char *usage, const char *cmd, const char *state,
    const char *const *accepted)
{
	struct buf list = BUF_INIT;

	for (size_t i = 0; accepted[i]; i++)
		buf_putf(&list, "%s%s", i ? ", " : "", accepted[i]);
	ctl_usage_error(usage, cmd, "--state %s: accepted values are %s", state,
	    buf_failed(&list) ? "(out of memory listing them)" : list.data);
	buf_release(&list);
	return CTL_USAGE;
}

int
ctl_show_raw(const struct buf *raw, int whole)
{
	const char *end = whole ? NULL : strstr(raw->data, "\r\n\r\n");

	if (end == NULL && !whole)
		end = strstr(raw->data, "\n\n");
	fwrite(raw->data, 1, end ? (size_t)(end - raw->data) : raw->len, stdout);
	if (end)
		printf("\n\n(%zu bytes; --raw shows the whole message)\n", raw->len);
	return CTL_OK;
}
