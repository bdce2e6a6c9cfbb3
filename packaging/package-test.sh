#!/usr/bin/env bash
# package-test.sh BUILD_DIR VERSION: checks the packages `make package` and
# `make dist` made (run it through `make package-test`, as root).
#  1. lintian: no error and no warning (overrides: packaging/debian/lintian-overrides).
#  2. The .deb installed with dpkg into a clean Debian 12 root (debootstrap,
#     cached under BUILD_DIR): files and modes, conffile, the unit enabled (its
#     wants link) and never started, the binary runs; the system user and group
#     ssm-notifyd exist and the config is root:ssm-notifyd 0640; the
#     documentation is installed and every path the unit mentions exists; then
#     upgrade, remove and purge behave.
#  3. The .rpm spec: rpmspec parses it, rpmbuild makes the source rpm from the
#     dist tarball, rpmlint finds nothing beyond the findings packaging/rpm/README.md
#     explains, and a binary build with stand-ins for the Fedora macros Debian's
#     rpm lacks puts every file where %files expects it.
set -euo pipefail

build=$(cd "$1" && pwd)
version=$2
src=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=debroot.sh
. "$src/packaging/debroot.sh"
# Debian 12 with what the daemon links against, and systemd so that
# deb-systemd-helper and `systemctl is-enabled` behave as on a real host.
include=systemd,procps,ca-certificates,tzdata,libcurl4,libjson-c5,libinih1,libssl3

fail() {
        echo "package-test: FAIL: $*" >&2
        exit 1
}
step() {
        echo "== $*"
}

[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap, chroot, dpkg)"
debs=("$build"/ssm-notifyd_"$version"-*_*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "expected one .deb for $version in $build"
deb=${debs[0]}

step "lintian $(basename "$deb")"
# --fail-on makes lintian's exit status the verdict; -I shows the info tags too.
lintian -I --fail-on error,warning "$deb" || fail "lintian reports errors or warnings"
echo "overridden, with the reasons from packaging/debian/lintian-overrides:"
lintian --show-overrides "$deb" | grep '^[ON]: ' | sed 's/^/  /' || true

step "Debian $debroot_suite root"
cache="$build/debroot-$debroot_suite"
debroot_cached "$cache" "$include"
root="$build/debroot-test"
rm -rf "$root"
cp -a "$cache" "$root"
trap 'rm -rf "$root"' EXIT

# Make the maintainer scripts believe systemd runs (they test /run/systemd/system)
# and record every systemctl call they make. Runtime actions are only recorded
# (no systemd runs in the chroot; is-active answers "inactive"); unit file
# queries go to the real systemctl, offline (--root=/), so deb-systemd-helper
# and deb-systemd-invoke decide as on a host.
mkdir -p "$root/run/systemd/system"
cat >"$root/usr/local/sbin/systemctl" <<'EOF'
#!/bin/sh
echo "systemctl $*" >>/var/log/systemctl-calls
for a in "$@"; do
        case "$a" in
        is-active) exit 3 ;;
        start | stop | restart | try-restart | reload | reload-or-restart | \
                try-reload-or-restart | daemon-reload | daemon-reexec | list-units)
                exit 0 ;;
        is-enabled) exec /usr/bin/systemctl --root=/ "$@" ;;
        esac
done
exec /usr/bin/systemctl "$@"
EOF
chmod 0755 "$root/usr/local/sbin/systemctl"
cp "$deb" "$root/tmp/ssm-notifyd.deb"

in_root() {
        chroot "$root" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
                LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}
calls() {
        cat "$root/var/log/systemctl-calls" 2>/dev/null || true
}
# started: some recorded systemctl call starts the daemon unconditionally
# (try-restart only restarts a running one).
started() {
        calls | awk '{ for (i = 2; i <= NF; i++)
                        if ($i == "start" || $i == "restart" || $i == "reload-or-restart" || $i == "--now")
                                found = 1 }
                END { exit !found }'
}
# check_mode PATH MODE OWNER: the file exists with exactly this mode and owner
# (names as the root's own user database has them).
check_mode() {
        local got
        got=$(in_root stat -c '%a %U:%G' "$1" 2>/dev/null) || fail "$1 is missing"
        [ "$got" = "$2 $3" ] || fail "$1 is '$got', expected '$2 $3'"
        echo "ok: $1 $got"
}

