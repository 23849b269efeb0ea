#!/usr/bin/python3
# Generates tests/corpus/clients/signatures/*.eml + .expected.json (kept beside the cases as
# the README says how they were made). Run from the worktree.
import base64, quopri, json, os, email.header
D = "tests/corpus/clients/signatures"
TOK = "k7m2qv4xw3bn5rt6yh2jd4pa7e"
REF = "<%s.q2w3e4r5t6y7u2i3@example.org>" % TOK

def hdr_name(name, cs="utf-8"):
    if all(ord(c) < 128 for c in name):
        return '"%s"' % name if ',' in name else name
    return email.header.Header(name, cs).encode()

def enc_body(text, cs, cte):
    b = text.encode(cs)
    if cte == "quoted-printable":
        return quopri.encodestring(b).decode("ascii")
    if cte == "base64":
        s = base64.b64encode(b).decode("ascii")
        return "\n".join(s[i:i+76] for i in range(0, len(s), 76)) + "\n"
    return b.decode(cs) if cs.lower() not in ("iso-2022-jp",) else b.decode("ascii")

def part(ctype, text, cs, cte, extra=""):
    return ("Content-Type: %s; charset=\"%s\"%s\nContent-Transfer-Encoding: %s\n\n%s" %
            (ctype, cs, extra, cte, enc_body(text, cs, cte)))

def write(case, headers, body, want_text, fields=None, raw_cs="utf-8"):
    msg = "\n".join(headers) + "\n" + body
    if not msg.endswith("\n"):
        msg += "\n"
    data = msg.encode(raw_cs) if raw_cs else msg.encode("utf-8")
    open(os.path.join(D, case + ".eml"), "wb").write(data)
    exp = {"kind": "reply", "token": TOK, "text": want_text}
    if fields is not None:
        exp["fields"] = fields
    with open(os.path.join(D, case + ".expected.json"), "w", encoding="utf-8") as f:
        json.dump(exp, f, ensure_ascii=False, indent=2)
        f.write("\n")

def base_headers(name, addr, subject, date, mid, mailer=None, cs="utf-8"):
    h = ["From: %s <%s>" % (hdr_name(name, cs), addr),
         "To: Feedback <feedback@example.org>",
         "Subject: %s" % subject,
         "Date: %s" % date,
         "Message-ID: %s" % mid,
         "In-Reply-To: %s" % REF,
         "References: %s" % REF,
         "MIME-Version: 1.0"]
    if mailer:
        h.append(mailer)
    return h

QUOTE_NL = ("> Op 12 jan. 2027 om 10:15 heeft Feedback <feedback@example.org> het volgende geschreven:\n"
            ">\n> Beste collega,\n>\n> Wil je deze week feedback geven?\n")

def plain(case, name, addr, subject, mailer, body_text, want, cs="utf-8", cte="quoted-printable",
          fields=None, date="Tue, 12 Jan 2027 10:44:12 +0100", flowed=False):
    h = base_headers(name, addr, subject, date, "<%s@mail.example>" % case.replace("-", "."), mailer, cs)
    extra = "; format=flowed" if flowed else ""
    write(case, h, part("text/plain", body_text, cs, cte, extra), want, fields,
          raw_cs="utf-8" if cte != "8bit" else cs)

def alternative(case, name, addr, subject, mailer, text, html, want, cs="utf-8",
                cte="quoted-printable", fields=None, date="Tue, 12 Jan 2027 11:02:40 +0000"):
    b = "_000_%s_" % case.replace("-", "")
    h = base_headers(name, addr, subject, date, "<%s@eurprd07.prod.outlook.com>" % case.upper().replace("-", ""),
                     mailer, cs)
    h.append('Content-Type: multipart/alternative; boundary="%s"' % b)
    body = ("\n--%s\n%s\n--%s\n%s\n--%s--\n" % (b, part("text/plain", text, cs, cte), b,
            part("text/html", html, cs, cte), b))
    write(case, h, body, want, fields)

def html_only(case, name, addr, subject, mailer, html, want, cs="utf-8", cte="quoted-printable",
              fields=None, date="Tue, 12 Jan 2027 11:02:40 +0000"):
    h = base_headers(name, addr, subject, date, "<%s@mail.example>" % case.replace("-", "."), mailer, cs)
    write(case, h, part("text/html", html, cs, cte), want, fields)

