/*
 * actions — the improvement actions of a reply to the progress or evaluation report (see
 * include/actions.h). A line is read as a head of up to five folded words before a colon: who
 * (team / anderen / others), when (kort, korte, lang, lange, short, long) and an optional
 * "termijn" / "term". What comes after the colon, and the lines after it up to a blank line or
 * the next command, is the action's text.
 */
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "buf.h"
#include "ufold.h"
#include "banned.h"

#define HEAD_WORDS 5         /* words read before the colon */
#define WORD_MAX 16          /* letters of a head word kept; longer words match nothing */
#define NOTE_VALUE_MAX 80

static const char *const quadrant_keys[ACTION_QUADRANTS] = {
	"team_short", "team_long", "others_short", "others_long",
};

const char *
action_quadrant_key(int quadrant)
{
	return quadrant >= 0 && quadrant < ACTION_QUADRANTS ? quadrant_keys[quadrant] : "unknown";
}

int
action_quadrant_from_key(const char *key)
{
	for (int i = 0; key != NULL && i < ACTION_QUADRANTS; i++)
		if (strcmp(key, quadrant_keys[i]) == 0)
			return i;
	return -1;
}

const char *
action_note_flag(enum action_note_kind kind)
{
	switch (kind) {
	case ACTION_NOTE_ALMOST:
		return "almost";
	case ACTION_NOTE_EMPTY:
		return "empty";
	case ACTION_NOTE_TOOMANY:
		return "toomany";
	}
	return "almost";
}

/* ---- one line's head ------------------------------------------------------------------------- */

struct head {
	char w[HEAD_WORDS][WORD_MAX + 1];
	size_t nw;
	size_t colon;            /* offset just past the colon; 0 when none was found */
};

static const struct {
	const char *word;
	int who;                 /* enum action_who, or -1 */
	int when;                /* enum action_when, or -1 */
} words[] = {
	{ "team", ACTION_TEAM, -1 }, { "anderen", ACTION_OTHERS, -1 },
	{ "others", ACTION_OTHERS, -1 },
	{ "kort", -1, ACTION_SHORT }, { "korte", -1, ACTION_SHORT },
	{ "short", -1, ACTION_SHORT },
	{ "lang", -1, ACTION_LONG }, { "lange", -1, ACTION_LONG }, { "long", -1, ACTION_LONG },
};

/* Near-misses of the who words that are not themselves accepted. */
static const char *const who_almost[] = { "other", "teams", "ander", "andere" };

static int
word_who(const char *w)
{
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (words[i].who >= 0 && strcmp(w, words[i].word) == 0)
			return words[i].who;
	return -1;
}

static int
word_when(const char *w)
{
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (words[i].when >= 0 && strcmp(w, words[i].word) == 0)
			return words[i].when;
	return -1;
}

/* Is a one edit (insert, delete, replace, swap of neighbours) away from b, or equal? */
static int
one_edit(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i = 0;

	if (la > lb + 1 || lb > la + 1)
		return 0;
	while (i < la && i < lb && a[i] == b[i])
		i++;
	if (i == la && i == lb)
		return 1;
	if (la == lb)
		return strcmp(a + i + 1, b + i + 1) == 0 ||
		    (i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
		    strcmp(a + i + 2, b + i + 2) == 0);
	return la > lb ? strcmp(a + i + 1, b + i) == 0 : strcmp(a + i, b + i + 1) == 0;
}

/* Is w close to an accepted word of the kind asked for (who: 1, when: 0), or a known near
 * miss? Short words must be exact: "de" is no typo of "team". */
static int
close_to(const char *w, int who)
{
	if (strlen(w) < 3)
		return 0;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if ((who ? words[i].who : words[i].when) >= 0 && one_edit(w, words[i].word))
			return 1;
	if (who)
		for (size_t i = 0; i < sizeof(who_almost) / sizeof(who_almost[0]); i++)
			if (strcmp(w, who_almost[i]) == 0)
				return 1;
	return 0;
}

/*
 * Read the head of s[0..len): folded words (letters only, case and accents ignored) separated
 * by spaces, commas, hyphens, slashes and markup stars, up to a colon. Stops at anything else,
 * so "Team 3 heeft: ..." has one word and no colon.
 */
