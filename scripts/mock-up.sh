#!/usr/bin/env bash
# Start `mockgraph serve` in the background, wait until it is ready, and print the env file's path.
#   eval "$(scripts/mock-up.sh)"   # or: source "$(scripts/mock-up.sh --path)"
# Environment: MOCKGRAPH_DIR (state folder, default .mockgraph), MOCKGRAPH_BIN (default bin/mockgraph,
# built if missing), MOCKGRAPH_ARGS (extra flags for serve, e.g. "--replication-delay 5s").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${MOCKGRAPH_DIR:-$root/.mockgraph}
bin=${MOCKGRAPH_BIN:-$root/bin/mockgraph}
mkdir -p "$dir"
if [ ! -x "$bin" ]; then (cd "$root" && go build -o "$bin" ./mockgraph/cmd/mockgraph); fi
if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
  echo "mock-up: mockgraph already running (pid $(cat "$dir/pid"))" >&2
else
  rm -f "$dir/env"
  # shellcheck disable=SC2086
  "$bin" serve --addr 127.0.0.1:0 --env-file "$dir/env" ${MOCKGRAPH_ARGS:-} >"$dir/log" 2>&1 &
  echo $! >"$dir/pid"
  for _ in $(seq 1 200); do
    [ -s "$dir/env" ] && break
    if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then echo "mock-up: mockgraph exited:" >&2; cat "$dir/log" >&2; exit 1; fi
    sleep 0.05
  done
  [ -s "$dir/env" ] || { echo "mock-up: mockgraph not ready after 10 s" >&2; cat "$dir/log" >&2; exit 1; }
fi
if [ "${1:-}" = "--path" ]; then echo "$dir/env"; else cat "$dir/env"; fi
