/*
 * Unit tests of mask: one table row per form a name (or an address, a phone number, a
 * signature) takes in a text, each run as its own cmocka test named by the row; then the
 * words that must stay, and hostile bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testlib.h"

#include "buf.h"
#include "mask.h"

struct mask_case {
	const char *name;
	const char *in;
	const char *want;
};

/* The team: members and the facilitator, as the store gives them. */
static const char *const names[] = {
	"Anne Bakker", "Jan de Vries", "Piet van Dijk", "Jeroen Mëijer", "Karin Jansen-Smit",
	"Al", "Zoë Öztürk", "Fien Facilitator", "Ans van der Berg",
};

static const struct mask_case cases[] = {
	/* the forms of a name */
	{ "test_mask_full_name_is_one_mask", "Anne Bakker deed het goed.", "[naam] deed het goed." },
	{ "test_mask_first_name_alone", "Goed gedaan, Anne!", "Goed gedaan, [naam]!" },
	{ "test_mask_surname_alone", "en Bakker ook", "en [naam] ook" },
	{ "test_mask_the_issue_sample", "Groet van A. Bakker … Mevr. Bakker … en Jansen ook",
	  "Groet van [naam] … [naam] … en [naam] ook" },
	{ "test_mask_surname_with_particle", "Ik sprak de Vries gisteren", "Ik sprak [naam] gisteren" },
	{ "test_mask_particle_capitalised", "Van Dijk zei het al", "[naam] zei het [naam]" },
	{ "test_mask_particle_lower", "volgens van Dijk", "volgens [naam]" },
	{ "test_mask_two_particles", "Mevr. van der Berg en Van Der Berg", "[naam] en [naam]" },
	{ "test_mask_particle_before_first_name_stays", "feedback van Jan", "feedback van [naam]" },
	{ "test_mask_initial_and_surname", "A. Bakker schreef", "[naam] schreef" },
	{ "test_mask_two_initials", "A.B. Bakker schreef", "[naam] schreef" },
	{ "test_mask_spaced_initials", "A. B. Bakker schreef", "[naam] schreef" },
	{ "test_mask_initial_particle_surname", "J. de Vries schreef", "[naam] schreef" },
	{ "test_mask_bare_initial_before_name", "A Bakker schreef", "[naam] schreef" },
	{ "test_mask_title_mevr", "Mevr. Bakker", "[naam]" },
	{ "test_mask_title_dhr_particle", "Dhr. de Vries", "[naam]" },
	{ "test_mask_title_mr", "Mr Bakker and Mrs Bakker", "[naam] and [naam]" },
	{ "test_mask_title_ms_dot", "Ms. Bakker", "[naam]" },
	{ "test_mask_title_mw", "Mw. Bakker kwam", "[naam] kwam" },
	{ "test_mask_title_mevrouw_meneer", "Mevrouw Bakker en meneer de Vries",
	  "[naam] en [naam]" },
	{ "test_mask_title_and_stranger", "Mevr. Pietersen belde en Dhr. van Dam ook",
	  "[naam] belde en [naam] ook" },
	{ "test_mask_initials_and_stranger", "Volgens J.P. Smit klopt het", "Volgens [naam] klopt het" },
	{ "test_mask_possessive_apostrophe_s", "Bakker's plan", "[naam] plan" },
	{ "test_mask_possessive_dutch_s", "Annes plan en Jans idee", "[naam] plan en [naam] idee" },
	{ "test_mask_possessive_name_apostrophe", "Anne's plan", "[naam] plan" },
	{ "test_mask_possessive_typographic", "Anne’s plan", "[naam] plan" },
	{ "test_mask_case_insensitive", "ANNE BAKKER en jan", "[naam] en [naam]" },
	{ "test_mask_diacritics_in_name_not_text", "Dank je, Jeroen Meijer.", "Dank je, [naam]." },
	{ "test_mask_diacritics_in_text_not_name", "Dank je, Annë.", "Dank je, [naam]." },
	{ "test_mask_diacritics_both", "zoe ozturk en ZOË", "[naam] en [naam]" },
	{ "test_mask_double_barrelled", "Jansen-Smit, Smit en Karin Jansen-Smit",
	  "[naam], [naam] en [naam]" },
	{ "test_mask_names_in_a_row", "Bakker Anne en Anne Jan", "[naam] en [naam]" },
	{ "test_mask_in_guillemets", "«Anne» zei het", "«[naam]» zei het" },
	{ "test_mask_facilitator", "Fien vond het ook", "[naam] vond het ook" },
	/* privacy first: a short name that is also a word is masked all the same */
	{ "test_mask_short_name_masked_even_as_word", "ik was al klaar", "ik was [naam] klaar" },
	/* words that stay */
	{ "test_mask_keeps_longer_words", "Janneke, Annemarie en de Bakkerij", "Janneke, Annemarie en de Bakkerij" },
	{ "test_mask_keeps_letters_after_name", "Anneé en Alles", "Anneé en Alles" },
	{ "test_mask_keeps_particles_alone", "de man van de bakker", "de man van de [naam]" },
	{ "test_mask_keeps_abbreviation_in_capitals", "in MS Teams", "in MS Teams" },
	{ "test_mask_keeps_lower_title_before_word", "I miss Amsterdam", "I miss Amsterdam" },
	{ "test_mask_no_names_unchanged", "Sterke presentatie.", "Sterke presentatie." },
	{ "test_mask_empty", "", "" },
	/* addresses */
	{ "test_mask_address_whole", "mail anne@example.org of <jan.v@x.nl>.",
	  "mail [naam] of <[naam]>." },
	/* phone numbers */
	{ "test_mask_phone_mobile_dash", "bel 06-12345678 even", "bel [naam] even" },
	{ "test_mask_phone_mobile_spaced", "bel 06 1234 5678", "bel [naam]" },
	{ "test_mask_phone_plus31", "bel +31 6 12345678.", "bel [naam]." },
	{ "test_mask_phone_plus31_trunk", "(+31 (0)6 1234 5678)", "([naam])" },
	{ "test_mask_phone_landline", "tel. 020-1234567 of 020 123 4567", "tel. [naam] of [naam]" },
	{ "test_mask_phone_0031", "0031 20 1234567", "[naam]" },
	{ "test_mask_phone_uk", "+44 20 7946 0958", "[naam]" },
	{ "test_mask_phone_us", "call (555) 123-4567", "call [naam]" },
	{ "test_mask_phone_in_brackets", "bel Anne (06-12345678) of (020) 1234567.",
	  "bel [naam] ([naam]) of [naam]." },
	{ "test_mask_phone_dots", "06.12.34.56.78", "[naam]" },
	{ "test_mask_keeps_date_and_time", "op 04-01-2027 10:00 en 2027-01-04", "op 04-01-2027 10:00 en 2027-01-04" },
	{ "test_mask_keeps_small_numbers", "week 3: 8 van 10, score 7.5", "week 3: 8 van 10, score 7.5" },
	/* signatures */
	{ "test_mask_signature_after_greeting",
	  "Goed gedaan.\n\nMet vriendelijke groet,\nAnne Bakker\nTeamleider Sales\nT 06 1234 5678",
	  "Goed gedaan.\n\nMet vriendelijke groet,\n[naam]" },
	{ "test_mask_signature_after_dashes", "Tekst\n-- \nKarin\nHR, kamer 12\n", "Tekst\n[naam]" },
	{ "test_mask_signature_english", "Nice work.\nKind regards,\nSam Stranger\nACME Corp",
	  "Nice work.\nKind regards,\n[naam]" },
	{ "test_mask_signature_groeten", "Top!\nGroeten,\nKees\n", "Top!\nGroeten,\n[naam]" },
	{ "test_mask_greeting_in_text_is_no_signature",
	  "Groeten aan het team.\n1\n2\n3\n4\n5\n6\n7\n8", "Groeten aan het team.\n1\n2\n3\n4\n5\n6\n7\n8" },
	{ "test_mask_greeting_line_alone_stays", "Groet van A. Bakker", "Groet van [naam]" },
	/* hostile bytes */
	{ "test_mask_invalid_utf8_copied", "x\xff\xfe Bakker \xc3", "x\xff\xfe [naam] \xc3" },
	{ "test_mask_nbsp_between_names", "Anne\xc2\xa0" "Bakker", "[naam]" },
};

