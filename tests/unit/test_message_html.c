/*
 * Unit tests of message_html (HTML-only mail as text) and of the invisible characters message
 * takes out of any text: each client's quote container, reply header block and signature
 * marker found in the DOM; an attribution quoted on a top-post and left for trim on an inline
 * reply; the writer's own blockquote and bold fields kept; hostile depth read without losing
 * text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "message.h"
#include "testlib.h"

/* HTML in, the rendered text out. */
static const struct html_case {
	const char *name;
	const char *html;
	const char *text;
} HTML[] = {
	{ "test_html_gmail_top_post_attribution_quoted",
	  "<div dir=\"ltr\">Prima.</div><br><div class=\"gmail_quote gmail_quote_container\">"
	  "<div dir=\"ltr\" class=\"gmail_attr\">Op di 12 jan 2027 om 10:15 schreef F &lt;"
	  "<a href=\"mailto:f@example.org\">f@example.org</a>&gt;:<br></div><blockquote "
	  "class=\"gmail_quote\" style=\"margin:0px 0px 0px 0.8ex;border-left:1px solid "
	  "rgb(204,204,204);padding-left:1ex\">Vraag?<br></blockquote></div>",
	  "Prima.\n\n> Op di 12 jan 2027 om 10:15 schreef F <f@example.org>:\n>\n> Vraag?\n" },
	{ "test_html_gmail_inline_answers_inside_gmail_quote_stay_unquoted",
	  "<div dir=\"ltr\">Zie onder.</div><br><div class=\"gmail_quote\"><div class=\"gmail_attr\">"
	  "On Tue, Jan 12, 2027 at 10:15 AM F &lt;f@example.org&gt; wrote:<br></div>"
	  "<blockquote class=\"gmail_quote\">Vraag 1?</blockquote><div>Antwoord 1</div>"
	  "<blockquote class=\"gmail_quote\">Vraag 2?</blockquote><div>Antwoord 2</div></div>",
	  "Zie onder.\n\nOn Tue, Jan 12, 2027 at 10:15 AM F <f@example.org> wrote:\n>\n> Vraag 1?\n\n"
	  "Antwoord 1\n>\n> Vraag 2?\n\nAntwoord 2\n" },
	{ "test_html_gmail_signature_prefix_not_doubled",
	  "<div dir=\"ltr\">Hoi<br clear=\"all\"><br><span class=\"gmail_signature_prefix\">-- </span>"
	  "<br><div dir=\"ltr\" class=\"gmail_signature\" data-smartmail=\"gmail_signature\">Sanne"
	  "</div></div>",
	  "Hoi\n\n--\nSanne\n" },
	{ "test_html_signature_with_the_writers_text_below_is_taken_out_alone",
	  "<div>Hoi</div><div id=\"Signature\">Piet Jansen<br>Teamleider</div><div>PS: morgen 9 uur?</div>"
	  "<div id=\"appendonsend\"></div><div id=\"divRplyFwdMsg\"><b>From:</b> F</div><div>Oud</div>",
	  "Hoi\nPS: morgen 9 uur?\n> From: F\n> Oud\n" },
	{ "test_html_outlook_web_signature_gets_delimiter",
	  "<div id=\"divtagdefaultwrapper\"><p>Goed plan.</p><div id=\"Signature\"><p>Piet Jansen"
	  "<br>Teamleider</p></div></div>",
	  "Goed plan.\n\n--\nPiet Jansen\nTeamleider\n" },
	{ "test_html_thunderbird_signature",
	  "<p>Dank!</p><pre class=\"moz-signature\" cols=\"72\">-- \nJan</pre>",
	  "Dank!\n\n-- \nJan\n" },
	{ "test_html_proton_signature_block",
	  "<div>Ja.</div><div class=\"protonmail_signature_block\"><div class=\""
	  "protonmail_signature_block-proton\">Sent with Proton Mail secure email.</div></div>",
	  "Ja.\n--\nSent with Proton Mail secure email.\n" },
	{ "test_html_outlook_bold_header_block_russian",
	  "<div class=WordSection1><p class=MsoNormal>Да, согласен.</p><p class=MsoNormal>&nbsp;</p>"
	  "<p class=MsoNormal><b>От:</b> Feedback &lt;f@example.org&gt;<br><b>Отправлено:</b> "
	  "12 января 2027 г. 10:15<br><b>Кому:</b> Иван<br><b>Тема:</b> Вопрос</p>"
	  "<p class=MsoNormal>Старый текст</p></div>",
	  "Да, согласен.\n\n> От: Feedback <f@example.org>\n> Отправлено: 12 января 2027 г. 10:15\n"
	  "> Кому: Иван\n> Тема: Вопрос\n> Старый текст\n" },
	{ "test_html_windows_mail_labels_with_space_and_no_address",
	  "<div><p>Oui.</p><p><b>De : </b>Dupont, Marie<br><b>Envoy\xc3\xa9 : </b>mardi 12 janvier "
	  "2027 10:15<br><b>\xc3\x80 : </b>Luc<br><b>Objet : </b>Question</p><p>Ancien</p></div>",
	  "Oui.\n\n> De : Dupont, Marie\n> Envoyé : mardi 12 janvier 2027 10:15\n> À : Luc\n"
	  "> Objet : Question\n>\n> Ancien\n" },
	{ "test_html_separator_then_bold_header_in_one_paragraph",
	  "<p>Да</p><p>-----\xd0\x98\xd1\x81\xd1\x85\xd0\xbe\xd0\xb4\xd0\xbd\xd0\xbe\xd0\xb5-----<br>"
	  "<b>\xd0\x9e\xd1\x82:</b> F [mailto:f@example.org]<br><b>\xd0\x9a\xd0\xbe\xd0\xbc\xd1\x83:</b> X<br>"
	  "<b>\xd0\xa2\xd0\xb5\xd0\xbc\xd0\xb0:</b> y</p><p>old</p>",
	  "Да\n\n> -----\xd0\x98\xd1\x81\xd1\x85\xd0\xbe\xd0\xb4\xd0\xbd\xd0\xbe\xd0\xb5-----\n"
	  "> \xd0\x9e\xd1\x82: F [mailto:f@example.org]\n> \xd0\x9a\xd0\xbe\xd0\xbc\xd1\x83: X\n"
	  "> \xd0\xa2\xd0\xb5\xd0\xbc\xd0\xb0: y\n>\n> old\n" },
	{ "test_html_bold_bkc_fields_are_the_writers",
	  "<p><b>B:</b> goed voorbereid, om 10:15 klaar<br><b>K:</b> te lang<br><b>C:</b> korter "
	  "in 2027</p>",
	  "B: goed voorbereid, om 10:15 klaar\nK: te lang\nC: korter in 2027\n" },
	{ "test_html_bold_named_fields_with_a_time_are_the_writers",
	  "<p><b>Bevestiging:</b> om 9:30 begonnen<br><b>Kritiek:</b> geen agenda<br>"
	  "<b>Constructief:</b> stuur hem vooraf</p>",
	  "Bevestiging: om 9:30 begonnen\nKritiek: geen agenda\nConstructief: stuur hem vooraf\n" },
	{ "test_html_hotmail_stop_spelling_rule",
	  "Ok<br><br><hr id=\"stopSpelling\">Date: Tue, 12 Jan 2027 10:15:00 +0100<br>Subject: "
	  "x<br>From: f@example.org<br>To: a@hotmail.com<br><br>Oud",
	  "Ok\n\n> Date: Tue, 12 Jan 2027 10:15:00 +0100\n> Subject: x\n> From: f@example.org\n"
	  "> To: a@hotmail.com\n>\n> Oud\n" },
	{ "test_html_prefixed_ids_of_a_quoted_outlook_message",
	  "<div>Ja</div><div id=\"x_divRplyFwdMsg\"><b>Von:</b> F</div><div>alt</div>",
	  "Ja\n> Von: F\n> alt\n" },
	{ "test_html_hotmail_ecx_prefix",
	  "<div>Ja</div><hr id=\"ecxstopSpelling\">Date: 12 Jan<br>Oud",
	  "Ja\n> Date: 12 Jan\n> Oud\n" },
	{ "test_html_yahoo_ydp_class",
	  "<div>Prima</div><div id=\"ydp3f2a1b9cyahoo_quoted_1234\" class=\"ydp3f2a1b9cyahoo_quoted\">"
	  "<div>On Tuesday, 12 January 2027, 10:15:00 CET, F &lt;f@example.org&gt; wrote:</div>"
	  "<div><br></div><div>Oud</div></div>",
	  "Prima\n> On Tuesday, 12 January 2027, 10:15:00 CET, F <f@example.org> wrote:\n>\n> Oud\n" },
	{ "test_html_mailru_text_header_before_blockquote",
	  "<p>Да</p><br><br>Вторник, 12 января 2027, 10:15 +03:00 от Feedback &lt;<a href=\"mailto:"
	  "f@example.org\">f@example.org</a>&gt;:<br><blockquote style=\"border-left:1px solid "
	  "#0857A6; margin:10px; padding:0 0 0 10px;\"><div class=\"js-helper js-readmsg-msg\">"
	  "<div>Старое</div></div></blockquote>",
	  "Да\n\n> Вторник, 12 января 2027, 10:15 +03:00 от Feedback <f@example.org>:\n>\n"
	  "> Старое\n" },
	{ "test_html_yandex_header_div_before_bare_blockquote",
	  "<div>Хорошо</div><div>&nbsp;</div><div>12.01.2027, 10:15, \"Feedback\" &lt;f@example.org"
	  "&gt;:</div><blockquote><div>Старое</div></blockquote>",
	  "Хорошо\n\n> 12.01.2027, 10:15, \"Feedback\" <f@example.org>:\n>\n> Старое\n" },
	{ "test_html_bare_blockquote_without_attribution_is_the_writers",
	  "<div>Mijn punten:</div><blockquote style=\"margin:0 0 0 40px;border:none;padding:0px\">"
	  "<div>een</div><div>twee</div></blockquote><div>Groet</div>",
	  "Mijn punten:\n\neen\ntwee\n\nGroet\n" },
	{ "test_html_bare_blockquote_opening_with_an_attribution_is_a_quote",
	  "<div>Goed</div><blockquote>On 12/01/2027 10:15, F wrote:<br>Old</blockquote>",
	  "Goed\n>\n> On 12/01/2027 10:15, F wrote:\n> Old\n" },
	{ "test_html_bare_blockquote_after_a_colon_line_without_date_is_the_writers",
	  "<div>Wat ik bedoel:</div><blockquote>het overleg</blockquote>",
	  "Wat ik bedoel:\n\nhet overleg\n" },
	{ "test_html_nested_quotes_then_the_writers_text",
	  "<div>Boven</div><blockquote type=\"cite\"><div>laag 1</div><blockquote type=\"cite\">"
	  "<div>laag 2</div></blockquote><div>weer 1</div></blockquote><div>Onder</div>",
	  "Boven\n>\n> laag 1\n>\n> laag 2\n>\n> weer 1\n\nOnder\n" },
	{ "test_html_reply_header_inside_a_quote_does_not_quote_what_follows_it",
	  "<div>Boven</div><blockquote type=\"cite\"><div id=\"x_divRplyFwdMsg\"><b>From:</b> F</div>"
	  "<div>oud</div></blockquote><div>Onder</div>",
	  "Boven\n>\n> From: F\n> oud\n\nOnder\n" },
	{ "test_html_thunderbird_bottom_post_leaves_attribution_for_trim",
	  "<div class=\"moz-cite-prefix\">Op 12-01-2027 om 10:15 schreef F:<br></div><blockquote "
	  "type=\"cite\">Vraag?</blockquote><p>Antwoord.</p>",
	  "Op 12-01-2027 om 10:15 schreef F:\n>\n> Vraag?\n\nAntwoord.\n" },
	{ "test_html_apple_inline_attribution_inside_the_quote_unquoted_for_trim",
	  "<div>Zie onder</div><blockquote type=\"cite\"><div>On 12 Jan 2027, at 10:15, F &lt;"
	  "f@example.org&gt; wrote:</div><br class=\"Apple-interchange-newline\"><div>Q1</div>"
	  "</blockquote><div>A1</div><blockquote type=\"cite\"><div>Q2</div></blockquote><div>A2</div>",
	  "Zie onder\n>\nOn 12 Jan 2027, at 10:15, F <f@example.org> wrote:\n>\n> Q1\n\nA1\n>\n"
	  "> Q2\n\nA2\n" },
	{ "test_html_apple_top_post_attribution_inside_the_quote_stays_quoted",
	  "<div>Ja</div><blockquote type=\"cite\"><div>On 12 Jan 2027, at 10:15, F wrote:</div>"
	  "<div>Q1</div></blockquote>",
	  "Ja\n>\n> On 12 Jan 2027, at 10:15, F wrote:\n> Q1\n" },
	{ "test_html_quote_starting_with_a_colon_line_without_date_not_unquoted",
	  "<blockquote type=\"cite\"><div>Zie hier:</div><div>Q1</div></blockquote><div>A1</div>",
	  "> Zie hier:\n> Q1\n\nA1\n" },
	{ "test_html_attribution_then_signature_below_quote_still_quoted",
	  "<p>Ja.</p><div class=\"moz-cite-prefix\">On 12/01/2027 10:15, F wrote:<br></div>"
	  "<blockquote type=\"cite\">Q</blockquote><div class=\"moz-signature\">-- <br>Jan</div>",
	  "Ja.\n\n> On 12/01/2027 10:15, F wrote:\n>\n> Q\n\n--\nJan\n" },
	{ "test_html_gmx_name_quote",
	  "<div>Gerne.</div><div name=\"quote\" style=\"margin:10px 5px 5px 10px;border-left:2px solid "
	  "#C3D9E5\"><div><b>Gesendet:</b>&nbsp;Dienstag, 12. Januar 2027 um 10:15 Uhr<br>"
	  "<b>Von:</b>&nbsp;F<br></div><div name=\"quoted-content\">Alt</div></div>",
	  "Gerne.\n> Gesendet: Dienstag, 12. Januar 2027 um 10:15 Uhr\n> Von: F\n> Alt\n" },
	{ "test_html_zoho_zmail_extra",
	  "<div>Ok.</div><div class=\"zmail_extra\"><div>---- On Tue, 12 Jan 2027 10:15:00 +0100 "
	  "<b>F</b> wrote ----<br></div><blockquote style=\"margin:0px\">Oud</blockquote></div>",
	  "Ok.\n> ---- On Tue, 12 Jan 2027 10:15:00 +0100 F wrote ----\n>\n> Oud\n" },
	{ "test_html_separator_line_above_a_header_block_quoted_with_it",
	  "<div>Hao</div><div>------------------&nbsp;\xe5\x8e\x9f\xe5\xa7\x8b\xe9\x82\xae\xe4\xbb\xb6"
	  "&nbsp;------------------</div><div style=\"background:#efefef\"><div><b>\xe5\x8f\x91\xe4\xbb\xb6"
	  "\xe4\xba\xba:</b>&nbsp;F &lt;f@example.org&gt;</div><div><b>\xe5\x8f\x91\xe9\x80\x81\xe6\x97\xb6"
	  "\xe9\x97\xb4:</b>&nbsp;2027\xe5\xb9\xb4" "1\xe6\x9c\x88" "12\xe6\x97\xa5</div><div><b>\xe4\xb8\xbb"
	  "\xe9\xa2\x98:</b>&nbsp;x</div></div><div>old</div>",
	  "Hao\n> ------------------ \xe5\x8e\x9f\xe5\xa7\x8b\xe9\x82\xae\xe4\xbb\xb6 ------------------\n"
	  "> \xe5\x8f\x91\xe4\xbb\xb6\xe4\xba\xba: F <f@example.org>\n> \xe5\x8f\x91\xe9\x80\x81\xe6\x97\xb6"
	  "\xe9\x97\xb4: 2027\xe5\xb9\xb4" "1\xe6\x9c\x88" "12\xe6\x97\xa5\n> \xe4\xb8\xbb\xe9\xa2\x98: x\n> old\n" },
	{ "test_html_spark_reply_and_signature_sections",
	  "<div>Sure.</div><div name=\"messageSignatureSection\"><div>Sam</div></div>"
	  "<div name=\"messageReplySection\">On 12 Jan 2027, 10:15 +0100, F &lt;f@example.org&gt;, wrote:"
	  "<br><blockquote type=\"cite\">Old</blockquote></div>",
	  "Sure.\n--\nSam\n> On 12 Jan 2027, 10:15 +0100, F <f@example.org>, wrote:\n>\n> Old\n" },
	{ "test_html_zimbra_data_markers",
	  "<div>Ok</div><hr id=\"zwchr\" data-marker=\"__DIVIDER__\"><div data-marker=\"__HEADERS__\">"
	  "<b>From: </b>F<br><b>To: </b>A</div><br><div data-marker=\"__QUOTED_TEXT__\">Old</div>",
	  "Ok\n> From: F\n> To: A\n>\n> Old\n" },
	{ "test_html_mailru_mce_style_bar_and_mail_quote_class",
	  "<div>Да</div><blockquote data-mce-style=\"border-left: 1px solid #0857A6;\">Старое</blockquote>"
	  "<div class=\"mail-quote-collapse\">ещё старее</div>",
	  "Да\n>\n> Старое\n\n> ещё старее\n" },
	{ "test_html_thunderbird_forward_container",
	  "<p>Ter info.</p><div class=\"moz-forward-container\"><br><br>-------- Doorgestuurd bericht "
	  "--------<table class=\"moz-email-headers-table\"><tr><th>Onderwerp:</th><td>x</td></tr></table>"
	  "<p>oud</p></div>",
	  "Ter info.\n\n> -------- Doorgestuurd bericht --------\n>\n> Onderwerp: x\n>\n> oud\n" },
	{ "test_html_outlook_2003_header_class_and_mac_source_section",
	  "<div>A</div><div class=OutlookMessageHeader><hr><b>From:</b> F</div><div>oud</div>"
	  "<span id=\"OLK_SRC_BODY_SECTION\">ouder</span>",
	  "A\n> From: F\n> oud\n> ouder\n" },
	{ "test_html_outlook_mobile_reference_class_only",
	  "<div>B</div><div class=\"ms-outlook-mobile-reference-message\"><b>From:</b> F<br>oud</div>",
	  "B\n> From: F\n> oud\n" },
	{ "test_html_tracking_pixel_gives_no_text",
	  "<div>Hoi</div><img width=\"1\" height=\"1\" src=\"https://t.example/p.gif\" alt=\"\">",
	  "Hoi\n" },
};

