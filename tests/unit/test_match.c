/*
 * Unit tests of match (src/core/match.c): how "Vraag feedback aan: …" names find colleagues.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "match.h"
#include "testlib.h"

static const struct match_candidate team[] = {
	{ "Jan de Vries", "jan.de.vries@example.nl" },   /* 0 */
	{ "Piet Jansen", "piet.jansen@example.nl" },     /* 1 */
	{ "Jeroen Mëijer", "jeroen.meijer@example.nl" }, /* 2 */
	{ "Anna Bakker", "anna.bakker@example.nl" },     /* 3 */
	{ "Anna de Groot", "anna.degroot@example.nl" },  /* 4 */
	{ "Eva Smit", "eva@example.nl" },                /* 5 */
	{ "Eva Smid", "eva.smid@example.nl" },           /* 6 */
	{ "Joost Hendriks", "joost@example.nl" },        /* 7 */
};

struct mcase {
	const char *name;
	const char *query;
	enum match_how how;
	int index;           /* -1: none */
	size_t nalternatives;
	int first_alternative; /* 1 + the index of the first alternative; 0: not checked */
	int prefix;          /* the query is the start of the name, not a typo */
};

static const struct mcase cases[] = {
	{ "test_match_address", "piet.jansen@example.nl", MATCH_ADDRESS, 1, 0, 0, 0 },
	{ "test_match_address_any_case", "Piet.Jansen@Example.NL", MATCH_ADDRESS, 1, 0, 0, 0 },
	{ "test_match_name_and_address_form", "Piet <piet.jansen@example.nl>", MATCH_ADDRESS, 1, 0, 0, 0 },
	{ "test_match_unknown_address_is_not_guessed", "piet.jansen@example.com", MATCH_NONE, -1, 0, 0, 0 },
	{ "test_match_full_name_any_case", "jan de vries", MATCH_NAME, 0, 0, 0, 0 },
	{ "test_match_full_name_extra_spaces", "  Jan  de   Vries ", MATCH_NAME, 0, 0, 0, 0 },
	{ "test_match_accents_ignored", "Jeroen Meijer", MATCH_NAME, 2, 0, 0, 0 },
	{ "test_match_unique_first_name", "Jeroen", MATCH_FIRST_NAME, 2, 0, 0, 0 },
	{ "test_match_shared_first_name_is_ambiguous", "Anna", MATCH_AMBIGUOUS, -1, 2, 0, 0 },
	{ "test_match_small_typo", "Jan de Vris", MATCH_FUZZY, 0, 0, 0, 0 },
	{ "test_match_transposition", "Piet Jasnen", MATCH_FUZZY, 1, 0, 0, 0 },
	{ "test_match_typo_between_two_names_is_ambiguous", "Eva Smi", MATCH_AMBIGUOUS, -1, 2, 0, 0 },
	{ "test_match_stranger", "Klaas Vaak", MATCH_NONE, -1, 0, 0, 0 },
	{ "test_match_empty", "   ", MATCH_NONE, -1, 0, 0, 0 },
	/* a short name allows one typo only; who is near is suggested, not taken */
	{ "test_match_short_name_allows_one_typo_only", "Evv", MATCH_NONE, -1, 2, 0, 0 },
	{ "test_match_unique_surname", "Hendriks", MATCH_FIRST_NAME, 7, 0, 0, 0 },
	{ "test_match_unique_surname_with_particle", "de vries", MATCH_FIRST_NAME, 0, 0, 0, 0 },
	{ "test_match_shared_surname_word_is_not_unique", "de", MATCH_NONE, -1, 2, 1, 0 },
	{ "test_match_unique_start_of_first_name", "Joo", MATCH_FUZZY, 7, 0, 0, 1 },
	{ "test_match_unique_start_of_full_name", "Jan de V", MATCH_FUZZY, 0, 0, 0, 1 },
	{ "test_match_unique_start_of_surname", "hendrik", MATCH_FUZZY, 7, 0, 0, 1 },
	{ "test_match_shared_start_is_ambiguous", "Ann", MATCH_AMBIGUOUS, -1, 2, 4, 0 },
	{ "test_match_typo_in_first_name", "Jost", MATCH_FUZZY, 7, 0, 0, 0 },
	/* one letter short of a first name: near as a typo, and a start, not a typo */
	{ "test_match_start_one_letter_short_is_a_start", "Joos", MATCH_FUZZY, 7, 0, 0, 1 },
	{ "test_match_first_name_typo_needs_four_letters", "Jon", MATCH_NONE, -1, 1, 1, 0 },
	{ "test_match_two_letters_are_suggested_not_taken", "Jo", MATCH_NONE, -1, 1, 8, 0 },
	{ "test_match_accents_and_case_in_the_start", "JÉR", MATCH_FUZZY, 2, 0, 0, 1 },
};

static void
run_case(void **state)
{
	const struct mcase *c = *state;
	struct match_result r;

	assert_int_equal(match_colleague(team, sizeof(team) / sizeof(team[0]), c->query, &r),
	    c->how);
	assert_int_equal(r.how, c->how);
	if (c->index >= 0)
		assert_int_equal(r.index, (size_t)c->index);
	assert_int_equal(r.nalternatives, c->nalternatives);
	assert_int_equal(r.prefix, c->prefix);
	if (c->first_alternative > 0)
		assert_int_equal(r.alternatives[0], (size_t)(c->first_alternative - 1));
}

int
main(void)
{
	return testlib_run_table("match", cases, sizeof(cases) / sizeof(cases[0]),
	    sizeof(cases[0]), run_case, NULL, 0);
}
