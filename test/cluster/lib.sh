# Shared settings for up.sh / down.sh / status.sh. Sourced, not run.
# Everything is derived from the repo root, so a clone in any folder gets its own
# state dir, its own network namespace and its own sockets (two clones can run at once).

CLUSTER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$CLUSTER_DIR/../.." && pwd)"
STATE="${VH_E2E_STATE_DIR:-$REPO_ROOT/.cluster}"
ROOT_HASH="$(printf '%s' "$REPO_ROOT" | sha256sum | cut -c1-8)"
# Network namespace in which etcd, the control plane, kwok and the fake pod server run.
NETNS="${VH_E2E_NETNS:-vhdeploy-e2e-$ROOT_HASH}"
LOGS="$STATE/logs"
PIDS="$STATE/pids"
PKI="$STATE/pki"
# Unix sockets: a path must stay below 108 bytes, so long state dirs use /tmp instead.
if [ "${#STATE}" -lt 70 ]; then RUN="$STATE/run"; else RUN="/tmp/vhdeploy-e2e-$ROOT_HASH"; fi
API_SOCK="$RUN/apiserver.sock"
POD_SOCK="$RUN/pod-server.sock"
# Inside the namespace (nothing here is reachable from the host network).
NS_API_PORT=6443
NS_ETCD_PORT=2379
NS_ETCD_PEER_PORT=2380
POD_CIDR=10.244.0.0/16
NODE_IP=10.244.255.254
SERVICE_CIDR=10.96.0.0/16
POD_SERVER_PORTS="${VH_E2E_POD_PORTS:-8080,9090,8000,6738,8123}"
NODE_NAMES=(kwok-node-0 kwok-node-1 kwok-node-2)
# The real node (real-node-up.sh): a kubelet + containerd in the same namespace.
REAL_NODE_NAME=vh-real-node
REAL_NODE_IP=10.246.0.1
REAL_POD_CIDR=10.245.0.0/24
REAL_NODE_HEALTHZ_PORT=10248
REAL_NODE_DIR="$STATE/real-node"
CONTAINERD_SOCK="$RUN/containerd.sock"
CNI_BIN_DIR="${VH_E2E_CNI_BIN_DIR:-/usr/lib/cni}"
PAUSE_IMAGE=vh-contract.local/pause:1
# Host side: 127.0.0.1:<port>; 0 = pick a free port.
HOST_API_PORT="${VH_E2E_API_PORT:-0}"

NODE_BIN="$(command -v node || true)"

ts() { date +%H:%M:%S; }
say() { echo "[cluster $(ts)] $*" >&2; }

# pid files hold "PID STARTTIME" so a recycled PID is never mistaken for ours.
proc_start() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null || true; }
write_pid() { echo "$2 $(proc_start "$2")" >"$PIDS/$1.pid"; }
# prints the pid if the process recorded in pids/<name>.pid is still alive
live_pid() {
  local f="$PIDS/$1.pid" pid st
  [ -f "$f" ] || return 1
  read -r pid st <"$f" || return 1
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  [ "$(proc_start "$pid")" = "$st" ] || return 1
  # a zombie (already exited, not reaped yet) is not alive
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != "Z" ] || return 1
  echo "$pid"
}

netns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$NETNS"; }

log_tail() { # name [lines]
  local f="$LOGS/$1.log"
  if [ -f "$f" ]; then
    echo "----- last ${2:-40} lines of $f -----" >&2
    tail -n "${2:-40}" "$f" >&2
    echo "----- end of $1 log -----" >&2
  else
    echo "(no log file $f)" >&2
  fi
}
