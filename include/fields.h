/*
 * fields — the labelled fields in the text a person wrote (after trim): feedback in three parts
 * (BKC), a request for feedback, questionnaire answers, quality ratings, facilitator commands and
 * improvement actions. Dutch and English labels, forgiving of case, bullets ("-", "*", "•",
 * "1."), emphasis ("**Kritiek:**", "*Kritiek*:", "_Kritiek_"), a colon or a dash after the label
 * ("Kritiek - …"), no-break spaces left over from HTML. Pure: no I/O, no clock.
 *
 * Labels (case does not matter):
 *   confirmation  Bevestiging, Confirmation, Compliment, Positief, Positive, B
 *   critique      Kritiek, Critique, Criticism, K
 *   suggestion    Constructief, Suggestion, Suggestie, Tip, Constructive, Opbouwend, C
 *                 (the one-letter shorthand only with a colon or dash after it: "B: …",
 *                 "k - …"; the three parts may stand on one line, "B: … / K: … / C: …",
 *                 split where a separator or a sentence's end is followed by a label and
 *                 a colon)
 *   ask           Vraag feedback aan, Ask, Ask feedback from: names or addresses separated by
 *                 ",", ";", " en ", " and " or line ends
 *   about         Over, About
 *   feedback_for  Feedback voor, Feedback for: one colleague
 *   commands      Herinner/Nudge/Remind: NAME; Afwezig: NAME tot 2027-02-01 / Away: NAME until …
 *   actions       Team, kort / Team, lang / Anderen, kort / Anderen, lang (Team, short /
 *                 Team, long / Others, short / Others, long)
 * A text field's value starts on the label's line or on the line after it, and runs until the
 * next label or the end; a closing paragraph ("Groet,", "Met vriendelijke groet", "Regards",
 * "Thanks", …) ends it. Questionnaire answers are lines "1: 8", "1 = 8", "1=8", "1) 8",
 * "1. 8", "1 - 8" (a dash or en dash), "Vraag 1: 8", "Question 1: 8", "Q1: 8", "Q 1: 8"; "8/10"
 * is 8; a value that is no whole number ("acht", "7 of 8") is kept as the answer's text for the
 * caller to judge, a number that is not whole ("7,5") or out of 0..10 ("12", "-2", "11/10") is
 * a problem. "1 8" and "1.8" are no answers, nor is a quoted line ("> 1: 8": trim removes
 * quotes before fields reads). Inside a text field only "Vraag 1:"/"Q1:" and "1: 8"/"1 = 8"
 * with a number count as answers (a numbered list in a critique stays text). Ratings are lines
 * "F12: 4" (1 to 5).
 *
 * What cannot be read becomes a problem (line number and message), never a guess: a score out
 * of 0..10 or not a whole number, a rating out of 1..5, a command without a name, a date that is
 * not a date. A label given twice: the later value counts for single-valued fields, and a
 * problem says so (ask lists, answers, ratings and commands add up; a question or rating given
 * twice also counts its later value, with a problem: within one text the last answer to a
 * question wins). Every problem carries a kind, and the question (or sample) number and the
 * value it concerns (struct fields_note), so a reply can explain it in the member's language;
 * the English message is for logs. An unknown
 * "Label: value" line is not a problem ("Groet: Jan"); it is one of the unread lines, as is
 * any other line outside a field.
 *
 * All strings held are valid UTF-8 (invalid bytes become U+FFFD), NUL-terminated, malloc'd and
 * owned by the struct fields. Line numbers count from 1 in the text given to fields_parse().
 */
#ifndef FB_FIELDS_H
#define FB_FIELDS_H

#include <stddef.h>
#include <jansson.h>

/* A single-valued text field; text is NULL when the label was not found. */
struct fields_text {
	char *text;
	size_t line; /* the label's line */
};

struct fields_answer {
	unsigned q;    /* question number, 1..999 */
	int score;     /* the whole value as an integer 0..10 ("8", "8/10"), or -1 */
	char *text;    /* the raw value, always set */
	size_t line;
};

struct fields_rating {
	char *id;      /* "F12", upper case */
	int score;     /* 1..5 */
	size_t line;
};

enum fields_command_kind {
	FIELDS_CMD_NUDGE, /* Herinner: / Nudge: */
	FIELDS_CMD_AWAY,  /* Afwezig: / Away: */
};

struct fields_command {
	enum fields_command_kind kind;
	char *name;    /* the member as written: a name or an address */
	char *until;   /* AWAY only: "YYYY-MM-DD"; a day without its year as written ("vrijdag",
	                  "12 maart", "morgen": dayword_parse() reads it, the caller places it);
	                  NULL when no date was given */
	size_t line;
};

struct fields_action {
	int by_team;   /* 1: the team itself ("Team, …"), 0: others ("Anderen, …") */
	int long_term; /* 1: "lang"/"long", 0: "kort"/"short" */
	char *text;
	size_t line;
};

