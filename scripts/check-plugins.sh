#!/usr/bin/env bash
# make check-plugins: a freshly built dicomreg, installed with `dicomreg plugin install` in a
# temporary HOME, runs as a plugin of each host Debian provides — kubectl, gh, az — with the name
# the user typed in its help, its flags and exit codes intact; azd (not in Debian) gets its
# registry source and the two azd commands printed. Then list, uninstall, and each host's
# invocation overhead (host + dicomreg vs dicomreg alone; RUNS, default 10).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=hosts-lib.sh
source "$root/scripts/hosts-lib.sh"
ensure_debian_pkg gh gh
ensure_debian_pkg az azure-cli
command -v kubectl >/dev/null || ensure_debian_pkg kubectl kubernetes-client
fresh_home

echo "== kubectl"
"$DICOMREG" plugin install --kubectl >/dev/null
expect_contains "kubectl plugin list finds it" "$HOME/.local/bin/kubectl-dicomreg" "$(kubectl plugin list 2>/dev/null)"
expect "kubectl dicomreg version -o tsv --query version" "${VERSION:-0.0.0-check}" "$(kubectl dicomreg version -o tsv --query version)"
expect_contains "kubectl dicomreg --help shows the typed name" "kubectl dicomreg" "$(kubectl dicomreg --help)"
expect_contains "kubectl dicomreg app --help examples" "kubectl dicomreg app" "$(kubectl dicomreg app --help)"
expect_contains "kubectl completes dicomreg's commands (kubectl_complete-dicomreg)" "app" "$(kubectl __complete dicomreg ap 2>/dev/null)"
set +e; kubectl dicomreg no-such-command >/dev/null 2>&1; rc=$?; set -e
expect "kubectl dicomreg keeps dicomreg's usage exit code" 2 "$rc"

echo "== gh"
# gh checks for a token before any `gh extension` command; a local install makes no API call.
GH_TOKEN=unused-by-local-install "$DICOMREG" plugin install --gh >/dev/null
expect "gh dicomreg version -o tsv --query version" "${VERSION:-0.0.0-check}" "$(gh dicomreg version -o tsv --query version)"
expect_contains "gh dicomreg --help shows the typed name" "gh dicomreg" "$(gh dicomreg --help)"
set +e; gh dicomreg no-such-command >/dev/null 2>&1; rc=$?; set -e
expect "gh dicomreg keeps dicomreg's usage exit code" 2 "$rc"

echo "== az"
"$DICOMREG" plugin install --az >/dev/null 2>&1 || fail "dicomreg plugin install --az"
expect_contains "az extension list has it" '"name": "dicomreg"' "$(az extension list -o json)"
expect "az dicomreg version -o tsv --query version (flags reach dicomreg)" "${VERSION:-0.0.0-check}" "$(az dicomreg version -o tsv --query version 2>/dev/null)"
help=$(az dicomreg --help 2>/dev/null)
expect_contains "az dicomreg --help shows the typed name" "az dicomreg" "$help"
expect_contains "az dicomreg --help lists dicomreg's commands" "register" "$help"
set +e; out=$(az dicomreg no-such-command 2>&1 >/dev/null); rc=$?; set -e
expect "az dicomreg keeps dicomreg's usage exit code" 2 "$rc"
expect_contains "az dicomreg passes dicomreg's stderr" "no-such-command" "$out"

echo "== azd (not in Debian: files and commands)"
set +e; out=$("$DICOMREG" plugin install --azd 2>&1); set -e
expect_contains "plugin install --azd prints azd extension source add" "azd extension source add -n dicomreg -t file -l $HOME/.local/share/dicomreg/azd/registry.json" "$out"
expect_contains "plugin install --azd prints azd extension install" "azd extension install dicomreg.cli --source dicomreg" "$out"
python3 - "$HOME/.local/share/dicomreg/azd/registry.json" <<'PY' || fail "azd registry"
import hashlib, json, sys
reg = json.load(open(sys.argv[1]))
ext = reg["extensions"][0]
ver = ext["versions"][-1]
for p, a in ver["artifacts"].items():
    assert hashlib.sha256(open(a["url"], "rb").read()).hexdigest() == a["checksum"]["value"], p
print("ok   azd registry.json:", ext["id"], ver["version"], ", ".join(ver["artifacts"]))
PY

echo "== plugin list / uninstall"
"$DICOMREG" plugin list -o table | sed 's/^/     /'
expect "plugin list: installed hosts" "az gh kubectl" "$("$DICOMREG" plugin list --query '[?installed].host' -o tsv | tr '\n' ' ' | sed 's/ $//')"
for h in az azd gh kubectl; do GH_TOKEN=unused-by-local-install "$DICOMREG" plugin uninstall --$h >/dev/null 2>&1 || fail "plugin uninstall --$h"; done
expect "plugin list after uninstall: none" "" "$("$DICOMREG" plugin list --query '[?installed].host' -o tsv)"
expect "kubectl no longer finds it" "" "$(kubectl plugin list 2>/dev/null | grep dicomreg || true)"

if [ -n "${RUNS:-10}" ] && [ "${RUNS:-10}" != 0 ]; then
  echo "== invocation overhead: ${RUNS:-10} runs of 'version': median wall, mean CPU (user+sys); the CPU is shared, compare within this run"
  "$DICOMREG" plugin install --kubectl >/dev/null
  GH_TOKEN=unused-by-local-install "$DICOMREG" plugin install --gh >/dev/null
  "$DICOMREG" plugin install --az >/dev/null 2>&1
  az dicomreg version >/dev/null 2>&1 # az builds its command index on first use
  read -r alone_wall alone_cpu < <(timing "${RUNS:-10}" "$DICOMREG" version)
  printf '     %-18s %8s %8s %12s %12s\n' command "wall ms" "cpu ms" "+wall ms" "+cpu ms"
  printf '     %-18s %8s %8s\n' dicomreg "$alone_wall" "$alone_cpu"
  for host in kubectl gh az; do
    read -r wall cpu < <(timing "${RUNS:-10}" $host dicomreg version)
    printf '     %-18s %8s %8s %12s %12s\n' "$host dicomreg" "$wall" "$cpu" "$((wall - alone_wall))" "$((cpu - alone_cpu))"
  done
fi
echo "check-plugins: ok"
