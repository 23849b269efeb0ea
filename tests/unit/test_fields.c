/*
 * Unit tests of fields: one table row per behaviour (text → the JSON of what was read, compared
 * as JSON values), each run as its own cmocka test named by the row; then the struct itself
 * (line numbers, scores of open answers) and hostile bytes.
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

#include <jansson.h>

#include "fields.h"

struct fields_case {
	const char *name;
	const char *in;
	const char *want; /* JSON */
};

static const struct fields_case cases[] = {
	/* BKC */
	{ "test_fields_dutch_bkc_on_label_lines",
	  "Bevestiging: je luistert goed\nKritiek: je was laat\nConstructief: begin eerder\n",
	  "{\"confirmation\":\"je luistert goed\",\"critique\":\"je was laat\","
	  "\"suggestion\":\"begin eerder\"}" },
	{ "test_fields_english_bkc",
	  "Confirmation: clear slides\nCritique: too long\nSuggestion: cut the intro\n",
	  "{\"confirmation\":\"clear slides\",\"critique\":\"too long\","
	  "\"suggestion\":\"cut the intro\"}" },
	{ "test_fields_labels_ignore_case", "BEVESTIGING: ja\nkritiek: nee\n",
	  "{\"confirmation\":\"ja\",\"critique\":\"nee\"}" },
	{ "test_fields_synonyms_compliment_positief_suggestie_tip",
	  "Compliment: a\nKritiek: b\nTip: c\n",
	  "{\"confirmation\":\"a\",\"critique\":\"b\",\"suggestion\":\"c\"}" },
	{ "test_fields_positief_and_suggestie", "Positief: a\nSuggestie: c\n",
	  "{\"confirmation\":\"a\",\"suggestion\":\"c\"}" },
	{ "test_fields_value_on_lines_after_label",
	  "Bevestiging:\nje luistert goed\nen vat samen\n\nKritiek:\n\nte laat\n",
	  "{\"confirmation\":\"je luistert goed\\nen vat samen\",\"critique\":\"te laat\"}" },
	{ "test_fields_paragraphs_inside_value_kept",
	  "Kritiek: een\n\ntwee\n\n\ndrie\n",
	  "{\"critique\":\"een\\n\\ntwee\\n\\ndrie\"}" },
	{ "test_fields_bold_labels", "**Bevestiging:** goed\n**Kritiek**: laat\n",
	  "{\"confirmation\":\"goed\",\"critique\":\"laat\"}" },
	{ "test_fields_italic_labels", "*Kritiek*: laat\n_Constructief_\neerder\n",
	  "{\"critique\":\"laat\",\"suggestion\":\"eerder\"}" },
	{ "test_fields_dash_after_label", "Kritiek - te laat\nConstructief – eerder\n",
	  "{\"critique\":\"te laat\",\"suggestion\":\"eerder\"}" },
	{ "test_fields_bullets_before_labels",
	  "- Bevestiging: a\n* Kritiek: b\n• Constructief: c\n",
	  "{\"confirmation\":\"a\",\"critique\":\"b\",\"suggestion\":\"c\"}" },
	{ "test_fields_numbered_labels", "1. Bevestiging: a\n2) Kritiek: b\n",
	  "{\"confirmation\":\"a\",\"critique\":\"b\"}" },
	{ "test_fields_nbsp_from_html", "Kritiek:\xc2\xa0te\xc2\xa0laat\xc2\xa0\n",
	  "{\"critique\":\"te laat\"}" },
	{ "test_fields_nbsp_entity_and_zero_width_space",
	  "\xe2\x80\x8b**Kritiek:**&nbsp;te laat\n", "{\"critique\":\"te laat\"}" },
	{ "test_fields_hint_in_parentheses_after_label",
	  "Bevestiging (wat gaat goed): a\nKritiek (wat mist): b\n",
	  "{\"confirmation\":\"a\",\"critique\":\"b\"}" },
	{ "test_fields_crlf_line_ends", "Kritiek: a\r\nConstructief: b\r\n",
	  "{\"critique\":\"a\",\"suggestion\":\"b\"}" },
	{ "test_fields_sentence_starting_with_label_word_is_text",
	  "Kritiek is nodig\n", "{\"unread\":[{\"line\":1,\"text\":\"Kritiek is nodig\"}]}" },
	{ "test_fields_numbered_list_inside_critique_stays_text",
	  "Kritiek:\n1. te laat\n2) te lang\n3 - te snel\n",
	  "{\"critique\":\"1. te laat\\n2) te lang\\n3 - te snel\"}" },
	{ "test_fields_closing_ends_the_value",
	  "Constructief: begin eerder\n\nGroet,\nJan\n",
	  "{\"suggestion\":\"begin eerder\",\"unread\":[{\"line\":3,\"text\":\"Groet,\"},"
	  "{\"line\":4,\"text\":\"Jan\"}]}" },
	{ "test_fields_groet_label_ends_value_without_blank",
	  "Constructief: begin eerder\nGroet: Jan\n",
	  "{\"suggestion\":\"begin eerder\",\"unread\":[{\"line\":2,\"text\":\"Groet: Jan\"}]}" },
	{ "test_fields_thanks_inside_text_is_kept",
	  "Bevestiging: je hielp me\nThanks for that\n",
	  "{\"confirmation\":\"je hielp me\\nThanks for that\"}" },
	{ "test_fields_duplicate_label_later_wins",
	  "Kritiek: eerst\nKritiek: later\n",
	  "{\"critique\":\"later\",\"problems\":[{\"line\":2,"
	  "\"message\":\"\\\"Kritiek\\\" appears twice; the later one counts\"}]}" },
	{ "test_fields_empty_label_is_not_filled", "Bevestiging:\nKritiek: b\n",
	  "{\"critique\":\"b\"}" },
	{ "test_fields_unknown_label_is_unread_not_problem", "Hoi Jan,\nGroet: Piet\n",
	  "{\"unread\":[{\"line\":1,\"text\":\"Hoi Jan,\"},{\"line\":2,\"text\":\"Groet: Piet\"}]}" },

	/* as members write on a phone: shorthand, English words, several parts on one line */
	{ "test_fields_shorthand_bkc_on_lines",
	  "B: je luistert goed\nK: je was laat\nC: begin eerder\n",
	  "{\"confirmation\":\"je luistert goed\",\"critique\":\"je was laat\","
	  "\"suggestion\":\"begin eerder\"}" },
	{ "test_fields_shorthand_lower_case_and_dash", "b: goed\nk - te laat\nc – eerder\n",
	  "{\"confirmation\":\"goed\",\"critique\":\"te laat\",\"suggestion\":\"eerder\"}" },
	{ "test_fields_shorthand_bold_and_bullets", "- **B:** goed\n* *K*: laat\n",
	  "{\"confirmation\":\"goed\",\"critique\":\"laat\"}" },
	{ "test_fields_shorthand_on_one_line_with_slashes",
	  "B: heldere opening / K: de conclusie ontbrak / C: eindig met een samenvatting\n",
	  "{\"confirmation\":\"heldere opening\",\"critique\":\"de conclusie ontbrak\","
	  "\"suggestion\":\"eindig met een samenvatting\"}" },
	{ "test_fields_full_labels_on_one_line_after_sentences",
	  "Bevestiging: goed voorbereid. Kritiek: te snel; Constructief: adem in\n",
	  "{\"confirmation\":\"goed voorbereid.\",\"critique\":\"te snel\","
	  "\"suggestion\":\"adem in\"}" },
	{ "test_fields_one_line_parts_then_more_lines",
	  "B: goed | K: te\nlang\n", "{\"confirmation\":\"goed\",\"critique\":\"te\\nlang\"}" },
	{ "test_fields_letter_in_a_sentence_is_no_label",
	  "Kritiek: we hadden geen plan B: alles liep mis, zie punt C - de planning\n",
	  "{\"critique\":\"we hadden geen plan B: alles liep mis, zie punt C - de planning\"}" },
	{ "test_fields_letter_alone_is_a_signature_not_a_label", "Kritiek: te laat\nK\n",
	  "{\"critique\":\"te laat\\nK\"}" },
	{ "test_fields_other_letters_are_no_labels", "A: ja\nD: nee\n",
	  "{\"unread\":[{\"line\":1,\"text\":\"A: ja\"},{\"line\":2,\"text\":\"D: nee\"}]}" },
	{ "test_fields_english_words_positive_criticism_constructive",
	  "Positive: clear slides\nCriticism: too long\nConstructive: cut the intro\n",
	  "{\"confirmation\":\"clear slides\",\"critique\":\"too long\","
	  "\"suggestion\":\"cut the intro\"}" },

	/* asking */
	{ "test_fields_ask_list_separators",
	  "Vraag feedback aan: Jan de Vries, piet@example.org; Klaas en Anna and Bob\n",
	  "{\"ask\":[\"Jan de Vries\",\"piet@example.org\",\"Klaas\",\"Anna\",\"Bob\"]}" },
	{ "test_fields_ask_list_on_lines_after_label",
	  "Ask feedback from:\n- Jan\n- Piet\n\nAbout: my talk\n",
	  "{\"ask\":[\"Jan\",\"Piet\"],\"about\":\"my talk\"}" },
	{ "test_fields_ask_short_english_label", "Ask: jan@x.nl\n", "{\"ask\":[\"jan@x.nl\"]}" },
	{ "test_fields_ask_drops_mailto_leftover",
	  "Vraag feedback aan: piet@x.nl<mailto:piet@x.nl>\n", "{\"ask\":[\"piet@x.nl\"]}" },
	{ "test_fields_ask_labels_add_up", "Ask: Jan\nAsk: Piet\n", "{\"ask\":[\"Jan\",\"Piet\"]}" },
	{ "test_fields_over_is_about",
	  "Vraag feedback aan: Jan\nOver: mijn presentatie in het teamoverleg\n",
	  "{\"ask\":[\"Jan\"],\"about\":\"mijn presentatie in het teamoverleg\"}" },

	/* unsolicited */
	{ "test_fields_feedback_voor_one_colleague", "Feedback voor: Jan de Vries\nKritiek: x\n",
	  "{\"feedback_for\":\"Jan de Vries\",\"critique\":\"x\"}" },
	{ "test_fields_feedback_for_on_next_line", "Feedback for:\n\njan@x.nl\nKritiek: x\n",
	  "{\"feedback_for\":\"jan@x.nl\",\"critique\":\"x\"}" },
	{ "test_fields_feedback_voor_two_colleagues_is_problem", "Feedback voor: Jan en Piet\n",
	  "{\"problems\":[{\"line\":1,\"message\":\"\\\"Feedback voor\\\" names one colleague; "
	  "write one message per colleague\"}]}" },

	/* questionnaire */
	{ "test_fields_answer_forms",
	  "1: 8\n2 = 7\n3) 6\n4. 5\n5 - 4\nVraag 6: 3\nQ7: 2\nvraag 8 = 1\n",
	  "{\"answers\":[{\"q\":1,\"score\":8},{\"q\":2,\"score\":7},{\"q\":3,\"score\":6},"
	  "{\"q\":4,\"score\":5},{\"q\":5,\"score\":4},{\"q\":6,\"score\":3},{\"q\":7,\"score\":2},"
	  "{\"q\":8,\"score\":1}]}" },
	{ "test_fields_answer_out_of_ten", "1: 8/10\n2: 0\n3: 10\n",
	  "{\"answers\":[{\"q\":1,\"score\":8},{\"q\":2,\"score\":0},{\"q\":3,\"score\":10}]}" },
	{ "test_fields_answer_out_of_range_is_problem", "3: 11\n",
	  "{\"problems\":[{\"line\":1,\"message\":\"question 3: \\\"11\\\" is not a score from 0 "
	  "to 10\"}]}" },
	{ "test_fields_answer_negative_is_problem", "3: -2\n",
	  "{\"problems\":[{\"line\":1,\"message\":\"question 3: \\\"-2\\\" is not a score from 0 "
	  "to 10\"}]}" },
	{ "test_fields_answer_decimal_is_problem", "2: 7,5\n4: 6.5\n",
	  "{\"problems\":[{\"line\":1,\"message\":\"question 2: \\\"7,5\\\" is not a whole number "
	  "from 0 to 10\"},{\"line\":2,\"message\":\"question 4: \\\"6.5\\\" is not a whole "
	  "number from 0 to 10\"}]}" },
	{ "test_fields_open_answer_text", "4: meer overleg\n5: 8 want goed\n",
	  "{\"answers\":[{\"q\":4,\"text\":\"meer overleg\"},{\"q\":5,\"text\":\"8 want goed\"}]}" },
	{ "test_fields_duplicate_answer_later_wins", "1: 8\n1: 6\n",
	  "{\"answers\":[{\"q\":1,\"score\":6}],\"problems\":[{\"line\":2,"
	  "\"message\":\"question 1 is answered twice; the later answer counts\"}]}" },
	{ "test_fields_blank_answer_is_skipped", "1:\n2: 5\n",
	  "{\"answers\":[{\"q\":2,\"score\":5}]}" },
	{ "test_fields_date_is_not_an_answer", "12-03-2027 was goed\n",
	  "{\"unread\":[{\"line\":1,\"text\":\"12-03-2027 was goed\"}]}" },
	{ "test_fields_answer_forms_without_spaces_and_with_prefix_variants",
	  "1=8\n2:7\nQ 3: 6\nquestion 4: 5\nVraag 5. 4\n6 : 3\n7 \xe2\x80\x93 2\n8: 10/10\n9: 08\n",
	  "{\"answers\":[{\"q\":1,\"score\":8},{\"q\":2,\"score\":7},{\"q\":3,\"score\":6},"
	  "{\"q\":4,\"score\":5},{\"q\":5,\"score\":4},{\"q\":6,\"score\":3},{\"q\":7,\"score\":2},"
	  "{\"q\":8,\"score\":10},{\"q\":9,\"score\":8}]}" },
	{ "test_fields_answer_twelve_is_out_of_range", "1: 8\n3: 12\n",
	  "{\"answers\":[{\"q\":1,\"score\":8}],\"problems\":[{\"line\":2,\"message\":"
	  "\"question 3: \\\"12\\\" is not a score from 0 to 10\"}]}" },
	{ "test_fields_answer_eleven_out_of_ten_is_out_of_range", "1: 11/10\n",
	  "{\"problems\":[{\"line\":1,\"message\":\"question 1: \\\"11/10\\\" is not a score "
	  "from 0 to 10\"}]}" },
	{ "test_fields_answer_three_times_last_wins_each_noted",
	  "Vraag 1: 8\nvraag 1: 9\nq1: 7\n",
	  "{\"answers\":[{\"q\":1,\"score\":7}],\"problems\":[{\"line\":2,\"message\":\"question 1 "
	  "is answered twice; the later answer counts\"},{\"line\":3,\"message\":\"question 1 is "
	  "answered twice; the later answer counts\"}]}" },
	{ "test_fields_answer_words_and_dash_are_text_not_guessed",
	  "1: -\n2: n.v.t.\n3: 7 of 8\n4: 7,5/10\n",
	  "{\"answers\":[{\"q\":1,\"text\":\"-\"},{\"q\":2,\"text\":\"n.v.t.\"},"
	  "{\"q\":3,\"text\":\"7 of 8\"},{\"q\":4,\"text\":\"7,5/10\"}]}" },
	{ "test_fields_number_without_separator_is_not_an_answer", "1 8\n1.8\n",
	  "{\"unread\":[{\"line\":1,\"text\":\"1 8\"},{\"line\":2,\"text\":\"1.8\"}]}" },
	{ "test_fields_quote_marker_is_not_an_answer_trim_removes_quotes", "> 1: 8\n",
	  "{\"unread\":[{\"line\":1,\"text\":\"> 1: 8\"}]}" },
	{ "test_fields_answers_mixed_with_greeting_and_closing",
	  "Hoi,\n\n1: 8\n2: 7\n\nGroet,\nAnn\n",
	  "{\"answers\":[{\"q\":1,\"score\":8},{\"q\":2,\"score\":7}],\"unread\":[{\"line\":1,"
	  "\"text\":\"Hoi,\"},{\"line\":6,\"text\":\"Groet,\"},{\"line\":7,\"text\":\"Ann\"}]}" },
	{ "test_fields_answer_ends_text_field", "Over: mijn talk\n1: 8\n2: 7\n",
	  "{\"about\":\"mijn talk\",\"answers\":[{\"q\":1,\"score\":8},{\"q\":2,\"score\":7}]}" },

	/* ratings */
	{ "test_fields_rating", "F12: 4\nf13 = 5\n",
	  "{\"ratings\":[{\"id\":\"F12\",\"score\":4},{\"id\":\"F13\",\"score\":5}]}" },
	{ "test_fields_rating_out_of_range_is_problem", "F12: 6\nF13: 0\n",
	  "{\"problems\":[{\"line\":1,\"message\":\"rating F12: \\\"6\\\" is not a rating from 1 "
	  "to 5\"},{\"line\":2,\"message\":\"rating F13: \\\"0\\\" is not a rating from 1 to "
	  "5\"}]}" },
	{ "test_fields_duplicate_rating_later_wins", "F1: 2\nF1: 3\n",
	  "{\"ratings\":[{\"id\":\"F1\",\"score\":3}],\"problems\":[{\"line\":2,"
	  "\"message\":\"F1 is rated twice; the later rating counts\"}]}" },

	/* commands */
	{ "test_fields_herinner_command", "Herinner: Lid 3\n",
	  "{\"commands\":[{\"command\":\"nudge\",\"name\":\"Lid 3\"}]}" },
	{ "test_fields_nudge_command", "Nudge: jan@x.nl\n",
	  "{\"commands\":[{\"command\":\"nudge\",\"name\":\"jan@x.nl\"}]}" },
	{ "test_fields_afwezig_tot_date", "Afwezig: Lid 4 tot 2027-02-01\n",
	  "{\"commands\":[{\"command\":\"away\",\"name\":\"Lid 4\",\"until\":\"2027-02-01\"}]}" },
	{ "test_fields_away_until_dutch_date_order", "Away: Lid 4 until 1-2-2027\n",
	  "{\"commands\":[{\"command\":\"away\",\"name\":\"Lid 4\",\"until\":\"2027-02-01\"}]}" },
	{ "test_fields_away_until_a_weekday_kept_as_written", "Afwezig: Lid 4 t/m Vrijdag a.s.\n",
	  "{\"commands\":[{\"command\":\"away\",\"name\":\"Lid 4\",\"until\":\"Vrijdag a.s\"}]}" },
	{ "test_fields_away_to_a_named_month_day", "Away: Lid 4 from Feb 1 to March 12th 2027\n",
	  "{\"commands\":[{\"command\":\"away\",\"name\":\"Lid 4 from Feb 1\",\"until\":\"2027-03-12\"}]}" },
	{ "test_fields_away_without_date", "Afwezig: Lid 4\n",
	  "{\"commands\":[{\"command\":\"away\",\"name\":\"Lid 4\"}]}" },
	{ "test_fields_away_bad_date_is_problem", "Afwezig: Lid 4 tot 2027-02-30\n",
	  "{\"problems\":[{\"line\":1,\"message\":\"\\\"2027-02-30\\\" is not a date (write it "
	  "as 2027-02-01, 1-2-2027, 1 February or Friday)\"}]}" },
	{ "test_fields_command_without_name_is_problem", "Herinner:\n",
	  "{\"problems\":[{\"line\":1,\"message\":\"\\\"Herinner\\\" needs the name of a "
	  "member\"}]}" },
	{ "test_fields_several_commands", "Herinner: Lid 1\nHerinner: Lid 2\n",
	  "{\"commands\":[{\"command\":\"nudge\",\"name\":\"Lid 1\"},"
	  "{\"command\":\"nudge\",\"name\":\"Lid 2\"}]}" },

	/* improvement actions */
	{ "test_fields_actions_dutch",
	  "Team, kort: elke week vragen\nTeam, lang: cultuur\nAnderen, kort: HR\n"
	  "Anderen, lang: cursus\n",
	  "{\"actions\":[{\"by\":\"team\",\"term\":\"short\",\"text\":\"elke week vragen\"},"
	  "{\"by\":\"team\",\"term\":\"long\",\"text\":\"cultuur\"},"
	  "{\"by\":\"others\",\"term\":\"short\",\"text\":\"HR\"},"
	  "{\"by\":\"others\",\"term\":\"long\",\"text\":\"cursus\"}]}" },
	{ "test_fields_actions_english", "Team, short: a\nOthers, long: b\n",
	  "{\"actions\":[{\"by\":\"team\",\"term\":\"short\",\"text\":\"a\"},"
	  "{\"by\":\"others\",\"term\":\"long\",\"text\":\"b\"}]}" },

	/* nothing */
	{ "test_fields_empty_text_gives_empty_object", "", "{}" },
};

