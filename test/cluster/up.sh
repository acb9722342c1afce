#!/usr/bin/env bash
# Starts the e2e control plane: etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kwok (3 fake nodes) and the fake pod server, all inside a private
# network namespace. The API server is reachable from the host only on
# https://127.0.0.1:<port>, through two forwarders joined by a unix socket.
#
#   usage: test/cluster/up.sh [--fresh]
#     --fresh   stop a running cluster first instead of reusing it
#   env:   VH_E2E_API_PORT (host port, default: a free one), VH_E2E_START_TIMEOUT (s, 120)
#
# Writes .cluster/kubeconfig (admin, context vh-e2e), .cluster/limited.kubeconfig
# (user e2e-limited, no groups), .cluster/env and .cluster/cluster.json.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FRESH=0
for a in "$@"; do
  case "$a" in
    --fresh) FRESH=1 ;;
    -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "up.sh: unknown argument $a" >&2; exit 2 ;;
  esac
done

T0=$(date +%s.%N)
elapsed() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }
TIMEOUT="${VH_E2E_START_TIMEOUT:-120}"

die() {
  echo "up.sh: ERROR: $*" >&2
  exit 1
}

[ "$(id -u)" = 0 ] || die "must run as root (it creates the network namespace $NETNS with 'ip netns add')"
command -v ip >/dev/null || die "iproute2 ('ip') is missing: run test/cluster/ci-prereqs.sh"
command -v openssl >/dev/null || die "openssl is missing: run test/cluster/ci-prereqs.sh"
command -v curl >/dev/null || die "curl is missing: run test/cluster/ci-prereqs.sh"
[ -n "$NODE_BIN" ] || die "node is not on PATH"

# ---- already running? ---------------------------------------------------------------
if [ "$FRESH" = 0 ] && bash "$CLUSTER_DIR/status.sh" --quiet; then
  say "cluster already running (kubeconfig $STATE/kubeconfig); reusing it. Use --fresh to restart."
  # a cluster started before the real node existed, or whose node was stopped, gets it now
  if [ "${VH_E2E_REAL_NODE:-1}" != 0 ] && ! [ -f "$REAL_NODE_DIR/ready" ]; then
    bash "$CLUSTER_DIR/real-node-up.sh" || say "WARNING: the real node did not start: $(cat "$REAL_NODE_DIR/unavailable" 2>/dev/null)"
  fi
  echo "$STATE/kubeconfig"
  exit 0
fi
# Anything left from an earlier run (crash, kill -9, half-started): clean it first.
if [ -d "$PIDS" ] || netns_exists; then
  say "cleaning up state from an earlier run"
  bash "$CLUSTER_DIR/down.sh" --quiet || die "could not clean up the earlier cluster (see above)"
fi

# ---- binaries -----------------------------------------------------------------------
BIN_DIR="$(bash "$CLUSTER_DIR/build.sh" | tail -n 1)" || die "test/cluster/build.sh failed (see above)"
for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok; do
  [ -x "$BIN_DIR/$b" ] || die "missing $BIN_DIR/$b (test/cluster/build.sh failed?)"
done
KUBECTL="$BIN_DIR/kubectl"
# every wait below shares one deadline (the build above, if cold, is not counted)
DEADLINE=$(($(date +%s) + TIMEOUT))

