/*
 * Unit tests of signature: one table row per behaviour (the person's lines and what is known of
 * the sender → the text that stays), each its own cmocka test named by the row. Per language
 * several closings as people and their mail programs write them, and the near-misses that must
 * stay: a greeting in a sentence, a last paragraph that is the point, someone else's name, a
 * phone number in a sentence, a list introduced with ':'.
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
#include "fberror.h"
#include "fields.h"
#include "signature.h"
#include "trim.h"

struct sig_case {
	const char *name;
	const char *from;   /* display name, or NULL */
	const char *addr;   /* address, or NULL */
	const char *in;
	const char *want;   /* what stays (as trim writes it) */
};

#define JOOST "Joost Hendriks", "joost.hendriks@example.nl"
#define NOBODY NULL, NULL

static const struct sig_case cases[] = {
	/* ---- nl ---- */
	{ "test_signature_nl_groeten_and_first_name", JOOST,
	  "Goed gedaan met de planning.\n\nGroeten,\nJoost\n", "Goed gedaan met de planning.\n\nGroeten,\nJoost\n" },
	{ "test_signature_nl_mvg_full_name_title_phone", JOOST,
	  "Prima idee.\n\nMet vriendelijke groet,\n\nJoost Hendriks\nTeamleider Inkoop\n"
	  "Acme B.V. | Keizersgracht 123, 1015 CJ Amsterdam\nT +31 20 123 4567 | M 06-12345678\n"
	  "www.acme.nl\n", "Prima idee.\n" },
	{ "test_signature_nl_outlook_corporate_with_disclaimer", "Pieters, Anne", "a.pieters@gemeente.nl",
	  "Dank voor je feedback, ik pak het op.\n\nMet vriendelijke groet,\nAnne Pieters\n"
	  "Beleidsadviseur | Gemeente Utrecht\nPostbus 16200, 3500 CE Utrecht\nT 030 286 00 00\n\n"
	  "Dit e-mailbericht is uitsluitend bestemd voor de geadresseerde(n). Verstrekking aan en "
	  "gebruik door anderen is niet toegestaan.\n",
	  "Dank voor je feedback, ik pak het op.\n" },
	{ "test_signature_nl_name_alone_matching_sender", JOOST,
	  "Ik vond het overleg rommelig.\n\nJoost\n", "Ik vond het overleg rommelig.\n" },
	{ "test_signature_nl_initials_of_sender", JOOST,
	  "Akkoord met het voorstel.\nJH\n", "Akkoord met het voorstel.\n" },
	{ "test_signature_nl_groet_name_on_one_line", JOOST,
	  "Zie je morgen.\n\nGroet, Joost\n", "Zie je morgen.\n\nGroet, Joost\n" },
	{ "test_signature_nl_groeten_aan_je_moeder_stays", JOOST,
	  "Leuk je gesproken te hebben.\n\nGroeten aan je moeder\n",
	  "Leuk je gesproken te hebben.\n\nGroeten aan je moeder\n" },
	{ "test_signature_nl_name_not_the_sender_stays", JOOST,
	  "Wie doet de notulen?\n\nMarieke\n", "Wie doet de notulen?\n\nMarieke\n" },
	{ "test_signature_nl_phone_in_sentence_stays", JOOST,
	  "Bel me gerust op 06-12345678 als je vragen hebt.\n",
	  "Bel me gerust op 06-12345678 als je vragen hebt.\n" },
	{ "test_signature_nl_last_paragraph_is_the_point_stays", JOOST,
	  "Kritiek: te lang.\n\nVolgende keer graag korter, dan blijft iedereen erbij.\n",
	  "Kritiek: te lang.\n\nVolgende keer graag korter, dan blijft iedereen erbij.\n" },
	{ "test_signature_nl_ask_list_of_addresses_stays", JOOST,
	  "Vraag feedback aan:\npiet@example.nl\nklaas@example.nl\n",
	  "Vraag feedback aan:\npiet@example.nl\nklaas@example.nl\n" },
	{ "test_signature_nl_only_a_closing_stays_whole", JOOST,
	  "Groeten,\nJoost\n", "Groeten,\nJoost\n" },
	{ "test_signature_nl_thanks_alone_at_the_end_stays", JOOST,
	  "Dat ging goed.\nDank!\n", "Dat ging goed.\nDank!\n" },
	{ "test_signature_nl_alvast_bedankt_and_name", JOOST,
	  "C: vaker samenvatten.\n\nAlvast bedankt!\nJoost\n", "C: vaker samenvatten.\n\nAlvast bedankt!\nJoost\n" },
	{ "test_signature_nl_ps_after_closing_stays", JOOST,
	  "Goed.\n\nGroet,\nPS ik ben morgen weg\n", "Goed.\n\nGroet,\nPS ik ben morgen weg\n" },
	{ "test_signature_nl_iphone_device_line", JOOST,
	  "Prima!\n\nVerstuurd vanaf mijn iPhone\n", "Prima!\n" },

	/* ---- en ---- */
	{ "test_signature_en_regards_name_title", NOBODY,
	  "Hi,\n\nI still have the same problem.\n\nRegards,\n\nJohn Doe\nCEO @ Acme !\n",
	  "Hi,\n\nI still have the same problem.\n" },
	{ "test_signature_en_dash_name_and_list_footer", NOBODY,
	  "What is the best way?\n\n-Abhishek Kona\n\n\n_______________________________________________\n"
	  "riak-users mailing list\nriak-users@lists.basho.com\nhttp://lists.basho.com/mailman/listinfo\n",
	  "What is the best way?\n" },
	{ "test_signature_en_corporate_contact_block_without_signoff", "Sarah Miller", "smiller@acme.com",
	  "Great session today, thanks for running it.\n\nSarah Miller\nSenior Product Manager\n"
	  "Acme Inc.\n1600 Main Street, Suite 200, Springfield, IL 62701\n"
	  "Office: +1 (555) 123-4567 | Mobile: +1 555 987 6543\nhttps://www.acme.com\n\n"
	  "This e-mail and any attachments are confidential and intended solely for the addressee.\n",
	  "Great session today, thanks for running it.\n" },
	{ "test_signature_en_contact_paragraph_of_someone_unknown", NOBODY,
	  "See the attached plan.\n\nJane Roe\nAcme Ltd\nT: +44 20 7946 0958\nwww.acme.co.uk\n",
	  "See the attached plan.\n" },
	{ "test_signature_en_cheers_initial", JOOST,
	  "Looks good to me.\nCheers -J\n", "Looks good to me.\nCheers -J\n" },
	{ "test_signature_en_best_wishes_sent_from_my_iphone", NOBODY,
	  "Fine by me.\n\nBest wishes,\nTom\n\nSent from my iPhone\n", "Fine by me.\n\nBest wishes,\nTom\n" },
	{ "test_signature_en_thanks_maria_is_not_a_signoff", JOOST,
	  "All set.\n\nThanks Maria\n", "All set.\n\nThanks Maria\n" },
	{ "test_signature_en_sent_from_my_desk_sentence_stays", NOBODY,
	  "Here is another email\n\nSent from my desk, is much easier then my mobile phone.\n",
	  "Here is another email\n\nSent from my desk, is much easier then my mobile phone.\n" },
	{ "test_signature_en_url_alone_stays", NOBODY,
	  "The doc is here\nhttps://example.com/doc\n", "The doc is here\nhttps://example.com/doc\n" },
	{ "test_signature_en_two_links_after_text_stay", NOBODY,
	  "Worth reading before Monday.\n\nRelevant docs\nhttps://example.com/a\nhttps://example.com/b\n",
	  "Worth reading before Monday.\n\nRelevant docs\nhttps://example.com/a\nhttps://example.com/b\n" },
	{ "test_signature_en_question_after_signoff_is_not_taken", NOBODY,
	  "Thanks,\nCan you send it again?\n", "Thanks,\nCan you send it again?\n" },

	/* ---- other languages ---- */
	{ "test_signature_de_viele_gruesse_and_company", "Jürgen Müller", "j.mueller@firma.de",
	  "Passt so.\n\nViele Grüße\nJürgen Müller\nFirma GmbH, Hauptstraße 5, 80331 München\n"
	  "Tel.: +49 89 1234567\n", "Passt so.\n" },
	{ "test_signature_de_von_meinem_galaxy_gesendet", NOBODY,
	  "Ja, gerne.\n\nVon meinem Samsung Galaxy Smartphone gesendet.\n", "Ja, gerne.\n" },
	{ "test_signature_de_mfg_and_disclaimer", "Anna Schmidt", NULL,
	  "Danke für das Feedback.\n\nMfG\nAnna\n\nDiese E-Mail enthält vertrauliche Informationen "
	  "und ist ausschließlich für den Empfänger bestimmt.\n", "Danke für das Feedback.\n\nMfG\nAnna\n" },
	{ "test_signature_fr_cordialement", "Élodie Martin", NULL,
	  "D'accord pour jeudi.\n\nCordialement,\nElodie Martin\n", "D'accord pour jeudi.\n\nCordialement,\nElodie Martin\n" },
	{ "test_signature_fr_envoye_de_mon_iphone", NOBODY,
	  "Merci pour le retour.\n\nEnvoyé de mon iPhone\n", "Merci pour le retour.\n" },
	{ "test_signature_es_saludos", "José García", NULL,
	  "Me parece bien.\n\nSaludos,\nJosé\n", "Me parece bien.\n\nSaludos,\nJosé\n" },
	{ "test_signature_es_enviado_desde_mi_iphone", NOBODY,
	  "Vale.\n\nEnviado desde mi iPhone\n", "Vale.\n" },
	{ "test_signature_it_cordiali_saluti", "Marco Rossi", NULL,
	  "Va bene.\n\nCordiali saluti\nMarco Rossi\n", "Va bene.\n\nCordiali saluti\nMarco Rossi\n" },
	{ "test_signature_pt_atenciosamente", "João Silva", NULL,
	  "Concordo.\n\nAtenciosamente,\nJoão Silva\n", "Concordo.\n\nAtenciosamente,\nJoão Silva\n" },
	{ "test_signature_sv_med_vanlig_halsning", "Åsa Lind", NULL,
	  "Det låter bra.\n\nMed vänlig hälsning\nÅsa\n", "Det låter bra.\n\nMed vänlig hälsning\nÅsa\n" },
	{ "test_signature_da_med_venlig_hilsen", "Søren Hansen", NULL,
	  "Det er fint.\n\nMed venlig hilsen\nSøren Hansen\n", "Det er fint.\n\nMed venlig hilsen\nSøren Hansen\n" },
	{ "test_signature_nb_med_vennlig_hilsen", "Kari Nordmann", NULL,
	  "Det passer.\n\nMed vennlig hilsen\nKari\n", "Det passer.\n\nMed vennlig hilsen\nKari\n" },
	{ "test_signature_fi_ystavallisin_terveisin", "Matti Virtanen", NULL,
	  "Sopii minulle.\n\nYstävällisin terveisin\nMatti Virtanen\n", "Sopii minulle.\n\nYstävällisin terveisin\nMatti Virtanen\n" },
	{ "test_signature_fi_lahetetty_iphonesta", NOBODY,
	  "Selvä.\n\nLähetetty iPhonesta\n", "Selvä.\n" },
	{ "test_signature_pl_pozdrawiam", "Piotr Nowak", NULL,
	  "Zgadzam się.\n\nPozdrawiam,\nPiotr\n", "Zgadzam się.\n\nPozdrawiam,\nPiotr\n" },
	{ "test_signature_cs_s_pozdravem", "Jan Novák", NULL,
	  "Souhlasím.\n\nS pozdravem\nJan Novák\n", "Souhlasím.\n\nS pozdravem\nJan Novák\n" },
	{ "test_signature_hu_udvozlettel", "Kovács Péter", NULL,
	  "Rendben.\n\nÜdvözlettel:\nKovács Péter\n", "Rendben.\n\nÜdvözlettel:\nKovács Péter\n" },
	{ "test_signature_ru_s_uvazheniem", "Иван Петров", NULL,
	  "Согласен.\n\nС уважением,\nИван Петров\n", "Согласен.\n\nС уважением,\nИван Петров\n" },
	{ "test_signature_ru_otpravleno_s_iphone", NOBODY,
	  "Хорошо.\n\nОтправлено с iPhone\n", "Хорошо.\n" },
	{ "test_signature_uk_z_povagoyu", "Олена Коваленко", NULL,
	  "Добре.\n\nЗ повагою,\nОлена\n", "Добре.\n\nЗ повагою,\nОлена\n" },
	{ "test_signature_tr_saygilarimla", "Ayşe Yılmaz", NULL,
	  "Uygun.\n\nSaygılarımla,\nAyşe Yılmaz\n", "Uygun.\n\nSaygılarımla,\nAyşe Yılmaz\n" },
	{ "test_signature_tr_iphone_umdan_gonderildi", NOBODY,
	  "Tamam.\n\niPhone'umdan gönderildi\n", "Tamam.\n" },
	{ "test_signature_ja_yoroshiku", "山田 太郎", NULL,
	  "了解しました。\n\nよろしくお願いします。\n山田\n", "了解しました。\n\nよろしくお願いします。\n山田\n" },
	{ "test_signature_ja_iphone_kara_soushin", NOBODY,
	  "了解です。\n\niPhoneから送信\n", "了解です。\n" },
	{ "test_signature_zh_cizhi_jingli", "王 伟", NULL,
	  "好的，没问题。\n\n此致\n敬礼\n王伟\n", "好的，没问题。\n\n此致\n敬礼\n王伟\n" },
	{ "test_signature_zh_fazi_wode_iphone", NOBODY,
	  "收到。\n\n发自我的iPhone\n", "收到。\n" },
	{ "test_signature_ko_gamsahamnida", "김민수", NULL,
	  "좋습니다.\n\n감사합니다.\n김민수 드림\n", "좋습니다.\n\n감사합니다.\n김민수 드림\n" },
	{ "test_signature_ko_iphone_eseo_bonaem", NOBODY,
	  "네 알겠습니다.\n\niPhone에서 보냄\n", "네 알겠습니다.\n" },
};