static void
run_case(void **state)
{
	const struct fields_case *c = *state;
	struct fields f;
	json_t *got, *want;
	json_error_t jerr;

	assert_int_equal(fields_parse(c->in, strlen(c->in), &f), 0);
	got = fields_to_json(&f);
	assert_non_null(got);
	want = json_loads(c->want, 0, &jerr);
	if (want == NULL)
		fail_msg("bad expected JSON in %s: %s", c->name, jerr.text);
	if (!json_equal(got, want)) {
		char *g = json_dumps(got, JSON_COMPACT), *w = json_dumps(want, JSON_COMPACT);

		print_error("want: %s\ngot:  %s\n", w, g);
		free(g);
		free(w);
		fail();
	}
	json_decref(got);
	json_decref(want);
	fields_release(&f);
}

static void
test_fields_struct_keeps_line_numbers_and_open_answer_raw_text(void **state)
{
	static const char in[] = "Hoi\n\nKritiek:\nte laat\n\n4: 8 \n5: goed\n";
	struct fields f;

	assert_int_equal(fields_parse(in, sizeof(in) - 1, &f), 0);
	assert_string_equal(f.critique.text, "te laat");
	assert_int_equal(f.critique.line, 3);
	assert_int_equal(f.nanswers, 2);
	assert_int_equal(f.answers[0].q, 4);
	assert_int_equal(f.answers[0].score, 8);
	assert_string_equal(f.answers[0].text, "8");
	assert_int_equal(f.answers[0].line, 6);
	assert_int_equal(f.answers[1].score, -1);
	assert_string_equal(f.answers[1].text, "goed");
	assert_int_equal(f.nunread, 1);
	assert_int_equal(f.unread[0].line, 1);
	fields_release(&f);
	assert_null(f.critique.text);
	assert_int_equal(f.nanswers, 0);
	fields_release(&f); /* twice is fine */
	fields_release(NULL);
}

