# The systemd unit is hardened to an exposure of at most 2.0 ("OK") by systemd-analyze's own
# measure, and `make install` puts binaries, unit, sysusers file, templates, example
# configuration and every man page where they belong, with the unit pointing at the binary.
. "$(dirname "$0")/../lib.sh"
unit="$FB_TOP/systemd/feedbackd.service"
# systemd-analyze comes with Debian's systemd package, which `make deps` installs: a machine without
# it fails here rather than skipping the unit's only real check.
expect_ok "systemd-analyze is installed (make deps)" command -v systemd-analyze
if command -v systemd-analyze >/dev/null 2>&1; then
	systemd-analyze security --offline=true "$unit" >"$T/sec" 2>&1
	level=$(sed -n 's/.*Overall exposure level for feedbackd.service: \([0-9.]*\) \([A-Z]*\).*/\1 \2/p' "$T/sec")
	expect_grep "systemd-analyze rates the unit" "Overall exposure level" "$T/sec"
	expect_eq "its verdict is OK" "${level#* }" OK
	expect_eq "the exposure is at most 2.0 (it is ${level% *})" \
	    "$(echo "${level% *}" | awk '{ print ($1 <= 2.0) ? "yes" : "no" }')" yes
	for d in "Type=notify" "WatchdogSec=" "ExecReload=/bin/kill -HUP \$MAINPID" "User=feedbackd" \
	    "StateDirectory=feedbackd" "ConfigurationDirectory=feedbackd" "ProtectSystem=strict" \
	    "SystemCallFilter=@system-service" "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX"; do
		expect_grep "the unit has $d" "^$(printf '%s' "$d" | sed 's/[$]/[$]/g')" "$unit"
	done
fi

inst() { make -s -C "$FB_TOP" -o all install BUILD="$BUILD" DESTDIR="$1" PREFIX="$2"; }
expect_ok "make install DESTDIR=… PREFIX=/usr" inst "$T/x" /usr
for f in usr/bin/feedbackd usr/bin/feedbackctl lib/systemd/system/feedbackd.service \
    usr/lib/sysusers.d/feedbackd.conf etc/feedbackd/feedbackd.conf.example \
    usr/share/feedbackd/mail-templates/README.md usr/share/man/man8/feedbackd.8 \
    usr/share/man/man1/feedbackctl.1 usr/share/man/man5/feedbackd.conf.5; do
	expect_eq "installed: /$f" "$(test -f "$T/x/$f" && echo yes)" yes
done
expect_eq "the binaries are executable" "$(test -x "$T/x/usr/bin/feedbackd" && test -x "$T/x/usr/bin/feedbackctl" && echo yes)" yes
expect_grep "the installed unit starts the installed daemon" "^ExecStart=/usr/bin/feedbackd -c /etc/feedbackd/feedbackd.conf" "$T/x/lib/systemd/system/feedbackd.service"
expect_eq "the unit is not executable or writable by others" "$(stat -c %a "$T/x/lib/systemd/system/feedbackd.service")" 644
expect_ok "make install PREFIX=/usr/local" inst "$T/y" /usr/local
expect_grep "then the unit points into /usr/local" "^ExecStart=/usr/local/bin/feedbackd " "$T/y/lib/systemd/system/feedbackd.service"
finish