def outlook_html(paras, sig_lines, disclaimer, quote_from, quote_lines):
    div = '<div style="font-family: Aptos, Calibri, Helvetica, sans-serif; font-size: 12pt; color: rgb(0, 0, 0);" class="elementToProof">%s</div>\n'
    out = ['<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body dir="ltr">\n']
    for p in paras:
        out.append(div % p)
        out.append(div % "<br>")
    out.append('<div id="Signature"><p class="MsoNormal">' + "<br>\n".join(sig_lines) + "</p>\n")
    if disclaimer:
        out.append('<p style="font-size:8pt;color:#808080">%s</p>\n' % disclaimer)
    out.append("</div>\n")
    out.append('<div id="appendonsend"></div>\n<hr style="display:inline-block;width:98%" tabindex="-1">\n')
    out.append('<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" color="#000000">'
               '<b>%s</b> Feedback &lt;feedback@example.org&gt;<br><b>Sent:</b> Tuesday, January 12, 2027 10:15<br>'
               '<b>To:</b> colleague<br><b>Subject:</b> Feedbackverzoek week 3</font><div>&nbsp;</div></div>\n' % quote_from)
    out.append("<div>" + "<br>\n".join(quote_lines) + "</div>\n</body></html>\n")
    return "".join(out)

def outlook_text(paras, sig_lines, disclaimer, hdr):
    t = "\n\n".join(paras) + "\n\n" + "\n".join(sig_lines) + "\n"
    if disclaimer:
        t += "\n" + disclaimer + "\n"
    t += "\n" + hdr + "\n"
    return t

IPHONE = "X-Mailer: iPhone Mail (21D61)"
OUTLOOK = "X-Mailer: Microsoft Outlook 16.0"
GMAIL = None
TB = "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 Thunderbird/115.6.0"
NL_HDR = "Van: Feedback <feedback@example.org>\nVerzonden: dinsdag 12 januari 2027 10:15\nAan: {n}\nOnderwerp: Feedbackverzoek week 3\n\nBeste collega,\n\nWil je deze week feedback geven?"
EN_HDR = "From: Feedback <feedback@example.org>\nSent: Tuesday, January 12, 2027 10:15 AM\nTo: {n}\nSubject: Feedback request week 3\n\nDear colleague,\n\nWould you give feedback this week?"

# ---- nl ----
plain("nl-iphone", "Joost Hendriks", "joost.hendriks@example.nl", "Re: Feedbackverzoek week 3", IPHONE,
      "Bevestiging: Marieke leidde het overleg strak en vriendelijk.\nKritiek: De actiepunten kwamen pas op het eind.\n"
      "Constructief: Zet ze de volgende keer bovenaan.\n\nGroetjes,\nJoost\n\nVerzonden vanaf mijn iPhone\n\n" + QUOTE_NL,
      "Bevestiging: Marieke leidde het overleg strak en vriendelijk.\nKritiek: De actiepunten kwamen pas op het eind.\n"
      "Constructief: Zet ze de volgende keer bovenaan.\n",
      fields={"confirmation": "Marieke leidde het overleg strak en vriendelijk.",
              "critique": "De actiepunten kwamen pas op het eind.",
              "suggestion": "Zet ze de volgende keer bovenaan."})
paras = ["Hoi,", "Kritiek: de offerte ging de deur uit zonder dat iemand hem had nagelezen.",
         "Constructief: spreek af wie het laatste woord heeft voordat iets naar de klant gaat."]
sig = ["Met vriendelijke groet,", "", "Anne Pieters", "Senior adviseur inkoop", "Gemeente Utrecht | Afdeling Inkoop",
       "Stadsplateau 1, 3521 AZ Utrecht", "T 030 286 00 00 | M 06-12345678", "www.utrecht.nl"]
disc = ("Dit e-mailbericht is uitsluitend bestemd voor de geadresseerde(n). Verstrekking aan en gebruik "
        "door anderen is niet toegestaan. De gemeente sluit iedere aansprakelijkheid uit die voortvloeit "
        "uit elektronische verzending.")