/* Answer problems carry their kind, question and value (so a template can say them in the
 * member's language); a label given twice has a kind of its own and the label as written. */
static void
test_fields_answer_problems_carry_kind_question_and_value(void **state)
{
	static const char in[] = "3: 12\n2: 7,5\n1: 8\n1: 6\nKritiek: a\nKritiek: b\n"
	    "4: 99999999999999999999999999999999999999999999999999999999999999999999\n";
	struct fields f;

	(void)state;
	assert_int_equal(fields_parse(in, sizeof(in) - 1, &f), 0);
	assert_int_equal(f.nproblems, 4);
	assert_int_equal(f.problems[0].kind, FIELDS_PROBLEM_OUT_OF_RANGE);
	assert_int_equal(f.problems[0].q, 3);
	assert_string_equal(f.problems[0].value, "12");
	assert_int_equal(f.problems[1].kind, FIELDS_PROBLEM_NOT_WHOLE);
	assert_int_equal(f.problems[1].q, 2);
	assert_string_equal(f.problems[1].value, "7,5");
	assert_int_equal(f.problems[2].kind, FIELDS_PROBLEM_ANSWER_TWICE);
	assert_int_equal(f.problems[2].q, 1);
	assert_int_equal(f.problems[2].line, 4);
	assert_null(f.problems[2].value);
	assert_int_equal(f.problems[3].kind, FIELDS_PROBLEM_LABEL_TWICE);
	assert_int_equal(f.problems[3].q, 0);
	assert_string_equal(f.problems[3].value, "Kritiek");
	/* a long number is no score and no problem here: an answer's text, kept whole (for a
	 * scale question apply explains it, cut to a readable length) */
	assert_int_equal(f.nanswers, 2);
	assert_int_equal(f.answers[0].score, 6);
	assert_int_equal(f.answers[1].score, -1);
	assert_int_equal(strlen(f.answers[1].text), 68);
	fields_release(&f);
}