static void
run_html_case(void **state)
{
	const struct html_case *c = *state;
	struct buf out = BUF_INIT;

	assert_int_equal(message_html_to_text(c->html, strlen(c->html), &out), 0);
	if (strcmp(out.data, c->text) != 0)
		fail_msg("%s:\nexpected [%s]\n     got [%s]", c->name, c->text, out.data);
	buf_release(&out);
}

#define HDR "From: Lid <lid@example.org>\nTo: feedback@example.org\nSubject: Re: x\n" \
	"MIME-Version: 1.0\nContent-Transfer-Encoding: 8bit\n"

/* A whole message in (plain or HTML), its text out: invisible characters taken out. */
static const struct clean_case {
	const char *name;
	const char *raw;
	const char *text;
} CLEAN[] = {
	{ "test_clean_zero_width_space_inside_a_word",
	  HDR "Content-Type: text/plain; charset=utf-8\n\nFeed\xe2\x80\x8b" "back\n", "Feedback\n" },
	{ "test_clean_mailtrack_mark_line_plain",
	  HDR "Content-Type: text/plain; charset=utf-8\n\nPrima\n\xe1\x90\xa7\n", "Prima\n" },
	{ "test_clean_mailtrack_mark_line_html",
	  HDR "Content-Type: text/html; charset=utf-8\n\n<div>Prima</div><br><div><img width=\"0\" "
	  "height=\"0\" class=\"mailtrack-img\" src=\"https://mailtrack.io/trace/mail/x.png\">"
	  "<font color=\"#ffffff\" size=\"1\">\xe1\x90\xa7</font></div>\n", "Prima\n" },
	{ "test_clean_mark_inside_a_sentence_stays",
	  HDR "Content-Type: text/plain; charset=utf-8\n\na\xe1\x90\xa7" "b\n", "a\xe1\x90\xa7" "b\n" },
	{ "test_clean_joiner_in_an_emoji_sequence_stays",
	  HDR "Content-Type: text/plain; charset=utf-8\n\n\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb" " ok\n",
	  "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb" " ok\n" },
	{ "test_clean_joiners_that_join_nothing_go",
	  HDR "Content-Type: text/plain; charset=utf-8\n\nHoi \xe2\x80\x8c\xe2\x80\x8c\n"
	  "\xe2\x80\x8d" "Dag\n", "Hoi \nDag\n" },
	{ "test_clean_soft_hyphen_at_line_end",
	  HDR "Content-Type: text/plain; charset=utf-8\n\nfeed\xc2\xad\nback\n", "feed\nback\n" },
	{ "test_clean_bom_before_a_quote",
	  HDR "Content-Type: text/plain; charset=utf-8\n\nJa\n\n\xef\xbb\xbf> oud\n", "Ja\n\n> oud\n" },
	{ "test_clean_word_joiner_and_zwsp_in_html",
	  HDR "Content-Type: text/html; charset=utf-8\n\n<p>&#8203;Hoi&#8288; daar&zwnj;</p>\n",
	  "Hoi daar\n" },
};

