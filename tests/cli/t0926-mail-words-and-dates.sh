# Every mail a person reads speaks one vocabulary, with human dates and a capital (issue 18):
# a Dutch and an English programme run from the first day to past the follow-up, with sessions
# scheduled, moved and cancelled, a feedback request and a feedback; then every mail sent is
# read as its recipient reads it (subject, text and HTML parts; the calendar data and machine
# headers aside) and must hold no forbidden variant of mail-templates/<lang>/glossary.txt, no
# ISO date ("2027-03-15") and no subject starting lower-case. The check is first run on planted
# mails, so it is known to bite. The templates themselves, every one, are rendered by
# tests/unit/test_mailwords.c; this test finds what the code puts in them.
. "$(dirname "$0")/../lib.sh"
cat >"$T/f.conf" <<CONF
[feedbackd]
database = $T/fb.db
domain = example.nl
from_address = feedback@example.nl
reply_address = feedback@example.nl
[outgoing]
maildir = $T/sent
per_recipient_daily_cap = 50
[incoming]
maildir = $T/in
[program]
followup_weeks = 2
CONF
mkdir -p "$T/in/new" "$T/in/cur" "$T/in/tmp"
ctl() { "$FBCTL" -c "$T/f.conf" --now "$NOW" "$@"; }
fbd() { "$FBD" -c "$T/f.conf" --once --now "$NOW" --log-level error; }

# check DIR...: one line per kind of defect in the messages of DIR/new ("KIND (LANG): what"),
# nothing if none.
check() {
	check_raw "$@" | sed 's/ISO date [0-9-]*/ISO date/' | sort -u
}
check_raw() {
	/usr/bin/python3 - "$FB_TOP/mail-templates" "$@" <<'PY'
import email, email.policy, os, re, sys, html
tdir = sys.argv[1]
forbidden = {}
for lang in ("nl", "en"):
    forbidden[lang] = []
    for line in open(os.path.join(tdir, lang, "glossary.txt"), encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("#") or "|" not in line:
            continue
        for v in line.split("|", 1)[1].split(","):
            if v.strip():
                forbidden[lang].append(v.strip())
iso = re.compile(r"\b[12][0-9]{3}-[01][0-9]-[0-3][0-9]\b")
for d in sys.argv[2:]:
    for name in sorted(os.listdir(os.path.join(d, "new"))):
        raw = open(os.path.join(d, "new", name), "rb").read()
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        subject = str(msg["Subject"] or "")
        lang = (msg.get("Content-Language") or "").strip()
        texts = [("subject", subject)]
        for part in msg.walk():
            ct = part.get_content_type()
            if ct in ("text/plain", "text/html"):
                t = part.get_content()
                if ct == "text/html":
                    t = html.unescape(re.sub(r"<[^>]*>", " ", t))
                texts.append((ct, t))
        body = " ".join(t for _, t in texts)
        if not lang:
            lang = "en" if re.search(r"\b(Hello|Hi|the|and)\b", body) else "nl"
        kind = msg.get("X-Feedbackd-Kind", "?")
        who = "%s (%s)" % (kind, lang)
        s = re.sub(r"^((Re|Fwd|Fw|Antw):\s*)+", "", subject)
        if s[:1].islower():
            print("%s: subject starts lower-case: %s" % (who, subject))
        for where, t in texts:
            m = iso.search(t)
            if m:
                print("%s: ISO date %s in the %s" % (who, m.group(0), where))
            for v in forbidden[lang]:
                if re.search(r"(?<![A-Za-z0-9])" + re.escape(v) + r"(?![A-Za-z0-9])", t, re.I):
                    print("%s: \"%s\" (not in the glossary) in the %s" % (who, v, where))
PY
}

# The check bites: a planted mail with each defect.
mkdir -p "$T/planted/new"
printf 'Subject: eindmeting van P\r\nX-Feedbackd-Kind: questionnaire\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHallo Ann,\r\nDe 0-meting sluit op 2027-03-15.\r\n' \
    >"$T/planted/new/1"
check "$T/planted" >"$T/planted.out"
expect_grep "the check finds a lower-case subject" "subject starts lower-case" "$T/planted.out"
expect_grep "the check finds an ISO date" "ISO date in the text/plain" "$T/planted.out"
expect_grep "the check finds a forbidden variant" '"0-meting" \(not in the glossary\)' "$T/planted.out"

NOW=2027-01-01T12:00
ctl program create PN --start 2027-01-04 --language nl >/dev/null
ctl program create PE --start 2027-01-04 --language en >/dev/null
for p in PN PE; do
	ctl team add $p T$p >/dev/null
	ctl facilitator add $p/T$p fac-$p@example.org --name "Fay $p" >/dev/null
	for m in ann bob cat; do
		ctl member add $p/T$p "$m $p" $m-$p@example.org >/dev/null
	done
	ctl session schedule $p kickoff --at "2027-01-05 10:00" --duration 1h >/dev/null
	ctl session schedule $p progress --at "2027-02-09 10:00" --duration 90 >/dev/null
	ctl session schedule $p evaluation --at "2027-03-09 10:00" --duration 2h >/dev/null
done
ids=
for p in PN PE; do
	expect_ok "sessions listed" ctl --json session list $p
	ids="$ids $(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d=d.get("sessions",d) if isinstance(d,dict) else d; print(" ".join(str(s["id"]) for s in d if s["kind"]=="progress"))' "$T/out")"
done
for id in $ids; do ctl session move $id --at "2027-02-10 14:00" >/dev/null; done
# Day by day, from the start to past the follow-up.
day=0
while [ $day -le 90 ]; do
	NOW=$(date -u -d "2027-01-04 +$day days" +%Y-%m-%d)T09:30
	fbd || echo "not ok - the daemon on $NOW"
	day=$((day + 1))
done
NOW=2027-03-01T12:00
ctl session cancel "$(echo $ids | cut -d' ' -f1)" >/dev/null
NOW=2027-03-01T12:05
fbd
expect_eq "mail was sent" "$(ls "$T/sent/new" | wc -l | awk '$1 > 100 { print "many" }')" "many"
for k in nudge questionnaire questionnaire_reminder moment_invite invite invite_update invite_cancel weekly_report progress_report; do
	expect_eq "a $k was sent" "$(grep -l "^X-Feedbackd-Kind: $k" "$T"/sent/new/* | head -1 | wc -l | tr -d ' ')" 1
done
check "$T/sent" >"$T/defects"
expect_eq "every mail: glossary words, human dates, a capital (defects: $(wc -l <"$T/defects"))" \
    "$(head -30 "$T/defects")" ""
finish
