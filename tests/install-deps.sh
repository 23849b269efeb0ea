#!/bin/sh
# Install the Debian packages feedbackd needs, only those missing, so a machine that has them
# all (CI's second run, a developer's box) never touches the network.
# Input: DEB_BUILD and DEB_TEST, space-separated package names (from the Makefile).
# With JS_DEPS=1 it also installs the npm package the calendar tests need (tests/js: ical.js).
set -eu
missing=
for p in $DEB_BUILD $DEB_TEST; do
	s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$s" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done

js_deps() {
	# Mozilla's ical.js for the calendar tests (tests/js, pinned by its package-lock.json). Node
	# comes from apt only when there is none: a machine's own node (with its npm) is kept,
	# Debian's npm package conflicts with it. Skipped when the locked version is installed,
	# so a second run needs no network; a failing npm (no registry) fails here, loudly.
	[ "${JS_DEPS:-0}" = 1 ] || return 0
	js=$(dirname "$0")/js
	if ! command -v node >/dev/null 2>&1; then
		apt_install nodejs npm
	fi
	if ! command -v npm >/dev/null 2>&1; then
		# Debian's nodejs comes without npm (a package of its own); another node (nodesource,
		# /usr/local) brings its own, and Debian's npm would pull a second node beside it.
		if dpkg-query -S "$(command -v node)" 2>/dev/null | grep -q '^nodejs:'; then
			apt_install npm
		else
			echo "install-deps: node is installed but npm is not: install npm for $(command -v node)" >&2
			exit 1
		fi
	fi
	if node -e '
		const fs = require("fs");
		const want = JSON.parse(fs.readFileSync(process.argv[1])).packages["node_modules/ical.js"].version;
		const have = JSON.parse(fs.readFileSync(process.argv[2])).version;
		process.exit(want === have ? 0 : 1);' "$js/package-lock.json" \
	    "$js/node_modules/ical.js/package.json" 2>/dev/null; then
		return 0
	fi
	echo "install-deps: npm ci --prefix $js (ical.js)"
	npm ci --prefix "$js" --no-audit --no-fund --loglevel=error >/dev/null
}

apt_install() {
	echo "install-deps: installing: $*"
	if [ "$(id -u)" != 0 ]; then
		echo "install-deps: need root to apt-get install: $*" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	# Postfix is wanted only for its test tools (smtp-sink, smtp-source): no configuration, no service.
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# shellcheck disable=SC2086 # word splitting of the package list is meant
[ -z "$missing" ] || apt_install $missing
js_deps
