/*
 * tips — the weekly nudge's tip "op maat": the tips as data, and the rule that picks one for a
 * member from their own pattern of asking, giving and reacting.
 *
 * The tips are one file per language, mail-templates/tips/<lang>/tips.txt (built in), replaced
 * as a whole by <tips_dir>/<lang>/tips.txt when the configuration names a tips_dir. The format
 * (UTF-8, LF or CRLF), one record per tip, records separated by blank lines:
 *   # a comment                  ignored anywhere
 *   id: na-01                    1..TIPS_MAX_ID of [A-Za-z0-9._-], unique in the file
 *   pattern: never_asks          the pattern it answers (tip_pattern_name())
 *   level: task                  the level it works on: task, process or self-regulation
 *   Vraag feedback op iets ...   then the text: one or more lines up to the blank line,
 *   ... kleins en concreets.     joined with single spaces (at most TIPS_MAX_TEXT bytes)
 * The three fields come first, each once, in any order. Anything else is rejected with
 * "FILE:LINE: what is wrong; accepted: ..." — a malformed file never half-loads.
 *
 * The rule (tips_choose()), from the member's figures over the programme so far:
 *   never_asks               asked nobody for feedback;
 *   asks_never_gives         asked, but gave no feedback;
 *   gives_only_confirmation  gave feedback, but none with a Kritiek or Constructief part;
 *   never_reacts             received feedback, but reacted to none of it;
 *   all_well                 none of these.
 * The first that applies is the member's own pattern; the unused tips of that pattern are taken
 * level by level (task, then process, then self-regulation). All well: a tip of the level after
 * the member's last tip (task -> process -> self-regulation, which stays), else any unused
 * all_well tip nearest that level. When the pattern has no unused tip left: the other patterns
 * that apply, then "general" tips, then any unused tip. A tip whose id is among those already
 * given is never chosen again. Within a level the choice is (member id + week) modulo the
 * number of candidates: stable, so a repeated pass chooses the same, and varied in a team.
 *
 * Pure: the shell reads the files (tipflow.h) and the figures (store) and passes them in.
 * Errors: 0, or -1 with err filled (err may be NULL). Ownership: a struct tip_set owns its
 * strings; release it with tips_release() (also after a failure).
 */
#ifndef FB_TIPS_H
#define FB_TIPS_H

#include <stddef.h>
#include <stdint.h>

#include "fberror.h"

#define TIPS_MAX_FILE (256 * 1024)
#define TIPS_MAX_TIPS 1000
#define TIPS_MAX_ID 40
#define TIPS_MAX_TEXT 1000

enum tip_pattern {
	TIP_NEVER_ASKS,
	TIP_ASKS_NEVER_GIVES,
	TIP_GIVES_ONLY_CONFIRMATION,
	TIP_NEVER_REACTS,
	TIP_ALL_WELL,
	TIP_GENERAL,             /* answers no pattern: a fallback for every member */
	TIP_PATTERNS
};

enum tip_level { TIP_TASK, TIP_PROCESS, TIP_SELF_REGULATION, TIP_LEVELS };

struct tip {
	char *id;
	enum tip_pattern pattern;
	enum tip_level level;
	char *text;              /* the lines joined with single spaces */
};

struct tip_set {
	struct tip *v;           /* in file order */
	size_t n;
};
#define TIP_SET_INIT { NULL, 0 }

/* "never_asks", ..., "general"; "task", "process", "self-regulation". */
const char *tip_pattern_name(enum tip_pattern p);
const char *tip_level_name(enum tip_level l);

/*
 * Parse text[0..len) (need not be NUL-terminated; any bytes). name is the file as shown in
 * errors. out is released first; on error it is empty. An empty file (no tips) is an error.
 */
int tips_parse(const char *name, const char *text, size_t len, struct tip_set *out,
    struct fb_error *err);

/* Free s's contents; s is empty afterwards. NULL is fine. */
void tips_release(struct tip_set *s);

/* The tip with id in s, or NULL. */
const struct tip *tips_find(const struct tip_set *s, const char *id);

/* A member's figures over weeks 1..now of the programme (store_feedback.h's counting rules). */
struct tip_figures {
	int given, received, requested;
	int given_beyond_confirmation; /* feedback given with a Kritiek or Constructief part */
	int reactions;                 /* reactions written to feedback received */
};

/* The member's own pattern: the first of the rule that applies (never TIP_GENERAL). */
enum tip_pattern tips_pattern_of(const struct tip_figures *fig);

/*
 * The tip for this week's nudge, or NULL when every tip of s was given already. given[0..n)
 * are the ids already given to the member, oldest first (ids not in s are skipped; the last one
 * in s sets the all_well level). *pattern (may be NULL) is set to the member's own pattern.
 */
const struct tip *tips_choose(const struct tip_set *s, const struct tip_figures *fig,
    const char *const *given, size_t n_given, int64_t member_id, int week,
    enum tip_pattern *pattern);

#endif
