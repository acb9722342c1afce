#!/usr/bin/env bash
# Exit 0 if the e2e cluster from up.sh is running and the API server answers through the
# host forwarder; otherwise exit 1 and say what is wrong.
#   usage: test/cluster/status.sh [--quiet]
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
QUIET=0
[ "${1:-}" = --quiet ] && QUIET=1
bad() { [ "$QUIET" = 1 ] || echo "cluster: not running: $*" >&2; exit 1; }

[ -f "$STATE/ready" ] || bad "no $STATE/ready (not started, or stopped)"
netns_exists || bad "network namespace $NETNS is missing"
for c in etcd kube-apiserver kube-controller-manager kube-scheduler kwok pod-server forward-ns forward-host; do
  live_pid "$c" >/dev/null || bad "$c is not running (log: $LOGS/$c.log)"
done
port="$(cat "$STATE/api-port" 2>/dev/null)" || bad "no api-port file"
curl --noproxy "*" -sf --max-time 5 --cacert "$PKI/ca.crt" "https://127.0.0.1:$port/readyz" >/dev/null ||
  bad "https://127.0.0.1:$port/readyz does not answer"
[ "$QUIET" = 1 ] || echo "cluster: running, https://127.0.0.1:$port (netns $NETNS, kubeconfig $STATE/kubeconfig)"
