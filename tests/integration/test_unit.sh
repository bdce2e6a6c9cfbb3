#!/usr/bin/env bash
# Checks systemd/ssm-notifyd.service with systemd's own tools:
#  - `systemd-analyze security --offline=yes` rates it at most MAX_EXPOSURE, and
#    prints no warning (an unknown or misspelt setting is warned about there);
#  - with the example IP allow-list drop-in applied, the drop-in parses and
#    lowers the IPAddressDeny= exposure;
#  - it reads the config in place as the sysusers.d user (no LoadCredential=);
#  - `systemd-analyze verify` prints nothing.
# verify insists that ExecStart='s binary exists, and /usr/sbin/ssm-notifyd is
# not installed on a build machine; so it checks a copy of the unit whose
# ExecStart= line alone is rewritten to the binary just built ($SSMN_BINARY).
# Man page references are not checked (--man=no): the pages are not installed
# here; the package test checks that the .deb ships them.
# Without systemd-analyze this test fails: it must not pass by checking nothing.
set -euo pipefail

MAX_EXPOSURE=1.5

fail() {
        echo "FAIL: $*" >&2
        exit 1
}

command -v systemd-analyze >/dev/null 2>&1 ||
        fail "systemd-analyze not found (Debian: apt-get install systemd); cannot check the unit"

src=$(cd "${BASH_SOURCE[0]%/*}/../.." && pwd)
unit="$src/systemd/ssm-notifyd.service"
dropin="$src/systemd/ssm-notifyd.service.d/ip-allow.conf.example"
export SYSTEMD_COLORS=0 SYSTEMD_PAGER=cat LC_ALL=C.UTF-8
[ -n "${SSMN_BINARY:-}" ] && [ -x "$SSMN_BINARY" ] ||
        fail "SSMN_BINARY must name the built ssm-notifyd (got '${SSMN_BINARY:-}')"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# exposure FILE: the overall exposure printed by `systemd-analyze security`.
exposure() {
        sed -n 's/.*Overall exposure level for [^:]*: \([0-9][0-9]*\.[0-9]\).*/\1/p' "$1"
}

# 1. The unit as shipped.
rc=0
systemd-analyze security --offline=yes "$unit" >"$tmp/sec.out" 2>"$tmp/sec.err" || rc=$?
cat "$tmp/sec.out"
[ "$rc" -eq 0 ] || { cat "$tmp/sec.err" >&2; fail "systemd-analyze security exited $rc"; }
[ ! -s "$tmp/sec.err" ] || { cat "$tmp/sec.err" >&2; fail "systemd-analyze security warned"; }
base=$(exposure "$tmp/sec.out")
[ -n "$base" ] || fail "no 'Overall exposure level' line in the output"
awk -v e="$base" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(e <= m) }' ||
        fail "exposure $base is above $MAX_EXPOSURE"
echo "ok: exposure $base <= $MAX_EXPOSURE"

# 2. The unit with the example drop-in, laid out as an administrator installs it.
root="$tmp/root"
mkdir -p "$root/etc/systemd/system/ssm-notifyd.service.d"
cp "$unit" "$root/etc/systemd/system/ssm-notifyd.service"
cp "$dropin" "$root/etc/systemd/system/ssm-notifyd.service.d/ip-allow.conf"
rc=0
systemd-analyze security --offline=yes --root="$root" ssm-notifyd.service \
        >"$tmp/secd.out" 2>"$tmp/secd.err" || rc=$?
[ "$rc" -eq 0 ] || { cat "$tmp/secd.err" >&2; fail "security with the drop-in exited $rc"; }
[ ! -s "$tmp/secd.err" ] || { cat "$tmp/secd.err" >&2; fail "the drop-in draws warnings"; }
grep -q 'IPAddressDeny=.*defines IP address allow list' "$tmp/secd.out" ||
        { grep 'IPAddressDeny=' "$tmp/secd.out" >&2 || true; fail "the drop-in's IP allow list is not in effect"; }
with=$(exposure "$tmp/secd.out")
[ -n "$with" ] || fail "no 'Overall exposure level' line with the drop-in"
awk -v w="$with" -v b="$base" 'BEGIN { exit !(w < b) }' ||
        fail "the drop-in does not lower the exposure ($with, without it $base)"
echo "ok: with the IP allow-list drop-in, exposure $with"

# 3. A reload must read the file the operator edited: the daemon is given that
# file itself, not a LoadCredential= copy (systemd 252 does not refresh those on
# reload), and runs as the sysusers.d user the file's group lets read it.
exec_start='ExecStart=/usr/sbin/ssm-notifyd -c /etc/ssm-notifyd/ssm-notifyd.conf'
[ "$(grep -c '^ExecStart=' "$unit")" -eq 1 ] && grep -qxF "$exec_start" "$unit" ||
        fail "the unit must have exactly one line '$exec_start'"
! grep -Eq '^(LoadCredential|LoadCredentialEncrypted|SetCredential|DynamicUser)=' "$unit" ||
        fail "the unit hands the config over as a credential or runs as a dynamic user"
grep -qx 'User=ssm-notifyd' "$unit" && grep -qx 'Group=ssm-notifyd' "$unit" ||
        fail "the unit must run as User=ssm-notifyd, Group=ssm-notifyd"
grep -qx 'u ssm-notifyd - "ssm-notifyd daemon" - -' "$src/systemd/sysusers.d/ssm-notifyd.conf" ||
        fail "systemd/sysusers.d/ssm-notifyd.conf does not create the user ssm-notifyd"
echo "ok: reads /etc/ssm-notifyd/ssm-notifyd.conf in place as ssm-notifyd"

# 4. verify, on a copy whose only change is the ExecStart= binary.
mkdir "$tmp/verify"
sed "s|^ExecStart=/usr/sbin/ssm-notifyd |ExecStart=\"$SSMN_BINARY\" |" "$unit" \
        >"$tmp/verify/ssm-notifyd.service"
[ "$(diff "$unit" "$tmp/verify/ssm-notifyd.service" | grep -c '^>')" -eq 1 ] ||
        fail "rewriting ExecStart= changed more than one line"
rc=0
out=$(systemd-analyze verify --man=no "$tmp/verify/ssm-notifyd.service" 2>&1) || rc=$?
[ -z "$out" ] || { printf '%s\n' "$out" >&2; fail "systemd-analyze verify printed the above"; }
[ "$rc" -eq 0 ] || fail "systemd-analyze verify exited $rc"
echo "ok: systemd-analyze verify is silent"
