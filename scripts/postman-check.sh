#!/usr/bin/env bash
# `make check-postman`: the Postman environment and DICOMweb collection dicomreg builds, run by
# newman (npm, installed into a temporary folder) against `mockgraph serve`: a client-credentials
# token, then store, search, retrieve and metadata, each response checked by the collection's
# tests. Needs node and npm; loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${NEWMAN_VERSION:-6.2.1}
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
command -v npm >/dev/null || { echo "check-postman: needs node and npm" >&2; exit 1; }
npm install --prefix "$work" --no-audit --no-fund --silent --loglevel=error "newman@$version" >/dev/null
go build -o "$work/mockgraph" ./mockgraph/cmd/mockgraph
go build -o "$work/dicomreg" ./plugin/cmd/dicomreg
go build -o "$work/sampledicom" ./mockgraph/cmd/sampledicom
"$work/mockgraph" serve --addr 127.0.0.1:0 --env-file "$work/env" --key-file - --exit-with-parent 2>"$work/server.log" &
pid=$!
for _ in $(seq 1 400); do [ -s "$work/env" ] && break; sleep 0.05; done
set -a; source "$work/env"; set +a
# the app the collection runs as: registered by dicomreg, with a secret and DICOM Data Owner
"$work/dicomreg" register --name postman-check --postman --secret --secret-out "$work/app.env" --grant-admin-consent \
  --role owner --dicom-service "$DICOMREG_DICOM_SERVICE_ID" --only-show-errors -o none
mkdir -p "$work/export"
# what a user runs: dicomreg exports the environment (with the secret, as asked) and the collection
"$work/dicomreg" app postman export --app postman-check --secret-from "$work/app.env" --only-show-errors \
  --env-out "$work/export/environment.json" --collection-out "$work/export/collection.json"
"$work/sampledicom" "$work/export/sample.dcm"
echo "== newman@$version: the exported collection against mockgraph serve"
NODE_EXTRA_CA_CERTS=$SSL_CERT_FILE "$work/node_modules/.bin/newman" run "$work/export/collection.json" \
  -e "$work/export/environment.json" --working-dir "$work/export" --bail --color off