step "dpkg -i (first install)"
in_root dpkg -i /tmp/ssm-notifyd.deb
[ "$(in_root dpkg-query -W -f='${Status}' ssm-notifyd)" = "install ok installed" ] ||
        fail "ssm-notifyd is not 'install ok installed'"

check_mode /usr/sbin/ssm-notifyd 755 root:root
check_mode /lib/systemd/system/ssm-notifyd.service 644 root:root
check_mode /etc/ssm-notifyd 755 root:root
check_mode /etc/ssm-notifyd/ssm-notifyd.conf 640 root:ssm-notifyd
check_mode /usr/share/man/man8/ssm-notifyd.8.gz 644 root:root
check_mode /usr/share/man/man5/ssm-notifyd.conf.5.gz 644 root:root
check_mode /usr/share/doc/ssm-notifyd/copyright 644 root:root
check_mode /usr/share/doc/ssm-notifyd/changelog.Debian.gz 644 root:root
check_mode /usr/share/doc/ssm-notifyd/examples/ip-allow.conf.example 644 root:root
for gz in man/man8/ssm-notifyd.8.gz man/man5/ssm-notifyd.conf.5.gz doc/ssm-notifyd/changelog.Debian.gz; do
        gzip -t "$root/usr/share/$gz" || fail "/usr/share/$gz is not valid gzip"
done
in_root dpkg-query -W -f='${Conffiles}\n' ssm-notifyd | grep -q '^ /etc/ssm-notifyd/ssm-notifyd.conf ' ||
        fail "/etc/ssm-notifyd/ssm-notifyd.conf is not registered as a conffile"
echo "ok: conffile registered"

# ---- step: the unit's user, the documentation, the unit's paths (issue 12 items 2 and 8) ----
step "system user and group ssm-notifyd (sysusers.d), documentation, the unit's paths"
check_mode /usr/lib/sysusers.d/ssm-notifyd.conf 644 root:root
user=$(in_root getent passwd ssm-notifyd) || fail "no user ssm-notifyd after install"
group=$(in_root getent group ssm-notifyd) || fail "no group ssm-notifyd after install"
IFS=: read -r _ _ uid gid _ home shell <<<"$user"
[ "$uid" -lt 1000 ] && [ "$gid" = "$(cut -d: -f3 <<<"$group")" ] ||
        fail "ssm-notifyd is not a system user in its own group: '$user' / '$group'"
[ "$shell" = /usr/sbin/nologin ] || fail "ssm-notifyd has the login shell '$shell'"
[ -z "$(cut -d: -f4 <<<"$group")" ] || fail "the group ssm-notifyd has other members: '$group'"
echo "ok: $user"
# The daemon, as the unit runs it, reads the config the operator edits: the
# unedited example is refused for its placeholders (exit 78), not for access.
rc=0
out=$(in_root setpriv --reuid=ssm-notifyd --regid=ssm-notifyd --clear-groups \
        /usr/sbin/ssm-notifyd -c /etc/ssm-notifyd/ssm-notifyd.conf --check-config 2>&1) || rc=$?
printf '%s\n' "$out" | sed 's/^/  /'
[ "$rc" -eq 78 ] && printf '%s\n' "$out" | grep -q "queue_url: still the example's placeholder" &&
        ! printf '%s\n' "$out" | grep -q 'cannot read' ||
        fail "as ssm-notifyd, --check-config of the example did not name its placeholders (exit $rc)"
echo "ok: the user ssm-notifyd reads the config; its placeholders are refused (exit 78)"
doc=/usr/share/doc/ssm-notifyd
for f in README.md aws/README.md aws/cloudformation.yaml aws/iam-policy.json aws/sqs-queue-policy.json \
        aws/eventbridge-rule-pattern.json; do
        check_mode "$doc/$f" 644 root:root
        cmp -s "$root$doc/$f" "$src/$(sed 's|^aws/|packaging/aws/|' <<<"$f")" || fail "$doc/$f differs from the source"
