#!/usr/bin/env bash
# `make load`: 200 concurrent clients for 60 s (LOAD_CLIENTS, LOAD_DURATION) mixing token grants,
# Graph reads/writes and DICOM store/search against `mockgraph serve` built with -race, on loopback.
# Fails on any unexpected status, duplicate token, lost write or race report.
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${LOAD_CLIENTS:-200}
duration=${LOAD_DURATION:-60s}
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
go build -race -o "$work/mockgraph-race" ./mockgraph/cmd/mockgraph
go build -o "$work/mockload" ./mockgraph/cmd/mockload
GORACE="halt_on_error=0" "$work/mockgraph-race" serve --addr 127.0.0.1:0 --env-file "$work/env" --key-file - --exit-with-parent 2>"$work/server.log" &
pid=$!
for _ in $(seq 1 400); do [ -s "$work/env" ] && break; sleep 0.05; done
[ -s "$work/env" ] || { cat "$work/server.log"; exit 1; }
status=0
"$work/mockload" --env-file "$work/env" --mix full --clients "$clients" --duration "$duration" --server-pid "$pid" || status=1
if grep -q "DATA RACE" "$work/server.log"; then
  echo "race detector reports:"; grep -A30 "DATA RACE" "$work/server.log" | head -80; status=1
else
  echo "race detector: no reports"
fi
exit $status