static void
read_head(const char *s, size_t len, struct head *h)
{
	size_t i = 0, wl = 0;
	int in_word = 0;

	memset(h, 0, sizeof(*h));
	while (i < len) {
		size_t at = i;
		uint32_t c = ufold_cp(ufold_next(s, len, &i));

		if (c >= 'a' && c <= 'z') {
			if (!in_word) {
				if (h->nw == HEAD_WORDS)
					return;
				in_word = 1;
				wl = 0;
				h->nw++;
			}
			if (wl < WORD_MAX)
				h->w[h->nw - 1][wl] = (char)c;
			else
				h->w[h->nw - 1][0] = '#'; /* too long: matches no word */
			wl++;
			continue;
		}
		in_word = 0;
		if (c == ':') {
			h->colon = at + 1;
			return;
		}
		if (c != ' ' && c != '\t' && c != ',' && c != '-' && c != '/' && c != '*' &&
		    c != '_' && c != 0xA0)
			return;
	}
}

enum line_kind { LINE_TEXT, LINE_ACTION, LINE_ALMOST, LINE_OTHER_COMMAND };

/* What a line is; for an action, who and when. */
static enum line_kind
classify_line(const struct head *h, int *who, int *when)
{
	static const char *const commands[] = {
		"herinner", "nudge", "remind", "afwezig", "away",
	};
	int w0 = h->nw > 0 ? word_who(h->w[0]) : -1;
	int w1 = h->nw > 1 ? word_when(h->w[1]) : -1;

	if (h->nw == 0)
		return LINE_TEXT;
	if (w0 >= 0 && w1 >= 0 && h->colon > 0 && (h->nw == 2 || (h->nw == 3 &&
	    (strcmp(h->w[2], "termijn") == 0 || strcmp(h->w[2], "term") == 0)))) {
		*who = w0;
		*when = w1;
		return LINE_ACTION;
	}
	if (h->colon > 0 && h->nw == 1) {
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (strcmp(h->w[0], commands[i]) == 0)
				return LINE_OTHER_COMMAND;
		/* "F12: 4", a rating: one letter f before digits does not reach the colon */
	}
	/* Almost: a who word (or close) with a when word (or close), or alone before a colon. */
	if ((w0 >= 0 || close_to(h->w[0], 1)) &&
	    ((h->nw > 1 && (w1 >= 0 || close_to(h->w[1], 0))) || (h->colon > 0 && h->nw <= 3)))
		return LINE_ALMOST;
	/* "Team, op korte termijn:" */
	for (size_t i = 1; w0 >= 0 && h->colon > 0 && i < h->nw; i++)
		if (word_when(h->w[i]) >= 0)
			return LINE_ALMOST;
	return LINE_TEXT;
}