done
# Every path the installed unit mentions: the package's own must be installed;
# the host's directories it names (sandbox settings) and the drop-in location
# the admin creates are listed here, so a new mention has to be looked at.
unit_file=/lib/systemd/system/ssm-notifyd.service
for p in $(grep -oE '(^|[ =(`])/[A-Za-z0-9_.@/-]*[A-Za-z0-9_]' "$root$unit_file" | sed 's/^[ =(`]//' | sort -u); do
        case "$p" in
        /usr/* | /lib/* | /etc/ssm-notifyd/*)
                [ -e "$root$p" ] || fail "the unit mentions $p, which the package does not install"
                echo "ok: $p" ;;
        /etc/systemd/system/ssm-notifyd.service.d/ip-allow.conf | /dev | /etc | /home | /proc | /proc/sys | \
                /proc/sys/crypto/fips_enabled | /root | /run/user | /tmp | /var/tmp)
                echo "ok: $p (the host's, not the package's)" ;;
        *) fail "the unit mentions $p: neither installed nor a known host path" ;;
        esac
done
# ---- end of step ----

# The binary runs in a clean Debian 12: the computed dependencies are complete.
if in_root ldd /usr/sbin/ssm-notifyd | grep 'not found'; then
        fail "shared libraries missing"
fi
out=$(in_root /usr/sbin/ssm-notifyd --version)
[ "$out" = "ssm-notifyd $version" ] || fail "--version printed '$out'"
echo "ok: $out"

link=/etc/systemd/system/multi-user.target.wants/ssm-notifyd.service
[ "$(readlink "$root$link")" = /lib/systemd/system/ssm-notifyd.service ] ||
        fail "$link does not point to the unit ($(readlink "$root$link" || echo missing))"
state=$(in_root /usr/bin/systemctl --root=/ is-enabled ssm-notifyd.service || true)
[ "$state" = enabled ] || fail "systemctl is-enabled says '$state'"
echo "ok: enabled ($link)"
echo "systemctl calls:"; calls | sed 's/^/  /'
if started || calls | grep -q try-restart; then
        fail "the first install started the daemon"
fi
echo "ok: not started"

step "dpkg -i again (upgrade path): a running daemon would be restarted, a stopped one not started"
: >"$root/var/log/systemctl-calls"
in_root dpkg -i /tmp/ssm-notifyd.deb
calls | sed 's/^/  /'
calls | grep -q 'try-restart ssm-notifyd.service' || fail "upgrade does not try-restart the unit"
if started; then
        fail "upgrade starts the daemon unconditionally"
fi
[ "$(in_root /usr/bin/systemctl --root=/ is-enabled ssm-notifyd.service || true)" = enabled ] ||
        fail "upgrade lost the enablement"
echo "ok: try-restart only, still enabled"
check_mode /etc/ssm-notifyd/ssm-notifyd.conf 640 root:ssm-notifyd
in_root getent passwd ssm-notifyd >/dev/null || fail "upgrade lost the user ssm-notifyd"

step "admin disables it; an upgrade keeps it disabled"
in_root /usr/bin/systemctl --root=/ disable ssm-notifyd.service
in_root dpkg -i /tmp/ssm-notifyd.deb
state=$(in_root /usr/bin/systemctl --root=/ is-enabled ssm-notifyd.service || true)
[ "$state" = disabled ] || fail "after an upgrade the disabled unit is '$state'"
in_root /usr/bin/systemctl --root=/ enable ssm-notifyd.service
echo "ok: stays disabled"

step "dpkg -r: stopped, config kept"
: >"$root/var/log/systemctl-calls"
in_root dpkg -r ssm-notifyd
calls | grep -q 'stop ssm-notifyd.service' || fail "removal does not stop the daemon"
[ ! -e "$root/usr/sbin/ssm-notifyd" ] || fail "binary left after removal"
check_mode /etc/ssm-notifyd/ssm-notifyd.conf 640 root:ssm-notifyd

step "dpkg -P: config and enablement gone"
in_root dpkg -P ssm-notifyd
for p in /etc/ssm-notifyd /etc/systemd/system/ssm-notifyd.service "$link"; do
        [ ! -e "$root$p" ] && [ ! -L "$root$p" ] || fail "$p left after purge"
done
# Debian policy 9.2.2: a system user is not removed, its ID may own files.
in_root getent passwd ssm-notifyd >/dev/null || fail "purge removed the user ssm-notifyd"
echo "ok: purged clean (the user ssm-notifyd stays, as policy asks)"

step "rpm: spec and source rpm"
spec="$src/packaging/rpm/ssm-notifyd.spec"
tarball="$build/ssm-notifyd-$version.tar.gz"
[ -f "$tarball" ] || fail "$tarball missing (make dist)"
spec_version=$(rpmspec -q --qf '%{VERSION}\n' "$spec" | head -n1)
[ "$spec_version" = "$version" ] || fail "spec Version $spec_version, project $version"
rpmspec -P "$spec" >/dev/null
top="$build/rpmbuild"
rm -rf "$top"
rpmbuild -bs --define "_topdir $top" --define "_sourcedir $build" "$spec"
srpm=("$top"/SRPMS/ssm-notifyd-"$version"-*.src.rpm)
[ -f "${srpm[0]}" ] || fail "no source rpm"

# rpmlint: every finding must be one packaging/rpm/README.md explains (the
# lines of its "rpmlint findings" list are `name: tag`).
accepted=$(sed -n 's/^- `\(ssm-notifyd[^`]*\)`.*/\1/p' "$src/packaging/rpm/README.md")
lint=$(rpmlint "$spec" "${srpm[0]}" 2>&1 || true)
printf '%s\n' "$lint"
unexplained=$(printf '%s\n' "$lint" | sed -n 's/^\(ssm-notifyd[^:]*\): [EW]: \([^ ]*\).*/\1: \2/p' |
        sort -u | grep -vxF "$accepted" || true)
