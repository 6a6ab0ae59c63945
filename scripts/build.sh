#!/usr/bin/env bash
# Configures and builds one configuration: scripts/build.sh [release|asan|fuzz] [cmake args...]
# Options are set on every call (later arguments win), so a build directory
# configured by demo.sh without tests is switched back by test.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
config="${1:-release}"
shift || true
case "$config" in
  release) args=(-DCMAKE_BUILD_TYPE=Release -DCLV_BUILD_TESTS=ON -DCLV_BUILD_BENCH=ON) ;;
  # -O1 -g1: full sanitizer coverage with line numbers, at a fraction of the
  # compile time of -O2 -g.
  asan) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1"
              "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1" -DCLV_SANITIZE=ON -DCLV_BUILD_TESTS=ON -DCLV_BUILD_BENCH=OFF) ;;
  # libFuzzer targets (tests/fuzz) with clang, ASan and UBSan; no gtest tests.
  fuzz) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1"
              "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1" -DCMAKE_C_COMPILER=clang-14
              -DCMAKE_CXX_COMPILER=clang++-14 -DCLV_BUILD_FUZZ=ON -DCLV_BUILD_TESTS=OFF
              -DCLV_BUILD_BENCH=OFF -DCLV_BUILD_PLUGINS=OFF) ;;
  *) echo "usage: $0 [release|asan|fuzz]" >&2; exit 2 ;;
esac
build="$root/build/$config"
# ccache, when installed, lets several work trees of the project share compiled
# objects; base_dir makes its keys independent of where the tree is checked out.
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(dirname "$root")}" CCACHE_NOHASHDIR=1
  args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
cmake -S "$root" -B "$build" -G Ninja "${args[@]}" "$@" >/dev/null
if [ "$config" = fuzz ]; then
  # Only the fuzz targets and what they link (not the CLI or the service).
  cmake --build "$build" -j "$(nproc)" --target fuzz_import_csv fuzz_streaming_summary \
    fuzz_summary_csv fuzz_scenario fuzz_record_json
else
  cmake --build "$build" -j "$(nproc)"
fi
