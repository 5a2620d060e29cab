#!/usr/bin/env bash
# `make demo`: the portal's "Register a client application for the DICOM service", as one command
# against the bundled mock, then proof that it works — a Dicom.ReadWrite token and a DICOMweb call.
# The mock is stopped on exit, on Ctrl-C, and (through --exit-with-parent) even if this script is killed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/bin
work=$(mktemp -d "${TMPDIR:-/tmp}/dicomreg-demo.XXXXXX")
mock_pid=
cleanup() {
  local rc=$?
  if [ -n "$mock_pid" ] && kill -0 "$mock_pid" 2>/dev/null; then kill "$mock_pid" 2>/dev/null; wait "$mock_pid" 2>/dev/null || true; fi
  rm -rf "$work"
  if [ $rc -ne 0 ]; then echo; echo "demo FAILED (exit $rc)" >&2; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Bold headings only on a terminal that wants them: no raw escape codes in a CI log or a pipe.
bold= plain=
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ] && [ "${TERM:-dumb}" != dumb ]; then bold=$'\033[1m' plain=$'\033[0m'; fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "1. Start the offline mock (Graph + Entra ID + ARM + DICOMweb) on loopback"
# DEMO_MOCK_FLAGS passes flags to the mock, e.g. DEMO_MOCK_FLAGS=--realistic make demo (as slow as Azure).
# shellcheck disable=SC2086
"$bin/mockgraph" serve --addr 127.0.0.1:0 --env-file "$work/mock.env" --key-file - --exit-with-parent ${DEMO_MOCK_FLAGS:-} 2>"$work/mock.log" &
mock_pid=$!
for _ in $(seq 1 200); do [ -s "$work/mock.env" ] && break; kill -0 "$mock_pid" 2>/dev/null || { cat "$work/mock.log"; exit 1; }; sleep 0.05; done
[ -s "$work/mock.env" ] || { echo "mock did not start" >&2; cat "$work/mock.log"; exit 1; }
# shellcheck disable=SC1091
source "$work/mock.env"
echo "mock tenant $AZURE_TENANT_ID at $MOCKGRAPH_URL (signed in as the seeded admin $AZURE_CLIENT_ID)"

step "2. Register the DICOM client: confidential app, secret, Postman redirect, Dicom.ReadWrite, admin consent, DICOM Data Owner"
run "$bin/dicomreg" register --name dicomreg-demo-viewer --postman --secret --secret-out "$work/client.env" \
  --grant-admin-consent --role owner --dicom-service "$DICOMREG_DICOM_SERVICE_ID" -o table
echo "client credentials written to a 0600 file: $(stat -c '%a %n' "$work/client.env")"

step "3. Run it again: idempotent, nothing to change"
run "$bin/dicomreg" register --name dicomreg-demo-viewer --postman --grant-admin-consent --role owner --dicom-service "$DICOMREG_DICOM_SERVICE_ID" -o table

# Under --realistic the mock is as slow as Azure: a new secret works after ~20 s, a role assignment
# reaches the DICOM service after up to 10 min plus its 5-minute decision cache. The demo moves the
# mock's clock instead of waiting; against Azure you would wait (dicomreg verify says why it 403s).
settle=$(curl -fsS --cacert "$SSL_CERT_FILE" -H "Authorization: Bearer $MOCKGRAPH_CONTROL_TOKEN" "$MOCKGRAPH_URL/mock/propagation" | jq -r '.longestSeconds // 0')
if [ "${settle%.*}" -gt 0 ]; then
  step "3b. Azure needs time to propagate this: the mock's clock moves ${settle%.*} s forward instead of waiting"
  curl -fsS --cacert "$SSL_CERT_FILE" -H "Authorization: Bearer $MOCKGRAPH_CONTROL_TOKEN" -X POST "$MOCKGRAPH_URL/mock/clock" -d "{\"advance\":\"${settle%.*}s\"}" >/dev/null
  echo "(the mock's clock is now ${settle%.*} s ahead of this machine's: token decode will say the token is not valid yet by your clock)"
fi

step "4. Get a token as the new client (client credentials) and look at what a DICOM service sees"
(
  # shellcheck disable=SC1091
  source "$work/client.env"
  "$bin/dicomreg" token get --scope https://dicom.healthcareapis.azure.com/.default --query accessToken -o tsv >"$work/token"
  echo "got a token for client $AZURE_CLIENT_ID ($(wc -c <"$work/token") bytes, not shown)"
  run "$bin/dicomreg" token decode - --query checks -o table <"$work/token"

  step "5. Call the DICOM endpoint as the new client (QIDO-RS search)"
  run "$bin/dicomreg" verify --dicom-url "$DICOMREG_DICOM_URL" -o table
)

step "Done: the app is registered, its token carries aud https://dicom.healthcareapis.azure.com, and the DICOM service accepts it."
