#!/usr/bin/env bash
# `make check-msal-node`: Microsoft's MSAL for Node (from npm, unchanged) against `mockgraph serve`:
# client credentials, username/password, device code, silent refresh, a wrong secret. Proves the
# mock follows the protocol, not one client. Needs node and npm; loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${MSAL_NODE_VERSION:-7.2.3}
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
command -v npm >/dev/null || { echo "check-msal-node: needs node and npm" >&2; exit 1; }
npm install --prefix "$work" --no-audit --no-fund --silent --loglevel=error "@azure/msal-node@$version" >/dev/null
cp scripts/msal-node/check.mjs "$work/"
go build -o "$work/mockgraph" ./mockgraph/cmd/mockgraph
go build -o "$work/dicomreg" ./plugin/cmd/dicomreg
"$work/mockgraph" serve --addr 127.0.0.1:0 --env-file "$work/env" --key-file - --exit-with-parent 2>"$work/server.log" &
pid=$!
for _ in $(seq 1 400); do [ -s "$work/env" ] && break; sleep 0.05; done
set -a; source "$work/env"; set +a
export NODE_EXTRA_CA_CERTS=$SSL_CERT_FILE
DICOMREG_PUBLIC_CLIENT_ID=$("$work/dicomreg" register --name msal-node-public --public-client \
  --redirect-uri http://localhost --platform mobile --grant-admin-consent --only-show-errors --query appId -o tsv)
export DICOMREG_PUBLIC_CLIENT_ID
echo "== @azure/msal-node@$version against mockgraph serve"
node "$work/check.mjs"