want = "Hoi,\n\n" + paras[1] + "\n\n" + paras[2] + "\n"
alternative("nl-outlook-corporate", "Pieters, Anne", "a.pieters@utrecht.example.nl", "RE: Feedbackverzoek week 3", OUTLOOK,
            outlook_text(paras, sig, disc, NL_HDR.format(n="Anne Pieters")),
            outlook_html(paras, [s if s else "&nbsp;" for s in sig], disc, "Van:",
                         ["Beste collega,", "Wil je deze week feedback geven?"]),
            want, fields={"critique": paras[1][9:], "suggestion": paras[2][14:],
                          "unread": [{"line": 1, "text": "Hoi,"}]})
html_only("nl-outlook-web-html-only", "Pieters, Anne", "a.pieters@utrecht.example.nl", "RE: Feedbackverzoek week 3",
          None, outlook_html(paras, [s if s else "&nbsp;" for s in sig], disc, "Van:",
                             ["Beste collega,", "Wil je deze week feedback geven?"]), want)
plain("nl-gmail-name-only", "Sanne de Wit", "sanne.dewit@gmail.example", "Re: Feedbackverzoek week 3", GMAIL,
      "Ik vond de presentatie te lang, maar de demo was sterk.\n\nSanne\n\n"
      "Op di 12 jan 2027 om 10:15 schreef Feedback <feedback@example.org>:\n\n> Wil je deze week feedback geven?\n",
      "Ik vond de presentatie te lang, maar de demo was sterk.\n")
plain("nl-near-miss-groeten-aan", "Sanne de Wit", "sanne.dewit@gmail.example", "Re: Feedbackverzoek week 3", GMAIL,
      "Het overleg liep prima.\n\nGroeten aan Pieter, hij was er niet bij.\n\nMarieke\n\n"
      "Op di 12 jan 2027 om 10:15 schreef Feedback <feedback@example.org>:\n\n> Wil je deze week feedback geven?\n",
      "Het overleg liep prima.\n\nGroeten aan Pieter, hij was er niet bij.\n\nMarieke\n")
plain("nl-near-miss-phone-and-list", "Sanne de Wit", "sanne.dewit@gmail.example", "Re: Feedbackverzoek week 3", GMAIL,
      "Bel me op 06-12345678 als je het anders ziet.\n\nVraag feedback aan:\npiet@example.nl\nklaas@example.nl\n",
      "Bel me op 06-12345678 als je het anders ziet.\n\nVraag feedback aan:\npiet@example.nl\nklaas@example.nl\n")

# ---- en ----
paras = ["Hi,", "Critique: the slides were dense; the main point only came at the end.",
         "Suggestion: open with the conclusion and keep the detail for questions."]
sig = ["Best regards,", "", "Sarah Miller", "Senior Product Manager | Acme Inc.",
       "1600 Main Street, Suite 200, Springfield, IL 62701", "Office: +1 (555) 123-4567 | Mobile: +1 555 987 6543",
       "https://www.acme.example.com"]
disc = ("CONFIDENTIALITY NOTICE: This e-mail message, including any attachments, is for the sole use of "
        "the intended recipient(s) and may contain confidential and privileged information.")
want = "Hi,\n\n" + paras[1] + "\n\n" + paras[2] + "\n"
alternative("en-outlook-corporate", "Sarah Miller", "smiller@acme.example.com", "RE: Feedback request week 3", OUTLOOK,
            outlook_text(paras, sig, disc, EN_HDR.format(n="Sarah Miller")),
            outlook_html(paras, [s if s else "&nbsp;" for s in sig], disc, "From:",
                         ["Dear colleague,", "Would you give feedback this week?"]),
            want, fields={"critique": paras[1][10:], "suggestion": paras[2][12:],
                          "unread": [{"line": 1, "text": "Hi,"}]})
plain("en-android-gmail", "Tom Baker", "tom.baker@gmail.example", "Re: Feedback request week 3", GMAIL,
      "Confirmation: Priya kept the retro short and everyone spoke.\n\nCheers,\nTom\n\n"
      "Sent from my Samsung Galaxy smartphone.\n\n"
      "-------- Original message --------\nFrom: Feedback <feedback@example.org>\nDate: 1/12/27 10:15 (GMT+01:00)\n"
      "To: Tom Baker <tom.baker@gmail.example>\nSubject: Feedback request week 3\n\nWould you give feedback this week?\n",
      "Confirmation: Priya kept the retro short and everyone spoke.\n",
      fields={"confirmation": "Priya kept the retro short and everyone spoke."})