/* A rating line, "F12: 4": ends an action's text as any command does. */
static int
is_rating(const char *s, size_t len)
{
	size_t i = 0;

	if (len < 3 || (s[0] != 'F' && s[0] != 'f') || s[1] < '0' || s[1] > '9')
		return 0;
	for (i = 1; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		;
	while (i < len && s[i] == ' ')
		i++;
	return i < len && s[i] == ':';
}

/* ---- the list ------------------------------------------------------------------------------- */

/* s[0..len) without leading and trailing blanks (spaces, tabs, CR, no-break spaces) and
 * leading bullets ("-", "*", "•"). */
static void
strip(const char **s, size_t *len)
{
	const char *p = *s;
	size_t n = *len;

	for (;;) {
		if (n > 0 && (*p == ' ' || *p == '\t' || *p == '\r')) {
			p++;
			n--;
		} else if (n > 1 && (unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0) {
			p += 2;
			n -= 2;
		} else {
			break;
		}
	}
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		n--;
	while (n > 1 && (unsigned char)p[n - 1] == 0xA0 && (unsigned char)p[n - 2] == 0xC2)
		n -= 2;
	*s = p;
	*len = n;
}

static const char *
strip_bullet(const char *s, size_t *len)
{
	if (*len > 1 && (s[0] == '-' || s[0] == '*') && s[1] == ' ') {
		s += 2;
		*len -= 2;
	} else if (*len > 3 && memcmp(s, "\xE2\x80\xA2", 3) == 0) {
		s += 3;
		*len -= 3;
	}
	while (*len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		(*len)--;
	}
	return s;
}

/* Append s[0..len) to b, a space between pieces, keeping b within ACTIONS_TEXT_MAX bytes and
 * whole UTF-8 characters. */
static int
add_text(struct buf *b, const char *s, size_t len)
{
	size_t room;

	strip(&s, &len);
	while (len > 0 && (*s == '*' || *s == '_' || *s == ' '))
		s++, len--; /* markup left of the text by an HTML reply's <b> */
	if (len == 0)
		return 0;
	if (b->len > 0 && b->len < ACTIONS_TEXT_MAX && buf_addch(b, ' ') < 0)
		return -1;
	room = b->len < ACTIONS_TEXT_MAX ? ACTIONS_TEXT_MAX - b->len : 0;
	if (len > room) {
		len = room;
		while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
	}
	return buf_add(b, s, len);
}

static int
add_note(struct action_list *l, enum action_note_kind kind, size_t line, const char *s,
    size_t len)
{
	struct action_note *nv = realloc(l->notes, (l->nnotes + 1) * sizeof(*nv));
	char *value;

	if (nv == NULL)
		return -1;
	l->notes = nv;
	if (len > NOTE_VALUE_MAX) {
		len = NOTE_VALUE_MAX;
		while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
	}
	if ((value = malloc(len + 1)) == NULL)
		return -1;
	memcpy(value, s, len);
	value[len] = '\0';
	nv[l->nnotes].kind = kind;
	nv[l->nnotes].line = line;
	nv[l->nnotes++].value = value;
	return 0;
}

/* The action begun with text in b into l (or a note when it has no text). */
static int
finish(struct action_list *l, int who, int when, size_t line, struct buf *b, const char *head,
    size_t head_len)
{
	struct action_item *nv;

	if (b->len == 0)
		return add_note(l, ACTION_NOTE_EMPTY, line, head, head_len);
	if ((nv = realloc(l->v, (l->n + 1) * sizeof(*nv))) == NULL)
		return -1;
	l->v = nv;
	nv[l->n].who = (enum action_who)who;
	nv[l->n].when = (enum action_when)when;
	nv[l->n].line = line;
	if ((nv[l->n].text = buf_detach(b, NULL)) == NULL)
		return -1;
	l->n++;
	return 0;
}

int
actions_parse(const char *text, size_t len, struct action_list *out, struct fb_error *err)
{
	struct action_list l = ACTION_LIST_INIT;
	struct buf cur = BUF_INIT;
	const char *cur_head = NULL;
	size_t pos = 0, lineno = 0, cur_line = 0, cur_head_len = 0;
	int open = 0, cur_who = 0, cur_when = 0, full = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl != NULL ? (size_t)(nl - text) : len;
		const char *s = text + pos, *raw;
		size_t n = end - pos, raw_len;
		struct head h;
		enum line_kind k;
		int who = 0, when = 0;

		pos = nl != NULL ? end + 1 : len;
		lineno++;
		strip(&s, &n);
		raw = s;
		raw_len = n;
		if (n > 0 && s[0] == '>') {
			k = LINE_OTHER_COMMAND; /* quoted: ends an action, is none */
		} else {
			s = strip_bullet(s, &n);
			read_head(s, n, &h);
			k = is_rating(s, n) ? LINE_OTHER_COMMAND : classify_line(&h, &who, &when);
		}
		if (open && (n == 0 || k != LINE_TEXT)) {
			if (finish(&l, cur_who, cur_when, cur_line, &cur, cur_head, cur_head_len) < 0)
				goto oom;
			buf_release(&cur);
			open = 0;
		}
		if (k == LINE_ACTION && full)
			continue;
		if (k == LINE_ACTION && l.n >= ACTIONS_MAX) {
			full = 1;
			if (add_note(&l, ACTION_NOTE_TOOMANY, lineno, raw, raw_len) < 0)
				goto oom;
		} else if (k == LINE_ACTION) {
			open = 1;
			cur_who = who;
			cur_when = when;
			cur_line = lineno;
			cur_head = raw;
			cur_head_len = raw_len;
			if (add_text(&cur, s + h.colon, n - h.colon) < 0)
				goto oom;
		} else if (k == LINE_ALMOST) {
			if (add_note(&l, ACTION_NOTE_ALMOST, lineno, raw, raw_len) < 0)
				goto oom;
		} else if (open && add_text(&cur, raw, raw_len) < 0) {
			goto oom;
		}
	}
	if (open && finish(&l, cur_who, cur_when, cur_line, &cur, cur_head, cur_head_len) < 0)
		goto oom;
	buf_release(&cur);
	*out = l;
	return 0;
oom:
	buf_release(&cur);
	action_list_release(&l);
	return fb_error_set(err, "out of memory reading improvement actions");
}

void
action_list_release(struct action_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].text);
	for (size_t i = 0; i < l->nnotes; i++)
		free(l->notes[i].value);
	free(l->v);
	free(l->notes);
	l->v = NULL;
	l->notes = NULL;
	l->n = l->nnotes = 0;
}