static struct signature_rules *R;

/* The kept lines, as trim writes them: blank lines at the end gone, each line with "\n". */
static void
run_case(void **state)
{
	const struct sig_case *c = *state;
	struct signature_sender from = { c->from, NULL, c->addr };
	struct signature_line lines[64];
	struct signature_block b;
	struct buf out = BUF_INIT;
	size_t n = 0, start = 0, len = strlen(c->in), end;

	for (size_t i = 0; i < len; i++)
		if (c->in[i] == '\n') {
			assert_true(n < 64);
			lines[n].p = c->in + start;
			lines[n++].len = i - start;
			start = i + 1;
		}
	assert_int_equal(signature_find(R, &from, lines, n, &b), 0);
	end = b.start;
	assert_true(end <= n);
	while (end > 0 && lines[end - 1].len == 0)
		end--;
	for (size_t i = 0; i < end; i++) {
		assert_int_equal(buf_add(&out, lines[i].p, lines[i].len), 0);
		assert_int_equal(buf_addch(&out, '\n'), 0);
	}
	if (out.data == NULL)
		assert_int_equal(buf_adds(&out, ""), 0);
	if (strcmp(out.data, c->want) != 0)
		print_error("input:\n%s--- want:\n%s--- got:\n%s--- (%s)\n", c->in, c->want, out.data,
		    b.why ? b.why : "none");
	assert_string_equal(out.data, c->want);
	buf_release(&out);
}

