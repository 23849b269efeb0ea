# A 0-10 question's anchors fit the question (issue 18: a "how often" question was anchored
# "helemaal niet ... helemaal wel"): in every built-in questionnaire, nl and en, each scale
# question names both ends "(0 = ..., 10 = ...)", a frequency question ("Hoe vaak", "How
# often") is anchored "nooit ... altijd" / "never ... always", and no question is anchored
# "helemaal niet ... helemaal wel" / "not at all ... completely" unless it asks "how much".
# The check is first run on a planted questionnaire, so it is known to bite.
. "$(dirname "$0")/../lib.sh"
check() {
	/usr/bin/python3 - "$@" <<'PY'
import re, sys
freq = re.compile(r"^(Hoe vaak|How often)\b", re.I)
much = re.compile(r"^(In hoeverre|Hoeveel|How much|To what extent)\b", re.I)
anchors = re.compile(r"\(0 = ([^,]+), 10 = ([^)]+)\)\s*$")
for path in sys.argv[1:]:
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        m = re.match(r"^\s*\d+\s+scale:\s*(.*)$", line)
        if not m:
            continue
        q = m.group(1).strip()
        a = anchors.search(q)
        where = "%s:%d" % (path.split("mail-templates/")[-1], n)
        if not a:
            print("%s: no anchors (0 = ..., 10 = ...)" % where)
            continue
        lo, hi = a.group(1).strip().lower(), a.group(2).strip().lower()
        if freq.search(q) and (lo, hi) not in (("nooit", "altijd"), ("never", "always")):
            print("%s: a frequency question anchored %s ... %s" % (where, lo, hi))
        if (lo, hi) in (("helemaal niet", "helemaal wel"), ("not at all", "completely")) and not much.search(q):
            print("%s: anchored %s ... %s, which answers no such question" % (where, lo, hi))
PY
}
mkdir -p "$T/mail-templates/nl"
cat >"$T/mail-templates/nl/planted.txt" <<'Q'
title: nulmeting
1 scale: Hoe vaak geef je collega's een compliment? (0 = helemaal niet, 10 = helemaal wel)
2 scale: Hoe veilig voel je je?
3 scale: Hoe vaak vraag je om feedback? (0 = nooit, 10 = altijd)
4 open: Wat wil je leren?
Q
check "$T/mail-templates/nl/planted.txt" >"$T/planted.out"
expect_grep "the check finds a frequency question anchored otherwise" 'planted.txt:2: a frequency question anchored helemaal niet' "$T/planted.out"
expect_grep "the check finds helemaal niet ... helemaal wel" 'planted.txt:2: anchored helemaal niet ... helemaal wel' "$T/planted.out"
expect_grep "the check finds a question without anchors" 'planted.txt:3: no anchors' "$T/planted.out"
expect_nogrep "the check passes a well-anchored frequency question" 'planted.txt:4' "$T/planted.out"

n=$(ls "$FB_TOP"/mail-templates/nl/questionnaires/*.txt "$FB_TOP"/mail-templates/en/questionnaires/*.txt | wc -l)
expect_eq "eight questionnaires (four measurements, nl and en)" "$n" 8
check "$FB_TOP"/mail-templates/nl/questionnaires/*.txt "$FB_TOP"/mail-templates/en/questionnaires/*.txt >"$T/real.out"
expect_eq "every scale question's anchors fit it" "$(cat "$T/real.out")" ""
finish
