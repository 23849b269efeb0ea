/*
 * Unit tests of trim: one table row per behaviour (input → the text the person wrote), each run
 * as its own cmocka test named by the row; then the description of what was removed, the
 * never-empty rule, and hostile bytes.
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
#include "trim.h"

struct trim_case {
	const char *name;
	const char *in;
	const char *want;
};

#define ON_WROTE "On Mon, Jan 11, 2027 at 10:00 AM Jan de Vries <jan@example.org> wrote:\n"

static const struct trim_case cases[] = {
	/* plain text and whitespace */
	{ "test_trim_plain_text_is_kept", "Hallo,\n\nDit is tekst.\n", "Hallo,\n\nDit is tekst.\n" },
	{ "test_trim_empty_input_gives_empty_output", "", "" },
	{ "test_trim_blank_lines_around_text_go", "\n\n  \nTekst\n\n\n", "Tekst\n" },
	{ "test_trim_crlf_line_ends_are_tolerated",
	  "Hoi\r\n\r\n" "On Mon, Jan 11, 2027 at 10:00 AM Jan <jan@x.nl> wrote:\r\n> x\r\n", "Hoi\n" },
	{ "test_trim_no_newline_at_end", "Alleen dit", "Alleen dit\n" },

	/* quote headers, top-posted */
	{ "test_trim_gmail_on_wrote_top_posted",
	  "Goed idee!\n\n" ON_WROTE "> origineel\n> meer\n", "Goed idee!\n" },
	{ "test_trim_on_wrote_wrapped_over_two_lines",
	  "Prima\n\nOn Mon, Jan 11, 2027 at 10:00 AM Jan de Vries <\njan@example.org> wrote:\n\n> x\n",
	  "Prima\n" },
	{ "test_trim_on_wrote_wrapped_with_quote_marker",
	  "Prima\n\nOn Mon, Jan 11, 2027 at 10:00 AM Jan de Vries <jan@example.org\n> wrote:\n> x\n",
	  "Prima\n" },
	{ "test_trim_apple_mail_on_at_wrote",
	  "Ja hoor.\n\nOn 11 Jan 2027, at 10:00, Jan <jan@x.nl> wrote:\n\n> x\n", "Ja hoor.\n" },
	{ "test_trim_dutch_op_schreef",
	  "Top\n\nOp ma 11 jan. 2027 om 10:00 schreef Jan de Vries <jan@x.nl>:\n> bla\n", "Top\n" },
	{ "test_trim_dutch_op_schreef_without_blank_line_above",
	  "Top\nOp ma 11 jan. 2027 om 10:00 schreef Jan de Vries <jan@x.nl>:\n\n> bla\n", "Top\n" },
	{ "test_trim_dutch_heeft_het_volgende_geschreven",
	  "Dank!\n\nOp 11 jan. 2027, om 10:00 heeft Jan de Vries <jan@x.nl> het volgende "
	  "geschreven:\n\n> bla\n", "Dank!\n" },
	{ "test_trim_dutch_schreef_het_volgende_wrapped",
	  "Dank!\nOp 11 jan. 2027 10:00 schreef \"Jan\" <jan@x.nl> het\nvolgende geschreven:\n\n> bla\n",
	  "Dank!\n" },
	{ "test_trim_french_le_a_ecrit",
	  "Merci\n\nLe lun. 11 janv. 2027 à 10:00, Jan <jan@x.fr> a écrit :\n> bla\n", "Merci\n" },
	{ "test_trim_german_am_schrieb",
	  "Danke\n\nAm Mo., 11. Jan. 2027 um 10:00 Uhr schrieb Jan <jan@x.de>:\n> bla\n", "Danke\n" },
	{ "test_trim_german_name_schrieb_am_wrapped",
	  "Danke\n\nJan <jan@x.de> schrieb am Mo., 11.\nJan. 2027 um 10:00 Uhr:\n\n> bla\n", "Danke\n" },
	{ "test_trim_gmail_iso_date_header",
	  "Ok\n\n2027-01-11 10:00 GMT+01:00 Jan <jan@x.nl>:\n\n> x\n", "Ok\n" },
	{ "test_trim_header_followed_by_unquoted_old_text",
	  "Thanks\n\n" ON_WROTE "\nOld text without quote marks.\nMore of it.\n", "Thanks\n" },
	{ "test_trim_second_reply_level_cut_at_first_header",
	  "Three\n\n" ON_WROTE "\nTwo\n\n" ON_WROTE "\nOne\n", "Three\n" },

	/* quote headers that are not: the person's own sentences */
	{ "test_trim_on_monday_i_wrote_is_kept",
	  "On Monday I wrote:\nthe plan is fine\n", "On Monday I wrote:\nthe plan is fine\n" },
	{ "test_trim_paragraph_before_header_not_joined",
	  "On this day\n\nI wrote something.\n\nOn 11 Jan 2027, at 10:00, Jan wrote:\n\n> q\n",
	  "On this day\n\nI wrote something.\n" },

	/* bottom-posted and inline */
	{ "test_trim_bottom_posted_reply_keeps_text_under_quote",
	  ON_WROTE "> vraag\n> meer\n\nMijn antwoord.\n", "Mijn antwoord.\n" },
	{ "test_trim_inline_reply_keeps_answers_between_quotes",
	  ON_WROTE "> Vraag een?\nAntwoord een.\n\n> Vraag twee?\nAntwoord twee.\n",
	  "Antwoord een.\n\nAntwoord twee.\n" },
	{ "test_trim_inline_reply_after_greeting",
	  "Hoi Jan,\n\n" ON_WROTE "> Vraag?\nAntwoord.\n> Nog een?\nJa.\n",
	  "Hoi Jan,\n\nAntwoord.\nJa.\n" },
	/* blank lines around a dropped quote collapse to those above it (EmailReplyParser's
	 * email_2: "Hi," + header + quote + blank + answer reads "Hi,\nYou can …") */
	{ "test_trim_dropped_quote_keeps_the_blanks_above_it",
	  "Voor\n" ON_WROTE "> a\n\nTussen\n\n>\n> b\n>\n\n\nNa\n",
	  "Voor\nTussen\n\nNa\n" },
	{ "test_trim_inline_reply_with_signature_below",
	  ON_WROTE "> Vraag?\nAntwoord.\n\n-- \nJan\n", "Antwoord.\n" },

	/* quotes without a header */
	{ "test_trim_trailing_quote_without_header_goes",
	  "Eens.\n\n> oude tekst\n> meer\n", "Eens.\n" },
	{ "test_trim_quote_without_header_followed_by_text_is_kept",
	  "> Jan zei: kan beter\n\nDaar ben ik het mee eens.\n",
	  "> Jan zei: kan beter\n\nDaar ben ik het mee eens.\n" },
	{ "test_trim_quoted_header_inside_quote_is_quote",
	  "Ja.\n\n> On Mon, Jan 11, 2027 at 10:00 AM Jan <jan@x> wrote:\n>> x\n", "Ja.\n" },

	/* Outlook and separators */
	{ "test_trim_outlook_english_header_block",
	  "Sounds good.\n\nFrom: Jan de Vries <jan@x.nl>\nSent: Monday, January 11, 2027 10:00 AM\n"
	  "To: Piet <piet@x.nl>\nSubject: RE: Feedback\n\nOld text\n", "Sounds good.\n" },
	{ "test_trim_outlook_dutch_header_block",
	  "Klopt.\n\nVan: Jan de Vries <jan@x.nl>\nVerzonden: maandag 11 januari 2027 10:00\n"
	  "Aan: Piet <piet@x.nl>\nOnderwerp: RE: Feedbackverzoek\n\nOude tekst\n", "Klopt.\n" },
	{ "test_trim_outlook_french_header_block",
	  "D'accord.\n\nDe : Jan <jan@x.fr>\nEnvoyé : lundi 11 janvier 2027 10:00\nÀ : Piet\n"
	  "Objet : RE: x\n\nvieux\n", "D'accord.\n" },
	{ "test_trim_outlook_bold_header_block",
	  "Ok.\n\n**From:** Jan\n**Sent:** Monday\n**To:** Piet\n**Subject:** x\n", "Ok.\n" },
	{ "test_trim_outlook_header_block_on_one_line",
	  "Ok.\n\nFrom: Jan <jan@x.nl> Sent: Monday, 11 January 2027 10:00 To: Piet Subject: x\n",
	  "Ok.\n" },
	{ "test_trim_outlook_underscore_line_before_header_block",
	  "Ok\n________________________________\nFrom: Jan\nSent: Monday\nTo: Piet\nSubject: x\n\nold\n",
	  "Ok\n" },
	{ "test_trim_original_message_separator",
	  "Ja.\n\n-----Original Message-----\nFrom: x\nold\n", "Ja.\n" },
	{ "test_trim_dutch_oorspronkelijk_bericht",
	  "Ja.\n\n-----Oorspronkelijk bericht-----\nVan: x\nold\n", "Ja.\n" },
	{ "test_trim_forwarded_message_separator",
	  "Zie hieronder.\n\n---------- Forwarded message ---------\nFrom: x\nold\n",
	  "Zie hieronder.\n" },
	{ "test_trim_single_from_line_is_text",
	  "Van: Jan heb ik gehoord dat het goed ging.\nDank!\n",
	  "Van: Jan heb ik gehoord dat het goed ging.\nDank!\n" },

	/* the writer's own lines */
	{ "test_trim_triple_dash_line_is_the_writers",
	  "Punt een\n---\nPunt twee\n", "Punt een\n---\nPunt twee\n" },
	{ "test_trim_stars_and_short_underscores_are_the_writers",
	  "A\n***\nB\n___\nC\n", "A\n***\nB\n___\nC\n" },
	{ "test_trim_long_underscore_line_without_header_is_kept",
	  "A\n________________________________\nB\n", "A\n________________________________\nB\n" },
	{ "test_trim_code_fence_keeps_prompt_and_dashes",
	  "Probeer dit:\n```\n> make check\n-- \n```\nDan werkt het.\n",
	  "Probeer dit:\n```\n> make check\n-- \n```\nDan werkt het.\n" },
	{ "test_trim_indented_prompt_is_not_a_quote",
	  "Typ\n  > ls\nen kijk\n", "Typ\n  > ls\nen kijk\n" },
	{ "test_trim_unclosed_fence_protects_nothing",
	  "Ja\n```\n\n" ON_WROTE "> x\n", "Ja\n```\n" },

	/* signatures */
	{ "test_trim_signature_dash_dash_space", "Tekst\n\n-- \nJan de Vries\nAfdeling X\n", "Tekst\n" },
	{ "test_trim_signature_dash_dash_without_space", "Tekst\n--\nJan\n", "Tekst\n" },
	{ "test_trim_sent_from_my_iphone", "Prima!\n\nSent from my iPhone\n", "Prima!\n" },
	{ "test_trim_sent_from_my_iphone_right_under_text", "Prima!\nSent from my iPhone\n",
	  "Prima!\n" },
	{ "test_trim_verzonden_vanaf_mijn_iphone", "Prima!\n\nVerzonden vanaf mijn iPhone\n",
	  "Prima!\n" },
	{ "test_trim_verstuurd_vanaf_mijn_ipad", "Prima!\n\nVerstuurd vanaf mijn iPad\n",
	  "Prima!\n" },
	{ "test_trim_get_outlook_for_ios", "Prima!\n\nGet Outlook for iOS<https://aka.ms/o0ukef>\n",
	  "Prima!\n" },
	{ "test_trim_get_outlook_for_android", "Prima!\n\nGet Outlook for Android\n", "Prima!\n" },
	{ "test_trim_download_outlook_voor_ios", "Prima!\n\nDownload Outlook voor iOS\n",
	  "Prima!\n" },
	{ "test_trim_sent_from_my_galaxy", "Prima!\n\nSent from my Galaxy\n", "Prima!\n" },
	{ "test_trim_sent_from_mail_for_windows", "Prima!\n\nSent from Mail for Windows\n",
	  "Prima!\n" },
	{ "test_trim_envoye_de_mon_iphone", "Prima!\n\nEnvoyé de mon iPhone\n", "Prima!\n" },
	{ "test_trim_von_meinem_iphone_gesendet", "Prima!\n\nVon meinem iPhone gesendet\n",
	  "Prima!\n" },
	{ "test_trim_device_signature_above_quote_header",
	  "Prima!\n\nSent from my iPhone\n\n" ON_WROTE "> x\n", "Prima!\n" },
	{ "test_trim_sent_from_inside_a_paragraph_is_kept",
	  "We spraken af\nsent from my laptop to the printer\nand it worked\n",
	  "We spraken af\nsent from my laptop to the printer\nand it worked\n" },
	{ "test_trim_only_a_device_signature_gives_nothing", "Sent from my iPhone\n", "" },

	/* boilerplate */
	{ "test_trim_external_mail_warning_goes",
	  "CAUTION: This email originated from outside of the organization.\n\nGoed gedaan.\n",
	  "Goed gedaan.\n" },
	{ "test_trim_outlook_first_contact_tip_goes",
	  "You don't often get email from jan@x.nl. Learn why this is important\n\nGoed.\n",
	  "Goed.\n" },
	{ "test_trim_dutch_first_contact_tip_goes",
	  "Je ontvangt niet vaak e-mail van jan@x.nl. Ontdek waarom dit belangrijk is\n\nGoed.\n",
	  "Goed.\n" },

	/* the never-empty rule */
	/* a quote chain sent back under "On … wrote:" is the mail answered: nothing written */
	{ "test_trim_quote_chain_alone_is_nothing_written",
	  ON_WROTE "> alleen citaat\n", "" },
	{ "test_trim_only_quote_lines_are_kept", "> alleen citaat\n", "> alleen citaat\n" },
	{ "test_trim_message_starting_with_separator_keeps_text",
	  "-----Original Message-----\nFrom: Jan\n\nTekst\n",
	  "-----Original Message-----\nFrom: Jan\n\nTekst\n" },

	/* the fields survive */
	{ "test_trim_bkc_form_above_quoted_form_survives",
	  "Bevestiging: goed\nKritiek: te laat\nConstructief: eerder beginnen\n\n"
	  "Op 11 jan. 2027 10:00 schreef Feedback <feedback@x.nl>:\n> Bevestiging:\n> Kritiek:\n",
	  "Bevestiging: goed\nKritiek: te laat\nConstructief: eerder beginnen\n" },
	{ "test_trim_nbsp_lines_count_as_blank",
	  "A\n\xc2\xa0\n" ON_WROTE "\xc2\xa0\n> x\n", "A\n" },
	{ "test_trim_leading_indent_of_first_line_goes",
	  ON_WROTE "\n    code here\n\nIt should be:\n\n    other code\n",
	  "code here\n\nIt should be:\n\n    other code\n" },

	/* quote headers of the tables (src/core/tables/quote-headers.txt), one shape a row */
	{ "test_trim_header_wrote_colon_lost",
	  "Ok\n\nOn Wed, 14 Nov 2018 08:14:43 -0200 Jan <jan@x.org> wrote\n\nOld text\n", "Ok\n" },
	{ "test_trim_header_date_first_no_verb",
	  "Ok\n\n30.09.2017, 18.30, \"Jan - Doe\" <jan@x.ru>:\n\nOld text\n", "Ok\n" },
	{ "test_trim_header_angle_quotes",
	  "Ok\n\n11.01.2027, 10:00, \"Jan\" \xe2\x80\xb9jan@x.ru\xe2\x80\xba:\n> x\n", "Ok\n" },
	{ "test_trim_header_name_address_alone",
	  "Ok\n\nJan <jan@x.de> schrieb:\n\nOld text\n", "Ok\n" },
	{ "test_trim_header_eudora_you_wrote",
	  "Ok\n\nAt 10:00 AM 1/11/2027, you wrote:\n>x\n", "Ok\n" },
	{ "test_trim_header_finnish_wrapped_address",
	  "Ok\n\npe 20. lokakuuta 2017 klo 17.50 Jan Coe\n<jan@x.fi> kirjoitti:\n\nOld\n", "Ok\n" },
	{ "test_trim_header_korean_gmail",
	  "Ok\n\n2027\xeb\x85\x84 1\xec\x9b\x94 11\xec\x9d\xbc (\xec\x9b\x94) 10:00, Jan <j@x.kr>"
	  "\xeb\x8b\x98\xec\x9d\xb4 \xec\x9e\x91\xec\x84\xb1:\n> x\n", "Ok\n" },
	{ "test_trim_header_block_starting_with_gesendet",
	  "Ok\n\nGesendet: Montag, 11. Januar 2027 um 10:00 Uhr\nVon: Jan <j@x.de>\nAn: a@x.de\n"
	  "Betreff: Frage\n\nOld\n", "Ok\n" },
	{ "test_trim_header_block_fullwidth_colon",
	  "Ok\n\n\xe5\x8f\x91\xe4\xbb\xb6\xe4\xba\xba\xef\xbc\x9a Jan <j@x.cn>\n"
	  "\xe6\x94\xb6\xe4\xbb\xb6\xe4\xba\xba\xef\xbc\x9a a@x.cn\n\xe4\xb8\xbb\xe9\xa2\x98\xef\xbc\x9a x\n\nOld\n",
	  "Ok\n" },
	{ "test_trim_header_block_with_wrapped_from",
	  "Ok\n\nFrom: Human Resources\n<hr@x.com>\nSent: Monday, August 26, 2019 4:37 PM\n"
	  "To: Jan <j@x.com>\nSubject: News\n\nOld\n", "Ok\n" },
	{ "test_trim_russian_forwarded_separator",
	  "Ok\n\n-------- \xd0\x9f\xd0\xb5\xd1\x80\xd0\xb5\xd1\x81\xd1\x8b\xd0\xbb\xd0\xb0\xd0\xb5"
	  "\xd0\xbc\xd0\xbe\xd0\xb5 \xd1\x81\xd0\xbe\xd0\xbe\xd0\xb1\xd1\x89\xd0\xb5\xd0\xbd\xd0\xb8"
	  "\xd0\xb5 --------\nOld\n", "Ok\n" },
	{ "test_trim_device_signature_ends_the_text",
	  "Ok\n\nGesendet von Outlook f\xc3\xbcr Android\n\nOld text quoted without marks\n", "Ok\n" },
	{ "test_trim_quoted_line_overflow_is_not_an_answer",
	  "Ok\n\n" ON_WROTE "> Lorem ipsum dolor sit amet, consectetur adipiscing elit. Nullam d\n"
	  "ignissim odio?\n> more\n", "Ok\n" },
	{ "test_trim_quoted_line_overflow_of_a_name_is_not_an_answer",
	  "Ok\n\nOp 03-12-2026 om 10:15 schreef Feedback:\n"
	  "> Constructief: welke suggestie helpt haar verder? Je feedback gaat naar Carla\n"
	  "Smit.\n>\n> Met vriendelijke groet,\n", "Ok\n" },
	{ "test_trim_quoted_line_overflow_over_two_lines_is_not_an_answer",
	  "Ok\n\n" ON_WROTE "> Een collega die gisteren bij je presentatie was, weet nog precies wat er\n"
	  "gebeurde; over drie weken blijft er vooral een algemene indruk over. Uiterlijk\n"
	  "twaalf januari.\n> more\n", "Ok\n" },
	{ "test_trim_quoted_line_overflow_goes_with_the_quote_of_an_inline_answer",
	  "Ok\n\n" ON_WROTE "> Lorem ipsum dolor sit amet, consectetur adipiscing elit. Nullam d\n"
	  "ignissim odio?\n> Kun je komen?\nJa, ik kom.\n", "Ok\n\nJa, ik kom.\n" },
	{ "test_trim_short_answer_under_a_whole_quoted_question_is_kept",
	  "Ok\n\n" ON_WROTE "> Kun je morgen om tien uur naar het overleg komen, of past dat niet goed?\n"
	  "Ja.\n> Verder nog iets?\n", "Ok\n\nJa.\n" },
	{ "test_trim_answer_under_a_long_quoted_line_in_mid_sentence_is_kept",
	  "Ok\n\n" ON_WROTE "> We could move it to Thursday because Jan cannot make it on Tuesday and\n"
	  "Agreed, let us move it then.\n> more\n", "Ok\n\nAgreed, let us move it then.\n" },

	{ "test_trim_outlook_bold_header_block_on_one_line",
	  "Ok\n\n**From:** Jan <j@x.org> **Sent:** Monday, January 11, 2027 10:00 AM **To:** a@x.org "
	  "**Subject:** x\n\nOld\n", "Ok\n" },
	{ "test_trim_device_signature_japanese",
	  "Ok\n\niPhone\xe3\x81\x8b\xe3\x82\x89\xe9\x80\x81\xe4\xbf\xa1\n", "Ok\n" },
	{ "test_trim_device_signature_finnish",
	  "Ok\n\nL\xc3\xa4hetetty iPhonesta\n", "Ok\n" },
	{ "test_trim_device_signature_with_apology",
	  "Ok\n\nSent from my iPhone, please excuse my brevity\n", "Ok\n" },

	{ "test_trim_header_mutt_attribution",
	  "Ok\n\n* Jan de Vries <jan@x.org> [2027-01-11 10:00 +0100]:\n> x\n", "Ok\n" },
	{ "test_trim_header_horde_zitat_von",
	  "Ok\n\nZitat von Jan de Vries <jan@x.de>:\n\n> x\n", "Ok\n" },

	/* near misses: the person's own lines stay (the evidence rule, sentences, labels) */
	{ "test_trim_near_miss_numbered_answers_right_above_header",
	  "2: 6\n3: 7\nOp ma 4 jan 2027 schreef Pilot:\n> 1: 0\n", "2: 6\n3: 7\n" },
	{ "test_trim_near_miss_time_right_above_header",
	  "See you at 10:00 tomorrow\n" ON_WROTE "> x\n", "See you at 10:00 tomorrow\n" },
	{ "test_trim_near_miss_sentence_then_wrote",
	  "We met in 2019.\nThen Jan wrote:\nlet us call weekly.\n",
	  "We met in 2019.\nThen Jan wrote:\nlet us call weekly.\n" },
	{ "test_trim_near_miss_wrote_without_evidence",
	  "Yesterday Jan wrote:\nlet us call weekly.\n", "Yesterday Jan wrote:\nlet us call weekly.\n" },
	{ "test_trim_near_miss_wrote_not_at_the_end",
	  "At 10:00 Jan wrote: the plan is fine.\n", "At 10:00 Jan wrote: the plan is fine.\n" },
	{ "test_trim_near_miss_two_labels_are_not_a_block",
	  "From: the team\nTo: everyone\n\nWe agreed.\n", "From: the team\nTo: everyone\n\nWe agreed.\n" },
	{ "test_trim_near_miss_labels_without_from",
	  "Date: Monday\nTo: all\nSubject: planning\n", "Date: Monday\nTo: all\nSubject: planning\n" },
	{ "test_trim_near_miss_sent_from_my_desk",
	  "Here it is.\n\nSent from my desk, is much easier then my mobile phone.\n",
	  "Here it is.\n\nSent from my desk, is much easier then my mobile phone.\n" },
	{ "test_trim_near_miss_forwarded_message_in_a_sentence",
	  "The forwarded message -- see below -- is old.\n",
	  "The forwarded message -- see below -- is old.\n" },
	{ "test_trim_near_miss_address_then_colon_without_date",
	  "Write to Jan <jan@x.org>:\nhe knows.\n", "Write to Jan <jan@x.org>:\nhe knows.\n" },
	{ "test_trim_near_miss_answer_after_long_quote_line",
	  "On Mon, Jan 11, 2027 at 10:00 AM Jan <jan@x.org> wrote:\n"
	  "> Can you tell me what you think of the proposal we discussed on Monday?\nYes, fine.\n> x\n",
	  "Yes, fine.\n" },
	{ "test_trim_near_miss_hostile_long_header_like_line",
	  "On 2027 " "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa wrote:\n",
	  "On 2027 " "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa wrote:\n" },
	/* invalid UTF-8 is no error (PCRE2_MATCH_INVALID_UTF): the valid part still matches */
	{ "test_trim_invalid_utf8_in_header_line",
	  "Ok \xff\xfe\n\nOn \xc3 2027 Jan <\xff@x> wrote:\n> x\n", "Ok \xff\xfe\n" },
};

