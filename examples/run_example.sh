#!/usr/bin/env bash
# Runs one example against a fresh database and checks it: exit code 0 and
# every extended regular expression of EXPECTED (one per line) found in its
# output. Usage: run_example.sh DB EXPECTED command [args...]
set -uo pipefail
db="$1" expected="$2"
shift 2
rm -f "$db" "$db-wal" "$db-shm"
output="$("$@" 2>&1)"
status=$?
echo "$output"
if [ "$status" -ne 0 ]; then
  echo "FAILED: exit code $status" >&2
  exit 1
fi
missing=0
while IFS= read -r pattern; do
  [ -z "$pattern" ] && continue
  if ! grep -Eq -- "$pattern" <<<"$output"; then
    echo "FAILED: no line matches: $pattern" >&2
    missing=1
  fi
done <"$expected"
exit "$missing"
