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

# The libFuzzer targets (tests/fuzz, docs/fuzzing.md): a clang build of the
# engine plus 20 s per target. Opt-in (CLV_TEST_FUZZ=1) because the extra
# clang build costs more than the CI budget leaves on two cores.
if [ "${CLV_TEST_FUZZ:-0}" = 1 ]; then
  echo "== fuzz: build"
  "$root/scripts/build.sh" fuzz
  echo "== fuzz: run"
  (cd "$root/build/fuzz" && ctest --output-on-failure -L fuzz --timeout 120)
fi
