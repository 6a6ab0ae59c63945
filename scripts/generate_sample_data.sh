#!/usr/bin/env bash
# Regenerates the shipped sample portfolios data/<sector>/ deterministically
# (fixed seeds and sizes; sizes keep each sector under 2 MB).
# Usage: scripts/generate_sample_data.sh [path/to/clv]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
clv="${1:-$root/build/release/cli/clv}"
if [[ ! -x "$clv" ]]; then
  "$root/scripts/build.sh" release -DCLV_BUILD_TESTS=OFF -DCLV_BUILD_BENCH=OFF
fi
seed=20240101
start=2024-01-01
years=3
# sector:customers
for spec in retail:2000 hospitality:1500 healthcare:2000 travel:3000 financial:900; do
  sector="${spec%%:*}"
  customers="${spec##*:}"
  out="$root/data/$sector"
  rm -rf "$out"
  "$clv" generate --sector "$sector" --customers "$customers" --seed "$seed" \
    --start "$start" --years "$years" --out "$out"
done
