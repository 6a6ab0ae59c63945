#!/usr/bin/env bash
# Load test of `clv serve` with wrk on one machine (docs/embedding.md):
#   1. seeds CUSTOMERS simulated BG/NBD customers and refits;
#   2. scoring alone: wrk GET /v1/customers/<id>/scores;
#   3. ingest alone: wrk POST /v1/transactions with BATCH records per request;
#   4. both at once, the CRM case: scores in the request path while feeds ingest.
# Usage: bench/http_load.sh [path/to/clv]   (env: DURATION, CUSTOMERS, BATCH,
#        SCORE_CONNECTIONS, MIXED_SCORE_RATE, INGEST_CONNECTIONS, PORT, INGEST_NICE). Needs wrk (Debian package `wrk`).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
clv="${1:-$root/build/release/cli/clv}"
duration="${DURATION:-10}"
export CUSTOMERS="${CUSTOMERS:-50000}" BATCH="${BATCH:-5000}"
connections="${SCORE_CONNECTIONS:-32}"
# The mixed run paces scoring at the target (20,000 requests/s) plus a margin,
# so that the ingest figure is the one at the scoring target, not at whatever
# rate the scoring client alone could push. MIXED_SCORE_RATE=0: unpaced.
mixed_rate="${MIXED_SCORE_RATE:-21000}"
ingest_connections="${INGEST_CONNECTIONS:-2}"
port="${PORT:-18080}"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 2; }

"$clv" serve --db "$work/load.db" --port "$port" --threads 64 --max-batch 100000 --ingest-nice "${INGEST_NICE:-10}" \
  >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null && break; sleep 0.1; done

echo "seeding $CUSTOMERS customers"
python3 - "$port" "$CUSTOMERS" <<'PY'
import json, random, sys, urllib.request
port, customers = int(sys.argv[1]), int(sys.argv[2])
random.seed(7)
batch = []
def flush():
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/transactions",
        data=json.dumps({"transactions": batch}).encode(), headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req).read()
    batch.clear()
# BG/NBD-like buyers (gamma purchase rates, beta dropout) so the refit is identified.
for c in range(1, customers + 1):
    rate = random.gammavariate(0.8, 0.5) + 1e-6  # purchases per week
    drop = random.betavariate(0.8, 2.5)
    week = random.uniform(0, 26)
    while week < 52:
        batch.append({"customer_id": f"c{c}", "timestamp": 1672531200 + int(week * 7 * 86400),
                      "amount_minor": random.randint(500, 20000)})
        if random.random() < drop: break
        week += random.expovariate(rate)
    if len(batch) >= 20000: flush()
if batch: flush()
PY
curl -s -X POST -H 'Content-Type: application/json' -d '{}' "http://127.0.0.1:$port/v1/runs" \
  | python3 -c 'import json,sys; r=json.load(sys.stdin); print("refit:", r if "error" in r else ("run", r["id"], r["n_customers"], "customers", r["n_transactions"], "transactions", r["count_fit"]["params"]))'

url="http://127.0.0.1:$port"
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$server_pid/stat"; }
# Server CPU per unit of work: comparable across machines and loads, unlike
# wall-clock rates when other processes share the cores.
cpu_per() { awk -v a="$1" -v b="$2" -v n="$3" -v k="$4" 'BEGIN{printf "%.1f", (b - a) * k / n}'; }
echo "== scoring alone ($connections connections, ${duration}s)"
cpu_a="$(server_cpu)"
wrk -t1 -c"$connections" -d"${duration}s" -s "$root/bench/wrk_score.lua" "$url" >"$work/score_alone.out"
cpu_b="$(server_cpu)"
grep -E "SCORE|Socket" "$work/score_alone.out"
requests="$(awk '/SCORE/ {print $3 * '"$duration"'}' "$work/score_alone.out")"
echo "   server CPU $(cpu_per "$cpu_a" "$cpu_b" "$requests" 1000000) us per score request"
echo "== ingest alone ($ingest_connections connections, batches of $BATCH, ${duration}s)"
cpu_a="$(server_cpu)"
wrk -t1 -c"$ingest_connections" -d"${duration}s" -s "$root/bench/wrk_ingest.lua" "$url" >"$work/ingest_alone.out"
cpu_b="$(server_cpu)"
grep -E "INGEST|Socket" "$work/ingest_alone.out"
rows="$(awk '/INGEST/ {print $5 * '"$duration"'}' "$work/ingest_alone.out")"
echo "   server CPU $(cpu_per "$cpu_a" "$cpu_b" "$rows" 100000) s per 100,000 transactions"
echo "== scoring (paced at $mixed_rate requests/s) and ingest together (${duration}s)"
cpu_before="$(server_cpu)"
wrk -t1 -c"$ingest_connections" -d"${duration}s" -s "$root/bench/wrk_ingest.lua" "$url" >"$work/ingest.out" &
ingest_pid=$!
SCORE_RATE="$mixed_rate" wrk -t1 -c"$connections" -d"${duration}s" -s "$root/bench/wrk_score.lua" "$url" \
  >"$work/score.out"
wait "$ingest_pid"
cpu_after="$(server_cpu)"
grep -E "SCORE|Socket" "$work/score.out"
grep -E "INGEST|Socket" "$work/ingest.out"
curl -sf "$url/v1/health"; echo
# One line for the record: the mixed (CRM) case, the server's CPU time in it
# and the machine's load, since wall-clock rates depend on what else runs.
score_line="$(grep SCORE "$work/score.out")"
ingest_line="$(grep INGEST "$work/ingest.out")"
echo "RESULT mixed load: score $(awk '{print $3}' <<<"$score_line") req/s, p99 $(awk '{print $8}' <<<"$score_line") ms;" \
  "ingest $(awk '{print $5}' <<<"$ingest_line") transactions/s;" \
  "server CPU $(awk -v a="$cpu_before" -v b="$cpu_after" 'BEGIN{printf "%.1f", b - a}') s in ${duration} s;" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