/*
 * What kind of problem a note is, so that mail to a member or facilitator can say it in their
 * language (the words live in templates, never in C); the English text is for logs and
 * `feedbackctl inspect`. Every problem fields_parse() notes has a kind of its own;
 * FIELDS_PROBLEM_OTHER is left for unread lines (and any problem added later without one).
 */
enum fields_problem {
	FIELDS_PROBLEM_OTHER = 0,
	FIELDS_PROBLEM_NOT_WHOLE,     /* answer q: value is a number but not whole ("7,5") */
	FIELDS_PROBLEM_OUT_OF_RANGE,  /* answer q: value is a whole number outside 0..10 */
	FIELDS_PROBLEM_ANSWER_TWICE,  /* answer q given twice in one text: the later one counts */
	FIELDS_PROBLEM_TOO_LONG,      /* the text is longer than fields reads: the rest is unread */
	FIELDS_PROBLEM_LABEL_TWICE,   /* value: a single-valued label given twice (as written);
	                               * the later value counts */
	FIELDS_PROBLEM_NEEDS_NAME,    /* value: the label ("Feedback voor", "Herinner", "Afwezig")
	                               * given without the name of a member */
	FIELDS_PROBLEM_ONE_COLLEAGUE, /* value: "Feedback voor" naming more than one colleague */
	FIELDS_PROBLEM_NOT_A_DATE,    /* value: the "tot"/"until" date as written, not a date */
	FIELDS_PROBLEM_RATING_OUT_OF_RANGE, /* q: the sample's number (F12: 12), value: the rating
	                               * as written, not a whole number 1..5 */
	FIELDS_PROBLEM_RATING_TWICE,  /* q: the sample's number, rated twice: the later counts */
};

/* The template flag that names a problem's kind ("out_of_range", "not_a_date", ...; "other"
 * for FIELDS_PROBLEM_OTHER): templates carry the sentence for each, in their language. */
const char *fields_problem_flag(enum fields_problem kind);

/* A problem or an unread line: where, and what. */
struct fields_note {
	size_t line;
	char *text;    /* the problem's message (English), or the unread line's text */
	enum fields_problem kind; /* problems only; FIELDS_PROBLEM_OTHER for unread lines */
	unsigned q;    /* NOT_WHOLE, OUT_OF_RANGE, ANSWER_TWICE: the question number; RATING_*:
	                * the sample's number; else 0 */
	char *value;   /* NOT_WHOLE, OUT_OF_RANGE, NOT_A_DATE, RATING_OUT_OF_RANGE: the value as
	                * written; LABEL_TWICE, NEEDS_NAME, ONE_COLLEAGUE: the label as written
	                * (valid UTF-8, at most about 60 bytes, "…" when cut), else NULL */
};

struct fields {
	struct fields_text confirmation, critique, suggestion, about, feedback_for;
	char **ask;                 /* names or addresses, in order */
	size_t nask;
	size_t ask_line;            /* line of the first ask label, 0 when none */
	struct fields_answer *answers;
	size_t nanswers;
	struct fields_rating *ratings;
	size_t nratings;
	struct fields_command *commands;
	size_t ncommands;
	struct fields_action *actions;
	size_t nactions;
	struct fields_note *problems;
	size_t nproblems;
	struct fields_note *unread; /* non-blank lines outside any field */
	size_t nunread;
};

/*
 * Read the fields in text[0..len) (UTF-8, LF or CRLF line ends; need not be NUL-terminated; any
 * bytes). out is filled from scratch (whatever it held is not freed: release it first); release
 * it with fields_release(), also after a failure. Returns 0, or -1 when memory runs out.
 * Text past the first 4 MiB is not read (a problem says so).
 */
int fields_parse(const char *text, size_t len, struct fields *out);

/*
 * fields_parse() that also ends a text field's value at a blank line followed by a sign-off in
 * any language of the signature tables ("Alvast bedankt!", "Viele Grüße", "С уважением"): the
 * closing and what follows are unread lines, not part of the value. closings: from
 * trim_rules_signature() (or signature_rules_new()); NULL is fields_parse().
 */
struct signature_rules;
int fields_parse_with(const struct signature_rules *closings, const char *text, size_t len,
    struct fields *out);

/* Free what f holds; f is empty (all zero) afterwards. NULL is fine. */
void fields_release(struct fields *f);

/*
 * f as a JSON object holding only what was found, e.g. {"confirmation": "...", "ask": ["Jan",
 * "piet@x"], "answers": [{"q": 1, "score": 8}, {"q": 4, "text": "..."}], "ratings": [{"id":
 * "F12", "score": 4}], "commands": [{"command": "away", "name": "Lid 4", "until":
 * "2027-02-01"}], "actions": [{"by": "team", "term": "short", "text": "..."}], "problems":
 * [{"line": 3, "message": "..."}], "unread": [{"line": 1, "text": "Hoi Jan,"}]}.
 * Returns a new reference (caller calls json_decref()), or NULL when memory runs out.
 */
json_t *fields_to_json(const struct fields *f);

#endif
