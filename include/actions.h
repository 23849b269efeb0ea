/*
 * actions — improvement actions in a reply to the progress or evaluation report: the decision
 * quadrant of the evaluation method, who acts (the team itself, others) by when (short term,
 * long term). A facilitator or coordinator writes one per line,
 *
 *     Team, kort: we vragen elke vrijdag één collega om feedback
 *     Anderen, lang: de afdeling plant een training
 *     Team, short: ...      Others, long term: ...
 *
 * case and accents ignored, the comma optional, "korte termijn" / "short-term" accepted. The
 * text may go on over the lines that follow until a blank line or the next command. A line that
 * almost is one ("Team: ...", "Anderen, middellang: ...", "Taem, kort: ...") is a note, so the
 * answer can show the accepted forms instead of guessing.
 *
 * Pure: the trimmed text of the reply in (quotes and signatures already taken out by trim;
 * a line that still starts with ">" is skipped all the same), a list out.
 */
#ifndef FB_ACTIONS_H
#define FB_ACTIONS_H

#include <stddef.h>

#include "fberror.h"

#define ACTIONS_MAX 20           /* actions read from one reply; more is a note */
#define ACTIONS_TEXT_MAX 1000    /* bytes of one action's text; longer is cut at a character */

enum action_who { ACTION_TEAM, ACTION_OTHERS };
enum action_when { ACTION_SHORT, ACTION_LONG };

/* The four quadrants in the order they are shown: team short, team long, others short, others
 * long. */
#define ACTION_QUADRANTS 4
static inline int
action_quadrant(enum action_who who, enum action_when when)
{
	return (int)who * 2 + (int)when;
}

/* "team_short", "team_long", "others_short", "others_long": the stored value and the
 * templates' flag. */
const char *action_quadrant_key(int quadrant);
/* The quadrant of a key above: 0..3, or -1 when key is none of them. */
int action_quadrant_from_key(const char *key);

struct action_item {
	enum action_who who;
	enum action_when when;
	char *text;              /* owned: UTF-8, lines joined with one space, never empty */
	size_t line;             /* the 1-based line of the text where it starts */
};

enum action_note_kind {
	ACTION_NOTE_ALMOST,      /* looks like an action line but is none of the forms */
	ACTION_NOTE_EMPTY,       /* an action line without text */
	ACTION_NOTE_TOOMANY,     /* more than ACTIONS_MAX: this one and the rest not read */
};

struct action_note {
	enum action_note_kind kind;
	size_t line;
	char *value;             /* owned: the line as written, at most 80 bytes */
};

struct action_list {
	struct action_item *v;
	size_t n;
	struct action_note *notes;
	size_t nnotes;
};
#define ACTION_LIST_INIT { NULL, 0, NULL, 0 }

/*
 * Read the actions in text[0..len) into out (which must be empty, ACTION_LIST_INIT). 0, or -1
 * with err (out of memory), out left empty. Release with action_list_release() either way.
 */
int actions_parse(const char *text, size_t len, struct action_list *out, struct fb_error *err);
void action_list_release(struct action_list *l);

/* The name of a note's kind, the templates' flag: "almost", "empty", "toomany". */
const char *action_note_flag(enum action_note_kind kind);

#endif
