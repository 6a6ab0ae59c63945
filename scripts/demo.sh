#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job end to end on data
# the project ships or generates, into an embedded SQLite database.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/bootstrap.sh"
"$root/scripts/build.sh" release -DCLV_BUILD_TESTS=OFF -DCLV_BUILD_BENCH=OFF
clv="$root/build/release/cli/clv"
out="$root/out/demo"
rm -rf "$out" && mkdir -p "$out"
export CLV_DB="$out/clv.db"

echo "== clv $($clv --version)"