/* Every problem has a kind, and the number and value a template needs to say it. */
static const struct {
	const char *in;
	enum fields_problem kind;
	unsigned q;
	const char *value;      /* NULL: none */
	size_t line;
} kinds[] = {
	{ "Kritiek: a\nKRITIEK: b\n", FIELDS_PROBLEM_LABEL_TWICE, 0, "KRITIEK", 2 },
	{ "Over: x\nAbout: y\n", FIELDS_PROBLEM_LABEL_TWICE, 0, "About", 2 },
	{ "Feedback voor:\n", FIELDS_PROBLEM_NEEDS_NAME, 0, "Feedback voor", 1 },
	{ "Hoi\nHerinner:\n", FIELDS_PROBLEM_NEEDS_NAME, 0, "Herinner", 2 },
	{ "Nudge:  \n", FIELDS_PROBLEM_NEEDS_NAME, 0, "Nudge", 1 },
	{ "Feedback for: Jan, Piet\nKritiek: x\n", FIELDS_PROBLEM_ONE_COLLEAGUE, 0,
	  "Feedback for", 1 },
	{ "Afwezig: Lid 4 tot 2027-02-30\n", FIELDS_PROBLEM_NOT_A_DATE, 0, "2027-02-30", 1 },
	{ "Away: Ann until the weather improves\n", FIELDS_PROBLEM_NOT_A_DATE, 0,
	  "the weather improves", 1 },
	{ "F12: 6\n", FIELDS_PROBLEM_RATING_OUT_OF_RANGE, 12, "6", 1 },
	{ "F7: goed\n", FIELDS_PROBLEM_RATING_OUT_OF_RANGE, 7, "goed", 1 },
	{ "F1: 3\nF1: 4\n", FIELDS_PROBLEM_RATING_TWICE, 1, NULL, 2 },
	{ "2: 7,5\n", FIELDS_PROBLEM_NOT_WHOLE, 2, "7,5", 1 },
};