static void
run_case(void **state)
{
	const struct mask_case *c = *state;
	struct buf out = BUF_INIT;

	assert_int_equal(mask_text(c->in, names, sizeof(names) / sizeof(names[0]), "[naam]", &out), 0);
	assert_string_equal(out.data, c->want);
	buf_release(&out);
}

/* One list, many texts: the prepared list is reusable and a NULL list still masks addresses. */
static void
test_mask_list_reused_and_null_list(void **state)
{
	struct mask_list *l = mask_list_new(names, sizeof(names) / sizeof(names[0]));
	struct buf out = BUF_INIT;

	(void)state;
	assert_non_null(l);
	assert_int_equal(mask_apply(l, "Anne", 4, "[x]", &out), 0);
	assert_int_equal(mask_apply(l, " en Jan", 7, "[x]", &out), 0);
	assert_string_equal(out.data, "[x] en [x]");
	buf_reset(&out);
	assert_int_equal(mask_apply(NULL, "Anne a@b.nl 06-12345678", 23, "[x]", &out), 0);
	assert_string_equal(out.data, "Anne [x] [x]");
	mask_list_free(l);
	mask_list_free(NULL);
	buf_release(&out);
}

/* NUL bytes inside the length, and names that are empty, blank or NULL. */
static void
test_mask_hostile_names_and_nul(void **state)
{
	static const char *const odd[] = { NULL, "", "   ", "A", "Anne", "\xff\xff" };
	struct mask_list *l = mask_list_new(odd, sizeof(odd) / sizeof(odd[0]));
	struct buf out = BUF_INIT;

	(void)state;
	assert_non_null(l);
	assert_int_equal(mask_apply(l, "Anne\0A zei", 10, "[x]", &out), 0);
	assert_int_equal(out.len, 9);
	assert_memory_equal(out.data, "[x]\0A zei", 9);
	mask_list_free(l);
	buf_release(&out);
}

/* A long text of many names is done in one pass. */
static void
test_mask_long_text(void **state)
{
	struct buf in = BUF_INIT, out = BUF_INIT;

	(void)state;
	for (int i = 0; i < 20000; i++)
		assert_int_equal(buf_adds(&in, "Anne Bakker en de Vries, "), 0);
	assert_int_equal(mask_text(in.data, names, sizeof(names) / sizeof(names[0]), "[n]", &out), 0);
	assert_null(strstr(out.data, "Anne"));
	assert_null(strstr(out.data, "Vries"));
	buf_release(&in);
	buf_release(&out);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_mask_list_reused_and_null_list),
		cmocka_unit_test(test_mask_hostile_names_and_nul),
		cmocka_unit_test(test_mask_long_text),
	};

	return testlib_run_table("mask", cases, sizeof(cases) / sizeof(cases[0]), sizeof(cases[0]),
	    run_case, fixed, sizeof(fixed) / sizeof(fixed[0]));
}
