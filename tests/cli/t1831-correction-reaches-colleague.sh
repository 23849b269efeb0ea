# Corrections reach the colleague (issue 18). A giver corrects feedback by replying to their
# receipt. When the receiver already had the first version, they get "Gecorrigeerde feedback
# van …" with the new text, saying it replaces the earlier one, and the giver's receipt says
# so. When the first version had not gone yet (the SMTP server was down), it is rewritten where
# it waits: the receiver gets one mail, with the corrected text, and no "corrected" one.
. "$(dirname "$0")/../lib.sh"
conf() { # conf OUTGOING-LINES
	cat >"$T/f.conf" <<CONF
[feedbackd]
database = $T/fb.db
domain = example.nl
from_address = feedback@example.nl
reply_address = feedback@example.nl
[outgoing]
$1
per_recipient_daily_cap = 40
[incoming]
maildir = $T/in
CONF
}
conf "maildir = $T/sent"
mkdir -p "$T/in/new" "$T/in/cur" "$T/in/tmp"
printf 'name,email\nAnn Smit,ann@example.org\nBob Bakker,bob@example.org\nCat Visser,cat@example.org\nDan Mulder,dan@example.org\n' >"$T/team.csv"
ctl() { "$FBCTL" -c "$T/f.conf" --now "$NOW" "$@"; }
fbd() { "$FBD" -c "$T/f.conf" --once --now "$NOW" --log-level warning; }
sent() { for f in "$T"/sent/new/*; do tr -d '\r' <"$f" | grep -q "^X-Feedbackd-Kind: $1\$" &&
	{ [ -z "${2:-}" ] || tr -d '\r' <"$f" | grep -q "^To: .*<$2>"; } && echo "$f"; done; }
count() { sent "$@" | wc -l | tr -d ' '; }
text() { perl -MMIME::QuotedPrint -0pe '$_ = decode_qp($_)' "$1" >"$T/text"; echo "$T/text"; }
n=0
# mail FROM TO SUBJECT BODY: a message in the programme's mailbox
mail() {
	n=$((n + 1))
	printf 'From: %s\r\nTo: %s\r\nMessage-ID: <m%d@example.org>\r\nSubject: %s\r\n\r\n%b\r\n' \
	    "$1" "$2" "$n" "$3" "$4" >"$T/in/new/$n.host"
}

NOW=2027-01-01T12:00
expect_ok "programme created" ctl program create P --start 2027-01-04
expect_ok "team added" ctl team add P T
expect_ok "members imported" ctl member import P/T "$T/team.csv"

# --- delivered first: Bob gives Ann feedback, it goes, then he corrects it ---------------
NOW=2027-01-05T10:00
mail bob@example.org feedback@example.nl "Feedback" 'Feedback voor: Ann\nBevestiging: je opening was helder.\nKritiek: de conclusie ontbrak.'
expect_ok "Bob's feedback is read and sent" fbd
expect_eq "Ann has it" "$(count feedback_received ann@example.org)" 1
receipt=$(sent feedback_receipt bob@example.org)
expect_eq "Bob has his receipt" "$(echo "$receipt" | wc -l | tr -d ' ')" 1
to=$(tr -d '\r' <"$receipt" | sed -n 's/^Reply-To: //p')
NOW=2027-01-05T11:00
mail bob@example.org "$to" "Re: Vastgelegd" 'Kritiek: de conclusie was te kort; sluit af met je advies.'
expect_ok "Bob's correction is read" fbd
expect_ok "inbox list" ctl inbox list
expect_grep "the inbox says where it went" "Bob Bakker corrected feedback to Ann Smit: the corrected version goes to them" "$T/out"
expect_eq "Ann gets the corrected version" "$(count feedback_corrected ann@example.org)" 1
f=$(sent feedback_corrected ann@example.org)
expect_grep "its subject says it is corrected, and from whom" "^Subject: Gecorrigeerde feedback van Bob Bakker" "$f"
tf=$(text "$f")
expect_grep "it says it replaces the earlier one" "Deze versie vervangt de eerdere" "$tf"
expect_grep "with the new text" "de conclusie was te kort; sluit af met je advies" "$tf"
expect_grep "and the part he did not change" "je opening was helder" "$tf"
expect_nogrep "not the old text" "de conclusie ontbrak" "$tf"
expect_grep "Ann can react to it (a reply token)" "^Reply-To: feedback\\+[a-z0-9]+@example.nl" "$f"
expect_eq "no second first version" "$(count feedback_received ann@example.org)" 1
r=$(grep -l "^Subject: Aangepast" $(sent feedback_receipt bob@example.org))
expect_grep "Bob's receipt says Ann gets the corrected version" \
    "Ann Smit had je feedback al gekregen en krijgt nu deze gecorrigeerde versie" "$(text "$r")"

# --- not yet sent: the SMTP server is down when Cat gives Dan feedback and corrects it ----
conf "transport = smtp
url = smtp://127.0.0.1:9
starttls = no"
NOW=2027-01-05T12:00
mail cat@example.org feedback@example.nl "Feedback" 'Feedback voor: Dan\nBevestiging: goede planning.\nKritiek: de demo liep uit.'
expect_ok "Cat's feedback is read, nothing can be sent" fbd
expect_ok "outbox" ctl outbox list --json
rid=$(tr -d '\n' <"$T/out" | sed 's/},/}\n/g' | grep '"kind": "feedback_receipt"' | grep cat@ | sed 's/.*"id": \([0-9]*\).*/\1/')
did=$(tr -d '\n' <"$T/out" | sed 's/},/}\n/g' | grep '"kind": "feedback_received"' | grep dan@ | sed 's/.*"id": \([0-9]*\).*/\1/')
expect_ok "Cat's receipt, waiting" ctl outbox show "$rid" --raw
to=$(tr -d '\r' <"$T/out" | sed -n 's/^Reply-To: //p')
NOW=2027-01-05T12:10
mail cat@example.org "$to" "Re: Vastgelegd" 'Kritiek: de demo liep tien minuten uit; oefen hem met een klok.'
expect_ok "Cat's correction is read" fbd
expect_ok "inbox list" ctl inbox list
expect_grep "the inbox says the waiting one was rewritten" "Cat Visser corrected feedback to Dan Mulder: the first version had not gone, it goes with the new text" "$T/out"
expect_ok "Dan's waiting mail" ctl outbox show "$did" --raw
expect_grep "the waiting mail has the new text" "de demo liep tien minuten uit" "$(text "$T/out")"
conf "maildir = $T/sent"
NOW=2027-01-05T12:20
expect_ok "the waiting mail is released" ctl outbox retry --all
expect_ok "the daemon sends" fbd
expect_eq "Dan gets one feedback mail" "$(count feedback_received dan@example.org)" 1
expect_eq "and no 'corrected' one" "$(count feedback_corrected dan@example.org)" 0
tf=$(text "$(sent feedback_received dan@example.org)")
expect_grep "with the corrected text" "de demo liep tien minuten uit; oefen hem met een klok" "$tf"
expect_nogrep "and not the first" "Kritiek:.*de demo liep uit\\." "$tf"
r=$(grep -l "^Subject: Aangepast" $(sent feedback_receipt cat@example.org))
expect_grep "Cat's receipt says Dan gets only this version" \
    "Dan Mulder had je feedback nog niet gekregen en krijgt alleen deze versie" "$(text "$r")"

# --- the preview shows the corrected mail, composed by the same code ---------------------
expect_ok "preview feedback-corrected for Ann" ctl preview feedback-corrected --member Ann
expect_grep "its subject" "^Subject: Gecorrigeerde feedback van Bob Bakker" "$T/out"
expect_grep "the text as it is now" "de conclusie was te kort; sluit af met je advies" "$(text "$T/out")"
expect_fail "for a member who received no feedback" ctl preview feedback-corrected --member Bob
expect_grep "it says why" "Bob Bakker has received no feedback yet" "$T/err"
expect_ok "the kinds list it" ctl preview --list
expect_grep "listed" "^  feedback-corrected " "$T/out"
finish
