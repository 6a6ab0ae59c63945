#!/usr/bin/env bash
# Builds the release configuration and runs every benchmark, writing the raw
# output to build/release/bench-results/. Figures in BENCHMARKS.md come from
# these runs. Usage: bench/run_benchmarks.sh [--quick]
#   --quick  smaller inputs (seconds instead of minutes), for checking that the
#            benchmarks still run; the published figures use the full sizes.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
quick=0
[ "${1:-}" = "--quick" ] && quick=1
"$root/scripts/bootstrap.sh"
"$root/scripts/build.sh" release -DCLV_BUILD_BENCH=ON
out="$root/build/release/bench-results"
mkdir -p "$out"
export CLV_BENCH_QUICK=$quick
{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "cores: $(nproc)  memory: $(free -g | awk '/Mem:/{print $2}') GiB"
  echo "compiler: $(c++ --version | head -1)"
} | tee "$out/machine.txt"
for b in "$root"/build/release/bench/bench_*; do
  [ -x "$b" ] || continue
  name=$(basename "$b")
  echo "== $name"
  "$b" 2>&1 | tee "$out/$name.txt"
done
echo "results in $out"