/* The tables are part of the build: each one compiles (a bad row names its file and line). */
static void
test_signature_tables_compile(void **state)
{
	struct fb_error err = { { 0 } };
	struct signature_rules *r = signature_rules_new(&err);

	(void)state;
	if (r == NULL)
		print_error("%s\n", err.msg);
	assert_non_null(r);
	signature_rules_free(r);
	signature_rules_free(NULL);
}

static void
test_signature_is_signoff(void **state)
{
	struct signature_sender from = { "Joost Hendriks", NULL, NULL };

	(void)state;
	assert_true(signature_is_signoff(R, &from, "Met vriendelijke groet,", 23));
	assert_true(signature_is_signoff(R, &from, "Groet, Joost", 12));
	assert_true(signature_is_signoff(R, NULL, "Kind regards", 12));
	assert_false(signature_is_signoff(R, &from, "Groeten aan je moeder", 21));
	assert_false(signature_is_signoff(R, &from, "Thanks Maria", 12));
	assert_false(signature_is_signoff(NULL, &from, "Groet", 5));
}

/* trim with the sender known: the closing block goes, and the description says so. */
static void
test_signature_through_trim_with_sender(void **state)
{
	static const char in[] = "Goed gedaan.\n\nGroeten,\nJoost\nTeamleider Zorg\n\n"
	    "Op 12 jan. 2027 om 10:00 schreef Jan <jan@x.nl>:\n> vraag\n";
	static const char bare[] = "Goed gedaan.\n\nGroeten,\nJoost\n\n"
	    "Op 12 jan. 2027 om 10:00 schreef Jan <jan@x.nl>:\n> vraag\n";
	struct trim_rules *t = trim_rules_new();
	struct trim_context who = { "Joost Hendriks", "joost@example.nl", NULL };
	struct trim_info info = TRIM_INFO_INIT;
	struct buf out = BUF_INIT;

	(void)state;
	assert_non_null(t);
	assert_int_equal(trim_reply_from(t, &who, in, sizeof(in) - 1, &out, &info), 0);
	assert_string_equal(out.data, "Goed gedaan.\n");
	assert_non_null(strstr(info.removed.data, "closing 'Groeten,'"));
	buf_release(&out);
	/* a bare closing (sign-off and name) is the writer's word to the reader: it stays */
	assert_int_equal(trim_reply_from(t, &who, bare, sizeof(bare) - 1, &out, &info), 0);
	assert_string_equal(out.data, "Goed gedaan.\n\nGroeten,\nJoost\n");
	buf_release(&out);
	/* the roster's name alone is enough */
	who.from_name = NULL;
	who.member_name = "Joost Hendriks";
	assert_int_equal(trim_reply_from(t, &who, "Ok.\nJoost\n", 10, &out, &info), 0);
	assert_string_equal(out.data, "Ok.\n");
	buf_release(&out);
	/* a sentence that starts like a device line is the writer's */
	assert_int_equal(trim_reply(t, "Hi\n\nSent from my desk, is much easier.\n", 39, &out,
	    NULL), 0);
	assert_string_equal(out.data, "Hi\n\nSent from my desk, is much easier.\n");
	buf_release(&out);
	assert_int_equal(trim_reply(t, "Hi\n\nSent from my Verizon, Samsung Galaxy smartphone\n",
	    52, &out, NULL), 0);
	assert_string_equal(out.data, "Hi\n");
	buf_release(&out);
	assert_int_equal(trim_reply(t, "Hi\n\nSent from my cell, please excuse any typos.\n", 48,
	    &out, NULL), 0);
	assert_string_equal(out.data, "Hi\n");
	buf_release(&out);
	trim_info_release(&info);
	trim_rules_free(t);
}

