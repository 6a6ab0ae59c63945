#!/usr/bin/env bash
# Installs what is missing, builds both configurations (release, and
# AddressSanitizer + UndefinedBehaviorSanitizer) and runs every test with ctest;
# CLV_TEST_ODR=1 adds the ODR check to the release run and CLV_TEST_FUZZ=1 a
# bounded libFuzzer run of every fuzz target after the sanitizer run. Both are
# off by default: cold, they add ~14 and ~25 minutes on a two-core machine,
# beyond CI's 30-minute budget (docs/fuzzing.md); the gcc builds replay every
# fuzz corpus in ctest either way.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/bootstrap.sh"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

for config in release asan; do
  extra=()
  # CLV_TEST_ODR=1: the release configuration also runs the ODR check
  # (cmake/ClvOdrCheck.cmake, ctest label odr): libclv's sources compiled with
  # -flto and linked with -Wodr -Werror=odr, so a type defined twice differently fails.
  if [ "$config" = release ] && [ "${CLV_TEST_ODR:-0}" = 1 ]; then extra=(-DCLV_ODR_CHECK=ON); fi
  echo "== $config: build"
  "$root/scripts/build.sh" "$config" "${extra[@]}"
  echo "== $config: test"
  (cd "$root/build/$config" && ctest --output-on-failure -j "$(nproc)" --timeout 600)
  if [ "$config" = asan ]; then
    # The sanitizer stage's coverage-guided part: the libFuzzer targets
    # (tests/fuzz, docs/fuzzing.md), a clang-14 build with ASan + UBSan, each
    # run for CLV_FUZZ_SECONDS (20 s) on a corpus seeded from the project's
    # files. Opt-in: CLV_TEST_FUZZ=1.
    if [ "${CLV_TEST_FUZZ:-0}" = 1 ]; then
      echo "== asan: fuzz build (clang-14)"
      "$root/scripts/build.sh" fuzz
      echo "== asan: fuzz run"
      (cd "$root/build/fuzz" && ctest --output-on-failure -L '^fuzz$' --timeout 180)
    fi
  fi
done
