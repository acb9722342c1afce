#!/usr/bin/env bash
# Starts one real node beside the kwok nodes of a running e2e cluster: containerd (with
# runc and the CNI bridge plugin) and a kubelet, inside the cluster's network namespace,
# registered as $REAL_NODE_NAME with the taint vh-deploy.io/real-node=true:NoSchedule and
# the label vh-deploy.io/real-node=true, so only pods that tolerate and select it land
# there. The contract images of test/images are built and imported into containerd.
#
#   usage: test/cluster/real-node-up.sh       (the cluster must be up: test/cluster/up.sh)
#
# When this machine cannot run the node, it writes the reason to
# .cluster/real-node/unavailable and exits 1; tests that need the node fail with it.
# Manual trial and the reasons for each setting: test/cluster/README.md, "The real node".
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T0=$(date +%s.%N)
elapsed() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }
TIMEOUT="${VH_E2E_REAL_NODE_TIMEOUT:-90}"
mkdir -p "$REAL_NODE_DIR"
rm -f "$REAL_NODE_DIR/unavailable" "$REAL_NODE_DIR/ready"
# A command that fails unexpectedly (set -e) still leaves a reason for the tests.
failed_at=""
trap 'failed_at="line $LINENO: $BASH_COMMAND"' ERR
trap 'rc=$?; [ "$rc" = 0 ] || [ -e "$REAL_NODE_DIR/unavailable" ] || echo "real-node-up.sh failed (exit $rc) at $failed_at" >"$REAL_NODE_DIR/unavailable"' EXIT
unavailable() {
  echo "$*" >"$REAL_NODE_DIR/unavailable"
  echo "real-node-up.sh: the real node is not available: $*" >&2
  exit 1
}

[ "$(id -u)" = 0 ] || unavailable "must run as root (containerd and the kubelet need it)"
bash "$CLUSTER_DIR/status.sh" --quiet || unavailable "the cluster is not running (start it with test/cluster/up.sh)"
if live_pid kubelet >/dev/null && live_pid containerd >/dev/null; then
  say "real node already running ($REAL_NODE_NAME); stop it with test/cluster/real-node-down.sh"
  touch "$REAL_NODE_DIR/ready"
  exit 0
fi
bash "$CLUSTER_DIR/real-node-down.sh" --quiet || true

for c in containerd ctr runc nsenter; do
  command -v "$c" >/dev/null || unavailable "'$c' is missing (Debian packages containerd, runc, util-linux: run test/cluster/ci-prereqs.sh)"
done
for p in bridge host-local loopback; do
  [ -x "$CNI_BIN_DIR/$p" ] || unavailable "CNI plugin $CNI_BIN_DIR/$p is missing (Debian package containernetworking-plugins: run test/cluster/ci-prereqs.sh)"
done
grep -q ' cgroup' /proc/mounts || unavailable "no cgroup filesystem is mounted (containers need cgroups)"
BIN_DIR="$(bash "$CLUSTER_DIR/build.sh" | tail -n 1)" || unavailable "test/cluster/build.sh failed (see above)"
[ -x "$BIN_DIR/kubelet" ] || unavailable "missing $BIN_DIR/kubelet (test/cluster/build.sh failed?)"
DEADLINE=$(($(date +%s) + TIMEOUT))

CTRD="$REAL_NODE_DIR/containerd"
KUBELET_DIR="$REAL_NODE_DIR/kubelet"
CNI_CONF_DIR="$REAL_NODE_DIR/cni/net.d"
mkdir -p "$CTRD" "$KUBELET_DIR" "$CNI_CONF_DIR" "$REAL_NODE_DIR/cni/ipam" "$REAL_NODE_DIR/volumes" "$RUN"
in_net() { nsenter --net="/var/run/netns/$NETNS" "$@"; }

# ---- network: a node IP and a pod bridge inside the cluster's namespace -----------------
# The kubelet refuses a loopback node IP; a second address on lo is not loopback. The
# "dummy" link type is not available on every kernel, lo always is.
# (the address list is read whole first: grep -q closing the pipe would fail it under pipefail)
lo_addrs="$(ip -n "$NETNS" addr show dev lo)"
case "$lo_addrs" in
  *" $REAL_NODE_IP/"*) ;;
  *) ip -n "$NETNS" addr add "$REAL_NODE_IP/32" dev lo || unavailable "could not add the node IP $REAL_NODE_IP to lo in $NETNS" ;;
esac
# Pod IPs come from a subnet of their own, outside the range routed to the fake pod server.
cat >"$CNI_CONF_DIR/10-vh-real-node.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "vh-real-node",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "vhrn0",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "$REAL_POD_CIDR" }]],
        "dataDir": "$REAL_NODE_DIR/cni/ipam"
      }
    }
  ]
}
EOF