/* The compiled patterns, made once for every test as a caller does (main). */
static struct trim_rules *R;

static void
run_case(void **state)
{
	const struct trim_case *c = *state;
	struct buf out = BUF_INIT;

	assert_int_equal(trim_reply(R, c->in, strlen(c->in), &out, NULL), 0);
	if (strcmp(out.data, c->want) != 0)
		print_error("input:\n%s\n--- want:\n%s--- got:\n%s---\n", c->in, c->want, out.data);
	assert_string_equal(out.data, c->want);
	buf_release(&out);
}

static void
test_trim_info_describes_what_was_removed(void **state)
{
	static const char in[] = "Prima.\n\nOp 12 jan. 2027 om 10:00 schreef Jan <jan@x.nl>:\n"
	    "> een\n> twee\n";
	struct buf out = BUF_INIT;
	struct trim_info info = TRIM_INFO_INIT;

	assert_int_equal(trim_reply(R, in, sizeof(in) - 1, &out, &info), 0);
	assert_string_equal(out.data, "Prima.\n");
	assert_non_null(strstr(info.removed.data, "quote header 'Op 12 jan. 2027 om 10:00 schreef Jan <jan@x.nl>:'; 2 quoted lines"));
	assert_int_equal(info.lines_in, 5);
	assert_int_equal(info.lines_removed, 4);
	assert_int_equal(info.everything_quoted, 0);
	trim_info_release(&info);
	assert_int_equal(info.removed.len, 0);
	buf_release(&out);
}

