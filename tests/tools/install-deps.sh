#!/usr/bin/env bash
# install-deps.sh [BUILD_DIR]: installs what building and testing ssm-notifyd
# needs on Debian 12, as root. Idempotent: when everything is present it only
# checks, in well under a second.
#
# Python: where moto_server is on PATH (a Python the developer manages, as
# pyenv's on CI), that Python is completed with pip as it is. Elsewhere the
# system python3 is left alone (Debian's refuses pip, PEP 668): boto3 and PyYAML
# come from Debian, and moto and cfn-lint, which Debian 12 lacks, are installed
# from PyPI into the virtual environment BUILD_DIR/venv (default build/venv),
# which the tests and `make demo` then run with. Where PyPI cannot be reached
# that venv has no moto: `make demo` falls back to fauxqs from npm, and the
# integration tests cannot run.
set -euo pipefail

venv=${1:-build}/venv

packages=(
  gcc clang cmake ninja-build pkg-config make
  libcurl4-openssl-dev libssl-dev libjson-c-dev libsystemd-dev libinih-dev
  libcmocka-dev tzdata
  systemd
  valgrind cppcheck
  # clang-14's sanitizer and libFuzzer runtimes: clang only recommends them
  libclang-rt-14-dev
)
# npm installs fauxqs and node 22 (make bench-peer: the soak test, the benchmarks,
# the demo without moto). A node that ships its own npm counts.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
# python: "path" (moto_server on PATH), "venv" (the venv has all it needs) or
# "make-venv" (the venv is to be made or completed).
if command -v moto_server >/dev/null 2>&1; then
  python=path
elif [ -x "$venv/bin/moto_server" ] && "$venv/bin/python3" -c 'import boto3, yaml, cfnlint' 2>/dev/null; then
  python=venv
else
  python=make-venv
  packages+=(python3-venv python3-boto3 python3-yaml)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# moto_server is the AWS emulator of the integration tests (DESIGN.md, "Test peers").
case $python in
path)
  python3 -c 'import boto3' 2>/dev/null || python3 -m pip install --quiet boto3
  # PyYAML and cfn-lint: tests/integration/test_aws_side.py reads and lints the CloudFormation
  # template. pip, not apt: the tests run with this python3, which apt's python3-yaml does not reach.
  python3 -c 'import yaml' 2>/dev/null || python3 -m pip install --quiet PyYAML
  python3 -c 'import cfnlint' 2>/dev/null || python3 -m pip install --quiet cfn-lint
  ;;
make-venv)
  # --system-site-packages: boto3 and PyYAML are Debian's.
  [ -x "$venv/bin/python3" ] || /usr/bin/python3 -m venv --system-site-packages "$venv"
  echo "install-deps: installing moto[server] and cfn-lint from PyPI into $venv"
  if ! "$venv/bin/python3" -m pip install --quiet --retries 0 --timeout 30 'moto[server]' cfn-lint \
      >"$venv/pip.log" 2>&1; then
    echo "install-deps: pip could not install them (PyPI unreachable? see $venv/pip.log): without" \
      "moto_server, make demo runs on fauxqs from npm and the integration tests cannot run"
  fi
  ;;
esac
