#!/usr/bin/env bash
# `make check-dicomweb-clients`: real DICOMweb clients, unchanged, against `mockgraph serve`'s DICOM
# service, each with an Entra token from the mock: OHIF's dicomweb-client with dcmjs (npm) and a
# Python client on Debian's pydicom and requests (/usr/bin/python3, apt packages). Store, search at
# each level, metadata with its ETag, retrieve study/series/instance, frames, rendered; 401/403
# where Azure answers them. Needs node and npm; loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
command -v npm >/dev/null || { echo "check-dicomweb-clients: needs node and npm" >&2; exit 1; }
/usr/bin/python3 -c 'import pydicom, requests' 2>/dev/null ||
  { echo "check-dicomweb-clients: needs Debian's python3-pydicom and python3-requests (apt-get install python3-pydicom python3-requests)" >&2; exit 1; }

echo "== preparing: dicomweb-client, dcmjs and xhr2 from npm; mockgraph, dicomreg"
npm install --prefix "$work" --no-audit --no-fund --silent --loglevel=error \
  "dicomweb-client@${DICOMWEB_CLIENT_VERSION:-0.11.3}" "dcmjs@${DCMJS_VERSION:-0.52.2}" xhr2@0.2.1 >/dev/null
cp scripts/dicomweb-clients/check.mjs scripts/dicomweb-clients/check.py "$work/"
go build -o "$work/mockgraph" ./mockgraph/cmd/mockgraph
go build -o "$work/dicomreg" ./plugin/cmd/dicomreg
"$work/mockgraph" serve --addr 127.0.0.1:0 --env-file "$work/env" --key-file - --exit-with-parent 2>"$work/server.log" &
pid=$!
for _ in $(seq 1 400); do [ -s "$work/env" ] && break; sleep 0.05; done
[ -s "$work/env" ] || { echo "mock did not start" >&2; cat "$work/server.log"; exit 1; }
set -a; source "$work/env"; set +a

# One app per role, registered as a user would (dicomreg), each with its own client-credentials token.
token_for() { # name [role]
  local role=()
  [ -n "${2:-}" ] && role=(--role "$2" --dicom-service "$DICOMREG_DICOM_SERVICE_ID")
  "$work/dicomreg" register --name "dicomweb-check-$1" --secret --secret-out "$work/$1.env" --grant-admin-consent \
    "${role[@]}" --only-show-errors -o none
  ( set -a; source "$work/$1.env"; set +a
    "$work/dicomreg" token get --scope https://dicom.healthcareapis.azure.com/.default --query accessToken -o tsv )
}
OWNER_TOKEN=$(token_for owner owner)
READER_TOKEN=$(token_for reader reader)
NOROLE_TOKEN=$(token_for norole)
export OWNER_TOKEN READER_TOKEN NOROLE_TOKEN DICOM_V2_URL="$DICOMREG_DICOM_URL/v2"

status=0
echo "== dicomweb-client $(node -p "require('$work/node_modules/dicomweb-client/package.json').version") + dcmjs (node $(node --version))"
NODE_EXTRA_CA_CERTS=$SSL_CERT_FILE node "$work/check.mjs" || status=1
echo "== python3-pydicom $(/usr/bin/python3 -c 'import pydicom; print(pydicom.__version__)') + python3-requests (Debian)"
REQUESTS_CA_BUNDLE=$SSL_CERT_FILE /usr/bin/python3 "$work/check.py" || status=1
exit $status