static void
test_trim_info_counts_quoted_lines_and_signature(void **state)
{
	static const char in[] = ON_WROTE "> a\n> b\nAntwoord.\n\n-- \nJan\nBureau\n";
	struct buf out = BUF_INIT;
	struct trim_info info = TRIM_INFO_INIT;

	assert_int_equal(trim_reply(R, in, sizeof(in) - 1, &out, &info), 0);
	assert_string_equal(out.data, "Antwoord.\n");
	assert_non_null(strstr(info.removed.data, "quote header 'On Mon, Jan 11, 2027"));
	assert_non_null(strstr(info.removed.data, "2 quoted lines"));
	assert_non_null(strstr(info.removed.data, "signature '--' (2 more lines)"));
	trim_info_release(&info);
	buf_release(&out);
}

static void
test_trim_info_marks_everything_quoted(void **state)
{
	static const char in[] = ON_WROTE "> alles\n";
	struct buf out = BUF_INIT;
	struct trim_info info = TRIM_INFO_INIT;

	assert_int_equal(trim_reply(R, in, sizeof(in) - 1, &out, &info), 0);
	assert_int_equal(info.everything_quoted, 1);
	assert_non_null(strstr(info.removed.data, "quote header"));
	/* info reused: filled from scratch */
	assert_int_equal(trim_reply(R, "Ja\n", 3, &out, &info), 0);
	assert_int_equal(info.everything_quoted, 0);
	assert_string_equal(info.removed.data, "");
	trim_info_release(&info);
	buf_release(&out);
}