plain("en-near-miss-point-last", "Tom Baker", "tom.baker@gmail.example", "Re: Feedback request week 3", GMAIL,
      "The demo went well.\n\nThanks Maria for stepping in when the projector died.\n\n"
      "On Tue, Jan 12, 2027 at 10:15 AM Feedback <feedback@example.org> wrote:\n> Would you give feedback this week?\n",
      "The demo went well.\n\nThanks Maria for stepping in when the projector died.\n")
plain("en-mutt-dash-name", "Abhishek Kona", "abhishek@example.com", "Re: Feedback request week 3",
      "User-Agent: Mutt/2.2.12 (2023-09-09)",
      "The standup overran again; I think we should timebox it.\n\n-Abhishek\n\n\n"
      "_______________________________________________\nteam mailing list\nteam@lists.example.com\n"
      "https://lists.example.com/mailman/listinfo/team\n",
      "The standup overran again; I think we should timebox it.\n", cte="8bit")

# ---- other languages: the closings and device lines people and their phones write ----
def q(hdr, lines):
    return hdr + "\n" + "".join("> " + l + "\n" for l in lines)

LANG = [
 # case, name, addr, mailer, charset, cte, text written, closing block, quote header
 ("de-outlook-corporate", "Jürgen Müller", "j.mueller@firma.example.de", OUTLOOK, "iso-8859-1", "quoted-printable",
  "Kritik: Die Protokolle kamen erst nach einer Woche.\n\nVorschlag: Gleich nach dem Termin verschicken.",
  "Viele Grüße\nJürgen Müller\nTeamleiter Vertrieb\n\nFirma GmbH | Hauptstraße 5 | 80331 München\nTel.: +49 89 1234567\n"
  "www.firma.example.de\n\nDiese E-Mail enthält vertrauliche Informationen und ist ausschließlich für den "
  "Empfänger bestimmt.\n",
  "Von: Feedback <feedback@example.org>\nGesendet: Dienstag, 12. Januar 2027 10:15\nAn: Jürgen Müller\nBetreff: Feedbackverzoek week 3\n\nWillst du Feedback geben?"),
 ("de-gmx-android", "Anna Schmidt", "anna.schmidt@gmx.example.de", None, "utf-8", "quoted-printable",
  "Die Moderation war super, alle kamen zu Wort.",
  "LG Anna\n\nVon meinem Samsung Galaxy Smartphone gesendet.\n",
  q("Am 12.01.2027 10:15 schrieb Feedback <feedback@example.org>:", ["Willst du Feedback geben?"])),
 ("fr-iphone", "Élodie Martin", "elodie.martin@orange.example.fr", IPHONE, "utf-8", "quoted-printable",
  "La réunion était claire, mais trop longue.",
  "Cordialement,\nÉlodie\n\nEnvoyé de mon iPhone\n",
  q("Le 12 janv. 2027 à 10:15, Feedback <feedback@example.org> a écrit :", ["Voulez-vous donner du feedback ?"])),
 ("fr-outlook-corporate", "Martin, Élodie", "e.martin@societe.example.fr", OUTLOOK, "windows-1252", "quoted-printable",
  "Critique : le compte rendu est arrivé trop tard.",
  "Bien cordialement,\n\nÉlodie Martin\nResponsable qualité\n12 rue de la Paix, 75002 Paris\nTél. : +33 1 23 45 67 89\n\n"
  "Ce message et toutes les pièces jointes sont confidentiels et établis à l'intention exclusive de ses destinataires.\n",
  "De : Feedback <feedback@example.org>\nEnvoyé : mardi 12 janvier 2027 10:15\nÀ : Élodie Martin\nObjet : Feedbackverzoek week 3\n\nVoulez-vous donner du feedback ?"),
 ("es-gmail-iphone", "José García", "jose.garcia@gmail.example", IPHONE, "utf-8", "quoted-printable",
  "La presentación fue muy clara.",
  "Saludos,\nJosé\n\nEnviado desde mi iPhone\n",
  q("El 12 ene 2027, a las 10:15, Feedback <feedback@example.org> escribió:", ["¿Quieres dar feedback?"])),
 ("it-outlook", "Marco Rossi", "marco.rossi@azienda.example.it", OUTLOOK, "utf-8", "quoted-printable",
  "La riunione è stata utile, ma è iniziata in ritardo.",
  "Cordiali saluti\nMarco Rossi\nUfficio acquisti\nVia Roma 10, 20121 Milano\nTel. +39 02 1234 5678\n\n"
  "Questo messaggio e i suoi allegati sono riservati e destinati esclusivamente al destinatario.\n",
  "Da: Feedback <feedback@example.org>\nInviato: martedì 12 gennaio 2027 10:15\nA: Marco Rossi\nOggetto: Feedbackverzoek week 3\n\nVuoi dare un feedback?"),
 ("pt-outlook", "João Silva", "joao.silva@empresa.example.br", OUTLOOK, "iso-8859-1", "quoted-printable",
  "A apresentação foi boa, mas faltou tempo para perguntas.",
  "Atenciosamente,\n\nJoão Silva\nGerente de Projetos\nTel: +55 11 3456-7890\nwww.empresa.example.br\n",
  "De: Feedback <feedback@example.org>\nEnviado: terça-feira, 12 de janeiro de 2027 10:15\nPara: João Silva\nAssunto: Feedbackverzoek week 3\n\nQuer dar feedback?"),
 ("sv-iphone", "Åsa Lind", "asa.lind@telia.example.se", IPHONE, "utf-8", "quoted-printable",
  "Mötet var bra och kort.",
  "Med vänlig hälsning\nÅsa\n\nSkickat från min iPhone\n",
  q("12 jan. 2027 kl. 10:15 skrev Feedback <feedback@example.org>:", ["Vill du ge feedback?"])),
 ("da-outlook", "Søren Hansen", "soren.hansen@firma.example.dk", OUTLOOK, "utf-8", "quoted-printable",
  "Oplægget var godt, men lidt for langt.",
  "Med venlig hilsen\n\nSøren Hansen\nProjektleder\nNørregade 10, 1165 København K\nTlf. +45 33 12 34 56\n",
  "Fra: Feedback <feedback@example.org>\nSendt: 12. januar 2027 10:15\nTil: Søren Hansen\nEmne: Feedbackverzoek week 3\n\nVil du give feedback?"),
 ("nb-gmail", "Kari Nordmann", "kari.nordmann@gmail.example", None, "utf-8", "quoted-printable",
  "Møtet var nyttig, takk for en god gjennomgang.",
  "Med vennlig hilsen\nKari Nordmann\n",
  q("tir. 12. jan. 2027 kl. 10:15 skrev Feedback <feedback@example.org>:", ["Vil du gi tilbakemelding?"])),
 ("fi-iphone", "Matti Virtanen", "matti.virtanen@elisa.example.fi", IPHONE, "utf-8", "quoted-printable",
  "Palaveri oli hyvä, mutta venyi liian pitkäksi.",
  "Ystävällisin terveisin\nMatti\n\nLähetetty iPhonesta\n",
  q("Feedback <feedback@example.org> kirjoitti 12.1.2027 kello 10.15:", ["Haluatko antaa palautetta?"])),
 ("pl-thunderbird", "Piotr Nowak", "piotr.nowak@firma.example.pl", TB, "iso-8859-2", "8bit",
  "Spotkanie było dobrze poprowadzone.",
  "Pozdrawiam,\nPiotr Nowak\ntel. +48 22 123 45 67\n",
  q("W dniu 12.01.2027 o 10:15, Feedback pisze:", ["Czy chcesz przekazać opinię?"])),
 ("cs-seznam", "Jan Novák", "jan.novak@seznam.example.cz", None, "utf-8", "quoted-printable",
  "Prezentace byla přehledná.",
  "S pozdravem\nJan Novák\n",
  q("---------- Původní e-mail ----------\nOd: Feedback <feedback@example.org>\nKomu: Jan Novák\nDatum: 12. 1. 2027 10:15:00\nPředmět: Feedbackverzoek week 3", ["Chcete dát zpětnou vazbu?"])),
 ("hu-gmail", "Kovács Péter", "kovacs.peter@gmail.example", None, "utf-8", "quoted-printable",
  "Az értekezlet hasznos volt.",
  "Üdvözlettel:\nKovács Péter\n",
  q("Feedback <feedback@example.org> ezt írta (időpont: 2027. jan. 12., K, 10:15):", ["Adnál visszajelzést?"])),
 ("ru-yandex", "Иван Петров", "ivan.petrov@yandex.example.ru", None, "koi8-r", "base64",
  "Совещание прошло хорошо, но затянулось.",
  "С уважением,\nИван Петров\nтел. +7 495 123-45-67\n",
  q("12.01.2027, 10:15, \"Feedback\" <feedback@example.org>:", ["Хотите оставить отзыв?"])),
 ("uk-gmail", "Олена Коваленко", "olena.kovalenko@gmail.example", None, "utf-8", "base64",
  "Презентація була зрозумілою.",
  "З повагою,\nОлена Коваленко\n",
  q("вт, 12 січ. 2027 р. о 10:15 Feedback <feedback@example.org> пише:", ["Бажаєте залишити відгук?"])),
 ("tr-outlook", "Ayşe Yılmaz", "ayse.yilmaz@firma.example.com.tr", OUTLOOK, "utf-8", "quoted-printable",
  "Toplantı verimliydi, teşekkürler.",
  "Saygılarımla,\nAyşe Yılmaz\nProje Yöneticisi\nTel: +90 212 123 45 67\n\n"
  "Bu e-posta ve ekleri gizli bilgiler içerebilir ve yalnızca alıcıya yöneliktir.\n",
  "Kimden: Feedback <feedback@example.org>\nGönderildi: 12 Ocak 2027 Salı 10:15\nKime: Ayşe Yılmaz\nKonu: Feedbackverzoek week 3\n\nGeri bildirim vermek ister misiniz?"),
 ("ja-iphone", "山田 太郎", "taro.yamada@docomo.example.jp", IPHONE, "iso-2022-jp", "7bit",
  "会議の進め方はとても分かりやすかったです。",
  "よろしくお願いします。\n山田\n\niPhoneから送信\n",
  q("2027/01/12 10:15、Feedback <feedback@example.org>のメール:", ["フィードバックをお願いします。"])),
 ("zh-foxmail", "王伟", "wangwei@qq.example.com", "X-Mailer: Foxmail 7.2.25.228[cn]", "gbk", "base64",
  "会议安排得很好，谢谢。",
  "此致\n敬礼\n王伟\n",
  "------------------ 原始邮件 ------------------\n发件人: \"Feedback\"<feedback@example.org>;\n发送时间: 2027年1月12日(星期二) 上午10:15\n收件人: \"王伟\"<wangwei@qq.example.com>;\n主题: Feedbackverzoek week 3\n\n请给出反馈。"),
 ("ko-iphone", "김민수", "minsu.kim@naver.example.com", IPHONE, "utf-8", "base64",
  "회의가 아주 유익했습니다.",
  "감사합니다.\n김민수 드림\n\niPhone에서 보냄\n",
  q("2027. 1. 12. 오전 10:15, Feedback <feedback@example.org> 작성:", ["피드백을 주시겠어요?"])),
]
for case, name, addr, mailer, cs, cte, written, closing, quote in LANG:
    body = written + "\n\n" + closing + "\n" + quote + "\n"
    plain(case, name, addr, "Re: Feedbackverzoek week 3", mailer, body, written + "\n", cs=cs, cte=cte)
# Quote headers of these languages are issue 17's other part (r17-quote): until they are read,
# these cases carry no quote (the writer deleted it), so they test the closing block only.
for case, name, addr, mailer, cs, cte, written, closing, quote in LANG:
    if case.split("-")[0] in ("hu", "ko", "nb", "sv", "uk", "zh"):
        plain(case, name, addr, "Re: Feedbackverzoek week 3", mailer, written + "\n\n" + closing,
              written + "\n", cs=cs, cte=cte)
