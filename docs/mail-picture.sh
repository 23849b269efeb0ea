#!/bin/sh
# docs/mail-picture.sh — the README's picture of a mail as a member sees it on a phone: the
# HTML part of a real week-1 nudge, composed by the daemon's own code (`feedbackctl preview`,
# nothing queued), in a frame like a phone's mail app, rendered by headless Chromium at 400 px
# wide (twice as many pixels) into docs/week1-nudge.png (or the file given).
#
# A documentation tool, not part of the build or the tests: it needs chromium
# (`apt-get install chromium`) and a build (`make`). Run from the top of the source tree:
#     sh docs/mail-picture.sh [OUT.png]
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$TOP/docs/week1-nudge.png}
BUILD=${BUILD:-$TOP/build}
CHROMIUM=${CHROMIUM:-chromium}
WIDTH=400  # CSS pixels, a phone's width; the PNG has SCALE times as many (sharp on a
SCALE=2    # high-density screen), and the README shows it 400 wide
command -v "$CHROMIUM" >/dev/null || { echo "mail-picture: $CHROMIUM not found (apt-get install chromium)" >&2; exit 1; }
[ -x "$BUILD/feedbackctl" ] || { echo "mail-picture: no $BUILD/feedbackctl: run make first" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/mailpic.XXXXXX")
trap 'rm -rf "$T"' EXIT

cat >"$T/f.conf" <<CONF
[feedbackd]
database = $T/fb.db
domain = example.nl
from_address = feedback@example.nl
from_name = Feedback Zorgteam Noord
reply_address = feedback@example.nl
coordinator_name = Cor Hendriks
[outgoing]
maildir = $T/sent
[incoming]
maildir = $T/in
CONF
ctl() { "$BUILD/feedbackctl" -c "$T/f.conf" --now "$NOW" "$@" >/dev/null 2>&1; }
NOW=2027-01-01T12:00
ctl program create "Zorgteam Noord" --start 2027-01-04 --language nl
ctl team add "Zorgteam Noord" Avondploeg
ctl facilitator add Avondploeg fay.jansen@example.nl --name "Fay Jansen"
ctl member add Avondploeg "Ann de Vries" ann@example.nl
ctl member add Avondploeg "Bob Smit" bob@example.nl
ctl member add Avondploeg "Dewi Pranoto" dewi@example.nl
ctl member add Avondploeg "Ilse Mulder" ilse@example.nl
NOW=2027-01-04T09:00
ctl preview nudge --member Ann --week 1 --eml "$T/nudge.eml"

# The page: the mail app's header (sender, subject without the reply token, time) over the
# mail's own HTML body; a script notes the page's height for the second run to use.
/usr/bin/env python3 - "$T/nudge.eml" "$T/page.html" "$WIDTH" <<'PY'
import email, email.policy, html, re, sys
msg = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
body = next(p.get_content() for p in msg.walk() if p.get_content_type() == "text/html")
inner = re.search(r"<body[^>]*>(.*)</body>", body, re.S).group(1)
style = re.search(r"<body([^>]*)>", body).group(1)
subject = re.sub(r"\s*\[#\w+\]$", "", str(msg["Subject"]))
sender = msg["From"].addresses[0].display_name
page = """<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=%(w)d">
<style>
 html,body{margin:0;background:#fff}
 #page{width:%(w)dpx;overflow:hidden}
 .bar{background:#f2f2f7;border-bottom:1px solid #d1d1d6;padding:14px 16px 10px;
      font-family:Arial,Helvetica,sans-serif}
 .from{font-weight:bold;font-size:15px;color:#111}
 .to{font-size:12px;color:#666;margin-top:2px}
 .subject{font-size:17px;font-weight:bold;color:#111;margin-top:8px}
 .mail{padding:4px 16px 16px}
 .mail pre{white-space:pre-wrap;background:#f6f6f6;padding:8px;border-radius:4px}
</style></head><body><div id="page">
<div class="bar"><div class="from">%(sender)s</div>
<div class="to">aan Ann de Vries &middot; ma 4 jan. 09:00</div>
<div class="subject">%(subject)s</div></div>
<div class="mail"%(style)s>%(inner)s</div></div>
<script>addEventListener("load", function () {
 document.body.setAttribute("data-height",
  Math.ceil(document.getElementById("page").getBoundingClientRect().height)) })</script>
</body></html>""" % {"w": int(sys.argv[3]), "sender": html.escape(sender),
                     "subject": html.escape(subject), "style": style, "inner": inner}
open(sys.argv[2], "w", encoding="utf-8").write(page)
PY
run() { "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
	--force-device-scale-factor=$SCALE --user-data-dir="$T/profile" "$@" 2>/dev/null; }
# The page's width is fixed (the dump run may lay it out in another window size), so its
# height there is its height in the picture; the screenshot is the whole window.
run --window-size=$WIDTH,800 --dump-dom "file://$T/page.html" >"$T/dom.html"
height=$(sed -n 's/.*data-height="\([0-9]*\)".*/\1/p' "$T/dom.html" | head -1)
[ -n "$height" ] || { echo "mail-picture: chromium gave no page height" >&2; exit 1; }
run --window-size=$WIDTH,$height --screenshot="$OUT" "file://$T/page.html" >/dev/null
echo "wrote $OUT ($((WIDTH * SCALE))x$((height * SCALE)) pixels: ${WIDTH}x$height at $SCALE x)"
