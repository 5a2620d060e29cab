#!/usr/bin/env bash
# `make bench-peer`: oauth2-mock-server (npm, the popular peer) and `mockgraph serve`, each alone on
# HTTPS on loopback, driven by the same Go load generator (client_credentials, keep-alive), then
# exec→ready of each; prints both and the ratios with their targets. Bounded: PEER_DURATION per
# load run (default 10s), PEER_READY_RUNS starts each (default 11).
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${PEER_CLIENTS:-16}
duration=${PEER_DURATION:-10s}
runs=${PEER_READY_RUNS:-11}
peer_version=${PEER_VERSION:-9.3.0}
peer_port=${PEER_PORT:-18643}
our_port=${OUR_PORT:-18644}

work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

command -v npm >/dev/null || { echo "bench-peer: needs node and npm (apt-get install nodejs npm)" >&2; exit 1; }
command -v openssl >/dev/null || { echo "bench-peer: needs openssl (apt-get install openssl)" >&2; exit 1; }

echo "== preparing: oauth2-mock-server@$peer_version from npm, mockgraph, mockload"
npm install --prefix "$work/peer" --no-audit --no-fund --silent --loglevel=error "oauth2-mock-server@$peer_version" >/dev/null
go build -o "$work/mockgraph" ./mockgraph/cmd/mockgraph
go build -o "$work/mockload" ./mockgraph/cmd/mockload
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$work/peer-key.pem" -out "$work/peer-cert.pem" 2>/dev/null
peer=(node "$work/peer/node_modules/.bin/oauth2-mock-server" -a 127.0.0.1 -p "$peer_port" -c "$work/peer-cert.pem" -k "$work/peer-key.pem")
ours=("$work/mockgraph" serve --addr "127.0.0.1:$our_port" --env-file "$work/ready.env")
"$work/mockgraph" serve --addr 127.0.0.1:0 --env-file "$work/warm.env" --exit-with-parent & # caches the signing key, as any earlier run has
pid=$!
for _ in $(seq 1 400); do [ -s "$work/warm.env" ] && break; sleep 0.05; done
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=

wait_for() { for _ in $(seq 1 400); do curl -fsk -o /dev/null "$1" && return 0; sleep 0.05; done; echo "not ready: $1" >&2; return 1; }
row() { awk '$1=="token" { print $3, $4, $5 }' "$1"; } # req/s p50 p99

echo "== load: $clients clients, $duration each, client_credentials"
"${peer[@]}" >"$work/peer.log" 2>&1 &
pid=$!
wait_for "https://127.0.0.1:$peer_port/.well-known/openid-configuration"
"$work/mockload" --token-url "https://127.0.0.1:$peer_port/token" --ca-file "$work/peer-cert.pem" \
  --client-id bench --client-secret bench --clients "$clients" --duration "$duration" --server-pid "$pid" \
  --allow-duplicate-tokens | tee "$work/peer.out"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=

"$work/mockgraph" serve --addr "127.0.0.1:$our_port" --env-file "$work/env" >"$work/ours.log" 2>&1 &
pid=$!
wait_for "https://127.0.0.1:$our_port/mock/healthz"
"$work/mockload" --env-file "$work/env" --clients "$clients" --duration "$duration" --server-pid "$pid" | tee "$work/ours.out"
backend=$(curl -fsk "https://127.0.0.1:$our_port/mock/healthz" | sed -n 's/.*"signer":"\([^"]*\)".*/\1/p')
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=

echo "== exec→ready, median of $runs starts"
"$work/mockload" ready --runs "$runs" --url "https://127.0.0.1:$peer_port/.well-known/openid-configuration" -- "${peer[@]}" | tee "$work/peer.ready"
"$work/mockload" ready --runs "$runs" --url "https://127.0.0.1:$our_port/mock/healthz" -- "${ours[@]}" | tee "$work/ours.ready"

read -r peer_rate peer_p50 peer_p99 < <(row "$work/peer.out")
read -r our_rate our_p50 our_p99 < <(row "$work/ours.out")
peer_ready=$(awk '{ print $3 }' "$work/peer.ready")
our_ready=$(awk '{ print $3 }' "$work/ours.ready")
peer_dup=$(sed -n 's/^duplicate tokens: \([0-9]*\);.*/\1/p' "$work/peer.out")
our_dup=$(sed -n 's/^duplicate tokens: \([0-9]*\);.*/\1/p' "$work/ours.out")

echo
echo "== bench-peer on $(nproc) cores, $(uname -m); mockgraph signs with: ${backend:-unknown}"
printf '%-28s %12s %12s %10s %10s %14s %12s\n' server tokens/s p50 p99 ready_ms "dup tokens" validates
printf '%-28s %12s %12s %10s %10s %14s %12s\n' "oauth2-mock-server $peer_version" "$peer_rate" "$peer_p50" "$peer_p99" "$peer_ready" "$peer_dup" no
printf '%-28s %12s %12s %10s %10s %14s %12s\n' "mockgraph serve" "$our_rate" "$our_p50" "$our_p99" "$our_ready" "$our_dup" yes
awk -v pr="$peer_rate" -v or="$our_rate" -v pready="$peer_ready" -v oready="$our_ready" 'BEGIN {
  rate = or / pr; speedup = pready / oready; ok = 1
  printf "token rate ratio (ours/peer):   %5.2f×  (target ≥ 1.50×) %s\n", rate, (rate >= 1.5 ? "ok" : "MISSED")
  printf "exec→ready ratio (peer/ours):   %5.2f×  (target ≥ 5.00×) %s\n", speedup, (speedup >= 5 ? "ok" : "MISSED")
  printf "exec→ready of ours:            %6.1f ms (target ≤ 50 ms) %s\n", oready, (oready <= 50 ? "ok" : "MISSED")
  if (rate < 1.5 || speedup < 5 || oready > 50) ok = 0
  exit ok ? 0 : 1
}'