/* Nothing but quoted lines, without a quote header: nothing written, flagged as such (the
 * flow answers "no text found"); the text is still the quote, so nothing is lost. */
static void
test_trim_quote_only_without_header_is_everything_quoted(void **state)
{
	static const char in[] = "> Beste Anna,\n>\n> Wil je feedback geven?\n\n"
	    "Verzonden vanaf mijn iPhone\n";
	struct buf out = BUF_INIT;
	struct trim_info info = TRIM_INFO_INIT;

	assert_int_equal(trim_reply(R, in, sizeof(in) - 1, &out, &info), 0);
	assert_int_equal(info.everything_quoted, 1);
	assert_string_equal(out.data, "> Beste Anna,\n>\n> Wil je feedback geven?\n");
	trim_info_release(&info);
	buf_release(&out);
}

static void
test_trim_appends_to_out(void **state)
{
	struct buf out = BUF_INIT;

	assert_int_equal(buf_adds(&out, "vooraf\n"), 0);
	assert_int_equal(trim_reply(R, "Tekst\n\n-- \nsig\n", 15, &out, NULL), 0);
	assert_string_equal(out.data, "vooraf\nTekst\n");
	buf_release(&out);
}

static void
test_trim_hostile_bytes_do_not_crash(void **state)
{
	static const char in[] = "a\0b\n>\0\n\xff\xfe\n\xc2\n-- \0\nOn 2027 wrote:\0\n";
	struct buf out = BUF_INIT;

	assert_int_equal(trim_reply(R, in, sizeof(in) - 1, &out, NULL), 0);
	assert_memory_equal(out.data, "a\0b\n", 4);
	buf_release(&out);
	assert_int_equal(trim_reply(R, NULL, 0, &out, NULL), 0);
	assert_int_equal(out.len, 0);
	buf_release(&out);
}

