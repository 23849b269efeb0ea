# The systemd unit bounds what the daemon may take: MemoryMax= (with MemoryHigh= below it, so
# the kernel reclaims before it kills) and TasksMax=, each with a value systemd accepts.
. "$(dirname "$0")/../lib.sh"
U="$FB_TOP/systemd/feedbackd.service"
val() { sed -n "s/^$1=//p" "$U"; }
expect_grep "the unit sets MemoryMax" "^MemoryMax=[0-9]+[KMG]$" "$U"
expect_grep "and MemoryHigh" "^MemoryHigh=[0-9]+[KMG]$" "$U"
expect_grep "and TasksMax" "^TasksMax=[0-9]+$" "$U"
mib() { case $1 in *G) echo $((${1%G} * 1024));; *M) echo ${1%M};; *K) echo $((${1%K} / 1024));; esac; }
expect_eq "MemoryHigh is below MemoryMax" "$([ "$(mib "$(val MemoryHigh)")" -lt "$(mib "$(val MemoryMax)")" ] && echo yes)" yes
expect_eq "MemoryMax leaves room for one message of the default maximum (64 MiB) and more" \
    "$([ "$(mib "$(val MemoryMax)")" -ge 256 ] && echo yes)" yes
expect_eq "TasksMax leaves room for 16 SMTP sessions and the IMAP fetch thread" \
    "$([ "$(val TasksMax)" -ge 20 ] && echo yes)" yes
if command -v systemd-analyze >/dev/null 2>&1; then
	expect_ok "systemd-analyze accepts the unit" sh -c "systemd-analyze verify '$U' 2>&1 | grep -qiE 'Memory|Tasks' && exit 1 || exit 0"
fi
finish
