#!/bin/sh
# Install the Debian packages feedbackd needs, only those missing, so a machine that has them
# all (CI's second run, a developer's box) never touches the network.
# Input: DEB_BUILD and DEB_TEST, space-separated package names (from the Makefile).
set -eu
missing=
for p in $DEB_BUILD $DEB_TEST; do
	s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$s" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing:$missing"
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: need root to apt-get install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Postfix is wanted only for its test tools (smtp-sink, smtp-source): no configuration, no service.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
