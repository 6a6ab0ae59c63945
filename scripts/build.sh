#!/usr/bin/env bash
# Configures and builds one configuration: scripts/build.sh [release|asan] [cmake args...]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
config="${1:-release}"
shift || true
case "$config" in
  release) args=(-DCMAKE_BUILD_TYPE=Release) ;;
  asan) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLV_SANITIZE=ON -DCLV_BUILD_BENCH=OFF) ;;
  *) echo "usage: $0 [release|asan]" >&2; exit 2 ;;
esac
build="$root/build/$config"
cmake -S "$root" -B "$build" -G Ninja "${args[@]}" "$@" >/dev/null
cmake --build "$build" -j "$(nproc)"