/* A field's value ends at a blank line followed by a closing in any language; without the
 * tables (fields_parse) the Dutch and English built-in words only. */
static void
test_signature_closing_ends_a_field(void **state)
{
	static const struct {
		const char *in, *critique;
	} rows[] = {
		{ "Kritiek: te lang.\n\nAlvast bedankt!\n", "te lang." },
		{ "Kritiek: zu lang.\n\nViele Grüße\nAnna\n", "zu lang." },
		{ "Kritiek: слишком долго.\n\nС уважением,\nИван\n", "слишком долго." },
		{ "Kritiek: trop long.\n\nBien cordialement\n", "trop long." },
		/* a sentence that starts like a closing is the value's own */
		{ "Kritiek: te lang.\n\nGroeten aan je moeder was het thema.\n",
		  "te lang.\n\nGroeten aan je moeder was het thema." },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct fields f;

		assert_int_equal(fields_parse_with(R, rows[i].in, strlen(rows[i].in), &f), 0);
		assert_non_null(f.critique.text);
		assert_string_equal(f.critique.text, rows[i].critique);
		fields_release(&f);
	}
}

/* Hostile input: many lines, long lines, bytes that are no UTF-8, nothing to find. */
static void
test_signature_hostile_lines(void **state)
{
	static const char bad[] = "\xff\xfe\xc0\x80 \xe2\x80\n";
	struct signature_line lines[3000];
	struct signature_block b;
	struct buf big = BUF_INIT;

	(void)state;
	for (size_t i = 0; i < 5000; i++)
		assert_int_equal(buf_adds(&big, "Groet ---- 06 1234 ----- www.x.nl @ | "), 0);
	for (size_t i = 0; i < 3000; i++) {
		lines[i].p = i % 3 == 0 ? big.data : i % 3 == 1 ? bad : "Groeten,";
		lines[i].len = i % 3 == 0 ? big.len : i % 3 == 1 ? sizeof(bad) - 1 : 8;
	}
	assert_int_equal(signature_find(R, NULL, lines, 3000, &b), 0);
	assert_int_equal(signature_find(R, NULL, lines, 0, &b), 0);
	assert_int_equal(b.start, 0);
	buf_release(&big);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_signature_tables_compile),
		cmocka_unit_test(test_signature_is_signoff),
		cmocka_unit_test(test_signature_through_trim_with_sender),
		cmocka_unit_test(test_signature_closing_ends_a_field),
		cmocka_unit_test(test_signature_hostile_lines),
	};
	struct fb_error err = { { 0 } };
	int rc;

	if ((R = signature_rules_new(&err)) == NULL) {
		fprintf(stderr, "signature: %s\n", err.msg);
		return 1;
	}
	rc = testlib_run_table("signature", cases, sizeof(cases) / sizeof(cases[0]),
	    sizeof(cases[0]), run_case, fixed, sizeof(fixed) / sizeof(fixed[0]));
	signature_rules_free(R);
	return rc;
}
