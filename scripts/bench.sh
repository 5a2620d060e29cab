#!/usr/bin/env bash
# `make bench`: Go benchmarks of every package, a short load run against `mockgraph serve`, then
# the numbers the issues ask for side by side. BENCHTIME per benchmark, BENCH_LOAD_DURATION and
# BENCH_LOAD_CLIENTS for the load run.
set -euo pipefail
cd "$(dirname "$0")/.."
benchtime=${BENCHTIME:-2s}
out=$(mktemp)
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work" "$out"; }
trap cleanup EXIT
go test -run '^$' -bench . -benchtime "$benchtime" -benchmem ./... | tee "$out"
echo
echo "== summary"
awk '
  /^BenchmarkStateWithDICOM/ {
    for (i = 4; i < NF; i++) { if ($(i+1) == "create-p50-ms") cr[$1]=$i; if ($(i+1) == "token-p50-ms") tk[$1]=$i }
  }
  /^Benchmark/ {
    name=$1; sub(/-[0-9]+$/, "", name); ns[name]=$3
    for (i = 4; i < NF; i++) { if ($(i+1) == "reads/op") reads[name]=$i; if ($(i+1) == "writes/op") writes[name]=$i }
  }
  END {
    sign = ns["BenchmarkRS256Sign"]; tok = ns["BenchmarkClientCredentialsToken"]; start = ns["BenchmarkStart"]
    gosign = ns["BenchmarkSign/go"]
    if (sign > 0) printf "RS256 signing (serving backend):%7.0f signatures/s, all cores\n", 1e9/sign
    if (gosign > 0) printf "RS256 signing (crypto/rsa):   %8.0f signatures/s, all cores\n", 1e9/gosign
    if (tok > 0)  printf "client-credentials tokens:    %8.0f tokens/s (handler, all cores, no TLS)\n", 1e9/tok
    if (sign > 0 && tok > 0) printf "ratio tokens/signing:         %8.2f\n", sign/tok
    if (start > 0) printf "mockgraph.Start + Close:      %8.2f ms\n", start/1e6
    for (b in cr) printf "with a state file, %-28s Graph create p50 %6.2f ms, token p50 %6.2f ms (goal: 250 MB within 2x of 0 MB)\n", b, cr[b], tk[b]
    if (ns["BenchmarkRegister/new-app"] > 0) printf "register, new app:            %8.1f ms, %d reads + %d writes (target ≤ 7 requests)\n", ns["BenchmarkRegister/new-app"]/1e6, reads["BenchmarkRegister/new-app"], writes["BenchmarkRegister/new-app"]
    if (ns["BenchmarkRegister/converged"] > 0) printf "register, converged re-run:   %8.1f ms, %d reads + %d writes (target ≤ 5 reads, 0 writes)\n", ns["BenchmarkRegister/converged"]/1e6, reads["BenchmarkRegister/converged"], writes["BenchmarkRegister/converged"]
  }' "$out"
if [ -x bin/dicomreg ]; then
  go run ./scripts/starttime -n 20 bin/dicomreg version   # median of 20, beside an empty Go program
  printf 'dicomreg binary size:         %8.1f MB\n' "$(echo "$(stat -c %s bin/dicomreg) / 1048576" | bc -l)"
fi

go build -o "$work/mockgraph" ./mockgraph/cmd/mockgraph
go build -o "$work/mockload" ./mockgraph/cmd/mockload
"$work/mockgraph" serve --addr 127.0.0.1:0 --env-file "$work/env" --exit-with-parent 2>"$work/server.log" &
pid=$!
for _ in $(seq 1 400); do [ -s "$work/env" ] && break; sleep 0.05; done
echo
echo "== tokens from the running server: client_credentials over TLS, 16 clients, 5 s (the load generator shares the cores)"
"$work/mockload" --env-file "$work/env" --mix token --clients 16 --duration 5s | tee "$work/token.out"
awk -v sign="$(awk '/^BenchmarkRS256Sign/ { print 1e9/$3 }' "$out")" '$1 == "token" && sign > 0 {
  printf "server tokens/s %.0f ÷ signing rate %.0f = %.2f\n", $3, sign, $3 / sign }' "$work/token.out"
echo
echo "== load: full mix, ${BENCH_LOAD_CLIENTS:-50} clients, ${BENCH_LOAD_DURATION:-10s} (make load: 200 clients, 60 s, -race)"
"$work/mockload" --env-file "$work/env" --mix full --clients "${BENCH_LOAD_CLIENTS:-50}" --duration "${BENCH_LOAD_DURATION:-10s}" --server-pid "$pid"
