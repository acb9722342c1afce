#!/usr/bin/env bash
# Stops the e2e cluster started by up.sh: every process it started (by pid file), then
# anything still running inside its network namespace, then the namespace itself.
# Safe to run when nothing is running. Logs in .cluster/logs/ are kept.
#   usage: test/cluster/down.sh [--quiet]
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
QUIET=0
[ "${1:-}" = --quiet ] && QUIET=1
info() { [ "$QUIET" = 1 ] || say "$@"; }

alive() { [ -d "/proc/$1" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
# stop_pids SECONDS PID...: SIGTERM, wait up to SECONDS, then SIGKILL what is left.
stop_pids() {
  local secs="$1" p left i
  shift
  [ $# -gt 0 ] || return 0
  kill -TERM "$@" 2>/dev/null
  for i in $(seq 1 $((secs * 10))); do
    left=0
    for p in "$@"; do alive "$p" && left=1; done
    [ "$left" = 0 ] && return 0
    sleep 0.1
  done
  for p in "$@"; do
    if alive "$p"; then
      echo "down.sh: pid $p ($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-80)) ignored SIGTERM, sending SIGKILL" >&2
      kill -KILL "$p" 2>/dev/null
    fi
  done
  for i in $(seq 1 50); do
    left=0
    for p in "$@"; do alive "$p" && left=1; done
    [ "$left" = 0 ] && return 0
    sleep 0.1
  done
  return 1
}

rc=0
# 0. the real node first: its containers live in network namespaces of their own
bash "$CLUSTER_DIR/real-node-down.sh" $([ "$QUIET" = 1 ] && echo --quiet) || rc=1
# 1. processes recorded in pid files, in three waves: the clients, then the API server
#    (while etcd is still there, so it can shut down cleanly), then etcd.
collect() { local n p; for n in "$@"; do if p="$(live_pid "$n")"; then echo "$p"; fi; done; }
others=()
if [ -d "$PIDS" ]; then
  for f in "$PIDS"/*.pid; do
    [ -e "$f" ] || continue
    n="$(basename "$f" .pid)"
    case "$n" in kube-apiserver | etcd) ;; *) others+=("$n") ;; esac
  done
fi
for wave in "${others[*]}" kube-apiserver etcd; do
  # shellcheck disable=SC2086
  mapfile -t pids < <(collect $wave)
  [ "${#pids[@]}" -gt 0 ] || continue
  info "stopping ${wave// /, } (${#pids[@]} processes)"
  stop_pids 5 "${pids[@]}" || { echo "down.sh: some processes would not die: ${pids[*]}" >&2; rc=1; }
done

# 2. anything else still inside the namespace, then the namespace
if netns_exists; then
  mapfile -t left < <(ip netns pids "$NETNS" 2>/dev/null)
  if [ "${#left[@]}" -gt 0 ]; then
    info "stopping ${#left[@]} more processes in netns $NETNS"
    stop_pids 5 "${left[@]}" || { echo "down.sh: processes left in $NETNS: ${left[*]}" >&2; rc=1; }
  fi
  if ip netns del "$NETNS"; then info "removed netns $NETNS"; else rc=1; fi
fi

# 3. state that describes a running cluster
rm -rf "$PIDS" "$RUN" "$STATE/etcd" "$STATE/ready" "$STATE/cluster.json" "$STATE/api-port"
[ "$rc" = 0 ] && info "cluster stopped"
exit "$rc"
