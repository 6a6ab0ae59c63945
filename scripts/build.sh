#!/usr/bin/env bash
# Configures and builds one configuration: scripts/build.sh [release|asan] [cmake args...]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
config="${1:-release}"
shift || true
case "$config" in
  release) args=(-DCMAKE_BUILD_TYPE=Release) ;;
  # -O1 -g1: full sanitizer coverage with line numbers, at a fraction of the
  # compile time of -O2 -g.
  asan) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1"
              "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1" -DCLV_SANITIZE=ON -DCLV_BUILD_BENCH=OFF) ;;
  *) echo "usage: $0 [release|asan]" >&2; exit 2 ;;
esac
build="$root/build/$config"
cmake -S "$root" -B "$build" -G Ninja "${args[@]}" "$@" >/dev/null
cmake --build "$build" -j "$(nproc)"
