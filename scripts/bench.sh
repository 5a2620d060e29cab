#!/usr/bin/env bash
# `make bench`: Go benchmarks of every package, then the numbers the issues ask for side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
benchtime=${BENCHTIME:-2s}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
go test -run '^$' -bench . -benchtime "$benchtime" -benchmem ./... | tee "$out"
echo
echo "== summary"
awk '
  /^Benchmark/ { name=$1; sub(/-[0-9]+$/, "", name); ns[name]=$3 }
  END {
    sign = ns["BenchmarkRS256Sign"]; tok = ns["BenchmarkClientCredentialsToken"]
    if (sign > 0) printf "raw RS256 signing:            %8.0f signatures/s per core\n", 1e9/sign
    if (tok > 0)  printf "client-credentials tokens:    %8.0f tokens/s (handler, one goroutine)\n", 1e9/tok
    if (sign > 0 && tok > 0) printf "ratio tokens/signing:         %8.2f\n", sign/tok
  }' "$out"
if [ -x bin/dicomreg ]; then
  start=$(date +%s%N); for _ in $(seq 1 20); do bin/dicomreg version >/dev/null; done; end=$(date +%s%N)
  printf 'dicomreg version start-up:    %8.1f ms (mean of 20)\n' "$(echo "($end - $start) / 20 / 1000000" | bc -l)"
  printf 'dicomreg binary size:         %8.1f MB\n' "$(echo "$(stat -c %s bin/dicomreg) / 1048576" | bc -l)"
fi
