# A person's name under every mail (issue 18): mail to a member is signed by their team's
# facilitator (the one who asked, for a reminder a facilitator triggers), mail to a facilitator
# (invitations, the note on a late joiner, the weekly report, the confirmation of a reply) by
# the coordinator ([feedbackd] coordinator_name), and so is a member's mail when their team has
# no named facilitator. Without a name nobody pretends: "feedbackd, namens P". No mail of the
# run ends with only the programme's name.
. "$(dirname "$0")/../lib.sh"
conf() {
	cat >"$T/f.conf" <<CONF
[feedbackd]
database = $T/fb.db
domain = example.nl
from_address = feedback@example.nl
reply_address = feedback@example.nl
$1
[outgoing]
maildir = $T/sent
per_recipient_daily_cap = 50
[incoming]
maildir = $T/in
CONF
}
conf "coordinator_name = Cor de Wit"
mkdir -p "$T/in/new" "$T/in/cur" "$T/in/tmp"
ctl() { "$FBCTL" -c "$T/f.conf" --now "$NOW" "$@"; }
fbd() { "$FBD" -c "$T/f.conf" --once --now "$NOW" --log-level warning; }
sent() { for f in "$T"/sent/new/*; do [ -f "$f" ] || continue; tr -d '\r' <"$f" | grep -q "^X-Feedbackd-Kind: $1" &&
	{ [ -z "${2:-}" ] || tr -d '\r' <"$f" | grep -qE "^To: (.*<$2>|$2)\$"; } && echo "$f"; done; }
replyto() { tr -d '\r' <"$(sent "$1" "$2" | tail -1)" | sed -n 's/^Reply-To: //p'; }
n=0
reply() { # reply FROM TO BODY
	n=$((n + 1))
	printf 'From: %s\r\nTo: %s\r\nMessage-ID: <r%d@example.org>\r\nSubject: Re: rapport\r\n\r\n%b\r\n' \
	    "$1" "$2" "$n" "$3" >"$T/in/new/$n.host"
}
# signatures: one line per mail sent, "KIND TO | the line under the greeting", text and HTML
# part each (the HTML's line after "<br>").
signatures() {
	/usr/bin/python3 - "$T/sent/new" <<'PY'
import email, email.policy, os, re, sys, html
d = sys.argv[1]
for name in sorted(os.listdir(d)):
    msg = email.message_from_bytes(open(os.path.join(d, name), "rb").read(),
                                   policy=email.policy.default)
    kind, to = msg["X-Feedbackd-Kind"], msg["To"].addresses[0].addr_spec
    for part in msg.walk():
        ct = part.get_content_type()
        if ct == "text/plain":
            lines = part.get_content().splitlines()
            sig = [lines[i + 1] for i, l in enumerate(lines[:-1])
                   if l.strip() in ("Met vriendelijke groet,", "Kind regards,")]
        elif ct == "text/html":
            sig = [html.unescape(m) for m in
                   re.findall(r"(?:Met vriendelijke groet|Kind regards),<br>([^<]*)<", part.get_content())]
        else:
            continue
        print("%s %s %s | %s" % (kind, to, ct, sig[-1].strip() if sig else "(no greeting)"))
PY
}

NOW=2027-01-01T12:00
ctl program create P --start 2027-01-04 --language nl >/dev/null
ctl team add P T >/dev/null
ctl team add P U >/dev/null
ctl facilitator add P/T fay@example.org --name "Fay Visser" >/dev/null
ctl facilitator add P/T gus@example.org --name "Gus Smit" >/dev/null
ctl facilitator add P/U ugo@example.org >/dev/null
ctl member add P/T "Ann Bos" ann@example.org >/dev/null
ctl member add P/T "Bob Kok" bob@example.org >/dev/null
ctl member add P/U "Cat Mol" cat@example.org >/dev/null
ctl session schedule P kickoff --at "2027-01-05 10:00" --duration 1h >/dev/null
NOW=2027-01-04T09:30
expect_ok "week 1: welcome, invitations, nudge, questionnaire" fbd
NOW=2027-01-06T10:00
ctl member add P/T "Dan Wit" dan@example.org >/dev/null
expect_ok "a late joiner: the facilitators get a note" fbd
NOW=2027-01-11T09:30
expect_ok "week 2: the weekly report" fbd
NOW=2027-01-11T10:00
reply gus@example.org "$(replyto weekly_report gus@example.org)" 'Herinner: Ann'
expect_ok "Gus asks for a reminder to Ann" fbd
signatures >"$T/sig"
for k in welcome invite nudge questionnaire facilitator_reminder member_joined weekly_report facilitator_confirmation; do
	expect_grep "$k was sent" "^$k " "$T/sig"
done
expect_nogrep "no mail ends with only the programme's name" '\| P$' "$T/sig"
expect_nogrep "every mail has a greeting and a name under it" 'no greeting' "$T/sig"
expect_nogrep "mail to team T's members: by their facilitator" '^[a-z_]+ (ann|bob|dan)@example.org text/(plain|html) \| [^FG]' \
    "$T/sig"
expect_grep "... Fay, the team's first" '^nudge ann@example.org text/plain \| Fay Visser, P$' "$T/sig"
expect_grep "the reminder Gus asked for: by Gus" '^facilitator_reminder ann@example.org text/(plain|html) \| Gus Smit, P$' "$T/sig"
expect_grep "team U has no named facilitator: Cat's mail by the coordinator" '^nudge cat@example.org text/html \| Cor de Wit, P$' "$T/sig"
for k in invite member_joined weekly_report facilitator_confirmation; do
	expect_grep "$k to a facilitator: by the coordinator" "^$k (fay|gus|ugo)@example.org text/plain \| Cor de Wit, P\$" "$T/sig"
done
expect_nogrep "no facilitator's mail by anyone else" '^[a-z_]+ (fay|gus|ugo)@example.org text/(plain|html) \| [^C]' "$T/sig"

# Without the coordinator's name: nobody pretends to sign.
conf ""
to=$(replyto weekly_report gus@example.org)
rm -f "$T"/sent/new/*
NOW=2027-01-11T11:00
reply gus@example.org "$to" 'Herinner: Bob'
expect_ok "another reminder, no coordinator_name" fbd
NOW=2027-01-18T09:30
expect_ok "week 3" fbd
signatures >"$T/sig2"
expect_grep "the confirmation to Gus: feedbackd, on behalf of the programme" \
    '^facilitator_confirmation gus@example.org text/plain \| feedbackd, namens P$' "$T/sig2"
expect_grep "the weekly report likewise (HTML)" '^weekly_report fay@example.org text/html \| feedbackd, namens P$' "$T/sig2"
expect_grep "Cat's nudge likewise" '^nudge cat@example.org text/plain \| feedbackd, namens P$' "$T/sig2"
expect_grep "Ann's nudge still by Fay" '^nudge ann@example.org text/plain \| Fay Visser, P$' "$T/sig2"
expect_nogrep "still no mail ends with only the programme's name" '\| P$' "$T/sig2"
finish
