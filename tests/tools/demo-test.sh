#!/usr/bin/env bash
# demo-test.sh BUILD_DIR: the README's quick start on a fresh Debian 12, as root
# (run it through `make demo-test`; not part of `make test`).
#
# A minimal Debian 12 root from the Debian mirror (debootstrap, cached under
# BUILD_DIR) with make and nothing else, the committed source tree (git archive
# of HEAD) copied in, and `make demo` run in it as root: everything it needs
# comes from Debian's packages and npm's registry; Debian's python3 is never
# given to pip (PEP 668), and where PyPI cannot be reached the demo runs on
# fauxqs and says so. Passes when the four notifications reached the subscriber
# and the peer was named. apt's downloads are kept under BUILD_DIR between runs.
set -euo pipefail

build=$(cd "$1" && pwd)
src=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../../packaging/debroot.sh
. "$src/packaging/debroot.sh"
# make: the quick start's one prerequisite besides the source tree.
include="make"

fail() {
        echo "demo-test: FAIL: $*" >&2
        exit 1
}
step() {
        echo "== $*"
}

[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap, chroot, mount)"
start=$(date +%s)

step "Debian $debroot_suite root (minbase + $include)"
cache="$build/debroot-$debroot_suite-demo"
debroot_cached "$cache" "$include"
root="$build/demo-root"
archives="$build/demo-apt-archives"
mounts=(proc sys dev dev/pts var/cache/apt/archives)
# Unmounts (innermost first) before removing the root; never removes through a
# mount that stayed (the host's /dev is one).
cleanup() {
        local i m
        for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
                m="$root/${mounts[i]}"
                ! mountpoint -q "$m" || umount "$m" || umount -l "$m" || true
        done
        for m in "${mounts[@]}"; do
                if mountpoint -q "$root/$m"; then
                        echo "demo-test: $root/$m is still mounted: $root left in place" >&2
                        return 1
                fi
        done
        rm -rf --one-file-system "$root"
}
cleanup
trap cleanup EXIT
cp -a "$cache" "$root"
# The host's network, as a machine on it has it: its resolver and, where its
# egress inspects TLS, the CA that node must trust (NODE_EXTRA_CA_CERTS; npm's
# registry is reached over https). Nothing else of the host's goes in.
cp /etc/resolv.conf "$root/etc/resolv.conf"
extra_ca=()
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r "$NODE_EXTRA_CA_CERTS" ]; then
        cp "$NODE_EXTRA_CA_CERTS" "$root/etc/ssl-host-network-ca.crt"
        extra_ca=(NODE_EXTRA_CA_CERTS=/etc/ssl-host-network-ca.crt)
fi
mkdir -p "$archives/partial" "$root/var/cache/apt/archives"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount --bind "$archives" "$root/var/cache/apt/archives"

step "source tree: git archive of HEAD ($(git -C "$src" rev-parse --short HEAD))"
[ -z "$(git -C "$src" status --porcelain --untracked-files=no)" ] ||
        echo "demo-test: note: uncommitted changes in $src are not part of the test"
mkdir -p "$root/root/ssm-notifyd"
git -C "$src" archive HEAD | tar -x -C "$root/root/ssm-notifyd"

# make_demo LOG: `make demo` as root in the root, a clean environment but the CA above.
make_demo() {
        local status=0
        chroot "$root" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
                TERM=dumb LC_ALL=C.UTF-8 "${extra_ca[@]}" sh -c 'cd /root/ssm-notifyd && make demo JOBS=2' 2>&1 |
                tee "$1" || status=$?
        [ "$status" -eq 0 ] || fail "make demo exited with $status (log: $1)"
}

step "make demo, as root, in the Debian $debroot_suite root"
log="$build/demo-test.log"
make_demo "$log"

step "checks"
# The peer is named: moto where pip could reach PyPI, else fauxqs with its caveat.
if grep -q '^demo: moto_server on http://127\.0\.0\.1:' "$log"; then
        echo "ok: peer moto_server (from the venv)"
        [ -x "$root/root/ssm-notifyd/build/venv/bin/moto_server" ] || fail "moto_server not from build/venv"
else
        grep -q '^demo: .*the peer is fauxqs 2\.4\.1 from npm on http://127\.0\.0\.1:[0-9]*\. fauxqs does NOT check signatures' \
                "$log" || fail "the demo does not say which peer it used"
        echo "ok: peer fauxqs, its missing signature check stated"
fi
# The four notifications of the five records, the DescribeInstanceInformation
# filtered out: subjects as README.md shows them.
subjects=$(grep '^Subject: ' "$log" || true)
printf '%s\n' "$subjects" | sed 's/^/  /'
[ "$(printf '%s\n' "$subjects" | grep -c .)" -eq 4 ] || fail "expected 4 notifications"
printf '%s\n' "$subjects" | grep -qxF 'Subject: [SSM] DENIED StartSession christophe -> i-eA1d1296c1dE3Aa1f (AccessDenied)' ||
        fail "no DENIED StartSession"
[ "$(printf '%s\n' "$subjects" | grep -c '^Subject: \[SSM\] StartSession ')" -eq 2 ] || fail "expected 2 StartSession"
[ "$(printf '%s\n' "$subjects" | grep -c '^Subject: \[SSM\] TerminateSession ')" -eq 1 ] || fail "expected 1 TerminateSession"
grep -q 'exited with 0 on SIGTERM; 4 notifications reached the subscriber' "$log" ||
        fail "the daemon did not exit 0 after relaying 4 notifications"
grep -q '日時                 : 2024-08-01 21:19:17 JST (UTC+09:00, Asia/Tokyo)' "$log" ||
        fail "the denied attempt is not shown in Asia/Tokyo time"
grep -q '継続時間             : 17 分' "$log" ||
        fail "the TerminateSession does not show its session's duration"
echo "ok: 4 notifications, daemon exited 0"
# Nothing went into the system's python: pip was only ever given the venv.
leftovers=$(find "$root/usr/local/lib" -path '*python3*' -name '*.dist-info' 2>/dev/null || true)
[ -z "$leftovers" ] || fail "pip installed into the system: $leftovers"
[ -f "$root/usr/lib/python3.11/EXTERNALLY-MANAGED" ] || fail "the root's python3 is not PEP 668 managed"
echo "ok: system python untouched (PEP 668 marker present, nothing under /usr/local)"

step "make demo again: everything is in place"
again=$(date +%s)
make_demo "$build/demo-test-again.log" >/dev/null
grep -q 'exited with 0 on SIGTERM; 4 notifications reached the subscriber' "$build/demo-test-again.log" ||
        fail "the second make demo did not relay the 4 notifications"
echo "ok: again in $(($(date +%s) - again)) s"

echo "demo-test: passed in $(($(date +%s) - start)) s"
