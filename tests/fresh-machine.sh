#!/bin/sh
# Run the README's two commands on a fresh Debian 12 machine, as a new user would, and print each
# one's exit status and time. A green `make check` on a developer's box proves little: that box
# has things installed by hand. This builds a Debian 12 (bookworm) minbase chroot with debootstrap,
# adds only what the README says a fresh machine brings (build-essential, git, python3, node),
# clones the checkout's HEAD into it and runs, each in a copy of its own:
#
#   sh .ci/bootstrap && make demo
#   sh .ci/bootstrap && make check
#
# Not part of `make check`: it needs root and the network (Debian's mirror and the npm registry).
#
#   sh tests/fresh-machine.sh [demo|check ...]     default: both
#
# Environment:
#   FRESH_DIR     where the chroots go (default /var/tmp/feedbackd-fresh); the pristine base is
#                 kept there as base.tar and reused while it is younger than a day
#   FRESH_MIRROR  Debian mirror (default http://deb.debian.org/debian)
#   FRESH_PKGS    what the base has besides minbase, comma-separated
#                 (default build-essential,git,python3,nodejs,ca-certificates)
#   FRESH_KEEP=1  leave the run chroots behind to look at (they are removed otherwise)
#
# Only committed work is tested: the chroot gets a `git clone` of HEAD, like any new user.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
dir=${FRESH_DIR:-/var/tmp/feedbackd-fresh}
mirror=${FRESH_MIRROR:-http://deb.debian.org/debian}
# What the README says a fresh machine has before the two commands.
base_pkgs=${FRESH_PKGS:-build-essential,git,python3,nodejs,ca-certificates}
runs=${*:-demo check}

die() { echo "fresh-machine: $*" >&2; exit 1; }
say() { echo "fresh-machine: $*"; }

[ "$(id -u)" = 0 ] || die "run as root (debootstrap and chroot need it)"
for r in $runs; do
	case "$r" in demo | check) ;; *) die "unknown run '$r': demo or check" ;; esac
done
if ! command -v debootstrap >/dev/null 2>&1; then
	say "installing debootstrap"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
fi
mkdir -p "$dir"

mounted=
cleanup() {
	for m in $mounted; do umount -l "$m" 2>/dev/null || true; done
	mounted=
}
trap cleanup EXIT INT TERM

make_base() {
	if [ -f "$dir/base.tar" ] && [ -n "$(find "$dir/base.tar" -mmin -1440)" ] &&
	    [ "$(cat "$dir/base.pkgs" 2>/dev/null)" = "$base_pkgs" ]; then
		say "reusing $dir/base.tar (under a day old)"
		return
	fi
	rm -rf "$dir/base" && mkdir -p "$dir/base"
	say "debootstrap --variant=minbase bookworm (+ $base_pkgs)"
	t0=$(date +%s)
	debootstrap --variant=minbase --include="$base_pkgs" bookworm "$dir/base" "$mirror" \
		>"$dir/debootstrap.log" 2>&1 || die "debootstrap failed, see $dir/debootstrap.log"
	# apt inside the chroot reads the same mirror as the host, with the security updates.
	cat >"$dir/base/etc/apt/sources.list" <<-EOF
		deb $mirror bookworm main
		deb $mirror bookworm-updates main
		deb http://deb.debian.org/debian-security bookworm-security main
	EOF
	tar -C "$dir/base" -cf "$dir/base.tar" . && rm -rf "$dir/base"
	echo "$base_pkgs" >"$dir/base.pkgs"
	say "base ready in $(($(date +%s) - t0)) s"
}

# Where the network goes through a TLS-inspecting proxy (a company's, or this workplace's), a new
# machine there is given the proxy's CA and npm's cafile by its administrator: copy the host's.
# On an open network there is nothing to copy and the root stays as debootstrap made it.
trust_host_proxy() {
	r=$1
	if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
		cp /usr/local/share/ca-certificates/*.crt "$r/usr/local/share/ca-certificates/"
		chroot "$r" update-ca-certificates >/dev/null 2>&1 || die "update-ca-certificates failed in $r"
	fi
	for f in /etc/npmrc /etc/pip.conf; do
		if [ -f "$f" ]; then cp "$f" "$r$f"; fi
	done
}

# One run: a fresh copy of the base, the checkout cloned into it, one README command.
run_one() {
	name=$1 target=$2
	root="$dir/run-$name"
	rm -rf "$root" && mkdir -p "$root"
	tar -C "$root" -xf "$dir/base.tar"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	trust_host_proxy "$root"
	git clone -q "$top" "$root/root/feedbackd"
	mount -t proc proc "$root/proc" && mounted="$root/proc $mounted"
	mount --rbind /dev "$root/dev" && mounted="$root/dev $mounted"
	mount -t sysfs sys "$root/sys" && mounted="$root/sys $mounted"
	mount -t tmpfs tmpfs "$root/tmp" && mounted="$root/tmp $mounted"
	say "$name: sh .ci/bootstrap && make $target (log: $root.log)"
	t0=$(date +%s)
	set +e
	chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
		NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
		sh -c "cd /root/feedbackd && sh .ci/bootstrap && make $target" >"$root.log" 2>&1
	rc=$?
	set -e
	secs=$(($(date +%s) - t0))
	cleanup
	tail -n 5 "$root.log" | sed "s/^/  $name| /"
	say "$name: exit $rc in $secs s"
	echo "$name $rc $secs" >>"$dir/results"
	if [ "${FRESH_KEEP:-0}" != 1 ]; then rm -rf "$root"; fi
	return 0
}

make_base
: >"$dir/results"
say "testing $(git -C "$top" rev-parse --short HEAD) ($(git -C "$top" log -1 --format=%s))"
for r in $runs; do run_one "$r" "$r"; done
say "summary:"
fail=0
while read -r name rc secs; do
	printf '  %-6s exit %s  %s s\n' "$name" "$rc" "$secs"
	[ "$rc" = 0 ] || fail=1
done <"$dir/results"
exit $fail
