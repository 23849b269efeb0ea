# Long subjects (and senders) do not break the `inbox list` table: a cell wider than its
# column's maximum is cut, UTF-8 aware, and ends in "…"; accents, CJK characters and emoji are
# counted in terminal columns; a tab or line break in a subject cannot move the columns. Every
# row's RECEIVED column then starts at the same terminal column. (The subjects are written
# in UTF-8 as they are in the header: the inbox lists a subject as written.)
. "$(dirname "$0")/../lib.sh"
mkdir -p "$T/in/new" "$T/in/cur" "$T/in/tmp"
cat >"$T/f.conf" <<CONF
[feedbackd]
database = $T/fb.db
[outgoing]
maildir = $T/sent
[incoming]
maildir = $T/in
CONF
n=0
msg() { # msg FROM SUBJECT-HEADER-VALUE
	n=$((n + 1))
	printf 'From: %s\r\nTo: feedback@feedbackd.test\r\nMessage-ID: <m%d@example.nl>\r\nSubject: %s\r\n\r\nHallo\r\n' \
	    "$1" "$n" "$2" >"$T/in/new/$n.host"
}
msg "jan@example.nl" "Kort"
msg "Jeroen Mëijer <jeroen.meijer.met.een.heel.lang.adres@afdeling.example.nl>" \
    'Feedback over de presentatie van afgelopen donderdag – Mëijer, Ødegaard en de rest'
msg "piet@example.nl" '会議のフィードバックについての長い件名です、よろしくお願いします'
msg "els@example.nl" 'Emoji 🎉🎉🎉 and a tab	here, and then a great deal more text after it'
msg "anna@example.nl" "$(printf 'Cafe\314\201 with a combining accent, and then a great deal more')"
expect_ok "the daemon reads them" "$FBD" -c "$T/f.conf" --once --now 2027-01-04T09:00 --log-level error
expect_ok "inbox list" "$FBCTL" -c "$T/f.conf" inbox list
cp "$T/out" "$T/list"
expect_eq "a header and five rows" "$(grep -c '' "$T/list")" 7
/usr/bin/python3 - "$T/list" >"$T/cols" <<'PY'
import sys, unicodedata
def width(s):
    w = 0
    for ch in s:
        if unicodedata.combining(ch) or ch in "\u200b\ufeff":
            continue
        w += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return w
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()[:-1]
for line in lines:
    # RECEIVED: the header's word, or a row's date
    i = line.find("RECEIVED") if line.startswith("ID") else line.find(" 2027-") + 1
    print(width(line[:i]))
PY
expect_eq "every row's RECEIVED column starts where the header's does" "$(sort -u "$T/cols" | wc -l)" 1
expect_grep "a long subject ends in … at the column's width" "Feedback over de presentatie van afgelo…  " "$T/list"
expect_grep "so does a long sender" "jeroen\.meijer\.met\.een\.heel\.lang…  " "$T/list"
expect_grep "wide characters are cut whole" "会議のフィードバックについての長い件名…   " "$T/list"
expect_nogrep "a tab is shown as a space" "	" "$T/list"
expect_grep "a short subject stays whole" " Kort " "$T/list"
expect_ok "inbox show still has the whole subject" "$FBCTL" -c "$T/f.conf" inbox list --json
expect_grep "(and --json)" "Feedback over de presentatie van afgelopen donderdag – Mëijer, Ødegaard en de rest" "$T/out"
finish
