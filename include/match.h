/*
 * match — find the colleague a member meant: "Vraag feedback aan: Jan de Vris, piet@x.org",
 * "Feedback voor: Joost", and a facilitator's "Herinner: Piet" / "Afwezig: …" (one matcher for
 * all of them). By address, by full name, by a first name or a surname ("Hendriks", "de Vries")
 * that only one colleague has, for small typos by the nearest name or first name (edit
 * distance over letters with case and accents folded, so "Jeroen Meijer" finds "Jeroen
 * Mëijer"), or by the unique start of a name ("Joo", "Jan de V": three letters at least).
 * When nobody is found, the nearest colleagues are suggested ("Jo" → Joost Hendriks). Pure.
 */
#ifndef FB_MATCH_H
#define FB_MATCH_H

#include <stddef.h>

enum match_how {
	MATCH_NONE,       /* nobody close enough */
	MATCH_ADDRESS,    /* one of the colleague's addresses */
	MATCH_NAME,       /* the full name (case and accents ignored) */
	MATCH_FIRST_NAME, /* the first name, or the surname, unique in the team */
	MATCH_FUZZY,      /* a small typo away from exactly one name or first name, or the start
	                   * of exactly one name: a near match, which a caller may take (noting
	                   * it) or ask about first */
	MATCH_AMBIGUOUS,  /* several colleagues fit equally well: see alternatives */
};

struct match_candidate {
	const char *name;
	const char *address;  /* primary, lowercase */
};

#define MATCH_MAX_ALTERNATIVES 5

struct match_result {
	enum match_how how;
	size_t index;         /* the candidate, when how is ADDRESS, NAME, FIRST_NAME or FUZZY */
	size_t alternatives[MATCH_MAX_ALTERNATIVES]; /* AMBIGUOUS: who fits; NONE: who is
	                      * nearest, nearest first (may be none; never for an address) */
	size_t nalternatives;
	int distance;         /* FUZZY: the edit distance (for a start: the letters left out) */
	int prefix;           /* FUZZY: 1 when the query is the start of the name (no typo): a
	                       * coordinator's command takes it, a typo only suggests */
};

/*
 * Match query (as written: a name, an address, "Name <address>") against c[0..n).
 * Always fills r; returns r->how.
 */
enum match_how match_colleague(const struct match_candidate *c, size_t n, const char *query,
    struct match_result *r);

#endif
