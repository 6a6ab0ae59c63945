#!/usr/bin/env bash
# Installs the Debian packages clv-engine builds with. Idempotent: installs
# only what is missing; uses sudo when not run as root.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  ccache  # scripts/build.sh uses it: a second configuration or a re-run reuses objects
  libsqlitecpp-dev libsqlite3-dev sqlite3
  libeigen3-dev liblbfgspp-dev
  libboost-dev libboost-filesystem-dev
  libfmt-dev libcli11-dev nlohmann-json3-dev libtomlplusplus-dev libcpp-httplib-dev libsimdjson-dev
  libssl-dev
  libpq-dev postgresql-15
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 wrk
  clang-format
  clang-14 libclang-rt-14-dev  # libFuzzer targets (scripts/build.sh fuzz)
  chromium fonts-liberation
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "bootstrap: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "bootstrap: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
