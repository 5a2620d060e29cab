#!/usr/bin/env bash
# `make bench-dicom-peer`: Orthanc 1.10 with its DICOMweb plugin (Debian orthanc, orthanc-dicomweb),
# run here as our own process on loopback with a temporary config and storage, against `mockgraph
# serve`'s DICOM service; the same load generator (dicomload) stores the same files into each and
# drives the same requests: search at each level, metadata, instance, frames, rendered, STOW. Prints
# both servers and the ratios with their goals (≥5× on reads, ≥3× on STOW). The mock also does TLS
# and checks a token and an RBAC role on every request; Orthanc runs plain HTTP without auth.
# Bounded: BENCH_DURATION per operation (default 5s), BENCH_CLIENTS (default 16).
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${BENCH_CLIENTS:-16}
duration=${BENCH_DURATION:-5s}
orthanc_port=${ORTHANC_PORT:-18642}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT

plugin=/usr/share/orthanc/plugins/libOrthancDicomWeb.so
if ! command -v Orthanc >/dev/null || [ ! -e "$plugin" ]; then
  echo "bench-dicom-peer: needs Debian's orthanc and orthanc-dicomweb (apt-get install orthanc orthanc-dicomweb)" >&2
  exit 1
fi

echo "== preparing: mockgraph, dicomreg, dicomload; Orthanc $(Orthanc --version 2>/dev/null | head -1 | awk '{print $NF}') with $(basename "$(readlink -f "$plugin")")"
go build -o "$work/mockgraph" ./mockgraph/cmd/mockgraph
go build -o "$work/dicomreg" ./plugin/cmd/dicomreg
go build -o "$work/dicomload" ./mockgraph/cmd/dicomload

mkdir -p "$work/orthanc-db"
cat >"$work/orthanc.json" <<JSON
{ "Name": "bench", "StorageDirectory": "$work/orthanc-db", "IndexDirectory": "$work/orthanc-db",
  "HttpPort": $orthanc_port, "RemoteAccessAllowed": false, "AuthenticationEnabled": false,
  "DicomServerEnabled": false, "Plugins": ["$plugin"], "DicomWeb": { "Enable": true, "Root": "/dicom-web/" } }
JSON
Orthanc "$work/orthanc.json" >"$work/orthanc.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 200); do curl -fs -o /dev/null "http://127.0.0.1:$orthanc_port/system" && break; sleep 0.05; done
curl -fs -o /dev/null "http://127.0.0.1:$orthanc_port/system" || { echo "Orthanc did not start" >&2; tail "$work/orthanc.log" >&2; exit 1; }

"$work/mockgraph" serve --addr 127.0.0.1:0 --env-file "$work/env" --key-file - --exit-with-parent 2>"$work/mock.log" &
pids+=($!)
for _ in $(seq 1 400); do [ -s "$work/env" ] && break; sleep 0.05; done
set -a; source "$work/env"; set +a
"$work/dicomreg" register --name bench-dicom --secret --secret-out "$work/app.env" --grant-admin-consent \
  --role owner --dicom-service "$DICOMREG_DICOM_SERVICE_ID" --only-show-errors -o none
DICOMLOAD_TOKEN=$( set -a; source "$work/app.env"; set +a
  "$work/dicomreg" token get --scope https://dicom.healthcareapis.azure.com/.default --query accessToken -o tsv )
export DICOMLOAD_TOKEN

echo "== Orthanc (http, no auth): $clients clients, $duration per operation"
DICOMLOAD_TOKEN= "$work/dicomload" --base "http://127.0.0.1:$orthanc_port/dicom-web" --clients "$clients" --duration "$duration" | tee "$work/orthanc.out"
echo "== mockgraph serve (https, token + RBAC on every request): $clients clients, $duration per operation"
"$work/dicomload" --base "$DICOMREG_DICOM_URL/v2" --ca-file "$SSL_CERT_FILE" --clients "$clients" --duration "$duration" | tee "$work/mock.out"

echo
echo "== bench-dicom-peer on $(nproc) cores (shared: other work on the machine moves both columns)"
printf '%-18s %12s %12s %9s %7s\n' operation "Orthanc/s" "mock/s" ratio goal
status=0
while read -r op orate _; do
  mrate=$(awk -v op="$op" '$1 == op { print $2 }' "$work/mock.out")
  goal=5; [ "$op" = stow ] && goal=3
  line=$(awk -v op="$op" -v o="$orate" -v m="$mrate" -v g="$goal" 'BEGIN {
    r = (o > 0) ? m / o : 0; printf "%-18s %12.0f %12.0f %8.2f× %5s× %s", op, o, m, r, g, (r >= g ? "ok" : "UNDER GOAL") }')
  echo "$line"
  case "$line" in *"UNDER GOAL"*) status=1 ;; esac
done < <(awk 'NR > 1 && $1 !~ /^first/ && NF >= 5 { print $1, $2 }' "$work/orthanc.out")
exit $status
