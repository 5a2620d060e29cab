# Shared by check-plugins.sh and check-az-extension.sh: install a Debian host CLI when missing,
# build a fresh dicomreg, and give it a temporary HOME.
ensure_debian_pkg() { # ensure_debian_pkg COMMAND PACKAGE
  command -v "$1" >/dev/null && return 0
  echo "== installing Debian's $2 (for $1)"
  local sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
  for _ in 1 2 3 4 5 6; do # another apt-get may hold the dpkg lock
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "$2" >/dev/null && return 0
    sleep 10
  done
  echo "could not install $2" >&2; return 1
}

fail() { echo "FAIL: $*" >&2; exit 1; }
expect() { # expect DESCRIPTION WANT GOT
  [ "$2" = "$3" ] || fail "$1: want [$2], got [$3]"
  echo "ok   $1"
}
expect_contains() { # expect_contains DESCRIPTION NEEDLE HAYSTACK
  case "$3" in *"$2"*) echo "ok   $1" ;; *) fail "$1: [$2] not in: $3" ;; esac
}

fresh_home() { # sets work, HOME, PATH, DICOMREG (a fresh build); cleans up on exit
  work=$(mktemp -d "${TMPDIR:-/tmp}/dicomreg-hosts.XXXXXX")
  trap 'cleanup_hosts' EXIT
  mkdir -p "$work/home/.local/bin" "$work/build"
  echo "== building dicomreg into $work/build"
  (cd "$root" && go build -trimpath -ldflags "-X github.com/dicomreg/dicomreg/plugin/cli.Version=${VERSION:-0.0.0-check}" -o "$work/build/dicomreg" ./plugin/cmd/dicomreg)
  DICOMREG=$work/build/dicomreg
  # Go keeps its caches under HOME unless told: keep using the real ones.
  export GOPATH GOMODCACHE GOCACHE
  GOPATH=$(go env GOPATH) GOMODCACHE=$(go env GOMODCACHE) GOCACHE=$(go env GOCACHE)
  export HOME=$work/home
  unset XDG_DATA_HOME XDG_CONFIG_HOME GH_DATA_DIR GH_CONFIG_DIR AZURE_EXTENSION_DIR AZD_CONFIG_DIR
  export AZURE_CONFIG_DIR=$HOME/.azure AZURE_CORE_COLLECT_TELEMETRY=false
  export PATH=$HOME/.local/bin:$PATH
}

pids=()
cleanup_hosts() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "${work:-}" ] && [ -z "${KEEP:-}" ] && rm -rf "$work"
}

# timing: "WALL CPU" — median wall time and mean user+system CPU time, in milliseconds, of N runs
# (hyperfine when Debian's is there). On a shared machine CPU time is the steadier of the two.
timing() { # timing N command...
  local n=$1; shift
  if command -v hyperfine >/dev/null; then
    hyperfine -N --runs "$n" --warmup 1 --export-json "$work/h.json" -- "$(printf '%q ' "$@")" >/dev/null 2>&1 &&
      python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(round(r["median"]*1000), round((r["user"]+r["system"])*1000))' "$work/h.json" && return
  fi
  python3 - "$n" "$@" <<'PY'
import os, subprocess, sys, time
n, cmd = int(sys.argv[1]), sys.argv[2:]
wall, cpu = [], []
for _ in range(n):
    c0 = os.times(); s = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall.append(time.perf_counter() - s); c1 = os.times()
    cpu.append(c1.children_user - c0.children_user + c1.children_system - c0.children_system)
wall.sort(); print(round(wall[len(wall)//2]*1000), round(sum(cpu)/len(cpu)*1000))
PY
}
