#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time over a corpus seeded from the
# project's own test and sample files.
#   tests/fuzz/run_fuzz.sh TARGET BINARY SECONDS|replay [options...]
# ctest runs each target briefly; for a long run (docs/fuzzing.md):
#   tests/fuzz/run_fuzz.sh fuzz_import_csv build/fuzz/tests/fuzz/fuzz_import_csv 3600 -jobs=2
set -euo pipefail
target=$1 bin=$2 seconds=$3
shift 3
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
shared="${CLV_SHARED_DATA_DIR:-$root/../shared/data}"
out="$(cd "$(dirname "$bin")" && pwd)"
bin="$out/$(basename "$bin")"
corpus="$out/corpus/$target" seeds="$out/seeds/$target"
mkdir -p "$corpus" "$seeds"

# seed NAME SELECTOR FILE: the first lines of FILE, after a selector byte
# (the targets that take one read the first byte as a mode).
seed() {
  local name=$1 selector=$2 file=$3
  [ -f "$file" ] || return 0
  { [ -n "$selector" ] && printf "\\x$selector"; head -n 40 "$file"; } >"$seeds/$name"
}
case "$target" in
  fuzz_import_csv)
    for sector in retail hospitality travel; do
      seed "$sector-transactions" 00 "$root/data/$sector/transactions.csv"
      seed "$sector-customers" 01 "$root/data/$sector/customers.csv"
      seed "$sector-incidents" 02 "$root/data/$sector/incidents.csv"
      seed "$sector-employees" 03 "$root/data/$sector/employees.csv"
    done
    seed cdnow 00 "$shared/cdnow/clvtools_cdnow.csv"
    ;;
  fuzz_streaming_summary)
    for sector in retail financial healthcare; do
      seed "$sector" "" "$root/data/$sector/transactions.csv"
    done
    seed apparel "" "$shared/apparel/apparelTrans.csv"
    seed cdnow "" "$shared/cdnow/clvtools_cdnow.csv"
    ;;
  fuzz_summary_csv)
    seed lifetimes "" "$shared/cdnow/cdnow_customers_summary.csv"
    seed fader_hardie "" "$shared/cdnow/cdnow_customers_summary_with_transactions.csv"
    seed bgbb "" "$shared/donations/donations.csv"
    ;;
  fuzz_scenario)
    for file in "$root"/data/*/*scenarios.toml; do
      seed "$(basename "$(dirname "$file")")-$(basename "$file")" 00 "$file"
    done
    seed scenario-json 01 "$here/seeds/scenario.json"
    ;;
  fuzz_record_json)
    seed transactions "" "$here/seeds/transactions.json"
    seed incidents "" "$here/seeds/incidents.json"
    seed customers "" "$here/seeds/customers.json"
    seed employees "" "$here/seeds/employees.json"
    seed churn-fit "" "$here/seeds/churn_fit.json"
    seed service "" "$here/seeds/service.json"
    ;;
  *) echo "unknown fuzz target $target" >&2; exit 2 ;;
esac

cd "$out"
# SECONDS=replay: the seeds and their fixed mutations through replay_main.cpp
# (the non-libFuzzer builds' ctest).
if [ "$seconds" = replay ]; then
  shopt -s nullglob
  files=("$seeds"/*)
  [ ${#files[@]} -gt 0 ] || { echo "no seeds for $target" >&2; exit 1; }
  exec "$bin" "$@" "${files[@]}"
fi
exec "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
  -print_final_stats=1 -artifact_prefix="$out/crash-$target-" "$@" "$corpus" "$seeds"
