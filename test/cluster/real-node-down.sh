#!/usr/bin/env bash
# Stops the real node started by real-node-up.sh: the kubelet, every container and pod
# sandbox (their processes live in network namespaces of their own, so stopping the
# cluster's namespace would not reach them), containerd and its shims; unmounts what they
# mounted and removes the Node object. Safe to run when nothing is running.
#   usage: test/cluster/real-node-down.sh [--quiet]
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
QUIET=0
[ "${1:-}" = --quiet ] && QUIET=1
info() { [ "$QUIET" = 1 ] || say "$@"; }

stop_pid() { # NAME SECONDS
  local pid i
  pid="$(live_pid "$1")" || { rm -f "$PIDS/$1.pid"; return 0; }
  info "stopping $1 (pid $pid)"
  kill -TERM "$pid" 2>/dev/null
  for i in $(seq 1 $(($2 * 10))); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
  [ -d "/proc/$pid" ] && kill -KILL "$pid" 2>/dev/null
  rm -f "$PIDS/$1.pid"
}

stop_pid kubelet 5
netns_paths=()
if live_pid containerd >/dev/null && [ -S "$CONTAINERD_SOCK" ]; then
  CTR=(ctr --address "$CONTAINERD_SOCK" -n k8s.io)
  mapfile -t ids < <("${CTR[@]}" containers ls -q 2>/dev/null)
  if [ "${#ids[@]}" -gt 0 ]; then
    info "removing ${#ids[@]} containers"
    for id in "${ids[@]}"; do
      # pod sandboxes name the network namespace containerd made for them
      mapfile -t -O "${#netns_paths[@]}" netns_paths < <("${CTR[@]}" containers info "$id" 2>/dev/null | grep -o '"/var/run/netns/cni-[0-9a-f-]*"' | tr -d '"')
      "${CTR[@]}" tasks kill -s SIGKILL "$id" >/dev/null 2>&1
    done
    for id in "${ids[@]}"; do
      "${CTR[@]}" tasks rm -f "$id" >/dev/null 2>&1
      "${CTR[@]}" containers rm "$id" >/dev/null 2>&1
    done
  fi
fi
stop_pid containerd 5
# shims of this containerd (they outlive it by design)
for p in $(pgrep -f "containerd-shim-runc-v2 .*-address $CONTAINERD_SOCK( |$)" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done

# mounts left under the node's folders (pod volumes, rootfs binds) and the pods' netns
for n in "${netns_paths[@]}"; do umount "$n" 2>/dev/null; rm -f "$n"; done
for dir in "$REAL_NODE_DIR" "$RUN/containerd-state"; do
  awk -v d="$dir/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
done
rm -rf "$REAL_NODE_DIR/cni/ipam" "$REAL_NODE_DIR/ready" "$RUN/containerd-state"

# the Node object (pods bound to it are then garbage-collected)
if bash "$CLUSTER_DIR/status.sh" --quiet 2>/dev/null; then
  BIN_DIR="$(sed -n 's/.*"binDir": "\(.*\)".*/\1/p' "$STATE/cluster.json" 2>/dev/null)"
  [ -x "$BIN_DIR/kubectl" ] && "$BIN_DIR/kubectl" --kubeconfig="$STATE/kubeconfig" --request-timeout=10s \
    delete node "$REAL_NODE_NAME" --ignore-not-found >/dev/null 2>&1
fi
info "real node stopped"
exit 0