static void
run_clean_case(void **state)
{
	const struct clean_case *c = *state;
	struct fb_error err = { { 0 } };
	struct fb_message *m = message_parse(c->raw, strlen(c->raw), 1 << 20, &err);

	if (m == NULL)
		fail_msg("%s: %s", c->name, err.msg);
	if (strcmp(m->text, c->text) != 0)
		fail_msg("%s:\nexpected [%s]\n     got [%s]", c->name, c->text, m->text);
	assert_int_equal(m->text_len, strlen(m->text));
	message_free(m);
}

/* Deeper than the walk recurses: the text down there is still read, and quoted. */
static void
test_html_hostile_depth_keeps_the_text(void **state)
{
	struct buf html = BUF_INIT, out = BUF_INIT;

	(void)state;
	assert_int_equal(buf_adds(&html, "<p>boven</p><blockquote type=cite>"), 0);
	for (int i = 0; i < 20000; i++)
		assert_int_equal(buf_adds(&html, "<div>"), 0);
	assert_int_equal(buf_adds(&html, "diep<br>onder"), 0);
	assert_int_equal(message_html_to_text(html.data, html.len, &out), 0);
	if (strstr(out.data, "> diep\n> onder\n") == NULL)
		fail_msg("deep text lost or unquoted: [%.200s]", out.data);
	buf_release(&html);
	buf_release(&out);
}

