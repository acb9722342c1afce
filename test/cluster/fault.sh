#!/usr/bin/env bash
# Fault injection for the e2e cluster started by up.sh: stops a component (by its pid
# file in .cluster/pids) and starts it again with the very same command line, in the
# same network namespace, with its log appended to .cluster/logs/NAME.log.
#
#   usage: test/cluster/fault.sh stop    NAME [TERM|KILL]   (default KILL: a crash)
#          test/cluster/fault.sh start   NAME               (waits until it is healthy)
#          test/cluster/fault.sh restart NAME [SECONDS_DOWN] [TERM|KILL]
#   NAME:  etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok, pod-server
#
# `stop` records the command line in pids/NAME.cmdline before the signal, so `start`
# needs nothing else. Start waits for etcd /health or kube-apiserver /readyz (inside the
# namespace) with a 60 s deadline and exits 1 with the log tail if it does not come up.
# Used by test/e2e/proof-faults.test.ts; affects everyone using this cluster, so keep the
# window short.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

die() {
  echo "fault.sh: ERROR: $*" >&2
  exit 1
}
usage() { sed -n '2,15p' "$0"; exit 2; }

[ $# -ge 2 ] || usage
ACTION="$1"
NAME="$2"
case "$NAME" in
  etcd | kube-apiserver | kube-controller-manager | kube-scheduler | kwok | pod-server) ;;
  *) die "unknown component $NAME (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok, pod-server)" ;;
esac
[ -d "$PIDS" ] || die "no cluster state in $STATE (is the cluster up?)"
CMDLINE_FILE="$PIDS/$NAME.cmdline"

alive() { [ -d "/proc/$1" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

stop_component() { # signal
  local sig="${1:-KILL}" pid i
  pid="$(live_pid "$NAME")" || die "$NAME is not running"
  # The command line as the kernel has it: NUL-separated argv (ip netns exec has exec'd).
  cp "/proc/$pid/cmdline" "$CMDLINE_FILE.tmp" && mv "$CMDLINE_FILE.tmp" "$CMDLINE_FILE"
  kill "-$sig" "$pid"
  for i in $(seq 1 100); do
    alive "$pid" || { say "fault: $NAME (pid $pid) stopped with SIG$sig"; return 0; }
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do alive "$pid" || return 0; sleep 0.05; done
  die "$NAME (pid $pid) did not die"
}

healthy() {
  case "$NAME" in
    etcd) ip netns exec "$NETNS" curl --noproxy "*" -sf --max-time 2 "http://127.0.0.1:$NS_ETCD_PORT/health" ;;
    kube-apiserver) ip netns exec "$NETNS" curl --noproxy "*" -sf --max-time 2 --cacert "$PKI/ca.crt" "https://127.0.0.1:$NS_API_PORT/readyz" ;;
    *) true ;;
  esac
}

start_component() {
  local pid i argv=()
  if pid="$(live_pid "$NAME")"; then die "$NAME is already running (pid $pid)"; fi
  [ -s "$CMDLINE_FILE" ] || die "no saved command line for $NAME ($CMDLINE_FILE): stop it with fault.sh first"
  mapfile -d '' -t argv <"$CMDLINE_FILE"
  # Same launcher as up.sh's start(): own session, no proxy variables, stdin closed.
  # shellcheck disable=SC2016
  setsid env -u HTTP_PROXY -u HTTPS_PROXY -u http_proxy -u https_proxy -u NO_PROXY -u no_proxy \
    -u ALL_PROXY -u all_proxy -u KUBECONFIG \
    bash -c 'echo $$ >"$0"; exec "$@"' "$PIDS/$NAME.launch" ip netns exec "$NETNS" "${argv[@]}" \
    </dev/null >>"$LOGS/$NAME.log" 2>&1 &
  for i in $(seq 1 100); do [ -s "$PIDS/$NAME.launch" ] && break; sleep 0.02; done
  pid="$(cat "$PIDS/$NAME.launch" 2>/dev/null || true)"
  rm -f "$PIDS/$NAME.launch"
  [ -n "$pid" ] || die "could not start $NAME"
  write_pid "$NAME" "$pid"
  local deadline=$(($(date +%s) + 60))
  until healthy >/dev/null 2>&1; do
    if ! live_pid "$NAME" >/dev/null; then log_tail "$NAME" 40; die "$NAME exited right after the restart"; fi
    [ "$(date +%s)" -lt "$deadline" ] || { log_tail "$NAME" 40; die "$NAME not healthy 60 s after the restart"; }
    sleep 0.1
  done
  say "fault: $NAME running again (pid $pid)"
}

case "$ACTION" in
  stop) stop_component "${3:-KILL}" ;;
  start) start_component ;;
  restart)
    stop_component "${4:-KILL}"
    sleep "${3:-0}"
    start_component
    ;;
  *) usage ;;
esac