mkdir -p "$STATE" "$LOGS" "$PIDS" "$PKI" "$RUN"
chmod 700 "$STATE" "$PKI" "$RUN"
rm -rf "$STATE/etcd" "$LOGS"/*.log "$STATE/api-port" "$STATE/ready"
echo "$NETNS" >"$STATE/netns"
echo "$RUN" >"$STATE/run-dir"

# ---- certificates (EC P-256: generating them takes milliseconds) --------------------
gen_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
sign() { # name subject extensions
  gen_key "$PKI/$1.key"
  openssl req -new -key "$PKI/$1.key" -subj "$2" 2>/dev/null |
    openssl x509 -req -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -set_serial "0x$(openssl rand -hex 12)" \
      -days 30 -extfile <(printf '%b' "$3") -out "$PKI/$1.crt" 2>/dev/null
}
(
  set -e
  gen_key "$PKI/ca.key"
  openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=vh-e2e-ca" -days 30 -out "$PKI/ca.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
  client_ext='basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n'
  sign apiserver "/CN=kube-apiserver" \
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:10.96.0.1\n'
  sign admin "/O=system:masters/CN=e2e-admin" "$client_ext"
  sign limited "/CN=e2e-limited" "$client_ext"
  gen_key "$PKI/sa.key"
  openssl pkey -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
) || die "certificate generation with openssl failed"
chmod 600 "$PKI"/*.key

b64() { base64 -w0 <"$1"; }
write_kubeconfig() { # file server user
  cat >"$1.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: vh-e2e
  cluster:
    server: $2
    certificate-authority-data: $(b64 "$PKI/ca.crt")
users:
- name: $3
  user:
    client-certificate-data: $(b64 "$PKI/$3.crt")
    client-key-data: $(b64 "$PKI/$3.key")
contexts:
- name: vh-e2e
  context:
    cluster: vh-e2e
    user: $3
current-context: vh-e2e
EOF
  chmod 600 "$1.tmp" && mv "$1.tmp" "$1"
}
# The components inside the namespace talk to the API server directly.
write_kubeconfig "$STATE/netns-admin.kubeconfig" "https://127.0.0.1:$NS_API_PORT" admin

# ---- network namespace --------------------------------------------------------------
ip netns add "$NETNS" || die "ip netns add $NETNS failed"
ip -n "$NETNS" link set lo up
# Every pod IP (10.244.x.x) is a local address inside the namespace, so the fake pod
# server bound to 0.0.0.0 answers for all of them. Nothing else exists in there: no
# other interface, no default route, so no packet can leave the namespace.
ip -n "$NETNS" route add local "$POD_CIDR" dev lo

# ---- process launcher -----------------------------------------------------------------
# start NAME in|host CMD...: own session (immune to the caller's Ctrl-C / hangup), no
# proxy variables, stdin closed, output to logs/NAME.log, pid recorded.
start() {
  local name="$1" where="$2"
  shift 2
  local pre=()
  [ "$where" = in ] && pre=(ip netns exec "$NETNS")
  # shellcheck disable=SC2016
  setsid env -u HTTP_PROXY -u HTTPS_PROXY -u http_proxy -u https_proxy -u NO_PROXY -u no_proxy \
    -u ALL_PROXY -u all_proxy -u KUBECONFIG \
    bash -c 'echo $$ >"$0"; exec "$@"' "$PIDS/$name.launch" "${pre[@]}" "$@" \
    </dev/null >"$LOGS/$name.log" 2>&1 &
  local i
  for i in $(seq 1 100); do [ -s "$PIDS/$name.launch" ] && break; sleep 0.02; done
  local pid
  pid="$(cat "$PIDS/$name.launch" 2>/dev/null || true)"
  rm -f "$PIDS/$name.launch"
  [ -n "$pid" ] || die "could not start $name"
  write_pid "$name" "$pid"
}

fail() { # component message
  echo "up.sh: ERROR: $2" >&2
  [ -n "$1" ] && log_tail "$1" 60
  echo "up.sh: logs are in $LOGS; stopping the half-started cluster" >&2
  bash "$CLUSTER_DIR/down.sh" --quiet >&2 || true
  exit 1
}
# wait_for WHAT COMPONENT CMD...: retry CMD until it succeeds; fail if COMPONENT died or
# the overall deadline passed.
wait_for() {
  local what="$1" comp="$2"
  shift 2
  while :; do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if [ -n "$comp" ] && ! live_pid "$comp" >/dev/null; then fail "$comp" "$comp exited while waiting for $what"; fi
    [ "$(date +%s)" -lt "$DEADLINE" ] || fail "$comp" "timed out after ${TIMEOUT}s waiting for $what"
    sleep 0.2
  done
}
in_ns() { ip netns exec "$NETNS" "$@"; }

# ---- etcd, the API server, the forwarders, the pod server ----------------------------
start etcd in "$BIN_DIR/etcd" --name=e2e --data-dir="$STATE/etcd" \
  --listen-client-urls="http://127.0.0.1:$NS_ETCD_PORT" --advertise-client-urls="http://127.0.0.1:$NS_ETCD_PORT" \
  --listen-peer-urls="http://127.0.0.1:$NS_ETCD_PEER_PORT" --initial-advertise-peer-urls="http://127.0.0.1:$NS_ETCD_PEER_PORT" \
  --initial-cluster="e2e=http://127.0.0.1:$NS_ETCD_PEER_PORT" --unsafe-no-fsync=true \
  --listen-metrics-urls="" --log-level=warn --quota-backend-bytes=2147483648

start kube-apiserver in "$BIN_DIR/kube-apiserver" \
  --etcd-servers="http://127.0.0.1:$NS_ETCD_PORT" \
  --bind-address=127.0.0.1 --secure-port="$NS_API_PORT" \
  --advertise-address=127.0.0.1 --endpoint-reconciler-type=none \
  --cert-dir="$PKI" --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
  --client-ca-file="$PKI/ca.crt" \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
  --service-cluster-ip-range="$SERVICE_CIDR" \
  --authorization-mode=Node,RBAC --allow-privileged=true \
  --kubelet-preferred-address-types=InternalIP,Hostname \
  --profiling=false --event-ttl=1h --v=1

start forward-ns in "$NODE_BIN" "$CLUSTER_DIR/forward.mjs" \
  --listen "unix:$API_SOCK" --connect "tcp:127.0.0.1:$NS_API_PORT"
start forward-host host "$NODE_BIN" "$CLUSTER_DIR/forward.mjs" \
  --listen "tcp:127.0.0.1:$HOST_API_PORT" --connect "unix:$API_SOCK" --port-file "$STATE/api-port"
start pod-server in "$NODE_BIN" "$CLUSTER_DIR/pod-server.mjs" --ports "$POD_SERVER_PORTS" --control "$POD_SOCK"

wait_for "etcd /health" etcd in_ns curl --noproxy "*" -sf --max-time 2 "http://127.0.0.1:$NS_ETCD_PORT/health"
wait_for "the host forwarder's port" forward-host test -s "$STATE/api-port"
API_PORT="$(cat "$STATE/api-port")"
SERVER="https://127.0.0.1:$API_PORT"
write_kubeconfig "$STATE/kubeconfig" "$SERVER" admin
write_kubeconfig "$STATE/limited.kubeconfig" "$SERVER" limited
wait_for "kube-apiserver /readyz" kube-apiserver \
  in_ns curl --noproxy "*" -sf --max-time 3 --cacert "$PKI/ca.crt" "https://127.0.0.1:$NS_API_PORT/readyz"
say "etcd and kube-apiserver ready after $(elapsed)s"

# ---- controllers, scheduler, kwok -----------------------------------------------------
start kube-controller-manager in "$BIN_DIR/kube-controller-manager" \
  --kubeconfig="$STATE/netns-admin.kubeconfig" \
  --authentication-kubeconfig="$STATE/netns-admin.kubeconfig" --authorization-kubeconfig="$STATE/netns-admin.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port=0 --leader-elect=false --controllers='*' \
  --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
  --use-service-account-credentials=false --service-cluster-ip-range="$SERVICE_CIDR" \
  --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
  --enable-hostpath-provisioner=true \
  --profiling=false --v=1
start kube-scheduler in "$BIN_DIR/kube-scheduler" \
  --kubeconfig="$STATE/netns-admin.kubeconfig" \
  --authentication-kubeconfig="$STATE/netns-admin.kubeconfig" --authorization-kubeconfig="$STATE/netns-admin.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port=0 --leader-elect=false --profiling=false --v=1
STAGE_ARGS=()
for f in "$CLUSTER_DIR"/stages/*.yaml; do STAGE_ARGS+=(-c "$f"); done
start kwok in "$BIN_DIR/kwok" \
  --kubeconfig="$STATE/netns-admin.kubeconfig" \
  --manage-all-nodes=false --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
  --manage-nodes-with-label-selector= --manage-single-node= \
  --cidr="$POD_CIDR" --node-ip="$NODE_IP" --node-lease-duration-seconds=40 \
  "${STAGE_ARGS[@]}"

# The host path from here on: kubectl -> 127.0.0.1:PORT -> unix socket -> apiserver.
K() { "$KUBECTL" --kubeconfig="$STATE/kubeconfig" --request-timeout=10s "$@"; }
wait_for "the API server through the host forwarder ($SERVER)" forward-host K get --raw /readyz

nodes_yaml() {
  local n
  for n in "${NODE_NAMES[@]}"; do
    cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: $n
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/hostname: $n
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    node-role.kubernetes.io/worker: ""
    type: kwok
EOF
  done
}
nodes_yaml | K apply -f - >"$LOGS/nodes.log" 2>&1 || fail nodes "creating the fake nodes failed"

nodes_ready() {
  local n
  n="$(K get nodes -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c '^True$')"
  [ "$n" -ge "${#NODE_NAMES[@]}" ]
}
wait_for "${#NODE_NAMES[@]} Ready nodes (kwok)" kwok nodes_ready
wait_for "the default ServiceAccount in namespace default (kube-controller-manager)" kube-controller-manager \
  K -n default get serviceaccount default
# A default StorageClass served by kube-controller-manager's built-in hostPath
# provisioner (--enable-hostpath-provisioner, meant for tests): PVCs bind and
# StatefulSets with volume claims become ready. The volumes are empty directories
# under /tmp/hostpath_pv that nothing ever writes to (no kubelet).
K apply -f - >"$LOGS/storageclass.log" 2>&1 <<EOF || fail kube-controller-manager "creating the default StorageClass failed"
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: kubernetes.io/host-path
reclaimPolicy: Delete
volumeBindingMode: Immediate
EOF
for c in kube-scheduler pod-server forward-ns; do
  live_pid "$c" >/dev/null || fail "$c" "$c is not running"
done
wait_for "the pod server's control socket" pod-server curl --noproxy "*" -sf --max-time 2 --unix-socket "$POD_SOCK" http://pod-server/healthz

# ---- hand-over files ---------------------------------------------------------------------
cat >"$STATE/env" <<EOF
# source this file: kubectl and vh-deploy then talk to the e2e cluster
export KUBECONFIG='$STATE/kubeconfig'
export PATH='$BIN_DIR':"\$PATH"
export VH_E2E_NETNS='$NETNS'
export VH_E2E_KUBECONFIG='$STATE/kubeconfig'
export VH_E2E_LIMITED_KUBECONFIG='$STATE/limited.kubeconfig'
export VH_E2E_POD_SERVER_SOCKET='$POD_SOCK'
export VH_E2E_BIN_DIR='$BIN_DIR'
EOF
cat >"$STATE/cluster.json" <<EOF
{
  "server": "$SERVER",
  "apiPort": $API_PORT,
  "kubeconfig": "$STATE/kubeconfig",
  "limitedKubeconfig": "$STATE/limited.kubeconfig",
  "context": "vh-e2e",
  "netns": "$NETNS",
  "binDir": "$BIN_DIR",
  "podServerSocket": "$POD_SOCK",
  "podCIDR": "$POD_CIDR",
  "podServerPorts": [$POD_SERVER_PORTS],
  "logs": "$LOGS"
}
EOF
date -u +%FT%TZ >"$STATE/ready"
say "cluster up in $(elapsed)s: $SERVER (netns $NETNS)"
say "  export KUBECONFIG=$STATE/kubeconfig   # or: source $STATE/env"
# The real node is an addition: a machine that cannot run containers still gets the
# cluster; the reason is in $REAL_NODE_DIR/unavailable and the tests that need the node
# fail with it. VH_E2E_REAL_NODE=0 leaves it out on purpose (also recorded).
if [ "${VH_E2E_REAL_NODE:-1}" = 0 ]; then
  mkdir -p "$REAL_NODE_DIR" && echo "not started: VH_E2E_REAL_NODE=0" >"$REAL_NODE_DIR/unavailable"
elif ! bash "$CLUSTER_DIR/real-node-up.sh"; then
  say "WARNING: the real node did not start: $(cat "$REAL_NODE_DIR/unavailable" 2>/dev/null)"
fi
echo "$STATE/kubeconfig"