/* Many bold labels, deep and wide: the header-block check stays bounded and decides. */
static void
test_html_hostile_bold_labels_bounded(void **state)
{
	struct buf html = BUF_INIT, out = BUF_INIT;

	(void)state;
	for (int i = 0; i < 5000; i++) /* 25000 tags: under the parse bound */
		assert_int_equal(buf_adds(&html, "<p><b>A:</b><b><i>"), 0);
	assert_int_equal(buf_adds(&html, "x@y 10:15 2027"), 0);
	assert_int_equal(message_html_to_text(html.data, html.len, &out), 0);
	assert_non_null(strstr(out.data, "x@y 10:15 2027"));
	buf_release(&html);
	buf_release(&out);
}

/* Thousands of attributions, each before a quote: quoted in one pass, every line kept. */
static void
test_html_many_attributions(void **state)
{
	struct buf html = BUF_INIT, out = BUF_INIT;
	size_t lines = 0;

	(void)state;
	assert_int_equal(buf_adds(&html, "<div>Top</div>"), 0);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(buf_adds(&html, "<div>On 12 Jan 2027 F wrote:</div><blockquote "
		    "type=cite>q</blockquote>"), 0);
	assert_int_equal(message_html_to_text(html.data, html.len, &out), 0);
	assert_true(strncmp(out.data, "Top\n", 4) == 0);
	for (const char *p = out.data; (p = strstr(p, "\n> On 12 Jan 2027 F wrote:\n")) != NULL; p++)
		lines++;
	assert_int_equal(lines, 5000);
	buf_release(&html);
	buf_release(&out);
}

int
main(void)
{
	static const struct testlib_rows rows[] = {
		TESTLIB_NAMED_ROWS(run_html_case, HTML),
		TESTLIB_NAMED_ROWS(run_clean_case, CLEAN),
	};
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_hostile_depth_keeps_the_text),
		cmocka_unit_test(test_html_hostile_bold_labels_bounded),
		cmocka_unit_test(test_html_many_attributions),
	};

	return testlib_run_rows("message_html", rows, sizeof(rows) / sizeof(rows[0]), tests,
	    sizeof(tests) / sizeof(tests[0]), NULL, NULL);
}
