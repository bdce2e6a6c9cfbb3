#!/usr/bin/env bash
# install-tools.sh PACKAGE...: installs the named Debian packages if missing.
# The packaging targets need tools `make test` does not (dpkg-dev, lintian,
# debootstrap, rpm, rpmlint); they install them here, not in tests/tools.
set -euo pipefail

missing=()
for p in "$@"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
                missing+=("$p")
done
((${#missing[@]})) || exit 0
echo "install-tools: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
