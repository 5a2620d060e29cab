#!/usr/bin/env bash
# Stop the mock that scripts/mock-up.sh started.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${MOCKGRAPH_DIR:-$root/.mockgraph}
if [ -f "$dir/pid" ]; then
  pid=$(cat "$dir/pid")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  fi
  rm -f "$dir/pid" "$dir/env"
fi