static void
test_trim_long_lines_and_many_lines(void **state)
{
	struct buf in = BUF_INIT, out = BUF_INIT;

	for (int i = 0; i < 5000; i++)
		assert_int_equal(buf_adds(&in, "On 2027-01-11 Jan wrote: line with : and @ in it\n"), 0);
	for (int i = 0; i < 20000; i++)
		assert_int_equal(buf_addch(&in, 'x'), 0);
	assert_int_equal(trim_reply(R, in.data, in.len, &out, NULL), 0);
	assert_true(out.len > 0);
	buf_release(&in);
	buf_release(&out);
}

/* The patterns are a value the caller owns: no rules is refused (out untouched), a second value
 * trims exactly as the first, and freeing one leaves the other working. */
static void
test_trim_rules_are_a_value(void **state)
{
	static const char in[] = "Ja, prima.\n\nOp 11 jan. 2027 10:00 schreef Feedback "
	    "<feedback@x.nl>:\n> vraag\n";
	struct trim_rules *other = trim_rules_new();
	struct buf a = BUF_INIT, b = BUF_INIT;

	(void)state;
	assert_non_null(other);
	assert_int_equal(trim_reply(NULL, in, sizeof(in) - 1, &a, NULL), -1);
	assert_int_equal(a.len, 0);
	assert_int_equal(trim_reply(other, in, sizeof(in) - 1, &a, NULL), 0);
	trim_rules_free(other);
	trim_rules_free(NULL);
	assert_int_equal(trim_reply(R, in, sizeof(in) - 1, &b, NULL), 0);
	assert_string_equal(a.data, "Ja, prima.\n");
	assert_string_equal(a.data, b.data);
	buf_release(&a);
	buf_release(&b);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_trim_rules_are_a_value),
		cmocka_unit_test(test_trim_info_describes_what_was_removed),
		cmocka_unit_test(test_trim_info_counts_quoted_lines_and_signature),
		cmocka_unit_test(test_trim_info_marks_everything_quoted),
		cmocka_unit_test(test_trim_quote_only_without_header_is_everything_quoted),
		cmocka_unit_test(test_trim_appends_to_out),
		cmocka_unit_test(test_trim_hostile_bytes_do_not_crash),
		cmocka_unit_test(test_trim_long_lines_and_many_lines),
	};
	struct fb_error err = { "" };
	int rc;

	/* a built-in table that does not compile fails here, naming its file and line */
	if ((R = trim_rules_load(&err)) == NULL) {
		fprintf(stderr, "trim_rules_load: %s\n", err.msg);
		return 1;
	}
	rc = testlib_run_table("trim", cases, sizeof(cases) / sizeof(cases[0]),
	    sizeof(cases[0]), run_case, fixed, sizeof(fixed) / sizeof(fixed[0]));
	trim_rules_free(R);
	return rc;
}
