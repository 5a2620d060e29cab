#!/usr/bin/env bash
# make check-az-extension: Debian's azure-cli (installed if missing) signs in to the mock with
# `az login --service-principal`, `dicomreg plugin install --az` adds the extension, and
# `az dicomreg register` then `az dicomreg verify` run with az's own login — in a temporary HOME
# and AZURE_CONFIG_DIR. az reaches the mock under its real host names: mockgraph serves a
# certificate for them (--tls-name) and scripts/connectproxy tunnels az's HTTPS_PROXY CONNECTs
# to it, so az runs unchanged in its default cloud.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=hosts-lib.sh
source "$root/scripts/hosts-lib.sh"
ensure_debian_pkg az azure-cli
fresh_home
(cd "$root" && go build -o "$work/build/mockgraph" ./mockgraph/cmd/mockgraph && go build -o "$work/build/connectproxy" ./scripts/connectproxy)

echo "== mock and proxy"
names=(login.microsoftonline.com management.azure.com graph.microsoft.com)
"$work/build/mockgraph" serve --addr 127.0.0.1:0 --env-file "$work/mock.env" $(printf -- '--tls-name %s ' "${names[@]}") >"$work/mock.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 200); do [ -s "$work/mock.env" ] && break; sleep 0.05; done
[ -s "$work/mock.env" ] || { cat "$work/mock.log"; fail "mockgraph not ready after 10 s"; }
# shellcheck disable=SC1091
source "$work/mock.env"
"$work/build/connectproxy" -to "${MOCKGRAPH_URL#https://}" -hosts "$(IFS=,; echo "${names[*]}")" -addr-file "$work/proxy" >"$work/proxy.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 200); do [ -s "$work/proxy" ] && break; sleep 0.05; done
[ -s "$work/proxy" ] || fail "connectproxy not ready"
export HTTPS_PROXY; HTTPS_PROXY=$(cat "$work/proxy")
export NO_PROXY=127.0.0.1,localhost REQUESTS_CA_BUNDLE=$SSL_CERT_FILE
echo "     mock $MOCKGRAPH_URL, proxy $HTTPS_PROXY"

echo "== az login (to the mock, as the seeded admin service principal)"
timeout 300 az login --service-principal -u "$AZURE_CLIENT_ID" -p "$AZURE_CLIENT_SECRET" --tenant "$AZURE_TENANT_ID" --allow-no-subscriptions -o none
expect "az account show: the mock's tenant" "$AZURE_TENANT_ID" "$(az account show --query tenantId -o tsv)"
# From here dicomreg must use az's login, not the environment's secret.
unset AZURE_CLIENT_ID AZURE_CLIENT_SECRET

echo "== dicomreg plugin install --az"
"$DICOMREG" plugin install --az
expect_contains "az extension list" '"name": "dicomreg"' "$(az extension list -o json)"

echo "== az dicomreg register"
timeout 300 az dicomreg register --name az-ext-viewer --postman --secret --secret-out "$work/viewer.env" \
  --grant-admin-consent --role owner --dicom-service "$DICOMREG_DICOM_SERVICE_ID" -o json | tee "$work/register.json"
expect "register: the app" "az-ext-viewer" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["displayName"])' "$work/register.json")"
[ "$(stat -c %a "$work/viewer.env")" = 600 ] || fail "--secret-out is not 0600"
echo "ok   --secret-out written 0600"
expect "register again converges (no changes)" "0" "$(az dicomreg register --name az-ext-viewer --postman --grant-admin-consent --role owner --dicom-service "$DICOMREG_DICOM_SERVICE_ID" --query 'length(changes)' -o tsv)"

echo "== az dicomreg verify (with the new app's credentials)"
(
  # shellcheck disable=SC1091
  set -a; source "$work/viewer.env"; set +a # a dotenv file: export what it sets
  timeout 300 az dicomreg verify --dicom-url "$DICOMREG_DICOM_URL" -o json | tee "$work/verify.json"
)
set +e; az dicomreg app show --app no-such-app >/dev/null 2>"$work/err"; rc=$?; set -e
expect "az dicomreg app show --app no-such-app: dicomreg's not-found exit code" 3 "$rc"
expect_contains "…and its error on stderr" "no-such-app" "$(cat "$work/err")"
echo "check-az-extension: ok"