static void
test_fields_every_problem_has_a_kind(void **state)
{
	{
		const size_t i = TESTLIB_ROW(state, kinds);
		struct fields f;

		assert_int_equal(fields_parse(kinds[i].in, strlen(kinds[i].in), &f), 0);
		if (f.nproblems != 1)
			fail_msg("%s: %zu problems", kinds[i].in, f.nproblems);
		if (f.problems[0].kind != kinds[i].kind || f.problems[0].q != kinds[i].q ||
		    f.problems[0].line != kinds[i].line)
			fail_msg("%s: kind %d q %u line %zu", kinds[i].in, (int)f.problems[0].kind,
			    f.problems[0].q, f.problems[0].line);
		if (kinds[i].value == NULL)
			assert_null(f.problems[0].value);
		else
			assert_string_equal(f.problems[0].value, kinds[i].value);
		assert_non_null(f.problems[0].text); /* the English message stays, for logs */
		fields_release(&f);
	}
}

/* More than fields reads: the rest is unread, and the problem says so by its kind. */
static void
test_fields_too_long_text_is_a_problem_of_its_own_kind(void **state)
{
	size_t len = ((size_t)4 << 20) + 100;
	char *in = malloc(len);
	struct fields f;

	(void)state;
	assert_non_null(in);
	memset(in, 'x', len);
	memcpy(in, "1: 8\n", 5);
	assert_int_equal(fields_parse(in, len, &f), 0);
	assert_int_equal(f.nanswers, 1);
	assert_true(f.nproblems >= 1);
	assert_int_equal(f.problems[f.nproblems - 1].kind, FIELDS_PROBLEM_TOO_LONG);
	fields_release(&f);
	free(in);
}

