# Sourced by packaging/package-test.sh and tests/tools/demo-test.sh.
# debroot_cached CACHE INCLUDE: a minbase Debian 12 root with the packages
# INCLUDE (comma-separated) in CACHE, made with debootstrap once and kept
# while INCLUDE stays the same; a broken earlier attempt is made anew.
debroot_suite=bookworm
debroot_mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

debroot_cached() {
        local cache=$1 include=$2
        if [ ! -f "$cache/.complete" ] || [ "$(cat "$cache/.complete")" != "$include" ]; then
                rm -rf "$cache" "$cache.tmp"
                debootstrap --variant=minbase --include="$include" "$debroot_suite" "$cache.tmp" "$debroot_mirror"
                echo "$include" >"$cache.tmp/.complete"
                mv "$cache.tmp" "$cache"
        fi
}
