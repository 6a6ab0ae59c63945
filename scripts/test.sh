#!/usr/bin/env bash
# Installs what is missing, builds both configurations (release, and
# AddressSanitizer + UndefinedBehaviorSanitizer) and runs every test with ctest.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/bootstrap.sh"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

for config in release asan; do
  echo "== $config: build"
  "$root/scripts/build.sh" "$config"
  echo "== $config: test"
  (cd "$root/build/$config" && ctest --output-on-failure -j "$(nproc)" --timeout 600)
done