static void
test_fields_invalid_utf8_and_nul_become_replacement(void **state)
{
	static const char in[] = "Kritiek: a\xff" "b\0c\n";
	struct fields f;
	json_t *j;

	assert_int_equal(fields_parse(in, sizeof(in) - 1, &f), 0);
	assert_string_equal(f.critique.text, "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c");
	j = fields_to_json(&f);
	assert_non_null(j);
	json_decref(j);
	fields_release(&f);
}

static void
test_fields_many_answers_grow(void **state)
{
	char line[32];
	size_t cap = 200 * 16, len = 0;
	char *in = malloc(cap);
	struct fields f;

	assert_non_null(in);
	for (int q = 1; q <= 200; q++) {
		int n = snprintf(line, sizeof(line), "%d: %d\n", q, q % 11);

		memcpy(in + len, line, (size_t)n);
		len += (size_t)n;
	}
	assert_int_equal(fields_parse(in, len, &f), 0);
	assert_int_equal(f.nanswers, 200);
	assert_int_equal(f.answers[199].q, 200);
	assert_int_equal(f.answers[199].score, 200 % 11);
	fields_release(&f);
	free(in);
}

int
main(void)
{
	static const struct testlib_rows rows[] = {
		TESTLIB_NAMED_ROWS(run_case, cases),
		TESTLIB_ROWS(test_fields_every_problem_has_a_kind, kinds),
	};
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_fields_struct_keeps_line_numbers_and_open_answer_raw_text),
		cmocka_unit_test(test_fields_invalid_utf8_and_nul_become_replacement),
		cmocka_unit_test(test_fields_many_answers_grow),
		cmocka_unit_test(test_fields_answer_problems_carry_kind_question_and_value),
		cmocka_unit_test(test_fields_too_long_text_is_a_problem_of_its_own_kind),
	};
	return testlib_run_rows("fields", rows, sizeof(rows) / sizeof(rows[0]), fixed,
	    sizeof(fixed) / sizeof(fixed[0]), NULL, NULL);
}