# ---- containerd -------------------------------------------------------------------------
cat >"$CTRD/config.toml" <<EOF
version = 2
root = "$CTRD/root"
state = "$RUN/containerd-state"
[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$CONTAINERD_SOCK.ttrpc"
[debug]
  level = "warn"
[plugins."io.containerd.internal.v1.opt"]
  path = "$CTRD/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # The sandbox may not lower oom_score_adj: the pause container asks for -998 and runc
  # dies with "can't get final child's PID from pipe: EOF".
  restrict_oom_score_adj = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "native"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN_DIR"
    conf_dir = "$CNI_CONF_DIR"
    max_conf_num = 1
EOF

# start NAME CMD...: in the cluster's network namespace, own session, log, pid file.
# nsenter --net, not `ip netns exec`: that also makes a mount namespace and remounts /sys,
# which hides the cgroup mounts (kubelet: "failed to find cgroup mounts").
start_in_net() {
  local name="$1"
  shift
  # shellcheck disable=SC2016
  setsid env -u HTTP_PROXY -u HTTPS_PROXY -u http_proxy -u https_proxy -u NO_PROXY -u no_proxy \
    -u ALL_PROXY -u all_proxy -u KUBECONFIG \
    bash -c 'echo $$ >"$0"; exec "$@"' "$PIDS/$name.launch" nsenter --net="/var/run/netns/$NETNS" "$@" \
    </dev/null >"$LOGS/$name.log" 2>&1 &
  local i pid
  for i in $(seq 1 100); do [ -s "$PIDS/$name.launch" ] && break; sleep 0.02; done
  pid="$(cat "$PIDS/$name.launch" 2>/dev/null || true)"
  rm -f "$PIDS/$name.launch"
  [ -n "$pid" ] || unavailable "could not start $name"
  write_pid "$name" "$pid"
}
wait_until() { # WHAT COMPONENT CMD...
  local what="$1" comp="$2"
  shift 2
  while ! "$@" >/dev/null 2>&1; do
    if ! live_pid "$comp" >/dev/null; then
      log_tail "$comp" 40
      bash "$CLUSTER_DIR/real-node-down.sh" --quiet || true
      unavailable "$comp exited while waiting for $what: $(grep -iE 'error|fail' "$LOGS/$comp.log" | tail -n 1 | cut -c1-300)"
    fi
    if [ "$(date +%s)" -ge "$DEADLINE" ]; then
      log_tail "$comp" 40
      bash "$CLUSTER_DIR/real-node-down.sh" --quiet || true
      unavailable "timed out after ${TIMEOUT}s waiting for $what (log: $LOGS/$comp.log)"
    fi
    sleep 0.3
  done
}

start_in_net containerd containerd --config "$CTRD/config.toml"
CTR=(ctr --address "$CONTAINERD_SOCK" -n k8s.io)
wait_until "containerd's socket" containerd "${CTR[@]}" version

# ---- images: built from test/images, imported without a registry ----------------------
IMG_DIR="$REAL_NODE_DIR/images"
rm -rf "$IMG_DIR"
mapfile -t archives < <(bash "$REPO_ROOT/test/images/build-images.sh" "$IMG_DIR") || unavailable "building the contract images failed (test/images/build-images.sh)"
for a in "${archives[@]}"; do
  "${CTR[@]}" images import --snapshotter native "$a" >>"$LOGS/containerd-import.log" 2>&1 ||
    unavailable "ctr images import $a failed (log: $LOGS/containerd-import.log)"
done
say "containerd up, ${#archives[@]} images imported after $(elapsed)s"

# ---- kubelet ------------------------------------------------------------------------------
cat >"$KUBELET_DIR/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# cgroup v1 (hybrid) hosts: kubelets >= 1.35 refuse it unless told (KEP-5573).
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupsPerQOS: false
enforceNodeAllocatable: []
failSwapOn: false
localStorageCapacityIsolation: false
address: $REAL_NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $REAL_NODE_HEALTHZ_PORT
# A test node: anonymous and allow-all, reachable only inside the cluster's namespace.
authentication:
  anonymous:
    enabled: true
  webhook:
    enabled: false
authorization:
  mode: AlwaysAllow
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
registerWithTaints:
  - key: vh-deploy.io/real-node
    value: "true"
    effect: NoSchedule
# The imported images cannot be pulled again: never garbage-collect them, never evict.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: "1Mi"
  nodefs.available: "1%"
  imagefs.available: "1%"
serializeImagePulls: false
maxPods: 40
# No DNS server runs, but without an address every pod gets a MissingClusterDNS event.
clusterDNS: ["10.96.0.10"]
clusterDomain: cluster.local
nodeStatusUpdateFrequency: 4s
# Probes and restarts at their defaults: the tests observe the kubelet's own timings.
EOF
start_in_net kubelet "$BIN_DIR/kubelet" \
  --config="$KUBELET_DIR/config.yaml" \
  --kubeconfig="$STATE/netns-admin.kubeconfig" \
  --hostname-override="$REAL_NODE_NAME" --node-ip="$REAL_NODE_IP" \
  --node-labels="vh-deploy.io/real-node=true,type=real" \
  --root-dir="$KUBELET_DIR/root" --cert-dir="$KUBELET_DIR/pki" \
  --v=1

K() { "$BIN_DIR/kubectl" --kubeconfig="$STATE/kubeconfig" --request-timeout=10s "$@"; }
node_ready() {
  [ "$(K get node "$REAL_NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]
}
wait_until "node $REAL_NODE_NAME to be Ready" kubelet node_ready

# `kubectl logs` and the API server's proxy reach the kubelet by the node's address. An
# API server started without --kubelet-preferred-address-types=InternalIP,... (an older
# up.sh) dials the node's Hostname address: let its mount namespace resolve that name.
APISERVER_PID="$(live_pid kube-apiserver)"
if ! tr '\0' '\n' <"/proc/$APISERVER_PID/cmdline" | grep -q '^--kubelet-preferred-address-types=InternalIP' &&
  ! nsenter --mount="/proc/$APISERVER_PID/ns/mnt" grep -q " $REAL_NODE_NAME\$" /etc/hosts; then
  HOSTS="$REAL_NODE_DIR/apiserver-hosts"
  { cat /etc/hosts; echo "$REAL_NODE_IP $REAL_NODE_NAME"; } >"$HOSTS"
  nsenter --mount="/proc/$APISERVER_PID/ns/mnt" mount --bind "$HOSTS" /etc/hosts ||
    say "warning: the API server cannot resolve $REAL_NODE_NAME: kubectl logs on the real node will fail"
fi
# Placement without changing what a tool renders: every pod created in a namespace labelled
# vh-deploy.io/real-node=true gets the node's toleration and selector (a
# MutatingAdmissionPolicy, admissionregistration.k8s.io/v1). Other namespaces are untouched.
K apply -f - >"$LOGS/real-node-placement.log" 2>&1 <<EOF || unavailable "creating the placement policy failed (log: $LOGS/real-node-placement.log)"
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingAdmissionPolicy
metadata:
  name: vh-e2e-real-node-placement
spec:
  matchConstraints:
    resourceRules:
      - apiGroups: [""]
        apiVersions: ["v1"]
        operations: ["CREATE"]
        resources: ["pods"]
  failurePolicy: Fail
  reinvocationPolicy: Never
  mutations:
    - patchType: JSONPatch
      jsonPatch:
        expression: >-
          (has(object.spec.nodeSelector)
            ? [JSONPatch{op: "add", path: "/spec/nodeSelector/" + jsonpatch.escapeKey("vh-deploy.io/real-node"), value: "true"}]
            : [JSONPatch{op: "add", path: "/spec/nodeSelector", value: {"vh-deploy.io/real-node": "true"}}]) +
          (has(object.spec.tolerations)
            ? [JSONPatch{op: "add", path: "/spec/tolerations/-", value: Object.spec.tolerations{key: "vh-deploy.io/real-node", operator: "Exists", effect: "NoSchedule"}}]
            : [JSONPatch{op: "add", path: "/spec/tolerations", value: [Object.spec.tolerations{key: "vh-deploy.io/real-node", operator: "Exists", effect: "NoSchedule"}]}])
---
# Local volumes on the real node: tests create a PersistentVolume (type local, a fresh
# directory under .cluster/real-node/volumes) per claim. The kubelet applies fsGroup to
# local volumes, as on a real disk (hostPath volumes it leaves alone).
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: real-node-local
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Retain
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingAdmissionPolicyBinding
metadata:
  name: vh-e2e-real-node-placement
spec:
  policyName: vh-e2e-real-node-placement
  matchResources:
    namespaceSelector:
      matchLabels:
        vh-deploy.io/real-node: "true"
EOF
date -u +%FT%TZ >"$REAL_NODE_DIR/ready"
say "real node $REAL_NODE_NAME Ready after $(elapsed)s (node IP $REAL_NODE_IP, pods $REAL_POD_CIDR, taint vh-deploy.io/real-node=true:NoSchedule)"
