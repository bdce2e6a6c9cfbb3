#!/usr/bin/env bash
# Installs what building and testing ssm-notifyd needs on Debian 12, as root.
# Idempotent: when everything is present it only checks, in well under a second.
set -euo pipefail

packages=(
  gcc clang cmake ninja-build pkg-config make
  libcurl4-openssl-dev libssl-dev libjson-c-dev libsystemd-dev libinih-dev
  libcmocka-dev tzdata
  systemd
  valgrind cppcheck
  # clang-14's sanitizer and libFuzzer runtimes: clang only recommends them
  libclang-rt-14-dev
)

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
if ! command -v moto_server >/dev/null 2>&1; then
  echo "install-deps: installing moto[server] with pip"
  python3 -m pip install --quiet 'moto[server]'
fi
python3 -c 'import boto3' 2>/dev/null || python3 -m pip install --quiet boto3
# PyYAML and cfn-lint: tests/integration/test_aws_side.py reads and lints the CloudFormation
# template. pip, not apt: the tests run with this python3, which apt's python3-yaml does not reach.
python3 -c 'import yaml' 2>/dev/null || python3 -m pip install --quiet PyYAML
python3 -c 'import cfnlint' 2>/dev/null || python3 -m pip install --quiet cfn-lint