[ -z "$unexplained" ] || fail "rpmlint findings not explained in packaging/rpm/README.md: $unexplained"
echo "ok: rpmlint findings all explained"

step "rpm: binary build with stand-in macros"
# Debian's rpm has neither Fedora's %cmake nor systemd-rpm-macros. The stand-ins
# configure like %cmake does (prefix, build dir) and leave the systemd
# scriptlets empty: this checks %prep, %build, %install, %check and %files, not
# the scriptlets. BuildRequires name Fedora packages: --nodeps.
rpmbuild -bb --nodeps --define "_topdir $top" --define "_sourcedir $build" \
        --define '_unitdir /usr/lib/systemd/system' --define '_sysusersdir /usr/lib/sysusers.d' \
        --define '__cmake_builddir redhat-linux-build' \
        --define 'cmake cmake -S . -B %{__cmake_builddir} -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX:PATH=%{_prefix}' \
        --define 'cmake_build cmake --build %{__cmake_builddir} -j2' \
        --define 'cmake_install DESTDIR=%{buildroot} cmake --install %{__cmake_builddir}' \
        --define 'systemd_post() :' --define 'systemd_preun() :' \
        --define 'systemd_postun_with_restart() :' \
        "$spec" >"$top/bb.log" 2>&1 || { tail -n 30 "$top/bb.log" >&2; fail "rpmbuild -bb"; }
rpm=("$top"/RPMS/*/ssm-notifyd-"$version"-*.rpm)
modes=$(rpm -qp --qf '[%{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILENAMES}\n]' "${rpm[0]}")
printf '%s\n' "$modes" | sed 's/^/  /'
printf '%s\n' "$modes" | grep -qx -- '-rw-r----- root:ssm-notifyd /etc/ssm-notifyd/ssm-notifyd.conf' ||
        fail "the rpm's config is not 0640 root:ssm-notifyd"
for f in /usr/lib/sysusers.d/ssm-notifyd.conf /usr/share/doc/ssm-notifyd/README.md \
        /usr/share/doc/ssm-notifyd/aws/README.md /usr/share/doc/ssm-notifyd/aws/cloudformation.yaml \
        /usr/share/doc/ssm-notifyd/aws/iam-policy.json; do
        printf '%s\n' "$modes" | grep -q " $f\$" || fail "the rpm lacks $f"
done
# %pre repeats the sysusers.d line (it runs before the files are on disk).
rpm -qp --scripts "${rpm[0]}" | grep -qF "$(grep '^u ' "$src/systemd/sysusers.d/ssm-notifyd.conf")" ||
        fail "the rpm's %pre does not create the user of systemd/sysusers.d/ssm-notifyd.conf"
rpm -qp --configfiles "${rpm[0]}" | grep -qx /etc/ssm-notifyd/ssm-notifyd.conf ||
        fail "the rpm's config is not %config"
echo "ok: rpm layout"

echo "package-test: all checks passed"
